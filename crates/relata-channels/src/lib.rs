//! Channels: the `channels` module. Messages to customers by email (SMTP),
//! SMS (an HTTP gateway) and printed letters (print batches), written from
//! templates with merge fields in the recipient's language, each an episode
//! of the contact's and account's story with its delivery status. Consent
//! is asked of the ledger when a message is sent, not only when it is
//! written. Automation, the service desk and people use the same path: they
//! create a message record, and the module does the rest.

pub mod builtins;
pub mod entities;
pub mod format;
pub mod imap;
pub mod letters;
pub mod mailbox;
pub mod merge;
pub mod messages;
pub mod settings;
mod sms;
pub mod smtp;

pub use entities::{EMAILS, MESSAGE_TEMPLATES, MESSAGES, PRINT_BATCHES};

use relata_app::error::AppError;
use relata_app::jobs::JobHandler;
use relata_app::module::{BoxFuture, Module};
use relata_app::{App, Ctx};
use relata_core::Record;
use relata_core::WorkspaceId;
use relata_core::error::ValidationError;
use relata_core::meta::{EntityDef, EntityKind, Schema};
use relata_core::value::{FieldValue, Values};
use relata_i18n::refusal;
use relata_store::admin::Workspace;
use relata_store::migrate::ModuleMigration;
use relata_store::{ScopedConn, StoreError};
use std::sync::Arc;
use uuid::Uuid;

/// The module.
pub struct Channels;

/// The setting that says the built-in templates were made (so that one an
/// administrator deleted does not come back).
const BUILTINS_SETTING: &str = "channels.builtins";

fn text<'a>(r: &'a Record, field: &str) -> &'a str {
    r.values.std(field).as_text().unwrap_or_default()
}

/// A template as saved is one that renders: its merge fields parse and name
/// fields the records it is about have; one per key, channel and language.
async fn check_template(tx: &mut ScopedConn, new: &Record) -> Result<(), StoreError> {
    let mut errors = Vec::new();
    let key = text(new, "key");
    if !key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
        errors.push(refusal("key", "invalid_key", "refuse-template-key", vec![]));
    }
    let about = match text(new, "entity") {
        "" => None,
        name => match EntityKind::from_api_name(name).filter(|k| EntityKind::all().contains(k)) {
            Some(kind) => Some(kind),
            None => {
                errors.push(refusal("entity", "unknown_entity", "refuse-unknown-entity", vec![("name", name.into())]));
                None
            }
        },
    };
    if text(new, "channel") != "sms" && text(new, "subject").trim().is_empty() {
        errors.push(refusal("subject", "required", "refuse-template-subject", vec![]));
    }
    for field in ["subject", "body"] {
        match merge::Template::parse(text(new, field)) {
            Err(e) => errors.push(refusal(field, e.code, "refuse-template-syntax", vec![("detail", e.message.into())])),
            Ok(t) => {
                if let Err(message) = messages::check_fields(&t, about) {
                    let args = vec![("detail", message.into())];
                    errors.push(refusal(field, "unknown_merge_field", "refuse-merge-field", args));
                }
            }
        }
    }
    let same_key = templates_by_key(tx, key, text(new, "channel")).await?;
    if same_key.iter().any(|o| o.id != new.id && text(o, "language") == text(new, "language")) {
        let args = vec![
            ("channel", relata_i18n::option(MESSAGE_TEMPLATES, "channel", text(new, "channel"))),
            ("key", key.into()),
            ("language", relata_i18n::option(MESSAGE_TEMPLATES, "language", text(new, "language"))),
        ];
        errors.push(refusal("key", "duplicate", "refuse-template-twice", args));
    }
    ValidationError::check(errors).map_err(StoreError::Invalid)
}

impl Module for Channels {
    fn name(&self) -> &'static str {
        "channels"
    }

    fn entities(&self) -> Vec<EntityDef> {
        vec![entities::message_template(), entities::message(), entities::print_batch(), entities::email()]
    }

    fn before_save<'a>(
        &'a self,
        tx: &'a mut ScopedConn,
        ctx: &'a Ctx,
        old: Option<&'a Record>,
        new: &'a mut Record,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            match (new.kind, old) {
                (k, _) if k == MESSAGE_TEMPLATES => check_template(tx, new).await,
                (k, None) if k == MESSAGES => messages::compose(tx, ctx, new).await,
                (k, Some(old)) if k == MESSAGES => messages::check_update(ctx, old, new),
                _ => Ok(()),
            }
        })
    }

    fn after_save<'a>(
        &'a self,
        tx: &'a mut ScopedConn,
        ctx: &'a Ctx,
        old: Option<&'a Record>,
        new: &'a Record,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            if new.kind == MESSAGES && old.is_none() { messages::queue(tx, ctx, new).await } else { Ok(()) }
        })
    }

    fn timeline_sources(&self) -> Vec<Arc<dyn relata_app::module::TimelineSource>> {
        vec![Arc::new(mailbox::SharedMail)]
    }

    fn job_handlers(&self) -> Vec<Arc<dyn JobHandler>> {
        vec![Arc::new(messages::SendJob::default()), Arc::new(mailbox::SyncJob)]
    }

    fn setup_workspace<'a>(&'a self, app: &'a App, ws: &'a Workspace) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(async move {
            let ctx = Ctx::new(ws.clone(), None);
            let mut tx = app.writer(&ctx).await?;
            if tx.setting(BUILTINS_SETTING).await?.is_some() {
                return Ok(());
            }
            let schema = Schema::standard(MESSAGE_TEMPLATES);
            for t in builtins::templates() {
                let mut v = Values::default();
                for (field, value) in [
                    ("key", t.key),
                    ("channel", t.channel),
                    ("language", t.language),
                    ("purpose", t.purpose),
                    ("entity", t.about),
                    ("name", t.name),
                    ("subject", t.subject),
                    ("body", &t.body),
                ] {
                    if !value.is_empty() {
                        v.set_std(field, FieldValue::Text(value.to_string()));
                    }
                }
                relata_app::write::create_in(&mut tx, &ctx, &schema, v).await?;
            }
            tx.put_setting(BUILTINS_SETTING, &serde_json::json!(1)).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    fn migrations(&self) -> Vec<ModuleMigration> {
        vec![
            ModuleMigration {
                version: 1,
                name: "channels",
                sqlite: include_str!("../migrations/sqlite/0001_channels.sql"),
                postgres: include_str!("../migrations/postgres/0001_channels.sql"),
            },
            ModuleMigration {
                version: 2,
                name: "emails",
                sqlite: include_str!("../migrations/sqlite/0002_emails.sql"),
                postgres: include_str!("../migrations/postgres/0002_emails.sql"),
            },
        ]
    }
}

/// The templates with this key and channel, every language, in one read.
pub async fn templates_by_key(tx: &mut ScopedConn, key: &str, channel: &str) -> Result<Vec<Record>, StoreError> {
    use relata_core::filter::{Filter, Op};
    let schema = Schema::standard(MESSAGE_TEMPLATES);
    let field = |id: &str| schema.field(id).expect("a field of templates");
    let filter = Filter::And(vec![
        Filter::Compare { field: field("key"), op: Op::Eq, value: FieldValue::Text(key.to_string()) },
        Filter::Compare { field: field("channel"), op: Op::Eq, value: FieldValue::Text(channel.to_string()) },
    ]);
    relata_app::read::every_in(tx, &schema, filter).await
}

/// The template a caller names by key (automation steps): the English
/// variant if there is one (the one to fall back on), else any.
pub async fn template_by_key(tx: &mut ScopedConn, key: &str, channel: &str) -> Result<Option<Record>, StoreError> {
    let mut found = templates_by_key(tx, key, channel).await?;
    found.sort_by_key(|t| (text(t, "language") != "en", t.id.uuid()));
    Ok(found.into_iter().next())
}

/// What an unsubscribe link is for: the message it came in, if the token is
/// one.
pub async fn unsubscribe_target(app: &App, workspace: Uuid, token: &str) -> Result<Option<(Ctx, Record)>, AppError> {
    if token.len() != 36 || !token.chars().all(|c| c.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let Some(ws) = app.store.workspaces().await?.into_iter().find(|w| w.id == WorkspaceId::from_uuid(workspace)) else {
        return Ok(None);
    };
    let ctx = Ctx::new(ws, None);
    let mut conn = app.reader(&ctx).await?;
    let schema = Schema::standard(MESSAGES);
    let field = schema.field("unsubscribe_token").expect("messages have tokens").clone();
    let ids = conn.find_ids_with(&schema, &field, &FieldValue::Text(token.to_string())).await?;
    let Some(id) = ids.first().and_then(|id| Uuid::parse_str(id).ok()) else { return Ok(None) };
    let message = conn.get_record(&schema, relata_core::RecordId::from_uuid(id), false).await?;
    Ok(message.map(|m| (ctx, m)))
}

/// Withdraws the consent a message's link was for (its channel), in the
/// ledger, as the contact's own act; a second click changes nothing.
pub async fn unsubscribe(app: &App, ctx: &Ctx, message: &Record) -> Result<bool, AppError> {
    let Some(contact) = message.values.ref_id("contact").map(relata_core::RecordId::from_uuid) else {
        return Ok(false);
    };
    let channel = messages::ledger_channel(text(message, "channel"));
    let mut tx = app.writer(ctx).await?;
    if relata_app::privacy::latest_consent(&mut tx, contact, channel).await?.as_deref() == Some("withdrawn") {
        return Ok(false);
    }
    let note = format!("from message {}", message.id);
    relata_app::privacy::append_consent_in(
        &mut tx,
        ctx,
        contact,
        channel,
        "withdrawn",
        "unsubscribe link",
        Some(&note),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
