//! The heatmap layer: an image sprite under the players, rebuilt when its settings, the round
//! or — for cursor-relative windows — the replay time change. Used by the window and by the
//! headless export alike.

use bevy::asset::RenderAssetUsages;
use bevy::image::ImageSampler;
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat};

use super::clock::Clock;
use super::compare::{Compare, CompareHeat};
use super::frame::Frame;
use super::library::{Library, RoundKey};
use super::model::heat::{
    HeatLayer, HeatMode, HeatSettings, build_compare_layer, build_layer, build_season_layer, build_shared_scale_layer,
};
use super::model::legend::HeatLegend;
use super::season::SeasonLayer;

/// The heatmap, engagement and paths settings in use.
#[derive(Resource, Debug, Clone, Default, PartialEq, Deref, DerefMut)]
pub struct Heat(pub HeatSettings);

/// Longest side of the density image (the window's is modest; an export asks for its size).
#[derive(Resource, Debug, Clone, Copy, PartialEq)]
pub struct HeatResolution(pub usize);

impl Default for HeatResolution {
    fn default() -> Self {
        Self(768)
    }
}

/// The current layer and what it was built from.
#[derive(Resource, Default)]
pub struct HeatState {
    key: Option<(RoundKey, HeatSettings, u32, usize, (u64, u64))>,
    /// The layer on the map (its pixels are in the sprite's image), when shown.
    pub layer: Option<HeatLayer>,
    /// Its legend.
    pub legend: Option<HeatLegend>,
    /// How many times the layer has been built (tests and the export wait on it).
    pub builds: u64,
}

impl HeatState {
    /// Whether the layer on the map is the one of round `round`.
    pub fn built_for(&self, round: RoundKey) -> bool {
        self.layer.is_some() && self.key.as_ref().is_some_and(|k| k.0 == round)
    }
}

/// Colours in a legend's bar (enough for a smooth bar in a large export).
const LEGEND_STEPS: usize = 256;

/// The sprite showing the layer.
#[derive(Component)]
pub struct HeatSprite;

pub(crate) fn plugin(app: &mut App) {
    app.init_resource::<Heat>()
        .init_resource::<HeatResolution>()
        .init_resource::<HeatState>()
        .add_systems(Update, update_heat_layer.in_set(Frame::Scene));
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn update_heat_layer(
    mut commands: Commands,
    heat: Res<Heat>,
    library: Res<Library>,
    (season, compare): (Res<SeasonLayer>, Res<Compare>),
    clock: Res<Clock>,
    resolution: Res<HeatResolution>,
    mut state: ResMut<HeatState>,
    mut images: ResMut<Assets<Image>>,
    mut sprite: Query<(Entity, &mut Sprite, &mut Transform, &mut Visibility), With<HeatSprite>>,
) {
    let _probe = super::timing::scope();
    let Some(entry) = library.current() else {
        for (_, _, _, mut v) in &mut sprite {
            *v = Visibility::Hidden;
        }
        state.layer = None;
        state.legend = None;
        return;
    };
    if !heat.show {
        for (_, _, _, mut v) in &mut sprite {
            *v = Visibility::Hidden;
        }
        state.layer = None;
        state.legend = None;
        state.key = None;
        return;
    }
    let cursor = if heat.follows_cursor() && season.season().is_none() { clock.time_ms() } else { 0 };
    // A difference with the compared round (a season, when shown, comes first).
    let other = compare.other_for(Some(entry.key)).filter(|_| compare.settings.heat != CompareHeat::Off);
    let generation = (season.generation(), if other.is_some() { compare.generation } else { 0 });
    let key = (entry.key, heat.layer_only(), cursor, resolution.0, generation);
    if state.key.as_ref() == Some(&key) {
        return;
    }
    let mut layer = match (season.season(), other) {
        (Some(s), _) => build_season_layer(s, entry.timeline.bounds(), &heat.0, resolution.0),
        // Side by side, each half on the scale of both.
        (None, Some(other)) if compare.settings.heat == CompareHeat::SideBySide => {
            build_shared_scale_layer(&entry.timeline, other, &heat.0, cursor, resolution.0)
        }
        (None, Some(other)) => {
            let name = |r: &proxviz_data::Round| {
                r.round_number().map_or_else(|| "this round".to_owned(), |n| format!("round {n}"))
            };
            let (a, mut b) = (name(entry.round()), name(other.round()));
            if a == b {
                b = "the other".to_owned();
            }
            build_compare_layer(&entry.timeline, other, &heat.0, cursor, resolution.0, format!("{a} − {b}"))
        }
        (None, None) => build_layer(&entry.timeline, &heat.0, cursor, resolution.0),
    };
    let mut image = Image::new(
        Extent3d { width: layer.width as u32, height: layer.height as u32, depth_or_array_layers: 1 },
        TextureDimension::D2,
        // The pixels move into the image; the layer kept for the legend needs only its scale.
        std::mem::take(&mut layer.rgba),
        TextureFormat::Rgba8UnormSrgb,
        RenderAssetUsages::RENDER_WORLD | RenderAssetUsages::MAIN_WORLD,
    );
    // Grid cells stay crisp; a density is smooth between samples.
    image.sampler = match heat.mode {
        HeatMode::Grid => ImageSampler::nearest(),
        HeatMode::Kde => ImageSampler::linear(),
    };
    let handle = images.add(image);
    let size = layer.max - layer.min;
    let centre = (layer.min + layer.max) / 2.0;
    // Above the grid, under trails, death marks and players.
    let transform = Transform::from_translation(centre.extend(0.5));
    match sprite.iter_mut().next() {
        Some((_, mut s, mut t, mut v)) => {
            // The old image goes with its last handle.
            s.image = handle;
            s.custom_size = Some(size);
            *t = transform;
            *v = Visibility::Visible;
        }
        None => {
            commands.spawn((
                HeatSprite,
                Sprite { image: handle, custom_size: Some(size), ..default() },
                transform,
                Visibility::Visible,
            ));
        }
    }
    state.legend = Some(HeatLegend::new(&heat.0, &layer, LEGEND_STEPS));
    state.layer = Some(layer);
    state.key = Some(key);
    state.builds += 1;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(settings: HeatSettings) -> App {
        let mut app = super::super::library::demo_app();
        app.insert_resource(Heat(settings))
            .init_resource::<Assets<Image>>()
            .init_resource::<HeatResolution>()
            .init_resource::<HeatState>()
            .init_resource::<SeasonLayer>()
            .init_resource::<Compare>()
            .add_systems(Update, update_heat_layer);
        app
    }

    #[test]
    fn the_heatmap_sprite_covers_the_layer_and_follows_the_cursor_only_when_asked() {
        let mut app = app(HeatSettings { show: true, ..HeatSettings::default() });
        app.update();
        let layer = app.world().resource::<HeatState>().layer.clone().expect("layer");
        let mut q = app.world_mut().query::<(&Sprite, &Transform)>();
        let (sprite, transform) = q.single(app.world()).expect("one sprite");
        assert_eq!(sprite.custom_size, Some(layer.max - layer.min));
        assert_eq!(transform.translation.truncate(), (layer.min + layer.max) / 2.0);
        // Whole round: moving the cursor does not rebuild.
        app.world_mut().resource_mut::<Clock>().apply(crate::scene::model::clock::ClockCommand::SetTime(90_000));
        app.update();
        assert_eq!(app.world().resource::<HeatState>().builds, 1);
        // Up to the cursor: it does, and counts fewer kills early in the round.
        app.world_mut().resource_mut::<Heat>().window = crate::scene::model::heat::Window::UpToCursor;
        app.update();
        let early = app.world().resource::<HeatState>().layer.as_ref().map(|l| l.kills);
        app.world_mut().resource_mut::<Clock>().apply(crate::scene::model::clock::ClockCommand::SetTime(400_000));
        app.update();
        let later = app.world().resource::<HeatState>().layer.as_ref().map(|l| l.kills);
        assert_eq!(app.world().resource::<HeatState>().builds, 3);
        assert!(early < later && later <= Some(layer.kills), "{early:?} {later:?} {}", layer.kills);
    }

    #[test]
    fn hiding_the_heatmap_hides_its_sprite() {
        let mut app = app(HeatSettings { show: true, ..HeatSettings::default() });
        app.update();
        app.world_mut().resource_mut::<Heat>().show = false;
        app.update();
        let mut q = app.world_mut().query::<&Visibility>();
        assert_eq!(q.single(app.world()).ok(), Some(&Visibility::Hidden));
        assert!(app.world().resource::<HeatState>().layer.is_none());
    }

    #[test]
    fn a_season_is_drawn_instead_of_the_rounds_kills_and_back() {
        use proxviz_data::season::{Season, SeasonFilter};
        let mut app = app(HeatSettings { show: true, ..HeatSettings::default() });
        app.update();
        let kills = |app: &App| app.world().resource::<HeatState>().layer.as_ref().map(|l| l.kills).expect("layer");
        let round = kills(&app);
        let filter = SeasonFilter { map: "supply".into(), ..SeasonFilter::default() };
        let timelines =
            crate::scene::demo::rounds().into_iter().map(|r| proxviz_data::Timeline::new(std::sync::Arc::new(r)));
        let season = Season::of_rounds(&filter, timelines);
        assert_eq!(season.rounds, 2);
        app.world_mut().resource_mut::<SeasonLayer>().set(Some(std::sync::Arc::new(season.clone())));
        app.update();
        assert_eq!(kills(&app) as u64, season.kills);
        assert!(season.kills > round as u64, "two rounds hold more kills than one");
        app.world_mut().resource_mut::<SeasonLayer>().set(None);
        app.update();
        assert_eq!(kills(&app), round);
        assert_eq!(app.world().resource::<HeatState>().builds, 3);
    }
}
