//! Text folding shared by every normalizer.
//!
//! Most cells are ASCII or plain Cyrillic/kanji text that NFKC leaves alone, so
//! every function here first checks whether the expensive Unicode machinery
//! (decompose, reorder, recompose) can change anything, and skips it when not.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// FxHash, the multiply-rotate hasher of rustc. The static word tables (legal forms,
/// titles, suffixes, abbreviations) are looked up with short keys several times per
/// row; SipHash's flooding resistance buys nothing for tables only this crate fills.
#[derive(Clone, Copy, Default)]
pub(crate) struct FxHasher(u64);

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    /// The product's low bits depend only on the input's low bits, and the
    /// table picks its bucket by the low bits: rotated, as rustc-hash 2 does
    /// (without it a million organizations' source keys, `ORG-0001234`,
    /// shared a few thousand buckets and the link stage spent a third of its
    /// time comparing keys).
    #[inline]
    fn finish(&self) -> u64 {
        self.0.rotate_left(26)
    }
}

pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;
pub(crate) type FastSet<T> = HashSet<T, BuildHasherDefault<FxHasher>>;

/// Dashes and long vowel marks people type inside numbers: NFKC leaves them alone.
const DASHES: &[char] = &[
    '\u{2010}', '\u{2011}', '\u{2012}', '\u{2013}', '\u{2014}', '\u{2015}', '\u{2212}', '\u{FE58}',
    '\u{FE63}', '\u{FF0D}', '\u{30FC}', '\u{FF70}', '\u{2500}', '\u{2501}',
];

/// NFKC leaves `c` unchanged whatever surrounds it: a starter (combining class 0)
/// whose NFKC quick-check property is `Yes`. A character that could compose with
/// the one before it is `Maybe`, so a string of such characters is its own NFKC.
fn nfkc_inert(c: char) -> bool {
    match c {
        // The common scripts, answered without table lookups (checked against the
        // tables in the tests): basic Cyrillic, kana, CJK ideographs.
        '\u{0410}'..='\u{044F}' | 'Ё' | 'ё' | '\u{3041}'..='\u{3096}' => true,
        '\u{30A1}'..='\u{30FA}' | '\u{30FC}'..='\u{30FE}' | '\u{4E00}'..='\u{9FFF}' => true,
        c if c.is_ascii() => true,
        c => {
            canonical_combining_class(c) == 0
                && is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes
        }
    }
}

/// NFKC of a character whose compatibility mapping is a single starter that
/// nothing composes with: full-width ASCII (`０`, `Ａ`, `－`) and the ideographic space.
fn nfkc_simple(c: char) -> Option<char> {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0),
        '\u{3000}' => Some(' '),
        _ => None,
    }
}

/// NFKC, borrowed when the text is already normalized (ASCII, plain Cyrillic,
/// kana and kanji). Text whose only changes are full-width ASCII or ideographic
/// spaces is mapped character by character; anything else takes the full algorithm.
pub fn nfkc_cow(s: &str) -> Cow<'_, str> {
    if s.is_ascii() {
        return Cow::Borrowed(s);
    }
    let mut simple = false;
    for c in s.chars() {
        if nfkc_simple(c).is_some() {
            simple = true;
        } else if !nfkc_inert(c) {
            return Cow::Owned(s.nfkc().collect());
        }
    }
    if simple {
        Cow::Owned(s.chars().map(|c| nfkc_simple(c).unwrap_or(c)).collect())
    } else {
        Cow::Borrowed(s)
    }
}

/// NFKC (full-width → ASCII, ㈱ → (株), half-width kana → full-width) and every
/// dash-like character → `-`.
pub fn nfkc(s: &str) -> String {
    let n = nfkc_cow(s);
    if n.is_ascii() {
        return n.into_owned();
    }
    n.chars()
        .map(|c| if DASHES.contains(&c) { '-' } else { c })
        .collect()
}

/// NFKC without touching dashes: for names, where `ー` is a real kana.
pub fn nfkc_keep_dashes(s: &str) -> String {
    nfkc_cow(s).into_owned()
}

/// Collapse runs of white space (including U+3000) to one ASCII space and trim.
pub fn collapse_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Ё → Е, ё → е: the same letter for matching, though not for display.
pub fn fold_yo(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'Ё' => 'Е',
            'ё' => 'е',
            c => c,
        })
        .collect()
}

/// `char::is_alphabetic`, with the common scripts answered without the table search
/// (checked against it in the tests).
#[inline]
pub(crate) fn is_alpha(c: char) -> bool {
    match c {
        'a'..='z' | 'A'..='Z' | 'А'..='я' | 'Ё' | 'ё' => true,
        '\u{3041}'..='\u{3096}' | '\u{30A1}'..='\u{30FA}' | '\u{4E00}'..='\u{9FFF}' => true,
        '\0'..='\x7F' => false,
        c => c.is_alphabetic(),
    }
}

/// `char::is_alphanumeric`, with the fast paths of [`is_alpha`].
#[inline]
pub(crate) fn is_alnum(c: char) -> bool {
    match c {
        '0'..='9' => true,
        c if c.is_ascii() => c.is_ascii_alphabetic(),
        c => is_alpha(c) || c.is_numeric(),
    }
}

/// The lower case of `c` when it is one character found without the Unicode
/// tables: ASCII, basic Cyrillic and the caseless kana/kanji blocks.
#[inline]
pub(crate) fn lower_fast(c: char) -> Option<char> {
    match c {
        'A'..='Z' | 'А'..='Я' => char::from_u32(c as u32 + 0x20),
        '\u{0400}'..='\u{040F}' => char::from_u32(c as u32 + 0x50),
        '\0'..='\x7F' | 'а'..='я' | '\u{0450}'..='\u{045F}' | '\u{3000}'..='\u{9FFF}' => Some(c),
        _ => None,
    }
}

/// Calls `f` with each character of `char::to_lowercase(c)`, with the fast paths
/// of [`lower_fast`].
#[inline]
pub(crate) fn for_each_lower(c: char, mut f: impl FnMut(char)) {
    match lower_fast(c) {
        Some(l) => f(l),
        None => c.to_lowercase().for_each(f),
    }
}

/// Appends the lower case of `c`, as `char::to_lowercase`.
#[inline]
pub(crate) fn push_lower(c: char, out: &mut String) {
    match lower_fast(c) {
        Some(l) => out.push(l),
        None => out.extend(c.to_lowercase()),
    }
}

/// Greek capital sigma (U+03A3, UTF-8 `CE A3`). `str::contains(char)` on a non-ASCII char
/// runs the substring searcher, which on Cyrillic text cost a third of a person name's
/// time; a byte scan is several times cheaper.
#[inline]
fn has_capital_sigma(s: &str) -> bool {
    // `[u8]::contains` on a byte is memchr; Greek lead bytes are rare outside Greek text.
    s.as_bytes().contains(&0xCE) && s.as_bytes().windows(2).any(|w| w == [0xCE, 0xA3])
}

/// `str::to_lowercase` with the fast paths of [`push_lower`]; Greek capital sigma,
/// whose lower case depends on its position in a word, takes the std path.
pub(crate) fn to_lower(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    if has_capital_sigma(s) {
        return s.to_lowercase();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        push_lower(c, &mut out);
    }
    out
}

/// `fold_yo(&s.to_lowercase())` in one pass.
pub(crate) fn lower_yo(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    if has_capital_sigma(s) {
        return fold_yo(&s.to_lowercase());
    }
    let yo = |l: char| if l == 'ё' { 'е' } else { l };
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        for_each_lower(c, |l| out.push(yo(l)));
    }
    out
}

/// The key used to compare free text: NFKC, lower case, Ё→Е, white space collapsed.
/// One pass over the NFKC'd text, which is borrowed when already normal.
pub fn fold(s: &str) -> String {
    let n = nfkc_cow(s);
    if has_capital_sigma(&n) {
        return collapse_ws(&fold_yo(&n.to_lowercase()));
    }
    let mut out = String::with_capacity(n.len());
    let mut space = false;
    let yo = |l: char| if l == 'ё' { 'е' } else { l };
    for c in n.chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        // A lower-case mapping never yields white space, so only Ё needs care.
        match lower_fast(c) {
            Some(l) => out.push(yo(l)),
            None => out.extend(c.to_lowercase().map(yo)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nfkc_folds_width_and_dashes() {
        assert_eq!(nfkc("０３－１２３４－５６７８"), "03-1234-5678");
        assert_eq!(nfkc("03ー1234−5678"), "03-1234-5678");
        assert_eq!(nfkc("㈱"), "(株)");
    }

    #[test]
    fn fold_is_case_yo_and_space_insensitive() {
        assert_eq!(fold("  Пётр\u{3000}ЁЛКИН "), "петр елкин");
        assert_eq!(fold("ＡＣＭＥ  Inc"), "acme inc");
    }

    /// The unoptimized definitions the fast paths must agree with.
    fn reference_fold(s: &str) -> String {
        collapse_ws(&fold_yo(&s.nfkc().collect::<String>().to_lowercase()))
    }

    #[test]
    fn fast_paths_agree_with_the_unicode_tables() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(is_alpha(c), c.is_alphabetic(), "{c:?}");
            assert_eq!(is_alnum(c), c.is_alphanumeric(), "{c:?}");
            let mut lower = String::new();
            for_each_lower(c, |l| lower.push(l));
            assert_eq!(lower, c.to_lowercase().to_string(), "{c:?}");
            if let Some(l) = lower_fast(c) {
                assert_eq!(c.to_lowercase().collect::<String>(), l.to_string(), "{c:?}");
            }
            let s = c.to_string();
            if nfkc_inert(c) {
                assert_eq!(s.nfkc().collect::<String>(), s, "{c:?}");
                assert_eq!(canonical_combining_class(c), 0, "{c:?}");
                assert_eq!(is_nfkc_quick(s.chars()), IsNormalized::Yes, "{c:?}");
            }
            if let Some(n) = nfkc_simple(c) {
                assert_eq!(s.nfkc().collect::<String>(), n.to_string(), "{c:?}");
            }
        }
    }

    #[test]
    fn fold_agrees_with_its_definition() {
        for s in [
            "ΣΑΣ Σ",
            "ＡＢＣ\u{301}",
            "e\u{301} ㈱ ｶﾞ",
            "Ａ\u{301}x",
            "  ＯＯＯ «Ёлка»  ",
            "東京都中央区日本橋１－２－３",
            "İstanbul",
        ] {
            assert_eq!(fold(s), reference_fold(s), "{s:?}");
            assert_eq!(nfkc_cow(s), s.nfkc().collect::<String>(), "{s:?}");
            assert_eq!(to_lower(s), s.to_lowercase(), "{s:?}");
            assert_eq!(lower_yo(s), fold_yo(&s.to_lowercase()), "{s:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn fold_and_nfkc_agree_with_the_full_algorithms(s in "\\PC{0,40}") {
            proptest::prop_assert_eq!(fold(&s), reference_fold(&s));
            proptest::prop_assert_eq!(nfkc_cow(&s), s.nfkc().collect::<String>());
            proptest::prop_assert_eq!(to_lower(&s), s.to_lowercase());
            proptest::prop_assert_eq!(lower_yo(&s), fold_yo(&s.to_lowercase()));
        }

        #[test]
        fn mixed_script_text_agrees(s in "[a-zA-Zа-яА-ЯёЁ０-９Ａ-Ｚａ-ｚ\u{3000}\u{301}\u{3099}ｱ-ﾝﾞ あ-んア-ン一-龥ΣΑ-Ω .,-]{0,40}") {
            proptest::prop_assert_eq!(fold(&s), reference_fold(&s));
            proptest::prop_assert_eq!(nfkc(&s), s.nfkc().map(|c| if DASHES.contains(&c) { '-' } else { c }).collect::<String>());
            proptest::prop_assert_eq!(to_lower(&s), s.to_lowercase());
        }
    }
}
