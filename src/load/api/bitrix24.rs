//! Bitrix24 REST through an inbound webhook: `crm.company.*` and `crm.contact.*`
//! in `batch` calls (≤ 50 commands). Bitrix24 has no upsert, so every batch
//! first looks its records up — by the CRM ID golive knows, else by the user
//! field `UF_CRM_GOLIVE_ID` (created when absent) — and only then adds what is
//! not there: a record added just before a crash is found on the next run, not
//! added twice. Phones, e-mails and sites are multi-fields: an update sends
//! only the values the record does not hold yet (a value without its entry ID
//! is appended). A column `PHONE.WORK` in the profile is the multi-field
//! `PHONE` with `VALUE_TYPE` `WORK`, its value split at `; `.
//!
//! ИНН, КПП and ОГРН live on a company's requisite (`crm.requisite.*`), not on
//! its card: the profile's `RQ.<field>` columns. After a batch of companies is
//! written, their requisites are looked up and only what is missing is added
//! (or a changed value updated), with the portal's Russian template — on a
//! portal without those templates they are left in the comments.

use super::{Crm, Done, gave_up, id_text};
use crate::error::{Error, Result};
use crate::load::http::{Answer, Client, HttpError};
use crate::load::target::{Api, EntityFiles, Target};
use crate::load::{Entity, PlanRow, external_id};
use crate::workspace::crosswalk::IdKind;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

pub const USER_FIELD: &str = "UF_CRM_GOLIVE_ID";
/// Bitrix24's limit of commands per `batch`.
const MAX_COMMANDS: usize = 50;
/// A profile column `RQ.RQ_INN` is the requisite's field `RQ_INN`.
const REQUISITE: &str = "RQ.";
/// The templates Bitrix24 gives Russian portals (`XML_ID`s of
/// `crm.requisite.preset.list`): a legal entity, and an ИП.
const PRESET_COMPANY: &str = "#CRM_REQUISITE_PRESET_DEF_RU_COMPANY#";
const PRESET_INDIVIDUAL: &str = "#CRM_REQUISITE_PRESET_DEF_RU_INDIVIDUAL#";
/// `ENTITY_TYPE_ID` of a company (`crm.enum.ownertype`).
const COMPANY_TYPE: &str = "4";

/// The portal's template IDs for requisites.
#[derive(Clone, Debug, Default, PartialEq)]
struct Presets {
    company: Option<String>,
    individual: Option<String>,
}

pub(crate) struct Bitrix24<'a> {
    client: &'a Client,
    target: &'a Target,
    person_entity: &'a str,
    /// Set by `prepare` when the company columns hold requisite fields.
    presets: OnceLock<Presets>,
    notes: Mutex<Vec<String>>,
}

impl<'a> Bitrix24<'a> {
    pub(crate) fn new(client: &'a Client, target: &'a Target, api: &'a Api) -> Self {
        Bitrix24 {
            client,
            target,
            person_entity: &api.person_object,
            presets: OnceLock::new(),
            notes: Mutex::new(Vec::new()),
        }
    }

    fn note(&self, text: String) {
        let mut notes = self.notes.lock().unwrap_or_else(|p| p.into_inner());
        if !notes.contains(&text) {
            notes.push(text);
        }
    }
}

impl Crm for Bitrix24<'_> {
    fn prepare(&self, entity: &str, of: Entity) -> Result<u64> {
        let mut requests = ensure_user_field(self.client, entity)?;
        let wants_requisites = self
            .target
            .organization
            .columns
            .iter()
            .any(|c| c.header.starts_with(REQUISITE));
        if of == Entity::Organization && wants_requisites {
            let presets = presets(self.client)?;
            requests += 1;
            if presets.company.is_none() && presets.individual.is_none() {
                self.note(
                    "the portal has no requisite templates for Russian companies (Организация, ИП): ИНН and КПП are in the companies' comments only".into(),
                );
            }
            let _ = self.presets.set(presets);
        }
        Ok(requests)
    }

    fn send(
        &self,
        entity: &str,
        files: &EntityFiles,
        rows: &[&PlanRow],
    ) -> Result<(Vec<Done>, u64)> {
        let (mut done, mut requests) =
            send_entities(self.client, self.target, entity, files, rows)?;
        if let Some(presets) = self.presets.get()
            && entity == "company"
        {
            let by_golden: HashMap<&str, &PlanRow> =
                rows.iter().map(|r| (r.golden_id.as_str(), *r)).collect();
            let written: Vec<(&PlanRow, String)> = done
                .iter()
                .filter(|d| d.error.is_none())
                .filter_map(|d| Some((*by_golden.get(d.golden_id.as_str())?, d.target_id.clone())))
                .collect();
            let (refused, n, skipped) = ensure_requisites(self.client, files, &written, presets)?;
            requests += n;
            if skipped > 0 {
                self.note(
                    "the portal lacks the requisite template some companies need (Организация or ИП): their ИНН is in the comments only".into(),
                );
            }
            for d in &mut done {
                if let Some(e) = refused.get(&d.golden_id) {
                    d.error = Some(format!(
                        "company {} was saved, but Bitrix24 refused its requisite (ИНН/КПП): {e}",
                        d.target_id
                    ));
                }
            }
        }
        Ok((done, requests))
    }

    fn notes(&self) -> Vec<String> {
        self.notes.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn link(
        &self,
        rows: &[&PlanRow],
        ids: &HashMap<(Entity, String), String>,
    ) -> Result<(Vec<Done>, u64)> {
        link(self.client, self.person_entity, rows, ids)
    }

    /// One command per record in a `batch` of at most 50.
    fn max_batch(&self) -> usize {
        MAX_COMMANDS
    }
}

/// `UF_CRM_GOLIVE_ID` on companies or contacts (Bitrix24 adds the `UF_CRM_` prefix).
fn ensure_user_field(client: &Client, entity: &str) -> Result<u64> {
    let a = client
        .post(
            &format!("/crm.{entity}.userfield.list.json"),
            &json!({"filter": {"FIELD_NAME": USER_FIELD}}),
        )
        .map_err(|e| gave_up("Bitrix24", &e))?;
    check(&a, entity)?;
    if a.json["result"].as_array().is_some_and(|r| !r.is_empty()) {
        return Ok(1);
    }
    let made = client
        .post(
            &format!("/crm.{entity}.userfield.add.json"),
            &json!({"fields": {
                "FIELD_NAME": "GOLIVE_ID",
                "USER_TYPE_ID": "string",
                "XML_ID": "GOLIVE_ID",
                "EDIT_FORM_LABEL": "Golive ID",
                "LIST_COLUMN_LABEL": "Golive ID",
                "SHOW_FILTER": "Y",
            }}),
        )
        .map_err(|e| gave_up("Bitrix24", &e))?;
    if check(&made, entity).is_err() {
        // Made by an attempt whose answer was lost, or by someone else: fine if
        // it is there now.
        let again = client
            .post(
                &format!("/crm.{entity}.userfield.list.json"),
                &json!({"filter": {"FIELD_NAME": USER_FIELD}}),
            )
            .map_err(|e| gave_up("Bitrix24", &e))?;
        check(&again, entity)?;
        if again.json["result"]
            .as_array()
            .is_some_and(|r| !r.is_empty())
        {
            return Ok(3);
        }
        check(&made, entity)?;
    }
    Ok(2)
}

/// An answer that stops the load (the webhook, its scope, or an error golive
/// cannot place on a record).
fn check(a: &Answer, what: &str) -> Result<()> {
    match a.status {
        200 => Ok(()),
        401 => Err(Error::Failed(
            "Bitrix24 refused the webhook (HTTP 401): set BITRIX24_WEBHOOK_URL to an inbound webhook of the portal with the crm scope".into(),
        )),
        403 => Err(Error::Failed(format!(
            "Bitrix24 refused access to {what} (HTTP 403): give the webhook the crm scope"
        ))),
        s => Err(Error::Failed(format!(
            "Bitrix24 answered HTTP {s} for {what}: {}",
            message(&a.json).unwrap_or_else(|| a.text.chars().take(300).collect())
        ))),
    }
}

fn message(v: &Value) -> Option<String> {
    let d = v["error_description"].as_str().or(v["error"].as_str())?;
    Some(d.chars().take(300).collect())
}

/// Percent-encoding of a query value (RFC 3986 unreserved characters kept).
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A `batch` call's answers and errors, by command key.
type Answered = (HashMap<String, Value>, HashMap<String, String>);

/// Why a `batch` call has no answers.
enum Failure {
    /// The load cannot go on.
    Stop(Error),
    /// Adds may or may not have been applied: look again before sending them.
    Unsure,
}

/// One `batch` call: its commands by key, the answers and errors by key.
fn batch_call(
    client: &Client,
    commands: &[(String, String)],
    what: &str,
    idempotent: bool,
) -> std::result::Result<Answered, Failure> {
    let cmd: serde_json::Map<String, Value> = commands
        .iter()
        .map(|(k, c)| (k.clone(), Value::String(c.clone())))
        .collect();
    let body = json!({"halt": 0, "cmd": cmd});
    let sent = if idempotent {
        client.post("/batch.json", &body)
    } else {
        client.post_once("/batch.json", &body)
    };
    let a = match sent {
        Ok(a) => a,
        Err(HttpError::Unsure { .. }) => return Err(Failure::Unsure),
        Err(e) => return Err(Failure::Stop(gave_up("Bitrix24", &e))),
    };
    check(&a, what).map_err(Failure::Stop)?;
    let result = &a.json["result"];
    let answers = result["result"]
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    let errors = result["result_error"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), message(v).unwrap_or_else(|| "refused".into())))
                .collect()
        })
        .unwrap_or_default();
    Ok((answers, errors))
}

/// A multi-field value as compared: digits of a phone, an address in lower case.
fn same_value(field: &str, v: &str) -> String {
    if field == "PHONE" {
        v.chars().filter(char::is_ascii_digit).collect()
    } else {
        v.trim()
            .trim_end_matches('/')
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .to_lowercase()
    }
}

/// The `fields[...]` of a record: plain fields, and the multi-field values the
/// record in Bitrix24 (`held`) does not have yet.
fn fields_query(files: &EntityFiles, row: &PlanRow, held: &Value) -> String {
    let mut parts = Vec::new();
    let mut counters: HashMap<String, usize> = HashMap::new();
    for (c, v) in files.columns.iter().zip(&row.values) {
        if v.trim().is_empty() || c.header.starts_with(REQUISITE) {
            continue;
        }
        match c.header.split_once('.') {
            Some((field, kind)) => {
                let have: Vec<String> = held[field]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|e| e["VALUE"].as_str())
                    .map(|x| same_value(field, x))
                    .collect();
                for value in v.split("; ").map(str::trim).filter(|x| !x.is_empty()) {
                    if have.contains(&same_value(field, value)) {
                        continue;
                    }
                    let n = counters.entry(field.to_string()).or_default();
                    parts.push(format!(
                        "fields[{field}][{n}][VALUE]={}&fields[{field}][{n}][VALUE_TYPE]={}",
                        encode(value),
                        encode(kind)
                    ));
                    *n += 1;
                }
            }
            None => parts.push(format!("fields[{}]={}", c.header, encode(v))),
        }
    }
    parts.join("&")
}

/// One batch of companies or contacts: looked up, then added or updated. A
/// write without a clear answer is looked up again before it is repeated, so
/// that what it added is found, not added twice.
fn send_entities(
    client: &Client,
    target: &Target,
    entity: &str,
    files: &EntityFiles,
    rows: &[&PlanRow],
) -> Result<(Vec<Done>, u64)> {
    let mut requests = 0;
    for attempt in 1..=client.max_attempts() {
        match look_and_write(client, target, entity, files, rows) {
            Ok((done, n)) => return Ok((done, requests + n)),
            Err((Failure::Stop(e), _)) => return Err(e),
            Err((Failure::Unsure, n)) => {
                requests += n;
                client.pause(attempt);
            }
        }
    }
    Err(Error::Failed(format!(
        "Bitrix24 gave no clear answer to {} writes of {entity} records in a row; what was confirmed is recorded: run `golive load` again to go on from there",
        client.max_attempts()
    )))
}

fn look_and_write(
    client: &Client,
    target: &Target,
    entity: &str,
    files: &EntityFiles,
    rows: &[&PlanRow],
) -> std::result::Result<(Vec<Done>, u64), (Failure, u64)> {
    let known = |r: &PlanRow| r.id_kind == IdKind::Crm && !r.target_id.is_empty();
    let lookups: Vec<(String, String)> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let cmd = if known(r) {
                format!("crm.{entity}.get?id={}", encode(&r.target_id))
            } else {
                format!(
                    "crm.{entity}.list?filter[{USER_FIELD}]={}&select[]=ID&select[]=PHONE&select[]=EMAIL&select[]=WEB",
                    encode(&external_id(target, &r.golden_id))
                )
            };
            (format!("r{i}"), cmd)
        })
        .collect();
    let (found, lookup_errors) = batch_call(client, &lookups, entity, true).map_err(|f| (f, 1))?;
    let mut done = Vec::with_capacity(rows.len());
    let mut writes = Vec::new();
    let mut pending = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let key = format!("r{i}");
        let held = match found.get(&key) {
            Some(Value::Array(list)) => list.first().cloned(),
            Some(v @ Value::Object(_)) => Some(v.clone()),
            _ => None,
        };
        if known(r) && held.is_none() {
            let why = lookup_errors
                .get(&key)
                .cloned()
                .unwrap_or_else(|| "not found".into());
            done.push(Done::of(
                r,
                String::new(),
                Some(format!(
                    "{entity} {} is not in Bitrix24 ({why}): export the records again and list the export in [target] existing",
                    r.target_id
                )),
            ));
            continue;
        }
        let held = held.unwrap_or(Value::Null);
        let mut fields = fields_query(files, r, &held);
        let key_field = format!(
            "fields[{USER_FIELD}]={}",
            encode(&external_id(target, &r.golden_id))
        );
        if !fields.contains(&format!("fields[{USER_FIELD}]=")) {
            fields = if fields.is_empty() {
                key_field
            } else {
                format!("{fields}&{key_field}")
            };
        }
        let id = id_text(&held["ID"]);
        let cmd = if id.is_empty() {
            format!("crm.{entity}.add?{fields}")
        } else {
            format!("crm.{entity}.update?id={}&{fields}", encode(&id))
        };
        writes.push((format!("w{}", pending.len()), cmd));
        pending.push((*r, id));
    }
    let mut requests = 1;
    if !writes.is_empty() {
        requests += 1;
        let (answers, errors) =
            batch_call(client, &writes, entity, false).map_err(|f| (f, requests))?;
        for (n, (r, id)) in pending.into_iter().enumerate() {
            let key = format!("w{n}");
            match (errors.get(&key), answers.get(&key)) {
                (Some(e), _) => done.push(Done::of(
                    r,
                    String::new(),
                    Some(format!("Bitrix24 refused it: {e}")),
                )),
                (None, Some(v)) => {
                    // add answers the new ID; update answers true.
                    let id = if id.is_empty() { id_text(v) } else { id };
                    done.push(Done::of(r, id, None));
                }
                (None, None) => done.push(Done::of(
                    r,
                    String::new(),
                    Some("Bitrix24's answer did not list it".into()),
                )),
            }
        }
    }
    Ok((done, requests))
}

/// The portal's Russian requisite templates.
fn presets(client: &Client) -> Result<Presets> {
    let a = client
        .post(
            "/crm.requisite.preset.list.json",
            &json!({"select": ["ID", "XML_ID", "NAME"]}),
        )
        .map_err(|e| gave_up("Bitrix24", &e))?;
    check(&a, "requisite templates")?;
    let of = |xml_id: &str| {
        a.json["result"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| p["XML_ID"].as_str() == Some(xml_id))
            .map(|p| id_text(&p["ID"]))
            .filter(|id| !id.is_empty())
    };
    Ok(Presets {
        company: of(PRESET_COMPANY),
        individual: of(PRESET_INDIVIDUAL),
    })
}

/// A requisite's fields and values.
type RequisiteFields<'r> = Vec<(&'r str, &'r str)>;

/// A company's requisite fields (`RQ.` columns with a value); none without an ИНН.
fn requisite_fields<'r>(files: &'r EntityFiles, row: &'r PlanRow) -> RequisiteFields<'r> {
    let fields: RequisiteFields = files
        .columns
        .iter()
        .zip(&row.values)
        .filter_map(|(c, v)| Some((c.header.strip_prefix(REQUISITE)?, v.trim())))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    if fields.iter().any(|(f, _)| *f == "RQ_INN") {
        fields
    } else {
        Vec::new()
    }
}

/// What a company's requisite needs: nothing, an update of the one with its
/// ИНН, or a new one (`None`: the portal has no template for it).
fn requisite_command(
    fields: &[(&str, &str)],
    company_id: &str,
    held: &[Value],
    presets: &Presets,
) -> Option<Option<String>> {
    let inn = fields.iter().find(|(f, _)| *f == "RQ_INN")?.1;
    let query = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(f, v)| format!("fields[{f}]={}", encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    };
    if let Some(same) = held.iter().find(|r| r["RQ_INN"].as_str() == Some(inn)) {
        let changed: Vec<(&str, &str)> = fields
            .iter()
            .filter(|(f, v)| same[*f].as_str().map(str::trim) != Some(*v))
            .copied()
            .collect();
        if changed.is_empty() {
            return Some(None);
        }
        return Some(Some(format!(
            "crm.requisite.update?id={}&{}",
            encode(&id_text(&same["ID"])),
            query(&changed)
        )));
    }
    let preset = if inn.len() == 12 {
        presets.individual.as_ref()
    } else {
        presets.company.as_ref()
    };
    let preset = preset?;
    let mut pairs = vec![
        ("ENTITY_TYPE_ID", COMPANY_TYPE),
        ("ENTITY_ID", company_id),
        ("PRESET_ID", preset.as_str()),
    ];
    if !fields.iter().any(|(f, _)| *f == "NAME") {
        pairs.push(("NAME", inn));
    }
    pairs.extend(fields.iter().copied());
    Some(Some(format!("crm.requisite.add?{}", query(&pairs))))
}

/// Refusals by golden ID, the requests made, and the companies left without a
/// requisite because the portal lacks the template.
type RequisitesDone = (HashMap<String, String>, u64, usize);

/// The requisites of companies just written, by (row, Bitrix24 ID): looked
/// up, then added or updated; an add without a clear answer is looked up
/// again before it is repeated.
fn ensure_requisites(
    client: &Client,
    files: &EntityFiles,
    written: &[(&PlanRow, String)],
    presets: &Presets,
) -> Result<RequisitesDone> {
    let wanted: Vec<(&PlanRow, &str, RequisiteFields)> = written
        .iter()
        .map(|(r, id)| (*r, id.as_str(), requisite_fields(files, r)))
        .filter(|(_, id, f)| !id.is_empty() && !f.is_empty())
        .collect();
    if wanted.is_empty() {
        return Ok((HashMap::new(), 0, 0));
    }
    let mut requests = 0;
    for attempt in 1..=client.max_attempts() {
        let lookups: Vec<(String, String)> = wanted
            .iter()
            .enumerate()
            .map(|(i, (_, id, _))| {
                (
                    format!("q{i}"),
                    format!(
                        "crm.requisite.list?filter[ENTITY_TYPE_ID]={COMPANY_TYPE}&filter[ENTITY_ID]={}",
                        encode(id)
                    ),
                )
            })
            .collect();
        requests += 1;
        let (found, _) = match batch_call(client, &lookups, "requisites", true) {
            Ok(a) => a,
            Err(Failure::Stop(e)) => return Err(e),
            Err(Failure::Unsure) => {
                client.pause(attempt);
                continue;
            }
        };
        let mut writes = Vec::new();
        let mut skipped = 0;
        for (i, (r, id, fields)) in wanted.iter().enumerate() {
            let held: Vec<Value> = found
                .get(&format!("q{i}"))
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            match requisite_command(fields, id, &held, presets) {
                Some(Some(cmd)) => {
                    writes.push((format!("v{}", writes.len()), cmd, r.golden_id.clone()))
                }
                Some(None) => {}
                None => skipped += 1,
            }
        }
        if writes.is_empty() {
            return Ok((HashMap::new(), requests, skipped));
        }
        let commands: Vec<(String, String)> = writes
            .iter()
            .map(|(k, c, _)| (k.clone(), c.clone()))
            .collect();
        requests += 1;
        match batch_call(client, &commands, "requisites", false) {
            Ok((_, errors)) => {
                let refused = writes
                    .into_iter()
                    .filter_map(|(k, _, golden)| Some((golden, errors.get(&k)?.clone())))
                    .collect();
                return Ok((refused, requests, skipped));
            }
            Err(Failure::Stop(e)) => return Err(e),
            Err(Failure::Unsure) => client.pause(attempt),
        }
    }
    Err(Error::Failed(format!(
        "Bitrix24 gave no clear answer to {} writes of requisites in a row; what was confirmed is recorded: run `golive load` again to go on from there",
        client.max_attempts()
    )))
}

/// A contact's company (`COMPANY_ID`; setting it again changes nothing).
fn link(
    client: &Client,
    person_entity: &str,
    rows: &[&PlanRow],
    ids: &HashMap<(Entity, String), String>,
) -> Result<(Vec<Done>, u64)> {
    let mut done = Vec::new();
    let mut commands = Vec::new();
    let mut pending = Vec::new();
    for r in rows {
        let person = ids.get(&(Entity::Person, r.golden_id.clone()));
        let company = ids.get(&(Entity::Organization, r.hash.clone()));
        match (person, company) {
            (Some(p), Some(c)) => {
                commands.push((
                    format!("l{}", pending.len()),
                    format!(
                        "crm.{person_entity}.update?id={}&fields[COMPANY_ID]={}",
                        encode(p),
                        encode(c)
                    ),
                ));
                pending.push((*r, c.clone()));
            }
            (None, _) => done.push(Done::of(
                r,
                String::new(),
                Some("the contact is not in Bitrix24 (its own load failed)".into()),
            )),
            (_, None) => done.push(Done::of(
                r,
                String::new(),
                Some(format!("the company {} is not in Bitrix24", r.hash)),
            )),
        }
    }
    if commands.is_empty() {
        return Ok((done, 0));
    }
    let (answers, errors) = match batch_call(client, &commands, "contacts", true) {
        Ok(a) => a,
        Err(Failure::Stop(e)) => return Err(e),
        Err(Failure::Unsure) => {
            return Err(Error::Failed(
                "Bitrix24 gave no clear answer to setting contacts' companies: run `golive load` again".into(),
            ));
        }
    };
    for (n, (r, company)) in pending.into_iter().enumerate() {
        let key = format!("l{n}");
        match (errors.get(&key), answers.get(&key)) {
            (Some(e), _) => done.push(Done::of(r, String::new(), Some(e.clone()))),
            (None, Some(_)) => done.push(Done::of(r, company, None)),
            (None, None) => done.push(Done::of(
                r,
                String::new(),
                Some("Bitrix24's answer did not list it".into()),
            )),
        }
    }
    Ok((done, 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(
            encode("ООО \"Ромашка\" & Co"),
            "%D0%9E%D0%9E%D0%9E%20%22%D0%A0%D0%BE%D0%BC%D0%B0%D1%88%D0%BA%D0%B0%22%20%26%20Co"
        );
        assert_eq!(encode("a-b_c.d~e"), "a-b_c.d~e");
    }

    #[test]
    fn a_requisite_is_added_once_and_then_only_a_changed_value_updated() {
        let presets = Presets {
            company: Some("1".into()),
            individual: Some("2".into()),
        };
        let fields = [
            ("NAME", "ООО Ромашка"),
            ("RQ_INN", "7724012349"),
            ("RQ_KPP", "772401001"),
        ];
        let add = requisite_command(&fields, "105", &[], &presets);
        assert_eq!(
            add,
            Some(Some(
                "crm.requisite.add?fields[ENTITY_TYPE_ID]=4&fields[ENTITY_ID]=105&fields[PRESET_ID]=1&fields[NAME]=%D0%9E%D0%9E%D0%9E%20%D0%A0%D0%BE%D0%BC%D0%B0%D1%88%D0%BA%D0%B0&fields[RQ_INN]=7724012349&fields[RQ_KPP]=772401001".into()
            ))
        );
        let held = json!({"ID": "9", "NAME": "ООО Ромашка", "RQ_INN": "7724012349", "RQ_KPP": "772401001"});
        assert_eq!(
            requisite_command(&fields, "105", std::slice::from_ref(&held), &presets),
            Some(None),
            "the same values: nothing to send"
        );
        let moved = [fields[0], fields[1], ("RQ_KPP", "772401002")];
        assert_eq!(
            requisite_command(&moved, "105", &[held], &presets),
            Some(Some(
                "crm.requisite.update?id=9&fields[RQ_KPP]=772401002".into()
            ))
        );
        // An ИП (12-digit ИНН) takes the ИП template; without it, nothing.
        let ip = [("NAME", "ИП Гарипов"), ("RQ_INN", "027400123456")];
        let cmd = requisite_command(&ip, "7", &[], &presets)
            .flatten()
            .unwrap();
        assert!(cmd.contains("fields[PRESET_ID]=2&"), "{cmd}");
        let company_only = Presets {
            individual: None,
            ..presets
        };
        assert_eq!(requisite_command(&ip, "7", &[], &company_only), None);
    }

    #[test]
    fn a_multi_field_value_already_held_is_not_sent_again() {
        assert_eq!(same_value("PHONE", "+7 (495) 123-45-67"), "74951234567");
        assert_eq!(same_value("WEB", "https://Romashka.ru/"), "romashka.ru");
    }
}
