//! A mapped row → a [`Party`]: every field through its normalizer, originals
//! kept, quality flags collected.

use super::{address, email, org, person, phone, region, tax_id, web};
use crate::model::Cell;
use crate::model::flags::{
    EMAIL_INVALID, LEGAL_FORM_UNKNOWN, PHONE_REGION_INFERRED, PLACEHOLDER, WEBSITE_FREE_MAIL,
    WEBSITE_INVALID,
};
use crate::model::{Address, Field, Flag, Kind, Party, PhoneRole, Provenance};
use std::collections::BTreeMap;

pub const NO_NAME: &str = "no name, tax ID or contact: nothing identifies this row";

static PLACEHOLDERS: std::sync::LazyLock<super::text::FastSet<&'static str>> =
    std::sync::LazyLock::new(|| super::web::table(include_str!("../../data/placeholders.txt")));

/// Most non-space characters of any listed placeholder: a longer cell is
/// not one of them, and most cells are decided on that count alone.
static LONGEST_PLACEHOLDER: std::sync::LazyLock<usize> = std::sync::LazyLock::new(|| {
    PLACEHOLDERS
        .iter()
        .map(|p| p.chars().filter(|c| !c.is_whitespace()).count())
        .max()
        .unwrap_or(0)
});

/// Words that open free-text stand-ins such as "no e-mail" or «нет телефона».
const NEGATIONS: [&str; 4] = ["no", "нет", "none", "без"];

fn is_wrapper(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '«' | '»' | '(' | ')' | '[' | ']' | '<' | '>' | '「' | '」' | '（' | '）'
    )
}

/// Is this cell a stand-in for "no value"? Free text such as "no e-mail" or
/// «нет телефона» in a contact column counts too.
pub fn is_placeholder(field: Field, text: &str) -> bool {
    let core = text.trim().trim_matches(is_wrapper);
    let contact = matches!(
        field,
        Field::Email | Field::Phone | Field::Mobile | Field::Fax | Field::Website
    );
    // Lower-casing never shortens a text, so a cell with more non-space
    // characters than the longest placeholder cannot fold to one.
    let long = core
        .chars()
        .filter(|c| !c.is_whitespace())
        .take(*LONGEST_PLACEHOLDER + 1)
        .count()
        > *LONGEST_PLACEHOLDER;
    let negated = || {
        let mut words = core.split_whitespace();
        words
            .next()
            .is_some_and(|w| NEGATIONS.iter().any(|n| w.to_lowercase() == *n))
            && words.next().is_some()
    };
    if long && !(contact && negated()) {
        return false;
    }
    let folded = core
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    if PLACEHOLDERS.contains(folded.as_str()) {
        return true;
    }
    contact
        && !folded.contains('@')
        && !folded.chars().any(|c| c.is_ascii_digit())
        && folded.split(' ').count() <= 4
        && negated()
}

/// What normalization needs to know about a row's source.
#[derive(Clone, Debug)]
pub struct PartyContext<'a> {
    pub region: &'a str,
    pub default_area_code: Option<&'a str>,
    /// Column names, by position.
    pub headers: &'a [String],
    /// Field per column, by position.
    pub fields: &'a [Option<Field>],
    /// Alias rank per column (see `Mapping::ranks`).
    pub ranks: &'a [u16],
    /// The field the source-key column also holds (see `Mapping::key_field`).
    pub key_field: Option<Field>,
    /// The project's other regions (its sources'), tried for phones that are
    /// invalid under `region`.
    pub fallback_regions: &'a [String],
    /// Extra separators the profile declares per field.
    pub separators: &'a BTreeMap<Field, Vec<String>>,
    /// Per column: text put before its value when joined (`д.` before a house
    /// number), see `Mapping::labels`.
    pub labels: &'a [Option<String>],
}

/// Build a party, and the reason to reject its row when nothing identifies it.
pub fn build_party(
    provenance: Provenance,
    kind: Kind,
    cells: &[Cell],
    ingest_flags: Vec<Flag>,
    ctx: &PartyContext,
) -> (Party, Option<String>) {
    let mut p = collect(provenance, kind, cells, ingest_flags, ctx);
    names(&mut p);
    contact_points(&mut p, ctx);
    identifiers(&mut p, ctx);
    finish(p)
}

/// The row's cells as the party's original values (the best-ranked column per field).
fn collect(
    provenance: Provenance,
    kind: Kind,
    cells: &[Cell],
    ingest_flags: Vec<Flag>,
    ctx: &PartyContext,
) -> Party {
    let mut p = Party {
        provenance,
        kind,
        flags: ingest_flags,
        ..Party::default()
    };
    let mut best_rank: BTreeMap<Field, u16> = BTreeMap::new();
    for (i, cell) in cells.iter().enumerate() {
        // Text cells (nearly all) are read in place rather than copied.
        let owned;
        let text = match cell {
            Cell::Text(s) => s.as_str(),
            Cell::Empty(()) => "",
            other => {
                owned = other.to_text();
                owned.as_str()
            }
        };
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        let field = match ctx.fields.get(i).copied().flatten() {
            Some(Field::SourceKey) => ctx.key_field,
            f => f,
        };
        if let Some(f) = field
            && !matches!(f, Field::SourceKey | Field::Kind | Field::Notes)
            && is_placeholder(f, text)
        {
            p.flags
                .push(Flag::new(PLACEHOLDER, Some(f), text.to_string()));
            continue;
        }
        let labelled;
        let text = match ctx.labels.get(i).and_then(Option::as_deref) {
            Some(label) => {
                labelled = format!("{label} {text}");
                labelled.as_str()
            }
            None => text,
        };
        match field {
            Some(Field::SourceKey | Field::Kind) => {}
            Some(field) => match joiner(field) {
                Some(joiner) => {
                    p.original
                        .entry(field)
                        .and_modify(|v| {
                            v.push_str(joiner);
                            v.push_str(text);
                        })
                        .or_insert_with(|| text.to_string());
                }
                None => {
                    let rank = ctx.ranks.get(i).copied().unwrap_or(0);
                    if best_rank.get(&field).is_none_or(|&r| rank < r) {
                        best_rank.insert(field, rank);
                        p.original.insert(field, text.to_string());
                    }
                }
            },
            None => {
                let header = ctx
                    .headers
                    .get(i)
                    .cloned()
                    .unwrap_or_else(|| format!("column {}", i + 1));
                p.extra.insert(header, text.to_string());
            }
        }
    }
    p
}

/// Address key, flags in order, and the reject reason.
fn finish(mut p: Party) -> (Party, Option<String>) {
    p.address = address::normalize_address(assemble_address(&p));
    p.flags.sort();
    p.flags.dedup();
    let identified = [
        Field::Name,
        Field::FullName,
        Field::FamilyName,
        Field::GivenName,
        Field::TaxId,
        Field::RegistrationId,
        Field::Phone,
        Field::Mobile,
        Field::Email,
    ]
    .iter()
    .any(|f| p.original.contains_key(f));
    let reject = (!identified).then(|| NO_NAME.to_string());
    (p, reject)
}

/// Fields whose columns all hold values (Phone + Phone 2; address lines) are
/// joined; for any other field the profile's best-ranked non-empty column wins.
fn joiner(field: Field) -> Option<&'static str> {
    match field {
        Field::Phone | Field::Mobile | Field::Fax | Field::Email => Some("; "),
        Field::Address | Field::Street | Field::Notes => Some(", "),
        _ => None,
    }
}

fn names(p: &mut Party) {
    let name = p.original(Field::Name).or(p.original(Field::FullName));
    let reading = p.original(Field::NameReading).map(str::to_string);
    match p.kind {
        Kind::Organization => p.org = name.map(org::normalize_org_name),
        Kind::SoleProprietor => {
            let o = name.map(org::normalize_org_name);
            // ИП "Иванов Иван Иванович": the core name is the person's name.
            p.person = o
                .as_ref()
                .filter(|o| !o.name.is_empty())
                .map(|o| person::normalize_person_name(&o.name, person::NameOrder::Auto));
            p.org = o;
        }
        Kind::Person => {
            let (family, given, middle) = (
                p.original(Field::FamilyName),
                p.original(Field::GivenName),
                p.original(Field::MiddleName),
            );
            // MYOB's "Co./Last Name" beside "First Name": the name column is
            // the family name.
            let family = family.or(given.and(name));
            p.person = if family.is_some() || given.is_some() {
                Some(person::person_from_parts(
                    family.unwrap_or(""),
                    given.unwrap_or(""),
                    middle.unwrap_or(""),
                ))
            } else {
                name.map(|n| person::normalize_person_name(n, person::NameOrder::Auto))
            };
        }
    }
    if let (Some(person), Some(reading)) = (p.person.as_mut(), reading) {
        person.reading = Some(reading);
    }
    legal_form_column(p);
}

/// A profile's legal-form column (`Организационно-правовая форма`, `法人種別`
/// as text): read like a form written before the name, unless the name
/// already carries one; a form golive does not know is kept as written.
fn legal_form_column(p: &mut Party) {
    let Some(form) = p.original(Field::LegalForm).map(str::to_string) else {
        return;
    };
    let Some(o) = p.org.as_mut().filter(|o| o.legal_form.is_none()) else {
        return;
    };
    let read = org::normalize_org_name(&format!("{form} {}", o.name));
    match read.legal_form {
        Some(f) => {
            o.legal_form = Some(f);
            o.form_country = read.form_country;
        }
        None => {
            o.legal_form = Some(form.clone());
            p.flags
                .push(Flag::new(LEGAL_FORM_UNKNOWN, Some(Field::LegalForm), form));
        }
    }
}

/// The trimmed, non-empty pieces of `text` between the profile's extra separators;
/// without separators (the common case) the text itself, without allocating.
fn split<'a>(text: &'a str, seps: Option<&Vec<String>>) -> impl Iterator<Item = &'a str> {
    let parts = seps.filter(|seps| !seps.is_empty()).map(|seps| {
        let mut parts = vec![text];
        for sep in seps {
            parts = parts
                .into_iter()
                .flat_map(|p| p.split(sep.as_str()))
                .collect();
        }
        parts
    });
    let whole = parts.is_none().then_some(text);
    parts
        .into_iter()
        .flatten()
        .chain(whole)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn contact_points(p: &mut Party, ctx: &PartyContext) {
    emails_and_website(p, ctx);
    phones(p, ctx);
}

fn phones(p: &mut Party, ctx: &PartyContext) {
    // Row hints first (country column, address, .jp mail, kanji names), then
    // the project's other regions where the row's script points there: a 9-digit
    // US number must not become an AU mobile because another source is AU. Built
    // only when a phone is invalid (rare), from what the phones do not change.
    let mut fallbacks: Option<Vec<String>> = None;
    let fallbacks_of = |p: &Party| {
        let mut fallbacks = region::hints(p);
        fallbacks.extend(
            ctx.fallback_regions
                .iter()
                .filter(|r| region::script_points_to(p, ctx.region, r))
                .cloned(),
        );
        fallbacks.retain(|r| r != ctx.region);
        let mut seen = Vec::with_capacity(fallbacks.len());
        fallbacks.retain(|r| {
            let new = !seen.contains(r);
            seen.push(r.clone());
            new
        });
        fallbacks
    };
    for (field, role) in [
        (Field::Phone, PhoneRole::Phone),
        (Field::Mobile, PhoneRole::Mobile),
        (Field::Fax, PhoneRole::Fax),
    ] {
        let damage = excel_damage(&p.flags, field);
        // Read in place: only other fields of `p` change below.
        let Some(text) = p.original.get(&field) else {
            continue;
        };
        let Some(text) = undamaged(text, damage) else {
            // Kept as written, so the output shows what the cell held.
            p.phones.push(crate::model::Phone {
                input: text.trim().to_string(),
                role,
                flags: damage.into_iter().map(str::to_string).collect(),
                ..Default::default()
            });
            continue;
        };
        let text = text.as_ref();
        let opts = phone::PhoneOptions {
            region: ctx.region,
            default_area_code: ctx.default_area_code,
            role,
        };
        for piece in split(text, ctx.separators.get(&field)) {
            for mut ph in phone::normalize_phones(piece, &opts) {
                if !ph.valid && !ph.digits.is_empty() {
                    let retry = fallbacks
                        .get_or_insert_with(|| fallbacks_of(p))
                        .iter()
                        .find_map(|r| {
                            let o = phone::PhoneOptions {
                                region: r,
                                default_area_code: None,
                                role,
                            };
                            Some(phone::normalize_phone(&ph.input, &o))
                                .filter(|q| q.valid)
                                .map(|q| (r, q))
                        });
                    if let Some((r, q)) = retry {
                        ph = q;
                        p.flags.push(Flag::new(
                            PHONE_REGION_INFERRED,
                            Some(field),
                            format!("{} read as {r}", ph.input),
                        ));
                    }
                }
                for code in &ph.flags {
                    p.flags.push(Flag::new(code, Some(field), ph.input.clone()));
                }
                if !p
                    .phones
                    .iter()
                    .any(|q| q.e164.is_some() && q.e164 == ph.e164 && q.extension == ph.extension)
                {
                    p.phones.push(ph);
                }
            }
        }
    }
}

fn emails_and_website(p: &mut Party, ctx: &PartyContext) {
    if let Some(text) = p.original.get(&Field::Email) {
        for piece in split(text, ctx.separators.get(&Field::Email)) {
            for e in email::normalize_emails(piece) {
                if !e.valid {
                    p.flags.push(Flag::new(
                        EMAIL_INVALID,
                        Some(Field::Email),
                        e.input.clone(),
                    ));
                }
                if !p.emails.iter().any(|q| email::same_address(q, &e)) {
                    p.emails.push(e);
                }
            }
        }
    }
    if let Some(site) = p.original.get(&Field::Website) {
        p.website = web::registrable_domain(site);
        if let Some(d) = p.website.take_if(|d| web::is_free_mail_domain(d)) {
            p.flags
                .push(Flag::new(WEBSITE_FREE_MAIL, Some(Field::Website), d));
        } else if p.website.is_none() {
            p.flags.push(Flag::new(
                WEBSITE_INVALID,
                Some(Field::Website),
                site.clone(),
            ));
        }
    }
}

fn identifiers(p: &mut Party, ctx: &PartyContext) {
    // The row's own country column, when it names one, decides which
    // identifiers its numbers may be; else the source's region.
    let row_region = p.original(Field::Country).and_then(region::country_code);
    let region = row_region.as_deref().unwrap_or(ctx.region);
    for field in [Field::TaxId, Field::TaxId2, Field::RegistrationId] {
        let damage = excel_damage(&p.flags, field);
        let Some(text) = p.original.get(&field) else {
            continue;
        };
        let Some(text) = undamaged(text, damage) else {
            continue;
        };
        // A combined «ИНН/КПП» cell yields both identifiers.
        let ids = tax_id::normalize_tax_ids(&text, field, region);
        // Read back from scientific notation: kept only when the checksum agrees.
        if damage.is_some() && !ids.iter().all(|t| t.valid) {
            continue;
        }
        for id in ids {
            for code in &id.flags {
                p.flags.push(Flag::new(code, Some(field), id.input.clone()));
            }
            if !p
                .tax_ids
                .iter()
                .any(|t| t.kind == id.kind && t.normalized == id.normalized)
            {
                p.tax_ids.push(id);
            }
        }
    }
}

/// The Excel damage ingest flagged on an identifier field, if any.
fn excel_damage(flags: &[Flag], field: Field) -> Option<&'static str> {
    use crate::model::flags::{DATE_IN_IDENTIFIER, SCIENTIFIC_NOTATION};
    flags
        .iter()
        .filter(|f| f.field == Some(field))
        .find_map(|f| {
            [DATE_IN_IDENTIFIER, SCIENTIFIC_NOTATION]
                .into_iter()
                .find(|c| f.code == *c)
        })
}

/// What of a damaged identifier can be read: a date stands for a code Excel
/// converted, so nothing (the original text stays, flagged); scientific notation
/// only when its mantissa writes every digit.
fn undamaged<'t>(text: &'t str, damage: Option<&str>) -> Option<std::borrow::Cow<'t, str>> {
    use crate::model::cell::exact_scientific;
    use crate::model::flags::SCIENTIFIC_NOTATION;
    match damage {
        None => Some(text.into()),
        Some(SCIENTIFIC_NOTATION) => exact_scientific(text.trim()).map(Into::into),
        Some(_) => None,
    }
}

fn assemble_address(p: &Party) -> Address {
    let get = |f| p.original(f).map(str::to_string);
    let full = get(Field::Address).unwrap_or_else(|| {
        [
            Field::PostalCode,
            Field::Country,
            Field::Region,
            Field::City,
            Field::Street,
        ]
        .into_iter()
        .filter_map(|f| p.original(f))
        .collect::<Vec<_>>()
        .join(", ")
    });
    Address {
        full,
        postal_code: get(Field::PostalCode),
        region: get(Field::Region),
        city: get(Field::City),
        street: get(Field::Street),
        country: get(Field::Country),
        match_key: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_short_and_long() {
        // listed values, whatever the case, spacing and wrapping
        assert!(is_placeholder(Field::Name, "N/A"));
        assert!(is_placeholder(
            Field::Email,
            "  «НЕТ   электронной   почты»  "
        ));
        assert!(is_placeholder(
            Field::Address,
            "(через форму обратной связи)"
        ));
        // free text that negates, in contact columns only, up to four words
        assert!(is_placeholder(Field::Phone, "No phone given"));
        assert!(is_placeholder(Field::Email, "без почты, уточнить"));
        assert!(!is_placeholder(Field::Name, "No Limits Trading Company"));
        assert!(!is_placeholder(
            Field::Phone,
            "no phone: call the office after ten"
        ));
        assert!(!is_placeholder(Field::Email, "no sales@example.com"));
        assert!(!is_placeholder(Field::Phone, "no 8 495 123 45 67"));
        // a single negating word is a placeholder only when listed
        assert_eq!(
            is_placeholder(Field::Phone, "нет"),
            PLACEHOLDERS.contains("нет")
        );
        // long values are not placeholders, whatever they hold
        assert!(!is_placeholder(
            Field::Name,
            "ООО «Нет проблем» и партнёры по сервису"
        ));
        assert!(!is_placeholder(Field::Email, "info@romashka-trade.ru"));
    }

    fn build(kind: Kind, fields: &[(Field, &str)], fallback: &[String]) -> (Party, Option<String>) {
        let headers: Vec<String> = fields.iter().map(|(f, _)| f.to_string()).collect();
        let mapped: Vec<Option<Field>> = fields.iter().map(|(f, _)| Some(*f)).collect();
        let cells: Vec<Cell> = fields
            .iter()
            .map(|(_, v)| Cell::Text(v.to_string()))
            .collect();
        let ctx = PartyContext {
            region: "RU",
            default_area_code: None,
            headers: &headers,
            fields: &mapped,
            ranks: &[],
            key_field: None,
            fallback_regions: fallback,
            separators: &BTreeMap::new(),
            labels: &[],
        };
        build_party(Provenance::default(), kind, &cells, Vec::new(), &ctx)
    }

    #[test]
    fn an_organization_gets_every_field_normalized() {
        let (p, reject) = build(
            Kind::Organization,
            &[
                (Field::Name, "ООО «Ромашка»"),
                (Field::TaxId, "7707083893"),
                (Field::Phone, "8 (495) 123-45-67"),
                (Field::Phone, "+7 495 1234567"),
                (Field::Email, "Info@Romashka.ru"),
                (Field::Website, "https://www.romashka.ru/contacts"),
            ],
            &[],
        );
        assert!(reject.is_none());
        assert_eq!(p.org.as_ref().unwrap().match_key, "romashka");
        assert_eq!(p.tax_ids[0].kind, crate::model::TaxIdKind::Inn10);
        assert_eq!(p.phones.len(), 1, "the same number twice is kept once");
        assert_eq!(
            p.original(Field::Phone),
            Some("8 (495) 123-45-67; +7 495 1234567")
        );
        assert_eq!(p.website.as_deref(), Some("romashka.ru"));
        assert!(p.emails[0].role_account);
    }

    #[test]
    fn phones_of_another_country_are_read_under_the_rows_region() {
        let (p, _) = build(
            Kind::Person,
            &[(Field::Name, "山田 太郎"), (Field::Phone, "03-1234-5678")],
            &[],
        );
        assert_eq!(p.phones[0].e164.as_deref(), Some("+81312345678"));
        assert!(p.flags.iter().any(|f| f.code == PHONE_REGION_INFERRED));
        let (p, _) = build(
            Kind::Person,
            &[
                (Field::Name, "John Smith"),
                (Field::Phone, "(312) 555-0100"),
            ],
            &["US".into()],
        );
        assert_eq!(p.phones[0].e164.as_deref(), Some("+13125550100"));
    }

    #[test]
    fn other_regions_of_the_project_need_the_rows_own_evidence() {
        let ctx_in = |region: &'static str, fields: &[(Field, &str)], fallback: &[String]| {
            let headers: Vec<String> = fields.iter().map(|(f, _)| f.to_string()).collect();
            let mapped: Vec<Option<Field>> = fields.iter().map(|(f, _)| Some(*f)).collect();
            let cells: Vec<Cell> = fields
                .iter()
                .map(|(_, v)| Cell::Text(v.to_string()))
                .collect();
            let ctx = PartyContext {
                region,
                default_area_code: None,
                headers: &headers,
                fields: &mapped,
                ranks: &[],
                key_field: None,
                fallback_regions: fallback,
                separators: &BTreeMap::new(),
                labels: &[],
            };
            build_party(
                Provenance::default(),
                Kind::Person,
                &cells,
                Vec::new(),
                &ctx,
            )
            .0
        };
        // A 9-digit US number stays invalid: another source being AU is no reason.
        let p = ctx_in(
            "US",
            &[(Field::Name, "John Smith"), (Field::Phone, "412 345 678")],
            &["AU".into()],
        );
        assert!(!p.phones[0].valid, "{:?}", p.phones[0]);
        assert!(!p.flags.iter().any(|f| f.code == PHONE_REGION_INFERRED));
        // The same row with an Australian address is read as AU.
        let p = ctx_in(
            "US",
            &[
                (Field::Name, "John Smith"),
                (Field::Phone, "412 345 678"),
                (Field::Address, "1 George St, Sydney NSW 2000, Australia"),
            ],
            &["AU".into()],
        );
        assert_eq!(p.phones[0].e164.as_deref(), Some("+61412345678"));
    }

    #[test]
    fn the_rows_country_types_its_identifiers() {
        use crate::model::TaxIdKind;
        let (p, _) = build(
            Kind::Organization,
            &[
                (Field::Name, "Acme Pty Ltd"),
                (Field::TaxId, "004 085 616"),
                (Field::Country, "Australia"),
            ],
            &[],
        );
        assert_eq!(p.tax_ids[0].kind, TaxIdKind::AuAcn);
        let (p, _) = build(
            Kind::Organization,
            &[
                (Field::Name, "Acme"),
                (Field::TaxId, "7707083893"),
                (Field::Country, "USA"),
            ],
            &[],
        );
        assert_eq!(p.tax_ids[0].kind, TaxIdKind::Unknown);
    }

    #[test]
    fn sole_proprietors_are_people_too_and_combined_ids_split() {
        let (p, _) = build(
            Kind::SoleProprietor,
            &[
                (Field::Name, "ИП Иванов Иван Иванович"),
                (Field::TaxId, "7707083893/770701001"),
            ],
            &[],
        );
        assert_eq!(p.org.as_ref().unwrap().legal_form.as_deref(), Some("ИП"));
        assert_eq!(p.person.as_ref().unwrap().family, "Иванов");
        assert_eq!(p.tax_ids.len(), 2);
    }

    #[test]
    fn rows_with_nothing_to_identify_them_are_rejected() {
        let (_, reject) = build(Kind::Organization, &[(Field::Notes, "позвонить")], &[]);
        assert_eq!(reject.as_deref(), Some(NO_NAME));
    }
}
