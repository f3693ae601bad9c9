//! Spreadsheets through calamine: XLSX, XLSM, XLSB, XLS, ODS. Cell types are kept.

use super::RawRow;
use crate::model::cell::Cell;
use calamine::{Data, Range, Reader, Sheets, open_workbook_auto};
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

pub struct Workbook {
    sheets: Sheets<BufReader<File>>,
    path: std::path::PathBuf,
}

impl Workbook {
    /// Open a workbook; the error explains what to do in one line.
    pub fn open(path: &Path) -> Result<Self, String> {
        if is_encrypted_ooxml(path) {
            return Err(PASSWORD_HELP.to_string());
        }
        open_workbook_auto(path)
            .map(|sheets| Workbook {
                sheets,
                path: path.to_path_buf(),
            })
            .map_err(|e| explain(&e.to_string()))
    }

    pub fn sheet_names(&self) -> Vec<String> {
        self.sheets.sheet_names()
    }

    /// Every row of a sheet, merged regions filled with their top-left value
    /// (someone merged "Company" down over its contacts: each row needs it).
    pub fn rows(&mut self, sheet: &str) -> Result<SheetRows, String> {
        // calamine finds merged regions by parsing the sheet a second time;
        // do that on a second handle while this one reads the cells.
        let merges = matches!(self.sheets, Sheets::Xlsx(_)).then(|| {
            let (path, sheet) = (self.path.clone(), sheet.to_string());
            std::thread::spawn(move || {
                calamine::open_workbook::<calamine::Xlsx<_>, _>(&path)
                    .ok()
                    .and_then(|mut x| x.merge_cells_by_sheet_name(&sheet).ok())
                    .unwrap_or_default()
            })
        });
        let mut range = self
            .sheets
            .worksheet_range(sheet)
            .map_err(|e| explain(&e.to_string()))?;
        let merges = merges.and_then(|h| h.join().ok()).unwrap_or_default();
        for m in merges {
            let value = range.get_value(m.start).cloned().unwrap_or(Data::Empty);
            if value == Data::Empty {
                continue;
            }
            for r in m.start.0..=m.end.0 {
                for c in m.start.1..=m.end.1 {
                    if (r, c) != m.start && range.get_value((r, c)).is_some() {
                        range.set_value((r, c), value.clone());
                    }
                }
            }
        }
        Ok(SheetRows::new(range))
    }
}

const PASSWORD_HELP: &str = "the workbook is password-protected: open it in Excel, remove the password (File → Info → Protect Workbook) and save a copy";

/// Encrypted XLSX files are OLE compound documents holding an `EncryptedPackage`.
fn is_encrypted_ooxml(path: &Path) -> bool {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if !matches!(ext.as_str(), "xlsx" | "xlsm" | "xlsb") {
        return false;
    }
    let mut magic = [0u8; 8];
    use std::io::Read;
    File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok()
        && magic == [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]
}

fn explain(err: &str) -> String {
    let lower = err.to_ascii_lowercase();
    if lower.contains("password") || lower.contains("encrypt") {
        PASSWORD_HELP.to_string()
    } else {
        format!(
            "cannot read the workbook ({err}): it is damaged or not really a spreadsheet; open it in Excel and save it again as .xlsx"
        )
    }
}

/// Rows of a sheet with absolute 1-based row numbers, so provenance matches what
/// the user sees in Excel.
pub struct SheetRows {
    range: Range<Data>,
    next: usize,
    /// Absolute index of the first row/column the range holds.
    origin: (u32, u32),
}

impl SheetRows {
    fn new(range: Range<Data>) -> Self {
        let origin = range.start().unwrap_or((0, 0));
        SheetRows {
            range,
            next: 0,
            origin,
        }
    }

    /// Absolute 0-based index of the range's first column (for column letters).
    pub fn first_column(&self) -> usize {
        self.origin.1 as usize
    }
}

impl Iterator for SheetRows {
    type Item = RawRow;

    fn next(&mut self) -> Option<RawRow> {
        let (height, width) = self.range.get_size();
        if self.next >= height {
            return None;
        }
        let r = self.next;
        self.next += 1;
        let mut cells: Vec<Cell> = (0..width)
            .map(|c| convert(self.range.get((r, c)).unwrap_or(&Data::Empty)))
            .collect();
        while cells.last().is_some_and(Cell::is_empty) {
            cells.pop();
        }
        Some(RawRow {
            number: u64::from(self.origin.0) + r as u64 + 1,
            cells,
            problem: None,
        })
    }
}

fn convert(d: &Data) -> Cell {
    match d {
        Data::Empty => Cell::EMPTY,
        Data::String(s) if s.is_empty() => Cell::EMPTY,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => {
            let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
            let date = if (h, mi, s) == (0, 0, 0) {
                format!("{y:04}-{mo:02}-{d:02}")
            } else {
                format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}")
            };
            Cell::Date { date }
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Date { date: s.clone() },
        Data::Error(e) => Cell::Error {
            error: e.to_string(),
        },
    }
}

/// `0` → `A`, `27` → `AB`: how users name columns.
pub fn column_letter(mut index: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn reads_typed_cells_and_merges_from_a_real_xlsx() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.xlsx");
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.write(0, 0, "Список").unwrap();
        ws.write(2, 0, "Наименование").unwrap();
        ws.write(2, 1, "ИНН").unwrap();
        ws.merge_range(3, 0, 4, 0, "ООО Ромашка", &rust_xlsxwriter::Format::new())
            .unwrap();
        ws.write(3, 1, 7707083893_f64).unwrap();
        ws.write(4, 1, "x").unwrap();
        wb.save(&path).unwrap();

        let mut book = Workbook::open(&path).unwrap();
        let name = book.sheet_names()[0].clone();
        let rows: Vec<RawRow> = book.rows(&name).unwrap().collect();
        assert_eq!(rows[0].number, 1);
        assert_eq!(
            rows[3].cells,
            vec![Cell::Text("ООО Ромашка".into()), Cell::Number(7707083893.0)]
        );
        assert_eq!(
            rows[4].cells[0],
            Cell::Text("ООО Ромашка".into()),
            "merged cell filled down"
        );
    }

    #[test]
    fn garbage_is_explained() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.xlsx");
        std::fs::write(&path, b"PK\x03\x04 not really a zip").unwrap();
        let err = Workbook::open(&path).err().unwrap();
        assert!(err.contains("save it again"), "{err}");
    }
}
