//! A round being played: the replayed round's files are looked at every second and the round
//! read again when they grew ([`RoundGrown`]); a followed folder (`proxviz --follow`) is
//! listed again every few seconds and a new round in it listed and replayed.

use std::path::PathBuf;

use bevy::prelude::*;
use proxviz_data::RoundFiles;
use proxviz_data::index::RoundSummary;

use super::{Entry, Library, Listing, RoundKey, RoundReader, Source};
use crate::scene::jobs::Job;

/// How often the replayed round's files are looked at: the tracker appends to a round being
/// played once a second.
pub const LIVE_CHECK: std::time::Duration = std::time::Duration::from_secs(1);

/// A round that grew this recently is live (the window wakes every [`LIVE_CHECK`] for it).
pub const LIVE_FOR: std::time::Duration = std::time::Duration::from_secs(30);

/// Watching the replayed round's files for growth.
#[derive(Default)]
pub(super) struct Live {
    /// The replayed round's files when last looked at.
    seen: Option<(RoundKey, Vec<proxviz_data::index::Stamp>)>,
    /// When they were last looked at.
    checked: Option<std::time::Instant>,
    /// When the replayed round last grew.
    grew: Option<std::time::Instant>,
    /// Whether the replayed round's files were written within [`LIVE_FOR`] when last looked at.
    recent: bool,
    /// How long the last reading again took: the next look waits at least twice that, so a
    /// long round being played never keeps the cores busy.
    cost: std::time::Duration,
    /// Reading the round again: the key it replaces, and the job (the round and how long
    /// reading it took).
    job: Option<(RoundKey, Job<Result<(Entry, std::time::Duration), String>>)>,
    /// Listing the followed folder again, and when it was last started.
    listing: Option<Job<(PathBuf, Vec<RoundFiles>)>>,
    listed: Option<std::time::Instant>,
}

/// How often a followed folder is listed again for new rounds.
pub const FOLDER_CHECK: std::time::Duration = std::time::Duration::from_secs(3);

/// The replayed round grew (a live round: its files were appended to) and was read again:
/// `new` replaces `old` in the list and the replay, the clock keeps its place.
#[derive(Message, Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoundGrown {
    /// The key of the round as it was.
    pub old: RoundKey,
    /// The key of the round as it is now.
    pub new: RoundKey,
}

impl Library {
    /// With [`Library::follow_folder`]: lists the open folder again every [`FOLDER_CHECK`]
    /// (off the main thread: a season's folder is thousands of files); a round not listed yet
    /// goes to the top of the list, and the newest of them is replayed when it is newer than
    /// the one replayed now.
    fn watch_folder(&mut self, now: std::time::Instant) {
        if let Some(job) = &self.live.listing
            && let Some(result) = job.poll_once()
        {
            self.live.listing = None;
            // Another source opened meanwhile: what was found is not its.
            let Ok((folder, mut found)) = result else { return };
            if self.loading || self.source != Some(Source::Path(folder)) {
                return;
            }
            let listed: std::collections::HashSet<&str> =
                self.listings.iter().map(|l| l.summary.base.as_str()).collect();
            found.retain(|f| !listed.contains(f.name.base.as_str()));
            if found.is_empty() {
                return;
            }
            found.sort_by(|a, b| {
                (b.name.date, b.name.start_time, &b.name.base).cmp(&(a.name.date, a.name.start_time, &a.name.base))
            });
            let fresh: Vec<Listing> = found
                .into_iter()
                .map(|f| Listing {
                    key: RoundKey::next(),
                    summary: RoundSummary::named(&f),
                    reader: RoundReader::Files(f),
                })
                .collect();
            let newest = fresh[0].key;
            let replay_it = self.selected.and_then(|k| self.listing(k)).is_none_or(|now| {
                RoundSummary::newest_first(&fresh[0].summary, &now.summary) == std::cmp::Ordering::Less
            });
            self.listings.splice(0..0, fresh);
            self.listings.sort_by(|a, b| RoundSummary::newest_first(&a.summary, &b.summary));
            if replay_it {
                self.select(newest);
            }
            return;
        }
        if !self.follow_folder || self.live.listing.is_some() || self.loading {
            return;
        }
        if self.live.listed.is_some_and(|t| now - t < FOLDER_CHECK) {
            return;
        }
        self.live.listed = Some(now);
        let Some(Source::Path(folder)) = &self.source else { return };
        if !folder.is_dir() {
            return;
        }
        let folder = folder.clone();
        self.live.listing = Some(Job::once("folder watcher", move || {
            let found = proxviz_data::discover_rounds(&folder).unwrap_or_default();
            (folder, found)
        }));
    }

    /// Whether the replayed round is being played now: it grew, or its files were written,
    /// within [`LIVE_FOR`].
    pub fn is_live(&self) -> bool {
        let replayed = self.selected.is_some() && self.live.seen.as_ref().map(|s| s.0) == self.selected;
        replayed && (self.live.recent || self.live.grew.is_some_and(|t| t.elapsed() < LIVE_FOR))
    }

    /// How often the window must wake for what is watched: every [`LIVE_CHECK`] for a live
    /// round, every [`FOLDER_CHECK`] for a followed folder, else `None`.
    pub fn watch_interval(&self) -> Option<std::time::Duration> {
        if self.is_live() {
            Some(LIVE_CHECK)
        } else if self.follow_folder && matches!(self.source, Some(Source::Path(_))) {
            Some(FOLDER_CHECK)
        } else {
            None
        }
    }

    /// Looks at the replayed round's files every [`LIVE_CHECK`]: when they changed (the tracker
    /// appended a second of play, or the server wrote the round's end), reads the round again
    /// in the background and, once read, puts it in place of the old one.
    pub(super) fn watch(&mut self, now: std::time::Instant) -> Option<RoundGrown> {
        if let Some((old, job)) = &self.live.job
            && let Some(result) = job.poll_once()
        {
            let old = *old;
            self.live.job = None;
            let (entry, cost) = result.and_then(|r| r).ok()?;
            self.live.cost = cost;
            if self.selected != Some(old) {
                return None;
            }
            let new = entry.key;
            if let Some(listing) = self.listings.iter_mut().find(|l| l.key == old) {
                listing.key = new;
                listing.summary = RoundSummary::of(entry.round());
            }
            self.read.retain(|e| e.key != old);
            self.read.push(entry);
            self.selected = Some(new);
            self.live.seen = self.live.seen.take().map(|(_, stamps)| (new, stamps));
            self.live.grew = Some(now);
            return Some(RoundGrown { old, new });
        }
        self.watch_folder(now);
        let wait = LIVE_CHECK.max(self.live.cost * 2);
        if self.live.job.is_some() || self.busy() || self.live.checked.is_some_and(|c| now - c < wait) {
            return None;
        }
        self.live.checked = Some(now);
        let key = self.selected?;
        let RoundReader::Files(files) = &self.listing(key)?.reader else { return None };
        // A file the tracker writes later (the heatmap file at the round's end) joins in.
        let files = files.refreshed();
        let stamps = proxviz_data::index::stamps(&files)?;
        let newest = stamps.iter().map(|s| s.modified_ns).max().unwrap_or(0);
        let wall_ns = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        self.live.recent = wall_ns.saturating_sub(newest) < LIVE_FOR.as_nanos();
        let same_round = matches!(&self.live.seen, Some((k, _)) if *k == key);
        let changed = matches!(&self.live.seen, Some((k, seen)) if *k == key && *seen != stamps);
        if !same_round {
            self.live.grew = None;
        }
        self.live.seen = Some((key, stamps));
        if changed {
            self.live.job = Some((
                key,
                Job::once("live round reader", move || {
                    let started = std::time::Instant::now();
                    let entry = Entry::new(files.load());
                    Ok((entry, started.elapsed()))
                }),
            ));
        }
        None
    }
}
