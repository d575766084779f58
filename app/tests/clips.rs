//! Clips and stopwatch compare end to end: the real binary renders offscreen (no display), and
//! what it writes is read back: a GIF's frame count, timing, size and what its frames show (the
//! clock moving, the kill feed appearing at a kill), an MP4 through ffmpeg, and a stopwatch
//! pair side by side or as a difference.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use proxviz::export::read_png_settings;
use proxviz_data::resolve_rounds;

const ROUND: &str = "2025-12-20-200015-supply-round-1";

fn demo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/demo")
}

fn proxviz(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_proxviz"));
    let cache = std::env::temp_dir().join(format!("proxviz-test-cache-{}", std::process::id()));
    cmd.env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("PROXVIZ_CACHE_DIR", &cache)
        .env("PROXVIZ_CONFIG_DIR", &cache)
        .arg("export")
        .args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("runs")
}

fn export(args: &[&str]) -> Output {
    let out = proxviz(args, &[]);
    assert!(
        out.status.success(),
        "export failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Every frame of a GIF composed to RGB, its size and each frame's delay.
fn decode(path: &Path) -> ((usize, usize), Vec<Vec<[u8; 3]>>, Vec<u16>) {
    let played = proxviz::export::clip::play_gif(&std::fs::read(path).expect("gif")).expect("a GIF");
    (played.size, played.frames, played.delays)
}

/// Pixels of a team's colour (the kill feed's names) in the top-right corner of a frame.
fn team_pixels_top_right(frame: &[[u8; 3]], (w, h): (usize, usize)) -> usize {
    // Reddish or bluish text pixels: one channel well above the other two.
    let team = |p: [u8; 3]| {
        let [r, g, b] = p.map(i32::from);
        (r > 120 && r > g + 50 && r > b + 50) || (b > 120 && b > r + 60 && b > g + 30)
    };
    (0..h / 10).flat_map(|y| (w * 3 / 5..w).map(move |x| (x, y))).filter(|&(x, y)| team(frame[y * w + x])).count()
}

#[test]
fn a_gif_clip_has_a_frame_per_step_lasts_its_length_and_shows_the_kill_feed_at_a_kill() {
    let round = resolve_rounds(&demo().join(ROUND)).expect("round").remove(0).load();
    let timeline = proxviz_data::Timeline::new(std::sync::Arc::new(round));
    // The first kill of the round: the feed is empty before it.
    let first_kill = timeline.kills().first().expect("kills").time_ms;
    let from = f64::from(first_kill) / 1000.0 - 2.0;
    let dir = tempfile::tempdir().expect("tempdir");
    let gif_path = dir.path().join("fight.gif");
    let out = export(&[
        demo().join(ROUND).to_str().expect("utf-8"),
        "--animate",
        "--from",
        &format!("{from:.2}"),
        "--to",
        &format!("{:.2}", from + 6.0),
        "--fps",
        "10",
        "--speed",
        "2",
        "--size",
        "480",
        "--backdrop",
        "silhouette",
        "--out",
        gif_path.to_str().expect("utf-8"),
    ]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), gif_path.display().to_string());
    let ((w, h), frames, delays) = decode(&gif_path);
    // 6 s of replay at twice real time: 3 s of clip at 10 fps, both ends.
    assert_eq!(frames.len(), 31);
    assert_eq!(delays.iter().map(|&d| u32::from(d)).sum::<u32>(), 310);
    assert_eq!(w.max(h), 480);
    // The clock moves: the bottom-left corner changes between the first and the last frame.
    let corner = |f: &Vec<[u8; 3]>| {
        (h - 40..h).flat_map(|y| (0..120).map(move |x| (x, y))).map(|(x, y)| f[y * w + x]).collect::<Vec<_>>()
    };
    assert_ne!(corner(&frames[0]), corner(&frames[30]));
    // Frame 0 is 2 s before the first kill; frame 15 is 1 s after it (3 s of replay later).
    assert_eq!(team_pixels_top_right(&frames[0], (w, h)), 0, "no kill in the feed yet");
    let after = team_pixels_top_right(&frames[15], (w, h));
    assert!(after > 5, "the first kill in the feed ({after} team-coloured pixels)");
    assert!(std::fs::metadata(&gif_path).expect("gif").len() < 2 * 1024 * 1024);
}

#[test]
fn an_mp4_clip_is_written_by_ffmpeg_and_without_it_the_error_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mp4 = dir.path().join("clip.mp4");
    let args = |out: &Path| {
        vec![
            demo().join(ROUND).display().to_string(),
            "--animate".into(),
            "--from".into(),
            "1:00".into(),
            "--to".into(),
            "1:03".into(),
            "--size".into(),
            "320".into(),
            "--backdrop".into(),
            "none".into(),
            "--out".into(),
            out.display().to_string(),
        ]
    };
    let missing = proxviz(
        &args(&mp4).iter().map(String::as_str).collect::<Vec<_>>(),
        &[("PROXVIZ_FFMPEG", "/nonexistent/ffmpeg")],
    );
    assert!(!missing.status.success());
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(err.contains("ffmpeg") && err.contains(".gif"), "{err}");
    assert!(!mp4.exists());
    let have_ffmpeg = Command::new("ffmpeg").arg("-version").output().is_ok_and(|o| o.status.success());
    if !have_ffmpeg {
        assert!(std::env::var_os("CI").is_none(), "CI installs ffmpeg: MP4 clips must be tested there");
        eprintln!("ffmpeg is not installed here: the MP4 itself is not checked");
        return;
    }
    export(&args(&mp4).iter().map(String::as_str).collect::<Vec<_>>());
    let bytes = std::fs::read(&mp4).expect("mp4");
    assert_eq!(&bytes[4..8], b"ftyp", "an MP4 file");
    assert!(bytes.len() > 2_000);
    // ffprobe says 31 frames (3 s at 10 fps, both ends).
    if let Ok(probe) = Command::new("ffprobe")
        .args(["-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=nb_read_frames"])
        .args(["-of", "csv=p=0"])
        .arg(&mp4)
        .output()
    {
        assert_eq!(String::from_utf8_lossy(&probe.stdout).trim(), "31");
    }
}

#[test]
fn clip_options_that_make_no_sense_are_refused_with_a_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let round = demo().join(ROUND);
    let cases: [(&[&str], &str); 4] = [
        (&["--animate", "--from", "70", "--to", "60", "--out", "a.gif"], "must come after"),
        (&["--animate", "--out", "a.png"], "a .gif or a .mp4"),
        (&["--out", "a.gif"], "add --animate"),
        (&["--from", "2025-01-01", "--animate", "--out", "a.gif"], "replay time"),
    ];
    for (args, says) in cases {
        let mut all = vec![round.to_str().expect("utf-8")];
        all.extend_from_slice(args);
        let out = proxviz(&all, &[("PROXVIZ_TEST_DIR", dir.path().to_str().expect("utf-8"))]);
        assert!(!out.status.success(), "{args:?} was accepted");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
    }
}

#[test]
fn a_stopwatch_pair_exports_side_by_side_or_as_one_difference() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pair = dir.path().join("pair.png");
    let out = export(&[
        "--demo",
        "--round",
        "201215-supply-round-2",
        "--compare-with",
        "partner",
        "--size",
        "512",
        "--backdrop",
        "none",
        "--out",
        pair.to_str().expect("utf-8"),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("side by side with 2025-12-20-200015-supply-round-1"), "{err}");
    let img = image::open(&pair).expect("png").to_rgba8();
    let (w, h) = img.dimensions();
    // Two pictures of the same view, 8 pixels apart.
    assert_eq!((w - 8) % 2, 0);
    let half = (w - 8) / 2;
    assert!(half == 512 || h == 512, "{w}×{h}");
    let img = &img;
    let left: Vec<u8> = (0..h).flat_map(|y| (0..half).flat_map(move |x| img.get_pixel(x, y).0)).collect();
    let right: Vec<u8> = (0..h).flat_map(|y| (half + 8..w).flat_map(move |x| img.get_pixel(x, y).0)).collect();
    let differing = left.chunks(4).zip(right.chunks(4)).filter(|(a, b)| a != b).count();
    assert!(differing > 1000, "the two rounds differ ({differing} pixels)");

    let diff = dir.path().join("diff.png");
    export(&[
        "--demo",
        "--round",
        "201215-supply-round-2",
        "--compare-with",
        "200015-supply",
        "--compare-heat",
        "diff",
        "--mode",
        "kde",
        "--size",
        "512",
        "--backdrop",
        "none",
        "--out",
        diff.to_str().expect("utf-8"),
    ]);
    let (settings, text) = read_png_settings(&diff).expect("settings");
    assert_eq!(settings.compare.map(|c| c.heat), Some(proxviz::scene::compare::CompareHeat::Difference));
    assert!(text.title.contains("round 2"), "{}", text.title);
    let img = image::open(&diff).expect("png").to_rgba8();
    assert_eq!(img.width().max(img.height()), 512);

    // No partner: a round 1 of another day.
    let out = proxviz(&["--demo", "--round", "goldrush", "--compare-with", "supply-round-9", "--out", "x.png"], &[]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no such round"));

    // A clip compares without a heatmap by default (side by side is for pictures), and a round
    // file given alone finds its partner in its folder.
    let r2 =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/demo/2025-12-20-201215-supply-round-2_positions.txt");
    let clip = dir.path().join("race.gif");
    let out = export(&[
        r2.to_str().expect("utf-8"),
        "--compare-with",
        "partner",
        "--animate",
        "--from",
        "60",
        "--to",
        "61",
        "--fps",
        "2",
        "--size",
        "256",
        "--out",
        clip.to_str().expect("utf-8"),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(clip.exists());
}
