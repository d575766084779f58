//! The egui panels around the map, one system each, in the order egui lays panels out: the top
//! bar, the timeline at the bottom, the Layers panel on the right, rounds and players on the
//! left; then the floating windows. Each panel takes its space from what the previous ones left
//! ([`FreeArea`]); what is left is the map's, which fitting the view centres the round in.
//! Panels read resources and send messages.

mod layers;
mod lists;
mod timeline;
mod top_bar;
mod windows;

use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};

use super::map_view::PanelInsets;
use super::state::{UiFocus, UiPass};

/// The part of the window the panels shown so far this frame have left free.
#[derive(Resource)]
pub struct FreeArea(pub egui::Rect);

impl Default for FreeArea {
    fn default() -> Self {
        Self(egui::Rect::NOTHING)
    }
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<FreeArea>()
        .add_systems(
            EguiPrimaryContextPass,
            (
                begin_panels,
                top_bar::top_bar_ui,
                timeline::timeline_ui,
                layers::layers_panel_ui,
                lists::lists_ui,
                end_panels,
            )
                .chain()
                .in_set(UiPass::Panels),
        )
        .add_systems(EguiPrimaryContextPass, windows::windows_ui.in_set(UiPass::Overlays))
        .add_systems(EguiPrimaryContextPass, record_focus.in_set(UiPass::Focus));
    timeline::plugin(app);
}

/// An egui colour from 0–1 RGB.
pub fn color32(rgb: [f32; 3]) -> egui::Color32 {
    egui::Color32::from_rgb((rgb[0] * 255.0) as u8, (rgb[1] * 255.0) as u8, (rgb[2] * 255.0) as u8)
}

/// An egui colour from 0–255 RGB.
pub fn rgb32(rgb: [u8; 3]) -> egui::Color32 {
    egui::Color32::from_rgb(rgb[0], rgb[1], rgb[2])
}

/// A Ui over the free area, for one panel to take its side of.
pub(super) fn panel_root(ctx: &egui::Context, free: &FreeArea, id: &str) -> egui::Ui {
    egui::Ui::new(
        ctx.clone(),
        egui::Id::new(("panel_root", id)),
        egui::UiBuilder::new().layer_id(egui::LayerId::background()).max_rect(free.0),
    )
}

fn begin_panels(mut contexts: EguiContexts, mut free: ResMut<FreeArea>) -> Result {
    free.0 = contexts.ctx_mut()?.viewport_rect();
    Ok(())
}

fn end_panels(mut contexts: EguiContexts, free: Res<FreeArea>, mut insets: ResMut<PanelInsets>) -> Result {
    let all = contexts.ctx_mut()?.viewport_rect();
    let map = free.0;
    *insets = PanelInsets {
        left: map.left() - all.left(),
        right: all.right() - map.right(),
        top: map.top() - all.top(),
        bottom: all.bottom() - map.bottom(),
    };
    Ok(())
}

/// What egui wants after this frame's UI, for the map's input systems next frame.
fn record_focus(mut contexts: EguiContexts, mut focus: ResMut<UiFocus>) -> Result {
    let ctx = contexts.ctx_mut()?;
    let now = UiFocus {
        keyboard: ctx.egui_wants_keyboard_input(),
        pointer: ctx.egui_wants_pointer_input() || ctx.is_pointer_over_egui(),
    };
    if *focus != now {
        *focus = now;
    }
    Ok(())
}
