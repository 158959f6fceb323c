//! Invoices (and credit notes), payments with their allocations, and the
//! figures accounts keep from them.
//!
//! An invoice is a draft until it is issued: then it takes its gapless
//! number (`INV-2026-000001`, credit notes `CN-…`), its issue and due
//! dates, and its amounts freeze (a credit note corrects it). Its status
//! follows its balance from then on: issued, partly paid, paid, overdue
//! (past its due date with a balance); written off and cancelled are set by
//! people. Payments are allocated to invoices of their account in their
//! currency; what is not allocated is held as the account's credit.

use crate::documents;
use crate::entities::{INVOICES, PAYMENTS};
use crate::records::{self, invalid};
use chrono::{Datelike, NaiveDate};
use relata_app::Ctx;
use relata_core::Record;
use relata_core::error::FieldError;
use relata_core::money::Currency;
use relata_core::value::{FieldValue, Values};
use relata_crm::ACCOUNTS;
use relata_i18n::{Arg, option, refusal};
use relata_store::{ScopedConn, StoreError};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Payment terms when an invoice names none.
pub const DEFAULT_TERMS_DAYS: i64 = 14;

const OPEN: &[&str] = &["issued", "partly_paid", "overdue"];
const DERIVED: &[&str] = &["issued", "partly_paid", "paid", "overdue"];

/// Fields an issued invoice keeps as they were.
const FROZEN: &[&str] =
    &["kind", "corrects", "account", "currency", "issue_date", "payment_terms_days", "discount_percent", "rounding"];

fn status(r: &Record) -> &str {
    records::text(&r.values, "status").unwrap_or("draft")
}

fn is_credit_note(r: &Record) -> bool {
    records::text(&r.values, "kind") == Some("credit_note")
}

/// The status an issued invoice's amounts and dates give it.
fn derived_status(values: &Values, today: NaiveDate) -> &'static str {
    let balance = records::minor(values, "balance");
    let settled = records::minor(values, "paid_amount") + records::minor(values, "credited_amount");
    if balance <= 0 {
        "paid"
    } else if records::date(values, "due_date").is_some_and(|due| due < today) {
        "overdue"
    } else if settled > 0 {
        "partly_paid"
    } else {
        "issued"
    }
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
    let mut errors: Vec<FieldError> = Vec::new();
    if old.is_none() && asked != "draft" {
        errors.push(refusal("status", "invalid_transition", "refuse-invoice-created", vec![]));
    }
    if was != "draft" {
        for field in FROZEN {
            if old.is_some_and(|o| o.values.std(field) != new.values.std(field)) {
                errors.push(refusal(*field, "issued", "refuse-invoice-issued", vec![]));
            }
        }
        if old.is_some_and(|o| o.lines != new.lines) {
            errors.push(refusal("lines", "issued", "refuse-invoice-issued", vec![]));
        }
    }
    if was != asked {
        let allowed = match (was.as_str(), asked.as_str()) {
            ("draft", "issued" | "cancelled") => true,
            (w, "written_off") => OPEN.contains(&w),
            (w, "cancelled") => {
                DERIVED.contains(&w)
                    && old.is_some_and(|o| {
                        records::minor(&o.values, "paid_amount") == 0
                            && records::minor(&o.values, "credited_amount") == 0
                    })
            }
            _ => false,
        };
        if !allowed {
            let args = vec![("was", option(INVOICES, "status", &was)), ("asked", option(INVOICES, "status", &asked))];
            errors.push(refusal("status", "invalid_transition", "refuse-invoice-transition", args));
        }
    }
    if is_credit_note(new) {
        match new.values.ref_id("corrects") {
            None => errors.push(refusal("corrects", "required", "refuse-credit-note-corrects", vec![])),
            Some(id) => match records::get(tx, INVOICES, id).await? {
                Some(corrected) if is_credit_note(&corrected) => {
                    errors.push(refusal("corrects", "invalid", "refuse-credit-note-of-credit-note", vec![]))
                }
                Some(corrected) if corrected.values.ref_id("account") != new.values.ref_id("account") => {
                    errors.push(refusal("corrects", "other_account", "refuse-credit-note-other-account", vec![]))
                }
                Some(corrected) if !DERIVED.contains(&status(&corrected)) && corrected.id != new.id => {
                    errors.push(refusal("corrects", "not_issued", "refuse-credit-note-not-issued", vec![]))
                }
                _ => {}
            },
        }
    } else if !new.values.std("corrects").is_null() {
        errors.push(refusal("corrects", "invalid", "refuse-credit-note-only", vec![]));
    }
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    let account = documents::account_of(tx, new).await?;
    let currency = documents::currency(ctx, new, account.as_ref()).map_err(|e| invalid(vec![e]))?;
    if let Some(billing) = account.as_ref().and_then(|a| records::text(&a.values, "billing_currency"))
        && billing != currency.code()
    {
        let args = vec![("currency", billing.into())];
        return Err(invalid(vec![refusal("currency", "currency_mismatch", "refuse-billing-currency", args)]));
    }
    if was == "draft" {
        let day = records::date(&new.values, "issue_date").unwrap_or(today);
        let errors = documents::price(tx, ctx, old, new, currency, account.as_ref(), day).await?;
        if !errors.is_empty() {
            return Err(invalid(errors));
        }
    }
    if was == "draft" && asked == "issued" {
        issue(tx, new, today).await?;
    }
    let grand = records::minor(&new.values, "grand_total");
    if is_credit_note(new) {
        new.values.set_std("balance", records::amount(0, currency));
    } else {
        let settled = records::minor(&new.values, "paid_amount") + records::minor(&new.values, "credited_amount");
        new.values.set_std("balance", records::amount(grand - settled, currency));
        if DERIVED.contains(&asked.as_str()) {
            new.values.set_std("status", FieldValue::Text(derived_status(&new.values, today).into()));
        }
    }
    Ok(())
}

/// Gives an invoice being issued its number and dates.
async fn issue(tx: &mut ScopedConn, new: &mut Record, today: NaiveDate) -> Result<(), StoreError> {
    if new.lines.as_ref().is_none_or(Vec::is_empty) {
        return Err(invalid(vec![refusal("lines", "required", "refuse-invoice-no-lines", vec![])]));
    }
    let issued = *records::date(&new.values, "issue_date").get_or_insert(today);
    new.values.set_std("issue_date", FieldValue::Date(issued));
    let terms = match new.values.std("payment_terms_days") {
        FieldValue::Int(days) => *days,
        _ => DEFAULT_TERMS_DAYS,
    };
    new.values.set_std("due_date", FieldValue::Date(issued + chrono::Days::new(terms.max(0) as u64)));
    let (series, format) = if is_credit_note(new) {
        ("invoices.credit_note", "CN-{YYYY}-{NNNNNN}")
    } else {
        ("invoices.number", "INV-{YYYY}-{NNNNNN}")
    };
    let year = issued.year();
    let period = relata_core::document::number_period(format, year);
    // Gapless: taken in this transaction, so a rolled-back issue gives its
    // number back and issuers of one series wait for each other.
    let number = tx.next_number(series, &period, true).await?;
    new.values.set_std("number", FieldValue::Text(relata_core::document::format_number(format, year, number)));
    Ok(())
}

pub async fn after_save(tx: &mut ScopedConn, ctx: &Ctx, old: Option<&Record>, new: &Record) -> Result<(), StoreError> {
    let was = old.map_or("draft", status);
    if is_credit_note(new)
        && was == "draft"
        && status(new) != "draft"
        && status(new) != "cancelled"
        && let Some(corrected) = new.values.ref_id("corrects")
    {
        credit(tx, ctx, corrected, records::minor(&new.values, "grand_total")).await?;
    }
    let moved = |field: &str| old.is_none_or(|o| o.values.std(field) != new.values.std(field));
    if ["status", "balance", "grand_total", "due_date"].iter().any(|f| moved(f))
        && let Some(account) = new.values.ref_id("account")
    {
        refresh_account(tx, ctx, account).await?;
    }
    Ok(())
}

/// Adds a credit note's amount to what its invoice has been credited.
async fn credit(tx: &mut ScopedConn, ctx: &Ctx, invoice: Uuid, amount: i64) -> Result<(), StoreError> {
    let Some(record) = records::get(tx, INVOICES, invoice).await? else { return Err(StoreError::NotFound) };
    let currency = currency_of(&record);
    let credited = records::minor(&record.values, "credited_amount") + amount;
    if credited > records::minor(&record.values, "grand_total") {
        return Err(invalid(vec![refusal("grand_total", "more_than_invoiced", "refuse-credit-over-invoice", vec![])]));
    }
    let mut patch = Values::default();
    patch.set_std("credited_amount", records::amount(credited, currency));
    records::update(tx, ctx, INVOICES, invoice, patch).await.map(drop)
}

fn currency_of(record: &Record) -> Currency {
    records::text(&record.values, "currency")
        .and_then(Currency::parse)
        .or_else(|| records::money(&record.values, "grand_total").map(|m| m.currency))
        .or_else(|| records::money(&record.values, "amount").map(|m| m.currency))
        .unwrap_or_else(|| Currency::parse("EUR").expect("EUR is known"))
}

/// A payment's allocations: invoice → minor units.
fn allocations(record: Option<&Record>) -> BTreeMap<Uuid, i64> {
    let mut out = BTreeMap::new();
    if let Some(r) = record.filter(|r| r.deleted_at.is_none()) {
        for line in r.lines.iter().flatten() {
            if let Some(invoice) = line.values.ref_id("invoice") {
                *out.entry(invoice).or_insert(0) += records::minor(&line.values, "amount");
            }
        }
    }
    out
}

pub async fn payment_before_save(
    tx: &mut ScopedConn,
    _ctx: &Ctx,
    old: Option<&Record>,
    new: &mut Record,
) -> Result<(), StoreError> {
    let mut errors = Vec::new();
    let Some(amount) = records::money(&new.values, "amount") else { return Ok(()) };
    let currency = amount.currency;
    if amount.minor <= 0 {
        errors.push(refusal("amount", "not_positive", "refuse-not-positive", vec![]));
    }
    let account = documents::account_of(tx, new).await?;
    if let Some(billing) = account.as_ref().and_then(|a| records::text(&a.values, "billing_currency"))
        && billing != currency.code()
    {
        errors.push(refusal(
            "amount",
            "currency_mismatch",
            "refuse-billing-currency",
            vec![("currency", billing.into())],
        ));
    }
    if old
        .is_some_and(|o| o.values.ref_id("account") != new.values.ref_id("account") && !allocations(Some(o)).is_empty())
    {
        errors.push(refusal("account", "allocated", "refuse-payment-account", vec![]));
    }
    let refund = records::text(&new.values, "kind") == Some("refund");
    let before = allocations(old);
    let mut seen = std::collections::HashSet::new();
    let mut allocated = 0i64;
    for (i, line) in new.lines.iter().flatten().enumerate() {
        let share = records::minor(&line.values, "amount");
        allocated += share;
        if refund {
            errors.push(refusal(format!("lines[{i}]"), "refund", "refuse-refund-allocated", vec![]));
            continue;
        }
        if share <= 0 {
            errors.push(refusal(format!("lines[{i}].amount"), "not_positive", "refuse-not-positive", vec![]));
        }
        let Some(invoice_id) = line.values.ref_id("invoice") else { continue };
        if !seen.insert(invoice_id) {
            errors.push(refusal(format!("lines[{i}].invoice"), "duplicate", "refuse-payment-invoice-twice", vec![]));
            continue;
        }
        let Some(invoice) = records::get(tx, INVOICES, invoice_id).await? else { continue };
        let number = match records::text(&invoice.values, "number") {
            Some(number) => Arg::from(number),
            None => Arg::Label { id: "refuse-a-draft".into(), fallback: "a draft".into() },
        };
        let mut problem = |code: &'static str, id: &'static str, mut args: Vec<(&'static str, Arg)>| {
            args.push(("number", number.clone()));
            errors.push(refusal(format!("lines[{i}].invoice"), code, id, args));
        };
        if invoice.values.ref_id("account") != new.values.ref_id("account") {
            problem("other_account", "refuse-payment-other-account", vec![]);
        } else if is_credit_note(&invoice) {
            problem("credit_note", "refuse-payment-credit-note", vec![]);
        } else if !OPEN.contains(&status(&invoice)) && !before.contains_key(&invoice_id) {
            problem(
                "not_payable",
                "refuse-payment-not-payable",
                vec![("status", option(INVOICES, "status", status(&invoice)))],
            );
        } else if currency_of(&invoice) != currency {
            problem(
                "currency_mismatch",
                "refuse-payment-currency",
                vec![("currency", currency_of(&invoice).to_string().into())],
            );
        } else {
            let room = records::minor(&invoice.values, "balance") + before.get(&invoice_id).copied().unwrap_or(0);
            if share > room {
                let args = vec![("number", number.clone()), ("balance", records::shown(room, currency).into())];
                errors.push(refusal(
                    format!("lines[{i}].amount"),
                    "over_allocation",
                    "refuse-payment-over-balance",
                    args,
                ));
            }
        }
    }
    if allocated > amount.minor {
        let args = vec![
            ("allocated", records::shown(allocated, currency).into()),
            ("amount", records::shown(amount.minor, currency).into()),
        ];
        errors.push(refusal("lines", "over_allocation", "refuse-payment-over-amount", args));
    }
    if refund {
        let credit = account.as_ref().map_or(0, |a| records::minor(&a.values, "credit_balance"));
        let own = old
            .filter(|o| records::text(&o.values, "kind") == Some("refund"))
            .map_or(0, |o| records::minor(&o.values, "amount"));
        if amount.minor > credit + own {
            let args = vec![("credit", records::shown(credit + own, currency).into())];
            errors.push(refusal("amount", "more_than_credit", "refuse-refund-over-credit", args));
        }
    }
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    let held = if refund { 0 } else { amount.minor - allocated };
    new.values.set_std("allocated_amount", records::amount(allocated, currency));
    new.values.set_std("unallocated_amount", records::amount(held, currency));
    Ok(())
}

/// Applies the change of a payment's allocations to its invoices (a
/// trashed payment allocates nothing), then refreshes its account.
pub async fn payment_after_save(
    tx: &mut ScopedConn,
    ctx: &Ctx,
    old: Option<&Record>,
    new: &Record,
) -> Result<(), StoreError> {
    let changed_accounts = apply_allocations(tx, ctx, old, new).await?;
    // Each changed invoice refreshed its account after this payment was
    // stored; an account none of them belongs to is refreshed here.
    for account in [old.and_then(|o| o.values.ref_id("account")), new.values.ref_id("account")].into_iter().flatten() {
        if !changed_accounts.contains(&account) {
            refresh_account(tx, ctx, account).await?;
        }
    }
    Ok(())
}

/// Payments stored in bulk (an import): each one's allocations applied as
/// for one payment, and each account refreshed at most once. An account
/// already billed in the payments' currency whose invoices did not move
/// only has its credit moved by what the payments hold (or refund), so a
/// batch costs the same however many payments the accounts already have.
pub async fn payments_after_insert_many(tx: &mut ScopedConn, ctx: &Ctx, payments: &[Record]) -> Result<(), StoreError> {
    let mut refreshed = std::collections::BTreeSet::new();
    let mut credit: std::collections::BTreeMap<Uuid, (i64, Option<Currency>)> = std::collections::BTreeMap::new();
    for payment in payments {
        refreshed.extend(apply_allocations(tx, ctx, None, payment).await?);
        let Some(account) = payment.values.ref_id("account") else { continue };
        let moved = if records::text(&payment.values, "kind") == Some("refund") {
            -records::minor(&payment.values, "amount")
        } else {
            records::minor(&payment.values, "unallocated_amount")
        };
        let entry = credit.entry(account).or_insert((0, Some(currency_of(payment))));
        entry.0 += moved;
        if entry.1 != Some(currency_of(payment)) {
            entry.1 = None;
        }
    }
    for (account, (moved, currency)) in credit {
        if refreshed.contains(&account) {
            continue;
        }
        let Some(record) = records::get(tx, ACCOUNTS, account).await? else { continue };
        let billed = records::text(&record.values, "billing_currency").and_then(Currency::parse);
        match (billed, currency) {
            (Some(billed), Some(currency)) if billed == currency => {
                if moved != 0 {
                    let mut patch = Values::default();
                    let held = records::minor(&record.values, "credit_balance") + moved;
                    patch.set_std("credit_balance", records::amount(held, currency));
                    records::update(tx, ctx, ACCOUNTS, account, patch).await?;
                }
            }
            _ => refresh_account(tx, ctx, account).await?,
        }
    }
    Ok(())
}

/// Moves the invoices' paid amounts by the change of a payment's
/// allocations; returns the accounts of the invoices that moved (each
/// refreshed by its invoice's update).
async fn apply_allocations(
    tx: &mut ScopedConn,
    ctx: &Ctx,
    old: Option<&Record>,
    new: &Record,
) -> Result<std::collections::BTreeSet<Uuid>, StoreError> {
    let before = allocations(old);
    let after = allocations(Some(new));
    let invoices: std::collections::BTreeSet<Uuid> = before.keys().chain(after.keys()).copied().collect();
    let mut changed_accounts = std::collections::BTreeSet::new();
    for invoice in invoices {
        let delta = after.get(&invoice).copied().unwrap_or(0) - before.get(&invoice).copied().unwrap_or(0);
        if delta == 0 {
            continue;
        }
        let Some(record) = records::get(tx, INVOICES, invoice).await? else { continue };
        let currency = currency_of(&record);
        let paid = records::minor(&record.values, "paid_amount") + delta;
        if paid > records::minor(&record.values, "grand_total") - records::minor(&record.values, "credited_amount") {
            return Err(invalid(vec![refusal("lines", "over_allocation", "refuse-invoice-overpaid", vec![])]));
        }
        let mut patch = Values::default();
        patch.set_std("paid_amount", records::amount(paid, currency));
        let updated = records::update(tx, ctx, INVOICES, invoice, patch).await?;
        changed_accounts.extend(updated.values.ref_id("account"));
    }
    Ok(changed_accounts)
}

/// What a trashed or restored payment changes: as if its allocations were
/// removed or made again.
pub async fn payment_after_trash(
    tx: &mut ScopedConn,
    ctx: &Ctx,
    op: relata_app::module::TrashOp,
    record: &Record,
) -> Result<(), StoreError> {
    let mut live = record.clone();
    live.deleted_at = None;
    // Lines are read with their header only; the record handed to the hook
    // may come without them.
    if live.lines.is_none() {
        let schema = relata_core::meta::Schema::standard(PAYMENTS);
        if let Some(full) = tx.get_record(&schema, record.id, true).await? {
            live.lines = full.lines;
        }
    }
    match op {
        relata_app::module::TrashOp::Delete => payment_after_save(tx, ctx, Some(&live), &empty(&live)).await,
        relata_app::module::TrashOp::Restore => {
            let mut check = live.clone();
            payment_before_save(tx, ctx, None, &mut check).await?;
            payment_after_save(tx, ctx, Some(&empty(&live)), &live).await
        }
    }
}

/// The same payment with no allocations.
fn empty(payment: &Record) -> Record {
    Record { lines: Some(Vec::new()), ..payment.clone() }
}

/// Invoices may be trashed only as drafts: an issued one is cancelled.
pub fn before_trash(record: &Record) -> Result<(), StoreError> {
    if status(record) != "draft" && status(record) != "cancelled" {
        return Err(invalid(vec![refusal("status", "issued", "refuse-invoice-delete-issued", vec![])]));
    }
    Ok(())
}

/// Recomputes an account's figures from its invoices and payments, in the
/// currency it is billed in (set by its first invoice or payment).
pub async fn refresh_account(tx: &mut ScopedConn, ctx: &Ctx, account: Uuid) -> Result<(), StoreError> {
    let Some(record) = records::get(tx, ACCOUNTS, account).await? else { return Ok(()) };
    let today = tx.now().date_naive();
    let invoices = records::all_where(tx, INVOICES, "account", FieldValue::Ref(account)).await?;
    let payments = records::all_where(tx, PAYMENTS, "account", FieldValue::Ref(account)).await?;
    let billing = records::text(&record.values, "billing_currency")
        .and_then(Currency::parse)
        .or_else(|| invoices.iter().find(|i| status(i) != "draft").map(currency_of))
        .or_else(|| payments.first().map(currency_of));
    let Some(currency) = billing else { return Ok(()) };
    let (mut open, mut overdue, mut oldest_due) = (0i64, 0i64, None::<NaiveDate>);
    for invoice in invoices.iter().filter(|i| !is_credit_note(i) && OPEN.contains(&status(i))) {
        let balance = records::minor(&invoice.values, "balance");
        open += balance;
        if let Some(due) = records::date(&invoice.values, "due_date").filter(|due| *due < today) {
            overdue += balance;
            oldest_due = Some(oldest_due.map_or(due, |o| o.min(due)));
        }
    }
    let (mut this_year, mut last_year, mut total, mut credit) = (0i64, 0i64, 0i64, 0i64);
    for payment in &payments {
        let day = records::date(&payment.values, "payment_date").unwrap_or(payment.created_at.date_naive());
        if records::text(&payment.values, "kind") == Some("refund") {
            credit -= records::minor(&payment.values, "amount");
            continue;
        }
        let allocated = records::minor(&payment.values, "allocated_amount");
        credit += records::minor(&payment.values, "unallocated_amount");
        total += allocated;
        if day.year() == today.year() {
            this_year += allocated;
        } else if day.year() == today.year() - 1 {
            last_year += allocated;
        }
    }
    let mut patch = Values::default();
    patch.set_std("billing_currency", FieldValue::Text(currency.code().into()));
    for (field, value) in [
        ("revenue_this_year", this_year),
        ("revenue_last_year", last_year),
        ("revenue_total", total),
        ("open_balance", open),
        ("overdue_amount", overdue),
        ("credit_balance", credit),
    ] {
        patch.set_std(field, records::amount(value, currency));
    }
    patch.set_std("overdue_days", FieldValue::Int(oldest_due.map_or(0, |due| (today - due).num_days())));
    let changed = [
        "billing_currency",
        "revenue_this_year",
        "revenue_last_year",
        "revenue_total",
        "open_balance",
        "overdue_amount",
        "credit_balance",
        "overdue_days",
    ]
    .iter()
    .any(|f| record.values.std(f) != patch.std(f));
    if changed {
        records::update(tx, ctx, ACCOUNTS, account, patch).await?;
    }
    Ok(())
}

/// The daily pass: invoices whose due date has passed become overdue and
/// their accounts' overdue figures move on. Returns how many invoices and
/// accounts it changed.
pub async fn overdue_pass(tx: &mut ScopedConn, ctx: &Ctx) -> Result<(u64, u64), StoreError> {
    let today = tx.now().date_naive();
    let mut invoices = 0;
    let mut accounts = std::collections::BTreeSet::new();
    for state in ["issued", "partly_paid", "overdue"] {
        for invoice in records::all_where(tx, INVOICES, "status", FieldValue::Text(state.into())).await? {
            if records::date(&invoice.values, "due_date").is_none_or(|d| d >= today) {
                continue;
            }
            if state == "overdue" {
                // Its account's days overdue move on with the date.
                accounts.extend(invoice.values.ref_id("account"));
            } else {
                // An empty patch: saving the invoice again lets its rules
                // derive the status from today's date, and refresh its account.
                records::update(tx, ctx, INVOICES, invoice.id.uuid(), Values::default()).await?;
                invoices += 1;
            }
        }
    }
    for account in &accounts {
        refresh_account(tx, ctx, *account).await?;
    }
    Ok((invoices, accounts.len() as u64))
}

/// `GET /api/v1/accounts/{id}/revenue`: an account's revenue by year, in
/// its billing currency: what was invoiced (issued invoices less credit
/// notes, by issue date) and what was paid (allocated payments, by payment
/// date), from the documents the caller may read.
pub async fn revenue_by_year(
    app: &relata_app::App,
    ctx: &Ctx,
    account: relata_core::RecordId,
) -> Result<serde_json::Value, relata_app::error::AppError> {
    ctx.access.check_kind(ACCOUNTS, relata_core::access::Right::Read)?;
    let mut conn = app.reader(ctx).await?;
    let Some(record) = conn.get_record(&relata_core::meta::Schema::standard(ACCOUNTS), account, false).await? else {
        return Err(relata_app::write::missing_or_hidden(&mut conn, ACCOUNTS, account).await);
    };
    let id = FieldValue::Ref(account.uuid());
    let invoices = records::all_where(&mut conn, INVOICES, "account", id.clone()).await?;
    let payments = records::all_where(&mut conn, PAYMENTS, "account", id).await?;
    let currency = records::text(&record.values, "billing_currency").and_then(Currency::parse);
    let mut years: BTreeMap<i32, (i64, i64)> = BTreeMap::new();
    for invoice in invoices.iter().filter(|i| DERIVED.contains(&status(i)) || status(i) == "written_off") {
        let Some(day) = records::date(&invoice.values, "issue_date") else { continue };
        let total = records::minor(&invoice.values, "grand_total");
        years.entry(day.year()).or_default().0 += if is_credit_note(invoice) { -total } else { total };
    }
    for payment in payments.iter().filter(|p| records::text(&p.values, "kind") != Some("refund")) {
        let day = records::date(&payment.values, "payment_date").unwrap_or(payment.created_at.date_naive());
        years.entry(day.year()).or_default().1 += records::minor(&payment.values, "allocated_amount");
    }
    let shown = |minor: i64| currency.map(|c| serde_json::json!(relata_core::money::Money::new(minor, c)));
    let rows: Vec<serde_json::Value> = years
        .iter()
        .rev()
        .map(|(year, (invoiced, paid))| serde_json::json!({"year": year, "invoiced": shown(*invoiced), "paid": shown(*paid)}))
        .collect();
    Ok(serde_json::json!({"account": account.to_string(), "currency": currency.map(|c| c.code()), "years": rows}))
}
