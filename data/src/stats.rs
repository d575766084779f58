//! Round statistics: the seed's `get_statistics()` keys with the same meaning, plus per-player
//! kills, deaths, damage, accuracy, distance travelled, time stationary and engagements by type.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{CombatKind, MAX_CLIENTS, Round, Team};
use crate::timeline::Timeline;

/// Thresholds from the tracker's config that the statistics use.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StatsConfig {
    /// Below this speed a player counts as stationary (the seed's `stationary_threshold`, 5).
    pub stationary_threshold_ups: f32,
    /// Minimum length of a stationary stretch (the seed's `stationary_duration`, 3000 ms).
    pub stationary_duration_ms: u32,
    /// How many hotspots to list.
    pub hotspot_count: usize,
}

impl Default for StatsConfig {
    fn default() -> Self {
        Self { stationary_threshold_ups: 5.0, stationary_duration_ms: 3000, hotspot_count: 10 }
    }
}

impl StatsConfig {
    /// The defaults, overridden by `stationary_threshold` / `stationary_duration` metadata that
    /// the tracker writes from its config.
    pub fn for_round(round: &Round) -> Self {
        let mut cfg = Self::default();
        if let Some(v) = round.meta.extra.get("stationary_threshold").and_then(|v| v.parse().ok()) {
            cfg.stationary_threshold_ups = v;
        }
        if let Some(v) = round.meta.extra.get("stationary_duration").and_then(|v| v.parse().ok()) {
            cfg.stationary_duration_ms = v;
        }
        cfg
    }
}

/// One hotspot, as the seed lists them (`grid` is `"(x, y)"`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hotspot {
    /// `"(grid_x, grid_y)"`, the seed's key.
    pub grid: String,
    /// Cell column.
    pub grid_x: i32,
    /// Cell row.
    pub grid_y: i32,
    /// Kills by Axis players.
    pub axis_kills: u32,
    /// Kills by Allied players.
    pub allies_kills: u32,
    /// Both.
    pub total_kills: u32,
}

/// Per-player statistics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlayerStats {
    /// Client slot.
    pub clientnum: u16,
    /// Name without colour codes.
    pub name: String,
    /// Roster team, if known.
    pub team: Option<Team>,
    /// The name was inferred from the files (a seed-format round: see [`crate::infer`]).
    pub name_inferred: bool,
    /// The team was inferred from the files.
    pub team_inferred: bool,
    /// Other players killed.
    pub kills: u32,
    /// Times killed (by anyone or anything).
    pub deaths: u32,
    /// Deaths by own hand or by the world.
    pub suicides: u32,
    /// Damage dealt to other players.
    pub damage_given: i64,
    /// Damage received from anyone.
    pub damage_taken: i64,
    /// Fire events.
    pub shots: u32,
    /// Hit events on other players.
    pub hits: u32,
    /// `hits / shots`, when the player fired.
    pub accuracy: Option<f64>,
    /// Distance moved while alive, respawn jumps excluded, in units.
    pub distance_travelled_units: f64,
    /// Time spent in stationary stretches (speed below the threshold for at least the duration).
    pub time_stationary_ms: u64,
    /// Engagement types of this player's kills.
    pub engagements_as_killer: BTreeMap<String, u32>,
    /// Engagement types of this player's deaths.
    pub engagements_as_victim: BTreeMap<String, u32>,
}

/// The statistics of one round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Statistics {
    /// Position samples.
    pub total_positions: usize,
    /// Combat lines.
    pub total_combat_events: usize,
    /// Engagement lines.
    pub total_engagements: usize,
    /// Heatmap cells.
    pub total_heatmap_cells: usize,
    /// Combat lines per type (`fire`, `hit`, `kill`).
    pub combat_by_type: BTreeMap<String, usize>,
    /// Engagements per type (`1v1`, `2v1`, ...).
    pub engagement_type_count: BTreeMap<String, usize>,
    /// Mean engagement distance in units (0 without engagements).
    pub average_engagement_distance: f64,
    /// Cells with the most kills, most first.
    pub hotspots: Vec<Hotspot>,
    /// One entry per client slot seen in the round, by slot.
    pub players: Vec<PlayerStats>,
}

/// Rounds with more samples than this have their players' statistics computed on every core.
const PARALLEL_MIN_SAMPLES: usize = 1_000_000;

/// Every player's statistics in `clientnums` order; a big round's players are shared out
/// between the cores (each player's statistics are independent).
fn players_stats(timeline: &Timeline, clientnums: &[u16], cfg: &StatsConfig) -> Vec<PlayerStats> {
    let threads = if timeline.round().position_count() < PARALLEL_MIN_SAMPLES { 1 } else { crate::index::cores() };
    players_stats_on(timeline, clientnums, cfg, threads)
}

fn players_stats_on(timeline: &Timeline, clientnums: &[u16], cfg: &StatsConfig, threads: usize) -> Vec<PlayerStats> {
    let threads = threads.min(clientnums.len());
    if threads < 2 {
        return clientnums.iter().map(|&cn| player_stats(timeline, cn, cfg)).collect();
    }
    // Interleaved shares: players join and leave, so neighbours' sample counts differ less.
    let mut out: Vec<Option<PlayerStats>> = vec![None; clientnums.len()];
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|k| {
                scope.spawn(move || {
                    (k..clientnums.len())
                        .step_by(threads)
                        .map(|i| (i, player_stats(timeline, clientnums[i], cfg)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for worker in workers {
            for (i, stats) in worker.join().unwrap_or_else(|e| std::panic::resume_unwind(e)) {
                out[i] = Some(stats);
            }
        }
    });
    out.into_iter().flatten().collect()
}

/// Computes the statistics of the round behind `timeline`.
pub fn statistics(timeline: &Timeline, cfg: &StatsConfig) -> Statistics {
    let round = timeline.round();
    let mut combat_by_type = BTreeMap::new();
    for e in &round.combat {
        *combat_by_type.entry(e.kind.as_str().to_owned()).or_insert(0) += 1;
    }
    let mut engagement_type_count = BTreeMap::new();
    for e in &round.engagements {
        *engagement_type_count.entry(e.kind.to_string()).or_insert(0) += 1;
    }
    let average_engagement_distance = if round.engagements.is_empty() {
        0.0
    } else {
        round.engagements.iter().map(|e| f64::from(e.distance)).sum::<f64>() / round.engagements.len() as f64
    };
    let mut cells = round.heatmap.clone();
    cells.sort_by(|a, b| b.total_kills().cmp(&a.total_kills()).then((a.grid_x, a.grid_y).cmp(&(b.grid_x, b.grid_y))));
    let hotspots = cells
        .iter()
        .filter(|c| c.total_kills() > 0)
        .take(cfg.hotspot_count)
        .map(|c| Hotspot {
            grid: format!("({}, {})", c.grid_x, c.grid_y),
            grid_x: c.grid_x,
            grid_y: c.grid_y,
            axis_kills: c.axis_kills,
            allies_kills: c.allies_kills,
            total_kills: c.total_kills(),
        })
        .collect();
    Statistics {
        total_positions: round.position_count(),
        total_combat_events: round.combat.len(),
        total_engagements: round.engagements.len(),
        total_heatmap_cells: round.heatmap.len(),
        combat_by_type,
        engagement_type_count,
        average_engagement_distance,
        hotspots,
        players: players_stats(timeline, &round.clientnums(), cfg),
    }
}

fn player_stats(timeline: &Timeline, cn: u16, cfg: &StatsConfig) -> PlayerStats {
    let round = timeline.round();
    let player = round.player(cn);
    let mut s = PlayerStats {
        clientnum: cn,
        name: round.display_name(cn),
        team: player.and_then(|p| p.team),
        name_inferred: round.name_inferred(cn),
        team_inferred: round.team_inferred(cn),
        kills: 0,
        deaths: 0,
        suicides: 0,
        damage_given: 0,
        damage_taken: 0,
        shots: 0,
        hits: 0,
        accuracy: None,
        distance_travelled_units: 0.0,
        time_stationary_ms: 0,
        engagements_as_killer: BTreeMap::new(),
        engagements_as_victim: BTreeMap::new(),
    };
    for e in &round.combat {
        let on_other_player = e.target.is_some_and(|t| t != cn && t < MAX_CLIENTS);
        match e.kind {
            CombatKind::Fire if e.attacker == cn => s.shots += 1,
            CombatKind::Hit if e.attacker == cn && on_other_player => {
                s.hits += 1;
                s.damage_given += i64::from(e.damage);
            }
            CombatKind::Kill if e.attacker == cn && e.is_player_kill() => s.kills += 1,
            _ => {}
        }
        if e.target == Some(cn) {
            match e.kind {
                CombatKind::Hit => s.damage_taken += i64::from(e.damage),
                CombatKind::Kill | CombatKind::Death => {
                    s.deaths += 1;
                    if e.attacker == cn || e.attacker >= MAX_CLIENTS {
                        s.suicides += 1;
                    }
                }
                CombatKind::Fire => {}
            }
        }
    }
    s.accuracy = (s.shots > 0).then(|| f64::from(s.hits) / f64::from(s.shots));
    let names: Vec<&str> = player.map(|p| p.name.as_str()).into_iter().collect();
    let clean = player.map(|p| p.clean_name());
    let is_me = |client: Option<u16>, name: &str| match client {
        Some(c) => c == cn,
        None => names.contains(&name) || clean.as_deref() == Some(name),
    };
    for e in &round.engagements {
        if is_me(e.killer, &e.killer_name) {
            *s.engagements_as_killer.entry(e.kind.to_string()).or_insert(0) += 1;
        }
        if is_me(e.victim, &e.victim_name) {
            *s.engagements_as_victim.entry(e.kind.to_string()).or_insert(0) += 1;
        }
    }
    if let Some(track) = round.track(cn) {
        let (travelled, stationary) = movement(timeline, cn, &track.samples, cfg);
        s.distance_travelled_units = travelled;
        s.time_stationary_ms = stationary;
    }
    s
}

/// Distance moved between consecutive samples of the same life, and the total length of
/// stationary stretches (from the first to the last of a run of slow samples), both counted only
/// while alive.
fn movement(timeline: &Timeline, cn: u16, samples: &[crate::model::PositionSample], cfg: &StatsConfig) -> (f64, u64) {
    let mut travelled = 0.0f64;
    let mut stationary_ms = 0u64;
    // (first, last) time of the current run of slow samples.
    let mut still: Option<(u32, u32)> = None;
    let mut close_run = |run: Option<(u32, u32)>| {
        if let Some((first, last)) = run
            && last - first >= cfg.stationary_duration_ms
        {
            stationary_ms += u64::from(last - first);
        }
    };
    let mut prev: Option<&crate::model::PositionSample> = None;
    // Samples come in time order: the player's dead spans and deaths are walked alongside
    // instead of looked up for every sample.
    let dead = timeline.dead_spans(cn);
    let deaths: Vec<u32> = timeline.kills().iter().filter(|k| k.victim == cn).map(|k| k.time_ms).collect();
    let (mut span, mut death, mut last_time) = (0, 0, 0);
    for s in samples {
        if s.time_ms < last_time {
            // Out of order (a round built by hand): walk again from the start.
            (span, death) = (0, 0);
        }
        last_time = s.time_ms;
        // The last span that starts by now; dead while it lasts.
        while dead.get(span + 1).is_some_and(|&(start, _)| start <= s.time_ms) {
            span += 1;
        }
        let is_dead = dead.get(span).is_some_and(|&(start, end)| start <= s.time_ms && s.time_ms < end);
        let alive = !is_dead && s.health.is_none_or(|h| h > 0);
        if !alive {
            close_run(still.take());
            prev = None;
            continue;
        }
        if let Some(p) = prev {
            // A death between the two samples makes the second one a new life: no distance.
            while deaths.get(death).is_some_and(|&t| t <= p.time_ms) {
                death += 1;
            }
            let died_between = deaths.get(death).is_some_and(|&t| t < s.time_ms.saturating_add(1));
            // A step no player can make (a broken coordinate) is not a distance travelled.
            let step = p.pos.distance(s.pos);
            if !died_between && step.is_finite() && step <= 2.0 * crate::season::WORLD_LIMIT {
                travelled += f64::from(step);
            }
        }
        if s.speed_ups < cfg.stationary_threshold_ups {
            let first = still.map_or(s.time_ms, |(first, _)| first);
            still = Some((first, s.time_ms));
        } else {
            close_run(still.take());
        }
        prev = Some(s);
    }
    close_run(still.take());
    (travelled, stationary_ms)
}

#[cfg(test)]
mod tests;
