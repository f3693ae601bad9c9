//! One file per subcommand; `dispatch` routes the parsed CLI to them.

pub mod clean;
pub mod dedupe;
pub mod ingest;
pub mod init;
pub mod inspect;
pub mod link;
pub mod r#match;
pub mod normalize;
pub mod output;
pub mod run;
pub mod status;

use crate::cli::{Cli, Command, ProjectArgs};
use crate::config::Config;
use crate::progress::Progress;
use crate::workspace::Workspace;
use crate::workspace::lock::RunLock;

/// One stage of a project: reads what earlier stages left in the workspace.
pub type Stage = fn(&Config, &mut Workspace, Progress, bool) -> anyhow::Result<()>;

/// Load the project and run stages in order, holding the workspace's lock; the
/// lock file records the stage in progress, so an interrupted run shows in status.
pub fn run_stages(
    args: &ProjectArgs,
    stages: &[(&str, Stage)],
    progress: Progress,
    quiet: bool,
) -> anyhow::Result<()> {
    let config = Config::load(&args.dir)?;
    let mut lock = RunLock::acquire(&args.dir)?;
    let mut ws = Workspace::open(&args.dir)?;
    let mut deferred = None;
    for (name, stage) in stages {
        lock.enter(name)?;
        match stage(&config, &mut ws, progress, quiet) {
            Err(e) if e.downcast_ref::<ingest::SourcesFailed>().is_some() => deferred = Some(e),
            other => other?,
        }
    }
    lock.finish()?;
    if let Some(e) = deferred {
        return Err(e);
    }
    if stages.iter().any(|(name, _)| *name == "ingest") {
        ingest::check_sources(&ws)?;
    }
    Ok(())
}

pub fn dispatch(cli: &Cli) -> anyhow::Result<()> {
    let progress = Progress::new(cli.quiet);
    match &cli.command {
        Command::Inspect(a) => inspect::run(a),
        Command::Init(a) => init::run(a),
        Command::Run(a) => run::run(a, progress, cli.quiet),
        Command::Ingest(a) => run_stages(a, &[("ingest", ingest::stage)], progress, cli.quiet),
        Command::Status(a) => status::run(a),
        Command::Normalize(a) => {
            run_stages(a, &[("normalize", normalize::stage)], progress, cli.quiet)
        }
        Command::Match(a) => run_stages(a, &[("match", r#match::stage)], progress, cli.quiet),
        Command::Link(a) => run_stages(a, &[("link", link::stage)], progress, cli.quiet),
        Command::Clean(a) => clean::run(a),
        Command::Dedupe(a) => dedupe::run(a, progress, cli.quiet),
    }
}
