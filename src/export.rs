//! Writing CSV and XLSX for people who open them in Excel: one neutralization of
//! formula injection for every writer, a UTF-8 BOM so Excel reads Cyrillic and
//! Japanese right, identifiers and phones as text.

use crate::error::{Error, Result};
use std::borrow::Cow;
use std::path::{Path, PathBuf};

/// What a column holds, as far as neutralization cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    Text,
    /// E.164 phone numbers (`+74951234567`, several joined with `; `, ` ext. 12`).
    Phone,
}

impl Column {
    /// Phone columns of golive's outputs go by their header name.
    pub fn of_header(name: &str) -> Self {
        let n = name.trim().to_ascii_lowercase();
        if matches!(n.as_str(), "e164" | "mobile" | "fax")
            || n.ends_with("phone")
            || n.ends_with("phones")
        {
            Column::Phone
        } else {
            Column::Text
        }
    }
}

/// OWASP's CSV-injection rule: a cell starting with `=`, `+`, `-`, `@`, tab or CR
/// (or their full-width forms, which Japanese Excel reads as the same, or any of
/// them after leading spaces) gets a leading `'`, unless it is a plain number
/// (`-15.00`) or, in a phone column, E.164 phone numbers.
pub fn neutralize(value: &str, column: Column) -> Cow<'_, str> {
    let risky = value
        .trim_start_matches(' ')
        .chars()
        .next()
        .is_some_and(|c| {
            matches!(
                c,
                '=' | '+' | '-' | '@' | '\t' | '\r' | '＝' | '＋' | '－' | '＠'
            )
        })
        || value.starts_with(['\t', '\r']);
    if !risky || is_plain_number(value) || (column == Column::Phone && is_e164_list(value)) {
        value.into()
    } else {
        format!("'{value}").into()
    }
}

/// The value a neutralized cell held: the leading `'` [`neutralize`] adds taken
/// off again (a rejects file read back after a steward fixed it).
pub fn unneutralize(value: &str) -> &str {
    match value.strip_prefix('\'') {
        Some(rest)
            if rest
                .trim_start_matches(' ')
                .starts_with(['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠'])
                || rest.starts_with(['\t', '\r']) =>
        {
            rest
        }
        _ => value,
    }
}

/// `-15`, `-15.00`, `-0,5`: digits with an optional minus and one decimal separator.
fn is_plain_number(v: &str) -> bool {
    let v = v.strip_prefix('-').unwrap_or(v);
    let (int, frac) = v.split_once(['.', ',']).unwrap_or((v, "0"));
    !int.is_empty()
        && !frac.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

/// `+74951234567`, `+74951234567 ext. 12`, several joined with `; `.
fn is_e164_list(v: &str) -> bool {
    v.split("; ").all(|p| {
        let (number, ext) = p.split_once(" ext. ").unwrap_or((p, "1"));
        let digits = number.strip_prefix('+').unwrap_or("");
        (2..=15).contains(&digits.len())
            && !digits.starts_with('0')
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !ext.is_empty()
            && ext.bytes().all(|b| b.is_ascii_digit())
    })
}

/// A CSV writer whose every field goes through [`neutralize`]. The first row
/// written is the header: its names say which columns hold phones.
pub struct SafeCsv<W: std::io::Write> {
    inner: csv::Writer<W>,
    columns: Option<Vec<Column>>,
}

/// The UTF-8 byte order mark Excel needs to read a CSV as UTF-8.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

impl<W: std::io::Write> SafeCsv<W> {
    pub fn new(w: W) -> Self {
        SafeCsv {
            inner: csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .from_writer(w),
            columns: None,
        }
    }

    /// An import file for a CRM: its delimiter, and the columns' kinds given
    /// (its headers do not say which hold phones).
    pub fn for_import(
        mut w: W,
        bom: bool,
        delimiter: u8,
        columns: Vec<Column>,
    ) -> std::io::Result<Self> {
        if bom {
            w.write_all(BOM)?;
        }
        Ok(SafeCsv {
            inner: csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .delimiter(delimiter)
                .from_writer(w),
            columns: Some(columns),
        })
    }

    /// Like [`SafeCsv::new`], starting with a UTF-8 BOM when `bom` is set.
    pub fn with_bom(mut w: W, bom: bool) -> std::io::Result<Self> {
        if bom {
            w.write_all(BOM)?;
        }
        Ok(Self::new(w))
    }

    pub fn row<I, S>(&mut self, fields: I) -> csv::Result<()>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        match &self.columns {
            None => {
                let names: Vec<String> =
                    fields.into_iter().map(|f| f.as_ref().to_string()).collect();
                self.columns = Some(names.iter().map(|n| Column::of_header(n)).collect());
                self.inner.write_record(
                    names
                        .iter()
                        .map(|n| neutralize(n, Column::Text).into_owned()),
                )
            }
            Some(columns) => {
                self.inner
                    .write_record(fields.into_iter().enumerate().map(|(i, f)| {
                        let column = columns.get(i).copied().unwrap_or(Column::Text);
                        neutralize(f.as_ref(), column).into_owned()
                    }))
            }
        }
    }

    pub fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }

    pub fn into_inner(self) -> std::result::Result<W, std::io::Error> {
        self.inner.into_inner().map_err(|e| e.into_error())
    }
}

/// An import file for a CRM as [`XlsxRows`] writes it, with Excel's shared
/// strings, and the kind of each column given (headers are the CRM's own
/// words: "Рабочий телефон" holds phones).
pub fn write_xlsx_columns(
    path: &Path,
    sheet: &str,
    header: &[&str],
    columns: &[Column],
    rows: &[Vec<String>],
) -> Result<(), rust_xlsxwriter::XlsxError> {
    write_xlsx_sheets(path, sheet, header, columns, rows, XLSX_MAX_DATA_ROWS)
}

/// Excel's 1,048,576 rows less the header.
const XLSX_MAX_DATA_ROWS: usize = 1_048_575;

/// Rows beyond one sheet's capacity go on to sheets named `sheet 2`, `sheet 3`, …,
/// each with the header: Excel opens no sheet longer than 1,048,576 rows.
fn write_xlsx_sheets(
    path: &Path,
    sheet: &str,
    header: &[&str],
    columns: &[Column],
    rows: &[Vec<String>],
    per_sheet: usize,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    let mut book = XlsxRows::with_sheet_size(path, sheet, header, columns, per_sheet)?;
    book.shared_strings = true;
    for row in rows {
        book.row(row)?;
    }
    book.finish()
}

/// An XLSX file for people, written a row at a time: every cell a text cell
/// (so Excel keeps leading zeros and `+`, and never reads a number or date
/// into an identifier), through the same [`neutralize`], a bold frozen header
/// with filters. Each sheet's rows go to a temporary file beside `path` as
/// they come (a 450,000-row golden sheet held whole took 1.6 GB), and the zip
/// is packed when [`XlsxRows::finish`] is called. Files for people hold their
/// text inline (Excel reads it); import files for a CRM
/// ([`write_xlsx_columns`]) keep Excel's shared strings, which every importer
/// reads, at the cost of holding them.
pub struct XlsxRows {
    path: PathBuf,
    book: rust_xlsxwriter::Workbook,
    sheet: String,
    header: Vec<String>,
    columns: Vec<Column>,
    per_sheet: usize,
    /// Data rows on the current sheet; `None` before the first sheet.
    on_sheet: Option<usize>,
    sheets: usize,
    text: rust_xlsxwriter::Format,
    shared_strings: bool,
}

impl XlsxRows {
    /// Columns take their kind from the header ([`Column::of_header`]).
    pub fn new(
        path: &Path,
        sheet: &str,
        header: &[&str],
    ) -> Result<Self, rust_xlsxwriter::XlsxError> {
        let columns: Vec<Column> = header.iter().map(|h| Column::of_header(h)).collect();
        Self::with_sheet_size(path, sheet, header, &columns, XLSX_MAX_DATA_ROWS)
    }

    fn with_sheet_size(
        path: &Path,
        sheet: &str,
        header: &[&str],
        columns: &[Column],
        per_sheet: usize,
    ) -> Result<Self, rust_xlsxwriter::XlsxError> {
        use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};
        let mut book = Workbook::new();
        // A fixed creation time: the same data gives the same bytes.
        let created = ExcelDateTime::from_ymd(2000, 1, 1)?;
        book.set_properties(&DocProperties::new().set_creation_datetime(&created));
        // The rows' temporary files stay with the output (personal data), not in /tmp.
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            book.set_tempdir(dir)?;
        }
        // Level 1 packs a large sheet in half the time of the default 6, a
        // little larger.
        book.set_zip_compression_level(1);
        Ok(XlsxRows {
            path: path.to_path_buf(),
            book,
            sheet: sheet.to_string(),
            header: header.iter().map(|h| h.to_string()).collect(),
            columns: columns.to_vec(),
            per_sheet: per_sheet.max(1),
            on_sheet: None,
            sheets: 0,
            text: Format::new().set_num_format("@"),
            shared_strings: false,
        })
    }

    /// Starts the next sheet (the first, `sheet`; then `sheet 2`, …) with the header.
    fn next_sheet(&mut self) -> Result<(), rust_xlsxwriter::XlsxError> {
        self.close_sheet()?;
        let bold = rust_xlsxwriter::Format::new().set_bold();
        let ws = if self.shared_strings {
            self.book.add_worksheet_with_low_memory()?
        } else {
            self.book.add_worksheet_with_constant_memory()?
        };
        if self.sheets == 0 {
            ws.set_name(&self.sheet)?;
        } else {
            let base: String = self.sheet.chars().take(24).collect();
            ws.set_name(format!("{base} {}", self.sheets + 1))?;
        }
        for (c, h) in self.header.iter().enumerate() {
            let c = u16::try_from(c).unwrap_or(u16::MAX);
            ws.write_string_with_format(0, c, neutralize(h, Column::Text).as_ref(), &bold)?;
            ws.set_column_format(c, &self.text)?;
        }
        self.sheets += 1;
        self.on_sheet = Some(0);
        Ok(())
    }

    /// The header's filters and frozen row, once the sheet's rows are known.
    fn close_sheet(&mut self) -> Result<(), rust_xlsxwriter::XlsxError> {
        let Some(rows) = self.on_sheet else {
            return Ok(());
        };
        if !self.header.is_empty() {
            let ws = self.book.worksheet_from_index(self.sheets - 1)?;
            let last_col = u16::try_from(self.header.len() - 1).unwrap_or(u16::MAX);
            let last_row = u32::try_from(rows).unwrap_or(u32::MAX);
            ws.autofilter(0, 0, last_row, last_col)?;
            ws.set_freeze_panes(1, 0)?;
        }
        Ok(())
    }

    pub fn row<S: AsRef<str>>(&mut self, row: &[S]) -> Result<(), rust_xlsxwriter::XlsxError> {
        if self.on_sheet.is_none_or(|n| n >= self.per_sheet) {
            self.next_sheet()?;
        }
        let n = self.on_sheet.unwrap_or(0) + 1;
        self.on_sheet = Some(n);
        let ws = self.book.worksheet_from_index(self.sheets - 1)?;
        let r = u32::try_from(n).unwrap_or(u32::MAX);
        for (c, v) in row.iter().enumerate() {
            let v = v.as_ref();
            if v.is_empty() {
                continue;
            }
            let column = self.columns.get(c).copied().unwrap_or(Column::Text);
            let c = u16::try_from(c).unwrap_or(u16::MAX);
            ws.write_string_with_format(r, c, neutralize(v, column).as_ref(), &self.text)?;
        }
        Ok(())
    }

    pub fn finish(mut self) -> Result<(), rust_xlsxwriter::XlsxError> {
        if self.on_sheet.is_none() {
            self.next_sheet()?;
        }
        self.close_sheet()?;
        self.book.save(&self.path)
    }
}

/// The files one stage leaves in `out/`, written under `.golive/staging/` and
/// moved into `out/` only when the stage has committed, so that `out/` never
/// holds a half-written file or files of two runs: the stage's previous files,
/// and those of later stages (which no longer match), are removed first, then
/// the new ones renamed in. A kill at any point leaves files of one run only.
pub struct StagedOutputs {
    out: PathBuf,
    staging: PathBuf,
    bom: bool,
    files: Vec<String>,
}

impl StagedOutputs {
    pub fn new(config: &crate::config::Config) -> Result<Self> {
        let staging = config.dir.join(".golive").join("staging");
        std::fs::create_dir_all(&staging).map_err(|e| Error::io(&staging, e))?;
        Ok(StagedOutputs {
            out: config.out_dir(),
            staging,
            bom: config.bom,
            files: Vec::new(),
        })
    }

    /// Whether the CSVs start with a BOM (`[output] bom`).
    pub fn bom(&self) -> bool {
        self.bom
    }

    /// Where to write `name` before the commit.
    pub fn path(&mut self, name: &str) -> PathBuf {
        self.files.push(name.to_string());
        self.staging.join(name)
    }

    /// A folder for `out/NAME` (a relative path), empty; it replaces the old
    /// one as a whole on commit.
    pub fn dir(&mut self, name: &str) -> Result<PathBuf> {
        let path = self.path(name);
        match std::fs::remove_dir_all(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(Error::io(&path, e)),
            _ => {}
        }
        std::fs::create_dir_all(&path).map_err(|e| Error::io(&path, e))?;
        Ok(path)
    }

    /// A CSV for `out/NAME` (with a BOM unless `[output] bom = false`).
    pub fn csv(&mut self, name: &str) -> Result<SafeCsv<std::io::BufWriter<std::fs::File>>> {
        let path = self.path(name);
        let file = std::fs::File::create(&path).map_err(|e| Error::io(&path, e))?;
        SafeCsv::with_bom(std::io::BufWriter::new(file), self.bom).map_err(|e| Error::io(&path, e))
    }

    /// Replace the stage's files in `out/`; `stale` are later stages' files.
    pub fn commit(self, stale: &[&str]) -> Result<()> {
        std::fs::create_dir_all(&self.out).map_err(|e| Error::io(&self.out, e))?;
        for name in self
            .files
            .iter()
            .map(String::as_str)
            .chain(stale.iter().copied())
        {
            let path = self.out.join(name);
            let removed = if path.is_dir() {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
            match removed {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(Error::io(&path, e));
                }
                _ => {}
            }
        }
        for name in &self.files {
            let (from, to) = (self.staging.join(name), self.out.join(name));
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
            }
            std::fs::rename(&from, &to).map_err(|e| Error::io(&to, e))?;
        }
        Ok(())
    }
}

/// Flush a staged CSV, naming the file if it fails.
pub fn finish<W: std::io::Write>(mut w: SafeCsv<W>, path: &Path) -> Result<()> {
    w.flush().map_err(|e| Error::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn text(v: &str) -> String {
        neutralize(v, Column::Text).into_owned()
    }

    #[test]
    fn formulas_are_neutralized_numbers_are_not() {
        assert_eq!(
            text("=HYPERLINK(\"http://x\")"),
            "'=HYPERLINK(\"http://x\")"
        );
        assert_eq!(text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(text("+cmd|' /C calc'!A0"), "'+cmd|' /C calc'!A0");
        assert_eq!(text("-SUM(A1:A9)"), "'-SUM(A1:A9)");
        // The gaps OWASP's rule closes: arithmetic is a formula too.
        for v in [
            "-2+3",
            "+1+1",
            "-2+3 ООО",
            "+1E5",
            "\tx",
            "\rx",
            " =1+1",
            "＝1+1",
        ] {
            assert_eq!(text(v), format!("'{v}"), "{v:?}");
        }
        assert_eq!(text("-15.00"), "-15.00");
        assert_eq!(text("-15"), "-15");
        assert_eq!(text("ООО Ромашка"), "ООО Ромашка");
        assert_eq!(text("a=b"), "a=b");
        assert_eq!(text(""), "");
    }

    #[test]
    fn e164_phones_stay_in_phone_columns_only() {
        let phone = |v: &str| neutralize(v, Column::Phone).into_owned();
        assert_eq!(phone("+74951234567"), "+74951234567");
        assert_eq!(
            phone("+74951234567; +79161234567"),
            "+74951234567; +79161234567"
        );
        assert_eq!(phone("+78121234567 ext. 12"), "+78121234567 ext. 12");
        assert_eq!(text("+74951234567"), "'+74951234567");
        assert_eq!(phone("+7 812 1234567"), "'+7 812 1234567");
        assert_eq!(phone("+1+1"), "'+1+1");
        assert_eq!(phone("+0123"), "'+0123");
        assert_eq!(Column::of_header("phones"), Column::Phone);
        assert_eq!(Column::of_header("e164"), Column::Phone);
        assert_eq!(Column::of_header("name"), Column::Text);
    }

    #[test]
    fn the_header_row_decides_the_phone_columns_and_the_bom_leads() {
        let mut w = SafeCsv::with_bom(Vec::new(), true).unwrap();
        w.row(["name", "phones"]).unwrap();
        w.row(["+74951234567", "+74951234567"]).unwrap();
        let out = w.into_inner().unwrap();
        assert_eq!(
            out,
            b"\xEF\xBB\xBFname,phones\r\n'+74951234567,+74951234567\r\n".to_vec()
        );
    }

    #[test]
    fn xlsx_cells_are_text_and_the_file_is_the_same_each_time() {
        let dir = tempfile::tempdir().unwrap();
        let rows = vec![
            vec![
                "0012".to_string(),
                "+74951234567".to_string(),
                "=1+1".to_string(),
            ],
            vec![
                "7707083893".to_string(),
                String::new(),
                "ООО Ромашка".to_string(),
            ],
        ];
        let header = ["inn", "phones", "name"];
        let (a, b) = (dir.path().join("a.xlsx"), dir.path().join("b.xlsx"));
        let write = |path: &Path| {
            let mut book = XlsxRows::new(path, "golden", &header).unwrap();
            for row in &rows {
                book.row(row).unwrap();
            }
            book.finish().unwrap();
        };
        write(&a);
        std::thread::sleep(std::time::Duration::from_millis(1100));
        write(&b);
        assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
        use calamine::{Data, Reader};
        let mut book = calamine::open_workbook_auto(&a).unwrap();
        let range = book.worksheet_range("golden").unwrap();
        let cell = |r: u32, c: u32| range.get_value((r, c)).cloned();
        assert_eq!(cell(1, 0), Some(Data::String("0012".into())));
        assert_eq!(cell(1, 1), Some(Data::String("+74951234567".into())));
        assert_eq!(cell(1, 2), Some(Data::String("'=1+1".into())));
        assert_eq!(cell(2, 0), Some(Data::String("7707083893".into())));
        assert!(
            !has_shared_strings(&a),
            "a file for people holds its text inline"
        );
    }

    fn has_shared_strings(path: &Path) -> bool {
        let file = std::fs::File::open(path).unwrap();
        let zip = zip::ZipArchive::new(file).unwrap();
        zip.file_names()
            .any(|n| n.is_ok_and(|n| n == "xl/sharedStrings.xml"))
    }

    #[test]
    fn an_import_file_keeps_excels_shared_strings() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Account.xlsx");
        let rows = vec![vec!["ООО Ромашка".to_string()]];
        write_xlsx_columns(&path, "Account", &["Name"], &[Column::Text], &rows).unwrap();
        assert!(has_shared_strings(&path));
    }

    #[test]
    fn rows_beyond_a_sheet_go_on_to_numbered_sheets_each_with_the_header() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.xlsx");
        let rows: Vec<Vec<String>> = (0..5).map(|i| vec![format!("r{i}")]).collect();
        write_xlsx_sheets(&path, "golden", &["name"], &[Column::Text], &rows, 2).unwrap();
        use calamine::{Data, Reader};
        let mut book = calamine::open_workbook_auto(&path).unwrap();
        assert_eq!(book.sheet_names(), ["golden", "golden 2", "golden 3"]);
        let last = book.worksheet_range("golden 3").unwrap();
        assert_eq!(last.get_value((0, 0)), Some(&Data::String("name".into())));
        assert_eq!(last.get_value((1, 0)), Some(&Data::String("r4".into())));
        assert_eq!(last.height(), 2);
    }

    proptest! {
        /// Whatever the string, what Excel would read as a formula never leaves
        /// a writer unmarked, and nothing else changes.
        #[test]
        fn no_cell_leaves_as_a_formula(
            v in "[=+\\-@\t\r ＝a-z0-9.,;()!|'\"]{0,12}",
            phone in any::<bool>(),
        ) {
            let column = if phone { Column::Phone } else { Column::Text };
            let out = neutralize(&v, column);
            let first = out.trim_start_matches(' ').chars().next();
            let formula_like = out.starts_with(['\t', '\r'])
                || first.is_some_and(|c| "=+-@＝＋－＠".contains(c));
            if formula_like {
                // Only plain numbers and E.164 phones in phone columns pass.
                let number = is_plain_number(&out);
                let e164 = phone && is_e164_list(&out);
                prop_assert!(number || e164, "{:?} left unmarked", out);
                prop_assert_eq!(out.as_ref(), v.as_str());
            } else if out != v {
                prop_assert_eq!(out.as_ref(), format!("'{v}"));
            }
        }

        /// A cell read back from a file golive wrote is the value it held
        /// (values that start with `'` themselves aside: the mark is one).
        #[test]
        fn unneutralize_undoes_neutralize(
            v in "[=+\\-@\t\r ＝＋a-z0-9.,;()!|\"]{0,12}",
            phone in any::<bool>(),
        ) {
            let column = if phone { Column::Phone } else { Column::Text };
            let written = neutralize(&v, column);
            prop_assert_eq!(unneutralize(&written), v.as_str());
        }
    }

    #[test]
    fn a_quote_before_plain_text_stays() {
        assert_eq!(unneutralize("'Smith"), "'Smith");
        assert_eq!(unneutralize("'+7 495"), "+7 495");
        assert_eq!(unneutralize("' =1"), " =1");
    }
}
