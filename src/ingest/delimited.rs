//! CSV / TSV / TXT: delimiter sniffing and a streaming row reader.

use super::RawRow;
use crate::model::cell::Cell;
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
/// `\n`, `\r\n` and a bare `\r` (old Mac exports) all end a line.
fn logical_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut in_quotes = false;
        let bytes = rest.as_bytes();
        let (mut end, mut next) = (bytes.len(), bytes.len());
        for (i, &b) in bytes.iter().enumerate() {
            match b {
                b'"' => in_quotes = !in_quotes,
                b'\n' | b'\r' if !in_quotes => {
                    end = i;
                    next = if b == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                        i + 2
                    } else {
                        i + 1
                    };
                    break;
                }
                _ => {}
            }
        }
        let line = &rest[..end];
        rest = &rest[next..];
        Some(line)
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

/// Records of a decoded text, numbered by the line each starts on. Every
/// physical line ends up in a row (or is blank): a quote left open to the end of
/// the file would swallow the rest into one cell, so that record is rejected at
/// the line where the quote opened and reading goes on with the next line.
pub struct DelimitedRows {
    reader: csv::Reader<Cursor<Vec<u8>>>,
    record: csv::StringRecord,
    delimiter: u8,
    /// Line breaks are counted up to this byte offset; it starts this 1-based line.
    counted: (usize, u64),
}

impl DelimitedRows {
    pub fn new(text: String, delimiter: u8) -> Self {
        DelimitedRows {
            reader: builder(delimiter).from_reader(Cursor::new(text.into_bytes())),
            record: csv::StringRecord::new(),
            delimiter,
            counted: (0, 1),
        }
    }

    fn data(&self) -> &[u8] {
        self.reader.get_ref().get_ref()
    }

    /// The line a byte offset is on. Offsets only move forward, so the whole
    /// file is counted once. `\r\n`, `\n` and a bare `\r` each end a line.
    fn line_at(&mut self, offset: usize) -> u64 {
        let (from, mut line) = self.counted;
        let data = self.reader.get_ref().get_ref();
        let offset = offset.min(data.len());
        for i in from..offset {
            match data[i] {
                b'\r' => line += 1,
                b'\n' if i == 0 || data[i - 1] != b'\r' => line += 1,
                _ => {}
            }
        }
        if offset > from {
            self.counted = (offset, line);
        }
        line
    }

    /// The csv crate dates a record from before the blank lines it skipped.
    fn record_start(&self, byte: u64) -> usize {
        let data = self.data();
        let mut i = byte as usize;
        while matches!(data.get(i), Some(b'\r' | b'\n')) {
            i += 1;
        }
        i
    }

    /// A record that runs to the end of the file with a quote still open: the
    /// row of the line the quote opened on, rejected; reading resumes after it.
    fn unclosed_quote(&mut self, start: usize, number: u64) -> Option<RawRow> {
        let data = self.data();
        let open = open_quote_at_end(&data[start..], self.delimiter)? + start;
        let brk = data[open..]
            .iter()
            .position(|b| matches!(b, b'\r' | b'\n'))
            .map_or(data.len(), |i| open + i);
        let resume = if data[brk..].starts_with(b"\r\n") {
            brk + 2
        } else {
            (brk + 1).min(data.len())
        };
        let mut prefix = builder(self.delimiter).from_reader(&data[start..brk]);
        let mut cells = csv::StringRecord::new();
        let _ = prefix.read_record(&mut cells);
        let cells: Vec<Cell> = cells.iter().map(to_cell).collect();
        let column = data[..open]
            .iter()
            .rev()
            .take_while(|b| !matches!(b, b'\r' | b'\n'))
            .filter(|&&b| b == self.delimiter)
            .count()
            + 1;
        let quote_line = self.line_at(open);
        let mut pos = csv::Position::new();
        pos.set_byte(resume as u64);
        if self.reader.seek(pos).is_err() {
            return None;
        }
        Some(RawRow {
            number,
            cells,
            problem: Some(format!(
                "a quote opened in column {column} on line {quote_line} is never closed: it would take the rest of the file into one cell; close or remove it"
            )),
        })
    }
}

fn builder(delimiter: u8) -> csv::ReaderBuilder {
    let mut b = csv::ReaderBuilder::new();
    b.has_headers(false).flexible(true).delimiter(delimiter);
    b
}

fn to_cell(v: &str) -> Cell {
    if v.is_empty() {
        Cell::EMPTY
    } else {
        Cell::Text(v.to_string())
    }
}

/// Where the quote still open at the end of `data` was opened, reading it as
/// the csv crate does: a quote opens only at the start of a field, `""` inside
/// quotes is a literal quote.
fn open_quote_at_end(data: &[u8], delimiter: u8) -> Option<usize> {
    #[derive(Clone, Copy, PartialEq)]
    enum S {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let mut state = S::FieldStart;
    let mut opened = 0;
    for (i, &b) in data.iter().enumerate() {
        let ends_field = b == delimiter || b == b'\r' || b == b'\n';
        state = match state {
            S::FieldStart if b == b'"' => {
                opened = i;
                S::Quoted
            }
            S::FieldStart | S::Unquoted | S::QuoteInQuoted if ends_field => S::FieldStart,
            S::FieldStart | S::Unquoted => S::Unquoted,
            S::Quoted if b == b'"' => S::QuoteInQuoted,
            S::Quoted => S::Quoted,
            S::QuoteInQuoted if b == b'"' => S::Quoted,
            S::QuoteInQuoted => S::Unquoted,
        };
    }
    (state == S::Quoted).then_some(opened)
}

impl Iterator for DelimitedRows {
    type Item = RawRow;

    fn next(&mut self) -> Option<RawRow> {
        let before = self.reader.position().byte();
        match self.reader.read_record(&mut self.record) {
            Ok(false) => None,
            Ok(true) => {
                let start = self.record_start(self.record.position().map_or(before, |p| p.byte()));
                let number = self.line_at(start);
                if self.reader.position().byte() as usize >= self.data().len()
                    && let Some(row) = self.unclosed_quote(start, number)
                {
                    return Some(row);
                }
                let mut problem = None;
                let cells = self
                    .record
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        // Undecodable bytes (U+FFFD) stay in their cells: the stage
                        // flags those cells and keeps the row. A NUL is binary data.
                        if problem.is_none() && v.contains('\0') {
                            problem = Some(format!(
                                "column {}: a NUL byte (binary data inside a text file): remove it or export the file again",
                                i + 1
                            ));
                        }
                        to_cell(v)
                    })
                    .collect();
                Some(RawRow {
                    number,
                    cells,
                    problem,
                })
            }
            Err(e) => {
                let number = self.line_at(before as usize);
                Some(RawRow {
                    number,
                    cells: Vec::new(),
                    problem: Some(format!("unreadable record: {e}")),
                })
            }
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
    fn a_quote_left_open_rejects_its_row_and_keeps_the_rest() {
        let text = "id,name,inn\n1,\"ООО Ромашка,7707083893\n2,АО Лютик,7702070139\n3,ЗАО Бета,7736050003\n";
        let rows: Vec<RawRow> = DelimitedRows::new(text.into(), b',').collect();
        assert_eq!(rows.len(), 4, "{rows:?}");
        assert_eq!(rows[1].number, 2);
        let why = rows[1].problem.as_deref().unwrap();
        assert!(why.contains("line 2") && why.contains("column 2"), "{why}");
        assert_eq!(rows[1].cells[0], Cell::Text("1".into()));
        assert_eq!(
            rows[2..].iter().map(|r| r.number).collect::<Vec<_>>(),
            [3, 4]
        );
        assert!(rows[2..].iter().all(|r| r.problem.is_none()));
        assert_eq!(rows[3].cells[1], Cell::Text("ЗАО Бета".into()));
    }

    #[test]
    fn a_quote_opened_on_a_later_line_of_a_record_is_found() {
        let text = "a,b,c\n\"x\ny\",\"open\nz,1,2\n";
        let rows: Vec<RawRow> = DelimitedRows::new(text.into(), b',').collect();
        assert_eq!(rows.len(), 3, "{rows:?}");
        assert!(rows[1].problem.as_deref().unwrap().contains("line 3"));
        assert_eq!(rows[1].number, 2);
        assert_eq!(rows[2].number, 4);
        assert_eq!(rows[2].cells[0], Cell::Text("z".into()));
    }

    #[test]
    fn bare_cr_line_endings_number_rows_by_line() {
        for eol in ["\r", "\n", "\r\n"] {
            let text = ["a;b", "1;2", "", "3;4", "5;6"].join(eol) + eol;
            let rows: Vec<RawRow> = DelimitedRows::new(text, b';').collect();
            let numbers: Vec<u64> = rows.iter().map(|r| r.number).collect();
            assert_eq!(numbers, [1, 2, 4, 5], "{eol:?}");
            assert_eq!(sniff_delimiter(&(["a;b", "1;2", "3;4"].join(eol))), b';');
        }
    }

    #[test]
    fn a_nul_byte_rejects_its_row() {
        let rows: Vec<RawRow> = DelimitedRows::new("a,b\nok,x\0y\nz,w\n".into(), b',').collect();
        assert_eq!(rows.len(), 3);
        assert!(rows[1].problem.as_deref().unwrap().contains("NUL"));
        assert!(rows[2].problem.is_none());
    }

    #[test]
    fn binary_is_not_text() {
        assert!(!looks_like_text("\0\u{1}\u{2}\u{FFFD}\u{FFFD}abc"));
        assert!(looks_like_text("a,b\n1,2\n"));
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        /// Lines as an editor shows them: split at `\r\n`, `\n` or a bare `\r`.
        fn physical_lines(text: &str) -> Vec<&str> {
            let mut out = Vec::new();
            let mut rest = text;
            while !rest.is_empty() {
                let end = rest.find(['\r', '\n']).unwrap_or(rest.len());
                out.push(&rest[..end]);
                let skip = if rest[end..].starts_with("\r\n") {
                    2
                } else {
                    1
                };
                rest = &rest[(end + skip).min(rest.len())..];
            }
            out
        }

        fn breaks(cell: &str) -> usize {
            cell.matches('\r').count() + cell.matches('\n').count() - cell.matches("\r\n").count()
        }

        fn check_accounting(rows: &[RawRow], lines: &[&str]) -> Result<(), TestCaseError> {
            let mut next = 1u64;
            for r in rows {
                prop_assert!(r.number >= next, "row {} overlaps the one before", r.number);
                for skipped in next..r.number {
                    prop_assert_eq!(lines[skipped as usize - 1], "", "line {} lost", skipped);
                }
                let span: usize = r.cells.iter().map(|c| breaks(&c.to_text())).sum();
                next = r.number + span as u64 + 1;
            }
            prop_assert!(next as usize <= lines.len() + 1);
            for skipped in next as usize..=lines.len() {
                prop_assert_eq!(lines[skipped - 1], "", "line {} lost", skipped);
            }
            Ok(())
        }

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

            /// Every physical line of any byte string is a row, a line inside a
            /// row's quoted cell, or empty: nothing is swallowed, no two rows
            /// share a number.
            #[test]
            fn every_physical_line_is_accounted_for(
                bytes in prop::collection::vec(
                    prop::sample::select(b"ab1 ,;\t\"\r\n\0\xff".to_vec()),
                    0..300,
                ),
                d in prop::sample::select(CANDIDATES.to_vec()),
            ) {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                let lines = physical_lines(&text);
                let rows: Vec<RawRow> = DelimitedRows::new(text.clone(), d).collect();
                check_accounting(&rows, &lines)?;
            }

            /// The header finder hands on every row after the header, and the
            /// rows above it are the header row's predecessors: none is lost.
            #[test]
            fn the_header_finder_loses_no_row(
                bytes in prop::collection::vec(
                    prop::sample::select(b"ab1 ,;\"\r\n\0".to_vec()),
                    0..300,
                ),
                d in prop::sample::select(CANDIDATES.to_vec()),
                forced in prop::option::of(1usize..6),
            ) {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                let all: Vec<RawRow> = DelimitedRows::new(text.clone(), d).collect();
                let profiles = crate::ingest::profiles::ProfileSet::builtin().unwrap();
                let rows = Box::new(DelimitedRows::new(text, d));
                if let Ok(found) = crate::ingest::locate_header(
                    rows,
                    &crate::config::ReadOptions { header_row: forced, ..Default::default() },
                    &profiles,
                    0,
                    false,
                ) {
                    let above = all.iter().take_while(|r| r.number < found.header.number).count();
                    let after: Vec<RawRow> = found.rows.collect();
                    prop_assert_eq!(&all[above], &found.header);
                    prop_assert_eq!(above + 1 + after.len(), all.len());
                    prop_assert_eq!(&all[above + 1..], &after[..]);
                }
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
