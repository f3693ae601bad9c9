//! The typed core every stage shares: a [`Party`] is one input row read as an
//! organization or a person, original values kept beside normalized ones.

pub mod cell;
pub mod flags;
pub mod lang;

pub use cell::Cell;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// What a row describes.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    #[default]
    Organization,
    Person,
    /// ИП / 個人事業主: a counterparty that is also a person.
    SoleProprietor,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Organization, Kind::Person, Kind::SoleProprietor];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Organization => "organization",
            Kind::Person => "person",
            Kind::SoleProprietor => "sole_proprietor",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Kind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                format!("unknown record kind `{s}` (use organization, person or sole_proprietor)")
            })
    }
}

macro_rules! fields {
    ($($variant:ident => $name:literal),* $(,)?) => {
        /// Canonical fields a mapping profile maps source columns onto (DESIGN.md, "The model").
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Field { $($variant),* }

        impl Field {
            pub const ALL: &'static [Field] = &[$(Field::$variant),*];
            pub fn as_str(self) -> &'static str {
                match self { $(Field::$variant => $name),* }
            }
        }
    };
}

/// The candidates an ambiguous person → organization link keeps for the
/// steward (link writes them, review shows and checks them). A company name
/// that thousands of namesakes share is no question a person can answer from
/// a list; kept whole it cost gigabytes at 300,000 contacts.
pub const MAX_LINK_CANDIDATES: usize = 20;

fields! {
    SourceKey => "source_key",
    Kind => "kind",
    Name => "name",
    FullName => "full_name",
    LegalForm => "legal_form",
    TaxId => "tax_id",
    TaxId2 => "tax_id_2",
    RegistrationId => "registration_id",
    Website => "website",
    Industry => "industry",
    FamilyName => "family_name",
    GivenName => "given_name",
    MiddleName => "middle_name",
    NameReading => "name_reading",
    Title => "title",
    Department => "department",
    BirthDate => "birth_date",
    OrganizationRef => "organization_ref",
    Phone => "phone",
    Mobile => "mobile",
    Fax => "fax",
    Email => "email",
    Address => "address",
    PostalCode => "postal_code",
    Region => "region",
    City => "city",
    Street => "street",
    Country => "country",
    Owner => "owner",
    Notes => "notes",
    CreatedAt => "created_at",
    UpdatedAt => "updated_at",
}

impl Field {
    /// Fields that hold identifiers: Excel damages these (lost leading zeros,
    /// scientific notation), so readers check their cell types.
    pub fn is_identifier(self) -> bool {
        matches!(
            self,
            Field::SourceKey
                | Field::TaxId
                | Field::TaxId2
                | Field::RegistrationId
                | Field::Phone
                | Field::Mobile
                | Field::Fax
                | Field::PostalCode
        )
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Field {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Field::ALL
            .iter()
            .copied()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| format!("unknown canonical field `{s}`"))
    }
}

/// Where a party came from, down to the cell.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// Short source name from golive.toml (defaults to the file stem).
    pub source: String,
    pub file: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// 1-based row (spreadsheet row or CSV record line) in the file.
    pub row: u64,
    pub source_key: String,
}

/// A quality flag: what is wrong or was repaired, on which field.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Flag {
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<Field>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

impl Flag {
    pub fn new(code: &str, field: Option<Field>, detail: impl Into<String>) -> Self {
        debug_assert!(
            flags::is_registered(code),
            "flag code `{code}` is not in model::flags::ALL"
        );
        Flag {
            code: code.to_string(),
            field,
            detail: detail.into(),
        }
    }
}

/// How a phone line is used, from the column it came from.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum PhoneRole {
    #[default]
    Phone,
    Mobile,
    Fax,
}

/// Number type as the numbering plan says.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhoneType {
    FixedLine,
    Mobile,
    FixedLineOrMobile,
    TollFree,
    PremiumRate,
    SharedCost,
    Voip,
    Uan,
    Pager,
    PersonalNumber,
    Voicemail,
    #[default]
    Unknown,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phone {
    /// The piece of the cell this number came from, as written.
    pub input: String,
    /// E.164 (`+74951234567`) when the number parsed and is valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e164: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<String>,
    pub phone_type: PhoneType,
    pub role: PhoneRole,
    pub valid: bool,
    /// All digits of the number part as written (no extension): a fallback
    /// key when no E.164 could be formed (e.g. a local number without city code).
    pub digits: String,
    /// Flag codes such as `phone_invalid`, `phone_no_area_code`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email {
    pub input: String,
    /// Trimmed, domain lower-cased; present only when the syntax is valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    pub valid: bool,
    /// gmail.com, mail.ru, yahoo.co.jp…: the domain says nothing about the company.
    pub free_mail: bool,
    /// info@, sales@, office@…: a mailbox of a role, not of a person.
    pub role_account: bool,
}

impl Email {
    /// The domain part of a valid address.
    pub fn domain(&self) -> Option<&str> {
        self.address
            .as_deref()
            .and_then(|a| a.rsplit_once('@'))
            .map(|(_, d)| d)
    }
}

#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum TaxIdKind {
    /// ИНН of a legal entity, 10 digits.
    Inn10,
    /// ИНН of an individual / ИП, 12 digits.
    Inn12,
    Kpp,
    Ogrn,
    Ogrnip,
    /// 法人番号, 13 digits with a leading check digit.
    JpCorporate,
    /// 適格請求書発行事業者 登録番号: T + 13 digits.
    JpInvoice,
    UsEin,
    EuVat,
    /// Australian Business Number: 11 digits, mod-89 checksum.
    AuAbn,
    /// Australian Company Number (and ARBN): 9 digits, mod-10 check digit.
    AuAcn,
    /// UK Companies House registration number: 8 digits or 2 letters + 6 digits.
    GbCompany,
    /// UK VAT registration number: 9 digits (mod 97 / 9755), 12 with a branch, GD/HA.
    GbVat,
    #[default]
    Unknown,
}

impl TaxIdKind {
    /// The label an identifier carries in golive's files (`inn:7707083893`):
    /// both ИНН lengths are `inn`, a number of no known kind is `id`.
    pub fn label(self) -> &'static str {
        match self {
            TaxIdKind::Inn10 | TaxIdKind::Inn12 => "inn",
            TaxIdKind::Unknown => "id",
            k => k.as_str(),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TaxIdKind::Inn10 => "inn10",
            TaxIdKind::Inn12 => "inn12",
            TaxIdKind::Kpp => "kpp",
            TaxIdKind::Ogrn => "ogrn",
            TaxIdKind::Ogrnip => "ogrnip",
            TaxIdKind::JpCorporate => "jp_corporate",
            TaxIdKind::JpInvoice => "jp_invoice",
            TaxIdKind::UsEin => "us_ein",
            TaxIdKind::EuVat => "eu_vat",
            TaxIdKind::AuAbn => "au_abn",
            TaxIdKind::AuAcn => "au_acn",
            TaxIdKind::GbCompany => "gb_company",
            TaxIdKind::GbVat => "gb_vat",
            TaxIdKind::Unknown => "unknown",
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxId {
    pub input: String,
    pub kind: TaxIdKind,
    /// Digits (and letters where the format has them) without separators.
    pub normalized: String,
    /// Format and checksum hold.
    pub valid: bool,
    /// Excel damage (lost leading zero, scientific notation) was undone and the
    /// checksum confirmed the repair.
    pub repaired: bool,
    /// Flag codes such as `tax_id_checksum`, `tax_id_excel_damaged`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<String>,
}

/// Where a legal form stands in the name: 前株 (prefix) and 後株 (suffix) are
/// different legal names in Japan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FormPosition {
    Prefix,
    Suffix,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgName {
    pub input: String,
    /// Core name without legal form and quotes, case and spaces tidied, for display.
    pub name: String,
    /// Canonical short legal form: `ООО`, `АО`, `ИП`, `株式会社`, `LLC`, `GmbH`…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_form: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form_position: Option<FormPosition>,
    /// Country the legal form belongs to (ISO 3166 alpha-2), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form_country: Option<String>,
    /// Core name folded (NFKC, case, Ё→Е, punctuation) and transliterated to
    /// Latin: the key for blocking and comparison.
    pub match_key: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonName {
    pub input: String,
    pub family: String,
    pub given: String,
    pub middle: String,
    /// フリガナ / reading, when the source had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reading: Option<String>,
    /// Folded, transliterated `family given middle` for comparison.
    pub match_key: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    /// The full address as written (or assembled from its parts).
    pub full: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Folded address for comparison.
    pub match_key: String,
}

/// One input row read as an organization or a person.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Party {
    /// Workspace row id (0 outside a project).
    pub id: i64,
    pub provenance: Provenance,
    pub kind: Kind,
    /// The mapped source values as written, by canonical field.
    pub original: BTreeMap<Field, String>,
    /// Unmapped columns, travelling to the target or its notes.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<OrgName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<PersonName>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<Phone>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<Email>,
    /// Registrable domain of the website.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tax_ids: Vec<TaxId>,
    pub address: Address,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<Flag>,
}

impl Party {
    pub fn original(&self, field: Field) -> Option<&str> {
        self.original.get(&field).map(String::as_str)
    }

    /// The name a person reads: the name as written, else the full name, else
    /// the person's parts.
    pub fn display_name(&self) -> String {
        [Field::Name, Field::FullName]
            .into_iter()
            .filter_map(|f| self.original(f))
            .find(|n| !n.trim().is_empty())
            .map(str::to_string)
            .or_else(|| {
                self.person.as_ref().map(|p| {
                    [p.family.as_str(), &p.given, &p.middle]
                        .join(" ")
                        .trim()
                        .to_string()
                })
            })
            .unwrap_or_default()
    }

    /// Phones as E.164 (` ext. 12` when there is one), else as written.
    pub fn phone_texts(&self) -> Vec<String> {
        self.phones
            .iter()
            .map(|p| match (&p.e164, &p.extension) {
                (Some(e), Some(x)) => format!("{e} ext. {x}"),
                (Some(e), None) => e.clone(),
                _ => p.input.clone(),
            })
            .collect()
    }

    /// E-mail addresses, tidied where valid, else as written.
    pub fn email_texts(&self) -> Vec<String> {
        self.emails
            .iter()
            .map(|e| e.address.clone().unwrap_or_else(|| e.input.clone()))
            .collect()
    }

    /// Tax IDs labelled by kind (`inn:7707083893`, `kpp:770701001`).
    pub fn labelled_tax_ids(&self) -> Vec<String> {
        self.tax_ids
            .iter()
            .filter(|t| !t.normalized.is_empty())
            .map(|t| format!("{}:{}", t.kind.label(), t.normalized))
            .collect()
    }

    /// Tax IDs in their normalized form.
    pub fn tax_id_texts(&self) -> Vec<String> {
        self.tax_ids
            .iter()
            .filter(|t| !t.normalized.is_empty())
            .map(|t| t.normalized.clone())
            .collect()
    }
}

/// A golden record as the match stage stores it: members and the row each
/// surviving field came from, by row id, so later stages read it back
/// without re-running match.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GoldenByRow {
    /// Row ids, ascending.
    pub members: Vec<i64>,
    pub record: Party,
    /// The row each surviving canonical field came from.
    pub sources: BTreeMap<Field, i64>,
    /// Row of each kept phone / e-mail / tax ID (same order as in `record`);
    /// empty for a field the steward overrode.
    pub phone_sources: Vec<i64>,
    pub email_sources: Vec<i64>,
    pub tax_id_sources: Vec<i64>,
    /// Fields whose value a data steward set (review import), not a member row.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overridden: Vec<Field>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Stored a million times: what is empty is left out, and reads back as
    /// it was; a party stored before (with its `null`s and `[]`s) still reads.
    #[test]
    fn a_party_is_stored_without_its_empty_fields_and_reads_back_whole() {
        let mut p = Party {
            kind: Kind::Organization,
            org: Some(OrgName {
                input: "ООО Ромашка".into(),
                name: "Ромашка".into(),
                legal_form: Some("ООО".into()),
                ..OrgName::default()
            }),
            phones: vec![Phone {
                input: "8 495 123-45-67".into(),
                e164: Some("+74951234567".into()),
                ..Phone::default()
            }],
            ..Party::default()
        };
        p.original.insert(Field::Name, "ООО Ромашка".into());
        let json = serde_json::to_string(&p).unwrap();
        for gone in [
            "null",
            "[]",
            "{}",
            "\"person\"",
            "\"extension\"",
            "\"street\"",
        ] {
            assert!(!json.contains(gone), "{gone} in {json}");
        }
        assert_eq!(serde_json::from_str::<Party>(&json).unwrap(), p);
        let before = r#"{"id":0,"provenance":{"source":"","file":"","row":0,"source_key":""},"kind":"organization","original":{},"extra":{},"org":null,"person":null,"phones":[],"emails":[],"website":null,"tax_ids":[],"address":{"full":"","postal_code":null,"region":null,"city":null,"street":null,"country":null,"match_key":""},"flags":[]}"#;
        assert_eq!(
            serde_json::from_str::<Party>(before).unwrap(),
            Party {
                kind: Kind::Organization,
                ..Party::default()
            }
        );
    }
}
