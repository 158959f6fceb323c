//! Reading requests and writing responses: query strings, JSON bodies,
//! record ids, `If-Match`, ETags. Every malformed part becomes a problem
//! document that names the part.

use crate::problem::{ApiResult, Problem};
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use relata_core::RecordId;
use serde_json::Value as Json;
use std::collections::HashMap;

/// Query parameters, each allowed at most once; unknown ones are refused so
/// that a typo (`filters=`) is not silently ignored.
pub struct QueryParams(HashMap<String, String>);

impl QueryParams {
    pub fn parse(raw: Option<&str>, allowed: &[&str]) -> ApiResult<QueryParams> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or("")).map_err(|e| {
            Problem::bad_request("query", "invalid_query", format!("the query string is malformed: {e}"))
        })?;
        let mut map = HashMap::new();
        for (k, v) in pairs {
            if !allowed.contains(&k.as_str()) {
                let known = if allowed.is_empty() { "none".to_string() } else { allowed.join(", ") };
                return Err(Problem::bad_request(
                    &k,
                    "unknown_parameter",
                    format!("unknown query parameter; this endpoint takes: {known}"),
                ));
            }
            if map.insert(k.clone(), v).is_some() {
                return Err(Problem::bad_request(&k, "repeated_parameter", "give this parameter once"));
            }
        }
        Ok(QueryParams(map))
    }

    pub fn text(&self, name: &str) -> Option<String> {
        self.0.get(name).cloned()
    }

    pub fn u64(&self, name: &str) -> ApiResult<Option<u64>> {
        self.0
            .get(name)
            .map(|v| {
                v.trim().parse::<u64>().map_err(|_| {
                    Problem::bad_request(name, "invalid_parameter", format!("{v:?} is not a whole number"))
                })
            })
            .transpose()
    }

    pub fn bool(&self, name: &str) -> ApiResult<bool> {
        match self.0.get(name).map(|v| v.trim().to_ascii_lowercase()) {
            None => Ok(false),
            Some(v) if v == "true" || v == "1" => Ok(true),
            Some(v) if v == "false" || v == "0" || v.is_empty() => Ok(false),
            Some(v) => Err(Problem::bad_request(name, "invalid_parameter", format!("{v:?} is not true or false"))),
        }
    }
}

/// Parses a JSON request body; the content type, if given, must be JSON.
pub fn json_body(headers: &HeaderMap, body: &[u8]) -> ApiResult<Json> {
    if let Some(ct) = headers.get(header::CONTENT_TYPE) {
        let ct = ct.to_str().unwrap_or("").to_ascii_lowercase();
        if !ct.starts_with("application/json") && !ct.contains("+json") {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported media type",
                format!("send the body as application/json, not {ct:?}"),
            ));
        }
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Problem::bad_request("body", "missing_body", "the request needs a JSON body"));
    }
    serde_json::from_slice(body).map_err(|e| {
        Problem::bad_request(
            "body",
            "malformed_json",
            format!("the body is not valid JSON (line {}, column {}): {e}", e.line(), e.column()),
        )
    })
}

/// A record id from the path. Anything that is not an id names no record.
pub struct IdPath(pub RecordId);

impl<S: Send + Sync> FromRequestParts<S> for IdPath {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw): Path<String> = Path::from_request_parts(parts, state)
            .await
            .map_err(|e| Problem::bad_request("id", "invalid_path", e.body_text()))?;
        raw.parse::<RecordId>().map(IdPath).map_err(|_| Problem::not_found(format!("{raw:?} is not a record id")))
    }
}

/// The entity type (and record) a path names: `/api/v1/{entity}` and
/// `/api/v1/{entity}/{id}…`. The type is looked up in the caller's
/// workspace, so a workspace's custom objects are found and another's not.
pub struct EntityPath {
    entity: String,
    id: Option<String>,
    position: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for EntityPath {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(mut params): Path<std::collections::HashMap<String, String>> = Path::from_request_parts(parts, state)
            .await
            .map_err(|e| Problem::bad_request("entity", "invalid_path", e.body_text()))?;
        let entity = params.remove("entity").unwrap_or_default();
        Ok(EntityPath { entity, id: params.remove("id"), position: params.remove("position") })
    }
}

impl EntityPath {
    /// A position in the path (`/attachments/{position}`), or a 404 problem.
    pub fn position(&self) -> ApiResult<i64> {
        let text = self.position.as_deref().unwrap_or_default();
        text.parse().map_err(|_| Problem::not_found(format!("{text:?} is not a position")))
    }

    /// The entity type, or a 404 problem listing the workspace's types.
    pub async fn kind(
        &self,
        server: &crate::Server,
        auth: &crate::auth::Auth,
    ) -> ApiResult<relata_core::meta::EntityKind> {
        let schemas = server.app.schemas_for(&auth.ctx).await?;
        schemas.kind(&self.entity).ok_or_else(|| {
            let known: Vec<&str> = schemas.kinds().map(|k| k.api_name()).collect();
            Problem::new(
                StatusCode::NOT_FOUND,
                "no-route",
                "No such endpoint",
                format!("there is no entity type {:?}; known types: {}", self.entity, known.join(", ")),
            )
        })
    }

    /// The entity type and the record id.
    pub async fn record(
        &self,
        server: &crate::Server,
        auth: &crate::auth::Auth,
    ) -> ApiResult<(relata_core::meta::EntityKind, RecordId)> {
        let kind = self.kind(server, auth).await?;
        let raw = self.id.as_deref().unwrap_or("");
        let id = raw.parse::<RecordId>().map_err(|_| Problem::not_found(format!("{raw:?} is not a record id")))?;
        Ok((kind, id))
    }
}

/// The ETag of a record version.
pub fn etag(version: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).expect("digits are a valid header value")
}

/// The version an `If-Match` header names; required for updates.
pub fn if_match(headers: &HeaderMap, required: bool) -> ApiResult<Option<i64>> {
    let Some(raw) = headers.get(header::IF_MATCH) else {
        if required {
            return Err(Problem::new(
                StatusCode::PRECONDITION_REQUIRED,
                "precondition-required",
                "If-Match required",
                "send If-Match with the ETag of the version you are changing (GET the record to learn it)",
            ));
        }
        return Ok(None);
    };
    let text = raw.to_str().unwrap_or("").trim();
    let bare = text.strip_prefix("W/").unwrap_or(text).trim_matches('"');
    bare.parse::<i64>().map(Some).map_err(|_| {
        Problem::bad_request(
            "If-Match",
            "invalid_header",
            format!("{text:?} is not an ETag this server issued; use the ETag header of the record, e.g. \"3\""),
        )
    })
}

/// A JSON response.
pub fn json(status: StatusCode, body: &Json) -> Response {
    (status, [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body.to_string()).into_response()
}

/// A JSON response serialised straight from `body`.
pub fn serialized(status: StatusCode, body: &impl serde::Serialize) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => {
            (status, [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], bytes).into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "response did not serialise");
            Problem::internal().into_response()
        }
    }
}

/// A JSON response for one record version, with its ETag.
pub fn record_response(status: StatusCode, version: i64, body: &impl serde::Serialize) -> Response {
    let mut response = serialized(status, body);
    response.headers_mut().insert(header::ETAG, etag(version));
    response
}

/// The members of a JSON object body, read one by one; every problem is
/// collected and reported together by [`Input::finish`].
pub struct Input<'a> {
    obj: &'a serde_json::Map<String, Json>,
    errors: Vec<relata_core::FieldError>,
}

impl<'a> Input<'a> {
    /// Refuses bodies that are not objects, and members not in `allowed`.
    pub fn new(body: &'a Json, allowed: &[&str]) -> ApiResult<Input<'a>> {
        let Json::Object(obj) = body else {
            return Err(Problem::invalid(relata_core::ValidationError::single(
                "",
                "invalid_type",
                "the body must be a JSON object",
            )));
        };
        let errors = obj
            .keys()
            .filter(|k| !allowed.contains(&k.as_str()))
            .map(|k| {
                relata_core::FieldError::new(
                    k.as_str(),
                    "unknown_field",
                    format!("expected only: {}", allowed.join(", ")),
                )
            })
            .collect();
        Ok(Input { obj, errors })
    }

    /// A text member of at most `max` characters (trimmed unless it is a secret).
    pub fn text(&mut self, key: &str, required: bool, max: usize) -> Option<String> {
        match self.obj.get(key) {
            None | Some(Json::Null) => {
                if required {
                    self.errors.push(relata_core::FieldError::new(key, "required", "is required"));
                }
                None
            }
            Some(Json::String(s)) if !s.is_empty() && s.chars().count() <= max => Some(s.clone()),
            Some(_) => {
                self.errors.push(relata_core::FieldError::new(
                    key,
                    "invalid",
                    format!("must be text of 1 to {max} characters"),
                ));
                None
            }
        }
    }

    /// A text member of any length, left for the application to judge
    /// (so that its problems are reported with the others).
    pub fn raw_text(&mut self, key: &str) -> Option<String> {
        match self.obj.get(key) {
            None | Some(Json::Null) => None,
            Some(Json::String(s)) if s.len() <= 10_000 => Some(s.clone()),
            Some(_) => {
                self.errors.push(relata_core::FieldError::new(key, "invalid_type", "must be text"));
                None
            }
        }
    }

    pub fn bool(&mut self, key: &str) -> Option<bool> {
        match self.obj.get(key) {
            None | Some(Json::Null) => None,
            Some(Json::Bool(b)) => Some(*b),
            Some(_) => {
                self.errors.push(relata_core::FieldError::new(key, "invalid_type", "must be true or false"));
                None
            }
        }
    }

    /// A list of texts.
    pub fn texts(&mut self, key: &str) -> Option<Vec<String>> {
        match self.obj.get(key) {
            None | Some(Json::Null) => None,
            Some(Json::Array(items)) if items.iter().all(Json::is_string) => {
                Some(items.iter().filter_map(|i| i.as_str().map(str::to_string)).collect())
            }
            Some(_) => {
                self.errors.push(relata_core::FieldError::new(key, "invalid_type", "must be a list of texts"));
                None
            }
        }
    }

    /// Any JSON value (a payload the application judges), `Null` when absent.
    pub fn value(&mut self, key: &str) -> Json {
        self.obj.get(key).cloned().unwrap_or(Json::Null)
    }

    /// A whole number between `min` and `max`.
    pub fn int(&mut self, key: &str, min: i64, max: i64) -> Option<i64> {
        match self.obj.get(key) {
            None | Some(Json::Null) => None,
            Some(Json::Number(n)) if n.as_i64().is_some_and(|i| (min..=max).contains(&i)) => n.as_i64(),
            Some(_) => {
                self.errors.push(relata_core::FieldError::new(
                    key,
                    "invalid",
                    format!("must be a whole number from {min} to {max}"),
                ));
                None
            }
        }
    }

    /// A timestamp (RFC 3339).
    pub fn datetime(&mut self, key: &str) -> Option<chrono::DateTime<chrono::Utc>> {
        let text = self.text(key, false, 64)?;
        match chrono::DateTime::parse_from_rfc3339(&text) {
            Ok(t) => Some(t.with_timezone(&chrono::Utc)),
            Err(_) => {
                self.errors.push(relata_core::FieldError::new(key, "invalid_datetime", "must be an RFC 3339 time"));
                None
            }
        }
    }

    pub fn finish(self) -> ApiResult<()> {
        relata_core::ValidationError::check(self.errors).map_err(Problem::invalid)
    }
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// An inbound event's answer (ERP, telephone switch): what applying it gave,
/// marked `Idempotent-Replayed` when it had been applied before.
pub fn event_answer(result: &serde_json::Value, replayed: bool) -> axum::response::Response {
    let mut response = json(axum::http::StatusCode::OK, result);
    if replayed {
        response.headers_mut().insert("idempotent-replayed", axum::http::HeaderValue::from_static("true"));
    }
    response
}

/// What a report is asked for: `days` (1 to 366, 30 by default) and whether
/// as a workbook (`format=xlsx`) rather than JSON.
pub fn report_query(query: Option<&str>) -> Result<(i64, bool), crate::problem::Problem> {
    use crate::problem::Problem;
    let p = QueryParams::parse(query, &["days", "format"])?;
    let days = p.u64("days")?.unwrap_or(30);
    if !(1..=366).contains(&days) {
        return Err(Problem::bad_request("days", "invalid_parameter", "from 1 to 366"));
    }
    let xlsx = match p.text("format").as_deref() {
        None | Some("json") => false,
        Some("xlsx") => true,
        Some(other) => {
            return Err(Problem::bad_request("format", "invalid_parameter", format!("{other:?} is not json or xlsx")));
        }
    };
    Ok((days as i64, xlsx))
}

/// A report's answer: its JSON, or its workbook as a download `name`.
pub fn report_response(
    json_body: serde_json::Value,
    workbook: Option<Result<Vec<u8>, String>>,
    name: &'static str,
) -> Result<axum::response::Response, crate::problem::Problem> {
    use axum::http::{HeaderValue, header};
    use axum::response::IntoResponse;
    let Some(workbook) = workbook else { return Ok(json(axum::http::StatusCode::OK, &json_body)) };
    let bytes = workbook.map_err(|e| {
        tracing::error!(error = %e, report = name, "a report's workbook");
        crate::problem::Problem::internal()
    })?;
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")).expect("an ASCII name");
    let headers = [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ),
        (header::CONTENT_DISPOSITION, disposition),
    ];
    Ok((axum::http::StatusCode::OK, headers, bytes).into_response())
}
