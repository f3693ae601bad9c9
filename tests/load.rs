//! `golive load` through the real binary on samples/demo: every file target's
//! import files checked against what the CRM's importer documents (columns,
//! how a contact names its company, encoding, BOM) and snapshotted; re-loads
//! plan only changes; records already in the CRM are updated, not twinned;
//! the dry run's plan is what the load then does.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

mod common;
use common::{copy_dir, golive, ok};

/// samples/demo with `target` appended to its golive.toml, run once.
fn demo(target: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    copy_dir(Path::new("samples/demo"), &dir);
    let toml = dir.join("golive.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(&toml, format!("{text}\n{target}\n")).unwrap();
    ok(&["-q", "run", dir.to_str().unwrap()]);
    (tmp, dir)
}

/// A CSV's rows (BOM and delimiter as given), every cell a string.
fn csv_rows(path: &Path, delimiter: u8) -> Vec<Vec<String>> {
    let bytes = std::fs::read(path).unwrap();
    let text = std::str::from_utf8(&bytes).expect("import files are UTF-8");
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn xlsx_rows(path: &Path) -> Vec<Vec<String>> {
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = calamine::open_workbook(path).unwrap();
    let sheet = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&sheet).unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

fn column<'a>(rows: &'a [Vec<String>], header: &str) -> Vec<&'a str> {
    let at = rows[0]
        .iter()
        .position(|h| h == header)
        .unwrap_or_else(|| panic!("no column {header} in {:?}", rows[0]));
    rows[1..].iter().map(|r| r[at].as_str()).collect()
}

fn plan_rows(dir: &Path, name: &str) -> Vec<Vec<String>> {
    csv_rows(&dir.join("out").join(name), b',')
}

/// (entity, action) → count in out/load-plan.csv.
fn plan_counts(dir: &Path) -> BTreeMap<(String, String), usize> {
    let mut counts = BTreeMap::new();
    for r in &plan_rows(dir, "load-plan.csv")[1..] {
        *counts.entry((r[0].clone(), r[2].clone())).or_default() += 1;
    }
    counts
}

fn count(c: &BTreeMap<(String, String), usize>, entity: &str, action: &str) -> usize {
    c.get(&(entity.to_string(), action.to_string()))
        .copied()
        .unwrap_or(0)
}

/// What each CRM's importer documents, checked independently of golive's
/// profile table: (crm, companies file, contacts file, delimiter, BOM,
/// columns the companies file must have, the contacts file's link column and
/// the companies column it refers to).
struct Expect {
    crm: &'static str,
    companies: &'static str,
    contacts: &'static str,
    delimiter: u8,
    bom: bool,
    company_columns: &'static [&'static str],
    contact_columns: &'static [&'static str],
    link: (&'static str, &'static str),
}

const EXPECT: &[Expect] = &[
    Expect {
        crm: "salesforce",
        companies: "Account.csv",
        contacts: "Contact.csv",
        delimiter: b',',
        bom: false,
        company_columns: &["Golive_Id__c", "Name", "Phone", "BillingCity"],
        contact_columns: &["Golive_Id__c", "LastName", "FirstName", "Email"],
        link: ("Account.Golive_Id__c", "Golive_Id__c"),
    },
    Expect {
        crm: "hubspot",
        companies: "companies.csv",
        contacts: "contacts.csv",
        delimiter: b',',
        bom: true,
        company_columns: &[
            "golive_id",
            "Company name",
            "Company Domain Name",
            "Phone Number",
        ],
        contact_columns: &["golive_id", "First Name", "Last Name", "Email"],
        link: ("Company golive_id", "golive_id"),
    },
    Expect {
        crm: "bitrix24",
        companies: "companies.csv",
        contacts: "contacts.csv",
        delimiter: b';',
        bom: true,
        company_columns: &["Название компании", "Рабочий телефон", "Рабочий e-mail"],
        contact_columns: &["Имя", "Фамилия", "Отчество", "Рабочий e-mail"],
        link: ("Компания", "Название компании"),
    },
    Expect {
        crm: "amocrm",
        companies: "companies.xlsx",
        contacts: "contacts.xlsx",
        delimiter: b',',
        bom: false,
        company_columns: &["Название компании", "Рабочий телефон", "Рабочий email"],
        contact_columns: &["Имя", "Фамилия", "Рабочий email"],
        link: ("Компания", "Название компании"),
    },
    Expect {
        crm: "odoo",
        companies: "res.partner.csv",
        contacts: "res.partner.csv",
        delimiter: b',',
        bom: false,
        company_columns: &["id", "name", "is_company", "parent_id/id", "email", "phone"],
        contact_columns: &["id", "name", "is_company", "parent_id/id"],
        link: ("parent_id/id", "id"),
    },
    Expect {
        crm: "zoho",
        companies: "Accounts.csv",
        contacts: "Contacts.csv",
        delimiter: b',',
        bom: true,
        company_columns: &["Golive ID", "Account Name", "Phone", "Billing City"],
        contact_columns: &["Golive ID", "First Name", "Last Name", "Email"],
        link: ("Account Name", "Account Name"),
    },
    Expect {
        crm: "csv",
        companies: "organizations.csv",
        contacts: "persons.csv",
        delimiter: b',',
        bom: true,
        company_columns: &["golive_id", "name", "tax_ids", "phones", "emails"],
        contact_columns: &["golive_id", "family_name", "given_name", "emails"],
        link: ("organization_key", "golive_id"),
    },
];

fn read(path: &Path, e: &Expect) -> Vec<Vec<String>> {
    if path.extension().is_some_and(|x| x == "xlsx") {
        xlsx_rows(path)
    } else {
        let bytes = std::fs::read(path).unwrap();
        assert_eq!(
            bytes.starts_with(b"\xEF\xBB\xBF"),
            e.bom,
            "{}: BOM",
            path.display()
        );
        csv_rows(path, e.delimiter)
    }
}

#[test]
fn every_file_target_writes_the_crms_own_import_files() {
    let (_tmp, dir) = demo("");
    let d = dir.to_str().unwrap();
    let toml = dir.join("golive.toml");
    let base = std::fs::read_to_string(&toml).unwrap();
    let persons_linked = plan_links(&dir, d);
    for e in EXPECT {
        std::fs::write(&toml, format!("{base}\n[target]\ncrm = \"{}\"\n", e.crm)).unwrap();
        ok(&["-q", "load", d]);
        let folder = dir.join("out/load").join(e.crm);
        let companies = read(&folder.join(e.companies), e);
        let contacts = read(&folder.join(e.contacts), e);
        for c in e.company_columns {
            assert!(companies[0].iter().any(|h| h == c), "{}: {c}", e.crm);
        }
        for c in e.contact_columns {
            assert!(contacts[0].iter().any(|h| h == c), "{}: {c}", e.crm);
        }
        // Every contact's company is a company of the files, by the key the CRM links on.
        let (link, key) = e.link;
        let keys: BTreeSet<&str> = column(&companies, key).into_iter().collect();
        let links: Vec<&str> = column(&contacts, link)
            .into_iter()
            .filter(|v| !v.is_empty())
            .collect();
        assert_eq!(links.len(), persons_linked, "{}: linked contacts", e.crm);
        for l in &links {
            assert!(
                keys.contains(l),
                "{}: contact points to {l}, no such company",
                e.crm
            );
        }
        let howto = std::fs::read_to_string(folder.join("IMPORT.txt")).unwrap();
        assert!(howto.contains(e.companies), "{}: IMPORT.txt", e.crm);
        let mut snapshot = String::new();
        let mut names: Vec<String> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|f| f.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        for name in names.iter().filter(|n| *n != "IMPORT.txt") {
            snapshot.push_str(&format!("== {name}\n"));
            for r in read(&folder.join(name), e) {
                snapshot.push_str(&r.join(" | "));
                snapshot.push('\n');
            }
        }
        insta::assert_snapshot!(format!("load_files_{}", e.crm), snapshot);
    }
}

/// Persons with an organization in the plan.
fn plan_links(dir: &Path, d: &str) -> usize {
    let toml = dir.join("golive.toml");
    let base = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(&toml, format!("{base}\n[target]\ncrm = \"csv\"\n")).unwrap();
    ok(&["-q", "load", d, "--dry-run"]);
    std::fs::write(&toml, base).unwrap();
    let c = plan_counts(dir);
    assert_eq!(count(&c, "link", "skip"), 0);
    count(&c, "link", "create")
}

#[test]
fn a_reload_plans_only_what_changed_and_reports_what_is_gone() {
    let (_tmp, dir) = demo("[target]\ncrm = \"salesforce\"");
    let d = dir.to_str().unwrap();
    ok(&["-q", "load", d]);
    let first = plan_counts(&dir);
    assert!(count(&first, "organization", "create") > 50, "{first:?}");

    // No change: nothing to create or update, and the files are empty of rows.
    ok(&["-q", "run", d]);
    ok(&["-q", "load", d]);
    let again = plan_counts(&dir);
    for entity in ["organization", "person", "link"] {
        assert_eq!(count(&again, entity, "create"), 0, "{again:?}");
        assert_eq!(count(&again, entity, "update"), 0, "{again:?}");
    }
    assert!(
        !dir.join("out/load/salesforce/Account.csv").exists(),
        "a load with nothing to send writes no import file"
    );
    let import = std::fs::read_to_string(dir.join("out/load/salesforce/IMPORT.txt")).unwrap();
    assert!(import.contains("Nothing to import"), "{import}");

    // One source row changed: exactly one update.
    let qbo = dir.join("sources/quickbooks_customers.csv");
    let text = std::fs::read_to_string(&qbo).unwrap();
    assert!(text.contains("+1 (212) 555-0177"));
    std::fs::write(&qbo, text.replace("+1 (212) 555-0177", "+1 (212) 555-0178")).unwrap();
    ok(&["-q", "run", d]);
    ok(&["-q", "load", d, "--dry-run"]);
    let changed: Vec<Vec<String>> = plan_rows(&dir, "load-plan.csv")[1..]
        .iter()
        .filter(|r| r[2] != "unchanged")
        .cloned()
        .collect();
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert_eq!(
        (changed[0][0].as_str(), changed[0][2].as_str()),
        ("organization", "update")
    );
    ok(&["-q", "load", d]);
    let account = csv_rows(&dir.join("out/load/salesforce/Account.csv"), b',');
    assert_eq!(account.len(), 2, "{account:?}");
    assert_eq!(column(&account, "Phone"), ["+12125550178"]);

    // A source row deleted: reported, never deleted in the CRM.
    let text = std::fs::read_to_string(&qbo).unwrap();
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with("Tyrell Corp,"))
        .collect();
    std::fs::write(&qbo, kept.join("\n") + "\n").unwrap();
    ok(&["-q", "run", d]);
    let out = ok(&["load", d, "--dry-run"]);
    assert!(
        out.contains("1 sent before and no longer in the sources"),
        "{out}"
    );
    let gone: Vec<Vec<String>> = plan_rows(&dir, "load-plan.csv")[1..]
        .iter()
        .filter(|r| r[2] != "unchanged")
        .cloned()
        .collect();
    assert_eq!(gone.len(), 1, "{gone:?}");
    assert_eq!(gone[0][2], "skip");
    assert!(gone[0][4].contains("not deleted"), "{:?}", gone[0]);
    let status = ok(&["status", d]);
    assert!(
        status.contains("load into salesforce (last load"),
        "{status}"
    );
}

#[test]
fn records_already_in_the_crm_are_updated_by_their_id_and_only_the_rest_created() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    copy_dir(Path::new("samples/demo"), &dir);
    std::fs::create_dir_all(dir.join("exports")).unwrap();
    // A Data Loader export of accounts typed into Salesforce by hand.
    std::fs::write(
        dir.join("exports/sf_accounts.csv"),
        "Id,Name,Phone,BillingStreet,BillingCity,BillingPostalCode,Website\r\n\
         001A000001AbcdEAAR,Initech LLC,(512) 555-0143,,Austin,,\r\n\
         001A000001AbcdFAAR,Hooli,+1 650 555 0100,,Palo Alto,,hooli.xyz\r\n\
         001A000001AbcdGAAR,\"ООО \"\"Альфа\"\"\",+7 495 700-00-00,,Москва,,\r\n\
         001A000001AbcdHAAR,Umbrella Pharma KK,+81 3 0000 0000,,Tokyo,,\r\n",
    )
    .unwrap();
    let toml = dir.join("golive.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(
        &toml,
        format!(
            "{text}\n[target]\ncrm = \"salesforce\"\nexisting = [\"exports/sf_accounts.csv\"]\n"
        ),
    )
    .unwrap();
    let d = dir.to_str().unwrap();
    ok(&["-q", "run", d]);

    // Without the export: every company would be new.
    let fresh = {
        let (_t, plain) = demo("[target]\ncrm = \"salesforce\"");
        ok(&["-q", "load", plain.to_str().unwrap(), "--dry-run"]);
        count(&plan_counts(&plain), "organization", "create")
    };
    ok(&["-q", "load", d]);
    let plan = plan_rows(&dir, "load-plan.csv");
    let updates: BTreeSet<&str> = plan[1..]
        .iter()
        .filter(|r| r[0] == "organization" && r[2] == "update")
        .map(|r| r[3].as_str())
        .collect();
    assert_eq!(
        updates,
        BTreeSet::from([
            "001A000001AbcdEAAR",
            "001A000001AbcdFAAR",
            "001A000001AbcdGAAR"
        ])
    );
    let c = plan_counts(&dir);
    assert_eq!(count(&c, "organization", "create"), fresh - 3);
    // The account only in Salesforce is left alone.
    assert!(
        plan[1..]
            .iter()
            .any(|r| r[3] == "001A000001AbcdHAAR" && r[2] == "unchanged")
    );
    let update = csv_rows(&dir.join("out/load/salesforce/Account_update.csv"), b',');
    assert_eq!(&update[0][..2], ["Id", "Golive_Id__c"]);
    assert_eq!(update.len(), 4);
    let created = csv_rows(&dir.join("out/load/salesforce/Account.csv"), b',');
    assert!(!column(&created, "Name").contains(&"Hooli"));
    // Initech's contacts point to it by the golive ID its update writes.
    let initech = update
        .iter()
        .find(|r| r[0] == "001A000001AbcdEAAR")
        .unwrap()[1]
        .clone();
    let contacts = csv_rows(&dir.join("out/load/salesforce/Contact.csv"), b',');
    assert!(column(&contacts, "Account.Golive_Id__c").contains(&initech.as_str()));
}

/// Odoo's `id` column takes External IDs; a database ID there would make a new record.
#[test]
fn an_odoo_export_updates_by_external_id_and_a_database_id_export_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    copy_dir(Path::new("samples/demo"), &dir);
    std::fs::create_dir_all(dir.join("exports")).unwrap();
    let export = dir.join("exports/odoo_contacts.csv");
    std::fs::write(
        &export,
        "id,name,is_company,phone,city\n\
         __export__.res_partner_42_9f1c2a7b,Initech LLC,True,(512) 555-0143,Austin\n",
    )
    .unwrap();
    let toml = dir.join("golive.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(
        &toml,
        format!("{text}\n[target]\ncrm = \"odoo\"\nexisting = [\"exports/odoo_contacts.csv\"]\n"),
    )
    .unwrap();
    let d = dir.to_str().unwrap();
    ok(&["-q", "run", d]);
    ok(&["-q", "load", d]);
    let rows = csv_rows(&dir.join("out/load/odoo/res.partner.csv"), b',');
    // Its update lacks some values, so it is in a file without those columns.
    let update = csv_rows(&dir.join("out/load/odoo/res.partner-update-1.csv"), b',');
    let initech: Vec<&Vec<String>> = rows[1..]
        .iter()
        .chain(&update[1..])
        .filter(|r| r[1] == "Initech LLC")
        .collect();
    assert_eq!(initech.len(), 1, "{initech:?}");
    assert_eq!(initech[0][0], "__export__.res_partner_42_9f1c2a7b");
    assert!(!update[0].contains(&"vat".to_string()), "{:?}", update[0]);
    // Initech's contacts point to that record, not to a new golive_ one.
    let parents = column(&rows, "parent_id/id");
    assert!(
        parents.contains(&"__export__.res_partner_42_9f1c2a7b"),
        "{parents:?}"
    );

    std::fs::write(
        &export,
        "ID,name,is_company,phone,city\n42,Initech LLC,True,(512) 555-0143,Austin\n",
    )
    .unwrap();
    // The run stops at its load stage, and the load alone says the same.
    for args in [&["-q", "run", d][..], &["load", d, "--dry-run"]] {
        let o = golive(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("odoo_contacts.csv") && err.contains("import-compatible"),
            "{err}"
        );
    }
}

#[test]
fn the_dry_run_plans_what_the_load_then_does() {
    let (_tmp, dir) = demo("[target]\ncrm = \"hubspot\"");
    let d = dir.to_str().unwrap();
    ok(&["-q", "load", d, "--dry-run"]);
    assert!(!dir.join("out/load").exists(), "a dry run writes no files");
    assert!(!dir.join("out/load-log.csv").exists());
    let planned = plan_rows(&dir, "load-plan.csv");
    ok(&["-q", "load", d]);
    let log = plan_rows(&dir, "load-log.csv");
    assert_eq!(log[0].last().map(String::as_str), Some("error"));
    let done: Vec<Vec<String>> = log.iter().map(|r| r[..5].to_vec()).collect();
    assert_eq!(done, planned);
    // The files hold exactly the planned creates and updates, by golive ID.
    let mut written = BTreeSet::new();
    for f in ["companies.csv", "contacts.csv"] {
        let rows = csv_rows(&dir.join("out/load/hubspot").join(f), b',');
        written.extend(column(&rows, "golive_id").into_iter().map(str::to_string));
    }
    let planned_ids: BTreeSet<String> = planned[1..]
        .iter()
        .filter(|r| r[0] != "link" && (r[2] == "create" || r[2] == "update"))
        .map(|r| r[1].clone())
        .collect();
    assert_eq!(written, planned_ids);
    // And the next plan knows it was done.
    ok(&["-q", "load", d, "--dry-run"]);
    let c = plan_counts(&dir);
    assert_eq!(
        count(&c, "organization", "create") + count(&c, "person", "create"),
        0
    );
}

#[test]
fn bad_targets_are_refused_with_the_line_and_what_to_write() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    copy_dir(Path::new("samples/demo"), &dir);
    let toml = dir.join("golive.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(&toml, format!("{text}\n[target]\ncrm = \"sap\"\n")).unwrap();
    for args in [
        &["run", dir.to_str().unwrap()][..],
        &["load", dir.to_str().unwrap()],
    ] {
        let o = golive(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
    }
    let o = golive(&["load", dir.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("golive.toml:") && err.contains("salesforce"),
        "{err}"
    );
    let toml = dir.join("golive.toml");
    let text = std::fs::read_to_string(&toml).unwrap().replace(
        "crm = \"sap\"",
        "crm = \"salesforce\"\n[target.fields.organization]\nPhone = \"telephone\"",
    );
    std::fs::write(&toml, text).unwrap();
    let o = golive(&["load", dir.to_str().unwrap(), "--dry-run"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("telephone") && err.contains("phones"), "{err}");
}
