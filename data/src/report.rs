//! The load report: what was missing or unreadable in a round, with file and line, so the user
//! sees it instead of silently getting less data.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::name::FileKind;

/// Details kept per file; beyond this only the count grows, so a garbage file cannot eat memory.
pub const MAX_DETAILED_SKIPS_PER_FILE: usize = 200;

/// One line that was not loaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedLine {
    /// File name (no directory), e.g. `..._combat.txt`.
    pub file: String,
    /// 1-based line number.
    pub line: usize,
    /// Why it was skipped.
    pub reason: String,
}

impl fmt::Display for SkippedLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.reason)
    }
}

/// Everything that went wrong or was unusual while loading one round.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LoadReport {
    /// Files of the round that were not there.
    pub missing: Vec<FileKind>,
    /// Skipped lines, at most [`MAX_DETAILED_SKIPS_PER_FILE`] per file.
    pub skipped: Vec<SkippedLine>,
    /// All skipped lines, including those beyond the detailed ones.
    pub skipped_total: usize,
    /// Tolerated oddities (a truncated last line, conflicting metadata, ...), `file: text`.
    pub notes: Vec<String>,
}

impl LoadReport {
    /// No missing file, no skipped line, no note.
    pub fn is_clean(&self) -> bool {
        self.missing.is_empty() && self.skipped_total == 0 && self.notes.is_empty()
    }

    /// Missing files plus skipped lines: the "problems" count shown in round lists.
    pub fn problem_count(&self) -> usize {
        self.missing.len() + self.skipped_total
    }

    /// Records a skipped line.
    pub fn skip(&mut self, file: &str, line: usize, reason: impl Into<String>) {
        self.skipped_total += 1;
        let detailed_here = self.skipped.iter().rev().take_while(|s| s.file == file).count();
        if detailed_here < MAX_DETAILED_SKIPS_PER_FILE {
            self.skipped.push(SkippedLine { file: file.to_owned(), line, reason: reason.into() });
        }
    }

    /// Records a tolerated oddity.
    pub fn note(&mut self, file: &str, text: impl fmt::Display) {
        self.notes.push(format!("{file}: {text}"));
    }
}

impl fmt::Display for LoadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_clean() {
            return f.write_str("no problems");
        }
        for kind in &self.missing {
            writeln!(f, "missing {kind} file")?;
        }
        for skip in &self.skipped {
            writeln!(f, "skipped {skip}")?;
        }
        let hidden = self.skipped_total - self.skipped.len();
        if hidden > 0 {
            writeln!(f, "... and {hidden} more skipped lines")?;
        }
        for note in &self.notes {
            writeln!(f, "note: {note}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_report_is_clean() {
        assert!(LoadReport::default().is_clean());
    }

    #[test]
    fn details_stop_at_the_cap_but_the_count_goes_on() {
        let mut r = LoadReport::default();
        for line in 0..MAX_DETAILED_SKIPS_PER_FILE + 5 {
            r.skip("a.txt", line + 1, "bad");
        }
        r.skip("b.txt", 1, "bad");
        assert_eq!(r.skipped_total, MAX_DETAILED_SKIPS_PER_FILE + 6);
        assert_eq!(r.skipped.len(), MAX_DETAILED_SKIPS_PER_FILE + 1);
        assert_eq!(r.skipped.last().map(ToString::to_string).as_deref(), Some("b.txt:1: bad"));
        assert!(r.to_string().contains("... and 5 more skipped lines"));
    }
}
