//! The simulator's truth written in the current public tracker's single-file format (v6, as a
//! 6.01 build writes it: no SHOT_FIRED), so tests have realistic rounds in that format with
//! known answers. What it writes, section by section:
//!
//! - PLAYER_TRACKS: one row per life, sampled every 200 ms, ended by the death (its type from the
//!   kill) or the round's end. Like the public tracker, a revived player's life is not
//!   continued: no samples until their next spawn.
//! - COMBAT_POSITIONS: every death with both places, weapon, means of death and alive counts;
//!   ENGAGEMENTS: a `killed` row per player kill, with as many attackers as damaged the victim.
//! - KILL_HEATMAP: victims' 512-unit cells in the killer's team column.
//! - REVIVES (with the medic) and CONSTRUCTION_EVENTS (dynamite planted at an objective).
//!
//! Times are ms since the round went live; `from_map_load` writes them as builds before June
//! 2026 did, counted from map load (the warmup included).

use std::fmt::Write as _;

use super::{MatchConfig, Truth, TruthKill, TruthPlayer};

/// Means of death the track's `death_type` is told by.
const MOD_FALLING: i64 = 32;
const MOD_SUICIDE: i64 = 33;
/// The world as a killer.
const WORLD: i64 = 1022;

/// Sample interval of PLAYER_TRACKS.
const SAMPLE_MS: i64 = 200;

/// The file's base name, as the public tracker names it: the server's local time at round end
/// (UTC here), the map and the round.
pub fn base_name(truth: &Truth, cfg: &MatchConfig) -> String {
    let end_ms = truth.frames.last().map_or(0, |(t, _)| *t);
    let end = chrono::DateTime::from_timestamp(cfg.start_unix + end_ms / 1000, 0).unwrap_or_default();
    format!("{}-{}-round-{}", end.format("%Y-%m-%d-%H%M%S"), cfg.map, cfg.round)
}

fn fnv(bytes: &[u8], seed: u64) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325 ^ seed, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// A stable guid per connect: 32 hex digits, `OMNIBOT...` for bots.
pub fn guid(p: &TruthPlayer) -> String {
    let key = format!("{}|{}|{}", p.cn, p.name, p.from_level_time);
    if p.is_bot {
        format!("OMNIBOT{:025}", fnv(key.as_bytes(), 1) % 10u64.pow(18))
    } else {
        format!("{:016X}{:016X}", fnv(key.as_bytes(), 1), fnv(key.as_bytes(), 2))
    }
}

/// A name as the public tracker writes it.
fn clean(name: &str) -> String {
    name.chars().map(|c| if matches!(c, ';' | '|' | ',' | '\t' | '\r' | '\n') { '_' } else { c }).collect()
}

fn team_word(team: i64) -> &'static str {
    match team {
        1 => "AXIS",
        2 => "ALLIES",
        _ => "SPEC",
    }
}

fn class_word(class: i64) -> &'static str {
    ["SOLDIER", "MEDIC", "ENGINEER", "FIELDOPS", "COVERTOPS"].get(class as usize).copied().unwrap_or("UNKNOWN")
}

/// The track's `death_type` of a death.
fn death_type(k: &TruthKill, victim_team: i64) -> &'static str {
    match k.killer {
        WORLD if k.mod_id == MOD_FALLING => "fallen",
        WORLD => "world",
        killer if killer == k.victim as i64 => {
            if k.mod_id == MOD_SUICIDE {
                "selfkill"
            } else {
                "unknown"
            }
        }
        _ if k.killer_team == victim_team => "teamkill",
        _ => "killed",
    }
}

/// One life being written.
struct Life {
    who: usize,
    team: i64,
    spawn: i64,
    items: Vec<String>,
    last: Option<(i64, glam::Vec3)>,
}

/// The truth of the live round as the text of a v6 file.
pub fn upstream_text(truth: &Truth, cfg: &MatchConfig, from_map_load: bool) -> String {
    let start = truth.round_start_level_time;
    // Times in the file: since the round went live, or (old builds) since map load.
    let t = |level_time: i64| if from_map_load { level_time } else { level_time - start };
    let end_level_time = truth.frames.last().map_or(start, |(lt, _)| *lt);
    let who = |cn: usize, lt: i64| truth.player(cn, lt);
    let id = |cn: usize, lt: i64| who(cn, lt).map_or_else(|| format!("SLOT{cn}"), guid);
    let name = |cn: usize, lt: i64| who(cn, lt).map_or_else(|| format!("slot{cn}"), |p| clean(&p.name));
    let class = |cn: usize, lt: i64| class_word(who(cn, lt).map_or(-1, |p| p.class));
    let team_at = |cn: usize, lt: i64| truth.position(cn, lt).map_or(0, |p| p.team);

    let mut out = String::new();
    let _ = writeln!(out, "# PROXIMITY_TRACKER_V6");
    let _ = writeln!(out, "# map={}", cfg.map);
    let _ = writeln!(out, "# round={}", cfg.round);
    let _ = writeln!(out, "# crossfire_window=1000");
    let _ = writeln!(out, "# position_sample_interval={SAMPLE_MS}");
    let _ = writeln!(out, "# round_start_unix={}", cfg.start_unix + start / 1000);
    let _ = writeln!(out, "# round_end_unix={}", cfg.start_unix + end_level_time / 1000);
    let _ = writeln!(out, "# tracker_version_full=6.01-proxviz-sim");

    // Lives, from the frames.
    let deaths: Vec<&TruthKill> = truth.kills.iter().collect();
    let revived_at: Vec<(usize, i64)> = truth.revives.iter().map(|r| (r.revived, r.level_time)).collect();
    let mut open: Vec<Option<Life>> = (0..64).map(|_| None).collect();
    let mut rows: Vec<(i64, String)> = Vec::new();
    let mut revived_life = [false; 64];
    let finish = |life: Life, end: i64, kind: &str, death_at: Option<glam::Vec3>, rows: &mut Vec<(i64, String)>| {
        let mut items = life.items;
        if let Some(p) = death_at {
            // A sample at the very moment of death gives way to the death's own item.
            if items.last().is_some_and(|i| i.starts_with(&format!("{},", t(end)))) && items.len() > 1 {
                items.pop();
            }
            items.push(format!("{},{:.1},{:.1},{:.1},0,0,0,0,0,{kind}", t(end), p.x, p.y, p.z));
        } else if let Some(last) = items.last_mut() {
            // The last sample says how the life ended.
            if let Some(i) = last.rfind(',') {
                last.replace_range(i + 1.., kind);
            }
        }
        if items.is_empty() {
            return;
        }
        let death_time = if kind == "round_end" { String::new() } else { t(end).to_string() };
        let first_move = t(life.spawn);
        rows.push((
            life.spawn,
            format!(
                "{};{};{};{};{};{death_time};{first_move};{kind};{};{}",
                id(life.who, life.spawn),
                name(life.who, life.spawn),
                team_word(life.team),
                class(life.who, life.spawn),
                t(life.spawn),
                items.len(),
                items.join("|")
            ),
        ));
    };
    for (lt, frame) in &truth.frames {
        let sample = (lt - start) % SAMPLE_MS == 0;
        let mut seen = [false; 64];
        for p in frame {
            seen[p.cn] = true;
            let occupant = who(p.cn, *lt).map(|o| o.from_level_time);
            // A life ends at a death, a team change or a new occupant of the slot.
            let ends = open[p.cn]
                .as_ref()
                .is_some_and(|l| !p.alive || l.team != p.team || occupant.is_some_and(|from| from > l.spawn));
            if ends && let Some(life) = open[p.cn].take() {
                let death =
                    deaths.iter().find(|k| k.victim == p.cn && k.level_time > life.spawn && k.level_time <= *lt);
                match death {
                    Some(k) => finish(life, k.level_time, death_type(k, p.team), Some(k.victim_pos), &mut rows),
                    None => finish(life, *lt, "disconnect", None, &mut rows),
                }
            }
            if !p.alive {
                revived_life[p.cn] = false;
                continue;
            }
            if open[p.cn].is_none() {
                // A life starts at a spawn; a revive is not tracked (as the public tracker does).
                let revived = revived_at.iter().any(|&(cn, at)| cn == p.cn && at <= *lt && *lt - at <= 100);
                if revived || revived_life[p.cn] {
                    revived_life[p.cn] = true;
                    continue;
                }
                open[p.cn] = Some(Life { who: p.cn, team: p.team, spawn: *lt, items: Vec::new(), last: None });
            }
            let Some(life) = open[p.cn].as_mut() else { continue };
            if sample || life.items.is_empty() {
                let speed = life.last.map_or(0.0, |(t0, q)| {
                    let dt = (*lt - t0) as f32 / 1000.0;
                    if dt > 0.0 { (p.pos - q).truncate().length() / dt } else { 0.0 }
                });
                let event = if life.items.is_empty() { "spawn" } else { "sample" };
                life.items.push(format!(
                    "{},{:.1},{:.1},{:.1},100,{:.0},0,0,0,{event}",
                    t(*lt),
                    p.pos.x,
                    p.pos.y,
                    p.pos.z,
                    speed
                ));
                life.last = Some((*lt, p.pos));
            }
        }
        for cn in 0..64 {
            if !seen[cn]
                && let Some(life) = open[cn].take()
            {
                finish(life, *lt, "disconnect", None, &mut rows);
            }
        }
    }
    for life in open.into_iter().flatten() {
        finish(life, end_level_time, "round_end", None, &mut rows);
    }
    rows.sort_by_key(|(at, _)| *at);

    // ENGAGEMENTS: one `killed` row per player kill.
    let _ = writeln!(out, "\n# ENGAGEMENTS\n{}", proxviz_data::write::UPSTREAM_ENGAGEMENT_COLUMNS);
    let player_kills = truth.kills.iter().filter(|k| (0..64).contains(&k.killer) && k.killer != k.victim as i64);
    for (i, k) in player_kills.clone().enumerate() {
        let (v, killer, lt) = (k.victim, k.killer as usize, k.level_time);
        let p = k.victim_pos;
        let _ = writeln!(
            out,
            "{};{};{};1000;{};{};{};killed;100;{};{};{};{};0;;{:.1};{:.1};{:.1};{:.1};{:.1};{:.1};0.0;;{},{},{},100,1,{},{},1,{}:1;",
            i + 1,
            t(lt - 1000),
            t(lt),
            id(v, lt),
            name(v, lt),
            team_word(team_at(v, lt)),
            id(killer, lt),
            name(killer, lt),
            k.attackers.max(1),
            u8::from(k.attackers > 1),
            p.x,
            p.y,
            p.z,
            p.x,
            p.y,
            p.z,
            id(killer, lt),
            name(killer, lt),
            team_word(k.killer_team),
            t(lt),
            t(lt),
            k.weapon
        );
    }

    let _ = writeln!(out, "\n# PLAYER_TRACKS");
    let _ = writeln!(out, "# guid;name;team;class;spawn_time;death_time;first_move_time;death_type;samples;path");
    for (_, row) in &rows {
        let _ = writeln!(out, "{row}");
    }

    let _ = writeln!(out, "\n# KILL_HEATMAP\n# grid_x;grid_y;axis_kills;allies_kills");
    let mut cells: std::collections::BTreeMap<(i64, i64), [u32; 2]> = std::collections::BTreeMap::new();
    for k in player_kills.clone() {
        let cell = ((k.victim_pos.x / 512.0).floor() as i64, (k.victim_pos.y / 512.0).floor() as i64);
        if let 1 | 2 = k.killer_team {
            cells.entry(cell).or_default()[(k.killer_team - 1) as usize] += 1;
        }
    }
    for ((x, y), [axis, allies]) in &cells {
        let _ = writeln!(out, "{x};{y};{axis};{allies}");
    }

    let _ = writeln!(
        out,
        "\n# COMBAT_POSITIONS\n# time;event;atk_guid;atk_name;atk_team;atk_class;vic_guid;vic_name;vic_team;vic_class;\
         ax;ay;az;vx;vy;vz;weapon;mod;killer_health;axis_alive;allies_alive"
    );
    for k in &truth.kills {
        let lt = k.level_time;
        let (v, vp) = (k.victim, k.victim_pos);
        let (atk_id, atk_name, atk_class) = match usize::try_from(k.killer).ok().filter(|&c| c < 64) {
            Some(c) => (id(c, lt), name(c, lt), class(c, lt)),
            None => (format!("WORLD_{}", k.killer), "world".to_owned(), "UNKNOWN"),
        };
        let ap = k.killer_pos.unwrap_or(vp);
        let alive = |team: i64| {
            truth
                .frames
                .binary_search_by_key(&lt, |(t, _)| *t)
                .map_or(0, |i| truth.frames[i].1.iter().filter(|p| p.alive && p.team == team).count())
        };
        let _ = writeln!(
            out,
            "{};kill;{atk_id};{atk_name};{};{atk_class};{};{};{};{};{:.0};{:.0};{:.0};{:.0};{:.0};{:.0};{};{};100;{};{}",
            t(lt),
            team_word(k.killer_team),
            id(v, lt),
            name(v, lt),
            team_word(team_at(v, lt)),
            class(v, lt),
            ap.x,
            ap.y,
            ap.z,
            vp.x,
            vp.y,
            vp.z,
            k.weapon,
            k.mod_id,
            alive(1),
            alive(2)
        );
    }

    let _ = writeln!(
        out,
        "\n# REVIVES\n# time;medic_guid;medic_name;revived_guid;revived_name;x;y;z;distance_to_enemy;nearest_enemy_guid;under_fire"
    );
    for r in &truth.revives {
        let lt = r.level_time;
        let (medic_id, medic_name) = r.medic.map_or((String::new(), String::new()), |m| (id(m, lt), name(m, lt)));
        let _ = writeln!(
            out,
            "{};{medic_id};{medic_name};{};{};{:.0};{:.0};{:.0};0;;0",
            t(lt),
            id(r.revived, lt),
            name(r.revived, lt),
            r.pos.x,
            r.pos.y,
            r.pos.z
        );
    }
    let _ = writeln!(
        out,
        "\n# CONSTRUCTION_EVENTS\n# event_time;event_type;player_guid;player_name;player_team;track_name;player_x;player_y;player_z"
    );
    for o in &truth.objectives {
        let lt = o.level_time;
        let _ = writeln!(
            out,
            "{};{};{};{};{};{};{:.0};{:.0};{:.0}",
            t(lt),
            o.kind,
            id(o.cn, lt),
            name(o.cn, lt),
            team_word(o.team),
            clean(&o.target),
            o.pos.x,
            o.pos.y,
            o.pos.z
        );
    }
    out
}
