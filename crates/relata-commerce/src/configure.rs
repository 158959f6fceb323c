//! Configurable products in the database: their option groups read for
//! `configurator`, option groups checked when saved, and the API's
//! configuration check (`POST /api/v1/products/{id}/configure`).

use crate::configurator::{self, Group, OptionDef};
use crate::entities::{OPTION_GROUPS, PRODUCTS};
use crate::records::{self, invalid};
use relata_app::error::AppError;
use relata_app::{App, Ctx};
use relata_core::Record;
use relata_core::access::Right;
use relata_core::decimal::Decimal;
use relata_core::meta::Schema;
use relata_core::money::{Currency, Money};
use relata_core::value::FieldValue;
use relata_i18n::refusal;
use relata_store::{ScopedConn, StoreError};
use serde_json::{Value as Json, json};
use std::collections::BTreeSet;

/// A product's option groups (with their options, by position) and the
/// combinations it allows (one per line of `allowed_combinations`, codes
/// joined by `+` or commas).
pub async fn load(tx: &mut ScopedConn, product: &Record) -> Result<(Vec<Group>, Vec<BTreeSet<String>>), StoreError> {
    let mut heads = records::all_where(tx, OPTION_GROUPS, "product", FieldValue::Ref(product.id.uuid())).await?;
    heads.sort_by_key(|g| (records::decimal(&g.values, "position").unwrap_or_default(), g.id));
    let schema = Schema::standard(OPTION_GROUPS);
    let mut groups = Vec::with_capacity(heads.len());
    for head in heads {
        let Some(group) = tx.get_record(&schema, head.id, false).await? else { continue };
        let int = |field: &str| match group.values.std(field) {
            FieldValue::Int(n) => Some(*n),
            _ => None,
        };
        let options = group
            .lines
            .iter()
            .flatten()
            .map(|l| OptionDef {
                code: records::text(&l.values, "code").unwrap_or_default().to_string(),
                name: records::text(&l.values, "name").unwrap_or_default().to_string(),
                price: records::money(&l.values, "price").map(|m| (m.minor, m.currency)),
                min_quantity: records::decimal(&l.values, "min_quantity"),
                max_quantity: records::decimal(&l.values, "max_quantity"),
                requires: configurator::codes(records::text(&l.values, "requires").unwrap_or_default()),
                excludes: configurator::codes(records::text(&l.values, "excludes").unwrap_or_default()),
            })
            .collect();
        groups.push(Group {
            name: records::text(&group.values, "name").unwrap_or_default().to_string(),
            min_choices: int("min_choices"),
            max_choices: int("max_choices"),
            options,
        });
    }
    let combinations = records::text(&product.values, "allowed_combinations")
        .unwrap_or_default()
        .lines()
        .map(|line| configurator::codes(&line.replace('+', ",")).into_iter().collect::<BTreeSet<String>>())
        .filter(|set| !set.is_empty())
        .collect();
    Ok((groups, combinations))
}

/// An option group's options: codes unique in the product, quantities
/// that make sense, prices not negative.
pub async fn option_group_before_save(tx: &mut ScopedConn, new: &Record) -> Result<(), StoreError> {
    let mut errors = Vec::new();
    let mut taken: BTreeSet<String> = BTreeSet::new();
    if let Some(product) = new.values.ref_id("product") {
        for other in records::all_where(tx, OPTION_GROUPS, "product", FieldValue::Ref(product)).await? {
            if other.id == new.id {
                continue;
            }
            if let Some(full) = tx.get_record(&Schema::standard(OPTION_GROUPS), other.id, false).await? {
                taken.extend(
                    full.lines.iter().flatten().filter_map(|l| records::text(&l.values, "code").map(str::to_string)),
                );
            }
        }
    }
    let mut seen = BTreeSet::new();
    for (i, line) in new.lines.iter().flatten().enumerate() {
        let code = records::text(&line.values, "code").unwrap_or_default();
        if code.contains(|c: char| c.is_whitespace() || matches!(c, ',' | '*' | '+' | ';')) {
            errors.push(refusal(format!("lines[{i}].code"), "invalid", "refuse-option-code", vec![]));
        } else if taken.contains(code) || !seen.insert(code.to_string()) {
            let args = vec![("code", code.into())];
            errors.push(refusal(format!("lines[{i}].code"), "duplicate", "refuse-option-twice", args));
        }
        if records::money(&line.values, "price").is_some_and(|m| m.minor < 0) {
            errors.push(refusal(format!("lines[{i}].price"), "negative", "refuse-price-negative", vec![]));
        }
        if let (Some(min), Some(max)) =
            (records::decimal(&line.values, "min_quantity"), records::decimal(&line.values, "max_quantity"))
            && min > max
        {
            errors.push(refusal(format!("lines[{i}].max_quantity"), "below_minimum", "refuse-below-minimum", vec![]));
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(invalid(errors)) }
}

/// A problem of a configuration as the API shows it.
pub fn problem_json(p: &configurator::Problem) -> Json {
    json!({"rule": p.rule, "subject": p.subject, "message": p.message})
}

/// `POST /api/v1/products/{id}/configure`: `{options: "RAM*2, GPU",
/// quantity?, currency?, account?, date?}` → whether it is valid, every
/// rule it breaks, and its price: the product's price-book price for the
/// account and quantity, plus its options.
pub async fn configure(app: &App, ctx: &Ctx, id: relata_core::RecordId, body: &Json) -> Result<Json, AppError> {
    ctx.access.check_kind(PRODUCTS, Right::Read)?;
    let selection_text = match body.get("options") {
        Some(Json::String(s)) => s.clone(),
        Some(Json::Array(items)) => items
            .iter()
            .map(|o| match (o.get("code").and_then(Json::as_str), o.get("quantity")) {
                (Some(code), Some(q)) => format!("{code}*{}", q.as_str().map_or_else(|| q.to_string(), str::to_string)),
                (Some(code), None) => code.to_string(),
                _ => String::new(),
            })
            .collect::<Vec<_>>()
            .join(","),
        None | Some(Json::Null) => String::new(),
        Some(_) => return Err(invalid_body("options", "a text such as \"RAM*2, GPU\" or a list of {code, quantity}")),
    };
    let selection = configurator::parse_selection(&selection_text).map_err(|m| invalid_body("options", &m))?;
    let currency = match body.get("currency").and_then(Json::as_str) {
        Some(code) => Currency::parse(code)
            .filter(|c| ctx.parse.currencies.contains(c))
            .ok_or_else(|| invalid_body("currency", "not a currency of this workspace"))?,
        None => ctx.parse.default_currency(),
    };
    let quantity = match body.get("quantity") {
        Some(Json::String(q)) => relata_core::decimal::parse(q, 3).map_err(|e| invalid_body("quantity", &e.0))?,
        Some(Json::Number(n)) => {
            relata_core::decimal::parse(&n.to_string(), 3).map_err(|e| invalid_body("quantity", &e.0))?
        }
        _ => Decimal::ONE,
    };
    let mut tx = app.reader(ctx).await?;
    let Some(product) = tx.get_record(&Schema::standard(PRODUCTS), id, false).await? else {
        return Err(relata_app::write::missing_or_hidden(&mut tx, PRODUCTS, id).await);
    };
    let account = match body.get("account").and_then(Json::as_str).and_then(|a| uuid::Uuid::parse_str(a).ok()) {
        Some(a) => records::get(&mut tx, relata_crm::ACCOUNTS, a).await?,
        None => None,
    };
    let day = match body.get("date").and_then(Json::as_str) {
        Some(d) => chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map_err(|_| invalid_body("date", "a date like 2026-12-31"))?,
        None => tx.now().date_naive(),
    };
    let (groups, combinations) = load(&mut tx, &product).await?;
    let checked = configurator::check(&groups, &combinations, &selection, currency);
    let base = crate::documents::list_price(&mut tx, currency, account.as_ref(), day, id.uuid(), quantity).await?;
    let money = |minor: i64| Money::new(minor, currency);
    let unit = base.map(|b| money(b.minor + checked.options_price));
    Ok(json!({
        "valid": checked.problems.is_empty(),
        "problems": checked.problems.iter().map(problem_json).collect::<Vec<_>>(),
        "base_price": base,
        "options_price": money(checked.options_price),
        "unit_price": unit,
        "configuration": selection.iter().map(|(c, q)| if *q == Decimal::ONE { c.clone() } else { format!("{c}*{}", q.normalize()) }).collect::<Vec<_>>().join(", "),
    }))
}

fn invalid_body(field: &str, message: &str) -> AppError {
    AppError::Invalid(relata_core::ValidationError::single(field, "invalid", message.to_string()))
}

/// A product's option groups, for the configuration page.
pub async fn option_groups(app: &App, ctx: &Ctx, id: relata_core::RecordId) -> Result<Vec<Group>, AppError> {
    ctx.access.check_kind(PRODUCTS, Right::Read)?;
    let mut tx = app.reader(ctx).await?;
    let Some(product) = tx.get_record(&Schema::standard(PRODUCTS), id, false).await? else {
        return Err(relata_app::write::missing_or_hidden(&mut tx, PRODUCTS, id).await);
    };
    let (groups, _) = load(&mut tx, &product).await?;
    Ok(groups)
}
