//! Who is asking: `Authorization: Bearer <secret>` with an API token
//! (`rlt_…`) or a session secret (`rls_…`, from `POST /api/v1/auth/login`),
//! or the `relata_session` cookie of a browser. Cookie-authenticated
//! requests that change state must echo the session's CSRF token in
//! `X-CSRF-Token` (or the `csrf_token` form field).
//!
//! Secrets are stored as SHA-256 digests. A resolved credential, with the
//! rights it carries, is cached for a few seconds so that a busy client does
//! not cost database round trips per request; `last_used_at` and session
//! expiry are written at most once a minute, off the request path.

use crate::Server;
use crate::problem::Problem;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use relata_app::Ctx;
use relata_app::access::{TokenLimits, access_for};
use relata_core::access::Access;
use relata_identity::secret::{self, SecretKind};
use relata_store::admin::{Credential, Principal};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a resolved credential is trusted before it is looked up again; a
/// revoked token, ended session or changed role takes effect within this.
pub const TOKEN_CACHE_TTL: Duration = Duration::from_secs(5);
const LAST_USED_RESOLUTION: chrono::TimeDelta = chrono::TimeDelta::minutes(1);
const TOKEN_CACHE_MAX: usize = 10_000;

pub const SESSION_COOKIE: &str = "relata_session";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Token scopes: what a token may do.
pub const SCOPE_READ: &str = "read";
pub const SCOPE_READ_WRITE: &str = "read_write";
/// An ERP's token: reads, and the back office's events (`/api/v1/erp/events`)
/// applied by Relata on its behalf; no other writes.
pub const SCOPE_ERP: &str = "erp";
/// A telephone switch's token: reads, and its call events
/// (`/api/v1/telephony/events`); no other writes.
pub const SCOPE_TELEPHONY: &str = "telephony";

/// Who a request comes from, as far as known; filled in by [`Auth`] so that
/// refusals can be written to the audit log with the workspace and actor.
#[derive(Clone, Default)]
pub struct Caller(pub Arc<Mutex<Option<(relata_core::WorkspaceId, relata_core::UserId)>>>);

impl Caller {
    /// Notes who a request comes from, for the audit of its refusal.
    pub(crate) fn note(parts: &Parts, principal: &Principal) {
        if let Some(caller) = parts.extensions.get::<Caller>() {
            *caller.0.lock().expect("lock") = Some((principal.workspace.id, principal.user));
        }
    }
}

/// An authenticated request: who acts, and the context the application
/// services run in (workspace, actor, rights, parsing rules).
pub struct Auth {
    pub principal: Principal,
    pub ctx: Ctx,
}

impl Auth {
    /// Refuses tokens that may only read.
    /// The token's id when it is an ERP token (the sender its events are
    /// keyed by); refused otherwise.
    pub fn erp_token(&self) -> Result<String, Problem> {
        match &self.principal.credential {
            Credential::Token { id, scope, .. } if scope == SCOPE_ERP => Ok(id.clone()),
            _ => Err(Problem::forbidden("ERP events are sent with a token of scope erp")),
        }
    }

    /// The token's id when it is a telephony token (the sender its events
    /// are keyed by); refused otherwise.
    pub fn telephony_token(&self) -> Result<String, Problem> {
        match &self.principal.credential {
            Credential::Token { id, scope, .. } if scope == SCOPE_TELEPHONY => Ok(id.clone()),
            _ => Err(Problem::forbidden("telephony events are sent with a token of scope telephony")),
        }
    }

    pub fn require_write(&self) -> Result<(), Problem> {
        self.ctx.access.require_write().map_err(|d| Problem::forbidden(d.to_string()))
    }

    /// The session behind this request, if it is one.
    pub fn session_id(&self) -> Option<&str> {
        match &self.principal.credential {
            Credential::Session { id, .. } => Some(id),
            Credential::Token { .. } => None,
        }
    }
}

/// The client's address: the peer's, or behind a trusted proxy the last
/// address of `X-Forwarded-For`.
pub fn address_of(server: &Server, headers: &HeaderMap, peer: Option<&ConnectInfo<SocketAddr>>) -> Option<String> {
    if server.behind_proxy {
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|a| a.trim().parse::<std::net::IpAddr>().ok())
            .next_back();
        if let Some(ip) = forwarded {
            return Some(ip.to_string());
        }
    }
    peer.map(|c| c.0.ip().to_string())
}

/// The client's address as throttling and the audit log know it.
pub fn client_address(parts: &Parts, server: &Server) -> Option<String> {
    address_of(server, &parts.headers, parts.extensions.get::<ConnectInfo<SocketAddr>>())
}

/// The client's address, as an extractor.
pub struct ClientAddress(pub String);

impl FromRequestParts<Arc<Server>> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, server: &Arc<Server>) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(client_address(parts, server).unwrap_or_else(|| "unknown".into())))
    }
}

/// A cookie's value from the request headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

fn bearer(headers: &HeaderMap) -> Result<Option<&str>, Problem> {
    let Some(value) = headers.get(header::AUTHORIZATION) else { return Ok(None) };
    value
        .to_str()
        .ok()
        .and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")))
        .map(str::trim)
        .filter(|s| !s.is_empty() && s.len() <= 200)
        .map(Some)
        .ok_or_else(|| Problem::unauthorized("the Authorization header must be Bearer <token>"))
}

fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

impl FromRequestParts<Arc<Server>> for Auth {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, server: &Arc<Server>) -> Result<Self, Self::Rejection> {
        let (secret, from_cookie) = match bearer(&parts.headers)? {
            Some(secret) => (secret.to_string(), false),
            None => match cookie(&parts.headers, SESSION_COOKIE).filter(|c| !c.is_empty()) {
                Some(secret) => (secret.to_string(), true),
                None => {
                    // No credential at all is not an attack on one: not audited
                    // (scanners would fill the log); wrong ones are.
                    return Err(Problem::unauthorized(
                        "sign in (POST /api/v1/auth/login) or send an API token as Authorization: Bearer <token>",
                    )
                    .quiet());
                }
            },
        };
        let (principal, access) = server.principal(&secret).await?;
        Caller::note(parts, &principal);
        if from_cookie && changes_state(&parts.method) {
            let Credential::Session { csrf_token, .. } = &principal.credential else {
                return Err(Problem::unauthorized("the session cookie does not hold a session"));
            };
            let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
            if !secret::constant_time_eq(sent.as_bytes(), csrf_token.as_bytes()) {
                return Err(csrf_refusal());
            }
        }
        let ctx = Ctx::for_user(principal.workspace.clone(), Some(principal.user), access)
            .with_address(client_address(parts, server));
        Ok(Auth { principal, ctx })
    }
}

/// The answer to a browser request that changes state without the CSRF token.
pub fn csrf_refusal() -> Problem {
    Problem::new(
        StatusCode::FORBIDDEN,
        "csrf",
        "CSRF token missing or wrong",
        format!("requests signed in by cookie that change data must send the session's CSRF token in {CSRF_HEADER}"),
    )
}

impl Server {
    /// The principal and rights behind a secret, from the cache when fresh.
    pub(crate) async fn principal(&self, secret_text: &str) -> Result<(Principal, Arc<Access>), Problem> {
        let digest = secret::digest(secret_text);
        if let Some((at, p, a)) = self.tokens.lock().expect("lock").get(&digest)
            && at.elapsed() < TOKEN_CACHE_TTL
        {
            return Ok((p.clone(), a.clone()));
        }
        let store = &self.app.store;
        let found = if secret_text.starts_with(SecretKind::Session.prefix()) {
            store.authenticate_session(&digest).await
        } else {
            store.authenticate_token(secret_text).await
        };
        let principal = found
            .map_err(|e| Problem::from(relata_app::AppError::from(e)))?
            .ok_or_else(|| Problem::unauthorized("the token or session is unknown, expired or revoked"))?;
        let limits = match &principal.credential {
            Credential::Token { scope, entities, .. } => {
                TokenLimits { read_only: scope != SCOPE_READ_WRITE, entities: entities.clone() }
            }
            Credential::Session { .. } => TokenLimits::default(),
        };
        let access = Arc::new(
            access_for(&self.app, principal.workspace.id, principal.user, &principal.role, &limits)
                .await
                .map_err(Problem::from)?,
        );
        self.note_use(&principal);
        let mut cache = self.tokens.lock().expect("lock");
        if cache.len() >= TOKEN_CACHE_MAX {
            cache.retain(|_, (at, _, _)| at.elapsed() < TOKEN_CACHE_TTL);
        }
        cache.insert(digest, (Instant::now(), principal.clone(), access.clone()));
        Ok((principal, access))
    }

    /// Forgets a cached credential at once (sign-out, workspace switch).
    pub(crate) fn forget_credential(&self, secret_text: &str) {
        self.tokens.lock().expect("lock").remove(&secret::digest(secret_text));
    }

    /// Forgets every cached credential (role and membership changes).
    pub(crate) fn forget_all_credentials(&self) {
        self.tokens.lock().expect("lock").clear();
    }

    /// Writes `last_used_at`, or slides a session's expiry, when stale.
    fn note_use(&self, principal: &Principal) {
        let now = self.app.store.now();
        let store = self.app.store.clone();
        match &principal.credential {
            Credential::Token { id, last_used_at, .. } => {
                if last_used_at.is_none_or(|t| now - t > LAST_USED_RESOLUTION) {
                    let id = id.clone();
                    tokio::spawn(async move {
                        if let Err(e) = store.touch_token(&id).await {
                            tracing::warn!(error = %e, "could not record token use");
                        }
                    });
                }
            }
            Credential::Session { id, last_seen_at, .. } => {
                if now - *last_seen_at > relata_app::auth::SESSION_TOUCH {
                    let id = id.clone();
                    tokio::spawn(async move {
                        if let Err(e) = store.touch_session(&id, now + relata_app::auth::SESSION_IDLE).await {
                            tracing::warn!(error = %e, "could not extend a session");
                        }
                    });
                }
            }
        }
    }
}
