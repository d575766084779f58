//! The app's speed targets, on a simulated 64-player 30-minute round (a position every 500 ms):
//! the heatmap layer at 4096 px, a headless 4096×4096 density export end to end (the real
//! binary, no display), and the per-frame work of the replay at 64 players with 10-second trails
//! (markers, trails, death marks, K/D), and a 60-second 720 px GIF clip end to end. Window frame times, first frame and memory come from
//! the window's probe (`docs/performance.md`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use proxviz::scene::model::heat::{HeatMode, HeatSettings, build_layer};
use proxviz::scene::model::present::{Hidden, deaths_until, kd_all, markers_at, trail};
use proxviz_data::{Timeline, resolve_rounds};

fn exe() -> &'static str {
    env!("CARGO_BIN_EXE_proxviz")
}

/// Simulates the round once into a temporary folder.
fn round_dir() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(exe())
        .args(["simulate", "--players", "64", "--minutes", "30", "--preset", "high", "--out"])
        .arg(dir.path())
        .output()
        .expect("simulate");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let path = dir.path().to_path_buf();
    (dir, path)
}

fn timeline(dir: &Path) -> Timeline {
    let round = resolve_rounds(dir).expect("round").remove(0).load();
    assert!(round.position_count() > 150_000, "{} positions", round.position_count());
    eprintln!(
        "round: {} positions, {} combat events, {} engagements",
        round.position_count(),
        round.combat.len(),
        round.engagements.len()
    );
    Timeline::new(Arc::new(round))
}

fn benches(c: &mut Criterion) {
    let (_keep, dir) = round_dir();
    let tl = timeline(&dir);

    let kde = HeatSettings { show: true, mode: HeatMode::Kde, ..HeatSettings::default() };
    c.bench_function("heat_layer/kde_4096_64p_30min", |b| b.iter(|| build_layer(&tl, &kde, 0, 4096)));
    let grid = HeatSettings { show: true, ..HeatSettings::default() };
    c.bench_function("heat_layer/grid_64p_30min", |b| b.iter(|| build_layer(&tl, &grid, 0, 4096)));

    // What the replay computes for one frame at 64 players (the systems call these).
    let hidden = Hidden::default();
    c.bench_function("replay_frame/64p_10s_trails", |b| {
        let mut t = 600_000u32;
        b.iter(|| {
            t = if t >= 1_700_000 { 600_000 } else { t + 33 };
            let markers = markers_at(&tl, t, &hidden);
            let mut points = 0;
            for m in &markers {
                points += trail(&tl, m.clientnum, t, 10.0, 250).iter().map(Vec::len).sum::<usize>();
            }
            (markers.len(), points, deaths_until(&tl, t).len(), kd_all(&tl, t).len())
        })
    });

    let mut group = c.benchmark_group("export");
    group.sample_size(10);
    let out_dir = tempfile::tempdir().expect("tempdir");
    let png = out_dir.path().join("kde.png");
    group.bench_function("headless_kde_4096x4096_64p", |b| {
        b.iter(|| {
            let out = Command::new(exe())
                .env_remove("DISPLAY")
                .arg("export")
                .arg(&dir)
                .args(["--size", "4096", "--mode", "kde", "--layers", "heatmap", "--out"])
                .arg(&png)
                .output()
                .expect("export");
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        })
    });
    // A 60-second clip at 10 fps (601 frames) at 720 px of the 64-player round, with the
    // clip's default layers (players with trails and names, engagement markers, kill feed,
    // clock) over the silhouette: the whole run, start-up included; frames per second = 601 /
    // the time.
    let gif = out_dir.path().join("clip.gif");
    group.bench_function("clip_gif_720px_60s_10fps_64p", |b| {
        b.iter(|| {
            let out = Command::new(exe())
                .env_remove("DISPLAY")
                .arg("export")
                .arg(&dir)
                .args(["--animate", "--from", "600", "--to", "660", "--fps", "10", "--out"])
                .arg(&gif)
                .output()
                .expect("export");
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        })
    });
    if let Ok(m) = std::fs::metadata(&gif) {
        eprintln!("clip: {:.2} MB", m.len() as f64 / 1_048_576.0);
    }
    group.finish();
}

criterion_group!(app, benches);
criterion_main!(app);
