//! The rounds that are open (a folder, one round, the embedded demo, a database round): listed
//! off the main thread through a [`Job`], newest first, each with a light summary from the
//! round index (`proxviz_data::index`); only the replayed round and the last few replayed are
//! read in full ([`READ_ROUNDS`]), each indexed for replay with the facts the window and the
//! export derive from it once. Which round is replayed changes only through [`SelectRound`]
//! messages; every change is announced once by a [`RoundChanged`] message in the same frame.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use std::sync::atomic::AtomicBool;

use bevy::prelude::*;
use proxviz_data::index::{IndexCache, RoundSummary, cores, index_rounds};
use proxviz_data::{Round, RoundFiles, Timeline, resolve_rounds};

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

/// One round read in full and what is derived from it once.
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
    /// Indexes `round` for replay under a new key.
    pub fn new(round: Round) -> Self {
        Self::keyed(RoundKey::next(), round)
    }

    /// Indexes `round` for replay under `key` (its listing's).
    pub fn keyed(key: RoundKey, round: Round) -> Self {
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
        Self { key, timeline, players, kills, sample_step_ms, marks, types }
    }

    /// The round.
    pub fn round(&self) -> &Round {
        self.timeline.round()
    }
}

/// How a listed round is read in full (off the main thread).
#[derive(Clone)]
pub enum RoundReader {
    /// From its files.
    Files(RoundFiles),
    /// One of the embedded demo rounds, by base name.
    Demo(String),
    /// Already read (the export's rounds, a database round).
    Read(Arc<Timeline>),
}

impl RoundReader {
    /// Reads the round (a round's own problems are in its load report; only a demo round that
    /// is not there fails).
    pub fn read(&self) -> Result<Arc<Timeline>, String> {
        match self {
            Self::Files(files) => Ok(Arc::new(Timeline::new(Arc::new(files.load())))),
            Self::Demo(base) => super::demo::round(base)
                .map(|r| Arc::new(Timeline::new(Arc::new(r))))
                .ok_or_else(|| format!("no demo round {base}")),
            Self::Read(t) => Ok(t.clone()),
        }
    }
}

/// One round of what is open, as the round list shows it: its summary (from the round index)
/// and how to read it.
pub struct Listing {
    /// The round's key (its [`Entry`]'s once read).
    pub key: RoundKey,
    /// What the list shows and filters on.
    pub summary: RoundSummary,
    /// How to read it in full.
    pub reader: RoundReader,
}

/// Most rounds held read in full: the replayed one and the last ones replayed (a folder of any
/// size costs this much memory, plus its small summaries).
pub const READ_ROUNDS: usize = 3;

/// Replay this round (ignored when it is no longer open: another folder was opened since).
#[derive(Message, Debug, Clone, Copy, PartialEq, Eq)]
pub struct SelectRound(pub RoundKey);

/// The systems that change what is open and replayed; openers run before them.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LibraryUpdate;

/// The round being replayed changed (another was picked, or the first of a source arrived).
#[derive(Message, Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoundChanged(pub RoundKey);

/// What the listing job sends.
pub enum Listed {
    /// Every round found, newest first: what their names say, and how to read them.
    Found(Vec<(RoundSummary, RoundReader)>),
    /// The summary of the `n`th round found, once read (or taken from the index cache).
    Indexed(usize, RoundSummary),
    /// A round read in full already (a database round): listed and replayed.
    Read(Box<Entry>),
    /// Something to tell the user (the index cache could not be read or written).
    Note(String),
}

/// The open rounds (listed newest first, light) and the few read in full.
#[derive(Resource, Default)]
pub struct Library {
    /// What was opened.
    pub source: Option<Source>,
    /// Every round of what is open, newest first.
    pub listings: Vec<Listing>,
    /// The round being replayed.
    pub selected: Option<RoundKey>,
    /// Still listing or indexing.
    pub loading: bool,
    /// Rounds whose summary is in.
    pub indexed: usize,
    /// The round being read, to be replayed once it is in.
    pub reading: Option<RoundKey>,
    /// Why opening (or reading a round) failed.
    pub error: Option<String>,
    /// What the index cache said.
    pub notes: Vec<String>,
    /// Follow the open folder (`proxviz --follow`): a round that appears in it is listed and
    /// replayed (live, as it grows).
    pub follow_folder: bool,
    /// Rounds read in full, least recently replayed first.
    read: Vec<Entry>,
    /// Keep every round read (the export's): no eviction.
    keep_all: bool,
    job: Option<Job<Listed>>,
    read_job: Option<(RoundKey, Job<Result<Entry, String>>)>,
    live: Live,
}

impl Library {
    /// Starts listing `source` on a background thread, replacing what was open: the rounds'
    /// names at once, newest first, then each round's summary (from the index cache, or read on
    /// every core). The newest round is read and replayed first.
    pub fn open(&mut self, source: Source) {
        let job = source.clone();
        self.start(
            source,
            Job::spawn("round loader", move |sink| match job {
                Source::Demo => {
                    let mut bases = super::demo::bases();
                    bases.reverse();
                    let found: Vec<(RoundSummary, RoundReader)> = bases
                        .iter()
                        .map(|b| {
                            let files = RoundFiles {
                                name: proxviz_data::RoundName::parse(b),
                                dir: PathBuf::new(),
                                paths: Default::default(),
                                duplicates: Vec::new(),
                            };
                            (RoundSummary::named(&files), RoundReader::Demo((*b).to_owned()))
                        })
                        .collect();
                    sink.send(Listed::Found(found));
                    for (i, b) in bases.iter().enumerate() {
                        if let Some(r) = super::demo::round(b) {
                            sink.send(Listed::Indexed(i, RoundSummary::of(&r)));
                        }
                    }
                    Ok(())
                }
                Source::Path(path) => {
                    let mut rounds = resolve_rounds(&path).map_err(|e| e.to_string())?;
                    rounds.reverse();
                    let found =
                        rounds.iter().map(|f| (RoundSummary::named(f), RoundReader::Files(f.clone()))).collect();
                    sink.send(Listed::Found(found));
                    let folder = if path.is_dir() { path.clone() } else { rounds[0].dir.clone() };
                    let mut cache = IndexCache::open(super::dirs::cache_dir().as_deref(), &folder);
                    let stop = AtomicBool::new(false);
                    index_rounds(&rounds, &mut cache, cores(), &stop, |i, s| sink.send(Listed::Indexed(i, s)));
                    // Only a whole folder's index is kept (a single round's would drop the rest).
                    if path.is_dir() {
                        cache.save(&folder);
                    }
                    cache.notes.into_iter().for_each(|n| sink.send(Listed::Note(n)));
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
                let round = round.map_err(|e| proxviz_store::redact_in(&e.to_string(), &url))?;
                sink.send(Listed::Read(Box::new(Entry::new(round))));
                Ok(())
            }),
        );
    }

    /// Replaces what was open by the rounds `job` lists for `source`.
    pub fn start(&mut self, source: Source, job: Job<Listed>) {
        let follow_folder = self.follow_folder;
        *self = Self { source: Some(source), loading: true, job: Some(job), follow_folder, ..Self::default() };
    }

    /// Rounds already read (the export's), in the order given, all kept, none selected yet.
    pub fn with_rounds(source: Source, rounds: Vec<Round>) -> Self {
        let read: Vec<Entry> = rounds.into_iter().map(Entry::new).collect();
        let listings = read
            .iter()
            .map(|e| Listing {
                key: e.key,
                summary: RoundSummary::of(e.round()),
                reader: RoundReader::Read(e.timeline.clone()),
            })
            .collect();
        let indexed = read.len();
        Self { source: Some(source), listings, read, indexed, keep_all: true, ..Self::default() }
    }

    /// The round being replayed.
    pub fn current(&self) -> Option<&Entry> {
        self.selected.and_then(|k| self.entry(k))
    }

    /// A round read in full, if it is (the replayed one always is).
    pub fn entry(&self, key: RoundKey) -> Option<&Entry> {
        self.read.iter().find(|e| e.key == key)
    }

    /// The rounds held read in full.
    pub fn read_entries(&self) -> impl Iterator<Item = &Entry> {
        self.read.iter()
    }

    /// The listing of a round.
    pub fn listing(&self, key: RoundKey) -> Option<&Listing> {
        self.listings.iter().find(|l| l.key == key)
    }

    /// Replays round `key` when it is read (else starts reading it, and replays it when it is
    /// in); whether the replayed round changed now.
    fn select(&mut self, key: RoundKey) -> bool {
        if self.selected == Some(key) {
            return false;
        }
        if let Some(i) = self.read.iter().position(|e| e.key == key) {
            // Most recently replayed last.
            let e = self.read.remove(i);
            self.read.push(e);
            self.selected = Some(key);
            self.reading = None;
            self.read_job = None;
            return true;
        }
        let Some(listing) = self.listing(key) else { return false };
        let reader = listing.reader.clone();
        self.reading = Some(key);
        self.read_job = Some((
            key,
            Job::once("round reader", move || {
                let t = reader.read()?;
                // Ours alone (just read): no copy. Shared (already read elsewhere): copied once.
                let round = Arc::try_unwrap(t).map_or_else(|t| t.round().clone(), |t| t.round().clone());
                Ok::<Entry, String>(Entry::keyed(key, round))
            }),
        ));
        false
    }

    /// Keeps the round just read, dropping the least recently replayed beyond [`READ_ROUNDS`].
    fn keep(&mut self, entry: Entry) {
        self.read.retain(|e| e.key != entry.key);
        self.read.push(entry);
        if self.keep_all {
            return;
        }
        while self.read.len() > READ_ROUNDS {
            let Some(i) = self.read.iter().position(|e| Some(e.key) != self.selected) else { break };
            self.read.remove(i);
        }
    }

    /// Takes what the jobs have finished; returns the round now replayed when that changed.
    fn poll(&mut self) -> Option<RoundKey> {
        let mut changed = None;
        if let Some(job) = &self.job {
            let (arrived, status) = job.poll();
            for msg in arrived {
                match msg {
                    Listed::Found(found) => {
                        self.listings = found
                            .into_iter()
                            .map(|(summary, reader)| Listing { key: RoundKey::next(), summary, reader })
                            .collect();
                    }
                    Listed::Indexed(i, summary) => {
                        if let Some(l) = self.listings.get_mut(i) {
                            l.summary = summary;
                            self.indexed += 1;
                        }
                    }
                    Listed::Read(entry) => {
                        let key = entry.key;
                        self.listings.push(Listing {
                            key,
                            summary: RoundSummary::of(entry.round()),
                            reader: RoundReader::Read(entry.timeline.clone()),
                        });
                        self.indexed += 1;
                        self.keep(*entry);
                        self.selected = Some(key);
                        changed = Some(key);
                    }
                    Listed::Note(n) => self.notes.push(n),
                }
            }
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
        }
        // The newest round is replayed first.
        if self.selected.is_none()
            && self.reading.is_none()
            && let Some(first) = self.listings.first().map(|l| l.key)
        {
            self.select(first);
        }
        if let Some((key, job)) = &self.read_job
            && let Some(result) = job.poll_once()
        {
            let key = *key;
            self.read_job = None;
            self.reading = None;
            match result.and_then(|r| r) {
                Ok(entry) => {
                    // A round that appeared in a followed folder is summarised once read.
                    if let Some(l) = self.listings.iter_mut().find(|l| l.key == key && !l.summary.indexed) {
                        l.summary = RoundSummary::of(entry.round());
                    }
                    self.selected = Some(key);
                    self.keep(entry);
                    changed = Some(key);
                }
                Err(e) => self.error = Some(e),
            }
        }
        changed
    }

    /// Whether anything is still coming in (listing, indexing or reading a round).
    pub fn busy(&self) -> bool {
        self.loading || self.reading.is_some()
    }
}

pub(crate) fn plugin(app: &mut App) {
    app.init_resource::<Library>()
        .add_message::<SelectRound>()
        .add_message::<RoundChanged>()
        .add_message::<RoundGrown>()
        .configure_sets(Update, LibraryUpdate.in_set(Frame::Commands))
        .add_systems(Update, (poll_library, apply_round_selection).chain().in_set(LibraryUpdate));
}

fn poll_library(
    mut library: ResMut<Library>,
    mut changed: MessageWriter<RoundChanged>,
    mut grown: MessageWriter<RoundGrown>,
) {
    let _probe = super::timing::scope();
    if library.busy()
        && let Some(key) = library.poll()
    {
        changed.write(RoundChanged(key));
    }
    // Looking at the files is bookkeeping: the library counts as changed only when the round
    // really grew.
    if let Some(g) = library.bypass_change_detection().watch(std::time::Instant::now()) {
        library.set_changed();
        grown.write(g);
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
    while app.world().resource::<Library>().busy() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(5));
        app.update();
    }
}

#[cfg(test)]
impl Library {
    /// Replays round `key` now, reading it first if needed (for tests without the plugin).
    pub fn select_now(&mut self, key: RoundKey) {
        self.select(key);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while self.reading.is_some() && std::time::Instant::now() < deadline {
            self.poll();
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }
}

/// The demo rounds, listed and indexed, with the newest replayed (for tests of the systems).
#[cfg(test)]
pub fn loaded_demo() -> Library {
    let mut lib = Library::default();
    lib.open(Source::Demo);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while lib.busy() && std::time::Instant::now() < deadline {
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

mod live;
#[cfg(test)]
mod tests;

use live::Live;
pub use live::{FOLDER_CHECK, LIVE_CHECK, LIVE_FOR, RoundGrown};
