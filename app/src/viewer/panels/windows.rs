//! The floating windows: the keys (generated from the shortcut table), the round's statistics,
//! its load report, notes and errors about opening, and the hint shown while a file is dragged
//! over the window.

use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};
use proxviz_data::{Statistics, StatsConfig, statistics};

use super::super::open::{DropHover, OpenNotice};
use super::super::shortcuts::{MOUSE_HELP, help_rows};
use super::super::state::Windows;
use super::color32;
use crate::scene::library::{Library, RoundKey};
use crate::scene::model::present::player_rgb;

/// Statistics of the replayed round, computed once per round.
#[derive(Default)]
pub(super) struct StatsCache(Option<(RoundKey, Statistics)>);

pub(super) fn windows_ui(
    mut contexts: EguiContexts,
    library: Res<Library>,
    mut windows: ResMut<Windows>,
    mut notice: ResMut<OpenNotice>,
    hover: Res<DropHover>,
    mut stats: Local<StatsCache>,
) -> Result {
    let _probe = crate::scene::timing::scope();
    let ctx = contexts.ctx_mut()?.clone();
    if windows.help {
        egui::Window::new("Keys").open(&mut windows.help).show(&ctx, help_ui);
    }
    if hover.0 {
        egui::Area::new("drop_hint".into()).anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO).show(&ctx, |ui| {
            egui::Frame::popup(ui.style()).show(ui, |ui| {
                ui.heading("Drop a gamestats folder or a round file to open it");
            });
        });
    }
    if let Some(text) = notice.0.clone() {
        let mut open = true;
        egui::Window::new("Note").open(&mut open).show(&ctx, |ui| {
            ui.label(text);
        });
        if !open {
            notice.0 = None;
        }
    }
    if let Some(err) = &library.error {
        egui::Window::new("Could not open").show(&ctx, |ui| {
            ui.label(err);
        });
    }
    let Some(entry) = library.current() else { return Ok(()) };
    if !entry.round().report.is_clean() {
        egui::Window::new("Load report").default_open(false).show(&ctx, |ui| {
            for line in entry.round().report.to_string().lines() {
                ui.monospace(line);
            }
        });
    }
    if windows.stats {
        if stats.0.as_ref().is_none_or(|(key, _)| *key != entry.key) {
            stats.0 = Some((entry.key, statistics(&entry.timeline, &StatsConfig::for_round(entry.round()))));
        }
        if let Some((_, s)) = &stats.0 {
            egui::Window::new("Statistics")
                .open(&mut windows.stats)
                .default_width(520.0)
                .show(&ctx, |ui| stats_ui(ui, s));
        }
    }
    Ok(())
}

/// The keys and mouse actions.
fn help_ui(ui: &mut egui::Ui) {
    egui::Grid::new("keys").show(ui, |ui| {
        for (keys, what) in help_rows() {
            ui.monospace(keys);
            ui.label(what);
            ui.end_row();
        }
        for (what_to_do, what) in MOUSE_HELP {
            ui.monospace(what_to_do);
            ui.label(what);
            ui.end_row();
        }
    });
}

fn stats_ui(ui: &mut egui::Ui, s: &Statistics) {
    ui.label(format!(
        "positions {} · combat events {} · engagements {} · heatmap cells {}",
        s.total_positions, s.total_combat_events, s.total_engagements, s.total_heatmap_cells
    ));
    let join = |m: &std::collections::BTreeMap<String, usize>| {
        m.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ")
    };
    ui.label(format!("combat by type: {}", join(&s.combat_by_type)));
    ui.label(format!("engagement types: {}", join(&s.engagement_type_count)));
    ui.label(format!("average engagement distance: {:.1} units", s.average_engagement_distance));
    egui::ScrollArea::vertical().max_height(320.0).show(ui, |ui| {
        egui::Grid::new("player_stats").striped(true).show(ui, |ui| {
            for h in ["player", "K", "D", "dmg+", "dmg−", "shots", "hits", "acc", "distance"] {
                ui.strong(h);
            }
            ui.end_row();
            for p in &s.players {
                ui.colored_label(color32(player_rgb(p.clientnum, p.team)), &p.name);
                ui.label(p.kills.to_string());
                ui.label(p.deaths.to_string());
                ui.label(p.damage_given.to_string());
                ui.label(p.damage_taken.to_string());
                ui.label(p.shots.to_string());
                ui.label(p.hits.to_string());
                ui.label(p.accuracy.map_or_else(|| "-".into(), |a| format!("{:.0}%", a * 100.0)));
                ui.label(format!("{:.0}", p.distance_travelled_units));
                ui.end_row();
            }
        });
    });
}
