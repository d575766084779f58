//! The panels around the map, in egui: top bar, rounds and players on the left, the timeline at
//! the bottom, name labels, and windows for help, statistics and the load report. UI code reads
//! resources and sends messages; it never changes the clock itself.

use bevy::prelude::*;
use bevy::window::{FileDragAndDrop, PrimaryWindow};
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use proxviz_data::{Statistics, StatsConfig, statistics};

use super::ViewSettings;
use super::clock::{Clock, ClockMsg, EventJump};
use super::draw::Present;
use super::library::Library;
use super::library::Source;
use super::map_view::{FitView, MapCamera, PanelInsets};
use super::open::{OpenNotice, OpenRequest, PendingDialog, RecentFolders};
use crate::replay::clock::{ClockCommand, SPEEDS, mm_ss};
use crate::replay::scene::{Marker, kd_all, team_rgb};

/// Statistics of the selected round, computed once per selection.
#[derive(Resource, Default)]
struct StatsCache(Option<(usize, Statistics)>);

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<StatsCache>().add_systems(
        EguiPrimaryContextPass,
        (panels_ui, labels_ui, super::layers_ui::engagement_hover, super::layers_ui::export_window)
            .chain()
            .in_set(super::OurSystems),
    );
}

/// An egui colour from linear-ish 0–1 RGB.
pub fn color32(rgb: [f32; 3]) -> egui::Color32 {
    egui::Color32::from_rgb((rgb[0] * 255.0) as u8, (rgb[1] * 255.0) as u8, (rgb[2] * 255.0) as u8)
}

#[allow(clippy::too_many_arguments, clippy::type_complexity)]
fn panels_ui(
    mut contexts: EguiContexts,
    mut library: ResMut<Library>,
    clock: Res<Clock>,
    mut settings: ResMut<ViewSettings>,
    mut insets: ResMut<PanelInsets>,
    mut stats: ResMut<StatsCache>,
    mut clock_out: MessageWriter<ClockMsg>,
    mut jumps: MessageWriter<EventJump>,
    mut fit: MessageWriter<FitView>,
    keys: Res<ButtonInput<KeyCode>>,
    (mut open, recent, pending, mut notice, mut hovering): (
        MessageWriter<OpenRequest>,
        Option<Res<RecentFolders>>,
        Res<PendingDialog>,
        ResMut<OpenNotice>,
        Local<bool>,
    ),
    mut drags: MessageReader<FileDragAndDrop>,
    mut layers: super::layers_ui::LayersParams,
    mut ticks: Local<Ticks>,
    present: Res<Present>,
) -> Result {
    let _probe = super::perf::scope();
    let ctx = contexts.ctx_mut()?.clone();
    for drag in drags.read() {
        *hovering = matches!(drag, FileDragAndDrop::HoveredFile { .. });
    }
    let ctrl = keys.any_pressed([KeyCode::ControlLeft, KeyCode::ControlRight, KeyCode::SuperLeft, KeyCode::SuperRight]);
    if ctrl && keys.just_pressed(KeyCode::KeyO) {
        open.write(OpenRequest::PickFolder);
    }
    if !ctx.egui_wants_keyboard_input() && !ctrl {
        if keys.just_pressed(KeyCode::KeyN) {
            settings.names = !settings.names;
        }
        if keys.just_pressed(KeyCode::KeyT) {
            settings.trails = !settings.trails;
        }
        if keys.just_pressed(KeyCode::KeyH) || keys.just_pressed(KeyCode::F1) {
            settings.help = !settings.help;
        }
    }
    let mut root = egui::Ui::new(
        ctx.clone(),
        "root".into(),
        egui::UiBuilder::new().layer_id(egui::LayerId::background()).max_rect(ctx.viewport_rect()),
    );
    let mut send = |c| {
        clock_out.write(ClockMsg(c));
    };

    let top = egui::Panel::top("top").show(&mut root, |ui| {
        ui.horizontal(|ui| {
            ui.strong("proxviz");
            ui.menu_button("File", |ui| {
                if ui.add_enabled(!pending.is_open(), egui::Button::new("Open folder…  (Ctrl+O)")).clicked() {
                    open.write(OpenRequest::PickFolder);
                    ui.close();
                }
                if ui.add_enabled(!pending.is_open(), egui::Button::new("Open round file…")).clicked() {
                    open.write(OpenRequest::PickFile);
                    ui.close();
                }
                if ui.button("Open the demo rounds").clicked() {
                    open.write(OpenRequest::Source(Source::Demo));
                    ui.close();
                }
                ui.separator();
                ui.label("Recent");
                match recent.as_deref() {
                    Some(r) if !r.paths.is_empty() => {
                        for path in &r.paths {
                            if ui.button(path.display().to_string()).clicked() {
                                open.write(OpenRequest::Source(Source::Path(path.clone())));
                                ui.close();
                            }
                        }
                    }
                    _ => {
                        ui.weak("nothing yet (drop a folder on the window)");
                    }
                }
            });
            ui.separator();
            match library.current() {
                Some(e) => {
                    let r = e.round();
                    ui.label(format!(
                        "{}  {}  round {}  ·  {} players  ·  {} kills",
                        r.name.date.map_or_else(|| "-".into(), |d| d.to_string()),
                        r.map().unwrap_or("unknown map"),
                        r.round_number().map_or_else(|| "-".into(), |n| n.to_string()),
                        e.players,
                        e.kills
                    ));
                }
                None if library.loading => {
                    ui.spinner();
                    ui.label(format!("loading {}…", library.source.as_ref().map(|s| s.label()).unwrap_or_default()));
                }
                None => {
                    ui.label("no round open");
                }
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.toggle_value(&mut settings.help, "Help");
                ui.toggle_value(&mut settings.stats, "Statistics");
                if ui.button("Fit").clicked() {
                    fit.write(FitView);
                }
                ui.toggle_value(&mut settings.heat_grid, "Heatmap grid");
                ui.toggle_value(&mut settings.trails, "Trails");
                ui.toggle_value(&mut settings.names, "Names");
            });
        });
    });

    let bottom = egui::Panel::bottom("timeline").show(&mut root, |ui| {
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            if ui.button("⏮").on_hover_text("previous event (,)").clicked() {
                jumps.write(EventJump::Previous);
            }
            let label = if clock.is_playing() { "⏸" } else { "▶" };
            if ui.button(label).on_hover_text("play / pause (Space)").clicked() {
                send(ClockCommand::TogglePlayPause);
            }
            if ui.button("⏭").on_hover_text("next event (.)").clicked() {
                jumps.write(EventJump::Next);
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
            ui.add(egui::DragValue::new(&mut settings.trail_secs).range(0.0..=60.0).suffix(" s"));
            ui.separator();
            let now = clock.time_ms();
            if ui.button("loop in").on_hover_text("loop from here (I)").clicked() {
                let end = clock.loop_range().map_or(clock.duration_ms(), |(_, e)| e);
                send(ClockCommand::SetLoop(Some((now, end.max(now)))));
            }
            if ui.button("loop out").on_hover_text("loop up to here (O)").clicked() {
                let start = clock.loop_range().map_or(0, |(s, _)| s);
                send(ClockCommand::SetLoop(Some((start.min(now), now))));
            }
            match clock.loop_range() {
                Some((a, b)) => {
                    ui.monospace(format!("⟲ {}–{}", mm_ss(a), mm_ss(b)));
                    if ui.button("✖").on_hover_text("stop looping (L)").clicked() {
                        send(ClockCommand::SetLoop(None));
                    }
                }
                None => {
                    ui.weak("Shift+drag on the timeline to loop a range");
                }
            }
        });
        if let Some(entry) = library.current() {
            if ticks.0 != library.selected {
                *ticks = Ticks::of(library.selected, &entry.timeline);
            }
            match scrub_bar_ui(ui, &ticks, clock.time_ms(), clock.duration_ms(), clock.loop_range()) {
                Some(Scrub::Seek(t)) => send(ClockCommand::SetTime(t)),
                Some(Scrub::Loop(a, b)) => send(ClockCommand::SetLoop(Some((a, b)))),
                None => {}
            }
        }
        ui.add_space(4.0);
    });

    let right_width = super::layers_ui::right_panel(&mut root, &mut layers, &library, &mut settings, &keys);

    let left = egui::Panel::left("lists").resizable(true).default_size(300.0).show(&mut root, |ui| {
        ui.heading("Rounds");
        let mut pick = None;
        egui::ScrollArea::vertical().id_salt("rounds").max_height(220.0).show(ui, |ui| {
            egui::Grid::new("rounds_grid").striped(true).show(ui, |ui| {
                for h in ["date", "time", "map", "round", "players", "kills"] {
                    ui.weak(h);
                }
                ui.end_row();
                for (i, e) in library.entries.iter().enumerate() {
                    let r = e.round();
                    let selected = library.selected == Some(i);
                    let cells = [
                        r.name.date.map_or_else(|| "-".into(), |d| d.to_string()),
                        r.name.start_time.map_or_else(|| "-".into(), |t| t.format("%H:%M").to_string()),
                        r.map().unwrap_or("?").to_owned(),
                        r.round_number().map_or_else(|| "-".into(), |n| n.to_string()),
                        e.players.to_string(),
                        e.kills.to_string(),
                    ];
                    for cell in cells {
                        if ui.selectable_label(selected, cell).clicked() {
                            pick = Some(i);
                        }
                    }
                    ui.end_row();
                }
            });
            if library.loading {
                ui.spinner();
            }
        });
        if let Some(i) = pick {
            library.select(i);
        }
        ui.separator();
        ui.horizontal(|ui| {
            ui.heading("Players");
            for team in [proxviz_data::Team::Axis, proxviz_data::Team::Allies] {
                let mut shown = !settings.hidden.teams.contains(&team);
                let text = egui::RichText::new(team.name()).color(color32(team_rgb(Some(team))));
                if ui.checkbox(&mut shown, text).on_hover_text("show / hide the team").changed() {
                    settings.hidden.set_team(team, shown);
                }
            }
        });
        if let Some(entry) = library.current() {
            let t = clock.time_ms();
            let mut markers: Vec<&Marker> = present.0.iter().collect();
            markers.sort_by_key(|m| (m.team.map(|t| t.number()), m.clientnum));
            let kd = kd_all(&entry.timeline, t);
            ui.horizontal(|ui| {
                ui.add_space(16.0);
                ui.add_sized([150.0, 14.0], egui::Label::new(egui::RichText::new("name").weak()));
                ui.add_sized([44.0, 14.0], egui::Label::new(egui::RichText::new("K/D").weak()));
                ui.weak("show");
            });
            // Only the rows in view are built: 64 players cost what 25 do.
            let row_height = ui.spacing().interact_size.y;
            egui::ScrollArea::vertical().id_salt("players").show_rows(ui, row_height, markers.len(), |ui, rows| {
                for m in &markers[rows] {
                    ui.horizontal(|ui| {
                        let (k, d) = kd.get(&m.clientnum).copied().unwrap_or_default();
                        let colour = color32(team_rgb(m.team));
                        let (dot, _) = ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
                        if m.alive {
                            ui.painter().circle_filled(dot.center(), 4.5, colour);
                        } else {
                            let d = 3.5;
                            let c = dot.center();
                            let stroke = egui::Stroke::new(1.5, colour);
                            ui.painter().line_segment([c - egui::vec2(d, d), c + egui::vec2(d, d)], stroke);
                            ui.painter().line_segment([c + egui::vec2(-d, d), c + egui::vec2(d, -d)], stroke);
                        }
                        let following = settings.follow == Some(m.clientnum);
                        let name = egui::Button::selectable(following, m.name.as_str()).truncate();
                        if ui.add_sized([150.0, row_height], name).on_hover_text("follow").clicked() {
                            settings.follow = if following { None } else { Some(m.clientnum) };
                        }
                        ui.add_sized([44.0, row_height], egui::Label::new(format!("{k}/{d}")));
                        let mut shown = !settings.hidden.players.contains(&m.clientnum);
                        if ui.checkbox(&mut shown, "").changed() {
                            settings.hidden.set_player(m.clientnum, shown);
                        }
                    });
                }
            });
        }
    });

    *insets = PanelInsets {
        left: left.response.rect.width(),
        right: right_width,
        top: top.response.rect.height(),
        bottom: bottom.response.rect.height(),
    };

    if settings.help {
        egui::Window::new("Keys").open(&mut settings.help).show(&ctx, |ui| {
            egui::Grid::new("keys").show(ui, |ui| {
                for (k, what) in [
                    ("Space", "play / pause"),
                    ("← / →", "−1 s / +1 s (Shift: 10 s)"),
                    (", / .", "previous / next event"),
                    ("[ / ]", "slower / faster"),
                    ("Home / End", "start / end of the round"),
                    ("I / O / L", "loop from / to the cursor, stop looping"),
                    ("Shift+drag", "on the timeline: loop that range"),
                    ("Ctrl+O", "open a folder (or drop one on the window)"),
                    ("F", "fit the round in view"),
                    ("N", "names"),
                    ("T", "trails"),
                    ("H / F1", "this help"),
                    ("wheel / drag", "zoom around the cursor / pan"),
                ] {
                    ui.monospace(k);
                    ui.label(what);
                    ui.end_row();
                }
            });
        });
    }

    if *hovering {
        egui::Area::new("drop_hint".into()).anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO).show(&ctx, |ui| {
            egui::Frame::popup(ui.style()).show(ui, |ui| {
                ui.heading("Drop a gamestats folder or a round file to open it");
            });
        });
    }
    if let Some(text) = notice.0.clone() {
        let mut open_notice = true;
        egui::Window::new("Note").open(&mut open_notice).show(&ctx, |ui| {
            ui.label(text);
        });
        if !open_notice {
            notice.0 = None;
        }
    }
    if let Some(err) = &library.error {
        egui::Window::new("Could not open").show(&ctx, |ui| {
            ui.label(err);
        });
    }
    if let Some(entry) = library.current()
        && !entry.round().report.is_clean()
    {
        egui::Window::new("Load report").default_open(false).show(&ctx, |ui| {
            for line in entry.round().report.to_string().lines() {
                ui.monospace(line);
            }
        });
    }
    if settings.stats
        && let (Some(i), Some(entry)) = (library.selected, library.current())
    {
        if stats.0.as_ref().is_none_or(|(at, _)| *at != i) {
            stats.0 = Some((i, statistics(&entry.timeline, &StatsConfig::for_round(entry.round()))));
        }
        if let Some((_, s)) = &stats.0 {
            egui::Window::new("Statistics")
                .open(&mut settings.stats)
                .default_width(520.0)
                .show(&ctx, |ui| stats_ui(ui, s));
        }
    }
    Ok(())
}

fn stats_ui(ui: &mut egui::Ui, s: &Statistics) {
    ui.label(format!(
        "positions {} · combat events {} · engagements {} · heatmap cells {}",
        s.total_positions, s.total_combat_events, s.total_engagements, s.total_heatmap_cells
    ));
    let join = |m: &std::collections::BTreeMap<String, usize>| {
        m.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ")
    };
    ui.label(format!("combat by type: {}", join(&s.combat_by_type)));
    ui.label(format!("engagement types: {}", join(&s.engagement_type_count)));
    ui.label(format!("average engagement distance: {:.1} units", s.average_engagement_distance));
    egui::ScrollArea::vertical().max_height(320.0).show(ui, |ui| {
        egui::Grid::new("player_stats").striped(true).show(ui, |ui| {
            for h in ["player", "K", "D", "dmg+", "dmg−", "shots", "hits", "acc", "distance"] {
                ui.strong(h);
            }
            ui.end_row();
            for p in &s.players {
                ui.colored_label(color32(team_rgb(p.team)), &p.name);
                ui.label(p.kills.to_string());
                ui.label(p.deaths.to_string());
                ui.label(p.damage_given.to_string());
                ui.label(p.damage_taken.to_string());
                ui.label(p.shots.to_string());
                ui.label(p.hits.to_string());
                ui.label(p.accuracy.map_or_else(|| "-".into(), |a| format!("{:.0}%", a * 100.0)));
                ui.label(format!("{:.0}", p.distance_travelled_units));
                ui.end_row();
            }
        });
    });
}

/// The scrub bar's marks of the selected round, in time order: kills in the killer's team
/// colour, engagements.
#[derive(Resource, Default)]
struct Ticks(Option<usize>, Vec<(u32, egui::Color32)>, Vec<u32>);

impl Ticks {
    fn of(selected: Option<usize>, tl: &proxviz_data::Timeline) -> Self {
        let kills =
            tl.kills().iter().map(|k| (k.time_ms, color32(team_rgb(tl.team_at(k.killer, k.time_ms))))).collect();
        let mut engagements: Vec<u32> =
            (0..tl.round().engagements.len()).filter_map(|i| tl.engagement_at(i).map(|(t, _)| t)).collect();
        engagements.sort_unstable();
        Self(selected, kills, engagements)
    }
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
        ui.allocate_exact_size(egui::vec2(ui.available_width(), 30.0), egui::Sense::click_and_drag());
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
    for &(t, colour) in &ticks.1 {
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
    for &t in &ticks.2 {
        let x = x_of(t);
        if last_x == Some(x as i32) {
            continue;
        }
        last_x = Some(x as i32);
        painter.line_segment(
            [egui::pos2(x, rect.center().y + 2.0), egui::pos2(x, rect.bottom() - 3.0)],
            egui::Stroke::new(1.0, egui::Color32::from_gray(170)),
        );
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

/// World-coordinate labels on the grid lines and player names next to their markers, on the
/// layer under the panels.
#[allow(clippy::too_many_arguments)]
fn labels_ui(
    mut contexts: EguiContexts,
    present: Res<Present>,
    settings: Res<ViewSettings>,
    insets: Res<PanelInsets>,
    camera: Single<(&Camera, &GlobalTransform, &Projection), With<MapCamera>>,
    window: Single<&Window, With<PrimaryWindow>>,
) -> Result {
    let _probe = super::perf::scope();
    let ctx = contexts.ctx_mut()?;
    let painter = ctx.layer_painter(egui::LayerId::new(egui::Order::Background, egui::Id::new("labels")));
    let (camera, global, projection) = *camera;
    if let Projection::Orthographic(ortho) = projection
        && let (Ok(top_left), Ok(bottom_right)) = (
            camera.viewport_to_world_2d(global, Vec2::new(insets.left, insets.top)),
            camera.viewport_to_world_2d(
                global,
                Vec2::new(window.width() - insets.right, window.height() - insets.bottom),
            ),
        )
    {
        let step = super::map_view::grid_step(window.width() * ortho.scale);
        let grey = egui::Color32::from_gray(120);
        let font = egui::FontId::monospace(10.0);
        let mut x = (top_left.x / step).ceil() * step;
        while x <= bottom_right.x {
            if let Ok(p) = camera.world_to_viewport(global, Vec3::new(x, top_left.y, 0.0)) {
                painter.text(
                    egui::pos2(p.x + 3.0, p.y + 2.0),
                    egui::Align2::LEFT_TOP,
                    format!("{x:.0}"),
                    font.clone(),
                    grey,
                );
            }
            x += step;
        }
        let mut y = (bottom_right.y / step).ceil() * step;
        while y <= top_left.y {
            if let Ok(p) = camera.world_to_viewport(global, Vec3::new(top_left.x, y, 0.0)) {
                painter.text(
                    egui::pos2(p.x + 3.0, p.y - 2.0),
                    egui::Align2::LEFT_BOTTOM,
                    format!("{y:.0}"),
                    font.clone(),
                    grey,
                );
            }
            y += step;
        }
    }
    if !settings.names || !settings.players {
        return Ok(());
    }
    for m in present.shown(&settings.hidden) {
        let Ok(p) = camera.world_to_viewport(global, m.pos.extend(0.0)) else { continue };
        let colour = if m.alive { egui::Color32::from_gray(235) } else { egui::Color32::from_gray(140) };
        painter.text(
            egui::pos2(p.x + 10.0, p.y - 10.0),
            egui::Align2::LEFT_BOTTOM,
            &m.name,
            egui::FontId::proportional(12.0),
            colour,
        );
    }
    Ok(())
}
