//! One file per subcommand; `dispatch` routes the parsed CLI to them. Project
//! commands load the config, call [`crate::pipeline::run`] and print each
//! stage's report as it arrives.

pub mod clean;
pub mod dedupe;
pub mod ingest;
pub mod init;
pub mod inspect;
pub mod link;
pub mod load;
pub mod r#match;
pub mod normalize;
pub mod output;
pub mod progress;
pub mod report;
pub mod review;
pub mod run;
pub mod status;

use crate::cli::{Cli, Command, ProjectArgs};
use crate::config::Config;
use crate::pipeline::{RunOptions, Stage, StageReport};
use progress::Bars;

/// Run `stages` of the project in `args.dir`, printing each report unless quiet.
pub fn run_stages(
    args: &ProjectArgs,
    stages: &[Stage],
    options: &RunOptions,
    quiet: bool,
) -> anyhow::Result<()> {
    let config = Config::load(&args.dir)?;
    let bars = Bars::new(quiet);
    let mut done = 0;
    let result = crate::pipeline::run(&config, stages, &bars, options, &mut |report, took| {
        done += 1;
        if !quiet {
            print_report(report, &config);
        }
        if args.timings {
            eprintln!(
                "timing  {}: {:.2} s (peak memory so far {})",
                report.stage().name(),
                took.as_secs_f64(),
                output::peak_memory()
            );
        }
    });
    // A run cut off after its first data stages goes on from where it stopped.
    if result.is_err()
        && options.resume
        && let Some(failed) = stages.get(done)
        && done > 1
    {
        eprintln!(
            "note: once that is fixed, the same command resumes at {}: the stages before it are up to date",
            failed.name()
        );
    }
    result?;
    Ok(())
}

fn print_report(report: &StageReport, config: &Config) {
    match report {
        StageReport::Ingest(r) => ingest::print(r),
        StageReport::Normalize(r) => normalize::print(r),
        StageReport::Match(r) => r#match::print(r),
        StageReport::Link(r) => link::print(r),
        StageReport::Load(Some(r)) => load::print(r, config),
        StageReport::Load(None) => {
            crate::say!("load: no [target] in golive.toml, nothing planned");
        }
        StageReport::Report(r) => report::print(r, config),
        StageReport::UpToDate { skipped } => crate::say!(
            "{}: up to date, passed over (what it reads is as when it last finished; `--from {}` runs it anyway)",
            skipped.name(),
            skipped.name()
        ),
    }
}

pub fn dispatch(cli: &Cli) -> anyhow::Result<()> {
    let q = cli.quiet;
    match &cli.command {
        Command::Inspect(a) => inspect::run(a),
        Command::Init(a) => init::run(a),
        Command::Run(a) => run::run(a, q),
        Command::Ingest(a) => run_stages(a, &[Stage::Ingest], &RunOptions::default(), q),
        Command::Review(a) => review::run(a, q),
        Command::Load(a) => load::run(a, q),
        Command::Status(a) => status::run(a),
        Command::Normalize(a) => run_stages(a, &[Stage::Normalize], &RunOptions::default(), q),
        Command::Match(a) => run_stages(a, &[Stage::Match], &RunOptions::default(), q),
        Command::Link(a) => run_stages(a, &[Stage::Link], &RunOptions::default(), q),
        Command::Report(a) => report::run(a, q),
        Command::Clean(a) => clean::run(a),
        Command::Dedupe(a) => dedupe::run(a, Bars::new(q), q),
    }
}
