//! Stopwatch compare: another round (the other half of the stopwatch pair) replayed alongside
//! the shown one at the same time since its start. Its attackers are drawn as ghosts (hollow
//! rings, faint, with a short trail), the objective splits say who was faster where, and the
//! heatmap can show the difference of the two rounds' kills. Set by the window (Layers →
//! Compare) and by the export (`--compare-with`).

use std::sync::Arc;

use bevy::prelude::*;
use proxviz_data::stopwatch::{Split, attackers, splits};
use proxviz_data::{Team, Timeline};
use serde::{Deserialize, Serialize};

use super::clock::Clock;
use super::frame::Frame;
use super::library::{Library, RoundGrown, RoundKey};
use super::model::present::{Hidden, Marker, markers_at, team_rgb, trail};
use super::view::{DrawScale, MapCamera, ViewSettings, units_per_px};

/// What a compare shows besides the ghosts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CompareHeat {
    /// The shown round's heatmap only.
    #[default]
    Off,
    /// This round's kills minus the other round's, on the diverging scale.
    Difference,
    /// (Export) the two rounds' pictures side by side in one image.
    SideBySide,
}

/// How a compare is drawn (part of a picture's settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CompareSettings {
    /// The other round's attackers (all its players when they are not known) as ghosts.
    pub ghosts: bool,
    /// The heatmap of both rounds.
    pub heat: CompareHeat,
    /// The splits readout.
    pub splits: bool,
}

impl Default for CompareSettings {
    fn default() -> Self {
        Self { ghosts: true, heat: CompareHeat::Off, splits: true }
    }
}

/// The round compared with the shown one.
#[derive(Resource, Default)]
pub struct Compare {
    /// The other round.
    pub other: Option<Arc<Timeline>>,
    /// The shown round it was paired with (a compare ends when another round is shown).
    pub with: Option<RoundKey>,
    /// How it is drawn.
    pub settings: CompareSettings,
    /// Its attackers (`None`: unknown, every player is a ghost).
    pub attackers: Option<Team>,
    /// Who was faster where: shown round vs the other.
    pub splits: Vec<Split>,
    /// Changes whenever the other round or the settings change (heatmap cache key).
    pub generation: u64,
}

impl Compare {
    /// Compares the shown round `with` (its timeline `this`) with `other`.
    pub fn set(&mut self, with: RoundKey, this: &Timeline, other: Arc<Timeline>) {
        self.attackers = attackers(other.round());
        self.splits = splits(this.round(), other.round());
        self.other = Some(other);
        self.with = Some(with);
        self.generation += 1;
    }

    /// Ends the compare.
    pub fn clear(&mut self) {
        if self.other.is_some() {
            *self = Self { settings: self.settings, generation: self.generation + 1, ..Self::default() };
        }
    }

    /// The other round while it is compared with the shown round `shown`.
    pub fn other_for(&self, shown: Option<RoundKey>) -> Option<&Arc<Timeline>> {
        self.other.as_ref().filter(|_| shown.is_some() && self.with == shown)
    }
}

/// The ghosts at `time_ms`: the other round's attackers (every player when unknown), alive or
/// dead, spectators left out.
pub fn ghosts_at(other: &Timeline, attackers: Option<Team>, time_ms: u32) -> Vec<Marker> {
    markers_at(other, time_ms, &Hidden::default())
        .into_iter()
        .filter(|m| attackers.is_none() || m.team == attackers)
        .collect()
}

/// How long a ghost's trail is.
const GHOST_TRAIL_SECS: f32 = 4.0;
/// A ghost trail's sample step.
const GHOST_TRAIL_STEP_MS: u32 = 250;

pub(crate) fn plugin(app: &mut App) {
    app.init_resource::<Compare>().add_systems(Update, (end_compare, draw_ghosts).chain().in_set(Frame::Draw));
}

/// A compare belongs to the round it was made for.
pub(crate) fn end_compare(mut grown: MessageReader<RoundGrown>, library: Res<Library>, mut compare: ResMut<Compare>) {
    // A live round that grew is the same round: the compare goes on with it (its new kills
    // and events count in the splits).
    for g in grown.read() {
        if compare.with == Some(g.old)
            && let (Some(entry), Some(other)) = (library.entry(g.new), compare.other.clone())
        {
            compare.set(g.new, &entry.timeline, other);
        }
    }
    if compare.other.is_some() && compare.with != library.selected && !library.loading {
        compare.clear();
    }
}

fn draw_ghosts(
    mut gizmos: Gizmos,
    library: Res<Library>,
    compare: Res<Compare>,
    clock: Res<Clock>,
    view: Res<ViewSettings>,
    camera: Single<&Projection, With<MapCamera>>,
    scale: Res<DrawScale>,
) {
    let _probe = super::timing::scope();
    let Some(other) = compare.other_for(library.selected) else { return };
    if !compare.settings.ghosts || !view.players {
        return;
    }
    let t = clock.time_ms();
    let radius = super::markers::MARKER_PX * scale.0 * units_per_px(&camera);
    for m in ghosts_at(other, compare.attackers, t) {
        let [r, g, b] = team_rgb(m.team);
        let alpha = if m.alive { 0.75 } else { 0.3 };
        let colour = Color::srgba(r * 0.6 + 0.4, g * 0.6 + 0.4, b * 0.6 + 0.4, alpha);
        gizmos.circle_2d(Isometry2d::from_translation(m.pos), radius * 1.1, colour);
        if m.alive {
            gizmos.circle_2d(Isometry2d::from_translation(m.pos), radius * 0.45, colour.with_alpha(alpha * 0.6));
            for piece in trail(other, m.clientnum, t, GHOST_TRAIL_SECS, GHOST_TRAIL_STEP_MS) {
                for w in piece.windows(2) {
                    gizmos.line_2d(w[0].0, w[1].0, colour.with_alpha(0.4 * (1.0 - w[1].1)));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
