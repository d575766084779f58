//! The Export window (Ctrl+E): an image or a clip; size, area (what is on screen or the whole
//! round), title, legend, transparency, a clip's range (the loop range, else a minute from the
//! cursor), frames per second and speed, and the file; it runs `proxviz export` with the
//! window's settings in a child process (a window cannot host a second renderer), so the
//! picture matches the screen.

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
use crate::scene::model::clock::mm_ss;
use crate::scene::picture::{Clip, ExportSettings, SIZES};

/// Clip sizes the window offers.
const CLIP_SIZES: [u32; 3] = [480, 720, 1080];

/// Clip speeds the window offers.
const CLIP_SPEEDS: [f32; 5] = [0.5, 1.0, 2.0, 4.0, 8.0];

/// What a clip from the window shows: the loop range, else a minute of replay from the cursor.
pub fn clip_range(loop_range: Option<(u32, u32)>, time_ms: u32, duration_ms: u32) -> (u32, u32) {
    match loop_range {
        Some((a, b)) if b > a => (a, b),
        _ => {
            let from = time_ms.min(duration_ms.saturating_sub(1_000));
            (from, from.saturating_add(60_000).min(duration_ms).max(from + 1))
        }
    }
}

/// `path` with its extension made `ext`.
fn with_extension(path: &str, ext: &str) -> String {
    PathBuf::from(path).with_extension(ext).display().to_string()
}
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
    /// An animated clip instead of an image.
    pub clip: bool,
    /// Clip frames per second.
    pub fps: u32,
    /// Clip replay speed.
    pub speed: f32,
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
            clip: false,
            fps: 10,
            speed: 1.0,
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
    let range = clip_range(clock.loop_range(), clock.time_ms(), entry.round().duration_ms());
    egui::Window::new("Export").open(&mut open).resizable(false).show(&ctx, |ui| {
        egui::Grid::new("export_grid").show(ui, |ui| {
            ui.label("export");
            ui.horizontal(|ui| {
                let was = export.clip;
                ui.radio_value(&mut export.clip, false, "image");
                ui.radio_value(&mut export.clip, true, "clip").on_hover_text(
                    "an animated GIF (or MP4 with ffmpeg) of the loop range, else a minute from the cursor",
                );
                if export.clip != was {
                    let (ext, size) = if export.clip { ("gif", 720) } else { ("png", 2048) };
                    export.path = with_extension(&export.path, ext);
                    export.size = size;
                }
            });
            ui.end_row();
            ui.label("size");
            let sizes: &[u32] = if export.clip { &CLIP_SIZES } else { &SIZES };
            egui::ComboBox::from_id_salt("export_size").selected_text(format!("{} px", export.size)).show_ui(
                ui,
                |ui| {
                    for &s in sizes {
                        ui.selectable_value(&mut export.size, s, format!("{s} px"));
                    }
                },
            );
            ui.end_row();
            if export.clip {
                ui.label("range");
                ui.label(format!(
                    "{} – {}{}",
                    mm_ss(range.0),
                    mm_ss(range.1),
                    if clock.loop_range().is_some() {
                        " (loop range)"
                    } else {
                        " (set a loop range: Shift+drag on the timeline, or I / O)"
                    }
                ));
                ui.end_row();
                ui.label("clip");
                ui.horizontal(|ui| {
                    ui.add(egui::DragValue::new(&mut export.fps).range(1..=30).suffix(" fps"));
                    egui::ComboBox::from_id_salt("clip_speed").selected_text(format!("×{}", export.speed)).show_ui(
                        ui,
                        |ui| {
                            for s in CLIP_SPEEDS {
                                ui.selectable_value(&mut export.speed, s, format!("×{s}"));
                            }
                        },
                    );
                    let frames = Clip { from_ms: range.0, to_ms: range.1, fps: export.fps, speed: export.speed }
                        .frame_times(entry.round().duration_ms())
                        .len();
                    ui.weak(format!("{frames} frames, {:.0} s", frames as f32 / export.fps.max(1) as f32));
                });
                ui.end_row();
            }
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
                if !export.clip {
                    ui.checkbox(&mut export.transparent, "transparent background");
                }
            });
            ui.end_row();
            ui.label("file");
            ui.horizontal(|ui| {
                ui.add(egui::TextEdit::singleline(&mut export.path).desired_width(360.0));
                let choosing = export.choosing.is_some();
                let button = ui.add_enabled(!choosing, egui::Button::new("…"));
                if button.on_hover_text("choose with the system dialog").clicked() {
                    let name = if export.clip { format!("{base}_clip.gif") } else { format!("{base}_heatmap.png") };
                    export.choosing = Some(ask_save_path(name));
                }
            });
            ui.end_row();
        });
        ui.weak("Same layers, colours and filters as the map; sizes scale with the image.");
        ui.horizontal(|ui| {
            let busy = export.running.is_some();
            let label = if export.clip { "Export clip" } else { "Export" };
            if ui.add_enabled(!busy, egui::Button::new(label)).clicked() {
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
            transparent: export.transparent && !export.clip,
            title: export.title,
            legend: export.legend,
            season: if season.on { entry.round().map().and_then(|m| season.filter(m).ok()) } else { None },
            clip: export.clip.then_some(Clip {
                from_ms: range.0,
                to_ms: range.1,
                fps: export.fps,
                speed: export.speed,
            }),
            compare: None,
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
        let dialog = if file_name.ends_with(".png") {
            rfd::AsyncFileDialog::new().add_filter("PNG", &["png"])
        } else {
            rfd::AsyncFileDialog::new().add_filter("Clip", &["gif", "mp4"])
        };
        let dialog = dialog.set_file_name(file_name);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clip_is_the_loop_range_else_a_minute_from_the_cursor_inside_the_round() {
        assert_eq!(clip_range(Some((10_000, 25_000)), 0, 600_000), (10_000, 25_000));
        assert_eq!(clip_range(None, 30_000, 600_000), (30_000, 90_000));
        assert_eq!(clip_range(None, 590_000, 600_000), (590_000, 600_000));
        // At the very end: the last second.
        assert_eq!(clip_range(None, 600_000, 600_000), (599_000, 600_000));
        assert_eq!(with_extension("/tmp/a_heatmap.png", "gif"), "/tmp/a_heatmap.gif");
    }
}
