//! Create and edit forms, generated from the metadata: a message per field,
//! what was typed kept, and conflicts explained ("changed by X at T").

use super::{
    Layout, Page, PagePath, PageQuery, S, Titles, after_save, app_error_page, csrf_ok, csrf_refused, field_errors,
    kind_of, layout, not_found, read_form, render,
};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use relata_app::read::{self, ListParams};
use relata_app::{AppError, Ctx, write};
use relata_core::RecordId;
use relata_core::access::Right;
use relata_core::document::LineInput;
use relata_core::meta::{Access as FieldAccess, FieldDef, FieldType, LinesDef, Schema, Target};
use relata_core::value::{FieldValue, Values, parse_text};
use relata_i18n::Locale;
use std::collections::{BTreeSet, HashMap};
use uuid::Uuid;

pub struct FormField {
    pub id: String,
    pub label: String,
    /// `choice`, `boolean`, `long_text`, or an input type (`text`, `email`, `date`, `number`).
    pub kind: &'static str,
    /// Choices (value, label), and whether each is the current value.
    pub options: Vec<(String, String, bool)>,
    pub value: String,
    pub checked: bool,
    pub required: bool,
    pub error: Option<String>,
    /// For a filter: the input naming the type it filters (`f-entity`).
    pub filter_over: Option<String>,
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
    /// A document's lines, edited in a table under the header's fields.
    lines: Option<LinesForm>,
    /// For a form with filters: the filterable fields of every type the
    /// viewer reads, as JSON (`{"invoices": [[id, label, kind], …]}`).
    filter_fields: Option<String>,
}

/// The lines table of a document's form: a row per line (the stored ones,
/// then empty rows for new lines), a column per writable line field. Cells
/// are named `lines[N].field`; a stored line carries its id, and a line can
/// be removed by ticking its box.
pub struct LinesForm {
    pub labels: Vec<String>,
    pub rows: Vec<LineRow>,
    pub error: Option<String>,
}

pub struct LineRow {
    pub index: usize,
    pub line_id: Option<String>,
    pub removed: bool,
    pub cells: Vec<FormField>,
    pub error: Option<String>,
}

/// Empty rows a lines table offers for new lines, and how many more
/// "Add lines" gives.
const NEW_LINE_ROWS: usize = 3;
const MORE_LINE_ROWS: usize = 5;

/// A relation field is a choice among the records it may point at when the
/// viewer can read at most this many of them; beyond, the id is typed.
const RELATION_CHOICES: u64 = 200;

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
        // Typed and shown in the person's time zone.
        FieldType::DateTime => "datetime-local",
        FieldType::Integer { .. } | FieldType::Number => "number",
        _ => "text",
    }
}

/// The records a relation field may point at, (id, title) by title, when
/// there are few enough to choose from.
async fn relation_choices(
    server: &crate::Server,
    page: &Page,
    kind: relata_core::meta::EntityKind,
) -> Option<Vec<(String, String)>> {
    let schema = page.schemas.try_get(kind)?;
    let params = ListParams { limit: Some(RELATION_CHOICES), ..Default::default() };
    let (found, _) = read::list(&server.app, &page.ctx, kind, &params).await.ok()?;
    if found.next_cursor.is_some() {
        return None;
    }
    let mut choices: Vec<(String, String)> =
        found.records.iter().map(|r| (r.id.to_string(), schema.title(r))).collect();
    choices.sort_by_key(|a| a.1.to_lowercase());
    Some(choices)
}

/// What relation fields offer, looked up once per form: the records of each
/// target type (`None`: too many, the id is typed) and the workspace's
/// active members (for fields that name people).
#[derive(Default)]
struct Choices {
    records: HashMap<relata_core::meta::EntityKind, Option<Vec<(String, String)>>>,
    members: Option<Vec<(String, String)>>,
}

async fn choices_for<'a>(
    server: &crate::Server,
    page: &Page,
    fields: impl Iterator<Item = &'a FieldDef>,
    choices: &mut Choices,
) {
    for field in fields {
        match field.ty.points_at() {
            Some(Target::Entity(kind)) if !choices.records.contains_key(&kind) => {
                let found = relation_choices(server, page, kind).await;
                choices.records.insert(kind, found);
            }
            Some(Target::User) if choices.members.is_none() => {
                let members = relata_app::people::members(&server.app, &page.ctx).await.unwrap_or_default();
                let mut active: Vec<(String, String)> = members
                    .into_iter()
                    .filter(|m| m.active)
                    .map(|m| (m.user.id.to_string(), m.user.display_name))
                    .collect();
                active.sort_by_key(|a| a.1.to_lowercase());
                choices.members = Some(active);
            }
            _ => {}
        }
    }
}

/// The members a form's members field holds: the ids typed or stored
/// (`a; b`, as the field's text) and those whose boxes are ticked
/// (`attendees[<id>]`), as the field's text.
fn members_text(form: &HashMap<String, String>, name: &str) -> String {
    let prefix = format!("{name}[");
    let mut ids: Vec<String> = form
        .get(name)
        .map(|typed| typed.split([';', ',']).map(|id| id.trim().to_string()).filter(|id| !id.is_empty()).collect())
        .unwrap_or_default();
    let mut ticked: Vec<&String> = form
        .iter()
        .filter(|(key, value)| key.starts_with(&prefix) && key.ends_with(']') && *value == "true")
        .map(|(key, _)| key)
        .collect();
    ticked.sort();
    for key in ticked {
        let id = key[prefix.len()..key.len() - 1].to_string();
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids.join("; ")
}

/// One input of a form: `name` is what the browser sends.
fn form_field(field: &FieldDef, name: String, value: String, error: Option<String>, choices: &Choices) -> FormField {
    let offered = match field.ty.points_at() {
        Some(Target::Entity(kind)) => choices.records.get(&kind).and_then(|c| c.as_ref()),
        Some(Target::User) => choices.members.as_ref(),
        None => None,
    };
    let (kind, options) = if field.ty == FieldType::Members {
        // A box per member; ids typed that are no member's stay listed, to be refused by name.
        let chosen: Vec<&str> = value.split(';').map(str::trim).filter(|id| !id.is_empty()).collect();
        let mut boxes: Vec<(String, String, bool)> = offered
            .into_iter()
            .flatten()
            .map(|(id, name)| (id.clone(), name.clone(), chosen.contains(&id.as_str())))
            .collect();
        let unknown: Vec<&str> =
            chosen.iter().copied().filter(|id| !boxes.iter().any(|(known, _, _)| known == id)).collect();
        boxes.extend(unknown.into_iter().map(|id| (id.to_string(), id.to_string(), true)));
        ("members", boxes)
    } else {
        // A value outside the choices (a record beyond them) stays typed.
        let relation = offered.filter(|c| value.is_empty() || c.iter().any(|(id, _)| *id == value));
        match (relation, field.ty.options()) {
            (Some(c), _) => ("choice", c.iter().map(|(id, title)| (id.clone(), title.clone(), *id == value)).collect()),
            (None, Some(o)) => {
                ("choice", o.iter().map(|o| (o.clone(), field.option_label(o).to_string(), *o == value)).collect())
            }
            (None, None) => (input_kind(&field.ty), Vec::new()),
        }
    };
    FormField {
        options,
        checked: value == "true",
        value,
        error,
        label: field.label.to_string(),
        kind,
        required: field.required,
        filter_over: field.filter_over.map(|over| format!("f-{over}")),
        id: name,
    }
}

async fn form_fields(
    server: &crate::Server,
    page: &Page,
    schema: &Schema,
    typed: &HashMap<String, String>,
    errors: &HashMap<String, String>,
) -> (Vec<FormField>, Option<LinesForm>) {
    let mut choices = Choices::default();
    choices_for(server, page, editable(schema).into_iter(), &mut choices).await;
    if let Some(def) = &schema.def().lines {
        choices_for(server, page, line_fields(def).into_iter(), &mut choices).await;
    }
    let fields = editable(schema)
        .into_iter()
        .map(|f| {
            let id = f.qualified_id().into_owned();
            let value = match f.ty {
                FieldType::Members => members_text(typed, &id),
                _ => typed.get(&id).cloned().unwrap_or_default(),
            };
            form_field(f, id.clone(), value, errors.get(&id).cloned(), &choices)
        })
        .collect();
    let lines = schema.def().lines.as_ref().map(|def| lines_form(def, typed, errors, &choices));
    (fields, lines)
}

/// The line fields a form offers.
fn line_fields(def: &LinesDef) -> Vec<&FieldDef> {
    def.fields.iter().filter(|f| f.is_writable()).collect()
}

/// The row numbers a form's lines use (`lines[3].quantity` → 3).
fn line_indexes(typed: &HashMap<String, String>) -> BTreeSet<usize> {
    typed
        .keys()
        .filter_map(|k| k.strip_prefix("lines[")?.split_once(']')?.0.parse().ok())
        .filter(|i| *i < relata_core::document::MAX_LINES)
        .collect()
}

fn lines_form(
    def: &LinesDef,
    typed: &HashMap<String, String>,
    errors: &HashMap<String, String>,
    choices: &Choices,
) -> LinesForm {
    let fields = line_fields(def);
    let used = line_indexes(typed).last().map_or(0, |i| i + 1);
    let extra = NEW_LINE_ROWS + typed.get("add_lines").map_or(0, |_| MORE_LINE_ROWS);
    let rows = (0..used + extra)
        .map(|index| {
            let name = |member: &str| format!("lines[{index}].{member}");
            LineRow {
                index,
                line_id: typed.get(&name("id")).filter(|v| !v.is_empty()).cloned(),
                removed: typed.get(&name("remove")).is_some_and(|v| v == "true"),
                error: errors.get(&format!("lines[{index}]")).cloned(),
                cells: fields
                    .iter()
                    .map(|f| {
                        let value = typed.get(&name(&f.id)).cloned().unwrap_or_default();
                        form_field(f, name(&f.id), value, errors.get(&name(&f.id)).cloned(), choices)
                    })
                    .collect(),
            }
        })
        .collect();
    LinesForm {
        labels: fields.iter().map(|f| f.label.to_string()).collect(),
        rows,
        error: errors.get("lines").cloned(),
    }
}

/// A stored document's lines as a form's values.
fn typed_lines(def: &LinesDef, record: &relata_core::Record, locale: Locale, typed: &mut HashMap<String, String>) {
    for (index, line) in record.lines.iter().flatten().enumerate() {
        typed.insert(format!("lines[{index}].id"), line.id.to_string());
        for field in line_fields(def) {
            typed.insert(format!("lines[{index}].{}", field.id), form_text(line.values.get(field), locale));
        }
    }
}

/// A submitted lines table as the lines the document keeps (`None` when
/// the form had no table), the row each kept line came from (to put
/// messages about `lines[k]` on the right row), and a message per cell
/// that did not parse. Empty new rows and ticked rows are left out.
fn parse_form_lines(
    def: &LinesDef,
    form: &HashMap<String, String>,
    (ctx, locale): (&Ctx, Locale),
) -> (Option<Vec<LineInput>>, Vec<usize>, HashMap<String, String>) {
    if !form.contains_key("lines_present") {
        return (None, Vec::new(), HashMap::new());
    }
    let mut lines = Vec::new();
    let mut rows = Vec::new();
    let mut errors = HashMap::new();
    for index in line_indexes(form) {
        let name = |member: &str| format!("lines[{index}].{member}");
        if form.get(&name("remove")).is_some_and(|v| v == "true") {
            continue;
        }
        let id = match form.get(&name("id")).filter(|v| !v.is_empty()) {
            None => None,
            Some(text) => match Uuid::parse_str(text) {
                Ok(id) => Some(id),
                Err(_) => {
                    errors.insert(format!("lines[{index}]"), "this line is not one of the document's".to_string());
                    continue;
                }
            },
        };
        let mut values = Values::default();
        let mut typed_any = false;
        for field in line_fields(def) {
            let text = form.get(&name(&field.id)).map(|t| t.trim()).unwrap_or("");
            if text.is_empty() {
                // A stored line's emptied cell is cleared; a new line's is left out.
                if id.is_some() {
                    values.set(field, FieldValue::Null);
                }
                continue;
            }
            typed_any = true;
            match parse_typed(field, text, ctx, locale) {
                Ok(v) => values.set(field, v),
                Err(message) => {
                    errors.insert(name(&field.id), message);
                }
            }
        }
        if id.is_none() && !typed_any {
            continue;
        }
        lines.push(LineInput { id, values });
        rows.push(index);
    }
    (Some(lines), rows, errors)
}

/// Messages about the saved lines (`lines[k].field`) moved to the rows
/// of the form they came from.
fn on_form_rows(errors: HashMap<String, String>, rows: &[usize]) -> HashMap<String, String> {
    errors
        .into_iter()
        .map(|(field, message)| {
            let moved = field.strip_prefix("lines[").and_then(|rest| {
                let (k, member) = rest.split_once(']')?;
                let row = rows.get(k.parse::<usize>().ok()?)?;
                Some(format!("lines[{row}]{member}"))
            });
            (moved.unwrap_or(field), message)
        })
        .collect()
}

/// The text a form shows for a stored value (what parsing reads back):
/// amounts in the reader's format (`1234,50 EUR` in Polish).
fn form_text(value: &FieldValue, locale: Locale) -> String {
    match value {
        FieldValue::List(items) => items.join("; "),
        FieldValue::Money(m) => {
            format!("{} {}", relata_i18n::format::decimal(locale.language, m.minor, m.currency.exponent()), m.currency)
        }
        // A `datetime-local` value: the person's wall-clock time.
        FieldValue::DateTime(at) => at.with_timezone(&locale.zone).format("%Y-%m-%dT%H:%M").to_string(),
        other => other.to_csv(),
    }
}

/// An amount typed with its currency code before or after it (`1 234,50
/// EUR`, `EUR 12`): the code, if one was typed, and the number.
pub(crate) fn split_currency(text: &str) -> (Option<&str>, String) {
    let is_code = |t: &str| t.len() == 3 && t.bytes().all(|b| b.is_ascii_alphabetic());
    let mut words: Vec<&str> = text.split_whitespace().collect();
    let code = if words.last().is_some_and(|w| is_code(w)) {
        words.pop()
    } else if words.first().is_some_and(|w| is_code(w)) {
        Some(words.remove(0))
    } else {
        None
    };
    (code, words.join(" "))
}

/// A date and time typed without a zone (`2031-01-15T14:05`, as a
/// `datetime-local` input sends it) read in the person's time zone, as
/// RFC 3339 UTC; `None` for anything else (the parser reads a time with
/// its own offset, and names what it cannot read).
fn local_date_time(text: &str, locale: Locale) -> Option<String> {
    use chrono::TimeZone;
    let text = text.trim();
    let naive = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    let at = locale.zone.from_local_datetime(&naive).earliest()?.with_timezone(&chrono::Utc);
    Some(relata_core::value::format_datetime(&at))
}

/// A field's value from what a person typed, or the message for the field.
fn parse_typed(field: &FieldDef, text: &str, ctx: &Ctx, locale: Locale) -> Result<FieldValue, String> {
    let text = as_parsed(field, text, ctx, locale)?;
    parse_text(field, &text, &ctx.parse).map_err(|e| super::field_error_text(locale.tr(), &e))
}

/// What a person typed into a field, as the parser reads it: an amount of
/// money typed in their language's format (`1 234,50 EUR`, `€` left out)
/// becomes `1234.50 EUR`; an amount that could be read two ways (`1.234`
/// typed with a comma for decimals) or is no amount is refused with a
/// message in their language. Other fields' text is as typed.
fn as_parsed(field: &FieldDef, text: &str, ctx: &Ctx, locale: Locale) -> Result<String, String> {
    if field.ty == FieldType::DateTime {
        return Ok(local_date_time(text, locale).unwrap_or_else(|| text.to_string()));
    }
    if field.ty != FieldType::Money || text.trim().is_empty() {
        return Ok(text.to_string());
    }
    let (code, number) = split_currency(text);
    let currency = code
        .map(|c| relata_core::money::Currency::parse(&c.to_ascii_uppercase()))
        .unwrap_or_else(|| ctx.parse.currencies.first().copied());
    // An unknown code is the parser's to name.
    let Some(currency) = currency else { return Ok(text.to_string()) };
    let exponent = currency.exponent();
    match relata_i18n::format::parse_amount(locale.language, &number, exponent) {
        Ok(minor) => Ok(format!("{} {}", relata_core::money::minor_to_decimal(minor, exponent), currency)),
        Err(e) => Err(e.message(locale.tr())),
    }
}

/// Parses a submitted form against the editable fields: the values, and
/// a message per field that did not parse.
fn parse_form(
    schema: &Schema,
    form: &HashMap<String, String>,
    (ctx, locale): (&Ctx, Locale),
    all_booleans: bool,
) -> (Values, HashMap<String, String>) {
    let mut values = Values::default();
    let mut errors = HashMap::new();
    for field in editable(schema) {
        let id = field.qualified_id().into_owned();
        let text = match (form.get(&id), &field.ty) {
            // The form sends an empty `attendees` and a box per member ticked.
            (Some(_), FieldType::Members) => members_text(form, &id),
            (Some(t), _) => t.clone(),
            (None, FieldType::Boolean) if all_booleans => "false".into(),
            (None, _) => continue,
        };
        match parse_typed(field, &text, ctx, locale) {
            Ok(v) => values.set(field, v),
            Err(message) => {
                errors.insert(id, message);
            }
        }
    }
    (values, errors)
}

/// A form page's frame and fields; `problem` and `status` say how the last
/// submission went.
struct FormView<'a> {
    heading: String,
    action: String,
    cancel_href: String,
    version: Option<i64>,
    typed: &'a HashMap<String, String>,
    errors: &'a HashMap<String, String>,
    problem: Option<String>,
    reload_href: Option<String>,
}

async fn show_form(
    server: &crate::Server,
    page: &Page,
    kind: relata_core::meta::EntityKind,
    view: FormView<'_>,
    status: StatusCode,
) -> Response {
    let (fields, lines) = form_fields(server, page, page.schema(kind), view.typed, view.errors).await;
    let filter_fields = fields.iter().any(|f| f.filter_over.is_some()).then(|| filter_catalogue(page));
    let template = FormPage {
        filter_fields,
        layout: layout(page, &view.heading, Some(kind)),
        heading: view.heading,
        action: view.action,
        cancel_href: view.cancel_href,
        version: view.version,
        problem: view.problem,
        reload_href: view.reload_href,
        fields,
        lines,
    };
    render(&template, status)
}

/// The fields a filter builder offers, per type the viewer reads (types
/// private to their owners left out: no filter of a rule reaches them).
fn filter_catalogue(page: &Page) -> String {
    let mut catalogue = serde_json::Map::new();
    for schema in page.schemas.iter() {
        if page.ctx.access.check_kind(schema.kind, Right::Read).is_err() || schema.def().private_to_owner {
            continue;
        }
        let fields: Vec<serde_json::Value> = super::lists::offered_fields(schema)
            .filter(|f| f.filterable)
            .map(|f| serde_json::json!([f.qualified_id(), f.label, super::lists::builder_kind(&f.ty)]))
            .collect();
        catalogue.insert(schema.kind.api_name().to_string(), serde_json::Value::Array(fields));
    }
    serde_json::Value::Object(catalogue).to_string()
}

/// `GET /{entity}/new`
pub async fn new_form(State(server): S, path: PagePath, page: Page, RawQuery(raw): RawQuery) -> Response {
    let Some(kind) = kind_of(&page, &path.entity) else { return not_found(&page) };
    if let Err(d) = page.ctx.access.check_kind(kind, Right::Create) {
        return app_error_page(&page, AppError::Denied(d));
    }
    // Fields may be prefilled from the query string (`?account=…`,
    // `?lines[0].product=…`).
    let mut typed: HashMap<String, String> = PageQuery::parse(raw.as_deref()).0.into_iter().collect();
    // The fields' defaults are shown as chosen (a quote's status, its rounding).
    let schema = page.schema(kind);
    let mut defaults = Values::default();
    relata_core::input::apply_defaults(schema, &mut defaults);
    for field in editable(schema) {
        let value = defaults.get(field);
        if !value.is_null() {
            typed.entry(field.qualified_id().into_owned()).or_insert_with(|| form_text(value, page.locale));
        }
    }
    let view = FormView {
        heading: page.tr().t_with("form-new", &[("type", super::singular_label(&page, schema).into())]),
        action: format!("/{}", kind.api_name()),
        cancel_href: format!("/{}", kind.api_name()),
        version: None,
        typed: &typed,
        errors: &HashMap::new(),
        problem: None,
        reload_href: None,
    };
    show_form(&server, &page, kind, view, StatusCode::OK).await
}

/// `POST /{entity}`: creates from the form; on errors shows it again.
/// "Add lines" shows it again with more empty lines, saving nothing.
pub async fn create(State(server): S, path: PagePath, page: Page, body: Bytes) -> Response {
    let Some(kind) = kind_of(&page, &path.entity) else { return not_found(&page) };
    let form = read_form(&body);
    if !csrf_ok(&page, &form) {
        return csrf_refused(&page);
    }
    let schema = page.schema(kind);
    let (values, mut errors) = parse_form(schema, &form, (&page.ctx, page.locale), false);
    let (lines, rows, line_errors) = match &schema.def().lines {
        Some(def) => parse_form_lines(def, &form, (&page.ctx, page.locale)),
        None => (None, Vec::new(), HashMap::new()),
    };
    errors.extend(line_errors);
    if !errors.is_empty() {
        // Say at once what else is missing, as the API does.
        let mut with_defaults = values.clone();
        relata_core::input::apply_defaults(schema, &mut with_defaults);
        for missing in relata_core::input::missing_required(schema, &with_defaults) {
            let said = super::field_error_text(page.tr(), &missing);
            errors.entry(missing.field).or_insert(said);
        }
    }
    let (mut problem, mut refused) = (None, None);
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if form.contains_key("add_lines") {
        status = StatusCode::OK;
    } else if errors.is_empty() {
        match write::create_values(&server.app, &page.ctx, kind, values, lines.unwrap_or_default()).await {
            Ok(record) => return after_save(&form, format!("/{}/{}", kind.api_name(), record.id)),
            Err(AppError::Invalid(v)) => errors = on_form_rows(field_errors(page.tr(), &v), &rows),
            Err(e @ (AppError::Forbidden(_) | AppError::Denied(_))) => {
                problem = Some(super::error_text(&page, &e));
                refused = Some(e);
            }
            Err(e) => return app_error_page(&page, e),
        }
    }
    if status != StatusCode::OK {
        problem = problem.or_else(|| Some(page.tr().t("form-needs-attention")));
    }
    let view = FormView {
        heading: page.tr().t_with("form-new", &[("type", super::singular_label(&page, schema).into())]),
        action: format!("/{}", kind.api_name()),
        cancel_href: format!("/{}", kind.api_name()),
        version: None,
        typed: &form,
        errors: &errors,
        problem,
        reload_href: None,
    };
    super::audited(show_form(&server, &page, kind, view, status).await, refused)
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
    let mut typed: HashMap<String, String> = editable(schema)
        .into_iter()
        .map(|f| (f.qualified_id().into_owned(), form_text(record.values.get(f), page.locale)))
        .collect();
    if let Some(def) = &schema.def().lines {
        typed_lines(def, &record, page.locale, &mut typed);
    }
    let view = FormView {
        heading: page.tr().t_with("form-edit", &[("title", schema.title(&record).into())]),
        action: format!("/{}/{}", kind.api_name(), id),
        cancel_href: format!("/{}/{}", kind.api_name(), id),
        version: Some(record.version),
        typed: &typed,
        errors: &HashMap::new(),
        problem: None,
        reload_href: None,
    };
    show_form(&server, &page, kind, view, StatusCode::OK).await
}

/// `POST /{entity}/{id}`: saves the form if nobody changed the record
/// meanwhile; otherwise says who did and when, keeping what was typed.
pub async fn update(State(server): S, path: PagePath, page: Page, body: Bytes) -> Response {
    let Some(kind) = kind_of(&page, &path.entity) else { return not_found(&page) };
    let id = path.id.clone().unwrap_or_default();
    let form = read_form(&body);
    if !csrf_ok(&page, &form) {
        return csrf_refused(&page);
    }
    let Ok(id) = id.parse::<RecordId>() else { return not_found(&page) };
    let schema = page.schema(kind);
    let version: i64 = form.get("version").and_then(|v| v.parse().ok()).unwrap_or(0);
    let (values, mut errors) = parse_form(schema, &form, (&page.ctx, page.locale), true);
    let (lines, rows, line_errors) = match &schema.def().lines {
        Some(def) => parse_form_lines(def, &form, (&page.ctx, page.locale)),
        None => (None, Vec::new(), HashMap::new()),
    };
    errors.extend(line_errors);
    let (mut problem, mut refused) = (None, None);
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if form.contains_key("add_lines") {
        status = StatusCode::OK;
    } else if errors.is_empty() {
        match write::update_document_values(&server.app, &page.ctx, kind, id, values, lines, version).await {
            Ok(_) => return after_save(&form, format!("/{}/{}", kind.api_name(), id)),
            Err(AppError::Invalid(v)) => errors = on_form_rows(field_errors(page.tr(), &v), &rows),
            Err(e @ (AppError::Forbidden(_) | AppError::Denied(_))) => {
                problem = Some(super::error_text(&page, &e));
                status = StatusCode::FORBIDDEN;
                refused = Some(e);
            }
            Err(AppError::VersionConflict { .. }) => status = StatusCode::CONFLICT,
            Err(e) => return app_error_page(&page, e),
        }
    }
    // The record as it is now: the heading names it as its edit form does,
    // and a conflict says who changed it and when.
    let current = read::get(&server.app, &page.ctx, kind, id, false).await.ok().map(|(record, _)| record);
    if status == StatusCode::CONFLICT {
        problem = Some(match &current {
            Some(current) => {
                let titles = Titles::of(&server, &page, schema, &[current]).await;
                let by = current
                    .updated_by
                    .map(|u| titles.show(&FieldValue::Ref(u.uuid())).0)
                    .unwrap_or_else(|| page.tr().t("form-someone"));
                let time = page.locale.moment(&current.updated_at);
                page.tr().t_with("form-changed-by", &[("by", by.into()), ("time", time.into())])
            }
            None => page.tr().t("form-changed"),
        });
    }
    if status != StatusCode::OK {
        problem = problem.or_else(|| Some(page.tr().t("form-needs-attention")));
    }
    let edited_title = match &current {
        Some(record) => schema.title(record),
        None => super::singular_label(&page, schema),
    };
    let view = FormView {
        heading: page.tr().t_with("form-edit", &[("title", edited_title.into())]),
        action: format!("/{}/{}", kind.api_name(), id),
        cancel_href: format!("/{}/{}", kind.api_name(), id),
        version: Some(version),
        typed: &form,
        errors: &errors,
        problem,
        reload_href: (status == StatusCode::CONFLICT).then(|| format!("/{}/{}", kind.api_name(), id)),
    };
    super::audited(show_form(&server, &page, kind, view, status).await, refused)
}
