//! Bearer API tokens: `Authorization: Bearer rlt_…` resolves to a principal
//! (user, workspace, role, scope). Tokens are stored as SHA-256 hashes; a
//! resolved token is cached for a few seconds so that a busy client does not
//! cost a database round trip per request, and `last_used_at` is written at
//! most once a minute per token, off the request path.

use crate::Server;
use crate::problem::Problem;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use relata_app::Ctx;
use relata_store::admin::{Principal, hash_token};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a resolved token is trusted before it is looked up again; a
/// revoked token stops working after at most this long.
pub const TOKEN_CACHE_TTL: Duration = Duration::from_secs(5);
const LAST_USED_RESOLUTION: chrono::TimeDelta = chrono::TimeDelta::minutes(1);
const TOKEN_CACHE_MAX: usize = 10_000;

/// Token scopes: what a token may do.
pub const SCOPE_READ: &str = "read";
pub const SCOPE_READ_WRITE: &str = "read_write";

/// An authenticated request: who acts, and the context the application
/// services run in (workspace, actor, parsing rules).
pub struct Auth {
    pub principal: Principal,
    pub ctx: Ctx,
}

impl Auth {
    /// Refuses tokens that may only read.
    pub fn require_write(&self) -> Result<(), Problem> {
        if self.principal.scope == SCOPE_READ_WRITE {
            Ok(())
        } else {
            Err(Problem::forbidden("this API token is read-only; writing needs a read_write token"))
        }
    }
}

impl FromRequestParts<Arc<Server>> for Auth {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, server: &Arc<Server>) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or_else(|| Problem::unauthorized("send an API token as Authorization: Bearer <token>"))?;
        let secret = header
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")))
            .map(str::trim)
            .filter(|s| !s.is_empty() && s.len() <= 200)
            .ok_or_else(|| Problem::unauthorized("the Authorization header must be Bearer <token>"))?;
        let principal = server.principal(secret).await?;
        let ctx = Ctx::new(principal.workspace.clone(), Some(principal.user));
        Ok(Auth { principal, ctx })
    }
}

impl Server {
    /// The principal behind a token secret, from the cache when fresh.
    async fn principal(&self, secret: &str) -> Result<Principal, Problem> {
        let hash = hash_token(secret);
        if let Some((at, p)) = self.tokens.lock().expect("lock").get(&hash)
            && at.elapsed() < TOKEN_CACHE_TTL
        {
            return Ok(p.clone());
        }
        let principal = self
            .app
            .store
            .authenticate_token(secret)
            .await
            .map_err(|e| Problem::from(relata_app::AppError::from(e)))?
            .ok_or_else(|| Problem::unauthorized("the API token is unknown or revoked"))?;
        self.note_use(&principal);
        let mut cache = self.tokens.lock().expect("lock");
        if cache.len() >= TOKEN_CACHE_MAX {
            cache.retain(|_, (at, _)| at.elapsed() < TOKEN_CACHE_TTL);
        }
        cache.insert(hash, (Instant::now(), principal.clone()));
        Ok(principal)
    }

    /// Writes `last_used_at` in the background when it is stale.
    fn note_use(&self, principal: &Principal) {
        let stale = principal.last_used_at.is_none_or(|t| chrono::Utc::now() - t > LAST_USED_RESOLUTION);
        if stale {
            let store = self.app.store.clone();
            let token = principal.token_id.clone();
            tokio::spawn(async move {
                if let Err(e) = store.touch_token(&token).await {
                    tracing::warn!(error = %e, "could not record token use");
                }
            });
        }
    }
}
