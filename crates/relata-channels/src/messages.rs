//! A message from composing to sending. Composing happens in the one write
//! path (whoever creates a message: a person in the API or UI, an
//! automation step): the recipient's address is taken from the contact or
//! account, the template's variant in the contact's language is merged with
//! the contact, the account and the record the message is about, and the
//! message is queued: an email or SMS as a `channels.send` job in the same
//! transaction, a letter into the open print batch. The job checks consent
//! at send time and sends once: a message is marked `sending` before it is
//! handed over, so a crash in between leaves it for a person to check
//! rather than sending it twice.

use crate::entities::{MESSAGE_TEMPLATES, MESSAGES, PRINT_BATCHES};
use crate::format;
use crate::merge::{self, Template};
use crate::settings::{self, EmailSettings, SmsSettings};
use relata_app::error::into_store;
use relata_app::jobs::{JobError, JobHandler};
use relata_app::module::BoxFuture;
use relata_app::{App, Ctx};
use relata_core::error::{FieldError, ValidationError};
use relata_core::meta::{EntityKind, Schema};
use relata_core::value::{FieldValue, Values};
use relata_core::{Record, RecordId};
use relata_crm::{ACCOUNTS, CONTACTS};
use relata_store::jobs::{Job, NewJob};
use relata_store::{ScopedConn, StoreError};
use serde_json::{Value as Json, json};
use std::time::Duration;
use uuid::Uuid;

pub const SEND_JOB: &str = "channels.send";
/// The placeholder a composed body keeps for the unsubscribe link, which
/// is made when the message is sent (it needs the server's address).
pub const UNSUBSCRIBE_PLACEHOLDER: &str = "{{unsubscribe_url}}";
/// Merge fields that name no record.
const SPECIAL_FIELDS: [&str; 3] = ["today", "unsubscribe_url", "workspace.name"];

fn invalid(field: &str, code: &'static str, message: impl Into<String>) -> StoreError {
    StoreError::Invalid(ValidationError::single(field, code, message))
}

fn text<'a>(values: &'a Values, id: &str) -> &'a str {
    values.std(id).as_text().unwrap_or_default()
}

async fn get(tx: &mut ScopedConn, kind: EntityKind, id: Uuid) -> Result<Option<Record>, StoreError> {
    tx.get_record(&Schema::standard(kind), RecordId::from_uuid(id), false).await
}

/// A related record the input names, or a field error saying it is missing.
async fn named(
    tx: &mut ScopedConn,
    values: &Values,
    field: &str,
    kind: EntityKind,
) -> Result<Option<Record>, StoreError> {
    let Some(id) = values.ref_id(field) else { return Ok(None) };
    match get(tx, kind, id).await? {
        Some(r) => Ok(Some(r)),
        None => Err(invalid(field, "not_found", format!("no {} with this id", kind.def().label))),
    }
}

/// The records a template merges, by the name its fields use.
struct Merge<'a> {
    language: &'a str,
    today: chrono::NaiveDate,
    workspace: &'a str,
    records: Vec<(&'static str, &'a Record)>,
}

/// A value as the recipient reads it.
fn shown(value: &FieldValue, language: &str) -> String {
    match value {
        FieldValue::Null => String::new(),
        FieldValue::Text(s) => s.clone(),
        FieldValue::Int(i) => format::number(&i.to_string(), language),
        FieldValue::Number(n) => format::number(&n.to_string(), language),
        FieldValue::Decimal(d) => format::number(&d.to_string(), language),
        FieldValue::Bool(b) => format::yes_no(*b, language).to_string(),
        FieldValue::Date(d) => format::date(*d, language),
        FieldValue::DateTime(t) => format!("{} {}", format::date(t.date_naive(), language), t.format("%H:%M UTC")),
        FieldValue::Money(m) => format::money(m, language),
        FieldValue::Ref(id) => id.to_string(),
        FieldValue::List(items) => items.join(", "),
        FieldValue::Json(j) => j.to_string(),
    }
}

fn present(value: &FieldValue) -> bool {
    match value {
        FieldValue::Null => false,
        FieldValue::Text(s) => !s.trim().is_empty(),
        FieldValue::Int(i) => *i != 0,
        FieldValue::Number(n) => *n != 0.0,
        FieldValue::Decimal(d) => !d.is_zero(),
        FieldValue::Bool(b) => *b,
        FieldValue::Money(m) => m.minor != 0,
        FieldValue::List(items) => !items.is_empty(),
        _ => true,
    }
}

impl Merge<'_> {
    fn value(&self, path: &str) -> Option<&FieldValue> {
        let (name, field) = path.split_once('.')?;
        let (_, record) = self.records.iter().find(|(n, _)| *n == name)?;
        Some(record.values.std(field))
    }
}

impl merge::Values for Merge<'_> {
    fn text(&self, path: &str) -> Option<String> {
        match path {
            "today" => Some(format::date(self.today, self.language)),
            "unsubscribe_url" => Some(UNSUBSCRIBE_PLACEHOLDER.to_string()),
            "workspace.name" => Some(self.workspace.to_string()),
            _ => self.value(path).map(|v| shown(v, self.language)),
        }
    }

    fn present(&self, path: &str) -> bool {
        match path {
            _ if SPECIAL_FIELDS.contains(&path) => true,
            _ => self.value(path).is_some_and(present),
        }
    }
}

/// The merge fields a template about records of `about` may use, and why a
/// field is not one of them.
pub fn check_fields(template: &Template, about: Option<EntityKind>) -> Result<(), String> {
    for path in template.fields() {
        if SPECIAL_FIELDS.contains(&path) {
            continue;
        }
        let known = path.split_once('.').and_then(|(name, field)| {
            let kind = match name {
                "contact" => Some(CONTACTS),
                "account" => Some(ACCOUNTS),
                other => about.filter(|k| k.singular() == other),
            }?;
            Schema::standard(kind).field(field).map(|_| ())
        });
        if known.is_none() {
            let mut names = vec!["contact.…", "account.…"];
            let about_name = about.map(|k| format!("{}.…", k.singular()));
            names.extend(about_name.as_deref());
            names.extend(SPECIAL_FIELDS);
            return Err(format!("{{{{{path}}}}} is not a merge field here; use {}", names.join(", ")));
        }
    }
    Ok(())
}

/// The template variant with the same key in `language`, if there is one.
async fn variant(tx: &mut ScopedConn, template: &Record, language: &str) -> Result<Option<Record>, StoreError> {
    if text(&template.values, "language") == language {
        return Ok(None);
    }
    let (key, channel) = (text(&template.values, "key"), text(&template.values, "channel"));
    let variants = crate::templates_by_key(tx, key, channel).await?;
    Ok(variants.into_iter().find(|t| text(&t.values, "language") == language))
}

/// The postal address block of a letter, from the contact's address or
/// else the account's.
fn postal_address(contact: Option<&Record>, account: Option<&Record>) -> Option<String> {
    let name = |r: &Record| match r.kind {
        k if k == CONTACTS => {
            [text(&r.values, "first_name"), text(&r.values, "last_name")].join(" ").trim().to_string()
        }
        _ => text(&r.values, "name").to_string(),
    };
    let has_address = |r: &&Record| !text(&r.values, "street").is_empty() && !text(&r.values, "city").is_empty();
    let from = contact.filter(has_address).or(account.filter(has_address))?;
    let mut lines = Vec::new();
    if let Some(c) = contact {
        lines.push(name(c));
    }
    if let Some(a) = account {
        lines.push(name(a));
    }
    let v = &from.values;
    lines.push(text(v, "street").to_string());
    lines.push([text(v, "postal_code"), text(v, "city")].join(" ").trim().to_string());
    lines.push(text(v, "region").to_string());
    lines.push(text(v, "country").to_string());
    lines.retain(|l| !l.trim().is_empty());
    lines.dedup();
    Some(lines.join("\n"))
}

fn random_token() -> Result<String, StoreError> {
    let mut bytes = [0u8; 18];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::Corrupt(format!("no randomness: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// A new message made ready to send (see the module's comment).
pub async fn compose(tx: &mut ScopedConn, ctx: &Ctx, new: &mut Record) -> Result<(), StoreError> {
    let channel = text(&new.values, "channel").to_string();
    let mut errors = Vec::new();
    let v = &mut new.values;
    if text(v, "direction") == "inbound" {
        // A message that came in is kept as it came: nothing to compose or send.
        v.set_std("status", FieldValue::Text("received".into()));
        return Ok(());
    }
    v.set_std("status", FieldValue::Text("queued".into()));
    v.set_std("direction", FieldValue::Text("outbound".into()));
    v.set_std("attempts", FieldValue::Int(0));
    let contact = named(tx, v, "contact", CONTACTS).await?;
    if v.std("account").is_null()
        && let Some(account) = contact.as_ref().and_then(|c| c.values.ref_id("account"))
    {
        v.set_std("account", FieldValue::Ref(account));
    }
    let account = named(tx, v, "account", ACCOUNTS).await?;
    let about = match (text(v, "about_entity"), text(v, "about_id")) {
        ("", "") => None,
        (entity, id) => {
            let kind = EntityKind::from_api_name(entity).filter(|k| EntityKind::all().contains(k));
            let Some(kind) = kind else {
                return Err(invalid("about_entity", "unknown_entity", format!("{entity:?} is not an entity type")));
            };
            let record = match Uuid::parse_str(id) {
                Ok(id) => get(tx, kind, id).await?,
                Err(_) => None,
            };
            Some(
                record
                    .ok_or_else(|| invalid("about_id", "not_found", format!("no {} with this id", kind.def().label)))?,
            )
        }
    };
    let wanted = contact.as_ref().and_then(|c| format::language(text(&c.values, "language")));
    let template = named(tx, v, "template", MESSAGE_TEMPLATES).await?;
    let mut language = wanted.unwrap_or("en").to_string();
    if let Some(mut template) = template {
        if text(&template.values, "channel") != channel {
            return Err(invalid(
                "template",
                "wrong_channel",
                format!("a template for {}", text(&template.values, "channel")),
            ));
        }
        if let Some(lang) = wanted
            && let Some(other) = variant(tx, &template, lang).await?
        {
            template = other;
        }
        // The contact's language where there is a variant in it, else the
        // template's own.
        language = text(&template.values, "language").to_string();
        v.set_std("template", FieldValue::Ref(template.id.uuid()));
        if v.std("purpose").is_null() {
            v.set_std("purpose", template.values.std("purpose").clone());
        }
        let mut records: Vec<(&'static str, &Record)> = Vec::new();
        if let Some(c) = &contact {
            records.push(("contact", c));
        }
        if let Some(a) = &account {
            records.push(("account", a));
        }
        if let Some(r) = &about {
            records.push((r.kind.singular(), r));
        }
        let merge =
            Merge { language: &language, today: tx.now().date_naive(), workspace: &ctx.workspace.name, records };
        for field in ["subject", "body"] {
            if v.std(field).is_null() {
                let source = text(&template.values, field);
                let parsed = Template::parse(source).map_err(|e| invalid("template", e.code, e.message))?;
                let merged = parsed.render(&merge);
                if !merged.trim().is_empty() {
                    v.set_std(field, FieldValue::Text(merged));
                }
            }
        }
    }
    v.set_std("language", FieldValue::Text(language));
    if v.std("purpose").is_null() {
        v.set_std("purpose", FieldValue::Text("transactional".into()));
    }
    if text(v, "body").trim().is_empty() {
        errors.push(FieldError::new("body", "required", "what the message says (or a template)"));
    }
    recipient(&channel, v, contact.as_ref(), account.as_ref(), &mut errors);
    if text(v, "subject").is_empty() && channel != "email" {
        let line: String = text(v, "body").lines().next().unwrap_or_default().chars().take(60).collect();
        v.set_std("subject", FieldValue::Text(format!("{}: {line}", channel.to_uppercase())));
    }
    if text(v, "subject").is_empty() {
        errors.push(FieldError::new("subject", "required", "an email has a subject"));
    }
    v.set_std("unsubscribe_token", FieldValue::Text(random_token()?));
    ValidationError::check(errors).map_err(StoreError::Invalid)?;
    if channel == "letter" {
        let batch = open_batch(tx, ctx).await?;
        new.values.set_std("print_batch", FieldValue::Ref(batch));
    }
    Ok(())
}

/// Whom the message goes to: the address given, or the contact's (else the
/// account's) first email, phone or postal address.
fn recipient(
    channel: &str,
    v: &mut Values,
    contact: Option<&Record>,
    account: Option<&Record>,
    errors: &mut Vec<FieldError>,
) {
    let first = |r: Option<&Record>, field: &str| match r.map(|r| r.values.std(field)) {
        Some(FieldValue::List(items)) => items.first().cloned(),
        Some(FieldValue::Text(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    };
    let given = text(v, "to_address").trim().to_string();
    match channel {
        "email" => {
            let to = if given.is_empty() { first(contact, "emails").or(first(account, "email")) } else { Some(given) };
            match to.map(|t| relata_core::email::Email::parse(&t)) {
                Some(Ok(email)) => v.set_std("to_address", FieldValue::Text(email.as_str().to_string())),
                Some(Err(e)) => errors.push(FieldError::new("to_address", "invalid_email", e.to_string())),
                None => errors.push(FieldError::new("to_address", "required", "the contact has no email address")),
            }
        }
        "sms" => {
            let to = if given.is_empty() { first(contact, "phones").or(first(account, "phone")) } else { Some(given) };
            match to.map(|t| relata_core::phone::PhoneE164::parse(&t, None)) {
                Some(Ok(phone)) => v.set_std("to_address", FieldValue::Text(phone.as_str().to_string())),
                Some(Err(e)) => errors.push(FieldError::new("to_address", "invalid_phone", e.to_string())),
                None => errors.push(FieldError::new("to_address", "required", "the contact has no phone number")),
            }
        }
        _ => match postal_address(contact, account) {
            Some(block) => {
                let name = block.lines().next().unwrap_or_default().to_string();
                v.set_std("postal_address", FieldValue::Text(block));
                if given.is_empty() {
                    v.set_std("to_address", FieldValue::Text(name));
                }
            }
            None => errors.push(FieldError::new(
                "postal_address",
                "required",
                "neither the contact nor the account has a street and city",
            )),
        },
    }
}

/// The open print batch letters go into, made when there is none.
async fn open_batch(tx: &mut ScopedConn, ctx: &Ctx) -> Result<Uuid, StoreError> {
    let schema = Schema::standard(PRINT_BATCHES);
    let status = schema.field("status").expect("batches have a status").clone();
    let open = tx.find_ids_with(&schema, &status, &FieldValue::Text("open".into())).await?;
    if let Some(id) = open.iter().filter_map(|id| Uuid::parse_str(id).ok()).min() {
        return Ok(id);
    }
    let mut values = Values::default();
    values.set_std("name", FieldValue::Text(format!("Letters of {}", tx.now().date_naive())));
    values.set_std("status", FieldValue::Text("open".into()));
    values.set_std("letters", FieldValue::Int(0));
    let relata = Ctx::new(ctx.workspace.clone(), None);
    let batch = relata_app::write::create_in(tx, &relata, &schema, values).await.map_err(into_store)?;
    Ok(batch.id.uuid())
}

/// After a message is stored: an email or SMS to send is a job in the same
/// transaction; a letter counts in its batch.
pub async fn queue(tx: &mut ScopedConn, ctx: &Ctx, message: &Record) -> Result<(), StoreError> {
    if text(&message.values, "status") != "queued" {
        return Ok(());
    }
    match text(&message.values, "channel") {
        "email" | "sms" => {
            let job = NewJob {
                kind: SEND_JOB.into(),
                payload: json!({"message": message.id.to_string()}),
                run_at: tx.now(),
                max_attempts: 8,
                idempotency_key: Some(format!("send:{}", message.id)),
                schedule: None,
            };
            tx.enqueue_job(job).await.map(drop)
        }
        _ => {
            let Some(batch_id) = message.values.ref_id("print_batch") else { return Ok(()) };
            let Some(batch) = get(tx, PRINT_BATCHES, batch_id).await? else { return Ok(()) };
            let letters = match batch.values.std("letters") {
                FieldValue::Int(n) => *n,
                _ => 0,
            };
            let mut patch = Values::default();
            patch.set_std("letters", FieldValue::Int(letters + 1));
            let relata = Ctx::new(ctx.workspace.clone(), None);
            relata_app::write::update_in(tx, &relata, &Schema::standard(PRINT_BATCHES), batch.id, patch, None)
                .await
                .map(drop)
                .map_err(into_store)
        }
    }
}

/// A person may change a message only while it waits to be sent, and never
/// its channel; Relata moves it through its states.
pub fn check_update(ctx: &Ctx, old: &Record, new: &Record) -> Result<(), StoreError> {
    if ctx.actor.is_none() {
        return Ok(());
    }
    if text(&old.values, "status") != "queued" {
        return Err(invalid("status", "already_sent", "a message that was sent (or failed) no longer changes"));
    }
    if text(&old.values, "channel") != text(&new.values, "channel") {
        return Err(invalid("channel", "read_only", "a message keeps its channel; write a new one"));
    }
    Ok(())
}

/// The consent ledger's channel a message's channel asks (letters: post).
pub fn ledger_channel(channel: &str) -> &str {
    match channel {
        "letter" => "post",
        other => other,
    }
}

/// What the consent ledger says about sending over `channel` to a contact:
/// `None` when it may be sent, else why not.
pub async fn consent_refusal(
    conn: &mut ScopedConn,
    contact: Option<Uuid>,
    channel: &str,
    purpose: &str,
) -> Result<Option<String>, StoreError> {
    let ledger_channel = ledger_channel(channel);
    let Some(contact) = contact else {
        // Consent is a person's: marketing to no one in particular is not sent.
        return Ok((purpose == "marketing").then(|| "marketing goes to a contact who gave consent".to_string()));
    };
    relata_app::privacy::refusal(conn, RecordId::from_uuid(contact), ledger_channel, purpose).await
}

/// `channels.send`: sends one queued email or SMS.
pub struct SendJob {
    http: reqwest::Client,
}

impl Default for SendJob {
    fn default() -> Self {
        SendJob {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("an HTTP client"),
        }
    }
}

/// Why a send did not happen.
pub enum SendError {
    /// Worth another attempt (a server down, a 4xx SMTP answer, a 5xx HTTP one).
    Transient(String),
    /// Will never work as it is (the server refused the sender or recipient).
    Permanent(String),
}

enum Ready {
    Email(EmailSettings),
    Sms(SmsSettings),
}

impl JobHandler for SendJob {
    fn kind(&self) -> &'static str {
        SEND_JOB
    }

    fn max_attempts(&self) -> i64 {
        8
    }

    fn run<'a>(&'a self, app: &'a App, job: &'a Job) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move {
            let ws = relata_app::jobs::workspace_of(app, job).await?;
            let ctx = Ctx::new(ws, None);
            let id = job
                .payload
                .get("message")
                .and_then(Json::as_str)
                .and_then(|s| Uuid::parse_str(s).ok())
                .ok_or_else(|| JobError::Fail("payload.message: a message id".into()))?;
            let retry = |e: relata_app::error::AppError| JobError::Retry(e.to_string());
            let Some((message, ready)) = claim(app, &ctx, id).await.map_err(retry)? else { return Ok(()) };
            let unsubscribe = format!(
                "{}/unsubscribe/{}/{}",
                app.public_url(),
                ctx.workspace.id,
                text(&message.values, "unsubscribe_token")
            );
            let body = text(&message.values, "body").replace(UNSUBSCRIBE_PLACEHOLDER, &unsubscribe);
            let outcome = match &ready {
                Ready::Email(s) => crate::smtp::send(s, &message, &body, &unsubscribe).await,
                Ready::Sms(s) => crate::sms::send(&self.http, app, s, &message, &body).await,
            };
            let from = match &ready {
                Ready::Email(s) => s.from_address.clone(),
                Ready::Sms(s) => s.sender.clone().unwrap_or_default(),
            };
            let mut patch = Values::default();
            let result = match outcome {
                Ok(provider_id) => {
                    patch.set_std("status", FieldValue::Text("sent".into()));
                    patch.set_std("sent_at", FieldValue::DateTime(app.store.now()));
                    patch.set_std("body", FieldValue::Text(body));
                    patch.set_std("from_address", FieldValue::Text(from));
                    patch.set_std("provider_id", FieldValue::Text(provider_id));
                    patch.set_std("error", FieldValue::Null);
                    Ok(())
                }
                Err(SendError::Permanent(reason)) => {
                    patch.set_std("status", FieldValue::Text("failed".into()));
                    patch.set_std("error", FieldValue::Text(reason));
                    Ok(())
                }
                Err(SendError::Transient(reason)) if job.attempts >= job.max_attempts => {
                    patch.set_std("status", FieldValue::Text("failed".into()));
                    patch.set_std(
                        "error",
                        FieldValue::Text(format!("gave up after {} attempts: {reason}", job.attempts)),
                    );
                    Ok(())
                }
                Err(SendError::Transient(reason)) => {
                    patch.set_std("status", FieldValue::Text("queued".into()));
                    patch.set_std("error", FieldValue::Text(format!("attempt {}: {reason}", job.attempts)));
                    Err(JobError::Retry(reason))
                }
            };
            set(app, &ctx, RecordId::from_uuid(id), patch).await.map_err(retry)?;
            result
        })
    }
}

/// Relata's change of a message's state, in a write of its own.
async fn set(app: &App, ctx: &Ctx, id: RecordId, patch: Values) -> Result<Record, relata_app::error::AppError> {
    let relata = Ctx::new(ctx.workspace.clone(), None);
    let mut tx = app.writer(&relata).await?;
    let message = relata_app::write::update_in(&mut tx, &relata, &Schema::standard(MESSAGES), id, patch, None).await?;
    tx.commit().await?;
    Ok(message)
}

/// Takes a queued message for sending: consent and settings checked, marked
/// `sending` with one more attempt. `None` when there is nothing to send
/// (already sent, deleted, blocked, no settings: then it says so).
async fn claim(app: &App, ctx: &Ctx, id: Uuid) -> Result<Option<(Record, Ready)>, relata_app::error::AppError> {
    let mut tx = app.writer(ctx).await?;
    let Some(message) = get(&mut tx, MESSAGES, id).await? else { return Ok(None) };
    let mut patch = Values::default();
    let mut ready = None;
    match text(&message.values, "status") {
        "queued" => {}
        "sending" => {
            patch.set_std("status", FieldValue::Text("failed".into()));
            patch.set_std(
                "error",
                FieldValue::Text("interrupted while being handed to the server: it may have been sent; check before sending it again".into()),
            );
        }
        _ => return Ok(None),
    }
    if patch.standard.is_empty() {
        let channel = text(&message.values, "channel");
        let purpose = text(&message.values, "purpose");
        let refusal = consent_refusal(&mut tx, message.values.ref_id("contact"), channel, purpose).await?;
        ready = match channel {
            // What a person writes goes through their own SMTP server when
            // they connected one; the rest through the workspace's.
            "email" => match crate::mailbox::sending_settings(&mut tx, message.created_by).await? {
                Some(own) => Some(Ready::Email(own)),
                None => settings::email(&mut tx).await?.map(Ready::Email),
            },
            "sms" => settings::sms(&mut tx).await?.map(Ready::Sms),
            _ => None,
        };
        if let Some(reason) = refusal {
            patch.set_std("status", FieldValue::Text("blocked".into()));
            patch.set_std("error", FieldValue::Text(reason));
        } else if ready.is_none() {
            patch.set_std("status", FieldValue::Text("failed".into()));
            patch.set_std(
                "error",
                FieldValue::Text(format!(
                    "no {channel} settings: an administrator sets them under Settings → Channels"
                )),
            );
        } else {
            let attempts = match message.values.std("attempts") {
                FieldValue::Int(n) => *n,
                _ => 0,
            };
            patch.set_std("status", FieldValue::Text("sending".into()));
            patch.set_std("attempts", FieldValue::Int(attempts + 1));
        }
    }
    let sending = patch.std("status").as_text() == Some("sending");
    relata_app::write::update_in(&mut tx, ctx, &Schema::standard(MESSAGES), message.id, patch, None).await?;
    tx.commit().await?;
    Ok(if sending { ready.map(|r| (message, r)) } else { None })
}

/// A template merged for one recipient exactly as a message would be
/// (`{contact?, account?, about_entity?, about_id?}`): the message is
/// written in a transaction that is then rolled back, so nothing is kept
/// and nothing is sent.
pub async fn preview(
    app: &App,
    ctx: &Ctx,
    template: RecordId,
    input: &Json,
) -> Result<Json, relata_app::error::AppError> {
    let (template, _) = relata_app::read::get(app, ctx, MESSAGE_TEMPLATES, template, false).await?;
    let Json::Object(input) = input else {
        return Err(ValidationError::single("", "invalid_type", "a JSON object").into());
    };
    let mut values = Values::default();
    values.set_std("channel", template.values.std("channel").clone());
    values.set_std("template", FieldValue::Ref(template.id.uuid()));
    let mut errors = Vec::new();
    for (key, value) in input {
        match (key.as_str(), value.as_str()) {
            ("contact" | "account", Some(id)) => match Uuid::parse_str(id) {
                Ok(id) => values.set_std(key, FieldValue::Ref(id)),
                Err(_) => errors.push(FieldError::new(key.as_str(), "invalid_id", "a record id")),
            },
            ("about_entity" | "about_id", Some(text)) => values.set_std(key, FieldValue::Text(text.to_string())),
            ("contact" | "account" | "about_entity" | "about_id", None) => {
                errors.push(FieldError::new(key.as_str(), "invalid_type", "text"))
            }
            _ => errors.push(FieldError::new(
                key.as_str(),
                "unknown_field",
                "contact, account, about_entity or about_id",
            )),
        }
    }
    ValidationError::check(errors)?;
    let mut tx = app.writer(ctx).await?;
    let message = relata_app::write::create_in(&mut tx, ctx, &Schema::standard(MESSAGES), values).await?;
    // Rolled back: the preview leaves nothing behind.
    drop(tx);
    let field = |f: &str| message.values.std(f).to_json();
    Ok(
        json!({"channel": field("channel"), "to_address": field("to_address"), "postal_address": field("postal_address"),
              "language": field("language"), "purpose": field("purpose"), "subject": field("subject"), "body": field("body"),
              "template": template.id.to_string()}),
    )
}

/// A delivery report (an SMS gateway's callback, a mail server's bounce
/// handled elsewhere): a sent message becomes `delivered`, or `failed` with
/// the reason. `{status: delivered|failed, reason?}`; the caller needs the
/// right to change the message.
pub async fn record_delivery(
    app: &App,
    ctx: &Ctx,
    id: RecordId,
    input: &Json,
) -> Result<Record, relata_app::error::AppError> {
    let status = input.get("status").and_then(Json::as_str).unwrap_or_default();
    let reason = input.get("reason").and_then(Json::as_str).unwrap_or_default();
    let mut errors = Vec::new();
    if let Json::Object(obj) = input {
        for key in obj.keys().filter(|k| !["status", "reason"].contains(&k.as_str())) {
            errors.push(FieldError::new(key.as_str(), "unknown_field", "a delivery report has status and reason"));
        }
    }
    if !["delivered", "failed"].contains(&status) {
        errors.push(FieldError::new("status", "invalid_choice", "delivered or failed"));
    }
    if reason.chars().count() > 1000 {
        errors.push(FieldError::new("reason", "too_long", "at most 1000 characters"));
    }
    ValidationError::check(errors)?;
    let (message, _) = relata_app::read::get(app, ctx, MESSAGES, id, false).await?;
    ctx.access.check(MESSAGES, relata_core::access::Right::Update, relata_app::write::owner_of(&message.values))?;
    if !["sent", "delivered"].contains(&text(&message.values, "status")) {
        return Err(ValidationError::single("status", "not_sent", "only a sent message can be delivered").into());
    }
    let mut patch = Values::default();
    patch.set_std("status", FieldValue::Text(status.into()));
    if status == "failed" {
        patch.set_std(
            "error",
            FieldValue::Text(if reason.is_empty() { "the channel reported a failure" } else { reason }.into()),
        );
    }
    // Relata records what the channel said (people do not set a status).
    set(app, ctx, id, patch).await
}
