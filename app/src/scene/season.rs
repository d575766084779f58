//! A season on the map: the kills of many rounds of one map (from the open folder or from the
//! database), drawn by the heatmap layer instead of the replayed round's kills. The window and
//! the export set it; the heatmap layer reads it.

use std::sync::Arc;

use bevy::prelude::*;
use proxviz_data::season::Season;

/// The season the heatmap shows, when there is one.
#[derive(Resource, Debug, Default)]
pub struct SeasonLayer {
    season: Option<Arc<Season>>,
    generation: u64,
}

impl SeasonLayer {
    /// Shows `season` (or the round's own kills again with `None`).
    pub fn set(&mut self, season: Option<Arc<Season>>) {
        self.season = season;
        self.generation += 1;
    }

    /// The season shown.
    pub fn season(&self) -> Option<&Arc<Season>> {
        self.season.as_ref()
    }

    /// Changes with every [`SeasonLayer::set`]: what the heatmap layer keys on.
    pub fn generation(&self) -> u64 {
        self.generation
    }
}

pub(crate) fn plugin(app: &mut App) {
    app.init_resource::<SeasonLayer>();
}
