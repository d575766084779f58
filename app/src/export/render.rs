//! The offscreen renderer: a Bevy app with no window (and no display) that draws the same scene
//! as the replay window — heatmap sprite, whole-round paths, engagement markers, players — into
//! an image per round, adds a title and a legend on an overlay camera in pixel units, reads the
//! image back and writes it as PNG.

use std::path::PathBuf;
use std::time::Duration;

use bevy::app::ScheduleRunnerPlugin;
use bevy::camera::RenderTarget;
use bevy::camera::visibility::RenderLayers;
use bevy::prelude::*;
use bevy::render::render_resource::TextureFormat;
use bevy::render::view::screenshot::Screenshot;
use bevy::window::ExitCondition;
use bevy::winit::WinitPlugin;
use indicatif::ProgressBar;
use proxviz_data::Round;
use proxviz_data::season::Season;

use super::overlay::{
    OVERLAY, OverlayContent, OverlayFont, OverlayGizmos, OverlayItem, Picture, draw_overlay_gizmos, spawn_overlay,
    texts,
};
use super::{ExportSettings, PngText, image_size, write_png};
use crate::scene::Frame;
use crate::scene::backdrop::{Backdrop, CommandMaps};
use crate::scene::capture::{Capture, Captured};
use crate::scene::clock::ClockMsg;
use crate::scene::heat_layer::{Heat, HeatResolution, HeatState};
use crate::scene::library::{Library, SelectRound, Source};
use crate::scene::markers::Present;
use crate::scene::model::clock::ClockCommand;
use crate::scene::model::heat::season_bounds;
use crate::scene::season::SeasonLayer;
use crate::scene::view::{BACKGROUND, DrawScale, MapCamera, ViewSettings};

/// One image to make.
pub struct Job {
    /// The round.
    pub round: Round,
    /// Where its PNG goes.
    pub out: PathBuf,
}

/// Renders every job with `settings`; returns the files written. Each round's failure is
/// reported with its name and does not stop the others.
pub fn export(
    jobs: Vec<Job>,
    settings: &ExportSettings,
    maps: CommandMaps,
    season: Option<std::sync::Arc<Season>>,
    progress: Option<ProgressBar>,
) -> Vec<Result<PathBuf, String>> {
    if jobs.is_empty() {
        return Vec::new();
    }
    let outs: Vec<PathBuf> = jobs.iter().map(|j| j.out.clone()).collect();
    let rounds: Vec<Round> = jobs.into_iter().map(|j| j.round).collect();
    let results = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut app = App::new();
    app.add_plugins(
        DefaultPlugins
            .set(WindowPlugin { primary_window: None, exit_condition: ExitCondition::DontExit, ..default() })
            .set(crate::viewer::log_plugin(bevy::log::Level::WARN, "wgpu=error,naga=error"))
            // Every pipeline is ready in the frame that first draws with it, so a few frames
            // after a round is set up its image is complete, however loaded the machine is.
            .set(bevy::render::RenderPlugin { synchronous_pipeline_compilation: true, ..default() })
            .disable::<WinitPlugin>(),
    )
    .add_plugins(ScheduleRunnerPlugin::run_loop(Duration::ZERO))
    .init_gizmo_group::<OverlayGizmos>();
    let scale = settings.size as f32 / 1000.0;
    crate::scene::plugin(&mut app);
    let mut season_layer = SeasonLayer::default();
    season_layer.set(season);
    app.insert_resource(season_layer);
    app.insert_resource(Library::with_rounds(Source::Demo, rounds))
        .insert_resource(ViewSettings {
            names: settings.names,
            players: settings.players,
            trails: settings.players,
            trail_secs: settings.trail_secs,
            ..ViewSettings::default()
        })
        .insert_resource(Heat(settings.heat.clone()))
        .insert_resource(Backdrop(settings.backdrop))
        .insert_resource(maps)
        .insert_resource(DrawScale(scale))
        .insert_resource(HeatResolution(settings.size.clamp(256, 4096) as usize))
        .insert_resource(ClearColor(BACKGROUND))
        .insert_resource(Exporter {
            settings: settings.clone(),
            outs,
            next: 0,
            phase: Phase::Start,
            frames: 0,
            clock: None,
            target: None,
            size: (0, 0),
            view: (Vec2::ZERO, Vec2::ZERO),
            results: results.clone(),
            progress,
        });
    app.add_systems(Startup, (spawn_cameras, configure_gizmos))
        .add_systems(Update, drive.in_set(Frame::Input))
        .add_systems(Update, draw_overlay_gizmos.in_set(Frame::Draw));
    app.run();
    results.lock().map(|mut r| std::mem::take(&mut *r)).unwrap_or_default()
}

#[derive(Component)]
struct MapCam;

#[derive(Component)]
struct OverlayCam;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Start,
    Render,
    Capture,
}

#[derive(Resource)]
struct Exporter {
    settings: ExportSettings,
    outs: Vec<PathBuf>,
    next: usize,
    phase: Phase,
    frames: u32,
    clock: Option<std::time::Instant>,
    target: Option<Handle<Image>>,
    size: (u32, u32),
    /// The world rectangle of the current image.
    view: (Vec2, Vec2),
    /// Shared with the caller: `App::run` keeps the world.
    results: std::sync::Arc<std::sync::Mutex<Vec<Result<PathBuf, String>>>>,
    progress: Option<ProgressBar>,
}

type MapCamQuery<'w, 's> = Query<
    'w,
    's,
    (Entity, &'static mut Camera, &'static mut Transform, &'static mut Projection),
    (With<MapCam>, Without<OverlayCam>),
>;
type OverlayCamQuery<'w, 's> =
    Query<'w, 's, (Entity, &'static mut Camera, &'static mut Projection), (With<OverlayCam>, Without<MapCam>)>;

/// With `PROXVIZ_TIMINGS` set, prints how long each step took (for the benchmark notes).
fn timing(what: &str, since: &mut Option<std::time::Instant>) {
    if std::env::var_os("PROXVIZ_TIMINGS").is_some() {
        let now = std::time::Instant::now();
        if let Some(t) = since {
            eprintln!("timing: {what}: {:.0} ms", (now - *t).as_secs_f64() * 1000.0);
        }
        *since = Some(now);
    }
}

/// A tiny target the cameras draw into until the frame that is read back: visibility and
/// text layout run as usual, at almost no fill cost.
#[derive(Resource)]
struct WarmUpTarget(Handle<Image>);

fn spawn_cameras(mut commands: Commands, mut images: ResMut<Assets<Image>>, mut fonts: ResMut<Assets<Font>>) {
    commands.insert_resource(OverlayFont(fonts.add(Font::from_bytes(epaint_default_fonts::HACK_REGULAR.to_vec()))));
    let warm_up = images.add(Image::new_target_texture(8, 8, TextureFormat::Rgba8UnormSrgb, None));
    commands.insert_resource(WarmUpTarget(warm_up));
    commands.spawn((Camera2d, Camera { is_active: false, ..default() }, MapCam, MapCamera));
    commands.spawn((
        Camera2d,
        Camera { order: 1, is_active: false, clear_color: ClearColorConfig::None, ..default() },
        RenderLayers::layer(OVERLAY),
        OverlayCam,
    ));
    // Text on the overlay is laid out only for cameras that see a sprite on its layer.
    commands.spawn((
        Sprite { color: Color::NONE, custom_size: Some(Vec2::ONE), ..default() },
        Transform::default(),
        RenderLayers::layer(OVERLAY),
    ));
}

/// Projections whose visible area does not depend on the target's size: `size_px` pixels of
/// `units_per_px` world units each.
fn fixed_projection(size_px: Vec2, units_per_px: f32) -> Projection {
    Projection::Orthographic(OrthographicProjection {
        scaling_mode: bevy::camera::ScalingMode::Fixed { width: size_px.x, height: size_px.y },
        scale: units_per_px,
        ..OrthographicProjection::default_2d()
    })
}

fn configure_gizmos(mut store: ResMut<GizmoConfigStore>, scale: Res<DrawScale>) {
    let (default, _) = store.config_mut::<DefaultGizmoConfigGroup>();
    default.line.width = 2.0 * scale.0;
    let (overlay, _) = store.config_mut::<OverlayGizmos>();
    overlay.render_layers = RenderLayers::layer(OVERLAY);
    overlay.line.width = 2.0 * scale.0;
}

/// The export's two cameras (map and overlay) and the tiny target they draw into until the
/// frame that is read back.
#[derive(bevy::ecs::system::SystemParam)]
struct Cameras<'w, 's> {
    map: MapCamQuery<'w, 's>,
    overlay: OverlayCamQuery<'w, 's>,
    warm_up: Res<'w, WarmUpTarget>,
}

impl Cameras<'_, '_> {
    /// Aims the map camera at `min..max` and both at a `px`-sized picture, drawing into the
    /// warm-up target for now.
    fn aim(&mut self, commands: &mut Commands, (min, max): (Vec2, Vec2), px: Vec2, settings: &ExportSettings) {
        // Multisampling quadruples the fill work and memory; big images have pixels to spare.
        let msaa = if settings.size > 2048 { Msaa::Off } else { Msaa::Sample4 };
        let warm_up = RenderTarget::Image(self.warm_up.0.clone().into());
        for (entity, mut camera, mut transform, mut projection) in &mut self.map {
            camera.is_active = true;
            commands.entity(entity).insert((warm_up.clone(), msaa));
            camera.clear_color =
                if settings.transparent { ClearColorConfig::Custom(Color::NONE) } else { ClearColorConfig::Default };
            transform.translation = ((min + max) / 2.0).extend(transform.translation.z);
            *projection = fixed_projection(px, ((max - min) / px).max_element());
        }
        for (entity, mut camera, mut projection) in &mut self.overlay {
            camera.is_active = true;
            *projection = fixed_projection(px, 1.0);
            commands.entity(entity).insert((warm_up.clone(), msaa));
        }
    }

    /// Both cameras draw into `target` from the next frame on.
    fn draw_into(&mut self, commands: &mut Commands, target: &Handle<Image>) {
        // Bevy re-reads a camera's target size when its projection changes, not when its target
        // does: touch the projection too.
        for (entity, mut camera, _, mut projection) in &mut self.map {
            camera.is_active = true;
            projection.set_changed();
            commands.entity(entity).insert(RenderTarget::Image(target.clone().into()));
        }
        for (entity, mut camera, mut projection) in &mut self.overlay {
            camera.is_active = true;
            projection.set_changed();
            commands.entity(entity).insert(RenderTarget::Image(target.clone().into()));
        }
    }

    fn set_active(&mut self, active: bool) {
        for (_, mut camera, ..) in &mut self.map {
            camera.is_active = active;
        }
        for (_, mut camera, _) in &mut self.overlay {
            camera.is_active = active;
        }
    }
}

/// The world rectangle an image shows: the settings' view, else the round with a margin.
fn image_view(settings: &ExportSettings, bounds: (Vec2, Vec2)) -> (Vec2, Vec2) {
    match settings.view {
        Some([x0, y0, x1, y1]) => (Vec2::new(x0.min(x1), y0.min(y1)), Vec2::new(x0.max(x1), y0.max(y1))),
        None => {
            let (lo, hi) = bounds;
            let margin = (hi - lo).max_element() * 0.06 + 100.0;
            (lo - Vec2::splat(margin), hi + Vec2::splat(margin))
        }
    }
}

/// Makes one image after another: sets the round and time up through the scene's messages,
/// waits for its layers, draws the overlay, renders one frame into the image, reads it back
/// and writes the PNG.
#[allow(clippy::too_many_arguments)]
fn drive(
    mut commands: Commands,
    mut exporter: ResMut<Exporter>,
    library: Res<Library>,
    (mut select, mut clock_out): (MessageWriter<SelectRound>, MessageWriter<ClockMsg>),
    mut images: ResMut<Assets<Image>>,
    mut capture: ResMut<Capture>,
    (heat_state, heat, view, present): (Res<HeatState>, Res<Heat>, Res<ViewSettings>, Res<Present>),
    (backdrop, maps, season): (Res<Backdrop>, Res<CommandMaps>, Res<SeasonLayer>),
    mut cameras: Cameras,
    items: Query<Entity, With<OverlayItem>>,
    font: Res<OverlayFont>,
    mut exit: MessageWriter<AppExit>,
) {
    let e = &mut *exporter;
    match e.phase {
        Phase::Start => {
            timing("start-up or previous round", &mut e.clock);
            let Some(entry) = library.listings.get(e.next).and_then(|l| library.entry(l.key)) else {
                exit.write(AppExit::Success);
                return;
            };
            // The round is replayed from this frame on: its clock starts over, then moves to t.
            select.write(SelectRound(entry.key));
            let end = entry.round().duration_ms();
            let t = e.settings.time_ms.map_or(end, |t| t.min(end));
            clock_out.write(ClockMsg(ClockCommand::SetTime(t)));
            let bounds = match season.season() {
                Some(s) => season_bounds(s, entry.timeline.bounds()),
                None => entry.timeline.bounds(),
            };
            let view = image_view(&e.settings, bounds);
            let (w, h) = image_size(view.0, view.1, e.settings.size);
            cameras.aim(&mut commands, view, Vec2::new(w as f32, h as f32), &e.settings);
            for entity in &items {
                commands.entity(entity).despawn();
            }
            e.target = Some(images.add(Image::new_target_texture(w, h, TextureFormat::Rgba8UnormSrgb, None)));
            e.size = (w, h);
            e.view = view;
            e.frames = 0;
            e.phase = Phase::Render;
        }
        Phase::Render => {
            e.frames += 1;
            timing(&format!("frame {}", e.frames), &mut e.clock);
            let wanted = library.listings.get(e.next).map(|l| l.key);
            let Some(entry) = library.current().filter(|_| library.selected == wanted) else { return };
            // The layer is rebuilt for the new round (when shown) before the overlay reads it.
            if heat.show && !heat_state.built_for(entry.key) {
                return;
            }
            let Some(target) = e.target.clone() else { return };
            // Software rendering of a big target is the slow part: the cameras draw only the
            // frame that is read back, once the layer, overlay and glyphs are ready; the switch
            // to the real target takes a frame to size the cameras' textures.
            match e.frames {
                2 => {
                    let picture = Picture { settings: &e.settings, size: e.size, view: e.view };
                    let legend = heat_state.legend.as_ref();
                    let marks = if backdrop.marks { maps.marks(entry.round().map()) } else { &[] };
                    let content = OverlayContent {
                        entry,
                        season: season.season().map(|s| &**s),
                        heat: &heat,
                        legend,
                        view: &view,
                        present: &present,
                        marks,
                    };
                    spawn_overlay(&mut commands, &mut images, &picture, &content, &font.0);
                }
                4 => cameras.draw_into(&mut commands, &target),
                5.. => {
                    cameras.set_active(true);
                    capture.start(&mut commands, Screenshot::image(target));
                    e.phase = Phase::Capture;
                }
                _ => {}
            }
        }
        Phase::Capture => {
            cameras.set_active(false);
            let image = match capture.poll(!e.settings.transparent) {
                None => return,
                Some(Captured::Image(image)) => *image,
                Some(Captured::Blank) => {
                    // Read back before it was drawn: render a few more frames and read it again.
                    e.frames = 4;
                    e.phase = Phase::Render;
                    return;
                }
            };
            timing("read back", &mut e.clock);
            let result = save(e, &library, &heat, season.season().map(|s| &**s), image);
            timing("png written", &mut e.clock);
            if let Some(p) = &e.progress {
                p.inc(1);
            }
            if let Ok(mut results) = e.results.lock() {
                results.push(result);
            }
            e.next += 1;
            e.phase = Phase::Start;
        }
    }
}

fn save(
    e: &Exporter,
    library: &Library,
    heat: &Heat,
    season: Option<&Season>,
    image: Image,
) -> Result<PathBuf, String> {
    let out = e.outs[e.next].clone();
    let name = library.current().map(|en| en.round().name.base.clone()).unwrap_or_default();
    let rgba =
        image.try_into_dynamic().map_err(|err| format!("{name}: could not read the image back: {err:?}"))?.to_rgba8();
    let (title, description) =
        library.current().map(|en| texts(en.round(), heat, &e.settings, season)).unwrap_or_default();
    let text = PngText { title, description, source: name.clone() };
    write_png(&out, rgba.width(), rgba.height(), rgba.as_raw(), &e.settings, &text)
        .map_err(|err| format!("{name}: {err:#}"))?;
    Ok(out)
}
