//! `golive link` on a fixture with known links: every person linked to the
//! right organization, or listed as ambiguous / unlinked / new with a reason.

use assert_cmd::Command;
use std::collections::{BTreeMap, BTreeSet};

fn read_csv(path: &std::path::Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            headers
                .iter()
                .zip(rec.unwrap().iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

#[test]
fn automatic_links_are_precise_and_every_person_is_accounted_for() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("sources")).unwrap();
    for f in ["organizations.csv", "contacts.csv"] {
        std::fs::copy(
            format!("tests/fixtures/link/{f}"),
            dir.join("sources").join(f),
        )
        .unwrap();
    }
    std::fs::write(
        dir.join("golive.toml"),
        "[project]\nname = \"link\"\nregion = \"RU\"\n\
         [[source]]\nname = \"orgs\"\npath = \"sources/organizations.csv\"\n\
         [[source]]\nname = \"people\"\npath = \"sources/contacts.csv\"\nkind = \"person\"\n",
    )
    .unwrap();
    let out = Command::cargo_bin("golive")
        .unwrap()
        .arg("run")
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Which organization source keys each golden record holds.
    let mut members: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for r in read_csv(&dir.join("out/clusters.csv")) {
        if r["source"] == "orgs" {
            members
                .entry(r["golden_id"].clone())
                .or_default()
                .insert(r["source_key"].clone());
        }
    }
    let expected: BTreeMap<String, String> = read_csv(&dir.join("sources/contacts.csv"))
        .into_iter()
        .map(|r| (r["Contact ID"].clone(), r["Expected"].clone()))
        .collect();
    let links = read_csv(&dir.join("out/links.csv"));
    assert_eq!(links.len(), expected.len(), "one row per person");

    let (mut linked, mut correct, mut found) = (0, 0, 0);
    let mut wrong = Vec::new();
    for l in &links {
        let want = &expected[&l["person_key"]];
        let org = &l["organization_golden_id"];
        let method = &l["method"];
        match want.as_str() {
            "ambiguous" => assert!(method.starts_with("ambiguous"), "{l:?}"),
            "unlinked" => assert!(org.is_empty() && method.starts_with("unlinked: "), "{l:?}"),
            "new" => assert_eq!(method, "created_from_name", "{l:?}"),
            key => {
                if org.starts_with('G') {
                    linked += 1;
                    if members.get(org).is_some_and(|m| m.contains(key)) {
                        correct += 1;
                        found += 1;
                    } else {
                        wrong.push(l.clone());
                    }
                }
            }
        }
    }
    let precision = correct as f64 / linked as f64;
    let with_org = expected.values().filter(|v| v.starts_with('O')).count();
    let recall = found as f64 / with_org as f64;
    assert!(precision >= 0.98, "precision {precision}: {wrong:?}");
    assert!(recall >= 0.9, "recall {recall} ({found} of {with_org})");
    // The same company typed twice by people yields one created organization.
    let dunder: BTreeSet<&String> = links
        .iter()
        .filter(|l| ["C18", "C19"].contains(&l["person_key"].as_str()))
        .map(|l| &l["organization_golden_id"])
        .collect();
    assert_eq!(dunder.len(), 1);
    assert!(
        std::fs::read_to_string(dir.join("out/created_organizations.csv"))
            .unwrap()
            .contains("Dunder Mifflin")
    );

    let status = Command::cargo_bin("golive")
        .unwrap()
        .arg("status")
        .arg(dir)
        .output()
        .unwrap();
    let status = String::from_utf8(status.stdout).unwrap();
    assert!(
        status.contains("link (30 persons") && status.contains("org_name"),
        "{status}"
    );
}
