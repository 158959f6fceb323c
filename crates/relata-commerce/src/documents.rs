//! The rules every sales document (quote, order, invoice) passes on each
//! write: its currency, its lines completed from the catalogue and priced
//! from the best price book, quantities the unit allows, prices only those
//! who keep the price books may change, and the amounts of `pricing`.

use crate::entities::{PRICE_BOOKS, PRODUCTS};
use crate::pricing::{self, LineInput, Rounding, Treatment};
use crate::records;
use chrono::NaiveDate;
use relata_app::Ctx;
use relata_core::Record;
use relata_core::access::Right;
use relata_core::decimal::Decimal;
use relata_core::document::Line;
use relata_core::error::FieldError;
use relata_core::meta::Schema;
use relata_core::money::{Currency, Money};
use relata_core::value::FieldValue;
use relata_i18n::refusal;
use relata_store::{ScopedConn, StoreError};
use std::collections::HashMap;
use uuid::Uuid;

/// The document's currency: the one it names, else the account's billing
/// currency, else the workspace's default; it must be enabled.
pub fn currency(ctx: &Ctx, new: &mut Record, account: Option<&Record>) -> Result<Currency, FieldError> {
    let named = records::text(&new.values, "currency").map(str::to_string);
    let billing = account.and_then(|a| records::text(&a.values, "billing_currency")).and_then(Currency::parse);
    let currency = match named {
        Some(code) => {
            Currency::parse(&code.to_uppercase()).filter(|c| ctx.parse.currencies.contains(c)).ok_or_else(|| {
                refusal("currency", "unknown_currency", "refuse-unknown-currency", vec![("code", code.as_str().into())])
            })?
        }
        None => billing.unwrap_or_else(|| ctx.parse.default_currency()),
    };
    new.values.set_std("currency", FieldValue::Text(currency.code().to_string()));
    Ok(currency)
}

/// The price books that apply to a document: active ones in its currency,
/// valid on `day`, for its account, its account's segment, or everyone;
/// the most specific first (account, then segment, then general).
async fn applicable_books(
    tx: &mut ScopedConn,
    currency: Currency,
    account: Option<&Record>,
    day: NaiveDate,
) -> Result<Vec<Record>, StoreError> {
    let books = records::all_where(tx, PRICE_BOOKS, "currency", FieldValue::Text(currency.code().into())).await?;
    let account_id = account.map(|a| a.id.uuid());
    let segment = account.and_then(|a| records::text(&a.values, "price_segment"));
    let mut ranked: Vec<(u8, Record)> = books
        .into_iter()
        .filter(|b| b.values.std("active") != &FieldValue::Bool(false))
        .filter(|b| records::date(&b.values, "valid_from").is_none_or(|from| from <= day))
        .filter(|b| records::date(&b.values, "valid_to").is_none_or(|to| day <= to))
        .filter_map(|b| {
            let rank = match (b.values.ref_id("account"), records::text(&b.values, "segment")) {
                (Some(a), _) if Some(a) == account_id => 0,
                (Some(_), _) => return None,
                (None, Some(s)) if Some(s) == segment => 1,
                (None, Some(_)) => return None,
                (None, None) => 2,
            };
            Some((rank, b))
        })
        .collect();
    ranked.sort_by_key(|(rank, _)| *rank);
    let mut out = Vec::with_capacity(ranked.len());
    for (_, book) in ranked {
        // Lines are read with their header only.
        let schema = relata_core::meta::Schema::standard(PRICE_BOOKS);
        if let Some(with_lines) = tx.get_record(&schema, book.id, false).await? {
            out.push(with_lines);
        }
    }
    Ok(out)
}

/// The price-book price of a product for a customer, a quantity and a day.
pub async fn list_price(
    tx: &mut ScopedConn,
    currency: Currency,
    account: Option<&Record>,
    day: NaiveDate,
    product: Uuid,
    quantity: Decimal,
) -> Result<Option<Money>, StoreError> {
    let books = applicable_books(tx, currency, account, day).await?;
    Ok(price_in(&books, product, quantity))
}

/// The price of `product` for `quantity` in the first book that has one:
/// its entry with the largest "from quantity" not above `quantity`.
fn price_in(books: &[Record], product: Uuid, quantity: Decimal) -> Option<Money> {
    books.iter().find_map(|book| {
        book.lines
            .iter()
            .flatten()
            .filter(|l| l.values.ref_id("product") == Some(product))
            .filter_map(|l| {
                let from = records::decimal(&l.values, "min_quantity").unwrap_or(Decimal::ZERO);
                (from <= quantity).then_some((from, records::money(&l.values, "unit_price")?))
            })
            .max_by_key(|(from, _)| *from)
            .map(|(_, price)| price)
    })
}

/// Whether a line is new or its `field` differs from the stored line's.
fn changed(before: Option<&Line>, values: &relata_core::value::Values, field: &str) -> bool {
    before.is_none_or(|b| b.values.std(field) != values.std(field))
}

fn at(i: usize, field: &str) -> String {
    format!("lines[{i}].{field}")
}

/// Fills, checks and prices the lines of a document in `currency` and sets
/// the header's amounts. `day` picks the price books; `old` tells lines
/// already priced from new or changed ones.
pub async fn price(
    tx: &mut ScopedConn,
    ctx: &Ctx,
    old: Option<&Record>,
    new: &mut Record,
    currency: Currency,
    account: Option<&Record>,
    day: NaiveDate,
) -> Result<Vec<FieldError>, StoreError> {
    let mut errors = Vec::new();
    crate::templates::settle_rounding(tx, new).await?;
    let Some(mut lines) = new.lines.take() else { return Ok(errors) };
    let old_lines: HashMap<Uuid, &Line> =
        old.and_then(|o| o.lines.as_ref()).into_iter().flatten().map(|l| (l.id, l)).collect();
    // The lines' products, read in one query.
    let wanted: Vec<String> = lines
        .iter()
        .filter_map(|l| l.values.ref_id("product"))
        .collect::<std::collections::BTreeSet<_>>()
        .iter()
        .map(Uuid::to_string)
        .collect();
    let mut products: HashMap<Uuid, Option<Record>> = tx
        .records_by_ids(&Schema::standard(PRODUCTS), &wanted)
        .await?
        .into_iter()
        .map(|p| (p.id.uuid(), Some(p)))
        .collect();
    let mut books: Option<Vec<Record>> = None;
    type Options = (Vec<crate::configurator::Group>, Vec<std::collections::BTreeSet<String>>);
    let mut options: HashMap<Uuid, Options> = HashMap::new();
    let may_change_prices = ctx.access.check(PRICE_BOOKS, Right::Update, None).is_ok();
    for (i, line) in lines.iter_mut().enumerate() {
        let before = old_lines.get(&line.id).copied();
        let product_id = line.values.ref_id("product");
        let product = match product_id {
            Some(id) => {
                if let std::collections::hash_map::Entry::Vacant(slot) = products.entry(id) {
                    slot.insert(records::get(tx, PRODUCTS, id).await?);
                }
                products[&id].as_ref()
            }
            None => None,
        };
        if let Some(p) = product {
            if changed(before, &line.values, "product") && p.values.std("active") == &FieldValue::Bool(false) {
                errors.push(refusal(at(i, "product"), "inactive", "refuse-product-inactive", vec![]));
            }
            for (field, from) in [("description", "name"), ("unit", "unit"), ("tax_rate", "tax_rate")] {
                if line.values.std(field).is_null() && !p.values.std(from).is_null() {
                    line.values.set_std(field, p.values.std(from).clone());
                }
            }
        }
        let quantity = records::decimal(&line.values, "quantity").unwrap_or(Decimal::ZERO);
        if quantity <= Decimal::ZERO {
            errors.push(refusal(at(i, "quantity"), "not_positive", "refuse-not-positive", vec![]));
        } else if !quantity.fract().is_zero()
            && product.is_some_and(|p| p.values.std("fractional_quantities") != &FieldValue::Bool(true))
        {
            let unit = product.and_then(|p| records::text(&p.values, "unit")).unwrap_or("piece");
            let args = vec![("unit", unit.into()), ("quantity", quantity.to_string().into())];
            errors.push(refusal(at(i, "quantity"), "whole_units", "refuse-whole-units", args));
        }
        let treatment = match records::text(&line.values, "tax_treatment") {
            Some(t) => Treatment::parse(t).unwrap_or(Treatment::Standard),
            None => {
                line.values.set_std("tax_treatment", FieldValue::Text("standard".into()));
                Treatment::Standard
            }
        };
        if treatment == Treatment::Standard && line.values.std("tax_rate").is_null() {
            errors.push(refusal(at(i, "tax_rate"), "required", "refuse-tax-rate-required", vec![]));
        }
        for field in ["discount_percent", "tax_rate"] {
            if let Some(p) = records::decimal(&line.values, field)
                && !(Decimal::ZERO..=Decimal::ONE_HUNDRED).contains(&p)
            {
                errors.push(refusal(at(i, field), "out_of_range", "refuse-percentage", vec![]));
            }
        }
        // A configurable product's options are checked, and priced into
        // its list price.
        let reconfigured = changed(before, &line.values, "product") || changed(before, &line.values, "configuration");
        let mut options_price = 0;
        if let Some(p) = product.filter(|p| p.values.std("configurable") == &FieldValue::Bool(true)) {
            let text = records::text(&line.values, "configuration").unwrap_or_default();
            match crate::configurator::parse_selection(text) {
                Err(m) => errors.push(FieldError::new(at(i, "configuration"), "invalid_configuration", m)),
                Ok(selection) => {
                    // Read once per product, however many lines configure it.
                    if let std::collections::hash_map::Entry::Vacant(slot) = options.entry(p.id.uuid()) {
                        slot.insert(crate::configure::load(tx, p).await?);
                    }
                    let (groups, combinations) = &options[&p.id.uuid()];
                    let checked = crate::configurator::check(groups, combinations, &selection, currency);
                    options_price = checked.options_price;
                    if reconfigured && !checked.problems.is_empty() {
                        let messages: Vec<String> = checked.problems.iter().map(|p| p.message.clone()).collect();
                        errors.push(FieldError::new(
                            at(i, "configuration"),
                            "invalid_configuration",
                            messages.join("; "),
                        ));
                    }
                }
            }
        } else if !line.values.std("configuration").is_null() && product_id.is_some() {
            errors.push(refusal(at(i, "configuration"), "not_configurable", "refuse-not-configurable", vec![]));
        }
        // The list price is looked up again when the product, its options or
        // the quantity change; a unit price that followed the old list price
        // follows the new one.
        if let Some(id) = product_id
            && (reconfigured || changed(before, &line.values, "quantity"))
            && quantity > Decimal::ZERO
        {
            if books.is_none() {
                books = Some(applicable_books(tx, currency, account, day).await?);
            }
            let list = price_in(books.as_deref().unwrap_or_default(), id, quantity)
                .map(|m| Money::new(m.minor + options_price, m.currency));
            let followed = before.is_some_and(|b| {
                b.values.std("unit_price") == b.values.std("list_price")
                    && b.values.std("unit_price") == line.values.std("unit_price")
            });
            if line.values.std("unit_price").is_null() || followed {
                line.values.set_std("unit_price", list.map_or(FieldValue::Null, FieldValue::Money));
            }
            line.values.set_std("list_price", list.map_or(FieldValue::Null, FieldValue::Money));
        }
        if let Some(given) = records::money(&line.values, "unit_price")
            && given.currency != currency
        {
            let args = vec![("given", given.currency.to_string().into()), ("currency", currency.to_string().into())];
            errors.push(refusal(at(i, "unit_price"), "currency_mismatch", "refuse-price-currency", args));
            continue;
        }
        match (records::money(&line.values, "unit_price"), records::money(&line.values, "list_price")) {
            (None, _) if quantity <= Decimal::ZERO => {}
            (None, _) => errors.push(if product_id.is_some() {
                let args = vec![("currency", currency.to_string().into()), ("day", day.to_string().into())];
                refusal(at(i, "unit_price"), "no_price", "refuse-no-price", args)
            } else {
                refusal(at(i, "unit_price"), "no_price", "refuse-price-required", vec![])
            }),
            (Some(given), Some(list))
                if given != list
                    && (changed(before, &line.values, "unit_price") || changed(before, &line.values, "list_price"))
                    && !may_change_prices =>
            {
                let args = vec![("list", list.to_string().into())];
                errors.push(refusal(at(i, "unit_price"), "price_override", "refuse-price-override", args))
            }
            _ => {}
        }
    }
    let rounding = records::text(&new.values, "rounding").and_then(Rounding::parse).unwrap_or(Rounding::PerLine);
    let discount = records::decimal(&new.values, "discount_percent").unwrap_or(Decimal::ZERO);
    if !(Decimal::ZERO..=Decimal::ONE_HUNDRED).contains(&discount) {
        errors.push(refusal("discount_percent", "out_of_range", "refuse-percentage", vec![]));
    }
    if !errors.is_empty() {
        new.lines = Some(lines);
        return Ok(errors);
    }
    let exponent = u32::from(currency.exponent());
    let inputs: Vec<LineInput> = lines.iter().map(|l| pricing_input(&l.values, exponent)).collect();
    match pricing::compute(&inputs, discount, rounding, exponent) {
        Ok(amounts) => {
            for (line, a) in lines.iter_mut().zip(&amounts.lines) {
                line.values.set_std("net_amount", records::amount(a.net, currency));
                line.values.set_std("tax_amount", a.tax.map_or(FieldValue::Null, |t| records::amount(t, currency)));
            }
            let v = &mut new.values;
            v.set_std("net_total", records::amount(amounts.net, currency));
            v.set_std("tax_total", records::amount(amounts.tax, currency));
            v.set_std("grand_total", records::amount(amounts.gross, currency));
            let summary = pricing::summary(&amounts.groups, exponent);
            v.set_std("tax_summary", if summary.is_empty() { FieldValue::Null } else { FieldValue::Text(summary) });
            let notes = amounts.legal_notes.join("\n");
            v.set_std("legal_notes", if notes.is_empty() { FieldValue::Null } else { FieldValue::Text(notes) });
        }
        Err(pricing::TooLarge) => errors.push(refusal("lines", "too_large", "refuse-lines-too-large", vec![])),
    }
    new.lines = Some(lines);
    Ok(errors)
}

/// What a stored line gives the arithmetic of `pricing`.
pub fn pricing_input(line: &relata_core::value::Values, exponent: u32) -> LineInput {
    LineInput {
        quantity: records::decimal(line, "quantity").unwrap_or(Decimal::ZERO),
        unit_price: records::money(line, "unit_price").map_or(Decimal::ZERO, |m| Decimal::new(m.minor, exponent)),
        discount_percent: records::decimal(line, "discount_percent").unwrap_or(Decimal::ZERO),
        tax_rate: records::decimal(line, "tax_rate").unwrap_or(Decimal::ZERO),
        treatment: records::text(line, "tax_treatment").and_then(Treatment::parse).unwrap_or(Treatment::Standard),
    }
}

/// The header values a document made from another (an order from a quote,
/// an invoice from an order) carries over: its customer and its terms.
pub fn carried_header(from: &Record, extra: &[&str]) -> relata_core::value::Values {
    let mut values = relata_core::value::Values::default();
    for field in ["account", "contact", "currency", "discount_percent", "rounding", "template"].iter().chain(extra) {
        let v = from.values.std(field);
        if !v.is_null() {
            values.set_std(field, v.clone());
        }
    }
    values
}

/// The lines of one document as the lines of a new one (an order from a
/// quote, an invoice from an order): the same goods at the same prices.
pub fn copied_lines(from: &Record) -> Vec<relata_core::document::LineInput> {
    let keep =
        ["product", "description", "quantity", "unit", "unit_price", "discount_percent", "tax_rate", "tax_treatment"];
    from.lines
        .iter()
        .flatten()
        .map(|l| {
            let mut values = relata_core::value::Values::default();
            for field in keep {
                let v = l.values.std(field);
                if !v.is_null() {
                    values.set_std(field, v.clone());
                }
            }
            relata_core::document::LineInput { id: None, values }
        })
        .collect()
}

/// A document's account, read for its billing currency and segment.
pub async fn account_of(tx: &mut ScopedConn, record: &Record) -> Result<Option<Record>, StoreError> {
    match record.values.ref_id("account") {
        Some(id) => records::get(tx, relata_crm::ACCOUNTS, id).await,
        None => Ok(None),
    }
}
