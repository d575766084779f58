//! Replay state that the viewer's systems share. Plain Rust, so it is tested without a window;
//! the Bevy plugins wrap it.

pub mod clock;
pub mod scene;
