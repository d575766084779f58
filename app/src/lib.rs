//! proxviz, the replay and heatmap viewer for ET:Legacy Proximity Tracker rounds. The binary is
//! a thin shell over this library so tests can drive the same code.

pub mod cli;
pub mod export;
pub mod heat;
pub mod replay;
pub mod viewer;
