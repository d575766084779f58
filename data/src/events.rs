//! Round events besides fire, hit and kill: revives and objective actions (dynamite planted or
//! defused, an objective destroyed, a construction completed, a flag captured, an objective
//! picked up, dropped, secured or returned). The window shows them as timeline markers and jumps
//! to them. The current public tracker's files carry them (REVIVES, CONSTRUCTION_EVENTS and the
//! CARRIER_* sections); our tracker writes revives; the seed's files have none.

use std::fmt;

use glam::Vec3;
use serde::{Deserialize, Serialize};

use crate::model::Team;

/// What kind of event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A medic revived a team-mate.
    Revive,
    /// Dynamite planted at an objective.
    DynamitePlant,
    /// Dynamite defused.
    DynamiteDefuse,
    /// An objective was destroyed.
    ObjectiveDestroyed,
    /// A construction (bridge, command post, ...) was completed.
    ConstructionComplete,
    /// A spawn flag was captured.
    FlagCaptured,
    /// An objective (documents, gold, ...) was picked up.
    CarrierPickup,
    /// The carried objective was dropped (its carrier died or let go).
    CarrierDrop,
    /// The carrier was killed.
    CarrierKilled,
    /// The carried objective was brought home (secured, captured, delivered).
    CarrierSecured,
    /// A dropped objective was returned by the defence.
    CarrierReturned,
    /// Any other objective event (the detail says which).
    Objective,
}

impl EventKind {
    /// Every kind, in the order above.
    pub const ALL: [EventKind; 12] = [
        Self::Revive,
        Self::DynamitePlant,
        Self::DynamiteDefuse,
        Self::ObjectiveDestroyed,
        Self::ConstructionComplete,
        Self::FlagCaptured,
        Self::CarrierPickup,
        Self::CarrierDrop,
        Self::CarrierKilled,
        Self::CarrierSecured,
        Self::CarrierReturned,
        Self::Objective,
    ];

    /// The word used in the files and the database (`revive`, `dynamite_plant`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Revive => "revive",
            Self::DynamitePlant => "dynamite_plant",
            Self::DynamiteDefuse => "dynamite_defuse",
            Self::ObjectiveDestroyed => "objective_destroyed",
            Self::ConstructionComplete => "construction_complete",
            Self::FlagCaptured => "flag_captured",
            Self::CarrierPickup => "carrier_pickup",
            Self::CarrierDrop => "carrier_drop",
            Self::CarrierKilled => "carrier_killed",
            Self::CarrierSecured => "carrier_secured",
            Self::CarrierReturned => "carrier_returned",
            Self::Objective => "objective",
        }
    }

    /// The kind a word names, if any.
    pub fn parse(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == word)
    }

    /// How a player says it: `revive`, `dynamite planted`, `objective picked up`, ...
    pub fn label(self) -> &'static str {
        match self {
            Self::Revive => "revive",
            Self::DynamitePlant => "dynamite planted",
            Self::DynamiteDefuse => "dynamite defused",
            Self::ObjectiveDestroyed => "objective destroyed",
            Self::ConstructionComplete => "construction completed",
            Self::FlagCaptured => "flag captured",
            Self::CarrierPickup => "objective picked up",
            Self::CarrierDrop => "objective dropped",
            Self::CarrierKilled => "carrier killed",
            Self::CarrierSecured => "objective secured",
            Self::CarrierReturned => "objective returned",
            Self::Objective => "objective",
        }
    }

    /// Whether it is about the map's objectives (everything but a revive).
    pub fn is_objective(self) -> bool {
        self != Self::Revive
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// One event at one moment of the round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoundEvent {
    /// Milliseconds since the round started.
    pub time_ms: u32,
    /// What happened.
    pub kind: EventKind,
    /// Who did it: the medic, the engineer, the carrier, the one who returned the objective, the
    /// carrier's killer. `None` when the file does not say.
    pub player: Option<u16>,
    /// Who it was done to: the revived player, the killed carrier.
    pub other: Option<u16>,
    /// The team of the one who did it (of the one it was done to when the doer is unknown).
    pub team: Option<Team>,
    /// Where.
    pub pos: Option<Vec3>,
    /// What it was about: the objective's name, how a carry ended. May be empty.
    pub detail: String,
}

impl RoundEvent {
    /// An event of `kind` at `time_ms` with nothing else known.
    pub fn new(time_ms: u32, kind: EventKind) -> Self {
        Self { time_ms, kind, player: None, other: None, team: None, pos: None, detail: String::new() }
    }

    /// One line for people: `dynamite planted (Main Gate)`.
    pub fn describe(&self) -> String {
        if self.detail.is_empty() { self.kind.label().to_owned() } else { format!("{} ({})", self.kind, self.detail) }
    }
}

/// The kind of a CONSTRUCTION_EVENTS `event_type` (the public tracker's words).
pub fn construction_kind(word: &str) -> EventKind {
    match word {
        "dynamite_plant" => EventKind::DynamitePlant,
        "dynamite_defuse" => EventKind::DynamiteDefuse,
        "objective_destroyed" => EventKind::ObjectiveDestroyed,
        "construction_complete" => EventKind::ConstructionComplete,
        "flag_captured" => EventKind::FlagCaptured,
        _ => EventKind::Objective,
    }
}

/// The kind of the end of a carry from its CARRIER_EVENTS `outcome`.
pub fn carry_end_kind(outcome: &str) -> EventKind {
    let o = outcome.to_ascii_lowercase();
    if ["secur", "captur", "deliver"].iter().any(|w| o.contains(w)) {
        EventKind::CarrierSecured
    } else if o.contains("kill") || o.contains("died") || o.contains("death") {
        EventKind::CarrierKilled
    } else if o.contains("return") {
        EventKind::CarrierReturned
    } else {
        EventKind::CarrierDrop
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_from_its_word() {
        for k in EventKind::ALL {
            assert_eq!(EventKind::parse(k.as_str()), Some(k));
            assert_eq!(serde_json::to_string(&k).expect("json"), format!("\"{}\"", k.as_str()));
        }
        assert_eq!(EventKind::parse("bogus"), None);
    }

    #[test]
    fn public_tracker_words_map_onto_kinds() {
        assert_eq!(construction_kind("dynamite_plant"), EventKind::DynamitePlant);
        assert_eq!(construction_kind("tank_repaired"), EventKind::Objective);
        assert_eq!(carry_end_kind("secured"), EventKind::CarrierSecured);
        assert_eq!(carry_end_kind("killed"), EventKind::CarrierKilled);
        assert_eq!(carry_end_kind("dropped"), EventKind::CarrierDrop);
        assert_eq!(carry_end_kind("round_end"), EventKind::CarrierDrop);
    }

    #[test]
    fn descriptions_name_the_objective() {
        let mut e = RoundEvent::new(5, EventKind::DynamitePlant);
        assert_eq!(e.describe(), "dynamite planted");
        e.detail = "Main Gate".into();
        assert_eq!(e.describe(), "dynamite planted (Main Gate)");
    }
}
