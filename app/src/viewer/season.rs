//! The season view in the window: the heatmap counts the kills of every round of the open
//! round's map — from the database (computed there, no round loaded) when the round came from
//! it, else from the rounds of that map in the open folder — with dates, round number and part
//! of a player's name as filters. The Layers panel holds its controls and says how many rounds
//! and kills it covers.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bevy::prelude::*;
use bevy_egui::egui;
use proxviz_data::season::{Season, SeasonFilter};

use super::database::{Database, parse_date};
use crate::scene::Frame;
use crate::scene::jobs::Job;
use crate::scene::library::{Library, LibraryUpdate, RoundReader, Source};
use crate::scene::season::SeasonLayer;

/// Where a season's rounds are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The open folder's rounds.
    Folder,
    /// The database the round came from.
    Database,
}

/// What a season was computed for.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Wanted {
    filter: SeasonFilter,
    origin: Origin,
    rounds: usize,
}

/// The season controls and the season being computed.
#[derive(Resource, Default)]
pub struct SeasonView {
    /// Draw the season instead of the round's kills.
    pub on: bool,
    /// First date as typed.
    pub from: String,
    /// Last date as typed.
    pub to: String,
    /// Round 1 or 2.
    pub round: Option<u32>,
    /// Part of a player's name.
    pub player: String,
    /// Why it cannot be shown.
    pub error: Option<String>,
    /// Where the season shown came from.
    pub origin: Option<Origin>,
    applied: Option<Wanted>,
    computed_at: Option<Instant>,
    job: Option<Job<Result<Season, String>>>,
}

impl SeasonView {
    /// The filter for `map`, or what is wrong with a field.
    pub fn filter(&self, map: &str) -> Result<SeasonFilter, String> {
        Ok(SeasonFilter {
            map: map.to_owned(),
            from: parse_date(&self.from)?,
            to: parse_date(&self.to)?,
            round_number: self.round,
            player: Some(self.player.trim().to_owned()).filter(|p| !p.is_empty()),
        })
    }

    /// Still computing.
    pub fn computing(&self) -> bool {
        self.job.is_some()
    }
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<SeasonView>().add_systems(Update, update_season.in_set(Frame::Commands).after(LibraryUpdate));
}

/// Keeps the season layer in step with the controls, the open round's map and its source.
fn update_season(
    mut view: ResMut<SeasonView>,
    library: Res<Library>,
    db: Res<Database>,
    mut layer: ResMut<SeasonLayer>,
) {
    let view = &mut *view;
    if !view.on {
        if layer.season().is_some() {
            layer.set(None);
        }
        (view.applied, view.job, view.origin) = (None, None, None);
        return;
    }
    if let Some(answer) = view.job.as_ref().and_then(Job::poll_once) {
        view.job = None;
        match answer.and_then(|r| r) {
            Ok(season) => layer.set(Some(Arc::new(season))),
            Err(e) => view.error = Some(e),
        }
    }
    let Some(entry) = library.current() else { return };
    let Some(map) = entry.round().map() else {
        view.error = Some("this round names no map".into());
        return;
    };
    let filter = match view.filter(map) {
        Ok(f) => f,
        Err(e) => {
            view.error = Some(e);
            return;
        }
    };
    let client = db.client.as_ref().filter(|_| matches!(library.source, Some(Source::Database { .. })));
    let origin = if client.is_some() { Origin::Database } else { Origin::Folder };
    let wanted = Wanted { filter, origin, rounds: library.indexed };
    if view.applied.as_ref() == Some(&wanted) || view.job.is_some() {
        // (A change while counting is taken up when the count is in.)
        return;
    }
    // While a folder is still loading, recount at most once a second.
    let same_filter = view.applied.as_ref().is_some_and(|a| a.filter == wanted.filter && a.origin == wanted.origin);
    if same_filter && library.loading && view.computed_at.is_some_and(|t| t.elapsed() < Duration::from_secs(1)) {
        return;
    }
    view.error = None;
    view.origin = Some(origin);
    view.computed_at = Some(Instant::now());
    match client {
        None => {
            // Off the main thread, one round at a time: a folder may hold hundreds of rounds of
            // the map. Rounds whose summary rules them out are not read at all.
            let f = wanted.filter.clone();
            let readers: Vec<RoundReader> = library
                .listings
                .iter()
                .filter(|l| might_take(&f, &l.summary))
                .map(|l| match library.entry(l.key) {
                    Some(e) => RoundReader::Read(e.timeline.clone()),
                    None => l.reader.clone(),
                })
                .collect();
            view.job = Some(Job::once("season", move || {
                Ok(Season::of_rounds(&f, readers.iter().filter_map(|r| r.read().ok())))
            }));
        }
        Some(c) => {
            let (c, f) = (c.clone(), wanted.filter.clone());
            view.job = Some(Job::once("season", move || c.run(|s| async move { s.season(&f).await })));
        }
    }
    view.applied = Some(wanted);
}

/// Whether a round's summary lets it into the season (a round not indexed yet may).
fn might_take(f: &SeasonFilter, s: &proxviz_data::index::RoundSummary) -> bool {
    if !s.indexed {
        return s.map.as_ref().is_none_or(|m| *m == f.map);
    }
    s.map.as_deref() == Some(f.map.as_str())
        && f.from.is_none_or(|d| s.date.is_some_and(|x| x >= d))
        && f.to.is_none_or(|d| s.date.is_some_and(|x| x <= d))
        && f.round_number.is_none_or(|n| s.round == Some(n))
        && f.player.as_deref().is_none_or(|p| s.has_player(p))
}

/// The season's controls in the Layers panel.
pub fn season_ui(ui: &mut egui::Ui, view: &mut SeasonView, layer: &SeasonLayer, map: Option<&str>, database: bool) {
    let whence = if database { "in the database" } else { "in the open folder" };
    let label = format!("Season: every round of {} {whence}", map.unwrap_or("this map"));
    ui.checkbox(&mut view.on, label).on_hover_text("the heatmap counts the kills of all these rounds");
    if !view.on {
        return;
    }
    ui.horizontal(|ui| {
        ui.label("from");
        ui.add(egui::TextEdit::singleline(&mut view.from).hint_text("YYYY-MM-DD").desired_width(82.0));
        ui.label("to");
        ui.add(egui::TextEdit::singleline(&mut view.to).hint_text("YYYY-MM-DD").desired_width(82.0));
    });
    ui.horizontal(|ui| {
        ui.label("round");
        ui.selectable_value(&mut view.round, None, "both");
        ui.selectable_value(&mut view.round, Some(1), "1");
        ui.selectable_value(&mut view.round, Some(2), "2");
    });
    ui.horizontal(|ui| {
        ui.label("player");
        ui.add(egui::TextEdit::singleline(&mut view.player).hint_text("part of a name").desired_width(140.0));
    });
    if let Some(e) = &view.error {
        ui.colored_label(egui::Color32::from_rgb(240, 120, 100), e);
    } else if view.computing() {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.weak("counting…");
        });
    } else if let Some(s) = layer.season() {
        ui.label(format!("covers {} rounds · {} kills", s.rounds, s.kills));
    }
}
