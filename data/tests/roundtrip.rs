//! Property tests: whatever round the writer is given, the parser reads back the same round;
//! and no input bytes, however broken, make the parser panic.

use std::collections::BTreeMap;

use glam::Vec3;
use proptest::collection::{btree_map, btree_set, vec};
use proptest::prelude::*;
use proxviz_data::write::file_text;
use proxviz_data::{
    CombatEvent, CombatKind, Engagement, EngagementType, FileInput, FileKind, HeatmapCell, Metadata, Player,
    PlayerTrack, PositionSample, Round, RoundName, Team, parse_round,
};

fn finite() -> impl Strategy<Value = f32> {
    prop_oneof![
        4 => (-80_000i32..80_000).prop_map(|v| v as f32 / 10.0),
        1 => proptest::num::f32::NORMAL | proptest::num::f32::SUBNORMAL | proptest::num::f32::ZERO,
    ]
}

fn vec3() -> impl Strategy<Value = Vec3> {
    (finite(), finite(), finite()).prop_map(|(x, y, z)| Vec3::new(x, y, z))
}

fn team() -> impl Strategy<Value = Team> {
    prop_oneof![Just(Team::Free), Just(Team::Axis), Just(Team::Allies), Just(Team::Spectator)]
}

/// Names as players pick them: colour codes, spaces, Unicode; never a tab or line break.
fn name() -> impl Strategy<Value = String> {
    "(\\^[0-9a-z])?[^\t\r\n]{0,20}"
}

/// A metadata value: the reader trims values, so the writer's input has no outer blanks.
fn meta_value() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_.:/]([A-Za-z0-9_.:/ -]{0,20}[A-Za-z0-9_.:/])?"
}

fn metadata() -> impl Strategy<Value = Metadata> {
    (
        proptest::option::of(meta_value()),
        proptest::option::of(meta_value()),
        proptest::option::of(1u32..100),
        proptest::option::of(1u32..4096),
        proptest::option::of(any::<i64>()),
        btree_map("x_[a-z0-9_]{1,10}", meta_value(), 0..4),
    )
        .prop_map(|(tracker, map, round, grid, start, extra)| Metadata {
            format_version: Some(proxviz_data::write::FORMAT_VERSION),
            tracker_version: tracker,
            map,
            round_number: round,
            grid_size_units: grid,
            round_start_unix: start,
            extra: extra.into_iter().collect::<BTreeMap<_, _>>(),
        })
}

fn players() -> impl Strategy<Value = Vec<Player>> {
    btree_map(0u16..64, (proptest::option::of(team()), name()), 0..12)
        .prop_map(|m| m.into_iter().map(|(clientnum, (team, name))| Player { clientnum, team, name }).collect())
}

fn sample_at(time_ms: u32) -> impl Strategy<Value = PositionSample> {
    (
        vec3(),
        finite(),
        finite(),
        finite(),
        proptest::option::of(any::<i16>()),
        proptest::option::of(team()),
        any::<bool>(),
    )
        .prop_map(move |(pos, yaw_deg, pitch_deg, speed_ups, health, team, moving)| PositionSample {
            time_ms,
            pos,
            yaw_deg,
            pitch_deg,
            speed_ups,
            health,
            team,
            moving,
        })
}

fn track(clientnum: u16) -> impl Strategy<Value = PlayerTrack> {
    btree_set(any::<u32>(), 1..20)
        .prop_flat_map(|times| times.into_iter().map(sample_at).collect::<Vec<_>>())
        .prop_map(move |samples| PlayerTrack { clientnum, samples })
}

fn tracks() -> impl Strategy<Value = Vec<PlayerTrack>> {
    btree_set(0u16..64, 0..6).prop_flat_map(|clients| clients.into_iter().map(track).collect::<Vec<_>>())
}

fn combat_event() -> impl Strategy<Value = CombatEvent> {
    let kind = prop_oneof![Just(CombatKind::Fire), Just(CombatKind::Hit), Just(CombatKind::Kill)];
    (
        (any::<u32>(), kind, 0u16..1024, proptest::option::of(0u16..1024), finite()),
        (
            any::<u16>(),
            any::<u16>(),
            any::<i32>(),
            proptest::option::of(any::<u16>()),
            proptest::option::of(any::<u16>()),
        ),
        (proptest::option::of(vec3()), proptest::option::of(vec3())),
    )
        .prop_map(
            |(
                (time_ms, kind, attacker, target, distance),
                (nearby_allies, nearby_enemies, damage, weapon, mod_id),
                (a, t),
            )| {
                CombatEvent {
                    time_ms,
                    kind,
                    attacker,
                    target,
                    distance,
                    nearby_allies,
                    nearby_enemies,
                    damage,
                    weapon,
                    mod_id,
                    attacker_pos: a,
                    target_pos: t,
                }
            },
        )
}

fn engagement() -> impl Strategy<Value = Engagement> {
    let kind = prop_oneof![
        (1u8..10, 1u8..10).prop_map(|(a, b)| EngagementType::versus(a, b)),
        "[A-Z]{1,8}".prop_map(EngagementType::Other),
    ];
    (
        (kind, finite(), name(), name()),
        (proptest::option::of(any::<u32>()), proptest::option::of(0u16..1024), proptest::option::of(0u16..1024)),
        (proptest::option::of(vec3()), proptest::option::of(any::<u16>()), proptest::option::of(any::<u16>())),
    )
        .prop_map(
            |((kind, distance, killer_name, victim_name), (time_ms, killer, victim), (victim_pos, ab, tb))| {
                Engagement {
                    kind,
                    distance,
                    killer_name,
                    victim_name,
                    time_ms,
                    killer,
                    victim,
                    victim_pos,
                    attacker_backup: ab,
                    target_backup: tb,
                }
            },
        )
}

fn heatmap_cell() -> impl Strategy<Value = HeatmapCell> {
    (any::<i32>(), any::<i32>(), any::<u32>(), any::<u32>())
        .prop_map(|(grid_x, grid_y, axis_kills, allies_kills)| HeatmapCell { grid_x, grid_y, axis_kills, allies_kills })
}

fn round_event() -> impl Strategy<Value = proxviz_data::RoundEvent> {
    let kind = proptest::sample::select(proxviz_data::EventKind::ALL.to_vec());
    (
        (any::<u32>(), kind, proptest::option::of(0u16..1024), proptest::option::of(0u16..1024)),
        (proptest::option::of(team()), proptest::option::of(vec3()), name()),
    )
        .prop_map(|((time_ms, kind, player, other), (team, pos, detail))| proxviz_data::RoundEvent {
            time_ms,
            kind,
            player,
            other,
            team,
            pos,
            detail,
        })
}

fn round() -> impl Strategy<Value = Round> {
    (
        (metadata(), players(), tracks()),
        (vec(combat_event(), 0..20), vec(engagement(), 0..10), vec(heatmap_cell(), 0..10), vec(round_event(), 0..8)),
    )
        .prop_map(|((meta, players, tracks), (combat, engagements, heatmap, mut events))| Round {
            name: RoundName::parse("2025-12-20-120000-supply-round-1"),
            meta,
            players,
            tracks,
            combat,
            engagements,
            heatmap,
            events: {
                events.sort_by_key(|e| e.time_ms);
                events
            },
            ..Round::default()
        })
}

fn reparse(round: &Round) -> Round {
    let texts = FileKind::ALL.map(|k| file_text(round, k));
    let inputs = std::array::from_fn(|i| Some(FileInput { label: "f", bytes: texts[i].as_bytes() }));
    parse_round(round.name.clone(), inputs)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn parsing_what_the_writer_wrote_gives_the_same_round(round in round()) {
        let back = reparse(&round);
        prop_assert!(back.report.is_clean(), "{}", back.report);
        prop_assert_eq!(&back.meta, &round.meta);
        prop_assert_eq!(&back.players, &round.players);
        prop_assert_eq!(&back.tracks, &round.tracks);
        prop_assert_eq!(&back.combat, &round.combat);
        prop_assert_eq!(&back.engagements, &round.engagements);
        prop_assert_eq!(&back.heatmap, &round.heatmap);
        prop_assert_eq!(&back.events, &round.events);
        prop_assert!(back.same_content(&round));
    }

    #[test]
    fn arbitrary_bytes_never_panic(files in vec(proptest::option::of(vec(any::<u8>(), 0..400)), 4)) {
        let inputs = std::array::from_fn(|i| files[i].as_ref().map(|b| FileInput { label: "f", bytes: b }));
        let round = parse_round(RoundName::default(), inputs);
        prop_assert!(round.report.skipped_total >= round.report.skipped.len());
    }

    #[test]
    fn damaged_files_never_panic_and_keep_their_good_lines(round in round(), cut in any::<prop::sample::Index>(), flips in vec((any::<prop::sample::Index>(), any::<u8>()), 0..8)) {
        let mut text = file_text(&round, FileKind::Combat).into_bytes();
        for (at, byte) in flips {
            let i = at.index(text.len());
            text[i] = byte;
        }
        let cut = cut.index(text.len() + 1);
        let mut files = [None; 4];
        files[FileKind::Combat.index()] = Some(FileInput { label: "c", bytes: &text[..cut] });
        let back = parse_round(round.name.clone(), files);
        prop_assert!(back.combat.len() <= round.combat.len());
    }
}

#[test]
fn any_writer_output_is_a_valid_seed_file_for_the_first_columns() {
    // The seed's reader splits on tabs and reads the first columns; our extra columns come after.
    let mut r = Round { name: RoundName::parse("2025-12-20-120000-supply-round-1"), ..Round::default() };
    r.combat.push(CombatEvent {
        time_ms: 5000,
        kind: CombatKind::Fire,
        attacker: 0,
        target: None,
        distance: 0.0,
        nearby_allies: 1,
        nearby_enemies: 0,
        damage: 0,
        weapon: Some(8),
        mod_id: None,
        attacker_pos: Some(Vec3::new(1.5, 2.0, 3.0)),
        target_pos: None,
    });
    let text = file_text(&r, FileKind::Combat);
    let data: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(data, ["5000\tfire\t0\tNONE\t0\t1\t0\t0\t8\t-\t1.5\t2\t3\t-\t-\t-"]);
}
