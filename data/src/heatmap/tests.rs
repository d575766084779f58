//! Heatmap values against cases worked out by hand.

use std::sync::Arc;

use glam::Vec3;

use super::*;
use crate::model::{CombatEvent, CombatKind, Player, PlayerTrack, PositionSample, Round};

fn point(x: f32, y: f32, team: Option<Team>) -> KillPoint {
    KillPoint::at(Vec2::new(x, y), team)
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
    let combined = KillFilter {
        team: TeamSelection::Axis,
        players: vec![1],
        window: TimeWindow::UpTo(30_000),
        ..KillFilter::default()
    };
    assert_eq!(xs(&combined), [100.0]);
}

/// [`round`] with weapons (MP40 at 10 s and 40 s, Thompson at 20 s), the killer's place on the
/// first kill's line (50, 50), a dynamite plant at 38 s and a revive at 11 s.
fn armed_round() -> Round {
    use crate::events::{EventKind, RoundEvent};
    let mut r = round();
    for (e, w) in r.combat.iter_mut().zip([Some(3), Some(8), None, Some(3)]) {
        e.weapon = w;
    }
    r.combat[0].attacker_pos = Some(Vec3::new(50.0, 50.0, 0.0));
    r.events = vec![RoundEvent::new(11_000, EventKind::Revive), RoundEvent::new(38_000, EventKind::DynamitePlant)];
    r
}

fn armed(filter: &KillFilter) -> Vec<(f32, f32)> {
    kill_points(&Timeline::new(Arc::new(armed_round())), filter).iter().map(|p| (p.pos.x, p.pos.y)).collect()
}

#[test]
fn weapons_objective_phases_and_the_killer_s_place_combine_with_the_other_filters() {
    let all = KillFilter::default();
    assert_eq!(armed(&all), [(100.0, 0.0), (-600.0, 0.0), (900.0, 0.0)]);
    assert_eq!(armed(&KillFilter { weapons: vec![3], ..all.clone() }), [(100.0, 0.0), (900.0, 0.0)]);
    assert_eq!(armed(&KillFilter { weapons: vec![8, 5], ..all.clone() }), [(-600.0, 0.0)]);
    // Within 5 s of the plant at 38 s: only the kill at 40 s; the revive is no objective.
    let near = KillFilter { near_objectives_s: Some(5), ..all.clone() };
    assert_eq!(armed(&near), [(900.0, 0.0)]);
    assert_eq!(armed(&KillFilter { near_objectives_s: Some(1), ..all.clone() }), []);
    assert_eq!(armed(&KillFilter { weapons: vec![8], ..near.clone() }), []);
    // From where the killer stood: the line's place, else the killer's sample (all at 0, 0).
    let killer = KillFilter { place: KillPlace::Killer, ..all.clone() };
    assert_eq!(armed(&killer), [(50.0, 50.0), (0.0, 0.0), (0.0, 0.0)]);
    let every = KillFilter {
        team: TeamSelection::Axis,
        players: vec![1],
        window: TimeWindow::UpTo(20_000),
        weapons: vec![3],
        near_objectives_s: None,
        place: KillPlace::Killer,
    };
    assert_eq!(armed(&every), [(50.0, 50.0)]);
    // Lines need both ends: the victim's place rides along whichever place is chosen.
    let points = kill_points(&Timeline::new(Arc::new(armed_round())), &killer);
    assert_eq!(points[0].victim_pos, Vec2::new(100.0, 0.0));
    assert_eq!(points[0].killer_pos, Some(Vec2::new(50.0, 50.0)));
}
