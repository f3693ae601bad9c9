//! The CRM's own import files for a plan, and IMPORT.txt saying how to load
//! them. One writer for every target: what differs per CRM is data
//! (`data/targets.toml`).

use super::target::{Column as TargetColumn, Empty, Expr, Format, Target, Value};
use super::{Action, Entity, Plan, PlanRow};
use crate::error::{Error, Result};
use crate::export::{Column, SafeCsv, write_xlsx_columns};
use crate::workspace::crosswalk::IdKind;
use std::io::Write;
use std::path::Path;

/// One file written, in import order.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct WrittenFile {
    pub name: String,
    pub rows: usize,
    pub creates: usize,
    pub updates: usize,
}

/// Rows bound for one file (before splitting at the CRM's size limits).
struct Group {
    /// (entity, route): organizations first; within one, records the CRM had
    /// before (their files set the IDs later rows point to), then the entity's
    /// file, then files without empty columns.
    order: (u8, u8),
    base: String,
    headers: Vec<String>,
    kinds: Vec<Column>,
    rows: Vec<(Action, Vec<String>)>,
}

fn column_kind(c: &TargetColumn) -> Column {
    match c.value {
        Value::Field(Expr::Phone | Expr::Phone2 | Expr::Phones | Expr::Mobile | Expr::Fax) => {
            Column::Phone
        }
        _ => Column::Text,
    }
}

/// Which group a row goes to: the file of records the CRM had before golive
/// (by the CRM's ID) where the target has one, else the entity's file; rows
/// updating records in a CRM that writes empty cells over values go to a file
/// without their empty columns.
fn route(
    target: &Target,
    row: &PlanRow,
    groups: &mut Vec<Group>,
    index: &mut std::collections::HashMap<(String, Vec<bool>), usize>,
) {
    let kind = if row.entity == Entity::Person {
        crate::model::Kind::Person
    } else {
        crate::model::Kind::Organization
    };
    let files = target.files(kind);
    let crm_id = if row.id_kind == IdKind::Crm {
        row.target_id.as_str()
    } else {
        ""
    };
    let (mut base, id_column, mut order) = match (&files.existing_file, &files.id_column) {
        (Some(existing), Some(id)) if row.id_kind == IdKind::Crm => (existing.clone(), Some(id), 0),
        (Some(_), _) => (files.file.clone(), None, 1),
        (None, id) => (files.file.clone(), id.as_ref(), 1),
    };
    let mut headers: Vec<String> = Vec::with_capacity(files.columns.len() + 1);
    let mut kinds = Vec::with_capacity(files.columns.len() + 1);
    let mut values = Vec::with_capacity(files.columns.len() + 1);
    if let Some(id) = id_column {
        headers.push(id.clone());
        kinds.push(Column::Text);
        values.push(crm_id.to_string());
    }
    for (c, v) in files.columns.iter().zip(&row.values) {
        headers.push(c.header.clone());
        kinds.push(column_kind(c));
        values.push(v.clone());
    }
    let mut keep: Vec<bool> = vec![true; headers.len()];
    if target.empty == Empty::Overwrites && row.action != Action::Create {
        let key_columns: Vec<bool> = std::iter::once(id_column.is_some())
            .filter(|_| id_column.is_some())
            .chain(
                files
                    .columns
                    .iter()
                    .map(|c| matches!(c.value, Value::Field(Expr::RecordKey | Expr::ExternalId))),
            )
            .collect();
        keep = values
            .iter()
            .zip(&key_columns)
            .map(|(v, key)| *key || !v.is_empty())
            .collect();
        if keep.iter().any(|k| !k) {
            base = format!("{base}-update");
            order = 2;
        }
    }
    let key = (base.clone(), keep.clone());
    let at = *index.entry(key).or_insert_with(|| {
        let pick = |v: &[String]| -> Vec<String> {
            v.iter()
                .zip(&keep)
                .filter(|(_, k)| **k)
                .map(|(x, _)| x.clone())
                .collect()
        };
        groups.push(Group {
            order: (u8::from(row.entity == Entity::Person), order),
            base,
            headers: pick(&headers),
            kinds: kinds
                .iter()
                .zip(&keep)
                .filter(|(_, k)| **k)
                .map(|(x, _)| *x)
                .collect(),
            rows: Vec::new(),
        });
        groups.len() - 1
    });
    let values = values
        .into_iter()
        .zip(&keep)
        .filter(|(_, k)| **k)
        .map(|(v, _)| v)
        .collect();
    groups[at].rows.push((row.action, values));
}

/// Write the plan's records as `target`'s import files into `dir`, with
/// IMPORT.txt; `all` also writes the unchanged ones (a full re-import, safe
/// where the CRM upserts on the external ID).
pub fn write(target: &Target, plan: &Plan, dir: &Path, all: bool) -> Result<Vec<WrittenFile>> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut groups: Vec<Group> = Vec::new();
    let mut index = std::collections::HashMap::new();
    for row in plan.rows.iter().filter(|r| r.is_written(all)) {
        route(target, row, &mut groups, &mut index);
    }
    groups.sort_by_key(|g| g.order);
    let mut numbered: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for g in groups.iter_mut().filter(|g| g.base.ends_with("-update")) {
        let n = numbered.entry(g.base.clone()).or_default();
        *n += 1;
        g.base = format!("{}-{n}", g.base);
    }
    let mut written = Vec::new();
    for g in &groups {
        written.extend(write_group(target, g, dir)?);
    }
    write_instructions(target, &written, dir)?;
    Ok(written)
}

fn file_name(target: &Target, base: &str, part: usize, parts: usize) -> String {
    let ext = match target.format {
        Format::Csv => "csv",
        Format::Xlsx => "xlsx",
    };
    if parts > 1 {
        format!("{base}-{part}.{ext}")
    } else {
        format!("{base}.{ext}")
    }
}

/// A CSV row's size as written (quotes doubled, every field quoted at worst).
fn row_bytes(values: &[String]) -> u64 {
    values
        .iter()
        .map(|v| v.len() as u64 + v.matches('"').count() as u64 + 3)
        .sum::<u64>()
        + 1
}

/// Split a group's rows into files within the row and byte limits.
fn chunks(target: &Target, g: &Group) -> Vec<std::ops::Range<usize>> {
    let header = row_bytes(&g.headers) + 3;
    let mut out = Vec::new();
    let (mut start, mut bytes) = (0, header);
    for (i, (_, values)) in g.rows.iter().enumerate() {
        let b = row_bytes(values);
        let full_rows = target.max_rows > 0 && (i - start) as u64 >= target.max_rows;
        let full_bytes = target.max_bytes > 0 && i > start && bytes + b > target.max_bytes;
        if full_rows || full_bytes {
            out.push(start..i);
            start = i;
            bytes = header;
        }
        bytes += b;
    }
    out.push(start..g.rows.len());
    out
}

fn write_group(target: &Target, g: &Group, dir: &Path) -> Result<Vec<WrittenFile>> {
    let parts = chunks(target, g);
    let mut files = Vec::with_capacity(parts.len());
    for (n, range) in parts.iter().enumerate() {
        let name = file_name(target, &g.base, n + 1, parts.len());
        let path = dir.join(&name);
        let rows = &g.rows[range.clone()];
        match target.format {
            Format::Csv => {
                let file = std::fs::File::create(&path).map_err(|e| Error::io(&path, e))?;
                let mut w = SafeCsv::for_import(
                    std::io::BufWriter::with_capacity(1 << 20, file),
                    target.bom,
                    target.delimiter,
                    g.kinds.clone(),
                )
                .map_err(|e| Error::io(&path, e))?;
                let fail = |e: csv::Error| Error::io(&path, std::io::Error::other(e));
                w.row(&g.headers).map_err(fail)?;
                for (_, values) in rows {
                    w.row(values).map_err(fail)?;
                }
                crate::export::finish(w, &path)?;
            }
            Format::Xlsx => {
                let header: Vec<&str> = g.headers.iter().map(String::as_str).collect();
                let values: Vec<Vec<String>> = rows.iter().map(|(_, v)| v.clone()).collect();
                write_xlsx_columns(&path, &sheet_name(&g.base), &header, &g.kinds, &values)
                    .map_err(|e| Error::bad_input(&path, e.to_string()))?;
            }
        }
        files.push(WrittenFile {
            name,
            rows: rows.len(),
            creates: rows.iter().filter(|(a, _)| *a == Action::Create).count(),
            updates: rows.iter().filter(|(a, _)| *a == Action::Update).count(),
        });
    }
    Ok(files)
}

/// Excel's sheet names: ≤ 31 characters, none of `[]:*?/\`.
fn sheet_name(base: &str) -> String {
    base.chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
        .take(31)
        .collect()
}

fn write_instructions(target: &Target, files: &[WrittenFile], dir: &Path) -> Result<()> {
    let path = dir.join("IMPORT.txt");
    let mut text = format!("{}\r\n\r\n", target.title);
    for line in target.instructions.lines() {
        text.push_str(line);
        text.push_str("\r\n");
    }
    text.push_str("\r\nFiles, in the order to import them:\r\n");
    if files.is_empty() {
        text.push_str("  Nothing to import: nothing new or changed since the last load.\r\n");
    }
    for (i, f) in files.iter().enumerate() {
        text.push_str(&format!(
            "  {}. {}  {} rows ({} new, {} updates)\r\n",
            i + 1,
            f.name,
            f.rows,
            f.creates,
            f.updates
        ));
    }
    let mut file = std::fs::File::create(&path).map_err(|e| Error::io(&path, e))?;
    file.write_all(text.as_bytes())
        .map_err(|e| Error::io(&path, e))
}
