//! The current public tracker's single-file format (versions 4.0 – 6.11): one
//! `<base>_engagements.txt` per round that starts with `# PROXIMITY_TRACKER_V4`, `_V5` or `_V6`,
//! then `# key=value` header lines and sections (`# NAME`, a `# col;col;...` line naming the
//! columns, rows of `;`-separated fields). Columns are found by name (versions appended them).
//! Mapped onto the same [`Round`] as the seed's four files:
//!
//! - players: one client slot per guid in order of appearance, names (colour codes kept) and
//!   teams from tracks and kills;
//! - positions: PLAYER_TRACKS, one row per life (a gap between lives is a death and a respawn),
//!   with health; the format has no view angles: a sample faces where the player shot
//!   (SHOT_FIRED) within one sample interval, else where they moved;
//! - kills with both positions, weapon and means of death from COMBAT_POSITIONS (else from
//!   ENGAGEMENTS that ended `killed`), hits from HIT_REGIONS, shots from SHOT_FIRED;
//! - an engagement per kill, typed by how many attacked the victim (`2v1`: two attackers);
//! - the kill grid from KILL_HEATMAP (512-unit cells);
//! - revives (REVIVES) and objective events (CONSTRUCTION_EVENTS, CARRIER_EVENTS, CARRIER_KILLS,
//!   CARRIER_RETURNS) as [`RoundEvent`]s.
//!
//! What the format does not carry is said in the load report.

use std::collections::HashMap;

use glam::Vec3;

use super::{FileInput, for_each_line};
use crate::events::{EventKind, RoundEvent};
use crate::model::{
    CombatEvent, CombatKind, Engagement, EngagementType, HeatmapCell, MAX_CLIENTS, Metadata, Player, PlayerTrack,
    PositionSample, Round, Team, WORLD_CLIENTNUM,
};
use crate::name::RoundName;
use crate::report::LoadReport;
use crate::text::field_safe;
use events::{carrier_kill_row, carrier_return_row, carry_row, construction_row, finish_events, revive_row};

mod events;

/// The version of the current public tracker's format a file is in, from its first line.
pub fn version_of(bytes: &[u8]) -> Option<u32> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let line = bytes.split(|&b| b == b'\n').next()?;
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let v = line.strip_prefix(b"# PROXIMITY_TRACKER_V")?;
    let digits: Vec<u8> = v.iter().copied().take_while(u8::is_ascii_digit).collect();
    std::str::from_utf8(&digits).ok()?.parse().ok().filter(|&n| (4..=6).contains(&n))
}

/// The most fields an ENGAGEMENTS row is split into (its last field holds `;`).
const ENGAGEMENT_FIELDS: usize = 24;

/// A section being read: its name and the index of each column.
struct Section {
    name: String,
    columns: Option<HashMap<String, usize>>,
}

/// One data row with its section's columns.
struct Row<'a> {
    fields: Vec<&'a str>,
    columns: &'a HashMap<String, usize>,
}

impl<'a> Row<'a> {
    fn get(&self, name: &str) -> Option<&'a str> {
        self.columns.get(name).and_then(|&i| self.fields.get(i).copied()).filter(|v| !v.is_empty())
    }

    fn need(&self, name: &str) -> Result<&'a str, String> {
        self.get(name).ok_or_else(|| format!("no {name}"))
    }

    fn num<T: std::str::FromStr>(&self, name: &str) -> Result<T, String> {
        let v = self.need(name)?;
        v.trim().parse().map_err(|_| format!("{name}: {v:?} is not a number"))
    }

    fn opt_num<T: std::str::FromStr>(&self, name: &str) -> Option<T> {
        self.get(name).and_then(|v| v.trim().parse().ok())
    }

    /// A float that is a number (`inf`, `nan` and numbers past f32 are not).
    fn opt_f32(&self, name: &str) -> Option<f32> {
        self.opt_num::<f32>(name).filter(|v| v.is_finite())
    }

    fn vec3(&self, x: &str, y: &str, z: &str) -> Option<Vec3> {
        Some(Vec3::new(self.opt_f32(x)?, self.opt_f32(y)?, self.opt_f32(z)?))
    }
}

fn team(s: &str) -> Option<Team> {
    match s {
        "AXIS" => Some(Team::Axis),
        "ALLIES" => Some(Team::Allies),
        "SPEC" => Some(Team::Spectator),
        _ => None,
    }
}

/// Client slots by guid, in order of appearance.
#[derive(Default)]
struct Clients {
    slots: HashMap<String, u16>,
    players: Vec<Player>,
    overflow: usize,
}

impl Clients {
    /// The slot of `guid` (a new one when first seen); world attackers are the world.
    fn slot(&mut self, guid: &str, name: Option<&str>, team_name: Option<&str>) -> Option<u16> {
        if guid.starts_with("WORLD") {
            return Some(WORLD_CLIENTNUM);
        }
        let slot = match self.slots.get(guid) {
            Some(&s) => s,
            None => {
                let s = u16::try_from(self.players.len()).ok().filter(|&s| s < MAX_CLIENTS);
                let Some(s) = s else {
                    self.overflow += 1;
                    return None;
                };
                self.slots.insert(guid.to_owned(), s);
                self.players.push(Player { clientnum: s, team: None, name: String::new() });
                s
            }
        };
        let p = &mut self.players[usize::from(slot)];
        if let Some(n) = name.filter(|n| !n.is_empty()) {
            // Our files separate columns by tabs: a name keeps none (nor line ends).
            p.name = field_safe(n).into_owned();
        }
        if let Some(t) = team_name.and_then(team).filter(|t| matches!(t, Team::Axis | Team::Allies)) {
            p.team = Some(t);
        }
        Some(slot)
    }
}

/// A shot: when, where the shooter looked.
#[derive(Clone, Copy)]
struct Shot {
    time_ms: u32,
    yaw: f32,
    pitch: f32,
}

/// Parses a file of the current public tracker's format.
pub fn parse_upstream(name: RoundName, file: FileInput<'_>, version: u32) -> Round {
    let mut report = LoadReport::default();
    let mut meta = Metadata { format_version: Some(version), ..Metadata::default() };
    let text = String::from_utf8_lossy(file.bytes);
    let mut section: Option<Section> = None;
    let mut clients = Clients::default();
    let mut lives: Vec<(u16, Vec<PositionSample>)> = Vec::new();
    let mut combat: Vec<CombatEvent> = Vec::new();
    let mut kills_from_engagements: Vec<CombatEvent> = Vec::new();
    let mut engagements: Vec<(u32, Engagement)> = Vec::new();
    let mut heatmap = Vec::new();
    let mut events: Vec<RoundEvent> = Vec::new();
    let mut shots: HashMap<u16, Vec<Shot>> = HashMap::new();
    let mut sections_seen: Vec<String> = Vec::new();
    let label = file.label;
    for_each_line(text.as_bytes(), |line_number, line, unterminated| {
        let line = std::str::from_utf8(line).unwrap_or_default();
        if let Some(rest) = line.strip_prefix('#') {
            let rest = rest.trim();
            if rest.starts_with("PROXIMITY_TRACKER_V") {
                return;
            }
            let is_section = !rest.is_empty()
                && rest.bytes().next().is_some_and(|b| b.is_ascii_uppercase())
                && rest.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
            if is_section {
                sections_seen.push(rest.to_owned());
                section = Some(Section { name: rest.to_owned(), columns: None });
            } else if let Some(s) = section.as_mut().filter(|s| s.columns.is_none() && rest.contains(';')) {
                s.columns = Some(rest.split(';').enumerate().map(|(i, c)| (c.trim().to_owned(), i)).collect());
            } else if section.is_none()
                && let Some((k, v)) = rest.split_once('=')
                && !k.trim().is_empty()
                && k.trim().bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            {
                header(&mut meta, &k.trim().to_ascii_lowercase(), v.trim());
            }
            return;
        }
        let Some(Section { name: sec, columns: Some(columns) }) = section.as_ref() else {
            report.skip(label, line_number, "a data row outside a section with named columns");
            return;
        };
        let limit = if sec == "ENGAGEMENTS" { ENGAGEMENT_FIELDS } else { usize::MAX };
        let row = Row { fields: line.splitn(limit, ';').collect(), columns };
        if unterminated && row.fields.len() < columns.len() {
            report.note(label, format!("line {line_number}: last line is cut short (file ends mid-line); ignored"));
            return;
        }
        let result = match sec.as_str() {
            "PLAYER_TRACKS" => track_row(&row, &mut clients).map(|life| lives.extend(life)),
            "COMBAT_POSITIONS" => kill_row(&row, &mut clients).map(|k| combat.extend(k)),
            "HIT_REGIONS" => hit_row(&row, &mut clients).map(|h| combat.extend(h)),
            "SHOT_FIRED" => shot_row(&row, &mut clients).map(|s| {
                if let Some((event, shot)) = s {
                    if event.attacker < MAX_CLIENTS {
                        shots.entry(event.attacker).or_default().push(shot);
                    }
                    combat.push(event);
                }
            }),
            "ENGAGEMENTS" => engagement_row(&row, &mut clients).map(|e| {
                if let Some((kill, engagement)) = e {
                    engagements.push((kill.time_ms, engagement));
                    kills_from_engagements.push(kill);
                }
            }),
            "KILL_HEATMAP" => heatmap_row(&row).map(|c| heatmap.push(c)),
            "REVIVES" => revive_row(&row, &mut clients).map(|e| events.push(e)),
            "CONSTRUCTION_EVENTS" => construction_row(&row, &mut clients).map(|e| events.extend(e)),
            "CARRIER_EVENTS" => carry_row(&row, &mut clients).map(|e| events.extend(e)),
            "CARRIER_KILLS" => carrier_kill_row(&row, &mut clients).map(|e| events.push(e)),
            "CARRIER_RETURNS" => carrier_return_row(&row, &mut clients).map(|e| events.push(e)),
            _ => Ok(()),
        };
        match result {
            Ok(()) => {}
            Err(_) if unterminated => {
                report.note(label, format!("line {line_number}: last line is cut short (file ends mid-line); ignored"));
            }
            Err(reason) => report.skip(label, line_number, format!("{sec}: {reason}")),
        }
    });

    // Kills: COMBAT_POSITIONS when the file has it (5.2+), else the engagements that ended in one.
    let has_kill_rows = sections_seen.iter().any(|s| s == "COMBAT_POSITIONS");
    if !has_kill_rows {
        combat.extend(kills_from_engagements);
        report.note(label, "no COMBAT_POSITIONS (before 5.2): kills from ENGAGEMENTS, killer positions unknown");
    }
    combat.sort_by_key(|e| e.time_ms);
    let tracks = finish_lives(lives, &shots, &mut report, label);
    let mut engagements: Vec<(u32, Engagement)> = engagements;
    engagements.sort_by_key(|(t, _)| *t);
    // An engagement's distance is the killer's to the victim at the kill, when the kill says.
    let mut engagements: Vec<Engagement> = engagements.into_iter().map(|(_, e)| e).collect();
    let kill_distance: HashMap<(u32, u16), f32> = combat
        .iter()
        .filter(|k| k.kind == CombatKind::Kill && k.distance > 0.0)
        .map(|k| ((k.time_ms, k.attacker), k.distance))
        .collect();
    for e in &mut engagements {
        if let Some(&d) = e.time_ms.zip(e.killer).and_then(|key| kill_distance.get(&key)) {
            e.distance = d;
        }
    }
    if clients.overflow > 0 {
        report.note(label, format!("{} rows of players beyond 64 left out", clients.overflow));
    }
    if !sections_seen.iter().any(|s| s == "SHOT_FIRED") {
        report.note(label, "no SHOT_FIRED (before 6.02): no shots, and players face where they move");
    }
    report.note(
        label,
        format!("current public tracker format v{version}: no view angles (players face where they shoot or move)"),
    );
    meta.grid_size_units.get_or_insert(512);
    let events = finish_events(events, &clients.players);
    let mut round =
        Round { name, meta, players: clients.players, tracks, combat, engagements, heatmap, events, report };
    times_from_round_start(&mut round, label);
    note_untracked_revives(&mut round, label);
    round
}

/// Builds before June 2026 counted times from map load, so they include the warmup. Such a file
/// is told by its times running past the round's length (`round_end_unix - round_start_unix`,
/// whole seconds); every time is then moved back by the first spawn's (every player spawns when
/// the round goes live). Files without `round_end_unix` (before 4.2) cannot tell and stay as
/// they are.
fn times_from_round_start(round: &mut Round, label: &str) {
    let end_unix: Option<i64> = round.meta.extra.get("round_end_unix").and_then(|v| v.parse().ok());
    let Some(live_ms) =
        round.meta.round_start_unix.zip(end_unix).and_then(|(a, b)| b.checked_sub(a)).map(|s| s.saturating_mul(1000))
    else {
        return;
    };
    let last = i64::from(round.duration_ms());
    let first_spawn = round.tracks.iter().filter_map(|t| t.samples.first()).map(|s| s.time_ms).min();
    let Some(offset) = first_spawn.filter(|_| live_ms >= 0 && last - live_ms > 2000) else { return };
    if offset == 0 {
        return;
    }
    for t in &mut round.tracks {
        t.samples.iter_mut().for_each(|s| s.time_ms = s.time_ms.saturating_sub(offset));
    }
    round.combat.iter_mut().for_each(|e| e.time_ms = e.time_ms.saturating_sub(offset));
    round.events.iter_mut().for_each(|e| e.time_ms = e.time_ms.saturating_sub(offset));
    for e in &mut round.engagements {
        e.time_ms = e.time_ms.map(|t| t.saturating_sub(offset));
    }
    round.report.note(
        label,
        format!(
            "times run {:.1} s past the round's length: counted from map load (a build before June 2026); \
             moved back {:.1} s so the round starts when it went live",
            (last - live_ms) as f64 / 1000.0,
            f64::from(offset) / 1000.0
        ),
    );
}

/// The public tracker does not follow a revived player until their next spawn: said once.
fn note_untracked_revives(round: &mut Round, label: &str) {
    let untracked = round
        .events
        .iter()
        .filter(|e| e.kind == EventKind::Revive)
        .filter_map(|e| Some((e.other?, e.time_ms)))
        .filter(|&(cn, t)| {
            round.track(cn).is_none_or(|tr| {
                let at = tr.samples.partition_point(|s| s.time_ms <= t);
                tr.samples.get(at).is_none_or(|s| s.time_ms > t.saturating_add(1000))
            })
        })
        .count();
    if untracked > 0 {
        round.report.note(
            label,
            format!("{untracked} revived lives have no positions: the format does not follow a revived player until their next spawn"),
        );
    }
}

fn header(meta: &mut Metadata, key: &str, value: &str) {
    let value = value.replace(char::is_control, "");
    let value = value.trim();
    match key {
        "map" => meta.map = Some(value.to_owned()).filter(|m| !m.is_empty()),
        "round" => meta.round_number = value.parse().ok(),
        "round_start_unix" => meta.round_start_unix = value.parse().ok(),
        "tracker_version_full" | "tracker_version" | "tracker" => meta.tracker_version = Some(value.to_owned()),
        "grid_size" => meta.grid_size_units = value.parse().ok().filter(|&g: &u32| g > 0),
        // The format is told by the first line.
        "format" => {}
        _ => {
            meta.extra.insert(key.to_owned(), value.to_owned());
        }
    }
}

fn track_row(row: &Row, clients: &mut Clients) -> Result<Option<(u16, Vec<PositionSample>)>, String> {
    let guid = row.need("guid")?;
    let team_name = row.get("team");
    let team = team_name.and_then(team);
    let mut samples = Vec::new();
    for item in row.get("path").unwrap_or_default().split('|').filter(|s| !s.is_empty()) {
        let f: Vec<&str> = item.split(',').collect();
        // `inf`, `nan` and numbers past f32 are no coordinates, speeds or health.
        let num = |i: usize| f.get(i).and_then(|v| v.trim().parse::<f32>().ok()).filter(|v| v.is_finite());
        let (Some(t), Some(x), Some(y), Some(z)) = (num(0), num(1), num(2), num(3)) else {
            return Err(format!("path item {item:?} is not time,x,y,z,..."));
        };
        if !(0.0..u32::MAX as f32).contains(&t) {
            return Err(format!("path time {t} out of range"));
        }
        let speed = num(5).unwrap_or(0.0);
        samples.push(PositionSample {
            time_ms: t as u32,
            pos: Vec3::new(x, y, z),
            yaw_deg: 0.0,
            pitch_deg: 0.0,
            speed_ups: speed,
            health: num(4).map(|h| h.clamp(f32::from(i16::MIN), f32::from(i16::MAX)) as i16),
            team,
            moving: speed > 5.0,
        });
    }
    // The player counts once the row is whole.
    let Some(cn) = clients.slot(guid, row.get("name"), team_name) else { return Ok(None) };
    Ok(Some((cn, samples)))
}

fn kill_row(row: &Row, clients: &mut Clients) -> Result<Option<CombatEvent>, String> {
    if row.get("event").is_some_and(|e| e != "kill") {
        return Ok(None);
    }
    let time: u32 = row.num("time")?;
    let atk = clients.slot(row.need("atk_guid")?, row.get("atk_name"), row.get("atk_team"));
    let vic = clients.slot(row.need("vic_guid")?, row.get("vic_name"), row.get("vic_team"));
    let (Some(attacker), Some(victim)) = (atk, vic) else { return Ok(None) };
    let attacker_pos = row.vec3("ax", "ay", "az");
    let target_pos = row.vec3("vx", "vy", "vz");
    // A selfkill or a death by the world is a death, not a kill (the seed's meaning).
    let kind = if crate::model::is_player_kill(attacker, victim) { CombatKind::Kill } else { CombatKind::Death };
    Ok(Some(CombatEvent {
        distance: attacker_pos.zip(target_pos).map(|(a, v)| a.distance(v)).filter(|d| d.is_finite()).unwrap_or(0.0),
        weapon: row.opt_num("weapon"),
        mod_id: row.opt_num("mod"),
        attacker_pos,
        target_pos,
        ..CombatEvent::new(time, kind, attacker, Some(victim))
    }))
}

fn hit_row(row: &Row, clients: &mut Clients) -> Result<Option<CombatEvent>, String> {
    let time: u32 = row.num("time")?;
    let atk = clients.slot(row.need("attacker_guid")?, row.get("attacker_name"), None);
    let vic = clients.slot(row.need("victim_guid")?, row.get("victim_name"), None);
    let (Some(attacker), Some(victim)) = (atk, vic) else { return Ok(None) };
    Ok(Some(CombatEvent {
        damage: row.num("damage")?,
        weapon: row.opt_num("weapon"),
        ..CombatEvent::new(time, CombatKind::Hit, attacker, Some(victim))
    }))
}

fn shot_row(row: &Row, clients: &mut Clients) -> Result<Option<(CombatEvent, Shot)>, String> {
    let time: u32 = row.num("time")?;
    let Some(attacker) = clients.slot(row.need("guid")?, None, None) else { return Ok(None) };
    let shot =
        Shot { time_ms: time, yaw: row.opt_f32("yaw").unwrap_or(0.0), pitch: row.opt_f32("pitch").unwrap_or(0.0) };
    let event = CombatEvent {
        weapon: row.opt_num("weapon"),
        attacker_pos: row.vec3("ox", "oy", "oz"),
        ..CombatEvent::new(time, CombatKind::Fire, attacker, None)
    };
    Ok(Some((event, shot)))
}

fn engagement_row(row: &Row, clients: &mut Clients) -> Result<Option<(CombatEvent, Engagement)>, String> {
    let target_name = row.get("target_name");
    let victim = clients.slot(row.need("target_guid")?, target_name, row.get("target_team"));
    if row.get("outcome") != Some("killed") {
        return Ok(None);
    }
    let end: u32 = row.num("end_time")?;
    let killer_name = row.get("killer_name");
    let killer = row.get("killer_guid").and_then(|g| clients.slot(g, killer_name, None));
    let (Some(victim), Some(killer)) = (victim, killer) else { return Ok(None) };
    // Attackers: `guid,name,team,damage,hits,first_hit,last_hit,got_kill,weapons` joined by `|`.
    let attackers = row
        .get("attackers")
        .map(|a| a.split('|').filter(|i| i.split(',').next().is_some_and(|g| !g.is_empty())).count())
        .unwrap_or(0);
    let attackers = row.opt_num::<usize>("num_attackers").unwrap_or(attackers).max(1);
    let victim_pos = row.vec3("end_x", "end_y", "end_z");
    let kill = CombatEvent { target_pos: victim_pos, ..CombatEvent::new(end, CombatKind::Kill, killer, Some(victim)) };
    let engagement = Engagement {
        kind: EngagementType::Versus { attackers: u8::try_from(attackers).unwrap_or(u8::MAX), targets: 1 },
        distance: 0.0,
        killer_name: field_safe(killer_name.unwrap_or_default()).into_owned(),
        victim_name: field_safe(target_name.unwrap_or_default()).into_owned(),
        time_ms: Some(end),
        killer: Some(killer),
        victim: Some(victim),
        victim_pos,
        attacker_backup: None,
        target_backup: None,
    };
    Ok(Some((kill, engagement)))
}

fn heatmap_row(row: &Row) -> Result<HeatmapCell, String> {
    Ok(HeatmapCell {
        grid_x: row.num("grid_x")?,
        grid_y: row.num("grid_y")?,
        axis_kills: row.num("axis_kills")?,
        allies_kills: row.num("allies_kills")?,
    })
}

/// One track per player from their lives, in time order, facing where they shot (within one
/// sample interval) or moved.
fn finish_lives(
    lives: Vec<(u16, Vec<PositionSample>)>,
    shots: &HashMap<u16, Vec<Shot>>,
    report: &mut LoadReport,
    label: &str,
) -> Vec<PlayerTrack> {
    let mut by_client: HashMap<u16, Vec<PositionSample>> = HashMap::new();
    for (cn, samples) in lives {
        by_client.entry(cn).or_default().extend(samples);
    }
    let mut tracks: Vec<PlayerTrack> = Vec::new();
    let mut repeats = 0;
    for (cn, mut samples) in by_client {
        // A life with no sample read (all of its path damaged) leaves no track behind.
        if samples.is_empty() {
            continue;
        }
        samples.sort_by_key(|s| s.time_ms);
        let before = samples.len();
        samples.dedup_by_key(|s| s.time_ms);
        repeats += before - samples.len();
        let mut own_shots = shots.get(&cn).cloned().unwrap_or_default();
        own_shots.sort_by_key(|s| s.time_ms);
        let mut yaw = 0.0f32;
        for i in 0..samples.len() {
            let t = samples[i].time_ms;
            let gap = |j: usize| samples.get(j).map(|s: &PositionSample| s.time_ms.abs_diff(t)).unwrap_or(u32::MAX);
            let interval = gap(i + 1).min(if i > 0 { gap(i - 1) } else { u32::MAX }).clamp(50, 1000);
            let at = own_shots.partition_point(|s| s.time_ms < t);
            let near = [at.checked_sub(1), Some(at)]
                .into_iter()
                .flatten()
                .filter_map(|k| own_shots.get(k))
                .min_by_key(|s| s.time_ms.abs_diff(t))
                .filter(|s| s.time_ms.abs_diff(t) <= interval);
            if let Some(s) = near {
                samples[i].yaw_deg = s.yaw;
                samples[i].pitch_deg = s.pitch;
                yaw = s.yaw;
                continue;
            }
            let step = samples.get(i + 1).map(|n| n.pos - samples[i].pos).filter(|d| d.truncate().length() > 1.0);
            if let Some(d) = step {
                yaw = d.y.atan2(d.x).to_degrees();
            }
            samples[i].yaw_deg = yaw;
        }
        tracks.push(PlayerTrack { clientnum: cn, samples });
    }
    tracks.sort_by_key(|t| t.clientnum);
    if repeats > 0 {
        report.note(label, format!("{repeats} track samples repeat a player and time already seen; kept the first"));
    }
    tracks
}
