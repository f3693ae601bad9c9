//! Mapping profiles (mappings/*.toml): which source column is which canonical
//! field, the source key, the record kind per row, multi-value separators.

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
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct KindRuleFile {
    columns: Vec<String>,
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
    /// Header key → (field, rank of the alias in the field's list).
    aliases: HashMap<String, (Field, u16)>,
    signature: Vec<String>,
    source_key: Vec<String>,
    kind_columns: Vec<String>,
    kind_values: HashMap<String, Kind>,
    split: BTreeMap<Field, Vec<String>>,
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
}

/// A header as compared: NFKC, lower case, letters and digits only, so
/// "E-mail", "EMAIL:" and "*Email" meet, and "Телефон №" is "телефон".
pub fn header_key(h: &str) -> String {
    // `№` is removed before NFKC, which would spell it "No".
    nfkc_keep_dashes(&h.replace('№', ""))
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// 1-based line of a byte offset, for error messages.
pub fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).map_or(0, |t| t.matches('\n').count()) + 1
}

/// "Телефон 2", "Phone (3)" map like "Телефон", "Phone".
fn without_counter(key: &str) -> &str {
    key.trim_end_matches(|c: char| c.is_ascii_digit())
}

impl Profile {
    fn compile(file: ProfileFile, origin: &str) -> Result<Self> {
        let bad = |message: String| Error::bad_input(origin, message);
        let mut aliases = HashMap::new();
        for (field, names) in &file.fields {
            let field: Field = field.parse().map_err(|e| bad(format!("[fields]: {e}")))?;
            for (rank, name) in names.iter().enumerate() {
                aliases
                    .entry(header_key(name))
                    .or_insert((field, rank.min(u16::MAX as usize) as u16));
            }
        }
        let mut split = BTreeMap::new();
        for (field, seps) in file.split {
            let field: Field = field.parse().map_err(|e| bad(format!("[split]: {e}")))?;
            split.insert(field, seps);
        }
        let (kind_columns, kind_values) = match file.kind_rule {
            None => (Vec::new(), HashMap::new()),
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
                (rule.columns.iter().map(|c| header_key(c)).collect(), values)
            }
        };
        if file.name.trim().is_empty() {
            return Err(bad("`name` is empty".into()));
        }
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
            split,
        })
    }

    fn field_of(&self, key: &str) -> Option<(Field, u16)> {
        self.aliases
            .get(key)
            .or_else(|| self.aliases.get(without_counter(key)))
            .copied()
    }

    /// Map a header row. The source-key column is found by its own aliases
    /// first; several columns may map to one field (their values are joined).
    pub fn map(&self, headers: &[String]) -> Mapping {
        let keys: Vec<String> = headers.iter().map(|h| header_key(h)).collect();
        let source_key = self
            .source_key
            .iter()
            .find_map(|k| keys.iter().position(|h| h == k));
        let kind_column = self
            .kind_columns
            .iter()
            .find_map(|k| keys.iter().position(|h| h == k));
        let (fields, ranks) = keys
            .iter()
            .enumerate()
            .map(|(i, k)| {
                if Some(i) == source_key {
                    (Some(Field::SourceKey), 0)
                } else if Some(i) == kind_column {
                    (Some(Field::Kind), 0)
                } else {
                    self.field_of(k).map_or((None, 0), |(f, r)| (Some(f), r))
                }
            })
            .unzip();
        let key_field = source_key
            .and_then(|i| self.field_of(&keys[i]))
            .map(|(f, _)| f);
        Mapping {
            profile: self.name.clone(),
            fields,
            ranks,
            source_key,
            key_field,
            kind_column,
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
                self.field_of(k).is_some()
                    || self.source_key.contains(k)
                    || self.kind_columns.contains(k)
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
        self.known_headers.extend(profile.aliases.keys().cloned());
        self.known_headers
            .extend(profile.source_key.iter().cloned());
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
        !k.is_empty()
            && (self.known_headers.contains(&k) || self.known_headers.contains(without_counter(&k)))
    }

    /// Profiles by fit, best first; ties broken by name so the choice is stable.
    pub fn rank(&self, headers: &[String]) -> Vec<Ranked> {
        let mut ranked: Vec<Ranked> = self
            .profiles
            .iter()
            .map(|p| Ranked {
                profile: p.name.clone(),
                score: p.score(headers),
            })
            .collect();
        ranked.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
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
    fn builtin_profiles_load() {
        let set = ProfileSet::builtin().unwrap();
        assert!(set.names().count() == set.profiles.len());
    }
}
