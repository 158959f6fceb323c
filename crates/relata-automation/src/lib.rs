//! Automation: the `automation` module. A rule watches one entity type for
//! an event (created, updated, either, deleted), optionally only when named
//! fields change and only for records its conditions (the list filter
//! language) select, and runs its steps (lines): update a field of the
//! record, create a task for the record's owner, notify the owner. Rules
//! are read from the change feed by the `automation` consumer, so every
//! write path triggers them, once per change even after a crash.
//!
//! Loops end by construction: each run writes in its own transaction and
//! records that transaction's id, so the changes a run made are known when
//! they come back through the feed. A rule is never triggered by its own
//! changes, and a chain of rules triggering each other is cut at
//! [`MAX_DEPTH`] with a run of status `cut` saying so.

mod engine;
mod rules;

pub use engine::AutomationConsumer;
pub use rules::{AUTOMATION_RULES, AUTOMATION_RUNS, MAX_DEPTH};

use relata_app::Ctx;
use relata_app::module::{BoxFuture, Module};
use relata_core::Record;
use relata_core::meta::EntityDef;
use relata_store::migrate::ModuleMigration;
use relata_store::{ScopedConn, StoreError};
use std::sync::Arc;

/// The module.
pub struct Automation;

impl Module for Automation {
    fn name(&self) -> &'static str {
        "automation"
    }

    fn entities(&self) -> Vec<EntityDef> {
        vec![rules::rule(), rules::run()]
    }

    fn before_save<'a>(
        &'a self,
        _tx: &'a mut ScopedConn,
        _ctx: &'a Ctx,
        _old: Option<&'a Record>,
        new: &'a mut Record,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move { if new.kind == AUTOMATION_RULES { rules::check(new) } else { Ok(()) } })
    }

    fn feed_consumers(&self) -> Vec<Arc<dyn relata_app::feed::FeedConsumer>> {
        vec![Arc::new(AutomationConsumer)]
    }

    fn migrations(&self) -> Vec<ModuleMigration> {
        vec![ModuleMigration {
            version: 1,
            name: "automation",
            sqlite: include_str!("../migrations/sqlite/0001_automation.sql"),
            postgres: include_str!("../migrations/postgres/0001_automation.sql"),
        }]
    }
}
