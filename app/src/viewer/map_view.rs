//! The window's view of the map: the map camera fitted to the round when it opens (and on
//! [`FitView`]), zoomed with the wheel around the cursor, panned by dragging, following a
//! player; a coordinate grid and the seed's heatmap grid as guides.

use bevy::input::mouse::{AccumulatedMouseMotion, AccumulatedMouseScroll};
use bevy::prelude::*;
use bevy::window::PrimaryWindow;

use super::state::UiFocus;
use crate::scene::Frame;
use crate::scene::clock::Clock;
use crate::scene::library::{Library, RoundChanged};
use crate::scene::model::legend::nice_step;
use crate::scene::view::{MapCamera, ViewSettings};

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

impl PanelInsets {
    /// The world rectangle (min, max) of the map area between the panels, as `camera` shows it
    /// in `window`.
    pub fn visible_world(&self, camera: &Camera, global: &GlobalTransform, window: &Window) -> Option<(Vec2, Vec2)> {
        let a = camera.viewport_to_world_2d(global, Vec2::new(self.left, self.top)).ok()?;
        let b = camera
            .viewport_to_world_2d(global, Vec2::new(window.width() - self.right, window.height() - self.bottom))
            .ok()?;
        Some((a.min(b), a.max(b)))
    }
}

/// Ask for the view to be fitted to the round.
#[derive(Message, Debug, Clone, Copy)]
pub struct FitView;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<PanelInsets>()
        .add_message::<FitView>()
        .add_systems(Startup, spawn_camera)
        .add_systems(Update, zoom_and_pan.in_set(Frame::Input))
        .add_systems(Update, (fit_view, follow_player).chain().in_set(Frame::Camera))
        .add_systems(Update, draw_grid.in_set(Frame::Draw));
}

/// The map camera; egui draws on it too. No multisampling: software rendering pays four times
/// for every pixel with it (and keeps the textures), and at 1:1 scale the difference is hard
/// to see; exports up to 2048 px do use it.
fn spawn_camera(mut commands: Commands) {
    commands.spawn((Camera2d, MapCamera, Msaa::Off));
}

/// World units per logical pixel that show `size` inside a `visible` pixel area.
pub fn fit_scale(size: Vec2, visible: Vec2) -> f32 {
    let visible = visible.max(Vec2::splat(50.0));
    (size.x / visible.x).max(size.y / visible.y).max(0.01) * 1.08
}

/// Fits the view to the round when another round is replayed or on [`FitView`]. Waits until
/// the panels have been laid out once, so the round is centred in what is visible.
fn fit_view(
    mut fits: MessageReader<FitView>,
    mut changed: MessageReader<RoundChanged>,
    library: Res<Library>,
    insets: Res<PanelInsets>,
    window: Single<&Window, With<PrimaryWindow>>,
    camera: Single<(&mut Transform, &mut Projection), With<MapCamera>>,
    mut pending: Local<bool>,
) {
    if fits.read().count() + changed.read().count() > 0 {
        *pending = true;
    }
    if !*pending || insets.top == 0.0 {
        return;
    }
    let Some(entry) = library.current() else { return };
    *pending = false;
    let (min, max) = entry.timeline.bounds();
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
    focus: Res<UiFocus>,
    mut settings: ResMut<ViewSettings>,
) {
    let _probe = crate::scene::timing::scope();
    if focus.pointer {
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
    clock: Res<Clock>,
    mut camera: Single<&mut Transform, With<MapCamera>>,
) {
    let _probe = crate::scene::timing::scope();
    let (Some(cn), Some(entry)) = (settings.follow, library.current()) else { return };
    if let Some(s) = entry.timeline.state_at(cn, clock.time_ms()) {
        camera.translation.x = s.pos.x;
        camera.translation.y = s.pos.y;
    }
}

/// A grid step that gives about 8–20 lines across the view.
pub fn grid_step(view_width_units: f32) -> f32 {
    nice_step(view_width_units / 12.0)
}

/// Most lines drawn along one axis, whatever the view or the cell size says.
const MAX_GRID_LINES: usize = 400;

/// The positions of grid lines every `step` units across `lo..=hi` (at most [`MAX_GRID_LINES`]).
pub fn grid_lines(lo: f32, hi: f32, step: f32) -> impl Iterator<Item = f32> {
    let first = (lo / step).floor();
    let count = if step > 0.0 && first.is_finite() && hi >= lo { ((hi - lo) / step) as usize + 2 } else { 0 };
    (0..count.min(MAX_GRID_LINES)).map(move |i| (first + i as f32) * step).filter(move |x| *x <= hi)
}

fn draw_grid(
    mut gizmos: Gizmos,
    library: Res<Library>,
    settings: Res<ViewSettings>,
    window: Single<&Window, With<PrimaryWindow>>,
    camera: Single<(&Transform, &Projection), With<MapCamera>>,
) {
    let _probe = crate::scene::timing::scope();
    let (transform, projection) = camera.into_inner();
    let Projection::Orthographic(ortho) = projection else { return };
    let half = Vec2::new(window.width(), window.height()) * ortho.scale / 2.0;
    let centre = transform.translation.truncate();
    let (lo, hi) = (centre - half, centre + half);
    let step = grid_step(half.x * 2.0);
    let minor = Color::srgba(1.0, 1.0, 1.0, 0.06);
    let axis = Color::srgba(1.0, 1.0, 1.0, 0.22);
    for x in grid_lines(lo.x, hi.x, step) {
        gizmos.line_2d(Vec2::new(x, lo.y), Vec2::new(x, hi.y), if x == 0.0 { axis } else { minor });
    }
    for y in grid_lines(lo.y, hi.y, step) {
        gizmos.line_2d(Vec2::new(lo.x, y), Vec2::new(hi.x, y), if y == 0.0 { axis } else { minor });
    }
    if settings.heat_grid
        && let Some(entry) = library.current()
    {
        let cell = entry.round().grid_size_units() as f32;
        if half.x * 2.0 / cell < 200.0 {
            let colour = Color::srgba(1.0, 0.8, 0.2, 0.12);
            for x in grid_lines(lo.x, hi.x, cell) {
                gizmos.line_2d(Vec2::new(x, lo.y), Vec2::new(x, hi.y), colour);
            }
            for y in grid_lines(lo.y, hi.y, cell) {
                gizmos.line_2d(Vec2::new(lo.x, y), Vec2::new(hi.x, y), colour);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::clock::ClockMsg;

    #[test]
    fn fitting_uses_the_tighter_axis_with_a_margin() {
        assert!((fit_scale(Vec2::new(1000.0, 500.0), Vec2::new(500.0, 500.0)) - 2.0 * 1.08).abs() < 1e-4);
    }

    #[test]
    fn a_followed_player_stays_in_the_middle_of_the_view_as_time_passes() {
        let mut app = crate::scene::library::demo_app();
        let cn = {
            let library = app.world().resource::<Library>();
            library.current().and_then(|e| e.timeline.states_at(60_000).first().map(|s| s.clientnum))
        }
        .expect("a player at 1:00");
        app.insert_resource(ViewSettings { follow: Some(cn), ..ViewSettings::default() });
        app.add_systems(Update, follow_player);
        let camera = app.world_mut().spawn((Transform::default(), MapCamera)).id();
        for t in [60_000, 90_000] {
            app.world_mut().resource_mut::<Clock>().apply(crate::scene::model::clock::ClockCommand::SetTime(t));
            app.update();
            let at =
                app.world().resource::<Library>().current().and_then(|e| e.timeline.state_at(cn, t)).expect("state");
            let centre = app.world().get::<Transform>(camera).expect("camera").translation.truncate();
            assert_eq!(centre, at.pos.truncate(), "at {t} ms");
        }
    }

    #[test]
    fn selecting_another_round_resets_the_clock_and_refits_the_view() {
        use crate::scene::library::SelectRound;
        use crate::scene::model::clock::ClockCommand;
        let mut app = crate::scene::library::demo_app();
        crate::scene::frame::plugin(&mut app);
        crate::scene::library::plugin(&mut app);
        crate::scene::clock::plugin(&mut app);
        app.insert_resource(Clock(crate::scene::model::clock::ReplayClock::new(600_000)));
        app.init_resource::<ViewSettings>()
            .insert_resource(PanelInsets { left: 300.0, right: 270.0, top: 30.0, bottom: 80.0 })
            .add_message::<FitView>()
            .add_systems(Update, fit_view.in_set(Frame::Camera));
        app.world_mut().spawn((Window { resolution: (1600u32, 1000u32).into(), ..default() }, PrimaryWindow));
        let camera = app
            .world_mut()
            .spawn((Transform::default(), Projection::Orthographic(OrthographicProjection::default_2d()), MapCamera))
            .id();
        app.world_mut().write_message(ClockMsg(ClockCommand::SetTime(90_000)));
        app.world_mut().write_message(ClockMsg(ClockCommand::TogglePlayPause));
        app.update();
        assert_eq!(app.world().resource::<Clock>().time_ms(), 90_000);

        let third = app.world().resource::<Library>().listings[2].key;
        app.world_mut().write_message(SelectRound(third));
        crate::scene::library::settle(&mut app);
        let library = app.world().resource::<Library>();
        let entry = library.current().expect("round");
        assert_eq!(library.selected, Some(third));
        let clock = app.world().resource::<Clock>();
        assert_eq!((clock.time_ms(), clock.is_playing()), (entry.timeline.first_sample_ms().unwrap_or(0), false));
        assert_eq!(clock.duration_ms(), entry.round().duration_ms());
        // The round's middle sits in the middle of the map area between the panels.
        let (min, max) = entry.timeline.bounds();
        let scale = fit_scale(max - min + Vec2::splat(200.0), Vec2::new(1600.0 - 570.0, 1000.0 - 110.0));
        let transform = app.world().get::<Transform>(camera).expect("camera");
        let Some(Projection::Orthographic(ortho)) = app.world().get::<Projection>(camera) else { panic!("ortho") };
        assert!((ortho.scale - scale).abs() < 1e-4, "{} vs {scale}", ortho.scale);
        let middle_of_free_area =
            transform.translation.truncate() + Vec2::new(300.0 - 270.0, 80.0 - 30.0) / 2.0 * scale;
        assert!(
            middle_of_free_area.distance((min + max) / 2.0) < 1.0,
            "{middle_of_free_area} vs {}",
            (min + max) / 2.0
        );
    }

    #[test]
    fn grid_lines_are_bounded_whatever_the_numbers() {
        assert_eq!(grid_lines(-250.0, 600.0, 500.0).collect::<Vec<_>>(), vec![-500.0, 0.0, 500.0]);
        assert_eq!(grid_lines(0.0, 3.0e9, 1.0).count(), MAX_GRID_LINES);
        assert_eq!(grid_lines(0.0, 100.0, 0.0).count(), 0);
        assert_eq!(grid_lines(f32::NAN, 100.0, 10.0).count(), 0);
    }

    #[test]
    fn grid_steps_are_round_numbers() {
        assert_eq!(grid_step(6000.0), 500.0);
        assert_eq!(grid_step(1200.0), 100.0);
        assert_eq!(grid_step(30000.0), 5000.0);
    }
}
