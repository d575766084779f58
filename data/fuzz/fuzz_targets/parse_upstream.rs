//! Fuzz target: any bytes after a `# PROXIMITY_TRACKER_V6` line, read as the current public
//! tracker's single file, must parse without a panic into a round that our writer writes and
//! our parser reads back unchanged.

#![no_main]

use libfuzzer_sys::fuzz_target;
use proxviz_data::write::{FORMAT_VERSION, file_text};
use proxviz_data::{FileInput, FileKind, RoundName, parse_round};

fuzz_target!(|data: &[u8]| {
    let mut bytes = b"# PROXIMITY_TRACKER_V6\n".to_vec();
    bytes.extend_from_slice(data);
    let mut files: [Option<FileInput<'_>>; 4] = [None; 4];
    files[FileKind::Engagements.index()] = Some(FileInput { label: "fuzz", bytes: &bytes });
    let name = RoundName::parse("2026-03-14-213045-supply-round-1");
    let mut first = parse_round(name.clone(), files);
    assert_eq!(first.meta.format_version, Some(6));

    let texts = FileKind::ALL.map(|k| file_text(&first, k));
    let again = parse_round(name, std::array::from_fn(|i| Some(FileInput { label: "again", bytes: texts[i].as_bytes() })));
    assert!(again.report.skipped_total == 0, "written files must parse cleanly: {}", again.report);
    first.meta.format_version = Some(FORMAT_VERSION);
    assert!(again.same_content(&first), "round changed through write + parse\n{first:#?}\n{again:#?}");
});
