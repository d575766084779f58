//! A season's folder: 2,000 rounds (hard links of the four demo rounds under 500 evenings'
//! names, like a server's `gamestats/` after months) listed with their summaries, cold (every
//! round read, on every core) and warm (all from the round index). `PROXVIZ_FOLDER_ROUNDS`
//! changes the count.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use criterion::{Criterion, criterion_group, criterion_main};
use proxviz_data::discover_rounds;
use proxviz_data::index::{IndexCache, cores, index_rounds};

fn season_folder(dir: &Path, rounds: usize) {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/demo");
    let found = discover_rounds(&demo).expect("demo rounds");
    let start = chrono::NaiveDate::from_ymd_opt(2025, 6, 1).expect("date").and_hms_opt(18, 0, 0).expect("time");
    for n in 0..rounds {
        let files = &found[n % found.len()];
        let at = start + chrono::Duration::minutes(37 * n as i64);
        let map = files.name.map.as_deref().unwrap_or("unknown");
        let base = format!("{}-{map}-round-{}", at.format("%Y-%m-%d-%H%M%S"), files.name.round_in_name.unwrap_or(1));
        for path in files.paths.iter().flatten() {
            let name = path.file_name().expect("name").to_string_lossy();
            let suffix = &name[files.name.base.len()..];
            std::fs::hard_link(path, dir.join(format!("{base}{suffix}"))).expect("link");
        }
    }
}

fn benches(c: &mut Criterion) {
    let count: usize = std::env::var("PROXVIZ_FOLDER_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(2000);
    let dir = tempfile::tempdir().expect("tempdir");
    season_folder(dir.path(), count);
    let cache = tempfile::tempdir().expect("cache");
    let stop = AtomicBool::new(false);
    let list = |cache_dir: Option<&Path>| {
        let rounds = discover_rounds(dir.path()).expect("rounds");
        let mut index = IndexCache::open(cache_dir, dir.path());
        let mut kills = 0u64;
        index_rounds(&rounds, &mut index, cores(), &stop, |_, s| kills += u64::from(s.kills));
        index.save(dir.path());
        (rounds.len(), kills)
    };
    let mut group = c.benchmark_group("folder");
    group.sample_size(10);
    group.bench_function(format!("list_{count}_rounds_cold"), |b| b.iter(|| list(None)));
    list(Some(cache.path()));
    group.bench_function(format!("list_{count}_rounds_warm"), |b| b.iter(|| list(Some(cache.path()))));
    group.finish();
}

criterion_group!(main_benches, benches);
criterion_main!(main_benches);
