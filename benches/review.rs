//! The steward's workbook at scale: a project of organization cards where
//! every card has a twin typed another way, matched; then `review export
//! --all` (every pair in the workbook) and the import of the same workbook
//! with a decision on every pair, both timed through the library calls the
//! commands make.
//!
//! `cargo bench --bench review` (pairs: GOLIVE_BENCH_PAIRS, default 100,000).

use calamine::{Data, Reader, Xlsx};
use golive::config::Config;
use golive::pipeline::{self, Stage};
use golive::progress::Silent;
use golive::review::{self, Lang};
use golive::workspace::Workspace;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

/// As the golive binary (src/main.rs): the workbook's cells are many small strings.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SYL: [&str; 16] = [
    "ра", "мо", "ка", "ши", "лен", "то", "ви", "бер", "дан", "ол", "экс", "про", "тек", "нор",
    "зу", "гал",
];
const FORMS: [(&str, &str); 3] = [
    ("ООО", "Общество с ограниченной ответственностью"),
    ("АО", "Акционерное общество"),
    ("ИП", "ИП"),
];

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn name(i: u64) -> String {
    let h = mix(i);
    let mut s: String = (0..3)
        .map(|k| SYL[((h >> (k * 4)) & 15) as usize])
        .collect();
    // Capitalised; a number keeps every card's name its own.
    let first = s.remove(0).to_uppercase().to_string();
    format!("{first}{s} {}", i % 997)
}

fn project(dir: &Path, pairs: u64) {
    std::fs::create_dir_all(dir.join("sources")).unwrap();
    std::fs::write(
        dir.join("golive.toml"),
        "[project]\nname = \"bench\"\nregion = \"RU\"\n\
         [[source]]\nname = \"crm\"\npath = \"sources/crm.csv\"\n\
         [[source]]\nname = \"erp\"\npath = \"sources/erp.csv\"\n",
    )
    .unwrap();
    let mut crm =
        std::io::BufWriter::new(std::fs::File::create(dir.join("sources/crm.csv")).unwrap());
    let mut erp =
        std::io::BufWriter::new(std::fs::File::create(dir.join("sources/erp.csv")).unwrap());
    writeln!(crm, "Код,Наименование,Телефон,Email,Адрес").unwrap();
    writeln!(erp, "Код,Наименование,Телефон,Email,Адрес").unwrap();
    for i in 0..pairs {
        let h = mix(i ^ 0xabc);
        let (short, long) = FORMS[(h % 3) as usize];
        let n = name(i);
        let phone = 9_000_000 + (h >> 8) % 999_999;
        let domain = format!("firm{i}.ru");
        let street = format!(
            "ул. {} д. {}",
            name(i + 7).split(' ').next().unwrap_or(""),
            h % 90 + 1
        );
        writeln!(
            crm,
            "C{i:07},\"{short} \"\"{n}\"\"\",+7 495 {phone},info@{domain},\"Москва, {street}\""
        )
        .unwrap();
        writeln!(
            erp,
            "E{i:07},\"{long} {n}\",8 (495) {phone},sales@{domain},\"г. Москва, {street}\""
        )
        .unwrap();
    }
    crm.flush().unwrap();
    erp.flush().unwrap();
}

/// Every sheet of the workbook back as Excel would save it, with a decision
/// on every pair row (merge and keep apart by turns).
fn decide_everything(from: &Path, to: &Path) -> usize {
    let mut book: Xlsx<_> = calamine::open_workbook(from).unwrap();
    let mut out = rust_xlsxwriter::Workbook::new();
    let mut decided = 0;
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).unwrap();
        let ws = out.add_worksheet();
        ws.set_name(&name).unwrap();
        let decision = (0..range.width() as u32)
            .find(|&c| matches!(range.get_value((0, c)), Some(Data::String(s)) if s == "decision"));
        let pair_sheet = matches!(range.get_value((0, 0)), Some(Data::String(s)) if s == "pair_id");
        for (r, row) in range.rows().enumerate() {
            for (c, v) in row.iter().enumerate() {
                // Numbers stay numbers, as Excel saves them.
                match v {
                    Data::Empty => continue,
                    Data::String(s) => ws.write_string(r as u32, c as u16, s).unwrap(),
                    Data::Float(f) => ws.write_number(r as u32, c as u16, *f).unwrap(),
                    other => ws
                        .write_string(r as u32, c as u16, other.to_string())
                        .unwrap(),
                };
            }
            if let (true, Some(c), true) = (pair_sheet, decision, r >= 2) {
                let d = if r % 2 == 0 { "merge" } else { "keep apart" };
                ws.write_string(r as u32, c as u16, d).unwrap();
                decided += 1;
            }
        }
        if name == "golive" {
            ws.set_hidden(true);
        }
    }
    out.save(to).unwrap();
    decided
}

fn main() {
    let pairs: u64 = std::env::var("GOLIVE_BENCH_PAIRS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    project(&dir, pairs);
    let config = Config::load(&dir).unwrap();
    let t = Instant::now();
    pipeline::run(
        &config,
        &Stage::DATA,
        &Silent,
        &Default::default(),
        &mut |_, _| {},
    )
    .unwrap();
    println!(
        "run ({} rows): {:.1} s",
        pairs * 2,
        t.elapsed().as_secs_f64()
    );

    let mut ws = Workspace::open(&dir).unwrap();
    // The export's phases, then the export itself.
    let t = Instant::now();
    let set = review::collect(&ws, true).unwrap();
    let collect_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    review::workbook::write(&dir.join("phase.xlsx"), &set, Lang::En).unwrap();
    let workbook_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let page = review::html::page(&set, Lang::En);
    println!(
        "phases: collect {collect_s:.2} s, workbook {workbook_s:.2} s, page {:.2} s ({:.1} MB)",
        t.elapsed().as_secs_f64(),
        page.len() as f64 / 1e6
    );
    drop((set, page));
    let t = Instant::now();
    let r = review::export(&config, &mut ws, Lang::En, true, true).unwrap();
    let export_s = t.elapsed().as_secs_f64();
    let size = std::fs::metadata(&r.xlsx).unwrap().len();
    println!(
        "review export --all: {} pair rows, {} clusters, {:.1} MB xlsx: {export_s:.2} s",
        r.org_pairs + r.person_pairs,
        r.clusters,
        size as f64 / 1e6
    );

    let edited = dir.join("edited.xlsx");
    let decided = decide_everything(&r.xlsx, &edited);
    let t = Instant::now();
    review::import::read(&edited, "RU", "bench", "now").unwrap();
    println!("phases: read and check {:.2} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let imported = review::import::import(&config, &mut ws, &edited, Some("bench")).unwrap();
    let import_s = t.elapsed().as_secs_f64();
    println!(
        "review import: {decided} decisions ({} new): {import_s:.2} s",
        imported.stored.pairs.new
    );
}
