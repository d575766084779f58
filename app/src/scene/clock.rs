//! The replay clock in the app: a resource changed only by [`ClockMsg`] messages (keys, buttons,
//! the scrub bar and the export's script send them; `apply_clock_messages` applies them), reset
//! when another round is replayed and advanced by real time while playing.

use bevy::prelude::*;

use super::frame::Frame;
use super::library::{Library, RoundChanged, RoundGrown};
use super::model::clock::{ClockCommand, ReplayClock, next_event, previous_event};

/// The clock of the round being replayed.
#[derive(Resource, Deref, DerefMut)]
pub struct Clock(pub ReplayClock);

/// An intent to change the clock.
#[derive(Message, Debug, Clone, Copy, PartialEq)]
pub struct ClockMsg(pub ClockCommand);

/// Jump to the previous or next kill, engagement, revive or objective event; while a player is
/// followed, to their previous or next kill or death.
#[derive(Message, Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventJump {
    /// The last event before the cursor.
    Previous,
    /// The first event after the cursor.
    Next,
}

pub(crate) fn plugin(app: &mut App) {
    app.insert_resource(Clock(ReplayClock::new(0))).add_message::<ClockMsg>().add_message::<EventJump>().add_systems(
        Update,
        (reset_on_new_round, follow_growth, jump_to_events, apply_clock_messages, advance_clock)
            .chain()
            .in_set(Frame::Clock),
    );
}

/// A new round starts paused where its first player appears (not on an empty map), at the
/// speed the user chose.
fn reset_on_new_round(mut changed: MessageReader<RoundChanged>, library: Res<Library>, mut clock: ResMut<Clock>) {
    if changed.read().count() == 0 {
        return;
    }
    if let Some(entry) = library.current() {
        let speed = clock.speed();
        clock.0 = ReplayClock::new(entry.round().duration_ms());
        clock.apply(ClockCommand::SetSpeed(speed));
        clock.apply(ClockCommand::SetTime(entry.timeline.first_sample_ms().unwrap_or(0)));
    }
}

/// A live round grew: the timeline is longer, the cursor stays (at "now" when it was there).
fn follow_growth(mut grown: MessageReader<RoundGrown>, library: Res<Library>, mut clock: ResMut<Clock>) {
    if grown.read().count() == 0 {
        return;
    }
    if let Some(entry) = library.current() {
        clock.0.set_duration(entry.round().duration_ms());
    }
}

fn jump_to_events(
    mut jumps: MessageReader<EventJump>,
    library: Res<Library>,
    clock: Res<Clock>,
    view: Option<Res<super::view::ViewSettings>>,
    mut out: MessageWriter<ClockMsg>,
) {
    let _probe = super::timing::scope();
    for jump in jumps.read() {
        let Some(entry) = library.current() else { continue };
        let followed: Vec<u32>;
        let times = match view.as_ref().and_then(|v| v.follow) {
            Some(cn) => {
                followed = player_kill_times(&entry.timeline, cn);
                &followed
            }
            None => entry.timeline.event_times(),
        };
        let target = match jump {
            EventJump::Previous => previous_event(times, clock.time_ms()),
            EventJump::Next => next_event(times, clock.time_ms()),
        };
        if let Some(t) = target {
            out.write(ClockMsg(ClockCommand::SetTime(t)));
        }
    }
}

/// The times `clientnum` killed or died, in order.
pub fn player_kill_times(timeline: &proxviz_data::Timeline, clientnum: u16) -> Vec<u32> {
    let mut times: Vec<u32> =
        timeline.kills().iter().filter(|k| k.killer == clientnum || k.victim == clientnum).map(|k| k.time_ms).collect();
    times.dedup();
    times
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::library::SelectRound;

    fn app() -> App {
        let mut app = crate::scene::library::demo_app();
        super::super::frame::plugin(&mut app);
        app.add_message::<SelectRound>().add_message::<RoundChanged>().add_message::<RoundGrown>();
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
    fn seeking_past_the_end_stops_at_the_end() {
        let mut app = app();
        app.world_mut().write_message(ClockMsg(ClockCommand::SetTime(999_999)));
        app.update();
        assert_eq!(app.world().resource::<Clock>().time_ms(), 60_000);
    }

    #[test]
    fn next_and_previous_event_jump_to_the_rounds_kills_and_engagements() {
        let mut app = app();
        let times = app.world().resource::<Library>().current().expect("round").timeline.event_times().to_vec();
        assert!(times.len() > 3);
        app.world_mut().write_message(ClockMsg(ClockCommand::SetTime(times[1])));
        app.update();
        app.world_mut().write_message(EventJump::Next);
        app.update();
        assert_eq!(app.world().resource::<Clock>().time_ms(), times[2]);
        app.world_mut().write_message(EventJump::Previous);
        app.world_mut().write_message(EventJump::Previous);
        app.update();
        // Both jumps read the clock as the frame began: one step back, not two.
        assert_eq!(app.world().resource::<Clock>().time_ms(), times[1]);
    }

    #[test]
    fn with_a_player_followed_the_jumps_go_to_their_kills_and_deaths() {
        let mut app = app();
        let timeline = app.world().resource::<Library>().current().expect("round").timeline.clone();
        let cn = timeline.kills().iter().find(|k| k.by_player()).expect("a kill").killer;
        let mine = player_kill_times(&timeline, cn);
        assert!(mine.len() >= 3, "{mine:?}");
        assert!(mine.len() < timeline.event_times().len(), "fewer than the round's events");
        app.insert_resource(super::super::view::ViewSettings { follow: Some(cn), ..Default::default() });
        app.world_mut().write_message(ClockMsg(ClockCommand::SetTime(mine[0])));
        app.update();
        app.world_mut().write_message(EventJump::Next);
        app.update();
        assert_eq!(app.world().resource::<Clock>().time_ms(), mine[1]);
        app.world_mut().write_message(EventJump::Next);
        app.update();
        app.world_mut().write_message(EventJump::Previous);
        app.update();
        assert_eq!(app.world().resource::<Clock>().time_ms(), mine[1]);
        for t in &mine {
            let k = timeline.kills().iter().find(|k| k.time_ms == *t).expect("kill at the time");
            assert!(timeline.kills().iter().any(|k2| k2.time_ms == k.time_ms && (k2.killer == cn || k2.victim == cn)));
        }
    }

    #[test]
    fn a_new_round_opens_paused_where_its_first_player_appears_at_the_same_speed() {
        let mut app = app();
        app.world_mut().write_message(ClockMsg(ClockCommand::SetTime(30_000)));
        app.world_mut().write_message(ClockMsg(ClockCommand::SetSpeed(4.0)));
        app.world_mut().write_message(ClockMsg(ClockCommand::TogglePlayPause));
        app.update();
        let key = app.world().resource::<Library>().current().expect("round").key;
        app.world_mut().write_message(RoundChanged(key));
        app.update();
        let clock = app.world().resource::<Clock>();
        let entry = app.world().resource::<Library>().current().expect("round");
        let first = entry.timeline.first_sample_ms().expect("positions");
        assert!(first > 0, "the demo's players spawn after the round starts");
        assert_eq!((clock.time_ms(), clock.is_playing(), clock.speed()), (first, false, 4.0));
        assert_eq!(clock.duration_ms(), entry.round().duration_ms());
    }
}
