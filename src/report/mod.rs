//! The migration report: what became of every source row, proved, and the
//! figures a consultant shows the customer after each rehearsal. The stage
//! layer gathers a [`Report`] from the workspace; this module only renders it
//! (`report.json` is its serialization, `report.html` and the terminal
//! summary its pictures), in English, Russian or Japanese.

pub mod html;

use crate::model::lang::Lang;
use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

/// One source's funnel: rows read → blank → rejected → parties → merged /
/// golden → linked → planned / loaded. Counted row by row from the workspace.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct SourceFunnel {
    pub name: String,
    pub file: String,
    /// Physical data rows the reader met (counted apart from what was stored).
    pub rows_read: i64,
    pub blank: i64,
    /// Rejected at ingest or normalize, with a reason in `out/rejects.csv`.
    pub rejected: i64,
    pub parties: i64,
    /// Parties merged into a golden record another row stands for.
    pub merged: i64,
    /// Parties that stand for their golden record.
    pub golden: i64,
    /// Persons linked to an organization.
    pub linked: i64,
    /// Golden records planned for the target (create, update or unchanged);
    /// `None` without a target.
    pub planned: Option<i64>,
    /// Golden records the load skipped, with a reason in `out/load-plan.csv`.
    pub skipped: Option<i64>,
    /// Golden records in the target's crosswalk (loaded now or before).
    pub loaded: Option<i64>,
    /// Second parties read from these rows' contact or company columns.
    pub second_parties: i64,
}

/// The accounting invariant, checked row by row.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct AccountingCheck {
    pub ok: bool,
    /// Rows no class accounts for: `source file [sheet] row N (key K): why`.
    pub missing: Vec<String>,
    /// The sum checked, in words.
    pub checked: String,
}

/// A count by a label (a reason, a method, a flag).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Count {
    pub label: String,
    pub count: i64,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Flag {
    pub code: String,
    pub field: String,
    pub count: i64,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Cluster {
    pub golden_id: String,
    pub kind: String,
    pub name: String,
    pub members: i64,
}

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Duplicates {
    pub golden_records: i64,
    /// Golden records of more than one member.
    pub merged_clusters: i64,
    /// (members, golden records of that size).
    pub sizes: Vec<(i64, i64)>,
    pub largest: Vec<Cluster>,
}

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct LoadEntity {
    pub entity: String,
    pub create: i64,
    pub update: i64,
    pub unchanged: i64,
    pub skip: i64,
}

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct LoadFigures {
    pub target: String,
    /// The plan was a dry run (nothing sent or written to the CRM).
    pub dry_run: bool,
    /// The `[[phase]]` the plan was made for (`None`: everything).
    pub phase: Option<String>,
    pub entities: Vec<LoadEntity>,
    pub skip_reasons: Vec<Count>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SourceChange {
    pub source: String,
    pub version: i64,
    pub added: i64,
    pub changed: i64,
    pub gone: i64,
}

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Report {
    pub project: String,
    pub generated_at: String,
    pub lang: String,
    pub sources: Vec<SourceFunnel>,
    pub accounting: AccountingCheck,
    pub rejects: Vec<Count>,
    pub quality: Vec<Flag>,
    pub duplicates: Duplicates,
    pub links: Vec<Count>,
    pub decisions: BTreeMap<String, i64>,
    pub load: Option<LoadFigures>,
    /// (stage, seconds) as each stage last ran.
    pub timings: Vec<(String, f64)>,
    pub changes: Vec<SourceChange>,
}

type Table = HashMap<String, HashMap<String, String>>;

static LABELS: LazyLock<Table> = LazyLock::new(|| {
    // The file is part of the binary and checked by a unit test.
    toml::from_str(include_str!("../../data/report_labels.toml")).unwrap_or_default()
});

/// The label of `key` in `lang`; English where missing.
pub fn label(lang: Lang, key: &str) -> &'static str {
    let get = |l: Lang| LABELS.get(l.code()).and_then(|t| t.get(key));
    get(lang)
        .or_else(|| get(Lang::En))
        .map_or("", String::as_str)
}

/// The accounting sum in `lang`, from the funnels' totals: `131 Rows read =
/// 1 Blank + 2 Rejected + 21 Merged + 107 Golden records`, the golden records
/// split into planned and skipped when a load planned them.
pub fn accounting_sum(r: &Report, lang: Lang) -> String {
    let l = |k: &str| label(lang, k);
    let total = |f: fn(&SourceFunnel) -> i64| r.sources.iter().map(f).sum::<i64>();
    let mut o = format!(
        "{} {} = {} {} + {} {} + {} {}",
        total(|s| s.rows_read),
        l("col.rows_read"),
        total(|s| s.blank),
        l("col.blank"),
        total(|s| s.rejected),
        l("col.rejected"),
        total(|s| s.merged),
        l("col.merged"),
    );
    if r.sources.iter().any(|s| s.planned.is_some()) {
        o += &format!(
            " + {} {} + {} {}",
            total(|s| s.planned.unwrap_or(0)),
            l("col.planned"),
            total(|s| s.skipped.unwrap_or(0)),
            l("col.skipped"),
        );
    } else {
        o += &format!(" + {} {}", total(|s| s.golden), l("col.golden"));
    }
    o
}

/// The terminal summary: the funnel per source and the accounting.
pub fn summary(r: &Report, lang: Lang) -> String {
    use std::fmt::Write as _;
    let l = |k: &str| label(lang, k);
    let mut o = String::new();
    let _ = writeln!(o, "{}", l("title"));
    let cols = [
        "col.rows_read",
        "col.blank",
        "col.rejected",
        "col.merged",
        "col.golden",
        "col.linked",
        "col.planned",
        "col.loaded",
    ];
    let name_width = r
        .sources
        .iter()
        .map(|s| s.name.chars().count())
        .max()
        .unwrap_or(0)
        .max(l("col.source").chars().count());
    let _ = write!(o, "  {:<name_width$}", l("col.source"));
    for c in cols {
        let _ = write!(o, "  {}", l(c));
    }
    o.push('\n');
    for s in &r.sources {
        let opt = |v: Option<i64>| v.map_or_else(|| "–".to_string(), |n| n.to_string());
        let values = [
            s.rows_read.to_string(),
            s.blank.to_string(),
            s.rejected.to_string(),
            s.merged.to_string(),
            s.golden.to_string(),
            s.linked.to_string(),
            opt(s.planned),
            opt(s.loaded),
        ];
        let _ = write!(o, "  {:<name_width$}", s.name);
        for (c, v) in cols.iter().zip(values) {
            let w = l(c).chars().count();
            let _ = write!(o, "  {v:>w$}");
        }
        o.push('\n');
    }
    let verdict = if r.accounting.ok {
        l("accounting.ok")
    } else {
        l("accounting.fail")
    };
    let _ = writeln!(
        o,
        "  {}: {verdict} ({})",
        l("accounting"),
        accounting_sum(r, lang)
    );
    for m in r.accounting.missing.iter().take(20) {
        let _ = writeln!(o, "    {m}");
    }
    if let Some(load) = &r.load {
        let state = if load.dry_run {
            l("load.dry_run")
        } else {
            l("load.done")
        };
        let _ = write!(o, "  {} → {}", l("load"), load.target);
        if let Some(phase) = &load.phase {
            let _ = write!(o, " ({} `{phase}`)", l("load.phase"));
        }
        let _ = write!(o, ": {state};");
        for e in &load.entities {
            let _ = write!(
                o,
                " {} {}/{}/{}/{}",
                e.entity, e.create, e.update, e.unchanged, e.skip
            );
        }
        let _ = writeln!(
            o,
            " ({}/{}/{}/{})",
            l("col.create"),
            l("col.update"),
            l("col.unchanged"),
            l("col.skip")
        );
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_label() {
        let en = &LABELS["en"];
        assert!(en.len() > 40);
        for lang in ["ru", "ja"] {
            let other = &LABELS[lang];
            let mut missing: Vec<&String> = en.keys().filter(|k| !other.contains_key(*k)).collect();
            missing.sort();
            assert!(missing.is_empty(), "{lang} lacks {missing:?}");
            assert_eq!(other.len(), en.len(), "{lang} has keys English lacks");
        }
    }
}
