//! Email-to-case: the service desk's mailboxes, read over IMAP like a
//! person's (`relata_channels::mailbox`), from a checkpoint per folder. A
//! new message opens a case (the sender matched to a contact by address,
//! else kept on the case as its requester); a reply (by `In-Reply-To` or
//! `References` to the desk's own reply or to an earlier message, or by a
//! case number in the subject) is threaded into its case and brings it
//! back to work. Every message is a customer comment with its Message-ID
//! and its attachments; none is taken twice (the checkpoint moves in the
//! batch's transaction, and a Message-ID already taken is skipped).

use crate::entities::{CASE_COMMENTS, CASES, HELD_MESSAGES};
use relata_app::audit::{Event, audit_in};
use relata_app::jobs::{JobError, JobHandler};
use relata_app::module::BoxFuture;
use relata_app::{App, AppError, Ctx};
use relata_channels::mailbox::{
    Checkpoint, Fetched, Mail, MailSink, MailboxSettings, SyncError, checkpoint_at, fallback_id, keep_outcome,
    parse_mail, put_reading_schedule, read_mailbox, save_checkpoint,
};
use relata_core::access::Right;
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
    /// How its mail arrives: read over `imap`, or delivered to Relata's own
    /// `smtp` endpoint (see `smtp_in`).
    pub receive: String,
    pub settings: MailboxSettings,
    pub team: Option<Uuid>,
    pub category: Option<String>,
    /// What a customer's reply to a closed case does: `reopen` it, or open a
    /// `new_case` linked to it.
    pub closed_replies: String,
    /// Larger messages are held, their header alone fetched.
    pub max_message_mb: u32,
}

/// The size limit a desk mailbox has unless its settings say otherwise.
pub const DEFAULT_MAX_MESSAGE_MB: u32 = 25;
const MAX_MESSAGE_MB: std::ops::RangeInclusive<u64> = 1..=100;

pub const CLOSED_REPLIES: &[&str] = &["reopen", "new_case"];
pub const RECEIVE: &[&str] = &["imap", "smtp"];

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
    let receive = v.get("receive").and_then(Json::as_str).unwrap_or("imap").to_string();
    let settings = if receive == "smtp" {
        MailboxSettings { address: v.get("address")?.as_str()?.to_string(), ..MailboxSettings::default() }
    } else {
        MailboxSettings::from_stored(v)?
    };
    Some(DeskMailbox {
        name: name.to_string(),
        receive,
        settings,
        team: v.get("team").and_then(Json::as_str).and_then(|t| t.parse().ok()),
        category: v.get("category").and_then(Json::as_str).map(str::to_string),
        closed_replies: v.get("closed_replies").and_then(Json::as_str).unwrap_or("reopen").to_string(),
        max_message_mb: v
            .get("max_message_mb")
            .and_then(Json::as_u64)
            .and_then(|m| u32::try_from(m).ok())
            .unwrap_or(DEFAULT_MAX_MESSAGE_MB),
    })
}

pub async fn mailbox(conn: &mut ScopedConn, name: &str) -> Result<Option<DeskMailbox>, AppError> {
    Ok(stored(conn).await?.get(name).and_then(|v| from_stored(name, v)))
}

impl DeskMailbox {
    /// How its mail arrives, as stored (`public`: without the password).
    fn receiving_json(&self, public: bool) -> Json {
        match (self.receive.as_str(), public) {
            ("smtp", _) => json!({"address": self.settings.address}),
            (_, true) => self.settings.public_json(),
            (_, false) => self.settings.stored_json(),
        }
    }
}

fn public_json(mailbox: &DeskMailbox) -> Json {
    let mut shown = mailbox.receiving_json(true);
    shown["receive"] = json!(mailbox.receive);
    shown["name"] = json!(mailbox.name);
    shown["team"] = json!(mailbox.team.map(|t| t.to_string()));
    shown["category"] = json!(mailbox.category);
    shown["closed_replies"] = json!(mailbox.closed_replies);
    shown["max_message_mb"] = json!(mailbox.max_message_mb);
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
        for folder in mailbox.settings.folders.iter().filter(|_| mailbox.receive == "imap") {
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
    let (team, category, closed_replies, max_message_mb, receive) = match settings_input.as_object_mut() {
        Some(o) => (
            o.remove("team"),
            o.remove("category"),
            o.remove("closed_replies"),
            o.remove("max_message_mb"),
            o.remove("receive"),
        ),
        None => (None, None, None, None, None),
    };
    let mut errors = Vec::new();
    let receive = choice_of(receive.as_ref(), "receive", RECEIVE, &mut errors).unwrap_or_else(|| "imap".into());
    // What else is needed depends on how the mail arrives.
    ValidationError::check(std::mem::take(&mut errors))?;
    let parsed = if receive == "smtp" {
        smtp_settings(&settings_input)
    } else {
        MailboxSettings::parse(&settings_input, previous.as_ref().map(|p| &p.settings))
    };
    errors.extend(parsed.as_ref().err().map(|e| e.errors.clone()).unwrap_or_default());
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
    let max_message_mb = match max_message_mb.filter(|m| !m.is_null()) {
        None => DEFAULT_MAX_MESSAGE_MB,
        Some(m) => match m.as_u64().filter(|m| MAX_MESSAGE_MB.contains(m)) {
            Some(m) => m as u32,
            None => {
                let (low, high) = (MAX_MESSAGE_MB.start(), MAX_MESSAGE_MB.end());
                errors.push(FieldError::new("max_message_mb", "out_of_range", format!("{low} to {high} (MB)")));
                DEFAULT_MAX_MESSAGE_MB
            }
        },
    };
    ValidationError::check(errors)?;
    let settings = parsed?;
    let mailbox =
        DeskMailbox { name: name.to_string(), receive, settings, team, category, closed_replies, max_message_mb };
    let mut stored_json = mailbox.receiving_json(false);
    stored_json["receive"] = json!(mailbox.receive);
    stored_json["team"] = json!(team.map(|t| t.to_string()));
    stored_json["category"] = json!(mailbox.category);
    stored_json["closed_replies"] = json!(mailbox.closed_replies);
    stored_json["max_message_mb"] = json!(mailbox.max_message_mb);
    all.insert(name.to_string(), stored_json);
    tx.put_setting(SETTING, &Json::Object(all)).await?;
    put_schedule(&mut tx, name, mailbox.receive == "imap").await?;
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
    match mailbox(&mut tx, name).await? {
        None => return Err(AppError::NotFound),
        Some(desk) if desk.receive == "smtp" => {
            return Err(AppError::conflict("refuse-desk-smtp", vec![]));
        }
        Some(_) => {}
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
    if mailbox.receive != "imap" {
        return Ok(0);
    }
    read_mailbox(app, ctx, &mailbox.settings, &mailbox).await
}

/// A desk that takes its mail on the SMTP endpoint needs only its address.
fn smtp_settings(input: &Json) -> Result<MailboxSettings, ValidationError> {
    let address = input.get("address").and_then(Json::as_str).unwrap_or_default().trim().to_lowercase();
    match relata_core::email::Email::parse(&address) {
        Ok(_) => Ok(MailboxSettings { address, ..MailboxSettings::default() }),
        Err(e) => Err(ValidationError::single("address", "invalid_email", e.to_string())),
    }
}

/// Every desk of the workspace that takes mail for `address` on the SMTP
/// endpoint.
pub async fn smtp_desks_for(conn: &mut ScopedConn, address: &str) -> Result<Vec<DeskMailbox>, AppError> {
    let all = stored(conn).await?;
    Ok(all
        .iter()
        .filter_map(|(name, v)| from_stored(name, v))
        .filter(|d| d.receive == "smtp" && d.settings.address.eq_ignore_ascii_case(address))
        .collect())
}

/// A message delivered to the desk on the SMTP endpoint: taken or held as
/// the desk's IMAP mail is, in one transaction (committed before the
/// sender is told it was received), `trace` (its `Received:` line) put
/// first. A message without a Message-ID is named by its content as sent,
/// so that a sender's retry is not taken twice.
pub async fn deliver(app: &App, ctx: &Ctx, desk: &DeskMailbox, trace: &str, sent: &[u8]) -> Result<u64, AppError> {
    use sha2::Digest;
    let digest: String = sha2::Sha256::digest(sent).iter().map(|b| format!("{b:02x}")).collect();
    let fallback = format!("<{digest}@relata.smtp>");
    let mut raw = Vec::with_capacity(trace.len() + sent.len());
    raw.extend_from_slice(trace.as_bytes());
    raw.extend_from_slice(sent);
    let size = u32::try_from(raw.len()).unwrap_or(u32::MAX);
    let fetched = if size > desk.size_limit() {
        // As over IMAP: over the limit, only the header is kept.
        let end = raw.windows(4).position(|w| w == b"\r\n\r\n").map_or(raw.len(), |at| at + 4);
        Fetched { uid: 0, size, raw: raw[..end.min(64 * 1024)].to_vec(), header_only: true }
    } else {
        Fetched { uid: 0, size, raw, header_only: false }
    };
    let arrival = desk.sort(&fetched, fallback);
    let mut tx = app.writer(ctx).await?;
    let taken = take_arrivals(&mut tx, ctx, desk, "smtp", vec![arrival]).await?;
    tx.commit().await?;
    Ok(taken)
}

impl MailSink for DeskMailbox {
    fn checkpoint_setting(&self, folder: &str) -> String {
        checkpoint_name(&self.name, folder)
    }

    fn size_limit(&self) -> u32 {
        self.max_message_mb.saturating_mul(1024 * 1024)
    }

    fn take<'a>(
        &'a self,
        app: &'a App,
        ctx: &'a Ctx,
        folder: &'a str,
        fetched: &'a [Fetched],
        done: Checkpoint,
    ) -> BoxFuture<'a, Result<u64, AppError>> {
        Box::pin(async move {
            let mut tx = app.writer(ctx).await?;
            save_checkpoint(&mut tx, &checkpoint_name(&self.name, folder), done).await?;
            let arrivals = fetched.iter().map(|f| self.sort(f, fallback_id(folder, f.uid, done))).collect();
            let taken = take_arrivals(&mut tx, ctx, self, folder, arrivals).await?;
            tx.commit().await?;
            Ok(taken)
        })
    }
}

/// Takes or holds each arrival, once (by Message-ID, against what was
/// taken or held before); answers how many were new.
async fn take_arrivals(
    tx: &mut ScopedConn,
    ctx: &Ctx,
    desk: &DeskMailbox,
    folder: &str,
    arrivals: Vec<Arrival>,
) -> Result<u64, AppError> {
    let ids = arrivals.iter().map(|a| FieldValue::Text(a.message_id().to_string())).collect();
    let mut seen = taken_ids(tx, ids).await?;
    let mut taken = 0;
    for arrival in arrivals {
        if !seen.insert(arrival.message_id().to_string()) {
            continue;
        }
        match arrival {
            Arrival::Take(mail) => drop(take_one(tx, ctx, desk, *mail).await?),
            Arrival::Hold(held) => hold(tx, ctx, &desk.name, folder, held).await?,
        }
        taken += 1;
    }
    Ok(taken)
}

/// What the desk does with a message it fetched: take it into a case, or
/// hold it for an agent to look at.
#[derive(Debug)]
enum Arrival {
    Take(Box<Mail>),
    Hold(Held),
}

impl Arrival {
    fn message_id(&self) -> &str {
        match self {
            Arrival::Take(mail) => &mail.message_id,
            Arrival::Hold(held) => &held.message_id,
        }
    }
}

/// A message held back, with why, and its bytes as fetched.
#[derive(Debug)]
struct Held {
    message_id: String,
    from: String,
    subject: String,
    reason: &'static str,
    detail: String,
    size: u32,
    raw: Vec<u8>,
}

impl DeskMailbox {
    /// Holds what no one can answer or should not be answered (no sender or
    /// one that is not an address, the desk's own address, a sender the
    /// receiving server found forged), what is over the size limit, and
    /// what cannot be read at all; takes the rest, a damaged message with
    /// its original attached.
    fn sort(&self, fetched: &Fetched, fallback: String) -> Arrival {
        let hold = |mail: Option<&Mail>, reason: &'static str, detail: String| {
            Arrival::Hold(Held {
                message_id: mail.map_or_else(|| fallback.clone(), |m| m.message_id.clone()),
                from: mail.map(|m| m.from.clone()).unwrap_or_default(),
                subject: mail.map(|m| m.subject.clone()).unwrap_or_default(),
                reason,
                detail,
                size: fetched.size,
                raw: fetched.raw.clone(),
            })
        };
        let Some(mut mail) = parse_mail(&fetched.raw, &fallback) else {
            return hold(None, "unreadable", "not a mail message: no header could be read".into());
        };
        if fetched.header_only {
            let size = format!("{:.1} MB", f64::from(fetched.size) / (1024.0 * 1024.0));
            let detail =
                format!("{size}, over this mailbox's limit of {} MB; only its header was read", self.max_message_mb);
            return hold(Some(&mail), "too_large", detail);
        }
        if mail.from.is_empty() {
            return hold(Some(&mail), "no_sender", "the message names no sender: there is no one to answer".into());
        }
        if relata_core::email::Email::parse(&mail.from).is_err() {
            return hold(Some(&mail), "no_sender", format!("the sender {:?} is not an email address", mail.from));
        }
        if mail.from == self.settings.address {
            let detail = "sent from the desk's own address: a mail loop or a forgery".to_string();
            return hold(Some(&mail), "from_desk", detail);
        }
        if let Some(why) = mail.forged.clone() {
            return hold(Some(&mail), "forged_sender", why);
        }
        if let Some(damage) = mail.damaged.clone() {
            // Taken as far as it could be read, the original beside it.
            attach_original(&mut mail, &fetched.raw, &format!("this message was damaged ({damage})"));
        }
        Arrival::Take(Box::new(mail))
    }
}

/// Says on a message's text what was wrong with it, and attaches the
/// message as it came.
fn attach_original(mail: &mut Mail, raw: &[u8], what: &str) {
    mail.body = format!("[Relata: {what}; the original is attached as original.eml.]\n\n{}", mail.body);
    let position = mail.attachments.len() as i64;
    mail.attachments.push(json!({"position": position, "name": "original.eml", "content_type": "message/rfc822",
                                 "size": raw.len(), "kept": true}));
    mail.files.push((position, "original.eml".into(), "message/rfc822".into(), raw.to_vec()));
}

/// Takes a held message into a case after all, as the desk would have (an
/// agent judged it real): from the bytes kept, or for a message over the
/// size limit from its header, saying so. Answers the case.
pub async fn release(app: &App, ctx: &Ctx, id: RecordId) -> Result<Record, AppError> {
    ctx.access.check_kind(HELD_MESSAGES, Right::Update)?;
    ctx.access.check_kind(CASES, Right::Create)?;
    let mut tx = app.writer(ctx).await?;
    let held = still_held(&mut tx, id).await?;
    let raw = tx.file(HELD_MESSAGES.singular(), id.uuid(), 0).await?.map(|f| f.content).unwrap_or_default();
    let name = held.values.text("mailbox").unwrap_or_default().to_string();
    let desk = match mailbox(&mut tx, &name).await? {
        Some(desk) => desk,
        // The mailbox was removed since: its case starts plain.
        None => DeskMailbox {
            name,
            receive: "imap".into(),
            settings: MailboxSettings::default(),
            team: None,
            category: None,
            closed_replies: "reopen".into(),
            max_message_mb: DEFAULT_MAX_MESSAGE_MB,
        },
    };
    let message_id = held.values.text("message_id").unwrap_or_default().to_string();
    let detail = held.values.text("detail").unwrap_or_default().to_string();
    let mut mail = match parse_mail(&raw, &message_id) {
        Some(mail) => mail,
        None => Mail { thread: message_id.clone(), subject: "(an unreadable message)".into(), ..Mail::default() },
    };
    mail.message_id = message_id;
    if relata_core::email::Email::parse(&mail.from).is_err() {
        mail.from = String::new();
    }
    match held.values.text("reason") {
        Some("too_large") => {
            mail.body = format!("[Relata: the message was held: {detail}. Ask the customer for its content.]")
        }
        Some("unreadable") => attach_original(&mut mail, &raw, "the message could not be read"),
        _ => {}
    }
    // The desk's work, done as Relata; a case routed to no one is the
    // releasing agent's.
    tx.lift_visibility();
    let relata = Ctx::new(ctx.workspace.clone(), None);
    let case = take_one(&mut tx, &relata, &desk, mail).await?;
    let cases = Schema::standard(CASES);
    let mut opened = tx.get_record(&cases, case, false).await?.ok_or(AppError::NotFound)?;
    if opened.values.ref_id("owner").is_none()
        && let Some(agent) = ctx.actor
    {
        let mut patch = Values::default();
        patch.set_std("owner", FieldValue::Ref(agent.uuid()));
        opened = relata_app::write::update_in(&mut tx, &relata, &cases, case, patch, None).await?;
    }
    let mut patch = Values::default();
    patch.set_std("status", FieldValue::Text("released".into()));
    patch.set_std("case", FieldValue::Ref(case.uuid()));
    relata_app::write::update_in(&mut tx, &relata, &Schema::standard(HELD_MESSAGES), id, patch, None).await?;
    let details = json!({"held_message": id.to_string(), "case": case.to_string()});
    audit_in(&mut tx, ctx, Event::new("service.mail.released").details(details)).await?;
    tx.commit().await?;
    Ok(opened)
}

/// Discards a held message (junk, a loop): kept as discarded, its bytes
/// deleted.
pub async fn discard(app: &App, ctx: &Ctx, id: RecordId) -> Result<Record, AppError> {
    ctx.access.check_kind(HELD_MESSAGES, Right::Update)?;
    let mut tx = app.writer(ctx).await?;
    still_held(&mut tx, id).await?;
    tx.delete_files(HELD_MESSAGES.singular(), id.uuid()).await?;
    let mut patch = Values::default();
    patch.set_std("status", FieldValue::Text("discarded".into()));
    let relata = Ctx::new(ctx.workspace.clone(), None);
    let held =
        relata_app::write::update_in(&mut tx, &relata, &Schema::standard(HELD_MESSAGES), id, patch, None).await?;
    audit_in(&mut tx, ctx, Event::new("service.mail.discarded").details(json!({"held_message": id.to_string()})))
        .await?;
    tx.commit().await?;
    Ok(held)
}

async fn still_held(tx: &mut ScopedConn, id: RecordId) -> Result<Record, AppError> {
    let held = tx.get_record(&Schema::standard(HELD_MESSAGES), id, false).await?.ok_or(AppError::NotFound)?;
    if held.values.text("status") != Some("held") {
        return Err(AppError::conflict("refuse-message-settled", vec![]));
    }
    Ok(held)
}

/// Keeps a held message, its bytes as its file.
async fn hold(tx: &mut ScopedConn, ctx: &Ctx, mailbox: &str, folder: &str, held: Held) -> Result<(), AppError> {
    let mut values = Values::default();
    values.set_std("mailbox", FieldValue::Text(mailbox.to_string()));
    values.set_std("folder", FieldValue::Text(folder.to_string()));
    values.set_std("message_id", FieldValue::Text(held.message_id.chars().take(1000).collect()));
    if !held.from.is_empty() {
        values.set_std("from_address", FieldValue::Text(held.from.chars().take(200).collect()));
    }
    let subject = if held.subject.trim().is_empty() { "(no subject)".to_string() } else { held.subject.clone() };
    values.set_std("subject", FieldValue::Text(subject));
    values.set_std("reason", FieldValue::Text(held.reason.into()));
    values.set_std("detail", FieldValue::Text(held.detail.clone()));
    values.set_std("size", FieldValue::Int(i64::from(held.size)));
    let record = relata_app::write::create_in(tx, ctx, &Schema::standard(HELD_MESSAGES), values).await?;
    let name = if held.reason == "too_large" { "header.eml" } else { "message.eml" };
    let file = NewFile { position: 0, name: name.into(), content_type: "message/rfc822".into(), content: held.raw };
    tx.put_files(HELD_MESSAGES.singular(), record.id.uuid(), vec![file]).await?;
    audit_in(
        tx,
        ctx,
        Event::new("service.mail.held").details(json!({"mailbox": mailbox, "held_message": record.id.to_string(),
                                                        "reason": held.reason, "detail": held.detail})),
    )
    .await?;
    Ok(())
}

/// The Message-IDs among `ids` already taken into a case or held.
async fn taken_ids(tx: &mut ScopedConn, ids: Vec<FieldValue>) -> Result<HashSet<String>, AppError> {
    let mut seen = HashSet::new();
    if ids.is_empty() {
        return Ok(seen);
    }
    for kind in [CASE_COMMENTS, HELD_MESSAGES] {
        let schema = Schema::standard(kind);
        let field = schema.field("message_id").expect("a field of comments and held mail");
        let filter = Filter::In { field, values: ids.clone() };
        let found = relata_app::read::every_in(tx, &schema, filter).await?;
        seen.extend(found.iter().filter_map(|r| r.values.text("message_id").map(str::to_string)));
    }
    Ok(seen)
}

/// A message as a customer comment, on the case it answers or on a new one.
async fn take_one(tx: &mut ScopedConn, ctx: &Ctx, desk: &DeskMailbox, mut mail: Mail) -> Result<RecordId, AppError> {
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
    let body = if mail.body.trim().is_empty() { "(no text)".to_string() } else { mail.body.trim_end().to_string() };
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
    Ok(case)
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
    let subject: String = subject.chars().take(200).collect();
    values.set_std("subject", FieldValue::Text(subject));
    values.set_std("description", FieldValue::Text(mail.body.clone()));
    values.set_std("channel", FieldValue::Text("email".into()));
    if !mail.from.is_empty() {
        values.set_std("requester_email", FieldValue::Text(mail.from.clone()));
    }
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
