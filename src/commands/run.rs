//! `golive run [DIR] [--load] [--from STAGE] [--until STAGE] [--lang L]`: every
//! stage in order, the load a dry run unless asked, the report at the end.

use crate::cli::{RunArgs, StageArg};
use crate::config::Config;
use crate::pipeline::{RunOptions, Stage};

fn stage(s: StageArg) -> Stage {
    match s {
        StageArg::Ingest => Stage::Ingest,
        StageArg::Normalize => Stage::Normalize,
        StageArg::Match => Stage::Match,
        StageArg::Link => Stage::Link,
        StageArg::Load => Stage::Load,
        StageArg::Report => Stage::Report,
    }
}

pub fn run(args: &RunArgs, quiet: bool) -> anyhow::Result<()> {
    let config = Config::load(&args.project.dir)?;
    let stages = Stage::range(args.from.map(stage), args.until.map(stage));
    if stages.is_empty() {
        anyhow::bail!(crate::Error::Usage(
            "--from comes after --until: nothing to run".into()
        ));
    }
    let options = RunOptions {
        load: args.load,
        lang: super::report::lang_of(args.lang.as_deref(), &config)?,
        phase: args.phase.clone(),
        all_phases: args.all_phases,
        // Without --from, stages whose inputs are unchanged are passed over.
        resume: args.from.is_none(),
    };
    super::run_stages(&args.project, &stages, &options, quiet)
}
