//! proxviz's data layer: the model of a Proximity Tracker round, the nom parsers of its four
//! files and a writer for them, round discovery in a `gamestats/` folder, a timeline index for
//! replay, the round statistics and kill heatmaps. No GUI or database crate is used here: the
//! PostgreSQL store is the `proxviz-store` crate.

pub mod discover;
pub mod error;
pub mod events;
pub mod gamedata;
pub mod heatmap;
pub mod index;
pub mod infer;
pub mod model;
pub mod name;
pub mod parse;
pub mod report;
pub mod season;
pub mod stats;
pub mod stopwatch;
pub mod text;
pub mod timeline;
pub mod weapons;
pub mod write;

pub use discover::{RoundFiles, discover_rounds, find_rounds, resolve_rounds};
pub use error::DataError;
pub use events::{EventKind, RoundEvent};
pub use model::{
    CombatEvent, CombatKind, Engagement, EngagementType, HeatmapCell, Metadata, Player, PlayerTrack, PositionSample,
    Round, Team,
};
pub use name::{FileKind, RoundName};
pub use parse::{FileInput, parse_round};
pub use report::{LoadReport, SkippedLine};
pub use stats::{Statistics, StatsConfig, statistics};
pub use timeline::{PlayerState, Timeline};
