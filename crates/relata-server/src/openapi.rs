//! The OpenAPI 3.1 document, generated from the route table and the metadata
//! registry: each entity's schema is derived from its field descriptions, so
//! the document follows the code without anyone keeping it in step.

use crate::Server;
use crate::auth::Auth;
use crate::http::escape_html;
use crate::problem::Problem;
use crate::routes::{Operation, PerEntity, table};
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use relata_app::Schemas;
use relata_core::meta::{Access, FieldDef, FieldType, Schema};
use serde_json::{Map, Value as Json, json};
use std::sync::Arc;
use std::sync::LazyLock;

/// The filter language, as documented for the `filter` parameter.
pub const FILTER_HELP: &str = "A filter in Relata's filter language. Conditions compare a field with a value: \
`=`, `!=`, `<`, `<=`, `>`, `>=`, `~` (contains, case-insensitive), `in (…)`, `is null`, `is not null`; \
combine them with `and`, `or`, `not` and parentheses. Text goes in double quotes; numbers, `true`, `false`, \
`null` and `me` (the signed-in user) do not. Money compares in major units of the workspace's default currency. \
Custom fields are `custom.<id>`. Example: `lifecycle = \"current\" and city = \"Gdańsk\" and owner = me`. \
A filter that does not parse is answered with 400 and the column where the problem starts.";

fn param_doc(name: &str) -> (&'static str, Json) {
    match name {
        "filter" => (FILTER_HELP, json!({"type": "string"})),
        "sort" => (
            "One field to sort by, `-` in front for descending (`-amount`); ties are broken by id. Default `-id` \
             (newest first).",
            json!({"type": "string"}),
        ),
        "cursor" => ("The `next_cursor` of the previous page.", json!({"type": "string"})),
        "limit" => ("Page size, 1 to 500 (default 50).", json!({"type": "integer", "minimum": 1, "maximum": 500})),
        "q" => (
            "Full-text search over names, emails, phones and notes; every word must match (as a prefix).",
            json!({"type": "string", "maxLength": 200}),
        ),
        "deleted" => ("`true` lists the trash (soft-deleted records) instead.", json!({"type": "boolean"})),
        "include_deleted" => ("`true` also finds a record in the trash.", json!({"type": "boolean"})),
        "phone" => ("A phone number in any usual form; normalised to E.164.", json!({"type": "string"})),
        "email" => ("An email address.", json!({"type": "string", "format": "email"})),
        "period" => (
            "Forecast periods: `month` (default) or `quarter`, by expected close date.",
            json!({"type": "string", "enum": ["month", "quarter"]}),
        ),
        "group" => (
            "Split pipeline rows by `owner` (user id), `team` (the owner's team; the first by name if several), \
             `territory` (the account's) or `none` (default).",
            json!({"type": "string", "enum": ["owner", "team", "territory", "none"]}),
        ),
        "as_of" => (
            "Day (YYYY-MM-DD) by which periods must have ended to be compared with what was won; default today.",
            json!({"type": "string", "format": "date"}),
        ),
        "after" => (
            "The `next_cursor` of the previous page (or an entry's `cursor`); leave out to read from the \
             beginning. Cursors belong to one workspace.",
            json!({"type": "string"}),
        ),
        "entities" => (
            "Only these entity types, by API name, comma-separated (`contacts,opportunities`).",
            json!({"type": "string"}),
        ),
        "wait" => (
            "Seconds to wait for new entries when there are none yet (long polling), at most 60; default 0.",
            json!({"type": "integer", "minimum": 0, "maximum": 60}),
        ),
        _ => ("", json!({"type": "string"})),
    }
}

fn header_doc(name: &str) -> &'static str {
    match name {
        "If-Match" => "The ETag of the version being changed; a stale one gets 412 and nothing changes.",
        "Idempotency-Key" => "A key unique to this create; a retry with the same key returns the first result.",
        _ => "",
    }
}

pub fn schema_ref(name: &str) -> Json {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// `Account`, `Opportunity`, … (a custom object's label, without spaces).
pub fn schema_name(schema: &Schema) -> String {
    schema.def().label.replace(|c: char| !c.is_ascii_alphanumeric(), "")
}

/// A cursor page of `item`.
pub fn page_of(item: Json) -> Json {
    json!({
        "type": "object",
        "required": ["data", "next_cursor"],
        "properties": {
            "data": {"type": "array", "items": item},
            "next_cursor": {"type": ["string", "null"], "description": "Pass as `cursor` for the next page; null on the last."}
        }
    })
}

fn field_schema(field: &FieldDef) -> Json {
    let mut schema = match &field.ty {
        FieldType::Id | FieldType::Relation(_) => json!({"type": "string", "format": "uuid"}),
        FieldType::Text { max_len } => json!({"type": "string", "maxLength": max_len}),
        FieldType::LongText => json!({"type": "string"}),
        FieldType::Email => json!({"type": "string", "format": "email"}),
        FieldType::Emails => json!({"type": "array", "items": {"type": "string", "format": "email"}}),
        FieldType::Phone => json!({"type": "string", "description": "E.164 in responses; any usual form in input"}),
        FieldType::Phones => json!({"type": "array", "items": {"type": "string"}}),
        FieldType::Integer { min, max } => json!({"type": "integer", "minimum": min, "maximum": max}),
        FieldType::Number => json!({"type": "number"}),
        FieldType::Decimal { scale } => json!({"type": "string", "pattern": "^-?[0-9]+(\\.[0-9]+)?$",
            "description": format!("an exact decimal with at most {scale} places after the point")}),
        FieldType::Money => schema_ref("Money"),
        FieldType::Date => json!({"type": "string", "format": "date"}),
        FieldType::DateTime => json!({"type": "string", "format": "date-time"}),
        FieldType::Boolean => json!({"type": "boolean"}),
        FieldType::Choice(options) => json!({"type": "string", "enum": options}),
        FieldType::MultiChoice(options) => json!({"type": "array", "items": {"type": "string", "enum": options}}),
        FieldType::Members => json!({"type": "array", "items": {"type": "string", "format": "uuid"},
            "description": "ids of members of the workspace"}),
        FieldType::Stage => json!({"type": "string", "description": "a stage id of the opportunity's pipeline"}),
        FieldType::Stages => json!({"type": "array", "items": schema_ref("Stage")}),
    };
    if let Json::Object(obj) = &mut schema
        && !obj.contains_key("$ref")
    {
        obj.insert("title".into(), json!(field.label));
    }
    // Every field may be null (no value), except the record's own id.
    if field.id == "id" { schema } else { json!({"anyOf": [schema, {"type": "null"}]}) }
}

fn record_schema(schema: &Schema) -> Json {
    let mut props = Map::new();
    for field in schema.own_fields() {
        props.insert(field.id.to_string(), field_schema(field));
    }
    props.insert(
        "custom".into(),
        json!({"type": "object", "description": "The workspace's custom fields (see /api/v1/metadata)."}),
    );
    let mut required: Vec<String> = schema.own_fields().iter().map(|f| f.id.to_string()).collect();
    required.push("custom".into());
    json!({"type": "object", "title": schema.def().label, "properties": props, "required": required})
}

fn input_schema(schema: &Schema) -> Json {
    let mut props = Map::new();
    for field in schema.own_fields().iter().filter(|f| f.access == Access::Writable) {
        props.insert(field.id.to_string(), field_schema(field));
    }
    props.insert(
        "custom".into(),
        json!({"type": "object", "description": "Values of custom fields by id; checked against their definitions."}),
    );
    let required: Vec<&str> = schema
        .own_fields()
        .iter()
        .filter(|f| f.required && f.default.is_none() && f.is_writable())
        .map(|f| f.id.as_ref())
        .collect();
    json!({
        "type": "object",
        "additionalProperties": false,
        "properties": props,
        "description": format!(
            "Fields to write. On create, required: {}. On update (PATCH), only the fields given change.",
            required.join(", ")
        ),
    })
}

fn common_schemas() -> Map<String, Json> {
    let mut s = Map::new();
    s.insert(
        "Problem".into(),
        json!({
            "type": "object",
            "description": "RFC 9457 problem details.",
            "required": ["type", "title", "status", "detail"],
            "properties": {
                "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                "detail": {"type": "string"},
                "errors": {"type": "array", "items": {"type": "object", "required": ["field", "code", "message"],
                    "properties": {"field": {"type": "string"}, "code": {"type": "string"},
                        "message": {"type": "string"}, "column": {"type": "integer"}}}},
                "current_version": {"type": "integer"}
            }
        }),
    );
    s.insert(
        "Money".into(),
        json!({
            "type": "object",
            "description": "An amount in a currency. In input give `amount` (decimal string) or `amount_minor`.",
            "properties": {"amount": {"type": "string", "examples": ["1250.50"]},
                "amount_minor": {"type": "integer"}, "currency": {"type": "string", "pattern": "^[A-Z]{3}$"}}
        }),
    );
    s.insert(
        "Stage".into(),
        json!({
            "type": "object", "required": ["name"],
            "properties": {"id": {"type": "string"}, "name": {"type": "string"},
                "probability": {"type": "integer", "minimum": 0, "maximum": 100},
                "kind": {"type": "string", "enum": ["open", "won", "lost"]}}
        }),
    );
    s.insert(
        "Change".into(),
        json!({
            "type": "object",
            "properties": {"seq": {"type": "integer"}, "entity": {"type": "string"}, "record_id": {"type": "string"},
                "op": {"type": "string", "enum": ["create", "update", "delete", "restore"]},
                "actor": {"type": ["string", "null"]}, "at": {"type": "string", "format": "date-time"},
                "changes": {"type": "object", "description": "{field: {before, after}}"}}
        }),
    );
    s.insert(
        "ChangePage".into(),
        json!({
            "type": "object",
            "required": ["data", "next_cursor"],
            "properties": {
                "data": {"type": "array", "items": {"type": "object", "properties": {
                    "cursor": {"type": "string", "description": "This entry's position, to resume after it"},
                    "entity": {"type": "string", "description": "API name of the entity type, or `metadata`"},
                    "record_id": {"type": "string", "format": "uuid"},
                    "op": {"type": "string", "enum": ["create", "update", "delete", "restore", "redact"]},
                    "actor": {"type": ["string", "null"]},
                    "at": {"type": "string", "format": "date-time"},
                    "changes": {"type": "object", "description": "{field: {before, after}}; metadata entries carry the definition"},
                    "owner_before": {"type": ["string", "null"]},
                    "owner_after": {"type": ["string", "null"]},
                    "transaction": {"type": ["string", "null"], "description": "Entries of one write share it"},
                    "version": {"type": ["integer", "null"], "description": "The record's version after the change"},
                    "out_of_reach": {"type": "boolean",
                        "description": "The record moved to an owner whose records you may not read: remove your copy"}
                }}},
                "next_cursor": {"type": "string", "description": "Pass as `after` for the next page (always present)"}
            }
        }),
    );
    s.insert(
        "TimelineItem".into(),
        json!({
            "type": "object",
            "properties": {"at": {"type": "string", "format": "date-time"},
                "type": {"type": "string", "enum": ["activity", "opportunity", "stage_change"]},
                "id": {"type": "string"}, "title": {"type": "string"}, "record": {"type": "object"}}
        }),
    );
    s.insert(
        "Field".into(),
        json!({
            "type": "object",
            "properties": {"id": {"type": "string"}, "label": {"type": "string"}, "type": {"type": "string"},
                "required": {"type": "boolean"}, "unique": {"type": "boolean"}, "searchable": {"type": "boolean"},
                "filterable": {"type": "boolean"}, "sortable": {"type": "boolean"}, "read_only": {"type": "boolean"},
                "custom": {"type": "boolean"}, "options": {"type": ["array", "null"]},
                "target": {"type": ["string", "null"]}}
        }),
    );
    s.insert(
        "Entity".into(),
        json!({"type": "object", "properties": {"name": {"type": "string"}, "singular": {"type": "string"},
            "label": {"type": "string"}, "fields": {"type": "array", "items": schema_ref("Field")}}}),
    );
    s.insert(
        "Metadata".into(),
        json!({"type": "object", "properties": {"entities": {"type": "array", "items": schema_ref("Entity")}}}),
    );
    let custom_field = json!({
        "type": "object", "required": ["id", "type"], "additionalProperties": false,
        "properties": {
            "id": {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,62}$"},
            "label": {"type": "string"},
            "type": {"type": "string", "enum": relata_core::meta::CUSTOM_FIELD_TYPES},
            "options": {"type": "array", "items": {"type": "string"}},
            "target": {"type": "string", "description": "relation target: an entity type (a custom object too) or `users`"},
            "required": {"type": "boolean"}
        }
    });
    // A custom object's own fields may also be unique and searched.
    let mut object_field = custom_field.clone();
    object_field["properties"]["unique"] =
        json!({"type": "boolean", "description": "text, email, phone and integer fields"});
    object_field["properties"]["searchable"] =
        json!({"type": "boolean", "description": "default: true for text, email and phone"});
    s.insert("CustomFieldInput".into(), custom_field);
    let names = json!({"type": "array", "items": {"type": "string"}});
    let object_members = json!({
        "id": {"type": "string", "pattern": "^[a-z][a-z0-9_]{1,62}$",
               "description": "the API name, a plural used in paths (`vehicles`); not a standard type or reserved word"},
        "label": {"type": "string", "description": "singular label"},
        "plural_label": {"type": "string"},
        "fields": {"type": "array", "items": object_field},
        "title_fields": names.clone(),
        "global_search": {"type": "boolean", "description": "default true"},
        "episode": {"type": "object", "properties": {"links": names.clone(), "at": {"type": "string"}},
                    "description": "relation fields whose targets' timelines show the records, and the date-time placing them"},
        "personal_fields": names.clone(),
        "default_columns": names
    });
    s.insert(
        "ImportReport".into(),
        json!({"type": "object", "properties": {
            "rows": {"type": "integer"}, "imported": {"type": "integer"}, "skipped": {"type": "integer"},
            "ignored_columns": {"type": "array", "items": {"type": "string"}},
            "errors": {"type": "array", "items": {"type": "object", "properties": {
                "line": {"type": "integer"}, "field": {"type": "string"}, "message": {"type": "string"}}}},
            "error_count": {"type": "integer"}, "committed": {"type": "boolean"}}}),
    );
    s.insert(
        "CustomObjectInput".into(),
        json!({"type": "object", "required": ["id", "label", "fields"], "additionalProperties": false,
               "properties": object_members.clone()}),
    );
    let mut shown = object_members;
    shown["version"] = json!({"type": "integer"});
    shown["created_at"] = json!({"type": "string", "format": "date-time"});
    shown["updated_at"] = json!({"type": "string", "format": "date-time"});
    s.insert("CustomObject".into(), json!({"type": "object", "properties": shown}));
    s.insert(
        "LookupResult".into(),
        json!({"type": "object", "properties": {"data": {"type": "array", "items": {"type": "object",
            "properties": {"entity": {"type": "string"}, "id": {"type": "string"}, "title": {"type": "string"},
                "record": {"type": "object"}}}}}}),
    );
    s.insert(
        "LeadConversion".into(),
        json!({
            "type": "object", "additionalProperties": false,
            "properties": {
                "account": {"type": ["string", "null"], "format": "uuid",
                    "description": "An existing account; without it one is made from the lead's company."},
                "opportunity": {"description": "Opportunity fields, or false for none (default: one is created).",
                    "anyOf": [schema_ref("OpportunityInput"), {"const": false}]}
            }
        }),
    );
    let int = json!({"type": "integer"});
    let pipeline_row = json!({"type": "object", "properties": {
        "period": {"type": "string", "description": "`2026-03` or `2026-Q1`"},
        "group": {"type": ["string", "null"]}, "currency": {"type": "string"},
        "opportunities": int, "amount_minor": int,
        "weighted_minor": {"type": "integer", "description": "Σ amount × probability, in minor units"},
        "fallback_opportunities": {"type": "integer",
            "description": "weighted by the stage probability for want of closed history (forecast only)"}}});
    s.insert(
        "Forecast".into(),
        json!({"type": "object", "properties": {
            "as_of": {"type": "string", "format": "date"}, "period": {"type": "string"},
            "group": {"type": "string"}, "filter": {"type": ["string", "null"]},
            "opportunities": {"type": "object", "properties": {"read": int, "used": int,
                "left_out_without_amount": int, "left_out_without_expected_close": int,
                "left_out_without_stage": int, "stage_changes": int}},
            "weighted_pipeline": {"type": "array", "items": pipeline_row},
            "forecast": {"type": "array", "items": pipeline_row},
            "win_rates": {"type": "array", "items": {"type": "object", "properties": {
                "stage": {"type": "string"}, "won": int, "lost": int, "rate": {"type": ["number", "null"]}}}},
            "stage_durations": {"type": "array", "items": {"type": "object", "properties": {
                "stage": {"type": "string"}, "count": int, "mean_days": {"type": "number"},
                "median_days": {"type": "number"}}}},
            "forecast_vs_actual": {"type": "array", "items": {"type": "object", "properties": {
                "period": {"type": "string"}, "currency": {"type": "string"}, "forecast_minor": int,
                "actual_minor": int, "won": int}}}
        }}),
    );
    s.insert(
        "LeadConversionResult".into(),
        json!({"type": "object", "properties": {"lead": schema_ref("Lead"), "account": schema_ref("Account"),
            "contact": schema_ref("Contact"),
            "opportunity": {"anyOf": [schema_ref("Opportunity"), {"type": "null"}]}}}),
    );
    s
}

fn operation_json(op: &Operation) -> Json {
    let mut params: Vec<Json> = Vec::new();
    for segment in op.path.split('/') {
        if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            params.push(json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}));
        }
    }
    for name in &op.query {
        let (description, schema) = param_doc(name);
        params.push(
            json!({"name": name, "in": "query", "required": false, "description": description, "schema": schema}),
        );
    }
    for (name, required) in &op.headers {
        params.push(json!({"name": name, "in": "header", "required": required, "description": header_doc(name),
            "schema": {"type": "string"}}));
    }
    let problem = json!({"description": "A problem (RFC 9457)",
        "content": {"application/problem+json": {"schema": schema_ref("Problem")}}});
    let (status, schema) = &op.success;
    let success = match schema {
        Some(schema) => json!({"description": "Success", "content": {"application/json": {"schema": schema}}}),
        None => json!({"description": "Success"}),
    };
    let mut responses = Map::new();
    responses.insert(status.to_string(), success);
    responses.insert("default".into(), problem);
    let mut out = json!({
        "operationId": op.operation_id,
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": params,
        "responses": responses,
    });
    if let Some(body) = &op.body {
        out["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": body}}});
    }
    if !op.authenticated {
        out["security"] = json!([]);
    }
    out
}

/// Every operation of the route table, with the per-entity ones once for
/// each entity type of `schemas` they apply to.
fn operations(schemas: &Schemas) -> Vec<Operation> {
    let mut out = Vec::new();
    for route in table() {
        match route.op.per_entity {
            None => out.push(route.op),
            Some(which) => {
                for schema in schemas.iter() {
                    if which == PerEntity::WithTimeline && !relata_app::timeline::has_timeline(schemas, schema.kind) {
                        continue;
                    }
                    if which == PerEntity::WithFiles && !schema.def().keeps_files {
                        continue;
                    }
                    out.push(route.op.for_entity(schema));
                }
            }
        }
    }
    out
}

fn build_document(schemas: &Schemas) -> Json {
    let mut paths = Map::new();
    for op in operations(schemas) {
        let entry = paths.entry(op.path.clone()).or_insert_with(|| json!({}));
        entry[op.method.as_str().to_ascii_lowercase()] = operation_json(&op);
    }
    let mut components = common_schemas();
    for schema in schemas.iter() {
        components.insert(schema_name(schema), record_schema(schema));
        components.insert(format!("{}Input", schema_name(schema)), input_schema(schema));
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Relata REST API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Records of the CRM: accounts, contacts, leads, opportunities, activities and pipelines, \
                and the workspace's custom objects (listed when the document is fetched with credentials). \
                Authenticate with `Authorization: Bearer <token>` (`relata token create`). Errors are RFC 9457 \
                problem details. Lists paginate by cursor. Updates need `If-Match`.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": components,
        },
        "paths": paths,
    })
}

/// The document of the installed modules' types, the same for everyone.
static DOCUMENT: LazyLock<String> = LazyLock::new(|| build_document(&Schemas::standard()).to_string());

/// `GET /api/v1/openapi.json`: with credentials, the caller's workspace's
/// document (its custom fields and custom objects included); without, the
/// installed modules' types.
pub async fn document(State(server): State<Arc<Server>>, auth: Result<Auth, Problem>) -> Response {
    let body = match auth {
        Ok(auth) => match server.app.schemas_for(&auth.ctx).await {
            Ok(schemas) => build_document(&schemas).to_string(),
            Err(e) => return Problem::from(e).into_response(),
        },
        Err(_) => DOCUMENT.clone(),
    };
    (StatusCode::OK, [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response()
}

/// A plain HTML reference generated from the same table, for people.
pub async fn reference_page() -> Response {
    let mut html = String::from(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Relata API reference</title>\
         <link rel=\"stylesheet\" href=\"/assets/plain.css\"></head><body class=\"reference\">\
         <h1>Relata REST API</h1><p>Machine-readable: <a href=\"/api/v1/openapi.json\">openapi.json</a>. \
         Send <code>Authorization: Bearer &lt;token&gt;</code>; create a token with \
         <code>relata token create --name NAME</code>.</p>",
    );
    html.push_str(&format!("<h2>Filters</h2><p>{}</p><table>", escape_html(FILTER_HELP)));
    let mut tag = String::new();
    for op in operations(&Schemas::standard()) {
        if op.tag != tag {
            tag = op.tag.clone();
            html.push_str(&format!("</table><h2>{}</h2><table>", escape_html(&tag)));
        }
        let mut extra: Vec<String> = op.query.iter().map(|q| format!("<code>{q}</code>")).collect();
        extra.extend(
            op.headers.iter().map(|(h, req)| format!("<code>{h}</code>{}", if *req { " (required)" } else { "" })),
        );
        html.push_str(&format!(
            "<tr><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            op.method,
            escape_html(&op.path),
            escape_html(&op.summary),
            extra.join(" ")
        ));
    }
    html.push_str("</table></body></html>");
    Html(html).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_documented_with_its_method() {
        crate::modules::install();
        let schemas = Schemas::standard();
        let doc = build_document(&schemas);
        for op in operations(&schemas) {
            let method = op.method.as_str().to_ascii_lowercase();
            assert!(doc["paths"][&op.path][&method].is_object(), "{} {}", op.method, op.path);
            if op.path.starts_with("/api/") {
                assert!(!op.path.contains("{entity}") && !op.summary.contains('{'), "{} is filled in", op.path);
            }
        }
        assert!(doc["paths"]["/api/v1/contacts/{id}/timeline"]["get"].is_object());
        assert!(doc["paths"]["/api/v1/pipelines/{id}/timeline"].is_null(), "pipelines have no story");
    }

    #[test]
    fn every_schema_reference_resolves() {
        crate::modules::install();
        let doc = build_document(&Schemas::standard());
        let text = doc.to_string();
        for piece in text.split("\"#/components/schemas/").skip(1) {
            let name = &piece[..piece.find('"').unwrap()];
            assert!(doc["components"]["schemas"][name].is_object(), "missing schema {name}");
        }
    }
}
