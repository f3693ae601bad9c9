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

use crate::cli::{Cli, Command};
use crate::progress::Progress;

pub fn dispatch(cli: &Cli) -> anyhow::Result<()> {
    let progress = Progress::new(cli.quiet);
    match &cli.command {
        Command::Inspect(a) => inspect::run(a),
        Command::Init(a) => init::run(a),
        Command::Run(a) => run::run(a, progress, cli.quiet),
        Command::Ingest(a) => ingest::run(a, progress, cli.quiet),
        Command::Status(a) => status::run(a),
        Command::Normalize(a) => normalize::run(a, progress, cli.quiet),
        Command::Match(a) => r#match::run(a, progress, cli.quiet),
        Command::Link(a) => link::run(a, progress, cli.quiet),
        Command::Clean(a) => clean::run(a),
        Command::Dedupe(a) => dedupe::run(a, progress, cli.quiet),
    }
}
