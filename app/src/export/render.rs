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
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};
use bevy::sprite::Anchor;
use bevy::window::ExitCondition;
use bevy::winit::WinitPlugin;
use indicatif::ProgressBar;
use proxviz_data::Round;

use super::{ExportSettings, PngText, image_size, write_png};
use crate::heat::{HeatLayer, Shape, engagement_marks, legend_stops, nice_ticks, type_counts, type_rgb};
use crate::replay::clock::{ClockCommand, ReplayClock, mm_ss};
use crate::replay::scene::{markers_at, round_bounds};
use crate::viewer::layers::{DrawScale, Heat, HeatResolution, HeatState, draw_shape};
use crate::viewer::library::{Library, Source};
use crate::viewer::{Clock, ViewSettings};

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
            .set(bevy::log::LogPlugin {
                level: bevy::log::Level::WARN,
                filter: "wgpu=error,naga=error".into(),
                ..default()
            })
            // Every pipeline is ready in the frame that first draws with it, so a few frames
            // after a round is set up its image is complete, however loaded the machine is.
            .set(bevy::render::RenderPlugin { synchronous_pipeline_compilation: true, ..default() })
            .disable::<WinitPlugin>(),
    )
    .add_plugins(ScheduleRunnerPlugin::run_loop(Duration::ZERO))
    .init_gizmo_group::<OverlayGizmos>();
    let scale = settings.size as f32 / 1000.0;
    app.insert_resource(Library::with_rounds(Source::Demo, rounds))
        .insert_resource(Clock(ReplayClock::new(0)))
        .insert_resource(ViewSettings {
            names: settings.names,
            players: settings.players,
            trails: settings.players,
            trail_secs: settings.trail_secs,
            ..ViewSettings::default()
        })
        .insert_resource(Heat(settings.heat.clone()))
        .insert_resource(DrawScale(scale))
        .insert_resource(HeatResolution(settings.size.clamp(256, 4096) as usize))
        .insert_resource(ClearColor(crate::viewer::BACKGROUND))
        .insert_resource(Exporter {
            settings: settings.clone(),
            outs,
            next: 0,
            phase: Phase::Start,
            frames: 0,
            retries: 0,
            clock: None,
            target: None,
            size: (0, 0),
            view: (Vec2::ZERO, Vec2::ZERO),
            results: results.clone(),
            progress,
        })
        .init_resource::<Captured>();
    crate::viewer::draw_plugin(&mut app);
    crate::viewer::layers_plugin(&mut app);
    app.add_systems(Startup, (spawn_cameras, configure_gizmos))
        .add_systems(Update, (drive, draw_overlay_gizmos).chain());
    app.run();
    results.lock().map(|mut r| std::mem::take(&mut *r)).unwrap_or_default()
}

/// Gizmos of the title/legend overlay (pixel units, render layer 1).
#[derive(Default, Reflect, GizmoConfigGroup)]
struct OverlayGizmos;

#[derive(Component)]
struct MapCam;

#[derive(Component)]
struct OverlayCam;

/// Entities of the current image's title and legend.
#[derive(Component)]
struct OverlayItem;

/// Where the legend's engagement shapes go (pixel units), drawn each frame by gizmos.
#[derive(Component)]
struct LegendShape(Shape, [u8; 3], f32);

#[derive(Resource, Default)]
struct Captured(Option<Image>);

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
    retries: u32,
    clock: Option<std::time::Instant>,
    target: Option<Handle<Image>>,
    size: (u32, u32),
    /// The world rectangle of the current image.
    view: (Vec2, Vec2),
    /// Shared with the caller: `App::run` keeps the world.
    results: std::sync::Arc<std::sync::Mutex<Vec<Result<PathBuf, String>>>>,
    progress: Option<ProgressBar>,
}

const OVERLAY: usize = 1;

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

/// The overlay's font: egui's monospace (Hack), the window's, which has the accented letters
/// and symbols of player names and titles that Bevy's built-in ASCII subset lacks.
#[derive(Resource)]
struct OverlayFont(Handle<Font>);

fn spawn_cameras(mut commands: Commands, mut images: ResMut<Assets<Image>>, mut fonts: ResMut<Assets<Font>>) {
    commands.insert_resource(OverlayFont(fonts.add(Font::from_bytes(epaint_default_fonts::HACK_REGULAR.to_vec()))));
    let warm_up = images.add(Image::new_target_texture(8, 8, TextureFormat::Rgba8UnormSrgb, None));
    commands.insert_resource(WarmUpTarget(warm_up));
    commands.spawn((Camera2d, Camera { is_active: false, ..default() }, MapCam, crate::viewer::MapCamera));
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

#[allow(clippy::too_many_arguments)]
fn drive(
    mut commands: Commands,
    mut exporter: ResMut<Exporter>,
    mut library: ResMut<Library>,
    mut clock: ResMut<Clock>,
    mut images: ResMut<Assets<Image>>,
    mut captured: ResMut<Captured>,
    heat_state: Res<HeatState>,
    heat: Res<Heat>,
    view: Res<ViewSettings>,
    mut map_cam: MapCamQuery,
    mut overlay_cam: OverlayCamQuery,
    items: Query<Entity, With<OverlayItem>>,
    warm_up: Res<WarmUpTarget>,
    font: Res<OverlayFont>,
    mut exit: MessageWriter<AppExit>,
) {
    let e = &mut *exporter;
    match e.phase {
        Phase::Start => {
            timing("start-up or previous round", &mut e.clock);
            if e.next >= e.outs.len() {
                exit.write(AppExit::Success);
                return;
            }
            library.select(e.next);
            let Some(entry) = library.current() else { return };
            let round = entry.round();
            let t = e.settings.time_ms.unwrap_or_else(|| round.duration_ms());
            clock.0 = ReplayClock::new(round.duration_ms());
            clock.apply(ClockCommand::SetTime(t));
            let (min, max) = match e.settings.view {
                Some([x0, y0, x1, y1]) => (Vec2::new(x0.min(x1), y0.min(y1)), Vec2::new(x0.max(x1), y0.max(y1))),
                None => {
                    let (lo, hi) = round_bounds(round);
                    let margin = (hi - lo).max_element() * 0.06 + 100.0;
                    (lo - Vec2::splat(margin), hi + Vec2::splat(margin))
                }
            };
            let (w, h) = image_size(min, max, e.settings.size);
            let handle = images.add(Image::new_target_texture(w, h, TextureFormat::Rgba8UnormSrgb, None));
            let px = Vec2::new(w as f32, h as f32);
            // Multisampling quadruples the fill work and memory; big images have pixels to spare.
            let msaa = if e.settings.size > 2048 { Msaa::Off } else { Msaa::Sample4 };
            for (entity, mut camera, mut transform, mut projection) in &mut map_cam {
                camera.is_active = true;
                commands.entity(entity).insert((RenderTarget::Image(warm_up.0.clone().into()), msaa));
                camera.clear_color = if e.settings.transparent {
                    ClearColorConfig::Custom(Color::NONE)
                } else {
                    ClearColorConfig::Default
                };
                transform.translation = ((min + max) / 2.0).extend(transform.translation.z);
                *projection = fixed_projection(px, ((max - min) / px).max_element());
            }
            for (entity, mut camera, mut projection) in &mut overlay_cam {
                camera.is_active = true;
                *projection = fixed_projection(px, 1.0);
                commands.entity(entity).insert((RenderTarget::Image(warm_up.0.clone().into()), msaa));
            }
            for entity in &items {
                commands.entity(entity).despawn();
            }
            e.target = Some(handle);
            e.size = (w, h);
            e.view = (min, max);
            e.frames = 0;
            captured.0 = None;
            e.phase = Phase::Render;
        }
        Phase::Render => {
            e.frames += 1;
            timing(&format!("frame {}", e.frames), &mut e.clock);
            // The layer is rebuilt for the new round (when shown) before the overlay reads it.
            if heat.show && !heat_state.built_for(library.selected) {
                return;
            }
            if e.frames == 2
                && let Some(entry) = library.current()
            {
                spawn_overlay(
                    &mut commands,
                    &mut images,
                    e,
                    entry,
                    heat_state.layer.as_ref(),
                    &heat,
                    &view,
                    clock.time_ms(),
                    &font.0,
                );
            }
            // Software rendering of a big target is the slow part: the cameras draw only the
            // frame that is read back, once the layer, overlay and glyphs are ready.
            // The switch to the real target takes a frame to size the cameras' textures.
            if e.frames == 4
                && let Some(target) = e.target.clone()
            {
                // Bevy re-reads a camera's target size when its projection changes, not when
                // its target does: touch the projection too.
                for (entity, mut camera, _, mut projection) in &mut map_cam {
                    camera.is_active = true;
                    projection.set_changed();
                    commands.entity(entity).insert(RenderTarget::Image(target.clone().into()));
                }
                for (entity, mut camera, mut projection) in &mut overlay_cam {
                    camera.is_active = true;
                    projection.set_changed();
                    commands.entity(entity).insert(RenderTarget::Image(target.clone().into()));
                }
            }
            if e.frames >= 5
                && let Some(target) = e.target.clone()
            {
                for (_, mut camera, ..) in &mut map_cam {
                    camera.is_active = true;
                }
                for (_, mut camera, _) in &mut overlay_cam {
                    camera.is_active = true;
                }
                commands.spawn(Screenshot::image(target)).observe(
                    |shot: On<ScreenshotCaptured>, mut captured: ResMut<Captured>| {
                        captured.0 = Some(shot.image.clone());
                    },
                );
                e.phase = Phase::Capture;
            }
        }
        Phase::Capture => {
            for (_, mut camera, ..) in &mut map_cam {
                camera.is_active = false;
            }
            for (_, mut camera, _) in &mut overlay_cam {
                camera.is_active = false;
            }
            let Some(image) = captured.0.take() else { return };
            // An opaque export whose corner is not opaque was read back before it was drawn:
            // render a few more frames and read it again.
            let blank = !e.settings.transparent && image.data.as_ref().is_some_and(|d| d.get(3) == Some(&0));
            if blank && e.retries < 5 {
                e.retries += 1;
                e.frames = 4;
                e.phase = Phase::Render;
                return;
            }
            e.retries = 0;
            timing("read back", &mut e.clock);
            let result = save(e, &library, &heat, image);
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

fn save(e: &Exporter, library: &Library, heat: &Heat, image: Image) -> Result<PathBuf, String> {
    let out = e.outs[e.next].clone();
    let name = library.current().map(|en| en.round().name.base.clone()).unwrap_or_default();
    let rgba =
        image.try_into_dynamic().map_err(|err| format!("{name}: could not read the image back: {err:?}"))?.to_rgba8();
    let (title, description) =
        library.current().map(|en| (title_of(en.round()), describe(heat, en.round(), &e.settings))).unwrap_or_default();
    let text = PngText { title, description, source: name.clone() };
    write_png(&out, rgba.width(), rgba.height(), rgba.as_raw(), &e.settings, &text)
        .map_err(|err| format!("{name}: {err:#}"))?;
    Ok(out)
}

/// "supply · round 1 · 2025-12-20 20:00".
pub fn title_of(round: &Round) -> String {
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

fn describe(heat: &Heat, round: &Round, settings: &ExportSettings) -> String {
    let mut parts = Vec::new();
    if heat.show {
        parts.push(heat.describe(|c| round.display_name(c)));
    }
    if heat.engagements {
        parts.push("engagements".to_owned());
    }
    if heat.paths {
        parts.push("paths".to_owned());
    }
    if settings.players {
        parts.push("players".to_owned());
    }
    if heat.follows_cursor() || settings.players {
        parts.push(format!("at {}", mm_ss(settings.time_ms.unwrap_or_else(|| round.duration_ms()))));
    }
    parts.join(" · ")
}

#[allow(clippy::too_many_arguments)]
fn spawn_overlay(
    commands: &mut Commands,
    images: &mut Assets<Image>,
    e: &Exporter,
    entry: &crate::viewer::library::Entry,
    layer: Option<&HeatLayer>,
    heat: &Heat,
    view: &ViewSettings,
    time_ms: u32,
    font: &Handle<Font>,
) {
    let (w, h) = (e.size.0 as f32, e.size.1 as f32);
    let s = e.settings.size as f32 / 1000.0;
    let round = entry.round();
    let layers = RenderLayers::layer(OVERLAY);
    let text = |commands: &mut Commands, at: Vec2, anchor: Anchor, size: f32, colour: Color, content: String| {
        commands.spawn((
            OverlayItem,
            Text2d::new(content),
            TextFont::from_font_size(size * s).with_font(font.clone()),
            TextColor(colour),
            anchor,
            Transform::from_translation(at.extend(10.0)),
            layers.clone(),
        ));
    };
    let backing = |commands: &mut Commands, centre: Vec2, size: Vec2| {
        commands.spawn((
            OverlayItem,
            Sprite { color: Color::srgba(0.05, 0.05, 0.06, 0.78), custom_size: Some(size), ..default() },
            Transform::from_translation(centre.extend(5.0)),
            layers.clone(),
        ));
    };
    let pad = 14.0 * s;
    let top_left = Vec2::new(-w / 2.0, h / 2.0);
    if e.settings.title {
        let description = describe(heat, round, &e.settings);
        let width = (title_of(round).len().max(description.len()) as f32 * 9.5 * s).min(w - 2.0 * pad) + 2.0 * pad;
        backing(commands, top_left + Vec2::new(width / 2.0, -32.0 * s), Vec2::new(width, 64.0 * s));
        text(commands, top_left + Vec2::new(pad, -pad), Anchor::TOP_LEFT, 22.0, Color::WHITE, title_of(round));
        text(
            commands,
            top_left + Vec2::new(pad, -pad - 28.0 * s),
            Anchor::TOP_LEFT,
            14.0,
            Color::srgb(0.8, 0.8, 0.8),
            description,
        );
    }
    if view.players && view.names {
        // Names next to the players, in pixels of the image (the overlay's origin is its centre).
        let (min, max) = e.view;
        let units_per_px = ((max - min) / Vec2::new(w, h)).max_element();
        let centre = (min + max) / 2.0;
        for m in markers_at(&entry.timeline, time_ms, &view.hidden) {
            let p = (m.pos - centre) / units_per_px + Vec2::new(10.0, 10.0) * s;
            let colour = if m.alive { Color::srgb(0.92, 0.92, 0.92) } else { Color::srgb(0.55, 0.55, 0.55) };
            text(commands, p, Anchor::BOTTOM_LEFT, 12.0, colour, m.name);
        }
    }
    if !e.settings.legend {
        return;
    }
    let bottom_right = Vec2::new(w / 2.0, -h / 2.0);
    let mut y = bottom_right.y + pad;
    let legend_w = 300.0 * s;
    let left = bottom_right.x - pad - legend_w;
    let mut rows: Vec<(f32, f32)> = Vec::new();
    if heat.engagements {
        let marks = engagement_marks(&entry.timeline);
        let counts = type_counts(&marks);
        let counts: Vec<_> = counts.into_iter().filter(|(k, _)| !heat.hidden_types.contains(k)).collect();
        for chunk in counts.chunks(3).rev() {
            for (i, (kind, n)) in chunk.iter().enumerate() {
                let x = left + 12.0 * s + i as f32 * legend_w / 3.0;
                let shape = marks.iter().find(|m| m.kind == *kind).map_or(Shape::Diamond, |m| m.shape);
                commands.spawn((
                    OverlayItem,
                    LegendShape(shape, type_rgb(kind), 6.0 * s),
                    Transform::from_xyz(x, y + 9.0 * s, 0.0),
                ));
                text(
                    commands,
                    Vec2::new(x + 12.0 * s, y + 9.0 * s),
                    Anchor::CENTER_LEFT,
                    13.0,
                    Color::WHITE,
                    format!("{kind} ({n})"),
                );
            }
            y += 22.0 * s;
        }
        text(
            commands,
            Vec2::new(left, y + 2.0 * s),
            Anchor::BOTTOM_LEFT,
            13.0,
            Color::srgb(0.8, 0.8, 0.8),
            "engagements".into(),
        );
        y += 26.0 * s;
    }
    if let Some(layer) = layer.filter(|_| heat.show) {
        let stops = legend_stops(&heat.0, layer, 256);
        let bar: Vec<u8> = stops.iter().flat_map(|(_, c)| *c).collect();
        let mut image = Image::new(
            bevy::render::render_resource::Extent3d { width: 256, height: 1, depth_or_array_layers: 1 },
            bevy::render::render_resource::TextureDimension::D2,
            bar,
            TextureFormat::Rgba8UnormSrgb,
            bevy::asset::RenderAssetUsages::RENDER_WORLD,
        );
        image.sampler = bevy::image::ImageSampler::linear();
        let bar_h = 14.0 * s;
        let lo = if layer.diverging { -layer.hi } else { 0.0 };
        for v in nice_ticks(lo, layer.hi, 5) {
            let f = if layer.hi > lo { (v - lo) / (layer.hi - lo) } else { 0.0 };
            let x = left + legend_w * f;
            let anchor = if f < 0.05 {
                Anchor::BOTTOM_LEFT
            } else if f > 0.95 {
                Anchor::BOTTOM_RIGHT
            } else {
                Anchor::BOTTOM_CENTER
            };
            text(commands, Vec2::new(x, y), anchor, 12.0, Color::WHITE, format_value(v));
        }
        y += 18.0 * s;
        commands.spawn((
            OverlayItem,
            Sprite { image: images.add(image), custom_size: Some(Vec2::new(legend_w, bar_h)), ..default() },
            Transform::from_translation(Vec2::new(left + legend_w / 2.0, y + bar_h / 2.0).extend(8.0)),
            layers.clone(),
        ));
        y += bar_h + 6.0 * s;
        let unit = if layer.diverging { format!("Axis − Allies, {}", layer.unit) } else { layer.unit.to_owned() };
        text(commands, Vec2::new(left, y), Anchor::BOTTOM_LEFT, 13.0, Color::srgb(0.8, 0.8, 0.8), unit);
        y += 20.0 * s;
        if let Some(note) = &layer.note {
            text(commands, Vec2::new(left, y), Anchor::BOTTOM_LEFT, 11.0, Color::srgb(0.9, 0.75, 0.4), note.clone());
            y += 18.0 * s;
        }
    }
    if y > bottom_right.y + pad {
        rows.push((bottom_right.y, y + pad));
    }
    for (y0, y1) in rows {
        backing(commands, Vec2::new(left + legend_w / 2.0, (y0 + y1) / 2.0), Vec2::new(legend_w + 2.0 * pad, y1 - y0));
    }
}

fn format_value(v: f32) -> String {
    if v.fract() == 0.0 || v.abs() >= 10.0 { format!("{v:.0}") } else { format!("{v:.1}") }
}

fn draw_overlay_gizmos(mut gizmos: Gizmos<OverlayGizmos>, shapes: Query<(&LegendShape, &Transform)>) {
    for (LegendShape(shape, [r, g, b], radius), t) in &shapes {
        draw_shape(&mut gizmos, *shape, t.translation.truncate(), *radius, Color::srgb_u8(*r, *g, *b));
    }
}
