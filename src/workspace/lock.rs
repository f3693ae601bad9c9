//! One golive run per workspace at a time, and a record of how far the last run
//! got. `DIR/.golive/lock` is held with an OS file lock for the whole run (the OS
//! drops it when the process dies, even by SIGKILL) and holds the run's state:
//! which stage it is in, or that it finished. A run that finds an unfinished
//! state left behind knows the previous one was interrupted.

use crate::error::{Error, Result};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

/// How long a second run waits for the first before giving up.
const WAIT: Duration = Duration::from_secs(3);

pub const FILE_NAME: &str = "lock";

/// What the lock file says about the current or last run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunState {
    pub pid: u32,
    pub started: String,
    /// The stage in progress; empty once the run finished.
    pub stage: String,
    pub finished: bool,
}

impl RunState {
    fn parse(text: &str) -> Option<Self> {
        let mut s = RunState::default();
        for line in text.lines() {
            let (k, v) = line.split_once(' ').unwrap_or((line, ""));
            match k {
                "pid" => s.pid = v.parse().ok()?,
                "started" => s.started = v.to_string(),
                "stage" => s.stage = v.to_string(),
                "finished" => s.finished = true,
                _ => {}
            }
        }
        (!s.started.is_empty()).then_some(s)
    }

    fn render(&self) -> String {
        let mut t = format!("pid {}\nstarted {}\n", self.pid, self.started);
        if self.finished {
            t.push_str("finished\n");
        } else {
            t.push_str(&format!("stage {}\n", self.stage));
        }
        t
    }
}

/// The workspace's lock, held until dropped.
pub struct RunLock {
    file: std::fs::File,
    path: PathBuf,
    state: RunState,
    /// The state the previous run left: `Some` with `finished == false` if it was interrupted.
    pub previous: Option<RunState>,
}

fn lock_path(project_dir: &Path) -> PathBuf {
    project_dir.join(".golive").join(FILE_NAME)
}

impl RunLock {
    /// Take the lock of a project's workspace, waiting a little for a run that
    /// holds it; then make sure SQLite's side files are usable.
    pub fn acquire(project_dir: &Path) -> Result<Self> {
        let dir = project_dir.join(".golive");
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let path = lock_path(project_dir);
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        let deadline = Instant::now() + WAIT;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(std::fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    let since = read_state(project_dir).map_or_else(String::new, |s| {
                        format!(" since {} (pid {})", s.started, s.pid)
                    });
                    return Err(Error::Usage(format!(
                        "another golive run is using {}{since}: wait for it to finish",
                        project_dir.display()
                    )));
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(&path, e)),
            }
        }
        let mut text = String::new();
        file.read_to_string(&mut text)
            .map_err(|e| Error::io(&path, e))?;
        recover_side_files(&dir)?;
        let mut lock = RunLock {
            file,
            path,
            state: RunState {
                pid: std::process::id(),
                started: utc_now(),
                stage: "starting".into(),
                finished: false,
            },
            previous: RunState::parse(&text),
        };
        lock.write()?;
        Ok(lock)
    }

    /// Record that `stage` is in progress.
    pub fn enter(&mut self, stage: &str) -> Result<()> {
        self.state.stage = stage.to_string();
        self.write()
    }

    /// Record that the run completed.
    pub fn finish(mut self) -> Result<()> {
        self.state.finished = true;
        self.write()
    }

    fn write(&mut self) -> Result<()> {
        let text = self.state.render();
        let path = &self.path;
        self.file
            .set_len(0)
            .and_then(|()| self.file.rewind())
            .and_then(|()| self.file.write_all(text.as_bytes()))
            .map_err(|e| Error::io(path, e))
    }
}

/// The state in the lock file, and whether a run holds the lock now.
pub fn status(project_dir: &Path) -> Option<(RunState, bool)> {
    let state = read_state(project_dir)?;
    let file = std::fs::File::open(lock_path(project_dir)).ok()?;
    let held = matches!(
        file.try_lock_shared(),
        Err(std::fs::TryLockError::WouldBlock)
    );
    Some((state, held))
}

fn read_state(project_dir: &Path) -> Option<RunState> {
    RunState::parse(&std::fs::read_to_string(lock_path(project_dir)).ok()?)
}

/// With the lock held no other connection is open, so a `-shm` file (an index
/// SQLite rebuilds from the database and its `-wal`) left behind unwritable by a
/// crash or a copy can go; an unwritable `-wal` holds committed work and cannot:
/// say how to fix it.
fn recover_side_files(dir: &Path) -> Result<()> {
    let unwritable =
        |p: &Path| p.exists() && std::fs::OpenOptions::new().write(true).open(p).is_err();
    let shm = dir.join("workspace.db-shm");
    if unwritable(&shm) {
        std::fs::remove_file(&shm).map_err(|e| {
            Error::bad_input(
                &shm,
                format!("left unwritable by an earlier run and cannot be removed ({e}): delete it (no golive run is using it)"),
            )
        })?;
    }
    for name in ["workspace.db-wal", "workspace.db"] {
        let path = dir.join(name);
        if unwritable(&path) {
            return Err(Error::bad_input(
                &path,
                "is not writable: golive needs to write it; restore write permission (chmod u+w), do not delete it",
            ));
        }
    }
    Ok(())
}

/// `2026-12-02 07:10:03 UTC`.
/// Now, as `2026-12-02 19:20:00 UTC`.
pub fn utc_now() -> String {
    let secs = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_waits_then_fails_naming_the_first() {
        let tmp = tempfile::tempdir().unwrap();
        let first = RunLock::acquire(tmp.path()).unwrap();
        assert_eq!(first.previous, None);
        let t = Instant::now();
        let e = RunLock::acquire(tmp.path()).err().unwrap().to_string();
        assert!(t.elapsed() >= WAIT, "it waits first");
        assert!(
            e.contains("another golive run is using") && e.contains(" since "),
            "{e}"
        );
        assert_eq!(
            status(tmp.path()).map(|(s, held)| (s.stage, held)),
            Some(("starting".into(), true))
        );
        drop(first);
        let second = RunLock::acquire(tmp.path()).unwrap();
        let prev = second.previous.clone().unwrap();
        assert!(!prev.finished, "the first never finished: interrupted");
        second.finish().unwrap();
        let (state, held) = status(tmp.path()).unwrap();
        assert!(state.finished && !held);
        assert!(
            RunLock::acquire(tmp.path())
                .unwrap()
                .previous
                .unwrap()
                .finished
        );
    }

    #[test]
    fn the_date_is_utc_civil_time() {
        let now = utc_now();
        assert_eq!(now.len(), "2026-12-02 07:10:03 UTC".len(), "{now}");
        assert!(now.starts_with("20"), "{now}");
    }
}
