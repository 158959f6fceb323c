//! Email-to-case: the service desk's mailboxes, read over IMAP like a
//! person's (`relata_channels::mailbox`), from a checkpoint per folder. A
//! new message opens a case (the sender matched to a contact by address,
//! else kept on the case as its requester); a reply (by `In-Reply-To` or
//! `References` to the desk's own reply or to an earlier message, or by a
//! case number in the subject) is threaded into its case and brings it
//! back to work. Every message is a customer comment with its Message-ID
//! and its attachments; none is taken twice (the checkpoint moves in the
//! batch's transaction, and a Message-ID already taken is skipped).

use crate::entities::{CASE_COMMENTS, CASES};
use relata_app::audit::{Event, audit_in};
use relata_app::jobs::{JobError, JobHandler};
use relata_app::module::BoxFuture;
use relata_app::{App, AppError, Ctx};
use relata_channels::mailbox::{
    Checkpoint, Mail, MailSink, MailboxSettings, SyncError, checkpoint_at, keep_outcome, parse_batch,
    put_reading_schedule, read_mailbox, save_checkpoint,
};
use relata_core::error::{FieldError, ValidationError};
use relata_core::filter::{Filter, Op};
use relata_core::meta::Schema;
use relata_core::value::{FieldValue, Values};
use relata_core::{Record, RecordId};
use relata_store::ScopedConn;
use relata_store::files::NewFile;
use relata_store::jobs::{Job, NewJob};
use serde_json::{Map, Value as Json, json};
use std::collections::HashSet;
use uuid::Uuid;

pub const MAIL_JOB: &str = "service.mail";
const SETTING: &str = "service.mailboxes";

fn checkpoint_name(mailbox: &str, folder: &str) -> String {
    format!("service.mail.checkpoint.{mailbox}.{folder}")
}

fn state_name(mailbox: &str) -> String {
    format!("service.mail.state.{mailbox}")
}

/// A desk mailbox: the server and folders, the desk's address, and what a
/// case it opens starts with.
pub struct DeskMailbox {
    pub name: String,
    pub settings: MailboxSettings,
    pub team: Option<Uuid>,
    pub category: Option<String>,
    /// What a customer's reply to a closed case does: `reopen` it, or open a
    /// `new_case` linked to it.
    pub closed_replies: String,
}

pub const CLOSED_REPLIES: &[&str] = &["reopen", "new_case"];

/// One of `options` as `field`, if given; else a field error.
fn choice_of(value: Option<&Json>, field: &str, options: &[&str], errors: &mut Vec<FieldError>) -> Option<String> {
    let value = value.filter(|v| !v.is_null())?;
    match value.as_str().filter(|v| options.contains(v)) {
        Some(v) => Some(v.to_string()),
        None => {
            errors.push(FieldError::new(field, "invalid_choice", format!("one of {}", options.join(", "))));
            None
        }
    }
}

fn valid_name(name: &str) -> bool {
    (1..=40).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

async fn stored(conn: &mut ScopedConn) -> Result<Map<String, Json>, AppError> {
    Ok(match conn.setting(SETTING).await? {
        Some(Json::Object(m)) => m,
        _ => Map::new(),
    })
}

fn from_stored(name: &str, v: &Json) -> Option<DeskMailbox> {
    Some(DeskMailbox {
        name: name.to_string(),
        settings: MailboxSettings::from_stored(v)?,
        team: v.get("team").and_then(Json::as_str).and_then(|t| t.parse().ok()),
        category: v.get("category").and_then(Json::as_str).map(str::to_string),
        closed_replies: v.get("closed_replies").and_then(Json::as_str).unwrap_or("reopen").to_string(),
    })
}

pub async fn mailbox(conn: &mut ScopedConn, name: &str) -> Result<Option<DeskMailbox>, AppError> {
    Ok(stored(conn).await?.get(name).and_then(|v| from_stored(name, v)))
}

fn public_json(mailbox: &DeskMailbox) -> Json {
    let mut shown = mailbox.settings.public_json();
    shown["name"] = json!(mailbox.name);
    shown["team"] = json!(mailbox.team.map(|t| t.to_string()));
    shown["category"] = json!(mailbox.category);
    shown["closed_replies"] = json!(mailbox.closed_replies);
    shown
}

/// Every desk mailbox with each folder's checkpoint and the last read.
pub async fn list(app: &App, ctx: &Ctx) -> Result<Json, AppError> {
    ctx.access.require_admin()?;
    let mut conn = app.reader(ctx).await?;
    let mut out = Vec::new();
    for (name, v) in stored(&mut conn).await? {
        let Some(mailbox) = from_stored(&name, &v) else { continue };
        let mut folders = Vec::new();
        for folder in &mailbox.settings.folders {
            let at = checkpoint_at(&mut conn, &checkpoint_name(&name, folder)).await?;
            folders.push(json!({"folder": folder, "uid_validity": at.uid_validity, "last_uid": at.last_uid}));
        }
        let mut shown = public_json(&mailbox);
        shown["folder_state"] = Json::Array(folders);
        shown["last_sync"] = conn.setting(&state_name(&name)).await?.unwrap_or(Json::Null);
        out.push(shown);
    }
    Ok(json!({"data": out}))
}

/// Puts a desk mailbox (administrators), read every five minutes from now.
pub async fn put(app: &App, ctx: &Ctx, name: &str, input: &Json) -> Result<Json, AppError> {
    ctx.access.require_admin()?;
    if !valid_name(name) {
        return Err(ValidationError::single("name", "invalid", "1 to 40 of a-z, 0-9, _ and -").into());
    }
    let mut tx = app.writer(ctx).await?;
    let mut all = stored(&mut tx).await?;
    let previous = all.get(name).and_then(|v| from_stored(name, v));
    let mut settings_input = input.clone();
    let (team, category, closed_replies) = match settings_input.as_object_mut() {
        Some(o) => (o.remove("team"), o.remove("category"), o.remove("closed_replies")),
        None => (None, None, None),
    };
    let parsed = MailboxSettings::parse(&settings_input, previous.as_ref().map(|p| &p.settings));
    let mut errors = parsed.as_ref().err().map(|e| e.errors.clone()).unwrap_or_default();
    let team = match team.as_ref().filter(|t| !t.is_null()) {
        None => None,
        Some(t) => match t.as_str().and_then(|t| t.parse::<Uuid>().ok()) {
            Some(id) if crate::sla::record(&mut tx, crate::entities::SERVICE_TEAMS, Some(id)).await?.is_some() => {
                Some(id)
            }
            _ => {
                errors.push(FieldError::new("team", "not_found", "no such service team"));
                None
            }
        },
    };
    let category = choice_of(category.as_ref(), "category", crate::entities::CATEGORIES, &mut errors);
    let closed_replies = choice_of(closed_replies.as_ref(), "closed_replies", CLOSED_REPLIES, &mut errors)
        .unwrap_or_else(|| "reopen".into());
    ValidationError::check(errors)?;
    let settings = parsed?;
    let mailbox = DeskMailbox { name: name.to_string(), settings, team, category, closed_replies };
    let mut stored_json = mailbox.settings.stored_json();
    stored_json["team"] = json!(team.map(|t| t.to_string()));
    stored_json["category"] = json!(mailbox.category);
    stored_json["closed_replies"] = json!(mailbox.closed_replies);
    all.insert(name.to_string(), stored_json);
    tx.put_setting(SETTING, &Json::Object(all)).await?;
    put_schedule(&mut tx, name, true).await?;
    let shown = public_json(&mailbox);
    audit_in(&mut tx, ctx, Event::new("service.mailbox.change").details(shown.clone())).await?;
    tx.commit().await?;
    Ok(shown)
}

/// Removes a desk mailbox; the cases it opened stay.
pub async fn remove(app: &App, ctx: &Ctx, name: &str) -> Result<(), AppError> {
    ctx.access.require_admin()?;
    let mut tx = app.writer(ctx).await?;
    let mut all = stored(&mut tx).await?;
    if all.remove(name).is_none() {
        return Err(AppError::NotFound);
    }
    tx.put_setting(SETTING, &Json::Object(all)).await?;
    put_schedule(&mut tx, name, false).await?;
    audit_in(&mut tx, ctx, Event::new("service.mailbox.remove").details(json!({"name": name}))).await?;
    tx.commit().await?;
    Ok(())
}

/// Asks for a desk mailbox to be read now; answers the job's id.
pub async fn request_read(app: &App, ctx: &Ctx, name: &str) -> Result<Uuid, AppError> {
    ctx.access.require_admin()?;
    let mut tx = app.writer(ctx).await?;
    if mailbox(&mut tx, name).await?.is_none() {
        return Err(AppError::NotFound);
    }
    let id = tx.enqueue_job(read_job(name, tx.now())).await?;
    tx.commit().await?;
    Ok(id)
}

fn read_job(name: &str, at: chrono::DateTime<chrono::Utc>) -> NewJob {
    NewJob {
        kind: MAIL_JOB.into(),
        payload: json!({"mailbox": name}),
        run_at: at,
        max_attempts: 5,
        idempotency_key: None,
        schedule: None,
    }
}

async fn put_schedule(tx: &mut ScopedConn, name: &str, enabled: bool) -> Result<(), AppError> {
    put_reading_schedule(tx, format!("service_mail_{name}"), MAIL_JOB, json!({"mailbox": name}), enabled).await
}

/// `service.mail`: reads one desk mailbox; a server that is down is retried
/// (and said in the mailbox's `last_sync`).
pub struct MailJob;

impl JobHandler for MailJob {
    fn kind(&self) -> &'static str {
        MAIL_JOB
    }

    fn max_attempts(&self) -> i64 {
        5
    }

    fn run<'a>(&'a self, app: &'a App, job: &'a Job) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move {
            let ws = relata_app::jobs::workspace_of(app, job).await?;
            let ctx = Ctx::new(ws, None);
            let name = job
                .payload
                .get("mailbox")
                .and_then(Json::as_str)
                .ok_or_else(|| JobError::Fail("payload.mailbox: a mailbox name".into()))?;
            let outcome = read(app, &ctx, name).await;
            keep_outcome(app, &ctx, &state_name(name), "taken", &outcome).await;
            outcome.map(drop).map_err(|e| JobError::Retry(e.to_string()))
        })
    }
}

/// Reads a desk mailbox; answers how many messages it took.
pub async fn read(app: &App, ctx: &Ctx, name: &str) -> Result<u64, SyncError> {
    let Some(mailbox) = mailbox(&mut app.reader(ctx).await?, name).await? else { return Ok(0) };
    read_mailbox(app, ctx, &mailbox.settings, &mailbox).await
}

impl MailSink for DeskMailbox {
    fn checkpoint_setting(&self, folder: &str) -> String {
        checkpoint_name(&self.name, folder)
    }

    fn take<'a>(
        &'a self,
        app: &'a App,
        ctx: &'a Ctx,
        folder: &'a str,
        fetched: &'a [(u32, Vec<u8>)],
        done: Checkpoint,
    ) -> BoxFuture<'a, Result<u64, AppError>> {
        Box::pin(async move {
            let mut tx = app.writer(ctx).await?;
            save_checkpoint(&mut tx, &checkpoint_name(&self.name, folder), done).await?;
            let mails = parse_batch(folder, fetched, done);
            let ids = mails.iter().map(|m| FieldValue::Text(m.message_id.clone())).collect();
            let mut seen = taken_ids(&mut tx, ids).await?;
            let mut taken = 0;
            for mail in mails {
                if mail.from.is_empty() || mail.from == self.settings.address || !seen.insert(mail.message_id.clone()) {
                    // No sender to answer, the desk's own mail, or taken before.
                    continue;
                }
                take_one(&mut tx, ctx, self, mail).await?;
                taken += 1;
            }
            tx.commit().await?;
            Ok(taken)
        })
    }
}

/// The Message-IDs among `ids` already taken.
async fn taken_ids(tx: &mut ScopedConn, ids: Vec<FieldValue>) -> Result<HashSet<String>, AppError> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let schema = Schema::standard(CASE_COMMENTS);
    let filter = Filter::In { field: schema.field("message_id").expect("a field of comments"), values: ids };
    let found = relata_app::read::every_in(tx, &schema, filter).await?;
    Ok(found.iter().filter_map(|r| r.values.text("message_id").map(str::to_string)).collect())
}

/// A message as a customer comment, on the case it answers or on a new one.
async fn take_one(tx: &mut ScopedConn, ctx: &Ctx, desk: &DeskMailbox, mut mail: Mail) -> Result<(), AppError> {
    let case = match case_answered(tx, &mail).await? {
        // A reply to a closed case opens a new one linked to it, if so set.
        Some(case) if desk.closed_replies == "new_case" && is_closed(tx, case).await? => {
            open_case(tx, ctx, desk, &mail, Some(case)).await?
        }
        Some(case) => case,
        None => open_case(tx, ctx, desk, &mail, None).await?,
    };
    let mut values = Values::default();
    values.set_std("case", FieldValue::Ref(case.uuid()));
    values.set_std("kind", FieldValue::Text("customer".into()));
    let body = if mail.body.trim().is_empty() { "(no text)".to_string() } else { mail.body.clone() };
    values.set_std("body", FieldValue::Text(body));
    values.set_std("message_id", FieldValue::Text(mail.message_id.clone()));
    values.set_std("from_address", FieldValue::Text(mail.from.clone()));
    if !mail.attachments.is_empty() {
        values.set_std("attachments", FieldValue::Text(Json::Array(mail.attachments.clone()).to_string()));
    }
    let comment = relata_app::write::create_in(tx, ctx, &Schema::standard(CASE_COMMENTS), values).await?;
    let files = std::mem::take(&mut mail.files)
        .into_iter()
        .map(|(position, name, content_type, content)| NewFile { position, name, content_type, content })
        .collect();
    tx.put_files(CASE_COMMENTS.singular(), comment.id.uuid(), files).await?;
    Ok(())
}

/// The case a message answers: the one the desk's reply it answers was
/// about, or that an earlier message of the thread went to, or whose
/// number its subject carries.
async fn case_answered(tx: &mut ScopedConn, mail: &Mail) -> Result<Option<RecordId>, AppError> {
    let references: Vec<&String> = mail.in_reply_to.iter().chain(std::iter::once(&mail.thread)).collect();
    let messages = Schema::standard(relata_channels::entities::MESSAGES);
    for reference in &references {
        // The desk's replies are named `<message id@domain>`.
        let local = reference.trim_matches(['<', '>']).split('@').next().unwrap_or_default();
        let Ok(id) = local.parse::<Uuid>() else { continue };
        let Some(message) = tx.get_record(&messages, RecordId::from_uuid(id), false).await? else { continue };
        if message.values.text("about_entity") == Some(CASES.api_name())
            && let Some(case) = message.values.text("about_id").and_then(|c| c.parse::<RecordId>().ok())
            && live_case(tx, case).await?
        {
            return Ok(Some(case));
        }
    }
    let earlier: Vec<FieldValue> = references.iter().map(|r| FieldValue::Text(r.to_string())).collect();
    let comments = Schema::standard(CASE_COMMENTS);
    let filter = Filter::In { field: comments.field("message_id").expect("a field of comments"), values: earlier };
    for comment in relata_app::read::every_in(tx, &comments, filter).await? {
        if let Some(case) = comment.values.ref_id("case").map(RecordId::from_uuid)
            && live_case(tx, case).await?
        {
            return Ok(Some(case));
        }
    }
    let Some(number) = case_number(&mail.subject) else { return Ok(None) };
    let cases = Schema::standard(CASES);
    let filter = Filter::Compare {
        field: cases.field("number").expect("a field of cases"),
        op: Op::Eq,
        value: FieldValue::Text(number.to_string()),
    };
    Ok(relata_app::read::every_in(tx, &cases, filter).await?.first().map(|c| c.id))
}

async fn is_closed(tx: &mut ScopedConn, id: RecordId) -> Result<bool, AppError> {
    let case = tx.get_record(&Schema::standard(CASES), id, false).await?;
    Ok(case.is_some_and(|c| c.values.text("status") == Some("closed")))
}

async fn live_case(tx: &mut ScopedConn, id: RecordId) -> Result<bool, AppError> {
    Ok(tx.get_record(&Schema::standard(CASES), id, false).await?.is_some())
}

/// A case number in brackets in a subject (`Re: [CASE-2026-000123] …`).
pub fn case_number(subject: &str) -> Option<&str> {
    let start = subject.find("[CASE-")? + 1;
    let end = start + subject[start..].find(']')?;
    let number = &subject[start..end];
    let digits = &number["CASE-".len()..];
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit() || b == b'-')).then_some(number)
}

/// A new case from a message: its sender matched to a contact by address
/// (and the contact's account), else kept as the requester; linked to the
/// closed case it follows up, if any.
async fn open_case(
    tx: &mut ScopedConn,
    ctx: &Ctx,
    desk: &DeskMailbox,
    mail: &Mail,
    follows: Option<RecordId>,
) -> Result<RecordId, AppError> {
    let contacts = Schema::standard(relata_crm::CONTACTS);
    let filter = Filter::Compare {
        field: contacts.field("emails").expect("a field of contacts"),
        op: Op::Eq,
        value: FieldValue::Text(mail.from.clone()),
    };
    let contact: Option<Record> = relata_app::read::every_in(tx, &contacts, filter).await?.into_iter().next();
    let mut values = Values::default();
    let subject = if mail.subject.trim().is_empty() { "(no subject)".to_string() } else { mail.subject.clone() };
    values.set_std("subject", FieldValue::Text(subject));
    values.set_std("description", FieldValue::Text(mail.body.clone()));
    values.set_std("channel", FieldValue::Text("email".into()));
    values.set_std("requester_email", FieldValue::Text(mail.from.clone()));
    if let Some(contact) = &contact {
        values.set_std("contact", FieldValue::Ref(contact.id.uuid()));
        values.set_std("account", contact.values.std("account").clone());
    }
    if let Some(team) = desk.team {
        values.set_std("team", FieldValue::Ref(team));
    }
    if let Some(category) = &desk.category {
        values.set_std("category", FieldValue::Text(category.clone()));
    }
    if let Some(closed) = follows {
        values.set_std("related_case", FieldValue::Ref(closed.uuid()));
    }
    let case = relata_app::write::create_in(tx, ctx, &Schema::standard(CASES), values).await?;
    Ok(case.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_numbers_are_found_in_subjects() {
        assert_eq!(case_number("Re: [CASE-2026-000123] Broken hinge"), Some("CASE-2026-000123"));
        assert_eq!(case_number("AW: AW: [CASE-2026-7]"), Some("CASE-2026-7"));
        for none in ["Broken hinge", "[CASE-2026-000123", "[CASE-abc]", "[case-2026-1]", "[CASE-]"] {
            assert_eq!(case_number(none), None, "{none}");
        }
    }
}
