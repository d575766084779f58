//! The round the benchmarks share: 64 players, 30 minutes, a position every 500 ms.

use glam::Vec3;
use proxviz_data::{PlayerTrack, PositionSample, Round, RoundName, Team};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

pub const PLAYERS: u16 = 64;
pub const DURATION_MS: u32 = 30 * 60 * 1000;
pub const INTERVAL_MS: u32 = 500;

/// A round of players wandering a 8000-unit map with one-decimal coordinates, as the tracker
/// writes them.
pub fn big_round() -> Round {
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
