//! The window's keyboard shortcuts, one table: each [`Shortcut`] has its keys, the label the
//! Help window shows and what it does. One input system turns pressed keys into
//! [`Shortcut`] messages (not while egui has the keyboard, e.g. while typing a file name);
//! buttons send the same messages; one system carries them out, as messages to the models
//! (clock commands, event jumps, fit, open) that later steps of the frame apply.

use bevy::prelude::*;

use super::map_view::FitView;
use super::open::OpenRequest;
use super::state::{UiFocus, Windows};
use crate::scene::Frame;
use crate::scene::clock::{ClockMsg, EventJump};
use crate::scene::model::clock::ClockCommand;
use crate::scene::view::ViewSettings;

/// Something the user can do from the keyboard.
#[derive(Message, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shortcut {
    /// Play or pause.
    PlayPause,
    /// One second back.
    BackOne,
    /// One second on.
    ForwardOne,
    /// Ten seconds back.
    BackTen,
    /// Ten seconds on.
    ForwardTen,
    /// The previous kill, engagement, revive or objective event.
    PreviousEvent,
    /// The next kill, engagement, revive or objective event.
    NextEvent,
    /// Slower playback.
    Slower,
    /// Faster playback.
    Faster,
    /// The start of the round.
    Start,
    /// The end of the round.
    End,
    /// Loop from the cursor.
    LoopIn,
    /// Loop up to the cursor.
    LoopOut,
    /// Stop looping.
    StopLoop,
    /// Fit the round in view.
    Fit,
    /// Names on or off.
    Names,
    /// Trails on or off.
    Trails,
    /// The help window.
    Help,
    /// Open a folder.
    Open,
    /// The Export window.
    Export,
}

/// A key with the modifiers it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chord {
    /// Any of these keys.
    pub keys: &'static [KeyCode],
    /// Shift held.
    pub shift: bool,
    /// Ctrl (or Cmd) held.
    pub ctrl: bool,
}

const fn plain(keys: &'static [KeyCode]) -> Chord {
    Chord { keys, shift: false, ctrl: false }
}

impl Shortcut {
    /// Every shortcut, in the order the Help window lists them.
    pub const ALL: [Self; 20] = [
        Self::PlayPause,
        Self::BackOne,
        Self::ForwardOne,
        Self::BackTen,
        Self::ForwardTen,
        Self::PreviousEvent,
        Self::NextEvent,
        Self::Slower,
        Self::Faster,
        Self::Start,
        Self::End,
        Self::LoopIn,
        Self::LoopOut,
        Self::StopLoop,
        Self::Fit,
        Self::Names,
        Self::Trails,
        Self::Help,
        Self::Open,
        Self::Export,
    ];

    /// The keys that trigger it.
    pub fn chord(self) -> Chord {
        use KeyCode as K;
        match self {
            Self::PlayPause => plain(&[K::Space]),
            Self::BackOne => plain(&[K::ArrowLeft]),
            Self::ForwardOne => plain(&[K::ArrowRight]),
            Self::BackTen => Chord { shift: true, ..plain(&[K::ArrowLeft]) },
            Self::ForwardTen => Chord { shift: true, ..plain(&[K::ArrowRight]) },
            Self::PreviousEvent => plain(&[K::Comma]),
            Self::NextEvent => plain(&[K::Period]),
            Self::Slower => plain(&[K::BracketLeft]),
            Self::Faster => plain(&[K::BracketRight]),
            Self::Start => plain(&[K::Home]),
            Self::End => plain(&[K::End]),
            Self::LoopIn => plain(&[K::KeyI]),
            Self::LoopOut => plain(&[K::KeyO]),
            Self::StopLoop => plain(&[K::KeyL]),
            Self::Fit => plain(&[K::KeyF]),
            Self::Names => plain(&[K::KeyN]),
            Self::Trails => plain(&[K::KeyT]),
            Self::Help => plain(&[K::KeyH, K::F1]),
            Self::Open => Chord { ctrl: true, ..plain(&[K::KeyO]) },
            Self::Export => Chord { ctrl: true, ..plain(&[K::KeyE]) },
        }
    }

    /// The keys as the Help window and tooltips show them.
    pub fn keys_label(self) -> String {
        let chord = self.chord();
        let names: Vec<&str> = chord.keys.iter().map(|k| key_name(*k)).collect();
        let prefix = match (chord.ctrl, chord.shift) {
            (true, true) => "Ctrl+Shift+",
            (true, false) => "Ctrl+",
            (false, true) => "Shift+",
            (false, false) => "",
        };
        names.iter().map(|n| format!("{prefix}{n}")).collect::<Vec<_>>().join(" / ")
    }

    /// What it does, in the Help window's words.
    pub fn help(self) -> &'static str {
        match self {
            Self::PlayPause => "play / pause",
            Self::BackOne => "1 s back",
            Self::ForwardOne => "1 s on",
            Self::BackTen => "10 s back",
            Self::ForwardTen => "10 s on",
            Self::PreviousEvent => {
                "previous kill, engagement, revive or objective event (the followed player's kill or death)"
            }
            Self::NextEvent => "next kill, engagement, revive or objective event (the followed player's kill or death)",
            Self::Slower => "slower (down to 0.25×)",
            Self::Faster => "faster (up to 8×)",
            Self::Start => "start of the round",
            Self::End => "end of the round",
            Self::LoopIn => "loop from the cursor",
            Self::LoopOut => "loop up to the cursor",
            Self::StopLoop => "stop looping",
            Self::Fit => "fit the round in view",
            Self::Names => "names on / off",
            Self::Trails => "trails on / off",
            Self::Help => "this help",
            Self::Open => "open a folder (or drop one on the window)",
            Self::Export => "export an image",
        }
    }

    /// Whether its chord was just pressed, with exactly its modifiers.
    fn pressed(self, keys: &ButtonInput<KeyCode>) -> bool {
        let chord = self.chord();
        let shift = keys.any_pressed([KeyCode::ShiftLeft, KeyCode::ShiftRight]);
        let ctrl =
            keys.any_pressed([KeyCode::ControlLeft, KeyCode::ControlRight, KeyCode::SuperLeft, KeyCode::SuperRight]);
        shift == chord.shift && ctrl == chord.ctrl && keys.any_just_pressed(chord.keys.iter().copied())
    }
}

fn key_name(key: KeyCode) -> &'static str {
    use KeyCode as K;
    match key {
        K::Space => "Space",
        K::ArrowLeft => "←",
        K::ArrowRight => "→",
        K::Comma => ",",
        K::Period => ".",
        K::BracketLeft => "[",
        K::BracketRight => "]",
        K::Home => "Home",
        K::End => "End",
        K::KeyI => "I",
        K::KeyO => "O",
        K::KeyL => "L",
        K::KeyF => "F",
        K::KeyN => "N",
        K::KeyT => "T",
        K::KeyH => "H",
        K::KeyE => "E",
        K::F1 => "F1",
        _ => "?",
    }
}

/// The Help window's rows: every shortcut's keys and what it does, in table order.
pub fn help_rows() -> Vec<(String, &'static str)> {
    Shortcut::ALL.iter().map(|s| (s.keys_label(), s.help())).collect()
}

/// Other things the mouse does, listed in the Help window after the keys.
pub const MOUSE_HELP: [(&str, &str); 3] =
    [("Shift+drag", "on the timeline: loop that range"), ("wheel", "zoom around the cursor"), ("drag", "pan")];

pub(super) fn plugin(app: &mut App) {
    app.add_message::<Shortcut>().add_systems(Update, (keyboard_shortcuts, run_shortcuts).chain().in_set(Frame::Input));
}

/// Pressed keys → shortcuts, unless egui has the keyboard.
fn keyboard_shortcuts(keys: Res<ButtonInput<KeyCode>>, focus: Res<UiFocus>, mut out: MessageWriter<Shortcut>) {
    let _probe = crate::scene::timing::scope();
    if focus.keyboard {
        return;
    }
    for shortcut in Shortcut::ALL {
        if shortcut.pressed(&keys) {
            out.write(shortcut);
        }
    }
}

/// The one place shortcuts (from keys or buttons) take effect: as messages to the models, or
/// as view toggles.
#[allow(clippy::too_many_arguments)]
fn run_shortcuts(
    mut shortcuts: MessageReader<Shortcut>,
    mut clock_out: MessageWriter<ClockMsg>,
    mut jumps: MessageWriter<EventJump>,
    mut fit: MessageWriter<FitView>,
    mut open: MessageWriter<OpenRequest>,
    mut view: ResMut<ViewSettings>,
    mut windows: ResMut<Windows>,
) {
    for shortcut in shortcuts.read() {
        let command = match shortcut {
            Shortcut::PlayPause => Some(ClockCommand::TogglePlayPause),
            Shortcut::BackOne => Some(ClockCommand::Step(-1_000)),
            Shortcut::ForwardOne => Some(ClockCommand::Step(1_000)),
            Shortcut::BackTen => Some(ClockCommand::Step(-10_000)),
            Shortcut::ForwardTen => Some(ClockCommand::Step(10_000)),
            Shortcut::Slower => Some(ClockCommand::Slower),
            Shortcut::Faster => Some(ClockCommand::Faster),
            Shortcut::Start => Some(ClockCommand::SetTime(0)),
            Shortcut::End => Some(ClockCommand::ToEnd),
            Shortcut::LoopIn => Some(ClockCommand::LoopIn),
            Shortcut::LoopOut => Some(ClockCommand::LoopOut),
            Shortcut::StopLoop => Some(ClockCommand::SetLoop(None)),
            Shortcut::PreviousEvent => {
                jumps.write(EventJump::Previous);
                None
            }
            Shortcut::NextEvent => {
                jumps.write(EventJump::Next);
                None
            }
            Shortcut::Fit => {
                fit.write(FitView);
                None
            }
            Shortcut::Names => {
                view.names = !view.names;
                None
            }
            Shortcut::Trails => {
                view.trails = !view.trails;
                None
            }
            Shortcut::Help => {
                windows.help = !windows.help;
                None
            }
            Shortcut::Open => {
                open.write(OpenRequest::PickFolder);
                None
            }
            Shortcut::Export => {
                windows.export = true;
                None
            }
        };
        if let Some(command) = command {
            clock_out.write(ClockMsg(command));
        }
    }
}

#[cfg(test)]
mod tests;
