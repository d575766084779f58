//! A soak of the tracker in one simulated server: 200 rounds back to back with 64 players,
//! some rounds cut by a `map_restart`, players disconnecting in the middle of fights, switching
//! teams and coming back. Zero Lua errors, Lua memory bounded, and every round's files complete
//! (all four there, read without a skipped line, with every player's name).

use proxviz_data::discover_rounds;
use proxviz_tracker::TRACKER_LUA;
use proxviz_tracker::engine::{Engine, EngineConfig, gamestate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const ROUNDS: usize = 200;
const PLAYERS: usize = 64;
/// Frames of live play per round (50 ms each).
const LIVE_FRAMES: usize = 120;

fn place(e: &Engine, rng: &mut ChaCha8Rng, cn: usize) {
    let mut slot = e.client_mut(cn);
    slot.origin = [rng.random_range(-2000.0..2000.0), rng.random_range(-2000.0..2000.0), 0.0];
    slot.health = 100;
}

#[test]
fn two_hundred_rounds_back_to_back_leave_no_error_and_complete_files() {
    let home = tempfile::tempdir().expect("tempdir");
    let mut e = Engine::new(EngineConfig::new(home.path()));
    e.add_module("proximity_tracker.lua", TRACKER_LUA);
    let mut rng = ChaCha8Rng::seed_from_u64(200);
    let mut most_memory = 0;
    let mut restarts = 0;
    for round in 0..ROUNDS {
        e.load_map(if round % 2 == 0 { "supply" } else { "sw_goldrush_te" });
        for cn in 0..PLAYERS {
            e.client_connect(cn, &format!("^{}P{cn}", cn % 10), cn % 7 == 0);
            e.client_mut(cn).team = 1 + (cn % 2) as i64;
        }
        e.set_gamestate(gamestate::WARMUP_COUNTDOWN);
        e.map_restart();
        for cn in 0..PLAYERS {
            place(&e, &mut rng, cn);
            e.client_spawn(cn, false, false, true);
        }
        // A fifth of the rounds is cut short by a restart.
        let cut = round % 5 == 4;
        for frame in 0..LIVE_FRAMES {
            e.run_frame();
            for _ in 0..8 {
                let (a, v) = (rng.random_range(0..PLAYERS), rng.random_range(0..PLAYERS));
                e.weapon_fire(a, 3);
                if a != v && rng.random_bool(0.5) {
                    e.damage(v as i64, a as i64, rng.random_range(10..60), 0, 8);
                    if rng.random_bool(0.2) {
                        e.obituary(v, a as i64, 8);
                        place(&e, &mut rng, v);
                        e.client_spawn(v, rng.random_bool(0.2), false, true);
                    }
                }
            }
            // Someone leaves in the middle of a fight and comes back; someone switches team.
            if frame % 20 == 10 {
                let cn = rng.random_range(0..PLAYERS);
                e.damage(cn as i64, ((cn + 1) % PLAYERS) as i64, 30, 0, 8);
                e.client_disconnect(cn);
                e.client_connect(cn, &format!("^3Back{cn}"), false);
                e.client_mut(cn).team = 1 + (cn % 2) as i64;
                place(&e, &mut rng, cn);
                e.client_spawn(cn, false, false, true);
            }
            if frame % 30 == 15 {
                let cn = rng.random_range(0..PLAYERS);
                let team = 3 - e.state().clients[cn].team.clamp(1, 2);
                e.client_mut(cn).team = team;
                e.call("et_ClientUserinfoChanged", cn as i64);
                e.client_spawn(cn, false, true, true);
            }
            if cut && frame == LIVE_FRAMES / 2 {
                restarts += 1;
                e.map_restart();
                for cn in 0..PLAYERS {
                    e.client_spawn(cn, false, false, true);
                }
            }
        }
        most_memory = most_memory.max(e.lua_memory());
        e.end_round("Timelimit hit.");
        for _ in 0..5 {
            e.run_frame();
        }
        // A new second for the next round's names (the clock runs by frames).
        for _ in 0..20 {
            e.run_frame();
        }
        assert!(e.lua_errors().is_empty(), "round {round}: {:?}", e.lua_errors());
    }
    e.shutdown();
    assert!(e.lua_errors().is_empty(), "{:?}", e.lua_errors());
    assert!(most_memory < 64 << 20, "Lua memory grew to {} MB", most_memory >> 20);
    let rounds = discover_rounds(&e.game_dir().join("gamestats")).expect("files");
    assert_eq!(rounds.len(), ROUNDS + restarts, "every round and every restarted one");
    for files in &rounds {
        assert!(files.missing().is_empty(), "{}: missing {:?}", files.name.base, files.missing());
        let r = files.load();
        assert_eq!(r.report.skipped_total, 0, "{}: {}", files.name.base, r.report);
        assert!(r.players.len() >= PLAYERS - 1, "{}: {} named players", files.name.base, r.players.len());
        assert!(r.players.iter().all(|p| !p.name.is_empty()), "{}", files.name.base);
    }
}
