//! One file per subcommand; `dispatch` routes the parsed CLI to them.

pub mod clean;
pub mod dedupe;
pub mod ingest;
pub mod init;
pub mod inspect;
pub mod link;
pub mod r#match;
pub mod normalize;
pub mod run;
pub mod status;

use crate::cli::{Cli, Command, ProjectArgs};
use crate::config::Config;
use crate::progress::Progress;
use crate::workspace::Workspace;

/// One stage of a project: reads what earlier stages left in the workspace.
pub type Stage = fn(&Config, &mut Workspace, Progress, bool) -> anyhow::Result<()>;

/// Load the project and run stages in order.
pub fn run_stages(
    args: &ProjectArgs,
    stages: &[Stage],
    progress: Progress,
    quiet: bool,
) -> anyhow::Result<()> {
    let config = Config::load(&args.dir)?;
    let mut ws = Workspace::open(&args.dir)?;
    let mut deferred = None;
    for stage in stages {
        match stage(&config, &mut ws, progress, quiet) {
            Err(e) if e.downcast_ref::<ingest::SourcesFailed>().is_some() => deferred = Some(e),
            other => other?,
        }
    }
    deferred.map_or(Ok(()), Err)
}

pub fn dispatch(cli: &Cli) -> anyhow::Result<()> {
    let progress = Progress::new(cli.quiet);
    match &cli.command {
        Command::Inspect(a) => inspect::run(a),
        Command::Init(a) => init::run(a),
        Command::Run(a) => run::run(a, progress, cli.quiet),
        Command::Ingest(a) => run_stages(a, &[ingest::stage], progress, cli.quiet),
        Command::Status(a) => status::run(a),
        Command::Normalize(a) => run_stages(a, &[normalize::stage], progress, cli.quiet),
        Command::Match(a) => run_stages(a, &[r#match::stage], progress, cli.quiet),
        Command::Link(a) => run_stages(a, &[link::stage], progress, cli.quiet),
        Command::Clean(a) => clean::run(a),
        Command::Dedupe(a) => dedupe::run(a, progress, cli.quiet),
    }
}
