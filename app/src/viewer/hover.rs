//! Hovering an engagement marker on the map shows who killed whom, the fight type, how far apart
//! and when; clicking it moves the timeline there.

use bevy::prelude::*;
use bevy::window::PrimaryWindow;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};

use super::state::UiPass;
use crate::scene::clock::{Clock, ClockMsg};
use crate::scene::engagements::ENGAGEMENT_PX;
use crate::scene::heat_layer::Heat;
use crate::scene::library::Library;
use crate::scene::model::clock::{ClockCommand, mm_ss};
use crate::scene::model::engagements::{EngagementMark, visible_engagements};
use crate::scene::view::MapCamera;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(EguiPrimaryContextPass, engagement_hover.in_set(UiPass::Overlays));
}

#[allow(clippy::too_many_arguments)]
fn engagement_hover(
    mut contexts: EguiContexts,
    heat: Res<Heat>,
    library: Res<Library>,
    clock: Res<Clock>,
    buttons: Res<ButtonInput<MouseButton>>,
    camera: Single<(&Camera, &GlobalTransform), With<MapCamera>>,
    window: Single<&Window, With<PrimaryWindow>>,
    mut out: MessageWriter<ClockMsg>,
) -> Result {
    let _probe = crate::scene::timing::scope();
    if !heat.engagements {
        return Ok(());
    }
    let Some(entry) = library.current() else { return Ok(()) };
    let ctx = contexts.ctx_mut()?.clone();
    if ctx.is_pointer_over_egui() {
        return Ok(());
    }
    let Some(cursor) = window.cursor_position() else { return Ok(()) };
    let (camera, global) = *camera;
    let mut best: Option<(&EngagementMark, f32)> = None;
    for (m, _) in visible_engagements(&entry.marks, &heat.0, clock.time_ms()) {
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
