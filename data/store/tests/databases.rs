//! The store against databases as they are: a server that is down, the browser's pages over
//! filters, a database made with the seed's own SQL, two imports at once, a read-only role,
//! rounds of the current public tracker. Each test works in a fresh database of its own.

use proxviz_data::{Round, RoundFiles, discover_rounds};
use proxviz_store::test_server::TestServer;
use proxviz_store::{ImportOptions, RoundFilter, Store};

mod common;

use common::{count, demo, import_all, repo, store};

#[tokio::test]
async fn a_server_that_is_down_is_named_without_the_password() {
    let err =
        Store::connect("postgres://et_bot:s3cret@127.0.0.1:1/et_stats").await.expect_err("nothing listens on port 1");
    let msg = err.to_string();
    assert!(msg.starts_with("cannot connect to PostgreSQL at postgres://et_bot:***@127.0.0.1:1/et_stats: "), "{msg}");
    assert!(!msg.contains("s3cret"));
    assert!(msg.contains("refused"), "says why: {msg}");
    let err = Store::connect_read("postgres://127.0.0.1:1/et_stats?user=et_bot&password=s3cret")
        .await
        .expect_err("nothing listens on port 1");
    let msg = err.to_string();
    assert!(msg.contains("password=***") && !msg.contains("s3cret"), "{msg}");
    // A wrong password for a server that is there: named, never shown.
    let url = TestServer::get().fresh_database("pw").await.expect("db");
    let wrong = url.replacen("postgres://postgres@", "postgres://nobody_here:s3cret@", 1);
    let msg = Store::connect_read(&wrong).await.expect_err("no such role").to_string();
    assert!(!msg.contains("s3cret") && msg.contains("nobody_here"), "{msg}");
}

#[tokio::test]
async fn the_browser_pages_newest_first_with_filters() {
    let s = store().await;
    import_all(&s, &demo()).await;
    let all = s.round_page(&RoundFilter::default(), 0, 50).await.expect("page");
    assert_eq!(all.total, 4);
    let keys: Vec<_> = all.rounds.iter().map(|r| (r.session_date, r.start_time)).collect();
    assert!(keys.windows(2).all(|w| w[0] >= w[1]), "newest first: {keys:?}");
    let second = s.round_page(&RoundFilter::default(), 1, 2).await.expect("page");
    assert_eq!((second.total, second.rounds.as_slice()), (4, &all.rounds[1..3]));
    let round_two =
        s.round_page(&RoundFilter { round_number: Some(2), ..RoundFilter::default() }, 0, 50).await.expect("page");
    assert!(round_two.total == 2 && round_two.rounds.iter().all(|r| r.round_number == 2), "{round_two:?}");
    // Part of a name, any case, colour codes ignored; `_` is a letter, not a wildcard.
    for (part, rounds) in [("RIT", 4), ("itz", 4), ("^1", 0), ("f_itz", 0), ("", 4)] {
        let filter = RoundFilter { player: Some(part.into()), ..RoundFilter::default() };
        assert_eq!(s.round_page(&filter, 0, 50).await.expect("page").total, rounds, "player {part:?}");
    }
    let supply = RoundFilter { map: Some("supply".into()), player: Some("fritz".into()), ..RoundFilter::default() };
    assert_eq!(s.round_page(&supply, 0, 50).await.expect("page").total, 2);
    // A part of a name that many names share takes the other plan: the same rounds.
    sqlx::query("INSERT INTO player_names (name_clean) SELECT 'fritzfan' || n FROM generate_series(1, 100) n")
        .execute(s.pool())
        .await
        .expect("names");
    let broad = s
        .round_page(&RoundFilter { player: Some("FRITZ".into()), ..RoundFilter::default() }, 0, 50)
        .await
        .expect("page");
    assert_eq!((broad.total, broad.rounds.len()), (4, 4));
    assert_eq!(
        s.list_rounds(&RoundFilter { player: Some("fritz".into()), ..RoundFilter::default() })
            .await
            .expect("lists")
            .len(),
        4
    );
    assert_eq!(s.maps().await.expect("maps"), ["supply", "sw_goldrush_te"]);
}

/// The seed's `CREATE TABLE` statements, as written in its reference, and the indexes it lists.
const SEED_SQL: &str = "
CREATE TABLE player_positions (
    id SERIAL PRIMARY KEY, session_date DATE NOT NULL, round_number INTEGER NOT NULL, clientnum INTEGER NOT NULL,
    timestamp BIGINT NOT NULL, x REAL NOT NULL, y REAL NOT NULL, z REAL NOT NULL, yaw REAL NOT NULL,
    pitch REAL NOT NULL, speed REAL NOT NULL, moving INTEGER NOT NULL);
CREATE UNIQUE INDEX ON player_positions (session_date, round_number, clientnum, timestamp);
CREATE INDEX ON player_positions (session_date, round_number);
CREATE INDEX ON player_positions (clientnum);
CREATE TABLE combat_events (
    id SERIAL PRIMARY KEY, session_date DATE NOT NULL, round_number INTEGER NOT NULL, timestamp BIGINT NOT NULL,
    event_type VARCHAR(20) NOT NULL, attacker INTEGER NOT NULL, target INTEGER, distance REAL,
    nearby_allies INTEGER DEFAULT 0, nearby_enemies INTEGER DEFAULT 0, damage INTEGER DEFAULT 0);
CREATE INDEX ON combat_events (session_date, round_number);
CREATE TABLE engagement_analysis (
    id SERIAL PRIMARY KEY, session_date DATE NOT NULL, round_number INTEGER NOT NULL,
    engagement_type VARCHAR(20) NOT NULL, distance REAL NOT NULL, killer_name VARCHAR(64), victim_name VARCHAR(64));
CREATE TABLE proximity_heatmap (
    id SERIAL PRIMARY KEY, session_date DATE NOT NULL, round_number INTEGER NOT NULL, grid_x INTEGER NOT NULL,
    grid_y INTEGER NOT NULL, axis_kills INTEGER DEFAULT 0, allies_kills INTEGER DEFAULT 0,
    UNIQUE (session_date, round_number, grid_x, grid_y));
INSERT INTO player_positions (session_date, round_number, clientnum, timestamp, x, y, z, yaw, pitch, speed, moving)
  SELECT '2025-12-20', r, c, t * 1000, c * 10 + t, t, 0, 0, 0, CASE WHEN t % 5 = 0 THEN 0 ELSE 200 END, (t % 5 <> 0)::int
  FROM generate_series(1, 2) r, generate_series(0, 3) c, generate_series(0, 59) t;
INSERT INTO combat_events (session_date, round_number, timestamp, event_type, attacker, target, distance, nearby_allies, nearby_enemies, damage)
  VALUES ('2025-12-20', 1, 5000, 'fire', 0, NULL, NULL, 0, 0, 0), ('2025-12-20', 1, 5100, 'hit', 0, 1, 300, 0, 1, 60),
         ('2025-12-20', 1, 5200, 'kill', 0, 1, 300, 0, 1, 0), ('2025-12-20', 2, 7000, 'kill', 2, 3, 120, 1, 0, 0);
INSERT INTO engagement_analysis (session_date, round_number, engagement_type, distance, killer_name, victim_name)
  VALUES ('2025-12-20', 1, '1v1', 300, 'Fritz', 'Hans'), ('2025-12-20', 2, '2v1', 120, 'Otto', 'Max');
INSERT INTO proximity_heatmap (session_date, round_number, grid_x, grid_y, axis_kills, allies_kills)
  VALUES ('2025-12-20', 1, 0, 0, 1, 0), ('2025-12-20', 2, 0, 0, 0, 1);
";

#[tokio::test]
async fn a_database_made_with_the_seeds_sql_is_adopted_keeping_every_row() {
    let url = TestServer::get().fresh_database("seed").await.expect("db");
    let pool = sqlx::PgPool::connect(&url).await.expect("connects");
    sqlx::raw_sql(SEED_SQL).execute(&pool).await.expect("the seed's tables");
    let tables = ["player_positions", "combat_events", "engagement_analysis", "proximity_heatmap"];
    let mut before = Vec::new();
    for t in tables {
        before.push(
            sqlx::query_scalar::<_, i64>(&format!("SELECT count(*) FROM {t}")).fetch_one(&pool).await.expect("n"),
        );
    }
    let s = Store::connect(&url).await.expect("adopts instead of failing");
    for (t, n) in tables.iter().zip(&before) {
        assert_eq!(count(&s, &format!("SELECT count(*) FROM {t}")).await, *n, "{t}: every row kept");
        assert_eq!(count(&s, &format!("SELECT count(*) FROM {t} WHERE round_id IS NULL")).await, 0, "{t}: attached");
    }
    // The seed's sample queries still answer.
    let shots: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT attacker, COUNT(*) as shots_fired FROM combat_events \
         WHERE session_date = '2025-12-20' AND event_type = 'fire' GROUP BY attacker) q",
    )
    .fetch_one(s.pool())
    .await
    .expect("shots");
    assert_eq!(shots, 1);
    let hotspots: Vec<i32> = sqlx::query_scalar(
        "SELECT (axis_kills + allies_kills) as total_kills FROM proximity_heatmap WHERE session_date = '2025-12-20' \
         ORDER BY total_kills DESC LIMIT 10",
    )
    .fetch_all(s.pool())
    .await
    .expect("hotspots");
    assert_eq!(hotspots, [1, 1]);
    // proxviz sees the old rows as rounds, and imports beside them.
    let listed = s.list_rounds(&RoundFilter::default()).await.expect("lists");
    assert_eq!(
        listed.iter().map(|r| r.base_name.as_str()).collect::<Vec<_>>(),
        ["seed-db-2025-12-20-round-1", "seed-db-2025-12-20-round-2"]
    );
    assert_eq!((listed[0].player_count, listed[0].kill_count, listed[1].kill_count), (4, 1, 1));
    let loaded = s.load_round(listed[0].id).await.expect("loads");
    assert_eq!((loaded.position_count(), loaded.combat.len(), loaded.engagements.len()), (240, 3, 1));
    import_all(&s, &demo()).await;
    assert_eq!(s.list_rounds(&RoundFilter::default()).await.expect("lists").len(), 6);
    // The seed's unique key on (date, round, client, time) is gone: two maps of one day fit.
    assert_eq!(
        count(&s, "SELECT count(DISTINCT map) FROM rounds WHERE session_date = '2025-12-20' AND round_number = 1")
            .await,
        2
    );
    // Connecting again changes nothing.
    drop(s);
    let s = Store::connect(&url).await.expect("connects again");
    assert_eq!(count(&s, "SELECT count(*) FROM rounds").await, 6);
}

#[tokio::test]
async fn two_imports_of_one_folder_at_once_both_finish_without_duplicates() {
    let url = TestServer::get().fresh_database("concurrent").await.expect("db");
    let first = Store::connect(&url).await.expect("connects");
    let second = Store::connect(&url).await.expect("connects");
    let files = demo();
    let options = ImportOptions::default();
    let (a, b) =
        tokio::join!(first.import_files(&files, &options, |_| ()), second.import_files(&files, &options, |_| ()));
    for run in [&a, &b] {
        assert!(run.failed.is_empty() && run.stopped.is_none(), "{run:?}");
    }
    assert_eq!(a.imported + b.imported, 4, "each round imported once: {a:?} {b:?}");
    assert_eq!(a.unchanged + b.unchanged, 4);
    assert_eq!(count(&first, "SELECT count(*) FROM rounds").await, 4);
    let rounds: Vec<Round> = files.iter().map(RoundFiles::load).collect();
    let positions: usize = rounds.iter().map(Round::position_count).sum();
    assert_eq!(count(&first, "SELECT count(*) FROM player_positions").await, positions as i64);
    assert_eq!(
        count(&first, "SELECT sum(kills)::bigint FROM season_cells").await,
        count(&first, "SELECT count(*) FROM season_kills k JOIN rounds r ON r.id = k.round_id WHERE r.map IS NOT NULL")
            .await
    );
}

#[tokio::test]
async fn a_read_only_role_reads_and_is_told_when_the_schema_is_too_old() {
    let url = TestServer::get().fresh_database("readonly").await.expect("db");
    let owner = Store::connect(&url).await.expect("connects");
    import_all(&owner, &demo()[..1]).await;
    let role = format!("reader_{}", std::process::id());
    for sql in [
        format!("DROP ROLE IF EXISTS {role}"),
        format!("CREATE ROLE {role} LOGIN"),
        format!("GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}"),
    ] {
        // A role belongs to the server: another test process may have made it already.
        let _ = sqlx::query(&sql).execute(owner.pool()).await;
    }
    let reader_url = url.replacen("postgres://postgres@", &format!("postgres://{role}@"), 1);
    let reader = Store::connect_read(&reader_url).await.expect("reads without migrating");
    assert_eq!(reader.list_rounds(&RoundFilter::default()).await.expect("lists").len(), 1);
    // The owner's schema falls a version behind: the reader is told, plainly.
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = (SELECT max(version) FROM _sqlx_migrations)")
        .execute(owner.pool())
        .await
        .expect("older");
    let err = Store::connect_read(&reader_url).await.expect_err("too old");
    let msg = err.to_string();
    let need = proxviz_store::newest_migration();
    assert!(
        msg.contains(&format!("schema is at version {}", need - 1)) && msg.contains(&format!("needs version {need}")),
        "{msg}"
    );
    assert!(msg.contains("proxviz db migrate"), "{msg}");
}

#[tokio::test]
async fn rounds_of_the_public_tracker_import_and_answer_the_seeds_sql() {
    let s = store().await;
    let files = discover_rounds(&repo("../tests/upstream")).expect("v4-v6 rounds");
    let imported = import_all(&s, &files).await;
    assert_eq!(imported.len(), 3);
    for (id, parsed) in &imported {
        let loaded = s.load_round(*id).await.expect("loads");
        assert!(loaded.same_content(parsed), "{} differs after the database", parsed.name.base);
    }
    // The seed's sample query "kills with nearby enemies" and "shots per player" run on them.
    let kills = count(&s, "SELECT count(*) FROM combat_events WHERE event_type = 'kill'").await;
    assert_eq!(kills, 2, "one kill in v6 (its selfkill is a death), one in v4, none in the cut v5");
    assert_eq!(count(&s, "SELECT count(*) FROM combat_events WHERE event_type = 'death'").await, 1);
    // Revives and objective events are stored beside them (and came back above).
    assert_eq!(count(&s, "SELECT count(*) FROM round_events").await, 9);
    assert_eq!(
        count(&s, "SELECT count(*) FROM round_events WHERE kind = 'dynamite_plant' AND detail = 'Depot Gate'").await,
        1
    );
    let shots: Vec<(i32, i64)> = sqlx::query_as(
        "SELECT attacker, COUNT(*) as shots_fired FROM combat_events WHERE session_date = '2026-03-14' \
         AND event_type = 'fire' GROUP BY attacker",
    )
    .fetch_all(s.pool())
    .await
    .expect("shots");
    assert_eq!(shots, [(1, 1)]);
    let names: Vec<String> =
        sqlx::query_scalar("SELECT name_clean FROM round_players ORDER BY 1").fetch_all(s.pool()).await.expect("names");
    assert!(names.contains(&"[BOT]Otto".to_owned()) && names.contains(&"Fritz".to_owned()), "{names:?}");
}
