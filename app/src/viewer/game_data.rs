//! Command maps for the window: once the open rounds are loaded, the game folders (File → Game
//! folders…, kept in the config dir; `--etmain`; `PROXVIZ_ETMAIN`; the folders beside an opened
//! `gamestats/`; the usual install paths) are searched off the main thread for their maps'
//! images, and searched again when other maps are opened or the folders change. The Game
//! folders window lists them and what the search found.

use std::path::{Path, PathBuf};

use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use proxviz_data::gamedata::game_folders;

use super::state::{UiPass, Windows};
use crate::scene::Frame;
use crate::scene::backdrop::{CommandMaps, UserCalibrations};
use crate::scene::dirs::index_cache_file;
use crate::scene::jobs::Job;
use crate::scene::library::{Library, LibraryUpdate, Source};

/// The game folders the user chose: in the window (kept in `game-folders.json` in the config
/// dir) and on the command line (`--etmain`, which win).
#[derive(Resource, Default)]
pub struct GameFolders {
    /// Given with `--etmain` this time.
    pub given: Vec<PathBuf>,
    /// Added in the window, kept between runs.
    pub saved: Vec<PathBuf>,
    file: Option<PathBuf>,
    picking: Option<Job<Option<PathBuf>>>,
    /// What went wrong reading the saved list (a damaged file starts an empty one).
    pub note: Option<String>,
}

impl GameFolders {
    /// The folders of `given` plus those saved in `file` (missing: none; damaged: none, with a
    /// note).
    pub fn load(given: Vec<PathBuf>, file: Option<PathBuf>) -> Self {
        let (saved, note) = crate::scene::dirs::read_settings(file.as_deref());
        Self { given, saved, file, picking: None, note }
    }

    /// Every chosen folder, lowest priority first.
    pub fn all(&self) -> Vec<PathBuf> {
        self.saved.iter().chain(&self.given).cloned().collect()
    }

    /// Adds (or removes) a saved folder and writes the list.
    fn change(&mut self, add: Option<PathBuf>, remove: Option<&Path>) -> std::io::Result<()> {
        if let Some(gone) = remove {
            self.saved.retain(|p| p != gone);
        }
        if let Some(new) = add.filter(|p| !self.saved.contains(p)) {
            self.saved.push(new);
        }
        let Some(file) = &self.file else { return Ok(()) };
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = file.with_extension(format!("{}.tmp", std::process::id()));
        std::fs::write(&tmp, serde_json::to_vec_pretty(&self.saved).map_err(std::io::Error::other)?)?;
        std::fs::rename(tmp, file)
    }
}

/// The search running, and the maps and folders it was for.
#[derive(Resource, Default)]
struct Search {
    maps: Vec<String>,
    folders: Vec<PathBuf>,
    job: Option<Job<CommandMaps>>,
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<GameFolders>()
        .init_resource::<Search>()
        .add_systems(Update, search_command_maps.in_set(Frame::Commands).after(LibraryUpdate))
        .add_systems(EguiPrimaryContextPass, game_folders_ui.in_set(UiPass::Overlays));
}

/// The game folders window: the chosen folders (add, remove) and what the last search found.
fn game_folders_ui(
    mut contexts: EguiContexts,
    mut windows: ResMut<Windows>,
    mut folders: ResMut<GameFolders>,
    maps: Res<CommandMaps>,
) -> Result {
    let _probe = crate::scene::timing::scope();
    // A folder picked in the system dialog.
    if let Some(answer) = folders.picking.as_ref().and_then(Job::poll_once) {
        folders.picking = None;
        if let Ok(Some(dir)) = answer
            && let Err(e) = folders.change(Some(dir), None)
        {
            warn!("cannot save the game folders: {e}");
        }
    }
    if !windows.game_folders {
        return Ok(());
    }
    let ctx = contexts.ctx_mut()?.clone();
    let mut open = true;
    let mut remove = None;
    egui::Window::new("Game folders").open(&mut open).default_width(520.0).show(&ctx, |ui| {
        ui.label("Folders of your ET / ET:Legacy install (etmain/, legacy/) whose pk3s hold the maps' command maps. proxviz reads them; it never copies them.");
        for path in &folders.saved {
            ui.horizontal(|ui| {
                if ui.small_button("✖").on_hover_text("forget this folder").clicked() {
                    remove = Some(path.clone());
                }
                ui.monospace(path.display().to_string());
            });
        }
        for path in &folders.given {
            ui.horizontal(|ui| {
                ui.weak("--etmain");
                ui.monospace(path.display().to_string());
            });
        }
        let picking = folders.picking.is_some();
        if ui.add_enabled(!picking, egui::Button::new("Add a folder…")).clicked() {
            folders.picking = Some(Job::once("folder dialog", || {
                let dialog = rfd::AsyncFileDialog::new().set_title("A game folder (etmain or legacy)");
                pollster::block_on(dialog.pick_folder()).map(|h| h.path().to_path_buf())
            }));
        }
        ui.separator();
        if maps.searching {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.weak("searching…");
            });
        }
        egui::ScrollArea::vertical().max_height(240.0).show(ui, |ui| {
            for note in &maps.notes {
                ui.weak(note);
            }
        });
    });
    if let Some(gone) = remove
        && let Err(e) = folders.change(None, Some(&gone))
    {
        warn!("cannot save the game folders: {e}");
    }
    if !open {
        windows.game_folders = false;
    }
    Ok(())
}

fn search_command_maps(
    library: Res<Library>,
    folders: Res<GameFolders>,
    mut search: ResMut<Search>,
    mut maps: ResMut<CommandMaps>,
) {
    let _probe = crate::scene::timing::scope();
    if let Some(job) = &search.job
        && let Some(result) = job.poll_once()
    {
        *maps = result.unwrap_or_else(|e| CommandMaps { notes: vec![e], ..CommandMaps::default() });
        search.job = None;
    }
    // Only when what is open or the folders changed (this looks at the disk).
    if library.loading || search.job.is_some() || !(library.is_changed() || folders.is_changed()) {
        return;
    }
    let wanted = CommandMaps::maps_of(library.listings.iter().map(|l| l.summary.map.as_deref()));
    let opened = match &library.source {
        Some(Source::Path(p)) => Some(p.clone()),
        _ => None,
    };
    // Another folder may have game folders of its own beside it.
    let roots = game_folders(&folders.all(), opened.as_deref());
    if wanted.is_empty() || (wanted == search.maps && roots == search.folders) {
        return;
    }
    let names = wanted.clone();
    search.maps = wanted;
    search.folders = roots.clone();
    maps.searching = true;
    search.job = Some(Job::once("game data search", move || {
        let (user, note) = UserCalibrations::read(UserCalibrations::file().as_deref());
        let mut found = CommandMaps::search(&roots, &names, index_cache_file().as_deref(), &user);
        found.notes.extend(note);
        found
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn game_folders_added_in_the_window_are_kept_and_the_command_line_s_win() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("cfg").join("game-folders.json");
        let mut folders = GameFolders::load(vec![PathBuf::from("/cli/etmain")], Some(file.clone()));
        folders.change(Some(PathBuf::from("/games/etmain")), None).expect("save");
        folders.change(Some(PathBuf::from("/games/legacy")), None).expect("save");
        folders.change(Some(PathBuf::from("/games/etmain")), None).expect("save");
        let again = GameFolders::load(Vec::new(), Some(file.clone()));
        assert_eq!(again.saved, vec![PathBuf::from("/games/etmain"), PathBuf::from("/games/legacy")]);
        assert_eq!(folders.all().last(), Some(&PathBuf::from("/cli/etmain")), "--etmain last: it wins");
        folders.change(None, Some(Path::new("/games/etmain"))).expect("save");
        assert_eq!(GameFolders::load(Vec::new(), Some(file.clone())).saved, vec![PathBuf::from("/games/legacy")]);
        std::fs::write(&file, b"[ damaged").expect("damage");
        let damaged = GameFolders::load(Vec::new(), Some(file));
        assert!(damaged.saved.is_empty());
        assert!(damaged.note.is_some_and(|n| n.contains("game-folders.json was damaged")));
    }
}
