//! Leads, opportunities and pipelines, described for the generic machinery,
//! and the links sales adds to activities.

use relata_app::module::Extension;
use relata_core::access::EntityRights;
use relata_core::meta::{Default, EntityDef, EntityKind, FieldDef, FieldType, Target, business_record_rights, options};
use relata_crm::{ACCOUNTS, ACTIVITIES, CONTACTS};

pub const LEADS: EntityKind = EntityKind::named("leads");
pub const OPPORTUNITIES: EntityKind = EntityKind::named("opportunities");
pub const PIPELINES: EntityKind = EntityKind::named("pipelines");
pub const QUOTAS: EntityKind = EntityKind::named("quotas");

pub const LEAD_STATUSES: &[&str] = &["new", "contacted", "qualified", "unqualified", "converted"];
pub const LEAD_SOURCES: &[&str] =
    &["web", "referral", "event", "cold_call", "advertisement", "partner", "campaign", "other"];
pub const OPPORTUNITY_STATUSES: &[&str] = &["open", "won", "lost"];

fn relation(id: &'static str, label: &'static str, kind: EntityKind) -> FieldDef {
    FieldDef::standard(id, label, FieldType::Relation(Target::Entity(kind)))
}

pub fn lead() -> EntityDef {
    use FieldType::*;
    let text = FieldDef::text;
    EntityDef::new(LEADS, "sales", "lead", "Lead", "Leads")
        .fields([
            text("first_name", "First name").searchable(),
            text("last_name", "Last name").required().searchable(),
            text("company", "Company").searchable(),
            text("title", "Job title"),
            FieldDef::standard("email", "Email", Email).searchable(),
            FieldDef::standard("phone", "Phone", Phone).searchable(),
            FieldDef::standard("source", "Source", Choice(options(LEAD_SOURCES))),
            FieldDef::standard("status", "Status", Choice(options(LEAD_STATUSES)))
                .required()
                .default(Default::Text("new")),
            FieldDef::standard("score", "Score", Integer { min: 0, max: 100 }),
            FieldDef::standard("notes", "Notes", LongText).searchable(),
            FieldDef::standard("converted_at", "Converted", DateTime).read_only(),
            relation("converted_account", "Converted to account", ACCOUNTS).read_only(),
            relation("converted_contact", "Converted to contact", CONTACTS).read_only(),
            relation("converted_opportunity", "Converted to opportunity", OPPORTUNITIES).read_only(),
        ])
        .title(&["first_name", "last_name", "company"])
        .searchable_globally()
        .personal(&["first_name", "last_name", "title", "email", "phone", "notes"])
        .columns(&["last_name", "first_name", "company", "status", "score", "owner"])
        .rights(|role| match role {
            // Marketing generates and qualifies leads.
            "marketer" => EntityRights::FULL,
            "service_agent" => EntityRights::READ_ALL,
            other => business_record_rights(other),
        })
}

pub fn opportunity() -> EntityDef {
    use FieldType::*;
    EntityDef::new(OPPORTUNITIES, "sales", "opportunity", "Opportunity", "Opportunities")
        .fields([
            FieldDef::text("name", "Name").required().searchable(),
            relation("account", "Account", ACCOUNTS).required(),
            relation("primary_contact", "Primary contact", CONTACTS),
            relation("pipeline", "Pipeline", PIPELINES),
            FieldDef::standard("stage", "Stage", Stage),
            FieldDef::standard("amount", "Amount", Money),
            FieldDef::standard("expected_close_date", "Expected close", Date),
            FieldDef::text("lost_reason", "Lost reason"),
            FieldDef::standard("status", "Status", Choice(options(OPPORTUNITY_STATUSES))).read_only(),
            FieldDef::standard("probability", "Probability %", Integer { min: 0, max: 100 }).read_only(),
            FieldDef::standard("closed_at", "Closed", DateTime).read_only(),
            FieldDef::standard("description", "Description", LongText).searchable(),
        ])
        .title(&["name"])
        .episode(&["account", "primary_contact"], "created_at")
        .searchable_globally()
        .columns(&["name", "account", "stage", "amount", "expected_close_date", "status", "owner"])
        .rights(|role| match role {
            "service_agent" | "marketer" => EntityRights::READ_ALL,
            other => business_record_rights(other),
        })
}

pub fn pipeline() -> EntityDef {
    use FieldType::*;
    EntityDef::new(PIPELINES, "sales", "pipeline", "Pipeline", "Pipelines")
        .fields([
            FieldDef::text("name", "Name").required().unique().searchable(),
            FieldDef::standard("is_default", "Default pipeline", Boolean).default(Default::Bool(false)),
            FieldDef::standard("stages", "Stages", Stages).required(),
        ])
        .title(&["name"])
        .columns(&["name", "is_default"])
        .reference_data()
}

/// What a salesperson should win in a period: the manager's dashboard
/// compares it with what they won and are expected to win.
pub fn quota() -> EntityDef {
    use FieldType::*;
    EntityDef::new(QUOTAS, "sales", "quota", "Quota", "Quotas")
        .fields([
            FieldDef::text("name", "Name").searchable(),
            FieldDef::standard("user", "Salesperson", Relation(Target::User)).required(),
            FieldDef::standard("period_start", "From", Date).required(),
            FieldDef::standard("period_end", "To", Date).required(),
            FieldDef::standard("amount", "Target", Money).required(),
        ])
        .title(&["name"])
        .columns(&["name", "user", "period_start", "period_end", "amount"])
        // Configuration, not business records (set before the rights, which it would reset).
        .reference_data()
        .rights(|role| match role {
            // Managers set their teams' targets; salespeople see theirs and their colleagues'.
            "manager" => EntityRights::FULL,
            "sales_rep" => EntityRights::READ_ALL,
            _ => EntityRights::NONE,
        })
}

/// Activities are also episodes of leads' and opportunities' stories.
pub fn activity_links() -> Extension {
    Extension {
        kind: ACTIVITIES,
        fields: vec![relation("lead", "Lead", LEADS), relation("opportunity", "Opportunity", OPPORTUNITIES)],
        episode_links: vec!["lead", "opportunity"],
    }
}
