//! The left panel: the open rounds as a table (click to replay one), the round's revives and
//! objective events (click one to go there), and the players at the cursor (team, alive, K/D so
//! far; click a name to follow, untick to hide a player or a team).

use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};

use super::{FreeArea, color32, panel_root, rgb32};
use crate::scene::clock::{Clock, ClockMsg};
use crate::scene::library::{Library, RoundKey, SelectRound};
use crate::scene::markers::Present;
use crate::scene::model::clock::{ClockCommand, mm_ss};
use crate::scene::model::present::{Marker, kd_all, player_rgb, team_rgb};
use crate::scene::model::round_events::{describe, event_rgb};
use crate::scene::view::ViewSettings;

#[allow(clippy::too_many_arguments)]
pub(super) fn lists_ui(
    mut contexts: EguiContexts,
    mut free: ResMut<FreeArea>,
    library: Res<Library>,
    clock: Res<Clock>,
    present: Res<Present>,
    mut view: ResMut<ViewSettings>,
    mut select: MessageWriter<SelectRound>,
    mut clock_out: MessageWriter<ClockMsg>,
    mut list: Local<(RoundListFilter, RoundListView)>,
) -> Result {
    let _probe = crate::scene::timing::scope();
    let ctx = contexts.ctx_mut()?.clone();
    let mut root = panel_root(&ctx, &free, "lists");
    // Edit a copy: the view settings change only when a toggle does.
    let mut v = view.clone();
    egui::Panel::left("lists").resizable(true).default_size(300.0).show(&mut root, |ui| {
        let (filter, view) = &mut *list;
        if let Some(key) = rounds_ui(ui, &library, filter, view) {
            select.write(SelectRound(key));
        }
        ui.separator();
        if let Some(t) = events_ui(ui, &library, clock.time_ms()) {
            clock_out.write(ClockMsg(ClockCommand::SetTime(t)));
        }
        players_ui(ui, &library, &present, clock.time_ms(), &mut v);
    });
    free.0 = root.available_rect_before_wrap();
    if v != *view {
        *view = v;
    }
    Ok(())
}

/// The round list's filters: part of a date (`2026-03`), a map, part of a player's name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct RoundListFilter {
    date: String,
    map: Option<String>,
    player: String,
}

/// What the round list shows, kept between frames: built again only when the filter or what is
/// listed changed (a season's folder lists thousands of rounds).
#[derive(Default)]
pub(super) struct RoundListView {
    built_for: Option<(RoundListFilter, usize, usize, Option<RoundKey>)>,
    maps: Vec<String>,
    rows: Vec<usize>,
}

impl RoundListView {
    fn refresh(&mut self, library: &Library, filter: &RoundListFilter) {
        let first = library.listings.first().map(|l| l.key);
        let stamp = (filter.clone(), library.listings.len(), library.indexed, first);
        if self.built_for.as_ref() == Some(&stamp) {
            return;
        }
        let mut maps: Vec<String> = library.listings.iter().filter_map(|l| l.summary.map.clone()).collect();
        maps.sort();
        maps.dedup();
        self.maps = maps;
        let date = filter.date.trim();
        self.rows = library
            .listings
            .iter()
            .enumerate()
            .filter(|(_, l)| {
                let s = &l.summary;
                (date.is_empty() || s.date.is_some_and(|d| d.to_string().starts_with(date)))
                    && filter.map.as_ref().is_none_or(|m| s.map.as_ref() == Some(m))
                    && s.has_player(&filter.player)
            })
            .map(|(i, _)| i)
            .collect();
        self.built_for = Some(stamp);
    }
}

/// The rounds list, newest first, filtered and built only for the rows in view; the round
/// clicked, if any.
fn rounds_ui(
    ui: &mut egui::Ui,
    library: &Library,
    filter: &mut RoundListFilter,
    view: &mut RoundListView,
) -> Option<RoundKey> {
    view.refresh(library, filter);
    ui.horizontal(|ui| {
        ui.heading("Rounds");
        let total = library.listings.len();
        if view.rows.len() == total {
            ui.weak(total.to_string());
        } else {
            ui.weak(format!("{} of {total}", view.rows.len()));
        }
        if library.loading {
            ui.spinner();
            ui.weak(format!("reading {}/{total}", library.indexed))
                .on_hover_text("each round is read once; the round index remembers them for next time");
        }
    });
    ui.horizontal(|ui| {
        ui.add(egui::TextEdit::singleline(&mut filter.date).hint_text("date").desired_width(64.0))
            .on_hover_text("part of a date: 2026-03 for a month");
        let shown = filter.map.clone().unwrap_or_else(|| "every map".to_owned());
        egui::ComboBox::from_id_salt("round_map").width(96.0).selected_text(shown).show_ui(ui, |ui| {
            ui.selectable_value(&mut filter.map, None, "every map");
            for m in &view.maps {
                ui.selectable_value(&mut filter.map, Some(m.clone()), m);
            }
        });
        ui.add(egui::TextEdit::singleline(&mut filter.player).hint_text("player").desired_width(72.0))
            .on_hover_text("part of a player's name (colour codes ignored)");
    });
    let mut pick = None;
    // Narrow cells: a row fits the panel's default width (put back for what follows).
    let spacing = ui.spacing().clone();
    ui.spacing_mut().button_padding = egui::vec2(2.0, 1.0);
    ui.spacing_mut().item_spacing.x = 3.0;
    let widths = [70.0, 36.0, 82.0, 14.0, 20.0, 28.0];
    ui.horizontal(|ui| {
        for (h, w) in ["date", "time", "map", "rd", "pl", "kills"].into_iter().zip(widths) {
            ui.add_sized([w, 14.0], egui::Label::new(egui::RichText::new(h).weak()));
        }
    });
    let row_height = ui.spacing().interact_size.y;
    egui::ScrollArea::vertical().id_salt("rounds").max_height(220.0).show_rows(
        ui,
        row_height,
        view.rows.len(),
        |ui, rows| {
            for &i in &view.rows[rows] {
                let l = &library.listings[i];
                let s = &l.summary;
                let selected = library.selected == Some(l.key) || library.reading == Some(l.key);
                let pending = || if s.indexed { None } else { Some("…".to_owned()) };
                let cells = [
                    s.date.map_or_else(|| "-".into(), |d| d.to_string()),
                    s.time.map_or_else(|| "-".into(), |t| t.format("%H:%M").to_string()),
                    s.map.clone().unwrap_or_else(|| "?".to_owned()),
                    s.round.map_or_else(|| "-".into(), |n| n.to_string()),
                    pending().unwrap_or_else(|| s.players.to_string()),
                    pending().unwrap_or_else(|| s.kills.to_string()),
                ];
                ui.horizontal(|ui| {
                    for (cell, w) in cells.into_iter().zip(widths) {
                        let button = egui::Button::selectable(selected, cell).truncate();
                        if ui.add_sized([w, row_height], button).clicked() {
                            pick = Some(l.key);
                        }
                    }
                });
            }
        },
    );
    *ui.spacing_mut() = spacing;
    if library.reading.is_some() {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.weak("reading the round…");
        });
    }
    pick
}

/// The round's revives and objective events, the latest one up to the cursor highlighted; the
/// time of the one clicked, if any. Nothing when the round has none.
fn events_ui(ui: &mut egui::Ui, library: &Library, time_ms: u32) -> Option<u32> {
    let entry = library.current()?;
    let round = entry.round();
    if round.events.is_empty() {
        return None;
    }
    let current = round.events.partition_point(|e| e.time_ms <= time_ms).checked_sub(1);
    let mut pick = None;
    egui::CollapsingHeader::new(format!("Revives & objectives ({})", round.events.len()))
        .id_salt("round_events")
        .default_open(true)
        .show(ui, |ui| {
            let row_height = ui.spacing().interact_size.y;
            egui::ScrollArea::vertical().id_salt("round_events_rows").max_height(160.0).show_rows(
                ui,
                row_height,
                round.events.len(),
                |ui, rows| {
                    for i in rows {
                        let e = &round.events[i];
                        ui.horizontal(|ui| {
                            let (dot, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
                            ui.painter().circle_filled(dot.center(), 4.0, rgb32(event_rgb(e.kind)));
                            let text = format!("{}  {}", mm_ss(e.time_ms), describe(round, e));
                            let label = egui::Button::selectable(current == Some(i), text).truncate();
                            if ui.add(label).on_hover_text("go to this moment").clicked() {
                                pick = Some(e.time_ms);
                            }
                        });
                    }
                },
            );
        });
    ui.separator();
    pick
}

/// The players at the cursor, with team show/hide, follow and hide.
fn players_ui(ui: &mut egui::Ui, library: &Library, present: &Present, time_ms: u32, view: &mut ViewSettings) {
    ui.horizontal(|ui| {
        ui.heading("Players");
        for team in [proxviz_data::Team::Axis, proxviz_data::Team::Allies] {
            let mut shown = !view.hidden.teams.contains(&team);
            let text = egui::RichText::new(team.name()).color(color32(team_rgb(Some(team))));
            if ui.checkbox(&mut shown, text).on_hover_text("show / hide the team").changed() {
                view.hidden.set_team(team, shown);
            }
        }
    });
    let Some(entry) = library.current() else { return };
    let mut markers: Vec<&Marker> = present.0.iter().collect();
    markers.sort_by_key(|m| (m.team.map(|t| t.number()), m.clientnum));
    let kd = kd_all(&entry.timeline, time_ms);
    ui.horizontal(|ui| {
        ui.add_space(16.0);
        ui.add_sized([150.0, 14.0], egui::Label::new(egui::RichText::new("name").weak()));
        ui.add_sized([44.0, 14.0], egui::Label::new(egui::RichText::new("K/D").weak()));
        ui.weak("show");
    });
    // Only the rows in view are built: 64 players cost what 25 do.
    let row_height = ui.spacing().interact_size.y;
    egui::ScrollArea::vertical().id_salt("players").show_rows(ui, row_height, markers.len(), |ui, rows| {
        for m in &markers[rows] {
            ui.horizontal(|ui| {
                let (k, d) = kd.get(&m.clientnum).copied().unwrap_or_default();
                let colour = color32(player_rgb(m.clientnum, m.team));
                let (dot, _) = ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
                if m.alive {
                    ui.painter().circle_filled(dot.center(), 4.5, colour);
                } else {
                    let d = 3.5;
                    let c = dot.center();
                    let stroke = egui::Stroke::new(1.5, colour);
                    ui.painter().line_segment([c - egui::vec2(d, d), c + egui::vec2(d, d)], stroke);
                    ui.painter().line_segment([c + egui::vec2(-d, d), c + egui::vec2(d, -d)], stroke);
                }
                let following = view.follow == Some(m.clientnum);
                let name = egui::Button::selectable(following, m.name.as_str()).truncate();
                // Names and teams a seed-format round only implies are marked as inferred.
                let round = entry.round();
                let (name_guess, team_guess) = (round.name_inferred(m.clientnum), round.team_inferred(m.clientnum));
                let hover = match (name_guess, team_guess) {
                    (false, false) => "follow".to_owned(),
                    (n, t) => format!(
                        "follow · {} inferred from the round's files (the seed's format has no roster)",
                        match (n, t) {
                            (true, true) => "name and team",
                            (true, false) => "name",
                            _ => "team",
                        }
                    ),
                };
                let name = if name_guess || team_guess {
                    egui::Button::selectable(following, egui::RichText::new(format!("{} ≈", m.name)).italics())
                        .truncate()
                } else {
                    name
                };
                if ui.add_sized([150.0, row_height], name).on_hover_text(hover).clicked() {
                    view.follow = if following { None } else { Some(m.clientnum) };
                }
                ui.add_sized([44.0, row_height], egui::Label::new(format!("{k}/{d}")));
                let mut shown = !view.hidden.players.contains(&m.clientnum);
                if ui.checkbox(&mut shown, "").changed() {
                    view.hidden.set_player(m.clientnum, shown);
                }
            });
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::library::Source;

    #[test]
    fn the_round_list_filters_by_date_map_and_player() {
        let library = Library::with_rounds(Source::Demo, crate::scene::demo::rounds());
        let mut view = RoundListView::default();
        let rows = |view: &mut RoundListView, filter: &RoundListFilter| {
            view.refresh(&library, filter);
            view.rows.len()
        };
        assert_eq!(rows(&mut view, &RoundListFilter::default()), 4);
        assert_eq!(view.maps, ["supply", "sw_goldrush_te"]);
        let supply = RoundListFilter { map: Some("supply".into()), ..RoundListFilter::default() };
        assert_eq!(rows(&mut view, &supply), 2);
        let december = RoundListFilter { date: "2025-12".into(), ..RoundListFilter::default() };
        assert_eq!(rows(&mut view, &december), 4);
        let other_year = RoundListFilter { date: "2026".into(), ..RoundListFilter::default() };
        assert_eq!(rows(&mut view, &other_year), 0);
        let fritz = RoundListFilter { player: "FRITZ".into(), ..RoundListFilter::default() };
        let with_fritz = library.listings.iter().filter(|l| l.summary.names.iter().any(|n| n == "Fritz")).count();
        assert!(with_fritz > 0);
        assert_eq!(rows(&mut view, &fritz), with_fritz);
        let nobody = RoundListFilter { player: "nobody".into(), ..RoundListFilter::default() };
        assert_eq!(rows(&mut view, &nobody), 0);
    }
}
