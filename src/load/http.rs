//! The one HTTP layer of the API targets: a blocking client with a token-bucket
//! rate limit per target, and retries with exponential backoff and jitter on
//! throttling (429, Bitrix24's 503), server errors, timeouts and dropped
//! connections. A 4xx other than 429 is not retried: it is the caller's
//! per-record error. The token never leaves [`Secret`]: not in errors, not in
//! `Debug`, not in logs.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// An address a credential may be sent to: https, or plain http to this
/// machine only (tests, a local proxy).
pub fn safe_for_credentials(url: &str) -> bool {
    url.starts_with("https://")
        || ["http://127.0.0.1", "http://localhost", "http://[::1]"]
            .iter()
            .any(|p| url.starts_with(p))
}

/// A credential from the environment. Prints as `***`.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Self {
        Secret(value)
    }
    fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// How a request ended after its retries.
#[derive(Debug)]
pub enum HttpError {
    /// No answer that could be used after every attempt (connection, timeout,
    /// throttling or server errors throughout).
    GaveUp { attempts: u32, last: String },
    /// A request that is not safe to repeat got no clear answer (the
    /// connection broke, or a server error): it may or may not have been
    /// applied, so the caller must look before it sends it again.
    Unsure { last: String },
}

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HttpError::GaveUp { attempts, last } => {
                write!(f, "no answer after {attempts} attempts (last: {last})")
            }
            HttpError::Unsure { last } => write!(f, "no clear answer ({last})"),
        }
    }
}

/// An answer: its status and its body as JSON (`Null` when it had none or
/// was not JSON; the text is kept for messages).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub json: serde_json::Value,
    pub text: String,
}

/// The requests a target allows: `requests` per `per` (a token bucket of that
/// capacity, refilled evenly).
#[derive(Clone, Copy, Debug)]
pub struct RateLimit {
    pub requests: u32,
    pub per: Duration,
}

/// A token bucket that keeps any rolling window of `per` within `requests`:
/// a burst of a twentieth of the limit, refilled at the rest of it, so the
/// loader uses 95 % of what the CRM allows and never more.
struct Bucket {
    capacity: f64,
    rate: f64,
    tokens: f64,
    last: Instant,
}

impl Bucket {
    fn new(limit: RateLimit) -> Self {
        let requests = f64::from(limit.requests.max(1));
        let capacity = (requests / 20.0).floor().max(1.0);
        let rate = (requests - capacity).max(1.0) / limit.per.as_secs_f64().max(1e-3);
        Bucket {
            capacity,
            rate,
            tokens: capacity,
            last: Instant::now(),
        }
    }

    /// Take a token if there is one (zero), else how long until there is.
    fn wait(&mut self) -> Duration {
        let now = Instant::now();
        self.tokens = (self.tokens + now.duration_since(self.last).as_secs_f64() * self.rate)
            .min(self.capacity);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Duration::ZERO
        } else {
            Duration::from_secs_f64((1.0 - self.tokens) / self.rate)
        }
    }

    /// Wait for one token (one thread).
    #[cfg(test)]
    fn take(&mut self) {
        loop {
            let wait = self.wait();
            if wait.is_zero() {
                return;
            }
            std::thread::sleep(wait);
        }
    }

    /// The server said it is throttled: spend what is left.
    fn drain(&mut self) {
        self.tokens = 0.0;
        self.last = Instant::now();
    }
}

/// What was retried, for the progress line and the summary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct RetryCounts {
    pub throttled: u32,
    pub server_errors: u32,
    pub connection_errors: u32,
}

/// Shared by the loader's workers: one bucket, one set of counts.
pub struct Client {
    agent: ureq::Agent,
    base: String,
    auth: Option<Secret>,
    bucket: Mutex<Bucket>,
    max_attempts: u32,
    backoff: Duration,
    max_backoff: Duration,
    jitter_state: AtomicU64,
    retries: Mutex<RetryCounts>,
}

impl Client {
    pub fn new(base: &str, auth: Option<Secret>, limit: RateLimit) -> Self {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(60)))
            .http_status_as_error(false)
            .user_agent(concat!("golive/", env!("CARGO_PKG_VERSION")))
            .build();
        Client {
            agent: config.into(),
            base: base.trim_end_matches('/').to_string(),
            auth,
            bucket: Mutex::new(Bucket::new(limit)),
            max_attempts: 8,
            backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(30),
            jitter_state: AtomicU64::new(0x5eed),
            retries: Mutex::new(RetryCounts::default()),
        }
    }

    /// What was retried so far.
    pub fn retries(&self) -> RetryCounts {
        *lock(&self.retries)
    }

    fn count(&self, f: impl FnOnce(&mut RetryCounts)) {
        f(&mut lock(&self.retries));
    }

    /// GET `path` (relative to the base URL).
    pub fn get(&self, path: &str) -> Result<Answer, HttpError> {
        self.send("GET", path, None, true)
    }

    /// POST `body` as JSON to `path`; it is retried as needed, so it must be
    /// idempotent (an upsert, a lookup, setting a link).
    pub fn post(&self, path: &str, body: &serde_json::Value) -> Result<Answer, HttpError> {
        self.send("POST", path, Some(body), true)
    }

    /// POST what must not be applied twice (Bitrix24's `add`): retried only
    /// after an answer that says it was not applied (429, 503 throttling);
    /// otherwise [`HttpError::Unsure`].
    pub fn post_once(&self, path: &str, body: &serde_json::Value) -> Result<Answer, HttpError> {
        self.send("POST", path, Some(body), false)
    }

    /// The pause before the `attempt`-th try of a caller's own retry.
    pub fn pause(&self, attempt: u32) {
        std::thread::sleep(self.backoff_for(attempt));
    }

    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<&serde_json::Value>,
        idempotent: bool,
    ) -> Result<Answer, HttpError> {
        let url = format!("{}{}", self.base, path);
        let payload = body.map(|b| b.to_string());
        let mut attempt = 0;
        loop {
            attempt += 1;
            take_token(&self.bucket);
            let outcome = self.once(method, &url, payload.as_deref());
            let wait = match outcome {
                Ok((answer, retry_after)) => {
                    if !retryable(&answer) {
                        return Ok(answer);
                    }
                    if answer.status == 429 || throttled_503(&answer) {
                        self.count(|r| r.throttled += 1);
                        lock(&self.bucket).drain();
                    } else {
                        self.count(|r| r.server_errors += 1);
                        if !idempotent {
                            return Err(HttpError::Unsure {
                                last: format!("HTTP {}", answer.status),
                            });
                        }
                    }
                    if attempt >= self.max_attempts {
                        return Err(HttpError::GaveUp {
                            attempts: attempt,
                            last: format!("HTTP {}", answer.status),
                        });
                    }
                    retry_after.unwrap_or_else(|| self.backoff_for(attempt))
                }
                Err(e) => {
                    self.count(|r| r.connection_errors += 1);
                    if !idempotent {
                        return Err(HttpError::Unsure { last: e });
                    }
                    if attempt >= self.max_attempts {
                        return Err(HttpError::GaveUp {
                            attempts: attempt,
                            last: e,
                        });
                    }
                    self.backoff_for(attempt)
                }
            };
            std::thread::sleep(wait);
        }
    }

    /// One attempt: the answer and its `Retry-After`, or why there was none
    /// (a message without the URL's query or the token).
    fn once(
        &self,
        method: &str,
        url: &str,
        payload: Option<&str>,
    ) -> Result<(Answer, Option<Duration>), String> {
        let auth = self.auth.as_ref().map(|s| format!("Bearer {}", s.expose()));
        let result = match (method, payload) {
            ("GET", _) => {
                let mut r = self.agent.get(url).header("Accept", "application/json");
                if let Some(a) = &auth {
                    r = r.header("Authorization", a);
                }
                r.call()
            }
            (_, body) => {
                let mut r = self
                    .agent
                    .post(url)
                    .header("Accept", "application/json")
                    .header("Content-Type", "application/json");
                if let Some(a) = &auth {
                    r = r.header("Authorization", a);
                }
                r.send(body.unwrap_or(""))
            }
        };
        let mut response = result.map_err(|e| describe(&e))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map(|s| Duration::from_secs_f64(s.min(300.0)));
        let text = response
            .body_mut()
            .read_to_string()
            .map_err(|e| format!("the answer broke off ({})", describe(&e)))?;
        let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
        Ok((Answer { status, json, text }, retry_after))
    }

    /// 250 ms, 500 ms, 1 s … up to 30 s, each less a random part of up to half.
    fn backoff_for(&self, attempt: u32) -> Duration {
        let exp = self
            .backoff
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
            .min(self.max_backoff);
        // xorshift: jitter spreads retries of parallel runs apart.
        let mut x = self.jitter_state.load(Ordering::Relaxed);
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.jitter_state.store(x, Ordering::Relaxed);
        let fraction = (x % 1000) as f64 / 2000.0;
        exp.mul_f64(1.0 - fraction)
    }
}

/// Wait for a token; the lock is held only to look, never while sleeping, so
/// workers share the bucket.
fn take_token(bucket: &Mutex<Bucket>) {
    loop {
        let wait = lock(bucket).wait();
        if wait.is_zero() {
            return;
        }
        std::thread::sleep(wait);
    }
}

/// A poisoned lock still holds a usable bucket or counts.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn retryable(a: &Answer) -> bool {
    (a.status == 429 && !daily_quota_spent(a)) || a.status >= 500
}

/// HubSpot's 429 for the day's quota (`policyName` DAILY): retrying for hours
/// helps nobody; the caller stops the load and says so.
pub fn daily_quota_spent(a: &Answer) -> bool {
    a.status == 429 && a.json["policyName"].as_str() == Some("DAILY")
}

/// Bitrix24 answers its leaky bucket's overflow with 503 `QUERY_LIMIT_EXCEEDED`.
fn throttled_503(a: &Answer) -> bool {
    a.status == 503 && a.text.contains("QUERY_LIMIT_EXCEEDED")
}

/// A transport error in words, without the URL (a Bitrix24 webhook URL holds
/// its secret in the path).
fn describe(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(_) => "timed out".to_string(),
        ureq::Error::Io(io) => format!("connection error: {}", io.kind()),
        ureq::Error::HostNotFound => "host not found".to_string(),
        ureq::Error::ConnectionFailed => "connection failed".to_string(),
        ureq::Error::Tls(_) => "TLS error".to_string(),
        _ => "the request failed".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_prints() {
        let s = Secret::new("pat-na1-recognisable".into());
        assert_eq!(format!("{s:?}"), "***");
        let c = Client::new(
            "http://127.0.0.1:9",
            Some(s),
            RateLimit {
                requests: 10,
                per: Duration::from_secs(1),
            },
        );
        assert!(!format!("{:?}", c.auth).contains("recognisable"));
    }

    /// However the requests fall, no rolling window holds more than the limit.
    #[test]
    fn no_window_holds_more_than_the_limit() {
        let limit = RateLimit {
            requests: 40,
            per: Duration::from_millis(200),
        };
        let mut b = Bucket::new(limit);
        let times: Vec<Instant> = (0..120)
            .map(|_| {
                b.take();
                Instant::now()
            })
            .collect();
        for (i, t) in times.iter().enumerate() {
            let within = times[i..]
                .iter()
                .take_while(|u| u.duration_since(*t) < limit.per)
                .count();
            assert!(within <= 40, "{within} requests in one window");
        }
    }

    #[test]
    fn backoff_grows_and_stays_under_its_cap() {
        let c = Client::new(
            "http://127.0.0.1:9",
            None,
            RateLimit {
                requests: 1,
                per: Duration::from_secs(1),
            },
        );
        let waits: Vec<Duration> = (1..=12).map(|a| c.backoff_for(a)).collect();
        assert!(waits[0] <= Duration::from_millis(250) && waits[0] >= Duration::from_millis(125));
        assert!(waits[3] >= Duration::from_millis(1000));
        assert!(waits.iter().all(|w| *w <= Duration::from_secs(30)));
    }
}
