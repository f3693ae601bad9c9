//! Comparison: each party is prepared once into a compact [`Rec`] (hashed
//! identifiers, folded keys), then every candidate pair is compared field by
//! field into a small vector of levels.
//!
//! Level 0 of every field means "missing on one side" and weighs nothing.

use crate::model::{Field, FormPosition, Kind, Party, PhoneType, TaxIdKind};
use crate::normalize::{address, text};
use rapidfuzz::{distance::jaro_winkler, fuzz};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The fields compared for every pair, in this order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CmpField {
    Name,
    LegalForm,
    TaxId,
    Phone,
    Email,
    Domain,
    Address,
    PostalCode,
    City,
    /// A person's employer as written in the row: people are the same only
    /// within one organization (two Ivan Ivanovs at two companies are two people).
    Employer,
}

/// Number of compared fields.
pub const NF: usize = 10;

/// The comparison vector of one pair: one level per [`CmpField`].
pub type Levels = [u8; NF];

impl CmpField {
    pub const ALL: [CmpField; NF] = [
        CmpField::Name,
        CmpField::LegalForm,
        CmpField::TaxId,
        CmpField::Phone,
        CmpField::Email,
        CmpField::Domain,
        CmpField::Address,
        CmpField::PostalCode,
        CmpField::City,
        CmpField::Employer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CmpField::Name => "name",
            CmpField::LegalForm => "legal form",
            CmpField::TaxId => "tax ID",
            CmpField::Phone => "phone",
            CmpField::Email => "e-mail",
            CmpField::Domain => "web domain",
            CmpField::Address => "address",
            CmpField::PostalCode => "postal code",
            CmpField::City => "city",
            CmpField::Employer => "employer",
        }
    }

    /// Labels of the levels, index = level (0 is always `missing`).
    pub fn level_labels(self) -> &'static [&'static str] {
        match self {
            CmpField::Name => &[
                "missing",
                "exact",
                "same tokens",
                "fuzzy high",
                "fuzzy medium",
                "fuzzy low",
                "different",
            ],
            CmpField::LegalForm => &["missing", "same", "different"],
            CmpField::TaxId => &["missing", "equal", "equal (unverified)", "different"],
            CmpField::Phone => &["missing", "equal", "local number equal", "different"],
            CmpField::Email => &["missing", "equal", "equal role mailbox", "different"],
            CmpField::Domain => &["missing", "equal", "different"],
            CmpField::Address => &[
                "missing",
                "exact",
                "fuzzy high",
                "fuzzy medium",
                "different",
            ],
            CmpField::PostalCode | CmpField::City | CmpField::Employer => {
                &["missing", "equal", "different"]
            }
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for CmpField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Similarity thresholds of the fuzzy levels.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CompareConfig {
    /// Name similarity (see [`name_similarity`])
    /// for the `fuzzy high` / `fuzzy medium` / `fuzzy low` levels.
    pub name_high: f32,
    pub name_medium: f32,
    pub name_low: f32,
    /// Address Jaro-Winkler for `fuzzy high` / `fuzzy medium` (house numbers must agree).
    pub address_high: f32,
    pub address_medium: f32,
}

impl Default for CompareConfig {
    fn default() -> Self {
        CompareConfig {
            name_high: 0.94,
            name_medium: 0.86,
            name_low: 0.75,
            address_high: 0.92,
            address_medium: 0.82,
        }
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
    /// Legal-form-free, transliterated, folded name.
    pub name: String,
    /// The name's tokens sorted and joined by one space.
    pub name_sorted: String,
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
    pub tax: Vec<TaxKey>,
    pub phones: Vec<PhoneKey>,
    /// (hash of address, role account)
    pub emails: Vec<(u64, bool)>,
    /// Hashes of the website and non-free e-mail domains, sorted.
    pub domains: Vec<u64>,
    pub addr: String,
    pub addr_ascii: bool,
    /// Hash of the first number in the address (house number).
    pub house: Option<u64>,
    pub postal: Option<u64>,
    /// Folded city ("г москва", "東京都千代田区"); see [`same_city`].
    pub city: String,
    /// Persons: the employer's name key (legal form removed, transliterated).
    pub employer: String,
    /// The Japanese reading (フリガナ) as a Latin key, so 山田 太郎 meets Yamada Taro.
    pub name_alt: String,
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
    /// has fewer than 8 or more than 18 digits, or looks like a
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
        let (digits, len) = if (8..=18).contains(&d.len()) && varied {
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

    /// Surely different identifiers: both verified and of one kind, or both
    /// unverified but of one length and 3+ digits apart (not a typo or a
    /// transposition of each other). A verified one against an unverified
    /// one of the same kind says nothing: the unverified one may be a damaged
    /// copy. Of different kinds but one length, the digits decide (the same
    /// number read under another label or region, e.g. a 法人番号 as an ОГРН).
    pub fn different(&self, o: &TaxKey) -> bool {
        if self.same(o) {
            return false;
        }
        if self.kind == o.kind && self.valid && o.valid {
            return true;
        }
        let unverified = !self.valid && !o.valid;
        if !(unverified || self.kind != o.kind) || self.len == 0 || self.len != o.len {
            return false;
        }
        let (mut x, mut y, mut n) = (self.digits, o.digits, 0);
        for _ in 0..self.len {
            n += u32::from(x % 10 != y % 10);
            x /= 10;
            y /= 10;
        }
        n >= 3
    }
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

const T_FORM: u8 = 1;
const T_TAX: u8 = 2;
const T_E164: u8 = 3;
const T_EMAIL: u8 = 4;
const T_DOMAIN: u8 = 5;
const T_HOUSE: u8 = 6;
const T_POSTAL: u8 = 7;

fn simple_fold(s: &str) -> String {
    let f = text::fold(s);
    let cleaned: String = f
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    text::collapse_ws(&cleaned)
}

pub(crate) fn sorted_tokens(s: &str) -> String {
    let mut t: Vec<&str> = s.split_whitespace().collect();
    t.sort_unstable();
    t.dedup();
    t.join(" ")
}

impl Rec {
    /// Prepare one party. Uses the normalized fields; falls back to a simple
    /// folding of the raw value where a match key is empty.
    pub fn prepare(p: &Party) -> Rec {
        let name = match (&p.org, &p.person) {
            (Some(o), _) if !o.match_key.is_empty() => o.match_key.clone(),
            (Some(o), _) if !o.name.is_empty() => simple_fold(&o.name),
            (Some(o), _) => simple_fold(&o.input),
            (None, Some(n)) if !n.match_key.is_empty() => n.match_key.clone(),
            (None, Some(n)) => simple_fold(&format!("{} {} {}", n.family, n.given, n.middle)),
            (None, None) => String::new(),
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
        let addr = if !p.address.match_key.is_empty() {
            p.address.match_key.clone()
        } else if !p.address.full.trim().is_empty() {
            address::address_key(&p.address.full)
        } else {
            address::address_key(p.address.street.as_deref().unwrap_or(""))
        };
        let house = addr
            .split_whitespace()
            .find(|t| t.starts_with(|c: char| c.is_ascii_digit()))
            .map(|t| hash64(T_HOUSE, t.as_bytes()));
        let postal = p.address.postal_code.as_deref().and_then(|pc| {
            let k: String = pc
                .chars()
                .filter(|c| c.is_alphanumeric())
                .collect::<String>()
                .to_lowercase();
            (!k.is_empty()).then(|| hash64(T_POSTAL, k.as_bytes()))
        });
        Rec {
            kind: p.kind,
            name_ascii: name.is_ascii(),
            name_chars: name.chars().count().min(u16::MAX as usize) as u16,
            name_reordered: name_sorted != name,
            name_bag: char_bag(&name),
            name,
            name_sorted,
            form,
            tax,
            phones,
            emails,
            domains,
            addr_ascii: addr.is_ascii(),
            addr,
            house,
            postal,
            city: p
                .address
                .city
                .as_deref()
                .map(simple_fold)
                .unwrap_or_default(),
            name_alt: p
                .person
                .as_ref()
                .and_then(|n| n.reading.as_deref())
                .or_else(|| p.original(Field::NameReading))
                .and_then(crate::normalize::translit::reading_key)
                .unwrap_or_default(),
            employer: (p.kind == Kind::Person)
                .then(|| p.original(Field::OrganizationRef))
                .flatten()
                .map(|t| crate::normalize::org::normalize_org_name(t).match_key)
                .unwrap_or_default(),
        }
    }
}

/// Best similarity of a reading key with the other side's name or reading,
/// in either word order and without spaces (readings are often unspaced); 0 without one.
fn reading_similarity(a: &Rec, b: &Rec) -> f32 {
    if a.name_alt.is_empty() && b.name_alt.is_empty() {
        return 0.0;
    }
    let pairs = [
        (&a.name_alt, &b.name),
        (&a.name, &b.name_alt),
        (&a.name_alt, &b.name_alt),
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
fn jw(a: &str, b: &str, ascii: bool, cutoff: f32) -> f32 {
    let args = jaro_winkler::Args::default().score_cutoff(cutoff as f64);
    let r = if ascii {
        jaro_winkler::normalized_similarity_with_args(a.bytes(), b.bytes(), &args)
    } else {
        jaro_winkler::normalized_similarity_with_args(a.chars(), b.chars(), &args)
    };
    r.unwrap_or(0.0) as f32
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
    let ok = |r: &Rec| r.name_chars < 255 && r.name_sorted.len() == r.name.len();
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
    let mut s = indel(&a.name, &b.name, ascii, cutoff);
    if a.name_reordered || b.name_reordered {
        s = s.max(indel(&a.name_sorted, &b.name_sorted, ascii, cutoff.max(s)));
    }
    let short = |r: &Rec| usize::from(r.name_chars) <= JW_MAX_LEN;
    if short(a) && short(b) {
        s = s.max(jw(&a.name, &b.name, ascii, cutoff.max(s)));
    }
    s
}

/// Compare one field; returns the level and, for fuzzy fields, the similarity.
pub fn compare_field(f: CmpField, a: &Rec, b: &Rec, cfg: &CompareConfig) -> (u8, Option<f32>) {
    compare_field_with(f, a, b, cfg, false)
}

/// `fast`: similarities below the lowest fuzzy threshold are not computed
/// exactly (the level is the same; the reported similarity is then 0).
fn compare_field_with(
    f: CmpField,
    a: &Rec,
    b: &Rec,
    cfg: &CompareConfig,
    fast: bool,
) -> (u8, Option<f32>) {
    match f {
        CmpField::Name => {
            if a.name.is_empty() || b.name.is_empty() {
                return (0, None);
            }
            if a.name == b.name {
                return (1, Some(1.0));
            }
            if a.name_sorted == b.name_sorted {
                return (2, Some(1.0));
            }
            let s = name_similarity(a, b, if fast { cfg.name_low } else { 0.0 });
            let level = if s >= cfg.name_high {
                3
            } else if s >= cfg.name_medium {
                4
            } else if s >= cfg.name_low || token_subset(&a.name_sorted, &b.name_sorted) {
                5
            } else {
                6
            };
            // A reading may say what a name in another script does not.
            let alt = reading_similarity(a, b);
            if alt > s && alt >= cfg.name_medium {
                return (if alt >= cfg.name_high { 3 } else { 4 }, Some(alt));
            }
            (level, Some(s))
        }
        CmpField::LegalForm => match (a.form, b.form) {
            (Some(x), Some(y)) => (if x == y { 1 } else { 2 }, None),
            _ => (0, None),
        },
        CmpField::TaxId => {
            let mut level = 0u8;
            for ta in &a.tax {
                for tb in &b.tax {
                    if ta.same(tb) {
                        if ta.valid && tb.valid {
                            return (1, None);
                        }
                        level = 2;
                    } else if level == 0 && ta.different(tb) {
                        level = 3;
                    }
                }
            }
            (level, None)
        }
        CmpField::Phone => {
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
        CmpField::Email => {
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
        CmpField::Domain => {
            if a.domains.is_empty() || b.domains.is_empty() {
                return (0, None);
            }
            let shared = a.domains.iter().any(|d| b.domains.binary_search(d).is_ok());
            (if shared { 1 } else { 2 }, None)
        }
        CmpField::Address => {
            if a.addr.is_empty() || b.addr.is_empty() {
                return (0, None);
            }
            if a.addr == b.addr {
                return (1, Some(1.0));
            }
            let houses_differ = matches!((a.house, b.house), (Some(x), Some(y)) if x != y);
            if fast && houses_differ {
                return (4, None);
            }
            let s = jw(
                &a.addr,
                &b.addr,
                a.addr_ascii && b.addr_ascii,
                if fast { cfg.address_medium } else { 0.0 },
            );
            if matches!((a.house, b.house), (Some(x), Some(y)) if x != y) {
                return (4, Some(s));
            }
            let level = if s >= cfg.address_high {
                2
            } else if s >= cfg.address_medium {
                3
            } else {
                4
            };
            (level, Some(s))
        }
        CmpField::PostalCode => eq_level(a.postal, b.postal),
        CmpField::Employer => {
            if a.employer.is_empty() || b.employer.is_empty() {
                (0, None)
            } else {
                (
                    if same_employer(&a.employer, &b.employer) {
                        1
                    } else {
                        2
                    },
                    None,
                )
            }
        }
        CmpField::City => {
            if a.city.is_empty() || b.city.is_empty() {
                (0, None)
            } else {
                (if same_city(&a.city, &b.city) { 1 } else { 2 }, None)
            }
        }
    }
}

fn eq_level(a: Option<u64>, b: Option<u64>) -> (u8, Option<f32>) {
    match (a, b) {
        (Some(x), Some(y)) => (if x == y { 1 } else { 2 }, None),
        _ => (0, None),
    }
}

/// The comparison vector of one pair.
pub fn compare(a: &Rec, b: &Rec, cfg: &CompareConfig) -> Levels {
    let mut out = [0u8; NF];
    for f in CmpField::ALL {
        out[f.index()] = compare_field_with(f, a, b, cfg, true).0;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Email, OrgName, Phone, TaxId};

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

    fn level(f: CmpField, a: &Party, b: &Party) -> u8 {
        compare_field(
            f,
            &Rec::prepare(a),
            &Rec::prepare(b),
            &CompareConfig::default(),
        )
        .0
    }

    #[test]
    fn name_levels() {
        let a = org("Golden Gate Day Care Center");
        assert_eq!(
            level(CmpField::Name, &a, &org("golden gate day care center")),
            1
        );
        assert_eq!(
            level(CmpField::Name, &a, &org("Day Care Center Golden Gate")),
            2
        );
        assert_eq!(
            level(CmpField::Name, &a, &org("Golden Gate Daycare Center")),
            3
        );
        assert_eq!(level(CmpField::Name, &a, &org("Golden Gate")), 5);
        assert!(token_subset(
            "center gate golden",
            "care center day gate golden"
        ));
        assert!(!token_subset("center", "care center day gate golden"));
        assert_eq!(level(CmpField::Name, &a, &org("Zebra Montessori")), 6);
        assert_eq!(level(CmpField::Name, &a, &Party::default()), 0);
    }

    #[test]
    fn tax_id_levels() {
        let with = |n: &str, valid| {
            let mut p = org("x");
            p.tax_ids.push(TaxId {
                normalized: n.into(),
                kind: TaxIdKind::Inn10,
                valid,
                ..TaxId::default()
            });
            p
        };
        assert_eq!(
            level(
                CmpField::TaxId,
                &with("7707083893", true),
                &with("7707083893", true)
            ),
            1
        );
        assert_eq!(
            level(
                CmpField::TaxId,
                &with("7707083893", false),
                &with("7707083893", true)
            ),
            2
        );
        assert_eq!(
            level(
                CmpField::TaxId,
                &with("7707083893", true),
                &with("7736050003", true)
            ),
            3
        );
        assert_eq!(
            level(
                CmpField::TaxId,
                &with("7707083893", true),
                &with("7736050003", false)
            ),
            0
        );
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
        assert_eq!(level(CmpField::Phone, &a, &ph(Some("+13122852223"), "")), 1);
        assert_eq!(level(CmpField::Phone, &a, &ph(None, "2852223")), 2);
        assert_eq!(level(CmpField::Phone, &a, &ph(Some("+17732852223"), "")), 3);
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
            level(CmpField::Email, &em("a@x.ru", false), &em("A@x.ru", false)),
            1
        );
        assert_eq!(
            level(
                CmpField::Email,
                &em("info@x.ru", true),
                &em("info@x.ru", true)
            ),
            2
        );
        assert_eq!(
            level(CmpField::Email, &em("a@x.ru", false), &em("b@x.ru", false)),
            3
        );
        assert_eq!(
            level(CmpField::Domain, &em("a@x.ru", false), &em("b@x.ru", false)),
            1
        );
    }

    #[test]
    fn legal_form_and_address_levels() {
        let f = |form: &str, pos| {
            let mut p = org("ромашка");
            let o = p.org.as_mut().unwrap();
            o.legal_form = Some(form.into());
            o.form_position = pos;
            p
        };
        assert_eq!(
            level(CmpField::LegalForm, &f("ООО", None), &f("ООО", None)),
            1
        );
        assert_eq!(
            level(CmpField::LegalForm, &f("ООО", None), &f("АО", None)),
            2
        );
        let jp = |pos| f("株式会社", Some(pos));
        assert_eq!(
            level(
                CmpField::LegalForm,
                &jp(FormPosition::Prefix),
                &jp(FormPosition::Suffix)
            ),
            2
        );
        let ad = |s: &str| {
            let mut p = org("x");
            p.address.full = s.into();
            p
        };
        assert_eq!(
            level(
                CmpField::Address,
                &ad("707 E. 37th St."),
                &ad("707 East 37th Street")
            ),
            1
        );
        assert_eq!(
            level(
                CmpField::Address,
                &ad("707 E. 37th St."),
                &ad("707 E. 37th Str Apt 1")
            ),
            2
        );
        assert_eq!(
            level(
                CmpField::Address,
                &ad("707 E. 37th St."),
                &ad("709 E. 37th St.")
            ),
            4
        );
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
        assert!(as_ogrn.different(&other));
        assert!(jp.different(&other));
        // One or two digits apart may be a typo: no evidence either way.
        assert!(!as_ogrn.different(&typo));
        // Placeholders are never compared by digits.
        let zeros = TaxKey::new(TaxIdKind::Ogrn, "0000000000000", false);
        assert!(!zeros.different(&other) && !zeros.same(&other));
    }
}
