//! Text as ET servers write it: names in UTF-8 or Latin-1, with `^x` colour codes.

/// Decodes bytes as UTF-8 when they are valid UTF-8, else as Latin-1 (every byte one char), so
/// that a name written by an old server still reads as its owner typed it.
pub fn decode(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

/// Removes ET colour codes the way `Q_CleanStr` does: `^` followed by any character other than
/// `^` is a code; a lone trailing `^` is kept.
pub fn strip_colors(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut chars = name.chars().peekable();
    while let Some(c) = chars.next() {
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
    fn tabs_and_newlines_never_reach_a_field() {
        assert_eq!(field_safe("a\tb\nc"), "a b c");
    }
}
