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

/// `# event<TAB>time<TAB>kind<TAB>player<TAB>other<TAB>team<TAB>x<TAB>y<TAB>z<TAB>detail`.
pub fn event_line(out: &mut String, e: &crate::events::RoundEvent) -> fmt::Result {
    writeln!(
        out,
        "# event\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
        e.time_ms,
        e.kind.as_str(),
        Opt(e.player),
        Opt(e.other),
        Opt(e.team.map(|t| t.name())),
        OptVec3(e.pos),
        field_safe(&e.detail),
    )
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
        FileKind::Combat => {
            round.events.iter().try_for_each(|e| event_line(out, e))?;
            round.combat.iter().try_for_each(|e| combat_line(out, e))
        }
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

/// The guid a client gets in [`upstream_text`]: 32 hex-like characters, `OMNIBOT…` for bots.
fn upstream_guid(round: &Round, cn: u16) -> String {
    let bot = round.player(cn).is_some_and(|p| p.name.contains("[BOT]"));
    if cn >= crate::model::MAX_CLIENTS {
        return format!("WORLD_{cn}");
    }
    if bot { format!("OMNIBOT{cn:025}") } else { format!("{:032X}", 0xC0FFEE_u64 * 1000 + u64::from(cn)) }
}

/// A name as the current public tracker writes it: `;`, `|`, `,` and tabs become `_`.
fn upstream_name(name: &str) -> String {
    name.chars().map(|c| if matches!(c, ';' | '|' | ',' | '\t' | '\r' | '\n') { '_' } else { c }).collect()
}

fn upstream_team(team: Option<crate::model::Team>) -> &'static str {
    match team {
        Some(crate::model::Team::Axis) => "AXIS",
        Some(crate::model::Team::Allies) => "ALLIES",
        _ => "SPEC",
    }
}

/// The column line of the public format's ENGAGEMENTS section.
pub const UPSTREAM_ENGAGEMENT_COLUMNS: &str = "# id;start_time;end_time;duration;target_guid;target_name;target_team;\
    outcome;total_damage;killer_guid;killer_name;num_attackers;is_crossfire;crossfire_delay;crossfire_participants;\
    start_x;start_y;start_z;end_x;end_y;end_z;distance_traveled;positions;attackers";

/// Writes `round` in the current public tracker's single-file format (v6: the sections proxviz
/// reads), for tests and benchmarks of that reader. A player's track is cut into lives where
/// their health goes from dead to alive or a sample follows a long gap.
pub fn upstream_text(round: &Round) -> String {
    let mut out = String::new();
    let meta = &round.meta;
    let _ = writeln!(out, "# PROXIMITY_TRACKER_V6");
    let _ = writeln!(out, "# map={}", round.map().unwrap_or("unknown"));
    let _ = writeln!(out, "# round={}", round.round_number().unwrap_or(1));
    if let Some(t) = meta.round_start_unix {
        let _ = writeln!(out, "# round_start_unix={t}");
    }
    let _ = writeln!(out, "# tracker_version_full=proxviz-writer");
    let name =
        |cn: u16| upstream_name(&round.player(cn).map(|p| p.name.clone()).unwrap_or_else(|| format!("client{cn}")));
    let team = |cn: u16| upstream_team(round.player(cn).and_then(|p| p.team));
    let guid = |cn: u16| upstream_guid(round, cn);
    let kills: Vec<&CombatEvent> = round.combat.iter().filter(|e| e.kind.is_death()).collect();

    let _ = writeln!(out, "\n# ENGAGEMENTS\n{UPSTREAM_ENGAGEMENT_COLUMNS}");
    for (i, k) in kills.iter().filter(|k| k.is_player_kill()).enumerate() {
        let Some(v) = k.target else { continue };
        let at = k.target_pos.unwrap_or_default();
        let attackers = round
            .engagements
            .iter()
            .find(|e| e.time_ms == Some(k.time_ms) && e.victim == Some(v))
            .and_then(|e| match e.kind {
                crate::model::EngagementType::Versus { attackers, .. } => Some(attackers.max(1)),
                _ => None,
            })
            .unwrap_or(1);
        let _ = writeln!(
            out,
            "{};{};{};1000;{};{};{};killed;100;{};{};{attackers};0;0;;{:.1};{:.1};{:.1};{:.1};{:.1};{:.1};0.0;;{},{},{},100,1,{},{},1,{}:1;",
            i + 1,
            k.time_ms.saturating_sub(1000),
            k.time_ms,
            guid(v),
            name(v),
            team(v),
            guid(k.attacker),
            name(k.attacker),
            at.x,
            at.y,
            at.z,
            at.x,
            at.y,
            at.z,
            guid(k.attacker),
            name(k.attacker),
            team(k.attacker),
            k.time_ms,
            k.time_ms,
            k.weapon.unwrap_or(0)
        );
    }

    let _ = writeln!(out, "\n# PLAYER_TRACKS");
    let _ = writeln!(out, "# guid;name;team;class;spawn_time;death_time;first_move_time;death_type;samples;path");
    for t in &round.tracks {
        let mut lives: Vec<Vec<&crate::model::PositionSample>> = vec![Vec::new()];
        for s in &t.samples {
            let new_life = lives.last().and_then(|l| l.last()).is_some_and(|prev| {
                (prev.health.is_some_and(|h| h <= 0) && s.health.is_some_and(|h| h > 0))
                    || s.time_ms.saturating_sub(prev.time_ms) > 5000
            });
            if new_life {
                lives.push(Vec::new());
            }
            if let Some(life) = lives.last_mut() {
                life.push(s);
            }
        }
        for life in lives.iter().filter(|l| !l.is_empty()) {
            let path: Vec<String> = life
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let event = if i == 0 { "spawn" } else { "sample" };
                    format!(
                        "{},{:.1},{:.1},{:.1},{},{:.0},0,0,0,{event}",
                        s.time_ms,
                        s.pos.x,
                        s.pos.y,
                        s.pos.z,
                        s.health.unwrap_or(100),
                        s.speed_ups
                    )
                })
                .collect();
            let (first, last) = (life[0].time_ms, life[life.len() - 1].time_ms);
            let _ = writeln!(
                out,
                "{};{};{};SOLDIER;{first};{last};{first};unknown;{};{}",
                guid(t.clientnum),
                name(t.clientnum),
                upstream_team(life[0].team.or_else(|| round.player(t.clientnum).and_then(|p| p.team))),
                life.len(),
                path.join("|")
            );
        }
    }

    let _ = writeln!(out, "\n# COMBAT_POSITIONS");
    let _ = writeln!(
        out,
        "# time;event;atk_guid;atk_name;atk_team;atk_class;vic_guid;vic_name;vic_team;vic_class;ax;ay;az;vx;vy;vz;weapon;mod;\
         killer_health;axis_alive;allies_alive"
    );
    for k in &kills {
        let Some(v) = k.target else { continue };
        let a = k.attacker_pos.or(k.target_pos).unwrap_or_default();
        let p = k.target_pos.unwrap_or_default();
        let _ = writeln!(
            out,
            "{};kill;{};{};{};SOLDIER;{};{};{};SOLDIER;{:.0};{:.0};{:.0};{:.0};{:.0};{:.0};{};{};100;0;0",
            k.time_ms,
            guid(k.attacker),
            name(k.attacker),
            team(k.attacker),
            guid(v),
            name(v),
            team(v),
            a.x,
            a.y,
            a.z,
            p.x,
            p.y,
            p.z,
            k.weapon.unwrap_or(0),
            k.mod_id.unwrap_or(0)
        );
    }

    let _ = writeln!(out, "\n# SHOT_FIRED\n# time;guid;weapon;ox;oy;oz;yaw;pitch");
    for e in round.combat.iter().filter(|e| e.kind == crate::model::CombatKind::Fire) {
        let o = e.attacker_pos.unwrap_or_default();
        let _ = writeln!(
            out,
            "{};{};{};{:.0};{:.0};{:.0};0;0",
            e.time_ms,
            guid(e.attacker),
            e.weapon.unwrap_or(0),
            o.x,
            o.y,
            o.z
        );
    }
    let _ = writeln!(
        out,
        "\n# HIT_REGIONS\n# time;attacker_guid;attacker_name;victim_guid;victim_name;weapon;region;damage"
    );
    for e in round.combat.iter().filter(|e| e.kind == crate::model::CombatKind::Hit) {
        let Some(v) = e.target else { continue };
        let _ = writeln!(
            out,
            "{};{};{};{};{};{};2;{}",
            e.time_ms,
            guid(e.attacker),
            name(e.attacker),
            guid(v),
            name(v),
            e.weapon.unwrap_or(0),
            e.damage
        );
    }
    let _ = writeln!(out, "\n# KILL_HEATMAP\n# grid_x;grid_y;axis_kills;allies_kills");
    for c in &round.heatmap {
        let _ = writeln!(out, "{};{};{};{}", c.grid_x, c.grid_y, c.axis_kills, c.allies_kills);
    }
    upstream_events(&mut out, round);
    out
}

/// The round's events as the public tracker's REVIVES, CONSTRUCTION_EVENTS and CARRIER_*
/// sections (places as integers, as it writes them).
fn upstream_events(out: &mut String, round: &Round) {
    use crate::events::EventKind as K;
    let guid = |cn: Option<u16>| cn.map(|c| upstream_guid(round, c)).unwrap_or_default();
    let name = |cn: Option<u16>| {
        cn.map(|c| upstream_name(&round.player(c).map(|p| p.name.clone()).unwrap_or_else(|| format!("client{c}"))))
            .unwrap_or_default()
    };
    let team = |t: Option<crate::model::Team>| upstream_team(t);
    let at = |p: Option<glam::Vec3>| {
        let p = p.unwrap_or_default();
        format!("{:.0};{:.0};{:.0}", p.x, p.y, p.z)
    };
    fn of<'a>(
        round: &'a Round,
        kinds: &'a [crate::events::EventKind],
    ) -> impl Iterator<Item = &'a crate::events::RoundEvent> {
        round.events.iter().filter(move |e| kinds.contains(&e.kind))
    }

    let _ = writeln!(
        out,
        "\n# REVIVES\n# time;medic_guid;medic_name;revived_guid;revived_name;x;y;z;distance_to_enemy;nearest_enemy_guid;under_fire"
    );
    for e in of(round, &[K::Revive]) {
        let _ = writeln!(
            out,
            "{};{};{};{};{};{};0;;0",
            e.time_ms,
            guid(e.player),
            name(e.player),
            guid(e.other),
            name(e.other),
            at(e.pos)
        );
    }
    let _ = writeln!(
        out,
        "\n# CONSTRUCTION_EVENTS\n# event_time;event_type;player_guid;player_name;player_team;track_name;player_x;player_y;player_z"
    );
    let construction = [
        K::DynamitePlant,
        K::DynamiteDefuse,
        K::ObjectiveDestroyed,
        K::ConstructionComplete,
        K::FlagCaptured,
        K::Objective,
    ];
    for e in of(round, &construction) {
        let _ = writeln!(
            out,
            "{};{};{};{};{};{};{}",
            e.time_ms,
            e.kind.as_str(),
            guid(e.player),
            name(e.player),
            team(e.team),
            upstream_name(&e.detail),
            at(e.pos)
        );
    }
    // A carry is a pickup and the carrier's next drop or capture.
    let _ = writeln!(
        out,
        "\n# CARRIER_EVENTS\n# carrier_guid;carrier_name;carrier_team;flag_team;pickup_time;drop_time;duration_ms;outcome;\
         carry_distance;beeline_distance;efficiency;path_samples;pickup_x;pickup_y;pickup_z;drop_x;drop_y;drop_z;killer_guid;killer_name"
    );
    for (i, p) in round.events.iter().enumerate().filter(|(_, e)| e.kind == K::CarrierPickup) {
        let end = round.events[i + 1..]
            .iter()
            .take_while(|e| !(e.kind == K::CarrierPickup && e.player == p.player))
            .find(|e| match e.kind {
                K::CarrierDrop | K::CarrierSecured => e.player == p.player,
                K::CarrierKilled => e.other == p.player,
                _ => false,
            });
        let (drop_time, outcome, drop_at, killer) = match end {
            Some(e) => {
                let word = match e.kind {
                    _ if !e.detail.is_empty() => e.detail.replace(' ', "_"),
                    K::CarrierSecured => "secured".to_owned(),
                    K::CarrierKilled => "killed".to_owned(),
                    _ => "dropped".to_owned(),
                };
                let killer = if e.kind == K::CarrierKilled { e.player } else { None };
                (e.time_ms.to_string(), word, at(e.pos), killer)
            }
            None => (String::new(), String::new(), at(None), None),
        };
        let _ = writeln!(
            out,
            "{};{};{};;{};{drop_time};0;{outcome};0;0;0;0;{};{drop_at};{};{}",
            guid(p.player),
            name(p.player),
            team(p.team),
            p.time_ms,
            at(p.pos),
            guid(killer),
            name(killer)
        );
    }
    let _ = writeln!(
        out,
        "\n# CARRIER_KILLS\n# kill_time;carrier_guid;carrier_name;carrier_team;killer_guid;killer_name;killer_team;\
         means_of_death;carrier_distance_at_kill;flag_team"
    );
    for e in of(round, &[K::CarrierKilled]) {
        let carrier_team = e.other.and_then(|c| round.player(c)).and_then(|p| p.team);
        let _ = writeln!(
            out,
            "{};{};{};{};{};{};{};0;0;",
            e.time_ms,
            guid(e.other),
            name(e.other),
            team(carrier_team),
            guid(e.player),
            name(e.player),
            team(e.team)
        );
    }
    let _ = writeln!(
        out,
        "\n# CARRIER_RETURNS\n# return_time;returner_guid;returner_name;returner_team;flag_team;original_carrier_guid;\
         drop_time;return_delay_ms;drop_x;drop_y;drop_z"
    );
    for e in of(round, &[K::CarrierReturned]) {
        let _ =
            writeln!(out, "{};{};{};{};;;0;0;{}", e.time_ms, guid(e.player), name(e.player), team(e.team), at(e.pos));
    }
}
