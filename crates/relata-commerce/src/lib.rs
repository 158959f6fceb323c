//! Commerce: the product catalogue and price books, quotes with revisions,
//! orders, invoices and credit notes with gapless numbers, payments
//! allocated to invoices, and the revenue and balance figures of accounts.
//! The arithmetic of documents (discounts, taxes per rate, rounding) is in
//! `pricing`, pure; the rules that read other records in `documents`,
//! `quotes` and `invoicing`.

pub mod configurator;
pub mod configure;
mod demo;
mod documents;
mod entities;
pub mod erp;
pub mod invoicing;
pub mod pdf;
pub mod pricing;
pub mod printed;
pub mod quotes;
mod records;
pub mod templates;
pub mod ubl;

pub use entities::*;

use relata_app::error::AppError;
use relata_app::jobs::{JobError, JobHandler};
use relata_app::module::{BoxFuture, Extension, Module, TrashOp};
use relata_app::{App, Ctx};
use relata_core::Record;
use relata_core::meta::EntityDef;
use relata_store::admin::Workspace;
use relata_store::migrate::ModuleMigration;
use relata_store::{ScopedConn, StoreError};
use std::sync::Arc;

/// The module.
pub struct Commerce;

/// The daily job that moves invoices past their due date to overdue and
/// their accounts' overdue figures on.
pub const OVERDUE_JOB: &str = "commerce.overdue";
/// Its schedule, made for every workspace (administrators may change it).
pub const OVERDUE_SCHEDULE: &str = "commerce_overdue";

impl Module for Commerce {
    fn name(&self) -> &'static str {
        "commerce"
    }

    /// An account brings its invoices still to be paid.
    fn sync_related(&self) -> Vec<relata_app::sync::Related> {
        vec![relata_app::sync::Related {
            parent: "accounts",
            child: INVOICES,
            via: "account",
            filter: Some(r#"status in ("issued", "partly_paid", "overdue")"#),
            recent: None,
        }]
    }

    fn entities(&self) -> Vec<EntityDef> {
        vec![
            product(),
            option_group(),
            price_book(),
            quote(),
            order(),
            invoice(),
            payment(),
            templates::document_template(),
        ]
    }

    fn extensions(&self) -> Vec<Extension> {
        vec![account_figures()]
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
                k if k == QUOTES => quotes::before_save(tx, ctx, old, new).await,
                k if k == ORDERS => order_before_save(tx, ctx, old, new).await,
                k if k == INVOICES => invoicing::before_save(tx, ctx, old, new).await,
                k if k == PAYMENTS => invoicing::payment_before_save(tx, ctx, old, new).await,
                k if k == PRICE_BOOKS => price_book_before_save(tx, ctx, old, new).await,
                k if k == OPTION_GROUPS => configure::option_group_before_save(tx, new).await,
                k if k == DOCUMENT_TEMPLATES => templates::before_save(tx, ctx, old, new).await,
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
                k if k == INVOICES => invoicing::after_save(tx, ctx, old, new).await,
                k if k == PAYMENTS => invoicing::payment_after_save(tx, ctx, old, new).await,
                _ => Ok(()),
            }
        })
    }

    fn after_insert_many<'a>(
        &'a self,
        tx: &'a mut ScopedConn,
        ctx: &'a Ctx,
        records: &'a [Record],
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            match records.first().map(|r| r.kind) {
                Some(k) if k == PAYMENTS => invoicing::payments_after_insert_many(tx, ctx, records).await,
                _ => {
                    for record in records {
                        self.after_save(tx, ctx, None, record).await?;
                    }
                    Ok(())
                }
            }
        })
    }

    fn before_trash<'a>(
        &'a self,
        _tx: &'a mut ScopedConn,
        _ctx: &'a Ctx,
        op: TrashOp,
        record: &'a Record,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            if record.kind == INVOICES && op == TrashOp::Delete { invoicing::before_trash(record) } else { Ok(()) }
        })
    }

    fn after_trash<'a>(
        &'a self,
        tx: &'a mut ScopedConn,
        ctx: &'a Ctx,
        op: TrashOp,
        record: &'a Record,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            if record.kind == PAYMENTS { invoicing::payment_after_trash(tx, ctx, op, record).await } else { Ok(()) }
        })
    }

    fn events(&self, entry: &relata_store::feed::FeedEntry) -> Vec<&'static str> {
        events(entry)
    }

    fn event_types(&self) -> Vec<&'static str> {
        EVENT_TYPES.to_vec()
    }

    fn job_handlers(&self) -> Vec<Arc<dyn JobHandler>> {
        vec![Arc::new(OverdueJob)]
    }

    fn setup_workspace<'a>(&'a self, app: &'a App, ws: &'a Workspace) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(async move {
            let schedules = app.store.read(ws.id).await?.schedules().await?;
            if schedules.iter().any(|s| s.name == OVERDUE_SCHEDULE) {
                return Ok(());
            }
            let input = relata_app::jobs::ScheduleInput {
                kind: OVERDUE_JOB.into(),
                payload: serde_json::json!({}),
                cron: "0 5 0 * * *".into(),
                time_zone: "UTC".into(),
                enabled: true,
            };
            relata_app::jobs::put_schedule(app, &Ctx::new(ws.clone(), None), OVERDUE_SCHEDULE, input).await.map(drop)
        })
    }

    fn demo_data<'a>(
        &'a self,
        app: &'a App,
        ctx: &'a Ctx,
        plan: &'a relata_app::module::DemoPlan,
        progress: relata_app::module::DemoProgress<'a>,
    ) -> BoxFuture<'a, Result<relata_app::module::DemoCounts, AppError>> {
        Box::pin(demo::load(app, ctx, plan, progress))
    }

    fn migrations(&self) -> Vec<ModuleMigration> {
        vec![
            ModuleMigration {
                version: 1,
                name: "commerce",
                sqlite: include_str!("../migrations/sqlite/0001_commerce.sql"),
                postgres: include_str!("../migrations/postgres/0001_commerce.sql"),
            },
            ModuleMigration {
                version: 2,
                name: "stock",
                sqlite: "ALTER TABLE products ADD COLUMN stock_quantity INTEGER;",
                postgres: "ALTER TABLE products ADD COLUMN stock_quantity BIGINT;",
            },
            ModuleMigration {
                version: 3,
                name: "configurator",
                sqlite: include_str!("../migrations/sqlite/0003_configurator.sql"),
                postgres: include_str!("../migrations/postgres/0003_configurator.sql"),
            },
            ModuleMigration {
                version: 4,
                name: "document templates",
                sqlite: include_str!("../migrations/sqlite/0004_templates.sql"),
                postgres: include_str!("../migrations/postgres/0004_templates.sql"),
            },
            ModuleMigration {
                version: 5,
                name: "disputed invoices",
                sqlite: include_str!("../migrations/sqlite/0005_disputes.sql"),
                postgres: include_str!("../migrations/postgres/0005_disputes.sql"),
            },
        ]
    }
}

/// Orders are priced like quotes, at their order date.
async fn order_before_save(
    tx: &mut ScopedConn,
    ctx: &Ctx,
    old: Option<&Record>,
    new: &mut Record,
) -> Result<(), StoreError> {
    let today = tx.now().date_naive();
    let day = *records::date(&new.values, "order_date").get_or_insert(today);
    new.values.set_std("order_date", relata_core::value::FieldValue::Date(day));
    let account = documents::account_of(tx, new).await?;
    let currency = documents::currency(ctx, new, account.as_ref()).map_err(|e| records::invalid(vec![e]))?;
    let errors = documents::price(tx, ctx, old, new, currency, account.as_ref(), day).await?;
    if errors.is_empty() { Ok(()) } else { Err(records::invalid(errors)) }
}

/// A price book's currency is enabled, its validity runs forwards, it does
/// not overlap another active book for the same customers and currency,
/// and it prices a product once per starting quantity.
async fn price_book_before_save(
    tx: &mut ScopedConn,
    ctx: &Ctx,
    _old: Option<&Record>,
    new: &mut Record,
) -> Result<(), StoreError> {
    use relata_core::value::FieldValue;
    let mut errors = Vec::new();
    let currency = documents::currency(ctx, new, None).map_err(|e| records::invalid(vec![e]))?;
    let from = records::date(&new.values, "valid_from");
    let to = records::date(&new.values, "valid_to");
    if let (Some(f), Some(t)) = (from, to)
        && t < f
    {
        errors.push(relata_i18n::refusal("valid_to", "before_start", "refuse-ends-before-start", vec![]));
    }
    let mut seen = std::collections::HashSet::new();
    for (i, line) in new.lines.iter().flatten().enumerate() {
        let key = (line.values.ref_id("product"), records::decimal(&line.values, "min_quantity").unwrap_or_default());
        if !seen.insert(key) {
            errors.push(relata_i18n::refusal(
                format!("lines[{i}].product"),
                "duplicate",
                "refuse-price-book-twice",
                vec![],
            ));
        }
        if records::money(&line.values, "unit_price").is_some_and(|m| m.minor < 0) {
            errors.push(relata_i18n::refusal(
                format!("lines[{i}].unit_price"),
                "negative",
                "refuse-price-negative",
                vec![],
            ));
        }
    }
    if new.values.std("active") != &FieldValue::Bool(false) {
        let overlaps = |other: &Record| {
            let (of, ot) = (records::date(&other.values, "valid_from"), records::date(&other.values, "valid_to"));
            let starts_before_other_ends = match (from, ot) {
                (Some(f), Some(ot)) => f <= ot,
                _ => true,
            };
            let other_starts_before_end = match (of, to) {
                (Some(of), Some(t)) => of <= t,
                _ => true,
            };
            starts_before_other_ends && other_starts_before_end
        };
        let books = records::all_where(tx, PRICE_BOOKS, "currency", FieldValue::Text(currency.code().into())).await?;
        if let Some(other) = books.iter().find(|b| {
            b.id != new.id
                && b.values.std("active") != &FieldValue::Bool(false)
                && b.values.std("account") == new.values.std("account")
                && b.values.std("segment") == new.values.std("segment")
                && overlaps(b)
        }) {
            let args = vec![
                ("name", records::text(&other.values, "name").unwrap_or_default().into()),
                ("currency", currency.to_string().into()),
            ];
            errors.push(relata_i18n::refusal("valid_from", "overlap", "refuse-price-book-overlap", args));
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(records::invalid(errors)) }
}

/// The domain events of commerce's records, for webhooks and automation.
pub const EVENT_TYPES: &[&str] = &[
    "quote.sent",
    "quote.accepted",
    "quote.rejected",
    "order.confirmed",
    "order.shipped",
    "order.delivered",
    "order.cancelled",
    "invoice.issued",
    "invoice.paid",
    "invoice.overdue",
    "credit_note.issued",
    "payment.received",
    "payment.refunded",
];

/// The domain events a change feed entry is: a status reached, a payment
/// recorded.
fn events(entry: &relata_store::feed::FeedEntry) -> Vec<&'static str> {
    let after = |field: &str| entry.diff.get(field).and_then(|c| c.get("after")).and_then(|v| v.as_str());
    let mut out = Vec::new();
    let status = after("status");
    let named = |prefix: &str, status: Option<&str>| {
        status.and_then(|s| EVENT_TYPES.iter().copied().find(|t| t.strip_prefix(prefix) == Some(s)))
    };
    match entry.entity.as_str() {
        "quote" => out.extend(named("quote.", status)),
        "order" => out.extend(named("order.", status)),
        "invoice" => {
            // Issuing gives the number, from the credit notes' own series.
            let credit_note = after("number").is_some_and(|n| n.starts_with("CN-"));
            if status == Some("issued") && credit_note {
                out.push("credit_note.issued");
            } else {
                out.extend(named("invoice.", status));
            }
        }
        "payment" if entry.op == "create" => {
            out.push(if after("kind") == Some("refund") { "payment.refunded" } else { "payment.received" })
        }
        _ => {}
    }
    out
}

/// The daily pass of a workspace: [`invoicing::overdue_pass`] and
/// [`quotes::expire_quotes`].
struct OverdueJob;

impl JobHandler for OverdueJob {
    fn kind(&self) -> &'static str {
        OVERDUE_JOB
    }

    fn enqueued_by_administrators(&self) -> bool {
        true
    }

    fn run<'a>(&'a self, app: &'a App, job: &'a relata_store::jobs::Job) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move {
            let retry = |e: String| JobError::Retry(e);
            let ws = relata_app::jobs::workspace_of(app, job).await?;
            let ctx = Ctx::new(ws, None);
            let mut tx = app.writer(&ctx).await.map_err(|e| retry(e.to_string()))?;
            invoicing::overdue_pass(&mut tx, &ctx).await.map_err(|e| retry(e.to_string()))?;
            quotes::expire_quotes(&mut tx, &ctx).await.map_err(|e| retry(e.to_string()))?;
            tx.commit().await.map_err(|e| retry(e.to_string()))
        })
    }
}
