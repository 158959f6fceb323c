//! Entity types for relata-core's own tests: small stand-ins shaped like
//! the modules' (the real ones live in their modules' crates, which this
//! crate may not depend on).

use super::*;
use crate::access::{EntityRights, Level};

pub const ACCOUNTS: EntityKind = EntityKind::named("accounts");
pub const CONTACTS: EntityKind = EntityKind::named("contacts");
pub const LEADS: EntityKind = EntityKind::named("leads");
pub const OPPORTUNITIES: EntityKind = EntityKind::named("opportunities");
pub const ACTIVITIES: EntityKind = EntityKind::named("activities");
pub const PIPELINES: EntityKind = EntityKind::named("pipelines");

fn definitions() -> Vec<EntityDef> {
    use FieldType::*;
    let text = FieldDef::text;
    let rel =
        |id: &'static str, label: &'static str, kind| FieldDef::standard(id, label, Relation(Target::Entity(kind)));
    let choice = |id, label, values: &[&str]| FieldDef::standard(id, label, Choice(options(values)));
    vec![
        EntityDef::new(ACCOUNTS, "test", "account", "Account", "Accounts")
            .fields([
                text("name", "Name").required().searchable(),
                text("city", "City").searchable(),
                choice("lifecycle", "Lifecycle", &["prospect", "customer", "former"])
                    .required()
                    .default(Default::Text("prospect")),
                text("industry", "Industry"),
            ])
            .title(&["name"]),
        EntityDef::new(CONTACTS, "test", "contact", "Contact", "Contacts")
            .fields([
                text("first_name", "First name").searchable(),
                text("last_name", "Last name").required().searchable(),
                rel("account", "Account", ACCOUNTS),
                FieldDef::standard("emails", "Emails", Emails).searchable(),
                FieldDef::standard("phones", "Phones", Phones).searchable(),
                text("city", "City").searchable(),
                FieldDef::standard("birthday", "Birthday", Date),
                choice("lifecycle", "Lifecycle", &["potential", "current", "former"])
                    .required()
                    .default(Default::Text("potential")),
                FieldDef::standard("notes", "Notes", LongText).searchable(),
            ])
            .title(&["first_name", "last_name"])
            .person(),
        EntityDef::new(LEADS, "test", "lead", "Lead", "Leads")
            .fields([
                text("last_name", "Last name").required(),
                FieldDef::standard("score", "Score", Integer { min: 0, max: 100 }),
            ])
            .title(&["last_name"]),
        EntityDef::new(PIPELINES, "test", "pipeline", "Pipeline", "Pipelines")
            .fields([text("name", "Name").required()])
            .title(&["name"])
            .reference_data(),
        EntityDef::new(OPPORTUNITIES, "test", "opportunity", "Opportunity", "Opportunities")
            .fields([
                text("name", "Name").required(),
                rel("account", "Account", ACCOUNTS).required(),
                rel("pipeline", "Pipeline", PIPELINES),
                FieldDef::standard("amount", "Amount", Money),
            ])
            .title(&["name"])
            .rights(|role| match role {
                "service_agent" => EntityRights::READ_ALL,
                _ => business_record_rights(role),
            }),
        EntityDef::new(ACTIVITIES, "test", "activity", "Activity", "Activities")
            .fields([
                text("subject", "Subject").required(),
                FieldDef::standard("occurred_at", "Occurred", DateTime).read_only(),
                rel("account", "Account", ACCOUNTS),
                rel("contact", "Contact", CONTACTS),
            ])
            .title(&["subject"])
            .episode(&["account", "contact"], "occurred_at")
            .rights(|role| match role {
                "service_agent" | "marketer" => EntityRights {
                    create: true,
                    read: Level::All,
                    update: Level::Own,
                    delete: Level::Own,
                    export: false,
                },
                _ => business_record_rights(role),
            }),
    ]
}

/// Installs the stand-ins (once per test process).
pub fn install() {
    super::install(definitions()).expect("the test entity types are consistent");
}
