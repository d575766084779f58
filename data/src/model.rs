//! The in-memory model of one round: who played, where they were, what they shot, who they
//! killed and in what kind of fight, and the kill-density grid. Everything the four round files
//! hold, and nothing derived; derived views live in `timeline` and `stats`.

use std::collections::BTreeMap;
use std::fmt;

use glam::Vec3;
use serde::{Deserialize, Serialize};

use crate::name::RoundName;
use crate::report::LoadReport;

/// ET's `sess.sessionTeam`. `Free` is only seen on non-team game types. Serialised as the seed
/// names teams (`AXIS`, `ALLIES`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
#[repr(u8)]
pub enum Team {
    /// TEAM_FREE (0).
    Free = 0,
    /// TEAM_AXIS (1).
    Axis = 1,
    /// TEAM_ALLIES (2).
    Allies = 2,
    /// TEAM_SPECTATOR (3).
    Spectator = 3,
}

impl Team {
    /// The team for ET's numeric `sessionTeam`, if it is one of the four.
    pub fn from_number(n: u32) -> Option<Self> {
        match n {
            0 => Some(Self::Free),
            1 => Some(Self::Axis),
            2 => Some(Self::Allies),
            3 => Some(Self::Spectator),
            _ => None,
        }
    }

    /// ET's numeric `sessionTeam`.
    pub fn number(self) -> u8 {
        self as u8
    }

    /// The opposing team for Axis and Allies.
    pub fn enemy(self) -> Option<Self> {
        match self {
            Self::Axis => Some(Self::Allies),
            Self::Allies => Some(Self::Axis),
            _ => None,
        }
    }

    /// Upper-case name as the seed's `getNearbyPlayers` reports it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Free => "FREE",
            Self::Axis => "AXIS",
            Self::Allies => "ALLIES",
            Self::Spectator => "SPECTATOR",
        }
    }
}

impl fmt::Display for Team {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// ET's `ENTITYNUM_WORLD`: the killer of a fall, a trigger or a mover.
pub const WORLD_CLIENTNUM: u16 = 1022;
/// ET's `ENTITYNUM_NONE`: an unknown attacker.
pub const NONE_CLIENTNUM: u16 = 1023;
/// Client slots a server can have (`MAX_CLIENTS`).
pub const MAX_CLIENTS: u16 = 64;

/// One player of the round's roster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Player {
    /// Client slot, 0..63.
    pub clientnum: u16,
    /// Team at the time the roster was written (the end of the round for our tracker).
    pub team: Option<Team>,
    /// Name as the server had it, ET colour codes (`^1`) included.
    pub name: String,
}

impl Player {
    /// The name without ET colour codes or control characters, cut to
    /// [`crate::text::DISPLAY_CHARS`] characters.
    pub fn clean_name(&self) -> String {
        crate::text::for_display(&crate::text::strip_colors(&self.name), crate::text::DISPLAY_CHARS)
    }
}

/// One position snapshot of one player. Kept small: a 64-player, 30-minute round at 2 Hz is
/// 230,400 of these.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PositionSample {
    /// Milliseconds since the round started.
    pub time_ms: u32,
    /// World position (ET units, +x east, +y north, +z up).
    pub pos: Vec3,
    /// View yaw in degrees (ET convention: 0 = +x, 90 = +y).
    pub yaw_deg: f32,
    /// View pitch in degrees (positive looks down).
    pub pitch_deg: f32,
    /// Horizontal speed in units per second.
    pub speed_ups: f32,
    /// Health when sampled (superset column); `None` in seed-format files.
    pub health: Option<i16>,
    /// Team when sampled (superset column); `None` in seed-format files.
    pub team: Option<Team>,
    /// The seed's `moving` flag (speed above the stationary threshold).
    pub moving: bool,
}

/// All samples of one client slot, sorted by time.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PlayerTrack {
    /// Client slot the samples belong to.
    pub clientnum: u16,
    /// Samples sorted by `time_ms`, at most one per millisecond.
    pub samples: Vec<PositionSample>,
}

/// What a combat line records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CombatKind {
    /// A weapon was fired.
    Fire,
    /// Damage was dealt.
    Hit,
    /// A player was killed by another player (the seed's `kill`).
    Kill,
    /// A player died by their own hand, a fall or the world (superset: the seed's tracker
    /// logged none of these; older files have them as `kill`).
    Death,
}

impl CombatKind {
    /// The word used in the files and the database (`fire`, `hit`, `kill`, `death`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fire => "fire",
            Self::Hit => "hit",
            Self::Kill => "kill",
            Self::Death => "death",
        }
    }

    /// Whether someone died (a kill or a death).
    pub fn is_death(self) -> bool {
        matches!(self, Self::Kill | Self::Death)
    }
}

/// One line of the combat file.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CombatEvent {
    /// Milliseconds since the round started.
    pub time_ms: u32,
    /// Fire, hit or kill.
    pub kind: CombatKind,
    /// Attacking client, or 1022 (world) / 1023 (unknown).
    pub attacker: u16,
    /// Target client; `None` for fire events (`NONE` in the file).
    pub target: Option<u16>,
    /// Distance between attacker and target in units (0 for fire).
    pub distance: f32,
    /// Attacker's team-mates within the proximity distance.
    pub nearby_allies: u16,
    /// Enemies within the proximity distance of the attacker.
    pub nearby_enemies: u16,
    /// Damage dealt (0 for fire).
    pub damage: i32,
    /// ET weapon number (superset column).
    pub weapon: Option<u16>,
    /// ET means of death (superset column).
    pub mod_id: Option<u16>,
    /// Attacker position (superset columns).
    pub attacker_pos: Option<Vec3>,
    /// Target position (superset columns).
    pub target_pos: Option<Vec3>,
}

/// Whether a death of `victim` caused by `killer` is a kill in the seed's sense: a player killed
/// by another player (not a suicide, a fall or the world). The one definition every count of
/// kills uses.
pub fn is_player_kill(killer: u16, victim: u16) -> bool {
    killer < MAX_CLIENTS && victim < MAX_CLIENTS && killer != victim
}

impl CombatEvent {
    /// An event of `kind` by `attacker` on `target` at `time_ms`, with nothing else known (no
    /// distance, nearby counts, damage, weapon or places).
    pub fn new(time_ms: u32, kind: CombatKind, attacker: u16, target: Option<u16>) -> Self {
        Self {
            time_ms,
            kind,
            attacker,
            target,
            distance: 0.0,
            nearby_allies: 0,
            nearby_enemies: 0,
            damage: 0,
            weapon: None,
            mod_id: None,
            attacker_pos: None,
            target_pos: None,
        }
    }

    /// Whether this is a kill line of a player killed by another player ([`is_player_kill`]).
    pub fn is_player_kill(&self) -> bool {
        self.kind == CombatKind::Kill && self.target.is_some_and(|t| is_player_kill(self.attacker, t))
    }
}

/// The kind of fight a kill was: `NvM` with N on the killer's side and M on the victim's, or a
/// label another tracker invented.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EngagementType {
    /// `attackers` v `targets`, e.g. 2v1.
    Versus {
        /// Killer plus team-mates nearby.
        attackers: u8,
        /// Victim plus team-mates nearby.
        targets: u8,
    },
    /// Any other label (`SNIPED`, `UNKNOWN`, ...), kept as written.
    Other(String),
}

impl EngagementType {
    /// `NvM` for the given side sizes.
    pub fn versus(attackers: u8, targets: u8) -> Self {
        Self::Versus { attackers, targets }
    }

    /// Classifies a whole label as written: `2v1`, `2vs1`, `2V1` (side sizes up to 255), or any
    /// other label kept as it is (UTF-8, else Latin-1).
    pub fn from_label(label: &[u8]) -> Self {
        fn side(digits: &[u8]) -> Option<u8> {
            if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
                return None;
            }
            std::str::from_utf8(digits).ok()?.parse().ok()
        }
        let versus = || {
            let split = label.iter().position(|b| !b.is_ascii_digit())?;
            let (a, rest) = label.split_at(split);
            let rest = [&b"vs"[..], b"VS", b"v", b"V"].iter().find_map(|p| rest.strip_prefix(*p))?;
            Some(Self::versus(side(a)?, side(rest)?))
        };
        versus().unwrap_or_else(|| Self::Other(crate::text::decode(label)))
    }

    /// Who had the numbers, from the killer's side.
    pub fn balance(&self) -> Balance {
        match self {
            Self::Versus { attackers, targets } if attackers == targets => Balance::Even,
            Self::Versus { attackers, targets } if attackers > targets => Balance::Advantage,
            Self::Versus { .. } => Balance::Disadvantage,
            Self::Other(_) => Balance::Unknown,
        }
    }
}

/// The balance of a fight, seen from the killer's side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Balance {
    /// As many on each side (1v1, 2v2, ...).
    Even,
    /// The killer's side had more (2v1, 3v1, ...).
    Advantage,
    /// The killer's side had fewer (1v2, ...).
    Disadvantage,
    /// A label that is not `NvM`.
    Unknown,
}

impl std::str::FromStr for EngagementType {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self::from_label(s.as_bytes()))
    }
}

impl fmt::Display for EngagementType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Versus { attackers, targets } => write!(f, "{attackers}v{targets}"),
            Self::Other(label) => f.write_str(label),
        }
    }
}

impl Serialize for EngagementType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for EngagementType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Ok(Self::from_label(text.as_bytes()))
    }
}

/// One line of the engagements file: the context of one kill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Engagement {
    /// 1v1, 2v1, ...
    pub kind: EngagementType,
    /// Killer–victim distance in units.
    pub distance: f32,
    /// Killer's name as written (colour codes included).
    pub killer_name: String,
    /// Victim's name as written.
    pub victim_name: String,
    /// Kill time (superset column).
    pub time_ms: Option<u32>,
    /// Killer's client slot (superset column).
    pub killer: Option<u16>,
    /// Victim's client slot (superset column).
    pub victim: Option<u16>,
    /// Where the victim died (superset columns).
    pub victim_pos: Option<Vec3>,
    /// Killer's team-mates nearby (superset column).
    pub attacker_backup: Option<u16>,
    /// Victim's team-mates nearby (superset column).
    pub target_backup: Option<u16>,
}

/// One cell of the kill-density grid: `grid = floor(coord / grid_size)` of the victim's position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct HeatmapCell {
    /// Cell column.
    pub grid_x: i32,
    /// Cell row.
    pub grid_y: i32,
    /// Kills made by Axis players in the cell.
    pub axis_kills: u32,
    /// Kills made by Allied players in the cell.
    pub allies_kills: u32,
}

impl HeatmapCell {
    /// Kills of both teams.
    pub fn total_kills(&self) -> u32 {
        self.axis_kills + self.allies_kills
    }
}

/// The `# key=value` metadata of our superset format; every field is optional because seed
/// files carry none.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Metadata {
    /// Format version (`format=`); 2 for the superset described in docs/round-format.md.
    pub format_version: Option<u32>,
    /// Tracker name and version (`tracker=`).
    pub tracker_version: Option<String>,
    /// Map (`map=`), authoritative over the file name.
    pub map: Option<String>,
    /// 1-based round number (`round=`), authoritative over the file name.
    pub round_number: Option<u32>,
    /// Heatmap cell size in units (`grid_size=`).
    pub grid_size_units: Option<u32>,
    /// Round start as unix seconds (`round_start_unix=`).
    pub round_start_unix: Option<i64>,
    /// Any other keys, kept so that a round written back says what it said.
    pub extra: BTreeMap<String, String>,
}

/// One round: the four files' contents plus what went wrong reading them.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Round {
    /// What the base file name says (date, time, map, round).
    pub name: RoundName,
    /// `# key=value` metadata merged from the four files.
    pub meta: Metadata,
    /// Roster sorted by client slot.
    pub players: Vec<Player>,
    /// Position samples per client slot, sorted by slot.
    pub tracks: Vec<PlayerTrack>,
    /// Combat lines in file order (the tracker writes them in time order).
    pub combat: Vec<CombatEvent>,
    /// Engagement lines in file order.
    pub engagements: Vec<Engagement>,
    /// Heatmap cells in file order.
    pub heatmap: Vec<HeatmapCell>,
    /// Revives and objective events, sorted by time (none in the seed's files).
    pub events: Vec<crate::events::RoundEvent>,
    /// Missing files and skipped lines.
    pub report: LoadReport,
}

/// The seed's default heatmap cell size.
pub const DEFAULT_GRID_SIZE_UNITS: u32 = 512;

impl Round {
    /// Map name: the metadata's, else the file name's, else `None`.
    pub fn map(&self) -> Option<&str> {
        self.meta.map.as_deref().or(self.name.map.as_deref())
    }

    /// The session date: the file name's, else the day of `round_start_unix` (UTC).
    pub fn session_date(&self) -> Option<chrono::NaiveDate> {
        self.name.date.or_else(|| {
            self.meta.round_start_unix.and_then(|s| chrono::DateTime::from_timestamp(s, 0)).map(|t| t.date_naive())
        })
    }

    /// 1-based round number: the metadata's, else the file name's.
    pub fn round_number(&self) -> Option<u32> {
        self.meta.round_number.or_else(|| self.name.round_number())
    }

    /// Which tracker's format the round was read from: `seed` (the four files of the seed's
    /// tracker), `proxviz` (ours: the same files with more columns), or `public v4`…`v6` (the
    /// current public tracker's single file).
    pub fn format_label(&self) -> String {
        match self.meta.format_version {
            None | Some(0 | 1) => "seed".to_owned(),
            Some(n @ 4..=6) => format!("public v{n}"),
            Some(_) => "proxviz".to_owned(),
        }
    }

    /// Whether client `cn`'s name was inferred (a seed-format round: see [`crate::infer`]).
    pub fn name_inferred(&self, cn: u16) -> bool {
        crate::infer::listed(self, crate::infer::INFERRED_NAMES).contains(&cn)
    }

    /// Whether client `cn`'s team was inferred.
    pub fn team_inferred(&self, cn: u16) -> bool {
        crate::infer::listed(self, crate::infer::INFERRED_TEAMS).contains(&cn)
    }

    /// Heatmap cell size in units (metadata, else the seed's 512).
    pub fn grid_size_units(&self) -> u32 {
        self.meta.grid_size_units.filter(|&g| g > 0).unwrap_or(DEFAULT_GRID_SIZE_UNITS)
    }

    /// The roster entry of a client slot.
    pub fn player(&self, clientnum: u16) -> Option<&Player> {
        self.players.binary_search_by_key(&clientnum, |p| p.clientnum).ok().map(|i| &self.players[i])
    }

    /// The samples of a client slot.
    pub fn track(&self, clientnum: u16) -> Option<&PlayerTrack> {
        self.tracks.binary_search_by_key(&clientnum, |t| t.clientnum).ok().map(|i| &self.tracks[i])
    }

    /// Display name of a client slot: the roster's, else `#<n>`, `world` or `unknown`.
    pub fn display_name(&self, clientnum: u16) -> String {
        match (self.player(clientnum), clientnum) {
            // A roster entry without a usable name (a seed-format round whose names could not
            // be inferred) is still told apart by its slot.
            (Some(p), n) => {
                Some(p.clean_name()).filter(|name| !name.trim().is_empty()).unwrap_or_else(|| format!("#{n}"))
            }
            (None, WORLD_CLIENTNUM) => "world".to_owned(),
            (None, NONE_CLIENTNUM) => "unknown".to_owned(),
            (None, n) => format!("#{n}"),
        }
    }

    /// Kills of players by other players ([`CombatEvent::is_player_kill`]).
    pub fn player_kill_count(&self) -> usize {
        self.combat.iter().filter(|e| e.is_player_kill()).count()
    }

    /// Every client slot that appears anywhere in the round (roster, positions, combat), sorted.
    pub fn clientnums(&self) -> Vec<u16> {
        // Marked by slot (a combat file names a few players thousands of times).
        let mut seen = [false; MAX_CLIENTS as usize];
        let mut mark = |c: u16| {
            if let Some(slot) = seen.get_mut(usize::from(c)) {
                *slot = true;
            }
        };
        self.players.iter().for_each(|p| mark(p.clientnum));
        self.tracks.iter().for_each(|t| mark(t.clientnum));
        for e in &self.combat {
            mark(e.attacker);
            e.target.into_iter().for_each(&mut mark);
        }
        (0..MAX_CLIENTS).filter(|&c| seen[usize::from(c)]).collect()
    }

    /// Total number of position samples.
    pub fn position_count(&self) -> usize {
        self.tracks.iter().map(|t| t.samples.len()).sum()
    }

    /// The last time anything happened, in ms since round start.
    pub fn duration_ms(&self) -> u32 {
        let last_sample = self.tracks.iter().filter_map(|t| t.samples.last()).map(|s| s.time_ms);
        let last_event = self.combat.iter().map(|e| e.time_ms);
        let last_engagement = self.engagements.iter().filter_map(|e| e.time_ms);
        let last_moment = self.events.iter().map(|e| e.time_ms);
        last_sample.chain(last_event).chain(last_engagement).chain(last_moment).max().unwrap_or(0)
    }

    /// The round's content without the load report, for comparisons.
    pub fn same_content(&self, other: &Round) -> bool {
        self.name == other.name
            && self.meta == other.meta
            && self.players == other.players
            && self.tracks == other.tracks
            && self.combat == other.combat
            && self.engagements == other.engagements
            && self.heatmap == other.heatmap
            && self.events == other.events
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_position_sample_fits_in_48_bytes() {
        assert!(size_of::<PositionSample>() <= 48);
    }

    #[test]
    fn team_numbers_round_trip() {
        for n in 0..4 {
            assert_eq!(Team::from_number(n).map(|t| t.number() as u32), Some(n));
        }
        assert_eq!(Team::from_number(4), None);
        assert_eq!(Team::Axis.enemy(), Some(Team::Allies));
    }

    #[test]
    fn engagement_types_display_as_n_v_m() {
        assert_eq!(EngagementType::versus(2, 1).to_string(), "2v1");
        assert_eq!(EngagementType::Other("SNIPED".into()).to_string(), "SNIPED");
    }

    #[test]
    fn engagement_labels_parse_as_written_and_say_who_had_the_numbers() {
        assert_eq!("2vs1".parse(), Ok(EngagementType::versus(2, 1)));
        assert_eq!("12V3".parse(), Ok(EngagementType::versus(12, 3)));
        assert_eq!("2v".parse(), Ok(EngagementType::Other("2v".into())));
        assert_eq!("300v1".parse(), Ok(EngagementType::Other("300v1".into())));
        assert_eq!(EngagementType::from_label(b"2v2").balance(), Balance::Even);
        assert_eq!(EngagementType::versus(3, 1).balance(), Balance::Advantage);
        assert_eq!(EngagementType::versus(1, 3).balance(), Balance::Disadvantage);
        assert_eq!(EngagementType::Other("SNIPED".into()).balance(), Balance::Unknown);
    }
}
