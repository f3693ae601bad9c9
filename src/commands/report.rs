//! `golive report [DIR] [--lang en|ru|ja]`: the migration report from what the
//! workspace holds (the report stage alone).

use crate::cli::ReportArgs;
use crate::config::Config;
use crate::model::lang::Lang;
use crate::pipeline::report::ReportSummary;
use crate::pipeline::{RunOptions, Stage};

/// `--lang`, else the project region's language.
pub fn lang_of(lang: Option<&str>, config: &Config) -> anyhow::Result<Lang> {
    Ok(match lang {
        Some(l) => l.parse::<Lang>().map_err(crate::Error::Usage)?,
        None => Lang::of_region(&config.region),
    })
}

pub fn run(a: &ReportArgs, quiet: bool) -> anyhow::Result<()> {
    let config = Config::load(&a.project.dir)?;
    let options = RunOptions {
        lang: lang_of(a.lang.as_deref(), &config)?,
        ..RunOptions::default()
    };
    super::run_stages(&a.project, &[Stage::Report], &options, quiet)
}

pub fn print(s: &ReportSummary, config: &Config) {
    let text = crate::report::summary(&s.report, s.lang);
    for line in text.lines() {
        crate::say!("{line}");
    }
    let out = config.out_dir();
    crate::say!(
        "  report: {} ({})",
        out.join("report.html").display(),
        out.join("report.json").display()
    );
    if s.flags_written > 0 {
        crate::say!(
            "  {} ({}): {}",
            out.join("flags.csv").display(),
            s.flags_written,
            crate::report::label(s.lang, "flags.file")
        );
    }
    if s.rejects_written > 0 {
        crate::say!(
            "  {} ({}): {}",
            out.join("rejects.csv").display(),
            s.rejects_written,
            crate::report::label(s.lang, "rejects.file")
        );
    }
}
