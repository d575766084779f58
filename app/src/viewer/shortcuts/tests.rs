//! Every shortcut of the table does what the Help window says, and none fires while egui has
//! the keyboard.

use bevy_egui::egui;

use super::*;
use crate::scene::clock::Clock;
use crate::scene::library::{Collected, Library, collect, demo_app};
use crate::scene::model::clock::{ReplayClock, next_event, previous_event};

const NOW_MS: u32 = 60_000;

fn app() -> App {
    let mut app = demo_app();
    app.init_resource::<ButtonInput<KeyCode>>()
        .init_resource::<ViewSettings>()
        .init_resource::<Windows>()
        .init_resource::<UiFocus>()
        .add_message::<FitView>()
        .add_message::<OpenRequest>();
    crate::scene::frame::plugin(&mut app);
    crate::scene::library::plugin(&mut app);
    crate::scene::clock::plugin(&mut app);
    plugin(&mut app);
    collect::<FitView>(&mut app);
    collect::<OpenRequest>(&mut app);
    let duration = app.world().resource::<Library>().current().expect("round").round().duration_ms();
    let mut clock = ReplayClock::new(duration);
    clock.apply(ClockCommand::SetTime(NOW_MS));
    app.insert_resource(Clock(clock));
    app
}

fn press(app: &mut App, chord: Chord) {
    let mut keys = app.world_mut().resource_mut::<ButtonInput<KeyCode>>();
    keys.reset_all();
    if chord.shift {
        keys.press(KeyCode::ShiftLeft);
    }
    if chord.ctrl {
        keys.press(KeyCode::ControlLeft);
    }
    keys.press(chord.keys[0]);
}

fn sent<M: Message + Clone>(app: &mut App) -> Vec<M> {
    Collected::<M>::take(app)
}

#[test]
fn every_key_in_the_help_window_does_what_it_says() {
    let rows = help_rows();
    for shortcut in Shortcut::ALL {
        assert!(rows.contains(&(shortcut.keys_label(), shortcut.help())), "{shortcut:?} is in the Help window");
        assert!(!shortcut.keys_label().contains('?'), "{shortcut:?} names its keys");
        let mut app = app();
        let duration = app.world().resource::<Clock>().duration_ms();
        let times = app.world().resource::<Library>().current().expect("round").timeline.event_times().to_vec();
        if shortcut == Shortcut::StopLoop {
            app.world_mut().resource_mut::<Clock>().apply(ClockCommand::SetLoop(Some((1_000, 2_000))));
        }
        press(&mut app, shortcut.chord());
        app.update();
        let fits = sent::<FitView>(&mut app);
        let opens = sent::<OpenRequest>(&mut app);
        let clock = app.world().resource::<Clock>();
        let view = app.world().resource::<ViewSettings>();
        let time = clock.time_ms();
        let what = format!("{shortcut:?} ({})", shortcut.keys_label());
        match shortcut {
            Shortcut::PlayPause => assert!(clock.is_playing(), "{what}"),
            Shortcut::BackOne => assert_eq!(time, NOW_MS - 1_000, "{what}"),
            Shortcut::ForwardOne => assert_eq!(time, NOW_MS + 1_000, "{what}"),
            Shortcut::BackTen => assert_eq!(time, NOW_MS - 10_000, "{what}"),
            Shortcut::ForwardTen => assert_eq!(time, NOW_MS + 10_000, "{what}"),
            Shortcut::PreviousEvent => assert_eq!(Some(time), previous_event(&times, NOW_MS), "{what}"),
            Shortcut::NextEvent => assert_eq!(Some(time), next_event(&times, NOW_MS), "{what}"),
            Shortcut::Slower => assert_eq!(clock.speed(), 0.5, "{what}"),
            Shortcut::Faster => assert_eq!(clock.speed(), 2.0, "{what}"),
            Shortcut::Start => assert_eq!(time, 0, "{what}"),
            Shortcut::End => assert_eq!(time, duration, "{what}"),
            Shortcut::LoopIn => assert_eq!(clock.loop_range(), Some((NOW_MS, duration)), "{what}"),
            Shortcut::LoopOut => assert_eq!(clock.loop_range(), Some((0, NOW_MS)), "{what}"),
            Shortcut::StopLoop => assert_eq!(clock.loop_range(), None, "{what}"),
            Shortcut::Fit => assert_eq!(fits.len(), 1, "{what}"),
            Shortcut::Names => assert!(!view.names, "{what}"),
            Shortcut::Trails => assert!(!view.trails, "{what}"),
            Shortcut::Help => assert!(app.world().resource::<Windows>().help, "{what}"),
            Shortcut::Open => assert_eq!(opens, vec![OpenRequest::PickFolder], "{what}"),
            Shortcut::Export => assert!(app.world().resource::<Windows>().export, "{what}"),
        }
        if shortcut != Shortcut::PlayPause {
            assert!(!clock.is_playing(), "{what} does not start playback");
        }
    }
}

#[test]
fn a_key_with_other_modifiers_is_another_shortcut_or_none() {
    let mut app = app();
    // Ctrl+O opens a folder; it does not also mark a loop's end.
    press(&mut app, Shortcut::Open.chord());
    app.update();
    assert_eq!(app.world().resource::<Clock>().loop_range(), None);
    // Shift+→ is ten seconds, not one and ten.
    press(&mut app, Shortcut::ForwardTen.chord());
    app.update();
    assert_eq!(app.world().resource::<Clock>().time_ms(), NOW_MS + 10_000);
}

/// egui's own answer for a focused text field, as the window's egui pass records it.
fn focus_of_a_text_field_being_typed_in() -> UiFocus {
    let ctx = egui::Context::default();
    let mut text = String::from("heatmap.png");
    for _ in 0..2 {
        let mut output = ctx.run_ui(egui::RawInput::default(), |ui| {
            ui.text_edit_singleline(&mut text).request_focus();
        });
        output.textures_delta.clear();
    }
    UiFocus { keyboard: ctx.egui_wants_keyboard_input(), pointer: ctx.egui_wants_pointer_input() }
}

#[test]
fn typing_in_a_text_field_does_not_move_the_clock_or_the_view() {
    let focus = focus_of_a_text_field_being_typed_in();
    assert!(focus.keyboard, "a focused text field has the keyboard");
    let mut app = app();
    app.insert_resource(focus);
    let before_view = app.world().resource::<ViewSettings>().clone();
    // A file name: every letter and key of the table, as typed.
    for shortcut in Shortcut::ALL {
        press(&mut app, shortcut.chord());
        app.update();
        assert!(sent::<FitView>(&mut app).is_empty(), "{shortcut:?} refits the view");
        assert!(sent::<OpenRequest>(&mut app).is_empty(), "{shortcut:?} opens a dialog");
    }
    let clock = app.world().resource::<Clock>();
    assert_eq!((clock.time_ms(), clock.is_playing(), clock.speed(), clock.loop_range()), (NOW_MS, false, 1.0, None));
    assert_eq!(*app.world().resource::<ViewSettings>(), before_view);
    assert_eq!(*app.world().resource::<Windows>(), Windows::default());
}
