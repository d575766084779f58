//! Importing a round: one transaction under a per-round lock, COPY for every table, idempotent
//! by content hash, the season cells kept up to date, bounded in time.

use std::sync::Arc;
use std::time::Duration;

use sqlx::{PgConnection, Row};

use super::copy::{BinaryRows, CopyRows};
use super::sanitize::{json_without_nul, sanitize};
use super::{Store, StoreError};
use proxviz_data::Timeline;
use proxviz_data::model::Round;
use proxviz_data::name::FileKind;
use proxviz_data::season::round_kills;
use proxviz_data::text::strip_colors;

/// Where a round came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The file names (no folder) of the round's files.
    pub files: Vec<String>,
    /// SHA-256 of the files' bytes, in kind order, hex.
    pub content_hash: String,
}

/// How much of a round a copy holds: a copy with less of any than the stored one is not
/// allowed to replace it without `--replace` (a truncated or older copy of the files).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extent {
    /// Position samples.
    pub positions: i64,
    /// Combat events.
    pub combat: i64,
    /// Length in ms.
    pub duration_ms: i64,
}

impl Extent {
    /// The extent of `round`.
    pub fn of(round: &Round) -> Self {
        Self {
            positions: round.position_count() as i64,
            combat: round.combat.len() as i64,
            duration_ms: i64::from(round.duration_ms()),
        }
    }

    /// Whether this holds less of anything than `other`.
    pub fn less_than(self, other: Self) -> bool {
        self.positions < other.positions || self.combat < other.combat || self.duration_ms < other.duration_ms
    }
}

impl std::fmt::Display for Extent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.duration_ms / 1000;
        write!(f, "{} positions, {} combat events, {}:{:02}", self.positions, self.combat, s / 60, s % 60)
    }
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportOutcome {
    /// A new round, with its id.
    Imported(i64),
    /// The same files were imported before; nothing changed.
    Unchanged(i64),
    /// The files changed since the last import; the round was replaced (new id).
    Replaced(i64),
    /// The files hold less than the stored round (truncated, or an older copy): the stored
    /// round was kept.
    KeptStored {
        /// The stored round.
        id: i64,
        /// What it holds.
        stored: Extent,
        /// What the files hold.
        offered: Extent,
    },
}

impl ImportOutcome {
    /// The round's id.
    pub fn id(self) -> i64 {
        match self {
            Self::Imported(id) | Self::Unchanged(id) | Self::Replaced(id) | Self::KeptStored { id, .. } => id,
        }
    }
}

/// An import's outcome and the values that had to change to fit the columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    /// What happened.
    pub outcome: ImportOutcome,
    /// One line per kind of value dropped, cut or clamped.
    pub notes: Vec<String>,
}

/// How to import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportOptions {
    /// Replace a stored round even with files that hold less.
    pub replace: bool,
    /// Longest a round's import may take before it is abandoned (nothing of it kept).
    pub timeout: Duration,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self { replace: false, timeout: Duration::from_secs(120) }
    }
}

/// Rows sent per COPY message.
const CHUNK_ROWS: usize = 16_384;

async fn copy(
    conn: &mut PgConnection,
    statement: &str,
    rows: impl Iterator<Item = impl FnOnce(&mut CopyRows)>,
) -> Result<u64, sqlx::Error> {
    let mut copy = conn.copy_in_raw(statement).await?;
    let mut chunk = CopyRows::new();
    for row in rows {
        row(&mut chunk);
        chunk.end();
        if chunk.rows() >= CHUNK_ROWS {
            copy.send(chunk.as_bytes()).await?;
            chunk = CopyRows::new();
        }
    }
    if chunk.rows() > 0 {
        copy.send(chunk.as_bytes()).await?;
    }
    copy.finish().await
}

/// Adds round `id`'s kills to the season sums (a delete takes them out again: the
/// `rounds_season_forget` trigger of migration 0004).
async fn roll_up(conn: &mut PgConnection, id: i64) -> Result<(), sqlx::Error> {
    for (table, period) in [("season_cells", "session_date"), ("season_months", "month")] {
        let bucket = if period == "month" { "date_trunc('month', r.session_date)::date" } else { "r.session_date" };
        sqlx::query(&format!(
            "INSERT INTO {table} (map, {period}, round_number, killer_team, cx, cy, kills) \
             SELECT r.map, {bucket}, r.round_number, COALESCE(k.killer_team, 0), floor(k.x / 64)::int, \
                    floor(k.y / 64)::int, count(*) \
             FROM season_kills k JOIN rounds r ON r.id = k.round_id \
             WHERE k.round_id = $1 AND r.map IS NOT NULL \
             GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6 \
             ON CONFLICT (map, {period}, round_number, killer_team, cx, cy) \
             DO UPDATE SET kills = {table}.kills + EXCLUDED.kills"
        ))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Takes the season sums' lock of each (map, month) in `keys`, in order: imports and deletes of
/// the same month take turns, and always take this lock before any other row lock of theirs.
async fn lock_months(conn: &mut PgConnection, mut keys: Vec<(String, chrono::NaiveDate)>) -> Result<(), sqlx::Error> {
    keys.sort();
    keys.dedup();
    for (map, date) in keys {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1 || '/' || date_trunc('month', $2::date)::date::text, 31))")
            .bind(map)
            .bind(date)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

impl Store {
    /// Imports `round` in one transaction, within `options.timeout`: unchanged files (same
    /// hash) change nothing, changed files replace the round unless they hold less than it
    /// (then the stored round stays, unless `options.replace`), and a failure leaves nothing of
    /// it behind. Imports of the same round from two processes take turns (an advisory lock
    /// per round). Values the columns cannot hold are fixed per value and reported.
    pub async fn import(
        &self,
        round: &Arc<Round>,
        source: &Source,
        options: &ImportOptions,
    ) -> Result<ImportReport, StoreError> {
        let base = round.name.base.clone();
        match tokio::time::timeout(options.timeout, self.import_now(round, source, options)).await {
            Ok(result) => result,
            Err(_) => Err(StoreError::Timeout { what: format!("round {base}"), secs: options.timeout.as_secs_f64() }),
        }
    }

    async fn import_now(
        &self,
        round: &Arc<Round>,
        source: &Source,
        options: &ImportOptions,
    ) -> Result<ImportReport, StoreError> {
        let base = round.name.base.clone();
        let fail = |message: String| StoreError::Round { base: base.clone(), message };
        let (round, mut notes) = sanitize(round);
        let date = round.session_date().ok_or_else(|| {
            fail("no session date (the name is not YYYY-MM-DD-HHMMSS-... and there is no round_start_unix)".into())
        })?;
        let round_number =
            round.round_number().ok_or_else(|| fail("no round number in the name or metadata".into()))?;
        let round_number = i32::try_from(round_number).map_err(|_| fail(format!("round number {round_number}")))?;
        let db = |e: sqlx::Error| StoreError::of_round(&base, &e);

        let mut metadata = serde_json::to_value(&round.meta).map_err(|e| fail(e.to_string()))?;
        if json_without_nul(&mut metadata) {
            notes.push("NUL bytes in the metadata: removed".into());
        }
        let mut report = serde_json::to_value(&round.report).map_err(|e| fail(e.to_string()))?;
        if json_without_nul(&mut report) {
            notes.push("NUL bytes in the load report: removed".into());
        }
        let offered = Extent::of(&round);

        let mut tx = self.pool.begin().await.map_err(db)?;
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 17))")
            .bind(&base)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        let existing = sqlx::query(
            "SELECT id, content_hash, position_count, combat_count, duration_ms, map, session_date FROM rounds \
             WHERE base_name = $1 FOR UPDATE",
        )
        .bind(&base)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        let mut replaced = false;
        if let Some(row) = existing {
            let (id, hash): (i64, String) = (row.get(0), row.get(1));
            if hash == source.content_hash {
                tx.rollback().await.map_err(db)?;
                return Ok(ImportReport { outcome: ImportOutcome::Unchanged(id), notes });
            }
            let stored = Extent {
                positions: i64::from(row.get::<i32, _>(2)),
                combat: i64::from(row.get::<i32, _>(3)),
                duration_ms: row.get(4),
            };
            if !options.replace && offered.less_than(stored) {
                tx.rollback().await.map_err(db)?;
                return Ok(ImportReport { outcome: ImportOutcome::KeptStored { id, stored, offered }, notes });
            }
            let old: (Option<String>, chrono::NaiveDate) = (row.get(5), row.get(6));
            let mut months: Vec<(String, chrono::NaiveDate)> = old.0.map(|m| (m, old.1)).into_iter().collect();
            months.extend(round.map().map(|m| (m.to_owned(), date)));
            lock_months(&mut tx, months).await.map_err(db)?;
            sqlx::query("DELETE FROM rounds WHERE id = $1").bind(id).execute(&mut *tx).await.map_err(db)?;
            replaced = true;
        } else {
            lock_months(&mut tx, round.map().map(|m| (m.to_owned(), date)).into_iter().collect()).await.map_err(db)?;
        }
        let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO rounds (base_name, session_date, start_time, map, round_number, round_in_name, zero_based, metadata, \
             load_report, source_files, content_hash, duration_ms, player_count, position_count, combat_count, kill_count, \
             engagement_count, heatmap_count, import_notes) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) RETURNING id",
        )
        .bind(&base)
        .bind(date)
        .bind(round.name.start_time)
        .bind(round.map().map(|m| m.replace('\0', "")))
        .bind(round_number)
        .bind(round.name.round_in_name.and_then(|n| i32::try_from(n).ok()))
        .bind(round.name.zero_based)
        .bind(metadata)
        .bind(report)
        .bind(&source.files)
        .bind(&source.content_hash)
        .bind(offered.duration_ms)
        .bind(count(round.clientnums().len()))
        .bind(count(round.position_count()))
        .bind(count(round.combat.len()))
        .bind(count(round.player_kill_count()))
        .bind(count(round.engagements.len()))
        .bind(count(round.heatmap.len()))
        .bind(&notes)
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
        copy_rows(&mut tx, &round, id, date, round_number).await.map_err(db)?;
        copy_season(&mut tx, &round, id).await.map_err(db)?;
        roll_up(&mut tx, id).await.map_err(db)?;
        tx.commit().await.map_err(db)?;
        let outcome = if replaced { ImportOutcome::Replaced(id) } else { ImportOutcome::Imported(id) };
        Ok(ImportReport { outcome, notes })
    }
}

/// What an import run over many rounds did.
#[derive(Debug, Default)]
pub struct ImportRun {
    /// New rounds.
    pub imported: usize,
    /// Rounds whose files changed.
    pub replaced: usize,
    /// Rounds imported before with the same files.
    pub unchanged: usize,
    /// Rounds whose stored copy holds more than the files: (base name, stored, offered).
    pub kept: Vec<(String, Extent, Extent)>,
    /// Values changed to fit: (base name, line).
    pub notes: Vec<(String, String)>,
    /// Rounds that could not be imported (nothing of them kept).
    pub failed: Vec<StoreError>,
    /// The error that stopped the run (the server went away or stopped answering) and how many
    /// rounds were not tried because of it.
    pub stopped: Option<(StoreError, usize)>,
}

impl Store {
    /// Imports every round of `files` in turn, each in its own transaction; calls `progress`
    /// with each round's base name before it. A round that fails is reported and the run goes
    /// on, unless the server went away or stopped answering: then it stops at once.
    pub async fn import_files(
        &self,
        files: &[proxviz_data::RoundFiles],
        options: &ImportOptions,
        mut progress: impl FnMut(&str),
    ) -> ImportRun {
        let mut run = ImportRun::default();
        // Rounds are read and parsed on every core, a few ahead, while this one connection
        // copies them in order: memory stays that of a few rounds whatever the folder's size.
        let readers = std::thread::available_parallelism().map_or(1, std::num::NonZero::get).min(files.len().max(1));
        let (tx, mut rx) = tokio::sync::mpsc::channel::<(usize, (Arc<Round>, Source))>(readers + 1);
        let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let shared: Arc<Vec<proxviz_data::RoundFiles>> = Arc::new(files.to_vec());
        for _ in 0..readers {
            let (tx, next, shared) = (tx.clone(), next.clone(), shared.clone());
            std::thread::spawn(move || {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(f) = shared.get(i) else { break };
                    // The run stopped (the receiver is gone): nothing more to read.
                    if tx.blocking_send((i, read_for_import(f))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut pending: std::collections::BTreeMap<usize, (Arc<Round>, Source)> = std::collections::BTreeMap::new();
        for (i, f) in files.iter().enumerate() {
            progress(&f.name.base);
            let (round, source) = loop {
                if let Some(read) = pending.remove(&i) {
                    break read;
                }
                match rx.recv().await {
                    Some((n, read)) => {
                        pending.insert(n, read);
                    }
                    // A reader died: read this round here.
                    None => break read_for_import(f),
                }
            };
            match self.import(&round, &source, options).await {
                Ok(report) => {
                    run.notes.extend(report.notes.into_iter().map(|n| (f.name.base.clone(), n)));
                    match report.outcome {
                        ImportOutcome::Imported(_) => run.imported += 1,
                        ImportOutcome::Unchanged(_) => run.unchanged += 1,
                        ImportOutcome::Replaced(_) => run.replaced += 1,
                        ImportOutcome::KeptStored { stored, offered, .. } => {
                            run.kept.push((f.name.base.clone(), stored, offered));
                        }
                    }
                }
                // A round that took too long on a server that still answers fails alone.
                Err(e @ StoreError::Timeout { .. }) if self.answers().await => run.failed.push(e),
                Err(e) if e.is_fatal() => {
                    run.stopped = Some((e, files.len() - i - 1));
                    break;
                }
                Err(e) => run.failed.push(e),
            }
        }
        run
    }
}

/// The round's kills as the season counts them.
async fn copy_season(conn: &mut PgConnection, round: &Arc<Round>, id: i64) -> Result<(), sqlx::Error> {
    let timeline = Timeline::new(round.clone());
    let kills = round_kills(&timeline);
    copy(
        conn,
        "COPY season_kills (round_id, killer, victim, killer_team, x, y) FROM STDIN",
        kills.iter().map(|k| {
            move |r: &mut CopyRows| {
                r.int(id).opt_int(k.killer).opt_int(k.victim).opt_int(k.killer_team.map(|t| t.number()));
                r.real(k.pos.x).real(k.pos.y);
            }
        }),
    )
    .await?;
    Ok(())
}

async fn copy_rows(
    conn: &mut PgConnection,
    round: &Round,
    id: i64,
    date_value: chrono::NaiveDate,
    round_number: i32,
) -> Result<(), sqlx::Error> {
    let rn = i64::from(round_number);
    // Each clean name once in player_names (sorted: two imports adding the same names take
    // their locks in the same order).
    let mut names: Vec<String> = round.players.iter().map(|p| strip_colors(&p.name)).collect();
    names.sort();
    names.dedup();
    sqlx::query(
        "INSERT INTO player_names (name_clean) SELECT n FROM unnest($1::text[]) AS n ORDER BY n ON CONFLICT DO NOTHING",
    )
    .bind(&names)
    .execute(&mut *conn)
    .await?;
    let date = &date_value.to_string();
    copy(
        conn,
        "COPY round_players (round_id, clientnum, team, name, name_clean) FROM STDIN",
        round.players.iter().map(|p| {
            move |r: &mut CopyRows| {
                r.int(id)
                    .int(p.clientnum)
                    .opt_int(p.team.map(|t| t.number()))
                    .text(&p.name)
                    .text(&strip_colors(&p.name));
            }
        }),
    )
    .await?;
    sqlx::query(
        "UPDATE round_players p SET name_id = n.id FROM player_names n WHERE p.round_id = $1 AND n.name_clean = p.name_clean",
    )
    .bind(id)
    .execute(&mut *conn)
    .await?;
    copy_positions(conn, round, id, date_value, round_number).await?;
    copy(
        conn,
        "COPY combat_events (session_date, round_number, timestamp, event_type, attacker, target, distance, nearby_allies, \
         nearby_enemies, damage, round_id, seq, weapon, mod, attacker_x, attacker_y, attacker_z, target_x, target_y, target_z) \
         FROM STDIN",
        round.combat.iter().enumerate().map(|(seq, e)| {
            move |r: &mut CopyRows| {
                r.text(date).int(rn).int(e.time_ms).text(e.kind.as_str()).int(e.attacker).opt_int(e.target);
                r.real(e.distance).int(e.nearby_allies).int(e.nearby_enemies).int(e.damage);
                r.int(id).int(seq as i64).opt_int(e.weapon).opt_int(e.mod_id);
                r.opt_real(e.attacker_pos.map(|p| p.x)).opt_real(e.attacker_pos.map(|p| p.y)).opt_real(e.attacker_pos.map(|p| p.z));
                r.opt_real(e.target_pos.map(|p| p.x)).opt_real(e.target_pos.map(|p| p.y)).opt_real(e.target_pos.map(|p| p.z));
            }
        }),
    )
    .await?;
    copy(
        conn,
        "COPY engagement_analysis (session_date, round_number, engagement_type, distance, killer_name, victim_name, round_id, \
         seq, time_ms, killer, victim, victim_x, victim_y, victim_z, attacker_backup, target_backup) FROM STDIN",
        round.engagements.iter().enumerate().map(|(seq, e)| {
            move |r: &mut CopyRows| {
                r.text(date).int(rn).text(&e.kind.to_string()).real(e.distance).text(&e.killer_name).text(&e.victim_name);
                r.int(id).int(seq as i64).opt_int(e.time_ms).opt_int(e.killer).opt_int(e.victim);
                r.opt_real(e.victim_pos.map(|p| p.x)).opt_real(e.victim_pos.map(|p| p.y)).opt_real(e.victim_pos.map(|p| p.z));
                r.opt_int(e.attacker_backup).opt_int(e.target_backup);
            }
        }),
    )
    .await?;
    copy(
        conn,
        "COPY proximity_heatmap (session_date, round_number, grid_x, grid_y, axis_kills, allies_kills, round_id, seq) FROM STDIN",
        round.heatmap.iter().enumerate().map(|(seq, c)| {
            move |r: &mut CopyRows| {
                r.text(date).int(rn).int(c.grid_x).int(c.grid_y).int(c.axis_kills).int(c.allies_kills).int(id).int(seq as i64);
            }
        }),
    )
    .await?;
    copy(
        conn,
        "COPY round_events (round_id, seq, time_ms, kind, player, other, team, x, y, z, detail) FROM STDIN",
        round.events.iter().enumerate().map(|(seq, e)| {
            move |r: &mut CopyRows| {
                r.int(id).int(seq as i64).int(e.time_ms).text(e.kind.as_str());
                r.opt_int(e.player).opt_int(e.other).opt_int(e.team.map(|t| t.number()));
                r.opt_real(e.pos.map(|p| p.x)).opt_real(e.pos.map(|p| p.y)).opt_real(e.pos.map(|p| p.z));
                r.text(&e.detail);
            }
        }),
    )
    .await?;
    Ok(())
}

/// Positions, the bulk of a round, in COPY's binary format.
async fn copy_positions(
    conn: &mut PgConnection,
    round: &Round,
    id: i64,
    date: chrono::NaiveDate,
    round_number: i32,
) -> Result<u64, sqlx::Error> {
    let mut copy = conn
        .copy_in_raw(
            "COPY player_positions (session_date, round_number, clientnum, timestamp, x, y, z, yaw, pitch, speed, moving, \
             round_id, team, health) FROM STDIN (FORMAT binary)",
        )
        .await?;
    let mut chunk = BinaryRows::new();
    for t in &round.tracks {
        for s in &t.samples {
            chunk.row(14).date(date).int4(round_number).int4(i32::from(t.clientnum)).int8(i64::from(s.time_ms));
            chunk
                .float4(s.pos.x)
                .float4(s.pos.y)
                .float4(s.pos.z)
                .float4(s.yaw_deg)
                .float4(s.pitch_deg)
                .float4(s.speed_ups);
            chunk.int4(i32::from(s.moving)).int8(id).opt_int2(s.team.map(|t| i16::from(t.number()))).opt_int2(s.health);
            if chunk.rows() >= CHUNK_ROWS {
                copy.send(chunk.as_bytes()).await?;
                chunk = BinaryRows::continued();
            }
        }
    }
    chunk.finish();
    copy.send(chunk.as_bytes()).await?;
    copy.finish().await
}

/// Reads a round's files once: the parsed round and its source (names and content hash).
pub fn read_for_import(files: &proxviz_data::RoundFiles) -> (Arc<Round>, Source) {
    let bytes = files.read();
    let mut round = bytes.parse(files.name.clone());
    files.note_duplicates(&mut round);
    let round = Arc::new(round);
    let names = bytes.files.each_ref().map(|f| f.as_ref().map(|(label, _)| label.as_str()));
    let contents = bytes.files.each_ref().map(|f| f.as_ref().map(|(_, b)| b.as_slice()));
    (round, source_of(&names, &contents))
}

/// The source of a round: its file names and a SHA-256 over the files' bytes (each prefixed by
/// its kind and length, so moving bytes between files changes the hash), in [`FileKind::ALL`]
/// order.
pub fn source_of(names: &[Option<&str>; 4], contents: &[Option<&[u8]>; 4]) -> Source {
    use sha2::Digest as _;
    let mut hasher = sha2::Sha256::new();
    let mut files = Vec::new();
    for kind in FileKind::ALL {
        if let (Some(name), Some(bytes)) = (names[kind.index()], contents[kind.index()]) {
            files.push(name.to_owned());
            hasher.update(kind.suffix().as_bytes());
            hasher.update((bytes.len() as u64).to_le_bytes());
            hasher.update(bytes);
        }
    }
    let digest = hasher.finalize();
    Source { files, content_hash: digest.iter().map(|b| format!("{b:02x}")).collect() }
}
