//! The window's own state besides the scene: which floating windows are open, what egui wanted
//! last frame, and the order of the egui pass. A leaf the window's features share, so none of
//! them imports another for it.

use bevy::prelude::*;
use bevy_egui::EguiPrimaryContextPass;

/// Which floating windows are open.
#[derive(Resource, Debug, Clone, Default, PartialEq, Eq)]
pub struct Windows {
    /// Keys.
    pub help: bool,
    /// The round's statistics.
    pub stats: bool,
    /// Export an image.
    pub export: bool,
    /// Calibrate the command map by hand.
    pub calibrate: bool,
    /// The game folders and what was found in them.
    pub game_folders: bool,
    /// Open a round from PostgreSQL.
    pub database: bool,
}

/// What egui wanted last frame: the keyboard (a text field has focus) or the pointer (it is
/// over a panel or dragging a widget). Written at the end of the egui pass; the map's input
/// systems leave those to egui.
#[derive(Resource, Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UiFocus {
    /// egui wants keyboard input.
    pub keyboard: bool,
    /// egui wants pointer input.
    pub pointer: bool,
}

/// The steps of the egui pass, in order.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UiPass {
    /// The panels around the map, in layout order.
    Panels,
    /// What floats over the map: windows, labels, tooltips.
    Overlays,
    /// What egui wants is recorded.
    Focus,
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Windows>()
        .init_resource::<UiFocus>()
        .configure_sets(EguiPrimaryContextPass, (UiPass::Panels, UiPass::Overlays, UiPass::Focus).chain());
}
