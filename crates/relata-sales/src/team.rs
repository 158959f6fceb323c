//! A sales team's figures, for the home pages of its manager and its
//! members: open pipeline by owner and stage, win rate, forecast against
//! quota, activities this week, and deals gone quiet. Every figure is read
//! as the viewer may see it (their rights, hidden fields).

use crate::pipeline::{Stage, StageKind, stages_of};
use crate::{OPPORTUNITIES, PIPELINES, QUOTAS};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use relata_app::error::AppError;
use relata_app::read::{self, ListParams};
use relata_app::{App, Ctx};
use relata_core::filter::{Expr, Op};
use relata_core::value::{FieldValue, format_datetime};
use relata_core::{Record, UserId};
use relata_crm::ACTIVITIES;
use std::collections::{HashMap, HashSet};

/// How long without an activity or a change makes a deal stale.
pub const STALE_AFTER_DAYS: i64 = 30;

/// The calendar quarter a day falls in: its first and last days.
pub fn quarter_of(day: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first_month = (day.month0() / 3) * 3 + 1;
    let start = NaiveDate::from_ymd_opt(day.year(), first_month, 1).expect("a valid month");
    let next = if first_month == 10 {
        NaiveDate::from_ymd_opt(day.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(day.year(), first_month + 3, 1)
    };
    (start, next.expect("a valid month") - Duration::days(1))
}

/// The first moment of a day, and of the day after another (UTC).
fn day_bounds(start: NaiveDate, end: NaiveDate) -> (String, String) {
    let at = |d: NaiveDate| format_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight").and_utc());
    (at(start), at(end + Duration::days(1)))
}

fn owned_by(owners: &[UserId]) -> Expr {
    Expr::one_of("owner", owners.iter().copied())
}

/// Deals won and lost.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct WinRate {
    pub won: i64,
    pub lost: i64,
}

impl WinRate {
    /// Won of all closed, as a percentage; `None` when none closed.
    pub fn percent(&self) -> Option<f64> {
        let closed = self.won + self.lost;
        (closed > 0).then(|| self.won as f64 * 100.0 / closed as f64)
    }
}

/// The deals of `owners` closed between two days (inclusive).
pub async fn win_rate(
    app: &App,
    ctx: &Ctx,
    owners: &[UserId],
    (start, end): (NaiveDate, NaiveDate),
) -> Result<WinRate, AppError> {
    let (from, until) = day_bounds(start, end);
    let conditions =
        [owned_by(owners), Expr::compare("closed_at", Op::Ge, from), Expr::compare("closed_at", Op::Lt, until)];
    let counted = read::count_by(app, ctx, OPPORTUNITIES, None, &conditions, Some("status")).await?;
    let mut rate = WinRate::default();
    for (status, n) in counted {
        match status.as_text() {
            Some("won") => rate.won += n,
            Some("lost") => rate.lost += n,
            _ => {}
        }
    }
    Ok(rate)
}

/// The pipelines a viewer may read, by id, with their stages.
pub type Pipelines = HashMap<uuid::Uuid, (Record, Vec<Stage>)>;

/// Every pipeline the viewer may read, by id, with its stages.
pub async fn pipelines(app: &App, ctx: &Ctx) -> Result<Pipelines, AppError> {
    let params = ListParams { limit: Some(100), ..Default::default() };
    let (found, _) = read::list(app, ctx, PIPELINES, &params).await?;
    Ok(found
        .records
        .into_iter()
        .map(|pipeline| {
            let stages = stages_of(&pipeline);
            (pipeline.id.uuid(), (pipeline, stages))
        })
        .collect())
}

/// The workspace's default pipeline (else the first one read).
pub fn default_pipeline(pipelines: &Pipelines) -> Option<&(Record, Vec<Stage>)> {
    pipelines
        .values()
        .find(|(p, _)| p.values.std("is_default") == &FieldValue::Bool(true))
        .or_else(|| pipelines.values().min_by_key(|(p, _)| p.id.uuid()))
}

/// Open amounts per owner and stage of one pipeline, in one query:
/// `(owner, stage id, currency, sum in minor units)`.
pub async fn open_by_owner_and_stage(
    app: &App,
    ctx: &Ctx,
    owners: &[UserId],
    pipeline: uuid::Uuid,
) -> Result<Vec<OpenTotal>, AppError> {
    let conditions = [Expr::eq("pipeline", pipeline), Expr::eq("status", "open"), owned_by(owners)];
    let totals =
        read::money_totals_by(app, ctx, OPPORTUNITIES, None, &conditions, "amount", &["owner", "stage"]).await?;
    Ok(totals
        .into_iter()
        .filter(|t| !t.currency.is_empty())
        .map(|t| OpenTotal {
            owner: t.group[0].as_ref_id(),
            stage: t.group[1].as_text().unwrap_or_default().to_string(),
            currency: t.currency,
            minor: t.total,
        })
        .collect())
}

/// The open amount of one owner's deals at one stage, in one currency.
#[derive(Clone, Debug, PartialEq)]
pub struct OpenTotal {
    pub owner: Option<uuid::Uuid>,
    pub stage: String,
    pub currency: String,
    pub minor: i64,
}

impl OpenTotal {
    /// Whether one of `people` owns these deals.
    pub fn owned_by(&self, people: &[UserId]) -> bool {
        self.owner.is_some_and(|owner| is_one_of(owner, people))
    }
}

/// Whether `id` names one of `people`.
pub fn is_one_of(id: uuid::Uuid, people: &[UserId]) -> bool {
    people.iter().any(|p| p.uuid() == id)
}

/// One salesperson's quota for the period it covers, with what they won in
/// it and the open deals expected to close in it, weighted by their stage's
/// probability (amounts in the quota's currency).
#[derive(Clone, Debug, PartialEq)]
pub struct QuotaProgress {
    pub user: uuid::Uuid,
    pub quota: String,
    pub period: (NaiveDate, NaiveDate),
    pub currency: String,
    pub target: i64,
    pub won: i64,
    pub weighted_open: i64,
}

impl QuotaProgress {
    /// Won plus weighted open, as a share of the target (percent).
    pub fn forecast_percent(&self) -> f64 {
        if self.target <= 0 { 0.0 } else { (self.won + self.weighted_open) as f64 * 100.0 / self.target as f64 }
    }
}

/// The quotas of `owners` whose period includes `today`, with what each
/// owner won in the period and their open deals expected to close in it:
/// two grouped queries per distinct period (quotas mostly share one), not
/// two per quota.
pub async fn quota_progress(
    app: &App,
    ctx: &Ctx,
    owners: &[UserId],
    today: NaiveDate,
    pipelines: &Pipelines,
) -> Result<Vec<QuotaProgress>, AppError> {
    let conditions = [
        Expr::one_of("user", owners.iter().copied()),
        Expr::compare("period_start", Op::Le, today),
        Expr::compare("period_end", Op::Ge, today),
    ];
    let params = ListParams { conditions: conditions.to_vec(), limit: Some(200), ..Default::default() };
    let (quotas, _) = read::list(app, ctx, QUOTAS, &params).await?;
    let mut progress: Vec<QuotaProgress> = quotas
        .records
        .iter()
        .filter_map(|quota| {
            match (
                quota.values.ref_id("user"),
                quota.values.std("period_start"),
                quota.values.std("period_end"),
                quota.values.std("amount"),
            ) {
                (Some(user), FieldValue::Date(start), FieldValue::Date(end), FieldValue::Money(target)) => {
                    Some(QuotaProgress {
                        user,
                        quota: quota.values.text("name").unwrap_or_default().to_string(),
                        period: (*start, *end),
                        currency: target.currency.code().to_string(),
                        target: target.minor,
                        won: 0,
                        weighted_open: 0,
                    })
                }
                _ => None,
            }
        })
        .collect();
    let mut periods: Vec<(NaiveDate, NaiveDate)> = progress.iter().map(|q| q.period).collect();
    periods.sort();
    periods.dedup();
    for (start, end) in periods {
        let users: Vec<uuid::Uuid> = progress.iter().filter(|q| q.period == (start, end)).map(|q| q.user).collect();
        let (from, until) = day_bounds(start, end);
        let won_conditions = [
            Expr::one_of("owner", users.iter().copied()),
            Expr::eq("status", "won"),
            Expr::compare("closed_at", Op::Ge, from),
            Expr::compare("closed_at", Op::Lt, until),
        ];
        let won = read::money_totals_by(app, ctx, OPPORTUNITIES, None, &won_conditions, "amount", &["owner"]).await?;
        let open_conditions = [
            Expr::one_of("owner", users.iter().copied()),
            Expr::eq("status", "open"),
            Expr::compare("expected_close_date", Op::Ge, start),
            Expr::compare("expected_close_date", Op::Le, end),
        ];
        let open = read::money_totals_by(
            app,
            ctx,
            OPPORTUNITIES,
            None,
            &open_conditions,
            "amount",
            &["owner", "pipeline", "stage"],
        )
        .await?;
        for quota in progress.iter_mut().filter(|q| q.period == (start, end)) {
            let theirs = |group: &[FieldValue]| group[0].as_ref_id() == Some(quota.user);
            quota.won = won.iter().filter(|t| theirs(&t.group) && t.currency == quota.currency).map(|t| t.total).sum();
            quota.weighted_open = open
                .iter()
                .filter(|t| theirs(&t.group) && t.currency == quota.currency)
                .map(|t| {
                    let probability = t.group[1]
                        .as_ref_id()
                        .and_then(|p| pipelines.get(&p))
                        .and_then(|(_, stages)| stages.iter().find(|s| Some(s.id.as_str()) == t.group[2].as_text()))
                        .filter(|s| s.kind == StageKind::Open)
                        .map_or(0, |s| s.probability);
                    t.total * probability / 100
                })
                .sum();
        }
    }
    Ok(progress)
}

/// Activities logged by each of `owners` since a moment: `(owner, count)`.
pub async fn activities_since(
    app: &App,
    ctx: &Ctx,
    owners: &[UserId],
    since: DateTime<Utc>,
) -> Result<Vec<(Option<uuid::Uuid>, i64)>, AppError> {
    let conditions = [owned_by(owners), Expr::compare("created_at", Op::Ge, format_datetime(&since))];
    let counted = read::count_by(app, ctx, ACTIVITIES, None, &conditions, Some("owner")).await?;
    Ok(counted.into_iter().map(|(owner, n)| (owner.as_ref_id(), n)).collect())
}

/// Open deals of `owners` that nobody changed nor logged an activity on
/// for [`STALE_AFTER_DAYS`], longest quiet first (at most `limit`).
pub async fn stale_deals(
    app: &App,
    ctx: &Ctx,
    owners: &[UserId],
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<Record>, AppError> {
    let quiet_since = format_datetime(&(now - Duration::days(STALE_AFTER_DAYS)));
    let conditions =
        vec![owned_by(owners), Expr::eq("status", "open"), Expr::compare("updated_at", Op::Lt, quiet_since.clone())];
    // A few more than shown: some may turn out to have recent activities.
    let params =
        ListParams { conditions, sort: Some("updated_at".into()), limit: Some(limit * 4), ..Default::default() };
    let (quiet, _) = read::list(app, ctx, OPPORTUNITIES, &params).await?;
    if quiet.records.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<uuid::Uuid> = quiet.records.iter().map(|r| r.id.uuid()).collect();
    let recent = [Expr::one_of("opportunity", ids), Expr::compare("created_at", Op::Ge, quiet_since)];
    let active: HashSet<uuid::Uuid> = read::count_by(app, ctx, ACTIVITIES, None, &recent, Some("opportunity"))
        .await?
        .into_iter()
        .filter_map(|(opportunity, _)| opportunity.as_ref_id())
        .collect();
    Ok(quiet.records.into_iter().filter(|r| !active.contains(&r.id.uuid())).take(limit as usize).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_run_from_their_first_to_their_last_day() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(quarter_of(day(2031, 2, 14)), (day(2031, 1, 1), day(2031, 3, 31)));
        assert_eq!(quarter_of(day(2031, 12, 31)), (day(2031, 10, 1), day(2031, 12, 31)));
        assert_eq!(quarter_of(day(2032, 5, 1)), (day(2032, 4, 1), day(2032, 6, 30)));
    }

    #[test]
    fn win_rates_need_closed_deals() {
        assert_eq!(WinRate { won: 0, lost: 0 }.percent(), None);
        assert_eq!(WinRate { won: 3, lost: 1 }.percent(), Some(75.0));
        let progress = QuotaProgress {
            user: uuid::Uuid::nil(),
            quota: String::new(),
            period: (NaiveDate::MIN, NaiveDate::MAX),
            currency: "EUR".into(),
            target: 1000,
            won: 500,
            weighted_open: 250,
        };
        assert_eq!(progress.forecast_percent(), 75.0);
    }
}
