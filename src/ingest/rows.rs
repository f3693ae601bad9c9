//! Rows of a table as a party source: the profile chosen, each physical row
//! prepared (key, kind, second party, flags, reject) and counted. The one way
//! ingest, inspect and dedupe read a table.

use super::profiles::{Mapping, Profile, ProfileSet, Ranked, header_key};
use super::{RawRow, Table, TextFormat, damage};
use crate::error::{Error, Result};
use crate::model::Cell;
use crate::model::flags::{
    DUPLICATE_SOURCE_KEY, ROW_FIXED, SAME_ROW, SECOND_PARTY, SHORT_ROW, UNDECODABLE_BYTES,
    UNKNOWN_KIND_VALUE,
};
use crate::model::{Field, Flag, Kind};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Profiles below this score fit too poorly to trust without a look.
pub const WEAK_PROFILE_SCORE: f64 = 0.3;

/// The profile for a table: the one asked for, else the best-scoring one.
/// Returns it with its score and the runner-up.
pub fn choose_profile<'p>(
    profiles: &'p ProfileSet,
    headers: &[String],
    forced: Option<&str>,
    file: &Path,
) -> Result<(&'p Profile, f64, Option<Ranked>)> {
    let ranked = profiles.rank(headers);
    let (chosen, runner_up) = match forced {
        Some(name) => {
            let score = ranked
                .iter()
                .find(|r| r.profile == name)
                .map_or(0.0, |r| r.score);
            let runner = ranked.iter().find(|r| r.profile != name).cloned();
            let chosen = ranked
                .iter()
                .find(|r| r.profile == name)
                .cloned()
                .unwrap_or(Ranked {
                    profile: name.to_string(),
                    score,
                    maps: Vec::new(),
                    leaves_unmapped: Vec::new(),
                });
            (chosen, runner)
        }
        None => {
            let mut it = ranked.into_iter();
            let best = it
                .next()
                .ok_or_else(|| Error::bad_input(file, "no mapping profiles are loaded"))?;
            (best, it.next())
        }
    };
    let profile = profiles.get(&chosen.profile).ok_or_else(|| {
        let names: Vec<&str> = profiles.names().collect();
        Error::bad_input(
            file,
            format!(
                "unknown profile `{}`; known: {}",
                chosen.profile,
                names.join(", ")
            ),
        )
    })?;
    Ok((profile, chosen.score, runner_up))
}

/// Everything needed to turn raw rows of one table into stored rows.
pub struct RowReader<'a> {
    pub profile: &'a Profile,
    pub mapping: Mapping,
    pub headers: Vec<String>,
    pub kind_override: Option<Kind>,
    /// Sheet name prefixed to fallback keys, so two sheets never share a key.
    pub key_prefix: String,
    /// Text tables: longer records are ragged (see [`Table::record_len`]).
    pub record_len: Option<usize>,
    seen_keys: HashMap<String, u32>,
    /// Second parties with their own key already stored (a company named on
    /// many contact rows is one party): written key → stored key.
    companions: HashMap<String, String>,
}

/// A row ready to store.
#[derive(Clone, Debug, PartialEq)]
pub struct PreparedRow {
    pub number: u64,
    pub source_key: String,
    pub kind: Kind,
    pub cells: Vec<Cell>,
    pub flags: Vec<Flag>,
    pub reject: Option<String>,
    /// The second party the row holds, stored as a row of its own.
    pub companion: Option<Box<PreparedRow>>,
}

impl<'a> RowReader<'a> {
    pub fn new(
        profile: &'a Profile,
        headers: &[String],
        kind_override: Option<Kind>,
        sheet: Option<&str>,
    ) -> Self {
        RowReader {
            profile,
            mapping: profile.map(headers),
            headers: headers.to_vec(),
            kind_override,
            key_prefix: sheet.map(|s| format!("{s}!")).unwrap_or_default(),
            record_len: None,
            seen_keys: HashMap::new(),
            companions: HashMap::new(),
        }
    }

    pub fn prepare(&mut self, row: RawRow) -> PreparedRow {
        let width = self.headers.len();
        let mut flags = Vec::new();
        let mut reject = row.problem.clone();
        let extra = row
            .cells
            .iter()
            .skip(width)
            .filter(|c| !c.is_empty())
            .count();
        let too_long = self.record_len.is_some_and(|n| row.cells.len() > n);
        if reject.is_none() && (extra > 0 || too_long) {
            reject = Some(format!(
                "row has {} fields but the header has {width}: a delimiter inside an unquoted value? quote it or fix the row",
                row.cells.len().max(width + extra)
            ));
        }
        let mut cells = row.cells;
        if reject.is_none() {
            if self.record_len.is_some() && cells.len() < width {
                flags.push(Flag::new(
                    SHORT_ROW,
                    None,
                    format!(
                        "{} of {width} fields: check that no value moved column",
                        cells.len()
                    ),
                ));
            }
            cells.truncate(width);
        }
        for (i, cell) in cells.iter().enumerate() {
            if let Cell::Text(t) = cell
                && t.contains('\u{FFFD}')
            {
                let field = self.mapping.fields.get(i).copied().flatten();
                flags.push(Flag::new(
                    UNDECODABLE_BYTES,
                    field,
                    format!(
                        "column `{}`: bytes not valid in the file's encoding (check `encoding =`)",
                        self.headers.get(i).map_or("?", String::as_str)
                    ),
                ));
            }
            if let Some(Some(field)) = self.mapping.fields.get(i)
                && let Some((code, detail)) = damage::check(cell, *field)
            {
                flags.push(Flag::new(
                    code,
                    Some(*field),
                    format!("column `{}`: {detail}", self.headers[i]),
                ));
            }
        }
        if reject.is_none() {
            reject = self.skip_reason(&cells);
        }
        let mut kind = self.kind_of(&cells, &mut flags);
        let source_key = self.source_key(&cells, row.number, &mut flags);
        let companion = match reject {
            None => self.companion(&cells, row.number, &source_key, &mut kind, &mut flags),
            Some(_) => None,
        };
        PreparedRow {
            number: row.number,
            source_key,
            kind,
            cells,
            flags,
            reject,
            companion,
        }
    }

    /// "Smith, John" in the name column of a profile whose individuals are
    /// written that way: two short runs of words, no digits, no legal form.
    fn comma_name(&self, cells: &[Cell]) -> bool {
        if !self.profile.comma_names_are_people || self.profile.kind != Kind::Organization {
            return false;
        }
        let name = self
            .mapping
            .columns_of(Field::Name)
            .chain(self.mapping.key_field.and(self.mapping.source_key))
            .find_map(|i| {
                let t = cells.get(i).map(Cell::to_text).unwrap_or_default();
                (!t.trim().is_empty()).then_some(t)
            });
        let Some(name) = name else {
            return false;
        };
        let Some((family, given)) = name.split_once(',') else {
            return false;
        };
        let short = |s: &str| {
            let words = s.split_whitespace().count();
            (1..=3).contains(&words)
        };
        short(family)
            && short(given)
            && !given.contains(',')
            && !name
                .chars()
                .any(|c| c.is_ascii_digit() || "&/@:+".contains(c))
            && crate::normalize::org::normalize_org_name(&name)
                .legal_form
                .is_none()
    }

    /// Source semantics: a row the profile says is no party (a 1C folder, a
    /// deletion mark, a CRM's deleted flag) is turned away with the reason.
    fn skip_reason(&self, cells: &[Cell]) -> Option<String> {
        self.mapping.skip.iter().find_map(|s| {
            let value = cells.get(s.column).map(Cell::to_text).unwrap_or_default();
            let key = header_key(&value);
            (!key.is_empty() && s.values.contains(&key)).then(|| {
                format!(
                    "skipped: {} (column `{}` = `{}`)",
                    s.reason,
                    self.headers[s.column],
                    value.trim()
                )
            })
        })
    }

    /// The second party of a row, when the profile declares one and the row
    /// fills any of its identifying columns. An organization whose contact
    /// person has the organization's own name is an individual: the row becomes
    /// that person instead. The person is flagged [`SAME_ROW`] with the
    /// organization's key.
    fn companion(
        &mut self,
        cells: &[Cell],
        number: u64,
        main_key: &str,
        kind: &mut Kind,
        flags: &mut Vec<Flag>,
    ) -> Option<Box<PreparedRow>> {
        let c = self.mapping.companion.as_ref()?;
        if *kind == c.kind || (c.kind == Kind::Person && *kind == Kind::SoleProprietor) {
            return None;
        }
        let text = |i: usize| cells.get(i).map(Cell::to_text).unwrap_or_default();
        let filled = |fields: &[Option<Field>], wanted: &[Field]| -> Vec<String> {
            fields
                .iter()
                .enumerate()
                .filter(|(_, f)| f.is_some_and(|f| wanted.contains(&f)))
                .map(|(i, _)| text(i).trim().to_string())
                .filter(|t| !t.is_empty())
                .collect()
        };
        const IDENTIFYING: &[Field] = &[
            Field::Name,
            Field::FullName,
            Field::FamilyName,
            Field::GivenName,
            Field::Email,
            Field::Phone,
            Field::Mobile,
        ];
        const NAMES: &[Field] = &[
            Field::Name,
            Field::FullName,
            Field::FamilyName,
            Field::GivenName,
        ];
        let own_key = c
            .source_key
            .map(text)
            .map(|k| k.trim().to_string())
            .filter(|k| !k.is_empty());
        if (filled(&c.fields, IDENTIFYING).is_empty() && own_key.is_none())
            || (c.only_with_key && own_key.is_none())
        {
            return None;
        }
        let companion_names = filled(&c.fields, NAMES);
        let mut main_names = filled(&self.mapping.fields, NAMES);
        // Xero's `*ContactName` is both the key and the name.
        if let (Some(i), Some(f)) = (self.mapping.source_key, self.mapping.key_field)
            && NAMES.contains(&f)
        {
            main_names.extend(Some(text(i).trim().to_string()).filter(|t| !t.is_empty()));
        }
        // No company name but a person (a FreshBooks client without an
        // organization), or the person has the company's own name: the row is
        // that person alone.
        if c.kind == Kind::Person
            && !companion_names.is_empty()
            && (main_names.is_empty()
                || same_words(&companion_names.join(" "), &main_names.join(" ")))
        {
            *kind = Kind::Person;
            return None;
        }
        let (companion_kind, companion_fields) = (c.kind, c.fields.clone());
        let key = match &own_key {
            Some(k) => {
                if let Some(stored) = self.companions.get(k) {
                    if companion_kind == Kind::Organization {
                        flags.push(Flag::new(SAME_ROW, None, stored.clone()));
                    }
                    return None;
                }
                k.clone()
            }
            None => format!("{main_key}/{companion_kind}"),
        };
        let mut companion_flags = vec![Flag::new(SECOND_PARTY, None, main_key.to_string())];
        let stored = self.unique_key(key.clone(), &mut companion_flags);
        if own_key.is_some() {
            self.companions.insert(key, stored.clone());
        }
        match companion_kind {
            Kind::Organization => flags.push(Flag::new(SAME_ROW, None, stored.clone())),
            _ => companion_flags.push(Flag::new(SAME_ROW, None, main_key.to_string())),
        }
        for (i, cell) in cells.iter().enumerate() {
            if let Some(Some(field)) = companion_fields.get(i)
                && let Some((code, detail)) = damage::check(cell, *field)
            {
                companion_flags.push(Flag::new(
                    code,
                    Some(*field),
                    format!("column `{}`: {detail}", self.headers[i]),
                ));
            }
        }
        Some(Box::new(PreparedRow {
            number,
            source_key: stored,
            kind: companion_kind,
            cells: cells.to_vec(),
            flags: companion_flags,
            reject: None,
            companion: None,
        }))
    }

    fn kind_of(&self, cells: &[Cell], flags: &mut Vec<Flag>) -> Kind {
        if let Some(k) = self.kind_override {
            return k;
        }
        // MYOB: a card with a first name is an individual.
        let by_fill = self
            .mapping
            .person_if_filled
            .iter()
            .any(|&i| cells.get(i).is_some_and(|c| !c.to_text().trim().is_empty()))
            .then_some(Kind::Person)
            .or_else(|| self.comma_name(cells).then_some(Kind::Person));
        let default = by_fill.unwrap_or(self.profile.kind);
        let Some(col) = self.mapping.kind_column else {
            return default;
        };
        let value = cells.get(col).map(Cell::to_text).unwrap_or_default();
        if value.trim().is_empty() {
            return default;
        }
        self.profile.kind_of(&value).unwrap_or_else(|| {
            flags.push(Flag::new(
                UNKNOWN_KIND_VALUE,
                Some(Field::Kind),
                format!(
                    "`{}` is not a kind this profile knows; read as {}",
                    value.trim(),
                    self.profile.kind
                ),
            ));
            self.profile.kind
        })
    }

    /// The key column's value, else `#row`; repeated keys get `~2`, `~3` and a flag.
    fn source_key(&mut self, cells: &[Cell], number: u64, flags: &mut Vec<Flag>) -> String {
        let written = self
            .mapping
            .source_key
            .and_then(|c| cells.get(c))
            .map(|c| c.to_text().trim().to_string());
        let base = match written {
            Some(k) if !k.is_empty() => k,
            _ => format!("{}#{number}", self.key_prefix),
        };
        self.unique_key(base, flags)
    }

    fn unique_key(&mut self, base: String, flags: &mut Vec<Flag>) -> String {
        let seen = self.seen_keys.entry(base.clone()).or_insert(0);
        *seen += 1;
        if *seen == 1 {
            base
        } else {
            flags.push(Flag::new(
                DUPLICATE_SOURCE_KEY,
                Some(Field::SourceKey),
                format!("key `{base}` repeats; stored as `{base}~{seen}`"),
            ));
            format!("{base}~{seen}")
        }
    }
}

/// "Smith John" and "John Smith": the same words, whatever their order and case.
fn same_words(a: &str, b: &str) -> bool {
    let words = |s: &str| {
        let mut w: Vec<String> = s
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        w.sort();
        w
    };
    let (a, b) = (words(a), words(b));
    !a.is_empty() && a == b
}

/// The warning a run shows (and `status` lists) when no column gives a name.
pub fn no_name_warning(profile: &str, mapping: &Mapping) -> Option<String> {
    use super::profiles::Essential;
    (!mapping.essentials().contains(&Essential::Name)).then(|| {
        format!(
            "NO NAME COLUMN: profile `{profile}` maps no name column, so every party of this table is nameless: check `golive inspect` and set `profile` (or add the header to a profile under mappings/)"
        )
    })
}

/// What a table is, apart from its rows.
#[derive(Clone, Debug)]
pub struct TableInfo {
    pub file: PathBuf,
    pub sheet: Option<String>,
    pub text: Option<TextFormat>,
    pub header_row: u64,
    pub headers: Vec<String>,
    pub first_column: usize,
    /// The reader's warnings, then the profile's (weak fit, no name column).
    pub warnings: Vec<String>,
}

impl TableInfo {
    /// A table's facts, apart from how long its records are and its rows.
    fn split(table: Table) -> (Self, Option<usize>, Box<dyn Iterator<Item = RawRow> + Send>) {
        let Table {
            file,
            sheet,
            text,
            header_row,
            headers,
            warnings,
            first_column,
            record_len,
            rows,
        } = table;
        let info = TableInfo {
            file,
            sheet,
            text,
            header_row,
            headers,
            first_column,
            warnings,
        };
        (info, record_len, rows)
    }
}

/// Physical data rows as the reader met them, counted apart from what is
/// stored: the accounting checks the workspace against these.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ReadCounts {
    /// Every data row below the header, blank or not.
    pub physical: u64,
    pub blank: u64,
}

/// A table with its profile chosen; iterating yields its non-blank rows
/// prepared, and [`PreparedTable::counts`] tells how many physical rows were met.
pub struct PreparedTable<'p> {
    pub info: TableInfo,
    pub profile: &'p Profile,
    pub score: f64,
    pub runner_up: Option<Ranked>,
    pub reader: RowReader<'p>,
    rows: Box<dyn Iterator<Item = RawRow> + Send>,
    counts: ReadCounts,
    /// Rejected rows fixed by hand, read in place of the rows they fix.
    pub fixes: Option<super::fixes::TableFixes>,
}

impl<'p> PreparedTable<'p> {
    /// Choose the table's profile (the one forced, else the best fit) and get
    /// its rows ready to prepare; warns when the fit is weak or no column names
    /// the party.
    pub fn new(
        profiles: &'p ProfileSet,
        table: Table,
        forced_profile: Option<&str>,
        kind: Option<Kind>,
    ) -> Result<Self> {
        let (mut info, record_len, rows) = TableInfo::split(table);
        let (profile, score, runner_up) =
            choose_profile(profiles, &info.headers, forced_profile, &info.file)?;
        if forced_profile.is_none() && score < WEAK_PROFILE_SCORE {
            info.warnings.push(format!(
                "profile `{}` fits only {:.0}% of the headers: check `golive inspect` and set `profile`",
                profile.name,
                score * 100.0
            ));
        }
        Ok(Self::with_profile(
            info, profile, score, runner_up, kind, record_len, rows,
        ))
    }

    fn with_profile(
        mut info: TableInfo,
        profile: &'p Profile,
        score: f64,
        runner_up: Option<Ranked>,
        kind: Option<Kind>,
        record_len: Option<usize>,
        rows: Box<dyn Iterator<Item = RawRow> + Send>,
    ) -> Self {
        let mut reader = RowReader::new(profile, &info.headers, kind, info.sheet.as_deref());
        reader.record_len = record_len;
        info.warnings
            .extend(no_name_warning(&profile.name, &reader.mapping));
        PreparedTable {
            info,
            profile,
            score,
            runner_up,
            reader,
            rows,
            counts: ReadCounts::default(),
            fixes: None,
        }
    }

    /// Read with a profile made for this table (`dedupe --map`).
    pub fn with_own_profile(table: Table, profile: &'p Profile, kind: Option<Kind>) -> Self {
        let (info, record_len, rows) = TableInfo::split(table);
        Self::with_profile(info, profile, 1.0, None, kind, record_len, rows)
    }

    pub fn counts(&self) -> ReadCounts {
        self.counts
    }
}

impl Iterator for PreparedTable<'_> {
    type Item = PreparedRow;

    fn next(&mut self) -> Option<PreparedRow> {
        loop {
            let Some(mut raw) = self.rows.next() else {
                if let Some(f) = &mut self.fixes {
                    f.finish();
                }
                return None;
            };
            self.counts.physical += 1;
            let fixed = self.fixes.as_mut().is_some_and(|f| f.apply(&mut raw));
            if raw.problem.is_none() && raw.is_blank() {
                self.counts.blank += 1;
                continue;
            }
            let mut row = self.reader.prepare(raw);
            if let Some(f) = self.fixes.as_ref().filter(|_| fixed) {
                row.flags.push(Flag::new(
                    ROW_FIXED,
                    None,
                    format!("read from its fix in {}", f.files),
                ));
            }
            return Some(row);
        }
    }
}
