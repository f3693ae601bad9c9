//! Reliability through the real binary: closed pipes, files that lose rows,
//! formula injection, locks and interrupted runs.

use std::path::Path;
use std::process::Stdio;

mod common;
use common::golive;

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn project(dir: &Path, sources: &str) {
    std::fs::create_dir_all(dir.join("sources")).unwrap();
    std::fs::write(
        dir.join("golive.toml"),
        format!("[project]\nname = \"t\"\nregion = \"RU\"\n{sources}"),
    )
    .unwrap();
}

fn copy_fixture(dir: &Path, name: &str) {
    std::fs::copy(
        Path::new("tests/fixtures/ingest").join(name),
        dir.join("sources").join(name),
    )
    .unwrap();
}

/// Run golive with its stdout a pipe whose reader reads `lines` lines and goes
/// away (like `| head -N`); the exit code and stderr.
fn with_early_closing_reader(args: &[&str], stdin: Option<&[u8]>, lines: usize) -> (i32, String) {
    use std::io::{BufRead, Write};
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("golive"))
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let input = child.stdin.take();
    let data = stdin.map(<[u8]>::to_vec);
    let feeder = std::thread::spawn(move || {
        if let (Some(mut i), Some(d)) = (input, data) {
            let _ = i.write_all(&d);
        }
    });
    let out = child.stdout.take().unwrap();
    let mut reader = std::io::BufReader::new(out);
    for _ in 0..lines {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
    }
    drop(reader);
    let output = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    (output.status.code().unwrap_or(-1), stderr(&output))
}

#[test]
fn a_closed_pipe_ends_run_quietly_and_the_migration_completes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let d = dir.to_str().unwrap();
    project(
        dir,
        "[[source]]\nname = \"qb\"\npath = \"sources/quickbooks_customers.csv\"\n[[source]]\nname = \"sf\"\npath = \"sources/salesforce_accounts.csv\"\n[[source]]\nname = \"hs\"\npath = \"sources/hubspot_contacts.csv\"\n",
    );
    for f in [
        "quickbooks_customers.csv",
        "salesforce_accounts.csv",
        "hubspot_contacts.csv",
    ] {
        copy_fixture(dir, f);
    }
    let (code, err) = with_early_closing_reader(&["run", d], None, 0);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("panicked"), "{err}");
    // Every stage ran to its end although nobody read the report.
    assert!(dir.join("out/links.csv").exists());
    let status = stdout(&golive(&["status", d]));
    for s in ["qb ", "sf ", "hs "] {
        assert!(status.contains(s), "{status}");
    }
    assert!(
        status.contains("checked: every row is accounted for"),
        "{status}"
    );
    let (code, err) = with_early_closing_reader(&["status", d], None, 1);
    assert_eq!(code, 0, "{err}");
    assert_eq!(err, "");
}

#[test]
fn a_closed_pipe_ends_inspect_clean_and_dedupe_quietly() {
    let file = "tests/fixtures/ingest/quickbooks_customers.csv";
    for json in [false, true] {
        let mut args = vec!["inspect", file];
        if json {
            args.push("--json");
        }
        let (code, err) = with_early_closing_reader(&args, None, 1);
        assert_eq!(code, 0, "{err}");
        assert_eq!(err, "");
    }
    let phones: String = (0..200_000)
        .map(|i| format!("8 (495) {:03}-{:02}-{:02}\n", i % 1000, i % 100, i % 97))
        .collect();
    let (code, err) = with_early_closing_reader(
        &["clean", "phone", "--region", "RU"],
        Some(phones.as_bytes()),
        1,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(err, "");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("d");
    let (code, err) = with_early_closing_reader(
        &[
            "dedupe",
            file,
            "--id",
            "Customer",
            "--out",
            out.to_str().unwrap(),
        ],
        None,
        0,
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.join("clusters.csv").exists());
}

#[test]
fn an_unclosed_quote_costs_one_rejected_row_not_the_rest_of_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let d = dir.to_str().unwrap();
    project(dir, "[[source]]\nname = \"s\"\npath = \"sources/s.csv\"\n");
    std::fs::write(
        dir.join("sources/s.csv"),
        "Наименование;ИНН;Телефон\r\"ООО Ромашка;7707083893;+7 495 123-45-67\rАО Лютик;7702070139;+7 495 765-43-21\rЗАО Бета;7736050003;+7 812 111-22-33\r",
    )
    .unwrap();
    let run = golive(&["run", d]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(
        stdout(&run).contains("3 rows, 1 rejected"),
        "{}",
        stdout(&run)
    );
    let status = stdout(&golive(&["status", d]));
    assert!(
        status.contains("s row 2: a quote opened in column 1 on line 2 is never closed"),
        "{status}"
    );
    assert!(
        status.contains(
            "3 rows read = 0 blank + 1 rejected at ingest + 0 rejected at normalize + 2 parties"
        ),
        "{status}"
    );
}

#[test]
fn excel_damage_in_identifiers_is_flagged_and_kept_as_written() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let d = dir.to_str().unwrap();
    project(
        dir,
        "[[source]]\nname = \"s\"\npath = \"sources/s.csv\"\nprofile = \"generic-org-ru\"\n",
    );
    std::fs::write(
        dir.join("sources/s.csv"),
        "Наименование;ИНН;Телефон\nООО Ромашка;04.03.2012;7,91612E+10\nАО Лютик;7.707083893E+09;2012-03-04\n",
    )
    .unwrap();
    let run = golive(&["run", d]);
    assert!(run.status.success(), "{}", stderr(&run));
    let golden = std::fs::read_to_string(dir.join("out/golden.csv")).unwrap();
    assert!(
        !golden.contains("20120304"),
        "a date is no tax ID: {golden}"
    );
    assert!(
        !golden.contains("91612E+10;") && !golden.contains("7; 91612"),
        "{golden}"
    );
    assert!(golden.contains("7,91612E+10"), "kept as written: {golden}");
    // Every digit written, and the checksum agrees: read back.
    assert!(golden.contains("7707083893"), "{golden}");
    let status = stdout(&golive(&["status", d]));
    assert!(status.contains("excel_date_in_identifier"), "{status}");
    assert!(status.contains("excel_scientific_notation"), "{status}");
    assert!(!status.contains("phone_no_area_code"), "{status}");
}

#[test]
fn outputs_open_right_in_excel_and_scripts_can_turn_the_bom_off() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let d = dir.to_str().unwrap();
    let source = "[[source]]\nname = \"s\"\npath = \"sources/s.csv\"\n";
    project(dir, source);
    std::fs::write(
        dir.join("sources/s.csv"),
        "Наименование;ИНН;Телефон\n-2+3 ООО;7707083893;+7 495 123-45-67\n=1+1;0012345678;+1E5\n",
    )
    .unwrap();
    let run = golive(&["-q", "run", d]);
    assert!(run.status.success(), "{}", stderr(&run));
    for f in [
        "clusters.csv",
        "golden.csv",
        "links.csv",
        "created_organizations.csv",
    ] {
        let bytes = std::fs::read(dir.join("out").join(f)).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "{f} starts with a BOM");
    }
    let golden = std::fs::read_to_string(dir.join("out/golden.csv")).unwrap();
    assert!(golden.contains(",'-2+3 ООО,"), "{golden}");
    assert!(golden.contains(",'=1+1,"), "{golden}");
    assert!(
        golden.contains(",+74951234567,"),
        "an E.164 phone stays: {golden}"
    );
    // The workbook: every cell text, the same neutralization.
    let mut book = golive::ingest::sheet::Workbook::open(&dir.join("out/golden.xlsx")).unwrap();
    let rows: Vec<Vec<String>> = book
        .rows("golden")
        .unwrap()
        .map(|r| {
            r.cells
                .iter()
                .map(|c| match c {
                    golive::model::Cell::Text(s) => s.clone(),
                    golive::model::Cell::Empty(()) => String::new(),
                    other => panic!("not text: {other:?}"),
                })
                .collect()
        })
        .collect();
    assert_eq!(rows[0][0], "golden_id");
    assert!(
        rows.iter().any(|r| r.contains(&"+74951234567".to_string())),
        "{rows:?}"
    );
    assert!(
        rows.iter().any(|r| r.contains(&"'=1+1".to_string())),
        "{rows:?}"
    );

    project(dir, &format!("[output]\nbom = false\n{source}"));
    assert!(golive(&["-q", "run", d]).status.success());
    let bytes = std::fs::read(dir.join("out/clusters.csv")).unwrap();
    assert!(bytes.starts_with(b"source,"), "no BOM when turned off");
}

#[test]
fn a_second_run_waits_then_exits_2_naming_the_first() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let d = dir.to_str().unwrap();
    project(
        dir,
        "[[source]]\nname = \"qb\"\npath = \"sources/quickbooks_customers.csv\"\n",
    );
    copy_fixture(dir, "quickbooks_customers.csv");
    let held = golive::workspace::lock::RunLock::acquire(dir).unwrap();
    let second = golive(&["run", d]);
    assert_eq!(second.status.code(), Some(2));
    let err = stderr(&second);
    assert!(
        err.contains(&format!("another golive run is using {d} since ")),
        "{err}"
    );
    let status = stdout(&golive(&["status", d]));
    assert!(
        status.contains("a golive run is in progress since"),
        "{status}"
    );
    // The holder goes away without finishing: status says the run was cut short.
    drop(held);
    let status = stdout(&golive(&["status", d]));
    assert!(status.contains("the last run (started "), "{status}");
    assert!(golive(&["-q", "run", d]).status.success());
    let status = stdout(&golive(&["status", d]));
    assert!(!status.contains("the last run (started "), "{status}");
}

#[test]
fn a_leftover_read_only_shm_does_not_block_the_next_run() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let d = dir.to_str().unwrap();
    project(
        dir,
        "[[source]]\nname = \"qb\"\npath = \"sources/quickbooks_customers.csv\"\n",
    );
    copy_fixture(dir, "quickbooks_customers.csv");
    assert!(golive(&["-q", "run", d]).status.success());
    // A crash leaves the -shm behind; a copy or an unpacked backup can leave it read-only.
    let shm = dir.join(".golive/workspace.db-shm");
    std::fs::write(&shm, vec![0u8; 32_768]).unwrap();
    let mut perms = std::fs::metadata(&shm).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&shm, perms).unwrap();
    let again = golive(&["-q", "run", d]);
    assert!(again.status.success(), "{}", stderr(&again));
}

#[test]
fn a_source_removed_from_the_config_is_retired_and_leaves_the_outputs() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let d = dir.to_str().unwrap();
    let qb = "[[source]]\nname = \"qb\"\npath = \"sources/quickbooks_customers.csv\"\n";
    let sf = "[[source]]\nname = \"sf\"\npath = \"sources/salesforce_accounts.csv\"\n";
    project(dir, &format!("{qb}{sf}"));
    copy_fixture(dir, "quickbooks_customers.csv");
    copy_fixture(dir, "salesforce_accounts.csv");
    assert!(golive(&["-q", "run", d]).status.success());
    let clusters = std::fs::read_to_string(dir.join("out/clusters.csv")).unwrap();
    assert!(clusters.contains("\nsf,"), "{clusters}");

    project(dir, qb);
    let run = golive(&["run", d]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(
        stdout(&run).contains("sf: retired (version 2)"),
        "{}",
        stdout(&run)
    );
    let clusters = std::fs::read_to_string(dir.join("out/clusters.csv")).unwrap();
    assert!(!clusters.contains("\nsf,"), "{clusters}");
    let status = stdout(&golive(&["status", d]));
    assert!(
        status.contains("v2 retired: no longer in golive.toml"),
        "{status}"
    );
    assert!(
        status.contains("since v1: ") && status.contains(" gone"),
        "{status}"
    );

    // Configured but not ingested yet: said so.
    project(
        dir,
        &format!("{qb}{sf}[[source]]\nname = \"x\"\npath = \"sources/xero_contacts.csv\"\n"),
    );
    copy_fixture(dir, "xero_contacts.csv");
    let status = stdout(&golive(&["status", d]));
    assert!(
        status.contains("x                not ingested yet"),
        "{status}"
    );
    // Back in the config: read again as a new version.
    let run = golive(&["run", d]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(stdout(&run).contains("sf: version 3"), "{}", stdout(&run));
}

#[test]
fn a_source_with_every_row_rejected_fails_the_run_at_the_end() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let d = dir.to_str().unwrap();
    project(
        dir,
        "[[source]]\nname = \"qb\"\npath = \"sources/quickbooks_customers.csv\"\n[[source]]\nname = \"bad\"\npath = \"sources/bad.csv\"\n",
    );
    copy_fixture(dir, "quickbooks_customers.csv");
    std::fs::write(
        dir.join("sources/bad.csv"),
        "Наименование;ИНН\nООО Ромашка;7707083893;x;y\nАО Лютик;7702070139;x;y\n",
    )
    .unwrap();
    let run = golive(&["run", d]);
    assert_eq!(run.status.code(), Some(1), "{}", stdout(&run));
    let err = stderr(&run);
    assert!(
        err.contains("bad: all 2 rows rejected (the first: row has 4 fields"),
        "{err}"
    );
    // The other sources went all the way through.
    assert!(dir.join("out/golden.csv").exists());
}

/// golden_id by the name column of out/golden.csv.
fn golden_ids_by_name(dir: &Path) -> std::collections::BTreeMap<String, String> {
    let mut r = csv::Reader::from_path(dir.join("out/golden.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |n: &str| {
        h.iter()
            .position(|x| x.trim_start_matches('\u{feff}') == n)
            .unwrap()
    };
    let (id, name) = (col("golden_id"), col("name"));
    r.records()
        .map(|x| x.unwrap())
        .map(|x| (x[name].to_string(), x[id].to_string()))
        .collect()
}

#[test]
fn golden_ids_stay_with_their_companies_when_rows_move() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let d = dir.to_str().unwrap();
    project(dir, "[[source]]\nname = \"s\"\npath = \"sources/s.csv\"\n");
    let rows = [
        "Ёжик ООО;7707083893;+7 495 123-45-67",
        "ЗАО Бета;7736050003;+7 812 111-22-33",
        "АО Лютик;7702070139;+7 495 765-43-21",
    ];
    let write = |rows: &[&str]| {
        std::fs::write(
            dir.join("sources/s.csv"),
            format!("Наименование;ИНН;Телефон\n{}\n", rows.join("\n")),
        )
        .unwrap()
    };
    write(&rows);
    assert!(golive(&["-q", "run", d]).status.success());
    let before = golden_ids_by_name(dir);
    assert_eq!(before.len(), 3, "{before:?}");

    let mut inserted = vec!["ООО Новая;7725092557;+7 495 000-00-01"];
    inserted.extend(rows);
    write(&inserted);
    let run = golive(&["-q", "run", d]);
    assert!(run.status.success(), "{}", stderr(&run));
    let after = golden_ids_by_name(dir);
    for (name, id) in &before {
        assert_eq!(after.get(name), Some(id), "{name} keeps its ID");
    }
    let status = stdout(&golive(&["status", d]));
    assert!(
        status.contains("since v1: 1 added, 0 changed, 0 gone"),
        "{status}"
    );
    assert!(status.contains("keyed by row number: unstable"), "{status}");
}

#[test]
fn inspect_json_errors_are_json_and_clean_refuses_a_workbook() {
    let out = golive(&["inspect", "tests/fixtures/ingest/garbage.csv", "--json"]);
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["error"].as_str().is_some_and(|e| !e.is_empty()), "{v}");
    let out = golive(&[
        "clean",
        "phone",
        "--column",
        "Телефон",
        "tests/fixtures/ingest/1c_partners.xlsx",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(stderr(&out).contains("is a workbook"), "{}", stderr(&out));
}
