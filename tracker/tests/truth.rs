//! The tracker, run in the simulated engine, against the simulator's truth: kills, positions,
//! engagement types and heatmap cells, and files the data crate reads without a complaint.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use proxviz_data::{CombatKind, Round, discover_rounds};
use proxviz_tracker::sim::{MatchConfig, Truth, run_match};

/// What the tests look at: the truth, the engine's errors and the round read back from disk.
struct Played {
    truth: Truth,
    lua_errors: Vec<String>,
    round: Round,
}

/// One 24-player, 4-minute round on goldrush, shared by the tests of this file.
fn played() -> &'static Played {
    static PLAYED: OnceLock<Played> = OnceLock::new();
    PLAYED.get_or_init(|| {
        let home = tempfile::tempdir().expect("tempdir");
        let mut cfg = MatchConfig::new("sw_goldrush_te");
        cfg.players = 24;
        cfg.minutes = 4.0;
        cfg.seed = 11;
        let outcome = run_match(&cfg, home.path()).expect("simulates");
        let rounds = discover_rounds(&outcome.output_dir).expect("files written");
        assert_eq!(rounds.len(), 1, "one round's files");
        let round = rounds[0].load();
        Played { truth: outcome.truth, lua_errors: outcome.engine.lua_errors(), round }
    })
}

#[test]
fn the_tracker_raises_no_lua_error() {
    assert_eq!(played().lua_errors, Vec::<String>::new());
}

#[test]
fn the_data_crate_reads_every_file_with_an_empty_load_report() {
    let r = &played().round;
    assert!(r.report.is_clean(), "{}", r.report);
    assert_eq!(r.map(), Some("sw_goldrush_te"));
    assert_eq!(r.round_number(), Some(1));
    assert_eq!(r.meta.format_version, Some(2));
    assert_eq!(r.name.base, "2025-12-20-120015-sw_goldrush_te-round-1");
}

#[test]
fn every_player_kill_is_in_combat_and_engagements_with_the_right_people_and_place() {
    let p = played();
    let start = p.truth.round_start_level_time;
    let player_kills: Vec<_> =
        p.truth.kills.iter().filter(|k| k.killer != k.victim as i64 && (0..64).contains(&k.killer)).collect();
    assert!(player_kills.len() > 50, "a busy round: {} kills", player_kills.len());
    assert_eq!(p.round.engagements.len(), player_kills.len());
    for k in &player_kills {
        let t = (k.level_time - start) as u32;
        let line = p
            .round
            .combat
            .iter()
            .find(|e| e.kind == CombatKind::Kill && e.time_ms == t && e.target == Some(k.victim as u16));
        let line = line.unwrap_or_else(|| panic!("kill of {} at {t} missing", k.victim));
        assert_eq!(i64::from(line.attacker), k.killer);
        let e = p
            .round
            .engagements
            .iter()
            .find(|e| e.time_ms == Some(t) && e.victim == Some(k.victim as u16))
            .unwrap_or_else(|| panic!("engagement of {} at {t} missing", k.victim));
        assert_eq!(e.killer.map(i64::from), Some(k.killer));
        let pos = e.victim_pos.expect("victim position");
        assert!(pos.distance(k.victim_pos) <= 0.1, "{pos} vs {}", k.victim_pos);
        assert_eq!(
            e.kind.to_string(),
            format!("{}v{}", 1 + k.killer_backup, 1 + k.victim_backup),
            "engagement type at {t}"
        );
    }
}

#[test]
fn world_and_self_kills_are_deaths_in_combat_but_not_engagements() {
    let p = played();
    let start = p.truth.round_start_level_time;
    let others: Vec<_> = p.truth.kills.iter().filter(|k| k.killer == k.victim as i64 || k.killer >= 64).collect();
    assert!(!others.is_empty(), "the simulator made falls or self-kills");
    for k in others {
        let t = (k.level_time - start) as u32;
        // Not the seed's `kill` (a player killed by another): a `death` line.
        let found = p.round.combat.iter().any(|e| {
            e.kind == CombatKind::Death
                && e.time_ms == t
                && e.target == Some(k.victim as u16)
                && i64::from(e.attacker) == k.killer
        });
        assert!(found, "{k:?}");
        assert!(!p.round.engagements.iter().any(|e| e.time_ms == Some(t) && e.victim == Some(k.victim as u16)));
    }
}

#[test]
fn positions_match_the_simulated_positions_at_every_sample() {
    let p = played();
    let start = p.truth.round_start_level_time;
    let mut checked = 0;
    for track in &p.round.tracks {
        for s in &track.samples {
            let truth = p
                .truth
                .position(track.clientnum as usize, start + i64::from(s.time_ms))
                .unwrap_or_else(|| panic!("client {} at {} not in the simulation", track.clientnum, s.time_ms));
            assert!(
                s.pos.distance(truth.pos) <= 0.1,
                "client {} at {}: {} vs {}",
                track.clientnum,
                s.time_ms,
                s.pos,
                truth.pos
            );
            assert_eq!(s.team.map(|t| i64::from(t.number())), Some(truth.team));
            checked += 1;
        }
    }
    // 24 players, one sample a second for four minutes.
    assert!(checked > 24 * 200, "{checked} samples");
}

#[test]
fn heatmap_counts_equal_kills_per_cell() {
    let p = played();
    let expected = p.truth.kill_cells(p.round.grid_size_units() as f32);
    let got: BTreeMap<(i32, i32), (u32, u32)> =
        p.round.heatmap.iter().map(|c| ((c.grid_x, c.grid_y), (c.axis_kills, c.allies_kills))).collect();
    assert_eq!(got, expected);
}

#[test]
fn the_roster_has_every_player_with_their_final_team_and_name() {
    let p = played();
    assert!(p.round.players.len() >= 24);
    let fritz = p.round.player(0).expect("client 0");
    assert_eq!(fritz.name, "^1Fritz");
    assert!(p.round.players.iter().all(|pl| pl.team.is_some()));
}

#[test]
fn every_revive_is_a_round_event_of_the_revived_player_where_they_lay() {
    let p = played();
    let start = p.truth.round_start_level_time;
    assert!(!p.truth.revives.is_empty(), "the simulator revived someone");
    let got: Vec<_> = p.round.events.iter().filter(|e| e.kind == proxviz_data::EventKind::Revive).collect();
    assert_eq!(got.len(), p.truth.revives.len());
    for (e, r) in got.iter().zip(&p.truth.revives) {
        // The tracker's clock is the last frame's: at most one frame (50 ms) behind.
        let t = r.level_time - start;
        assert!((t - 50..=t).contains(&i64::from(e.time_ms)), "revive at {} vs {t}", e.time_ms);
        assert_eq!(e.other, Some(r.revived as u16));
        assert_eq!(e.player, None, "the engine does not say which medic");
        assert!(e.pos.expect("place").distance(r.pos) <= 0.1);
    }
}
