//! `proxviz rounds <folder>`: one line per round found, with what went wrong loading it.

use std::io::Write;
use std::path::Path;

use proxviz_data::{DataError, Round};
use serde::Serialize;

use super::table::{Align, Table};

/// What the rounds listing shows of one round.
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
    pub players: usize,
    /// Kills of players.
    pub kills: usize,
    /// Round length, `mm:ss`.
    pub duration: String,
    /// Missing files plus skipped lines.
    pub problems: usize,
    /// Human-readable problem lines (missing files, first skipped lines, notes).
    pub problem_details: Vec<String>,
    /// The tracker format it was read from (`seed`, `proxviz`, `public v6`, ...).
    pub format: String,
}

impl RoundSummary {
    /// Summarises a loaded round.
    pub fn of(round: &Round) -> Self {
        let report = &round.report;
        let mut details: Vec<String> = report.missing.iter().map(|k| format!("missing {k} file")).collect();
        details.extend(report.skipped.iter().take(5).map(|s| format!("skipped {s}")));
        if report.skipped_total > 5 {
            details.push(format!("... {} skipped lines in all", report.skipped_total));
        }
        details.extend(report.notes.iter().cloned());
        Self {
            base: round.name.base.clone(),
            date: round.name.date.map(|d| d.to_string()),
            time: round.name.start_time.map(|t| t.to_string()),
            map: round.map().map(str::to_owned),
            round: round.round_number(),
            players: round.clientnums().len(),
            kills: round.player_kill_count(),
            duration: mm_ss(round.duration_ms()),
            problems: report.problem_count(),
            problem_details: details,
            format: round.format_label(),
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
    let summaries: Vec<RoundSummary> = super::load_all(&found).iter().map(RoundSummary::of).collect();
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
