//! What an exported image shows besides the map, on an overlay camera in pixel units (render
//! layer [`OVERLAY`]): the title (map, round, date, filters), player names, and the legend —
//! the heatmap's colour bar and the engagement types, from the same legend models the window's
//! Layers panel draws.

use bevy::asset::RenderAssetUsages;
use bevy::camera::visibility::RenderLayers;
use bevy::image::ImageSampler;
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat};
use bevy::sprite::Anchor;

use proxviz_data::Round;
use proxviz_data::season::Season;

use proxviz_data::stopwatch::Split;

use crate::scene::compare::Compare;
use crate::scene::engagements::draw_shape;
use crate::scene::heat_layer::Heat;
use crate::scene::library::Entry;
use crate::scene::markers::Present;
use crate::scene::model::backdrop::MapMark;
use crate::scene::model::clock::mm_ss;
use crate::scene::model::engagements::{LegendRow, Shape, legend_rows};
use crate::scene::model::kill_feed::feed_at;
use crate::scene::model::legend::{HeatLegend, TickAlign, engagement_rows};
use crate::scene::model::present::Hidden;
use crate::scene::model::present::team_rgb;
use crate::scene::picture::{ExportSettings, title_of};
use crate::scene::view::ViewSettings;

/// The render layer of the overlay.
pub(super) const OVERLAY: usize = 1;

/// Gizmos of the title/legend overlay (pixel units, render layer [`OVERLAY`]).
#[derive(Default, Reflect, GizmoConfigGroup)]
pub(super) struct OverlayGizmos;

/// Entities of the current image's title and legend.
#[derive(Component)]
pub(super) struct OverlayItem;

/// Where the legend's engagement shapes go (pixel units), drawn each frame by gizmos.
#[derive(Component)]
pub(super) struct LegendShape(pub Shape, pub [u8; 3], pub f32);

/// The overlay's font: egui's monospace (Hack), the window's, which has the accented letters
/// and symbols of player names and titles that Bevy's built-in ASCII subset lacks.
#[derive(Resource)]
pub(super) struct OverlayFont(pub Handle<Font>);

/// The image being made: its settings, pixel size and the world rectangle it shows.
pub(super) struct Picture<'a> {
    /// How it is made.
    pub settings: &'a ExportSettings,
    /// Pixels.
    pub size: (u32, u32),
    /// World rectangle (min, max).
    pub view: (Vec2, Vec2),
}

/// The layers and filters of an image in words (its subtitle and PNG description).
pub fn describe(heat: &Heat, round: &Round, settings: &ExportSettings) -> String {
    let mut parts = Vec::new();
    if heat.show {
        parts.push(heat.describe(|c| round.display_name(c)));
    }
    if heat.engagements {
        parts.push("engagements".to_owned());
    }
    if heat.paths {
        parts.push("paths".to_owned());
    }
    if settings.players {
        parts.push("players".to_owned());
    }
    if let Some(clip) = settings.clip {
        let speed = if clip.speed == 1.0 { String::new() } else { format!(" · ×{}", clip.speed) };
        parts.push(format!("{}–{}{speed}", mm_ss(clip.from_ms), mm_ss(clip.to_ms.min(round.duration_ms()))));
    } else if heat.follows_cursor() || settings.players {
        parts.push(format!(
            "at {}",
            mm_ss(settings.time_ms.map_or(round.duration_ms(), |t| t.min(round.duration_ms())))
        ));
    }
    parts.join(" · ")
}

/// Spawns the overlay's entities in pixel units (origin at the image's centre), sized by the
/// export's scale.
struct Overlay<'a, 'w, 's> {
    commands: &'a mut Commands<'w, 's>,
    font: Handle<Font>,
    /// Pixels per 1000-pixel-image pixel.
    s: f32,
}

impl Overlay<'_, '_, '_> {
    fn text(&mut self, at: Vec2, anchor: Anchor, size: f32, colour: Color, content: String) {
        self.commands.spawn((
            OverlayItem,
            Text2d::new(content),
            TextFont::from_font_size(size * self.s).with_font(self.font.clone()),
            TextColor(colour),
            anchor,
            Transform::from_translation(at.extend(10.0)),
            RenderLayers::layer(OVERLAY),
        ));
    }

    /// One line of text in pieces of different colours.
    fn spans(&mut self, at: Vec2, anchor: Anchor, size: f32, spans: Vec<(String, Color)>) {
        let font = TextFont::from_font_size(size * self.s).with_font(self.font.clone());
        self.commands
            .spawn((
                OverlayItem,
                Text2d::default(),
                font.clone(),
                anchor,
                Transform::from_translation(at.extend(10.0)),
                RenderLayers::layer(OVERLAY),
            ))
            .with_children(|line| {
                for (text, colour) in spans {
                    line.spawn((TextSpan::new(text), font.clone(), TextColor(colour)));
                }
            });
    }

    fn backing(&mut self, centre: Vec2, size: Vec2) {
        self.commands.spawn((
            OverlayItem,
            Sprite { color: Color::srgba(0.05, 0.05, 0.06, 0.78), custom_size: Some(size), ..default() },
            Transform::from_translation(centre.extend(5.0)),
            RenderLayers::layer(OVERLAY),
        ));
    }
}

/// The title and the subtitle of an image: the round's, or with a season the season's.
pub fn texts(round: &Round, heat: &Heat, settings: &ExportSettings, season: Option<&Season>) -> (String, String) {
    match season {
        None => (title_of(round), describe(heat, round, settings)),
        Some(s) => {
            let title = format!(
                "{} · season · {} rounds · {} kills",
                if s.filter.map.is_empty() { "unknown map" } else { s.filter.map.as_str() },
                s.rounds,
                s.kills
            );
            let mut parts = Vec::new();
            if heat.show {
                let heat_only = crate::scene::model::heat::HeatSettings {
                    players: Vec::new(),
                    window: crate::scene::model::heat::Window::Whole,
                    ..heat.0.clone()
                };
                parts.push(heat_only.describe(|c| round.display_name(c)).replace(" · whole round", ""));
            }
            let filters = s.filter.describe();
            if let Some((_, rest)) = filters.split_once(" · ") {
                parts.push(rest.to_owned());
            }
            (title, parts.join(" · "))
        }
    }
}

/// What the overlay of one image shows.
pub(super) struct OverlayContent<'a> {
    /// The round.
    pub entry: &'a Entry,
    /// The season drawn instead of the round's kills.
    pub season: Option<&'a Season>,
    /// Heatmap, engagement and paths settings.
    pub heat: &'a Heat,
    /// The heatmap's legend, when the heatmap is shown.
    pub legend: Option<&'a HeatLegend>,
    /// Players and names.
    pub view: &'a ViewSettings,
    /// The players at the image's time.
    pub present: &'a Present,
    /// The map's spawn points and objectives to label (empty when not shown).
    pub marks: &'a [MapMark],
    /// The replay time of the picture (a clip's frames show it, and the kill feed up to it).
    pub time_ms: u32,
    /// The compared round (stopwatch), when there is one.
    pub compare: Option<&'a Compare>,
}

/// Spawns the title, the names and the legend of one image.
pub(super) fn spawn_overlay(
    commands: &mut Commands,
    images: &mut Assets<Image>,
    picture: &Picture,
    content: &OverlayContent,
    font: &Handle<Font>,
) {
    let mut overlay = Overlay { commands, font: font.clone(), s: picture.settings.size as f32 / 1000.0 };
    let size = Vec2::new(picture.size.0 as f32, picture.size.1 as f32);
    if picture.settings.title {
        let (head, mut description) = texts(content.entry.round(), content.heat, picture.settings, content.season);
        if let Some(other) = content.compare.and_then(|c| c.other.as_ref()) {
            // The other half of a pair is told by its number and start; another round in full.
            let r = other.round();
            let short = match (r.round_number(), r.name.start_time, r.map() == content.entry.round().map()) {
                (Some(n), Some(t), true) => format!("round {n} ({})", t.format("%H:%M")),
                _ => title_of(r),
            };
            description = format!("{description} · vs {short}");
        }
        title(&mut overlay, size, &head, &description);
    }
    if let Some(compare) = content.compare.filter(|c| c.settings.splits) {
        splits(&mut overlay, size, compare, picture.settings.clip.is_some());
    }
    if content.view.players && content.view.names {
        names(&mut overlay, picture, content.present, &content.view.hidden);
    }
    for m in content.marks {
        let colour = Color::srgb(m.rgb[0], m.rgb[1], m.rgb[2]);
        let at = picture.px(m.pos) + Vec2::new(10.0, -4.0) * overlay.s;
        overlay.text(at, Anchor::TOP_LEFT, 11.0, colour, m.label.clone());
    }
    if picture.settings.legend {
        legend(&mut overlay, images, size, content);
    }
    if picture.settings.clip.is_some() {
        clock(&mut overlay, size, content);
        if content.heat.kill_feed {
            kill_feed(&mut overlay, size, content);
        }
    }
}

/// Most split lines an image shows.
const SPLIT_LINES: usize = 6;

/// The stopwatch readout, bottom left (above a clip's clock): the first objectives and the
/// round time, this round's time against the other's.
fn splits(o: &mut Overlay, size: Vec2, compare: &Compare, above_clock: bool) {
    let s = o.s;
    let pad = 12.0 * s;
    let line_h = 17.0 * s;
    let mut lines: Vec<&Split> = compare.splits.iter().rev().take(SPLIT_LINES).collect();
    lines.reverse();
    let texts: Vec<(String, Color)> = lines
        .iter()
        .map(|sp| {
            let colour = match sp.delta_ms() {
                Some(d) if d < 0 => Color::srgb(0.55, 0.85, 0.55),
                Some(d) if d > 0 => Color::srgb(0.95, 0.6, 0.5),
                _ => Color::srgb(0.8, 0.8, 0.8),
            };
            (sp.describe(), colour)
        })
        .collect();
    let head = match compare.attackers {
        Some(team) => format!("stopwatch: this round vs the other ({} attacking there)", team.name().to_lowercase()),
        None => "stopwatch: this round vs the other".to_owned(),
    };
    let longest = texts.iter().map(|(t, _)| t.chars().count()).chain([head.chars().count()]).max().unwrap_or(0);
    let width = (longest as f32 * 7.6 * s + 2.0 * pad).min(size.x * 0.6);
    let height = (texts.len() + 1) as f32 * line_h + 2.0 * pad;
    let bottom = -size.y / 2.0 + if above_clock { 56.0 * s } else { 0.0 };
    let left = -size.x / 2.0;
    o.backing(Vec2::new(left + width / 2.0, bottom + height / 2.0), Vec2::new(width, height));
    let mut y = bottom + height - pad - line_h / 2.0;
    o.text(Vec2::new(left + pad, y), Anchor::CENTER_LEFT, 12.0, Color::srgb(0.9, 0.75, 0.4), head);
    for (text, colour) in texts {
        y -= line_h;
        o.text(Vec2::new(left + pad, y), Anchor::CENTER_LEFT, 12.0, colour, text);
    }
}

/// A clip's clock, bottom left: the replay time and the round's length.
fn clock(o: &mut Overlay, size: Vec2, content: &OverlayContent) {
    let s = o.s;
    let pad = 14.0 * s;
    let text = format!("{} / {}", mm_ss(content.time_ms), mm_ss(content.entry.round().duration_ms()));
    let width = text.len() as f32 * 13.5 * s + 2.0 * pad;
    let bottom_left = Vec2::new(-size.x / 2.0, -size.y / 2.0);
    o.backing(bottom_left + Vec2::new(width / 2.0, 24.0 * s), Vec2::new(width, 48.0 * s));
    o.text(bottom_left + Vec2::new(pad, 24.0 * s), Anchor::CENTER_LEFT, 24.0, Color::WHITE, text);
}

/// A clip's kill feed, top right: the last seconds' kills, killer → means → victim in team
/// colours, newest at the bottom, as in the game.
fn kill_feed(o: &mut Overlay, size: Vec2, content: &OverlayContent) {
    let lines = feed_at(&content.entry.timeline, content.time_ms);
    if lines.is_empty() {
        return;
    }
    let s = o.s;
    let pad = 10.0 * s;
    let line_h = 19.0 * s;
    let longest = lines.iter().map(|l| l.text().chars().count()).max().unwrap_or(0);
    let width = (longest as f32 * 8.2 * s + 2.0 * pad).min(size.x / 2.0);
    let height = lines.len() as f32 * line_h + 2.0 * pad;
    let top_right = Vec2::new(size.x / 2.0, size.y / 2.0);
    o.backing(top_right + Vec2::new(-width / 2.0, -height / 2.0), Vec2::new(width, height));
    let colour = |team, alpha: f32| {
        let [r, g, b] = team_rgb(team);
        Color::srgba(r, g, b, alpha)
    };
    for (i, line) in lines.iter().enumerate() {
        let at = top_right + Vec2::new(-pad, -pad - (i as f32 + 0.5) * line_h);
        let a = line.opacity;
        let mut spans = Vec::new();
        if let Some((killer, team)) = &line.killer {
            spans.push((format!("{killer} "), colour(*team, a)));
        }
        let means = if line.teamkill { format!("[{}, team kill] ", line.means) } else { format!("[{}] ", line.means) };
        spans.push((means, Color::srgba(0.8, 0.8, 0.8, a)));
        spans.push((line.victim.0.clone(), colour(line.victim.1, a)));
        o.spans(at, Anchor::CENTER_RIGHT, 13.0, spans);
    }
}

/// The title and the filters in words, top left on a backing.
fn title(o: &mut Overlay, size: Vec2, title: &str, description: &str) {
    let s = o.s;
    let pad = 14.0 * s;
    let top_left = Vec2::new(-size.x / 2.0, size.y / 2.0);
    let title = title.to_owned();
    let width = (title.len().max(description.len()) as f32 * 9.5 * s).min(size.x - 2.0 * pad) + 2.0 * pad;
    o.backing(top_left + Vec2::new(width / 2.0, -32.0 * s), Vec2::new(width, 64.0 * s));
    o.text(top_left + Vec2::new(pad, -pad), Anchor::TOP_LEFT, 22.0, Color::WHITE, title);
    let at = top_left + Vec2::new(pad, -pad - 28.0 * s);
    o.text(at, Anchor::TOP_LEFT, 14.0, Color::srgb(0.8, 0.8, 0.8), description.to_owned());
}

impl Picture<'_> {
    /// The pixel (overlay units, origin at the image's centre) of world point `pos`.
    fn px(&self, pos: Vec2) -> Vec2 {
        let (min, max) = self.view;
        let units_per_px = ((max - min) / Vec2::new(self.size.0 as f32, self.size.1 as f32)).max_element();
        (pos - (min + max) / 2.0) / units_per_px
    }
}

/// Names next to the players, in pixels of the image.
fn names(o: &mut Overlay, picture: &Picture, present: &Present, hidden: &Hidden) {
    for m in present.shown(hidden) {
        let p = picture.px(m.pos) + Vec2::new(10.0, 10.0) * o.s;
        let colour = if m.alive { Color::srgb(0.92, 0.92, 0.92) } else { Color::srgb(0.55, 0.55, 0.55) };
        o.text(p, Anchor::BOTTOM_LEFT, 12.0, colour, m.name.clone());
    }
}

/// The legend, bottom right, built upwards: engagement types, then the heatmap's colour bar.
fn legend(o: &mut Overlay, images: &mut Assets<Image>, size: Vec2, content: &OverlayContent) {
    let s = o.s;
    let pad = 14.0 * s;
    let bottom = -size.y / 2.0;
    let legend_w = 300.0 * s;
    let left = size.x / 2.0 - pad - legend_w;
    let mut y = bottom + pad;
    if content.heat.engagements {
        // The common small types by name, bigger fights grouped: a few lines whatever the round.
        let types = legend_rows(engagement_rows(&content.entry.types, &content.heat.0));
        let (named, groups): (Vec<_>, Vec<_>) = types.iter().partition(|r| !r.group);
        // Three types to a line; a group (a longer label) has a line of its own.
        let lines: Vec<&[&LegendRow]> = named.chunks(3).chain(groups.chunks(1)).collect();
        for chunk in lines.into_iter().rev() {
            for (i, row) in chunk.iter().enumerate() {
                let x = left + 12.0 * s + i as f32 * legend_w / 3.0;
                o.commands.spawn((
                    OverlayItem,
                    LegendShape(row.shape, row.rgb, 6.0 * s),
                    Transform::from_xyz(x, y + 9.0 * s, 0.0),
                ));
                let label = row.text();
                o.text(Vec2::new(x + 12.0 * s, y + 9.0 * s), Anchor::CENTER_LEFT, 13.0, Color::WHITE, label);
            }
            y += 22.0 * s;
        }
        let grey = Color::srgb(0.8, 0.8, 0.8);
        o.text(Vec2::new(left, y + 2.0 * s), Anchor::BOTTOM_LEFT, 13.0, grey, "engagements".into());
        y += 26.0 * s;
    }
    if let Some(legend) = content.legend.filter(|_| content.heat.show) {
        let bar: Vec<u8> = legend.colours.iter().flatten().copied().collect();
        let mut image = Image::new(
            Extent3d { width: legend.colours.len() as u32, height: 1, depth_or_array_layers: 1 },
            TextureDimension::D2,
            bar,
            TextureFormat::Rgba8UnormSrgb,
            RenderAssetUsages::RENDER_WORLD,
        );
        image.sampler = ImageSampler::linear();
        let bar_h = 14.0 * s;
        for tick in &legend.ticks {
            let anchor = match tick.align() {
                TickAlign::Start => Anchor::BOTTOM_LEFT,
                TickAlign::Centre => Anchor::BOTTOM_CENTER,
                TickAlign::End => Anchor::BOTTOM_RIGHT,
            };
            o.text(Vec2::new(left + legend_w * tick.fraction, y), anchor, 12.0, Color::WHITE, tick.label.clone());
        }
        y += 18.0 * s;
        o.commands.spawn((
            OverlayItem,
            Sprite { image: images.add(image), custom_size: Some(Vec2::new(legend_w, bar_h)), ..default() },
            Transform::from_translation(Vec2::new(left + legend_w / 2.0, y + bar_h / 2.0).extend(8.0)),
            RenderLayers::layer(OVERLAY),
        ));
        y += bar_h + 6.0 * s;
        o.text(Vec2::new(left, y), Anchor::BOTTOM_LEFT, 13.0, Color::srgb(0.8, 0.8, 0.8), legend.unit.clone());
        y += 20.0 * s;
        if let Some(note) = &legend.note {
            o.text(Vec2::new(left, y), Anchor::BOTTOM_LEFT, 11.0, Color::srgb(0.9, 0.75, 0.4), note.clone());
            y += 18.0 * s;
        }
    }
    if y > bottom + pad {
        let (y0, y1) = (bottom, y + pad);
        o.backing(Vec2::new(left + legend_w / 2.0, (y0 + y1) / 2.0), Vec2::new(legend_w + 2.0 * pad, y1 - y0));
    }
}

/// Draws the legend's engagement shapes.
pub(super) fn draw_overlay_gizmos(mut gizmos: Gizmos<OverlayGizmos>, shapes: Query<(&LegendShape, &Transform)>) {
    for (LegendShape(shape, [r, g, b], radius), t) in &shapes {
        draw_shape(&mut gizmos, *shape, t.translation.truncate(), *radius, Color::srgb_u8(*r, *g, *b));
    }
}
