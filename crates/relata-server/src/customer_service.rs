//! Customer service over HTTP: the service desk's mailboxes, read into
//! cases (administrators); the knowledge articles suggested for a case,
//! and readers' feedback on an article.

use crate::Server;
use crate::auth::Auth;
use crate::http::{IdPath, json_body};
use crate::problem::ApiResult;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::sync::Arc;

type S = State<Arc<Server>>;

/// A record as the caller may see it (their field rules), with its ETag.
async fn record_answer(
    server: &Server,
    auth: &Auth,
    kind: relata_core::meta::EntityKind,
    status: StatusCode,
    record: &relata_core::Record,
) -> ApiResult<Response> {
    let schemas = server.app.schemas_for(&auth.ctx).await?;
    Ok(crate::http::record_response(status, record.version, &record.to_json(schemas.get(kind))))
}

/// `GET /api/v1/service/mailboxes`: every desk mailbox, passwords left out.
pub async fn mailboxes(State(server): S, auth: Auth) -> ApiResult<Response> {
    let listed = relata_service::inbound::list(&server.app, &auth.ctx).await?;
    Ok(crate::http::json(StatusCode::OK, &listed))
}

/// `PUT /api/v1/service/mailboxes/{name}`: connects or changes one.
pub async fn put_mailbox(
    State(server): S,
    auth: Auth,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    auth.require_write()?;
    let input = json_body(&headers, &body)?;
    let shown = relata_service::inbound::put(&server.app, &auth.ctx, &name, &input).await?;
    Ok(crate::http::json(StatusCode::OK, &json!({"mailbox": shown})))
}

/// `DELETE /api/v1/service/mailboxes/{name}`: removes it; its cases stay.
pub async fn delete_mailbox(State(server): S, auth: Auth, Path(name): Path<String>) -> ApiResult<Response> {
    auth.require_write()?;
    relata_service::inbound::remove(&server.app, &auth.ctx, &name).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /api/v1/service/mailboxes/{name}/sync`: a read now, as a job.
pub async fn sync_mailbox(State(server): S, auth: Auth, Path(name): Path<String>) -> ApiResult<Response> {
    auth.require_write()?;
    let job = relata_service::inbound::request_read(&server.app, &auth.ctx, &name).await?;
    Ok(crate::http::json(StatusCode::ACCEPTED, &json!({"job": job})))
}

/// `GET /api/v1/cases/{id}/suggested_articles`: published articles that
/// share the most words with the case.
pub async fn suggested_articles(State(server): S, auth: Auth, IdPath(id): IdPath) -> ApiResult<Response> {
    use relata_service::entities::{CASES, KB_ARTICLES};
    let found = relata_service::kb::suggested(&server.app, &auth.ctx, id)
        .await
        .map_err(|e| crate::records::app_problem(CASES, e))?;
    let schemas = server.app.schemas_for(&auth.ctx).await?;
    let schema = schemas.get(KB_ARTICLES);
    let data: Vec<serde_json::Value> = found.iter().map(|a| a.to_json(schema)).collect();
    Ok(crate::http::json(StatusCode::OK, &json!({"data": data})))
}

/// `POST /api/v1/kb_articles/{id}/feedback`: `{helpful: true|false}`.
pub async fn article_feedback(
    State(server): S,
    auth: Auth,
    IdPath(id): IdPath,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    use relata_service::entities::KB_ARTICLES;
    let input = json_body(&headers, &body)?;
    let Some(helpful) = input.get("helpful").and_then(serde_json::Value::as_bool) else {
        return Err(crate::problem::Problem::bad_request("helpful", "required", "true or false"));
    };
    let saved = relata_service::kb::feedback(&server.app, &auth.ctx, id, helpful)
        .await
        .map_err(|e| crate::records::app_problem(KB_ARTICLES, e))?;
    record_answer(&server, &auth, KB_ARTICLES, StatusCode::OK, &saved).await
}

/// `POST /api/v1/cases/{id}/merge`: `{into: case id}`; the case's comments
/// move to the other, and it is closed as merged.
pub async fn merge_case(
    State(server): S,
    auth: Auth,
    IdPath(id): IdPath,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    use relata_service::entities::CASES;
    auth.require_write()?;
    let input = json_body(&headers, &body)?;
    let into = input.get("into").and_then(serde_json::Value::as_str).and_then(|s| s.parse().ok());
    let Some(into) = into else {
        return Err(crate::problem::Problem::bad_request("into", "required", "the id of the case to merge into"));
    };
    let closed = relata_service::merge::merge(&server.app, &auth.ctx, id, into)
        .await
        .map_err(|e| crate::records::app_problem(CASES, e))?;
    record_answer(&server, &auth, CASES, StatusCode::OK, &closed).await
}

/// `POST /api/v1/cases/{id}/split`: `{subject, comments: [comment ids]}`;
/// answers the new case, linked to this one, that the comments moved to.
pub async fn split_case(
    State(server): S,
    auth: Auth,
    IdPath(id): IdPath,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    use relata_service::entities::CASES;
    auth.require_write()?;
    let input = json_body(&headers, &body)?;
    let subject = input.get("subject").and_then(serde_json::Value::as_str).unwrap_or_default();
    let mut comments = Vec::new();
    for (i, c) in input.get("comments").and_then(serde_json::Value::as_array).into_iter().flatten().enumerate() {
        match c.as_str().and_then(|s| s.parse().ok()) {
            Some(id) => comments.push(id),
            None => {
                let field = format!("comments[{i}]");
                return Err(crate::problem::Problem::bad_request(&field, "invalid", "a comment id"));
            }
        }
    }
    let made = relata_service::merge::split(&server.app, &auth.ctx, id, subject, &comments)
        .await
        .map_err(|e| crate::records::app_problem(CASES, e))?;
    record_answer(&server, &auth, CASES, StatusCode::CREATED, &made).await
}

/// `POST /api/v1/held_messages/{id}/release`: the held message into a
/// case after all; answers the case.
pub async fn release_held(State(server): S, auth: Auth, IdPath(id): IdPath) -> ApiResult<Response> {
    use relata_service::entities::{CASES, HELD_MESSAGES};
    auth.require_write()?;
    let case = relata_service::inbound::release(&server.app, &auth.ctx, id)
        .await
        .map_err(|e| crate::records::app_problem(HELD_MESSAGES, e))?;
    record_answer(&server, &auth, CASES, StatusCode::OK, &case).await
}

/// `POST /api/v1/held_messages/{id}/discard`: kept as discarded, its
/// bytes deleted.
pub async fn discard_held(State(server): S, auth: Auth, IdPath(id): IdPath) -> ApiResult<Response> {
    use relata_service::entities::HELD_MESSAGES;
    auth.require_write()?;
    let held = relata_service::inbound::discard(&server.app, &auth.ctx, id)
        .await
        .map_err(|e| crate::records::app_problem(HELD_MESSAGES, e))?;
    record_answer(&server, &auth, HELD_MESSAGES, StatusCode::OK, &held).await
}

/// `GET /api/v1/service/report[?days=30&format=json|xlsx]`: the service
/// figures of the last `days` (1 to 366), of the cases the caller may read.
pub async fn report(
    State(server): S,
    auth: Auth,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> ApiResult<Response> {
    let (days, xlsx) = crate::http::report_query(query.as_deref())?;
    let built = relata_service::report::build(&server.app, &auth.ctx, days).await?;
    crate::http::report_response(built.to_json(), xlsx.then(|| built.to_xlsx()), "service-report.xlsx")
}
