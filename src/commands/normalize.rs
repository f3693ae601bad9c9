//! `golive normalize [DIR]`: every accepted row of the current source versions → a party.

use crate::config::Config;
use crate::ingest::cell::Cell;
use crate::ingest::profiles::{Mapping, ProfileSet};
use crate::ingest::stage::SECOND_PARTY;
use crate::model::{Flag, Kind, Party, Provenance};
use crate::normalize::party::{PartyContext, build_party};
use crate::progress::Progress;
use crate::workspace::Workspace;
use rayon::prelude::*;
use std::collections::BTreeMap;

/// Every accepted row of the current source versions → a party.
pub fn stage(
    config: &Config,
    ws: &mut Workspace,
    progress: Progress,
    quiet: bool,
) -> anyhow::Result<()> {
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
    let mut all: Vec<(Party, Option<String>)> = Vec::new();
    for table in ws.current_tables()? {
        let headers: Vec<String> = serde_json::from_str(&table.headers_json)?;
        let stored: Mapping = serde_json::from_str(&table.mapping_json)?;
        let profile = profiles.get(&stored.profile);
        // Map again with the profile as it is now, so an edited profile takes
        // effect without re-reading unchanged files.
        let mapping = profile.map_or(stored, |p| p.map(&headers));
        let source = config.sources.iter().find(|s| s.name == table.source);
        let region = source
            .and_then(|s| s.region.as_deref())
            .or(profile.and_then(|p| p.options.region.as_deref()))
            .unwrap_or(&config.region);
        // A row may be the main party, the second party of its row, or a row
        // that is itself of the second party's kind (an individual among
        // companies with contacts): each reads its own columns.
        let variants = [
            mapping.fields_for(false, Kind::Organization),
            mapping.fields_for(true, Kind::Organization),
            mapping.fields_for(false, Kind::Person),
        ];
        let contexts: Vec<PartyContext> = variants
            .iter()
            .map(|(fields, ranks)| PartyContext {
                region,
                default_area_code: source.and_then(|s| s.default_area_code.as_deref()),
                headers: &headers,
                fields,
                ranks,
                key_field: mapping.key_field,
                fallback_regions: &regions,
                separators: profile.map_or(&no_separators, |p| p.all_separators()),
                labels: &mapping.labels,
            })
            .collect();
        let rows = ws.accepted_rows(table.id)?;
        let bar = progress.bar(rows.len() as u64, &format!("normalize {}", table.source));
        let built: Vec<(Party, Option<String>)> = rows
            .par_iter()
            .map(|r| {
                let cells: Vec<Cell> = serde_json::from_str(&r.cells_json).unwrap_or_default();
                let flags: Vec<Flag> = r
                    .flags_json
                    .as_deref()
                    .and_then(|j| serde_json::from_str(j).ok())
                    .unwrap_or_default();
                let provenance = Provenance {
                    source: r.source.clone(),
                    file: r.file.clone(),
                    sheet: r.sheet.clone(),
                    row: r.row_number as u64,
                    source_key: r.source_key.clone(),
                };
                let kind: Kind = r.kind.parse().unwrap_or_default();
                let ctx = if flags.iter().any(|f| f.code == SECOND_PARTY) {
                    &contexts[1]
                } else if kind == Kind::Organization {
                    &contexts[0]
                } else {
                    &contexts[2]
                };
                let (mut party, reject) = build_party(provenance, kind, &cells, flags, ctx);
                party.id = r.row_id;
                bar.inc(1);
                (party, reject)
            })
            .collect();
        bar.finish_and_clear();
        all.extend(built);
    }
    ws.replace_parties(&all)?;
    if !quiet {
        let rejected = all.iter().filter(|(_, r)| r.is_some()).count();
        crate::say!(
            "normalize: {} parties, {} rejected",
            all.len() - rejected,
            rejected
        );
    }
    Ok(())
}
