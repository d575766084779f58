//! How the map is shown, shared by the window and the export: which player layers are on, who
//! is hidden or followed, the size of lines and markers relative to the picture, the background
//! colour and the camera that looks at the map.

use bevy::prelude::*;

use super::model::present::Hidden;

/// How the map is shown; kept when switching rounds.
#[derive(Resource, Debug, Clone, PartialEq)]
pub struct ViewSettings {
    /// Name labels.
    pub names: bool,
    /// Players (markers, view direction, trails, death marks).
    pub players: bool,
    /// Trails.
    pub trails: bool,
    /// Trail length.
    pub trail_secs: f32,
    /// The seed's heatmap grid as a guide.
    pub heat_grid: bool,
    /// Players and teams not drawn.
    pub hidden: Hidden,
    /// The player the camera follows.
    pub follow: Option<u16>,
}

impl Default for ViewSettings {
    fn default() -> Self {
        Self {
            names: true,
            players: true,
            trails: true,
            trail_secs: 10.0,
            heat_grid: false,
            hidden: Hidden::default(),
            follow: None,
        }
    }
}

/// Drawing sizes relative to the window: 1 on screen, larger for big exports, so lines and
/// markers keep their look at any resolution.
#[derive(Resource, Debug, Clone, Copy, PartialEq)]
pub struct DrawScale(pub f32);

impl Default for DrawScale {
    fn default() -> Self {
        Self(1.0)
    }
}

/// The camera looking at the map (world units, +x east, +y north).
#[derive(Component, Debug, Clone, Copy, Default)]
pub struct MapCamera;

/// The map's background, on screen and in exports.
pub const BACKGROUND: Color = Color::srgb(0.09, 0.10, 0.11);

/// World units per logical pixel of the map camera (1 when it has no orthographic projection).
pub fn units_per_px(projection: &Projection) -> f32 {
    match projection {
        Projection::Orthographic(ortho) => ortho.scale,
        _ => 1.0,
    }
}
