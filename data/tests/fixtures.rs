//! The fixture rounds under `tests/fixtures/`: the seed's format, our superset, and files from
//! trackers in the wild. Each test checks parsed values, not just counts.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;
use glam::Vec3;
use proxviz_data::{
    CombatKind, EngagementType, FileKind, Round, StatsConfig, Team, Timeline, discover_rounds, find_rounds,
    resolve_rounds, statistics,
};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn load(base: &str) -> Round {
    let found = resolve_rounds(&fixtures().join(base)).expect("fixture round exists");
    assert_eq!(found.len(), 1);
    found[0].load()
}

const SEED: &str = "2025-12-20-120000-supply-round-1";
const SUPERSET: &str = "2025-12-20-130000-goldrush-round-2";
const WILD: &str = "2025-12-21-213000--round-0";

#[test]
fn the_fixture_folder_lists_three_rounds_in_time_order() {
    let rounds = discover_rounds(&fixtures()).expect("lists");
    let bases: Vec<&str> = rounds.iter().map(|r| r.name.base.as_str()).collect();
    assert_eq!(bases, [SEED, SUPERSET, WILD]);
    assert_eq!(rounds[2].missing(), [FileKind::Heatmap]);
}

#[test]
fn the_seed_lookup_by_date_and_round_finds_each_fixture() {
    let day1 = NaiveDate::from_ymd_opt(2025, 12, 20).expect("date");
    let day2 = NaiveDate::from_ymd_opt(2025, 12, 21).expect("date");
    let names = |d, n| -> Vec<String> {
        find_rounds(&fixtures(), d, n).expect("lists").into_iter().map(|r| r.name.base).collect()
    };
    assert_eq!(names(day1, 1), [SEED]);
    assert_eq!(names(day1, 2), [SUPERSET]);
    assert_eq!(names(day2, 1), [WILD], "round-0 of a 0-based tracker is round 1");
}

#[test]
fn a_seed_format_round_loads_with_seed_columns_only() {
    let r = load(SEED);
    assert!(r.report.missing.is_empty() && r.report.skipped_total == 0, "{}", r.report);
    assert_eq!((r.map(), r.round_number(), r.grid_size_units()), (Some("supply"), Some(1), 512));
    // No roster in the seed's files: names and teams are what the files imply, and say so.
    assert_eq!(
        r.report.notes,
        [format!(
            "{SEED}_engagements.txt: no roster: names of 2 of 3 players inferred from the engagements file, teams of 2 from the kills and the heatmap file"
        )]
    );
    assert!(r.name_inferred(0) && r.team_inferred(0));
    assert_eq!(r.meta.format_version, None);
    let t0 = r.track(0).expect("client 0");
    assert_eq!(t0.samples.len(), 8);
    let s = t0.samples[0];
    assert_eq!(
        (s.time_ms, s.pos, s.yaw_deg, s.pitch_deg, s.speed_ups, s.moving),
        (1000, Vec3::new(1234.5, 5678.9, 0.0), 90.0, 0.0, 150.0, true)
    );
    assert_eq!((s.team, s.health), (None, None));
    assert_eq!(r.track(2).expect("client 2").samples.len(), 6);
    let kill = r.combat.iter().find(|e| e.kind == CombatKind::Kill).expect("a kill");
    assert_eq!(
        (kill.time_ms, kill.attacker, kill.target, kill.distance, kill.nearby_enemies),
        (5200, 0, Some(1), 150.5, 1)
    );
    assert_eq!(r.combat[0].target, None, "NONE target on fire");
    assert_eq!(r.engagements[0].kind, EngagementType::versus(1, 1));
    assert_eq!((r.engagements[0].killer_name.as_str(), r.engagements[0].victim_name.as_str()), ("Player1", "Player2"));
    assert_eq!((r.heatmap[0].grid_x, r.heatmap[0].grid_y, r.heatmap[0].axis_kills), (2, 10, 1));
}

#[test]
fn a_seed_format_round_replays_with_kill_positions_from_the_samples() {
    let t = Timeline::new(Arc::new(load(SEED)));
    assert_eq!(t.kills()[0].pos, Some(Vec3::new(1500.0, 5600.0, 0.0)));
    assert_eq!(t.engagement_at(0), Some((5200, Some(Vec3::new(1500.0, 5600.0, 0.0)))));
    let walker = t.state_at(0, 1500).expect("client 0 at 1.5 s");
    assert!((walker.pos.x - 1309.5).abs() < 1e-3, "{}", walker.pos.x);
    assert!(!t.state_at(1, 6500).expect("dead body").alive);
    let respawned = t.state_at(1, 8000).expect("respawned");
    assert!(respawned.alive);
    assert_eq!(respawned.pos, Vec3::new(-2000.0, -1500.0, 32.0));
    assert!(t.state_at(2, 2000).is_none(), "client 2 joins at 3 s");
}

#[test]
fn a_seed_format_round_has_the_seed_statistics() {
    let t = Timeline::new(Arc::new(load(SEED)));
    let s = statistics(&t, &StatsConfig::default());
    assert_eq!((s.total_positions, s.total_combat_events, s.total_engagements, s.total_heatmap_cells), (22, 7, 1, 1));
    assert_eq!(s.combat_by_type.get("fire"), Some(&4));
    assert_eq!(s.combat_by_type.get("hit"), Some(&2));
    assert_eq!(s.combat_by_type.get("kill"), Some(&1));
    assert_eq!(s.average_engagement_distance, 150.5);
    assert_eq!(s.hotspots[0].grid, "(2, 10)");
    let p0 = &s.players[0];
    assert_eq!((p0.name.as_str(), p0.kills, p0.shots, p0.hits, p0.damage_given), ("Player1", 1, 3, 2, 105));
    assert!((p0.distance_travelled_units - 1050.0).abs() < 0.01);
    let p1 = &s.players[1];
    assert_eq!((p1.deaths, p1.damage_taken), (1, 105));
    assert_eq!(p1.time_stationary_ms, 4000, "still from 1 s to 5 s, then dead");
}

#[test]
fn a_superset_round_has_metadata_roster_and_extra_columns() {
    let r = load(SUPERSET);
    assert!(r.report.is_clean(), "{}", r.report);
    assert_eq!(r.meta.format_version, Some(2));
    assert_eq!(r.meta.tracker_version.as_deref(), Some("proximity_tracker.lua 1.0.0"));
    assert_eq!((r.map(), r.round_number(), r.grid_size_units()), (Some("goldrush"), Some(2), 256));
    assert_eq!(r.meta.round_start_unix, Some(1_766_235_600));
    assert_eq!(r.meta.extra.get("position_update_interval").map(String::as_str), Some("500"));
    let roster: Vec<(u16, Option<Team>, String)> =
        r.players.iter().map(|p| (p.clientnum, p.team, p.clean_name())).collect();
    assert_eq!(
        roster,
        [
            (3, Some(Team::Axis), "Fritz the Great".into()),
            (7, Some(Team::Allies), "Jürgen".into()),
            (9, Some(Team::Spectator), "coach".into())
        ]
    );
    let s = r.track(7).expect("client 7").samples[1];
    assert_eq!((s.team, s.health), (Some(Team::Allies), Some(95)));
    let hit = r.combat[1];
    assert_eq!((hit.weapon, hit.mod_id), (Some(3), Some(8)));
    assert_eq!(hit.attacker_pos, Some(Vec3::new(-20.0, 200.0, -16.5)));
    assert_eq!(hit.target_pos, Some(Vec3::new(300.0, 210.0, -16.5)));
    let world = r.combat[6];
    assert_eq!((world.attacker, world.weapon, world.mod_id, world.attacker_pos), (1022, None, Some(32), None));
    let e = &r.engagements[0];
    assert_eq!(
        (e.time_ms, e.killer, e.victim, e.attacker_backup, e.target_backup),
        (Some(4200), Some(3), Some(7), Some(0), Some(0))
    );
    assert_eq!(e.victim_pos, Some(Vec3::new(300.0, 210.0, -16.5)));
}

#[test]
fn a_superset_round_uses_health_for_life_and_death() {
    let t = Timeline::new(Arc::new(load(SUPERSET)));
    let dead = t.state_at(7, 5000).expect("present");
    assert!(!dead.alive);
    assert_eq!(dead.pos, Vec3::new(300.0, 210.0, -16.5));
    let back = t.state_at(7, 6000).expect("present");
    assert!(back.alive);
    assert_eq!((back.pos, back.health), (Vec3::new(2800.0, -900.0, 8.0), Some(140)));
    let s = statistics(&t, &StatsConfig::for_round(t.round()));
    let fritz = s.players.iter().find(|p| p.clientnum == 3).expect("client 3");
    assert_eq!((fritz.kills, fritz.shots, fritz.hits, fritz.damage_given, fritz.damage_taken), (1, 2, 2, 40, 12));
    assert_eq!(fritz.accuracy, Some(1.0));
    assert_eq!(fritz.engagements_as_killer.get("1v1"), Some(&1));
    let coach = s.players.iter().find(|p| p.clientnum == 9).expect("roster-only client");
    assert_eq!((coach.kills, coach.deaths, coach.shots), (0, 0, 0));
}

#[test]
fn a_round_from_the_wild_loads_what_it_can_and_says_what_it_could_not() {
    let r = load(WILD);
    assert_eq!((r.map(), r.round_number()), (None, Some(1)));
    assert_eq!(r.report.missing, [FileKind::Heatmap]);
    let skipped: Vec<String> = r.report.skipped.iter().map(ToString::to_string).collect();
    assert_eq!(
        skipped,
        [format!("{WILD}_combat.txt:2: column 2 (type): expected fire, hit, kill or death, found \"boom\"")]
    );
    assert_eq!(
        r.report.notes,
        [
            format!("{WILD}_positions.txt: line 5: last line is cut short (file ends mid-line); ignored"),
            format!(
                "{WILD}_engagements.txt: no roster: names of 2 of 2 players inferred from the engagements file, teams of 0 from the kills and the heatmap file"
            ),
        ]
    );
    assert_eq!(r.track(0).expect("client 0").samples.len(), 2, "CRLF lines load");
    assert_eq!(r.track(0).expect("client 0").samples[1].pos.x, 150.0);
    assert_eq!(r.combat.len(), 2);
    let e = &r.engagements[0];
    assert_eq!(e.kind, EngagementType::versus(2, 2), "2vs2 means 2v2");
    assert_eq!((e.killer_name.as_str(), e.victim_name.as_str()), ("Jürgen", "^1Red^7Baron"), "Latin-1 bytes decode");
}

/// The seed's reader splits a line on tabs and reads the first columns; our superset files must
/// give it the same values it would read from a seed file.
#[test]
fn a_seed_reader_reads_our_superset_files_unchanged() {
    let dir = fixtures();
    let seed_columns =
        [(FileKind::Positions, 9), (FileKind::Combat, 8), (FileKind::Engagements, 4), (FileKind::Heatmap, 4)];
    for (kind, n) in seed_columns {
        let text = std::fs::read_to_string(dir.join(kind.file_name(SUPERSET))).expect("fixture");
        for line in text.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
            let parts: Vec<&str> = line.split('\t').collect();
            assert!(parts.len() >= n, "{kind}: {line}");
            let numeric: &[usize] = match kind {
                FileKind::Positions => &[0, 1, 2, 3, 4, 5, 6, 7, 8],
                FileKind::Combat => &[0, 2, 4, 5, 6, 7],
                FileKind::Engagements => &[1],
                FileKind::Heatmap => &[0, 1, 2, 3],
            };
            for &c in numeric {
                assert!(parts[c].parse::<f64>().is_ok(), "{kind} column {c} of {line:?}");
            }
        }
    }
}
