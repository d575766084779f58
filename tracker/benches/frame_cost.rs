//! Per-frame cost of `proximity_tracker.lua` at 64 players in heavy combat, measured as time spent
//! inside Lua callbacks (the tracker's share of the server frame), through the simulated engine.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use proxviz_tracker::sim::{MatchConfig, Session};

fn bench(c: &mut Criterion) {
    let home = tempfile::tempdir().expect("tempdir");
    let mut cfg = MatchConfig::new("supply");
    cfg.players = 64;
    cfg.spectators = 0;
    // Heavy combat: everyone engages across the map and fires whenever the weapon is ready.
    cfg.fire_chance = 1.0;
    cfg.engage_units = 4000.0;
    cfg.accuracy = 4.0;
    cfg.damage_scale = 0.1;
    cfg.fire_rate = 2.0;
    cfg.seed = 3;
    let mut session = Session::start(&cfg, home.path()).expect("starts");
    // A minute of play so the round is in full swing.
    for _ in 0..1200 {
        session.tick();
    }
    let (shots0, hits0, kills0) = (session.truth().shots, session.truth().hits, session.truth().kills.len());
    let memory_1min = session.engine().lua_memory();
    let lua0 = session.engine().lua_time();
    let frames = 2400;
    for _ in 0..frames {
        session.tick();
    }
    let t = session.truth();
    let per_frame = |n: usize| n as f64 / f64::from(frames);
    eprintln!(
        "load: {:.1} shots, {:.2} hits, {:.3} kills per frame; tracker {:.3} ms per frame over {frames} frames; Lua heap {} KiB after 1 min, {} KiB after 3 min",
        per_frame(t.shots - shots0),
        per_frame(t.hits - hits0),
        per_frame(t.kills.len() - kills0),
        (session.engine().lua_time() - lua0).as_secs_f64() * 1000.0 / f64::from(frames),
        memory_1min / 1024,
        session.engine().lua_memory() / 1024,
    );
    c.bench_function("tracker_frame_64_players_heavy_combat", |b| {
        b.iter_custom(|iters| {
            let before = session.engine().lua_time();
            for _ in 0..iters {
                session.tick();
            }
            black_box(session.engine().lua_time().saturating_sub(before).max(Duration::from_nanos(1)))
        })
    });
    assert!(session.engine().lua_errors().is_empty(), "{:?}", session.engine().lua_errors());
}

criterion_group!(benches, bench);
criterion_main!(benches);
