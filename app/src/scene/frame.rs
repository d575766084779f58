//! The order of a frame, one chained set of system sets in `Update` for the window and the
//! export alike: input becomes messages, messages change the models (what is open, which round
//! is replayed), the clock is reset, moved and advanced, the camera follows, the scene is
//! derived from the clock, then drawn. What shows the clock's time (camera, scene, draw) runs
//! after [`Frame::Clock`]; input and commands only send intents, which the clock resolves
//! against its own state ("loop from the cursor" is a command, not a time read beforehand). The
//! egui panels run later in the frame (in bevy_egui's pass), read the result and send messages
//! for the next frame.

use bevy::prelude::*;

/// The steps of a frame, in order.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Frame {
    /// Keys, pointer, dropped files and finished dialogs become messages.
    Input,
    /// Messages change the models: what is open, which round is replayed, view toggles.
    Commands,
    /// The replay clock: reset for a new round, clock messages applied, time advanced.
    Clock,
    /// The map camera: fit, follow.
    Camera,
    /// What the map shows at the clock's time: players present, heatmap layer, paths.
    Scene,
    /// Drawing: markers, trails, engagement markers, grid.
    Draw,
}

pub(crate) fn plugin(app: &mut App) {
    app.configure_sets(
        Update,
        (Frame::Input, Frame::Commands, Frame::Clock, Frame::Camera, Frame::Scene, Frame::Draw).chain(),
    );
}
