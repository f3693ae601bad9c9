//! `golive run [DIR]`: every stage in order.

use crate::cli::ProjectArgs;
use crate::config::Config;
use crate::progress::Progress;
use crate::workspace::Workspace;

pub fn run(args: &ProjectArgs, progress: Progress, quiet: bool) -> anyhow::Result<()> {
    let config = Config::load(&args.dir)?;
    let mut ws = Workspace::open(&args.dir)?;
    super::ingest::stage(&config, &mut ws, progress, quiet)?;
    super::normalize::stage(&config, &mut ws, progress, quiet)?;
    super::r#match::stage(&config, &mut ws, progress, quiet)?;
    super::link::stage(&config, &mut ws, progress, quiet)?;
    if !quiet {
        println!(
            "\nsee `golive status {}` for counts, rejects and flags",
            args.dir.display()
        );
    }
    Ok(())
}
