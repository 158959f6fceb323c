//! The customer records every other module builds on: accounts (companies,
//! in hierarchies), contacts (people) and activities (calls, meetings,
//! emails, tasks, notes, letters, text messages): the episodes of a
//! customer's story.

pub mod calendar;
mod entities;
mod rules;

pub use entities::*;

use relata_app::module::{BoxFuture, Module};
use relata_core::Record;
use relata_core::meta::EntityDef;
use relata_store::{ScopedConn, StoreError};

/// The module.
pub struct Crm;

impl Module for Crm {
    fn name(&self) -> &'static str {
        "crm"
    }

    /// An account brings its contacts and the last 90 days' activities; a
    /// contact its activities of the last 90 days.
    fn sync_related(&self) -> Vec<relata_app::sync::Related> {
        use relata_app::sync::Related;
        let recent = Some(("occurred_at", 90));
        vec![
            Related { parent: "accounts", child: CONTACTS, via: "account", filter: None, recent: None },
            Related { parent: "accounts", child: ACTIVITIES, via: "account", filter: None, recent },
            Related { parent: "contacts", child: ACTIVITIES, via: "contact", filter: None, recent },
        ]
    }

    fn entities(&self) -> Vec<EntityDef> {
        vec![account(), contact(), activity()]
    }

    fn job_handlers(&self) -> Vec<std::sync::Arc<dyn relata_app::jobs::JobHandler>> {
        vec![std::sync::Arc::new(calendar::ReminderJob)]
    }

    /// An activity with a moment reminds its owner before it.
    fn after_save<'a>(
        &'a self,
        tx: &'a mut ScopedConn,
        _ctx: &'a relata_app::Ctx,
        _old: Option<&'a Record>,
        new: &'a Record,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(calendar::schedule_reminder(tx, new))
    }

    fn before_save<'a>(
        &'a self,
        tx: &'a mut ScopedConn,
        _ctx: &'a relata_app::Ctx,
        old: Option<&'a Record>,
        new: &'a mut Record,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            if new.kind == ACCOUNTS {
                rules::account_before_save(tx, new).await
            } else if new.kind == ACTIVITIES {
                rules::activity_before_save(tx, old, new).await
            } else {
                Ok(())
            }
        })
    }
}
