//! Create and edit forms, generated from the metadata: a message per field,
//! what was typed kept, and conflicts explained ("changed by X at T").

use super::{
    Layout, Page, PagePath, PageQuery, S, Titles, after_save, app_error_page, csrf_ok, csrf_refused, field_errors,
    kind_of, layout, message_page, not_found, read_form, render,
};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use relata_app::read;
use relata_app::{AppError, Ctx, write};
use relata_core::RecordId;
use relata_core::access::Right;
use relata_core::meta::{Access as FieldAccess, FieldDef, FieldType, Schema};
use relata_core::value::{FieldValue, Values, format_datetime, parse_text};
use std::collections::HashMap;

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

/// `GET /{entity}/new`
pub async fn new_form(path: PagePath, page: Page, RawQuery(raw): RawQuery) -> Response {
    let Some(kind) = kind_of(&page, &path.entity) else { return not_found(&page) };
    if let Err(d) = page.ctx.access.check_kind(kind, Right::Create) {
        return message_page(&page, StatusCode::FORBIDDEN, "Not allowed", &d.to_string());
    }
    // Fields may be prefilled from the query string (`?account=…`).
    let typed: HashMap<String, String> = PageQuery::parse(raw.as_deref()).0.into_iter().collect();
    let heading = format!("New {}", page.schema(kind).def().label.to_lowercase());
    let template = FormPage {
        layout: layout(&page, &heading, Some(kind)),
        heading,
        action: format!("/{}", kind.api_name()),
        cancel_href: format!("/{}", kind.api_name()),
        version: None,
        problem: None,
        reload_href: None,
        fields: form_fields(page.schema(kind), &typed, &HashMap::new()),
    };
    render(&template, StatusCode::OK)
}

/// `POST /{entity}`: creates from the form; on errors shows it again.
pub async fn create(State(server): S, path: PagePath, page: Page, body: Bytes) -> Response {
    let Some(kind) = kind_of(&page, &path.entity) else { return not_found(&page) };
    let form = read_form(&body);
    if !csrf_ok(&page, &form) {
        return csrf_refused();
    }
    let schema = page.schema(kind);
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
    let heading = format!("New {}", schema.def().label.to_lowercase());
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
pub async fn edit_form(State(server): S, path: PagePath, page: Page) -> Response {
    let Some(kind) = kind_of(&page, &path.entity) else { return not_found(&page) };
    let id = path.id.clone().unwrap_or_default();
    let Ok(id) = id.parse::<RecordId>() else { return not_found(&page) };
    let (record, schemas) = match read::get(&server.app, &page.ctx, kind, id, false).await {
        Ok(found) => found,
        Err(e) => return app_error_page(&page, e),
    };
    let schema = schemas.get(kind);
    let typed = editable(schema)
        .into_iter()
        .map(|f| (f.qualified_id().into_owned(), form_text(record.values.get(f))))
        .collect();
    let heading = format!("Edit {}", schema.title(&record));
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
pub async fn update(State(server): S, path: PagePath, page: Page, body: Bytes) -> Response {
    let Some(kind) = kind_of(&page, &path.entity) else { return not_found(&page) };
    let id = path.id.clone().unwrap_or_default();
    let form = read_form(&body);
    if !csrf_ok(&page, &form) {
        return csrf_refused();
    }
    let Ok(id) = id.parse::<RecordId>() else { return not_found(&page) };
    let schema = page.schema(kind);
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
                        let titles = Titles::of(&server, &page, schema, &[&current]).await;
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
