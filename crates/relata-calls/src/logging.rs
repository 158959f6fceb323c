//! Logging a call: what it came to (`reached`, `no_answer`, `busy`,
//! `wrong_number`, `call_back` at a time), notes and a follow-up task, for
//! a call to make (`POST /api/v1/call_queue_entries/{id}/outcome`) or for a
//! phone call the switch reported (`POST /api/v1/phone_calls/{id}/log`).
//! Either way the customer's timeline gets one call activity, timed by the
//! switch's events when there was a phone call (answered to ended, else
//! rang to ended), the phone call names the activity it was logged as, and
//! the call to make behind it is closed or due again.

use crate::telephony::PHONE_CALLS;
use crate::{CALL_QUEUE_ENTRIES, OUTCOMES, RETRY_AFTER};
use chrono::{DateTime, Utc};
use relata_app::error::AppError;
use relata_app::{App, Ctx};
use relata_core::access::Right;
use relata_core::error::FieldError;
use relata_core::filter::{Filter, Op};
use relata_core::meta::Schema;
use relata_core::value::{FieldValue, Values};
use relata_core::{Record, RecordId, ValidationError};
use relata_crm::ACTIVITIES;
use relata_store::ScopedConn;

/// What an agent says about a call.
#[derive(Debug, Default)]
pub struct Outcome {
    pub outcome: String,
    pub note: Option<String>,
    pub call_back_at: Option<DateTime<Utc>>,
    /// A task to do after the call.
    pub follow_up: Option<FollowUp>,
}

#[derive(Debug)]
pub struct FollowUp {
    pub subject: String,
    pub due_at: DateTime<Utc>,
}

/// What is logged: a call to make, or a phone call.
#[derive(Clone, Copy, Debug)]
pub enum CallToLog {
    Entry(RecordId),
    PhoneCall(RecordId),
}

/// What logging made and changed.
pub struct Logged {
    /// The call to make behind the call, after logging.
    pub entry: Option<Record>,
    pub activity: Record,
    pub phone_call: Option<Record>,
    pub follow_up: Option<Record>,
    /// A call to make for `call_back` on a phone call no entry was behind.
    pub call_back: Option<Record>,
}

fn check(said: &Outcome, now: DateTime<Utc>) -> Result<(), ValidationError> {
    let mut errors = Vec::new();
    if !OUTCOMES.contains(&said.outcome.as_str()) {
        errors.push(FieldError::new("outcome", "invalid_choice", format!("one of {}", OUTCOMES.join(", "))));
    }
    match (said.outcome.as_str(), said.call_back_at) {
        ("call_back", None) => errors.push(FieldError::new("call_back_at", "required", "when to call back")),
        ("call_back", Some(at)) if at <= now => {
            errors.push(FieldError::new("call_back_at", "in_the_past", "a time still to come"))
        }
        _ => {}
    }
    if said.note.as_ref().is_some_and(|n| n.len() > 10_000) {
        errors.push(FieldError::new("note", "too_long", "at most 10000 bytes"));
    }
    if let Some(task) = &said.follow_up {
        if task.subject.trim().is_empty() || task.subject.chars().count() > 200 {
            errors.push(FieldError::new("follow_up.subject", "invalid", "what to do: 1 to 200 characters"));
        }
        if task.due_at <= now {
            errors.push(FieldError::new("follow_up.due_at", "in_the_past", "a time still to come"));
        }
    }
    ValidationError::check(errors)
}

/// Logs a call (see the module's description), all or nothing.
pub async fn log(app: &App, ctx: &Ctx, target: CallToLog, said: Outcome) -> Result<Logged, AppError> {
    let now = app.store.now();
    check(&said, now)?;
    let schemas = app.schemas_for(ctx).await?;
    let mut tx = app.writer(ctx).await?;
    let (entry, phone_call) = match target {
        CallToLog::Entry(id) => {
            let entry = open_entry(&mut tx, ctx, id).await?;
            let call = dialled_for(&mut tx, id).await?;
            (Some(entry), call)
        }
        CallToLog::PhoneCall(id) => {
            let Some(call) = tx.get_record(schemas.get(PHONE_CALLS), id, false).await? else {
                return Err(relata_app::write::missing_or_hidden(&mut tx, PHONE_CALLS, id).await);
            };
            if call.values.ref_id("activity").is_some() {
                return Err(AppError::conflict("refuse-call-logged", vec![]));
            }
            // The entry the dialler called, while it is open and the agent's.
            let entry = match call.values.ref_id("call_queue_entry") {
                Some(entry) => open_entry(&mut tx, ctx, RecordId::from_uuid(entry)).await.ok(),
                None => None,
            };
            (entry, Some(call))
        }
    };
    ctx.access.check_kind(ACTIVITIES, Right::Create)?;
    let about = entry.as_ref().or(phone_call.as_ref()).expect("an entry or a call");
    let links = links_of(about, phone_call.as_ref());
    if links.is_empty() {
        let message =
            "the caller is no one the CRM knows: make them a contact or a lead first (the call page offers it)";
        return Err(ValidationError::single("contact", "unknown_caller", message).into());
    }
    let activity = call_activity(entry.as_ref(), phone_call.as_ref(), &said, now, &links);
    // The entry or the call vouches for whom it is with: an agent given a
    // list's calls, or a call to their extension, logs it against
    // customers they might not otherwise see.
    let lifted = tx.lift_visibility();
    let made = async {
        let activity = relata_app::write::create_in(&mut tx, ctx, schemas.get(ACTIVITIES), activity).await?;
        let follow_up = match &said.follow_up {
            Some(task) => Some(follow_up(&mut tx, ctx, &schemas, task, &links).await?),
            None => None,
        };
        Ok::<_, AppError>((activity, follow_up))
    }
    .await;
    tx.restore_visibility(lifted);
    let (activity, follow_up) = made?;
    let relata = Ctx::new(ctx.workspace.clone(), ctx.actor);
    let entry = match entry {
        Some(entry) => Some(record_attempt(&mut tx, &relata, &entry, &said, now).await?),
        None => None,
    };
    let call_back = match (&entry, &phone_call, said.call_back_at) {
        (None, Some(call), Some(at)) if said.outcome == "call_back" => {
            Some(call_back(&mut tx, ctx, &schemas, call, at, &links).await?)
        }
        _ => None,
    };
    let phone_call = match phone_call {
        Some(call) => Some(mark_logged(&mut tx, ctx, &call, &activity, entry.as_ref()).await?),
        None => None,
    };
    tx.commit().await?;
    Ok(Logged { entry, activity, phone_call, follow_up, call_back })
}

/// The call activity: about the entry's reason (else the number), timed
/// by the phone call (else now), with the agent's notes, linked to whom
/// the call was with.
fn call_activity(
    entry: Option<&Record>,
    call: Option<&Record>,
    said: &Outcome,
    now: DateTime<Utc>,
    links: &[(&'static str, uuid::Uuid)],
) -> Values {
    let mut activity = Values::default();
    activity.set_std("kind", FieldValue::Text("call".into()));
    let what = match entry {
        Some(e) => e.values.text("reason").unwrap_or_default().to_string(),
        None => call.map(number_of).unwrap_or_default(),
    };
    let label = said.outcome.replace('_', " ");
    activity.set_std("subject", FieldValue::Text(format!("Call: {what} ({label})").chars().take(200).collect()));
    let direction = call.and_then(|c| c.values.text("direction")).unwrap_or("outbound");
    activity.set_std("direction", FieldValue::Text(direction.into()));
    activity.set_std("done", FieldValue::Bool(true));
    activity.set_std("outcome", FieldValue::Text(said.outcome.clone()));
    let (start, end) = call.map(talked).unwrap_or((None, None));
    activity.set_std("start_at", FieldValue::DateTime(start.unwrap_or(now)));
    if let Some(end) = end {
        activity.set_std("end_at", FieldValue::DateTime(end));
    }
    if let Some(note) = said.note.as_ref().filter(|n| !n.trim().is_empty()) {
        activity.set_std("body", FieldValue::Text(note.clone()));
    }
    for (field, to) in links {
        activity.set_std(field, FieldValue::Ref(*to));
    }
    activity
}

/// The phone call names the activity it was logged as (and the entry it
/// was made for, when it did not yet); Relata's to write.
async fn mark_logged(
    tx: &mut ScopedConn,
    ctx: &Ctx,
    call: &Record,
    activity: &Record,
    entry: Option<&Record>,
) -> Result<Record, AppError> {
    let mut patch = Values::default();
    patch.set_std("activity", FieldValue::Ref(activity.id.uuid()));
    if call.values.ref_id("call_queue_entry").is_none()
        && let Some(e) = entry
    {
        patch.set_std("call_queue_entry", FieldValue::Ref(e.id.uuid()));
    }
    let system = Ctx::new(ctx.workspace.clone(), None);
    let schema = Schema::standard(PHONE_CALLS);
    relata_app::write::update_in(tx, &system, &schema, call.id, patch, Some(call.version)).await
}

/// An open call to make the caller may work.
async fn open_entry(tx: &mut ScopedConn, ctx: &Ctx, id: RecordId) -> Result<Record, AppError> {
    let Some(entry) = tx.get_record(&Schema::standard(CALL_QUEUE_ENTRIES), id, false).await? else {
        return Err(relata_app::write::missing_or_hidden(tx, CALL_QUEUE_ENTRIES, id).await);
    };
    ctx.access.check(CALL_QUEUE_ENTRIES, Right::Update, relata_app::write::owner_of(&entry.values))?;
    if entry.values.text("status") != Some("open") {
        return Err(AppError::conflict("refuse-call-not-open", vec![]));
    }
    Ok(entry)
}

/// The phone call last dialled for an entry and not yet logged.
pub async fn dialled_for(tx: &mut ScopedConn, entry: RecordId) -> Result<Option<Record>, AppError> {
    let schema = Schema::standard(PHONE_CALLS);
    let filter = Filter::Compare {
        field: schema.field("call_queue_entry").expect("a field of phone calls"),
        op: Op::Eq,
        value: FieldValue::Ref(entry.uuid()),
    };
    let lifted = tx.lift_visibility();
    let calls = relata_app::read::every_in(tx, &schema, filter).await;
    tx.restore_visibility(lifted);
    let unlogged = calls?.into_iter().filter(|c| c.values.ref_id("activity").is_none());
    Ok(unlogged.max_by_key(|c| c.created_at))
}

/// The other party's number of a phone call.
pub(crate) fn number_of(call: &Record) -> String {
    let field = if call.values.text("direction") == Some("outbound") { "to_number" } else { "from_number" };
    call.values.text(field).unwrap_or_default().to_string()
}

/// When a phone call's talk began (the answer, else the ringing) and ended.
fn talked(call: &Record) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    let start = call.values.datetime("answered_at").or(call.values.datetime("rang_at"));
    (start, call.values.datetime("ended_at"))
}

/// Whom a call was with: the entry's contact and account, else the phone
/// call's, and the phone call's lead.
fn links_of(about: &Record, call: Option<&Record>) -> Vec<(&'static str, uuid::Uuid)> {
    let mut links = Vec::new();
    for field in ["contact", "account", "lead"] {
        if let Some(to) = about.values.ref_id(field).or_else(|| call.and_then(|c| c.values.ref_id(field))) {
            links.push((field, to));
        }
    }
    links
}

async fn follow_up(
    tx: &mut ScopedConn,
    ctx: &Ctx,
    schemas: &relata_app::Schemas,
    task: &FollowUp,
    links: &[(&'static str, uuid::Uuid)],
) -> Result<Record, AppError> {
    let mut values = Values::default();
    values.set_std("kind", FieldValue::Text("task".into()));
    values.set_std("subject", FieldValue::Text(task.subject.trim().to_string()));
    values.set_std("due_at", FieldValue::DateTime(task.due_at));
    for (field, to) in links {
        values.set_std(field, FieldValue::Ref(*to));
    }
    relata_app::write::create_in(tx, ctx, schemas.get(ACTIVITIES), values).await
}

/// A call to make when a caller asked to be called back.
async fn call_back(
    tx: &mut ScopedConn,
    ctx: &Ctx,
    schemas: &relata_app::Schemas,
    call: &Record,
    at: DateTime<Utc>,
    links: &[(&'static str, uuid::Uuid)],
) -> Result<Record, AppError> {
    let mut values = Values::default();
    let number = number_of(call);
    values.set_std("reason", FieldValue::Text(format!("Call back {number}")));
    values.set_std("due_at", FieldValue::DateTime(at));
    if !number.is_empty() {
        values.set_std("phone", FieldValue::Text(number));
    }
    for (field, to) in links.iter().filter(|(f, _)| *f != "lead") {
        values.set_std(field, FieldValue::Ref(*to));
    }
    if links.iter().all(|(f, _)| *f == "lead") {
        let message = "a call back is to a contact or an account: convert the lead first";
        return Err(ValidationError::single("outcome", "lead_only", message).into());
    }
    relata_app::write::create_in(tx, ctx, schemas.get(CALL_QUEUE_ENTRIES), values).await
}

/// An entry's attempt: counted, and the entry closed (reached, wrong
/// number) or due again (an hour later, or when the customer asked).
async fn record_attempt(
    tx: &mut ScopedConn,
    relata: &Ctx,
    entry: &Record,
    said: &Outcome,
    now: DateTime<Utc>,
) -> Result<Record, AppError> {
    let mut patch = Values::default();
    patch.set_std("attempts", FieldValue::Int(entry.values.int("attempts").unwrap_or(0) + 1));
    patch.set_std("last_outcome", FieldValue::Text(said.outcome.clone()));
    patch.set_std("last_called_at", FieldValue::DateTime(now));
    match said.outcome.as_str() {
        "reached" | "wrong_number" => patch.set_std("status", FieldValue::Text("done".into())),
        "call_back" => patch.set_std("due_at", FieldValue::DateTime(said.call_back_at.unwrap_or(now))),
        _ => patch.set_std("due_at", FieldValue::DateTime(now + RETRY_AFTER)),
    }
    let schema = Schema::standard(CALL_QUEUE_ENTRIES);
    relata_app::write::update_in(tx, relata, &schema, entry.id, patch, Some(entry.version)).await
}
