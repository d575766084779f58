//! proxviz, the replay and heatmap viewer for ET:Legacy Proximity Tracker rounds. The binary is
//! a thin shell over this library so tests can drive the same code: `scene` is what the map
//! shows, `viewer` the window around it, `export` the offscreen renderer around it, `cli` the
//! command line.

pub mod cli;
pub mod export;
pub mod scene;
pub mod viewer;
