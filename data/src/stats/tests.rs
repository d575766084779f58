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
