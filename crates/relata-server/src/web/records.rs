//! Record pages: the record's facts, a summary, the records that point at it,
//! its story (the timeline of the 360 view), quick actions and its history.

use super::{
    Layout, Page, PagePath, PageQuery, S, Titles, app_error_page, csrf_ok, csrf_refused, kind_of, layout, message_page,
    not_found, read_form, render,
};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use relata_app::read::{self, ListParams};
use relata_app::timeline;
use relata_app::{AppError, write};
use relata_core::RecordId;
use relata_core::access::Right;
use relata_core::filter::Expr;
use relata_core::meta::{EntityKind, FieldType, Target};
use relata_core::value::{FieldValue, format_datetime};
use relata_crm::ACTIVITIES;
use relata_sales::{LEADS, OPPORTUNITIES};
use uuid::Uuid;

/// A value as a page shows it, with a link when it names a record.
type Shown = (String, Option<String>);

pub struct Fact {
    pub label: String,
    pub text: String,
    pub href: Option<String>,
}

pub struct TimelineEntry {
    /// When, for machines (`<time datetime>`).
    pub at: String,
    /// When, as the viewer reads it.
    pub at_shown: String,
    pub kind: String,
    pub title: String,
    pub href: Option<String>,
}

pub struct HistoryEntry {
    pub at: String,
    pub at_shown: String,
    pub op: String,
    pub actor: String,
    pub summary: String,
}

pub struct Related {
    pub kind: EntityKind,
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
    /// A document's lines: the column labels, and each line's cells.
    lines: Option<(Vec<String>, Vec<Vec<Shown>>)>,
    /// What the record's domain offers on its page (print, issue, …).
    actions: Vec<super::commerce::Action>,
    /// A case's comments and the form to answer it.
    conversation: Option<super::service::Conversation>,
}

/// The records that point at this one, a few of each kind: derived from
/// every relation field of the workspace's types that targets this type
/// (links Relata maintains itself, such as a lead's conversion, left out).
async fn related(server: &crate::Server, page: &Page, kind: EntityKind, id: RecordId) -> Vec<Related> {
    let ctx = &page.ctx;
    let mut out = Vec::new();
    for schema in page.schemas.iter() {
        if ctx.access.check_kind(schema.kind, Right::Read).is_err() {
            continue;
        }
        let links = schema
            .visible_fields()
            .filter(|f| f.ty == FieldType::Relation(Target::Entity(kind)) && f.is_writable() && !f.system);
        for link in links {
            let params = ListParams {
                conditions: vec![Expr::eq(&link.qualified_id(), id)],
                limit: Some(20),
                ..Default::default()
            };
            let Ok((p, _)) = read::list(&server.app, ctx, schema.kind, &params).await else { continue };
            let items =
                p.records.iter().map(|r| (format!("/{}/{}", schema.kind.api_name(), r.id), schema.title(r))).collect();
            let new_href = ctx
                .access
                .check_kind(schema.kind, Right::Create)
                .is_ok()
                .then(|| format!("/{}/new?{}={id}", schema.kind.api_name(), link.qualified_id()));
            let plural = super::plural_label(page, schema);
            let title = if link.id == kind.singular() { plural } else { format!("{plural} ({})", link.label) };
            out.push(Related { kind: schema.kind, title, items, new_href });
        }
    }
    out
}

/// A timeline item type as a heading (`Activities`, `Stage changes`) or,
/// `one`, as one item's kind (`activity`, `stage change`), in the reader's
/// language: an entity type's name, else the catalogue's `timeline-{type}`
/// or `timeline-one-{type}` (a module's own episodes).
fn item_label(page: &Page, item_type: &str, one: bool) -> String {
    match EntityKind::from_singular(item_type).and_then(|k| page.schemas.try_get(k)) {
        Some(schema) if one => super::singular_label(page, schema),
        Some(schema) => super::plural_label(page, schema),
        None => {
            let id = if one { format!("timeline-one-{item_type}") } else { format!("timeline-{item_type}") };
            page.tr().t_or(&id, &item_type.replace('_', " "))
        }
    }
}

/// `GET /{entity}/{id}`: the record, its timeline (the 360 view of a record
/// whose story others' episodes tell), quick actions and its change history.
pub async fn record(State(server): S, path: PagePath, page: Page, RawQuery(raw): RawQuery) -> Response {
    let Some(kind) = kind_of(&page, &path.entity) else { return not_found(&page) };
    let id = path.id.clone().unwrap_or_default();
    let show = PageQuery::parse(raw.as_deref()).get("show");
    let Ok(id) = id.parse::<RecordId>() else { return not_found(&page) };
    let (record, schemas) = match read::get(&server.app, &page.ctx, kind, id, false).await {
        Ok(found) => found,
        Err(e) => return app_error_page(&page, e),
    };
    let schema = schemas.get(kind);
    let titles = Titles::of(&server, &page, schema, &[&record]).await;
    // The record's own fields first, then who owns and changed it when.
    let facts = schema
        .visible_fields()
        .filter(|f| !f.system && f.id != "owner")
        .chain(schema.visible_fields().filter(|f| f.system || f.id == "owner"))
        .filter(|f| !matches!(f.ty, FieldType::Stages | FieldType::Id) && f.id != "deleted_at" && f.id != "version")
        .filter_map(|f| {
            let (text, href) = titles.field(&record, f);
            (!text.is_empty()).then(|| Fact { label: f.label.to_string(), text, href })
        })
        .collect();
    // Calls, meetings and notes can be logged on whatever activities link to.
    let activity_link = page.schemas.try_get(ACTIVITIES).and_then(|activities| {
        activities.visible_fields().find(|f| f.ty == FieldType::Relation(Target::Entity(kind))).map(|f| f.id.clone())
    });
    let can_log = page.ctx.access.check_kind(ACTIVITIES, Right::Create).is_ok();
    let quick_links = match activity_link {
        Some(field) if can_log => vec![
            (field.to_string(), record.id.to_string()),
            ("return_to".to_string(), format!("/{}/{}", kind.api_name(), record.id)),
        ],
        _ => Vec::new(),
    };
    let has_timeline = timeline::has_timeline(&schemas, kind);
    let items = if has_timeline {
        match timeline::timeline(&server.app, &page.ctx, kind, id, None, 50).await {
            Ok(t) => t.items,
            Err(e) => return app_error_page(&page, e),
        }
    } else {
        Vec::new()
    };
    let mut item_types: Vec<&'static str> = items.iter().map(|i| i.item_type).collect();
    item_types.sort();
    item_types.dedup();
    let timeline: Vec<TimelineEntry> = items
        .iter()
        .filter(|i| show.is_empty() || i.item_type == show)
        .map(|i| TimelineEntry {
            at: format_datetime(&i.at),
            at_shown: page.locale.moment(&i.at),
            kind: item_label(&page, i.item_type, true),
            title: i.title.clone(),
            href: EntityKind::from_singular(i.item_type).map(|k| format!("/{}/{}", k.api_name(), i.id)),
        })
        .collect();
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
                HistoryEntry {
                    at: format_datetime(&c.at),
                    at_shown: page.locale.moment(&c.at),
                    op: page.tr().t(&format!("history-{}", c.op)),
                    actor,
                    summary: fields.join(", "),
                }
            })
            .collect(),
        Err(e) => return app_error_page(&page, e),
    };
    let title = schema.title(&record);
    let here = format!("/{}/{}", kind.api_name(), record.id);
    let mut timeline_filters = vec![(here.clone(), page.tr().t("record-everything"), show.is_empty())];
    timeline_filters
        .extend(item_types.iter().map(|t| (format!("{here}?show={t}"), item_label(&page, t, false), show == *t)));
    let convert_href =
        (kind == LEADS && record.values.std("converted_at").is_null()).then(|| format!("/leads/{}/convert", record.id));
    let mut related = related(&server, &page, kind, id).await;
    let conversation = super::service::conversation(&server, &page, &record).await;
    if conversation.is_some() {
        // The conversation shows the comments in full.
        related.retain(|group| group.kind != relata_service::entities::CASE_COMMENTS);
    }
    let mut key_facts = Vec::new();
    for field in ["lifecycle", "status", "stage", "amount", "priority", "sla_status", "resolution_due", "owner"] {
        if let Some(f) = schema.field(field) {
            let (text, _) = titles.field(&record, f);
            if !text.is_empty() {
                key_facts.push((f.label.to_string(), text));
            }
        }
    }
    // The open pipeline of a customer whose story opportunities are part of.
    let opportunity_link = page.schemas.try_get(OPPORTUNITIES).and_then(|opportunities| {
        let links = opportunities.def().episode.as_ref()?;
        opportunities
            .visible_fields()
            .find(|f| links.links.contains(&f.id) && f.ty == FieldType::Relation(Target::Entity(kind)))
            .map(|f| f.id.to_string())
    });
    if let Some(link) = opportunity_link {
        let conditions = [Expr::eq(&link, id), Expr::eq("status", "open")];
        if let Ok(sums) = read::money_totals(&server.app, &page.ctx, OPPORTUNITIES, None, &conditions, "amount").await {
            let count: i64 = sums.iter().map(|(_, _, n)| n).sum();
            let value: Vec<String> = sums
                .iter()
                .filter(|(c, _, _)| !c.is_empty())
                .map(|(c, minor, _)| page.locale.money(*minor, c))
                .collect();
            let tr = page.tr();
            let text = if value.is_empty() {
                page.locale.integer(count)
            } else {
                tr.t_with("record-open-worth", &[("count", count.into()), ("worth", value.join(" + ").into())])
            };
            key_facts.push((tr.t("record-open-opportunities"), text));
        }
        if let Some(last) = timeline.iter().find(|t| t.kind == "activity") {
            key_facts.push((page.tr().t("record-last-contact"), format!("{} ({})", last.at_shown, last.title)));
        }
    }
    let lines = schema.def().lines.as_ref().zip(record.lines.as_ref()).map(|(def, lines)| {
        let labels = def.fields.iter().map(|f| f.label.to_string()).collect();
        let rows =
            lines.iter().map(|l| def.fields.iter().map(|f| titles.value(f, l.values.get(f))).collect()).collect();
        (labels, rows)
    });
    let mut actions = super::commerce::actions(&page, schema, &record);
    actions.extend(super::automation::actions(&page, schema, &record));
    actions.extend(super::service::actions(&page, schema, &record));
    actions.extend(super::calls::dial_actions(&server, &page, schema, &record).await);
    let template = RecordPage {
        actions,
        conversation,
        lines,
        key_facts,
        convert_href,
        related,
        timeline_filters,
        layout: layout(&page, &title, Some(kind)),
        title: if title.is_empty() { schema.def().label.to_string() } else { title },
        edit_href: format!("/{}/{}/edit", kind.api_name(), record.id),
        facts,
        quick_links,
        has_timeline,
        timeline,
        history,
    };
    render(&template, StatusCode::OK)
}

/// `POST /{entity}/{id}/status`: the status buttons of record pages; the
/// record moves if nobody changed it meanwhile and the move is allowed.
pub async fn set_status(State(server): S, path: PagePath, page: Page, body: Bytes) -> Response {
    let form = read_form(&body);
    if !csrf_ok(&page, &form) {
        return csrf_refused(&page);
    }
    let Some(kind) = super::kind_of(&page, &path.entity) else { return not_found(&page) };
    let Some(id) = super::record_id(&path) else { return not_found(&page) };
    let schema = page.schema(kind);
    let Some(field) = schema.field("status") else { return not_found(&page) };
    let asked = form.get("status").cloned().unwrap_or_default();
    let value = match relata_core::value::parse_text(field, &asked, &page.ctx.parse) {
        Ok(v) => v,
        Err(e) => {
            let said = super::field_error_text(page.tr(), &e);
            return message_page(&page, StatusCode::UNPROCESSABLE_ENTITY, "not-done", &said);
        }
    };
    let mut patch = relata_core::value::Values::default();
    patch.set(field, value);
    let version = form.get("version").and_then(|v| v.parse().ok()).unwrap_or(0);
    match write::update_values(&server.app, &page.ctx, kind, id, patch, version).await {
        Ok(_) => super::see_other(format!("/{}/{id}", kind.api_name())),
        Err(AppError::VersionConflict { .. }) => {
            message_page(&page, StatusCode::CONFLICT, "changed-meanwhile", &page.tr().t("record-changed-meanwhile"))
        }
        Err(e) => super::app_error_page(&page, e),
    }
}
