//! The heatmap layer (an image sprite under the players, rebuilt when its settings, the round or
//! — for cursor-relative windows — the replay time change) and the engagement markers (gizmo
//! shapes per fight type). Used by the window and by the headless export alike.

use bevy::asset::RenderAssetUsages;
use bevy::image::ImageSampler;
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat};

use super::clock::Clock;
use super::library::Library;
use super::map_view::MapCamera;
use crate::heat::{
    HeatLayer, HeatMode, HeatSettings, Shape, build_layer, engagement_marks, type_rgb, visible_engagements,
};

/// The heatmap and engagement settings in use.
#[derive(Resource, Debug, Clone, Default, PartialEq, Deref, DerefMut)]
pub struct Heat(pub HeatSettings);

/// Drawing sizes relative to the window: 1 on screen, larger for big exports, so lines and
/// markers keep their look at any resolution.
#[derive(Resource, Debug, Clone, Copy, PartialEq)]
pub struct DrawScale(pub f32);

impl Default for DrawScale {
    fn default() -> Self {
        Self(1.0)
    }
}

/// Longest side of the density image (the window's is modest; an export asks for its size).
#[derive(Resource, Debug, Clone, Copy, PartialEq)]
pub struct HeatResolution(pub usize);

impl Default for HeatResolution {
    fn default() -> Self {
        Self(768)
    }
}

/// The current layer and what it was built from.
#[derive(Resource, Default)]
pub struct HeatState {
    key: Option<(usize, HeatSettings, u32, usize)>,
    /// The layer on the map (for the legend; its pixels are in the sprite's image), when shown.
    pub layer: Option<HeatLayer>,
    /// How many times the layer has been built (tests and the export wait on it).
    pub builds: u64,
}

impl HeatState {
    /// Whether the layer on the map is the one of round `selected`.
    pub fn built_for(&self, selected: Option<usize>) -> bool {
        self.layer.is_some() && self.key.as_ref().map(|k| k.0) == selected && selected.is_some()
    }
}

/// The sprite showing the layer.
#[derive(Component)]
pub struct HeatSprite;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Heat>()
        .init_resource::<DrawScale>()
        .init_resource::<HeatResolution>()
        .init_resource::<HeatState>()
        .add_systems(Update, (update_heat_layer, draw_engagements, sync_paths).in_set(super::OurSystems));
}

/// The whole-round paths, built once per round as a retained gizmo.
#[derive(Component)]
pub struct PathsGizmo(usize);

fn sync_paths(
    mut commands: Commands,
    heat: Res<Heat>,
    library: Res<Library>,
    scale: Res<DrawScale>,
    mut assets: ResMut<Assets<GizmoAsset>>,
    existing: Query<(Entity, &PathsGizmo)>,
) {
    let _probe = super::perf::scope();
    let wanted = library.selected.filter(|_| heat.paths);
    for (entity, PathsGizmo(index)) in &existing {
        if Some(*index) != wanted {
            commands.entity(entity).despawn();
        } else {
            return;
        }
    }
    let (Some(index), Some(entry)) = (wanted, library.current()) else { return };
    let mut gizmo = GizmoAsset::default();
    let round = entry.round();
    for track in &round.tracks {
        let mut piece: Vec<Vec2> = Vec::new();
        let mut team = None;
        // A path breaks at deaths (respawns) and team changes.
        let mut last: Option<(u32, Vec2)> = None;
        for s in &track.samples {
            let dead = s.health.is_some_and(|h| h <= 0);
            let p = Vec2::new(s.pos.x, s.pos.y);
            // Faster than any player can move: a respawn or a teleport, not a path.
            let jump = last.is_some_and(|(t, q)| p.distance(q) > 80.0 + (s.time_ms.saturating_sub(t)) as f32 * 1.2);
            last = Some((s.time_ms, p));
            if dead || s.team != team || jump {
                flush_path(&mut gizmo, &mut piece, team);
                team = s.team;
                if dead {
                    continue;
                }
            }
            piece.push(Vec2::new(s.pos.x, s.pos.y));
        }
        flush_path(&mut gizmo, &mut piece, team);
    }
    commands.spawn((
        PathsGizmo(index),
        Gizmo { handle: assets.add(gizmo), line_config: GizmoLineConfig { width: scale.0, ..default() }, ..default() },
        Transform::default(),
    ));
}

fn flush_path(gizmo: &mut GizmoAsset, piece: &mut Vec<Vec2>, team: Option<proxviz_data::Team>) {
    if piece.len() >= 2 {
        let [r, g, b] = crate::replay::scene::team_rgb(team);
        gizmo.linestrip_2d(piece.drain(..), Color::srgba(r, g, b, 0.2));
    }
    piece.clear();
}

#[allow(clippy::too_many_arguments)]
fn update_heat_layer(
    mut commands: Commands,
    heat: Res<Heat>,
    library: Res<Library>,
    clock: Res<Clock>,
    resolution: Res<HeatResolution>,
    mut state: ResMut<HeatState>,
    mut images: ResMut<Assets<Image>>,
    mut sprite: Query<(Entity, &mut Sprite, &mut Transform, &mut Visibility), With<HeatSprite>>,
) {
    let _probe = super::perf::scope();
    let (Some(index), Some(entry)) = (library.selected, library.current()) else {
        for (_, _, _, mut v) in &mut sprite {
            *v = Visibility::Hidden;
        }
        state.layer = None;
        return;
    };
    if !heat.show {
        for (_, _, _, mut v) in &mut sprite {
            *v = Visibility::Hidden;
        }
        state.layer = None;
        state.key = None;
        return;
    }
    let cursor = if heat.follows_cursor() { clock.time_ms() } else { 0 };
    let key = (index, heat.0.clone(), cursor, resolution.0);
    if state.key.as_ref() == Some(&key) {
        return;
    }
    let mut layer = build_layer(&entry.timeline, &heat.0, cursor, resolution.0);
    let mut image = Image::new(
        Extent3d { width: layer.width as u32, height: layer.height as u32, depth_or_array_layers: 1 },
        TextureDimension::D2,
        // The pixels move into the image; the layer kept for the legend needs only its scale.
        std::mem::take(&mut layer.rgba),
        TextureFormat::Rgba8UnormSrgb,
        RenderAssetUsages::RENDER_WORLD | RenderAssetUsages::MAIN_WORLD,
    );
    // Grid cells stay crisp; a density is smooth between samples.
    image.sampler = match heat.mode {
        HeatMode::Grid => ImageSampler::nearest(),
        HeatMode::Kde => ImageSampler::linear(),
    };
    let handle = images.add(image);
    let size = layer.max - layer.min;
    let centre = (layer.min + layer.max) / 2.0;
    // Above the grid, under trails, death marks and players.
    let transform = Transform::from_translation(centre.extend(0.5));
    match sprite.iter_mut().next() {
        Some((_, mut s, mut t, mut v)) => {
            // The old image goes with its last handle.
            s.image = handle;
            s.custom_size = Some(size);
            *t = transform;
            *v = Visibility::Visible;
        }
        None => {
            commands.spawn((
                HeatSprite,
                Sprite { image: handle, custom_size: Some(size), ..default() },
                transform,
                Visibility::Visible,
            ));
        }
    }
    state.layer = Some(layer);
    state.key = Some(key);
    state.builds += 1;
}

/// Draws a marker of `shape` with outer radius `r` at `p`.
pub fn draw_shape<G: GizmoConfigGroup>(gizmos: &mut Gizmos<G>, shape: Shape, p: Vec2, r: f32, colour: Color) {
    match shape {
        Shape::Circle => {
            gizmos.circle_2d(Isometry2d::from_translation(p), r, colour);
        }
        Shape::Triangle => {
            let pts = [90.0f32, 210.0, 330.0, 90.0].map(|a| p + Vec2::from_angle(a.to_radians()) * r * 1.2);
            gizmos.linestrip_2d(pts, colour);
        }
        Shape::Square => {
            gizmos.rect_2d(Isometry2d::from_translation(p), Vec2::splat(r * 1.7), colour);
        }
        Shape::Diamond => {
            gizmos.rect_2d(Isometry2d::new(p, Rot2::degrees(45.0)), Vec2::splat(r * 1.5), colour);
        }
    }
}

/// Engagement marker radius in logical pixels.
pub const ENGAGEMENT_PX: f32 = 6.0;

fn draw_engagements(
    mut gizmos: Gizmos,
    heat: Res<Heat>,
    library: Res<Library>,
    clock: Res<Clock>,
    scale: Res<DrawScale>,
    camera: Single<&Projection, With<MapCamera>>,
    mut marks: Local<(Option<usize>, Vec<crate::heat::EngagementMark>)>,
) {
    let _probe = super::perf::scope();
    if !heat.engagements {
        return;
    }
    let (Some(index), Some(entry)) = (library.selected, library.current()) else { return };
    let Projection::Orthographic(ortho) = *camera else { return };
    if marks.0 != Some(index) || library.changed {
        *marks = (Some(index), engagement_marks(&entry.timeline));
    }
    let r = ENGAGEMENT_PX * scale.0 * ortho.scale;
    for (m, alpha) in visible_engagements(&marks.1, &heat.0, clock.time_ms()) {
        let [cr, cg, cb] = type_rgb(&m.kind);
        let colour = Color::srgba_u8(cr, cg, cb, (alpha * 255.0) as u8);
        draw_shape(&mut gizmos, m.shape, m.pos, r, colour);
        draw_shape(&mut gizmos, m.shape, m.pos, r * 0.6, colour);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(settings: HeatSettings) -> App {
        let mut app = super::super::library::demo_app();
        app.insert_resource(Heat(settings))
            .init_resource::<Assets<Image>>()
            .init_resource::<HeatResolution>()
            .init_resource::<HeatState>()
            .add_systems(Update, update_heat_layer);
        app
    }

    #[test]
    fn the_heatmap_sprite_covers_the_layer_and_follows_the_cursor_only_when_asked() {
        let mut app = app(HeatSettings { show: true, ..HeatSettings::default() });
        app.update();
        let layer = app.world().resource::<HeatState>().layer.clone().expect("layer");
        let mut q = app.world_mut().query::<(&Sprite, &Transform)>();
        let (sprite, transform) = q.single(app.world()).expect("one sprite");
        assert_eq!(sprite.custom_size, Some(layer.max - layer.min));
        assert_eq!(transform.translation.truncate(), (layer.min + layer.max) / 2.0);
        // Whole round: moving the cursor does not rebuild.
        app.world_mut().resource_mut::<Clock>().apply(crate::replay::clock::ClockCommand::SetTime(90_000));
        app.update();
        assert_eq!(app.world().resource::<HeatState>().builds, 1);
        // Up to the cursor: it does, and counts fewer kills early in the round.
        app.world_mut().resource_mut::<Heat>().window = crate::heat::Window::UpToCursor;
        app.update();
        let early = app.world().resource::<HeatState>().layer.as_ref().map(|l| l.kills);
        app.world_mut().resource_mut::<Clock>().apply(crate::replay::clock::ClockCommand::SetTime(400_000));
        app.update();
        let later = app.world().resource::<HeatState>().layer.as_ref().map(|l| l.kills);
        assert_eq!(app.world().resource::<HeatState>().builds, 3);
        assert!(early < later && later <= Some(layer.kills), "{early:?} {later:?} {}", layer.kills);
    }

    #[test]
    fn hiding_the_heatmap_hides_its_sprite() {
        let mut app = app(HeatSettings { show: true, ..HeatSettings::default() });
        app.update();
        app.world_mut().resource_mut::<Heat>().show = false;
        app.update();
        let mut q = app.world_mut().query::<&Visibility>();
        assert_eq!(q.single(app.world()).ok(), Some(&Visibility::Hidden));
        assert!(app.world().resource::<HeatState>().layer.is_none());
    }
}
