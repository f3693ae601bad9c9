//! Text folding shared by every normalizer.

use unicode_normalization::UnicodeNormalization;

/// Dashes and long vowel marks people type inside numbers: NFKC leaves them alone.
const DASHES: &[char] = &[
    '\u{2010}', '\u{2011}', '\u{2012}', '\u{2013}', '\u{2014}', '\u{2015}', '\u{2212}', '\u{FE58}',
    '\u{FE63}', '\u{FF0D}', '\u{30FC}', '\u{FF70}', '\u{2500}', '\u{2501}',
];

/// NFKC (full-width → ASCII, ㈱ → (株), half-width kana → full-width) and every
/// dash-like character → `-`.
pub fn nfkc(s: &str) -> String {
    s.nfkc()
        .map(|c| if DASHES.contains(&c) { '-' } else { c })
        .collect()
}

/// NFKC without touching dashes: for names, where `ー` is a real kana.
pub fn nfkc_keep_dashes(s: &str) -> String {
    s.nfkc().collect()
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

/// The key used to compare free text: NFKC, lower case, Ё→Е, white space collapsed.
pub fn fold(s: &str) -> String {
    collapse_ws(&fold_yo(&nfkc_keep_dashes(s).to_lowercase()))
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
}
