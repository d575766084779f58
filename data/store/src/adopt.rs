//! Adopting a database that already holds the seed's four tables (created with the seed's own
//! `CREATE TABLE` statements, with rows): instead of failing on "relation already exists", the
//! tables are checked column by column, the seed's unique indexes (which would refuse a second
//! map played the same day) become plain ones, the first migration is recorded as applied, the
//! others run, and every old row is attached to a round of its own — `seed-db-<date>-round-<n>`
//! per (session_date, round_number) — so the window can open it. No row is changed or lost.

use proxviz_data::model::Metadata;
use proxviz_data::report::LoadReport;
use sqlx::{PgPool, Row};

use super::{MIGRATOR, StoreError};

/// The seed's tables and the columns each must have.
const SEED_TABLES: [(&str, &[&str]); 4] = [
    (
        "player_positions",
        &[
            "id",
            "session_date",
            "round_number",
            "clientnum",
            "timestamp",
            "x",
            "y",
            "z",
            "yaw",
            "pitch",
            "speed",
            "moving",
        ],
    ),
    (
        "combat_events",
        &[
            "id",
            "session_date",
            "round_number",
            "timestamp",
            "event_type",
            "attacker",
            "target",
            "distance",
            "nearby_allies",
            "nearby_enemies",
            "damage",
        ],
    ),
    (
        "engagement_analysis",
        &["id", "session_date", "round_number", "engagement_type", "distance", "killer_name", "victim_name"],
    ),
    ("proximity_heatmap", &["id", "session_date", "round_number", "grid_x", "grid_y", "axis_kills", "allies_kills"]),
];

/// Marks adopted rounds (instead of a hash of files).
const ADOPTED: &str = "adopted-seed-rows";

/// Versions of the migrations applied (none when sqlx's table is not there).
pub async fn applied_migrations(pool: &PgPool) -> Result<Vec<i64>, StoreError> {
    let exists: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL").fetch_one(pool).await?;
    if !exists {
        return Ok(Vec::new());
    }
    Ok(sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
        .fetch_all(pool)
        .await?)
}

/// Whether any of the seed's tables exists.
pub async fn has_seed_tables(pool: &PgPool) -> Result<bool, StoreError> {
    let names: Vec<&str> = SEED_TABLES.iter().map(|(t, _)| *t).collect();
    Ok(sqlx::query_scalar(
        "SELECT count(*) > 0 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ANY($1)",
    )
    .bind(&names)
    .fetch_one(pool)
    .await?)
}

/// Checks the seed's tables, loosens their unique indexes, creates the first migration's
/// indexes where missing and records that migration as applied, in one transaction.
pub async fn adopt_seed_tables(pool: &PgPool) -> Result<(), StoreError> {
    let refuse = |m: String| StoreError::Migrate(format!("cannot adopt the existing tables: {m}"));
    let mut tx = pool.begin().await?;
    // Two proxviz processes adopting at once take turns.
    sqlx::query("SELECT pg_advisory_xact_lock(4242)").execute(&mut *tx).await?;
    let exists: bool =
        sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL").fetch_one(&mut *tx).await?;
    if exists {
        let done: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM _sqlx_migrations WHERE version = 1)")
            .fetch_one(&mut *tx)
            .await?;
        if done {
            return Ok(());
        }
    }
    for (table, columns) in SEED_TABLES {
        let have: Vec<String> = sqlx::query_scalar(
            "SELECT column_name::text FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1",
        )
        .bind(table)
        .fetch_all(&mut *tx)
        .await?;
        if have.is_empty() {
            return Err(refuse(format!("the seed's table {table} is missing (the others are there)")));
        }
        if let Some(missing) = columns.iter().find(|c| !have.iter().any(|h| h == *c)) {
            return Err(refuse(format!("table {table} has no column {missing}: it is not the seed's table")));
        }
        if have.iter().any(|h| h == "round_id") {
            return Err(refuse(format!("table {table} already has proxviz's round_id column but no migration record")));
        }
        // Unique indexes other than the primary key: the seed's (session_date, round_number,
        // ...) keys refuse a second map played on the same day; proxviz keys rows by round.
        let unique = sqlx::query(
            "SELECT ic.relname::text, con.conname::text FROM pg_index i \
             JOIN pg_class t ON t.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid \
             LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = t.oid \
             WHERE t.relname = $1 AND t.relnamespace = current_schema()::regnamespace AND i.indisunique AND NOT i.indisprimary",
        )
        .bind(table)
        .fetch_all(&mut *tx)
        .await?;
        for row in unique {
            let (index, constraint): (String, Option<String>) = (row.get(0), row.get(1));
            let sql = match constraint {
                Some(c) => format!("ALTER TABLE {table} DROP CONSTRAINT \"{}\"", c.replace('"', "\"\"")),
                None => format!("DROP INDEX \"{}\"", index.replace('"', "\"\"")),
            };
            sqlx::query(&sql).execute(&mut *tx).await?;
        }
    }
    let first = MIGRATOR.iter().find(|m| m.version == 1).ok_or_else(|| refuse("no first migration".into()))?;
    // The first migration's indexes, under its names (later migrations refer to them), plain.
    for statement in first.sql.split(';').map(str::trim) {
        let statement = statement.lines().filter(|l| !l.trim_start().starts_with("--")).collect::<Vec<_>>().join("\n");
        let statement = statement.trim();
        if let Some(rest) =
            statement.strip_prefix("CREATE UNIQUE INDEX ").or_else(|| statement.strip_prefix("CREATE INDEX "))
        {
            sqlx::query(&format!("CREATE INDEX IF NOT EXISTS {rest}")).execute(&mut *tx).await?;
        }
    }
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, \
         installed_on TIMESTAMPTZ NOT NULL DEFAULT now(), success BOOLEAN NOT NULL, checksum BYTEA NOT NULL, \
         execution_time BIGINT NOT NULL)",
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES ($1, $2, TRUE, $3, 0)",
    )
    .bind(first.version)
    .bind(format!("{} (adopted: the seed's tables were already there)", first.description))
    .bind(first.checksum.as_ref())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Gives every row of the seed's tables without a round a round per (session_date,
/// round_number), with its roster (clients seen, names unknown) and counts; how many rounds.
pub async fn attach_seed_rows(pool: &PgPool) -> Result<u64, StoreError> {
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock(4243)").execute(&mut *tx).await?;
    let metadata = serde_json::to_value(Metadata::default()).map_err(|e| StoreError::Db(e.to_string()))?;
    let report = serde_json::to_value(LoadReport {
        notes: vec!["adopted from a seed database: rows written by another importer, no file names".into()],
        ..LoadReport::default()
    })
    .map_err(|e| StoreError::Db(e.to_string()))?;
    let name = "'seed-db-' || session_date || '-round-' || round_number";
    let made = sqlx::query(&format!(
        "INSERT INTO rounds (base_name, session_date, round_number, metadata, load_report, source_files, content_hash) \
         SELECT DISTINCT {name}, session_date, round_number, $1::jsonb, $2::jsonb, '{{}}'::text[], '{ADOPTED}' FROM ( \
           SELECT session_date, round_number FROM player_positions WHERE round_id IS NULL \
           UNION SELECT session_date, round_number FROM combat_events WHERE round_id IS NULL \
           UNION SELECT session_date, round_number FROM engagement_analysis WHERE round_id IS NULL \
           UNION SELECT session_date, round_number FROM proximity_heatmap WHERE round_id IS NULL) k \
         ON CONFLICT (base_name) DO NOTHING"
    ))
    .bind(metadata)
    .bind(report)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    for table in ["player_positions", "combat_events", "engagement_analysis", "proximity_heatmap"] {
        sqlx::query(&format!(
            "UPDATE {table} t SET round_id = r.id FROM rounds r \
             WHERE t.round_id IS NULL AND r.base_name = 'seed-db-' || t.session_date || '-round-' || t.round_number"
        ))
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query(&format!(
        "INSERT INTO round_players (round_id, clientnum, name, name_clean) \
         SELECT DISTINCT c.round_id, c.cn, '', '' FROM ( \
           SELECT round_id, clientnum AS cn FROM player_positions WHERE round_id IN (SELECT id FROM rounds WHERE content_hash = '{ADOPTED}') \
           UNION SELECT round_id, attacker FROM combat_events WHERE round_id IN (SELECT id FROM rounds WHERE content_hash = '{ADOPTED}') \
           UNION SELECT round_id, target FROM combat_events WHERE target IS NOT NULL \
             AND round_id IN (SELECT id FROM rounds WHERE content_hash = '{ADOPTED}')) c \
         WHERE c.cn BETWEEN 0 AND 63 ON CONFLICT DO NOTHING"
    ))
    .execute(&mut *tx)
    .await?;
    sqlx::query(&format!(
        "UPDATE rounds r SET \
           duration_ms = COALESCE((SELECT max(timestamp) - min(timestamp) FROM player_positions WHERE round_id = r.id), 0), \
           player_count = (SELECT count(*) FROM round_players WHERE round_id = r.id), \
           position_count = (SELECT count(*) FROM player_positions WHERE round_id = r.id), \
           combat_count = (SELECT count(*) FROM combat_events WHERE round_id = r.id), \
           kill_count = (SELECT count(*) FROM combat_events c WHERE c.round_id = r.id AND c.event_type = 'kill' \
             AND c.attacker BETWEEN 0 AND 63 AND c.target BETWEEN 0 AND 63 AND c.attacker <> c.target), \
           engagement_count = (SELECT count(*) FROM engagement_analysis WHERE round_id = r.id), \
           heatmap_count = (SELECT count(*) FROM proximity_heatmap WHERE round_id = r.id) \
         WHERE r.content_hash = '{ADOPTED}'"
    ))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(made)
}
