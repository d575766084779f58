//! The kill feed in the map's top-right corner (the last seconds' kills, killer → weapon →
//! victim in team colours, as the game shows them) and the player card in its top-left corner:
//! health, weapon in hand and kills/deaths at the cursor of the hovered player, else of the
//! followed one.

use bevy::prelude::*;
use bevy::window::PrimaryWindow;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};

use super::map_view::PanelInsets;
use super::panels::color32;
use super::state::UiPass;
use crate::scene::clock::Clock;
use crate::scene::heat_layer::Heat;
use crate::scene::library::Library;
use crate::scene::markers::Present;
use crate::scene::model::kill_feed::{FeedLine, PlayerCard, card_at, feed_at};
use crate::scene::model::present::{player_rgb, team_rgb};
use crate::scene::view::{MapCamera, ViewSettings};

/// How near (pixels) the pointer must be to a player's marker to hover it.
const HOVER_PX: f32 = 12.0;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(EguiPrimaryContextPass, feed_and_card.in_set(UiPass::Overlays));
}

#[allow(clippy::too_many_arguments)]
fn feed_and_card(
    mut contexts: EguiContexts,
    (library, clock, heat, view): (Res<Library>, Res<Clock>, Res<Heat>, Res<ViewSettings>),
    present: Res<Present>,
    insets: Res<PanelInsets>,
    camera: Single<(&Camera, &GlobalTransform), With<MapCamera>>,
    window: Single<&Window, With<PrimaryWindow>>,
) -> Result {
    let _probe = crate::scene::timing::scope();
    let Some(entry) = library.current() else { return Ok(()) };
    let ctx = contexts.ctx_mut()?.clone();
    let t = clock.time_ms();
    let (left, right, top) = (insets.left + 10.0, window.width() - insets.right - 10.0, insets.top + 10.0);

    if heat.kill_feed {
        let lines = feed_at(&entry.timeline, t);
        if !lines.is_empty() {
            egui::Area::new("kill_feed".into())
                .fixed_pos(egui::pos2(right, top))
                .pivot(egui::Align2::RIGHT_TOP)
                .order(egui::Order::Foreground)
                .interactable(false)
                .show(&ctx, |ui| feed_ui(ui, &lines));
        }
    }

    if !view.players {
        return Ok(());
    }
    // The hovered player, else the followed one.
    let (camera, global) = *camera;
    let hovered = window.cursor_position().filter(|_| !ctx.is_pointer_over_egui()).and_then(|cursor| {
        present
            .shown(&view.hidden)
            .filter_map(|m| {
                let p = camera.world_to_viewport(global, m.pos.extend(0.0)).ok()?;
                let d = p.distance(cursor);
                (d <= HOVER_PX).then_some((m.clientnum, d))
            })
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(cn, _)| cn)
    });
    let Some(card) = hovered.or(view.follow).and_then(|cn| card_at(&entry.timeline, cn, t)) else { return Ok(()) };
    egui::Area::new("player_card".into())
        .fixed_pos(egui::pos2(left, top))
        .order(egui::Order::Foreground)
        .interactable(false)
        .show(&ctx, |ui| card_ui(ui, &card, hovered.is_none()));
    Ok(())
}

fn team_colour(team: Option<proxviz_data::Team>) -> egui::Color32 {
    text_colour(team_rgb(team))
}

/// Brighter than the markers' colours: text on a dark, translucent backing.
fn text_colour([r, g, b]: [f32; 3]) -> egui::Color32 {
    color32([(r + 0.25).min(1.0), (g + 0.25).min(1.0), (b + 0.25).min(1.0)])
}

fn backing(ui: &egui::Ui) -> egui::Frame {
    egui::Frame::new()
        .fill(egui::Color32::from_black_alpha(170))
        .corner_radius(4.0)
        .inner_margin(egui::Margin::symmetric(8, 5))
        .stroke(egui::Stroke::new(1.0, ui.visuals().widgets.noninteractive.bg_stroke.color))
}

fn feed_ui(ui: &mut egui::Ui, lines: &[FeedLine]) {
    backing(ui).show(ui, |ui| {
        for line in lines {
            let fade = |c: egui::Color32| c.gamma_multiply(line.opacity);
            ui.horizontal(|ui| {
                ui.spacing_mut().item_spacing.x = 6.0;
                if let Some((name, team)) = &line.killer {
                    ui.label(egui::RichText::new(name).strong().color(fade(team_colour(*team))));
                }
                // Seed-format rounds do not say what killed: an arrow then.
                let what = if line.means == "?" { "→".to_owned() } else { format!("[{}]", line.means) };
                let means = if line.teamkill { format!("{what} team kill") } else { what };
                let means_colour =
                    if line.teamkill { egui::Color32::from_rgb(255, 170, 60) } else { egui::Color32::LIGHT_GRAY };
                ui.label(egui::RichText::new(means).color(fade(means_colour)));
                let (name, team) = &line.victim;
                ui.label(egui::RichText::new(name).strong().color(fade(team_colour(*team))));
            });
        }
    });
}

fn card_ui(ui: &mut egui::Ui, card: &PlayerCard, followed: bool) {
    backing(ui).show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.label(
                egui::RichText::new(&card.name).strong().color(text_colour(player_rgb(card.clientnum, card.team))),
            );
            ui.weak(format!("#{}", card.clientnum));
            if followed {
                ui.weak("· followed");
            }
        });
        let state = match (card.alive, card.health) {
            (false, _) => "dead".to_owned(),
            (true, Some(h)) => format!("{h} HP"),
            (true, None) => "alive".to_owned(),
        };
        ui.label(format!("{state} · {}", card.weapon.as_deref().unwrap_or("weapon not seen yet")));
        ui.label(format!("K/D {}", card.kd()));
    });
}
