//! Customer service: the `service` module. Cases (registered from the UI,
//! the API, and later inbound email and the portal) are routed to a team
//! and one of its present agents, counted against SLA policies in the
//! team's business hours, escalated when they breach, and answered by
//! email from the case; every case, reply and note is an episode on the
//! customer's timeline.

pub mod calendar;
pub mod cases;
pub mod contracts;
pub mod entities;
pub mod inbound;
pub mod kb;
pub mod merge;
pub mod report;
pub mod routing;
pub mod sla;
pub mod smtp_in;

use entities::{CASE_COMMENTS, CASES, KB_ARTICLES, SERVICE_CALENDARS, SERVICE_CONTRACTS, SLA_POLICIES};
use relata_app::Ctx;
use relata_app::module::{BoxFuture, Module};
use relata_core::Record;
use relata_core::error::ValidationError;
use relata_core::meta::EntityDef;
use relata_store::migrate::ModuleMigration;
use relata_store::{ScopedConn, StoreError};
use std::sync::Arc;

/// The module.
pub struct Service;

impl Module for Service {
    fn name(&self) -> &'static str {
        "service"
    }

    /// An account brings its open cases.
    fn sync_related(&self) -> Vec<relata_app::sync::Related> {
        vec![relata_app::sync::Related {
            parent: "accounts",
            child: entities::CASES,
            via: "account",
            filter: Some(r#"status in ("new", "open", "waiting_on_customer", "waiting_on_third_party")"#),
            recent: None,
        }]
    }

    fn entities(&self) -> Vec<EntityDef> {
        vec![
            entities::case(),
            entities::case_comment(),
            entities::service_team(),
            entities::service_calendar(),
            entities::sla_policy(),
            entities::routing_rule(),
            entities::service_contract(),
            entities::kb_article(),
            entities::held_message(),
        ]
    }

    fn before_save<'a>(
        &'a self,
        tx: &'a mut ScopedConn,
        ctx: &'a Ctx,
        old: Option<&'a Record>,
        new: &'a mut Record,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            match new.kind {
                CASES => cases::before_save(tx, ctx, old, new).await,
                CASE_COMMENTS => cases::before_save_comment(tx, ctx, old, new).await,
                SERVICE_CONTRACTS => contracts::check(new),
                KB_ARTICLES => {
                    let now = tx.now();
                    kb::before_save(ctx, old, new, now)
                }
                SERVICE_CALENDARS => match sla::calendar_of(new) {
                    Ok(_) => Ok(()),
                    Err(errors) => Err(StoreError::Invalid(ValidationError { errors })),
                },
                _ => Ok(()),
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
            match new.kind {
                CASES => cases::after_save(tx, ctx, old, new).await,
                CASE_COMMENTS => cases::after_save_comment(tx, ctx, old, new).await,
                SERVICE_CONTRACTS => contracts::plan_renewal(tx, new).await,
                // Every worked case's due times may move.
                SERVICE_CALENDARS | SLA_POLICIES if old.is_some() => {
                    let now = tx.now();
                    tx.enqueue_jobs(&[sla::everything_job(new, now)]).await
                }
                _ => Ok(()),
            }
        })
    }

    fn job_handlers(&self) -> Vec<Arc<dyn relata_app::jobs::JobHandler>> {
        vec![Arc::new(sla::SlaJob), Arc::new(inbound::MailJob), Arc::new(contracts::RenewalJob)]
    }

    fn migrations(&self) -> Vec<ModuleMigration> {
        vec![
            ModuleMigration {
                version: 1,
                name: "cases",
                sqlite: include_str!("../migrations/sqlite/0001_service.sql"),
                postgres: include_str!("../migrations/postgres/0001_service.sql"),
            },
            ModuleMigration {
                version: 2,
                name: "held mail, routing by coverage, reply templates",
                sqlite: include_str!("../migrations/sqlite/0002_held_mail.sql"),
                postgres: include_str!("../migrations/postgres/0002_held_mail.sql"),
            },
        ]
    }
}
