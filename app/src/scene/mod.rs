//! The scene: what the map shows, shared by the replay window and the headless export, with no
//! window or egui type in it. The rounds that are open and the one replayed, the replay clock,
//! the players present at its time, the backdrop (a silhouette of where players walked), the
//! heatmap layer, paths and engagement markers, the draw scale and background, in one frame order ([`Frame`]). The window (`viewer`) and the export
//! (`export`) are thin shells around it and never import each other.

pub mod backdrop;
pub mod capture;
pub mod clock;
pub mod compare;
pub mod demo;
pub mod dirs;
pub mod engagements;
pub mod frame;
pub mod heat_layer;
pub mod jobs;
pub mod library;
pub mod markers;
pub mod model;
pub mod paths;
pub mod picture;
pub mod round_events;
pub mod season;
pub mod timing;
pub mod view;

use bevy::prelude::*;

pub use self::frame::Frame;

/// Everything the window and the export share: models, the frame order and the drawing of the
/// map's layers. Needs a map camera ([`view::MapCamera`]) to draw.
pub fn plugin(app: &mut App) {
    app.init_resource::<view::ViewSettings>().init_resource::<view::DrawScale>().init_resource::<capture::Capture>();
    frame::plugin(app);
    library::plugin(app);
    clock::plugin(app);
    markers::plugin(app);
    backdrop::plugin(app);
    season::plugin(app);
    heat_layer::plugin(app);
    paths::plugin(app);
    engagements::plugin(app);
    round_events::plugin(app);
    compare::plugin(app);
}
