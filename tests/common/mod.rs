//! What the integration tests share: the real binary, and project folders copied
//! from samples or fixtures.
#![allow(dead_code)] // each test crate uses its own part

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// Run the golive binary built for the tests.
pub fn golive(args: &[&str]) -> std::process::Output {
    Command::cargo_bin("golive")
        .unwrap()
        .args(args)
        .output()
        .unwrap()
}

/// Run it, fail the test with its stderr unless it succeeds, and give its stdout.
pub fn ok(args: &[&str]) -> String {
    let o = golive(args);
    assert!(
        o.status.success(),
        "golive {args:?} failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Copy a project folder, leaving out what a run left there (workspace, outputs).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_name() == ".golive" || e.file_name() == "out" {
            continue;
        }
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// Headless Chromium: `$CHROMIUM`, else the system package.
pub fn chromium() -> PathBuf {
    let candidates = [
        std::env::var("CHROMIUM").unwrap_or_default(),
        "/usr/bin/chromium".into(),
        "/usr/bin/chromium-browser".into(),
    ];
    candidates
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .expect("headless Chromium is needed for the page tests: `apt-get install chromium` (.ci/run installs it), or set CHROMIUM")
}

/// Chromium headless with a throwaway profile, its console on stderr.
pub fn headless(profile: &Path) -> std::process::Command {
    let mut c = std::process::Command::new(chromium());
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--enable-logging=stderr",
        "--v=0",
        "--window-size=1400,1000",
    ]);
    c.arg(format!("--user-data-dir={}", profile.display()));
    c
}

/// The DOM headless Chromium renders from `page`, after checking that it
/// loaded and wrote no console message (a script error, a failed resource).
pub fn dump_dom(profile: &Path, page: &Path) -> String {
    let url = format!("file://{}", page.display());
    let o = headless(profile)
        .args(["--dump-dom", &url])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stderr = String::from_utf8_lossy(&o.stderr);
    let console: Vec<&str> = stderr.lines().filter(|l| l.contains("CONSOLE")).collect();
    assert!(console.is_empty(), "console messages: {console:?}");
    String::from_utf8_lossy(&o.stdout).into_owned()
}
