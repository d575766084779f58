//! The heatmap layer as plain data: which kills count, grid cells or a kernel-density field
//! turned into an RGBA image with a colour scale, and the colours of the legend. The window and
//! the export draw exactly this, so what is on screen and what is exported agree, and it is
//! tested without a GPU.

use std::collections::HashMap;

use glam::Vec2;
use proxviz_data::heatmap::{
    KillFilter, KillPlace, KillPoint, TeamSelection, TimeWindow, cell_of, kde_weighted, kill_points,
};
use proxviz_data::season::{WORLD_LIMIT, in_world};
use proxviz_data::{EngagementType, Team, Timeline};
use serde::{Deserialize, Serialize};

/// Grid cells or a smooth density.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum HeatMode {
    /// The seed's grid cells coloured by kill count.
    #[default]
    Grid,
    /// Gaussian kernel density of the kill positions.
    Kde,
}

/// Sequential colour scales (low → high).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Scale {
    /// Black–red–yellow.
    #[default]
    Inferno,
    /// Purple–green–yellow.
    Viridis,
    /// Black–purple–white.
    Magma,
    /// Blue–green–red.
    Turbo,
}

impl Scale {
    /// All of them, for menus.
    pub const ALL: [Self; 4] = [Self::Inferno, Self::Viridis, Self::Magma, Self::Turbo];

    fn gradient(self) -> colorous::Gradient {
        match self {
            Self::Inferno => colorous::INFERNO,
            Self::Viridis => colorous::VIRIDIS,
            Self::Magma => colorous::MAGMA,
            Self::Turbo => colorous::TURBO,
        }
    }

    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Inferno => "inferno",
            Self::Viridis => "viridis",
            Self::Magma => "magma",
            Self::Turbo => "turbo",
        }
    }
}

/// Which part of the round the heatmap counts, relative to the replay cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Window {
    /// The whole round.
    #[default]
    Whole,
    /// From the start up to the cursor.
    UpToCursor,
    /// The last N seconds before the cursor.
    LastSeconds(u32),
}

/// Everything that decides what the heatmap and the engagement markers show. Serialised into
/// exported PNGs, so an image says how it was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HeatSettings {
    /// Heatmap drawn.
    pub show: bool,
    /// Grid or density.
    pub mode: HeatMode,
    /// Grid cell size in units; `None` uses the round's grid_size.
    pub cell_units: Option<u32>,
    /// Density kernel radius (standard deviation) in units.
    pub radius_units: f32,
    /// Killer's team.
    pub team: TeamSelection,
    /// Axis − Allies kills on a diverging scale (ignores `team`).
    pub difference: bool,
    /// Only kills with one of these clients as killer or victim (empty: everyone).
    pub players: Vec<u16>,
    /// Time window.
    pub window: Window,
    /// Layer opacity, 0–1.
    pub opacity: f32,
    /// Sequential scale.
    pub scale: Scale,
    /// Engagement markers drawn.
    pub engagements: bool,
    /// Engagements of the whole round (otherwise only those within a few seconds of the cursor).
    pub engagements_whole_round: bool,
    /// Engagement types not drawn (`1v1`, `2v1`, ...).
    pub hidden_types: Vec<EngagementType>,
    /// Every player's whole path, faint, as context (it traces the map's walkable areas).
    pub paths: bool,
    /// Revives and objective events drawn on the map (those of the last few seconds, or of the
    /// whole round with `engagements_whole_round`).
    pub round_events: bool,
    /// The kill feed (the last seconds' kills) in the map's corner.
    pub kill_feed: bool,
    /// Kills at the victim's place (deaths) or at the killer's.
    pub place: KillPlace,
    /// A line from killer to victim for every kill counted.
    pub kill_lines: bool,
    /// Only kills with these weapons (`WP_*` numbers; empty: any).
    pub weapons: Vec<u16>,
    /// Only kills within this many seconds of an objective event.
    pub near_objectives_s: Option<u32>,
}

impl Default for HeatSettings {
    fn default() -> Self {
        Self {
            show: false,
            mode: HeatMode::Grid,
            cell_units: None,
            radius_units: 150.0,
            team: TeamSelection::Both,
            difference: false,
            players: Vec::new(),
            window: Window::Whole,
            opacity: 0.75,
            scale: Scale::Inferno,
            engagements: false,
            engagements_whole_round: false,
            hidden_types: Vec::new(),
            paths: false,
            round_events: true,
            kill_feed: true,
            place: KillPlace::Victim,
            kill_lines: false,
            weapons: Vec::new(),
            near_objectives_s: None,
        }
    }
}

impl HeatSettings {
    /// The kill filter at replay time `cursor_ms`.
    pub fn filter(&self, cursor_ms: u32) -> KillFilter {
        KillFilter {
            team: if self.difference { TeamSelection::Both } else { self.team },
            players: self.players.clone(),
            window: match self.window {
                Window::Whole => TimeWindow::Whole,
                Window::UpToCursor => TimeWindow::UpTo(cursor_ms),
                Window::LastSeconds(seconds) => TimeWindow::LastSeconds { cursor_ms, seconds },
            },
            weapons: self.weapons.clone(),
            near_objectives_s: self.near_objectives_s,
            place: self.place,
        }
    }

    /// The settings the heatmap layer is built from (engagement markers, paths, events and the
    /// kill feed left out), so toggling those does not rebuild it.
    pub fn layer_only(&self) -> Self {
        Self {
            engagements: false,
            engagements_whole_round: false,
            hidden_types: Vec::new(),
            paths: false,
            round_events: false,
            kill_feed: false,
            kill_lines: false,
            ..self.clone()
        }
    }

    /// Whether the layer depends on the replay cursor (and must follow it).
    pub fn follows_cursor(&self) -> bool {
        self.window != Window::Whole
    }

    /// A one-line description of the filters, for titles and legends.
    pub fn describe(&self, names: impl Fn(u16) -> String) -> String {
        let mut parts = vec![match self.mode {
            HeatMode::Grid => "kills per cell".to_owned(),
            HeatMode::Kde => format!("kill density (radius {:.0} u)", self.radius_units),
        }];
        if self.place == KillPlace::Killer {
            parts.push("at the killer's place".to_owned());
        }
        parts.push(if self.difference {
            "Axis − Allies".to_owned()
        } else {
            match self.team {
                TeamSelection::Both => "both teams".to_owned(),
                TeamSelection::Axis => "Axis kills".to_owned(),
                TeamSelection::Allies => "Allied kills".to_owned(),
            }
        });
        if !self.players.is_empty() {
            parts.push(format!("players: {}", self.players.iter().map(|&c| names(c)).collect::<Vec<_>>().join(", ")));
        }
        if !self.weapons.is_empty() {
            let names: Vec<String> = self.weapons.iter().map(|&w| proxviz_data::weapons::weapon_label(w)).collect();
            parts.push(names.join(", "));
        }
        if let Some(s) = self.near_objectives_s {
            parts.push(format!("±{s} s of objectives"));
        }
        match self.window {
            Window::Whole => parts.push("whole round".to_owned()),
            Window::UpToCursor => parts.push("up to the cursor".to_owned()),
            Window::LastSeconds(s) => parts.push(format!("last {s} s")),
        }
        parts.join(" · ")
    }
}

/// The heatmap as an image over a world rectangle.
#[derive(Debug, Clone, PartialEq)]
pub struct HeatLayer {
    /// Pixels across.
    pub width: usize,
    /// Pixels down.
    pub height: usize,
    /// Row-major RGBA, row 0 at the top (north), premultiplied by nothing (straight alpha).
    pub rgba: Vec<u8>,
    /// World corner at the bottom-left (south-west).
    pub min: Vec2,
    /// World corner at the top-right (north-east).
    pub max: Vec2,
    /// What the colours span: 0..hi (or −hi..hi for the difference).
    pub hi: f32,
    /// Diverging scale (difference mode).
    pub diverging: bool,
    /// Kills counted.
    pub kills: usize,
    /// Something the user should know (e.g. the round has no positions).
    pub note: Option<String>,
    /// Unit of the values, for the legend.
    pub unit: &'static str,
    /// What a diverging layer subtracts (`None`: Axis − Allies).
    pub sides: Option<String>,
}

/// The colour of `value` on the layer's scale (straight alpha, 0–255).
pub fn colour(settings: &HeatSettings, value: f32, hi: f32) -> [u8; 4] {
    if hi <= 0.0 || !value.is_finite() {
        return [0, 0, 0, 0];
    }
    let (c, strength) = if settings.difference {
        let f = (value / hi).clamp(-1.0, 1.0);
        (diverging(f), f.abs())
    } else {
        let f = (value / hi).clamp(0.0, 1.0);
        (settings.scale.gradient().eval_continuous(f64::from(0.15 + 0.85 * f)), f)
    };
    // Densities fade out towards zero so the map shows through; counted cells stay solid.
    let ramp = match settings.mode {
        HeatMode::Grid => 1.0,
        HeatMode::Kde => (strength / 0.2).clamp(0.0, 1.0),
    };
    let alpha = if value == 0.0 { 0 } else { (settings.opacity.clamp(0.0, 1.0) * ramp * 255.0).round() as u8 };
    // Transparent texels keep their colour, so filtering between samples never darkens edges.
    [c.r, c.g, c.b, alpha]
}

/// The difference scale at `f` in −1..1: RdBu, Axis (positive) red, Allies (negative) blue,
/// through its pale middle where both teams killed as much, with no step at zero.
fn diverging(f: f32) -> colorous::Color {
    colorous::RED_BLUE.eval_continuous(f64::from(0.5 - 0.46 * f.clamp(-1.0, 1.0)))
}

/// Kills from the heatmap file when the round has no positions (seed files without a positions
/// file): one point per kill at its cell's centre, whole round only.
fn points_from_heatmap_file(timeline: &Timeline) -> Vec<KillPoint> {
    let round = timeline.round();
    let cell = round.grid_size_units() as f32;
    let mut points = Vec::new();
    for c in &round.heatmap {
        let pos = Vec2::new((c.grid_x as f32 + 0.5) * cell, (c.grid_y as f32 + 0.5) * cell);
        for (team, n) in [(Team::Axis, c.axis_kills), (Team::Allies, c.allies_kills)] {
            points.extend((0..n).map(|_| KillPoint::at(pos, Some(team))));
        }
    }
    points
}

/// The kills the layer counts, and a note when they come from the heatmap file.
pub fn layer_points(timeline: &Timeline, settings: &HeatSettings, cursor_ms: u32) -> (Vec<KillPoint>, Option<String>) {
    let round = timeline.round();
    if round.position_count() == 0 && timeline.kills().iter().all(|k| k.pos.is_none()) && !round.heatmap.is_empty() {
        let points = points_from_heatmap_file(timeline)
            .into_iter()
            .filter(|p| match (settings.difference, settings.team) {
                (true, _) | (false, TeamSelection::Both) => true,
                (false, TeamSelection::Axis) => p.killer_team == Some(Team::Axis),
                (false, TeamSelection::Allies) => p.killer_team == Some(Team::Allies),
            })
            .collect();
        let mut note =
            "no positions in this round: cells from the heatmap file (whole round, no player filter".to_owned();
        if !settings.weapons.is_empty() || settings.near_objectives_s.is_some() || settings.place == KillPlace::Killer {
            note.push_str(", no weapon or objective filter, victims' cells");
        }
        note.push(')');
        return (points, Some(note));
    }
    (kill_points(timeline, &settings.filter(cursor_ms)), None)
}

/// The world rectangle the layer covers: the round's extent (positions and heatmap cells) with
/// a margin.
pub fn layer_bounds(timeline: &Timeline, margin: f32) -> (Vec2, Vec2) {
    let (min, max) = timeline.bounds();
    (min - Vec2::splat(margin), max + Vec2::splat(margin))
}

/// Builds the layer at replay time `cursor_ms`; a density is sampled with at most `max_px`
/// pixels along its longer side.
pub fn build_layer(timeline: &Timeline, settings: &HeatSettings, cursor_ms: u32, max_px: usize) -> HeatLayer {
    build_layer_scaled(timeline, settings, cursor_ms, max_px, 0.0)
}

/// [`build_layer`] with a scale that reaches at least `at_least`.
fn build_layer_scaled(
    timeline: &Timeline,
    settings: &HeatSettings,
    cursor_ms: u32,
    max_px: usize,
    at_least: f32,
) -> HeatLayer {
    let (points, note) = layer_points(timeline, settings, cursor_ms);
    // The points are already those of the chosen team; a difference weighs Axis +1, Allies −1.
    let weighted: Vec<(Vec2, f32)> = points
        .iter()
        .map(|p| {
            let v = if settings.difference {
                match p.killer_team {
                    Some(Team::Axis) => 1.0,
                    Some(Team::Allies) => -1.0,
                    _ => 0.0,
                }
            } else {
                1.0
            };
            (p.pos, v)
        })
        .collect();
    let cell = settings.cell_units.filter(|&c| c > 0).unwrap_or_else(|| timeline.round().grid_size_units());
    let area = Area { bounds: timeline.bounds(), cell: cell as f32, kills: points.len(), note, at_least };
    draw_layer(&weighted, area, settings, max_px)
}

/// Where a layer is drawn and what it counts.
struct Area {
    /// The rectangle it covers at least.
    bounds: (Vec2, Vec2),
    /// Grid cell size.
    cell: f32,
    /// Kills counted.
    kills: usize,
    /// Something to tell.
    note: Option<String>,
    /// The least top of the scale (a shared scale); 0 for the layer's own.
    at_least: f32,
}

/// The Axis − Allies density's pixels: the colour from who killed there (the difference over
/// the density of every kill: +1 only Axis, 0 as many each, −1 only Allies), the opacity from
/// how many kills there are at all. Where red meets blue the colour passes through the scale's
/// pale middle at the opacity of the fighting there, so a front line never shows as a
/// transparent (dark) seam, and a lone kill is as red or blue as a cluster, only fainter.
fn difference_rgba(
    points: &[(Vec2, f32)],
    diff: &proxviz_data::heatmap::Raster,
    settings: &HeatSettings,
    (min, max, step, radius): (Vec2, Vec2, f32, f32),
) -> Vec<u8> {
    let all: Vec<(Vec2, f32)> = points.iter().map(|&(p, w)| (p, w.abs())).collect();
    let total = kde_weighted(&all, min, max, step, radius);
    let top_total = total.values.iter().fold(0.0f32, |m, v| m.max(*v));
    let (width, height) = (diff.width, diff.height);
    let mut rgba = vec![0u8; width * height * 4];
    if top_total <= 0.0 {
        return rgba;
    }
    let opacity = settings.opacity.clamp(0.0, 1.0);
    for (row, out) in rgba.chunks_exact_mut(width * 4).enumerate() {
        let at = (height - 1 - row) * width;
        let (d, t) = (&diff.values[at..][..width], &total.values[at..][..width]);
        for ((&d, &t), px) in d.iter().zip(t).zip(out.chunks_exact_mut(4)) {
            // Who killed here: the Axis share minus the Allied share of the kills nearby.
            let f = if t > 0.0 { d / t } else { 0.0 };
            let c = diverging(f);
            // The same fade towards nothing as the one-team density, over all kills.
            let strength = if top_total > 0.0 { (t / top_total / 0.2).clamp(0.0, 1.0) } else { 0.0 };
            px.copy_from_slice(&[c.r, c.g, c.b, (opacity * strength * 255.0).round() as u8]);
        }
    }
    rgba
}

/// Most grid cells along one side of a layer: a smaller cell (`--cell 1`) over a big area is
/// widened to fit, with a note.
pub const MAX_GRID_SIDE: f32 = 4096.0;

/// Grid cells or a density of weighted points (each adds its weight: kills, or Axis − Allies).
/// What is drawn is bounded by the world (±[`WORLD_LIMIT`] units: a kill beyond it is left
/// out, with a note) and by [`MAX_GRID_SIDE`] cells a side, whatever the files say.
fn draw_layer(points: &[(Vec2, f32)], mut area: Area, settings: &HeatSettings, max_px: usize) -> HeatLayer {
    let inside: Vec<(Vec2, f32)> = points.iter().copied().filter(|(p, _)| in_world(p.x) && in_world(p.y)).collect();
    let mut notes: Vec<String> = area.note.take().into_iter().collect();
    if inside.len() < points.len() {
        notes.push(format!("{} kills beyond ±{WORLD_LIMIT} units left out", points.len() - inside.len()));
    }
    let clamp = |v: Vec2| v.clamp(Vec2::splat(-WORLD_LIMIT), Vec2::splat(WORLD_LIMIT));
    let (lo, hi) = (clamp(area.bounds.0), clamp(area.bounds.1));
    area.bounds = (lo, hi.max(lo));
    let widest = (area.bounds.1 - area.bounds.0).max_element();
    if settings.mode == HeatMode::Grid && widest / area.cell.max(1.0) > MAX_GRID_SIDE {
        let wider = (widest / MAX_GRID_SIDE).ceil();
        notes.push(format!(
            "cells of {} units would be more than {MAX_GRID_SIDE} a side: drawn {wider} units wide",
            area.cell
        ));
        area.cell = wider;
    }
    area.note = (!notes.is_empty()).then(|| notes.join("; "));
    match settings.mode {
        HeatMode::Grid => grid_layer(&inside, area, settings),
        HeatMode::Kde => kde_layer(&inside, area, settings, max_px.max(16)),
    }
}

fn grid_layer(points: &[(Vec2, f32)], area: Area, settings: &HeatSettings) -> HeatLayer {
    let cell = area.cell.max(1.0);
    let (lo, hi) = area.bounds;
    let mut counts: HashMap<(i32, i32), f32> = HashMap::new();
    for &(pos, v) in points {
        *counts.entry(cell_of(pos, cell)).or_default() += v;
    }
    // The cells the area spans (a bound on a cell edge closes that cell), plus any counted.
    let (mut x0, mut y0) = ((lo.x / cell).floor() as i32, (lo.y / cell).floor() as i32);
    let (mut x1, mut y1) = (((hi.x / cell).ceil() as i32 - 1).max(x0), ((hi.y / cell).ceil() as i32 - 1).max(y0));
    for &(gx, gy) in counts.keys() {
        (x0, x1, y0, y1) = (x0.min(gx), x1.max(gx), y0.min(gy), y1.max(gy));
    }
    let (width, height) = ((x1 - x0 + 1) as usize, (y1 - y0 + 1) as usize);
    let top = counts.values().fold(area.at_least, |m, v| m.max(v.abs()));
    let mut rgba = vec![0u8; width * height * 4];
    for (&(gx, gy), &v) in &counts {
        let (col, row) = ((gx - x0) as usize, (y1 - gy) as usize);
        rgba[(row * width + col) * 4..][..4].copy_from_slice(&colour(settings, v, top));
    }
    HeatLayer {
        width,
        height,
        rgba,
        min: Vec2::new(x0 as f32, y0 as f32) * cell,
        max: Vec2::new((x1 + 1) as f32, (y1 + 1) as f32) * cell,
        hi: top,
        diverging: settings.difference,
        kills: area.kills,
        note: area.note,
        unit: "kills per cell",
        sides: None,
    }
}

fn kde_layer(points: &[(Vec2, f32)], area: Area, settings: &HeatSettings, max_px: usize) -> HeatLayer {
    let radius = settings.radius_units.max(1.0);
    let (min, max) = (area.bounds.0 - Vec2::splat(3.0 * radius), area.bounds.1 + Vec2::splat(3.0 * radius));
    // A Gaussian has nothing finer than a fraction of its radius: sampling it every eighth of
    // a radius and letting the texture filter between samples looks the same at any size.
    let step = ((max - min).max_element() / (max_px - 1) as f32).max(radius / 8.0).max(1.0);
    let points: Vec<(Vec2, f32)> = points.iter().copied().filter(|&(_, w)| w != 0.0).collect();
    let raster = kde_weighted(&points, min, max, step, radius);
    let top = raster.values.iter().fold(area.at_least, |m, v| m.max(v.abs()));
    let (width, height) = (raster.width, raster.height);
    let (rgba, hi, unit) = if settings.difference {
        (difference_rgba(&points, &raster, settings, (min, max, step, radius)), 1.0, "share of kills nearby")
    } else {
        (sequential_rgba(&raster, top, settings), top, "kills nearby")
    };
    // Sample centres span min..min + (n−1)·step; the image's edges sit half a step outside.
    let half = Vec2::splat(step / 2.0);
    let far = min + Vec2::new((width - 1) as f32, (height - 1) as f32) * step;
    HeatLayer {
        width,
        height,
        rgba,
        min: min - half,
        max: far + half,
        hi,
        diverging: settings.difference,
        kills: area.kills,
        note: area.note,
        unit,
        sides: None,
    }
}

/// A one-team density's pixels on the sequential scale, through a lookup table over −top..top:
/// millions of samples, a few hundred distinct colours.
fn sequential_rgba(raster: &proxviz_data::heatmap::Raster, top: f32, settings: &HeatSettings) -> Vec<u8> {
    const STEPS: usize = 1024;
    let (width, height) = (raster.width, raster.height);
    let lut: Vec<[u8; 4]> =
        (0..=2 * STEPS).map(|i| colour(settings, (i as f32 - STEPS as f32) / STEPS as f32 * top, top)).collect();
    let to_index = if top > 0.0 { STEPS as f32 / top } else { 0.0 };
    let mut rgba = vec![0u8; width * height * 4];
    for (row, out) in rgba.chunks_exact_mut(width * 4).enumerate() {
        let src = &raster.values[(height - 1 - row) * width..][..width];
        for (&v, px) in src.iter().zip(out.chunks_exact_mut(4)) {
            let i = (v * to_index).round() as isize + STEPS as isize;
            px.copy_from_slice(&lut[i.clamp(0, 2 * STEPS as isize) as usize]);
        }
    }
    rgba
}

/// Legend stops from low to high: `n` (value, colour) pairs spanning the layer's scale.
pub fn legend_stops(settings: &HeatSettings, layer: &HeatLayer, n: usize) -> Vec<(f32, [u8; 4])> {
    let n = n.max(2);
    let lo = if layer.diverging { -layer.hi } else { 0.0 };
    (0..n)
        .map(|i| {
            let v = lo + (layer.hi - lo) * i as f32 / (n - 1) as f32;
            // The legend shows the colours at full opacity, including zero's neighbourhood.
            let mut solid = settings.clone();
            solid.opacity = 1.0;
            solid.mode = HeatMode::Grid;
            let c =
                if v == 0.0 { colour(&solid, 1e-6 * layer.hi.max(1.0), layer.hi) } else { colour(&solid, v, layer.hi) };
            (v, c)
        })
        .collect()
}

mod several;
pub use several::{
    SEASON_MARGIN_UNITS, build_compare_layer, build_season_layer, build_shared_scale_layer, season_bounds,
    season_cell_units,
};

#[cfg(test)]
mod tests;
