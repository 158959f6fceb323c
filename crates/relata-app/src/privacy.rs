//! GDPR: the consent ledger (per contact and channel, consent given or
//! withdrawn, with source, time and actor; history kept), the export of
//! everything stored about a person, and erasure by anonymisation that
//! keeps financial records and aggregates intact.

use crate::audit::{Event, audit_in};
use crate::error::AppError;
use crate::write::{missing_or_hidden, owner_of, update_document_in, update_in};
use crate::{App, Ctx, Schemas};
use relata_core::access::Right;
use relata_core::meta::{EntityKind, FieldDef, FieldType, Schema, Target};
use relata_core::value::{FieldValue, Values};
use relata_core::{FieldError, Record, RecordId, ValidationError};
use relata_store::ScopedConn;
use relata_store::audit::ConsentRow;
use serde_json::{Value as Json, json};

/// The channels consent is asked for.
pub const CHANNELS: [&str; 4] = ["email", "sms", "phone", "post"];
pub const STATUSES: [&str; 2] = ["given", "withdrawn"];

/// The contact's latest word on `channel` (`given`, `withdrawn`), if any.
pub async fn latest_consent(
    conn: &mut ScopedConn,
    contact: RecordId,
    channel: &str,
) -> Result<Option<String>, relata_store::StoreError> {
    let history = conn.consents_of(&contact.to_string()).await?;
    Ok(history.into_iter().rev().find(|c| c.channel == channel).map(|c| c.status))
}

/// Why the contact may not be reached over `channel` for `purpose`, if they
/// may not: they withdrew consent, or (for marketing) never gave it.
pub async fn refusal(
    conn: &mut ScopedConn,
    contact: RecordId,
    channel: &str,
    purpose: &str,
) -> Result<Option<String>, relata_store::StoreError> {
    Ok(match (purpose, latest_consent(conn, contact, channel).await?.as_deref()) {
        (_, Some("withdrawn")) => Some(format!("the contact withdrew consent to {channel}")),
        ("marketing", None) => Some(format!("the contact has not given consent to {channel}")),
        _ => None,
    })
}

/// Whether the contact's latest word on `channel` is consent given; no
/// entry means no consent.
pub async fn may_contact(conn: &mut ScopedConn, contact: RecordId, channel: &str) -> Result<bool, AppError> {
    Ok(latest_consent(conn, contact, channel).await?.as_deref() == Some("given"))
}

/// A consent given or withdrawn, appended to the ledger in `tx` and
/// audited; `ctx.actor` is who recorded it (none: the contact, by a link).
pub async fn append_consent_in(
    tx: &mut ScopedConn,
    ctx: &Ctx,
    contact: RecordId,
    channel: &str,
    status: &str,
    source: &str,
    note: Option<&str>,
) -> Result<ConsentRow, AppError> {
    let row = ConsentRow {
        id: uuid::Uuid::now_v7().to_string(),
        contact: contact.to_string(),
        channel: channel.to_string(),
        status: status.to_string(),
        source: source.to_string(),
        note: note.map(str::to_string),
        at: tx.now(),
        actor: ctx.actor.map(|a| a.to_string()),
    };
    tx.append_consent(&row).await?;
    audit_in(
        tx,
        ctx,
        Event::new("consent.change")
            .target("contact", contact)
            .details(json!({"channel": row.channel, "status": row.status, "source": row.source})),
    )
    .await?;
    Ok(row)
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

/// The entity type whose records are people whose data can be exported
/// and erased (contacts).
pub fn person_kind() -> EntityKind {
    EntityKind::all()
        .into_iter()
        .find(|k| k.def().person)
        .expect("a module describes the people customers are (crm: contacts)")
}

/// A readable person, or not found (refusal logged when hidden). Takes the
/// schemas rather than loading them while `conn` is held (see
/// [`crate::access::role_def`]).
async fn visible_person(
    conn: &mut ScopedConn,
    schemas: &Schemas,
    id: RecordId,
) -> Result<relata_core::Record, AppError> {
    let kind = person_kind();
    match conn.get_record(schemas.get(kind), id, false).await? {
        Some(r) => Ok(r),
        None => Err(missing_or_hidden(conn, kind, id).await),
    }
}

/// The consent ledger of one contact.
pub async fn consents(app: &App, ctx: &Ctx, contact: RecordId) -> Result<Vec<ConsentRow>, AppError> {
    ctx.access.check_kind(person_kind(), Right::Read)?;
    let schemas = app.schemas_for(ctx).await?;
    let mut conn = app.reader(ctx).await?;
    visible_person(&mut conn, &schemas, contact).await?;
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
    let schemas = app.schemas_for(ctx).await?;
    let mut tx = app.writer(ctx).await?;
    let record = visible_person(&mut tx, &schemas, contact).await?;
    ctx.access.check(person_kind(), Right::Update, owner_of(&record.values))?;
    let (channel, status, source) =
        (channel.unwrap_or_default(), status.unwrap_or_default(), source.unwrap_or_default());
    let row = append_consent_in(&mut tx, ctx, contact, channel, status, source, note).await?;
    tx.commit().await?;
    Ok(row)
}

/// Records and history entries per page of a personal-data export or an erasure.
const EXPORT_PAGE: u64 = 500;

/// A personal-data export that may be made: the person, read through the
/// caller's view by [`person_to_export`] (the only way to get one).
pub struct PersonExport {
    person: Record,
}

/// Refuses an export of `person` that may not be made (no export right, a
/// person out of reach), before anything is streamed.
pub async fn person_to_export(app: &App, ctx: &Ctx, person: RecordId) -> Result<PersonExport, AppError> {
    ctx.access.check_kind(person_kind(), Right::Export)?;
    let schemas = app.schemas_for(ctx).await?;
    let person = visible_person(&mut app.reader(ctx).await?, &schemas, person).await?;
    Ok(PersonExport { person })
}

/// Everything stored about a person, as one JSON document written to `sink`
/// page by page (memory stays bounded by the page, however long the
/// person's story): the person's record and change history, every record of
/// any type that links to them (by API name: activities, opportunities,
/// leads converted into them…), and the consent ledger. Audited when it
/// starts. Returns how many records and history entries went out.
pub async fn export_person_chunks(
    app: &App,
    ctx: &Ctx,
    export: PersonExport,
    sink: &mut impl crate::export::CsvSink,
) -> Result<u64, AppError> {
    let kind = person_kind();
    let schemas = app.schemas_for(ctx).await?;
    let record = export.person;
    let person = record.id;
    crate::audit::audit(app, ctx, Event::new("gdpr.export").target(kind.singular(), person)).await?;
    let mut out = Vec::new();
    let mut sent = 1;
    let piece = |value: &Json| serde_json::to_vec(value).unwrap_or_default();
    out.extend_from_slice(b"{\"exported_at\":");
    out.extend(piece(&json!(relata_core::value::format_datetime(&app.store.now()))));
    out.extend(format!(",{}:", json!(kind.singular())).into_bytes());
    out.extend(piece(&record.to_json(schemas.get(kind))));
    out.extend_from_slice(b",\"history\":[");
    let mut after = 0;
    let mut first = true;
    loop {
        let page = crate::read::history(app, ctx, kind, person, after, EXPORT_PAGE).await?;
        for change in &page {
            if !std::mem::take(&mut first) {
                out.push(b',');
            }
            out.extend(serde_json::to_vec(change).unwrap_or_default());
        }
        sent += page.len() as u64;
        sink.emit(std::mem::take(&mut out), sent).await?;
        match page.last() {
            Some(last) if page.len() as u64 == EXPORT_PAGE => after = last.seq,
            _ => break,
        }
    }
    out.push(b']');
    for schema in schemas.iter() {
        let links: Vec<&FieldDef> = schema.fields().filter(|f| is_link_to(f, kind)).collect();
        if links.is_empty() || ctx.access.check_kind(schema.kind, Right::Read).is_err() {
            continue;
        }
        out.extend(format!(",{}:[", json!(schema.kind.api_name())).into_bytes());
        let mut first = true;
        for (i, link) in links.iter().enumerate() {
            let mut before = None;
            loop {
                let page = linked_page(app, ctx, schema, link, person, before.take()).await?;
                for r in &page {
                    // One linked through an earlier field went out with it.
                    if links[..i].iter().any(|l| r.values.ref_id(&l.id) == Some(person.uuid())) {
                        continue;
                    }
                    if !std::mem::take(&mut first) {
                        out.push(b',');
                    }
                    out.extend(piece(&r.to_json(schema)));
                    sent += 1;
                }
                sink.emit(std::mem::take(&mut out), sent).await?;
                match page.last() {
                    Some(last) if page.len() as u64 == EXPORT_PAGE => {
                        before = Some((last.created_at, last.id.to_string()))
                    }
                    _ => break,
                }
            }
        }
        out.push(b']');
    }
    let consent_history = app.reader(ctx).await?.consents_of(&person.to_string()).await?;
    out.extend_from_slice(b",\"consents\":");
    out.extend(piece(&json!({"current": current(&consent_history), "history": consent_history})));
    out.push(b'}');
    sink.emit(out, sent).await?;
    Ok(sent)
}

/// A page of the live records of `schema`'s type that link to the person
/// through `link`, newest first, before `before`.
async fn linked_page(
    app: &App,
    ctx: &Ctx,
    schema: &Schema,
    link: &FieldDef,
    person: RecordId,
    before: Option<(chrono::DateTime<chrono::Utc>, String)>,
) -> Result<Vec<Record>, AppError> {
    let created = schema.fields().find(|f| f.id == "created_at").expect("a system field");
    let mut conn = app.reader(ctx).await?;
    Ok(conn.records_linked_before(schema, link, person, created, before, EXPORT_PAGE).await?)
}

fn is_link_to(field: &FieldDef, kind: EntityKind) -> bool {
    field.ty == FieldType::Relation(Target::Entity(kind))
}

/// The anonymised values of a record's personal fields (read-only ones
/// too: erasure is Relata's write): required ones become "Erased", the
/// others are cleared.
fn anonymised(schema: &Schema, record: &Record) -> Values {
    let mut patch = Values::default();
    for id in &schema.def().personal_fields {
        let Some(field) = schema.own_fields().iter().find(|f| f.id == *id) else { continue };
        if record.values.get(field).is_null() {
            continue;
        }
        let value = if field.required { FieldValue::Text("Erased".into()) } else { FieldValue::Null };
        patch.set(field, value);
    }
    patch
}

/// A document's lines with their personal fields anonymised like the
/// header's; `None` when the type keeps no personal data in lines.
async fn anonymised_lines(
    tx: &mut ScopedConn,
    schema: &Schema,
    id: RecordId,
) -> Result<Option<Vec<relata_core::document::LineInput>>, AppError> {
    let Some(def) = schema.def().lines.as_ref().filter(|l| !l.personal_fields.is_empty()) else { return Ok(None) };
    let stored = tx.get_record(schema, id, false).await?.and_then(|r| r.lines).unwrap_or_default();
    let lines = stored
        .iter()
        .map(|line| {
            let mut values = Values::default();
            for field in def.fields.iter().filter(|f| def.personal_fields.contains(&f.id)) {
                if !line.values.get(field).is_null() {
                    let erased = if field.required { FieldValue::Text("Erased".into()) } else { FieldValue::Null };
                    values.set(field, erased);
                }
            }
            relata_core::document::LineInput { id: Some(line.id), values }
        })
        .collect();
    Ok(Some(lines))
}

/// What an erasure changed: the person, and how many linked records of
/// each type (by API name) were anonymised.
#[derive(Debug, serde::Serialize)]
pub struct Erased {
    pub contact: RecordId,
    #[serde(flatten)]
    pub linked: std::collections::BTreeMap<&'static str, usize>,
    pub history_entries_redacted: u64,
}

/// Erases a person (administrators only): the personal fields of the
/// person's record and of every record linked to them are anonymised (as
/// each type's description names them), the files kept with them deleted,
/// and their change history redacted. Records without personal fields
/// (opportunities, amounts) stay, so counts and aggregates do. One
/// transaction.
///
/// The linked records are anonymised by Relata, whoever may see or write
/// them: mail private to the colleagues whose mailboxes logged it, and
/// types only Relata writes, are erased too.
pub async fn erase_person(app: &App, ctx: &Ctx, person: RecordId) -> Result<Erased, AppError> {
    ctx.access.require_admin()?;
    let kind = person_kind();
    let schemas = app.schemas(ctx.ws()).await?;
    let mut tx = app.writer(ctx).await?;
    tx.lift_visibility();
    let relata = Ctx::new(ctx.workspace.clone(), None);
    let person_schema = schemas.get(kind);
    let record = match tx.get_record(person_schema, person, false).await? {
        Some(r) => r,
        None => return Err(missing_or_hidden(&mut tx, kind, person).await),
    };
    let updated = update_in(&mut tx, ctx, person_schema, person, anonymised(person_schema, &record), None).await?;
    tx.delete_files(kind.singular(), person.uuid()).await?;
    tx.forget_dav_object(kind.singular(), person.uuid()).await?;
    let mut redacted = tx.redact_history(kind, person).await?;
    // Readers of the change feed have copies of what the redacted entries
    // said: redaction entries, after them in commit order, tell them to erase.
    let at = tx.now();
    tx.append_changes(vec![redaction(kind, &updated, ctx, at)]).await?;
    let mut linked = std::collections::BTreeMap::new();
    let holds_personal_data = |s: &&Schema| {
        !s.def().personal_fields.is_empty() || s.def().lines.as_ref().is_some_and(|l| !l.personal_fields.is_empty())
    };
    for schema in schemas.iter().filter(holds_personal_data) {
        let links: Vec<&FieldDef> = schema.fields().filter(|f| is_link_to(f, kind)).collect();
        let created = schema.fields().find(|f| f.id == "created_at").expect("a system field");
        let mut erased = 0;
        // Page by page (the newest first; erasure keeps creation times, so
        // the pages do not shift), each record once whichever field links it.
        for (i, link) in links.iter().enumerate() {
            let mut before = None;
            loop {
                let page = tx.records_linked_before(schema, link, person, created, before.take(), EXPORT_PAGE).await?;
                let mut page_redactions = Vec::new();
                for r in &page {
                    if links[..i].iter().any(|l| r.values.ref_id(&l.id) == Some(person.uuid())) {
                        continue;
                    }
                    let lines = anonymised_lines(&mut tx, schema, r.id).await?;
                    let updated =
                        update_document_in(&mut tx, &relata, schema, r.id, anonymised(schema, r), lines, None).await?;
                    tx.delete_files(schema.kind.singular(), r.id.uuid()).await?;
                    tx.forget_dav_object(schema.kind.singular(), r.id.uuid()).await?;
                    redacted += tx.redact_history(schema.kind, r.id).await?;
                    let at = tx.now();
                    page_redactions.push(redaction(schema.kind, &updated, ctx, at));
                    erased += 1;
                }
                // After the entries they redact, in commit order.
                tx.append_changes(page_redactions).await?;
                match page.last() {
                    Some(last) if page.len() as u64 == EXPORT_PAGE => {
                        before = Some((last.created_at, last.id.to_string()))
                    }
                    _ => break,
                }
            }
        }
        if !links.is_empty() {
            linked.insert(schema.kind.api_name(), erased);
        }
    }
    tx.forget_responses_mentioning(&person.to_string()).await?;
    let erased = Erased { contact: person, linked, history_entries_redacted: redacted };
    audit_in(
        &mut tx,
        ctx,
        Event::new("gdpr.erase").target(kind.singular(), person).details(json!({
            "linked": erased.linked, "history_entries_redacted": redacted,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(erased)
}

/// The change entry that tells readers of the feed to erase their copies of
/// what earlier entries said about `record`.
fn redaction(
    kind: EntityKind,
    record: &Record,
    ctx: &Ctx,
    at: chrono::DateTime<chrono::Utc>,
) -> relata_store::changes::NewChange {
    let owner = crate::write::owner_of(&record.values);
    relata_store::changes::NewChange {
        entity: kind.singular(),
        id: record.id,
        op: relata_store::changes::ChangeOp::Redact,
        actor: ctx.actor,
        at,
        diff: json!({}),
        version: record.version,
        owner_before: owner,
        owner_after: owner,
    }
}
