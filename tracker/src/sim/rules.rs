//! How a simulated round unfolds, tick by tick: movement, aiming, shooting, damage, deaths,
//! respawn waves, revives and the rare events a real server sees, each reported to the engine
//! the way qagame reports it.

use glam::Vec3;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::maps::MapDef;
use super::player::SimPlayer;
use super::{
    MatchConfig, Truth, TruthKill, TruthObjective, TruthPlayer, TruthPosition, TruthRevive, name_for, random_class,
    roster,
};
use crate::engine::entity::{CON_CONNECTED, PITCH, YAW};
use crate::engine::{Engine, gamestate};

const WORLD: i64 = 1022;
const MOD_FALLING: i64 = 32;
const MOD_SUICIDE: i64 = 33;
const MOD_SWITCHTEAM: i64 = 66;
const MOD_DYNAMITE: i64 = 22;
const BACKUP_UNITS: f32 = 300.0;
const FRAME_MS: i64 = 50;
/// Respawn wave periods, ms (Axis, Allies).
const WAVE_MS: [i64; 2] = [30_000, 20_000];
/// Chances per player per frame of the rare events.
const FALL_CHANCE: f64 = 1.0 / (20.0 * 60.0 * 30.0);
const SELFKILL_CHANCE: f64 = 1.0 / (20.0 * 60.0 * 20.0);
const SWITCH_CHANCE: f64 = 1.0 / (20.0 * 60.0 * 20.0);
const BOT_CHURN_CHANCE: f64 = 1.0 / (20.0 * 90.0);
const OBJECTIVE_DAMAGE_CHANCE: f64 = 1.0 / (20.0 * 60.0 * 4.0);

pub(super) struct Match<'c> {
    cfg: &'c MatchConfig,
    map: MapDef,
    rng: ChaCha8Rng,
    pub(super) engine: Engine,
    pub(super) truth: Truth,
    players: Vec<Option<SimPlayer>>,
    live: bool,
    live_since: i64,
}

impl<'c> Match<'c> {
    pub(super) fn new(cfg: &'c MatchConfig, map: MapDef, engine: Engine, mut rng: ChaCha8Rng) -> Self {
        let mut players: Vec<Option<SimPlayer>> = roster(cfg, &mut rng).into_iter().map(Some).collect();
        players.resize_with(64, || None);
        Self { cfg, map, rng, engine, truth: Truth::default(), players, live: false, live_since: 0 }
    }

    fn ticks(secs: f64) -> usize {
        (secs * 1000.0 / FRAME_MS as f64).round() as usize
    }

    /// Map load, connects, warmup, countdown and the `map_restart` that starts the live round.
    pub(super) fn begin(&mut self) {
        self.engine.state_mut().set_cvar("g_currentRound", (self.cfg.round - 1).to_string());
        self.engine.load_map(&self.cfg.map);
        let spectators = self.cfg.spectators.min(64 - self.cfg.players);
        for cn in 0..self.cfg.players {
            self.connect(cn);
        }
        for i in 0..spectators {
            let cn = self.cfg.players + i;
            self.engine.client_connect(cn, &format!("^3coach{}", i + 1), false);
        }
        for cn in 0..self.cfg.players {
            self.spawn(cn, false, true);
        }
        for _ in 0..Self::ticks(f64::from(self.cfg.warmup_secs)) {
            self.tick();
        }
        self.engine.set_gamestate(gamestate::WARMUP_COUNTDOWN);
        for _ in 0..Self::ticks(f64::from(self.cfg.countdown_secs)) {
            self.tick();
        }
        self.engine.map_restart();
        self.live = true;
        self.live_since = self.engine.level_time();
        self.truth.round_start_level_time = self.live_since;
        for cn in 0..64 {
            if self.players[cn].is_some() {
                self.spawn(cn, false, false);
            }
        }
    }

    /// Frames of the live round.
    pub(super) fn live_ticks(&self) -> usize {
        Self::ticks(self.cfg.minutes * 60.0)
    }

    /// The round ends: intermission frames, then the map shuts down.
    pub(super) fn end(&mut self) {
        self.live = false;
        self.engine.end_round("Timelimit hit.");
        for _ in 0..Self::ticks(f64::from(self.cfg.intermission_secs)) {
            self.engine.run_frame();
        }
        self.engine.shutdown();
    }

    pub(super) fn play(&mut self) {
        self.begin();
        for _ in 0..self.live_ticks() {
            self.tick();
        }
        self.end();
    }

    fn connect(&mut self, cn: usize) {
        let Some(p) = &self.players[cn] else { return };
        let (name, bot) = (p.name.clone(), p.is_bot);
        let from_level_time = self.engine.state().level_time;
        self.truth.players.push(TruthPlayer { cn, name: name.clone(), class: p.class, is_bot: bot, from_level_time });
        self.engine.client_connect(cn, &name, bot);
        let mut slot = self.engine.client_mut(cn);
        slot.player_type = p.class;
        slot.weapon = p.weapon.id;
    }

    /// Spawns `cn` at its team's spawn (or in place for a revive) and tells the engine.
    fn spawn(&mut self, cn: usize, revived: bool, team_change: bool) {
        let Some(p) = self.players[cn].as_mut() else { return };
        if revived {
            p.alive = true;
            p.health = 50;
            p.revive_at_ms = None;
            p.hurt_by = 0;
            if self.live {
                let level_time = self.engine.state().level_time;
                self.truth.revives.push(TruthRevive { level_time, medic: p.revive_by.take(), revived: cn, pos: p.pos });
            }
        } else {
            p.changed_team = false;
            p.spawn(&self.map, &mut self.rng);
        }
        sync_slot(&mut self.engine, p);
        self.engine.client_spawn(cn, revived, team_change, !revived);
    }

    /// One frame: waves, movement, `et_RunFrame`, shooting, rare events.
    pub(super) fn tick(&mut self) {
        let lt = self.engine.advance_clock();
        self.waves_and_revives(lt);
        self.move_players();
        for p in self.players.iter().flatten() {
            sync_slot(&mut self.engine, p);
        }
        self.engine.frame_callback();
        if self.live {
            let frame = self
                .players
                .iter()
                .flatten()
                .filter(|p| p.team == 1 || p.team == 2)
                .map(|p| TruthPosition { cn: p.cn, pos: p.pos, team: p.team, alive: p.alive })
                .collect();
            self.truth.frames.push((lt, frame));
        }
        self.combat(lt);
        self.rare_events(lt);
    }

    fn waves_and_revives(&mut self, lt: i64) {
        let since = lt - if self.live { self.live_since } else { 0 };
        for cn in 0..64 {
            let Some(p) = &self.players[cn] else { continue };
            if p.alive || !(p.team == 1 || p.team == 2) {
                continue;
            }
            if p.revive_at_ms.is_some_and(|at| at <= lt) {
                self.spawn(cn, true, false);
            } else if since % WAVE_MS[(p.team - 1) as usize] < FRAME_MS {
                let team_change = p.changed_team;
                self.spawn(cn, false, team_change);
            }
        }
    }

    fn nearest_enemy(&self, cn: usize) -> Option<(usize, f32)> {
        let me = self.players[cn].as_ref()?;
        self.players
            .iter()
            .flatten()
            .filter(|o| o.alive && o.team != me.team && (o.team == 1 || o.team == 2))
            .map(|o| (o.cn, o.pos.distance(me.pos)))
            .filter(|&(_, d)| d < self.cfg.engage_units)
            .min_by(|a, b| a.1.total_cmp(&b.1))
    }

    fn move_players(&mut self) {
        let dt_s = FRAME_MS as f32 / 1000.0;
        for cn in 0..64 {
            let target = match &self.players[cn] {
                Some(p) if p.alive && (p.team == 1 || p.team == 2) => self.nearest_enemy(cn),
                _ => continue,
            };
            let target_pos = target.and_then(|(t, _)| self.players[t].as_ref().map(|o| o.pos));
            let Some(p) = self.players[cn].as_mut() else { continue };
            p.walk(&self.map, dt_s, target.is_some(), &mut self.rng);
            if let Some(tp) = target_pos {
                p.aim_at(tp);
            }
        }
        for p in self.players.iter_mut().flatten().filter(|p| !p.alive) {
            p.vel = Vec3::ZERO;
        }
    }

    fn combat(&mut self, lt: i64) {
        for cn in 0..64 {
            let Some((target, distance)) = (match &self.players[cn] {
                Some(p) if p.alive && p.next_shot_ms <= lt => self.nearest_enemy(cn),
                _ => None,
            }) else {
                continue;
            };
            let Some(p) = self.players[cn].as_mut() else { continue };
            if !self.rng.random_bool(self.cfg.fire_chance) {
                continue;
            }
            let interval_ms = (p.weapon.interval_ms as f64 / self.cfg.fire_rate.max(0.01)) as i64;
            p.next_shot_ms = lt + interval_ms + self.rng.random_range(0..30);
            let (weapon, chance) = (p.weapon, (p.hit_chance(distance) * self.cfg.accuracy).min(0.95));
            if self.live {
                self.truth.shots += 1;
            }
            if self.engine.weapon_fire(cn, weapon.id) {
                continue;
            }
            if self.rng.random_bool(chance) {
                let headshot = self.rng.random_bool(0.15);
                let base = weapon.damage * if headshot { 2 } else { 1 } + self.rng.random_range(-3..=3);
                let damage = ((base as f64 * self.cfg.damage_scale).round() as i64).max(1);
                self.engine.client_mut(cn).hit_regions[if headshot { 0 } else { 2 }] += 1;
                self.hurt(lt, target, cn as i64, damage, weapon.mod_id);
            }
        }
    }

    /// Damage to a client: `et_Damage` first (it may cancel), then health, then maybe death.
    fn hurt(&mut self, lt: i64, target: usize, attacker: i64, damage: i64, mod_id: i64) {
        if self.engine.damage(target as i64, attacker, damage, 0, mod_id) {
            return;
        }
        if self.live && attacker != WORLD {
            self.truth.hits += 1;
        }
        let Some(v) = self.players[target].as_mut() else { return };
        if let Ok(a) = usize::try_from(attacker)
            && a < 64
            && a != target
        {
            v.hurt_by |= 1 << a;
        }
        v.health -= damage;
        let dead = v.health <= 0;
        self.engine.client_mut(target).health = v.health;
        if let Ok(a) = usize::try_from(attacker)
            && a < 64
        {
            self.engine.client_mut(a).damage_given += damage;
        }
        if dead {
            self.kill(lt, target, attacker, mod_id);
        }
    }

    fn backup(&self, cn: usize, exclude: usize) -> usize {
        let Some(me) = &self.players[cn] else { return 0 };
        self.players
            .iter()
            .flatten()
            .filter(|o| o.cn != cn && o.cn != exclude && o.alive && o.team == me.team)
            // In f64, as the tracker computes it in Lua.
            .filter(|o| o.pos.as_dvec3().distance(me.pos.as_dvec3()) <= f64::from(BACKUP_UNITS))
            .count()
    }

    fn kill(&mut self, lt: i64, victim: usize, killer: i64, mod_id: i64) {
        let Some(v) = self.players[victim].as_mut() else { return };
        v.alive = false;
        v.vel = Vec3::ZERO;
        let (victim_pos, victim_team, hurt_by) = (v.pos, v.team, v.hurt_by);
        let killer_slot = usize::try_from(killer).ok().filter(|&k| k < 64 && k != victim);
        let killer_team = killer_slot.and_then(|k| self.players[k].as_ref()).map_or(0, |k| k.team);
        let killer_pos = killer_slot.and_then(|k| self.players[k].as_ref()).map(|k| k.pos);
        let weapon = killer_slot.and_then(|k| self.players[k].as_ref()).map_or(0, |k| k.weapon.id);
        let killer_backup = killer_slot.map_or(0, |k| self.backup(k, victim));
        let victim_backup = self.backup(victim, killer_slot.unwrap_or(victim));
        {
            let mut slot = self.engine.client_mut(victim);
            slot.velocity = [0.0; 3];
            slot.deaths += 1;
        }
        if let Some(k) = killer_slot {
            self.engine.client_mut(k).kills += 1;
        }
        // A medic close by may revive the victim before the next wave.
        let medic_near = self
            .players
            .iter()
            .flatten()
            .filter(|o| o.alive && o.class == 1 && o.team == victim_team && o.pos.distance(victim_pos) < 600.0)
            .min_by(|a, b| a.pos.distance(victim_pos).total_cmp(&b.pos.distance(victim_pos)))
            .map(|o| o.cn);
        if let Some(medic) = medic_near
            && mod_id != MOD_SWITCHTEAM
            && self.rng.random_bool(0.35)
        {
            let at = lt + self.rng.random_range(3000..6000);
            if let Some(v) = self.players[victim].as_mut() {
                v.revive_at_ms = Some(at);
                v.revive_by = Some(medic);
            }
        }
        if self.live {
            self.truth.kills.push(TruthKill {
                level_time: lt,
                killer,
                victim,
                victim_pos,
                killer_team,
                mod_id,
                killer_backup,
                victim_backup,
                killer_pos,
                weapon,
                attackers: hurt_by.count_ones() as usize,
            });
        }
        self.engine.obituary(victim, killer, mod_id);
    }

    fn rare_events(&mut self, lt: i64) {
        for cn in 0..64 {
            let Some(p) = &self.players[cn] else { continue };
            let (alive, team, is_bot) = (p.alive, p.team, p.is_bot);
            if alive && self.rng.random_bool(FALL_CHANCE) {
                self.hurt(lt, cn, WORLD, 500, MOD_FALLING);
            } else if alive && self.rng.random_bool(SELFKILL_CHANCE) {
                self.engine.client_mut(cn).health = 0;
                if let Some(p) = self.players[cn].as_mut() {
                    p.health = 0;
                }
                self.kill(lt, cn, cn as i64, MOD_SUICIDE);
            } else if self.live && self.rng.random_bool(SWITCH_CHANCE) {
                // Switching team kills a living player; they spawn with the new team's wave.
                if alive {
                    self.kill(lt, cn, cn as i64, MOD_SWITCHTEAM);
                }
                if let Some(p) = self.players[cn].as_mut() {
                    p.team = 3 - team;
                    p.changed_team = true;
                    p.revive_at_ms = None;
                    sync_slot(&mut self.engine, p);
                }
                self.engine.call("et_ClientUserinfoChanged", cn as i64);
            } else if self.live && is_bot && self.cfg.bots_join_leave && self.rng.random_bool(BOT_CHURN_CHANCE) {
                self.engine.client_disconnect(cn);
                self.players[cn] = None;
            } else if alive && self.rng.random_bool(OBJECTIVE_DAMAGE_CHANCE) {
                // Dynamite on an objective: damage to an entity that is not a client.
                self.engine.damage(400 + cn as i64, cn as i64, 30, 0, MOD_DYNAMITE);
                // At an objective (within 800 units of one), it is a plant the truth keeps.
                let near = self.players[cn].as_ref().and_then(|p| {
                    let d = |i: usize| self.map.nodes[self.map.objectives[i]].distance(p.pos);
                    (0..self.map.objectives.len()).min_by(|&a, &b| d(a).total_cmp(&d(b))).filter(|&i| d(i) <= 800.0)
                });
                if self.live
                    && let Some(p) = &self.players[cn]
                    && let Some(nearest) = near
                {
                    self.truth.objectives.push(TruthObjective {
                        level_time: lt,
                        cn,
                        team: p.team,
                        pos: p.pos,
                        kind: "dynamite_plant",
                        target: format!("Objective {}", nearest + 1),
                    });
                }
            }
        }
        if self.live && self.cfg.bots_join_leave && self.rng.random_bool(BOT_CHURN_CHANCE) {
            let free = (0..64)
                .find(|&cn| self.players[cn].is_none() && self.engine.state().clients[cn].connected != CON_CONNECTED);
            if let Some(cn) = free {
                let team = 1 + (cn % 2) as i64;
                let class = random_class(&mut self.rng);
                let p = SimPlayer::new(cn, name_for(cn, true), team, class, true, &mut self.rng);
                self.players[cn] = Some(p);
                self.connect(cn);
                self.engine.client_mut(cn).team = team;
                self.engine.call("et_ClientUserinfoChanged", cn as i64);
            }
        }
    }
}

/// Copies a simulated player's state into the engine's client slot.
fn sync_slot(engine: &mut Engine, p: &SimPlayer) {
    let mut slot = engine.client_mut(p.cn);
    slot.origin = p.pos.to_array();
    slot.velocity = p.vel.to_array();
    let mut angles = [0.0; 3];
    angles[PITCH] = p.pitch_deg;
    angles[YAW] = p.yaw_deg;
    slot.viewangles = angles;
    slot.health = p.health;
    slot.team = p.team;
    slot.player_type = p.class;
    slot.weapon = p.weapon.id;
    slot.name = p.name.clone();
}
