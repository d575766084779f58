//! The kill feed (the last few seconds' kills, killer → weapon → victim, as in the game's top
//! corner) and the player card (health, weapon, kills and deaths of one player at a time).

use proxviz_data::model::{CombatKind, MAX_CLIENTS, Team};
use proxviz_data::weapons::killed_with;
use proxviz_data::{Timeline, text};

/// How long a kill stays in the feed.
pub const FEED_SHOW_MS: u32 = 6_000;
/// Most lines the feed shows (the newest).
pub const FEED_LINES: usize = 6;

/// One line of the feed.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedLine {
    /// When the kill was.
    pub time_ms: u32,
    /// The killer's name and team (`None`: a suicide, a fall, the world).
    pub killer: Option<(String, Option<Team>)>,
    /// What killed: the means of death, else the weapon, else `?`.
    pub means: String,
    /// The victim's name and team.
    pub victim: (String, Option<Team>),
    /// A kill of a team-mate.
    pub teamkill: bool,
    /// 1 at the kill, fading towards the end of its time in the feed.
    pub opacity: f32,
}

impl FeedLine {
    /// The line as text: `Fritz [MP40] Tommy`, `Otto [Fell]`.
    pub fn text(&self) -> String {
        match &self.killer {
            Some((k, _)) => format!("{k} [{}] {}", self.means, self.victim.0),
            None => format!("{} [{}]", self.victim.0, self.means),
        }
    }
}

/// The feed at `time_ms`: deaths in the [`FEED_SHOW_MS`] up to it, oldest first, at most
/// [`FEED_LINES`].
pub fn feed_at(timeline: &Timeline, time_ms: u32) -> Vec<FeedLine> {
    let round = timeline.round();
    let from = time_ms.saturating_sub(FEED_SHOW_MS);
    let kills = timeline.kills_in(from..time_ms.saturating_add(1));
    let name = |cn: u16| text::for_display(&round.display_name(cn), 24);
    kills[kills.len().saturating_sub(FEED_LINES)..]
        .iter()
        .map(|k| {
            let event = round.combat.get(k.event_index);
            let by_player = k.by_player();
            let killer_team = by_player.then(|| timeline.team_at(k.killer, k.time_ms)).flatten();
            let victim_team = timeline.team_at(k.victim, k.time_ms);
            let age = time_ms.saturating_sub(k.time_ms);
            FeedLine {
                time_ms: k.time_ms,
                killer: by_player.then(|| (name(k.killer), killer_team)),
                means: killed_with(event.and_then(|e| e.mod_id), event.and_then(|e| e.weapon)),
                victim: (name(k.victim), victim_team),
                teamkill: by_player && killer_team.is_some() && killer_team == victim_team,
                opacity: 1.0 - 0.6 * age as f32 / FEED_SHOW_MS as f32,
            }
        })
        .collect()
}

/// How far back the card looks for the weapon in hand.
const WEAPON_LOOKBACK_MS: u32 = 60_000;

/// One player at a time: what the game's scoreboard and HUD would say.
#[derive(Debug, Clone, PartialEq)]
pub struct PlayerCard {
    /// Client slot.
    pub clientnum: u16,
    /// Name (for display).
    pub name: String,
    /// Team at the time.
    pub team: Option<Team>,
    /// Alive at the time.
    pub alive: bool,
    /// Health of the last sample (when the round records it).
    pub health: Option<i16>,
    /// The weapon last fired or hit with up to the time.
    pub weapon: Option<String>,
    /// Kills of other players up to the time.
    pub kills: u32,
    /// Deaths (any cause) up to the time.
    pub deaths: u32,
}

impl PlayerCard {
    /// `12 / 5` kills per deaths, with the ratio.
    pub fn kd(&self) -> String {
        let ratio = f64::from(self.kills) / f64::from(self.deaths.max(1));
        format!("{} / {} ({ratio:.2})", self.kills, self.deaths)
    }
}

/// Player `clientnum` at `time_ms`, or `None` for no such player.
pub fn card_at(timeline: &Timeline, clientnum: u16, time_ms: u32) -> Option<PlayerCard> {
    if clientnum >= MAX_CLIENTS {
        return None;
    }
    let round = timeline.round();
    let state = timeline.state_at(clientnum, time_ms);
    if state.is_none() && round.player(clientnum).is_none() {
        return None;
    }
    let upto = 0..time_ms.saturating_add(1);
    let kills = timeline.kills_in(upto.clone());
    let count = |f: &dyn Fn(&proxviz_data::timeline::Kill) -> bool| {
        u32::try_from(kills.iter().filter(|k| f(k)).count()).unwrap_or(u32::MAX)
    };
    // The latest shot or hit by the player carries the weapon in hand (looked for in the last
    // minute only: a frame never walks a whole round's shots).
    let weapon = timeline
        .combat_in(time_ms.saturating_sub(WEAPON_LOOKBACK_MS)..time_ms.saturating_add(1))
        .iter()
        .rev()
        .map(|&i| &round.combat[i as usize])
        .find(|e| e.attacker == clientnum && matches!(e.kind, CombatKind::Fire | CombatKind::Hit) && e.weapon.is_some())
        .and_then(|e| e.weapon)
        .map(proxviz_data::weapons::weapon_label);
    Some(PlayerCard {
        clientnum,
        name: text::for_display(&round.display_name(clientnum), 32),
        team: timeline.team_at(clientnum, time_ms),
        alive: state.is_some_and(|s| s.alive),
        health: state.and_then(|s| s.health),
        weapon,
        kills: count(&|k| k.killer == clientnum && k.by_player()),
        deaths: count(&|k| k.victim == clientnum),
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use glam::Vec3;
    use proxviz_data::model::{CombatEvent, PlayerTrack, PositionSample};
    use proxviz_data::{Player, Round};

    use super::*;

    fn kill(time_ms: u32, kind: CombatKind, by: u16, on: u16, weapon: Option<u16>, mod_id: Option<u16>) -> CombatEvent {
        CombatEvent { weapon, mod_id, ..CombatEvent::new(time_ms, kind, by, Some(on)) }
    }

    fn sample(time_ms: u32, team: Team, health: i16) -> PositionSample {
        PositionSample {
            time_ms,
            pos: Vec3::ZERO,
            yaw_deg: 0.0,
            pitch_deg: 0.0,
            speed_ups: 0.0,
            health: Some(health),
            team: Some(team),
            moving: false,
        }
    }

    /// Fritz (Axis) kills Tommy with an MP40 at 1 s; Tommy falls to his death at 2 s (the world);
    /// Tommy kills team-mate Hans with a Thompson at 3 s; Fritz kills Hans at 9 s (weapon only).
    fn timeline() -> Timeline {
        let player = |clientnum, team, name: &str| Player { clientnum, team: Some(team), name: name.to_owned() };
        let track = |clientnum, team| PlayerTrack {
            clientnum,
            samples: (0..=20).map(|s| sample(s * 500, team, 100 - s as i16)).collect(),
        };
        let mut fire = CombatEvent::new(8_000, CombatKind::Fire, 0, None);
        fire.weapon = Some(5);
        let round = Round {
            players: vec![
                player(0, Team::Axis, "^1Fritz"),
                player(1, Team::Allies, "Tommy"),
                player(2, Team::Allies, "Hans"),
            ],
            tracks: vec![track(0, Team::Axis), track(1, Team::Allies), track(2, Team::Allies)],
            combat: vec![
                kill(1_000, CombatKind::Kill, 0, 1, Some(3), Some(8)),
                kill(2_000, CombatKind::Death, 1022, 1, None, Some(32)),
                kill(3_000, CombatKind::Kill, 1, 2, Some(8), Some(9)),
                fire,
                kill(9_000, CombatKind::Kill, 0, 2, Some(3), None),
            ],
            ..Round::default()
        };
        Timeline::new(Arc::new(round))
    }

    #[test]
    fn the_feed_lists_the_last_seconds_of_deaths_with_names_weapons_and_teams() {
        let t = timeline();
        let texts = |at| feed_at(&t, at).iter().map(FeedLine::text).collect::<Vec<_>>();
        assert!(texts(999).is_empty());
        assert_eq!(texts(1_000), ["Fritz [MP40] Tommy"]);
        assert_eq!(texts(3_000), ["Fritz [MP40] Tommy", "Tommy [Fell]", "Tommy [Thompson] Hans"]);
        assert_eq!(texts(8_500), ["Tommy [Thompson] Hans"], "older than six seconds: gone");
        assert_eq!(texts(9_000), ["Tommy [Thompson] Hans", "Fritz [MP40] Hans"], "the weapon when no means");
        let lines = feed_at(&t, 3_000);
        assert_eq!(lines[0].killer.as_ref().map(|k| k.1), Some(Some(Team::Axis)));
        assert_eq!(lines[0].victim.1, Some(Team::Allies));
        assert!(!lines[0].teamkill && lines[2].teamkill, "Tommy on Hans is a team kill");
        assert!(lines[1].killer.is_none(), "the world is nobody");
        assert!(lines[2].opacity == 1.0 && lines[0].opacity < lines[1].opacity);
    }

    #[test]
    fn the_feed_keeps_the_newest_lines() {
        let mut round = (*timeline().round_arc().clone()).clone();
        round.combat = (0..20).map(|i| kill(1_000 + i * 10, CombatKind::Kill, 0, 1, Some(3), None)).collect();
        let t = Timeline::new(Arc::new(round));
        let lines = feed_at(&t, 2_000);
        assert_eq!(lines.len(), FEED_LINES);
        assert_eq!(lines.last().map(|l| l.time_ms), Some(1_190));
    }

    #[test]
    fn a_card_says_health_weapon_and_kills_and_deaths_up_to_the_time() {
        let t = timeline();
        let fritz = card_at(&t, 0, 8_500).expect("Fritz");
        assert_eq!(fritz.name, "Fritz");
        assert_eq!((fritz.kills, fritz.deaths), (1, 0));
        assert_eq!(fritz.weapon.as_deref(), Some("Panzerfaust"), "the shot at 8 s");
        assert_eq!(fritz.health, Some(83));
        assert_eq!(fritz.team, Some(Team::Axis));
        assert_eq!(card_at(&t, 0, 9_000).map(|c| c.kd()).as_deref(), Some("2 / 0 (2.00)"));
        let tommy = card_at(&t, 1, 3_000).expect("Tommy");
        assert_eq!((tommy.kills, tommy.deaths), (1, 2), "a team kill counts as a kill of a player");
        assert_eq!(tommy.weapon, None, "no shot recorded");
        assert_eq!(card_at(&t, 7, 3_000), None);
        assert_eq!(card_at(&t, 1022, 3_000), None);
    }
}
