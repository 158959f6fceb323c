//! `/api/v1/sync`: offline devices, their subscriptions, pulls and pushes
//! (see `relata_app::sync`).

use crate::Server;
use crate::auth::Auth;
use crate::http::{IdPath, json, json_body};
use crate::problem::ApiResult;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use relata_app::sync;
use serde_json::{Value as Json, json};
use std::sync::Arc;

type S = State<Arc<Server>>;

pub async fn settings(State(server): S, auth: Auth) -> ApiResult<Response> {
    Ok(json(StatusCode::OK, &sync::settings(&server.app, &auth.ctx).await?))
}

pub async fn put_settings(State(server): S, auth: Auth, headers: HeaderMap, body: Bytes) -> ApiResult<Response> {
    auth.require_write()?;
    let input = json_body(&headers, &body)?;
    Ok(json(StatusCode::OK, &sync::put_settings(&server.app, &auth.ctx, &input).await?))
}

pub async fn create_device(State(server): S, auth: Auth, headers: HeaderMap, body: Bytes) -> ApiResult<Response> {
    auth.require_write()?;
    let input = json_body(&headers, &body)?;
    let device = sync::create_device(&server.app, &auth.ctx, &input).await?;
    Ok(json(StatusCode::CREATED, &sync::device_json(&device)))
}

pub async fn devices(State(server): S, auth: Auth) -> ApiResult<Response> {
    let devices = sync::devices(&server.app, &auth.ctx).await?;
    Ok(json(StatusCode::OK, &json!({"data": devices.iter().map(sync::device_json).collect::<Vec<_>>()})))
}

pub async fn device(State(server): S, auth: Auth, IdPath(id): IdPath) -> ApiResult<Response> {
    let device = sync::device(&server.app, &auth.ctx, id.uuid()).await?;
    Ok(json(StatusCode::OK, &sync::device_json(&device)))
}

pub async fn delete_device(State(server): S, auth: Auth, IdPath(id): IdPath) -> ApiResult<Response> {
    auth.require_write()?;
    sync::delete_device(&server.app, &auth.ctx, id.uuid()).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn put_subscriptions(
    State(server): S,
    auth: Auth,
    IdPath(id): IdPath,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    auth.require_write()?;
    let input = json_body(&headers, &body)?;
    let device = sync::put_subscriptions(&server.app, &auth.ctx, id.uuid(), &input).await?;
    Ok(json(StatusCode::OK, &sync::device_json(&device)))
}

/// `POST /api/v1/sync/devices/{id}/pull`: `{cursor?, limit?}`.
pub async fn pull(
    State(server): S,
    auth: Auth,
    IdPath(id): IdPath,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let input = if body.is_empty() { json!({}) } else { json_body(&headers, &body)? };
    let cursor = input.get("cursor").and_then(Json::as_str);
    let limit = match input.get("limit") {
        None | Some(Json::Null) => None,
        Some(n) => Some(n.as_u64().ok_or_else(|| {
            crate::problem::Problem::bad_request("limit", "invalid_parameter", "a whole number of changes")
        })?),
    };
    let pulled = sync::pull::pull(&server.app, &auth.ctx, id.uuid(), cursor, limit).await?;
    Ok(json(StatusCode::OK, &pulled))
}

/// `POST /api/v1/sync/devices/{id}/push`: `{changes: [...]}`.
pub async fn push(
    State(server): S,
    auth: Auth,
    IdPath(id): IdPath,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    auth.require_write()?;
    let input = json_body(&headers, &body)?;
    Ok(json(StatusCode::OK, &sync::push::push(&server.app, &auth.ctx, id.uuid(), &input).await?))
}

/// What your CardDAV address book and CalDAV calendar show.
pub async fn dav_subscription(State(server): S, auth: Auth) -> ApiResult<Response> {
    let sub = relata_dav::collections::subscription(&server.app, &auth.ctx).await?;
    Ok(json(StatusCode::OK, &dav_json(&auth, &server, &sub)))
}

pub async fn put_dav_subscription(
    State(server): S,
    auth: Auth,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    auth.require_write()?;
    let input = json_body(&headers, &body)?;
    let sub = relata_dav::collections::put_subscription(&server.app, &auth.ctx, &input).await?;
    Ok(json(StatusCode::OK, &dav_json(&auth, &server, &sub)))
}

/// A subscription with the addresses a client is pointed at.
fn dav_json(auth: &Auth, server: &Server, sub: &relata_dav::collections::Subscription) -> Json {
    let mut out = sub.to_json();
    let user = auth.principal.user.uuid().to_string();
    let url = |c| format!("{}{}", server.public_url, crate::dav::collection_href(c, &user));
    out["carddav"] = json!(url(relata_dav::collections::Collection::AddressBook));
    out["caldav"] = json!(url(relata_dav::collections::Collection::Calendar));
    out
}
