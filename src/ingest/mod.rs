//! Tables from files: delimited text (encoding, delimiter, header-row
//! detection) and spreadsheets (calamine), mapped through profiles.

pub mod damage;
pub mod delimited;
pub mod encoding;
pub mod fixes;
pub mod header;
pub mod layouts;
pub mod profiles;
pub mod rows;
pub mod sheet;

use crate::error::{Error, Result};
use crate::model::Cell;
use profiles::ProfileSet;
use std::path::{Path, PathBuf};

/// One physical row of a source.
#[derive(Clone, Debug, PartialEq)]
pub struct RawRow {
    /// 1-based row (spreadsheet) or line where the record starts (text).
    pub number: u64,
    pub cells: Vec<Cell>,
    /// Set when the row cannot be trusted (undecodable bytes, unreadable record).
    pub problem: Option<String>,
}

impl RawRow {
    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(Cell::is_empty)
    }
}

/// How a text file was decoded.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct TextFormat {
    pub encoding: String,
    /// `bom`, `valid utf-8`, `utf-8 with invalid bytes`, `zero-byte pattern`,
    /// `byte statistics` or `--encoding`.
    pub encoding_evidence: String,
    /// The next most plausible encoding, when byte statistics decided.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding_runner_up: Option<String>,
    pub delimiter: String,
}

/// A sheet (or a text file) with its header found; rows stream after it.
pub struct Table {
    pub file: PathBuf,
    pub sheet: Option<String>,
    pub text: Option<TextFormat>,
    /// 1-based row of the header.
    pub header_row: u64,
    /// Unique, never empty column names.
    pub headers: Vec<String>,
    pub warnings: Vec<String>,
    /// Absolute index of the first column (for letters in messages).
    pub first_column: usize,
    /// Text files: how many fields a record usually has (the header's count,
    /// or one more when every line ends with a delimiter). Records longer than
    /// this are ragged.
    pub record_len: Option<usize>,
    pub rows: Box<dyn Iterator<Item = RawRow> + Send>,
}

impl Table {
    /// `file`, `file [Sheet]`: how messages name this table.
    pub fn label(&self) -> String {
        match &self.sheet {
            Some(s) => format!("{} [{s}]", self.file.display()),
            None => self.file.display().to_string(),
        }
    }
}

/// A sheet that was passed over, and why: reported, never silent.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Skipped {
    pub sheet: String,
    pub reason: String,
}

use crate::config::{ReadOptions, is_spreadsheet, parse_delimiter};

/// Open a source: every table in it (one per sheet with a header) and the sheets
/// skipped. A file that cannot be read at all is an error naming it and the fix.
pub fn open(
    path: &Path,
    opts: &ReadOptions,
    profiles: &ProfileSet,
) -> Result<(Vec<Table>, Vec<Skipped>)> {
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::bad_input(
            path,
            "file not found: check the path (and `path` in golive.toml)",
        ),
        _ => Error::io(path, e),
    })?;
    if meta.is_dir() {
        return Err(Error::bad_input(path, "is a folder, not a file"));
    }
    if is_spreadsheet(path) {
        open_workbook(path, opts, profiles)
    } else {
        open_text(path, opts, profiles).map(|t| (vec![t], Vec::new()))
    }
}

fn open_workbook(
    path: &Path,
    opts: &ReadOptions,
    profiles: &ProfileSet,
) -> Result<(Vec<Table>, Vec<Skipped>)> {
    let mut book = sheet::Workbook::open(path).map_err(|m| Error::bad_input(path, m))?;
    let names = book.sheet_names();
    let wanted: Vec<String> = match &opts.sheet {
        Some(s) => {
            if !names.contains(s) {
                return Err(Error::bad_input(
                    path,
                    format!("no sheet `{s}`; the workbook has: {}", names.join(", ")),
                ));
            }
            vec![s.clone()]
        }
        None => names,
    };
    let mut tables = Vec::new();
    let mut skipped = Vec::new();
    for name in wanted {
        let rows = book
            .rows(&name)
            .map_err(|m| Error::bad_input(path, format!("sheet `{name}`: {m}")))?;
        let first_column = rows.first_column();
        match locate_header(Box::new(rows), opts, profiles, first_column, true) {
            Ok(found) => tables.push(found.into_table(path, Some(name), None)),
            Err(reason) if opts.sheet.is_some() => {
                return Err(Error::bad_input(path, format!("sheet `{name}`: {reason}")));
            }
            Err(reason) => skipped.push(Skipped {
                sheet: name,
                reason,
            }),
        }
    }
    if tables.is_empty() {
        let why = skipped
            .iter()
            .map(|s| format!("`{}`: {}", s.sheet, s.reason))
            .collect::<Vec<_>>()
            .join("; ");
        return Err(Error::bad_input(
            path,
            format!("no sheet with a table: {why}"),
        ));
    }
    Ok((tables, skipped))
}

fn open_text(path: &Path, opts: &ReadOptions, profiles: &ProfileSet) -> Result<Table> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    if bytes.is_empty() {
        return Err(Error::bad_input(path, "the file is empty"));
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(Error::bad_input(
            path,
            "this is a spreadsheet saved with a text extension: rename it to .xlsx/.xls",
        ));
    }
    let detection = match &opts.encoding {
        Some(label) => encoding::Detection {
            encoding: crate::config::encoding_for_label(label).ok_or_else(|| {
                Error::Usage(format!(
                    "unknown encoding `{label}`: use utf-8, utf-16le, utf-16be, cp1251, cp1252, cp932 (shift_jis), koi8-r, cp866…"
                ))
            })?,
            evidence: encoding::Evidence::UserChoice,
            runner_up: None,
            low_confidence: false,
            invalid_sequences: 0,
        },
        None => encoding::detect_full(&bytes),
    };
    let enc = detection.encoding;
    let evidence = detection.evidence.as_str().to_string();
    let (text, _) = encoding::decode(&bytes, enc);
    if !delimited::looks_like_text(&text) {
        return Err(Error::bad_input(
            path,
            format!(
                "does not look like a text table in {} (binary data?): export it again as CSV, or pass --encoding if it is another encoding",
                encoding::display_name(enc)
            ),
        ));
    }
    let delimiter = match &opts.delimiter {
        Some(d) => parse_delimiter(d)?,
        None => delimited::sniff_delimiter(&text),
    };
    let rows = delimited::DelimitedRows::new(text, delimiter);
    let found = locate_header(Box::new(rows), opts, profiles, 0, false)
        .map_err(|m| Error::bad_input(path, m))?;
    let runner_up = detection.runner_up.map(encoding::display_name);
    let format = TextFormat {
        encoding: encoding::display_name(enc).to_string(),
        encoding_evidence: evidence,
        encoding_runner_up: runner_up.map(str::to_string),
        delimiter: delimiter_name(delimiter).to_string(),
    };
    let mut table = found.into_table(path, None, Some(format));
    if detection.low_confidence {
        table.warnings.push(format!(
            "encoding guessed as {} with low confidence (runner-up {}): check the text, or set `encoding =` for this source",
            encoding::display_name(enc),
            runner_up.unwrap_or("none")
        ));
    }
    if detection.evidence == encoding::Evidence::MostlyUtf8 {
        table.warnings.push(format!(
            "read as UTF-8 although {} byte sequence(s) are not valid UTF-8: the cells holding them are flagged",
            detection.invalid_sequences
        ));
    }
    Ok(table)
}

pub fn delimiter_name(d: u8) -> &'static str {
    match d {
        b'\t' => "tab",
        b';' => ";",
        b',' => ",",
        b'|' => "|",
        b':' => ":",
        b'^' => "^",
        _ => "?",
    }
}

pub(crate) struct Located {
    header: RawRow,
    width: usize,
    record_len: Option<usize>,
    first_column: usize,
    rows: Box<dyn Iterator<Item = RawRow> + Send>,
}

impl Located {
    fn into_table(self, path: &Path, sheet: Option<String>, text: Option<TextFormat>) -> Table {
        let (headers, warnings) = header::column_names(&self.header, self.width, self.first_column);
        Table {
            file: path.to_path_buf(),
            sheet,
            text,
            header_row: self.header.number,
            headers,
            warnings,
            first_column: self.first_column,
            record_len: self.record_len,
            rows: self.rows,
        }
    }
}

/// Peek at the top rows, pick the header (or take the forced one), and chain
/// the rest back so no data row is lost.
pub(crate) fn locate_header(
    mut rows: Box<dyn Iterator<Item = RawRow> + Send>,
    opts: &ReadOptions,
    profiles: &ProfileSet,
    first_column: usize,
    widen: bool,
) -> std::result::Result<Located, String> {
    let forced = opts.header_row.filter(|_| !opts.no_header);
    let mut peeked: Vec<RawRow> = Vec::new();
    let limit = forced.map_or(header::SCAN_ROWS, |r| r.max(1));
    for row in rows.by_ref() {
        let past = forced.is_some_and(|f| row.number >= f as u64);
        peeked.push(row);
        if peeked.len() >= limit || past {
            break;
        }
    }
    if peeked.iter().all(RawRow::is_blank) {
        return Err("is empty".into());
    }
    let declare = "declare its columns on the [[source]] in golive.toml: `header = false` and `columns = [\"Name\", \"Email\", …]` (one name per column, in order)";
    // Headerless: columns declared by the user, or a documented layout
    // recognised by the shape of its rows; every row is data.
    let layout = (forced.is_none())
        .then(|| layouts::detect(&peeked))
        .flatten();
    let named: Option<Vec<String>> = if !opts.columns.is_empty() {
        Some(opts.columns.clone())
    } else if let Some(l) = layout.filter(|_| opts.header_row.is_none()) {
        if let Some(why) = l.refuse {
            return Err(why.to_string());
        }
        Some(l.columns.iter().map(|c| c.to_string()).collect())
    } else if opts.no_header {
        return Err(format!("`header = false` needs `columns`: {declare}"));
    } else {
        None
    };
    let (header, after) = match named {
        Some(columns) => (layouts::header_row(&columns), peeked),
        None => {
            let known = |h: &str| profiles.is_known_header(h);
            let index = match forced {
                Some(f) => peeked
                    .iter()
                    .position(|r| r.number == f as u64)
                    .ok_or_else(|| format!("has no row {f} (header_row)"))?,
                None => match header::detect(&peeked, known) {
                    Some(i) if !layouts::looks_like_data(&peeked[i], known) => i,
                    Some(i) => {
                        return Err(format!(
                            "has no header row (row {} holds data, not column names): {declare}",
                            peeked[i].number
                        ));
                    }
                    None => {
                        return Err(format!(
                            "no header row found in the first 30 rows: add a row of column names, set header_row, or, if the file has none, {declare}"
                        ));
                    }
                },
            };
            let mut after = peeked.split_off(index);
            let header = after.remove(0);
            (header, after)
        }
    };
    // A sheet column with data but an empty header cell is still a column; in
    // text files a longer record is a ragged row instead.
    let width = if widen {
        after
            .iter()
            .map(|r| r.cells.len())
            .chain([header.cells.len()])
            .max()
            .unwrap_or(0)
    } else {
        header.cells.len()
    };
    let record_len = (!widen).then(|| {
        let mut lens: Vec<usize> = after
            .iter()
            .filter(|r| !r.is_blank())
            .map(|r| r.cells.len())
            .collect();
        lens.sort_unstable();
        lens.chunk_by(|a, b| a == b)
            .max_by_key(|c| c.len())
            .map_or(width, |c| c[0])
            .max(width)
    });
    Ok(Located {
        header,
        width,
        record_len,
        first_column,
        rows: Box::new(after.into_iter().chain(rows)),
    })
}
