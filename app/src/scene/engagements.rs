//! Engagement markers on the map: a gizmo shape per fight (circle, triangle, square: who had
//! the numbers) in its type's colour, fading after its moment unless the whole round is shown.
//! The export's legend draws its shapes with the same [`draw_shape`].

use bevy::prelude::*;

use super::clock::Clock;
use super::frame::Frame;
use super::heat_layer::Heat;
use super::library::Library;
use super::model::engagements::{Shape, type_rgb, visible_engagements};
use super::model::heat::layer_points;
use super::model::present::team_rgb;
use super::view::{DrawScale, MapCamera, units_per_px};

pub(crate) fn plugin(app: &mut App) {
    app.add_systems(Update, (draw_engagements, draw_kill_lines).in_set(Frame::Draw));
}

/// Draws a marker of `shape` with outer radius `r` at `p`.
pub fn draw_shape<G: GizmoConfigGroup>(gizmos: &mut Gizmos<G>, shape: Shape, p: Vec2, r: f32, colour: Color) {
    match shape.outline(r) {
        None => {
            gizmos.circle_2d(Isometry2d::from_translation(p), r, colour);
        }
        Some(outline) => {
            gizmos.linestrip_2d(outline.into_iter().map(|q| p + q), colour);
        }
    }
}

/// Engagement marker radius in logical pixels.
pub const ENGAGEMENT_PX: f32 = 6.0;

fn draw_engagements(
    mut gizmos: Gizmos,
    heat: Res<Heat>,
    library: Res<Library>,
    clock: Res<Clock>,
    scale: Res<DrawScale>,
    camera: Single<&Projection, With<MapCamera>>,
) {
    let _probe = super::timing::scope();
    if !heat.engagements {
        return;
    }
    let Some(entry) = library.current() else { return };
    let r = ENGAGEMENT_PX * scale.0 * units_per_px(&camera);
    for (m, alpha) in visible_engagements(&entry.marks, &heat.0, clock.time_ms()) {
        let [cr, cg, cb] = type_rgb(&m.kind);
        let colour = Color::srgba_u8(cr, cg, cb, (alpha * 255.0) as u8);
        draw_shape(&mut gizmos, m.shape, m.pos, r, colour);
        draw_shape(&mut gizmos, m.shape, m.pos, r * 0.6, colour);
    }
}

/// Most killer → victim lines drawn (the newest): more is a tangle, and a frame's cost.
pub const MAX_KILL_LINES: usize = 3_000;

/// A line from where the killer stood to where the victim died for each kill the heatmap
/// counts (same filters), in the killer's team colour, fading towards the victim, with a dot
/// at the victim's end.
fn draw_kill_lines(
    mut gizmos: Gizmos,
    heat: Res<Heat>,
    library: Res<Library>,
    clock: Res<Clock>,
    scale: Res<DrawScale>,
    camera: Single<&Projection, With<MapCamera>>,
) {
    let _probe = super::timing::scope();
    if !(heat.show && heat.kill_lines) {
        return;
    }
    let Some(entry) = library.current() else { return };
    let (points, _) = layer_points(&entry.timeline, &heat.0, clock.time_ms());
    let r = 2.0 * scale.0 * units_per_px(&camera);
    for p in &points[points.len().saturating_sub(MAX_KILL_LINES)..] {
        let Some(from) = p.killer_pos else { continue };
        let [cr, cg, cb] = team_rgb(p.killer_team);
        let (start, end) = (Color::srgba(cr, cg, cb, 0.9), Color::srgba(cr, cg, cb, 0.35));
        gizmos.line_gradient_2d(from, p.victim_pos, start, end);
        gizmos.circle_2d(Isometry2d::from_translation(p.victim_pos), r, end);
    }
}
