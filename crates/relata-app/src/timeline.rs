//! The 360 view: every episode linked to an account or contact, newest
//! first, merged from each source with keyset paging on (time, id).

use crate::error::AppError;
use crate::{App, Ctx};
use chrono::{DateTime, Utc};
use cursor::{decode_cursor, encode_cursor};
use relata_core::RecordId;
use relata_core::meta::EntityKind;
use relata_core::value::format_datetime;
use serde::Serialize;
use serde_json::{Value as Json, json};

/// One episode of the customer's story.
#[derive(Clone, Debug, Serialize)]
pub struct TimelineItem {
    pub at: DateTime<Utc>,
    /// `activity`, `opportunity` or `stage_change`.
    #[serde(rename = "type")]
    pub item_type: &'static str,
    pub id: String,
    pub title: String,
    pub record: Json,
}

pub struct TimelinePage {
    pub items: Vec<TimelineItem>,
    pub next_cursor: Option<String>,
}

/// Timeline cursors are "<microseconds>~<id>": URL-safe, validated on the way back.
mod cursor {
    use chrono::{DateTime, Utc};

    pub fn encode_cursor(at: &DateTime<Utc>, id: &str) -> String {
        format!("{}~{id}", at.timestamp_micros())
    }

    pub fn decode_cursor(s: &str) -> Option<(DateTime<Utc>, String)> {
        let (micros, id) = s.split_once('~')?;
        let at = DateTime::from_timestamp_micros(micros.parse().ok()?)?;
        uuid::Uuid::parse_str(id).ok()?;
        Some((at, id.to_string()))
    }
}

pub async fn timeline(
    app: &App,
    ctx: &Ctx,
    kind: EntityKind,
    id: RecordId,
    cursor: Option<&str>,
    limit: u64,
) -> Result<TimelinePage, AppError> {
    let schemas = app.schemas_for(ctx).await?;
    let before = match cursor.filter(|c| !c.is_empty()) {
        Some(c) => Some(
            decode_cursor(c)
                .ok_or_else(|| AppError::BadParameter("cursor", "cursor is not one this server issued".into()))?,
        ),
        None => None,
    };
    ctx.access.check_kind(kind, relata_core::access::Right::Read)?;
    let mut conn = app.reader(ctx).await?;
    if conn.get_record(schemas.get(kind), id, false).await?.is_none() {
        return Err(crate::write::missing_or_hidden(&mut conn, kind, id).await);
    }
    let (activity_link, opportunity_link) = match kind {
        EntityKind::Account => ("account_id", "account_id"),
        EntityKind::Contact => ("contact_id", "primary_contact_id"),
        _ => return Err(AppError::NotFound),
    };
    let activities_schema = schemas.get(EntityKind::Activity);
    let opportunities_schema = schemas.get(EntityKind::Opportunity);
    let activities =
        conn.records_linked_before(activities_schema, activity_link, id, "occurred_at", before.clone(), limit).await?;
    let opportunities = conn
        .records_linked_before(opportunities_schema, opportunity_link, id, "created_at", before.clone(), limit)
        .await?;
    // Stage changes of every opportunity of the customer (not only this page's).
    let all_opportunities =
        conn.records_linked_before(opportunities_schema, opportunity_link, id, "created_at", None, 1000).await?;
    let ids: Vec<String> = all_opportunities.iter().map(|o| o.id.to_string()).collect();
    let stage_changes = conn.stage_changes_of(&ids).await?;

    let mut items: Vec<TimelineItem> = Vec::new();
    items.extend(activities.iter().map(|a| TimelineItem {
        at: match a.values.std("occurred_at") {
            relata_core::value::FieldValue::DateTime(t) => *t,
            _ => a.created_at,
        },
        item_type: "activity",
        id: a.id.to_string(),
        title: a.title(),
        record: a.to_json(activities_schema),
    }));
    items.extend(opportunities.iter().map(|o| TimelineItem {
        at: o.created_at,
        item_type: "opportunity",
        id: o.id.to_string(),
        title: o.title(),
        record: o.to_json(opportunities_schema),
    }));
    let names: std::collections::HashMap<String, String> =
        all_opportunities.iter().map(|o| (o.id.to_string(), o.title())).collect();
    items.extend(stage_changes.iter().map(|c| TimelineItem {
        at: c.changed_at,
        item_type: "stage_change",
        id: c.id.to_string(),
        title: format!(
            "{}: {} → {}",
            names.get(&c.opportunity.to_string()).cloned().unwrap_or_default(),
            c.from_stage.as_deref().unwrap_or("(new)"),
            c.to_stage
        ),
        record: json!({
            "opportunity": c.opportunity,
            "pipeline": c.pipeline,
            "from_stage": c.from_stage,
            "to_stage": c.to_stage,
            "changed_at": format_datetime(&c.changed_at),
            "changed_by": c.changed_by,
            "amount": c.amount,
        }),
    }));
    if let Some((at, id)) = &before {
        items.retain(|i| (i.at, i.id.as_str()) < (*at, id.as_str()));
    }
    items.sort_by(|a, b| (b.at, &b.id).cmp(&(a.at, &a.id)));
    let more = items.len() as u64 > limit;
    items.truncate(limit as usize);
    let next_cursor = if more { items.last().map(|i| encode_cursor(&i.at, &i.id)) } else { None };
    Ok(TimelinePage { items, next_cursor })
}
