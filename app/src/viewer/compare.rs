//! The Layers panel's stopwatch compare: the shown round's stopwatch partner (the other round of
//! the same map and session in the list) read as a job and set as the [`Compare`]: its
//! attackers as ghosts, the kill difference heatmap, the splits (who was faster to each
//! objective and overall), and stopping.

use std::sync::Arc;

use bevy::prelude::*;
use bevy_egui::egui;
use proxviz_data::Timeline;
use proxviz_data::stopwatch::{PairKey, partner};

use crate::scene::compare::{Compare, CompareHeat};
use crate::scene::jobs::Job;
use crate::scene::library::{Library, RoundKey};
use crate::scene::picture::title_of;

/// The partner being read.
#[derive(Resource, Default)]
pub struct CompareUi {
    reading: Option<(RoundKey, Job<Result<Arc<Timeline>, String>>)>,
    /// Why the last compare could not start.
    pub error: Option<String>,
    /// Compare every shown round with its partner (`proxviz --compare`).
    pub auto: bool,
    auto_done_for: Option<RoundKey>,
}

impl CompareUi {
    /// Reading a partner, or about to (the screenshot script waits for it).
    pub fn busy(&self, library: &Library) -> bool {
        self.reading.is_some() || (self.auto && library.current().is_some() && self.auto_done_for != library.selected)
    }
}

/// The listed stopwatch partner of the shown round.
pub fn partner_of(library: &Library) -> Option<RoundKey> {
    let me = library.listings.iter().position(|l| Some(l.key) == library.selected)?;
    let keys: Vec<PairKey> = library.listings.iter().map(|l| PairKey::of_summary(&l.summary)).collect();
    partner(&keys, me).map(|j| library.listings[j].key)
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<CompareUi>().add_systems(Update, (auto_compare, poll_partner).chain());
}

/// With `--compare`: each round shown is compared with its partner, when the list has one.
fn auto_compare(mut ui: ResMut<CompareUi>, library: Res<Library>) {
    if !ui.auto || ui.reading.is_some() || library.loading || library.current().is_none() {
        return;
    }
    if ui.auto_done_for == library.selected {
        return;
    }
    ui.auto_done_for = library.selected;
    if let Some(other) = partner_of(&library) {
        start(&mut ui, &library, other);
    }
}

/// Starts comparing the shown round with its listed partner `other`.
pub fn start(ui: &mut CompareUi, library: &Library, other: RoundKey) {
    let (Some(with), Some(listing)) = (library.selected, library.listing(other)) else { return };
    // A round read already (the last ones replayed) needs no job.
    let reader = match library.entry(other) {
        Some(e) => crate::scene::library::RoundReader::Read(e.timeline.clone()),
        None => listing.reader.clone(),
    };
    ui.error = None;
    ui.reading = Some((with, Job::once("compare round", move || reader.read())));
}

fn poll_partner(mut ui: ResMut<CompareUi>, library: Res<Library>, mut compare: ResMut<Compare>) {
    let Some((with, job)) = &ui.reading else { return };
    let Some(result) = job.poll_once() else { return };
    let with = *with;
    ui.reading = None;
    match result.and_then(|r| r) {
        Ok(other) => match library.entry(with).filter(|_| library.selected == Some(with)) {
            Some(entry) => compare.set(with, &entry.timeline, other),
            None => ui.error = Some("another round is shown now".to_owned()),
        },
        Err(e) => ui.error = Some(e),
    }
}

/// The compare section of the Layers panel.
pub fn compare_ui(ui: &mut egui::Ui, state: &mut CompareUi, compare: &mut Compare, library: &Library) {
    ui.label(egui::RichText::new("Stopwatch compare").strong()).on_hover_text(
        "ET's stopwatch plays a map twice with the sides swapped: replay this round with the other one's \
         attackers as ghosts at the same time since the start, and see who was faster",
    );
    if let Some(other) = compare.other_for(library.selected).cloned() {
        ui.label(format!("vs {}", title_of(other.round())));
        let mut s = compare.settings;
        ui.checkbox(&mut s.ghosts, "Ghosts").on_hover_text(match compare.attackers {
            Some(t) => format!("the other round's attackers ({}) as hollow rings", t.name().to_lowercase()),
            None => "the other round's players as hollow rings (its files do not say who attacked)".to_owned(),
        });
        let mut diff = s.heat == CompareHeat::Difference;
        ui.checkbox(&mut diff, "Kill heatmap: this round − the other")
            .on_hover_text("red where this round had more kills, blue where the other had");
        s.heat = if diff { CompareHeat::Difference } else { CompareHeat::Off };
        if s != compare.settings {
            compare.settings = s;
            compare.generation += 1;
        }
        egui::Grid::new("splits").striped(true).show(ui, |ui| {
            for split in &compare.splits {
                let colour = match split.delta_ms() {
                    Some(d) if d < 0 => egui::Color32::from_rgb(140, 215, 140),
                    Some(d) if d > 0 => egui::Color32::from_rgb(240, 150, 130),
                    _ => egui::Color32::GRAY,
                };
                ui.colored_label(colour, split.describe());
                ui.end_row();
            }
        });
        if ui.button("Stop comparing").clicked() {
            compare.clear();
        }
        return;
    }
    if state.reading.is_some() {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("reading the other round…");
        });
        return;
    }
    match partner_of(library).and_then(|k| library.listing(k)) {
        Some(listing) => {
            let s = &listing.summary;
            let label = format!(
                "Compare with round {} ({})",
                s.round.map_or("?".to_owned(), |n| n.to_string()),
                s.time.map_or_else(|| s.base.clone(), |t| t.format("%H:%M").to_string())
            );
            let key = listing.key;
            if ui.button(label).clicked() {
                start(state, library, key);
            }
        }
        None => {
            ui.weak("no other round of this map and session in the list");
        }
    }
    if let Some(e) = &state.error {
        ui.colored_label(egui::Color32::from_rgb(230, 110, 100), e);
    }
}
