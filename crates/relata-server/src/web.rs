//! The web UI: server-rendered pages (askama templates compiled into the
//! binary) for people signed in with a session cookie. Lists, record pages
//! with the customer's timeline and history, and forms are generic over the
//! metadata registry, as the API is; every page goes through the same
//! application services, so the same permissions, visibility and field
//! rules apply. Forms carry the session's CSRF token; a form that fails
//! validation is shown again with everything typed and a message per field.

use crate::Server;
use crate::auth::{SESSION_COOKIE, cookie};
use crate::http::escape_html;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use relata_app::read::{self, ListParams};
use relata_app::{AppError, Ctx, timeline, write};
use relata_core::access::Right;
use relata_core::meta::{Access as FieldAccess, EntityKind, FieldDef, FieldType, Schema, Target};
use relata_core::value::{FieldValue, Values, format_datetime, parse_text};
use relata_core::{Record, RecordId};
use relata_identity::secret;
use relata_store::admin::{Credential, Principal};
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

type S = State<Arc<Server>>;

/// A signed-in person looking at pages (session cookie only).
pub struct Page {
    pub principal: Principal,
    pub ctx: Ctx,
    pub csrf: String,
    /// The user's active workspaces (slug, name, current).
    pub workspaces: Vec<(String, String, bool)>,
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
        let ctx = Ctx::for_user(principal.workspace.clone(), Some(principal.user), access)
            .with_address(crate::auth::client_address(parts, server));
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
        Ok(Page { principal, ctx, csrf, workspaces })
    }
}

/// What every page's frame shows.
pub struct Layout {
    pub title: String,
    pub user_name: String,
    pub workspace: String,
    pub csrf: String,
    pub nav: Vec<NavItem>,
    /// The user's workspaces (slug, name, current), for switching.
    pub workspaces: Vec<(String, String, bool)>,
}

pub struct NavItem {
    pub href: String,
    pub label: String,
    pub current: bool,
}

/// The entity types with a page of their own, in menu order.
const PAGES: [EntityKind; 6] = [
    EntityKind::Account,
    EntityKind::Contact,
    EntityKind::Lead,
    EntityKind::Opportunity,
    EntityKind::Activity,
    EntityKind::Pipeline,
];

fn plural_label(kind: EntityKind) -> String {
    let name = kind.api_name();
    let mut chars = name.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn layout(page: &Page, title: &str, current: Option<EntityKind>) -> Layout {
    let mut nav: Vec<NavItem> = PAGES
        .iter()
        .filter(|k| page.ctx.access.check_kind(**k, Right::Read).is_ok())
        .map(|&k| NavItem { href: format!("/{}", k.api_name()), label: plural_label(k), current: Some(k) == current })
        .collect();
    if page.ctx.access.check_kind(EntityKind::Opportunity, Right::Read).is_ok() {
        nav.insert(0, NavItem { href: "/board".into(), label: "Pipeline".into(), current: false });
    }
    Layout {
        title: title.to_string(),
        user_name: page.principal.display_name.clone(),
        workspace: page.principal.workspace.name.clone(),
        csrf: page.csrf.clone(),
        nav,
        workspaces: page.workspaces.clone(),
    }
}

fn render(template: &impl Template, status: StatusCode) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "a page did not render");
            (StatusCode::INTERNAL_SERVER_ERROR, Html("<h1>The page failed to render</h1>".to_string())).into_response()
        }
    }
}

/// A short page for refusals and missing records.
fn message_page(page: &Page, status: StatusCode, title: &str, text: &str) -> Response {
    #[derive(Template)]
    #[template(
        source = "{% extends \"base.html\" %}{% block content %}<h1>{{ heading }}</h1><p>{{ text }}</p><p><a href=\"/\">Home</a></p>{% endblock %}",
        ext = "html"
    )]
    struct Message<'a> {
        layout: Layout,
        heading: &'a str,
        text: &'a str,
    }
    render(&Message { layout: layout(page, title, None), heading: title, text }, status)
}

fn app_error_page(page: &Page, e: AppError) -> Response {
    match e {
        AppError::NotFound | AppError::Hidden { .. } => {
            message_page(page, StatusCode::NOT_FOUND, "Not found", "There is no such record in this workspace.")
        }
        AppError::Forbidden(m) => message_page(page, StatusCode::FORBIDDEN, "Not allowed", &m),
        other => crate::problem::Problem::from(other).into_response(),
    }
}

// ----- showing values -----

/// Titles of the records and users that relation values point at.
#[derive(Default)]
struct Titles {
    by_id: HashMap<Uuid, (String, Option<String>)>,
}

impl Titles {
    /// Looks up every relation value of `records` in a few queries; what the
    /// viewer may not see stays unresolved (shown as an id, no link).
    async fn of(server: &Server, ctx: &Ctx, schema: &Schema, records: &[&Record]) -> Titles {
        Titles::of_fields(server, ctx, schema, records, None).await
    }

    /// The same for some fields only (`None`: every relation field).
    async fn of_fields(
        server: &Server,
        ctx: &Ctx,
        schema: &Schema,
        records: &[&Record],
        only: Option<&[&str]>,
    ) -> Titles {
        let mut wanted: HashMap<Target, Vec<String>> = HashMap::new();
        for record in records {
            for field in schema.visible_fields().filter(|f| only.is_none_or(|o| o.contains(&f.id.as_ref()))) {
                if let (FieldType::Relation(t), FieldValue::Ref(id)) = (&field.ty, record.values.get(field)) {
                    wanted.entry(*t).or_default().push(id.to_string());
                }
            }
        }
        let mut titles = Titles::default();
        let Ok(schemas) = server.app.schemas_for(ctx).await else { return titles };
        for (target, ids) in wanted {
            match target {
                Target::User => {
                    if let Ok(members) = relata_app::people::members(&server.app, ctx).await {
                        for m in members {
                            titles.by_id.insert(m.user.id.uuid(), (m.user.display_name, None));
                        }
                    }
                }
                Target::Entity(kind) => {
                    let Ok(mut conn) = server.app.reader(ctx).await else { continue };
                    if let Ok(found) = conn.records_by_ids(schemas.get(kind), &ids).await {
                        for r in found {
                            titles
                                .by_id
                                .insert(r.id.uuid(), (r.title(), Some(format!("/{}/{}", kind.api_name(), r.id))));
                        }
                    }
                }
            }
        }
        titles
    }

    fn show(&self, value: &FieldValue) -> (String, Option<String>) {
        match value {
            FieldValue::Ref(id) => match self.by_id.get(id) {
                Some((title, href)) => (title.clone(), href.clone()),
                None => (id.to_string(), None),
            },
            FieldValue::Bool(b) => ((if *b { "yes" } else { "no" }).to_string(), None),
            FieldValue::List(items) => (items.join(", "), None),
            other => (other.to_csv(), None),
        }
    }
}

fn value_of<'a>(record: &'a Record, field: &FieldDef) -> std::borrow::Cow<'a, FieldValue> {
    if field.system {
        std::borrow::Cow::Owned(record.field_value(&field.id))
    } else {
        std::borrow::Cow::Borrowed(record.values.get(field))
    }
}

// ----- lists -----

pub struct Column {
    pub label: String,
    pub sort_href: String,
    pub sorted: Option<&'static str>,
    pub arrow: &'static str,
}

pub struct Cell {
    pub text: String,
    pub href: Option<String>,
}

pub struct Row {
    pub id: String,
    pub label: String,
    pub href: String,
    pub cells: Vec<Cell>,
}

pub struct ViewLink {
    pub id: String,
    pub name: String,
    pub href: String,
    pub shared: bool,
    pub mine: bool,
}

pub struct FieldChoice {
    pub id: String,
    pub label: String,
    /// For the filter builder: `number`, `boolean` or `text`.
    pub kind: &'static str,
    pub filterable: bool,
    pub shown: bool,
}

#[derive(Template)]
#[template(path = "list.html")]
struct ListPage {
    /// Every visible field, for the column chooser and the filter builder.
    all_fields: Vec<FieldChoice>,
    /// Active members (id, name), for bulk assignment.
    owners: Vec<(String, String)>,
    views: Vec<ViewLink>,
    current_query: String,
    layout: Layout,
    label: String,
    api_name: &'static str,
    columns: Vec<Column>,
    rows: Vec<Row>,
    filter: String,
    q: String,
    sort: String,
    error: Option<String>,
    next_href: Option<String>,
    export_href: String,
    new_href: Option<String>,
}

fn default_columns(kind: EntityKind) -> &'static [&'static str] {
    match kind {
        EntityKind::Account => &["name", "industry", "city", "lifecycle", "owner"],
        EntityKind::Contact => {
            &["last_name", "first_name", "account", "emails", "phones", "city", "lifecycle", "owner"]
        }
        EntityKind::Lead => &["last_name", "first_name", "company", "status", "score", "owner"],
        EntityKind::Opportunity => &["name", "account", "stage", "amount", "expected_close_date", "status", "owner"],
        EntityKind::Activity => &["subject", "kind", "due_at", "done", "occurred_at", "owner"],
        EntityKind::Pipeline => &["name", "is_default"],
    }
}

/// A page's query string as name/value pairs (unparseable: none).
struct PageQuery(Vec<(String, String)>);

impl PageQuery {
    fn parse(raw: Option<&str>) -> PageQuery {
        PageQuery(serde_urlencoded::from_str(raw.unwrap_or("")).unwrap_or_default())
    }

    /// The first value of `name`, or empty.
    fn get(&self, name: &str) -> String {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
    }

    /// Every value of `name`, in order.
    fn all(&self, name: &str) -> Vec<String> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
    }
}

fn query_string(pairs: &[(&str, &str)]) -> String {
    let kept: Vec<(&str, &str)> = pairs.iter().copied().filter(|(_, v)| !v.is_empty()).collect();
    serde_urlencoded::to_string(kept).unwrap_or_default()
}

/// `GET /{entity}`: a page of records with chosen columns, sorting, the
/// filter language, search and cursor paging.
pub async fn list(kind: EntityKind, State(server): S, page: Page, RawQuery(raw): RawQuery) -> Response {
    let query = PageQuery::parse(raw.as_deref());
    let param = |name: &str| query.get(name);
    let (filter, q, sort, cursor) = (param("filter"), param("q"), param("sort"), param("cursor"));
    // The column chooser sends one `col` per column; links carry `columns`.
    let chosen = query.all("col");
    let columns_param = if chosen.is_empty() { param("columns") } else { chosen.join(",") };
    let schemas = match server.app.schemas_for(&page.ctx).await {
        Ok(s) => s,
        Err(e) => return app_error_page(&page, e),
    };
    let schema = schemas.get(kind);
    let fields: Vec<&FieldDef> = if columns_param.is_empty() {
        default_columns(kind).iter().filter_map(|c| schema.field(c)).collect()
    } else {
        columns_param.split(',').filter_map(|c| schema.field(c.trim())).collect()
    };
    let params = ListParams {
        filter: Some(filter.clone()).filter(|f| !f.trim().is_empty()),
        sort: Some(sort.clone()).filter(|s| !s.is_empty()),
        cursor: Some(cursor).filter(|c| !c.is_empty()),
        limit: Some(50),
        q: Some(q.clone()).filter(|q| !q.trim().is_empty()),
        deleted: false,
    };
    let (records, next_cursor, error) = match read::list(&server.app, &page.ctx, kind, &params).await {
        Ok((p, _)) => (p.records, p.next_cursor, None),
        Err(AppError::Forbidden(m)) => return message_page(&page, StatusCode::FORBIDDEN, "Not allowed", &m),
        Err(e @ (AppError::Filter(_) | AppError::BadParameter(..) | AppError::Invalid(_))) => {
            (Vec::new(), None, Some(e.to_string()))
        }
        Err(e) => return app_error_page(&page, e),
    };
    let refs: Vec<&Record> = records.iter().collect();
    let titles = Titles::of(&server, &page.ctx, schema, &refs).await;
    let base = format!("/{}", kind.api_name());
    let columns = fields
        .iter()
        .map(|f| {
            let id = f.qualified_id().into_owned();
            let (sorted, next_sort) = if sort == id {
                (Some("ascending"), format!("-{id}"))
            } else if sort == format!("-{id}") {
                (Some("descending"), id.clone())
            } else {
                (None, id.clone())
            };
            let qs = query_string(&[("filter", &filter), ("q", &q), ("columns", &columns_param), ("sort", &next_sort)]);
            let sorted = if f.sortable { sorted } else { None };
            let arrow = if sorted == Some("ascending") { "▲" } else { "▼" };
            Column { label: f.label.to_string(), sort_href: format!("{base}?{qs}"), sorted, arrow }
        })
        .collect();
    let rows = records
        .iter()
        .map(|r| Row {
            id: r.id.to_string(),
            label: r.title(),
            href: format!("{base}/{}", r.id),
            cells: fields
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    let (mut text, href) = titles.show(&value_of(r, f));
                    if i == 0 && text.is_empty() {
                        text = r.title();
                    }
                    Cell { text: if i == 0 && text.is_empty() { "(untitled)".into() } else { text }, href }
                })
                .collect(),
        })
        .collect();
    let next_href = next_cursor.map(|c| {
        format!(
            "{base}?{}",
            query_string(&[
                ("filter", &filter),
                ("q", &q),
                ("sort", &sort),
                ("columns", &columns_param),
                ("cursor", &c)
            ])
        )
    });
    let export_href = format!(
        "/api/v1/{}/export?{}",
        kind.api_name(),
        query_string(&[("filter", &filter), ("q", &q), ("sort", &sort)])
    );
    let new_href = page.ctx.access.check_kind(kind, Right::Create).is_ok().then(|| format!("{base}/new"));
    let label = plural_label(kind);
    let views = relata_app::views::views(&server.app, &page.ctx, kind)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|v| ViewLink {
            href: format!("{base}?{}", v.query),
            mine: Some(v.owner) == page.ctx.actor,
            id: v.id,
            name: v.name,
            shared: v.shared,
        })
        .collect();
    let current_query = query_string(&[("filter", &filter), ("q", &q), ("sort", &sort), ("columns", &columns_param)]);
    let owners = relata_app::people::members(&server.app, &page.ctx)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|m| m.active)
        .map(|m| (m.user.id.to_string(), m.user.display_name))
        .collect();
    let shown: Vec<String> = fields.iter().map(|f| f.qualified_id().into_owned()).collect();
    let all_fields = schema
        .visible_fields()
        .filter(|f| {
            !matches!(f.ty, FieldType::Stages | FieldType::Id) && !["deleted_at", "version"].contains(&f.id.as_ref())
        })
        .map(|f| FieldChoice {
            id: f.qualified_id().into_owned(),
            label: f.label.to_string(),
            kind: match f.ty {
                FieldType::Integer { .. } | FieldType::Number | FieldType::Money => "number",
                FieldType::Boolean => "boolean",
                _ => "text",
            },
            filterable: f.filterable,
            shown: shown.contains(&f.qualified_id().into_owned()),
        })
        .collect();
    let template = ListPage {
        all_fields,
        owners,
        views,
        current_query,
        layout: layout(&page, &label, Some(kind)),
        label,
        api_name: kind.api_name(),
        columns,
        rows,
        filter,
        q,
        sort,
        error: error.clone(),
        next_href,
        export_href,
        new_href,
    };
    render(&template, if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK })
}

// ----- record pages -----

pub struct Fact {
    pub label: String,
    pub text: String,
    pub href: Option<String>,
}

pub struct TimelineEntry {
    pub at: String,
    pub kind: String,
    pub title: String,
    pub href: Option<String>,
}

pub struct HistoryEntry {
    pub at: String,
    pub op: String,
    pub actor: String,
    pub summary: String,
}

pub struct Related {
    pub title: String,
    pub items: Vec<(String, String)>,
    pub new_href: Option<String>,
}

#[derive(Template)]
#[template(path = "record.html")]
struct RecordPage {
    layout: Layout,
    title: String,
    edit_href: String,
    convert_href: Option<String>,
    /// The summary at the top: lifecycle, owner, open pipeline, last contact.
    key_facts: Vec<(String, String)>,
    related: Vec<Related>,
    /// (href, label, current) of the timeline's type filters.
    timeline_filters: Vec<(String, String, bool)>,
    facts: Vec<Fact>,
    quick_links: Vec<(String, String)>,
    has_timeline: bool,
    timeline: Vec<TimelineEntry>,
    history: Vec<HistoryEntry>,
}

/// `GET /{entity}/{id}`: the record, its timeline (the 360 view of an
/// account or contact), quick actions and its change history.
/// The records that point at this one, a few of each kind.
async fn related(server: &Server, ctx: &Ctx, kind: EntityKind, id: RecordId) -> Vec<Related> {
    let groups: &[(EntityKind, &str, &str)] = match kind {
        EntityKind::Account => &[
            (EntityKind::Contact, "account", "Contacts"),
            (EntityKind::Opportunity, "account", "Opportunities"),
            (EntityKind::Account, "parent_account", "Subsidiaries"),
        ],
        EntityKind::Contact => &[(EntityKind::Opportunity, "primary_contact", "Opportunities")],
        EntityKind::Opportunity => &[(EntityKind::Activity, "opportunity", "Activities")],
        _ => &[],
    };
    let mut out = Vec::new();
    for (target, field, title) in groups {
        if ctx.access.check_kind(*target, Right::Read).is_err() {
            continue;
        }
        let params = ListParams { filter: Some(format!("{field} = \"{id}\"")), limit: Some(20), ..Default::default() };
        let Ok((p, _)) = read::list(&server.app, ctx, *target, &params).await else { continue };
        let items = p.records.iter().map(|r| (format!("/{}/{}", target.api_name(), r.id), r.title())).collect();
        let new_href = ctx
            .access
            .check_kind(*target, Right::Create)
            .is_ok()
            .then(|| format!("/{}/new?{field}={id}", target.api_name()));
        out.push(Related { title: title.to_string(), items, new_href });
    }
    out
}

pub async fn record(
    kind: EntityKind,
    State(server): S,
    page: Page,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let show = PageQuery::parse(raw.as_deref()).get("show");
    let Ok(id) = id.parse::<RecordId>() else {
        return message_page(&page, StatusCode::NOT_FOUND, "Not found", "There is no such record in this workspace.");
    };
    let (record, schemas) = match read::get(&server.app, &page.ctx, kind, id, false).await {
        Ok(found) => found,
        Err(e) => return app_error_page(&page, e),
    };
    let schema = schemas.get(kind);
    let titles = Titles::of(&server, &page.ctx, schema, &[&record]).await;
    // The record's own fields first, then who owns and changed it when.
    let facts = schema
        .visible_fields()
        .filter(|f| !f.system && f.id != "owner")
        .chain(schema.visible_fields().filter(|f| f.system || f.id == "owner"))
        .filter(|f| !matches!(f.ty, FieldType::Stages | FieldType::Id) && f.id != "deleted_at" && f.id != "version")
        .filter_map(|f| {
            let (text, href) = titles.show(&value_of(&record, f));
            (!text.is_empty()).then(|| Fact { label: f.label.to_string(), text, href })
        })
        .collect();
    let link_field = match kind {
        EntityKind::Account => Some("account"),
        EntityKind::Contact => Some("contact"),
        EntityKind::Lead => Some("lead"),
        EntityKind::Opportunity => Some("opportunity"),
        _ => None,
    };
    let can_log = page.ctx.access.check_kind(EntityKind::Activity, Right::Create).is_ok();
    let quick_links = match link_field {
        Some(field) if can_log => {
            vec![
                (field.to_string(), record.id.to_string()),
                ("return_to".to_string(), format!("/{}/{}", kind.api_name(), record.id)),
            ]
        }
        _ => Vec::new(),
    };
    let has_timeline = matches!(kind, EntityKind::Account | EntityKind::Contact);
    let timeline = if has_timeline {
        match timeline::timeline(&server.app, &page.ctx, kind, id, None, 50).await {
            Ok(t) => t
                .items
                .iter()
                .filter(|i| show.is_empty() || i.item_type == show)
                .map(|i| TimelineEntry {
                    at: format_datetime(&i.at),
                    kind: i.item_type.replace('_', " "),
                    title: i.title.clone(),
                    href: match i.item_type {
                        "activity" => Some(format!("/activities/{}", i.id)),
                        "opportunity" => Some(format!("/opportunities/{}", i.id)),
                        _ => None,
                    },
                })
                .collect(),
            Err(e) => return app_error_page(&page, e),
        }
    } else {
        Vec::new()
    };
    let history = match read::history(&server.app, &page.ctx, kind, id, 0, 200).await {
        Ok(changes) => changes
            .iter()
            .rev()
            .map(|c| {
                let actor = c
                    .actor
                    .as_ref()
                    .and_then(|a| a.parse::<Uuid>().ok())
                    .map(|u| titles.show(&FieldValue::Ref(u)).0)
                    .unwrap_or_else(|| "Relata".into());
                let fields: Vec<String> = c.diff.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default();
                HistoryEntry { at: format_datetime(&c.at), op: c.op.clone(), actor, summary: fields.join(", ") }
            })
            .collect(),
        Err(e) => return app_error_page(&page, e),
    };
    let title = record.title();
    let here = format!("/{}/{}", kind.api_name(), record.id);
    let timeline_filters = [
        ("", "Everything"),
        ("activity", "Activities"),
        ("opportunity", "Opportunities"),
        ("stage_change", "Stage changes"),
    ]
    .iter()
    .map(|(value, label)| {
        let href = if value.is_empty() { here.clone() } else { format!("{here}?show={value}") };
        (href, label.to_string(), show == *value)
    })
    .collect();
    let convert_href = (kind == EntityKind::Lead && record.values.std("converted_at").is_null())
        .then(|| format!("/leads/{}/convert", record.id));
    let related = related(&server, &page.ctx, kind, id).await;
    let mut key_facts = Vec::new();
    for field in ["lifecycle", "status", "stage", "amount", "owner"] {
        if let Some(f) = schema.field(field) {
            let (text, _) = titles.show(&value_of(&record, f));
            if !text.is_empty() {
                key_facts.push((f.label.to_string(), text));
            }
        }
    }
    if let Some(link) = match kind {
        EntityKind::Account => Some("account"),
        EntityKind::Contact => Some("primary_contact"),
        _ => None,
    } {
        let filter = format!("{link} = \"{id}\" and status = \"open\"");
        if let Ok(sums) =
            read::money_totals(&server.app, &page.ctx, EntityKind::Opportunity, Some(&filter), "amount").await
        {
            let count: i64 = sums.iter().map(|(_, _, n)| n).sum();
            let value: Vec<String> = sums
                .iter()
                .filter_map(|(c, minor, _)| {
                    relata_core::money::Currency::parse(c)
                        .map(|c| format!("{} {c}", relata_core::money::Money::new(*minor, c).major_string()))
                })
                .collect();
            let text =
                if value.is_empty() { count.to_string() } else { format!("{count} worth {}", value.join(" + ")) };
            key_facts.push(("Open opportunities".into(), text));
        }
        if let Some(last) = timeline.iter().find(|t| t.kind == "activity") {
            key_facts.push(("Last contact".into(), format!("{} ({})", last.at, last.title)));
        }
    }
    let template = RecordPage {
        key_facts,
        convert_href,
        related,
        timeline_filters,
        layout: layout(&page, &title, Some(kind)),
        title: if title.is_empty() { kind.def().label.to_string() } else { title },
        edit_href: format!("/{}/{}/edit", kind.api_name(), record.id),
        facts,
        quick_links,
        has_timeline,
        timeline,
        history,
    };
    render(&template, StatusCode::OK)
}

// ----- forms -----

pub struct FormField {
    pub id: String,
    pub label: String,
    /// `choice`, `boolean`, `long_text`, or an input type (`text`, `email`, `date`, `number`).
    pub kind: &'static str,
    /// Choices, and whether each is the current value.
    pub options: Vec<(String, bool)>,
    pub value: String,
    pub checked: bool,
    pub required: bool,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "form.html")]
struct FormPage {
    layout: Layout,
    heading: String,
    action: String,
    cancel_href: String,
    version: Option<i64>,
    problem: Option<String>,
    /// After a conflict: the record as it is now.
    reload_href: Option<String>,
    fields: Vec<FormField>,
}

/// The fields a form offers: visible, writable by Relata's rules and the role's.
fn editable(schema: &Schema) -> Vec<&FieldDef> {
    schema
        .visible_fields()
        .filter(|f| f.access == FieldAccess::Writable && !schema.is_read_only_for_role(f))
        .filter(|f| !f.system || f.id == "owner")
        .filter(|f| !matches!(f.ty, FieldType::Stages))
        .collect()
}

fn input_kind(ty: &FieldType) -> &'static str {
    match ty {
        FieldType::Choice(_) => "choice",
        FieldType::Boolean => "boolean",
        FieldType::LongText => "long_text",
        FieldType::Email => "email",
        FieldType::Date => "date",
        FieldType::Integer { .. } | FieldType::Number => "number",
        _ => "text",
    }
}

fn form_fields(schema: &Schema, typed: &HashMap<String, String>, errors: &HashMap<String, String>) -> Vec<FormField> {
    editable(schema)
        .into_iter()
        .map(|f| {
            let id = f.qualified_id().into_owned();
            let value = typed.get(&id).cloned().unwrap_or_default();
            FormField {
                options: f.ty.options().unwrap_or_default().iter().map(|o| (o.clone(), *o == value)).collect(),
                checked: value == "true",
                value,
                error: errors.get(&id).cloned(),
                label: f.label.to_string(),
                kind: input_kind(&f.ty),
                required: f.required,
                id,
            }
        })
        .collect()
}

/// The text a form shows for a stored value (what parsing reads back).
fn form_text(value: &FieldValue) -> String {
    match value {
        FieldValue::List(items) => items.join("; "),
        FieldValue::Money(m) => format!("{} {}", m.major_string(), m.currency),
        other => other.to_csv(),
    }
}

/// Parses a submitted form against the editable fields: the values, and
/// a message per field that did not parse.
fn parse_form(
    schema: &Schema,
    form: &HashMap<String, String>,
    ctx: &Ctx,
    all_booleans: bool,
) -> (Values, HashMap<String, String>) {
    let mut values = Values::default();
    let mut errors = HashMap::new();
    for field in editable(schema) {
        let id = field.qualified_id().into_owned();
        let text = match (form.get(&id), &field.ty) {
            (Some(t), _) => t.clone(),
            (None, FieldType::Boolean) if all_booleans => "false".into(),
            (None, _) => continue,
        };
        match parse_text(field, &text, &ctx.parse) {
            Ok(v) => values.set(field, v),
            Err(e) => {
                errors.insert(id, e.message);
            }
        }
    }
    (values, errors)
}

fn read_form(body: &[u8]) -> HashMap<String, String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).unwrap_or_default().into_iter().collect()
}

fn csrf_ok(page: &Page, form: &HashMap<String, String>) -> bool {
    let sent = form.get("csrf_token").map(String::as_str).unwrap_or("");
    secret::constant_time_eq(sent.as_bytes(), page.csrf.as_bytes())
}

fn csrf_refused() -> Response {
    (StatusCode::FORBIDDEN, Html("<h1>The form expired</h1><p>Go back, reload the page and try again.</p>".to_string()))
        .into_response()
}

/// Where to go after saving: a page of this site named by the form, or the record.
fn after_save(form: &HashMap<String, String>, fallback: String) -> Response {
    let target = form
        .get("return_to")
        .filter(|t| t.starts_with('/') && !t.starts_with("//") && !t.contains('\\'))
        .cloned()
        .unwrap_or(fallback);
    let mut response = Redirect::to(&target).into_response();
    *response.status_mut() = StatusCode::SEE_OTHER;
    response
}

/// `GET /{entity}/new`
pub async fn new_form(kind: EntityKind, State(server): S, page: Page, RawQuery(raw): RawQuery) -> Response {
    if let Err(d) = page.ctx.access.check_kind(kind, Right::Create) {
        return message_page(&page, StatusCode::FORBIDDEN, "Not allowed", &d.to_string());
    }
    let schemas = match server.app.schemas_for(&page.ctx).await {
        Ok(s) => s,
        Err(e) => return app_error_page(&page, e),
    };
    // Fields may be prefilled from the query string (`?account=…`).
    let typed: HashMap<String, String> = PageQuery::parse(raw.as_deref()).0.into_iter().collect();
    let heading = format!("New {}", kind.singular());
    let template = FormPage {
        layout: layout(&page, &heading, Some(kind)),
        heading,
        action: format!("/{}", kind.api_name()),
        cancel_href: format!("/{}", kind.api_name()),
        version: None,
        problem: None,
        reload_href: None,
        fields: form_fields(schemas.get(kind), &typed, &HashMap::new()),
    };
    render(&template, StatusCode::OK)
}

fn field_errors(e: &relata_core::ValidationError) -> HashMap<String, String> {
    e.errors.iter().map(|f| (f.field.clone(), f.message.clone())).collect()
}

/// `POST /{entity}`: creates from the form; on errors shows it again.
pub async fn create(kind: EntityKind, State(server): S, page: Page, body: Bytes) -> Response {
    let form = read_form(&body);
    if !csrf_ok(&page, &form) {
        return csrf_refused();
    }
    let schemas = match server.app.schemas_for(&page.ctx).await {
        Ok(s) => s,
        Err(e) => return app_error_page(&page, e),
    };
    let schema = schemas.get(kind);
    let (values, mut errors) = parse_form(schema, &form, &page.ctx, false);
    if !errors.is_empty() {
        // Say at once what else is missing, as the API does.
        let mut with_defaults = values.clone();
        relata_core::input::apply_defaults(schema, &mut with_defaults);
        for missing in relata_core::input::missing_required(schema, &with_defaults) {
            errors.entry(missing.field).or_insert(missing.message);
        }
    }
    let mut problem = None;
    if errors.is_empty() {
        match write::create_values(&server.app, &page.ctx, kind, values).await {
            Ok(record) => return after_save(&form, format!("/{}/{}", kind.api_name(), record.id)),
            Err(AppError::Invalid(v)) => errors = field_errors(&v),
            Err(AppError::Forbidden(m)) => problem = Some(m),
            Err(e) => return app_error_page(&page, e),
        }
    }
    let heading = format!("New {}", kind.singular());
    let template = FormPage {
        layout: layout(&page, &heading, Some(kind)),
        heading,
        action: format!("/{}", kind.api_name()),
        cancel_href: format!("/{}", kind.api_name()),
        version: None,
        problem: problem.or_else(|| Some("Some fields need your attention.".into())),
        reload_href: None,
        fields: form_fields(schema, &form, &errors),
    };
    render(&template, StatusCode::UNPROCESSABLE_ENTITY)
}

/// `GET /{entity}/{id}/edit`
pub async fn edit_form(kind: EntityKind, State(server): S, page: Page, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<RecordId>() else {
        return message_page(&page, StatusCode::NOT_FOUND, "Not found", "There is no such record in this workspace.");
    };
    let (record, schemas) = match read::get(&server.app, &page.ctx, kind, id, false).await {
        Ok(found) => found,
        Err(e) => return app_error_page(&page, e),
    };
    let schema = schemas.get(kind);
    let typed = editable(schema)
        .into_iter()
        .map(|f| (f.qualified_id().into_owned(), form_text(record.values.get(f))))
        .collect();
    let heading = format!("Edit {}", record.title());
    let template = FormPage {
        layout: layout(&page, &heading, Some(kind)),
        heading,
        action: format!("/{}/{}", kind.api_name(), id),
        cancel_href: format!("/{}/{}", kind.api_name(), id),
        version: Some(record.version),
        problem: None,
        reload_href: None,
        fields: form_fields(schema, &typed, &HashMap::new()),
    };
    render(&template, StatusCode::OK)
}

/// `POST /{entity}/{id}`: saves the form if nobody changed the record
/// meanwhile; otherwise says who did and when, keeping what was typed.
pub async fn update(kind: EntityKind, State(server): S, page: Page, Path(id): Path<String>, body: Bytes) -> Response {
    let form = read_form(&body);
    if !csrf_ok(&page, &form) {
        return csrf_refused();
    }
    let Ok(id) = id.parse::<RecordId>() else {
        return message_page(&page, StatusCode::NOT_FOUND, "Not found", "There is no such record in this workspace.");
    };
    let schemas = match server.app.schemas_for(&page.ctx).await {
        Ok(s) => s,
        Err(e) => return app_error_page(&page, e),
    };
    let schema = schemas.get(kind);
    let version: i64 = form.get("version").and_then(|v| v.parse().ok()).unwrap_or(0);
    let (values, mut errors) = parse_form(schema, &form, &page.ctx, true);
    let mut problem = None;
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if errors.is_empty() {
        match write::update_values(&server.app, &page.ctx, kind, id, values, version).await {
            Ok(_) => return after_save(&form, format!("/{}/{}", kind.api_name(), id)),
            Err(AppError::Invalid(v)) => errors = field_errors(&v),
            Err(AppError::Forbidden(m)) => {
                problem = Some(m);
                status = StatusCode::FORBIDDEN;
            }
            Err(AppError::VersionConflict { .. }) => {
                status = StatusCode::CONFLICT;
                problem = Some(match read::get(&server.app, &page.ctx, kind, id, false).await {
                    Ok((current, _)) => {
                        let titles = Titles::of(&server, &page.ctx, schema, &[&current]).await;
                        let by = current
                            .updated_by
                            .map(|u| titles.show(&FieldValue::Ref(u.uuid())).0)
                            .unwrap_or_else(|| "someone".into());
                        format!(
                            "Changed by {by} at {} while you were editing. Your changes are kept below; reload the record to see theirs, then apply yours again.",
                            format_datetime(&current.updated_at)
                        )
                    }
                    Err(_) => "The record was changed while you were editing.".into(),
                });
            }
            Err(e) => return app_error_page(&page, e),
        }
    }
    let heading = "Edit".to_string();
    let template = FormPage {
        layout: layout(&page, &heading, Some(kind)),
        heading,
        action: format!("/{}/{}", kind.api_name(), id),
        cancel_href: format!("/{}/{}", kind.api_name(), id),
        version: Some(version),
        reload_href: (status == StatusCode::CONFLICT).then(|| format!("/{}/{}", kind.api_name(), id)),
        problem: problem.or_else(|| Some("Some fields need your attention.".into())),
        fields: form_fields(schema, &form, &errors),
    };
    render(&template, status)
}

// ----- home -----

pub struct TaskItem {
    pub title: String,
    pub href: String,
    pub due: String,
    pub overdue: bool,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    tasks: Vec<TaskItem>,
    pipeline_svg: String,
    team_svg: String,
    /// (href, title, kind) of the latest activities the user may see.
    recent: Vec<(String, String, String)>,
}

/// Open amounts of the opportunities `owners` own, per stage of the default
/// pipeline (weighted by the stage's probability when `weighted`), as bars.
async fn pipeline_bars(server: &Server, ctx: &Ctx, owner_filter: &str, weighted: bool) -> Vec<(String, i64, String)> {
    let pipelines =
        read::list(&server.app, ctx, EntityKind::Pipeline, &ListParams { limit: Some(100), ..Default::default() })
            .await
            .map(|(p, _)| p.records)
            .unwrap_or_default();
    let Some(pipeline) =
        pipelines.iter().find(|p| p.values.std("is_default") == &FieldValue::Bool(true)).or_else(|| pipelines.first())
    else {
        return Vec::new();
    };
    let mut bars = Vec::new();
    for stage in
        relata_sales::pipeline::stages_of(pipeline).iter().filter(|s| s.kind == relata_sales::pipeline::StageKind::Open)
    {
        let filter =
            format!("pipeline = \"{}\" and stage = \"{}\" and {owner_filter}", pipeline.id, stage.id.replace('"', ""));
        let sums = read::money_totals(&server.app, ctx, EntityKind::Opportunity, Some(&filter), "amount")
            .await
            .unwrap_or_default();
        // One currency per bar: the workspace's first that has amounts here.
        if let Some((code, minor, _)) = sums.iter().find(|(c, _, _)| !c.is_empty()) {
            let value = if weighted { minor * stage.probability / 100 } else { *minor };
            let label = match relata_core::money::Currency::parse(code) {
                Some(c) => format!("{} {c}", relata_core::money::Money::new(value, c).major_string()),
                None => format!("{value} {code}"),
            };
            bars.push((stage.name.clone(), value, label));
        }
    }
    bars
}

/// Bars of open amounts per stage, drawn by the server.
fn pipeline_svg(bars: &[(String, i64, String)]) -> String {
    if bars.is_empty() {
        return "<p>No open opportunities.</p>".into();
    }
    let max = bars.iter().map(|(_, v, _)| *v).max().unwrap_or(1).max(1) as f64;
    let height = bars.len() * 28 + 8;
    let mut svg =
        format!("<svg role=\"img\" aria-label=\"Open pipeline by stage\" viewBox=\"0 0 480 {height}\" width=\"100%\">");
    for (i, (stage, value, label)) in bars.iter().enumerate() {
        let y = 4 + i * 28;
        let width = ((*value as f64 / max) * 280.0).max(2.0);
        svg.push_str(&format!(
            "<text x=\"0\" y=\"{}\" font-size=\"12\">{}</text><rect x=\"120\" y=\"{y}\" width=\"{width:.0}\" height=\"20\" fill=\"#3b6fb6\"></rect><text x=\"{:.0}\" y=\"{}\" font-size=\"12\">{}</text>",
            y + 14,
            escape_html(stage),
            126.0 + width,
            y + 14,
            escape_html(label)
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// `GET /`: the signed-in start page, or the anonymous one.
pub async fn home(State(server): S, page: Result<Page, Response>) -> Response {
    let page = match page {
        Ok(page) => page,
        Err(_) => return crate::session::anonymous_home().into_response(),
    };
    let me = page.principal.user;
    let now = chrono::Utc::now();
    let tasks_params = ListParams {
        filter: Some(format!("owner = \"{me}\" and done = false and due_at is not null")),
        sort: Some("due_at".into()),
        limit: Some(20),
        ..Default::default()
    };
    let tasks = match read::list(&server.app, &page.ctx, EntityKind::Activity, &tasks_params).await {
        Ok((p, _)) => p
            .records
            .iter()
            .map(|r| {
                let due = match r.values.std("due_at") {
                    FieldValue::DateTime(t) => Some(*t),
                    _ => None,
                };
                TaskItem {
                    title: r.title(),
                    href: format!("/activities/{}", r.id),
                    due: due.map(|t| format_datetime(&t)).unwrap_or_default(),
                    overdue: due.is_some_and(|t| t < now),
                }
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    let by_stage = pipeline_bars(&server, &page.ctx, "owner = me", false).await;
    let team: Vec<String> = page
        .ctx
        .access
        .teams
        .colleagues
        .iter()
        .chain(page.ctx.access.teams.managed.iter())
        .map(|u| format!("\"{u}\""))
        .collect();
    let team_bars = pipeline_bars(&server, &page.ctx, &format!("owner in ({})", team.join(", ")), true).await;
    let recent =
        read::list(&server.app, &page.ctx, EntityKind::Activity, &ListParams { limit: Some(10), ..Default::default() })
            .await
            .map(|(p, _)| {
                p.records
                    .iter()
                    .map(|r| {
                        (format!("/activities/{}", r.id), r.title(), r.values.text("kind").unwrap_or("").to_string())
                    })
                    .collect()
            })
            .unwrap_or_default();
    let template = HomePage {
        layout: layout(&page, "Home", None),
        tasks,
        pipeline_svg: pipeline_svg(&by_stage),
        team_svg: pipeline_svg(&team_bars),
        recent,
    };
    render(&template, StatusCode::OK)
}

// ----- bulk actions -----

/// `POST /{entity}/bulk`: assigns the selected records to a member, or moves
/// them to the trash; each one through the write path with its own checks.
pub async fn bulk(kind: EntityKind, State(server): S, page: Page, body: Bytes) -> Response {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let form: HashMap<String, String> = pairs.iter().cloned().collect();
    if !csrf_ok(&page, &form) {
        return csrf_refused();
    }
    let ids: Vec<RecordId> = pairs.iter().filter(|(k, _)| k == "ids").filter_map(|(_, v)| v.parse().ok()).collect();
    if ids.is_empty() || ids.len() > 500 {
        return message_page(&page, StatusCode::UNPROCESSABLE_ENTITY, "Nothing done", "Select 1 to 500 records first.");
    }
    let action = form.get("action").map(String::as_str).unwrap_or("");
    let owner = form.get("owner").and_then(|o| o.parse::<Uuid>().ok());
    let (mut done, mut refused) = (0usize, Vec::new());
    for id in ids {
        let result = match (action, owner) {
            ("assign", Some(owner)) => {
                let mut patch = Values::default();
                patch.set_std("owner", FieldValue::Ref(owner));
                let version = match read::get(&server.app, &page.ctx, kind, id, false).await {
                    Ok((r, _)) => r.version,
                    Err(e) => {
                        refused.push(format!("{id}: {e}"));
                        continue;
                    }
                };
                write::update_values(&server.app, &page.ctx, kind, id, patch, version).await.map(drop)
            }
            ("delete", _) => write::set_deleted(&server.app, &page.ctx, kind, id, true, None).await.map(drop),
            _ => {
                return message_page(
                    &page,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "Nothing done",
                    "Choose an action (and an owner to assign to).",
                );
            }
        };
        match result {
            Ok(()) => done += 1,
            Err(e) => refused.push(match e {
                AppError::Invalid(v) => v.errors.iter().map(|f| f.message.clone()).collect::<Vec<_>>().join("; "),
                AppError::Hidden { .. } => "not found".into(),
                other => other.to_string(),
            }),
        }
    }
    if refused.is_empty() {
        return after_save(&form, format!("/{}", kind.api_name()));
    }
    let text = format!("{done} done; {} not: {}", refused.len(), refused.join("; "));
    message_page(&page, StatusCode::OK, "Partly done", &text)
}

// ----- lead conversion -----

#[derive(Template)]
#[template(path = "convert.html")]
struct ConvertPage {
    layout: Layout,
    lead_title: String,
    company: String,
    action: String,
    cancel_href: String,
    account: String,
    account_error: Option<String>,
    create_opportunity: bool,
    opportunity_name: String,
    opportunity_amount: String,
    opportunity_error: Option<String>,
    problem: Option<String>,
}

/// `GET /leads/{id}/convert`: the conversion screen.
pub async fn convert_form(State(server): S, page: Page, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<RecordId>() else {
        return message_page(&page, StatusCode::NOT_FOUND, "Not found", "There is no such lead.");
    };
    let (lead, _) = match read::get(&server.app, &page.ctx, EntityKind::Lead, id, false).await {
        Ok(found) => found,
        Err(e) => return app_error_page(&page, e),
    };
    let company = lead.values.text("company").unwrap_or("").to_string();
    let template = ConvertPage {
        layout: layout(&page, "Convert lead", Some(EntityKind::Lead)),
        lead_title: lead.title(),
        opportunity_name: if company.is_empty() { String::new() } else { format!("{company} opportunity") },
        company,
        action: format!("/leads/{id}/convert"),
        cancel_href: format!("/leads/{id}"),
        account: String::new(),
        account_error: None,
        create_opportunity: true,
        opportunity_amount: String::new(),
        opportunity_error: None,
        problem: None,
    };
    render(&template, StatusCode::OK)
}

/// `POST /leads/{id}/convert`: converts in one transaction, then shows the new contact.
pub async fn convert_submit(State(server): S, page: Page, Path(id): Path<String>, body: Bytes) -> Response {
    let form = read_form(&body);
    if !csrf_ok(&page, &form) {
        return csrf_refused();
    }
    let Ok(id) = id.parse::<RecordId>() else {
        return message_page(&page, StatusCode::NOT_FOUND, "Not found", "There is no such lead.");
    };
    let text = |k: &str| form.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    let create_opportunity = form.get("create_opportunity").is_some_and(|v| v == "true");
    let mut body = serde_json::Map::new();
    if !text("account").is_empty() {
        body.insert("account".into(), serde_json::Value::String(text("account")));
    }
    if create_opportunity {
        let mut opp = serde_json::Map::new();
        if !text("opportunity_name").is_empty() {
            opp.insert("name".into(), serde_json::Value::String(text("opportunity_name")));
        }
        let amount = text("opportunity_amount");
        if !amount.is_empty() {
            let mut parts = amount.split_whitespace();
            let value = parts.next().unwrap_or("").to_string();
            let currency =
                parts.next().unwrap_or(page.principal.workspace.currencies.first().map(|c| c.code()).unwrap_or("EUR"));
            opp.insert("amount".into(), serde_json::json!({"amount": value, "currency": currency}));
        }
        body.insert("opportunity".into(), serde_json::Value::Object(opp));
    } else {
        body.insert("opportunity".into(), serde_json::Value::Bool(false));
    }
    let result = match relata_app::convert::ConvertRequest::from_json(&serde_json::Value::Object(body)) {
        Ok(request) => relata_app::convert::convert_lead(&server.app, &page.ctx, id, request).await,
        Err(v) => Err(AppError::Invalid(v)),
    };
    match result {
        Ok(done) => after_save(&HashMap::new(), format!("/contacts/{}", done.contact.id)),
        Err(AppError::Invalid(v)) => {
            let (lead_title, company) = match read::get(&server.app, &page.ctx, EntityKind::Lead, id, false).await {
                Ok((lead, _)) => (lead.title(), lead.values.text("company").unwrap_or("").to_string()),
                Err(e) => return app_error_page(&page, e),
            };
            let about = |prefix: &str| {
                let found: Vec<String> = v
                    .errors
                    .iter()
                    .filter(|e| e.field.starts_with(prefix))
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect();
                (!found.is_empty()).then(|| found.join("; "))
            };
            let others: Vec<String> = v
                .errors
                .iter()
                .filter(|e| !e.field.starts_with("account") && !e.field.starts_with("opportunity"))
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect();
            let template = ConvertPage {
                layout: layout(&page, "Convert lead", Some(EntityKind::Lead)),
                lead_title,
                company,
                action: format!("/leads/{id}/convert"),
                cancel_href: format!("/leads/{id}"),
                account: text("account"),
                account_error: about("account"),
                create_opportunity,
                opportunity_name: text("opportunity_name"),
                opportunity_amount: text("opportunity_amount"),
                opportunity_error: about("opportunity"),
                problem: Some(if others.is_empty() {
                    "Some fields need your attention.".into()
                } else {
                    others.join("; ")
                }),
            };
            render(&template, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => app_error_page(&page, e),
    }
}

// ----- switching workspace -----

/// `POST /workspace` (the header's form): moves the session to another
/// workspace of the user.
pub async fn switch_workspace(State(server): S, page: Page, headers: axum::http::HeaderMap, body: Bytes) -> Response {
    let form = read_form(&body);
    if !csrf_ok(&page, &form) {
        return csrf_refused();
    }
    let Credential::Session { id, .. } = &page.principal.credential else { return csrf_refused() };
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

// ----- saved views -----

/// `POST /{entity}/views`: saves the list's current query under a name.
pub async fn save_view(kind: EntityKind, State(server): S, page: Page, body: Bytes) -> Response {
    let form = read_form(&body);
    if !csrf_ok(&page, &form) {
        return csrf_refused();
    }
    let query = form.get("query").cloned().unwrap_or_default();
    let shared = form.get("shared").is_some_and(|v| v == "true");
    let name = form.get("name").cloned().unwrap_or_default();
    match relata_app::views::save(&server.app, &page.ctx, kind, &name, &query, shared).await {
        Ok(view) => after_save(&HashMap::new(), format!("/{}?{}", kind.api_name(), view.query)),
        Err(AppError::Invalid(v)) => {
            let text = v.errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ");
            message_page(&page, StatusCode::UNPROCESSABLE_ENTITY, "The view was not saved", &text)
        }
        Err(e @ (AppError::Filter(_) | AppError::BadParameter(..))) => {
            message_page(&page, StatusCode::UNPROCESSABLE_ENTITY, "The view was not saved", &e.to_string())
        }
        Err(e) => app_error_page(&page, e),
    }
}

/// `POST /{entity}/views/{id}/delete`
pub async fn delete_view(
    kind: EntityKind,
    State(server): S,
    page: Page,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let form = read_form(&body);
    if !csrf_ok(&page, &form) {
        return csrf_refused();
    }
    match relata_app::views::delete(&server.app, &page.ctx, &id).await {
        Ok(()) => after_save(&HashMap::new(), format!("/{}", kind.api_name())),
        Err(e) => app_error_page(&page, e),
    }
}

// ----- the pipeline board -----

pub struct Card {
    pub id: String,
    pub version: i64,
    pub name: String,
    pub account: String,
    pub amount: String,
}

/// Cards shown per column; the rest are counted and one click away.
const CARDS_PER_COLUMN: u64 = 30;

pub struct BoardColumn {
    /// Whether the stage has more cards than shown.
    pub more: bool,
    /// The stage's opportunities as a list.
    pub list_href: String,
    pub id: String,
    pub name: String,
    pub probability: i64,
    pub total: String,
    pub weighted: String,
    pub cards: Vec<Card>,
    /// Every stage, and whether it is this column's (the move form's choices).
    pub choices: Vec<(String, String, bool)>,
}

#[derive(Template)]
#[template(path = "board.html")]
struct BoardPage {
    layout: Layout,
    pipeline_name: String,
    pipeline_id: String,
    pipelines: Vec<(String, String, bool)>,
    owners: Vec<(String, String, bool)>,
    close: String,
    error: Option<String>,
    columns: Vec<BoardColumn>,
    return_to: String,
}

/// The first day of a `YYYY-MM` month and of the next one.
fn month_bounds(text: &str) -> Option<(chrono::NaiveDate, chrono::NaiveDate)> {
    let start = chrono::NaiveDate::parse_from_str(&format!("{}-01", text.trim()), "%Y-%m-%d").ok()?;
    let end = start.checked_add_months(chrono::Months::new(1))?;
    Some((start, end))
}

/// `GET /board`: opportunities as cards in stage columns, with per-column
/// totals and weighted totals, filtered by pipeline, owner and closing month.
pub async fn board(State(server): S, page: Page, RawQuery(raw): RawQuery) -> Response {
    let query = PageQuery::parse(raw.as_deref());
    let param = |name: &str| query.get(name);
    let (wanted_pipeline, owner, close) = (param("pipeline"), param("owner"), param("close"));
    let ctx = &page.ctx;
    let pipelines = match read::list(
        &server.app,
        ctx,
        EntityKind::Pipeline,
        &ListParams { limit: Some(100), ..Default::default() },
    )
    .await
    {
        Ok((p, _)) => p.records,
        Err(e) => return app_error_page(&page, e),
    };
    let chosen = pipelines
        .iter()
        .find(|p| p.id.to_string() == wanted_pipeline)
        .or_else(|| pipelines.iter().find(|p| p.values.std("is_default") == &FieldValue::Bool(true)))
        .or_else(|| pipelines.first());
    let Some(pipeline) = chosen else {
        return message_page(&page, StatusCode::NOT_FOUND, "No pipeline", "This workspace has no pipeline yet.");
    };
    let stages = relata_sales::pipeline::stages_of(pipeline);
    let mut filter = format!("pipeline = \"{}\"", pipeline.id);
    let mut error = None;
    let teams = relata_app::people::teams(&server.app, ctx).await.unwrap_or_default();
    match owner.as_str() {
        "" => {}
        "me" => filter.push_str(" and owner = me"),
        team if team.starts_with("team:") => match teams.iter().find(|t| format!("team:{}", t.team.id) == team) {
            Some(t) if !t.members.is_empty() => {
                let ids: Vec<String> = t.members.iter().map(|(u, _)| format!("\"{u}\"")).collect();
                filter.push_str(&format!(" and owner in ({})", ids.join(", ")));
            }
            _ => error = Some("Choose a team with members.".to_string()),
        },
        other => match other.parse::<Uuid>() {
            Ok(u) => filter.push_str(&format!(" and owner = \"{u}\"")),
            Err(_) => error = Some("Choose an owner from the list.".to_string()),
        },
    }
    if !close.trim().is_empty() {
        match month_bounds(&close) {
            Some((start, end)) => {
                filter.push_str(&format!(" and expected_close_date >= \"{start}\" and expected_close_date < \"{end}\""))
            }
            None => error = Some(format!("{close:?} is not a month like 2026-12.")),
        }
    }
    // Each column: its first cards in index order, and totals over all of
    // the stage's opportunities in one aggregate query.
    let schemas = match server.app.schemas_for(ctx).await {
        Ok(s) => s,
        Err(e) => return app_error_page(&page, e),
    };
    let mut loaded = Vec::with_capacity(stages.len());
    for stage in &stages {
        let stage_filter = format!("{filter} and stage = \"{}\"", stage.id.replace('"', ""));
        let params =
            ListParams { filter: Some(stage_filter.clone()), limit: Some(CARDS_PER_COLUMN), ..Default::default() };
        let (records, more) = match read::list(&server.app, ctx, EntityKind::Opportunity, &params).await {
            Ok((p, _)) => (p.records, p.next_cursor.is_some()),
            Err(e) => return app_error_page(&page, e),
        };
        let sums = read::money_totals(&server.app, ctx, EntityKind::Opportunity, Some(&stage_filter), "amount")
            .await
            .unwrap_or_default();
        loaded.push((stage, stage_filter, records, more, sums));
    }
    // Account names for every card at once.
    let all: Vec<&Record> = loaded.iter().flat_map(|(_, _, records, _, _)| records.iter()).collect();
    let titles = Titles::of_fields(&server, ctx, schemas.get(EntityKind::Opportunity), &all, Some(&["account"])).await;
    let show = |minor: i64, code: &str| match relata_core::money::Currency::parse(code) {
        Some(c) => format!("{} {c}", relata_core::money::Money::new(minor, c).major_string()),
        None => format!("{minor} {code}"),
    };
    let join = |parts: Vec<String>| if parts.is_empty() { "0".to_string() } else { parts.join(" + ") };
    let mut columns = Vec::with_capacity(stages.len());
    for (stage, stage_filter, records, more, sums) in &loaded {
        let priced: Vec<&(String, i64, i64)> = sums.iter().filter(|(c, _, _)| !c.is_empty()).collect();
        let total = join(priced.iter().map(|(c, minor, _)| show(*minor, c)).collect());
        let weighted = join(priced.iter().map(|(c, minor, _)| show(minor * stage.probability / 100, c)).collect());
        let cards = records
            .iter()
            .map(|r| Card {
                id: r.id.to_string(),
                version: r.version,
                name: r.title(),
                account: titles.show(r.values.std("account")).0,
                amount: match r.values.std("amount") {
                    FieldValue::Money(m) => format!("{} {}", m.major_string(), m.currency),
                    _ => String::new(),
                },
            })
            .collect::<Vec<_>>();
        columns.push(BoardColumn {
            id: stage.id.clone(),
            name: stage.name.clone(),
            probability: stage.probability,
            total,
            weighted,
            more: *more,
            list_href: format!("/opportunities?{}", query_string(&[("filter", stage_filter)])),
            cards,
            choices: stages.iter().map(|s| (s.id.clone(), s.name.clone(), s.id == stage.id)).collect(),
        });
    }
    let members = relata_app::people::members(&server.app, ctx).await.unwrap_or_default();
    let mut owners =
        vec![("".to_string(), "Everyone".to_string(), owner.is_empty()), ("me".into(), "Me".into(), owner == "me")];
    owners.extend(
        members
            .iter()
            .filter(|m| m.active)
            .map(|m| (m.user.id.to_string(), m.user.display_name.clone(), owner == m.user.id.to_string())),
    );
    let return_to = format!(
        "/board?{}",
        query_string(&[("pipeline", &pipeline.id.to_string()), ("owner", &owner), ("close", &close)])
    );
    let mut frame = layout(&page, "Pipeline", None);
    for item in &mut frame.nav {
        item.current = item.href == "/board";
    }
    let template = BoardPage {
        layout: frame,
        pipeline_name: pipeline.title(),
        pipeline_id: pipeline.id.to_string(),
        pipelines: pipelines.iter().map(|p| (p.id.to_string(), p.title(), p.id == pipeline.id)).collect(),
        owners,
        close,
        error,
        columns,
        return_to,
    };
    render(&template, StatusCode::OK)
}

/// `POST /board/move` (the cards' forms): moves an opportunity to a stage,
/// if nobody changed it meanwhile.
pub async fn board_move(State(server): S, page: Page, body: Bytes) -> Response {
    let form = read_form(&body);
    if !csrf_ok(&page, &form) {
        return csrf_refused();
    }
    let Some(id) = form.get("id").and_then(|i| i.parse::<RecordId>().ok()) else {
        return message_page(&page, StatusCode::NOT_FOUND, "Not found", "There is no such opportunity.");
    };
    let version = form.get("version").and_then(|v| v.parse().ok()).unwrap_or(0);
    let schema = relata_core::meta::Schema::standard(EntityKind::Opportunity);
    let field = schema.field("stage").expect("opportunities have stages");
    let mut patch = Values::default();
    patch.set(field, FieldValue::Text(form.get("stage").cloned().unwrap_or_default()));
    match write::update_values(&server.app, &page.ctx, EntityKind::Opportunity, id, patch, version).await {
        Ok(_) => after_save(&form, "/board".into()),
        Err(AppError::VersionConflict { .. }) => message_page(
            &page,
            StatusCode::CONFLICT,
            "Changed meanwhile",
            "Someone changed this opportunity while you were looking. Go back and reload the board.",
        ),
        Err(AppError::Invalid(v)) => {
            let text = v.errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ");
            message_page(&page, StatusCode::UNPROCESSABLE_ENTITY, "Not moved", &text)
        }
        Err(e) => app_error_page(&page, e),
    }
}

// ----- search -----

#[derive(Template)]
#[template(
    source = "{% extends \"base.html\" %}{% block content %}<h1>Search</h1><form class=\"filters\" action=\"/search\"><label for=\"sq\">Words</label><input id=\"sq\" name=\"q\" value=\"{{ q }}\"><button type=\"submit\">Search</button></form><ul>{% for (kind, href, title) in results %}<li><span class=\"kind\">{{ kind }}</span> <a href=\"{{ href }}\">{{ title }}</a></li>{% else %}<li>No matches.</li>{% endfor %}</ul>{% endblock %}",
    ext = "html"
)]
struct SearchPage {
    layout: Layout,
    q: String,
    results: Vec<(&'static str, String, String)>,
}

/// `GET /search?q=…`: the search box without JavaScript: the best matches
/// of every type the user may read.
pub async fn search(State(server): S, page: Page, RawQuery(raw): RawQuery) -> Response {
    let q = PageQuery::parse(raw.as_deref()).get("q").trim().to_string();
    let mut results = Vec::new();
    if !q.is_empty() && q.len() <= 200 {
        for kind in [EntityKind::Account, EntityKind::Contact, EntityKind::Lead, EntityKind::Opportunity] {
            if page.ctx.access.check_kind(kind, Right::Read).is_err() {
                continue;
            }
            let params = ListParams { q: Some(q.clone()), limit: Some(10), ..Default::default() };
            if let Ok((p, _)) = read::list(&server.app, &page.ctx, kind, &params).await {
                results.extend(
                    p.records.iter().map(|r| (kind.singular(), format!("/{}/{}", kind.api_name(), r.id), r.title())),
                );
            }
        }
    }
    render(&SearchPage { layout: layout(&page, "Search", None), q, results }, StatusCode::OK)
}

// ----- assets -----

pub async fn stylesheet() -> Response {
    asset(include_str!("../assets/app.css"), "text/css; charset=utf-8")
}

pub async fn script() -> Response {
    asset(include_str!("../assets/app.js"), "text/javascript; charset=utf-8")
}

fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    response
}
