//! A local Bitrix24 portal on 127.0.0.1 for the API load tests: an inbound
//! webhook `/rest/1/<secret>/` (a wrong secret: 401 INVALID_CREDENTIALS), the
//! user-field methods, and `batch` (≤ 50 commands, each `method?query` parsed
//! as PHP does) over `crm.company|contact.list|get|add|update` with Bitrix24's
//! semantics: no upsert, a multi-field entry without `ID` is appended, the
//! leaky bucket (50, draining 2 per second) answered with 503
//! QUERY_LIMIT_EXCEEDED. Faults as the HubSpot one: 503 / 500 / 429 before a
//! request is applied, or the connection dropped after it was applied.
//! Requisites: `crm.requisite.preset.list` (the Russian templates, or only a
//! foreign one), and `crm.requisite.list|add|update` in `batch`; an add
//! needs an existing company and template.
#![allow(dead_code)]

use crate::mock_http::{Request, read_request, respond, serve_forever};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Clone, Debug)]
pub struct Options {
    pub secret: String,
    pub faults: f64,
    pub seed: u64,
    pub latency: Duration,
    /// Requests the leaky bucket drains per second (2 on non-Enterprise portals).
    pub leak: f64,
    /// The portal has the Russian requisite templates (else only a US one).
    pub ru_presets: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            secret: "k3y".into(),
            faults: 0.0,
            seed: 1,
            latency: Duration::ZERO,
            leak: 2.0,
            ru_presets: true,
        }
    }
}

#[derive(Debug, Default)]
pub struct State {
    /// "company" / "contact" → ID → fields.
    pub records: BTreeMap<String, BTreeMap<u64, Map<String, Value>>>,
    /// User fields made, per entity.
    pub user_fields: BTreeMap<String, Vec<String>>,
    /// Requisite ID → fields.
    pub requisites: BTreeMap<u64, Map<String, Value>>,
    pub requisite_adds: u64,
    pub requisite_updates: u64,
    ru_presets: bool,
    next_id: u64,
    pub adds: u64,
    pub updates: u64,
    pub requests: u64,
    pub faults: u64,
    pub throttled: u64,
    bucket: f64,
    drained_at: Option<Instant>,
    rng: u64,
}

pub struct Server {
    /// The webhook URL (what BITRIX24_WEBHOOK_URL holds).
    pub webhook: String,
    pub state: Arc<Mutex<State>>,
}

impl Server {
    pub fn start(options: Options) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let webhook = format!(
            "http://{}/rest/1/{}/",
            listener.local_addr().unwrap(),
            options.secret
        );
        let state = Arc::new(Mutex::new(State {
            next_id: 100,
            rng: options.seed.max(1),
            ru_presets: options.ru_presets,
            ..State::default()
        }));
        serve_forever(listener, state.clone(), options, serve);
        Server { webhook, state }
    }

    /// golive IDs of the records of `entity`, one per record.
    pub fn keys(&self, entity: &str) -> Vec<String> {
        let s = self.state.lock().unwrap();
        s.records
            .get(entity)
            .map(|m| {
                m.values()
                    .map(|f| f["UF_CRM_GOLIVE_ID"].as_str().unwrap_or("").to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The records of `entity`.
    pub fn records(&self, entity: &str) -> Vec<Map<String, Value>> {
        let s = self.state.lock().unwrap();
        s.records
            .get(entity)
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default()
    }
}

fn serve(mut stream: TcpStream, state: &Mutex<State>, o: &Options) -> Option<()> {
    let req = read_request(&mut stream)?;
    std::thread::sleep(o.latency);
    let mut s = state.lock().unwrap();
    s.requests += 1;
    // The leaky bucket: 50 requests, draining `leak` per second.
    let now = Instant::now();
    let leaked = s
        .drained_at
        .map_or(0.0, |t| now.duration_since(t).as_secs_f64() * o.leak);
    s.bucket = (s.bucket - leaked).max(0.0);
    s.drained_at = Some(now);
    if s.bucket + 1.0 > 50.0 {
        s.throttled += 1;
        drop(s);
        respond(
            &mut stream,
            503,
            &json!({"error": "QUERY_LIMIT_EXCEEDED", "error_description": "Too many requests"}),
            "",
        );
        return Some(());
    }
    s.bucket += 1.0;
    let prefix = format!("/rest/1/{}/", o.secret);
    let Some(method) = req.path.strip_prefix(&prefix) else {
        drop(s);
        respond(
            &mut stream,
            401,
            &json!({"error": "INVALID_CREDENTIALS", "error_description": "Invalid request credentials"}),
            "",
        );
        return Some(());
    };
    let method = method.trim_end_matches(".json").to_string();
    let mut x = s.rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    s.rng = x;
    let fault = o.faults > 0.0 && ((x % 10_000) as f64) < o.faults * 10_000.0;
    if fault {
        s.faults += 1;
        let kind = x.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 62;
        drop(s);
        match kind {
            0 => respond(
                &mut stream,
                503,
                &json!({"error": "QUERY_LIMIT_EXCEEDED", "error_description": "Too many requests"}),
                "",
            ),
            1 => respond(
                &mut stream,
                500,
                &json!({"error": "INTERNAL_SERVER_ERROR", "error_description": "Internal server error"}),
                "",
            ),
            2 => respond(&mut stream, 502, &json!("Bad Gateway"), ""),
            _ => {
                let mut s = state.lock().unwrap();
                let _ = route(&mut s, &method, &req);
                drop(s);
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 900\r\n\r\n{\"result\":{\"res",
                );
                let _ = stream.shutdown(std::net::Shutdown::Both);
            }
        }
        return Some(());
    }
    let (status, body) = route(&mut s, &method, &req);
    drop(s);
    respond(&mut stream, status, &body, "");
    Some(())
}

fn route(s: &mut State, method: &str, req: &Request) -> (u16, Value) {
    let time = json!({"start": 0, "finish": 0, "duration": 0.01, "operating": 0});
    match method {
        "batch" => {
            let cmd = req.body["cmd"].as_object().cloned().unwrap_or_default();
            if cmd.len() > 50 {
                return (
                    400,
                    json!({"error": "ERROR_BATCH_LENGTH_EXCEEDED", "error_description": "Max batch length exceeded"}),
                );
            }
            let (mut result, mut errors) = (Map::new(), Map::new());
            for (key, c) in cmd {
                let text = c.as_str().unwrap_or("");
                let (m, query) = text.split_once('?').unwrap_or((text, ""));
                match call(s, m, &parse_query(query)) {
                    Ok(v) => {
                        result.insert(key, v);
                    }
                    Err(e) => {
                        errors.insert(key, json!({"error": "", "error_description": e}));
                    }
                }
            }
            (
                200,
                json!({"result": {"result": result, "result_error": errors, "result_total": [], "result_next": [], "result_time": []}, "time": time}),
            )
        }
        "crm.requisite.preset.list" => {
            let presets = if s.ru_presets {
                json!([
                    {"ID": "1", "NAME": "Организация", "XML_ID": "#CRM_REQUISITE_PRESET_DEF_RU_COMPANY#"},
                    {"ID": "2", "NAME": "ИП", "XML_ID": "#CRM_REQUISITE_PRESET_DEF_RU_INDIVIDUAL#"},
                    {"ID": "3", "NAME": "Физ. лицо", "XML_ID": "#CRM_REQUISITE_PRESET_DEF_RU_PERSON#"},
                ])
            } else {
                json!([{"ID": "7", "NAME": "Company", "XML_ID": "#CRM_REQUISITE_PRESET_DEF_US_COMPANY#"}])
            };
            (200, json!({"result": presets, "total": 3, "time": time}))
        }
        m if m.ends_with(".userfield.list") => {
            let entity = m.split('.').nth(1).unwrap_or("");
            let made: Vec<Value> = s
                .user_fields
                .get(entity)
                .into_iter()
                .flatten()
                .filter(|f| req.body["filter"]["FIELD_NAME"].as_str() == Some(f.as_str()))
                .map(|f| json!({"ID": "1", "FIELD_NAME": f, "USER_TYPE_ID": "string"}))
                .collect();
            (200, json!({"result": made, "time": time}))
        }
        m if m.ends_with(".userfield.add") => {
            let entity = m.split('.').nth(1).unwrap_or("").to_string();
            let name = format!(
                "UF_CRM_{}",
                req.body["fields"]["FIELD_NAME"].as_str().unwrap_or("")
            );
            let fields = s.user_fields.entry(entity).or_default();
            if fields.contains(&name) {
                return (
                    400,
                    json!({"error": "ERROR_CORE", "error_description": "Поле с таким кодом уже существует"}),
                );
            }
            fields.push(name);
            (200, json!({"result": 1, "time": time}))
        }
        _ => (
            404,
            json!({"error": "ERROR_METHOD_NOT_FOUND", "error_description": "Method not found!"}),
        ),
    }
}

/// `a[b][0][c]=v&…` as PHP's parse_str reads it (nested maps).
fn parse_query(q: &str) -> Value {
    let mut root = Value::Object(Map::new());
    for pair in q.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let (k, v) = (decode(k), decode(v));
        let mut path: Vec<String> = Vec::new();
        let (head, rest) = k.split_once('[').map_or((k.as_str(), ""), |(h, r)| (h, r));
        path.push(head.to_string());
        for seg in rest.split('[') {
            let seg = seg.trim_end_matches(']');
            if !seg.is_empty() || rest.contains("[]") {
                path.push(seg.to_string());
            }
        }
        let mut at = &mut root;
        for (i, seg) in path.iter().enumerate() {
            let last = i + 1 == path.len();
            let map = at.as_object_mut().unwrap();
            if last {
                if seg.is_empty() {
                    let n = map.len().to_string();
                    map.insert(n, Value::String(v.clone()));
                } else {
                    map.insert(seg.clone(), Value::String(v.clone()));
                }
                break;
            }
            at = map
                .entry(seg.clone())
                .or_insert_with(|| Value::Object(Map::new()));
        }
    }
    root
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        if let (b'%', Some(b)) = (bytes[i], hex) {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

const MULTI: [&str; 3] = ["PHONE", "EMAIL", "WEB"];

fn call(s: &mut State, method: &str, p: &Value) -> Result<Value, String> {
    let mut parts = method.split('.');
    let (_, entity, op) = (
        parts.next(),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    );
    if entity == "requisite" {
        return requisite(s, op, p);
    }
    if !matches!(entity, "company" | "contact") {
        return Err("Method not found!".into());
    }
    let id = |p: &Value| -> u64 { p["id"].as_str().and_then(|x| x.parse().ok()).unwrap_or(0) };
    match op {
        "list" => {
            let want = p["filter"]["UF_CRM_GOLIVE_ID"].as_str().unwrap_or("");
            if !s
                .user_fields
                .get(entity)
                .is_some_and(|f| f.iter().any(|x| x == "UF_CRM_GOLIVE_ID"))
            {
                return Ok(json!([]));
            }
            let found: Vec<Value> = s
                .records
                .get(entity)
                .into_iter()
                .flatten()
                .filter(|(_, f)| f["UF_CRM_GOLIVE_ID"].as_str() == Some(want))
                .map(|(_, f)| Value::Object(f.clone()))
                .collect();
            Ok(Value::Array(found))
        }
        "get" => s
            .records
            .get(entity)
            .and_then(|m| m.get(&id(p)))
            .map(|f| Value::Object(f.clone()))
            .ok_or_else(|| "Not found".to_string()),
        "add" => {
            let fields = p["fields"].as_object().cloned().unwrap_or_default();
            if entity == "company"
                && fields
                    .get("TITLE")
                    .and_then(Value::as_str)
                    .is_none_or(str::is_empty)
            {
                return Err("Не заполнено обязательное поле \"Название компании\"".into());
            }
            s.next_id += 1;
            s.adds += 1;
            let new = s.next_id;
            let mut record = Map::new();
            record.insert("ID".into(), Value::String(new.to_string()));
            apply(s, &mut record, fields);
            s.records
                .entry(entity.into())
                .or_default()
                .insert(new, record);
            Ok(json!(new))
        }
        "update" => {
            let fields = p["fields"].as_object().cloned().unwrap_or_default();
            let Some(mut record) = s.records.get(entity).and_then(|m| m.get(&id(p))).cloned()
            else {
                return Err("Not found".into());
            };
            s.updates += 1;
            apply(s, &mut record, fields);
            s.records
                .entry(entity.into())
                .or_default()
                .insert(id(p), record);
            Ok(json!(true))
        }
        _ => Err("Method not found!".into()),
    }
}

fn requisite(s: &mut State, op: &str, p: &Value) -> Result<Value, String> {
    let text = |v: &Value| v.as_str().unwrap_or("").to_string();
    match op {
        "list" => {
            let (kind, owner) = (
                text(&p["filter"]["ENTITY_TYPE_ID"]),
                text(&p["filter"]["ENTITY_ID"]),
            );
            Ok(Value::Array(
                s.requisites
                    .values()
                    .filter(|r| {
                        text(&r["ENTITY_TYPE_ID"]) == kind && text(&r["ENTITY_ID"]) == owner
                    })
                    .map(|r| Value::Object(r.clone()))
                    .collect(),
            ))
        }
        "add" => {
            let fields = p["fields"].as_object().cloned().unwrap_or_default();
            let owner: u64 = text(&fields["ENTITY_ID"]).parse().unwrap_or(0);
            let preset = text(&fields["PRESET_ID"]);
            if text(&fields["ENTITY_TYPE_ID"]) != "4"
                || !s
                    .records
                    .get("company")
                    .is_some_and(|m| m.contains_key(&owner))
            {
                return Err(format!("Не найдена компания (ID: {owner})"));
            }
            let known = if s.ru_presets {
                ["1", "2", "3"]
            } else {
                ["7", "7", "7"]
            };
            if !known.contains(&preset.as_str()) {
                return Err(format!("Не найден шаблон (ID: {preset})"));
            }
            if text(&fields["NAME"]).is_empty() {
                return Err("Не заполнено обязательное поле \"Название\"".into());
            }
            s.next_id += 1;
            s.requisite_adds += 1;
            let id = s.next_id;
            let mut record = fields;
            record.insert("ID".into(), Value::String(id.to_string()));
            s.requisites.insert(id, record);
            Ok(json!(id))
        }
        "update" => {
            let id: u64 = text(&p["id"]).parse().unwrap_or(0);
            let fields = p["fields"].as_object().cloned().unwrap_or_default();
            let Some(record) = s.requisites.get_mut(&id) else {
                return Err("Not found".into());
            };
            record.extend(fields);
            s.requisite_updates += 1;
            Ok(json!(true))
        }
        _ => Err("Method not found!".into()),
    }
}

/// Plain fields replace; a multi-field entry without ID is appended.
fn apply(s: &mut State, record: &mut Map<String, Value>, fields: Map<String, Value>) {
    for (k, v) in fields {
        if MULTI.contains(&k.as_str()) {
            let entries: Vec<Value> = v
                .as_object()
                .map(|m| m.values().cloned().collect())
                .unwrap_or_default();
            let list = record.entry(k).or_insert_with(|| json!([]));
            for mut e in entries {
                s.next_id += 1;
                e["ID"] = Value::String(s.next_id.to_string());
                if let Some(a) = list.as_array_mut() {
                    a.push(e);
                }
            }
        } else {
            record.insert(k, v);
        }
    }
}
