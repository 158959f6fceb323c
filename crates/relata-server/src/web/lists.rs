//! List pages: chosen columns, sorting, the filter language with a builder,
//! search, cursor paging, saved views, and bulk assignment or trashing.

use super::{
    Layout, Page, PagePath, PageQuery, S, Titles, after_save, app_error_page, csrf_ok, csrf_refused, kind_of, layout,
    message_page, not_found, query_string, read_form, render,
};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use relata_app::AppError;
use relata_app::read::{self, ListParams};
use relata_app::write;
use relata_core::access::Right;
use relata_core::meta::{FieldDef, FieldType, Schema};
use relata_core::value::{FieldValue, Values};
use relata_core::{Record, RecordId};
use std::collections::HashMap;
use uuid::Uuid;

pub struct Column {
    pub label: String,
    pub sort_href: String,
    /// The catalogue's message for how the column is sorted, if it is.
    pub sorted: Option<&'static str>,
    pub arrow: &'static str,
}

pub struct Cell {
    /// The column's label: a cell shown as a card's line names its field.
    pub label: String,
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
    /// A choice's options (id, label in the viewer's language).
    pub options: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "list.html")]
struct ListPage {
    /// Every visible field, for the column chooser and the filter builder.
    all_fields: Vec<FieldChoice>,
    /// Active members (id, name), for bulk assignment.
    owners: Vec<(String, String)>,
    views: Vec<ViewLink>,
    /// Views a home page widget can show (id, name), and what it can show of them.
    my_views: Vec<(String, String)>,
    widget_figures: Vec<(String, String)>,
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

/// `GET /{entity}`: a page of records with chosen columns, sorting, the
/// filter language, search and cursor paging.
pub async fn list(State(server): S, path: PagePath, page: Page, RawQuery(raw): RawQuery) -> Response {
    let Some(kind) = kind_of(&page, &path.entity) else { return not_found(&page) };
    let query = PageQuery::parse(raw.as_deref());
    let param = |name: &str| query.get(name);
    let (filter, q, sort, cursor) = (param("filter"), param("q"), param("sort"), param("cursor"));
    // The column chooser sends one `col` per column; links carry `columns`.
    let chosen = query.all("col");
    let columns_param = if chosen.is_empty() { param("columns") } else { chosen.join(",") };
    let schema = page.schema(kind);
    let fields: Vec<&FieldDef> = if columns_param.is_empty() {
        let defaults: Vec<&FieldDef> = schema.def().default_columns.iter().filter_map(|c| schema.field(c)).collect();
        if defaults.is_empty() {
            // Types without chosen columns (custom objects): their title and first fields.
            schema.visible_fields().filter(|f| !f.system).take(5).collect()
        } else {
            defaults
        }
    } else {
        columns_param.split(',').filter_map(|c| schema.field(c.trim())).collect()
    };
    let params = ListParams {
        filter: Some(filter.clone()).filter(|f| !f.trim().is_empty()),
        sort: Some(sort.clone()).filter(|s| !s.is_empty()),
        cursor: Some(cursor).filter(|c| !c.is_empty()),
        limit: Some(50),
        q: Some(q.clone()).filter(|q| !q.trim().is_empty()),
        ..Default::default()
    };
    let (records, next_cursor, error) = match read::list(&server.app, &page.ctx, kind, &params).await {
        Ok((p, _)) => (p.records, p.next_cursor, None),
        Err(e @ (AppError::Filter(_) | AppError::Invalid(_) | AppError::BadParameter(..))) => {
            (Vec::new(), None, Some(super::error_text(&page, &e)))
        }
        Err(e) => return app_error_page(&page, e),
    };
    let refs: Vec<&Record> = records.iter().collect();
    let titles = Titles::of(&server, &page, schema, &refs).await;
    let base = format!("/{}", kind.api_name());
    let columns = fields
        .iter()
        .map(|f| {
            let id = f.qualified_id().into_owned();
            let (sorted, next_sort) = if sort == id {
                (Some("sorted-ascending"), format!("-{id}"))
            } else if sort == format!("-{id}") {
                (Some("sorted-descending"), id.clone())
            } else {
                (None, id.clone())
            };
            let qs = query_string(&[("filter", &filter), ("q", &q), ("columns", &columns_param), ("sort", &next_sort)]);
            let sorted = if f.sortable { sorted } else { None };
            let arrow = if sorted == Some("sorted-ascending") { "▲" } else { "▼" };
            Column { label: f.label.to_string(), sort_href: format!("{base}?{qs}"), sorted, arrow }
        })
        .collect();
    let rows = records
        .iter()
        .map(|r| {
            let title = schema.title(r);
            Row {
                id: r.id.to_string(),
                href: format!("{base}/{}", r.id),
                cells: fields
                    .iter()
                    .enumerate()
                    .map(|(i, f)| {
                        let (text, href) = titles.field(r, f);
                        let text = if i == 0 && text.is_empty() { title.clone() } else { text };
                        Cell { label: f.label.to_string(), text, href }
                    })
                    .collect(),
                label: title,
            }
        })
        .collect();
    let next_href = next_cursor.map(|c| {
        let qs = query_string(&[
            ("filter", &filter),
            ("q", &q),
            ("sort", &sort),
            ("columns", &columns_param),
            ("cursor", &c),
        ]);
        format!("{base}?{qs}")
    });
    let export_href = format!(
        "/api/v1/{}/export?{}",
        kind.api_name(),
        query_string(&[("filter", &filter), ("q", &q), ("sort", &sort), ("labels", "true")])
    );
    let new_href = page.ctx.access.check_kind(kind, Right::Create).is_ok().then(|| format!("{base}/new"));
    let label = super::plural_label(&page, schema);
    let saved = relata_app::views::views(&server.app, &page.ctx, kind).await.unwrap_or_default();
    // What a widget can show of a view (those without a search term).
    let my_views = saved
        .iter()
        .filter(|v| relata_app::views::params_of(&v.query).q.is_none())
        .map(|v| (v.id.clone(), v.name.clone()))
        .collect();
    let views: Vec<ViewLink> = saved
        .into_iter()
        .map(|v| ViewLink {
            href: format!("{base}?{}", v.query),
            mine: Some(v.owner) == page.ctx.actor,
            id: v.id,
            name: v.name,
            shared: v.shared,
        })
        .collect();
    let tr = page.tr();
    let mut widget_figures = vec![("count".to_string(), tr.t("list-widget-count"))];
    for f in offered_fields(schema) {
        if f.ty == FieldType::Money {
            widget_figures
                .push((format!("sum:{}", f.id), tr.t_with("list-widget-sum", &[("field", f.label.as_ref().into())])));
        }
        if relata_app::views::groups_well(f) {
            widget_figures.push((
                format!("chart:{}", f.id),
                tr.t_with("list-widget-chart", &[("field", f.label.as_ref().into())]),
            ));
        }
    }
    let current_query = query_string(&[("filter", &filter), ("q", &q), ("sort", &sort), ("columns", &columns_param)]);
    let owners = relata_app::people::members(&server.app, &page.ctx)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|m| m.active)
        .map(|m| (m.user.id.to_string(), m.user.display_name))
        .collect();
    let shown: Vec<String> = fields.iter().map(|f| f.qualified_id().into_owned()).collect();
    let all_fields = offered_fields(schema)
        .map(|f| FieldChoice {
            id: f.qualified_id().into_owned(),
            label: f.label.to_string(),
            kind: builder_kind(&f.ty),
            filterable: f.filterable,
            shown: shown.contains(&f.qualified_id().into_owned()),
            options: f
                .ty
                .options()
                .unwrap_or_default()
                .iter()
                .map(|o| (o.clone(), f.option_label(o).to_string()))
                .collect(),
        })
        .collect();
    let template = ListPage {
        my_views,
        widget_figures,
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

/// `POST /{entity}/bulk`: assigns the selected records to a member, or moves
/// them to the trash; each one through the write path with its own checks.
pub async fn bulk(State(server): S, path: PagePath, page: Page, body: Bytes) -> Response {
    let Some(kind) = kind_of(&page, &path.entity) else { return not_found(&page) };
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let form: HashMap<String, String> = pairs.iter().cloned().collect();
    if !csrf_ok(&page, &form) {
        return csrf_refused(&page);
    }
    let ids: Vec<RecordId> = pairs.iter().filter(|(k, _)| k == "ids").filter_map(|(_, v)| v.parse().ok()).collect();
    if ids.is_empty() || ids.len() > 500 {
        return message_page(&page, StatusCode::UNPROCESSABLE_ENTITY, "not-done", &page.tr().t("bulk-select-first"));
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
                        refused.push(format!("{id}: {}", super::error_text(&page, &e)));
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
                    "not-done",
                    &page.tr().t("bulk-choose-action"),
                );
            }
        };
        match result {
            Ok(()) => done += 1,
            Err(e) => refused.push(super::error_text(&page, &e)),
        }
    }
    if refused.is_empty() {
        return after_save(&form, format!("/{}", kind.api_name()));
    }
    let text = page.tr().t_with(
        "bulk-partly-done-text",
        &[
            ("done", (done as i64).into()),
            ("refused", (refused.len() as i64).into()),
            ("reasons", refused.join("; ").into()),
        ],
    );
    message_page(&page, StatusCode::OK, "bulk-partly-done", &text)
}

/// `POST /{entity}/views`: saves the list's current query under a name.
pub async fn save_view(State(server): S, path: PagePath, page: Page, body: Bytes) -> Response {
    let Some(kind) = kind_of(&page, &path.entity) else { return not_found(&page) };
    let form = read_form(&body);
    if !csrf_ok(&page, &form) {
        return csrf_refused(&page);
    }
    let query = form.get("query").cloned().unwrap_or_default();
    let shared = form.get("shared").is_some_and(|v| v == "true");
    let name = form.get("name").cloned().unwrap_or_default();
    match relata_app::views::save(&server.app, &page.ctx, kind, &name, &query, shared).await {
        Ok(view) => after_save(&HashMap::new(), format!("/{}?{}", kind.api_name(), view.query)),
        Err(e @ (AppError::Invalid(_) | AppError::Filter(_) | AppError::BadParameter(..))) => {
            message_page(&page, StatusCode::UNPROCESSABLE_ENTITY, "view-not-saved", &super::error_text(&page, &e))
        }
        Err(e) => app_error_page(&page, e),
    }
}

/// `POST /{entity}/views/{id}/delete`
pub async fn delete_view(State(server): S, path: PagePath, page: Page, body: Bytes) -> Response {
    let Some(kind) = kind_of(&page, &path.entity) else { return not_found(&page) };
    let id = path.id.clone().unwrap_or_default();
    let form = read_form(&body);
    if !csrf_ok(&page, &form) {
        return csrf_refused(&page);
    }
    match relata_app::views::delete(&server.app, &page.ctx, &id).await {
        Ok(()) => after_save(&HashMap::new(), format!("/{}", kind.api_name())),
        Err(e) => app_error_page(&page, e),
    }
}

/// How the filter builder writes a field's values: `number`, `boolean` or
/// `text` (quoted).
pub(crate) fn builder_kind(ty: &FieldType) -> &'static str {
    match ty {
        FieldType::Integer { .. } | FieldType::Number | FieldType::Decimal { .. } | FieldType::Money => "number",
        FieldType::Boolean => "boolean",
        _ => "text",
    }
}

/// The fields people choose among in the column chooser and the filter
/// builders: those they see, less the internal ones.
pub(crate) fn offered_fields(schema: &Schema) -> impl Iterator<Item = &FieldDef> {
    schema.visible_fields().filter(|f| {
        !matches!(f.ty, FieldType::Stages | FieldType::Id) && !["deleted_at", "version"].contains(&f.id.as_ref())
    })
}
