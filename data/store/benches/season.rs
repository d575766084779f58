//! A season at the scale of a busy server's years: 100,000 rounds of one map with 150 kills
//! each (15 million kills), 12 players a round out of 2,000 names, generated in SQL straight
//! into the tables an import fills (rounds, roster, names, season kills) and summed into the
//! daily and monthly season cells by the same SQL as an import's. Measures the season heatmap
//! (grid and density read the same base cells), with a date range, with a player filter, and
//! the round browser's page with a player filter. Set PROXVIZ_SEASON_ROUNDS to change the size.

use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use proxviz_data::season::SeasonFilter;
use proxviz_store::test_server::TestServer;
use proxviz_store::{RoundFilter, Store};

const GENERATE: &str = "
INSERT INTO player_names (name_clean) SELECT 'player' || lpad(n::text, 4, '0') FROM generate_series(1, 2000) n;
INSERT INTO rounds (base_name, session_date, start_time, map, round_number, metadata, load_report, source_files,
                    content_hash, duration_ms, player_count, kill_count)
SELECT 'gen-' || g, DATE '2024-01-01' + (g / 92), TIME '10:00' + (g % 92) * INTERVAL '8 minutes', 'supply', 1 + g % 2,
       '{}', '{\"missing\": [], \"skipped\": [], \"skipped_total\": 0, \"notes\": []}', '{}', 'gen', 600000, 12, 150
FROM generate_series(0, $ROUNDS - 1) g;
INSERT INTO round_players (round_id, clientnum, team, name, name_clean, name_id)
SELECT r.id, c, 1 + c % 2, n.name_clean, n.name_clean, n.id
FROM rounds r CROSS JOIN generate_series(0, 11) c
JOIN player_names n ON n.id = 1 + ((r.id * 7 + c * 131) % 2000);
-- Kills around a dozen hot spots, spread ±600 units.
INSERT INTO season_kills (round_id, killer, victim, killer_team, x, y)
SELECT r.id, k % 12, (k + 5) % 12, 1 + (k % 12) % 2,
       ((k * 37) % 12 - 6) * 500 + (random() - 0.5) * 1200,
       ((k * 53) % 12 - 6) * 400 + (random() - 0.5) * 1200
FROM rounds r CROSS JOIN generate_series(0, 149) k;
INSERT INTO season_cells (map, session_date, round_number, killer_team, cx, cy, kills)
SELECT r.map, r.session_date, r.round_number, COALESCE(k.killer_team, 0), floor(k.x / 64)::int, floor(k.y / 64)::int, count(*)
FROM season_kills k JOIN rounds r ON r.id = k.round_id GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO season_months (map, month, round_number, killer_team, cx, cy, kills)
SELECT map, date_trunc('month', session_date)::date, round_number, killer_team, cx, cy, sum(kills)
FROM season_cells GROUP BY 1, 2, 3, 4, 5, 6;
";

fn bench(c: &mut Criterion) {
    let rounds: u64 = std::env::var("PROXVIZ_SEASON_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let url = rt.block_on(TestServer::durable().fresh_database("season")).expect("database");
    let store = rt.block_on(Store::connect(&url)).expect("store");
    let started = Instant::now();
    rt.block_on(sqlx::raw_sql(&GENERATE.replace("$ROUNDS", &rounds.to_string())).execute(store.pool()))
        .expect("generates");
    rt.block_on(sqlx::query("VACUUM ANALYZE").execute(store.pool())).expect("vacuum");
    let count = |sql: &str| -> i64 { rt.block_on(sqlx::query_scalar(sql).fetch_one(store.pool())).expect("count") };
    eprintln!(
        "generated {rounds} rounds, {} kills, {} daily and {} monthly season cells in {:.0} s",
        count("SELECT count(*) FROM season_kills"),
        count("SELECT count(*) FROM season_cells"),
        count("SELECT count(*) FROM season_months"),
        started.elapsed().as_secs_f64()
    );
    for table in ["season_kills", "season_cells", "season_months", "round_players", "rounds"] {
        eprintln!("{table}: {:.0} MB", count(&format!("SELECT pg_total_relation_size('{table}')")) as f64 / 1e6);
    }

    let all = SeasonFilter { map: "supply".into(), ..SeasonFilter::default() };
    let ranged = SeasonFilter { from: "2024-03-15".parse().ok(), to: "2025-06-10".parse().ok(), ..all.clone() };
    let player = SeasonFilter { player: Some("player0042".into()), ..all.clone() };
    let season = rt.block_on(store.season(&all)).expect("season");
    eprintln!("season: {} rounds, {} kills, {} base cells", season.rounds, season.kills, season.cells.len());

    let mut group = c.benchmark_group(format!("season_{rounds}_rounds"));
    group.sample_size(10);
    group.bench_function("whole_season_base_cells", |b| b.iter(|| rt.block_on(store.season(&all)).expect("season")));
    group.bench_function("whole_season_grid_512", |b| {
        b.iter(|| rt.block_on(store.season(&all)).expect("season").grid(512))
    });
    group.bench_function("whole_season_density_768px", |b| {
        b.iter(|| {
            let season = rt.block_on(store.season(&all)).expect("season");
            let points: Vec<(glam::Vec2, f32)> =
                season.cells.iter().map(|c| (c.centre(), c.count(Default::default()) as f32)).collect();
            let (lo, hi) = season.bounds().expect("cells");
            let step = ((hi - lo).max_element() / 767.0).max(150.0 / 8.0);
            proxviz_data::heatmap::kde_weighted(&points, lo, hi, step, 150.0)
        })
    });
    group.bench_function("date_range_mid_month_to_mid_month", |b| {
        b.iter(|| rt.block_on(store.season(&ranged)).expect("season"))
    });
    group.bench_function("one_player", |b| b.iter(|| rt.block_on(store.season(&player)).expect("season")));
    let page = RoundFilter { player: Some("player0042".into()), ..RoundFilter::default() };
    group.bench_function("browser_page_player_filter", |b| {
        b.iter(|| rt.block_on(store.round_page(&page, 0, 50)).expect("page"))
    });
    group.bench_function("browser_page_unfiltered_deep", |b| {
        b.iter(|| rt.block_on(store.round_page(&RoundFilter::default(), 50_000, 50)).expect("page"))
    });
    group.bench_function("browser_page_broad_substring", |b| {
        // "player00" is part of 99 of the 2,000 names: thousands of rounds match.
        let broad = RoundFilter { player: Some("player00".into()), ..RoundFilter::default() };
        b.iter(|| rt.block_on(store.round_page(&broad, 0, 50)).expect("page"))
    });
    group.bench_function("browser_page_name_everyone_has", |b| {
        let all = RoundFilter { player: Some("player".into()), ..RoundFilter::default() };
        b.iter(|| rt.block_on(store.round_page(&all, 0, 50)).expect("page"))
    });
    group.bench_function("browser_page_rare_name", |b| {
        let rare = RoundFilter { player: Some("nobody".into()), ..RoundFilter::default() };
        b.iter(|| rt.block_on(store.round_page(&rare, 0, 50)).expect("page"))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
