//! The report stage: every current row classified from the workspace — blank,
//! rejected, merged into a golden record another row stands for, or standing
//! for a golden record that the load planned, skipped (with a reason) or
//! loaded — and the accounting invariant checked against the rows the reader
//! counted. Writes `out/report.json`, `out/report.html` and `out/rejects.csv`.

use crate::config::Config;
use crate::error::{Error, Result};
use crate::export::{StagedOutputs, finish};
use crate::model::Party;
use crate::model::flags::{SAME_ROW, SECOND_PARTY};
use crate::model::lang::Lang;
use crate::normalize::text::{FastMap, FastSet};
use crate::report::{
    AccountingCheck, Cluster, Count, Duplicates, Flag, LoadEntity, LoadFigures, Report,
    SourceChange, SourceFunnel,
};
use crate::workspace::Workspace;
use crate::workspace::report::RowFate;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

/// How many unaccounted rows the report lists (the count covers all).
const LISTED: usize = 100;

/// What the stage says on the terminal.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ReportSummary {
    pub report: Report,
    pub lang: Lang,
    pub rejects_written: usize,
    /// Flags in `out/flags.csv`.
    pub flags_written: usize,
}

/// Gather the report, write its files, and fail if a row is unaccounted for.
pub fn run(config: &Config, ws: &Workspace, lang: Lang) -> Result<ReportSummary> {
    let mut outputs = StagedOutputs::new(config)?;
    let (flags_written, quality) = write_flags(&mut outputs, ws)?;
    let report = gather(config, ws, lang, quality)?;
    let json = serde_json::to_string_pretty(&report).unwrap_or_default();
    write_text(&mut outputs, "report.json", &(json + "\n"))?;
    write_text(
        &mut outputs,
        "report.html",
        &crate::report::html::render(&report, lang),
    )?;
    let rejects_written = write_rejects(&mut outputs, ws)?;
    outputs.commit(&[])?;
    if !report.accounting.ok {
        return Err(Error::Accounting(format!(
            "not every row is accounted for ({}): {}",
            report.accounting.checked,
            report.accounting.missing.join("; ")
        )));
    }
    Ok(ReportSummary {
        report,
        lang,
        rejects_written,
        flags_written,
    })
}

fn write_text(outputs: &mut StagedOutputs, name: &str, text: &str) -> Result<()> {
    let path = outputs.path(name);
    std::fs::write(&path, text).map_err(|e| Error::io(&path, e))
}

/// The report from the workspace; `quality` is what [`write_flags`] counted.
fn gather(config: &Config, ws: &Workspace, lang: Lang, quality: Vec<Flag>) -> Result<Report> {
    let fates = ws.row_fates()?;
    let target = match &config.target {
        Some(_) => Some(super::load::target_of(config, None)?.name),
        None => None,
    };
    let plan = match &target {
        Some(t) => ws.stored_plan(t)?,
        None => Vec::new(),
    };
    let has_plan = match &target {
        Some(t) => ws.plan_info(t)?.is_some(),
        None => false,
    };
    let planned_for: Option<FastMap<(&str, &str), &str>> = has_plan.then(|| {
        plan.iter()
            .map(|p| ((p.entity.as_str(), p.golden_id.as_str()), p.action.as_str()))
            .collect()
    });
    let crosswalk = match &target {
        Some(t) => ws.crosswalk(t)?,
        None => Vec::new(),
    };
    let loaded: FastSet<(&str, &str)> = crosswalk
        .iter()
        .map(|e| (e.entity.as_str(), e.golden_id.as_str()))
        .collect();
    let mut stands_for: FastMap<&str, i64> = FastMap::default();
    for f in &fates {
        if let Some(g) = &f.golden_id {
            let id = stands_for.entry(g.as_str()).or_insert(f.row_id);
            *id = (*id).min(f.row_id);
        }
    }
    let files: HashMap<&str, &str> = config
        .sources
        .iter()
        .map(|s| (s.name.as_str(), s.rel_path.as_str()))
        .collect();
    let mut funnels: BTreeMap<String, SourceFunnel> = BTreeMap::new();
    for t in ws.table_tallies()? {
        let f = funnels
            .entry(t.source.clone())
            .or_insert_with(|| SourceFunnel {
                name: t.source.clone(),
                file: files
                    .get(t.source.as_str())
                    .copied()
                    .unwrap_or("")
                    .to_string(),
                planned: planned_for.as_ref().map(|_| 0),
                skipped: planned_for.as_ref().map(|_| 0),
                loaded: planned_for.as_ref().map(|_| 0),
                ..SourceFunnel::default()
            });
        f.rows_read += t.physical.unwrap_or(t.blank + t.main_rows);
        f.blank += t.blank;
    }
    let mut missing: Vec<String> = Vec::new();
    let mut unaccounted = 0usize;
    let mut rejects: BTreeMap<&str, i64> = BTreeMap::new();
    let mut links: BTreeMap<&str, i64> = BTreeMap::new();
    let mut stored: HashMap<&str, i64> = HashMap::new();
    for r in &fates {
        let Some(f) = funnels.get_mut(&r.source) else {
            continue;
        };
        if r.kind == "person"
            && let Some(m) = &r.link_method
        {
            *links.entry(m.as_str()).or_default() += 1;
        }
        if r.second {
            f.second_parties += i64::from(r.has_party);
            continue;
        }
        *stored.entry(r.source.as_str()).or_default() += 1;
        let mut gap = |why: String| {
            unaccounted += 1;
            if missing.len() < LISTED {
                missing.push(format!(
                    "{}: {why}",
                    row_name(r, files.get(r.source.as_str()))
                ));
            }
        };
        if let Some(reason) = &r.rejected {
            f.rejected += 1;
            *rejects.entry(reason.as_str()).or_default() += 1;
            continue;
        }
        if !r.has_party {
            gap("accepted but has no party: run `golive normalize`".into());
            continue;
        }
        f.parties += 1;
        f.linked += i64::from(r.kind == "person" && r.linked);
        let Some(g) = &r.golden_id else {
            gap("a party in no golden record: run `golive match`".into());
            continue;
        };
        if stands_for.get(g.as_str()) != Some(&r.row_id) {
            f.merged += 1;
            continue;
        }
        f.golden += 1;
        let entity = if r.kind == "person" {
            "person"
        } else {
            "organization"
        };
        if let Some(plan) = &planned_for {
            match plan.get(&(entity, g.as_str())) {
                Some(&"skip") => *f.skipped.get_or_insert(0) += 1,
                Some(_) => *f.planned.get_or_insert(0) += 1,
                None => gap(format!(
                    "golden record {g} is not in the load plan: run `golive load --dry-run`"
                )),
            }
            if loaded.contains(&(entity, g.as_str())) {
                *f.loaded.get_or_insert(0) += 1;
            }
        }
    }
    for f in funnels.values() {
        let held = stored.get(f.name.as_str()).copied().unwrap_or(0);
        if f.rows_read != f.blank + held {
            unaccounted += 1;
            missing.push(format!(
                "{}: the reader met {} rows, the workspace holds {held} + {} blank: run `golive ingest` again",
                f.name, f.rows_read, f.blank
            ));
        }
    }
    if unaccounted > missing.len() {
        missing.push(format!("… {} more", unaccounted - missing.len()));
    }
    let checked = checked_sum(funnels.values(), planned_for.is_some());
    let accounting = AccountingCheck {
        ok: unaccounted == 0,
        missing,
        checked,
    };
    let mut rejects: Vec<Count> = rejects
        .into_iter()
        .map(|(label, count)| Count {
            label: label.to_string(),
            count,
        })
        .collect();
    rejects.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
    let links = links
        .into_iter()
        .map(|(label, count)| Count {
            label: label.to_string(),
            count,
        })
        .collect();
    let load = match (&target, &planned_for) {
        (Some(t), Some(_)) => Some(load_figures(ws, t, &plan)?),
        _ => None,
    };
    let order = |s: &str| {
        super::Stage::ALL
            .iter()
            .position(|x| x.name() == s)
            .unwrap_or(usize::MAX)
    };
    let mut timings = ws.stage_seconds()?;
    timings.sort_by_key(|(s, _)| order(s));
    let changes = ws
        .source_status()?
        .into_iter()
        .filter_map(|s| {
            let c = s.changes?;
            Some(SourceChange {
                source: s.name,
                version: s.version,
                added: c.added,
                changed: c.changed,
                gone: c.gone,
            })
        })
        .collect();
    Ok(Report {
        project: config.dir.display().to_string(),
        generated_at: crate::workspace::lock::utc_now(),
        lang: lang.code().to_string(),
        sources: funnels.into_values().collect(),
        accounting,
        rejects,
        quality,
        duplicates: duplicates(ws)?,
        links,
        decisions: ws.decision_counts()?.into_iter().collect(),
        load,
        timings,
        changes,
    })
}

fn row_name(r: &RowFate, file: Option<&&str>) -> String {
    let sheet = r
        .sheet
        .as_ref()
        .map_or(String::new(), |s| format!(" [{s}]"));
    format!(
        "{} {}{sheet} row {} (key `{}`)",
        r.source,
        file.copied().unwrap_or(""),
        r.row_number,
        r.source_key
    )
}

fn checked_sum<'a>(funnels: impl Iterator<Item = &'a SourceFunnel>, planned: bool) -> String {
    let (mut read, mut blank, mut rejected, mut merged, mut golden, mut plan, mut skip) =
        (0, 0, 0, 0, 0, 0, 0);
    for f in funnels {
        read += f.rows_read;
        blank += f.blank;
        rejected += f.rejected;
        merged += f.merged;
        golden += f.golden;
        plan += f.planned.unwrap_or(0);
        skip += f.skipped.unwrap_or(0);
    }
    if planned {
        format!(
            "{read} rows read = {blank} blank + {rejected} rejected + {merged} merged into another row's golden record + {plan} golden records planned + {skip} skipped at load"
        )
    } else {
        format!(
            "{read} rows read = {blank} blank + {rejected} rejected + {merged} merged into another row's golden record + {golden} golden records (no [target]: nothing planned)"
        )
    }
}

fn load_figures(
    ws: &Workspace,
    target: &str,
    plan: &[crate::workspace::report::PlannedRow],
) -> Result<LoadFigures> {
    let mut entities: BTreeMap<&str, LoadEntity> = BTreeMap::new();
    let mut reasons: BTreeMap<&str, i64> = BTreeMap::new();
    for p in plan {
        let e = entities
            .entry(p.entity.as_str())
            .or_insert_with(|| LoadEntity {
                entity: p.entity.clone(),
                ..LoadEntity::default()
            });
        match p.action.as_str() {
            "create" => e.create += 1,
            "update" => e.update += 1,
            "unchanged" => e.unchanged += 1,
            _ => {
                e.skip += 1;
                *reasons.entry(p.reason.as_str()).or_default() += 1;
            }
        }
    }
    let info = ws.plan_info(target)?;
    let dry_run = info.as_ref().is_none_or(|i| i.dry_run);
    Ok(LoadFigures {
        target: target.to_string(),
        dry_run,
        phase: info.map(|i| i.phase).filter(|p| !p.is_empty()),
        entities: entities.into_values().collect(),
        skip_reasons: reasons
            .into_iter()
            .map(|(label, count)| Count {
                label: label.to_string(),
                count,
            })
            .collect(),
    })
}

/// What the report reads of a stored golden record.
#[derive(serde::Deserialize)]
struct StoredGolden {
    record: Party,
}

fn duplicates(ws: &Workspace) -> Result<Duplicates> {
    let sizes = ws.golden_sizes()?;
    let golden_records = sizes.iter().map(|(_, n)| n).sum();
    let merged_clusters = sizes.iter().filter(|(m, _)| *m > 1).map(|(_, n)| n).sum();
    let largest = ws
        .largest_golden(10)?
        .into_iter()
        .map(|(golden_id, kind, members, json)| Cluster {
            name: serde_json::from_str::<StoredGolden>(&json)
                .map(|g| g.record.display_name())
                .unwrap_or_default(),
            golden_id,
            kind,
            members,
        })
        .collect();
    Ok(Duplicates {
        golden_records,
        merged_clusters,
        sizes,
        largest,
    })
}

/// Flag codes that mark a row's structure rather than its quality.
const STRUCTURE_FLAGS: [&str; 2] = [SECOND_PARTY, SAME_ROW];

/// `out/flags.csv`: every quality flag of every current row —
/// `source,file,sheet,row,field,flag,value` (the value as flagged, or what
/// was done with it), then the row's key. Returns how many, and the rows
/// flagged per code and field (the report's quality table).
fn write_flags(outputs: &mut StagedOutputs, ws: &Workspace) -> Result<(usize, Vec<Flag>)> {
    let mut w = outputs.csv("flags.csv")?;
    let fail = |e: csv::Error| Error::io(Path::new("flags.csv"), std::io::Error::other(e));
    w.row([
        "source",
        "file",
        "sheet",
        "row",
        "field",
        "flag",
        "value",
        "source_key",
    ])
    .map_err(fail)?;
    let mut n = 0;
    let mut rows_flagged: BTreeMap<(String, String), i64> = BTreeMap::new();
    let mut this_row: (String, i64, String) = Default::default();
    let mut seen_in_row: HashSet<(String, String)> = HashSet::new();
    ws.for_each_flag(&STRUCTURE_FLAGS, |f| {
        n += 1;
        let row = (f.source.clone(), f.row_number, f.source_key.clone());
        if row != this_row {
            this_row = row;
            seen_in_row.clear();
        }
        let key = (f.code.clone(), f.field.clone().unwrap_or_default());
        if seen_in_row.insert(key.clone()) {
            *rows_flagged.entry(key).or_default() += 1;
        }
        w.row([
            f.source.as_str(),
            &f.file,
            f.sheet.as_deref().unwrap_or(""),
            &f.row_number.to_string(),
            f.field.as_deref().unwrap_or(""),
            &f.code,
            f.detail.as_deref().unwrap_or(""),
            &f.source_key,
        ])
        .map_err(fail)
    })?;
    finish(w, Path::new("flags.csv"))?;
    let quality = rows_flagged
        .into_iter()
        .map(|((code, field), count)| Flag { code, field, count })
        .collect();
    Ok((n, quality))
}

/// `out/rejects.csv`: `source,file,sheet,row,reason`, then the row's cells
/// under its own headers (every header of every table with rejects, in the
/// order first met), so the file can be fixed and dropped into `sources/`
/// (read back by `ingest::fixes`).
fn write_rejects(outputs: &mut StagedOutputs, ws: &Workspace) -> Result<usize> {
    let rows = ws.rejected_cells()?;
    let mut headers: Vec<String> = Vec::new();
    let mut placed: Vec<Vec<(usize, String)>> = Vec::with_capacity(rows.len());
    for r in &rows {
        let names: Vec<String> = serde_json::from_str(&r.headers_json).unwrap_or_default();
        let cells: Vec<crate::model::Cell> =
            serde_json::from_str(&r.cells_json).unwrap_or_default();
        let mut at = Vec::with_capacity(cells.len());
        for (i, cell) in cells.iter().enumerate() {
            let name = crate::ingest::fixes::column_name(&names, i);
            let col = match headers.iter().position(|h| *h == name) {
                Some(c) => c,
                None => {
                    headers.push(name);
                    headers.len() - 1
                }
            };
            at.push((col, cell.to_text()));
        }
        placed.push(at);
    }
    let mut w = outputs.csv("rejects.csv")?;
    let fail = |e: csv::Error| Error::io(Path::new("rejects.csv"), std::io::Error::other(e));
    let mut header = crate::ingest::fixes::LEADING.to_vec();
    header.extend(headers.iter().map(String::as_str));
    w.row(&header).map_err(fail)?;
    for (r, cells) in rows.iter().zip(placed) {
        let mut line = vec![
            r.source.clone(),
            r.file.clone(),
            r.sheet.clone().unwrap_or_default(),
            r.row_number.to_string(),
            r.reason.clone(),
        ];
        line.resize(5 + headers.len(), String::new());
        for (col, text) in cells {
            line[5 + col] = text;
        }
        w.row(&line).map_err(fail)?;
    }
    finish(w, Path::new("rejects.csv"))?;
    Ok(rows.len())
}
