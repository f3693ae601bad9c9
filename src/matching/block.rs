//! Blocking: several keys per record, the union of the pairs that share a key,
//! oversized blocks windowed instead of expanded, and a report of those.

use super::compare::{Comparisons, Rec, hash64, mix64};
use crate::model::Kind;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Which key a block was built on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyKind {
    TaxId = 0,
    PhoneE164 = 1,
    PhoneLast7 = 2,
    Email = 3,
    Domain = 4,
    NameTokens = 5,
    NamePrefix = 6,
    NameLsh = 7,
    AddressName = 8,
    Address = 9,
    /// Not a block: neighbours in the name-sorted order.
    SortedNeighbourhood = 10,
    /// The name's tokens with the city, and with the postal code: namesakes
    /// too many to pair by name alone are still paired within one place.
    NameCity = 11,
    NamePostal = 12,
    /// A generic field of the comparison table marked `block` (date of birth…).
    Field = 13,
    /// Such a field with the initial of one of the name's words.
    FieldName = 14,
    /// The start of the street line with its house number, within the postal
    /// code: a typo late in a long line (a second address line) still meets.
    StreetPostal = 15,
    /// A person's family name within the postal code, and the given name
    /// within the city: a typo in the other part still meets.
    NamePartPlace = 16,
}

impl KeyKind {
    pub const ALL: [KeyKind; 17] = [
        KeyKind::TaxId,
        KeyKind::PhoneE164,
        KeyKind::PhoneLast7,
        KeyKind::Email,
        KeyKind::Domain,
        KeyKind::NameTokens,
        KeyKind::NamePrefix,
        KeyKind::NameLsh,
        KeyKind::AddressName,
        KeyKind::Address,
        KeyKind::SortedNeighbourhood,
        KeyKind::NameCity,
        KeyKind::NamePostal,
        KeyKind::Field,
        KeyKind::FieldName,
        KeyKind::StreetPostal,
        KeyKind::NamePartPlace,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            KeyKind::TaxId => "tax_id",
            KeyKind::PhoneE164 => "phone_e164",
            KeyKind::PhoneLast7 => "phone_last7",
            KeyKind::Email => "email",
            KeyKind::Domain => "domain",
            KeyKind::NameTokens => "name_tokens",
            KeyKind::NamePrefix => "name_prefix",
            KeyKind::NameLsh => "name_lsh",
            KeyKind::AddressName => "address_name",
            KeyKind::Address => "address",
            KeyKind::SortedNeighbourhood => "sorted_neighbourhood",
            KeyKind::NameCity => "name_city",
            KeyKind::NamePostal => "name_postal",
            KeyKind::Field => "field",
            KeyKind::FieldName => "field_name",
            KeyKind::StreetPostal => "street_postal",
            KeyKind::NamePartPlace => "name_part_place",
        }
    }

    /// Keys derived from the name: oversized blocks are skipped, not windowed.
    pub fn is_name_key(self) -> bool {
        matches!(
            self,
            KeyKind::NameTokens
                | KeyKind::NamePrefix
                | KeyKind::NameLsh
                | KeyKind::NameCity
                | KeyKind::NamePostal
                | KeyKind::NamePartPlace
        )
    }

    /// Blocks of this key larger than this are skipped rather than windowed
    /// (windowing them by name would only repeat another key's work).
    fn skip_above(self, cfg: &BlockingConfig) -> usize {
        if self.is_name_key() {
            cfg.max_name_block_size.min(cfg.max_block_size)
        } else if self == KeyKind::Field {
            cfg.max_field_block_size
        } else {
            usize::MAX
        }
    }

    fn from_bits(b: u64) -> KeyKind {
        KeyKind::ALL[(b as usize).min(KeyKind::ALL.len() - 1)]
    }
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BlockingConfig {
    /// A block with more members than this is not expanded into all pairs.
    /// Identifier and address blocks (a switchboard phone, `info@`) are
    /// windowed: members sorted by name are paired within `capped_window`.
    /// Name blocks (tokens, prefix, LSH) are skipped: windowing them by name
    /// would only repeat the sorted-neighbourhood pass.
    pub max_block_size: usize,
    pub capped_window: usize,
    /// Name-key blocks (tokens, prefix, LSH) larger than this are skipped.
    pub max_name_block_size: usize,
    /// Blocks of a `block` field alone (a date of birth) larger than this
    /// are skipped: at a million persons a day has dozens of births, and the
    /// field with a name's initial ([`KeyKind::FieldName`]) pairs its matches.
    pub max_field_block_size: usize,
    /// Characters of the space-free name for the prefix key (0 = off).
    pub name_prefix_len: usize,
    /// Characters of the name added to the address for the address+name key.
    pub address_name_prefix_len: usize,
    /// Space-free characters of the street line for the street+postal key (0 = off).
    pub street_prefix_len: usize,
    /// Also block on the address key alone.
    pub address_alone: bool,
    /// Window of the sorted-neighbourhood pass over names (0 or 1 = off).
    pub sorted_window: usize,
    /// MinHash LSH over character q-grams of the name: bands × rows (0 bands = off).
    pub lsh_bands: usize,
    pub lsh_rows: usize,
    pub qgram: usize,
}

impl Default for BlockingConfig {
    fn default() -> Self {
        BlockingConfig {
            max_block_size: 60,
            capped_window: 8,
            max_name_block_size: 30,
            max_field_block_size: 8,
            name_prefix_len: 6,
            address_name_prefix_len: 3,
            street_prefix_len: 10,
            address_alone: true,
            sorted_window: 4,
            lsh_bands: 3,
            lsh_rows: 4,
            qgram: 3,
        }
    }
}

/// A block that was too large to expand.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CappedBlock {
    pub key: KeyKind,
    /// The key value (e.g. the shared e-mail hash cannot be shown, so this is
    /// the value as the first member has it).
    pub value: String,
    pub size: usize,
    /// Pairs emitted by the window instead of size·(size−1)/2 (0: skipped).
    pub pairs: usize,
    /// Index of the block's first member.
    pub example: u32,
}

impl CappedBlock {
    /// Pairs of the block it could not compare (some meet through other keys).
    pub fn uncompared(&self) -> u64 {
        let n = self.size as u64;
        (n * (n - 1) / 2).saturating_sub(self.pairs as u64)
    }
}

/// Blocks and pairs per key kind (pairs before the union removes repeats).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct KeyStats {
    pub key: Option<KeyKind>,
    pub blocks: usize,
    pub pairs: usize,
    pub capped: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BlockingReport {
    pub capped: Vec<CappedBlock>,
    pub per_key: Vec<KeyStats>,
    /// Distinct candidate pairs.
    pub candidate_pairs: usize,
    /// Pairs inside oversized blocks that those blocks did not compare (an
    /// upper bound of the pairs lost: many meet through another key).
    #[serde(default)]
    pub uncompared_pairs: u64,
    /// Blocks of a `block` field alone (a date of birth) over
    /// `max_field_block_size`, skipped by design: their members meet by the
    /// field with a name's initial ([`KeyKind::FieldName`]). Counted here, not
    /// in `capped`, so the report names the blocks that did lose pairs.
    #[serde(default)]
    pub field_blocks_by_initial: usize,
    /// Pairs inside those blocks left to the field + initial key.
    #[serde(default)]
    pub field_pairs_by_initial: u64,
}

impl BlockingReport {
    /// `412 blocks of one date of birth (or another block field) were paired
    /// only within a name's initial: 9,120 pairs left to that key`, when any were.
    pub fn field_blocks_note(&self) -> Option<String> {
        (self.field_blocks_by_initial > 0).then(|| {
            format!(
                "{} large blocks of one date of birth (or other block field) were paired only within a name's initial: {} pairs left to that key",
                self.field_blocks_by_initial, self.field_pairs_by_initial
            )
        })
    }
}

fn kind_tag(k: Kind) -> u8 {
    match k {
        Kind::Organization => 0,
        Kind::Person => 1,
        Kind::SoleProprietor => 2,
    }
}

/// Call `f` with every blocking key of a record (kind, bytes of the value).
pub fn for_each_key(
    r: &Rec,
    cfg: &BlockingConfig,
    cmp: &Comparisons,
    f: &mut impl FnMut(KeyKind, &[u8]),
) {
    for t in &r.tax {
        // By digits when there are enough (whatever kind they were read as,
        // verified or not), else verified values by kind.
        let mut b = [0u8; 10];
        if t.len > 0 {
            b[0] = 0xFF;
            b[1] = t.len;
            b[2..].copy_from_slice(&t.digits.to_le_bytes());
            f(KeyKind::TaxId, &b);
        } else if t.valid {
            b[0] = t.kind as u8;
            b[1..9].copy_from_slice(&t.hash.to_le_bytes());
            f(KeyKind::TaxId, &b[..9]);
        }
    }
    for p in &r.phones {
        if let Some(e) = p.e164 {
            f(KeyKind::PhoneE164, &e.to_le_bytes());
        }
        if let Some(l) = p.last7 {
            f(KeyKind::PhoneLast7, &l.to_le_bytes());
        }
    }
    for &(e, _) in &r.emails {
        f(KeyKind::Email, &e.to_le_bytes());
    }
    for &d in &r.domains {
        f(KeyKind::Domain, &d.to_le_bytes());
    }
    for (fi, v) in &r.generic {
        if cmp.field(*fi as usize).block {
            let mut k = Vec::with_capacity(v.len() + 6);
            k.push(*fi);
            k.extend_from_slice(v.as_bytes());
            // A date alone pairs everyone born that day (dozens each at a
            // million persons; such blocks are skipped): with the initial of
            // one of the name's words it stays a block of likely matches, and
            // a typo in one word or swapped given and family names still
            // meet on another.
            let mut initials: Vec<char> = r
                .name()
                .split(' ')
                .filter_map(|t| t.chars().next())
                .collect();
            initials.sort_unstable();
            initials.dedup();
            f(KeyKind::Field, &k);
            let base = k.len();
            for c in initials {
                k.truncate(base);
                k.push(b'|');
                let mut buf = [0u8; 4];
                k.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                f(KeyKind::FieldName, &k);
            }
        }
    }
    if !r.name().is_empty() {
        f(KeyKind::NameTokens, r.name_sorted().as_bytes());
        for (kind, place) in [
            (KeyKind::NameCity, &r.city()),
            (KeyKind::NamePostal, &r.postal()),
        ] {
            if !place.is_empty() {
                let mut k = r.name_sorted().to_string();
                k.push('|');
                k.push_str(place);
                f(kind, k.as_bytes());
            }
        }
        if cfg.name_prefix_len > 0 {
            let p: String = r
                .name()
                .chars()
                .filter(|c| *c != ' ')
                .take(cfg.name_prefix_len)
                .collect();
            f(KeyKind::NamePrefix, p.as_bytes());
        }
        if cfg.lsh_bands > 0 && cfg.lsh_rows > 0 {
            lsh_keys(r.name(), cfg, f);
        }
    }
    for (tag, part, place) in [(b'f', r.family(), r.postal()), (b'g', r.given(), r.city())] {
        if !part.is_empty() && !place.is_empty() {
            let mut k = Vec::with_capacity(part.len() + place.len() + 2);
            k.push(tag);
            k.extend_from_slice(part.as_bytes());
            k.push(b'|');
            k.extend_from_slice(place.as_bytes());
            f(KeyKind::NamePartPlace, &k);
        }
    }
    // A reading meets names written in Latin: same tokens, same unspaced prefix.
    if !r.name_alt().is_empty() {
        f(
            KeyKind::NameTokens,
            super::compare::sorted_tokens(r.name_alt()).as_bytes(),
        );
        if cfg.name_prefix_len > 0 {
            let p: String = r
                .name_alt()
                .chars()
                .filter(|c| *c != ' ')
                .take(cfg.name_prefix_len)
                .collect();
            f(KeyKind::NamePrefix, p.as_bytes());
        }
    }
    if !r.addr().is_empty() {
        // A street without a house number is a street, not a building:
        // alone it pairs everyone living on it; within a postal code it
        // stays a neighbourhood.
        if cfg.address_alone {
            if !r.house().is_empty() || r.postal().is_empty() {
                f(KeyKind::Address, r.addr().as_bytes());
            } else {
                let mut k = r.addr().to_string();
                k.push('|');
                k.push_str(r.postal());
                f(KeyKind::Address, k.as_bytes());
            }
        }
        if cfg.street_prefix_len > 0 && !r.postal().is_empty() {
            let mut k: String = r
                .addr()
                .chars()
                .filter(|c| *c != ' ')
                .take(cfg.street_prefix_len)
                .collect();
            // With the house number: a building, as the address key is, but
            // tolerant of a typo late in the line (an office, a second line).
            k.push('|');
            k.push_str(r.house());
            k.push('|');
            k.push_str(r.postal());
            f(KeyKind::StreetPostal, k.as_bytes());
        }
        if !r.name().is_empty() && cfg.address_name_prefix_len > 0 {
            let mut k = r.addr().to_string();
            k.push('|');
            k.extend(
                r.name()
                    .chars()
                    .filter(|c| *c != ' ')
                    .take(cfg.address_name_prefix_len),
            );
            f(KeyKind::AddressName, k.as_bytes());
        }
    }
}

fn lsh_keys(name: &str, cfg: &BlockingConfig, f: &mut impl FnMut(KeyKind, &[u8])) {
    let chars: Vec<char> = std::iter::once(' ')
        .chain(name.chars())
        .chain(std::iter::once(' '))
        .collect();
    let q = cfg.qgram.max(1);
    if chars.len() < q + 1 {
        return;
    }
    let n = cfg.lsh_bands * cfg.lsh_rows;
    let mut mins = vec![u64::MAX; n];
    let mut buf = [0u8; 64];
    for w in chars.windows(q) {
        let mut len = 0;
        for c in w {
            len += c.encode_utf8(&mut buf[len..]).len();
            if len + 4 > buf.len() {
                break;
            }
        }
        let g = hash64(40, &buf[..len]);
        for (i, m) in mins.iter_mut().enumerate() {
            let h = mix64(g ^ (i as u64 + 1).wrapping_mul(0xD1B5_4A32_D192_ED03));
            if h < *m {
                *m = h;
            }
        }
    }
    for band in 0..cfg.lsh_bands {
        let mut b = Vec::with_capacity(8 * cfg.lsh_rows + 1);
        b.push(band as u8);
        for m in &mins[band * cfg.lsh_rows..(band + 1) * cfg.lsh_rows] {
            b.extend_from_slice(&m.to_le_bytes());
        }
        f(KeyKind::NameLsh, &b);
    }
}

#[inline]
fn pack(a: u32, b: u32) -> u64 {
    let (a, b) = if a < b { (a, b) } else { (b, a) };
    ((a as u64) << 32) | b as u64
}

/// Unpack a candidate pair.
#[inline]
pub fn unpack(p: u64) -> (u32, u32) {
    ((p >> 32) as u32, p as u32)
}

/// Candidate pairs (packed `a << 32 | b`, `a < b`, sorted, distinct) and the report.
pub fn candidate_pairs(
    recs: &[Rec],
    cfg: &BlockingConfig,
    cmp: &Comparisons,
) -> (Vec<u64>, BlockingReport) {
    let mut entries: Vec<(u64, u32)> = collect_exact(
        recs,
        0,
        |r| {
            let mut n = 0;
            for_each_key(r, cfg, cmp, &mut |_, _| n += 1);
            n
        },
        |i, r, emit| {
            let tag = kind_tag(r.kind);
            for_each_key(r, cfg, cmp, &mut |kk, bytes| {
                let h = hash64(tag, bytes);
                emit((((kk as u64) << 59) | (h >> 5), i as u32));
            });
        },
    );
    entries.par_sort_unstable();
    entries.dedup();

    let mut groups: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    for i in 1..=entries.len() {
        if i == entries.len() || entries[i].0 != entries[start].0 {
            if i - start >= 2 {
                groups.push((start, i));
            }
            start = i;
        }
    }
    let mut per_key: Vec<KeyStats> = KeyKind::ALL
        .iter()
        .map(|&k| KeyStats {
            key: Some(k),
            ..KeyStats::default()
        })
        .collect();
    let window = cfg.capped_window.max(2);
    let mut capped = Vec::new();
    let (mut field_blocks_by_initial, mut field_pairs_by_initial) = (0usize, 0u64);
    for &(s, e) in &groups {
        let size = e - s;
        let kk = KeyKind::from_bits(entries[s].0 >> 59);
        let st = &mut per_key[kk as usize];
        st.blocks += 1;
        if size > cfg.max_block_size.min(kk.skip_above(cfg)) {
            let pairs = if size > kk.skip_above(cfg) {
                0
            } else {
                windowed_pair_count(size, window)
            };
            st.pairs += pairs;
            st.capped += 1;
            if kk == KeyKind::Field && pairs == 0 {
                field_blocks_by_initial += 1;
                field_pairs_by_initial += (size * (size - 1) / 2) as u64;
                continue;
            }
            capped.push(CappedBlock {
                key: kk,
                value: String::new(),
                size,
                pairs,
                example: entries[s].1,
            });
        } else {
            st.pairs += size * (size - 1) / 2;
        }
    }

    // Room for the sorted-neighbourhood pairs is left at the end (never
    // touched where unused): growing the vector for them would copy it.
    let neighbour_room = recs.len() * cfg.sorted_window.saturating_sub(1);
    let mut pairs: Vec<u64> = collect_exact(
        &groups,
        neighbour_room,
        |&(s, e)| {
            let size = e - s;
            if size > KeyKind::from_bits(entries[s].0 >> 59).skip_above(cfg) {
                0
            } else if size > cfg.max_block_size {
                windowed_pair_count(size, window)
            } else {
                size * (size - 1) / 2
            }
        },
        |_, &(s, e), emit| {
            if e - s > KeyKind::from_bits(entries[s].0 >> 59).skip_above(cfg) {
                return;
            }
            let members: Vec<u32> = entries[s..e].iter().map(|x| x.1).collect();
            if members.len() > cfg.max_block_size {
                let mut sorted = members;
                sorted.sort_by(|&a, &b| {
                    recs[a as usize]
                        .name()
                        .cmp(recs[b as usize].name())
                        .then(a.cmp(&b))
                });
                for_each_windowed(&sorted, window, emit);
            } else {
                for (i, &a) in members.iter().enumerate() {
                    for &b in &members[i + 1..] {
                        emit(pack(a, b));
                    }
                }
            }
        },
    );
    let mut len = pairs.len() - neighbour_room;
    drop(entries);

    if cfg.sorted_window >= 2 {
        let mut order: Vec<u32> = (0..recs.len() as u32)
            .filter(|&i| !recs[i as usize].name().is_empty())
            .collect();
        order.par_sort_unstable_by(|&a, &b| {
            let (ra, rb) = (&recs[a as usize], &recs[b as usize]);
            kind_tag(ra.kind)
                .cmp(&kind_tag(rb.kind))
                .then_with(|| ra.name().cmp(rb.name()))
                .then(a.cmp(&b))
        });
        let before = len;
        for i in 0..order.len() {
            let a = order[i];
            for &b in order.iter().skip(i + 1).take(cfg.sorted_window - 1) {
                if recs[a as usize].kind == recs[b as usize].kind {
                    pairs[len] = pack(a, b);
                    len += 1;
                }
            }
        }
        per_key[KeyKind::SortedNeighbourhood as usize].pairs = len - before;
    }
    pairs.truncate(len);

    pairs.par_sort_unstable();
    pairs.dedup();

    for c in &mut capped {
        c.value = key_value(&recs[c.example as usize], cfg, cmp, c.key);
    }
    capped.sort_by(|a, b| {
        b.size
            .cmp(&a.size)
            .then(a.key.cmp(&b.key))
            .then(a.value.cmp(&b.value))
    });
    let report = BlockingReport {
        uncompared_pairs: capped.iter().map(CappedBlock::uncompared).sum(),
        field_blocks_by_initial,
        field_pairs_by_initial,
        capped,
        per_key,
        candidate_pairs: pairs.len(),
    };
    (pairs, report)
}

/// A block two records share, for `--explain`: which key, how many records
/// it holds, and whether blocking compared its pairs in full.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SharedBlock {
    pub key: KeyKind,
    pub size: usize,
    /// `Full`: every pair compared; `Windowed`: only neighbours by name;
    /// `Skipped`: too large, none compared.
    pub compared: BlockCompare,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockCompare {
    Full,
    Windowed,
    Skipped,
}

/// The blocks records `a` and `b` share (one scan over all records to size
/// them: for explaining one pair, not for the run).
pub fn shared_blocks(
    recs: &[Rec],
    a: usize,
    b: usize,
    cfg: &BlockingConfig,
    cmp: &Comparisons,
) -> Vec<SharedBlock> {
    let keys = |r: &Rec| {
        let mut v: Vec<(KeyKind, u64)> = Vec::new();
        let tag = kind_tag(r.kind);
        for_each_key(r, cfg, cmp, &mut |k, bytes| v.push((k, hash64(tag, bytes))));
        v.sort_unstable();
        v.dedup();
        v
    };
    let kb = keys(&recs[b]);
    let shared: Vec<(KeyKind, u64)> = keys(&recs[a])
        .into_iter()
        .filter(|k| kb.binary_search(k).is_ok())
        .collect();
    if shared.is_empty() {
        return Vec::new();
    }
    let sizes: Vec<usize> = recs
        .par_iter()
        .map(|r| {
            let mine = keys(r);
            shared
                .iter()
                .map(|k| usize::from(mine.binary_search(k).is_ok()))
                .collect::<Vec<_>>()
        })
        .reduce(
            || vec![0; shared.len()],
            |mut x, y| {
                x.iter_mut().zip(y).for_each(|(x, y)| *x += y);
                x
            },
        );
    shared
        .iter()
        .zip(sizes)
        .map(|(&(key, _), size)| SharedBlock {
            key,
            size,
            compared: if size > key.skip_above(cfg) {
                BlockCompare::Skipped
            } else if size > cfg.max_block_size {
                BlockCompare::Windowed
            } else {
                BlockCompare::Full
            },
        })
        .collect()
}

fn windowed_pair_count(n: usize, w: usize) -> usize {
    (0..n).map(|i| (n - 1 - i).min(w - 1)).sum()
}

fn for_each_windowed(sorted: &[u32], w: usize, emit: &mut dyn FnMut(u64)) {
    for i in 0..sorted.len() {
        for &b in sorted.iter().skip(i + 1).take(w - 1) {
            emit(pack(sorted[i], b));
        }
    }
}

/// Items made in parallel straight into one vector of the exact size, with
/// `room` default items after them for the caller; `fill` gets each
/// source's index. Pieces grown apart and
/// joined hold up to twice the items at the join: at a million records
/// that join was the peak of the whole match.
fn collect_exact<S: Sync, T: Copy + Default + Send + Sync>(
    sources: &[S],
    room: usize,
    count: impl Fn(&S) -> usize + Sync,
    fill: impl Fn(usize, &S, &mut dyn FnMut(T)) + Sync,
) -> Vec<T> {
    const PIECE: usize = 2048;
    let counts: Vec<usize> = sources
        .par_chunks(PIECE)
        .map(|piece| piece.iter().map(&count).sum())
        .collect();
    let total: usize = counts.iter().sum();
    let mut out = vec![T::default(); total + room];
    let mut slices = Vec::with_capacity(counts.len());
    let mut rest = &mut out[..total];
    for &n in &counts {
        let (head, tail) = rest.split_at_mut(n);
        slices.push(head);
        rest = tail;
    }
    sources
        .par_chunks(PIECE)
        .zip(slices)
        .enumerate()
        .for_each(|(p, (piece, slice))| {
            let mut k = 0;
            for (j, s) in piece.iter().enumerate() {
                fill(p * PIECE + j, s, &mut |t| {
                    slice[k] = t;
                    k += 1;
                });
            }
            assert_eq!(k, slice.len(), "a piece made as many items as it counted");
        });
    out
}

/// A readable value of the record's key of this kind (first one), for reports.
fn key_value(r: &Rec, cfg: &BlockingConfig, cmp: &Comparisons, kind: KeyKind) -> String {
    let mut out = None;
    for_each_key(r, cfg, cmp, &mut |k, bytes| {
        if k == kind && out.is_none() {
            out = Some(match k {
                KeyKind::NameTokens
                | KeyKind::NamePrefix
                | KeyKind::NameCity
                | KeyKind::NamePostal
                | KeyKind::AddressName
                | KeyKind::Address
                | KeyKind::StreetPostal => String::from_utf8_lossy(bytes).into_owned(),
                // Without the tag byte (family name or given name).
                KeyKind::NamePartPlace => String::from_utf8_lossy(&bytes[1..]).into_owned(),
                KeyKind::Field | KeyKind::FieldName => format!(
                    "{} {}",
                    cmp.field(bytes[0] as usize).name,
                    String::from_utf8_lossy(&bytes[1..])
                ),
                KeyKind::PhoneLast7 => {
                    format!(
                        "{:07}",
                        u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
                    )
                }
                _ => format!("{} of record {}", k, r.name()),
            });
        }
    });
    out.unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{OrgName, Party, Phone};

    fn party(name: &str, phone: &str) -> Party {
        Party {
            org: Some(OrgName {
                match_key: name.into(),
                ..OrgName::default()
            }),
            phones: vec![Phone {
                digits: phone.into(),
                ..Phone::default()
            }],
            ..Party::default()
        }
    }

    #[test]
    fn items_collected_exactly_keep_their_order_and_leave_the_room_empty() {
        let sources: Vec<u32> = (0..10_000).collect();
        let made: Vec<u64> = collect_exact(
            &sources,
            7,
            |&s| (s % 5) as usize,
            |i, &s, emit| {
                assert_eq!(i as u32, s);
                for k in 0..s % 5 {
                    emit(u64::from(s) * 10 + u64::from(k) + 1);
                }
            },
        );
        let expected: Vec<u64> = sources
            .iter()
            .flat_map(|&s| (0..s % 5).map(move |k| u64::from(s) * 10 + u64::from(k) + 1))
            .chain(std::iter::repeat_n(0, 7))
            .collect();
        assert_eq!(made, expected);
    }

    #[test]
    fn shared_phone_block_is_capped_and_reported() {
        let parties: Vec<Party> = (0..200)
            .map(|i| {
                party(
                    &format!("company {i} {}", (b'a' + (i % 26) as u8) as char),
                    "5551234",
                )
            })
            .collect();
        let recs: Vec<Rec> = parties.iter().map(Rec::prepare).collect();
        let cfg = BlockingConfig {
            max_block_size: 50,
            capped_window: 4,
            ..BlockingConfig::default()
        };
        let (pairs, report) = candidate_pairs(&recs, &cfg, Comparisons::builtin());
        let c = report
            .capped
            .iter()
            .find(|c| c.key == KeyKind::PhoneLast7)
            .expect("phone block capped");
        assert_eq!(c.size, 200);
        assert_eq!(c.value, "5551234");
        assert_eq!(c.pairs, 197 * 3 + 3);
        assert_eq!(c.uncompared(), 200 * 199 / 2 - (197 * 3 + 3));
        assert!(pairs.len() < 200 * 199 / 2 / 4, "{} pairs", pairs.len());
    }

    /// The default keys without the name's prefix, LSH and sorted
    /// neighbourhood: a test then sees which exact key brought a pair.
    fn without_fuzzy_name_keys() -> BlockingConfig {
        BlockingConfig {
            sorted_window: 0,
            name_prefix_len: 0,
            lsh_bands: 0,
            ..BlockingConfig::default()
        }
    }

    #[test]
    fn a_typo_late_in_the_street_line_still_meets_within_the_postal_code() {
        let at = |name: &str, street: &str, postal: &str| {
            let mut p = party(name, "");
            p.address = crate::model::Address {
                street: Some(street.into()),
                postal_code: Some(postal.into()),
                ..crate::model::Address::default()
            };
            Rec::prepare(&p)
        };
        let recs = [
            at("vanessa george", "cleland street rowethorpe", "4122"),
            at("zz unrelated", "harbour road", "9999"),
            at("vanessa geogre", "cleland street rowethope", "4122"),
            at("olga petrova", "cleland street rowethorpe", "5000"),
        ];
        let cfg = without_fuzzy_name_keys();
        let (pairs, _) = candidate_pairs(&recs, &cfg, Comparisons::builtin());
        assert_eq!(pairs, vec![pack(0, 2)]);
        let shared = shared_blocks(&recs, 0, 2, &cfg, Comparisons::builtin());
        assert_eq!(
            shared,
            vec![SharedBlock {
                key: KeyKind::StreetPostal,
                size: 2,
                compared: BlockCompare::Full,
            }]
        );
        // another postal code: no block in common
        assert!(shared_blocks(&recs, 0, 3, &cfg, Comparisons::builtin()).is_empty());
    }

    #[test]
    fn a_large_date_block_is_paired_within_initials_and_counted_apart() {
        // Twenty people born on one day: the date alone is too large a block,
        // the date with a name's initial pairs the two Masons.
        let families = [
            "mason", "mason", "avery", "brooks", "carter", "dixon", "evans", "fisher", "grant",
            "hayes", "irwin", "jones", "kelly", "lewis", "moore", "nolan", "owens", "price",
            "quinn", "reyes",
        ];
        let recs: Vec<Rec> = families
            .iter()
            .zip(["madeline", "madelyn"].iter().chain(std::iter::repeat(&"")))
            .map(|(family, given)| {
                let mut p = Party {
                    kind: Kind::Person,
                    person: Some(crate::normalize::person::person_from_parts(
                        family, given, "",
                    )),
                    ..Party::default()
                };
                p.original
                    .insert(crate::model::Field::BirthDate, "19560409".into());
                Rec::prepare(&p)
            })
            .collect();
        let cfg = without_fuzzy_name_keys();
        let (pairs, report) = candidate_pairs(&recs, &cfg, Comparisons::builtin());
        assert!(pairs.contains(&pack(0, 1)), "{pairs:?}");
        assert!(!pairs.contains(&pack(2, 3)), "{pairs:?}");
        assert!(report.capped.iter().all(|c| c.key != KeyKind::Field));
        assert_eq!(report.field_blocks_by_initial, 1);
        assert_eq!(report.field_pairs_by_initial, 20 * 19 / 2);
        assert_eq!(report.uncompared_pairs, 0);
        assert!(report.field_blocks_note().is_some());
    }

    #[test]
    fn typos_meet_and_output_is_sorted() {
        let parties = [
            party("golden gate day care", ""),
            party("zzz", ""),
            party("golden gaet day care", ""),
        ];
        let recs: Vec<Rec> = parties.iter().map(Rec::prepare).collect();
        let cfg = BlockingConfig {
            sorted_window: 0,
            ..BlockingConfig::default()
        };
        let (pairs, _) = candidate_pairs(&recs, &cfg, Comparisons::builtin());
        assert!(pairs.contains(&pack(0, 2)));
        assert!(pairs.windows(2).all(|w| w[0] < w[1]));
    }
}
