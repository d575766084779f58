//! Tests of opening, listing, reading and replaying rounds.
use super::*;

#[test]
fn the_embedded_demo_lists_four_clean_rounds_newest_first_and_replays_the_newest() {
    let lib = loaded_demo();
    assert_eq!(lib.listings.len(), 4);
    assert!(lib.listings.iter().all(|l| l.summary.indexed && l.summary.problems == 0));
    let times: Vec<_> = lib.listings.iter().map(|l| l.summary.time).collect();
    assert!(times.windows(2).all(|w| w[0] > w[1]), "newest first: {times:?}");
    assert_eq!(lib.selected, Some(lib.listings[0].key));
    assert_eq!(lib.current().map(|e| e.round().name.base.as_str()), Some("2025-12-20-203715-sw_goldrush_te-round-2"));
    assert_eq!(lib.read_entries().count(), 1, "only the replayed round is read in full");
}

fn app() -> App {
    let mut app = App::new();
    app.add_plugins(MinimalPlugins);
    super::super::frame::plugin(&mut app);
    plugin(&mut app);
    app
}

#[test]
fn a_missing_folder_is_an_error_not_a_crash() {
    let mut app = app();
    app.world_mut().resource_mut::<Library>().open(Source::Path("/no/such/gamestats".into()));
    settle(&mut app);
    let lib = app.world().resource::<Library>();
    assert_eq!(lib.error.as_deref(), Some("/no/such/gamestats: no such file or folder"));
}

#[test]
fn a_dead_loader_ends_with_an_error_not_an_endless_wait() {
    let mut app = app();
    let job = Job::spawn("round loader", |sink| {
        sink.send(Listed::Read(Box::new(Entry::new(super::super::demo::rounds().remove(0)))));
        panic!("out of disk");
    });
    app.world_mut().resource_mut::<Library>().start(Source::Demo, job);
    settle(&mut app);
    let lib = app.world().resource::<Library>();
    assert!(!lib.loading);
    assert_eq!(lib.error.as_deref(), Some("the round loader stopped unexpectedly: out of disk"));
    assert_eq!(lib.listings.len(), 1, "what arrived before stays open");
}

#[test]
fn the_first_round_to_arrive_and_every_other_pick_are_announced_once() {
    let mut app = app();
    collect::<RoundChanged>(&mut app);
    app.world_mut().resource_mut::<Library>().open(Source::Demo);
    settle(&mut app);
    app.update();
    let first = app.world().resource::<Library>().listings[0].key;
    assert_eq!(Collected::<RoundChanged>::take(&mut app), vec![RoundChanged(first)]);
    // A round not read yet is read first, then replayed (and announced) once.
    let third = app.world().resource::<Library>().listings[2].key;
    app.world_mut().write_message(SelectRound(third));
    settle(&mut app);
    app.update();
    assert_eq!(Collected::<RoundChanged>::take(&mut app), vec![RoundChanged(third)]);
    assert_eq!(app.world().resource::<Library>().selected, Some(third));
    // Picking the round already replayed, or one of a folder no longer open, changes nothing.
    let gone = Entry::new(Round::default()).key;
    app.world_mut().write_message(SelectRound(third));
    app.world_mut().write_message(SelectRound(gone));
    app.update();
    assert!(Collected::<RoundChanged>::take(&mut app).is_empty());
    assert_eq!(app.world().resource::<Library>().selected, Some(third));
    // Going back to a round still held is at once.
    app.world_mut().write_message(SelectRound(first));
    app.update();
    assert_eq!(Collected::<RoundChanged>::take(&mut app), vec![RoundChanged(first)]);
}

#[test]
fn only_a_few_rounds_are_held_read_in_full_however_many_are_replayed() {
    let mut app = app();
    app.world_mut().resource_mut::<Library>().open(Source::Demo);
    settle(&mut app);
    let keys: Vec<RoundKey> = app.world().resource::<Library>().listings.iter().map(|l| l.key).collect();
    for &k in keys.iter().chain(&keys) {
        app.world_mut().write_message(SelectRound(k));
        settle(&mut app);
        let lib = app.world().resource::<Library>();
        assert_eq!(lib.selected, Some(k));
        assert!(lib.read_entries().count() <= READ_ROUNDS);
        assert!(lib.current().is_some());
    }
}

#[test]
fn a_round_opened_from_the_database_is_the_round_opened_from_its_files() {
    let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/demo");
    let files = proxviz_data::discover_rounds(&demo).expect("demo");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let url = rt.block_on(proxviz_store::test_server::TestServer::get().fresh_database("library")).expect("db");
    let store = rt.block_on(proxviz_store::Store::connect(&url)).expect("store");
    let (round, source) = proxviz_store::read_for_import(&files[1]);
    let id = rt
        .block_on(store.import(&round, &source, &proxviz_store::ImportOptions::default()))
        .expect("imports")
        .outcome
        .id();
    let mut from_db = app();
    from_db.world_mut().resource_mut::<Library>().open_database(url.clone(), id);
    settle(&mut from_db);
    let mut from_files = app();
    from_files.world_mut().resource_mut::<Library>().open(Source::Path(demo.join(&files[1].name.base)));
    settle(&mut from_files);
    let (a, b) = (from_db.world().resource::<Library>(), from_files.world().resource::<Library>());
    assert_eq!(a.error, None);
    let (a, b) = (a.current().expect("opened"), b.current().expect("opened"));
    assert!(a.round().same_content(b.round()));
    assert_eq!((a.players, a.kills, a.marks.len(), a.types.len()), (b.players, b.kills, b.marks.len(), b.types.len()));
    let shown = proxviz_store::redact_url(&url);
    assert_eq!(from_db.world().resource::<Library>().source, Some(Source::Database { shown_url: shown, id }));
    // A round that is not there is an error, not a hang.
    let mut missing = app();
    missing.world_mut().resource_mut::<Library>().open_database(url, id + 1000);
    settle(&mut missing);
    let lib = missing.world().resource::<Library>();
    assert!(!lib.loading && lib.error.as_deref().is_some_and(|e| e.contains("no round with id")), "{:?}", lib.error);
}

/// Writes the first `share` of each of `round`'s files' lines into `dir` (the rest with
/// `share` 1.0 appended later), as the tracker writes a round being played.
fn write_part(dir: &std::path::Path, round: &Round, from: f64, to: f64) {
    use std::io::Write as _;
    for kind in proxviz_data::FileKind::ALL {
        let text = proxviz_data::write::file_text(round, kind);
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        let (a, b) = ((lines.len() as f64 * from) as usize, (lines.len() as f64 * to) as usize);
        let path = dir.join(kind.file_name(&round.name.base));
        let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path).expect("open");
        file.write_all(lines[a..b].concat().as_bytes()).expect("append");
    }
}

#[test]
fn a_round_whose_files_grow_is_read_again_and_replayed_on_without_reopening() {
    let dir = tempfile::tempdir().expect("tempdir");
    let round = super::super::demo::rounds().remove(0);
    write_part(dir.path(), &round, 0.0, 0.5);
    let mut app = app();
    collect::<RoundChanged>(&mut app);
    collect::<RoundGrown>(&mut app);
    app.world_mut().resource_mut::<Library>().open(Source::Path(dir.path().to_path_buf()));
    settle(&mut app);
    let (first_key, first_kills, first_end) = {
        let e = app.world().resource::<Library>().current().expect("round");
        (e.key, e.kills, e.round().duration_ms())
    };
    assert!(first_kills > 0 && first_kills < round.player_kill_count());
    assert_eq!(Collected::<RoundChanged>::take(&mut app).len(), 1);
    // The first look at the files, a second later the tracker has appended the rest.
    app.update();
    write_part(dir.path(), &round, 0.5, 1.0);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while Collected::<RoundGrown>::take(&mut app).is_empty() {
        assert!(std::time::Instant::now() < deadline, "the growth is seen");
        std::thread::sleep(std::time::Duration::from_millis(50));
        app.update();
    }
    let lib = app.world().resource::<Library>();
    let e = lib.current().expect("round");
    assert_ne!(e.key, first_key);
    assert_eq!(e.kills, round.player_kill_count(), "the new kills are in");
    assert!(e.round().duration_ms() > first_end);
    assert_eq!(lib.listings.len(), 1);
    assert_eq!(lib.listings[0].key, e.key);
    assert_eq!(lib.listings[0].summary.kills as usize, round.player_kill_count());
    assert!(lib.is_live());
    assert!(lib.read_entries().all(|r| r.key != first_key), "the old reading is dropped");
    app.update();
    assert!(Collected::<RoundChanged>::take(&mut app).is_empty(), "no new round: the replay goes on");
}

#[test]
fn a_followed_folder_lists_and_replays_each_new_round_as_it_appears() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut rounds = super::super::demo::rounds();
    rounds.sort_by_key(|r| r.name.start_time);
    let (older, newer) = (rounds.remove(0), rounds.remove(0));
    write_part(dir.path(), &older, 0.0, 1.0);
    let mut app = app();
    collect::<RoundChanged>(&mut app);
    {
        let mut lib = app.world_mut().resource_mut::<Library>();
        lib.follow_folder = true;
        lib.open(Source::Path(dir.path().to_path_buf()));
    }
    settle(&mut app);
    assert_eq!(Collected::<RoundChanged>::take(&mut app).len(), 1);
    // The server starts the next round: its first lines appear in the folder.
    write_part(dir.path(), &newer, 0.0, 0.3);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let changed = loop {
        let changed = Collected::<RoundChanged>::take(&mut app);
        if !changed.is_empty() {
            break changed;
        }
        assert!(std::time::Instant::now() < deadline, "the new round is found");
        std::thread::sleep(std::time::Duration::from_millis(50));
        app.update();
    };
    let lib = app.world().resource::<Library>();
    assert_eq!(lib.listings.len(), 2);
    assert_eq!(lib.listings[0].summary.base, newer.name.base, "newest first");
    assert!(lib.listings[0].summary.indexed, "summarised once read");
    assert_eq!(changed, [RoundChanged(lib.listings[0].key)]);
    assert_eq!(lib.current().map(|e| e.round().name.base.clone()), Some(newer.name.base.clone()));
}
