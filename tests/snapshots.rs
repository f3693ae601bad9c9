//! Snapshots (insta) of what people read: inspect, status, clean.

use assert_cmd::Command;
use std::path::Path;

fn run(args: &[&str]) -> String {
    let out = Command::cargo_bin("golive")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn inspect_of_a_1c_list_with_a_title_block() {
    insta::assert_snapshot!(run(&[
        "inspect",
        "tests/fixtures/ingest/1c_counterparties_title.xlsx"
    ]));
}

#[test]
fn inspect_of_a_freee_cp932_csv() {
    insta::assert_snapshot!(run(&[
        "inspect",
        "tests/fixtures/ingest/freee_partners_cp932.csv"
    ]));
}

#[test]
fn status_of_the_demo() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    std::fs::create_dir_all(dir.join("sources")).unwrap();
    std::fs::copy("samples/demo/golive.toml", dir.join("golive.toml")).unwrap();
    for e in std::fs::read_dir("samples/demo/sources").unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.join("sources").join(e.file_name())).unwrap();
    }
    let d = dir.to_str().unwrap();
    run(&["-q", "run", d]);
    let status = run(&["status", d]).replace(d, "DEMO");
    insta::assert_snapshot!(status);
    assert!(Path::new(&dir.join(".golive/workspace.db")).exists());
}

#[test]
fn clean_org_names() {
    let out = Command::cargo_bin("golive")
        .unwrap()
        .args(["clean", "org-name"])
        .write_stdin("ООО \"Ромашка\"\nАО «Лютик»\nИП Петров П.П.\n(株)山田商事\n山田商事㈱\nACME WIDGETS, INC.\nMüller GmbH & Co. KG\n")
        .output()
        .unwrap();
    insta::assert_snapshot!(String::from_utf8(out.stdout).unwrap());
}
