//! Finding the header row under report titles (1C and Yayoi print them), and
//! naming columns whose header is empty or repeated.

use super::RawRow;
use super::sheet::column_letter;
use crate::model::cell::Cell;

/// How many rows from the top may hold a title block.
pub const SCAN_ROWS: usize = 30;

/// Index (into `rows`) of the most header-like row: many text cells, several of
/// them known column captions, wide as the table. Ties go to the earlier row,
/// because data rows below a header without known captions look alike.
pub fn detect(rows: &[RawRow], is_known: impl Fn(&str) -> bool) -> Option<usize> {
    let width = rows
        .iter()
        .map(|r| r.cells.iter().filter(|c| !c.is_empty()).count())
        .max()
        .unwrap_or(0);
    let mut best: Option<(usize, usize)> = None;
    for (i, row) in rows.iter().enumerate() {
        let filled: Vec<&Cell> = row.cells.iter().filter(|c| !c.is_empty()).collect();
        // A header names at least two columns; a lone cell is a title.
        if filled.len() < 2 || filled.len() * 2 < width {
            continue;
        }
        let texts: Vec<&str> = filled
            .iter()
            .filter_map(|c| match c {
                Cell::Text(s) if !looks_numeric(s) => Some(s.as_str()),
                _ => None,
            })
            .collect();
        if texts.len() * 2 < filled.len() {
            continue;
        }
        let known = texts.iter().filter(|t| is_known(t)).count();
        let score = known * 4 + texts.len();
        if best.is_none_or(|(_, s)| score > s) {
            best = Some((i, score));
        }
    }
    best.map(|(i, _)| i)
}

fn looks_numeric(s: &str) -> bool {
    let t = s.trim();
    !t.is_empty()
        && t.chars()
            .all(|c| c.is_ascii_digit() || " +-().,/:".contains(c))
}

/// Column names: as written where usable; empty ones become `column F`, repeated
/// ones get ` (2)`, ` (3)` so every column has a unique name.
pub fn column_names(
    header: &RawRow,
    width: usize,
    first_column: usize,
) -> (Vec<String>, Vec<String>) {
    let mut names: Vec<String> = Vec::with_capacity(width);
    let mut warnings = Vec::new();
    for i in 0..width {
        let raw = header.cells.get(i).map(Cell::to_text).unwrap_or_default();
        let raw = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        let letter = column_letter(first_column + i);
        let mut name = if raw.is_empty() {
            warnings.push(format!(
                "column {letter} has no header; named `column {letter}`"
            ));
            format!("column {letter}")
        } else {
            raw
        };
        if names.contains(&name) {
            let base = name.clone();
            let mut n = 2;
            while names.contains(&name) {
                name = format!("{base} ({n})");
                n += 1;
            }
            warnings.push(format!(
                "header `{base}` repeats; column {letter} named `{name}`"
            ));
        }
        names.push(name);
    }
    (names, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> RawRow {
        RawRow {
            number: 0,
            cells: cells
                .iter()
                .map(|s| {
                    if s.is_empty() {
                        Cell::EMPTY
                    } else {
                        Cell::Text(s.to_string())
                    }
                })
                .collect(),
            problem: None,
        }
    }

    #[test]
    fn skips_a_title_block() {
        let rows = vec![
            row(&["Контрагенты"]),
            row(&["Дата формирования: 01.03.2026"]),
            row(&[]),
            row(&["Код", "Наименование", "ИНН", "Телефон"]),
            row(&["00-001", "ООО Ромашка", "7707083893", "8 495 123-45-67"]),
        ];
        assert_eq!(
            detect(&rows, |h| ["Наименование", "ИНН"].contains(&h)),
            Some(3)
        );
    }

    #[test]
    fn unknown_captions_still_win_over_data_rows() {
        let rows = vec![
            row(&["Foo", "Bar", "Baz"]),
            row(&["a", "b", "c"]),
            row(&["d", "e", "f"]),
        ];
        assert_eq!(detect(&rows, |_| false), Some(0));
    }

    #[test]
    fn numbers_do_not_make_a_header() {
        let rows = vec![row(&["1", "2", "3"])];
        assert_eq!(detect(&rows, |_| false), None);
    }

    #[test]
    fn names_empty_and_repeated_columns() {
        let (names, warnings) = column_names(&row(&["Телефон", "", "Телефон", "Имя"]), 5, 0);
        assert_eq!(
            names,
            vec!["Телефон", "column B", "Телефон (2)", "Имя", "column E"]
        );
        assert_eq!(warnings.len(), 3);
    }
}
