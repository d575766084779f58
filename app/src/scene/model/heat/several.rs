//! Layers over more than one round: a stopwatch pair side by side on one scale, the
//! difference of a pair, and a season of many rounds of one map.

use glam::Vec2;
use proxviz_data::Timeline;
use proxviz_data::season::Season;

use super::{Area, HeatLayer, HeatSettings, build_layer, build_layer_scaled, draw_layer, layer_points};

/// One half of a stopwatch pair shown side by side: `this` round's layer on a scale that spans
/// `other`'s too, so a colour means the same count in both halves.
pub fn build_shared_scale_layer(
    this: &Timeline,
    other: &Timeline,
    settings: &HeatSettings,
    cursor_ms: u32,
    max_px: usize,
) -> HeatLayer {
    let other_hi = build_layer(other, settings, cursor_ms, max_px).hi;
    build_layer_scaled(this, settings, cursor_ms, max_px, other_hi)
}

/// The difference of two rounds' kills (a stopwatch pair): `this` round's +1, `other`'s −1, each
/// counted with `settings`' filters at the same time since its start, on the diverging scale
/// labelled `sides` (`round 2 − round 1`).
pub fn build_compare_layer(
    this: &Timeline,
    other: &Timeline,
    settings: &HeatSettings,
    cursor_ms: u32,
    max_px: usize,
    sides: String,
) -> HeatLayer {
    let one_team = HeatSettings { difference: false, ..settings.clone() };
    let (mine, note_a) = layer_points(this, &one_team, cursor_ms);
    let (theirs, note_b) = layer_points(other, &one_team, cursor_ms);
    let weighted: Vec<(Vec2, f32)> =
        mine.iter().map(|p| (p.pos, 1.0)).chain(theirs.iter().map(|p| (p.pos, -1.0))).collect();
    let cell = settings.cell_units.filter(|&c| c > 0).unwrap_or_else(|| this.round().grid_size_units());
    let (a, b) = (this.bounds(), other.bounds());
    let area = Area {
        bounds: (a.0.min(b.0), a.1.max(b.1)),
        cell: cell as f32,
        kills: weighted.len(),
        note: note_a.or(note_b),
        at_least: 0.0,
    };
    let mut layer = draw_layer(&weighted, area, &HeatSettings { difference: true, ..settings.clone() }, max_px);
    layer.sides = Some(sides);
    layer
}

/// The grid cell size a season draws with for these settings (whole base cells).
pub fn season_cell_units(settings: &HeatSettings) -> u32 {
    Season::grid_units(settings.cell_units.filter(|&c| c > 0).unwrap_or(proxviz_data::model::DEFAULT_GRID_SIZE_UNITS))
}

/// The layer of a season (many rounds of one map, per base cell), over at least `around` (the
/// open round's extent); the team, difference, mode, cell, radius and colours of `settings`
/// apply, its round-only filters (players by slot, time window) do not.
pub fn build_season_layer(season: &Season, around: (Vec2, Vec2), settings: &HeatSettings, max_px: usize) -> HeatLayer {
    let weighted: Vec<(Vec2, f32)> = season
        .cells
        .iter()
        .filter_map(|c| {
            let v = if settings.difference { c.axis as f32 - c.allies as f32 } else { c.count(settings.team) as f32 };
            (v != 0.0).then(|| (c.centre(), v))
        })
        .collect();
    let kills = season
        .cells
        .iter()
        .map(|c| if settings.difference { c.axis + c.allies } else { c.count(settings.team) })
        .sum::<u64>();
    let bounds = season_bounds(season, around);
    let weighted: Vec<(Vec2, f32)> =
        weighted.into_iter().filter(|(p, _)| p.cmpge(bounds.0).all() && p.cmple(bounds.1).all()).collect();
    let note = (season.rounds == 0).then(|| "no rounds of this map match the season's filters".to_owned());
    let area = Area {
        bounds,
        cell: season_cell_units(settings) as f32,
        kills: usize::try_from(kills).unwrap_or(usize::MAX),
        note,
        at_least: 0.0,
    };
    draw_layer(&weighted, area, settings, max_px)
}

/// How far beyond the open round's extent a season is drawn: kills farther out are a broken
/// file's, and must not blow the layer up to the size of the world.
pub const SEASON_MARGIN_UNITS: f32 = 4096.0;

/// The rectangle a season is drawn over: its cells and the open round's extent `around`,
/// at most [`SEASON_MARGIN_UNITS`] beyond that extent.
pub fn season_bounds(season: &Season, around: (Vec2, Vec2)) -> (Vec2, Vec2) {
    let (lo, hi) = season.bounds().map_or(around, |(lo, hi)| (around.0.min(lo), around.1.max(hi)));
    let margin = Vec2::splat(SEASON_MARGIN_UNITS);
    (lo.max(around.0 - margin), hi.min(around.1 + margin))
}
