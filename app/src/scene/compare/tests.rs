//! Tests of the stopwatch compare: ghosts, the difference and shared-scale heatmaps, a compare
//! following its round.

use super::*;
use crate::scene::heat_layer::{Heat, HeatState};
use crate::scene::library::{Library, RoundGrown, loaded_demo};
use crate::scene::model::heat::{HeatMode, HeatSettings, build_compare_layer, build_layer, build_shared_scale_layer};

/// The demo's supply rounds 1 and 2, read.
fn supply_pair(lib: &mut Library) -> (RoundKey, Arc<Timeline>, RoundKey, Arc<Timeline>) {
    let key = |lib: &Library, n: u32| {
        lib.listings
            .iter()
            .find(|l| l.summary.map.as_deref() == Some("supply") && l.summary.round == Some(n))
            .map(|l| l.key)
            .expect("a supply round")
    };
    let (k1, k2) = (key(lib, 1), key(lib, 2));
    lib.select_now(k1);
    let t1 = lib.current().expect("round 1").timeline.clone();
    lib.select_now(k2);
    let t2 = lib.current().expect("round 2").timeline.clone();
    (k1, t1, k2, t2)
}

#[test]
fn ghosts_are_the_other_rounds_players_at_the_same_time_since_its_start() {
    let mut lib = loaded_demo();
    let (_, r1, _, _) = supply_pair(&mut lib);
    for t in [10_000, 30_000, 95_500, 240_000] {
        let ghosts = ghosts_at(&r1, None, t);
        let truth = markers_at(&r1, t, &Hidden::default());
        assert!(!ghosts.is_empty(), "players at {t}");
        assert_eq!(ghosts, truth, "at {t}");
        // With the attackers known, only they are ghosts.
        let axis = ghosts_at(&r1, Some(Team::Axis), t);
        assert!(!axis.is_empty() && axis.len() < ghosts.len());
        assert!(axis.iter().all(|m| m.team == Some(Team::Axis)));
        for g in &axis {
            let s = r1.state_at(g.clientnum, t).expect("the ghost's state");
            assert_eq!((g.pos.x, g.pos.y), (s.pos.x, s.pos.y));
        }
    }
}

#[test]
fn the_difference_of_a_round_with_itself_is_empty_and_with_its_pair_counts_both() {
    let mut lib = loaded_demo();
    let (_, r1, _, r2) = supply_pair(&mut lib);
    let grid = HeatSettings { mode: HeatMode::Grid, cell_units: Some(512), ..HeatSettings::default() };
    let same = build_compare_layer(&r2, &r2, &grid, 0, 512, "a − a".into());
    assert!(same.kills > 0);
    assert!(same.rgba.chunks_exact(4).all(|p| p[3] == 0), "nothing differs");
    let layer = build_compare_layer(&r2, &r1, &grid, 0, 512, "round 2 − round 1".into());
    let (k1, k2) = (build_layer(&r1, &grid, 0, 512).kills, build_layer(&r2, &grid, 0, 512).kills);
    assert_eq!(layer.kills, k1 + k2);
    assert!(layer.diverging);
    let legend = crate::scene::model::legend::HeatLegend::new(&grid, &layer, 16);
    assert!(legend.unit.starts_with("round 2 − round 1"), "{}", legend.unit);
    // Cells of both colours: round 2 killed more in some, round 1 in others.
    let coloured: Vec<&[u8]> = layer.rgba.chunks_exact(4).filter(|p| p[3] > 0).collect();
    assert!(coloured.iter().any(|p| p[0] > p[2]) && coloured.iter().any(|p| p[2] > p[0]));
}

#[test]
fn side_by_side_halves_share_one_scale() {
    let mut lib = loaded_demo();
    let (_, r1, _, r2) = supply_pair(&mut lib);
    for mode in [HeatMode::Grid, HeatMode::Kde] {
        let s = HeatSettings { mode, cell_units: Some(512), ..HeatSettings::default() };
        let (own1, own2) = (build_layer(&r1, &s, 0, 256), build_layer(&r2, &s, 0, 256));
        assert_ne!(own1.hi, own2.hi, "the rounds' own scales differ ({mode:?})");
        let top = own1.hi.max(own2.hi);
        let (a, b) = (build_shared_scale_layer(&r1, &r2, &s, 0, 256), build_shared_scale_layer(&r2, &r1, &s, 0, 256));
        assert_eq!((a.hi, b.hi), (top, top), "{mode:?}");
        // The half with the lower top is drawn fainter than on its own scale; its cells stay.
        let low = if own1.hi < own2.hi { (&own1, &a) } else { (&own2, &b) };
        assert_eq!(low.0.kills, low.1.kills);
        assert_ne!(low.0.rgba, low.1.rgba);
    }
}

#[test]
fn the_window_draws_the_difference_heatmap_and_the_compare_ends_with_another_round() {
    let mut app = crate::scene::library::demo_app();
    app.init_resource::<Heat>()
        .init_resource::<Assets<Image>>()
        .init_resource::<crate::scene::heat_layer::HeatResolution>()
        .init_resource::<HeatState>()
        .init_resource::<crate::scene::season::SeasonLayer>()
        .init_resource::<Compare>()
        .add_message::<RoundGrown>()
        .add_systems(Update, (end_compare, crate::scene::heat_layer::update_heat_layer).chain());
    let (k1, _, k2, r2) = {
        let mut lib = app.world_mut().remove_resource::<Library>().expect("library");
        let pair = supply_pair(&mut lib);
        app.insert_resource(lib);
        pair
    };
    let r1 = app.world().resource::<Library>().entry(k1).expect("round 1 read").timeline.clone();
    app.world_mut().resource_mut::<Heat>().0 = HeatSettings { show: true, ..HeatSettings::default() };
    {
        let mut compare = app.world_mut().resource_mut::<Compare>();
        compare.settings.heat = CompareHeat::Difference;
        compare.set(k2, &r2, r1);
        assert_eq!(compare.splits.last().map(|s| s.what.as_str()), Some("round time"));
    }
    app.update();
    let unit = app.world().resource::<HeatState>().legend.as_ref().map(|l| l.unit.clone()).unwrap_or_default();
    assert!(unit.starts_with("round 2 − round 1"), "{unit}");
    // A live round read again under a new key is still compared (here: round 2 stands in
    // for its own grown copy of the key `k1`).
    {
        let generation = app.world().resource::<Compare>().generation;
        app.world_mut().resource_mut::<Compare>().with = Some(k1);
        app.world_mut().write_message(RoundGrown { old: k1, new: k2 });
        app.update();
        let compare = app.world().resource::<Compare>();
        assert_eq!(compare.with, Some(k2), "the compare follows the grown round");
        assert!(compare.other.is_some() && compare.generation > generation);
    }
    app.world_mut().resource_mut::<Library>().select_now(k1);
    app.update();
    assert!(app.world().resource::<Compare>().other.is_none(), "a compare belongs to its round");
    let unit = app.world().resource::<HeatState>().legend.as_ref().map(|l| l.unit.clone()).unwrap_or_default();
    assert!(!unit.contains('−'), "{unit}");
}
