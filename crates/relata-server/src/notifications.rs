//! The signed-in user's notifications: `/api/v1/notifications`.

use crate::Server;
use crate::auth::Auth;
use crate::http::{QueryParams, json};
use crate::problem::{ApiResult, Problem};
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use relata_app::notifications;
use serde_json::json;
use std::sync::Arc;
use uuid::Uuid;

type S = State<Arc<Server>>;

/// `GET /api/v1/notifications?unread=true&before=ID&limit=N`: newest first,
/// with the number unread.
pub async fn list(State(server): S, auth: Auth, RawQuery(q): RawQuery) -> ApiResult<Response> {
    let params = QueryParams::parse(q.as_deref(), &["unread", "before", "limit"])?;
    let unread_only = match params.text("unread").as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(Problem::bad_request("unread", "invalid", "true or false")),
    };
    let before = match params.text("before") {
        Some(b) => {
            Some(Uuid::parse_str(&b).map_err(|_| Problem::bad_request("before", "invalid", "a notification id"))?)
        }
        None => None,
    };
    let limit = match params.text("limit") {
        Some(l) => l.parse::<u64>().map_err(|_| Problem::bad_request("limit", "invalid", "a whole number"))?,
        None => 50,
    };
    let found = notifications::list(&server.app, &auth.ctx, unread_only, before, limit).await?;
    let unread = notifications::unread(&server.app, &auth.ctx).await?;
    let next = (found.len() as u64 == limit).then(|| found.last().map(|n| n.id.to_string())).flatten();
    let data: Vec<_> = found.iter().map(notifications::to_json).collect();
    Ok(json(StatusCode::OK, &json!({"data": data, "unread": unread, "next_before": next})))
}

/// `POST /api/v1/notifications/{id}/read`
pub async fn read_one(State(server): S, auth: Auth, Path(id): Path<String>) -> ApiResult<Response> {
    auth.require_write()?;
    let not_found = || Problem::not_found("no such notification of yours");
    let id = Uuid::parse_str(&id).map_err(|_| not_found())?;
    let marked = notifications::mark_read(&server.app, &auth.ctx, Some(id)).await.map_err(|e| match e {
        relata_app::AppError::NotFound => not_found(),
        other => other.into(),
    })?;
    Ok(json(StatusCode::OK, &json!({"marked": marked})))
}

/// `POST /api/v1/notifications/read`: every one of them.
pub async fn read_all(State(server): S, auth: Auth) -> ApiResult<Response> {
    auth.require_write()?;
    let marked = notifications::mark_read(&server.app, &auth.ctx, None).await?;
    Ok(json(StatusCode::OK, &json!({"marked": marked})))
}
