//! Normalization throughput: 1,000,000 mixed RU/JP/EN rows with every field
//! (name, tax ID, phones, e-mail, website, address) through the same
//! `build_party` the normalize stage runs, and phone normalization alone.
//!
//! `cargo bench --bench normalize` (size: GOLIVE_BENCH_ROWS).

use golive::ingest::cell::Cell;
use golive::model::{Field, Kind, PhoneRole, Provenance};
use golive::normalize::party::{PartyContext, build_party};
use golive::normalize::phone::{PhoneOptions, normalize_phones};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::time::Instant;

const FIELDS: [Field; 7] = [
    Field::Name,
    Field::TaxId,
    Field::Phone,
    Field::Email,
    Field::Website,
    Field::Address,
    Field::Notes,
];

fn row(i: usize) -> (Kind, Vec<Cell>) {
    let t = |s: String| Cell::Text(s);
    let (kind, cells) = match i % 4 {
        0 => (
            Kind::Organization,
            [
                format!("ООО «Ромашка {}»", i % 50_000),
                "7707083893".into(),
                format!(
                    "8 (495) {:03}-{:02}-{:02} доб. {}",
                    i % 1000,
                    i % 100,
                    (i / 7) % 100,
                    i % 50
                ),
                format!("info@romashka{}.ru", i % 9000),
                format!("https://www.romashka{}.ru/", i % 9000),
                format!("г. Москва, ул. Ленина, д. {}", i % 300),
                String::new(),
            ],
        ),
        1 => (
            Kind::Organization,
            [
                format!("(株)山田商事{}", i % 40_000),
                "4011001098993".into(),
                format!("０３－{:04}－{:04}", i % 10_000, (i / 3) % 10_000),
                format!("sales{}@yamada-shoji.co.jp", i % 100),
                "http://yamada-shoji.co.jp".into(),
                "東京都中央区日本橋1-2-3".into(),
                "メモ".into(),
            ],
        ),
        2 => (
            Kind::Organization,
            [
                format!("ACME WIDGETS {}, INC.", i % 30_000),
                "12-3456789".into(),
                format!("(312) 555-{:04} x{}", i % 10_000, i % 90),
                format!("orders{}@acmewidgets.com", i % 700),
                "acmewidgets.com".into(),
                "100 N Riverside Plaza, Chicago, IL 60606".into(),
                String::new(),
            ],
        ),
        _ => (
            Kind::Person,
            [
                "Иванов Иван Иванович".into(),
                String::new(),
                format!(
                    "+7 916 {:03}-{:02}-{:02}; 8 812 123 45 67",
                    i % 1000,
                    i % 100,
                    (i / 11) % 100
                ),
                format!("ivanov{}@mail.ru", i % 5000),
                String::new(),
                String::new(),
                String::new(),
            ],
        ),
    };
    (
        kind,
        cells
            .into_iter()
            .map(|s| if s.is_empty() { Cell::EMPTY } else { t(s) })
            .collect(),
    )
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let n: usize = std::env::var("GOLIVE_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let rows: Vec<(Kind, Vec<Cell>)> = (0..n).map(row).collect();
    let headers: Vec<String> = FIELDS.iter().map(|f| f.to_string()).collect();
    let fields: Vec<Option<Field>> = FIELDS.iter().map(|f| Some(*f)).collect();
    let fallback = vec!["JP".to_string(), "RU".to_string(), "US".to_string()];
    let separators = BTreeMap::new();
    // Each kind of row comes from a source of its own country, as in a project.
    let ctx = |region| PartyContext {
        region,
        default_area_code: None,
        headers: &headers,
        fields: &fields,
        ranks: &[],
        key_field: None,
        fallback_regions: &fallback,
        separators: &separators,
    };
    let contexts = [ctx("RU"), ctx("JP"), ctx("US"), ctx("RU")];
    let build = |(i, (kind, cells)): (usize, &(Kind, Vec<Cell>))| {
        build_party(
            Provenance::default(),
            *kind,
            cells,
            Vec::new(),
            &contexts[i % 4],
        )
    };

    // Warm the lazily built tables (phone metadata, legal forms) outside the timing.
    rows.iter()
        .enumerate()
        .take(1000)
        .for_each(|r| drop(build(r)));
    let t = Instant::now();
    let valid = rows
        .par_iter()
        .enumerate()
        .map(build)
        .filter(|(p, _)| p.phones.iter().all(|ph| ph.valid))
        .count();
    let secs = t.elapsed().as_secs_f64();
    println!(
        "| normalize rows, all fields, rayon ({} threads) | {n} | {secs:.2} s | {:.0} rows/s | ({valid} with all phones valid)",
        rayon::current_num_threads(),
        n as f64 / secs
    );
    let t = Instant::now();
    let one = rows
        .iter()
        .enumerate()
        .take(n / 4)
        .filter(|r| build(*r).1.is_none())
        .count();
    let secs1 = t.elapsed().as_secs_f64();
    println!(
        "| normalize rows, all fields, 1 thread | {one} | {secs1:.2} s | {:.0} rows/s |",
        one as f64 / secs1
    );

    let phones: Vec<String> = (0..n)
        .map(|i| match i % 4 {
            0 => format!(
                "8 (495) {:03}-{:02}-{:02}",
                i % 1000,
                i % 100,
                (i / 7) % 100
            ),
            1 => format!("+7 916 {:03} {:02} {:02}", i % 1000, i % 100, (i / 7) % 100),
            2 => format!(
                "8-812-{:03}-{:02}-{:02} доб. 12",
                i % 1000,
                i % 100,
                (i / 7) % 100
            ),
            _ => format!("8495{:07}", i % 10_000_000),
        })
        .collect();
    let opts = PhoneOptions {
        region: "RU",
        default_area_code: None,
        role: PhoneRole::Phone,
    };
    let t = Instant::now();
    let ok = phones
        .iter()
        .filter(|p| normalize_phones(p, &opts).iter().all(|x| x.valid))
        .count();
    let secs = t.elapsed().as_secs_f64();
    println!(
        "| phones (RU), 1 thread | {n} | {secs:.2} s | {:.0} numbers/s | ({ok} valid)",
        n as f64 / secs
    );
    let t = Instant::now();
    let ok = phones
        .par_iter()
        .filter(|p| normalize_phones(p, &opts).iter().all(|x| x.valid))
        .count();
    let secs = t.elapsed().as_secs_f64();
    println!(
        "| phones (RU), rayon | {n} | {secs:.2} s | {:.0} numbers/s | ({ok} valid)",
        n as f64 / secs
    );
}
