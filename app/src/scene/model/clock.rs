//! The replay clock: where in the round the viewer is, whether it plays, how fast, and an
//! optional loop range. It changes only through [`ClockCommand`]s (keys, buttons and the scrub
//! bar send them; one place applies them), and through [`ReplayClock::advance`] as real time
//! passes.

/// Playback speeds the speed keys step through.
pub const SPEEDS: [f32; 6] = [0.25, 0.5, 1.0, 2.0, 4.0, 8.0];

/// An intent to change the clock.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ClockCommand {
    /// Play if paused, pause if playing (at the end, playing starts over).
    TogglePlayPause,
    /// Pause.
    Pause,
    /// Go to a time (clamped to the round).
    SetTime(u32),
    /// Move by a signed number of ms (clamped).
    Step(i64),
    /// Set the speed (clamped to the slowest and fastest of [`SPEEDS`]).
    SetSpeed(f32),
    /// The next faster speed of [`SPEEDS`].
    Faster,
    /// The next slower speed of [`SPEEDS`].
    Slower,
    /// Go to the end of the round.
    ToEnd,
    /// Loop from the cursor to the loop's end (the round's end when there is no loop).
    LoopIn,
    /// Loop from the loop's start (the round's start when there is no loop) to the cursor.
    LoopOut,
    /// Loop `start..=end` while playing; `None` stops looping.
    SetLoop(Option<(u32, u32)>),
}

/// The clock.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayClock {
    time_ms: f64,
    duration_ms: u32,
    playing: bool,
    speed: f32,
    loop_range: Option<(u32, u32)>,
}

impl ReplayClock {
    /// A paused clock at the start of a round `duration_ms` long, at 1×.
    pub fn new(duration_ms: u32) -> Self {
        Self { time_ms: 0.0, duration_ms, playing: false, speed: 1.0, loop_range: None }
    }

    /// Current time, ms since the round started.
    pub fn time_ms(&self) -> u32 {
        self.time_ms as u32
    }

    /// Round length.
    pub fn duration_ms(&self) -> u32 {
        self.duration_ms
    }

    /// The round grew (or shrank) to `duration_ms`, being played live: the cursor keeps its
    /// place, except that one at the old end ("now") moves to the new end.
    pub fn set_duration(&mut self, duration_ms: u32) {
        let at_now = self.time_ms >= f64::from(self.duration_ms);
        self.duration_ms = duration_ms;
        self.time_ms = if at_now { f64::from(duration_ms) } else { self.clamp(self.time_ms) };
    }

    /// Whether playing.
    pub fn is_playing(&self) -> bool {
        self.playing
    }

    /// Playback speed.
    pub fn speed(&self) -> f32 {
        self.speed
    }

    /// The loop range, if any.
    pub fn loop_range(&self) -> Option<(u32, u32)> {
        self.loop_range
    }

    fn clamp(&self, t: f64) -> f64 {
        t.clamp(0.0, f64::from(self.duration_ms))
    }

    /// Applies one command.
    pub fn apply(&mut self, command: ClockCommand) {
        match command {
            ClockCommand::TogglePlayPause if self.playing => self.playing = false,
            ClockCommand::TogglePlayPause => {
                if self.time_ms >= f64::from(self.duration_ms) {
                    self.time_ms = self.loop_range.map_or(0.0, |(start, _)| f64::from(start));
                }
                self.playing = self.duration_ms > 0;
            }
            ClockCommand::Pause => self.playing = false,
            ClockCommand::SetTime(t) => self.time_ms = self.clamp(f64::from(t)),
            ClockCommand::Step(delta) => self.time_ms = self.clamp(self.time_ms + delta as f64),
            ClockCommand::SetSpeed(s) => self.speed = s.clamp(SPEEDS[0], SPEEDS[SPEEDS.len() - 1]),
            ClockCommand::Faster => {
                self.speed = SPEEDS.iter().copied().find(|&s| s > self.speed).unwrap_or(SPEEDS[SPEEDS.len() - 1]);
            }
            ClockCommand::Slower => {
                self.speed = SPEEDS.iter().rev().copied().find(|&s| s < self.speed).unwrap_or(SPEEDS[0]);
            }
            ClockCommand::ToEnd => self.time_ms = f64::from(self.duration_ms),
            ClockCommand::LoopIn => {
                let (now, end) = (self.time_ms(), self.loop_range.map_or(self.duration_ms, |(_, e)| e));
                self.apply(ClockCommand::SetLoop(Some((now, end.max(now)))));
            }
            ClockCommand::LoopOut => {
                let (start, now) = (self.loop_range.map_or(0, |(s, _)| s), self.time_ms());
                self.apply(ClockCommand::SetLoop(Some((start.min(now), now))));
            }
            ClockCommand::SetLoop(range) => {
                self.loop_range = range.map(|(a, b)| (a.min(b).min(self.duration_ms), a.max(b).min(self.duration_ms)));
            }
        }
    }

    /// Lets `real_secs` of wall-clock time pass. Playing moves time by `real_secs × speed`; at
    /// the end of a loop range time wraps to its start, at the end of the round it stops there.
    /// Returns whether the time changed (so a paused viewer can stay idle).
    pub fn advance(&mut self, real_secs: f64) -> bool {
        if !self.playing || real_secs <= 0.0 {
            return false;
        }
        let before = self.time_ms;
        let mut t = self.time_ms + real_secs * 1000.0 * f64::from(self.speed);
        if let Some((start, end)) = self.loop_range
            && end > start
            && before <= f64::from(end)
            && t > f64::from(end)
        {
            let span = f64::from(end - start);
            t = f64::from(start) + (t - f64::from(end)).rem_euclid(span);
        }
        if t >= f64::from(self.duration_ms) {
            t = f64::from(self.duration_ms);
            self.playing = false;
        }
        self.time_ms = t;
        self.time_ms != before
    }
}

/// A time in ms as `mm:ss`.
pub fn mm_ss(time_ms: u32) -> String {
    let secs = time_ms / 1000;
    format!("{:02}:{:02}", secs / 60, secs % 60)
}

/// The first of the sorted `times` after `now`.
pub fn next_event(times: &[u32], now: u32) -> Option<u32> {
    times.get(times.partition_point(|&t| t <= now)).copied()
}

/// The last of the sorted `times` before `now`.
pub fn previous_event(times: &[u32], now: u32) -> Option<u32> {
    times.partition_point(|&t| t < now).checked_sub(1).map(|i| times[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn playing(duration_ms: u32) -> ReplayClock {
        let mut c = ReplayClock::new(duration_ms);
        c.apply(ClockCommand::TogglePlayPause);
        c
    }

    #[test]
    fn a_growing_round_keeps_the_cursor_and_now_stays_now() {
        let mut c = ReplayClock::new(60_000);
        c.apply(ClockCommand::SetTime(30_000));
        c.set_duration(90_000);
        assert_eq!((c.time_ms(), c.duration_ms()), (30_000, 90_000));
        c.apply(ClockCommand::ToEnd);
        c.set_duration(120_000);
        assert_eq!(c.time_ms(), 120_000, "at the end: follows the end");
        c.set_duration(50_000);
        assert_eq!(c.time_ms(), 50_000);
    }

    #[test]
    fn a_new_clock_is_paused_at_the_start_at_normal_speed() {
        let c = ReplayClock::new(60_000);
        assert_eq!((c.time_ms(), c.is_playing(), c.speed()), (0, false, 1.0));
    }

    #[test]
    fn playing_moves_time_by_real_time_times_speed() {
        let mut c = playing(60_000);
        assert!(c.advance(0.5));
        assert_eq!(c.time_ms(), 500);
        c.apply(ClockCommand::SetSpeed(4.0));
        c.advance(1.0);
        assert_eq!(c.time_ms(), 4500);
    }

    #[test]
    fn a_paused_clock_does_not_move_and_says_so() {
        let mut c = ReplayClock::new(60_000);
        assert!(!c.advance(1.0));
        assert_eq!(c.time_ms(), 0);
    }

    #[test]
    fn setting_and_stepping_time_stay_inside_the_round() {
        let mut c = ReplayClock::new(60_000);
        c.apply(ClockCommand::SetTime(90_000));
        assert_eq!(c.time_ms(), 60_000);
        c.apply(ClockCommand::Step(-10_000));
        assert_eq!(c.time_ms(), 50_000);
        c.apply(ClockCommand::Step(-100_000));
        assert_eq!(c.time_ms(), 0);
    }

    #[test]
    fn speed_keys_walk_the_ladder_and_stop_at_its_ends() {
        let mut c = ReplayClock::new(1000);
        c.apply(ClockCommand::Faster);
        assert_eq!(c.speed(), 2.0);
        for _ in 0..10 {
            c.apply(ClockCommand::Faster);
        }
        assert_eq!(c.speed(), 8.0);
        for _ in 0..10 {
            c.apply(ClockCommand::Slower);
        }
        assert_eq!(c.speed(), 0.25);
        c.apply(ClockCommand::SetSpeed(100.0));
        assert_eq!(c.speed(), 8.0);
    }

    #[test]
    fn reaching_the_end_pauses_there_and_play_starts_over() {
        let mut c = playing(1000);
        c.advance(5.0);
        assert_eq!((c.time_ms(), c.is_playing()), (1000, false));
        c.apply(ClockCommand::TogglePlayPause);
        assert_eq!((c.time_ms(), c.is_playing()), (0, true));
    }

    #[test]
    fn a_loop_range_wraps_back_to_its_start() {
        let mut c = playing(60_000);
        c.apply(ClockCommand::SetLoop(Some((12_000, 10_000))));
        assert_eq!(c.loop_range(), Some((10_000, 12_000)), "ends are put in order");
        c.apply(ClockCommand::SetTime(11_500));
        c.advance(1.0);
        assert_eq!(c.time_ms(), 10_500);
        assert!(c.is_playing());
    }

    #[test]
    fn loop_in_and_out_mark_the_cursor_keeping_the_other_end() {
        let mut c = ReplayClock::new(60_000);
        c.apply(ClockCommand::SetTime(10_000));
        c.apply(ClockCommand::LoopIn);
        assert_eq!(c.loop_range(), Some((10_000, 60_000)), "to the round's end");
        c.apply(ClockCommand::SetTime(12_000));
        c.apply(ClockCommand::LoopOut);
        assert_eq!(c.loop_range(), Some((10_000, 12_000)));
        c.apply(ClockCommand::SetTime(5_000));
        c.apply(ClockCommand::LoopOut);
        assert_eq!(c.loop_range(), Some((5_000, 5_000)), "an end before the start moves the start");
        c.apply(ClockCommand::ToEnd);
        assert_eq!(c.time_ms(), 60_000);
    }

    #[test]
    fn events_are_found_before_and_after_the_cursor() {
        let times = [1000, 5000, 5000, 9000];
        assert_eq!(next_event(&times, 5000), Some(9000));
        assert_eq!(next_event(&times, 0), Some(1000));
        assert_eq!(next_event(&times, 9000), None);
        assert_eq!(previous_event(&times, 5000), Some(1000));
        assert_eq!(previous_event(&times, 5001), Some(5000));
        assert_eq!(previous_event(&times, 1000), None);
    }
}
