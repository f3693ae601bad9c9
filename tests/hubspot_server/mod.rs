//! A local HubSpot on 127.0.0.1 for the API load tests and the throughput bench:
//! the endpoints golive uses, with HubSpot's documented contract — bearer token
//! (401), properties API (404 for a missing property, 409 when it exists),
//! batch upsert on a unique property (≤ 100 inputs; `new` per result), batch
//! update by ID (207 with `errors[].context.ids` for unknown IDs), a whole
//! batch refused with 400 VALIDATION_ERROR for one invalid value, v4 default
//! associations, and the rolling burst limit answered with 429 and
//! `policyName`. Faults on demand: 429 / 503 / 500 before a request is
//! applied, or the connection dropped after it was applied, before the answer.
#![allow(dead_code)] // the bench uses part of it

use crate::mock_http::{Request, read_request, respond, serve_forever};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Clone, Debug)]
pub struct Options {
    pub token: String,
    /// Share of requests that fail (0.0–1.0), by a seeded generator.
    pub faults: f64,
    pub seed: u64,
    /// Added before each answer (so that a kill lands mid-load).
    pub latency: Duration,
    /// The burst limit: requests per rolling window.
    pub limit: (usize, Duration),
    /// A company name HubSpot refuses as an invalid value.
    pub refuse_name: Option<String>,
    /// The day's quota: requests after this many are answered 429 DAILY.
    pub daily: Option<u64>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            token: "pat-na1-test".into(),
            faults: 0.0,
            seed: 1,
            latency: Duration::ZERO,
            limit: (100, Duration::from_secs(10)),
            refuse_name: None,
            daily: None,
        }
    }
}

#[derive(Debug, Default)]
pub struct State {
    /// object ("companies" / "contacts") → id → properties.
    pub objects: BTreeMap<String, BTreeMap<u64, Map<String, Value>>>,
    /// Properties created, per object: hasUniqueValue.
    pub properties: HashMap<String, bool>,
    /// (contact id, company id).
    pub associations: BTreeSet<(u64, u64)>,
    /// (object, golive_id) → id: the unique property's index.
    index: HashMap<(String, String), u64>,
    next_id: u64,
    /// Requests that changed records (upserts, updates, associations), applied.
    pub writes: u64,
    pub creates: u64,
    pub requests: u64,
    pub faults: u64,
    /// Requests over the burst limit (answered 429).
    pub over_limit: u64,
    window: VecDeque<Instant>,
    rng: u64,
    /// Arrival time of every request.
    pub arrivals: Vec<Instant>,
}

pub struct Server {
    pub url: String,
    pub state: Arc<Mutex<State>>,
}

impl Server {
    pub fn start(options: Options) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State {
            next_id: 1000,
            rng: options.seed.max(1),
            ..State::default()
        }));
        serve_forever(listener, state.clone(), options, serve);
        Server { url, state }
    }

    /// golive IDs of the records of `object`, one entry per record.
    pub fn keys(&self, object: &str) -> Vec<String> {
        let s = self.state.lock().unwrap();
        s.objects
            .get(object)
            .map(|m| {
                m.values()
                    .map(|p| p["golive_id"].as_str().unwrap_or("").to_string())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// HubSpot's 429 body for a limit policy.
fn rate_limited(policy: &str) -> Value {
    json!({"status": "error",
           "message": format!("You have reached your {} limit.", policy.to_lowercase()),
           "errorType": "RATE_LIMIT", "policyName": policy})
}

fn error(category: &str, message: &str) -> Value {
    json!({"status": "error", "message": message, "category": category,
           "correlationId": "00000000-0000-0000-0000-000000000000"})
}

fn serve(mut stream: TcpStream, state: &Mutex<State>, o: &Options) -> Option<()> {
    let req = read_request(&mut stream)?;
    std::thread::sleep(o.latency);
    let mut s = state.lock().unwrap();
    let now = Instant::now();
    s.requests += 1;
    s.arrivals.push(now);
    while s
        .window
        .front()
        .is_some_and(|t| now.duration_since(*t) >= o.limit.1)
    {
        s.window.pop_front();
    }
    if s.window.len() >= o.limit.0 {
        s.over_limit += 1;
        drop(s);
        respond(&mut stream, 429, &rate_limited("TEN_SECONDLY_ROLLING"), "");
        return Some(());
    }
    s.window.push_back(now);
    if o.daily.is_some_and(|d| s.requests > d) {
        drop(s);
        respond(&mut stream, 429, &rate_limited("DAILY"), "");
        return Some(());
    }
    if req.auth != format!("Bearer {}", o.token) {
        drop(s);
        respond(
            &mut stream,
            401,
            &error(
                "INVALID_AUTHENTICATION",
                "Authentication credentials not found.",
            ),
            "",
        );
        return Some(());
    }
    let fault = if o.faults > 0.0 {
        let mut x = s.rng;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.rng = x;
        ((x % 10_000) as f64) < o.faults * 10_000.0
    } else {
        false
    };
    let kind = s.rng.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 62;
    if fault {
        s.faults += 1;
        drop(s);
        match kind {
            0 => respond(
                &mut stream,
                429,
                &rate_limited("TEN_SECONDLY_ROLLING"),
                "Retry-After: 0\r\n",
            ),
            1 => respond(&mut stream, 503, &json!("upstream unavailable"), ""),
            2 => respond(
                &mut stream,
                500,
                &error("INTERNAL_ERROR", "internal error"),
                "",
            ),
            _ => {
                // Applied, then the connection drops before the answer ends.
                let mut s = state.lock().unwrap();
                let _ = route(&mut s, &req, o);
                drop(s);
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"status\":\"COMP");
                let _ = stream.shutdown(std::net::Shutdown::Both);
            }
        }
        return Some(());
    }
    let (status, body) = route(&mut s, &req, o);
    drop(s);
    respond(&mut stream, status, &body, "");
    Some(())
}

fn route(s: &mut State, req: &Request, o: &Options) -> (u16, Value) {
    let segments: Vec<&str> = req.path.trim_matches('/').split('/').collect();
    match (req.method.as_str(), segments.as_slice()) {
        ("GET", ["crm", "v3", "properties", object, name]) => match s.properties.get(*object) {
            Some(unique) if *name == "golive_id" => (
                200,
                json!({"name": name, "type": "string", "fieldType": "text", "hasUniqueValue": unique}),
            ),
            _ => (
                404,
                error(
                    "OBJECT_NOT_FOUND",
                    &format!("Unable to find property {name} for object {object}"),
                ),
            ),
        },
        ("POST", ["crm", "v3", "properties", object]) => {
            let name = req.body["name"].as_str().unwrap_or("");
            if name != "golive_id" {
                return (
                    400,
                    error("VALIDATION_ERROR", "only golive_id is known here"),
                );
            }
            if s.properties.contains_key(*object) {
                return (
                    409,
                    error(
                        "OBJECT_ALREADY_EXISTS",
                        "Property named 'golive_id' already exists.",
                    ),
                );
            }
            let unique = req.body["hasUniqueValue"] == Value::Bool(true);
            s.properties.insert(object.to_string(), unique);
            (201, json!({"name": name, "hasUniqueValue": unique}))
        }
        (
            "POST",
            [
                "crm",
                "v3",
                "objects",
                object,
                "batch",
                op @ ("upsert" | "update"),
            ],
        ) => batch(s, object, op, &req.body, o),
        (
            "POST",
            [
                "crm",
                "v4",
                "associations",
                "contacts",
                "companies",
                "batch",
                "associate",
                "default",
            ],
        ) => associate(s, &req.body),
        (
            "POST",
            [
                "crm",
                "v4",
                "associations",
                "contacts",
                "companies",
                "batch",
                "archive",
            ],
        ) => {
            for i in req.body["inputs"].as_array().into_iter().flatten() {
                let from: u64 = i["from"]["id"]
                    .as_str()
                    .and_then(|x| x.parse().ok())
                    .unwrap_or(0);
                for to in i["to"].as_array().into_iter().flatten() {
                    let to: u64 = to["id"].as_str().and_then(|x| x.parse().ok()).unwrap_or(0);
                    s.associations.remove(&(from, to));
                }
            }
            s.writes += 1;
            (204, Value::Null)
        }
        _ => (404, error("NOT_FOUND", "no such endpoint")),
    }
}

fn batch(s: &mut State, object: &str, op: &str, body: &Value, o: &Options) -> (u16, Value) {
    let inputs = body["inputs"].as_array().cloned().unwrap_or_default();
    if inputs.len() > 100 {
        return (
            400,
            error(
                "VALIDATION_ERROR",
                "Batch input must contain at most 100 inputs",
            ),
        );
    }
    if op == "upsert" && s.properties.get(object) != Some(&true) {
        return (
            400,
            error(
                "VALIDATION_ERROR",
                "Property golive_id is not a unique identifier property",
            ),
        );
    }
    for i in &inputs {
        let p = &i["properties"];
        if let (Some(refused), Some(name)) = (&o.refuse_name, p["name"].as_str())
            && name == refused
        {
            return (
                400,
                error(
                    "VALIDATION_ERROR",
                    &format!(
                        "Property values were not valid: [{{\"isValid\":false,\"message\":\"{name} is not allowed\",\"error\":\"INVALID_OPTION\",\"name\":\"name\"}}]"
                    ),
                ),
            );
        }
        if let Some(email) = p["email"].as_str()
            && !email.contains('@')
        {
            return (
                400,
                error(
                    "VALIDATION_ERROR",
                    &format!("Property values were not valid: Email address {email} is invalid"),
                ),
            );
        }
    }
    s.writes += 1;
    let mut results = Vec::new();
    let mut missing = Vec::new();
    for i in inputs {
        let props = i["properties"].as_object().cloned().unwrap_or_default();
        let found = if op == "upsert" {
            let key = i["id"].as_str().unwrap_or("");
            s.index.get(&(object.to_string(), key.to_string())).copied()
        } else {
            let id: u64 = i["id"].as_str().and_then(|v| v.parse().ok()).unwrap_or(0);
            s.objects
                .get(object)
                .and_then(|m| m.contains_key(&id).then_some(id))
        };
        let (id, new) = match found {
            Some(id) => (id, false),
            None if op == "upsert" => {
                s.next_id += 1;
                s.creates += 1;
                (s.next_id, true)
            }
            None => {
                missing.push(i["id"].clone());
                continue;
            }
        };
        let record = s
            .objects
            .entry(object.to_string())
            .or_default()
            .entry(id)
            .or_default();
        for (k, v) in props {
            record.insert(k, v);
        }
        let key = record["golive_id"].as_str().unwrap_or("").to_string();
        let mut r = json!({"id": id.to_string(), "properties": record.clone(), "archived": false});
        if !key.is_empty() {
            s.index.insert((object.to_string(), key), id);
        }
        if op == "upsert" {
            r["new"] = Value::Bool(new);
        }
        results.push(r);
    }
    if missing.is_empty() {
        (200, json!({"status": "COMPLETE", "results": results}))
    } else {
        (
            207,
            json!({"status": "COMPLETE", "results": results, "numErrors": missing.len(),
                   "errors": [{"status": "error", "category": "OBJECT_NOT_FOUND",
                               "message": "Could not get some objects, they may be deleted or not exist. Check that ids are valid.",
                               "context": {"ids": missing}}]}),
        )
    }
}

fn associate(s: &mut State, body: &Value) -> (u16, Value) {
    let inputs = body["inputs"].as_array().cloned().unwrap_or_default();
    s.writes += 1;
    let mut results = Vec::new();
    let mut missing = Vec::new();
    for i in inputs {
        let id = |v: &Value| -> u64 { v["id"].as_str().and_then(|x| x.parse().ok()).unwrap_or(0) };
        let (from, to) = (id(&i["from"]), id(&i["to"]));
        let exists =
            |object: &str, id: u64| s.objects.get(object).is_some_and(|m| m.contains_key(&id));
        if !exists("contacts", from) || !exists("companies", to) {
            missing.push(Value::String(from.to_string()));
            continue;
        }
        s.associations.insert((from, to));
        results.push(json!({"from": {"id": from.to_string()}, "to": {"id": to.to_string()},
                            "associationSpec": {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}}));
    }
    if missing.is_empty() {
        (200, json!({"status": "COMPLETE", "results": results}))
    } else {
        (
            207,
            json!({"status": "COMPLETE", "results": results, "numErrors": missing.len(),
                   "errors": [{"status": "error", "category": "OBJECT_NOT_FOUND",
                               "message": "No such object", "context": {"ids": missing}}]}),
        )
    }
}
