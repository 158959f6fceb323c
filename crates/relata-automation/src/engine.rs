//! The `automation` feed consumer: every change of a record is matched
//! against the workspace's active rules, and each rule it triggers runs in
//! its own write, recorded as a run (with that write's id, so the changes
//! it made are recognised when they come back).

use crate::rules::{self, AUTOMATION_RULES, AUTOMATION_RUNS, MAX_DEPTH};
use relata_app::feed::FeedConsumer;
use relata_app::module::BoxFuture;
use relata_app::read::{self, ListParams};
use relata_app::{App, AppError, Ctx, write};
use relata_core::meta::{EntityKind, FieldType, Schema, Target};
use relata_core::value::{FieldValue, Values};
use relata_core::{Record, RecordId, UserId};
use relata_crm::ACTIVITIES;
use relata_store::feed::FeedEntry;
use std::collections::BTreeMap;
use uuid::Uuid;

const CONSUMER: &str = "automation";

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
async fn active_rules(app: &App, ctx: &Ctx) -> Result<Vec<Record>, AppError> {
    let params = ListParams { filter: Some("active = true".into()), limit: Some(500), ..ListParams::default() };
    let (page, _) = read::list(app, ctx, AUTOMATION_RULES, &params).await?;
    let mut out = Vec::with_capacity(page.records.len());
    for head in page.records {
        out.push(read::get(app, ctx, AUTOMATION_RULES, head.id, false).await?.0);
    }
    Ok(out)
}

fn text<'r>(record: &'r Record, field: &str) -> &'r str {
    record.values.std(field).as_text().unwrap_or_default()
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

/// A run that wrote a change: the rule and how deep in a chain it was.
async fn origin(app: &App, ctx: &Ctx, entry: &FeedEntry) -> Result<Option<(Uuid, i64)>, AppError> {
    let Some(tx) = entry.tx_id else { return Ok(None) };
    let params = ListParams { filter: Some(format!("tx_id = \"{tx}\"")), limit: Some(1), ..ListParams::default() };
    let (page, _) = read::list(app, ctx, AUTOMATION_RUNS, &params).await?;
    Ok(page.records.first().and_then(|run| {
        let depth = match run.values.std("depth") {
            FieldValue::Int(d) => *d,
            _ => 0,
        };
        run.values.ref_id("rule").map(|rule| (rule, depth))
    }))
}

async fn already_ran(app: &App, ctx: &Ctx, rule: &Record, entry: &FeedEntry) -> Result<bool, AppError> {
    let filter = format!("rule = \"{}\" and feed_position = {}", rule.id, entry.position);
    let params = ListParams { filter: Some(filter), limit: Some(1), ..ListParams::default() };
    Ok(!read::list(app, ctx, AUTOMATION_RUNS, &params).await?.0.records.is_empty())
}

async fn handle_entry(app: &App, ctx: &Ctx, rules: &[Record], entry: &FeedEntry) -> Result<(), AppError> {
    let Some(kind) = EntityKind::from_singular(&entry.entity) else { return Ok(()) };
    let triggered: Vec<&Record> = rules.iter().filter(|r| triggers(r, kind, entry)).collect();
    if triggered.is_empty() {
        return Ok(());
    }
    let from = origin(app, ctx, entry).await?;
    for rule in triggered {
        // A rule's own changes do not trigger it again.
        if from.is_some_and(|(by, _)| by == rule.id.uuid()) || already_ran(app, ctx, rule, entry).await? {
            continue;
        }
        let conditions = text(rule, "conditions");
        if !conditions.trim().is_empty() && !relata_app::feed::record_passes(app, entry, conditions).await? {
            continue;
        }
        let depth = from.map_or(0, |(_, d)| d + 1);
        if depth > MAX_DEPTH {
            let detail = format!("cut: a chain of {} rules triggering each other; the limit is {MAX_DEPTH}", depth + 1);
            record_run(app, ctx, feed_run(rule, kind, entry, depth, "cut", &detail)).await?;
            tracing::warn!(rule = %rule.id, record = %entry.record_id, "an automation chain was cut");
            continue;
        }
        let values = feed_run(rule, kind, entry, depth, "done", "");
        if let Err(e) = run_steps(app, ctx, rule, kind, entry.record_id, entry.op == "delete", values).await {
            record_run(app, ctx, feed_run(rule, kind, entry, depth, "failed", &e.to_string())).await?;
        }
    }
    Ok(())
}

/// What a run records: the rule and its version, the record, the outcome.
fn run_values(rule: &Record, kind: EntityKind, record_id: Uuid, depth: i64, status: &str, detail: &str) -> Values {
    let mut v = Values::default();
    v.set_std("rule", FieldValue::Ref(rule.id.uuid()));
    v.set_std("rule_version", FieldValue::Int(rule.version));
    v.set_std("entity", FieldValue::Text(kind.api_name().into()));
    v.set_std("record_id", FieldValue::Text(record_id.to_string()));
    v.set_std("status", FieldValue::Text(status.into()));
    v.set_std("depth", FieldValue::Int(depth));
    if !detail.is_empty() {
        v.set_std("detail", FieldValue::Text(detail.into()));
    }
    v
}

/// A run of a change from the feed.
fn feed_run(rule: &Record, kind: EntityKind, entry: &FeedEntry, depth: i64, status: &str, detail: &str) -> Values {
    let mut v = run_values(rule, kind, entry.record_id, depth, status, detail);
    v.set_std("feed_position", FieldValue::Int(entry.position));
    v
}

/// A run that did nothing (cut, failed), in a write of its own.
async fn record_run(app: &App, ctx: &Ctx, values: Values) -> Result<(), AppError> {
    let mut tx = app.writer(ctx).await?;
    write::create_in(&mut tx, ctx, &Schema::standard(AUTOMATION_RUNS), values).await?;
    tx.commit().await?;
    Ok(())
}

/// Runs a rule's steps on a record, in one write recorded as the run
/// `values` describe, with that write's id.
async fn run_steps(
    app: &App,
    ctx: &Ctx,
    rule: &Record,
    kind: EntityKind,
    record_id: Uuid,
    deleted: bool,
    mut values: Values,
) -> Result<(), AppError> {
    let schema = Schema::standard(kind);
    let id = RecordId::from_uuid(record_id);
    let mut tx = app.writer(ctx).await?;
    let Some(record) = tx.get_record(&schema, id, deleted).await? else { return Ok(()) };
    values.set_std("tx_id", FieldValue::Text(tx.tx_id().to_string()));
    write::create_in(&mut tx, ctx, &Schema::standard(AUTOMATION_RUNS), values).await?;
    let owner = record.values.ref_id("owner").map(UserId::from_uuid);
    let mut patch = Values::default();
    let now = tx.now();
    for step in record_steps(rule) {
        let field = |f: &str| step.values.std(f).as_text().unwrap_or_default().to_string();
        match field("action").as_str() {
            "update_field" => {
                if let Some((id, value)) = rules::step_value(&schema, &field("field"), &field("value")) {
                    patch.set_std(&id, value);
                }
            }
            "create_task" => {
                let mut task = Values::default();
                task.set_std("kind", FieldValue::Text("task".into()));
                task.set_std("subject", FieldValue::Text(field("subject")));
                assign(&mut task, step, now, owner);
                for (link, value) in links(kind, &record) {
                    task.set_std(&link, FieldValue::Ref(value));
                }
                write::create_in(&mut tx, ctx, &Schema::standard(ACTIVITIES), task).await?;
            }
            "create_call" => {
                let mut call = Values::default();
                call.set_std("reason", FieldValue::Text(field("subject")));
                let priority = rules::call_priority(&field("value")).unwrap_or(relata_calls::DEFAULT_PRIORITY);
                call.set_std("priority", FieldValue::Int(priority));
                assign(&mut call, step, now, owner);
                let calls = Schema::standard(relata_calls::CALL_QUEUE_ENTRIES);
                for (link, value) in links(kind, &record).into_iter().filter(|(l, _)| calls.field(l).is_some()) {
                    call.set_std(&link, FieldValue::Ref(value));
                }
                write::create_in(&mut tx, ctx, &calls, call).await?;
            }
            "notify_owner" => {
                if let Some(owner) = owner {
                    let link = format!("/{}/{}", kind.api_name(), record.id);
                    let rule_name = format!("Automation rule: {}", text(rule, "name"));
                    relata_app::notifications::notify_in(
                        &mut tx,
                        owner,
                        "automation",
                        &field("subject"),
                        Some(&rule_name),
                        Some(&link),
                    )
                    .await?;
                }
            }
            _ => {}
        }
    }
    if !patch.standard.is_empty() && !deleted {
        write::update_in(&mut tx, ctx, &schema, id, patch, None).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A task's or call's due time (the step's days from now) and owner (the
/// record's).
fn assign(
    values: &mut Values,
    step: &relata_core::document::Line,
    now: chrono::DateTime<chrono::Utc>,
    owner: Option<UserId>,
) {
    let days = match step.values.std("due_in_days") {
        FieldValue::Int(d) => *d,
        _ => 0,
    };
    values.set_std("due_at", FieldValue::DateTime(now + chrono::Duration::days(days)));
    if let Some(owner) = owner {
        values.set_std("owner", FieldValue::Ref(owner.uuid()));
    }
}

fn record_steps(rule: &Record) -> &[relata_core::document::Line] {
    rule.lines.as_deref().unwrap_or_default()
}

/// What a task about a record links to: the record itself where
/// activities can point at its type (an opportunity, a lead, an account),
/// and the account and contact it names.
fn links(kind: EntityKind, record: &Record) -> Vec<(String, Uuid)> {
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
    out
}

/// The daily pass of date rules: each active `date_reached` rule acts once
/// on every record whose date field plus the rule's days has come, from the
/// day the rule was made on (so a new rule does not act on the whole past).
/// Returns how many runs it made.
pub async fn date_pass(app: &App, ctx: &Ctx) -> Result<u64, AppError> {
    let today = app.store.now().date_naive();
    let mut made = 0;
    for rule in active_rules(app, ctx).await?.iter().filter(|r| text(r, "event") == "date_reached") {
        let Some(kind) = rules::target(text(rule, "entity")) else { continue };
        let field = text(rule, "date_field").to_string();
        let offset = match rule.values.std("offset_days") {
            FieldValue::Int(d) => *d,
            _ => 0,
        };
        let reached = today - chrono::Duration::days(offset);
        let since = rule.created_at.date_naive() - chrono::Duration::days(offset);
        let mut filter = format!("{field} <= \"{reached}\" and {field} >= \"{since}\"");
        let conditions = text(rule, "conditions");
        if !conditions.trim().is_empty() {
            filter = format!("({filter}) and ({conditions})");
        }
        let mut cursor = None;
        loop {
            let params = ListParams { filter: Some(filter.clone()), cursor, limit: Some(500), ..ListParams::default() };
            let (page, _) = read::list(app, ctx, kind, &params).await?;
            for record in &page.records {
                let occurrence = record.values.std(&field).to_csv();
                let done = format!(
                    "rule = \"{}\" and record_id = \"{}\" and occurrence = \"{occurrence}\"",
                    rule.id, record.id
                );
                let seen = ListParams { filter: Some(done), limit: Some(1), ..ListParams::default() };
                if !read::list(app, ctx, AUTOMATION_RUNS, &seen).await?.0.records.is_empty() {
                    continue;
                }
                let date_run = |status: &str, detail: &str| {
                    let mut v = run_values(rule, kind, record.id.uuid(), 0, status, detail);
                    v.set_std("occurrence", FieldValue::Text(occurrence.clone()));
                    v
                };
                if let Err(e) = run_steps(app, ctx, rule, kind, record.id.uuid(), false, date_run("done", "")).await {
                    record_run(app, ctx, date_run("failed", &e.to_string())).await?;
                }
                made += 1;
            }
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
    }
    Ok(made)
}
