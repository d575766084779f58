//! A performance probe for the benchmarks (`--perf-frames N --perf-out FILE`): time from the
//! process start to the first frame with the rounds listed and to the first frame with the
//! round drawn, then N frames of playback at 1× from
//! 1:00 — each frame's time and the time the bodies of our own systems took in it (each opens a
//! [`timing::scope`]) — and the resident memory,
//! written as JSON before quitting. With `--perf-empty` the same window size runs with nothing
//! in it, the baseline that frame times are compared with.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Instant;

use bevy::prelude::*;

use super::idle::KeepAwake;
use crate::scene::clock::{Clock, ClockMsg};
use crate::scene::library::Library;
use crate::scene::markers::PlayerMarker;
use crate::scene::model::clock::ClockCommand;
use crate::scene::timing;

static PROCESS_START: OnceLock<Instant> = OnceLock::new();

/// Notes when the process started (call first thing in `main`).
pub fn mark_process_start() {
    let _ = PROCESS_START.get_or_init(Instant::now);
}

fn since_start_ms() -> f64 {
    PROCESS_START.get_or_init(Instant::now).elapsed().as_secs_f64() * 1000.0
}

/// What the probe does.
#[derive(Debug, Clone)]
pub struct PerfOptions {
    /// Frames to time after the warm-up.
    pub frames: u32,
    /// Where the JSON goes.
    pub out: PathBuf,
    /// A window with nothing in it (the baseline).
    pub empty: bool,
}

#[derive(Resource)]
struct Probe {
    options: PerfOptions,
    list_ms: Option<f64>,
    first_frame_ms: Option<f64>,
    seeked: bool,
    warm_up: u32,
    frame_ms: Vec<f64>,
    ours_ms: Vec<f64>,
    ours_cpu_ms: Vec<f64>,
    last_frame: Option<Instant>,
}

const WARM_UP_FRAMES: u32 = 20;

pub(super) fn plugin(app: &mut App, options: PerfOptions) {
    app.insert_resource(Probe {
        options,
        list_ms: None,
        first_frame_ms: None,
        seeked: false,
        warm_up: 0,
        frame_ms: Vec::new(),
        ours_ms: Vec::new(),
        ours_cpu_ms: Vec::new(),
        last_frame: None,
    })
    // The empty window has no clock; its probe still sends (unread) clock messages.
    .add_message::<ClockMsg>()
    .add_systems(Last, frame_end);
}

#[allow(clippy::too_many_arguments)]
fn frame_end(
    mut probe: ResMut<Probe>,
    library: Option<Res<Library>>,
    markers: Query<(), With<PlayerMarker>>,
    awake: Option<ResMut<KeepAwake>>,
    mut clock_out: MessageWriter<ClockMsg>,
    clock: Option<Res<Clock>>,
    mut exit: MessageWriter<AppExit>,
) {
    if let Some(mut awake) = awake {
        awake.0 = true;
    }
    let now = Instant::now();
    let (ours, ours_cpu) = timing::take_ms();
    // The round opens at 0:00, before anyone has spawned: go to 1:00 as soon as it is there,
    // and count the first frame that shows its players.
    if probe.list_ms.is_none() && library.as_ref().is_some_and(|l| !l.listings.is_empty()) {
        probe.list_ms = Some(since_start_ms());
    }
    let opened = library.as_ref().is_some_and(|l| l.current().is_some());
    if opened && !probe.seeked && clock.is_some() {
        clock_out.write(ClockMsg(ClockCommand::SetTime(60_000)));
        probe.seeked = true;
    }
    let drawn = probe.options.empty || (opened && probe.seeked && !markers.is_empty());
    if probe.first_frame_ms.is_none() {
        if drawn {
            probe.first_frame_ms = Some(since_start_ms());
            if clock.is_some() {
                clock_out.write(ClockMsg(ClockCommand::SetSpeed(1.0)));
                clock_out.write(ClockMsg(ClockCommand::TogglePlayPause));
            }
        }
        probe.last_frame = Some(now);
        return;
    }
    let frame = probe.last_frame.map_or(0.0, |t| (now - t).as_secs_f64() * 1000.0);
    probe.last_frame = Some(now);
    if probe.warm_up < WARM_UP_FRAMES {
        probe.warm_up += 1;
        return;
    }
    probe.frame_ms.push(frame);
    probe.ours_ms.push(ours);
    probe.ours_cpu_ms.push(ours_cpu);
    if probe.frame_ms.len() as u32 >= probe.options.frames {
        let report = report(&probe);
        if let Err(e) = std::fs::write(&probe.options.out, report.to_string()) {
            error!("{}: {e}", probe.options.out.display());
        }
        exit.write(AppExit::Success);
    }
}

fn mean(v: &[f64]) -> f64 {
    if v.is_empty() { 0.0 } else { v.iter().sum::<f64>() / v.len() as f64 }
}

fn percentile(v: &[f64], p: f64) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    s.get(((s.len() as f64 - 1.0) * p).round() as usize).copied().unwrap_or(0.0)
}

fn report(probe: &Probe) -> serde_json::Value {
    serde_json::json!({
        "empty": probe.options.empty,
        "list_ms": probe.list_ms,
        "first_frame_ms": probe.first_frame_ms,
        "frames": probe.frame_ms.len(),
        "frame_ms_mean": mean(&probe.frame_ms),
        "frame_ms_p95": percentile(&probe.frame_ms, 0.95),
        "ours_ms_mean": mean(&probe.ours_ms),
        "ours_ms_p95": percentile(&probe.ours_ms, 0.95),
        "ours_cpu_ms_mean": mean(&probe.ours_cpu_ms),
        "ours_cpu_ms_p95": percentile(&probe.ours_cpu_ms, 0.95),
        "rss_mb": rss_mb(),
        "cpu_ms_per_frame_by_system": by_system(probe.frame_ms.len() + WARM_UP_FRAMES as usize),
    })
}

/// Mean CPU ms per frame of each system (since start-up, so including the warm-up frames).
fn by_system(frames: usize) -> serde_json::Value {
    serde_json::Value::Object(
        timing::by_system()
            .into_iter()
            .map(|(at, ns)| {
                let ms = ns as f64 / 1e6 / frames.max(1) as f64;
                (at, serde_json::json!((ms * 1000.0).round() / 1000.0))
            })
            .collect(),
    )
}

/// Resident memory in MB, where the platform tells it cheaply.
fn rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}
