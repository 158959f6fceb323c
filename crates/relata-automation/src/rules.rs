//! Rules and runs, described for the generic machinery, and the checks a
//! rule passes when saved: a type modules define, fields it has, conditions
//! that compile against it, steps that name what they need.

use relata_app::error::into_store;
use relata_core::Record;
use relata_core::access::{EntityRights, Level};
use relata_core::error::{FieldError, ValidationError};
use relata_core::meta::{Default, EntityDef, EntityKind, FieldDef, FieldType, LinesDef, Schema, Target, options};
use relata_core::value::{FieldValue, ParseContext, parse_text};
use relata_i18n::{Arg, entity_one, option, refusal, refused};
use relata_store::{ScopedConn, StoreError};

pub const AUTOMATION_RULES: EntityKind = EntityKind::named("automation_rules");
pub const AUTOMATION_RUNS: EntityKind = EntityKind::named("automation_runs");

pub const EVENTS: &[&str] =
    &["created", "updated", "created_or_updated", "deleted", "date_reached", "anniversary", "schedule"];
pub const ACTIONS: &[&str] = &[
    "update_field",
    "create_task",
    "notify_owner",
    "notify",
    "create_call",
    "send_email",
    "send_sms",
    "print_letter",
    "call_webhook",
    "wait",
    "branch",
];
/// `waiting` until a wait step's time comes; `stopped` when the rule's stop
/// condition held (the invoice got paid) or a branch ended it.
pub const RUN_STATUSES: &[&str] = &["done", "failed", "cut", "waiting", "stopped"];

/// The channel of a step that sends a message.
pub fn message_channel(action: &str) -> Option<&'static str> {
    match action {
        "send_email" => Some("email"),
        "send_sms" => Some("sms"),
        "print_letter" => Some("letter"),
        _ => None,
    }
}

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
                FieldDef::text("cron", "Schedule (cron: sec min hour day month weekday)"),
                FieldDef::text("time_zone", "Schedule's time zone"),
                FieldDef::standard("conditions", "Conditions (filter)", LongText).filter_over("entity"),
                FieldDef::standard("stop_when", "Stop the sequence when (filter)", LongText).filter_over("entity"),
                FieldDef::standard("once_per_record", "Once per record, ever", Boolean).default(Default::Bool(false)),
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
            line_field("template", "Template (key)", Text { max_len: 100 }),
            line_field("assign_to", "For (owner, account_owner, a user's email, team:name)", Text { max_len: 200 }),
            line_field("wait_days", "Wait days", Integer { min: 0, max: 3650 }),
            line_field("wait_hours", "Wait hours", Integer { min: 0, max: 8760 }),
            line_field("until_field", "Wait until this date field (plus the days)", Text { max_len: 100 }),
            line_field("condition", "Condition (filter)", Text { max_len: 2000 }),
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
            FieldDef::standard("step", "Next step", Integer { min: 0, max: 1000 }).read_only(),
            FieldDef::standard("wake_at", "Waits until", DateTime).read_only(),
            FieldDef::standard("plan", "Steps as run (the rule's version)", LongText).read_only(),
        ])
        .title(&["status"])
        .columns(&["rule", "entity", "record_id", "status", "step", "wake_at", "created_at"])
        .rights(automation_rights)
        .made_by_relata()
}

/// The entity type a rule names: one that modules define.
/// The type a rule acts on; a type private to its owners (synced mail) is
/// none: rules run for the whole workspace and would carry it further.
pub fn target(name: &str) -> Option<EntityKind> {
    EntityKind::from_api_name(name).filter(|k| EntityKind::all().contains(k) && !k.def().private_to_owner)
}

/// The type a rule names, as the workspace of `tx` defines it: a module's
/// type (see [`target`]) with the workspace's custom fields of it, wherever
/// a rule names a field `custom.<id>` counting as the type's own, or one of
/// the workspace's custom objects.
pub async fn target_in(tx: &mut ScopedConn, name: &str) -> Result<Option<Schema>, StoreError> {
    let schema = relata_app::schema_named(tx, name).await.map_err(into_store)?;
    Ok(schema.filter(|s| s.kind.is_custom() || target(s.kind.api_name()).is_some()))
}

/// The field ids of a rule's `watch_fields`.
pub fn watched(text: &str) -> Vec<String> {
    text.split([',', ' ']).map(str::trim).filter(|f| !f.is_empty()).map(str::to_string).collect()
}

/// A rule as saved is one Relata can run: every problem named by field.
pub async fn check(tx: &mut ScopedConn, rule: &Record) -> Result<(), StoreError> {
    let text = |f: &str| rule.values.std(f).as_text().unwrap_or_default().to_string();
    let mut errors = Vec::new();
    let Some(schema) = target_in(tx, &text("entity")).await? else {
        let objects = tx.custom_objects().await?;
        let mut known: Vec<&str> =
            EntityKind::all().into_iter().filter_map(|k| target(k.api_name())).map(|k| k.api_name()).collect();
        known.extend(objects.iter().map(|o| o.api_name.as_str()));
        let args = vec![("types", known.join(", ").into())];
        return Err(refused("entity", "unknown_entity", "refuse-rule-entity", args).into());
    };
    let kind = schema.kind;
    let watched_fields = watched(&text("watch_fields"));
    for field in &watched_fields {
        if schema.field(field).is_none() {
            let args = vec![("type", entity_one(kind)), ("field", field.as_str().into())];
            errors.push(refusal("watch_fields", "unknown_field", "refuse-rule-watch-field", args));
        }
    }
    let event = text("event");
    if ["date_reached", "anniversary"].contains(&event.as_str()) {
        match schema.field(&text("date_field")) {
            Some(f) if matches!(f.ty, FieldType::Date | FieldType::DateTime) => {}
            Some(_) => errors.push(refusal("date_field", "not_a_date", "refuse-rule-not-a-date", of_type(kind))),
            None => errors.push(refusal("date_field", "required", "refuse-rule-date-field", of_type(kind))),
        }
    }
    if event == "schedule" {
        check_schedule(&text("cron"), &text("time_zone"), &mut errors);
    }
    // `before.<field>` (the value before the change) only where there is one.
    let on_updates = ["updated", "created_or_updated"].contains(&text("event").as_str());
    check_filter("conditions", &text("conditions"), &schema, on_updates, &mut errors);
    check_filter("stop_when", &text("stop_when"), &schema, false, &mut errors);
    let steps = rule.lines.as_deref().unwrap_or_default();
    // A draft (inactive) rule may have no steps yet.
    if steps.is_empty() && rule.values.std("active") != &FieldValue::Bool(false) {
        errors.push(refusal("lines", "required", "refuse-rule-no-steps", vec![]));
    }
    let members = tx.member_list().await?;
    let teams = tx.teams().await?;
    // A rule with no conditions that changes a field it reacts to would
    // trigger itself on every save (the engine ignores a rule's own changes,
    // but such a rule says something else than its author meant).
    let reacts_to_updates =
        ["updated", "created_or_updated"].contains(&event.as_str()) && text("conditions").trim().is_empty();
    for (i, step) in steps.iter().enumerate() {
        let at = |f: &str| format!("lines[{i}].{f}");
        let value = |f: &str| step.values.std(f).as_text().unwrap_or_default().to_string();
        let number = |f: &str| match step.values.std(f) {
            FieldValue::Int(n) => *n,
            _ => 0,
        };
        let action = value("action");
        match action.as_str() {
            "update_field" => match schema.field(&value("field")) {
                None => errors.push(refusal(at("field"), "unknown_field", "refuse-rule-no-such-field", of_type(kind))),
                Some(field) if !field.is_writable() || field.system => {
                    errors.push(refusal(at("field"), "read_only", "refuse-rule-maintained", vec![]))
                }
                Some(field) => {
                    let parse = ParseContext { phone_region: None, currencies: Vec::new() };
                    if let Err(e) = parse_text(field, &value("value"), &parse) {
                        errors.push(FieldError::new(at("value"), e.code, e.message));
                    }
                    if reacts_to_updates
                        && (watched_fields.is_empty() || watched_fields.contains(&field.id.to_string()))
                    {
                        let args = vec![("field", field.label.to_string().into())];
                        errors.push(refusal(at("field"), "triggers_itself", "refuse-rule-triggers-itself", args));
                    }
                }
            },
            "create_task" | "notify_owner" | "notify" | "create_call" if value("subject").trim().is_empty() => {
                errors.push(refusal(at("subject"), "required", "refuse-rule-subject", vec![]))
            }
            "create_call" if !value("value").is_empty() && call_priority(&value("value")).is_none() => {
                errors.push(refusal(at("value"), "invalid_priority", "refuse-rule-priority", vec![]))
            }
            "call_webhook" => {
                if let Err(e) = relata_app::webhooks::parse_url(&value("value")) {
                    errors.push(refusal(at("value"), "invalid_url", "refuse-rule-url", vec![("detail", e.into())]));
                }
            }
            "wait" => {
                let until = value("until_field");
                if !until.is_empty() {
                    match schema.field(&until) {
                        Some(f) if matches!(f.ty, FieldType::Date | FieldType::DateTime) => {}
                        _ => errors.push(refusal(
                            at("until_field"),
                            "not_a_date",
                            "refuse-rule-not-a-date",
                            of_type(kind),
                        )),
                    }
                } else if number("wait_days") == 0 && number("wait_hours") == 0 {
                    errors.push(refusal(at("wait_days"), "required", "refuse-rule-wait", vec![]));
                }
            }
            "branch" => {
                if value("condition").trim().is_empty() {
                    errors.push(refusal(at("condition"), "required", "refuse-rule-condition", vec![]));
                } else {
                    check_filter(&at("condition"), &value("condition"), &schema, false, &mut errors);
                }
                if branch_target(&value("value"), i, steps.len()).is_none() {
                    let args = vec![("first", (i as i64 + 3).into()), ("last", (steps.len() as i64).into())];
                    errors.push(refusal(at("value"), "invalid_branch", "refuse-rule-branch", args));
                }
            }
            _ => {}
        }
        if let Some(channel) = message_channel(&action) {
            let key = value("template");
            if key.trim().is_empty() {
                let args = vec![("channel", option(relata_channels::MESSAGE_TEMPLATES, "channel", channel))];
                errors.push(refusal(at("template"), "required", "refuse-rule-template", args));
            } else {
                match relata_channels::template_by_key(tx, &key, channel).await? {
                    None => {
                        let args = vec![
                            ("channel", option(relata_channels::MESSAGE_TEMPLATES, "channel", channel)),
                            ("key", key.into()),
                        ];
                        errors.push(refusal(at("template"), "unknown_template", "refuse-rule-no-template", args))
                    }
                    Some(t) => {
                        let about = t.values.std("entity").as_text().unwrap_or_default().to_string();
                        if !about.is_empty() && about != kind.api_name() {
                            let about = EntityKind::from_api_name(&about)
                                .map_or_else(|| Arg::from(about.as_str()), relata_i18n::entity_one);
                            let args = vec![("about", about), ("type", entity_one(kind))];
                            errors.push(refusal(at("template"), "wrong_template", "refuse-rule-wrong-template", args));
                        }
                    }
                }
            }
        }
        if let Err(message) = check_assignee(&value("assign_to"), &members, &teams) {
            errors.push(refusal(
                at("assign_to"),
                "unknown_assignee",
                "refuse-rule-assignee",
                vec![("detail", message.into())],
            ));
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(StoreError::Invalid(ValidationError { errors })) }
}

/// Where a branch goes when its condition holds: `None` to stop the run,
/// `Some(index)` of a later step; `Err` for a value that is neither. Steps
/// are numbered from 1 for people; a branch only jumps forward, so that
/// every run ends.
pub fn branch_target(value: &str, at: usize, steps: usize) -> Option<Option<usize>> {
    let value = value.trim();
    if value.eq_ignore_ascii_case("stop") {
        return Some(None);
    }
    let n: usize = value.parse().ok()?;
    (n >= at + 3 && n <= steps).then_some(Some(n - 1))
}

/// A type's name as an argument of a refusal.
fn of_type(kind: EntityKind) -> Vec<(&'static str, Arg)> {
    vec![("type", entity_one(kind))]
}

fn check_filter(field: &str, text: &str, schema: &Schema, before: bool, errors: &mut Vec<FieldError>) {
    if text.trim().is_empty() {
        return;
    }
    let parse = ParseContext { phone_region: None, currencies: Vec::new() };
    let cx = relata_core::filter::CompileContext::relata(&parse);
    match relata_core::filter::parse(text) {
        Err(e) => {
            errors.push(refusal(field, "invalid_filter", "refuse-filter", vec![("detail", e.to_string().into())]))
        }
        Ok(expr) if !before && relata_core::filter::mentions_before(&expr) => {
            errors.push(refusal(field, "invalid_filter", "refuse-filter-before", vec![]))
        }
        Ok(expr) => {
            if let Err(e) = relata_core::filter::compile(&relata_core::filter::strip_before(expr), schema, &cx) {
                errors.push(refusal(field, "invalid_filter", "refuse-filter", vec![("detail", e.to_string().into())]));
            }
        }
    }
}

fn check_schedule(cron: &str, time_zone: &str, errors: &mut Vec<FieldError>) {
    let now = chrono::Utc::now();
    let zone = if time_zone.trim().is_empty() { "UTC" } else { time_zone.trim() };
    if let Err(e) = relata_app::jobs::next_firing("0 0 0 * * *", zone, now) {
        errors.push(refusal("time_zone", "invalid_time_zone", "refuse-time-zone", vec![("detail", e.into())]));
        return;
    }
    if cron.trim().is_empty() {
        errors.push(refusal("cron", "required", "refuse-cron-required", vec![]));
    } else if let Err(e) = relata_app::jobs::next_firing(cron.trim(), zone, now) {
        errors.push(refusal("cron", "invalid_cron", "refuse-cron", vec![("detail", e.into())]));
    }
}

/// Whom a step's task, call or notification is for: `owner` (the
/// default), `account_owner`, a member's email, or `team:<name>` (its
/// members in turn).
fn check_assignee(
    text: &str,
    members: &[relata_store::identity::Member],
    teams: &[relata_store::identity::Team],
) -> Result<(), String> {
    match text.trim() {
        "" | "owner" | "account_owner" => Ok(()),
        t => match t.strip_prefix("team:") {
            Some(team) if teams.iter().any(|x| x.name.eq_ignore_ascii_case(team.trim())) => Ok(()),
            Some(team) => Err(format!("no team {:?}", team.trim())),
            None => {
                let email = t.strip_prefix("user:").unwrap_or(t);
                if members.iter().any(|m| m.active && m.user.email.eq_ignore_ascii_case(email)) {
                    Ok(())
                } else {
                    Err(format!("{email:?} is not an active member of the workspace"))
                }
            }
        },
    }
}

/// The field value a step writes (checked when the rule was saved).
pub fn step_value<'s>(schema: &'s Schema, field: &str, text: &str) -> Option<(&'s FieldDef, FieldValue)> {
    let def = schema.field(field)?;
    let parse = ParseContext { phone_region: None, currencies: Vec::new() };
    parse_text(def, text, &parse).ok().map(|v| (def, v))
}

/// A `create_call` step's priority (its `value`), 0 to 100.
pub fn call_priority(text: &str) -> Option<i64> {
    text.trim().parse::<i64>().ok().filter(|p| (0..=100).contains(p))
}
