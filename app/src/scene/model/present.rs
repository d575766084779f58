//! The players at a replay time, as plain data: markers, death marks, trails, kills and deaths
//! so far, team colours, and who the user has hidden. The Bevy systems only draw this, so it is
//! tested without a window.

use glam::Vec2;
use proxviz_data::{Team, Timeline};

use super::backdrop::walkable_step;

/// Team colours, the same everywhere (markers, lists, ticks): Axis red, Allies blue.
pub fn team_rgb(team: Option<Team>) -> [f32; 3] {
    match team {
        Some(Team::Axis) => [0.86, 0.20, 0.18],
        Some(Team::Allies) => [0.20, 0.45, 0.95],
        _ => [0.65, 0.65, 0.65],
    }
}

/// Colours for players whose team is not known (a seed-format round whose teams could not be
/// inferred): told apart from one another, and from the teams' red and blue.
const NO_TEAM_RGB: [[f32; 3]; 6] = [
    [0.25, 0.78, 0.55],
    [0.95, 0.68, 0.15],
    [0.72, 0.48, 0.92],
    [0.60, 0.82, 0.22],
    [0.95, 0.50, 0.75],
    [0.35, 0.80, 0.90],
];

/// How many colours players without a team are drawn in.
pub const NO_TEAM_COLOURS: usize = NO_TEAM_RGB.len();

/// A player's colour: the team's, else (no team known) one of [`NO_TEAM_COLOURS`] picked by
/// client slot, so players stay apart on the map and in the lists.
pub fn player_rgb(clientnum: u16, team: Option<Team>) -> [f32; 3] {
    match team {
        None => NO_TEAM_RGB[usize::from(clientnum) % NO_TEAM_RGB.len()],
        Some(_) => team_rgb(team),
    }
}

/// A player on the map.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    /// Client slot.
    pub clientnum: u16,
    /// World position.
    pub pos: Vec2,
    /// Height (world z), for maps with floors.
    pub height: f32,
    /// View yaw, degrees.
    pub yaw_deg: f32,
    /// Alive.
    pub alive: bool,
    /// Team.
    pub team: Option<Team>,
    /// Name without colour codes.
    pub name: String,
}

/// Players and teams the user has hidden.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hidden {
    /// Hidden client slots.
    pub players: Vec<u16>,
    /// Hidden teams (a player is hidden while on one of them).
    pub teams: Vec<Team>,
}

impl Hidden {
    /// Whether a player on `team` is hidden.
    pub fn hides(&self, clientnum: u16, team: Option<Team>) -> bool {
        self.players.contains(&clientnum) || team.is_some_and(|t| self.teams.contains(&t))
    }

    /// Shows or hides a player.
    pub fn set_player(&mut self, clientnum: u16, shown: bool) {
        self.players.retain(|&c| c != clientnum);
        if !shown {
            self.players.push(clientnum);
        }
    }

    /// Shows or hides a team.
    pub fn set_team(&mut self, team: Team, shown: bool) {
        self.teams.retain(|&t| t != team);
        if !shown {
            self.teams.push(team);
        }
    }
}

/// The players present at `time_ms`, except hidden ones and spectators.
pub fn markers_at(timeline: &Timeline, time_ms: u32, hidden: &Hidden) -> Vec<Marker> {
    let round = timeline.round();
    timeline
        .states_at(time_ms)
        .into_iter()
        .filter(|s| !hidden.hides(s.clientnum, s.team) && !matches!(s.team, Some(Team::Spectator)))
        .map(|s| Marker {
            clientnum: s.clientnum,
            pos: Vec2::new(s.pos.x, s.pos.y),
            height: s.pos.z,
            yaw_deg: s.yaw_deg,
            alive: s.alive,
            team: s.team,
            name: round.display_name(s.clientnum),
        })
        .collect()
}

/// Where someone died.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DeathMark {
    /// The victim.
    pub clientnum: u16,
    /// World position.
    pub pos: Vec2,
    /// Height (world z), for maps with floors.
    pub height: f32,
    /// The victim's team.
    pub team: Option<Team>,
    /// When.
    pub time_ms: u32,
}

/// Every death with a known place up to `time_ms`.
pub fn deaths_until(timeline: &Timeline, time_ms: u32) -> Vec<DeathMark> {
    timeline
        .kills_in(0..time_ms.saturating_add(1))
        .iter()
        .filter_map(|k| {
            let pos = k.pos?;
            Some(DeathMark {
                clientnum: k.victim,
                pos: Vec2::new(pos.x, pos.y),
                height: pos.z,
                team: timeline.team_at(k.victim, k.time_ms),
                time_ms: k.time_ms,
            })
        })
        .collect()
}

/// A player's path over the `trail_secs` before `time_ms`, sampled every `step_ms`, oldest
/// first, as (position, age from 0 = now to 1 = oldest). Broken where the player was dead or
/// absent, so a respawn never draws a line across the map.
pub fn trail(
    timeline: &Timeline,
    clientnum: u16,
    time_ms: u32,
    trail_secs: f32,
    step_ms: u32,
) -> Vec<Vec<(Vec2, f32)>> {
    let span = (trail_secs * 1000.0) as u32;
    let start = time_ms.saturating_sub(span);
    let mut pieces: Vec<Vec<(Vec2, f32)>> = vec![Vec::new()];
    let mut t = start;
    let mut prev_t: Option<u32> = None;
    // The last point drawn and its time.
    let mut last: Option<(Vec2, u32)> = None;
    loop {
        // A death between two samples (killed and respawned within one step) breaks the trail too.
        let died_between = prev_t.is_some_and(|p| {
            timeline.kills_in(p.saturating_add(1)..t.saturating_add(1)).iter().any(|k| k.victim == clientnum)
        });
        if died_between && pieces.last().is_some_and(|p| !p.is_empty()) {
            pieces.push(Vec::new());
        }
        prev_t = Some(t);
        match timeline.state_at(clientnum, t) {
            Some(s) if s.alive => {
                let age = if span == 0 { 0.0 } else { (time_ms - t) as f32 / span as f32 };
                let pos = Vec2::new(s.pos.x, s.pos.y);
                // Faster than a player moves (a respawn the round did not record as a death, a
                // teleport): no line across the map either.
                let jumped = last.is_some_and(|(q, at)| !walkable_step(q, pos, t - at));
                if jumped && pieces.last().is_some_and(|p| !p.is_empty()) {
                    pieces.push(Vec::new());
                }
                if let Some(piece) = pieces.last_mut() {
                    piece.push((pos, age));
                }
                last = Some((pos, t));
            }
            _ => {
                if pieces.last().is_some_and(|p| !p.is_empty()) {
                    pieces.push(Vec::new());
                }
                last = None;
            }
        }
        if t >= time_ms {
            break;
        }
        t = t.saturating_add(step_ms.max(1)).min(time_ms);
    }
    pieces.retain(|p| p.len() >= 2);
    pieces
}

/// Kills (of other players) and deaths of every player up to `time_ms`, in one pass over the kills.
pub fn kd_all(timeline: &Timeline, time_ms: u32) -> std::collections::HashMap<u16, (u32, u32)> {
    let mut kd: std::collections::HashMap<u16, (u32, u32)> = std::collections::HashMap::new();
    for kill in timeline.kills_in(0..time_ms.saturating_add(1)) {
        if kill.by_player() {
            kd.entry(kill.killer).or_default().0 += 1;
        }
        kd.entry(kill.victim).or_default().1 += 1;
    }
    kd
}

/// Kills and deaths of one player up to `time_ms`.
pub fn kd_at(timeline: &Timeline, clientnum: u16, time_ms: u32) -> (u32, u32) {
    timeline.kills_in(0..time_ms.saturating_add(1)).iter().fold((0, 0), |(k, d), kill| {
        let kill_by = kill.killer == clientnum && kill.by_player();
        (k + u32::from(kill_by), d + u32::from(kill.victim == clientnum))
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn players_without_a_team_get_colours_apart_from_each_other_and_the_teams() {
        let axis = team_rgb(Some(Team::Axis));
        let allies = team_rgb(Some(Team::Allies));
        assert_eq!(player_rgb(5, Some(Team::Axis)), axis);
        let no_team: Vec<[f32; 3]> = (0..NO_TEAM_COLOURS as u16).map(|cn| player_rgb(cn, None)).collect();
        for (i, c) in no_team.iter().enumerate() {
            assert!(*c != axis && *c != allies && *c != team_rgb(None), "{c:?}");
            assert!(no_team[i + 1..].iter().all(|d| d != c), "colour {i} repeats");
        }
        assert_eq!(player_rgb(NO_TEAM_COLOURS as u16, None), no_team[0], "a slot's colour depends only on the slot");
    }

    use std::sync::Arc;

    use glam::Vec3;
    use proxviz_data::{CombatEvent, CombatKind, Player, PlayerTrack, PositionSample, Round};

    use super::*;

    fn sample(t: u32, x: f32, health: i16) -> PositionSample {
        PositionSample {
            time_ms: t,
            pos: Vec3::new(x, 0.0, 0.0),
            yaw_deg: 90.0,
            pitch_deg: 0.0,
            speed_ups: 100.0,
            health: Some(health),
            team: Some(Team::Axis),
            moving: true,
        }
    }

    /// Client 0 walks east 100 units a second; client 1 kills it at 5 s; it respawns at x=5000
    /// at 8 s.
    fn timeline() -> Timeline {
        let mut samples: Vec<PositionSample> = (0..=4).map(|s| sample(s * 1000, s as f32 * 100.0, 100)).collect();
        samples.extend([sample(5000, 450.0, 0), sample(6000, 450.0, 0), sample(7000, 450.0, 0)]);
        samples.extend((8..=10).map(|s| sample(s * 1000, 5000.0 + (s - 8) as f32 * 100.0, 100)));
        let round = Round {
            players: vec![
                Player { clientnum: 0, team: Some(Team::Axis), name: "^1Axe".into() },
                Player { clientnum: 1, team: Some(Team::Allies), name: "Bee".into() },
            ],
            tracks: vec![
                PlayerTrack { clientnum: 0, samples },
                PlayerTrack {
                    clientnum: 1,
                    samples: (0..=10)
                        .map(|s| PositionSample { team: Some(Team::Allies), ..sample(s * 1000, -300.0, 100) })
                        .collect(),
                },
            ],
            combat: vec![CombatEvent {
                time_ms: 4500,
                kind: CombatKind::Kill,
                attacker: 1,
                target: Some(0),
                distance: 750.0,
                nearby_allies: 0,
                nearby_enemies: 0,
                damage: 0,
                weapon: None,
                mod_id: None,
                attacker_pos: None,
                target_pos: Some(Vec3::new(450.0, 0.0, 0.0)),
            }],
            ..Round::default()
        };
        Timeline::new(Arc::new(round))
    }

    #[test]
    fn markers_show_every_present_player_with_name_and_team() {
        let m = markers_at(&timeline(), 2500, &Hidden::default());
        assert_eq!(m.len(), 2);
        assert_eq!((m[0].name.as_str(), m[0].team, m[0].pos), ("Axe", Some(Team::Axis), Vec2::new(250.0, 0.0)));
        assert!(m[0].alive);
    }

    #[test]
    fn hidden_players_have_no_marker() {
        assert_eq!(markers_at(&timeline(), 2500, &Hidden { players: vec![0], teams: vec![] }).len(), 1);
    }

    #[test]
    fn kd_of_everyone_in_one_pass_matches_each_players() {
        let tl = timeline();
        for t in [0, 4_500, 9_000] {
            let all = kd_all(&tl, t);
            for cn in [0u16, 1] {
                assert_eq!(all.get(&cn).copied().unwrap_or_default(), kd_at(&tl, cn, t), "client {cn} at {t}");
            }
        }
    }

    #[test]
    fn a_hidden_team_hides_its_players_only() {
        let hidden = Hidden { players: vec![], teams: vec![Team::Axis] };
        let m = markers_at(&timeline(), 2500, &hidden);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].team, Some(Team::Allies));
    }

    #[test]
    fn a_dead_player_is_marked_dead_where_they_fell() {
        let m = markers_at(&timeline(), 6000, &Hidden::default());
        assert!(!m[0].alive);
        assert_eq!(m[0].pos, Vec2::new(450.0, 0.0));
    }

    #[test]
    fn death_marks_appear_once_the_kill_has_happened() {
        assert!(deaths_until(&timeline(), 4499).is_empty());
        let d = deaths_until(&timeline(), 4500);
        assert_eq!((d[0].pos, d[0].team), (Vec2::new(450.0, 0.0), Some(Team::Axis)));
    }

    #[test]
    fn trails_cover_the_last_seconds_and_break_at_death() {
        let t = trail(&timeline(), 0, 3000, 2.0, 500);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].first().map(|p| p.0), Some(Vec2::new(100.0, 0.0)));
        assert_eq!(t[0].last().copied(), Some((Vec2::new(300.0, 0.0), 0.0)));
        assert_eq!(t[0][0].1, 1.0, "oldest point has age 1");
        let across_death = trail(&timeline(), 0, 9000, 6.0, 500);
        assert_eq!(across_death.len(), 2, "no line from the body to the respawn");
        assert!(across_death[1].iter().all(|(p, _)| p.x >= 5000.0));
    }

    #[test]
    fn a_jump_no_player_could_walk_breaks_the_trail_without_a_death() {
        // Allies player 1 walks, is at the far side a second later (no kill recorded), walks on.
        let samples = [(0, 0.0), (1000, 200.0), (2000, 4000.0), (3000, 4200.0)];
        let round = Round {
            players: vec![Player { clientnum: 1, team: Some(Team::Allies), name: "Jumper".into() }],
            tracks: vec![PlayerTrack {
                clientnum: 1,
                samples: samples
                    .iter()
                    .map(|&(t, x)| PositionSample { team: Some(Team::Allies), ..sample(t, x, 100) })
                    .collect(),
            }],
            ..Round::default()
        };
        let tl = Timeline::new(Arc::new(round));
        let pieces = trail(&tl, 1, 3000, 3.0, 500);
        assert_eq!(pieces.len(), 2, "{pieces:?}");
        assert!(pieces[0].iter().all(|(p, _)| p.x <= 200.0));
        assert!(pieces[1].iter().all(|(p, _)| p.x >= 4000.0));
    }

    #[test]
    fn kills_and_deaths_count_up_to_the_cursor() {
        let tl = timeline();
        assert_eq!(kd_at(&tl, 1, 4000), (0, 0));
        assert_eq!(kd_at(&tl, 1, 5000), (1, 0));
        assert_eq!(kd_at(&tl, 0, 5000), (0, 1));
    }

    #[test]
    fn bounds_hold_every_sample() {
        assert_eq!(timeline().bounds(), (Vec2::new(-300.0, 0.0), Vec2::new(5200.0, 0.0)));
    }
}
