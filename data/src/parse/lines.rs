//! One nom parser per kind of data line, built from the grammar elements, and the column
//! descriptions used to say exactly which column of a bad line is wrong.

use glam::Vec3;

use super::grammar::{
    PResult, client, engagement_type, extension, extension_vec3, flag, float, float_as, int_as, line_end, tab, target,
    team, text, uint_as,
};
use crate::model::{CombatEvent, CombatKind, Engagement, HeatmapCell, PositionSample};

/// `clientnum time x y z yaw pitch speed moving [team health]`
pub fn position_line(i: &[u8]) -> PResult<'_, (u16, PositionSample)> {
    let (i, clientnum) = client(i)?;
    let (i, ()) = tab(i)?;
    let (i, time_ms) = uint_as::<u32>(i)?;
    let (i, ()) = tab(i)?;
    let (i, x) = float(i)?;
    let (i, ()) = tab(i)?;
    let (i, y) = float(i)?;
    let (i, ()) = tab(i)?;
    let (i, z) = float(i)?;
    let (i, ()) = tab(i)?;
    let (i, yaw_deg) = float(i)?;
    let (i, ()) = tab(i)?;
    let (i, pitch_deg) = float(i)?;
    let (i, ()) = tab(i)?;
    let (i, speed_ups) = float(i)?;
    let (i, ()) = tab(i)?;
    let (i, moving) = flag(i)?;
    let (i, team) = extension(i, |i| team(i))?;
    let (i, health) = extension(i, |i| int_as::<i16>(i))?;
    let (i, ()) = line_end(i)?;
    let sample =
        PositionSample { time_ms, pos: Vec3::new(x, y, z), yaw_deg, pitch_deg, speed_ups, health, team, moving };
    Ok((i, (clientnum, sample)))
}

/// [`position_line`] of the usual line where it lies in the file: `input` is the rest of the
/// file from the line's start, and the line (the seed's nine columns, or ten or eleven, numbers
/// only, a lone `-` for an unknown team or health) must end with its line end (`\n` or `\r\n`)
/// right after its last column. Returns the line's length with its line end: the line is found
/// and read in one pass. `None` for any other line, which is cut at its end and read by
/// [`position_line`] (the answer is the same for the lines this one takes). Looks past the
/// line's end only to read eight bytes at a time, never taking them as the line's.
#[inline(always)]
pub fn position_line_at(input: &[u8]) -> Option<(usize, (u16, PositionSample))> {
    position_line_at_as::<true>(input)
}

/// [`position_line_at`]; without `VALUES`, the lines read from a window have their six
/// decimal columns checked but not worked out (see [`super::window::position_line`]).
#[inline(always)]
pub fn position_line_at_as<const VALUES: bool>(input: &[u8]) -> Option<(usize, (u16, PositionSample))> {
    // Most lines: read from a window, all separators found at once.
    if let Some(read) = super::window::position_line::<VALUES>(input) {
        return Some(read);
    }
    position_line_serial(input)
}

/// [`position_line_at`] column after column.
#[inline]
fn position_line_serial(input: &[u8]) -> Option<(usize, (u16, PositionSample))> {
    /// A column that may be a lone `-` (unknown): ends at a tab or the line's end.
    #[inline(always)]
    fn or_unknown<'a, T>(i: &'a [u8], inner: impl FnOnce(&'a [u8]) -> PResult<'a, T>) -> Option<(&'a [u8], Option<T>)> {
        if i.first() == Some(&b'-') && matches!(i.get(1), Some(b'\t' | b'\n' | b'\r')) {
            return Some((&i[1..], None));
        }
        inner(i).ok().map(|(rest, v)| (rest, Some(v)))
    }
    let (i, clientnum) = client(input).ok()?;
    let (i, ()) = tab(i).ok()?;
    let (i, time_ms) = uint_as::<u32>(i).ok()?;
    let (i, ()) = tab(i).ok()?;
    let (i, x) = float(i).ok()?;
    let (i, ()) = tab(i).ok()?;
    let (i, y) = float(i).ok()?;
    let (i, ()) = tab(i).ok()?;
    let (i, z) = float(i).ok()?;
    let (i, ()) = tab(i).ok()?;
    let (i, yaw_deg) = float(i).ok()?;
    let (i, ()) = tab(i).ok()?;
    let (i, pitch_deg) = float(i).ok()?;
    let (i, ()) = tab(i).ok()?;
    let (i, speed_ups) = float(i).ok()?;
    let (i, ()) = tab(i).ok()?;
    let (mut i, moving) = flag(i).ok()?;
    let (mut team_col, mut health) = (None, None);
    if let [b'\t', rest @ ..] = i {
        (i, team_col) = or_unknown(rest, super::grammar::team_number)?;
        if let [b'\t', rest @ ..] = i {
            (i, health) = or_unknown(rest, int_as::<i16>)?;
        }
    }
    let end = match i {
        [b'\n', ..] => 1,
        [b'\r', b'\n', ..] => 2,
        _ => return None,
    };
    let sample = PositionSample {
        time_ms,
        pos: Vec3::new(x, y, z),
        yaw_deg,
        pitch_deg,
        speed_ups,
        health,
        team: team_col,
        moving,
    };
    Some((input.len() - i.len() + end, (clientnum, sample)))
}

/// `fire`, `hit` or `kill` (any case).
#[inline(always)]
pub fn combat_kind(i: &[u8]) -> PResult<'_, CombatKind> {
    // The tracker writes lower case: its words are compared where they lie, without looking
    // for the column's end first (this runs for every line of a combat file).
    let ends = |rest: &[u8]| matches!(rest.first(), None | Some(b'\t'));
    match i {
        [b'f', b'i', b'r', b'e', rest @ ..] if ends(rest) => return Ok((rest, CombatKind::Fire)),
        [b'h', b'i', b't', rest @ ..] if ends(rest) => return Ok((rest, CombatKind::Hit)),
        [b'k', b'i', b'l', b'l', rest @ ..] if ends(rest) => return Ok((rest, CombatKind::Kill)),
        _ => {}
    }
    let (rest, w) = super::grammar::word(i)?;
    // Compared without allocating: this runs for every line of a combat file.
    let kind = [
        (&b"fire"[..], CombatKind::Fire),
        (b"hit", CombatKind::Hit),
        (b"kill", CombatKind::Kill),
        (b"death", CombatKind::Death),
    ]
    .into_iter()
    .find_map(|(word, kind)| w.eq_ignore_ascii_case(word).then_some(kind));
    match kind {
        Some(kind) => Ok((rest, kind)),
        None => Err(nom::Err::Error(nom::error::Error::new(i, nom::error::ErrorKind::Tag))),
    }
}

/// `time type attacker target distance nearby_allies nearby_enemies damage
/// [weapon mod ax ay az tx ty tz]`
pub fn combat_line(i: &[u8]) -> PResult<'_, CombatEvent> {
    combat_line_as::<true>(i)
}

/// [`combat_line`]; without `VALUES` the distance and positions are checked as strictly but
/// read as 0 (see [`super::grammar::float_as`]).
pub fn combat_line_as<const VALUES: bool>(i: &[u8]) -> PResult<'_, CombatEvent> {
    let (i, time_ms) = uint_as::<u32>(i)?;
    let (i, ()) = tab(i)?;
    let (i, kind) = combat_kind(i)?;
    let (i, ()) = tab(i)?;
    let (i, attacker) = client(i)?;
    let (i, ()) = tab(i)?;
    let (i, target) = target(i)?;
    let (i, ()) = tab(i)?;
    let (i, distance) = float_as::<VALUES>(i)?;
    let (i, ()) = tab(i)?;
    let (i, nearby_allies) = uint_as::<u16>(i)?;
    let (i, ()) = tab(i)?;
    let (i, nearby_enemies) = uint_as::<u16>(i)?;
    let (i, ()) = tab(i)?;
    let (i, damage) = int_as::<i32>(i)?;
    let (i, weapon) = extension(i, |i| uint_as::<u16>(i))?;
    let (i, mod_id) = extension(i, |i| uint_as::<u16>(i))?;
    let (i, attacker_pos) = extension_vec3::<VALUES>(i)?;
    let (i, target_pos) = extension_vec3::<VALUES>(i)?;
    let (i, ()) = line_end(i)?;
    let event = CombatEvent {
        time_ms,
        kind,
        attacker,
        target,
        distance,
        nearby_allies,
        nearby_enemies,
        damage,
        weapon,
        mod_id,
        attacker_pos,
        target_pos,
    };
    Ok((i, event))
}

/// `type distance killer_name victim_name [time killer victim vx vy vz attacker_backup
/// target_backup]`
pub fn engagement_line(i: &[u8]) -> PResult<'_, Engagement> {
    engagement_line_as::<true>(i)
}

/// [`engagement_line`]; without `VALUES` (for a round's summary, which shows none of them) the
/// distance and position are checked but read as 0 (see [`super::grammar::float_as`]) and the
/// names are left empty.
pub fn engagement_line_as<const VALUES: bool>(i: &[u8]) -> PResult<'_, Engagement> {
    /// A name column: any text (never refused).
    fn name<const VALUES: bool>(i: &[u8]) -> PResult<'_, String> {
        if VALUES { text(i) } else { super::grammar::raw_field(i).map(|(rest, _)| (rest, String::new())) }
    }
    let (i, kind) = engagement_type(i)?;
    let (i, ()) = tab(i)?;
    let (i, distance) = float_as::<VALUES>(i)?;
    let (i, ()) = tab(i)?;
    let (i, killer_name) = name::<VALUES>(i)?;
    let (i, ()) = tab(i)?;
    let (i, victim_name) = name::<VALUES>(i)?;
    let (i, time_ms) = extension(i, |i| uint_as::<u32>(i))?;
    let (i, killer) = extension(i, |i| client(i))?;
    let (i, victim) = extension(i, |i| client(i))?;
    let (i, victim_pos) = extension_vec3::<VALUES>(i)?;
    let (i, attacker_backup) = extension(i, |i| uint_as::<u16>(i))?;
    let (i, target_backup) = extension(i, |i| uint_as::<u16>(i))?;
    let (i, ()) = line_end(i)?;
    let engagement = Engagement {
        kind,
        distance,
        killer_name,
        victim_name,
        time_ms,
        killer,
        victim,
        victim_pos,
        attacker_backup,
        target_backup,
    };
    Ok((i, engagement))
}

/// `grid_x grid_y axis_kills allies_kills`
pub fn heatmap_line(i: &[u8]) -> PResult<'_, HeatmapCell> {
    let (i, grid_x) = int_as::<i32>(i)?;
    let (i, ()) = tab(i)?;
    let (i, grid_y) = int_as::<i32>(i)?;
    let (i, ()) = tab(i)?;
    let (i, axis_kills) = uint_as::<u32>(i)?;
    let (i, ()) = tab(i)?;
    let (i, allies_kills) = uint_as::<u32>(i)?;
    let (i, ()) = line_end(i)?;
    Ok((i, HeatmapCell { grid_x, grid_y, axis_kills, allies_kills }))
}

/// What a column must hold, for error messages.
#[derive(Debug, Clone, Copy)]
pub enum ColumnKind {
    /// A non-negative integer.
    Count,
    /// A signed integer.
    Integer,
    /// A client number 0–1023.
    Client,
    /// A client number or `NONE`.
    Target,
    /// A decimal number.
    Number,
    /// `fire`, `hit` or `kill`.
    EventType,
    /// A team number or name.
    Team,
    /// Anything.
    Text,
}

impl ColumnKind {
    fn accepts(self, field: &[u8]) -> bool {
        fn whole<T>(r: PResult<'_, T>) -> bool {
            matches!(r, Ok((rest, _)) if rest.is_empty())
        }
        let optional = field == b"-";
        match self {
            Self::Count => whole(uint_as::<u32>(field)) || optional,
            Self::Integer => whole(int_as::<i32>(field)) || optional,
            Self::Client => whole(client(field)) || optional,
            Self::Target => whole(target(field)),
            Self::Number => whole(float(field)) || optional,
            Self::EventType => whole(combat_kind(field)),
            Self::Team => whole(team(field)) || optional,
            Self::Text => true,
        }
    }

    fn expected(self) -> &'static str {
        match self {
            Self::Count => "a whole number",
            Self::Integer => "an integer",
            Self::Client => "a client number 0-1023",
            Self::Target => "a client number or NONE",
            Self::Number => "a number",
            Self::EventType => "fire, hit, kill or death",
            Self::Team => "a team (1/AXIS, 2/ALLIES, 3/SPECTATOR, 0/FREE)",
            Self::Text => "text",
        }
    }
}

/// A line's columns: the seed's required ones first, then optional superset ones.
pub struct Columns {
    /// How many columns a line must have.
    pub required: usize,
    /// Name and kind of every known column.
    pub all: &'static [(&'static str, ColumnKind)],
}

use ColumnKind as K;

/// Positions columns.
pub const POSITION_COLUMNS: Columns = Columns {
    required: 9,
    all: &[
        ("clientnum", K::Client),
        ("time", K::Count),
        ("x", K::Number),
        ("y", K::Number),
        ("z", K::Number),
        ("yaw", K::Number),
        ("pitch", K::Number),
        ("speed", K::Number),
        ("moving", K::Count),
        ("team", K::Team),
        ("health", K::Integer),
    ],
};

/// Combat columns.
pub const COMBAT_COLUMNS: Columns = Columns {
    required: 8,
    all: &[
        ("time", K::Count),
        ("type", K::EventType),
        ("attacker", K::Client),
        ("target", K::Target),
        ("distance", K::Number),
        ("nearby_allies", K::Count),
        ("nearby_enemies", K::Count),
        ("damage", K::Integer),
        ("weapon", K::Count),
        ("mod", K::Count),
        ("attacker_x", K::Number),
        ("attacker_y", K::Number),
        ("attacker_z", K::Number),
        ("target_x", K::Number),
        ("target_y", K::Number),
        ("target_z", K::Number),
    ],
};

/// Engagement columns.
pub const ENGAGEMENT_COLUMNS: Columns = Columns {
    required: 4,
    all: &[
        ("engagement_type", K::Text),
        ("distance", K::Number),
        ("killer_name", K::Text),
        ("victim_name", K::Text),
        ("time", K::Count),
        ("killer", K::Client),
        ("victim", K::Client),
        ("victim_x", K::Number),
        ("victim_y", K::Number),
        ("victim_z", K::Number),
        ("attacker_backup", K::Count),
        ("target_backup", K::Count),
    ],
};

/// Heatmap columns.
pub const HEATMAP_COLUMNS: Columns = Columns {
    required: 4,
    all: &[("grid_x", K::Integer), ("grid_y", K::Integer), ("axis_kills", K::Count), ("allies_kills", K::Count)],
};

/// Says why a line did not parse: too few columns, or which column holds what instead of what.
pub fn diagnose(line: &[u8], columns: &Columns) -> String {
    let fields: Vec<&[u8]> = line.split(|&b| b == b'\t').collect();
    if fields.len() < columns.required {
        return format!("expected at least {} tab-separated columns, found {}", columns.required, fields.len());
    }
    for (n, (field, (name, kind))) in fields.iter().zip(columns.all).enumerate() {
        if !kind.accepts(field) {
            let shown = crate::text::decode(&field[..field.len().min(40)]);
            return format!("column {} ({name}): expected {}, found {shown:?}", n + 1, kind.expected());
        }
    }
    "malformed line".to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EngagementType, Team};

    #[test]
    fn a_seed_position_line_has_no_team_or_health() {
        let (_, (cn, s)) = position_line(b"3\t1000\t1234.5\t5678.9\t0.0\t90\t-5.5\t150\t1").expect("parses");
        assert_eq!(cn, 3);
        assert_eq!(s.time_ms, 1000);
        assert_eq!(s.pos, Vec3::new(1234.5, 5678.9, 0.0));
        assert_eq!((s.yaw_deg, s.pitch_deg, s.speed_ups, s.moving), (90.0, -5.5, 150.0, true));
        assert_eq!((s.team, s.health), (None, None));
    }

    #[test]
    fn a_superset_position_line_has_team_and_health() {
        let (_, (_, s)) = position_line(b"3\t1000\t1\t2\t3\t4\t5\t0\t0\t2\t87").expect("parses");
        assert_eq!((s.team, s.health, s.moving), (Some(Team::Allies), Some(87), false));
    }

    #[test]
    fn a_fire_line_has_no_target() {
        let (_, e) = combat_line(b"5000\tfire\t0\tNONE\t0.0\t1\t0\t0").expect("parses");
        assert_eq!((e.time_ms, e.kind, e.attacker, e.target), (5000, CombatKind::Fire, 0, None));
        assert_eq!((e.weapon, e.attacker_pos), (None, None));
    }

    #[test]
    fn a_superset_kill_line_has_weapon_mod_and_positions() {
        let line = b"5100\tkill\t0\t3\t150.5\t1\t2\t45\t8\t9\t1\t2\t3\t4\t5\t6";
        let (_, e) = combat_line(line).expect("parses");
        assert_eq!(
            (e.kind, e.target, e.distance, e.nearby_allies, e.nearby_enemies, e.damage),
            (CombatKind::Kill, Some(3), 150.5, 1, 2, 45)
        );
        assert_eq!((e.weapon, e.mod_id), (Some(8), Some(9)));
        assert_eq!(e.attacker_pos, Some(Vec3::new(1.0, 2.0, 3.0)));
        assert_eq!(e.target_pos, Some(Vec3::new(4.0, 5.0, 6.0)));
    }

    #[test]
    fn an_engagement_line_keeps_names_with_spaces_and_colours() {
        let (_, e) = engagement_line(b"2vs1\t200.3\t^1Big Boss\tvictim").expect("parses");
        assert_eq!(e.kind, EngagementType::versus(2, 1));
        assert_eq!((e.killer_name.as_str(), e.victim_name.as_str()), ("^1Big Boss", "victim"));
        assert_eq!(e.time_ms, None);
    }

    #[test]
    fn a_superset_engagement_line_has_time_clients_position_and_backup() {
        let (_, e) = engagement_line(b"1v2\t99\ta\tb\t61000\t4\t9\t-10\t20.5\t30\t0\t1").expect("parses");
        assert_eq!((e.time_ms, e.killer, e.victim), (Some(61000), Some(4), Some(9)));
        assert_eq!(e.victim_pos, Some(Vec3::new(-10.0, 20.5, 30.0)));
        assert_eq!((e.attacker_backup, e.target_backup), (Some(0), Some(1)));
    }

    #[test]
    fn a_heatmap_line_allows_negative_cells() {
        let (_, c) = heatmap_line(b"-2\t3\t5\t0").expect("parses");
        assert_eq!(c, HeatmapCell { grid_x: -2, grid_y: 3, axis_kills: 5, allies_kills: 0 });
    }

    #[test]
    fn a_line_read_where_it_lies_reads_as_the_line_cut_at_its_end() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let columns = [
            "0",
            "63",
            "64",
            "1023",
            "1024",
            "-",
            "--",
            "-1",
            "5",
            "50",
            "4294967295",
            "4294967296",
            "-2935.6",
            "2363.9",
            "0.0",
            "1e3",
            "1.5e",
            ".5",
            "5.",
            "inf",
            "nan",
            "12345678.5",
            "AXIS",
            "allies",
            "x",
            "",
            " 1",
            "1 ",
            "\r",
            "-\r",
        ];
        let (mut fast, mut total) = (0, 0);
        for _ in 0..200_000 {
            // Mostly the usual shape (nine to eleven numeric columns), sometimes anything.
            let count = rng.random_range(7..13);
            let mut line: Vec<&str> = (0..count)
                .map(|k| {
                    let usual = match k {
                        0 => ["0", "63", "7"][rng.random_range(0..3)],
                        1 | 8 | 9 => ["1", "500", "0", "2"][rng.random_range(0..4)],
                        10 => ["100", "-5", "-", "0"][rng.random_range(0..4)],
                        _ => ["-2935.6", "2363.9", "0.0", "87.8", "240.0"][rng.random_range(0..5)],
                    };
                    if rng.random_bool(0.9) { usual } else { columns[rng.random_range(0..columns.len())] }
                })
                .collect();
            if rng.random_bool(0.05) {
                line.insert(0, "#");
            }
            let text = line.join("\t");
            let ending = ["\n", "\r\n", "\n\n", "", "\r", "\t\n"][rng.random_range(0..6)];
            let file = format!("{text}{ending}3\t50\t1.0\t2.0\t3.0\t0\t0\t0\t1\t2\t100\n");
            total += 1;
            let Some((len, read)) = position_line_at(file.as_bytes()) else { continue };
            fast += 1;
            // The line it took, cut at its end as the line reader cuts it.
            let end = file.find('\n').expect("a line end");
            assert_eq!(len, end + 1, "{file:?}");
            let cut = file[..end].strip_suffix('\r').unwrap_or(&file[..end]);
            assert_eq!(position_line(cut.as_bytes()).map(|(_, v)| v), Ok(read), "{file:?}");
        }
        assert!(fast > 10_000, "{fast} of {total} lines read where they lie");
    }

    #[test]
    fn event_types_are_read_in_any_case_and_death_too() {
        for (text, kind) in [
            ("fire", CombatKind::Fire),
            ("FIRE", CombatKind::Fire),
            ("Hit", CombatKind::Hit),
            ("kill", CombatKind::Kill),
            ("kIlL", CombatKind::Kill),
            ("death", CombatKind::Death),
            ("DEATH", CombatKind::Death),
        ] {
            assert_eq!(combat_kind(format!("{text}\t1").as_bytes()).map(|(rest, k)| (rest.len(), k)), Ok((2, kind)));
        }
        for text in ["fired", "kil", "", "f ire", "hits", "kill\u{0}", "fire "] {
            assert!(combat_kind(format!("{text}\t1").as_bytes()).is_err(), "{text}");
        }
        // The word alone, at the end of the input: read; the line's reader then wants more.
        for (text, kind) in [("fire", CombatKind::Fire), ("hit", CombatKind::Hit), ("kill", CombatKind::Kill)] {
            assert_eq!(combat_kind(text.as_bytes()), Ok((&b""[..], kind)));
        }
    }

    #[test]
    fn trailing_junk_in_a_column_is_an_error() {
        assert!(heatmap_line(b"1\t2\t3\t4x").is_err());
        assert!(position_line(b"3\t1000\t1\t2\t3\t4\t5\t0\t0\tPURPLE").is_err());
    }

    #[test]
    fn diagnose_names_the_column_and_what_it_found() {
        assert_eq!(
            diagnose(b"3\t1000\tabc\t2\t3\t4\t5\t6\t1", &POSITION_COLUMNS),
            "column 3 (x): expected a number, found \"abc\""
        );
        assert_eq!(diagnose(b"1\t2", &HEATMAP_COLUMNS), "expected at least 4 tab-separated columns, found 2");
        assert_eq!(
            diagnose(b"100\tboom\t0\t1\t0\t0\t0\t0", &COMBAT_COLUMNS),
            "column 2 (type): expected fire, hit, kill or death, found \"boom\""
        );
    }
}
