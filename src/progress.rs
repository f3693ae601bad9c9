//! How stages report progress: through [`Progress`], which the CLI renders as
//! bars on a terminal (`commands::progress`); the library never draws.

/// What a piece of work counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Work {
    /// Rows of known number.
    Rows(u64),
    /// Rows streaming from a file, number unknown.
    StreamedRows,
    /// Work that counts nothing (matching, linking).
    Uncounted,
}

/// Receives progress from the stages.
pub trait Progress: Sync {
    /// A piece of work has started; it ends when the task is dropped or finished.
    fn task(&self, what: &str, work: Work) -> Box<dyn Task>;
}

/// One piece of work in progress.
pub trait Task: Send + Sync {
    fn inc(&self, n: u64);
    /// What the count alone does not say (an API load's retries so far).
    fn detail(&self, _text: &str) {}
    fn finish(&self);
}

/// No progress shown (tests, the library used from code).
#[derive(Clone, Copy, Debug, Default)]
pub struct Silent;

struct Nothing;

impl Task for Nothing {
    fn inc(&self, _: u64) {}
    fn finish(&self) {}
}

impl Progress for Silent {
    fn task(&self, _: &str, _: Work) -> Box<dyn Task> {
        Box::new(Nothing)
    }
}
