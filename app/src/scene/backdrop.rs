//! The backdrop, the bottom layer of the map: a silhouette of where the players of this map
//! walked (this round and the other open rounds of the same map), drawn as a soft pale mask
//! with the user's brightness and opacity. Rebuilt only when the map or the open rounds change.

use bevy::asset::RenderAssetUsages;
use bevy::image::ImageSampler;
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat};

use super::frame::Frame;
use super::library::{Library, RoundKey};
use super::model::backdrop::{BackdropSettings, WorldImage, silhouette, walkable_step};

/// The backdrop settings in use.
#[derive(Resource, Debug, Clone, Copy, Default, PartialEq, Deref, DerefMut)]
pub struct Backdrop(pub BackdropSettings);

/// What the backdrop shows now.
#[derive(Resource, Default)]
pub struct BackdropState {
    /// The rounds the silhouette was drawn from (the replayed round's map).
    key: Option<(Option<String>, Vec<RoundKey>)>,
    /// How many rounds went into the silhouette (for the Layers panel).
    pub rounds: usize,
    /// The silhouette's world rectangle, when one is drawn.
    pub rect: Option<(Vec2, Vec2)>,
}

/// The sprite showing the backdrop.
#[derive(Component)]
pub struct BackdropSprite;

/// Under everything else on the map (the heatmap sits at 0.5).
const BACKDROP_Z: f32 = 0.1;

pub(crate) fn plugin(app: &mut App) {
    app.init_resource::<Backdrop>()
        .init_resource::<BackdropState>()
        .add_systems(Update, update_backdrop.in_set(Frame::Scene));
}

/// An image for a sprite from straight-alpha RGBA rows, smoothly filtered.
pub fn world_image_texture(img: &WorldImage) -> Image {
    let mut image = Image::new(
        Extent3d { width: img.width as u32, height: img.height as u32, depth_or_array_layers: 1 },
        TextureDimension::D2,
        img.rgba.clone(),
        TextureFormat::Rgba8UnormSrgb,
        RenderAssetUsages::RENDER_WORLD,
    );
    image.sampler = ImageSampler::linear();
    image
}

fn update_backdrop(
    mut commands: Commands,
    backdrop: Res<Backdrop>,
    library: Res<Library>,
    mut state: ResMut<BackdropState>,
    mut images: ResMut<Assets<Image>>,
    mut sprite: Query<(&mut Sprite, &mut Transform, &mut Visibility), With<BackdropSprite>>,
) {
    let _probe = super::timing::scope();
    let entry = library.current().filter(|_| backdrop.mode.shows_silhouette(false));
    let Some(entry) = entry else {
        for (_, _, mut v) in &mut sprite {
            if *v != Visibility::Hidden {
                *v = Visibility::Hidden;
            }
        }
        return;
    };
    // Every open round of the same map traces the same corridors.
    let map = entry.round().map().map(str::to_owned);
    let same_map: Vec<_> = match &map {
        Some(m) => library.entries.iter().filter(|e| e.round().map() == Some(m.as_str())).collect(),
        None => vec![entry],
    };
    let key = (map, same_map.iter().map(|e| e.key).collect::<Vec<_>>());
    let tint = Color::linear_rgba(backdrop.brightness, backdrop.brightness, backdrop.brightness, backdrop.opacity);
    if state.key.as_ref() == Some(&key) {
        for (mut s, _, mut v) in &mut sprite {
            if s.color != tint {
                s.color = tint;
            }
            if *v != Visibility::Visible {
                *v = Visibility::Visible;
            }
        }
        return;
    }
    let (min, max) = same_map
        .iter()
        .map(|e| e.timeline.bounds())
        .fold(entry.timeline.bounds(), |(a, b), (c, d)| (a.min(c), b.max(d)));
    let steps = same_map.iter().flat_map(|e| e.round().tracks.iter()).flat_map(|t| {
        t.samples.windows(2).map(|w| {
            let (a, b) = (w[0].pos.truncate(), w[1].pos.truncate());
            let dead = w.iter().any(|s| s.health.is_some_and(|h| h <= 0));
            if !dead && walkable_step(a, b, w[1].time_ms.saturating_sub(w[0].time_ms)) { (a, b) } else { (b, b) }
        })
    });
    let img = silhouette(steps, min, max);
    let handle = images.add(world_image_texture(&img));
    let size = img.max - img.min;
    let transform = Transform::from_translation(((img.min + img.max) / 2.0).extend(BACKDROP_Z));
    match sprite.iter_mut().next() {
        Some((mut s, mut t, mut v)) => {
            s.image = handle;
            s.custom_size = Some(size);
            s.color = tint;
            *t = transform;
            *v = Visibility::Visible;
        }
        None => {
            commands.spawn((
                BackdropSprite,
                Sprite { image: handle, custom_size: Some(size), color: tint, ..default() },
                transform,
                Visibility::Visible,
            ));
        }
    }
    state.rounds = same_map.len();
    state.rect = Some((img.min, img.max));
    state.key = Some(key);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::model::backdrop::BackdropMode;

    fn app(mode: BackdropMode) -> App {
        let mut app = crate::scene::library::demo_app();
        app.insert_resource(Backdrop(BackdropSettings { mode, ..BackdropSettings::default() }))
            .init_resource::<Assets<Image>>()
            .init_resource::<BackdropState>()
            .add_systems(Update, update_backdrop);
        app
    }

    #[test]
    fn the_silhouette_covers_every_open_round_of_the_map_and_none_hides_it() {
        let mut app = app(BackdropMode::Auto);
        app.update();
        let (rounds, rect) = {
            let state = app.world().resource::<BackdropState>();
            (state.rounds, state.rect.expect("drawn"))
        };
        let library = app.world().resource::<Library>();
        let map = library.current().and_then(|e| e.round().map()).expect("map");
        let same: Vec<_> = library.entries.iter().filter(|e| e.round().map() == Some(map)).collect();
        assert_eq!(rounds, same.len());
        assert!(rounds >= 2, "the demo plays each map twice");
        for e in same {
            let (lo, hi) = e.timeline.bounds();
            assert!(rect.0.cmple(lo).all() && rect.1.cmpge(hi).all(), "{rect:?} holds {lo:?}..{hi:?}");
        }
        app.world_mut().resource_mut::<Backdrop>().mode = BackdropMode::None;
        app.update();
        let mut q = app.world_mut().query::<(&BackdropSprite, &Visibility)>();
        assert!(q.iter(app.world()).all(|(_, v)| *v == Visibility::Hidden));
    }
}
