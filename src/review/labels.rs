//! The workbook's and the page's words in English, Russian and Japanese, from
//! `data/review_labels.toml`; decisions are read back in any of them.

use std::collections::HashMap;
use std::sync::LazyLock;

pub use crate::model::lang::Lang;

type Table = HashMap<String, HashMap<String, String>>;

static LABELS: LazyLock<Table> = LazyLock::new(|| {
    // The file is part of the binary and checked by a unit test.
    toml::from_str(include_str!("../../data/review_labels.toml")).unwrap_or_default()
});

/// The label of `key` in `lang`; English, then the key itself, where missing.
pub fn label(lang: Lang, key: &str) -> &'static str {
    let get = |l: Lang| LABELS.get(l.code()).and_then(|t| t.get(key));
    match get(lang).or_else(|| get(Lang::En)) {
        Some(s) => s.as_str(),
        None => "",
    }
}

/// A comparison field's name or level label in words (the comparison table's
/// English when the labels file has no translation).
pub fn reason_word(lang: Lang, kind: &str, english: &str) -> String {
    let l = label(lang, &format!("reason.{kind}.{english}"));
    if l.is_empty() {
        english.to_string()
    } else {
        l.to_string()
    }
}

fn fold(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfkc()
        .collect::<String>()
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every `value.*` label in every language, and each key's own code
/// (`keep_apart`, `keep apart`), folded → the key.
static VALUES: LazyLock<HashMap<String, String>> = LazyLock::new(|| {
    let mut out = HashMap::new();
    for lang in Lang::ALL {
        for (key, text) in LABELS.get(lang.code()).into_iter().flatten() {
            if let Some(code) = key.strip_prefix("value.") {
                out.insert(fold(text), key.clone());
                out.insert(code.to_string(), key.clone());
                out.insert(code.replace('_', " "), key.clone());
            }
        }
    }
    out
});

/// Which of `keys` a cell's text names, in any language or as the key's own
/// code (`merge`, `keep_apart`): case, width and spaces do not matter.
pub fn parse_value<'k>(text: &str, keys: &[&'k str]) -> Option<&'k str> {
    let key = VALUES.get(&fold(text))?;
    keys.iter().copied().find(|k| *k == key)
}

/// A sheet's name in any language → its key.
pub fn sheet_key<'k>(name: &str, keys: &[&'k str]) -> Option<&'k str> {
    keys.iter()
        .copied()
        .find(|k| Lang::ALL.iter().any(|&l| label(l, k) == name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_key() {
        let en = &LABELS["en"];
        assert!(en.len() > 50, "labels file read: {} keys", en.len());
        for lang in ["ru", "ja"] {
            let t = &LABELS[lang];
            let missing: Vec<&String> = en.keys().filter(|k| !t.contains_key(*k)).collect();
            let extra: Vec<&String> = t.keys().filter(|k| !en.contains_key(*k)).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{lang}: missing {missing:?}, extra {extra:?}"
            );
        }
    }

    #[test]
    fn decisions_are_read_in_any_language() {
        let keys = ["value.merge", "value.keep_apart"];
        for (text, want) in [
            ("merge", "value.merge"),
            (" Keep  Apart ", "value.keep_apart"),
            ("keep_apart", "value.keep_apart"),
            ("объединить", "value.merge"),
            ("Не объединять", "value.keep_apart"),
            ("統合する", "value.merge"),
            ("統合しない", "value.keep_apart"),
        ] {
            assert_eq!(parse_value(text, &keys), Some(want), "{text}");
        }
        assert_eq!(parse_value("mrege", &keys), None);
        assert_eq!(Lang::of_region("JP"), Lang::Ja);
        assert_eq!(
            sheet_key("Пары лиц", &["sheet.person_pairs"]),
            Some("sheet.person_pairs")
        );
    }

    #[test]
    fn every_level_of_the_comparison_table_has_words() {
        let table = include_str!("../../data/comparisons.toml");
        let value: toml::Value = toml::from_str(table).expect("comparisons.toml");
        for field in value["field"].as_array().expect("fields") {
            let name = field["name"].as_str().expect("name");
            assert!(
                !label(Lang::Ru, &format!("reason.field.{name}")).is_empty(),
                "{name}"
            );
            for level in field["levels"].as_array().expect("levels") {
                let l = level["label"].as_str().expect("label");
                assert!(
                    !label(Lang::Ja, &format!("reason.level.{l}")).is_empty(),
                    "{name}: {l}"
                );
            }
        }
    }
}
