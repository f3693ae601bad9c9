//! One file per subcommand; `dispatch` routes the parsed CLI to them.

use crate::cli::Cli;

pub fn dispatch(cli: &Cli) -> anyhow::Result<()> {
    match &cli.command {
        other => anyhow::bail!("{other:?}: not built yet"),
    }
}
