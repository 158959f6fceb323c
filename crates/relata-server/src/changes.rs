//! `GET /api/v1/changes`: the change feed through the caller's permissions.

use crate::Server;
use crate::auth::Auth;
use crate::http::{QueryParams, json};
use crate::problem::{ApiResult, Problem};
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use relata_app::feed::{self, FeedQuery};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

pub const FEED_PARAMS: &[&str] = &["after", "entities", "limit", "wait"];

pub async fn changes(State(server): State<Arc<Server>>, auth: Auth, RawQuery(query): RawQuery) -> ApiResult<Response> {
    let p = QueryParams::parse(query.as_deref(), FEED_PARAMS)?;
    let entities = p
        .text("entities")
        .filter(|e| !e.trim().is_empty())
        .map(|e| e.split(',').map(|name| name.trim().to_string()).filter(|name| !name.is_empty()).collect::<Vec<_>>());
    let wait = p.u64("wait")?.unwrap_or(0);
    if wait > feed::MAX_WAIT.as_secs() {
        return Err(Problem::bad_request(
            "wait",
            "invalid_parameter",
            format!("at most {} seconds", feed::MAX_WAIT.as_secs()),
        ));
    }
    let query = FeedQuery { after: p.text("after"), entities, limit: p.u64("limit")?, wait: Duration::from_secs(wait) };
    let page = feed::read(&server.app, &auth.ctx, &query).await?;
    Ok(json(StatusCode::OK, &json!({"data": page.entries, "next_cursor": page.next_cursor})))
}
