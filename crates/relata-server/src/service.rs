//! The endpoints that are not one entity's records: health, the metadata
//! registry and custom fields, and lookup by phone number or email.

use crate::Server;
use crate::auth::Auth;
use crate::http::{QueryParams, json, json_body};
use crate::problem::{ApiResult, Problem};
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use relata_app::custom_fields;
use relata_app::read::{self, ContactPoint};
use relata_core::meta::{Access, EntityKind, FieldDef, Schema};
use serde_json::{Value as Json, json};
use std::sync::Arc;

pub async fn health() -> Response {
    json(StatusCode::OK, &json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")}))
}

/// One field as the metadata endpoint describes it.
pub fn field_json(schema: &Schema, field: &FieldDef) -> Json {
    json!({
        "id": field.qualified_id(),
        "label": field.label,
        "type": field.ty.name(),
        "required": field.required,
        "unique": field.unique,
        "searchable": field.searchable,
        "filterable": field.filterable,
        "sortable": field.sortable,
        "read_only": field.access == Access::ReadOnly || schema.is_read_only_for_role(field),
        "custom": field.is_custom(),
        "options": field.ty.options(),
        "target": field.ty.target_name(),
    })
}

fn entity_json(schema: &Schema) -> Json {
    let def = schema.kind.def();
    json!({
        "name": schema.kind.api_name(),
        "singular": schema.kind.singular(),
        "label": def.label,
        "title_fields": def.title_fields,
        "fields": schema.visible_fields().map(|f| field_json(schema, f)).collect::<Vec<_>>(),
    })
}

pub async fn metadata(State(server): State<Arc<Server>>, auth: Auth) -> ApiResult<Response> {
    let schemas = server.app.schemas_for(&auth.ctx).await?;
    let entities: Vec<Json> = EntityKind::ALL.iter().map(|&k| entity_json(schemas.get(k))).collect();
    Ok(json(StatusCode::OK, &json!({"entities": entities})))
}

pub async fn entity_metadata(kind: EntityKind, State(server): State<Arc<Server>>, auth: Auth) -> ApiResult<Response> {
    let schemas = server.app.schemas_for(&auth.ctx).await?;
    Ok(json(StatusCode::OK, &entity_json(schemas.get(kind))))
}

pub async fn create_custom_field(
    kind: EntityKind,
    State(server): State<Arc<Server>>,
    auth: Auth,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    auth.require_write()?;
    let input = json_body(&headers, &body)?;
    let row = custom_fields::create(&server.app, &auth.ctx, kind, &input).await?;
    Ok(json(StatusCode::CREATED, &field_json(&relata_core::meta::Schema::standard(kind), &row.def)))
}

pub async fn delete_custom_field(
    kind: EntityKind,
    State(server): State<Arc<Server>>,
    auth: Auth,
    Path(field): Path<String>,
) -> ApiResult<Response> {
    auth.require_write()?;
    custom_fields::delete(&server.app, &auth.ctx, kind, &field).await.map_err(|e| match e {
        relata_app::AppError::NotFound => {
            Problem::not_found(format!("{} has no custom field {field:?}", kind.api_name()))
        }
        other => other.into(),
    })?;
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
                "title": r.title(),
                "record": r.to_json(schemas.get(r.kind)),
            })
        })
        .collect();
    Ok(json(StatusCode::OK, &json!({"data": data})))
}

/// The entity types global search looks in, in the order results are listed.
const SEARCHED: [EntityKind; 4] = [EntityKind::Account, EntityKind::Contact, EntityKind::Lead, EntityKind::Opportunity];

/// Search across accounts, contacts, leads and opportunities at once (the
/// search box): the best few of each type.
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
    for kind in SEARCHED {
        let params = read::ListParams { q: Some(q.clone()), limit: Some(limit), ..Default::default() };
        let (page, schemas) = read::list(&server.app, &auth.ctx, kind, &params).await?;
        data.extend(page.records.iter().map(|r| {
            json!({"entity": kind.api_name(), "id": r.id, "title": r.title(), "record": r.to_json(schemas.get(kind))})
        }));
    }
    Ok(json(StatusCode::OK, &json!({"data": data})))
}
