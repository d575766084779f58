//! Rounds in the current public tracker's single-file format (v4 – v6), hand-written in
//! `tests/upstream/`: a v6 round with every section proxviz reads (and a byte-identical copy of
//! it written 15 s later, as the public tracker sometimes does), a v4.0 round (no `death_type`
//! column, no COMBAT_POSITIONS), and a v5 round cut short mid-row.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use glam::Vec3;
use proxviz_data::{CombatKind, EngagementType, Round, Team, Timeline, discover_rounds};

fn folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/upstream")
}

fn load(base: &str) -> Round {
    let rounds = discover_rounds(&folder()).expect("rounds");
    rounds.iter().find(|r| r.name.base == base).expect("the round").load()
}

#[test]
fn the_format_is_told_by_the_first_line_not_the_file_name() {
    use proxviz_data::parse::upstream::version_of;
    assert_eq!(version_of(b"# PROXIMITY_TRACKER_V6\n# map=supply\n"), Some(6));
    assert_eq!(version_of(b"\xEF\xBB\xBF# PROXIMITY_TRACKER_V4\r\n"), Some(4));
    assert_eq!(version_of(b"# PROXIMITY_TRACKER engagements\n"), None);
    assert_eq!(version_of(b"1v1\t150.5\tFritz\tHans\n"), None);
    let rounds = discover_rounds(&folder()).expect("rounds");
    assert_eq!(rounds.len(), 3, "the copy written 15 s later is the same round");
    let v6 = rounds.iter().find(|r| r.name.base == "2026-03-14-213045-supply-round-1").expect("v6");
    assert_eq!(v6.duplicates.len(), 1);
    assert!(v6.load().report.notes.iter().any(|n| n.contains("holds the same bytes")));
}

#[test]
fn a_v6_round_maps_onto_players_tracks_kills_hits_shots_engagements_and_cells() {
    let r = load("2026-03-14-213045-supply-round-1");
    assert_eq!(r.report.skipped_total, 0, "{}", r.report);
    assert!(r.report.missing.is_empty(), "one file is the whole round");
    assert_eq!((r.map(), r.round_number(), r.meta.format_version), (Some("supply"), Some(1), Some(6)));
    assert_eq!(r.meta.tracker_version.as_deref(), Some("6.11"));
    assert_eq!(r.meta.round_start_unix, Some(1_773_523_845));
    // Players by guid, in order of appearance, names with their colour codes, teams.
    let names: Vec<(&str, Option<Team>)> = r.players.iter().map(|p| (p.name.as_str(), p.team)).collect();
    assert_eq!(names, [("^4Hans", Some(Team::Allies)), ("^1Fritz", Some(Team::Axis)), ("[BOT]Otto", Some(Team::Axis))]);
    let (hans, fritz, otto) = (0u16, 1u16, 2u16);
    // Fritz's two lives make one track; between them he is not on the map.
    let track = r.track(fritz).expect("track");
    assert_eq!(track.samples.iter().map(|s| s.time_ms).collect::<Vec<_>>(), [0, 200, 400, 30_000, 35_000, 35_200]);
    assert_eq!(track.samples[5].pos, Vec3::new(-490.0, 0.0, 0.0));
    assert_eq!(track.samples[3].health, Some(0));
    let t = Timeline::new(Arc::new(r.clone()));
    assert!(t.state_at(fritz, 32_000).is_none_or(|s| !s.alive), "no walk from his death to his respawn");
    let later = t.state_at(fritz, 35_100).expect("alive again");
    assert!((later.pos.x + 495.0).abs() < 0.01, "{:?}", later.pos);
    // He faces where he moves (no view angles in the format): along +x at first.
    assert!(track.samples[1].yaw_deg.abs() < 0.01);
    // Kills with both positions, weapon and means of death; his selfkill is a death, not a kill.
    let kills: Vec<_> = r.combat.iter().filter(|e| e.kind == CombatKind::Kill).collect();
    assert_eq!(kills.len(), 1);
    let deaths: Vec<_> = r.combat.iter().filter(|e| e.kind == CombatKind::Death).collect();
    assert_eq!((deaths.len(), deaths[0].attacker, deaths[0].target), (1, fritz, Some(fritz)));
    let k = kills[0];
    assert_eq!((k.time_ms, k.attacker, k.target, k.weapon, k.mod_id), (10_000, fritz, Some(hans), Some(8), Some(10)));
    assert_eq!((k.attacker_pos, k.target_pos), (Some(Vec3::new(310.0, 5.0, 0.0)), Some(Vec3::new(610.0, 5.0, 0.0))));
    assert!((k.distance - 300.0).abs() < 0.01);
    assert_eq!(r.player_kill_count(), 1);
    // A hit with its damage, a shot with the shooter's origin.
    let hit = r.combat.iter().find(|e| e.kind == CombatKind::Hit).expect("hit");
    assert_eq!((hit.attacker, hit.target, hit.damage), (fritz, Some(hans), 50));
    let shot = r.combat.iter().find(|e| e.kind == CombatKind::Fire).expect("shot");
    assert_eq!((shot.attacker, shot.attacker_pos), (fritz, Some(Vec3::new(300.0, 5.0, 0.0))));
    assert!(r.combat.windows(2).all(|w| w[0].time_ms <= w[1].time_ms), "in time order");
    // One engagement per kill, typed by its attackers: two on Hans.
    assert_eq!(r.engagements.len(), 1, "an escape is no kill");
    let e = &r.engagements[0];
    assert_eq!(e.kind, EngagementType::Versus { attackers: 2, targets: 1 });
    assert_eq!((e.killer, e.victim, e.time_ms), (Some(fritz), Some(hans), Some(10_000)));
    assert_eq!((e.killer_name.as_str(), e.victim_name.as_str()), ("^1Fritz", "^4Hans"));
    assert!((e.distance - 300.0).abs() < 0.01);
    assert_eq!(r.heatmap.len(), 1);
    assert_eq!((r.heatmap[0].grid_x, r.heatmap[0].axis_kills), (1, 1));
    assert_eq!(r.track(otto).map(|t| t.samples.len()), Some(2));
    // What the format does not carry is said.
    assert!(r.report.notes.iter().any(|n| n.contains("no view angles")), "{:?}", r.report.notes);
}

#[test]
fn revives_and_objective_events_become_round_events_in_time_order() {
    use proxviz_data::EventKind as K;
    let r = load("2026-03-14-213045-supply-round-1");
    let (hans, fritz, otto) = (Some(0u16), Some(1u16), Some(2u16));
    type Row<'a> = (u32, K, Option<u16>, Option<u16>, Option<Team>, &'a str);
    let got: Vec<Row> =
        r.events.iter().map(|e| (e.time_ms, e.kind, e.player, e.other, e.team, e.detail.as_str())).collect();
    assert_eq!(
        got,
        [
            (3000, K::CarrierPickup, hans, None, Some(Team::Allies), ""),
            (8000, K::Revive, hans, otto, Some(Team::Allies), ""),
            // Said by the carry's end and by CARRIER_KILLS: once.
            (10_000, K::CarrierKilled, fritz, hans, Some(Team::Axis), ""),
            (12_000, K::CarrierReturned, otto, None, Some(Team::Axis), ""),
            (15_000, K::CarrierPickup, otto, None, Some(Team::Axis), ""),
            (21_000, K::CarrierSecured, otto, None, Some(Team::Axis), ""),
            (25_000, K::DynamitePlant, otto, None, Some(Team::Axis), "Depot Gate"),
            (26_000, K::DynamiteDefuse, hans, None, Some(Team::Allies), "Depot Gate"),
            (27_000, K::Objective, hans, None, Some(Team::Allies), "tank repaired Tank"),
        ]
    );
    assert_eq!(r.events[1].pos, Some(Vec3::new(0.0, 100.0, 0.0)));
    assert_eq!(r.events[2].pos, Some(Vec3::new(610.0, 5.0, 0.0)), "the carry's end says where");
    assert_eq!(r.events[6].describe(), "dynamite planted (Depot Gate)");
    assert_eq!(r.duration_ms(), 35_200);
}

#[test]
fn a_v4_0_round_without_death_types_or_kill_positions_takes_its_kills_from_engagements() {
    let r = load("2026-01-20-201500-goldrush-round-2");
    assert_eq!(r.report.skipped_total, 0, "{}", r.report);
    assert_eq!((r.map(), r.round_number(), r.meta.format_version), (Some("goldrush"), Some(2), Some(4)));
    let kills: Vec<_> = r.combat.iter().filter(|e| e.kind == CombatKind::Kill).collect();
    assert_eq!(kills.len(), 1);
    assert_eq!((kills[0].time_ms, kills[0].target_pos), (5000, Some(Vec3::new(120.0, 0.0, 0.0))));
    assert_eq!(r.player_kill_count(), 1);
    assert_eq!(r.engagements[0].kind, EngagementType::Versus { attackers: 1, targets: 1 });
    assert!(r.report.notes.iter().any(|n| n.contains("no COMBAT_POSITIONS")), "{:?}", r.report.notes);
    assert_eq!(r.position_count(), 4);
}

#[test]
fn a_file_cut_short_loads_what_is_complete() {
    let r = load("2026-03-14-220000-supply-round-2");
    assert_eq!(r.report.skipped_total, 0, "{}", r.report);
    assert!(r.report.notes.iter().any(|n| n.contains("cut short")), "{:?}", r.report.notes);
    assert_eq!(r.players.len(), 1, "the cut row is left out");
    assert_eq!(r.position_count(), 2);
    assert!(r.engagements.is_empty() && r.combat.is_empty());
}

#[test]
fn a_round_written_in_the_public_format_reads_back_with_the_same_players_positions_and_kills() {
    use proxviz_data::{FileInput, FileKind, parse_round};
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/demo");
    for files in discover_rounds(&demo).expect("demo") {
        let round = files.load();
        let text = proxviz_data::write::upstream_text(&round);
        let mut inputs = [None; 4];
        inputs[FileKind::Engagements.index()] = Some(FileInput { label: "v6", bytes: text.as_bytes() });
        let back = parse_round(round.name.clone(), inputs);
        assert_eq!(back.report.skipped_total, 0, "{}", back.report);
        assert_eq!(back.meta.format_version, Some(6));
        assert_eq!(back.position_count(), round.position_count(), "{}", round.name.base);
        assert_eq!(back.player_kill_count(), round.player_kill_count());
        assert_eq!(back.engagements.len(), round.player_kill_count());
        assert_eq!(back.heatmap, round.heatmap);
        let count = |r: &Round, k: CombatKind| r.combat.iter().filter(|e| e.kind == k).count();
        for k in [CombatKind::Fire, CombatKind::Hit, CombatKind::Death] {
            assert_eq!(count(&back, k), count(&round, k), "{k:?}");
        }
        let mut names: Vec<&str> =
            round.tracks.iter().filter_map(|t| round.player(t.clientnum)).map(|p| p.name.as_str()).collect();
        let mut read: Vec<&str> = back.players.iter().map(|p| p.name.as_str()).collect();
        names.sort_unstable();
        read.sort_unstable();
        read.retain(|n| names.contains(n));
        assert_eq!(read, names);
    }
}

#[test]
fn round_events_read_back_from_both_writers() {
    use proxviz_data::{FileInput, FileKind, parse_round};
    let r = load("2026-03-14-213045-supply-round-1");
    assert_eq!(r.events.len(), 9);
    // The public format.
    let text = proxviz_data::write::upstream_text(&r);
    let mut inputs = [None; 4];
    inputs[FileKind::Engagements.index()] = Some(FileInput { label: "v6", bytes: text.as_bytes() });
    let back = parse_round(r.name.clone(), inputs);
    assert_eq!(back.report.skipped_total, 0, "{}", back.report);
    assert_eq!(back.events, r.events);
    // Ours: `# event` lines in the combat file, which a reader of the seed's format skips.
    let texts: Vec<String> = FileKind::ALL.iter().map(|&k| proxviz_data::write::file_text(&r, k)).collect();
    let inputs = std::array::from_fn(|i| Some(FileInput { label: "f", bytes: texts[i].as_bytes() }));
    let back = parse_round(r.name.clone(), inputs);
    assert_eq!(back.report.skipped_total, 0, "{}", back.report);
    assert_eq!(back.events, r.events);
    assert!(texts[FileKind::Combat.index()].contains("# event\t8000\trevive\t0\t2\tALLIES\t0\t100\t0\t\n"));
}

/// Found by the fuzz target: a player's track row whose path holds no sample read made an empty
/// track, which a written round does not have.
#[test]
fn a_track_row_without_samples_leaves_no_empty_track() {
    use proxviz_data::{FileInput, FileKind, RoundName, parse_round};
    let text = "# PROXIMITY_TRACKER_V6\n# map=supply\n# round=1\n\n# PLAYER_TRACKS\n\
        # guid;name;team;class;spawn_time;death_time;first_move_time;death_type;samples;path\n\
        AAAA0000000000000000000000000001;^1Fritz;AXIS;SOLDIER;0;30000;200;selfkill;0;\n\
        BBBB0000000000000000000000000002;^4Hans;ALLIES;MEDIC;0;10000;0;killed;1;0,600.0,0.0,0.0,100,0,2,0,0,spawn\n";
    let mut files: [Option<FileInput<'_>>; 4] = [None; 4];
    files[FileKind::Engagements.index()] = Some(FileInput { label: "t", bytes: text.as_bytes() });
    let name = RoundName::parse("2026-03-14-213045-supply-round-1");
    let round = parse_round(name.clone(), files);
    assert_eq!(round.tracks.len(), 1, "{:?}", round.tracks);
    assert!(round.tracks.iter().all(|t| !t.samples.is_empty()));
    let texts = FileKind::ALL.map(|k| proxviz_data::write::file_text(&round, k));
    let again =
        parse_round(name, std::array::from_fn(|i| Some(FileInput { label: "again", bytes: texts[i].as_bytes() })));
    assert_eq!(again.tracks, round.tracks);
}

/// Found by the fuzz target: the public format separates fields by `;`, so a name may hold a
/// tab, which our tab-separated files cannot: it is read as a space.
#[test]
fn a_tab_in_a_public_format_name_is_read_as_a_space() {
    use proxviz_data::{FileInput, FileKind, RoundName, parse_round};
    let text = "# PROXIMITY_TRACKER_V6\n# map=supply\n# round=1\n\n# PLAYER_TRACKS\n\
        # guid;name;team;class;spawn_time;death_time;first_move_time;death_type;samples;path\n\
        BBBB0000000000000000000000000002;^4Ha\tns;ALLIES;MEDIC;0;10000;0;killed;1;0,600.0,0.0,0.0,100,0,2,0,0,spawn\n";
    let mut files: [Option<FileInput<'_>>; 4] = [None; 4];
    files[FileKind::Engagements.index()] = Some(FileInput { label: "t", bytes: text.as_bytes() });
    let round = parse_round(RoundName::parse("2026-03-14-213045-supply-round-1"), files);
    assert_eq!(round.players.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["^4Ha ns"]);
}

/// Found by the fuzz target: `inf`, `nan` and numbers past f32 in a path are no speed or
/// coordinate (our files could not hold them).
#[test]
fn infinite_numbers_in_a_path_are_not_read_as_numbers() {
    use proxviz_data::{FileInput, FileKind, RoundName, parse_round};
    let text = "# PROXIMITY_TRACKER_V6\n# map=supply\n# round=1\n\n# PLAYER_TRACKS\n\
        # guid;name;team;class;spawn_time;death_time;first_move_time;death_type;samples;path\n\
        BBBB0000000000000000000000000002;Hans;ALLIES;MEDIC;0;10000;0;killed;3;\
        0,600.0,0.0,0.0,100,inf,2,0,0,spawn|200,1e39,0.0,0.0,100,0,2,0,0,sample|400,nan,0,0,100,0,2,0,0,sample\n";
    let mut files: [Option<FileInput<'_>>; 4] = [None; 4];
    files[FileKind::Engagements.index()] = Some(FileInput { label: "t", bytes: text.as_bytes() });
    let round = parse_round(RoundName::parse("2026-03-14-213045-supply-round-1"), files);
    for t in &round.tracks {
        for s in &t.samples {
            assert!(s.pos.is_finite() && s.speed_ups.is_finite(), "{s:?}");
        }
    }
    assert!(round.report.skipped_total > 0, "the row with no number for x is told");
}
