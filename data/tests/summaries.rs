//! A round list reads each round for its summary alone (position lines checked, their
//! coordinates not worked out): the summary must be the one of the round read in full, for
//! every format and for files full of odd lines.

use std::fmt::Write as _;
use std::path::Path;

use proxviz_data::discover_rounds;
use proxviz_data::index::{RoundSummary, summarise};
use rand::{Rng, SeedableRng};

/// Compares every round of `folder`; returns how many rounds, kills and problems there were.
fn assert_same_summaries(folder: &Path) -> (usize, u32, u32) {
    let rounds = discover_rounds(folder).expect("rounds");
    let mut buffers = Default::default();
    let (mut kills, mut problems) = (0, 0);
    for files in &rounds {
        let full = RoundSummary::of(&files.load());
        assert_eq!(summarise(files, &mut buffers), full, "{}", files.name.base);
        (kills, problems) = (kills + full.kills, problems + full.problems);
    }
    (rounds.len(), kills, problems)
}

#[test]
fn the_summary_read_alone_is_the_full_rounds_for_every_bundled_format() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut rounds = 0;
    for folder in ["../assets/demo", "tests/fixtures", "tests/seed-infer", "tests/upstream"] {
        rounds += assert_same_summaries(&here.join(folder)).0;
    }
    assert!(rounds >= 12, "{rounds} rounds compared");
}

/// A number in one of the shapes a positions file may hold (most read from the window, the
/// rest column after column or not at all).
fn number(rng: &mut impl Rng) -> String {
    let digits = |rng: &mut dyn rand::RngCore, n: usize| -> String {
        (0..n).map(|_| char::from(b'0' + rng.random_range(0..10u8))).collect()
    };
    let sign = if rng.random_bool(0.3) { "-" } else { "" };
    match rng.random_range(0..12) {
        0..=7 => {
            let whole = rng.random_range(1..=6);
            format!("{sign}{}.{}", digits(rng, whole), digits(rng, 1))
        }
        8 => format!("{sign}{}.{}", digits(rng, 7), digits(rng, 1)),
        9 => {
            let n = rng.random_range(1..4);
            format!("{sign}{}", digits(rng, n))
        }
        10 => format!("{sign}{}.{}", digits(rng, 2), digits(rng, 3)),
        _ => ["1e3", "", "x", "-", "1..2", "nan"][rng.random_range(0..6)].to_owned(),
    }
}

#[test]
fn the_summary_read_alone_is_the_full_rounds_for_odd_position_combat_and_engagement_lines() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(11);
    let dir = tempfile::tempdir().expect("tempdir");
    for round in 0..40 {
        let mut text = String::from("# PROXIMITY_TRACKER positions\n# format=2\n# map=supply\n");
        if round % 4 == 0 {
            // The seed's own format: no format line, a roster to infer.
            text = String::new();
        } else if round % 4 == 1 && round % 8 == 1 {
            // A format line that says nothing: read as the seed's format after all.
            text = String::from("# format=two\n");
        }
        for _ in 0..400 {
            let cn = [0, 3, 7, 12, 63, 64, 100][rng.random_range(0..7)];
            // Mostly rising times; some repeated, out of order or past u32.
            let time = match rng.random_range(0..20) {
                0 => "4294967296".to_owned(),
                1 => "0".to_owned(),
                _ => rng.random_range(0..600_000u32).to_string(),
            };
            let columns = rng.random_range(9..=11);
            let mut line = format!("{cn}\t{time}");
            for _ in 0..6 {
                write!(line, "\t{}", number(&mut rng)).expect("write");
            }
            write!(line, "\t{}", rng.random_range(0..2)).expect("write");
            if columns >= 10 {
                line.push_str(["\t1", "\t2", "\t-", "\t9"][rng.random_range(0..4)]);
            }
            if columns >= 11 {
                line.push_str(["\t100", "\t-5", "\t-", "\t99999"][rng.random_range(0..4)]);
            }
            line.push_str(["\n", "\n", "\n", "\r\n"][rng.random_range(0..4)]);
            text.push_str(&line);
        }
        let base = format!("2025-12-{:02}-200015-supply-round-1", round % 28 + 1);
        let base = if round >= 28 { base.replace("round-1", "round-2") } else { base };
        std::fs::write(dir.path().join(format!("{base}_positions.txt")), text).expect("write");
        let mut combat = String::new();
        for _ in 0..300 {
            let pick = |rng: &mut rand::rngs::StdRng, from: &[&str]| from[rng.random_range(0..from.len())].to_owned();
            let mut line = format!("{}", rng.random_range(0..600_000u32));
            line.push_str(&format!("\t{}", pick(&mut rng, &["fire", "hit", "kill", "kill", "death", "FIRE", "x"])));
            line.push_str(&format!("\t{}", pick(&mut rng, &["0", "3", "12", "2000"])));
            line.push_str(&format!("\t{}", pick(&mut rng, &["NONE", "-1", "3", "7", "12"])));
            line.push_str(&format!("\t{}", number(&mut rng)));
            line.push_str(&format!("\t{}\t{}", rng.random_range(0..4), rng.random_range(0..4)));
            line.push_str(&format!("\t{}", pick(&mut rng, &["-5", "0", "19", "120"])));
            if rng.random_bool(0.8) {
                line.push_str(&format!("\t{}\t{}", rng.random_range(0..40), pick(&mut rng, &["-", "8", "x"])));
                for _ in 0..6 {
                    let coordinate = if rng.random_bool(0.3) { "-".to_owned() } else { number(&mut rng) };
                    line.push_str(&format!("\t{coordinate}"));
                }
            }
            line.push('\n');
            combat.push_str(&line);
        }
        std::fs::write(dir.path().join(format!("{base}_combat.txt")), combat).expect("write");
        let mut engagements = String::new();
        for _ in 0..60 {
            let kind = ["1v1", "2vs1", "odd", ""][rng.random_range(0..4)];
            let names = ["^1Big Boss\tvictim", "\t", "Øyvind\t[BOT]Tank", "a\u{0}b\tc"][rng.random_range(0..4)];
            let mut line = format!("{kind}\t{}\t{names}", number(&mut rng));
            if rng.random_bool(0.7) {
                let time = ["61000", "4294967296", "x"][rng.random_range(0..3)];
                line.push_str(&format!("\t{time}\t{}\t{}", rng.random_range(0..70), rng.random_range(0..70)));
                for _ in 0..3 {
                    line.push_str(&format!("\t{}", number(&mut rng)));
                }
                line.push_str(&format!("\t{}\t{}", rng.random_range(0..3), rng.random_range(0..3)));
            }
            line.push('\n');
            engagements.push_str(&line);
        }
        std::fs::write(dir.path().join(format!("{base}_engagements.txt")), engagements).expect("write");
    }
    let (rounds, kills, problems) = assert_same_summaries(dir.path());
    assert_eq!(rounds, 40);
    assert!(kills > 400 && problems > 4_000, "{kills} kills, {problems} problems");
}
