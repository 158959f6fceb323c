//! The generic record endpoints, one set per entity type: create, get,
//! update, delete, restore, list, history, and the customer timeline.

use crate::Server;
use crate::auth::Auth;
use crate::http::{EntityPath, QueryParams, if_match, json, json_body, record_response, serialized};
use crate::problem::{ApiResult, Problem};
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use relata_app::read::{self, ListParams};
use relata_app::timeline;
use relata_app::write::{self, Created, Idempotency};
use relata_core::meta::EntityKind;
use relata_core::record::RecordView;
use relata_core::value::format_datetime;
use relata_sales::convert;
use relata_store::admin::Credential;
use serde_json::{Value as Json, json};
use std::sync::Arc;

/// A page of a list.
#[derive(serde::Serialize)]
struct ListBody<'a> {
    data: Vec<RecordView<'a>>,
    next_cursor: Option<String>,
}

pub const LIST_PARAMS: &[&str] = &["filter", "sort", "cursor", "limit", "q", "deleted"];
pub const PAGE_PARAMS: &[&str] = &["cursor", "limit"];
const MAX_IDEMPOTENCY_KEY: usize = 200;

fn not_found(kind: EntityKind) -> Problem {
    Problem::not_found(format!("no {} with this id in this workspace", kind.singular()))
}

pub(crate) fn app_problem(kind: EntityKind, e: relata_app::AppError) -> Problem {
    match e {
        relata_app::AppError::NotFound => not_found(kind),
        other => other.into(),
    }
}

/// The create's idempotency key, kept per credential (an API token or a
/// session) and entity type: another client's request with the same key is
/// a request of its own.
fn idempotency(kind: EntityKind, auth: &Auth, headers: &HeaderMap, body: &[u8]) -> ApiResult<Option<Idempotency>> {
    let Some(raw) = headers.get("idempotency-key") else { return Ok(None) };
    let key = raw.to_str().unwrap_or("").trim();
    if key.is_empty() || key.len() > MAX_IDEMPOTENCY_KEY || !key.chars().all(|c| c.is_ascii_graphic()) {
        return Err(Problem::bad_request(
            "Idempotency-Key",
            "invalid_header",
            format!("1 to {MAX_IDEMPOTENCY_KEY} visible ASCII characters"),
        ));
    }
    let mut request = kind.api_name().as_bytes().to_vec();
    request.push(0);
    request.extend_from_slice(body);
    let credential = match &auth.principal.credential {
        Credential::Token { id, .. } => format!("token {id}"),
        Credential::Session { id, .. } => format!("session {id}"),
    };
    Ok(Some(Idempotency {
        key: relata_identity::secret::digest(&format!("{credential}\0{}\0{key}", kind.api_name())),
        request_hash: relata_identity::secret::digest(&String::from_utf8_lossy(&request)),
    }))
}

pub async fn create(
    State(server): State<Arc<Server>>,
    auth: Auth,
    path: EntityPath,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let kind = path.kind(&server, &auth).await?;
    auth.require_write()?;
    let input = json_body(&headers, &body)?;
    let idem = idempotency(kind, &auth, &headers, &body)?;
    match write::create(&server.app, &auth.ctx, kind, &input, idem).await? {
        Created::New(record, body) => {
            let mut response = record_response(StatusCode::CREATED, record.version, &body);
            let location = format!("/api/v1/{}/{}", kind.api_name(), record.id);
            response.headers_mut().insert(header::LOCATION, HeaderValue::from_str(&location).expect("ascii path"));
            Ok(response)
        }
        Created::Replayed(previous) => {
            let body: Json = serde_json::from_str(&previous.body).unwrap_or(Json::Null);
            let status = StatusCode::from_u16(previous.status).unwrap_or(StatusCode::CREATED);
            let version = body.get("version").and_then(Json::as_i64).unwrap_or(1);
            let mut response = record_response(status, version, &body);
            response.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
            Ok(response)
        }
    }
}

pub async fn get_one(
    State(server): State<Arc<Server>>,
    auth: Auth,
    path: EntityPath,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let (kind, id) = path.record(&server, &auth).await?;
    let params = QueryParams::parse(query.as_deref(), &["include_deleted"])?;
    let (record, schemas) = read::get(&server.app, &auth.ctx, kind, id, params.bool("include_deleted")?)
        .await
        .map_err(|e| app_problem(kind, e))?;
    Ok(record_response(StatusCode::OK, record.version, &RecordView { record: &record, schema: schemas.get(kind) }))
}

pub async fn update(
    State(server): State<Arc<Server>>,
    auth: Auth,
    path: EntityPath,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let (kind, id) = path.record(&server, &auth).await?;
    auth.require_write()?;
    let expected = if_match(&headers, true)?.expect("required");
    let input = json_body(&headers, &body)?;
    let record =
        write::update(&server.app, &auth.ctx, kind, id, &input, expected).await.map_err(|e| app_problem(kind, e))?;
    let schemas = server.app.schemas_for(&auth.ctx).await?;
    Ok(record_response(StatusCode::OK, record.version, &RecordView { record: &record, schema: schemas.get(kind) }))
}

pub async fn delete(
    state: State<Arc<Server>>,
    auth: Auth,
    path: EntityPath,
    headers: HeaderMap,
) -> ApiResult<Response> {
    move_to_trash(state, auth, path, headers, true).await
}

pub async fn restore(
    state: State<Arc<Server>>,
    auth: Auth,
    path: EntityPath,
    headers: HeaderMap,
) -> ApiResult<Response> {
    move_to_trash(state, auth, path, headers, false).await
}

/// Soft delete (`deleted`) or restore; `If-Match` is optional here.
async fn move_to_trash(
    State(server): State<Arc<Server>>,
    auth: Auth,
    path: EntityPath,
    headers: HeaderMap,
    deleted: bool,
) -> ApiResult<Response> {
    let (kind, id) = path.record(&server, &auth).await?;
    auth.require_write()?;
    let expected = if_match(&headers, false)?;
    let record = write::set_deleted(&server.app, &auth.ctx, kind, id, deleted, expected)
        .await
        .map_err(|e| app_problem(kind, e))?;
    let schemas = server.app.schemas_for(&auth.ctx).await?;
    Ok(record_response(StatusCode::OK, record.version, &RecordView { record: &record, schema: schemas.get(kind) }))
}

pub async fn list(
    State(server): State<Arc<Server>>,
    auth: Auth,
    path: EntityPath,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let kind = path.kind(&server, &auth).await?;
    let p = QueryParams::parse(query.as_deref(), LIST_PARAMS)?;
    let params = ListParams {
        filter: p.text("filter"),
        sort: p.text("sort"),
        cursor: p.text("cursor"),
        limit: p.u64("limit")?,
        q: p.text("q"),
        deleted: p.bool("deleted")?,
        ..Default::default()
    };
    let (page, schemas) = read::list(&server.app, &auth.ctx, kind, &params).await?;
    let schema = schemas.get(kind);
    let data: Vec<RecordView> = page.records.iter().map(|record| RecordView { record, schema }).collect();
    Ok(serialized(StatusCode::OK, &ListBody { data, next_cursor: page.next_cursor }))
}

pub async fn history(
    State(server): State<Arc<Server>>,
    auth: Auth,
    path: EntityPath,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let (kind, id) = path.record(&server, &auth).await?;
    let p = QueryParams::parse(query.as_deref(), PAGE_PARAMS)?;
    let after = match p.text("cursor").filter(|c| !c.is_empty()) {
        Some(c) => c
            .parse::<i64>()
            .map_err(|_| Problem::bad_request("cursor", "invalid_parameter", "cursor is not one this server issued"))?,
        None => 0,
    };
    let limit = page_limit(&p)?;
    let changes =
        read::history(&server.app, &auth.ctx, kind, id, after, limit + 1).await.map_err(|e| app_problem(kind, e))?;
    let more = changes.len() as u64 > limit;
    let data: Vec<Json> = changes
        .iter()
        .take(limit as usize)
        .map(|c| {
            json!({
                "seq": c.seq,
                "entity": c.entity,
                "record_id": c.record_id,
                "op": c.op,
                "actor": c.actor,
                "at": format_datetime(&c.at),
                "changes": c.diff,
            })
        })
        .collect();
    let next = if more { data.last().and_then(|c| c["seq"].as_i64()).map(|s| s.to_string()) } else { None };
    Ok(json(StatusCode::OK, &json!({"data": data, "next_cursor": next})))
}

fn page_limit(p: &QueryParams) -> ApiResult<u64> {
    let limit = p.u64("limit")?.unwrap_or(read::DEFAULT_LIMIT);
    if limit == 0 || limit > read::MAX_LIMIT {
        return Err(Problem::bad_request(
            "limit",
            "invalid_parameter",
            format!("must be between 1 and {}", read::MAX_LIMIT),
        ));
    }
    Ok(limit)
}

pub async fn timeline(
    State(server): State<Arc<Server>>,
    auth: Auth,
    path: EntityPath,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let (kind, id) = path.record(&server, &auth).await?;
    let p = QueryParams::parse(query.as_deref(), PAGE_PARAMS)?;
    let limit = page_limit(&p)?;
    let page = timeline::timeline(&server.app, &auth.ctx, kind, id, p.text("cursor").as_deref(), limit)
        .await
        .map_err(|e| app_problem(kind, e))?;
    let data: Vec<Json> = page
        .items
        .iter()
        .map(|i| {
            json!({
                "at": format_datetime(&i.at),
                "type": i.item_type,
                "id": i.id,
                "title": i.title,
                "record": i.record,
            })
        })
        .collect();
    Ok(json(StatusCode::OK, &json!({"data": data, "next_cursor": page.next_cursor})))
}

pub async fn convert_lead(
    State(server): State<Arc<Server>>,
    auth: Auth,
    crate::http::IdPath(id): crate::http::IdPath,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    auth.require_write()?;
    let input = if body.iter().all(u8::is_ascii_whitespace) { json!({}) } else { json_body(&headers, &body)? };
    let request = convert::ConvertRequest::from_json(&input).map_err(Problem::invalid)?;
    let done = convert::convert_lead(&server.app, &auth.ctx, id, request)
        .await
        .map_err(|e| app_problem(relata_sales::LEADS, e))?;
    let schemas = server.app.schemas_for(&auth.ctx).await?;
    let body = json!({
        "lead": done.lead.to_json(schemas.get(relata_sales::LEADS)),
        "account": done.account.to_json(schemas.get(relata_crm::ACCOUNTS)),
        "contact": done.contact.to_json(schemas.get(relata_crm::CONTACTS)),
        "opportunity": done.opportunity.as_ref().map(|o| o.to_json(schemas.get(relata_sales::OPPORTUNITIES))),
    });
    Ok(json(StatusCode::OK, &body))
}

/// `GET /api/v1/{entity}/{id}/attachments/{position}`: a file kept with a
/// record (a synced email's or a case comment's attachment), to whoever
/// may read the record, always as a download.
pub async fn attachment(State(server): State<Arc<Server>>, auth: Auth, path: EntityPath) -> ApiResult<Response> {
    use axum::response::IntoResponse;
    let (kind, id) = path.record(&server, &auth).await?;
    let position = path.position()?;
    let file = read::file(&server.app, &auth.ctx, kind, id, position).await.map_err(|e| app_problem(kind, e))?;
    // Only types a browser shows harmlessly keep their type; the file is a
    // download either way.
    let safe = ["application/pdf", "image/png", "image/jpeg", "image/gif", "text/plain", "text/csv", "message/rfc822"];
    let content_type = if safe.contains(&file.content_type.as_str()) {
        file.content_type.as_str()
    } else {
        "application/octet-stream"
    };
    let name: String =
        file.name.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_".contains(c) { c } else { '_' }).collect();
    let disposition = format!("attachment; filename=\"{name}\"");
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_str(content_type).expect("an ASCII type")),
        (header::CONTENT_DISPOSITION, HeaderValue::from_str(&disposition).expect("an ASCII file name")),
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
    ];
    Ok((StatusCode::OK, headers, file.content).into_response())
}
