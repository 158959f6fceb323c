//! Automation: the `automation` module. A rule watches one entity type for
//! an event (created, updated, either, deleted; a date reached, an
//! anniversary; a recurring schedule in a time zone), optionally only when
//! named fields change and only for records its conditions (the list filter
//! language) select, and runs its steps (lines): update a field, create a
//! task or a call to make for the owner, a named user or a team in turn,
//! notify, send an email, an SMS or a letter from a template (through the
//! channels module), call a webhook, wait, branch. A rule with waits is a
//! sequence: one run per record that sleeps as a durable job between its
//! steps and stops by itself when the rule's stop condition holds. Changes
//! are read from the change feed by the `automation` consumer, so every
//! write path triggers rules, once per change even after a crash.
//!
//! Loops end by construction: each run writes in its own transaction and
//! records that transaction's id, so the changes a run made are known when
//! they come back through the feed. A rule is never triggered by its own
//! changes, and a chain of rules triggering each other is cut at
//! [`MAX_DEPTH`] with a run of status `cut` saying so.

pub mod builtins;
mod engine;
mod rules;

pub use engine::{AutomationConsumer, Plan, Step, StepWords, date_pass, dry_run, resume, scheduled_pass};
pub use rules::{AUTOMATION_RULES, AUTOMATION_RUNS, MAX_DEPTH};

use relata_app::error::AppError;
use relata_app::jobs::{JobError, JobHandler};
use relata_app::module::{BoxFuture, Module};
use relata_app::{App, Ctx};
use relata_core::Record;
use relata_core::meta::EntityDef;
use relata_core::value::FieldValue;
use relata_store::admin::Workspace;
use relata_store::migrate::ModuleMigration;
use relata_store::{ScopedConn, StoreError};
use std::sync::Arc;

/// The module.
pub struct Automation;

/// The daily job that runs the date rules of a workspace.
pub const DATES_JOB: &str = "automation.dates";
/// Its schedule, made for every workspace (administrators may change it).
pub const DATES_SCHEDULE: &str = "automation_dates";

impl Module for Automation {
    fn name(&self) -> &'static str {
        "automation"
    }

    fn entities(&self) -> Vec<EntityDef> {
        vec![rules::rule(), rules::run()]
    }

    fn before_save<'a>(
        &'a self,
        tx: &'a mut ScopedConn,
        _ctx: &'a Ctx,
        _old: Option<&'a Record>,
        new: &'a mut Record,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move { if new.kind == AUTOMATION_RULES { rules::check(tx, new).await } else { Ok(()) } })
    }

    fn after_save<'a>(
        &'a self,
        tx: &'a mut ScopedConn,
        _ctx: &'a Ctx,
        old: Option<&'a Record>,
        new: &'a Record,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            if new.kind != AUTOMATION_RULES {
                return Ok(());
            }
            engine::sync_schedule(tx, new, false).await?;
            let active = |r: &Record| r.values.std("active") == &FieldValue::Bool(true);
            if old.is_some_and(|o| !active(o)) && active(new) {
                engine::wake_paused(tx, new).await?;
            }
            Ok(())
        })
    }

    fn after_trash<'a>(
        &'a self,
        tx: &'a mut ScopedConn,
        _ctx: &'a Ctx,
        op: relata_app::module::TrashOp,
        record: &'a Record,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            if record.kind != AUTOMATION_RULES {
                return Ok(());
            }
            let gone = matches!(op, relata_app::module::TrashOp::Delete);
            engine::sync_schedule(tx, record, gone).await
        })
    }

    fn feed_consumers(&self) -> Vec<Arc<dyn relata_app::feed::FeedConsumer>> {
        vec![Arc::new(AutomationConsumer)]
    }

    fn job_handlers(&self) -> Vec<Arc<dyn JobHandler>> {
        vec![Arc::new(DatesJob), Arc::new(engine::ResumeJob), Arc::new(engine::ScheduledJob)]
    }

    fn setup_workspace<'a>(&'a self, app: &'a App, ws: &'a Workspace) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(async move {
            let schedules = app.store.read(ws.id).await?.schedules().await?;
            if !schedules.iter().any(|s| s.name == DATES_SCHEDULE) {
                let input = relata_app::jobs::ScheduleInput {
                    kind: DATES_JOB.into(),
                    payload: serde_json::json!({}),
                    cron: "0 15 0 * * *".into(),
                    time_zone: "UTC".into(),
                    enabled: true,
                };
                relata_app::jobs::put_schedule(app, &Ctx::new(ws.clone(), None), DATES_SCHEDULE, input).await?;
            }
            seed_rules(app, ws).await
        })
    }

    fn migrations(&self) -> Vec<ModuleMigration> {
        vec![
            ModuleMigration {
                version: 1,
                name: "automation",
                sqlite: include_str!("../migrations/sqlite/0001_automation.sql"),
                postgres: include_str!("../migrations/postgres/0001_automation.sql"),
            },
            ModuleMigration {
                version: 2,
                name: "date triggers",
                sqlite: include_str!("../migrations/sqlite/0002_dates.sql"),
                postgres: include_str!("../migrations/postgres/0002_dates.sql"),
            },
            ModuleMigration {
                version: 3,
                name: "sequences",
                sqlite: include_str!("../migrations/sqlite/0003_sequences.sql"),
                postgres: include_str!("../migrations/postgres/0003_sequences.sql"),
            },
        ]
    }
}

/// The setting that says the built-in rules were made (so that one an
/// administrator deleted does not come back).
const BUILTINS_SETTING: &str = "automation.builtins";

/// Makes the built-in rules, once per workspace (after the channels
/// module's templates, which they name).
async fn seed_rules(app: &App, ws: &Workspace) -> Result<(), AppError> {
    let ctx = Ctx::new(ws.clone(), None);
    let mut tx = app.writer(&ctx).await?;
    if tx.setting(BUILTINS_SETTING).await?.is_some() {
        return Ok(());
    }
    let schema = relata_core::meta::Schema::standard(AUTOMATION_RULES);
    for rule in builtins::rules() {
        let (values, lines) = relata_app::write::parse_body(&schema, &rule, &ctx)?;
        relata_app::write::create_document_in(&mut tx, &ctx, &schema, values, lines.unwrap_or_default()).await?;
    }
    tx.put_setting(BUILTINS_SETTING, &serde_json::json!(1)).await?;
    tx.commit().await?;
    Ok(())
}

/// Runs [`date_pass`] for its workspace.
struct DatesJob;

impl JobHandler for DatesJob {
    fn kind(&self) -> &'static str {
        DATES_JOB
    }

    fn enqueued_by_administrators(&self) -> bool {
        true
    }

    fn run<'a>(&'a self, app: &'a App, job: &'a relata_store::jobs::Job) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move {
            let ws = relata_app::jobs::workspace_of(app, job).await?;
            date_pass(app, &Ctx::new(ws, None)).await.map(drop).map_err(|e| JobError::Retry(e.to_string()))
        })
    }
}
