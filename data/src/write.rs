//! Writes a [`Round`] as the four files of docs/round-format.md (the superset format: metadata,
//! roster, every extension column). The parser reads back exactly what this writes; the tracker
//! tests, the fixtures and the benchmarks use it.

use std::fmt::{self, Write as _};
use std::io;
use std::path::{Path, PathBuf};

use crate::model::{CombatEvent, Engagement, HeatmapCell, Metadata, Player, Round};
use crate::name::FileKind;
use crate::text::field_safe;

/// The format version this writer produces.
pub const FORMAT_VERSION: u32 = 2;

/// Column header comment of each file (after the `# `).
pub fn column_header(kind: FileKind) -> &'static str {
    match kind {
        FileKind::Positions => "clientnum\ttime\tx\ty\tz\tyaw\tpitch\tspeed\tmoving\tteam\thealth",
        FileKind::Combat => {
            "time\ttype\tattacker\ttarget\tdistance\tnearby_allies\tnearby_enemies\tdamage\tweapon\tmod\tattacker_x\tattacker_y\tattacker_z\ttarget_x\ttarget_y\ttarget_z"
        }
        FileKind::Engagements => {
            "engagement_type\tdistance\tkiller_name\tvictim_name\ttime\tkiller\tvictim\tvictim_x\tvictim_y\tvictim_z\tattacker_backup\ttarget_backup"
        }
        FileKind::Heatmap => "grid_x\tgrid_y\taxis_kills\tallies_kills",
    }
}

/// `-` for unknown, else the value.
struct Opt<T>(Option<T>);

impl<T: fmt::Display> fmt::Display for Opt<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(v) => v.fmt(f),
            None => f.write_str("-"),
        }
    }
}

/// Three tab-separated floats, or three dashes.
struct OptVec3(Option<glam::Vec3>);

impl fmt::Display for OptVec3 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(v) => write!(f, "{}\t{}\t{}", v.x, v.y, v.z),
            None => f.write_str("-\t-\t-"),
        }
    }
}

/// Writes the header block: title, metadata, roster, column names.
pub fn write_header(out: &mut String, kind: FileKind, meta: &Metadata, players: &[Player]) -> fmt::Result {
    writeln!(out, "# PROXIMITY_TRACKER {kind}")?;
    // What this writer produces is format 2, whatever the round was read from.
    writeln!(out, "# format={FORMAT_VERSION}")?;
    if let Some(v) = &meta.tracker_version {
        writeln!(out, "# tracker={}", field_safe(v))?;
    }
    if let Some(v) = &meta.map {
        writeln!(out, "# map={}", field_safe(v))?;
    }
    if let Some(v) = meta.round_number {
        writeln!(out, "# round={v}")?;
    }
    if let Some(v) = meta.grid_size_units {
        writeln!(out, "# grid_size={v}")?;
    }
    if let Some(v) = meta.round_start_unix {
        writeln!(out, "# round_start_unix={v}")?;
    }
    for (k, v) in &meta.extra {
        writeln!(out, "# {k}={}", field_safe(v))?;
    }
    for p in players {
        let team = Opt(p.team.map(|t| t.name()));
        writeln!(out, "# player\t{}\t{team}\t{}", p.clientnum, field_safe(&p.name))?;
    }
    writeln!(out, "# {}", column_header(kind))
}

fn combat_line(out: &mut String, e: &CombatEvent) -> fmt::Result {
    let target = match e.target {
        Some(t) => t.to_string(),
        None => "NONE".to_owned(),
    };
    writeln!(
        out,
        "{}\t{}\t{}\t{target}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
        e.time_ms,
        e.kind.as_str(),
        e.attacker,
        e.distance,
        e.nearby_allies,
        e.nearby_enemies,
        e.damage,
        Opt(e.weapon),
        Opt(e.mod_id),
        OptVec3(e.attacker_pos),
        OptVec3(e.target_pos),
    )
}

fn engagement_line(out: &mut String, e: &Engagement) -> fmt::Result {
    writeln!(
        out,
        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
        e.kind,
        e.distance,
        field_safe(&e.killer_name),
        field_safe(&e.victim_name),
        Opt(e.time_ms),
        Opt(e.killer),
        Opt(e.victim),
        OptVec3(e.victim_pos),
        Opt(e.attacker_backup),
        Opt(e.target_backup),
    )
}

fn heatmap_line(out: &mut String, c: &HeatmapCell) -> fmt::Result {
    writeln!(out, "{}\t{}\t{}\t{}", c.grid_x, c.grid_y, c.axis_kills, c.allies_kills)
}

/// Positions in time order, clients in slot order within one time, as the tracker writes them.
fn position_lines(out: &mut String, round: &Round) -> fmt::Result {
    let mut rows: Vec<(u32, u16, usize)> = Vec::with_capacity(round.position_count());
    for (t, track) in round.tracks.iter().enumerate() {
        rows.extend(track.samples.iter().enumerate().map(|(i, s)| (s.time_ms, track.clientnum, t << 32 | i)));
    }
    rows.sort_unstable();
    for (_, cn, at) in rows {
        let s = &round.tracks[at >> 32].samples[at & 0xFFFF_FFFF];
        writeln!(
            out,
            "{cn}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            s.time_ms,
            s.pos.x,
            s.pos.y,
            s.pos.z,
            s.yaw_deg,
            s.pitch_deg,
            s.speed_ups,
            u8::from(s.moving),
            Opt(s.team.map(|t| t.number())),
            Opt(s.health),
        )?;
    }
    Ok(())
}

/// The full text of one file of the round.
pub fn file_text(round: &Round, kind: FileKind) -> String {
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = write_body(&mut out, round, kind);
    out
}

fn write_body(out: &mut String, round: &Round, kind: FileKind) -> fmt::Result {
    write_header(out, kind, &round.meta, &round.players)?;
    match kind {
        FileKind::Positions => position_lines(out, round),
        FileKind::Combat => round.combat.iter().try_for_each(|e| combat_line(out, e)),
        FileKind::Engagements => round.engagements.iter().try_for_each(|e| engagement_line(out, e)),
        FileKind::Heatmap => round.heatmap.iter().try_for_each(|c| heatmap_line(out, c)),
    }
}

/// Writes the four files of `round` into `dir` as `<round.name.base>_<kind>.txt` and returns
/// their paths in the order of [`FileKind::ALL`].
pub fn write_round(round: &Round, dir: &Path) -> io::Result<[PathBuf; 4]> {
    std::fs::create_dir_all(dir)?;
    let paths = FileKind::ALL.map(|kind| dir.join(kind.file_name(&round.name.base)));
    for (kind, path) in FileKind::ALL.into_iter().zip(&paths) {
        std::fs::write(path, file_text(round, kind))
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    }
    Ok(paths)
}
