//! Command maps for the window: once the open rounds are loaded, the game folders (`--etmain`,
//! `PROXVIZ_ETMAIN`, the folders beside an opened `gamestats/` and the usual install paths) are
//! searched off the main thread for their maps' images, and searched again when other maps
//! are opened.

use std::path::PathBuf;

use bevy::prelude::*;
use proxviz_data::gamedata::game_folders;

use crate::scene::Frame;
use crate::scene::backdrop::{CommandMaps, UserCalibrations};
use crate::scene::dirs::index_cache_file;
use crate::scene::jobs::Job;
use crate::scene::library::{Library, LibraryUpdate, Source};

/// Game folders given on the command line.
#[derive(Resource, Debug, Clone, Default)]
pub struct GameFolders(pub Vec<PathBuf>);

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
        .add_systems(Update, search_command_maps.in_set(Frame::Commands).after(LibraryUpdate));
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
    if library.loading || search.job.is_some() {
        return;
    }
    let wanted = CommandMaps::maps_of(library.entries.iter().map(|e| e.round()));
    let opened = match &library.source {
        Some(Source::Path(p)) => Some(p.clone()),
        _ => None,
    };
    // Another folder may have game folders of its own beside it.
    let roots = game_folders(&folders.0, opened.as_deref());
    if wanted.is_empty() || (wanted == search.maps && roots == search.folders) {
        return;
    }
    let names = wanted.clone();
    search.maps = wanted;
    search.folders = roots.clone();
    maps.searching = true;
    search.job = Some(Job::once("game data search", move || {
        CommandMaps::search(
            &roots,
            &names,
            index_cache_file().as_deref(),
            &UserCalibrations::load(UserCalibrations::file().as_deref()),
        )
    }));
}
