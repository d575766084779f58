//! The replay clock in the app: a resource changed only by [`ClockMsg`] messages (keys, buttons
//! and the scrub bar send them; `apply_clock_messages` applies them), advanced by real time
//! while playing. When nothing plays or loads the window goes idle.

use std::time::Duration;

use bevy::prelude::*;
use bevy::winit::{UpdateMode, WinitSettings};

use super::library::Library;
use crate::replay::clock::{ClockCommand, ReplayClock, next_event, previous_event};

/// The clock of the round being replayed.
#[derive(Resource, Deref, DerefMut)]
pub struct Clock(pub ReplayClock);

/// An intent to change the clock.
#[derive(Message, Debug, Clone, Copy, PartialEq)]
pub struct ClockMsg(pub ClockCommand);

/// Jump to the previous or next kill or engagement.
#[derive(Message, Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventJump {
    /// The last event before the cursor.
    Previous,
    /// The first event after the cursor.
    Next,
}

/// The systems that change the clock in a frame; what reads the time runs after them.
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClockUpdate;

/// Set while a screenshot or another job needs frames without user input.
#[derive(Resource, Default)]
pub struct KeepAwake(pub bool);

pub(super) fn plugin(app: &mut App) {
    app.insert_resource(Clock(ReplayClock::new(0)))
        .init_resource::<KeepAwake>()
        .add_message::<ClockMsg>()
        .add_message::<EventJump>()
        .add_systems(
            Update,
            (reset_on_new_round, keyboard_commands, jump_to_events, apply_clock_messages, advance_clock, wake_policy)
                .chain()
                .in_set(super::OurSystems)
                .in_set(ClockUpdate),
        );
}

fn reset_on_new_round(library: Res<Library>, mut clock: ResMut<Clock>) {
    if library.changed
        && let Some(entry) = library.current()
    {
        let speed = clock.speed();
        clock.0 = ReplayClock::new(entry.round().duration_ms());
        clock.apply(ClockCommand::SetSpeed(speed));
    }
}

/// Keys → commands (Space, arrows, Shift+arrows, `,` `.`, `[` `]`, Home, End, I/O/L loop).
pub fn keyboard_commands(
    keys: Res<ButtonInput<KeyCode>>,
    clock: Res<Clock>,
    mut out: MessageWriter<ClockMsg>,
    mut jumps: MessageWriter<EventJump>,
) {
    let _probe = super::perf::scope();
    let shift = keys.any_pressed([KeyCode::ShiftLeft, KeyCode::ShiftRight]);
    let step = if shift { 10_000 } else { 1_000 };
    let mut send = |c| {
        out.write(ClockMsg(c));
    };
    if keys.just_pressed(KeyCode::Space) {
        send(ClockCommand::TogglePlayPause);
    }
    if keys.just_pressed(KeyCode::ArrowLeft) {
        send(ClockCommand::Step(-step));
    }
    if keys.just_pressed(KeyCode::ArrowRight) {
        send(ClockCommand::Step(step));
    }
    if keys.just_pressed(KeyCode::BracketLeft) {
        send(ClockCommand::Slower);
    }
    if keys.just_pressed(KeyCode::BracketRight) {
        send(ClockCommand::Faster);
    }
    if keys.just_pressed(KeyCode::Home) {
        send(ClockCommand::SetTime(0));
    }
    if keys.just_pressed(KeyCode::End) {
        send(ClockCommand::SetTime(clock.duration_ms()));
    }
    // Loop range: I sets its start at the cursor, O its end, L clears it.
    let now = clock.time_ms();
    if keys.just_pressed(KeyCode::KeyI) {
        let end = clock.loop_range().map_or(clock.duration_ms(), |(_, e)| e);
        send(ClockCommand::SetLoop(Some((now, end.max(now)))));
    }
    if keys.just_pressed(KeyCode::KeyO) {
        let start = clock.loop_range().map_or(0, |(s, _)| s);
        send(ClockCommand::SetLoop(Some((start.min(now), now))));
    }
    if keys.just_pressed(KeyCode::KeyL) {
        send(ClockCommand::SetLoop(None));
    }
    if keys.just_pressed(KeyCode::Comma) {
        jumps.write(EventJump::Previous);
    }
    if keys.just_pressed(KeyCode::Period) {
        jumps.write(EventJump::Next);
    }
}

/// Kill and engagement times of the current round, sorted.
pub fn event_times(library: &Library) -> Vec<u32> {
    let Some(entry) = library.current() else { return Vec::new() };
    let tl = &entry.timeline;
    let mut times: Vec<u32> = tl.kills().iter().map(|k| k.time_ms).collect();
    times.extend((0..tl.round().engagements.len()).filter_map(|i| tl.engagement_at(i).map(|(t, _)| t)));
    times.sort_unstable();
    times.dedup();
    times
}

fn jump_to_events(
    mut jumps: MessageReader<EventJump>,
    library: Res<Library>,
    clock: Res<Clock>,
    mut out: MessageWriter<ClockMsg>,
) {
    let _probe = super::perf::scope();
    for jump in jumps.read() {
        let times = event_times(&library);
        let target = match jump {
            EventJump::Previous => previous_event(&times, clock.time_ms()),
            EventJump::Next => next_event(&times, clock.time_ms()),
        };
        if let Some(t) = target {
            out.write(ClockMsg(ClockCommand::SetTime(t)));
        }
    }
}

/// The one place the clock changes on command.
pub fn apply_clock_messages(mut msgs: MessageReader<ClockMsg>, mut clock: ResMut<Clock>) {
    for ClockMsg(c) in msgs.read() {
        clock.apply(*c);
    }
}

fn advance_clock(time: Res<Time>, mut clock: ResMut<Clock>) {
    if clock.is_playing() {
        clock.advance(time.delta_secs_f64());
    }
}

/// Continuous updates while playing or loading, otherwise only on input (no busy redraw).
fn wake_policy(
    clock: Res<Clock>,
    library: Res<Library>,
    awake: Res<KeepAwake>,
    settings: Option<ResMut<WinitSettings>>,
) {
    let _probe = super::perf::scope();
    let Some(mut settings) = settings else { return };
    let busy = clock.is_playing() || library.loading || awake.0;
    let mode = if busy { UpdateMode::Continuous } else { UpdateMode::reactive(Duration::from_secs(5)) };
    if settings.focused_mode != mode {
        settings.focused_mode = mode;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app() -> App {
        let mut app = App::new();
        app.add_plugins(MinimalPlugins).init_resource::<Library>().init_resource::<ButtonInput<KeyCode>>();
        plugin(&mut app);
        app.insert_resource(Clock(ReplayClock::new(60_000)));
        app
    }

    #[test]
    fn a_play_command_starts_the_clock() {
        let mut app = app();
        app.world_mut().write_message(ClockMsg(ClockCommand::TogglePlayPause));
        app.update();
        assert!(app.world().resource::<Clock>().is_playing());
    }

    #[test]
    fn space_toggles_play_and_shift_arrow_seeks_ten_seconds() {
        let mut app = app();
        app.world_mut().resource_mut::<ButtonInput<KeyCode>>().press(KeyCode::Space);
        app.update();
        assert!(app.world().resource::<Clock>().is_playing());
        {
            let mut keys = app.world_mut().resource_mut::<ButtonInput<KeyCode>>();
            keys.clear();
            keys.release(KeyCode::Space);
            keys.press(KeyCode::ShiftLeft);
            keys.press(KeyCode::ArrowRight);
        }
        let before = app.world().resource::<Clock>().time_ms();
        app.update();
        let after = app.world().resource::<Clock>().time_ms();
        assert!(after >= before + 10_000, "{before} -> {after}");
    }

    fn press(app: &mut App, key: KeyCode) {
        let mut keys = app.world_mut().resource_mut::<ButtonInput<KeyCode>>();
        keys.reset_all();
        keys.press(key);
    }

    #[test]
    fn i_and_o_mark_a_loop_that_playback_wraps_inside() {
        let mut app = app();
        app.world_mut().write_message(ClockMsg(ClockCommand::SetTime(10_000)));
        app.update();
        press(&mut app, KeyCode::KeyI);
        app.update();
        app.world_mut().write_message(ClockMsg(ClockCommand::SetTime(12_000)));
        app.update();
        press(&mut app, KeyCode::KeyO);
        app.update();
        assert_eq!(app.world().resource::<Clock>().loop_range(), Some((10_000, 12_000)));
        // Play for 3 simulated seconds: time wraps back into the range instead of running on.
        app.world_mut().resource_mut::<Clock>().apply(ClockCommand::TogglePlayPause);
        app.world_mut().resource_mut::<Clock>().advance(3.0);
        let t = app.world().resource::<Clock>().time_ms();
        assert!((10_000..=12_000).contains(&t), "{t}");
        press(&mut app, KeyCode::KeyL);
        app.update();
        assert_eq!(app.world().resource::<Clock>().loop_range(), None);
    }

    #[test]
    fn a_paused_replay_lets_the_window_sleep_and_playback_wakes_it() {
        let mut app = app();
        app.insert_resource(WinitSettings::desktop_app());
        app.update();
        let mode = app.world().resource::<WinitSettings>().focused_mode;
        assert!(matches!(mode, UpdateMode::Reactive { .. }), "{mode:?}");
        app.world_mut().write_message(ClockMsg(ClockCommand::TogglePlayPause));
        app.update();
        assert_eq!(app.world().resource::<WinitSettings>().focused_mode, UpdateMode::Continuous);
        app.world_mut().write_message(ClockMsg(ClockCommand::Pause));
        app.update();
        assert!(matches!(app.world().resource::<WinitSettings>().focused_mode, UpdateMode::Reactive { .. }));
    }

    #[test]
    fn seeking_past_the_end_stops_at_the_end() {
        let mut app = app();
        app.world_mut().write_message(ClockMsg(ClockCommand::SetTime(999_999)));
        app.update();
        assert_eq!(app.world().resource::<Clock>().time_ms(), 60_000);
    }
}
