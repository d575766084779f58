//! Fuzz target: any bytes, split into the four round files at 0xFF bytes, must parse without a
//! panic, what the parser made must survive a write and a second parse unchanged, and the
//! round read for its summary alone must give the summary of the round read in full.

#![no_main]

use libfuzzer_sys::fuzz_target;
use proxviz_data::index::{RoundSummary, summarise_bytes};
use proxviz_data::write::{FORMAT_VERSION, file_text};
use proxviz_data::{FileInput, FileKind, RoundName, parse_round};

fuzz_target!(|data: &[u8]| {
    let mut parts = data.split(|&b| b == 0xFF);
    let files: [Option<FileInput<'_>>; 4] =
        std::array::from_fn(|_| parts.next().map(|bytes| FileInput { label: "fuzz", bytes }));
    let name = RoundName::parse("2025-12-20-120000-supply-round-1");
    let mut first = parse_round(name.clone(), files);
    assert_eq!(summarise_bytes(name.clone(), files), RoundSummary::of(&first), "the summary read alone differs");

    let texts = FileKind::ALL.map(|k| file_text(&first, k));
    let again = parse_round(name, std::array::from_fn(|i| Some(FileInput { label: "again", bytes: texts[i].as_bytes() })));
    assert!(again.report.skipped_total == 0, "written files must parse cleanly: {}", again.report);
    // The writer always states its own format version.
    first.meta.format_version = Some(FORMAT_VERSION);
    assert!(again.same_content(&first), "round changed through write + parse\n{first:#?}\n{again:#?}");
});
