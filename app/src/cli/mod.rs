//! The command line: `proxviz rounds <folder>` lists rounds, `proxviz stats <round-or-folder>`
//! prints their statistics, `proxviz simulate` plays a round through the simulated engine,
//! `proxviz import` and `proxviz db` store rounds in PostgreSQL and read them back,
//! `proxviz export` renders heatmap images without a window. Errors are printed once, with their context, and map to exit codes:
//! 0 success, 1 failure (missing folder, no rounds, unreadable files), 2 bad usage.

mod db;
pub mod export;
mod rounds;
mod simulate;
mod stats;
mod table;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use proxviz_data::{Round, RoundFiles};

/// Replay and heatmap viewer for ET:Legacy Proximity Tracker rounds. Without a command it
/// opens the replay window: on PATH (a gamestats folder or a round), or on the demo rounds.
#[derive(Debug, Parser)]
#[command(name = "proxviz", version, about, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// What to do (none: open the replay window).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// A gamestats folder, one of a round's files or a round's base path to open.
    pub path: Option<PathBuf>,
    /// Open a round stored in PostgreSQL, by id (see `proxviz db rounds`), instead of files.
    #[arg(long, conflicts_with = "path")]
    pub round_id: Option<i64>,
    /// Where the database is: opens File → Open from database… (with --round-id, that round);
    /// else DATABASE_URL, or the URL saved in the config dir (without its password), is used
    /// when the browser is opened.
    #[arg(long)]
    pub database_url: Option<String>,
    /// Follow the gamestats folder PATH while the server plays: each new round is listed and
    /// replayed as it is written (the replayed round is always followed as it grows).
    #[arg(long, requires = "path")]
    pub follow: bool,
    /// Compare the round shown with its stopwatch partner (the other round of the same map and
    /// session): its attackers as ghosts, who was faster to each objective (Layers → Stopwatch
    /// compare).
    #[arg(long)]
    pub compare: bool,
    /// Start the replay at this many seconds into the round.
    #[arg(long)]
    pub at: Option<f64>,
    /// Save a screenshot of the window to this PNG once the round is drawn, then quit.
    #[arg(long)]
    pub screenshot: Option<PathBuf>,
    /// Open with the kill heatmap shown, as grid cells or density.
    #[arg(long, value_enum)]
    pub heatmap: Option<export::ModeArg>,
    /// Open with the round's engagement markers shown.
    #[arg(long)]
    pub engagements: bool,
    /// A game folder (etmain/ or legacy/ of an ET:Legacy install) whose pk3s hold the maps'
    /// command-map images; repeatable. Also PROXVIZ_ETMAIN and the usual install folders.
    #[arg(long)]
    pub etmain: Vec<PathBuf>,
    /// The map under the replay to start with: the command map when found, else a silhouette
    /// of where players walked (auto), one of them only, or none.
    #[arg(long, value_enum, default_value_t = export::BackdropArg::Auto)]
    pub backdrop: export::BackdropArg,
    /// Performance probe: time this many frames of playback, write JSON to --perf-out, quit.
    #[arg(long, hide = true, requires = "perf_out")]
    pub perf_frames: Option<u32>,
    /// Where the probe writes its JSON.
    #[arg(long, hide = true)]
    pub perf_out: Option<PathBuf>,
    /// Probe an empty window of the same size instead (the baseline).
    #[arg(long, hide = true)]
    pub perf_empty: bool,
}

/// Sub-commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the rounds in a gamestats folder: date, time, map, round, players, kills, problems.
    Rounds {
        /// Folder holding the tracker's `<base>_<kind>.txt` files.
        folder: PathBuf,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Print the statistics of a round, or of every round in a folder.
    Stats {
        /// A folder, one of a round's files, or a round's base path (`gamestats/<base>`).
        #[arg(required_unless_present = "db")]
        path: Option<PathBuf>,
        /// Print JSON (an object for one round, an array for a folder).
        #[arg(long)]
        json: bool,
        /// A round from the database, by id (see `proxviz db rounds`), instead of files.
        #[arg(long, conflicts_with = "path")]
        db: Option<i64>,
        /// Where the database is (with --db).
        #[command(flatten)]
        database: db::DbArgs,
    },
    /// Import rounds (a folder, or one round) into PostgreSQL, one transaction per round.
    Import {
        /// A folder, one of a round's files, or a round's base path.
        path: PathBuf,
        /// Where the database is.
        #[command(flatten)]
        db: db::DbArgs,
        /// What to do with rounds already stored.
        #[command(flatten)]
        args: db::ImportArgs,
    },
    /// Read rounds and season aggregates from PostgreSQL.
    Db {
        /// What to read.
        #[command(subcommand)]
        command: db::DbCommand,
        /// Where the database is.
        #[command(flatten)]
        db: db::DbArgs,
    },
    /// Play a round through the simulated ET:Legacy engine running the tracker; writes its files.
    Simulate(simulate::SimulateArgs),
    /// Render heatmap images (PNG) of a round or of every round in a folder, without a window.
    Export(Box<export::ExportArgs>),
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    crate::viewer::perf::mark_process_start();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        // Output piped into `head` that stopped reading: not an error worth a message.
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs one parsed command, printing to standard output.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    run_to(cli, &mut std::io::stdout().lock())
}

/// Runs one parsed command, printing to `out`.
pub fn run_to(cli: Cli, out: &mut dyn std::io::Write) -> anyhow::Result<()> {
    let Some(command) = cli.command else {
        let open_browser = cli.database_url.is_some() && cli.round_id.is_none();
        let database_url = cli.database_url.or_else(|| std::env::var("DATABASE_URL").ok()).filter(|u| !u.is_empty());
        if cli.round_id.is_some() && database_url.is_none() {
            anyhow::bail!(
                "--round-id needs a database: pass --database-url postgres://user:password@host/db or set DATABASE_URL"
            );
        }
        return crate::viewer::run(crate::viewer::ViewerOptions {
            path: cli.path,
            follow: cli.follow,
            compare: cli.compare,
            at_secs: cli.at,
            screenshot: cli.screenshot,
            heat: crate::scene::model::heat::HeatSettings {
                show: cli.heatmap.is_some(),
                mode: match cli.heatmap {
                    Some(export::ModeArg::Kde) => crate::scene::model::heat::HeatMode::Kde,
                    _ => crate::scene::model::heat::HeatMode::Grid,
                },
                engagements: cli.engagements,
                engagements_whole_round: cli.engagements,
                ..Default::default()
            },
            perf: cli.perf_frames.zip(cli.perf_out).map(|(frames, out)| crate::viewer::perf::PerfOptions {
                frames,
                out,
                empty: cli.perf_empty,
            }),
            etmain: cli.etmain,
            backdrop: cli.backdrop.into(),
            database_url,
            round_id: cli.round_id,
            open_browser,
        });
    };
    match command {
        Command::Rounds { folder, json } => rounds::run(&folder, json, out),
        Command::Stats { path: Some(path), json, db: None, .. } => stats::run(&path, json, out),
        Command::Stats { json, db: Some(id), database, .. } => {
            stats::run_loaded(vec![db::load_round(id, &database)?], false, json, out)
        }
        Command::Stats { path: None, db: None, .. } => anyhow::bail!("give a round path or --db <id>"),
        Command::Import { path, db, args } => db::import(&path, &db, &args, out),
        Command::Db { command, db } => db::run(&command, &db, out),
        Command::Simulate(args) => simulate::run(&args, out),
        Command::Export(args) => export::run(&args, out),
    }
}

/// Writes `value` as pretty JSON and a newline (what `--json` prints).
pub fn print_json(out: &mut dyn std::io::Write, value: &impl serde::Serialize) -> anyhow::Result<()> {
    use anyhow::Context as _;
    serde_json::to_writer_pretty(&mut *out, value).context("writing JSON")?;
    writeln!(out)?;
    Ok(())
}

/// Reads rounds on all cores and hands what `work` makes of each to `each`, in order: a round
/// is dropped as soon as `work` is done with it, so memory stays that of a few rounds (and of
/// what `work` returns) whatever the folder's size.
pub fn for_each_round<T: Send>(
    rounds: &[RoundFiles],
    work: impl Fn(Round) -> T + Sync,
    mut each: impl FnMut(T) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let workers = proxviz_data::index::cores().min(rounds.len().max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let stop = std::sync::atomic::AtomicBool::new(false);
    let (tx, rx) = std::sync::mpsc::channel::<(usize, T)>();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let tx = tx.clone();
            let (next, stop, work) = (&next, &stop, &work);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if stop.load(std::sync::atomic::Ordering::Relaxed) {
                        break;
                    }
                    let Some(files) = rounds.get(i) else { break };
                    if tx.send((i, work(files.load()))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        // In order: what arrives early waits here (small: `work`'s results, not rounds).
        let mut pending = std::collections::BTreeMap::new();
        let mut due = 0;
        let mut result = Ok(());
        for (i, value) in rx {
            pending.insert(i, value);
            while let Some(value) = pending.remove(&due) {
                due += 1;
                if result.is_ok() {
                    result = each(value);
                    if result.is_err() {
                        stop.store(true, std::sync::atomic::Ordering::Relaxed);
                    }
                }
            }
        }
        result
    })
}

/// Loads rounds on all cores, keeping their order.
pub fn load_all(rounds: &[RoundFiles]) -> Vec<Round> {
    let workers = proxviz_data::index::cores().min(rounds.len().max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut loaded: Vec<Option<Round>> = vec![None; rounds.len()];
    let slots = std::sync::Mutex::new(&mut loaded);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(files) = rounds.get(i) else { break };
                    let round = files.load();
                    if let Ok(mut slots) = slots.lock() {
                        slots[i] = Some(round);
                    }
                }
            });
        }
    });
    loaded.into_iter().flatten().collect()
}
