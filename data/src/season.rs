//! A map's kills over many rounds: which kills of a round a season counts (those the round's
//! heatmap counts), their sum per 64-unit base cell by killer team, and the filters (dates,
//! round number, a player). The database keeps the same sums (`season_cells`), so a season
//! from a folder and one from PostgreSQL are the same numbers, and a season is drawn from base
//! cells whatever its source.

use std::borrow::Borrow;
use std::collections::BTreeMap;

use chrono::NaiveDate;
use glam::Vec2;

use crate::heatmap::{TeamSelection, cell_of};
use crate::model::{Round, Team};
use crate::text::strip_colors;
use crate::timeline::Timeline;

/// Size of a base cell in world units: season grids are sums of these.
pub const BASE_CELL_UNITS: u32 = 64;

/// Farthest a stored coordinate may be from the origin (ET maps stay within ±65,536); beyond it
/// a value is a broken line, never a place.
pub const WORLD_LIMIT: f32 = 1_000_000.0;

/// Whether `v` is a real place (finite, within [`WORLD_LIMIT`]).
pub fn in_world(v: f32) -> bool {
    v.is_finite() && v.abs() <= WORLD_LIMIT
}

/// One kill as a season counts it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SeasonKill {
    /// Where the victim died.
    pub pos: Vec2,
    /// Killer's team at the kill.
    pub killer_team: Option<Team>,
    /// Killer's client slot (unknown for kills taken from a heatmap file).
    pub killer: Option<u16>,
    /// Victim's client slot.
    pub victim: Option<u16>,
}

/// The kills of a round a season counts: player kills with a known place (the victim's), with
/// the killer's team then; a round without positions whose heatmap file has cells counts one
/// kill per kill in a cell, at the cell's centre (killer and victim unknown).
pub fn round_kills(timeline: &Timeline) -> Vec<SeasonKill> {
    let round = timeline.round();
    let from_kills: Vec<SeasonKill> = timeline
        .kills()
        .iter()
        .filter(|k| k.by_player())
        .filter_map(|k| {
            let pos = k.pos?;
            (in_world(pos.x) && in_world(pos.y)).then(|| SeasonKill {
                pos: Vec2::new(pos.x, pos.y),
                killer_team: timeline.team_at(k.killer, k.time_ms),
                killer: Some(k.killer),
                victim: Some(k.victim),
            })
        })
        .collect();
    if !from_kills.is_empty() || round.position_count() > 0 || timeline.kills().iter().any(|k| k.pos.is_some()) {
        return from_kills;
    }
    let cell = round.grid_size_units() as f32;
    let mut out = Vec::new();
    // The cells count the kills of one round: more than this is a broken file, not a round.
    const MOST_KILLS: usize = 100_000;
    for c in &round.heatmap {
        let pos = Vec2::new((c.grid_x as f32 + 0.5) * cell, (c.grid_y as f32 + 0.5) * cell);
        if !(in_world(pos.x) && in_world(pos.y)) {
            continue;
        }
        for (team, n) in [(Team::Axis, c.axis_kills), (Team::Allies, c.allies_kills)] {
            let n = (n as usize).min(MOST_KILLS - out.len());
            out.extend((0..n).map(|_| SeasonKill { pos, killer_team: Some(team), killer: None, victim: None }));
        }
    }
    out
}

/// Which rounds and kills of one map a season covers; every field narrows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct SeasonFilter {
    /// The map.
    pub map: String,
    /// First session date (inclusive).
    pub from: Option<NaiveDate>,
    /// Last session date (inclusive).
    pub to: Option<NaiveDate>,
    /// Round 1 or 2 of a stopwatch pair (1-based).
    pub round_number: Option<u32>,
    /// Only kills where a player whose clean name contains this (any case) killed or died.
    pub player: Option<String>,
}

impl SeasonFilter {
    /// Whether the season takes round `round`: its map, dates and round number, and with a
    /// player filter, a player of that name in it.
    pub fn takes(&self, round: &Round) -> bool {
        let date = round.session_date();
        round.map() == Some(self.map.as_str())
            && self.from.is_none_or(|f| date.is_some_and(|d| d >= f))
            && self.to.is_none_or(|t| date.is_some_and(|d| d <= t))
            && self.round_number.is_none_or(|n| round.round_number() == Some(n))
            && self.player_needle().is_none_or(|needle| {
                round.players.iter().any(|p| strip_colors(&p.name).to_lowercase().contains(&needle))
            })
    }

    /// The player filter in lower case, when there is one.
    fn player_needle(&self) -> Option<String> {
        self.player.as_deref().map(str::trim).filter(|p| !p.is_empty()).map(str::to_lowercase)
    }

    /// Whether the player filter lets `kill` of `round` in.
    pub fn takes_kill(&self, round: &Round, kill: &SeasonKill) -> bool {
        let Some(needle) = self.player_needle() else { return true };
        let named = |cn: Option<u16>| {
            cn.and_then(|c| round.player(c)).is_some_and(|p| strip_colors(&p.name).to_lowercase().contains(&needle))
        };
        named(kill.killer) || named(kill.victim)
    }

    /// A short description: "supply · 2026-01-01 – 2026-03-31 · round 1 · player fritz".
    pub fn describe(&self) -> String {
        let mut parts = vec![self.map.clone()];
        match (self.from, self.to) {
            (None, None) => {}
            (f, t) => parts.push(format!(
                "{} – {}",
                f.map_or_else(|| "start".into(), |d| d.to_string()),
                t.map_or_else(|| "today".into(), |d| d.to_string())
            )),
        }
        if let Some(n) = self.round_number {
            parts.push(format!("round {n}"));
        }
        if let Some(p) = self.player_needle() {
            parts.push(format!("player “{p}”"));
        }
        parts.join(" · ")
    }
}

/// Kills in one base cell, by killer team.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct SeasonCell {
    /// Base cell column (`floor(x / 64)`).
    pub cx: i32,
    /// Base cell row.
    pub cy: i32,
    /// Kills by Axis players.
    pub axis: u64,
    /// Kills by Allied players.
    pub allies: u64,
    /// Kills whose killer's team is not known.
    pub other: u64,
}

impl SeasonCell {
    /// Kills counted for `team` (both: every kill).
    pub fn count(&self, team: TeamSelection) -> u64 {
        match team {
            TeamSelection::Both => self.axis + self.allies + self.other,
            TeamSelection::Axis => self.axis,
            TeamSelection::Allies => self.allies,
        }
    }

    /// The cell's centre in world units.
    pub fn centre(&self) -> Vec2 {
        (Vec2::new(self.cx as f32, self.cy as f32) + 0.5) * BASE_CELL_UNITS as f32
    }
}

/// A season: the kills of one map over many rounds, per base cell.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Season {
    /// What it covers.
    pub filter: SeasonFilter,
    /// Base cells with kills, sorted by (cx, cy).
    pub cells: Vec<SeasonCell>,
    /// Rounds it covers.
    pub rounds: u64,
    /// Kills in it.
    pub kills: u64,
}

impl Season {
    /// A season from base cells (summing repeats) and a round count.
    pub fn from_cells(filter: SeasonFilter, cells: impl IntoIterator<Item = SeasonCell>, rounds: u64) -> Self {
        let mut sum: BTreeMap<(i32, i32), SeasonCell> = BTreeMap::new();
        for c in cells {
            let e = sum.entry((c.cx, c.cy)).or_insert(SeasonCell { cx: c.cx, cy: c.cy, ..SeasonCell::default() });
            e.axis += c.axis;
            e.allies += c.allies;
            e.other += c.other;
        }
        let cells: Vec<SeasonCell> = sum.into_values().filter(|c| c.count(TeamSelection::Both) > 0).collect();
        let kills = cells.iter().map(|c| c.count(TeamSelection::Both)).sum();
        Self { filter, cells, rounds, kills }
    }

    /// The season of the rounds in `timelines` that `filter` takes (the rounds may be made one
    /// at a time: each is dropped once counted).
    pub fn of_rounds(filter: &SeasonFilter, timelines: impl IntoIterator<Item = impl Borrow<Timeline>>) -> Self {
        let mut rounds = 0;
        let mut cells: BTreeMap<(i32, i32), SeasonCell> = BTreeMap::new();
        for t in timelines {
            let t = t.borrow();
            if !filter.takes(t.round()) {
                continue;
            }
            rounds += 1;
            for k in round_kills(t).iter().filter(|k| filter.takes_kill(t.round(), k)) {
                let (cx, cy) = cell_of(k.pos, BASE_CELL_UNITS as f32);
                let c = cells.entry((cx, cy)).or_insert(SeasonCell { cx, cy, ..SeasonCell::default() });
                match k.killer_team {
                    Some(Team::Axis) => c.axis += 1,
                    Some(Team::Allies) => c.allies += 1,
                    _ => c.other += 1,
                }
            }
        }
        Self::from_cells(filter.clone(), cells.into_values(), rounds)
    }

    /// Kills per cell of `cell_units` (rounded to a multiple of the base cell, at least one):
    /// (Axis, Allies, all) per cell, cells without kills left out.
    pub fn grid(&self, cell_units: u32) -> BTreeMap<(i32, i32), (u64, u64, u64)> {
        let factor = Self::grid_factor(cell_units) as i32;
        let mut out: BTreeMap<(i32, i32), (u64, u64, u64)> = BTreeMap::new();
        for c in &self.cells {
            let e = out.entry((c.cx.div_euclid(factor), c.cy.div_euclid(factor))).or_default();
            e.0 += c.axis;
            e.1 += c.allies;
            e.2 += c.count(TeamSelection::Both);
        }
        out
    }

    /// How many base cells across a grid cell of about `cell_units` is.
    pub fn grid_factor(cell_units: u32) -> u32 {
        ((cell_units as f32 / BASE_CELL_UNITS as f32).round() as u32).max(1)
    }

    /// The grid cell size actually used for `cell_units`.
    pub fn grid_units(cell_units: u32) -> u32 {
        Self::grid_factor(cell_units) * BASE_CELL_UNITS
    }

    /// The rectangle its cells cover, if any.
    pub fn bounds(&self) -> Option<(Vec2, Vec2)> {
        let b = BASE_CELL_UNITS as f32;
        self.cells.iter().fold(None, |acc, c| {
            let lo = Vec2::new(c.cx as f32, c.cy as f32) * b;
            let hi = lo + b;
            Some(match acc {
                None => (lo, hi),
                Some((a, z)) => (a.min(lo), z.max(hi)),
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(cx: i32, cy: i32, axis: u64, allies: u64) -> SeasonCell {
        SeasonCell { cx, cy, axis, allies, other: 0 }
    }

    #[test]
    fn base_cells_add_up_into_grid_cells_of_whole_multiples() {
        let s = Season::from_cells(
            SeasonFilter::default(),
            [cell(0, 0, 1, 0), cell(7, 7, 0, 2), cell(8, 0, 3, 0), cell(-1, -1, 1, 1), cell(0, 0, 1, 0)],
            3,
        );
        assert_eq!(s.kills, 9);
        assert_eq!(s.cells.len(), 4, "repeats are summed");
        let grid = s.grid(512);
        assert_eq!(grid[&(0, 0)], (2, 2, 4));
        assert_eq!(grid[&(1, 0)], (3, 0, 3));
        assert_eq!(grid[&(-1, -1)], (1, 1, 2));
        assert_eq!(Season::grid_units(500), 512);
        assert_eq!(Season::grid_units(10), 64);
    }

    /// Client 0 (Axis, "^1Fritz") kills client 1 (Allies) at (100, 0) and (900, 0); client 1
    /// kills client 2 (Axis) at (-600, 0); the world kills client 0.
    fn round() -> Round {
        use crate::model::{CombatEvent, CombatKind, Player};
        let kill = |t: u32, attacker: u16, target: u16, x: f32| CombatEvent {
            target_pos: Some(glam::Vec3::new(x, 0.0, 0.0)),
            ..CombatEvent::new(t, CombatKind::Kill, attacker, Some(target))
        };
        Round {
            name: crate::name::RoundName::parse("2025-12-20-200015-supply-round-1"),
            players: vec![
                Player { clientnum: 0, team: Some(Team::Axis), name: "^1Fritz".into() },
                Player { clientnum: 1, team: Some(Team::Allies), name: "Hans".into() },
                Player { clientnum: 2, team: Some(Team::Axis), name: "Otto".into() },
            ],
            combat: vec![
                kill(10_000, 0, 1, 100.0),
                kill(20_000, 1, 2, -600.0),
                kill(30_000, 1022, 0, 0.0),
                kill(40_000, 0, 1, 900.0),
            ],
            ..Round::default()
        }
    }

    #[test]
    fn a_season_of_rounds_counts_player_kills_by_filter() {
        let r = round();
        let t = Timeline::new(std::sync::Arc::new(r.clone()));
        let f = SeasonFilter { map: "supply".into(), ..SeasonFilter::default() };
        assert!(f.takes(&r));
        assert!(!SeasonFilter { map: "goldrush".into(), ..f.clone() }.takes(&r));
        let date = r.session_date().expect("date");
        assert!(!SeasonFilter { from: date.succ_opt(), ..f.clone() }.takes(&r));
        assert!(SeasonFilter { to: Some(date), ..f.clone() }.takes(&r));
        assert!(!SeasonFilter { round_number: Some(2), ..f.clone() }.takes(&r));

        let all = Season::of_rounds(&f, [&t, &t]);
        assert_eq!((all.rounds, all.kills), (2, 6), "the world's kill does not count");
        let grid = all.grid(512);
        assert_eq!(grid[&(0, 0)], (2, 0, 2));
        assert_eq!(grid[&(1, 0)], (2, 0, 2));
        assert_eq!(grid[&(-2, 0)], (0, 2, 2));
        // A substring of the clean name, any case, as killer or victim.
        let fritz = Season::of_rounds(&SeasonFilter { player: Some("RIT".into()), ..f.clone() }, [&t]);
        assert_eq!(fritz.kills, 2);
        let otto = Season::of_rounds(&SeasonFilter { player: Some("otto".into()), ..f.clone() }, [&t]);
        assert_eq!((otto.kills, otto.cells[0].allies), (1, 1));
        assert_eq!(Season::of_rounds(&SeasonFilter { player: Some("^1".into()), ..f }, [&t]).kills, 0);
    }
}
