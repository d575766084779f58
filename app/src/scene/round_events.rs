//! Revives and objective events on the map: a green cross where a player was revived, a diamond
//! in the event's colour where an objective was planted, defused, destroyed, built, captured,
//! picked up, dropped, secured or returned, fading after its moment like the engagement markers.

use bevy::prelude::*;

use super::clock::Clock;
use super::frame::Frame;
use super::heat_layer::Heat;
use super::library::Library;
use super::model::round_events::{event_rgb, visible_events};
use super::view::{DrawScale, MapCamera, units_per_px};

pub(crate) fn plugin(app: &mut App) {
    app.add_systems(Update, draw_round_events.in_set(Frame::Draw));
}

/// Event marker radius in logical pixels.
pub const EVENT_PX: f32 = 8.0;

fn draw_round_events(
    mut gizmos: Gizmos,
    heat: Res<Heat>,
    library: Res<Library>,
    clock: Res<Clock>,
    scale: Res<DrawScale>,
    camera: Single<&Projection, With<MapCamera>>,
) {
    let _probe = super::timing::scope();
    if !heat.round_events {
        return;
    }
    let Some(entry) = library.current() else { return };
    let r = EVENT_PX * scale.0 * units_per_px(&camera);
    for (e, alpha) in visible_events(&entry.round().events, clock.time_ms(), heat.engagements_whole_round) {
        let Some(pos) = e.pos else { continue };
        let p = Vec2::new(pos.x, pos.y);
        let [cr, cg, cb] = event_rgb(e.kind);
        let colour = Color::srgba_u8(cr, cg, cb, (alpha * 255.0) as u8);
        if e.kind.is_objective() {
            let diamond = |s: f32| [Vec2::X, Vec2::Y, -Vec2::X, -Vec2::Y, Vec2::X].map(|d| p + d * s);
            gizmos.linestrip_2d(diamond(r), colour);
            gizmos.linestrip_2d(diamond(r * 0.55), colour);
        } else {
            let (a, b) = (r * 0.9, r * 0.3);
            // A medic's cross: two bars.
            gizmos.rect_2d(Isometry2d::from_translation(p), Vec2::new(2.0 * a, 2.0 * b), colour);
            gizmos.rect_2d(Isometry2d::from_translation(p), Vec2::new(2.0 * b, 2.0 * a), colour);
        }
    }
}
