//! Target profiles (`data/targets.toml`) with golive.toml's overrides, and
//! the fields a column can take from a golden record.

use crate::config::TargetConfig;
use crate::error::{Error, Result};
use crate::load::http::RateLimit;
use crate::model::{Field, Kind, Party, PhoneRole, TaxIdKind};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The CRMs golive writes import files for, as `[target] crm` names them.
pub const NAMES: [&str; 7] = [
    "salesforce",
    "hubspot",
    "bitrix24",
    "amocrm",
    "odoo",
    "zoho",
    "csv",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Csv,
    Xlsx,
}

/// What an empty cell does to an existing record's value on import.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Empty {
    Keeps,
    Overwrites,
}

/// How a contact row points to its company.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkBy {
    ExternalId,
    Key,
    Name,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    title: String,
    format: Format,
    encoding: String,
    bom: bool,
    delimiter: String,
    max_rows: u64,
    max_mb: u64,
    empty: Empty,
    link: LinkBy,
    upsert: bool,
    #[serde(default)]
    external_id_prefix: String,
    /// Set where the record ID in the files must be an external ID: a digits-only ID
    /// from the CRM's export (a database ID) is refused with this advice.
    #[serde(default)]
    numeric_id_advice: Option<String>,
    instructions: String,
    organization: RawEntity,
    person: RawEntity,
    api: Option<RawApi>,
}

/// `mode = "api"`: where the CRM's API is and what it takes.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawApi {
    base_url: String,
    token_env: String,
    #[serde(default)]
    auth: ApiAuth,
    requests: u32,
    per_seconds: f64,
    batch: usize,
    workers: usize,
    organization: RawApiEntity,
    person: RawApiEntity,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawApiEntity {
    object: String,
    required: Vec<String>,
    properties: Vec<(String, String)>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntity {
    file: String,
    existing_file: Option<String>,
    id_column: Option<String>,
    required: Vec<String>,
    columns: Vec<(String, String)>,
}

/// One CRM's import files, ready to render rows.
#[derive(Clone, Debug)]
pub struct Target {
    pub name: String,
    pub title: String,
    pub format: Format,
    pub bom: bool,
    pub delimiter: u8,
    /// 0: no limit.
    pub max_rows: u64,
    pub max_bytes: u64,
    pub empty: Empty,
    pub link: LinkBy,
    /// The importer updates a record it finds by the external ID column.
    pub upsert: bool,
    pub external_id_prefix: String,
    /// Where a CRM record ID must not be a bare number: what to export instead.
    pub numeric_id_advice: Option<String>,
    pub instructions: String,
    /// The columns are the files' columns, or with `api` the API's properties.
    pub organization: EntityFiles,
    pub person: EntityFiles,
    /// Set for `mode = "api"`.
    pub api: Option<Api>,
}

/// How an API target is given its credential.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApiAuth {
    /// `Authorization: Bearer <token>` to `base_url`.
    #[default]
    Bearer,
    /// The environment variable holds the whole base URL, secret in its path.
    Webhook,
}

/// An API target's endpoint, credential and limits.
#[derive(Clone, Debug)]
pub struct Api {
    pub base_url: String,
    /// The environment variable that holds the token (never golive.toml).
    pub token_env: String,
    pub auth: ApiAuth,
    pub limit: RateLimit,
    pub batch: usize,
    /// Requests in flight at once: a CRM answers a batch in a few hundred
    /// milliseconds, so one at a time would leave most of the rate unused.
    pub workers: usize,
    pub organization_object: String,
    pub person_object: String,
}

#[derive(Clone, Debug)]
pub struct EntityFiles {
    pub file: String,
    pub existing_file: Option<String>,
    pub id_column: Option<String>,
    pub required: Vec<String>,
    pub columns: Vec<Column>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub header: String,
    pub value: Value,
}

/// What a column holds.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Const(String),
    Field(Expr),
}

macro_rules! exprs {
    ($($variant:ident => $name:literal: $doc:literal),* $(,)?) => {
        /// A golden-record field a column can take (`[target.fields]`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Expr { $($variant),* }

        impl Expr {
            pub const ALL: &'static [(Expr, &'static str, &'static str)] =
                &[$((Expr::$variant, $name, $doc)),*];
        }
    };
}

exprs! {
    GoldenId => "golden_id": "the golden record's ID",
    ExternalId => "external_id": "the ID golive gives the record in the CRM (golden ID, with the target's prefix)",
    TargetId => "target_id": "the CRM's own ID of a record that was there before golive (empty for new ones)",
    RecordKey => "record_key": "target_id where there is one, else external_id",
    Kind => "kind": "organization, sole_proprietor or person",
    Name => "name": "the name as written (a person's full name)",
    FullName => "full_name": "the full legal name",
    LegalForm => "legal_form": "ООО, 株式会社, LLC…",
    TaxId => "tax_id": "the tax number (ИНН, 法人番号, EIN, VAT…)",
    Kpp => "kpp": "КПП",
    Inn => "inn": "ИНН only (10 digits: a company, 12: an ИП)",
    Ogrn => "ogrn": "ОГРН only",
    Ogrnip => "ogrnip": "ОГРНИП only",
    RegistrationId => "registration_id": "ОГРН / ОГРНИП, company number",
    TaxIds => "tax_ids": "every identifier, labelled: inn:7707083893; kpp:770701001",
    Phone => "phone": "the first phone (E.164)",
    Phone2 => "phone_2": "the second phone",
    Phones => "phones": "every phone, joined with `; `",
    Mobile => "mobile": "the first mobile",
    Fax => "fax": "the first fax",
    Email => "email": "the first e-mail",
    Email2 => "email_2": "the second e-mail",
    Emails => "emails": "every e-mail, joined with `; `",
    Website => "website": "the website as written",
    Domain => "domain": "the website's registrable domain",
    Industry => "industry": "industry",
    Address => "address": "the full address",
    Street => "street": "street",
    City => "city": "city",
    Region => "region": "region / state / prefecture",
    PostalCode => "postal_code": "postal code",
    Country => "country": "country as written",
    CountryCode => "country_code": "country, ISO 3166 alpha-2",
    OdooCountry => "odoo_country_id": "Odoo's external ID of the country (base.ru)",
    Owner => "owner": "the responsible manager",
    Notes => "notes": "notes",
    Description => "description": "notes, then the labelled identifiers",
    FamilyName => "family_name": "a person's family name",
    GivenName => "given_name": "a person's given name",
    MiddleName => "middle_name": "a person's patronymic / middle name",
    GivenAndMiddleName => "given_and_middle_name": "given and middle names together (CRMs without a middle-name field)",
    LastName => "last_name": "the family name, else the whole name (CRMs that require a last name)",
    NameReading => "name_reading": "フリガナ / reading",
    Title => "title": "job title",
    Department => "department": "department",
    BirthDate => "birth_date": "birth date as written",
    CompanyName => "company_name": "a person's organization: its name",
    CompanyExternalId => "company_external_id": "a person's organization: its external_id",
    CompanyKey => "company_key": "a person's organization: its record_key",
}

impl Expr {
    pub fn parse(s: &str) -> Option<Value> {
        if let Some(c) = s.strip_prefix("const:") {
            return Some(Value::Const(c.to_string()));
        }
        Expr::ALL
            .iter()
            .find(|(_, name, _)| *name == s)
            .map(|(e, _, _)| Value::Field(*e))
    }

    pub fn name(self) -> &'static str {
        Expr::ALL
            .iter()
            .find(|(e, _, _)| *e == self)
            .map_or("", |(_, n, _)| n)
    }

    /// Columns that identify the record or its company rather than say
    /// something about it: they stay out of the content hash.
    fn is_identity(self) -> bool {
        matches!(self, Expr::TargetId | Expr::RecordKey)
    }
}

fn profiles() -> &'static BTreeMap<String, RawTarget> {
    static PROFILES: std::sync::OnceLock<BTreeMap<String, RawTarget>> = std::sync::OnceLock::new();
    PROFILES.get_or_init(|| {
        toml::from_str(include_str!("../../data/targets.toml"))
            .unwrap_or_else(|e| panic!("data/targets.toml: {e}"))
    })
}

impl Target {
    /// The profile `name` (golive.toml's `crm`, or `--target`) with the
    /// project's overrides; errors name golive.toml's line.
    pub fn from_config(
        config: &TargetConfig,
        name: Option<&str>,
        toml_path: &Path,
    ) -> Result<Self> {
        let cfg_err = |line: usize, message: String| Error::Config {
            path: toml_path.to_path_buf(),
            line,
            message,
        };
        let crm = name.unwrap_or(&config.crm);
        let Some(raw) = profiles().get(crm) else {
            let message = format!("crm `{crm}` is unknown: use one of {}", NAMES.join(", "));
            return Err(match name {
                Some(_) => Error::Usage(format!("--target: {message}")),
                None => cfg_err(config.crm_line, message),
            });
        };
        let api = if config.mode == "api" {
            let Some(api) = &raw.api else {
                return Err(cfg_err(
                    config.mode_line,
                    format!(
                        "mode = \"api\" is not available for {crm}: golive loads through the API of {}; use mode = \"files\"",
                        NAMES
                            .iter()
                            .filter(|n| profiles().get(**n).is_some_and(|p| p.api.is_some()))
                            .copied()
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            };
            Some(api)
        } else {
            None
        };
        if let (Some(url), Some(_)) = (&config.api_url, api)
            && !crate::load::http::safe_for_credentials(url)
        {
            return Err(cfg_err(
                config.mode_line,
                format!(
                    "api_url = \"{url}\": give an https:// address (the token would cross the network in clear)"
                ),
            ));
        }
        let (mut organization, mut person) = match api {
            Some(api) => (api_entity(&api.organization)?, api_entity(&api.person)?),
            None => (entity(&raw.organization)?, entity(&raw.person)?),
        };
        for o in &config.fields {
            let files = if o.entity == Kind::Person {
                &mut person
            } else {
                &mut organization
            };
            let at = files.columns.iter().position(|c| c.header == o.column);
            if o.expr.is_empty() {
                match at {
                    Some(i) => {
                        files.columns.remove(i);
                    }
                    None => {
                        return Err(cfg_err(
                            o.line,
                            format!(
                                "[target.fields.{}] `{}` removes a column {crm}'s files do not have",
                                o.entity.as_str(),
                                o.column
                            ),
                        ));
                    }
                }
                continue;
            }
            let value = Expr::parse(&o.expr).ok_or_else(|| {
                cfg_err(
                    o.line,
                    format!(
                        "[target.fields.{}] `{}` = \"{}\": no such field; use one of {} (or \"const:TEXT\", or \"\" to remove the column)",
                        o.entity.as_str(),
                        o.column,
                        o.expr,
                        Expr::ALL.iter().map(|(_, n, _)| *n).collect::<Vec<_>>().join(", ")
                    ),
                )
            })?;
            let column = Column {
                header: o.column.clone(),
                value,
            };
            match at {
                Some(i) => files.columns[i] = column,
                None => files.columns.push(column),
            }
        }
        if organization.file == person.file {
            // One file holds both (Odoo's res.partner): the same columns, in order.
            let headers = |e: &EntityFiles| {
                e.columns
                    .iter()
                    .map(|c| c.header.clone())
                    .collect::<Vec<_>>()
            };
            if headers(&organization) != headers(&person) {
                return Err(cfg_err(
                    config.crm_line,
                    format!(
                        "{crm} writes organizations and persons to one file, {}: [target.fields.organization] and [target.fields.person] must change the same columns",
                        organization.file
                    ),
                ));
            }
        }
        let format = match &config.format {
            Some((f, _)) if crm == "csv" => {
                if f == "xlsx" {
                    Format::Xlsx
                } else {
                    Format::Csv
                }
            }
            Some((_, line)) => {
                return Err(cfg_err(
                    *line,
                    format!(
                        "`format` is for the generic target (crm = \"csv\"); {crm} takes {}",
                        match raw.format {
                            Format::Csv => "CSV",
                            Format::Xlsx => "XLSX",
                        }
                    ),
                ));
            }
            None => raw.format,
        };
        if raw.encoding != "utf-8" {
            return Err(Error::Failed(format!(
                "data/targets.toml: {crm} asks for encoding {}, which golive does not write",
                raw.encoding
            )));
        }
        let delimiter = match raw.delimiter.as_bytes() {
            [b] => *b,
            _ => {
                return Err(Error::Failed(format!(
                    "data/targets.toml: {crm}'s delimiter must be one character"
                )));
            }
        };
        Ok(Target {
            name: crm.to_string(),
            title: raw.title.clone(),
            format,
            bom: raw.bom,
            delimiter,
            max_rows: config.max_rows.unwrap_or(raw.max_rows),
            max_bytes: config
                .max_mb
                .unwrap_or(raw.max_mb)
                .saturating_mul(1_000_000),
            empty: raw.empty,
            link: raw.link,
            upsert: raw.upsert,
            external_id_prefix: raw.external_id_prefix.clone(),
            numeric_id_advice: raw.numeric_id_advice.clone(),
            instructions: raw.instructions.trim().to_string(),
            organization,
            person,
            api: api.map(|a| Api {
                base_url: config.api_url.clone().unwrap_or_else(|| a.base_url.clone()),
                token_env: a.token_env.clone(),
                auth: a.auth,
                limit: {
                    let (requests, secs) = config.rate_limit.unwrap_or((a.requests, a.per_seconds));
                    RateLimit {
                        requests,
                        per: std::time::Duration::from_secs_f64(secs),
                    }
                },
                batch: config
                    .batch
                    .map_or(a.batch, |b| (b as usize).clamp(1, a.batch)),
                workers: a.workers.max(1),
                organization_object: a.organization.object.clone(),
                person_object: a.person.object.clone(),
            }),
        })
    }

    pub fn files(&self, kind: Kind) -> &EntityFiles {
        if kind == Kind::Person {
            &self.person
        } else {
            &self.organization
        }
    }
}

/// An API's properties as the columns a plan renders (no files, no ID column).
fn api_entity(raw: &RawApiEntity) -> Result<EntityFiles> {
    entity(&RawEntity {
        file: raw.object.clone(),
        existing_file: None,
        id_column: None,
        required: raw.required.clone(),
        columns: raw.properties.clone(),
    })
}

fn entity(raw: &RawEntity) -> Result<EntityFiles> {
    let mut columns = Vec::with_capacity(raw.columns.len());
    for (header, expr) in &raw.columns {
        let value = Expr::parse(expr).ok_or_else(|| {
            Error::Failed(format!(
                "data/targets.toml: column `{header}` takes `{expr}`, which is no field"
            ))
        })?;
        columns.push(Column {
            header: header.clone(),
            value,
        });
    }
    Ok(EntityFiles {
        file: raw.file.clone(),
        existing_file: raw.existing_file.clone(),
        id_column: raw.id_column.clone(),
        required: raw.required.clone(),
        columns,
    })
}

/// A record as the load renders it: the golden values and what the target
/// knows of it and of its company.
pub struct RecordView<'a> {
    pub golden_id: &'a str,
    pub party: &'a Party,
    pub external_id: &'a str,
    pub target_id: &'a str,
    pub company: Option<CompanyView<'a>>,
}

pub struct CompanyView<'a> {
    pub name: &'a str,
    pub external_id: &'a str,
    pub target_id: &'a str,
}

/// `inn:7707083893; kpp:770701001`.
pub fn labelled_ids(p: &Party) -> String {
    p.tax_ids
        .iter()
        .filter(|t| !t.normalized.is_empty())
        .map(|t| format!("{}:{}", id_label(t.kind), t.normalized))
        .collect::<Vec<_>>()
        .join("; ")
}

fn id_label(kind: TaxIdKind) -> &'static str {
    match kind {
        TaxIdKind::Inn10 | TaxIdKind::Inn12 => "inn",
        k => k.as_str(),
    }
}

fn first_of<'a>(p: &'a Party, kinds: &[TaxIdKind]) -> &'a str {
    p.tax_ids
        .iter()
        .find(|t| kinds.contains(&t.kind) && !t.normalized.is_empty())
        .map_or("", |t| t.normalized.as_str())
}

fn phone_text(p: &crate::model::Phone) -> String {
    match (&p.e164, &p.extension) {
        (Some(e), Some(x)) => format!("{e} ext. {x}"),
        (Some(e), None) => e.clone(),
        _ => p.input.trim().to_string(),
    }
}

fn phones(p: &Party, role: PhoneRole) -> impl Iterator<Item = String> + '_ {
    p.phones
        .iter()
        .filter(move |x| x.role == role)
        .map(phone_text)
}

fn original(p: &Party, f: Field) -> String {
    p.original(f)
        .map_or(String::new(), |v| v.trim().to_string())
}

impl RecordView<'_> {
    /// The value of one column.
    pub fn value(&self, v: &Value) -> String {
        let e = match v {
            Value::Const(c) => return c.clone(),
            Value::Field(e) => *e,
        };
        let p = self.party;
        let person = p.person.as_ref();
        let a = &p.address;
        let opt = |o: &Option<String>| o.clone().unwrap_or_default();
        match e {
            Expr::GoldenId => self.golden_id.to_string(),
            Expr::ExternalId => self.external_id.to_string(),
            Expr::TargetId => self.target_id.to_string(),
            Expr::RecordKey => {
                if self.target_id.is_empty() {
                    self.external_id.to_string()
                } else {
                    self.target_id.to_string()
                }
            }
            Expr::Kind => p.kind.as_str().to_string(),
            Expr::Name => p.display_name().trim().to_string(),
            Expr::FullName => original(p, Field::FullName),
            Expr::LegalForm => p
                .org
                .as_ref()
                .and_then(|o| o.legal_form.clone())
                .unwrap_or_default(),
            Expr::TaxId => first_of(
                p,
                &[
                    TaxIdKind::Inn10,
                    TaxIdKind::Inn12,
                    TaxIdKind::JpCorporate,
                    TaxIdKind::JpInvoice,
                    TaxIdKind::UsEin,
                    TaxIdKind::EuVat,
                    TaxIdKind::GbVat,
                    TaxIdKind::AuAbn,
                    TaxIdKind::Unknown,
                ],
            )
            .to_string(),
            Expr::Kpp => first_of(p, &[TaxIdKind::Kpp]).to_string(),
            Expr::Inn => first_of(p, &[TaxIdKind::Inn10, TaxIdKind::Inn12]).to_string(),
            Expr::Ogrn => first_of(p, &[TaxIdKind::Ogrn]).to_string(),
            Expr::Ogrnip => first_of(p, &[TaxIdKind::Ogrnip]).to_string(),
            Expr::RegistrationId => first_of(
                p,
                &[
                    TaxIdKind::Ogrn,
                    TaxIdKind::Ogrnip,
                    TaxIdKind::GbCompany,
                    TaxIdKind::AuAcn,
                ],
            )
            .to_string(),
            Expr::TaxIds => labelled_ids(p),
            Expr::Phone => phones(p, PhoneRole::Phone).next().unwrap_or_default(),
            Expr::Phone2 => phones(p, PhoneRole::Phone).nth(1).unwrap_or_default(),
            Expr::Phones => phones(p, PhoneRole::Phone).collect::<Vec<_>>().join("; "),
            Expr::Mobile => phones(p, PhoneRole::Mobile).next().unwrap_or_default(),
            Expr::Fax => phones(p, PhoneRole::Fax).next().unwrap_or_default(),
            Expr::Email => p.email_texts().into_iter().next().unwrap_or_default(),
            Expr::Email2 => p.email_texts().into_iter().nth(1).unwrap_or_default(),
            Expr::Emails => p.email_texts().join("; "),
            Expr::Website => {
                let w = original(p, Field::Website);
                if w.is_empty() { opt(&p.website) } else { w }
            }
            Expr::Domain => opt(&p.website),
            Expr::Industry => original(p, Field::Industry),
            Expr::Address => a.full.trim().to_string(),
            Expr::Street => opt(&a.street),
            Expr::City => opt(&a.city),
            Expr::Region => opt(&a.region),
            Expr::PostalCode => opt(&a.postal_code),
            Expr::Country => opt(&a.country),
            Expr::CountryCode => a
                .country
                .as_deref()
                .and_then(crate::normalize::region::country_code)
                .unwrap_or_default(),
            Expr::OdooCountry => a
                .country
                .as_deref()
                .and_then(crate::normalize::region::country_code)
                .map_or(String::new(), |c| {
                    format!("base.{}", c.to_ascii_lowercase())
                }),
            Expr::Owner => original(p, Field::Owner),
            Expr::Notes => original(p, Field::Notes),
            Expr::Description => {
                let notes = original(p, Field::Notes);
                let ids = labelled_ids(p);
                match (notes.is_empty(), ids.is_empty()) {
                    (_, true) => notes,
                    (true, false) => ids,
                    (false, false) => format!("{notes}\n{ids}"),
                }
            }
            Expr::FamilyName => person.map_or(String::new(), |n| n.family.clone()),
            Expr::GivenName => person.map_or(String::new(), |n| n.given.clone()),
            Expr::MiddleName => person.map_or(String::new(), |n| n.middle.clone()),
            Expr::GivenAndMiddleName => person.map_or(String::new(), |n| {
                [n.given.as_str(), &n.middle]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join(" ")
            }),
            Expr::LastName => match person {
                Some(n) if !n.family.is_empty() => n.family.clone(),
                _ => p.display_name().trim().to_string(),
            },
            Expr::NameReading => person
                .and_then(|n| n.reading.clone())
                .unwrap_or_else(|| original(p, Field::NameReading)),
            Expr::Title => original(p, Field::Title),
            Expr::Department => original(p, Field::Department),
            Expr::BirthDate => original(p, Field::BirthDate),
            Expr::CompanyName | Expr::CompanyExternalId | Expr::CompanyKey => self
                .company
                .as_ref()
                .and_then(|c| company_value(v, c))
                .unwrap_or_default(),
        }
    }
}

/// A company column's value (`None` for a column of the record's own).
pub fn company_value(v: &Value, c: &CompanyView<'_>) -> Option<String> {
    let Value::Field(e) = v else {
        return None;
    };
    Some(match e {
        Expr::CompanyName => c.name.to_string(),
        Expr::CompanyExternalId => c.external_id.to_string(),
        Expr::CompanyKey => {
            if c.target_id.is_empty() {
                c.external_id.to_string()
            } else {
                c.target_id.to_string()
            }
        }
        _ => return None,
    })
}

impl Column {
    /// Whether the column says something about the record (in the content hash).
    pub fn is_content(&self) -> bool {
        !matches!(self.value, Value::Field(e) if e.is_identity())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::FieldOverride;

    fn config(crm: &str, fields: Vec<FieldOverride>) -> TargetConfig {
        TargetConfig {
            crm: crm.into(),
            crm_line: 3,
            mode: "files".into(),
            mode_line: 3,
            api_url: None,
            fields,
            format: None,
            max_rows: None,
            max_mb: None,
            batch: None,
            rate_limit: None,
            load_on_run: false,
        }
    }

    /// The commented `[target]` example that `golive init` writes must work as written.
    #[test]
    fn the_skeletons_target_example_builds() {
        let skeleton = crate::config::SKELETON;
        let example = &skeleton[skeleton.find("# [target]").unwrap()..];
        // Up to the blank line before the next example.
        let example = &example[..example.find("\n\n").unwrap_or(example.len())];
        let uncommented: String = example
            .lines()
            .map(|l| l.strip_prefix("# ").unwrap_or(l).to_string() + "\n")
            .collect();
        let text = format!("[project]\nname = \"x\"\n{uncommented}");
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("exports")).unwrap();
        std::fs::write(dir.path().join("exports/companies.csv"), "ID;Название\n").unwrap();
        let toml = dir.path().join("golive.toml");
        let config = crate::config::Config::parse(dir.path(), &toml, &text).unwrap();
        let target_config = config.target.as_ref().unwrap();
        let t = Target::from_config(target_config, None, Path::new("golive.toml")).unwrap();
        let headers: Vec<&str> = t
            .organization
            .columns
            .iter()
            .map(|c| c.header.as_str())
            .collect();
        assert!(headers.contains(&"Источник"), "{headers:?}");
        assert_eq!(t.max_rows, 50000);
    }

    #[test]
    fn an_api_target_takes_its_credential_only_over_https_or_to_this_machine() {
        let mut c = config("hubspot", vec![]);
        c.mode = "api".into();
        c.api_url = Some("http://crm-proxy.example.com".into());
        let err = Target::from_config(&c, None, Path::new("golive.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("https://"), "{err}");
        c.api_url = Some("http://127.0.0.1:8080".into());
        let t = Target::from_config(&c, None, Path::new("golive.toml")).unwrap();
        assert_eq!(t.api.unwrap().base_url, "http://127.0.0.1:8080");
        c.crm = "odoo".into();
        let err = Target::from_config(&c, None, Path::new("golive.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("hubspot, bitrix24"), "{err}");
    }

    #[test]
    fn every_profile_parses_and_names_known_fields() {
        for name in NAMES {
            let t = Target::from_config(&config(name, vec![]), None, Path::new("golive.toml"))
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(!t.organization.columns.is_empty(), "{name}");
            for e in [&t.organization, &t.person] {
                for r in &e.required {
                    assert!(e.columns.iter().any(|c| &c.header == r), "{name}: {r}");
                }
            }
        }
        assert_eq!(profiles().len(), NAMES.len());
    }

    #[test]
    fn overrides_replace_add_and_remove_columns_and_bad_ones_name_the_line() {
        let o = |column: &str, expr: &str| FieldOverride {
            entity: Kind::Organization,
            column: column.into(),
            expr: expr.into(),
            line: 9,
        };
        let t = Target::from_config(
            &config(
                "salesforce",
                vec![o("Phone", "phones"), o("INN__c", "tax_id"), o("Fax", "")],
            ),
            None,
            Path::new("golive.toml"),
        )
        .unwrap();
        let cols = &t.organization.columns;
        assert_eq!(
            cols.iter().find(|c| c.header == "Phone").map(|c| &c.value),
            Some(&Value::Field(Expr::Phones))
        );
        assert_eq!(cols.last().map(|c| c.header.as_str()), Some("INN__c"));
        assert!(!cols.iter().any(|c| c.header == "Fax"));
        let e = Target::from_config(
            &config("salesforce", vec![o("Phone", "telephone")]),
            None,
            Path::new("golive.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("golive.toml:9:") && e.contains("no such field"),
            "{e}"
        );
        let e = Target::from_config(&config("sap", vec![]), None, Path::new("golive.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("golive.toml:3:") && e.contains("salesforce"),
            "{e}"
        );
    }
}
