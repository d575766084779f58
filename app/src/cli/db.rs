//! `proxviz import` and `proxviz db ...`: rounds into PostgreSQL, and reading them back.

use std::io::Write;

use anyhow::Context as _;
use chrono::NaiveDate;
use proxviz_data::heatmap::TeamSelection;
use proxviz_store::{HeatmapQuery, ImportOptions, RoundFilter, Store};

use super::table::{Align, Table};

/// Where the database is.
#[derive(Debug, Clone, clap::Args)]
pub struct DbArgs {
    /// PostgreSQL URL, e.g. postgres://et_bot:password@localhost/et_stats (or DATABASE_URL).
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, global = true)]
    pub database_url: Option<String>,
}

impl DbArgs {
    /// The URL given, or what to do.
    fn url(&self) -> anyhow::Result<&str> {
        self.database_url.as_deref().filter(|u| !u.is_empty()).ok_or_else(|| {
            anyhow::anyhow!(
                "no database given: pass --database-url postgres://user:password@host/db or set DATABASE_URL"
            )
        })
    }

    /// Connects for writing (adopting and migrating) on `rt`.
    fn connect(&self, rt: &tokio::runtime::Runtime) -> anyhow::Result<Store> {
        Ok(rt.block_on(Store::connect(self.url()?))?)
    }

    /// Connects for reading on `rt` (a read-only role will do).
    fn connect_read(&self, rt: &tokio::runtime::Runtime) -> anyhow::Result<Store> {
        Ok(rt.block_on(Store::connect_read(self.url()?))?)
    }
}

/// Which rounds.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct FilterArgs {
    /// First session date (YYYY-MM-DD).
    #[arg(long)]
    pub from: Option<NaiveDate>,
    /// Last session date (YYYY-MM-DD).
    #[arg(long)]
    pub to: Option<NaiveDate>,
    /// Map name.
    #[arg(long)]
    pub map: Option<String>,
    /// Round 1 or 2.
    #[arg(long = "round")]
    pub round_number: Option<i32>,
    /// A player who took part (part of the name without colour codes, any case).
    #[arg(long)]
    pub player: Option<String>,
}

impl FilterArgs {
    fn filter(&self) -> RoundFilter {
        RoundFilter {
            from: self.from,
            to: self.to,
            map: self.map.clone(),
            round_number: self.round_number,
            player: self.player.clone(),
        }
    }
}

/// How `proxviz import` treats rounds already stored.
#[derive(Debug, Clone, clap::Args)]
pub struct ImportArgs {
    /// Replace stored rounds even with files that hold less (a truncated or older copy).
    #[arg(long)]
    pub replace: bool,
    /// Seconds one round may take before it is abandoned and the run stops.
    #[arg(long, default_value_t = 120)]
    pub timeout: u64,
}

/// Killer team for heatmaps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TeamArg {
    /// Both teams.
    Both,
    /// Kills by Axis players.
    Axis,
    /// Kills by Allied players.
    Allies,
}

/// `proxviz db` sub-commands.
#[derive(Debug, clap::Subcommand)]
pub enum DbCommand {
    /// List the rounds in the database.
    Rounds {
        /// Which rounds.
        #[command(flatten)]
        filter: FilterArgs,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Kill heatmap of one map over many rounds, at any grid size.
    Heatmap {
        /// Map name.
        #[arg(long)]
        map: String,
        /// Cell size in units.
        #[arg(long, default_value_t = 512)]
        grid: u32,
        /// Killer's team.
        #[arg(long, value_enum, default_value_t = TeamArg::Both)]
        team: TeamArg,
        /// Only kills where this player killed or died.
        #[arg(long)]
        player: Option<String>,
        /// First session date.
        #[arg(long)]
        from: Option<NaiveDate>,
        /// Last session date.
        #[arg(long)]
        to: Option<NaiveDate>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Bring the schema up to date (adopting a database made with the seed's SQL) and give rows
    /// written by another importer rounds of their own.
    Migrate,
    /// Per-player totals over many rounds.
    Players {
        /// Which rounds.
        #[command(flatten)]
        filter: FilterArgs,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// A runtime for the database calls of one command.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting the async runtime")
}

/// `proxviz import <path>`.
pub fn import(path: &std::path::Path, db: &DbArgs, args: &ImportArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let found = proxviz_data::resolve_rounds(path)?;
    let rt = runtime()?;
    let store = db.connect(&rt)?;
    let bar = indicatif::ProgressBar::new(found.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} rounds  {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let options = ImportOptions { replace: args.replace, timeout: std::time::Duration::from_secs(args.timeout.max(1)) };
    let mut started = 0;
    let run = rt.block_on(store.import_files(&found, &options, |base| {
        if started > 0 {
            bar.inc(1);
        }
        started += 1;
        bar.set_message(base.to_owned());
    }));
    bar.finish_and_clear();
    writeln!(
        out,
        "{} imported, {} replaced, {} unchanged, {} kept, {} failed",
        run.imported,
        run.replaced,
        run.unchanged,
        run.kept.len(),
        run.failed.len()
    )?;
    for (base, note) in &run.notes {
        eprintln!("note: round {base}: {note}");
    }
    for (base, stored, offered) in &run.kept {
        eprintln!(
            "warning: round {base}: the stored copy holds more ({stored}) than these files ({offered}); kept it \
             (--replace to overwrite)"
        );
    }
    for e in &run.failed {
        eprintln!("error: {e}");
    }
    if let Some((e, not_tried)) = &run.stopped {
        anyhow::bail!("{e}; stopped, {not_tried} rounds not tried");
    }
    if !run.failed.is_empty() {
        anyhow::bail!("{} of {} rounds could not be imported", run.failed.len(), found.len());
    }
    Ok(())
}

/// `proxviz db ...`.
pub fn run(command: &DbCommand, db: &DbArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let rt = runtime()?;
    if let DbCommand::Migrate = command {
        let store = db.connect(&rt)?;
        let attached = rt.block_on(store.attach_seed_rows())?;
        writeln!(out, "schema at version {} at {}", proxviz_store::newest_migration(), store.shown_url())?;
        if attached > 0 {
            writeln!(out, "{attached} rounds made for rows written by another importer")?;
        }
        return Ok(());
    }
    let store = db.connect_read(&rt)?;
    match command {
        DbCommand::Migrate => {}
        DbCommand::Rounds { filter, json } => {
            let rounds = rt.block_on(store.list_rounds(&filter.filter()))?;
            if *json {
                return super::print_json(out, &rounds);
            }
            let mut t = Table::new(&[
                ("id", Align::Right),
                ("date", Align::Left),
                ("time", Align::Left),
                ("map", Align::Left),
                ("round", Align::Right),
                ("length", Align::Right),
                ("players", Align::Right),
                ("kills", Align::Right),
                ("problems", Align::Right),
            ]);
            for r in &rounds {
                t.row(r.cells().into());
            }
            t.write(out)?;
            writeln!(out, "{} rounds", rounds.len())?;
        }
        DbCommand::Heatmap { map, grid, team, player, from, to, json } => {
            let q = HeatmapQuery {
                map: map.clone(),
                grid_size_units: *grid,
                team: match team {
                    TeamArg::Both => TeamSelection::Both,
                    TeamArg::Axis => TeamSelection::Axis,
                    TeamArg::Allies => TeamSelection::Allies,
                },
                player: player.clone(),
                from: *from,
                to: *to,
            };
            let mut cells = rt.block_on(store.kill_heatmap(&q))?;
            cells.sort_by(|a, b| {
                b.total_kills().cmp(&a.total_kills()).then((a.grid_x, a.grid_y).cmp(&(b.grid_x, b.grid_y)))
            });
            if *json {
                return super::print_json(out, &cells);
            }
            let mut t = Table::new(&[
                ("grid_x", Align::Right),
                ("grid_y", Align::Right),
                ("axis_kills", Align::Right),
                ("allies_kills", Align::Right),
                ("total", Align::Right),
            ]);
            for c in &cells {
                t.row(vec![
                    c.grid_x.to_string(),
                    c.grid_y.to_string(),
                    c.axis_kills.to_string(),
                    c.allies_kills.to_string(),
                    c.total_kills().to_string(),
                ]);
            }
            t.write(out)?;
            let total: u32 = cells.iter().map(|c| c.total_kills()).sum();
            writeln!(out, "{total} kills in {} cells of {grid} units on {map}", cells.len())?;
        }
        DbCommand::Players { filter, json } => {
            let totals = rt.block_on(store.player_totals(&filter.filter()))?;
            if *json {
                return super::print_json(out, &totals);
            }
            let mut t = Table::new(&[
                ("player", Align::Left),
                ("rounds", Align::Right),
                ("kills", Align::Right),
                ("deaths", Align::Right),
                ("dmg given", Align::Right),
                ("dmg taken", Align::Right),
                ("shots", Align::Right),
                ("hits", Align::Right),
                ("acc", Align::Right),
            ]);
            for p in &totals {
                t.row(vec![
                    p.name.clone(),
                    p.rounds.to_string(),
                    p.kills.to_string(),
                    p.deaths.to_string(),
                    p.damage_given.to_string(),
                    p.damage_taken.to_string(),
                    p.shots.to_string(),
                    p.hits.to_string(),
                    p.accuracy.map_or_else(|| "-".into(), |a| format!("{:.0}%", a * 100.0)),
                ]);
            }
            t.write(out)?;
        }
    }
    Ok(())
}

/// Loads round `id` from the database for `proxviz stats --db`.
pub fn load_round(id: i64, db: &DbArgs) -> anyhow::Result<proxviz_data::Round> {
    let rt = runtime()?;
    let store = db.connect_read(&rt)?;
    Ok(rt.block_on(store.load_round(id))?)
}
