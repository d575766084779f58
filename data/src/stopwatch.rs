//! ET's stopwatch: a map is played twice with the sides swapped, and the second attack has to
//! beat the first one's time. Which rounds form a pair ([`partner`]), who attacked
//! ([`attackers`]), and how the two attacks compare at each objective and at the end
//! ([`splits`]).

use chrono::{NaiveDate, NaiveTime};

use crate::events::EventKind;
use crate::index::RoundSummary;
use crate::model::{Round, Team};

/// What pairs rounds: map, session date, start time and round number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairKey {
    /// Map.
    pub map: Option<String>,
    /// Session date.
    pub date: Option<NaiveDate>,
    /// Start time.
    pub time: Option<NaiveTime>,
    /// 1 or 2.
    pub round: Option<u32>,
}

impl PairKey {
    /// A listed round's key.
    pub fn of_summary(s: &RoundSummary) -> Self {
        Self { map: s.map.clone(), date: s.date, time: s.time, round: s.round }
    }

    /// A read round's key.
    pub fn of_round(r: &Round) -> Self {
        Self {
            map: r.map().map(str::to_owned),
            date: r.session_date(),
            time: r.name.start_time,
            round: r.round_number(),
        }
    }
}

/// The other round of `keys[i]`'s stopwatch pair: for a round 2 the last round 1 of the same map
/// and session that started before it, for a round 1 the first round 2 after it, when that
/// round pairs back with this one (a round 1 whose round 2 was never recorded is no partner of
/// the next pair's round 2).
pub fn partner(keys: &[PairKey], i: usize) -> Option<usize> {
    let j = nearest(keys, i)?;
    (nearest(keys, j) == Some(i)).then_some(j)
}

/// The nearest round of the other number in the right direction.
fn nearest(keys: &[PairKey], i: usize) -> Option<usize> {
    let me = keys.get(i)?;
    let (map, date) = (me.map.as_ref()?, me.date?);
    let wanted = match me.round? {
        1 => 2,
        2 => 1,
        _ => return None,
    };
    let candidates = keys
        .iter()
        .enumerate()
        .filter(|(j, k)| *j != i && k.map.as_ref() == Some(map) && k.date == Some(date) && k.round == Some(wanted));
    // Before or after this round, by start time when both have one.
    let in_order = |k: &PairKey| match (me.time, k.time) {
        (Some(a), Some(b)) => {
            if wanted == 1 {
                b <= a
            } else {
                b >= a
            }
        }
        _ => true,
    };
    let fitting: Vec<(usize, &PairKey)> = candidates.filter(|(_, k)| in_order(k)).collect();
    if wanted == 1 {
        fitting.into_iter().max_by_key(|(_, k)| k.time).map(|(j, _)| j)
    } else {
        fitting.into_iter().min_by_key(|(_, k)| k.time).map(|(j, _)| j)
    }
}

/// Objective events that move an attack forward.
fn is_progress(kind: EventKind) -> bool {
    matches!(
        kind,
        EventKind::DynamitePlant
            | EventKind::ObjectiveDestroyed
            | EventKind::ConstructionComplete
            | EventKind::FlagCaptured
            | EventKind::CarrierPickup
            | EventKind::CarrierSecured
            | EventKind::Objective
    )
}

/// The attacking team, from who planted, destroyed, picked up and secured objectives (and who
/// defused and returned them: the defence); `None` when the round's files have no objective
/// events (the seed's and our tracker's files) or the votes tie.
pub fn attackers(round: &Round) -> Option<Team> {
    let (mut axis, mut allies) = (0i64, 0i64);
    for e in &round.events {
        let vote = match e.kind {
            EventKind::DynamitePlant
            | EventKind::ObjectiveDestroyed
            | EventKind::CarrierPickup
            | EventKind::CarrierSecured => e.team,
            EventKind::DynamiteDefuse | EventKind::CarrierReturned => e.team.and_then(Team::enemy),
            _ => None,
        };
        match vote {
            Some(Team::Axis) => axis += 1,
            Some(Team::Allies) => allies += 1,
            _ => {}
        }
    }
    match axis.cmp(&allies) {
        std::cmp::Ordering::Greater => Some(Team::Axis),
        std::cmp::Ordering::Less => Some(Team::Allies),
        std::cmp::Ordering::Equal => None,
    }
}

/// Most objective splits listed.
pub const MAX_SPLITS: usize = 12;

/// One moment both attacks reach (or not): the first time each got there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// What: `dynamite planted (Forward Bunker)`, or `round time` for the end.
    pub what: String,
    /// When the shown round got there.
    pub this_ms: Option<u32>,
    /// When the compared round got there.
    pub other_ms: Option<u32>,
}

impl Split {
    /// How much later the shown round was (negative: faster).
    pub fn delta_ms(&self) -> Option<i64> {
        Some(i64::from(self.this_ms?) - i64::from(self.other_ms?))
    }

    /// One line: `dynamite planted (Forward Bunker): 02:11 vs 01:58 · 13 s slower`.
    pub fn describe(&self) -> String {
        let t = |v: Option<u32>| v.map_or_else(|| "—".to_owned(), mm_ss);
        let verdict = match self.delta_ms() {
            Some(0) => " · same time".to_owned(),
            Some(d) if d < 0 => format!(" · {} faster", secs(-d)),
            Some(d) => format!(" · {} slower", secs(d)),
            None if self.this_ms.is_some() => " · only this round".to_owned(),
            None => " · only the other round".to_owned(),
        };
        format!("{}: {} vs {}{verdict}", self.what, t(self.this_ms), t(self.other_ms))
    }
}

fn mm_ss(ms: u32) -> String {
    let s = ms / 1000;
    format!("{:02}:{:02}", s / 60, s % 60)
}

fn secs(ms: i64) -> String {
    if ms >= 60_000 { format!("{}:{:02}", ms / 60_000, ms / 1000 % 60) } else { format!("{:.1} s", ms as f64 / 1000.0) }
}

/// The first time each attack reached each objective (by kind and name, the attackers' own
/// events when the attackers are known), in the order reached, at most [`MAX_SPLITS`], then
/// the round time.
pub fn splits(this: &Round, other: &Round) -> Vec<Split> {
    let firsts = |r: &Round| {
        let attack = attackers(r);
        let mut seen: Vec<((EventKind, String), u32, String)> = Vec::new();
        let mut events: Vec<_> = r.events.iter().filter(|e| is_progress(e.kind)).collect();
        events.sort_by_key(|e| e.time_ms);
        for e in events {
            if attack.is_some() && e.team.is_some() && e.team != attack {
                continue;
            }
            let key = (e.kind, e.detail.trim().to_lowercase());
            if !seen.iter().any(|(k, ..)| *k == key) {
                seen.push((key, e.time_ms, e.describe()));
            }
        }
        seen
    };
    let (a, b) = (firsts(this), firsts(other));
    let mut out: Vec<Split> = a
        .iter()
        .map(|(k, t, what)| Split {
            what: what.clone(),
            this_ms: Some(*t),
            other_ms: b.iter().find(|(kb, ..)| kb == k).map(|(_, t, _)| *t),
        })
        .collect();
    out.extend(b.iter().filter(|(k, ..)| !a.iter().any(|(ka, ..)| ka == k)).map(|(_, t, what)| Split {
        what: what.clone(),
        this_ms: None,
        other_ms: Some(*t),
    }));
    out.sort_by_key(|s| s.this_ms.into_iter().chain(s.other_ms).min());
    out.truncate(MAX_SPLITS);
    out.push(Split {
        what: "round time".to_owned(),
        this_ms: Some(this.duration_ms()),
        other_ms: Some(other.duration_ms()),
    });
    out
}

#[cfg(test)]
mod tests;
