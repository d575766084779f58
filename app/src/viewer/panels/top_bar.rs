//! The top bar: the File menu (open a folder or a round through the system dialog, the demo,
//! recent folders), what is being replayed, and the view toggles.

use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};

use super::super::open::{OpenRequest, PendingDialog, RecentFolders};
use super::super::shortcuts::Shortcut;
use super::super::state::Windows;
use super::{FreeArea, panel_root};
use crate::scene::library::{Library, Source};
use crate::scene::view::ViewSettings;

#[allow(clippy::too_many_arguments)]
pub(super) fn top_bar_ui(
    mut contexts: EguiContexts,
    mut free: ResMut<FreeArea>,
    library: Res<Library>,
    mut view: ResMut<ViewSettings>,
    mut windows: ResMut<Windows>,
    recent: Option<Res<RecentFolders>>,
    pending: Res<PendingDialog>,
    mut open: MessageWriter<OpenRequest>,
    mut shortcuts: MessageWriter<Shortcut>,
) -> Result {
    let _probe = crate::scene::timing::scope();
    let ctx = contexts.ctx_mut()?.clone();
    let mut root = panel_root(&ctx, &free, "top");
    // Edit copies: the resources change only when a toggle does.
    let (mut v, mut w) = (view.clone(), windows.clone());
    egui::Panel::top("top").show(&mut root, |ui| {
        ui.horizontal(|ui| {
            ui.strong("proxviz");
            ui.menu_button("File", |ui| {
                let open_folder = format!("Open folder…  ({})", Shortcut::Open.keys_label());
                if ui.add_enabled(!pending.is_open(), egui::Button::new(open_folder)).clicked() {
                    open.write(OpenRequest::PickFolder);
                    ui.close();
                }
                if ui.add_enabled(!pending.is_open(), egui::Button::new("Open round file…")).clicked() {
                    open.write(OpenRequest::PickFile);
                    ui.close();
                }
                if ui.button("Open from database…").on_hover_text("rounds imported into PostgreSQL").clicked() {
                    w.database = true;
                    ui.close();
                }
                if ui.button("Open the demo rounds").clicked() {
                    open.write(OpenRequest::Source(Source::Demo));
                    ui.close();
                }
                if ui.button("Game folders…").on_hover_text("where the maps' command maps are read from").clicked() {
                    w.game_folders = true;
                    ui.close();
                }
                ui.separator();
                ui.label("Recent");
                match recent.as_deref() {
                    Some(r) if !r.paths.is_empty() => {
                        for path in &r.paths {
                            if ui.button(path.display().to_string()).clicked() {
                                open.write(OpenRequest::Source(Source::Path(path.clone())));
                                ui.close();
                            }
                        }
                    }
                    _ => {
                        ui.weak("nothing yet (drop a folder on the window)");
                    }
                }
            });
            ui.separator();
            match library.current() {
                Some(e) => {
                    let r = e.round();
                    ui.label(format!(
                        "{}  {}  round {}  ·  {} players  ·  {} kills",
                        r.name.date.map_or_else(|| "-".into(), |d| d.to_string()),
                        r.map().unwrap_or("unknown map"),
                        r.round_number().map_or_else(|| "-".into(), |n| n.to_string()),
                        e.players,
                        e.kills
                    ));
                    if let Some(source) = &library.source {
                        ui.weak(format!("· {}", source.label())).on_hover_text("where this round came from");
                    }
                    if library.loading {
                        ui.spinner();
                    }
                }
                None if library.busy() => {
                    ui.spinner();
                    ui.label(format!("loading {}…", library.source.as_ref().map(|s| s.label()).unwrap_or_default()));
                }
                None => {
                    ui.label("no round open");
                }
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.toggle_value(&mut w.help, "Help").on_hover_text(Shortcut::Help.keys_label());
                ui.toggle_value(&mut w.stats, "Statistics");
                if ui.button("Fit").on_hover_text(Shortcut::Fit.keys_label()).clicked() {
                    shortcuts.write(Shortcut::Fit);
                }
                ui.toggle_value(&mut v.heat_grid, "Heatmap grid");
                ui.toggle_value(&mut v.trails, "Trails").on_hover_text(Shortcut::Trails.keys_label());
                ui.toggle_value(&mut v.names, "Names").on_hover_text(Shortcut::Names.keys_label());
            });
        });
    });
    free.0 = root.available_rect_before_wrap();
    if v != *view {
        *view = v;
    }
    if w != *windows {
        *windows = w;
    }
    Ok(())
}
