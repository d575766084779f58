//! The grammar elements of the round files, one small nom parser each. Lines are
//! tab-separated; the elements here parse one field (or the tab before it) from `&[u8]` and are
//! combined into line parsers in `lines.rs`. Numbers are parsed by hand on the fast path because
//! a 30-minute, 64-player positions file is 2.5 million of them.

use nom::bytes::complete::take_till;
use nom::error::{Error, ErrorKind};
use nom::{IResult, Parser};

use crate::model::{EngagementType, Team};

/// A nom result over bytes.
pub type PResult<'a, T> = IResult<&'a [u8], T>;

fn fail<T>(i: &[u8], kind: ErrorKind) -> PResult<'_, T> {
    Err(nom::Err::Error(Error::new(i, kind)))
}

/// The field separator.
#[inline(always)]
pub fn tab(i: &[u8]) -> PResult<'_, ()> {
    match i.first() {
        Some(b'\t') => Ok((&i[1..], ())),
        _ => fail(i, ErrorKind::Char),
    }
}

/// Unsigned decimal integer that fits in `u64`.
#[inline(always)]
pub fn uint(i: &[u8]) -> PResult<'_, u64> {
    // One digit (slots, flags, teams) at once; up to seven (times) eight bytes at a time; the
    // rest digit by digit, checked.
    match i {
        [d @ b'0'..=b'9', rest @ ..] if !rest.first().is_some_and(u8::is_ascii_digit) => {
            return Ok((rest, u64::from(d - b'0')));
        }
        _ => {}
    }
    let (mut value, mut n) = leading_digits(i);
    if (1..8).contains(&n) {
        return Ok((&i[n..], value));
    }
    while let Some(&b) = i.get(n) {
        if !b.is_ascii_digit() {
            break;
        }
        value = match value.checked_mul(10).and_then(|v| v.checked_add(u64::from(b - b'0'))) {
            Some(v) => v,
            None => return fail(i, ErrorKind::TooLarge),
        };
        n += 1;
    }
    if n == 0 { fail(i, ErrorKind::Digit) } else { Ok((&i[n..], value)) }
}

/// Signed decimal integer that fits in `i64`.
#[inline(always)]
pub fn int(i: &[u8]) -> PResult<'_, i64> {
    let (rest, negative) = match i.first() {
        Some(b'-') => (&i[1..], true),
        Some(b'+') => (&i[1..], false),
        _ => (i, false),
    };
    let (rest, magnitude) = uint(rest)?;
    let value = if negative { 0i64.checked_sub_unsigned(magnitude) } else { i64::try_from(magnitude).ok() };
    match value {
        Some(v) => Ok((rest, v)),
        None => fail(i, ErrorKind::TooLarge),
    }
}

/// An unsigned integer that fits in `T`.
#[inline(always)]
pub fn uint_as<T: TryFrom<u64>>(i: &[u8]) -> PResult<'_, T> {
    let (rest, v) = uint(i)?;
    match T::try_from(v) {
        Ok(v) => Ok((rest, v)),
        Err(_) => fail(i, ErrorKind::TooLarge),
    }
}

/// A signed integer that fits in `T`.
#[inline(always)]
pub fn int_as<T: TryFrom<i64>>(i: &[u8]) -> PResult<'_, T> {
    let (rest, v) = int(i)?;
    match T::try_from(v) {
        Ok(v) => Ok((rest, v)),
        Err(_) => fail(i, ErrorKind::TooLarge),
    }
}

/// `10^-k` rounded to `f64`, for up to 8 fraction digits.
///
/// Why `(m as f64 * 10^-k) as f32` is the correctly rounded `f32` of `m / 10^k` for
/// `m <= 2^24`, `k <= 8`: the product is within 2^-52 (relative) of the exact quotient q, and
/// rounding it to `f32` can only go wrong if that is enough to reach the midpoint μ between two
/// `f32`s. With q in [2^(e-1), 2^e), `(q - μ) * 10^k * 2^(25-e)` is a non-zero integer, so
/// `|q - μ| / q >= 1 / (10^k * 2^25) > 2^-52` whenever `10^k < 2^27`. And q is never exactly a
/// midpoint: for k = 0 it is an integer below 2^24 + 1, for k >= 1 a dyadic q = m / 10^k has
/// fewer than 25 significant bits. One multiplication replaces a division, which sat on the
/// critical path of every number.
pub(super) const NEG_POW10_F64: [f64; 9] = [1e0, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8];

/// Leading ASCII digits of `i` (at most 8) as `(value, count)`. Eight bytes at a time where the
/// field has them (SWAR: find the first non-digit with one mask, combine digits pairwise with
/// three multiplications), byte by byte near the end of a line.
#[inline(always)]
fn leading_digits(i: &[u8]) -> (u64, usize) {
    let Some(chunk) = i.first_chunk::<8>() else {
        let mut value = 0;
        let mut n = 0;
        while let Some(d) = i.get(n).map(|b| b.wrapping_sub(b'0')).filter(|&d| d < 10) {
            value = value * 10 + u64::from(d);
            n += 1;
            if n == 8 {
                break;
            }
        }
        return (value, n);
    };
    let bytes = u64::from_le_bytes(*chunk);
    let digits = bytes ^ 0x3030_3030_3030_3030;
    // High bit of every byte that is not a digit; carries only run past the first such byte,
    // so the lowest flagged byte is exact.
    let non_digit = (digits.wrapping_add(0x7676_7676_7676_7676) | digits) & 0x8080_8080_8080_8080;
    let n = (non_digit.trailing_zeros() / 8) as usize;
    if n == 0 {
        return (0, 0);
    }
    (digits_value(digits, n), n)
}

/// The value of the `n` (1–8) digits in the low bytes of `digits` (each byte a digit's value,
/// 0–9, first digit lowest; the bytes above `n` are ignored): the digits moved to the top
/// bytes (the zero bytes below read as leading zeros) and combined pairwise with three
/// multiplications.
#[inline(always)]
pub(super) fn digits_value(digits: u64, n: usize) -> u64 {
    let mut v = digits << (8 * (8 - n));
    v = (v & 0x0F0F_0F0F_0F0F_0F0F).wrapping_mul(2561) >> 8;
    v = (v & 0x00FF_00FF_00FF_00FF).wrapping_mul(6_553_601) >> 16;
    v = (v & 0x0000_FFFF_0000_FFFF).wrapping_mul(42_949_672_960_001) >> 32;
    v
}

/// A decimal number as `f32`, correctly rounded. Plain `[-]digits[.digits]` with at most
/// 2^24 as mantissa and 8 fraction digits takes a fast path (see [`NEG_POW10_F64`]); anything
/// else (exponents, long mantissas) goes through the standard library.
/// `nan` and infinities are refused.
#[inline(always)]
pub fn float(i: &[u8]) -> PResult<'_, f32> {
    float_as::<true>(i)
}

/// [`float`]; without `VALUES` the tracker's usual numbers are checked as strictly but read as
/// 0 (for a round list, which shows no position).
#[inline(always)]
pub fn float_as<const VALUES: bool>(i: &[u8]) -> PResult<'_, f32> {
    match short_float::<VALUES>(i) {
        Some((end, v)) => Ok((&i[end..], v)),
        None => float_by_parts(i),
    }
}

/// The tracker's usual number — `[-]digits[.digits]`, the digits, the dot and the byte after
/// them (neither a digit nor a dot nor an exponent) within eight bytes after the sign, so at
/// most seven digits, six with a dot — read from one eight-byte word: one mask finds the dot and the end, the dot is taken out with a shift and
/// the digits are combined once. `None` for anything else (or too near the end of the input
/// to read a word): [`float_by_parts`] decides. Returns `(end, value)`.
#[inline(always)]
fn short_float<const VALUES: bool>(i: &[u8]) -> Option<(usize, f32)> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let negative = i.first() == Some(&b'-');
    let start = usize::from(negative);
    let word = u64::from_le_bytes(*i.get(start..)?.first_chunk::<8>()?);
    let digits = word ^ (ONES * 0x30);
    let non_digit = (digits.wrapping_add(ONES * 0x76) | digits) & (ONES * 0x80);
    // The first byte that is not a digit (the dot or the end), and the one after it.
    let first = (non_digit.trailing_zeros() / 8) as usize;
    let second = ((non_digit & non_digit.wrapping_sub(1)).trailing_zeros() / 8) as usize;
    let byte = |k: usize| (word >> (8 * k)) as u8;
    let low_bytes = |n: usize| if n >= 8 { u64::MAX } else { (1u64 << (8 * n)) - 1 };
    let (end, combined, count, fraction) = if first < 8 && byte(first) == b'.' {
        if second >= 8 {
            return None;
        }
        // Digits after the dot move down one byte, over it.
        let combined = (digits & low_bytes(first)) | ((digits >> 8) & low_bytes(second - 1) & !low_bytes(first));
        (second, combined, second - 1, second - 1 - first)
    } else {
        (first, digits & low_bytes(first), first, 0)
    };
    if count == 0 || end >= 8 || matches!(byte(end), b'.' | b'e' | b'E') {
        return None;
    }
    if !VALUES {
        return Some((start + end, 0.0));
    }
    let v = digits_value(combined, count);
    // At most seven digits: below 2^24, so exact (see NEG_POW10_F64).
    // Through i64: one conversion instruction (v < 10^7), where u64 takes several.
    let magnitude = (v as i64 as f64 * NEG_POW10_F64[fraction]) as f32;
    Some((start + end, if negative { -magnitude } else { magnitude }))
}

/// [`float`] for any input: the integer and fraction digits found apart, else the standard
/// library.
#[inline(always)]
fn float_by_parts(i: &[u8]) -> PResult<'_, f32> {
    let negative = i.first() == Some(&b'-');
    let start = usize::from(negative || i.first() == Some(&b'+'));
    let (int_value, int_digits) = leading_digits(&i[start..]);
    let mut end = start + int_digits;
    let (mut mantissa, mut frac_digits) = (int_value, 0);
    if i.get(end) == Some(&b'.') {
        let (frac_value, n) = leading_digits(&i[end + 1..]);
        mantissa = int_value * POW10_U64[n] + frac_value;
        frac_digits = n;
        end += 1 + n;
    }
    let plain_end = !matches!(i.get(end), Some(b'0'..=b'9' | b'e' | b'E'));
    if int_digits + frac_digits > 0 && mantissa <= 1 << 24 && frac_digits < NEG_POW10_F64.len() && plain_end {
        let magnitude = (mantissa as i64 as f64 * NEG_POW10_F64[frac_digits]) as f32;
        return Ok((&i[end..], if negative { -magnitude } else { magnitude }));
    }
    float_slow(i)
}

/// Powers of ten for combining integer and fraction digits.
const POW10_U64: [u64; 9] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000];

/// The general case of [`float`]: the standard library's correctly rounded parser over the
/// longest prefix that looks like a float.
#[cold]
#[inline(never)]
fn float_slow(i: &[u8]) -> PResult<'_, f32> {
    let (rest, text) = nom::number::complete::recognize_float_or_exceptions(i)?;
    // Positions and distances are finite; `nan` or an overflow to infinity is a broken field.
    match std::str::from_utf8(text).ok().and_then(|t| t.parse::<f32>().ok()).filter(|v| v.is_finite()) {
        Some(v) => Ok((rest, v)),
        None => fail(i, ErrorKind::Float),
    }
}

/// The seed's `moving` flag: an integer, non-zero meaning moving.
#[inline(always)]
pub fn flag(i: &[u8]) -> PResult<'_, bool> {
    let (rest, v) = uint(i)?;
    Ok((rest, v != 0))
}

/// A team by ET's number (0–3) only.
#[inline(always)]
pub fn team_number(i: &[u8]) -> PResult<'_, Team> {
    let (rest, n) = uint(i)?;
    match u32::try_from(n).ok().and_then(Team::from_number) {
        Some(t) => Ok((rest, t)),
        None => fail(i, ErrorKind::Verify),
    }
}

/// A team: ET's number (0–3) or its name (`AXIS`, `ALLIES`, `SPECTATOR`, `FREE`, any case).
#[inline(always)]
pub fn team(i: &[u8]) -> PResult<'_, Team> {
    if let Ok((rest, n)) = uint(i) {
        return match u32::try_from(n).ok().and_then(Team::from_number) {
            Some(t) => Ok((rest, t)),
            None => fail(i, ErrorKind::Verify),
        };
    }
    let (rest, word) = word(i)?;
    let team = match word.to_ascii_uppercase().as_slice() {
        b"AXIS" | b"RED" => Team::Axis,
        b"ALLIES" | b"BLUE" => Team::Allies,
        b"SPECTATOR" | b"SPEC" => Team::Spectator,
        b"FREE" => Team::Free,
        _ => return fail(i, ErrorKind::Tag),
    };
    Ok((rest, team))
}

/// A client slot or world/unknown entity number (0–1023).
#[inline(always)]
pub fn client(i: &[u8]) -> PResult<'_, u16> {
    let (rest, n) = uint_as::<u16>(i)?;
    if n > 1023 { fail(i, ErrorKind::Verify) } else { Ok((rest, n)) }
}

/// A combat target: a client, or `NONE` (also `-1`, as some trackers write) for fire events.
#[inline(always)]
pub fn target(i: &[u8]) -> PResult<'_, Option<u16>> {
    if let Some(rest) = i.strip_prefix(b"NONE") {
        return Ok((rest, None));
    }
    if let Some(rest) = i.strip_prefix(b"-1")
        && !rest.first().is_some_and(u8::is_ascii_digit)
    {
        return Ok((rest, None));
    }
    client(i).map(|(rest, c)| (rest, Some(c)))
}

/// A run of non-tab bytes (possibly empty).
pub fn raw_field(i: &[u8]) -> PResult<'_, &[u8]> {
    take_till(|b| b == b'\t').parse(i)
}

/// A non-empty run of non-tab bytes.
pub fn word(i: &[u8]) -> PResult<'_, &[u8]> {
    let (rest, w) = raw_field(i)?;
    if w.is_empty() { fail(i, ErrorKind::Alpha) } else { Ok((rest, w)) }
}

/// A free-text field (a player name): UTF-8, or Latin-1 when not valid UTF-8. A stray CR
/// reads as a space, as the writer would write it.
pub fn text(i: &[u8]) -> PResult<'_, String> {
    let (rest, raw) = raw_field(i)?;
    Ok((rest, crate::text::field_safe(&crate::text::decode(raw)).into_owned()))
}

/// An engagement type: `NvM`, `NvsM`, or any other label kept as written.
pub fn engagement_type(i: &[u8]) -> PResult<'_, EngagementType> {
    let (rest, w) = word(i)?;
    Ok((rest, EngagementType::from_label(w)))
}

/// An optional field: `-` (alone in its column) means unknown, else `inner`.
#[inline(always)]
pub fn optional<'a, T>(i: &'a [u8], inner: impl FnOnce(&'a [u8]) -> PResult<'a, T>) -> PResult<'a, Option<T>> {
    if i.first() == Some(&b'-') && matches!(i.get(1), None | Some(b'\t')) {
        return Ok((&i[1..], None));
    }
    inner(i).map(|(rest, v)| (rest, Some(v)))
}

/// A superset column after the seed's: absent at the end of the line (a seed-format line or an
/// older superset), else a tab and an [`optional`] `inner`. Callers pass a closure
/// (`|i| float(i)`), not the function: called through the function item, the `FnOnce` shim was
/// not inlined and cost a quarter of a combat line's time.
#[inline(always)]
pub fn extension<'a, T>(i: &'a [u8], inner: impl FnOnce(&'a [u8]) -> PResult<'a, T>) -> PResult<'a, Option<T>> {
    if i.is_empty() {
        return Ok((i, None));
    }
    let (i, ()) = tab(i)?;
    optional(i, inner)
}

/// Three extension floats that form a position; unknown unless all three are there. Without
/// `VALUES` see [`float_as`].
#[inline(always)]
pub fn extension_vec3<const VALUES: bool>(i: &[u8]) -> PResult<'_, Option<glam::Vec3>> {
    /// [`extension`] of a [`float`], written out: through a closure it was not inlined.
    #[inline(always)]
    fn coordinate<const VALUES: bool>(i: &[u8]) -> PResult<'_, Option<f32>> {
        if i.is_empty() {
            return Ok((i, None));
        }
        let (i, ()) = tab(i)?;
        if i.first() == Some(&b'-') && matches!(i.get(1), None | Some(b'\t')) {
            return Ok((&i[1..], None));
        }
        float_as::<VALUES>(i).map(|(rest, v)| (rest, Some(v)))
    }
    let (i, x) = coordinate::<VALUES>(i)?;
    let (i, y) = coordinate::<VALUES>(i)?;
    let (i, z) = coordinate::<VALUES>(i)?;
    Ok((i, x.zip(y).zip(z).map(|((x, y), z)| glam::Vec3::new(x, y, z))))
}

/// The end of a line: nothing, or a tab and further columns a newer writer added (ignored).
#[inline(always)]
pub fn line_end(i: &[u8]) -> PResult<'_, ()> {
    match i.first() {
        None => Ok((i, ())),
        Some(b'\t') => Ok((&i[i.len()..], ())),
        _ => fail(i, ErrorKind::Eof),
    }
}

#[cfg(test)]
mod tests;
