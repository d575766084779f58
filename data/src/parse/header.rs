//! Header lines (`#` ...): `# key=value` metadata, `# player<TAB>clientnum<TAB>team<TAB>name`
//! roster lines, `# event<TAB>...` round events, and plain comments, merged across a round's four
//! files.

use std::collections::BTreeMap;

use super::grammar::{PResult, client, float, optional, tab, team, text, uint_as, word};
use crate::events::{EventKind, RoundEvent};
use crate::model::{Metadata, Player};
use crate::report::LoadReport;

/// What one `#` line says.
#[derive(Debug, Clone, PartialEq)]
pub enum HeaderLine {
    /// `# key=value`
    Meta(String, String),
    /// `# player<TAB>clientnum<TAB>team<TAB>name`
    Player(Player),
    /// `# event<TAB>time<TAB>kind<TAB>player<TAB>other<TAB>team<TAB>x<TAB>y<TAB>z<TAB>detail`
    Event(RoundEvent),
    /// Anything else: a comment for humans.
    Comment,
}

fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// `key=value`; the key is `[A-Za-z0-9_]+`, the value the rest of the line, trimmed.
pub fn meta_pair(i: &[u8]) -> PResult<'_, (String, String)> {
    let key_len = i.iter().take_while(|&&b| is_key_byte(b)).count();
    if key_len == 0 || i.get(key_len) != Some(&b'=') {
        return Err(nom::Err::Error(nom::error::Error::new(i, nom::error::ErrorKind::Tag)));
    }
    let key = String::from_utf8_lossy(&i[..key_len]).to_ascii_lowercase();
    // Values are single fields: a stray tab or CR reads as a space, as the writer would write it;
    // other control characters (a terminal escape in a map name) are dropped.
    let value = crate::text::field_safe(&crate::text::decode(&i[key_len + 1..]))
        .replace(char::is_control, "")
        .trim()
        .to_owned();
    Ok((&i[i.len()..], (key, value)))
}

/// `player<TAB>clientnum<TAB>team<TAB>name` (team may be `-`).
pub fn roster_entry(i: &[u8]) -> PResult<'_, Player> {
    let i = i
        .strip_prefix(b"player")
        .ok_or_else(|| nom::Err::Error(nom::error::Error::new(i, nom::error::ErrorKind::Tag)))?;
    let (i, ()) = tab(i)?;
    let (i, clientnum) = client(i)?;
    let (i, ()) = tab(i)?;
    let (i, team) = optional(i, team)?;
    let (i, ()) = tab(i)?;
    let (i, name) = text(i)?;
    Ok((i, Player { clientnum, team, name }))
}

/// `event<TAB>time<TAB>kind<TAB>player<TAB>other<TAB>team<TAB>x<TAB>y<TAB>z<TAB>detail`, unknown
/// fields `-`; the detail may be absent.
pub fn event_entry(i: &[u8]) -> PResult<'_, RoundEvent> {
    let tag = |i| nom::Err::Error(nom::error::Error::new(i, nom::error::ErrorKind::Tag));
    let i = i.strip_prefix(b"event").ok_or_else(|| tag(i))?;
    let (i, ()) = tab(i)?;
    let (i, time_ms) = uint_as::<u32>(i)?;
    let (i, ()) = tab(i)?;
    let (rest, w) = word(i)?;
    let kind = std::str::from_utf8(w).ok().and_then(EventKind::parse).ok_or_else(|| tag(i))?;
    let i = rest;
    let (i, ()) = tab(i)?;
    let (i, player) = optional(i, client)?;
    let (i, ()) = tab(i)?;
    let (i, other) = optional(i, client)?;
    let (i, ()) = tab(i)?;
    let (i, team) = optional(i, team)?;
    let mut xyz = [None; 3];
    let mut i = i;
    for v in &mut xyz {
        let (rest, ()) = tab(i)?;
        let (rest, value) = optional(rest, float)?;
        (i, *v) = (rest, value);
    }
    let pos = match xyz {
        [Some(x), Some(y), Some(z)] => Some(glam::Vec3::new(x, y, z)),
        _ => None,
    };
    let (i, detail) = match tab(i) {
        Ok((i, ())) => text(i)?,
        Err(_) => (i, String::new()),
    };
    Ok((i, RoundEvent { time_ms, kind, player, other, team, pos, detail }))
}

/// One `#` line (the `#` included).
pub fn header_line(i: &[u8]) -> HeaderLine {
    let body = i.strip_prefix(b"#").unwrap_or(i);
    let body = body.trim_ascii_start();
    if let Ok((_, p)) = roster_entry(body) {
        return HeaderLine::Player(p);
    }
    if let Ok((_, e)) = event_entry(body) {
        return HeaderLine::Event(e);
    }
    if let Ok((_, (k, v))) = meta_pair(body) {
        return HeaderLine::Meta(k, v);
    }
    HeaderLine::Comment
}

/// Metadata and roster gathered from the headers of all four files. The first file to state a
/// value wins; a later file that disagrees is noted in the report.
#[derive(Debug, Default)]
pub struct HeaderAcc {
    /// Metadata so far.
    pub meta: Metadata,
    /// Roster so far, by client slot.
    pub roster: BTreeMap<u16, Player>,
    /// Round events so far, in file order.
    pub events: Vec<RoundEvent>,
    /// Event lines past [`MAX_EVENTS`], left out.
    pub events_left_out: usize,
    /// Metadata keys past [`MAX_EXTRA_KEYS`], left out.
    pub extra_left_out: usize,
}

/// The most metadata keys a round keeps besides the known ones (our tracker writes ten).
pub const MAX_EXTRA_KEYS: usize = 256;

/// The most events a round keeps (a file with more is cut, with a note).
pub const MAX_EVENTS: usize = 100_000;

impl HeaderAcc {
    /// Takes one header line of `file` (line number `line`).
    pub fn take(&mut self, line_bytes: &[u8], file: &str, line: usize, report: &mut LoadReport) {
        match header_line(line_bytes) {
            HeaderLine::Comment => {}
            // A later entry is the latest word: the tracker writes one as a player joins, renames
            // or switches team, and the whole roster again at the round's end.
            HeaderLine::Player(p) => {
                self.roster.insert(p.clientnum, p);
            }
            HeaderLine::Event(e) if self.events.len() < MAX_EVENTS => self.events.push(e),
            HeaderLine::Event(_) => {
                if self.events_left_out == 0 {
                    report.note(file, format!("line {line}: more than {MAX_EVENTS} events; the rest are left out"));
                }
                self.events_left_out += 1;
            }
            HeaderLine::Meta(key, value) => self.take_meta(key, value, file, line, report),
        }
    }

    fn take_meta(&mut self, key: String, value: String, file: &str, line: usize, report: &mut LoadReport) {
        fn set<T: PartialEq + std::fmt::Debug>(
            slot: &mut Option<T>,
            parsed: Option<T>,
            key: &str,
            raw: &str,
            file: &str,
            line: usize,
            report: &mut LoadReport,
        ) {
            match (parsed, slot.as_ref()) {
                (None, _) => report.note(file, format!("line {line}: metadata {key}={raw:?} is not a valid value; ignored")),
                (Some(v), None) => *slot = Some(v),
                (Some(v), Some(known)) if v == *known => {}
                (Some(v), Some(known)) => {
                    report.note(file, format!("line {line}: metadata {key}={v:?} conflicts with {known:?} from another file; keeping {known:?}"))
                }
            }
        }
        let m = &mut self.meta;
        match key.as_str() {
            "format" => set(&mut m.format_version, value.parse().ok(), &key, &value, file, line, report),
            "tracker" => set(&mut m.tracker_version, Some(value.clone()), &key, &value, file, line, report),
            "map" => set(&mut m.map, Some(value.clone()).filter(|v| !v.is_empty()), &key, &value, file, line, report),
            "round" => set(&mut m.round_number, value.parse().ok(), &key, &value, file, line, report),
            "grid_size" => {
                set(&mut m.grid_size_units, value.parse().ok().filter(|&g: &u32| g > 0), &key, &value, file, line, report)
            }
            "round_start_unix" => set(&mut m.round_start_unix, value.parse().ok(), &key, &value, file, line, report),
            _ => match m.extra.get(&key) {
                None if m.extra.len() >= MAX_EXTRA_KEYS => {
                    if self.extra_left_out == 0 {
                        report.note(file, format!("line {line}: more than {MAX_EXTRA_KEYS} metadata keys; the rest are left out"));
                    }
                    self.extra_left_out += 1;
                }
                None => {
                    m.extra.insert(key, value);
                }
                Some(known) if *known == value => {}
                Some(known) => report.note(
                    file,
                    format!("line {line}: metadata {key}={value:?} conflicts with {known:?} from another file; keeping {known:?}"),
                ),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Team;

    #[test]
    fn metadata_lines_give_key_and_trimmed_value() {
        assert_eq!(header_line(b"# map=supply "), HeaderLine::Meta("map".into(), "supply".into()));
        assert_eq!(header_line(b"#grid_size=256"), HeaderLine::Meta("grid_size".into(), "256".into()));
        assert_eq!(header_line(b"# server=a\tb\rc\t"), HeaderLine::Meta("server".into(), "a b c".into()));
    }

    #[test]
    fn roster_lines_give_players() {
        assert_eq!(
            header_line(b"# player\t5\t1\t^1Fritz the Great"),
            HeaderLine::Player(Player { clientnum: 5, team: Some(Team::Axis), name: "^1Fritz the Great".into() })
        );
        assert_eq!(
            header_line(b"# player\t6\t-\tx"),
            HeaderLine::Player(Player { clientnum: 6, team: None, name: "x".into() })
        );
    }

    #[test]
    fn event_lines_give_round_events() {
        let HeaderLine::Event(e) = header_line(b"# event\t61000\tdynamite_plant\t3\t-\t1\t10\t-20.5\t30\tMain Gate")
        else {
            panic!("not an event line");
        };
        assert_eq!(
            (e.time_ms, e.kind, e.player, e.other, e.team),
            (61000, EventKind::DynamitePlant, Some(3), None, Some(Team::Axis))
        );
        assert_eq!(e.pos, Some(glam::Vec3::new(10.0, -20.5, 30.0)));
        assert_eq!(e.detail, "Main Gate");
        let HeaderLine::Event(e) = header_line(b"# event\t5\trevive\t-\t7\t-\t-\t-\t-") else {
            panic!("not an event line")
        };
        assert_eq!((e.player, e.other, e.pos, e.detail.as_str()), (None, Some(7), None, ""));
        assert_eq!(header_line(b"# event\t5\tteleport\t-\t7\t-\t-\t-\t-"), HeaderLine::Comment);
    }

    #[test]
    fn other_hash_lines_are_comments() {
        for line in [&b"# PROXIMITY_TRACKER positions"[..], b"# columns: clientnum time", b"#", b"# note: a=b"] {
            assert_eq!(header_line(line), HeaderLine::Comment, "{:?}", String::from_utf8_lossy(line));
        }
    }

    #[test]
    fn the_first_file_wins_and_conflicts_are_noted() {
        let mut acc = HeaderAcc::default();
        let mut report = LoadReport::default();
        acc.take(b"# map=supply", "a", 1, &mut report);
        acc.take(b"# map=supply", "b", 1, &mut report);
        assert!(report.is_clean());
        acc.take(b"# map=goldrush", "c", 2, &mut report);
        acc.take(b"# grid_size=zero", "c", 3, &mut report);
        acc.take(b"# server=my server", "c", 4, &mut report);
        assert_eq!(acc.meta.map.as_deref(), Some("supply"));
        assert_eq!(acc.meta.extra.get("server").map(String::as_str), Some("my server"));
        assert_eq!(report.notes.len(), 2);
        assert!(report.notes[0].starts_with("c: line 2: metadata map=\"goldrush\" conflicts"), "{}", report.notes[0]);
    }
}
