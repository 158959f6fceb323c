//! The route table: every endpoint declared once with its documentation and
//! its handler. [`router`] and the OpenAPI document are both built from
//! [`table`], so a route cannot exist undocumented.

use crate::Server;
use crate::auth::Auth;
use crate::http::IdPath;
use crate::openapi::{self, schema_ref};
use crate::problem::Problem;
use crate::records::{self, LIST_PARAMS, PAGE_PARAMS};
use crate::service;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, delete, get, patch, post};
use relata_core::meta::EntityKind;
use serde_json::{Value as Json, json};
use std::sync::Arc;

/// What the OpenAPI document says about one endpoint.
#[derive(Clone, Debug)]
pub struct Operation {
    pub method: Method,
    pub path: String,
    pub operation_id: String,
    pub summary: String,
    pub tag: String,
    /// Whether a bearer token is needed.
    pub authenticated: bool,
    pub query: Vec<&'static str>,
    /// Request headers the endpoint reads, and whether each is required.
    pub headers: Vec<(&'static str, bool)>,
    pub body: Option<Json>,
    /// Success status and its body schema (`None` for no body).
    pub success: (u16, Option<Json>),
}

/// One endpoint: its documentation and its handler.
pub struct Route {
    pub op: Operation,
    handler: MethodRouter<Arc<Server>>,
}

/// Starts the description of an endpoint.
fn endpoint(
    method: Method,
    path: impl Into<String>,
    id: impl Into<String>,
    summary: impl Into<String>,
) -> RouteBuilder {
    RouteBuilder {
        op: Operation {
            method,
            path: path.into(),
            operation_id: id.into(),
            summary: summary.into(),
            tag: String::new(),
            authenticated: true,
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            success: (200, None),
        },
    }
}

struct RouteBuilder {
    op: Operation,
}

impl RouteBuilder {
    fn tag(mut self, tag: &str) -> Self {
        self.op.tag = tag.to_string();
        self
    }
    fn public(mut self) -> Self {
        self.op.authenticated = false;
        self
    }
    fn query(mut self, params: &[&'static str]) -> Self {
        self.op.query = params.to_vec();
        self
    }
    fn header(mut self, name: &'static str, required: bool) -> Self {
        self.op.headers.push((name, required));
        self
    }
    fn body(mut self, schema: Json) -> Self {
        self.op.body = Some(schema);
        self
    }
    fn returns(mut self, status: u16, schema: Option<Json>) -> Self {
        self.op.success = (status, schema);
        self
    }
    fn to(self, handler: MethodRouter<Arc<Server>>) -> Route {
        Route { op: self.op, handler }
    }
}

type S = State<Arc<Server>>;

/// Every endpoint of the server.
pub fn table() -> Vec<Route> {
    let mut routes = vec![
        endpoint(Method::GET, "/healthz", "health", "Liveness check")
            .tag("service")
            .public()
            .returns(200, Some(json!({"type": "object"})))
            .to(get(service::health)),
        endpoint(Method::GET, "/api/v1/openapi.json", "openapi", "This OpenAPI 3.1 document")
            .tag("service")
            .public()
            .returns(200, Some(json!({"type": "object"})))
            .to(get(openapi::document)),
        endpoint(Method::GET, "/api/v1/docs", "docs", "The API reference as a web page")
            .tag("service")
            .public()
            .returns(200, None)
            .to(get(openapi::reference_page)),
        endpoint(Method::GET, "/api/v1/metadata", "metadata.list", "Every entity type and its fields")
            .tag("metadata")
            .returns(200, Some(schema_ref("Metadata")))
            .to(get(service::metadata)),
        endpoint(Method::GET, "/api/v1/lookup", "lookup", "Records with a phone number or email address")
            .tag("lookup")
            .query(&["phone", "email"])
            .returns(200, Some(schema_ref("LookupResult")))
            .to(get(service::lookup)),
        endpoint(Method::GET, "/api/v1/search", "search", "Search accounts, contacts, leads and opportunities at once")
            .tag("search")
            .query(&["q", "limit"])
            .returns(200, Some(schema_ref("LookupResult")))
            .to(get(service::search)),
        endpoint(Method::GET, "/", "home", "Start page")
            .tag("service")
            .public()
            .returns(200, None)
            .to(get(service::home)),
    ];
    for kind in EntityKind::ALL {
        routes.extend(entity_routes(kind));
    }
    routes.push(
        endpoint(Method::POST, "/api/v1/leads/{id}/convert", "leads.convert", "Convert a lead")
            .tag("leads")
            .body(schema_ref("LeadConversion"))
            .returns(200, Some(schema_ref("LeadConversionResult")))
            .to(post(records::convert_lead)),
    );
    routes
}

fn entity_routes(kind: EntityKind) -> Vec<Route> {
    let name = kind.api_name();
    let label = kind.def().label;
    let base = format!("/api/v1/{name}");
    let one = format!("{base}/{{id}}");
    let record = schema_ref(&openapi::schema_name(kind));
    let input = schema_ref(&format!("{}Input", openapi::schema_name(kind)));
    let mut routes = vec![
        endpoint(Method::POST, &base, format!("{name}.create"), format!("Create a {}", kind.singular()))
            .tag(name)
            .header("Idempotency-Key", false)
            .body(input.clone())
            .returns(201, Some(record.clone()))
            .to(post(move |s: S, a: Auth, h: HeaderMap, b: Bytes| records::create(kind, s, a, h, b))),
        endpoint(Method::GET, &base, format!("{name}.list"), format!("List {name}"))
            .tag(name)
            .query(LIST_PARAMS)
            .returns(200, Some(openapi::page_of(record.clone())))
            .to(get(move |s: S, a: Auth, q: RawQuery| records::list(kind, s, a, q))),
        endpoint(Method::GET, &one, format!("{name}.get"), format!("Get a {}", kind.singular()))
            .tag(name)
            .query(&["include_deleted"])
            .returns(200, Some(record.clone()))
            .to(get(move |s: S, a: Auth, id: IdPath, q: RawQuery| records::get_one(kind, s, a, id, q))),
        endpoint(Method::PATCH, &one, format!("{name}.update"), format!("Change a {}", kind.singular()))
            .tag(name)
            .header("If-Match", true)
            .body(input)
            .returns(200, Some(record.clone()))
            .to(patch(move |s: S, a: Auth, id: IdPath, h: HeaderMap, b: Bytes| records::update(kind, s, a, id, h, b))),
        endpoint(Method::DELETE, &one, format!("{name}.delete"), format!("Move a {} to the trash", kind.singular()))
            .tag(name)
            .header("If-Match", false)
            .returns(200, Some(record.clone()))
            .to(delete(move |s: S, a: Auth, id: IdPath, h: HeaderMap| records::delete(kind, s, a, id, h))),
        endpoint(
            Method::POST,
            format!("{one}/restore"),
            format!("{name}.restore"),
            format!("Restore a {} from the trash", kind.singular()),
        )
        .tag(name)
        .header("If-Match", false)
        .returns(200, Some(record))
        .to(post(move |s: S, a: Auth, id: IdPath, h: HeaderMap| records::restore(kind, s, a, id, h))),
        endpoint(Method::GET, format!("{one}/history"), format!("{name}.history"), format!("{label} change history"))
            .tag(name)
            .query(PAGE_PARAMS)
            .returns(200, Some(openapi::page_of(schema_ref("Change"))))
            .to(get(move |s: S, a: Auth, id: IdPath, q: RawQuery| records::history(kind, s, a, id, q))),
        endpoint(
            Method::GET,
            format!("/api/v1/metadata/{name}"),
            format!("metadata.{name}"),
            format!("{label} fields"),
        )
        .tag("metadata")
        .returns(200, Some(schema_ref("Entity")))
        .to(get(move |s: S, a: Auth| service::entity_metadata(kind, s, a))),
        endpoint(
            Method::POST,
            format!("/api/v1/metadata/{name}/fields"),
            format!("metadata.{name}.create_field"),
            format!("Define a custom field of {name}"),
        )
        .tag("metadata")
        .body(schema_ref("CustomFieldInput"))
        .returns(201, Some(schema_ref("Field")))
        .to(post(move |s: S, a: Auth, h: HeaderMap, b: Bytes| service::create_custom_field(kind, s, a, h, b))),
        endpoint(
            Method::DELETE,
            format!("/api/v1/metadata/{name}/fields/{{id}}"),
            format!("metadata.{name}.delete_field"),
            format!("Remove a custom field of {name} (stored values are kept)"),
        )
        .tag("metadata")
        .returns(204, None)
        .to(delete(move |s: S, a: Auth, p: Path<String>| service::delete_custom_field(kind, s, a, p))),
    ];
    if matches!(kind, EntityKind::Account | EntityKind::Contact) {
        routes.push(
            endpoint(
                Method::GET,
                format!("{one}/timeline"),
                format!("{name}.timeline"),
                format!("Every episode of the {}'s story, newest first", kind.singular()),
            )
            .tag(name)
            .query(PAGE_PARAMS)
            .returns(200, Some(openapi::page_of(schema_ref("TimelineItem"))))
            .to(get(move |s: S, a: Auth, id: IdPath, q: RawQuery| records::timeline(kind, s, a, id, q))),
        );
    }
    routes
}

/// The router built from [`table`].
pub fn router() -> Router<Arc<Server>> {
    let mut router = Router::new();
    for route in table() {
        router = router.route(&route.op.path, route.handler);
    }
    router
        .fallback(no_route)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::map_response(problems_for_plain_errors))
}

/// Turns the few plain-text errors axum answers by itself (a body over the
/// size limit, an undecodable path) into problem documents like all others.
async fn problems_for_plain_errors(response: Response) -> Response {
    let status = response.status();
    let is_problem = response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v == "application/problem+json");
    if is_problem || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let body = axum::body::to_bytes(response.into_body(), 64 * 1024).await.unwrap_or_default();
    let detail = String::from_utf8_lossy(&body).trim().to_string();
    let (kind, title) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => ("payload-too-large", "Request body too large"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported-media-type", "Unsupported media type"),
        StatusCode::BAD_REQUEST => ("bad-request", "Bad request"),
        _ => ("http-error", "Request failed"),
    };
    let detail = if detail.is_empty() { status.to_string() } else { detail };
    Problem::new(status, kind, title, detail).into_response()
}

async fn no_route(uri: Uri) -> Problem {
    let path = uri.path();
    let detail = match path.strip_prefix("/api/v1/").and_then(|rest| rest.split('/').next()) {
        Some(first) if !first.is_empty() && EntityKind::from_api_name(first).is_none() => {
            let known: Vec<&str> = EntityKind::ALL.iter().map(|k| k.api_name()).collect();
            format!("there is no entity type {first:?}; known types: {}", known.join(", "))
        }
        _ => format!("there is no endpoint at {path}; see /api/v1/openapi.json"),
    };
    Problem::new(StatusCode::NOT_FOUND, "no-route", "No such endpoint", detail)
}

async fn method_not_allowed(method: Method, uri: Uri) -> Problem {
    Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "Method not allowed",
        format!("{method} is not supported on {}; see /api/v1/openapi.json", uri.path()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_unique_and_has_an_operation_id() {
        let ops: Vec<Operation> = table().into_iter().map(|r| r.op).collect();
        let mut seen = std::collections::HashSet::new();
        for op in &ops {
            assert!(seen.insert((op.method.clone(), op.path.clone())), "{} {} twice", op.method, op.path);
            assert!(!op.operation_id.is_empty() && !op.tag.is_empty(), "{}", op.path);
        }
        let ids: std::collections::HashSet<_> = ops.iter().map(|o| o.operation_id.clone()).collect();
        assert_eq!(ids.len(), ops.len(), "operation ids are unique");
    }

    #[test]
    fn the_router_builds_from_the_table() {
        // Panics on overlapping routes.
        let _ = router();
    }
}
