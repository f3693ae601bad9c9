//! Which country a row is in, when a source mixes countries: its country
//! column, the country-code domains of its e-mails and website, the script of
//! its names. Phones that are invalid under the source's region are retried
//! under these.

use super::text::fold;
use crate::model::{Field, Party};
use std::sync::LazyLock;

static COUNTRIES: LazyLock<super::text::FastMap<String, &'static str>> = LazyLock::new(|| {
    include_str!("../../data/countries.tsv")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_once('\t'))
        .map(|(iso, name)| (fold(name), iso))
        .collect()
});

/// ISO alpha-2 of a written country name or code (`Япония`, `USA`, `jp`).
pub fn country_code(written: &str) -> Option<String> {
    let f = fold(written);
    if let Some(iso) = COUNTRIES.get(&f) {
        return Some((*iso).to_string());
    }
    (f.len() == 2 && f.bytes().all(|b| b.is_ascii_lowercase())).then(|| f.to_ascii_uppercase())
}

/// Country of a country-code top-level domain (`.jp`, `.рф`); `None` for `.com` and friends.
fn tld_country(domain: &str) -> Option<String> {
    let tld = domain.rsplit('.').next()?;
    match tld {
        "рф" => Some("RU".into()),
        "uk" => Some("GB".into()),
        "su" => Some("RU".into()),
        t if t.len() == 2 && t.bytes().all(|b| b.is_ascii_lowercase()) => {
            Some(t.to_ascii_uppercase())
        }
        _ => None,
    }
}

/// Regions this row hints at, strongest first, without repeats.
pub fn hints(p: &Party) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |r: Option<String>| {
        if let Some(r) = r
            && !out.contains(&r)
        {
            out.push(r);
        }
    };
    push(p.original(Field::Country).and_then(country_code));
    for e in &p.emails {
        push(e.domain().and_then(tld_country));
    }
    push(p.website.as_deref().and_then(tld_country));
    let names = [
        Field::Name,
        Field::FullName,
        Field::FamilyName,
        Field::GivenName,
        Field::OrganizationRef,
    ];
    let text: String = names.iter().filter_map(|f| p.original(*f)).collect();
    if text
        .chars()
        .any(|c| matches!(c, '\u{3040}'..='\u{30FF}' | '\u{4E00}'..='\u{9FFF}'))
    {
        push(Some("JP".into()));
    }
    if text.chars().any(|c| matches!(c, '\u{0400}'..='\u{04FF}')) {
        push(Some("RU".into()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_names_and_codes() {
        assert_eq!(country_code("Япония").as_deref(), Some("JP"));
        assert_eq!(country_code(" United  States ").as_deref(), Some("US"));
        assert_eq!(country_code("jp").as_deref(), Some("JP"));
        assert_eq!(country_code("Atlantis"), None);
    }

    #[test]
    fn hints_from_country_domains_and_script() {
        let mut p = Party::default();
        p.original.insert(Field::Name, "山田 太郎".into());
        p.website = Some("example.co.jp".into());
        assert_eq!(hints(&p), vec!["JP".to_string()]);
        p.original.insert(Field::Country, "USA".into());
        assert_eq!(hints(&p), vec!["US".to_string(), "JP".to_string()]);
        assert_eq!(tld_country("acme.com"), None);
        assert_eq!(tld_country("пример.рф").as_deref(), Some("RU"));
    }
}
