//! Rows in PostgreSQL's COPY text format: tab-separated, `\N` for NULL, backslash escapes for
//! backslash, tab, newline and carriage return. Floats are written shortest-exact, so a REAL
//! column reads back the very `f32` that was sent.

use std::fmt::Write as _;

/// A buffer of COPY rows.
#[derive(Debug, Default)]
pub struct CopyRows {
    buf: String,
    at_row_start: bool,
    rows: usize,
}

impl CopyRows {
    /// An empty buffer.
    pub fn new() -> Self {
        Self { buf: String::new(), at_row_start: true, rows: 0 }
    }

    fn sep(&mut self) {
        if !self.at_row_start {
            self.buf.push('\t');
        }
        self.at_row_start = false;
    }

    /// An integer column.
    pub fn int(&mut self, v: impl Into<i64>) -> &mut Self {
        self.sep();
        let _ = write!(self.buf, "{}", v.into());
        self
    }

    /// A REAL column.
    pub fn real(&mut self, v: f32) -> &mut Self {
        self.sep();
        let _ = write!(self.buf, "{v}");
        self
    }

    /// A text (or date) column.
    pub fn text(&mut self, v: &str) -> &mut Self {
        self.sep();
        for c in v.chars() {
            match c {
                '\\' => self.buf.push_str("\\\\"),
                '\t' => self.buf.push_str("\\t"),
                '\n' => self.buf.push_str("\\n"),
                '\r' => self.buf.push_str("\\r"),
                c => self.buf.push(c),
            }
        }
        self
    }

    /// NULL.
    pub fn null(&mut self) -> &mut Self {
        self.sep();
        self.buf.push_str("\\N");
        self
    }

    /// An optional integer.
    pub fn opt_int(&mut self, v: Option<impl Into<i64>>) -> &mut Self {
        match v {
            Some(v) => self.int(v),
            None => self.null(),
        }
    }

    /// An optional REAL.
    pub fn opt_real(&mut self, v: Option<f32>) -> &mut Self {
        match v {
            Some(v) => self.real(v),
            None => self.null(),
        }
    }

    /// Ends the row.
    pub fn end(&mut self) {
        self.buf.push('\n');
        self.at_row_start = true;
        self.rows += 1;
    }

    /// Rows so far.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The encoded bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.buf.as_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_tab_separated_with_escapes_and_nulls() {
        let mut rows = CopyRows::new();
        rows.int(3).real(1234.5).text("a\tb\\c\nd").null().opt_int(Some(7u16)).opt_real(None);
        rows.end();
        rows.text("2025-12-20").real(0.1);
        rows.end();
        assert_eq!(
            std::str::from_utf8(rows.as_bytes()).expect("utf8"),
            "3\t1234.5\ta\\tb\\\\c\\nd\t\\N\t7\t\\N\n2025-12-20\t0.1\n"
        );
        assert_eq!(rows.rows(), 2);
    }
}
