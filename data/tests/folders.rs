//! Folders and files that try to break listing and reading: links that loop, pipes named like
//! round files, files that grow or shrink while they are read, and a folder of 100,000 files
//! that are not rounds. Each ends in the rounds that are there and a note naming the file.

use std::io::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use proxviz_data::discover_rounds;

const BASE: &str = "2025-12-20-200015-supply-round-1";

fn position_lines(from: u32, count: u32) -> String {
    (from..from + count).map(|t| format!("0\t{}\t100\t200\t0\t90\t0\t0\t0\t1\t100\n", t * 500)).collect()
}

fn write_round(dir: &Path, base: &str) {
    std::fs::write(dir.join(format!("{base}_positions.txt")), position_lines(0, 10)).expect("write");
    std::fs::write(dir.join(format!("{base}_combat.txt")), "1000\tfire\t0\tNONE\t0\t0\t0\t0\n").expect("write");
}

#[test]
fn links_that_loop_are_listed_and_named_when_read_and_links_to_folders_are_not_followed() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_round(dir.path(), BASE);
    // A file link to itself, two file links to each other, and a folder link to the folder.
    let looped = "2025-12-21-200015-oasis-round-1";
    std::os::unix::fs::symlink(format!("{looped}_positions.txt"), dir.path().join(format!("{looped}_positions.txt")))
        .expect("link");
    std::os::unix::fs::symlink(format!("{looped}_heatmap.txt"), dir.path().join(format!("{looped}_combat.txt")))
        .expect("link");
    std::os::unix::fs::symlink(format!("{looped}_combat.txt"), dir.path().join(format!("{looped}_heatmap.txt")))
        .expect("link");
    std::os::unix::fs::symlink(dir.path(), dir.path().join("loop")).expect("link");
    std::os::unix::fs::symlink(dir.path(), dir.path().join(format!("{looped}_engagements.txt"))).expect("link");

    let rounds = discover_rounds(dir.path()).expect("lists");
    let bases: Vec<&str> = rounds.iter().map(|r| r.name.base.as_str()).collect();
    assert_eq!(bases, [BASE, looped]);
    assert_eq!(rounds[0].load().position_count(), 10);

    let round = rounds[1].load();
    assert_eq!(round.position_count(), 0);
    let report = round.report.to_string();
    for file in ["positions", "combat", "heatmap"] {
        assert!(report.contains(&format!("{looped}_{file}.txt: cannot read")), "{file} named: {report}");
    }
    assert!(report.contains("symbolic links"), "the reason is the OS's: {report}");
    // The link to a folder is no file to read: the round has no engagements file.
    assert!(round.report.missing.contains(&proxviz_data::FileKind::Engagements), "{report}");
}

#[test]
fn a_pipe_named_like_a_round_file_is_not_read_so_listing_never_waits_on_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_round(dir.path(), BASE);
    let pipe = dir.path().join("2025-12-21-200015-oasis-round-1_positions.txt");
    let made = std::process::Command::new("mkfifo").arg(&pipe).status().expect("mkfifo runs");
    assert!(made.success());
    let rounds = discover_rounds(dir.path()).expect("lists");
    assert_eq!(rounds.len(), 1, "only the real round");
    assert_eq!(rounds[0].load().position_count(), 10);
}

/// Reads `path`'s round over and over for a second while `change` runs on another thread;
/// `check` looks at each read. Returns how many reads ended.
fn read_while(dir: &Path, change: impl Fn(u32) + Sync, check: impl Fn(&proxviz_data::Round)) -> usize {
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let mut step = 0;
            while !stop.load(Ordering::Relaxed) {
                change(step);
                step += 1;
            }
        });
        let rounds = discover_rounds(dir).expect("lists");
        let started = Instant::now();
        let mut reads = 0;
        while started.elapsed() < Duration::from_secs(1) {
            check(&rounds[0].load());
            reads += 1;
        }
        stop.store(true, Ordering::Relaxed);
        reads
    })
}

#[test]
fn a_file_that_grows_while_it_is_read_loads_what_was_there_with_a_cut_last_line_noted() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_round(dir.path(), BASE);
    let path = dir.path().join(format!("{BASE}_positions.txt"));
    // The tracker appending (here as fast as it can, in pieces that cut lines in two).
    let append = |step: u32| {
        let text = position_lines(10 + step * 50, 50);
        let mut file = std::fs::OpenOptions::new().append(true).open(&path).expect("open");
        let (a, b) = text.as_bytes().split_at(text.len() / 2 + 3);
        file.write_all(a).expect("append");
        file.write_all(b).expect("append");
    };
    let reads = read_while(dir.path(), append, |round| {
        assert!(round.position_count() >= 10, "{}", round.report);
        assert_eq!(round.report.skipped_total, 0, "{}", round.report);
        for note in &round.report.notes {
            assert!(note.contains("last line is cut short"), "only a cut last line: {note}");
        }
    });
    assert!(reads > 5, "each read ends although the file keeps growing ({reads} reads)");
}

#[test]
fn a_file_cut_and_written_again_while_it_is_read_ends_each_read_with_reasons() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_round(dir.path(), BASE);
    let path = dir.path().join(format!("{BASE}_positions.txt"));
    // A server that starts the file again (cut to nothing, then written) over and over.
    let rewrite = |step: u32| {
        std::fs::write(&path, position_lines(0, 1 + step % 3_000)).expect("rewrite");
    };
    let reads = read_while(dir.path(), rewrite, |round| {
        // A read can meet any mix of old and new bytes: whatever it skips has its line and
        // reason; what loads is in order.
        assert!(round.report.skipped.len() <= round.report.skipped_total);
        for skip in &round.report.skipped {
            assert!(skip.file.ends_with("_positions.txt") && skip.line > 0 && !skip.reason.is_empty(), "{skip}");
        }
        for track in &round.tracks {
            assert!(track.samples.is_sorted_by(|a, b| a.time_ms < b.time_ms));
        }
    });
    assert!(reads > 5, "each read ends ({reads} reads)");
}

#[test]
fn a_folder_of_100000_files_that_are_not_rounds_lists_its_rounds() {
    let dir = tempfile::tempdir().expect("tempdir");
    for i in 0..100_000 {
        // Names that look close: other text files, other suffixes, round-like without a kind.
        let name = match i % 4 {
            0 => format!("demo{i}.dm_84"),
            1 => format!("{BASE}-{i}_notes.txt"),
            2 => format!("{i}_positions.txt.bak"),
            _ => format!("screenshot{i}.jpg"),
        };
        std::fs::File::create(dir.path().join(name)).expect("create");
    }
    write_round(dir.path(), BASE);
    write_round(dir.path(), "2025-12-21-200015-oasis-round-2");
    let started = Instant::now();
    let rounds = discover_rounds(dir.path()).expect("lists");
    let took = started.elapsed();
    assert_eq!(rounds.len(), 2);
    eprintln!("listed 100,002 files in {took:?}");

    // With no round among them, the folder is refused with its name.
    for round in &rounds {
        for path in round.paths.iter().flatten() {
            std::fs::remove_file(path).expect("remove");
        }
    }
    let err = proxviz_data::resolve_rounds(dir.path()).expect_err("no rounds");
    assert!(err.to_string().contains(&dir.path().display().to_string()), "{err}");
}
