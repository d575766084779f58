//! Rounds from PostgreSQL in the real binary: the window opens a stored round under Xvfb and
//! draws its players in their team colours; exporting a stored round equals exporting its
//! files; a season exported from the database equals the same season from the folder; no
//! command prints a password. Each test works in a fresh database on the throwaway server.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use proxviz_store::test_server::TestServer;

const GOLDRUSH: &str = "2025-12-20-202515-sw_goldrush_te-round-1";

fn demo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/demo")
}

fn proxviz(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_proxviz"))
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("DATABASE_URL")
        .env("PROXVIZ_CACHE_DIR", dir)
        .env("PROXVIZ_CONFIG_DIR", dir)
        .args(args)
        .output()
        .expect("runs")
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A fresh database with the demo rounds imported by `proxviz import`; its URL.
fn imported(dir: &Path) -> String {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let url = rt.block_on(TestServer::get().fresh_database("app")).expect("database");
    let demo = demo();
    ok(&proxviz(&["import", demo.to_str().expect("utf8"), "--database-url", &url], dir));
    url
}

/// The id of the stored round named `base`.
fn id_of(url: &str, base: &str, dir: &Path) -> String {
    let out = ok(&proxviz(&["db", "rounds", "--json", "--database-url", url], dir));
    let rounds: serde_json::Value = serde_json::from_str(&out).expect("json");
    rounds
        .as_array()
        .expect("array")
        .iter()
        .find(|r| r["base_name"] == base)
        .map(|r| r["id"].to_string())
        .expect("stored")
}

fn pixels(path: &Path) -> image::RgbaImage {
    image::open(path).expect("png").to_rgba8()
}

/// Share of pixels that differ by more than a little (rendering is deterministic here; the
/// tolerance only covers text anti-aliasing).
fn differing(a: &image::RgbaImage, b: &image::RgbaImage) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions());
    let n = a.pixels().zip(b.pixels()).filter(|(p, q)| p.0.iter().zip(q.0).any(|(&x, y)| x.abs_diff(y) > 8)).count();
    n as f64 / f64::from(a.width() * a.height())
}

#[test]
fn exporting_a_stored_round_equals_exporting_its_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = imported(dir.path());
    let id = id_of(&url, GOLDRUSH, dir.path());
    let (from_db, from_files) = (dir.path().join("db.png"), dir.path().join("files.png"));
    let round = demo().join(GOLDRUSH);
    let common = ["--size", "768", "--backdrop", "silhouette", "--layers", "heatmap,markers,paths"];
    let mut args = vec!["export", "--round-id", &id, "--database-url", &url, "--out", from_db.to_str().expect("utf8")];
    args.extend(common);
    ok(&proxviz(&args, dir.path()));
    let mut args = vec!["export", round.to_str().expect("utf8"), "--out", from_files.to_str().expect("utf8")];
    args.extend(common);
    ok(&proxviz(&args, dir.path()));
    let d = differing(&pixels(&from_db), &pixels(&from_files));
    assert!(d < 0.001, "{:.3}% of the pixels differ", d * 100.0);
}

#[test]
fn a_season_from_the_database_is_the_season_of_the_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = imported(dir.path());
    let (from_db, from_folder) = (dir.path().join("db.png"), dir.path().join("folder.png"));
    let common = ["--season", "--map", "supply", "--size", "768", "--backdrop", "silhouette", "--cell", "256"];
    let mut args = vec!["export", "--database-url", &url, "--out", from_db.to_str().expect("utf8")];
    args.extend(common);
    ok(&proxviz(&args, dir.path()));
    let folder = demo();
    let mut args = vec!["export", folder.to_str().expect("utf8"), "--out", from_folder.to_str().expect("utf8")];
    args.extend(common);
    ok(&proxviz(&args, dir.path()));
    let (db, fo) = (pixels(&from_db), pixels(&from_folder));
    let d = differing(&db, &fo);
    assert!(d < 0.001, "{:.3}% of the pixels differ", d * 100.0);
    let (settings, text) = proxviz::export::read_png_settings(&from_db).expect("settings");
    assert!(text.title.starts_with("supply · season · 2 rounds · "), "{}", text.title);
    assert_eq!(settings.season.map(|s| s.map), Some("supply".to_owned()));
    // The season holds more kills than its newest round alone: it is not that round's heatmap.
    let newest = dir.path().join("newest.png");
    let round = folder.join("2025-12-20-201215-supply-round-2");
    let newest_args = [
        "export",
        round.to_str().expect("utf8"),
        "--out",
        newest.to_str().expect("utf8"),
        "--size",
        "768",
        "--backdrop",
        "silhouette",
        "--cell",
        "256",
        "--layers",
        "heatmap",
    ];
    ok(&proxviz(&newest_args, dir.path()));
    let (_, one) = proxviz::export::read_png_settings(&newest).expect("settings");
    assert!(!one.title.contains("season"), "{}", one.title);
}

#[test]
fn no_command_prints_a_password() {
    let dir = tempfile::tempdir().expect("tempdir");
    let demo = demo();
    for url in
        ["postgres://et_bot:s3cret@127.0.0.1:1/et_stats", "postgres://127.0.0.1:1/et_stats?user=et_bot&password=s3cret"]
    {
        for args in [
            vec!["db", "rounds", "--database-url", url],
            vec!["import", demo.to_str().expect("utf8"), "--database-url", url],
            vec!["export", "--round-id", "1", "--database-url", url, "--out", "x.png"],
            vec!["stats", "--db", "1", "--database-url", url],
        ] {
            let out = proxviz(&args, dir.path());
            assert!(!out.status.success(), "{args:?}");
            let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
            assert!(!all.contains("s3cret"), "{args:?}: {all}");
            assert!(all.contains("127.0.0.1:1"), "names the server: {all}");
        }
    }
}

mod common;

#[test]
fn a_round_opened_from_the_database_draws_axis_and_allied_players() {
    if !common::have_xvfb() {
        assert!(std::env::var("CI").is_err(), "CI must run the window test: install xvfb and mesa-vulkan-drivers");
        eprintln!("skipped: xvfb-run is not installed");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let url = imported(dir.path());
    let id = id_of(&url, GOLDRUSH, dir.path());
    let shot = dir.path().join("shot.png");
    let out = Command::new("timeout")
        .args(["180", "xvfb-run", "-a", "-s", "-screen 0 1600x1000x24"])
        .arg(env!("CARGO_BIN_EXE_proxviz"))
        .args(["--database-url", &url, "--round-id", &id, "--at", "125", "--screenshot"])
        .arg(&shot)
        .env("PROXVIZ_CONFIG_DIR", dir.path())
        .env("PROXVIZ_CACHE_DIR", dir.path())
        .output()
        .expect("runs");
    assert!(out.status.success(), "viewer failed: {}", String::from_utf8_lossy(&out.stderr));
    // Markers under the panels (rounds and players, layers, top bar, timeline) are hidden by them.
    let mut colours = common::drawn_markers(&shot, 420.0..=1300.0, 60.0..=900.0);
    let drawn = colours.len();
    colours.sort_unstable();
    colours.dedup();
    assert!(drawn >= 8, "only {drawn} players in view");
    assert!(colours.len() >= 2, "both teams' colours: {colours:?}");
}
