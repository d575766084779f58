//! The Layers panel on the right: the kill heatmap (grid or density, cell or radius, team or
//! Axis − Allies, time window, colours, opacity, players) with its legend, the engagement
//! markers with their type filter, paths, players, the stopwatch compare, and the Export button.

use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};
use proxviz_data::heatmap::{KillPlace, TeamSelection};
use proxviz_data::weapons::weapon_label;

use super::super::compare::{CompareUi, compare_ui};
use super::super::database::Database;
use super::super::season::{SeasonView, season_ui};
use super::super::shortcuts::Shortcut;
use super::super::state::Windows;
use super::{FreeArea, color32, panel_root, rgb32};
use crate::scene::backdrop::{Backdrop, BackdropState, CommandMaps};
use crate::scene::compare::Compare;
use crate::scene::heat_layer::{Heat, HeatState};
use crate::scene::library::{Entry, Library, Source};
use crate::scene::model::backdrop::{BackdropMode, BackdropSettings};
use crate::scene::model::engagements::{Shape, TypeRow};
use crate::scene::model::heat::{HeatMode, HeatSettings, Scale, Window as HeatWindow};
use crate::scene::model::legend::{HeatLegend, TickAlign};
use crate::scene::model::present::player_rgb;
use crate::scene::season::SeasonLayer;
use crate::scene::view::ViewSettings;

/// Paints an engagement shape in egui (legend and list).
pub fn paint_shape(painter: &egui::Painter, shape: Shape, c: egui::Pos2, r: f32, colour: egui::Color32) {
    let stroke = egui::Stroke::new(1.6, colour);
    match shape.outline(r) {
        None => {
            painter.circle_stroke(c, r, stroke);
        }
        // egui's y runs down.
        Some(outline) => {
            painter.line(outline.into_iter().map(|q| c + egui::vec2(q.x, -q.y)).collect(), stroke);
        }
    }
}

/// The Layers panel on the right.
#[allow(clippy::too_many_arguments)]
pub(super) fn layers_panel_ui(
    mut contexts: EguiContexts,
    mut free: ResMut<FreeArea>,
    library: Res<Library>,
    mut heat: ResMut<Heat>,
    state: Res<HeatState>,
    (mut backdrop, backdrop_state, command_maps): (ResMut<Backdrop>, Res<BackdropState>, Res<CommandMaps>),
    (mut view, mut windows): (ResMut<ViewSettings>, ResMut<Windows>),
    (mut season, season_layer, database): (ResMut<SeasonView>, Res<SeasonLayer>, Res<Database>),
    mut shortcuts: MessageWriter<Shortcut>,
    (mut compare_state, mut compare): (ResMut<CompareUi>, ResMut<Compare>),
) -> Result {
    let _probe = crate::scene::timing::scope();
    let ctx = contexts.ctx_mut()?.clone();
    let mut root = panel_root(&ctx, &free, "layers");
    let entry = library.current();
    // Edit copies, so nothing is rebuilt unless something really changed.
    let mut h = heat.0.clone();
    let mut b = backdrop.0;
    let mut calibrate = windows.calibrate;
    let mut players = view.players;
    egui::Panel::right("layers").resizable(true).default_size(270.0).show(&mut root, |ui| {
        egui::ScrollArea::vertical().show(ui, |ui| {
            ui.heading("Layers");
            backdrop_ui(ui, &mut b, &backdrop_state, &command_maps, entry, &mut calibrate);
            ui.separator();
            ui.horizontal(|ui| {
                ui.checkbox(&mut players, "Players");
                ui.checkbox(&mut h.paths, "Paths").on_hover_text("every player's path over the round");
                ui.checkbox(&mut h.kill_feed, "Kill feed").on_hover_text("the last seconds' kills, top right");
            });
            let events = entry.map_or(0, |e| e.round().events.len());
            ui.add_enabled(events > 0, egui::Checkbox::new(&mut h.round_events, format!("Revives & objectives ({events})")))
                .on_hover_text("a green cross where a player was revived, a diamond where an objective was planted, \
                     defused, built, captured or carried (the current public tracker's rounds have them; ours have revives)")
                .on_disabled_hover_text("this round's files have no revives or objective events");
            ui.separator();
            ui.checkbox(&mut h.show, egui::RichText::new("Kill heatmap").strong());
            ui.add_enabled_ui(h.show, |ui| {
                let from_db = matches!(library.source, Some(Source::Database { .. })) && database.client.is_some();
                season_ui(ui, &mut season, &season_layer, entry.and_then(|e| e.round().map()), from_db);
                heatmap_ui(ui, &mut h, entry);
                if let Some(legend) = &state.legend {
                    legend_ui(ui, legend);
                }
            });
            ui.separator();
            ui.checkbox(&mut h.engagements, egui::RichText::new("Engagements").strong());
            ui.add_enabled_ui(h.engagements, |ui| {
                engagements_ui(ui, &mut h, entry.map_or(&[], |e| e.types.as_slice()));
            });
            ui.separator();
            compare_ui(ui, &mut compare_state, &mut compare, &library);
            ui.separator();
            let export = format!("Export image or clip…  ({})", Shortcut::Export.keys_label());
            if ui.button(export).clicked() {
                shortcuts.write(Shortcut::Export);
            }
        });
    });
    free.0 = root.available_rect_before_wrap();
    if h != heat.0 {
        heat.0 = h;
    }
    if b != backdrop.0 {
        backdrop.0 = b;
    }
    if calibrate != windows.calibrate {
        windows.calibrate = calibrate;
    }
    if players != view.players {
        view.players = players;
    }
    Ok(())
}

/// The map under the replay: which backdrop, its opacity and brightness, and what it shows.
fn backdrop_ui(
    ui: &mut egui::Ui,
    b: &mut BackdropSettings,
    state: &BackdropState,
    maps: &CommandMaps,
    entry: Option<&Entry>,
    calibrate: &mut bool,
) {
    ui.horizontal(|ui| {
        ui.strong("Map");
        egui::ComboBox::from_id_salt("backdrop").selected_text(b.mode.name()).show_ui(ui, |ui| {
            for mode in BackdropMode::ALL {
                ui.selectable_value(&mut b.mode, mode, mode.name());
            }
        });
    });
    ui.add_enabled_ui(b.mode != BackdropMode::None, |ui| {
        ui.add(egui::Slider::new(&mut b.opacity, 0.0..=1.0).text("opacity"));
        ui.add(egui::Slider::new(&mut b.brightness, 0.2..=2.0).text("brightness"));
    });
    if let Some(floors) = entry.and_then(|e| e.round().map()).and_then(|m| maps.floors.get(&m.to_ascii_lowercase())) {
        ui.horizontal(|ui| {
            ui.label("floor");
            let text = b.floor.map_or_else(|| "followed player's".to_owned(), |f| f.to_string());
            egui::ComboBox::from_id_salt("floor").selected_text(text).show_ui(ui, |ui| {
                ui.selectable_value(&mut b.floor, None, "followed player's")
                    .on_hover_text("the floor of the player the camera follows (else the ground floor)");
                for (i, ceiling) in floors.ceilings.iter().enumerate() {
                    ui.selectable_value(&mut b.floor, Some(i), format!("{i} (up to z {ceiling:.0})"));
                }
            });
        });
    }
    let map_key = entry.and_then(|e| e.round().map()).map(str::to_ascii_lowercase);
    let calibratable = map_key.as_ref().is_some_and(|m| maps.unplaced.contains_key(m) || maps.images.contains_key(m));
    if calibratable && ui.button("Calibrate…").on_hover_text("place the command map by hand").clicked() {
        *calibrate = true;
    }
    if state.image.is_some() {
        ui.checkbox(&mut b.silhouette_over_image, "silhouette over it")
            .on_hover_text("where players walked, to check that the image lines up");
    }
    let has_marks = !maps.marks(entry.and_then(|e| e.round().map())).is_empty();
    ui.add_enabled(has_marks, egui::Checkbox::new(&mut b.marks, "spawns and objectives"))
        .on_hover_text("from the map's BSP in the game folders")
        .on_disabled_hover_text("needs the map's BSP from the game folders");
    let map = entry.and_then(|e| e.round().map()).unwrap_or("this map");
    let what = if let Some(shown) = &state.image {
        format!("command map of {shown} from the game folders")
    } else if b.mode.shows_silhouette(false) {
        match state.rounds {
            1 => format!("silhouette of where players walked in this round of {map}"),
            n => format!("silhouette of where players walked in {n} rounds of {map}"),
        }
    } else if b.mode == BackdropMode::None {
        "no backdrop".to_owned()
    } else {
        format!("no command map of {map} found")
    };
    ui.weak(what);
    if maps.searching {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.weak("searching the game folders…");
        });
    }
    if !maps.notes.is_empty() {
        egui::CollapsingHeader::new("game folders").id_salt("game_folders").show(ui, |ui| {
            for note in &maps.notes {
                ui.weak(note);
            }
        });
    }
}

/// The heatmap's controls: grid or density, cell or radius, whose kills, time window, colours,
/// opacity, players.
fn heatmap_ui(ui: &mut egui::Ui, h: &mut HeatSettings, entry: Option<&Entry>) {
    ui.horizontal(|ui| {
        ui.radio_value(&mut h.mode, HeatMode::Grid, "Grid");
        ui.radio_value(&mut h.mode, HeatMode::Kde, "Density");
    });
    match h.mode {
        HeatMode::Grid => {
            ui.horizontal(|ui| {
                let round_cell = entry.map_or(512, |e| e.round().grid_size_units());
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
        ui.label("at the");
        ui.radio_value(&mut h.place, KillPlace::Victim, "victim's death")
            .on_hover_text("where players died (the tracker's own heatmap)");
        ui.radio_value(&mut h.place, KillPlace::Killer, "killer's place").on_hover_text("where kills were made from");
    });
    ui.checkbox(&mut h.kill_lines, "killer → victim lines")
        .on_hover_text("a line per kill counted, in the killer's colour");
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
    if let Some(entry) = entry {
        players_filter_ui(ui, &mut h.players, entry);
        weapons_filter_ui(ui, &mut h.weapons, entry);
        let objectives = entry.round().events.iter().filter(|e| e.kind.is_objective()).count();
        // On while a round has none (carried over): still there to turn off.
        ui.add_enabled_ui(objectives > 0 || h.near_objectives_s.is_some(), |ui| {
            ui.horizontal(|ui| {
                let mut near = h.near_objectives_s.is_some();
                if ui.checkbox(&mut near, "only near objectives").changed() {
                    h.near_objectives_s = near.then_some(30);
                }
                if let Some(s) = &mut h.near_objectives_s {
                    ui.add(egui::DragValue::new(s).range(1..=600).prefix("±").suffix(" s"));
                }
            })
            .response
            .on_hover_text(format!("kills within that time of one of the round's {objectives} objective events"))
            .on_disabled_hover_text("this round's files have no objective events");
        });
    }
}

/// Which weapons' kills the heatmap counts: those the round's kills were made with.
fn weapons_filter_ui(ui: &mut egui::Ui, chosen: &mut Vec<u16>, entry: &Entry) {
    let mut used: std::collections::BTreeMap<u16, usize> = std::collections::BTreeMap::new();
    // The kills only (a frame never walks every shot of a long round).
    for k in entry.timeline.kills().iter().filter(|k| k.by_player()) {
        if let Some(w) = entry.round().combat.get(k.event_index).and_then(|e| e.weapon) {
            *used.entry(w).or_default() += 1;
        }
    }
    // A filter carried over from another round stays visible, so it can be cleared.
    if used.is_empty() && chosen.is_empty() {
        return;
    }
    let name = weapon_label;
    let label = match chosen.len() {
        0 => "all weapons".to_owned(),
        1 => name(chosen[0]),
        n => format!("{n} weapons"),
    };
    ui.horizontal(|ui| {
        ui.label("weapons");
        egui::ComboBox::from_id_salt("weapons").selected_text(label).show_ui(ui, |ui| {
            if ui.selectable_label(chosen.is_empty(), "all weapons").clicked() {
                chosen.clear();
            }
            let mut by_count: Vec<(u16, usize)> = used.into_iter().collect();
            by_count.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            for (w, n) in by_count {
                let mut on = chosen.contains(&w);
                if ui.checkbox(&mut on, format!("{} ({n})", name(w))).changed() {
                    chosen.retain(|c| *c != w);
                    if on {
                        chosen.push(w);
                        chosen.sort_unstable();
                    }
                }
            }
        });
    });
}

/// Which players' kills (as killer or victim) the heatmap counts.
fn players_filter_ui(ui: &mut egui::Ui, chosen: &mut Vec<u16>, entry: &Entry) {
    let label =
        if chosen.is_empty() { "players: everyone".to_owned() } else { format!("players: {} chosen", chosen.len()) };
    egui::CollapsingHeader::new(label).id_salt("heat_players").show(ui, |ui| {
        if !chosen.is_empty() && ui.small_button("everyone").clicked() {
            chosen.clear();
        }
        for p in &entry.round().players {
            let mut on = chosen.contains(&p.clientnum);
            let text = egui::RichText::new(entry.round().display_name(p.clientnum))
                .color(color32(player_rgb(p.clientnum, p.team)));
            if ui.checkbox(&mut on, text).on_hover_text("kills by or of this player").changed() {
                chosen.retain(|&c| c != p.clientnum);
                if on {
                    chosen.push(p.clientnum);
                }
            }
        }
    });
}

/// The engagement markers' controls: whole round or around the cursor, and the type filter
/// with each type's shape, colour and count.
fn engagements_ui(ui: &mut egui::Ui, h: &mut HeatSettings, types: &[TypeRow]) {
    ui.checkbox(&mut h.engagements_whole_round, "whole round (else ±5 s around the cursor)");
    // Only the rows in view are built (a long round has dozens of types).
    let row_height = ui.spacing().interact_size.y;
    egui::ScrollArea::vertical().id_salt("types").max_height(260.0).show_rows(
        ui,
        row_height,
        types.len(),
        |ui, rows| {
            for row in &types[rows] {
                ui.horizontal(|ui| {
                    let mut on = !h.hidden_types.contains(&row.kind);
                    let (rect, _) = ui.allocate_exact_size(egui::vec2(16.0, 16.0), egui::Sense::hover());
                    paint_shape(ui.painter(), row.shape, rect.center(), 5.0, rgb32(row.rgb));
                    let toggled = ui.add_sized([70.0, row_height], egui::Checkbox::new(&mut on, row.kind.to_string()));
                    if toggled.changed() {
                        h.hidden_types.retain(|k| *k != row.kind);
                        if !on {
                            h.hidden_types.push(row.kind.clone());
                        }
                    }
                    ui.label(row.count.to_string());
                });
            }
        },
    );
    ui.weak("circle: even fight · triangle: the killer's side had more · square: fewer");
}

/// The heatmap's legend: the colour bar, round ticks, the unit, the kills counted and any note.
pub fn legend_ui(ui: &mut egui::Ui, legend: &HeatLegend) {
    ui.add_space(4.0);
    let width = ui.available_width().min(240.0);
    let (rect, _) = ui.allocate_exact_size(egui::vec2(width, 14.0), egui::Sense::hover());
    let step = rect.width() / legend.colours.len().max(1) as f32;
    for (i, c) in legend.colours.iter().enumerate() {
        let r = egui::Rect::from_min_size(
            rect.min + egui::vec2(i as f32 * step, 0.0),
            egui::vec2(step + 0.5, rect.height()),
        );
        ui.painter().rect_filled(r, 0.0, egui::Color32::from_rgb(c[0], c[1], c[2]));
    }
    let (ticks_rect, _) = ui.allocate_exact_size(egui::vec2(width, 14.0), egui::Sense::hover());
    for tick in &legend.ticks {
        let align = match tick.align() {
            TickAlign::Start => egui::Align2::LEFT_TOP,
            TickAlign::Centre => egui::Align2::CENTER_TOP,
            TickAlign::End => egui::Align2::RIGHT_TOP,
        };
        ui.painter().text(
            egui::pos2(ticks_rect.left() + tick.fraction * width, ticks_rect.top()),
            align,
            &tick.label,
            egui::FontId::monospace(10.0),
            egui::Color32::from_gray(200),
        );
    }
    ui.weak(format!("{} · {} kills", legend.unit, legend.kills));
    if let Some(note) = &legend.note {
        ui.colored_label(egui::Color32::from_rgb(230, 190, 100), note);
    }
}
