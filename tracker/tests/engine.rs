//! Fidelity of the simulated engine to ET:Legacy's Lua host, checked with small probe modules.

use mlua::{Table, Value};
use proxviz_tracker::engine::{Engine, EngineConfig, gamestate};

fn engine_with(source: &str) -> (Engine, tempfile::TempDir) {
    let home = tempfile::tempdir().expect("tempdir");
    let mut engine = Engine::new(EngineConfig::new(home.path()));
    engine.add_module("probe.lua", source);
    (engine, home)
}

fn global<T: mlua::FromLua>(engine: &Engine, name: &str) -> T {
    engine.vm(0).expect("vm running").globals().get(name).expect("global readable")
}

#[test]
fn vectors_are_new_one_indexed_tables_without_xyz_keys() {
    let (mut e, _home) = engine_with(
        "function probe() local v = et.gentity_get(0, 'ps.origin'); v[1] = 99; local w = et.gentity_get(0, 'ps.origin'); \
         return v.x == nil and #v == 3 and math.type(w[1]) == 'float' and w[1] == 1.5 and w[3] == -3.0 end",
    );
    e.load_map("supply");
    e.client_connect(0, "a", false);
    e.client_mut(0).origin = [1.5, 2.0, -3.0];
    assert_eq!(e.call("probe", ()), [Value::Boolean(true)]);
}

#[test]
fn a_failed_open_returns_fd_zero_and_length_minus_one() {
    let (mut e, _home) = engine_with("function probe() return et.trap_FS_FOpenFile('../outside.txt', et.FS_WRITE) end");
    e.load_map("supply");
    let lua = e.vm(0).expect("vm");
    let f: mlua::Function = lua.globals().get("probe").expect("probe");
    let (fd, len): (i64, i64) = f.call(()).expect("runs");
    assert_eq!((fd, len), (0, -1));
}

#[test]
fn map_restart_starts_a_fresh_vm_in_which_the_chunk_runs_again() {
    let (mut e, _home) = engine_with(
        "loads = (loads or 0) + 1  function et_InitGame(lt, seed, restart) init_restart = restart; init_gs = et.trap_Cvar_Get('gamestate') end",
    );
    e.load_map("supply");
    e.vm(0).expect("vm").globals().set("marker", 1).expect("set");
    e.set_gamestate(gamestate::WARMUP_COUNTDOWN);
    e.map_restart();
    assert_eq!(global::<Option<i64>>(&e, "marker"), None, "globals do not survive a restart");
    assert_eq!(global::<i64>(&e, "loads"), 1);
    assert_eq!(global::<i64>(&e, "init_restart"), 1);
    assert_eq!(global::<String>(&e, "init_gs"), "0", "gamestate is already 0 in the fresh VM");
    assert_eq!(e.vm_starts(), 2);
}

#[test]
fn lua_5_3_compatibility_functions_are_missing_as_on_the_server() {
    let (mut e, _home) = engine_with(
        "missing = math.pow == nil and math.log10 == nil and math.atan2 == nil and math.cosh == nil and math.sinh == nil \
         and math.tanh == nil and math.frexp == nil and math.ldexp == nil and unpack == nil and loadstring == nil and bit32 == nil \
         ok_int = pcall(string.format, '%d', 3)  ok_frac = pcall(string.format, '%d', 1.5) \
         has_io = io ~= nil and os ~= nil  no_printf = et.G_Printf == nil",
    );
    e.load_map("supply");
    assert!(global::<bool>(&e, "missing"));
    assert!(global::<bool>(&e, "ok_int"));
    assert!(!global::<bool>(&e, "ok_frac"), "string.format('%d', 1.5) raises");
    assert!(global::<bool>(&e, "has_io"));
    assert!(global::<bool>(&e, "no_printf"), "there is no et.G_Printf");
}

#[test]
fn callbacks_get_integers_and_come_in_the_engines_order() {
    let (mut e, _home) = engine_with(
        "log = {} local function rec(...) local parts = {} for i, v in ipairs({...}) do parts[i] = (type(v) == 'number' and math.type(v) ~= 'integer') and ('!' .. tostring(v)) or tostring(v) end log[#log + 1] = table.concat(parts, ',') end \
         function et_InitGame(lt, s, r) rec('init', r) end function et_ShutdownGame(r) rec('shutdown', r) end \
         function et_ClientConnect(cn, first, bot) rec('connect', cn, first, bot) end function et_ClientBegin(cn) rec('begin', cn) end \
         function et_ClientSpawn(cn, rv, tc, rh) rec('spawn', cn, rv, tc, rh) end function et_Obituary(v, k, m) rec('obituary', v, k, m) end \
         function et_Damage(t, a, d, f, m) rec('damage', t, a, d, f, m) end function et_WeaponFire(cn, w) rec('fire', cn, w) return 0 end",
    );
    e.load_map("supply");
    e.client_connect(2, "^1A", true);
    e.client_spawn(2, false, true, true);
    e.weapon_fire(2, 3);
    e.damage(5, 1022, 20, 0, 32);
    e.obituary(5, 1022, 32);
    e.set_gamestate(gamestate::WARMUP_COUNTDOWN);
    e.map_restart();
    let log: Table = global(&e, "log");
    let entries: Vec<String> = log.sequence_values().map(|v| v.expect("string")).collect();
    assert_eq!(entries, ["init,1", "connect,2,0,1", "begin,2"], "after the restart the client reconnects and begins");
    e.end_round("Timelimit hit.");
    e.obituary(2, 1022, 32);
    assert_eq!(e.gamestate(), gamestate::INTERMISSION);
    assert_eq!(e.state().cvar("g_currentRound"), "1", "the round counter flips at the end");
    let log: Table = global(&e, "log");
    assert_eq!(log.raw_len(), 3, "no obituary during intermission");
}

#[test]
fn the_warmup_vm_saw_the_whole_warmup_sequence() {
    let (mut e, _home) = engine_with(
        "log = {} function et_InitGame(lt, s, r) log[#log+1] = 'init' .. r end function et_ClientConnect(cn, f, b) log[#log+1] = 'connect' .. f .. b end \
         function et_ClientBegin(cn) log[#log+1] = 'begin' end function et_ClientSpawn(cn, rv, tc, rh) log[#log+1] = 'spawn' .. rv .. tc .. rh end \
         function et_WeaponFire(cn, w) log[#log+1] = 'fire' .. w return 0 end function et_Obituary(v, k, m) log[#log+1] = 'obit' .. k .. ',' .. m end",
    );
    e.load_map("supply");
    e.client_connect(2, "^1A", true);
    e.client_spawn(2, false, true, true);
    assert!(!e.weapon_fire(2, 3), "returning 0 lets the shot through");
    e.obituary(2, 1022, 32);
    let log: Table = global(&e, "log");
    let entries: Vec<String> = log.sequence_values().map(|v| v.expect("string")).collect();
    assert_eq!(entries, ["init0", "connect11", "begin", "spawn011", "fire3", "obit1022,32"]);
}

#[test]
fn trap_milliseconds_is_process_time_not_level_time() {
    let (mut e, _home) = engine_with("function et_RunFrame(lt) level, process = lt, et.trap_Milliseconds() end");
    e.load_map("supply");
    e.run_frame();
    let (level, process): (i64, i64) = (global(&e, "level"), global(&e, "process"));
    assert_eq!(level, e.level_time());
    assert_ne!(level, process);
}

#[test]
fn a_callback_error_is_printed_like_the_engine_and_the_vm_stays() {
    let (mut e, _home) = engine_with("calls = 0 function et_RunFrame(lt) calls = calls + 1 error('boom') end");
    e.load_map("supply");
    e.run_frame();
    e.run_frame();
    let errors = e.lua_errors();
    assert_eq!(errors.len(), 2);
    assert!(errors[0].starts_with("Lua 5.4 API: et_RunFrame error running lua script: '"), "{}", errors[0]);
    assert!(errors[0].contains("boom"));
    assert_eq!(global::<i64>(&e, "calls"), 2);
}

#[test]
fn log_prints_reach_et_print_and_plain_prints_do_not() {
    let (mut e, _home) = engine_with(
        "seen = {} function et_Print(t) seen[#seen + 1] = t end function probe() et.G_Print('plain\\n') et.G_LogPrint('logged\\n') end",
    );
    e.load_map("supply");
    e.call("probe", ());
    let seen: Table = global(&e, "seen");
    let entries: Vec<String> = seen.sequence_values().map(|v| v.expect("string")).collect();
    assert_eq!(entries, ["logged\n"]);
    e.client_connect(1, "A", false);
    e.obituary(1, 1022, 32);
    let seen: Table = global(&e, "seen");
    assert_eq!(seen.get::<String>(2).expect("kill line"), "Kill: 1022 1 32: <world> killed A by MOD_FALLING\n");
}

#[test]
fn unknown_entity_fields_raise_the_engines_error() {
    let (mut e, _home) = engine_with(
        "function probe() local ok, msg = pcall(et.gentity_get, 0, 'ps.bogus') return ok, tostring(msg) end",
    );
    e.load_map("supply");
    let lua = e.vm(0).expect("vm");
    let f: mlua::Function = lua.globals().get("probe").expect("probe");
    let (ok, msg): (bool, String) = f.call(()).expect("runs");
    assert!(!ok);
    assert!(msg.contains("tried to get invalid gentity field"), "{msg}");
}

#[test]
fn empty_slots_return_stale_values_not_nil() {
    let (mut e, _home) = engine_with(
        "function probe() return et.gentity_get(5, 'pers.netname'), et.gentity_get(5, 'pers.connected') end",
    );
    e.load_map("supply");
    e.client_connect(5, "leaver", false);
    e.client_disconnect(5);
    let lua = e.vm(0).expect("vm");
    let f: mlua::Function = lua.globals().get("probe").expect("probe");
    let (name, connected): (String, i64) = f.call(()).expect("runs");
    assert_eq!((name.as_str(), connected), ("leaver", 0));
}

#[test]
fn cvars_configstrings_and_userinfo_are_strings() {
    let (mut e, _home) = engine_with(
        "function probe() return et.trap_Cvar_Get('sv_maxclients'), et.Info_ValueForKey(et.trap_GetConfigstring(et.CS_SERVERINFO), 'mapname'), \
         et.Info_ValueForKey(et.trap_GetUserinfo(3), 'name'), et.trap_Cvar_Get('no_such_cvar'), et.Q_CleanStr('^1Red^7X') end",
    );
    e.load_map("sw_goldrush_te");
    e.client_connect(3, "^4Blue", false);
    let lua = e.vm(0).expect("vm");
    let f: mlua::Function = lua.globals().get("probe").expect("probe");
    let got: (String, String, String, String, String) = f.call(()).expect("runs");
    assert_eq!(got, ("64".into(), "sw_goldrush_te".into(), "^4Blue".into(), String::new(), "RedX".into()));
}

#[test]
fn os_date_and_time_follow_the_servers_clock() {
    let (mut e, _home) =
        engine_with("function probe() return os.date('%Y-%m-%d-%H%M%S'), os.time(), os.date('*t').year end");
    e.load_map("supply");
    let lua = e.vm(0).expect("vm");
    let f: mlua::Function = lua.globals().get("probe").expect("probe");
    let (stamp, now, year): (String, i64, i64) = f.call(()).expect("runs");
    assert_eq!((stamp.as_str(), now, year), ("2025-12-20-120000", 1_766_232_000, 2025));
}

#[test]
fn oversized_modules_are_skipped() {
    let home = tempfile::tempdir().expect("tempdir");
    let mut e = Engine::new(EngineConfig::new(home.path()));
    e.add_module("huge.lua", &format!("-- {}", "x".repeat(1 << 20)));
    e.load_map("supply");
    assert!(e.vm(0).is_none());
    assert!(e.console().iter().any(|l| l.contains("bigger than 1 MiB")));
}

#[test]
fn writing_a_pak_is_fatal() {
    let (mut e, _home) = engine_with(
        "function probe() local ok, msg = pcall(et.trap_FS_FOpenFile, 'evil.pk3', et.FS_WRITE) return ok, tostring(msg) end",
    );
    e.load_map("supply");
    let lua = e.vm(0).expect("vm");
    let f: mlua::Function = lua.globals().get("probe").expect("probe");
    let (ok, _msg): (bool, String) = f.call(()).expect("runs");
    assert!(!ok);
    assert!(e.state().fatal.is_some());
}

fn bounded_engine(source: &str) -> (Engine, tempfile::TempDir) {
    let home = tempfile::tempdir().expect("tempdir");
    let mut cfg = EngineConfig::new(home.path());
    cfg.callback_budget = std::time::Duration::from_millis(300);
    cfg.memory_limit = 64 << 20;
    let mut engine = Engine::new(cfg);
    engine.add_module("runaway.lua", source);
    (engine, home)
}

#[test]
fn an_endless_loop_is_stopped_naming_its_callback_and_the_server_goes_on() {
    let (mut e, _home) =
        bounded_engine("frames = 0  function et_RunFrame(t) frames = frames + 1 while true do end end");
    e.load_map("supply");
    let started = std::time::Instant::now();
    for _ in 0..5 {
        e.run_frame();
    }
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "stopped in time: {:?}", started.elapsed());
    let runaways = e.runaways();
    assert_eq!(runaways.len(), 1, "stopped once, then unloaded: {runaways:?}");
    assert!(runaways[0].contains("runaway.lua") && runaways[0].contains("et_RunFrame"), "{runaways:?}");
    assert!(runaways[0].contains("300 ms"), "{runaways:?}");
    assert!(e.vm(0).is_none(), "the module is unloaded");
}

#[test]
fn a_huge_allocation_is_stopped_by_the_memory_limit() {
    let (mut e, _home) = bounded_engine(
        "function et_InitGame() local t = {} for i = 1, 100000000 do t[i] = string.rep('x', 1 << 20) .. i end end",
    );
    e.load_map("supply");
    let runaways = e.runaways();
    assert_eq!(runaways.len(), 1, "{runaways:?}");
    assert!(runaways[0].contains("et_InitGame") && runaways[0].contains("64 MiB"), "{runaways:?}");
    assert!(e.lua_memory() < 80 << 20);
}

#[test]
fn a_top_level_chunk_that_never_ends_is_stopped_too() {
    let (mut e, _home) = bounded_engine("while true do end");
    e.load_map("supply");
    assert!(e.runaways().first().is_some_and(|r| r.contains("top-level chunk")), "{:?}", e.runaways());
    assert!(e.vm(0).is_none());
}
