//! `golive load` with `mode = "api"` through the real binary, against a local
//! HubSpot (tests/hubspot_server) that follows HubSpot's documented contract:
//! a full load of samples/demo, a re-run that sends nothing, a load through 30 %
//! failing requests, 20 loads killed with SIGKILL and resumed, a refused value,
//! and the token kept out of everything golive prints or writes.

mod bitrix24_server;
mod common;
mod hubspot_server;
mod mock_http;

use common::{copy_dir, ok};
use hubspot_server::{Options, Server};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

const TOKEN: &str = "pat-na1-0c9d-GOLIVE-TEST-TOKEN-7f3a";

/// samples/demo with `target` as its [target], run once.
fn demo_with(target: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    copy_dir(Path::new("samples/demo"), &dir);
    let toml = dir.join("golive.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(&toml, format!("{text}\n[target]\n{target}\n")).unwrap();
    ok(&["-q", "run", dir.to_str().unwrap()]);
    (tmp, dir)
}

fn project(server: &Server, extra: &str) -> (tempfile::TempDir, PathBuf) {
    demo_with(&format!(
        "crm = \"hubspot\"\nmode = \"api\"\napi_url = \"{}\"\n{extra}",
        server.url
    ))
}

fn load(dir: &Path, token: &str) -> std::process::Output {
    let mut cmd = assert_cmd::Command::cargo_bin("golive").unwrap();
    cmd.env("HUBSPOT_ACCESS_TOKEN", token)
        .args(["load", dir.to_str().unwrap()])
        .output()
        .unwrap()
}

fn rows(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap();
    r.records()
        .map(|x| {
            x.unwrap()
                .iter()
                .map(|c| c.trim_start_matches('\u{feff}').to_string())
                .collect()
        })
        .collect()
}

/// (entity, golden ID) of each planned create or update.
fn planned(dir: &Path, entity: &str) -> BTreeSet<String> {
    let plan = rows(&dir.join("out/load-plan.csv"));
    plan[1..]
        .iter()
        .filter(|r| r[0] == entity && (r[2] == "create" || r[2] == "update"))
        .map(|r| r[1].clone())
        .collect()
}

/// Every golden record exactly once in HubSpot, every link in place.
fn assert_landed_once(
    server: &Server,
    orgs: &BTreeSet<String>,
    persons: &BTreeSet<String>,
    links: usize,
) {
    for (object, expected) in [("companies", orgs), ("contacts", persons)] {
        assert_once(server.keys(object), expected, object);
    }
    assert_eq!(server.state.lock().unwrap().associations.len(), links);
}

/// The golive IDs a CRM holds: each once, and exactly those expected.
fn assert_once(keys: Vec<String>, expected: &BTreeSet<String>, what: &str) {
    let unique: BTreeSet<String> = keys.iter().cloned().collect();
    assert_eq!(keys.len(), unique.len(), "twins among {what}");
    assert_eq!(&unique, expected, "{what}");
}

fn dry_run(dir: &Path) -> (BTreeSet<String>, BTreeSet<String>, usize) {
    ok(&["-q", "load", dir.to_str().unwrap(), "--dry-run"]);
    (
        planned(dir, "organization"),
        planned(dir, "person"),
        planned(dir, "link").len(),
    )
}

#[test]
fn a_full_load_lands_every_record_once_and_a_rerun_sends_nothing() {
    let server = Server::start(Options {
        token: TOKEN.into(),
        ..Options::default()
    });
    let (_tmp, dir) = project(&server, "");
    let (orgs, persons, links) = dry_run(&dir);
    assert!(orgs.len() > 50 && persons.len() > 30 && links > 20);
    let o = load(&dir, TOKEN);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    );
    assert!(o.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("0 refused"), "{stdout}");
    assert_landed_once(&server, &orgs, &persons, links);
    let log = rows(&dir.join("out/load-log.csv"));
    assert_eq!(log[0][5], "error");
    assert!(log[1..].iter().all(|r| r[5].is_empty()), "{log:?}");
    // The golive_id property was created unique, as upserts need.
    assert_eq!(
        server.state.lock().unwrap().properties.get("companies"),
        Some(&true)
    );

    let writes = server.state.lock().unwrap().writes;
    let o = load(&dir, TOKEN);
    assert!(o.status.success());
    assert_eq!(
        server.state.lock().unwrap().writes,
        writes,
        "a re-run with no change sends nothing"
    );
    let (o2, p2, l2) = dry_run(&dir);
    assert!(o2.is_empty() && p2.is_empty() && l2 == 0);
    let status = ok(&["status", dir.to_str().unwrap()]);
    assert!(status.contains("load into hubspot"), "{status}");

    // Nowhere a trace of the token.
    for text in [stdout, stderr, status] {
        assert!(!text.contains(TOKEN) && !text.contains("7f3a"), "{text}");
    }
    for entry in walk(&dir) {
        let bytes = std::fs::read(&entry).unwrap();
        let hit = bytes.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes());
        assert!(!hit, "the token is in {}", entry.display());
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn through_thirty_percent_failing_requests_every_record_lands_once() {
    let server = Server::start(Options {
        token: TOKEN.into(),
        faults: 0.3,
        seed: 7,
        ..Options::default()
    });
    let (_tmp, dir) = project(&server, "batch = 10");
    let (orgs, persons, links) = dry_run(&dir);
    let o = load(&dir, TOKEN);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(server.state.lock().unwrap().faults > 3);
    assert_landed_once(&server, &orgs, &persons, links);
}

/// Crosswalk entries without a confirmed entry in the workspace's load log
/// (the two are written in one transaction, so a kill leaves none).
fn unlogged_crosswalk_entries(dir: &Path) -> i64 {
    let db = rusqlite::Connection::open(dir.join(".golive/workspace.db")).unwrap();
    db.query_row(
        "SELECT COUNT(*) FROM crosswalk c LEFT JOIN load_log l
         USING (target, entity, golden_id)
         WHERE l.golden_id IS NULL OR l.error != '' OR l.target_id != c.target_id",
        [],
        |r| r.get(0),
    )
    .unwrap()
}

/// Start `golive load` and SIGKILL it after 20–200 ms, until 20 runs were cut
/// off mid-load (or 40 tries); how many were. After each kill, the crosswalk
/// and the load log agree.
fn kill_loads(dir: &Path, env: &str, credential: &str, seed: u64) -> usize {
    let bin = assert_cmd::cargo::cargo_bin("golive");
    let mut x = seed;
    let mut killed = 0;
    for _ in 0..40 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let mut child = std::process::Command::new(&bin)
            .env(env, credential)
            .args(["-q", "load", dir.to_str().unwrap()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(20 + x % 180));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            killed += 1;
        }
        child.wait().unwrap();
        assert_eq!(unlogged_crosswalk_entries(dir), 0);
        if killed == 20 {
            break;
        }
    }
    killed
}

#[test]
fn loads_killed_at_random_points_resume_without_twins() {
    let server = Server::start(Options {
        token: TOKEN.into(),
        latency: Duration::from_millis(60),
        faults: 0.1,
        seed: 11,
        ..Options::default()
    });
    // One record per request: a load takes seconds, a run is cut off after
    // at most a fifth of a second, so most runs die mid-load.
    let (_tmp, dir) = project(&server, "batch = 1");
    let (orgs, persons, links) = dry_run(&dir);
    let killed = kill_loads(&dir, "HUBSPOT_ACCESS_TOKEN", TOKEN, 0x2545_f491);
    assert!(killed >= 15, "only {killed} loads were cut off");
    let o = load(&dir, TOKEN);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_landed_once(&server, &orgs, &persons, links);
    let (o2, p2, l2) = dry_run(&dir);
    assert!(o2.is_empty() && p2.is_empty() && l2 == 0);
}

#[test]
fn a_refused_value_is_logged_on_its_record_and_only_it_is_sent_again() {
    let server = Server::start(Options {
        token: TOKEN.into(),
        refuse_name: Some("Tyrell Corp".into()),
        ..Options::default()
    });
    let (_tmp, dir) = project(&server, "");
    let (orgs, _, _) = dry_run(&dir);
    let o = load(&dir, TOKEN);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("1 of") && err.contains("load-log.csv"),
        "{err}"
    );
    let log = rows(&dir.join("out/load-log.csv"));
    let refused: Vec<&Vec<String>> = log[1..].iter().filter(|r| !r[5].is_empty()).collect();
    assert!(
        refused
            .iter()
            .any(|r| r[0] == "organization" && r[5].contains("Tyrell Corp is not allowed")),
        "{refused:?}"
    );
    // Everything else of its batch landed.
    assert_eq!(server.keys("companies").len(), orgs.len() - 1);
    // The workspace's log has the refusal too, and it is not in the crosswalk.
    let db = rusqlite::Connection::open(dir.join(".golive/workspace.db")).unwrap();
    let in_log: Vec<(String, i64)> = db
        .prepare(
            "SELECT l.error, (SELECT COUNT(*) FROM crosswalk c WHERE c.target = l.target
             AND c.entity = l.entity AND c.golden_id = l.golden_id)
             FROM load_log l WHERE l.error != ''",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(in_log.len(), 1, "{in_log:?}");
    assert!(in_log[0].0.contains("Tyrell Corp is not allowed"));
    assert_eq!(in_log[0].1, 0);
    assert_eq!(unlogged_crosswalk_entries(&dir), 0);
    let (again, _, _) = dry_run(&dir);
    assert_eq!(again.len(), 1, "{again:?}");
}

#[test]
fn a_spent_daily_quota_stops_the_load_and_the_next_day_goes_on() {
    let server = Server::start(Options {
        token: TOKEN.into(),
        // The property checks, then two batches: the quota runs out mid-load.
        daily: Some(6),
        ..Options::default()
    });
    let (_tmp, dir) = project(&server, "batch = 20");
    let (orgs, persons, links) = dry_run(&dir);
    let o = load(&dir, TOKEN);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("daily API quota"), "{err}");
    let log = rows(&dir.join("out/load-log.csv"));
    assert!(
        log[1..]
            .iter()
            .any(|r| r[5].contains("the load stopped before it")),
        "{log:?}"
    );
    let landed = server.keys("companies").len();
    assert!(landed > 0 && landed < orgs.len(), "{landed}");
    // The next day: a fresh quota, and the load goes on from where it stopped.
    server.state.lock().unwrap().requests = 0;
    let mut days = 0;
    while !load(&dir, TOKEN).status.success() {
        server.state.lock().unwrap().requests = 0;
        days += 1;
        assert!(days < 20, "the load never finished");
    }
    assert_landed_once(&server, &orgs, &persons, links);
}

#[test]
fn a_wrong_or_missing_token_stops_the_load_and_is_never_printed() {
    let server = Server::start(Options {
        token: TOKEN.into(),
        ..Options::default()
    });
    let (_tmp, dir) = project(&server, "");
    let wrong = "pat-na1-WRONG-TOKEN-123";
    let o = load(&dir, wrong);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("401") && err.contains("HUBSPOT_ACCESS_TOKEN"),
        "{err}"
    );
    assert!(!err.contains(wrong), "{err}");
    assert!(server.keys("companies").is_empty());

    let o = assert_cmd::Command::cargo_bin("golive")
        .unwrap()
        .env_remove("HUBSPOT_ACCESS_TOKEN")
        .args(["load", dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("set HUBSPOT_ACCESS_TOKEN"));
}

// ---- Bitrix24 -------------------------------------------------------------

const SECRET: &str = "x9q-GOLIVE-WEBHOOK-SECRET-4kz";

fn bitrix_project(extra: &str) -> (tempfile::TempDir, PathBuf) {
    demo_with(&format!("crm = \"bitrix24\"\nmode = \"api\"\n{extra}"))
}

fn bitrix_load(dir: &Path, webhook: &str) -> std::process::Output {
    assert_cmd::Command::cargo_bin("golive")
        .unwrap()
        .env("BITRIX24_WEBHOOK_URL", webhook)
        .args(["load", dir.to_str().unwrap()])
        .output()
        .unwrap()
}

fn assert_bitrix_once(
    server: &bitrix24_server::Server,
    orgs: &BTreeSet<String>,
    persons: &BTreeSet<String>,
    links: usize,
) {
    for (entity, expected) in [("company", orgs), ("contact", persons)] {
        assert_once(server.keys(entity), expected, entity);
    }
    let linked = server
        .records("contact")
        .iter()
        .filter(|c| c.get("COMPANY_ID").is_some())
        .count();
    assert_eq!(linked, links);
    assert_requisites_once(server);
    // No multi-field value twice on one record.
    for entity in ["company", "contact"] {
        for r in server.records(entity) {
            for field in ["PHONE", "EMAIL", "WEB"] {
                let values: Vec<String> = r
                    .get(field)
                    .and_then(|v| v.as_array())
                    .into_iter()
                    .flatten()
                    .filter_map(|e| e["VALUE"].as_str())
                    .map(|v| v.chars().filter(char::is_ascii_alphanumeric).collect())
                    .collect();
                let unique: BTreeSet<&String> = values.iter().collect();
                assert_eq!(values.len(), unique.len(), "{field} twice on {r:?}");
            }
        }
    }
}

/// The digits after `label:` in a labelled ID list (`inn:7707083893; kpp:…`).
fn labelled<'a>(text: &'a str, label: &str) -> Option<&'a str> {
    let at = text.find(&format!("{label}:"))? + label.len() + 1;
    let digits = text[at..]
        .find(|c: char| !c.is_ascii_digit())
        .map_or(&text[at..], |end| &text[at..at + end]);
    Some(digits).filter(|d| !d.is_empty())
}

/// Each company with an ИНН has exactly one requisite, with its ИНН and КПП
/// and the template of its kind; no other requisites.
fn assert_requisites_once(server: &bitrix24_server::Server) {
    let s = server.state.lock().unwrap();
    let mut expected = 0;
    for (id, company) in s.records.get("company").into_iter().flatten() {
        let comments = company
            .get("COMMENTS")
            .and_then(|v| v.as_str())
            .unwrap_or("");
        let owner = Value::String(id.to_string());
        let held: Vec<_> = s
            .requisites
            .values()
            .filter(|r| r["ENTITY_ID"] == owner)
            .collect();
        let Some(inn) = labelled(comments, "inn") else {
            assert!(
                held.is_empty(),
                "a requisite on a company without ИНН: {company:?}"
            );
            continue;
        };
        expected += 1;
        assert_eq!(held.len(), 1, "requisites of {company:?}: {held:?}");
        let r = held[0];
        assert_eq!(r["RQ_INN"], inn);
        assert_eq!(r["PRESET_ID"], if inn.len() == 12 { "2" } else { "1" });
        if let Some(kpp) = labelled(comments, "kpp") {
            assert_eq!(r["RQ_KPP"], kpp, "{company:?}");
        }
        assert_eq!(r["NAME"], company["TITLE"]);
    }
    assert!(expected > 3, "the demo's companies with an ИНН: {expected}");
    assert_eq!(s.requisites.len(), expected);
}

#[test]
fn bitrix24_a_full_load_a_rerun_and_a_changed_phone() {
    let server = bitrix24_server::Server::start(bitrix24_server::Options {
        secret: SECRET.into(),
        ..Default::default()
    });
    let (_tmp, dir) = bitrix_project("");
    let (orgs, persons, links) = dry_run(&dir);
    let o = bitrix_load(&dir, &server.webhook);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    );
    assert!(o.status.success(), "{stdout}\n{stderr}");
    assert_bitrix_once(&server, &orgs, &persons, links);
    let (adds, updates) = {
        let s = server.state.lock().unwrap();
        (s.adds, s.updates)
    };
    assert_eq!(
        updates as usize, links,
        "each link sets its contact's COMPANY_ID"
    );
    let o = bitrix_load(&dir, &server.webhook);
    assert!(o.status.success());
    let s = server.state.lock().unwrap();
    assert_eq!(
        (s.adds, s.updates, s.requisite_updates),
        (adds, updates, 0),
        "a re-run with no change writes nothing"
    );
    let requisites = s.requisite_adds;
    drop(s);

    // A phone changed in the source: one update that adds it, nothing twice.
    let qbo = dir.join("sources/quickbooks_customers.csv");
    let text = std::fs::read_to_string(&qbo).unwrap();
    std::fs::write(&qbo, text.replace("+1 (212) 555-0177", "+1 (212) 555-0178")).unwrap();
    ok(&["-q", "run", dir.to_str().unwrap()]);
    let o = bitrix_load(&dir, &server.webhook);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s = server.state.lock().unwrap();
    assert_eq!((s.adds, s.updates), (adds, updates + 1));
    assert_eq!(
        (s.requisite_adds, s.requisite_updates),
        (requisites, 0),
        "the requisite of a company whose phone changed is left alone"
    );
    drop(s);
    let soylent: Vec<_> = server
        .records("company")
        .into_iter()
        .filter(|r| r["TITLE"] == "Soylent Corp")
        .collect();
    assert_eq!(soylent.len(), 1);
    let phones = soylent[0]["PHONE"].to_string();
    assert!(phones.contains("+12125550178"), "{phones}");
    assert_bitrix_once(&server, &orgs, &persons, links);
    for text in [stdout, stderr] {
        assert!(!text.contains(SECRET), "{text}");
    }
    for entry in walk(&dir) {
        let bytes = std::fs::read(&entry).unwrap();
        let hit = bytes.windows(SECRET.len()).any(|w| w == SECRET.as_bytes());
        assert!(!hit, "the webhook secret is in {}", entry.display());
    }
}

#[test]
fn bitrix24_through_faults_and_kills_every_record_lands_once() {
    let server = bitrix24_server::Server::start(bitrix24_server::Options {
        secret: SECRET.into(),
        faults: 0.3,
        seed: 5,
        latency: Duration::from_millis(40),
        // An Enterprise-sized portal, so that the test takes seconds.
        leak: 50.0,
        ..Default::default()
    });
    let (_tmp, dir) = bitrix_project("batch = 2\nrate_limit = \"1000/25s\"");
    let (orgs, persons, links) = dry_run(&dir);
    let killed = kill_loads(&dir, "BITRIX24_WEBHOOK_URL", &server.webhook, 0x9e37_79b9);
    assert!(killed >= 15, "only {killed} loads were cut off");
    let o = bitrix_load(&dir, &server.webhook);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(server.state.lock().unwrap().faults > 3);
    assert_bitrix_once(&server, &orgs, &persons, links);
}

#[test]
fn bitrix24_a_portal_without_russian_templates_gets_no_requisites_and_is_told() {
    let server = bitrix24_server::Server::start(bitrix24_server::Options {
        secret: SECRET.into(),
        ru_presets: false,
        ..Default::default()
    });
    let (_tmp, dir) = bitrix_project("");
    let (orgs, _, _) = dry_run(&dir);
    let o = bitrix_load(&dir, &server.webhook);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.contains("no requisite templates"), "{out}");
    assert_once(server.keys("company"), &orgs, "company");
    assert!(server.state.lock().unwrap().requisites.is_empty());
}

#[test]
fn bitrix24_a_wrong_webhook_stops_the_load_without_printing_it() {
    let server = bitrix24_server::Server::start(bitrix24_server::Options {
        secret: SECRET.into(),
        ..Default::default()
    });
    let (_tmp, dir) = bitrix_project("");
    let wrong = server.webhook.replace(SECRET, "WRONG-SECRET-77");
    let o = bitrix_load(&dir, &wrong);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("401") && err.contains("BITRIX24_WEBHOOK_URL"),
        "{err}"
    );
    assert!(!err.contains("WRONG-SECRET-77"), "{err}");
    assert!(server.keys("company").is_empty());
}
