//! `GET /metrics` in the Prometheus text format: requests by route and
//! status, their latency, sign-in failures, database connections, the job
//! queue and the feed consumers' lag. Open to loopback clients that did not
//! come through a proxy, and to the metrics token (`--metrics-token`).

use crate::Server;
use crate::problem::Problem;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Answered {
    route: String,
    method: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Route {
    route: String,
    method: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Named {
    name: String,
}

fn latency_histogram() -> Histogram {
    // 0.25 ms to about 8 s.
    Histogram::new(exponential_buckets(0.00025, 2.0, 16))
}

/// The process's metrics.
pub struct Metrics {
    registry: Registry,
    requests: Family<Answered, Counter>,
    latency: Family<Route, Histogram, fn() -> Histogram>,
    sign_in_failures: Counter,
    connections: Family<Named, Gauge>,
    jobs: Family<Named, Gauge>,
    oldest_due_job: Gauge<f64, AtomicU64>,
    feed_lag: Family<Named, Gauge>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("relata");
        let requests = Family::<Answered, Counter>::default();
        registry.register("http_requests", "HTTP requests answered, by route, method and status", requests.clone());
        let latency =
            Family::<Route, Histogram, fn() -> Histogram>::new_with_constructor(latency_histogram as fn() -> Histogram);
        registry.register("http_request_duration_seconds", "Time to answer, by route and method", latency.clone());
        let sign_in_failures = Counter::default();
        registry.register(
            "sign_in_failures",
            "Refused sign-ins (wrong password or code, locked)",
            sign_in_failures.clone(),
        );
        let connections = Family::<Named, Gauge>::default();
        registry.register(
            "db_connections",
            "Database connections of this process (name: open, idle)",
            connections.clone(),
        );
        let jobs = Family::<Named, Gauge>::default();
        registry.register(
            "jobs",
            "Durable jobs by state (name: queued, failed, running, done, dead, cancelled)",
            jobs.clone(),
        );
        let oldest_due_job = Gauge::<f64, AtomicU64>::default();
        registry.register(
            "job_oldest_due_seconds",
            "How long the longest-waiting due job has waited",
            oldest_due_job.clone(),
        );
        let feed_lag = Family::<Named, Gauge>::default();
        registry.register("feed_consumer_lag", "Change entries a feed consumer has yet to handle", feed_lag.clone());
        Metrics { registry, requests, latency, sign_in_failures, connections, jobs, oldest_due_job, feed_lag }
    }
}

impl Metrics {
    /// Counts an answered request; `route` is the matched route's path.
    pub fn answered(&self, route: String, method: String, status: u16, seconds: f64) {
        let sign_in = matches!(route.as_str(), "/api/v1/auth/login" | "/login") && method == "POST";
        if sign_in && matches!(status, 401 | 429) {
            self.sign_in_failures.inc();
        }
        let key = Route { route, method };
        self.latency.get_or_create(&key).observe(seconds);
        self.requests.get_or_create(&Answered { route: key.route, method: key.method, status }).inc();
    }
}

/// Whether the caller may read the metrics: a loopback client that did not
/// come through a proxy, or the metrics token.
fn allowed(server: &Server, headers: &HeaderMap, peer: Option<SocketAddr>) -> bool {
    if let Some(token) = server.metrics_token.get() {
        let given =
            headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
        if given.is_some_and(|g| relata_identity::secret::digest(g) == relata_identity::secret::digest(token)) {
            return true;
        }
    }
    peer.is_some_and(|p| p.ip().is_loopback()) && !headers.contains_key("x-forwarded-for")
}

/// `GET /metrics`.
pub async fn metrics(State(server): State<Arc<Server>>, request: axum::extract::Request) -> Response {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|p| p.0);
    if !allowed(&server, request.headers(), peer) {
        return Problem::forbidden("metrics are for loopback clients and the metrics token (--metrics-token)")
            .into_response();
    }
    let m = &server.metrics;
    let store = &server.app.store;
    let (open, idle) = store.pool_use();
    m.connections.get_or_create(&Named { name: "open".into() }).set(i64::from(open));
    m.connections.get_or_create(&Named { name: "idle".into() }).set(i64::from(idle));
    if let Ok(counts) = store.job_counts(None).await {
        for state in relata_store::jobs::JobSelector::names() {
            let n = counts.iter().find(|(s, _)| s == state).map_or(0, |(_, n)| *n);
            m.jobs.get_or_create(&Named { name: state.into() }).set(n);
        }
    }
    if let Ok(age) = store.oldest_due_job_age().await {
        m.oldest_due_job.set(age);
    }
    if let Ok(head) = store.feed_head().await {
        for consumer in server.app.feed_consumers() {
            if let Ok(offset) = store.feed_offset(consumer.name()).await {
                m.feed_lag.get_or_create(&Named { name: consumer.name().into() }).set(head - offset);
            }
        }
    }
    let mut text = String::new();
    if let Err(e) = prometheus_client::encoding::text::encode(&mut text, &m.registry) {
        tracing::warn!(error = %e, "metrics could not be encoded");
        return Problem::internal().into_response();
    }
    let content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    (StatusCode::OK, [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))], text).into_response()
}
