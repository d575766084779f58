//! A picture of the scene as data: the size, layers, filters, time and area of an image, as the
//! window's Export sends it to `proxviz export` and as every exported PNG records it.

use glam::Vec2;
use serde::{Deserialize, Serialize};

use super::model::backdrop::BackdropSettings;
use super::model::heat::HeatSettings;

/// How an image is made. Recorded in the PNG.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExportSettings {
    /// Pixels along the longer side.
    pub size: u32,
    /// Heatmap, engagement markers and paths.
    pub heat: HeatSettings,
    /// The map under it all.
    pub backdrop: BackdropSettings,
    /// Players at `time_ms` (markers, view direction, trails, death marks).
    pub players: bool,
    /// Player names next to their markers.
    pub names: bool,
    /// Trail length when players are drawn.
    pub trail_secs: f32,
    /// Replay time for cursor-relative filters and players; `None`: the end of the round.
    pub time_ms: Option<u32>,
    /// World rectangle `[min_x, min_y, max_x, max_y]`; `None`: the whole round.
    pub view: Option<[f32; 4]>,
    /// Transparent background (the title and legend keep their backing).
    pub transparent: bool,
    /// Title (map, round, date, filters).
    pub title: bool,
    /// Legend (scale, engagement types).
    pub legend: bool,
    /// Draw the season of the round's map with these filters instead of the round's kills.
    pub season: Option<proxviz_data::season::SeasonFilter>,
}

impl Default for ExportSettings {
    fn default() -> Self {
        Self {
            size: 2048,
            heat: HeatSettings {
                show: true,
                engagements: true,
                engagements_whole_round: true,
                paths: true,
                ..HeatSettings::default()
            },
            backdrop: BackdropSettings::default(),
            players: false,
            names: true,
            trail_secs: 10.0,
            time_ms: None,
            view: None,
            transparent: false,
            title: true,
            legend: true,
            season: None,
        }
    }
}

/// Export sizes the window offers.
pub const SIZES: [u32; 5] = [1024, 2048, 4096, 6144, 8192];

/// Smallest and largest size accepted.
pub const SIZE_RANGE: std::ops::RangeInclusive<u32> = 256..=8192;

/// The pixel size of an export of the world rectangle `min..max` whose longer side is `size`.
pub fn image_size(min: Vec2, max: Vec2, size: u32) -> (u32, u32) {
    let extent = (max - min).max(Vec2::splat(1.0));
    let size = size.clamp(*SIZE_RANGE.start(), *SIZE_RANGE.end()) as f32;
    if extent.x >= extent.y {
        (size as u32, ((size * extent.y / extent.x).round() as u32).max(64))
    } else {
        (((size * extent.x / extent.y).round() as u32).max(64), size as u32)
    }
}

/// "supply · round 1 · 2025-12-20 20:00".
pub fn title_of(round: &proxviz_data::Round) -> String {
    let mut parts = vec![round.map().unwrap_or("unknown map").to_owned()];
    if let Some(n) = round.round_number() {
        parts.push(format!("round {n}"));
    }
    if let Some(d) = round.name.date {
        let time = round.name.start_time.map(|t| t.format(" %H:%M").to_string()).unwrap_or_default();
        parts.push(format!("{d}{time}"));
    }
    parts.join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longer_side_gets_the_size_and_the_other_keeps_the_aspect() {
        assert_eq!(image_size(Vec2::ZERO, Vec2::new(4000.0, 2000.0), 2048), (2048, 1024));
        assert_eq!(image_size(Vec2::ZERO, Vec2::new(1000.0, 3000.0), 3000), (1000, 3000));
        assert_eq!(image_size(Vec2::ZERO, Vec2::new(10.0, 10.0), 99_999), (8192, 8192));
    }
}
