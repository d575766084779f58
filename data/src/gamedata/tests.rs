//! Game data built by the tests themselves: pk3 archives written here holding a generated TGA
//! command map and a minimal BSP whose entity lump carries the calibration, an archive
//! overriding another, a layered map, a shader redirect, and archives that are corrupt, empty
//! or a zip bomb.

use std::io::Write;

use super::fixtures::{bsp_with_entities, quadrant_tga, write_pk3};
use super::*;

const WORLD: &str = r#"{
"classname" "worldspawn"
"mapcoordsmins" "-1000 2000"
"mapcoordsmaxs" "3000 -2000"
"cclayers" "2"
"cclayerceil0" "200"
"cclayerceil1" "600"
}
{
"classname" "team_CTF_redspawn"
"origin" "100 200 30"
}
{
"classname" "trigger_objective_info"
"track" "the Gold"
"origin" "500 -300 0"
}
"#;

const QUADRANTS: [[u8; 3]; 4] = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 0]];

#[test]
fn a_bsp_s_worldspawn_gives_calibration_floors_spawns_and_objectives() {
    let text = bsp_entities(&bsp_with_entities(WORLD)).expect("entities");
    let info = MapInfo::from_entities(&parse_entities(&text), &[]);
    let cal = info.calibration.expect("calibration");
    assert_eq!(cal.world_rect(), (Vec2::new(-1000.0, -2000.0), Vec2::new(3000.0, 2000.0)));
    assert_eq!(info.layer_ceilings, vec![200.0, 600.0]);
    assert_eq!((info.layer_of(0.0), info.layer_of(400.0), info.layer_of(5000.0)), (0, 1, 0));
    assert_eq!(info.spawns, vec![(crate::Team::Axis, glam::Vec3::new(100.0, 200.0, 30.0))]);
    assert_eq!(info.objectives, vec![("the Gold".to_owned(), Some(glam::Vec3::new(500.0, -300.0, 0.0)))]);
    assert!(bsp_entities(b"IBSP\x2e\0\0\0").is_err(), "other versions are refused");
    assert!(bsp_entities(b"PK\x03\x04").is_err());
    // A brush objective without an origin sits in the middle of its model.
    let brush = "{\n\"classname\" \"worldspawn\"\n}\n{\n\"classname\" \"func_explosive\"\n\"targetname\" \"door\"\n\"model\" \"*1\"\n}\n";
    let models = [
        (glam::Vec3::ZERO, glam::Vec3::ONE),
        (glam::Vec3::new(100.0, 200.0, 0.0), glam::Vec3::new(300.0, 400.0, 64.0)),
    ];
    let info = MapInfo::from_entities(&parse_entities(brush), &models);
    assert_eq!(info.objectives, vec![("door".to_owned(), Some(glam::Vec3::new(200.0, 300.0, 32.0)))]);
    let mut cut = bsp_with_entities(WORLD);
    cut.truncate(100);
    assert!(bsp_entities(&cut).is_err(), "a lump past the end is an error, not a panic");
}

#[test]
fn a_map_is_found_in_the_pk3s_with_its_command_map_and_calibration() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tga = quadrant_tga(64, 64, QUADRANTS);
    write_pk3(
        &dir.path().join("zz_mymap.pk3"),
        &[("maps/mymap.bsp", &bsp_with_entities(WORLD)), ("levelshots/mymap_cc.tga", &tga)],
    )
    .expect("pk3");
    let index = Pk3Index::scan(&[dir.path().to_path_buf()]);
    assert!(index.notes.is_empty(), "{:?}", index.notes);
    let assets = MapAssets::load(&index, "MyMap");
    assert_eq!(assets.calibration.map(|c| c.world_rect().0), Some(Vec2::new(-1000.0, -2000.0)));
    let (path, img) = assets.image.expect("image");
    assert_eq!(path, "levelshots/mymap_cc.tga");
    assert_eq!((img.width, img.height), (64, 64));
    assert_eq!(&img.rgba[..4], &[255, 0, 0, 255], "top-left quadrant");
    assert_eq!(&img.rgba[(63 * 64 + 63) * 4..][..4], &[255, 255, 0, 255], "bottom-right quadrant");
}

#[test]
fn a_layered_map_has_an_image_per_floor() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (ground, upstairs) = (quadrant_tga(8, 8, [[1, 1, 1]; 4]), quadrant_tga(8, 8, [[2, 2, 2]; 4]));
    write_pk3(
        &dir.path().join("layered.pk3"),
        &[
            ("maps/layered.bsp", &bsp_with_entities(WORLD)),
            ("levelshots/layered_cc.tga", &ground),
            ("levelshots/layered_0_cc.tga", &ground),
            ("levelshots/layered_1_cc.tga", &upstairs),
        ],
    )
    .expect("pk3");
    let assets = MapAssets::load(&Pk3Index::scan(&[dir.path().to_path_buf()]), "layered");
    let floors: Vec<Option<u8>> = assets.floor_images.iter().map(|f| f.as_ref().map(|(_, img)| img.rgba[0])).collect();
    assert_eq!(floors, vec![Some(1), Some(2)]);
    assert_eq!(layer_of(&[200.0, 600.0], 300.0), 1);
}

#[test]
fn a_later_archive_overrides_an_earlier_one_and_says_so_for_maps() {
    let dir = tempfile::tempdir().expect("tempdir");
    let other = WORLD.replace("-1000 2000", "-2000 2000");
    write_pk3(&dir.path().join("a.pk3"), &[("maps/mymap.bsp", &bsp_with_entities(WORLD))]).expect("pk3");
    write_pk3(&dir.path().join("b.pk3"), &[("maps/mymap.bsp", &bsp_with_entities(&other))]).expect("pk3");
    let index = Pk3Index::scan(&[dir.path().to_path_buf()]);
    assert_eq!(index.get("maps/mymap.bsp").map(|e| e.archive.clone()), Some(dir.path().join("b.pk3")));
    assert!(index.notes.iter().any(|n| n.contains("hold different files")), "{:?}", index.notes);
    let assets = MapAssets::load(&index, "mymap");
    assert_eq!(assets.calibration.map(|c| c.top_left), Some(Vec2::new(-2000.0, 2000.0)));
}

#[test]
fn a_shader_redirect_and_a_differently_named_image_are_followed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tga = quadrant_tga(8, 8, QUADRANTS);
    let shader = b"levelshots/redir_cc_automap\n{\n  nopicmip\n  {\n    clampmap levelshots/elsewhere.tga\n  }\n}\n";
    write_pk3(
        &dir.path().join("redir.pk3"),
        &[
            ("maps/redir.bsp", &bsp_with_entities(WORLD)),
            ("scripts/redir.shader", shader),
            ("levelshots/elsewhere.tga", &tga),
        ],
    )
    .expect("pk3");
    write_pk3(
        &dir.path().join("missile_b3.pk3"),
        &[("maps/missile_b3.bsp", &bsp_with_entities(WORLD)), ("levelshots/missile_cc.tga", &tga)],
    )
    .expect("pk3");
    let index = Pk3Index::scan(&[dir.path().to_path_buf()]);
    assert_eq!(index.command_map("redir").map(|(p, _)| p), Some("levelshots/elsewhere.tga".to_owned()));
    let (path, note) = index.command_map("missile_b3").expect("fallback");
    assert_eq!(path, "levelshots/missile_cc.tga");
    assert!(note.is_some_and(|n| n.contains("same archive")));
}

#[test]
fn corrupt_empty_and_bomb_archives_give_notes_not_crashes() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("empty.pk3"), b"").expect("write");
    std::fs::write(dir.path().join("corrupt.pk3"), b"PK\x03\x04 this is not a zip").expect("write");
    // 300 MB of zeros compress to a few hundred KB: more than proxviz reads.
    let bomb = dir.path().join("bomb.pk3");
    {
        let file = std::fs::File::create(&bomb).expect("create");
        let mut zip = zip::ZipWriter::new(file);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        zip.start_file("maps/bomb.bsp", options).expect("entry");
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..300 {
            zip.write_all(&zeros).expect("write");
        }
        zip.finish().expect("finish");
    }
    let index = Pk3Index::scan(&[dir.path().to_path_buf()]);
    assert!(index.notes.iter().any(|n| n.contains("empty.pk3") && n.contains("empty")), "{:?}", index.notes);
    assert!(index.notes.iter().any(|n| n.contains("corrupt.pk3") && n.contains("not a readable")), "{:?}", index.notes);
    let err = index.read("maps/bomb.bsp").expect_err("refused");
    assert!(err.contains("more than proxviz reads"), "{err}");
    let assets = MapAssets::load(&index, "bomb");
    assert!(assets.info.is_none() && assets.image.is_none());
    assert!(!assets.notes.is_empty());
}

#[test]
fn a_map_without_a_bsp_takes_the_tables_calibration() {
    assert!(table_calibration("adlernest").is_some());
    assert!(table_calibration("no_such_map").is_none());
    let assets = MapAssets::load(&Pk3Index::default(), "adlernest");
    assert_eq!(assets.calibration, table_calibration("adlernest"));
    assert!(assets.notes.iter().any(|n| n.contains("table")));
}

#[test]
fn the_index_cache_answers_for_unchanged_archives_and_rereads_changed_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    let game = dir.path().join("etmain");
    std::fs::create_dir(&game).expect("mkdir");
    let pk3 = game.join("map.pk3");
    write_pk3(&pk3, &[("maps/mymap.bsp", &bsp_with_entities(WORLD))]).expect("pk3");
    let cache = dir.path().join("cache").join("pk3-index.json");
    let first = Pk3Index::scan_cached(std::slice::from_ref(&game), Some(&cache));
    assert!(first.get("maps/mymap.bsp").is_some() && cache.exists());
    // Same size and time, other bytes: the cache answers without opening the archive.
    let modified = std::fs::metadata(&pk3).and_then(|m| m.modified()).expect("mtime");
    let len = std::fs::metadata(&pk3).expect("meta").len() as usize;
    std::fs::write(&pk3, vec![b'x'; len]).expect("overwrite");
    std::fs::File::options().write(true).open(&pk3).and_then(|f| f.set_modified(modified)).expect("touch");
    let cached = Pk3Index::scan_cached(std::slice::from_ref(&game), Some(&cache));
    assert!(cached.get("maps/mymap.bsp").is_some(), "{:?}", cached.notes);
    // A changed time: read again (and now it is no zip).
    std::fs::File::options()
        .write(true)
        .open(&pk3)
        .and_then(|f| f.set_modified(modified + std::time::Duration::from_secs(5)))
        .expect("touch");
    let reread = Pk3Index::scan_cached(std::slice::from_ref(&game), Some(&cache));
    assert!(reread.get("maps/mymap.bsp").is_none());
    assert!(reread.notes.iter().any(|n| n.contains("not a readable")), "{:?}", reread.notes);
    // A damaged cache is ignored.
    std::fs::write(&cache, b"{ not json").expect("damage");
    assert!(Pk3Index::scan_cached(&[game], Some(&cache)).notes.iter().any(|n| n.contains("not a readable")));
}

#[test]
fn a_jpeg_command_map_is_read_too() {
    let (w, h) = (32u16, 16u16);
    let rgb: Vec<u8> = (0..usize::from(w) * usize::from(h))
        .flat_map(|i| if i % usize::from(w) < 16 { [200, 30, 30] } else { [30, 30, 200] })
        .collect();
    let mut jpeg = Vec::new();
    jpeg_encoder::Encoder::new(&mut jpeg, 95).encode(&rgb, w, h, jpeg_encoder::ColorType::Rgb).expect("encode");
    let dir = tempfile::tempdir().expect("tempdir");
    write_pk3(
        &dir.path().join("j.pk3"),
        &[("maps/jmap.bsp", &bsp_with_entities(WORLD)), ("levelshots/jmap_cc.jpg", &jpeg)],
    )
    .expect("pk3");
    let assets = MapAssets::load(&Pk3Index::scan(&[dir.path().to_path_buf()]), "jmap");
    let (path, img) = assets.image.expect("image");
    assert_eq!((path.as_str(), img.width, img.height), ("levelshots/jmap_cc.jpg", 32, 16));
    let left = &img.rgba[(8 * 32 + 4) * 4..][..4];
    let right = &img.rgba[(8 * 32 + 28) * 4..][..4];
    assert!(left[0] > 150 && left[2] < 80 && right[2] > 150 && right[0] < 80, "{left:?} {right:?}");
    assert!(decode_image("broken.jpg", b"\xff\xd8 not a jpeg").is_err());
}
