//! Parse throughput of a 64-player, 30-minute, 2 Hz positions file (230,400 lines), reading and
//! summing up a 5-hour one from disk (2.3 million lines: what `proxviz stats` does), and seek
//! time of the timeline index (all 64 players at a random time).

mod common;

use std::hint::black_box;
use std::sync::Arc;

use common::{DURATION_MS, big_round};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use proxviz_data::parse::{RoundBytes, load_round};
use proxviz_data::{
    FileInput, FileKind, PositionSample, Round, RoundName, StatsConfig, Timeline, parse_round, statistics,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn parse_positions(bytes: &[u8]) -> Round {
    let mut files = [None; 4];
    files[FileKind::Positions.index()] = Some(FileInput { label: "positions", bytes });
    parse_round(RoundName::default(), files)
}

fn bench(c: &mut Criterion) {
    let text = proxviz_data::write::file_text(&big_round(), FileKind::Positions);
    let parsed = parse_positions(text.as_bytes());
    assert_eq!(parsed.position_count(), 230_400);
    assert!(parsed.report.skipped_total == 0 && parsed.report.notes.is_empty(), "{}", parsed.report);
    eprintln!("positions file: {} lines, {:.1} MB", text.lines().count(), text.len() as f64 / 1e6);

    let mut group = c.benchmark_group("parse");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.sample_size(30);
    group.bench_function("positions_64p_30min_2hz", |b| b.iter(|| parse_positions(black_box(text.as_bytes()))));
    group.finish();

    // The same round in the current public tracker's single-file format, beside the seed's files.
    let round = big_round();
    let v6 = proxviz_data::write::upstream_text(&round);
    let seed_files: Vec<String> = FileKind::ALL.iter().map(|&k| proxviz_data::write::file_text(&round, k)).collect();
    let seed_bytes: usize = seed_files.iter().map(String::len).sum();
    eprintln!("v6 file: {:.1} MB; four seed-format files: {:.1} MB", v6.len() as f64 / 1e6, seed_bytes as f64 / 1e6);
    let parse_v6 = |bytes: &[u8]| {
        let mut files = [None; 4];
        files[FileKind::Engagements.index()] = Some(FileInput { label: "v6", bytes });
        parse_round(RoundName::default(), files)
    };
    assert_eq!(parse_v6(v6.as_bytes()).position_count(), 230_400);
    let mut group = c.benchmark_group("parse_round");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(v6.len() as u64));
    group.bench_function("public_v6_64p_30min", |b| b.iter(|| parse_v6(black_box(v6.as_bytes()))));
    group.throughput(Throughput::Bytes(seed_bytes as u64));
    group.bench_function("seed_four_files_64p_30min", |b| {
        b.iter(|| {
            let files: [Option<FileInput<'_>>; 4] =
                std::array::from_fn(|i| Some(FileInput { label: "seed", bytes: seed_files[i].as_bytes() }));
            parse_round(RoundName::default(), black_box(files))
        })
    });
    group.finish();

    // Five hours: the round ten times over, one half-hour after the other, written to disk.
    let mut long = big_round();
    for track in &mut long.tracks {
        let half_hour = track.samples.clone();
        track.samples = (0..10u32)
            .flat_map(|k| half_hour.iter().map(move |s| PositionSample { time_ms: s.time_ms + k * DURATION_MS, ..*s }))
            .collect();
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("2025-12-20-120000-supply-round-1_positions.txt");
    let text = proxviz_data::write::file_text(&long, FileKind::Positions);
    std::fs::write(&path, &text).expect("write");
    eprintln!("5-hour positions file: {} lines, {:.1} MB", text.lines().count(), text.len() as f64 / 1e6);
    drop(text);
    let name = RoundName::parse("2025-12-20-120000-supply-round-1");
    let mut paths: [Option<&std::path::Path>; 4] = [None; 4];
    paths[FileKind::Positions.index()] = Some(path.as_path());
    let stats_of = |round: Round| {
        let cfg = StatsConfig::for_round(&round);
        statistics(&Timeline::new(Arc::new(round)), &cfg)
    };
    assert_eq!(stats_of(load_round(name.clone(), &paths)).total_positions, 2_304_000);
    let mut group = c.benchmark_group("stats_5h");
    group.sample_size(10);
    group.bench_function("read_in_parts_parse_and_sum_up_64p_5h", |b| {
        b.iter(|| stats_of(load_round(black_box(name.clone()), &paths)))
    });
    group.bench_function("read_whole_then_parse_and_sum_up_64p_5h", |b| {
        b.iter(|| stats_of(RoundBytes::read(&paths).parse(black_box(name.clone()))))
    });
    group.finish();

    let timeline = Timeline::new(Arc::new(parsed));
    let mut rng = StdRng::seed_from_u64(1);
    let mut group = c.benchmark_group("timeline");
    group.bench_function("seek_all_64_players", |b| {
        b.iter(|| {
            let t = rng.random_range(0..DURATION_MS);
            black_box(timeline.states_at(black_box(t)))
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
