//! `golive clean KIND` through the real binary: the spellings consultants meet.

use assert_cmd::Command;

fn clean(kind: &str, region: &str, input: &str) -> Vec<Vec<String>> {
    let out = Command::cargo_bin("golive")
        .unwrap()
        .args(["clean", kind, "--region", region])
        .write_stdin(input)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut r = csv::Reader::from_reader(out.stdout.as_slice());
    r.records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect()
}

#[test]
fn phones_ru_to_e164_with_extensions() {
    let cases = [
        ("8 (495) 123-45-67", "+74951234567", ""),
        ("+7 495 1234567", "+74951234567", ""),
        ("8 (812) 123-45-67", "+78121234567", ""),
        ("+7 812 1234567 доб. 12", "+78121234567", "12"),
        ("8-916-123-45-67 доп. 5", "+79161234567", "5"),
        (
            "84951234567; 8-916-123-45-67",
            "+74951234567; +79161234567",
            "; ",
        ),
        ("8 800 555 35 35", "+78005553535", ""),
        ("+78005553535", "+78005553535", ""),
        ("8 10 49 30 1234567", "+49301234567", ""),
    ];
    let input: String = cases.iter().map(|c| format!("{}\n", c.0)).collect();
    let rows = clean("phone", "RU", &input);
    assert_eq!(rows.len(), cases.len());
    for (row, (input, e164, ext)) in rows.iter().zip(cases) {
        // The input column is text: a leading `+` is neutralized (OWASP), the
        // e164 column holds phones and keeps it.
        let shown = if input.starts_with('+') {
            format!("'{input}")
        } else {
            input.to_string()
        };
        assert_eq!(row[0], shown);
        assert_eq!(row[1], e164, "{input}");
        assert_eq!(row[2], ext, "{input}");
        assert_eq!(row[3], "true", "{input}");
    }
}

#[test]
fn phones_jp_full_width_and_naisen() {
    let cases = [
        ("０３－１２３４－５６７８", "+81312345678", ""),
        ("03(1234)5678 内線12", "+81312345678", "12"),
        ("03ー1234ー5678", "+81312345678", ""),
        ("(03)1234-5678（代表）", "+81312345678", ""),
        ("0120-123-456", "+81120123456", ""),
        ("090-1234-5678", "+819012345678", ""),
    ];
    let input: String = cases.iter().map(|c| format!("{}\n", c.0)).collect();
    for (row, (input, e164, ext)) in clean("phone", "JP", &input).iter().zip(cases) {
        assert_eq!((row[1].as_str(), row[2].as_str()), (e164, ext), "{input}");
    }
}

#[test]
fn a_local_number_without_city_code_is_flagged_not_invented() {
    let rows = clean("phone", "RU", "123-45-67\n");
    assert_eq!(rows[0][1], "");
    assert_eq!(rows[0][3], "false");
    assert!(rows[0][5].contains("phone_no_area_code"));
}

#[test]
fn company_names_share_a_match_key_across_spellings() {
    let rows = clean(
        "org-name",
        "RU",
        "ООО \"Ромашка\"\nРомашка ООО\nОбщество с ограниченной ответственностью «Ромашка»\nOOO Romashka\n",
    );
    for r in &rows {
        assert_eq!((r[2].as_str(), r[3].as_str()), ("ООО", "romashka"), "{r:?}");
    }
    let rows = clean("org-name", "JP", "(株)山田商事\n山田商事株式会社\n");
    assert_eq!(rows[0][3], rows[1][3]);
    assert_ne!(
        rows[0][4], rows[1][4],
        "前株 and 後株 are different legal names"
    );
}

#[test]
fn person_names_tax_ids_and_emails() {
    let rows = clean(
        "person-name",
        "RU",
        "Иванов Иван Иванович\n山田 太郎\nDr. John A. Smith Jr.\n",
    );
    assert_eq!(rows[0][1..4], ["Иванов", "Иван", "Иванович"]);
    assert_eq!(rows[1][1..3], ["山田", "太郎"]);
    assert_eq!(rows[2][1..3], ["Smith", "John"]);
    let rows = clean("tax-id", "RU", "7707083893\n7707083894\n");
    assert_eq!(rows[0][1..4], ["inn10", "7707083893", "true"]);
    assert_eq!(rows[1][3], "false");
    let rows = clean("email", "RU", " Ivan@Romashka.RU ; info@mail.ru\n");
    assert_eq!(rows[0][1], "Ivan@romashka.ru; info@mail.ru");
    assert_eq!(rows[0][3], "true", "mail.ru is free mail");
}

#[test]
fn a_csv_column_can_be_cleaned_and_formulas_are_neutralized() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("in.csv");
    std::fs::write(
        &path,
        "Имя;Телефон\nА;8 495 123 45 67\nБ;=HYPERLINK(\"x\")\n",
    )
    .unwrap();
    let out = Command::cargo_bin("golive")
        .unwrap()
        .args([
            "clean",
            "phone",
            "--column",
            "Телефон",
            path.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("+74951234567"), "{text}");
    assert!(text.contains("'=HYPERLINK"), "{text}");
    let out = Command::cargo_bin("golive")
        .unwrap()
        .args(["clean", "phone", "--column", "Nope", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
