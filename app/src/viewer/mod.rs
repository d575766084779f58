//! The replay window: Bevy + egui, one plugin per feature (library loading, replay clock, map
//! view, drawing, panels). `proxviz` with no argument opens the embedded demo rounds,
//! `proxviz <path>` a folder or a round.

mod clock;
mod demo;
mod draw;
pub mod layers;
mod layers_ui;
pub mod library;
mod map_view;
pub mod open;
pub mod perf;
mod screenshot;
mod ui;

use std::path::PathBuf;

use bevy::prelude::*;
use bevy::winit::WinitSettings;
use bevy_egui::EguiPlugin;

pub use self::clock::{Clock, ClockMsg};
pub use self::library::{Library, Source};
pub use self::open::{OpenRequest, RecentFolders};
use crate::replay::scene::Hidden;

/// Every system of the viewer's own (not Bevy's or egui's), in `Update` and in the egui pass:
/// the performance probe times them as one span.
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub struct OurSystems;

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
    /// Help window open.
    pub help: bool,
    /// Statistics window open.
    pub stats: bool,
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
            help: false,
            stats: false,
        }
    }
}

/// What the window opens with.
#[derive(Debug, Clone, Default)]
pub struct ViewerOptions {
    /// A folder or round; `None` for the demo rounds.
    pub path: Option<PathBuf>,
    /// Start at this time (seconds into the round).
    pub at_secs: Option<f64>,
    /// Save a screenshot of the window there (plus `<file>.json` with the markers' pixel
    /// positions) once the round is drawn, then quit.
    pub screenshot: Option<PathBuf>,
    /// Heatmap and engagement layers to start with.
    pub heat: crate::heat::HeatSettings,
    /// Run the performance probe and quit.
    pub perf: Option<perf::PerfOptions>,
}

pub use self::map_view::MapCamera;

/// Player markers, trails and death marks (the window's and the export's).
pub fn draw_plugin(app: &mut App) {
    draw::plugin(app);
}

/// Heatmap sprite, whole-round paths and engagement markers (the window's and the export's).
pub fn layers_plugin(app: &mut App) {
    layers::plugin(app);
}

/// All of the viewer but the window, so tests can add it to a headless app.
pub fn plugin(app: &mut App) {
    app.init_resource::<ViewSettings>();
    library::plugin(app);
    clock::plugin(app);
    open::plugin(app);
}

/// The map's background, on screen and in exports.
pub const BACKGROUND: Color = Color::srgb(0.09, 0.10, 0.11);

/// Bevy with proxviz's window (1600×1000) and background. `scripted` runs (screenshots)
/// compile every pipeline in the frame that first needs it, so a captured frame is complete.
fn window_app(scripted: bool) -> App {
    let mut app = App::new();
    app.add_plugins(
        DefaultPlugins
            .set(WindowPlugin {
                primary_window: Some(Window {
                    title: "proxviz".into(),
                    resolution: (1600u32, 1000u32).into(),
                    ..default()
                }),
                ..default()
            })
            .set(bevy::render::RenderPlugin { synchronous_pipeline_compilation: scripted, ..default() }),
    )
    .insert_resource(ClearColor(BACKGROUND));
    app
}

/// Opens the window and runs until it is closed.
pub fn run(options: ViewerOptions) -> anyhow::Result<()> {
    if let Some(path) = &options.path
        && !path.exists()
        && !path
            .with_file_name(format!(
                "{}_positions.txt",
                path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()
            ))
            .exists()
    {
        anyhow::bail!("{}: no such file or folder", path.display());
    }
    if let Some(probe) = options.perf.clone().filter(|p| p.empty) {
        // The baseline: a window of the same size with nothing in it.
        let mut app = window_app(false);
        app.add_systems(Startup, |mut commands: Commands| {
            commands.spawn(Camera2d);
        });
        perf::plugin(&mut app, probe);
        app.run();
        return Ok(());
    }
    let mut app = window_app(options.screenshot.is_some());
    app.add_plugins(EguiPlugin::default()).insert_resource(WinitSettings::desktop_app());
    plugin(&mut app);
    open::user_plugin(&mut app);
    map_view::plugin(&mut app);
    draw::plugin(&mut app);
    app.insert_resource(layers::Heat(options.heat.clone()));
    layers::plugin(&mut app);
    layers_ui::plugin(&mut app);
    ui::plugin(&mut app);
    screenshot::plugin(&mut app, options.at_secs, options.screenshot.clone());
    if let Some(probe) = options.perf.clone() {
        perf::plugin(&mut app, probe);
    }
    let source = options.path.map_or(Source::Demo, Source::Path);
    app.world_mut().resource_mut::<Library>().open(source);
    app.run();
    Ok(())
}
