//! The window sleeps when nothing moves: continuous updates while playing, loading, waiting for
//! the database or a season count, or running a script (screenshot, performance probe),
//! otherwise only on input.

use std::time::Duration;

use bevy::prelude::*;
use bevy::winit::{UpdateMode, WinitSettings};

use crate::scene::Frame;
use crate::scene::clock::Clock;
use crate::scene::library::Library;

/// Set while a screenshot or another job needs frames without user input.
#[derive(Resource, Default)]
pub struct KeepAwake(pub bool);

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<KeepAwake>().add_systems(Update, wake_policy.after(Frame::Clock));
}

fn wake_policy(
    clock: Res<Clock>,
    library: Res<Library>,
    awake: Res<KeepAwake>,
    settings: Option<ResMut<WinitSettings>>,
    (database, season): (Option<Res<super::database::Database>>, Option<Res<super::season::SeasonView>>),
) {
    let _probe = crate::scene::timing::scope();
    let Some(mut settings) = settings else { return };
    // Waiting for the database or a season count: frames until the answer is shown.
    let waiting = database.is_some_and(|d| d.busy()) || season.is_some_and(|s| s.computing());
    let busy = clock.is_playing() || library.busy() || awake.0 || waiting;
    // A live round (still being played) or a followed folder is looked at again every second
    // or few, also while the window is in the background (the user is playing on the server).
    let watch = library.watch_interval();
    let wait = watch.unwrap_or(Duration::from_secs(5));
    let mode = if busy { UpdateMode::Continuous } else { UpdateMode::reactive(wait) };
    if settings.focused_mode != mode {
        settings.focused_mode = mode;
    }
    let unfocused = match watch {
        Some(w) => UpdateMode::reactive_low_power(w),
        None => UpdateMode::reactive_low_power(Duration::from_secs(60)),
    };
    if settings.unfocused_mode != unfocused {
        settings.unfocused_mode = unfocused;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::clock::ClockMsg;
    use crate::scene::model::clock::{ClockCommand, ReplayClock};

    #[test]
    fn a_paused_replay_lets_the_window_sleep_and_playback_wakes_it() {
        let mut app = App::new();
        app.add_plugins(MinimalPlugins);
        crate::scene::frame::plugin(&mut app);
        crate::scene::library::plugin(&mut app);
        crate::scene::clock::plugin(&mut app);
        plugin(&mut app);
        app.insert_resource(Clock(ReplayClock::new(60_000))).insert_resource(WinitSettings::desktop_app());
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
}
