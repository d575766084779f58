//! Loading a stored round back into the [`Round`] the parser would make from its files.

use glam::Vec3;
use sqlx::Row;
use sqlx::postgres::PgRow;

use super::{Store, StoreError};
use proxviz_data::events::{EventKind, RoundEvent};
use proxviz_data::model::{
    CombatEvent, CombatKind, Engagement, HeatmapCell, Metadata, Player, PlayerTrack, PositionSample, Round, Team,
};
use proxviz_data::name::RoundName;
use proxviz_data::report::LoadReport;

fn team(v: Option<i16>) -> Option<Team> {
    v.and_then(|n| u32::try_from(n).ok()).and_then(Team::from_number)
}

fn u16_of(v: i32) -> u16 {
    u16::try_from(v).unwrap_or(u16::MAX)
}

fn vec3(row: &PgRow, first: usize) -> Option<Vec3> {
    let x: Option<f32> = row.get(first);
    let y: Option<f32> = row.get(first + 1);
    let z: Option<f32> = row.get(first + 2);
    Some(Vec3::new(x?, y?, z?))
}

impl Store {
    /// Loads round `id` (all of it within [`ANSWER_TIMEOUT`](super::ANSWER_TIMEOUT)).
    pub async fn load_round(&self, id: i64) -> Result<Round, StoreError> {
        super::answer(&format!("loading round {id}"), self.load_round_now(id)).await
    }

    async fn load_round_now(&self, id: i64) -> Result<Round, StoreError> {
        let head = sqlx::query("SELECT base_name, zero_based, metadata, load_report FROM rounds WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NoSuchRound(id))?;
        let base: String = head.get(0);
        let mut name = RoundName::parse(&base);
        name.zero_based = head.get(1);
        let bad =
            |e: serde_json::Error| StoreError::Round { base: base.clone(), message: format!("stored metadata: {e}") };
        let meta: Metadata = serde_json::from_value(head.get(2)).map_err(bad)?;
        let report: LoadReport = serde_json::from_value(head.get(3)).map_err(bad)?;

        let players =
            sqlx::query("SELECT clientnum, team, name FROM round_players WHERE round_id = $1 ORDER BY clientnum")
                .bind(id)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| Player { clientnum: u16_of(r.get(0)), team: team(r.get(1)), name: r.get(2) })
                .collect();

        let rows = sqlx::query(
            "SELECT clientnum, timestamp, x, y, z, yaw, pitch, speed, moving, team, health FROM player_positions \
             WHERE round_id = $1 ORDER BY clientnum, timestamp",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let mut tracks: Vec<PlayerTrack> = Vec::new();
        for r in &rows {
            let cn = u16_of(r.get(0));
            let sample = PositionSample {
                time_ms: u32::try_from(r.get::<i64, _>(1)).unwrap_or(u32::MAX),
                pos: Vec3::new(r.get(2), r.get(3), r.get(4)),
                yaw_deg: r.get(5),
                pitch_deg: r.get(6),
                speed_ups: r.get(7),
                moving: r.get::<i32, _>(8) != 0,
                team: team(r.get(9)),
                health: r.get(10),
            };
            match tracks.last_mut() {
                Some(t) if t.clientnum == cn => t.samples.push(sample),
                _ => tracks.push(PlayerTrack { clientnum: cn, samples: vec![sample] }),
            }
        }

        let combat = sqlx::query(
            "SELECT timestamp, event_type, attacker, target, distance, nearby_allies, nearby_enemies, damage, weapon, mod, \
             attacker_x, attacker_y, attacker_z, target_x, target_y, target_z FROM combat_events WHERE round_id = $1 ORDER BY seq, id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| CombatEvent {
            time_ms: u32::try_from(r.get::<i64, _>(0)).unwrap_or(u32::MAX),
            kind: match r.get::<String, _>(1).as_str() {
                "fire" => CombatKind::Fire,
                "hit" => CombatKind::Hit,
                "death" => CombatKind::Death,
                _ => CombatKind::Kill,
            },
            attacker: u16_of(r.get(2)),
            target: r.get::<Option<i32>, _>(3).map(u16_of),
            distance: r.get::<Option<f32>, _>(4).unwrap_or(0.0),
            nearby_allies: u16_of(r.get::<Option<i32>, _>(5).unwrap_or(0)),
            nearby_enemies: u16_of(r.get::<Option<i32>, _>(6).unwrap_or(0)),
            damage: r.get::<Option<i32>, _>(7).unwrap_or(0),
            weapon: r.get::<Option<i32>, _>(8).map(u16_of),
            mod_id: r.get::<Option<i32>, _>(9).map(u16_of),
            attacker_pos: vec3(r, 10),
            target_pos: vec3(r, 13),
        })
        .collect();

        let engagements = sqlx::query(
            "SELECT engagement_type, distance, killer_name, victim_name, time_ms, killer, victim, victim_x, victim_y, victim_z, \
             attacker_backup, target_backup FROM engagement_analysis WHERE round_id = $1 ORDER BY seq, id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| Engagement {
            kind: r.get::<String, _>(0).parse().unwrap_or_else(|e: std::convert::Infallible| match e {}),
            distance: r.get(1),
            killer_name: r.get::<Option<String>, _>(2).unwrap_or_default(),
            victim_name: r.get::<Option<String>, _>(3).unwrap_or_default(),
            time_ms: r.get::<Option<i64>, _>(4).and_then(|t| u32::try_from(t).ok()),
            killer: r.get::<Option<i32>, _>(5).map(u16_of),
            victim: r.get::<Option<i32>, _>(6).map(u16_of),
            victim_pos: vec3(r, 7),
            attacker_backup: r.get::<Option<i32>, _>(10).map(u16_of),
            target_backup: r.get::<Option<i32>, _>(11).map(u16_of),
        })
        .collect();

        let heatmap = sqlx::query(
            "SELECT grid_x, grid_y, axis_kills, allies_kills FROM proximity_heatmap WHERE round_id = $1 ORDER BY seq, id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| HeatmapCell {
            grid_x: r.get(0),
            grid_y: r.get(1),
            axis_kills: u32::try_from(r.get::<Option<i32>, _>(2).unwrap_or(0)).unwrap_or(0),
            allies_kills: u32::try_from(r.get::<Option<i32>, _>(3).unwrap_or(0)).unwrap_or(0),
        })
        .collect();

        let events = sqlx::query(
            "SELECT time_ms, kind, player, other, team, x, y, z, detail FROM round_events WHERE round_id = $1 ORDER BY seq",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .filter_map(|r| {
            let kind = EventKind::parse(&r.get::<String, _>(1))?;
            Some(RoundEvent {
                time_ms: u32::try_from(r.get::<i64, _>(0)).unwrap_or(u32::MAX),
                kind,
                player: r.get::<Option<i32>, _>(2).map(u16_of),
                other: r.get::<Option<i32>, _>(3).map(u16_of),
                team: r.get::<Option<i16>, _>(4).and_then(|t| u32::try_from(t).ok()).and_then(Team::from_number),
                pos: vec3(r, 5),
                detail: r.get(8),
            })
        })
        .collect();

        Ok(Round { name, meta, players, tracks, combat, engagements, heatmap, events, report })
    }
}
