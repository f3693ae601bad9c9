//! The stage layer. Each stage is one function from the workspace (and the
//! config) to the workspace, returning a typed report; [`run`] sequences them
//! under the workspace's lock and proves the row accounting after each.
//! Commands parse, call [`run`] and print the reports; progress goes through
//! [`Progress`], which the CLI renders.
//!
//! ingest → normalize → match → link → load → report; stages talk only
//! through the workspace.

pub mod accounting;
pub mod ingest;
pub mod link;
pub mod load;
pub mod r#match;
pub mod normalize;
mod outputs;
pub mod report;

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
    Load,
    Report,
}

impl Stage {
    /// Every stage, in order.
    pub const ALL: [Stage; 6] = [
        Stage::Ingest,
        Stage::Normalize,
        Stage::Match,
        Stage::Link,
        Stage::Load,
        Stage::Report,
    ];
    /// The stages that build golden records and links from the sources.
    pub const DATA: [Stage; 4] = [Stage::Ingest, Stage::Normalize, Stage::Match, Stage::Link];

    /// Whether the stage writes what the row accounting counts (rows,
    /// parties, golden records); the others leave it as it was.
    fn is_counted(self) -> bool {
        matches!(self, Stage::Ingest | Stage::Normalize | Stage::Match)
    }

    pub fn name(self) -> &'static str {
        match self {
            Stage::Ingest => "ingest",
            Stage::Normalize => "normalize",
            Stage::Match => "match",
            Stage::Link => "link",
            Stage::Load => "load",
            Stage::Report => "report",
        }
    }

    /// `from..=until` of [`Stage::ALL`].
    pub fn range(from: Option<Stage>, until: Option<Stage>) -> Vec<Stage> {
        let at = |s: Option<Stage>, default: usize| {
            s.and_then(|s| Stage::ALL.iter().position(|x| *x == s))
                .unwrap_or(default)
        };
        let (a, b) = (at(from, 0), at(until, Stage::ALL.len() - 1));
        if a > b {
            return Vec::new();
        }
        Stage::ALL[a..=b].to_vec()
    }
}

/// What `golive run` was asked beyond the stages.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Load for real (else the load stage plans a dry run, unless `[target]
    /// load_on_run`).
    pub load: bool,
    pub lang: crate::model::lang::Lang,
    /// `--phase`: the load takes what the `[[phase]]`s up to this one select.
    pub phase: Option<String>,
    /// `--all-phases`: a real load of everything although golive.toml has phases.
    pub all_phases: bool,
    /// Pass over the first stages whose inputs have not changed since they
    /// last finished: `golive run` resumes at the stage that failed.
    pub resume: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            load: false,
            lang: crate::model::lang::Lang::En,
            phase: None,
            all_phases: false,
            resume: false,
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
    /// `None`: no `[target]`, nothing planned.
    Load(Option<load::LoadReport>),
    Report(Box<report::ReportSummary>),
    /// A stage a resumed run passed over: nothing it reads changed since it finished.
    UpToDate {
        skipped: Stage,
    },
}

impl StageReport {
    pub fn stage(&self) -> Stage {
        match self {
            StageReport::Ingest(_) => Stage::Ingest,
            StageReport::Normalize(_) => Stage::Normalize,
            StageReport::Match(_) => Stage::Match,
            StageReport::Link(_) => Stage::Link,
            StageReport::Load(_) => Stage::Load,
            StageReport::Report(_) => Stage::Report,
            StageReport::UpToDate { skipped } => *skipped,
        }
    }
}

/// Run one stage on an open workspace (no lock, no accounting: [`run`] adds those).
pub fn run_stage(
    stage: Stage,
    config: &Config,
    ws: &mut Workspace,
    progress: &dyn Progress,
    options: &RunOptions,
) -> Result<StageReport> {
    Ok(match stage {
        Stage::Ingest => StageReport::Ingest(ingest::run(config, ws, progress)?),
        Stage::Normalize => StageReport::Normalize(normalize::run(config, ws, progress)?),
        Stage::Match => StageReport::Match(r#match::run(config, ws, progress)?),
        Stage::Link => StageReport::Link(link::run(config, ws, progress)?),
        Stage::Load => StageReport::Load(match &config.target {
            None => None,
            Some(_) => Some(load::run(
                config,
                ws,
                progress,
                &load_options(config, options),
            )?),
        }),
        Stage::Report => StageReport::Report(Box::new(report::run(config, ws, options.lang)?)),
    })
}

/// The fingerprint of everything `stage` reads: this build of golive,
/// golive.toml, the project's own mapping profiles, the latest source version,
/// (from the match on) the steward's decisions, and the fingerprint the stage
/// before it finished with. `None` for the stages a run always runs: ingest
/// (it passes over unchanged files itself), load and report.
fn inputs_of(stage: Stage, config: &Config, ws: &Workspace) -> Result<Option<String>> {
    use sha2::{Digest, Sha256};
    if !matches!(stage, Stage::Normalize | Stage::Match | Stage::Link) {
        return Ok(None);
    }
    let Some(project) = project_inputs(config) else {
        return Ok(None);
    };
    let mut h = Sha256::new();
    h.update(project.as_bytes());
    h.update(ws.newest_version_id()?.to_le_bytes());
    match stage {
        Stage::Match => {
            h.update(ws.steward_digest()?.as_bytes());
            h.update(
                ws.stage_inputs(Stage::Normalize.name())?
                    .unwrap_or_default(),
            );
        }
        Stage::Link => {
            h.update(ws.steward_digest()?.as_bytes());
            h.update(ws.stage_inputs(Stage::Match.name())?.unwrap_or_default());
        }
        _ => {}
    }
    Ok(Some(hex(&h.finalize())))
}

/// The fingerprint of what every stage reads of the project besides the
/// workspace: this build of golive, golive.toml and the project's own mapping
/// profiles. `None` when golive.toml cannot be read (nothing is then reused).
fn project_inputs(config: &Config) -> Option<String> {
    use sha2::{Digest, Sha256};
    let toml = std::fs::read(config.dir.join(crate::config::FILE_NAME)).ok()?;
    let mut h = Sha256::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    // A rebuilt binary may decide differently.
    if let Ok(meta) = std::env::current_exe().and_then(std::fs::metadata) {
        h.update(meta.len().to_le_bytes());
        if let Ok(t) = meta.modified()
            && let Ok(d) = t.duration_since(std::time::UNIX_EPOCH)
        {
            h.update(d.as_nanos().to_le_bytes());
        }
    }
    h.update([0x1e]);
    h.update(&toml);
    h.update([0x1e]);
    // Normalize maps every table again with the profiles as they are now.
    if let Ok(entries) = std::fs::read_dir(config.dir.join("mappings")) {
        let mut files: Vec<std::path::PathBuf> = entries.flatten().map(|e| e.path()).collect();
        files.sort();
        for f in files {
            h.update(f.to_string_lossy().as_bytes());
            h.update(std::fs::read(&f).unwrap_or_default());
            h.update([0x1e]);
        }
    }
    Some(hex(&h.finalize()))
}

fn hex(digest: &[u8]) -> String {
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// What the load stage of a run is asked.
fn load_options(config: &Config, options: &RunOptions) -> load::LoadOptions {
    load::LoadOptions {
        dry_run: !(options.load || config.target.as_ref().is_some_and(|t| t.load_on_run)),
        phase: options.phase.clone(),
        all_phases: options.all_phases,
        ..load::LoadOptions::default()
    }
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
    options: &RunOptions,
    on_report: &mut dyn FnMut(&StageReport, std::time::Duration),
) -> Result<Accounting> {
    if stages.contains(&Stage::Load) && config.target.is_some() {
        load::check(config, &load_options(config, options))?;
    } else if let Some(name) = &options.phase {
        config.phase(name)?;
    }
    let mut lock = RunLock::acquire(&config.dir)?;
    let mut ws = Workspace::open(&config.dir)?;
    let mut deferred = None;
    let mut accounting = Accounting::default();
    let mut resuming = options.resume;
    // Whether `accounting` was counted after the last stage that ran.
    let mut counted = true;
    for &stage in stages {
        let inputs = inputs_of(stage, config, &ws)?;
        if resuming && let Some(now) = &inputs {
            let out = config.out_dir();
            if ws.stage_inputs(stage.name())?.as_ref() == Some(now)
                && ws.stage_is_current(stage.name())?
                && outputs::files_of(stage)
                    .iter()
                    .all(|f| out.join(f).is_file())
            {
                // Only while the workspace still adds up: a gap is closed by
                // running the stage again.
                let held = Accounting::of(&ws, &config.dir)?;
                if held.check().is_ok() {
                    accounting = held;
                    counted = true;
                    // This run spent nothing on it.
                    ws.record_stage_seconds(stage.name(), 0.0)?;
                    on_report(
                        &StageReport::UpToDate { skipped: stage },
                        std::time::Duration::ZERO,
                    );
                    continue;
                }
            }
            // What a stage that ran again decides, the ones after it read.
            resuming = false;
        }
        lock.enter(stage.name())?;
        let started = std::time::Instant::now();
        ws.forget_stage_inputs(stage.name())?;
        let report = run_stage(stage, config, &mut ws, progress, options)?;
        ws.mark_stage(stage.name(), inputs.as_deref())?;
        ws.record_stage_seconds(stage.name(), started.elapsed().as_secs_f64())?;
        if let StageReport::Ingest(r) = &report {
            deferred = r.failure(config);
        }
        // Counted again where a stage wrote what it counts (a second or so
        // at a million rows), and once at the end.
        counted = stage.is_counted();
        if counted {
            accounting = Accounting::of(&ws, &config.dir)?;
            accounting.check()?;
        }
        on_report(&report, started.elapsed());
    }
    if !counted {
        accounting = Accounting::of(&ws, &config.dir)?;
        accounting.check()?;
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
