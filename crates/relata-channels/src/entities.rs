//! Templates, messages and print batches, described for the generic
//! machinery.

use crate::format::LANGUAGES;
use relata_core::access::{EntityRights, Level};
use relata_core::meta::{Default, EntityDef, EntityKind, FieldDef, FieldType, Target, business_record_rights, options};
use relata_crm::{ACCOUNTS, CONTACTS};

pub const MESSAGE_TEMPLATES: EntityKind = EntityKind::named("message_templates");
pub const MESSAGES: EntityKind = EntityKind::named("messages");
pub const PRINT_BATCHES: EntityKind = EntityKind::named("print_batches");
pub const EMAILS: EntityKind = EntityKind::named("emails");

pub const CHANNELS: &[&str] = &["email", "sms", "letter"];
/// A transactional message (a reminder of an unpaid invoice) goes out unless
/// the contact withdrew consent on its channel; a marketing one (a birthday
/// card, an offer) only with consent given.
pub const PURPOSES: &[&str] = &["transactional", "marketing"];
/// `queued` until sent; `sending` while handed to the server (a crash then
/// leaves it for a person to check, never sent twice); `delivered` where the
/// channel reports it; `blocked` when consent forbade it; `received` for a
/// message that came in (mail synced from a mailbox).
pub const MESSAGE_STATUSES: &[&str] = &["queued", "sending", "sent", "delivered", "failed", "blocked", "received"];
pub const DIRECTIONS: &[&str] = &["outbound", "inbound"];
pub const BATCH_STATUSES: &[&str] = &["open", "posted"];

fn relation(id: &'static str, label: &'static str, kind: EntityKind) -> FieldDef {
    FieldDef::standard(id, label, FieldType::Relation(Target::Entity(kind)))
}

/// Managers and marketers write templates; everyone who sends reads them.
fn template_rights(role: &str) -> EntityRights {
    match role {
        "manager" | "marketer" => {
            EntityRights { create: true, read: Level::All, update: Level::All, delete: Level::All, export: true }
        }
        "sales_rep" | "service_agent" => EntityRights::READ_ALL,
        _ => EntityRights::NONE,
    }
}

pub fn message_template() -> EntityDef {
    use FieldType::*;
    EntityDef::new(MESSAGE_TEMPLATES, "channels", "message_template", "Message template", "Message templates")
        .fields([
            FieldDef::text("name", "Name").required().searchable(),
            FieldDef::text("key", "Key (the same for every language)").required(),
            FieldDef::standard("channel", "Channel", Choice(options(CHANNELS))).required(),
            FieldDef::standard("language", "Language", Choice(options(LANGUAGES)))
                .required()
                .default(Default::Text("en")),
            FieldDef::standard("purpose", "Purpose", Choice(options(PURPOSES)))
                .required()
                .default(Default::Text("transactional")),
            FieldDef::text("entity", "About records of type (API name)"),
            FieldDef::text("subject", "Subject"),
            FieldDef::standard("body", "Body", LongText).required(),
        ])
        .title(&["name"])
        .columns(&["name", "key", "channel", "language", "purpose", "entity"])
        .rights(template_rights)
}

pub fn message() -> EntityDef {
    use FieldType::*;
    EntityDef::new(MESSAGES, "channels", "message", "Message", "Messages")
        .fields([
            FieldDef::standard("channel", "Channel", Choice(options(CHANNELS))).required(),
            FieldDef::standard("status", "Status", Choice(options(MESSAGE_STATUSES))).read_only(),
            FieldDef::standard("direction", "Direction", Choice(options(DIRECTIONS))).read_only(),
            FieldDef::text("to_address", "To"),
            FieldDef::text("subject", "Subject").searchable(),
            FieldDef::standard("body", "Body", LongText).searchable(),
            relation("contact", "Contact", CONTACTS),
            relation("account", "Account", ACCOUNTS),
            relation("template", "Template", MESSAGE_TEMPLATES),
            FieldDef::text("about_entity", "About a record of type"),
            FieldDef::text("about_id", "About the record"),
            FieldDef::standard("purpose", "Purpose", Choice(options(PURPOSES))),
            FieldDef::standard("postal_address", "Postal address", LongText).read_only(),
            FieldDef::text("language", "Language").read_only(),
            FieldDef::text("from_address", "From").read_only(),
            FieldDef::standard("attempts", "Attempts", Integer { min: 0, max: 1000 }).read_only(),
            FieldDef::standard("error", "Why it failed", LongText).read_only(),
            FieldDef::standard("sent_at", "Sent", DateTime).read_only(),
            relation("print_batch", "Print batch", PRINT_BATCHES).read_only(),
            FieldDef::text("automation_run", "Automation run").read_only(),
            FieldDef::text("provider_id", "Message id").read_only(),
            FieldDef::text("unsubscribe_token", "Unsubscribe token").read_only(),
        ])
        .title(&["subject"])
        .episode(&["account", "contact"], "created_at")
        .personal(&["to_address", "postal_address", "subject", "body"])
        .columns(&["subject", "channel", "contact", "status", "sent_at", "owner"])
        .rights(business_record_rights)
}

pub fn print_batch() -> EntityDef {
    use FieldType::*;
    EntityDef::new(PRINT_BATCHES, "channels", "print_batch", "Print batch", "Print batches")
        .fields([
            FieldDef::text("name", "Name").read_only(),
            FieldDef::standard("status", "Status", Choice(options(BATCH_STATUSES))).read_only(),
            FieldDef::standard("letters", "Letters", Integer { min: 0, max: i64::MAX }).read_only(),
            FieldDef::standard("posted_at", "Posted", DateTime).read_only(),
        ])
        .title(&["name"])
        .columns(&["name", "status", "letters", "posted_at", "created_at"])
        .rights(business_record_rights)
        .made_by_relata()
}

/// Mail synced from a person's own mailbox: read by its owner alone, for
/// every role (colleagues see what the owner shares on the customer's
/// timeline, [`crate::mailbox::SharedMail`]); written by the sync only.
fn email_rights(_role: &str) -> EntityRights {
    EntityRights { create: false, read: Level::Own, update: Level::None, delete: Level::None, export: true }
}

pub fn email() -> EntityDef {
    use FieldType::*;
    EntityDef::new(EMAILS, "channels", "email", "Email", "Emails")
        .fields([
            FieldDef::standard("direction", "Direction", Choice(options(DIRECTIONS))).read_only(),
            FieldDef::text("subject", "Subject").searchable().read_only(),
            FieldDef::text("from_address", "From").read_only(),
            FieldDef::text("to_addresses", "To").read_only(),
            FieldDef::text("cc_addresses", "Cc").read_only(),
            FieldDef::standard("sent_at", "Date", DateTime).read_only(),
            FieldDef::standard("body", "Body", LongText).read_only(),
            relation("contact", "Contact", CONTACTS).read_only(),
            relation("account", "Account", ACCOUNTS).read_only(),
            FieldDef::text("folder", "Folder").read_only(),
            FieldDef::text("message_id", "Message-ID").read_only(),
            FieldDef::text("in_reply_to", "In reply to").read_only(),
            FieldDef::text("thread", "Thread").read_only(),
            FieldDef::standard("attachments", "Attachments", LongText).read_only(),
        ])
        .title(&["subject"])
        .episode(&["account", "contact"], "sent_at")
        .personal(&["from_address", "to_addresses", "cc_addresses", "subject", "body", "attachments"])
        .columns(&["subject", "direction", "from_address", "contact", "sent_at"])
        .rights(email_rights)
        .made_by_relata()
        .private_to_owner()
        .keeps_files()
}
