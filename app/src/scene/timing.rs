//! Time spent in proxviz's own systems, for the window's performance probe: every system body
//! opens a [`scope`], which adds its wall-clock and thread CPU time to process-wide totals when
//! it ends. A leaf module, so the scene and the window both use it without importing each other.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Nanoseconds spent in our systems since the probe last looked: wall clock, and CPU time of
/// the thread running them (wall clock also counts waiting for a core the renderer holds).
static OURS_NS: AtomicU64 = AtomicU64::new(0);
static OURS_CPU_NS: AtomicU64 = AtomicU64::new(0);

/// CPU time per system (by where its scope opened), for the report's breakdown.
static BY_SYSTEM: Mutex<Vec<(&'static std::panic::Location<'static>, u64)>> = Mutex::new(Vec::new());

/// Adds the time until it is dropped to our systems' totals.
pub struct Scope(Instant, Option<cpu_time::ThreadTime>, &'static std::panic::Location<'static>);

/// Starts timing a system body.
#[track_caller]
pub fn scope() -> Scope {
    Scope(Instant::now(), cpu_time::ThreadTime::try_now().ok(), std::panic::Location::caller())
}

impl Drop for Scope {
    fn drop(&mut self) {
        OURS_NS.fetch_add(self.0.elapsed().as_nanos() as u64, Ordering::Relaxed);
        if let Some(cpu) = &self.1 {
            let ns = cpu.elapsed().as_nanos() as u64;
            OURS_CPU_NS.fetch_add(ns, Ordering::Relaxed);
            if let Ok(mut by) = BY_SYSTEM.lock() {
                match by.iter_mut().find(|(l, _)| *l == self.2) {
                    Some((_, total)) => *total += ns,
                    None => by.push((self.2, ns)),
                }
            }
        }
    }
}

/// Wall-clock and CPU milliseconds spent in our systems since the last call.
pub fn take_ms() -> (f64, f64) {
    let wall = OURS_NS.swap(0, Ordering::Relaxed) as f64 / 1e6;
    let cpu = OURS_CPU_NS.swap(0, Ordering::Relaxed) as f64 / 1e6;
    (wall, cpu)
}

/// CPU nanoseconds per system since start-up, as (`file:line`, ns), most first.
pub fn by_system() -> Vec<(String, u64)> {
    let Ok(by) = BY_SYSTEM.lock() else { return Vec::new() };
    let mut rows: Vec<(String, u64)> = by.iter().map(|(l, ns)| (format!("{}:{}", l.file(), l.line()), *ns)).collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    rows
}
