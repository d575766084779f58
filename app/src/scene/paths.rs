//! Every player's whole path over the round, faint, as context (it traces the map's walkable
//! areas): built once per round as a retained gizmo, broken at deaths, respawns and team changes.

use bevy::prelude::*;

use super::frame::Frame;
use super::heat_layer::Heat;
use super::library::{Library, RoundKey};
use super::model::backdrop::walkable_step;
use super::model::present::player_rgb;
use super::view::DrawScale;

pub(crate) fn plugin(app: &mut App) {
    app.add_systems(Update, sync_paths.in_set(Frame::Scene));
}

/// The whole-round paths, built once per round as a retained gizmo.
#[derive(Component)]
pub struct PathsGizmo(RoundKey);

fn sync_paths(
    mut commands: Commands,
    heat: Res<Heat>,
    library: Res<Library>,
    scale: Res<DrawScale>,
    mut assets: ResMut<Assets<GizmoAsset>>,
    existing: Query<(Entity, &PathsGizmo)>,
) {
    let _probe = super::timing::scope();
    let wanted = library.current().filter(|_| heat.paths);
    let wanted_key = wanted.map(|e| e.key);
    for (entity, PathsGizmo(key)) in &existing {
        if Some(*key) != wanted_key {
            commands.entity(entity).despawn();
        } else {
            return;
        }
    }
    let Some(entry) = wanted else { return };
    let mut gizmo = GizmoAsset::default();
    let round = entry.round();
    for track in &round.tracks {
        let mut piece: Vec<Vec2> = Vec::new();
        let mut team = None;
        // A path breaks at deaths (respawns) and team changes.
        let mut last: Option<(u32, Vec2)> = None;
        for s in &track.samples {
            let dead = s.health.is_some_and(|h| h <= 0);
            let p = Vec2::new(s.pos.x, s.pos.y);
            // Faster than any player can move: a respawn or a teleport, not a path.
            let jump = last.is_some_and(|(t, q)| !walkable_step(q, p, s.time_ms.saturating_sub(t)));
            last = Some((s.time_ms, p));
            if dead || s.team != team || jump {
                flush_path(&mut gizmo, &mut piece, track.clientnum, team);
                team = s.team;
                if dead {
                    continue;
                }
            }
            piece.push(Vec2::new(s.pos.x, s.pos.y));
        }
        flush_path(&mut gizmo, &mut piece, track.clientnum, team);
    }
    commands.spawn((
        PathsGizmo(entry.key),
        Gizmo { handle: assets.add(gizmo), line_config: GizmoLineConfig { width: scale.0, ..default() }, ..default() },
        Transform::default(),
    ));
}

fn flush_path(gizmo: &mut GizmoAsset, piece: &mut Vec<Vec2>, clientnum: u16, team: Option<proxviz_data::Team>) {
    if piece.len() >= 2 {
        let [r, g, b] = player_rgb(clientnum, team);
        gizmo.linestrip_2d(piece.drain(..), Color::srgba(r, g, b, 0.2));
    }
    piece.clear();
}
