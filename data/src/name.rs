//! Round base names: `YYYY-MM-DD-HHMMSS-<map>-round-<N>`, plus the variants trackers in the wild
//! write (no map, an empty map, 0-based round numbers), and the four file kinds.

use std::fmt;

use chrono::{NaiveDate, NaiveTime};
use nom::bytes::complete::{tag, take_while_m_n};
use nom::character::complete::{char, digit1};
use nom::combinator::{all_consuming, map_res};
use nom::{IResult, Parser};
use serde::{Deserialize, Serialize};

/// The four files of a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    /// `<base>_positions.txt`
    Positions,
    /// `<base>_combat.txt`
    Combat,
    /// `<base>_engagements.txt`
    Engagements,
    /// `<base>_heatmap.txt`
    Heatmap,
}

impl FileKind {
    /// All four, in the order the files are usually listed.
    pub const ALL: [FileKind; 4] = [Self::Positions, Self::Combat, Self::Engagements, Self::Heatmap];

    /// The suffix after the base name, e.g. `_positions.txt`.
    pub fn suffix(self) -> &'static str {
        match self {
            Self::Positions => "_positions.txt",
            Self::Combat => "_combat.txt",
            Self::Engagements => "_engagements.txt",
            Self::Heatmap => "_heatmap.txt",
        }
    }

    /// Index into `[T; 4]` arrays ordered like [`FileKind::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The file name of this kind for a base name.
    pub fn file_name(self, base: &str) -> String {
        format!("{base}{}", self.suffix())
    }

    /// Splits a file name into its base and kind, if it is a round file (case-insensitive suffix).
    pub fn split_file_name(file_name: &str) -> Option<(&str, FileKind)> {
        let lower = file_name.to_ascii_lowercase();
        Self::ALL.into_iter().find_map(|kind| {
            lower.ends_with(kind.suffix()).then(|| (&file_name[..file_name.len() - kind.suffix().len()], kind))
        })
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Positions => "positions",
            Self::Combat => "combat",
            Self::Engagements => "engagements",
            Self::Heatmap => "heatmap",
        })
    }
}

/// What a round's base name says. Fields are `None` where the name does not follow the pattern.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct RoundName {
    /// The base name itself, e.g. `2025-12-20-120000-supply-round-1`.
    pub base: String,
    /// Session date.
    pub date: Option<NaiveDate>,
    /// Time the files were started (server local time).
    pub start_time: Option<NaiveTime>,
    /// Map, when the name carries one.
    pub map: Option<String>,
    /// The number after `round-`, as written.
    pub round_in_name: Option<u32>,
    /// Whether the writer counted rounds from 0 (ET's `g_currentRound`); see `round_number`.
    pub zero_based: bool,
}

impl RoundName {
    /// Parses a base name; a name that does not follow the pattern keeps only `base`.
    pub fn parse(base: &str) -> Self {
        match all_consuming(base_name).parse(base.as_bytes()) {
            Ok((_, (date, start_time, map, round))) => Self {
                base: base.to_owned(),
                date: Some(date),
                start_time: Some(start_time),
                map,
                round_in_name: Some(round),
                zero_based: round == 0,
            },
            Err(_) => Self { base: base.to_owned(), ..Self::default() },
        }
    }

    /// The 1-based round number the name stands for.
    pub fn round_number(&self) -> Option<u32> {
        self.round_in_name.map(|n| if self.zero_based { n + 1 } else { n })
    }
}

fn fixed_number<'a>(digits: usize) -> impl Parser<&'a [u8], Output = u32, Error = nom::error::Error<&'a [u8]>> {
    map_res(take_while_m_n(digits, digits, |b: u8| b.is_ascii_digit()), |d: &[u8]| {
        std::str::from_utf8(d).map_err(|_| ()).and_then(|s| s.parse::<u32>().map_err(|_| ()))
    })
}

/// `YYYY-MM-DD`
fn date(i: &[u8]) -> IResult<&[u8], NaiveDate> {
    map_res((fixed_number(4), char('-'), fixed_number(2), char('-'), fixed_number(2)), |(y, _, m, _, d)| {
        NaiveDate::from_ymd_opt(y as i32, m, d).ok_or(())
    })
    .parse(i)
}

/// `HHMMSS`
fn time(i: &[u8]) -> IResult<&[u8], NaiveTime> {
    map_res((fixed_number(2), fixed_number(2), fixed_number(2)), |(h, m, s)| NaiveTime::from_hms_opt(h, m, s).ok_or(()))
        .parse(i)
}

/// `round-<N>` at the very end.
fn round_suffix(i: &[u8]) -> IResult<&[u8], u32> {
    let (i, _) = tag(&b"round-"[..]).parse(i)?;
    all_consuming(map_res(digit1, |d: &[u8]| {
        std::str::from_utf8(d).map_err(|_| ()).and_then(|s| s.parse::<u32>().map_err(|_| ()))
    }))
    .parse(i)
}

/// `<map>-round-<N>`, `-round-<N>` (empty map) or `round-<N>`: the map is whatever precedes the
/// last `round-<N>` (map names may contain dashes).
fn map_and_round(i: &[u8]) -> IResult<&[u8], (Option<String>, u32)> {
    let starts = memchr::memmem::find_iter(i, b"round-").collect::<Vec<_>>();
    for &at in starts.iter().rev() {
        if let Ok((rest, round)) = round_suffix(&i[at..]) {
            let map = i[..at].strip_suffix(b"-").unwrap_or(&i[..at]);
            let map = (!map.is_empty()).then(|| crate::text::decode(map));
            return Ok((rest, (map, round)));
        }
    }
    Err(nom::Err::Error(nom::error::Error::new(i, nom::error::ErrorKind::Tag)))
}

/// The whole base name.
fn base_name(i: &[u8]) -> IResult<&[u8], (NaiveDate, NaiveTime, Option<String>, u32)> {
    let (i, (d, _, t, _, (map, round))) = (date, char('-'), time, char('-'), map_and_round).parse(i)?;
    Ok((i, (d, t, map, round)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_base_name_gives_date_time_map_and_round() {
        let n = RoundName::parse("2025-12-20-120000-supply-round-1");
        assert_eq!(n.date, NaiveDate::from_ymd_opt(2025, 12, 20));
        assert_eq!(n.start_time, NaiveTime::from_hms_opt(12, 0, 0));
        assert_eq!(n.map.as_deref(), Some("supply"));
        assert_eq!(n.round_number(), Some(1));
    }

    #[test]
    fn a_name_without_map_has_no_map() {
        let n = RoundName::parse("2025-12-21-213000-round-2");
        assert_eq!(n.map, None);
        assert_eq!(n.round_number(), Some(2));
    }

    #[test]
    fn an_empty_map_and_round_zero_mean_a_zero_based_first_round() {
        let n = RoundName::parse("2025-12-21-213000--round-0");
        assert_eq!(n.map, None);
        assert_eq!(n.round_in_name, Some(0));
        assert!(n.zero_based);
        assert_eq!(n.round_number(), Some(1));
    }

    #[test]
    fn map_names_may_contain_dashes_and_the_word_round() {
        let n = RoundName::parse("2025-01-02-030405-et-round-about-round-2");
        assert_eq!(n.map.as_deref(), Some("et-round-about"));
        assert_eq!(n.round_number(), Some(2));
    }

    #[test]
    fn a_name_off_the_pattern_keeps_only_its_base() {
        for bad in
            ["notes", "2025-13-01-120000-supply-round-1", "2025-12-20-250000-x-round-1", "2025-12-20-120000-supply"]
        {
            let n = RoundName::parse(bad);
            assert_eq!(n.base, bad);
            assert_eq!(n.date, None, "{bad}");
            assert_eq!(n.round_number(), None);
        }
    }

    #[test]
    fn file_names_split_into_base_and_kind_whatever_the_case() {
        assert_eq!(
            FileKind::split_file_name("2025-12-20-120000-supply-round-1_combat.txt"),
            Some(("2025-12-20-120000-supply-round-1", FileKind::Combat))
        );
        assert_eq!(FileKind::split_file_name("X_HEATMAP.TXT"), Some(("X", FileKind::Heatmap)));
        assert_eq!(FileKind::split_file_name("readme.txt"), None);
        assert_eq!(FileKind::Engagements.file_name("b"), "b_engagements.txt");
    }
}
