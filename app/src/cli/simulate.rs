//! `proxviz simulate`: plays a round through the simulated ET:Legacy engine running the tracker
//! and writes the round files; `--demo` regenerates the bundled demo rounds.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use chrono::NaiveDateTime;
use proxviz_tracker::config::Preset;
use proxviz_tracker::sim::{MatchConfig, simulate_into};

/// Options of `proxviz simulate`.
#[derive(Debug, clap::Args)]
pub struct SimulateArgs {
    /// Map (`supply` or `sw_goldrush_te`).
    #[arg(long, default_value = "supply")]
    pub map: String,
    /// Players on the two teams (2-64).
    #[arg(long, default_value_t = 12)]
    pub players: usize,
    /// Length of the round in minutes.
    #[arg(long, default_value_t = 10.0)]
    pub minutes: f64,
    /// Random seed; the same seed gives the same round.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Stopwatch round (1 or 2).
    #[arg(long, default_value_t = 1)]
    pub round: u32,
    /// Server clock when the map loads, `YYYY-MM-DD HH:MM:SS` (UTC).
    #[arg(long, default_value = "2025-12-20 20:00:00")]
    pub start: String,
    /// A tracker script to run instead of the shipped one.
    #[arg(long)]
    pub tracker: Option<PathBuf>,
    /// Tracker settings preset: high, balanced or low.
    #[arg(long)]
    pub preset: Option<String>,
    /// Also write the round as the current public tracker writes it (one v6 file, from the
    /// simulator's truth) into `proximity/` under `--out`.
    #[arg(long)]
    pub public_format: bool,
    /// Regenerate the bundled demo rounds into `--out` (other options are ignored).
    #[arg(long)]
    pub demo: bool,
    /// Folder to write the round files into.
    #[arg(long)]
    pub out: PathBuf,
}

/// The demo rounds: two maps, both stopwatch rounds, one evening.
const DEMO: [(&str, u32, usize, f64, u64, &str); 4] = [
    ("supply", 1, 16, 8.0, 101, "2025-12-20 20:00:00"),
    ("supply", 2, 16, 7.0, 102, "2025-12-20 20:12:00"),
    ("sw_goldrush_te", 1, 20, 8.0, 103, "2025-12-20 20:25:00"),
    ("sw_goldrush_te", 2, 20, 7.5, 104, "2025-12-20 20:37:00"),
];

fn parse_start(text: &str) -> anyhow::Result<i64> {
    let t = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S")
        .with_context(|| format!("--start {text:?}: expected YYYY-MM-DD HH:MM:SS"))?;
    Ok(t.and_utc().timestamp())
}

fn run_one(cfg: &MatchConfig, out: &Path, stdout: &mut dyn std::io::Write) -> anyhow::Result<()> {
    let files = simulate_into(cfg, out).with_context(|| format!("simulating {} round {}", cfg.map, cfg.round))?;
    for f in files {
        writeln!(stdout, "{}", f.display())?;
    }
    Ok(())
}

/// Runs the command.
pub fn run(args: &SimulateArgs, stdout: &mut dyn std::io::Write) -> anyhow::Result<()> {
    if args.demo {
        for (map, round, players, minutes, seed, start) in DEMO {
            let mut cfg = MatchConfig::new(map);
            (cfg.round, cfg.players, cfg.minutes, cfg.seed) = (round, players, minutes, seed);
            cfg.start_unix = parse_start(start)?;
            run_one(&cfg, &args.out, stdout)?;
        }
        return Ok(());
    }
    let mut cfg = MatchConfig::new(&args.map);
    (cfg.players, cfg.minutes, cfg.seed, cfg.round) = (args.players, args.minutes, args.seed, args.round);
    cfg.start_unix = parse_start(&args.start)?;
    cfg.public_format = args.public_format;
    if let Some(path) = &args.tracker {
        cfg.tracker_source = std::fs::read_to_string(path).with_context(|| format!("{}", path.display()))?;
    }
    if let Some(name) = &args.preset {
        let preset =
            Preset::named(name).with_context(|| format!("--preset {name:?}: expected high, balanced or low"))?;
        cfg.tracker_source = preset.apply(&cfg.tracker_source).map_err(anyhow::Error::msg)?;
    }
    run_one(&cfg, &args.out, stdout)
}
