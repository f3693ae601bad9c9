//! Mapping profiles (mappings/*.toml): which source column is which canonical
//! field, the source key, the record kind per row, multi-value separators.

use crate::config::line_of;
use crate::error::{Error, Result};
use crate::model::{Field, Kind};
use crate::normalize::text::nfkc_keep_dashes;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin_profiles.rs"));
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    name: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    kind: Kind,
    #[serde(default)]
    signature: Vec<String>,
    #[serde(default)]
    source_key: Vec<String>,
    kind_rule: Option<KindRuleFile>,
    #[serde(default)]
    fields: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    split: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    options: ProfileOptions,
    /// Headers this export has that deliberately stay extras (the seller's
    /// own columns such as 担当営業): known, so they count as mapped.
    #[serde(default)]
    ignore: Vec<String>,
    /// Rows that are not parties (1C folders, deletion marks, CRM deleted flags).
    #[serde(default)]
    skip: Vec<SkipFile>,
    /// Text put before a column's value when it is joined into its field
    /// (`Дом` → "д. 5"), by header.
    #[serde(default)]
    labels: BTreeMap<String, String>,
    /// A second party in the same row (an organization's contact person, a
    /// contact's company).
    companion: Option<CompanionFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SkipFile {
    columns: Vec<String>,
    values: Vec<String>,
    reason: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CompanionFile {
    kind: Kind,
    #[serde(default)]
    source_key: Vec<String>,
    /// Read the second party only from rows that fill its key column (a
    /// HubSpot contact's company exists when its record ID is written).
    #[serde(default)]
    only_with_key: bool,
    #[serde(default)]
    fields: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct KindRuleFile {
    #[serde(default)]
    columns: Vec<String>,
    /// A row with any of these columns filled is a person (MYOB: a card with a
    /// first name is an individual).
    #[serde(default)]
    person_if_filled: Vec<String>,
    /// A name written "Smith, John" (no legal form, no digits) is a person
    /// (QuickBooks lists individuals that way).
    #[serde(default)]
    comma_names_are_people: bool,
    #[serde(default)]
    organization: Vec<String>,
    #[serde(default)]
    person: Vec<String>,
    #[serde(default)]
    sole_proprietor: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileOptions {
    /// Default country of this export's phones.
    pub region: Option<String>,
}

/// A compiled profile: aliases reduced to header keys.
#[derive(Clone, Debug)]
pub struct Profile {
    pub name: String,
    pub title: String,
    pub kind: Kind,
    pub options: ProfileOptions,
    /// The main party's aliases.
    aliases: Aliases,
    signature: Vec<String>,
    source_key: Vec<String>,
    kind_columns: Vec<String>,
    kind_values: HashMap<String, Kind>,
    person_if_filled: Vec<String>,
    pub comma_names_are_people: bool,
    ignore: Vec<String>,
    skip: Vec<SkipRule>,
    labels: HashMap<String, String>,
    companion: Option<Companion>,
    split: BTreeMap<Field, Vec<String>>,
}

/// Header key → (field, rank of the alias in the field's list), as written
/// and with every digit removed (`E-mail 2 - Value` meets `E-mail 1 - Value`).
#[derive(Clone, Debug, Default)]
struct Aliases {
    exact: HashMap<String, (Field, u16)>,
    digitless: HashMap<String, (Field, u16)>,
}

impl Aliases {
    fn compile(
        fields: &BTreeMap<String, Vec<String>>,
        origin: &str,
        section: &str,
    ) -> Result<Self> {
        let mut a = Aliases::default();
        for (field, names) in fields {
            let field: Field = field
                .parse()
                .map_err(|e| Error::bad_input(origin, format!("[{section}]: {e}")))?;
            for (rank, name) in names.iter().enumerate() {
                let key = header_key(name);
                let rank = rank.min(u16::MAX as usize) as u16;
                a.digitless.entry(digitless(&key)).or_insert((field, rank));
                a.exact.entry(key).or_insert((field, rank));
            }
        }
        Ok(a)
    }

    fn exact(&self, key: &str) -> Option<(Field, u16)> {
        self.exact.get(key).copied()
    }

    /// "Телефон 2", "Phone (3)" map like "Телефон", "Phone"; numbered
    /// columns like their first.
    fn loose(&self, key: &str) -> Option<(Field, u16)> {
        self.exact
            .get(without_counter(key))
            .or_else(|| self.digitless.get(&digitless(key)))
            .copied()
    }

    fn get(&self, key: &str) -> Option<(Field, u16)> {
        self.exact(key).or_else(|| self.loose(key))
    }
}

#[derive(Clone, Debug)]
struct SkipRule {
    columns: Vec<String>,
    values: Vec<String>,
    reason: String,
}

#[derive(Clone, Debug)]
struct Companion {
    kind: Kind,
    source_key: Vec<String>,
    only_with_key: bool,
    aliases: Aliases,
}

/// The second party a row may hold, as mapped on one table.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CompanionMapping {
    pub kind: Kind,
    /// Per column: the field it holds for the second party.
    pub fields: Vec<Option<Field>>,
    pub ranks: Vec<u16>,
    /// Its own key column (a contact's company record ID), if any.
    pub source_key: Option<usize>,
    #[serde(default)]
    pub only_with_key: bool,
}

/// A rule that turns rows away, resolved to columns.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SkipColumn {
    pub column: usize,
    /// Header keys of the values that skip the row.
    pub values: Vec<String>,
    pub reason: String,
}

/// How one table's columns map onto canonical fields under a profile.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Mapping {
    pub profile: String,
    /// Per column: the field it holds, if any (unmapped columns are extras).
    pub fields: Vec<Option<Field>>,
    /// Per column: the rank of the alias that matched (0 = the profile's first
    /// choice), so a single-valued field takes its best column.
    #[serde(default)]
    pub ranks: Vec<u16>,
    pub source_key: Option<usize>,
    /// The field the key column also holds (QuickBooks' `Customer` is both the
    /// key and the display name).
    #[serde(default)]
    pub key_field: Option<Field>,
    pub kind_column: Option<usize>,
    /// Columns whose filled value makes the row a person.
    #[serde(default)]
    pub person_if_filled: Vec<usize>,
    #[serde(default)]
    pub skip: Vec<SkipColumn>,
    /// Per column: text put before its value when joined (`д.`), if any.
    #[serde(default)]
    pub labels: Vec<Option<String>>,
    /// Columns the profile knows but keeps as extras on purpose.
    #[serde(default)]
    pub ignored: Vec<usize>,
    #[serde(default)]
    pub companion: Option<CompanionMapping>,
}

/// The kinds of column that identify a party: a profile that leaves one of
/// them unmapped while another maps it loses (see [`ProfileSet::rank`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Essential {
    Name,
    Email,
    Phone,
}

impl Essential {
    pub const ALL: [Essential; 3] = [Essential::Name, Essential::Email, Essential::Phone];

    pub fn of(field: Field) -> Option<Self> {
        match field {
            Field::Name | Field::FullName | Field::FamilyName | Field::GivenName => {
                Some(Essential::Name)
            }
            Field::Email => Some(Essential::Email),
            Field::Phone | Field::Mobile => Some(Essential::Phone),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Essential::Name => "name",
            Essential::Email => "e-mail",
            Essential::Phone => "phone",
        }
    }
}

impl Mapping {
    pub fn rank(&self, column: usize) -> u16 {
        self.ranks.get(column).copied().unwrap_or(0)
    }

    pub fn columns_of(&self, field: Field) -> impl Iterator<Item = usize> + '_ {
        self.fields
            .iter()
            .enumerate()
            .filter(move |(_, f)| **f == Some(field))
            .map(|(i, _)| i)
    }

    /// Fields per column, either party's.
    fn any_fields(&self) -> impl Iterator<Item = (usize, Field)> + '_ {
        let companion = self.companion.iter().flat_map(|c| {
            c.fields
                .iter()
                .enumerate()
                .filter_map(|(i, f)| f.map(|f| (i, f)))
        });
        // The key column may also be a field (QuickBooks' `Customer` is the name).
        let key = self.source_key.zip(self.key_field);
        self.fields
            .iter()
            .enumerate()
            .filter_map(|(i, f)| f.map(|f| (i, f)))
            .chain(key)
            .chain(companion)
    }

    /// Which identifying kinds of column this mapping covers (either party).
    pub fn essentials(&self) -> Vec<Essential> {
        let mut v: Vec<Essential> = self
            .any_fields()
            .filter_map(|(_, f)| Essential::of(f))
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// Is column `i` used at all (a field of either party, the key, the kind, a
    /// deliberate extra)?
    pub fn uses(&self, i: usize) -> bool {
        self.fields.get(i).is_some_and(Option::is_some)
            || self.companion.as_ref().is_some_and(|c| {
                c.fields.get(i).is_some_and(Option::is_some) || c.source_key == Some(i)
            })
            || self.ignored.contains(&i)
            || self.skip.iter().any(|s| s.column == i)
            || self.person_if_filled.contains(&i)
    }

    /// The fields of the party a stored row is: the companion's for a
    /// companion row; for a row that is itself of the companion's kind (an
    /// individual in a file of companies with contacts), both sets, the
    /// main party's first.
    pub fn fields_for(&self, companion_row: bool, kind: Kind) -> (Vec<Option<Field>>, Vec<u16>) {
        match &self.companion {
            Some(c) if companion_row => (c.fields.clone(), c.ranks.clone()),
            Some(c)
                if c.kind == kind || (c.kind == Kind::Person && kind == Kind::SoleProprietor) =>
            {
                let fields = self
                    .fields
                    .iter()
                    .zip(&c.fields)
                    .map(|(m, c)| m.or(*c))
                    .collect();
                let ranks = (0..self.fields.len())
                    .map(|i| {
                        if self.fields[i].is_some() {
                            self.rank(i)
                        } else {
                            c.ranks.get(i).copied().unwrap_or(0)
                        }
                    })
                    .collect();
                (fields, ranks)
            }
            _ => (self.fields.clone(), self.ranks.clone()),
        }
    }
}

/// A header as compared: NFKC, lower case, letters and digits only, so
/// "E-mail", "EMAIL:" and "*Email" meet, and "Телефон №" is "телефон".
/// Required-field marks (`取引先名(必須)`, `（必須）`, `(required)`) are dropped.
pub fn header_key(h: &str) -> String {
    // `№` is removed before NFKC, which would spell it "No".
    let mut s = nfkc_keep_dashes(&h.replace('№', "")).to_lowercase();
    for mark in REQUIRED_MARKS {
        if s.contains(mark) {
            s = s.replace(mark, "");
        }
    }
    let key: String = s.chars().filter(|c| c.is_alphanumeric()).collect();
    match key
        .strip_suffix("必須")
        .or_else(|| key.strip_prefix("必須"))
    {
        Some(rest) if !rest.is_empty() => rest.to_string(),
        _ => key,
    }
}

/// Marks of a required (or optional) column in import templates, after NFKC.
const REQUIRED_MARKS: &[&str] = &[
    "(必須)",
    "[必須]",
    "【必須】",
    "<必須>",
    "《必須》",
    "(任意)",
    "[任意]",
    "【任意】",
    "(required)",
    "[required]",
    "(optional)",
];

/// "Телефон 2", "Phone (3)" map like "Телефон", "Phone".
fn without_counter(key: &str) -> &str {
    key.trim_end_matches(|c: char| c.is_ascii_digit())
}

fn digitless(key: &str) -> String {
    key.chars().filter(|c| !c.is_ascii_digit()).collect()
}

impl Profile {
    fn compile(file: ProfileFile, origin: &str) -> Result<Self> {
        let bad = |message: String| Error::bad_input(origin, message);
        let aliases = Aliases::compile(&file.fields, origin, "fields")?;
        let mut split = BTreeMap::new();
        for (field, seps) in file.split {
            let field: Field = field.parse().map_err(|e| bad(format!("[split]: {e}")))?;
            split.insert(field, seps);
        }
        let comma_names_are_people = file
            .kind_rule
            .as_ref()
            .is_some_and(|r| r.comma_names_are_people);
        let (kind_columns, kind_values, person_if_filled) = match file.kind_rule {
            None => (Vec::new(), HashMap::new(), Vec::new()),
            Some(rule) => {
                let mut values = HashMap::new();
                for (kind, list) in [
                    (Kind::Organization, &rule.organization),
                    (Kind::Person, &rule.person),
                    (Kind::SoleProprietor, &rule.sole_proprietor),
                ] {
                    for v in list {
                        values.insert(header_key(v), kind);
                    }
                }
                (
                    rule.columns.iter().map(|c| header_key(c)).collect(),
                    values,
                    rule.person_if_filled
                        .iter()
                        .map(|c| header_key(c))
                        .collect(),
                )
            }
        };
        if file.name.trim().is_empty() {
            return Err(bad("`name` is empty".into()));
        }
        let companion = match file.companion {
            None => None,
            Some(c) => Some(Companion {
                kind: c.kind,
                source_key: c.source_key.iter().map(|s| header_key(s)).collect(),
                only_with_key: c.only_with_key,
                aliases: Aliases::compile(&c.fields, origin, "companion.fields")?,
            }),
        };
        Ok(Profile {
            name: file.name,
            title: file.title,
            kind: file.kind,
            options: file.options,
            aliases,
            signature: file.signature.iter().map(|s| header_key(s)).collect(),
            source_key: file.source_key.iter().map(|s| header_key(s)).collect(),
            kind_columns,
            kind_values,
            person_if_filled,
            comma_names_are_people,
            ignore: file.ignore.iter().map(|s| header_key(s)).collect(),
            skip: file
                .skip
                .into_iter()
                .map(|s| SkipRule {
                    columns: s.columns.iter().map(|c| header_key(c)).collect(),
                    values: s.values.iter().map(|v| header_key(v)).collect(),
                    reason: s.reason,
                })
                .collect(),
            labels: file
                .labels
                .into_iter()
                .map(|(h, l)| (header_key(&h), l))
                .collect(),
            companion,
            split,
        })
    }

    /// Every header key this profile knows (for header-row detection).
    fn known_keys(&self) -> impl Iterator<Item = &String> {
        self.aliases
            .exact
            .keys()
            .chain(&self.source_key)
            .chain(&self.kind_columns)
            .chain(&self.ignore)
            .chain(&self.person_if_filled)
            .chain(self.skip.iter().flat_map(|s| &s.columns))
            .chain(
                self.companion
                    .iter()
                    .flat_map(|c| c.aliases.exact.keys().chain(&c.source_key)),
            )
    }

    /// Map a header row. The source-key column is found by its own aliases
    /// first; several columns may map to one field (their values are joined).
    /// A column named exactly by one party's aliases is that party's only; a
    /// column named exactly by both is shared.
    pub fn map(&self, headers: &[String]) -> Mapping {
        let keys: Vec<String> = headers.iter().map(|h| header_key(h)).collect();
        let find = |list: &[String]| list.iter().find_map(|k| keys.iter().position(|h| h == k));
        let source_key = find(&self.source_key);
        let kind_column = find(&self.kind_columns);
        let companion_key = self
            .companion
            .as_ref()
            .and_then(|c| find(&c.source_key))
            .filter(|&i| Some(i) != source_key);
        let none = Aliases::default();
        let other = self.companion.as_ref().map_or(&none, |c| &c.aliases);
        let resolve = |own: &Aliases, other: &Aliases, k: &str| {
            own.exact(k)
                .or_else(|| other.exact(k).is_none().then(|| own.loose(k)).flatten())
        };
        let (fields, ranks) = keys
            .iter()
            .enumerate()
            .map(|(i, k)| {
                if Some(i) == source_key {
                    (Some(Field::SourceKey), 0)
                } else if Some(i) == kind_column {
                    (Some(Field::Kind), 0)
                } else if Some(i) == companion_key {
                    (None, 0)
                } else {
                    resolve(&self.aliases, other, k).map_or((None, 0), |(f, r)| (Some(f), r))
                }
            })
            .unzip();
        let companion = self.companion.as_ref().map(|c| {
            let (fields, ranks) = keys
                .iter()
                .enumerate()
                .map(|(i, k)| {
                    if Some(i) == source_key || Some(i) == kind_column || Some(i) == companion_key {
                        (None, 0)
                    } else {
                        resolve(&c.aliases, &self.aliases, k)
                            .map_or((None, 0), |(f, r)| (Some(f), r))
                    }
                })
                .unzip();
            CompanionMapping {
                kind: c.kind,
                fields,
                ranks,
                source_key: companion_key,
                only_with_key: c.only_with_key,
            }
        });
        let key_field = source_key
            .and_then(|i| self.aliases.get(&keys[i]))
            .map(|(f, _)| f);
        let positions = |list: &[String]| -> Vec<usize> {
            keys.iter()
                .enumerate()
                .filter(|(_, k)| list.contains(k))
                .map(|(i, _)| i)
                .collect()
        };
        let skip = self
            .skip
            .iter()
            .flat_map(|rule| {
                positions(&rule.columns)
                    .into_iter()
                    .map(|column| SkipColumn {
                        column,
                        values: rule.values.clone(),
                        reason: rule.reason.clone(),
                    })
            })
            .collect();
        Mapping {
            profile: self.name.clone(),
            fields,
            ranks,
            source_key,
            key_field,
            kind_column,
            person_if_filled: positions(&self.person_if_filled),
            skip,
            labels: keys.iter().map(|k| self.labels.get(k).cloned()).collect(),
            ignored: positions(&self.ignore),
            companion,
        }
    }

    /// Kind of a row from the kind column's value; `None` when the value is unknown.
    pub fn kind_of(&self, value: &str) -> Option<Kind> {
        self.kind_values.get(&header_key(value)).copied()
    }

    /// Separators between several values of a field in one cell.
    pub fn separators(&self, field: Field) -> &[String] {
        self.split.get(&field).map_or(&[], Vec::as_slice)
    }

    pub fn all_separators(&self) -> &BTreeMap<Field, Vec<String>> {
        &self.split
    }

    /// How well a header row fits: the share of non-empty headers this profile
    /// maps, plus the share of its signature headers present. Generic profiles
    /// (no signature) reach at most 0.6, a matching specific export 1.0.
    pub fn score(&self, headers: &[String]) -> f64 {
        let keys: Vec<String> = headers
            .iter()
            .map(|h| header_key(h))
            .filter(|k| !k.is_empty())
            .collect();
        if keys.is_empty() {
            return 0.0;
        }
        let mapped = keys
            .iter()
            .filter(|k| {
                self.aliases.get(k).is_some()
                    || self
                        .companion
                        .as_ref()
                        .is_some_and(|c| c.aliases.get(k).is_some() || c.source_key.contains(k))
                    || self.source_key.contains(k)
                    || self.kind_columns.contains(k)
                    || self.ignore.contains(k)
                    || self.person_if_filled.contains(k)
                    || self.skip.iter().any(|s| s.columns.contains(k))
            })
            .count();
        let coverage = mapped as f64 / keys.len() as f64;
        if self.signature.is_empty() {
            return 0.6 * coverage;
        }
        let signature = self.signature.iter().filter(|s| keys.contains(s)).count() as f64
            / self.signature.len() as f64;
        if signature == 0.0 {
            // A specific export's profile without any of its own headers must
            // not beat the generic profile that maps the same common columns.
            return 0.55 * coverage;
        }
        0.6 * coverage + 0.4 * signature
    }
}

/// Every profile golive knows: the built-in ones plus a project's own `mappings/`.
#[derive(Clone, Debug)]
pub struct ProfileSet {
    profiles: Vec<Profile>,
    known_headers: std::collections::HashSet<String>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Ranked {
    pub profile: String,
    pub score: f64,
    /// Identifying kinds of column it maps (name, e-mail, phone).
    pub maps: Vec<Essential>,
    /// Identifying kinds of column another profile maps from a column this one
    /// leaves unused: each one ranks it below every profile with fewer.
    pub leaves_unmapped: Vec<Essential>,
}

impl Ranked {
    /// "maps name, e-mail; leaves phone unmapped", for messages.
    pub fn explain(&self) -> String {
        let list = |v: &[Essential]| v.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(", ");
        let maps = if self.maps.is_empty() {
            "maps no name, e-mail or phone".to_string()
        } else {
            format!("maps {}", list(&self.maps))
        };
        if self.leaves_unmapped.is_empty() {
            maps
        } else {
            format!("{maps}; leaves {} unmapped", list(&self.leaves_unmapped))
        }
    }
}

impl Profile {
    /// A profile for one table whose columns are named on the command line
    /// (`dedupe --id ID --map 'Site name=name'`): exactly those columns, no
    /// signature, no kind rule.
    pub fn for_columns(kind: Kind, key: &str, columns: &[(String, Field)]) -> Result<Self> {
        let mut fields: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (header, field) in columns {
            fields
                .entry(field.as_str().to_string())
                .or_default()
                .push(header.clone());
        }
        let file = ProfileFile {
            name: "command-line".to_string(),
            title: "columns named on the command line".to_string(),
            kind,
            signature: Vec::new(),
            source_key: vec![key.to_string()],
            kind_rule: None,
            fields,
            split: BTreeMap::new(),
            options: ProfileOptions::default(),
            ignore: Vec::new(),
            skip: Vec::new(),
            labels: BTreeMap::new(),
            companion: None,
        };
        Profile::compile(file, "--map")
    }
}

impl ProfileSet {
    pub fn builtin() -> Result<Self> {
        let mut set = ProfileSet {
            profiles: Vec::new(),
            known_headers: Default::default(),
        };
        for (file, text) in builtin::BUILTIN_PROFILES {
            set.add(text, &format!("mappings/{file}"))?;
        }
        Ok(set)
    }

    /// Built-in profiles plus `DIR/mappings/*.toml`; a project profile with the
    /// same name replaces the built-in one.
    pub fn for_project(dir: &Path) -> Result<Self> {
        let mut set = Self::builtin()?;
        let mdir = dir.join("mappings");
        if let Ok(entries) = std::fs::read_dir(&mdir) {
            let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            paths.retain(|p| p.extension().is_some_and(|e| e == "toml"));
            paths.sort();
            for p in paths {
                let text = std::fs::read_to_string(&p).map_err(|e| Error::io(&p, e))?;
                set.add(&text, &p.display().to_string())?;
            }
        }
        Ok(set)
    }

    fn add(&mut self, text: &str, origin: &str) -> Result<()> {
        let file: ProfileFile = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(0, |s| line_of(text, s.start));
            Error::Config {
                path: origin.into(),
                line,
                message: e.message().to_string(),
            }
        })?;
        let profile = Profile::compile(file, origin)?;
        let known: Vec<String> = profile.known_keys().cloned().collect();
        self.known_headers.extend(
            known
                .iter()
                .map(|k| digitless(k))
                .filter(|k| !k.is_empty())
                .collect::<Vec<_>>(),
        );
        self.known_headers
            .extend(known.into_iter().filter(|k| !k.is_empty()));
        self.profiles.retain(|p| p.name != profile.name);
        self.profiles.push(profile);
        self.profiles.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(())
    }

    pub fn get(&self, name: &str) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.name == name)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.profiles.iter().map(|p| p.name.as_str())
    }

    /// Is this a caption some profile knows? Used to find the header row.
    pub fn is_known_header(&self, header: &str) -> bool {
        let k = header_key(header);
        // A caption of digits alone ("2024", a phone number) is never a known header.
        let loose = [without_counter(&k).to_string(), digitless(&k)];
        !loose[1].is_empty()
            && (self.known_headers.contains(&k)
                || loose.iter().any(|l| self.known_headers.contains(l)))
    }

    /// Profiles by fit, best first. A profile that leaves a name, e-mail or
    /// phone column unused while another maps it loses to every profile that
    /// leaves fewer such kinds unmapped, whatever the scores (a Zoho file must
    /// not go to the Salesforce profile that ignores its `Email`); then the
    /// score decides; ties are broken by name so the choice is stable.
    pub fn rank(&self, headers: &[String]) -> Vec<Ranked> {
        let mappings: Vec<Mapping> = self.profiles.iter().map(|p| p.map(headers)).collect();
        // Per essential kind: the columns some profile maps to it.
        let mut claimed: BTreeMap<Essential, Vec<usize>> = BTreeMap::new();
        for m in &mappings {
            for (i, f) in m.any_fields() {
                if let Some(e) = Essential::of(f) {
                    claimed.entry(e).or_default().push(i);
                }
            }
        }
        let mut ranked: Vec<Ranked> = self
            .profiles
            .iter()
            .zip(&mappings)
            .map(|(p, m)| {
                let maps = m.essentials();
                let leaves_unmapped = claimed
                    .iter()
                    .filter(|(e, cols)| !maps.contains(e) && cols.iter().any(|&i| !m.uses(i)))
                    .map(|(e, _)| *e)
                    .collect();
                Ranked {
                    profile: p.name.clone(),
                    score: p.score(headers),
                    maps,
                    leaves_unmapped,
                }
            })
            .collect();
        ranked.sort_by(|a, b| {
            a.leaves_unmapped
                .len()
                .cmp(&b.leaves_unmapped.len())
                .then_with(|| b.score.total_cmp(&a.score))
                .then_with(|| a.profile.cmp(&b.profile))
        });
        ranked
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"
name = "test-ru"
kind = "organization"
signature = ["Вид контрагента"]
source_key = ["Код"]
[kind_rule]
columns = ["Вид контрагента"]
person = ["Физическое лицо"]
sole_proprietor = ["Индивидуальный предприниматель"]
[fields]
name = ["Наименование"]
phone = ["Телефон"]
email = ["E-mail", "Эл. почта"]
[split]
phone = [",", ";"]
"#;

    fn set() -> ProfileSet {
        let mut s = ProfileSet {
            profiles: Vec::new(),
            known_headers: Default::default(),
        };
        s.add(SAMPLE, "test.toml").unwrap();
        s
    }

    #[test]
    fn header_keys_ignore_decoration() {
        assert_eq!(header_key("*E-mail:"), "email");
        assert_eq!(header_key("ＴＥＬ"), "tel");
        assert_eq!(header_key("名前（通称）"), "名前通称");
        assert_eq!(header_key("Телефон №"), "телефон");
    }

    #[test]
    fn maps_columns_keys_kinds_and_counters() {
        let set = set();
        let p = set.get("test-ru").unwrap();
        let headers: Vec<String> = [
            "Код",
            "Наименование",
            "Вид контрагента",
            "Телефон",
            "Телефон 2",
            "Комментарий",
            "EMAIL",
        ]
        .map(String::from)
        .to_vec();
        let m = p.map(&headers);
        assert_eq!(m.source_key, Some(0));
        assert_eq!(m.kind_column, Some(2));
        assert_eq!(
            m.fields,
            vec![
                Some(Field::SourceKey),
                Some(Field::Name),
                Some(Field::Kind),
                Some(Field::Phone),
                Some(Field::Phone),
                None,
                Some(Field::Email)
            ]
        );
        assert_eq!(p.kind_of("физическое лицо"), Some(Kind::Person));
        assert_eq!(
            p.kind_of("Индивидуальный предприниматель"),
            Some(Kind::SoleProprietor)
        );
        assert_eq!(p.kind_of("???"), None);
        assert_eq!(p.separators(Field::Phone), [",", ";"]);
        assert!((p.score(&headers) - (0.6 * 6.0 / 7.0 + 0.4)).abs() < 1e-9);
        assert!(set.is_known_header("Телефон 3"));
        assert!(!set.is_known_header("Комментарий"));
    }

    #[test]
    fn bad_profiles_name_the_file_and_line() {
        let mut s = set();
        let err = s
            .add("name = \"x\"\n[fields]\nnmae = [\"a\"]\n", "bad.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("bad.toml") && err.contains("nmae"), "{err}");
        let err = s
            .add("name = \"x\"\nbogus = 1\n", "bad.toml")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("bad.toml:2:"), "{err}");
    }

    #[test]
    fn required_marks_and_numbering_are_ignored() {
        assert_eq!(header_key("取引先名(必須)"), "取引先名");
        assert_eq!(header_key("取引先名（必須）"), "取引先名");
        assert_eq!(header_key("【必須】会社名"), "会社名");
        assert_eq!(header_key("*ContactName"), "contactname");
        assert_eq!(header_key("Email (required)"), "email");
        let set = ProfileSet::builtin().unwrap();
        let google = set.get("google-contacts").unwrap();
        let headers: Vec<String> = [
            "Name",
            "E-mail 1 - Value",
            "E-mail 2 - Value",
            "Phone 3 - Value",
        ]
        .map(String::from)
        .to_vec();
        let m = google.map(&headers);
        assert_eq!(
            m.fields,
            vec![
                Some(Field::FullName),
                Some(Field::Email),
                Some(Field::Email),
                Some(Field::Phone)
            ]
        );
        assert!(set.is_known_header("E-mail 3 - Value"));
    }

    #[test]
    fn a_profile_that_ignores_the_email_column_loses() {
        let mut s = set();
        s.add(
            "name = \"rich\"\nsignature = [\"Вид контрагента\"]\n[fields]\nname = [\"Наименование\"]\nnotes = [\"Код\", \"Вид контрагента\"]\naddress = [\"Адрес\"]\ncity = [\"Город\"]\nwebsite = [\"Сайт\"]\n",
            "rich.toml",
        )
        .unwrap();
        let headers: Vec<String> = [
            "Код",
            "Наименование",
            "Вид контрагента",
            "E-mail",
            "Адрес",
            "Город",
            "Сайт",
        ]
        .map(String::from)
        .to_vec();
        let ranked = s.rank(&headers);
        let rich = ranked.iter().find(|r| r.profile == "rich").unwrap();
        let plain = ranked.iter().find(|r| r.profile == "test-ru").unwrap();
        assert!(rich.score > plain.score, "{ranked:?}");
        assert_eq!(rich.leaves_unmapped, vec![Essential::Email]);
        assert_eq!(ranked[0].profile, "test-ru", "{ranked:?}");
        assert_eq!(ranked[0].explain(), "maps name, e-mail");
        assert_eq!(rich.explain(), "maps name; leaves e-mail unmapped");
    }

    #[test]
    fn companion_columns_belong_to_the_second_party() {
        let set = ProfileSet::builtin().unwrap();
        let hs = set.get("hubspot-contacts").unwrap();
        let headers: Vec<String> = [
            "Record ID",
            "First Name",
            "Phone Number",
            "Record ID - Company",
            "Company name",
            "Phone Number (2)",
        ]
        .map(String::from)
        .to_vec();
        let m = hs.map(&headers);
        assert_eq!(m.fields[2], Some(Field::Phone));
        assert_eq!(m.fields[5], None, "the company's phone is not the person's");
        let c = m.companion.as_ref().unwrap();
        assert_eq!(c.source_key, Some(3));
        assert_eq!(c.fields[4], Some(Field::Name));
        assert_eq!(c.fields[5], Some(Field::Phone));
        assert_eq!(c.fields[2], None);
    }

    #[test]
    fn builtin_profiles_load() {
        let set = ProfileSet::builtin().unwrap();
        assert!(set.names().count() == set.profiles.len());
    }
}
