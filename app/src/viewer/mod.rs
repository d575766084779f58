//! The replay window: a thin shell of Bevy + egui around the scene. The map view (fit, zoom,
//! pan, follow, grid), the keyboard shortcuts, the egui panels and windows, the Export window,
//! opening folders (dialog, drop, recent), scripted screenshots and the performance probe.
//! `proxviz` with no argument opens the embedded demo rounds, `proxviz <path>` a folder or a
//! round.

mod calibrate;
mod compare;
mod database;
mod export_window;
mod feed;
mod game_data;
mod hover;
mod idle;
mod labels;
mod map_view;
pub mod open;
mod panels;
pub mod perf;
mod screenshot;
mod season;
pub mod shortcuts;
pub mod state;

use std::path::PathBuf;

use bevy::prelude::*;
use bevy::winit::WinitSettings;
use bevy_egui::EguiPlugin;

use crate::scene::backdrop::Backdrop;
use crate::scene::library::{Library, Source};
use crate::scene::model::backdrop::{BackdropMode, BackdropSettings};
use crate::scene::model::heat::HeatSettings;
use crate::scene::view::BACKGROUND;

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
    pub heat: HeatSettings,
    /// Run the performance probe and quit.
    pub perf: Option<perf::PerfOptions>,
    /// Game folders to search for command maps (besides `PROXVIZ_ETMAIN` and the usual ones).
    pub etmain: Vec<PathBuf>,
    /// Which backdrop to start with.
    pub backdrop: BackdropMode,
    /// The database to connect File → Open from database… to (it may hold a password: kept in
    /// memory only).
    pub database_url: Option<String>,
    /// A stored round to open (with `database_url`).
    pub round_id: Option<i64>,
    /// Open the database browser at start (a URL was given on the command line).
    pub open_browser: bool,
    /// Follow the folder: new rounds are listed and replayed as they appear.
    pub follow: bool,
    /// Compare each round shown with its stopwatch partner.
    pub compare: bool,
}

/// Log lines on stderr, with colours only when stderr is a terminal (never escape codes in a
/// pipe or a log file).
pub fn log_plugin(level: bevy::log::Level, filter: &str) -> bevy::log::LogPlugin {
    bevy::log::LogPlugin {
        level,
        filter: filter.to_owned(),
        fmt_layer: |_| {
            use std::io::IsTerminal as _;
            let ansi = std::io::stderr().is_terminal();
            Some(Box::new(
                bevy::log::tracing_subscriber::fmt::Layer::default().with_writer(std::io::stderr).with_ansi(ansi),
            ))
        },
        ..default()
    }
}

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
            .set(bevy::render::RenderPlugin { synchronous_pipeline_compilation: scripted, ..default() })
            .set(log_plugin(bevy::log::Level::INFO, bevy::log::DEFAULT_FILTER)),
    )
    .insert_resource(ClearColor(BACKGROUND));
    app
}

/// The window's own plugins on top of the scene's.
fn plugin(app: &mut App) {
    crate::scene::plugin(app);
    state::plugin(app);
    idle::plugin(app);
    shortcuts::plugin(app);
    open::plugin(app);
    map_view::plugin(app);
    panels::plugin(app);
    labels::plugin(app);
    hover::plugin(app);
    feed::plugin(app);
    export_window::plugin(app);
    game_data::plugin(app);
    calibrate::plugin(app);
    database::plugin(app);
    season::plugin(app);
    compare::plugin(app);
    app.add_systems(Update, window_title.in_set(crate::scene::Frame::Draw));
}

/// The window's title says what is replayed and where it came from.
fn window_title(library: Res<Library>, mut window: Single<&mut Window, With<bevy::window::PrimaryWindow>>) {
    if !library.is_changed() {
        return;
    }
    let mut title = "proxviz".to_owned();
    if let Some(e) = library.current() {
        title.push_str(&format!(" — {}", crate::scene::picture::title_of(e.round())));
    }
    if let Some(source) = &library.source {
        title.push_str(&format!(" — {}", source.label()));
    }
    if window.title != title {
        window.title = title;
    }
}

/// Opens the window and runs until it is closed.
pub fn run(options: ViewerOptions) -> anyhow::Result<()> {
    // A round's base path names no file itself: one of its files must be there (a round of the
    // current public tracker has only `_engagements.txt`).
    let base_exists = |path: &std::path::Path| {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        proxviz_data::FileKind::ALL.iter().any(|k| path.with_file_name(format!("{name}{}", k.suffix())).exists())
    };
    if let Some(path) = &options.path
        && !path.exists()
        && !base_exists(path)
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
    app.insert_resource(crate::scene::heat_layer::Heat(options.heat.clone()))
        .insert_resource(game_data::GameFolders::load(
            options.etmain.clone(),
            crate::scene::dirs::config_dir().map(|d| d.join("game-folders.json")),
        ))
        .insert_resource(Backdrop(BackdropSettings { mode: options.backdrop, ..BackdropSettings::default() }));
    app.world_mut().resource_mut::<compare::CompareUi>().auto = options.compare;
    screenshot::plugin(&mut app, options.at_secs, options.screenshot.clone());
    if let Some(probe) = options.perf.clone() {
        perf::plugin(&mut app, probe);
    }
    app.insert_resource(database::Database::load(
        options.database_url.clone(),
        crate::scene::dirs::config_dir().map(|d| d.join("database.json")),
    ));
    match (options.round_id, options.database_url) {
        (Some(id), Some(url)) => app.world_mut().resource_mut::<Library>().open_database(url, id),
        _ => {
            // A database given without a round: the browser opens over the rounds.
            app.world_mut().resource_mut::<state::Windows>().database = options.open_browser;
            let source = options.path.map_or(Source::Demo, Source::Path);
            let mut library = app.world_mut().resource_mut::<Library>();
            library.open(source);
            library.follow_folder = options.follow;
        }
    }
    app.run();
    Ok(())
}
