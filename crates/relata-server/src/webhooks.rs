//! Outbound webhook subscriptions and their delivery logs
//! (administrators): `/api/v1/webhooks`.

use crate::Server;
use crate::auth::Auth;
use crate::http::{QueryParams, json, json_body};
use crate::problem::{ApiResult, Problem};
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use relata_app::webhooks;
use serde_json::json;
use std::sync::Arc;
use uuid::Uuid;

type S = State<Arc<Server>>;

fn id(text: &str) -> ApiResult<Uuid> {
    Uuid::parse_str(text).map_err(|_| Problem::not_found("no such webhook subscription"))
}

fn missing(e: relata_app::AppError) -> Problem {
    match e {
        relata_app::AppError::NotFound => Problem::not_found("no such webhook subscription or delivery"),
        other => other.into(),
    }
}

/// `GET /api/v1/webhooks`
pub async fn list(State(server): S, auth: Auth) -> ApiResult<Response> {
    let all = webhooks::list(&server.app, &auth.ctx).await?;
    Ok(json(StatusCode::OK, &json!({"data": all.iter().map(webhooks::subscription_json).collect::<Vec<_>>()})))
}

/// `POST /api/v1/webhooks`: `{name?, url, events, filter?, active?}`.
pub async fn create(State(server): S, auth: Auth, headers: HeaderMap, body: Bytes) -> ApiResult<Response> {
    auth.require_write()?;
    let input = json_body(&headers, &body)?;
    let s = webhooks::create(&server.app, &auth.ctx, &input).await?;
    Ok(json(StatusCode::CREATED, &webhooks::subscription_json(&s)))
}

/// `GET /api/v1/webhooks/{id}`
pub async fn get(State(server): S, auth: Auth, Path(sub): Path<String>) -> ApiResult<Response> {
    let s = webhooks::get(&server.app, &auth.ctx, id(&sub)?).await.map_err(missing)?;
    Ok(json(StatusCode::OK, &webhooks::subscription_json(&s)))
}

/// `PATCH /api/v1/webhooks/{id}`: settings, `active`, `rotate_secret`.
pub async fn update(
    State(server): S,
    auth: Auth,
    Path(sub): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    auth.require_write()?;
    let input = json_body(&headers, &body)?;
    let s = webhooks::update(&server.app, &auth.ctx, id(&sub)?, &input).await.map_err(missing)?;
    Ok(json(StatusCode::OK, &webhooks::subscription_json(&s)))
}

/// `DELETE /api/v1/webhooks/{id}`: the subscription and its log.
pub async fn delete(State(server): S, auth: Auth, Path(sub): Path<String>) -> ApiResult<Response> {
    auth.require_write()?;
    webhooks::delete(&server.app, &auth.ctx, id(&sub)?).await.map_err(missing)?;
    Ok(json(StatusCode::OK, &json!({"deleted": true})))
}

/// `GET /api/v1/webhooks/{id}/deliveries?before=&limit=`: newest first.
pub async fn deliveries(
    State(server): S,
    auth: Auth,
    Path(sub): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    let params = QueryParams::parse(q.as_deref(), &["before", "limit"])?;
    let before = match params.text("before") {
        Some(b) => Some(Uuid::parse_str(&b).map_err(|_| Problem::bad_request("before", "invalid", "a delivery id"))?),
        None => None,
    };
    let limit = match params.text("limit") {
        Some(l) => l.parse::<u64>().map_err(|_| Problem::bad_request("limit", "invalid", "a whole number"))?,
        None => 50,
    };
    let found = webhooks::deliveries(&server.app, &auth.ctx, id(&sub)?, before, limit).await.map_err(missing)?;
    let next = (found.len() as u64 == limit.clamp(1, 500)).then(|| found.last().map(|d| d.id.to_string())).flatten();
    let data: Vec<_> = found.iter().map(webhooks::delivery_json).collect();
    Ok(json(StatusCode::OK, &json!({"data": data, "next_before": next})))
}

/// `POST /api/v1/webhooks/{id}/deliveries/{delivery}/redeliver`
pub async fn redeliver(
    State(server): S,
    auth: Auth,
    Path((sub, delivery)): Path<(String, String)>,
) -> ApiResult<Response> {
    auth.require_write()?;
    let delivery = Uuid::parse_str(&delivery).map_err(|_| Problem::not_found("no such delivery"))?;
    let d = webhooks::redeliver(&server.app, &auth.ctx, id(&sub)?, delivery).await.map_err(missing)?;
    Ok(json(StatusCode::ACCEPTED, &webhooks::delivery_json(&d)))
}
