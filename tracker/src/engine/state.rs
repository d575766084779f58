//! The server-side state the `et` functions read and write: cvars, configstrings, client slots,
//! clocks, the game file system, and what was printed.

use std::collections::BTreeMap;

use super::entity::ClientSlot;
use super::fs::GameFs;

/// Longest text `G_Print` / `G_LogPrint` pass on (the real engine's 1024-byte buffer).
pub const MAX_PRINT_CHARS: usize = 1023;

/// Everything the game module can see of the server.
pub struct ServerState {
    /// Cvars by name (values are strings, as `trap_Cvar_Get` returns them).
    pub cvars: BTreeMap<String, String>,
    /// Configstrings by index.
    pub configstrings: BTreeMap<i64, String>,
    /// Client slots `0..MAX_CLIENTS`; only `0..sv_maxclients` are ever used.
    pub clients: Vec<ClientSlot>,
    /// `level.time` in ms (keeps running across `map_restart`).
    pub level_time: i64,
    /// `Sys_Milliseconds()`: real time since the process started, not level time.
    pub process_ms: i64,
    /// The server's wall clock, unix ms (what `os.time` / `os.date` see).
    pub wall_clock_unix_ms: i64,
    /// The game folder.
    pub fs: GameFs,
    /// Everything printed to the console, one entry per print.
    pub console: Vec<String>,
    /// Lines written with `G_LogPrint` (the server log).
    pub log: Vec<String>,
    /// `G_LogPrint` texts not yet handed to `et_Print`.
    pub pending_prints: Vec<String>,
    /// Callback errors, as the engine prints them.
    pub lua_errors: Vec<String>,
    /// Server commands sent (client, text).
    pub server_commands: Vec<(i64, String)>,
    /// A fatal error (the real server would stop the game).
    pub fatal: Option<String>,
    /// Names given to `et.RegisterModname`.
    pub modnames: Vec<String>,
}

impl ServerState {
    /// A server with empty slots.
    pub fn new(fs: GameFs, slots: usize) -> Self {
        Self {
            cvars: BTreeMap::new(),
            configstrings: BTreeMap::new(),
            clients: vec![ClientSlot::default(); slots],
            level_time: 0,
            process_ms: 0,
            wall_clock_unix_ms: 0,
            fs,
            console: Vec::new(),
            log: Vec::new(),
            pending_prints: Vec::new(),
            lua_errors: Vec::new(),
            server_commands: Vec::new(),
            fatal: None,
            modnames: Vec::new(),
        }
    }

    /// A cvar's value, `""` when unset.
    pub fn cvar(&self, name: &str) -> String {
        self.cvars.get(&name.to_ascii_lowercase()).cloned().unwrap_or_default()
    }

    /// Sets a cvar.
    pub fn set_cvar(&mut self, name: &str, value: impl Into<String>) {
        self.cvars.insert(name.to_ascii_lowercase(), value.into());
    }

    /// Prints to the console as `G_Print` does (cut at 1023 chars, no newline added).
    pub fn print(&mut self, text: &str) {
        self.console.push(text.chars().take(MAX_PRINT_CHARS).collect());
    }

    /// Writes a log line as `G_LogPrint` does; it is echoed to the console and reaches `et_Print`.
    pub fn log_print(&mut self, text: &str) {
        let text: String = text.chars().take(MAX_PRINT_CHARS).collect();
        self.log.push(text.clone());
        self.console.push(text.clone());
        self.pending_prints.push(text);
    }
}

/// `Info_ValueForKey`: the value of `key` in a `\key\value\key\value` string, `""` if absent.
pub fn info_value_for_key(info: &str, key: &str) -> String {
    let mut parts = info.strip_prefix('\\').unwrap_or(info).split('\\');
    while let (Some(k), Some(v)) = (parts.next(), parts.next()) {
        if k.eq_ignore_ascii_case(key) {
            return v.to_owned();
        }
    }
    String::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_strings_are_read_by_key() {
        let info = "\\name\\^1Fritz\\cl_guid\\ABC\\ip\\10.0.0.1:27960";
        assert_eq!(info_value_for_key(info, "name"), "^1Fritz");
        assert_eq!(info_value_for_key(info, "IP"), "10.0.0.1:27960");
        assert_eq!(info_value_for_key(info, "missing"), "");
    }
}
