//! Running rules. A rule's trigger starts a run on a record: the `automation`
//! feed consumer for changes, the daily `automation.dates` job for dates and
//! anniversaries, a rule's own schedule for recurring rules. A run copies
//! the rule's steps when it starts (its plan, with the rule's version), so
//! that editing the rule does not disturb runs already under way, and goes
//! through them in one write per stretch: up to a wait, where it sleeps as a
//! durable `automation.resume` job until its time, or to the end. Before
//! every step the rule's stop condition is asked (the invoice got paid); a
//! branch jumps forward or stops. Every run records the write it made, so the
//! changes a run made are known when they come back through the feed.

use crate::rules::{self, AUTOMATION_RULES, AUTOMATION_RUNS, MAX_DEPTH};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use relata_app::feed::{FeedConsumer, record_matches_in};
use relata_app::jobs::{JobError, JobHandler};
use relata_app::module::BoxFuture;
use relata_app::read::{self, ListParams};
use relata_app::{App, AppError, Ctx, write};
use relata_core::error::ValidationError;
use relata_core::filter::{Expr, Literal, Op};
use relata_core::meta::{EntityKind, FieldType, Schema, Target};
use relata_core::value::{FieldValue, Values};
use relata_core::{Record, RecordId, UserId};
use relata_crm::{ACCOUNTS, ACTIVITIES, CONTACTS};
use relata_store::ScopedConn;
use relata_store::feed::FeedEntry;
use relata_store::jobs::{Job, NewJob};
use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};
use std::collections::BTreeMap;
use uuid::Uuid;

const CONSUMER: &str = "automation";
/// The job that wakes a waiting run.
pub const RESUME_JOB: &str = "automation.resume";
/// The job a schedule rule's schedule fires.
pub const SCHEDULED_JOB: &str = "automation.scheduled";

pub struct AutomationConsumer;

impl FeedConsumer for AutomationConsumer {
    fn name(&self) -> &'static str {
        CONSUMER
    }

    fn handle<'a>(&'a self, app: &'a App, entries: &'a [FeedEntry]) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(async move {
            let mut by_workspace: BTreeMap<Uuid, Vec<&FeedEntry>> = BTreeMap::new();
            for entry in entries.iter().filter(|e| e.entity != "metadata" && !e.entity.starts_with("automation_")) {
                by_workspace.entry(entry.workspace.uuid()).or_default().push(entry);
            }
            if by_workspace.is_empty() {
                return Ok(());
            }
            let workspaces = app.store.workspaces().await?;
            for (ws, entries) in by_workspace {
                let Some(workspace) = workspaces.iter().find(|w| w.id.uuid() == ws) else { continue };
                let ctx = Ctx::new(workspace.clone(), None);
                let rules = active_rules(app, &ctx).await?;
                if rules.is_empty() {
                    continue;
                }
                for entry in entries {
                    handle_entry(app, &ctx, &rules, entry).await?;
                }
            }
            Ok(())
        })
    }
}

/// The workspace's active rules, with their steps.
pub async fn active_rules(app: &App, ctx: &Ctx) -> Result<Vec<Record>, AppError> {
    let params = ListParams { filter: Some("active = true".into()), limit: Some(500), ..ListParams::default() };
    let (page, _) = read::list(app, ctx, AUTOMATION_RULES, &params).await?;
    let mut out = Vec::with_capacity(page.records.len());
    for head in page.records {
        out.push(read::get(app, ctx, AUTOMATION_RULES, head.id, false).await?.0);
    }
    Ok(out)
}

/// The type a rule names, as [`rules::target_in`] reads it, from the
/// workspace's schemas (where no transaction is open).
async fn target_of(app: &App, ctx: &Ctx, name: &str) -> Result<Option<Schema>, AppError> {
    let schemas = app.schemas(ctx.ws()).await?;
    let kind = schemas.kind(name).filter(|k| k.is_custom() || rules::target(k.api_name()).is_some());
    Ok(kind.and_then(|k| schemas.try_get(k)).cloned())
}

/// The value of the field a rule names (`custom.<id>` for a custom field).
fn named<'r>(schema: &Schema, record: &'r Record, name: &str) -> &'r FieldValue {
    static NULL: FieldValue = FieldValue::Null;
    schema.field(name).map_or(&NULL, |f| record.values.get(f))
}

fn text<'r>(record: &'r Record, field: &str) -> &'r str {
    record.values.std(field).as_text().unwrap_or_default()
}

fn int(record: &Record, field: &str) -> i64 {
    match record.values.std(field) {
        FieldValue::Int(n) => *n,
        _ => 0,
    }
}

/// Whether a rule's event and watched fields take this change.
fn triggers(rule: &Record, kind: EntityKind, entry: &FeedEntry) -> bool {
    if text(rule, "entity") != kind.api_name() {
        return false;
    }
    let event = text(rule, "event");
    let takes = match entry.op.as_str() {
        "create" => event == "created" || event == "created_or_updated",
        "update" => event == "updated" || event == "created_or_updated",
        "delete" => event == "deleted",
        _ => false,
    };
    let watched = rules::watched(text(rule, "watch_fields"));
    takes
        && (entry.op != "update"
            || watched.is_empty()
            || watched
                .iter()
                .any(|f| entry.diff.get(f).is_some() || entry.diff.pointer(&format!("/custom/{f}")).is_some()))
}

/// Runs that `conditions` select, page by page.
async fn runs_where(app: &App, ctx: &Ctx, conditions: Vec<Expr>) -> Result<Vec<Record>, AppError> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        // In the order of the records' ids, which the conditions name: the
        // (rule, record) index then finds and orders them, where id order
        // would walk every run of the workspace.
        let sort = Some("record_id".to_string());
        let params =
            ListParams { conditions: conditions.clone(), sort, cursor, limit: Some(500), ..ListParams::default() };
        let (page, _) = read::list(app, ctx, AUTOMATION_RUNS, &params).await?;
        out.extend(page.records);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return Ok(out),
        }
    }
}

/// A run that wrote a change: the rule and how deep in a chain it was.
async fn origin(app: &App, ctx: &Ctx, entry: &FeedEntry) -> Result<Option<(Uuid, i64)>, AppError> {
    let Some(tx) = entry.tx_id else { return Ok(None) };
    let params = ListParams { conditions: vec![Expr::eq("tx_id", tx)], limit: Some(1), ..ListParams::default() };
    let (page, _) = read::list(app, ctx, AUTOMATION_RUNS, &params).await?;
    Ok(page.records.first().and_then(|run| run.values.ref_id("rule").map(|rule| (rule, int(run, "depth")))))
}

/// What a run starts for: the change at a feed position, or an occurrence
/// (a date reached, an anniversary, a schedule's firing).
#[derive(Clone, Debug, PartialEq)]
enum Occasion {
    Change(i64),
    Occurrence(String),
}

impl Occasion {
    fn of(run: &Record) -> Occasion {
        match run.values.std("feed_position") {
            FieldValue::Int(position) => Occasion::Change(*position),
            _ => Occasion::Occurrence(text(run, "occurrence").to_string()),
        }
    }

    fn set(&self, values: &mut Values) {
        match self {
            Occasion::Change(position) => values.set_std("feed_position", FieldValue::Int(*position)),
            Occasion::Occurrence(o) => values.set_std("occurrence", FieldValue::Text(o.clone())),
        }
    }
}

/// The candidates a rule may start a run on: never twice for one occasion;
/// for a sequence (a rule with a wait), not on a record with a waiting run;
/// for a rule `once_per_record`, not on a record it ever ran on. One read
/// of only the runs that can stand in the way.
async fn startable(
    app: &App,
    ctx: &Ctx,
    rule: &Record,
    candidates: Vec<(Uuid, Occasion)>,
) -> Result<Vec<(Uuid, Occasion)>, AppError> {
    if candidates.is_empty() {
        return Ok(candidates);
    }
    let once = rule.values.std("once_per_record") == &FieldValue::Bool(true);
    let sequence = is_sequence(rule);
    let mut positions = Vec::new();
    let mut occurrences = Vec::new();
    for (_, occasion) in &candidates {
        match occasion {
            Occasion::Change(p) => positions.push(Literal::Number(p.to_string())),
            Occasion::Occurrence(o) => occurrences.push(Literal::String(o.clone())),
        }
    }
    let mut in_the_way = Vec::new();
    if !positions.is_empty() {
        in_the_way.push(Expr::one_of("feed_position", positions));
    }
    if !occurrences.is_empty() {
        in_the_way.push(Expr::one_of("occurrence", occurrences));
    }
    if sequence {
        in_the_way.push(Expr::eq("status", "waiting"));
    }
    if once {
        in_the_way.push(Expr::compare("status", Op::Ne, "cut"));
    }
    let records: Vec<String> = candidates.iter().map(|(id, _)| id.to_string()).collect();
    let conditions = vec![Expr::eq("rule", rule.id.uuid()), Expr::one_of("record_id", records), Expr::Or(in_the_way)];
    let prior = runs_where(app, ctx, conditions).await?;
    Ok(candidates
        .into_iter()
        .filter(|(id, occasion)| {
            !prior.iter().any(|run| {
                let status = text(run, "status");
                text(run, "record_id") == id.to_string()
                    && (Occasion::of(run) == *occasion
                        || (once && status != "cut")
                        || (sequence && status == "waiting"))
            })
        })
        .collect())
}

fn is_sequence(rule: &Record) -> bool {
    rule.lines.as_deref().unwrap_or_default().iter().any(|s| s.values.std("action").as_text() == Some("wait"))
}

async fn handle_entry(app: &App, ctx: &Ctx, rules: &[Record], entry: &FeedEntry) -> Result<(), AppError> {
    let Some(kind) = EntityKind::from_singular(&entry.entity) else { return Ok(()) };
    stop_waiting_runs(app, ctx, rules, kind, entry).await?;
    let triggered: Vec<&Record> = rules.iter().filter(|r| triggers(r, kind, entry)).collect();
    if triggered.is_empty() {
        return Ok(());
    }
    let from = origin(app, ctx, entry).await?;
    for rule in triggered {
        // A rule's own changes do not trigger it again.
        let occasion = Occasion::Change(entry.position);
        if from.is_some_and(|(by, _)| by == rule.id.uuid())
            || startable(app, ctx, rule, vec![(entry.record_id, occasion.clone())]).await?.is_empty()
        {
            continue;
        }
        let conditions = text(rule, "conditions");
        if !conditions.trim().is_empty() && !relata_app::feed::record_passes(app, entry, conditions).await? {
            continue;
        }
        let depth = from.map_or(0, |(_, d)| d + 1);
        let mut values = run_values(rule, kind, entry.record_id, depth);
        occasion.set(&mut values);
        if depth > MAX_DEPTH {
            let detail = format!("cut: a chain of {} rules triggering each other; the limit is {MAX_DEPTH}", depth + 1);
            finished_run(app, ctx, values, "cut", &detail).await?;
            tracing::warn!(rule = %rule.id, record = %entry.record_id, "an automation chain was cut");
            continue;
        }
        start(app, ctx, rule, kind, entry.record_id, entry.op == "delete", values).await?;
    }
    Ok(())
}

/// A change to a record stops the runs waiting on it whose rule's stop
/// condition now holds, so that the record shows it at once.
async fn stop_waiting_runs(
    app: &App,
    ctx: &Ctx,
    rules: &[Record],
    kind: EntityKind,
    entry: &FeedEntry,
) -> Result<(), AppError> {
    let stoppable: Vec<&Record> = rules
        .iter()
        .filter(|r| text(r, "entity") == kind.api_name() && !text(r, "stop_when").trim().is_empty())
        .collect();
    if stoppable.is_empty() || entry.op == "create" {
        return Ok(());
    }
    let conditions = vec![Expr::eq("record_id", entry.record_id.to_string()), Expr::eq("status", "waiting")];
    let waiting = runs_where(app, ctx, conditions).await?;
    for run in waiting {
        let Some(rule) = stoppable.iter().find(|r| run.values.ref_id("rule") == Some(r.id.uuid())) else { continue };
        let plan = Plan::of_run(&run).unwrap_or_else(|| Plan::of_rule(rule));
        if entry.op == "delete" || relata_app::feed::record_passes(app, entry, &plan.stop_when).await? {
            let mut patch = Values::default();
            patch.set_std("status", FieldValue::Text("stopped".into()));
            let why = if entry.op == "delete" { "the record was deleted" } else { "the stop condition holds" };
            patch.set_std("detail", FieldValue::Text(append(text(&run, "detail"), why)));
            patch.set_std("wake_at", FieldValue::Null);
            let mut tx = app.writer(ctx).await?;
            write::update_in(&mut tx, ctx, &Schema::standard(AUTOMATION_RUNS), run.id, patch, None).await?;
            tx.commit().await?;
        }
    }
    Ok(())
}

/// What a run records when it starts: the rule and its version, the record.
pub fn run_values(rule: &Record, kind: EntityKind, record_id: Uuid, depth: i64) -> Values {
    let mut v = Values::default();
    v.set_std("rule", FieldValue::Ref(rule.id.uuid()));
    v.set_std("rule_version", FieldValue::Int(rule.version));
    v.set_std("entity", FieldValue::Text(kind.api_name().into()));
    v.set_std("record_id", FieldValue::Text(record_id.to_string()));
    v.set_std("depth", FieldValue::Int(depth));
    v
}

/// A run that did nothing (cut, failed to start), in a write of its own.
async fn finished_run(app: &App, ctx: &Ctx, mut values: Values, status: &str, detail: &str) -> Result<(), AppError> {
    values.set_std("status", FieldValue::Text(status.into()));
    values.set_std("detail", FieldValue::Text(detail.into()));
    let mut tx = app.writer(ctx).await?;
    write::create_in(&mut tx, ctx, &Schema::standard(AUTOMATION_RUNS), values).await?;
    tx.commit().await?;
    Ok(())
}

/// One step of a plan, as the rule said when the run started (its fields
/// are the rule's line fields).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Step {
    pub action: String,
    pub field: String,
    pub value: String,
    pub subject: String,
    pub template: String,
    pub assign_to: String,
    pub until_field: String,
    pub condition: String,
    pub due_in_days: i64,
    pub wait_days: i64,
    pub wait_hours: i64,
}

/// A run's copy of its rule: what it does and when it stops, kept on the
/// run as JSON.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Plan {
    pub name: String,
    pub stop_when: String,
    pub steps: Vec<Step>,
}

impl Plan {
    pub fn of_rule(rule: &Record) -> Plan {
        let steps = rule
            .lines
            .as_deref()
            .unwrap_or_default()
            .iter()
            .map(|line| {
                let set = line.values.standard.iter().filter(|(_, v)| !v.is_null());
                let object: serde_json::Map<String, Json> = set.map(|(k, v)| (k.clone(), v.to_json())).collect();
                serde_json::from_value(Json::Object(object)).unwrap_or_default()
            })
            .collect();
        Plan { name: text(rule, "name").to_string(), stop_when: text(rule, "stop_when").to_string(), steps }
    }

    fn of_run(run: &Record) -> Option<Plan> {
        serde_json::from_str(text(run, "plan")).ok()
    }
}

fn append(detail: &str, line: &str) -> String {
    if detail.is_empty() { line.to_string() } else { format!("{detail}\n{line}") }
}

/// Where a stretch of a run ended.
enum Outcome {
    Done,
    Stopped(String),
    Waiting { next: usize, wake_at: DateTime<Utc> },
}

/// Starts a run of `rule` on a record: its plan copied, its first stretch
/// run in one write. A failure is recorded as a failed run.
pub async fn start(
    app: &App,
    ctx: &Ctx,
    rule: &Record,
    kind: EntityKind,
    record_id: Uuid,
    deleted: bool,
    values: Values,
) -> Result<(), AppError> {
    let plan = Plan::of_rule(rule);
    match start_in_write(app, ctx, &plan, kind, record_id, deleted, values.clone()).await {
        Ok(()) => Ok(()),
        Err(e) => finished_run(app, ctx, values, "failed", &e.to_string()).await,
    }
}

async fn start_in_write(
    app: &App,
    ctx: &Ctx,
    plan: &Plan,
    kind: EntityKind,
    record_id: Uuid,
    deleted: bool,
    values: Values,
) -> Result<(), AppError> {
    let mut tx = app.writer(ctx).await?;
    let Some(subject) = Subject::read(&mut tx, kind.api_name(), record_id, deleted).await? else {
        return Ok(());
    };
    start_in(&mut tx, app, ctx, plan, subject, deleted, values).await?;
    tx.commit().await?;
    Ok(())
}

/// The record a run acts on, read with its type as the workspace defines
/// it (the steps may name its custom fields), once per stretch.
struct Subject {
    schema: Schema,
    record: Record,
}

impl Subject {
    /// The record `id` of the type named `entity`; `None` when either is gone.
    async fn read(tx: &mut ScopedConn, entity: &str, id: Uuid, deleted: bool) -> Result<Option<Subject>, AppError> {
        let Some(schema) = rules::target_in(tx, entity).await? else { return Ok(None) };
        let record = tx.get_record(&schema, RecordId::from_uuid(id), deleted).await?;
        Ok(record.map(|record| Subject { schema, record }))
    }
}

/// A run of `plan` on the subject recorded in `tx`, with its first stretch.
async fn start_in(
    tx: &mut ScopedConn,
    app: &App,
    ctx: &Ctx,
    plan: &Plan,
    subject: Subject,
    deleted: bool,
    mut values: Values,
) -> Result<(), AppError> {
    values.set_std("tx_id", FieldValue::Text(tx.tx_id().to_string()));
    values.set_std("plan", FieldValue::Text(serde_json::to_string(plan).unwrap_or_default()));
    values.set_std("step", FieldValue::Int(0));
    values.set_std("status", FieldValue::Text("waiting".into()));
    let run = write::create_in(tx, ctx, &Schema::standard(AUTOMATION_RUNS), values).await?;
    stretch(tx, app, ctx, plan, &run, subject, deleted, 0).await
}

/// Runs the steps from `from` in `tx` and records where the run is now.
#[allow(clippy::too_many_arguments)]
async fn stretch(
    tx: &mut ScopedConn,
    app: &App,
    ctx: &Ctx,
    plan: &Plan,
    run: &Record,
    subject: Subject,
    deleted: bool,
    from: usize,
) -> Result<(), AppError> {
    let mut notes = Vec::new();
    let outcome = steps(tx, app, ctx, plan, run, subject, deleted, from, &mut notes).await?;
    let mut patch = Values::default();
    patch.set_std("tx_id", FieldValue::Text(tx.tx_id().to_string()));
    let mut detail = text(run, "detail").to_string();
    for note in notes {
        detail = append(&detail, &note);
    }
    match outcome {
        Outcome::Done => {
            patch.set_std("status", FieldValue::Text("done".into()));
            patch.set_std("step", FieldValue::Int(plan.steps.len() as i64));
            patch.set_std("wake_at", FieldValue::Null);
        }
        Outcome::Stopped(why) => {
            patch.set_std("status", FieldValue::Text("stopped".into()));
            patch.set_std("wake_at", FieldValue::Null);
            detail = append(&detail, &why);
        }
        Outcome::Waiting { next, wake_at } => {
            patch.set_std("status", FieldValue::Text("waiting".into()));
            patch.set_std("step", FieldValue::Int(next as i64));
            patch.set_std("wake_at", FieldValue::DateTime(wake_at));
            tx.enqueue_job(resume_job(run.id, next, wake_at)).await?;
        }
    }
    if !detail.is_empty() {
        patch.set_std("detail", FieldValue::Text(detail));
    }
    write::update_in(tx, ctx, &Schema::standard(AUTOMATION_RUNS), run.id, patch, None).await?;
    Ok(())
}

/// The steps themselves, from `from` until a wait, a stop or the end.
#[allow(clippy::too_many_arguments)]
async fn steps(
    tx: &mut ScopedConn,
    app: &App,
    ctx: &Ctx,
    plan: &Plan,
    run: &Record,
    subject: Subject,
    deleted: bool,
    from: usize,
    notes: &mut Vec<String>,
) -> Result<Outcome, AppError> {
    let Subject { schema, mut record } = subject;
    let kind = record.kind;
    let now = tx.now();
    let mut i = from;
    // Every step either moves forward or ends the run: this loop ends.
    while i < plan.steps.len() {
        if !plan.stop_when.trim().is_empty()
            && record_matches_in(tx, &schema, record.id.uuid(), deleted, &plan.stop_when).await?
        {
            return Ok(Outcome::Stopped(format!("stopped before step {}: the stop condition holds", i + 1)));
        }
        let step = &plan.steps[i];
        match step.action.as_str() {
            "wait" => {
                let wake_at = wake_time(step, &schema, &record, now);
                if wake_at > now {
                    return Ok(Outcome::Waiting { next: i + 1, wake_at });
                }
            }
            "branch" => {
                if record_matches_in(tx, &schema, record.id.uuid(), deleted, &step.condition).await? {
                    match rules::branch_target(&step.value, i, plan.steps.len()) {
                        Some(Some(to)) => {
                            i = to;
                            continue;
                        }
                        _ => return Ok(Outcome::Stopped(format!("stopped by the branch at step {}", i + 1))),
                    }
                }
            }
            "update_field" if !deleted => {
                if let Some((field, value)) = rules::step_value(&schema, &step.field, &step.value) {
                    let mut patch = Values::default();
                    patch.set(field, value);
                    record = write::update_in(tx, ctx, &schema, record.id, patch, None).await?;
                }
            }
            "create_task" => {
                let mut task = Values::default();
                task.set_std("kind", FieldValue::Text("task".into()));
                task.set_std("subject", FieldValue::Text(step.subject.clone()));
                task.set_std("due_at", FieldValue::DateTime(now + Duration::days(step.due_in_days)));
                if let Some(owner) = assignee(tx, step, &record).await? {
                    task.set_std("owner", FieldValue::Ref(owner.uuid()));
                }
                let mut body = format!("Made by the automation rule \"{}\".", plan.name);
                // A sequence that wrote to the customer hands its history on.
                if plan.steps.iter().any(|s| rules::message_channel(&s.action).is_some()) {
                    body.push_str(&history(tx, &record, run).await?);
                }
                task.set_std("body", FieldValue::Text(body));
                for (link, value) in links(&schema, &record) {
                    task.set_std(&link, FieldValue::Ref(value));
                }
                write::create_in(tx, ctx, &Schema::standard(ACTIVITIES), task).await?;
            }
            "create_call" => {
                let mut call = Values::default();
                call.set_std("reason", FieldValue::Text(step.subject.clone()));
                let priority = rules::call_priority(&step.value).unwrap_or(relata_calls::DEFAULT_PRIORITY);
                call.set_std("priority", FieldValue::Int(priority));
                call.set_std("due_at", FieldValue::DateTime(now + Duration::days(step.due_in_days)));
                if let Some(owner) = assignee(tx, step, &record).await? {
                    call.set_std("owner", FieldValue::Ref(owner.uuid()));
                }
                let calls = Schema::standard(relata_calls::CALL_QUEUE_ENTRIES);
                for (link, value) in links(&schema, &record).into_iter().filter(|(l, _)| calls.field(l).is_some()) {
                    call.set_std(&link, FieldValue::Ref(value));
                }
                write::create_in(tx, ctx, &calls, call).await?;
            }
            "notify_owner" | "notify" => {
                if let Some(user) = assignee(tx, step, &record).await? {
                    let link = format!("/{}/{}", kind.api_name(), record.id);
                    use relata_app::notifications::{Text, TextArg};
                    let rule =
                        Text::Message("notify-automation-rule", vec![("rule", TextArg::Text(plan.name.clone()))]);
                    let subject = Text::Plain(&step.subject);
                    relata_app::notifications::notify_in(tx, user, "automation", subject, Some(rule), Some(&link))
                        .await?;
                }
            }
            "call_webhook" => {
                let allow = app.allow_private_webhooks.load(std::sync::atomic::Ordering::Relaxed);
                match relata_app::webhooks::check_url(&step.value, allow).await {
                    Ok(url) => {
                        let body = json!({"rule": plan.name, "run": run.id.to_string(), "entity": kind.api_name(),
                                          "record": record.to_json(&schema)});
                        let job = NewJob {
                            kind: "http.post".into(),
                            payload: json!({"url": url.to_string(), "body": body}),
                            run_at: now,
                            max_attempts: 8,
                            // A run passes each step once (branches jump forward).
                            idempotency_key: Some(format!("webhook:{}:{i}", run.id)),
                            schedule: None,
                        };
                        tx.enqueue_job(job).await?;
                    }
                    Err(e) => notes.push(format!("step {}: not called: {e}", i + 1)),
                }
            }
            action => {
                if let Some(channel) = rules::message_channel(action)
                    && let Err(e) = send(tx, ctx, step, channel, &record, Some(run.id.uuid())).await
                {
                    match e {
                        // A message that cannot be written (no address) is
                        // noted; the sequence goes on to its next step.
                        AppError::Invalid(v) => notes.push(format!("step {}: not sent: {v}", i + 1)),
                        other => return Err(other),
                    }
                }
            }
        }
        i += 1;
    }
    Ok(Outcome::Done)
}

/// When a wait step ends: a date field of the record plus the days, or now
/// plus the days and hours.
fn wake_time(step: &Step, schema: &Schema, record: &Record, now: DateTime<Utc>) -> DateTime<Utc> {
    let span = Duration::days(step.wait_days) + Duration::hours(step.wait_hours);
    if step.until_field.is_empty() {
        return now + span;
    }
    match named(schema, record, &step.until_field) {
        FieldValue::Date(d) => d.and_hms_opt(0, 0, 0).map_or(now, |t| t.and_utc()) + span,
        FieldValue::DateTime(t) => *t + span,
        // No date: nothing to wait for.
        _ => now,
    }
}

/// A message step: a message from the template (the variant in the
/// contact's language is the channels module's choice), to the record's
/// contact (or account), about the record, from the run (none: a preview).
async fn send(
    tx: &mut ScopedConn,
    ctx: &Ctx,
    step: &Step,
    channel: &str,
    record: &Record,
    run: Option<Uuid>,
) -> Result<Record, AppError> {
    let template = relata_channels::template_by_key(tx, &step.template, channel).await?.ok_or_else(|| {
        relata_core::ValidationError::single(
            "template",
            "unknown_template",
            format!("no {channel} template {:?}", step.template),
        )
    })?;
    let mut message = Values::default();
    message.set_std("channel", FieldValue::Text(channel.into()));
    message.set_std("template", FieldValue::Ref(template.id.uuid()));
    match record.kind {
        k if k == CONTACTS => message.set_std("contact", FieldValue::Ref(record.id.uuid())),
        k if k == ACCOUNTS => message.set_std("account", FieldValue::Ref(record.id.uuid())),
        _ => {
            for link in ["contact", "account"] {
                if let Some(id) = record.values.ref_id(link) {
                    message.set_std(link, FieldValue::Ref(id));
                }
            }
        }
    }
    if record.kind != CONTACTS && record.kind != ACCOUNTS {
        message.set_std("about_entity", FieldValue::Text(record.kind.api_name().into()));
        message.set_std("about_id", FieldValue::Text(record.id.to_string()));
    }
    if let Some(run) = run {
        message.set_std("automation_run", FieldValue::Text(run.to_string()));
    }
    if let Some(owner) = record.values.ref_id("owner") {
        message.set_std("owner", FieldValue::Ref(owner));
    }
    write::create_in(tx, ctx, &Schema::standard(relata_channels::MESSAGES), message).await
}

/// The records of `schema`'s type `parts` select, read in `tx`.
async fn every_where(
    tx: &mut ScopedConn,
    schema: &Schema,
    parts: Vec<Expr>,
) -> Result<Vec<Record>, relata_store::StoreError> {
    let parse = relata_core::value::ParseContext { phone_region: None, currencies: Vec::new() };
    let cx = relata_core::filter::CompileContext::relata(&parse);
    let filter = relata_core::filter::compile(&Expr::all(parts), schema, &cx)
        .map_err(|e| relata_store::StoreError::Corrupt(e.to_string()))?;
    read::every_in(tx, schema, filter).await
}

/// The messages this run sent about the record, for the task that hands
/// the case on (the dunning ladder's last step: the whole history).
async fn history(tx: &mut ScopedConn, record: &Record, run: &Record) -> Result<String, AppError> {
    let schema = Schema::standard(relata_channels::MESSAGES);
    let mut messages = every_where(tx, &schema, vec![Expr::eq("automation_run", run.id.to_string())]).await?;
    let mut lines = vec![format!("\n\nHistory of {} {}:", record.kind.def().label, record.id)];
    messages.sort_by_key(|m| m.created_at);
    for m in &messages {
        lines.push(format!(
            "- {} {}: {} ({}{})",
            m.created_at.format("%Y-%m-%d"),
            text(m, "channel"),
            text(m, "subject"),
            text(m, "status"),
            if text(m, "error").is_empty() { String::new() } else { format!(": {}", text(m, "error")) }
        ));
    }
    if messages.is_empty() {
        lines.push("- no messages".into());
    }
    Ok(lines.join("\n"))
}

/// Whom a step's task, call or notification is for (see
/// [`rules::check`]); a team's members take turns.
async fn assignee(tx: &mut ScopedConn, step: &Step, record: &Record) -> Result<Option<UserId>, AppError> {
    let owner_of = |r: &Record| r.values.ref_id("owner").map(UserId::from_uuid);
    let spec = step.assign_to.trim();
    Ok(match spec {
        "" | "owner" => owner_of(record),
        "account_owner" => {
            let account =
                if record.kind == ACCOUNTS { Some(record.id.uuid()) } else { record.values.ref_id("account") };
            match account {
                Some(a) => tx
                    .get_record(&Schema::standard(ACCOUNTS), RecordId::from_uuid(a), false)
                    .await?
                    .as_ref()
                    .and_then(owner_of),
                None => None,
            }
            .or_else(|| owner_of(record))
        }
        _ => match spec.strip_prefix("team:") {
            Some(team) => next_in_team(tx, team.trim()).await?.or_else(|| owner_of(record)),
            None => {
                let email = spec.strip_prefix("user:").unwrap_or(spec);
                let members = tx.member_list().await?;
                members.iter().find(|m| m.active && m.user.email.eq_ignore_ascii_case(email)).map(|m| m.user.id)
            }
        },
    })
}

/// The next member of a team in turn, the turn kept as a workspace setting.
async fn next_in_team(tx: &mut ScopedConn, name: &str) -> Result<Option<UserId>, AppError> {
    let Some(team) = tx.teams().await?.into_iter().find(|t| t.name.eq_ignore_ascii_case(name)) else { return Ok(None) };
    let active: Vec<UserId> = tx.member_list().await?.into_iter().filter(|m| m.active).map(|m| m.user.id).collect();
    let mut members: Vec<UserId> = tx
        .team_memberships()
        .await?
        .into_iter()
        .filter(|(t, m)| *t == team.id && active.contains(&m.user))
        .map(|(_, m)| m.user)
        .collect();
    members.sort_by_key(|u| u.uuid());
    if members.is_empty() {
        return Ok(None);
    }
    let key = format!("automation.round_robin.{}", team.id);
    let turn = tx.setting(&key).await?.and_then(|v| v.as_u64()).unwrap_or(0);
    tx.put_setting(&key, &json!(turn + 1)).await?;
    Ok(Some(members[(turn % members.len() as u64) as usize]))
}

/// What a task about a record links to: the record itself where
/// activities can point at its type (an opportunity, a lead, an account),
/// and the account and contact it names.
fn links(schema: &Schema, record: &Record) -> Vec<(String, Uuid)> {
    let kind = schema.kind;
    let activities = Schema::standard(ACTIVITIES);
    let mut out: Vec<(String, Uuid)> = activities
        .fields()
        .filter(|f| f.ty == FieldType::Relation(Target::Entity(kind)) && f.is_writable() && !f.system)
        .map(|f| (f.id.to_string(), record.id.uuid()))
        .collect();
    for link in ["account", "contact"] {
        if let Some(to) = record.values.ref_id(link)
            && activities.field(link).is_some()
            && !out.iter().any(|(f, _)| f == link)
        {
            out.push((link.to_string(), to));
        }
    }
    // A custom object names its people and companies by fields of its own
    // (a vehicle's `driver`): the first of each type an activity can link to.
    if kind.is_custom() {
        for field in schema.fields() {
            let FieldType::Relation(Target::Entity(target)) = &field.ty else { continue };
            let Some(link) = activities
                .fields()
                .find(|f| f.ty == FieldType::Relation(Target::Entity(*target)) && f.is_writable() && !f.system)
            else {
                continue;
            };
            if let Some(to) = record.values.get(field).as_ref_id()
                && !out.iter().any(|(f, _)| f == link.id.as_ref())
            {
                out.push((link.id.to_string(), to));
            }
        }
    }
    out
}

/// `automation.resume`: wakes a waiting run at its step. A paused rule's
/// runs stay waiting (resuming the rule wakes them); a run that moved on
/// (a repeat of this job) is left alone.
pub struct ResumeJob;

impl JobHandler for ResumeJob {
    fn kind(&self) -> &'static str {
        RESUME_JOB
    }

    fn run<'a>(&'a self, app: &'a App, job: &'a Job) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move {
            let ws = relata_app::jobs::workspace_of(app, job).await?;
            let ctx = Ctx::new(ws, None);
            let run_id = job
                .payload
                .get("run")
                .and_then(Json::as_str)
                .and_then(|s| Uuid::parse_str(s).ok())
                .ok_or_else(|| JobError::Fail("payload.run: a run id".into()))?;
            let step = job.payload.get("step").and_then(Json::as_i64).unwrap_or(-1);
            resume(app, &ctx, run_id, step).await.map_err(|e| JobError::Retry(e.to_string()))
        })
    }
}

/// Wakes a run waiting at `step`.
pub async fn resume(app: &App, ctx: &Ctx, run_id: Uuid, step: i64) -> Result<(), AppError> {
    let runs = Schema::standard(AUTOMATION_RUNS);
    let mut tx = app.writer(ctx).await?;
    let Some(run) = tx.get_record(&runs, RecordId::from_uuid(run_id), false).await? else { return Ok(()) };
    if text(&run, "status") != "waiting" || int(&run, "step") != step {
        return Ok(());
    }
    let Some(rule_id) = run.values.ref_id("rule") else { return Ok(()) };
    let rule = tx.get_record(&Schema::standard(AUTOMATION_RULES), RecordId::from_uuid(rule_id), false).await?;
    if rule.as_ref().is_some_and(|r| r.values.std("active") == &FieldValue::Bool(false)) {
        return Ok(());
    }
    let plan = Plan::of_run(&run).unwrap_or_default();
    let subject = match Uuid::parse_str(text(&run, "record_id")) {
        Ok(id) => Subject::read(&mut tx, text(&run, "entity"), id, false).await?,
        Err(_) => None,
    };
    let outcome = match subject {
        None => {
            let mut patch = Values::default();
            patch.set_std("status", FieldValue::Text("stopped".into()));
            patch.set_std("wake_at", FieldValue::Null);
            patch.set_std("detail", FieldValue::Text(append(text(&run, "detail"), "the record is gone")));
            write::update_in(&mut tx, ctx, &runs, run.id, patch, None).await.map(drop)
        }
        Some(subject) => stretch(&mut tx, app, ctx, &plan, &run, subject, false, step.max(0) as usize).await,
    };
    match outcome {
        Ok(()) => {
            tx.commit().await?;
            Ok(())
        }
        Err(e) => {
            drop(tx);
            let mut patch = Values::default();
            patch.set_std("status", FieldValue::Text("failed".into()));
            patch.set_std("detail", FieldValue::Text(append(text(&run, "detail"), &e.to_string())));
            let mut tx = app.writer(ctx).await?;
            write::update_in(&mut tx, ctx, &runs, run.id, patch, None).await?;
            tx.commit().await?;
            Ok(())
        }
    }
}

/// Wakes the runs of a rule that were left waiting while it was paused
/// (in the rule's save, when it is resumed): each gets a resume job at its
/// own time, or now when that has passed.
pub async fn wake_paused(tx: &mut ScopedConn, rule: &Record) -> Result<(), relata_store::StoreError> {
    let runs = Schema::standard(AUTOMATION_RUNS);
    let waiting = vec![Expr::eq("rule", rule.id.uuid()), Expr::eq("status", "waiting")];
    let now = tx.now();
    for run in every_where(tx, &runs, waiting).await? {
        let step = int(&run, "step");
        let wake_at = match run.values.std("wake_at") {
            FieldValue::DateTime(t) => (*t).max(now),
            _ => now,
        };
        // Keyed by the rule's version too: the wait's own job was used.
        let key = Some(format!("resume:{}:{step}:v{}", run.id, rule.version));
        tx.enqueue_job(NewJob { idempotency_key: key, ..resume_job(run.id, step.max(0) as usize, wake_at) }).await?;
    }
    Ok(())
}

/// The daily pass of date and anniversary rules: each active rule acts once
/// on every record whose date (plus the rule's days) has come, or whose
/// anniversary is today, from the day the rule was made on (so a new rule
/// does not act on the whole past). Returns how many runs it started.
pub async fn date_pass(app: &App, ctx: &Ctx) -> Result<u64, AppError> {
    let today = app.store.now().date_naive();
    let mut made = 0;
    for rule in active_rules(app, ctx).await? {
        let event = text(&rule, "event");
        if event != "date_reached" && event != "anniversary" {
            continue;
        }
        let Some(schema) = target_of(app, ctx, text(&rule, "entity")).await? else { continue };
        let kind = schema.kind;
        let (field, offset) = (text(&rule, "date_field"), int(&rule, "offset_days"));
        let mut cursor = None;
        loop {
            // In id order, along the primary key: many records share a due
            // date, and a page after one of them would scan them all.
            let params =
                ListParams { filter: due_filter(&rule, today), cursor, limit: Some(500), ..ListParams::default() };
            let (page, _) = read::list(app, ctx, kind, &params).await?;
            let candidates: Vec<(Uuid, Occasion)> = page
                .records
                .iter()
                .filter_map(|r| occurrence(event, named(&schema, r, field), offset, today).map(|o| (r.id.uuid(), o)))
                .map(|(id, o)| (id, Occasion::Occurrence(o)))
                .collect();
            made += start_occurrences(app, ctx, &rule, kind, candidates).await?;
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
    }
    Ok(made)
}

/// The records a rule acts on now, as a filter: for a date rule, those whose
/// date plus the rule's days has come, from the day the rule was made on;
/// for an anniversary, those with a date (the day is checked by
/// [`occurrence`]); and the rule's conditions. `None`: every record.
fn due_filter(rule: &Record, today: NaiveDate) -> Option<String> {
    let field = text(rule, "date_field");
    let offset = Duration::days(int(rule, "offset_days"));
    let due = match text(rule, "event") {
        "date_reached" => {
            let (reached, since) = (today - offset, rule.created_at.date_naive() - offset);
            Some(format!("{field} <= \"{reached}\" and {field} >= \"{since}\""))
        }
        "anniversary" => Some(format!("{field} is not null")),
        _ => None,
    };
    match (due, text(rule, "conditions").trim()) {
        (due, "") => due,
        (None, conditions) => Some(conditions.to_string()),
        (Some(due), conditions) => Some(format!("({due}) and ({conditions})")),
    }
}

/// What a date rule's run on a record is for: the date itself (a date
/// reached), or this year's anniversary when it is today (29 February
/// falls on 28 February in other years); `None` when nothing is due.
fn occurrence(event: &str, value: &FieldValue, offset: i64, today: NaiveDate) -> Option<String> {
    let date = match value {
        FieldValue::Date(d) => *d,
        FieldValue::DateTime(t) => t.date_naive(),
        _ => return None,
    };
    if event == "date_reached" {
        return Some(value.to_csv());
    }
    let day = today - Duration::days(offset);
    let this_year = NaiveDate::from_ymd_opt(day.year(), date.month(), date.day())
        .or_else(|| NaiveDate::from_ymd_opt(day.year(), 2, 28))?;
    (this_year == day && date < day).then(|| this_year.to_string())
}

/// Starts a run for each candidate the rule may start one on (see
/// [`startable`]); returns how many it started. The runs of a page are
/// written together, in multi-row statements, each waiting at its first
/// step with a resume job due now: deciding is set-based, and the steps
/// (templates merged, messages queued) run in the jobs, a record's failure
/// its run's alone. When the page's write fails, each run starts in a
/// write of its own.
async fn start_occurrences(
    app: &App,
    ctx: &Ctx,
    rule: &Record,
    kind: EntityKind,
    candidates: Vec<(Uuid, Occasion)>,
) -> Result<u64, AppError> {
    let todo = startable(app, ctx, rule, candidates).await?;
    if todo.is_empty() {
        return Ok(0);
    }
    let values = |id: Uuid, occasion: &Occasion| {
        let mut values = run_values(rule, kind, id, 0);
        occasion.set(&mut values);
        values
    };
    let plan = serde_json::to_string(&Plan::of_rule(rule)).unwrap_or_default();
    let together = async {
        let mut tx = app.writer(ctx).await?;
        let now = tx.now();
        let rows = todo
            .iter()
            .map(|(id, occasion)| {
                let mut run = values(*id, occasion);
                run.set_std("tx_id", FieldValue::Text(tx.tx_id().to_string()));
                run.set_std("plan", FieldValue::Text(plan.clone()));
                run.set_std("step", FieldValue::Int(0));
                run.set_std("status", FieldValue::Text("waiting".into()));
                run.set_std("wake_at", FieldValue::DateTime(now));
                run
            })
            .collect();
        let (made, refused) = write::create_many_in(&mut tx, ctx, &Schema::standard(AUTOMATION_RUNS), rows).await?;
        if let Some((_, errors)) = refused.into_iter().next() {
            return Err(ValidationError { errors }.into());
        }
        let jobs: Vec<NewJob> = made.iter().map(|run| resume_job(run.id, 0, now)).collect();
        tx.enqueue_jobs(&jobs).await?;
        tx.commit().await?;
        Ok::<u64, AppError>(made.len() as u64)
    }
    .await;
    match together {
        Ok(made) => Ok(made),
        Err(e) => {
            tracing::info!(rule = %rule.id, error = %e, "a page of runs failed together; each runs alone");
            for (id, occasion) in &todo {
                start(app, ctx, rule, kind, *id, false, values(*id, occasion)).await?;
            }
            Ok(todo.len() as u64)
        }
    }
}

/// The job that wakes run `run` at `step` at `at` (once per run and step).
fn resume_job(run: RecordId, step: usize, at: DateTime<Utc>) -> NewJob {
    NewJob {
        kind: RESUME_JOB.into(),
        payload: json!({"run": run.to_string(), "step": step}),
        run_at: at,
        max_attempts: 8,
        idempotency_key: Some(format!("resume:{run}:{step}")),
        schedule: None,
    }
}

/// `automation.scheduled`: a schedule rule's firing: a run on every record
/// its conditions select now (one per record and firing).
pub struct ScheduledJob;

impl JobHandler for ScheduledJob {
    fn kind(&self) -> &'static str {
        SCHEDULED_JOB
    }

    fn enqueued_by_administrators(&self) -> bool {
        true
    }

    fn run<'a>(&'a self, app: &'a App, job: &'a Job) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move {
            let ws = relata_app::jobs::workspace_of(app, job).await?;
            let ctx = Ctx::new(ws, None);
            let rule_id = job
                .payload
                .get("rule")
                .and_then(Json::as_str)
                .and_then(|s| Uuid::parse_str(s).ok())
                .ok_or_else(|| JobError::Fail("payload.rule: a rule id".into()))?;
            scheduled_pass(app, &ctx, rule_id, &job.id.to_string())
                .await
                .map(drop)
                .map_err(|e| JobError::Retry(e.to_string()))
        })
    }
}

/// One firing of a schedule rule, named by `firing` (its job) so that a
/// repeat of the job starts nothing twice. Returns how many runs started.
pub async fn scheduled_pass(app: &App, ctx: &Ctx, rule_id: Uuid, firing: &str) -> Result<u64, AppError> {
    let Ok((rule, _)) = read::get(app, ctx, AUTOMATION_RULES, RecordId::from_uuid(rule_id), false).await else {
        return Ok(0);
    };
    if rule.values.std("active") != &FieldValue::Bool(true) || text(&rule, "event") != "schedule" {
        return Ok(0);
    }
    let Some(kind) = target_of(app, ctx, text(&rule, "entity")).await?.map(|s| s.kind) else { return Ok(0) };
    let conditions = text(&rule, "conditions").trim().to_string();
    let mut made = 0;
    let mut cursor = None;
    loop {
        let filter = (!conditions.is_empty()).then(|| conditions.clone());
        let params = ListParams { filter, cursor, limit: Some(500), ..ListParams::default() };
        let (page, _) = read::list(app, ctx, kind, &params).await?;
        let candidates: Vec<(Uuid, Occasion)> =
            page.records.iter().map(|r| (r.id.uuid(), Occasion::Occurrence(firing.to_string()))).collect();
        made += start_occurrences(app, ctx, &rule, kind, candidates).await?;
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return Ok(made),
        }
    }
}

/// A schedule rule's schedule: made or changed with the rule (enabled while
/// it is active and a schedule rule), in the rule's write.
pub async fn sync_schedule(tx: &mut ScopedConn, rule: &Record, gone: bool) -> Result<(), relata_store::StoreError> {
    let name = format!("automation_rule_{}", rule.id.uuid().simple());
    let existing = tx.schedules().await?.into_iter().find(|s| s.name == name);
    let is_schedule = text(rule, "event") == "schedule" && !gone;
    if !is_schedule && existing.is_none() {
        return Ok(());
    }
    let cron = text(rule, "cron").trim().to_string();
    let zone = match text(rule, "time_zone").trim() {
        "" => "UTC".to_string(),
        z => z.to_string(),
    };
    let next = relata_app::jobs::next_firing(&cron, &zone, tx.now()).ok();
    let enabled = is_schedule && rule.values.std("active") == &FieldValue::Bool(true) && next.is_some();
    let schedule = relata_store::jobs::Schedule {
        workspace: tx.workspace(),
        id: existing.as_ref().map_or_else(Uuid::now_v7, |s| s.id),
        name,
        kind: SCHEDULED_JOB.into(),
        payload: json!({"rule": rule.id.to_string()}),
        cron: if cron.is_empty() {
            existing.as_ref().map(|s| s.cron.clone()).unwrap_or_else(|| "0 0 0 * * *".into())
        } else {
            cron
        },
        time_zone: zone,
        next_run_at: next.unwrap_or_else(|| tx.now()),
        enabled,
    };
    tx.put_schedule(&schedule).await
}

/// What a rule would do now, without doing it: the records it would start
/// runs on (date rules: those due today; schedule rules and others: those
/// its conditions select), and per record the first messages it would
/// write, merged. At most `limit` records.
pub async fn dry_run(app: &App, ctx: &Ctx, rule: &Record, limit: u64) -> Result<Json, AppError> {
    let Some(target) = target_of(app, ctx, text(rule, "entity")).await? else {
        return Ok(json!({"records": [], "count": 0}));
    };
    let kind = target.kind;
    let event = text(rule, "event");
    let today = app.store.now().date_naive();
    let (field, offset) = (text(rule, "date_field"), int(rule, "offset_days"));
    let filter = due_filter(rule, today);
    let plan = Plan::of_rule(rule);
    let mut out = Vec::new();
    let mut cursor = None;
    let mut count = 0u64;
    let schemas = app.schemas_for(ctx).await?;
    loop {
        let params = ListParams { filter: filter.clone(), cursor, limit: Some(500), ..ListParams::default() };
        let (page, _) = read::list(app, ctx, kind, &params).await?;
        for record in &page.records {
            if event == "anniversary" && occurrence(event, named(&target, record, field), offset, today).is_none() {
                continue;
            }
            count += 1;
            if (out.len() as u64) < limit {
                let (full, _) = read::get(app, ctx, kind, record.id, false).await?;
                let messages = preview_messages(app, ctx, &plan, &full).await?;
                let schema = schemas.get(kind);
                out.push(json!({"record": full.to_json(schema), "title": schema.title(&full), "messages": messages}));
            }
        }
        match page.next_cursor {
            Some(next) if count < 100_000 => cursor = Some(next),
            _ => break,
        }
    }
    let steps: Vec<String> =
        plan.steps.iter().enumerate().map(|(i, s)| format!("{}. {}", i + 1, describe(s))).collect();
    Ok(json!({"count": count, "records": out, "steps": steps}))
}

/// The messages a plan would write for a record, merged as the channels
/// module would (in a write that is rolled back).
async fn preview_messages(app: &App, ctx: &Ctx, plan: &Plan, record: &Record) -> Result<Vec<Json>, AppError> {
    let mut out = Vec::new();
    let mut tx = app.writer(ctx).await?;
    for (i, step) in plan.steps.iter().enumerate() {
        let Some(channel) = rules::message_channel(&step.action) else { continue };
        out.push(match send(&mut tx, ctx, step, channel, record, None).await {
            Ok(m) => json!({"step": i + 1, "channel": channel, "to": text(&m, "to_address"),
                            "language": text(&m, "language"), "subject": text(&m, "subject"), "body": text(&m, "body")}),
            Err(AppError::Invalid(v)) => json!({"step": i + 1, "channel": channel, "error": v.to_string()}),
            Err(e) => return Err(e),
        });
    }
    // Nothing of the preview is kept.
    drop(tx);
    Ok(out)
}

/// A step in words, for the dry run's API answer (in English, fields and
/// actions by id).
fn describe(step: &Step) -> String {
    step.words().in_words(relata_i18n::Tr::new(relata_i18n::Language::En), |_, value| value.to_string())
}

/// What a step does, as a catalogue message and its arguments, so that each
/// reader reads it in their language: `field` and `until` name fields of
/// the rule's type and `action` an action (by id: pages show their labels).
pub struct StepWords {
    pub message: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl StepWords {
    /// The step in `tr`'s language, each argument as `shown` gives it from
    /// its name and value (a field's or an action's label for a reader).
    pub fn in_words(&self, tr: relata_i18n::Tr, shown: impl Fn(&str, &str) -> String) -> String {
        let args: Vec<(&str, relata_i18n::Arg)> =
            self.args.iter().map(|(name, value)| (*name, shown(name, value).into())).collect();
        tr.t_with(self.message, &args)
    }
}

impl Step {
    pub fn words(&self) -> StepWords {
        let (message, args): (&'static str, Vec<(&'static str, String)>) = match self.action.as_str() {
            "wait" if !self.until_field.is_empty() => (
                "rule-step-wait-until",
                vec![("until", self.until_field.clone()), ("days", self.wait_days.to_string())],
            ),
            "wait" => {
                ("rule-step-wait", vec![("days", self.wait_days.to_string()), ("hours", self.wait_hours.to_string())])
            }
            "branch" if self.value == "stop" => ("rule-step-branch-stop", vec![("condition", self.condition.clone())]),
            "branch" => ("rule-step-branch", vec![("condition", self.condition.clone()), ("step", self.value.clone())]),
            "update_field" => ("rule-step-set", vec![("field", self.field.clone()), ("value", self.value.clone())]),
            a if rules::message_channel(a).is_some() => {
                ("rule-step-send", vec![("action", a.to_string()), ("template", self.template.clone())])
            }
            a => ("rule-step-other", vec![("action", a.to_string()), ("subject", self.subject.clone())]),
        };
        StepWords { message, args }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anniversaries_fall_on_their_day_and_leap_days_on_28_february() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let birthday = FieldValue::Date(day(1980, 12, 4));
        assert_eq!(occurrence("anniversary", &birthday, 0, day(2026, 12, 4)).as_deref(), Some("2026-12-04"));
        assert_eq!(occurrence("anniversary", &birthday, 0, day(2026, 12, 5)), None);
        // A card posted three days ahead: the rule's offset is -3.
        assert_eq!(occurrence("anniversary", &birthday, -3, day(2026, 12, 1)).as_deref(), Some("2026-12-04"));
        let leap = FieldValue::Date(day(1992, 2, 29));
        assert_eq!(occurrence("anniversary", &leap, 0, day(2027, 2, 28)).as_deref(), Some("2027-02-28"));
        // Born today: no anniversary yet.
        assert_eq!(occurrence("anniversary", &FieldValue::Date(day(2026, 12, 4)), 0, day(2026, 12, 4)), None);
    }

    #[test]
    fn branches_only_jump_forward() {
        assert_eq!(rules::branch_target("stop", 0, 5), Some(None));
        assert_eq!(rules::branch_target("3", 0, 5), Some(Some(2)));
        assert_eq!(rules::branch_target("2", 0, 5), None, "the next step is no jump");
        assert_eq!(rules::branch_target("1", 2, 5), None, "backwards could loop");
        assert_eq!(rules::branch_target("6", 0, 5), None);
        assert_eq!(rules::branch_target("soon", 0, 5), None);
    }
}
