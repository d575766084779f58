//! Helpers of the window tests (each test binary uses some of them).
#![allow(dead_code)]

use std::ops::RangeInclusive;
use std::path::Path;
use std::process::Command;

/// Whether Xvfb is there to run the window in.
pub fn have_xvfb() -> bool {
    Command::new("sh").args(["-c", "command -v xvfb-run"]).output().is_ok_and(|o| o.status.success())
}

/// Checks that every living player of the screenshot's `<shot>.json` whose marker lies inside
/// `x` × `y` (pixels; the panels hide the rest) is drawn in its team colour at its place (within
/// a few pixels: a name label or another marker may sit on top); returns the colours checked,
/// one per marker.
pub fn drawn_markers(shot: &Path, x: RangeInclusive<f64>, y: RangeInclusive<f64>) -> Vec<[i64; 3]> {
    let img = image::open(shot).expect("screenshot written").to_rgb8();
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(shot.with_extension("json")).expect("markers")).expect("json");
    let mut colours = Vec::new();
    for m in meta["markers"].as_array().expect("markers").iter().filter(|m| m["alive"] == true) {
        let (mx, my) = (m["x"].as_f64().expect("x"), m["y"].as_f64().expect("y"));
        if !x.contains(&mx) || !y.contains(&my) {
            continue;
        }
        let want: Vec<f64> = m["rgb"].as_array().expect("rgb").iter().map(|c| c.as_f64().expect("f") * 255.0).collect();
        let near = (-3i64..=3).flat_map(|dx| (-3i64..=3).map(move |dy| (dx, dy))).any(|(dx, dy)| {
            let p = img.get_pixel((mx.round() as i64 + dx) as u32, (my.round() as i64 + dy) as u32).0;
            p.iter().zip(&want).all(|(&got, &w)| (f64::from(got) - w).abs() <= 40.0)
        });
        assert!(near, "client {} at ({mx:.0}, {my:.0}) is not drawn in {want:?}", m["clientnum"]);
        colours.push([want[0].round() as i64, want[1].round() as i64, want[2].round() as i64]);
    }
    colours
}
