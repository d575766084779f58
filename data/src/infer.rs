//! Names and teams a seed-format round implies. The seed's tracker writes no roster, but:
//!
//! - its engagements file lists killer and victim names kill by kill, in the order of the combat
//!   file's player kills: matched one to one, each client's name is the one it always has;
//! - its heatmap file counts each kill in the killer's team column, in the victim's cell: a
//!   cell with kills of one team only says its killers' team; a player killed only by players
//!   of one team is on the other.
//!
//! Only what is unambiguous is taken (the counts must match, a client must always have the same
//! name, a killer's cells must agree); the rest stays unknown. What was inferred is recorded in
//! the metadata (`inferred_names`, `inferred_teams`: client numbers) so the window and the
//! statistics can say so.

use std::collections::{BTreeMap, BTreeSet};

use crate::heatmap::cell_of;
use crate::model::{Player, Round, Team};

/// Metadata key listing the clients whose names were inferred.
pub const INFERRED_NAMES: &str = "inferred_names";
/// Metadata key listing the clients whose teams were inferred.
pub const INFERRED_TEAMS: &str = "inferred_teams";

fn list(set: &BTreeSet<u16>) -> String {
    set.iter().map(u16::to_string).collect::<Vec<_>>().join(",")
}

/// The clients listed under metadata key `key`.
pub fn listed(round: &Round, key: &str) -> BTreeSet<u16> {
    round.meta.extra.get(key).map(|v| v.split(',').filter_map(|c| c.trim().parse().ok()).collect()).unwrap_or_default()
}

/// Fills in the roster of a round that has none (the seed's format) from what its files imply;
/// returns a note for the load report when anything was inferred.
pub fn infer_roster(round: &mut Round) -> Option<String> {
    if !round.players.is_empty() {
        return None;
    }
    let clients = round.clientnums();
    if clients.is_empty() {
        return None;
    }
    let kills = crate::timeline::player_kills_with_places(round);
    // Names: the i-th engagement describes the i-th player kill.
    let mut names: BTreeMap<u16, BTreeSet<&str>> = BTreeMap::new();
    if !round.engagements.is_empty() && round.engagements.len() == kills.len() {
        for (k, e) in kills.iter().zip(&round.engagements) {
            for (cn, name) in [(k.killer, e.killer_name.as_str()), (k.victim, e.victim_name.as_str())] {
                if !name.trim().is_empty() {
                    names.entry(cn).or_default().insert(name);
                }
            }
        }
    }
    // A name two clients share is no answer either.
    let mut owners: BTreeMap<&str, usize> = BTreeMap::new();
    for set in names.values().filter(|s| s.len() == 1) {
        for n in set {
            *owners.entry(n).or_default() += 1;
        }
    }
    let name_of = |cn: u16| -> Option<String> {
        let set = names.get(&cn)?;
        let only = (set.len() == 1).then(|| set.iter().next().copied()).flatten()?;
        (owners.get(only) == Some(&1)).then(|| only.to_owned())
    };
    // Teams: cells with one team's kills only name their killers' team.
    let cell = round.grid_size_units() as f32;
    let mut pure: BTreeMap<(i32, i32), Team> = BTreeMap::new();
    for c in &round.heatmap {
        match (c.axis_kills > 0, c.allies_kills > 0) {
            (true, false) => {
                pure.insert((c.grid_x, c.grid_y), Team::Axis);
            }
            (false, true) => {
                pure.insert((c.grid_x, c.grid_y), Team::Allies);
            }
            _ => {}
        }
    }
    let mut killer_teams: BTreeMap<u16, BTreeSet<Team>> = BTreeMap::new();
    for k in &kills {
        if let Some(pos) = k.pos
            && let Some(&t) = pure.get(&cell_of(glam::Vec2::new(pos.x, pos.y), cell))
        {
            killer_teams.entry(k.killer).or_default().insert(t);
        }
    }
    let mut teams: BTreeMap<u16, Team> = killer_teams
        .into_iter()
        .filter(|(_, set)| set.len() == 1)
        .filter_map(|(cn, set)| set.into_iter().next().map(|t| (cn, t)))
        .collect();
    // Victims of one side only are on the other (a player with a team of their own keeps it).
    let mut victim_sides: BTreeMap<u16, BTreeSet<Team>> = BTreeMap::new();
    for k in &kills {
        if let Some(&t) = teams.get(&k.killer) {
            victim_sides.entry(k.victim).or_default().insert(t);
        }
    }
    for (cn, sides) in victim_sides {
        if teams.contains_key(&cn) || sides.len() != 1 {
            continue;
        }
        if let Some(enemy) = sides.into_iter().next().and_then(Team::enemy) {
            teams.insert(cn, enemy);
        }
    }
    let mut inferred_names = BTreeSet::new();
    let mut inferred_teams = BTreeSet::new();
    round.players = clients
        .iter()
        .map(|&cn| {
            let name = name_of(cn);
            if name.is_some() {
                inferred_names.insert(cn);
            }
            let team = teams.get(&cn).copied();
            if team.is_some() {
                inferred_teams.insert(cn);
            }
            Player { clientnum: cn, team, name: name.unwrap_or_default() }
        })
        .collect();
    if inferred_names.is_empty() && inferred_teams.is_empty() {
        return None;
    }
    round.meta.extra.insert(INFERRED_NAMES.to_owned(), list(&inferred_names));
    round.meta.extra.insert(INFERRED_TEAMS.to_owned(), list(&inferred_teams));
    Some(format!(
        "no roster: names of {} of {} players inferred from the engagements file, teams of {} from the kills and the heatmap file",
        inferred_names.len(),
        clients.len(),
        inferred_teams.len()
    ))
}
