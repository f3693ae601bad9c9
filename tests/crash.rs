//! The crash test: `golive run` killed with SIGKILL at random points on a
//! 50,000-row project. After every kill `out/` holds files of one run only
//! (each file is byte-identical to that run's, all from the same input); the
//! run after the last kill gives outputs byte-identical to an uninterrupted run.
//! The input alternates between two versions, so files of two runs would show.
//! The report is compared without what only says when and where it ran.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

const KILLS: usize = 20;

/// 50,000 rows; `GOLIVE_CRASH_ROWS` makes a quicker local check.
fn rows() -> usize {
    std::env::var("GOLIVE_CRASH_ROWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(50_000)
}

/// xorshift64*: the test is repeatable from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// A valid 10-digit ИНН from nine digits.
fn inn10(n: u64) -> String {
    let d: Vec<u32> = format!("{:09}", n % 1_000_000_000)
        .bytes()
        .map(|b| u32::from(b - b'0'))
        .collect();
    let w = [2, 4, 10, 3, 5, 9, 4, 6, 8];
    let c = d.iter().zip(w).map(|(a, b)| a * b).sum::<u32>() % 11 % 10;
    format!("{}{c}", d.iter().map(u32::to_string).collect::<String>())
}

/// Organizations (every tenth a second card of the one before) and their
/// contact persons; `version` changes some rows so two versions differ.
fn write_sources(dir: &Path, version: u64) {
    let total = rows();
    let orgs = total * 4 / 5;
    let mut o = String::from("Код;Наименование;ИНН;Телефон;Email\n");
    for i in 0..orgs {
        let base = if i % 10 == 9 { i - 1 } else { i };
        let name = if i % 10 == 9 {
            format!("Компания-{base} ООО")
        } else if i % 97 == 0 {
            format!("ООО \"Компания-{base} v{version}\"")
        } else {
            format!("ООО \"Компания-{base}\"")
        };
        o.push_str(&format!(
            "K{i:06};{name};{};+7 495 {:03}-{:02}-{:02};info{base}@firma{base}.ru\n",
            inn10(base as u64 * 7919 + 1),
            base % 1000,
            base / 1000 % 100,
            base / 100_000 + 10,
        ));
    }
    std::fs::write(dir.join("sources/orgs.csv"), o).unwrap();
    let mut c = String::from("ID;ФИО;Организация;Email\n");
    for i in 0..total - orgs {
        let org = (i * 3) % orgs / 10 * 10;
        c.push_str(&format!(
            "P{i:06};Иванов{i} Иван Петрович;ООО \"Компания-{org}\";ivanov{i}@firma{org}.ru\n"
        ));
    }
    std::fs::write(dir.join("sources/contacts.csv"), c).unwrap();
}

fn project(dir: &Path, version: u64) {
    std::fs::create_dir_all(dir.join("sources")).unwrap();
    std::fs::write(
        dir.join("golive.toml"),
        "[project]\nname = \"crash\"\nregion = \"RU\"\n[[source]]\nname = \"orgs\"\npath = \"sources/orgs.csv\"\nkind = \"organization\"\n[[source]]\nname = \"contacts\"\npath = \"sources/contacts.csv\"\nkind = \"person\"\n",
    )
    .unwrap();
    write_sources(dir, version);
}

fn golive() -> std::process::Command {
    let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("golive"));
    c.arg("-q")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    c
}

fn outputs(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let Ok(entries) = std::fs::read_dir(dir.join("out")) else {
        return BTreeMap::new();
    };
    entries
        .map(|e| e.unwrap())
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let bytes = std::fs::read(e.path()).unwrap();
            let bytes = match name.as_str() {
                "report.json" => report_data(&bytes),
                // The page shows the same figures (and the time and path).
                "report.html" => Vec::new(),
                _ => bytes,
            };
            (name, bytes)
        })
        .collect()
}

/// report.json without the project path, the time, the stage timings and the
/// changes since the previous version (the crashed project has many versions,
/// the reference one).
fn report_data(bytes: &[u8]) -> Vec<u8> {
    let mut r: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    let map = r.as_object_mut().unwrap();
    for volatile in ["project", "generated_at", "timings", "changes"] {
        assert!(map.remove(volatile).is_some(), "{volatile}");
    }
    serde_json::to_vec(&r).unwrap()
}

fn full_run(dir: &Path) -> Duration {
    let t = Instant::now();
    let status = golive().arg("run").arg(dir).status().unwrap();
    assert!(status.success());
    t.elapsed()
}

#[test]
fn runs_killed_at_random_points_never_mix_or_change_outputs() {
    let tmp = tempfile::tempdir().unwrap();
    // Uninterrupted runs of both versions: the reference outputs.
    let mut reference = Vec::new();
    let mut took = Duration::ZERO;
    for version in 0..2 {
        let dir = tmp.path().join(format!("ref{version}"));
        project(&dir, version);
        took = took.max(full_run(&dir));
        let out = outputs(&dir);
        assert_eq!(out.len(), 9, "{:?}", out.keys().collect::<Vec<_>>());
        reference.push(out);
    }
    assert_ne!(reference[0]["golden.csv"], reference[1]["golden.csv"]);

    let dir = tmp.path().join("crash");
    let seed = std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed);
    let mut rng = Rng(seed | 1);
    let window = took.as_millis() as u64 + 200;
    for kill in 0..KILLS {
        let version = (kill % 2) as u64;
        project(&dir, version);
        let mut child = golive().arg("run").arg(&dir).spawn().unwrap();
        let at = Duration::from_millis(rng.next() % window);
        std::thread::sleep(at);
        let _ = child.kill();
        let _ = child.wait();
        let present = outputs(&dir);
        let from: Vec<usize> = (0..2)
            .filter(|&v| {
                present
                    .iter()
                    .all(|(name, bytes)| reference[v].get(name) == Some(bytes))
            })
            .collect();
        assert!(
            !from.is_empty(),
            "kill {kill} at {at:?}: out/ holds files of two runs or a partial file: {:?}",
            present.keys().collect::<Vec<_>>()
        );
    }
    let last = (KILLS % 2) as u64;
    project(&dir, last);
    full_run(&dir);
    assert_eq!(
        outputs(&dir),
        reference[last as usize],
        "the run after the kills"
    );
    let status = golive()
        .arg("status")
        .arg(&dir)
        .stdout(std::process::Stdio::piped())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&status.stdout);
    assert!(text.contains("every row is accounted for"), "{text}");
    assert!(!text.contains("the last run (started"), "{text}");
}
