//! The PostgreSQL store against a real server (`DATABASE_URL`, or a throwaway one started from
//! the local binaries). Each test works in a fresh database of its own.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;
use proxviz_data::heatmap::TeamSelection;
use proxviz_data::{CombatKind, Round, RoundFiles, Timeline, discover_rounds};
use proxviz_store::test_server::TestServer;
use proxviz_store::{HeatmapQuery, ImportOutcome, RoundFilter, Store};
use sqlx::Row;

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

async fn store() -> Store {
    let url = TestServer::get().fresh_database("store").await.expect("creates a database");
    Store::connect(&url).await.expect("connects and migrates")
}

fn demo() -> Vec<RoundFiles> {
    discover_rounds(&repo("../../assets/demo")).expect("demo rounds")
}

async fn import_all(store: &Store, rounds: &[RoundFiles]) -> Vec<(i64, Round)> {
    let mut out = Vec::new();
    for files in rounds {
        let (round, source) = proxviz_store::read_for_import(files);
        let outcome = store.import(&round, &source).await.expect("imports");
        out.push((outcome.id(), round));
    }
    out
}

async fn count(store: &Store, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(store.pool()).await.expect("counts")
}

#[tokio::test]
async fn the_schema_has_the_seeds_columns_and_indexes() {
    let s = store().await;
    let seed: [(&str, &[(&str, &str)]); 4] = [
        (
            "player_positions",
            &[
                ("id", "integer"),
                ("session_date", "date"),
                ("round_number", "integer"),
                ("clientnum", "integer"),
                ("timestamp", "bigint"),
                ("x", "real"),
                ("y", "real"),
                ("z", "real"),
                ("yaw", "real"),
                ("pitch", "real"),
                ("speed", "real"),
                ("moving", "integer"),
            ],
        ),
        (
            "combat_events",
            &[
                ("id", "integer"),
                ("session_date", "date"),
                ("round_number", "integer"),
                ("timestamp", "bigint"),
                ("event_type", "character varying"),
                ("attacker", "integer"),
                ("target", "integer"),
                ("distance", "real"),
                ("nearby_allies", "integer"),
                ("nearby_enemies", "integer"),
                ("damage", "integer"),
            ],
        ),
        (
            "engagement_analysis",
            &[
                ("id", "integer"),
                ("session_date", "date"),
                ("round_number", "integer"),
                ("engagement_type", "character varying"),
                ("distance", "real"),
                ("killer_name", "character varying"),
                ("victim_name", "character varying"),
            ],
        ),
        (
            "proximity_heatmap",
            &[
                ("id", "integer"),
                ("session_date", "date"),
                ("round_number", "integer"),
                ("grid_x", "integer"),
                ("grid_y", "integer"),
                ("axis_kills", "integer"),
                ("allies_kills", "integer"),
            ],
        ),
    ];
    for (table, columns) in seed {
        let rows = sqlx::query(
            "SELECT column_name::text, data_type::text FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position",
        )
        .bind(table)
        .fetch_all(s.pool())
        .await
        .expect("columns");
        let got: Vec<(String, String)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
        let want: Vec<(String, String)> = columns.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect();
        assert_eq!(&got[..want.len()], &want[..], "{table}: the seed's columns come first, in order");
    }
    let indexes: Vec<String> = sqlx::query_scalar("SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'")
        .fetch_all(s.pool())
        .await
        .expect("indexes");
    for def in [
        "ON public.player_positions USING btree (session_date, round_number, clientnum, \"timestamp\")",
        "ON public.player_positions USING btree (session_date, round_number)",
        "ON public.player_positions USING btree (clientnum)",
        "ON public.player_positions USING btree (\"timestamp\")",
        "ON public.player_positions USING btree (clientnum, \"timestamp\" DESC)",
        "ON public.combat_events USING btree (session_date, round_number)",
        "ON public.combat_events USING btree (event_type)",
        "ON public.combat_events USING btree (attacker)",
        "ON public.combat_events USING btree (target)",
        "ON public.combat_events USING btree (\"timestamp\")",
        "ON public.proximity_heatmap USING btree (session_date, round_number, grid_x, grid_y)",
        "UNIQUE INDEX player_positions_round_id_client_time ON public.player_positions USING btree (round_id, clientnum, \"timestamp\")",
        "UNIQUE INDEX proximity_heatmap_round_id_cell ON public.proximity_heatmap USING btree (round_id, grid_x, grid_y)",
    ] {
        assert!(indexes.iter().any(|i| i.contains(def)), "missing index {def}\n{indexes:#?}");
    }
}

#[tokio::test]
async fn a_round_imported_then_loaded_equals_the_round_parsed_from_its_files() {
    let s = store().await;
    let mut rounds = demo();
    rounds.extend(discover_rounds(&repo("../tests/fixtures")).expect("fixtures"));
    for (id, parsed) in import_all(&s, &rounds).await {
        let loaded = s.load_round(id).await.expect("loads");
        assert!(loaded.same_content(&parsed), "{} differs after the database", parsed.name.base);
        assert_eq!(loaded.report, parsed.report);
    }
}

#[tokio::test]
async fn importing_the_same_files_again_changes_nothing() {
    let s = store().await;
    let rounds = demo();
    let first = import_all(&s, &rounds[..1]).await;
    let positions = count(&s, "SELECT count(*) FROM player_positions").await;
    let (round, source) = proxviz_store::read_for_import(&rounds[0]);
    assert_eq!(s.import(&round, &source).await.expect("imports"), ImportOutcome::Unchanged(first[0].0));
    assert_eq!(count(&s, "SELECT count(*) FROM player_positions").await, positions);
    assert_eq!(count(&s, "SELECT count(*) FROM rounds").await, 1);
}

#[tokio::test]
async fn a_changed_file_replaces_that_round() {
    let s = store().await;
    let dir = tempfile::tempdir().expect("tempdir");
    for path in demo()[0].paths.iter().flatten() {
        std::fs::copy(path, dir.path().join(path.file_name().expect("name"))).expect("copy");
    }
    let files = discover_rounds(dir.path()).expect("round");
    let before = import_all(&s, &files).await;
    let combat = files[0].paths[1].clone().expect("combat file");
    let text = std::fs::read_to_string(&combat).expect("read");
    let kept: Vec<&str> = text.lines().take(text.lines().count() - 10).collect();
    std::fs::write(&combat, kept.join("\n") + "\n").expect("write");
    let (round, source) = proxviz_store::read_for_import(&files[0]);
    let outcome = s.import(&round, &source).await.expect("imports");
    assert!(matches!(outcome, ImportOutcome::Replaced(id) if id != before[0].0), "{outcome:?}");
    assert_eq!(count(&s, "SELECT count(*) FROM rounds").await, 1);
    assert_eq!(count(&s, "SELECT count(*) FROM combat_events").await, before[0].1.combat.len() as i64 - 10);
}

#[tokio::test]
async fn two_maps_played_on_the_same_date_both_import() {
    let s = store().await;
    let rounds = demo();
    let imported = import_all(&s, &rounds).await;
    assert_eq!(imported.len(), 4);
    let maps: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT map FROM rounds WHERE session_date = '2025-12-20' AND round_number = 1 ORDER BY map",
    )
    .fetch_all(s.pool())
    .await
    .expect("maps");
    assert_eq!(maps, ["supply", "sw_goldrush_te"]);
    let total: usize = imported.iter().map(|(_, r)| r.position_count()).sum();
    assert_eq!(count(&s, "SELECT count(*) FROM player_positions").await, total as i64);
}

#[tokio::test]
async fn a_failing_import_leaves_nothing_of_that_round() {
    let s = store().await;
    let (mut round, source) = proxviz_store::read_for_import(&demo()[0]);
    // Longer than the seed's VARCHAR(20): the COPY of engagements fails after positions went in.
    round.engagements[3].kind = proxviz_data::EngagementType::Other("A_LABEL_FAR_TOO_LONG_FOR_THE_SEED".into());
    let err = s.import(&round, &source).await.expect_err("refused");
    assert!(err.to_string().starts_with("round 2025-12-20-200015-supply-round-1: "), "{err}");
    for table in
        ["rounds", "round_players", "player_positions", "combat_events", "engagement_analysis", "proximity_heatmap"]
    {
        assert_eq!(count(&s, &format!("SELECT count(*) FROM {table}")).await, 0, "{table}");
    }
}

#[tokio::test]
async fn the_seeds_sample_queries_return_the_right_rows() {
    let s = store().await;
    let rounds: Vec<Round> = import_all(&s, &demo()).await.into_iter().map(|(_, r)| r).collect();
    let pool = s.pool();
    let samples =
        || rounds.iter().flat_map(|r| r.tracks.iter().flat_map(|t| t.samples.iter().map(move |s| (t.clientnum, s))));

    let path = sqlx::query(
        "SELECT * FROM player_positions WHERE session_date = '2025-12-20' AND clientnum = 0 ORDER BY timestamp;",
    )
    .fetch_all(pool)
    .await
    .expect("player path");
    assert_eq!(path.len(), samples().filter(|(cn, _)| *cn == 0).count());
    assert!(path.windows(2).all(|w| w[0].get::<i64, _>("timestamp") <= w[1].get::<i64, _>("timestamp")));

    let stationary: BTreeMap<i32, i64> = sqlx::query(
        "SELECT clientnum, COUNT(*) as stationary_count\nFROM player_positions\nWHERE moving = 0\nGROUP BY clientnum;",
    )
    .fetch_all(pool)
    .await
    .expect("stationary")
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect();
    let mut want: BTreeMap<i32, i64> = BTreeMap::new();
    for (cn, _) in samples().filter(|(_, s)| !s.moving) {
        *want.entry(i32::from(cn)).or_default() += 1;
    }
    assert_eq!(stationary, want);

    let fast: Vec<(i32, f64)> = sqlx::query(
        "SELECT clientnum, AVG(speed) as avg_speed\nFROM player_positions\nWHERE session_date = '2025-12-20'\nGROUP BY clientnum\nORDER BY avg_speed DESC;",
    )
    .fetch_all(pool)
    .await
    .expect("fast movers")
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect();
    let mut sums: BTreeMap<i32, (f64, f64)> = BTreeMap::new();
    for (cn, s) in samples() {
        let e = sums.entry(i32::from(cn)).or_default();
        e.0 += f64::from(s.speed_ups);
        e.1 += 1.0;
    }
    assert_eq!(fast.len(), sums.len());
    assert!(fast.windows(2).all(|w| w[0].1 >= w[1].1), "ordered by average speed");
    for (cn, avg) in &fast {
        let (sum, n) = sums[cn];
        assert!((avg - sum / n).abs() < 1e-3, "client {cn}");
    }

    let events = || rounds.iter().flat_map(|r| r.combat.iter());
    let shots: BTreeMap<i32, i64> = sqlx::query(
        "SELECT attacker, COUNT(*) as shots_fired\nFROM combat_events\nWHERE session_date = '2025-12-20' AND event_type = 'fire'\nGROUP BY attacker;",
    )
    .fetch_all(pool)
    .await
    .expect("shots")
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect();
    let mut want: BTreeMap<i32, i64> = BTreeMap::new();
    for e in events().filter(|e| e.kind == CombatKind::Fire) {
        *want.entry(i32::from(e.attacker)).or_default() += 1;
    }
    assert_eq!(shots, want);

    let high: Vec<i32> = sqlx::query_scalar("SELECT damage FROM (SELECT * FROM combat_events\nWHERE event_type = 'hit' AND damage > 50\nORDER BY damage DESC) q;")
        .fetch_all(pool)
        .await
        .expect("high damage");
    let mut want: Vec<i32> =
        events().filter(|e| e.kind == CombatKind::Hit && e.damage > 50).map(|e| e.damage).collect();
    want.sort_by(|a, b| b.cmp(a));
    assert!(!want.is_empty());
    assert_eq!(high, want);

    let nearby = sqlx::query(
        "SELECT * FROM combat_events\nWHERE event_type = 'kill' AND nearby_enemies > 0\nORDER BY timestamp;",
    )
    .fetch_all(pool)
    .await
    .expect("kills with enemies near");
    assert_eq!(nearby.len(), events().filter(|e| e.kind == CombatKind::Kill && e.nearby_enemies > 0).count());

    let by_type: BTreeMap<String, i64> = sqlx::query(
        "SELECT engagement_type, COUNT(*) as count\nFROM engagement_analysis\nWHERE session_date = '2025-12-20'\nGROUP BY engagement_type;",
    )
    .fetch_all(pool)
    .await
    .expect("engagement counts")
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect();
    let mut want: BTreeMap<String, (i64, f64)> = BTreeMap::new();
    for e in rounds.iter().flat_map(|r| r.engagements.iter()) {
        let w = want.entry(e.kind.to_string()).or_default();
        w.0 += 1;
        w.1 += f64::from(e.distance);
    }
    assert_eq!(by_type, want.iter().map(|(k, v)| (k.clone(), v.0)).collect());
    let avg: Vec<(String, f64)> = sqlx::query(
        "SELECT engagement_type, AVG(distance) as avg_distance\nFROM engagement_analysis\nWHERE session_date = '2025-12-20'\nGROUP BY engagement_type\nORDER BY avg_distance;",
    )
    .fetch_all(pool)
    .await
    .expect("average distance")
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect();
    assert!(avg.windows(2).all(|w| w[0].1 <= w[1].1));
    for (t, d) in &avg {
        assert!((d - want[t].1 / want[t].0 as f64).abs() < 1e-2, "{t}");
    }

    let cells = || rounds.iter().flat_map(|r| r.heatmap.iter());
    let top: Vec<i32> = sqlx::query(
        "SELECT grid_x, grid_y, (axis_kills + allies_kills) as total_kills\nFROM proximity_heatmap\nWHERE session_date = '2025-12-20'\nORDER BY total_kills DESC\nLIMIT 10;",
    )
    .fetch_all(pool)
    .await
    .expect("hotspots")
    .iter()
    .map(|r| r.get(2))
    .collect();
    let mut want: Vec<i32> = cells().map(|c| c.total_kills() as i32).collect();
    want.sort_by(|a, b| b.cmp(a));
    want.truncate(10);
    assert_eq!(top, want);

    let axis = sqlx::query(
        "SELECT grid_x, grid_y, axis_kills, allies_kills\nFROM proximity_heatmap\nWHERE axis_kills > allies_kills * 2\nAND session_date = '2025-12-20';",
    )
    .fetch_all(pool)
    .await
    .expect("axis-dominated");
    assert_eq!(axis.len(), cells().filter(|c| c.axis_kills > c.allies_kills * 2).count());
}

#[tokio::test]
async fn rounds_are_listed_by_date_map_and_player() {
    let s = store().await;
    let imported = import_all(&s, &demo()).await;
    let all = s.list_rounds(&RoundFilter::default()).await.expect("lists");
    assert_eq!(all.len(), 4);
    assert_eq!(all[0].base_name, "2025-12-20-200015-supply-round-1");
    for (id, round) in &imported {
        let listed = all.iter().find(|r| r.id == *id).expect("listed");
        assert_eq!(
            listed.kill_count as usize,
            round.player_kill_count(),
            "{}: kills by other players",
            listed.base_name
        );
    }
    // The migration that recounts rounds imported before the seed's meaning counts the same.
    let before: Vec<i32> = all.iter().map(|r| r.kill_count).collect();
    sqlx::query("UPDATE rounds SET kill_count = 0").execute(s.pool()).await.expect("zero");
    sqlx::raw_sql(include_str!("../../../migrations/0003_player_kill_count.sql"))
        .execute(s.pool())
        .await
        .expect("recount");
    let after: Vec<i32> =
        s.list_rounds(&RoundFilter::default()).await.expect("lists").iter().map(|r| r.kill_count).collect();
    assert_eq!(after, before);
    let supply =
        s.list_rounds(&RoundFilter { map: Some("supply".into()), ..RoundFilter::default() }).await.expect("lists");
    assert_eq!(supply.iter().map(|r| r.round_number).collect::<Vec<_>>(), [1, 2]);
    let day = NaiveDate::from_ymd_opt(2025, 12, 21);
    assert!(s.list_rounds(&RoundFilter { from: day, ..RoundFilter::default() }).await.expect("lists").is_empty());
    let fritz =
        s.list_rounds(&RoundFilter { player: Some("fritz".into()), ..RoundFilter::default() }).await.expect("lists");
    assert_eq!(fritz.len(), 4, "^1Fritz plays every demo round; names match without colours or case");
    let nobody =
        s.list_rounds(&RoundFilter { player: Some("nobody".into()), ..RoundFilter::default() }).await.expect("lists");
    assert!(nobody.is_empty());
}

/// The season heatmap in Rust, from the parsed rounds, for comparison.
fn heatmap_in_rust(
    rounds: &[Round],
    map: &str,
    grid: f32,
    team: Option<u8>,
    player: Option<&str>,
) -> BTreeMap<(i32, i32), (u32, u32)> {
    let mut cells = BTreeMap::new();
    for r in rounds.iter().filter(|r| r.map() == Some(map)) {
        let t = Timeline::new(Arc::new(r.clone()));
        for k in t.kills().iter().filter(|k| k.killer != k.victim && k.killer < 64) {
            let Some(killer) = r.player(k.killer) else { continue };
            let killer_team = killer.team.map(|t| t.number());
            if team.is_some_and(|want| killer_team != Some(want)) {
                continue;
            }
            let clean = |cn: u16| r.player(cn).map(|p| p.clean_name().to_lowercase());
            if let Some(name) = player
                && clean(k.killer).as_deref() != Some(name)
                && clean(k.victim).as_deref() != Some(name)
            {
                continue;
            }
            let Some(pos) = k.pos else { continue };
            let e: &mut (u32, u32) =
                cells.entry(((pos.x / grid).floor() as i32, (pos.y / grid).floor() as i32)).or_default();
            match killer_team {
                Some(1) => e.0 += 1,
                Some(2) => e.1 += 1,
                _ => {}
            }
        }
    }
    cells.retain(|_, v| v.0 + v.1 > 0);
    cells
}

#[tokio::test]
async fn the_season_heatmap_counts_every_kill_in_its_cell() {
    let s = store().await;
    let rounds: Vec<Round> = import_all(&s, &demo()).await.into_iter().map(|(_, r)| r).collect();
    for (grid, team, filter, player) in [
        (512, None, TeamSelection::Both, None),
        (256, Some(1), TeamSelection::Axis, None),
        (1000, Some(2), TeamSelection::Allies, None),
        (512, None, TeamSelection::Both, Some("fritz")),
    ] {
        let q = HeatmapQuery {
            map: "supply".into(),
            grid_size_units: grid,
            team: filter,
            player: player.map(str::to_owned),
            from: None,
            to: None,
        };
        let got: BTreeMap<(i32, i32), (u32, u32)> = s
            .kill_heatmap(&q)
            .await
            .expect("heatmap")
            .iter()
            .map(|c| ((c.grid_x, c.grid_y), (c.axis_kills, c.allies_kills)))
            .collect();
        assert_eq!(
            got,
            heatmap_in_rust(&rounds, "supply", grid as f32, team, player),
            "grid {grid} team {team:?} player {player:?}"
        );
        assert!(!got.is_empty());
    }
}

#[tokio::test]
async fn player_totals_add_up_the_rounds() {
    let s = store().await;
    let rounds: Vec<Round> = import_all(&s, &demo()).await.into_iter().map(|(_, r)| r).collect();
    let totals = s.player_totals(&RoundFilter::default()).await.expect("totals");
    let fritz = totals.iter().find(|t| t.name == "Fritz").expect("Fritz");
    let (mut kills, mut deaths, mut shots, mut given) = (0i64, 0i64, 0i64, 0i64);
    for r in &rounds {
        let stats =
            proxviz_data::statistics(&Timeline::new(Arc::new(r.clone())), &proxviz_data::StatsConfig::default());
        let p = stats.players.iter().find(|p| p.name == "Fritz").expect("Fritz in every round");
        kills += i64::from(p.kills);
        deaths += i64::from(p.deaths);
        shots += i64::from(p.shots);
        given += p.damage_given;
    }
    assert_eq!(
        (fritz.rounds, fritz.kills, fritz.deaths, fritz.shots, fritz.damage_given),
        (4, kills, deaths, shots, given)
    );
    assert!(totals.windows(2).all(|w| w[0].kills >= w[1].kills), "most kills first");
}

#[tokio::test]
async fn a_server_that_is_down_is_named_without_the_password() {
    let err =
        Store::connect("postgres://et_bot:s3cret@127.0.0.1:1/et_stats").await.expect_err("nothing listens on port 1");
    let msg = err.to_string();
    assert!(msg.starts_with("cannot connect to PostgreSQL at postgres://et_bot:***@127.0.0.1:1/et_stats: "), "{msg}");
    assert!(!msg.contains("s3cret"));
    assert!(msg.contains("refused"), "says why: {msg}");
}
