//! `golive run` end to end and `golive report` through the real binary on
//! samples/demo: the accounting proved against rows counted here from the
//! files themselves, the report's languages, rehearsals with --from/--until,
//! the load stage dry by default and for real with --load, a delta run that
//! plans only what changed, and the page rendered in headless Chromium.

use calamine::{Data, Reader, Xlsx};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

mod common;
use common::{copy_dir, dump_dom, golive, headless, ok};

/// samples/demo copied, with `extra` appended to its golive.toml (not run).
fn demo(extra: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    copy_dir(Path::new("samples/demo"), &dir);
    let toml = dir.join("golive.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(&toml, format!("{text}\n{extra}\n")).unwrap();
    (tmp, dir)
}

fn report(dir: &Path) -> Value {
    let text = std::fs::read_to_string(dir.join("out/report.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn source<'a>(r: &'a Value, name: &str) -> &'a Value {
    r["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no source {name} in {r}"))
}

fn int(v: &Value) -> i64 {
    v.as_i64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn csv_reader(path: &Path) -> csv::Reader<std::fs::File> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)
        .unwrap()
}

fn csv_records(path: &Path) -> Vec<csv::StringRecord> {
    csv_reader(path).records().map(Result::unwrap).collect()
}

/// Data rows under the header of a CSV: every record after the first, read
/// as bytes (CP932 and UTF-8 keep commas, quotes and newlines as ASCII).
fn csv_data_rows(path: &Path) -> i64 {
    csv_reader(path).byte_records().map(Result::unwrap).count() as i64 - 1
}

/// Data rows under the header of an XLSX sheet, blank ones included: the
/// header is the first row with at least three filled cells.
fn xlsx_data_rows(path: &Path) -> i64 {
    let mut book: Xlsx<_> = calamine::open_workbook(path).unwrap();
    let sheet = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&sheet).unwrap();
    let rows: Vec<_> = range.rows().collect();
    let filled = |r: &[Data]| {
        r.iter()
            .filter(|c| !c.to_string().trim().is_empty())
            .count()
    };
    let header = rows.iter().position(|r| filled(r) >= 3).unwrap();
    (rows.len() - header - 1) as i64
}

const FUNNEL: [&str; 11] = [
    "name",
    "file",
    "rows_read",
    "blank",
    "rejected",
    "parties",
    "merged",
    "golden",
    "linked",
    "planned",
    "loaded",
];

#[test]
fn the_main_command_accounts_for_every_demo_row_and_reports_it() {
    let (_tmp, dir) = demo("");
    let d = dir.to_str().unwrap();
    // README: `cargo run --release -- run samples/demo`
    let said = ok(&["run", d, "--lang", "en"]);
    assert!(said.contains("Every row is accounted for"), "{said}");
    let r = report(&dir);
    assert_eq!(r["accounting"]["ok"], true, "{r}");
    assert_eq!(r["accounting"]["missing"], Value::Array(vec![]));

    // Rows read, counted here from the files, not from golive.
    let files = [
        (
            "1c",
            xlsx_data_rows(&dir.join("sources/1c_kontragenty.xlsx")),
        ),
        (
            "contacts",
            xlsx_data_rows(&dir.join("sources/contacts.xlsx")),
        ),
        (
            "freee",
            csv_data_rows(&dir.join("sources/freee_torihikisaki.csv")),
        ),
        (
            "qbo",
            csv_data_rows(&dir.join("sources/quickbooks_customers.csv")),
        ),
    ];
    assert_eq!(r["sources"].as_array().unwrap().len(), files.len());
    for (name, rows) in files {
        let s = source(&r, name);
        for key in FUNNEL {
            assert!(s.get(key).is_some(), "{name}: no `{key}` in {s}");
        }
        assert_eq!(int(&s["rows_read"]), rows, "{name}: {s}");
        // No target: the golden records stand for themselves.
        assert_eq!(
            int(&s["rows_read"]),
            int(&s["blank"]) + int(&s["rejected"]) + int(&s["merged"]) + int(&s["golden"]),
            "{name}: {s}"
        );
        assert_eq!(
            int(&s["parties"]),
            int(&s["merged"]) + int(&s["golden"]),
            "{s}"
        );
        assert_eq!(s["planned"], Value::Null, "no [target]: nothing planned");
    }
    // The demo's known faults: one blank and one nameless contact row, one
    // QuickBooks row with a stray delimiter.
    assert_eq!(int(&source(&r, "contacts")["blank"]), 1);
    assert_eq!(int(&source(&r, "contacts")["rejected"]), 1);
    assert_eq!(int(&source(&r, "qbo")["rejected"]), 1);
    assert!(int(&source(&r, "contacts")["linked"]) > 30, "{r}");

    // The rejects, row by row, with their original cells.
    let rejects_file = dir.join("out/rejects.csv");
    let bom = std::fs::read(&rejects_file).unwrap();
    assert!(bom.starts_with(b"\xEF\xBB\xBFsource,"), "a BOM for Excel");
    let rejects = csv_records(&rejects_file);
    let header: Vec<&str> = rejects[0].iter().collect();
    assert_eq!(header[..5], ["source", "file", "sheet", "row", "reason"]);
    let rejected: i64 = ["1c", "contacts", "freee", "qbo"]
        .iter()
        .map(|n| int(&source(&r, n)["rejected"]))
        .sum();
    assert_eq!(rejects.len() as i64 - 1, rejected);
    let qbo = rejects.iter().find(|x| &x[0] == "qbo").unwrap();
    assert_eq!(
        (&qbo[1], &qbo[3]),
        ("sources/quickbooks_customers.csv", "14")
    );
    assert!(qbo[4].contains("13 fields"), "{qbo:?}");
    let company = header.iter().position(|h| *h == "Company").unwrap();
    assert_eq!(&qbo[company], "Wayne Enterprises Inc");
    let reasons: i64 = r["rejects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| int(&c["count"]))
        .sum();
    assert_eq!(reasons, rejected);

    // Duplicates: the golden records are the rows of out/golden.csv.
    let golden_rows = csv_data_rows(&dir.join("out/golden.csv"));
    assert_eq!(int(&r["duplicates"]["golden_records"]), golden_rows);
    // What a consultant reads there: identifiers by type, title, notes, extra columns.
    let golden = csv_records(&dir.join("out/golden.csv"));
    let col = |name: &str| golden[0].iter().position(|h| h == name).unwrap();
    let by_name = |name: &str| {
        golden[1..]
            .iter()
            .find(|g| &g[col("name")] == name)
            .unwrap_or_else(|| panic!("no {name} in golden.csv"))
    };
    let romashka = by_name("Ромашка ООО");
    assert_eq!(&romashka[col("tax_ids")], "inn:7724012349; kpp:772401001");
    assert!(romashka[col("extra")].contains("Код: 00-000002"));
    assert!(!romashka[col("notes")].is_empty());
    assert_eq!(
        &by_name("Кузнецов Алексей Викторович")[col("title")],
        "коммерческий директор"
    );
    assert!(by_name("山田商事")[col("tax_ids")].starts_with("jp_invoice:T"));
    let sized: i64 = r["duplicates"]["sizes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| int(&p[0]) * int(&p[1]))
        .sum();
    let parties_and_second: i64 = r["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| int(&s["parties"]) + int(&s["second_parties"]))
        .sum();
    assert_eq!(
        sized, parties_and_second,
        "every party in one golden record"
    );
    assert!(int(&r["duplicates"]["merged_clusters"]) > 5, "{r}");
    assert!(!r["duplicates"]["largest"].as_array().unwrap().is_empty());

    // Quality, links, timings.
    let flags: BTreeMap<String, i64> = r["quality"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["code"].as_str().unwrap().to_string(), int(&f["count"])))
        .collect();
    assert!(!flags.is_empty(), "{r}");
    // Each flag row by row in out/flags.csv, the rows the report counts.
    let listed = csv_records(&dir.join("out/flags.csv"));
    let header: Vec<&str> = listed[0].iter().collect();
    assert_eq!(
        header[..7],
        ["source", "file", "sheet", "row", "field", "flag", "value"]
    );
    let line = |source: &str, row: &str, flag: &str| {
        listed[1..]
            .iter()
            .find(|l| &l[0] == source && &l[3] == row && &l[5] == flag)
            .unwrap_or_else(|| panic!("no {flag} on {source} row {row}: {listed:?}"))
            .clone()
    };
    assert_eq!(&line("1c", "15", "tax_id_checksum")[6], "7703012341");
    assert_eq!(&line("1c", "43", "phone_invalid")[4], "phone");
    let mut rows_with: BTreeMap<(String, String), std::collections::BTreeSet<(String, String)>> =
        BTreeMap::new();
    for l in &listed[1..] {
        rows_with
            .entry((l[5].to_string(), l[4].to_string()))
            .or_default()
            .insert((l[0].to_string(), l[7].to_string()));
    }
    for f in r["quality"].as_array().unwrap() {
        let key = (
            f["code"].as_str().unwrap().to_string(),
            f["field"].as_str().unwrap().to_string(),
        );
        let rows = rows_with.get(&key).map_or(0, |r| r.len() as i64);
        assert_eq!(
            rows,
            int(&f["count"]),
            "{key:?}: rows in flags.csv vs the report"
        );
    }
    let linked: i64 = r["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| int(&c["count"]))
        .sum();
    assert!(linked >= int(&source(&r, "contacts")["linked"]), "{r}");
    let stages: Vec<&str> = r["timings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t[0].as_str().unwrap())
        .collect();
    // Every stage before the report: its own time is not known while it writes.
    assert_eq!(stages, ["ingest", "normalize", "match", "link", "load"]);
    assert!(dir.join("out/report.html").is_file());
}

#[test]
fn a_row_that_reached_no_golden_record_fails_the_report_and_is_named() {
    let (_tmp, dir) = demo("");
    let d = dir.to_str().unwrap();
    ok(&["-q", "run", d, "--until", "normalize"]);
    let o = golive(&["report", d, "--lang", "en"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("not every row is accounted for"), "{err}");
    assert!(
        err.contains("(key `") && err.contains("run `golive match`"),
        "{err}"
    );
    let r = report(&dir);
    assert_eq!(r["accounting"]["ok"], false);
    assert!(!r["accounting"]["missing"].as_array().unwrap().is_empty());
}

#[test]
fn the_report_speaks_english_russian_and_japanese() {
    let (_tmp, dir) = demo("");
    let d = dir.to_str().unwrap();
    ok(&["-q", "run", d]);
    for (lang, title, rows_read) in [
        ("en", "Migration report", "Rows read"),
        ("ru", "Отчёт о миграции", "Прочитано"),
        ("ja", "移行レポート", "読み込み行"),
    ] {
        let said = ok(&["report", d, "--lang", lang]);
        assert!(said.starts_with(title), "{lang}: {said}");
        assert!(said.contains(rows_read), "{lang}: {said}");
        let page = std::fs::read_to_string(dir.join("out/report.html")).unwrap();
        assert!(page.contains(&format!("<html lang=\"{lang}\">")), "{lang}");
        assert!(page.contains(title), "{lang}");
        assert_eq!(report(&dir)["lang"], lang);
    }
    // The project's region (RU) decides without --lang.
    assert!(ok(&["report", d]).starts_with("Отчёт о миграции"));
    let o = golive(&["report", d, "--lang", "de"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_rehearsal_runs_from_and_until_a_stage() {
    let (_tmp, dir) = demo("");
    let d = dir.to_str().unwrap();
    let said = ok(&["run", d, "--until", "match"]);
    let stages = |said: &str| -> Vec<String> {
        said.lines()
            .filter_map(|l| l.split([' ', ':']).next())
            .filter(|w| ["ingest", "normalize", "match", "link", "load", "report"].contains(w))
            .map(str::to_string)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect()
    };
    assert_eq!(stages(&said), ["ingest", "match", "normalize"], "{said}");
    assert!(!dir.join("out/report.json").exists());
    let said = ok(&["run", d, "--from", "link", "--lang", "en"]);
    assert_eq!(stages(&said), ["link", "load"], "{said}");
    assert!(said.contains("Migration report"), "{said}");
    assert_eq!(report(&dir)["accounting"]["ok"], true);
    let o = golive(&["run", d, "--from", "report", "--until", "ingest"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--from comes after --until"));
}

/// (entity, action) → count in out/load-plan.csv.
fn plan_counts(dir: &Path) -> BTreeMap<(String, String), i64> {
    let mut counts = BTreeMap::new();
    for r in &csv_records(&dir.join("out/load-plan.csv"))[1..] {
        *counts
            .entry((r[0].to_string(), r[2].to_string()))
            .or_default() += 1;
    }
    counts
}

fn load_entity<'a>(r: &'a Value, entity: &str) -> &'a Value {
    r["load"]["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["entity"] == entity)
        .unwrap_or_else(|| panic!("no {entity} in {}", r["load"]))
}

fn total(r: &Value, key: &str) -> i64 {
    r["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s[key].as_i64().unwrap_or(0))
        .sum()
}

#[test]
fn the_run_plans_a_dry_load_and_loads_with_load() {
    let (_tmp, dir) = demo("[target]\ncrm = \"salesforce\"");
    let d = dir.to_str().unwrap();
    ok(&["-q", "run", d]);
    let r = report(&dir);
    assert_eq!(r["accounting"]["ok"], true, "{r}");
    assert_eq!(r["load"]["dry_run"], true);
    assert_eq!(r["load"]["target"], "salesforce");
    assert!(
        !dir.join("out/load").exists(),
        "a dry run writes no import file"
    );
    assert_eq!(total(&r, "loaded"), 0);
    for name in ["1c", "contacts", "freee", "qbo"] {
        let s = source(&r, name);
        assert_eq!(
            int(&s["rows_read"]),
            int(&s["blank"])
                + int(&s["rejected"])
                + int(&s["merged"])
                + int(&s["planned"])
                + int(&s["skipped"]),
            "{s}"
        );
    }
    let plan = plan_counts(&dir);
    let planned_orgs = plan[&("organization".to_string(), "create".to_string())];
    assert_eq!(
        int(&load_entity(&r, "organization")["create"]),
        planned_orgs
    );

    let said = ok(&["run", d, "--load", "--lang", "en"]);
    assert!(said.contains("Load → salesforce: Loaded"), "{said}");
    let r = report(&dir);
    assert_eq!(r["load"]["dry_run"], false);
    assert!(dir.join("out/load/salesforce/Account.csv").is_file());
    assert_eq!(total(&r, "loaded"), total(&r, "planned"), "{r}");

    // Run again: nothing new to send, everything still loaded.
    ok(&["-q", "run", d]);
    let r = report(&dir);
    for e in ["organization", "person"] {
        assert_eq!(int(&load_entity(&r, e)["create"]), 0, "{r}");
        assert_eq!(int(&load_entity(&r, e)["update"]), 0, "{r}");
    }
    assert_eq!(total(&r, "loaded"), total(&r, "planned"));
}

#[test]
fn a_delta_run_plans_only_what_changed_and_the_report_says_so() {
    let (_tmp, dir) = demo("[target]\ncrm = \"salesforce\"");
    let d = dir.to_str().unwrap();
    ok(&["-q", "run", d, "--load"]);
    let before = report(&dir);
    assert_eq!(before["changes"], Value::Array(vec![]), "first versions");

    // The fresh QuickBooks export: one phone changed, one customer gone, one new.
    let qbo = dir.join("sources/quickbooks_customers.csv");
    let text = std::fs::read_to_string(&qbo).unwrap();
    assert!(text.contains("+1 (212) 555-0177") && text.contains("\nTyrell Corp,"));
    let mut lines: Vec<String> = text
        .replace("+1 (212) 555-0177", "+1 (212) 555-0178")
        .lines()
        .filter(|l| !l.starts_with("Tyrell Corp,"))
        .map(str::to_string)
        .collect();
    lines.push(
        "Oscorp Industries,Oscorp Industries,1 Oscorp Plaza,Albany,NY,USA,12207,(518) 555-0110,office@oscorp.example,,0.00,"
            .into(),
    );
    std::fs::write(&qbo, lines.join("\n") + "\n").unwrap();

    let said = ok(&["run", d, "--lang", "en"]);
    let r = report(&dir);
    assert_eq!(r["accounting"]["ok"], true, "{r}");
    let changes = r["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "only qbo changed: {changes:?}");
    assert_eq!(changes[0]["source"], "qbo");
    assert_eq!(
        (
            int(&changes[0]["added"]),
            int(&changes[0]["changed"]),
            int(&changes[0]["gone"])
        ),
        (1, 1, 1),
        "{changes:?}"
    );
    // What that means in the CRM: one create, one update, the gone one kept.
    let orgs = load_entity(&r, "organization");
    assert_eq!(
        (int(&orgs["create"]), int(&orgs["update"])),
        (1, 1),
        "{orgs}"
    );
    let persons = load_entity(&r, "person");
    assert_eq!(
        (int(&persons["create"]), int(&persons["update"])),
        (0, 0),
        "{persons}"
    );
    let reasons: Vec<&str> = r["load"]["skip_reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["label"].as_str().unwrap())
        .collect();
    assert!(
        reasons.iter().any(|x| x.contains("not deleted")),
        "{reasons:?}"
    );
    let plan = plan_counts(&dir);
    let sent: i64 = plan
        .iter()
        .filter(|((_, a), _)| a == "create" || a == "update")
        .map(|(_, n)| n)
        .sum();
    assert_eq!(sent, 2, "{plan:?}");
    let page = std::fs::read_to_string(dir.join("out/report.html")).unwrap();
    assert!(
        page.contains("Changes since the previous version"),
        "{said}"
    );

    ok(&["-q", "run", d, "--load"]);
    let account = csv_records(&dir.join("out/load/salesforce/Account.csv"));
    assert_eq!(
        account.len(),
        3,
        "the new and the changed organization only"
    );
}

/// The RGB(A) pixels of an 8-bit PNG (the screenshot Chromium writes).
fn png_pixels(png: &[u8]) -> (usize, Vec<[u8; 3]>) {
    use std::io::Read;
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    let (mut at, mut width, mut channels, mut idat) = (8, 0, 0, Vec::new());
    while at + 8 <= png.len() {
        let len = u32::from_be_bytes(png[at..at + 4].try_into().unwrap()) as usize;
        let kind = &png[at + 4..at + 8];
        let data = &png[at + 8..at + 8 + len];
        match kind {
            b"IHDR" => {
                width = u32::from_be_bytes(data[0..4].try_into().unwrap()) as usize;
                assert_eq!(data[8], 8, "8-bit channels");
                channels = match data[9] {
                    2 => 3,
                    6 => 4,
                    t => panic!("colour type {t}"),
                };
            }
            b"IDAT" => idat.extend_from_slice(data),
            _ => {}
        }
        at += 12 + len;
    }
    let mut raw = Vec::new();
    flate2::read::ZlibDecoder::new(idat.as_slice())
        .read_to_end(&mut raw)
        .unwrap();
    let stride = width * channels;
    let mut prev = vec![0u8; stride];
    let mut pixels = Vec::new();
    for line in raw.chunks(stride + 1) {
        let (filter, row) = (line[0], &line[1..]);
        let mut cur = vec![0u8; stride];
        for i in 0..stride {
            let a = if i >= channels { cur[i - channels] } else { 0 };
            let b = prev[i];
            let c = if i >= channels { prev[i - channels] } else { 0 };
            let predicted = match filter {
                0 => 0,
                1 => a,
                2 => b,
                3 => ((u16::from(a) + u16::from(b)) / 2) as u8,
                4 => {
                    let p = i16::from(a) + i16::from(b) - i16::from(c);
                    let (pa, pb, pc) = (
                        (p - i16::from(a)).abs(),
                        (p - i16::from(b)).abs(),
                        (p - i16::from(c)).abs(),
                    );
                    if pa <= pb && pa <= pc {
                        a
                    } else if pb <= pc {
                        b
                    } else {
                        c
                    }
                }
                f => panic!("PNG filter {f}"),
            };
            cur[i] = row[i].wrapping_add(predicted);
        }
        pixels.extend(cur.chunks(channels).map(|p| [p[0], p[1], p[2]]));
        prev = cur;
    }
    (width, pixels)
}

#[test]
fn the_report_page_renders_in_headless_chromium() {
    let (tmp, dir) = demo("[target]\ncrm = \"salesforce\"");
    let d = dir.to_str().unwrap();
    ok(&["-q", "run", d, "--lang", "ja"]);
    let page = dir.join("out/report.html");
    let html = std::fs::read_to_string(&page).unwrap();
    for remote in ["http://", "https://", "<script", "<link"] {
        assert!(!html.contains(remote), "self-contained: {remote}");
    }
    let dom = dump_dom(&tmp.path().join("profile-dom"), &page);
    assert!(dom.contains("移行レポート"));
    let charts = dom.matches("<svg class=\"chart\"").count();
    assert!(charts >= 4, "{charts} charts");
    assert!(dom.matches("<rect class=\"bar").count() > 10);

    // The charts are drawn: the bars' colour (#4c78a8) fills pixels on screen.
    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-page.png");
    let _ = std::fs::remove_file(&shot);
    let o = headless(&tmp.path().join("profile-shot"))
        .arg("--window-size=1400,3000")
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let png = std::fs::read(&shot).unwrap();
    let (width, pixels) = png_pixels(&png);
    assert_eq!(width, 1400);
    let near = |p: &[u8; 3], q: [u8; 3]| p.iter().zip(q).all(|(a, b)| a.abs_diff(b) <= 6);
    let bar = pixels
        .iter()
        .filter(|p| near(p, [0x4c, 0x78, 0xa8]))
        .count();
    assert!(bar > 2_000, "{bar} pixels in the bar colour");
}

/// The cells of rejects.csv's row from `source`.
fn cells_of<'a>(rows: &'a mut [Vec<String>], source: &str) -> &'a mut Vec<String> {
    rows.iter_mut().find(|r| r[0] == source).unwrap()
}

#[test]
fn rejected_rows_fixed_in_rejects_csv_come_in_in_their_place() {
    let (_tmp, dir) = demo("");
    let d = dir.to_str().unwrap();
    ok(&["-q", "run", d]);
    let before = report(&dir);
    let read_before: Vec<i64> = ["1c", "contacts", "freee", "qbo"]
        .iter()
        .map(|n| int(&source(&before, n)["rows_read"]))
        .collect();

    // The steward fixes both rows in the file golive wrote and drops it into sources/.
    let records = csv_records(&dir.join("out/rejects.csv"));
    let header: Vec<String> = records[0].iter().map(str::to_string).collect();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let mut rows: Vec<Vec<String>> = records[1..]
        .iter()
        .map(|r| r.iter().map(str::to_string).collect())
        .collect();
    assert_eq!(rows.len(), 2, "{rows:?}");
    cells_of(&mut rows, "contacts")[at("ФИО")] = "Смирнова Ольга Петровна".into();
    // "1007 Mountain Dr, Suite 5" split the street in two: join it, shift back.
    let qbo = cells_of(&mut rows, "qbo");
    let street = at("Street Address");
    qbo[street] = format!("{},{}", qbo[street], qbo[street + 1]);
    qbo.remove(street + 1);
    qbo.push(String::new());
    let mut w = csv::Writer::from_path(dir.join("sources/rejects.csv")).unwrap();
    w.write_record(&header).unwrap();
    for r in &rows {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();

    let said = ok(&["run", d, "--lang", "en"]);
    assert!(
        said.contains("fixed rejects read from sources/rejects.csv"),
        "{said}"
    );
    assert!(
        said.contains("1 rejected row(s) read from their fix"),
        "{said}"
    );
    let after = report(&dir);
    assert_eq!(after["accounting"]["ok"], true, "{after}");
    for (name, read) in ["1c", "contacts", "freee", "qbo"].iter().zip(&read_before) {
        let s = source(&after, name);
        assert_eq!(
            int(&s["rows_read"]),
            *read,
            "a fix takes its row's place: {s}"
        );
        assert_eq!(int(&s["rejected"]), 0, "{s}");
    }
    let names: Vec<&str> = after["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["1c", "contacts", "freee", "qbo"],
        "the fixes are no source"
    );
    let golden = std::fs::read_to_string(dir.join("out/golden.csv")).unwrap();
    assert!(golden.contains("Смирнова Ольга Петровна"));
    assert!(golden.contains("Wayne Enterprises"), "{golden}");
    assert!(
        !dir.join("out/rejects.csv").exists()
            || csv_records(&dir.join("out/rejects.csv")).len() <= 1
    );

    // Unchanged fixes and files: nothing read again.
    let said = ok(&["run", d, "--until", "ingest"]);
    assert!(said.contains("qbo: unchanged"), "{said}");
    // Without the fixes the rows are rejected again, as their files say.
    std::fs::remove_file(dir.join("sources/rejects.csv")).unwrap();
    ok(&["-q", "run", d]);
    let again = report(&dir);
    assert_eq!(int(&source(&again, "qbo")["rejected"]), 1);
    assert_eq!(int(&source(&again, "contacts")["rejected"]), 1);
}
