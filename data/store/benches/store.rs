//! PostgreSQL import and season aggregates, against a real server (`DATABASE_URL` or a
//! throwaway one). Positions import rows/s by our COPY import, by PostgreSQL's own `psql \copy`
//! of the same rows into the same indexed table (the practical limit), and by a row-by-row
//! INSERT loop (the seed's method); then the season heatmap over 1,000 imported rounds.

#[path = "../../benches/common/mod.rs"]
mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::big_round;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use proxviz_data::heatmap::TeamSelection;
use proxviz_data::{Round, RoundName, discover_rounds};
use proxviz_store::test_server::TestServer;
use proxviz_store::{HeatmapQuery, ImportOptions, Source, Store};

const COLUMNS: &str =
    "session_date, round_number, clientnum, timestamp, x, y, z, yaw, pitch, speed, moving, round_id, team, health";

fn source(tag: &str) -> Source {
    Source { files: vec![format!("{tag}_positions.txt")], content_hash: tag.to_owned() }
}

async fn clear(store: &Store) {
    sqlx::query(
        "TRUNCATE rounds, player_positions, combat_events, engagement_analysis, proximity_heatmap, round_players, \
         season_kills, season_cells, player_names",
    )
    .execute(store.pool())
    .await
    .expect("truncate");
}

/// The positions as COPY text rows, exactly what our import sends.
fn tsv(round: &Round, round_id: i64) -> String {
    let mut out = String::new();
    for t in &round.tracks {
        for s in &t.samples {
            out.push_str(&format!(
                "2025-12-20\t1\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{round_id}\t{}\t{}\n",
                t.clientnum,
                s.time_ms,
                s.pos.x,
                s.pos.y,
                s.pos.z,
                s.yaw_deg,
                s.pitch_deg,
                s.speed_ups,
                u8::from(s.moving),
                s.team.map_or(0, |t| t.number()),
                s.health.unwrap_or(0)
            ));
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let url = rt.block_on(TestServer::durable().fresh_database("bench")).expect("database");
    let store = rt.block_on(Store::connect(&url)).expect("store");
    let round = std::sync::Arc::new(big_round());
    let rows = round.position_count() as u64;
    let options = ImportOptions::default();

    let mut group = c.benchmark_group("import_positions_64p_30min");
    group.sample_size(10).throughput(Throughput::Elements(rows));
    group.bench_function("proxviz_import_copy", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for i in 0..iters {
                rt.block_on(clear(&store));
                let started = Instant::now();
                rt.block_on(store.import(&round, &source(&format!("run{i}")), &options)).expect("imports");
                total += started.elapsed();
            }
            total
        })
    });

    // psql's own \copy of the same rows into the same table and indexes.
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("positions.tsv");
    group.bench_function("psql_copy", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                rt.block_on(clear(&store));
                let id: i64 = rt
                    .block_on(
                        sqlx::query_scalar(
                            "INSERT INTO rounds (base_name, session_date, round_number, source_files, content_hash) \
                             VALUES ('psql', '2025-12-20', 1, '{}', 'x') RETURNING id",
                        )
                        .fetch_one(store.pool()),
                    )
                    .expect("round row");
                std::fs::write(&file, tsv(&round, id)).expect("tsv");
                let started = Instant::now();
                let status = Command::new("psql")
                    .args([
                        url.as_str(),
                        "-q",
                        "-c",
                        &format!("\\copy player_positions ({COLUMNS}) FROM '{}'", file.display()),
                    ])
                    .status()
                    .expect("psql runs");
                total += started.elapsed();
                assert!(status.success());
            }
            total
        })
    });
    group.finish();

    // The seed's method: one INSERT per row, autocommit. Measured on 5,000 rows (it is slow).
    let subset: Vec<(u16, proxviz_data::PositionSample)> =
        round.tracks.iter().flat_map(|t| t.samples.iter().map(move |s| (t.clientnum, *s))).take(5_000).collect();
    let mut group = c.benchmark_group("import_positions_row_by_row");
    group.sample_size(10).throughput(Throughput::Elements(subset.len() as u64));
    group.bench_function("insert_loop", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                rt.block_on(clear(&store));
                let started = Instant::now();
                rt.block_on(async {
                    for (cn, s) in &subset {
                        sqlx::query(
                            "INSERT INTO player_positions (session_date, round_number, clientnum, timestamp, x, y, z, yaw, pitch, \
                             speed, moving) VALUES ('2025-12-20', 1, $1, $2, $3, $4, $5, $6, $7, $8, $9)",
                        )
                        .bind(i32::from(*cn))
                        .bind(i64::from(s.time_ms))
                        .bind(s.pos.x)
                        .bind(s.pos.y)
                        .bind(s.pos.z)
                        .bind(s.yaw_deg)
                        .bind(s.pitch_deg)
                        .bind(s.speed_ups)
                        .bind(i32::from(s.moving))
                        .execute(store.pool())
                        .await
                        .expect("insert");
                    }
                });
                total += started.elapsed();
            }
            total
        })
    });
    // The same loop as psql runs it from a file of INSERT statements, one autocommit each.
    let inserts = dir.path().join("inserts.sql");
    let sql: String = subset
        .iter()
        .map(|(cn, s)| {
            format!(
                "INSERT INTO player_positions (session_date, round_number, clientnum, timestamp, x, y, z, yaw, pitch, speed, moving) \
                 VALUES ('2025-12-20', 1, {cn}, {}, {}, {}, {}, {}, {}, {}, {});\n",
                s.time_ms,
                s.pos.x,
                s.pos.y,
                s.pos.z,
                s.yaw_deg,
                s.pitch_deg,
                s.speed_ups,
                u8::from(s.moving)
            )
        })
        .collect();
    std::fs::write(&inserts, sql).expect("sql file");
    group.bench_function("psql_insert_file", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                rt.block_on(clear(&store));
                let started = Instant::now();
                let status = Command::new("psql")
                    .args([url.as_str(), "-q", "-o", "/dev/null", "-f"])
                    .arg(&inserts)
                    .status()
                    .expect("psql runs");
                total += started.elapsed();
                assert!(status.success());
            }
            total
        })
    });
    group.finish();

    // A season: the four demo rounds, each imported 250 times as different rounds and dates
    // (set up only when these benchmarks are selected).
    let q = HeatmapQuery {
        map: "supply".into(),
        grid_size_units: 512,
        team: TeamSelection::Both,
        player: None,
        from: None,
        to: None,
    };
    let axis_fritz =
        HeatmapQuery { grid_size_units: 256, team: TeamSelection::Axis, player: Some("fritz".into()), ..q.clone() };
    let season = std::cell::OnceCell::new();
    let setup = || {
        rt.block_on(clear(&store));
        let demo: Vec<Round> = discover_rounds(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/demo"))
            .expect("demo")
            .iter()
            .map(|f| f.load())
            .collect();
        let started = Instant::now();
        for n in 0..250 {
            for (i, r) in demo.iter().enumerate() {
                let mut r = r.clone();
                let day = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).expect("date") + chrono::Days::new(n);
                let map = r.map().unwrap_or("x").to_owned();
                r.name = RoundName::parse(&format!("{day}-2{i}0000-{map}-round-{}", r.round_number().unwrap_or(1)));
                rt.block_on(store.import(&std::sync::Arc::new(r), &source(&format!("season{n}-{i}")), &options))
                    .expect("imports");
            }
        }
        eprintln!("imported 1,000 rounds in {:.1} s", started.elapsed().as_secs_f64());
        let size: i64 = rt
            .block_on(sqlx::query_scalar("SELECT pg_database_size(current_database())").fetch_one(store.pool()))
            .expect("size");
        eprintln!("database size with 1,000 demo rounds: {:.0} MB", size as f64 / 1e6);
        let cells = rt.block_on(store.kill_heatmap(&q)).expect("heatmap");
        eprintln!(
            "season heatmap of supply: {} kills in {} cells",
            cells.iter().map(|c| c.total_kills()).sum::<u32>(),
            cells.len()
        );
    };
    let mut group = c.benchmark_group("season_1000_rounds");
    group.sample_size(10);
    group.bench_function("kill_heatmap_supply_512", |b| {
        season.get_or_init(setup);
        let cells = rt.block_on(store.kill_heatmap(&q)).expect("heatmap");
        eprintln!(
            "season heatmap of supply: {} kills in {} cells",
            cells.iter().map(|c| c.total_kills()).sum::<u32>(),
            cells.len()
        );
        b.iter(|| rt.block_on(store.kill_heatmap(&q)).expect("heatmap"))
    });
    group.bench_function("kill_heatmap_supply_256_axis_player", |b| {
        season.get_or_init(setup);
        b.iter(|| rt.block_on(store.kill_heatmap(&axis_fritz)).expect("heatmap"))
    });
    group.bench_function("player_totals_all", |b| {
        season.get_or_init(setup);
        b.iter(|| rt.block_on(store.player_totals(&Default::default())).expect("totals"))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
