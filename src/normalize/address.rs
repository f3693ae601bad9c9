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

/// The folded comparison key of one address string, built in one pass: tokens are
/// written straight to the key and replaced by their short form when they end.
pub fn address_key(input: &str) -> String {
    let folded = text::fold(input);
    let map = abbreviations();
    let mut out = String::with_capacity(folded.len());
    // The current token: where it starts in `out`, and whether it has a letter
    // (no abbreviation is all digits, so house numbers skip the lookup).
    let mut token: Option<(usize, bool)> = None;
    let end_token = |out: &mut String, token: &mut Option<(usize, bool)>| {
        if let Some((start, true)) = token.take()
            && let Some(short) = map.get(&out[start..])
        {
            out.truncate(start);
            out.push_str(short);
            if short.is_empty() && out.ends_with(' ') {
                out.pop();
            }
        }
    };
    let mut rest = folded.as_str();
    let mut prev: Option<char> = None;
    'outer: while let Some(c) = rest.chars().next() {
        // 1丁目2番地3号 → 1 2 3 (only after a digit, so 番町 in a name stays).
        if prev.is_some_and(|p| p.is_ascii_digit()) && !c.is_ascii() {
            for sep in JP_SEPARATORS {
                if let Some(r) = rest.strip_prefix(sep) {
                    end_token(&mut out, &mut token);
                    rest = r;
                    prev = Some(' ');
                    continue 'outer;
                }
            }
        }
        let dash_after_digit = matches!(c, 'ー' | '－' | '-' | '‐' | '−' | '–' | '—');
        if text::is_alnum(c) && !dash_after_digit {
            let (_, letter) = token.get_or_insert_with(|| {
                if !out.is_empty() {
                    out.push(' ');
                }
                (out.len(), false)
            });
            *letter |= !c.is_ascii_digit();
            out.push(c);
        } else if c == '\'' || c == '’' {
            // O'Hare → ohare
        } else {
            end_token(&mut out, &mut token);
        }
        prev = Some(c);
        rest = &rest[c.len_utf8()..];
    }
    end_token(&mut out, &mut token);
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
