//! `golive clean KIND`: one normalizer on plain input, CSV on stdout. One output
//! row per input value, so the result pastes back beside the column it came from.

use crate::cli::{CleanArgs, CleanKind};
use crate::error::Error;
use crate::export::SafeCsv;
use crate::ingest::{delimited, encoding};
use crate::model::{Field, PhoneRole};
use crate::normalize::{email, org, person, phone, tax_id, web};
use std::io::Read;

pub fn run(args: &CleanArgs) -> anyhow::Result<()> {
    let values = read_values(args)?;
    let region = args.region.trim().to_ascii_uppercase();
    crate::config::check_cli_region(&region)?;
    let stdout = std::io::stdout();
    let mut out = SafeCsv::new(stdout.lock());
    out.row(header(args.kind))?;
    for v in &values {
        out.row(clean_one(args.kind, v, &region))?;
    }
    out.flush()?;
    Ok(())
}

pub fn header(kind: CleanKind) -> &'static [&'static str] {
    match kind {
        CleanKind::Phone => &["input", "e164", "extension", "valid", "type", "flags"],
        CleanKind::Email => &["input", "email", "valid", "free_mail", "role_account"],
        CleanKind::Website => &["input", "domain", "valid"],
        CleanKind::OrgName => &[
            "input",
            "name",
            "legal_form",
            "match_key",
            "form_position",
            "form_country",
        ],
        CleanKind::PersonName => &["input", "family", "given", "middle", "match_key"],
        CleanKind::TaxId => &["input", "type", "normalized", "valid", "repaired", "flags"],
    }
}

/// Several results in one cell (two phones) are joined with `; `.
pub fn clean_one(kind: CleanKind, input: &str, region: &str) -> Vec<String> {
    let join = |v: Vec<String>| v.join("; ");
    let yes = |b: bool| if b { "true" } else { "false" }.to_string();
    match kind {
        CleanKind::Phone => {
            let opts = phone::PhoneOptions {
                region,
                default_area_code: None,
                role: PhoneRole::Phone,
            };
            let phones = phone::normalize_phones(input, &opts);
            vec![
                input.to_string(),
                join(
                    phones
                        .iter()
                        .map(|p| p.e164.clone().unwrap_or_default())
                        .collect(),
                ),
                join(
                    phones
                        .iter()
                        .map(|p| p.extension.clone().unwrap_or_default())
                        .collect(),
                ),
                yes(!phones.is_empty() && phones.iter().all(|p| p.valid)),
                join(phones.iter().map(|p| serde_plain(&p.phone_type)).collect()),
                join(phones.iter().flat_map(|p| p.flags.clone()).collect()),
            ]
        }
        CleanKind::Email => {
            let emails = email::normalize_emails(input);
            vec![
                input.to_string(),
                join(
                    emails
                        .iter()
                        .map(|e| e.address.clone().unwrap_or_default())
                        .collect(),
                ),
                yes(!emails.is_empty() && emails.iter().all(|e| e.valid)),
                yes(emails.iter().any(|e| e.free_mail)),
                yes(emails.iter().any(|e| e.role_account)),
            ]
        }
        CleanKind::Website => {
            let d = web::registrable_domain(input);
            vec![
                input.to_string(),
                d.clone().unwrap_or_default(),
                yes(d.is_some()),
            ]
        }
        CleanKind::OrgName => {
            let o = org::normalize_org_name(input);
            vec![
                input.to_string(),
                o.name,
                o.legal_form.unwrap_or_default(),
                o.match_key,
                o.form_position.map(|p| serde_plain(&p)).unwrap_or_default(),
                o.form_country.unwrap_or_default(),
            ]
        }
        CleanKind::PersonName => {
            let p = person::normalize_person_name(input, person::NameOrder::Auto);
            vec![input.to_string(), p.family, p.given, p.middle, p.match_key]
        }
        CleanKind::TaxId => {
            let t = tax_id::normalize_tax_id(input, Field::TaxId, region);
            vec![
                input.to_string(),
                t.kind.as_str().to_string(),
                t.normalized,
                yes(t.valid),
                yes(t.repaired),
                t.flags.join("; "),
            ]
        }
    }
}

/// `snake_case` name of a unit enum variant, as serde writes it.
fn serde_plain<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|j| j.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn read_values(args: &CleanArgs) -> anyhow::Result<Vec<String>> {
    let bytes = if args.input == "-" {
        let mut b = Vec::new();
        std::io::stdin().read_to_end(&mut b)?;
        b
    } else {
        std::fs::read(&args.input).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::bad_input(&args.input, "file not found"),
            _ => Error::io(&args.input, e),
        })?
    };
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(Error::bad_input(
            &args.input,
            "is a workbook, not text: save the sheet as CSV and clean that",
        )
        .into());
    }
    let (enc, _) = encoding::detect(&bytes);
    let (text, _) = encoding::decode(&bytes, enc);
    let Some(column) = &args.column else {
        return Ok(text
            .lines()
            .map(|l| l.trim_end_matches('\r').to_string())
            .collect());
    };
    let delimiter = delimited::sniff_delimiter(&text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let headers = reader.headers()?.clone();
    let index = headers
        .iter()
        .position(|h| h.trim() == column.as_str())
        .ok_or_else(|| {
            Error::bad_input(
                &args.input,
                format!(
                    "no column `{column}`; the header has: {}",
                    headers.iter().collect::<Vec<_>>().join(", ")
                ),
            )
        })?;
    let mut values = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(|e| Error::bad_input(&args.input, e.to_string()))?;
        values.push(rec.get(index).unwrap_or("").to_string());
    }
    Ok(values)
}
