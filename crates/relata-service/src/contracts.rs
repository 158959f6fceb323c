//! Service contracts and warranties: what an account is covered for (its
//! products, or everything when no product is listed) between two dates,
//! with the SLA policy that sets a covered case's targets and entitlements
//! (visits, hours) counted against the cases worked under it. A case shows
//! whether and by what it is covered; a contract nearing its end gives its
//! owner a renewal task ahead of time (through a job).

use crate::entities::{CASES, SERVICE_CONTRACTS};
use crate::sla::record;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use relata_app::Ctx;
use relata_app::error::into_store;
use relata_app::jobs::{JobError, JobHandler};
use relata_app::module::BoxFuture;
use relata_core::decimal::Decimal;
use relata_core::error::ValidationError;
use relata_core::filter::{Filter, Op};
use relata_core::meta::Schema;
use relata_core::value::{FieldValue, Values};
use relata_core::{Record, RecordId};
use relata_store::jobs::{Job, NewJob};
use relata_store::{ScopedConn, StoreError};
use serde_json::json;
use uuid::Uuid;

pub const RENEWAL_JOB: &str = "service.renewal";
/// Renewal tasks come this many days before the end unless the contract says.
pub const DEFAULT_NOTICE_DAYS: i64 = 30;

/// A contract's own rules: it ends on or after the day it starts.
pub fn check(contract: &Record) -> Result<(), StoreError> {
    if let (Some(starts), Some(ends)) = (contract.values.date("starts_on"), contract.values.date("ends_on"))
        && ends < starts
    {
        return Err(StoreError::Invalid(ValidationError::single("ends_on", "before_start", "ends before it starts")));
    }
    Ok(())
}

/// Whether `contract` covers a case about `product` on `day`.
fn covers(contract: &Record, product: Option<Uuid>, day: NaiveDate) -> bool {
    let active = contract.values.text("status") != Some("cancelled");
    let in_time = contract.values.date("starts_on").is_none_or(|s| s <= day)
        && contract.values.date("ends_on").is_none_or(|e| day <= e);
    let products: Vec<Uuid> = contract.lines.iter().flatten().filter_map(|l| l.values.ref_id("product")).collect();
    let for_product = products.is_empty() || product.is_some_and(|p| products.contains(&p));
    active && in_time && for_product
}

/// Sets a case's `contract` (the one given, if it covers the case; else
/// the account's covering contract, contracts before warranties, the
/// latest to end first) and says in `coverage` what covers it, or why
/// nothing does.
pub async fn cover(tx: &mut ScopedConn, case: &mut Record) -> Result<(), StoreError> {
    let day = case.created_at.date_naive();
    let product = case.values.ref_id("product");
    let Some(account) = case.values.ref_id("account") else {
        case.values.set_std("contract", FieldValue::Null);
        case.values.set_std("coverage", FieldValue::Text("Not covered: the case names no account".into()));
        return Ok(());
    };
    let schema = Schema::standard(SERVICE_CONTRACTS);
    let filter = Filter::Compare {
        field: schema.field("account").expect("a field of contracts"),
        op: Op::Eq,
        value: FieldValue::Ref(account),
    };
    let mut candidates = Vec::new();
    for listed in relata_app::read::every_in(tx, &schema, filter).await? {
        // Lists leave lines out; the covered products are lines.
        if let Some(contract) = tx.get_record(&schema, listed.id, false).await?
            && covers(&contract, product, day)
        {
            candidates.push(contract);
        }
    }
    candidates
        .sort_by_key(|c| (c.values.text("kind") == Some("warranty"), std::cmp::Reverse(c.values.date("ends_on"))));
    let given = case.values.ref_id("contract");
    let chosen = given.and_then(|g| candidates.iter().find(|c| c.id.uuid() == g)).or(candidates.first());
    let Some(contract) = chosen else {
        let why =
            if given.is_some() { "the contract given does not cover it" } else { "no active contract or warranty" };
        case.values.set_std("contract", FieldValue::Null);
        case.values.set_std("coverage", FieldValue::Text(format!("Not covered: {why} for this customer or product")));
        return Ok(());
    };
    case.values.set_std("contract", FieldValue::Ref(contract.id.uuid()));
    case.values.set_std("coverage", FieldValue::Text(coverage_text(contract)));
    Ok(())
}

fn coverage_text(contract: &Record) -> String {
    let kind = if contract.values.text("kind") == Some("warranty") { "warranty" } else { "contract" };
    let name = contract.values.text("name").unwrap_or_default();
    let mut text = format!("Covered by {kind} {name}");
    if let Some(ends) = contract.values.date("ends_on") {
        text.push_str(&format!(" until {ends}"));
    }
    if let Some(included) = contract.values.int("visits_included") {
        let used = contract.values.int("visits_used").unwrap_or(0);
        text.push_str(&format!("; {used} of {included} visits used"));
        if used >= included {
            text.push_str(" (none left)");
        }
    }
    if let FieldValue::Decimal(included) = contract.values.std("hours_included") {
        let used = match contract.values.std("hours_used") {
            FieldValue::Decimal(d) => d.to_string(),
            _ => "0".into(),
        };
        text.push_str(&format!("; {used} of {included} hours used"));
    }
    text
}

/// Counts what the cases under `contract` used of it (visits on site, hours
/// spent) into the contract.
pub async fn count_use(tx: &mut ScopedConn, ctx: &Ctx, contract: Uuid) -> Result<(), StoreError> {
    let cases = Schema::standard(CASES);
    let filter = Filter::Compare {
        field: cases.field("contract").expect("a field of cases"),
        op: Op::Eq,
        value: FieldValue::Ref(contract),
    };
    let worked = relata_app::read::every_in(tx, &cases, filter).await?;
    let visits = worked.iter().filter(|c| matches!(c.values.std("on_site_visit"), FieldValue::Bool(true))).count();
    let mut hours = Decimal::new(0, 2);
    for case in &worked {
        if let FieldValue::Decimal(spent) = case.values.std("hours_spent") {
            hours = hours.checked_add(*spent).unwrap_or(hours);
        }
    }
    let mut patch = Values::default();
    patch.set_std("visits_used", FieldValue::Int(visits as i64));
    patch.set_std("hours_used", FieldValue::Decimal(hours));
    let relata = Ctx::new(ctx.workspace.clone(), None);
    let schema = Schema::standard(SERVICE_CONTRACTS);
    relata_app::write::update_in(tx, &relata, &schema, RecordId::from_uuid(contract), patch, None)
        .await
        .map(drop)
        .map_err(into_store)
}

/// When a contract's renewal task is due: its notice before the end, at
/// eight in the morning (UTC); at once when that has passed.
fn renewal_at(contract: &Record, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let ends = contract.values.date("ends_on")?;
    let notice = contract.values.int("renewal_notice_days").unwrap_or(DEFAULT_NOTICE_DAYS);
    let at = (ends - Duration::days(notice)).and_time(NaiveTime::from_hms_opt(8, 0, 0)?).and_utc();
    (ends >= now.date_naive()).then_some(at.max(now))
}

/// After a contract is saved: its renewal task is planned (once per end date).
pub async fn plan_renewal(tx: &mut ScopedConn, contract: &Record) -> Result<(), StoreError> {
    if contract.values.text("status") == Some("cancelled") {
        return Ok(());
    }
    let Some(at) = renewal_at(contract, tx.now()) else { return Ok(()) };
    let ends = contract.values.date("ends_on").map(|d| d.to_string()).unwrap_or_default();
    tx.enqueue_jobs(&[NewJob {
        kind: RENEWAL_JOB.into(),
        payload: json!({"contract": contract.id.to_string(), "ends_on": ends}),
        run_at: at,
        max_attempts: 5,
        idempotency_key: Some(format!("renewal.{}.{ends}", contract.id)),
        schedule: None,
    }])
    .await
}

/// `service.renewal`: a task for the contract's owner to renew it, unless
/// it was renewed (its end moved) or cancelled meanwhile.
pub struct RenewalJob;

impl JobHandler for RenewalJob {
    fn kind(&self) -> &'static str {
        RENEWAL_JOB
    }

    fn run<'a>(&'a self, app: &'a relata_app::App, job: &'a Job) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move {
            let ws = relata_app::jobs::workspace_of(app, job).await?;
            let ctx = Ctx::new(ws, None);
            let id = job
                .payload
                .get("contract")
                .and_then(serde_json::Value::as_str)
                .and_then(|s| s.parse::<Uuid>().ok())
                .ok_or_else(|| JobError::Fail("payload.contract: a contract id".into()))?;
            let ends = job.payload.get("ends_on").and_then(serde_json::Value::as_str).unwrap_or_default();
            let outcome = async {
                let mut tx = app.writer(&ctx).await?;
                let Some(contract) = record(&mut tx, SERVICE_CONTRACTS, Some(id)).await? else { return Ok(()) };
                let current = contract.values.date("ends_on").map(|d| d.to_string()).unwrap_or_default();
                if current != ends || contract.values.text("status") == Some("cancelled") {
                    return Ok(());
                }
                let mut task = Values::default();
                let name = contract.values.text("name").unwrap_or_default();
                task.set_std("kind", FieldValue::Text("task".into()));
                task.set_std("subject", FieldValue::Text(format!("Renew {name} (ends {ends})")));
                task.set_std("account", contract.values.std("account").clone());
                task.set_std("owner", contract.values.std("owner").clone());
                if let Some(day) = contract.values.date("ends_on") {
                    let due = day.and_time(NaiveTime::from_hms_opt(9, 0, 0).unwrap_or(NaiveTime::MIN)).and_utc();
                    task.set_std("due_at", FieldValue::DateTime(due - Duration::days(7)));
                }
                let activities = Schema::standard(relata_crm::ACTIVITIES);
                relata_app::write::create_in(&mut tx, &ctx, &activities, task).await?;
                tx.commit().await?;
                Ok::<(), relata_app::AppError>(())
            }
            .await;
            outcome.map_err(|e| JobError::Retry(e.to_string()))
        })
    }
}
