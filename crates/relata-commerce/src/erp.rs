//! Events the back office (the ERP) sends in, at `POST /api/v1/erp/events`
//! with a token of scope `erp`: a payment received, an order confirmed,
//! shipped, delivered or cancelled, an invoice the ERP issued for an order,
//! a price or a stock level changed. Each is applied once per sender and
//! event id, for good (a replay answers what the first did; the same id
//! with another body is refused), through the one write path, in one
//! transaction with the record of it.

use crate::entities::{INVOICES, ORDERS, PAYMENTS, PRICE_BOOKS, PRODUCTS};
use crate::records;
use relata_app::error::AppError;
use relata_app::inbound::{self, Applied, Once};
use relata_app::{App, Ctx};
use relata_core::decimal::Decimal;
use relata_core::document::LineInput;
use relata_core::error::FieldError;
use relata_core::meta::Schema;
use relata_core::money::{Currency, Money};
use relata_core::value::{FieldValue, Values};
use relata_core::{Record, RecordId, ValidationError};
use relata_store::ScopedConn;
use relata_store::webhooks::InboundEvent;
use serde_json::{Value as Json, json};

/// The events the ERP may send.
pub const EVENT_TYPES: &[&str] = &[
    "payment.received",
    "order.confirmed",
    "order.partly_shipped",
    "order.shipped",
    "order.delivered",
    "order.cancelled",
    "invoice.issued",
    "price.updated",
    "stock.updated",
];

fn field(name: &str) -> String {
    format!("data.{name}")
}

fn text<'a>(data: &'a Json, name: &str) -> Option<&'a str> {
    data.get(name).and_then(Json::as_str).map(str::trim).filter(|s| !s.is_empty())
}

fn required<'a>(data: &'a Json, name: &str, errors: &mut Vec<FieldError>) -> Option<&'a str> {
    let found = text(data, name);
    if found.is_none() {
        errors.push(FieldError::new(field(name), "required", "is required"));
    }
    found
}

/// A document named by its id, its number or its ERP reference.
async fn find_document(
    tx: &mut ScopedConn,
    kind: relata_core::meta::EntityKind,
    reference: &str,
) -> Result<Option<Record>, AppError> {
    if let Ok(id) = uuid::Uuid::parse_str(reference)
        && let Some(r) = records::get(tx, kind, id).await?
    {
        return Ok(Some(r));
    }
    for by in ["number", "external_ref"] {
        let found = records::all_where(tx, kind, by, FieldValue::Text(reference.to_string())).await?;
        if let Some(r) = found.into_iter().next() {
            // Read again with its lines (lists leave them out).
            return Ok(tx.get_record(&Schema::standard(kind), r.id, false).await?);
        }
    }
    Ok(None)
}

fn money(data: &Json, name: &str, ctx: &Ctx, errors: &mut Vec<FieldError>) -> Option<Money> {
    let Some(raw) = data.get(name) else {
        errors.push(FieldError::new(field(name), "required", "is required"));
        return None;
    };
    let def = relata_core::meta::FieldDef::standard("amount", "Amount", relata_core::meta::FieldType::Money);
    match relata_core::value::parse_json(&def, raw, &ctx.parse) {
        Ok(FieldValue::Money(m)) => Some(m),
        Ok(_) => {
            errors.push(FieldError::new(field(name), "required", "is required"));
            None
        }
        Err(e) => {
            errors.push(FieldError::new(field(name), e.code, e.message));
            None
        }
    }
}

fn date(data: &Json, name: &str, errors: &mut Vec<FieldError>) -> Option<chrono::NaiveDate> {
    let raw = text(data, name)?;
    match chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(FieldError::new(field(name), "invalid_date", "a date like 2026-12-31"));
            None
        }
    }
}

fn refused(errors: Vec<FieldError>) -> AppError {
    AppError::Invalid(ValidationError { errors })
}

/// `POST /api/v1/erp/events`: `{id, type, data}` from the sender `source`
/// (the ERP token's id), applied as Relata acting for the token's owner.
pub async fn apply(app: &App, ctx: &Ctx, source: &str, body: &Json) -> Result<Applied, AppError> {
    let mut errors = Vec::new();
    let id = body.get("id").and_then(Json::as_str).map(str::trim).unwrap_or("");
    if id.is_empty() || id.chars().count() > 200 {
        errors.push(FieldError::new("id", "invalid", "the event's id: 1 to 200 characters, unique per sender"));
    }
    let kind = body.get("type").and_then(Json::as_str).unwrap_or("");
    if !EVENT_TYPES.contains(&kind) {
        errors.push(FieldError::new("type", "unknown_event", format!("one of: {}", EVENT_TYPES.join(", "))));
    }
    let data = body.get("data").cloned().unwrap_or(Json::Null);
    if !data.is_object() {
        errors.push(FieldError::new("data", "invalid_type", "a JSON object"));
    }
    if !errors.is_empty() {
        return Err(refused(errors));
    }
    let request_hash = relata_identity::secret::digest(&body.to_string());
    let relata = Ctx::new(ctx.workspace.clone(), ctx.actor);
    let mut tx = match inbound::begin(app, ctx.ws(), source, id, &request_hash).await? {
        Once::Done(applied) => return Ok(applied),
        Once::Fresh(tx) => *tx,
    };
    let record = match kind {
        "payment.received" => payment_received(&mut tx, &relata, &data).await?,
        "invoice.issued" => invoice_issued(&mut tx, &relata, &data).await?,
        "price.updated" => price_updated(&mut tx, &relata, &data).await?,
        "stock.updated" => stock_updated(&mut tx, &relata, &data).await?,
        order_status => {
            let status = order_status.trim_start_matches("order.");
            order_changed(&mut tx, &relata, &data, status).await?
        }
    };
    let result = json!({
        "id": id, "type": kind, "status": "applied",
        "record": {"entity": record.kind.api_name(), "id": record.id.to_string(), "version": record.version},
    });
    let event = InboundEvent { event_type: kind.to_string(), request_hash, result };
    inbound::finish(app, ctx.ws(), tx, source, id, event).await
}

/// A payment, allocated to the invoice it names (up to its balance; the
/// rest is held as the account's credit).
async fn payment_received(tx: &mut ScopedConn, ctx: &Ctx, data: &Json) -> Result<Record, AppError> {
    let mut errors = Vec::new();
    let amount = money(data, "amount", ctx, &mut errors);
    let day = date(data, "payment_date", &mut errors);
    let invoice = match text(data, "invoice") {
        Some(reference) => match find_document(tx, INVOICES, reference).await? {
            Some(i) => Some(i),
            None => {
                errors.push(FieldError::new(field("invoice"), "not_found", format!("no invoice {reference:?}")));
                None
            }
        },
        None => None,
    };
    let account = match (text(data, "account"), &invoice) {
        (Some(a), _) => uuid::Uuid::parse_str(a).ok().or_else(|| {
            errors.push(FieldError::new(field("account"), "invalid_id", "an account id"));
            None
        }),
        (None, Some(i)) => i.values.ref_id("account"),
        // An invoice named but not found is reported already.
        (None, None) if text(data, "invoice").is_some() => None,
        (None, None) => {
            errors.push(FieldError::new(field("invoice"), "required", "name the invoice paid, or the account"));
            None
        }
    };
    if !errors.is_empty() {
        return Err(refused(errors));
    }
    let (amount, account) = (amount.expect("checked"), account.expect("checked"));
    let mut values = Values::default();
    values.set_std("account", FieldValue::Ref(account));
    values.set_std("amount", FieldValue::Money(amount));
    if let Some(day) = day {
        values.set_std("payment_date", FieldValue::Date(day));
    }
    for name in ["method", "reference", "external_ref"] {
        if let Some(v) = text(data, name) {
            values.set_std(name, FieldValue::Text(v.to_string()));
        }
    }
    let mut lines = Vec::new();
    if let Some(invoice) = invoice {
        let balance = records::minor(&invoice.values, "balance");
        let share = amount.minor.min(balance);
        if share > 0 && records::money(&invoice.values, "balance").is_some_and(|b| b.currency == amount.currency) {
            let mut line = Values::default();
            line.set_std("invoice", FieldValue::Ref(invoice.id.uuid()));
            line.set_std("amount", FieldValue::Money(Money::new(share, amount.currency)));
            lines.push(LineInput { id: None, values: line });
        }
    }
    relata_app::write::create_document_in(tx, ctx, &Schema::standard(PAYMENTS), values, lines).await
}

/// An order's status (and its ERP reference) as the ERP reports it.
async fn order_changed(tx: &mut ScopedConn, ctx: &Ctx, data: &Json, status: &str) -> Result<Record, AppError> {
    let mut errors = Vec::new();
    let reference = required(data, "order", &mut errors);
    if !errors.is_empty() {
        return Err(refused(errors));
    }
    let reference = reference.expect("checked");
    let Some(order) = find_document(tx, ORDERS, reference).await? else {
        return Err(refused(vec![FieldError::new(field("order"), "not_found", format!("no order {reference:?}"))]));
    };
    let mut patch = Values::default();
    patch.set_std("status", FieldValue::Text(status.to_string()));
    if let Some(external) = text(data, "external_ref") {
        patch.set_std("external_ref", FieldValue::Text(external.to_string()));
    }
    relata_app::write::update_in(tx, ctx, &Schema::standard(ORDERS), order.id, patch, None).await
}

/// An invoice the ERP issued for an order: the order's lines at its prices,
/// issued at once, with the ERP's number as its reference.
async fn invoice_issued(tx: &mut ScopedConn, ctx: &Ctx, data: &Json) -> Result<Record, AppError> {
    let mut errors = Vec::new();
    let reference = required(data, "order", &mut errors);
    let issued = date(data, "issue_date", &mut errors);
    let terms = match data.get("payment_terms_days") {
        None | Some(Json::Null) => None,
        Some(v) => match v.as_i64().filter(|d| (0..=365).contains(d)) {
            Some(d) => Some(d),
            None => {
                errors.push(FieldError::new(field("payment_terms_days"), "invalid", "0 to 365 days"));
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(refused(errors));
    }
    let reference = reference.expect("checked");
    let Some(order) = find_document(tx, ORDERS, reference).await? else {
        return Err(refused(vec![FieldError::new(field("order"), "not_found", format!("no order {reference:?}"))]));
    };
    let mut values = crate::documents::carried_header(&order, &[]);
    values.set_std("order", FieldValue::Ref(order.id.uuid()));
    if let Some(number) = text(data, "number") {
        values.set_std("external_ref", FieldValue::Text(number.to_string()));
    }
    if let Some(day) = issued {
        values.set_std("issue_date", FieldValue::Date(day));
    }
    if let Some(days) = terms {
        values.set_std("payment_terms_days", FieldValue::Int(days));
    }
    let schema = Schema::standard(INVOICES);
    let draft =
        relata_app::write::create_document_in(tx, ctx, &schema, values, crate::documents::copied_lines(&order)).await?;
    let mut patch = Values::default();
    patch.set_std("status", FieldValue::Text("issued".into()));
    relata_app::write::update_in(tx, ctx, &schema, draft.id, patch, None).await
}

async fn product_by_sku(
    tx: &mut ScopedConn,
    data: &Json,
    errors: &mut Vec<FieldError>,
) -> Result<Option<Record>, AppError> {
    let Some(sku) = required(data, "sku", errors) else { return Ok(None) };
    let found = records::all_where(tx, PRODUCTS, "sku", FieldValue::Text(sku.to_string())).await?.into_iter().next();
    if found.is_none() {
        errors.push(FieldError::new(field("sku"), "not_found", format!("no product {sku:?}")));
    }
    Ok(found)
}

/// A product's price in a price book (named by id or name): the entry for
/// its starting quantity changed, or added.
async fn price_updated(tx: &mut ScopedConn, ctx: &Ctx, data: &Json) -> Result<Record, AppError> {
    let mut errors = Vec::new();
    let product = product_by_sku(tx, data, &mut errors).await?;
    let price = money(data, "unit_price", ctx, &mut errors);
    let from = match text(data, "min_quantity") {
        Some(q) => match relata_core::decimal::parse(q, 3) {
            Ok(d) => Some(d),
            Err(e) => {
                errors.push(FieldError::new(field("min_quantity"), "invalid_decimal", e.0));
                None
            }
        },
        None => None,
    };
    let book_ref = required(data, "price_book", &mut errors);
    let mut book = None;
    if let Some(reference) = book_ref {
        let by_id = match uuid::Uuid::parse_str(reference) {
            Ok(id) => records::get(tx, PRICE_BOOKS, id).await?,
            Err(_) => None,
        };
        let found = match by_id {
            Some(b) => Some(b),
            None => records::all_where(tx, PRICE_BOOKS, "name", FieldValue::Text(reference.to_string()))
                .await?
                .into_iter()
                .next(),
        };
        match found {
            // Read again with its lines.
            Some(b) => book = tx.get_record(&Schema::standard(PRICE_BOOKS), b.id, false).await?,
            None => {
                errors.push(FieldError::new(field("price_book"), "not_found", format!("no price book {reference:?}")))
            }
        }
    }
    if let (Some(b), Some(p)) = (&book, price)
        && records::text(&b.values, "currency").and_then(Currency::parse) != Some(p.currency)
    {
        errors.push(FieldError::new(field("unit_price"), "currency_mismatch", "is not in the price book's currency"));
    }
    if !errors.is_empty() {
        return Err(refused(errors));
    }
    let (product, price, book) = (product.expect("checked"), price.expect("checked"), book.expect("checked"));
    let from = from.unwrap_or(Decimal::ZERO);
    let mut lines: Vec<LineInput> = Vec::new();
    let mut replaced = false;
    for line in book.lines.iter().flatten() {
        let mut values = Values::default();
        let same = line.values.ref_id("product") == Some(product.id.uuid())
            && records::decimal(&line.values, "min_quantity").unwrap_or(Decimal::ZERO) == from;
        if same {
            values.set_std("unit_price", FieldValue::Money(price));
            replaced = true;
        }
        lines.push(LineInput { id: Some(line.id), values });
    }
    if !replaced {
        let mut values = Values::default();
        values.set_std("product", FieldValue::Ref(product.id.uuid()));
        values.set_std("unit_price", FieldValue::Money(price));
        if from > Decimal::ZERO {
            values.set_std("min_quantity", FieldValue::Decimal(from));
        }
        lines.push(LineInput { id: None, values });
    }
    let schema = Schema::standard(PRICE_BOOKS);
    relata_app::write::update_document_in(tx, ctx, &schema, book.id, Values::default(), Some(lines), None).await
}

/// A product's stock level as the ERP counts it.
async fn stock_updated(tx: &mut ScopedConn, ctx: &Ctx, data: &Json) -> Result<Record, AppError> {
    let mut errors = Vec::new();
    let product = product_by_sku(tx, data, &mut errors).await?;
    let quantity = match data.get("quantity") {
        Some(Json::String(q)) => relata_core::decimal::parse(q, 3).map_err(|e| e.0),
        Some(Json::Number(n)) => relata_core::decimal::parse(&n.to_string(), 3).map_err(|e| e.0),
        _ => Err("a quantity like \"12.5\"".to_string()),
    };
    let quantity = match quantity {
        Ok(q) => Some(q),
        Err(m) => {
            errors.push(FieldError::new(field("quantity"), "invalid_decimal", m));
            None
        }
    };
    if !errors.is_empty() {
        return Err(refused(errors));
    }
    let mut patch = Values::default();
    patch.set_std("stock_quantity", FieldValue::Decimal(quantity.expect("checked")));
    let id: RecordId = product.expect("checked").id;
    relata_app::write::update_in(tx, ctx, &Schema::standard(PRODUCTS), id, patch, None).await
}
