//! Comparison: each party is prepared once into a compact [`Rec`] (hashed
//! identifiers, folded keys), then every candidate pair is compared field by
//! field into a small vector of levels.
//!
//! What is compared, and the levels of each field, are data:
//! `data/comparisons.toml` (a [`CompareConfig`]). The code here is the set of
//! [`Comparator`]s a row of that table can name. Level 0 of every field means
//! "missing on one side" and weighs nothing.

use crate::model::{Field, FormPosition, Kind, Party, PhoneType, TaxIdKind};
use crate::normalize::{address, text};
use rapidfuzz::fuzz;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// Most compared fields a table may have.
pub const MAX_FIELDS: usize = 16;
/// Most term-frequency values a record carries (a person name takes three:
/// the full name, the family name, the given name).
pub const MAX_TF: usize = 8;

/// The comparison vector of one pair: one level per field of the table.
pub type Levels = [u8; MAX_FIELDS];

/// The code that compares two records on one field; it fixes the field's levels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparator {
    /// exact · same tokens · fuzzy high · fuzzy medium · fuzzy low (or token subset) · different
    OrgName,
    /// exact · given/family swapped · both parts ≥ · both parts ≥ · family equal ·
    /// given equal · whole name ≥ · different
    PersonName,
    /// same · different (the form and its position: 前株 vs 後株)
    LegalForm,
    /// equal (verified) · equal (unverified) · one edit · different (unverified) ·
    /// different (both verified, one kind)
    TaxId,
    /// equal · local number equal · different
    Phone,
    /// equal · equal role mailbox · different
    Email,
    /// equal · different
    Domain,
    /// exact · fuzzy ≥ · fuzzy ≥ · house number one edit apart · same street,
    /// other house number (persons only: the street alone fuzzy ≥ the first
    /// threshold) · different (token-wise)
    Address,
    /// equal · one edit · different
    PostalCode,
    /// equal (or contained at a word seam) · fuzzy ≥ · different
    City,
    /// equal (or one a shortening of the other) · different
    Employer,
    /// exact · one typo or day/month swapped · same year · different (`source` field)
    Date,
    /// equal · one edit · different (`source` field)
    Identifier,
    /// equal · different (`source` field, folded)
    Exact,
}

impl Comparator {
    /// How many levels (besides "missing") the comparator produces.
    pub fn level_count(self) -> usize {
        match self {
            Comparator::OrgName => 6,
            Comparator::PersonName => 8,
            Comparator::Address => 6,
            Comparator::TaxId => 5,
            Comparator::Date => 4,
            Comparator::Phone
            | Comparator::Email
            | Comparator::PostalCode
            | Comparator::City
            | Comparator::Identifier => 3,
            Comparator::LegalForm
            | Comparator::Domain
            | Comparator::Employer
            | Comparator::Exact => 2,
        }
    }

    /// Comparators that read the table row's `source` field.
    pub fn is_generic(self) -> bool {
        matches!(
            self,
            Comparator::Date | Comparator::Identifier | Comparator::Exact
        )
    }
}

/// One level of a field, as the table gives it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LevelSpec {
    pub label: String,
    /// Similarity threshold, for the levels that have one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f32>,
    /// Default P(level | match) and P(level | non-match).
    pub m: f64,
    pub u: f64,
    /// m stays at its default (conflicting verified identifiers).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub fixed: bool,
}

/// One compared field: a row of the table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldSpec {
    pub name: String,
    pub comparator: Comparator,
    pub kinds: Vec<Kind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Field>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub tf: bool,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub tf_fuzzy: f64,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub block: bool,
    /// Not compared when another field says the same thing already (a city
    /// when the postal code agrees): fields → levels, any of them holding.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub skip_if: BTreeMap<String, Vec<String>>,
    pub levels: Vec<LevelSpec>,
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

/// A condition on a pair's levels: every named field at one of the named levels.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RuleSpec {
    pub kinds: Vec<Kind>,
    pub when: BTreeMap<String, Vec<String>>,
    /// Sessions only: fields whose u, for the pairs meeting `when`, is the
    /// session's own (among its non-matches) rather than the random pairs':
    /// fields that go together with the blocked ones for non-matches too
    /// (a chain's sites share its phone and its name).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditional: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LambdaSpec {
    /// Share of the true pairs the deterministic rules are assumed to find.
    /// None (the default): the model's own estimate, P(some rule holds |
    /// match) from the estimated m of the rules' levels — a fixed guess is
    /// off by the factor the rules' reach varies between data sets (a file
    /// without e-mails or with 7-digit phones reaches few of its matches).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assumed_recall: Option<f64>,
}

/// The comparison table (`data/comparisons.toml`): fields and their levels,
/// the deterministic rules that estimate λ, and the EM training sessions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompareConfig {
    #[serde(rename = "field")]
    pub fields: Vec<FieldSpec>,
    #[serde(default)]
    pub lambda: LambdaSpec,
    #[serde(rename = "rule", default)]
    pub rules: Vec<RuleSpec>,
    #[serde(rename = "session", default)]
    pub sessions: Vec<RuleSpec>,
}

static DEFAULT_TABLE: LazyLock<CompareConfig> = LazyLock::new(|| {
    toml::from_str(include_str!("../../data/comparisons.toml"))
        .expect("data/comparisons.toml is valid (tested)")
});

static DEFAULT_COMPARISONS: LazyLock<Comparisons> = LazyLock::new(|| {
    Comparisons::new(&DEFAULT_TABLE).expect("data/comparisons.toml is consistent (tested)")
});

impl Default for CompareConfig {
    fn default() -> Self {
        DEFAULT_TABLE.clone()
    }
}

/// A table that does not hold together (a level count, a name in a rule).
#[derive(Debug, thiserror::Error)]
#[error("comparison table: {0}")]
pub struct TableError(String);

/// A [`RuleSpec`] resolved to field indices and level bit masks.
#[derive(Clone, Debug)]
pub struct Condition {
    kinds: u8,
    when: Vec<(usize, u16)>,
    /// See [`RuleSpec::conditional`].
    pub conditional: Vec<usize>,
}

impl Condition {
    pub fn applies_to(&self, kind: Kind) -> bool {
        self.kinds & kind_bit(kind) != 0
    }

    pub fn holds(&self, levels: &Levels) -> bool {
        self.when
            .iter()
            .all(|&(f, mask)| mask & (1u16 << levels[f]) != 0)
    }

    /// The fields the condition looks at.
    pub fn fields(&self) -> impl Iterator<Item = usize> + '_ {
        self.when.iter().map(|w| w.0)
    }

    /// The levels of field `f` that satisfy the condition (bit per level).
    pub fn mask(&self, f: usize) -> Option<u16> {
        self.when.iter().find(|w| w.0 == f).map(|w| w.1)
    }
}

fn kind_bit(k: Kind) -> u8 {
    match k {
        Kind::Organization => 1,
        Kind::Person => 2,
        Kind::SoleProprietor => 4,
    }
}

/// Term-frequency values a field's comparator uses (person names: full,
/// family, given).
fn tf_width(c: Comparator) -> usize {
    if c == Comparator::PersonName { 3 } else { 1 }
}

/// The table compiled for the hot loops: kind masks, term-frequency and
/// generic-value slots, rules as bit masks.
#[derive(Clone, Debug)]
pub struct Comparisons {
    pub spec: CompareConfig,
    kinds: Vec<u8>,
    tf_slot: Vec<Option<usize>>,
    /// Fuzzy thresholds of each field, by level (0 where none).
    mins: Vec<[f32; 10]>,
    pub rules: Vec<Condition>,
    pub sessions: Vec<Condition>,
    /// Per field: the conditions (any one) under which it is not compared.
    skips: Vec<Vec<(usize, u16)>>,
}

impl Comparisons {
    pub fn new(spec: &CompareConfig) -> Result<Comparisons, TableError> {
        if spec.fields.len() > MAX_FIELDS {
            return Err(TableError(format!(
                "{} fields, at most {MAX_FIELDS}",
                spec.fields.len()
            )));
        }
        let mut tf_slot = Vec::new();
        let mut next_tf = 0;
        let mut mins = Vec::new();
        for f in &spec.fields {
            if f.levels.len() != f.comparator.level_count() {
                return Err(TableError(format!(
                    "field `{}`: comparator {:?} has {} levels, the table lists {}",
                    f.name,
                    f.comparator,
                    f.comparator.level_count(),
                    f.levels.len()
                )));
            }
            if f.comparator.is_generic() && f.source.is_none() {
                return Err(TableError(format!(
                    "field `{}`: comparator {:?} needs a `source` field",
                    f.name, f.comparator
                )));
            }
            if f.tf {
                let width = tf_width(f.comparator);
                if next_tf + width > MAX_TF {
                    return Err(TableError(format!(
                        "too many fields with `tf` (at most {MAX_TF} values)"
                    )));
                }
                tf_slot.push(Some(next_tf));
                next_tf += width;
            } else {
                tf_slot.push(None);
            }
            let mut m = [0f32; 10];
            for (i, l) in f.levels.iter().enumerate() {
                m[i + 1] = l.min.unwrap_or(0.0);
            }
            mins.push(m);
        }
        let resolve_when =
            |when_spec: &BTreeMap<String, Vec<String>>| -> Result<Vec<(usize, u16)>, TableError> {
                let mut when = Vec::new();
                for (name, labels) in when_spec {
                    let fi = spec
                        .fields
                        .iter()
                        .position(|f| &f.name == name)
                        .ok_or_else(|| {
                            TableError(format!("a rule names unknown field `{name}`"))
                        })?;
                    let mut mask = 0u16;
                    for l in labels {
                        let li = spec.fields[fi]
                            .levels
                            .iter()
                            .position(|x| &x.label == l)
                            .ok_or_else(|| {
                                TableError(format!("field `{name}` has no level `{l}`"))
                            })?;
                        mask |= 1 << (li + 1);
                    }
                    when.push((fi, mask));
                }
                Ok(when)
            };
        let resolve = |r: &RuleSpec| -> Result<Condition, TableError> {
            let conditional = r
                .conditional
                .iter()
                .map(|name| {
                    spec.fields
                        .iter()
                        .position(|f| &f.name == name)
                        .ok_or_else(|| {
                            TableError(format!("a session names unknown field `{name}`"))
                        })
                })
                .collect::<Result<_, _>>()?;
            Ok(Condition {
                kinds: r.kinds.iter().map(|&k| kind_bit(k)).fold(0, |a, b| a | b),
                when: resolve_when(&r.when)?,
                conditional,
            })
        };
        let skips = spec
            .fields
            .iter()
            .map(|f| resolve_when(&f.skip_if))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Comparisons {
            kinds: spec
                .fields
                .iter()
                .map(|f| f.kinds.iter().map(|&k| kind_bit(k)).fold(0, |a, b| a | b))
                .collect(),
            tf_slot,
            mins,
            rules: spec.rules.iter().map(resolve).collect::<Result<_, _>>()?,
            sessions: spec
                .sessions
                .iter()
                .map(resolve)
                .collect::<Result<_, _>>()?,
            skips,
            spec: spec.clone(),
        })
    }

    /// The table in `data/comparisons.toml`.
    pub fn builtin() -> &'static Comparisons {
        &DEFAULT_COMPARISONS
    }

    pub fn len(&self) -> usize {
        self.spec.fields.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spec.fields.is_empty()
    }

    pub fn field(&self, f: usize) -> &FieldSpec {
        &self.spec.fields[f]
    }

    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.spec.fields.iter().position(|f| f.name == name)
    }

    pub fn applies(&self, f: usize, kind: Kind) -> bool {
        self.kinds[f] & kind_bit(kind) != 0
    }

    pub fn tf_slot(&self, f: usize) -> Option<usize> {
        self.tf_slot[f]
    }

    /// Level label (0 = "missing").
    pub fn label(&self, f: usize, level: u8) -> &str {
        match level {
            0 => "missing",
            l => self.spec.fields[f]
                .levels
                .get(l as usize - 1)
                .map_or("?", |x| x.label.as_str()),
        }
    }

    #[inline]
    fn min(&self, f: usize, level: usize) -> f32 {
        self.mins[f][level]
    }
}

/// A deterministic 64-bit hash (not DoS resistant; used for keys only).
pub fn hash64(tag: u8, bytes: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h: u64 = (tag as u64 + 1).wrapping_mul(K) ^ (bytes.len() as u64);
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let v = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        h = (h ^ v).wrapping_mul(K).rotate_left(29);
    }
    let mut last = 0u64;
    for (i, b) in chunks.remainder().iter().enumerate() {
        last |= (*b as u64) << (8 * i);
    }
    h = (h ^ last).wrapping_mul(K);
    mix64(h)
}

/// splitmix64 finalizer.
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Cities agree when equal or when one is the other with more around it
/// (`г москва` / `москва`, `chicago il` / `chicago`, `東京都千代田区` / `千代田区`).
pub fn same_city(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.chars().count() < 2 {
        return false;
    }
    // The part around must be split off by a space, or both sides of the
    // seam be CJK (no spaces there: 東京都|千代田区).
    let cjk = |c: char| c as u32 >= 0x3000;
    let seam = |outside: Option<char>, inside: Option<char>| match (outside, inside) {
        (Some(o), Some(i)) => o == ' ' || (cjk(o) && cjk(i)),
        _ => false,
    };
    if let Some(rest) = long.strip_suffix(short) {
        return seam(rest.chars().next_back(), short.chars().next());
    }
    if let Some(rest) = long.strip_prefix(short) {
        return seam(rest.chars().next(), short.chars().next_back());
    }
    false
}

/// One phone of a prepared record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PhoneKey {
    /// Hash of the E.164 form, when there is one.
    pub e164: Option<u64>,
    /// The last 7 digits as a number (local numbers written without area code).
    pub last7: Option<u32>,
}

/// A party prepared for blocking and comparison: folded keys and hashed identifiers.
#[derive(Clone, Debug, Default)]
pub struct Rec {
    pub kind: Kind,
    /// The text fields, read through the methods below.
    text: Texts,
    pub name_ascii: bool,
    /// Characters in the name (saturating).
    pub name_chars: u16,
    /// The sorted tokens differ from the name.
    pub name_reordered: bool,
    /// Characters of the name counted in 32 hashed buckets: the sum of the
    /// smaller counts bounds the characters two names can have in common
    /// (see [`name_similarity`]).
    pub name_bag: [u8; 32],
    /// Hash of legal form + position.
    pub form: Option<u64>,
    // Boxed slices, not vectors: a vector built by pushing keeps room for
    // four keys, and at a million records that spare room was a fifth of
    // the match's memory.
    pub tax: Box<[TaxKey]>,
    pub phones: Box<[PhoneKey]>,
    /// (hash of address, role account)
    pub emails: Box<[(u64, bool)]>,
    /// Hashes of the website and non-free e-mail domains, sorted.
    pub domains: Box<[u64]>,
    /// Values of the generic comparators: (field index, value).
    pub generic: Box<[(u8, Box<str>)]>,
    /// Frequency of this record's value in each term-frequency field, among
    /// the records of its kind (0 = no value); see [`set_term_frequencies`].
    pub tf: [f32; MAX_TF],
}

/// A record's text fields in one allocation. As ten `String`s they were ten
/// small allocations made among each page of parties, and at a million
/// records the pages they kept alive cost more memory than the records.
#[derive(Clone, Debug, Default)]
struct Texts {
    all: Box<str>,
    /// Where each field ends in `all`.
    ends: [u32; TEXT_FIELDS],
}

const TEXT_FIELDS: usize = 10;

impl Texts {
    fn new(fields: [&str; TEXT_FIELDS]) -> Self {
        let mut all = String::with_capacity(fields.iter().map(|f| f.len()).sum());
        let mut ends = [0u32; TEXT_FIELDS];
        for (end, f) in ends.iter_mut().zip(fields) {
            all.push_str(f);
            *end = u32::try_from(all.len()).unwrap_or(u32::MAX);
        }
        Texts {
            all: all.into_boxed_str(),
            ends,
        }
    }

    fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        self.all.get(start..self.ends[i] as usize).unwrap_or("")
    }
}

impl Rec {
    /// Legal-form-free, transliterated, folded name.
    pub fn name(&self) -> &str {
        self.text.get(0)
    }
    /// The name's tokens sorted and joined by one space.
    pub fn name_sorted(&self) -> &str {
        // Kept only when it differs: most names are already in order.
        if self.name_reordered {
            self.text.get(1)
        } else {
            self.name()
        }
    }
    /// A person's family name, keyed like the name (empty when the name was
    /// not split).
    pub fn family(&self) -> &str {
        self.text.get(2)
    }
    /// A person's given name, as [`Rec::family`].
    pub fn given(&self) -> &str {
        self.text.get(3)
    }
    pub fn addr(&self) -> &str {
        self.text.get(4)
    }
    /// The first number in the address (house number).
    pub fn house(&self) -> &str {
        self.text.get(5)
    }
    /// Postal code: letters and digits, lower case.
    pub fn postal(&self) -> &str {
        self.text.get(6)
    }
    /// Folded city ("г москва", "東京都千代田区"); see [`same_city`].
    pub fn city(&self) -> &str {
        self.text.get(7)
    }
    /// Persons: the employer's name key (legal form removed, transliterated).
    pub fn employer(&self) -> &str {
        self.text.get(8)
    }
    /// The Japanese reading (フリガナ) as a Latin key, so 山田 太郎 meets Yamada Taro.
    pub fn name_alt(&self) -> &str {
        self.text.get(9)
    }
}

impl Rec {
    /// The value of a generic field.
    pub fn generic(&self, f: usize) -> Option<&str> {
        self.generic
            .iter()
            .find(|g| g.0 as usize == f)
            .map(|g| &*g.1)
    }
}

/// One tax ID of a prepared record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TaxKey {
    pub kind: TaxIdKind,
    /// Hash of the normalized value.
    pub hash: u64,
    /// The checksum holds.
    pub valid: bool,
    /// The value's digits as a number and how many there are (0 when it
    /// has fewer than 5 or more than 18 digits, or looks like a
    /// placeholder such as `0000000000`). The same digits are the same
    /// identifier whichever kind the normalizer read them as (a 法人番号 in
    /// a Russian-region file reads as an unverified ОГРН).
    pub digits: u64,
    pub len: u8,
}

impl TaxKey {
    fn new(kind: TaxIdKind, normalized: &str, valid: bool) -> TaxKey {
        let d: Vec<u8> = normalized
            .bytes()
            .filter(u8::is_ascii_digit)
            .map(|b| b - b'0')
            .collect();
        let mut distinct = [false; 10];
        for &x in &d {
            distinct[x as usize] = true;
        }
        let varied = distinct.iter().filter(|&&x| x).count() >= 4;
        let (digits, len) = if (5..=18).contains(&d.len()) && varied {
            (
                d.iter().fold(0u64, |n, &x| n * 10 + x as u64),
                d.len() as u8,
            )
        } else {
            (0, 0)
        };
        TaxKey {
            kind,
            hash: hash64(T_TAX, normalized.as_bytes()),
            valid,
            digits,
            len,
        }
    }

    /// The same identifier: same kind and value, or the same digits.
    pub fn same(&self, o: &TaxKey) -> bool {
        (self.kind == o.kind && self.hash == o.hash)
            || (self.len > 0 && self.len == o.len && self.digits == o.digits)
    }

    /// Two values that can be told apart: of one kind, or of one digit count
    /// (the same number read under another label or region).
    fn comparable(&self, o: &TaxKey) -> bool {
        self.kind == o.kind || (self.len > 0 && self.len == o.len)
    }

    fn digit_vec(&self) -> ([u8; 18], usize) {
        let mut out = [0u8; 18];
        let mut x = self.digits;
        for i in (0..self.len as usize).rev() {
            out[i] = (x % 10) as u8;
            x /= 10;
        }
        (out, self.len as usize)
    }

    /// One substitution, adjacent transposition, insertion or deletion apart.
    pub fn one_edit(&self, o: &TaxKey) -> bool {
        if self.len == 0 || o.len == 0 {
            return false;
        }
        let (a, la) = self.digit_vec();
        let (b, lb) = o.digit_vec();
        one_edit_apart(&a[..la], &b[..lb])
    }
}

/// Damerau–Levenshtein distance ≤ 1 (and not equal).
pub fn one_edit_apart<T: PartialEq>(a: &[T], b: &[T]) -> bool {
    let (la, lb) = (a.len(), b.len());
    if la == lb {
        let diff: Vec<usize> = (0..la).filter(|&i| a[i] != b[i]).take(3).collect();
        return match diff.as_slice() {
            [_] => true,
            [i, j] => *j == i + 1 && a[*i] == b[*j] && a[*j] == b[*i],
            _ => false,
        };
    }
    let (short, long) = if la < lb { (a, b) } else { (b, a) };
    if long.len() != short.len() + 1 {
        return false;
    }
    let p = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    short[p..] == long[p + 1..]
}

const T_FORM: u8 = 1;
const T_TAX: u8 = 2;
const T_E164: u8 = 3;
const T_EMAIL: u8 = 4;
const T_DOMAIN: u8 = 5;
const T_TF: u8 = 8;

fn simple_fold(s: &str) -> String {
    let f = text::fold(s);
    let cleaned: String = f
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    text::collapse_ws(&cleaned)
}

/// A name part keyed like the whole name (case, script, Latin spelling variants).
fn part_key(s: &str) -> String {
    let mut key = String::with_capacity(s.len());
    crate::normalize::org::push_match_key(s, &mut key);
    crate::normalize::translit::latin_key(&key)
}

pub(crate) fn sorted_tokens(s: &str) -> String {
    let mut t: Vec<&str> = s.split_whitespace().collect();
    t.sort_unstable();
    t.dedup();
    t.join(" ")
}

/// The value a generic comparator reads, prepared for it.
fn generic_value(c: Comparator, raw: &str) -> Option<String> {
    let v = match c {
        Comparator::Date => crate::normalize::date::normalize_date(raw)?,
        Comparator::Identifier => raw
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect(),
        _ => simple_fold(raw),
    };
    (!v.is_empty()).then_some(v)
}

impl Rec {
    /// Prepare one party for the built-in comparison table.
    pub fn prepare(p: &Party) -> Rec {
        Rec::prepare_with(p, Comparisons::builtin())
    }

    /// Prepare one party. Uses the normalized fields; falls back to a simple
    /// folding of the raw value where a match key is empty.
    pub fn prepare_with(p: &Party, cmp: &Comparisons) -> Rec {
        let name = match (&p.org, &p.person) {
            (Some(o), _) if !o.match_key.is_empty() => o.match_key.clone(),
            (Some(o), _) if !o.name.is_empty() => simple_fold(&o.name),
            (Some(o), _) => simple_fold(&o.input),
            (None, Some(n)) if !n.match_key.is_empty() => n.match_key.clone(),
            (None, Some(n)) => simple_fold(&format!("{} {} {}", n.family, n.given, n.middle)),
            (None, None) => String::new(),
        };
        let (family, given) = match (&p.org, &p.person) {
            (None, Some(n)) => (part_key(&n.family), part_key(&n.given)),
            _ => Default::default(),
        };
        let name_sorted = sorted_tokens(&name);
        let form = p.org.as_ref().and_then(|o| {
            let f = o.legal_form.as_deref()?;
            let pos = match o.form_position {
                Some(FormPosition::Prefix) => "<",
                Some(FormPosition::Suffix) => ">",
                None => "",
            };
            Some(hash64(T_FORM, format!("{}{pos}", text::fold(f)).as_bytes()))
        });
        let mut tax: Vec<TaxKey> = p
            .tax_ids
            .iter()
            .filter(|t| !t.normalized.is_empty())
            .map(|t| TaxKey::new(t.kind, &t.normalized, t.valid))
            .collect();
        tax.sort_unstable_by_key(|t| (t.kind, t.hash, !t.valid));
        tax.dedup_by_key(|t| (t.kind, t.hash));
        let person = p.kind == Kind::Person;
        let mut phones: Vec<PhoneKey> = p
            .phones
            .iter()
            // An office line without an extension is the whole company's: it
            // says nothing about which person a card is.
            .filter(|ph| !(person && ph.extension.is_none() && is_shared_line(ph.phone_type)))
            .filter_map(|ph| {
                let e164 = ph.e164.as_deref().filter(|e| !e.is_empty());
                let digits: String = match e164 {
                    Some(e) => e.chars().filter(char::is_ascii_digit).collect(),
                    None => ph.digits.chars().filter(char::is_ascii_digit).collect(),
                };
                let last7 = if digits.len() >= 7 {
                    digits[digits.len() - 7..].parse::<u32>().ok()
                } else {
                    None
                };
                // A person's extension is part of their number.
                let e164 = e164.map(|e| match (&ph.extension, person) {
                    (Some(x), true) => hash64(T_E164, format!("{e}x{x}").as_bytes()),
                    _ => hash64(T_E164, e.as_bytes()),
                });
                let last7 = if person && ph.extension.is_some() {
                    None
                } else {
                    last7
                };
                (e164.is_some() || last7.is_some()).then_some(PhoneKey { e164, last7 })
            })
            .collect();
        phones.sort_unstable_by_key(|k| (k.e164, k.last7));
        phones.dedup();
        let mut emails: Vec<(u64, bool)> = p
            .emails
            .iter()
            .filter_map(|e| {
                e.address
                    .as_deref()
                    .map(|a| (hash64(T_EMAIL, a.to_lowercase().as_bytes()), e.role_account))
            })
            .collect();
        emails.sort_unstable();
        emails.dedup_by_key(|e| e.0);
        let mut domains: Vec<u64> = p
            .website
            .iter()
            .map(String::as_str)
            .chain(
                p.emails
                    .iter()
                    .filter(|e| !e.free_mail)
                    .filter_map(|e| e.domain()),
            )
            .filter(|d| !d.is_empty())
            .map(|d| hash64(T_DOMAIN, d.to_lowercase().as_bytes()))
            .collect();
        domains.sort_unstable();
        domains.dedup();
        // The street line where the source has one: a full address assembled
        // from the parts repeats the city and postal code, which are
        // compared (and weighed) on their own.
        // (An address the normalizer assembled from the city, region and
        // postal code alone is not compared as an address either.)
        let addr = match p.address.street.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(street) => address::address_key(street),
            None => match p.original(Field::Address).filter(|s| !s.trim().is_empty()) {
                Some(_) if !p.address.match_key.is_empty() => p.address.match_key.clone(),
                Some(full) => address::address_key(full),
                None => String::new(),
            },
        };
        let house = addr
            .split_whitespace()
            .find(|t| t.starts_with(|c: char| c.is_ascii_digit()))
            .unwrap_or("")
            .to_string();
        let postal: String = p
            .address
            .postal_code
            .as_deref()
            .unwrap_or("")
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        let generic = cmp
            .spec
            .fields
            .iter()
            .enumerate()
            .filter(|(fi, f)| f.comparator.is_generic() && cmp.applies(*fi, p.kind))
            .filter_map(|(fi, f)| {
                let raw = match f.source? {
                    Field::Region => p.address.region.as_deref().or(p.original(Field::Region)),
                    Field::City => p.address.city.as_deref(),
                    Field::PostalCode => p.address.postal_code.as_deref(),
                    other => p.original(other),
                }?;
                generic_value(f.comparator, raw).map(|v| (fi as u8, v.into_boxed_str()))
            })
            .collect();
        let city = p
            .address
            .city
            .as_deref()
            .map(simple_fold)
            .unwrap_or_default();
        let name_alt = p
            .person
            .as_ref()
            .and_then(|n| n.reading.as_deref())
            .or_else(|| p.original(Field::NameReading))
            .and_then(crate::normalize::translit::reading_key)
            .unwrap_or_default();
        let employer = (p.kind == Kind::Person)
            .then(|| p.original(Field::OrganizationRef))
            .flatten()
            .map(|t| crate::normalize::org::normalize_org_name(t).match_key)
            .unwrap_or_default();
        Rec {
            kind: p.kind,
            name_ascii: name.is_ascii(),
            name_chars: name.chars().count().min(u16::MAX as usize) as u16,
            name_reordered: name_sorted != name,
            name_bag: char_bag(&name),
            text: Texts::new([
                &name,
                if name_sorted != name {
                    &name_sorted
                } else {
                    ""
                },
                &family,
                &given,
                &addr,
                &house,
                &postal,
                &city,
                &employer,
                &name_alt,
            ]),
            form,
            tax: tax.into_boxed_slice(),
            phones: phones.into_boxed_slice(),
            emails: emails.into_boxed_slice(),
            domains: domains.into_boxed_slice(),
            generic,
            tf: [0.0; MAX_TF],
        }
    }
}

/// The record's value of field `f` as `--explain` shows it.
pub fn display_value(r: &Rec, f: usize, cmp: &Comparisons) -> Option<String> {
    text_value(r, f, cmp).map(str::to_string)
}

/// The record's text value of field `f` for the comparators that compare
/// one text value (names, address, postal code, city, employer, generic).
fn text_value<'a>(r: &'a Rec, f: usize, cmp: &Comparisons) -> Option<&'a str> {
    let v: &str = match cmp.field(f).comparator {
        Comparator::OrgName | Comparator::PersonName => r.name(),
        Comparator::Address => r.addr(),
        Comparator::PostalCode => r.postal(),
        Comparator::City => r.city(),
        Comparator::Employer => r.employer(),
        Comparator::Date | Comparator::Identifier | Comparator::Exact => r.generic(f)?,
        _ => return None,
    };
    (!v.is_empty()).then_some(v)
}

/// Fewest records with a value in a field for its term frequencies to count.
pub const MIN_TF_RECORDS: u64 = 100;

/// The value a term-frequency field counts (`part` 1 and 2 of a person
/// name: the family and the given name), hashed; None: no value.
fn tf_value(r: &Rec, f: usize, part: usize, cmp: &Comparisons) -> Option<u64> {
    let v: &str = match (cmp.field(f).comparator, part) {
        (Comparator::PersonName, 1) => r.family(),
        (Comparator::PersonName, 2) => r.given(),
        // A phone by its local number (the last 7 digits): the office line a
        // chain's sites share is a common value.
        (Comparator::Phone, _) => {
            let l = r.phones.first()?.last7?;
            return Some(hash64(T_TF.wrapping_add((f * 3) as u8), &l.to_le_bytes()));
        }
        _ => text_value(r, f, cmp)?,
    };
    let tag = T_TF.wrapping_add((f * 3 + part) as u8);
    (!v.is_empty()).then(|| hash64(tag, v.as_bytes()))
}

/// Fill each record's term frequencies: the share of the records of its kind
/// (with a value in that field) that have the same value. Computed on the
/// data being matched, as Splink does; duplicates inflate it a little.
pub fn set_term_frequencies(recs: &mut [Rec], cmp: &Comparisons) {
    use rayon::prelude::*;
    for (f, part) in
        (0..cmp.len()).flat_map(|f| (0..tf_width(cmp.field(f).comparator)).map(move |p| (f, p)))
    {
        let Some(slot) = cmp.tf_slot(f).map(|s| s + part) else {
            continue;
        };
        let counts: text::FastMap<(Kind, u64), u32> = recs
            .par_iter()
            .fold(text::FastMap::default, |mut m, r| {
                if let Some(h) = tf_value(r, f, part, cmp) {
                    *m.entry((r.kind, h)).or_insert(0) += 1;
                }
                m
            })
            .reduce(text::FastMap::default, |mut a, b| {
                for (k, v) in b {
                    *a.entry(k).or_insert(0) += v;
                }
                a
            });
        let mut totals: text::FastMap<Kind, u64> = text::FastMap::default();
        for ((k, _), c) in &counts {
            *totals.entry(*k).or_insert(0) += u64::from(*c);
        }
        recs.par_iter_mut().for_each(|r| {
            r.tf[slot] = match tf_value(r, f, part, cmp) {
                // Shares counted on a handful of records are noise: in a file
                // of six every value is "one in six".
                Some(h) if totals[&r.kind] >= MIN_TF_RECORDS => {
                    counts[&(r.kind, h)] as f32 / totals[&r.kind] as f32
                }
                _ => 0.0,
            };
        });
    }
}

/// Best similarity of a reading key with the other side's name or reading,
/// in either word order and without spaces (readings are often unspaced); 0 without one.
fn reading_similarity(a: &Rec, b: &Rec) -> f32 {
    if a.name_alt().is_empty() && b.name_alt().is_empty() {
        return 0.0;
    }
    let pairs = [
        (&a.name_alt(), &b.name()),
        (&a.name(), &b.name_alt()),
        (&a.name_alt(), &b.name_alt()),
    ];
    let mut best = 0.0f32;
    for (x, y) in pairs {
        if x.is_empty() || y.is_empty() {
            continue;
        }
        // Indel, not Jaro-Winkler: the shared family name at the front would
        // make 山田 太郎 and 山田 花子 look alike.
        let ascii = x.is_ascii() && y.is_ascii();
        best = best.max(indel(&sorted_tokens(x), &sorted_tokens(y), ascii, 0.0));
        best = best.max(indel(&x.replace(' ', ""), &y.replace(' ', ""), ascii, 0.0));
    }
    best
}

/// "acme" and "acme widgets" name one employer: people shorten company names
/// from the end, word by word.
fn same_employer(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    long == short
        || long
            .strip_prefix(short)
            .is_some_and(|rest| rest.starts_with(' '))
}

/// Lines a whole office shares: fixed, toll-free, universal access numbers.
fn is_shared_line(t: PhoneType) -> bool {
    matches!(
        t,
        PhoneType::FixedLine | PhoneType::TollFree | PhoneType::Uan | PhoneType::SharedCost
    )
}

/// Jaro-Winkler; with a cutoff, values below it come back as 0.
fn jw(a: &str, b: &str, cutoff: f32) -> f32 {
    let s = super::jaro::jaro_winkler(a, b) as f32;
    if s < cutoff { 0.0 } else { s }
}

/// Indel ratio (normalized InDel similarity); below the cutoff → 0.
fn indel(a: &str, b: &str, ascii: bool, cutoff: f32) -> f32 {
    let args = fuzz::Args::default().score_cutoff(cutoff as f64);
    let r = if ascii {
        fuzz::ratio_with_args(a.bytes(), b.bytes(), &args)
    } else {
        fuzz::ratio_with_args(a.chars(), b.chars(), &args)
    };
    r.unwrap_or(0.0) as f32
}

/// Whether every token of the shorter sorted-token string occurs in the longer
/// one, and the shared tokens carry at least 2 tokens or 8 characters.
fn token_subset(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let mut n = 0;
    let mut chars = 0;
    for t in short.split(' ') {
        if !long.split(' ').any(|u| u == t) {
            return false;
        }
        n += 1;
        chars += t.len();
    }
    n >= 2 || chars >= 8
}

fn char_bag(s: &str) -> [u8; 32] {
    let mut bag = [0u8; 32];
    for c in s.chars() {
        let b = &mut bag[((c as u32).wrapping_mul(0x9E37_79B1) >> 27) as usize];
        *b = b.saturating_add(1);
    }
    bag
}

/// An upper bound of [`name_similarity`] from the character bags: the indel
/// ratio is 2·LCS/(|a|+|b|) and LCS ≤ the characters in common; Jaro ≤
/// (m/|a| + m/|b| + 1)/3 with m ≤ the same, and Winkler adds at most 0.4·(1−Jaro).
/// `None` when the bound does not apply (a long name or repeated tokens).
fn name_similarity_bound(a: &Rec, b: &Rec) -> Option<f32> {
    // Counts never saturate below 255 characters; the sorted tokens are a
    // permutation of the name only when no token repeats (same length).
    let ok = |r: &Rec| r.name_chars < 255 && r.name_sorted().len() == r.name().len();
    if !ok(a) || !ok(b) {
        return None;
    }
    let common: u32 = a
        .name_bag
        .iter()
        .zip(&b.name_bag)
        .map(|(&x, &y)| u32::from(x.min(y)))
        .sum();
    let (m, la, lb) = (common as f32, a.name_chars as f32, b.name_chars as f32);
    let mut bound = 2.0 * m / (la + lb).max(1.0);
    if usize::from(a.name_chars) <= JW_MAX_LEN && usize::from(b.name_chars) <= JW_MAX_LEN {
        let j = ((m / la.max(1.0) + m / lb.max(1.0) + 1.0) / 3.0).min(1.0);
        bound = bound.max(j + 0.4 * (1.0 - j));
    }
    Some(bound)
}

/// Names up to this many characters also use Jaro-Winkler (for longer ones its
/// prefix bonus makes every "Chicago Commons …" branch look alike).
pub const JW_MAX_LEN: usize = 12;

/// Name similarity: max of the indel ratio of the keys, the indel ratio of the
/// sorted tokens and, for short names, Jaro-Winkler.
/// Values below `cutoff` may come back as 0 (faster).
pub fn name_similarity(a: &Rec, b: &Rec, cutoff: f32) -> f32 {
    if cutoff > 0.0
        && let Some(bound) = name_similarity_bound(a, b)
        && bound + 1e-4 < cutoff
    {
        return 0.0;
    }
    let ascii = a.name_ascii && b.name_ascii;
    let mut s = indel(a.name(), b.name(), ascii, cutoff);
    if a.name_reordered || b.name_reordered {
        s = s.max(indel(
            a.name_sorted(),
            b.name_sorted(),
            ascii,
            cutoff.max(s),
        ));
    }
    let short = |r: &Rec| usize::from(r.name_chars) <= JW_MAX_LEN;
    if short(a) && short(b) {
        s = s.max(jw(a.name(), b.name(), cutoff.max(s)));
    }
    s
}

/// Token-wise address similarity: each token's best Jaro-Winkler partner on
/// the other side, weighted by length, both ways ("pridham street" ~
/// "pridhamp street" even where the whole strings drift apart), and the
/// strings with their spaces removed ("pridhamstreet").
fn address_similarity(a: &str, b: &str, cutoff: f32) -> f32 {
    let mut s = jw(a, b, 0.0);
    // Far apart as wholes: token-wise cannot bring two unrelated addresses
    // above the cutoff (they would share no long token), so skip it (hot:
    // random pairs for u are mostly such).
    if s >= cutoff.max(0.97) || (cutoff > 0.0 && s < 0.6) {
        return s;
    }
    let spaces = |x: &str| x.bytes().filter(|&c| c == b' ').count();
    if spaces(a) != spaces(b) {
        s = s.max(super::jaro::jaro_winkler_unspaced(a, b) as f32);
    }
    // Each token's best partner on the other side, weighted by length, both
    // ways and averaged: one side may carry the city or an office number the
    // other leaves out. One similarity per token pair serves both ways.
    // Tokens past the 16th (notes run into an address line) are not weighed:
    // the whole-line similarity above still sees them.
    const TOKENS: usize = 16;
    let mut xs = [""; TOKENS];
    let mut ys = [""; TOKENS];
    let (mut nx, mut ny) = (0, 0);
    for t in a.split(' ').take(TOKENS) {
        xs[nx] = t;
        nx += 1;
    }
    for t in b.split(' ').take(TOKENS) {
        ys[ny] = t;
        ny += 1;
    }
    let mut best_x = [0.0f32; TOKENS];
    let mut best_y = [0.0f32; TOKENS];
    for (i, t) in xs[..nx].iter().enumerate() {
        for (j, u) in ys[..ny].iter().enumerate() {
            let sim = if t == u { 1.0 } else { jw(t, u, 0.0) };
            best_x[i] = best_x[i].max(sim);
            best_y[j] = best_y[j].max(sim);
        }
    }
    let weighted = |toks: &[&str], best: &[f32]| -> f32 {
        let (mut num, mut den) = (0.0f32, 0.0f32);
        for (t, b) in toks.iter().zip(best) {
            let w = t.chars().count() as f32;
            num += w * b;
            den += w;
        }
        if den > 0.0 { num / den } else { 0.0 }
    };
    let tokens = (weighted(&xs[..nx], &best_x[..nx]) + weighted(&ys[..ny], &best_y[..ny])) / 2.0;
    s.max(tokens)
}

/// `line` without its first `token` (the house number), spaces kept single.
fn without_token(line: &str, token: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut dropped = false;
    for t in line.split(' ') {
        if !dropped && t == token {
            dropped = true;
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(t);
    }
    out
}

/// Jaro-Winkler of two name parts; an initial ("j" or "j.") against a name
/// with that first letter counts as `initial`.
fn part_similarity(a: &str, b: &str, initial: f32) -> f32 {
    if a == b {
        return 1.0;
    }
    let is_initial = |s: &str| {
        let mut c = s.chars().filter(|&c| c != '.');
        c.next().is_some() && c.next().is_none()
    };
    if (is_initial(a) || is_initial(b)) && a.chars().next() == b.chars().next() {
        return initial;
    }
    jw(a, b, 0.0)
}

/// Compare one field; returns the level and, for fuzzy fields, the similarity.
pub fn compare_field(f: usize, a: &Rec, b: &Rec, cmp: &Comparisons) -> (u8, Option<f32>) {
    compare_field_with(f, a, b, cmp, false)
}

/// `fast`: similarities below the lowest fuzzy threshold are not computed
/// exactly (the level is the same; the reported similarity is then 0).
fn compare_field_with(
    f: usize,
    a: &Rec,
    b: &Rec,
    cmp: &Comparisons,
    fast: bool,
) -> (u8, Option<f32>) {
    if !cmp.applies(f, a.kind) || !cmp.applies(f, b.kind) {
        return (0, None);
    }
    let min = |level: usize| cmp.min(f, level);
    match cmp.field(f).comparator {
        Comparator::OrgName => {
            if a.name().is_empty() || b.name().is_empty() {
                return (0, None);
            }
            if a.name() == b.name() {
                return (1, Some(1.0));
            }
            if a.name_sorted() == b.name_sorted() {
                return (2, Some(1.0));
            }
            let (high, medium, low) = (min(3), min(4), min(5));
            let s = name_similarity(a, b, if fast { low } else { 0.0 });
            let level = if s >= high {
                3
            } else if s >= medium {
                4
            } else if s >= low || token_subset(a.name_sorted(), b.name_sorted()) {
                5
            } else {
                6
            };
            // A reading may say what a name in another script does not.
            let alt = reading_similarity(a, b);
            if alt > s && alt >= medium {
                return (if alt >= high { 3 } else { 4 }, Some(alt));
            }
            (level, Some(s))
        }
        Comparator::PersonName => compare_person_name(a, b, cmp, f, fast),
        Comparator::LegalForm => match (a.form, b.form) {
            (Some(x), Some(y)) => (if x == y { 1 } else { 2 }, None),
            _ => (0, None),
        },
        Comparator::TaxId => {
            // The best level over every pair of identifiers that can be compared.
            let mut level = 0u8;
            let mut better = |l: u8| {
                if level == 0 || l < level {
                    level = l;
                }
            };
            for ta in &a.tax {
                for tb in &b.tax {
                    if ta.same(tb) {
                        if ta.valid && tb.valid {
                            return (1, None);
                        }
                        better(2);
                    } else if !ta.comparable(tb) {
                    } else if ta.one_edit(tb) && !(ta.valid && tb.valid && ta.kind == tb.kind) {
                        better(3);
                    } else if ta.valid && tb.valid && ta.kind == tb.kind {
                        better(5);
                    } else {
                        better(4);
                    }
                }
            }
            (level, None)
        }
        Comparator::Phone => {
            if a.phones.is_empty() || b.phones.is_empty() {
                return (0, None);
            }
            let mut level = 3u8;
            for pa in &a.phones {
                for pb in &b.phones {
                    match (pa.e164, pb.e164) {
                        (Some(x), Some(y)) if x == y => return (1, None),
                        (Some(_), Some(_)) => {}
                        _ => {
                            if pa.last7.is_some() && pa.last7 == pb.last7 {
                                level = 2;
                            }
                        }
                    }
                }
            }
            (level, None)
        }
        Comparator::Email => {
            if a.emails.is_empty() || b.emails.is_empty() {
                return (0, None);
            }
            let mut level = 3u8;
            for &(ea, ra) in &a.emails {
                for &(eb, rb) in &b.emails {
                    if ea == eb {
                        if !(ra || rb) {
                            return (1, None);
                        }
                        level = 2;
                    }
                }
            }
            (level, None)
        }
        Comparator::Domain => {
            if a.domains.is_empty() || b.domains.is_empty() {
                return (0, None);
            }
            let shared = a.domains.iter().any(|d| b.domains.binary_search(d).is_ok());
            (if shared { 1 } else { 2 }, None)
        }
        Comparator::Address => {
            if a.addr().is_empty() || b.addr().is_empty() {
                return (0, None);
            }
            if a.addr() == b.addr() {
                return (1, Some(1.0));
            }
            // Different house numbers are different buildings, unless one is
            // a typo of the other (then at most "fuzzy medium").
            let houses = !a.house().is_empty() && !b.house().is_empty() && a.house() != b.house();
            let house_typo = houses && one_edit_apart(a.house().as_bytes(), b.house().as_bytes());
            let (high, medium) = (min(2), min(3));
            if houses && !house_typo {
                // A company's other house number is its other site (the
                // chain's branches share a phone and a name: counted as
                // near-agreement they merge). A person's is often a slip.
                if a.kind != Kind::Person || b.kind != Kind::Person {
                    return (6, None);
                }
                let (sa, sb) = (
                    without_token(a.addr(), a.house()),
                    without_token(b.addr(), b.house()),
                );
                // A street is a word: "21" / "135" and "д 5" / "д 12" leave
                // no street to agree on.
                let named = |x: &str| {
                    x.split(' ')
                        .any(|t| t.chars().filter(|c| c.is_alphabetic()).count() >= 3)
                };
                let street = address_similarity(&sa, &sb, if fast { high } else { 0.0 });
                // One side may add a second line ("hopkins st" / "hopkins st locn 3439").
                let same = named(&sa) && named(&sb) && (street >= high || token_subset(&sa, &sb));
                return (if same { 5 } else { 6 }, Some(street));
            }
            let s = address_similarity(a.addr(), b.addr(), if fast { medium } else { 0.0 });
            let level = if s < medium {
                6
            } else if house_typo {
                // Its own level: a typo in one data set, the next building
                // of a chain in another; the data says which.
                4
            } else if s >= high {
                2
            } else {
                3
            };
            (level, Some(s))
        }
        Comparator::PostalCode => {
            if a.postal().is_empty() || b.postal().is_empty() {
                (0, None)
            } else if a.postal() == b.postal() {
                (1, None)
            } else if one_edit_apart(a.postal().as_bytes(), b.postal().as_bytes()) {
                (2, None)
            } else {
                (3, None)
            }
        }
        Comparator::Employer => {
            // A name in Latin letters cannot be told apart from one in kanji
            // or kana without a reading: not compared.
            let cjk = |s: &str| s.chars().any(crate::normalize::org::is_cjk);
            if a.employer().is_empty()
                || b.employer().is_empty()
                || cjk(a.employer()) != cjk(b.employer())
            {
                (0, None)
            } else {
                (
                    if same_employer(a.employer(), b.employer()) {
                        1
                    } else {
                        2
                    },
                    None,
                )
            }
        }
        Comparator::City => {
            if a.city().is_empty() || b.city().is_empty() {
                (0, None)
            } else if same_city(a.city(), b.city()) {
                (1, Some(1.0))
            } else {
                let s = jw(a.city(), b.city(), 0.0);
                (if s >= min(2) { 2 } else { 3 }, Some(s))
            }
        }
        Comparator::Date => match (a.generic(f), b.generic(f)) {
            (Some(x), Some(y)) => (compare_dates(x, y), None),
            _ => (0, None),
        },
        Comparator::Identifier => match (a.generic(f), b.generic(f)) {
            (Some(x), Some(y)) if x == y => (1, None),
            (Some(x), Some(y)) if one_edit_apart(x.as_bytes(), y.as_bytes()) => (2, None),
            (Some(_), Some(_)) => (3, None),
            _ => (0, None),
        },
        Comparator::Exact => match (a.generic(f), b.generic(f)) {
            (Some(x), Some(y)) => (if x == y { 1 } else { 2 }, None),
            _ => (0, None),
        },
    }
}

/// Dates as `YYYYMMDD`: exact · one typo or day/month swapped · same year · different.
fn compare_dates(x: &str, y: &str) -> u8 {
    if x == y {
        return 1;
    }
    let (xb, yb) = (x.as_bytes(), y.as_bytes());
    if xb.len() == 8 && yb.len() == 8 {
        let swapped = xb[..4] == yb[..4] && xb[4..6] == yb[6..8] && xb[6..8] == yb[4..6];
        if swapped || one_edit_apart(xb, yb) {
            return 2;
        }
        if xb[..4] == yb[..4] {
            return 3;
        }
    }
    4
}

/// Levels: 1 exact · 2 swapped · 3 both parts ≥ high · 4 both parts ≥ medium ·
/// 5 family equal · 6 given equal · 7 whole name ≥ low · 8 different.
fn compare_person_name(
    a: &Rec,
    b: &Rec,
    cmp: &Comparisons,
    f: usize,
    fast: bool,
) -> (u8, Option<f32>) {
    if a.name().is_empty() || b.name().is_empty() {
        return (0, None);
    }
    if a.name() == b.name() {
        return (1, Some(1.0));
    }
    let (swap_min, high, medium, low) =
        (cmp.min(f, 2), cmp.min(f, 3), cmp.min(f, 4), cmp.min(f, 7));
    let alt = reading_similarity(a, b);
    let split = |r: &Rec| !r.family().is_empty() && !r.given().is_empty();
    let level = if split(a) && split(b) {
        let fam = part_similarity(a.family(), b.family(), 0.0);
        let giv = part_similarity(a.given(), b.given(), medium);
        let both = fam.min(giv);
        // Swapped parts are looked for only where the parts in place disagree.
        let cross = || {
            part_similarity(a.family(), b.given(), 0.0).min(part_similarity(
                a.given(),
                b.family(),
                0.0,
            ))
        };
        if both >= high {
            (3, both)
        } else if let c = cross()
            && c >= swap_min
            && c > both
        {
            (2, c)
        } else if both >= medium {
            (4, both)
        } else if a.family() == b.family() {
            (5, both)
        } else if a.given() == b.given() {
            (6, both)
        } else {
            (0, both)
        }
    } else if split(a) != split(b) {
        // One side gives one part only (a family name without the given
        // name): it agrees or not with the other's part of that kind.
        // (A reading that agrees still says more: see below.)
        let (one, whole) = if split(a) { (b, a) } else { (a, b) };
        if alt < high {
            if !one.family().is_empty() && one.family() == whole.family() {
                return (5, None);
            }
            if !one.given().is_empty() && one.given() == whole.given() {
                return (6, None);
            }
        }
        (0, 0.0)
    } else {
        (0, 0.0)
    };
    // The same name in another script: 山田 太郎 (ヤマダ タロウ) is "Yamada Taro".
    if alt >= high && alt > level.1 {
        return (1, Some(alt));
    }
    if level.0 != 0 {
        return (level.0, Some(level.1));
    }
    if a.name_sorted() == b.name_sorted() {
        return (2, Some(1.0));
    }
    let s = name_similarity(a, b, if fast { low } else { 0.0 }).max(alt);
    // Names not split into parts are judged whole.
    if !(split(a) && split(b)) {
        if s >= high {
            return (3, Some(s));
        }
        if s >= medium {
            return (4, Some(s));
        }
    }
    (if s >= low { 7 } else { 8 }, Some(s))
}

/// The comparison vector of one pair.
pub fn compare(a: &Rec, b: &Rec, cmp: &Comparisons) -> Levels {
    let mut out = [0u8; MAX_FIELDS];
    for (f, o) in out.iter_mut().enumerate().take(cmp.len()) {
        *o = compare_field_with(f, a, b, cmp, true).0;
    }
    cmp.apply_skips(&mut out);
    out
}

impl Comparisons {
    /// Blank the fields whose `skip_if` holds (evaluated on the levels as
    /// compared, so the order of the fields does not matter).
    pub fn apply_skips(&self, levels: &mut Levels) {
        let before = *levels;
        for (f, conds) in self.skips.iter().enumerate() {
            if conds
                .iter()
                .any(|&(g, mask)| mask & (1u16 << before[g]) != 0)
            {
                levels[f] = 0;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Email, OrgName, Phone, TaxId};
    use crate::normalize::person::person_from_parts;

    fn org(name: &str) -> Party {
        Party {
            org: Some(OrgName {
                input: name.into(),
                match_key: simple_fold(name),
                ..OrgName::default()
            }),
            ..Party::default()
        }
    }

    fn person(family: &str, given: &str) -> Party {
        Party {
            kind: Kind::Person,
            person: Some(person_from_parts(family, given, "")),
            ..Party::default()
        }
    }

    fn field(name: &str) -> usize {
        Comparisons::builtin()
            .index_of(name)
            .unwrap_or_else(|| panic!("no field {name}"))
    }

    fn level(f: &str, a: &Party, b: &Party) -> u8 {
        compare_field(
            field(f),
            &Rec::prepare(a),
            &Rec::prepare(b),
            Comparisons::builtin(),
        )
        .0
    }

    fn label(f: &str, a: &Party, b: &Party) -> String {
        let c = Comparisons::builtin();
        c.label(field(f), level(f, a, b)).to_string()
    }

    #[test]
    fn the_builtin_table_holds_together() {
        let c = Comparisons::builtin();
        assert!(c.len() >= 13, "{} fields", c.len());
        assert!(!c.rules.is_empty() && !c.sessions.is_empty());
        // A level count that does not fit its comparator is refused.
        let mut bad = CompareConfig::default();
        bad.fields[0].levels.pop();
        assert!(Comparisons::new(&bad).is_err());
        let mut bad = CompareConfig::default();
        bad.rules[0]
            .when
            .insert("nope".into(), vec!["equal".into()]);
        assert!(Comparisons::new(&bad).is_err());
    }

    #[test]
    fn name_levels() {
        let a = org("Golden Gate Day Care Center");
        assert_eq!(
            label("name", &a, &org("golden gate day care center")),
            "exact"
        );
        assert_eq!(
            label("name", &a, &org("Day Care Center Golden Gate")),
            "same tokens"
        );
        assert_eq!(
            label("name", &a, &org("Golden Gate Daycare Center")),
            "fuzzy high"
        );
        assert_eq!(label("name", &a, &org("Golden Gate")), "fuzzy low");
        assert!(token_subset(
            "center gate golden",
            "care center day gate golden"
        ));
        assert!(!token_subset("center", "care center day gate golden"));
        assert_eq!(label("name", &a, &org("Zebra Montessori")), "different");
        assert_eq!(level("name", &a, &Party::default()), 0);
        // Organizations are not compared by the person-name field.
        assert_eq!(level("person name", &a, &a), 0);
    }

    #[test]
    fn person_name_levels() {
        let a = person("mason", "madeline");
        assert_eq!(
            label("person name", &a, &person("mason", "madeline")),
            "exact"
        );
        assert_eq!(
            label("person name", &a, &person("madeline", "masno")),
            "given and family swapped"
        );
        assert_eq!(
            label("person name", &a, &person("masno", "madeline")),
            "both parts fuzzy high"
        );
        assert_eq!(
            label("person name", &a, &person("mason", "m.")),
            "both parts fuzzy"
        );
        assert_eq!(
            label("person name", &a, &person("mason", "joshua")),
            "family name equal"
        );
        assert_eq!(
            label("person name", &a, &person("green", "madeline")),
            "given name equal"
        );
        assert_eq!(
            label("person name", &a, &person("green", "mitchell")),
            "different"
        );
        assert_eq!(
            label("person name", &a, &person("mason", "")),
            "family name equal"
        );
        assert_eq!(
            label("person name", &person("", "madeline"), &a),
            "given name equal"
        );
        assert_eq!(label("person name", &a, &person("green", "")), "different");
    }

    #[test]
    fn date_levels() {
        let d = |s: &str| {
            let mut p = person("mason", "madeline");
            p.original.insert(Field::BirthDate, s.into());
            p
        };
        let a = d("19560409");
        assert_eq!(label("date of birth", &a, &d("1956-04-09")), "exact");
        assert_eq!(
            label("date of birth", &a, &d("19560419")),
            "one typo or day/month swapped"
        );
        assert_eq!(
            label("date of birth", &a, &d("1956-09-04")),
            "one typo or day/month swapped"
        );
        assert_eq!(label("date of birth", &a, &d("19561224")), "same year");
        assert_eq!(label("date of birth", &a, &d("19711224")), "different");
        assert_eq!(level("date of birth", &a, &d("1900-01-01")), 0);
    }

    #[test]
    fn tax_id_levels() {
        let with = |n: &str, kind, valid| {
            let mut p = org("x");
            p.tax_ids.push(TaxId {
                normalized: n.into(),
                kind,
                valid,
                ..TaxId::default()
            });
            p
        };
        let inn = |n: &str, v| with(n, TaxIdKind::Inn10, v);
        let tax = |a: &Party, b: &Party| label("tax ID", a, b);
        assert_eq!(
            tax(&inn("7707083893", true), &inn("7707083893", true)),
            "equal"
        );
        assert_eq!(
            tax(&inn("7707083893", false), &inn("7707083893", true)),
            "equal (unverified)"
        );
        assert_eq!(
            tax(&inn("7707083893", true), &inn("7736050003", true)),
            "different"
        );
        assert_eq!(
            tax(&inn("7707083893", true), &inn("7707083983", false)),
            "one edit apart"
        );
        assert_eq!(
            tax(&inn("7707083893", true), &inn("7736050003", false)),
            "different (unverified)"
        );
        // Numbers no checksum can verify (a social-security number, a customer number).
        let ssn = |n: &str| with(n, TaxIdKind::Unknown, false);
        assert_eq!(tax(&ssn("1804974"), &ssn("1804974")), "equal (unverified)");
        assert_eq!(tax(&ssn("1804974"), &ssn("1804947")), "one edit apart");
        assert_eq!(
            tax(&ssn("1804974"), &ssn("6089216")),
            "different (unverified)"
        );
    }

    #[test]
    fn one_edit() {
        assert!(one_edit_apart(b"2119", b"2118"));
        assert!(one_edit_apart(b"2119", b"2191"));
        assert!(one_edit_apart(b"2119", b"211"));
        assert!(one_edit_apart(b"211", b"2119"));
        assert!(!one_edit_apart(b"2119", b"2119"));
        assert!(!one_edit_apart(b"2119", b"9112"));
        assert!(!one_edit_apart(b"2119", b"21"));
    }

    #[test]
    fn phone_and_email_levels() {
        let ph = |e: Option<&str>, d: &str| {
            let mut p = org("x");
            p.phones.push(Phone {
                e164: e.map(str::to_string),
                digits: d.into(),
                ..Phone::default()
            });
            p
        };
        let a = ph(Some("+13122852223"), "3122852223");
        assert_eq!(level("phone", &a, &ph(Some("+13122852223"), "")), 1);
        assert_eq!(level("phone", &a, &ph(None, "2852223")), 2);
        assert_eq!(level("phone", &a, &ph(Some("+17732852223"), "")), 3);
        let em = |addr: &str, role| {
            let mut p = org("x");
            p.emails.push(Email {
                address: Some(addr.into()),
                valid: true,
                role_account: role,
                ..Email::default()
            });
            p
        };
        assert_eq!(
            level("e-mail", &em("a@x.ru", false), &em("A@x.ru", false)),
            1
        );
        assert_eq!(
            level("e-mail", &em("info@x.ru", true), &em("info@x.ru", true)),
            2
        );
        assert_eq!(
            level("e-mail", &em("a@x.ru", false), &em("b@x.ru", false)),
            3
        );
        assert_eq!(
            level("web domain", &em("a@x.ru", false), &em("b@x.ru", false)),
            1
        );
    }

    #[test]
    fn legal_form_address_and_postal_levels() {
        let f = |form: &str, pos| {
            let mut p = org("ромашка");
            let o = p.org.as_mut().unwrap();
            o.legal_form = Some(form.into());
            o.form_position = pos;
            p
        };
        assert_eq!(level("legal form", &f("ООО", None), &f("ООО", None)), 1);
        assert_eq!(level("legal form", &f("ООО", None), &f("АО", None)), 2);
        let jp = |pos| f("株式会社", Some(pos));
        assert_eq!(
            level(
                "legal form",
                &jp(FormPosition::Prefix),
                &jp(FormPosition::Suffix)
            ),
            2
        );
        let ad = |s: &str| {
            let mut p = org("x");
            p.address.full = s.into();
            p.original.insert(Field::Address, s.into());
            p
        };
        let addr = |a: &str, b: &str| label("address", &ad(a), &ad(b));
        assert_eq!(addr("707 E. 37th St.", "707 East 37th Street"), "exact");
        assert_eq!(
            addr("707 E. 37th St.", "707 E. 37th Str Apt 1"),
            "fuzzy high"
        );
        assert_eq!(
            addr("707 E. 37th St.", "708 E. 37th St."),
            "house number one edit apart"
        );
        assert_eq!(addr("707 E. 37th St.", "1250 E. 37th St."), "different");
        let home = |s: &str| {
            let mut p = person("george", "vanessa");
            p.address.street = Some(s.into());
            p
        };
        let home_addr = |a: &str, b: &str| label("address", &home(a), &home(b));
        assert_eq!(
            home_addr(
                "84 marconi crescent hamilton park",
                "180 marconi crescent hamilton park"
            ),
            "same street, other house number"
        );
        assert_eq!(
            home_addr("84 marconi crescent", "180 marconi cresent"),
            "same street, other house number"
        );
        assert_eq!(
            home_addr("84 marconi crescent", "180 wells road"),
            "different"
        );
        assert_eq!(
            home_addr("3 hopkins street", "147 hopkins street locn 3439"),
            "same street, other house number"
        );
        assert_eq!(
            home_addr("84 marconi crescent", "85 marconi crescent"),
            "house number one edit apart"
        );
        assert_eq!(home_addr("21", "135"), "different");
        assert_eq!(home_addr("д 5", "д 12"), "different");
        assert_eq!(addr("pridham street", "pridhamp street"), "fuzzy high");
        assert_eq!(addr("pridham street", "pridhamstreet"), "fuzzy high");
        let pc = |s: &str| {
            let mut p = org("x");
            p.address.postal_code = Some(s.into());
            p
        };
        assert_eq!(label("postal code", &pc("2119"), &pc("2119")), "equal");
        assert_eq!(
            label("postal code", &pc("2119"), &pc("2191")),
            "one edit apart"
        );
        assert_eq!(label("postal code", &pc("2119"), &pc("3165")), "different");
    }

    #[test]
    fn term_frequencies_are_shares_of_the_kind() {
        let names = ["ромашка", "ромашка", "ромашка", "лютик"];
        let mut recs: Vec<Rec> = (0..100).map(|i| Rec::prepare(&org(names[i % 4]))).collect();
        let people: Vec<Party> = (0..100)
            .map(|i| person("ромашка", ["иван", "пётр"][i % 2]))
            .collect();
        recs.extend(people.iter().map(Rec::prepare));
        let c = Comparisons::builtin();
        set_term_frequencies(&mut recs, c);
        let slot = c.tf_slot(field("name")).unwrap();
        assert_eq!(recs[0].tf[slot], 0.75);
        assert_eq!(recs[3].tf[slot], 0.25);
        let pslot = c.tf_slot(field("person name")).unwrap();
        assert_eq!(recs[100].tf[pslot], 0.5);
        assert_eq!(recs[100].tf[pslot + 1], 1.0, "the family name's share");
        // Too few records: no frequencies at all.
        let mut few: Vec<Rec> = names.iter().map(|n| Rec::prepare(&org(n))).collect();
        set_term_frequencies(&mut few, c);
        assert_eq!(few[0].tf[slot], 0.0);
    }
}

#[cfg(test)]
mod bound_tests {
    use super::*;
    use crate::model::OrgName;

    fn rec(name: &str) -> Rec {
        Rec::prepare(&Party {
            org: Some(OrgName {
                input: name.into(),
                match_key: simple_fold(name),
                ..OrgName::default()
            }),
            ..Party::default()
        })
    }

    #[test]
    fn sorted_tokens_read_back_whether_or_not_they_were_kept() {
        assert_eq!(rec("plus romashka").name_sorted(), "plus romashka");
        assert!(!rec("plus romashka").name_reordered);
        let r = rec("romashka plus");
        assert!(r.name_reordered);
        assert_eq!(r.name(), "romashka plus");
        assert_eq!(r.name_sorted(), "plus romashka");
    }

    #[test]
    fn the_character_bound_never_undercuts_the_similarity() {
        let names = [
            "romashka",
            "romashka plus",
            "plus romashka",
            "ромашка",
            "ромашка строй",
            "строй ромашка",
            "ромашко",
            "山田商事",
            "山田商事 東京",
            "サクラ電機",
            "サクラ電気",
            "acme",
            "acme corp holdings",
            "zencrestbel technologies",
            "zencrestbel technology",
            "ab",
            "a",
            "chicago commons association",
        ];
        for x in names {
            for y in names {
                let (a, b) = (rec(x), rec(y));
                let s = name_similarity(&a, &b, 0.0);
                if let Some(bound) = name_similarity_bound(&a, &b) {
                    assert!(s <= bound + 1e-4, "{x} ~ {y}: {s} > {bound}");
                }
                // With a cutoff, values at or above it are exact.
                let fast = name_similarity(&a, &b, 0.75);
                if s >= 0.75 {
                    assert_eq!(fast, s, "{x} ~ {y}");
                }
            }
        }
    }
}

#[cfg(test)]
mod key_tests {
    use super::*;

    #[test]
    fn cities_agree_on_containment_at_a_boundary() {
        assert!(same_city("г москва", "москва"));
        assert!(same_city("chicago il", "chicago"));
        assert!(same_city("東京都千代田区", "千代田区"));
        assert!(!same_city("москва", "самара"));
        assert!(!same_city("chicagoland", "chicago"));
        assert!(!same_city("a", "a b"));
    }

    #[test]
    fn tax_ids_by_digits_across_kinds() {
        let jp = TaxKey::new(TaxIdKind::JpCorporate, "2594900832357", true);
        let as_ogrn = TaxKey::new(TaxIdKind::Ogrn, "2594900832357", false);
        let other = TaxKey::new(TaxIdKind::Ogrn, "7422993882092", false);
        let typo = TaxKey::new(TaxIdKind::Ogrn, "2594900832375", false);
        assert!(jp.same(&as_ogrn));
        assert!(jp.comparable(&other) && !jp.same(&other) && !jp.one_edit(&other));
        assert!(as_ogrn.one_edit(&typo));
        // Placeholders are never compared by digits.
        let zeros = TaxKey::new(TaxIdKind::Ogrn, "0000000000000", false);
        assert!(!zeros.same(&other) && zeros.len == 0);
    }
}
