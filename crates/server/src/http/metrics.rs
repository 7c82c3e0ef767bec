//! Metrics for operators running replicas: Prometheus text at `/metrics`, one registry
//! per server. Everything is counted in one place, [`track`], from what each request
//! came to (its route template, status and problem `code`), so a handler never needs to
//! remember to count. No label carries a username, an address or a secret: routes are
//! templates (`/v1/app-passwords/{id}`), results are codes.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use wire::ErrorCode;

use crate::credentials::argon2::HashStats;
use crate::store::Db;

/// The problem a response carries, set by `ApiError` for [`track`] to read.
#[derive(Debug, Clone, Copy)]
pub struct ProblemCode(pub ErrorCode);

/// A mail server's verification answered 200 either way: whether the password was
/// valid, for [`track`] to read.
#[derive(Debug, Clone, Copy)]
pub struct Verified(pub bool);

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Request_ {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Route {
    method: String,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Problem {
    route: String,
    code: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Outcome {
    result: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolState {
    state: String,
}

fn latency() -> Histogram {
    // 1 ms to ~16 s: a TOTP check to a sign-in queued behind the hashers.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

pub struct Metrics {
    registry: Registry,
    requests: Family<Request_, Counter>,
    latency: Family<Route, Histogram, fn() -> Histogram>,
    problems: Family<Problem, Counter>,
    sign_ins: Family<Outcome, Counter>,
    verifications: Family<Outcome, Counter>,
    mfa_failures: Counter,
    throttled: Family<Route, Counter>,
    hash_in_flight: Gauge,
    hash_waiting: Gauge,
    pool: Family<PoolState, Gauge>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("app_passwords");
        let m = Self {
            requests: Family::default(),
            latency: Family::new_with_constructor(latency),
            problems: Family::default(),
            sign_ins: Family::default(),
            verifications: Family::default(),
            mfa_failures: Counter::default(),
            throttled: Family::default(),
            hash_in_flight: Gauge::default(),
            hash_waiting: Gauge::default(),
            pool: Family::default(),
            registry: Registry::default(),
        };
        registry.register(
            "requests",
            "HTTP requests by route template and status",
            m.requests.clone(),
        );
        registry.register(
            "request_duration_seconds",
            "Time to answer, by route template",
            m.latency.clone(),
        );
        registry.register(
            "problems",
            "Problem documents answered, by route and problem code",
            m.problems.clone(),
        );
        registry.register(
            "sign_ins",
            "Web sign-ins by result (success, invalid, throttled, busy, disabled)",
            m.sign_ins.clone(),
        );
        registry.register(
            "legacy_verifications",
            "Legacy (mail client) sign-ins by result (valid, invalid, throttled, busy)",
            m.verifications.clone(),
        );
        registry.register("mfa_failures", "Wrong MFA codes", m.mfa_failures.clone());
        registry.register(
            "throttle_refusals",
            "Requests refused by a limit, by route",
            m.throttled.clone(),
        );
        registry.register(
            "hash_in_flight",
            "Password hashes being computed",
            m.hash_in_flight.clone(),
        );
        registry.register(
            "hash_waiting",
            "Sign-ins waiting for a hashing slot",
            m.hash_waiting.clone(),
        );
        registry.register(
            "db_pool_connections",
            "Database connections of this process, by state",
            m.pool.clone(),
        );
        Self { registry, ..m }
    }
}

impl Metrics {
    /// Counts one answered request.
    fn observe(
        &self,
        method: &str,
        route: &str,
        status: u16,
        code: Option<ErrorCode>,
        verified: Option<Verified>,
        seconds: f64,
    ) {
        let (method, route) = (method.to_owned(), route.to_owned());
        self.requests
            .get_or_create(&Request_ { method: method.clone(), route: route.clone(), status })
            .inc();
        self.latency
            .get_or_create(&Route { method: method.clone(), route: route.clone() })
            .observe(seconds);
        let code_name = code.map(code_name);
        if let Some(name) = &code_name {
            self.problems
                .get_or_create(&Problem { route: route.clone(), code: name.clone() })
                .inc();
        }
        if matches!(
            code,
            Some(ErrorCode::RateLimited | ErrorCode::TooManyAttempts | ErrorCode::ResendTooSoon)
        ) {
            self.throttled
                .get_or_create(&Route { method: method.clone(), route: route.clone() })
                .inc();
        }
        if code == Some(ErrorCode::InvalidCode) {
            self.mfa_failures.inc();
        }
        let result = |ok: &str| match code {
            None if verified.is_some_and(|v| !v.0) => Some("invalid".to_owned()),
            None if status < 400 => Some(ok.to_owned()),
            Some(ErrorCode::InvalidCredentials) => Some("invalid".to_owned()),
            Some(ErrorCode::RateLimited) => Some("throttled".to_owned()),
            Some(ErrorCode::ServerBusy) => Some("busy".to_owned()),
            Some(ErrorCode::AccountDisabled) => Some("disabled".to_owned()),
            _ => None,
        };
        match (method.as_str(), route.as_str()) {
            ("POST", "/v1/sessions") => {
                if let Some(result) = result("success") {
                    self.sign_ins.get_or_create(&Outcome { result }).inc();
                }
            }
            ("GET", "/v1/legacy/whoami") | ("POST", "/v1/legacy/verify") => {
                if let Some(result) = result("valid") {
                    self.verifications.get_or_create(&Outcome { result }).inc();
                }
            }
            _ => {}
        }
    }

    /// The exposition, with the gauges read now.
    pub fn render(&self, hashes: &HashStats, pool: &Db) -> String {
        self.hash_in_flight.set(i64::try_from(hashes.in_flight()).unwrap_or(i64::MAX));
        self.hash_waiting.set(i64::try_from(hashes.waiting()).unwrap_or(i64::MAX));
        let (size, idle) = (i64::from(pool.size()), i64::try_from(pool.num_idle()).unwrap_or(0));
        self.pool.get_or_create(&PoolState { state: "idle".into() }).set(idle);
        self.pool.get_or_create(&PoolState { state: "used".into() }).set(size - idle);
        let mut out = String::new();
        let _ = encode(&mut out, &self.registry);
        out
    }
}

fn code_name(code: ErrorCode) -> String {
    serde_json::to_value(code).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// The middleware that counts every request of the API.
pub async fn track(State(metrics): State<Arc<Metrics>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().to_string();
    let route =
        req.extensions().get::<MatchedPath>().map_or("unmatched", MatchedPath::as_str).to_owned();
    let res = next.run(req).await;
    let code = res.extensions().get::<ProblemCode>().map(|p| p.0);
    let verified = res.extensions().get::<Verified>().copied();
    let seconds = started.elapsed().as_secs_f64();
    metrics.observe(&method, &route, res.status().as_u16(), code, verified, seconds);
    res
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn results_are_counted_under_route_templates_and_codes_only() {
        let m = Metrics::default();
        m.observe("POST", "/v1/sessions", 201, None, None, 0.02);
        m.observe("POST", "/v1/sessions", 401, Some(ErrorCode::InvalidCredentials), None, 0.02);
        let wrong_code = Some(ErrorCode::InvalidCode);
        m.observe("POST", "/v1/mfa/challenges/{id}/verify", 422, wrong_code, None, 0.001);
        m.observe("GET", "/v1/legacy/whoami", 429, Some(ErrorCode::RateLimited), None, 0.001);
        m.observe("POST", "/v1/legacy/verify", 200, None, Some(Verified(false)), 0.001);
        m.observe("POST", "/v1/legacy/verify", 200, None, Some(Verified(true)), 0.001);
        let text = m.render(&HashStats::default(), &sqlx_pool_for_tests());
        for line in [
            "app_passwords_sign_ins_total{result=\"success\"} 1",
            "app_passwords_sign_ins_total{result=\"invalid\"} 1",
            "app_passwords_mfa_failures_total 1",
            "app_passwords_legacy_verifications_total{result=\"throttled\"} 1",
            "app_passwords_legacy_verifications_total{result=\"invalid\"} 1",
            "app_passwords_legacy_verifications_total{result=\"valid\"} 1",
            "app_passwords_throttle_refusals_total{method=\"GET\",route=\"/v1/legacy/whoami\"} 1",
        ] {
            assert!(text.contains(line), "{line} missing from:\n{text}");
        }
    }

    fn sqlx_pool_for_tests() -> Db {
        sqlx::any::install_default_drivers();
        sqlx::pool::PoolOptions::new().connect_lazy("sqlite::memory:").unwrap()
    }
}
