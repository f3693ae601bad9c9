//! Ingest throughput: a 1,000,000-row CSV and a 100,000-row XLSX into the
//! workspace, beside calamine's raw read of the same workbook in the same run.
//!
//! `cargo bench --bench ingest` (sizes: GOLIVE_BENCH_CSV_ROWS, GOLIVE_BENCH_XLSX_ROWS).

use calamine::{Data, Reader, open_workbook_auto};
use golive::config::Config;
use golive::ingest::profiles::ProfileSet;
use golive::pipeline::ingest::ingest_source;
use golive::workspace::Workspace;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

const HEADER: [&str; 8] = [
    "Код",
    "Наименование",
    "ИНН",
    "КПП",
    "Телефон",
    "E-mail",
    "Адрес",
    "Комментарий",
];

fn row(i: usize) -> [String; 8] {
    [
        format!("{i:08}"),
        format!("ООО «Ромашка {i}»"),
        format!("77{:08}", i % 100_000_000),
        "770701001".to_string(),
        format!(
            "8 (495) {:03}-{:02}-{:02}",
            i % 1000,
            i % 100,
            (i / 100) % 100
        ),
        format!("info{i}@romashka{}.ru", i % 5000),
        format!("г. Москва, ул. Ленина, д. {}", i % 300),
        if i.is_multiple_of(7) {
            "VIP, звонить до 18:00".to_string()
        } else {
            String::new()
        },
    ]
}

fn write_csv(path: &Path, rows: usize) {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_path(path)
        .unwrap();
    w.write_record(HEADER).unwrap();
    for i in 0..rows {
        w.write_record(row(i)).unwrap();
    }
    w.flush().unwrap();
}

fn write_xlsx(path: &Path, rows: usize) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in HEADER.iter().enumerate() {
        ws.write(0, c as u16, *h).unwrap();
    }
    for i in 0..rows {
        for (c, v) in row(i).iter().enumerate() {
            if !v.is_empty() {
                ws.write((i + 1) as u32, c as u16, v.as_str()).unwrap();
            }
        }
    }
    wb.save(path).unwrap();
}

fn project(dir: &Path, file: &str) -> Config {
    let mut f = std::fs::File::create(dir.join("golive.toml")).unwrap();
    writeln!(
        f,
        "[project]\nname = \"bench\"\n[[source]]\nname = \"s\"\npath = \"{file}\""
    )
    .unwrap();
    Config::load(dir).unwrap()
}

fn ingest(dir: &Path, file: &str) -> (f64, u64) {
    let config = project(dir, file);
    let _ = std::fs::remove_dir_all(dir.join(".golive"));
    let profiles = ProfileSet::builtin().unwrap();
    let mut ws = Workspace::open(dir).unwrap();
    let t = Instant::now();
    let outcome = ingest_source(
        &mut ws,
        &config.sources[0],
        &profiles,
        &golive::ingest::fixes::Fixes::default(),
        &golive::progress::Silent,
    )
    .unwrap();
    let secs = t.elapsed().as_secs_f64();
    let rows = match outcome {
        golive::pipeline::ingest::SourceOutcome::Ingested { tables, .. } => {
            tables.iter().map(|t| t.counts.rows).sum()
        }
        _ => 0,
    };
    (secs, rows)
}

/// The reading half alone (decode, parse, header, prepare), no workspace.
fn read_only(path: &Path) -> f64 {
    let profiles = ProfileSet::builtin().unwrap();
    let t = Instant::now();
    let (tables, _) = golive::ingest::open(path, &Default::default(), &profiles).unwrap();
    for table in tables {
        let (profile, _, _) =
            golive::ingest::rows::choose_profile(&profiles, &table.headers, None, path).unwrap();
        let mut reader = golive::ingest::rows::RowReader::new(profile, &table.headers, None, None);
        for raw in table.rows {
            std::hint::black_box(reader.prepare(raw));
        }
    }
    t.elapsed().as_secs_f64()
}

fn calamine_raw(path: &Path) -> (f64, usize) {
    let t = Instant::now();
    let mut wb = open_workbook_auto(path).unwrap();
    let name = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&name).unwrap();
    let cells = range
        .rows()
        .flat_map(|r| r.iter())
        .filter(|c| **c != Data::Empty)
        .count();
    (t.elapsed().as_secs_f64(), cells)
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let csv_rows = env("GOLIVE_BENCH_CSV_ROWS", 1_000_000);
    let xlsx_rows = env("GOLIVE_BENCH_XLSX_ROWS", 100_000);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();

    write_csv(&dir.join("big.csv"), csv_rows);
    let read = read_only(&dir.join("big.csv"));
    let t = Instant::now();
    golive::pipeline::ingest::file_sha256(&dir.join("big.csv")).unwrap();
    let hash = t.elapsed().as_secs_f64();
    let (secs, rows) = ingest(dir, "big.csv");
    println!("| CSV read + prepare only | {rows} rows | {read:.2} s | |");
    println!("| CSV SHA-256 only | | {hash:.2} s | |");
    let mb = std::fs::metadata(dir.join("big.csv")).unwrap().len() as f64 / 1e6;
    println!(
        "| CSV ingest | {rows} rows, {mb:.0} MB | {secs:.2} s | {:.0} rows/s |",
        rows as f64 / secs
    );

    write_xlsx(&dir.join("big.xlsx"), xlsx_rows);
    let (raw, cells) = calamine_raw(&dir.join("big.xlsx"));
    let read = read_only(&dir.join("big.xlsx"));
    let (secs, rows) = ingest(dir, "big.xlsx");
    println!("| XLSX read + prepare only | {rows} rows | {read:.2} s | |");
    println!("| calamine raw read | {xlsx_rows} rows ({cells} cells) | {raw:.2} s | |");
    println!(
        "| XLSX ingest | {rows} rows | {secs:.2} s | {:.0} rows/s, {:.2}× calamine raw |",
        rows as f64 / secs,
        secs / raw
    );
}
