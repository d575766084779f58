//! The timeline at the bottom: play / pause and event jumps, time, speed, trail length, the
//! loop range, and the scrub bar with kill ticks in the killer's team colour, engagement ticks
//! and dots for revives and objective events (hover one to read it); click or drag to seek,
//! Shift+drag to loop a range.

use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};
use proxviz_data::Timeline;

use super::super::shortcuts::Shortcut;
use super::{FreeArea, color32, panel_root, rgb32};
use crate::scene::clock::{Clock, ClockMsg};
use crate::scene::library::{Library, RoundKey};
use crate::scene::model::clock::{ClockCommand, SPEEDS, mm_ss};
use crate::scene::model::present::team_rgb;
use crate::scene::model::round_events::{describe, event_rgb};
use crate::scene::view::ViewSettings;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Ticks>();
}

/// The scrub bar's marks of the replayed round, in time order: kills in the killer's team
/// colour, engagements. Built once per round.
#[derive(Resource, Default)]
pub(super) struct Ticks {
    round: Option<RoundKey>,
    kills: Vec<(u32, egui::Color32)>,
    engagements: Vec<u32>,
    /// Revives and objective events: time, colour, what it was.
    events: Vec<(u32, egui::Color32, String)>,
}

impl Ticks {
    fn of(round: RoundKey, tl: &Timeline) -> Self {
        let kills =
            tl.kills().iter().map(|k| (k.time_ms, color32(team_rgb(tl.team_at(k.killer, k.time_ms))))).collect();
        let r = tl.round();
        let events = r
            .events
            .iter()
            .map(|e| (e.time_ms, rgb32(event_rgb(e.kind)), format!("{}  {}", mm_ss(e.time_ms), describe(r, e))))
            .collect();
        Self { round: Some(round), kills, engagements: tl.engagement_times().to_vec(), events }
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn timeline_ui(
    mut contexts: EguiContexts,
    mut free: ResMut<FreeArea>,
    library: Res<Library>,
    clock: Res<Clock>,
    mut view: ResMut<ViewSettings>,
    mut ticks: ResMut<Ticks>,
    mut clock_out: MessageWriter<ClockMsg>,
    mut shortcuts: MessageWriter<Shortcut>,
) -> Result {
    let _probe = crate::scene::timing::scope();
    let ctx = contexts.ctx_mut()?.clone();
    let mut root = panel_root(&ctx, &free, "timeline");
    let mut send = |c| {
        clock_out.write(ClockMsg(c));
    };
    let button = |ui: &mut egui::Ui, text: &str, shortcut: Shortcut| {
        ui.button(text).on_hover_text(format!("{} ({})", shortcut.help(), shortcut.keys_label())).clicked()
    };
    egui::Panel::bottom("timeline").show(&mut root, |ui| {
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            if button(ui, "⏮", Shortcut::PreviousEvent) {
                shortcuts.write(Shortcut::PreviousEvent);
            }
            if button(ui, if clock.is_playing() { "⏸" } else { "▶" }, Shortcut::PlayPause) {
                shortcuts.write(Shortcut::PlayPause);
            }
            if button(ui, "⏭", Shortcut::NextEvent) {
                shortcuts.write(Shortcut::NextEvent);
            }
            ui.monospace(format!("{} / {}", mm_ss(clock.time_ms()), mm_ss(clock.duration_ms())));
            let mut speed = clock.speed();
            egui::ComboBox::from_id_salt("speed").selected_text(format!("{speed}×")).show_ui(ui, |ui| {
                for s in SPEEDS {
                    ui.selectable_value(&mut speed, s, format!("{s}×"));
                }
            });
            if speed != clock.speed() {
                send(ClockCommand::SetSpeed(speed));
            }
            ui.label("trail");
            let mut trail_secs = view.trail_secs;
            ui.add(egui::DragValue::new(&mut trail_secs).range(0.0..=60.0).suffix(" s"));
            if trail_secs != view.trail_secs {
                view.trail_secs = trail_secs;
            }
            ui.separator();
            if button(ui, "loop in", Shortcut::LoopIn) {
                shortcuts.write(Shortcut::LoopIn);
            }
            if button(ui, "loop out", Shortcut::LoopOut) {
                shortcuts.write(Shortcut::LoopOut);
            }
            match clock.loop_range() {
                Some((a, b)) => {
                    ui.monospace(format!("⟲ {}–{}", mm_ss(a), mm_ss(b)));
                    if button(ui, "✖", Shortcut::StopLoop) {
                        shortcuts.write(Shortcut::StopLoop);
                    }
                }
                None => {
                    ui.weak("Shift+drag on the timeline to loop a range");
                }
            }
        });
        if let Some(entry) = library.current() {
            if ticks.round != Some(entry.key) {
                *ticks = Ticks::of(entry.key, &entry.timeline);
            }
            match scrub_bar_ui(ui, &ticks, clock.time_ms(), clock.duration_ms(), clock.loop_range()) {
                Some(Scrub::Seek(t)) => send(ClockCommand::SetTime(t)),
                Some(Scrub::Loop(a, b)) => send(ClockCommand::SetLoop(Some((a, b)))),
                None => {}
            }
        }
        ui.add_space(4.0);
    });
    free.0 = root.available_rect_before_wrap();
    Ok(())
}

/// What the user did on the scrub bar.
enum Scrub {
    /// Click or drag: go there.
    Seek(u32),
    /// Shift+drag: loop this range.
    Loop(u32, u32),
}

/// The scrub bar: the loop range shaded, kill ticks in the killer's team colour, engagement ticks
/// below, the cursor; click or drag to seek, Shift+drag to select a loop range.
fn scrub_bar_ui(
    ui: &mut egui::Ui,
    ticks: &Ticks,
    now_ms: u32,
    duration_ms: u32,
    loop_range: Option<(u32, u32)>,
) -> Option<Scrub> {
    let (rect, response) =
        ui.allocate_exact_size(egui::vec2(ui.available_width(), 36.0), egui::Sense::click_and_drag());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 3.0, egui::Color32::from_gray(35));
    let span = duration_ms.max(1) as f32;
    let x_of = |t: u32| rect.left() + rect.width() * (t as f32 / span);
    let t_of = |x: f32| (((x - rect.left()) / rect.width()).clamp(0.0, 1.0) * span) as u32;
    if let Some((a, b)) = loop_range {
        painter.rect_filled(
            egui::Rect::from_x_y_ranges(x_of(a)..=x_of(b), rect.y_range()),
            0.0,
            egui::Color32::from_rgba_unmultiplied(255, 220, 80, 40),
        );
    }
    let shift = ui.input(|i| i.modifiers.shift);
    if shift && (response.drag_started() || response.dragged()) {
        let id = response.id.with("loop_anchor");
        if response.drag_started()
            && let Some(p) = response.interact_pointer_pos()
        {
            ui.data_mut(|d| d.insert_temp(id, t_of(p.x)));
        }
        if let (Some(anchor), Some(p)) = (ui.data(|d| d.get_temp::<u32>(id)), response.interact_pointer_pos()) {
            let t = t_of(p.x);
            return Some(Scrub::Loop(anchor.min(t), anchor.max(t)));
        }
    }
    // One mark per pixel column and colour: a long round has thousands of events.
    let mut last: Option<(i32, egui::Color32)> = None;
    for &(t, colour) in &ticks.kills {
        let x = x_of(t);
        if last == Some((x as i32, colour)) {
            continue;
        }
        last = Some((x as i32, colour));
        painter.line_segment(
            [egui::pos2(x, rect.top() + 3.0), egui::pos2(x, rect.center().y)],
            egui::Stroke::new(1.5, colour),
        );
    }
    let mut last_x = None;
    for &t in &ticks.engagements {
        let x = x_of(t);
        if last_x == Some(x as i32) {
            continue;
        }
        last_x = Some(x as i32);
        painter.line_segment(
            [egui::pos2(x, rect.center().y + 2.0), egui::pos2(x, rect.bottom() - 10.0)],
            egui::Stroke::new(1.0, egui::Color32::from_gray(170)),
        );
    }
    // Revives and objective events: a dot each along the bottom; hovering one says what it was.
    let dot_y = rect.bottom() - 5.0;
    let mut last: Option<(i32, egui::Color32)> = None;
    for (t, colour, _) in &ticks.events {
        let x = x_of(*t);
        if last == Some((x as i32, *colour)) {
            continue;
        }
        last = Some((x as i32, *colour));
        painter.circle_filled(egui::pos2(x, dot_y), 3.0, *colour);
    }
    if let Some(p) = response.hover_pos().filter(|p| (p.y - dot_y).abs() <= 6.0) {
        let near: Vec<&str> = ticks
            .events
            .iter()
            .filter(|(t, _, _)| (x_of(*t) - p.x).abs() <= 4.0)
            .take(8)
            .map(|(_, _, text)| text.as_str())
            .collect();
        if !near.is_empty() {
            response.clone().on_hover_ui_at_pointer(|ui| {
                for line in near {
                    ui.label(line);
                }
            });
        }
    }
    let x = x_of(now_ms);
    painter.line_segment(
        [egui::pos2(x, rect.top()), egui::pos2(x, rect.bottom())],
        egui::Stroke::new(2.0, egui::Color32::from_rgb(255, 220, 80)),
    );
    if (response.clicked() || response.dragged())
        && let Some(p) = response.interact_pointer_pos()
    {
        return Some(Scrub::Seek(t_of(p.x)));
    }
    None
}
