//! The demo rounds of `assets/demo`, embedded so that `proxviz` opens them wherever it is
//! installed. Regenerate the files with `proxviz simulate --demo --out assets/demo`.

use proxviz_data::{FileInput, FileKind, Round, RoundName, parse_round};

/// The demo rounds, parsed, in date order.
pub fn rounds() -> Vec<Round> {
    bases().into_iter().filter_map(round).collect()
}

/// The demo rounds' base names, in date order.
pub fn bases() -> Vec<&'static str> {
    let mut bases: Vec<&str> = FILES.iter().filter_map(|(n, _)| FileKind::split_file_name(n).map(|(b, _)| b)).collect();
    bases.dedup();
    bases
}

/// One demo round, parsed.
pub fn round(base: &str) -> Option<Round> {
    let files: [Option<FileInput<'_>>; 4] = FileKind::ALL.map(|kind| {
        FILES
            .iter()
            .find(|(n, _)| FileKind::split_file_name(n) == Some((base, kind)))
            .map(|(n, bytes)| FileInput { label: n, bytes })
    });
    files.iter().any(Option::is_some).then(|| parse_round(RoundName::parse(base), files))
}

/// (file name, bytes) of every demo file.
pub const FILES: &[(&str, &[u8])] = &[
    (
        "2025-12-20-200015-supply-round-1_combat.txt",
        include_bytes!("../../../assets/demo/2025-12-20-200015-supply-round-1_combat.txt"),
    ),
    (
        "2025-12-20-200015-supply-round-1_engagements.txt",
        include_bytes!("../../../assets/demo/2025-12-20-200015-supply-round-1_engagements.txt"),
    ),
    (
        "2025-12-20-200015-supply-round-1_heatmap.txt",
        include_bytes!("../../../assets/demo/2025-12-20-200015-supply-round-1_heatmap.txt"),
    ),
    (
        "2025-12-20-200015-supply-round-1_positions.txt",
        include_bytes!("../../../assets/demo/2025-12-20-200015-supply-round-1_positions.txt"),
    ),
    (
        "2025-12-20-201215-supply-round-2_combat.txt",
        include_bytes!("../../../assets/demo/2025-12-20-201215-supply-round-2_combat.txt"),
    ),
    (
        "2025-12-20-201215-supply-round-2_engagements.txt",
        include_bytes!("../../../assets/demo/2025-12-20-201215-supply-round-2_engagements.txt"),
    ),
    (
        "2025-12-20-201215-supply-round-2_heatmap.txt",
        include_bytes!("../../../assets/demo/2025-12-20-201215-supply-round-2_heatmap.txt"),
    ),
    (
        "2025-12-20-201215-supply-round-2_positions.txt",
        include_bytes!("../../../assets/demo/2025-12-20-201215-supply-round-2_positions.txt"),
    ),
    (
        "2025-12-20-202515-sw_goldrush_te-round-1_combat.txt",
        include_bytes!("../../../assets/demo/2025-12-20-202515-sw_goldrush_te-round-1_combat.txt"),
    ),
    (
        "2025-12-20-202515-sw_goldrush_te-round-1_engagements.txt",
        include_bytes!("../../../assets/demo/2025-12-20-202515-sw_goldrush_te-round-1_engagements.txt"),
    ),
    (
        "2025-12-20-202515-sw_goldrush_te-round-1_heatmap.txt",
        include_bytes!("../../../assets/demo/2025-12-20-202515-sw_goldrush_te-round-1_heatmap.txt"),
    ),
    (
        "2025-12-20-202515-sw_goldrush_te-round-1_positions.txt",
        include_bytes!("../../../assets/demo/2025-12-20-202515-sw_goldrush_te-round-1_positions.txt"),
    ),
    (
        "2025-12-20-203715-sw_goldrush_te-round-2_combat.txt",
        include_bytes!("../../../assets/demo/2025-12-20-203715-sw_goldrush_te-round-2_combat.txt"),
    ),
    (
        "2025-12-20-203715-sw_goldrush_te-round-2_engagements.txt",
        include_bytes!("../../../assets/demo/2025-12-20-203715-sw_goldrush_te-round-2_engagements.txt"),
    ),
    (
        "2025-12-20-203715-sw_goldrush_te-round-2_heatmap.txt",
        include_bytes!("../../../assets/demo/2025-12-20-203715-sw_goldrush_te-round-2_heatmap.txt"),
    ),
    (
        "2025-12-20-203715-sw_goldrush_te-round-2_positions.txt",
        include_bytes!("../../../assets/demo/2025-12-20-203715-sw_goldrush_te-round-2_positions.txt"),
    ),
];
