//! Revives and objective events on the map and the timeline: which to show at a time, in what
//! colour, and how a list row reads.

use proxviz_data::Round;
use proxviz_data::events::{EventKind, RoundEvent};

/// How long after its moment an event stays on the map (fading) when not showing the whole
/// round.
pub const EVENT_SHOW_MS: u32 = 8_000;

/// The colour of a kind of event: revives green, explosives orange-red, defusing cyan,
/// constructions and flags gold, carried objectives pale yellow.
pub fn event_rgb(kind: EventKind) -> [u8; 3] {
    match kind {
        EventKind::Revive => [90, 225, 120],
        EventKind::DynamitePlant | EventKind::ObjectiveDestroyed => [255, 120, 40],
        EventKind::DynamiteDefuse => [80, 220, 235],
        EventKind::ConstructionComplete | EventKind::FlagCaptured | EventKind::Objective => [245, 200, 60],
        EventKind::CarrierPickup
        | EventKind::CarrierDrop
        | EventKind::CarrierKilled
        | EventKind::CarrierSecured
        | EventKind::CarrierReturned => [255, 240, 150],
    }
}

/// The events with a place to draw at `cursor_ms`, each with its opacity: 1 at its moment,
/// fading over [`EVENT_SHOW_MS`] after it (every one at full opacity for the whole round).
pub fn visible_events(
    events: &[RoundEvent],
    cursor_ms: u32,
    whole_round: bool,
) -> impl Iterator<Item = (&RoundEvent, f32)> {
    // Events are sorted by time: start at the first that can still show.
    let from =
        if whole_round { 0 } else { events.partition_point(|e| e.time_ms.saturating_add(EVENT_SHOW_MS) < cursor_ms) };
    events[from..]
        .iter()
        .filter(|e| e.pos.is_some())
        .map_while(move |e| {
            if whole_round {
                return Some(Some((e, 1.0)));
            }
            let after = cursor_ms.checked_sub(e.time_ms)?;
            Some((after <= EVENT_SHOW_MS).then(|| (e, 1.0 - 0.7 * after as f32 / EVENT_SHOW_MS as f32)))
        })
        .flatten()
}

/// One row of the events list: `dynamite planted (Depot Gate) · Otto`, `Otto revived by Hans`,
/// `carrier Hans killed by Fritz`.
pub fn describe(round: &Round, e: &RoundEvent) -> String {
    let name = |cn: u16| round.display_name(cn);
    match (e.kind, e.player, e.other) {
        (EventKind::Revive, Some(p), Some(o)) => format!("{} revived by {}", name(o), name(p)),
        (EventKind::Revive, None, Some(o)) => format!("{} revived", name(o)),
        (EventKind::CarrierKilled, Some(p), Some(o)) => format!("carrier {} killed by {}", name(o), name(p)),
        (_, Some(p), Some(o)) => format!("{} · {}, {}", e.describe(), name(p), name(o)),
        (_, Some(p), None) | (_, None, Some(p)) => format!("{} · {}", e.describe(), name(p)),
        (_, None, None) => e.describe(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use glam::Vec3;
    use proxviz_data::Team;

    fn at(t: u32, kind: EventKind) -> RoundEvent {
        RoundEvent { pos: Some(Vec3::ZERO), ..RoundEvent::new(t, kind) }
    }

    #[test]
    fn events_show_from_their_moment_and_fade_out() {
        let events = vec![
            at(1000, EventKind::Revive),
            RoundEvent::new(2000, EventKind::FlagCaptured),
            at(20_000, EventKind::DynamitePlant),
        ];
        let times = |t: u32, whole: bool| {
            visible_events(&events, t, whole).map(|(e, a)| (e.time_ms, (a * 10.0).round() as u32)).collect::<Vec<_>>()
        };
        assert_eq!(times(500, false), []);
        assert_eq!(times(1000, false), [(1000, 10)]);
        assert_eq!(times(1000 + EVENT_SHOW_MS, false), [(1000, 3)]);
        assert_eq!(times(1001 + EVENT_SHOW_MS, false), []);
        assert_eq!(times(20_000, false), [(20_000, 10)]);
        // The flag has no place: listed, never drawn.
        assert_eq!(times(0, true), [(1000, 10), (20_000, 10)]);
    }

    #[test]
    fn rows_name_who_did_it_and_to_whom() {
        let round = Round {
            players: vec![
                proxviz_data::Player { clientnum: 0, team: Some(Team::Allies), name: "^4Hans".into() },
                proxviz_data::Player { clientnum: 2, team: Some(Team::Allies), name: "Otto".into() },
            ],
            ..Round::default()
        };
        let e = RoundEvent { player: Some(0), other: Some(2), ..RoundEvent::new(8000, EventKind::Revive) };
        assert_eq!(describe(&round, &e), "Otto revived by Hans");
        let e = RoundEvent { other: Some(2), ..RoundEvent::new(8000, EventKind::Revive) };
        assert_eq!(describe(&round, &e), "Otto revived");
        let e =
            RoundEvent { player: Some(2), detail: "Depot Gate".into(), ..RoundEvent::new(1, EventKind::DynamitePlant) };
        assert_eq!(describe(&round, &e), "dynamite planted (Depot Gate) · Otto");
        assert_eq!(describe(&round, &RoundEvent::new(1, EventKind::FlagCaptured)), "flag captured");
    }
}
