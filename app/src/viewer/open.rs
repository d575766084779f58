//! Ways to open rounds besides the command line: File → Open (a native dialog, run off the main
//! thread), dropping a folder or file on the window, and the recent-folders list, which is kept
//! in the user's config dir (`recent.json`) so it survives restarts on Linux, Windows and macOS.

use std::path::{Path, PathBuf};

use bevy::prelude::*;
use bevy::window::FileDragAndDrop;

use crate::scene::Frame;
use crate::scene::dirs::config_dir;
use crate::scene::jobs::Job;
use crate::scene::library::{Library, LibraryUpdate, Source};

/// How many recent folders are remembered.
pub const RECENT_MAX: usize = 10;

/// Ask to open something.
#[derive(Message, Debug, Clone, PartialEq, Eq)]
pub enum OpenRequest {
    /// Open this source now.
    Source(Source),
    /// Ask the user for a folder with the system dialog.
    PickFolder,
    /// Ask the user for a round file with the system dialog.
    PickFile,
}

/// Recently opened folders and rounds, newest first, stored as JSON in `file`.
#[derive(Resource, Debug, Clone, Default, PartialEq)]
pub struct RecentFolders {
    /// Newest first, no duplicates.
    pub paths: Vec<PathBuf>,
    /// Where the list is kept; `None` when the platform has no config dir.
    pub file: Option<PathBuf>,
    /// What went wrong reading the list (a damaged file starts an empty one).
    pub note: Option<String>,
}

impl RecentFolders {
    /// The list stored in `dir` (missing: empty; damaged: empty, with a note).
    pub fn load_from(dir: &Path) -> Self {
        let file = dir.join("recent.json");
        let (paths, note) = crate::scene::dirs::read_settings(Some(&file));
        Self { paths, file: Some(file), note }
    }

    /// The list in the user's config dir: `PROXVIZ_CONFIG_DIR` when set, otherwise the
    /// platform's (`~/.config/proxviz`, `%APPDATA%\proxviz\config`, `~/Library/Application
    /// Support/proxviz`).
    pub fn load_user() -> Self {
        match config_dir() {
            Some(dir) => Self::load_from(&dir),
            None => Self::default(),
        }
    }

    /// Puts `path` first (absolute when it can be made so) and saves the list.
    pub fn remember(&mut self, path: &Path) -> std::io::Result<()> {
        let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        self.paths.retain(|p| *p != path);
        self.paths.insert(0, path);
        self.paths.truncate(RECENT_MAX);
        self.save()
    }

    /// Removes `path` (it no longer opens) and saves the list.
    pub fn forget(&mut self, path: &Path) -> std::io::Result<()> {
        self.paths.retain(|p| p != path);
        self.save()
    }

    fn save(&self) -> std::io::Result<()> {
        let Some(file) = &self.file else { return Ok(()) };
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let text = serde_json::to_string_pretty(&self.paths).map_err(std::io::Error::other)?;
        // Write then rename, so a crash never leaves half a list.
        let tmp = file.with_extension("json.tmp");
        std::fs::write(&tmp, text)?;
        std::fs::rename(&tmp, file)
    }
}

/// A file dialog that is open (its answer comes from another thread).
#[derive(Resource, Default)]
pub struct PendingDialog(Option<Job<Option<PathBuf>>>);

impl PendingDialog {
    /// Whether a dialog is open.
    pub fn is_open(&self) -> bool {
        self.0.is_some()
    }
}

/// Something the user should know about opening (shown in the window).
#[derive(Resource, Default, Debug, Clone)]
pub struct OpenNotice(pub Option<String>);

impl OpenNotice {
    /// Adds a line to what is shown.
    pub fn add(&mut self, line: String) {
        match &mut self.0 {
            Some(text) => {
                text.push('\n');
                text.push_str(&line);
            }
            None => self.0 = Some(line),
        }
    }
}

/// A file is being dragged over the window (a hint says what dropping it does).
#[derive(Resource, Default, Debug, Clone, Copy, PartialEq, Eq)]
pub struct DropHover(pub bool);

pub(super) fn plugin(app: &mut App) {
    app.add_message::<OpenRequest>()
        .init_resource::<PendingDialog>()
        .init_resource::<OpenNotice>()
        .init_resource::<DropHover>()
        .add_systems(Update, (settings_notes, dropped_files, dialog_answers).in_set(Frame::Input))
        .add_systems(Update, open_requests.in_set(Frame::Commands).before(LibraryUpdate))
        .add_systems(Update, remember_opened.in_set(Frame::Commands).after(LibraryUpdate));
}

/// The recent list, read from the user's config dir (only the window does this; tests insert
/// their own).
pub(super) fn user_plugin(app: &mut App) {
    app.insert_resource(RecentFolders::load_user());
}

fn dropped_files(
    mut drops: MessageReader<FileDragAndDrop>,
    mut out: MessageWriter<OpenRequest>,
    mut hover: ResMut<DropHover>,
) {
    // Several files dropped at once are usually one round's four files: open the first.
    let mut opened = false;
    for drop in drops.read() {
        let hovering = matches!(drop, FileDragAndDrop::HoveredFile { .. });
        if hover.0 != hovering {
            hover.0 = hovering;
        }
        if let FileDragAndDrop::DroppedFile { path_buf, .. } = drop
            && !opened
        {
            out.write(OpenRequest::Source(Source::Path(path_buf.clone())));
            opened = true;
        }
    }
}

fn dialog_answers(
    mut pending: ResMut<PendingDialog>,
    mut out: MessageWriter<OpenRequest>,
    mut notice: ResMut<OpenNotice>,
) {
    let Some(answer) = pending.0.as_ref().and_then(Job::poll_once) else { return };
    pending.0 = None;
    match answer {
        Ok(Some(path)) => {
            out.write(OpenRequest::Source(Source::Path(path)));
        }
        Ok(None) => {}
        Err(e) => notice.0 = Some(e),
    }
}

fn open_requests(
    mut requests: MessageReader<OpenRequest>,
    mut library: ResMut<Library>,
    mut pending: ResMut<PendingDialog>,
) {
    for request in requests.read() {
        match request {
            OpenRequest::Source(source) => library.open(source.clone()),
            OpenRequest::PickFolder | OpenRequest::PickFile if pending.is_open() => {}
            OpenRequest::PickFolder => pending.0 = Some(ask(true)),
            OpenRequest::PickFile => pending.0 = Some(ask(false)),
        }
    }
}

/// Runs the system file dialog on its own thread; the answer is `None` when cancelled or when
/// the system has no dialog.
fn ask(folder: bool) -> Job<Option<PathBuf>> {
    Job::once("file dialog", move || {
        let dialog = rfd::AsyncFileDialog::new().set_title(if folder {
            "Open a gamestats folder"
        } else {
            "Open a round (any of its four files)"
        });
        let picked = if folder {
            pollster::block_on(dialog.pick_folder())
        } else {
            pollster::block_on(dialog.add_filter("round files", &["txt"]).pick_file())
        };
        picked.map(|h| h.path().to_path_buf())
    })
}

/// Remembers a path once it has opened at least one round; forgets a recent one that failed.
/// Says once what went wrong reading the recent list (and other settings that leave a note).
fn settings_notes(
    recent: Option<ResMut<RecentFolders>>,
    folders: Option<ResMut<super::game_data::GameFolders>>,
    database: Option<ResMut<super::database::Database>>,
    mut notice: ResMut<OpenNotice>,
) {
    // Looked at before taking, so the resources are not marked changed every frame.
    let notes = [
        recent.and_then(|mut r| if r.note.is_some() { r.note.take() } else { None }),
        folders.and_then(|mut f| if f.note.is_some() { f.note.take() } else { None }),
        database.and_then(|mut d| if d.note.is_some() { d.note.take() } else { None }),
    ];
    for note in notes.into_iter().flatten() {
        notice.add(note);
    }
}

fn remember_opened(library: Res<Library>, recent: Option<ResMut<RecentFolders>>, mut notice: ResMut<OpenNotice>) {
    let Some(mut recent) = recent else { return };
    if !library.is_changed() || library.loading {
        return;
    }
    let Some(Source::Path(path)) = &library.source else { return };
    let result = if library.listings.is_empty() {
        if recent.paths.iter().any(|p| p == path) { recent.forget(path) } else { Ok(()) }
    } else if recent.paths.first() != Some(&std::path::absolute(path).unwrap_or_else(|_| path.clone())) {
        recent.remember(path)
    } else {
        Ok(())
    };
    if let Err(e) = result {
        notice.0 = Some(format!("could not save the recent list: {e}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recent_list_survives_a_restart_newest_first_without_duplicates() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut recent = RecentFolders::load_from(dir.path());
        assert!(recent.paths.is_empty());
        recent.remember(Path::new("/games/a")).expect("save");
        recent.remember(Path::new("/games/b")).expect("save");
        recent.remember(Path::new("/games/a")).expect("save");
        let again = RecentFolders::load_from(dir.path());
        assert_eq!(again.paths, vec![PathBuf::from("/games/a"), PathBuf::from("/games/b")]);
    }

    #[test]
    fn the_recent_list_keeps_the_newest_ten() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut recent = RecentFolders::load_from(dir.path());
        for i in 0..15 {
            recent.remember(&PathBuf::from(format!("/games/{i}"))).expect("save");
        }
        let again = RecentFolders::load_from(dir.path());
        assert_eq!(again.paths.len(), RECENT_MAX);
        assert_eq!(again.paths[0], PathBuf::from("/games/14"));
    }

    #[test]
    fn a_damaged_recent_file_reads_as_empty_and_the_window_says_so() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("recent.json"), "{not json").expect("write");
        let mut recent = RecentFolders::load_from(dir.path());
        assert!(recent.paths.is_empty());
        assert!(recent.note.as_deref().is_some_and(|n| n.contains("recent.json was damaged")), "{recent:?}");
        recent.remember(Path::new("/games/a")).expect("a fresh list saves");
        assert_eq!(RecentFolders::load_from(dir.path()).paths, [PathBuf::from("/games/a")]);

        std::fs::write(dir.path().join("recent.json"), "[1, 2").expect("write");
        let mut app = app_with(dir.path());
        app.update();
        let notice = app.world().resource::<OpenNotice>().0.clone().unwrap_or_default();
        assert!(notice.contains("recent.json was damaged"), "shown in the window: {notice}");
    }

    fn app_with(dir: &Path) -> App {
        let mut app = App::new();
        app.add_plugins(MinimalPlugins).add_message::<FileDragAndDrop>();
        crate::scene::frame::plugin(&mut app);
        crate::scene::library::plugin(&mut app);
        plugin(&mut app);
        app.insert_resource(RecentFolders::load_from(dir));
        app
    }

    /// Until loaded, and one frame more for what reacts to it (the recent list).
    fn settle(app: &mut App) {
        crate::scene::library::settle(app);
        app.update();
    }

    #[test]
    fn dropping_a_round_folder_opens_it_and_remembers_it() {
        let config = tempfile::tempdir().expect("tempdir");
        let rounds = std::path::absolute(concat!(env!("CARGO_MANIFEST_DIR"), "/../assets/demo")).expect("path");
        let mut app = app_with(config.path());
        app.world_mut()
            .write_message(FileDragAndDrop::DroppedFile { window: Entity::PLACEHOLDER, path_buf: rounds.clone() });
        settle(&mut app);
        let library = app.world().resource::<Library>();
        assert_eq!(library.source, Some(Source::Path(rounds.clone())));
        assert_eq!(library.listings.len(), 4);
        assert_eq!(RecentFolders::load_from(config.path()).paths, vec![rounds]);
    }

    #[test]
    fn a_folder_that_no_longer_opens_leaves_the_recent_list() {
        let config = tempfile::tempdir().expect("tempdir");
        let gone = config.path().join("gone");
        let mut recent = RecentFolders::load_from(config.path());
        recent.remember(&gone).expect("save");
        let mut app = app_with(config.path());
        app.world_mut().write_message(OpenRequest::Source(Source::Path(gone)));
        settle(&mut app);
        assert!(app.world().resource::<Library>().error.is_some());
        assert!(RecentFolders::load_from(config.path()).paths.is_empty());
    }
}
