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

#[derive(Clone, Copy, PartialEq, Eq)]
enum Script {
    Latin,
    Cyrillic,
    Cjk,
}

/// The script a region's names are written in (Latin unless listed).
fn region_script(region: &str) -> Script {
    const CYRILLIC: [&str; 10] = ["RU", "BY", "UA", "KZ", "KG", "TJ", "BG", "RS", "MK", "MN"];
    const CJK: [&str; 6] = ["JP", "CN", "TW", "HK", "MO", "KR"];
    let r = region.trim().to_ascii_uppercase();
    if CYRILLIC.contains(&r.as_str()) {
        Script::Cyrillic
    } else if CJK.contains(&r.as_str()) {
        Script::Cjk
    } else {
        Script::Latin
    }
}

/// The names of the row (organization, person, company text).
fn name_text(p: &Party) -> impl Iterator<Item = char> + '_ {
    [
        Field::Name,
        Field::FullName,
        Field::FamilyName,
        Field::GivenName,
        Field::OrganizationRef,
    ]
    .into_iter()
    .filter_map(|f| p.original(f))
    .flat_map(str::chars)
}

/// Whether the script of the row's names points from the source's region to
/// `candidate`: names in `candidate`'s script, which is not the source's. A
/// Latin name in a Latin-script source says nothing about which Latin country.
pub fn script_points_to(p: &Party, source: &str, candidate: &str) -> bool {
    let want = region_script(candidate);
    if want == region_script(source) {
        return false;
    }
    name_text(p).any(|c| match want {
        Script::Latin => c.is_ascii_alphabetic() || matches!(c, '\u{C0}'..='\u{24F}'),
        Script::Cyrillic => matches!(c, '\u{0400}'..='\u{04FF}'),
        Script::Cjk => {
            matches!(c, '\u{3040}'..='\u{30FF}' | '\u{4E00}'..='\u{9FFF}' | '\u{AC00}'..='\u{D7AF}')
        }
    })
}

/// The country an address names in its last part (`…, Sydney NSW 2000, Australia`);
/// full names only: a two-letter tail is as often a state (`CA`) as a country.
fn address_country(address: &str) -> Option<String> {
    let last = address.rsplit([',', '\n']).next()?;
    COUNTRIES.get(&fold(last)).map(|iso| (*iso).to_string())
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
    push(p.original(Field::Address).and_then(address_country));
    for e in &p.emails {
        push(e.domain().and_then(tld_country));
    }
    push(p.website.as_deref().and_then(tld_country));
    if name_text(p).any(|c| matches!(c, '\u{3040}'..='\u{30FF}' | '\u{4E00}'..='\u{9FFF}')) {
        push(Some("JP".into()));
    }
    if name_text(p).any(|c| matches!(c, '\u{0400}'..='\u{04FF}')) {
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
