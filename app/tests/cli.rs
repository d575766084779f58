//! The `proxviz` binary as a user runs it: output, messages and exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/tests/fixtures")
}

fn proxviz(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_proxviz")).args(args).output().expect("runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn rounds_lists_every_fixture_round_with_its_problems() {
    let out = proxviz(&["rounds", fixtures().to_str().expect("utf8 path")]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[0].starts_with("date        time      map       round  length  players  kills  problems  format"),
        "{stdout}"
    );
    assert_eq!(lines[2], "2025-12-20  12:00:00  supply        1   00:08        3      1         -  seed");
    assert_eq!(lines[3], "2025-12-20  13:00:00  goldrush      2   00:06        3      1         -  proxviz");
    assert_eq!(lines[4], "2025-12-21  21:30:00  -             1   00:01        2      1         2  seed");
    assert!(stdout.contains("2025-12-21-213000--round-0_combat.txt:2: column 2 (type)"), "{stdout}");
}

#[test]
fn rounds_as_json_gives_one_object_per_round() {
    let out = proxviz(&["rounds", "--json", fixtures().to_str().expect("utf8 path")]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v.as_array().map(Vec::len), Some(3));
    assert_eq!(v[1]["map"], "goldrush");
    assert_eq!(v[1]["round"], 2);
    assert_eq!(v[2]["problems"], 2);
    assert_eq!((v[0]["format"].as_str(), v[1]["format"].as_str()), (Some("seed"), Some("proxviz")));
}

#[test]
fn stats_of_one_round_as_json_has_the_seed_keys() {
    let base = fixtures().join("2025-12-20-120000-supply-round-1");
    let out = proxviz(&["stats", "--json", base.to_str().expect("utf8 path")]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let s = &v["statistics"];
    for key in [
        "total_positions",
        "total_combat_events",
        "total_engagements",
        "total_heatmap_cells",
        "combat_by_type",
        "engagement_type_count",
        "average_engagement_distance",
        "hotspots",
    ] {
        assert!(s.get(key).is_some(), "missing {key}");
    }
    assert_eq!(s["total_positions"], 22);
    assert_eq!(s["combat_by_type"]["fire"], 4);
    assert_eq!(s["hotspots"][0]["grid"], "(2, 10)");
    assert_eq!(s["players"][0]["damage_given"], 105);
    assert_eq!(v["round"]["map"], "supply");
}

#[test]
fn stats_of_a_folder_as_json_is_an_array() {
    let out = proxviz(&["stats", "--json", fixtures().to_str().expect("utf8 path")]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v.as_array().map(Vec::len), Some(3));
}

#[test]
fn stats_as_text_shows_totals_players_and_the_load_report() {
    let file = fixtures().join("2025-12-21-213000--round-0_combat.txt");
    let out = proxviz(&["stats", file.to_str().expect("utf8 path")]);
    assert!(out.status.success());
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("2025-12-21 21:30:00  unknown map  round 1  (2 players, 00:01)"), "{stdout}");
    assert!(stdout.contains("combat by type: fire 1, kill 1"), "{stdout}");
    assert!(stdout.contains("  missing heatmap file"), "{stdout}");
}

#[test]
fn a_missing_folder_is_an_error_that_names_it() {
    let out = proxviz(&["rounds", "/no/such/gamestats"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stderr), "error: /no/such/gamestats: no such file or folder\n");
}

#[test]
fn an_empty_folder_says_there_are_no_rounds() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = proxviz(&["rounds", dir.path().to_str().expect("utf8 path")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("no round files"), "{}", text(&out.stderr));
}

#[test]
fn a_file_that_is_not_a_round_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "hello").expect("write");
    let out = proxviz(&["stats", notes.to_str().expect("utf8 path")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("not a round"), "{}", text(&out.stderr));
}

#[test]
fn bad_usage_exits_with_two() {
    assert_eq!(proxviz(&["stats"]).status.code(), Some(2));
    assert_eq!(proxviz(&["rounds", "--frobnicate"]).status.code(), Some(2));
}

#[test]
fn opening_a_path_that_does_not_exist_fails_before_any_window() {
    let out = proxviz(&["/no/such/gamestats"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stderr), "error: /no/such/gamestats: no such file or folder\n");
}

#[test]
fn simulate_writes_a_round_that_rounds_lists() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().to_str().expect("utf8 path");
    let sim = proxviz(&[
        "simulate",
        "--map",
        "sw_goldrush_te",
        "--players",
        "6",
        "--minutes",
        "1",
        "--seed",
        "3",
        "--out",
        out,
    ]);
    assert!(sim.status.success(), "{}", text(&sim.stderr));
    assert_eq!(text(&sim.stdout).lines().count(), 4, "{}", text(&sim.stdout));
    let listed = proxviz(&["rounds", out]);
    let stdout = text(&listed.stdout);
    assert!(stdout.contains("2025-12-20  20:00:15  sw_goldrush_te      1   01:00"), "{stdout}");
}

#[test]
fn simulate_writes_the_public_format_too_when_asked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().to_str().expect("utf8 path");
    let args = ["simulate", "--players", "6", "--minutes", "1", "--public-format", "--out", out];
    let sim = proxviz(&args);
    assert!(sim.status.success(), "{}", text(&sim.stderr));
    let written = text(&sim.stdout);
    let public: Vec<&str> = written.lines().filter(|l| l.contains("/proximity/")).collect();
    assert_eq!(public.len(), 1, "{written}");
    assert!(public[0].ends_with("-supply-round-1_engagements.txt"), "{written}");
    let listed = proxviz(&["rounds", &format!("{out}/proximity")]);
    let stdout = text(&listed.stdout);
    assert!(listed.status.success() && stdout.contains("public v6"), "{stdout}{}", text(&listed.stderr));
}

#[test]
fn simulate_runs_any_tracker_and_keeps_where_it_wrote() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A tracker of another shape: one file per round in its own folder, as the current public
    // tracker writes into `proximity/`.
    let script = dir.path().join("other.lua");
    std::fs::write(
        &script,
        "function et_ShutdownGame(restart) \
           local fd, len = et.trap_FS_FOpenFile('proximity/round_engagements.txt', et.FS_WRITE) \
           local text = '# PROXIMITY_TRACKER_V6\\n# map=supply\\n' \
           et.trap_FS_Write(text, string.len(text), fd) \
           et.trap_FS_FCloseFile(fd) end",
    )
    .expect("script");
    let out = dir.path().join("out");
    let args = ["simulate", "--players", "4", "--minutes", "0.2", "--tracker", script.to_str().expect("utf8"), "--out"];
    let sim = proxviz(&[&args[..], &[out.to_str().expect("utf8")]].concat());
    assert!(sim.status.success(), "{}", text(&sim.stderr));
    let written = out.join("proximity/round_engagements.txt");
    assert_eq!(text(&sim.stdout).trim(), written.display().to_string());
    assert!(std::fs::read_to_string(&written).expect("copied").starts_with("# PROXIMITY_TRACKER_V6"));
    // A script that never returns is stopped with the callback named, not a hang.
    std::fs::write(&script, "function et_RunFrame(t) while true do end end").expect("script");
    let started = std::time::Instant::now();
    let sim = proxviz(&[&args[..], &[out.to_str().expect("utf8")]].concat());
    assert_eq!(sim.status.code(), Some(1));
    let stderr = text(&sim.stderr);
    assert!(stderr.contains("the tracker script was stopped") && stderr.contains("et_RunFrame"), "{stderr}");
    assert!(started.elapsed() < std::time::Duration::from_secs(60), "{:?}", started.elapsed());
}

#[test]
fn simulate_refuses_an_unknown_map_and_preset() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().to_str().expect("utf8 path");
    let bad_map = proxviz(&["simulate", "--map", "atlantis", "--out", out]);
    assert_eq!(bad_map.status.code(), Some(1));
    assert!(text(&bad_map.stderr).contains("unknown map \"atlantis\""), "{}", text(&bad_map.stderr));
    let bad_preset = proxviz(&["simulate", "--preset", "ultra", "--out", out]);
    assert!(text(&bad_preset.stderr).contains("expected high, balanced or low"));
}

#[test]
fn the_bundled_demo_rounds_are_what_simulate_demo_makes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sim = proxviz(&["simulate", "--demo", "--out", dir.path().to_str().expect("utf8 path")]);
    assert!(sim.status.success(), "{}", text(&sim.stderr));
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/demo");
    let mut names: Vec<_> =
        std::fs::read_dir(&demo).expect("demo folder").map(|e| e.expect("entry").file_name()).collect();
    names.sort();
    assert_eq!(names.len(), 16);
    for name in names {
        let bundled = std::fs::read(demo.join(&name)).expect("bundled file");
        let fresh = std::fs::read(dir.path().join(&name)).expect("regenerated file");
        assert!(bundled == fresh, "{name:?} differs: regenerate with `proxviz simulate --demo --out assets/demo`");
    }
}

fn fresh_database() -> String {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    rt.block_on(proxviz_store::test_server::TestServer::get().fresh_database("cli")).expect("database")
}

#[test]
fn import_is_idempotent_and_db_rounds_and_stats_read_it_back() {
    let url = fresh_database();
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/demo");
    let demo = demo.to_str().expect("utf8 path");
    let first = proxviz(&["import", demo, "--database-url", &url]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert_eq!(text(&first.stdout), "4 imported, 0 replaced, 0 unchanged, 0 kept, 0 failed\n");
    let again = proxviz(&["import", demo, "--database-url", &url]);
    assert_eq!(text(&again.stdout), "0 imported, 0 replaced, 4 unchanged, 0 kept, 0 failed\n");
    let listed = proxviz(&["db", "rounds", "--map", "supply", "--database-url", &url]);
    let stdout = text(&listed.stdout);
    assert!(stdout.contains(" 2025-12-20  20:12:15  supply      2   07:00"), "{stdout}");
    assert!(stdout.ends_with("2 rounds\n"), "{stdout}");
    let from_db = proxviz(&["stats", "--db", "1", "--database-url", &url]);
    let from_files = proxviz(&["stats", &format!("{demo}/2025-12-20-200015-supply-round-1")]);
    assert!(from_db.status.success(), "{}", text(&from_db.stderr));
    assert_eq!(text(&from_db.stdout), text(&from_files.stdout), "the same round, the same statistics");
    let heat = proxviz(&[
        "db",
        "heatmap",
        "--map",
        "sw_goldrush_te",
        "--grid",
        "1024",
        "--team",
        "axis",
        "--database-url",
        &url,
    ]);
    assert!(text(&heat.stdout).contains("cells of 1024 units on sw_goldrush_te"), "{}", text(&heat.stdout));
}

#[test]
fn a_round_that_cannot_be_imported_is_named_and_the_others_still_go_in() {
    let url = fresh_database();
    let dir = tempfile::tempdir().expect("tempdir");
    for e in std::fs::read_dir(fixtures()).expect("fixtures") {
        let e = e.expect("entry");
        std::fs::copy(e.path(), dir.path().join(e.file_name())).expect("copy");
    }
    // A round whose name has no date (and whose files none) cannot be stored: no session date.
    for kind in ["positions", "combat", "engagements", "heatmap"] {
        let from = fixtures().join(format!("2025-12-20-120000-supply-round-1_{kind}.txt"));
        std::fs::copy(from, dir.path().join(format!("supply-round-1_{kind}.txt"))).expect("copy");
    }
    // A heatmap file that lists a cell twice: one row per cell, the counts added, with a note.
    let twice = dir.path().join("2025-12-20-120000-supply-round-1_heatmap.txt");
    std::fs::write(&twice, "2\t10\t1\t0\n2\t10\t0\t1\n").expect("write");
    // An engagement type longer than the seed's VARCHAR(20) is cut, with a note: it imports.
    let long = dir.path().join("2025-12-20-130000-goldrush-round-2_engagements.txt");
    std::fs::write(&long, "A_LABEL_LONGER_THAN_THE_SEEDS_VARCHAR\t150.5\tPlayer1\tPlayer2\n").expect("write");
    let out = proxviz(&["import", dir.path().to_str().expect("utf8 path"), "--database-url", &url]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "3 imported, 0 replaced, 0 unchanged, 0 kept, 1 failed\n");
    let stderr = text(&out.stderr);
    assert!(stderr.contains("error: round supply-round-1: no session date"), "{stderr}");
    assert!(
        stderr.contains("note: round 2025-12-20-120000-supply-round-1: heatmap cells listed more than once"),
        "{stderr}"
    );
    assert!(stderr.contains("note: round 2025-12-20-130000-goldrush-round-2: names or types longer"), "{stderr}");
}

#[test]
fn a_wrong_database_url_is_one_clear_line_without_the_password() {
    let out = proxviz(&["db", "rounds", "--database-url", "postgres://et_bot:hunter2@127.0.0.1:1/et_stats"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("postgres://et_bot:***@127.0.0.1:1/et_stats") && !stderr.contains("hunter2"), "{stderr}");
}

#[test]
fn names_never_carry_terminal_escapes_into_any_output_and_logs_have_no_colour_in_a_pipe() {
    let dir = tempfile::tempdir().expect("tempdir");
    let esc = "\u{1b}[31mRED\u{1b}]0;title\u{7}";
    let head = |kind: &str| {
        format!(
            "# PROXIMITY_TRACKER {kind}\n# format=2\n# map=sup{esc}ply\n# player\t0\t1\tFritz{esc}\n# player\t1\t2\tHans\n"
        )
    };
    let base = dir.path().join("2025-12-20-120000-supply-round-1");
    let write =
        |suffix: &str, body: String| std::fs::write(format!("{}{suffix}", base.display()), body).expect("write");
    write(
        "_positions.txt",
        head("positions") + "0\t0\t0\t0\t0\t0\t0\t0\t0\t1\t100\n1\t0\t50\t0\t0\t0\t0\t0\t0\t2\t100\n",
    );
    write("_combat.txt", head("combat") + "1000\tkill\t0\t1\t50\t0\t0\t100\t-\t-\t0\t0\t0\t50\t0\t0\n");
    write(
        "_engagements.txt",
        head("engagements") + &format!("1v1\t50\tFritz{esc}\tHans\t1000\t0\t1\t50\t0\t0\t0\t0\n"),
    );
    write("_heatmap.txt", head("heatmap") + "0\t0\t1\t0\n");
    let folder = dir.path().to_str().expect("utf8");
    let png = dir.path().join("out.png");
    for args in [
        vec!["rounds", folder],
        vec!["rounds", "--json", folder],
        vec!["stats", folder],
        vec!["stats", "--json", folder],
        vec!["export", folder, "--out", png.to_str().expect("utf8")],
    ] {
        let out = proxviz(&args);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        for (what, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            assert!(!bytes.contains(&0x1b) && !bytes.contains(&0x07), "{args:?} {what}: {:?}", text(bytes));
        }
    }
}
