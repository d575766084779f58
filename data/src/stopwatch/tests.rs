//! Tests of stopwatch pairs, attackers and splits.

use super::*;
use crate::events::RoundEvent;
use crate::name::RoundName;

fn key(base: &str) -> PairKey {
    let n = RoundName::parse(base);
    PairKey { map: n.map.clone(), date: n.date, time: n.start_time, round: n.round_number() }
}

#[test]
fn a_round_two_pairs_with_the_last_round_one_of_its_map_and_session_before_it() {
    let keys: Vec<PairKey> = [
        "2025-12-20-200015-supply-round-1",
        "2025-12-20-201215-supply-round-2",
        "2025-12-20-202515-sw_goldrush_te-round-1",
        "2025-12-20-203515-sw_goldrush_te-round-2",
        "2025-12-20-210000-supply-round-1",
        "2025-12-20-211500-supply-round-2",
        "2025-12-21-200000-supply-round-2",
    ]
    .iter()
    .map(|b| key(b))
    .collect();
    assert_eq!(partner(&keys, 1), Some(0));
    assert_eq!(partner(&keys, 0), Some(1));
    assert_eq!(partner(&keys, 3), Some(2));
    // The second supply pair of the evening pairs with itself, not with the first.
    assert_eq!(partner(&keys, 5), Some(4));
    assert_eq!(partner(&keys, 4), Some(5));
    // Another day's round 2 has no round 1 that day.
    assert_eq!(partner(&keys, 6), None);
    assert_eq!(partner(&keys, 99), None);
}

#[test]
fn a_round_whose_other_half_is_missing_pairs_with_no_one() {
    let keys: Vec<PairKey> = [
        "2025-12-20-200000-supply-round-1", // its round 2 was never recorded
        "2025-12-20-210000-supply-round-1",
        "2025-12-20-211500-supply-round-2",
        "2025-12-20-220000-goldrush-round-1",
        "2025-12-20-221500-goldrush-round-2",
        "2025-12-20-230000-goldrush-round-2", // its round 1 was never recorded
    ]
    .iter()
    .map(|b| key(b))
    .collect();
    assert_eq!(partner(&keys, 0), None, "the next pair's round 2 is not this round's");
    assert_eq!((partner(&keys, 1), partner(&keys, 2)), (Some(2), Some(1)));
    assert_eq!((partner(&keys, 3), partner(&keys, 4)), (Some(4), Some(3)));
    assert_eq!(partner(&keys, 5), None, "the last pair's round 1 is not this round's");
}

fn event(time_ms: u32, kind: EventKind, team: Team, detail: &str) -> RoundEvent {
    RoundEvent { team: Some(team), detail: detail.to_owned(), ..RoundEvent::new(time_ms, kind) }
}

fn round(base: &str, events: Vec<RoundEvent>) -> Round {
    Round { name: RoundName::parse(base), events, ..Round::default() }
}

#[test]
fn the_attackers_are_who_planted_and_picked_up_and_the_defence_who_defused() {
    let r = round(
        "2025-12-20-200015-supply-round-1",
        vec![
            event(1000, EventKind::DynamitePlant, Team::Allies, "Forward Bunker"),
            event(5000, EventKind::DynamiteDefuse, Team::Axis, "Forward Bunker"),
            event(7000, EventKind::Revive, Team::Axis, ""),
        ],
    );
    assert_eq!(attackers(&r), Some(Team::Allies));
    assert_eq!(attackers(&round("2025-12-20-200015-supply-round-1", vec![])), None);
}

#[test]
fn splits_say_who_was_faster_to_each_objective_and_to_the_end() {
    let first = round(
        "2025-12-20-200015-supply-round-1",
        vec![
            event(131_000, EventKind::DynamitePlant, Team::Allies, "Forward Bunker"),
            event(140_000, EventKind::DynamitePlant, Team::Allies, "Forward Bunker"),
            event(150_000, EventKind::DynamiteDefuse, Team::Axis, "Forward Bunker"),
            event(300_000, EventKind::CarrierPickup, Team::Allies, "Crates"),
            event(480_000, EventKind::CarrierSecured, Team::Allies, "Crates"),
        ],
    );
    let second = round(
        "2025-12-20-201215-supply-round-2",
        vec![
            event(118_000, EventKind::DynamitePlant, Team::Axis, "Forward Bunker"),
            // The defence's plant (none in ET, but a file may say so) is not the attack's.
            event(100_000, EventKind::DynamitePlant, Team::Allies, "Side Gate"),
            event(260_000, EventKind::ObjectiveDestroyed, Team::Axis, "Forward Bunker"),
            event(290_000, EventKind::CarrierPickup, Team::Axis, "crates"),
            event(291_000, EventKind::DynamitePlant, Team::Axis, "Forward Bunker"),
        ],
    );
    let s = splits(&second, &first);
    let lines: Vec<String> = s.iter().map(Split::describe).collect();
    assert_eq!(
        lines,
        vec![
            "dynamite planted (Forward Bunker): 01:58 vs 02:11 · 13.0 s faster",
            "objective destroyed (Forward Bunker): 04:20 vs — · only this round",
            "objective picked up (crates): 04:50 vs 05:00 · 10.0 s faster",
            "objective secured (Crates): — vs 08:00 · only the other round",
            "round time: 04:51 vs 08:00 · 3:09 faster",
        ],
        "{lines:#?}"
    );
    assert_eq!(s[0].delta_ms(), Some(-13_000));
}
