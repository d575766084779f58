//! The public format's revives and objective events (REVIVES, CONSTRUCTION_EVENTS,
//! CARRIER_EVENTS, CARRIER_KILLS, CARRIER_RETURNS) as [`RoundEvent`]s.

use super::{Clients, Row, team};
use crate::events::{EventKind, RoundEvent, carry_end_kind, construction_kind};
use crate::model::{MAX_CLIENTS, Player};

/// A client named by a guid column (and its name and team columns), if the row has one.
fn who(row: &Row, clients: &mut Clients, guid: &str, name: &str, team_col: &str) -> Option<u16> {
    let slot = clients.slot(row.get(guid)?, row.get(name), row.get(team_col))?;
    (slot < MAX_CLIENTS).then_some(slot)
}

pub(super) fn revive_row(row: &Row, clients: &mut Clients) -> Result<RoundEvent, String> {
    Ok(RoundEvent {
        player: who(row, clients, "medic_guid", "medic_name", "-"),
        other: who(row, clients, "revived_guid", "revived_name", "-"),
        pos: row.vec3("x", "y", "z"),
        ..RoundEvent::new(row.num("time")?, EventKind::Revive)
    })
}

pub(super) fn construction_row(row: &Row, clients: &mut Clients) -> Result<Option<RoundEvent>, String> {
    let word = row.need("event_type")?;
    let kind = construction_kind(word);
    let track = row.get("track_name").unwrap_or_default();
    let detail = if kind == EventKind::Objective && word != "objective" {
        format!("{} {track}", word.replace('_', " ")).trim().to_owned()
    } else {
        track.to_owned()
    };
    // Our files separate columns by tabs: a detail keeps none (nor line ends).
    let detail = crate::text::field_safe(&detail).into_owned();
    Ok(Some(RoundEvent {
        player: who(row, clients, "player_guid", "player_name", "player_team"),
        team: row.get("player_team").and_then(team),
        pos: row.vec3("player_x", "player_y", "player_z"),
        detail,
        ..RoundEvent::new(row.num("event_time")?, kind)
    }))
}

/// A carry: the pickup, and its end when the row has one.
pub(super) fn carry_row(row: &Row, clients: &mut Clients) -> Result<Vec<RoundEvent>, String> {
    let carrier = who(row, clients, "carrier_guid", "carrier_name", "carrier_team");
    let team = row.get("carrier_team").and_then(team);
    let pickup = RoundEvent {
        player: carrier,
        team,
        pos: row.vec3("pickup_x", "pickup_y", "pickup_z"),
        ..RoundEvent::new(row.num("pickup_time")?, EventKind::CarrierPickup)
    };
    let mut out = vec![pickup];
    if let Some(end) = row.opt_num::<u32>("drop_time").filter(|&t| t > 0) {
        let outcome = row.get("outcome").unwrap_or_default();
        let kind = carry_end_kind(outcome);
        let killer = who(row, clients, "killer_guid", "killer_name", "-");
        let (player, other) = if kind == EventKind::CarrierKilled { (killer, carrier) } else { (carrier, None) };
        let plain = matches!(outcome, "" | "dropped" | "secured" | "killed");
        out.push(RoundEvent {
            player,
            other,
            team: if kind == EventKind::CarrierKilled { None } else { team },
            pos: row.vec3("drop_x", "drop_y", "drop_z"),
            detail: if plain {
                String::new()
            } else {
                crate::text::field_safe(&outcome.replace('_', " ")).into_owned()
            },
            ..RoundEvent::new(end, kind)
        });
    }
    Ok(out)
}

pub(super) fn carrier_kill_row(row: &Row, clients: &mut Clients) -> Result<RoundEvent, String> {
    Ok(RoundEvent {
        player: who(row, clients, "killer_guid", "killer_name", "killer_team"),
        other: who(row, clients, "carrier_guid", "carrier_name", "carrier_team"),
        team: row.get("killer_team").and_then(team),
        ..RoundEvent::new(row.num("kill_time")?, EventKind::CarrierKilled)
    })
}

pub(super) fn carrier_return_row(row: &Row, clients: &mut Clients) -> Result<RoundEvent, String> {
    Ok(RoundEvent {
        player: who(row, clients, "returner_guid", "returner_name", "returner_team"),
        team: row.get("returner_team").and_then(team),
        pos: row.vec3("drop_x", "drop_y", "drop_z"),
        ..RoundEvent::new(row.num("return_time")?, EventKind::CarrierReturned)
    })
}

/// Events in time order, teams filled from the roster, a carrier's death said once (CARRIER_KILLS
/// and the carry's end both say it; the one with a place is kept).
pub(super) fn finish_events(mut events: Vec<RoundEvent>, players: &[Player]) -> Vec<RoundEvent> {
    let team_of = |cn: Option<u16>| cn.and_then(|c| players.get(usize::from(c))).and_then(|p| p.team);
    for e in &mut events {
        if e.team.is_none() {
            e.team = team_of(e.player).or_else(|| if e.player.is_none() { team_of(e.other) } else { None });
        }
    }
    events.sort_by(|a, b| {
        a.time_ms.cmp(&b.time_ms).then(a.kind.cmp(&b.kind)).then(b.pos.is_some().cmp(&a.pos.is_some()))
    });
    events.dedup_by(|later, first| {
        later.kind == EventKind::CarrierKilled
            && first.kind == EventKind::CarrierKilled
            && later.time_ms == first.time_ms
            && later.other == first.other
            && {
                first.player = first.player.or(later.player);
                first.team = first.team.or(later.team);
                true
            }
    });
    events
}
