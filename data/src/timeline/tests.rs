//! Tests of the replay index.

use super::*;
use crate::model::CombatKind;
use crate::model::{CombatEvent, Engagement, EngagementType, Player};

fn sample(time_ms: u32, x: f32, yaw_deg: f32, speed_ups: f32, health: Option<i16>) -> PositionSample {
    PositionSample {
        time_ms,
        pos: Vec3::new(x, 0.0, 0.0),
        yaw_deg,
        pitch_deg: 0.0,
        speed_ups,
        health,
        team: None,
        moving: speed_ups > 5.0,
    }
}

fn kill(time_ms: u32, attacker: u16, target: u16, target_pos: Option<Vec3>) -> CombatEvent {
    CombatEvent {
        time_ms,
        kind: CombatKind::Kill,
        attacker,
        target: Some(target),
        distance: 100.0,
        nearby_allies: 0,
        nearby_enemies: 0,
        damage: 0,
        weapon: None,
        mod_id: None,
        attacker_pos: None,
        target_pos,
    }
}

/// Client 1 walks +x at 100 u/s sampled every second for 10 s (seed format: no health).
fn walker() -> Round {
    Round {
        players: vec![Player { clientnum: 1, team: Some(Team::Axis), name: "^1W".into() }],
        tracks: vec![PlayerTrack {
            clientnum: 1,
            samples: (0..=10).map(|s| sample(s * 1000, s as f32 * 100.0, 0.0, 100.0, None)).collect(),
        }],
        ..Round::default()
    }
}

fn timeline(round: Round) -> Timeline {
    Timeline::new(Arc::new(round))
}

#[test]
fn position_is_interpolated_between_samples() {
    let t = timeline(walker());
    let s = t.state_at(1, 2500).expect("present");
    assert_eq!(s.pos, Vec3::new(250.0, 0.0, 0.0));
    assert!(s.alive);
    assert_eq!(s.team, Some(Team::Axis), "roster team when samples have none");
}

#[test]
fn a_player_is_absent_before_the_first_sample_and_long_after_the_last() {
    let t = timeline(walker());
    let mut r = walker();
    r.tracks[0].samples.remove(0);
    let late_start = timeline(r);
    assert!(late_start.state_at(1, 500).is_none());
    assert!(t.state_at(1, 10_500).is_some(), "just after the last sample the player is still shown");
    assert!(t.state_at(1, 60_000).is_none());
    assert!(t.state_at(7, 1000).is_none(), "unknown clients are absent");
}

#[test]
fn yaw_interpolates_the_short_way_round() {
    assert!((lerp_angle_deg(170.0, -170.0, 0.5).abs() - 180.0).abs() < 1e-3);
    assert!((lerp_angle_deg(-10.0, 10.0, 0.25) - -5.0).abs() < 1e-3);
    let mut r = walker();
    r.tracks[0].samples[3].yaw_deg = 350.0;
    r.tracks[0].samples[4].yaw_deg = 10.0;
    let s = timeline(r).state_at(1, 3500).expect("present");
    assert!(s.yaw_deg.abs() < 1e-3, "{}", s.yaw_deg);
}

#[test]
fn a_killed_player_is_dead_at_the_kill_spot_until_respawn() {
    let mut r = walker();
    // Killed at 4.5 s; the body lies at x=450 until 7 s, then respawns far away.
    for s in &mut r.tracks[0].samples[5..7] {
        s.pos.x = 450.0;
        s.speed_ups = 0.0;
    }
    r.tracks[0].samples[7].pos.x = 5000.0;
    r.combat.push(kill(4500, 2, 1, None));
    let t = timeline(r);
    assert_eq!(
        t.kills()[0].pos,
        Some(Vec3::new(425.0, 0.0, 0.0)),
        "seed files: kill position from the victim's samples"
    );
    let dead = t.state_at(1, 6000).expect("present while dead");
    assert!(!dead.alive);
    assert_eq!(dead.pos.x, 425.0);
    assert!(t.is_dead(1, 4500));
    assert!(!t.is_dead(1, 4499));
    let back = t.state_at(1, 7000).expect("present");
    assert!(back.alive);
    assert_eq!(back.pos.x, 5000.0);
    assert_eq!(t.state_at(1, 4200).map(|s| s.pos.x), Some(400.0), "no interpolation across the death");
}

#[test]
fn health_decides_respawn_when_the_files_have_it() {
    let mut r = walker();
    for s in &mut r.tracks[0].samples {
        s.health = Some(100);
    }
    r.tracks[0].samples[5].health = Some(0);
    r.tracks[0].samples[6].health = Some(-20);
    r.combat.push(kill(4800, 2, 1, Some(Vec3::new(1.0, 2.0, 3.0))));
    let t = timeline(r);
    assert_eq!(t.kills()[0].pos, Some(Vec3::new(1.0, 2.0, 3.0)), "the combat line's position wins");
    assert!(!t.state_at(1, 6500).expect("present").alive);
    assert!(t.state_at(1, 7000).expect("present").alive);
}

#[test]
fn events_in_a_time_range_come_in_time_order() {
    let mut r = walker();
    r.combat = vec![kill(3000, 2, 1, None), kill(1000, 2, 1, None), kill(2000, 2, 1, None), kill(5000, 2, 1, None)];
    let t = timeline(r);
    let times: Vec<u32> = t.combat_in(1000..3001).iter().map(|&i| t.round().combat[i as usize].time_ms).collect();
    assert_eq!(times, [1000, 2000, 3000]);
    assert!(t.combat_in(6000..7000).is_empty());
    assert_eq!(t.kills_in(0..2500).len(), 2);
}

#[test]
fn seed_engagements_take_time_and_place_from_the_kill_they_describe() {
    let mut r = walker();
    r.combat.push(kill(2000, 2, 1, None));
    r.engagements.push(Engagement {
        kind: EngagementType::versus(1, 1),
        distance: 100.0,
        killer_name: "a".into(),
        victim_name: "b".into(),
        time_ms: None,
        killer: None,
        victim: None,
        victim_pos: None,
        attacker_backup: None,
        target_backup: None,
    });
    let t = timeline(r);
    assert_eq!(t.engagement_at(0), Some((2000, Some(Vec3::new(200.0, 0.0, 0.0)))));
    assert_eq!(t.engagements_in(0..3000).collect::<Vec<_>>(), [0]);
}

#[test]
fn only_kills_by_another_player_count_as_kills() {
    let mut round = walker();
    round.combat = vec![
        kill(1000, 2, 1, None),
        kill(2000, 1, 1, None),
        kill(3000, crate::model::WORLD_CLIENTNUM, 1, None),
        CombatEvent { kind: CombatKind::Hit, ..kill(3500, 2, 1, None) },
        kill(4000, 1, 2, None),
    ];
    assert_eq!(round.player_kill_count(), 2);
    let t = timeline(round);
    let by_player: Vec<u32> = t.kills().iter().filter(|k| k.by_player()).map(|k| k.time_ms).collect();
    assert_eq!(by_player, vec![1000, 4000]);
}

#[test]
fn event_times_are_kills_engagements_and_round_events_once_each_in_order() {
    let mut round = walker();
    round.combat = vec![kill(5000, 2, 1, None), kill(2000, 2, 1, None)];
    let engagement = |t: u32| Engagement {
        kind: EngagementType::versus(1, 1),
        distance: 1.0,
        killer_name: "a".into(),
        victim_name: "b".into(),
        time_ms: Some(t),
        killer: None,
        victim: None,
        victim_pos: None,
        attacker_backup: None,
        target_backup: None,
    };
    round.engagements = vec![engagement(5000), engagement(3000)];
    round.events = vec![
        crate::RoundEvent::new(2000, crate::EventKind::Revive),
        crate::RoundEvent::new(4500, crate::EventKind::DynamitePlant),
    ];
    let t = timeline(round);
    assert_eq!(t.event_times(), &[2000, 3000, 4500, 5000]);
    assert_eq!(t.engagement_times(), &[3000, 5000]);
}

#[test]
fn bounds_hold_positions_and_heatmap_cells_and_default_to_a_square() {
    let mut round = walker();
    assert_eq!(timeline(round.clone()).bounds(), (Vec2::new(0.0, 0.0), Vec2::new(1000.0, 0.0)));
    round.heatmap = vec![crate::model::HeatmapCell { grid_x: -1, grid_y: 2, axis_kills: 1, allies_kills: 0 }];
    assert_eq!(timeline(round).bounds(), (Vec2::new(-512.0, 0.0), Vec2::new(1000.0, 1536.0)));
    assert_eq!(timeline(Round::default()).bounds(), (Vec2::splat(-500.0), Vec2::splat(500.0)));
}

#[test]
fn a_replay_starts_where_the_first_player_appears() {
    let mut round = walker();
    round.tracks[0].samples.drain(..3);
    assert_eq!(timeline(round).first_sample_ms(), Some(3000));
    assert_eq!(timeline(Round::default()).first_sample_ms(), None);
}
