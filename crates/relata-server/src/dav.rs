//! CardDAV and CalDAV over HTTP (see `relata_dav`): discovery from
//! `/.well-known/carddav` and `/.well-known/caldav`, a principal per user,
//! one address book and one calendar per user, objects by name, PROPFIND,
//! REPORT (sync-collection, multiget, query, free-busy), GET, PUT, DELETE.
//!
//! Clients sign in with the user's email and an API token as the password
//! (an app password; `Authorization: Basic`), or a token as `Bearer`.
//!
//! ```text
//! /dav/principals/{user}/
//! /dav/addressbooks/{user}/contacts/{name}.vcf
//! /dav/calendars/{user}/crm/{name}.ics
//! ```

use crate::Server;
use crate::auth::{SCOPE_READ, SCOPE_READ_WRITE};
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use relata_app::Ctx;
use relata_app::error::AppError;
use relata_dav::collections::{Collection, DavError, Member, Preconditions, View};
use relata_dav::xml::{
    self, APPLE_ICAL, CALDAV, CALENDARSERVER, CARDDAV, DAV, Multistatus, Name, Props, Report, Value,
};
use relata_identity::secret::SecretKind;
use relata_store::admin::{Credential, Principal};
use std::sync::Arc;

pub const ROOT: &str = "/dav/";
const ADDRESS_BOOK: &str = "contacts";
const CALENDAR: &str = "crm";
/// Request bodies (XML, vCards, calendar objects) at most.
const MAX_BODY: usize = 2 * 1024 * 1024;

/// Where a path points.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    Root,
    Principal(String),
    Home(Collection, String),
    Collection(Collection, String),
    Object(Collection, String, String),
}

fn collection_segment(c: Collection) -> (&'static str, &'static str) {
    match c {
        Collection::AddressBook => ("addressbooks", ADDRESS_BOOK),
        Collection::Calendar => ("calendars", CALENDAR),
    }
}

fn parse_target(path: &str) -> Option<Target> {
    let rest = path.strip_prefix("/dav")?;
    let parts: Vec<&str> = rest.split('/').filter(|p| !p.is_empty()).collect();
    let collection = |kind: &str| match kind {
        "addressbooks" => Some(Collection::AddressBook),
        "calendars" => Some(Collection::Calendar),
        _ => None,
    };
    match parts.as_slice() {
        [] => Some(Target::Root),
        ["principals", user] => Some(Target::Principal(user.to_string())),
        [kind, user] => Some(Target::Home(collection(kind)?, user.to_string())),
        [kind, user, name] => {
            let c = collection(kind)?;
            (collection_segment(c).1 == *name).then(|| Target::Collection(c, user.to_string()))
        }
        [kind, user, name, object] => {
            let c = collection(kind)?;
            (collection_segment(c).1 == *name).then(|| Target::Object(c, user.to_string(), percent_decode(object)))
        }
        _ => None,
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let (Some(Some(hi)), Some(Some(lo))) =
                (bytes.get(i + 1).map(|b| hex(*b)), bytes.get(i + 2).map(|b| hex(*b)))
        {
            out.push((hi * 16 + lo) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn principal_href(user: &str) -> String {
    format!("{ROOT}principals/{user}/")
}

fn home_href(c: Collection, user: &str) -> String {
    format!("{ROOT}{}/{user}/", collection_segment(c).0)
}

pub(crate) fn collection_href(c: Collection, user: &str) -> String {
    format!("{}{}/", home_href(c, user), collection_segment(c).1)
}

/// `/.well-known/carddav` and `/.well-known/caldav` (RFC 6764): to the root,
/// where a client asks for its principal.
pub async fn well_known() -> Response {
    (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, ROOT)]).into_response()
}

/// Every request under `/dav`.
pub async fn handle(
    State(server): State<Arc<Server>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut response = answer(&server, method, uri, headers, body).await;
    response.extensions_mut().insert(Answered);
    response
}

/// Marks DAV's answers, which speak WebDAV (XML and plain text), so that
/// they are not turned into problem documents.
#[derive(Clone, Copy)]
pub struct Answered;

async fn answer(server: &Arc<Server>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    if method == Method::OPTIONS {
        return options();
    }
    let (principal, ctx) = match authenticate(server, &headers).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    if body.len() > MAX_BODY {
        return text(StatusCode::PAYLOAD_TOO_LARGE, format!("the body is larger than {MAX_BODY} bytes"));
    }
    if ["MKCOL", "MKCALENDAR", "MOVE", "COPY"].contains(&method.as_str()) {
        return text(
            StatusCode::FORBIDDEN,
            "Relata's collections are fixed: one address book and one calendar per user",
        );
    }
    let Some(target) = parse_target(uri.path()) else {
        return text(StatusCode::NOT_FOUND, format!("nothing at {}", uri.path()));
    };
    let me = principal.user.uuid().to_string();
    let user_of = |t: &Target| match t {
        Target::Root => None,
        Target::Principal(u) | Target::Home(_, u) | Target::Collection(_, u) | Target::Object(_, u, _) => {
            Some(u.clone())
        }
    };
    if user_of(&target).is_some_and(|u| u != me) {
        // Another user's collections are theirs alone.
        return text(StatusCode::FORBIDDEN, "these are another user's collections");
    }
    let request = Request { server, principal: &principal, ctx: &ctx, me: &me, headers: &headers };
    // Text is UTF-8 (vCard 4.0 and iCalendar say so); anything else would
    // be read wrong, so it is refused rather than patched.
    let Ok(body) = std::str::from_utf8(&body) else {
        return text(StatusCode::BAD_REQUEST, "the body is not UTF-8 text: send vCards, calendars and XML in UTF-8");
    };
    let result = match method.as_str() {
        "PROPFIND" => request.propfind(&target, body).await,
        "REPORT" => request.report(&target, body).await,
        "GET" | "HEAD" => request.get(&target, method == Method::HEAD).await,
        "PUT" => request.put(&target, body).await,
        "DELETE" => request.delete(&target).await,
        "PROPPATCH" => Ok(request.proppatch(uri.path(), body)),
        _ => Ok(text(StatusCode::METHOD_NOT_ALLOWED, format!("{method} is not supported here"))),
    };
    result.unwrap_or_else(failure)
}

fn options() -> Response {
    let mut response = StatusCode::OK.into_response();
    let h = response.headers_mut();
    h.insert("dav", HeaderValue::from_static("1, 3, addressbook, calendar-access"));
    h.insert(header::ALLOW, HeaderValue::from_static("OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, REPORT"));
    response
}

/// The user behind `Authorization: Basic` (email and an API token) or
/// `Bearer` (a token); anything else is asked to sign in.
async fn authenticate(server: &Server, headers: &HeaderMap) -> Result<(Principal, Ctx), Response> {
    let challenge = |message: &str| {
        let mut r = text(StatusCode::UNAUTHORIZED, message.to_string());
        r.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"Relata\", charset=\"UTF-8\""));
        r
    };
    let Some(value) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) else {
        return Err(challenge("sign in with your email and an API token as the password"));
    };
    let (user, secret) = if let Some(encoded) = value.strip_prefix("Basic ").or_else(|| value.strip_prefix("basic ")) {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(|| challenge("the Basic credentials are not base64 of email:token"))?;
        let (user, secret) = decoded.split_once(':').ok_or_else(|| challenge("the Basic credentials lack a ':'"))?;
        (Some(user.to_string()), secret.to_string())
    } else if let Some(token) = value.strip_prefix("Bearer ") {
        (None, token.trim().to_string())
    } else {
        return Err(challenge("use Basic (email and API token) or Bearer"));
    };
    if secret.starts_with(SecretKind::Session.prefix()) || secret.is_empty() || secret.len() > 200 {
        return Err(challenge("the password is an API token (an app password), not a session"));
    }
    let (principal, access) = server.principal(&secret).await.map_err(|p| match p.details().status {
        StatusCode::UNAUTHORIZED => challenge("the token is unknown, expired or revoked"),
        // The database, not the client, is at fault: no prompt for a password.
        status => text(status, "Relata cannot check the password now; try again"),
    })?;
    if user.as_deref().is_some_and(|u| !u.trim().eq_ignore_ascii_case(&principal.email)) {
        return Err(challenge("the user name is not the email of the token's user"));
    }
    match &principal.credential {
        Credential::Token { scope, .. } if scope == SCOPE_READ || scope == SCOPE_READ_WRITE => {}
        _ => return Err(text(StatusCode::FORBIDDEN, "this token's scope is not for address books and calendars")),
    }
    let ctx = Ctx::for_user(principal.workspace.clone(), Some(principal.user), access);
    Ok((principal, ctx))
}

fn text(status: StatusCode, message: impl Into<String>) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], message.into()).into_response()
}

fn xml_response(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/xml; charset=utf-8")], body).into_response()
}

fn multistatus(body: String) -> Response {
    xml_response(StatusCode::MULTI_STATUS, body)
}

/// A DAV error with its precondition element and a message for people.
fn precondition(status: StatusCode, ns: &str, condition: &str, message: &str) -> Response {
    let body = xml::error_body(ns, condition).replace(
        "</d:error>",
        &format!("<d:responsedescription>{}</d:responsedescription></d:error>", xml::escape(message)),
    );
    xml_response(status, body)
}

fn failure(e: DavError) -> Response {
    match e {
        DavError::InvalidObject(message) => text(StatusCode::BAD_REQUEST, message),
        DavError::PreconditionFailed => text(StatusCode::PRECONDITION_FAILED, "the object changed since (ETag)"),
        DavError::UidConflict => precondition(
            StatusCode::CONFLICT,
            CARDDAV,
            "no-uid-conflict",
            "another object of the collection has this name or UID",
        ),
        DavError::InvalidSyncToken => {
            precondition(StatusCode::FORBIDDEN, DAV, "valid-sync-token", "sync from the beginning (no sync-token)")
        }
        DavError::App(e) => app_failure(e),
    }
}

fn app_failure(e: AppError) -> Response {
    match e {
        AppError::NotFound | AppError::Hidden { .. } => text(StatusCode::NOT_FOUND, "not found"),
        AppError::VersionConflict { .. } => text(StatusCode::PRECONDITION_FAILED, "the object changed since"),
        AppError::Invalid(v) => {
            let lines: Vec<String> = v.errors.iter().map(|f| format!("{}: {}", f.field, f.message)).collect();
            text(StatusCode::BAD_REQUEST, format!("the CRM cannot take this object: {}", lines.join("; ")))
        }
        AppError::Filter(f) => text(StatusCode::BAD_REQUEST, format!("your DAV subscription's filter: {f}")),
        AppError::Forbidden(r) => text(StatusCode::FORBIDDEN, r.english),
        AppError::Denied(d) => text(StatusCode::FORBIDDEN, d.to_string()),
        AppError::Conflict(r) => text(StatusCode::CONFLICT, r.english),
        AppError::BadParameter(p, m) => text(StatusCode::BAD_REQUEST, format!("{p}: {m}")),
        AppError::Busy(_) | AppError::OutOfSpace(_) => text(StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
        e => {
            tracing::error!(error = %e, "DAV request failed");
            text(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
        }
    }
}

struct Request<'a> {
    server: &'a Server,
    principal: &'a Principal,
    ctx: &'a Ctx,
    me: &'a str,
    headers: &'a HeaderMap,
}

type Answer = Result<Response, DavError>;

/// Properties every resource may be asked for.
const ALL_PROPS: &[(&str, &str)] = &[
    (DAV, "resourcetype"),
    (DAV, "displayname"),
    (DAV, "current-user-principal"),
    (DAV, "getetag"),
    (DAV, "getcontenttype"),
    (CALENDARSERVER, "getctag"),
    (DAV, "sync-token"),
];

impl Request<'_> {
    fn depth(&self) -> u8 {
        match self.headers.get("depth").and_then(|v| v.to_str().ok()).map(str::trim) {
            Some("0") => 0,
            _ => 1,
        }
    }

    fn writes(&self) -> bool {
        self.ctx.access.require_write().is_ok()
    }

    async fn propfind(&self, target: &Target, body: &str) -> Answer {
        let props = match xml::propfind(body) {
            Ok(p) => p,
            Err(m) => return Ok(text(StatusCode::BAD_REQUEST, m)),
        };
        let names: Vec<Name> = match &props {
            Props::Some(names) => names.clone(),
            Props::All | Props::Names => ALL_PROPS.iter().map(|(ns, l)| Name::new(ns, l)).collect(),
        };
        let mut out = Multistatus::new();
        match target {
            Target::Root => {
                self.respond(&mut out, ROOT, &names, |n| self.root_prop(n));
                if self.depth() == 1 {
                    self.respond(&mut out, &principal_href(self.me), &names, |n| self.principal_prop(n));
                }
            }
            Target::Principal(_) => {
                self.respond(&mut out, &principal_href(self.me), &names, |n| self.principal_prop(n))
            }
            Target::Home(c, _) => {
                self.respond(&mut out, &home_href(*c, self.me), &names, |n| self.home_prop(n));
                // A home lists its collection when the user may read its type.
                let readable = self.ctx.access.check_kind(c.kind(), relata_core::access::Right::Read).is_ok();
                if self.depth() == 1 && readable {
                    let view = View::open(&self.server.app, self.ctx, *c).await?;
                    self.collection_props(&mut out, &view, &names).await?;
                }
            }
            Target::Collection(c, _) => {
                let view = View::open(&self.server.app, self.ctx, *c).await?;
                self.collection_props(&mut out, &view, &names).await?;
                if self.depth() == 1 {
                    let members = view.members(&self.server.app, self.ctx, None).await?;
                    for m in &members {
                        self.object_response(&mut out, &view, m, &names);
                    }
                }
            }
            Target::Object(c, _, name) => {
                let view = View::open(&self.server.app, self.ctx, *c).await?;
                let member = view
                    .member_named(&self.server.app, self.ctx, name)
                    .await?
                    .ok_or(DavError::App(AppError::NotFound))?;
                self.object_response(&mut out, &view, &member, &names);
            }
        }
        Ok(multistatus(out.finish()))
    }

    /// One resource's answer: the properties it has and those it lacks.
    fn respond(&self, out: &mut Multistatus, href: &str, names: &[Name], value: impl Fn(&Name) -> Option<Value>) {
        let mut found = Vec::new();
        let mut missing = Vec::new();
        for name in names {
            match self.common_prop(name).or_else(|| value(name)) {
                Some(v) => found.push((name.clone(), v)),
                None => missing.push(name.clone()),
            }
        }
        out.response(href, &found, &missing);
    }

    fn href_xml(href: &str) -> Value {
        Value::Xml(format!("<d:href>{}</d:href>", xml::escape(href)))
    }

    fn common_prop(&self, name: &Name) -> Option<Value> {
        match (name.ns.as_str(), name.local.as_str()) {
            (DAV, "current-user-principal") | (DAV, "principal-URL") | (DAV, "owner") => {
                Some(Self::href_xml(&principal_href(self.me)))
            }
            (DAV, "current-user-privilege-set") => {
                let mut privileges = String::from("<d:privilege><d:read/></d:privilege>");
                if self.writes() {
                    privileges.push_str(
                        "<d:privilege><d:write/></d:privilege><d:privilege><d:write-content/></d:privilege><d:privilege><d:bind/></d:privilege><d:privilege><d:unbind/></d:privilege>",
                    );
                }
                Some(Value::Xml(privileges))
            }
            _ => None,
        }
    }

    fn root_prop(&self, name: &Name) -> Option<Value> {
        match (name.ns.as_str(), name.local.as_str()) {
            (DAV, "resourcetype") => Some(Value::Xml("<d:collection/>".into())),
            (DAV, "displayname") => Some(Value::Text("Relata".into())),
            _ => self.principal_prop(name).filter(|_| name.ns != DAV),
        }
    }

    fn principal_prop(&self, name: &Name) -> Option<Value> {
        match (name.ns.as_str(), name.local.as_str()) {
            (DAV, "resourcetype") => Some(Value::Xml("<d:collection/><d:principal/>".into())),
            (DAV, "displayname") => Some(Value::Text(self.principal.display_name.clone())),
            (CARDDAV, "addressbook-home-set") => Some(Self::href_xml(&home_href(Collection::AddressBook, self.me))),
            (CALDAV, "calendar-home-set") => Some(Self::href_xml(&home_href(Collection::Calendar, self.me))),
            (CALDAV, "calendar-user-address-set") => Some(Self::href_xml(&format!("mailto:{}", self.principal.email))),
            (CALDAV, "calendar-user-type") => Some(Value::Text("INDIVIDUAL".into())),
            _ => None,
        }
    }

    fn home_prop(&self, name: &Name) -> Option<Value> {
        match (name.ns.as_str(), name.local.as_str()) {
            (DAV, "resourcetype") => Some(Value::Xml("<d:collection/>".into())),
            (DAV, "displayname") => Some(Value::Text(self.principal.display_name.clone())),
            _ => None,
        }
    }

    async fn collection_props(&self, out: &mut Multistatus, view: &View, names: &[Name]) -> Result<(), DavError> {
        let c = view.collection;
        let wants_token = names.iter().any(|n| n.is(DAV, "sync-token") || n.is(CALENDARSERVER, "getctag"));
        let token = if wants_token { Some(view.token(&self.server.app, self.ctx).await?) } else { None };
        self.respond(out, &collection_href(c, self.me), names, |n| collection_prop(c, n, token.as_deref()));
        Ok(())
    }

    fn object_href(&self, c: Collection, name: &str) -> String {
        format!("{}{name}", collection_href(c, self.me))
    }

    fn object_response(&self, out: &mut Multistatus, view: &View, m: &Member, names: &[Name]) {
        let c = view.collection;
        let value = |name: &Name| -> Option<Value> {
            match (name.ns.as_str(), name.local.as_str()) {
                (DAV, "getetag") => Some(Value::Text(m.etag.clone())),
                (DAV, "getcontenttype") => Some(Value::Text(c.content_type().into())),
                (DAV, "resourcetype") => Some(Value::Xml(String::new())),
                (DAV, "getlastmodified") => Some(Value::Text(m.record.updated_at.to_rfc2822().replace("+0000", "GMT"))),
                (CARDDAV, "address-data") if c == Collection::AddressBook => Some(Value::Text(view.body(self.ctx, m))),
                (CALDAV, "calendar-data") if c == Collection::Calendar => Some(Value::Text(view.body(self.ctx, m))),
                _ => None,
            }
        };
        self.respond(out, &self.object_href(c, &m.name), names, value);
    }

    async fn report(&self, target: &Target, body: &str) -> Answer {
        let Target::Collection(c, _) = target else {
            return Ok(text(StatusCode::FORBIDDEN, "reports are asked of an address book or a calendar"));
        };
        let report = match xml::report(body) {
            Ok(r) => r,
            Err(m) => return Ok(text(StatusCode::BAD_REQUEST, m)),
        };
        let app = &self.server.app;
        let view = View::open(app, self.ctx, *c).await?;
        let mut out = Multistatus::new();
        match report {
            Report::SyncCollection { token, props, limit } => {
                let changes = view.changes(app, self.ctx, token.as_deref()).await?;
                if limit.is_some_and(|l| changes.changed.len() + changes.removed.len() > l) {
                    // A token cannot stand for part of the changes (RFC 6578 3.8).
                    return Ok(precondition(
                        StatusCode::INSUFFICIENT_STORAGE,
                        DAV,
                        "number-of-matches-within-limits",
                        "more changes than the limit asked for: ask without a limit",
                    ));
                }
                for m in &changes.changed {
                    self.object_response(&mut out, &view, m, &props);
                }
                for name in &changes.removed {
                    out.status(&self.object_href(*c, name), "404 Not Found");
                }
                if changes.truncated {
                    out.status(&collection_href(*c, self.me), "507 Insufficient Storage");
                }
                out.sync_token(&changes.token);
            }
            Report::Multiget { hrefs, props } => {
                let collection = collection_href(*c, self.me);
                // Each href's name in this collection (none: not one of its objects).
                let names: Vec<Option<String>> = hrefs
                    .iter()
                    .map(|href| {
                        let path = href
                            .split_once("://")
                            .map_or(href.as_str(), |(_, rest)| rest.find('/').map_or("", |i| &rest[i..]));
                        path.strip_prefix(&collection).map(percent_decode)
                    })
                    .collect();
                let wanted: Vec<&str> = names.iter().flatten().map(String::as_str).collect();
                let found = view.members_named(app, self.ctx, &wanted).await?;
                for (href, name) in hrefs.iter().zip(&names) {
                    match name.as_ref().and_then(|n| found.get(n)) {
                        Some(m) => self.object_response(&mut out, &view, m, &props),
                        None => out.status(href, "404 Not Found"),
                    }
                }
            }
            Report::Query { component, range, props } => {
                for m in view.query(app, self.ctx, component.as_deref(), range).await? {
                    self.object_response(&mut out, &view, &m, &props);
                }
            }
            Report::FreeBusy { from, to } => {
                if *c != Collection::Calendar {
                    return Ok(text(StatusCode::FORBIDDEN, "free-busy is asked of a calendar"));
                }
                let busy = view.busy(app, self.ctx, from, to).await?;
                return Ok(free_busy(from, to, &busy));
            }
        }
        Ok(multistatus(out.finish()))
    }

    async fn get(&self, target: &Target, head: bool) -> Answer {
        let Target::Object(c, _, name) = target else {
            return Ok(text(
                StatusCode::OK,
                "Relata's CardDAV and CalDAV: point your client at /.well-known/carddav or /.well-known/caldav",
            ));
        };
        let view = View::open(&self.server.app, self.ctx, *c).await?;
        let member =
            view.member_named(&self.server.app, self.ctx, name).await?.ok_or(DavError::App(AppError::NotFound))?;
        let body = view.body(self.ctx, &member);
        let mut response =
            (StatusCode::OK, [(header::CONTENT_TYPE, c.content_type()), (header::ETAG, member.etag.as_str())])
                .into_response();
        if head {
            response.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
        } else {
            *response.body_mut() = Body::from(body);
        }
        Ok(response)
    }

    async fn put(&self, target: &Target, body: &str) -> Answer {
        let Target::Object(c, _, name) = target else {
            return Ok(text(StatusCode::METHOD_NOT_ALLOWED, "objects are put into an address book or a calendar"));
        };
        let header = |n: header::HeaderName| self.headers.get(n).and_then(|v| v.to_str().ok());
        let preconditions = Preconditions {
            if_match: header(header::IF_MATCH),
            if_none_match_any: header(header::IF_NONE_MATCH).is_some_and(|v| v.trim() == "*"),
        };
        let view = View::open(&self.server.app, self.ctx, *c).await?;
        match view.put(&self.server.app, self.ctx, name, body, preconditions).await {
            Ok((etag, created)) => {
                let status = if created { StatusCode::CREATED } else { StatusCode::NO_CONTENT };
                let mut response = status.into_response();
                response.headers_mut().insert(header::ETAG, HeaderValue::from_str(&etag).expect("ASCII"));
                Ok(response)
            }
            Err(DavError::InvalidObject(message)) => {
                let (ns, condition) = match c {
                    Collection::AddressBook => (CARDDAV, "valid-address-data"),
                    Collection::Calendar => (CALDAV, "valid-calendar-data"),
                };
                Ok(precondition(StatusCode::BAD_REQUEST, ns, condition, &message))
            }
            Err(e) => Err(e),
        }
    }

    async fn delete(&self, target: &Target) -> Answer {
        let Target::Object(c, _, name) = target else {
            return Ok(text(StatusCode::FORBIDDEN, "Relata's collections cannot be deleted"));
        };
        let view = View::open(&self.server.app, self.ctx, *c).await?;
        let if_match = self.headers.get(header::IF_MATCH).and_then(|v| v.to_str().ok());
        view.delete(&self.server.app, self.ctx, name, if_match).await?;
        Ok(StatusCode::NO_CONTENT.into_response())
    }

    /// Collections' names and colours are Relata's: every property asked
    /// to be set is refused (403), as RFC 4918 lets a server.
    fn proppatch(&self, path: &str, body: &str) -> Response {
        let Ok(root) = xml::parse(body) else { return text(StatusCode::BAD_REQUEST, "not a propertyupdate") };
        let names: Vec<Name> = root
            .children
            .iter()
            .filter_map(|c| c.child(DAV, "prop"))
            .flat_map(|p| p.children.iter().map(|e| Name::new(&e.ns, &e.local)))
            .collect();
        let mut out = Multistatus::new();
        out.refused(path, &names);
        multistatus(out.finish())
    }
}

/// A collection's own properties; `token` is its sync token (and ctag)
/// when one was asked for.
fn collection_prop(c: Collection, name: &Name, token: Option<&str>) -> Option<Value> {
    let book = c == Collection::AddressBook;
    match (name.ns.as_str(), name.local.as_str()) {
        (DAV, "resourcetype") if book => Some(Value::Xml("<d:collection/><card:addressbook/>".into())),
        (DAV, "resourcetype") => Some(Value::Xml("<d:collection/><cal:calendar/>".into())),
        (DAV, "displayname") => Some(Value::Text(if book { "Relata contacts" } else { "Relata" }.into())),
        (DAV, "sync-token") | (CALENDARSERVER, "getctag") => token.map(|t| Value::Text(t.to_string())),
        (DAV, "supported-report-set") => {
            let reports: &[&str] = if book {
                &["<d:sync-collection/>", "<card:addressbook-multiget/>", "<card:addressbook-query/>"]
            } else {
                &["<d:sync-collection/>", "<cal:calendar-multiget/>", "<cal:calendar-query/>", "<cal:free-busy-query/>"]
            };
            let supported = reports.iter().map(|r| format!("<d:supported-report><d:report>{r}</d:report></d:supported-report>"));
            Some(Value::Xml(supported.collect()))
        }
        (CARDDAV, "supported-address-data") if book => Some(Value::Xml(
            "<card:address-data-type content-type=\"text/vcard\" version=\"4.0\"/><card:address-data-type content-type=\"text/vcard\" version=\"3.0\"/>".into(),
        )),
        (CARDDAV, "max-resource-size") if book => Some(Value::Text(relata_dav::collections::MAX_OBJECT_BYTES.to_string())),
        (CALDAV, "max-resource-size") if !book => Some(Value::Text(relata_dav::collections::MAX_OBJECT_BYTES.to_string())),
        (CARDDAV, "addressbook-description") if book => Some(Value::Text("What your Relata subscription selects".into())),
        (CALDAV, "calendar-description") if !book => Some(Value::Text("What your Relata subscription selects".into())),
        (CALDAV, "supported-calendar-component-set") if !book => {
            Some(Value::Xml("<cal:comp name=\"VEVENT\"/><cal:comp name=\"VTODO\"/>".into()))
        }
        (CALDAV, "supported-calendar-data") if !book => {
            Some(Value::Xml("<cal:calendar-data content-type=\"text/calendar\" version=\"2.0\"/>".into()))
        }
        (APPLE_ICAL, "calendar-color") if !book => Some(Value::Text("#2563EBFF".into())),
        _ => None,
    }
}

/// A free-busy answer: a VFREEBUSY with the busy periods (RFC 4791 7.10).
fn free_busy(
    from: chrono::DateTime<chrono::Utc>,
    to: chrono::DateTime<chrono::Utc>,
    busy: &[relata_dav::recur::Span],
) -> Response {
    let stamp = |t: &chrono::DateTime<chrono::Utc>| t.format("%Y%m%dT%H%M%SZ").to_string();
    let mut component = relata_dav::content::Component::new("VFREEBUSY");
    component.push(relata_dav::content::Property::new("DTSTAMP", stamp(&chrono::Utc::now())));
    component.push(relata_dav::content::Property::new("DTSTART", stamp(&from)));
    component.push(relata_dav::content::Property::new("DTEND", stamp(&to)));
    for span in busy {
        component.push(
            relata_dav::content::Property::new("FREEBUSY", format!("{}/{}", stamp(&span.start), stamp(&span.end)))
                .with_param("FBTYPE", "BUSY"),
        );
    }
    let mut calendar = relata_dav::content::Component::new("VCALENDAR");
    calendar.push(relata_dav::content::Property::new("VERSION", "2.0"));
    calendar.push(relata_dav::content::Property::text("PRODID", relata_dav::ical::PRODID));
    calendar.components.push(component);
    (StatusCode::OK, [(header::CONTENT_TYPE, "text/calendar; charset=utf-8")], calendar.to_text()).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_their_targets() {
        assert_eq!(parse_target("/dav/"), Some(Target::Root));
        assert_eq!(parse_target("/dav/principals/u1/"), Some(Target::Principal("u1".into())));
        assert_eq!(
            parse_target("/dav/addressbooks/u1/contacts/"),
            Some(Target::Collection(Collection::AddressBook, "u1".into()))
        );
        assert_eq!(
            parse_target("/dav/calendars/u1/crm/a%20b.ics"),
            Some(Target::Object(Collection::Calendar, "u1".into(), "a b.ics".into()))
        );
        assert_eq!(parse_target("/dav/calendars/u1/other/"), None);
        assert_eq!(parse_target("/api/v1"), None);
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }
}
