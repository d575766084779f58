//! Input that tries to break us, in debug builds (overflow is caught): each ends in a clear
//! note or a sensible value, never a panic, a hang or memory out of proportion to the input.

use std::sync::Arc;

use proxviz_data::heatmap::{KillFilter, TeamSelection, TimeWindow, grid_counts, kill_points};
use proxviz_data::season::{Season, SeasonFilter};
use proxviz_data::{FileInput, FileKind, RoundName, StatsConfig, Timeline, parse_round, statistics};

const ESC: &str = "\u{1b}[31mRED\u{1b}]0;title\u{7}";

/// A round with samples at u32::MAX, gaps of 3·10⁹ ms, coordinates of 3·10⁹ and 10³⁰, a heatmap
/// count of 4·10⁹, a grid size of 1, terminal escapes and a 2 MB name, and 300,000 metadata
/// lines.
fn broken() -> [String; 4] {
    let head = |kind: &str| {
        format!(
            "# PROXIMITY_TRACKER {kind}\n# format=2\n# map=supply\n# grid_size=1\n# player\t0\t1\tFritz{ESC}\n# player\t1\t2\t{}\n",
            "x".repeat(2_000_000)
        )
    };
    let mut positions = head("positions");
    for t in [0u64, 500, 1000, 3_000_001_000, 4_294_967_000, 4_294_967_295] {
        positions.push_str(&format!("0\t{t}\t100\t100\t0\t0\t0\t0\t0\t1\t100\n"));
        positions.push_str(&format!("1\t{t}\t3000000000\t-1e30\t0\t0\t0\t400\t1\t2\t100\n"));
    }
    let combat = head("combat")
        + "1000\tkill\t0\t1\t100\t0\t0\t100\t-\t-\t100\t100\t0\t3000000000\t-3000000000\t0\n\
           4294967295\tkill\t1\t0\t5\t0\t0\t100\t-\t-\t-\t-\t-\t-\t-\t-\n";
    let engagements =
        head("engagements") + &format!("1v1\t100\tFritz{ESC}\tx\t1000\t0\t1\t3000000000\t-3000000000\t0\t0\t0\n");
    let mut heatmap = head("heatmap") + "1000000000\t-1000000000\t4000000000\t0\n0\t0\t1\t1\n";
    for i in 0..300_000 {
        heatmap.push_str(&format!("# key{i}=value\n"));
    }
    [positions, combat, engagements, heatmap]
}

fn round() -> proxviz_data::Round {
    let texts = broken();
    let inputs =
        std::array::from_fn(|i| Some(FileInput { label: FileKind::ALL[i].suffix(), bytes: texts[i].as_bytes() }));
    parse_round(RoundName::parse("2025-12-20-120000-supply-round-1"), inputs)
}

#[test]
fn a_broken_round_loads_with_notes_and_bounded_metadata() {
    let r = round();
    assert!(r.meta.extra.len() <= 256, "{} metadata keys kept", r.meta.extra.len());
    assert!(r.report.notes.iter().any(|n| n.contains("more than 256 metadata keys")), "{:?}", r.report.notes);
    assert_eq!(r.duration_ms(), u32::MAX);
    // Names are shown without control characters and cut.
    assert_eq!(r.display_name(0), "Fritz[31mRED]0;title");
    assert!(r.display_name(1).chars().count() <= 64);
}

#[test]
fn replay_statistics_heatmaps_and_seasons_of_it_end_without_overflow() {
    let r = round();
    let t = Timeline::new(Arc::new(r.clone()));
    for ms in [0, 1, 999, 1000, 3_000_000_999, u32::MAX - 1, u32::MAX] {
        let _ = t.states_at(ms);
        let _ = t.kills_in(ms..ms.saturating_add(1));
    }
    let stats = statistics(&t, &StatsConfig::for_round(&r));
    assert!(stats.players.iter().all(|p| p.distance_travelled_units.is_finite()));
    let last = KillFilter {
        team: TeamSelection::Both,
        players: Vec::new(),
        window: TimeWindow::LastSeconds { cursor_ms: u32::MAX, seconds: u32::MAX },
        near_objectives_s: Some(u32::MAX),
        ..KillFilter::default()
    };
    let cells = grid_counts(&kill_points(&t, &last), 1.0);
    assert!(cells.len() <= 2);
    let season = Season::of_rounds(&SeasonFilter { map: "supply".into(), ..SeasonFilter::default() }, [&t]);
    // The kill 3·10⁹ units out is not on the map; the one at (100, 100) is.
    assert_eq!(season.kills, 1);
    let written = proxviz_data::write::file_text(&r, FileKind::Positions);
    assert!(written.len() < 10_000_000);
}
