//! `golive load` with `mode = "api"` through the real binary, against a local
//! HubSpot (tests/hubspot_server) that follows HubSpot's documented contract:
//! a full load of samples/demo, a re-run that sends nothing, a load through 30 %
//! failing requests, 20 loads killed with SIGKILL and resumed, a refused value,
//! and the token kept out of everything golive prints or writes.

mod common;
mod hubspot_server;

use common::{copy_dir, ok};
use hubspot_server::{Options, Server};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

const TOKEN: &str = "pat-na1-0c9d-GOLIVE-TEST-TOKEN-7f3a";

fn project(server: &Server, extra: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    copy_dir(Path::new("samples/demo"), &dir);
    let toml = dir.join("golive.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(
        &toml,
        format!(
            "{text}\n[target]\ncrm = \"hubspot\"\nmode = \"api\"\napi_url = \"{}\"\n{extra}\n",
            server.url
        ),
    )
    .unwrap();
    ok(&["-q", "run", dir.to_str().unwrap()]);
    (tmp, dir)
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
        let keys = server.keys(object);
        let unique: BTreeSet<String> = keys.iter().cloned().collect();
        assert_eq!(keys.len(), unique.len(), "twins among {object}");
        assert_eq!(&unique, expected, "{object}");
    }
    assert_eq!(server.state.lock().unwrap().associations.len(), links);
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

#[test]
fn loads_killed_at_random_points_resume_without_twins() {
    let server = Server::start(Options {
        token: TOKEN.into(),
        latency: Duration::from_millis(15),
        faults: 0.1,
        seed: 11,
        ..Options::default()
    });
    let (_tmp, dir) = project(&server, "batch = 4");
    let (orgs, persons, links) = dry_run(&dir);
    let bin = assert_cmd::cargo::cargo_bin("golive");
    let mut x: u64 = 0x2545_f491;
    let mut killed = 0;
    for _ in 0..20 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let mut child = std::process::Command::new(&bin)
            .env("HUBSPOT_ACCESS_TOKEN", TOKEN)
            .args(["-q", "load", dir.to_str().unwrap()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(20 + x % 400));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            killed += 1;
        }
        child.wait().unwrap();
    }
    assert!(killed >= 10, "only {killed} of 20 loads were cut off");
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
    let (again, _, _) = dry_run(&dir);
    assert_eq!(again.len(), 1, "{again:?}");
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
