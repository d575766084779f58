//! Kill heatmaps of one round: which kills count (killer team, players, a time window around the
//! replay cursor), the seed's grid cells at any cell size, and a smooth Gaussian kernel-density
//! raster, per team or as the Axis − Allies difference. What the app draws and exports is
//! computed here, so screen, export and tests agree.

use std::collections::BTreeMap;

use glam::Vec2;

use crate::model::Team;
use crate::timeline::Timeline;

/// Whose kills count (by the killer's team).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TeamSelection {
    /// Both teams.
    #[default]
    Both,
    /// Kills made by Axis players.
    Axis,
    /// Kills made by Allied players.
    Allies,
}

/// Which part of the round counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimeWindow {
    /// The whole round.
    #[default]
    Whole,
    /// From the start up to the cursor (inclusive).
    UpTo(u32),
    /// The `seconds` before the cursor (inclusive), so scrubbing animates the map.
    LastSeconds {
        /// Replay cursor, ms.
        cursor_ms: u32,
        /// Window length.
        seconds: u32,
    },
}

impl TimeWindow {
    fn contains(self, t: u32) -> bool {
        match self {
            Self::Whole => true,
            Self::UpTo(cursor) => t <= cursor,
            Self::LastSeconds { cursor_ms, seconds } => {
                t <= cursor_ms && t.saturating_add(seconds.saturating_mul(1000)) >= cursor_ms
            }
        }
    }
}

/// Where a kill is put on a heatmap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KillPlace {
    /// Where the victim died (the seed's heatmap): a map of deaths.
    #[default]
    Victim,
    /// Where the killer stood: a map of where kills are made from.
    Killer,
}

/// Which kills a heatmap shows; the fields combine (AND).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KillFilter {
    /// Killer's team.
    pub team: TeamSelection,
    /// Only kills with one of these clients as killer or victim (empty: everyone).
    pub players: Vec<u16>,
    /// Time window.
    pub window: TimeWindow,
    /// Only kills made with one of these weapons (`WP_*` numbers; empty: any, including kills
    /// whose weapon the round does not say).
    pub weapons: Vec<u16>,
    /// Only kills within this many seconds of an objective event (plant, defuse, construction,
    /// capture, carrier): the fights around objectives. Rounds without such events have none.
    pub near_objectives_s: Option<u32>,
    /// Where each kill is put.
    pub place: KillPlace,
}

/// A kill as a heatmap sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KillPoint {
    /// Where the kill is put ([`KillFilter::place`]): the victim's death or the killer's place.
    pub pos: Vec2,
    /// Killer's team when known.
    pub killer_team: Option<Team>,
    /// Time of the kill.
    pub time_ms: u32,
    /// Where the killer stood, when known (for killer → victim lines).
    pub killer_pos: Option<Vec2>,
    /// Where the victim died.
    pub victim_pos: Vec2,
}

impl KillPoint {
    /// A kill at `pos` with nothing else known but the killer's team.
    pub fn at(pos: Vec2, killer_team: Option<Team>) -> Self {
        Self { pos, killer_team, time_ms: 0, killer_pos: None, victim_pos: pos }
    }
}

/// The player kills (killer a player other than the victim) of the round that pass `filter`
/// and have a known position. The killer's team is the one of their latest sample, else the
/// roster's.
pub fn kill_points(timeline: &Timeline, filter: &KillFilter) -> Vec<KillPoint> {
    let round = timeline.round();
    // Objective times, sorted (events are), for the "near objectives" filter.
    let objectives: Vec<u32> = round.events.iter().filter(|e| e.kind.is_objective()).map(|e| e.time_ms).collect();
    let near_objective = |t: u32| match filter.near_objectives_s {
        None => true,
        Some(s) => {
            let reach = s.saturating_mul(1000);
            let i = objectives.partition_point(|&o| o < t.saturating_sub(reach));
            objectives.get(i).is_some_and(|&o| o <= t.saturating_add(reach))
        }
    };
    timeline
        .kills()
        .iter()
        .filter(|k| k.by_player() && filter.window.contains(k.time_ms) && near_objective(k.time_ms))
        .filter(|k| {
            filter.players.is_empty() || filter.players.contains(&k.killer) || filter.players.contains(&k.victim)
        })
        .filter(|k| {
            filter.weapons.is_empty()
                || round.combat.get(k.event_index).and_then(|e| e.weapon).is_some_and(|w| filter.weapons.contains(&w))
        })
        .filter_map(|k| {
            let victim_pos = k.pos?.truncate();
            let killer_team = timeline.team_at(k.killer, k.time_ms);
            let keep = match filter.team {
                TeamSelection::Both => true,
                TeamSelection::Axis => killer_team == Some(Team::Axis),
                TeamSelection::Allies => killer_team == Some(Team::Allies),
            };
            // The killer's place: the combat line's, else their sample at the time.
            let killer_pos = round
                .combat
                .get(k.event_index)
                .and_then(|e| e.attacker_pos)
                .or_else(|| timeline.state_at(k.killer, k.time_ms).map(|s| s.pos))
                .map(|p| p.truncate());
            let pos = match filter.place {
                KillPlace::Victim => victim_pos,
                KillPlace::Killer => killer_pos?,
            };
            keep.then_some(KillPoint { pos, killer_team, time_ms: k.time_ms, killer_pos, victim_pos })
        })
        .collect()
}

/// The grid cell holding `pos`: `floor(coord / cell)`, as the tracker bins kills.
pub fn cell_of(pos: Vec2, cell_units: f32) -> (i32, i32) {
    ((pos.x / cell_units).floor() as i32, (pos.y / cell_units).floor() as i32)
}

/// Kills per cell ([`cell_of`]), as (Axis, Allies) counts; a kill whose killer's team
/// is unknown counts in neither.
pub fn grid_counts(points: &[KillPoint], cell_units: f32) -> BTreeMap<(i32, i32), (u32, u32)> {
    let mut cells: BTreeMap<(i32, i32), (u32, u32)> = BTreeMap::new();
    for p in points {
        let e = cells.entry(cell_of(p.pos, cell_units)).or_default();
        match p.killer_team {
            Some(Team::Axis) => e.0 += 1,
            Some(Team::Allies) => e.1 += 1,
            _ => {}
        }
    }
    cells
}

/// How a kill adds to a density raster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weighting {
    /// Every kill adds +1.
    All,
    /// Axis kills +1, Allied kills −1 (the difference map).
    AxisMinusAllies,
}

/// A scalar field over a world rectangle, `width × height` samples, row 0 at `min.y` (south).
#[derive(Debug, Clone, PartialEq)]
pub struct Raster {
    /// World position of sample (0, 0).
    pub min: Vec2,
    /// World distance between neighbouring samples.
    pub step_units: f32,
    /// Samples per row.
    pub width: usize,
    /// Rows.
    pub height: usize,
    /// Row-major values.
    pub values: Vec<f32>,
}

impl Raster {
    /// The sample at column `x`, row `y`.
    pub fn at(&self, x: usize, y: usize) -> f32 {
        self.values[y * self.width + x]
    }

    /// The value at a world point, bilinearly interpolated (0 outside).
    pub fn sample(&self, world: Vec2) -> f32 {
        let f = (world - self.min) / self.step_units;
        if f.x < 0.0 || f.y < 0.0 || f.x > (self.width - 1) as f32 || f.y > (self.height - 1) as f32 {
            return 0.0;
        }
        let (x0, y0) = (f.x.floor() as usize, f.y.floor() as usize);
        let (x1, y1) = ((x0 + 1).min(self.width - 1), (y0 + 1).min(self.height - 1));
        let (tx, ty) = (f.x - x0 as f32, f.y - y0 as f32);
        let top = self.at(x0, y0) * (1.0 - tx) + self.at(x1, y0) * tx;
        let bottom = self.at(x0, y1) * (1.0 - tx) + self.at(x1, y1) * tx;
        top * (1.0 - ty) + bottom * ty
    }

    /// Smallest and largest value.
    pub fn range(&self) -> (f32, f32) {
        self.values.iter().fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)))
    }
}

/// Gaussian kernel density of `points` with standard deviation `radius_units`, sampled every
/// `step_units` over the rectangle `min..max`. Unnormalised: a lone kill peaks at 1 (or −1), so
/// values read as "kills nearby". Each kill only touches samples within 3 radii, and the kernel
/// is separable, so the cost is kills × (6 radius / step)².
pub fn kde(
    points: &[KillPoint],
    min: Vec2,
    max: Vec2,
    step_units: f32,
    radius_units: f32,
    weighting: Weighting,
) -> Raster {
    let weighted: Vec<(Vec2, f32)> = points
        .iter()
        .filter_map(|p| {
            let weight = match (weighting, p.killer_team) {
                (Weighting::All, _) => 1.0,
                (Weighting::AxisMinusAllies, Some(Team::Axis)) => 1.0,
                (Weighting::AxisMinusAllies, Some(Team::Allies)) => -1.0,
                (Weighting::AxisMinusAllies, _) => return None,
            };
            Some((p.pos, weight))
        })
        .collect();
    kde_weighted(&weighted, min, max, step_units, radius_units)
}

/// [`kde`] of points that each weigh as many kills as their weight (negative: the other side
/// of a difference map), e.g. base cells of a season.
pub fn kde_weighted(points: &[(Vec2, f32)], min: Vec2, max: Vec2, step_units: f32, radius_units: f32) -> Raster {
    let step = step_units.max(f32::EPSILON);
    let width = (((max.x - min.x) / step).floor() as usize + 1).max(1);
    let height = (((max.y - min.y) / step).floor() as usize + 1).max(1);
    let mut values = vec![0.0f32; width * height];
    let sigma = radius_units.max(f32::EPSILON);
    let reach = (3.0 * sigma / step).ceil() as isize;
    let inv = -0.5 / (sigma * sigma);
    let mut wx = Vec::new();
    for &(pos, weight) in points {
        let c = (pos - min) / step;
        let (cx, cy) = (c.x.round() as isize, c.y.round() as isize);
        let x_range = (cx - reach).max(0)..(cx + reach + 1).min(width as isize);
        let y_range = (cy - reach).max(0)..(cy + reach + 1).min(height as isize);
        if x_range.is_empty() || y_range.is_empty() {
            continue;
        }
        wx.clear();
        wx.extend(x_range.clone().map(|x| {
            let d = min.x + x as f32 * step - pos.x;
            (d * d * inv).exp()
        }));
        for y in y_range {
            let d = min.y + y as f32 * step - pos.y;
            let wy = weight * (d * d * inv).exp();
            let row = &mut values[y as usize * width + x_range.start as usize..][..wx.len()];
            for (v, w) in row.iter_mut().zip(&wx) {
                *v += wy * w;
            }
        }
    }
    Raster { min, step_units: step, width, height, values }
}

#[cfg(test)]
mod tests;
