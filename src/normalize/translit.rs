//! Cyrillic → Latin transliteration for cross-script matching keys. (stub)

pub fn to_latin(s: &str) -> String {
    s.to_string()
}
