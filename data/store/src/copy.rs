//! Rows for PostgreSQL's COPY. Text format: tab-separated, `\N` for NULL, backslash escapes for
//! backslash, tab, newline and carriage return; floats written shortest-exact, so a REAL column
//! reads back the very `f32` that was sent. Binary format (for the big positions table): the
//! server parses nothing, which is what makes the import faster than `psql \copy`.

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

/// Rows in COPY's binary format (header and trailer included by [`BinaryRows::finish`]).
#[derive(Debug)]
pub struct BinaryRows {
    buf: Vec<u8>,
    rows: usize,
}

/// Days from 1970-01-01 to PostgreSQL's epoch, 2000-01-01.
const PG_EPOCH_DAYS: i32 = 10_957;

impl BinaryRows {
    /// A buffer starting with the COPY binary header.
    pub fn new() -> Self {
        let mut buf = b"PGCOPY\n\xff\r\n\0".to_vec();
        buf.extend_from_slice(&0i32.to_be_bytes());
        buf.extend_from_slice(&0i32.to_be_bytes());
        Self { buf, rows: 0 }
    }

    /// A buffer for more rows of the same COPY (no header).
    pub fn continued() -> Self {
        Self { buf: Vec::new(), rows: 0 }
    }

    /// Starts a row of `fields` columns.
    pub fn row(&mut self, fields: i16) -> &mut Self {
        self.buf.extend_from_slice(&fields.to_be_bytes());
        self.rows += 1;
        self
    }

    fn field(&mut self, bytes: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(&(bytes.len() as i32).to_be_bytes());
        self.buf.extend_from_slice(bytes);
        self
    }

    /// A `date` column.
    pub fn date(&mut self, d: chrono::NaiveDate) -> &mut Self {
        let days =
            (d - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()).num_days() as i32 - PG_EPOCH_DAYS;
        self.field(&days.to_be_bytes())
    }

    /// An `integer` column.
    pub fn int4(&mut self, v: i32) -> &mut Self {
        self.field(&v.to_be_bytes())
    }

    /// A `bigint` column.
    pub fn int8(&mut self, v: i64) -> &mut Self {
        self.field(&v.to_be_bytes())
    }

    /// A `real` column.
    pub fn float4(&mut self, v: f32) -> &mut Self {
        self.field(&v.to_be_bytes())
    }

    /// A `smallint` column, or NULL.
    pub fn opt_int2(&mut self, v: Option<i16>) -> &mut Self {
        match v {
            Some(v) => self.field(&v.to_be_bytes()),
            None => {
                self.buf.extend_from_slice(&(-1i32).to_be_bytes());
                self
            }
        }
    }

    /// Rows so far.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The bytes so far.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Appends the trailer that ends the COPY data.
    pub fn finish(&mut self) {
        self.buf.extend_from_slice(&(-1i16).to_be_bytes());
    }
}

impl Default for BinaryRows {
    fn default() -> Self {
        Self::new()
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

    #[test]
    fn binary_rows_have_the_header_big_endian_fields_and_the_trailer() {
        let mut rows = BinaryRows::new();
        rows.row(3).date(chrono::NaiveDate::from_ymd_opt(2000, 1, 2).expect("date")).float4(1.5).opt_int2(None);
        rows.finish();
        let mut want = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0".to_vec();
        want.extend_from_slice(&[
            0, 3, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 4, 0x3f, 0xc0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        ]);
        assert_eq!(rows.as_bytes(), &want[..]);
    }
}
