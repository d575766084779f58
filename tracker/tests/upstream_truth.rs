//! The simulator's truth written in the current public tracker's v6 format
//! (`sim::upstream`), read back by proxviz's reader and checked against the truth: players,
//! positions per life, kills with places, engagement types, the kill grid, revives and objective
//! events; and the same round as builds before June 2026 wrote it (times from map load).

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use proxviz_data::{CombatKind, EventKind, Round, discover_rounds};
use proxviz_tracker::sim::{MatchConfig, Truth, run_match, upstream};

struct Played {
    truth: Truth,
    round: Round,
    old_build: Round,
    /// Our own tracker's round of the same match, from the same folder.
    ours: Round,
}

/// One 16-player, 5-minute round on supply, written as v6 (twice: live-time and map-load
/// times) beside our tracker's own four files.
fn played() -> &'static Played {
    static PLAYED: OnceLock<Played> = OnceLock::new();
    PLAYED.get_or_init(|| {
        let home = tempfile::tempdir().expect("tempdir");
        let mut cfg = MatchConfig::new("supply");
        cfg.players = 16;
        cfg.minutes = 5.0;
        cfg.seed = 5;
        cfg.warmup_secs = 20;
        let outcome = run_match(&cfg, home.path()).expect("simulates");
        let base = upstream::base_name(&outcome.truth, &cfg);
        let write = |dir: &std::path::Path, old: bool| {
            let text = upstream::upstream_text(&outcome.truth, &cfg, old);
            std::fs::write(dir.join(format!("{base}_engagements.txt")), text).expect("writes");
        };
        // A mixed folder: our tracker's files and the public format's.
        write(&outcome.output_dir, false);
        let rounds = discover_rounds(&outcome.output_dir).expect("rounds");
        assert_eq!(rounds.len(), 2, "{:?}", rounds.iter().map(|r| &r.name.base).collect::<Vec<_>>());
        let loaded: Vec<Round> = rounds.iter().map(|r| r.load()).collect();
        let (v6, ours): (Vec<Round>, Vec<Round>) = loaded.into_iter().partition(|r| r.meta.format_version == Some(6));
        let old_dir = home.path().join("old");
        std::fs::create_dir_all(&old_dir).expect("dir");
        write(&old_dir, true);
        let old_build = discover_rounds(&old_dir).expect("old")[0].load();
        Played {
            truth: outcome.truth,
            round: v6.into_iter().next().expect("v6"),
            old_build,
            ours: ours.into_iter().next().expect("ours"),
        }
    })
}

/// Parsed client slot → the truth's slot, by name (a name here belongs to one slot: a bot that
/// leaves and joins again comes back in its slot, with a new guid).
fn slots(p: &Played) -> HashMap<u16, usize> {
    let mut by_name: HashMap<&str, usize> = HashMap::new();
    for tp in &p.truth.players {
        assert_eq!(*by_name.entry(tp.name.as_str()).or_insert(tp.cn), tp.cn, "{} in two slots", tp.name);
    }
    p.round.players.iter().map(|pl| (pl.clientnum, by_name[pl.name.as_str()])).collect()
}

fn player_kill(k: &proxviz_tracker::sim::TruthKill) -> bool {
    (0..64).contains(&k.killer) && k.killer != k.victim as i64
}

#[test]
fn the_file_reads_without_a_skipped_line_and_says_what_it_lacks() {
    let r = &played().round;
    assert_eq!(r.report.skipped_total, 0, "{}", r.report);
    assert!(!r.report.notes.iter().any(|n| n.contains("repeat")), "{:?}", r.report.notes);
    assert!(r.report.notes.iter().any(|n| n.contains("no SHOT_FIRED")), "{:?}", r.report.notes);
    assert_eq!(r.format_label(), "public v6");
    assert_eq!(played().ours.format_label(), "proxviz");
    assert_eq!(r.map(), Some("supply"));
}

#[test]
fn every_position_is_where_the_simulator_had_the_player_alive() {
    let p = played();
    let slot = slots(p);
    let start = p.truth.round_start_level_time;
    let mut checked = 0;
    for track in &p.round.tracks {
        let cn = slot[&track.clientnum];
        for s in track.samples.iter().filter(|s| s.health.is_some_and(|h| h > 0)) {
            let truth = p.truth.position(cn, start + i64::from(s.time_ms)).expect("in the simulation");
            assert!(truth.alive, "{cn} sampled at {} while dead", s.time_ms);
            assert!(s.pos.distance(truth.pos) <= 0.1, "{cn} at {}: {} vs {}", s.time_ms, s.pos, truth.pos);
            assert_eq!(s.team.map(|t| i64::from(t.number())), Some(truth.team));
            checked += 1;
        }
    }
    // 16 players, five samples a second, most of five minutes alive.
    assert!(checked > 16 * 5 * 150, "{checked} samples");
}

#[test]
fn every_death_is_there_with_both_places_and_every_kill_has_its_engagement_type() {
    let p = played();
    let slot = slots(p);
    let start = p.truth.round_start_level_time;
    let kills: Vec<_> = p.round.combat.iter().filter(|e| e.kind.is_death()).collect();
    assert_eq!(kills.len(), p.truth.kills.len());
    assert_eq!(p.round.player_kill_count(), p.truth.kills.iter().filter(|k| player_kill(k)).count());
    for k in &p.truth.kills {
        let t = (k.level_time - start) as u32;
        let e = kills
            .iter()
            .find(|e| e.time_ms == t && e.target.map(|v| slot[&v]) == Some(k.victim))
            .unwrap_or_else(|| panic!("death of {} at {t}", k.victim));
        assert_eq!(e.kind == CombatKind::Kill, player_kill(k), "{k:?}");
        // COMBAT_POSITIONS writes whole units.
        assert!(e.target_pos.expect("victim place").distance(k.victim_pos) <= 1.0);
        if player_kill(k) {
            assert_eq!(slot[&e.attacker] as i64, k.killer);
            assert!(e.attacker_pos.expect("killer place").distance(k.killer_pos.expect("truth")) <= 1.0);
            let g =
                p.round.engagements.iter().find(|g| g.time_ms == Some(t) && g.victim == e.target).expect("engagement");
            assert_eq!(g.kind.to_string(), format!("{}v1", k.attackers.max(1)), "at {t}");
        }
    }
    assert!(p.round.engagements.iter().any(|g| g.kind.to_string() != "1v1"), "some fights had more attackers");
}

#[test]
fn the_kill_grid_counts_player_kills_in_the_killers_team_column() {
    let p = played();
    let expected = p.truth.kill_cells(512.0);
    let got: BTreeMap<(i32, i32), (u32, u32)> =
        p.round.heatmap.iter().map(|c| ((c.grid_x, c.grid_y), (c.axis_kills, c.allies_kills))).collect();
    assert_eq!(got, expected);
}

#[test]
fn revives_name_the_medic_and_objective_events_the_objective() {
    let p = played();
    let slot = slots(p);
    let start = p.truth.round_start_level_time;
    let revives: Vec<_> = p.round.events.iter().filter(|e| e.kind == EventKind::Revive).collect();
    assert!(!p.truth.revives.is_empty(), "the simulator revived someone");
    assert_eq!(revives.len(), p.truth.revives.len());
    for (e, r) in revives.iter().zip(&p.truth.revives) {
        assert_eq!(i64::from(e.time_ms), r.level_time - start);
        assert_eq!(e.other.map(|c| slot[&c]), Some(r.revived));
        assert_eq!(e.player.map(|c| slot[&c]), r.medic);
        assert!(e.pos.expect("place").distance(r.pos) <= 1.0);
    }
    assert!(!p.truth.objectives.is_empty(), "someone planted at an objective");
    let plants: Vec<_> = p.round.events.iter().filter(|e| e.kind == EventKind::DynamitePlant).collect();
    assert_eq!(plants.len(), p.truth.objectives.len());
    for (e, o) in plants.iter().zip(&p.truth.objectives) {
        assert_eq!((i64::from(e.time_ms), e.detail.as_str()), (o.level_time - start, o.target.as_str()));
        assert_eq!(e.player.map(|c| slot[&c]), Some(o.cn));
    }
}

#[test]
fn a_revived_life_has_no_positions_as_in_the_public_tracker() {
    let p = played();
    let slot = slots(p);
    let start = p.truth.round_start_level_time;
    let r = &p.truth.revives[0];
    let cn = p.round.players.iter().find(|pl| slot[&pl.clientnum] == r.revived).expect("revived player").clientnum;
    let t = (r.level_time - start) as u32;
    let next = p.round.track(cn).and_then(|tr| tr.samples.iter().find(|s| s.time_ms >= t)).map(|s| s.time_ms);
    // The next sample is a later spawn, not the revive's place a moment later.
    assert!(next.is_none_or(|n| n > t + 1000), "sample at {next:?} right after the revive at {t}");
    assert!(p.round.report.notes.iter().any(|n| n.contains("revived")), "{:?}", p.round.report.notes);
}

#[test]
fn a_file_of_an_old_build_with_times_from_map_load_reads_as_the_round_from_its_start() {
    let p = played();
    let (old, new) = (&p.old_build, &p.round);
    assert_eq!(old.report.skipped_total, 0, "{}", old.report);
    assert!(old.report.notes.iter().any(|n| n.contains("map load")), "{:?}", old.report.notes);
    // The first spawn marks the start: the first frame of the live round, at most one frame
    // (50 ms) after the moment it went live.
    let shift = new.duration_ms() - old.duration_ms();
    assert!(shift <= 50, "{shift} ms");
    let times = |r: &Round, by: u32| r.combat.iter().map(|e| e.time_ms + by).collect::<Vec<_>>();
    assert_eq!(times(old, shift), times(new, 0));
    assert_eq!(old.position_count(), new.position_count());
    let events = |r: &Round, by: u32| r.events.iter().map(|e| e.time_ms + by).collect::<Vec<_>>();
    assert_eq!(events(old, shift), events(new, 0));
}
