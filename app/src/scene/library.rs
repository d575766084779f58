//! The rounds the viewer has open: loaded off the main thread (a folder, one round, or the
//! embedded demo), each indexed for replay, with its load report.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};

use bevy::prelude::*;
use proxviz_data::model::MAX_CLIENTS;
use proxviz_data::name::FileKind;
use proxviz_data::{CombatKind, FileInput, Round, RoundName, Timeline, parse_round, resolve_rounds};

/// Where rounds come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The demo rounds built into the binary.
    Demo,
    /// A folder, a round's file or a round's base path.
    Path(PathBuf),
}

impl Source {
    /// How the source is shown in the window.
    pub fn label(&self) -> String {
        match self {
            Self::Demo => "demo rounds".to_owned(),
            Self::Path(p) => p.display().to_string(),
        }
    }
}

/// One open round.
pub struct Entry {
    /// The replay index (holds the round).
    pub timeline: Arc<Timeline>,
    /// Players seen.
    pub players: usize,
    /// Player kills.
    pub kills: usize,
    /// Time between a player's position samples (the median gap): trails sample no finer,
    /// since between samples a player moves in a straight line.
    pub sample_step_ms: u32,
}

impl Entry {
    /// Indexes `round` for replay.
    pub fn new(round: Round) -> Self {
        let players = round.clientnums().len();
        let kills = round
            .combat
            .iter()
            .filter(|e| e.kind == CombatKind::Kill && e.target.is_some_and(|t| t < MAX_CLIENTS))
            .count();
        let mut gaps: Vec<u32> = round
            .tracks
            .iter()
            .flat_map(|t| t.samples.windows(2).take(50).map(|w| w[1].time_ms.saturating_sub(w[0].time_ms)))
            .filter(|&g| g > 0)
            .collect();
        gaps.sort_unstable();
        let sample_step_ms = gaps.get(gaps.len() / 2).copied().unwrap_or(250).clamp(100, 1000);
        Self { timeline: Arc::new(Timeline::new(Arc::new(round))), players, kills, sample_step_ms }
    }

    /// The round.
    pub fn round(&self) -> &Round {
        self.timeline.round()
    }
}

enum Loaded {
    Round(Entry),
    Done,
    Failed(String),
}

/// The open rounds and the one being replayed.
#[derive(Resource, Default)]
pub struct Library {
    /// What was opened.
    pub source: Option<Source>,
    /// Rounds loaded so far, in date order.
    pub entries: Vec<Entry>,
    /// The round being replayed.
    pub selected: Option<usize>,
    /// Still loading.
    pub loading: bool,
    /// Why opening failed.
    pub error: Option<String>,
    /// Set when the selection changed (the view and clock react once).
    pub changed: bool,
    inbox: Option<Mutex<Receiver<Loaded>>>,
}

impl Library {
    /// Starts loading `source` on a background thread, replacing what was open.
    pub fn open(&mut self, source: Source) {
        let (tx, rx) = channel();
        let job = source.clone();
        std::thread::spawn(move || {
            let result = match job {
                Source::Demo => load_demo(&tx),
                Source::Path(path) => load_path(&path, &tx),
            };
            let _ = tx.send(match result {
                Ok(()) => Loaded::Done,
                Err(e) => Loaded::Failed(e),
            });
        });
        *self = Self { source: Some(source), loading: true, inbox: Some(Mutex::new(rx)), ..Self::default() };
    }

    /// Rounds already loaded (the export's), the first selected.
    pub fn with_rounds(source: Source, rounds: Vec<Round>) -> Self {
        let mut library =
            Self { source: Some(source), entries: rounds.into_iter().map(Entry::new).collect(), ..Self::default() };
        library.select(0);
        library
    }

    /// The round being replayed.
    pub fn current(&self) -> Option<&Entry> {
        self.selected.and_then(|i| self.entries.get(i))
    }

    /// Replays round `i`.
    pub fn select(&mut self, i: usize) {
        if i < self.entries.len() && self.selected != Some(i) {
            self.selected = Some(i);
            self.changed = true;
        }
    }

    /// Takes what the loading thread has finished.
    pub fn poll(&mut self) {
        let Some(inbox) = &self.inbox else { return };
        let Ok(rx) = inbox.lock() else { return };
        let mut done = false;
        let mut arrived = Vec::new();
        while let Ok(msg) = rx.try_recv() {
            match msg {
                Loaded::Round(e) => arrived.push(e),
                Loaded::Done => done = true,
                Loaded::Failed(e) => {
                    self.error = Some(e);
                    done = true;
                }
            }
        }
        drop(rx);
        self.entries.extend(arrived);
        if self.selected.is_none() && !self.entries.is_empty() {
            self.select(0);
        }
        if done {
            self.loading = false;
            self.inbox = None;
        }
    }
}

/// The demo rounds built into the binary, parsed, in date order.
pub fn demo_rounds() -> Vec<Round> {
    let mut bases: Vec<&str> =
        super::demo::FILES.iter().filter_map(|(n, _)| FileKind::split_file_name(n).map(|(b, _)| b)).collect();
    bases.dedup();
    bases
        .into_iter()
        .map(|base| {
            let files: [Option<FileInput<'_>>; 4] = FileKind::ALL.map(|kind| {
                super::demo::FILES
                    .iter()
                    .find(|(n, _)| FileKind::split_file_name(n) == Some((base, kind)))
                    .map(|(n, bytes)| FileInput { label: n, bytes })
            });
            parse_round(RoundName::parse(base), files)
        })
        .collect()
}

fn load_demo(tx: &std::sync::mpsc::Sender<Loaded>) -> Result<(), String> {
    for round in demo_rounds() {
        let _ = tx.send(Loaded::Round(Entry::new(round)));
    }
    Ok(())
}

fn load_path(path: &std::path::Path, tx: &std::sync::mpsc::Sender<Loaded>) -> Result<(), String> {
    let found = resolve_rounds(path).map_err(|e| e.to_string())?;
    for files in found {
        let _ = tx.send(Loaded::Round(Entry::new(files.load())));
    }
    Ok(())
}

/// Polls the loader before each frame's systems; a new selection is visible to all of them
/// (`changed`) for exactly one frame.
pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Library>().add_systems(PreUpdate, poll_library).add_systems(PostUpdate, clear_changed);
}

fn clear_changed(mut library: ResMut<Library>) {
    if library.changed {
        library.changed = false;
    }
}

fn poll_library(mut library: ResMut<Library>) {
    if library.loading {
        library.poll();
    }
}

/// The demo rounds, loaded, with the first selected (for tests of the systems).
#[cfg(test)]
pub fn loaded_demo() -> Library {
    let mut lib = Library::default();
    lib.open(Source::Demo);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while lib.loading && std::time::Instant::now() < deadline {
        lib.poll();
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    lib
}

/// A headless app with the demo rounds loaded and a 10-minute paused clock, for tests of the
/// viewer's systems.
#[cfg(test)]
pub fn demo_app() -> App {
    let mut app = App::new();
    app.add_plugins(MinimalPlugins)
        .insert_resource(loaded_demo())
        .insert_resource(super::Clock(crate::replay::clock::ReplayClock::new(600_000)));
    app
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_demo_loads_four_clean_rounds() {
        let lib = loaded_demo();
        assert_eq!(lib.entries.len(), 4);
        assert!(lib.entries.iter().all(|e| e.round().report.is_clean()));
        assert_eq!(lib.selected, Some(0));
        assert_eq!(lib.current().map(|e| e.round().map()), Some(Some("supply")));
    }

    #[test]
    fn a_missing_folder_is_an_error_not_a_crash() {
        let mut lib = Library::default();
        lib.open(Source::Path("/no/such/gamestats".into()));
        while lib.loading {
            lib.poll();
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert_eq!(lib.error.as_deref(), Some("/no/such/gamestats: no such file or folder"));
    }
}
