//! Text on the map, under the panels: world coordinates on the grid lines, the names of the map's
//! spawn points and objectives (when shown), what each revive or objective event on the map was,
//! and player names next to their markers.

use bevy::prelude::*;
use bevy::window::PrimaryWindow;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};

use super::map_view::{PanelInsets, grid_lines, grid_step};
use super::state::UiPass;
use crate::scene::backdrop::{Backdrop, CommandMaps};
use crate::scene::clock::Clock;
use crate::scene::heat_layer::Heat;
use crate::scene::library::Library;
use crate::scene::markers::Present;
use crate::scene::model::round_events::{event_rgb, visible_events};
use crate::scene::view::{MapCamera, ViewSettings};

pub(super) fn plugin(app: &mut App) {
    app.add_systems(EguiPrimaryContextPass, labels_ui.in_set(UiPass::Overlays));
}

#[allow(clippy::too_many_arguments)]
fn labels_ui(
    mut contexts: EguiContexts,
    present: Res<Present>,
    (library, backdrop, maps): (Res<Library>, Res<Backdrop>, Res<CommandMaps>),
    view: Res<ViewSettings>,
    (heat, clock): (Res<Heat>, Res<Clock>),
    insets: Res<PanelInsets>,
    camera: Single<(&Camera, &GlobalTransform, &Projection), With<MapCamera>>,
    window: Single<&Window, With<PrimaryWindow>>,
) -> Result {
    let _probe = crate::scene::timing::scope();
    let ctx = contexts.ctx_mut()?;
    let painter = ctx.layer_painter(egui::LayerId::new(egui::Order::Background, egui::Id::new("labels")));
    let (camera, global, projection) = *camera;
    if let Projection::Orthographic(ortho) = projection
        && let Some((min, max)) = insets.visible_world(camera, global, &window)
    {
        // Labels along the top and left edges of the map area.
        let (top_left, bottom_right) = (Vec2::new(min.x, max.y), Vec2::new(max.x, min.y));
        let step = grid_step(window.width() * ortho.scale);
        let grey = egui::Color32::from_gray(120);
        let font = egui::FontId::monospace(10.0);
        for x in grid_lines(top_left.x, bottom_right.x, step).filter(|x| *x >= top_left.x) {
            if let Ok(p) = camera.world_to_viewport(global, Vec3::new(x, top_left.y, 0.0)) {
                let text = format!("{x:.0}");
                painter.text(egui::pos2(p.x + 3.0, p.y + 2.0), egui::Align2::LEFT_TOP, text, font.clone(), grey);
            }
        }
        for y in grid_lines(bottom_right.y, top_left.y, step).filter(|y| *y >= bottom_right.y) {
            if let Ok(p) = camera.world_to_viewport(global, Vec3::new(top_left.x, y, 0.0)) {
                let text = format!("{y:.0}");
                painter.text(egui::pos2(p.x + 3.0, p.y - 2.0), egui::Align2::LEFT_BOTTOM, text, font.clone(), grey);
            }
        }
    }
    if backdrop.marks {
        for m in maps.marks(library.current().and_then(|e| e.round().map())) {
            let Ok(p) = camera.world_to_viewport(global, m.pos.extend(0.0)) else { continue };
            let (font, colour) = (egui::FontId::proportional(11.0), super::panels::color32(m.rgb));
            painter.text(egui::pos2(p.x + 10.0, p.y + 4.0), egui::Align2::LEFT_TOP, &m.label, font, colour);
        }
    }
    if heat.round_events
        && let Some(entry) = library.current()
    {
        let events = &entry.round().events;
        // The whole round's events would bury the map in text: their labels only near the cursor.
        for (e, alpha) in visible_events(events, clock.time_ms(), false) {
            let Some(pos) = e.pos else { continue };
            let Ok(p) = camera.world_to_viewport(global, Vec3::new(pos.x, pos.y, 0.0)) else { continue };
            let [r, g, b] = event_rgb(e.kind);
            let colour = egui::Color32::from_rgba_unmultiplied(r, g, b, (alpha * 255.0) as u8);
            let (font, text) = (egui::FontId::proportional(11.0), e.describe());
            painter.text(egui::pos2(p.x + 11.0, p.y + 6.0), egui::Align2::LEFT_TOP, text, font, colour);
        }
    }
    if !view.names || !view.players {
        return Ok(());
    }
    for m in present.shown(&view.hidden) {
        let Ok(p) = camera.world_to_viewport(global, m.pos.extend(0.0)) else { continue };
        let colour = if m.alive { egui::Color32::from_gray(235) } else { egui::Color32::from_gray(140) };
        painter.text(
            egui::pos2(p.x + 10.0, p.y - 10.0),
            egui::Align2::LEFT_BOTTOM,
            &m.name,
            egui::FontId::proportional(12.0),
            colour,
        );
    }
    Ok(())
}
