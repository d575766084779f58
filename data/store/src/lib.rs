//! The PostgreSQL store: the seed's schema plus proxviz's `rounds` (migrations in the
//! workspace's `migrations/`, embedded), round import by COPY in one transaction per round,
//! loading a round back into the same [`Round`](proxviz_data::Round) the parser makes, and season
//! aggregates computed in SQL. The pure data crate knows nothing of it.

mod adopt;
mod copy;
mod import;
mod load;
mod query;
mod sanitize;
#[cfg(feature = "test-support")]
pub mod test_server;

use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

pub use self::import::{Extent, ImportOptions, ImportOutcome, ImportReport, Source, read_for_import, source_of};
pub use self::query::{HeatmapQuery, PAGE_COUNT_CAP, PlayerTotals, RoundFilter, RoundPage, StoredRound};

/// Store errors. Messages name the round or the server, and never carry a password.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The server could not be reached or refused us.
    #[error("cannot connect to PostgreSQL at {url}: {message}")]
    Connect {
        /// The URL with its password hidden.
        url: String,
        /// Why.
        message: String,
    },
    /// The schema could not be brought up to date.
    #[error("cannot apply the database migrations: {0}")]
    Migrate(String),
    /// Importing one round failed; nothing of it was kept.
    #[error("round {base}: {message}")]
    Round {
        /// The round's base name.
        base: String,
        /// Why.
        message: String,
    },
    /// The server stopped answering or the connection broke: later rounds would fail the same
    /// way, so an import run stops here.
    #[error("round {base}: the connection to the server broke ({message}); nothing of the round was kept")]
    ServerGone {
        /// The round's base name.
        base: String,
        /// Why.
        message: String,
    },
    /// Something took longer than allowed; nothing of it was kept.
    #[error("{what}: no answer from the server within {secs} s; nothing of it was kept")]
    Timeout {
        /// What was being done.
        what: String,
        /// The limit.
        secs: f64,
    },
    /// The schema is older than this proxviz needs and this role may not update it.
    #[error(
        "the database's schema is at version {have}, this proxviz needs version {need} ({why}): run `proxviz db migrate` \
         (or an import) once as the database's owner"
    )]
    SchemaTooOld {
        /// Newest migration applied.
        have: i64,
        /// Newest migration this build has.
        need: i64,
        /// The server's reason.
        why: String,
    },
    /// No round with this id.
    #[error("no round with id {0} in the database")]
    NoSuchRound(i64),
    /// Any other database error.
    #[error("database error: {0}")]
    Db(String),
}

impl StoreError {
    /// A database error while importing round `base`: [`StoreError::ServerGone`] when the
    /// connection itself failed, else [`StoreError::Round`].
    pub fn of_round(base: &str, e: &sqlx::Error) -> Self {
        if connection_lost(e) {
            Self::ServerGone { base: base.to_owned(), message: describe(e) }
        } else {
            Self::Round { base: base.to_owned(), message: describe(e) }
        }
    }

    /// Whether later work on the same server would fail the same way (stop instead of going on).
    pub fn is_fatal(&self) -> bool {
        matches!(
            self,
            Self::ServerGone { .. } | Self::Timeout { .. } | Self::Connect { .. } | Self::SchemaTooOld { .. }
        )
    }
}

/// Whether `e` says the connection failed rather than the statement.
fn connection_lost(e: &sqlx::Error) -> bool {
    matches!(
        e,
        sqlx::Error::Io(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed
            | sqlx::Error::Protocol(_)
    )
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        Self::Db(describe(&e))
    }
}

/// A database error in one line, without SQL internals a user cannot act on.
pub(crate) fn describe(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Database(db) => match db.constraint() {
            Some(c) => format!("{} (constraint {c})", db.message()),
            None => db.message().to_owned(),
        },
        sqlx::Error::PoolTimedOut => "timed out waiting for a connection".to_owned(),
        other => other.to_string(),
    }
}

/// The URL with any password replaced by `***`: the `user:password@` form and the
/// `?password=` (or `&password=`) query parameter alike.
pub fn redact_url(url: &str) -> String {
    if !url.contains("://") {
        return redact_key_values(url);
    }
    let (main, query) = match url.split_once('?') {
        Some((m, q)) => (m, Some(q)),
        None => (url, None),
    };
    let mut out = match main.split_once("://") {
        Some((scheme, rest)) => match rest.rsplit_once('@') {
            Some((userinfo, host)) => match userinfo.split_once(':') {
                Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
                None => main.to_owned(),
            },
            None => main.to_owned(),
        },
        None => main.to_owned(),
    };
    if let Some(q) = query {
        let params: Vec<String> = q
            .split('&')
            .map(|p| match p.split_once('=') {
                Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                _ => p.to_owned(),
            })
            .collect();
        out.push('?');
        out.push_str(&params.join("&"));
    }
    out
}

/// A `key=value ...` connection string with its `password=` value hidden.
fn redact_key_values(s: &str) -> String {
    s.split(' ')
        .map(|part| match part.split_once('=') {
            Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
            _ => part.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `text` with every appearance of the password in `url` (either form) replaced by `***`: for
/// messages from elsewhere (a driver error quoting the URL).
pub fn redact_in(text: &str, url: &str) -> String {
    let mut out = text.to_owned();
    for secret in passwords_in(url) {
        if !secret.is_empty() {
            out = out.replace(&secret, "***");
        }
    }
    out
}

/// The passwords a URL carries (user info and query parameter), raw and percent-decoded.
fn passwords_in(url: &str) -> Vec<String> {
    let mut found = Vec::new();
    if !url.contains("://") {
        found.extend(
            url.split(' ')
                .filter_map(|p| p.split_once('='))
                .filter(|(k, _)| k.eq_ignore_ascii_case("password"))
                .map(|(_, v)| v.to_owned()),
        );
    }
    let (main, query) = url.split_once('?').map_or((url, None), |(m, q)| (m, Some(q)));
    if let Some((_, rest)) = main.split_once("://")
        && let Some((userinfo, _)) = rest.rsplit_once('@')
        && let Some((_, pw)) = userinfo.split_once(':')
    {
        found.push(pw.to_owned());
    }
    for p in query.into_iter().flat_map(|q| q.split('&')) {
        if let Some((k, v)) = p.split_once('=')
            && k.eq_ignore_ascii_case("password")
        {
            found.push(v.to_owned());
        }
    }
    let decoded: Vec<String> = found.iter().map(|p| percent_decode(p)).collect();
    found.extend(decoded);
    found.sort_by_key(|p| std::cmp::Reverse(p.len()));
    found.dedup();
    found
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(v) = u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"), 16)
        {
            out.push(v);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Migrations of `migrations/`, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

/// Longest wait for the server to accept a connection or answer a read.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(20);

/// A connection pool to a proxviz database.
#[derive(Debug, Clone)]
pub struct Store {
    pool: PgPool,
    /// The URL without its password, to say where a round came from.
    shown_url: String,
}

/// The newest migration this build has.
pub fn newest_migration() -> i64 {
    MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
}

impl Store {
    /// Connects for reading and writing: adopts a database that has the seed's tables but no
    /// proxviz schema yet, then applies any migration not yet applied.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::open(url, true).await
    }

    /// Connects for reading only: works for a role that may not create tables, as long as the
    /// schema is up to date (else says so).
    pub async fn connect_read(url: &str) -> Result<Self, StoreError> {
        Self::open(url, false).await
    }

    async fn open(url: &str, write: bool) -> Result<Self, StoreError> {
        use sqlx::Connection as _;
        let shown_url = redact_url(url);
        let refused =
            |e: sqlx::Error| StoreError::Connect { url: shown_url.clone(), message: redact_in(&describe(&e), url) };
        let silent = || StoreError::Connect {
            url: shown_url.clone(),
            message: format!("no answer within {} s", ANSWER_TIMEOUT.as_secs()),
        };
        // One direct attempt first: the pool would retry until its timeout and then only say
        // that it timed out, hiding "connection refused" or "password authentication failed".
        let conn = tokio::time::timeout(ANSWER_TIMEOUT, sqlx::PgConnection::connect(url))
            .await
            .map_err(|_| silent())?
            .map_err(refused)?;
        conn.close().await.map_err(refused)?;
        let pool = PgPoolOptions::new()
            .max_connections(4)
            .acquire_timeout(ANSWER_TIMEOUT)
            .connect(url)
            .await
            .map_err(refused)?;
        let store = Self { pool, shown_url: shown_url.clone() };
        let bounded = |what: &str| StoreError::Timeout { what: what.to_owned(), secs: ANSWER_TIMEOUT.as_secs_f64() };
        let applied = tokio::time::timeout(ANSWER_TIMEOUT, adopt::applied_migrations(&store.pool))
            .await
            .map_err(|_| bounded("reading the schema version"))??;
        let need = newest_migration();
        if applied.iter().copied().max().unwrap_or(0) >= need && MIGRATOR.iter().all(|m| applied.contains(&m.version)) {
            return Ok(store);
        }
        if !applied.contains(&1) && adopt::has_seed_tables(&store.pool).await? {
            if !write {
                return Err(StoreError::SchemaTooOld {
                    have: 0,
                    need,
                    why: "it holds the seed's tables, not yet adopted by proxviz".into(),
                });
            }
            adopt::adopt_seed_tables(&store.pool).await?;
            MIGRATOR.run(&store.pool).await.map_err(|e| StoreError::Migrate(e.to_string()))?;
            adopt::attach_seed_rows(&store.pool).await?;
            return Ok(store);
        }
        if !write {
            // Reading never changes the schema (nor waits on another process changing it).
            return Err(StoreError::SchemaTooOld {
                have: applied.iter().copied().max().unwrap_or(0),
                need,
                why: "reading does not migrate".into(),
            });
        }
        MIGRATOR.run(&store.pool).await.map_err(|e| StoreError::Migrate(e.to_string()))?;
        Ok(store)
    }

    /// The pool, for queries of the caller's own (the seed's sample SQL, for instance).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Whether the server answers a trivial query within a few seconds.
    pub async fn answers(&self) -> bool {
        let probe = sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(&self.pool);
        matches!(tokio::time::timeout(Duration::from_secs(5), probe).await, Ok(Ok(1)))
    }

    /// Where this store is, without the password (for titles and messages).
    pub fn shown_url(&self) -> &str {
        &self.shown_url
    }

    /// Rows of the seed's tables that belong to no round (written by another importer) get
    /// rounds of their own, so proxviz can show them; how many rounds were made.
    pub async fn attach_seed_rows(&self) -> Result<u64, StoreError> {
        adopt::attach_seed_rows(&self.pool).await
    }
}

/// Runs `f` within [`ANSWER_TIMEOUT`].
pub(crate) async fn answer<T>(what: &str, f: impl Future<Output = Result<T, StoreError>>) -> Result<T, StoreError> {
    tokio::time::timeout(ANSWER_TIMEOUT, f)
        .await
        .unwrap_or_else(|_| Err(StoreError::Timeout { what: what.to_owned(), secs: ANSWER_TIMEOUT.as_secs_f64() }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_hidden_in_urls() {
        assert_eq!(redact_url("postgres://et_bot:s3cret@db:5432/et_stats"), "postgres://et_bot:***@db:5432/et_stats");
        assert_eq!(redact_url("postgres://et_bot@db/et_stats"), "postgres://et_bot@db/et_stats");
        assert_eq!(redact_url("not a url"), "not a url");
        assert_eq!(
            redact_url("postgres://db/et_stats?user=et_bot&password=s3cret&sslmode=require"),
            "postgres://db/et_stats?user=et_bot&password=***&sslmode=require"
        );
        assert_eq!(redact_in("failed for s3cr%21t and s3cr!t", "postgres://u:s3cr%21t@h/db"), "failed for *** and ***");
        assert_eq!(redact_in("x pw9 y", "postgres://h/db?password=pw9"), "x *** y");
        assert_eq!(redact_url("host=db user=et password=s3cret dbname=et"), "host=db user=et password=*** dbname=et");
        assert_eq!(redact_in("bad s3cret", "host=db password=s3cret"), "bad ***");
    }
}
