//! HubSpot CRM v3: companies and contacts by batch upsert on the unique custom
//! property `golive_id` (created when absent), records already in HubSpot by
//! batch update on their ID, contact → company by the v4 default association.
//! Empty values are left out of every request: in HubSpot an empty string
//! clears a property.

use super::{Crm, Done, gave_up, id_text};
use crate::error::{Error, Result};
use crate::load::http::{Answer, Client, daily_quota_spent};
use crate::load::target::{Api, EntityFiles, Target};
use crate::load::{Entity, PlanRow, external_id};
use crate::workspace::crosswalk::IdKind;
use serde_json::{Map, Value, json};
use std::collections::HashMap;

pub const ID_PROPERTY: &str = "golive_id";

pub(crate) struct HubSpot<'a> {
    client: &'a Client,
    target: &'a Target,
    api: &'a Api,
}

impl<'a> HubSpot<'a> {
    pub(crate) fn new(client: &'a Client, target: &'a Target, api: &'a Api) -> Self {
        HubSpot {
            client,
            target,
            api,
        }
    }
}

impl Crm for HubSpot<'_> {
    fn prepare(&self, object: &str, entity: Entity) -> Result<u64> {
        let group = if entity == Entity::Person {
            "contactinformation"
        } else {
            "companyinformation"
        };
        ensure_property(self.client, object, group)
    }

    fn send(
        &self,
        object: &str,
        files: &EntityFiles,
        rows: &[&PlanRow],
    ) -> Result<(Vec<Done>, u64)> {
        send_objects(self.client, self.target, object, files, rows)
    }

    fn link(
        &self,
        rows: &[&PlanRow],
        ids: &HashMap<(Entity, String), String>,
    ) -> Result<(Vec<Done>, u64)> {
        associate(self.client, self.api, rows, ids)
    }

    fn max_batch(&self) -> usize {
        100
    }

    /// Upserts and updates by ID in batches of their own: a batch is then one
    /// request, confirmed or not as a whole.
    fn split<'r>(&self, rows: Vec<&'r PlanRow>) -> Vec<Vec<&'r PlanRow>> {
        let (by_id, by_key): (Vec<&PlanRow>, Vec<&PlanRow>) =
            rows.into_iter().partition(|r| by_crm_id(r));
        vec![by_key, by_id]
    }
}

/// A record HubSpot holds already, by an ID golive knows.
fn by_crm_id(r: &PlanRow) -> bool {
    r.id_kind == IdKind::Crm && !r.target_id.is_empty()
}

/// The unique property upserts are keyed on; HubSpot refuses an upsert on a
/// property whose values are not unique.
fn ensure_property(client: &Client, object: &str, group: &str) -> Result<u64> {
    let a = client
        .get(&format!("/crm/v3/properties/{object}/{ID_PROPERTY}"))
        .map_err(|e| gave_up("HubSpot", &e))?;
    match a.status {
        200 if a.json["hasUniqueValue"] == Value::Bool(true) => Ok(1),
        200 => Err(Error::Failed(format!(
            "HubSpot's {object} property {ID_PROPERTY} exists without unique values, so records cannot be upserted on it: delete it (golive creates it) or create it with \"Require unique values\""
        ))),
        404 => {
            let body = json!({
                "name": ID_PROPERTY,
                "label": "Golive ID",
                "type": "string",
                "fieldType": "text",
                "groupName": group,
                "hasUniqueValue": true,
                "description": "The golden record this record was loaded from (golive)",
            });
            let made = client
                .post(&format!("/crm/v3/properties/{object}"), &body)
                .map_err(|e| gave_up("HubSpot", &e))?;
            match made.status {
                200 | 201 => Ok(2),
                // Made meanwhile by someone else: it must still be unique.
                409 => ensure_property(client, object, group).map(|n| n + 2),
                _ => Err(refused(object, &made)),
            }
        }
        _ => Err(refused(object, &a)),
    }
}

/// An answer that stops the load: the credential, the scopes, or a contract
/// golive does not know.
fn refused(what: &str, a: &Answer) -> Error {
    if daily_quota_spent(a) {
        return Error::Failed(
            "HubSpot's daily API quota is used up (429, policy DAILY): what was loaded is recorded; run `golive load` again after midnight in the portal's time zone".into(),
        );
    }
    match a.status {
        401 => Error::Failed(
            "HubSpot refused the access token (HTTP 401): set HUBSPOT_ACCESS_TOKEN to a private app's token".into(),
        ),
        403 => Error::Failed(format!(
            "HubSpot refused access to {what} (HTTP 403): give the private app the crm.objects.companies.write, crm.objects.contacts.write and crm.schemas write scopes"
        )),
        s => Error::Failed(format!("HubSpot answered HTTP {s} for {what}: {}", message(a))),
    }
}

/// HubSpot's error message, short.
fn message(a: &Answer) -> String {
    let m = a.json["message"]
        .as_str()
        .map_or_else(|| a.text.trim().to_string(), str::to_string);
    m.chars().take(300).collect()
}

/// The properties of one record: its non-empty values.
fn properties(files: &EntityFiles, row: &PlanRow) -> Map<String, Value> {
    files
        .columns
        .iter()
        .zip(&row.values)
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(c, v)| (c.header.clone(), Value::String(v.clone())))
        .collect()
}

/// One batch of companies or contacts: those HubSpot already holds by ID are
/// updated, the others upserted on golive_id. A batch HubSpot refuses whole
/// (one invalid value fails it) is sent again record by record, so that the
/// refusal lands on the record it is about.
fn send_objects(
    client: &Client,
    target: &Target,
    object: &str,
    files: &EntityFiles,
    rows: &[&PlanRow],
) -> Result<(Vec<Done>, u64)> {
    let mut requests = 0;
    let (by_id, by_key): (Vec<&PlanRow>, Vec<&PlanRow>) =
        rows.iter().copied().partition(|r| by_crm_id(r));
    let mut done = Vec::with_capacity(rows.len());
    for (rows, upsert) in [(by_key, true), (by_id, false)] {
        if rows.is_empty() {
            continue;
        }
        let inputs: Vec<Value> = rows
            .iter()
            .map(|r| {
                let mut p = properties(files, r);
                let key = external_id(target, &r.golden_id);
                p.insert(ID_PROPERTY.into(), Value::String(key.clone()));
                if upsert {
                    json!({"idProperty": ID_PROPERTY, "id": key, "properties": p})
                } else {
                    json!({"id": r.target_id, "properties": p})
                }
            })
            .collect();
        let path = format!(
            "/crm/v3/objects/{object}/batch/{}",
            if upsert { "upsert" } else { "update" }
        );
        requests += 1;
        let a = client
            .post(&path, &json!({ "inputs": inputs }))
            .map_err(|e| gave_up("HubSpot", &e))?;
        match a.status {
            200 | 201 | 207 => {
                let mut found: HashMap<String, String> = HashMap::new();
                for r in a.json["results"].as_array().into_iter().flatten() {
                    let id = id_text(&r["id"]);
                    let key = if upsert {
                        id_text(&r["properties"][ID_PROPERTY])
                    } else {
                        id.clone()
                    };
                    found.insert(key, id);
                }
                let errors = batch_errors(&a);
                for r in &rows {
                    let key = if upsert {
                        external_id(target, &r.golden_id)
                    } else {
                        r.target_id.clone()
                    };
                    match found.get(&key) {
                        Some(id) => done.push(Done::of(r, id.clone(), None)),
                        None => {
                            done.push(Done::of(r, String::new(), Some(unconfirmed(&errors, &key))));
                        }
                    }
                }
            }
            401 | 403 | 429 => return Err(refused(object, &a)),
            _ if rows.len() > 1 => {
                for r in &rows {
                    let (one, n) = send_objects(client, target, object, files, &[r])?;
                    done.extend(one);
                    requests += n;
                }
            }
            _ => done.push(Done::of(
                rows[0],
                String::new(),
                Some(format!(
                    "HubSpot refused it (HTTP {}): {}",
                    a.status,
                    message(&a)
                )),
            )),
        }
    }
    Ok((done, requests))
}

/// Why a record is missing from a batch's results: the error about its ID, else
/// what the batch's errors said (never another record's error as its own).
fn unconfirmed(errors: &[(Vec<String>, String)], key: &str) -> String {
    if let Some((_, m)) = errors.iter().find(|(ids, _)| ids.iter().any(|i| i == key)) {
        return m.clone();
    }
    match errors {
        [] => "HubSpot's answer did not list it".into(),
        [(_, m)] => format!("HubSpot did not confirm it (its answer: {m})"),
        [(_, m), ..] => format!(
            "HubSpot did not confirm it ({} errors in its batch, the first: {m})",
            errors.len()
        ),
    }
}

/// `errors` of a 207 answer: the IDs each is about, and its message.
fn batch_errors(a: &Answer) -> Vec<(Vec<String>, String)> {
    a.json["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            let ids = e["context"]["ids"]
                .as_array()
                .into_iter()
                .flatten()
                .map(id_text)
                .collect();
            let m = e["message"].as_str().unwrap_or("refused").to_string();
            (ids, m)
        })
        .collect()
}

/// Contacts to their companies (HubSpot's default, unlabelled association;
/// associating twice changes nothing).
fn associate(
    client: &Client,
    api: &Api,
    rows: &[&PlanRow],
    ids: &HashMap<(Entity, String), String>,
) -> Result<(Vec<Done>, u64)> {
    let mut done = Vec::with_capacity(rows.len());
    let mut pairs = Vec::new();
    for r in rows {
        let person = ids.get(&(Entity::Person, r.golden_id.clone()));
        let company = ids.get(&(Entity::Organization, r.hash.clone()));
        match (person, company) {
            (Some(p), Some(c)) => pairs.push((*r, p.clone(), c.clone())),
            (None, _) => done.push(Done::of(
                r,
                String::new(),
                Some("the contact is not in HubSpot (its own load failed)".into()),
            )),
            (_, None) => done.push(Done::of(
                r,
                String::new(),
                Some(format!("the company {} is not in HubSpot", r.hash)),
            )),
        }
    }
    if pairs.is_empty() {
        return Ok((done, 0));
    }
    let inputs: Vec<Value> = pairs
        .iter()
        .map(|(_, p, c)| json!({"from": {"id": p}, "to": {"id": c}}))
        .collect();
    // A contact that moved to another company leaves the old one.
    let moved: Vec<Value> = pairs
        .iter()
        .filter_map(|(r, p, c)| {
            r.values
                .first()
                .filter(|was| !was.is_empty() && *was != c)
                .map(|was| json!({"from": {"id": p}, "to": [{"id": was}]}))
        })
        .collect();
    let mut requests = 1;
    if !moved.is_empty() {
        requests += 1;
        let path = format!(
            "/crm/v4/associations/{}/{}/batch/archive",
            api.person_object, api.organization_object
        );
        let a = client
            .post(&path, &json!({ "inputs": moved }))
            .map_err(|e| gave_up("HubSpot", &e))?;
        if matches!(a.status, 401 | 403 | 429) {
            return Err(refused("associations", &a));
        }
    }
    let path = format!(
        "/crm/v4/associations/{}/{}/batch/associate/default",
        api.person_object, api.organization_object
    );
    let a = client
        .post(&path, &json!({ "inputs": inputs }))
        .map_err(|e| gave_up("HubSpot", &e))?;
    match a.status {
        200 | 201 | 207 => {
            let linked: std::collections::HashSet<String> = a.json["results"]
                .as_array()
                .into_iter()
                .flatten()
                // Documented: {from: {id}, to: {id}}; older answers: fromObjectId.
                .map(|r| {
                    let from = id_text(&r["from"]["id"]);
                    if from.is_empty() {
                        id_text(&r["fromObjectId"])
                    } else {
                        from
                    }
                })
                .collect();
            let errors = batch_errors(&a);
            for (r, p, c) in pairs {
                if linked.contains(&p) {
                    done.push(Done::of(r, c, None));
                } else {
                    let why = errors
                        .first()
                        .map_or("HubSpot's answer did not list it", |(_, m)| m);
                    done.push(Done::of(r, String::new(), Some(why.to_string())));
                }
            }
        }
        401 | 403 | 429 => return Err(refused("associations", &a)),
        _ => {
            for (r, _, _) in pairs {
                done.push(Done::of(
                    r,
                    String::new(),
                    Some(format!(
                        "HubSpot refused the association (HTTP {}): {}",
                        a.status,
                        message(&a)
                    )),
                ));
            }
        }
    }
    Ok((done, requests))
}
