//! `golive run [DIR]`: every stage in order.

use crate::cli::ProjectArgs;
use crate::pipeline::Stage;

pub fn run(args: &ProjectArgs, quiet: bool) -> anyhow::Result<()> {
    super::run_stages(args, &Stage::ALL, quiet)?;
    if !quiet {
        crate::say!(
            "\nsee `golive status {}` for counts, rejects and flags",
            args.dir.display()
        );
    }
    Ok(())
}
