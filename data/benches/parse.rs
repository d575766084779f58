//! Parse throughput of a 64-player, 30-minute, 2 Hz positions file (230,400 lines) and seek time
//! of the timeline index (all 64 players at a random time).

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use glam::Vec3;
use proxviz_data::{FileInput, FileKind, PlayerTrack, PositionSample, Round, RoundName, Team, Timeline, parse_round};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const PLAYERS: u16 = 64;
const DURATION_MS: u32 = 30 * 60 * 1000;
const INTERVAL_MS: u32 = 500;

/// A round of players wandering a 8000-unit map with one-decimal coordinates, as the tracker
/// writes them.
fn big_round() -> Round {
    let mut rng = StdRng::seed_from_u64(7);
    let tracks = (0..PLAYERS)
        .map(|cn| {
            let mut pos = Vec3::new(rng.random_range(-4000.0..4000.0), rng.random_range(-4000.0..4000.0), 64.0);
            let samples = (0..DURATION_MS / INTERVAL_MS)
                .map(|i| {
                    let yaw: f32 = rng.random_range(-180.0..180.0);
                    let speed: f32 = if rng.random_bool(0.8) { rng.random_range(100.0..320.0) } else { 0.0 };
                    pos += Vec3::new(yaw.to_radians().cos(), yaw.to_radians().sin(), 0.0) * speed * 0.5;
                    let round1 = |v: f32| (v * 10.0).round() / 10.0;
                    PositionSample {
                        time_ms: i * INTERVAL_MS,
                        pos: Vec3::new(round1(pos.x), round1(pos.y), round1(pos.z)),
                        yaw_deg: round1(yaw),
                        pitch_deg: round1(rng.random_range(-30.0..30.0)),
                        speed_ups: round1(speed),
                        health: Some(rng.random_range(1..=140)),
                        team: Some(if cn % 2 == 0 { Team::Axis } else { Team::Allies }),
                        moving: speed > 5.0,
                    }
                })
                .collect();
            PlayerTrack { clientnum: cn, samples }
        })
        .collect();
    Round { name: RoundName::parse("2025-12-20-120000-supply-round-1"), tracks, ..Round::default() }
}

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
