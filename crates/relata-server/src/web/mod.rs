//! The web UI: server-rendered pages (askama templates compiled into the
//! binary) for people signed in with a session cookie, one module per page:
//! `home`, `lists` (with bulk actions and saved views), `records`, `forms`,
//! `board` and `convert` (sales), `search`. Lists, record pages and forms
//! are generic over the metadata registry, as the API is; every page goes
//! through the same application services, so the same permissions,
//! visibility and field rules apply. Forms carry the session's CSRF token;
//! a form that fails validation is shown again with everything typed and a
//! message per field. This file holds what every page shares: who is signed
//! in, the page frame, showing values, reading forms.

pub mod automation;
pub mod board;
pub mod calendar;
pub mod calls;
pub mod commerce;
pub mod connect;
pub mod convert;
pub mod dashboard;
pub mod forms;
pub mod home;
pub mod lists;
pub mod preferences;
pub mod records;
pub mod search;
pub mod service;
pub mod service_dashboard;

use crate::Server;
use crate::auth::{SESSION_COOKIE, cookie};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use relata_app::{AppError, Ctx, Schemas};
use relata_core::Record;
use relata_core::access::Right;
use relata_core::meta::{EntityKind, FieldDef, FieldType, Schema, Target};
use relata_core::value::FieldValue;
use relata_identity::secret;
use relata_store::admin::{Credential, Principal};
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

pub(crate) type S = State<Arc<Server>>;

/// A signed-in person looking at pages (session cookie only).
pub struct Page {
    pub principal: Principal,
    pub ctx: Ctx,
    pub csrf: String,
    /// The user's active workspaces (slug, name, current).
    pub workspaces: Vec<(String, String, bool)>,
    /// The workspace's entity types as the user sees them.
    pub schemas: Arc<Schemas>,
    /// The user's unread notifications (the header's bell).
    pub unread: i64,
    /// The user's language and time zone (profile, browser, workspace).
    pub locale: relata_i18n::Locale,
    /// The browser's `Accept-Language`, if it sent one.
    pub accept_language: Option<String>,
}

impl FromRequestParts<Arc<Server>> for Page {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, server: &Arc<Server>) -> Result<Self, Self::Rejection> {
        let to_login = || {
            let next = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
            let query = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
            Redirect::to(&format!("/login?{query}")).into_response()
        };
        let Some(secret_text) = cookie(&parts.headers, SESSION_COOKIE).filter(|c| !c.is_empty()) else {
            return Err(to_login());
        };
        let Ok((principal, access)) = server.principal(secret_text).await else { return Err(to_login()) };
        let Credential::Session { csrf_token, .. } = &principal.credential else { return Err(to_login()) };
        let csrf = csrf_token.clone();
        // A refusal of this page is audited with who was refused.
        crate::auth::Caller::note(parts, &principal);
        let accept_language = accept_language(&parts.headers).map(str::to_string);
        let locale = page_locale(&principal, accept_language.as_deref());
        let mut ctx = Ctx::for_user(principal.workspace.clone(), Some(principal.user), access)
            .with_address(crate::auth::client_address(parts, server));
        // Every label the page shows comes from schemas in the reader's language.
        ctx.language = Some(locale.language);
        let schemas = match server.app.schemas_for(&ctx).await {
            Ok(s) => s,
            Err(e) => return Err(crate::problem::Problem::from(e).into_response()),
        };
        let workspaces = server
            .app
            .store
            .memberships_of(principal.user)
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|m| m.active)
            .map(|m| {
                let current = m.workspace.id == principal.workspace.id;
                (m.workspace.slug, m.workspace.name, current)
            })
            .collect();
        let unread = relata_app::notifications::unread(&server.app, &ctx).await.unwrap_or(0);
        Ok(Page { principal, ctx, csrf, workspaces, schemas, unread, locale, accept_language })
    }
}

impl Page {
    /// The schema of an entity type of this workspace (as the user sees it).
    pub fn schema(&self, kind: EntityKind) -> &Schema {
        self.schemas.get(kind)
    }

    /// The user's strings.
    pub fn tr(&self) -> relata_i18n::Tr {
        self.locale.tr()
    }
}

/// The language and time zone pages are shown in: the person's choice,
/// else their browser's language, else the workspace's defaults.
pub(crate) fn page_locale(principal: &Principal, accept_language: Option<&str>) -> relata_i18n::Locale {
    let ws = &principal.workspace;
    relata_i18n::Locale::choose(
        (principal.language.as_deref(), principal.time_zone.as_deref()),
        accept_language,
        (ws.language.as_deref(), ws.time_zone.as_deref()),
    )
}

/// The browser's `Accept-Language` header, if it sent a readable one.
pub(crate) fn accept_language(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers.get(axum::http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok())
}

/// An entity type's singular label in the user's language, lower-case
/// where the language writes it so inside a sentence ("New contact").
pub(crate) fn singular_label(page: &Page, schema: &Schema) -> String {
    page.tr().t_or(&format!("entity-one-{}", schema.kind.api_name()), &schema.def().label.to_lowercase())
}

/// An entity type's plural label in the user's language (the catalogue's
/// for Relata's own types, the definition's for custom objects).
pub(crate) fn plural_label(page: &Page, schema: &Schema) -> String {
    page.tr().t_or(&format!("entity-{}", schema.kind.api_name()), &schema.def().plural_label)
}

/// What every page's frame shows.
pub struct Layout {
    pub title: String,
    /// The page's strings, in the user's language.
    pub tr: relata_i18n::Tr,
    pub user_name: String,
    pub workspace: String,
    pub csrf: String,
    pub nav: Vec<NavItem>,
    /// The user's workspaces (slug, name, current), for switching.
    pub workspaces: Vec<(String, String, bool)>,
    pub unread: i64,
    /// The words the page's script writes (search, the board, the screen
    /// pop, a call's live status), as JSON in the reader's language.
    pub script_messages: String,
}

impl Layout {
    /// The bell's label: how many notifications are unread.
    pub fn unread_label(&self) -> String {
        self.tr.count("notifications-unread", self.unread)
    }
}

pub struct NavItem {
    pub href: String,
    pub label: String,
    pub current: bool,
}

/// What app.js writes, in the reader's language: message texts by key
/// (`script-value-of` keeps `%tier%` and `%priority%` for the script to
/// fill), the types' names, and a call's statuses by id.
fn script_messages(page: &Page) -> String {
    let tr = page.tr();
    let texts: serde_json::Map<String, serde_json::Value> = [
        ("untitled", "script-untitled"),
        ("saving", "script-saving"),
        ("saved", "script-saved"),
        ("not_moved", "script-not-moved"),
        ("calling", "script-calling"),
        ("incoming", "script-incoming"),
        ("ended", "script-call-ended"),
        ("withheld", "script-number-withheld"),
        ("unknown", "script-unknown-caller"),
        ("number", "calls-number"),
        ("account", "calls-fact-account"),
        ("value", "calls-fact-value"),
        ("value_of", "script-value-of"),
        ("open_cases", "script-open-cases"),
        ("overdue_invoices", "script-overdue-invoices"),
        ("open_opportunities", "script-open-opportunities"),
        ("open", "script-open"),
        ("new_contact", "script-new-contact"),
        ("log_call", "script-log-call"),
        ("close", "script-close"),
        ("pick_date", "script-pick-date"),
        ("previous_month", "script-previous-month"),
        ("next_month", "script-next-month"),
    ]
    .into_iter()
    .map(|(key, id)| (key.to_string(), serde_json::Value::String(tr.t(id))))
    .collect();
    // By API name (search results) and by singular name (episodes).
    let kinds: serde_json::Map<String, serde_json::Value> = page
        .schemas
        .iter()
        .flat_map(|s| {
            let label = serde_json::Value::String(singular_label(page, s));
            [(s.kind.api_name().to_string(), label.clone()), (s.kind.singular().to_string(), label)]
        })
        .collect();
    let statuses: serde_json::Map<String, serde_json::Value> = page
        .schemas
        .try_get(relata_calls::telephony::PHONE_CALLS)
        .and_then(|s| s.field("status"))
        .map(|field| {
            relata_calls::telephony::CALL_STATUSES
                .iter()
                .map(|status| (status.to_string(), serde_json::Value::String(field.option_label(status).to_string())))
                .collect()
        })
        .unwrap_or_default();
    // Where the date picker starts its weeks (0 for Sunday, as the script counts).
    let first_weekday = calendar::first_weekday(page.locale.language).num_days_from_sunday();
    serde_json::json!({"texts": texts, "kinds": kinds, "statuses": statuses, "first_weekday": first_weekday})
        .to_string()
}

/// The frame of a page: a menu entry for every entity type of the workspace
/// the user may read (modules' and custom objects', in registry order), and
/// the pipeline board when they may read opportunities.
pub(crate) fn layout(page: &Page, title: &str, current: Option<EntityKind>) -> Layout {
    let tr = page.tr();
    let item = |href: &str, id: &str| NavItem { href: href.into(), label: tr.t(id), current: false };
    let mut nav: Vec<NavItem> = page
        .schemas
        .iter()
        .filter(|s| page.ctx.access.check_kind(s.kind, Right::Read).is_ok())
        .map(|s| NavItem {
            href: format!("/{}", s.kind.api_name()),
            label: plural_label(page, s),
            current: Some(s.kind) == current,
        })
        .collect();
    if page.ctx.access.check_kind(relata_calls::telephony::PHONE_CALLS, Right::Read).is_ok() {
        nav.insert(0, item("/calls/waiting", "nav-waiting-calls"));
        nav.insert(0, item("/calls/dashboard", "nav-call-center"));
    }
    if page.ctx.access.check_kind(relata_calls::CALL_QUEUE_ENTRIES, Right::Update).is_ok() {
        nav.insert(0, item("/calls/next", "nav-next-call"));
    }
    if page.ctx.access.check_kind(relata_sales::OPPORTUNITIES, Right::Read).is_ok() {
        nav.insert(0, item("/board", "nav-pipeline"));
    }
    if page.ctx.access.check_kind(relata_crm::ACTIVITIES, Right::Read).is_ok() {
        nav.insert(0, item("/calendar", "nav-calendar"));
    }
    if page.ctx.access.check_kind(relata_service::entities::CASES, Right::Read).is_ok() {
        nav.insert(0, item("/service", "nav-service"));
    }
    if page.ctx.access.is_admin() {
        nav.push(item("/settings/channels", "nav-channels"));
    }
    Layout {
        title: title.to_string(),
        script_messages: script_messages(page),
        tr,
        user_name: page.principal.display_name.clone(),
        workspace: page.principal.workspace.name.clone(),
        csrf: page.csrf.clone(),
        nav,
        workspaces: page.workspaces.clone(),
        unread: page.unread,
    }
}

pub(crate) fn render(template: &impl Template, status: StatusCode) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "a page did not render");
            (StatusCode::INTERNAL_SERVER_ERROR, Html("<h1>The page failed to render</h1>".to_string())).into_response()
        }
    }
}

/// A short page for refusals and missing records: its title is the catalogue's message
/// `title_id` (so that no title is left in English), `text` the details
/// (already in the reader's language, or a domain's own message).
pub(crate) fn message_page(page: &Page, status: StatusCode, title_id: &str, text: &str) -> Response {
    #[derive(Template)]
    #[template(
        source = "{% extends \"base.html\" %}{% block content %}<h1>{{ heading }}</h1><p>{{ text }}</p><p><a href=\"/\">{{ layout.tr.t(\"link-home\") }}</a></p>{% endblock %}",
        ext = "html"
    )]
    struct Message<'a> {
        layout: Layout,
        heading: &'a str,
        text: &'a str,
    }
    let title = page.tr().t(title_id);
    render(&Message { layout: layout(page, &title, None), heading: &title, text }, status)
}

pub(crate) fn not_found(page: &Page) -> Response {
    let tr = page.tr();
    message_page(page, StatusCode::NOT_FOUND, "not-found-title", &tr.t("not-found-text"))
}

/// An error as a page of its own, in the reader's language, with the
/// status the API would answer; a refusal is audited as the API's is.
pub(crate) fn app_error_page(page: &Page, e: AppError) -> Response {
    let title = match &e {
        AppError::NotFound | AppError::Hidden { .. } => "not-found-title",
        // Sign-in troubles have pages of their own; a page meeting one
        // answers as the API does.
        AppError::Unauthorized(..) | AppError::Locked(_) | AppError::IdempotencyMismatch => {
            return crate::problem::Problem::from(e).into_response();
        }
        AppError::Forbidden(_) | AppError::Denied(_) => "not-allowed",
        AppError::Internal(_) | AppError::System(_) => "page-failed",
        _ => "not-done",
    };
    let text = error_text(page, &e);
    // The API's answer gives the status, a wait and whether it is a
    // refusal (and logs a failure).
    let problem = crate::problem::Problem::from(e);
    let mut response = message_page(page, problem.details().status, title, &text);
    if let Some(seconds) = problem.details().retry_after {
        response.headers_mut().insert(axum::http::header::RETRY_AFTER, seconds.into());
    }
    if let Some(refused) = problem.refused() {
        response.extensions_mut().insert(refused);
    }
    response
}

/// A page that shows a refusal of who acts among its own content (a form
/// kept with its banner), marked for the audit log as the API's refusal is.
pub(crate) fn audited(mut response: Response, refused: Option<AppError>) -> Response {
    if let Some(refused) = refused.map(crate::problem::Problem::from).and_then(|p| p.refused()) {
        response.extensions_mut().insert(refused);
    }
    response
}

/// What an error says, in the reader's language, for a page that shows
/// it among its own content (a bulk action's refusals, the dialler's):
/// every page that shows an error rather than answering with a page of
/// its own says it through here.
pub(crate) fn error_text(page: &Page, e: &AppError) -> String {
    let tr = page.tr();
    match e {
        AppError::Invalid(v) => refusals_text(tr, v),
        AppError::Conflict(reason) | AppError::Forbidden(reason) => tr.said(&reason.said),
        AppError::Denied(d) => denied_text(page, d),
        AppError::NotFound | AppError::Hidden { .. } => tr.t("not-found-text"),
        AppError::Filter(f) => filter_unread(tr, f),
        AppError::VersionConflict { .. } => tr.t("page-changed-since-text"),
        AppError::Busy(_) => tr.t("page-busy-text"),
        AppError::OutOfSpace(_) => tr.t("page-out-of-space-text"),
        AppError::Internal(_) | AppError::System(_) => tr.t("page-failed-text"),
        // A page's own query parameters, which its links make right: the
        // API's words for someone who edited the address by hand.
        other => other.to_string(),
    }
}

/// A filter Relata cannot read: where, in the reader's language; the
/// filter language's own words about what it expected stay as they are
/// (they name its syntax).
pub(crate) fn filter_unread(tr: relata_i18n::Tr, f: &relata_core::filter::FilterError) -> String {
    let args = [("column", relata_i18n::Arg::from(f.column as i64)), ("detail", f.message.as_str().into())];
    tr.t_with("list-filter-unread", &args)
}

/// Why someone's rights refuse an action, in their language.
pub(crate) fn denied_text(page: &Page, denied: &relata_core::access::Denied) -> String {
    use relata_core::access::Denied;
    let tr = page.tr();
    let what = |kind: EntityKind| match page.schemas.try_get(kind) {
        Some(schema) => relata_i18n::Arg::from(plural_label(page, schema)),
        None => relata_i18n::Arg::from(kind.def().plural_label.to_string()),
    };
    match denied {
        Denied::Role { kind, right } => {
            tr.t_with("denied-role", &[("right", right.as_str().into()), ("what", what(*kind))])
        }
        Denied::Record { kind, right } => {
            tr.t_with("denied-record", &[("right", right.as_str().into()), ("what", what(*kind))])
        }
        Denied::AdminOnly => tr.t("denied-admin-only"),
        Denied::Assign { kind } => tr.t_with("denied-assign", &[("what", what(*kind))]),
        Denied::MadeByRelata { kind } => tr.t_with("denied-made-by-relata", &[("what", what(*kind))]),
        // Tokens sign in to the API, not to pages.
        other => other.to_string(),
    }
}

/// What a page's path names: an entity type's API name and, on record
/// pages, an id. Extracted before the session, so that paths that cannot
/// name an entity type (`/favicon.ico`) are not sent to the sign-in page.
pub struct PagePath {
    pub entity: String,
    pub id: Option<String>,
}

impl<St: Send + Sync> FromRequestParts<St> for PagePath {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &St) -> Result<Self, Self::Rejection> {
        let not_found = || (StatusCode::NOT_FOUND, Html("<h1>Not found</h1>".to_string())).into_response();
        let axum::extract::Path(mut params): axum::extract::Path<HashMap<String, String>> =
            axum::extract::Path::from_request_parts(parts, state).await.map_err(|_| not_found())?;
        // A domain's own page (`/quotes/{id}/revise`) names its type in the path.
        let entity = params
            .remove("entity")
            .unwrap_or_else(|| parts.uri.path().trim_start_matches('/').split('/').next().unwrap_or("").to_string());
        if !relata_core::meta::is_valid_custom_object_id(&entity) {
            return Err(not_found());
        }
        Ok(PagePath { entity, id: params.remove("id") })
    }
}

/// The entity type a page's path names, in the signed-in user's workspace.
pub(crate) fn kind_of(page: &Page, api_name: &str) -> Option<EntityKind> {
    page.schemas.kind(api_name)
}

// ----- showing values -----

/// Titles of the records and users that relation values point at, and
/// how the viewer reads the other values (their language and time zone).
pub(crate) struct Titles {
    by_id: HashMap<Uuid, (String, Option<String>)>,
    /// Each pipeline's stages (when the records have a stage), to name a
    /// stage in the viewer's language.
    stages: HashMap<Uuid, Vec<relata_sales::pipeline::Stage>>,
    locale: relata_i18n::Locale,
}

impl Titles {
    /// Looks up every relation value of `records` in a few queries; what the
    /// viewer may not see stays unresolved (shown as an id, no link).
    pub(crate) async fn of(server: &Server, page: &Page, schema: &Schema, records: &[&Record]) -> Titles {
        Titles::of_fields(server, page, schema, records, None).await
    }

    /// The same for some fields only (`None`: every relation field).
    pub(crate) async fn of_fields(
        server: &Server,
        page: &Page,
        schema: &Schema,
        records: &[&Record],
        only: Option<&[&str]>,
    ) -> Titles {
        let mut wanted: HashMap<Target, Vec<String>> = HashMap::new();
        for record in records {
            for field in schema.visible_fields().filter(|f| only.is_none_or(|o| o.contains(&f.id.as_ref()))) {
                match (&field.ty, record.values.get(field)) {
                    (FieldType::Relation(t), FieldValue::Ref(id)) => wanted.entry(*t).or_default().push(id.to_string()),
                    (FieldType::Members, FieldValue::List(ids)) => {
                        wanted.entry(Target::User).or_default().extend(ids.iter().cloned())
                    }
                    _ => {}
                }
            }
            // A document's lines point at records too (a line's product).
            if let (Some(def), Some(lines)) = (&schema.def().lines, &record.lines) {
                for field in &def.fields {
                    for line in lines {
                        if let (FieldType::Relation(t), FieldValue::Ref(id)) = (&field.ty, line.values.get(field)) {
                            wanted.entry(*t).or_default().push(id.to_string());
                        }
                    }
                }
            }
        }
        let mut titles = Titles::lookup(server, page, wanted).await;
        if schema.visible_fields().any(|f| f.ty == FieldType::Stage && only.is_none_or(|o| o.contains(&f.id.as_ref())))
        {
            titles.stages = pipeline_stages(server, page).await;
        }
        titles
    }

    async fn lookup(server: &Server, page: &Page, wanted: HashMap<Target, Vec<String>>) -> Titles {
        let ctx = &page.ctx;
        let mut titles = Titles { by_id: HashMap::new(), stages: HashMap::new(), locale: page.locale };
        for (target, ids) in wanted {
            match target {
                Target::User => {
                    // Only the members this page names, however many there are.
                    let Ok(mut conn) = server.app.store.read(ctx.ws()).await else { continue };
                    if let Ok(names) = conn.member_names(&ids).await {
                        for (id, name) in names {
                            titles.by_id.insert(id, (name, None));
                        }
                    }
                }
                Target::Entity(kind) => {
                    let Some(target_schema) = page.schemas.try_get(kind) else { continue };
                    let Ok(mut conn) = server.app.reader(ctx).await else { continue };
                    if let Ok(found) = conn.records_by_ids(target_schema, &ids).await {
                        for r in found {
                            let title = target_schema.title(&r);
                            titles.by_id.insert(r.id.uuid(), (title, Some(format!("/{}/{}", kind.api_name(), r.id))));
                        }
                    }
                }
            }
        }
        titles
    }

    /// A record's field as the viewer reads it, with a link where it
    /// names another record: a relation by the title of what it points at,
    /// a choice by its option's label, a stage by its name in the viewer's
    /// language.
    pub(crate) fn field(&self, record: &Record, field: &FieldDef) -> (String, Option<String>) {
        let value = value_of(record, field);
        if let (FieldType::Stage, FieldValue::Text(stage)) = (&field.ty, value.as_ref()) {
            let pipeline = match record.values.std("pipeline") {
                FieldValue::Ref(id) => Some(id),
                _ => None,
            };
            // Without a pipeline (a chart's bar), the first pipeline that has the stage.
            let mut candidates: Box<dyn Iterator<Item = &Vec<relata_sales::pipeline::Stage>>> = match pipeline {
                Some(p) => Box::new(self.stages.get(p).into_iter()),
                None => Box::new(self.stages.values()),
            };
            let named = candidates
                .find_map(|stages| stages.iter().find(|s| &s.id == stage))
                .map(|s| s.name_in(self.locale.language).to_string());
            return (named.unwrap_or_else(|| stage.clone()), None);
        }
        self.value(field, &value)
    }

    /// A value of `field` (a document line's) as the viewer reads it.
    pub(crate) fn value(&self, field: &FieldDef, value: &FieldValue) -> (String, Option<String>) {
        match value {
            FieldValue::Ref(_) => self.show(value),
            // Members by name (an id where the member is gone).
            FieldValue::List(ids) if field.ty == FieldType::Members => {
                let names: Vec<String> = ids
                    .iter()
                    .map(|id| {
                        id.parse::<Uuid>()
                            .ok()
                            .and_then(|uuid| self.by_id.get(&uuid))
                            .map_or_else(|| id.clone(), |(name, _)| name.clone())
                    })
                    .collect();
                (names.join(", "), None)
            }
            other => (self.locale.field_value(field, other), None),
        }
    }

    /// A relation's value by the title of what it points at (an id when
    /// the viewer may not see it), or any other value formatted.
    pub(crate) fn show(&self, value: &FieldValue) -> (String, Option<String>) {
        match value {
            FieldValue::Ref(id) => match self.by_id.get(id) {
                Some((title, href)) => (title.clone(), href.clone()),
                None => (id.to_string(), None),
            },
            other => (self.locale.value(other), None),
        }
    }
}

/// The stages of every pipeline the viewer may read.
async fn pipeline_stages(server: &Server, page: &Page) -> HashMap<Uuid, Vec<relata_sales::pipeline::Stage>> {
    let params = relata_app::read::ListParams { limit: Some(100), ..Default::default() };
    match relata_app::read::list(&server.app, &page.ctx, relata_sales::PIPELINES, &params).await {
        Ok((found, _)) => found.records.iter().map(|p| (p.id.uuid(), relata_sales::pipeline::stages_of(p))).collect(),
        Err(_) => HashMap::new(),
    }
}

/// A record's value of the standard field `name` as the viewer may see it:
/// nothing when their role hides the field. Pages that pick fields by name
/// read them through here.
pub(crate) fn visible_std<'a>(schema: &Schema, record: &'a Record, name: &str) -> &'a FieldValue {
    static NOTHING: FieldValue = FieldValue::Null;
    if schema.field(name).is_some() { record.values.std(name) } else { &NOTHING }
}

pub(crate) fn value_of<'a>(record: &'a Record, field: &FieldDef) -> std::borrow::Cow<'a, FieldValue> {
    if field.system {
        std::borrow::Cow::Owned(record.field_value(&field.id))
    } else {
        std::borrow::Cow::Borrowed(record.values.get(field))
    }
}

/// A page's query string as name/value pairs (unparseable: none).
pub(crate) struct PageQuery(pub(crate) Vec<(String, String)>);

impl PageQuery {
    pub(crate) fn parse(raw: Option<&str>) -> PageQuery {
        PageQuery(serde_urlencoded::from_str(raw.unwrap_or("")).unwrap_or_default())
    }

    /// The first value of `name`, or empty.
    pub(crate) fn get(&self, name: &str) -> String {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
    }

    /// Every value of `name`, in order.
    pub(crate) fn all(&self, name: &str) -> Vec<String> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
    }
}

pub(crate) fn query_string(pairs: &[(&str, &str)]) -> String {
    let kept: Vec<(&str, &str)> = pairs.iter().copied().filter(|(_, v)| !v.is_empty()).collect();
    serde_urlencoded::to_string(kept).unwrap_or_default()
}

// ----- forms -----

pub(crate) fn read_form(body: &[u8]) -> HashMap<String, String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).unwrap_or_default().into_iter().collect()
}

pub(crate) fn csrf_ok(page: &Page, form: &HashMap<String, String>) -> bool {
    let sent = form.get("csrf_token").map(String::as_str).unwrap_or("");
    secret::constant_time_eq(sent.as_bytes(), page.csrf.as_bytes())
}

pub(crate) fn csrf_refused(page: &Page) -> Response {
    let tr = page.tr();
    message_page(page, StatusCode::FORBIDDEN, "form-expired", &tr.t("form-expired-text"))
}

/// Whether a link is a path of this site (not another host's: `//host`, `/\\host`).
pub(crate) fn is_local_path(link: &str) -> bool {
    link.starts_with('/') && !link.starts_with("//") && !link.contains('\\')
}

/// Where to go after saving: a page of this site named by the form, or the record.
pub(crate) fn after_save(form: &HashMap<String, String>, fallback: String) -> Response {
    let target = form.get("return_to").filter(|t| is_local_path(t)).cloned().unwrap_or(fallback);
    let mut response = Redirect::to(&target).into_response();
    *response.status_mut() = StatusCode::SEE_OTHER;
    response
}

/// A redirect after a form's action.
pub(crate) fn see_other(target: String) -> Response {
    let mut response = Redirect::to(&target).into_response();
    *response.status_mut() = StatusCode::SEE_OTHER;
    response
}

/// The record id a page's path names.
pub(crate) fn record_id(path: &PagePath) -> Option<relata_core::RecordId> {
    path.id.as_deref()?.parse().ok()
}

/// A refusal per field, in the reader's language: see [`field_error_text`].
pub(crate) fn field_errors(tr: relata_i18n::Tr, e: &relata_core::ValidationError) -> HashMap<String, String> {
    e.errors.iter().map(|f| (f.field.clone(), field_error_text(tr, f))).collect()
}

/// An input's refusals as one text for a page that shows them together
/// (`field: why; …`), each in the reader's language: every page that shows
/// a refusal outside its form's fields says it through here.
pub(crate) fn refusals_text(tr: relata_i18n::Tr, e: &relata_core::ValidationError) -> String {
    let said: Vec<String> = e
        .errors
        .iter()
        .map(|f| if f.field.is_empty() { tr.refusal(f) } else { format!("{}: {}", f.field, tr.refusal(f)) })
        .collect();
    said.join("; ")
}

/// What a field's refusal says on a page: see [`relata_i18n::Tr::refusal`].
pub(crate) fn field_error_text(tr: relata_i18n::Tr, error: &relata_core::FieldError) -> String {
    tr.refusal(error)
}

// ----- switching workspace -----

/// `POST /workspace` (the header's form): moves the session to another
/// workspace of the user.
pub async fn switch_workspace(State(server): S, page: Page, headers: axum::http::HeaderMap, body: Bytes) -> Response {
    let form = read_form(&body);
    if !csrf_ok(&page, &form) {
        return csrf_refused(&page);
    }
    let Credential::Session { id, .. } = &page.principal.credential else { return csrf_refused(&page) };
    let slug = form.get("workspace").cloned().unwrap_or_default();
    match relata_app::auth::switch_workspace(&server.app, &page.ctx, id, &slug).await {
        Ok(_) => {
            if let Some(secret_text) = cookie(&headers, SESSION_COOKIE) {
                server.forget_credential(secret_text);
            }
            after_save(&HashMap::new(), "/".into())
        }
        Err(e) => app_error_page(&page, e),
    }
}

// ----- assets -----

pub async fn stylesheet() -> Response {
    asset(include_str!("../../assets/app.css"), "text/css; charset=utf-8")
}

/// The stylesheet of the pages outside the app (sign-in, the API reference).
pub async fn plain_stylesheet() -> Response {
    asset(include_str!("../../assets/plain.css"), "text/css; charset=utf-8")
}

/// The icon browsers show in tabs and bookmarks (also at `/favicon.ico`,
/// where browsers look without being told).
pub async fn favicon() -> Response {
    asset(include_str!("../../assets/favicon.svg"), "image/svg+xml")
}

pub async fn script() -> Response {
    asset(include_str!("../../assets/app.js"), "text/javascript; charset=utf-8")
}

fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    response
}
