//! Reading across rounds: the round list with filters, and season aggregates computed in SQL
//! (the kill heatmap of a map at any grid size, per-player totals).

use chrono::{NaiveDate, NaiveTime};
use serde::Serialize;
use sqlx::Row;

use super::{Store, StoreError};
use proxviz_data::heatmap::TeamSelection;
use proxviz_data::model::HeatmapCell;

/// Which rounds to look at. Every field narrows the selection; `None` means any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoundFilter {
    /// First session date (inclusive).
    pub from: Option<NaiveDate>,
    /// Last session date (inclusive).
    pub to: Option<NaiveDate>,
    /// Map name.
    pub map: Option<String>,
    /// A player who took part: name without colour codes, case-insensitive, `%` as wildcard.
    pub player: Option<String>,
}

/// One stored round, as listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredRound {
    /// Database id.
    pub id: i64,
    /// Base name of its files.
    pub base_name: String,
    /// Session date.
    pub session_date: NaiveDate,
    /// Start time.
    pub start_time: Option<NaiveTime>,
    /// Map.
    pub map: Option<String>,
    /// 1-based round number.
    pub round_number: i32,
    /// Players seen.
    pub player_count: i32,
    /// Player kills.
    pub kill_count: i32,
    /// Length in ms.
    pub duration_ms: i64,
    /// Missing files plus skipped lines at import.
    pub problems: i64,
}

/// A season kill heatmap: one map, many rounds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeatmapQuery {
    /// Map.
    pub map: String,
    /// Cell size in units.
    pub grid_size_units: u32,
    /// Killer's team (the team in the round's roster).
    pub team: TeamSelection,
    /// Only kills where this player (clean name, case-insensitive, `%` wildcard) killed or died.
    pub player: Option<String>,
    /// First session date.
    pub from: Option<NaiveDate>,
    /// Last session date.
    pub to: Option<NaiveDate>,
}

/// A player's totals over the selected rounds (players are told apart by clean name).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlayerTotals {
    /// Name without colour codes.
    pub name: String,
    /// Rounds played.
    pub rounds: i64,
    /// Other players killed.
    pub kills: i64,
    /// Times killed.
    pub deaths: i64,
    /// Damage dealt to other players.
    pub damage_given: i64,
    /// Damage received.
    pub damage_taken: i64,
    /// Shots fired.
    pub shots: i64,
    /// Hits on other players.
    pub hits: i64,
    /// hits / shots.
    pub accuracy: Option<f64>,
}

const ROUND_FILTER: &str = "($1::date IS NULL OR r.session_date >= $1) AND ($2::date IS NULL OR r.session_date <= $2) \
     AND ($3::text IS NULL OR r.map = $3) AND ($4::text IS NULL OR EXISTS (SELECT 1 FROM round_players fp \
     WHERE fp.round_id = r.id AND fp.name_clean ILIKE $4))";

impl Store {
    /// Rounds matching `filter`, by date and start time.
    pub async fn list_rounds(&self, filter: &RoundFilter) -> Result<Vec<StoredRound>, StoreError> {
        let sql = format!(
            "SELECT r.id, r.base_name, r.session_date, r.start_time, r.map, r.round_number, r.player_count, r.kill_count, \
             r.duration_ms, (jsonb_array_length(r.load_report -> 'missing') + (r.load_report ->> 'skipped_total')::bigint) \
             FROM rounds r WHERE {ROUND_FILTER} ORDER BY r.session_date, r.start_time, r.base_name"
        );
        let rows = sqlx::query(&sql)
            .bind(filter.from)
            .bind(filter.to)
            .bind(filter.map.as_deref())
            .bind(filter.player.as_deref())
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|r| StoredRound {
                id: r.get(0),
                base_name: r.get(1),
                session_date: r.get(2),
                start_time: r.get(3),
                map: r.get(4),
                round_number: r.get(5),
                player_count: r.get(6),
                kill_count: r.get(7),
                duration_ms: r.get(8),
                problems: r.get::<Option<i64>, _>(9).unwrap_or(0),
            })
            .collect())
    }

    /// Kills per cell of `grid_size_units` over every matching round of a map, by the killer's
    /// team. Kill positions are the victim's (the combat line's, or for seed-format rounds the
    /// victim's last sample at or before the kill).
    pub async fn kill_heatmap(&self, q: &HeatmapQuery) -> Result<Vec<HeatmapCell>, StoreError> {
        let team = match q.team {
            TeamSelection::Both => None,
            TeamSelection::Axis => Some(1i16),
            TeamSelection::Allies => Some(2i16),
        };
        let rows = sqlx::query(
            "SELECT floor(k.x / $5)::int AS gx, floor(k.y / $5)::int AS gy, \
                    count(*) FILTER (WHERE k.team = 1) AS axis, count(*) FILTER (WHERE k.team = 2) AS allies \
             FROM ( \
               SELECT COALESCE(c.target_x, p.x) AS x, COALESCE(c.target_y, p.y) AS y, kp.team \
               FROM rounds r \
               JOIN combat_events c ON c.round_id = r.id AND c.event_type = 'kill' \
               JOIN round_players kp ON kp.round_id = r.id AND kp.clientnum = c.attacker \
               LEFT JOIN round_players vp ON vp.round_id = r.id AND vp.clientnum = c.target \
               LEFT JOIN LATERAL ( \
                 SELECT pp.x, pp.y FROM player_positions pp \
                 WHERE c.target_x IS NULL AND pp.round_id = r.id AND pp.clientnum = c.target AND pp.timestamp <= c.timestamp \
                 ORDER BY pp.timestamp DESC LIMIT 1) p ON TRUE \
               WHERE r.map = $1 AND c.attacker <> c.target AND c.target < 64 \
                 AND ($2::date IS NULL OR r.session_date >= $2) AND ($3::date IS NULL OR r.session_date <= $3) \
                 AND ($4::text IS NULL OR kp.name_clean ILIKE $4 OR vp.name_clean ILIKE $4) \
                 AND ($6::smallint IS NULL OR kp.team = $6) \
             ) k WHERE k.x IS NOT NULL AND k.y IS NOT NULL \
             GROUP BY 1, 2 ORDER BY 1, 2",
        )
        .bind(&q.map)
        .bind(q.from)
        .bind(q.to)
        .bind(q.player.as_deref())
        .bind(f64::from(q.grid_size_units.max(1)))
        .bind(team)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| HeatmapCell {
                grid_x: r.get(0),
                grid_y: r.get(1),
                axis_kills: u32::try_from(r.get::<i64, _>(2)).unwrap_or(u32::MAX),
                allies_kills: u32::try_from(r.get::<i64, _>(3)).unwrap_or(u32::MAX),
            })
            .filter(|c| c.total_kills() > 0)
            .collect())
    }

    /// Totals per player (by clean name) over the rounds matching `filter`, most kills first.
    pub async fn player_totals(&self, filter: &RoundFilter) -> Result<Vec<PlayerTotals>, StoreError> {
        let sql = format!(
            "WITH sel AS (SELECT r.id FROM rounds r WHERE {ROUND_FILTER}), \
             given AS ( \
               SELECT c.round_id, c.attacker AS cn, \
                 count(*) FILTER (WHERE c.event_type = 'fire') AS shots, \
                 count(*) FILTER (WHERE c.event_type = 'hit' AND c.target <> c.attacker AND c.target < 64) AS hits, \
                 count(*) FILTER (WHERE c.event_type = 'kill' AND c.target <> c.attacker AND c.target < 64) AS kills, \
                 COALESCE(sum(c.damage) FILTER (WHERE c.event_type = 'hit' AND c.target <> c.attacker AND c.target < 64), 0) AS dmg \
               FROM combat_events c WHERE c.round_id IN (SELECT id FROM sel) GROUP BY 1, 2), \
             taken AS ( \
               SELECT c.round_id, c.target AS cn, count(*) FILTER (WHERE c.event_type = 'kill') AS deaths, \
                 COALESCE(sum(c.damage) FILTER (WHERE c.event_type = 'hit'), 0) AS dmg \
               FROM combat_events c WHERE c.round_id IN (SELECT id FROM sel) AND c.target IS NOT NULL GROUP BY 1, 2) \
             SELECT p.name_clean, count(DISTINCT p.round_id), COALESCE(sum(g.kills), 0)::bigint, COALESCE(sum(t.deaths), 0)::bigint, \
               COALESCE(sum(g.dmg), 0)::bigint, COALESCE(sum(t.dmg), 0)::bigint, COALESCE(sum(g.shots), 0)::bigint, \
               COALESCE(sum(g.hits), 0)::bigint \
             FROM round_players p \
             LEFT JOIN given g ON g.round_id = p.round_id AND g.cn = p.clientnum \
             LEFT JOIN taken t ON t.round_id = p.round_id AND t.cn = p.clientnum \
             WHERE p.round_id IN (SELECT id FROM sel) \
             GROUP BY p.name_clean ORDER BY 3 DESC, 1"
        );
        let rows = sqlx::query(&sql)
            .bind(filter.from)
            .bind(filter.to)
            .bind(filter.map.as_deref())
            .bind(filter.player.as_deref())
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|r| {
                let (shots, hits): (i64, i64) = (r.get(6), r.get(7));
                PlayerTotals {
                    name: r.get(0),
                    rounds: r.get(1),
                    kills: r.get(2),
                    deaths: r.get(3),
                    damage_given: r.get(4),
                    damage_taken: r.get(5),
                    shots,
                    hits,
                    accuracy: (shots > 0).then(|| hits as f64 / shots as f64),
                }
            })
            .collect())
    }
}
