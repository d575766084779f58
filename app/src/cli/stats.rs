//! `proxviz stats <round-or-folder>`: the round statistics, as text or JSON.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use proxviz_data::stats::PlayerStats;
use proxviz_data::{Round, Statistics, StatsConfig, Timeline, statistics};
use serde::Serialize;

use super::rounds::mm_ss;
use super::table::{Align, Table};

/// One round's statistics as printed in JSON.
#[derive(Debug, Serialize)]
pub struct RoundStats<'a> {
    /// Which round.
    pub round: RoundId<'a>,
    /// The seed's keys plus per-player statistics.
    pub statistics: Statistics,
    /// What went wrong loading it.
    pub report: &'a proxviz_data::LoadReport,
}

/// How a round is named in JSON output.
#[derive(Debug, Serialize)]
pub struct RoundId<'a> {
    /// Base name.
    pub base: &'a str,
    /// Date.
    pub date: Option<String>,
    /// Start time.
    pub time: Option<String>,
    /// Map.
    pub map: Option<&'a str>,
    /// 1-based round number.
    pub round: Option<u32>,
    /// Length in ms.
    pub duration_ms: u32,
}

fn id(round: &Round) -> RoundId<'_> {
    RoundId {
        base: &round.name.base,
        date: round.name.date.map(|d| d.to_string()),
        time: round.name.start_time.map(|t| t.to_string()),
        map: round.map(),
        round: round.round_number(),
        duration_ms: round.duration_ms(),
    }
}

/// Runs the command on files: round by round on every core, each printed as soon as it and
/// the rounds before it are done (a folder of any size is never held in memory).
pub fn run(path: &Path, json: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    let found = proxviz_data::resolve_rounds(path)?;
    let as_list = path.is_dir();
    let render = |round: Round| -> anyhow::Result<String> {
        let cfg = StatsConfig::for_round(&round);
        let timeline = Timeline::new(Arc::new(round));
        let stats = statistics(&timeline, &cfg);
        let round = timeline.round();
        let mut text = Vec::new();
        if json {
            let item = RoundStats { round: id(round), statistics: stats, report: &round.report };
            serde_json::to_writer_pretty(&mut text, &item)?;
        } else {
            write_text(round, &stats, &mut text)?;
        }
        Ok(String::from_utf8(text)?)
    };
    let mut first = true;
    if json && as_list {
        write!(out, "[")?;
    }
    super::for_each_round(&found, render, |text| {
        let text = text?;
        if json && as_list {
            // Items of a pretty-printed array: indented by two.
            let indented: Vec<String> = text.lines().map(|l| format!("  {l}")).collect();
            write!(out, "{}\n{}", if first { "" } else { "," }, indented.join("\n"))?;
        } else {
            if !first {
                writeln!(out)?;
            }
            write!(out, "{text}")?;
            if json {
                writeln!(out)?;
            }
        }
        first = false;
        Ok(())
    })?;
    if json && as_list {
        writeln!(out, "{}]", if first { "" } else { "\n" })?;
    }
    Ok(())
}

/// Prints the statistics of loaded rounds; JSON is an array when `as_list`, else one object.
pub fn run_loaded(rounds: Vec<Round>, as_list: bool, json: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    let computed: Vec<(Timeline, Statistics)> = rounds
        .into_iter()
        .map(|round| {
            let cfg = StatsConfig::for_round(&round);
            let timeline = Timeline::new(Arc::new(round));
            let stats = statistics(&timeline, &cfg);
            (timeline, stats)
        })
        .collect();
    if json {
        let items: Vec<RoundStats<'_>> = computed
            .iter()
            .map(|(timeline, stats)| {
                let round = timeline.round();
                RoundStats { round: id(round), statistics: stats.clone(), report: &round.report }
            })
            .collect();
        return match items.first() {
            Some(first) if !as_list => super::print_json(out, first),
            _ => super::print_json(out, &items),
        };
    }
    for (i, (timeline, stats)) in computed.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        write_text(timeline.round(), stats, out)?;
    }
    Ok(())
}

fn counts<V: std::fmt::Display>(map: &std::collections::BTreeMap<String, V>) -> String {
    if map.is_empty() {
        return "-".to_owned();
    }
    map.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ")
}

fn write_text(round: &Round, s: &Statistics, out: &mut dyn Write) -> anyhow::Result<()> {
    let dash = || "-".to_owned();
    writeln!(
        out,
        "{} {}  {}  round {}  ({} players, {})",
        round.name.date.map_or_else(dash, |d| d.to_string()),
        round.name.start_time.map_or_else(dash, |t| t.to_string()),
        round.map().unwrap_or("unknown map"),
        round.round_number().map_or_else(dash, |r| r.to_string()),
        s.players.len(),
        mm_ss(round.duration_ms()),
    )?;
    writeln!(out, "  {}", round.name.base)?;
    writeln!(
        out,
        "  positions {} · combat events {} · engagements {} · heatmap cells {}",
        s.total_positions, s.total_combat_events, s.total_engagements, s.total_heatmap_cells
    )?;
    writeln!(out, "  combat by type: {}", counts(&s.combat_by_type))?;
    writeln!(out, "  engagement types: {}", counts(&s.engagement_type_count))?;
    writeln!(out, "  average engagement distance: {:.1} units", s.average_engagement_distance)?;
    let hotspots: Vec<String> = s
        .hotspots
        .iter()
        .map(|h| format!("{} {} ({} axis / {} allies)", h.grid, h.total_kills, h.axis_kills, h.allies_kills))
        .collect();
    writeln!(out, "  hotspots: {}", if hotspots.is_empty() { "none".to_owned() } else { hotspots.join(", ") })?;
    writeln!(out)?;
    player_table(&s.players).write(out)?;
    if !round.report.is_clean() {
        writeln!(out, "\nload report:")?;
        for line in round.report.to_string().lines() {
            writeln!(out, "  {line}")?;
        }
    }
    Ok(())
}

fn player_table(players: &[PlayerStats]) -> Table {
    let mut table = Table::new(&[
        ("#", Align::Right),
        ("player", Align::Left),
        ("team", Align::Left),
        ("kills", Align::Right),
        ("deaths", Align::Right),
        ("dmg given", Align::Right),
        ("dmg taken", Align::Right),
        ("shots", Align::Right),
        ("hits", Align::Right),
        ("acc", Align::Right),
        ("distance", Align::Right),
        ("still", Align::Right),
        ("engagements won", Align::Left),
    ]);
    for p in players {
        table.row(vec![
            p.clientnum.to_string(),
            p.name.clone(),
            p.team.map_or_else(|| "-".to_owned(), |t| t.name().to_lowercase()),
            p.kills.to_string(),
            p.deaths.to_string(),
            p.damage_given.to_string(),
            p.damage_taken.to_string(),
            p.shots.to_string(),
            p.hits.to_string(),
            p.accuracy.map_or_else(|| "-".to_owned(), |a| format!("{:.0}%", a * 100.0)),
            format!("{:.0}", p.distance_travelled_units),
            mm_ss(u32::try_from(p.time_stationary_ms).unwrap_or(u32::MAX)),
            counts(&p.engagements_as_killer),
        ]);
    }
    table
}
