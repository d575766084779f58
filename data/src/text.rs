//! Text as ET servers write it: names in UTF-8 or Latin-1, with `^x` colour codes.

/// Decodes bytes as UTF-8 when they are valid UTF-8, else as Latin-1 (every byte one char), so
/// that a name written by an old server still reads as its owner typed it.
pub fn decode(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

/// Removes ET colour codes the way `Q_CleanStr` does (`^` followed by any character other than
/// `^` is a code; a lone trailing `^` is kept), and control characters (a name never carries a
/// terminal escape sequence into a terminal, a log or a table).
pub fn strip_colors(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut chars = name.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_control() {
            continue;
        }
        if c == '^' {
            match chars.peek() {
                Some('^') | None => out.push(c),
                Some(_) => {
                    chars.next();
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Longest name shown (a display name, a table cell): longer ones end in `…`.
pub const DISPLAY_CHARS: usize = 64;

/// Text as it may be shown: no control characters (so no terminal escape sequences), at most
/// `max` characters (longer ends in `…`).
pub fn for_display(text: &str, max: usize) -> String {
    let mut out: String = text.chars().filter(|c| !c.is_control()).take(max.saturating_add(1)).collect();
    if out.chars().count() > max {
        out = out.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
    }
    out
}

/// Makes a name safe for a tab-separated line: tabs, CR and LF become spaces.
pub fn field_safe(name: &str) -> std::borrow::Cow<'_, str> {
    if name.contains(['\t', '\r', '\n']) { name.replace(['\t', '\r', '\n'], " ").into() } else { name.into() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_names_decode_as_utf8() {
        assert_eq!(decode("Jürgen".as_bytes()), "Jürgen");
    }

    #[test]
    fn latin1_names_decode_byte_for_byte() {
        assert_eq!(decode(b"J\xfcrgen"), "Jürgen");
    }

    #[test]
    fn colour_codes_are_stripped() {
        assert_eq!(strip_colors("^1Red^7White"), "RedWhite");
        assert_eq!(strip_colors("^^1x"), "^x");
        assert_eq!(strip_colors("trail^"), "trail^");
        assert_eq!(strip_colors("plain"), "plain");
    }

    #[test]
    fn control_characters_never_reach_a_terminal_and_long_text_is_cut() {
        assert_eq!(strip_colors("^1Fritz\x1b[31mRED\x1b]0;x\x07\u{9b}"), "Fritz[31mRED]0;x");
        assert_eq!(for_display("a\x1bb", 10), "ab");
        assert_eq!(for_display(&"x".repeat(5_000_000), 8), "xxxxxxx…");
        assert_eq!(for_display("12345678", 8), "12345678");
    }

    #[test]
    fn tabs_and_newlines_never_reach_a_field() {
        assert_eq!(field_safe("a\tb\nc"), "a b c");
    }
}
