//! The tracker under everything a live server throws at it: world and unknown attackers,
//! self-kills, disconnects mid-fight, team changes, spectators, empty slots, warmup and
//! intermission, restarts, an unwritable folder. No Lua error, ever, and files that load.

use proxviz_data::{CombatKind, Round, discover_rounds};
use proxviz_tracker::TRACKER_LUA;
use proxviz_tracker::engine::{Engine, EngineConfig, gamestate};
use proxviz_tracker::sim::{MatchConfig, run_match};

/// An engine in the live round with players `(cn, team)` standing 100 units apart.
fn live(players: &[(usize, i64)], tracker: &str) -> (Engine, tempfile::TempDir) {
    let home = tempfile::tempdir().expect("tempdir");
    let mut e = Engine::new(EngineConfig::new(home.path()));
    e.add_module("proximity_tracker.lua", tracker);
    e.load_map("supply");
    for &(cn, team) in players {
        e.client_connect(cn, &format!("^{}P{cn}", team), false);
        let mut slot = e.client_mut(cn);
        slot.team = team;
        slot.health = 100;
        slot.origin = [cn as f32 * 100.0, 0.0, 0.0];
    }
    e.set_gamestate(gamestate::WARMUP_COUNTDOWN);
    e.map_restart();
    for &(cn, _) in players {
        e.client_spawn(cn, false, false, true);
    }
    e.run_frame();
    (e, home)
}

fn finish_and_load(mut e: Engine) -> (Round, Vec<String>) {
    e.end_round("Timelimit hit.");
    e.run_frame();
    e.shutdown();
    let rounds = discover_rounds(&e.game_dir().join("gamestats")).expect("files");
    assert_eq!(rounds.len(), 1);
    (rounds[0].load(), e.lua_errors())
}

#[test]
fn world_and_unknown_attackers_are_logged_by_their_entity_numbers() {
    let (mut e, _home) = live(&[(0, 1), (1, 2)], TRACKER_LUA);
    e.damage(1, 1022, 40, 0, 32);
    e.damage(1, 1023, 30, 0, 0);
    e.obituary(1, 1023, 0);
    let (r, errors) = finish_and_load(e);
    assert!(errors.is_empty(), "{errors:?}");
    assert!(r.report.is_clean(), "{}", r.report);
    let attackers: Vec<(CombatKind, u16)> = r.combat.iter().map(|c| (c.kind, c.attacker)).collect();
    assert_eq!(attackers, [(CombatKind::Hit, 1022), (CombatKind::Hit, 1023), (CombatKind::Death, 1023)]);
    assert!(r.engagements.is_empty() && r.heatmap.is_empty());
}

#[test]
fn a_self_kill_is_a_kill_line_without_an_engagement() {
    let (mut e, _home) = live(&[(0, 1), (1, 2)], TRACKER_LUA);
    e.obituary(0, 0, 33);
    let (r, errors) = finish_and_load(e);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!((r.combat[0].attacker, r.combat[0].target), (0, Some(0)));
    assert!(r.engagements.is_empty());
}

#[test]
fn a_disconnect_in_the_middle_of_a_fight_breaks_nothing() {
    let (mut e, _home) = live(&[(0, 1), (1, 2), (2, 2)], TRACKER_LUA);
    e.weapon_fire(0, 3);
    e.damage(1, 0, 40, 0, 8);
    e.client_disconnect(1);
    e.weapon_fire(0, 3);
    e.damage(1, 0, 40, 0, 8);
    e.obituary(1, 0, 8);
    e.obituary(2, 1, 8);
    e.run_frame();
    let (r, errors) = finish_and_load(e);
    assert!(errors.is_empty(), "{errors:?}");
    assert!(r.report.is_clean(), "{}", r.report);
    assert_eq!(r.combat.iter().filter(|c| c.kind == CombatKind::Fire).count(), 2);
}

#[test]
fn a_team_change_counts_later_kills_for_the_new_team() {
    let (mut e, _home) = live(&[(0, 1), (1, 2)], TRACKER_LUA);
    e.obituary(0, 0, 66);
    e.client_mut(0).team = 2;
    e.call("et_ClientUserinfoChanged", 0i64);
    e.client_spawn(0, false, true, true);
    e.client_mut(1).team = 1;
    e.call("et_ClientUserinfoChanged", 1i64);
    e.client_spawn(1, false, true, true);
    e.run_frame();
    e.obituary(1, 0, 9);
    let (r, errors) = finish_and_load(e);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!((r.heatmap[0].axis_kills, r.heatmap[0].allies_kills), (0, 1));
    assert_eq!(r.player(0).and_then(|p| p.team).map(|t| t.number()), Some(2));
}

#[test]
fn spectators_and_empty_slots_are_ignored() {
    let (mut e, _home) = live(&[(0, 1), (1, 2), (5, 3)], TRACKER_LUA);
    e.weapon_fire(40, 3);
    e.damage(41, 40, 50, 0, 8);
    e.obituary(42, 43, 8);
    e.damage(5, 0, 30, 0, 8);
    e.damage(400, 0, 30, 0, 22);
    e.run_frame();
    let (r, errors) = finish_and_load(e);
    assert!(errors.is_empty(), "{errors:?}");
    assert!(r.track(5).is_none(), "spectators have no positions");
    assert!(r.combat.iter().all(|c| c.target.is_none_or(|t| t == 5)), "{:?}", r.combat);
}

#[test]
fn warmup_and_intermission_write_nothing() {
    let home = tempfile::tempdir().expect("tempdir");
    let mut e = Engine::new(EngineConfig::new(home.path()));
    e.add_module("proximity_tracker.lua", TRACKER_LUA);
    e.load_map("supply");
    e.client_connect(0, "A", false);
    e.client_connect(1, "B", false);
    e.client_mut(0).team = 1;
    e.client_mut(1).team = 2;
    for _ in 0..40 {
        e.run_frame();
        e.weapon_fire(0, 3);
    }
    e.obituary(1, 0, 8);
    assert!(!e.game_dir().join("gamestats").exists(), "nothing during warmup");
    e.set_gamestate(gamestate::WARMUP_COUNTDOWN);
    e.map_restart();
    e.client_spawn(0, false, false, true);
    e.client_spawn(1, false, false, true);
    e.run_frame();
    e.weapon_fire(0, 3);
    e.end_round("Timelimit hit.");
    e.run_frame();
    e.weapon_fire(0, 3);
    e.damage(1, 0, 50, 0, 8);
    e.run_frame();
    e.shutdown();
    let rounds = discover_rounds(&e.game_dir().join("gamestats")).expect("files");
    let r = rounds[0].load();
    assert_eq!(r.combat.len(), 1, "only the shot of the live round");
    assert!(e.lua_errors().is_empty());
}

#[test]
fn a_restart_in_the_middle_of_a_round_closes_it_and_starts_another() {
    let (mut e, _home) = live(&[(0, 1), (1, 2)], TRACKER_LUA);
    for _ in 0..30 {
        e.run_frame();
    }
    e.weapon_fire(0, 3);
    for _ in 0..40 {
        e.run_frame();
    }
    e.map_restart();
    e.client_spawn(0, false, false, true);
    e.run_frame();
    e.shutdown();
    let rounds = discover_rounds(&e.game_dir().join("gamestats")).expect("files");
    assert_eq!(rounds.len(), 2, "{:?}", rounds.iter().map(|r| &r.name.base).collect::<Vec<_>>());
    for r in &rounds {
        let round = r.load();
        assert!(round.report.is_clean(), "{}: {}", r.name.base, round.report);
    }
    assert!(e.lua_errors().is_empty(), "{:?}", e.lua_errors());
}

#[test]
fn an_unwritable_output_folder_is_reported_not_raised() {
    let tracker = TRACKER_LUA.replace("output_dir = \"gamestats/\"", "output_dir = \"../outside/\"");
    let (mut e, _home) = live(&[(0, 1), (1, 2)], &tracker);
    e.weapon_fire(0, 3);
    for _ in 0..30 {
        e.run_frame();
    }
    e.shutdown();
    assert!(e.lua_errors().is_empty(), "{:?}", e.lua_errors());
    assert!(e.console().iter().any(|l| l.contains("[PROX] cannot open ../outside/")), "{:?}", e.console());
}

#[test]
fn debug_mode_prints_the_seeds_console_lines() {
    let tracker = TRACKER_LUA.replace("debug = false", "debug = true");
    let (mut e, _home) = live(&[(0, 1), (1, 2)], &tracker);
    e.damage(1, 0, 50, 0, 8);
    e.obituary(1, 0, 8);
    e.end_round("Timelimit hit.");
    e.run_frame();
    let console = e.console().concat();
    for expected in [
        "[PROX] InitGame: Map=supply, Round=1",
        "[PROX] Combat Event: hit - Attacker: 0, Target: 1",
        "[PROX] Engagement: 1v1 at 100.0 units",
        "[PROX] Round ended - saving data",
        "[PROX] Positions saved: gamestats/",
    ] {
        assert!(console.contains(expected), "missing {expected:?} in\n{console}");
    }
}

#[test]
fn a_long_round_keeps_every_position_and_bounded_memory() {
    let home = tempfile::tempdir().expect("tempdir");
    let mut cfg = MatchConfig::new("supply");
    cfg.minutes = 20.0;
    cfg.players = 16;
    let out = run_match(&cfg, home.path()).expect("simulates");
    assert!(out.engine.lua_errors().is_empty());
    let r = discover_rounds(&out.output_dir).expect("files")[0].load();
    let t = r.track(0).expect("client 0");
    assert!(t.samples[0].time_ms <= 1000, "the start of the round is kept");
    assert!(t.samples.last().map_or(0, |s| s.time_ms) >= 19 * 60 * 1000);
    assert!(t.samples.len() > 1150, "{} samples", t.samples.len());
    assert!(r.report.is_clean(), "{}", r.report);
}

#[test]
fn a_restart_within_the_same_second_keeps_the_round_before() {
    let (mut e, _home) = live(&[(0, 1), (1, 2)], TRACKER_LUA);
    e.weapon_fire(0, 3);
    e.run_frame();
    // No time passes: the same second, map and round number.
    e.map_restart();
    e.client_spawn(0, false, false, true);
    e.run_frame();
    e.weapon_fire(1, 3);
    e.run_frame();
    e.shutdown();
    assert!(e.lua_errors().is_empty(), "{:?}", e.lua_errors());
    let rounds = discover_rounds(&e.game_dir().join("gamestats")).expect("files");
    assert_eq!(rounds.len(), 2, "{:?}", rounds.iter().map(|r| &r.name.base).collect::<Vec<_>>());
    let shooters: Vec<Vec<u16>> = rounds
        .iter()
        .map(|r| r.load().combat.iter().filter(|c| c.kind == CombatKind::Fire).map(|c| c.attacker).collect())
        .collect();
    assert_eq!(shooters, [vec![0], vec![1]], "each round keeps its own shot");
}

#[test]
fn odd_settings_are_read_as_whole_numbers_or_their_defaults() {
    let tracker = TRACKER_LUA
        .replace("grid_size = 512,", "grid_size = 1024 / 4,")
        .replace("max_position_snapshots = 600,", "max_position_snapshots = 0,")
        .replace("crossfire_distance = 200,", "crossfire_distance = -5,");
    let (mut e, _home) = live(&[(0, 1), (1, 2)], &tracker);
    for _ in 0..50 {
        e.run_frame();
    }
    e.damage(1, 0, 50, 0, 8);
    e.obituary(1, 0, 8);
    let console = e.console().concat();
    let (r, errors) = finish_and_load(e);
    assert!(errors.is_empty(), "{errors:?}");
    assert!(r.report.is_clean(), "{}", r.report);
    assert_eq!(r.meta.grid_size_units, Some(256), "1024 / 4 written as 256, not 256.0");
    assert_eq!(r.meta.extra.get("max_position_snapshots").map(String::as_str), Some("600"));
    assert_eq!(r.heatmap.len(), 1);
    assert!(console.contains("config.max_position_snapshots = 0 is not a whole number"), "{console}");
    assert!(console.contains("config.crossfire_distance = -5"), "{console}");
}

#[test]
fn a_round_whose_files_cannot_be_written_is_not_called_saved() {
    let tracker = TRACKER_LUA.replace("output_dir = \"gamestats/\"", "output_dir = \"../outside/\"");
    let (mut e, _home) = live(&[(0, 1), (1, 2)], &tracker);
    e.end_round("Timelimit hit.");
    e.run_frame();
    let console = e.console().concat();
    assert!(console.contains("NOT saved (") && console.contains("cannot write to ../outside/"), "{console}");
    assert!(!console.contains(") saved") && !console.contains("saved (Timelimit"), "{console}");
}

#[test]
fn a_server_crash_leaves_the_round_with_its_players_names() {
    let (mut e, home) = live(&[(0, 1), (1, 2)], TRACKER_LUA);
    for _ in 0..60 {
        e.run_frame();
    }
    // The server dies: no round end, no shutdown; what was flushed is all there is.
    let dir = e.game_dir().join("gamestats");
    let rounds = discover_rounds(&dir).expect("files");
    let r = rounds[0].load();
    let names: Vec<&str> = r.players.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["^1P0", "^2P1"]);
    drop((e, home));
}
