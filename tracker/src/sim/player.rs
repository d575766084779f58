//! A simulated player: class, weapon, movement along the map's waypoints at ET speeds, view
//! direction, and how well they shoot.

use glam::Vec3;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::maps::MapDef;

/// A weapon as the simulator uses it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weapon {
    /// `WP_*`.
    pub id: i64,
    /// `MOD_*` of its kills.
    pub mod_id: i64,
    /// ms between shots.
    pub interval_ms: i64,
    /// Damage of a body hit.
    pub damage: i64,
    /// Distance at which the hit chance has halved.
    pub falloff_units: f32,
}

const MP40: Weapon = Weapon { id: 3, mod_id: 8, interval_ms: 100, damage: 18, falloff_units: 900.0 };
const THOMPSON: Weapon = Weapon { id: 8, mod_id: 9, interval_ms: 100, damage: 18, falloff_units: 900.0 };
const MOBILE_MG42: Weapon = Weapon { id: 30, mod_id: 44, interval_ms: 50, damage: 16, falloff_units: 1200.0 };
const K43: Weapon = Weapon { id: 31, mod_id: 50, interval_ms: 400, damage: 50, falloff_units: 2500.0 };
const GARAND: Weapon = Weapon { id: 25, mod_id: 11, interval_ms: 400, damage: 50, falloff_units: 2500.0 };
const STEN: Weapon = Weapon { id: 10, mod_id: 10, interval_ms: 110, damage: 16, falloff_units: 800.0 };

/// ET's player classes (`sess.playerType`).
pub const CLASSES: [&str; 5] = ["soldier", "medic", "engineer", "fieldops", "covertops"];

/// One player of the simulated match.
#[derive(Debug, Clone)]
pub struct SimPlayer {
    /// Client slot.
    pub cn: usize,
    /// Name (colour codes included).
    pub name: String,
    /// 1 Axis, 2 Allies, 3 spectator.
    pub team: i64,
    /// 0..4, see [`CLASSES`].
    pub class: i64,
    /// Whether a bot.
    pub is_bot: bool,
    /// Primary weapon.
    pub weapon: Weapon,
    /// Current health.
    pub health: i64,
    /// Alive (spawned and not killed since).
    pub alive: bool,
    /// Position.
    pub pos: Vec3,
    /// Velocity (units/s).
    pub vel: Vec3,
    /// View yaw, degrees in (-180, 180].
    pub yaw_deg: f32,
    /// View pitch, degrees.
    pub pitch_deg: f32,
    /// Waypoint last reached.
    pub at_node: usize,
    /// Waypoint heading to.
    pub next_node: usize,
    /// Where the player is going.
    pub goal_node: usize,
    /// Sideways offset from the waypoint line, so players do not walk single file.
    pub lane_units: f32,
    /// Run speed, units/s.
    pub speed_ups: f32,
    /// Aim skill multiplier.
    pub skill: f32,
    /// Level time of the next possible shot.
    pub next_shot_ms: i64,
    /// Level time a pending revive happens.
    pub revive_at_ms: Option<i64>,
    /// The medic who will revive (with `revive_at_ms`).
    pub revive_by: Option<usize>,
    /// Clients who damaged this player in this life (bit per client slot).
    pub hurt_by: u64,
    /// Switched team since the last spawn (the next spawn says `teamChange`).
    pub changed_team: bool,
}

impl SimPlayer {
    /// A new player of `team` and `class`.
    pub fn new(cn: usize, name: String, team: i64, class: i64, is_bot: bool, rng: &mut ChaCha8Rng) -> Self {
        let weapon = weapon_for(team, class, rng);
        let speed_ups = if weapon.id == MOBILE_MG42.id { 240.0 } else { rng.random_range(290.0..330.0) };
        Self {
            cn,
            name,
            team,
            class,
            is_bot,
            weapon,
            health: 0,
            alive: false,
            pos: Vec3::ZERO,
            vel: Vec3::ZERO,
            yaw_deg: 0.0,
            pitch_deg: 0.0,
            at_node: 0,
            next_node: 0,
            goal_node: 0,
            lane_units: rng.random_range(-60.0..60.0),
            speed_ups,
            skill: rng.random_range(0.7..1.3),
            next_shot_ms: 0,
            revive_at_ms: None,
            revive_by: None,
            hurt_by: 0,
            changed_team: false,
        }
    }

    /// Puts the player at a spawn point of their team with full health.
    pub fn spawn(&mut self, map: &MapDef, rng: &mut ChaCha8Rng) {
        let spawns = map.spawns(self.team);
        let node = spawns[rng.random_range(0..spawns.len())];
        let jitter = Vec3::new(rng.random_range(-96.0..96.0), rng.random_range(-96.0..96.0), 0.0);
        self.pos = map.nodes[node] + jitter;
        self.at_node = node;
        self.next_node = node;
        self.health = if self.class == 1 { 110 } else { 100 };
        self.alive = true;
        self.revive_at_ms = None;
        self.hurt_by = 0;
        self.choose_goal(map, rng);
    }

    /// Picks where to go next: mostly objectives, sometimes anywhere (flanks, patrols).
    pub fn choose_goal(&mut self, map: &MapDef, rng: &mut ChaCha8Rng) {
        self.goal_node = if rng.random_bool(0.7) {
            map.objectives[rng.random_range(0..map.objectives.len())]
        } else {
            rng.random_range(0..map.nodes.len())
        };
    }

    /// Moves along the waypoints for `dt_s` seconds; `engaged` players slow down to aim.
    pub fn walk(&mut self, map: &MapDef, dt_s: f32, engaged: bool, rng: &mut ChaCha8Rng) {
        if self.next_node == self.at_node {
            if self.at_node == self.goal_node {
                self.choose_goal(map, rng);
            }
            self.next_node = map.next_hop(self.at_node, self.goal_node);
            if self.next_node == self.at_node {
                self.vel = Vec3::ZERO;
                return;
            }
        }
        let from = map.nodes[self.at_node];
        let to = map.nodes[self.next_node];
        let dir = (to - from).normalize_or_zero();
        let side = Vec3::new(-dir.y, dir.x, 0.0) * self.lane_units;
        let target = to + side;
        let speed = if engaged { self.speed_ups * 0.35 } else { self.speed_ups };
        let step = speed * dt_s;
        let delta = target - self.pos;
        let dist = delta.length();
        if dist <= step {
            self.pos = target;
            self.at_node = self.next_node;
            self.vel = delta / dt_s;
        } else {
            self.vel = delta / dist * speed;
            self.pos += self.vel * dt_s;
        }
        if !engaged && self.vel.length_squared() > 1.0 {
            self.yaw_deg = self.vel.y.atan2(self.vel.x).to_degrees();
            self.pitch_deg = 0.0;
        }
    }

    /// Turns to look at `target`.
    pub fn aim_at(&mut self, target: Vec3) {
        let d = target - self.pos;
        self.yaw_deg = d.y.atan2(d.x).to_degrees();
        let flat = (d.x * d.x + d.y * d.y).sqrt();
        // ET pitch is positive looking down.
        self.pitch_deg = (-d.z).atan2(flat).to_degrees();
    }

    /// Chance that a shot at `distance` hits.
    pub fn hit_chance(&self, distance: f32) -> f64 {
        let base = 0.45 * f64::from(self.skill);
        (base / (1.0 + f64::from(distance / self.weapon.falloff_units).powi(2))).clamp(0.03, 0.7)
    }
}

fn weapon_for(team: i64, class: i64, rng: &mut ChaCha8Rng) -> Weapon {
    match class {
        0 if rng.random_bool(0.4) => MOBILE_MG42,
        4 if rng.random_bool(0.5) => {
            if team == 1 {
                K43
            } else {
                GARAND
            }
        }
        4 => STEN,
        _ if team == 1 => MP40,
        _ => THOMPSON,
    }
}
