//! A picture of the scene as data: the size, layers, filters, time and area of an image, as the
//! window's Export sends it to `proxviz export` and as every exported PNG records it.

use glam::Vec2;
use serde::{Deserialize, Serialize};

use super::model::backdrop::BackdropSettings;
use super::model::heat::HeatSettings;

/// How an image is made. Recorded in the PNG.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExportSettings {
    /// Pixels along the longer side.
    pub size: u32,
    /// Heatmap, engagement markers and paths.
    pub heat: HeatSettings,
    /// The map under it all.
    pub backdrop: BackdropSettings,
    /// Players at `time_ms` (markers, view direction, trails, death marks).
    pub players: bool,
    /// Player names next to their markers.
    pub names: bool,
    /// Trail length when players are drawn.
    pub trail_secs: f32,
    /// Replay time for cursor-relative filters and players; `None`: the end of the round.
    pub time_ms: Option<u32>,
    /// World rectangle `[min_x, min_y, max_x, max_y]`; `None`: the whole round.
    pub view: Option<[f32; 4]>,
    /// Transparent background (the title and legend keep their backing).
    pub transparent: bool,
    /// Title (map, round, date, filters).
    pub title: bool,
    /// Legend (scale, engagement types).
    pub legend: bool,
    /// Draw the season of the round's map with these filters instead of the round's kills.
    pub season: Option<proxviz_data::season::SeasonFilter>,
    /// An animated clip of a time range instead of one picture.
    pub clip: Option<Clip>,
    /// How the compared round (stopwatch) is drawn, when there is one.
    pub compare: Option<super::compare::CompareSettings>,
}

/// A time range of the replay as an animated clip: frames `fps` a second of output, the replay
/// moving `speed` times real time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Clip {
    /// Replay time of the first frame.
    pub from_ms: u32,
    /// Replay time of the last frame (inclusive).
    pub to_ms: u32,
    /// Frames per second of the clip.
    pub fps: u32,
    /// Replay seconds per clip second.
    pub speed: f32,
}

/// Frames per second a clip may have (GIF viewers slow down anything faster than 50).
pub const CLIP_FPS: std::ops::RangeInclusive<u32> = 1..=30;
/// Replay speeds a clip may have.
pub const CLIP_SPEED: std::ops::RangeInclusive<f32> = 0.125..=32.0;
/// Most frames a clip has (ten minutes at 10 fps): longer ranges are cut there, with a note.
pub const MAX_CLIP_FRAMES: usize = 6_000;

impl Clip {
    /// The replay time of every frame, for a round of `duration_ms`: `from`, then a step of
    /// `1000 × speed / fps` ms, up to `to` (clamped to the round), at most [`MAX_CLIP_FRAMES`].
    pub fn frame_times(&self, duration_ms: u32) -> Vec<u32> {
        let from = self.from_ms.min(duration_ms);
        let to = self.to_ms.clamp(from, duration_ms);
        let step = 1000.0 * f64::from(self.speed.clamp(*CLIP_SPEED.start(), *CLIP_SPEED.end()))
            / f64::from(self.fps.clamp(*CLIP_FPS.start(), *CLIP_FPS.end()));
        (0..MAX_CLIP_FRAMES)
            .map(|i| f64::from(from) + i as f64 * step)
            .take_while(|&t| t <= f64::from(to) + 0.5)
            .map(|t| t.round() as u32)
            .collect()
    }

    /// How long each frame shows, in GIF's hundredths of a second: `100 / fps` with the
    /// remainders carried, so that `n` frames last `n / fps` seconds.
    pub fn delays_cs(&self, frames: usize) -> Vec<u16> {
        let fps = u64::from(self.fps.clamp(*CLIP_FPS.start(), *CLIP_FPS.end()));
        (0..frames as u64).map(|i| (((i + 1) * 100 / fps) - (i * 100 / fps)) as u16).collect()
    }
}

impl Default for ExportSettings {
    fn default() -> Self {
        Self {
            size: 2048,
            heat: HeatSettings {
                show: true,
                engagements: true,
                engagements_whole_round: true,
                paths: true,
                ..HeatSettings::default()
            },
            backdrop: BackdropSettings::default(),
            players: false,
            names: true,
            trail_secs: 10.0,
            time_ms: None,
            view: None,
            transparent: false,
            title: true,
            legend: true,
            season: None,
            clip: None,
            compare: None,
        }
    }
}

/// Export sizes the window offers.
pub const SIZES: [u32; 5] = [1024, 2048, 4096, 6144, 8192];

/// Smallest and largest size accepted.
pub const SIZE_RANGE: std::ops::RangeInclusive<u32> = 256..=8192;

/// The pixel size of an export of the world rectangle `min..max` whose longer side is `size`.
pub fn image_size(min: Vec2, max: Vec2, size: u32) -> (u32, u32) {
    let extent = (max - min).max(Vec2::splat(1.0));
    let size = size.clamp(*SIZE_RANGE.start(), *SIZE_RANGE.end()) as f32;
    if extent.x >= extent.y {
        (size as u32, ((size * extent.y / extent.x).round() as u32).max(64))
    } else {
        (((size * extent.x / extent.y).round() as u32).max(64), size as u32)
    }
}

/// "supply · round 1 · 2025-12-20 20:00".
pub fn title_of(round: &proxviz_data::Round) -> String {
    let mut parts = vec![round.map().unwrap_or("unknown map").to_owned()];
    if let Some(n) = round.round_number() {
        parts.push(format!("round {n}"));
    }
    if let Some(d) = round.name.date {
        let time = round.name.start_time.map(|t| t.format(" %H:%M").to_string()).unwrap_or_default();
        parts.push(format!("{d}{time}"));
    }
    parts.join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longer_side_gets_the_size_and_the_other_keeps_the_aspect() {
        assert_eq!(image_size(Vec2::ZERO, Vec2::new(4000.0, 2000.0), 2048), (2048, 1024));
        assert_eq!(image_size(Vec2::ZERO, Vec2::new(1000.0, 3000.0), 3000), (1000, 3000));
        assert_eq!(image_size(Vec2::ZERO, Vec2::new(10.0, 10.0), 99_999), (8192, 8192));
    }

    #[test]
    fn a_clip_has_a_frame_per_step_of_speed_over_fps_inside_the_round() {
        let clip = Clip { from_ms: 10_000, to_ms: 70_000, fps: 10, speed: 2.0 };
        let times = clip.frame_times(600_000);
        // 60 s of replay at twice real time: 30 s of clip, 10 frames a second, both ends.
        assert_eq!(times.len(), 301);
        assert_eq!((times[0], times[1], times[300]), (10_000, 10_200, 70_000));
        // Past the round's end: cut at the end.
        assert_eq!(clip.frame_times(20_000).last(), Some(&20_000));
        assert_eq!(Clip { from_ms: 50_000, ..clip }.frame_times(20_000), vec![20_000]);
        // A huge range is cut at the cap.
        let long = Clip { from_ms: 0, to_ms: u32::MAX, fps: 30, speed: 0.125 };
        assert_eq!(long.frame_times(u32::MAX).len(), MAX_CLIP_FRAMES);
    }

    #[test]
    fn clip_delays_add_up_to_the_clip_length() {
        let clip = Clip { from_ms: 0, to_ms: 1000, fps: 30, speed: 1.0 };
        let delays = clip.delays_cs(30);
        assert_eq!(delays.iter().map(|&d| u32::from(d)).sum::<u32>(), 100);
        assert!(delays.iter().all(|&d| d == 3 || d == 4));
        assert_eq!(Clip { fps: 10, ..clip }.delays_cs(5), vec![10; 5]);
    }
}
