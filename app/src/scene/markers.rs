//! The players at the clock's time: who is present (computed once a frame), their markers
//! (filled, team-coloured, dimmed when dead or on another floor than the one shown) with view
//! direction, fading trails and death marks. Sizes are in screen pixels × [`DrawScale`], so they stay readable at any zoom.

use bevy::prelude::*;

use super::backdrop::ShownFloor;
use super::clock::Clock;
use super::frame::Frame;
use super::library::Library;
use super::model::present::{Hidden, Marker, NO_TEAM_COLOURS, deaths_until, markers_at, player_rgb, trail};
use super::view::{DrawScale, MapCamera, ViewSettings, units_per_px};

/// Marker radius in logical pixels.
pub const MARKER_PX: f32 = 7.0;

/// The marker entity of a client.
#[derive(Component)]
pub struct PlayerMarker(pub u16);

/// Every player present at the clock's time, hidden ones included, computed once a frame for
/// the markers, trails, names, the players list and screenshots.
#[derive(Resource, Default)]
pub struct Present(pub Vec<Marker>);

impl Present {
    /// The players not hidden by `hidden`.
    pub fn shown<'a>(&'a self, hidden: &'a Hidden) -> impl Iterator<Item = &'a Marker> + 'a {
        self.0.iter().filter(|m| !hidden.hides(m.clientnum, m.team))
    }
}

fn update_present(library: Res<Library>, clock: Res<Clock>, mut present: ResMut<Present>) {
    let _probe = super::timing::scope();
    present.0 =
        library.current().map(|e| markers_at(&e.timeline, clock.time_ms(), &Hidden::default())).unwrap_or_default();
}

/// Shared mesh and materials of the markers.
#[derive(Resource)]
struct MarkerAssets {
    mesh: Handle<Mesh>,
    /// Alive and dead for: Axis, Allies, spectators, then each colour of players without a
    /// team (see [`material_index`]).
    materials: Vec<Handle<ColorMaterial>>,
}

/// The colour of a marker.
pub fn marker_rgb(clientnum: u16, team: Option<proxviz_data::Team>, alive: bool) -> [f32; 3] {
    let [r, g, b] = player_rgb(clientnum, team);
    if alive { [r, g, b] } else { [r * 0.35 + 0.15, g * 0.35 + 0.15, b * 0.35 + 0.15] }
}

/// The marker material of a player: by team, or by colour for players without one.
fn material_index(clientnum: u16, team: Option<proxviz_data::Team>, alive: bool) -> usize {
    let t = match team {
        Some(proxviz_data::Team::Axis) => 0,
        Some(proxviz_data::Team::Allies) => 1,
        Some(_) => 2,
        None => 3 + usize::from(clientnum) % NO_TEAM_COLOURS,
    };
    t * 2 + usize::from(!alive)
}

pub(crate) fn plugin(app: &mut App) {
    app.init_resource::<Present>()
        .add_systems(Startup, make_assets)
        .add_systems(Update, update_present.in_set(Frame::Scene))
        .add_systems(Update, (sync_markers, draw_overlays).in_set(Frame::Draw));
}

fn make_assets(mut commands: Commands, mut meshes: ResMut<Assets<Mesh>>, mut materials: ResMut<Assets<ColorMaterial>>) {
    use proxviz_data::Team;
    // One (client, team) of each colour, in material_index's order.
    let teams = [(0, Some(Team::Axis)), (0, Some(Team::Allies)), (0, Some(Team::Spectator))];
    let no_team = (0..NO_TEAM_COLOURS as u16).map(|cn| (cn, None));
    let materials = teams
        .into_iter()
        .chain(no_team)
        .flat_map(|(cn, team)| [(cn, team, true), (cn, team, false)])
        .map(|(cn, team, alive)| {
            let [r, g, b] = marker_rgb(cn, team, alive);
            materials.add(ColorMaterial::from_color(Color::srgb(r, g, b)))
        })
        .collect();
    commands.insert_resource(MarkerAssets { mesh: meshes.add(Circle::new(1.0)), materials });
}

#[allow(clippy::too_many_arguments)]
fn sync_markers(
    mut commands: Commands,
    present: Res<Present>,
    settings: Res<ViewSettings>,
    assets: Option<Res<MarkerAssets>>,
    camera: Single<&Projection, With<MapCamera>>,
    scale: Res<DrawScale>,
    floor: Option<Res<ShownFloor>>,
    mut existing: Query<(Entity, &PlayerMarker, &mut Transform, &mut MeshMaterial2d<ColorMaterial>)>,
) {
    let _probe = super::timing::scope();
    let Some(assets) = assets else { return };
    let markers: Vec<&Marker> = if settings.players { present.shown(&settings.hidden).collect() } else { Vec::new() };
    let radius = MARKER_PX * scale.0 * units_per_px(&camera);
    let mut seen = Vec::with_capacity(markers.len());
    for (entity, PlayerMarker(cn), mut transform, mut material) in &mut existing {
        match markers.iter().find(|m| m.clientnum == *cn) {
            Some(m) => {
                // Living players above the dead.
                transform.translation = m.pos.extend(if m.alive { 2.0 } else { 1.0 });
                transform.scale = Vec3::splat(if m.alive { radius } else { radius * 0.8 });
                // Players on another floor are drawn like the dead: dimmed.
                let bright = m.alive && floor.as_ref().is_none_or(|f| f.shows(m.height));
                let wanted = &assets.materials[material_index(m.clientnum, m.team, bright)];
                if material.0 != *wanted {
                    material.0 = wanted.clone();
                }
                seen.push(*cn);
            }
            None => commands.entity(entity).despawn(),
        }
    }
    for m in markers.iter().filter(|m| !seen.contains(&m.clientnum)) {
        commands.spawn((
            PlayerMarker(m.clientnum),
            Mesh2d(assets.mesh.clone()),
            MeshMaterial2d(assets.materials[material_index(m.clientnum, m.team, m.alive)].clone()),
            Transform::from_translation(m.pos.extend(2.0)).with_scale(Vec3::splat(radius)),
        ));
    }
}

#[allow(clippy::too_many_arguments)]
fn draw_overlays(
    mut gizmos: Gizmos,
    library: Res<Library>,
    clock: Res<Clock>,
    settings: Res<ViewSettings>,
    present: Res<Present>,
    camera: Single<&Projection, With<MapCamera>>,
    scale: Res<DrawScale>,
    floor: Option<Res<ShownFloor>>,
) {
    let _probe = super::timing::scope();
    let Some(entry) = library.current().filter(|_| settings.players) else { return };
    let shows = |z: f32| floor.as_ref().is_none_or(|f| f.shows(z));
    let px = units_per_px(&camera) * scale.0;
    let t = clock.time_ms();
    let tl = &entry.timeline;
    for d in deaths_until(tl, t) {
        let [r, g, b] = player_rgb(d.clientnum, d.team);
        // Recent deaths are bright, old ones fade to a trace.
        let age_s = (t - d.time_ms) as f32 / 1000.0;
        let alpha = (1.0 - age_s / 60.0).clamp(0.25, 0.9) * if shows(d.height) { 1.0 } else { 0.3 };
        gizmos.cross_2d(Isometry2d::new(d.pos, Rot2::degrees(45.0)), 5.0 * px, Color::srgba(r, g, b, alpha));
    }
    for m in present.shown(&settings.hidden) {
        let [r, g, b] = player_rgb(m.clientnum, m.team);
        let here = shows(m.height);
        if settings.trails {
            let strength = if here { 0.75 } else { 0.2 };
            for piece in trail(tl, m.clientnum, t, settings.trail_secs, entry.sample_step_ms) {
                gizmos.linestrip_gradient_2d(
                    piece.iter().map(|&(p, age)| (p, Color::srgba(r, g, b, strength * (1.0 - age)))),
                );
            }
        }
        if m.alive && here {
            let dir = Vec2::from_angle(m.yaw_deg.to_radians());
            gizmos.line_2d(
                m.pos + dir * MARKER_PX * px,
                m.pos + dir * (MARKER_PX + 9.0) * px,
                Color::srgb(1.0, 1.0, 1.0),
            );
        } else if !m.alive {
            gizmos.cross_2d(Isometry2d::new(m.pos, Rot2::degrees(45.0)), MARKER_PX * px, Color::srgb(0.9, 0.9, 0.9));
        }
        if settings.follow == Some(m.clientnum) {
            gizmos.circle_2d(Isometry2d::from_translation(m.pos), (MARKER_PX + 5.0) * px, Color::srgb(1.0, 0.9, 0.3));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::model::clock::ClockCommand;

    fn app(hidden: Hidden) -> App {
        let mut app = super::super::library::demo_app();
        app.insert_resource(ViewSettings { hidden, ..ViewSettings::default() })
            .init_resource::<DrawScale>()
            .init_resource::<Assets<Mesh>>()
            .init_resource::<Assets<ColorMaterial>>()
            .add_systems(Startup, make_assets)
            .init_resource::<Present>()
            .add_systems(Update, (update_present, sync_markers).chain());
        app.world_mut().spawn((Projection::Orthographic(OrthographicProjection::default_2d()), MapCamera));
        app
    }

    fn drawn(app: &mut App) -> Vec<(u16, Vec2)> {
        let mut q = app.world_mut().query::<(&PlayerMarker, &Transform)>();
        let mut v: Vec<_> = q.iter(app.world()).map(|(m, t)| (m.0, t.translation.truncate())).collect();
        v.sort_by_key(|(cn, _)| *cn);
        v
    }

    fn expected(app: &App, t: u32, hidden: &Hidden) -> Vec<(u16, Vec2)> {
        let library = app.world().resource::<Library>();
        let entry = library.current().expect("round");
        let mut v: Vec<_> = markers_at(&entry.timeline, t, hidden).into_iter().map(|m| (m.clientnum, m.pos)).collect();
        v.sort_by_key(|(cn, _)| *cn);
        v
    }

    #[test]
    fn one_marker_per_present_player_sits_where_the_round_says_at_each_time() {
        let mut app = app(Hidden::default());
        for t in [30_000, 95_500, 240_000] {
            app.world_mut().resource_mut::<Clock>().apply(ClockCommand::SetTime(t));
            app.update();
            let want = expected(&app, t, &Hidden::default());
            assert!(want.len() >= 6, "players at {t}: {}", want.len());
            assert_eq!(drawn(&mut app), want, "at {t} ms");
        }
    }

    #[test]
    fn a_hidden_team_has_no_markers() {
        let hidden = Hidden { players: vec![], teams: vec![proxviz_data::Team::Axis] };
        let mut app = app(hidden.clone());
        app.world_mut().resource_mut::<Clock>().apply(ClockCommand::SetTime(60_000));
        app.update();
        let want = expected(&app, 60_000, &hidden);
        assert!(!want.is_empty());
        let got = drawn(&mut app);
        assert_eq!(got, want);
        let library = app.world().resource::<Library>();
        let tl = &library.current().expect("round").timeline;
        assert!(
            got.iter().all(|(cn, _)| tl.state_at(*cn, 60_000).and_then(|s| s.team) != Some(proxviz_data::Team::Axis))
        );
    }
}
