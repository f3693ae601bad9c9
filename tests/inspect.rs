//! `golive inspect` on real files: every ingest fixture and the demo sources.

use assert_cmd::Command;
use serde_json::Value;

fn inspect(path: &str) -> Value {
    let out = Command::cargo_bin("golive")
        .unwrap()
        .args(["inspect", "--json", path])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{path}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// (file, encoding, delimiter, header row, profile, rows, rejected)
const EXPECTED: &[(&str, &str, &str, u64, &str, u64, u64)] = &[
    (
        "freee_partners_cp932.csv",
        "cp932",
        ",",
        1,
        "freee-partners",
        6,
        0,
    ),
    (
        "yayoi_customers_cp932.csv",
        "cp932",
        ",",
        1,
        "yayoi-customers",
        6,
        0,
    ),
    (
        "generic_org_ru_cp1251_semicolon.csv",
        "windows-1251",
        ";",
        1,
        "generic-org-ru",
        6,
        0,
    ),
    (
        "1c_contact_persons_cp1251.csv",
        "windows-1251",
        ";",
        1,
        "1c-contact-persons",
        5,
        0,
    ),
    (
        "generic_contacts_ja_utf16.txt",
        "utf-16le",
        "tab",
        1,
        "generic-contacts-ja",
        6,
        0,
    ),
    (
        "moneyforward_partners_utf8bom.csv",
        "utf-8",
        ",",
        1,
        "moneyforward-partners",
        5,
        0,
    ),
    (
        "quickbooks_customers.csv",
        "utf-8",
        ",",
        1,
        "quickbooks-customers",
        7,
        1,
    ),
    ("xero_contacts.csv", "utf-8", ",", 1, "xero-contacts", 5, 0),
    (
        "salesforce_accounts.csv",
        "utf-8",
        ",",
        1,
        "salesforce-accounts",
        5,
        0,
    ),
    (
        "salesforce_contacts.csv",
        "utf-8",
        ",",
        1,
        "salesforce-contacts",
        5,
        0,
    ),
    (
        "hubspot_companies.csv",
        "utf-8",
        ",",
        1,
        "hubspot-companies",
        5,
        0,
    ),
    (
        "hubspot_contacts.csv",
        "utf-8",
        ",",
        1,
        "hubspot-contacts",
        5,
        0,
    ),
    (
        "duplicate_headers.csv",
        "utf-8",
        ",",
        1,
        "generic-contacts-en",
        5,
        0,
    ),
    ("empty_header.csv", "utf-8", ",", 1, "generic-org-en", 5, 0),
    (
        "pipe_delimited.csv",
        "utf-8",
        "|",
        1,
        "generic-org-en",
        5,
        0,
    ),
    (
        "generic_contacts_ru_utf8_semicolon.csv",
        "utf-8",
        ";",
        1,
        "generic-contacts-ru",
        5,
        0,
    ),
    (
        "1c_counterparties_title.xlsx",
        "",
        "",
        4,
        "1c-counterparties",
        7,
        0,
    ),
    ("1c_partners.xlsx", "", "", 1, "1c-partners", 5, 0),
    ("damaged_numbers_ru.xlsx", "", "", 1, "generic-org-ru", 5, 0),
    ("damaged_numbers_ja.xlsx", "", "", 1, "generic-org-ja", 5, 0),
];

#[test]
fn detects_encoding_delimiter_header_and_profile_of_every_fixture() {
    for &(file, encoding, delimiter, header, profile, rows, rejects) in EXPECTED {
        let r = inspect(&format!("tests/fixtures/ingest/{file}"));
        let t = &r["tables"][0];
        if encoding.is_empty() {
            assert!(r["text"].is_null(), "{file}");
        } else {
            assert_eq!(r["text"]["encoding"], encoding, "{file}");
            assert_eq!(r["text"]["delimiter"], delimiter, "{file}");
        }
        assert_eq!(t["header_row"], header, "{file}");
        assert_eq!(t["profile"], profile, "{file}: {}", t["runner_up"]);
        assert_eq!(t["rows"], rows, "{file}");
        assert_eq!(t["rejects"], rejects, "{file}");
    }
}

fn warnings(r: &Value) -> String {
    r["tables"][0]["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn flags_numbers_excel_damaged() {
    let r = inspect("tests/fixtures/ingest/damaged_numbers_ru.xlsx");
    let w = warnings(&r);
    assert!(w.contains("× excel_number_in_identifier"), "{w}");
    assert!(w.contains("× excel_date_in_identifier"), "{w}");
    let r = inspect("tests/fixtures/ingest/damaged_numbers_ja.xlsx");
    assert!(warnings(&r).contains("excel_date_in_identifier"));
}

#[test]
fn keeps_leading_zeros_of_text_codes_and_text_as_written() {
    let r = inspect("tests/fixtures/ingest/yayoi_customers_cp932.csv");
    let first = &r["tables"][0]["samples"][0];
    assert!(
        first["source_key"].as_str().unwrap().starts_with('0'),
        "{first}"
    );
    let r = inspect("tests/fixtures/ingest/generic_contacts_ja_utf16.txt");
    assert!(
        r.to_string().contains("０６－６１２３－４５６７"),
        "full-width text is kept as written"
    );
    let r = inspect("tests/fixtures/ingest/moneyforward_partners_utf8bom.csv");
    assert_eq!(
        r["tables"][0]["columns"][0]["field"], "source_key",
        "BOM must not stick to the first header"
    );
}

#[test]
fn names_repeated_and_empty_headers() {
    let r = inspect("tests/fixtures/ingest/duplicate_headers.csv");
    let cols: Vec<&str> = r["tables"][0]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["header"].as_str().unwrap())
        .collect();
    assert!(
        cols.contains(&"Phone (2)") && cols.contains(&"Email (2)"),
        "{cols:?}"
    );
    let r = inspect("tests/fixtures/ingest/empty_header.csv");
    assert!(warnings(&r).contains("has no header"), "{}", warnings(&r));
}

#[test]
fn finds_the_demo_sources() {
    let r = inspect("samples/demo/sources/1c_kontragenty.xlsx");
    assert_eq!(r["tables"][0]["header_row"], 4);
    assert_eq!(r["tables"][0]["profile"], "1c-counterparties");
    let r = inspect("samples/demo/sources/freee_torihikisaki.csv");
    assert_eq!(r["text"]["encoding"], "cp932");
    assert_eq!(r["tables"][0]["profile"], "freee-partners");
    let r = inspect("samples/demo/sources/contacts.xlsx");
    assert_eq!(r["tables"][0]["profile"], "generic-contacts-ru");
    assert_eq!(r["tables"][0]["columns"][1]["field"], "organization_ref");
    let r = inspect("samples/demo/sources/quickbooks_customers.csv");
    assert_eq!(r["tables"][0]["profile"], "quickbooks-customers");
    assert_eq!(r["tables"][0]["rejects"], 1);
}

#[test]
fn forced_options_override_detection() {
    let out = Command::cargo_bin("golive")
        .unwrap()
        .args([
            "inspect",
            "--json",
            "--encoding",
            "cp1251",
            "--delimiter",
            ";",
            "--header-row",
            "2",
        ])
        .arg("tests/fixtures/ingest/generic_org_ru_cp1251_semicolon.csv")
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["text"]["encoding_evidence"], "--encoding");
    assert_eq!(r["tables"][0]["header_row"], 2);
}

#[test]
fn human_output_lists_mapping_and_samples() {
    let out = Command::cargo_bin("golive")
        .unwrap()
        .args(["inspect", "tests/fixtures/ingest/freee_partners_cp932.csv"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("encoding cp932"), "{text}");
    assert!(text.contains("→ name"), "{text}");
    assert!(text.contains("sample rows:"), "{text}");
}

/// Bad input: one line on stderr naming the file and what to do, exit code 2.
#[test]
fn bad_input_gets_one_line_and_exit_code_2() {
    for (file, needle) in [
        (
            "tests/fixtures/ingest/garbage.csv",
            "does not look like a text table",
        ),
        ("tests/fixtures/ingest/corrupt.xlsx", "save it again"),
        ("tests/fixtures/ingest/title_only.xlsx", "no header row"),
        ("tests/fixtures/ingest/no_such_file.csv", "file not found"),
    ] {
        let out = Command::cargo_bin("golive")
            .unwrap()
            .args(["inspect", file])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{file}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(err.contains(file) && err.contains(needle), "{err}");
    }
    let out = Command::cargo_bin("golive")
        .unwrap()
        .args([
            "inspect",
            "--encoding",
            "klingon",
            "tests/fixtures/ingest/xero_contacts.csv",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// Crafted files in legacy encodings and a UTF-8 file with one bad byte: each
/// is read in its own encoding, the runner-up is named, and the bad byte is a
/// flagged cell, not a whole file decoded as Windows-1251.
#[test]
fn encodings_told_apart_and_a_bad_utf8_byte_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &'static encoding_rs::Encoding, &str, &str); 4] = [
        (
            "salesforce.csv",
            encoding_rs::WINDOWS_1252,
            "Account Name,Billing City,Description\nBanco de Crédito,Lima,Sociedad anónima\nCafé Müller,München,Bäckerei\n",
            "windows-1252",
        ),
        (
            "koi8.csv",
            encoding_rs::KOI8_R,
            "Наименование;ИНН;Телефон\nООО Ромашка;7707083893;8 (495) 123-45-67\nАО Лютик;7702070139;8 (4822) 12-34-56\n",
            "koi8-r",
        ),
        (
            "dos.csv",
            encoding_rs::IBM866,
            "Наименование;ИНН;Телефон\nООО Ромашка;7707083893;8 (495) 123-45-67\nАО Лютик;7702070139;8 (4822) 12-34-56\n",
            "cp866",
        ),
        (
            "cp1251.csv",
            encoding_rs::WINDOWS_1251,
            "Наименование;ИНН;Телефон\nООО Ромашка;7707083893;8 (495) 123-45-67\nАО Лютик;7702070139;8 (4822) 12-34-56\n",
            "windows-1251",
        ),
    ];
    for (name, enc, text, want) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, enc.encode(text).0).unwrap();
        let r = inspect(path.to_str().unwrap());
        assert_eq!(r["text"]["encoding"], want, "{name}");
        assert_eq!(r["text"]["encoding_evidence"], "byte statistics");
        assert!(r["text"]["encoding_runner_up"].is_string(), "{name}");
        assert_eq!(r["tables"][0]["rejects"], 0, "{name}");
    }
    let mut bytes = "Наименование;ИНН\nООО Ромашка;7707083893\nАО Лютик;7702070139\n"
        .as_bytes()
        .to_vec();
    let at = bytes.iter().rposition(|&b| b == b';').unwrap();
    bytes.insert(at, 0xFF);
    let path = dir.path().join("utf8_bad_byte.csv");
    std::fs::write(&path, bytes).unwrap();
    let r = inspect(path.to_str().unwrap());
    assert_eq!(r["text"]["encoding"], "utf-8");
    assert_eq!(r["text"]["encoding_evidence"], "utf-8 with invalid bytes");
    assert_eq!(r["tables"][0]["rejects"], 0);
    let w = warnings(&r);
    assert!(
        w.contains("not valid UTF-8") && w.contains("undecodable_bytes"),
        "{w}"
    );
}
