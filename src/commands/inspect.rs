//! `golive inspect FILE`: how golive reads a file, before any project exists.

use crate::cli::InspectArgs;
use crate::config::ReadOptions;
use crate::ingest::profiles::{ProfileSet, Ranked};
use crate::ingest::rows::{RowReader, choose_profile};
use crate::ingest::sheet::column_letter;
use crate::ingest::{Skipped, TextFormat, open};
use crate::model::{Field, Kind};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

const SAMPLE_ROWS: usize = 5;

#[derive(Debug, Serialize)]
pub struct InspectReport {
    pub file: String,
    pub format: String,
    pub text: Option<TextFormat>,
    pub sheets: Vec<String>,
    pub tables: Vec<TableReport>,
    pub skipped: Vec<Skipped>,
}

#[derive(Debug, Serialize)]
pub struct TableReport {
    pub sheet: Option<String>,
    pub header_row: u64,
    pub profile: String,
    pub score: f64,
    /// Why: what the chosen profile maps and leaves unmapped.
    pub chosen: Option<Ranked>,
    pub runner_up: Option<Ranked>,
    pub columns: Vec<ColumnReport>,
    pub unmapped: Vec<String>,
    pub samples: Vec<Sample>,
    pub rows: u64,
    pub rejects: u64,
    pub warnings: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct ColumnReport {
    pub letter: String,
    pub header: String,
    pub field: Option<Field>,
    /// The field this column holds for the row's second party, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub second_party: Option<(Kind, Field)>,
}

#[derive(Debug, Serialize)]
pub struct Sample {
    pub row: u64,
    pub source_key: String,
    pub kind: String,
    /// (column, value) in column order; empty cells left out.
    pub values: Vec<(String, String)>,
}

pub fn run(args: &InspectArgs) -> anyhow::Result<()> {
    let report = match inspect(args) {
        Ok(r) => r,
        Err(e) => {
            // Scripts reading --json get the error as JSON too (and the exit code).
            if args.json {
                let error = serde_json::json!({ "file": args.file.display().to_string(), "error": e.to_string() });
                crate::say!("{error}");
            }
            return Err(e.into());
        }
    };
    if args.json {
        crate::say!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        crate::commands::output::print_text(&render(&report));
    }
    Ok(())
}

pub fn inspect(args: &InspectArgs) -> crate::Result<InspectReport> {
    let profiles = ProfileSet::builtin()?;
    let opts = ReadOptions {
        sheet: args.sheet.clone(),
        encoding: args.encoding.clone(),
        delimiter: args.delimiter.clone(),
        header_row: args.header_row,
        ..ReadOptions::default()
    };
    let (tables, skipped) = open(&args.file, &opts, &profiles)?;
    let format = args
        .file
        .extension()
        .and_then(|e| e.to_str())
        .map_or_else(|| "text".to_string(), |e| e.to_ascii_lowercase());
    let text = tables.first().and_then(|t| t.text.clone());
    let mut sheets: Vec<String> = tables.iter().filter_map(|t| t.sheet.clone()).collect();
    sheets.extend(skipped.iter().map(|s| s.sheet.clone()));
    let mut reports = Vec::new();
    for table in tables {
        let (profile, score, runner_up) = choose_profile(
            &profiles,
            &table.headers,
            args.profile.as_deref(),
            &table.file,
        )?;
        let chosen = profiles
            .rank(&table.headers)
            .into_iter()
            .find(|r| r.profile == profile.name);
        let mut reader = RowReader::new(profile, &table.headers, None, table.sheet.as_deref());
        reader.record_len = table.record_len;
        let columns: Vec<ColumnReport> = table
            .headers
            .iter()
            .enumerate()
            .map(|(i, h)| ColumnReport {
                letter: column_letter(table.first_column + i),
                header: h.clone(),
                field: reader.mapping.fields[i],
                second_party: reader
                    .mapping
                    .companion
                    .as_ref()
                    .and_then(|c| c.fields[i].map(|f| (c.kind, f))),
            })
            .collect();
        let unmapped = columns
            .iter()
            .filter(|c| c.field.is_none() && c.second_party.is_none())
            .map(|c| c.header.clone())
            .collect();
        let mut warnings = table.warnings.clone();
        warnings.extend(crate::ingest::rows::no_name_warning(
            &profile.name,
            &reader.mapping,
        ));
        let mut filled = vec![0u64; table.headers.len()];
        let mut flag_counts: BTreeMap<(Option<Field>, String), u64> = BTreeMap::new();
        let mut samples = Vec::new();
        let (mut rows, mut rejects) = (0u64, 0u64);
        for raw in table.rows {
            if raw.problem.is_none() && raw.is_blank() {
                continue;
            }
            let mut row = reader.prepare(raw);
            rows += 1;
            let companion = row.companion.take();
            if let Some(reason) = &row.reject {
                rejects += 1;
                if rejects <= 3 {
                    warnings.push(format!("row {}: rejected: {reason}", row.number));
                }
                continue;
            }
            for (i, c) in row.cells.iter().enumerate() {
                filled[i] += u64::from(!c.is_empty());
            }
            for f in &row.flags {
                *flag_counts.entry((f.field, f.code.clone())).or_default() += 1;
            }
            if samples.len() < SAMPLE_ROWS {
                let values = row
                    .cells
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| !c.is_empty())
                    .map(|(i, c)| (table.headers[i].clone(), c.to_text()))
                    .collect();
                samples.push(Sample {
                    row: row.number,
                    source_key: row.source_key,
                    kind: row.kind.to_string(),
                    values,
                });
            }
            if let Some(c) = companion
                && samples.len() < SAMPLE_ROWS
            {
                let theirs = |i: usize| {
                    reader
                        .mapping
                        .companion
                        .as_ref()
                        .is_some_and(|m| m.fields.get(i).is_some_and(Option::is_some))
                };
                let values = c
                    .cells
                    .iter()
                    .enumerate()
                    .filter(|(i, cell)| !cell.is_empty() && theirs(*i))
                    .map(|(i, cell)| (table.headers[i].clone(), cell.to_text()))
                    .collect();
                samples.push(Sample {
                    row: c.number,
                    source_key: c.source_key.clone(),
                    kind: format!("{}, same row", c.kind),
                    values,
                });
            }
        }
        if rejects > 3 {
            warnings.push(format!("… {} more rejected rows", rejects - 3));
        }
        for ((field, code), n) in flag_counts {
            let place = match field {
                Some(f) => {
                    let cols: Vec<&str> = reader
                        .mapping
                        .columns_of(f)
                        .map(|i| table.headers[i].as_str())
                        .collect();
                    format!("column `{}`", cols.join("`, `"))
                }
                None => "rows".to_string(),
            };
            warnings.push(format!("{place}: {n} × {code}"));
        }
        let empty: Vec<&str> = filled
            .iter()
            .enumerate()
            .filter(|(_, n)| **n == 0)
            .map(|(i, _)| table.headers[i].as_str())
            .collect();
        if !empty.is_empty() && rows > 0 {
            warnings.push(format!(
                "{} column(s) empty in every row: {}",
                empty.len(),
                empty.join(", ")
            ));
        }
        if args.profile.is_none() && score < crate::ingest::rows::WEAK_PROFILE_SCORE {
            warnings.push(format!(
                "no profile fits well (best {:.0}%): pass --profile or add one under mappings/",
                score * 100.0
            ));
        }
        reports.push(TableReport {
            sheet: table.sheet,
            header_row: table.header_row,
            profile: profile.name.clone(),
            score,
            chosen,
            runner_up,
            columns,
            unmapped,
            samples,
            rows,
            rejects,
            warnings,
        });
    }
    Ok(InspectReport {
        file: args.file.display().to_string(),
        format,
        text,
        sheets,
        tables: reports,
        skipped,
    })
}

pub fn render(r: &InspectReport) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "file:      {}", r.file);
    match &r.text {
        Some(t) => {
            let runner = t
                .encoding_runner_up
                .as_ref()
                .map_or(String::new(), |r| format!("; runner-up {r}"));
            let _ = writeln!(
                o,
                "format:    {} text, encoding {} ({}{runner}), delimiter `{}`",
                r.format, t.encoding, t.encoding_evidence, t.delimiter
            );
        }
        None => {
            let _ = writeln!(
                o,
                "format:    {} workbook, sheets: {}",
                r.format,
                r.sheets.join(", ")
            );
        }
    }
    for s in &r.skipped {
        let _ = writeln!(o, "skipped:   sheet `{}`: {}", s.sheet, s.reason);
    }
    for t in &r.tables {
        let _ = writeln!(o);
        if let Some(s) = &t.sheet {
            let _ = writeln!(o, "sheet:     {s}");
        }
        let _ = writeln!(o, "header:    row {}", t.header_row);
        let why = t
            .chosen
            .as_ref()
            .map_or(String::new(), |c| format!("; {}", c.explain()));
        let _ = writeln!(o, "profile:   {} (score {:.2}{why})", t.profile, t.score);
        if let Some(r) = &t.runner_up {
            let _ = writeln!(
                o,
                "           runner-up {} (score {:.2}; {})",
                r.profile,
                r.score,
                r.explain()
            );
        }
        let _ = writeln!(o, "rows:      {} ({} rejected)", t.rows, t.rejects);
        let _ = writeln!(o, "columns:");
        for c in &t.columns {
            let field = match (c.field, c.second_party) {
                (Some(f), Some((k, g))) => format!("{f}; {k}: {g}"),
                (Some(f), None) => f.to_string(),
                (None, Some((k, g))) => format!("{k}: {g}"),
                (None, None) => "(kept as extra)".to_string(),
            };
            let _ = writeln!(o, "  {:>3}  {:<32} → {field}", c.letter, c.header);
        }
        if !t.unmapped.is_empty() {
            let _ = writeln!(o, "unmapped:  {}", t.unmapped.join(", "));
        }
        let _ = writeln!(o, "sample rows:");
        for s in &t.samples {
            let values: Vec<String> = s
                .values
                .iter()
                .map(|(k, v)| format!("{k}={}", v.replace('\n', " ")))
                .collect();
            let _ = writeln!(
                o,
                "  row {} [{} {}]: {}",
                s.row,
                s.kind,
                s.source_key,
                values.join(" | ")
            );
        }
        if !t.warnings.is_empty() {
            let _ = writeln!(o, "warnings:");
            for w in &t.warnings {
                let _ = writeln!(o, "  - {w}");
            }
        }
    }
    o
}
