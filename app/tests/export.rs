//! `proxviz export` end to end: the real binary renders offscreen with Bevy (no window, no
//! display), and the PNGs are read back: kill cells have the colour their count gives on the
//! scale, empty cells show the background, settings ride in the PNG's text chunks, sizes scale
//! with the resolution, a folder gives one image per round, and the image matches the golden
//! one within a tolerance.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use proxviz::export::read_png_settings;
use proxviz_data::resolve_rounds;

const ROUND: &str = "2025-12-20-200015-supply-round-1";

fn demo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/demo")
}

fn export(args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_proxviz"));
    // Headless means no display at all; the game folders' index cache and the user's map
    // calibrations stay out of it (and out of the home dir).
    let cache = std::env::temp_dir().join(format!("proxviz-test-cache-{}", std::process::id()));
    cmd.env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("PROXVIZ_CACHE_DIR", &cache)
        .env("PROXVIZ_CONFIG_DIR", &cache)
        .arg("export")
        .args(args);
    let out = cmd.output().expect("runs");
    assert!(
        out.status.success(),
        "export failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The view used by the pixel checks: cells −8..8 × −8..8 of 512 units, 4096 units square.
const VIEW: [f32; 4] = [-4096.0, -4096.0, 4096.0, 4096.0];

fn pixel_of(x: f32, y: f32, size: u32) -> (u32, u32) {
    let f = |v: f32, lo: f32, hi: f32| (v - lo) / (hi - lo) * size as f32;
    (f(x, VIEW[0], VIEW[2]) as u32, size - 1 - f(y, VIEW[1], VIEW[3]) as u32)
}

fn close(a: [u8; 4], b: [u8; 4], tolerance: i32) -> bool {
    a.iter().zip(&b).all(|(&x, &y)| (i32::from(x) - i32::from(y)).abs() <= tolerance)
}

#[test]
fn kill_cells_have_the_colour_of_their_count_and_empty_cells_the_background() {
    let dir = tempfile::tempdir().expect("tempdir");
    let png = dir.path().join("grid.png");
    let view = VIEW.map(|v| v.to_string()).join(",");
    export(&[
        demo().join(ROUND).to_str().expect("utf-8"),
        "--out",
        png.to_str().expect("utf-8"),
        "--size",
        "1024",
        "--layers",
        "heatmap",
        "--opacity",
        "1",
        "--no-title",
        "--no-legend",
        "--backdrop",
        "none",
        &format!("--view={view}"),
    ]);
    let img = image::open(&png).expect("png").to_rgba8();
    assert_eq!(img.dimensions(), (1024, 1024));
    // The tracker's own heatmap file says how many kills each cell has.
    let round = resolve_rounds(&demo().join(ROUND)).expect("round").remove(0).load();
    let top = round.heatmap.iter().map(|c| c.total_kills()).max().expect("cells");
    let mut checked = 0;
    for cell in &round.heatmap {
        let centre = ((cell.grid_x as f32 + 0.5) * 512.0, (cell.grid_y as f32 + 0.5) * 512.0);
        if centre.0.abs() > 4000.0 || centre.1.abs() > 4000.0 {
            continue;
        }
        let (px, py) = pixel_of(centre.0, centre.1, 1024);
        let c = colorous::INFERNO.eval_continuous(f64::from(0.15 + 0.85 * cell.total_kills() as f32 / top as f32));
        let got = img.get_pixel(px, py).0;
        assert!(
            close(got, [c.r, c.g, c.b, 255], 3),
            "cell ({}, {}) with {} kills: {got:?}, want {c:?}",
            cell.grid_x,
            cell.grid_y,
            cell.total_kills()
        );
        checked += 1;
    }
    assert!(checked >= 20, "{checked} cells checked");
    // A cell with no kills shows the background.
    let empty = (-8..8)
        .flat_map(|x| (-8..8).map(move |y| (x, y)))
        .find(|&(x, y)| !round.heatmap.iter().any(|c| (c.grid_x, c.grid_y) == (x, y)))
        .expect("an empty cell");
    let (px, py) = pixel_of((empty.0 as f32 + 0.5) * 512.0, (empty.1 as f32 + 0.5) * 512.0, 1024);
    assert!(close(img.get_pixel(px, py).0, [23, 26, 28, 255], 2), "{:?}", img.get_pixel(px, py));
}

#[test]
fn a_transparent_density_export_records_its_settings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let png = dir.path().join("kde.png");
    let out = export(&[
        "--demo",
        "--round",
        "sw_goldrush_te-round-2",
        "--out",
        png.to_str().expect("utf-8"),
        "--size",
        "768",
        "--mode",
        "kde",
        "--team",
        "diff",
        "--transparent",
        "--last",
        "60",
        "--at",
        "300",
    ]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), png.display().to_string());
    let (settings, text) = read_png_settings(&png).expect("settings chunk");
    assert_eq!(settings.size, 768);
    assert!(settings.transparent && settings.heat.difference);
    assert_eq!(settings.heat.mode, proxviz::scene::model::heat::HeatMode::Kde);
    assert_eq!(settings.heat.window, proxviz::scene::model::heat::Window::LastSeconds(60));
    assert_eq!(settings.time_ms, Some(300_000));
    assert_eq!(text.source, "2025-12-20-203715-sw_goldrush_te-round-2");
    assert!(text.title.starts_with("sw_goldrush_te · round 2 · 2025-12-20"), "{}", text.title);
    assert!(
        text.description.contains("Axis − Allies") && text.description.contains("last 60 s"),
        "{}",
        text.description
    );
    let img = image::open(&png).expect("png").to_rgba8();
    let transparent = img.pixels().filter(|p| p.0[3] == 0).count();
    let drawn = img.pixels().filter(|p| p.0[3] > 0).count();
    assert!(transparent > img.pixels().len() / 3, "{transparent} transparent pixels");
    assert!(drawn > 1000, "{drawn} drawn pixels");
}

/// Share of pixels that differ from the background.
fn ink(img: &image::RgbaImage) -> f64 {
    img.pixels().filter(|p| !close(p.0, [23, 26, 28, 255], 6)).count() as f64 / img.pixels().len() as f64
}

#[test]
fn lines_and_markers_scale_with_the_resolution() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (small, big) = (dir.path().join("small.png"), dir.path().join("big.png"));
    for (path, size) in [(&small, "512"), (&big, "2048")] {
        export(&[
            demo().join(ROUND).to_str().expect("utf-8"),
            "--out",
            path.to_str().expect("utf-8"),
            "--size",
            size,
            "--layers",
            "paths,markers",
            "--no-title",
            "--no-legend",
        ]);
    }
    let (small, big) = (image::open(&small).expect("png").to_rgba8(), image::open(&big).expect("png").to_rgba8());
    let (a, b) = (ink(&small), ink(&big));
    // Unscaled one-pixel lines would cover about a quarter as much of the 4× larger image.
    assert!(a > 0.02, "{a}");
    assert!((b / a) > 0.6 && (b / a) < 1.6, "ink {a:.4} at 512 px, {b:.4} at 2048 px");
}

#[test]
fn a_folder_gives_one_image_per_round() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = export(&[demo().to_str().expect("utf-8"), "--out", dir.path().to_str().expect("utf-8"), "--size", "256"]);
    let listed: Vec<&str> = std::str::from_utf8(&out.stdout).expect("utf-8").lines().collect();
    assert_eq!(listed.len(), 4);
    for line in listed {
        let img = image::open(line).expect("png");
        assert_eq!(img.width().max(img.height()), 256);
        assert!(line.ends_with(".png") && Path::new(line).starts_with(dir.path()));
    }
}

#[test]
fn a_missing_round_is_a_clear_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_proxviz"))
        .args(["export", "/no/such/gamestats", "--out", "/tmp/x.png"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stderr).trim(), "error: /no/such/gamestats: no such file or folder");
}

/// The demo round's map only (no players, an invisible heatmap), 512 px over `view`, with
/// `extra` options; the image read back.
fn backdrop_only(dir: &Path, name: &str, view: [f32; 4], extra: &[&str]) -> image::RgbaImage {
    let png = dir.join(name);
    let view = format!("--view={}", view.map(|v| v.to_string()).join(","));
    let round = demo().join(ROUND);
    let mut args = vec![round.to_str().expect("utf-8"), "--out", png.to_str().expect("utf-8"), "--size", "512"];
    args.extend(["--layers", "heatmap", "--opacity", "0", "--no-title", "--no-legend", &view]);
    args.extend(extra);
    export(&args);
    image::open(&png).expect("png").to_rgba8()
}

/// The silhouette backdrop (what auto shows without a game install) is lighter than the background
/// where players walked and is the background far from every recorded position.
#[test]
fn the_silhouette_lightens_where_players_walked_and_nowhere_else() {
    let dir = tempfile::tempdir().expect("tempdir");
    let render =
        |backdrop: &str| backdrop_only(dir.path(), &format!("{backdrop}.png"), VIEW, &["--backdrop", backdrop]);
    let (with, without) = (render("silhouette"), render("none"));
    let round = resolve_rounds(&demo().join(ROUND)).expect("round").remove(0).load();
    let walked: Vec<(f32, f32)> = round
        .tracks
        .iter()
        .flat_map(|t| t.samples.iter().step_by(7))
        .filter(|s| s.pos.x.abs() < 4000.0 && s.pos.y.abs() < 4000.0)
        .map(|s| (s.pos.x, s.pos.y))
        .collect();
    assert!(walked.len() > 200, "{} positions", walked.len());
    let lighter = |p: [u8; 4], q: [u8; 4]| p[..3].iter().zip(&q[..3]).all(|(a, b)| a > b);
    let on_floor = walked
        .iter()
        .filter(|&&(x, y)| {
            let (px, py) = pixel_of(x, y, 512);
            lighter(with.get_pixel(px, py).0, without.get_pixel(px, py).0)
        })
        .count();
    assert!(on_floor * 100 >= walked.len() * 98, "{on_floor} of {} positions lie on the silhouette", walked.len());
    // Far from every position (500 units or more) the backdrop leaves the background alone.
    let mut far = 0;
    for gx in (-3900..3900).step_by(150) {
        for gy in (-3900..3900).step_by(150) {
            let (x, y) = (gx as f32, gy as f32);
            let near = round.tracks.iter().flat_map(|t| &t.samples).any(|s| (s.pos.x - x).hypot(s.pos.y - y) < 500.0);
            if near {
                continue;
            }
            let (px, py) = pixel_of(x, y, 512);
            assert!(close(with.get_pixel(px, py).0, without.get_pixel(px, py).0, 1), "({x}, {y})");
            far += 1;
        }
    }
    assert!(far > 20, "{far} far points checked");
}

/// A command map from a game folder lands where its calibration puts it: a pk3 made here holds
/// `maps/supply.bsp` (calibrated to ±4096) and a TGA whose quadrants have known colours.
#[test]
fn the_command_map_lies_where_its_calibration_says_also_in_a_cut_view() {
    use proxviz_data::gamedata::fixtures::{bsp_with_entities, quadrant_tga, write_pk3};
    let game = tempfile::tempdir().expect("tempdir");
    let world =
        "{\n\"classname\" \"worldspawn\"\n\"mapcoordsmins\" \"-4096 4096\"\n\"mapcoordsmaxs\" \"4096 -4096\"\n}\n";
    // Top-left red, top-right green, bottom-left blue, bottom-right yellow.
    let quadrants = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 0]];
    write_pk3(
        &game.path().join("test_supply.pk3"),
        &[
            ("maps/supply.bsp", &bsp_with_entities(world)),
            ("levelshots/supply_cc.tga", &quadrant_tga(64, 64, quadrants)),
        ],
    )
    .expect("pk3");
    let dir = tempfile::tempdir().expect("tempdir");
    let etmain = game.path().to_str().expect("utf-8");
    let render = |name: &str, view: [f32; 4]| {
        backdrop_only(dir.path(), name, view, &["--backdrop", "image", "--etmain", etmain])
    };
    let whole = render("whole.png", VIEW);
    for ((x, y), [r, g, b]) in
        [(-2000.0, 2000.0), (2000.0, 2000.0), (-2000.0, -2000.0), (2000.0, -2000.0)].into_iter().zip(quadrants)
    {
        let (px, py) = pixel_of(x, y, 512);
        assert!(close(whole.get_pixel(px, py).0, [r, g, b, 255], 2), "({x}, {y}): {:?}", whole.get_pixel(px, py));
    }
    // The north-east quarter only: green everywhere, away from the quadrant's edges.
    let cut = render("cut.png", [0.0, 0.0, 4096.0, 4096.0]);
    for (px, py) in [(40, 40), (256, 256), (470, 470), (40, 470)] {
        assert!(close(cut.get_pixel(px, py).0, [0, 255, 0, 255], 2), "({px}, {py}): {:?}", cut.get_pixel(px, py));
    }
}

/// The golden image: the default layers (silhouette backdrop, heatmap, engagement markers,
/// paths) with title and legend. Regenerate with `PROXVIZ_BLESS=1 cargo test -p proxviz --test export golden`.
#[test]
fn the_default_export_matches_the_golden_image() {
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/supply-round-1.png");
    let dir = tempfile::tempdir().expect("tempdir");
    let png = dir.path().join("now.png");
    // The silhouette, whatever game install this machine has.
    let args = ["--out", png.to_str().expect("utf-8"), "--size", "640", "--backdrop", "silhouette"];
    export(&[&[demo().join(ROUND).to_str().expect("utf-8")][..], &args].concat());
    if std::env::var_os("PROXVIZ_BLESS").is_some() {
        std::fs::create_dir_all(golden.parent().expect("dir")).expect("mkdir");
        std::fs::copy(&png, &golden).expect("bless");
    }
    let want = image::open(&golden).expect("golden image").to_rgba8();
    let got = image::open(&png).expect("png").to_rgba8();
    assert_eq!(got.dimensions(), want.dimensions());
    let differing = got.pixels().zip(want.pixels()).filter(|(a, b)| !close(a.0, b.0, 40)).count();
    let share = differing as f64 / got.pixels().len() as f64;
    assert!(share < 0.005, "{:.2}% of pixels differ from the golden image", share * 100.0);
}

/// The window's Export runs `proxviz export --settings-json` with what is on screen: the image
/// must carry exactly those settings and honour their view and size.
#[test]
fn the_windows_settings_pass_through_unchanged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let png = dir.path().join("window.png");
    let mut settings = proxviz::export::ExportSettings {
        size: 600,
        players: true,
        time_ms: Some(125_000),
        view: Some([-2000.0, -1000.0, 2000.0, 1000.0]),
        ..Default::default()
    };
    settings.heat.mode = proxviz::scene::model::heat::HeatMode::Kde;
    settings.heat.window = proxviz::scene::model::heat::Window::UpToCursor;
    settings.heat.hidden_types = vec![proxviz_data::EngagementType::versus(1, 1)];
    let json = serde_json::to_string(&settings).expect("json");
    export(&["--demo", "--round", "supply-round-2", "--out", png.to_str().expect("utf-8"), "--settings-json", &json]);
    let (back, text) = read_png_settings(&png).expect("settings");
    assert_eq!(back, settings);
    assert!(
        text.description.contains("up to the cursor") && text.description.contains("at 02:05"),
        "{}",
        text.description
    );
    let img = image::open(&png).expect("png");
    assert_eq!((img.width(), img.height()), (600, 300));
}

#[test]
fn at_and_last_past_the_round_show_its_end_with_a_note() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (past, end) = (dir.path().join("past.png"), dir.path().join("end.png"));
    let round = demo().join(ROUND);
    let common =
        [round.to_str().expect("utf-8"), "--size", "384", "--no-title", "--no-legend", "--layers", "heatmap,players"];
    let out = export(
        &[&common[..], &["--at", "4000000", "--last", "4000000", "--out", past.to_str().expect("utf-8")]].concat(),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--at 66666:40 is past the round's end"), "{stderr}");
    assert!(stderr.contains("--last 4000000 reaches back before the round's start"), "{stderr}");
    export(&[&common[..], &["--out", end.to_str().expect("utf-8")]].concat());
    let (a, b) = (image::open(&past).expect("png").to_rgba8(), image::open(&end).expect("png").to_rgba8());
    assert_eq!(a.dimensions(), b.dimensions());
    let differ = a.pixels().zip(b.pixels()).filter(|(p, q)| !close(p.0, q.0, 3)).count();
    assert!(differ < 50, "the same picture as at the end with the whole round's kills: {differ} pixels differ");
}

#[test]
fn weapons_the_killer_s_place_and_kill_lines_change_what_the_heatmap_counts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let round = demo().join(ROUND);
    let round = round.to_str().expect("utf-8");
    let png = |name: &str| dir.path().join(format!("{name}.png"));
    let run = |name: &str, extra: &[&str]| {
        let out = png(name);
        let common = [round, "--size", "384", "--no-title", "--no-legend", "--backdrop", "none", "--layers", "heatmap"];
        export(&[&common[..], extra, &["--out", out.to_str().expect("utf-8")]].concat());
        let (settings, text) = read_png_settings(&out).expect("settings");
        (image::open(&out).expect("png").to_rgba8(), settings, text)
    };
    let (all, _, _) = run("all", &[]);
    let (thompson, settings, text) = run("thompson", &["--weapons", "Thompson"]);
    assert_eq!(settings.heat.weapons, [8]);
    assert!(text.description.contains("Thompson"), "{}", text.description);
    let (both, _, _) = run("both", &["--weapons", "thompson,3"]);
    assert!(0.0 < ink(&thompson) && ink(&thompson) < ink(&both) && ink(&both) <= ink(&all));
    let (killer, settings, text) = run("killer", &["--place", "killer"]);
    assert_eq!(settings.heat.place, proxviz_data::heatmap::KillPlace::Killer);
    assert!(text.description.contains("at the killer's place"), "{}", text.description);
    assert!(all.pixels().zip(killer.pixels()).filter(|(a, b)| a != b).count() > 500, "other cells");
    let (lines, _, _) = run("lines", &["--lines"]);
    assert!(ink(&lines) > ink(&all) + 0.005, "lines add ink: {} vs {}", ink(&lines), ink(&all));

    let refused = Command::new(env!("CARGO_BIN_EXE_proxviz"))
        .args(["export", round, "--weapons", "raygun", "--out"])
        .arg(png("no"))
        .output()
        .expect("runs");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("no ET weapon is called \"raygun\""));
}
