//! What the map shows, as plain Rust with no Bevy or egui in it: the replay clock, the players
//! present at a time, the heatmap layer, engagement marks and the legend. The scene's systems
//! and the window's panels only draw and change these, so they are tested without a window.

pub mod backdrop;
pub mod calibration;
pub mod clock;
pub mod engagements;
pub mod heat;
pub mod kill_feed;
pub mod legend;
pub mod present;
pub mod round_events;
