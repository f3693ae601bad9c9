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
pub mod review;
pub mod run;
pub mod status;

use crate::cli::{Cli, Command, ProjectArgs};
use crate::config::Config;
use crate::pipeline::{Stage, StageReport};
use progress::Bars;

/// Run `stages` of the project in `args.dir`, printing each report unless quiet.
pub fn run_stages(args: &ProjectArgs, stages: &[Stage], quiet: bool) -> anyhow::Result<()> {
    let config = Config::load(&args.dir)?;
    let bars = Bars::new(quiet);
    crate::pipeline::run(&config, stages, &bars, &mut |report, took| {
        if !quiet {
            print_report(report);
        }
        if args.timings {
            eprintln!(
                "timing  {}: {:.2} s (peak memory so far {})",
                report.stage().name(),
                took.as_secs_f64(),
                output::peak_memory()
            );
        }
    })?;
    Ok(())
}

fn print_report(report: &StageReport) {
    match report {
        StageReport::Ingest(r) => ingest::print(r),
        StageReport::Normalize(r) => normalize::print(r),
        StageReport::Match(r) => r#match::print(r),
        StageReport::Link(r) => link::print(r),
    }
}

pub fn dispatch(cli: &Cli) -> anyhow::Result<()> {
    let q = cli.quiet;
    match &cli.command {
        Command::Inspect(a) => inspect::run(a),
        Command::Init(a) => init::run(a),
        Command::Run(a) => run::run(a, q),
        Command::Ingest(a) => run_stages(a, &[Stage::Ingest], q),
        Command::Review(a) => review::run(a, q),
        Command::Load(a) => load::run(a, q),
        Command::Status(a) => status::run(a),
        Command::Normalize(a) => run_stages(a, &[Stage::Normalize], q),
        Command::Match(a) => run_stages(a, &[Stage::Match], q),
        Command::Link(a) => run_stages(a, &[Stage::Link], q),
        Command::Clean(a) => clean::run(a),
        Command::Dedupe(a) => dedupe::run(a, Bars::new(q), q),
    }
}
