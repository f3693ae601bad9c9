//! The load stage at scale: a project of 1,000,000 distinct organizations and
//! 300,000 contact persons who name their company, run through every stage
//! (not timed as the load), then `golive load` planned and written for
//! Salesforce (two files linked by external ID) and Odoo (one file, companies
//! before contacts) — a first load (everything created), a dry run, and a
//! re-load with nothing changed — through the library call the command makes.
//!
//! Then the API loader's throughput against the local HubSpot of the tests
//! (tests/hubspot_server) with its burst limit set: requests per second kept
//! busy against the limit, and the most requests any rolling window saw.
//!
//! `cargo bench --bench load` (sizes: GOLIVE_BENCH_ORGS, GOLIVE_BENCH_PERSONS;
//! the API part: GOLIVE_BENCH_API_ORGS, GOLIVE_BENCH_API_PERSONS).

#[path = "../tests/bitrix24_server/mod.rs"]
mod bitrix24_server;
#[path = "../tests/hubspot_server/mod.rs"]
mod hubspot_server;
#[path = "../tests/mock_http/mod.rs"]
mod mock_http;

use golive::config::Config;
use golive::pipeline::load::{LoadOptions, run};
use golive::pipeline::{self, Stage};
use golive::progress::Silent;
use golive::workspace::Workspace;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

/// As the golive binary (src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SYL: [&str; 16] = [
    "ра", "мо", "ка", "ши", "лен", "то", "ви", "бер", "дан", "ол", "экс", "про", "тек", "нор",
    "зу", "гал",
];
const GIVEN: [&str; 8] = [
    "Иван",
    "Анна",
    "Пётр",
    "Ольга",
    "Сергей",
    "Мария",
    "Дмитрий",
    "Елена",
];
const FAMILY: [&str; 8] = [
    "Иванов",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Соколов",
    "Лебедев",
    "Козлов",
    "Новиков",
];

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A company name of its own: three syllables and the card's number.
fn org_name(i: u64) -> String {
    let h = mix(i);
    let mut s: String = (0..3)
        .map(|k| SYL[((h >> (k * 4)) & 15) as usize])
        .collect();
    let first = s.remove(0).to_uppercase().to_string();
    format!("{first}{s} {i}")
}

fn project(dir: &Path, orgs: u64, persons: u64, target: &str) {
    std::fs::create_dir_all(dir.join("sources")).unwrap();
    std::fs::write(
        dir.join("golive.toml"),
        format!(
            "[project]\nname = \"bench\"\nregion = \"RU\"\n\
             [[source]]\nname = \"erp\"\npath = \"sources/erp.csv\"\nprofile = \"generic-org-ru\"\n\
             [[source]]\nname = \"contacts\"\npath = \"sources/contacts.csv\"\n\
             profile = \"generic-contacts-ru\"\nkind = \"person\"\n\
             [target]\n{target}\n"
        ),
    )
    .unwrap();
    let mut erp =
        std::io::BufWriter::new(std::fs::File::create(dir.join("sources/erp.csv")).unwrap());
    writeln!(erp, "Код,Наименование,Телефон,Email,Адрес").unwrap();
    for i in 0..orgs {
        let h = mix(i ^ 0xabc);
        writeln!(
            erp,
            "E{i:07},\"ООО \"\"{}\"\"\",+7 495 {},info@firm{i}.ru,\"Москва, ул. Лесная, д. {}\"",
            org_name(i),
            1_000_000 + i,
            h % 90 + 1
        )
        .unwrap();
    }
    erp.flush().unwrap();
    let mut contacts =
        std::io::BufWriter::new(std::fs::File::create(dir.join("sources/contacts.csv")).unwrap());
    writeln!(contacts, "Код,ФИО,Компания,Должность,Email").unwrap();
    for i in 0..persons {
        let h = mix(i ^ 0x5eed);
        let org = h % orgs;
        writeln!(
            contacts,
            "P{i:07},{} {},\"ООО \"\"{}\"\"\",менеджер,p{i}@firm{org}.ru",
            FAMILY[(h >> 8) as usize % 8],
            GIVEN[(h >> 12) as usize % 8],
            org_name(org)
        )
        .unwrap();
    }
    contacts.flush().unwrap();
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let env = |k: &str, d: u64| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let (orgs, persons) = (
        env("GOLIVE_BENCH_ORGS", 1_000_000),
        env("GOLIVE_BENCH_PERSONS", 300_000),
    );
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    project(&dir, orgs, persons, "crm = \"salesforce\"");
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
        "run ({orgs} organizations, {persons} persons): {:.1} s (setup, not the load)",
        t.elapsed().as_secs_f64()
    );

    let mut ws = Workspace::open(&dir).unwrap();
    let mut time = |label: &str, target: &str, dry_run: bool| {
        let options = LoadOptions {
            dry_run,
            target: Some(target.to_string()),
            all: false,
            ..LoadOptions::default()
        };
        let t = Instant::now();
        let r = run(&config, &mut ws, &Silent, &options).unwrap();
        let secs = t.elapsed().as_secs_f64();
        let counts: Vec<String> = r
            .summary
            .entities
            .iter()
            .map(|e| format!("{} {}/{}/{}", e.entity, e.create, e.update, e.unchanged))
            .collect();
        let rows: usize = r.files.iter().map(|f| f.rows).sum();
        println!(
            "{label:<32} {secs:>6.2} s  create/update/unchanged: {}; {} files, {rows} rows",
            counts.join(", "),
            r.files.len(),
        );
    };
    time("salesforce: dry run", "salesforce", true);
    time("salesforce: first load", "salesforce", false);
    time("salesforce: re-load, no change", "salesforce", false);
    time("odoo: first load", "odoo", false);
    drop(ws);
    drop(tmp);
    api_throughput(
        env("GOLIVE_BENCH_API_ORGS", 20_000),
        env("GOLIVE_BENCH_API_PERSONS", 6_000),
    );
    bitrix24_throughput(
        env("GOLIVE_BENCH_BITRIX_ORGS", 1_000),
        env("GOLIVE_BENCH_BITRIX_PERSONS", 300),
    );
}

/// The Bitrix24 loader against a portal whose leaky bucket holds 50 requests and
/// drains 2 per second, answering each call in 200 ms.
fn bitrix24_throughput(orgs: u64, persons: u64) {
    let server = bitrix24_server::Server::start(bitrix24_server::Options {
        latency: std::time::Duration::from_millis(200),
        ..Default::default()
    });
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    project(&dir, orgs, persons, "crm = \"bitrix24\"\nmode = \"api\"");
    let config = Config::load(&dir).unwrap();
    pipeline::run(
        &config,
        &Stage::DATA,
        &Silent,
        &Default::default(),
        &mut |_, _| {},
    )
    .unwrap();
    let mut ws = Workspace::open(&dir).unwrap();
    // SAFETY: no other thread of this process reads the environment now.
    unsafe { std::env::set_var("BITRIX24_WEBHOOK_URL", &server.webhook) };
    let t = Instant::now();
    let r = run(&config, &mut ws, &Silent, &LoadOptions::default()).unwrap();
    let secs = t.elapsed().as_secs_f64();
    let s = server.state.lock().unwrap();
    let api = r.api.unwrap_or_default();
    let rate = s.requests as f64 / secs;
    println!(
        "bitrix24 API, {orgs} organizations + {persons} persons: {} requests in {secs:.1} s; \
         {rate:.2} requests/s of 2 allowed ({:.1} %); answered 503 QUERY_LIMIT_EXCEEDED: {}",
        s.requests,
        rate / 2.0 * 100.0,
        s.throttled
    );
    assert_eq!(api.errors, 0);
}

/// The API loader against a HubSpot that allows 100 requests per rolling 10 s
/// (a private app on Free/Starter) and takes 200 ms to answer a batch.
fn api_throughput(orgs: u64, persons: u64) {
    let (allowed, window) = (100usize, std::time::Duration::from_secs(10));
    let server = hubspot_server::Server::start(hubspot_server::Options {
        token: "bench-token".into(),
        limit: (allowed, window),
        latency: std::time::Duration::from_millis(200),
        ..Default::default()
    });
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    let target = format!(
        "crm = \"hubspot\"\nmode = \"api\"\napi_url = \"{}\"\nrate_limit = \"{allowed}/10s\"",
        server.url
    );
    project(&dir, orgs, persons, &target);
    let config = Config::load(&dir).unwrap();
    pipeline::run(
        &config,
        &Stage::DATA,
        &Silent,
        &Default::default(),
        &mut |_, _| {},
    )
    .unwrap();
    let mut ws = Workspace::open(&dir).unwrap();
    // SAFETY: set before any thread of this process reads the environment.
    unsafe { std::env::set_var("HUBSPOT_ACCESS_TOKEN", "bench-token") };
    let t = Instant::now();
    let r = run(&config, &mut ws, &Silent, &LoadOptions::default()).unwrap();
    let secs = t.elapsed().as_secs_f64();
    let s = server.state.lock().unwrap();
    let arrivals = &s.arrivals;
    let busiest = arrivals
        .iter()
        .enumerate()
        .map(|(i, a)| {
            arrivals[i..]
                .iter()
                .take_while(|b| b.duration_since(*a) < window)
                .count()
        })
        .max()
        .unwrap_or(0);
    let span = arrivals
        .last()
        .zip(arrivals.first())
        .map_or(0.0, |(l, f)| l.duration_since(*f).as_secs_f64());
    let rate = (arrivals.len().saturating_sub(1)) as f64 / span.max(1e-9);
    let allowed_rate = allowed as f64 / window.as_secs_f64();
    let api = r.api.unwrap_or_default();
    println!(
        "hubspot API, {orgs} organizations + {persons} persons: {} requests in {secs:.1} s; \
         {rate:.2} requests/s of {allowed_rate:.1} allowed ({:.1} %); busiest rolling 10 s \
         {busiest} (limit {allowed}); answered 429 for the limit: {}",
        api.requests,
        rate / allowed_rate * 100.0,
        s.over_limit
    );
}
