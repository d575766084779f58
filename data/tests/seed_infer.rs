//! Seed-format rounds (no roster in their files) read for what they imply: names from the
//! engagements file matched kill by kill with the combat file, teams from the heatmap file's
//! cells; what is ambiguous stays unknown. Fixtures in `tests/seed-infer/`.

use std::path::Path;

use proxviz_data::{Round, Team, discover_rounds};

fn load(base: &str) -> Round {
    let rounds = discover_rounds(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/seed-infer")).expect("rounds");
    rounds.iter().find(|r| r.name.base == base).expect("the round").load()
}

#[test]
fn names_and_teams_are_recovered_where_the_files_agree() {
    let r = load("2025-11-02-200000-supply-round-1");
    let players: Vec<(u16, &str, Option<Team>)> =
        r.players.iter().map(|p| (p.clientnum, p.name.as_str(), p.team)).collect();
    // Fritz killed Hans in a cell of Axis kills only; Hans killed Otto in one of Allied kills.
    assert_eq!(
        players,
        [(0, "Fritz", Some(Team::Axis)), (1, "Hans", Some(Team::Allies)), (2, "Otto", Some(Team::Axis))]
    );
    assert!((0..3).all(|cn| r.name_inferred(cn) && r.team_inferred(cn)));
    assert!(r.report.notes.iter().any(|n| n.contains("names of 3 of 3 players inferred")), "{:?}", r.report.notes);
    assert_eq!(r.report.skipped_total, 0, "{}", r.report);
}

#[test]
fn what_is_ambiguous_stays_unknown() {
    let r = load("2025-11-02-201500-supply-round-2");
    // Two kills, one engagement line: no name is matched; one cell with both teams' kills: no team.
    assert_eq!(r.players.len(), 2);
    assert!(r.players.iter().all(|p| p.name.is_empty() && p.team.is_none()), "{:?}", r.players);
    assert!(!r.name_inferred(0) && !r.team_inferred(0));
    // Shown by slot, in the window, the statistics and the kill feed alike.
    assert_eq!((r.display_name(0), r.display_name(1)), ("#0".to_owned(), "#1".to_owned()));
    let stats = proxviz_data::statistics(&proxviz_data::Timeline::new(std::sync::Arc::new(r)), &Default::default());
    assert_eq!(stats.players.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["#0", "#1"]);
}
