//! Normalization throughput: 1,000,000 mixed RU/JP/EN rows with every field
//! (name, tax ID, phones, e-mail, website, address) through the same
//! `build_party` the normalize stage runs, and phone normalization alone.
//!
//! `cargo bench --bench normalize` (size: GOLIVE_BENCH_ROWS).

use golive::model::Cell;
use golive::model::{Field, Kind, PhoneRole, Provenance};
use golive::normalize::party::{PartyContext, build_party};
use golive::normalize::phone::{PhoneOptions, normalize_phones};
use golive::normalize::{address, email, org, person, tax_id, web};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::time::Instant;

/// The allocator the `golive` binary uses (src/main.rs), so the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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

/// Runs `work` (over `n` items) `reps` times and prints `| what | n | median | best | unit`.
fn repeat(what: &str, n: usize, reps: usize, unit: &str, mut work: impl FnMut()) {
    let mut rates: Vec<f64> = (0..reps.max(1))
        .map(|_| {
            let t = Instant::now();
            work();
            n as f64 / t.elapsed().as_secs_f64()
        })
        .collect();
    rates.sort_by(f64::total_cmp);
    let median = rates[rates.len() / 2];
    let best = rates[rates.len() - 1];
    println!("| {what} | {n} | median {median:.0} | best {best:.0} | {unit}");
}

/// Each normalizer alone on the same rows (1 thread): where a row's time goes.
fn per_field(rows: &[(Kind, Vec<Cell>)], n: usize) {
    let text = |c: &Cell| match c {
        Cell::Text(s) => s.clone(),
        _ => String::new(),
    };
    let column =
        |k: usize| -> Vec<String> { rows.iter().take(n).map(|(_, c)| text(&c[k])).collect() };
    let regions = ["RU", "JP", "US", "RU"];
    let time = |what: &str, f: &dyn Fn(usize, &str) -> usize, values: &[String]| {
        let t = Instant::now();
        let sink: usize = values
            .iter()
            .enumerate()
            .filter(|(_, v)| !v.is_empty())
            .map(|(i, v)| f(i, v))
            .sum();
        let ns = t.elapsed().as_secs_f64() * 1e9 / values.len() as f64;
        println!("| {what} | {ns:.0} ns per row | ({sink}) |");
    };
    let names = column(0);
    let (people, orgs): (Vec<_>, Vec<_>) = names.iter().enumerate().partition(|(i, _)| i % 4 == 3);
    let people: Vec<String> = people.into_iter().map(|(_, v)| v.clone()).collect();
    let orgs: Vec<String> = orgs.into_iter().map(|(_, v)| v.clone()).collect();
    time(
        "  company name (per company)",
        &|_, v| org::normalize_org_name(v).match_key.len(),
        &orgs,
    );
    time(
        "  person name (per person)",
        &|_, v| {
            person::normalize_person_name(v, person::NameOrder::Auto)
                .family
                .len()
        },
        &people,
    );
    time(
        "  tax ID",
        &|i, v| tax_id::normalize_tax_ids(v, Field::TaxId, regions[i % 4]).len(),
        &column(1),
    );
    time(
        "  phones",
        &|i, v| {
            let opts = PhoneOptions {
                region: regions[i % 4],
                default_area_code: None,
                role: PhoneRole::Phone,
            };
            normalize_phones(v, &opts).len()
        },
        &column(2),
    );
    time(
        "  e-mail",
        &|_, v| email::normalize_emails(v).len(),
        &column(3),
    );
    time(
        "  website",
        &|_, v| web::registrable_domain(v).map_or(0, |d| d.len()),
        &column(4),
    );
    time(
        "  address",
        &|_, v| address::address_key(v).len(),
        &column(5),
    );
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
        labels: &[],
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
    // The machine is a shared 2-core VM whose speed drifts by ±10 % from minute to
    // minute: each figure is measured several times, and the median and best reported.
    let reps: usize = std::env::var("GOLIVE_BENCH_REPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let valid = rows
        .iter()
        .enumerate()
        .filter(|r| build(*r).0.phones.iter().all(|ph| ph.valid))
        .count();
    repeat(
        &format!(
            "normalize rows, all fields, rayon ({} threads)",
            rayon::current_num_threads()
        ),
        n,
        reps,
        &format!("rows/s | ({valid} with all phones valid)"),
        || {
            rows.par_iter().enumerate().for_each(|r| drop(build(r)));
        },
    );
    repeat(
        "normalize rows, all fields, 1 thread",
        n / 4,
        reps,
        "rows/s |",
        || {
            rows.iter()
                .enumerate()
                .take(n / 4)
                .for_each(|r| drop(build(r)));
        },
    );

    per_field(&rows, n / 4);

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
    let ok = phones
        .iter()
        .filter(|p| normalize_phones(p, &opts).iter().all(|x| x.valid))
        .count();
    let unit = format!("numbers/s | ({ok} valid)");
    repeat("phones (RU), 1 thread", n, reps, &unit, || {
        phones.iter().for_each(|p| drop(normalize_phones(p, &opts)));
    });
    repeat("phones (RU), rayon", n, reps, &unit, || {
        phones
            .par_iter()
            .for_each(|p| drop(normalize_phones(p, &opts)));
    });
}
