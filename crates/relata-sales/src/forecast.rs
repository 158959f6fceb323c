//! Pipeline forecasts over the stored opportunities: the weighted pipeline
//! and the win-rate forecast by period and owner, team or territory, win
//! rates and time spent per stage, and forecast versus actual — the models
//! of `relata_analytics::forecast` fed from the store.
//!
//! The opportunities are those the acting user may read, optionally narrowed
//! by a filter (the list filter language). They are read page by page in id
//! order; each page's opportunities are converted to the library's snapshots
//! (with its accounts' territories and its stage changes, fetched for that
//! page only) and folded one by one into a streaming
//! [`Forecaster`](relata_analytics::forecast::Forecaster) before the next page
//! is read: memory holds one page and the forecaster's aggregates, never all
//! the records or their stage histories.
//!
//! How a stored opportunity becomes a snapshot:
//! - **owner**: the owning user's id (none when nobody owns it);
//! - **team**: the owner's team — its only team, or the first by name when
//!   the owner is in several; none when in none;
//! - **territory**: the `territory` of the opportunity's account, when the
//!   acting user may see the account (and the field);
//! - **stage, probability, status, closed time**: as stored (the stage
//!   decides them; see `relata_sales::opportunity`). Stages are keyed by
//!   their id, so stages of different pipelines that share an id are pooled
//!   in win rates and durations;
//! - opportunities without an amount or an expected close date cannot be
//!   placed in a period or weighed, and are left out (and counted).
//!
//! Money stays in integer minor units, each currency on its own rows.

use crate::OPPORTUNITIES;
use chrono::{DateTime, NaiveDate, Utc};
use relata_analytics::forecast::{self as lib, GroupBy, PeriodKind};
use relata_app::error::AppError;
use relata_app::read::{self, ListParams};
use relata_app::{App, Ctx, people};
use relata_core::access::Right;
use relata_core::meta::Schema;
use relata_core::value::FieldValue;
use relata_core::{Record, UserId, ValidationError};
use relata_crm::ACCOUNTS;
use relata_store::StoreError;
use serde::Serialize;
use std::collections::HashMap;

/// Opportunities are read in pages of this many (the list maximum).
const PAGE: u64 = read::MAX_LIMIT;

/// What a forecast is asked for, already parsed.
#[derive(Clone, Debug)]
pub struct ForecastParams {
    pub period: PeriodKind,
    pub group: GroupBy,
    /// Only opportunities matching this filter (the list filter language).
    pub filter: Option<String>,
    /// Periods that ended by this day are compared with what was won.
    /// `None`: today, by the store's clock.
    pub as_of: Option<NaiveDate>,
}

impl ForecastParams {
    /// Parses the parameters as they arrive in a URL or on the command line;
    /// an error names the parameter. Defaults: `month`, `none`, today (UTC).
    pub fn parse(
        period: Option<&str>,
        group: Option<&str>,
        filter: Option<String>,
        as_of: Option<&str>,
    ) -> Result<ForecastParams, AppError> {
        fn given(v: Option<&str>) -> Option<&str> {
            v.map(str::trim).filter(|v| !v.is_empty())
        }
        let period = match given(period) {
            None | Some("month") => PeriodKind::Month,
            Some("quarter") => PeriodKind::Quarter,
            Some(other) => return Err(AppError::BadParameter("period", format!("{other:?} is not month or quarter"))),
        };
        let group = match given(group) {
            None | Some("none") => GroupBy::Nothing,
            Some("owner") => GroupBy::Owner,
            Some("team") => GroupBy::Team,
            Some("territory") => GroupBy::Territory,
            Some(other) => {
                return Err(AppError::BadParameter(
                    "group",
                    format!("{other:?} is not one of owner, team, territory, none"),
                ));
            }
        };
        let as_of = match given(as_of) {
            None => None,
            Some(text) => Some(
                NaiveDate::parse_from_str(text, "%Y-%m-%d")
                    .map_err(|_| AppError::BadParameter("as_of", format!("{text:?} is not a date (YYYY-MM-DD)")))?,
            ),
        };
        let filter = filter.filter(|f| !f.trim().is_empty());
        Ok(ForecastParams { period, group, filter, as_of })
    }
}

fn period_name(p: PeriodKind) -> &'static str {
    match p {
        PeriodKind::Month => "month",
        PeriodKind::Quarter => "quarter",
    }
}

fn group_name(g: GroupBy) -> &'static str {
    match g {
        GroupBy::Owner => "owner",
        GroupBy::Team => "team",
        GroupBy::Territory => "territory",
        GroupBy::Nothing => "none",
    }
}

/// How many opportunities were read and how many went into the figures.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Opportunities read (those the user may see that match the filter).
    pub read: u64,
    /// Opportunities in the figures.
    pub used: u64,
    pub left_out_without_amount: u64,
    pub left_out_without_expected_close: u64,
    /// Without a stage, status or probability the user may see.
    pub left_out_without_stage: u64,
    /// Stage changes read for the opportunities used.
    pub stage_changes: u64,
}

/// The win rate of one stage.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StageWinRate {
    pub stage: String,
    #[serde(flatten)]
    pub win_rate: lib::WinRate,
}

/// The time spent in one stage (the sales cycle length per stage).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StageTime {
    pub stage: String,
    #[serde(flatten)]
    pub duration: lib::StageDuration,
}

/// The forecast document that `GET /api/v1/analytics/forecast` and
/// `relata analytics forecast` answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Forecast {
    pub as_of: NaiveDate,
    pub period: &'static str,
    pub group: &'static str,
    pub filter: Option<String>,
    pub opportunities: Counts,
    /// Open opportunities × their stage's probability.
    pub weighted_pipeline: Vec<lib::PipelineRow>,
    /// Open opportunities × the historical win rate of their stage.
    pub forecast: Vec<lib::PipelineRow>,
    pub win_rates: Vec<StageWinRate>,
    pub stage_durations: Vec<StageTime>,
    pub forecast_vs_actual: Vec<lib::ForecastActual>,
}

/// Computes the forecast over the opportunities `ctx` may read.
pub async fn forecast(app: &App, ctx: &Ctx, params: &ForecastParams) -> Result<Forecast, AppError> {
    ctx.access.check_kind(OPPORTUNITIES, Right::Read)?;
    let schemas = app.schemas_for(ctx).await?;
    let opportunity_schema = schemas.get(OPPORTUNITIES);
    if opportunity_schema.own_fields().iter().any(|f| f.id == "amount" && opportunity_schema.is_hidden(f)) {
        return Err(AppError::forbidden("refuse-forecast-amounts", vec![]));
    }
    let teams = team_of_each_user(app, ctx).await?;
    let mut counts = Counts::default();
    let (kind, group) = (params.period, params.group);
    let as_of = params.as_of.unwrap_or_else(|| app.store.now().date_naive());
    let mut forecaster = lib::Forecaster::new(kind, group, as_of);
    let mut list =
        ListParams { filter: params.filter.clone(), sort: Some("id".into()), limit: Some(PAGE), ..Default::default() };
    loop {
        let (page, schemas) = read::list(app, ctx, OPPORTUNITIES, &list).await?;
        let (records, next_cursor) = (page.records, page.next_cursor);
        let opportunity_schema = schemas.get(OPPORTUNITIES);
        let mut conn = app.reader(ctx).await?;
        let territories = territories(&mut conn, schemas.get(ACCOUNTS), opportunity_schema, &records).await?;
        let mut snapshots = Vec::with_capacity(records.len());
        for record in &records {
            counts.read += 1;
            let owner = visible(record, opportunity_schema, "owner").as_ref_id().map(UserId::from_uuid);
            let team = owner.and_then(|o| teams.get(&o).cloned());
            let territory = visible(record, opportunity_schema, "account")
                .as_ref_id()
                .and_then(|a| territories.get(&a.to_string()).cloned());
            match snapshot(record, opportunity_schema, team, territory)? {
                Snapshot::Used(o) => snapshots.push(o),
                Snapshot::WithoutAmount => counts.left_out_without_amount += 1,
                Snapshot::WithoutExpectedClose => counts.left_out_without_expected_close += 1,
                Snapshot::WithoutStage => counts.left_out_without_stage += 1,
            }
        }
        drop(records);
        let ids: Vec<String> = snapshots.iter().map(|o| o.id.clone()).collect();
        let mut changes: HashMap<String, Vec<lib::StageChange>> = HashMap::new();
        for c in conn.stage_changes_of(&ids).await? {
            counts.stage_changes += 1;
            let opportunity = c.opportunity.to_string();
            changes.entry(opportunity.clone()).or_default().push(lib::StageChange {
                opportunity,
                from_stage: c.from_stage,
                to_stage: c.to_stage,
                changed_at: c.changed_at,
            });
        }
        drop(conn);
        for o in snapshots {
            let its_changes = changes.remove(&o.id).unwrap_or_default();
            forecaster.add(&o, its_changes).map_err(forecast_error)?;
            counts.used += 1;
        }
        match next_cursor {
            Some(cursor) => list.cursor = Some(cursor),
            None => break,
        }
    }
    Ok(Forecast {
        as_of,
        period: period_name(kind),
        group: group_name(group),
        filter: params.filter.clone(),
        opportunities: counts,
        weighted_pipeline: forecaster.weighted_pipeline().map_err(forecast_error)?,
        forecast: forecaster.forecast().map_err(forecast_error)?,
        win_rates: forecaster
            .win_rates()
            .into_iter()
            .map(|(stage, win_rate)| StageWinRate { stage, win_rate })
            .collect(),
        stage_durations: forecaster
            .stage_durations()
            .into_iter()
            .map(|(stage, duration)| StageTime { stage, duration })
            .collect(),
        forecast_vs_actual: forecaster.forecast_vs_actual().map_err(forecast_error)?,
    })
}

fn forecast_error(e: lib::ForecastError) -> AppError {
    match e {
        lib::ForecastError::Overflow(_) => ValidationError::single("amount", "overflow", e.to_string()).into(),
        // The snapshots are built from checked records; anything else is bad data.
        other => AppError::Internal(StoreError::Corrupt(format!("forecast input: {other}"))),
    }
}

/// Each user's team for grouping: their only team, or the first by name.
async fn team_of_each_user(app: &App, ctx: &Ctx) -> Result<HashMap<UserId, String>, AppError> {
    let mut teams = people::teams(app, ctx).await?;
    teams.sort_by(|a, b| a.team.name.cmp(&b.team.name).then_with(|| a.team.id.cmp(&b.team.id)));
    let mut of_user = HashMap::new();
    for t in &teams {
        for (user, _) in &t.members {
            of_user.entry(*user).or_insert_with(|| t.team.name.clone());
        }
    }
    Ok(of_user)
}

/// The territories of the accounts of one page of opportunities, by account
/// id: only accounts the user may see, and only when they may see the field.
async fn territories(
    conn: &mut relata_store::ScopedConn,
    account_schema: &Schema,
    opportunity_schema: &Schema,
    page: &[Record],
) -> Result<HashMap<String, String>, AppError> {
    let mut ids: Vec<String> = page
        .iter()
        .filter_map(|r| visible(r, opportunity_schema, "account").as_ref_id())
        .map(|id| id.to_string())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let accounts = conn.records_by_ids(account_schema, &ids).await?;
    Ok(accounts
        .iter()
        .filter_map(|a| {
            let territory = visible(a, account_schema, "territory").as_text()?.trim();
            (!territory.is_empty()).then(|| (a.id.to_string(), territory.to_string()))
        })
        .collect())
}

static NULL: FieldValue = FieldValue::Null;

/// A standard field's value, or null when the viewer may not see the field.
fn visible<'a>(record: &'a Record, schema: &Schema, id: &str) -> &'a FieldValue {
    match schema.own_fields().iter().find(|f| f.id == id) {
        Some(field) if !schema.is_hidden(field) => record.values.get(field),
        _ => &NULL,
    }
}

/// What one stored opportunity becomes.
#[derive(Debug)]
enum Snapshot {
    Used(lib::Opportunity),
    WithoutAmount,
    WithoutExpectedClose,
    WithoutStage,
}

/// The library's snapshot of a stored opportunity (see the module docs).
fn snapshot(
    record: &Record,
    schema: &Schema,
    team: Option<String>,
    territory: Option<String>,
) -> Result<Snapshot, AppError> {
    let corrupt = |what: String| AppError::Internal(StoreError::Corrupt(format!("opportunity {}: {what}", record.id)));
    let value = |id| visible(record, schema, id);
    let (FieldValue::Text(stage), FieldValue::Text(status), FieldValue::Int(probability)) =
        (value("stage"), value("status"), value("probability"))
    else {
        return Ok(Snapshot::WithoutStage);
    };
    let FieldValue::Money(amount) = value("amount") else {
        return Ok(Snapshot::WithoutAmount);
    };
    let FieldValue::Date(expected_close) = value("expected_close_date") else {
        return Ok(Snapshot::WithoutExpectedClose);
    };
    let status = match status.as_str() {
        "open" => lib::Status::Open,
        "won" => lib::Status::Won,
        "lost" => lib::Status::Lost,
        other => return Err(corrupt(format!("status {other:?}"))),
    };
    let closed_at: Option<DateTime<Utc>> = match (status, value("closed_at")) {
        (lib::Status::Open, _) => None,
        (_, FieldValue::DateTime(t)) => Some(*t),
        // Closed before closing times were kept (or hidden): its last change.
        _ => Some(record.updated_at),
    };
    Ok(Snapshot::Used(lib::Opportunity {
        id: record.id.to_string(),
        owner: value("owner").as_ref_id().map(|u| u.to_string()),
        team,
        territory,
        stage: stage.clone(),
        stage_probability: lib::Probability::from_fraction(*probability as f64 / 100.0)
            .map_err(|e| corrupt(e.to_string()))?,
        status,
        amount: lib::Money {
            minor: amount.minor,
            currency: lib::Currency::parse(amount.currency.code()).map_err(|e| corrupt(e.to_string()))?,
        },
        expected_close: *expected_close,
        created_at: record.created_at,
        closed_at,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use relata_core::money::{Currency, Money};
    use relata_core::value::Values;

    fn opportunity(set: &[(&str, FieldValue)]) -> Record {
        let mut values = Values::default();
        for (id, v) in set {
            values.set_std(id, v.clone());
        }
        Record::new(OPPORTUNITIES, None, values, relata_core::record::now_micros())
    }

    fn complete() -> Vec<(&'static str, FieldValue)> {
        vec![
            ("stage", FieldValue::Text("proposal".into())),
            ("status", FieldValue::Text("open".into())),
            ("probability", FieldValue::Int(50)),
            ("amount", FieldValue::Money(Money::new(12_345, Currency::parse("PLN").unwrap()))),
            ("expected_close_date", FieldValue::Date("2026-03-31".parse().unwrap())),
            ("owner", FieldValue::Ref(uuid::Uuid::nil())),
        ]
    }

    #[test]
    fn a_complete_opportunity_becomes_a_snapshot() {
        crate::install_for_tests();
        let schema = Schema::standard(OPPORTUNITIES);
        let record = opportunity(&complete());
        let Snapshot::Used(o) = snapshot(&record, &schema, Some("North".into()), None).unwrap() else { panic!("used") };
        assert_eq!(o.id, record.id.to_string());
        assert_eq!(o.owner.as_deref(), Some("00000000-0000-0000-0000-000000000000"));
        assert_eq!((o.team.as_deref(), o.territory), (Some("North"), None));
        assert_eq!((o.stage.as_str(), o.stage_probability.basis_points()), ("proposal", 5_000));
        assert_eq!((o.amount.minor, o.amount.currency.to_string()), (12_345, "PLN".to_string()));
        assert_eq!((o.status, o.closed_at), (lib::Status::Open, None));
        assert_eq!(o.expected_close.to_string(), "2026-03-31");
    }

    #[test]
    fn closed_opportunities_keep_their_closing_time_or_their_last_change() {
        crate::install_for_tests();
        let schema = Schema::standard(OPPORTUNITIES);
        let mut fields = complete();
        fields[1].1 = FieldValue::Text("won".into());
        let record = opportunity(&fields);
        let Snapshot::Used(o) = snapshot(&record, &schema, None, None).unwrap() else { panic!("used") };
        assert_eq!((o.status, o.closed_at), (lib::Status::Won, Some(record.updated_at)));
        let at: DateTime<Utc> = "2026-01-02T03:04:05Z".parse().unwrap();
        fields.push(("closed_at", FieldValue::DateTime(at)));
        let Snapshot::Used(o) = snapshot(&opportunity(&fields), &schema, None, None).unwrap() else { panic!() };
        assert_eq!(o.closed_at, Some(at));
    }

    #[test]
    fn incomplete_opportunities_are_left_out_by_reason() {
        crate::install_for_tests();
        let schema = Schema::standard(OPPORTUNITIES);
        let without = |id: &str| {
            let fields: Vec<_> = complete().into_iter().filter(|(f, _)| *f != id).collect();
            snapshot(&opportunity(&fields), &schema, None, None).unwrap()
        };
        assert!(matches!(without("amount"), Snapshot::WithoutAmount));
        assert!(matches!(without("expected_close_date"), Snapshot::WithoutExpectedClose));
        assert!(matches!(without("stage"), Snapshot::WithoutStage));
        assert!(matches!(without("owner"), Snapshot::Used(lib::Opportunity { owner: None, .. })));
        let mut bad = complete();
        bad[1].1 = FieldValue::Text("pending".into());
        assert!(matches!(snapshot(&opportunity(&bad), &schema, None, None), Err(AppError::Internal(_))));
    }

    #[test]
    fn parameters_are_parsed_with_defaults_and_named_errors() {
        let p = ForecastParams::parse(None, Some(""), Some("  ".into()), Some("2026-02-28")).unwrap();
        assert_eq!(
            (p.period, p.group, p.filter, p.as_of.unwrap().to_string()),
            (PeriodKind::Month, GroupBy::Nothing, None, "2026-02-28".to_string())
        );
        let p = ForecastParams::parse(Some("quarter"), Some("territory"), None, None).unwrap();
        assert_eq!((p.period, p.group), (PeriodKind::Quarter, GroupBy::Territory));
        let named = |r: Result<ForecastParams, AppError>| match r {
            Err(AppError::BadParameter(name, _)) => name,
            other => panic!("{other:?}"),
        };
        assert_eq!(named(ForecastParams::parse(Some("week"), None, None, None)), "period");
        assert_eq!(named(ForecastParams::parse(None, Some("region"), None, None)), "group");
        assert_eq!(named(ForecastParams::parse(None, None, None, Some("2026-02-30"))), "as_of");
        assert_eq!(named(ForecastParams::parse(None, None, None, Some("28.02.2026"))), "as_of");
    }
}
