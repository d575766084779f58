//! The PostgreSQL store: the seed's schema plus proxviz's `rounds` (migrations in the
//! workspace's `migrations/`, embedded), round import by COPY in one transaction per round,
//! loading a round back into the same [`Round`](proxviz_data::Round) the parser makes, and season
//! aggregates computed in SQL. The pure data crate knows nothing of it.

mod copy;
mod import;
mod load;
mod query;
#[cfg(feature = "test-support")]
pub mod test_server;

use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

pub use self::import::{ImportOutcome, Source, read_for_import, source_of};
pub use self::query::{HeatmapQuery, PlayerTotals, RoundFilter, StoredRound};

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
    /// No round with this id.
    #[error("no round with id {0} in the database")]
    NoSuchRound(i64),
    /// Any other database error.
    #[error("database error: {0}")]
    Db(String),
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

/// The URL with any password replaced by `***`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let Some((userinfo, host)) = rest.rsplit_once('@') else { return url.to_owned() };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

/// Migrations of `migrations/`, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

/// A connection pool to a proxviz database.
#[derive(Debug, Clone)]
pub struct Store {
    pool: PgPool,
}

impl Store {
    /// Connects and applies any migration not yet applied.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        use sqlx::Connection as _;
        let refused = |e: sqlx::Error| StoreError::Connect { url: redact_url(url), message: describe(&e) };
        // One direct attempt first: the pool would retry until its timeout and then only say
        // that it timed out, hiding "connection refused" or "password authentication failed".
        sqlx::PgConnection::connect(url).await.map_err(refused)?.close().await.map_err(refused)?;
        let pool = PgPoolOptions::new()
            .max_connections(4)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await
            .map_err(|e| StoreError::Connect { url: redact_url(url), message: describe(&e) })?;
        MIGRATOR.run(&pool).await.map_err(|e| StoreError::Migrate(e.to_string()))?;
        Ok(Self { pool })
    }

    /// The pool, for queries of the caller's own (the seed's sample SQL, for instance).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_hidden_in_urls() {
        assert_eq!(redact_url("postgres://et_bot:s3cret@db:5432/et_stats"), "postgres://et_bot:***@db:5432/et_stats");
        assert_eq!(redact_url("postgres://et_bot@db/et_stats"), "postgres://et_bot@db/et_stats");
        assert_eq!(redact_url("not a url"), "not a url");
    }
}
