//! The endpoints that are not one entity's records: health, the metadata
//! registry and custom fields, and lookup by phone number or email.

use crate::Server;
use crate::auth::Auth;
use crate::http::{EntityPath, QueryParams, etag, if_match, json, json_body};
use crate::problem::{ApiResult, Problem};
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use relata_app::describe::{entity_json, field_json};
use relata_app::read::{self, ContactPoint};
use relata_app::{custom_fields, custom_objects};
use relata_core::meta::EntityKind;
use relata_store::custom_objects as custom_objects_store;
use serde_json::{Value as Json, json};
use std::sync::Arc;

pub async fn health() -> Response {
    json(StatusCode::OK, &json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")}))
}

/// `GET /readyz`: ready to serve when the database answers and its schema
/// is the one this binary knows; a 503 problem otherwise.
pub async fn ready(State(server): State<Arc<Server>>) -> Response {
    let expected = relata_store::migrate::latest_version();
    let not_ready = |detail: String| {
        Problem::new(StatusCode::SERVICE_UNAVAILABLE, "not-ready", "Not ready", detail).into_response()
    };
    match relata_store::migrate::applied_version(&server.app.store).await {
        Ok(version) if version == expected => {
            json(StatusCode::OK, &json!({"status": "ready", "schema_version": version}))
        }
        Ok(version) => not_ready(format!("the database is at schema version {version}, this binary needs {expected}")),
        Err(e) => not_ready(format!("the database does not answer: {e}")),
    }
}

pub async fn metadata(State(server): State<Arc<Server>>, auth: Auth) -> ApiResult<Response> {
    let schemas = server.app.schemas_for(&auth.ctx).await?;
    let entities: Vec<Json> = schemas.iter().map(entity_json).collect();
    Ok(json(StatusCode::OK, &json!({"entities": entities})))
}

pub async fn entity_metadata(State(server): State<Arc<Server>>, auth: Auth, path: EntityPath) -> ApiResult<Response> {
    let kind = path.kind(&server, &auth).await?;
    let schemas = server.app.schemas_for(&auth.ctx).await?;
    Ok(json(StatusCode::OK, &entity_json(schemas.get(kind))))
}

pub async fn create_custom_field(
    State(server): State<Arc<Server>>,
    auth: Auth,
    path: EntityPath,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    auth.require_write()?;
    let kind = path.kind(&server, &auth).await?;
    let input = json_body(&headers, &body)?;
    let def = custom_fields::create(&server.app, &auth.ctx, kind, &input).await?;
    Ok(json(StatusCode::CREATED, &field_json(&relata_core::meta::Schema::standard(kind), &def)))
}

pub async fn delete_custom_field(
    State(server): State<Arc<Server>>,
    auth: Auth,
    path: EntityPath,
    Path(params): Path<std::collections::HashMap<String, String>>,
) -> ApiResult<Response> {
    auth.require_write()?;
    let kind = path.kind(&server, &auth).await?;
    let field = params.get("id").cloned().unwrap_or_default();
    custom_fields::delete(&server.app, &auth.ctx, kind, &field).await.map_err(|e| match e {
        relata_app::AppError::NotFound => {
            Problem::not_found(format!("{} has no custom field {field:?}", kind.api_name()))
        }
        other => other.into(),
    })?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /api/v1/metadata/entities`: the workspace's custom object definitions.
pub async fn list_custom_objects(State(server): State<Arc<Server>>, auth: Auth) -> ApiResult<Response> {
    let rows = custom_objects::list(&server.app, &auth.ctx).await?;
    Ok(json(StatusCode::OK, &json!({"data": rows.iter().map(custom_objects::to_json).collect::<Vec<_>>()})))
}

fn custom_object_response(status: StatusCode, row: &custom_objects_store::CustomObjectRow) -> Response {
    let mut response = json(status, &custom_objects::to_json(row));
    response.headers_mut().insert(header::ETAG, etag(row.version));
    if status == StatusCode::CREATED
        && let Ok(location) = HeaderValue::from_str(&format!("/api/v1/metadata/entities/{}", row.api_name))
    {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

fn no_object(name: &str) -> impl FnOnce(relata_app::AppError) -> Problem + '_ {
    move |e| match e {
        relata_app::AppError::NotFound => Problem::not_found(format!("there is no custom object {name:?}")),
        other => other.into(),
    }
}

/// `POST /api/v1/metadata/entities`: defines a custom object (administrators).
pub async fn create_custom_object(
    State(server): State<Arc<Server>>,
    auth: Auth,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    auth.require_write()?;
    let input = json_body(&headers, &body)?;
    let row = custom_objects::create(&server.app, &auth.ctx, &input).await?;
    Ok(custom_object_response(StatusCode::CREATED, &row))
}

/// `GET /api/v1/metadata/entities/{id}`.
pub async fn get_custom_object(
    State(server): State<Arc<Server>>,
    auth: Auth,
    Path(name): Path<String>,
) -> ApiResult<Response> {
    let row = custom_objects::get(&server.app, &auth.ctx, &name).await.map_err(no_object(&name))?;
    Ok(custom_object_response(StatusCode::OK, &row))
}

/// `PATCH /api/v1/metadata/entities/{id}` (`If-Match` optional).
pub async fn update_custom_object(
    State(server): State<Arc<Server>>,
    auth: Auth,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    auth.require_write()?;
    let input = json_body(&headers, &body)?;
    let expected = if_match(&headers, false)?;
    let row =
        custom_objects::update(&server.app, &auth.ctx, &name, &input, expected).await.map_err(no_object(&name))?;
    Ok(custom_object_response(StatusCode::OK, &row))
}

/// `DELETE /api/v1/metadata/entities/{id}`.
pub async fn delete_custom_object(
    State(server): State<Arc<Server>>,
    auth: Auth,
    Path(name): Path<String>,
) -> ApiResult<Response> {
    auth.require_write()?;
    custom_objects::delete(&server.app, &auth.ctx, &name).await.map_err(no_object(&name))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn lookup(State(server): State<Arc<Server>>, auth: Auth, RawQuery(query): RawQuery) -> ApiResult<Response> {
    let p = QueryParams::parse(query.as_deref(), &["phone", "email"])?;
    let (phone, email) = (p.text("phone"), p.text("email"));
    let point = match (&phone, &email) {
        (Some(phone), None) => ContactPoint::Phone(phone),
        (None, Some(email)) => ContactPoint::Email(email),
        _ => return Err(Problem::bad_request("phone", "invalid_parameter", "give either phone or email")),
    };
    let (records, schemas) = read::lookup(&server.app, &auth.ctx, point).await?;
    let data: Vec<Json> = records
        .iter()
        .map(|r| {
            json!({
                "entity": r.kind.api_name(),
                "id": r.id,
                "title": schemas.get(r.kind).title(r),
                "record": r.to_json(schemas.get(r.kind)),
            })
        })
        .collect();
    Ok(json(StatusCode::OK, &json!({"data": data})))
}

/// Search across every entity type whose description puts it in global
/// search (accounts, contacts, leads, opportunities…) that the caller may
/// read, at once (the search box): the best few of each type.
pub async fn search(State(server): State<Arc<Server>>, auth: Auth, RawQuery(query): RawQuery) -> ApiResult<Response> {
    let p = QueryParams::parse(query.as_deref(), &["q", "limit"])?;
    let q = p
        .text("q")
        .filter(|q| !q.trim().is_empty())
        .ok_or_else(|| Problem::bad_request("q", "missing_parameter", "give the text to search for"))?;
    let limit = p.u64("limit")?.unwrap_or(5);
    if !(1..=50).contains(&limit) {
        return Err(Problem::bad_request("limit", "invalid_parameter", "must be between 1 and 50"));
    }
    let mut data = Vec::new();
    let schemas = server.app.schemas_for(&auth.ctx).await?;
    let searched: Vec<EntityKind> = schemas
        .iter()
        .filter(|s| s.def().global_search)
        .map(|s| s.kind)
        .filter(|&k| auth.ctx.access.check_kind(k, relata_core::access::Right::Read).is_ok())
        .collect();
    for kind in searched {
        let params = read::ListParams { q: Some(q.clone()), limit: Some(limit), ..Default::default() };
        let (page, schemas) = read::list(&server.app, &auth.ctx, kind, &params).await?;
        let schema = schemas.get(kind);
        data.extend(page.records.iter().map(
            |r| json!({"entity": kind.api_name(), "id": r.id, "title": schema.title(r), "record": r.to_json(schema)}),
        ));
    }
    Ok(json(StatusCode::OK, &json!({"data": data})))
}
