//! The offscreen renderer: a Bevy app with no window (and no display) that draws the same scene
//! as the replay window — heatmap sprite, whole-round paths, engagement markers, players — into
//! an image per round, adds a title and a legend on an overlay camera in pixel units, reads the
//! image back and writes it as PNG. A clip ([`ExportSettings::clip`]) goes on from that first
//! frame: each frame moves the clock, redraws the overlay (names, clock, kill feed) and is read
//! back into the clip's encoder, a few frames in flight at a time.

use std::path::PathBuf;
use std::time::Duration;

use bevy::app::ScheduleRunnerPlugin;
use bevy::camera::RenderTarget;
use bevy::camera::visibility::RenderLayers;
use bevy::prelude::*;
use bevy::render::render_resource::TextureFormat;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};
use bevy::window::ExitCondition;
use bevy::winit::WinitPlugin;
use indicatif::ProgressBar;
use std::sync::Arc;

use proxviz_data::season::Season;
use proxviz_data::{Round, Timeline};

use super::overlay::{
    OVERLAY, OverlayContent, OverlayFont, OverlayGizmos, OverlayItem, Picture, draw_overlay_gizmos, spawn_overlay,
    texts,
};
use super::{ExportSettings, PngText, image_size, write_png};
use crate::scene::Frame;
use crate::scene::backdrop::{Backdrop, CommandMaps};
use crate::scene::capture::{Capture, Captured};
use crate::scene::clock::{Clock, ClockMsg};
use crate::scene::compare::Compare;
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
    /// The round it is compared with (its stopwatch pair).
    pub compare: Option<Arc<Timeline>>,
    /// Side by side: this image goes to the right of the previous job's, into one PNG (the
    /// previous job's `out`).
    pub joins_previous: bool,
}

/// Renders every job with `settings`; returns the files written. Each round's failure is
/// reported with its name and does not stop the others.
pub fn export(
    jobs: Vec<Job>,
    settings: &ExportSettings,
    maps: CommandMaps,
    season: Option<Arc<Season>>,
    progress: Option<ProgressBar>,
) -> Vec<Result<PathBuf, String>> {
    if jobs.is_empty() {
        return Vec::new();
    }
    let outs: Vec<PathBuf> = jobs.iter().map(|j| j.out.clone()).collect();
    let compares: Vec<(Option<Arc<Timeline>>, bool)> =
        jobs.iter().map(|j| (j.compare.clone(), j.joins_previous)).collect();
    let rounds: Vec<Round> = jobs.into_iter().map(|j| j.round).collect();
    let results = Arc::new(std::sync::Mutex::new(Vec::new()));
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
            clip: None,
            compares,
            left_half: None,
        });
    app.add_systems(Startup, (spawn_cameras, configure_gizmos))
        .add_systems(Update, drive.in_set(Frame::Input))
        .add_systems(Update, (clip_overlay, draw_overlay_gizmos).chain().in_set(Frame::Draw));
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
    /// The frames of a clip after its first.
    Clip,
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
    results: Arc<std::sync::Mutex<Vec<Result<PathBuf, String>>>>,
    progress: Option<ProgressBar>,
    clip: Option<ClipRun>,
    /// Each job's compared round, and whether it joins the previous image.
    compares: Vec<(Option<Arc<Timeline>>, bool)>,
    /// The left image of a side-by-side pair, waiting for its right half.
    left_half: Option<(u32, u32, Vec<u8>)>,
}

mod clip_frames;
use clip_frames::{CLIP_IN_FLIGHT, ClipRun, clip_overlay, finish_clip, start_clip};

/// What a picture's overlay (names, clock, legend, kill feed, marks) is drawn from.
#[derive(bevy::ecs::system::SystemParam)]
struct OverlaySources<'w> {
    heat_state: Res<'w, HeatState>,
    heat: Res<'w, Heat>,
    view: Res<'w, ViewSettings>,
    present: Res<'w, Present>,
    backdrop: Res<'w, Backdrop>,
    maps: Res<'w, CommandMaps>,
    season: Res<'w, SeasonLayer>,
    clock: Res<'w, Clock>,
    font: Res<'w, OverlayFont>,
}

impl OverlaySources<'_> {
    /// Spawns the overlay of `entry`'s picture as the scene is now.
    fn spawn(
        &self,
        commands: &mut Commands,
        images: &mut Assets<Image>,
        picture: &Picture<'_>,
        entry: &crate::scene::library::Entry,
        compare: &Compare,
    ) {
        let content = OverlayContent {
            entry,
            season: self.season.season().map(|s| &**s),
            heat: &self.heat,
            legend: self.heat_state.legend.as_ref(),
            view: &self.view,
            present: &self.present,
            marks: if self.backdrop.marks { self.maps.marks(entry.round().map()) } else { &[] },
            time_ms: self.clock.time_ms(),
            compare: compare.other_for(Some(entry.key)).map(|_| compare),
        };
        spawn_overlay(commands, images, picture, &content, &self.font.0);
    }
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
        // A clip's hundreds of frames are rendered in software too: its small frames go
        // without multisampling, which the GIF's palette would mostly undo anyway.
        let msaa = if settings.size > 2048 || settings.clip.is_some() { Msaa::Off } else { Msaa::Sample4 };
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
    sources: OverlaySources,
    mut cameras: Cameras,
    items: Query<Entity, With<OverlayItem>>,
    mut exit: MessageWriter<AppExit>,
    mut compare: ResMut<Compare>,
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
            let mut t = e.settings.time_ms.map_or(end, |t| t.min(end));
            if let Some(clip) = e.settings.clip {
                let times = clip.frame_times(end);
                t = times.first().copied().unwrap_or(0);
                e.clip = Some(ClipRun { times, next: 1, redraw: false, encoder: None });
            }
            clock_out.write(ClockMsg(ClockCommand::SetTime(t)));
            let mut bounds = match sources.season.season() {
                Some(s) => season_bounds(s, entry.timeline.bounds()),
                None => entry.timeline.bounds(),
            };
            // A compare shows both rounds' ground (the ghosts, the other half of a pair).
            if let Some(other) = e.compares.get(e.next).and_then(|c| c.0.as_ref()) {
                let (lo, hi) = other.bounds();
                bounds = (bounds.0.min(lo), bounds.1.max(hi));
            }
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
            if sources.heat.show && !sources.heat_state.built_for(entry.key) {
                return;
            }
            let Some(target) = e.target.clone() else { return };
            // The compared round, once the round is the one replayed (a compare belongs to it);
            // a difference heatmap is rebuilt with it in this frame's scene.
            let wanted_compare = e.compares.get(e.next).and_then(|c| c.0.clone());
            match wanted_compare {
                Some(other) if compare.with != Some(entry.key) => {
                    compare.settings = e.settings.compare.unwrap_or_default();
                    compare.set(entry.key, &entry.timeline, other);
                    return;
                }
                None if compare.other.is_some() => {
                    compare.clear();
                    return;
                }
                _ => {}
            }
            // Software rendering of a big target is the slow part: the cameras draw only the
            // frame that is read back, once the layer, overlay and glyphs are ready; the switch
            // to the real target takes a frame to size the cameras' textures.
            match e.frames {
                2 => {
                    let picture = Picture { settings: &e.settings, size: e.size, view: e.view };
                    sources.spawn(&mut commands, &mut images, &picture, entry, &compare);
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
            if e.clip.is_some() {
                match start_clip(e, &library, image) {
                    Ok(()) => e.phase = Phase::Clip,
                    Err(err) => finish_round(e, Err(err)),
                }
                return;
            }
            // The left half of a side-by-side pair waits for the right one.
            if e.compares.get(e.next + 1).is_some_and(|c| c.1) {
                match image.try_into_dynamic() {
                    Ok(i) => {
                        let rgba = i.to_rgba8();
                        e.left_half = Some((rgba.width(), rgba.height(), rgba.into_raw()));
                        e.next += 1;
                        e.phase = Phase::Start;
                    }
                    Err(err) => finish_round(e, Err(format!("could not read the image back: {err:?}"))),
                }
                return;
            }
            let result = save(e, &library, &sources.heat, sources.season.season().map(|s| &**s), image);
            timing("png written", &mut e.clock);
            if let Some(p) = &e.progress {
                p.inc(1);
            }
            finish_round(e, result);
        }
        Phase::Clip => {
            let Some(target) = e.target.clone() else { return };
            let Some(run) = e.clip.as_mut() else { return };
            run.redraw = false;
            let Some(encoder) = run.encoder.as_mut() else { return };
            let written = encoder.written();
            if let Some(p) = &e.progress {
                p.set_position(written as u64);
            }
            // The encoder ends by itself only when done or failed (a write error, ffmpeg gone,
            // no frame back for a while): either way the clip is finished now.
            if run.next < run.times.len() && !encoder.stopped() {
                if encoder.in_flight() >= CLIP_IN_FLIGHT {
                    // Nothing is drawn while the encoder catches up.
                    cameras.set_active(false);
                    return;
                }
                cameras.set_active(true);
                let Some(frames) = encoder.sender() else { return };
                let index = run.next;
                clock_out.write(ClockMsg(ClockCommand::SetTime(run.times[index])));
                commands.spawn(Screenshot::image(target)).observe(move |shot: On<ScreenshotCaptured>| {
                    let rgba = shot.image.clone().try_into_dynamic().map(|i| i.to_rgba8().into_raw());
                    let _ = frames.send((index, rgba.unwrap_or_default()));
                });
                encoder.asked();
                run.next += 1;
                run.redraw = true;
                return;
            }
            if written < run.times.len() && !encoder.stopped() {
                return;
            }
            cameras.set_active(false);
            let result = finish_clip(e, &library);
            timing("clip written", &mut e.clock);
            finish_round(e, result);
        }
    }
}

/// Records a round's outcome and moves to the next round.
fn finish_round(e: &mut Exporter, result: Result<PathBuf, String>) {
    e.clip = None;
    if let Ok(mut results) = e.results.lock() {
        results.push(result);
    }
    e.next += 1;
    e.phase = Phase::Start;
}

fn save(
    e: &mut Exporter,
    library: &Library,
    heat: &Heat,
    season: Option<&Season>,
    image: Image,
) -> Result<PathBuf, String> {
    let out = e.outs[e.next].clone();
    let name = library.current().map(|en| en.round().name.base.clone()).unwrap_or_default();
    let rgba =
        image.try_into_dynamic().map_err(|err| format!("{name}: could not read the image back: {err:?}"))?.to_rgba8();
    let (w, h, mut pixels) = (rgba.width(), rgba.height(), rgba.into_raw());
    let (mut w, mut h) = (w, h);
    if let Some((lw, lh, left)) = e.left_half.take() {
        (w, h, pixels) = side_by_side((lw, lh, &left), (w, h, &pixels));
    }
    let (title, description) =
        library.current().map(|en| texts(en.round(), heat, &e.settings, season)).unwrap_or_default();
    let text = PngText { title, description, source: name.clone() };
    write_png(&out, w, h, &pixels, &e.settings, &text).map_err(|err| format!("{name}: {err:#}"))?;
    Ok(out)
}

/// Gap between the two pictures of a side-by-side pair, pixels.
const PAIR_GAP: u32 = 8;

/// Two pictures next to each other on the background colour, tops aligned.
fn side_by_side(left: (u32, u32, &[u8]), right: (u32, u32, &[u8])) -> (u32, u32, Vec<u8>) {
    let (w, h) = (left.0 + PAIR_GAP + right.0, left.1.max(right.1));
    let [r, g, b, _] = BACKGROUND.to_srgba().to_u8_array();
    let mut out: Vec<u8> = [r, g, b, 255].repeat((w * h) as usize);
    for (x0, (pw, ph, px)) in [(0, left), (left.0 + PAIR_GAP, right)] {
        for y in 0..ph as usize {
            let src = &px[y * pw as usize * 4..][..pw as usize * 4];
            out[(y * w as usize + x0 as usize) * 4..][..pw as usize * 4].copy_from_slice(src);
        }
    }
    (w, h, out)
}
