//! The usual position line read from a 64-byte window. Five masks of the window's bytes (tabs,
//! control bytes, digits, dots, minus signs) are made at once, 16 bytes per instruction where
//! the processor allows; the line's shape is checked against them with a few operations on
//! the masks, and each column is then read from where it lies with no further checks. A line
//! read column after column checks and converts every byte on its own, each column waiting for
//! the previous one's end.
//!
//! Takes the lines the tracker writes — plain integers, coordinates and angles with one
//! decimal, `-` for an unknown team or health — and reads them as
//! [`super::lines::position_line`] does; anything else is left to it. For a round's summary
//! (`VALUES` false) the six decimal columns are checked the same but not worked out.

use glam::Vec3;

use super::grammar::{NEG_POW10_F64, digits_value};
use crate::model::{PositionSample, Team};

/// Bytes the window needs after a line's start: 64 to look at, and eight more so that any
/// column starting in the window can be read as one eight-byte word.
pub const WINDOW_INPUT: usize = 72;

/// Bit k of each mask stands for byte k of the window.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Masks {
    tabs: u64,
    /// Bytes below 0x20: tabs, line ends, other control bytes.
    controls: u64,
    digits: u64,
    dots: u64,
    minus: u64,
}

/// The masks, 16 bytes at a time (SSE2, which every x86-64 processor has).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn masks(window: &[u8; 64]) -> Masks {
    use safe_arch::{
        cmp_eq_mask_i8_m128i as equal, load_unaligned_m128i, m128i, min_u8_m128i as min, move_mask_i8_m128i,
        set_splat_i8_m128i, sub_i8_m128i as sub,
    };
    let splat = |b: u8| set_splat_i8_m128i(b.cast_signed());
    let mut m = Masks::default();
    for (k, chunk) in window.as_chunks::<16>().0.iter().enumerate() {
        let v = load_unaligned_m128i(chunk);
        let bits = |x: m128i| u64::from(move_mask_i8_m128i(x).cast_unsigned()) << (16 * k);
        m.tabs |= bits(equal(v, splat(b'\t')));
        m.controls |= bits(equal(min(v, splat(0x1F)), v));
        m.dots |= bits(equal(v, splat(b'.')));
        m.minus |= bits(equal(v, splat(b'-')));
        let d = sub(v, splat(b'0'));
        m.digits |= bits(equal(min(d, splat(9)), d));
    }
    m
}

#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn masks(window: &[u8; 64]) -> Masks {
    masks_by_words(window)
}

/// The masks eight bytes at a time in ordinary registers, where SSE2 is not there.
#[cfg(any(test, not(target_arch = "x86_64")))]
#[inline(always)]
fn masks_by_words(window: &[u8; 64]) -> Masks {
    const ONES: u64 = 0x0101_0101_0101_0101;
    // The high bit of each byte below `limit` (at most 0x80): `(b & 0x7F) + (0x80 - limit)`
    // reaches 0x80 unless b < limit, and no carry leaves a byte; bytes from 0x80 are cut by
    // the `| w`.
    let below = |w: u64, limit: u8| !(((w & (ONES * 0x7F)) + ONES * u64::from(0x80 - limit)) | w) & (ONES * 0x80);
    let equal = |w: u64, b: u8| below(w ^ (ONES * u64::from(b)), 1);
    // Gathers the eight high bits into the top byte, byte k's to bit 56 + k.
    let gather = |high: u64| (high >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56;
    let mut m = Masks::default();
    for (k, word) in window.as_chunks::<8>().0.iter().enumerate() {
        let w = u64::from_le_bytes(*word);
        let at = |high: u64| gather(high) << (8 * k);
        m.tabs |= at(equal(w, b'\t'));
        m.controls |= at(below(w, 0x20));
        m.dots |= at(equal(w, b'.'));
        m.minus |= at(equal(w, b'-'));
        m.digits |= at(below(w, b'9' + 1) & !below(w, b'0'));
    }
    m
}

/// The eight bytes from `at` (`input` has them: see [`WINDOW_INPUT`]).
#[inline(always)]
fn word_at(input: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(*input.get(at..)?.first_chunk::<8>()?))
}

/// The `len` (1–8) digits from `at`, known to be digits.
#[inline(always)]
fn digits_at(input: &[u8], at: usize, len: usize) -> Option<u64> {
    if !(1..=8).contains(&len) {
        return None;
    }
    Some(digits_value(word_at(input, at)? ^ 0x3030_3030_3030_3030, len))
}

/// A number with one decimal, `[-]d.d` with one to six digits before the dot, from `at`,
/// `len` bytes long, its bytes known to be a sign (`negative`), digits and the dot at
/// `len - 2`: exact in `f32` (see [`NEG_POW10_F64`]).
/// Without `VALUES`, the number is only checked and reads as 0.
#[inline(always)]
fn one_decimal<const VALUES: bool>(input: &[u8], at: usize, len: usize, negative: bool) -> Option<f32> {
    let sign = usize::from(negative);
    let whole = len.checked_sub(2 + sign).filter(|n| (1..=6).contains(n))?;
    if !VALUES {
        return Some(0.0);
    }
    let d = word_at(input, at + sign)? ^ 0x3030_3030_3030_3030;
    let tenths = digits_value(d, whole) * 10 + ((d >> (8 * (whole + 1))) & 0xFF);
    // Below 10^7: one conversion instruction through i64.
    let magnitude = (tenths as i64 as f64 * NEG_POW10_F64[1]) as f32;
    Some(if negative { -magnitude } else { magnitude })
}

/// The usual position line at the start of `input` (which holds at least [`WINDOW_INPUT`]
/// bytes): nine to eleven tab-separated columns, integers, six numbers with one decimal, `-`
/// alone for an unknown team or health, ended by `\n` or `\r\n` starting within the first 64
/// bytes. Returns the line's length with its line end, its client slot and sample; `None`
/// for any other line.
/// Without `VALUES` the six decimal columns are checked as strictly but not worked out (they
/// read as 0): enough for a round list, which wants each line's client, time and whether it
/// is a sample at all.
#[inline(always)]
pub fn position_line<const VALUES: bool>(input: &[u8]) -> Option<(usize, (u16, PositionSample))> {
    let window = input.first_chunk::<64>()?;
    input.get(WINDOW_INPUT - 1)?;
    let m = masks(window);
    // The line: up to its first control byte that is not a tab.
    let end = (m.controls & !m.tabs).trailing_zeros() as usize;
    let end_len = match (window.get(end)?, input[end + 1]) {
        (b'\n', _) => 1,
        (b'\r', b'\n') => 2,
        _ => return None,
    };
    let line = (1u64 << end) - 1;
    let tabs = m.tabs & line;
    if !(8..=10).contains(&tabs.count_ones()) || (m.digits | m.dots | m.minus | tabs) & line != line {
        return None;
    }
    // Column k runs from the byte after the tab before it to its end: the next tab, or the
    // line's end.
    // (Past the last tab, `trailing_zeros` is 64: the line's end instead.)
    let mut rest = tabs;
    let mut next = || {
        let e = (rest.trailing_zeros() as usize).min(end);
        rest &= rest.wrapping_sub(1);
        e
    };
    // Written out: `array::from_fn` is not always inlined here.
    let ends = [next(), next(), next(), next(), next(), next(), next(), next(), next(), next(), next()];
    let columns = tabs.count_ones() as usize + 1;
    let starts = (tabs << 1) | 1;
    // No empty column; a minus sign only at the start of a column that may be negative (or
    // unknown); a dot two bytes before the end of each of the six decimal columns (after a
    // digit) and nowhere else.
    let unsigned = 1 | (1 << (ends[0] + 1)) | (1 << (ends[7] + 1));
    let decimal_ends = (tabs >> ends[1]) >> 1 << ends[1] << 1 & ((2 << ends[7]) - 1);
    if starts & (tabs | (1 << end)) != 0
        || m.minus & line & !(starts & !unsigned) != 0
        || m.dots & line != decimal_ends >> 2
        || m.dots & !(m.digits << 1) & line != 0
    {
        return None;
    }
    let column = |k: usize| {
        let start = if k == 0 { 0 } else { ends[k - 1] + 1 };
        (start, ends[k] - start)
    };
    let integer = |k: usize| {
        let (at, len) = column(k);
        digits_at(input, at, len)
    };
    let decimal = |k: usize| {
        let (at, len) = column(k);
        one_decimal::<VALUES>(input, at, len, m.minus >> at & 1 != 0)
    };
    let clientnum = u16::try_from(integer(0)?).ok().filter(|&c| c <= 1023)?;
    let time_ms = u32::try_from(integer(1)?).ok()?;
    let (x, y, z) = (decimal(2)?, decimal(3)?, decimal(4)?);
    let (yaw_deg, pitch_deg, speed_ups) = (decimal(5)?, decimal(6)?, decimal(7)?);
    let moving = integer(8)? != 0;
    // `-` alone: unknown.
    let unknown = |k: usize| {
        let (at, len) = column(k);
        len == 1 && m.minus >> at & 1 != 0
    };
    let team = if columns < 10 || unknown(9) {
        None
    } else {
        let (at, len) = column(9);
        if m.minus >> at & 1 != 0 {
            return None;
        }
        Some(Team::from_number(u32::try_from(digits_at(input, at, len)?).ok()?)?)
    };
    let health = if columns < 11 || unknown(10) {
        None
    } else {
        let (at, len) = column(10);
        let negative = m.minus >> at & 1 != 0;
        let magnitude =
            i64::try_from(digits_at(input, at + usize::from(negative), len - usize::from(negative))?).ok()?;
        Some(i16::try_from(if negative { -magnitude } else { magnitude }).ok()?)
    };
    let sample =
        PositionSample { time_ms, pos: Vec3::new(x, y, z), yaw_deg, pitch_deg, speed_ups, health, team, moving };
    Some((end + end_len, (clientnum, sample)))
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};

    use super::*;
    use crate::parse::lines;

    /// A random column: mostly numbers of every length and shape, sometimes anything.
    fn column(rng: &mut impl Rng) -> String {
        let digits = |rng: &mut dyn rand::RngCore, n: usize| -> String {
            (0..n).map(|_| char::from(b'0' + rng.random_range(0..10u8))).collect()
        };
        match rng.random_range(0..10) {
            0..=3 => {
                let (a, b) = (rng.random_range(0..9), rng.random_range(0..9));
                let sign = if rng.random_bool(0.4) { "-" } else { "" };
                let dot = if rng.random_bool(0.8) { "." } else { "" };
                format!("{sign}{}{dot}{}", digits(rng, a), digits(rng, b))
            }
            4..=6 => {
                let n = rng.random_range(1..12);
                digits(rng, n)
            }
            _ => {
                let odd = [
                    "-",
                    "--",
                    "+1",
                    "-+1",
                    "1e3",
                    "1.5e2",
                    ".",
                    "-.",
                    "1..2",
                    "1.2.3",
                    "inf",
                    "nan",
                    "AXIS",
                    "x",
                    "",
                    " 1",
                    "1 ",
                    "\r",
                    "\x00",
                    "\x7f",
                    "\u{e9}",
                    "-0",
                    "-0.0",
                    "65535",
                    "32768",
                    "-32768",
                    "-32769",
                    "4294967295",
                    "4294967296",
                    "16777216",
                    "16777217",
                    "9999999",
                    "99999999",
                ];
                odd[rng.random_range(0..odd.len())].to_owned()
            }
        }
    }

    /// Every line the window takes reads as the strict parser reads it cut at its end.
    #[test]
    fn a_line_read_from_the_window_reads_as_the_line_cut_at_its_end() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        let (mut taken, mut nine, mut eleven, mut long) = (0, 0, 0, 0);
        for round in 0..300_000 {
            let usual = round % 2 == 0;
            let count = if usual { rng.random_range(9..12) } else { rng.random_range(7..13) };
            let columns: Vec<String> = (0..count)
                .map(|k| match k {
                    // Half the lines: the usual shape, with odd columns now and then.
                    _ if usual && rng.random_bool(0.97) => match k {
                        0 => rng.random_range(0..64).to_string(),
                        1 => rng.random_range(0..100_000_000).to_string(),
                        8 => rng.random_range(0..2).to_string(),
                        9 => ["0", "1", "2", "3", "-", "4"][rng.random_range(0..6)].to_owned(),
                        10 => ["100", "-5", "-", "0", "32767", "-32768", "7"][rng.random_range(0..7)].to_owned(),
                        _ => format!("{:.1}", rng.random_range(-6_000.0..6_000.0f32)),
                    },
                    _ => column(&mut rng),
                })
                .collect();
            let ending = ["\n", "\r\n", "\n\n", "\r", "\t\n", "\r\r\n"][rng.random_range(0..6)];
            let file = format!(
                "{}{ending}3\t50\t1.0\t2.0\t3.0\t0\t0\t0\t1\t2\t100\t1\t2\t3\t4\t5\t6\t7\t8\t9\n",
                columns.join("\t")
            );
            // Checked only (for a round list): the same lines taken, the same client, time,
            // flag, team and health.
            let unread = position_line::<false>(file.as_bytes())
                .map(|(len, (cn, s))| (len, cn, s.time_ms, s.moving, s.team, s.health));
            let Some((len, (cn, sample))) = position_line::<true>(file.as_bytes()) else {
                assert_eq!(unread, None, "{file:?}");
                continue;
            };
            assert_eq!(unread, Some((len, cn, sample.time_ms, sample.moving, sample.team, sample.health)), "{file:?}");
            taken += 1;
            let end = file.find('\n').expect("a line end");
            assert_eq!(len, end + 1, "{file:?}");
            assert!(end <= 64, "{file:?}");
            let cut = file[..end].strip_suffix('\r').unwrap_or(&file[..end]);
            let strict = lines::position_line(cut.as_bytes()).map(|(_, v)| v);
            assert_eq!(strict, Ok((cn, sample)), "{file:?}");
            // The same numbers, bit for bit (a sign of zero included).
            let (_, s) = strict.expect("read");
            let bits =
                |s: &PositionSample| [s.pos.x, s.pos.y, s.pos.z, s.yaw_deg, s.pitch_deg, s.speed_ups].map(f32::to_bits);
            assert_eq!(bits(&s), bits(&sample), "{file:?}");
            match columns.len() {
                9 => nine += 1,
                11 => eleven += 1,
                _ => {}
            }
            long += usize::from(end > 56);
        }
        assert!(taken > 40_000 && nine > 15_000 && eleven > 8_000 && long > 10_000, "{taken} {nine} {eleven} {long}");
    }

    #[test]
    fn the_masks_are_the_same_16_or_8_bytes_at_a_time() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        let alphabet = b"0123456789.-\t\r\n \x00\x1f\x20/:\x7f\x80\xff\xb9\xae\x89";
        for _ in 0..20_000 {
            let mut window = [0u8; 64];
            for b in &mut window {
                *b = if rng.random_bool(0.8) { alphabet[rng.random_range(0..alphabet.len())] } else { rng.random() };
            }
            let m = masks(&window);
            assert_eq!(m, masks_by_words(&window), "{window:?}");
            let expect = |f: fn(u8) -> bool| window.iter().rev().fold(0u64, |acc, &b| acc << 1 | u64::from(f(b)));
            assert_eq!(m.tabs, expect(|b| b == b'\t'));
            assert_eq!(m.controls, expect(|b| b < 0x20));
            assert_eq!(m.digits, expect(|b| b.is_ascii_digit()));
            assert_eq!((m.dots, m.minus), (expect(|b| b == b'.'), expect(|b| b == b'-')));
        }
    }

    #[test]
    fn a_line_the_window_cannot_hold_is_left_to_the_strict_parser() {
        let line = "3\t50\t1.0\t2.0\t3.0\t0.0\t0.0\t0.0\t1\t2\t100\n";
        let padded = format!("{line}{}", "0".repeat(80));
        assert_eq!(position_line::<true>(padded.as_bytes()).map(|(len, _)| len), Some(line.len()));
        // Too near the end of the input to read the window, or the line longer than it.
        assert_eq!(position_line::<true>(format!("{line}0").as_bytes()), None);
        let long = format!("3\t50\t{0}\t{0}\t{0}\t0.0\t0.0\t0.0\t1\t2\t100\n{1}", "-1234.5678", "0".repeat(80));
        assert_eq!(position_line::<true>(long.as_bytes()), None);
        assert!(lines::position_line_at(long.as_bytes()).is_some());
    }
}
