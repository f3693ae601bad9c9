//! The normalize stage: every accepted row of the current source versions → a
//! party (or a reject with its reason), streamed from the workspace in pages.

use crate::config::Config;
use crate::error::{Error, Result};
use crate::ingest::profiles::{Mapping, Profile, ProfileSet};
use crate::model::flags::SECOND_PARTY;
use crate::model::{Cell, Field, Flag, Kind, Party, Provenance};
use crate::normalize::party::{PartyContext, build_party};
use crate::progress::{Progress, Work};
use crate::workspace::Workspace;
use crate::workspace::parties::NewParty;
use crate::workspace::queries::CurrentRow;
use rayon::prelude::*;
use std::collections::BTreeMap;

/// Rows normalized per page: bounded memory, whole cores busy.
const PAGE: usize = 20_000;

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct NormalizeReport {
    pub parties: u64,
    pub rejected: u64,
    /// Tables passed over (their rows, golive and the project unchanged since
    /// they were normalized), and the parties they keep (counted above too).
    pub kept_tables: usize,
    pub kept_parties: u64,
}

/// The columns a table's parties are read from: a row may be the main party,
/// the second party of its row, or a row that is itself of the second party's
/// kind (an individual among companies with contacts); each reads its own.
pub struct TableContexts<'a> {
    contexts: Vec<PartyContext<'a>>,
}

/// Owned field lists behind [`TableContexts`].
pub fn variant_fields(mapping: &Mapping) -> [(Vec<Option<Field>>, Vec<u16>); 3] {
    [
        mapping.fields_for(false, Kind::Organization),
        mapping.fields_for(true, Kind::Organization),
        mapping.fields_for(false, Kind::Person),
    ]
}

/// Where a table is read: its region, area code and the project's other regions.
pub struct Locale<'a> {
    pub region: &'a str,
    pub default_area_code: Option<&'a str>,
    pub fallback_regions: &'a [String],
}

impl<'a> TableContexts<'a> {
    pub fn new(
        mapping: &'a Mapping,
        profile: Option<&'a Profile>,
        headers: &'a [String],
        variants: &'a [(Vec<Option<Field>>, Vec<u16>); 3],
        locale: &Locale<'a>,
        no_separators: &'a BTreeMap<Field, Vec<String>>,
    ) -> Self {
        let contexts = variants
            .iter()
            .map(|(fields, ranks)| PartyContext {
                region: locale.region,
                default_area_code: locale.default_area_code,
                headers,
                fields,
                ranks,
                key_field: mapping.key_field,
                fallback_regions: locale.fallback_regions,
                separators: profile.map_or(no_separators, |p| p.all_separators()),
                labels: &mapping.labels,
            })
            .collect();
        TableContexts { contexts }
    }

    /// The party of one stored row.
    pub fn party(
        &self,
        provenance: Provenance,
        kind: Kind,
        cells: &[Cell],
        flags: Vec<Flag>,
    ) -> (Party, Option<String>) {
        let ctx = if flags.iter().any(|f| f.code == SECOND_PARTY) {
            &self.contexts[1]
        } else if kind == Kind::Organization {
            &self.contexts[0]
        } else {
            &self.contexts[2]
        };
        build_party(provenance, kind, cells, flags, ctx)
    }
}

/// Every accepted row of the current source versions → a party; replaces the
/// stored parties in one transaction. A table normalized before with the same
/// project inputs (this golive, golive.toml, the mappings) keeps its parties:
/// a re-run with one changed source normalizes that source only.
pub fn run(
    config: &Config,
    ws: &mut Workspace,
    progress: &dyn Progress,
) -> Result<NormalizeReport> {
    let profiles = ProfileSet::for_project(&config.dir)?;
    let no_separators = BTreeMap::new();
    let mut regions: Vec<String> = config
        .sources
        .iter()
        .filter_map(|s| s.region.clone())
        .collect();
    regions.push(config.region.clone());
    regions.sort();
    regions.dedup();
    let inputs = super::project_inputs(config);
    let tables = ws.current_tables()?;
    let mut report = NormalizeReport::default();
    let mut keep = Vec::new();
    if let Some(now) = &inputs {
        for t in &tables {
            if ws.normalized_with(t.id)?.as_ref() == Some(now) {
                let (parties, rejected) = ws.table_party_counts(t.id)?;
                report.parties += parties;
                report.rejected += rejected;
                report.kept_parties += parties;
                keep.push(t.id);
            }
        }
    }
    report.kept_tables = keep.len();
    let mut writer = ws.party_writer(&keep)?;
    for table in tables.iter().filter(|t| !keep.contains(&t.id)) {
        writer.begin_table(table.id);
        let headers: Vec<String> = serde_json::from_str(&table.headers_json)
            .map_err(|e| corrupt(writer.path(), "the header of a stored table", e))?;
        let stored: Mapping = serde_json::from_str(&table.mapping_json)
            .map_err(|e| corrupt(writer.path(), "the mapping of a stored table", e))?;
        let profile = profiles.get(&stored.profile);
        // Map again with the profile as it is now, so an edited profile takes
        // effect without re-reading unchanged files.
        let mapping = profile.map_or(stored, |p| p.map(&headers));
        let source = config.sources.iter().find(|s| s.name == table.source);
        let locale = Locale {
            region: source
                .and_then(|s| s.region.as_deref())
                .or(profile.and_then(|p| p.options.region.as_deref()))
                .unwrap_or(&config.region),
            default_area_code: source.and_then(|s| s.default_area_code.as_deref()),
            fallback_regions: &regions,
        };
        let variants = variant_fields(&mapping);
        let contexts = TableContexts::new(
            &mapping,
            profile,
            &headers,
            &variants,
            &locale,
            &no_separators,
        );
        let task = progress.task(
            &format!("normalize {}", table.source),
            Work::Rows(writer.accepted_count(table.id)?),
        );
        let ws_path = writer.path().to_path_buf();
        let mut after = 0;
        crate::workspace::pipelined(
            &mut writer,
            |writer| {
                let rows = writer.accepted_rows(table.id, after, PAGE)?;
                let Some(last) = rows.last() else {
                    return Ok(None);
                };
                after = last.row_id;
                Ok(Some(rows))
            },
            |rows: Vec<CurrentRow>| {
                rows.par_iter()
                    .map(|r| {
                        let (party, reject) = party_of(&contexts, r, &ws_path)?;
                        Ok(NewParty::new(party, reject))
                    })
                    .collect::<Result<Vec<NewParty>>>()
            },
            |writer, built| {
                task.inc(built.len() as u64);
                report.rejected += built.iter().filter(|p| p.reject.is_some()).count() as u64;
                report.parties += built.iter().filter(|p| p.reject.is_none()).count() as u64;
                writer.add(&built)
            },
        )?;
        writer.end_table(table.id, inputs.as_deref())?;
        task.finish();
    }
    writer.commit()?;
    Ok(report)
}

fn party_of(
    contexts: &TableContexts,
    r: &CurrentRow,
    ws: &std::path::Path,
) -> Result<(Party, Option<String>)> {
    let place = || format!("{} row {} (key `{}`)", r.source, r.row_number, r.source_key);
    let cells: Vec<Cell> = serde_json::from_str(&r.cells_json)
        .map_err(|e| corrupt(ws, &format!("the stored cells of {}", place()), e))?;
    let flags: Vec<Flag> = match r.flags_json.as_deref() {
        Some(j) => serde_json::from_str(j)
            .map_err(|e| corrupt(ws, &format!("the stored flags of {}", place()), e))?,
        None => Vec::new(),
    };
    let kind: Kind = r.kind.parse().map_err(|e: String| {
        Error::bad_input(ws, format!("the stored kind of {}: {e}", place()))
    })?;
    let provenance = Provenance {
        source: r.source.clone(),
        file: r.file.clone(),
        sheet: r.sheet.clone(),
        row: r.row_number as u64,
        source_key: r.source_key.clone(),
    };
    let (mut party, reject) = contexts.party(provenance, kind, &cells, flags);
    party.id = r.row_id;
    Ok((party, reject))
}

/// A stored value that no longer reads: the workspace was changed behind
/// golive's back or by a newer version; never silently a "no name" reject.
fn corrupt(ws: &std::path::Path, what: &str, e: serde_json::Error) -> Error {
    Error::bad_input(
        ws,
        format!(
            "{what} is unreadable ({e}): the workspace was damaged; run `golive ingest` with the file again (delete .golive/ to start over)"
        ),
    )
}
