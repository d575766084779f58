//! The rounds that are open: loaded off the main thread (a folder, one round, or the embedded
//! demo) through a [`Job`], each indexed for replay with the facts the window and the export
//! derive from it once. Which round is replayed changes only through [`SelectRound`] messages;
//! every change is announced once by a [`RoundChanged`] message in the same frame.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bevy::prelude::*;
use proxviz_data::{Round, Timeline, resolve_rounds};

use super::frame::Frame;
use super::jobs::{Job, JobStatus};
use super::model::engagements::{EngagementMark, TypeRow, engagement_marks, type_rows};

/// Where rounds come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The demo rounds built into the binary.
    Demo,
    /// A folder, a round's file or a round's base path.
    Path(PathBuf),
    /// A round stored in PostgreSQL.
    Database {
        /// The server and database, without a password.
        shown_url: String,
        /// The round's id.
        id: i64,
    },
}

impl Source {
    /// How the source is shown in the window.
    pub fn label(&self) -> String {
        match self {
            Self::Demo => "demo rounds".to_owned(),
            Self::Path(p) => p.display().to_string(),
            Self::Database { shown_url, id } => format!("round #{id} from the database {shown_url}"),
        }
    }
}

/// Identifies one opened round for as long as the process runs (an index in the list is not
/// enough: opening another folder reuses the indices). Caches of derived pictures key on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RoundKey(u64);

impl RoundKey {
    fn next() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Self(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

/// One open round and what is derived from it once.
pub struct Entry {
    /// This round, as opened.
    pub key: RoundKey,
    /// The replay index (holds the round).
    pub timeline: Arc<Timeline>,
    /// Players seen.
    pub players: usize,
    /// Players killed by other players.
    pub kills: usize,
    /// Time between a player's position samples (the median gap): trails sample no finer,
    /// since between samples a player moves in a straight line.
    pub sample_step_ms: u32,
    /// Engagements with a time and place.
    pub marks: Vec<EngagementMark>,
    /// Engagement types with their counts, most common first.
    pub types: Vec<TypeRow>,
}

impl Entry {
    /// Indexes `round` for replay.
    pub fn new(round: Round) -> Self {
        let players = round.clientnums().len();
        let kills = round.player_kill_count();
        let mut gaps: Vec<u32> = round
            .tracks
            .iter()
            .flat_map(|t| t.samples.windows(2).take(50).map(|w| w[1].time_ms.saturating_sub(w[0].time_ms)))
            .filter(|&g| g > 0)
            .collect();
        gaps.sort_unstable();
        let sample_step_ms = gaps.get(gaps.len() / 2).copied().unwrap_or(250).clamp(100, 1000);
        let timeline = Arc::new(Timeline::new(Arc::new(round)));
        let marks = engagement_marks(&timeline);
        let types = type_rows(&marks);
        Self { key: RoundKey::next(), timeline, players, kills, sample_step_ms, marks, types }
    }

    /// The round.
    pub fn round(&self) -> &Round {
        self.timeline.round()
    }
}

/// Replay this round (ignored when it is no longer open: another folder was opened since).
#[derive(Message, Debug, Clone, Copy, PartialEq, Eq)]
pub struct SelectRound(pub RoundKey);

/// The systems that change what is open and replayed; openers run before them.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LibraryUpdate;

/// The round being replayed changed (another was picked, or the first of a source arrived).
#[derive(Message, Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoundChanged(pub RoundKey);

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
    job: Option<Job<Entry>>,
}

impl Library {
    /// Starts loading `source` on a background thread, replacing what was open.
    pub fn open(&mut self, source: Source) {
        let job = source.clone();
        self.start(
            source,
            Job::spawn("round loader", move |sink| match job {
                Source::Demo => {
                    super::demo::rounds().into_iter().for_each(|r| sink.send(Entry::new(r)));
                    Ok(())
                }
                Source::Path(path) => {
                    for files in resolve_rounds(&path).map_err(|e| e.to_string())? {
                        sink.send(Entry::new(files.load()));
                    }
                    Ok(())
                }
                Source::Database { .. } => {
                    Err("a database round needs its connection: see Library::open_database".into())
                }
            }),
        );
    }

    /// Starts loading round `id` from the database at `url` on a background thread (the
    /// password in `url` stays in memory, never in a label or message).
    pub fn open_database(&mut self, url: String, id: i64) {
        let shown_url = proxviz_store::redact_url(&url);
        self.start(
            Source::Database { shown_url, id },
            Job::spawn("database round loader", move |sink| {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| format!("starting the database client: {e}"))?;
                let round = rt.block_on(async {
                    let store = proxviz_store::Store::connect_read(&url).await?;
                    store.load_round(id).await
                });
                sink.send(Entry::new(round.map_err(|e| proxviz_store::redact_in(&e.to_string(), &url))?));
                Ok(())
            }),
        );
    }

    /// Replaces what was open by the rounds `job` delivers for `source`.
    pub fn start(&mut self, source: Source, job: Job<Entry>) {
        *self = Self { source: Some(source), loading: true, job: Some(job), ..Self::default() };
    }

    /// Rounds already loaded (the export's), none selected yet.
    pub fn with_rounds(source: Source, rounds: Vec<Round>) -> Self {
        Self { source: Some(source), entries: rounds.into_iter().map(Entry::new).collect(), ..Self::default() }
    }

    /// The round being replayed.
    pub fn current(&self) -> Option<&Entry> {
        self.selected.and_then(|i| self.entries.get(i))
    }

    /// Replays round `key`; whether that changed anything.
    fn select(&mut self, key: RoundKey) -> bool {
        let Some(i) = self.entries.iter().position(|e| e.key == key) else { return false };
        let changed = self.selected != Some(i);
        self.selected = Some(i);
        changed
    }

    /// Takes what the loading job has finished; the first round to arrive is selected.
    fn poll(&mut self) -> Option<RoundKey> {
        let job = self.job.as_ref()?;
        let (arrived, status) = job.poll();
        self.entries.extend(arrived);
        match status {
            JobStatus::Running => {}
            JobStatus::Finished => {
                self.loading = false;
                self.job = None;
            }
            JobStatus::Failed(e) => {
                self.error = Some(e);
                self.loading = false;
                self.job = None;
            }
        }
        let first = self.entries.first().map(|e| e.key).filter(|_| self.selected.is_none())?;
        self.select(first).then_some(first)
    }
}

pub(crate) fn plugin(app: &mut App) {
    app.init_resource::<Library>()
        .add_message::<SelectRound>()
        .add_message::<RoundChanged>()
        .configure_sets(Update, LibraryUpdate.in_set(Frame::Commands))
        .add_systems(Update, (poll_library, apply_round_selection).chain().in_set(LibraryUpdate));
}

fn poll_library(mut library: ResMut<Library>, mut changed: MessageWriter<RoundChanged>) {
    let _probe = super::timing::scope();
    if !library.loading {
        return;
    }
    if let Some(key) = library.poll() {
        changed.write(RoundChanged(key));
    }
}

/// The one place the replayed round changes.
fn apply_round_selection(
    mut picks: MessageReader<SelectRound>,
    mut library: ResMut<Library>,
    mut changed: MessageWriter<RoundChanged>,
) {
    for SelectRound(key) in picks.read() {
        if library.select(*key) {
            changed.write(RoundChanged(*key));
        }
    }
}

/// Every message of type `M` sent from now on, read by a system of its own (tests look at
/// [`Collected`]; how long Bevy keeps messages in its buffers does not matter then).
#[cfg(test)]
pub fn collect<M: Message + Clone>(app: &mut App) {
    app.insert_resource(Collected::<M>(Vec::new()))
        .add_systems(Last, |mut reader: MessageReader<M>, mut seen: ResMut<Collected<M>>| {
            seen.0.extend(reader.read().cloned())
        });
}

/// Messages gathered by [`collect`].
#[cfg(test)]
#[derive(Resource)]
pub struct Collected<M: Message>(pub Vec<M>);

#[cfg(test)]
impl<M: Message> Collected<M> {
    /// Takes what was gathered so far.
    pub fn take(app: &mut App) -> Vec<M> {
        std::mem::take(&mut app.world_mut().resource_mut::<Self>().0)
    }
}

/// Runs `app` until its library has finished loading (at most 20 s), for tests of opening.
#[cfg(test)]
pub fn settle(app: &mut App) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    app.update();
    while app.world().resource::<Library>().loading && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(5));
        app.update();
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
/// scene's and the window's systems.
#[cfg(test)]
pub fn demo_app() -> App {
    let mut app = App::new();
    app.add_plugins(MinimalPlugins)
        .insert_resource(loaded_demo())
        .insert_resource(super::clock::Clock(super::model::clock::ReplayClock::new(600_000)));
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

    fn app() -> App {
        let mut app = App::new();
        app.add_plugins(MinimalPlugins);
        super::super::frame::plugin(&mut app);
        plugin(&mut app);
        app
    }

    #[test]
    fn a_missing_folder_is_an_error_not_a_crash() {
        let mut app = app();
        app.world_mut().resource_mut::<Library>().open(Source::Path("/no/such/gamestats".into()));
        settle(&mut app);
        let lib = app.world().resource::<Library>();
        assert_eq!(lib.error.as_deref(), Some("/no/such/gamestats: no such file or folder"));
    }

    #[test]
    fn a_dead_loader_ends_with_an_error_not_an_endless_wait() {
        let mut app = app();
        let job = Job::spawn("round loader", |sink| {
            sink.send(Entry::new(super::super::demo::rounds().remove(0)));
            panic!("out of disk");
        });
        app.world_mut().resource_mut::<Library>().start(Source::Demo, job);
        settle(&mut app);
        let lib = app.world().resource::<Library>();
        assert!(!lib.loading);
        assert_eq!(lib.error.as_deref(), Some("the round loader stopped unexpectedly: out of disk"));
        assert_eq!(lib.entries.len(), 1, "what arrived before stays open");
    }

    #[test]
    fn the_first_round_to_arrive_and_every_other_pick_are_announced_once() {
        let mut app = app();
        collect::<RoundChanged>(&mut app);
        app.world_mut().resource_mut::<Library>().open(Source::Demo);
        settle(&mut app);
        app.update();
        let first = app.world().resource::<Library>().entries[0].key;
        assert_eq!(Collected::<RoundChanged>::take(&mut app), vec![RoundChanged(first)]);
        let third = app.world().resource::<Library>().entries[2].key;
        app.world_mut().write_message(SelectRound(third));
        app.update();
        assert_eq!(Collected::<RoundChanged>::take(&mut app), vec![RoundChanged(third)]);
        assert_eq!(app.world().resource::<Library>().selected, Some(2));
        // Picking the round already replayed, or one of a folder no longer open, changes nothing.
        let gone = Entry::new(Round::default()).key;
        app.world_mut().write_message(SelectRound(third));
        app.world_mut().write_message(SelectRound(gone));
        app.update();
        assert!(Collected::<RoundChanged>::take(&mut app).is_empty());
        assert_eq!(app.world().resource::<Library>().selected, Some(2));
    }

    #[test]
    fn a_round_opened_from_the_database_is_the_round_opened_from_its_files() {
        let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/demo");
        let files = proxviz_data::discover_rounds(&demo).expect("demo");
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        let url = rt.block_on(proxviz_store::test_server::TestServer::get().fresh_database("library")).expect("db");
        let store = rt.block_on(proxviz_store::Store::connect(&url)).expect("store");
        let (round, source) = proxviz_store::read_for_import(&files[1]);
        let id = rt
            .block_on(store.import(&round, &source, &proxviz_store::ImportOptions::default()))
            .expect("imports")
            .outcome
            .id();
        let mut from_db = app();
        from_db.world_mut().resource_mut::<Library>().open_database(url.clone(), id);
        settle(&mut from_db);
        let mut from_files = app();
        from_files.world_mut().resource_mut::<Library>().open(Source::Path(demo.join(&files[1].name.base)));
        settle(&mut from_files);
        let (a, b) = (from_db.world().resource::<Library>(), from_files.world().resource::<Library>());
        assert_eq!(a.error, None);
        let (a, b) = (a.current().expect("opened"), b.current().expect("opened"));
        assert!(a.round().same_content(b.round()));
        assert_eq!(
            (a.players, a.kills, a.marks.len(), a.types.len()),
            (b.players, b.kills, b.marks.len(), b.types.len())
        );
        let shown = proxviz_store::redact_url(&url);
        assert_eq!(from_db.world().resource::<Library>().source, Some(Source::Database { shown_url: shown, id }));
        // A round that is not there is an error, not a hang.
        let mut missing = app();
        missing.world_mut().resource_mut::<Library>().open_database(url, id + 1000);
        settle(&mut missing);
        let lib = missing.world().resource::<Library>();
        assert!(
            !lib.loading && lib.error.as_deref().is_some_and(|e| e.contains("no round with id")),
            "{:?}",
            lib.error
        );
    }
}
