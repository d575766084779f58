//! The real window under Xvfb with software Vulkan: open a demo round, seek to a known time, save
//! a screenshot, and check that the player markers are drawn in their team colours where the
//! round says they are.

use std::path::Path;
use std::process::Command;

mod common;

use common::have_xvfb;

#[test]
fn the_window_draws_every_living_player_in_its_team_colour() {
    if !have_xvfb() {
        assert!(std::env::var("CI").is_err(), "CI must run the window test: install xvfb and mesa-vulkan-drivers");
        eprintln!("skipped: xvfb-run is not installed (apt-get install xvfb mesa-vulkan-drivers)");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let shot = dir.path().join("shot.png");
    let round = Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/demo/2025-12-20-202515-sw_goldrush_te-round-1");
    let out = Command::new("timeout")
        .args(["180", "xvfb-run", "-a", "-s", "-screen 0 1600x1000x24"])
        .arg(env!("CARGO_BIN_EXE_proxviz"))
        .arg(&round)
        .args(["--at", "125", "--screenshot"])
        .arg(&shot)
        .output()
        .expect("runs");
    assert!(out.status.success(), "viewer failed: {}", String::from_utf8_lossy(&out.stderr));
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(shot.with_extension("json")).expect("markers")).expect("json");
    assert_eq!(meta["time_ms"], 125_000);
    assert!(meta["markers"].as_array().expect("markers").len() >= 15);
    // Markers under the panels (rounds and players, layers, top bar, timeline) are hidden by them.
    let checked = common::drawn_markers(&shot, 340.0..=1320.0, 40.0..=900.0).len();
    assert!(checked >= 8, "only {checked} markers in view");
}

/// Where the screenshot's `<shot>.json` says world points land: pixel = origin + (x, −y) ×
/// px_per_unit, as (origin x, origin y, px_per_unit).
fn world_to_px(shot: &Path) -> (f64, f64, f64) {
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(shot.with_extension("json")).expect("meta")).expect("json");
    let origin = &meta["world_to_px"]["origin"];
    let (ox, oy) = (origin[0].as_f64().expect("x"), origin[1].as_f64().expect("y"));
    (ox, oy, meta["world_to_px"]["px_per_unit"].as_f64().expect("scale"))
}

fn srgb_to_linear(c: f64) -> f64 {
    let c = c / 255.0;
    if c <= 0.04045 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
}

fn linear_to_srgb(c: f64) -> f64 {
    let s = if c <= 0.003_130_8 { c * 12.92 } else { 1.055 * c.powf(1.0 / 2.4) - 0.055 };
    s * 255.0
}

#[test]
fn the_window_colours_the_hottest_kill_cell_as_the_legend_says() {
    if !have_xvfb() {
        assert!(std::env::var("CI").is_err(), "CI must run the window test: install xvfb and mesa-vulkan-drivers");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let shot = dir.path().join("heat.png");
    let round = Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/demo/2025-12-20-200015-supply-round-1");
    // At 0:00 nobody has spawned: only the heatmap (whole round) and the grid are drawn.
    let out = Command::new("timeout")
        .args(["180", "xvfb-run", "-a", "-s", "-screen 0 1600x1000x24"])
        .arg(env!("CARGO_BIN_EXE_proxviz"))
        .arg(&round)
        .args(["--at", "0", "--heatmap", "grid", "--backdrop", "none", "--screenshot"])
        .arg(&shot)
        .env("PROXVIZ_CONFIG_DIR", dir.path())
        .output()
        .expect("runs");
    assert!(out.status.success(), "viewer failed: {}", String::from_utf8_lossy(&out.stderr));
    let img = image::open(&shot).expect("screenshot").to_rgb8();
    let (ox, oy, ppu) = world_to_px(&shot);
    let round = proxviz_data::resolve_rounds(&round).expect("round").remove(0).load();
    let top = round.heatmap.iter().max_by_key(|c| c.total_kills()).expect("cells");
    let (wx, wy) = ((f64::from(top.grid_x) + 0.5) * 512.0, (f64::from(top.grid_y) + 0.5) * 512.0);
    let (px, py) = (ox + wx * ppu, oy - wy * ppu);
    // The top of the scale at the default opacity (0.75) over the background, blended in linear light.
    let c = colorous::INFERNO.eval_continuous(1.0);
    let want: Vec<f64> = [(c.r, 23u8), (c.g, 26), (c.b, 28)]
        .iter()
        .map(|&(fg, bg)| linear_to_srgb(0.75 * srgb_to_linear(f64::from(fg)) + 0.25 * srgb_to_linear(f64::from(bg))))
        .collect();
    let got = img.get_pixel(px.round() as u32, py.round() as u32).0;
    let close = got.iter().zip(&want).all(|(&g, &w)| (f64::from(g) - w).abs() <= 8.0);
    assert!(close, "cell ({}, {}) at ({px:.0}, {py:.0}): {got:?}, want {want:?}", top.grid_x, top.grid_y);
}

/// A command map from a game folder given with --etmain is drawn under the replay where its
/// calibration puts it: a pk3 made here holds `maps/supply.bsp` (calibrated to ±4096) and a TGA
/// whose quadrants have known colours.
#[test]
fn the_window_draws_the_command_map_where_its_calibration_says() {
    use proxviz_data::gamedata::fixtures::{bsp_with_entities, quadrant_tga, write_pk3};
    if !have_xvfb() {
        assert!(std::env::var("CI").is_err(), "CI must run the window test: install xvfb and mesa-vulkan-drivers");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let world =
        "{\n\"classname\" \"worldspawn\"\n\"mapcoordsmins\" \"-4096 4096\"\n\"mapcoordsmaxs\" \"4096 -4096\"\n}\n";
    let quadrants = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 0]];
    let tga = quadrant_tga(64, 64, quadrants);
    write_pk3(
        &dir.path().join("test_supply.pk3"),
        &[("maps/supply.bsp", &bsp_with_entities(world)), ("levelshots/supply_cc.tga", &tga)],
    )
    .expect("pk3");
    let shot = dir.path().join("map.png");
    let round = Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/demo/2025-12-20-200015-supply-round-1");
    let out = Command::new("timeout")
        .args(["180", "xvfb-run", "-a", "-s", "-screen 0 1600x1000x24"])
        .arg(env!("CARGO_BIN_EXE_proxviz"))
        .arg(&round)
        .arg("--etmain")
        .arg(dir.path())
        .args(["--at", "0", "--screenshot"])
        .arg(&shot)
        .env("PROXVIZ_CONFIG_DIR", dir.path())
        .env("PROXVIZ_CACHE_DIR", dir.path())
        .output()
        .expect("runs");
    assert!(out.status.success(), "viewer failed: {}", String::from_utf8_lossy(&out.stderr));
    let img = image::open(&shot).expect("screenshot").to_rgb8();
    let (ox, oy, ppu) = world_to_px(&shot);
    // Points in the middle of each quadrant, off the corridors (no player there at 0:00).
    let mut matched = 0;
    for ((wx, wy), want) in
        [(-2600.0, 2600.0), (2600.0, 2600.0), (-2600.0, -2600.0), (2600.0, -2600.0)].into_iter().zip(quadrants)
    {
        let (px, py) = (ox + wx * ppu, oy - wy * ppu);
        let got = img.get_pixel(px.round() as u32, py.round() as u32).0;
        if got.iter().zip(want).all(|(&g, w)| (i32::from(g) - i32::from(w)).abs() <= 12) {
            matched += 1;
        } else {
            eprintln!("({wx}, {wy}) at ({px:.0}, {py:.0}): {got:?}, want {want:?}");
        }
    }
    assert!(matched >= 3, "{matched} of 4 quadrants show their colour");
}
