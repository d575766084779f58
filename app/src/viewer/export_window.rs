//! The Export window (Ctrl+E): size, area (what is on screen or the whole round), title, legend,
//! transparency and the file; it runs `proxviz export` with the window's settings in a child
//! process (a window cannot host a second renderer), so the image matches the screen.

use std::path::PathBuf;

use bevy::prelude::*;
use bevy::window::PrimaryWindow;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};

use super::database::Database;
use super::game_data::GameFolders;
use super::map_view::PanelInsets;
use super::season::SeasonView;
use super::state::{UiPass, Windows};
use crate::scene::backdrop::{Backdrop, ShownFloor};
use crate::scene::clock::Clock;
use crate::scene::heat_layer::Heat;
use crate::scene::jobs::Job;
use crate::scene::library::{Library, Source};
use crate::scene::model::backdrop::BackdropSettings;
use crate::scene::picture::{ExportSettings, SIZES};
use crate::scene::view::{MapCamera, ViewSettings};

/// The Export window's state.
#[derive(Resource)]
pub struct ExportUi {
    /// Longer side in pixels.
    pub size: u32,
    /// Transparent background.
    pub transparent: bool,
    /// Title drawn.
    pub title: bool,
    /// Legend drawn.
    pub legend: bool,
    /// Export what is on screen (otherwise the whole round).
    pub on_screen: bool,
    /// Where to save (editable).
    pub path: String,
    /// What happened last.
    pub status: Option<Result<String, String>>,
    running: Option<Job<String>>,
    choosing: Option<Job<Option<PathBuf>>>,
}

impl Default for ExportUi {
    fn default() -> Self {
        Self {
            size: 2048,
            transparent: false,
            title: true,
            legend: true,
            on_screen: true,
            path: String::new(),
            status: None,
            running: None,
            choosing: None,
        }
    }
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<ExportUi>().add_systems(EguiPrimaryContextPass, export_window_ui.in_set(UiPass::Overlays));
}

#[allow(clippy::too_many_arguments)]
fn export_window_ui(
    mut contexts: EguiContexts,
    mut export: ResMut<ExportUi>,
    mut windows: ResMut<Windows>,
    library: Res<Library>,
    heat: Res<Heat>,
    (backdrop, folders, floor): (Res<Backdrop>, Res<GameFolders>, Res<ShownFloor>),
    settings: Res<ViewSettings>,
    clock: Res<Clock>,
    insets: Res<PanelInsets>,
    (season, database): (Res<SeasonView>, Res<Database>),
    camera: Single<(&Camera, &GlobalTransform), With<MapCamera>>,
    window: Single<&Window, With<PrimaryWindow>>,
) -> Result {
    let _probe = crate::scene::timing::scope();
    let ctx = contexts.ctx_mut()?.clone();
    // A path picked in the save dialog, and a finished export.
    if let Some(answer) = export.choosing.as_ref().and_then(Job::poll_once) {
        if let Ok(Some(path)) = answer {
            export.path = path.display().to_string();
        }
        export.choosing = None;
    }
    if let Some(result) = export.running.as_ref().and_then(Job::poll_once) {
        export.status = Some(result);
        export.running = None;
    }
    if !windows.export {
        return Ok(());
    }
    let Some(entry) = library.current() else { return Ok(()) };
    let base = entry.round().name.base.clone();
    if export.path.is_empty() {
        let dir = std::env::current_dir().unwrap_or_default();
        export.path = dir.join(format!("{base}_heatmap.png")).display().to_string();
    }
    let mut open = windows.export;
    let mut go = false;
    egui::Window::new("Export image").open(&mut open).resizable(false).show(&ctx, |ui| {
        egui::Grid::new("export_grid").show(ui, |ui| {
            ui.label("size");
            egui::ComboBox::from_id_salt("export_size").selected_text(format!("{} px", export.size)).show_ui(
                ui,
                |ui| {
                    for s in SIZES {
                        ui.selectable_value(&mut export.size, s, format!("{s} px"));
                    }
                },
            );
            ui.end_row();
            ui.label("area");
            ui.horizontal(|ui| {
                ui.radio_value(&mut export.on_screen, true, "what is on screen");
                ui.radio_value(&mut export.on_screen, false, "whole round");
            });
            ui.end_row();
            ui.label("");
            ui.horizontal(|ui| {
                ui.checkbox(&mut export.title, "title");
                ui.checkbox(&mut export.legend, "legend");
                ui.checkbox(&mut export.transparent, "transparent background");
            });
            ui.end_row();
            ui.label("file");
            ui.horizontal(|ui| {
                ui.add(egui::TextEdit::singleline(&mut export.path).desired_width(360.0));
                let choosing = export.choosing.is_some();
                let button = ui.add_enabled(!choosing, egui::Button::new("…"));
                if button.on_hover_text("choose with the system dialog").clicked() {
                    export.choosing = Some(ask_save_path(format!("{base}_heatmap.png")));
                }
            });
            ui.end_row();
        });
        ui.weak("Same layers, colours and filters as the map; sizes scale with the image.");
        ui.horizontal(|ui| {
            let busy = export.running.is_some();
            if ui.add_enabled(!busy, egui::Button::new("Export")).clicked() {
                go = true;
            }
            if busy {
                ui.spinner();
                ui.label("rendering…");
            }
        });
        match &export.status {
            Some(Ok(p)) => {
                ui.colored_label(egui::Color32::from_rgb(120, 200, 120), format!("saved {p}"));
            }
            Some(Err(e)) => {
                ui.colored_label(egui::Color32::from_rgb(230, 110, 100), e);
            }
            None => {}
        }
    });
    windows.export = open;
    if go {
        let (camera, global) = *camera;
        let view = if export.on_screen {
            insets.visible_world(camera, global, &window).map(|(a, b)| [a.x, a.y, b.x, b.y])
        } else {
            None
        };
        let s = ExportSettings {
            size: export.size,
            heat: heat.0.clone(),
            // The floor on screen, also when it follows a player.
            backdrop: BackdropSettings { floor: floor.floor.or(backdrop.floor), ..backdrop.0 },
            players: settings.players,
            names: settings.names,
            trail_secs: settings.trail_secs,
            time_ms: Some(clock.time_ms()),
            view,
            transparent: export.transparent,
            title: export.title,
            legend: export.legend,
            season: if season.on { entry.round().map().and_then(|m| season.filter(m).ok()) } else { None },
        };
        let source = library.source.clone().unwrap_or(Source::Demo);
        let out = PathBuf::from(export.path.clone());
        export.status = None;
        let url = database.client.as_ref().map(|c| c.url().to_owned());
        export.running = Some(spawn_export(source, base, out, &s, folders.all(), url));
    }
    Ok(())
}

/// The system's save dialog on its own thread (the window keeps drawing); `None` when cancelled.
fn ask_save_path(file_name: String) -> Job<Option<PathBuf>> {
    Job::once("save dialog", move || {
        let dialog = rfd::AsyncFileDialog::new().add_filter("PNG", &["png"]).set_file_name(file_name);
        pollster::block_on(dialog.save_file()).map(|h| h.path().to_path_buf())
    })
}

/// Runs `proxviz export` for one round with `settings` in a child process (a window cannot host
/// a second renderer); the job gives its result.
fn spawn_export(
    source: Source,
    base: String,
    out: PathBuf,
    settings: &ExportSettings,
    etmain: Vec<PathBuf>,
    database_url: Option<String>,
) -> Job<String> {
    let json = serde_json::to_string(settings).unwrap_or_default();
    Job::spawn("export", move |sink| {
        let exe = std::env::current_exe().map_err(|e| format!("cannot find proxviz itself: {e}"))?;
        let mut cmd = std::process::Command::new(exe);
        cmd.arg("export");
        match &source {
            Source::Demo => {
                cmd.arg("--demo");
            }
            Source::Path(p) => {
                cmd.arg(p);
            }
            Source::Database { id, .. } => {
                // The password travels in the child's environment, never on its command line.
                let url = database_url.as_deref().ok_or("the database connection is gone: connect again")?;
                cmd.arg("--round-id").arg(id.to_string()).env("DATABASE_URL", url);
            }
        }
        if !matches!(source, Source::Database { .. }) {
            cmd.env_remove("DATABASE_URL");
        }
        cmd.arg("--round").arg(&base).arg("--out").arg(&out).arg("--settings-json").arg(&json);
        for folder in &etmain {
            cmd.arg("--etmain").arg(folder);
        }
        let output = cmd.output().map_err(|e| format!("cannot run the export: {e}"))?;
        if !output.status.success() {
            let err = String::from_utf8_lossy(&output.stderr);
            return Err(err.lines().filter(|l| l.starts_with("error")).collect::<Vec<_>>().join("\n"));
        }
        sink.send(out.display().to_string());
        Ok(())
    })
}
