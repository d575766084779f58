//! Importing a round: one transaction, COPY for every table, idempotent by content hash.

use sqlx::{PgConnection, Row};

use super::copy::{BinaryRows, CopyRows};
use super::{Store, StoreError, describe};
use proxviz_data::model::Round;
use proxviz_data::name::FileKind;
use proxviz_data::text::strip_colors;

/// Where a round came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The file names (no folder) of the round's files.
    pub files: Vec<String>,
    /// SHA-256 of the files' bytes, in kind order, hex.
    pub content_hash: String,
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
}

impl ImportOutcome {
    /// The round's id.
    pub fn id(self) -> i64 {
        match self {
            Self::Imported(id) | Self::Unchanged(id) | Self::Replaced(id) => id,
        }
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

impl Store {
    /// Imports `round` in one transaction: unchanged files (same hash) change nothing, changed
    /// files replace the round, and a failure leaves nothing of it behind.
    pub async fn import(&self, round: &Round, source: &Source) -> Result<ImportOutcome, StoreError> {
        let base = round.name.base.clone();
        let fail = |message: String| StoreError::Round { base: base.clone(), message };
        let date = round
            .name
            .date
            .or_else(|| {
                round.meta.round_start_unix.and_then(|s| chrono::DateTime::from_timestamp(s, 0)).map(|t| t.date_naive())
            })
            .ok_or_else(|| {
                fail("no session date (the name is not YYYY-MM-DD-HHMMSS-... and there is no round_start_unix)".into())
            })?;
        let round_number =
            round.round_number().ok_or_else(|| fail("no round number in the name or metadata".into()))?;
        let db = |e: sqlx::Error| fail(describe(&e));

        let mut tx = self.pool.begin().await.map_err(db)?;
        let existing = sqlx::query("SELECT id, content_hash FROM rounds WHERE base_name = $1 FOR UPDATE")
            .bind(&base)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
        let mut replaced = false;
        if let Some(row) = existing {
            let (id, hash): (i64, String) = (row.get(0), row.get(1));
            if hash == source.content_hash {
                tx.rollback().await.map_err(db)?;
                return Ok(ImportOutcome::Unchanged(id));
            }
            sqlx::query("DELETE FROM rounds WHERE id = $1").bind(id).execute(&mut *tx).await.map_err(db)?;
            replaced = true;
        }
        let kills = round.player_kill_count();
        let metadata = serde_json::to_value(&round.meta).map_err(|e| fail(e.to_string()))?;
        let report = serde_json::to_value(&round.report).map_err(|e| fail(e.to_string()))?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO rounds (base_name, session_date, start_time, map, round_number, round_in_name, zero_based, metadata, \
             load_report, source_files, content_hash, duration_ms, player_count, position_count, combat_count, kill_count, \
             engagement_count, heatmap_count) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) \
             RETURNING id",
        )
        .bind(&base)
        .bind(date)
        .bind(round.name.start_time)
        .bind(round.map())
        .bind(round_number as i32)
        .bind(round.name.round_in_name.map(|n| n as i32))
        .bind(round.name.zero_based)
        .bind(metadata)
        .bind(report)
        .bind(&source.files)
        .bind(&source.content_hash)
        .bind(i64::from(round.duration_ms()))
        .bind(round.clientnums().len() as i32)
        .bind(round.position_count() as i32)
        .bind(round.combat.len() as i32)
        .bind(kills as i32)
        .bind(round.engagements.len() as i32)
        .bind(round.heatmap.len() as i32)
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
        copy_rows(&mut tx, round, id, date, round_number).await.map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(if replaced { ImportOutcome::Replaced(id) } else { ImportOutcome::Imported(id) })
    }
}

async fn copy_rows(
    conn: &mut PgConnection,
    round: &Round,
    id: i64,
    date_value: chrono::NaiveDate,
    round_number: u32,
) -> Result<(), sqlx::Error> {
    let rn = i64::from(round_number);
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
    Ok(())
}

/// Positions, the bulk of a round, in COPY's binary format.
async fn copy_positions(
    conn: &mut PgConnection,
    round: &Round,
    id: i64,
    date: chrono::NaiveDate,
    round_number: u32,
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
            chunk.row(14).date(date).int4(round_number as i32).int4(i32::from(t.clientnum)).int8(i64::from(s.time_ms));
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
pub fn read_for_import(files: &proxviz_data::RoundFiles) -> (Round, Source) {
    let bytes = files.read();
    let round = bytes.parse(files.name.clone());
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
