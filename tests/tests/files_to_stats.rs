//! Across crates: a round written to disk by the data crate's writer is found, loaded and
//! summarised by the `proxviz` command line exactly as the model says.

use clap::Parser as _;
use glam::Vec3;
use proxviz::cli::{Cli, run_to};
use proxviz_data::{CombatEvent, CombatKind, Player, PlayerTrack, PositionSample, Round, RoundName, Team};

fn sample(time_ms: u32, x: f32) -> PositionSample {
    PositionSample {
        time_ms,
        pos: Vec3::new(x, 0.0, 0.0),
        yaw_deg: 0.0,
        pitch_deg: 0.0,
        speed_ups: 200.0,
        health: Some(100),
        team: None,
        moving: true,
    }
}

fn written_round(dir: &std::path::Path) -> Round {
    let round = Round {
        name: RoundName::parse("2026-01-05-201500-oasis-round-1"),
        players: vec![
            Player { clientnum: 0, team: Some(Team::Axis), name: "^1A".into() },
            Player { clientnum: 1, team: Some(Team::Allies), name: "B".into() },
        ],
        tracks: vec![
            PlayerTrack { clientnum: 0, samples: (0..5).map(|i| sample(i * 1000, i as f32 * 200.0)).collect() },
            PlayerTrack { clientnum: 1, samples: (0..5).map(|i| sample(i * 1000, 5000.0)).collect() },
        ],
        combat: vec![CombatEvent {
            time_ms: 2500,
            kind: CombatKind::Kill,
            attacker: 0,
            target: Some(1),
            distance: 4500.0,
            nearby_allies: 0,
            nearby_enemies: 0,
            damage: 0,
            weapon: Some(8),
            mod_id: Some(8),
            attacker_pos: Some(Vec3::new(500.0, 0.0, 0.0)),
            target_pos: Some(Vec3::new(5000.0, 0.0, 0.0)),
        }],
        ..Round::default()
    };
    proxviz_data::write::write_round(&round, dir).expect("writes");
    round
}

fn run_json(args: &[&str]) -> serde_json::Value {
    let mut out = Vec::new();
    run_to(Cli::parse_from(args), &mut out).expect("command succeeds");
    serde_json::from_slice(&out).expect("json")
}

#[test]
fn a_written_round_is_listed_and_summarised_by_the_cli() {
    let dir = tempfile::tempdir().expect("tempdir");
    written_round(dir.path());
    let folder = dir.path().to_str().expect("utf8 path");
    let rounds = run_json(&["proxviz", "rounds", "--json", folder]);
    assert_eq!(rounds[0]["map"], "oasis");
    assert_eq!(rounds[0]["players"], 2);
    assert_eq!(rounds[0]["kills"], 1);
    assert_eq!(rounds[0]["problems"], 0);

    let stats = run_json(&["proxviz", "stats", "--json", &format!("{folder}/2026-01-05-201500-oasis-round-1")]);
    let a = &stats["statistics"]["players"][0];
    assert_eq!(a["name"], "A");
    assert_eq!(a["team"], "AXIS");
    assert_eq!(a["kills"], 1);
    assert_eq!(a["distance_travelled_units"], 800.0);
    assert_eq!(stats["statistics"]["players"][1]["deaths"], 1);
}
