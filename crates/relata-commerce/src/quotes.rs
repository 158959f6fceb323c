//! Quotes and orders: numbers and revisions, validity, acceptance (which
//! makes the order and can win the opportunity), and an order's invoice.

use crate::documents;
use crate::entities::{INVOICES, ORDERS, QUOTES};
use crate::records::{self, invalid};
use relata_app::error::AppError;
use relata_app::{App, Ctx};
use relata_core::access::Right;
use relata_core::meta::Schema;
use relata_core::value::{FieldValue, Values};
use relata_core::{Record, RecordId};
use relata_i18n::{option, refusal};
use relata_sales::OPPORTUNITIES;
use relata_store::{ScopedConn, StoreError};

/// How long a quote is valid when it does not say.
pub const DEFAULT_VALIDITY_DAYS: u64 = 30;
const QUOTE_NUMBER: &str = "Q-{YYYY}-{NNNNN}";

/// Fields that no longer change once a quote is accepted, rejected or expired.
const SETTLED: &[&str] = &["account", "currency", "discount_percent", "rounding", "quote_date", "valid_until"];

fn status(r: &Record) -> &str {
    records::text(&r.values, "status").unwrap_or("draft")
}

pub async fn before_save(
    tx: &mut ScopedConn,
    ctx: &Ctx,
    old: Option<&Record>,
    new: &mut Record,
) -> Result<(), StoreError> {
    let today = tx.now().date_naive();
    let was = old.map_or("draft", status).to_string();
    let asked = status(new).to_string();
    let mut errors = Vec::new();
    if old.is_none() && !["draft", "sent"].contains(&asked.as_str()) {
        errors.push(refusal("status", "invalid_transition", "refuse-quote-created", vec![]));
    }
    let settled = ["accepted", "rejected", "expired"].contains(&was.as_str());
    if settled {
        let status = || vec![("status", option(QUOTES, "status", &was))];
        for field in SETTLED {
            if old.is_some_and(|o| o.values.std(field) != new.values.std(field)) {
                errors.push(refusal(*field, "settled", "refuse-quote-settled", status()));
            }
        }
        if old.is_some_and(|o| o.lines != new.lines) {
            errors.push(refusal("lines", "settled", "refuse-quote-settled", status()));
        }
        if was != asked {
            errors.push(refusal("status", "invalid_transition", "refuse-quote-settled-already", status()));
        }
    }
    let quote_date = *records::date(&new.values, "quote_date").get_or_insert(today);
    new.values.set_std("quote_date", FieldValue::Date(quote_date));
    if records::date(&new.values, "valid_until").is_none() {
        new.values.set_std("valid_until", FieldValue::Date(quote_date + chrono::Days::new(DEFAULT_VALIDITY_DAYS)));
    }
    let accepting = was != "accepted" && asked == "accepted";
    if accepting && records::date(&new.values, "valid_until").is_some_and(|until| until < today) {
        errors.push(refusal("status", "expired", "refuse-quote-expired", vec![]));
    }
    if let (Some(opportunity), Some(account)) = (new.values.ref_id("opportunity"), new.values.ref_id("account"))
        && let Some(opp) = records::get(tx, OPPORTUNITIES, opportunity).await?
        && opp.values.ref_id("account") != Some(account)
    {
        errors.push(refusal("opportunity", "other_account", "refuse-quote-other-account", vec![]));
    }
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    if old.is_none() {
        number(tx, new).await?;
    }
    if !settled {
        let account = documents::account_of(tx, new).await?;
        let currency = documents::currency(ctx, new, account.as_ref()).map_err(|e| invalid(vec![e]))?;
        let errors = documents::price(tx, ctx, old, new, currency, account.as_ref(), quote_date).await?;
        if !errors.is_empty() {
            return Err(invalid(errors));
        }
    }
    if accepting {
        if new.lines.as_ref().is_none_or(Vec::is_empty) {
            return Err(invalid(vec![refusal("lines", "required", "refuse-quote-no-lines", vec![])]));
        }
        let order = order_from(tx, ctx, new).await?;
        new.values.set_std("order", FieldValue::Ref(order.id.uuid()));
        if new.values.std("wins_opportunity") == &FieldValue::Bool(true)
            && let Some(opportunity) = new.values.ref_id("opportunity")
        {
            win(tx, ctx, opportunity).await?;
        }
    }
    Ok(())
}

/// A new quote's number; a revision keeps the number of what it revises.
async fn number(tx: &mut ScopedConn, new: &mut Record) -> Result<(), StoreError> {
    if let Some(previous) = new.values.ref_id("revision_of")
        && let Some(prior) = records::get(tx, QUOTES, previous).await?
    {
        new.values.set_std("number", prior.values.std("number").clone());
        let revision = match prior.values.std("revision") {
            FieldValue::Int(n) => n + 1,
            _ => 2,
        };
        new.values.set_std("revision", FieldValue::Int(revision));
        return Ok(());
    }
    let year = chrono::Datelike::year(&tx.now());
    let period = relata_core::document::number_period(QUOTE_NUMBER, year);
    let n = tx.next_number("quotes.number", &period, false).await?;
    new.values.set_std("number", FieldValue::Text(relata_core::document::format_number(QUOTE_NUMBER, year, n)));
    new.values.set_std("revision", FieldValue::Int(1));
    Ok(())
}

/// The order an accepted quote becomes: its customer, goods and prices
/// (made by Relata: accepting the quote was the decision).
async fn order_from(tx: &mut ScopedConn, ctx: &Ctx, quote: &Record) -> Result<Record, StoreError> {
    let mut values = documents::carried_header(quote, &["opportunity", "owner"]);
    values.set_std("quote", FieldValue::Ref(quote.id.uuid()));
    values.set_std("order_date", FieldValue::Date(tx.now().date_naive()));
    let relata = Ctx::new(ctx.workspace.clone(), ctx.actor);
    relata_app::write::create_document_in(
        tx,
        &relata,
        &Schema::standard(ORDERS),
        values,
        documents::copied_lines(quote),
    )
    .await
    .map_err(|e| match records::into_store(e) {
        StoreError::Invalid(mut v) => {
            for e in &mut v.errors {
                e.field = format!("order.{}", e.field);
            }
            StoreError::Invalid(v)
        }
        other => other,
    })
}

/// Moves an opportunity to its pipeline's won stage.
async fn win(tx: &mut ScopedConn, ctx: &Ctx, opportunity: uuid::Uuid) -> Result<(), StoreError> {
    let Some(opp) = records::get(tx, OPPORTUNITIES, opportunity).await? else { return Ok(()) };
    let Some(pipeline_id) = opp.values.ref_id("pipeline") else { return Ok(()) };
    let Some(pipeline) = records::get(tx, relata_sales::PIPELINES, pipeline_id).await? else { return Ok(()) };
    let won = relata_sales::pipeline::stages_of(&pipeline)
        .into_iter()
        .find(|s| s.kind == relata_sales::pipeline::StageKind::Won);
    if let Some(stage) = won {
        let mut patch = Values::default();
        patch.set_std("stage", FieldValue::Text(stage.id));
        records::update(tx, ctx, OPPORTUNITIES, opportunity, patch).await?;
    }
    Ok(())
}

/// `POST /api/v1/quotes/{id}/revise`: a new draft revision of a quote with
/// its lines and the same number; the earlier one stays as it was.
pub async fn revise(app: &App, ctx: &Ctx, id: RecordId) -> Result<Record, AppError> {
    ctx.access.check_kind(QUOTES, Right::Create)?;
    let schemas = app.schemas_for(ctx).await?;
    let schema = schemas.get(QUOTES);
    let mut tx = app.writer(ctx).await?;
    let Some(quote) = tx.get_record(schema, id, false).await? else {
        return Err(relata_app::write::missing_or_hidden(&mut tx, QUOTES, id).await);
    };
    let mut values = Values::default();
    for field in schema.fields().filter(|f| f.is_writable() && !f.system && f.id != "status") {
        let v = quote.values.get(field);
        if !v.is_null() {
            values.set(field, v.clone());
        }
    }
    values.standard.remove("quote_date");
    values.standard.remove("valid_until");
    values.set_std("revision_of", FieldValue::Ref(id.uuid()));
    values.set_std("status", FieldValue::Text("draft".into()));
    let record =
        relata_app::write::create_document_in(&mut tx, ctx, schema, values, documents::copied_lines(&quote)).await?;
    tx.commit().await?;
    Ok(record)
}

/// `POST /api/v1/orders/{id}/invoice`: a draft invoice for an order's
/// goods at the order's prices.
pub async fn invoice_order(app: &App, ctx: &Ctx, id: RecordId) -> Result<Record, AppError> {
    ctx.access.check_kind(INVOICES, Right::Create)?;
    let schemas = app.schemas_for(ctx).await?;
    let mut tx = app.writer(ctx).await?;
    let Some(order) = tx.get_record(schemas.get(ORDERS), id, false).await? else {
        return Err(relata_app::write::missing_or_hidden(&mut tx, ORDERS, id).await);
    };
    if status(&order) == "cancelled" {
        return Err(AppError::conflict("refuse-order-cancelled-invoice", vec![]));
    }
    let mut values = documents::carried_header(&order, &[]);
    values.set_std("order", FieldValue::Ref(id.uuid()));
    let relata = Ctx::new(ctx.workspace.clone(), ctx.actor);
    let record = relata_app::write::create_document_in(
        &mut tx,
        &relata,
        schemas.get(INVOICES),
        values,
        documents::copied_lines(&order),
    )
    .await?;
    tx.commit().await?;
    Ok(record)
}

/// The daily pass's part for quotes: drafts and sent quotes whose validity
/// ended before today become expired (a revision can offer them again).
/// Returns how many.
pub async fn expire_quotes(tx: &mut relata_store::ScopedConn, ctx: &Ctx) -> Result<u64, relata_store::StoreError> {
    let today = tx.now().date_naive();
    let mut expired = 0;
    for state in ["draft", "sent"] {
        for quote in records::all_where(tx, QUOTES, "status", FieldValue::Text(state.into())).await? {
            if records::date(&quote.values, "valid_until").is_some_and(|until| until < today) {
                let mut patch = Values::default();
                patch.set_std("status", FieldValue::Text("expired".into()));
                records::update(tx, ctx, QUOTES, quote.id.uuid(), patch).await?;
                expired += 1;
            }
        }
    }
    Ok(expired)
}
