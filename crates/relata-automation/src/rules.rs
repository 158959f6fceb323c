//! Rules and runs, described for the generic machinery, and the checks a
//! rule passes when saved: a type modules define, fields it has, conditions
//! that compile against it, steps that name what they need.

use relata_core::Record;
use relata_core::access::{EntityRights, Level};
use relata_core::error::{FieldError, ValidationError};
use relata_core::meta::{Default, EntityDef, EntityKind, FieldDef, FieldType, LinesDef, Schema, Target, options};
use relata_core::value::{FieldValue, ParseContext, parse_text};
use relata_store::StoreError;
use std::borrow::Cow;

pub const AUTOMATION_RULES: EntityKind = EntityKind::named("automation_rules");
pub const AUTOMATION_RUNS: EntityKind = EntityKind::named("automation_runs");

pub const EVENTS: &[&str] = &["created", "updated", "created_or_updated", "deleted", "date_reached"];
pub const ACTIONS: &[&str] = &["update_field", "create_task", "notify_owner", "create_call"];
pub const RUN_STATUSES: &[&str] = &["done", "failed", "cut"];

/// How many rules may trigger each other in a chain; the next is cut.
pub const MAX_DEPTH: i64 = 3;

/// Administrators and managers keep rules and read runs; others see none.
fn automation_rights(role: &str) -> EntityRights {
    match role {
        "manager" => {
            EntityRights { create: true, read: Level::All, update: Level::All, delete: Level::All, export: true }
        }
        _ => EntityRights::NONE,
    }
}

fn line_field(id: &str, label: &str, ty: FieldType) -> FieldDef {
    FieldDef::data(id.to_string(), label.to_string(), ty, false)
}

pub fn rule() -> EntityDef {
    use FieldType::*;
    let mut def =
        EntityDef::new(AUTOMATION_RULES, "automation", "automation_rule", "Automation rule", "Automation rules")
            .fields([
                FieldDef::text("name", "Name").required().searchable(),
                FieldDef::text("entity", "Records of type (API name)").required(),
                FieldDef::standard("event", "When a record is", Choice(options(EVENTS)))
                    .required()
                    .default(Default::Text("created_or_updated")),
                FieldDef::text("watch_fields", "Only when these fields change"),
                FieldDef::text("date_field", "Date field (date reached)"),
                FieldDef::standard(
                    "offset_days",
                    "Days after the date (before: negative)",
                    Integer { min: -3650, max: 3650 },
                ),
                FieldDef::standard("conditions", "Conditions (filter)", LongText),
                FieldDef::standard("active", "Active", Boolean).default(Default::Bool(true)),
            ])
            .title(&["name"])
            .columns(&["name", "entity", "event", "active", "owner"])
            .rights(automation_rights);
    def.lines = Some(LinesDef {
        fields: vec![
            FieldDef::data("action".into(), "Action".into(), Choice(options(ACTIONS)), true),
            line_field("field", "Field", Text { max_len: 100 }),
            line_field("value", "Value", Text { max_len: 500 }),
            line_field("subject", "Task or message", Text { max_len: 200 }),
            line_field("due_in_days", "Due in days", Integer { min: 0, max: 3650 }),
        ],
        totals: Vec::new(),
        currency_field: None,
        personal_fields: Vec::new(),
    });
    def
}

pub fn run() -> EntityDef {
    use FieldType::*;
    EntityDef::new(AUTOMATION_RUNS, "automation", "automation_run", "Automation run", "Automation runs")
        .fields([
            FieldDef::standard("rule", "Rule", Relation(Target::Entity(AUTOMATION_RULES))).read_only(),
            FieldDef::standard("rule_version", "Rule version", Integer { min: 0, max: i64::MAX }).read_only(),
            FieldDef::text("entity", "Record type").read_only(),
            FieldDef::text("record_id", "Record").read_only(),
            FieldDef::standard("feed_position", "Change", Integer { min: 0, max: i64::MAX }).read_only(),
            FieldDef::standard("status", "Status", Choice(options(RUN_STATUSES))).read_only(),
            FieldDef::standard("depth", "Depth", Integer { min: 0, max: 1000 }).read_only(),
            FieldDef::text("tx_id", "Write").read_only(),
            FieldDef::text("occurrence", "Date reached").read_only(),
            FieldDef::standard("detail", "Detail", LongText).read_only(),
        ])
        .title(&["status"])
        .columns(&["rule", "entity", "record_id", "status", "depth", "created_at"])
        .rights(automation_rights)
        .made_by_relata()
}

/// The entity type a rule names: one that modules define.
pub fn target(name: &str) -> Option<EntityKind> {
    EntityKind::from_api_name(name).filter(|k| EntityKind::all().contains(k))
}

/// The field ids of a rule's `watch_fields`.
pub fn watched(text: &str) -> Vec<String> {
    text.split([',', ' ']).map(str::trim).filter(|f| !f.is_empty()).map(str::to_string).collect()
}

/// A rule as saved is one Relata can run: every problem named by field.
pub fn check(rule: &Record) -> Result<(), StoreError> {
    let text = |f: &str| rule.values.std(f).as_text().unwrap_or_default().to_string();
    let mut errors = Vec::new();
    let Some(kind) = target(&text("entity")) else {
        let known: Vec<&str> = EntityKind::all().iter().map(|k| k.api_name()).collect();
        return Err(StoreError::Invalid(ValidationError::single(
            "entity",
            "unknown_entity",
            format!("not an entity type; one of {}", known.join(", ")),
        )));
    };
    let schema = Schema::standard(kind);
    for field in watched(&text("watch_fields")) {
        if schema.field(&field).is_none() {
            errors.push(FieldError::new("watch_fields", "unknown_field", format!("{kind} has no field {field:?}")));
        }
    }
    if text("event") == "date_reached" {
        match schema.field(&text("date_field")) {
            Some(f) if matches!(f.ty, FieldType::Date | FieldType::DateTime) => {}
            Some(_) => errors.push(FieldError::new("date_field", "not_a_date", format!("not a date field of {kind}"))),
            None => errors.push(FieldError::new("date_field", "required", format!("a date field of {kind}"))),
        }
    }
    let conditions = text("conditions");
    if !conditions.trim().is_empty() {
        let parse = ParseContext { phone_region: None, currencies: Vec::new() };
        let cx = relata_core::filter::CompileContext { me: None, parse: &parse };
        match relata_core::filter::parse(&conditions) {
            Err(e) => errors.push(FieldError::new("conditions", "invalid_filter", e.to_string())),
            Ok(expr) => {
                if let Err(e) = relata_core::filter::compile(&expr, &schema, &cx) {
                    errors.push(FieldError::new("conditions", "invalid_filter", e.to_string()));
                }
            }
        }
    }
    let steps = rule.lines.as_deref().unwrap_or_default();
    // A draft (inactive) rule may have no steps yet.
    if steps.is_empty() && rule.values.std("active") != &FieldValue::Bool(false) {
        errors.push(FieldError::new("lines", "required", "an active rule has at least one step"));
    }
    for (i, step) in steps.iter().enumerate() {
        let at = |f: &str| format!("lines[{i}].{f}");
        let value = |f: &str| step.values.std(f).as_text().unwrap_or_default().to_string();
        match value("action").as_str() {
            "update_field" => match schema.field(&value("field")) {
                None => errors.push(FieldError::new(at("field"), "unknown_field", format!("{kind} has no such field"))),
                Some(field) if !field.is_writable() || field.system => {
                    errors.push(FieldError::new(at("field"), "read_only", "is maintained by Relata"))
                }
                Some(field) => {
                    let parse = ParseContext { phone_region: None, currencies: Vec::new() };
                    if let Err(e) = parse_text(field, &value("value"), &parse) {
                        errors.push(FieldError::new(at("value"), e.code, e.message));
                    }
                }
            },
            "create_task" | "notify_owner" | "create_call" if value("subject").trim().is_empty() => {
                errors.push(FieldError::new(at("subject"), "required", "what the task, message or call is about"))
            }
            "create_call" if !value("value").is_empty() && call_priority(&value("value")).is_none() => {
                errors.push(FieldError::new(at("value"), "invalid_priority", "a call's priority, 0 to 100"))
            }
            _ => {}
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(StoreError::Invalid(ValidationError { errors })) }
}

/// The field value a step writes (checked when the rule was saved).
pub fn step_value(schema: &Schema, field: &str, text: &str) -> Option<(Cow<'static, str>, FieldValue)> {
    let def = schema.field(field)?;
    let parse = ParseContext { phone_region: None, currencies: Vec::new() };
    parse_text(def, text, &parse).ok().map(|v| (def.id.clone(), v))
}

/// A `create_call` step's priority (its `value`), 0 to 100.
pub fn call_priority(text: &str) -> Option<i64> {
    text.trim().parse::<i64>().ok().filter(|p| (0..=100).contains(p))
}
