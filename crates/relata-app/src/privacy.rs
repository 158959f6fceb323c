//! GDPR: the consent ledger (per contact and channel, consent given or
//! withdrawn, with source, time and actor; history kept), the export of
//! everything stored about a person, and erasure by anonymisation that
//! keeps financial records and aggregates intact.

use crate::audit::{Event, audit_in};
use crate::error::AppError;
use crate::write::{missing_or_hidden, owner_of, update_in};
use crate::{App, Ctx};
use relata_core::access::Right;
use relata_core::meta::{EntityKind, FieldType};
use relata_core::record::now_micros;
use relata_core::value::{FieldValue, Values};
use relata_core::{FieldError, RecordId, ValidationError};
use relata_store::ScopedConn;
use relata_store::audit::ConsentRow;
use serde_json::{Value as Json, json};

/// The channels consent is asked for.
pub const CHANNELS: [&str; 4] = ["email", "sms", "phone", "post"];
pub const STATUSES: [&str; 2] = ["given", "withdrawn"];

/// Whether the contact's latest word on `channel` is consent given. Every
/// send over a channel asks this first; no entry means no consent.
pub async fn may_contact(conn: &mut ScopedConn, contact: RecordId, channel: &str) -> Result<bool, AppError> {
    let history = conn.consents_of(&contact.to_string()).await?;
    Ok(history.iter().rev().find(|c| c.channel == channel).is_some_and(|c| c.status == "given"))
}

/// The latest entry per channel.
pub fn current(history: &[ConsentRow]) -> Json {
    let mut out = serde_json::Map::new();
    for channel in CHANNELS {
        let latest = history.iter().rev().find(|c| c.channel == channel);
        out.insert(
            channel.to_string(),
            json!({
                "status": latest.map_or("unknown", |c| c.status.as_str()),
                "since": latest.map(|c| c.at),
                "source": latest.map(|c| c.source.clone()),
            }),
        );
    }
    Json::Object(out)
}

/// A readable contact, or not found (refusal logged when hidden).
async fn visible_contact(
    conn: &mut ScopedConn,
    app: &App,
    ctx: &Ctx,
    id: RecordId,
) -> Result<relata_core::Record, AppError> {
    let schemas = app.schemas_for(ctx).await?;
    match conn.get_record(schemas.get(EntityKind::Contact), id, false).await? {
        Some(r) => Ok(r),
        None => Err(missing_or_hidden(conn, EntityKind::Contact, id).await),
    }
}

/// The consent ledger of one contact.
pub async fn consents(app: &App, ctx: &Ctx, contact: RecordId) -> Result<Vec<ConsentRow>, AppError> {
    ctx.access.check_kind(EntityKind::Contact, Right::Read)?;
    let mut conn = app.reader(ctx).await?;
    visible_contact(&mut conn, app, ctx, contact).await?;
    Ok(conn.consents_of(&contact.to_string()).await?)
}

fn text_member<'a>(
    input: &'a Json,
    key: &str,
    errors: &mut Vec<FieldError>,
    max: usize,
    required: bool,
) -> Option<&'a str> {
    match input.get(key) {
        None | Some(Json::Null) if !required => None,
        Some(Json::String(s)) if !s.trim().is_empty() && s.chars().count() <= max => Some(s.trim()),
        _ => {
            errors.push(FieldError::new(key, "invalid", format!("text of 1 to {max} characters")));
            None
        }
    }
}

/// Records consent given or withdrawn: `{"channel", "status", "source", "note"?}`.
pub async fn record_consent(app: &App, ctx: &Ctx, contact: RecordId, input: &Json) -> Result<ConsentRow, AppError> {
    let mut errors = Vec::new();
    if let Json::Object(obj) = input {
        for key in obj.keys().filter(|k| !["channel", "status", "source", "note"].contains(&k.as_str())) {
            errors.push(FieldError::new(
                key.as_str(),
                "unknown_field",
                "a consent has channel, status, source and note",
            ));
        }
    } else {
        return Err(ValidationError::single("", "invalid_type", "the body must be a JSON object").into());
    }
    let channel = text_member(input, "channel", &mut errors, 20, true);
    if let Some(c) = channel.filter(|c| !CHANNELS.contains(c)) {
        errors.push(FieldError::new(
            "channel",
            "invalid_choice",
            format!("{c:?} is not one of {}", CHANNELS.join(", ")),
        ));
    }
    let status = text_member(input, "status", &mut errors, 20, true);
    if let Some(s) = status.filter(|s| !STATUSES.contains(s)) {
        errors.push(FieldError::new("status", "invalid_choice", format!("{s:?} is not given or withdrawn")));
    }
    let source = text_member(input, "source", &mut errors, 200, true);
    let note = text_member(input, "note", &mut errors, 2000, false);
    ValidationError::check(errors)?;
    let mut tx = app.writer(ctx).await?;
    let record = visible_contact(&mut tx, app, ctx, contact).await?;
    ctx.access.check(EntityKind::Contact, Right::Update, owner_of(&record.values))?;
    let row = ConsentRow {
        id: uuid::Uuid::now_v7().to_string(),
        contact: contact.to_string(),
        channel: channel.unwrap_or_default().to_string(),
        status: status.unwrap_or_default().to_string(),
        source: source.unwrap_or_default().to_string(),
        note: note.map(str::to_string),
        at: now_micros(),
        actor: ctx.actor.map(|a| a.to_string()),
    };
    tx.append_consent(&row).await?;
    audit_in(
        &mut tx,
        ctx,
        Event::new("consent.change")
            .target("contact", contact)
            .details(json!({"channel": row.channel, "status": row.status, "source": row.source})),
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// Everything stored about a person, as one JSON document: the contact, its
/// change history, the activities, opportunities and converted leads linked
/// to it, and the consent ledger.
pub async fn export_person(app: &App, ctx: &Ctx, contact: RecordId) -> Result<Json, AppError> {
    ctx.access.check_kind(EntityKind::Contact, Right::Export)?;
    let schemas = app.schemas_for(ctx).await?;
    let mut conn = app.reader(ctx).await?;
    let record = visible_contact(&mut conn, app, ctx, contact).await?;
    let history = crate::read::history(app, ctx, EntityKind::Contact, contact, 0, 100_000).await?;
    let linked = |kind: EntityKind, column: &'static str| {
        let schema = schemas.get(kind);
        async move {
            let mut conn = app.reader(ctx).await?;
            let records = conn.records_linked_before(schema, column, contact, "created_at", None, 100_000).await?;
            Ok::<Vec<Json>, AppError>(records.iter().map(|r| r.to_json(schema)).collect())
        }
    };
    let activities = linked(EntityKind::Activity, "contact_id").await?;
    let opportunities = linked(EntityKind::Opportunity, "primary_contact_id").await?;
    let leads = linked(EntityKind::Lead, "converted_contact_id").await?;
    let consent_history = conn.consents_of(&contact.to_string()).await?;
    drop(conn);
    crate::audit::audit(app, ctx, Event::new("gdpr.export").target("contact", contact)).await?;
    Ok(json!({
        "exported_at": relata_core::value::format_datetime(&now_micros()),
        "contact": record.to_json(schemas.get(EntityKind::Contact)),
        "history": history,
        "activities": activities,
        "opportunities": opportunities,
        "leads": leads,
        "consents": {"current": current(&consent_history), "history": consent_history},
    }))
}

/// The anonymised values of a record's personal fields: names become
/// "Erased", every other text-like, contact or date field is cleared.
fn anonymised(schema: &relata_core::meta::Schema, record: &relata_core::Record) -> Values {
    let mut patch = Values::default();
    for field in schema.fields().filter(|f| f.is_writable() && !f.system) {
        let personal = matches!(
            field.ty,
            FieldType::Text { .. }
                | FieldType::LongText
                | FieldType::Email
                | FieldType::Emails
                | FieldType::Phone
                | FieldType::Phones
                | FieldType::Date
        );
        if !personal || record.values.get(field).is_null() {
            continue;
        }
        let value = if field.required { FieldValue::Text("Erased".into()) } else { FieldValue::Null };
        patch.set(field, value);
    }
    patch
}

/// What an erasure changed.
#[derive(Debug, serde::Serialize)]
pub struct Erased {
    pub contact: RecordId,
    pub leads: usize,
    pub activities: usize,
    pub history_entries_redacted: u64,
}

/// Erases a person (administrators only): the contact's personal fields,
/// the leads it was converted from and the text of its activities are
/// anonymised, and their change history redacted. Opportunities, amounts and
/// the activities themselves (so counts and aggregates) stay. One transaction.
pub async fn erase_person(app: &App, ctx: &Ctx, contact: RecordId) -> Result<Erased, AppError> {
    ctx.access.require_admin()?;
    let schemas = app.schemas(ctx.ws()).await?;
    let mut tx = app.writer(ctx).await?;
    let contact_schema = schemas.get(EntityKind::Contact);
    let record = match tx.get_record(contact_schema, contact, false).await? {
        Some(r) => r,
        None => return Err(missing_or_hidden(&mut tx, EntityKind::Contact, contact).await),
    };
    let patch = anonymised(contact_schema, &record);
    update_in(&mut tx, ctx, contact_schema, contact, patch, None).await?;
    let mut redacted = tx.redact_history(EntityKind::Contact, contact).await?;

    let lead_schema = schemas.get(EntityKind::Lead);
    let leads =
        tx.records_linked_before(lead_schema, "converted_contact_id", contact, "created_at", None, 10_000).await?;
    for lead in &leads {
        update_in(&mut tx, ctx, lead_schema, lead.id, anonymised(lead_schema, lead), None).await?;
        redacted += tx.redact_history(EntityKind::Lead, lead.id).await?;
    }

    let activity_schema = schemas.get(EntityKind::Activity);
    let activities =
        tx.records_linked_before(activity_schema, "contact_id", contact, "created_at", None, 100_000).await?;
    for activity in &activities {
        let mut patch = Values::default();
        patch.set_std(
            "subject",
            FieldValue::Text(format!("{} (erased)", activity.values.text("kind").unwrap_or("activity"))),
        );
        patch.set_std("body", FieldValue::Null);
        patch.set_std("outcome", FieldValue::Null);
        update_in(&mut tx, ctx, activity_schema, activity.id, patch, None).await?;
        redacted += tx.redact_history(EntityKind::Activity, activity.id).await?;
    }
    tx.forget_responses_mentioning(&contact.to_string()).await?;
    let erased =
        Erased { contact, leads: leads.len(), activities: activities.len(), history_entries_redacted: redacted };
    audit_in(
        &mut tx,
        ctx,
        Event::new("gdpr.erase").target("contact", contact).details(json!({
            "leads": erased.leads, "activities": erased.activities, "history_entries_redacted": redacted,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(erased)
}
