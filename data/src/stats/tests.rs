//! Tests of the round statistics against a hand-built round whose values are worked out by hand.

use std::sync::Arc;

use glam::Vec3;

use super::*;
use crate::model::{CombatEvent, Engagement, EngagementType, HeatmapCell, Player, PlayerTrack, PositionSample};

fn sample(time_ms: u32, x: f32, speed_ups: f32) -> PositionSample {
    PositionSample {
        time_ms,
        pos: Vec3::new(x, 0.0, 0.0),
        yaw_deg: 0.0,
        pitch_deg: 0.0,
        speed_ups,
        health: None,
        team: None,
        moving: speed_ups > 5.0,
    }
}

fn event(time_ms: u32, kind: CombatKind, attacker: u16, target: Option<u16>, damage: i32) -> CombatEvent {
    CombatEvent {
        time_ms,
        kind,
        attacker,
        target,
        distance: 0.0,
        nearby_allies: 0,
        nearby_enemies: 0,
        damage,
        weapon: None,
        mod_id: None,
        attacker_pos: None,
        target_pos: None,
    }
}

fn engagement(kind: EngagementType, distance: f32, killer: &str, victim: &str) -> Engagement {
    Engagement {
        kind,
        distance,
        killer_name: killer.into(),
        victim_name: victim.into(),
        time_ms: None,
        killer: None,
        victim: None,
        victim_pos: None,
        attacker_backup: None,
        target_backup: None,
    }
}

/// Player 0 walks 200 units then stands still for 3 s; shoots 3 times, hits player 1 twice
/// (40 + 60) and kills them; dies to the world later. Player 1 stands, fires once, takes 5 from
/// the world, dies and never respawns.
fn round() -> Round {
    use CombatKind::{Fire, Hit, Kill};
    Round {
        players: vec![
            Player { clientnum: 0, team: Some(Team::Axis), name: "^1Axe".into() },
            Player { clientnum: 1, team: Some(Team::Allies), name: "Ally".into() },
        ],
        tracks: vec![
            PlayerTrack {
                clientnum: 0,
                samples: vec![
                    sample(0, 0.0, 100.0),
                    sample(1000, 100.0, 100.0),
                    sample(2000, 200.0, 0.0),
                    sample(3000, 200.0, 0.0),
                    sample(4000, 200.0, 0.0),
                    sample(5000, 200.0, 0.0),
                ],
            },
            PlayerTrack { clientnum: 1, samples: (0..=5).map(|s| sample(s * 1000, 1000.0, 0.0)).collect() },
        ],
        combat: vec![
            event(500, Hit, 1022, Some(1), 5),
            event(1000, Fire, 0, None, 0),
            event(1050, Fire, 1, None, 0),
            event(1100, Fire, 0, None, 0),
            event(1100, Hit, 0, Some(1), 40),
            event(1200, Fire, 0, None, 0),
            event(1200, Hit, 0, Some(1), 60),
            event(2500, Kill, 0, Some(1), 0),
            event(9000, Kill, 1022, Some(0), 0),
        ],
        engagements: vec![
            engagement(EngagementType::versus(1, 1), 300.0, "^1Axe", "Ally"),
            engagement(EngagementType::versus(2, 1), 100.0, "x", "y"),
        ],
        heatmap: vec![
            HeatmapCell { grid_x: 0, grid_y: 0, axis_kills: 1, allies_kills: 0 },
            HeatmapCell { grid_x: 1, grid_y: -1, axis_kills: 0, allies_kills: 0 },
            HeatmapCell { grid_x: 2, grid_y: 2, axis_kills: 3, allies_kills: 1 },
        ],
        ..Round::default()
    }
}

fn stats() -> Statistics {
    statistics(&Timeline::new(Arc::new(round())), &StatsConfig::default())
}

#[test]
fn the_seed_totals_count_lines() {
    let s = stats();
    assert_eq!((s.total_positions, s.total_combat_events, s.total_engagements, s.total_heatmap_cells), (12, 9, 2, 3));
    assert_eq!(s.combat_by_type, BTreeMap::from([("fire".into(), 4), ("hit".into(), 3), ("kill".into(), 2)]));
    assert_eq!(s.engagement_type_count, BTreeMap::from([("1v1".into(), 1), ("2v1".into(), 1)]));
    assert_eq!(s.average_engagement_distance, 200.0);
}

#[test]
fn hotspots_are_cells_with_kills_most_first() {
    let s = stats();
    let grids: Vec<(&str, u32)> = s.hotspots.iter().map(|h| (h.grid.as_str(), h.total_kills)).collect();
    assert_eq!(grids, [("(2, 2)", 4), ("(0, 0)", 1)]);
}

#[test]
fn per_player_combat_counts_follow_the_events() {
    let s = stats();
    let names: Vec<&str> = s.players.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Axe", "Ally"], "world is not a player; colour codes are stripped");
    let axe = &s.players[0];
    assert_eq!((axe.kills, axe.deaths, axe.suicides), (1, 1, 1));
    assert_eq!((axe.shots, axe.hits, axe.damage_given, axe.damage_taken), (3, 2, 100, 0));
    assert_eq!(axe.accuracy, Some(2.0 / 3.0));
    let ally = &s.players[1];
    assert_eq!((ally.kills, ally.deaths, ally.suicides), (0, 1, 0));
    assert_eq!((ally.shots, ally.hits, ally.damage_taken), (1, 0, 105));
    assert_eq!(ally.accuracy, Some(0.0));
}

#[test]
fn engagements_are_matched_to_players_by_name_when_clients_are_missing() {
    let s = stats();
    assert_eq!(s.players[0].engagements_as_killer, BTreeMap::from([("1v1".into(), 1)]));
    assert_eq!(s.players[1].engagements_as_victim, BTreeMap::from([("1v1".into(), 1)]));
    assert!(s.players[0].engagements_as_victim.is_empty());
}

#[test]
fn distance_and_stationary_time_count_only_the_living() {
    let s = stats();
    assert_eq!(s.players[0].distance_travelled_units, 200.0);
    assert_eq!(s.players[0].time_stationary_ms, 3000, "still from 2 s to 5 s");
    assert_eq!(s.players[1].time_stationary_ms, 0, "still 0-2 s alive, then dead: under 3 s");
}

#[test]
fn a_shorter_stationary_duration_counts_shorter_stretches() {
    let cfg = StatsConfig { stationary_duration_ms: 2000, ..StatsConfig::default() };
    let s = statistics(&Timeline::new(Arc::new(round())), &cfg);
    assert_eq!(s.players[1].time_stationary_ms, 2000);
}

#[test]
fn tracker_metadata_sets_the_stationary_thresholds() {
    let mut r = round();
    r.meta.extra.insert("stationary_threshold".into(), "12.5".into());
    r.meta.extra.insert("stationary_duration".into(), "1500".into());
    let cfg = StatsConfig::for_round(&r);
    assert_eq!((cfg.stationary_threshold_ups, cfg.stationary_duration_ms), (12.5, 1500));
}

#[test]
fn an_empty_round_has_zero_statistics() {
    let s = statistics(&Timeline::new(Arc::new(Round::default())), &StatsConfig::default());
    assert_eq!(s.total_positions, 0);
    assert_eq!(s.average_engagement_distance, 0.0);
    assert!(s.hotspots.is_empty() && s.players.is_empty());
}

#[test]
fn players_shared_out_between_threads_get_the_same_statistics_in_the_same_order() {
    let timeline = Timeline::new(Arc::new(round()));
    let cfg = StatsConfig::for_round(timeline.round());
    let cns = timeline.round().clientnums();
    assert!(cns.len() >= 2);
    let one = players_stats_on(&timeline, &cns, &cfg, 1);
    for threads in [2, 3, 64] {
        assert_eq!(players_stats_on(&timeline, &cns, &cfg, threads), one, "{threads} threads");
    }
}

/// [`movement`] as it was first written: every sample looks up whether its player is dead and
/// whether they died since the sample before.
fn movement_by_lookups(timeline: &Timeline, cn: u16, samples: &[PositionSample], cfg: &StatsConfig) -> (f64, u64) {
    let (mut travelled, mut stationary_ms, mut still) = (0.0f64, 0u64, None::<(u32, u32)>);
    let close = |run: Option<(u32, u32)>, stationary_ms: &mut u64| {
        if let Some((first, last)) = run
            && last - first >= cfg.stationary_duration_ms
        {
            *stationary_ms += u64::from(last - first);
        }
    };
    let mut prev: Option<&PositionSample> = None;
    for s in samples {
        if timeline.is_dead(cn, s.time_ms) || s.health.is_some_and(|h| h <= 0) {
            close(still.take(), &mut stationary_ms);
            prev = None;
            continue;
        }
        if let Some(p) = prev {
            let died = timeline
                .kills_in(p.time_ms.saturating_add(1)..s.time_ms.saturating_add(1))
                .iter()
                .any(|k| k.victim == cn);
            let step = p.pos.distance(s.pos);
            if !died && step.is_finite() && step <= 2.0 * crate::season::WORLD_LIMIT {
                travelled += f64::from(step);
            }
        }
        if s.speed_ups < cfg.stationary_threshold_ups {
            still = Some((still.map_or(s.time_ms, |(first, _)| first), s.time_ms));
        } else {
            close(still.take(), &mut stationary_ms);
        }
        prev = Some(s);
    }
    close(still.take(), &mut stationary_ms);
    (travelled, stationary_ms)
}

#[test]
fn walking_deaths_alongside_the_samples_counts_what_looking_them_up_counts() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(14);
    let cfg = StatsConfig::default();
    let (mut with_deaths, mut walked_some) = (0, 0);
    for _ in 0..200 {
        // Four players, samples every 100-1,000 ms (some at the same time as a death), kills
        // among them and by the world at random times, some health at zero.
        let mut round = Round::default();
        for cn in 0..4u16 {
            let mut time = rng.random_range(0..3_000u32);
            let samples = (0..rng.random_range(0..60))
                .map(|_| {
                    time += rng.random_range(1..1_000);
                    let speed = if rng.random_bool(0.7) { 0.0 } else { 200.0 };
                    let mut s = sample(time, rng.random_range(-500.0..500.0), speed);
                    s.health = rng.random_bool(0.1).then_some(0);
                    s
                })
                .collect();
            round.tracks.push(PlayerTrack { clientnum: cn, samples });
        }
        for _ in 0..rng.random_range(0..25) {
            let killer = if rng.random_bool(0.2) { 1022 } else { rng.random_range(0..4) };
            // Half of them at the very time of some sample.
            let track = &round.tracks[rng.random_range(0..4)];
            let at = match track.samples.len() {
                n if n > 0 && rng.random_bool(0.5) => track.samples[rng.random_range(0..n)].time_ms,
                _ => rng.random_range(0..40_000),
            };
            round.combat.push(event(at, CombatKind::Kill, killer, Some(rng.random_range(0..4)), 0));
        }
        round.combat.sort_by_key(|e| e.time_ms);
        let timeline = Timeline::new(Arc::new(round));
        for track in &timeline.round().tracks {
            let walked = movement(&timeline, track.clientnum, &track.samples, &cfg);
            assert_eq!(walked, movement_by_lookups(&timeline, track.clientnum, &track.samples, &cfg));
            with_deaths += usize::from(!timeline.dead_spans(track.clientnum).is_empty());
            walked_some += usize::from(walked.0 > 0.0 && walked.1 > 0);
        }
    }
    assert!(with_deaths > 200 && walked_some > 100, "{with_deaths} players died, {walked_some} walked and stood");
}
