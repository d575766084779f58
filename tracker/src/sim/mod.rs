//! The match simulator: plays a believable ET round (warmup, countdown, `map_restart`, play with
//! respawn waves, revives, falls, self-kills, team switches, bots joining and leaving,
//! intermission) through the simulated engine, so the tracker records it exactly as on a server.
//! It keeps the truth of what happened for tests. Seeded and deterministic.

pub mod maps;
pub mod player;
mod rules;
pub mod upstream;

use std::path::{Path, PathBuf};

use glam::Vec3;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use self::player::SimPlayer;
use crate::engine::{Engine, EngineConfig};

/// What to simulate.
#[derive(Debug, Clone)]
pub struct MatchConfig {
    /// Map name (see [`maps::MAP_NAMES`]).
    pub map: String,
    /// Players on the two teams, 2 to 64.
    pub players: usize,
    /// Length of the live round in minutes.
    pub minutes: f64,
    /// Random seed: the same seed gives the same round.
    pub seed: u64,
    /// Stopwatch round, 1 or 2 (`g_currentRound` is this minus one).
    pub round: u32,
    /// Warmup before the countdown, seconds.
    pub warmup_secs: u32,
    /// Warmup countdown, seconds.
    pub countdown_secs: u32,
    /// Intermission after the round, seconds.
    pub intermission_secs: u32,
    /// Spectators connected besides the players.
    pub spectators: usize,
    /// Whether bots join and leave during the round.
    pub bots_join_leave: bool,
    /// Server wall clock when the map loads, unix seconds (UTC).
    pub start_unix: i64,
    /// The Lua tracker to run.
    pub tracker_source: String,
    /// Chance that an engaged player fires when their weapon is ready (0.6; higher is heavier
    /// combat).
    pub fire_chance: f64,
    /// Distance at which players engage an enemy (1400 units; more is heavier combat).
    pub engage_units: f32,
    /// Multiplies every player's hit chance (1.0).
    pub accuracy: f64,
    /// Multiplies the damage of every hit (1.0).
    pub damage_scale: f64,
    /// Multiplies every weapon's rate of fire (1.0).
    pub fire_rate: f64,
    /// [`simulate_into`] also writes the round as the current public tracker's v6 file, from the
    /// simulator's truth, into `proximity/` of the output folder (where that tracker writes).
    pub public_format: bool,
}

impl MatchConfig {
    /// A 12-player, 10-minute round of `map` with the shipped tracker.
    pub fn new(map: &str) -> Self {
        Self {
            map: map.to_owned(),
            players: 12,
            minutes: 10.0,
            seed: 7,
            round: 1,
            warmup_secs: 10,
            countdown_secs: 5,
            intermission_secs: 10,
            spectators: 1,
            bots_join_leave: true,
            start_unix: 1_766_232_000,
            tracker_source: crate::TRACKER_LUA.to_owned(),
            fire_chance: 0.6,
            engage_units: 1400.0,
            accuracy: 1.0,
            damage_scale: 1.0,
            fire_rate: 1.0,
            public_format: false,
        }
    }
}

/// Why a simulation could not run.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// Unknown map.
    #[error("unknown map {0:?}; the simulator knows {known}", known = maps::MAP_NAMES.join(", "))]
    UnknownMap(String),
    /// Bad player count or round.
    #[error("{0}")]
    BadConfig(String),
    /// The tracker script ran away (an endless loop, a huge allocation) and was stopped.
    #[error("the tracker script was stopped: {0}")]
    Runaway(String),
    /// The script wrote nothing.
    #[error("the tracker script wrote no files under the game folder {0}")]
    NoFiles(PathBuf),
    /// Files could not be written or copied.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
}

/// One player-visible position at one frame of the live round.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TruthPosition {
    /// Client slot.
    pub cn: usize,
    /// Position.
    pub pos: Vec3,
    /// Team.
    pub team: i64,
    /// Alive.
    pub alive: bool,
}

/// A death as the simulator made it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TruthKill {
    /// `level.time` of the death.
    pub level_time: i64,
    /// Killer: a client, the victim itself (self-kill) or 1022 (world).
    pub killer: i64,
    /// Victim.
    pub victim: usize,
    /// Where the victim died.
    pub victim_pos: Vec3,
    /// Killer's team (0 for the world).
    pub killer_team: i64,
    /// Means of death.
    pub mod_id: i64,
    /// Living team-mates of the killer within 300 units of the killer (victim excluded).
    pub killer_backup: usize,
    /// Living team-mates of the victim within 300 units of the victim.
    pub victim_backup: usize,
    /// Where the killer was (a client killer).
    pub killer_pos: Option<Vec3>,
    /// The killer's weapon (`weapon_t`; 0 for the world).
    pub weapon: i64,
    /// Distinct players who damaged the victim in this life (the killer among them).
    pub attackers: usize,
}

/// A revive as the simulator made it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TruthRevive {
    /// `level.time` of the revive.
    pub level_time: i64,
    /// The medic.
    pub medic: Option<usize>,
    /// Who was revived.
    pub revived: usize,
    /// Where.
    pub pos: Vec3,
}

/// An objective action as the simulator made it (dynamite on an objective).
#[derive(Debug, Clone, PartialEq)]
pub struct TruthObjective {
    /// `level.time`.
    pub level_time: i64,
    /// Who.
    pub cn: usize,
    /// Their team.
    pub team: i64,
    /// Where they were.
    pub pos: Vec3,
    /// What, in the public tracker's words (`dynamite_plant`).
    pub kind: &'static str,
    /// Which objective.
    pub target: String,
}

/// Who held a client slot from a moment on (a slot is reused when a bot leaves and another joins).
#[derive(Debug, Clone, PartialEq)]
pub struct TruthPlayer {
    /// Client slot.
    pub cn: usize,
    /// Name, with colour codes.
    pub name: String,
    /// Class (`0` soldier ... `4` covert ops).
    pub class: i64,
    /// A bot.
    pub is_bot: bool,
    /// `level.time` they connected.
    pub from_level_time: i64,
}

/// What really happened in the live round.
#[derive(Debug, Clone, Default)]
pub struct Truth {
    /// `level.time` when the live round started (the `map_restart`).
    pub round_start_level_time: i64,
    /// Positions of the team players at every frame of the live round, by `level.time`.
    pub frames: Vec<(i64, Vec<TruthPosition>)>,
    /// Every death in the live round.
    pub kills: Vec<TruthKill>,
    /// Shots fired in the live round.
    pub shots: usize,
    /// Hits in the live round.
    pub hits: usize,
    /// Revives in the live round.
    pub revives: Vec<TruthRevive>,
    /// Objective actions in the live round.
    pub objectives: Vec<TruthObjective>,
    /// Every connect, in order.
    pub players: Vec<TruthPlayer>,
}

impl Truth {
    /// Who held slot `cn` at `level_time`.
    pub fn player(&self, cn: usize, level_time: i64) -> Option<&TruthPlayer> {
        self.players.iter().rev().find(|p| p.cn == cn && p.from_level_time <= level_time)
    }

    /// Kills of players by players per cell of `grid` units (at the victim's place), counted in
    /// the killer's team column (Axis, Allies): what a heatmap file of the round must say.
    pub fn kill_cells(&self, grid: f32) -> std::collections::BTreeMap<(i32, i32), (u32, u32)> {
        let mut cells: std::collections::BTreeMap<(i32, i32), (u32, u32)> = std::collections::BTreeMap::new();
        for k in self.kills.iter().filter(|k| k.killer != k.victim as i64 && (0..64).contains(&k.killer)) {
            let cell = ((k.victim_pos.x / grid).floor() as i32, (k.victim_pos.y / grid).floor() as i32);
            let e = cells.entry(cell).or_default();
            match k.killer_team {
                1 => e.0 += 1,
                2 => e.1 += 1,
                _ => {}
            }
        }
        cells
    }

    /// Position of `cn` at `level_time`, if the simulator had the player then.
    pub fn position(&self, cn: usize, level_time: i64) -> Option<TruthPosition> {
        let i = self.frames.binary_search_by_key(&level_time, |(t, _)| *t).ok()?;
        self.frames[i].1.iter().find(|p| p.cn == cn).copied()
    }
}

/// A finished simulation: the engine (files, console, Lua state) and the truth.
pub struct Outcome {
    /// The engine after the round (its game folder holds the tracker's files).
    pub engine: Engine,
    /// What happened.
    pub truth: Truth,
    /// Where the tracker's files are (`<game dir>/gamestats`).
    pub output_dir: PathBuf,
}

/// A match played frame by frame (for benchmarks and tests that look in between frames).
pub struct Session<'c> {
    inner: rules::Match<'c>,
}

impl<'c> Session<'c> {
    /// Loads the map, connects everyone, plays warmup and countdown, and restarts into the live
    /// round.
    pub fn start(cfg: &'c MatchConfig, homepath: &Path) -> Result<Self, SimError> {
        let (map, engine) = prepare(cfg, homepath)?;
        let mut inner = rules::Match::new(cfg, map, engine, ChaCha8Rng::seed_from_u64(cfg.seed));
        inner.begin();
        Ok(Self { inner })
    }

    /// Plays one frame of the live round.
    pub fn tick(&mut self) {
        self.inner.tick();
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// What happened so far.
    pub fn truth(&self) -> &Truth {
        &self.inner.truth
    }

    /// Ends the round (intermission, shutdown).
    pub fn finish(mut self) -> Outcome {
        self.inner.end();
        let output_dir = self.inner.engine.game_dir().join("gamestats");
        Outcome { engine: self.inner.engine, truth: self.inner.truth, output_dir }
    }
}

fn prepare(cfg: &MatchConfig, homepath: &Path) -> Result<(maps::MapDef, Engine), SimError> {
    let map = maps::map(&cfg.map).ok_or_else(|| SimError::UnknownMap(cfg.map.clone()))?;
    if !(2..=64).contains(&cfg.players) {
        return Err(SimError::BadConfig(format!("players must be 2 to 64, not {}", cfg.players)));
    }
    if !(1..=2).contains(&cfg.round) {
        return Err(SimError::BadConfig(format!("round must be 1 or 2, not {}", cfg.round)));
    }
    let mut engine_cfg = EngineConfig::new(homepath);
    engine_cfg.start_unix = cfg.start_unix;
    let mut engine = Engine::new(engine_cfg);
    engine.add_module("proximity_tracker.lua", &cfg.tracker_source);
    Ok((map, engine))
}

/// Runs one match with the engine's files under `homepath`.
pub fn run_match(cfg: &MatchConfig, homepath: &Path) -> Result<Outcome, SimError> {
    let (map, engine) = prepare(cfg, homepath)?;
    let mut sim = rules::Match::new(cfg, map, engine, ChaCha8Rng::seed_from_u64(cfg.seed));
    sim.play();
    let output_dir = sim.engine.game_dir().join("gamestats");
    Ok(Outcome { engine: sim.engine, truth: sim.truth, output_dir })
}

/// Every file under `dir`, recursively, as paths relative to it (at most `limit`).
fn files_under(dir: &Path, limit: usize) -> std::io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut todo = vec![PathBuf::new()];
    while let Some(rel) = todo.pop() {
        for entry in std::fs::read_dir(dir.join(&rel))? {
            let entry = entry?;
            let path = rel.join(entry.file_name());
            let kind = entry.file_type()?;
            if kind.is_dir() {
                todo.push(path);
            } else if kind.is_file() && found.len() < limit {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Runs a match in a scratch folder and copies every file the tracker wrote under the game
/// folder into `out`: the files of `gamestats/` straight into it, any other (the current public
/// tracker writes into `proximity/`) under its path relative to the game folder. Returns the
/// copied paths. A script stopped as a runaway is an error naming the callback.
pub fn simulate_into(cfg: &MatchConfig, out: &Path) -> Result<Vec<PathBuf>, SimError> {
    static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let run = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let scratch = std::env::temp_dir().join(format!("proxviz-sim-{}-{run}", std::process::id()));
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| SimError::Io { path, source }
    };
    let outcome = run_match(cfg, &scratch)?;
    if !outcome.engine.runaways().is_empty() {
        let why = outcome.engine.runaways().join("; ");
        drop(outcome);
        let _ = std::fs::remove_dir_all(&scratch);
        return Err(SimError::Runaway(why));
    }
    let game = outcome.engine.game_dir();
    let written = if game.exists() { files_under(&game, 10_000).map_err(io(&game))? } else { Vec::new() };
    if written.is_empty() {
        drop(outcome);
        let _ = std::fs::remove_dir_all(&scratch);
        return Err(SimError::NoFiles(game));
    }
    let mut copied = Vec::new();
    for rel in written {
        let to = match rel.strip_prefix("gamestats") {
            Ok(inside) => out.join(inside),
            Err(_) => out.join(&rel),
        };
        if let Some(dir) = to.parent() {
            std::fs::create_dir_all(dir).map_err(io(dir))?;
        }
        std::fs::copy(game.join(&rel), &to).map_err(io(&to))?;
        copied.push(to);
    }
    if cfg.public_format {
        let dir = out.join("proximity");
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        let to = dir.join(format!("{}_engagements.txt", upstream::base_name(&outcome.truth, cfg)));
        std::fs::write(&to, upstream::upstream_text(&outcome.truth, cfg, false)).map_err(io(&to))?;
        copied.push(to);
    }
    drop(outcome);
    let _ = std::fs::remove_dir_all(&scratch);
    copied.sort();
    Ok(copied)
}

/// A name pool with ET colour codes, Latin-1 letters and clan tags.
const NAMES: &[&str] = &[
    "^1Fritz",
    "^4Jürgen",
    "^7Sarge",
    "^3Ace^7Ventura",
    "Bazooka Joe",
    "^2Medic^7!",
    "^5Kraut",
    "^1[TG]^7Ripper",
    "Sniper Wolf",
    "^6Pixel",
    "^1Øyvind",
    "^4Brick",
    "^3Zé",
    "^7Nomad",
    "^2Ghost",
    "^1Rookie",
    "^4Hammer",
    "^3Viper",
    "^5Echo",
    "^7Tank",
    "^1Falcon",
    "^2Blitz",
    "^6Moose",
    "^3Dodger",
    "^4Rex",
    "^5Smokey",
    "^7Brute",
    "^1Nova",
    "^2Chance",
    "^3Duke",
    "^4Ivan",
    "^5Lola",
    "^6Maverick",
    "^7Otto",
    "^1Panzer",
    "^2Quinn",
    "^3Rico",
    "^4Stitch",
    "^5Tex",
    "^6Ulli",
    "^7Vlad",
    "^1Wolfie",
    "^2Xeno",
    "^3Yuri",
    "^4Zed",
    "^5Bolt",
    "^6Cobra",
    "^7Diesel",
    "^1Ember",
    "^2Flint",
    "^3Gunner",
    "^4Hawk",
    "^5Iron",
    "^6Jinx",
    "^7Knox",
    "^1Lynx",
    "^2Mako",
    "^3Nitro",
    "^4Onyx",
    "^5Pike",
    "^6Rook",
    "^7Spike",
    "^1Talon",
    "^2Umbra",
];

fn name_for(cn: usize, is_bot: bool) -> String {
    let base = NAMES[cn % NAMES.len()];
    if is_bot { format!("^7[BOT]{base}") } else { base.to_owned() }
}

/// Chooses a random class, weighted like public servers (many medics and soldiers).
fn random_class(rng: &mut ChaCha8Rng) -> i64 {
    [0, 0, 1, 1, 1, 2, 2, 3, 4][rng.random_range(0..9)]
}

/// Makes the match's players: alternating teams, a few bots.
fn roster(cfg: &MatchConfig, rng: &mut ChaCha8Rng) -> Vec<SimPlayer> {
    (0..cfg.players)
        .map(|cn| {
            let is_bot = cfg.bots_join_leave && cn % 5 == 4;
            SimPlayer::new(cn, name_for(cn, is_bot), 1 + (cn % 2) as i64, random_class(rng), is_bot, rng)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_map_is_refused_with_the_known_ones() {
        let err = run_match(&MatchConfig::new("nowhere"), Path::new("/nonexistent")).err().expect("refused");
        assert_eq!(err.to_string(), "unknown map \"nowhere\"; the simulator knows supply, sw_goldrush_te");
    }

    #[test]
    fn rosters_alternate_teams() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let r = roster(&MatchConfig::new("supply"), &mut rng);
        assert_eq!(r.iter().filter(|p| p.team == 1).count(), 6);
    }
}
