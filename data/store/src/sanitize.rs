//! Values the seed's column types cannot hold, caught per value before a round goes in: a NUL
//! byte (PostgreSQL text and JSONB refuse it), a name longer than the seed's `VARCHAR(64)`, a
//! count of 2³¹ or more in an `INTEGER`, a coordinate that is not a place (not finite, or so
//! far out that a grid cell index overflows a season query). Each is dropped, cut or clamped
//! with one report line per kind, so one odd value never sinks a round and no stored row can
//! later break a query.

use std::sync::Arc;

use proxviz_data::season::{WORLD_LIMIT, in_world};
use proxviz_data::{EngagementType, Round};

/// The seed's `VARCHAR(64)` of engagement names.
const NAME_CHARS: usize = 64;

/// Longest player name kept (the current public tracker cuts at 256; an index entry must stay
/// well under PostgreSQL's 2.7 kB).
const PLAYER_NAME_CHARS: usize = 256;

/// The seed's `VARCHAR(20)` of engagement types.
const LABEL_CHARS: usize = 20;

/// Counts of one kind of fix, with the first example.
#[derive(Default)]
struct Tally {
    n: usize,
    first: Option<String>,
}

impl Tally {
    fn add(&mut self, example: impl FnOnce() -> String) {
        if self.n == 0 {
            self.first = Some(example());
        }
        self.n += 1;
    }

    fn line(&self, what: &str, done: &str, out: &mut Vec<String>) {
        if let Some(first) = &self.first {
            let more = if self.n > 1 { format!(" ({} in all)", self.n) } else { String::new() };
            out.push(format!("{what}: {done}; first: {first}{more}"));
        }
    }
}

fn place_ok(v: glam::Vec3) -> bool {
    in_world(v.x) && in_world(v.y) && in_world(v.z)
}

fn strip_nul(s: &mut String) -> bool {
    if s.contains('\0') {
        s.retain(|c| c != '\0');
        true
    } else {
        false
    }
}

fn needs_fixing(round: &Round) -> bool {
    let mut cells: Vec<(i32, i32)> = round.heatmap.iter().map(|c| (c.grid_x, c.grid_y)).collect();
    cells.sort_unstable();
    let repeated_cell = cells.windows(2).any(|w| w[0] == w[1]);
    repeated_cell
        || round.players.iter().any(|p| p.name.contains('\0') || p.name.chars().count() > PLAYER_NAME_CHARS)
        || round.engagements.iter().any(|e| {
            [&e.killer_name, &e.victim_name].iter().any(|n| n.contains('\0') || n.chars().count() > NAME_CHARS)
                || matches!(&e.kind, EngagementType::Other(l) if l.contains('\0') || l.chars().count() > LABEL_CHARS)
                || e.victim_pos.is_some_and(|p| !place_ok(p))
                || !e.distance.is_finite()
        })
        || round.tracks.iter().any(|t| t.samples.iter().any(|s| !place_ok(s.pos)))
        || round
            .combat
            .iter()
            .any(|e| e.attacker_pos.is_some_and(|p| !place_ok(p)) || e.target_pos.is_some_and(|p| !place_ok(p)))
        || round.heatmap.iter().any(|c| c.axis_kills > i32::MAX as u32 || c.allies_kills > i32::MAX as u32)
        || round.events.iter().any(|e| {
            e.detail.contains('\0')
                || e.detail.chars().count() > PLAYER_NAME_CHARS
                || e.pos.is_some_and(|p| !place_ok(p))
        })
}

/// The round as it can be stored, and a line per kind of value that had to change.
pub fn sanitize(round: &Arc<Round>) -> (Arc<Round>, Vec<String>) {
    if !needs_fixing(round) {
        return (round.clone(), Vec::new());
    }
    let mut r = Round::clone(round);
    let mut notes = Vec::new();
    let (mut nul, mut long, mut far_samples, mut far_combat, mut far_engagements, mut counts) =
        (Tally::default(), Tally::default(), Tally::default(), Tally::default(), Tally::default(), Tally::default());
    let mut repeated = Tally::default();
    for p in &mut r.players {
        let cn = p.clientnum;
        if strip_nul(&mut p.name) {
            nul.add(|| format!("player {cn}'s name"));
        }
        if p.name.chars().count() > PLAYER_NAME_CHARS {
            long.add(|| format!("player {cn}'s name: {} characters", p.name.chars().count()));
            p.name = p.name.chars().take(PLAYER_NAME_CHARS).collect();
        }
    }
    // A cell listed twice: one row per cell, the counts added.
    let mut merged: Vec<proxviz_data::HeatmapCell> = Vec::with_capacity(r.heatmap.len());
    let mut at: std::collections::HashMap<(i32, i32), usize> = std::collections::HashMap::new();
    for c in &r.heatmap {
        match at.get(&(c.grid_x, c.grid_y)) {
            Some(&i) => {
                repeated.add(|| format!("cell ({}, {})", c.grid_x, c.grid_y));
                merged[i].axis_kills = merged[i].axis_kills.saturating_add(c.axis_kills);
                merged[i].allies_kills = merged[i].allies_kills.saturating_add(c.allies_kills);
            }
            None => {
                at.insert((c.grid_x, c.grid_y), merged.len());
                merged.push(*c);
            }
        }
    }
    r.heatmap = merged;
    for (i, e) in r.engagements.iter_mut().enumerate() {
        for name in [&mut e.killer_name, &mut e.victim_name] {
            if strip_nul(name) {
                nul.add(|| format!("engagement {}", i + 1));
            }
            if name.chars().count() > NAME_CHARS {
                long.add(|| format!("engagement {}: {} characters", i + 1, name.chars().count()));
                *name = name.chars().take(NAME_CHARS).collect();
            }
        }
        if let EngagementType::Other(label) = &mut e.kind
            && (label.contains('\0') || label.chars().count() > LABEL_CHARS)
        {
            long.add(|| format!("engagement {}: type of {} characters", i + 1, label.chars().count()));
            *label = label.chars().filter(|&c| c != '\0').take(LABEL_CHARS).collect();
        }
        if e.victim_pos.is_some_and(|p| !place_ok(p)) {
            far_engagements.add(|| format!("engagement {}", i + 1));
            e.victim_pos = None;
        }
        if !e.distance.is_finite() {
            far_engagements.add(|| format!("engagement {} distance {}", i + 1, e.distance));
            e.distance = 0.0;
        }
    }
    for t in &mut r.tracks {
        let cn = t.clientnum;
        t.samples.retain(|s| {
            let ok = place_ok(s.pos);
            if !ok {
                far_samples.add(|| format!("client {cn} at {:.1} s: {}", f64::from(s.time_ms) / 1000.0, s.pos));
            }
            ok
        });
    }
    r.tracks.retain(|t| !t.samples.is_empty());
    for (i, e) in r.combat.iter_mut().enumerate() {
        for pos in [&mut e.attacker_pos, &mut e.target_pos] {
            if let Some(p) = *pos
                && !place_ok(p)
            {
                far_combat.add(|| format!("event {} at {:.1} s: {p}", i + 1, f64::from(e.time_ms) / 1000.0));
                *pos = None;
            }
        }
    }
    for c in &mut r.heatmap {
        for n in [&mut c.axis_kills, &mut c.allies_kills] {
            if *n > i32::MAX as u32 {
                counts.add(|| format!("cell ({}, {}): {n}", c.grid_x, c.grid_y));
                *n = i32::MAX as u32;
            }
        }
    }
    for (i, e) in r.events.iter_mut().enumerate() {
        if strip_nul(&mut e.detail) {
            nul.add(|| format!("event {}'s detail", i + 1));
        }
        if e.detail.chars().count() > PLAYER_NAME_CHARS {
            long.add(|| format!("event {}'s detail: {} characters", i + 1, e.detail.chars().count()));
            e.detail = e.detail.chars().take(PLAYER_NAME_CHARS).collect();
        }
        if let Some(p) = e.pos.filter(|&p| !place_ok(p)) {
            far_combat.add(|| format!("{} at {:.1} s: {p}", e.kind, f64::from(e.time_ms) / 1000.0));
            e.pos = None;
        }
    }
    nul.line("NUL bytes in names", "removed", &mut notes);
    long.line(
        "names or types longer than their columns (players and event details 256, engagements 64, types 20)",
        "cut",
        &mut notes,
    );
    repeated.line("heatmap cells listed more than once", "added up into one", &mut notes);
    far_samples.line(&format!("position samples beyond ±{WORLD_LIMIT} units or not numbers"), "dropped", &mut notes);
    far_combat.line(
        &format!("combat or event positions beyond ±{WORLD_LIMIT} units or not numbers"),
        "left out",
        &mut notes,
    );
    far_engagements.line("engagement places or distances that are not places", "left out", &mut notes);
    counts.line("heatmap counts of 2³¹ or more", "clamped to 2147483647", &mut notes);
    (Arc::new(r), notes)
}

/// `value` with every NUL removed from its strings (JSONB cannot hold `\u0000`); whether any was.
pub fn json_without_nul(value: &mut serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(s) => strip_nul(s),
        serde_json::Value::Array(items) => items.iter_mut().fold(false, |any, v| json_without_nul(v) | any),
        serde_json::Value::Object(map) => {
            let keys: Vec<String> = map.keys().filter(|k| k.contains('\0')).cloned().collect();
            let renamed = !keys.is_empty();
            for k in keys {
                if let Some(v) = map.remove(&k) {
                    map.insert(k.replace('\0', ""), v);
                }
            }
            map.values_mut().fold(renamed, |any, v| json_without_nul(v) | any)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use glam::Vec3;
    use proxviz_data::model::{Engagement, HeatmapCell, Player, PlayerTrack, PositionSample};

    fn sample(t: u32, x: f32) -> PositionSample {
        PositionSample {
            time_ms: t,
            pos: Vec3::new(x, 0.0, 0.0),
            yaw_deg: 0.0,
            pitch_deg: 0.0,
            speed_ups: 0.0,
            health: None,
            team: None,
            moving: false,
        }
    }

    #[test]
    fn each_odd_value_is_fixed_on_its_own_and_reported_once_per_kind() {
        let round = Round {
            players: vec![Player { clientnum: 0, team: None, name: "ab\0c".into() }],
            tracks: vec![PlayerTrack {
                clientnum: 0,
                samples: vec![sample(0, 1.0), sample(1000, 1e30), sample(2000, f32::NAN), sample(3000, 2.0)],
            }],
            engagements: vec![Engagement {
                kind: EngagementType::Versus { attackers: 1, targets: 1 },
                distance: 1.0,
                killer_name: "x".repeat(70),
                victim_name: "v".into(),
                time_ms: None,
                killer: None,
                victim: None,
                victim_pos: Some(Vec3::splat(f32::INFINITY)),
                attacker_backup: None,
                target_backup: None,
            }],
            heatmap: vec![HeatmapCell { grid_x: 0, grid_y: 0, axis_kills: 3_000_000_000, allies_kills: 5 }],
            ..Round::default()
        };
        let (fixed, notes) = sanitize(&Arc::new(round));
        assert_eq!(fixed.players[0].name, "abc");
        assert_eq!(fixed.tracks[0].samples.iter().map(|s| s.time_ms).collect::<Vec<_>>(), [0, 3000]);
        assert_eq!(fixed.engagements[0].killer_name.chars().count(), 64);
        assert_eq!(fixed.engagements[0].victim_pos, None);
        assert_eq!((fixed.heatmap[0].axis_kills, fixed.heatmap[0].allies_kills), (i32::MAX as u32, 5));
        assert_eq!(notes.len(), 5, "{notes:#?}");
        assert!(notes.iter().any(|n| n.starts_with("position samples") && n.contains("(2 in all)")), "{notes:#?}");
    }

    #[test]
    fn a_clean_round_is_not_copied() {
        let round = Arc::new(Round::default());
        let (same, notes) = sanitize(&round);
        assert!(Arc::ptr_eq(&round, &same) && notes.is_empty());
    }

    #[test]
    fn nul_bytes_leave_json_strings_and_keys() {
        let mut v = serde_json::json!({"a\u{0}": ["x\u{0}y", 1], "b": "ok"});
        assert!(json_without_nul(&mut v));
        assert_eq!(v, serde_json::json!({"a": ["xy", 1], "b": "ok"}));
    }
}
