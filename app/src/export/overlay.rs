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

use super::ExportSettings;
use crate::scene::engagements::draw_shape;
use crate::scene::heat_layer::Heat;
use crate::scene::library::Entry;
use crate::scene::model::clock::mm_ss;
use crate::scene::model::engagements::Shape;
use crate::scene::model::heat::HeatLayer;
use crate::scene::model::legend::{HeatLegend, engagement_rows};
use crate::scene::model::present::markers_at;
use crate::scene::view::ViewSettings;
use proxviz_data::Round;

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

/// "supply · round 1 · 2025-12-20 20:00".
pub fn title_of(round: &Round) -> String {
    let mut parts = vec![round.map().unwrap_or("unknown map").to_owned()];
    if let Some(n) = round.round_number() {
        parts.push(format!("round {n}"));
    }
    if let Some(d) = round.name.date {
        let time = round.name.start_time.map(|t| t.format(" %H:%M").to_string()).unwrap_or_default();
        parts.push(format!("{d}{time}"));
    }
    parts.join(" · ")
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
    if heat.follows_cursor() || settings.players {
        parts.push(format!("at {}", mm_ss(settings.time_ms.unwrap_or_else(|| round.duration_ms()))));
    }
    parts.join(" · ")
}

/// Spawns the title, the names and the legend of one image.
#[allow(clippy::too_many_arguments)]
pub(super) fn spawn_overlay(
    commands: &mut Commands,
    images: &mut Assets<Image>,
    e: &Picture,
    entry: &Entry,
    layer: Option<&HeatLayer>,
    heat: &Heat,
    view: &ViewSettings,
    time_ms: u32,
    font: &Handle<Font>,
) {
    let (w, h) = (e.size.0 as f32, e.size.1 as f32);
    let s = e.settings.size as f32 / 1000.0;
    let round = entry.round();
    let layers = RenderLayers::layer(OVERLAY);
    let text = |commands: &mut Commands, at: Vec2, anchor: Anchor, size: f32, colour: Color, content: String| {
        commands.spawn((
            OverlayItem,
            Text2d::new(content),
            TextFont::from_font_size(size * s).with_font(font.clone()),
            TextColor(colour),
            anchor,
            Transform::from_translation(at.extend(10.0)),
            layers.clone(),
        ));
    };
    let backing = |commands: &mut Commands, centre: Vec2, size: Vec2| {
        commands.spawn((
            OverlayItem,
            Sprite { color: Color::srgba(0.05, 0.05, 0.06, 0.78), custom_size: Some(size), ..default() },
            Transform::from_translation(centre.extend(5.0)),
            layers.clone(),
        ));
    };
    let pad = 14.0 * s;
    let top_left = Vec2::new(-w / 2.0, h / 2.0);
    if e.settings.title {
        let description = describe(heat, round, e.settings);
        let width = (title_of(round).len().max(description.len()) as f32 * 9.5 * s).min(w - 2.0 * pad) + 2.0 * pad;
        backing(commands, top_left + Vec2::new(width / 2.0, -32.0 * s), Vec2::new(width, 64.0 * s));
        text(commands, top_left + Vec2::new(pad, -pad), Anchor::TOP_LEFT, 22.0, Color::WHITE, title_of(round));
        text(
            commands,
            top_left + Vec2::new(pad, -pad - 28.0 * s),
            Anchor::TOP_LEFT,
            14.0,
            Color::srgb(0.8, 0.8, 0.8),
            description,
        );
    }
    if view.players && view.names {
        // Names next to the players, in pixels of the image (the overlay's origin is its centre).
        let (min, max) = e.view;
        let units_per_px = ((max - min) / Vec2::new(w, h)).max_element();
        let centre = (min + max) / 2.0;
        for m in markers_at(&entry.timeline, time_ms, &view.hidden) {
            let p = (m.pos - centre) / units_per_px + Vec2::new(10.0, 10.0) * s;
            let colour = if m.alive { Color::srgb(0.92, 0.92, 0.92) } else { Color::srgb(0.55, 0.55, 0.55) };
            text(commands, p, Anchor::BOTTOM_LEFT, 12.0, colour, m.name);
        }
    }
    if !e.settings.legend {
        return;
    }
    let bottom_right = Vec2::new(w / 2.0, -h / 2.0);
    let mut y = bottom_right.y + pad;
    let legend_w = 300.0 * s;
    let left = bottom_right.x - pad - legend_w;
    let mut rows: Vec<(f32, f32)> = Vec::new();
    if heat.engagements {
        let types: Vec<_> = engagement_rows(&entry.types, &heat.0).collect();
        for chunk in types.chunks(3).rev() {
            for (i, row) in chunk.iter().enumerate() {
                let x = left + 12.0 * s + i as f32 * legend_w / 3.0;
                commands.spawn((
                    OverlayItem,
                    LegendShape(row.shape, row.rgb, 6.0 * s),
                    Transform::from_xyz(x, y + 9.0 * s, 0.0),
                ));
                text(
                    commands,
                    Vec2::new(x + 12.0 * s, y + 9.0 * s),
                    Anchor::CENTER_LEFT,
                    13.0,
                    Color::WHITE,
                    format!("{} ({})", row.kind, row.count),
                );
            }
            y += 22.0 * s;
        }
        text(
            commands,
            Vec2::new(left, y + 2.0 * s),
            Anchor::BOTTOM_LEFT,
            13.0,
            Color::srgb(0.8, 0.8, 0.8),
            "engagements".into(),
        );
        y += 26.0 * s;
    }
    if let Some(layer) = layer.filter(|_| heat.show) {
        let legend = HeatLegend::new(&heat.0, layer, 256);
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
            let anchor = if tick.fraction < 0.05 {
                Anchor::BOTTOM_LEFT
            } else if tick.fraction > 0.95 {
                Anchor::BOTTOM_RIGHT
            } else {
                Anchor::BOTTOM_CENTER
            };
            let at = Vec2::new(left + legend_w * tick.fraction, y);
            text(commands, at, anchor, 12.0, Color::WHITE, tick.label.clone());
        }
        y += 18.0 * s;
        commands.spawn((
            OverlayItem,
            Sprite { image: images.add(image), custom_size: Some(Vec2::new(legend_w, bar_h)), ..default() },
            Transform::from_translation(Vec2::new(left + legend_w / 2.0, y + bar_h / 2.0).extend(8.0)),
            layers.clone(),
        ));
        y += bar_h + 6.0 * s;
        text(commands, Vec2::new(left, y), Anchor::BOTTOM_LEFT, 13.0, Color::srgb(0.8, 0.8, 0.8), legend.unit);
        y += 20.0 * s;
        if let Some(note) = legend.note {
            text(commands, Vec2::new(left, y), Anchor::BOTTOM_LEFT, 11.0, Color::srgb(0.9, 0.75, 0.4), note);
            y += 18.0 * s;
        }
    }
    if y > bottom_right.y + pad {
        rows.push((bottom_right.y, y + pad));
    }
    for (y0, y1) in rows {
        backing(commands, Vec2::new(left + legend_w / 2.0, (y0 + y1) / 2.0), Vec2::new(legend_w + 2.0 * pad, y1 - y0));
    }
}

/// Draws the legend's engagement shapes.
pub(super) fn draw_overlay_gizmos(mut gizmos: Gizmos<OverlayGizmos>, shapes: Query<(&LegendShape, &Transform)>) {
    for (LegendShape(shape, [r, g, b], radius), t) in &shapes {
        draw_shape(&mut gizmos, *shape, t.translation.truncate(), *radius, Color::srgb_u8(*r, *g, *b));
    }
}
