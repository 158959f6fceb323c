//! The service module's types: cases and their comments, the teams that
//! work them, the teams' business calendars, SLA policies and routing rules.

use relata_core::meta::{
    Default, EntityDef, EntityKind, FieldDef, FieldType, LinesDef, Numbering, Target, business_record_rights, options,
};
use relata_crm::{ACCOUNTS, CONTACTS};
use std::borrow::Cow;

pub const CASES: EntityKind = EntityKind::named("cases");
pub const CASE_COMMENTS: EntityKind = EntityKind::named("case_comments");
pub const SERVICE_TEAMS: EntityKind = EntityKind::named("service_teams");
pub const SERVICE_CALENDARS: EntityKind = EntityKind::named("service_calendars");
pub const SLA_POLICIES: EntityKind = EntityKind::named("sla_policies");
pub const ROUTING_RULES: EntityKind = EntityKind::named("routing_rules");
pub const SERVICE_CONTRACTS: EntityKind = EntityKind::named("service_contracts");
pub const KB_ARTICLES: EntityKind = EntityKind::named("kb_articles");
pub const HELD_MESSAGES: EntityKind = EntityKind::named("held_messages");
/// Why the desk held a message back instead of opening or answering a case.
pub const HOLD_REASONS: &[&str] = &["no_sender", "forged_sender", "from_desk", "too_large", "unreadable"];
pub const HELD_STATUSES: &[&str] = &["held", "released", "discarded"];
/// What covers a case, for routing: a contract, a warranty, or nothing.
pub const COVERAGES: &[&str] = &["contract", "warranty", "none"];
pub const ARTICLE_STATUSES: &[&str] = &["draft", "in_review", "published", "archived"];
pub const CONTRACT_KINDS: &[&str] = &["contract", "warranty"];
pub const CONTRACT_STATUSES: &[&str] = &["active", "cancelled"];

pub const CHANNELS: &[&str] = &["phone", "email", "web", "portal", "api"];
pub const CATEGORIES: &[&str] =
    &["question", "problem", "complaint", "order", "delivery", "billing", "warranty", "return", "feature_request"];
/// Lowest first: escalation moves a case one step up.
pub const PRIORITIES: &[&str] = &["low", "normal", "high", "urgent"];
pub const STATUSES: &[&str] = &["new", "open", "waiting_on_customer", "waiting_on_third_party", "resolved", "closed"];
/// Where a case stands against its targets.
pub const SLA_STATES: &[&str] = &["on_track", "warning", "breached", "met", "paused"];
pub const ROOT_CAUSES: &[&str] =
    &["product_defect", "user_error", "documentation", "delivery", "billing_error", "third_party", "other"];
/// A reply goes to the customer; a note stays internal; a customer
/// comment is what the customer wrote (by email, later the portal).
pub const COMMENT_KINDS: &[&str] = &["reply", "note", "customer"];
pub const ASSIGNMENTS: &[&str] = &["least_open", "round_robin"];
/// Whom a policy or rule is for: key accounts, the others, or (empty) all.
pub const CUSTOMERS: &[&str] = &["key_account", "other"];
pub const CALENDAR_DAYS: &[&str] =
    &["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "holiday"];

fn relation(id: &'static str, label: &'static str, kind: EntityKind) -> FieldDef {
    FieldDef::standard(id, label, FieldType::Relation(Target::Entity(kind)))
}

fn choice(id: &'static str, label: &'static str, values: &[&str]) -> FieldDef {
    FieldDef::standard(id, label, FieldType::Choice(options(values)))
}

fn line(id: &str, label: &str, ty: FieldType, required: bool) -> FieldDef {
    FieldDef::data(id.to_string(), label.to_string(), ty, required)
}

fn minutes(id: &'static str, label: &'static str) -> FieldDef {
    FieldDef::standard(id, label, FieldType::Integer { min: 0, max: 525_600 })
}

pub fn case() -> EntityDef {
    use FieldType::*;
    let mut def = EntityDef::new(CASES, "service", "case", "Case", "Cases")
        .fields([
            FieldDef::text("number", "Number").read_only(),
            FieldDef::text("subject", "Subject").required().searchable(),
            FieldDef::standard("description", "Description", LongText).searchable(),
            relation("account", "Account", ACCOUNTS),
            relation("contact", "Contact", CONTACTS),
            // Who wrote in, when no contact has their address (yet).
            FieldDef::standard("requester_email", "Requester's email", Email),
            choice("channel", "Channel", CHANNELS).required().default(Default::Text("phone")),
            choice("category", "Category", CATEGORIES),
            relation("product", "Product", relata_commerce::PRODUCTS),
            relation("order", "Order", relata_commerce::ORDERS),
            choice("priority", "Priority", PRIORITIES).required().default(Default::Text("normal")),
            choice("status", "Status", STATUSES).required().default(Default::Text("new")),
            relation("team", "Team", SERVICE_TEAMS),
            FieldDef::text("language", "Language"),
            FieldDef::standard("resolution", "Resolution", LongText),
            choice("root_cause", "Root cause", ROOT_CAUSES),
            relation("contract", "Contract or warranty", SERVICE_CONTRACTS),
            relation("article", "Knowledge article used", KB_ARTICLES),
            relation("related_case", "Related case", CASES),
            relation("merged_into", "Merged into", CASES).read_only(),
            FieldDef::text("coverage", "Coverage").read_only(),
            FieldDef::standard("hours_spent", "Hours spent", Decimal { scale: 2 }),
            FieldDef::standard("on_site_visit", "Visit on site", Boolean).default(Default::Bool(false)),
            relation("sla_policy", "SLA policy", SLA_POLICIES).read_only(),
            choice("sla_status", "SLA", SLA_STATES).read_only(),
            FieldDef::standard("first_response_due", "First response due", DateTime).read_only(),
            FieldDef::standard("resolution_due", "Resolution due", DateTime).read_only(),
            FieldDef::standard("first_response_at", "First response", DateTime).read_only(),
            FieldDef::standard("resolved_at", "Resolved", DateTime).read_only(),
            FieldDef::standard("closed_at", "Closed", DateTime).read_only(),
            FieldDef::standard("paused_since", "Waiting on the customer since", DateTime).read_only(),
            minutes("paused_minutes", "Business minutes waited on the customer").read_only(),
            FieldDef::standard("escalations", "Escalations", Integer { min: 0, max: 1000 }).read_only(),
        ])
        .title(&["subject"])
        .episode(&["account", "contact"], "created_at")
        .personal(&["subject", "description", "resolution", "requester_email"])
        .searchable_globally()
        .columns(&["number", "subject", "account", "priority", "status", "sla_status", "resolution_due", "owner"])
        .rights(business_record_rights);
    def.numbering = Some(Numbering {
        field: Cow::Borrowed("number"),
        format: Cow::Borrowed("CASE-{YYYY}-{NNNNNN}"),
        gapless: false,
    });
    def
}

pub fn case_comment() -> EntityDef {
    use FieldType::*;
    EntityDef::new(CASE_COMMENTS, "service", "case_comment", "Case comment", "Case comments")
        .fields([
            relation("case", "Case", CASES).required(),
            choice("kind", "Kind", COMMENT_KINDS).required().default(Default::Text("note")),
            // Required, unless a reply's template gives it (see `cases`).
            FieldDef::standard("body", "Text", LongText).searchable(),
            relation("contact", "Contact", CONTACTS).read_only(),
            relation("account", "Account", ACCOUNTS).read_only(),
            relation("email_sent", "Email sent", relata_channels::entities::MESSAGES).read_only(),
            // A reply may be written from a template (merged with the case).
            relation("template", "Template", relata_channels::entities::MESSAGE_TEMPLATES),
            // What came in by email: its Message-ID (never taken twice), sender and attachments.
            FieldDef::text("message_id", "Message-ID").read_only(),
            FieldDef::text("from_address", "From").read_only(),
            FieldDef::standard("attachments", "Attachments", LongText).read_only(),
        ])
        .title(&["body"])
        .episode(&["account", "contact"], "created_at")
        .personal(&["body", "from_address", "attachments"])
        .keeps_files()
        .columns(&["case", "kind", "body", "created_at", "owner"])
        .rights(business_record_rights)
}

pub fn service_team() -> EntityDef {
    let mut def = EntityDef::new(SERVICE_TEAMS, "service", "service_team", "Service team", "Service teams")
        .fields([
            FieldDef::text("name", "Name").required(),
            relation("calendar", "Business hours", SERVICE_CALENDARS),
            FieldDef::standard("manager", "Manager", FieldType::Relation(Target::User)),
            choice("assignment", "Assign new cases to", ASSIGNMENTS).required().default(Default::Text("least_open")),
            FieldDef::standard("last_assigned", "Last assigned", FieldType::Relation(Target::User)).read_only(),
        ])
        .title(&["name"])
        .columns(&["name", "calendar", "manager", "assignment"])
        .reference_data();
    def.lines = Some(LinesDef {
        fields: vec![
            line("member", "Agent", FieldType::Relation(Target::User), true),
            line("present", "Present", FieldType::Boolean, false),
        ],
        totals: Vec::new(),
        currency_field: None,
        personal_fields: Vec::new(),
    });
    def
}

pub fn service_calendar() -> EntityDef {
    let text = |max_len| FieldType::Text { max_len };
    let mut def = EntityDef::new(SERVICE_CALENDARS, "service", "service_calendar", "Business hours", "Business hours")
        .fields([
            FieldDef::text("name", "Name").required(),
            FieldDef::text("time_zone", "Time zone").required().default(Default::Text("UTC")),
        ])
        .title(&["name"])
        .columns(&["name", "time_zone"])
        .reference_data();
    def.lines = Some(LinesDef {
        fields: vec![
            line("day", "Day", FieldType::Choice(options(CALENDAR_DAYS)), true),
            line("date", "Date (holidays)", FieldType::Date, false),
            line("start", "From (HH:MM)", text(5), false),
            line("end", "To (HH:MM)", text(5), false),
        ],
        totals: Vec::new(),
        currency_field: None,
        personal_fields: Vec::new(),
    });
    def
}

pub fn sla_policy() -> EntityDef {
    use FieldType::*;
    EntityDef::new(SLA_POLICIES, "service", "sla_policy", "SLA policy", "SLA policies")
        .fields([
            FieldDef::text("name", "Name").required(),
            choice("priority", "For priority", PRIORITIES),
            choice("customer", "For customers", CUSTOMERS),
            minutes("first_response_minutes", "First response within (business minutes)").required(),
            minutes("resolution_minutes", "Resolution within (business minutes)").required(),
            minutes("warn_before_minutes", "Warn before (minutes)"),
            relation("calendar", "Business hours", SERVICE_CALENDARS),
            // Applies only to cases under a contract that names it.
            FieldDef::standard("contract_only", "Only through contracts", Boolean).default(Default::Bool(false)),
            FieldDef::standard("active", "Active", Boolean).default(Default::Bool(true)),
        ])
        .title(&["name"])
        .columns(&["name", "priority", "customer", "first_response_minutes", "resolution_minutes", "active"])
        .reference_data()
}

pub fn service_contract() -> EntityDef {
    use FieldType::*;
    let mut def = EntityDef::new(
        SERVICE_CONTRACTS,
        "service",
        "service_contract",
        "Contract or warranty",
        "Contracts and warranties",
    )
    .fields([
        FieldDef::text("name", "Name").required().searchable(),
        relation("account", "Account", ACCOUNTS).required(),
        choice("kind", "Kind", CONTRACT_KINDS).required().default(Default::Text("contract")),
        choice("status", "Status", CONTRACT_STATUSES).required().default(Default::Text("active")),
        FieldDef::standard("starts_on", "Starts", Date).required(),
        FieldDef::standard("ends_on", "Ends", Date).required(),
        relation("sla_policy", "SLA policy", SLA_POLICIES),
        FieldDef::standard("visits_included", "Visits included", Integer { min: 0, max: 100_000 }),
        FieldDef::standard("visits_used", "Visits used", Integer { min: 0, max: 100_000 }).read_only(),
        FieldDef::standard("hours_included", "Hours included", Decimal { scale: 2 }),
        FieldDef::standard("hours_used", "Hours used", Decimal { scale: 2 }).read_only(),
        FieldDef::standard("renewal_notice_days", "Renewal task (days before the end)", Integer { min: 0, max: 3650 }),
    ])
    .title(&["name"])
    .episode(&["account"], "created_at")
    .columns(&["name", "account", "kind", "starts_on", "ends_on", "status", "owner"])
    .rights(business_record_rights);
    def.lines = Some(LinesDef {
        fields: vec![
            line("product", "Product", FieldType::Relation(Target::Entity(relata_commerce::PRODUCTS)), false),
            line("serial_number", "Serial number", FieldType::Text { max_len: 100 }, false),
        ],
        totals: Vec::new(),
        currency_field: None,
        personal_fields: Vec::new(),
    });
    def
}

/// Everyone reads the knowledge base; service agents, managers and
/// administrators write it (publishing is for managers, see `kb`).
fn article_rights(role: &str) -> relata_core::access::EntityRights {
    use relata_core::access::{EntityRights, Level};
    match role {
        "manager" | "service_agent" => {
            EntityRights { create: true, read: Level::All, update: Level::All, delete: Level::Own, export: true }
        }
        _ => EntityRights::READ_ALL,
    }
}

pub fn kb_article() -> EntityDef {
    use FieldType::*;
    EntityDef::new(KB_ARTICLES, "service", "kb_article", "Knowledge article", "Knowledge base")
        .fields([
            FieldDef::text("title", "Title").required().searchable(),
            FieldDef::standard("body", "Text", LongText).required().searchable(),
            FieldDef::text("category", "Category").searchable(),
            FieldDef::text("keywords", "Keywords").searchable(),
            FieldDef::text("language", "Language").default(Default::Text("en")),
            relation("product", "Product", relata_commerce::PRODUCTS),
            choice("status", "Status", ARTICLE_STATUSES).required().default(Default::Text("draft")),
            FieldDef::standard("reviewer", "Reviewer", Relation(Target::User)),
            FieldDef::standard("revision", "Revision", Integer { min: 0, max: 1_000_000 }).read_only(),
            FieldDef::standard("published_at", "Published", DateTime).read_only(),
            FieldDef::standard("helpful_yes", "Found it helpful", Integer { min: 0, max: i64::MAX }).read_only(),
            FieldDef::standard("helpful_no", "Did not", Integer { min: 0, max: i64::MAX }).read_only(),
        ])
        .title(&["title"])
        .searchable_globally()
        .columns(&["title", "category", "language", "status", "revision", "published_at", "helpful_yes"])
        .rights(article_rights)
}

pub fn routing_rule() -> EntityDef {
    use FieldType::*;
    EntityDef::new(ROUTING_RULES, "service", "routing_rule", "Routing rule", "Routing rules")
        .fields([
            FieldDef::text("name", "Name").required(),
            FieldDef::standard("position", "Order", Integer { min: 0, max: 100_000 }).required(),
            choice("category", "Category", CATEGORIES),
            choice("priority", "Priority", PRIORITIES),
            choice("customer", "Customers", CUSTOMERS),
            relation("product", "Product", relata_commerce::PRODUCTS),
            FieldDef::text("language", "Language"),
            FieldDef::text("territory", "Account's territory"),
            choice("coverage", "Covered by", COVERAGES),
            relation("team", "Team", SERVICE_TEAMS).required(),
            FieldDef::standard("active", "Active", Boolean).default(Default::Bool(true)),
        ])
        .title(&["name"])
        .columns(&["position", "name", "category", "priority", "customer", "team", "active"])
        .reference_data()
}

/// Held mail is the service desk's to look at: agents and managers read it
/// and release or discard it (through the desk's actions; Relata writes it).
fn held_rights(role: &str) -> relata_core::access::EntityRights {
    use relata_core::access::{EntityRights, Level};
    match role {
        "manager" | "service_agent" => {
            EntityRights { create: false, read: Level::All, update: Level::All, delete: Level::None, export: false }
        }
        _ => EntityRights::NONE,
    }
}

/// A message a desk mailbox held back, with the message (or, over the size
/// limit, its header) kept as its file at position 0.
pub fn held_message() -> EntityDef {
    use FieldType::*;
    EntityDef::new(HELD_MESSAGES, "service", "held_message", "Held message", "Held mail")
        .fields([
            FieldDef::text("mailbox", "Mailbox").required(),
            FieldDef::text("folder", "Folder"),
            FieldDef::standard("message_id", "Message-ID", Text { max_len: 1000 }),
            FieldDef::text("from_address", "From").searchable(),
            FieldDef::standard("subject", "Subject", Text { max_len: 500 }).searchable(),
            choice("reason", "Held because", HOLD_REASONS).required(),
            FieldDef::standard("detail", "Detail", LongText),
            FieldDef::standard("size", "Size (bytes)", Integer { min: 0, max: i64::MAX }),
            choice("status", "Status", HELD_STATUSES).required().default(Default::Text("held")),
            relation("case", "Case", CASES),
        ])
        .title(&["subject"])
        .personal(&["from_address", "subject"])
        .keeps_files()
        .made_by_relata()
        .columns(&["created_at", "mailbox", "from_address", "subject", "reason", "status", "case"])
        .rights(held_rights)
}
