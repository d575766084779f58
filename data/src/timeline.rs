//! The replay index of a round: the state of every player at any time (interpolated position,
//! yaw, speed, alive or dead, team) in O(log n) per player, the kills with their positions (also
//! for seed-format files, from the victim's samples), and combat events and engagements in a time
//! range.

use std::ops::Range;
use std::sync::Arc;

use glam::{Vec2, Vec3};
use serde::Serialize;

use crate::model::{MAX_CLIENTS, PlayerTrack, PositionSample, Round, Team};

/// A respawn teleports; a sample this far from the death spot, after a death, means a new life
/// (seed-format files have no health column to tell).
const RESPAWN_DISTANCE_UNITS: f32 = 128.0;
/// Speed above which a sample after a death shows a living player (seed-format files).
const RESPAWN_SPEED_UPS: f32 = 10.0;

/// A player's state at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PlayerState {
    /// Client slot.
    pub clientnum: u16,
    /// Position (interpolated between samples of the same life); the death spot while dead.
    pub pos: Vec3,
    /// View yaw in degrees, interpolated the short way round.
    pub yaw_deg: f32,
    /// View pitch in degrees.
    pub pitch_deg: f32,
    /// Speed in units per second.
    pub speed_ups: f32,
    /// Whether the player is alive.
    pub alive: bool,
    /// Team (the sample's, else the roster's).
    pub team: Option<Team>,
    /// Health of the latest sample, when the files have it.
    pub health: Option<i16>,
}

/// One kill with where it happened.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Kill {
    /// Index in `round.combat`.
    pub event_index: usize,
    /// Time of death.
    pub time_ms: u32,
    /// Killer (client, or 1022/1023).
    pub killer: u16,
    /// Victim.
    pub victim: u16,
    /// Victim position at the kill: the combat line's, else from the victim's samples.
    pub pos: Option<Vec3>,
}

impl Kill {
    /// Whether another player made the kill (not a suicide, a fall or the world): the seed's
    /// meaning of a kill, as [`CombatEvent::is_player_kill`](crate::CombatEvent::is_player_kill).
    pub fn by_player(&self) -> bool {
        crate::model::is_player_kill(self.killer, self.victim)
    }
}

/// Derived per-track data.
#[derive(Debug, Clone, Default)]
struct TrackIndex {
    /// Typical time between samples.
    interval_ms: u32,
    /// `[death, respawn)` intervals, sorted; respawn `u32::MAX` when none followed.
    dead: Vec<(u32, u32)>,
    /// Where each death in `dead` happened.
    death_pos: Vec<Option<Vec3>>,
}

/// The replay index over a shared round.
#[derive(Debug, Clone)]
pub struct Timeline {
    round: Arc<Round>,
    tracks: Vec<TrackIndex>,
    kills: Vec<Kill>,
    /// Indices of `round.combat` sorted by time.
    combat_by_time: Vec<u32>,
    /// Time and position of each engagement (its own, else that of the kill it describes).
    engagement_at: Vec<Option<(u32, Option<Vec3>)>>,
    /// Times of the engagements that have one, sorted.
    engagement_times: Vec<u32>,
    /// Times of kills, engagements and round events (revives, objectives), sorted, without
    /// repeats.
    event_times: Vec<u32>,
    /// The rectangle (x, y) every position sample and heatmap cell lies in.
    bounds: (Vec2, Vec2),
}

impl Timeline {
    /// Builds the index (O(n log n) over the round's lines).
    pub fn new(round: Arc<Round>) -> Self {
        let kills = kills_of(&round);
        let tracks = round.tracks.iter().map(|t| index_track(t, &kills)).collect();
        let mut combat_by_time: Vec<u32> = (0..round.combat.len() as u32).collect();
        if !round.combat.is_sorted_by_key(|e| e.time_ms) {
            combat_by_time.sort_by_key(|&i| round.combat[i as usize].time_ms);
        }
        let engagement_at = engagement_places(&round, &kills);
        let mut engagement_times: Vec<u32> = engagement_at.iter().flatten().map(|(t, _)| *t).collect();
        engagement_times.sort_unstable();
        let mut event_times: Vec<u32> = kills
            .iter()
            .map(|k| k.time_ms)
            .chain(engagement_times.iter().copied())
            .chain(round.events.iter().map(|e| e.time_ms))
            .collect();
        event_times.sort_unstable();
        event_times.dedup();
        let bounds = bounds_of(&round);
        Self { round, tracks, kills, combat_by_time, engagement_at, engagement_times, event_times, bounds }
    }

    /// Times of the engagements whose time is known, sorted.
    pub fn engagement_times(&self) -> &[u32] {
        &self.engagement_times
    }

    /// When the first player appears (their first position sample): where a replay starts, so
    /// it does not open on an empty map. `None` for a round without positions.
    pub fn first_sample_ms(&self) -> Option<u32> {
        self.round.tracks.iter().filter_map(|t| t.samples.first()).map(|s| s.time_ms).min()
    }

    /// Times of kills, engagements and round events (revives, objectives), sorted, each once:
    /// where "previous / next event" jumps.
    pub fn event_times(&self) -> &[u32] {
        &self.event_times
    }

    /// The rectangle (x, y) that every position sample and heatmap cell of the round lies in: a
    /// 1000-unit square around the origin for a round with neither.
    pub fn bounds(&self) -> (Vec2, Vec2) {
        self.bounds
    }

    /// The round this indexes.
    pub fn round(&self) -> &Round {
        &self.round
    }

    /// The shared round.
    pub fn round_arc(&self) -> &Arc<Round> {
        &self.round
    }

    /// Kills sorted by time.
    pub fn kills(&self) -> &[Kill] {
        &self.kills
    }

    /// The time and position of engagement `i`, when known.
    pub fn engagement_at(&self, i: usize) -> Option<(u32, Option<Vec3>)> {
        self.engagement_at.get(i).copied().flatten()
    }

    /// The `[death, respawn)` spans of `clientnum`, sorted (respawn `u32::MAX` when none
    /// followed): [`Timeline::is_dead`] for a walk through a player's samples in time order.
    pub fn dead_spans(&self, clientnum: u16) -> &[(u32, u32)] {
        self.track_at(clientnum).map_or(&[], |(_, idx)| &idx.dead)
    }

    /// Whether `clientnum` is dead at `time_ms`.
    pub fn is_dead(&self, clientnum: u16, time_ms: u32) -> bool {
        self.track_at(clientnum).is_some_and(|(_, idx)| death_at(idx, time_ms).is_some())
    }

    fn track_at(&self, clientnum: u16) -> Option<(&PlayerTrack, &TrackIndex)> {
        let i = self.round.tracks.binary_search_by_key(&clientnum, |t| t.clientnum).ok()?;
        Some((&self.round.tracks[i], &self.tracks[i]))
    }

    /// The team of `clientnum` at `time_ms`: from its samples, else from the roster.
    pub fn team_at(&self, clientnum: u16, time_ms: u32) -> Option<Team> {
        self.state_at(clientnum, time_ms)
            .and_then(|s| s.team)
            .or_else(|| self.round.player(clientnum).and_then(|p| p.team))
    }

    /// The state of one player at `time_ms`, or `None` when the player is not in the round then
    /// (before the first sample, after the last, or in a long gap while alive).
    pub fn state_at(&self, clientnum: u16, time_ms: u32) -> Option<PlayerState> {
        let (track, idx) = self.track_at(clientnum)?;
        let samples = &track.samples;
        let after = samples.partition_point(|s| s.time_ms <= time_ms);
        let s0 = samples.get(after.checked_sub(1)?)?;
        let s1 = samples.get(after);
        let roster_team = self.round.player(clientnum).and_then(|p| p.team);
        let mut state = PlayerState {
            clientnum,
            pos: s0.pos,
            yaw_deg: s0.yaw_deg,
            pitch_deg: s0.pitch_deg,
            speed_ups: s0.speed_ups,
            alive: true,
            team: s0.team.or(roster_team),
            health: s0.health,
        };
        if let Some(death) = death_at(idx, time_ms) {
            state.alive = false;
            state.speed_ups = 0.0;
            state.pos = idx.death_pos[death].unwrap_or(s0.pos);
            return Some(state);
        }
        if s0.health.is_some_and(|h| h <= 0) {
            state.alive = false;
            return Some(state);
        }
        let gap_ms = idx.interval_ms.max(500).saturating_mul(2);
        match s1 {
            Some(s1)
                if s1.time_ms - s0.time_ms <= idx.interval_ms.max(500).saturating_mul(3)
                    && same_life(idx, s0.time_ms, s1.time_ms) =>
            {
                let f = (time_ms - s0.time_ms) as f32 / (s1.time_ms - s0.time_ms) as f32;
                state.pos = s0.pos.lerp(s1.pos, f);
                state.yaw_deg = lerp_angle_deg(s0.yaw_deg, s1.yaw_deg, f);
                state.pitch_deg = s0.pitch_deg + (s1.pitch_deg - s0.pitch_deg) * f;
                state.speed_ups = s0.speed_ups + (s1.speed_ups - s0.speed_ups) * f;
            }
            _ if time_ms - s0.time_ms > gap_ms => return None,
            _ => {}
        }
        Some(state)
    }

    /// Every player present at `time_ms`, by client slot.
    pub fn states_at(&self, time_ms: u32) -> Vec<PlayerState> {
        self.round.tracks.iter().filter_map(|t| self.state_at(t.clientnum, time_ms)).collect()
    }

    /// Indices into `round.combat` of the events with `range.start <= time < range.end`, in time
    /// order.
    pub fn combat_in(&self, range: Range<u32>) -> &[u32] {
        let combat = &self.round.combat;
        let lo = self.combat_by_time.partition_point(|&i| combat[i as usize].time_ms < range.start);
        let hi = self.combat_by_time.partition_point(|&i| combat[i as usize].time_ms < range.end);
        &self.combat_by_time[lo..hi.max(lo)]
    }

    /// Kills with `range.start <= time < range.end`.
    pub fn kills_in(&self, range: Range<u32>) -> &[Kill] {
        let lo = self.kills.partition_point(|k| k.time_ms < range.start);
        let hi = self.kills.partition_point(|k| k.time_ms < range.end);
        &self.kills[lo..hi.max(lo)]
    }

    /// Indices of engagements whose time is in the range.
    pub fn engagements_in(&self, range: Range<u32>) -> impl Iterator<Item = usize> + '_ {
        self.engagement_at
            .iter()
            .enumerate()
            .filter(move |(_, at)| at.is_some_and(|(t, _)| range.contains(&t)))
            .map(|(i, _)| i)
    }
}

/// Interpolates angles in degrees along the shorter arc.
pub fn lerp_angle_deg(a: f32, b: f32, f: f32) -> f32 {
    let delta = (b - a + 540.0).rem_euclid(360.0) - 180.0;
    let v = a + delta * f;
    if v > 180.0 {
        v - 360.0
    } else if v <= -180.0 {
        v + 360.0
    } else {
        v
    }
}

/// Position of a track at `time_ms` by plain interpolation between the samples around it.
fn raw_pos_at(samples: &[PositionSample], time_ms: u32) -> Option<Vec3> {
    let after = samples.partition_point(|s| s.time_ms <= time_ms);
    let s0 = samples.get(after.checked_sub(1)?)?;
    Some(match samples.get(after) {
        Some(s1) => s0.pos.lerp(s1.pos, (time_ms - s0.time_ms) as f32 / (s1.time_ms - s0.time_ms) as f32),
        None => s0.pos,
    })
}

/// The round's player kills in the combat file's order, each with the victim's place (what a
/// seed-format round's other files are matched against).
pub(crate) fn player_kills_with_places(round: &Round) -> Vec<Kill> {
    let mut kills: Vec<Kill> = kills_of(round).into_iter().filter(Kill::by_player).collect();
    kills.sort_by_key(|k| k.event_index);
    kills
}

fn kills_of(round: &Round) -> Vec<Kill> {
    let mut kills: Vec<Kill> = round
        .combat
        .iter()
        .enumerate()
        .filter(|(_, e)| e.kind.is_death())
        .filter_map(|(i, e)| {
            let victim = e.target.filter(|&v| v < MAX_CLIENTS)?;
            let pos = e.target_pos.or_else(|| raw_pos_at(&round.track(victim)?.samples, e.time_ms));
            Some(Kill { event_index: i, time_ms: e.time_ms, killer: e.attacker, victim, pos })
        })
        .collect();
    kills.sort_by_key(|k| (k.time_ms, k.event_index));
    kills
}

fn index_track(track: &PlayerTrack, kills: &[Kill]) -> TrackIndex {
    let samples = &track.samples;
    let mut diffs: Vec<u32> = samples.windows(2).take(64).map(|w| w[1].time_ms - w[0].time_ms).collect();
    diffs.sort_unstable();
    let interval_ms = diffs.get(diffs.len() / 2).copied().unwrap_or(1000).max(1);

    let mut dead = Vec::new();
    let mut death_pos = Vec::new();
    for kill in kills.iter().filter(|k| k.victim == track.clientnum) {
        if dead.last().is_some_and(|&(_, respawn)| kill.time_ms < respawn) {
            continue;
        }
        let first_after = samples.partition_point(|s| s.time_ms <= kill.time_ms);
        let spot = kill.pos;
        let respawn = samples[first_after..]
            .iter()
            .find(|s| match s.health {
                Some(h) => h > 0,
                None => {
                    s.speed_ups > RESPAWN_SPEED_UPS || spot.is_some_and(|p| p.distance(s.pos) > RESPAWN_DISTANCE_UNITS)
                }
            })
            .map_or(u32::MAX, |s| s.time_ms);
        dead.push((kill.time_ms, respawn));
        death_pos.push(spot);
    }
    TrackIndex { interval_ms, dead, death_pos }
}

fn bounds_of(round: &Round) -> (Vec2, Vec2) {
    let mut min = Vec2::splat(f32::INFINITY);
    let mut max = Vec2::splat(f32::NEG_INFINITY);
    for s in round.tracks.iter().flat_map(|t| &t.samples) {
        min = min.min(s.pos.truncate());
        max = max.max(s.pos.truncate());
    }
    // Rounds without positions still have their heatmap file's cells.
    let cell = round.grid_size_units() as f32;
    for c in &round.heatmap {
        min = min.min(Vec2::new(c.grid_x as f32, c.grid_y as f32) * cell);
        max = max.max(Vec2::new(c.grid_x as f32 + 1.0, c.grid_y as f32 + 1.0) * cell);
    }
    if !(min.x <= max.x && min.y <= max.y) {
        return (Vec2::splat(-500.0), Vec2::splat(500.0));
    }
    (min, max)
}

/// The death whose interval holds `time_ms`.
fn death_at(idx: &TrackIndex, time_ms: u32) -> Option<usize> {
    let i = idx.dead.partition_point(|&(start, _)| start <= time_ms).checked_sub(1)?;
    (time_ms < idx.dead[i].1).then_some(i)
}

/// Whether no death starts in `(a, b]`.
fn same_life(idx: &TrackIndex, a_ms: u32, b_ms: u32) -> bool {
    let lo = idx.dead.partition_point(|&(start, _)| start <= a_ms);
    let hi = idx.dead.partition_point(|&(start, _)| start <= b_ms);
    lo == hi
}

/// Engagements carry their own time and position in the superset format; in seed files the
/// tracker wrote one engagement per player kill in the same order, so when the counts agree the
/// n-th engagement is the n-th such kill.
fn engagement_places(round: &Round, kills: &[Kill]) -> Vec<Option<(u32, Option<Vec3>)>> {
    let player_kills: Vec<&Kill> = kills.iter().filter(|k| k.by_player()).collect();
    let by_order = round.engagements.len() == player_kills.len();
    let mut in_file_order = player_kills.clone();
    in_file_order.sort_by_key(|k| k.event_index);
    round
        .engagements
        .iter()
        .enumerate()
        .map(|(i, e)| match e.time_ms {
            Some(t) => Some((t, e.victim_pos)),
            None if by_order => in_file_order.get(i).map(|k| (k.time_ms, e.victim_pos.or(k.pos))),
            None => None,
        })
        .collect()
}

#[cfg(test)]
mod tests;
