//! A simulated ET:Legacy qagame Lua host. It keeps one Lua 5.4 VM per module, builds the `et`
//! table, and calls the callbacks in the real engine's order and game states: map load (top-level
//! chunk, then `et_InitGame`), warmup, countdown, `map_restart` with a fresh VM, play,
//! intermission, `et_ShutdownGame`. Facts it follows are in the project's ET Lua API notes.

pub mod entity;
pub mod et;
pub mod fs;
pub mod state;

use std::cell::{Ref, RefCell, RefMut};
use std::path::PathBuf;
use std::rc::Rc;
use std::time::{Duration, Instant};

use mlua::{IntoLuaMulti, Lua, LuaOptions, StdLib, Value};

use self::entity::{CON_CONNECTED, CON_CONNECTING, CON_DISCONNECTED, ClientSlot};
use self::fs::GameFs;
use self::state::ServerState;

/// ET's `gamestate` values.
pub mod gamestate {
    /// The round is being played.
    pub const PLAYING: i64 = 0;
    /// Warmup is counting down to the start.
    pub const WARMUP_COUNTDOWN: i64 = 1;
    /// Warmup.
    pub const WARMUP: i64 = 2;
    /// The round is over.
    pub const INTERMISSION: i64 = 3;
}

/// Largest module file the engine loads (1 MiB).
pub const MAX_MODULE_BYTES: usize = 1 << 20;
/// Most modules `lua_modules` may name.
pub const MAX_MODULES: usize = 64;

/// How the server is set up.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// `fs_homepath`: files go to `<homepath>/<fs_game>/`.
    pub homepath: PathBuf,
    /// `fs_game`.
    pub fs_game: String,
    /// `sv_maxclients`.
    pub max_clients: usize,
    /// `sv_fps`.
    pub sv_fps: u32,
    /// Server wall clock at start, unix seconds (UTC).
    pub start_unix: i64,
    /// `level.time` at the first map load.
    pub start_level_time: i64,
    /// `Sys_Milliseconds()` at the first map load (process uptime).
    pub start_process_ms: i64,
    /// Longest one callback (or a module's top-level chunk) may run before it is stopped and
    /// its module unloaded, as a runaway script.
    pub callback_budget: Duration,
    /// Most memory one module's VM may hold.
    pub memory_limit: usize,
}

impl EngineConfig {
    /// A 20-fps server writing under `homepath/legacy`.
    pub fn new(homepath: impl Into<PathBuf>) -> Self {
        Self {
            homepath: homepath.into(),
            fs_game: "legacy".into(),
            max_clients: 64,
            sv_fps: 20,
            start_unix: 1_766_232_000,
            start_level_time: 12_350,
            start_process_ms: 4_711_000,
            callback_budget: Duration::from_secs(2),
            memory_limit: 512 << 20,
        }
    }
}

struct Module {
    name: String,
    source: String,
    vm: Option<Lua>,
}

/// The simulated engine.
pub struct Engine {
    state: Rc<RefCell<ServerState>>,
    modules: Vec<Module>,
    config: EngineConfig,
    random_seed: i64,
    lua_time: Duration,
    vm_starts: usize,
    /// When the callback running now must have returned.
    deadline: Rc<std::cell::Cell<Option<Instant>>>,
    /// Modules stopped as runaway scripts, with why.
    runaways: Vec<String>,
}

/// Instructions between two looks at the clock while a callback runs.
const HOOK_EVERY: u32 = 100_000;

/// Why a call into a module ended it: past its time budget or over its memory limit.
fn runaway_reason(e: &mlua::Error, budget: Duration, memory_limit: usize) -> Option<String> {
    match e {
        mlua::Error::MemoryError(_) => Some(format!("used more than its {} MiB of memory", memory_limit >> 20)),
        mlua::Error::CallbackError { cause, .. } => runaway_reason(cause, budget, memory_limit),
        other if other.to_string().contains(RUNAWAY_MARK) => {
            Some(format!("ran longer than its budget of {} ms", budget.as_millis()))
        }
        _ => None,
    }
}

/// In the message of the error the instruction hook raises.
const RUNAWAY_MARK: &str = "runaway script";

impl Engine {
    /// A server with no map loaded yet.
    pub fn new(config: EngineConfig) -> Self {
        let fs = GameFs::new(&config.homepath, &config.fs_game);
        let mut state = ServerState::new(fs, 64);
        state.level_time = config.start_level_time;
        state.process_ms = config.start_process_ms;
        state.wall_clock_unix_ms = config.start_unix * 1000;
        for (k, v) in [
            ("gamestate", "-1".to_owned()),
            ("sv_maxclients", config.max_clients.to_string()),
            ("sv_fps", config.sv_fps.to_string()),
            ("fs_game", config.fs_game.clone()),
            ("g_currentRound", "0".to_owned()),
            ("g_gametype", "3".to_owned()),
            ("mapname", String::new()),
        ] {
            state.set_cvar(k, v);
        }
        Self {
            state: Rc::new(RefCell::new(state)),
            modules: Vec::new(),
            config,
            random_seed: 1_234_567,
            lua_time: Duration::ZERO,
            vm_starts: 0,
            deadline: Rc::new(std::cell::Cell::new(None)),
            runaways: Vec::new(),
        }
    }

    /// Modules stopped as runaway scripts (an endless loop, a huge allocation), each with the
    /// callback it ran away in.
    pub fn runaways(&self) -> &[String] {
        &self.runaways
    }

    /// Runs `f` with the callback budget armed.
    fn bounded<T>(&self, f: impl FnOnce() -> T) -> T {
        self.deadline.set(Some(Instant::now() + self.config.callback_budget));
        let out = f();
        self.deadline.set(None);
        out
    }

    /// Adds a Lua module (a `lua_modules` entry); it starts with the next map load.
    pub fn add_module(&mut self, name: &str, source: &str) {
        if self.modules.len() >= MAX_MODULES {
            self.state.borrow_mut().print(&format!("Lua API: too many lua_modules, {name} skipped\n"));
            return;
        }
        if source.len() > MAX_MODULE_BYTES {
            self.state.borrow_mut().print(&format!("Lua API: {name} is bigger than 1 MiB, skipped\n"));
            return;
        }
        self.modules.push(Module { name: name.to_owned(), source: source.to_owned(), vm: None });
    }

    /// The server state (read).
    pub fn state(&self) -> Ref<'_, ServerState> {
        self.state.borrow()
    }

    /// The server state (write), for the match simulator.
    pub fn state_mut(&self) -> RefMut<'_, ServerState> {
        self.state.borrow_mut()
    }

    /// A client slot (write).
    pub fn client_mut(&self, cn: usize) -> RefMut<'_, ClientSlot> {
        RefMut::map(self.state.borrow_mut(), |s| &mut s.clients[cn])
    }

    /// Time spent inside Lua callbacks so far.
    pub fn lua_time(&self) -> Duration {
        self.lua_time
    }

    /// Bytes used by the Lua VMs.
    pub fn lua_memory(&self) -> usize {
        self.modules.iter().filter_map(|m| m.vm.as_ref()).map(Lua::used_memory).sum()
    }

    /// How many VMs have been started (one per module per map load or restart).
    pub fn vm_starts(&self) -> usize {
        self.vm_starts
    }

    /// The running VM of module `i`, for tests that look inside.
    pub fn vm(&self, i: usize) -> Option<&Lua> {
        self.modules.get(i).and_then(|m| m.vm.as_ref())
    }

    /// Sets the `gamestate` cvar.
    pub fn set_gamestate(&mut self, gs: i64) {
        self.state.borrow_mut().set_cvar("gamestate", gs.to_string());
    }

    /// The `gamestate` cvar.
    pub fn gamestate(&self) -> i64 {
        self.state.borrow().cvar("gamestate").parse().unwrap_or(-1)
    }

    fn start_vms(&mut self) {
        let state = self.state.clone();
        for module in &mut self.modules {
            let lua = match Lua::new_with(StdLib::ALL_SAFE, LuaOptions::default()) {
                Ok(l) => l,
                Err(e) => {
                    state.borrow_mut().print(&format!("Lua API: cannot create a VM for {}: {e}\n", module.name));
                    continue;
                }
            };
            // A runaway script is stopped: the VM's memory is capped, and every so many
            // instructions the hook looks whether the callback is past its budget.
            let deadline = self.deadline.clone();
            let limits = lua.set_memory_limit(self.config.memory_limit).and_then(|_| {
                lua.set_hook(mlua::HookTriggers::new().every_nth_instruction(HOOK_EVERY), move |_, _| {
                    match deadline.get() {
                        Some(d) if Instant::now() > d => Err(mlua::Error::runtime(RUNAWAY_MARK)),
                        _ => Ok(mlua::VmState::Continue),
                    }
                })
            });
            if let Err(e) = limits {
                state.borrow_mut().print(&format!("Lua API: cannot limit the VM of {}: {e}\n", module.name));
            }
            self.deadline.set(Some(Instant::now() + self.config.callback_budget));
            let started = et::install(&lua, &state)
                .and_then(|()| lua.load(&module.source).set_name(format!("@{}", module.name)).exec());
            self.deadline.set(None);
            if let Err(e) = &started
                && let Some(why) = runaway_reason(e, self.config.callback_budget, self.config.memory_limit)
            {
                let msg = format!("Lua 5.4 API: module '{}' stopped: its top-level chunk {why}\n", module.name);
                let mut st = state.borrow_mut();
                st.print(&msg);
                st.lua_errors.push(msg.clone());
                self.runaways.push(msg.trim_end().to_owned());
                continue;
            }
            match started {
                Ok(()) => {
                    state.borrow_mut().print(&format!("Lua 5.4 API: file '{}' loaded into Lua VM\n", module.name));
                    module.vm = Some(lua);
                    self.vm_starts += 1;
                }
                Err(e) => {
                    let msg = format!("Lua 5.4 API: error loading '{}': {e}\n", module.name);
                    let mut st = state.borrow_mut();
                    st.print(&msg);
                    st.lua_errors.push(msg);
                }
            }
        }
    }

    fn stop_vms(&mut self) {
        for m in &mut self.modules {
            m.vm = None;
        }
    }

    /// Calls `name` in every VM that defines it, in module order; returns each module's result.
    /// An error is printed the way the engine prints it and the VM stays loaded.
    pub fn call<A: IntoLuaMulti + Clone>(&mut self, name: &str, args: A) -> Vec<Value> {
        let mut results = Vec::new();
        let mut stopped = Vec::new();
        for (i, m) in self.modules.iter().enumerate() {
            let Some(lua) = &m.vm else { continue };
            let Ok(Value::Function(f)) = lua.globals().get::<Value>(name) else { continue };
            let started = Instant::now();
            let outcome = self.bounded(|| f.call::<Value>(args.clone()));
            self.lua_time += started.elapsed();
            match outcome {
                Ok(v) => results.push(v),
                Err(e) => {
                    let msg = format!("Lua 5.4 API: {name} error running lua script: '{e}'\n");
                    let mut st = self.state.borrow_mut();
                    st.print(&msg);
                    st.lua_errors.push(msg);
                    if let Some(why) = runaway_reason(&e, self.config.callback_budget, self.config.memory_limit) {
                        stopped.push((i, format!("module '{}' stopped: {name} {why}", m.name)));
                    }
                }
            }
        }
        // A runaway module is unloaded: a real server would hang in it; the simulation goes on
        // without it and says so.
        for (i, msg) in stopped {
            self.modules[i].vm = None;
            let mut st = self.state.borrow_mut();
            st.print(&format!("Lua 5.4 API: {msg}\n"));
            st.lua_errors.push(format!("Lua 5.4 API: {msg}\n"));
            self.runaways.push(msg);
        }
        if name != "et_Print" {
            self.deliver_prints();
        }
        results
    }

    /// Hands `G_LogPrint` lines to `et_Print` (after the callback that printed them returns).
    fn deliver_prints(&mut self) {
        loop {
            let pending = std::mem::take(&mut self.state.borrow_mut().pending_prints);
            if pending.is_empty() {
                return;
            }
            for text in pending {
                self.call("et_Print", text);
            }
        }
    }

    /// Loads a map: shuts down the running VMs, sets `mapname`, starts fresh VMs (top-level
    /// chunk first), sets warmup and calls `et_InitGame(levelTime, randomSeed, 0)`.
    pub fn load_map(&mut self, map: &str) {
        if self.modules.iter().any(|m| m.vm.is_some()) {
            self.call("et_ShutdownGame", 0i64);
            self.stop_vms();
        }
        {
            let mut st = self.state.borrow_mut();
            st.set_cvar("mapname", map);
            st.configstrings.insert(0, format!("\\mapname\\{map}\\sv_hostname\\proxviz sim\\g_gametype\\3"));
            st.set_cvar("gamestate", gamestate::WARMUP.to_string());
        }
        self.start_vms();
        let lt = self.state.borrow().level_time;
        self.call("et_InitGame", (lt, self.random_seed, 0i64));
    }

    /// `map_restart 0` at the end of the warmup countdown: `et_ShutdownGame(1)`, fresh VMs with
    /// `gamestate` already 0, `et_InitGame(levelTime, randomSeed, 1)`, then every connected client
    /// reconnects (`et_ClientConnect(cn, 0, isBot)`) and begins (`et_ClientBegin`).
    pub fn map_restart(&mut self) {
        self.call("et_ShutdownGame", 1i64);
        self.stop_vms();
        self.set_gamestate(gamestate::PLAYING);
        self.start_vms();
        let lt = self.state.borrow().level_time;
        self.random_seed += 1;
        self.call("et_InitGame", (lt, self.random_seed, 1i64));
        let connected: Vec<(usize, bool)> = {
            let st = self.state.borrow();
            st.clients
                .iter()
                .enumerate()
                .filter(|(_, c)| c.connected != CON_DISCONNECTED)
                .map(|(i, c)| (i, c.is_bot))
                .collect()
        };
        for (cn, bot) in connected {
            self.call("et_ClientConnect", (cn as i64, 0i64, i64::from(bot)));
            self.call("et_ClientBegin", cn as i64);
        }
    }

    /// The round ends: `g_currentRound` flips first, then `gamestate` becomes intermission and the
    /// exit is logged.
    pub fn end_round(&mut self, reason: &str) {
        {
            let mut st = self.state.borrow_mut();
            let round = if st.cvar("g_currentRound") == "0" { "1" } else { "0" };
            st.set_cvar("g_currentRound", round);
            st.set_cvar("gamestate", gamestate::INTERMISSION.to_string());
            st.log_print(&format!("Exit: {reason}\n"));
        }
        self.deliver_prints();
    }

    /// The map ends or the server quits: `et_ShutdownGame(0)` and the VMs are destroyed.
    pub fn shutdown(&mut self) {
        self.call("et_ShutdownGame", 0i64);
        self.stop_vms();
        self.state.borrow_mut().fs.flush_all();
    }

    /// One server frame: [`Engine::advance_clock`], then [`Engine::frame_callback`].
    pub fn run_frame(&mut self) {
        self.advance_clock();
        self.frame_callback();
    }

    /// Clocks advance by one frame (`1000 / sv_fps` ms); returns the new `level.time`. The
    /// simulator moves the world to that time before [`Engine::frame_callback`].
    pub fn advance_clock(&mut self) -> i64 {
        let frame_ms = i64::from(1000 / self.config.sv_fps.max(1));
        let mut st = self.state.borrow_mut();
        st.level_time += frame_ms;
        // Process time drifts against level time, as real time does.
        st.process_ms += frame_ms + i64::from(st.level_time % 7 == 0);
        st.wall_clock_unix_ms += frame_ms;
        st.level_time
    }

    /// `et_RunFrame(levelTime)` at the current `level.time`.
    pub fn frame_callback(&mut self) {
        let lt = self.state.borrow().level_time;
        self.call("et_RunFrame", lt);
    }

    /// `level.time` now.
    pub fn level_time(&self) -> i64 {
        self.state.borrow().level_time
    }

    /// A client connects: the slot is filled, `et_ClientConnect(cn, firstTime, isBot)` is asked
    /// (a string result rejects the client), then `et_ClientBegin`.
    pub fn client_connect(&mut self, cn: usize, name: &str, is_bot: bool) -> Option<String> {
        {
            let mut st = self.state.borrow_mut();
            let slot = &mut st.clients[cn];
            *slot = ClientSlot {
                connected: CON_CONNECTING,
                is_bot,
                name: name.to_owned(),
                team: 3,
                userinfo: format!(
                    "\\name\\{name}\\cl_guid\\{:032X}\\ip\\{}",
                    cn * 7919,
                    if is_bot { "localhost".to_owned() } else { format!("10.0.0.{}:27960", cn + 2) }
                ),
                ..ClientSlot::default()
            };
        }
        let rejected =
            self.call("et_ClientConnect", (cn as i64, 1i64, i64::from(is_bot))).into_iter().find_map(|v| match v {
                Value::String(s) => Some(s.to_string_lossy()),
                _ => None,
            });
        if let Some(reason) = rejected {
            self.state.borrow_mut().clients[cn].connected = CON_DISCONNECTED;
            return Some(reason);
        }
        self.state.borrow_mut().clients[cn].connected = CON_CONNECTED;
        self.call("et_ClientBegin", cn as i64);
        None
    }

    /// A client leaves: `et_ClientDisconnect(cn)` runs before the slot is cleared (its fields
    /// keep their stale values).
    pub fn client_disconnect(&mut self, cn: usize) {
        self.call("et_ClientDisconnect", cn as i64);
        self.state.borrow_mut().clients[cn].connected = CON_DISCONNECTED;
    }

    /// End of `ClientSpawn`: `et_ClientSpawn(cn, revived, teamChange, restoreHealth)`.
    pub fn client_spawn(&mut self, cn: usize, revived: bool, team_change: bool, restore_health: bool) {
        self.call("et_ClientSpawn", (cn as i64, i64::from(revived), i64::from(team_change), i64::from(restore_health)));
    }

    /// `FireWeapon`: `et_WeaponFire(cn, weapon)`; true when a module suppressed the shot.
    pub fn weapon_fire(&mut self, cn: usize, weapon: i64) -> bool {
        self.call("et_WeaponFire", (cn as i64, weapon)).iter().any(|v| matches!(v, Value::Integer(1)))
    }

    /// `G_Damage`: `et_Damage(target, attacker, damage, dflags, mod)`; true when cancelled.
    pub fn damage(&mut self, target: i64, attacker: i64, damage: i64, dflags: i64, mod_id: i64) -> bool {
        self.call("et_Damage", (target, attacker, damage, dflags, mod_id))
            .iter()
            .any(|v| matches!(v, Value::Integer(1)))
    }

    /// A player dies: `et_Obituary(victim, killer, mod)` (never during intermission), and the
    /// `Kill:` log line.
    pub fn obituary(&mut self, victim: usize, killer: i64, mod_id: i64) {
        if self.gamestate() == gamestate::INTERMISSION {
            return;
        }
        self.call("et_Obituary", (victim as i64, killer, mod_id));
        let line = {
            let st = self.state.borrow();
            let name = |n: i64| {
                usize::try_from(n).ok().and_then(|i| st.clients.get(i)).map_or("<world>".to_owned(), |c| c.name.clone())
            };
            let mod_name = et::MODS.iter().find(|(_, v)| *v == mod_id).map_or("MOD_UNKNOWN", |(n, _)| n);
            format!("Kill: {killer} {victim} {mod_id}: {} killed {} by {mod_name}\n", name(killer), name(victim as i64))
        };
        self.state.borrow_mut().log_print(&line);
        self.deliver_prints();
    }

    /// The game folder (`<homepath>/<fs_game>`).
    pub fn game_dir(&self) -> PathBuf {
        self.state.borrow().fs.game_dir().to_path_buf()
    }

    /// Errors raised in callbacks or while loading modules, as the engine printed them.
    pub fn lua_errors(&self) -> Vec<String> {
        self.state.borrow().lua_errors.clone()
    }

    /// Console output so far.
    pub fn console(&self) -> Vec<String> {
        self.state.borrow().console.clone()
    }
}
