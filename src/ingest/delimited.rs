//! CSV / TSV / TXT: delimiter sniffing and a streaming row reader.

use super::RawRow;
use super::cell::Cell;
use std::io::Cursor;

/// Candidate delimiters, in tie-break order: tab and `;` rarely occur inside
/// values, `,` often does (addresses, "ACME, Inc.").
pub const CANDIDATES: [u8; 4] = [b'\t', b';', b',', b'|'];

/// Pick the delimiter whose per-line count (outside quotes) is most consistent
/// over the first lines. Title lines above the header simply disagree.
pub fn sniff_delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = logical_lines(text).take(100).collect();
    let mut best = (0usize, b',');
    for &d in &CANDIDATES {
        let counts: Vec<usize> = lines
            .iter()
            .map(|l| count_outside_quotes(l, d))
            .filter(|&c| c > 0)
            .collect();
        let Some(mode) = mode(&counts) else { continue };
        let agreeing = counts.iter().filter(|&&c| c == mode).count();
        // Lines that agree, weighted a little by how many columns they make.
        let score = agreeing * 4 + mode.min(8);
        if score > best.0 {
            best = (score, d);
        }
    }
    best.1
}

/// Lines joined across quoted newlines, so a multi-line address counts once.
fn logical_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut in_quotes = false;
        let bytes = rest.as_bytes();
        let mut end = bytes.len();
        for (i, &b) in bytes.iter().enumerate() {
            match b {
                b'"' => in_quotes = !in_quotes,
                b'\n' if !in_quotes => {
                    end = i;
                    break;
                }
                _ => {}
            }
        }
        let line = &rest[..end];
        rest = if end < bytes.len() {
            &rest[end + 1..]
        } else {
            ""
        };
        Some(line.trim_end_matches('\r'))
    })
}

fn count_outside_quotes(line: &str, d: u8) -> usize {
    let mut in_quotes = false;
    let mut n = 0;
    for &b in line.as_bytes() {
        if b == b'"' {
            in_quotes = !in_quotes;
        } else if b == d && !in_quotes {
            n += 1;
        }
    }
    n
}

fn mode(values: &[usize]) -> Option<usize> {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let mut best: Option<(usize, usize)> = None;
    for chunk in sorted.chunk_by(|a, b| a == b) {
        if best.is_none_or(|(_, n)| chunk.len() > n) {
            best = Some((chunk[0], chunk.len()));
        }
    }
    best.map(|(v, _)| v)
}

/// Does the decoded text look like a table at all? Binary files decode to
/// control characters and replacement marks.
pub fn looks_like_text(text: &str) -> bool {
    let mut total = 0usize;
    let mut bad = 0usize;
    for c in text.chars().take(65_536) {
        total += 1;
        if c == '\u{FFFD}' || c == '\0' || (c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
            bad += 1;
        }
    }
    total > 0 && bad * 50 <= total
}

/// Records of a decoded text, numbered by the line each starts on.
pub struct DelimitedRows {
    reader: csv::Reader<Cursor<Vec<u8>>>,
    record: csv::StringRecord,
}

impl DelimitedRows {
    pub fn new(text: String, delimiter: u8) -> Self {
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(Cursor::new(text.into_bytes()));
        DelimitedRows {
            reader,
            record: csv::StringRecord::new(),
        }
    }
}

impl DelimitedRows {
    /// The csv crate dates a record from before the blank lines it skipped;
    /// count them so row numbers match what the user sees in an editor.
    fn first_line(&self, pos: &csv::Position) -> u64 {
        let data = self.reader.get_ref().get_ref();
        let mut line = pos.line();
        let mut i = pos.byte() as usize;
        while let Some(&b) = data.get(i) {
            match b {
                b'\n' => line += 1,
                b'\r' => {}
                _ => break,
            }
            i += 1;
        }
        line
    }
}

impl Iterator for DelimitedRows {
    type Item = RawRow;

    fn next(&mut self) -> Option<RawRow> {
        let line = self.reader.position().line();
        match self.reader.read_record(&mut self.record) {
            Ok(false) => None,
            Ok(true) => {
                let number = self.record.position().map_or(line, |p| self.first_line(p));
                // Undecodable bytes (U+FFFD) stay in their cells: the stage flags
                // those cells and keeps the row.
                let cells = self
                    .record
                    .iter()
                    .map(|v| {
                        if v.is_empty() {
                            Cell::EMPTY
                        } else {
                            Cell::Text(v.to_string())
                        }
                    })
                    .collect();
                Some(RawRow {
                    number,
                    cells,
                    problem: None,
                })
            }
            Err(e) => Some(RawRow {
                number: line,
                cells: Vec::new(),
                problem: Some(format!("unreadable record: {e}")),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_common_delimiters() {
        assert_eq!(sniff_delimiter("a;b;c\n1;2;3\n4;5;6\n"), b';');
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3\n"), b',');
        assert_eq!(sniff_delimiter("a\tb\tc\n1\t2,5\t3\n"), b'\t');
        assert_eq!(sniff_delimiter("a|b|c\n1|2|3\n"), b'|');
    }

    #[test]
    fn sniffing_ignores_commas_in_quotes_and_title_lines() {
        let text = "Контрагенты, выгрузка от 01.03.2026\n\nНаименование;ИНН;Адрес\n\"ООО Ромашка\";7707083893;\"Москва, ул. Ленина, 1\"\nАО Лютик;7702070139;\"Тверь, пр. Мира, 2\"\n";
        assert_eq!(sniff_delimiter(text), b';');
    }

    #[test]
    fn rows_keep_quoted_newlines_and_line_numbers() {
        let rows: Vec<RawRow> =
            DelimitedRows::new("a,b\n\"x\ny\",2\nz,3\n\r\n\nw,4\n".into(), b',').collect();
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[1].cells[0], Cell::Text("x\ny".into()));
        assert_eq!(rows[1].number, 2);
        assert_eq!(rows[2].number, 4);
        assert_eq!(rows[3].number, 7, "blank lines are counted");
    }

    #[test]
    fn undecodable_cells_are_kept_for_the_stage_to_flag() {
        let rows: Vec<RawRow> = DelimitedRows::new("a,b\nok,bad\u{FFFD}\n".into(), b',').collect();
        assert!(rows.iter().all(|r| r.problem.is_none()));
        assert_eq!(rows[1].cells[1], Cell::Text("bad\u{FFFD}".into()));
    }

    #[test]
    fn binary_is_not_text() {
        assert!(!looks_like_text("\0\u{1}\u{2}\u{FFFD}\u{FFFD}abc"));
        assert!(looks_like_text("a,b\n1,2\n"));
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        fn grid() -> impl Strategy<Value = (Vec<Vec<String>>, u8)> {
            (
                2usize..6,
                2usize..8,
                prop::sample::select(CANDIDATES.to_vec()),
            )
                .prop_flat_map(|(cols, rows, d)| {
                    (
                        prop::collection::vec(
                            prop::collection::vec("[a-zA-Zа-яА-Я0-9 ,;|\"\n]{1,12}", cols),
                            rows,
                        ),
                        Just(d),
                    )
                })
        }

        proptest! {
            /// Whatever a CSV writer produces, the reader gives back cell for cell.
            #[test]
            fn written_tables_read_back((rows, d) in grid()) {
                let mut w = csv::WriterBuilder::new().delimiter(d).from_writer(Vec::new());
                for r in &rows {
                    w.write_record(r).unwrap();
                }
                let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
                let back: Vec<Vec<String>> = DelimitedRows::new(text, d)
                    .map(|r| r.cells.iter().map(Cell::to_text).collect())
                    .collect();
                let expect: Vec<Vec<String>> = rows.iter().filter(|r| r.iter().any(|c| !c.is_empty())).cloned().collect();
                prop_assert_eq!(back, expect);
            }

            /// Plain tables of three or more columns: the sniffer finds the delimiter.
            #[test]
            fn sniffs_the_delimiter_of_plain_tables(
                rows in prop::collection::vec(prop::collection::vec("[a-z0-9]{1,8}", 3..6), 3..10),
                d in prop::sample::select(CANDIDATES.to_vec()),
            ) {
                let width = rows[0].len();
                let text: String = rows
                    .iter()
                    .map(|r| {
                        let mut r = r.clone();
                        r.resize(width, "x".into());
                        r.join(&(d as char).to_string()) + "\n"
                    })
                    .collect();
                prop_assert_eq!(sniff_delimiter(&text), d);
            }

            /// Arbitrary text never panics the sniffer, the reader or the text check.
            #[test]
            fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
                let d = sniff_delimiter(&text);
                let _ = looks_like_text(&text);
                let _ = DelimitedRows::new(text, d).count();
            }
        }
    }
}
