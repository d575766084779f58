//! The value lists of `proxviz export`'s options (`--mode`, `--layers`, `--backdrop`, ...).

use clap::ValueEnum;

use crate::scene::model::backdrop::BackdropMode;

/// Heatmap mode.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ModeArg {
    /// Grid cells.
    Grid,
    /// Kernel density.
    Kde,
}

/// How a compared round's kills show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompareHeatArg {
    /// The two rounds' pictures side by side.
    Side,
    /// This round's kills minus the other's.
    Diff,
    /// Only this round's.
    Off,
}

/// Backdrop.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum BackdropArg {
    /// The command map when found, else the silhouette.
    Auto,
    /// The command map only.
    Image,
    /// The silhouette of where players walked.
    Silhouette,
    /// Nothing.
    None,
}

impl From<BackdropArg> for BackdropMode {
    fn from(arg: BackdropArg) -> Self {
        match arg {
            BackdropArg::Auto => Self::Auto,
            BackdropArg::Image => Self::Image,
            BackdropArg::Silhouette => Self::Silhouette,
            BackdropArg::None => Self::None,
        }
    }
}

/// Killer team.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TeamArg {
    /// Both teams.
    Both,
    /// Axis kills.
    Axis,
    /// Allied kills.
    Allies,
    /// Axis − Allies.
    Diff,
}

/// Layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LayerArg {
    /// The kill heatmap.
    Heatmap,
    /// Engagement markers.
    Markers,
    /// Every player's path over the round.
    Paths,
    /// Players at --at, with trails and death marks.
    Players,
    /// Spawn points and objectives from the map's BSP (needs the game folders).
    Objectives,
}

/// Colour scales.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ScaleArg {
    /// Inferno.
    Inferno,
    /// Viridis.
    Viridis,
    /// Magma.
    Magma,
    /// Turbo.
    Turbo,
}

/// Where kills are put (`--place`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlaceArg {
    /// Where the victim died.
    Victim,
    /// Where the killer stood.
    Killer,
}
