//! People's own mailboxes: each user may connect one over IMAP (with an
//! app password), and the mail to and from known contacts is logged as
//! `emails` on the contact's and account's timelines, private to its owner;
//! the owner chooses what colleagues see (everything, subject and people
//! only, or nothing), on the customer's timeline ([`SharedMail`]).
//!
//! The sync never loses or doubles mail: each folder has a checkpoint
//! (UIDVALIDITY and the last UID done), written in the same transaction as
//! the messages of each batch, so that a sync killed at any point resumes
//! after the last batch that committed. A folder whose UIDVALIDITY changed
//! is read again from its start, and a message already logged for its
//! owner (by Message-ID) is not logged again. Messages deleted from the
//! mailbox stay in the CRM: the sync only ever adds.

use crate::entities::EMAILS;
use crate::imap;
pub use crate::imap::Fetched;
use crate::settings::{required, secret, server_address, text, unknown_keys};
use chrono::{DateTime, Utc};
use relata_app::audit::{Event, audit_in};
use relata_app::jobs::{JobError, JobHandler};
use relata_app::module::{Answered, BoxFuture, SourceReads, Story, TimelineSource, no_items};
use relata_app::{App, AppError, Ctx, write};
use relata_core::error::{FieldError, ValidationError};
use relata_core::filter::{Filter, Op};
use relata_core::meta::{FieldDef, FieldType, Schema, Target};
use relata_core::value::{FieldValue, Values};
use relata_core::{RecordId, UserId};
use relata_crm::{ACCOUNTS, CONTACTS};
use relata_store::ScopedConn;
use relata_store::files::NewFile;
use relata_store::jobs::{Job, NewJob};
use relata_store::together::{Answers, ListedRead, Reads, SettingsRead};
use serde_json::{Map, Value as Json, json};
use std::collections::{BTreeMap, HashSet};
use uuid::Uuid;

pub const SYNC_JOB: &str = "mail.sync";
/// What colleagues see of a person's synced mail.
pub const SHARING: &[&str] = &["nothing", "subject_and_people", "everything"];
/// Messages fetched and logged per transaction (a checkpoint each).
const BATCH: usize = 25;
/// A body is kept up to this many characters.
const BODY_LIMIT: usize = 100_000;
/// Attachments' bytes are kept up to this much per message (their names,
/// types and sizes always).
const ATTACHMENTS_LIMIT: usize = 25 * 1024 * 1024;
/// Larger messages are fetched as their header alone (unless a mailbox
/// says otherwise).
pub const MESSAGE_LIMIT: u32 = 50 * 1024 * 1024;
/// The workspace setting with every user's sharing level (for the timeline).
const SHARING_SETTING: &str = "mail.sharing";
/// Mail from these domains names a person, not a company.
const PUBLIC_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "yahoo.com",
    "icloud.com",
    "wp.pl",
    "o2.pl",
    "onet.pl",
    "interia.pl",
    "gmx.de",
    "mail.ru",
    "yandex.ru",
    "abv.bg",
];

fn setting_name(user: UserId) -> String {
    format!("mail.mailbox.{}", user.uuid())
}

fn checkpoint_name(user: UserId, folder: &str) -> String {
    format!("mail.checkpoint.{}.{folder}", user.uuid())
}

/// A user's mailbox as they put it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MailboxSettings {
    pub host: String,
    pub port: u16,
    pub security: String,
    pub username: String,
    pub password: Option<String>,
    /// The user's own address: mail from it is outbound.
    pub address: String,
    pub folders: Vec<String>,
    pub sharing: String,
    /// The user's own SMTP server, for what they write in Relata (with the
    /// mailbox's username and password); `None`: the workspace's is used.
    pub smtp: Option<(String, u16, String)>,
}

const KEYS: &[&str] = &[
    "host",
    "port",
    "security",
    "username",
    "password",
    "address",
    "folders",
    "sharing",
    "smtp_host",
    "smtp_port",
    "smtp_security",
];

impl MailboxSettings {
    pub fn parse(input: &Json, stored: Option<&MailboxSettings>) -> Result<MailboxSettings, ValidationError> {
        let Json::Object(input) = input else {
            return Err(ValidationError::single("", "invalid_type", "a JSON object"));
        };
        let mut errors = Vec::new();
        unknown_keys(input, KEYS, &mut errors);
        let password = secret(input, "password", stored.and_then(|s| s.password.clone()), &mut errors);
        if password.is_none() && !errors.iter().any(|e| e.field == "password") {
            errors.push(FieldError::new("password", "required", "the mailbox's (app) password"));
        }
        let server = server_address(input, "", "tls", (993, 143), true, &mut errors);
        let username = required(text(input, "username", &mut errors, 320), "username", &mut errors);
        let address = required(text(input, "address", &mut errors, 320), "address", &mut errors);
        if !address.is_empty()
            && let Err(e) = relata_core::email::Email::parse(&address)
        {
            errors.push(FieldError::new("address", "invalid_email", e.to_string()));
        }
        let folders = folders(input.get("folders"), &mut errors);
        let sharing = text(input, "sharing", &mut errors, 40).unwrap_or_else(|| "nothing".into());
        if !SHARING.contains(&sharing.as_str()) {
            errors.push(FieldError::new("sharing", "invalid_choice", format!("one of {}", SHARING.join(", "))));
        }
        // The user's own SMTP server, when they give one.
        let smtp = input
            .get("smtp_host")
            .filter(|h| !h.is_null() && h.as_str().is_none_or(|h| !h.trim().is_empty()))
            .map(|_| server_address(input, "smtp_", "starttls", (465, 587), true, &mut errors))
            .map(|s| (s.host, s.port, s.security));
        ValidationError::check(errors)?;
        Ok(MailboxSettings {
            smtp,
            host: server.host,
            port: server.port,
            security: server.security,
            username,
            password,
            address: address.to_lowercase(),
            folders,
            sharing,
        })
    }

    /// The settings as stored (the password included).
    pub fn stored_json(&self) -> Json {
        let (smtp_host, smtp_port, smtp_security) = match &self.smtp {
            Some((h, p, s)) => (json!(h), json!(p), json!(s)),
            None => (Json::Null, Json::Null, Json::Null),
        };
        json!({"host": self.host, "port": self.port, "security": self.security, "username": self.username,
               "password": self.password, "address": self.address, "folders": self.folders,
               "sharing": self.sharing, "smtp_host": smtp_host, "smtp_port": smtp_port,
               "smtp_security": smtp_security})
    }

    /// The server what the user writes goes out through, if they gave one.
    pub fn sending(&self) -> Option<crate::settings::EmailSettings> {
        let (host, port, security) = self.smtp.clone()?;
        Some(crate::settings::EmailSettings {
            host,
            port,
            security,
            username: Some(self.username.clone()),
            password: self.password.clone(),
            from_address: self.address.clone(),
            from_name: None,
            reply_to: None,
        })
    }

    /// What the API shows: everything but the password.
    pub fn public_json(&self) -> Json {
        let mut shown = self.stored_json();
        shown["password"] = json!(self.password.is_some());
        shown
    }

    pub fn from_stored(v: &Json) -> Option<MailboxSettings> {
        let s = |k: &str| v.get(k).and_then(Json::as_str).unwrap_or_default().to_string();
        let folders = v.get("folders")?.as_array()?.iter().filter_map(|f| f.as_str().map(str::to_string)).collect();
        Some(MailboxSettings {
            host: s("host"),
            port: v.get("port").and_then(Json::as_u64).and_then(|p| u16::try_from(p).ok())?,
            security: s("security"),
            username: s("username"),
            password: v.get("password").and_then(Json::as_str).map(str::to_string),
            address: s("address"),
            folders,
            sharing: s("sharing"),
            smtp: match (v.get("smtp_host").and_then(Json::as_str), v.get("smtp_port").and_then(Json::as_u64)) {
                (Some(h), Some(p)) => Some((h.to_string(), u16::try_from(p).ok()?, s("smtp_security"))),
                _ => None,
            },
        })
    }
}

/// The SMTP server `user` sends through, if they connected one.
pub async fn sending_settings(
    conn: &mut ScopedConn,
    user: Option<UserId>,
) -> Result<Option<crate::settings::EmailSettings>, AppError> {
    let Some(user) = user else { return Ok(None) };
    Ok(settings_of(conn, user).await?.and_then(|s| s.sending()))
}

fn folders(input: Option<&Json>, errors: &mut Vec<FieldError>) -> Vec<String> {
    let default = || vec!["INBOX".to_string()];
    let Some(value) = input.filter(|v| !v.is_null()) else { return default() };
    let Some(list) = value.as_array() else {
        errors.push(FieldError::new("folders", "invalid_type", "a list of folder names"));
        return default();
    };
    let mut out = Vec::new();
    for (i, f) in list.iter().enumerate() {
        match f.as_str().map(str::trim) {
            // A name goes into an IMAP command: no quotes, no line breaks.
            Some(name) if !name.is_empty() && name.len() <= 200 && !name.contains(['"', '\\', '\r', '\n']) => {
                if !out.iter().any(|o| o == name) {
                    out.push(name.to_string());
                }
            }
            _ => errors.push(FieldError::new(
                format!("folders[{i}]"),
                "invalid_folder",
                "a folder name (up to 200 characters, no quotes or line breaks)",
            )),
        }
    }
    if out.is_empty() && errors.iter().all(|e| !e.field.starts_with("folders")) {
        errors.push(FieldError::new("folders", "required", "at least one folder (INBOX)"));
    }
    if out.len() > 20 {
        errors.push(FieldError::new("folders", "too_many", "at most 20 folders"));
    }
    out
}

/// Where the sync of a folder stands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Checkpoint {
    pub uid_validity: u32,
    pub last_uid: u32,
}

async fn checkpoint(conn: &mut ScopedConn, user: UserId, folder: &str) -> Result<Checkpoint, AppError> {
    checkpoint_at(conn, &checkpoint_name(user, folder)).await
}

/// The checkpoint kept in setting `name`.
pub async fn checkpoint_at(conn: &mut ScopedConn, name: &str) -> Result<Checkpoint, AppError> {
    let stored = conn.setting(name).await?;
    let number = |k: &str| stored.as_ref().and_then(|v| v.get(k)).and_then(Json::as_u64).unwrap_or(0) as u32;
    Ok(Checkpoint { uid_validity: number("uid_validity"), last_uid: number("last_uid") })
}

fn me(ctx: &Ctx) -> Result<UserId, AppError> {
    ctx.actor.ok_or_else(|| AppError::forbidden("refuse-people-only", vec![]))
}

pub async fn settings_of(conn: &mut ScopedConn, user: UserId) -> Result<Option<MailboxSettings>, AppError> {
    Ok(conn.setting(&setting_name(user)).await?.as_ref().and_then(MailboxSettings::from_stored))
}

/// The caller's mailbox (`null` when none) with each folder's state.
pub async fn shown(app: &App, ctx: &Ctx) -> Result<Json, AppError> {
    let user = me(ctx)?;
    let mut conn = app.reader(ctx).await?;
    let Some(settings) = settings_of(&mut conn, user).await? else { return Ok(Json::Null) };
    let mut folders = Vec::new();
    for folder in &settings.folders {
        let at = checkpoint(&mut conn, user, folder).await?;
        folders.push(json!({"folder": folder, "uid_validity": at.uid_validity, "last_uid": at.last_uid}));
    }
    let state = conn.setting(&format!("mail.state.{}", user.uuid())).await?.unwrap_or(Json::Null);
    let mut shown = settings.public_json();
    shown["folder_state"] = Json::Array(folders);
    shown["last_sync"] = state;
    Ok(shown)
}

/// Puts the caller's mailbox, and syncs it every five minutes from now.
pub async fn put(app: &App, ctx: &Ctx, input: &Json) -> Result<Json, AppError> {
    let user = me(ctx)?;
    let mut tx = app.writer(ctx).await?;
    let settings = MailboxSettings::parse(input, settings_of(&mut tx, user).await?.as_ref())?;
    tx.put_setting(&setting_name(user), &settings.stored_json()).await?;
    set_sharing(&mut tx, user, Some(&settings.sharing)).await?;
    put_schedule(&mut tx, user, true).await?;
    let shown = settings.public_json();
    audit_in(&mut tx, ctx, Event::new("mailbox.change").target("user", user.uuid()).details(shown.clone())).await?;
    tx.commit().await?;
    Ok(shown)
}

/// Disconnects the caller's mailbox; the mail logged so far stays.
pub async fn remove(app: &App, ctx: &Ctx) -> Result<(), AppError> {
    let user = me(ctx)?;
    let mut tx = app.writer(ctx).await?;
    if settings_of(&mut tx, user).await?.is_none() {
        return Err(AppError::NotFound);
    }
    tx.put_setting(&setting_name(user), &Json::Null).await?;
    set_sharing(&mut tx, user, None).await?;
    put_schedule(&mut tx, user, false).await?;
    audit_in(&mut tx, ctx, Event::new("mailbox.remove").target("user", user.uuid())).await?;
    tx.commit().await?;
    Ok(())
}

/// Asks for a sync of the caller's mailbox now; answers the job's id.
pub async fn request_sync(app: &App, ctx: &Ctx) -> Result<Uuid, AppError> {
    let user = me(ctx)?;
    let mut tx = app.writer(ctx).await?;
    if settings_of(&mut tx, user).await?.is_none() {
        return Err(ValidationError::single("mailbox", "not_connected", "connect a mailbox first").into());
    }
    let id = tx.enqueue_job(sync_job(user, tx.now())).await?;
    tx.commit().await?;
    Ok(id)
}

fn sync_job(user: UserId, at: DateTime<Utc>) -> NewJob {
    NewJob {
        kind: SYNC_JOB.into(),
        payload: json!({"user": user.uuid().to_string()}),
        run_at: at,
        max_attempts: 5,
        idempotency_key: None,
        schedule: None,
    }
}

async fn put_schedule(tx: &mut ScopedConn, user: UserId, enabled: bool) -> Result<(), AppError> {
    let name = format!("mailbox_{}", user.uuid().simple());
    let payload = json!({"user": user.uuid().to_string()});
    put_reading_schedule(tx, name, SYNC_JOB, payload, enabled).await
}

/// The schedule `name` that reads a mailbox every five minutes (a job of
/// `kind` with `payload`), switched on or off.
pub async fn put_reading_schedule(
    tx: &mut ScopedConn,
    name: String,
    kind: &str,
    payload: Json,
    enabled: bool,
) -> Result<(), AppError> {
    let existing = tx.schedules().await?.into_iter().find(|s| s.name == name);
    let cron = "0 */5 * * * *";
    let schedule = relata_store::jobs::Schedule {
        workspace: tx.workspace(),
        id: existing.map_or_else(Uuid::now_v7, |s| s.id),
        name,
        kind: kind.into(),
        payload,
        cron: cron.into(),
        time_zone: "UTC".into(),
        next_run_at: relata_app::jobs::next_firing(cron, "UTC", tx.now()).unwrap_or_else(|_| tx.now()),
        enabled,
    };
    Ok(tx.put_schedule(&schedule).await?)
}

/// Keeps the workspace's map of who shares what (read by the timeline).
async fn set_sharing(tx: &mut ScopedConn, user: UserId, level: Option<&str>) -> Result<(), AppError> {
    let mut map = match tx.setting(SHARING_SETTING).await? {
        Some(Json::Object(m)) => m,
        _ => Map::new(),
    };
    match level {
        Some(level) if level != "nothing" => map.insert(user.uuid().to_string(), json!(level)),
        _ => map.remove(&user.uuid().to_string()),
    };
    Ok(tx.put_setting(SHARING_SETTING, &Json::Object(map)).await?)
}

/// `mail.sync`: one user's mailbox, every folder, from its checkpoints.
pub struct SyncJob;

impl JobHandler for SyncJob {
    fn kind(&self) -> &'static str {
        SYNC_JOB
    }

    fn max_attempts(&self) -> i64 {
        5
    }

    fn run<'a>(&'a self, app: &'a App, job: &'a Job) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move {
            let ws = relata_app::jobs::workspace_of(app, job).await?;
            let ctx = Ctx::new(ws, None);
            let user = job
                .payload
                .get("user")
                .and_then(Json::as_str)
                .and_then(|s| Uuid::parse_str(s).ok())
                .map(UserId::from_uuid)
                .ok_or_else(|| JobError::Fail("payload.user: a user id".into()))?;
            let outcome = sync(app, &ctx, user).await;
            keep_outcome(app, &ctx, &format!("mail.state.{}", user.uuid()), "logged", &outcome).await;
            outcome.map(drop).map_err(|e| JobError::Retry(e.to_string()))
        })
    }
}

/// Why a sync stopped: the mail server, or Relata's side.
#[derive(Debug)]
pub enum SyncError {
    Mail(String),
    App(AppError),
}

impl std::fmt::Display for SyncError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SyncError::Mail(e) => write!(f, "the mail server: {e}"),
            SyncError::App(e) => write!(f, "{e}"),
        }
    }
}

impl From<AppError> for SyncError {
    fn from(e: AppError) -> SyncError {
        SyncError::App(e)
    }
}

/// What a mailbox's new messages are handed to, a batch at a time: a
/// person's mail log, the service desk's cases.
pub trait MailSink: Send + Sync {
    /// The setting that keeps `folder`'s checkpoint.
    fn checkpoint_setting(&self, folder: &str) -> String;

    /// Messages larger than this many bytes are fetched as their header
    /// alone.
    fn size_limit(&self) -> u32 {
        MESSAGE_LIMIT
    }

    /// Takes a batch of `folder`'s messages and moves the folder's
    /// checkpoint past it to `done`, in one transaction (the checkpoint
    /// first: see [`save_checkpoint`]); answers how many it kept.
    fn take<'a>(
        &'a self,
        app: &'a App,
        ctx: &'a Ctx,
        folder: &'a str,
        fetched: &'a [Fetched],
        done: Checkpoint,
    ) -> BoxFuture<'a, Result<u64, AppError>>;
}

/// Writes a folder's checkpoint in a batch's transaction, before anything
/// else: on PostgreSQL its row stays locked until this commits, so that
/// two readers of one mailbox take turns and the second sees what the
/// first kept.
pub async fn save_checkpoint(tx: &mut ScopedConn, name: &str, done: Checkpoint) -> Result<(), AppError> {
    let checkpoint = json!({"uid_validity": done.uid_validity, "last_uid": done.last_uid});
    Ok(tx.put_setting(name, &checkpoint).await?)
}

/// Reads every folder of a mailbox from its checkpoints into `sink`;
/// answers how many messages it kept. A folder that fails (gone, renamed)
/// is reported and does not keep the others back.
pub async fn read_mailbox(
    app: &App,
    ctx: &Ctx,
    settings: &MailboxSettings,
    sink: &dyn MailSink,
) -> Result<u64, SyncError> {
    let password = settings.password.clone().unwrap_or_default();
    let mut session = imap::connect(&settings.host, settings.port, &settings.security, &settings.username, &password)
        .await
        .map_err(SyncError::Mail)?;
    let mut kept = 0;
    let mut failed = Vec::new();
    for folder in &settings.folders {
        match read_folder(app, ctx, &mut session, folder, sink).await {
            Ok(n) => kept += n,
            Err(SyncError::Mail(e)) => failed.push(format!("{folder}: {e}")),
            Err(e) => {
                imap::logout(session).await;
                return Err(e);
            }
        }
    }
    imap::logout(session).await;
    if failed.is_empty() { Ok(kept) } else { Err(SyncError::Mail(failed.join("; "))) }
}

/// Keeps what a mailbox's last read did (when, how many messages as
/// `counted`, or the error) in setting `name`, for its page; best effort.
pub async fn keep_outcome(app: &App, ctx: &Ctx, name: &str, counted: &str, outcome: &Result<u64, SyncError>) {
    let state = match outcome {
        Ok(n) => json!({"at": app.store.now(), counted: n, "error": null}),
        Err(e) => json!({"at": app.store.now(), "error": e.to_string()}),
    };
    if let Ok(mut tx) = app.writer(ctx).await
        && tx.put_setting(name, &state).await.is_ok()
    {
        let _ = tx.commit().await;
    }
}

/// Syncs one user's mailbox; answers how many messages it logged.
pub async fn sync(app: &App, ctx: &Ctx, user: UserId) -> Result<u64, SyncError> {
    let settings = {
        let mut conn = app.reader(ctx).await?;
        match settings_of(&mut conn, user).await? {
            Some(s) => s,
            None => return Ok(0),
        }
    };
    read_mailbox(app, ctx, &settings, &PersonalMail { user, settings: &settings }).await
}

async fn read_folder(
    app: &App,
    ctx: &Ctx,
    session: &mut imap::ImapSession,
    folder: &str,
    sink: &dyn MailSink,
) -> Result<u64, SyncError> {
    let validity = imap::open(session, folder).await.map_err(SyncError::Mail)?;
    let mut at = {
        let mut conn = app.reader(ctx).await?;
        checkpoint_at(&mut conn, &sink.checkpoint_setting(folder)).await?
    };
    if at.uid_validity != validity {
        // A new generation of the folder: its UIDs mean other messages now.
        at = Checkpoint { uid_validity: validity, last_uid: 0 };
    }
    let uids = imap::uids_after(session, at.last_uid).await.map_err(SyncError::Mail)?;
    let mut kept = 0;
    for chunk in uids.chunks(BATCH) {
        let fetched = imap::fetch(session, chunk, sink.size_limit()).await.map_err(SyncError::Mail)?;
        let last = *chunk.last().expect("a chunk is never empty");
        let done = Checkpoint { uid_validity: validity, last_uid: last };
        kept += sink.take(app, ctx, folder, &fetched, done).await?;
    }
    Ok(kept)
}

/// A person's mailbox: mail to and from known contacts is logged as theirs.
struct PersonalMail<'s> {
    user: UserId,
    settings: &'s MailboxSettings,
}

impl MailSink for PersonalMail<'_> {
    fn checkpoint_setting(&self, folder: &str) -> String {
        checkpoint_name(self.user, folder)
    }

    fn take<'a>(
        &'a self,
        app: &'a App,
        ctx: &'a Ctx,
        folder: &'a str,
        fetched: &'a [Fetched],
        done: Checkpoint,
    ) -> BoxFuture<'a, Result<u64, AppError>> {
        Box::pin(log_batch(app, ctx, self.user, self.settings, folder, fetched, done))
    }
}

/// A message as the CRM keeps it.
#[derive(Debug, Default, PartialEq)]
pub struct Mail {
    pub message_id: String,
    pub in_reply_to: Option<String>,
    pub thread: String,
    pub subject: String,
    pub from: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub body: String,
    /// Name, type, size, and whether the bytes are kept, per attachment.
    pub attachments: Vec<Json>,
    /// The bytes kept, by the attachment's position.
    pub files: Vec<(i64, String, String, Vec<u8>)>,
    /// Why the receiving server found the sender forged, if it did.
    pub forged: Option<String>,
    /// What of the message could not be decoded, if anything.
    pub damaged: Option<String>,
}

fn addresses(list: Option<&mail_parser::Address>) -> Vec<String> {
    list.map(|a| a.iter().filter_map(|x| x.address()).map(|s| s.trim().to_lowercase()).collect()).unwrap_or_default()
}

/// Reads a raw message; `fallback_id` names it when it has no Message-ID.
/// Bytes without a single header are not a message: `None`.
pub fn parse_mail(raw: &[u8], fallback_id: &str) -> Option<Mail> {
    use mail_parser::MimeHeaders;
    let message = mail_parser::MessageParser::default().parse(raw).filter(|m| !m.headers().is_empty())?;
    let message_id = message.message_id().map(str::to_string).unwrap_or_else(|| fallback_id.to_string());
    let in_reply_to = message.in_reply_to().as_text().map(str::to_string);
    let references: Vec<String> = match message.references() {
        mail_parser::HeaderValue::Text(t) => vec![t.to_string()],
        mail_parser::HeaderValue::TextList(l) => l.iter().map(|t| t.to_string()).collect(),
        _ => Vec::new(),
    };
    // A thread is named by its first message.
    let thread = references.first().cloned().or_else(|| in_reply_to.clone()).unwrap_or_else(|| message_id.clone());
    let body: String = message.body_text(0).map(|b| b.chars().take(BODY_LIMIT).collect()).unwrap_or_default();
    let mut attachments = Vec::new();
    let mut files = Vec::new();
    let mut kept_bytes = 0;
    for (position, a) in message.attachments().enumerate() {
        let ctype = a.content_type().map(|c| match c.subtype() {
            Some(sub) => format!("{}/{sub}", c.ctype()),
            None => c.ctype().to_string(),
        });
        let name = a.attachment_name().unwrap_or("(unnamed)");
        let bytes = a.contents();
        let kept = kept_bytes + bytes.len() <= ATTACHMENTS_LIMIT;
        if kept {
            kept_bytes += bytes.len();
            let content_type = ctype.clone().unwrap_or_else(|| "application/octet-stream".into());
            files.push((position as i64, name.to_string(), content_type, bytes.to_vec()));
        }
        attachments.push(json!({"position": position, "name": name, "content_type": ctype, "size": bytes.len(),
                                "kept": kept}));
    }
    Some(Mail {
        message_id,
        in_reply_to,
        thread,
        subject: message.subject().unwrap_or_default().chars().take(500).collect(),
        from: addresses(message.from()).into_iter().next().unwrap_or_default(),
        to: addresses(message.to()),
        cc: addresses(message.cc()),
        sent_at: message.date().and_then(|d| DateTime::from_timestamp(d.to_timestamp(), 0)),
        body,
        attachments,
        files,
        forged: forged_sender(&message),
        damaged: damage(&message),
    })
}

/// Why the receiving server found the sender forged, if it did: DMARC
/// failed, or SPF failed with no DKIM signature passing (its
/// `Authentication-Results`, RFC 8601, and `Received-SPF`, RFC 7208).
fn forged_sender(message: &mail_parser::Message) -> Option<String> {
    let mut results = Vec::new();
    for (name, value) in message.headers_raw() {
        let value = value.to_ascii_lowercase();
        if name.eq_ignore_ascii_case("Authentication-Results") {
            results.extend(value.split(|c: char| c.is_whitespace() || c == ';').map(str::to_string));
        } else if name.eq_ignore_ascii_case("Received-SPF") && value.trim_start().starts_with("fail") {
            results.push("spf=fail".into());
        }
    }
    let has = |token: &str| results.iter().any(|t| t == token);
    if has("dmarc=fail") {
        Some("the receiving server's DMARC check failed".into())
    } else if has("spf=fail") && !has("dkim=pass") {
        Some("the receiving server's SPF check failed and no DKIM signature passed".into())
    } else {
        None
    }
}

/// Which parts of a message could not be decoded (a broken transfer
/// encoding, a multipart cut short), if any.
fn damage(message: &mail_parser::Message) -> Option<String> {
    let damaged: Vec<String> = message
        .parts
        .iter()
        .enumerate()
        // A part with no bytes is a message without a body, not damage.
        .filter(|(_, part)| part.is_encoding_problem && part.offset_end > part.offset_body)
        .map(|(i, _)| (i + 1).to_string())
        .collect();
    (!damaged.is_empty()).then(|| format!("part {} could not be decoded", damaged.join(", ")))
}

/// The name of a message without a Message-ID: its place in the folder.
pub fn fallback_id(folder: &str, uid: u32, done: Checkpoint) -> String {
    format!("<{}.{uid}.{}@relata.mailbox>", done.uid_validity, folder.replace(' ', "_"))
}

/// A batch's messages as read.
pub fn parse_batch(folder: &str, fetched: &[Fetched], done: Checkpoint) -> Vec<Mail> {
    fetched.iter().filter_map(|f| parse_mail(&f.raw, &fallback_id(folder, f.uid, done))).collect()
}

/// Logs the batch's messages that concern known contacts and moves the
/// folder's checkpoint past the batch, in one transaction.
async fn log_batch(
    app: &App,
    ctx: &Ctx,
    user: UserId,
    settings: &MailboxSettings,
    folder: &str,
    fetched: &[Fetched],
    done: Checkpoint,
) -> Result<u64, AppError> {
    let mut tx = app.writer(ctx).await?;
    save_checkpoint(&mut tx, &checkpoint_name(user, folder), done).await?;
    let mails = parse_batch(folder, fetched, done);
    let ids: Vec<FieldValue> = mails.iter().map(|m| FieldValue::Text(m.message_id.clone())).collect();
    let mut seen = logged_ids(&mut tx, user, ids).await?;
    let mut rows = Vec::new();
    let mut files = Vec::new();
    for mut mail in mails {
        if !seen.insert(mail.message_id.clone()) {
            continue;
        }
        let outbound = mail.from == settings.address;
        let others: Vec<&String> = if outbound { mail.to.iter().chain(&mail.cc).collect() } else { vec![&mail.from] };
        let Some((contact, account)) = known_party(&mut tx, &others).await? else { continue };
        files.push(std::mem::take(&mut mail.files));
        rows.push(email_values(user, folder, outbound, mail, contact, account));
    }
    let made = if rows.is_empty() {
        0
    } else {
        let (made, refused) = write::create_many_in(&mut tx, ctx, &Schema::standard(EMAILS), rows).await?;
        if let Some((_, errors)) = refused.into_iter().next() {
            return Err(ValidationError { errors }.into());
        }
        // Every row was made, in order: each email's attachments with it.
        for (email, kept) in made.iter().zip(files) {
            let kept = kept
                .into_iter()
                .map(|(position, name, content_type, content)| NewFile { position, name, content_type, content })
                .collect();
            tx.put_files(EMAILS.singular(), email.id.uuid(), kept).await?;
        }
        made.len() as u64
    };
    tx.commit().await?;
    Ok(made)
}

/// The Message-IDs among `ids` already logged for `user`.
async fn logged_ids(tx: &mut ScopedConn, user: UserId, ids: Vec<FieldValue>) -> Result<HashSet<String>, AppError> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let schema = Schema::standard(EMAILS);
    let field = |id: &str| schema.field(id).expect("a field of emails");
    let filter = Filter::And(vec![
        Filter::In { field: field("message_id"), values: ids },
        Filter::Compare { field: field("owner"), op: Op::Eq, value: FieldValue::Ref(user.uuid()) },
    ]);
    let found = relata_app::read::every_in(tx, &schema, filter).await?;
    Ok(found.iter().filter_map(|r| r.values.std("message_id").as_text().map(str::to_string)).collect())
}

/// The first of `addresses` that is a contact's (with the contact's
/// account), else the account of the first company domain among them.
async fn known_party(
    tx: &mut ScopedConn,
    addresses: &[&String],
) -> Result<Option<(Option<RecordId>, Option<RecordId>)>, AppError> {
    for address in addresses {
        let Ok(email) = relata_core::email::Email::parse(address) else { continue };
        let hits = tx.lookup_contact_point("email", email.as_str()).await?;
        if let Some(hit) = hits.iter().find(|h| h.kind == CONTACTS) {
            let contact = tx.get_record(&Schema::standard(CONTACTS), hit.id, false).await?;
            let account = contact.and_then(|c| c.values.ref_id("account")).map(RecordId::from_uuid);
            return Ok(Some((Some(hit.id), account)));
        }
    }
    for address in addresses {
        let Some(domain) = address.rsplit_once('@').map(|(_, d)| d) else { continue };
        if PUBLIC_DOMAINS.contains(&domain) {
            continue;
        }
        if let Some(account) = account_by_domain(tx, domain).await? {
            return Ok(Some((None, Some(account))));
        }
    }
    Ok(None)
}

/// The one account whose website is on `domain` (none when several are).
async fn account_by_domain(tx: &mut ScopedConn, domain: &str) -> Result<Option<RecordId>, AppError> {
    let schema = Schema::standard(ACCOUNTS);
    let website = schema.field("website").expect("accounts have a website");
    let filter = Filter::Compare { field: website, op: Op::Contains, value: FieldValue::Text(domain.to_string()) };
    let found = relata_app::read::every_in(tx, &schema, filter).await?;
    let on_domain: Vec<_> = found
        .iter()
        .filter(|a| {
            let site = a.values.std("website").as_text().unwrap_or_default().to_lowercase();
            let host = site.trim_start_matches("https://").trim_start_matches("http://").trim_start_matches("www.");
            host.split(['/', ':']).next() == Some(domain)
        })
        .collect();
    Ok(if on_domain.len() == 1 { Some(on_domain[0].id) } else { None })
}

fn email_values(
    user: UserId,
    folder: &str,
    outbound: bool,
    mail: Mail,
    contact: Option<RecordId>,
    account: Option<RecordId>,
) -> Values {
    let mut v = Values::default();
    let text = |s: String| if s.is_empty() { FieldValue::Null } else { FieldValue::Text(s) };
    v.set_std("owner", FieldValue::Ref(user.uuid()));
    v.set_std("direction", FieldValue::Text(if outbound { "outbound" } else { "inbound" }.into()));
    v.set_std("subject", text(mail.subject));
    v.set_std("from_address", text(mail.from));
    v.set_std("to_addresses", text(mail.to.join(", ")));
    v.set_std("cc_addresses", text(mail.cc.join(", ")));
    v.set_std("sent_at", mail.sent_at.map_or(FieldValue::Null, FieldValue::DateTime));
    v.set_std("body", text(mail.body));
    v.set_std("contact", contact.map_or(FieldValue::Null, |c| FieldValue::Ref(c.uuid())));
    v.set_std("account", account.map_or(FieldValue::Null, |a| FieldValue::Ref(a.uuid())));
    v.set_std("folder", FieldValue::Text(folder.to_string()));
    v.set_std("message_id", FieldValue::Text(mail.message_id));
    v.set_std("in_reply_to", mail.in_reply_to.map_or(FieldValue::Null, FieldValue::Text));
    v.set_std("thread", FieldValue::Text(mail.thread));
    if !mail.attachments.is_empty() {
        v.set_std("attachments", FieldValue::Text(Json::Array(mail.attachments).to_string()));
    }
    v
}

/// The mail colleagues share, on a customer's timeline: for owners who
/// share everything, the message; for those who share subject and people,
/// the message without its body. The viewer's own mail is not here (it is
/// an episode of the timeline already).
pub struct SharedMail;

impl TimelineSource for SharedMail {
    fn ask<'s>(
        &self,
        conn: &mut ScopedConn,
        reads: &mut Reads,
        story: &Story<'s>,
    ) -> Result<Box<dyn SourceReads<'s> + 's>, AppError> {
        let schema = story.schemas.get(EMAILS);
        let Some(at) = schema.field("sent_at") else { return Ok(no_items()) };
        let links: Vec<_> = ["contact", "account"]
            .iter()
            .filter_map(|f| schema.field(f))
            .filter(|f| f.ty == FieldType::Relation(Target::Entity(story.kind)))
            .collect();
        // Only the types mail is filed under read who shares it.
        if links.is_empty() {
            return Ok(no_items());
        }
        // The viewer's own scope: their own mail, which they see already.
        // Reads that see everything (Relata's own) see it as episodes.
        let viewer = conn.lift_visibility();
        let own = match viewer.as_ref().map(|v| v.scope(EMAILS)) {
            Some(relata_core::access::OwnerScope::Owners(users)) => Some(users.to_vec()),
            _ => None,
        };
        conn.restore_visibility(viewer);
        let Some(own) = own else { return Ok(no_items()) };
        let sharing = conn.read_settings(reads, &[SHARING_SETTING]);
        let (id, before, limit) = (story.id, story.before.clone(), story.limit);
        Ok(Box::new(SharingAsked { schema, at, links, own, sharing, id, before, limit }))
    }
}

/// Who shares their mail, asked for a story.
struct SharingAsked<'s> {
    schema: &'s Schema,
    at: &'s FieldDef,
    links: Vec<&'s FieldDef>,
    /// The viewer's own mail's owners.
    own: Vec<UserId>,
    sharing: SettingsRead,
    id: RecordId,
    before: Option<(DateTime<Utc>, String)>,
    limit: u64,
}

impl<'s> SourceReads<'s> for SharingAsked<'s> {
    fn answer(
        self: Box<Self>,
        conn: &mut ScopedConn,
        answers: &mut Answers,
        reads: &mut Reads,
    ) -> Result<Answered<'s>, AppError> {
        let levels: BTreeMap<UserId, String> = match answers.settings(self.sharing)?.remove(SHARING_SETTING) {
            Some(Json::Object(m)) => m
                .iter()
                .filter_map(|(u, l)| Some((UserId::from_uuid(Uuid::parse_str(u).ok()?), l.as_str()?.to_string())))
                .collect(),
            _ => BTreeMap::new(),
        };
        if levels.is_empty() {
            return Ok(Answered::Items(Vec::new()));
        }
        // The sharers' mail, read as if the viewer's scope were theirs.
        let sharers: Vec<UserId> = levels.keys().filter(|u| !self.own.contains(u)).copied().collect();
        let viewer = conn.lift_visibility();
        conn.restore_visibility(Some(std::sync::Arc::new(relata_core::access::Visibility::only(EMAILS, sharers))));
        let mail = self
            .links
            .iter()
            .map(|link| {
                conn.read_linked_before(reads, self.schema, (link, self.id), self.at, self.before.clone(), self.limit)
            })
            .collect();
        conn.restore_visibility(viewer);
        Ok(Answered::Again(Box::new(MailAsked { schema: self.schema, levels, mail })))
    }
}

/// The mail colleagues share, asked.
struct MailAsked<'s> {
    schema: &'s Schema,
    levels: BTreeMap<UserId, String>,
    mail: Vec<ListedRead<'s>>,
}

impl<'s> SourceReads<'s> for MailAsked<'s> {
    fn answer(
        self: Box<Self>,
        _: &mut ScopedConn,
        answers: &mut Answers,
        _: &mut Reads,
    ) -> Result<Answered<'s>, AppError> {
        let schema = self.schema;
        let mut items = Vec::new();
        for read in self.mail {
            for mail in answers.listed(read)? {
                let level = mail.values.ref_id("owner").and_then(|o| self.levels.get(&UserId::from_uuid(o)));
                let mut record = mail.to_json(schema);
                if level.map(String::as_str) != Some("everything") {
                    // Subject and people only.
                    for hidden in ["body", "attachments"] {
                        record.as_object_mut().map(|o| o.remove(hidden));
                    }
                }
                items.push(relata_app::timeline::TimelineItem {
                    at: match mail.values.std("sent_at") {
                        FieldValue::DateTime(t) => *t,
                        _ => mail.created_at,
                    },
                    item_type: "shared_email",
                    id: mail.id.to_string(),
                    title: schema.title(&mail),
                    record,
                });
            }
        }
        Ok(Answered::Items(items))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mailbox_settings_are_checked_by_field_and_keep_their_password() {
        let bad = json!({"host": "", "port": 0, "security": "none", "username": "anna", "address": "not mail",
                         "folders": ["INBOX", "bad\"name"], "sharing": "some", "colour": 1});
        let fields: Vec<String> =
            MailboxSettings::parse(&bad, None).unwrap_err().errors.into_iter().map(|e| e.field.to_string()).collect();
        for field in ["host", "port", "password", "address", "folders[1]", "sharing", "colour"] {
            assert!(fields.iter().any(|f| f == field), "{field} in {fields:?}");
        }
        let remote = json!({"host": "imap.example.com", "security": "none", "username": "a", "password": "p",
                            "address": "a@example.com"});
        let e = MailboxSettings::parse(&remote, None).unwrap_err();
        assert_eq!(e.errors[0].code, "insecure");
        let good = json!({"host": "imap.example.com", "username": "anna", "password": "secret",
                          "address": "Anna@Example.com"});
        let s = MailboxSettings::parse(&good, None).unwrap();
        assert_eq!(
            (s.port, s.security.as_str(), s.folders.clone(), s.sharing.as_str()),
            (993, "tls", vec!["INBOX".to_string()], "nothing")
        );
        assert_eq!(s.address, "anna@example.com");
        assert_eq!(s.public_json()["password"], json!(true));
        let again = json!({"host": "imap.example.com", "username": "anna", "address": "anna@example.com",
                           "sharing": "everything"});
        assert_eq!(MailboxSettings::parse(&again, Some(&s)).unwrap().password.as_deref(), Some("secret"));
        assert_eq!(MailboxSettings::from_stored(&s.stored_json()), Some(s.clone()));
        // The own SMTP server: checked like the workspace's, by its own keys.
        let mut smtp = good.clone();
        smtp["smtp_host"] = json!("smtp.example.com");
        smtp["smtp_security"] = json!("none");
        smtp["smtp_port"] = json!(0);
        let codes: Vec<(String, &str)> = MailboxSettings::parse(&smtp, None)
            .unwrap_err()
            .errors
            .into_iter()
            .map(|e| (e.field.to_string(), e.code))
            .collect();
        assert_eq!(codes, [("smtp_port".to_string(), "invalid_port"), ("smtp_security".to_string(), "insecure")]);
        smtp["smtp_security"] = json!("tls");
        smtp["smtp_port"] = Json::Null;
        let own = MailboxSettings::parse(&smtp, None).unwrap();
        assert_eq!(own.smtp, Some(("smtp.example.com".to_string(), 465, "tls".to_string())));
        assert_eq!(own.sending().map(|e| e.from_address), Some("anna@example.com".to_string()));
        smtp["smtp_host"] = json!("");
        assert_eq!(MailboxSettings::parse(&smtp, None).unwrap().smtp, None, "an empty host: none");
    }

    #[test]
    fn mail_is_read_with_its_thread_people_and_attachments() {
        let raw = concat!(
            "From: Jan Kowalski <Jan@Acme.pl>\r\n",
            "To: anna@example.com, Piotr <piotr@acme.pl>\r\n",
            "Cc: ola@acme.pl\r\n",
            "Subject: =?UTF-8?Q?Zam=C3=B3wienie?=\r\n",
            "Date: Fri, 04 Dec 2026 10:00:00 +0100\r\n",
            "Message-ID: <reply@acme.pl>\r\n",
            "In-Reply-To: <second@example.com>\r\n",
            "References: <first@example.com> <second@example.com>\r\n",
            "MIME-Version: 1.0\r\n",
            "Content-Type: multipart/mixed; boundary=b\r\n\r\n",
            "--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Dzie&#324; dobry <script>alert(1)</script><b>Anno</b></p>\r\n",
            "--b\r\nContent-Type: application/pdf; name=order.pdf\r\nContent-Disposition: attachment; filename=order.pdf\r\n",
            "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n"
        );
        let mail = parse_mail(raw.as_bytes(), "<fallback>").unwrap();
        assert_eq!(mail.subject, "Zamówienie");
        assert_eq!(mail.from, "jan@acme.pl");
        assert_eq!(mail.to, vec!["anna@example.com", "piotr@acme.pl"]);
        assert_eq!(mail.cc, vec!["ola@acme.pl"]);
        assert_eq!((mail.message_id.as_str(), mail.thread.as_str()), ("reply@acme.pl", "first@example.com"));
        assert_eq!(mail.in_reply_to.as_deref(), Some("second@example.com"));
        assert!(mail.body.contains("Dzień dobry") && mail.body.contains("Anno"), "{}", mail.body);
        assert!(!mail.body.contains('<'), "no markup is kept: {}", mail.body);
        assert_eq!(mail.sent_at.unwrap().to_rfc3339(), "2026-12-04T09:00:00+00:00");
        let pdf =
            json!({"position": 0, "name": "order.pdf", "content_type": "application/pdf", "size": 9, "kept": true});
        assert_eq!(mail.attachments, vec![pdf]);
        assert_eq!(
            mail.files,
            vec![(0, "order.pdf".to_string(), "application/pdf".to_string(), b"%PDF-1.4\n".to_vec())]
        );
        let bare = parse_mail(b"From: a@b.c\r\nSubject: x\r\n\r\nhi", "<7.1.INBOX@relata.mailbox>").unwrap();
        assert_eq!(
            (bare.message_id.as_str(), bare.thread.as_str()),
            ("<7.1.INBOX@relata.mailbox>", "<7.1.INBOX@relata.mailbox>")
        );
    }

    #[test]
    fn forged_senders_and_damaged_messages_are_told_apart() {
        let with = |headers: &str, body: &str| {
            let raw = format!("From: a@bank.com\r\nSubject: x\r\nMessage-ID: <1@x>\r\n{headers}\r\n{body}");
            parse_mail(raw.as_bytes(), "<f>").unwrap()
        };
        let passed = with("Authentication-Results: mx.example.com; spf=pass; dkim=pass; dmarc=pass\r\n", "hi");
        assert_eq!((passed.forged, passed.damaged), (None, None));
        let dmarc = with(
            "Authentication-Results: mx.example.com;\r\n spf=fail smtp.mailfrom=bank.com;\r\n dmarc=fail (p=reject) header.from=bank.com\r\n",
            "hi",
        );
        assert!(dmarc.forged.unwrap().contains("DMARC"));
        let spf = with("Received-SPF: Fail (mx.example.com: domain does not designate 1.2.3.4)\r\n", "hi");
        assert!(spf.forged.unwrap().contains("SPF"));
        let signed =
            with("Received-SPF: fail\r\nAuthentication-Results: mx.example.com; dkim=pass header.d=bank.com\r\n", "hi");
        assert_eq!(signed.forged, None, "a passing DKIM signature vouches for it");
        let soft = with("Authentication-Results: mx.example.com; spf=softfail; dmarc=none\r\n", "hi");
        assert_eq!(soft.forged, None);

        let multipart = "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n";
        let broken_base64 = with(
            multipart,
            "--b\r\nContent-Type: text/plain\r\n\r\nPlease see the photo.\r\n--b\r\nContent-Type: image/jpeg; name=a.jpg\r\nContent-Transfer-Encoding: base64\r\n\r\n@@@@ not base64 !!!!\r\n--b--\r\n",
        );
        assert_eq!(broken_base64.damaged.as_deref(), Some("part 3 could not be decoded"));
        assert!(broken_base64.body.contains("Please see the photo."), "what can be read is kept");
        let cut_short = with(
            multipart,
            "--b\r\nContent-Type: text/plain\r\n\r\nPlease see the photo.\r\n--b\r\nContent-Type: image/jpeg\r\nContent-Transfer-Encoding: base64\r\n\r\n/9j/4AAQ",
        );
        assert_eq!(cut_short.damaged.as_deref(), Some("part 3 could not be decoded"));
        for raw in [&b""[..], b"\r\n\r\n", b"just some words without a header\r\n"] {
            assert_eq!(parse_mail(raw, "<f>"), None, "{raw:?} is not a message");
        }
        let headerless = with("", "");
        assert_eq!(headerless.damaged, None, "a message without a body is not damaged");
    }
}
