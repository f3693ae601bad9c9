//! A migration project end to end through the real binary: init, run, status,
//! re-runs, changed sources, and errors that leave the workspace as it was.

use std::path::Path;

mod common;
use common::{copy_dir, golive};

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
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

#[test]
fn init_writes_a_skeleton_that_runs_and_refuses_to_overwrite() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("m");
    let d = dir.to_str().unwrap();
    assert!(golive(&["init", d]).status.success());
    assert!(
        std::fs::read_to_string(dir.join("golive.toml"))
            .unwrap()
            .contains("[[source]]")
    );
    let again = golive(&["init", d]);
    assert_eq!(again.status.code(), Some(2));
    // No sources yet: a clear error, not a crash.
    let run = golive(&["run", d]);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("no [[source]]"));
}

#[test]
fn init_registers_the_files_already_in_sources_with_their_profiles() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("m");
    copy_dir(Path::new("samples/demo/sources"), &dir.join("sources"));
    std::fs::write(dir.join("sources/notes.pdf"), "%PDF-1.4").unwrap();
    std::fs::write(
        dir.join("sources/rejects.csv"),
        "source,file,sheet,row,reason,Name\n",
    )
    .unwrap();
    let d = dir.to_str().unwrap();
    let o = golive(&["init", d]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let said = stdout(&o);
    assert!(said.contains("registered 4 source(s)"), "{said}");
    assert!(said.contains("passed over sources/notes.pdf"), "{said}");
    let toml = std::fs::read_to_string(dir.join("golive.toml")).unwrap();
    let sources: Vec<&str> = toml.lines().filter(|l| l.starts_with("path = ")).collect();
    assert_eq!(
        sources,
        [
            "path = \"sources/1c_kontragenty.xlsx\"",
            "path = \"sources/contacts.xlsx\"",
            "path = \"sources/freee_torihikisaki.csv\"",
            "path = \"sources/quickbooks_customers.csv\"",
        ],
        "{toml}"
    );
    for profile in [
        "1c-counterparties",
        "generic-contacts-ru",
        "freee-partners",
        "quickbooks-customers",
    ] {
        assert!(toml.contains(&format!("profile = \"{profile}\"")), "{toml}");
    }
    // The project it wrote runs as it is, every row accounted for.
    let run = golive(&["-q", "run", d]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("out/report.json")).unwrap()).unwrap();
    assert_eq!(report["accounting"]["ok"], true);
    assert_eq!(report["sources"].as_array().unwrap().len(), 4);
}

#[test]
fn run_is_idempotent_and_status_shows_counts_changes_and_rejects() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let d = dir.to_str().unwrap();
    project(
        dir,
        "[[source]]\nname = \"qb\"\npath = \"sources/quickbooks_customers.csv\"\n[[source]]\npath = \"sources/*.xlsx\"\nname = \"x\"\n",
    );
    copy_fixture(dir, "quickbooks_customers.csv");
    copy_fixture(dir, "1c_counterparties_title.xlsx");
    copy_fixture(dir, "damaged_numbers_ru.xlsx");

    let first = golive(&["run", d]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let out = stdout(&first);
    assert!(
        out.contains("qb: version 1, profile quickbooks-customers, 7 rows, 1 rejected"),
        "{out}"
    );
    assert!(
        out.contains("x/1c_counterparties_title [TDSheet]: version 1"),
        "{out}"
    );

    let second = stdout(&golive(&["run", d]));
    assert!(second.contains("qb: unchanged (version 1)"), "{second}");
    let db = std::fs::read(dir.join(".golive/workspace.db")).unwrap();
    let status = stdout(&golive(&["status", d]));
    assert!(
        status.contains("qb ") && status.contains("7 rows"),
        "{status}"
    );
    assert!(status.contains("qb row 6: row has 13 fields"), "{status}");
    assert!(status.contains("excel_number_in_identifier"), "{status}");
    assert!(
        status.contains(
            "19 rows read = 0 blank + 1 rejected at ingest + 0 rejected at normalize + 18 parties"
        ),
        "{status}"
    );

    // Edit the CSV: one row changed, one gone, one added.
    let path = dir.join("sources/quickbooks_customers.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    lines[1] = lines[1].replace("60606", "60607");
    lines.remove(2);
    lines.push("Brand New LLC,Brand New LLC,1 Main St,Austin,TX,USA,73301,512-555-0100,hi@brandnew.com,,0.00,".into());
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let third = stdout(&golive(&["ingest", d]));
    assert!(third.contains("qb: version 2"), "{third}");
    let status = stdout(&golive(&["status", d]));
    assert!(
        status.contains("since v1: 1 added, 1 changed, 1 gone"),
        "{status}"
    );
    assert_ne!(db, std::fs::read(dir.join(".golive/workspace.db")).unwrap());
}

#[test]
fn a_fatal_error_leaves_the_workspace_as_it_was() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let d = dir.to_str().unwrap();
    project(
        dir,
        "[[source]]\nname = \"a\"\npath = \"sources/xero_contacts.csv\"\n[[source]]\nname = \"b\"\npath = \"sources/garbage.csv\"\n",
    );
    copy_fixture(dir, "xero_contacts.csv");
    copy_fixture(dir, "garbage.csv");
    let run = golive(&["ingest", d]);
    assert_eq!(run.status.code(), Some(2));
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(err.contains("garbage.csv"), "{err}");
    // `a` was committed before `b` failed; `b` left nothing behind.
    let status = stdout(&golive(&["status", d]));
    assert!(
        status.contains("a ")
            && !status.contains("\n  b                v")
            && status.contains("not ingested yet (sources/garbage.csv)"),
        "{status}"
    );
}

#[test]
fn config_errors_name_the_line_and_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    project(
        dir,
        "[[source]]\npath = \"sources/a.csv\"\nprofle = \"x\"\n",
    );
    let out = golive(&["run", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("golive.toml:6:") && err.contains("profle"),
        "{err}"
    );
}

#[test]
fn the_demo_runs_twice_with_the_same_result() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    copy_dir(Path::new("samples/demo"), &dir);
    let d = dir.to_str().unwrap();
    let first = golive(&["run", d]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let status1 = stdout(&golive(&["status", d]));
    assert!(golive(&["run", d]).status.success());
    let status2 = stdout(&golive(&["status", d]));
    assert_eq!(status1, status2);
    for source in ["1c ", "freee ", "qbo ", "contacts "] {
        assert!(status1.contains(source), "{status1}");
    }
}

fn golden_of(clusters: &str, source: &str, key: &str) -> String {
    clusters
        .lines()
        .find(|l| l.starts_with(&format!("{source},{key},")))
        .unwrap_or_else(|| panic!("{source}:{key} not in clusters.csv"))
        .rsplit(',')
        .next()
        .unwrap()
        .to_string()
}

#[test]
fn match_writes_clusters_and_golden_records_and_obeys_steward_decisions() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    copy_dir(Path::new("samples/demo"), &dir);
    let d = dir.to_str().unwrap();
    assert!(golive(&["-q", "run", d]).status.success());
    let clusters = std::fs::read_to_string(dir.join("out/clusters.csv")).unwrap();
    let golden = std::fs::read_to_string(dir.join("out/golden.csv")).unwrap();
    // A BOM first, so Excel reads the UTF-8 as UTF-8.
    assert!(clusters.starts_with("\u{feff}source,source_key,kind,golden_id\r\n"));
    assert!(golden.starts_with("\u{feff}golden_id,kind,members,name,"));
    // Every party has a row; every golden id in clusters.csv has a record.
    let status = stdout(&golive(&["status", d]));
    let parties: usize = status
        .lines()
        .find_map(|l| l.trim().strip_prefix("parties: "))
        .and_then(|s| s.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert_eq!(clusters.lines().count() - 1, parties);
    for line in clusters.lines().skip(1) {
        let g = line.rsplit(',').next().unwrap();
        assert!(
            golden.contains(&format!("\n{g},")),
            "{g} has no golden record"
        );
    }
    // The demo's Ромашка is one counterparty across 1C cards.
    assert_eq!(
        golden_of(&clusters, "1c", "00-000001"),
        golden_of(&clusters, "1c", "00-000002")
    );
    assert_ne!(
        golden_of(&clusters, "1c", "00-000001"),
        golden_of(&clusters, "qbo", "Globex Corp.")
    );

    // Re-running gives the same files byte for byte.
    assert!(golive(&["-q", "match", d]).status.success());
    assert_eq!(
        clusters,
        std::fs::read_to_string(dir.join("out/clusters.csv")).unwrap()
    );
    assert_eq!(
        golden,
        std::fs::read_to_string(dir.join("out/golden.csv")).unwrap()
    );

    // Steward decisions, keyed by source keys, always win.
    {
        let mut ws = golive::workspace::Workspace::open(&dir).unwrap();
        let key = |s: &str, k: &str| (s.to_string(), k.to_string());
        ws.add_decision(&golive::workspace::matches::StewardDecision {
            left: key("1c", "00-000001"),
            right: key("1c", "00-000002"),
            merge: false,
            ..Default::default()
        })
        .unwrap();
        ws.add_decision(&golive::workspace::matches::StewardDecision {
            left: key("1c", "00-000001"),
            right: key("qbo", "Globex Corp."),
            merge: true,
            ..Default::default()
        })
        .unwrap();
    }
    let out = stdout(&golive(&["match", d]));
    assert!(out.contains("2 steward decisions"), "{out}");
    let clusters = std::fs::read_to_string(dir.join("out/clusters.csv")).unwrap();
    assert_ne!(
        golden_of(&clusters, "1c", "00-000001"),
        golden_of(&clusters, "1c", "00-000002")
    );
    assert_eq!(
        golden_of(&clusters, "1c", "00-000001"),
        golden_of(&clusters, "qbo", "Globex Corp.")
    );
}

#[test]
fn a_japanese_reading_joins_a_person_written_in_latin() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    project(
        dir,
        "[[source]]\nname = \"c\"\npath = \"sources/generic_contacts_ja_utf16.txt\"\nkind = \"person\"\nregion = \"JP\"\n",
    );
    copy_fixture(dir, "generic_contacts_ja_utf16.txt");
    assert!(
        golive(&["-q", "run", dir.to_str().unwrap()])
            .status
            .success()
    );
    let clusters = std::fs::read_to_string(dir.join("out/clusters.csv")).unwrap();
    // Row 2 is 山田 太郎 (フリガナ ヤマダ タロウ), row 6 is "Yamada Taro".
    assert_eq!(
        golden_of(&clusters, "c", "#2"),
        golden_of(&clusters, "c", "#6"),
        "{clusters}"
    );
    assert_ne!(
        golden_of(&clusters, "c", "#2"),
        golden_of(&clusters, "c", "#7"),
        "{clusters}"
    );
}
