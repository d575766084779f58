//! The backdrop, the bottom layer of the map: the command-map image of the replayed round's map
//! from the user's game install ([`CommandMaps`], placed by its calibration), and where there is
//! none (or when asked) a silhouette of where the players of this map walked (this round and
//! the other open rounds of the same map), drawn as a soft pale mask; both with the user's
//! brightness and opacity. Rebuilt only when the map, its image or the open rounds change.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bevy::asset::RenderAssetUsages;
use bevy::image::ImageSampler;
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat};

use proxviz_data::gamedata::{Calibration, MapAssets, Pk3Index, RgbaImage, layer_of};

use super::clock::Clock;
use super::frame::Frame;
use super::library::{Library, RoundKey};
use super::model::backdrop::{
    BackdropMode, BackdropSettings, MapMark, MarkKind, WorldImage, map_marks, silhouette, walkable_step,
};
use super::view::{DrawScale, MapCamera, ViewSettings, units_per_px};

/// The backdrop settings in use.
#[derive(Resource, Debug, Clone, Copy, Default, PartialEq, Deref, DerefMut)]
pub struct Backdrop(pub BackdropSettings);

/// Command-map images found in the game folders, by lower-case map name, placed in the world;
/// and what the search found and did not (for the window to say).
#[derive(Resource, Debug, Clone, Default)]
pub struct CommandMaps {
    /// The images, by lower-case map name.
    pub images: BTreeMap<String, Arc<WorldImage>>,
    /// Spawn points and objectives, by lower-case map name.
    pub marks: BTreeMap<String, Vec<MapMark>>,
    /// Floors of layered maps, by lower-case map name.
    pub floors: BTreeMap<String, Floors>,
    /// Images found without a calibration, for the user to place, by lower-case map name.
    pub unplaced: BTreeMap<String, Arc<RgbaImage>>,
    /// Folders searched, archives indexed, fallbacks, problems.
    pub notes: Vec<String>,
    /// Whether a search is still running.
    pub searching: bool,
}

impl CommandMaps {
    /// The distinct map names of `rounds`, sorted: what a search is for.
    pub fn maps_of<'a>(maps: impl Iterator<Item = Option<&'a str>>) -> Vec<String> {
        let mut names: Vec<String> = maps.flatten().map(str::to_owned).collect();
        names.sort();
        names.dedup();
        names
    }

    /// Searches the pk3s of `folders` for the command maps of `maps` (slow the first time: it
    /// reads archives; run it off the main thread). The archives' listing is kept in the
    /// `cache` file (see [`crate::scene::dirs::index_cache_file`]), so a second start does not
    /// rescan gigabytes. The user's own calibrations win over the BSP's and the table's.
    pub fn search(folders: &[PathBuf], maps: &[String], cache: Option<&Path>, user: &UserCalibrations) -> Self {
        let mut out = Self::default();
        if folders.is_empty() {
            out.notes.push("no game folders found: give --etmain <folder> or set PROXVIZ_ETMAIN".to_owned());
            return out;
        }
        let shown: Vec<String> = folders.iter().map(|f| f.display().to_string()).collect();
        out.notes.push(format!("searched {}", shown.join(", ")));
        let index = Pk3Index::scan_cached(folders, cache);
        out.notes.push(format!("{} archives indexed", index.archives.len()));
        out.notes.extend(index.notes.iter().cloned());
        for map in maps {
            let mut assets = MapAssets::load(&index, map);
            out.notes.append(&mut assets.notes);
            if let Some(mine) = user.get(map) {
                assets.calibration = Some(mine);
                out.notes.push(format!("{map}: your calibration"));
            }
            if let Some(info) = &assets.info {
                out.marks.insert(map.to_ascii_lowercase(), map_marks(info));
            }
            let placed = |img: RgbaImage| {
                let (min, max) = assets.calibration?.world_rect();
                Some(Arc::new(WorldImage {
                    width: img.width as usize,
                    height: img.height as usize,
                    rgba: img.rgba,
                    min,
                    max,
                }))
            };
            if let Some(info) = assets.info.as_ref().filter(|i| !i.layer_ceilings.is_empty()) {
                let images = assets.floor_images.into_iter().map(|f| f.and_then(|(_, img)| placed(img))).collect();
                out.floors.insert(map.to_ascii_lowercase(), Floors { ceilings: info.layer_ceilings.clone(), images });
            }
            match (assets.calibration, assets.image) {
                (Some(_), Some((path, img))) => {
                    out.notes.push(format!("{map}: {path}, {}×{}", img.width, img.height));
                    if let Some(image) = placed(img) {
                        out.images.insert(map.to_ascii_lowercase(), image);
                    }
                }
                (None, Some((path, img))) => {
                    out.notes.push(format!("{map}: {path} found, but not where it lies: calibrate it (Layers → Map)"));
                    out.unplaced.insert(map.to_ascii_lowercase(), Arc::new(img));
                }
                _ => {}
            }
        }
        out
    }

    /// Places `map`'s image with the user's `calibration` (from the unplaced images, or again
    /// if it was placed already).
    pub fn place(&mut self, map: &str, calibration: Calibration) {
        let key = map.to_ascii_lowercase();
        let (min, max) = calibration.world_rect();
        let image = match (self.unplaced.get(&key), self.images.get(&key)) {
            (Some(raw), _) => {
                WorldImage { width: raw.width as usize, height: raw.height as usize, rgba: raw.rgba.clone(), min, max }
            }
            (None, Some(placed)) => WorldImage { min, max, ..(**placed).clone() },
            (None, None) => return,
        };
        self.images.insert(key.clone(), Arc::new(image));
        // Each floor's image lies where the map's does.
        if let Some(floors) = self.floors.get_mut(&key) {
            for img in floors.images.iter_mut().flatten() {
                *img = Arc::new(WorldImage { min, max, ..(**img).clone() });
            }
        }
    }

    /// The spawn points and objectives of `map` (none when its BSP was not found).
    pub fn marks(&self, map: Option<&str>) -> &[MapMark] {
        map.and_then(|m| self.marks.get(&m.to_ascii_lowercase())).map_or(&[], Vec::as_slice)
    }

    /// The image of `map`, if found.
    pub fn image(&self, map: Option<&str>) -> Option<&Arc<WorldImage>> {
        self.images.get(&map?.to_ascii_lowercase())
    }
}

/// Calibrations the user made in the window, by lower-case map name: the world position of the
/// image's top-left and bottom-right corners (`[x0, y0, x1, y1]`). Kept in the config dir
/// (`calibrations.json`); they win over the BSP's and the table's.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct UserCalibrations(pub BTreeMap<String, [f32; 4]>);

impl UserCalibrations {
    /// The file in the user's config dir.
    pub fn file() -> Option<PathBuf> {
        crate::scene::dirs::config_dir().map(|d| d.join("calibrations.json"))
    }

    /// What `file` holds (missing or damaged: none).
    pub fn load(file: Option<&Path>) -> Self {
        Self::read(file).0
    }

    /// What `file` holds, and a note when it was damaged (then moved aside and none used).
    pub fn read(file: Option<&Path>) -> (Self, Option<String>) {
        crate::scene::dirs::read_settings(file)
    }

    /// The user's calibration of `map`.
    pub fn get(&self, map: &str) -> Option<Calibration> {
        let [x0, y0, x1, y1] = *self.0.get(&map.to_ascii_lowercase())?;
        let c = Calibration { top_left: Vec2::new(x0, y0), bottom_right: Vec2::new(x1, y1) };
        c.is_usable().then_some(c)
    }

    /// Remembers `map`'s calibration in `file` (written whole, then renamed into place).
    pub fn save(&mut self, file: &Path, map: &str, c: Calibration) -> std::io::Result<()> {
        self.0.insert(map.to_ascii_lowercase(), [c.top_left.x, c.top_left.y, c.bottom_right.x, c.bottom_right.y]);
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = file.with_extension(format!("{}.tmp", std::process::id()));
        std::fs::write(&tmp, serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?)?;
        std::fs::rename(tmp, file)
    }
}

/// The floors of a layered map: each one's ceiling (world z) and command map, when it has one.
#[derive(Debug, Clone, Default)]
pub struct Floors {
    /// The z ceiling of each floor, lowest first.
    pub ceilings: Vec<f32>,
    /// Each floor's image (`None`: the map's main image stands in).
    pub images: Vec<Option<Arc<WorldImage>>>,
}

/// The floor the map shows now, on a map with floors: players, trails and deaths on other
/// floors are drawn dimmed.
#[derive(Resource, Debug, Clone, Default, PartialEq)]
pub struct ShownFloor {
    /// The floor shown (`None`: the map has no floors).
    pub floor: Option<usize>,
    /// The map's floor ceilings.
    pub ceilings: Vec<f32>,
}

impl ShownFloor {
    /// Whether something at height `z` is on the floor shown (always, on a map without floors).
    pub fn shows(&self, z: f32) -> bool {
        self.floor.is_none_or(|f| layer_of(&self.ceilings, z) == f)
    }
}

/// The sprite showing the command map.
#[derive(Component)]
pub struct CommandMapSprite;

/// What the backdrop shows now.
#[derive(Resource, Default)]
pub struct BackdropState {
    /// The rounds the silhouette was drawn from (the replayed round's map).
    key: Option<(Option<String>, Vec<RoundKey>)>,
    /// How many rounds went into the silhouette (for the Layers panel).
    pub rounds: usize,
    /// The silhouette's world rectangle, when one is drawn.
    pub rect: Option<(Vec2, Vec2)>,
    /// The command map on the map now (its map name), when one is.
    pub image: Option<String>,
}

/// The sprite showing the backdrop.
#[derive(Component)]
pub struct BackdropSprite;

/// Most rounds a silhouette is drawn from.
pub const SILHOUETTE_ROUNDS: usize = 12;

/// Under everything else on the map (the heatmap sits at 0.5); the silhouette over the image.
const BACKDROP_Z: f32 = 0.1;
const COMMAND_MAP_Z: f32 = 0.05;

pub(crate) fn plugin(app: &mut App) {
    app.init_resource::<Backdrop>()
        .init_resource::<BackdropState>()
        .init_resource::<CommandMaps>()
        .init_resource::<ShownFloor>()
        .add_systems(Update, (pick_floor, update_command_map, update_backdrop).chain().in_set(Frame::Scene))
        .add_systems(Update, draw_map_marks.in_set(Frame::Draw));
}

/// Size of a map mark in logical pixels.
pub const MAP_MARK_PX: f32 = 7.0;

/// Spawn points (team-coloured squares) and objectives (gold diamonds) of the map, when asked.
fn draw_map_marks(
    mut gizmos: Gizmos,
    backdrop: Res<Backdrop>,
    maps: Res<CommandMaps>,
    library: Res<Library>,
    scale: Res<DrawScale>,
    camera: Single<&Projection, With<MapCamera>>,
) {
    let _probe = super::timing::scope();
    if !backdrop.marks {
        return;
    }
    let r = MAP_MARK_PX * scale.0 * units_per_px(&camera);
    for m in maps.marks(library.current().and_then(|e| e.round().map())) {
        let [cr, cg, cb] = m.rgb;
        let colour = Color::srgb(cr, cg, cb);
        if m.kind != MarkKind::Objective {
            gizmos.rect_2d(Isometry2d::from_translation(m.pos), Vec2::splat(r * 1.6), colour);
            gizmos.rect_2d(Isometry2d::from_translation(m.pos), Vec2::splat(r * 0.8), colour);
        } else {
            gizmos.rect_2d(Isometry2d::new(m.pos, Rot2::degrees(45.0)), Vec2::splat(r * 1.4), colour);
            gizmos.circle_2d(Isometry2d::from_translation(m.pos), r * 0.3, colour);
        }
    }
}

/// The floor to show: the one chosen, else the followed player's, else the ground floor.
fn pick_floor(
    backdrop: Res<Backdrop>,
    maps: Res<CommandMaps>,
    library: Res<Library>,
    clock: Res<Clock>,
    view: Res<ViewSettings>,
    mut shown: ResMut<ShownFloor>,
) {
    let entry = library.current();
    let floors = entry.and_then(|e| e.round().map()).and_then(|m| maps.floors.get(&m.to_ascii_lowercase()));
    let now = match floors {
        None => ShownFloor::default(),
        Some(f) => {
            let followed = view
                .follow
                .zip(entry)
                .and_then(|(cn, e)| e.timeline.state_at(cn, clock.time_ms()))
                .map(|s| layer_of(&f.ceilings, s.pos.z));
            let floor = backdrop.floor.or(followed).unwrap_or(0).min(f.ceilings.len().saturating_sub(1));
            ShownFloor { floor: Some(floor), ceilings: f.ceilings.clone() }
        }
    };
    if *shown != now {
        *shown = now;
    }
}

/// Shows the replayed map's command map (unless the settings say otherwise).
#[allow(clippy::too_many_arguments)]
fn update_command_map(
    mut commands: Commands,
    backdrop: Res<Backdrop>,
    maps: Res<CommandMaps>,
    library: Res<Library>,
    mut state: ResMut<BackdropState>,
    mut images: ResMut<Assets<Image>>,
    mut sprite: Query<(&mut Sprite, &mut Transform, &mut Visibility), With<CommandMapSprite>>,
    (floor, mut shown): (Res<ShownFloor>, Local<Option<Arc<WorldImage>>>),
) {
    let _probe = super::timing::scope();
    let map = library.current().and_then(|e| e.round().map());
    let floor_image = floor
        .floor
        .zip(map.and_then(|m| maps.floors.get(&m.to_ascii_lowercase())))
        .and_then(|(i, f)| f.images.get(i).cloned().flatten());
    let wanted = matches!(backdrop.mode, BackdropMode::Auto | BackdropMode::Image)
        .then(|| floor_image.as_ref().or_else(|| maps.image(map)))
        .flatten();
    let tint = tint(&backdrop.0);
    let Some(img) = wanted else {
        for (_, _, mut v) in &mut sprite {
            if *v != Visibility::Hidden {
                *v = Visibility::Hidden;
            }
        }
        // Shown again later, it is set up again.
        *shown = None;
        if state.image.is_some() {
            state.image = None;
        }
        return;
    };
    let same = shown.as_ref().is_some_and(|s| Arc::ptr_eq(s, img));
    if !same {
        let handle = images.add(world_image_texture(img));
        let size = img.max - img.min;
        let transform = Transform::from_translation(((img.min + img.max) / 2.0).extend(COMMAND_MAP_Z));
        match sprite.iter_mut().next() {
            Some((mut s, mut t, _)) => {
                s.image = handle;
                s.custom_size = Some(size);
                *t = transform;
            }
            None => {
                commands.spawn((
                    CommandMapSprite,
                    Sprite { image: handle, custom_size: Some(size), color: tint, ..default() },
                    transform,
                    Visibility::Visible,
                ));
            }
        }
        *shown = Some(img.clone());
    }
    let name = map.map(str::to_owned);
    if state.image != name {
        state.image = name;
    }
    for (mut s, _, mut v) in &mut sprite {
        if s.color != tint {
            s.color = tint;
        }
        if *v != Visibility::Visible {
            *v = Visibility::Visible;
        }
    }
}

/// The backdrop's colour multiplier: brightness and opacity.
fn tint(settings: &BackdropSettings) -> Color {
    Color::linear_rgba(settings.brightness, settings.brightness, settings.brightness, settings.opacity)
}

/// An image for a sprite from straight-alpha RGBA rows, smoothly filtered.
pub fn world_image_texture(img: &WorldImage) -> Image {
    let mut image = Image::new(
        Extent3d { width: img.width as u32, height: img.height as u32, depth_or_array_layers: 1 },
        TextureDimension::D2,
        img.rgba.clone(),
        TextureFormat::Rgba8UnormSrgb,
        RenderAssetUsages::RENDER_WORLD,
    );
    image.sampler = ImageSampler::linear();
    image
}

fn update_backdrop(
    mut commands: Commands,
    backdrop: Res<Backdrop>,
    library: Res<Library>,
    mut state: ResMut<BackdropState>,
    mut images: ResMut<Assets<Image>>,
    mut sprite: Query<(&mut Sprite, &mut Transform, &mut Visibility), With<BackdropSprite>>,
) {
    let _probe = super::timing::scope();
    let entry = library.current().filter(|_| backdrop.shows_silhouette(state.image.is_some()));
    let Some(entry) = entry else {
        for (_, _, mut v) in &mut sprite {
            if *v != Visibility::Hidden {
                *v = Visibility::Hidden;
            }
        }
        return;
    };
    // The rounds of the same map held read in full trace the same corridors: the replayed one
    // and those replayed just before (at most [`SILHOUETTE_ROUNDS`]). While a folder is still
    // loading, only the replayed round: it is drawn again once all are in.
    let map = entry.round().map().map(str::to_owned);
    let same_map: Vec<_> = match &map {
        Some(m) if !library.loading => {
            // The first rounds of the map (the same set whichever of them is replayed), and the
            // replayed one when it is not among them.
            let mut rounds: Vec<_> = library
                .read_entries()
                .filter(|e| e.round().map() == Some(m.as_str()))
                .take(SILHOUETTE_ROUNDS)
                .collect();
            if !rounds.iter().any(|e| e.key == entry.key) {
                rounds.push(entry);
            }
            rounds
        }
        _ => vec![entry],
    };
    let key = (map, same_map.iter().map(|e| e.key).collect::<Vec<_>>());
    let tint = tint(&backdrop.0);
    if state.key.as_ref() == Some(&key) {
        for (mut s, _, mut v) in &mut sprite {
            if s.color != tint {
                s.color = tint;
            }
            if *v != Visibility::Visible {
                *v = Visibility::Visible;
            }
        }
        return;
    }
    let (min, max) = same_map
        .iter()
        .map(|e| e.timeline.bounds())
        .fold(entry.timeline.bounds(), |(a, b), (c, d)| (a.min(c), b.max(d)));
    let steps = same_map.iter().flat_map(|e| e.round().tracks.iter()).flat_map(|t| {
        t.samples.windows(2).map(|w| {
            let (a, b) = (w[0].pos.truncate(), w[1].pos.truncate());
            let dead = w.iter().any(|s| s.health.is_some_and(|h| h <= 0));
            if !dead && walkable_step(a, b, w[1].time_ms.saturating_sub(w[0].time_ms)) { (a, b) } else { (b, b) }
        })
    });
    let img = silhouette(steps, min, max);
    let handle = images.add(world_image_texture(&img));
    let size = img.max - img.min;
    let transform = Transform::from_translation(((img.min + img.max) / 2.0).extend(BACKDROP_Z));
    match sprite.iter_mut().next() {
        Some((mut s, mut t, mut v)) => {
            s.image = handle;
            s.custom_size = Some(size);
            s.color = tint;
            *t = transform;
            *v = Visibility::Visible;
        }
        None => {
            commands.spawn((
                BackdropSprite,
                Sprite { image: handle, custom_size: Some(size), color: tint, ..default() },
                transform,
                Visibility::Visible,
            ));
        }
    }
    state.rounds = same_map.len();
    state.rect = Some((img.min, img.max));
    state.key = Some(key);
}

#[cfg(test)]
mod tests;
