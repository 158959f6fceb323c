//! Service levels: which policy a case falls under, when its first
//! response and its resolution are due in business time, where it stands
//! against them, and the `service.sla` job that finds the cases whose
//! standing changed with time (warnings, breaches) and saves them, which
//! escalates them (see [`crate::cases`]).

use crate::calendar::{BusinessCalendar, CalendarLine, CalendarProblem, parse_time};
use crate::entities::{CASES, PRIORITIES, SERVICE_CALENDARS, SERVICE_TEAMS, SLA_POLICIES};
use chrono::{DateTime, Duration, Utc, Weekday};
use relata_app::jobs::{JobError, JobHandler};
use relata_app::module::BoxFuture;
use relata_app::{App, Ctx};
use relata_core::error::FieldError;
use relata_core::filter::{Filter, Op};
use relata_core::meta::Schema;
use relata_core::value::FieldValue;
use relata_core::{Record, RecordId};
use relata_i18n::refusal;
use relata_store::jobs::Job;
use relata_store::{ScopedConn, StoreError};
use uuid::Uuid;

pub const SLA_JOB: &str = "service.sla";
/// Warned this long before a target when the policy says nothing.
pub const DEFAULT_WARN_MINUTES: i64 = 60;
/// Statuses in which a case is being worked (the clock runs).
pub const RUNNING: &[&str] = &["new", "open", "waiting_on_third_party"];

pub(crate) async fn record(
    tx: &mut ScopedConn,
    kind: relata_core::meta::EntityKind,
    id: Option<Uuid>,
) -> Result<Option<Record>, StoreError> {
    let Some(id) = id else { return Ok(None) };
    tx.get_record(&Schema::standard(kind), RecordId::from_uuid(id), false).await
}

/// A calendar record as business time; its problems by field
/// (`lines[2].start`, `time_zone`).
pub fn calendar_of(record: &Record) -> Result<BusinessCalendar, Vec<FieldError>> {
    let zone_text = record.values.text("time_zone").unwrap_or("UTC");
    let zone = zone_text.parse::<chrono_tz::Tz>();
    let mut errors = Vec::new();
    let mut lines = Vec::new();
    for (i, line) in record.lines.iter().flatten().enumerate() {
        let text = |id: &str| line.values.std(id).as_text().map(str::to_string);
        let day = text("day").unwrap_or_default();
        if day == "holiday" {
            match line.values.std("date") {
                FieldValue::Date(d) => lines.push(CalendarLine::Holiday(*d)),
                _ => errors.push(refusal(format!("lines[{i}].date"), "required", "refuse-holiday-date", vec![])),
            }
            continue;
        }
        let Some(weekday) = weekday(&day) else { continue };
        let mut time = |id: &str| match text(id).as_deref().map(parse_time) {
            Some(Some(t)) => Some(t),
            Some(None) => {
                errors.push(refusal(format!("lines[{i}].{id}"), "invalid", "refuse-time-of-day", vec![]));
                None
            }
            None => {
                errors.push(refusal(format!("lines[{i}].{id}"), "required", "refuse-hours-time", vec![]));
                None
            }
        };
        if let (Some(start), Some(end)) = (time("start"), time("end")) {
            lines.push(CalendarLine::Hours { weekday, start, end });
        }
    }
    let zone = match zone {
        Ok(zone) => Some(zone),
        Err(_) => {
            errors.push(refusal("time_zone", "invalid", "refuse-calendar-zone", vec![("zone", zone_text.into())]));
            None
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    BusinessCalendar::new(zone.unwrap_or(chrono_tz::Tz::UTC), &lines)
        .map_err(|problems| problems.into_iter().map(problem_error).collect())
}

fn problem_error(p: CalendarProblem) -> FieldError {
    let field = match p.line {
        Some(i) => format!("lines[{i}].{}", p.field),
        None => p.field.to_string(),
    };
    refusal(field, "invalid", p.said, vec![])
}

fn weekday(day: &str) -> Option<Weekday> {
    Some(match day {
        "monday" => Weekday::Mon,
        "tuesday" => Weekday::Tue,
        "wednesday" => Weekday::Wed,
        "thursday" => Weekday::Thu,
        "friday" => Weekday::Fri,
        "saturday" => Weekday::Sat,
        "sunday" => Weekday::Sun,
        _ => return None,
    })
}

/// The kind of customer policies and routing rules name: `key_account`
/// for a key account, else `other`.
pub fn customer_kind(account: Option<&Record>) -> &'static str {
    let key = account.is_some_and(|a| matches!(a.values.std("key_account"), FieldValue::Bool(true)));
    if key { "key_account" } else { "other" }
}

/// The kind of customer of the case's account.
async fn customer_of(tx: &mut ScopedConn, case: &Record) -> Result<&'static str, StoreError> {
    let account = record(tx, relata_crm::ACCOUNTS, case.values.ref_id("account")).await?;
    Ok(customer_kind(account.as_ref()))
}

/// The active policy for a case: its contract's, else (among those not
/// only for contracts) one that names its priority and kind of customer
/// beats one that names only one of them, which beats one for all; among
/// equals, the first made.
pub async fn policy_for(tx: &mut ScopedConn, case: &Record) -> Result<Option<Record>, StoreError> {
    // A contract's own policy comes first.
    let contract = record(tx, crate::entities::SERVICE_CONTRACTS, case.values.ref_id("contract")).await?;
    if let Some(policy) = record(tx, SLA_POLICIES, contract.and_then(|c| c.values.ref_id("sla_policy"))).await?
        && matches!(policy.values.std("active"), FieldValue::Bool(true) | FieldValue::Null)
    {
        return Ok(Some(policy));
    }
    let schema = Schema::standard(SLA_POLICIES);
    let active = schema.field("active").expect("a field of SLA policies");
    let filter = Filter::Compare { field: active, op: Op::Eq, value: FieldValue::Bool(true) };
    let policies = relata_app::read::every_in(tx, &schema, filter).await?;
    let priority = case.values.text("priority").unwrap_or("normal");
    let customer = customer_of(tx, case).await?;
    let fits = |p: &Record, field: &str, value: &str| match p.values.text(field) {
        None => Some(0),
        Some(v) if v == value => Some(1),
        Some(_) => None,
    };
    let best = policies
        .into_iter()
        .filter(|p| !matches!(p.values.std("contract_only"), FieldValue::Bool(true)))
        .filter_map(|p| Some((fits(&p, "priority", priority)? + fits(&p, "customer", customer)?, p)))
        .max_by(|(a, p), (b, q)| a.cmp(b).then(q.created_at.cmp(&p.created_at)).then(q.id.uuid().cmp(&p.id.uuid())));
    Ok(best.map(|(_, p)| p))
}

/// The business time a case is counted in: its policy's calendar, else its
/// team's, else every hour of every day.
pub async fn calendar_for(
    tx: &mut ScopedConn,
    policy: Option<&Record>,
    case: &Record,
) -> Result<BusinessCalendar, StoreError> {
    let mut calendar = policy.and_then(|p| p.values.ref_id("calendar"));
    if calendar.is_none() {
        calendar =
            record(tx, SERVICE_TEAMS, case.values.ref_id("team")).await?.and_then(|t| t.values.ref_id("calendar"));
    }
    Ok(match record(tx, SERVICE_CALENDARS, calendar).await? {
        // A stored calendar passed its checks when saved.
        Some(c) => calendar_of(&c).unwrap_or_else(|_| BusinessCalendar::always()),
        None => BusinessCalendar::always(),
    })
}

/// When the first response and the resolution are due: the policy's
/// targets in business time from the case's creation, moved on by the
/// business time spent waiting on the customer.
pub fn dues(
    calendar: &BusinessCalendar,
    policy: &Record,
    case: &Record,
) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    let waited = case.values.int("paused_minutes").unwrap_or(0);
    let due = |target: &str| calendar.add(case.created_at, policy.values.int(target).unwrap_or(0) + waited);
    (due("first_response_minutes"), due("resolution_minutes"))
}

/// Where a case stands against its targets at `now`.
pub fn standing(case: &Record, warn_minutes: i64, now: DateTime<Utc>) -> &'static str {
    let status = case.values.text("status").unwrap_or("new");
    let first_due = case.values.datetime("first_response_due");
    let resolution_due = case.values.datetime("resolution_due");
    let responded = case.values.datetime("first_response_at");
    let late = |done: Option<DateTime<Utc>>, due: Option<DateTime<Utc>>| match (done, due) {
        (_, None) => false,
        (Some(done), Some(due)) => done > due,
        (None, Some(due)) => now > due,
    };
    if late(responded, first_due) {
        return "breached";
    }
    match status {
        "resolved" | "closed" => {
            if late(case.values.datetime("resolved_at").or(Some(now)), resolution_due) {
                "breached"
            } else {
                "met"
            }
        }
        "waiting_on_customer" => "paused",
        _ if late(None, resolution_due) => "breached",
        _ => {
            let next =
                if responded.is_none() { first_due.into_iter().chain(resolution_due).min() } else { resolution_due };
            match next {
                Some(due) if now + Duration::minutes(warn_minutes) >= due => "warning",
                _ => "on_track",
            }
        }
    }
}

/// The warning time of a policy.
pub fn warn_minutes(policy: Option<&Record>) -> i64 {
    policy.and_then(|p| p.values.int("warn_before_minutes")).unwrap_or(DEFAULT_WARN_MINUTES)
}

/// The next priority up, if there is one.
pub fn raised(priority: &str) -> Option<&'static str> {
    let at = PRIORITIES.iter().position(|p| *p == priority)?;
    PRIORITIES.get(at + 1).copied()
}

/// When a worked case's standing will next change by itself (its warning
/// time, else its due time, of the next target), if it will.
pub fn next_check(case: &Record, warn_minutes: i64, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if !RUNNING.contains(&case.values.text("status").unwrap_or("new"))
        || matches!(case.values.text("sla_status"), None | Some("breached"))
    {
        return None;
    }
    let mut targets = vec![case.values.datetime("resolution_due")];
    if case.values.datetime("first_response_at").is_none() {
        targets.push(case.values.datetime("first_response_due"));
    }
    targets
        .into_iter()
        .flatten()
        .filter_map(|due| {
            let warn_at = due - Duration::minutes(warn_minutes);
            if warn_at > now { Some(warn_at) } else { (due > now).then_some(due) }
        })
        .min()
}

/// The job that saves every worked case again (after a change of the
/// calendars or policies their due times come from), once per change.
pub fn everything_job(changed: &Record, at: DateTime<Utc>) -> relata_store::jobs::NewJob {
    relata_store::jobs::NewJob {
        kind: SLA_JOB.into(),
        payload: serde_json::json!({"all": true}),
        run_at: at,
        max_attempts: 5,
        idempotency_key: Some(format!("sla.all.{}.{}", changed.id, changed.version)),
        schedule: None,
    }
}

/// The job that brings a case's standing up to date at `at`.
pub fn check_job(case: RecordId, at: DateTime<Utc>) -> relata_store::jobs::NewJob {
    relata_store::jobs::NewJob {
        kind: SLA_JOB.into(),
        payload: serde_json::json!({"case": case.to_string()}),
        run_at: at,
        max_attempts: 5,
        idempotency_key: Some(format!("sla.{case}.{}", at.timestamp())),
        schedule: None,
    }
}

/// `service.sla`: saves a case again when its standing is due to change
/// (the save brings it up to date and escalates a breach, and plans the
/// next check); without a case in the payload (an administrator's
/// request), every worked case near or past a target.
pub struct SlaJob;

impl JobHandler for SlaJob {
    fn kind(&self) -> &'static str {
        SLA_JOB
    }

    fn enqueued_by_administrators(&self) -> bool {
        true
    }

    fn run<'a>(&'a self, app: &'a App, job: &'a Job) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move {
            let ws = relata_app::jobs::workspace_of(app, job).await?;
            let ctx = Ctx::new(ws, None);
            let outcome = match job.payload.get("case").and_then(serde_json::Value::as_str) {
                Some(id) => {
                    let id: RecordId = id.parse().map_err(|_| JobError::Fail("payload.case: a case id".into()))?;
                    refresh(app, &ctx, id).await.map(drop)
                }
                None if job.payload.get("all") == Some(&serde_json::Value::Bool(true)) => {
                    evaluate(app, &ctx, Pass::Everything).await.map(drop)
                }
                None => evaluate(app, &ctx, Pass::DueSoon).await.map(drop),
            };
            outcome.map_err(|e| JobError::Retry(e.to_string()))
        })
    }
}

/// Saves a live case again (its standing brought up to date); true when
/// that changed it.
async fn refresh(app: &App, ctx: &Ctx, id: RecordId) -> Result<bool, relata_app::AppError> {
    let schema = Schema::standard(CASES);
    let mut tx = app.writer(ctx).await?;
    let Some(case) = tx.get_record(&schema, id, false).await? else { return Ok(false) };
    let changed = refresh_in(&mut tx, ctx, &schema, &case).await?;
    tx.commit().await?;
    Ok(changed)
}

/// [`refresh`] in an open transaction, of a case as read.
async fn refresh_in(
    tx: &mut ScopedConn,
    ctx: &Ctx,
    schema: &Schema,
    case: &Record,
) -> Result<bool, relata_app::AppError> {
    let saved = relata_app::write::update_in(tx, ctx, schema, case.id, Default::default(), None).await?;
    Ok(saved.version != case.version)
}

/// Which worked cases a pass saves again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pass {
    /// Those near or past a target (an administrator's check).
    DueSoon,
    /// All of them (a calendar or a policy changed: every due time may move).
    Everything,
}

/// How many cases a pass reads at a time.
const PASS_PAGE: u64 = 500;

/// Brings the worked cases `pass` selects up to date, a page at a time by
/// id (each case once, however the saves change them); returns how many
/// changed.
pub async fn evaluate(app: &App, ctx: &Ctx, pass: Pass) -> Result<u64, relata_app::AppError> {
    let schema = Schema::standard(CASES);
    let policies = {
        let mut conn = app.reader(ctx).await?;
        let all = Schema::standard(SLA_POLICIES);
        let everything = Filter::IsNull { field: all.field("name").expect("a field"), negated: true };
        relata_app::read::every_in(&mut conn, &all, everything).await?
    };
    let longest_warning = policies.iter().map(|p| warn_minutes(Some(p))).max().unwrap_or(DEFAULT_WARN_MINUTES);
    let horizon = FieldValue::DateTime(app.store.now() + Duration::minutes(longest_warning));
    let field = |id: &str| schema.field(id).expect("a field of cases");
    let due_soon = |id: &str| Filter::Compare { field: field(id), op: Op::Le, value: horizon.clone() };
    let texts = |values: &[&str]| values.iter().map(|s| FieldValue::Text(s.to_string())).collect();
    let mut conditions = vec![Filter::In { field: field("status"), values: texts(RUNNING) }];
    if pass == Pass::DueSoon {
        conditions.push(Filter::In { field: field("sla_status"), values: texts(&["on_track", "warning"]) });
        conditions.push(Filter::Or(vec![
            Filter::And(vec![
                due_soon("first_response_due"),
                Filter::IsNull { field: field("first_response_at"), negated: false },
            ]),
            due_soon("resolution_due"),
        ]));
    }
    let sort = relata_core::list::parse_sort(Some("id"), &schema).map_err(relata_store::StoreError::Corrupt)?;
    let mut cursor = None;
    let mut changed = 0;
    loop {
        let page = {
            let mut conn = app.reader(ctx).await?;
            let query = relata_store::records::ListQuery {
                filter: Some(Filter::And(conditions.clone())),
                sort: sort.clone(),
                cursor: cursor.take(),
                limit: PASS_PAGE,
                q: None,
                deleted: false,
                search_order: false,
            };
            conn.list_records(&schema, &query).await?
        };
        // A page in one transaction: one commit per 500 cases, not per case.
        let mut tx = app.writer(ctx).await?;
        for case in &page.records {
            changed += u64::from(refresh_in(&mut tx, ctx, &schema, case).await?);
        }
        tx.commit().await?;
        match page.next_cursor {
            Some(next) => {
                cursor =
                    Some(relata_core::list::Cursor::decode(&next, &sort).map_err(relata_store::StoreError::Corrupt)?)
            }
            None => return Ok(changed),
        }
    }
}
