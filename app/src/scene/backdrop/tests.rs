//! Tests of the backdrop: the silhouette over the open rounds of a map, the game-folder search,
//! hand calibrations, and the floors of layered maps.

use super::*;

fn app(mode: BackdropMode) -> App {
    let mut app = crate::scene::library::demo_app();
    app.insert_resource(Backdrop(BackdropSettings { mode, ..BackdropSettings::default() }))
        .init_resource::<Assets<Image>>()
        .init_resource::<BackdropState>()
        .init_resource::<CommandMaps>()
        .init_resource::<ShownFloor>()
        .add_systems(Update, (update_command_map, update_backdrop).chain());
    app
}

#[test]
fn a_search_of_the_game_folders_finds_the_command_map_and_the_spawns() {
    use proxviz_data::gamedata::fixtures::{bsp_with_entities, quadrant_tga, write_pk3};
    let dir = tempfile::tempdir().expect("tempdir");
    let world = concat!(
        "{\n\"classname\" \"worldspawn\"\n\"mapcoordsmins\" \"-100 300\"\n\"mapcoordsmaxs\" \"700 -500\"\n}\n",
        "{\n\"classname\" \"team_CTF_bluespawn\"\n\"origin\" \"10 20 0\"\n}\n",
    );
    let tga = quadrant_tga(16, 16, [[9, 9, 9]; 4]);
    write_pk3(
        &dir.path().join("m.pk3"),
        &[("maps/mymap.bsp", &bsp_with_entities(world)), ("levelshots/mymap_cc.tga", &tga)],
    )
    .expect("pk3");
    let found = CommandMaps::search(
        &[dir.path().to_path_buf()],
        &["MyMap".to_owned(), "other".to_owned()],
        None,
        &UserCalibrations::default(),
    );
    let img = found.image(Some("mymap")).expect("image");
    assert_eq!((img.min, img.max, img.width), (Vec2::new(-100.0, -500.0), Vec2::new(700.0, 300.0), 16));
    assert_eq!(found.marks(Some("MYMAP")).iter().map(|m| m.label.as_str()).collect::<Vec<_>>(), ["Allied spawn"]);
    assert!(found.image(Some("other")).is_none());
    assert!(found.notes.iter().any(|n| n.contains("other") && n.contains("no command-map image")), "{:?}", found.notes);
    let nothing = CommandMaps::search(&[], &["mymap".to_owned()], None, &UserCalibrations::default());
    assert!(nothing.notes[0].contains("--etmain"), "{:?}", nothing.notes);
}

#[test]
fn a_map_without_calibration_waits_for_the_users_which_is_saved_and_used_next_time() {
    use proxviz_data::gamedata::fixtures::{bsp_with_entities, quadrant_tga, write_pk3};
    let dir = tempfile::tempdir().expect("tempdir");
    let world = "{\n\"classname\" \"worldspawn\"\n}\n";
    let tga = quadrant_tga(8, 8, [[5, 5, 5]; 4]);
    write_pk3(
        &dir.path().join("c.pk3"),
        &[("maps/custom.bsp", &bsp_with_entities(world)), ("levelshots/custom_cc.tga", &tga)],
    )
    .expect("pk3");
    let folders = [dir.path().to_path_buf()];
    let mut found = CommandMaps::search(&folders, &["custom".to_owned()], None, &UserCalibrations::default());
    assert!(found.image(Some("custom")).is_none() && found.unplaced.contains_key("custom"));
    let calibration = Calibration { top_left: Vec2::new(-800.0, 600.0), bottom_right: Vec2::new(1200.0, -1400.0) };
    found.place("custom", calibration);
    assert_eq!(
        found.image(Some("custom")).map(|i| (i.min, i.max)),
        Some((Vec2::new(-800.0, -1400.0), Vec2::new(1200.0, 600.0)))
    );
    // Saved in the config dir, used by the next search.
    let file = dir.path().join("config").join("calibrations.json");
    UserCalibrations::load(Some(&file)).save(&file, "Custom", calibration).expect("save");
    let next = CommandMaps::search(&folders, &["custom".to_owned()], None, &UserCalibrations::load(Some(&file)));
    assert_eq!(next.image(Some("custom")).map(|i| i.min), Some(Vec2::new(-800.0, -1400.0)));
    std::fs::write(&file, b"{ damaged").expect("damage");
    let (damaged, note) = UserCalibrations::read(Some(&file));
    assert_eq!(damaged, UserCalibrations::default());
    assert!(note.is_some_and(|n| n.contains("calibrations.json was damaged")));
    assert!(dir.path().join("config").join("calibrations.json.damaged").exists(), "kept for the user");
}

fn world_image(tag: u8) -> Arc<WorldImage> {
    Arc::new(WorldImage { width: 1, height: 1, rgba: vec![tag, 0, 0, 255], min: Vec2::ZERO, max: Vec2::ONE })
}

#[test]
fn a_layered_map_shows_the_followed_players_floor_or_the_one_chosen() {
    let mut app = app(BackdropMode::Auto);
    app.init_resource::<ViewSettings>();
    app.world_mut().resource_mut::<Clock>().apply(crate::scene::model::clock::ClockCommand::SetTime(60_000));
    let (cn, z, map) = {
        let library = app.world().resource::<Library>();
        let tl = &library.current().expect("round").timeline;
        let s = tl.states_at(60_000).into_iter().find(|s| s.alive).expect("a player");
        (s.clientnum, s.pos.z, tl.round().map().expect("map").to_owned())
    };
    // Two floors split just below the followed player: they are upstairs.
    let floors =
        Floors { ceilings: vec![z - 1.0, z + 1000.0], images: vec![Some(world_image(1)), Some(world_image(2))] };
    app.world_mut().resource_mut::<CommandMaps>().floors.insert(map.clone(), floors);
    app.world_mut().resource_mut::<CommandMaps>().images.insert(map, world_image(9));
    app.world_mut().resource_mut::<ViewSettings>().follow = Some(cn);
    app.add_systems(Update, pick_floor.before(update_command_map));
    app.update();
    let shown = app.world().resource::<ShownFloor>().clone();
    assert_eq!(shown.floor, Some(1));
    assert!(shown.shows(z) && !shown.shows(z - 500.0));
    let tag = |app: &mut App| {
        let mut q = app.world_mut().query::<(&CommandMapSprite, &Sprite)>();
        let handle = q.single(app.world()).expect("sprite").1.image.clone();
        app.world().resource::<Assets<Image>>().get(&handle).and_then(|i| i.data.as_ref().map(|d| d[0]))
    };
    assert_eq!(tag(&mut app), Some(2), "the upstairs image");
    app.world_mut().resource_mut::<Backdrop>().floor = Some(0);
    app.update();
    assert_eq!(app.world().resource::<ShownFloor>().floor, Some(0));
    assert_eq!(tag(&mut app), Some(1), "the chosen floor's image");
}

#[test]
fn the_silhouette_covers_every_open_round_of_the_map_and_none_hides_it() {
    let mut app = app(BackdropMode::Auto);
    // Both rounds of the replayed map read in full: the other one replayed just before.
    {
        let mut library = app.world_mut().resource_mut::<Library>();
        let keys: Vec<_> = library.listings.iter().map(|l| l.key).collect();
        library.select_now(keys[1]);
        library.select_now(keys[0]);
    }
    app.update();
    let (rounds, rect) = {
        let state = app.world().resource::<BackdropState>();
        (state.rounds, state.rect.expect("drawn"))
    };
    let library = app.world().resource::<Library>();
    let map = library.current().and_then(|e| e.round().map()).expect("map");
    let same: Vec<_> = library.read_entries().filter(|e| e.round().map() == Some(map)).collect();
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
