//! The stage layer's promises, through the real binary: golden records read
//! back as rows from a fresh process, stored pairs explained exactly as
//! `dedupe --explain` explains them, and an accounting that finds rows lost
//! behind golive's back.

use golive::matching::Explanation;
use golive::workspace::Workspace;
use std::path::Path;

mod common;
use common::golive;

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The demo project, copied so its workspace starts empty.
fn demo(dir: &Path) {
    let copy = |from: &Path, to: &Path| {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_file() {
                std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
            }
        }
    };
    copy(Path::new("samples/demo"), dir);
    copy(Path::new("samples/demo/sources"), &dir.join("sources"));
}

fn companies_project(dir: &Path) {
    std::fs::create_dir_all(dir.join("sources")).unwrap();
    std::fs::copy(
        "tests/fixtures/stages/companies.csv",
        dir.join("sources/companies.csv"),
    )
    .unwrap();
    std::fs::write(
        dir.join("golive.toml"),
        "[project]\nname = \"t\"\nregion = \"US\"\n[[source]]\nname = \"companies\"\npath = \"sources/companies.csv\"\nprofile = \"generic-org-en\"\n",
    )
    .unwrap();
}

#[test]
fn golden_members_read_back_as_rows_after_a_fresh_start() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    demo(dir);
    let run = golive(&["run", dir.to_str().unwrap(), "--quiet"]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    // clusters.csv is the run's own view: source, key → golden id.
    let clusters = std::fs::read_to_string(dir.join("out/clusters.csv")).unwrap();
    let mut by_golden: std::collections::BTreeMap<String, Vec<(String, String)>> =
        Default::default();
    for line in clusters.trim_start_matches('\u{feff}').lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        by_golden
            .entry(f[3].to_string())
            .or_default()
            .push((f[0].to_string(), f[1].to_string()));
    }
    let (golden_id, members) = by_golden
        .iter()
        .find(|(_, m)| m.len() >= 2)
        .expect("the demo has a golden record merged from duplicates");
    // This test process never ran match: it reads the workspace as a later stage would.
    let ws = Workspace::open(dir).unwrap();
    let rows = ws.golden_members(golden_id).unwrap();
    let mut got: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r.source.clone(), r.source_key.clone()))
        .collect();
    let mut want = members.clone();
    got.sort();
    want.sort();
    assert_eq!(got, want);
    for r in &rows {
        assert!(r.file.starts_with("sources/"), "{r:?}");
        assert!(r.row_number >= 1, "{r:?}");
        let again = ws.row_by_key(&r.source, &r.source_key).unwrap().unwrap();
        assert_eq!(again.row_number, r.row_number);
    }
    // Spreadsheet members name their sheet.
    let workbook = ws.golden_members(golden_id).unwrap();
    assert!(
        workbook
            .iter()
            .all(|r| r.file.ends_with(".csv") || r.sheet.is_some()),
        "{workbook:?}"
    );
}

#[test]
fn a_stored_pair_is_explained_exactly_as_dedupe_explains_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    companies_project(dir);
    let run = golive(&["run", dir.to_str().unwrap(), "--quiet"]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let ws = Workspace::open(dir).unwrap();
    let row = |key: &str| ws.row_by_key("companies", key).unwrap().unwrap().row_id;
    let stored = ws
        .stored_pair(row("8"), row("9"))
        .unwrap()
        .expect("Northwind's two cards are a stored pair");
    let explanation: Explanation = serde_json::from_str(&stored.explanation_json).unwrap();
    assert_eq!(stored.levels.len(), 13, "one level per comparison field");
    assert!(ws.last_match_params().unwrap().is_some());

    let out = tmp.path().join("dedupe");
    let dedupe = golive(&[
        "dedupe",
        "tests/fixtures/stages/companies.csv",
        "--id",
        "ID",
        "--map",
        "Company=name",
        "--map",
        "Zip=postal_code",
        "--region",
        "US",
        "--out",
        out.to_str().unwrap(),
        "--explain",
        "8",
        "9",
    ]);
    assert!(dedupe.status.success(), "{}", text(&dedupe.stderr));
    let said = text(&dedupe.stdout);
    let line = said
        .lines()
        .find_map(|l| l.strip_prefix("8 ~ 9: "))
        .expect("dedupe --explain prints the pair");
    assert_eq!(explanation.to_string(), line);
    assert!((stored.score - explanation.score).abs() < 1e-9);
}

#[test]
fn status_names_a_party_row_deleted_behind_goliveʼs_back() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    demo(dir);
    let d = dir.to_str().unwrap();
    assert!(golive(&["run", d, "--quiet"]).status.success());
    let status = golive(&["status", d]);
    assert!(status.status.success(), "{}", text(&status.stderr));
    let said = text(&status.stdout);
    assert!(
        said.contains(
            "131 rows read = 1 blank + 1 rejected at ingest + 1 rejected at normalize + 128 parties"
        ),
        "{said}"
    );
    assert!(
        said.contains("checked: every row is accounted for"),
        "{said}"
    );

    // Someone deletes one party in the workspace.
    let db = rusqlite::Connection::open(dir.join(".golive/workspace.db")).unwrap();
    let (row_id, key, number): (i64, String, i64) = db
        .query_row(
            "SELECT r.id, r.source_key, r.row_number FROM parties p JOIN rows r ON r.id = p.row_id
             JOIN tables t ON t.id = r.table_id JOIN source_versions v ON v.id = t.version_id
             JOIN sources s ON s.id = v.source_id WHERE s.name = 'freee' AND p.reject IS NULL
             ORDER BY r.id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    db.execute("DELETE FROM parties WHERE row_id = ?1", [row_id])
        .unwrap();
    drop(db);

    let status = golive(&["status", d]);
    assert_eq!(status.status.code(), Some(1), "a gap is an error");
    let said = text(&status.stdout);
    assert!(said.contains("+ 1 without a party"), "{said}");
    let gap = said
        .lines()
        .find(|l| l.contains("GAP:"))
        .unwrap_or_else(|| panic!("no GAP line: {said}"));
    assert!(
        gap.contains(&format!("row {number} (key `{key}`)")) && gap.contains("freee"),
        "{gap}"
    );
    assert!(text(&status.stderr).contains("not every row is accounted for"));
    // The next stage refuses to build on the gap; normalize closes it.
    let matched = golive(&["match", d, "--quiet"]);
    assert!(!matched.status.success());
    assert!(golive(&["normalize", d, "--quiet"]).status.success());
    assert!(golive(&["status", d]).status.success());
}

#[test]
fn a_corrupt_stored_row_is_an_error_not_a_nameless_reject() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    companies_project(dir);
    let d = dir.to_str().unwrap();
    assert!(golive(&["ingest", d, "--quiet"]).status.success());
    let db = rusqlite::Connection::open(dir.join(".golive/workspace.db")).unwrap();
    db.execute(
        "UPDATE rows SET cells = '[{\"broken' WHERE source_key = '3'",
        [],
    )
    .unwrap();
    drop(db);
    let normalize = golive(&["normalize", d]);
    assert_eq!(normalize.status.code(), Some(2));
    let err = text(&normalize.stderr);
    assert!(
        err.contains("companies row 4 (key `3`)") && err.contains("unreadable"),
        "{err}"
    );
}

/// What a stage line of `golive run` says: passed over, or its own summary.
fn passed_over(said: &str, stage: &str) -> bool {
    said.lines()
        .any(|l| l.starts_with(&format!("{stage}: up to date, passed over")))
}

#[test]
fn a_failed_run_resumes_at_the_stage_that_failed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    demo(dir);
    let toml = dir.join("golive.toml");
    let text_of = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(
        &toml,
        format!("{text_of}\n[target]\ncrm = \"hubspot\"\nmode = \"api\"\n"),
    )
    .unwrap();
    let d = dir.to_str().unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("golive"))
            .args(args)
            .env_remove("HUBSPOT_ACCESS_TOKEN")
            .output()
            .unwrap()
    };

    // The load fails (no token) after match and link did their work.
    let failed = run(&["run", d, "--load"]);
    assert_eq!(failed.status.code(), Some(2));
    let err = text(&failed.stderr);
    assert!(err.contains("HUBSPOT_ACCESS_TOKEN"), "{err}");
    assert!(err.contains("the same command resumes at load"), "{err}");
    let said = text(&failed.stdout);
    assert!(said.contains("match: 134 parties"), "{said}");

    // Run again: the data stages are passed over, the load goes on.
    let again = run(&["run", d]);
    assert!(again.status.success(), "{}", text(&again.stderr));
    let said = text(&again.stdout);
    for stage in ["normalize", "match", "link"] {
        assert!(passed_over(&said, stage), "{stage}: {said}");
    }
    assert!(said.contains("load plan (dry run"), "{said}");
    let golden = std::fs::read(dir.join("out/golden.csv")).unwrap();

    // A file of the match gone from out/: the match runs again, not normalize.
    std::fs::remove_file(dir.join("out/golden.csv")).unwrap();
    let said = text(&run(&["run", d]).stdout);
    assert!(passed_over(&said, "normalize"), "{said}");
    assert!(
        !passed_over(&said, "match") && !passed_over(&said, "link"),
        "{said}"
    );
    assert_eq!(std::fs::read(dir.join("out/golden.csv")).unwrap(), golden);

    // A mapping profile of the project's own: normalize maps with it, so it
    // and everything after it run again.
    std::fs::create_dir_all(dir.join("mappings")).unwrap();
    let profile = std::fs::read_to_string("mappings/generic-org-en.toml")
        .unwrap()
        .replace("name = \"generic-org-en\"", "name = \"house-org\"");
    std::fs::write(dir.join("mappings/house-org.toml"), profile).unwrap();
    let said = text(&run(&["run", d]).stdout);
    for stage in ["normalize", "match", "link"] {
        assert!(!passed_over(&said, stage), "{stage}: {said}");
    }
    assert!(passed_over(&text(&run(&["run", d]).stdout), "link"));

    // golive.toml changed: everything after ingest runs again; so does
    // everything after --from.
    std::fs::write(
        &toml,
        format!("# rehearsal 2\n{}", std::fs::read_to_string(&toml).unwrap()),
    )
    .unwrap();
    let said = text(&run(&["run", d]).stdout);
    assert!(!passed_over(&said, "normalize"), "{said}");
    let said = text(&run(&["run", d, "--from", "normalize"]).stdout);
    assert!(
        !said.contains("passed over") && said.contains("normalize: "),
        "{said}"
    );

    // A steward's decision (as `review import` stores it) changes what match
    // reads, not what normalize reads.
    let db = rusqlite::Connection::open(dir.join(".golive/workspace.db")).unwrap();
    db.execute(
        "INSERT INTO take_outs (source, key, golden_id, decided_by, decided_at, note)
         VALUES ('contacts', 'no such key', 'G0', 'steward', '2026-12-06T00:00:00Z', '')",
        [],
    )
    .unwrap();
    drop(db);
    let said = text(&run(&["run", d]).stdout);
    assert!(passed_over(&said, "normalize"), "{said}");
    assert!(!passed_over(&said, "match"), "{said}");
}

#[test]
fn a_rerun_with_one_changed_source_normalizes_only_that_source_and_ends_as_a_fresh_run() {
    let tmp = tempfile::tempdir().unwrap();
    let (again, fresh) = (tmp.path().join("again"), tmp.path().join("fresh"));
    demo(&again);
    let run = |dir: &Path| {
        let out = golive(&["run", dir.to_str().unwrap()]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    let said = run(&again);
    assert!(!said.contains("kept from"), "{said}");
    let change = |dir: &Path| {
        let qbo = dir.join("sources/quickbooks_customers.csv");
        let t = std::fs::read_to_string(&qbo).unwrap();
        assert!(t.contains("+1 (212) 555-0177"));
        std::fs::write(&qbo, t.replace("+1 (212) 555-0177", "+1 (212) 555-0178")).unwrap();
    };
    change(&again);
    let said = run(&again);
    let line = said
        .lines()
        .find(|l| l.starts_with("normalize:"))
        .unwrap_or_else(|| panic!("{said}"));
    assert!(line.contains("kept from 3 unchanged table(s)"), "{line}");

    demo(&fresh);
    change(&fresh);
    run(&fresh);
    for file in [
        "golden.csv",
        "clusters.csv",
        "links.csv",
        "flags.csv",
        "rejects.csv",
    ] {
        assert_eq!(
            std::fs::read(again.join("out").join(file)).unwrap(),
            std::fs::read(fresh.join("out").join(file)).unwrap(),
            "{file}"
        );
    }
    let status = golive(&["status", again.to_str().unwrap()]);
    assert!(status.status.success(), "{}", text(&status.stdout));
}
