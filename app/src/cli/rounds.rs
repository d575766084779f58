//! `proxviz rounds <folder>`: one line per round found, with what went wrong loading it.

use std::io::Write;
use std::path::Path;

use std::sync::atomic::AtomicBool;

use proxviz_data::DataError;
use proxviz_data::index::{IndexCache, cores, index_rounds};
use serde::Serialize;

use super::table::{Align, Table};

/// What the rounds listing shows of one round (JSON output).
#[derive(Debug, Serialize)]
pub struct RoundSummary {
    /// Base name of the files.
    pub base: String,
    /// Session date, `YYYY-MM-DD`.
    pub date: Option<String>,
    /// Start time, `HH:MM:SS`.
    pub time: Option<String>,
    /// Map.
    pub map: Option<String>,
    /// 1-based round number.
    pub round: Option<u32>,
    /// Players seen.
    pub players: u32,
    /// Kills of players.
    pub kills: u32,
    /// Round length, `mm:ss`.
    pub duration: String,
    /// Missing files plus skipped lines.
    pub problems: u32,
    /// Human-readable problem lines (missing files, first skipped lines, notes).
    pub problem_details: Vec<String>,
    /// The tracker format it was read from (`seed`, `proxviz`, `public v6`, ...).
    pub format: String,
}

impl RoundSummary {
    /// The listing of an indexed round.
    pub fn of(s: proxviz_data::index::RoundSummary) -> Self {
        Self {
            date: s.date.map(|d| d.to_string()),
            time: s.time.map(|t| t.to_string()),
            duration: mm_ss(s.duration_ms),
            base: s.base,
            map: s.map,
            round: s.round,
            players: s.players,
            kills: s.kills,
            problems: s.problems,
            problem_details: s.problem_details,
            format: s.format,
        }
    }
}

pub use crate::scene::model::clock::mm_ss;

/// Runs the command.
pub fn run(folder: &Path, json: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    let found = proxviz_data::discover_rounds(folder)?;
    if found.is_empty() {
        return Err(DataError::NoRounds { path: folder.to_path_buf() }.into());
    }
    // Each round read once on every core, then kept in the round index: a second listing of
    // the same folder reads only what changed.
    let mut cache = IndexCache::open(crate::scene::dirs::cache_dir().as_deref(), folder);
    let mut indexed: Vec<Option<proxviz_data::index::RoundSummary>> = vec![None; found.len()];
    let stop = AtomicBool::new(false);
    index_rounds(&found, &mut cache, cores(), &stop, |i, s| indexed[i] = Some(s));
    cache.save(folder);
    for note in &cache.notes {
        eprintln!("note: {note}");
    }
    let summaries: Vec<RoundSummary> = indexed.into_iter().flatten().map(RoundSummary::of).collect();
    if json {
        return super::print_json(out, &summaries);
    }
    let mut table = Table::new(&[
        ("date", Align::Left),
        ("time", Align::Left),
        ("map", Align::Left),
        ("round", Align::Right),
        ("length", Align::Right),
        ("players", Align::Right),
        ("kills", Align::Right),
        ("problems", Align::Right),
        ("format", Align::Left),
    ]);
    let dash = || "-".to_owned();
    for s in &summaries {
        table.row(vec![
            s.date.clone().unwrap_or_else(dash),
            s.time.clone().unwrap_or_else(dash),
            s.map.clone().unwrap_or_else(dash),
            s.round.map_or_else(dash, |r| r.to_string()),
            s.duration.clone(),
            s.players.to_string(),
            s.kills.to_string(),
            if s.problems == 0 { dash() } else { s.problems.to_string() },
            s.format.clone(),
        ]);
    }
    table.write(out)?;
    writeln!(out, "{} rounds in {}", summaries.len(), folder.display())?;
    for s in summaries.iter().filter(|s| !s.problem_details.is_empty()) {
        writeln!(out, "\n{}:", s.base)?;
        for line in &s.problem_details {
            writeln!(out, "  {line}")?;
        }
    }
    Ok(())
}
