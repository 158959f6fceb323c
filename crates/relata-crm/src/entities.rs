//! Accounts, contacts and activities, described for the generic machinery.

use relata_core::access::{EntityRights, Level};
use relata_core::meta::{Default, EntityDef, EntityKind, FieldDef, FieldType, Target, business_record_rights, options};

pub const ACCOUNTS: EntityKind = EntityKind::named("accounts");
pub const CONTACTS: EntityKind = EntityKind::named("contacts");
pub const ACTIVITIES: EntityKind = EntityKind::named("activities");

pub const ACCOUNT_LIFECYCLES: &[&str] = &["prospect", "customer", "former"];
pub const CONTACT_LIFECYCLES: &[&str] = &["potential", "current", "former"];
pub const ACTIVITY_KINDS: &[&str] = &["call", "meeting", "email", "task", "note", "letter", "sms"];
pub const DIRECTIONS: &[&str] = &["inbound", "outbound"];

fn text(id: &'static str, label: &'static str) -> FieldDef {
    FieldDef::text(id, label)
}

fn relation(id: &'static str, label: &'static str, kind: EntityKind) -> FieldDef {
    FieldDef::standard(id, label, FieldType::Relation(Target::Entity(kind)))
}

fn postal_address() -> [FieldDef; 5] {
    [
        text("street", "Street"),
        text("city", "City").searchable(),
        text("postal_code", "Postal code"),
        text("region", "Region"),
        text("country", "Country"),
    ]
}

/// Service agents look after every customer's records; marketers read and
/// export them for campaigns.
fn customer_rights(role: &str) -> EntityRights {
    match role {
        "service_agent" => {
            EntityRights { create: true, read: Level::All, update: Level::All, delete: Level::None, export: false }
        }
        "marketer" => EntityRights { export: true, ..EntityRights::READ_ALL },
        other => business_record_rights(other),
    }
}

pub fn account() -> EntityDef {
    use FieldType::*;
    EntityDef::new(ACCOUNTS, "crm", "account", "Account", "Accounts")
        .fields([
            text("name", "Name").required().searchable(),
            relation("parent_account", "Parent account", ACCOUNTS),
            text("industry", "Industry"),
            text("territory", "Territory"),
        ])
        .fields(postal_address())
        .fields([
            text("website", "Website"),
            FieldDef::standard("phone", "Phone", Phone).searchable(),
            FieldDef::standard("email", "Email", Email).searchable(),
            FieldDef::standard("employees", "Employees", Integer { min: 0, max: 100_000_000 }),
            FieldDef::standard("key_account", "Key account", Boolean).default(Default::Bool(false)),
            FieldDef::standard("lifecycle", "Lifecycle", Choice(options(ACCOUNT_LIFECYCLES)))
                .required()
                .default(Default::Text("prospect")),
            FieldDef::standard("description", "Description", LongText).searchable(),
        ])
        .title(&["name"])
        .searchable_globally()
        .columns(&["name", "industry", "city", "lifecycle", "owner"])
        .rights(customer_rights)
}

pub fn contact() -> EntityDef {
    use FieldType::*;
    EntityDef::new(CONTACTS, "crm", "contact", "Contact", "Contacts")
        .fields([
            text("first_name", "First name").searchable(),
            text("last_name", "Last name").required().searchable(),
            relation("account", "Account", ACCOUNTS),
            text("title", "Job title"),
            FieldDef::standard("emails", "Emails", Emails).searchable(),
            FieldDef::standard("phones", "Phones", Phones).searchable(),
        ])
        .fields(postal_address())
        .fields([
            FieldDef::standard("birthday", "Birthday", Date),
            FieldDef::standard("language", "Preferred language", Text { max_len: 35 }),
            FieldDef::standard("lifecycle", "Lifecycle", Choice(options(CONTACT_LIFECYCLES)))
                .required()
                .default(Default::Text("potential")),
            FieldDef::standard("notes", "Notes", LongText).searchable(),
        ])
        .title(&["first_name", "last_name"])
        .searchable_globally()
        .person()
        .personal(&[
            "first_name",
            "last_name",
            "title",
            "emails",
            "phones",
            "street",
            "city",
            "postal_code",
            "region",
            "country",
            "birthday",
            "language",
            "notes",
        ])
        .columns(&["last_name", "first_name", "account", "emails", "phones", "city", "lifecycle", "owner"])
        .rights(customer_rights)
}

pub fn activity() -> EntityDef {
    use FieldType::*;
    EntityDef::new(ACTIVITIES, "crm", "activity", "Activity", "Activities")
        .fields([
            FieldDef::standard("kind", "Kind", Choice(options(ACTIVITY_KINDS))).required(),
            text("subject", "Subject").required().searchable(),
            FieldDef::standard("body", "Body", LongText).searchable(),
            FieldDef::standard("direction", "Direction", Choice(options(DIRECTIONS))),
            FieldDef::standard("due_at", "Due", DateTime),
            FieldDef::standard("start_at", "Starts", DateTime),
            FieldDef::standard("end_at", "Ends", DateTime),
            FieldDef::standard("done", "Done", Boolean).default(Default::Bool(false)),
            FieldDef::standard("remind_before_minutes", "Remind before (minutes)", Integer { min: 0, max: 10_080 }),
            // Besides the owner: it shows on their calendars and reminds them too.
            FieldDef::standard("attendees", "Attendees", Members),
            text("outcome", "Outcome"),
            FieldDef::standard("occurred_at", "Occurred", DateTime).read_only(),
            relation("account", "Account", ACCOUNTS),
            relation("contact", "Contact", CONTACTS),
        ])
        .title(&["subject"])
        // Other modules link activities to their records too (sales: leads
        // and opportunities), by extending this description.
        .episode(&["account", "contact"], "occurred_at")
        // What was said in a call or written in a note is about the person.
        .personal(&["subject", "body", "outcome"])
        .columns(&["subject", "kind", "due_at", "done", "occurred_at", "owner"])
        .rights(|role| match role {
            "service_agent" | "marketer" => EntityRights::working(Level::All, Level::Own),
            other => business_record_rights(other),
        })
}
