//! The map under the replay, as data: which backdrop to show (the command-map image from the
//! user's game install, or a silhouette drawn from where players walked, or none), how bright
//! and opaque, and the silhouette itself — the walkable area traced by every recorded position,
//! as a soft mask, so the corridors of a map appear even without a game install.

use glam::Vec2;
use serde::{Deserialize, Serialize};

/// Which backdrop the map shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum BackdropMode {
    /// The command-map image when one is found, else the silhouette.
    #[default]
    Auto,
    /// Only the command-map image.
    Image,
    /// Only the silhouette.
    Silhouette,
    /// Nothing under the replay.
    None,
}

impl BackdropMode {
    /// Every mode, for menus.
    pub const ALL: [Self; 4] = [Self::Auto, Self::Image, Self::Silhouette, Self::None];

    /// Its name, as the command line spells it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Image => "image",
            Self::Silhouette => "silhouette",
            Self::None => "none",
        }
    }

    /// Whether the silhouette is drawn when `have_image` says whether an image was found.
    pub fn shows_silhouette(self, have_image: bool) -> bool {
        match self {
            Self::Auto => !have_image,
            Self::Silhouette => true,
            Self::Image | Self::None => false,
        }
    }
}

/// How the backdrop is drawn. Recorded in exported PNGs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BackdropSettings {
    /// Which backdrop.
    pub mode: BackdropMode,
    /// 0 (invisible) to 1.
    pub opacity: f32,
    /// Multiplies its colours: 1 as it is, less darker, more brighter (up to 2).
    pub brightness: f32,
    /// Spawn points and objectives from the map's BSP, as small labelled marks.
    pub marks: bool,
    /// The silhouette over the command map too (to check at a glance that they line up).
    pub silhouette_over_image: bool,
    /// On maps with floors: the floor shown; `None` follows the followed player (else the
    /// ground floor).
    pub floor: Option<usize>,
}

impl Default for BackdropSettings {
    fn default() -> Self {
        Self {
            mode: BackdropMode::Auto,
            opacity: 1.0,
            brightness: 1.0,
            marks: false,
            silhouette_over_image: false,
            floor: None,
        }
    }
}

impl BackdropSettings {
    /// Whether the silhouette is drawn when `have_image` says whether a command map is shown.
    pub fn shows_silhouette(&self, have_image: bool) -> bool {
        self.mode.shows_silhouette(have_image) || (have_image && self.silhouette_over_image)
    }
}

/// What a map mark is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkKind {
    /// Where a team spawns.
    Spawn,
    /// Something to build, destroy or take.
    Objective,
}

/// A spawn point or objective of the map, as the map shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct MapMark {
    /// What it is.
    pub kind: MarkKind,
    /// Where (x, y).
    pub pos: Vec2,
    /// What it is: "Axis spawn", "Allied spawn" or the objective's name.
    pub label: String,
    /// Its colour (team colours for spawns, gold for objectives).
    pub rgb: [f32; 3],
}

/// The marks of a map's spawn points (one per spawn area: nearby points are one mark) and
/// objectives with a place.
pub fn map_marks(info: &proxviz_data::gamedata::MapInfo) -> Vec<MapMark> {
    use proxviz_data::Team;
    let mut marks: Vec<MapMark> = Vec::new();
    for (team, origin) in &info.spawns {
        let label = match team {
            Team::Axis => "Axis spawn",
            _ => "Allied spawn",
        };
        let pos = origin.truncate();
        // A spawn area has a dozen points side by side: one mark for them.
        if marks.iter().any(|m| m.label == label && m.pos.distance(pos) < 400.0) {
            continue;
        }
        marks.push(MapMark {
            kind: MarkKind::Spawn,
            pos,
            label: label.to_owned(),
            rgb: super::present::team_rgb(Some(*team)),
        });
    }
    for (name, origin) in &info.objectives {
        if let Some(o) = origin {
            marks.push(MapMark {
                kind: MarkKind::Objective,
                pos: o.truncate(),
                label: name.clone(),
                rgb: [0.95, 0.78, 0.25],
            });
        }
    }
    marks
}

/// A straight-alpha RGBA image over a world rectangle, row 0 at the top (north).
#[derive(Debug, Clone, PartialEq)]
pub struct WorldImage {
    /// Pixels across.
    pub width: usize,
    /// Pixels down.
    pub height: usize,
    /// Row-major RGBA.
    pub rgba: Vec<u8>,
    /// World corner at the bottom-left (south-west).
    pub min: Vec2,
    /// World corner at the top-right (north-east).
    pub max: Vec2,
}

/// Longest side of a silhouette, in cells: fine enough for corridors, bounded whatever the
/// positions say.
pub const SILHOUETTE_MAX_PX: usize = 1024;

/// Smallest silhouette cell in world units (a player is about 32 units wide).
pub const SILHOUETTE_MIN_CELL: f32 = 16.0;

/// How far from a recorded position the floor is assumed to reach, in world units.
pub const SILHOUETTE_REACH: f32 = 56.0;

/// Longest gap between two samples that still counts as one walk (the tracker samples every
/// 0.2–2 s; a longer gap is a player who left, died or was not recorded).
pub const MAX_STEP_MS: u32 = 3_000;

/// Whether a player could have walked from `a` to `b` in `dt_ms` (faster than any player
/// moves is a respawn or a teleport, and a long gap is not a walk either).
pub fn walkable_step(a: Vec2, b: Vec2, dt_ms: u32) -> bool {
    dt_ms <= MAX_STEP_MS && a.distance(b) <= 80.0 + dt_ms as f32 * 1.2
}

/// The walkable area along `steps` (from, to: each a stretch a player walked, or one spot
/// twice) within `min..max` (which must hold them): cells a player stood in or passed near
/// are filled with a pale floor colour, fading at the edges.
pub fn silhouette(steps: impl Iterator<Item = (Vec2, Vec2)>, min: Vec2, max: Vec2) -> WorldImage {
    // Far beyond any map (ET's world is ±65536): clamped, so sizes stay finite.
    const LIMIT: f32 = 1.0e7;
    let margin = Vec2::splat(SILHOUETTE_REACH * 2.0);
    let (min, max) = (
        (min - margin).clamp(Vec2::splat(-LIMIT), Vec2::splat(LIMIT)),
        (max + margin).clamp(Vec2::splat(-LIMIT), Vec2::splat(LIMIT)),
    );
    let extent = (max - min).max(Vec2::splat(1.0));
    let cell = (extent.max_element() / SILHOUETTE_MAX_PX as f32).max(SILHOUETTE_MIN_CELL);
    let width = ((extent.x / cell).ceil() as usize).clamp(1, SILHOUETTE_MAX_PX);
    let height = ((extent.y / cell).ceil() as usize).clamp(1, SILHOUETTE_MAX_PX);
    let mut seen = vec![0.0f32; width * height];
    let mut mark = |p: Vec2| {
        let c = (p - min) / cell;
        if c.x >= 0.0 && c.y >= 0.0 {
            let (x, y) = (c.x as usize, c.y as usize);
            if x < width && y < height {
                seen[y * width + x] = 1.0;
            }
        }
    };
    for (a, b) in steps {
        // Every half cell along the step (a step longer than the image is cut short).
        let n = ((a.distance(b) / cell * 2.0).ceil() as usize).min(2 * SILHOUETTE_MAX_PX);
        for i in 0..=n {
            mark(a.lerp(b, if n == 0 { 0.0 } else { i as f32 / n as f32 }));
        }
    }
    // Spread each visited cell over the reach with a separable box blur of half the reach,
    // twice (a soft tent that ends at the reach).
    let radius = ((SILHOUETTE_REACH / cell / 2.0).round() as usize).max(1);
    let blurred = box_blur(&box_blur(&seen, width, height, radius), width, height, radius);
    let mut rgba = vec![0u8; width * height * 4];
    for row in 0..height {
        // Row 0 of the image is the north edge: the last raster row.
        let src = &blurred[(height - 1 - row) * width..][..width];
        for (col, &v) in src.iter().enumerate() {
            // Even a little coverage is floor; the edge fades over the blur.
            let a = (v * 6.0).clamp(0.0, 1.0);
            let px = &mut rgba[(row * width + col) * 4..][..4];
            px.copy_from_slice(&[120, 128, 136, (a * 110.0).round() as u8]);
        }
    }
    let max = min + Vec2::new(width as f32, height as f32) * cell;
    WorldImage { width, height, rgba, min, max }
}

/// Mean over a square of side 2·radius+1 around each cell (edges count as empty).
fn box_blur(values: &[f32], width: usize, height: usize, radius: usize) -> Vec<f32> {
    let norm = 1.0 / (2 * radius + 1) as f32;
    let mut rows = vec![0.0f32; values.len()];
    for y in 0..height {
        let row = &values[y * width..][..width];
        let mut sum: f32 = row[..radius.min(width)].iter().sum();
        for x in 0..width {
            if x + radius < width {
                sum += row[x + radius];
            }
            rows[y * width + x] = sum * norm;
            if x >= radius {
                sum -= row[x - radius];
            }
        }
    }
    let mut out = vec![0.0f32; values.len()];
    for x in 0..width {
        let mut sum: f32 = (0..radius.min(height)).map(|y| rows[y * width + x]).sum();
        for y in 0..height {
            if y + radius < height {
                sum += rows[(y + radius) * width + x];
            }
            out[y * width + x] = sum * norm;
            if y >= radius {
                sum -= rows[(y - radius) * width + x];
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alpha_at(img: &WorldImage, p: Vec2) -> u8 {
        let f = (p - img.min) / (img.max - img.min);
        let col = ((f.x * img.width as f32) as usize).min(img.width - 1);
        let row = (((1.0 - f.y) * img.height as f32) as usize).min(img.height - 1);
        img.rgba[(row * img.width + col) * 4 + 3]
    }

    #[test]
    fn a_corridor_walked_along_is_floor_and_the_rest_is_not() {
        // Players walked east along y = 0 from x = 0 to 2000 (samples 200 units apart), and
        // stood at (1000, 1500).
        let walk = (0..10).map(|i| (Vec2::new(i as f32 * 200.0, 0.0), Vec2::new((i + 1) as f32 * 200.0, 0.0)));
        let spot = Vec2::new(1000.0, 1500.0);
        let img = silhouette(walk.chain([(spot, spot)]), Vec2::new(0.0, 0.0), Vec2::new(2000.0, 1500.0));
        assert!(img.width <= SILHOUETTE_MAX_PX && img.height <= SILHOUETTE_MAX_PX);
        for x in [100.0, 1000.0, 1900.0] {
            assert!(alpha_at(&img, Vec2::new(x, 0.0)) > 80, "on the corridor at {x}, between samples too");
        }
        assert!(alpha_at(&img, Vec2::new(1000.0, 20.0)) > 60, "beside it, within a player's reach");
        assert_eq!(alpha_at(&img, Vec2::new(1000.0, 600.0)), 0, "far from any position");
        assert!(alpha_at(&img, Vec2::new(1000.0, 1500.0)) > 0, "a single spot still shows");
    }

    #[test]
    fn a_huge_spread_of_positions_keeps_the_image_bounded() {
        let far = [
            (Vec2::new(-3.0e38, -3.0e38), Vec2::new(3.0e38, 3.0e38)),
            (Vec2::new(-3.0e9, -3.0e9), Vec2::new(3.0e9, 3.0e9)),
            (Vec2::new(f32::NAN, 0.0), Vec2::ZERO),
            (Vec2::ZERO, Vec2::new(f32::INFINITY, 0.0)),
        ];
        let img = silhouette(far.into_iter(), Vec2::splat(-3.0e38), Vec2::splat(3.0e38));
        assert!(img.width <= SILHOUETTE_MAX_PX && img.height <= SILHOUETTE_MAX_PX);
        assert!(img.min.is_finite() && img.max.is_finite(), "{:?}..{:?}", img.min, img.max);
        assert_eq!(img.rgba.len(), img.width * img.height * 4);
    }

    #[test]
    fn a_spawn_area_is_one_mark_and_objectives_keep_their_names() {
        use glam::Vec3;
        use proxviz_data::Team;
        let info = proxviz_data::gamedata::MapInfo {
            spawns: vec![
                (Team::Axis, Vec3::new(0.0, 0.0, 0.0)),
                (Team::Axis, Vec3::new(40.0, 0.0, 0.0)),
                (Team::Allies, Vec3::new(3000.0, 0.0, 0.0)),
            ],
            objectives: vec![("the Gold".into(), Some(Vec3::new(500.0, 500.0, 0.0))), ("nowhere".into(), None)],
            ..Default::default()
        };
        let labels: Vec<String> = map_marks(&info).into_iter().map(|m| m.label).collect();
        assert_eq!(labels, ["Axis spawn", "Allied spawn", "the Gold"]);
    }

    #[test]
    fn a_respawn_is_not_a_step() {
        assert!(walkable_step(Vec2::ZERO, Vec2::new(150.0, 0.0), 500));
        assert!(!walkable_step(Vec2::ZERO, Vec2::new(3000.0, 0.0), 500));
        assert!(!walkable_step(Vec2::ZERO, Vec2::new(3000.0, 0.0), 60_000), "away for a minute");
    }

    #[test]
    fn auto_shows_the_silhouette_only_without_an_image() {
        assert!(BackdropMode::Auto.shows_silhouette(false));
        assert!(!BackdropMode::Auto.shows_silhouette(true));
        assert!(BackdropMode::Silhouette.shows_silhouette(true));
        assert!(!BackdropMode::None.shows_silhouette(false));
    }
}
