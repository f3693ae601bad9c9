//! `golive run [DIR]`: every stage in order.

use super::{Stage, link, r#match, normalize, run_stages};
use crate::cli::ProjectArgs;
use crate::progress::Progress;

pub const ALL: [(&str, Stage); 4] = [
    ("ingest", super::ingest::stage),
    ("normalize", normalize::stage),
    ("match", r#match::stage),
    ("link", link::stage),
];

pub fn run(args: &ProjectArgs, progress: Progress, quiet: bool) -> anyhow::Result<()> {
    run_stages(args, &ALL, progress, quiet)?;
    if !quiet {
        crate::say!(
            "\nsee `golive status {}` for counts, rejects and flags",
            args.dir.display()
        );
    }
    Ok(())
}
