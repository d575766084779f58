//! The `et` table of one Lua VM, as ET:Legacy's `g_lua.c` builds it, and the server-side
//! adjustments of the standard library: no Lua 5.3 compatibility functions, and `os.time` /
//! `os.date` reading the simulated server's wall clock.

// The `et` functions that return nothing read best as `Ok(action)`.
#![allow(clippy::unit_arg)]

use std::cell::RefCell;
use std::rc::Rc;

use chrono::{DateTime, Datelike, NaiveDate, Timelike};
use mlua::{Lua, Table, Value, Variadic};

use super::entity::{FieldValue, get_field, set_int_field};
use super::state::{ServerState, info_value_for_key};

/// Shared server state, as the `et` closures hold it.
pub type Shared = Rc<RefCell<ServerState>>;

/// `MOD_*` constants (`bg_public.h`), unchanged since v2.76.
pub const MODS: &[(&str, i64)] = &[
    ("MOD_UNKNOWN", 0),
    ("MOD_MACHINEGUN", 1),
    ("MOD_BROWNING", 2),
    ("MOD_MG42", 3),
    ("MOD_GRENADE", 4),
    ("MOD_KNIFE", 5),
    ("MOD_LUGER", 6),
    ("MOD_COLT", 7),
    ("MOD_MP40", 8),
    ("MOD_THOMPSON", 9),
    ("MOD_STEN", 10),
    ("MOD_GARAND", 11),
    ("MOD_SILENCER", 12),
    ("MOD_FG42", 13),
    ("MOD_FG42SCOPE", 14),
    ("MOD_PANZERFAUST", 15),
    ("MOD_GRENADE_LAUNCHER", 16),
    ("MOD_FLAMETHROWER", 17),
    ("MOD_GRENADE_PINEAPPLE", 18),
    ("MOD_DYNAMITE", 22),
    ("MOD_AIRSTRIKE", 23),
    ("MOD_SYRINGE", 24),
    ("MOD_ARTY", 26),
    ("MOD_WATER", 27),
    ("MOD_SLIME", 28),
    ("MOD_LAVA", 29),
    ("MOD_CRUSH", 30),
    ("MOD_TELEFRAG", 31),
    ("MOD_FALLING", 32),
    ("MOD_SUICIDE", 33),
    ("MOD_TRIGGER_HURT", 35),
    ("MOD_CARBINE", 37),
    ("MOD_KAR98", 38),
    ("MOD_GPG40", 39),
    ("MOD_M7", 40),
    ("MOD_LANDMINE", 41),
    ("MOD_SATCHEL", 42),
    ("MOD_MOBILE_MG42", 44),
    ("MOD_SILENCED_COLT", 45),
    ("MOD_GARAND_SCOPE", 46),
    ("MOD_K43", 50),
    ("MOD_K43_SCOPE", 51),
    ("MOD_MORTAR", 52),
    ("MOD_BACKSTAB", 65),
    ("MOD_SWITCHTEAM", 66),
];

/// `WP_*` constants.
pub const WEAPONS: &[(&str, i64)] = &[
    ("WP_NONE", 0),
    ("WP_KNIFE", 1),
    ("WP_LUGER", 2),
    ("WP_MP40", 3),
    ("WP_GRENADE_LAUNCHER", 4),
    ("WP_PANZERFAUST", 5),
    ("WP_FLAMETHROWER", 6),
    ("WP_COLT", 7),
    ("WP_THOMPSON", 8),
    ("WP_GRENADE_PINEAPPLE", 9),
    ("WP_STEN", 10),
    ("WP_MEDIC_SYRINGE", 11),
    ("WP_AMMO", 12),
    ("WP_ARTY", 13),
    ("WP_SILENCER", 14),
    ("WP_DYNAMITE", 15),
    ("WP_MEDKIT", 19),
    ("WP_BINOCULARS", 20),
    ("WP_PLIERS", 21),
    ("WP_SMOKE_MARKER", 22),
    ("WP_KAR98", 23),
    ("WP_CARBINE", 24),
    ("WP_GARAND", 25),
    ("WP_LANDMINE", 26),
    ("WP_SATCHEL", 27),
    ("WP_MOBILE_MG42", 30),
    ("WP_K43", 31),
    ("WP_FG42", 32),
    ("WP_MORTAR", 35),
];

/// Globals and library functions of Lua 5.3 compatibility that ET's Lua 5.4 build lacks.
pub const MISSING_COMPAT: &[(&str, &str)] = &[
    ("math", "pow"),
    ("math", "log10"),
    ("math", "atan2"),
    ("math", "cosh"),
    ("math", "sinh"),
    ("math", "tanh"),
    ("math", "frexp"),
    ("math", "ldexp"),
    ("_G", "unpack"),
    ("_G", "loadstring"),
    ("_G", "bit32"),
];

fn runtime(msg: impl std::fmt::Display) -> mlua::Error {
    mlua::Error::runtime(msg)
}

/// Installs the `et` table and the server's library adjustments into `lua`.
pub fn install(lua: &Lua, state: &Shared) -> mlua::Result<()> {
    let et = lua.create_table()?;
    constants(&et)?;
    printing(lua, &et, state)?;
    cvars_and_strings(lua, &et, state)?;
    files(lua, &et, state)?;
    entities(lua, &et, state)?;
    lua.globals().set("et", et)?;
    remove_compat(lua)?;
    wall_clock(lua, state)?;
    Ok(())
}

fn constants(et: &Table) -> mlua::Result<()> {
    for (name, value) in MODS.iter().chain(WEAPONS) {
        et.set(*name, *value)?;
    }
    for (name, value) in [
        ("TEAM_FREE", 0),
        ("TEAM_AXIS", 1),
        ("TEAM_ALLIES", 2),
        ("TEAM_SPECTATOR", 3),
        ("FS_READ", super::fs::FS_READ),
        ("FS_WRITE", super::fs::FS_WRITE),
        ("FS_APPEND", super::fs::FS_APPEND),
        ("MAX_CLIENTS", 64),
        ("CS_SERVERINFO", 0),
        ("CS_PLAYERS", 689),
        ("EXEC_NOW", 0),
        ("EXEC_INSERT", 1),
        ("EXEC_APPEND", 2),
    ] {
        et.set(name, value)?;
    }
    Ok(())
}

fn printing(lua: &Lua, et: &Table, state: &Shared) -> mlua::Result<()> {
    let s = state.clone();
    et.set("G_Print", lua.create_function(move |_, text: String| Ok(s.borrow_mut().print(&text)))?)?;
    let s = state.clone();
    et.set("G_LogPrint", lua.create_function(move |_, text: String| Ok(s.borrow_mut().log_print(&text)))?)?;
    let s = state.clone();
    et.set(
        "trap_SendServerCommand",
        lua.create_function(move |_, (cn, cmd): (i64, String)| Ok(s.borrow_mut().server_commands.push((cn, cmd))))?,
    )?;
    let s = state.clone();
    et.set(
        "trap_SendConsoleCommand",
        lua.create_function(move |_, (_when, cmd): (i64, String)| Ok(s.borrow_mut().console.push(format!("] {cmd}"))))?,
    )?;
    let s = state.clone();
    et.set("RegisterModname", lua.create_function(move |_, name: String| Ok(s.borrow_mut().modnames.push(name)))?)?;
    Ok(())
}

fn cvars_and_strings(lua: &Lua, et: &Table, state: &Shared) -> mlua::Result<()> {
    let s = state.clone();
    et.set("trap_Cvar_Get", lua.create_function(move |_, name: String| Ok(s.borrow().cvar(&name)))?)?;
    let s = state.clone();
    et.set(
        "trap_Cvar_Set",
        lua.create_function(move |_, (name, value): (String, String)| Ok(s.borrow_mut().set_cvar(&name, value)))?,
    )?;
    let s = state.clone();
    et.set(
        "trap_GetConfigstring",
        lua.create_function(move |_, i: i64| Ok(s.borrow().configstrings.get(&i).cloned().unwrap_or_default()))?,
    )?;
    let s = state.clone();
    et.set(
        "trap_SetConfigstring",
        lua.create_function(move |_, (i, v): (i64, String)| {
            s.borrow_mut().configstrings.insert(i, v);
            Ok(())
        })?,
    )?;
    let s = state.clone();
    et.set(
        "trap_GetUserinfo",
        lua.create_function(move |_, cn: i64| {
            let st = s.borrow();
            Ok(usize::try_from(cn).ok().and_then(|i| st.clients.get(i)).map(|c| c.userinfo.clone()).unwrap_or_default())
        })?,
    )?;
    et.set(
        "Info_ValueForKey",
        lua.create_function(|_, (info, key): (String, String)| Ok(info_value_for_key(&info, &key)))?,
    )?;
    et.set("Q_CleanStr", lua.create_function(|_, text: String| Ok(proxviz_data::text::strip_colors(&text)))?)?;
    let s = state.clone();
    et.set("trap_Milliseconds", lua.create_function(move |_, ()| Ok(s.borrow().process_ms))?)?;
    Ok(())
}

fn files(lua: &Lua, et: &Table, state: &Shared) -> mlua::Result<()> {
    let s = state.clone();
    et.set(
        "trap_FS_FOpenFile",
        lua.create_function(move |_, (name, mode): (String, i64)| {
            let mut st = s.borrow_mut();
            match st.fs.open(&name, mode) {
                Ok(o) => Ok((o.fd, o.len)),
                Err(fatal) => {
                    st.fatal = Some(fatal.0.clone());
                    Err(runtime(fatal.0))
                }
            }
        })?,
    )?;
    let s = state.clone();
    et.set(
        "trap_FS_Write",
        lua.create_function(move |_, (data, count, fd): (mlua::LuaString, i64, i64)| {
            Ok(s.borrow_mut().fs.write(&data.as_bytes(), count, fd))
        })?,
    )?;
    let s = state.clone();
    et.set(
        "trap_FS_Read",
        lua.create_function(move |lua, (fd, count): (i64, i64)| lua.create_string(s.borrow_mut().fs.read(fd, count)))?,
    )?;
    let s = state.clone();
    et.set("trap_FS_FCloseFile", lua.create_function(move |_, fd: i64| Ok(s.borrow_mut().fs.close(fd)))?)?;
    Ok(())
}

fn entities(lua: &Lua, et: &Table, state: &Shared) -> mlua::Result<()> {
    let s = state.clone();
    et.set(
        "gentity_get",
        lua.create_function(move |lua, (entnum, field, index): (i64, String, Option<i64>)| {
            if !(0..1024).contains(&entnum) {
                return Err(runtime(format!("gentity_get: entity number {entnum} out of range")));
            }
            let st = s.borrow();
            let slot = usize::try_from(entnum).ok().and_then(|i| st.clients.get(i));
            let value = get_field(entnum, slot, &field, index.unwrap_or(0)).map_err(runtime)?;
            Ok(match value {
                FieldValue::Int(v) => Value::Integer(v),
                FieldValue::Float(v) => Value::Number(v),
                FieldValue::Str(v) => Value::String(lua.create_string(v)?),
                FieldValue::Vec3(v) => Value::Table(lua.create_sequence_from(v.map(f64::from))?),
                FieldValue::Nil => Value::Nil,
            })
        })?,
    )?;
    let s = state.clone();
    et.set(
        "gentity_set",
        lua.create_function(move |_, (entnum, field, args): (i64, String, Variadic<i64>)| {
            let value = *args.last().ok_or_else(|| runtime("gentity_set: no value"))?;
            let mut st = s.borrow_mut();
            let slot = usize::try_from(entnum)
                .ok()
                .and_then(|i| st.clients.get_mut(i))
                .ok_or_else(|| runtime(format!("gentity_set: entity {entnum} is not a client")))?;
            set_int_field(slot, &field, value).map_err(runtime)
        })?,
    )?;
    Ok(())
}

fn remove_compat(lua: &Lua) -> mlua::Result<()> {
    let globals = lua.globals();
    for (lib, name) in MISSING_COMPAT {
        let table: Table = if *lib == "_G" { globals.clone() } else { globals.get(*lib)? };
        table.set(*name, Value::Nil)?;
    }
    Ok(())
}

/// `os.time()` and `os.date()` read the simulated server clock (UTC), so rounds are reproducible.
fn wall_clock(lua: &Lua, state: &Shared) -> mlua::Result<()> {
    let os: Table = lua.globals().get("os")?;
    let s = state.clone();
    os.set(
        "time",
        lua.create_function(move |_, t: Option<Table>| match t {
            None => Ok(s.borrow().wall_clock_unix_ms.div_euclid(1000)),
            Some(t) => {
                let field = |k: &str, default: Option<i64>| -> mlua::Result<i64> {
                    t.get::<Option<i64>>(k)?
                        .or(default)
                        .ok_or_else(|| runtime(format!("field '{k}' missing in date table")))
                };
                let date = NaiveDate::from_ymd_opt(field("year", None)? as i32, field("month", None)? as u32, 1)
                    .ok_or_else(|| runtime("date out of range"))?;
                let secs = date.and_hms_opt(0, 0, 0).map(|d| d.and_utc().timestamp()).unwrap_or(0)
                    + (field("day", None)? - 1) * 86_400
                    + field("hour", Some(12))? * 3600
                    + field("min", Some(0))? * 60
                    + field("sec", Some(0))?;
                Ok(secs)
            }
        })?,
    )?;
    let s = state.clone();
    os.set(
        "date",
        lua.create_function(move |lua, (format, time): (Option<String>, Option<i64>)| {
            let secs = time.unwrap_or_else(|| s.borrow().wall_clock_unix_ms.div_euclid(1000));
            let when = DateTime::from_timestamp(secs, 0).ok_or_else(|| runtime("time out of range"))?;
            let format = format.unwrap_or_else(|| "%c".to_owned());
            let format = format.strip_prefix('!').unwrap_or(&format);
            if format.starts_with("*t") {
                let t = lua.create_table()?;
                t.set("year", when.year())?;
                t.set("month", when.month())?;
                t.set("day", when.day())?;
                t.set("hour", when.hour())?;
                t.set("min", when.minute())?;
                t.set("sec", when.second())?;
                t.set("wday", when.weekday().number_from_sunday())?;
                t.set("yday", when.ordinal())?;
                t.set("isdst", false)?;
                return Ok(Value::Table(t));
            }
            let mut out = String::new();
            use std::fmt::Write as _;
            write!(out, "{}", when.format(format)).map_err(|_| runtime(format!("bad date format '{format}'")))?;
            Ok(Value::String(lua.create_string(out)?))
        })?,
    )?;
    Ok(())
}
