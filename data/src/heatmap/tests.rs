//! Heatmap values against cases worked out by hand.

use std::sync::Arc;

use glam::Vec3;

use super::*;
use crate::model::{CombatEvent, CombatKind, Player, PlayerTrack, PositionSample, Round};

fn point(x: f32, y: f32, team: Option<Team>) -> KillPoint {
    KillPoint { pos: Vec2::new(x, y), killer_team: team, time_ms: 0 }
}

#[test]
fn grid_cells_floor_negative_coordinates_and_split_by_team() {
    let points = [
        point(10.0, 10.0, Some(Team::Axis)),
        point(511.9, 0.0, Some(Team::Allies)),
        point(-0.1, -512.0, Some(Team::Axis)),
        point(-0.1, -512.1, None),
    ];
    let cells = grid_counts(&points, 512.0);
    assert_eq!(cells.into_iter().collect::<Vec<_>>(), [((-1, -2), (0, 0)), ((-1, -1), (1, 0)), ((0, 0), (1, 1))]);
}

#[test]
fn a_lone_kill_peaks_at_one_and_falls_off_as_a_gaussian() {
    let r = kde(
        &[point(0.0, 0.0, Some(Team::Axis))],
        Vec2::splat(-500.0),
        Vec2::splat(500.0),
        100.0,
        100.0,
        Weighting::All,
    );
    assert_eq!((r.width, r.height), (11, 11));
    assert!((r.sample(Vec2::ZERO) - 1.0).abs() < 1e-6);
    // One sigma away along x: exp(-1/2).
    assert!((r.sample(Vec2::new(100.0, 0.0)) - (-0.5f32).exp()).abs() < 1e-6);
    // sqrt(2) sigma away diagonally: exp(-1).
    assert!((r.sample(Vec2::new(100.0, 100.0)) - (-1.0f32).exp()).abs() < 1e-6);
    // Beyond three sigma nothing is added.
    assert_eq!(r.sample(Vec2::new(400.0, 0.0)), 0.0);
}

#[test]
fn kernels_add_up_and_the_difference_map_subtracts_allied_kills() {
    let points =
        [point(0.0, 0.0, Some(Team::Axis)), point(0.0, 0.0, Some(Team::Axis)), point(200.0, 0.0, Some(Team::Allies))];
    let all = kde(&points, Vec2::splat(-400.0), Vec2::splat(400.0), 100.0, 100.0, Weighting::All);
    let expected_at_origin = 2.0 + (-2.0f32).exp();
    assert!((all.sample(Vec2::ZERO) - expected_at_origin).abs() < 1e-5);
    let diff = kde(&points, Vec2::splat(-400.0), Vec2::splat(400.0), 100.0, 100.0, Weighting::AxisMinusAllies);
    assert!((diff.sample(Vec2::ZERO) - (2.0 - (-2.0f32).exp())).abs() < 1e-5);
    assert!((diff.sample(Vec2::new(200.0, 0.0)) - (2.0 * (-2.0f32).exp() - 1.0)).abs() < 1e-5);
    let (lo, hi) = diff.range();
    assert!(lo < 0.0 && (hi - (2.0 - (-2.0f32).exp())).abs() < 1e-5, "{lo} {hi}");
}

#[test]
fn bilinear_sampling_is_exact_at_samples_and_linear_between() {
    let r = Raster { min: Vec2::ZERO, step_units: 10.0, width: 2, height: 2, values: vec![0.0, 1.0, 2.0, 3.0] };
    assert_eq!(r.sample(Vec2::new(10.0, 10.0)), 3.0);
    assert_eq!(r.sample(Vec2::new(5.0, 0.0)), 0.5);
    assert_eq!(r.sample(Vec2::new(5.0, 5.0)), 1.5);
    assert_eq!(r.sample(Vec2::new(-1.0, 0.0)), 0.0);
}

/// Four kills: Axis client 0 kills Allies 1 at (100, 0) at 10 s and at (900, 0) at 40 s; Allies
/// client 1 kills Axis 2 at (-600, 0) at 20 s; world kills client 0 at 30 s (not a player kill).
fn round() -> Round {
    let sample = |t: u32, team: Team| PositionSample {
        time_ms: t,
        pos: Vec3::ZERO,
        yaw_deg: 0.0,
        pitch_deg: 0.0,
        speed_ups: 0.0,
        health: Some(100),
        team: Some(team),
        moving: false,
    };
    let kill = |t: u32, attacker: u16, target: u16, x: f32| CombatEvent {
        time_ms: t,
        kind: CombatKind::Kill,
        attacker,
        target: Some(target),
        distance: 0.0,
        nearby_allies: 0,
        nearby_enemies: 0,
        damage: 0,
        weapon: None,
        mod_id: None,
        attacker_pos: None,
        target_pos: Some(Vec3::new(x, 0.0, 0.0)),
    };
    Round {
        players: vec![
            Player { clientnum: 0, team: Some(Team::Axis), name: "a".into() },
            Player { clientnum: 1, team: Some(Team::Allies), name: "b".into() },
            Player { clientnum: 2, team: Some(Team::Axis), name: "c".into() },
        ],
        tracks: vec![
            PlayerTrack { clientnum: 0, samples: (0..50).map(|s| sample(s * 1000, Team::Axis)).collect() },
            PlayerTrack { clientnum: 1, samples: (0..50).map(|s| sample(s * 1000, Team::Allies)).collect() },
        ],
        combat: vec![
            kill(10_000, 0, 1, 100.0),
            kill(20_000, 1, 2, -600.0),
            kill(30_000, 1022, 0, 0.0),
            kill(40_000, 0, 1, 900.0),
        ],
        ..Round::default()
    }
}

fn xs(filter: &KillFilter) -> Vec<f32> {
    kill_points(&Timeline::new(Arc::new(round())), filter).iter().map(|p| p.pos.x).collect()
}

#[test]
fn filters_combine_team_players_and_time() {
    assert_eq!(xs(&KillFilter::default()), [100.0, -600.0, 900.0], "world kills are not on the heatmap");
    assert_eq!(xs(&KillFilter { team: TeamSelection::Axis, ..KillFilter::default() }), [100.0, 900.0]);
    assert_eq!(xs(&KillFilter { team: TeamSelection::Allies, ..KillFilter::default() }), [-600.0]);
    assert_eq!(xs(&KillFilter { players: vec![2], ..KillFilter::default() }), [-600.0], "victim counts too");
    assert_eq!(xs(&KillFilter { window: TimeWindow::UpTo(20_000), ..KillFilter::default() }), [100.0, -600.0]);
    let last =
        KillFilter { window: TimeWindow::LastSeconds { cursor_ms: 45_000, seconds: 10 }, ..KillFilter::default() };
    assert_eq!(xs(&last), [900.0]);
    let combined = KillFilter { team: TeamSelection::Axis, players: vec![1], window: TimeWindow::UpTo(30_000) };
    assert_eq!(xs(&combined), [100.0]);
}
