//! Sales: leads and their conversion, opportunities moving through
//! pipelines (with every stage change recorded), and the pipeline forecast.

pub mod convert;
pub mod demo;
mod entities;
pub mod forecast;
pub mod lead;
pub mod opportunity;
pub mod pipeline;
pub mod quota;
pub mod team;

pub use entities::*;

use relata_app::error::AppError;
use relata_app::module::{BoxFuture, Extension, Module, TimelineSource};
use relata_app::{App, Ctx};
use relata_core::Record;
use relata_core::meta::EntityDef;
use relata_store::admin::Workspace;
use relata_store::{ScopedConn, StoreError};
use std::sync::Arc;

/// The module.
pub struct Sales;

impl Module for Sales {
    fn name(&self) -> &'static str {
        "sales"
    }

    /// An account brings its open opportunities.
    fn sync_related(&self) -> Vec<relata_app::sync::Related> {
        vec![relata_app::sync::Related {
            parent: "accounts",
            child: OPPORTUNITIES,
            via: "account",
            filter: Some(r#"status = "open""#),
            recent: None,
        }]
    }

    fn entities(&self) -> Vec<EntityDef> {
        vec![lead(), opportunity(), pipeline(), quota()]
    }

    fn migrations(&self) -> Vec<relata_store::migrate::ModuleMigration> {
        vec![relata_store::migrate::ModuleMigration {
            version: 1,
            name: "quotas",
            sqlite: include_str!("../migrations/sqlite/0001_quotas.sql"),
            postgres: include_str!("../migrations/postgres/0001_quotas.sql"),
        }]
    }

    fn extensions(&self) -> Vec<Extension> {
        vec![activity_links()]
    }

    fn before_save<'a>(
        &'a self,
        tx: &'a mut ScopedConn,
        _ctx: &'a Ctx,
        old: Option<&'a Record>,
        new: &'a mut Record,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            if new.kind == PIPELINES {
                pipeline::before_save(tx, old, new).await
            } else if new.kind == OPPORTUNITIES {
                opportunity::before_save(tx, old, new).await
            } else if new.kind == QUOTAS {
                quota::before_save(new)
            } else {
                Ok(())
            }
        })
    }

    fn after_save<'a>(
        &'a self,
        tx: &'a mut ScopedConn,
        ctx: &'a Ctx,
        old: Option<&'a Record>,
        new: &'a Record,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            if new.kind == OPPORTUNITIES {
                opportunity::after_save(tx, old, new, ctx.actor).await?;
            }
            Ok(())
        })
    }

    fn after_insert_many<'a>(
        &'a self,
        tx: &'a mut ScopedConn,
        ctx: &'a Ctx,
        records: &'a [Record],
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let changes: Vec<_> = records
                .iter()
                .filter(|r| r.kind == OPPORTUNITIES)
                .filter_map(|r| opportunity::stage_change(None, r, ctx.actor))
                .collect();
            tx.insert_stage_changes(&changes).await
        })
    }

    fn timeline_sources(&self) -> Vec<Arc<dyn TimelineSource>> {
        vec![Arc::new(opportunity::StageChanges)]
    }

    /// The whole sales story: reps, accounts and their people (the crm
    /// module's types), leads, two pipelines of opportunities with their
    /// stage histories, and two years of calls, meetings, emails and notes.
    fn demo_data<'a>(
        &'a self,
        app: &'a App,
        ctx: &'a Ctx,
        plan: &'a relata_app::module::DemoPlan,
        progress: relata_app::module::DemoProgress<'a>,
    ) -> BoxFuture<'a, Result<relata_app::module::DemoCounts, AppError>> {
        Box::pin(async move { Ok(demo::load(app, ctx, plan, progress).await?.counts()) })
    }

    fn setup_workspace<'a>(&'a self, app: &'a App, ws: &'a Workspace) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(pipeline::ensure_default_pipeline(app, ws))
    }
}

/// Installs the modules sales needs (crm and sales) for unit tests.
#[cfg(test)]
pub(crate) fn install_for_tests() {
    relata_app::module::install(vec![Arc::new(relata_crm::Crm), Arc::new(Sales)]);
}
