//! A throwaway PostgreSQL server for tests and benchmarks: `DATABASE_URL` when set, else a
//! server started from the local binaries (`/usr/lib/postgresql/*/bin`) in a temporary folder,
//! on a free port, for as long as the process lives. `initdb` refuses to run as root, so as root
//! the server runs as the `postgres` user. A watcher shell stops it when this process exits.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Where a test server listens.
#[derive(Debug, Clone)]
pub struct TestServer {
    /// `postgres://user@host:port` without a database.
    pub base_url: String,
    /// Database of `DATABASE_URL` (or `postgres` for a throwaway server), used to create others.
    pub admin_db: String,
}

fn find_bin_dir() -> Option<PathBuf> {
    let mut candidates: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("initdb").exists())
        .collect();
    candidates.sort();
    candidates.pop()
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

/// Runs `bin` with `args`, as the `postgres` user when we are root.
fn command(bin: &Path, args: &[&str], as_postgres: bool) -> Command {
    if as_postgres {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin).args(args);
        c
    } else {
        let mut c = Command::new(bin);
        c.args(args);
        c
    }
}

fn start_throwaway(durable: bool) -> Result<TestServer, String> {
    let bin = find_bin_dir().ok_or(
        "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin: install the postgresql package or set DATABASE_URL",
    )?;
    let root = is_root();
    let dir = std::env::temp_dir().join(format!("proxviz-pg-{}-{}", std::process::id(), free_port()?));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let data = dir.join("data");
    let dir_s = dir.to_string_lossy().into_owned();
    let data_s = data.to_string_lossy().into_owned();
    if root {
        let status = Command::new("chown").args(["postgres", &dir_s]).status().map_err(|e| e.to_string())?;
        if !status.success() {
            return Err(format!("chown postgres {dir_s} failed"));
        }
    }
    let out = command(&bin.join("initdb"), &["-D", &data_s, "-A", "trust", "-U", "postgres", "--no-sync"], root)
        .output()
        .map_err(|e| format!("initdb: {e}"))?;
    if !out.status.success() {
        return Err(format!("initdb failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    let port = free_port()?;
    // The watcher: start postgres, wait while this process lives, then stop it (by the
    // postmaster's own pid: `runuser` does not pass signals on) and clean up.
    let postgres = bin.join("postgres");
    let pg = postgres.to_string_lossy();
    let runner = if root { "runuser -u postgres -- " } else { "" };
    // Tests do not need crash safety; benchmarks that compare with a normal server do.
    let speed = if durable { "" } else { "-c fsync=off -c synchronous_commit=off -c full_page_writes=off" };
    let script = format!(
        "{runner}'{pg}' -D '{data_s}' -p {port} -k '{dir_s}' -c listen_addresses=127.0.0.1 {speed} \
         > '{dir_s}/log' 2>&1 & pg=$!; \
         while kill -0 {parent} 2>/dev/null && kill -0 $pg 2>/dev/null; do sleep 0.5; done; \
         kill -INT $(head -n 1 '{data_s}/postmaster.pid' 2>/dev/null) 2>/dev/null; wait $pg; rm -rf '{dir_s}'",
        parent = std::process::id()
    );
    Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("starting postgres: {e}"))?;
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            // Accepting TCP is not yet accepting queries; pg_isready says when it is.
            let ready = Command::new(bin.join("pg_isready"))
                .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-U", "postgres"])
                .output()
                .is_ok_and(|o| o.status.success());
            if ready {
                return Ok(TestServer {
                    base_url: format!("postgres://postgres@127.0.0.1:{port}"),
                    admin_db: "postgres".into(),
                });
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let log = std::fs::read_to_string(dir.join("log")).unwrap_or_default();
    Err(format!("postgres did not start within 30 s:\n{log}"))
}

fn from_env(url: &str) -> TestServer {
    match url.rsplit_once('/') {
        Some((base, db)) if base.contains("://") && base.rsplit_once('/').is_some_and(|(_, host)| !host.is_empty()) => {
            TestServer { base_url: base.to_owned(), admin_db: db.split('?').next().unwrap_or(db).to_owned() }
        }
        _ => TestServer { base_url: url.trim_end_matches('/').to_owned(), admin_db: "postgres".into() },
    }
}

impl TestServer {
    /// The shared server of this process: `DATABASE_URL`'s, or a throwaway one started on first
    /// use. Panics with what to do when neither works: tests that need PostgreSQL must never
    /// skip silently.
    pub fn get() -> &'static TestServer {
        static SERVER: OnceLock<TestServer> = OnceLock::new();
        SERVER.get_or_init(|| Self::start(false))
    }

    /// Like [`TestServer::get`], but a throwaway server keeps PostgreSQL's default durability
    /// (fsync, synchronous commit), so timings compare with a normally configured server.
    pub fn durable() -> &'static TestServer {
        static SERVER: OnceLock<TestServer> = OnceLock::new();
        SERVER.get_or_init(|| Self::start(true))
    }

    fn start(durable: bool) -> TestServer {
        match std::env::var("DATABASE_URL") {
            Ok(url) if !url.is_empty() => from_env(&url),
            _ => start_throwaway(durable)
                .unwrap_or_else(|e| panic!("cannot start a PostgreSQL server for the tests: {e}")),
        }
    }

    /// URL of database `db` on this server.
    pub fn url(&self, db: &str) -> String {
        format!("{}/{db}", self.base_url)
    }

    /// Creates a fresh, empty database with a unique name and returns its URL.
    pub async fn fresh_database(&self, prefix: &str) -> Result<String, sqlx::Error> {
        use sqlx::Connection as _;
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!("{prefix}_{}_{n}", std::process::id());
        let mut admin = sqlx::PgConnection::connect(&self.url(&self.admin_db)).await?;
        sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\"")).execute(&mut admin).await?;
        sqlx::query(&format!("CREATE DATABASE \"{name}\"")).execute(&mut admin).await?;
        Ok(self.url(&name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_url_splits_into_server_and_database() {
        let s = from_env("postgres://u:p@db.example:5433/stats");
        assert_eq!((s.base_url.as_str(), s.admin_db.as_str()), ("postgres://u:p@db.example:5433", "stats"));
        let s = from_env("postgres://u@host:5432");
        assert_eq!((s.base_url.as_str(), s.admin_db.as_str()), ("postgres://u@host:5432", "postgres"));
    }
}
