//! Addresses: a folded key for comparison.
//!
//! The key is meant for matching, not for display: NFKC, lower case, Ё→Е,
//! punctuation removed, street words folded to one short form
//! (`Street`/`St.` → `st`, `улица`/`ул.` → `ул`, `1丁目2番3号` → `1 2 3`),
//! see `data/address_abbreviations.tsv`.

use crate::model::Address;
use crate::normalize::text;
use std::sync::OnceLock;

const ABBREVIATIONS: &str = include_str!("../../data/address_abbreviations.tsv");

fn abbreviations() -> &'static text::FastMap<&'static str, &'static str> {
    static MAP: OnceLock<text::FastMap<&'static str, &'static str>> = OnceLock::new();
    MAP.get_or_init(|| {
        ABBREVIATIONS
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .filter_map(|l| l.split_once('\t'))
            .map(|(variant, canonical)| (variant.trim(), canonical.trim()))
            .collect()
    })
}

/// Japanese block-number words that separate the numbers of a 住所.
const JP_SEPARATORS: &[&str] = &["丁目", "番地", "番", "号"];

/// The folded comparison key of one address string.
pub fn address_key(input: &str) -> String {
    let folded = text::fold(input);
    let mut spaced = String::with_capacity(folded.len() + 8);
    let mut rest = folded.as_str();
    let mut prev: Option<char> = None;
    'outer: while let Some(c) = rest.chars().next() {
        // 1丁目2番地3号 → 1 2 3 (only after a digit, so 番町 in a name stays).
        if prev.is_some_and(|p| p.is_ascii_digit()) {
            for sep in JP_SEPARATORS {
                if let Some(r) = rest.strip_prefix(sep) {
                    spaced.push(' ');
                    rest = r;
                    prev = Some(' ');
                    continue 'outer;
                }
            }
        }
        let dash_after_digit = matches!(c, 'ー' | '－' | '-' | '‐' | '−' | '–' | '—');
        if text::is_alnum(c) && !dash_after_digit {
            spaced.push(c);
        } else if c == '\'' || c == '’' {
            // O'Hare → ohare
        } else {
            spaced.push(' ');
        }
        prev = Some(c);
        rest = &rest[c.len_utf8()..];
    }
    let map = abbreviations();
    let mut out = String::with_capacity(spaced.len());
    for token in spaced.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(map.get(token).copied().unwrap_or(token));
    }
    out
}

/// Fill `match_key` (from `full`, or from the parts when `full` is empty).
pub fn normalize_address(mut address: Address) -> Address {
    address.match_key = if address.full.trim().is_empty() {
        let source = [&address.city, &address.street]
            .iter()
            .filter_map(|p| p.as_deref())
            .collect::<Vec<_>>()
            .join(" ");
        address_key(&source)
    } else {
        address_key(&address.full)
    };
    address
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_street_words_fold() {
        assert_eq!(address_key("707 E. 37th St. "), "707 e 37th st");
        assert_eq!(address_key("707 East 37th Street"), "707 e 37th st");
        assert_eq!(
            address_key("5300 N. Ashland Avenue, Suite 2"),
            "5300 n ashland ave ste 2"
        );
    }

    #[test]
    fn russian_forms_fold() {
        assert_eq!(
            address_key("г. Москва, ул.Ленина, д.5"),
            address_key("город Москва улица Ленина дом 5")
        );
        assert_eq!(address_key("ул. Ёлкина"), "ул елкина");
    }

    #[test]
    fn japanese_block_numbers_fold() {
        assert_eq!(
            address_key("千代田区丸の内1丁目2番3号"),
            address_key("千代田区丸の内１－２－３")
        );
    }

    #[test]
    fn normalize_fills_key_from_parts() {
        let a = normalize_address(Address {
            city: Some("Chicago".into()),
            street: Some("221 E. 51st St.".into()),
            ..Address::default()
        });
        assert_eq!(a.match_key, "chicago 221 e 51st st");
    }
}
