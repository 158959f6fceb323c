//! Relata's HTTP server: the REST API under `/api/v1`, its OpenAPI document,
//! and bearer-token authentication.
//!
//! Every route is declared once in [`routes`] as an [`routes::Operation`]
//! (method, path, parameters, schemas) together with its handler; the router
//! and the OpenAPI document are both built from that table, so the document
//! cannot miss a route.
//!
//! Architecture invariant: no SQL and no business rules here. Handlers parse
//! the HTTP request, call `relata-app`, and turn the answer (or the error, as
//! RFC 9457 problem details) into an HTTP response.

mod analytics;
pub mod auth;
mod calls;
mod changes;
mod channels;
mod commerce;
mod customer_service;
mod dav;
mod http;
mod jobs;
pub mod metrics;
pub mod modules;
mod notifications;
pub mod openapi;
mod people;
mod pops;
mod preferences;
pub mod problem;
mod records;
pub mod routes;
mod service;
mod session;
mod sync;
mod web;
mod webhooks;
mod widgets;

use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use relata_app::App;
use relata_core::access::Access;
use relata_store::admin::Principal;
use relata_store::audit::AuditEntry;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::net::TcpListener;

/// A resolved credential: when it was looked up, who it is, what they may do.
type CachedCredential = (Instant, Principal, Arc<Access>);

/// The state every handler shares.
pub struct Server {
    pub app: Arc<App>,
    /// Resolved credentials by digest, with their rights (see [`auth`]).
    tokens: Mutex<HashMap<String, CachedCredential>>,
    /// The address people reach the server at, for links (invitations).
    pub public_url: String,
    /// Behind a reverse proxy: take the client's address from the last
    /// `X-Forwarded-For` entry (the one the proxy added), for throttling and
    /// the audit log. Off by default: a client could forge the header.
    pub behind_proxy: bool,
    /// Refusals of requests without valid credentials, per address (see
    /// [`audit_refusals`]).
    anonymous_refusals: Mutex<HashMap<String, RefusalWindow>>,
    /// Requests, sign-ins and the rest `GET /metrics` reports.
    pub metrics: metrics::Metrics,
    /// The bearer token that may read `/metrics` from anywhere (`--metrics-token`).
    pub metrics_token: std::sync::OnceLock<String>,
    /// The change-feed tails agents' screen pops read from.
    pops: pops::Pops,
}

/// An address's refusals in the current minute: how many were written to
/// the audit log, and how many more were only counted.
struct RefusalWindow {
    started: chrono::DateTime<chrono::Utc>,
    written: u32,
    suppressed: u64,
}

/// Refusals of anonymous requests written one by one, per address and
/// minute; the rest are counted and written as one entry.
const ANONYMOUS_REFUSALS_LOGGED_PER_MINUTE: u32 = 5;

impl Server {
    pub fn new(app: App) -> Arc<Server> {
        Server::with_public_url(app, "http://127.0.0.1:8080")
    }

    pub fn with_public_url(app: App, public_url: &str) -> Arc<Server> {
        Server::configured(app, public_url, false)
    }

    pub fn configured(app: App, public_url: &str, behind_proxy: bool) -> Arc<Server> {
        let _ = app.public_url.set(public_url.trim_end_matches('/').to_string());
        Arc::new(Server {
            app: Arc::new(app),
            tokens: Mutex::new(HashMap::new()),
            public_url: public_url.trim_end_matches('/').to_string(),
            behind_proxy,
            anonymous_refusals: Mutex::new(HashMap::new()),
            metrics: metrics::Metrics::default(),
            metrics_token: std::sync::OnceLock::new(),
            pops: pops::Pops::default(),
        })
    }
}

/// The whole HTTP application.
pub fn router(server: Arc<Server>) -> Router {
    routes::router()
        .layer(axum::middleware::from_fn_with_state(server.clone(), audit_refusals))
        .layer(axum::middleware::from_fn_with_state(server.clone(), security_headers))
        .layer(axum::middleware::from_fn_with_state(server.clone(), request_id))
        .with_state(server)
}

/// A request's id: the client's `X-Request-Id` when it is a sensible one
/// (1 to 128 visible ASCII characters), else a new one. Everything logged
/// while the request runs carries it (a tracing span), the response echoes
/// it, and problem documents include it, so a user's report of an error
/// leads to its log lines.
async fn request_id(State(server): State<Arc<Server>>, request: Request, next: Next) -> Response {
    use axum::http::HeaderValue;
    use tracing::Instrument;
    let given = request.headers().get("x-request-id").and_then(|v| v.to_str().ok());
    let id = match given {
        Some(id) if (1..=128).contains(&id.len()) && id.chars().all(|c| c.is_ascii_graphic()) => id.to_string(),
        _ => uuid::Uuid::now_v7().simple().to_string(),
    };
    let span = tracing::info_span!("request", id = %id, method = %request.method(), path = %request.uri().path());
    let route =
        request.extensions().get::<axum::extract::MatchedPath>().map_or("unmatched", |p| p.as_str()).to_string();
    let method = request.method().to_string();
    let started = std::time::Instant::now();
    let response = next.run(request).instrument(span.clone()).await;
    let (status, micros) = (response.status().as_u16(), started.elapsed().as_micros() as u64);
    server.metrics.answered(route, method, status, micros as f64 / 1e6);
    span.in_scope(|| {
        if status >= 500 {
            tracing::warn!(status, micros, "request failed");
        } else {
            tracing::debug!(status, micros, "answered");
        }
    });
    let mut response = with_request_id(response, &id).await;
    response.headers_mut().insert("x-request-id", HeaderValue::from_str(&id).expect("visible ASCII"));
    response
}

/// Counts an anonymous refusal from `address`: `Some(n)` when it is to be
/// written (with the `n` refusals counted but not written before it),
/// `None` when it is only counted.
fn count_anonymous_refusal(server: &Server, address: String) -> Option<u64> {
    let now = server.app.store.now();
    let minute = chrono::TimeDelta::minutes(1);
    let mut windows = server.anonymous_refusals.lock().expect("lock");
    if windows.len() > 10_000 {
        windows.retain(|_, w| now - w.started < minute);
    }
    let window = windows.entry(address).or_insert(RefusalWindow { started: now, written: 0, suppressed: 0 });
    if now - window.started >= minute {
        let carried = window.suppressed;
        *window = RefusalWindow { started: now, written: 1, suppressed: 0 };
        Some(carried)
    } else if window.written < ANONYMOUS_REFUSALS_LOGGED_PER_MINUTE {
        window.written += 1;
        Some(0)
    } else {
        window.suppressed += 1;
        None
    }
}

/// A problem document with `request_id` added; other responses unchanged.
async fn with_request_id(response: Response, id: &str) -> Response {
    let is_problem = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if !is_problem {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    // Problem documents are small; a body that is not one is passed on.
    let Ok(bytes) = axum::body::to_bytes(body, 1 << 20).await else {
        return Response::from_parts(parts, axum::body::Body::empty());
    };
    let body = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(serde_json::Value::Object(mut problem)) => {
            problem.insert("request_id".into(), id.into());
            parts.headers.remove(axum::http::header::CONTENT_LENGTH);
            serde_json::to_vec(&problem).unwrap_or_else(|_| bytes.to_vec())
        }
        _ => bytes.to_vec(),
    };
    Response::from_parts(parts, axum::body::Body::from(body))
}

/// What every response tells browsers: the pages run only their own script
/// and styles, are never framed, do not leak their addresses to other
/// sites, and are not content-sniffed; over HTTPS, to stay on HTTPS.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

async fn security_headers(State(server): State<Arc<Server>>, request: Request, next: Next) -> Response {
    use axum::http::{HeaderValue, header};
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if server.public_url.starts_with("https://") {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    response
}

/// Records refused requests (401, 403, hidden records) in the audit log,
/// with the workspace and user when the credentials were good. Requests
/// without valid credentials cost nothing to send, so their refusals are
/// written at most a few per address and minute; the others are counted
/// and the count written (`suppressed_before`) with that address's next
/// refusal after the minute.
async fn audit_refusals(State(server): State<Arc<Server>>, mut request: Request, next: Next) -> Response {
    let caller = auth::Caller::default();
    request.extensions_mut().insert(caller.clone());
    let target = format!("{} {}", request.method(), request.uri().path());
    let address = auth::address_of(&server, request.headers(), request.extensions().get::<ConnectInfo<SocketAddr>>());
    let response = next.run(request).await;
    if let Some(problem::Refused(reason)) = response.extensions().get::<problem::Refused>() {
        let who = *caller.0.lock().expect("lock");
        let mut details = serde_json::json!({"status": response.status().as_u16(), "reason": reason});
        if who.is_none() {
            let key = address.clone().unwrap_or_default();
            match count_anonymous_refusal(&server, key) {
                None => return response,
                Some(0) => {}
                Some(suppressed) => details["suppressed_before"] = suppressed.into(),
            }
        }
        let entry = AuditEntry {
            workspace: who.map(|(w, _)| w),
            actor: who.map(|(_, u)| u),
            action: "request.refused".into(),
            outcome: "denied",
            target_type: Some("endpoint".into()),
            target_id: Some(target),
            address,
            details,
        };
        if let Err(e) = server.app.store.append_audit(vec![entry]).await {
            tracing::warn!(error = %e, "could not record a refused request");
        }
    }
    response
}

/// Serves on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    server: Arc<Server>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(server).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}
