//! The Proximity Tracker and what tests it without a game server: `proximity_tracker.lua` (the
//! module server admins install), a simulated ET:Legacy engine that hosts it like qagame does,
//! and a match simulator that plays believable rounds through that engine.

pub mod config;
pub mod engine;
pub mod sim;

/// The tracker module, as shipped.
pub const TRACKER_LUA: &str = include_str!("../proximity_tracker.lua");
