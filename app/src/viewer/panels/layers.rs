//! The Layers panel on the right (heatmap mode, filters, colours and its legend; engagement
//! markers with their legend and type filter; paths; players), hovering and clicking
//! engagement markers on the map, and the Export window (Ctrl+E), which renders through
//! `proxviz export` so the image matches the screen.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, channel};

use bevy::prelude::*;
use bevy::window::PrimaryWindow;
use bevy_egui::{EguiContexts, egui};

use proxviz_data::heatmap::TeamSelection;

use super::ViewSettings;
use super::clock::{Clock, ClockMsg};
use super::layers::{ENGAGEMENT_PX, Heat, HeatState};
use super::library::{Library, Source};
use super::map_view::{MapCamera, PanelInsets};
use crate::export::{ExportSettings, SIZES};
use crate::heat::{
    EngagementMark, HeatMode, Scale, Shape, Window as HeatWindow, engagement_marks, legend_stops, nice_ticks,
    type_counts, type_rgb, visible_engagements,
};
use crate::replay::clock::{ClockCommand, mm_ss};
use crate::replay::scene::team_rgb;

/// The Export window's state.
#[derive(Resource)]
pub struct ExportUi {
    /// Window open.
    pub open: bool,
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
    running: Option<Mutex<Receiver<Result<String, String>>>>,
    choosing: Option<Mutex<Receiver<Option<PathBuf>>>>,
}

impl Default for ExportUi {
    fn default() -> Self {
        Self {
            open: false,
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

/// Engagement marks of the selected round, computed once per selection.
#[derive(Resource, Default)]
pub(super) struct Marks(Option<usize>, Vec<EngagementMark>, Vec<(String, usize, Shape)>);

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<ExportUi>().init_resource::<Marks>();
}

/// What the Layers panel reads and changes.
#[derive(bevy::ecs::system::SystemParam)]
pub(super) struct LayersParams<'w> {
    heat: ResMut<'w, Heat>,
    state: Res<'w, HeatState>,
    marks: ResMut<'w, Marks>,
    export: ResMut<'w, ExportUi>,
}

fn color32(rgb: [u8; 3]) -> egui::Color32 {
    egui::Color32::from_rgb(rgb[0], rgb[1], rgb[2])
}

/// Paints an engagement shape in egui (legend and list).
fn paint_shape(painter: &egui::Painter, shape: Shape, c: egui::Pos2, r: f32, colour: egui::Color32) {
    let stroke = egui::Stroke::new(1.6, colour);
    match shape {
        Shape::Circle => {
            painter.circle_stroke(c, r, stroke);
        }
        Shape::Triangle => {
            let pts: Vec<egui::Pos2> = [90.0f32, 210.0, 330.0, 90.0]
                .iter()
                .map(|a| c + egui::vec2(a.to_radians().cos(), -a.to_radians().sin()) * r * 1.2)
                .collect();
            painter.line(pts, stroke);
        }
        Shape::Square => {
            painter.rect_stroke(
                egui::Rect::from_center_size(c, egui::Vec2::splat(r * 1.7)),
                0.0,
                stroke,
                egui::StrokeKind::Middle,
            );
        }
        Shape::Diamond => {
            let d = r * 1.06;
            painter.line(
                vec![
                    c + egui::vec2(0.0, -d),
                    c + egui::vec2(d, 0.0),
                    c + egui::vec2(0.0, d),
                    c + egui::vec2(-d, 0.0),
                    c + egui::vec2(0.0, -d),
                ],
                stroke,
            );
        }
    }
}

/// The Layers panel, on the right of `root` (after the top and bottom bars); returns its width.
pub(super) fn right_panel(
    root: &mut egui::Ui,
    p: &mut LayersParams,
    library: &Library,
    settings: &mut ViewSettings,
    keys: &ButtonInput<KeyCode>,
) -> f32 {
    let LayersParams { heat, state, marks, export } = p;
    let ctrl = keys.any_pressed([KeyCode::ControlLeft, KeyCode::ControlRight, KeyCode::SuperLeft, KeyCode::SuperRight]);
    if ctrl && keys.just_pressed(KeyCode::KeyE) {
        export.open = true;
    }
    if marks.0 != library.selected {
        let list = library.current().map(|e| engagement_marks(&e.timeline)).unwrap_or_default();
        let counts = type_counts(&list)
            .into_iter()
            .map(|(kind, n)| {
                let shape = list.iter().find(|m| m.kind == kind).map_or(Shape::Diamond, |m| m.shape);
                (kind, n, shape)
            })
            .collect();
        **marks = Marks(library.selected, list, counts);
    }
    // Edit a copy, so the heatmap is rebuilt only when something really changed.
    let mut h = heat.0.clone();
    let right = egui::Panel::right("layers").resizable(true).default_size(270.0).show(root, |ui| {
        egui::ScrollArea::vertical().show(ui, |ui| {
            ui.heading("Layers");
            ui.horizontal(|ui| {
                ui.checkbox(&mut settings.players, "Players");
                ui.checkbox(&mut h.paths, "Paths").on_hover_text("every player's path over the round");
            });
            ui.separator();
            ui.checkbox(&mut h.show, egui::RichText::new("Kill heatmap").strong());
            ui.add_enabled_ui(h.show, |ui| {
                ui.horizontal(|ui| {
                    ui.radio_value(&mut h.mode, HeatMode::Grid, "Grid");
                    ui.radio_value(&mut h.mode, HeatMode::Kde, "Density");
                });
                match h.mode {
                    HeatMode::Grid => {
                        ui.horizontal(|ui| {
                            let round_cell = library.current().map_or(512, |e| e.round().grid_size_units());
                            let mut custom = h.cell_units.is_some();
                            ui.label("cell");
                            if ui.checkbox(&mut custom, "custom").changed() {
                                h.cell_units = custom.then_some(round_cell);
                            }
                            match &mut h.cell_units {
                                Some(c) => {
                                    ui.add(egui::DragValue::new(c).range(32..=4096).suffix(" u"));
                                }
                                None => {
                                    ui.weak(format!("{round_cell} u (round)"));
                                }
                            }
                        });
                    }
                    HeatMode::Kde => {
                        ui.horizontal(|ui| {
                            ui.label("radius");
                            ui.add(egui::DragValue::new(&mut h.radius_units).range(20.0..=2000.0).suffix(" u"));
                        });
                    }
                }
                ui.horizontal_wrapped(|ui| {
                    ui.label("kills by");
                    let both = !h.difference && h.team == TeamSelection::Both;
                    if ui.selectable_label(both, "both").clicked() {
                        (h.team, h.difference) = (TeamSelection::Both, false);
                    }
                    if ui.selectable_label(!h.difference && h.team == TeamSelection::Axis, "Axis").clicked() {
                        (h.team, h.difference) = (TeamSelection::Axis, false);
                    }
                    if ui.selectable_label(!h.difference && h.team == TeamSelection::Allies, "Allies").clicked() {
                        (h.team, h.difference) = (TeamSelection::Allies, false);
                    }
                    if ui.selectable_label(h.difference, "Axis − Allies").clicked() {
                        h.difference = true;
                    }
                });
                ui.horizontal_wrapped(|ui| {
                    ui.label("time");
                    ui.radio_value(&mut h.window, HeatWindow::Whole, "whole round");
                    ui.radio_value(&mut h.window, HeatWindow::UpToCursor, "up to cursor");
                    let last = matches!(h.window, HeatWindow::LastSeconds(_));
                    if ui.radio(last, "last").clicked() && !last {
                        h.window = HeatWindow::LastSeconds(30);
                    }
                    if let HeatWindow::LastSeconds(n) = &mut h.window {
                        ui.add(egui::DragValue::new(n).range(1..=600).suffix(" s"));
                    }
                });
                ui.horizontal(|ui| {
                    ui.label("colours");
                    egui::ComboBox::from_id_salt("scale").selected_text(h.scale.name()).show_ui(ui, |ui| {
                        for s in Scale::ALL {
                            ui.selectable_value(&mut h.scale, s, s.name());
                        }
                    });
                });
                ui.add(egui::Slider::new(&mut h.opacity, 0.05..=1.0).text("opacity"));
                if let Some(entry) = library.current() {
                    let label = if h.players.is_empty() {
                        "players: everyone".to_owned()
                    } else {
                        format!("players: {} chosen", h.players.len())
                    };
                    egui::CollapsingHeader::new(label).id_salt("heat_players").show(ui, |ui| {
                        if !h.players.is_empty() && ui.small_button("everyone").clicked() {
                            h.players.clear();
                        }
                        for p in &entry.round().players {
                            let mut on = h.players.contains(&p.clientnum);
                            let text = egui::RichText::new(entry.round().display_name(p.clientnum))
                                .color(crate::viewer::ui::color32(team_rgb(p.team)));
                            if ui.checkbox(&mut on, text).on_hover_text("kills by or of this player").changed() {
                                h.players.retain(|&c| c != p.clientnum);
                                if on {
                                    h.players.push(p.clientnum);
                                }
                            }
                        }
                    });
                }
                if let Some(layer) = &state.layer {
                    legend_ui(ui, &heat.0, layer);
                }
            });
            ui.separator();
            ui.checkbox(&mut h.engagements, egui::RichText::new("Engagements").strong());
            ui.add_enabled_ui(h.engagements, |ui| {
                ui.checkbox(&mut h.engagements_whole_round, "whole round (else ±5 s around the cursor)");
                // Only the rows in view are built (a long round has dozens of types).
                let row_height = ui.spacing().interact_size.y;
                egui::ScrollArea::vertical().id_salt("types").max_height(260.0).show_rows(
                    ui,
                    row_height,
                    marks.2.len(),
                    |ui, rows| {
                        for (kind, n, shape) in marks.2[rows].iter().cloned() {
                            ui.horizontal(|ui| {
                                let mut on = !h.hidden_types.contains(&kind);
                                let (rect, _) = ui.allocate_exact_size(egui::vec2(16.0, 16.0), egui::Sense::hover());
                                paint_shape(ui.painter(), shape, rect.center(), 5.0, color32(type_rgb(&kind)));
                                let toggled =
                                    ui.add_sized([70.0, row_height], egui::Checkbox::new(&mut on, kind.as_str()));
                                if toggled.changed() {
                                    h.hidden_types.retain(|k| *k != kind);
                                    if !on {
                                        h.hidden_types.push(kind.clone());
                                    }
                                }
                                ui.label(n.to_string());
                            });
                        }
                    },
                );
                ui.weak("circle: even fight · triangle: the killer's side had more · square: fewer");
            });
            ui.separator();
            if ui.button("Export image…  (Ctrl+E)").clicked() {
                export.open = true;
            }
        });
    });
    if h != heat.0 {
        heat.0 = h;
    }
    right.response.rect.width()
}

/// The heatmap's legend: the colour bar, round ticks, the unit and any note.
fn legend_ui(ui: &mut egui::Ui, settings: &crate::heat::HeatSettings, layer: &crate::heat::HeatLayer) {
    ui.add_space(4.0);
    let width = ui.available_width().min(240.0);
    let (rect, _) = ui.allocate_exact_size(egui::vec2(width, 14.0), egui::Sense::hover());
    let stops = legend_stops(settings, layer, 64);
    let step = rect.width() / stops.len() as f32;
    for (i, (_, c)) in stops.iter().enumerate() {
        let r = egui::Rect::from_min_size(
            rect.min + egui::vec2(i as f32 * step, 0.0),
            egui::vec2(step + 0.5, rect.height()),
        );
        ui.painter().rect_filled(r, 0.0, egui::Color32::from_rgb(c[0], c[1], c[2]));
    }
    let lo = if layer.diverging { -layer.hi } else { 0.0 };
    let (ticks_rect, _) = ui.allocate_exact_size(egui::vec2(width, 14.0), egui::Sense::hover());
    for v in nice_ticks(lo, layer.hi, 5) {
        let f = if layer.hi > lo { (v - lo) / (layer.hi - lo) } else { 0.0 };
        let x = ticks_rect.left() + f * width;
        let align = if f < 0.05 {
            egui::Align2::LEFT_TOP
        } else if f > 0.95 {
            egui::Align2::RIGHT_TOP
        } else {
            egui::Align2::CENTER_TOP
        };
        ui.painter().text(
            egui::pos2(x, ticks_rect.top()),
            align,
            format!("{v}"),
            egui::FontId::monospace(10.0),
            egui::Color32::from_gray(200),
        );
    }
    let unit = if layer.diverging { format!("Axis − Allies, {}", layer.unit) } else { layer.unit.to_owned() };
    ui.weak(format!("{unit} · {} kills", layer.kills));
    if let Some(note) = &layer.note {
        ui.colored_label(egui::Color32::from_rgb(230, 190, 100), note);
    }
}

/// Hovering an engagement marker shows who, what, how far and when; clicking it moves the
/// timeline there.
#[allow(clippy::too_many_arguments)]
pub(super) fn engagement_hover(
    mut contexts: EguiContexts,
    heat: Res<Heat>,
    marks: Res<Marks>,
    clock: Res<Clock>,
    buttons: Res<ButtonInput<MouseButton>>,
    camera: Single<(&Camera, &GlobalTransform), With<MapCamera>>,
    window: Single<&Window, With<PrimaryWindow>>,
    mut out: MessageWriter<ClockMsg>,
) -> Result {
    let _probe = super::perf::scope();
    if !heat.engagements {
        return Ok(());
    }
    let ctx = contexts.ctx_mut()?.clone();
    if ctx.is_pointer_over_egui() {
        return Ok(());
    }
    let Some(cursor) = window.cursor_position() else { return Ok(()) };
    let (camera, global) = *camera;
    let mut best: Option<(&EngagementMark, f32)> = None;
    for (m, _) in visible_engagements(&marks.1, &heat.0, clock.time_ms()) {
        let Ok(p) = camera.world_to_viewport(global, m.pos.extend(0.0)) else { continue };
        let d = p.distance(cursor);
        if d <= ENGAGEMENT_PX + 4.0 && best.is_none_or(|(_, bd)| d < bd) {
            best = Some((m, d));
        }
    }
    let Some((m, _)) = best else { return Ok(()) };
    egui::Area::new("engagement_tip".into())
        .fixed_pos(egui::pos2(cursor.x + 14.0, cursor.y + 14.0))
        .order(egui::Order::Tooltip)
        .show(&ctx, |ui| {
            egui::Frame::popup(ui.style()).show(ui, |ui| {
                ui.strong(format!("{}  {} → {}", m.kind, m.killer, m.victim));
                ui.label(format!("{} · {:.0} units apart", mm_ss(m.time_ms), m.distance));
                ui.weak("click: go to this moment");
            });
        });
    if buttons.just_released(MouseButton::Left) {
        out.write(ClockMsg(ClockCommand::SetTime(m.time_ms)));
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub(super) fn export_window(
    mut contexts: EguiContexts,
    mut export: ResMut<ExportUi>,
    library: Res<Library>,
    heat: Res<Heat>,
    settings: Res<ViewSettings>,
    clock: Res<Clock>,
    insets: Res<PanelInsets>,
    camera: Single<(&Camera, &GlobalTransform), With<MapCamera>>,
    window: Single<&Window, With<PrimaryWindow>>,
) -> Result {
    let _probe = super::perf::scope();
    let ctx = contexts.ctx_mut()?.clone();
    // Collect a finished export.
    let chosen = export.choosing.as_ref().map(|rx| rx.lock().ok().map(|rx| rx.try_recv()));
    match chosen {
        Some(Some(Ok(Some(path)))) => {
            export.path = path.display().to_string();
            export.choosing = None;
        }
        Some(Some(Ok(None) | Err(std::sync::mpsc::TryRecvError::Disconnected))) | Some(None) => export.choosing = None,
        _ => {}
    }
    let finished = export.running.as_ref().and_then(|rx| rx.lock().ok().and_then(|rx| rx.try_recv().ok()));
    if let Some(result) = finished {
        export.status = Some(result);
        export.running = None;
    }
    if !export.open {
        return Ok(());
    }
    let Some(entry) = library.current() else { return Ok(()) };
    let base = entry.round().name.base.clone();
    if export.path.is_empty() {
        let dir = std::env::current_dir().unwrap_or_default();
        export.path = dir.join(format!("{base}_heatmap.png")).display().to_string();
    }
    let mut open = export.open;
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
                    export.choosing = Some(Mutex::new(ask_save_path(format!("{base}_heatmap.png"))));
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
    export.open = open;
    if go {
        let (camera, global) = *camera;
        let view = if export.on_screen {
            let a = camera.viewport_to_world_2d(global, Vec2::new(insets.left, insets.top)).ok();
            let b = camera
                .viewport_to_world_2d(global, Vec2::new(window.width() - insets.right, window.height() - insets.bottom))
                .ok();
            a.zip(b).map(|(a, b)| [a.x.min(b.x), a.y.min(b.y), a.x.max(b.x), a.y.max(b.y)])
        } else {
            None
        };
        let s = ExportSettings {
            size: export.size,
            heat: heat.0.clone(),
            players: settings.players,
            names: settings.names,
            trail_secs: settings.trail_secs,
            time_ms: Some(clock.time_ms()),
            view,
            transparent: export.transparent,
            title: export.title,
            legend: export.legend,
        };
        let source = library.source.clone().unwrap_or(Source::Demo);
        let out = PathBuf::from(export.path.clone());
        export.status = None;
        export.running = Some(Mutex::new(spawn_export(source, base, out, &s)));
    }
    Ok(())
}

/// The system's save dialog on its own thread (the window keeps drawing); `None` when cancelled.
fn ask_save_path(file_name: String) -> Receiver<Option<PathBuf>> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let dialog = rfd::AsyncFileDialog::new().add_filter("PNG", &["png"]).set_file_name(file_name);
        let picked = pollster::block_on(dialog.save_file());
        let _ = tx.send(picked.map(|h| h.path().to_path_buf()));
    });
    rx
}

/// Runs `proxviz export` for one round with `settings` in a child process (a window cannot host
/// a second renderer); the result arrives on the channel.
fn spawn_export(
    source: Source,
    base: String,
    out: PathBuf,
    settings: &ExportSettings,
) -> Receiver<Result<String, String>> {
    let (tx, rx) = channel();
    let json = serde_json::to_string(settings).unwrap_or_default();
    std::thread::spawn(move || {
        let result = (|| {
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
            }
            cmd.arg("--round").arg(&base).arg("--out").arg(&out).arg("--settings-json").arg(&json);
            let output = cmd.output().map_err(|e| format!("cannot run the export: {e}"))?;
            if output.status.success() {
                Ok(out.display().to_string())
            } else {
                let err = String::from_utf8_lossy(&output.stderr);
                Err(err.lines().filter(|l| l.starts_with("error")).collect::<Vec<_>>().join("\n"))
            }
        })();
        let _ = tx.send(result);
    });
    rx
}
