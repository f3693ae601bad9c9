//! Phased migrations through the real binary: `[[phase]]` filters choose what a
//! load takes; a later phase updates what an earlier one loaded instead of
//! creating it again, and its contacts link to companies loaded before.

use std::collections::BTreeMap;
use std::path::Path;

mod common;
use common::{golive, ok};

const COMPANIES: &str = "\
ID,Company,Phone,City,State,Owner
C1,Acme Tools Inc,+1 212 555 0101,New York,NY,Smith
C2,Globex LLC,+1 716 555 0102,Buffalo,NY,Jones
C3,Initech Corp,+1 415 555 0103,San Francisco,CA,Smith
C4,Umbrella Co,+1 213 555 0104,Los Angeles,CA,Lee
C5,Hooli Inc,+1 512 555 0105,Austin,TX,Lee
C6,Vandelay Industries,+1 718 555 0106,Houston,TX,Lee
";

const CONTACTS: &str = "\
ID,First Name,Last Name,Email,Company,State
P1,Ann,Able,ann@acmetools.example,Acme Tools Inc,
P2,Bob,Baker,bob@initech.example,Initech Corp,
P3,Cid,Cole,cid@umbrella.example,Umbrella Co,
P4,Dee,Dunn,dee@hooli.example,Hooli Inc,NY
";

const TOML: &str = r#"[project]
name = "phased"
region = "US"

[[source]]
name = "companies"
path = "sources/companies.csv"
profile = "generic-org-en"

[[source]]
name = "contacts"
path = "sources/contacts.csv"
profile = "generic-contacts-en"

[target]
crm = "salesforce"

[[phase]]
name = "east"
region = ["NY"]

[[phase]]
name = "west"
where = "region = 'CA' or (owner = 'Smith' and region != 'TX')"
"#;

fn project() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("phased");
    std::fs::create_dir_all(dir.join("sources")).unwrap();
    std::fs::write(dir.join("golive.toml"), TOML).unwrap();
    std::fs::write(dir.join("sources/companies.csv"), COMPANIES).unwrap();
    std::fs::write(dir.join("sources/contacts.csv"), CONTACTS).unwrap();
    (tmp, dir)
}

fn csv(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    r.records()
        .map(|row| {
            header
                .iter()
                .cloned()
                .zip(row.unwrap().iter().map(str::to_string))
                .collect()
        })
        .collect()
}

fn names(rows: &[BTreeMap<String, String>], column: &str) -> Vec<String> {
    let mut v: Vec<String> = rows.iter().map(|r| r[column].clone()).collect();
    v.sort();
    v
}

/// golden ID → (action, reason) of entity in out/load-plan.csv.
fn plan(dir: &Path, entity: &str) -> BTreeMap<String, (String, String)> {
    csv(&dir.join("out/load-plan.csv"))
        .into_iter()
        .filter(|r| r["entity"] == entity)
        .map(|r| {
            (
                r["golden_id"].clone(),
                (r["action"].clone(), r["reason"].clone()),
            )
        })
        .collect()
}

#[test]
fn a_later_phase_updates_what_the_pilot_loaded_and_links_to_its_companies() {
    let (_tmp, dir) = project();
    let d = dir.to_str().unwrap();

    // Phase 1: the east (NY) with its contacts; Hooli (TX, in no phase) comes
    // along because its contact Dee is in NY.
    let out = ok(&["run", d, "--phase", "east", "--load"]);
    assert!(out.contains("phase `east`"), "{out}");
    let accounts = csv(&dir.join("out/load/salesforce/Account.csv"));
    assert_eq!(
        names(&accounts, "Name"),
        ["Acme Tools Inc", "Globex LLC", "Hooli Inc"]
    );
    let contacts = csv(&dir.join("out/load/salesforce/Contact.csv"));
    assert_eq!(names(&contacts, "LastName"), ["Able", "Dunn"]);
    let orgs = plan(&dir, "organization");
    let reasons: Vec<&str> = orgs.values().map(|(_, r)| r.as_str()).collect();
    assert_eq!(
        reasons
            .iter()
            .filter(|r| **r == "waits for phase `west`")
            .count(),
        2,
        "Initech and Umbrella wait for the west: {orgs:?}"
    );
    assert_eq!(
        reasons
            .iter()
            .filter(|r| r.starts_with("in no [[phase]]"))
            .count(),
        1,
        "Vandelay (TX, no contact) is in no phase: {orgs:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("brought into phase `east` by its contacts")),
        "{orgs:?}"
    );
    let acme_id = accounts
        .iter()
        .find(|a| a["Name"] == "Acme Tools Inc")
        .map(|a| a["Golive_Id__c"].clone())
        .unwrap();
    assert!(!acme_id.is_empty());
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("out/report.json")).unwrap())
            .unwrap();
    assert_eq!(report["load"]["phase"], "east", "{}", report["load"]);
    assert_eq!(report["accounting"]["ok"], true);

    // Fresh exports before phase 2: Acme's phone changed, and a new contact
    // of Acme (phase 1's company) who sits in California.
    let companies = COMPANIES.replace("+1 212 555 0101", "+1 212 555 0199");
    std::fs::write(dir.join("sources/companies.csv"), companies).unwrap();
    let contacts = format!("{CONTACTS}P5,Eve,Ernst,eve@acmetools.example,Acme Tools Inc,CA\n");
    std::fs::write(dir.join("sources/contacts.csv"), contacts).unwrap();

    // Phase 2 takes phase 1 too: Acme is updated (not created again), the
    // west is created, and Eve links to the Acme that phase 1 loaded.
    ok(&["-q", "run", d, "--phase", "west", "--load"]);
    let orgs = plan(&dir, "organization");
    let acme = orgs
        .iter()
        .find(|(g, _)| acme_id.ends_with(g.as_str()))
        .map(|(_, a)| a.0.as_str());
    assert_eq!(acme, Some("update"), "{orgs:?}");
    let accounts = csv(&dir.join("out/load/salesforce/Account.csv"));
    assert_eq!(
        names(&accounts, "Name"),
        ["Acme Tools Inc", "Initech Corp", "Umbrella Co"],
        "Globex and Hooli are unchanged; Vandelay still waits"
    );
    assert_eq!(
        accounts
            .iter()
            .find(|a| a["Name"] == "Acme Tools Inc")
            .map(|a| a["Golive_Id__c"].as_str()),
        Some(acme_id.as_str()),
        "the same external ID: an upsert of the same account"
    );
    let contacts = csv(&dir.join("out/load/salesforce/Contact.csv"));
    assert_eq!(names(&contacts, "LastName"), ["Baker", "Cole", "Ernst"]);
    let eve = contacts.iter().find(|c| c["LastName"] == "Ernst").unwrap();
    assert_eq!(eve["Account.Golive_Id__c"], acme_id);
    let creates = orgs.values().filter(|(a, _)| a == "create").count();
    assert_eq!(creates, 2, "{orgs:?}");
    assert_eq!(
        orgs.values()
            .filter(|(_, r)| r.starts_with("in no [[phase]]"))
            .count(),
        1
    );

    // Without --phase the plan takes everything left; a real load must say so.
    ok(&["-q", "load", d, "--dry-run"]);
    let orgs = plan(&dir, "organization");
    assert_eq!(
        orgs.values().filter(|(a, _)| a == "create").count(),
        1,
        "only Vandelay is left: {orgs:?}"
    );
    let refused = golive(&["load", d]);
    assert_eq!(refused.status.code(), Some(2));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("has [[phase]]s (east, west)") && err.contains("--all-phases"),
        "{err}"
    );
    ok(&["-q", "load", d, "--all-phases"]);
    let accounts = csv(&dir.join("out/load/salesforce/Account.csv"));
    assert_eq!(names(&accounts, "Name"), ["Vandelay Industries"]);
}

#[test]
fn a_phase_that_does_not_exist_or_a_bad_filter_stops_the_run_before_any_work() {
    let (_tmp, dir) = project();
    let d = dir.to_str().unwrap();
    let out = golive(&["run", d, "--phase", "north"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("its phases are: east, west"), "{err}");
    assert!(
        !dir.join("out").exists(),
        "nothing ran: {:?}",
        std::fs::read_dir(&dir).unwrap().collect::<Vec<_>>()
    );

    let toml = dir.join("golive.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(&toml, text.replace("region = 'CA'", "regoin = 'CA'")).unwrap();
    let out = golive(&["run", d]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("golive.toml:24") && err.contains("unknown field `regoin`"),
        "{err}"
    );
    assert!(!dir.join("out").exists());
}
