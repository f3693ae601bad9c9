//! The stage layer. Each stage is one function from the workspace (and the
//! config) to the workspace, returning a typed report; [`run`] sequences them
//! under the workspace's lock and proves the row accounting after each.
//! Commands parse, call [`run`] and print the reports; progress goes through
//! [`Progress`], which the CLI renders.
//!
//! ingest → normalize → match → link; stages talk only through the workspace.

pub mod accounting;
pub mod ingest;
pub mod link;
pub mod load;
pub mod r#match;
pub mod normalize;
mod outputs;

use crate::config::Config;
use crate::error::Result;
use crate::progress::Progress;
use crate::workspace::Workspace;
use crate::workspace::lock::RunLock;
use accounting::Accounting;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Ingest,
    Normalize,
    Match,
    Link,
}

impl Stage {
    /// Every stage, in order.
    pub const ALL: [Stage; 4] = [Stage::Ingest, Stage::Normalize, Stage::Match, Stage::Link];

    pub fn name(self) -> &'static str {
        match self {
            Stage::Ingest => "ingest",
            Stage::Normalize => "normalize",
            Stage::Match => "match",
            Stage::Link => "link",
        }
    }
}

/// What one stage did.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum StageReport {
    Ingest(ingest::IngestReport),
    Normalize(normalize::NormalizeReport),
    Match(r#match::MatchReport),
    Link(link::LinkReport),
}

impl StageReport {
    pub fn stage(&self) -> Stage {
        match self {
            StageReport::Ingest(_) => Stage::Ingest,
            StageReport::Normalize(_) => Stage::Normalize,
            StageReport::Match(_) => Stage::Match,
            StageReport::Link(_) => Stage::Link,
        }
    }
}

/// Run one stage on an open workspace (no lock, no accounting: [`run`] adds those).
pub fn run_stage(
    stage: Stage,
    config: &Config,
    ws: &mut Workspace,
    progress: &dyn Progress,
) -> Result<StageReport> {
    Ok(match stage {
        Stage::Ingest => StageReport::Ingest(ingest::run(config, ws, progress)?),
        Stage::Normalize => StageReport::Normalize(normalize::run(config, ws, progress)?),
        Stage::Match => StageReport::Match(r#match::run(config, ws, progress)?),
        Stage::Link => StageReport::Link(link::run(config, ws, progress)?),
    })
}

/// Run `stages` in order on the project's workspace, holding its lock (the
/// lock file records the stage in progress, so an interrupted run shows in
/// status). After each stage the accounting is proved; a gap stops the run.
/// `on_report` sees each report, and how long its stage took, as soon as it is done. Sources that
/// failed to ingest fail the run at the end, after the later stages ran on the
/// others; so does a source nothing usable came from.
pub fn run(
    config: &Config,
    stages: &[Stage],
    progress: &dyn Progress,
    on_report: &mut dyn FnMut(&StageReport, std::time::Duration),
) -> Result<Accounting> {
    let mut lock = RunLock::acquire(&config.dir)?;
    let mut ws = Workspace::open(&config.dir)?;
    let mut deferred = None;
    let mut accounting = Accounting::default();
    for &stage in stages {
        lock.enter(stage.name())?;
        let started = std::time::Instant::now();
        let report = run_stage(stage, config, &mut ws, progress)?;
        ws.mark_stage(stage.name())?;
        if let StageReport::Ingest(r) = &report {
            deferred = r.failure(config);
        }
        accounting = Accounting::of(&ws, &config.dir)?;
        accounting.check()?;
        on_report(&report, started.elapsed());
    }
    lock.finish()?;
    if let Some(e) = deferred {
        return Err(e);
    }
    if stages.contains(&Stage::Ingest) {
        ingest::check_usable(&ws)?;
    }
    Ok(accounting)
}
