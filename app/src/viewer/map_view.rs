//! The 2D map: world units (+x east, +y north) under an orthographic camera; fit to the round
//! on open (F again), zoom with the wheel around the cursor, pan by dragging; a coordinate grid
//! and the seed's heatmap grid as guides.

use bevy::input::mouse::{AccumulatedMouseMotion, AccumulatedMouseScroll};
use bevy::prelude::*;

use bevy::window::PrimaryWindow;
use bevy_egui::EguiContexts;

use super::ViewSettings;
use super::library::Library;
use crate::replay::scene::round_bounds;

/// The camera looking at the map.
#[derive(Component)]
pub struct MapCamera;

/// Space the panels take, in logical pixels (left, right, top, bottom), so fitting centres the
/// round in what is visible.
#[derive(Resource, Default, Clone, Copy)]
pub struct PanelInsets {
    /// Left panel width.
    pub left: f32,
    /// Right panel width.
    pub right: f32,
    /// Top bar height.
    pub top: f32,
    /// Bottom panel height.
    pub bottom: f32,
}

/// Ask for the view to be fitted to the round.
#[derive(Message, Debug, Clone, Copy)]
pub struct FitView;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<PanelInsets>().add_message::<FitView>().add_systems(Startup, spawn_camera).add_systems(
        Update,
        (fit_on_new_round, fit_view, zoom_and_pan, follow_player, draw_grid).chain().in_set(super::OurSystems),
    );
}

/// The map camera; egui draws on it too. No multisampling: software rendering pays four times
/// for every pixel with it (and keeps the textures), and at 1:1 scale the difference is hard
/// to see; exports up to 2048 px do use it.
fn spawn_camera(mut commands: Commands) {
    commands.spawn((Camera2d, MapCamera, Msaa::Off));
}

fn fit_on_new_round(library: Res<Library>, mut fit: MessageWriter<FitView>, keys: Res<ButtonInput<KeyCode>>) {
    if library.changed || keys.just_pressed(KeyCode::KeyF) {
        fit.write(FitView);
    }
}

/// World units per logical pixel that show `size` inside a `visible` pixel area.
pub fn fit_scale(size: Vec2, visible: Vec2) -> f32 {
    let visible = visible.max(Vec2::splat(50.0));
    (size.x / visible.x).max(size.y / visible.y).max(0.01) * 1.08
}

fn fit_view(
    mut fits: MessageReader<FitView>,
    library: Res<Library>,
    insets: Res<PanelInsets>,
    window: Single<&Window, With<PrimaryWindow>>,
    camera: Single<(&mut Transform, &mut Projection), With<MapCamera>>,
    mut pending: Local<bool>,
) {
    if fits.read().count() > 0 {
        *pending = true;
    }
    // Wait until the panels have been laid out once, so the round is centred in what is visible.
    if !*pending || insets.top == 0.0 {
        return;
    }
    let Some(entry) = library.current() else { return };
    *pending = false;
    let (min, max) = round_bounds(entry.round());
    let visible = Vec2::new(window.width() - insets.left - insets.right, window.height() - insets.top - insets.bottom);
    let scale = fit_scale(max - min + Vec2::splat(200.0), visible);
    let (mut transform, mut projection) = camera.into_inner();
    if let Projection::Orthographic(ortho) = &mut *projection {
        ortho.scale = scale;
    }
    // Shift the centre so the round sits in the middle of the visible area, not the window.
    let offset_px = Vec2::new(insets.left - insets.right, insets.bottom - insets.top) / 2.0;
    let centre = (min + max) / 2.0 - offset_px * scale;
    transform.translation = centre.extend(transform.translation.z);
}

fn zoom_and_pan(
    scroll: Res<AccumulatedMouseScroll>,
    motion: Res<AccumulatedMouseMotion>,
    buttons: Res<ButtonInput<MouseButton>>,
    window: Single<&Window, With<PrimaryWindow>>,
    camera: Single<(&Camera, &GlobalTransform, &mut Transform, &mut Projection), With<MapCamera>>,
    mut egui: EguiContexts,
    mut settings: ResMut<ViewSettings>,
) {
    let _probe = super::perf::scope();
    if egui.ctx_mut().is_ok_and(|ctx| ctx.egui_wants_pointer_input() || ctx.is_pointer_over_egui()) {
        return;
    }
    let (camera, global, mut transform, mut projection) = camera.into_inner();
    let Projection::Orthographic(ortho) = &mut *projection else { return };
    if buttons.pressed(MouseButton::Left) && motion.delta != Vec2::ZERO {
        transform.translation.x -= motion.delta.x * ortho.scale;
        transform.translation.y += motion.delta.y * ortho.scale;
        settings.follow = None;
    }
    if scroll.delta.y != 0.0 {
        let factor = (1.0 - scroll.delta.y.clamp(-5.0, 5.0) * 0.1).clamp(0.5, 2.0);
        // Keep the world point under the cursor where it is.
        if let Some(cursor) = window.cursor_position()
            && let Ok(before) = camera.viewport_to_world_2d(global, cursor)
        {
            let centre = transform.translation.truncate();
            let new_centre = before + (centre - before) * factor;
            transform.translation = new_centre.extend(transform.translation.z);
        }
        ortho.scale = (ortho.scale * factor).clamp(0.02, 200.0);
    }
}

fn follow_player(
    settings: Res<ViewSettings>,
    library: Res<Library>,
    clock: Res<super::clock::Clock>,
    mut camera: Single<&mut Transform, With<MapCamera>>,
) {
    let _probe = super::perf::scope();
    let (Some(cn), Some(entry)) = (settings.follow, library.current()) else { return };
    if let Some(s) = entry.timeline.state_at(cn, clock.time_ms()) {
        camera.translation.x = s.pos.x;
        camera.translation.y = s.pos.y;
    }
}

/// A grid step that gives about 8–20 lines across the view.
pub fn grid_step(view_width_units: f32) -> f32 {
    let raw = view_width_units / 12.0;
    let magnitude = 10f32.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * magnitude).find(|s| *s >= raw).unwrap_or(10.0 * magnitude)
}

fn draw_grid(
    mut gizmos: Gizmos,
    library: Res<Library>,
    settings: Res<ViewSettings>,
    window: Single<&Window, With<PrimaryWindow>>,
    camera: Single<(&Transform, &Projection), With<MapCamera>>,
) {
    let _probe = super::perf::scope();
    let (transform, projection) = camera.into_inner();
    let Projection::Orthographic(ortho) = projection else { return };
    let half = Vec2::new(window.width(), window.height()) * ortho.scale / 2.0;
    let centre = transform.translation.truncate();
    let (lo, hi) = (centre - half, centre + half);
    let step = grid_step(half.x * 2.0);
    let minor = Color::srgba(1.0, 1.0, 1.0, 0.06);
    let axis = Color::srgba(1.0, 1.0, 1.0, 0.22);
    let mut x = (lo.x / step).floor() * step;
    while x <= hi.x {
        gizmos.line_2d(Vec2::new(x, lo.y), Vec2::new(x, hi.y), if x == 0.0 { axis } else { minor });
        x += step;
    }
    let mut y = (lo.y / step).floor() * step;
    while y <= hi.y {
        gizmos.line_2d(Vec2::new(lo.x, y), Vec2::new(hi.x, y), if y == 0.0 { axis } else { minor });
        y += step;
    }
    if settings.heat_grid
        && let Some(entry) = library.current()
    {
        let cell = entry.round().grid_size_units() as f32;
        if half.x * 2.0 / cell < 200.0 {
            let colour = Color::srgba(1.0, 0.8, 0.2, 0.12);
            let mut x = (lo.x / cell).floor() * cell;
            while x <= hi.x {
                gizmos.line_2d(Vec2::new(x, lo.y), Vec2::new(x, hi.y), colour);
                x += cell;
            }
            let mut y = (lo.y / cell).floor() * cell;
            while y <= hi.y {
                gizmos.line_2d(Vec2::new(lo.x, y), Vec2::new(hi.x, y), colour);
                y += cell;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fitting_uses_the_tighter_axis_with_a_margin() {
        assert!((fit_scale(Vec2::new(1000.0, 500.0), Vec2::new(500.0, 500.0)) - 2.0 * 1.08).abs() < 1e-4);
    }

    #[test]
    fn a_followed_player_stays_in_the_middle_of_the_view_as_time_passes() {
        let mut app = super::super::library::demo_app();
        let cn = {
            let library = app.world().resource::<Library>();
            library.current().and_then(|e| e.timeline.states_at(60_000).first().map(|s| s.clientnum))
        }
        .expect("a player at 1:00");
        app.insert_resource(ViewSettings { follow: Some(cn), ..ViewSettings::default() });
        app.add_systems(Update, follow_player);
        let camera = app.world_mut().spawn((Transform::default(), MapCamera)).id();
        for t in [60_000, 90_000] {
            app.world_mut().resource_mut::<super::super::Clock>().apply(crate::replay::clock::ClockCommand::SetTime(t));
            app.update();
            let at =
                app.world().resource::<Library>().current().and_then(|e| e.timeline.state_at(cn, t)).expect("state");
            let centre = app.world().get::<Transform>(camera).expect("camera").translation.truncate();
            assert_eq!(centre, at.pos.truncate(), "at {t} ms");
        }
    }

    #[test]
    fn grid_steps_are_round_numbers() {
        assert_eq!(grid_step(6000.0), 500.0);
        assert_eq!(grid_step(1200.0), 100.0);
        assert_eq!(grid_step(30000.0), 5000.0);
    }
}
