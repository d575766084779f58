//! Tests of the heatmap layer and engagement marks against hand-computed cases: grid cells,
//! density, filters, the difference map, the heatmap-file fallback, legends and settings JSON.

use std::sync::Arc;

use glam::Vec3;
use proxviz_data::{CombatEvent, CombatKind, Engagement, HeatmapCell, Player, PlayerTrack, PositionSample, Round};

use super::*;
use crate::scene::model::engagements::{Shape, engagement_marks, type_rows, visible_engagements};
use crate::scene::model::legend::nice_ticks;

fn sample(t: u32, x: f32, y: f32, team: Team) -> PositionSample {
    PositionSample {
        time_ms: t,
        pos: Vec3::new(x, y, 0.0),
        yaw_deg: 0.0,
        pitch_deg: 0.0,
        speed_ups: 0.0,
        health: Some(100),
        team: Some(team),
        moving: false,
    }
}

fn kill(t: u32, killer: u16, victim: u16, x: f32, y: f32) -> CombatEvent {
    CombatEvent {
        time_ms: t,
        kind: CombatKind::Kill,
        attacker: killer,
        target: Some(victim),
        distance: 300.0,
        nearby_allies: 0,
        nearby_enemies: 0,
        damage: 0,
        weapon: None,
        mod_id: None,
        attacker_pos: None,
        target_pos: Some(Vec3::new(x, y, 0.0)),
    }
}

fn engagement(t: u32, kind: EngagementType, x: f32, y: f32) -> Engagement {
    Engagement {
        kind,
        distance: 420.0,
        killer_name: "^1Axe".into(),
        victim_name: "Bee".into(),
        time_ms: Some(t),
        killer: Some(0),
        victim: Some(1),
        victim_pos: Some(Vec3::new(x, y, 0.0)),
        attacker_backup: None,
        target_backup: None,
    }
}

/// Axe (Axis, client 0) and Bee (Allies, client 1) stand at the corners of a 2,000 × 1,000 area
/// (grid 512: cells −2..=3 across, −2..=1 down). Kills, by time: Bee kills at (100, 100) at 10 s;
/// Axe kills at (100, 150) at 20 s, (1100, 100) at 30 s, (1150, 120) at 40 s, (1200, 200) at 50 s.
/// Cell (0, 0): 1 Axis + 1 Allies; cell (2, 0): 3 Axis.
fn timeline() -> Timeline {
    let track = |cn: u16, x: f32, y: f32, team: Team| PlayerTrack {
        clientnum: cn,
        samples: (0..=60).map(|s| sample(s * 1000, x, y, team)).collect(),
    };
    let round = Round {
        players: vec![
            Player { clientnum: 0, team: Some(Team::Axis), name: "^1Axe".into() },
            Player { clientnum: 1, team: Some(Team::Allies), name: "Bee".into() },
        ],
        tracks: vec![track(0, -800.0, -700.0, Team::Axis), track(1, 1700.0, 800.0, Team::Allies)],
        combat: vec![
            kill(10_000, 1, 0, 100.0, 100.0),
            kill(20_000, 0, 1, 100.0, 150.0),
            kill(30_000, 0, 1, 1100.0, 100.0),
            kill(40_000, 0, 1, 1150.0, 120.0),
            kill(50_000, 0, 1, 1200.0, 200.0),
        ],
        engagements: vec![
            engagement(20_000, EngagementType::versus(1, 1), 100.0, 150.0),
            engagement(30_000, EngagementType::versus(2, 1), 1100.0, 100.0),
            engagement(40_000, EngagementType::versus(1, 2), 1150.0, 120.0),
            engagement(50_000, EngagementType::versus(2, 1), 1200.0, 200.0),
        ],
        ..Round::default()
    };
    Timeline::new(Arc::new(round))
}

/// The pixel of the cell holding world point (x, y).
fn cell_pixel(layer: &HeatLayer, x: f32, y: f32) -> [u8; 4] {
    let cell = (layer.max.x - layer.min.x) / layer.width as f32;
    let col = ((x - layer.min.x) / cell).floor() as usize;
    let row = ((layer.max.y - y) / cell).floor() as usize;
    let i = (row * layer.width + col) * 4;
    [layer.rgba[i], layer.rgba[i + 1], layer.rgba[i + 2], layer.rgba[i + 3]]
}

fn grid(settings: HeatSettings) -> HeatSettings {
    HeatSettings { show: true, mode: HeatMode::Grid, opacity: 1.0, ..settings }
}

#[test]
fn grid_cells_are_coloured_by_their_kill_count_with_north_at_the_top() {
    let layer = build_layer(&timeline(), &grid(HeatSettings::default()), 0, 512);
    // Cells −2..=3 × −2..=1 (the players stand at x −800..1700, y −700..800).
    assert_eq!((layer.width, layer.height), (6, 4));
    assert_eq!((layer.min, layer.max), (Vec2::new(-1024.0, -1024.0), Vec2::new(2048.0, 1024.0)));
    assert_eq!(layer.hi, 3.0);
    assert_eq!(layer.kills, 5);
    let s = grid(HeatSettings::default());
    assert_eq!(cell_pixel(&layer, 1100.0, 100.0), colour(&s, 3.0, 3.0));
    assert_eq!(cell_pixel(&layer, 100.0, 100.0), colour(&s, 2.0, 3.0));
    assert_ne!(colour(&s, 3.0, 3.0), colour(&s, 2.0, 3.0));
    // An empty cell is transparent; cell (0, 0) is column 2, row 1 counted from the north.
    assert_eq!(cell_pixel(&layer, -900.0, 900.0)[3], 0);
    assert_eq!(layer.rgba[(6 + 2) * 4 + 3], 255);
    assert_eq!(layer.rgba[2 * 4 + 3], 0);
}

#[test]
fn any_cell_size_can_be_chosen() {
    let layer = build_layer(&timeline(), &grid(HeatSettings { cell_units: Some(2048), ..Default::default() }), 0, 512);
    // Every kill falls in cell (0, 0) of 2048 units.
    assert_eq!(layer.hi, 5.0);
}

#[test]
fn team_and_time_filters_combine() {
    let tl = timeline();
    let axis = build_layer(&tl, &grid(HeatSettings { team: TeamSelection::Axis, ..Default::default() }), 0, 512);
    assert_eq!(axis.kills, 4);
    let allies = build_layer(&tl, &grid(HeatSettings { team: TeamSelection::Allies, ..Default::default() }), 0, 512);
    assert_eq!(allies.kills, 1);
    let up_to = HeatSettings { team: TeamSelection::Axis, window: Window::UpToCursor, ..grid(HeatSettings::default()) };
    assert_eq!(build_layer(&tl, &up_to, 35_000, 512).kills, 2);
    let last = HeatSettings { window: Window::LastSeconds(15), ..grid(HeatSettings::default()) };
    // 25–40 s: the kills at 30 and 40 s.
    assert_eq!(build_layer(&tl, &last, 40_000, 512).kills, 2);
    assert!(last.follows_cursor() && !grid(HeatSettings::default()).follows_cursor());
    let victim_or_killer = HeatSettings { players: vec![1], ..grid(HeatSettings::default()) };
    assert_eq!(build_layer(&tl, &victim_or_killer, 0, 512).kills, 5);
}

#[test]
fn the_difference_map_is_red_where_axis_killed_more_and_blue_where_allies_did() {
    let tl = timeline();
    let mut round = tl.round().clone();
    round.combat.push(kill(55_000, 1, 0, -900.0, -900.0));
    round.combat.push(kill(56_000, 1, 0, -950.0, -900.0));
    let tl = Timeline::new(Arc::new(round));
    let s = grid(HeatSettings { difference: true, ..Default::default() });
    let layer = build_layer(&tl, &s, 0, 512);
    assert!(layer.diverging);
    assert_eq!(layer.hi, 3.0);
    let axis_cell = cell_pixel(&layer, 1100.0, 100.0);
    let allies_cell = cell_pixel(&layer, -900.0, -900.0);
    assert!(axis_cell[0] > axis_cell[2] + 60, "{axis_cell:?}");
    assert!(allies_cell[2] > allies_cell[0] + 60, "{allies_cell:?}");
    // One kill each way in cell (0, 0): they cancel.
    assert_eq!(cell_pixel(&layer, 100.0, 100.0)[3], 0);
}

#[test]
fn the_density_peaks_where_kills_cluster() {
    let s = HeatSettings { mode: HeatMode::Kde, radius_units: 100.0, opacity: 1.0, ..Default::default() };
    let tl = timeline();
    let layer = build_layer(&tl, &s, 0, 400);
    assert!(layer.width <= 400 && layer.height <= 400);
    // Three Axis kills within 120 units near (1150, 140): their density is the layer's top.
    let dense = cell_pixel(&layer, 1150.0, 140.0);
    let lone = cell_pixel(&layer, 100.0, 125.0);
    let empty = cell_pixel(&layer, -700.0, 700.0);
    assert_eq!(dense[3], 255);
    assert!(lone[3] > 0 && dense != lone);
    assert_eq!(empty[3], 0);
    // The peak's value is about 3 kills (the kernel is 1 at a kill).
    assert!(layer.hi > 2.0 && layer.hi < 3.0, "{}", layer.hi);
}

#[test]
fn a_round_without_positions_uses_its_heatmap_file() {
    let round = Round {
        heatmap: vec![
            HeatmapCell { grid_x: 1, grid_y: 1, axis_kills: 3, allies_kills: 1 },
            HeatmapCell { grid_x: -1, grid_y: 0, axis_kills: 0, allies_kills: 2 },
        ],
        ..Round::default()
    };
    let tl = Timeline::new(Arc::new(round));
    let layer = build_layer(&tl, &grid(HeatSettings::default()), 0, 512);
    assert!(layer.note.is_some());
    assert_eq!((layer.kills, layer.hi), (6, 4.0));
    assert_eq!((layer.min, layer.max), (Vec2::new(-512.0, 0.0), Vec2::new(1024.0, 1024.0)));
    assert_eq!(cell_pixel(&layer, 700.0, 700.0), colour(&grid(HeatSettings::default()), 4.0, 4.0));
    let allies = build_layer(&tl, &grid(HeatSettings { team: TeamSelection::Allies, ..Default::default() }), 0, 512);
    assert_eq!(allies.kills, 3);
}

#[test]
fn legend_stops_run_from_zero_to_the_top_and_around_zero_when_diverging() {
    let tl = timeline();
    let s = grid(HeatSettings::default());
    let layer = build_layer(&tl, &s, 0, 512);
    let stops = legend_stops(&s, &layer, 5);
    assert_eq!(stops.iter().map(|s| s.0).collect::<Vec<_>>(), vec![0.0, 0.75, 1.5, 2.25, 3.0]);
    assert!(stops.iter().all(|(_, c)| c[3] == 255));
    let d = HeatSettings { difference: true, ..s };
    let diverging = build_layer(&tl, &d, 0, 512);
    let stops = legend_stops(&d, &diverging, 3);
    assert_eq!(stops.iter().map(|s| s.0).collect::<Vec<_>>(), vec![-diverging.hi, 0.0, diverging.hi]);
    assert!(stops[0].1[2] > stops[0].1[0], "low end is Allied blue");
    assert!(stops[2].1[0] > stops[2].1[2], "high end is Axis red");
}

#[test]
fn engagements_are_placed_shaped_by_who_had_the_numbers_and_shown_around_their_time() {
    let tl = timeline();
    let marks = engagement_marks(&tl);
    assert_eq!(marks.len(), 4);
    assert_eq!(marks[1].pos, Vec2::new(1100.0, 100.0));
    assert_eq!((marks[0].killer.as_str(), marks[0].victim.as_str()), ("Axe", "Bee"));
    assert_eq!(
        marks.iter().map(|m| m.shape).collect::<Vec<_>>(),
        vec![Shape::Circle, Shape::Triangle, Shape::Square, Shape::Triangle]
    );
    let s = HeatSettings::default();
    let at = |t| visible_engagements(&marks, &s, t).map(|(m, a)| (m.index, a)).collect::<Vec<_>>();
    assert_eq!(at(30_000), vec![(1, 1.0)]);
    assert_eq!(at(32_500).len(), 1);
    assert!(at(32_500)[0].1 < 1.0);
    assert!(at(36_000).is_empty());
    let whole = HeatSettings { engagements_whole_round: true, hidden_types: vec![EngagementType::versus(2, 1)], ..s };
    assert_eq!(visible_engagements(&marks, &whole, 0).map(|(m, _)| m.index).collect::<Vec<_>>(), vec![0, 2]);
    let counts: Vec<(String, usize)> = type_rows(&marks).iter().map(|r| (r.kind.to_string(), r.count)).collect();
    assert_eq!(counts, vec![("2v1".into(), 2), ("1v1".into(), 1), ("1v2".into(), 1)]);
}

#[test]
fn settings_read_back_from_json_and_describe_themselves() {
    let s = HeatSettings {
        mode: HeatMode::Kde,
        team: TeamSelection::Axis,
        window: Window::LastSeconds(30),
        players: vec![1],
        hidden_types: vec![EngagementType::versus(2, 1)],
        ..Default::default()
    };
    let json = serde_json::to_string(&s).expect("json");
    assert!(json.contains(r#""hidden_types":["2v1"]"#), "types are written as labels: {json}");
    assert_eq!(serde_json::from_str::<HeatSettings>(&json).expect("read"), s);
    assert_eq!(s.describe(tl_name), "kill density (radius 150 u) · Axis kills · players: Bee · last 30 s");
}

fn tl_name(c: u16) -> String {
    timeline().round().display_name(c)
}

#[test]
fn legend_ticks_are_round_numbers_inside_the_range() {
    assert_eq!(nice_ticks(0.0, 17.0, 5), vec![0.0, 5.0, 10.0, 15.0]);
    assert_eq!(nice_ticks(-3.0, 3.0, 6), vec![-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0]);
    assert_eq!(nice_ticks(0.0, 2.6, 5), vec![0.0, 1.0, 2.0]);
    assert_eq!(nice_ticks(1.0, 1.0, 5), vec![1.0]);
}

#[test]
fn a_one_unit_cell_over_a_world_of_broken_coordinates_is_widened_and_far_kills_left_out() {
    let round = timeline().round().clone();
    let mut round = round;
    // One player standing 3·10⁹ units out, one kill there.
    round.tracks[1].samples.iter_mut().for_each(|s| s.pos.x = 3.0e9);
    round.combat.push(kill(55_000, 0, 1, 3.0e9, -3.0e9));
    let t = Timeline::new(Arc::new(round));
    for mode in [HeatMode::Grid, HeatMode::Kde] {
        let settings = HeatSettings { show: true, mode, cell_units: Some(1), ..HeatSettings::default() };
        let layer = build_layer(&t, &settings, 60_000, 1024);
        assert!(layer.width <= 4097 && layer.height <= 4097, "{mode:?}: {}×{}", layer.width, layer.height);
        let note = layer.note.clone().unwrap_or_default();
        assert!(note.contains("1 kills beyond"), "{mode:?}: {note}");
        if mode == HeatMode::Grid {
            assert!(note.contains("drawn"), "{note}");
        }
    }
}

#[test]
fn the_difference_density_passes_through_a_pale_middle_without_a_transparent_seam() {
    // Axis kills on the left, Allied kills on the right, 400 units apart: a front line between.
    let mut round = timeline().round().clone();
    round.combat = (0..6)
        .map(|i| kill(1_000 * i, 0, 1, -200.0, 10.0 * i as f32))
        .chain((0..6).map(|i| kill(1_000 * i + 500, 1, 0, 200.0, 10.0 * i as f32)))
        .collect();
    let tl = Timeline::new(Arc::new(round));
    let s =
        HeatSettings { mode: HeatMode::Kde, radius_units: 150.0, difference: true, opacity: 1.0, ..Default::default() };
    let layer = build_layer(&tl, &s, 0, 400);
    let across: Vec<[u8; 4]> = (-20..=20).map(|i| cell_pixel(&layer, i as f32 * 10.0, 25.0)).collect();
    let (left, middle, right) = (across[0], across[20], across[40]);
    assert!(left[0] > left[2] + 60 && right[2] > right[0] + 60, "red left, blue right: {left:?} {right:?}");
    // At the front line: as opaque as the fighting on either side (not a see-through seam), in
    // the scale's pale middle (neither red nor blue).
    let least = across.iter().map(|p| p[3]).min().unwrap_or(0);
    assert!(
        least >= 200,
        "the opacity never dips at the crossing: {:?}",
        across.iter().map(|p| p[3]).collect::<Vec<_>>()
    );
    assert!(middle[0].abs_diff(middle[2]) < 40 && middle[1] > 180, "pale in the middle: {middle:?}");
    // And no step: neighbouring pixels differ little.
    for pair in across.windows(2) {
        let step = (0..3).map(|c| pair[0][c].abs_diff(pair[1][c])).max().unwrap_or(0);
        assert!(step < 60, "a smooth blend: {pair:?}");
    }
}
