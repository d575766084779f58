//! Reading across rounds: the round list with filters, and season aggregates computed in SQL
//! (the kill heatmap of a map at any grid size, per-player totals).

use chrono::{Datelike as _, NaiveDate, NaiveTime};
use serde::Serialize;
use sqlx::Row;

use super::{Store, StoreError, answer};
use proxviz_data::heatmap::TeamSelection;
use proxviz_data::model::HeatmapCell;
use proxviz_data::season::{Season, SeasonCell, SeasonFilter};

/// Which rounds to look at. Every field narrows the selection; `None` means any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoundFilter {
    /// First session date (inclusive).
    pub from: Option<NaiveDate>,
    /// Last session date (inclusive).
    pub to: Option<NaiveDate>,
    /// Map name.
    pub map: Option<String>,
    /// Round 1 or 2 (1-based).
    pub round_number: Option<i32>,
    /// A player who took part: part of the name without colour codes, any case (`%` matches
    /// anything).
    pub player: Option<String>,
}

impl StoredRound {
    /// Headings of [`StoredRound::cells`].
    pub const HEADINGS: [&str; 9] = ["id", "date", "time", "map", "round", "length", "players", "kills", "problems"];

    /// The round as the round lists show it: id, date, time, map, round, length (mm:ss),
    /// players, kills, problems (`-` for none).
    pub fn cells(&self) -> [String; 9] {
        let secs = self.duration_ms.max(0) / 1000;
        [
            self.id.to_string(),
            self.session_date.to_string(),
            self.start_time.map_or_else(|| "-".into(), |t| t.to_string()),
            self.map.clone().unwrap_or_else(|| "-".into()),
            self.round_number.to_string(),
            format!("{:02}:{:02}", secs / 60, secs % 60),
            self.player_count.to_string(),
            self.kill_count.to_string(),
            if self.problems == 0 { "-".into() } else { self.problems.to_string() },
        ]
    }
}

/// One page of the round list, newest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundPage {
    /// The rounds of the page.
    pub rounds: Vec<StoredRound>,
    /// Rounds matching the filter, all pages, counted up to [`PAGE_COUNT_CAP`] + 1 (more than
    /// the cap: "more than 10,000").
    pub total: i64,
}

/// The `ILIKE` pattern for "the name contains `part`" (`%` in it stays a wildcard).
pub fn contains_pattern(part: &str) -> String {
    let escaped = part.trim().replace('\\', "\\\\").replace('_', "\\_");
    format!("%{escaped}%")
}

fn player_pattern(p: Option<&str>) -> Option<String> {
    p.map(str::trim).filter(|p| !p.is_empty()).map(contains_pattern)
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
    /// Only kills where a player whose clean name contains this (any case) killed or died.
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
     AND ($3::text IS NULL OR r.map = $3) AND ($5::int IS NULL OR r.round_number = $5) \
     AND ($4::text IS NULL OR r.id IN (SELECT fp.round_id FROM round_players fp WHERE fp.name_id IN \
     (SELECT n.id FROM player_names n WHERE n.name_clean ILIKE $4)))";

/// [`ROUND_FILTER`] with a name filter that matches few names: the rounds of those names,
/// through the name index, as a semi-join (no `$4 IS NULL OR`, which would keep PostgreSQL from
/// planning it as one and re-run it per round once it outgrows memory).
const ROUND_FILTER_NAMED: &str = "($1::date IS NULL OR r.session_date >= $1) AND ($2::date IS NULL OR r.session_date <= $2) \
     AND ($3::text IS NULL OR r.map = $3) AND ($5::int IS NULL OR r.round_number = $5) \
     AND r.id IN (SELECT fp.round_id FROM round_players fp WHERE fp.name_id IN \
     (SELECT n.id FROM player_names n WHERE n.name_clean ILIKE $4::text))";

/// [`ROUND_FILTER`] with a name filter that matches many names: each round, newest first, is
/// probed for one of its own players among those names.
const ROUND_FILTER_BROAD: &str = "($1::date IS NULL OR r.session_date >= $1) AND ($2::date IS NULL OR r.session_date <= $2) \
     AND ($3::text IS NULL OR r.map = $3) AND ($5::int IS NULL OR r.round_number = $5) \
     AND EXISTS (SELECT 1 FROM round_players fp WHERE fp.round_id = r.id AND fp.name_id IN \
     (SELECT n.id FROM player_names n WHERE n.name_clean ILIKE $4::text))";

/// A name filter matching more names than this takes [`ROUND_FILTER_BROAD`].
const BROAD_NAMES: i64 = 64;

/// A page's total is counted up to this many rounds ("more than 10,000").
pub const PAGE_COUNT_CAP: i64 = 10_000;

const ROUND_COLUMNS: &str = "r.id, r.base_name, r.session_date, r.start_time, r.map, r.round_number, r.player_count, \
     r.kill_count, r.duration_ms, (jsonb_array_length(r.load_report -> 'missing') + (r.load_report ->> 'skipped_total')::bigint)";

fn stored_round(r: &sqlx::postgres::PgRow) -> StoredRound {
    StoredRound {
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
    }
}

/// A span of dates, `(first, last)`.
type DateSpan = (NaiveDate, NaiveDate);

/// Open ends of a date range, as PostgreSQL dates.
const FAR_PAST: NaiveDate = NaiveDate::from_ymd_opt(1900, 1, 1).expect("a date");
const FAR_FUTURE: NaiveDate = NaiveDate::from_ymd_opt(9999, 12, 31).expect("a date");

fn month_start(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

fn next_month(d: NaiveDate) -> NaiveDate {
    let first = month_start(d);
    first.checked_add_months(chrono::Months::new(1)).unwrap_or(FAR_FUTURE)
}

/// The inclusive date range `from..=to` as whole months `[lo, hi)` (first days of months) and
/// the inclusive day ranges left at its ends.
fn split_range(from: Option<NaiveDate>, to: Option<NaiveDate>) -> (Option<DateSpan>, Vec<DateSpan>) {
    let lo = match from {
        None => FAR_PAST,
        Some(f) if f.day() == 1 => f,
        Some(f) => next_month(f),
    };
    let hi = match to {
        None => FAR_FUTURE,
        Some(t) if next_month(t) == t.succ_opt().unwrap_or(FAR_FUTURE) => next_month(t),
        Some(t) => month_start(t),
    };
    if lo >= hi {
        return (None, vec![(from.unwrap_or(FAR_PAST), to.unwrap_or(FAR_FUTURE))]);
    }
    let mut days = Vec::new();
    if let Some(f) = from
        && f < lo
    {
        days.push((f, lo.pred_opt().unwrap_or(lo)));
    }
    if let Some(t) = to
        && t >= hi
    {
        days.push((hi, t));
    }
    (Some((lo, hi)), days)
}

impl Store {
    /// The round filter's SQL for a name pattern: a pattern that matches few names finds their
    /// rounds through the name index; one that matches many probes each round.
    async fn round_filter_for(&self, pattern: Option<&str>) -> Result<&'static str, StoreError> {
        let Some(p) = pattern else { return Ok(ROUND_FILTER) };
        let names: i64 = sqlx::query_scalar("SELECT count(*) FROM player_names WHERE name_clean ILIKE $1")
            .bind(p)
            .fetch_one(&self.pool)
            .await?;
        Ok(if names > BROAD_NAMES { ROUND_FILTER_BROAD } else { ROUND_FILTER_NAMED })
    }

    /// Rounds matching `filter`, oldest first.
    pub async fn list_rounds(&self, filter: &RoundFilter) -> Result<Vec<StoredRound>, StoreError> {
        let pattern = player_pattern(filter.player.as_deref());
        answer("listing rounds", async {
            let where_ = self.round_filter_for(pattern.as_deref()).await?;
            let sql = format!(
                "SELECT {ROUND_COLUMNS} FROM rounds r WHERE {where_} ORDER BY r.session_date, r.start_time, r.base_name"
            );
            let rows = sqlx::query(&sql)
                .bind(filter.from)
                .bind(filter.to)
                .bind(filter.map.as_deref())
                .bind(pattern.as_deref())
                .bind(filter.round_number)
                .fetch_all(&self.pool)
                .await?;
            Ok(rows.iter().map(stored_round).collect())
        })
        .await
    }

    /// One page of the rounds matching `filter`, newest first: `limit` rounds after `offset`.
    pub async fn round_page(&self, filter: &RoundFilter, offset: i64, limit: i64) -> Result<RoundPage, StoreError> {
        let pattern = player_pattern(filter.player.as_deref());
        answer("listing rounds", async {
            let where_ = self.round_filter_for(pattern.as_deref()).await?;
            let sql = format!(
                "SELECT {ROUND_COLUMNS} FROM rounds r WHERE {where_} \
                 ORDER BY r.session_date DESC, r.start_time DESC NULLS LAST, r.id DESC OFFSET $6 LIMIT $7"
            );
            let count = format!("SELECT count(*) FROM (SELECT 1 FROM rounds r WHERE {where_} LIMIT $6) c");
            let rows = sqlx::query(&sql)
                .bind(filter.from)
                .bind(filter.to)
                .bind(filter.map.as_deref())
                .bind(pattern.as_deref())
                .bind(filter.round_number)
                .bind(offset.max(0))
                .bind(limit.clamp(1, 1000))
                .fetch_all(&self.pool)
                .await?;
            let total: i64 = sqlx::query_scalar(&count)
                .bind(filter.from)
                .bind(filter.to)
                .bind(filter.map.as_deref())
                .bind(pattern.as_deref())
                .bind(filter.round_number)
                .bind(PAGE_COUNT_CAP + 1)
                .fetch_one(&self.pool)
                .await?;
            Ok(RoundPage { rounds: rows.iter().map(stored_round).collect(), total })
        })
        .await
    }

    /// The maps of the stored rounds, by name.
    pub async fn maps(&self) -> Result<Vec<String>, StoreError> {
        answer("listing maps", async {
            Ok(sqlx::query_scalar(
                "WITH RECURSIVE m AS ((SELECT map FROM rounds WHERE map IS NOT NULL ORDER BY map LIMIT 1) \
                 UNION ALL SELECT (SELECT r.map FROM rounds r WHERE r.map > m.map ORDER BY r.map LIMIT 1) FROM m \
                 WHERE m.map IS NOT NULL) SELECT map FROM m WHERE map IS NOT NULL",
            )
            .fetch_all(&self.pool)
            .await?)
        })
        .await
    }

    /// A season: the kills of `filter.map` over the rounds `filter` takes, per 64-unit base
    /// cell, computed in SQL from the season cells (or, with a player filter, from the kills of
    /// the rounds that player played); no round is loaded.
    pub async fn season(&self, filter: &SeasonFilter) -> Result<Season, StoreError> {
        let round_number = filter.round_number.and_then(|n| i32::try_from(n).ok());
        let pattern = player_pattern(filter.player.as_deref());
        answer("computing the season", async {
            let rounds: i64;
            let rows;
            match &pattern {
                None => {
                    rounds = sqlx::query_scalar(
                        "SELECT count(*) FROM rounds r WHERE r.map = $1 AND ($2::date IS NULL OR r.session_date >= $2) \
                         AND ($3::date IS NULL OR r.session_date <= $3) AND ($4::int IS NULL OR r.round_number = $4)",
                    )
                    .bind(&filter.map)
                    .bind(filter.from)
                    .bind(filter.to)
                    .bind(round_number)
                    .fetch_one(&self.pool)
                    .await?;
                    // Whole months from the monthly sums, the days at either end from the daily.
                    let (months, days) = split_range(filter.from, filter.to);
                    let none = (FAR_FUTURE, FAR_PAST);
                    let (d1, d2) = (days.first().copied().unwrap_or(none), days.get(1).copied().unwrap_or(none));
                    let (m_lo, m_hi) = months.unwrap_or((FAR_FUTURE, FAR_PAST));
                    rows = sqlx::query(
                        "SELECT cx, cy, COALESCE(sum(kills) FILTER (WHERE killer_team = 1), 0)::bigint, \
                         COALESCE(sum(kills) FILTER (WHERE killer_team = 2), 0)::bigint, \
                         COALESCE(sum(kills) FILTER (WHERE killer_team NOT IN (1, 2)), 0)::bigint \
                         FROM ( \
                           SELECT cx, cy, killer_team, kills FROM season_months WHERE map = $1 \
                             AND month >= $2 AND month < $3 AND ($4::int IS NULL OR round_number = $4) \
                           UNION ALL \
                           SELECT cx, cy, killer_team, kills FROM season_cells WHERE map = $1 \
                             AND ((session_date >= $5 AND session_date <= $6) OR (session_date >= $7 AND session_date <= $8)) \
                             AND ($4::int IS NULL OR round_number = $4) \
                         ) u GROUP BY cx, cy",
                    )
                    .bind(&filter.map)
                    .bind(m_lo)
                    .bind(m_hi)
                    .bind(round_number)
                    .bind(d1.0)
                    .bind(d1.1)
                    .bind(d2.0)
                    .bind(d2.1)
                    .fetch_all(&self.pool)
                    .await?;
                }
                Some(p) => {
                    const PLAYER_ROUNDS: &str = "WITH names AS (SELECT id FROM player_names WHERE name_clean ILIKE $5), \
                         sel AS (SELECT DISTINCT r.id FROM round_players rp JOIN rounds r ON r.id = rp.round_id \
                           WHERE rp.name_id IN (SELECT id FROM names) AND r.map = $1 \
                           AND ($2::date IS NULL OR r.session_date >= $2) AND ($3::date IS NULL OR r.session_date <= $3) \
                           AND ($4::int IS NULL OR r.round_number = $4))";
                    rounds = sqlx::query_scalar(&format!("{PLAYER_ROUNDS} SELECT count(*) FROM sel"))
                        .bind(&filter.map)
                        .bind(filter.from)
                        .bind(filter.to)
                        .bind(round_number)
                        .bind(p)
                        .fetch_one(&self.pool)
                        .await?;
                    rows = sqlx::query(&format!(
                        "{PLAYER_ROUNDS} SELECT floor(k.x / 64)::int, floor(k.y / 64)::int, \
                         count(*) FILTER (WHERE k.killer_team = 1), count(*) FILTER (WHERE k.killer_team = 2), \
                         count(*) FILTER (WHERE k.killer_team IS NULL OR k.killer_team NOT IN (1, 2)) \
                         FROM season_kills k WHERE k.round_id IN (SELECT id FROM sel) \
                         AND EXISTS (SELECT 1 FROM round_players p WHERE p.round_id = k.round_id \
                           AND p.clientnum IN (k.killer, k.victim) AND p.name_id IN (SELECT id FROM names)) \
                         GROUP BY 1, 2"
                    ))
                    .bind(&filter.map)
                    .bind(filter.from)
                    .bind(filter.to)
                    .bind(round_number)
                    .bind(p)
                    .fetch_all(&self.pool)
                    .await?;
                }
            }
            let count = |v: i64| u64::try_from(v).unwrap_or(0);
            let cells = rows.iter().map(|r| SeasonCell {
                cx: r.get(0),
                cy: r.get(1),
                axis: count(r.get(2)),
                allies: count(r.get(3)),
                other: count(r.get(4)),
            });
            Ok(Season::from_cells(filter.clone(), cells.collect::<Vec<_>>(), count(rounds)))
        })
        .await
    }

    /// Kills per cell of `grid_size_units` over every matching round of a map, by the killer's
    /// team, exactly (any cell size): the kills a round's heatmap counts (the victim's place,
    /// the killer's team at the time).
    pub async fn kill_heatmap(&self, q: &HeatmapQuery) -> Result<Vec<HeatmapCell>, StoreError> {
        let team = match q.team {
            TeamSelection::Both => None,
            TeamSelection::Axis => Some(1i16),
            TeamSelection::Allies => Some(2i16),
        };
        let pattern = player_pattern(q.player.as_deref());
        answer("computing the heatmap", async {
            let rows = sqlx::query(
                "SELECT floor(k.x / $5)::int AS gx, floor(k.y / $5)::int AS gy, \
                        count(*) FILTER (WHERE k.killer_team = 1), count(*) FILTER (WHERE k.killer_team = 2) \
                 FROM season_kills k JOIN rounds r ON r.id = k.round_id \
                 WHERE r.map = $1 AND ($2::date IS NULL OR r.session_date >= $2) AND ($3::date IS NULL OR r.session_date <= $3) \
                   AND ($6::smallint IS NULL OR k.killer_team = $6) \
                   AND ($4::text IS NULL OR EXISTS (SELECT 1 FROM round_players p JOIN player_names n ON n.id = p.name_id \
                     WHERE p.round_id = k.round_id AND p.clientnum IN (k.killer, k.victim) AND n.name_clean ILIKE $4)) \
                 GROUP BY 1, 2 ORDER BY 1, 2",
            )
            .bind(&q.map)
            .bind(q.from)
            .bind(q.to)
            .bind(pattern.as_deref())
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
        })
        .await
    }

    /// Totals per player (by clean name) over the rounds matching `filter`, most kills first.
    pub async fn player_totals(&self, filter: &RoundFilter) -> Result<Vec<PlayerTotals>, StoreError> {
        let pattern = player_pattern(filter.player.as_deref());
        let where_ = answer("adding up players", self.round_filter_for(pattern.as_deref())).await?;
        let sql = format!(
            "WITH sel AS (SELECT r.id FROM rounds r WHERE {where_}), \
             given AS ( \
               SELECT c.round_id, c.attacker AS cn, \
                 count(*) FILTER (WHERE c.event_type = 'fire') AS shots, \
                 count(*) FILTER (WHERE c.event_type = 'hit' AND c.target <> c.attacker AND c.target < 64) AS hits, \
                 count(*) FILTER (WHERE c.event_type = 'kill' AND c.target <> c.attacker AND c.target < 64) AS kills, \
                 COALESCE(sum(c.damage) FILTER (WHERE c.event_type = 'hit' AND c.target <> c.attacker AND c.target < 64), 0) AS dmg \
               FROM combat_events c WHERE c.round_id IN (SELECT id FROM sel) GROUP BY 1, 2), \
             taken AS ( \
               SELECT c.round_id, c.target AS cn, count(*) FILTER (WHERE c.event_type IN ('kill', 'death')) AS deaths, \
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
        let rows = answer("adding up players", async {
            Ok(sqlx::query(&sql)
                .bind(filter.from)
                .bind(filter.to)
                .bind(filter.map.as_deref())
                .bind(pattern.as_deref())
                .bind(filter.round_number)
                .fetch_all(&self.pool)
                .await?)
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn a_date_range_splits_into_whole_months_and_the_days_at_its_ends() {
        assert_eq!(split_range(None, None), (Some((FAR_PAST, FAR_FUTURE)), vec![]));
        assert_eq!(
            split_range(Some(d("2026-01-15")), Some(d("2026-04-10"))),
            (
                Some((d("2026-02-01"), d("2026-04-01"))),
                vec![(d("2026-01-15"), d("2026-01-31")), (d("2026-04-01"), d("2026-04-10"))]
            )
        );
        assert_eq!(
            split_range(Some(d("2026-01-01")), Some(d("2026-02-28"))),
            (Some((d("2026-01-01"), d("2026-03-01"))), vec![])
        );
        assert_eq!(
            split_range(Some(d("2026-01-03")), Some(d("2026-01-20"))),
            (None, vec![(d("2026-01-03"), d("2026-01-20"))])
        );
        assert_eq!(
            split_range(Some(d("2026-01-03")), Some(d("2026-02-02"))),
            (None, vec![(d("2026-01-03"), d("2026-02-02"))])
        );
        assert_eq!(
            split_range(None, Some(d("2026-03-05"))),
            (Some((FAR_PAST, d("2026-03-01"))), vec![(d("2026-03-01"), d("2026-03-05"))])
        );
    }
}
