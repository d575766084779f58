//! The grammar's pieces against the standard library's parsers and hand-picked edge cases.

use super::*;

#[test]
fn uint_reads_digits_and_stops_at_the_tab() {
    assert_eq!(uint(b"1234\tx"), Ok((&b"\tx"[..], 1234)));
    assert!(uint(b"x").is_err());
    assert!(uint(b"99999999999999999999999").is_err());
}

#[test]
fn uint_agrees_with_the_standard_parser_at_every_length() {
    let digits = "98765432109876543210123";
    for len in 1..=digits.len() {
        for tail in ["", "\t7", "x", "\n"] {
            let text = format!("{}{tail}", &digits[..len]);
            let want = digits[..len].parse::<u64>().ok();
            let got = uint(text.as_bytes()).ok();
            assert_eq!(got.map(|(_, v)| v), want, "{text:?}");
            if let Some((rest, _)) = got {
                assert_eq!(rest, tail.as_bytes(), "{text:?}");
            }
        }
    }
    assert!(uint(b"18446744073709551615").is_ok());
    assert!(uint(b"18446744073709551616").is_err());
    assert!(uint(b"\t1").is_err() && uint(b"").is_err());
}

#[test]
fn int_reads_signs_and_checks_range() {
    assert_eq!(int(b"-42"), Ok((&b""[..], -42)));
    assert_eq!(int(b"+7"), Ok((&b""[..], 7)));
    assert_eq!(int(b"-9223372036854775808").map(|r| r.1), Ok(i64::MIN));
    assert!(int(b"9223372036854775808").is_err());
    assert!(int_as::<i16>(b"40000").is_err());
}

#[test]
fn float_fast_path_is_exact_for_tracker_style_numbers() {
    for text in ["1234.5", "-0.1", "0", "5678.9", "-3071.875", "16777216", "0.0000001", "359.99"] {
        let expected: f32 = text.parse().expect("valid float");
        assert_eq!(float(text.as_bytes()).map(|r| r.1), Ok(expected), "{text}");
    }
}

#[test]
fn a_float_only_checked_is_taken_where_it_is_read() {
    let texts = [
        "1234.5",
        "-0.1",
        "0",
        "16777216",
        "0.0000001",
        "1e3",
        "123456789.123",
        "nan",
        "abc",
        "-",
        ".",
        "1..2",
        "12345678",
        "1234567.8\t",
        "-1.5\t2",
        "9.99999999",
        "7",
        "-7.",
        ".5",
        "1.5e2",
        "+1",
        "-0.0",
    ];
    // Alone (too short for the eight-byte read) and inside a line (read eight bytes at once).
    let mut light = 0;
    for text in texts.iter().flat_map(|t| [t.to_string(), format!("{t}\t0\t0\t0"), format!("{t}x\t12345")]) {
        let read = float(text.as_bytes()).map(|(rest, _)| rest);
        let checked = float_as::<false>(text.as_bytes());
        assert_eq!(checked.as_ref().map(|(rest, _)| *rest).map_err(|_| ()), read.map_err(|_| ()), "{text}");
        light += usize::from(matches!(checked, Ok((_, v)) if v == 0.0) && !text.starts_with(['0', '-']));
    }
    assert!(light >= 4, "{light} numbers only checked");
}

#[test]
fn float_falls_back_to_the_standard_parser_for_everything_else() {
    for text in ["1e3", "123456789.123", "3.4028235e38", "340282350000000000000000000000000000000", "16777217.5"] {
        let expected: f32 = text.parse().expect("valid float");
        assert_eq!(float(text.as_bytes()).map(|r| r.1), Ok(expected), "{text}");
    }
    assert!(float(b"nan").is_err(), "not a finite number");
    assert!(float(b"1e39").is_err(), "overflows f32");
    assert!(float(b"abc").is_err());
    assert!(float(b"-").is_err());
    assert!(float(b".").is_err());
}

#[test]
fn float_reads_every_digit_count_around_the_eight_byte_chunks() {
    for text in [
        "7",
        "12345678",
        "123456789",
        "1.2345678",
        "12345678.5",
        "0.12345678",
        "1234567.8\t",
        "-1.5\t2\t3\t4\t5",
        "9.99999999",
    ] {
        let field = text.split('\t').next().unwrap_or(text);
        let expected: f32 = field.parse().expect("valid float");
        let (rest, v) = float(text.as_bytes()).expect("parses");
        assert_eq!(v, expected, "{text}");
        assert_eq!(rest.len(), text.len() - field.len(), "{text}");
    }
}

#[test]
fn the_fast_path_agrees_with_the_standard_parser_on_every_mantissa_edge() {
    for k in 0..=8u32 {
        for m in (0..2000u32)
            .chain((1 << 24) - 2000..=1 << 24)
            .chain((0..4000u32).map(|i| i.wrapping_mul(2_654_435_761) >> 8))
        {
            let digits = format!("{m:0>width$}", width = k as usize + 1);
            let text = format!("{}.{}", &digits[..digits.len() - k as usize], &digits[digits.len() - k as usize..]);
            let expected: f32 = text.parse().expect("valid");
            assert_eq!(float(text.as_bytes()).map(|r| r.1), Ok(expected), "{text}");
        }
    }
}

#[test]
fn the_one_word_fast_path_agrees_with_the_parts_on_every_short_field() {
    // Every string of up to 9 bytes over digits, dot, signs, exponent, tab and a letter,
    // then padding so that the word can be read.
    let alphabet = b"05.-e\tx+9";
    let mut checked = 0;
    for len in 0..=7u32 {
        for mut n in 0..(alphabet.len() as u64).pow(len) {
            let mut field = Vec::new();
            for _ in 0..len {
                field.push(alphabet[(n % alphabet.len() as u64) as usize]);
                n /= alphabet.len() as u64;
            }
            for tail in [&b"\t12345678"[..], b"", b"7", b"e5\t00000000", b".5\t0000000000"] {
                let text = [&field[..], tail].concat();
                let (fast, parts) = (float(&text), float_by_parts(&text));
                let as_bits = |r: PResult<'_, f32>| r.ok().map(|(rest, v)| (rest.len(), v.to_bits()));
                assert_eq!(as_bits(fast), as_bits(parts), "{:?}", String::from_utf8_lossy(&text));
                checked += 1;
            }
        }
    }
    assert!(checked > 10_000_000 / 2, "{checked}");
}

#[test]
fn float_stops_at_the_field_end() {
    assert_eq!(float(b"12.5\t3"), Ok((&b"\t3"[..], 12.5)));
}

#[test]
fn flags_are_zero_or_not() {
    assert_eq!(flag(b"0").map(|r| r.1), Ok(false));
    assert_eq!(flag(b"1").map(|r| r.1), Ok(true));
}

#[test]
fn teams_read_numbers_and_names() {
    assert_eq!(team(b"1").map(|r| r.1), Ok(Team::Axis));
    assert_eq!(team(b"allies").map(|r| r.1), Ok(Team::Allies));
    assert_eq!(team(b"AXIS\t").map(|r| r.1), Ok(Team::Axis));
    assert!(team(b"7").is_err());
    assert!(team(b"PURPLE").is_err());
}

#[test]
fn targets_read_none_minus_one_and_clients() {
    assert_eq!(target(b"NONE").map(|r| r.1), Ok(None));
    assert_eq!(target(b"-1\t").map(|r| r.1), Ok(None));
    assert_eq!(target(b"12").map(|r| r.1), Ok(Some(12)));
    assert_eq!(target(b"1022").map(|r| r.1), Ok(Some(1022)));
    assert!(target(b"5000").is_err());
}

#[test]
fn text_decodes_latin1_and_stops_at_the_tab() {
    assert_eq!(text(b"J\xfcrgen\tx"), Ok((&b"\tx"[..], "Jürgen".to_owned())));
    assert_eq!(text(b""), Ok((&b""[..], String::new())));
}

#[test]
fn engagement_types_accept_v_and_vs() {
    assert_eq!(EngagementType::from_label(b"2v1"), EngagementType::versus(2, 1));
    assert_eq!(EngagementType::from_label(b"2vs2"), EngagementType::versus(2, 2));
    assert_eq!(EngagementType::from_label(b"3V1"), EngagementType::versus(3, 1));
    assert_eq!(EngagementType::from_label(b"SNIPED"), EngagementType::Other("SNIPED".into()));
    assert_eq!(EngagementType::from_label(b"2v"), EngagementType::Other("2v".into()));
}

#[test]
fn optional_reads_a_lone_dash_as_unknown() {
    assert_eq!(optional(b"-\t1", float), Ok((&b"\t1"[..], None)));
    assert_eq!(optional(b"-1.5", float), Ok((&b""[..], Some(-1.5))));
}

#[test]
fn extension_columns_may_be_absent_at_the_line_end() {
    assert_eq!(extension(b"", uint), Ok((&b""[..], None)));
    assert_eq!(extension(b"\t7", uint), Ok((&b""[..], Some(7))));
    assert_eq!(extension(b"\t-", uint), Ok((&b""[..], None)));
    assert!(extension(b"x", uint).is_err());
}

#[test]
fn a_vec3_needs_all_three_floats() {
    assert_eq!(extension_vec3::<true>(b"\t1\t2\t3").map(|r| r.1), Ok(Some(glam::Vec3::new(1.0, 2.0, 3.0))));
    assert_eq!(extension_vec3::<true>(b"\t1\t2").map(|r| r.1), Ok(None));
    assert_eq!(extension_vec3::<true>(b"").map(|r| r.1), Ok(None));
}

#[test]
fn line_end_ignores_columns_added_by_newer_writers() {
    assert!(line_end(b"").is_ok());
    assert!(line_end(b"\tfuture\tcolumns").is_ok());
    assert!(line_end(b"junk").is_err());
}
