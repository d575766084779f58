//! Plain-text tables for the terminal: columns sized to their widest cell, numbers right-aligned.

use std::io::{self, Write};

/// Column alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Text.
    Left,
    /// Numbers.
    Right,
}

/// A table being built.
#[derive(Debug, Default)]
pub struct Table {
    header: Vec<(String, Align)>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these columns.
    pub fn new(columns: &[(&str, Align)]) -> Self {
        Self { header: columns.iter().map(|(n, a)| ((*n).to_owned(), *a)).collect(), rows: Vec::new() }
    }

    /// Adds a row (missing cells are blank).
    pub fn row(&mut self, cells: Vec<String>) {
        // What a file says never reaches the terminal raw, nor blows up the columns.
        let shown = |c: String| {
            if c.chars().count() <= proxviz_data::text::DISPLAY_CHARS && !c.chars().any(char::is_control) {
                c
            } else {
                proxviz_data::text::for_display(&c, proxviz_data::text::DISPLAY_CHARS)
            }
        };
        self.rows.push(cells.into_iter().map(shown).collect());
    }

    /// Writes the header, a rule and the rows.
    pub fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        let widths: Vec<usize> = (0..self.header.len())
            .map(|c| {
                let cells = self.rows.iter().filter_map(|r| r.get(c)).map(|s| s.chars().count());
                cells.chain([self.header[c].0.chars().count()]).max().unwrap_or(0)
            })
            .collect();
        let line = |cells: &mut dyn Iterator<Item = &str>| -> String {
            let parts: Vec<String> = cells
                .zip(&self.header)
                .zip(&widths)
                .map(|((cell, (_, align)), &w)| match align {
                    Align::Left => format!("{cell:<w$}"),
                    Align::Right => format!("{cell:>w$}"),
                })
                .collect();
            parts.join("  ").trim_end().to_owned()
        };
        writeln!(out, "{}", line(&mut self.header.iter().map(|(n, _)| n.as_str())))?;
        writeln!(out, "{}", widths.iter().map(|&w| "-".repeat(w)).collect::<Vec<_>>().join("  "))?;
        for row in &self.rows {
            let mut cells = row.iter().map(String::as_str).chain(std::iter::repeat(""));
            writeln!(out, "{}", line(&mut cells))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_fit_their_widest_cell_and_numbers_align_right() {
        let mut t = Table::new(&[("map", Align::Left), ("kills", Align::Right)]);
        t.row(vec!["supply".into(), "7".into()]);
        t.row(vec!["Jürgen's".into(), "120".into()]);
        let mut out = Vec::new();
        t.write(&mut out).expect("writes");
        assert_eq!(
            String::from_utf8(out).expect("utf8"),
            "map       kills\n--------  -----\nsupply        7\nJürgen's    120\n"
        );
    }
}
