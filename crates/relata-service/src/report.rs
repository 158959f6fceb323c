//! Service reports: the open backlog by age, team and priority; SLA
//! compliance, first-response and resolution times (median and 90th
//! percentile) of the cases resolved in a period; the backlog day by day;
//! top categories and root causes; comments per case by channel. Read
//! through the viewer's visibility, so each sees the figures of what they
//! may read. As JSON, and as an XLSX workbook with a sheet per figure.

use crate::entities::{CASE_COMMENTS, CASES, SERVICE_TEAMS};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use relata_app::{App, AppError, Ctx};
use relata_core::Record;
use relata_core::access::Right;
use relata_core::filter::{Filter, Op};
use relata_core::meta::Schema;
use relata_core::value::FieldValue;
use serde_json::Value as Json;
use std::collections::{BTreeMap, HashMap};

/// Counts by label, largest first.
pub type Counts = Vec<(String, u64)>;

/// A distribution of durations in minutes.
#[derive(Debug, serde::Serialize, PartialEq)]
pub struct Times {
    pub cases: usize,
    pub median_minutes: Option<i64>,
    pub p90_minutes: Option<i64>,
}

#[derive(Debug, serde::Serialize)]
pub struct ServiceReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub open: usize,
    pub open_by_age: Counts,
    pub open_by_team: Counts,
    pub open_by_priority: Counts,
    pub resolved: usize,
    pub sla_met: usize,
    pub sla_breached: usize,
    /// Percent of the resolved cases under a policy that met it.
    pub sla_compliance_percent: Option<f64>,
    pub first_response: Times,
    pub resolution: Times,
    /// Open cases at the end of each day of the period.
    pub backlog: Vec<(NaiveDate, u64)>,
    pub top_categories: Counts,
    pub top_root_causes: Counts,
    /// Channel, cases opened in the period, their comments, comments per case.
    pub contacts_by_channel: Vec<(String, u64, u64, f64)>,
}

fn text(record: &Record, field: &str) -> String {
    record.values.text(field).unwrap_or("(none)").to_string()
}

fn counted(values: impl Iterator<Item = String>) -> Counts {
    let mut map: HashMap<String, u64> = HashMap::new();
    for v in values {
        *map.entry(v).or_default() += 1;
    }
    let mut out: Counts = map.into_iter().collect();
    out.sort_by(|(a, x), (b, y)| y.cmp(x).then(a.cmp(b)));
    out
}

/// The median and 90th percentile (nearest rank) of `minutes`.
pub fn times(mut minutes: Vec<i64>) -> Times {
    minutes.sort_unstable();
    let rank = |q: f64| -> Option<i64> {
        if minutes.is_empty() {
            return None;
        }
        let i = ((q * minutes.len() as f64).ceil() as usize).clamp(1, minutes.len()) - 1;
        Some(minutes[i])
    };
    Times { cases: minutes.len(), median_minutes: rank(0.5), p90_minutes: rank(0.9) }
}

/// The open cases' age buckets, youngest first, as the report names them
/// (its API keys; pages show `service-age-<key with hyphens>`).
pub const AGE_ORDER: [&str; 5] = ["under a day", "1 to 3 days", "3 to 7 days", "7 to 30 days", "over 30 days"];
/// Where each age bucket but the last ends, in hours.
const AGE_LIMITS: [i64; 4] = [24, 72, 168, 720];

async fn all(
    app: &App,
    ctx: &Ctx,
    kind: relata_core::meta::EntityKind,
    filter: Option<Filter<'_>>,
) -> Result<Vec<Record>, AppError> {
    let schemas = app.schemas_for(ctx).await?;
    let schema = schemas.get(kind);
    let everything = Filter::IsNull { field: schema.field("id").expect("an id"), negated: true };
    let mut conn = app.reader(ctx).await?;
    Ok(relata_app::read::every_in(&mut conn, schema, filter.unwrap_or(everything)).await?)
}

/// The statuses of a case not yet resolved.
const OPEN: [&str; 4] = ["new", "open", "waiting_on_customer", "waiting_on_third_party"];

fn is_open(case: &Record) -> bool {
    case.values.text("status").is_some_and(|s| OPEN.contains(&s))
}

/// The open backlog counted in the database (it may be large): in all, by
/// age, by team, by priority.
struct OpenBacklog {
    total: u64,
    by_age: Counts,
    by_team: Counts,
    by_priority: Counts,
}

async fn open_backlog(
    app: &App,
    ctx: &Ctx,
    now: DateTime<Utc>,
    teams: &HashMap<uuid::Uuid, String>,
) -> Result<OpenBacklog, AppError> {
    let schema = Schema::standard(CASES);
    let field = |id: &str| schema.field(id).expect("a field of cases");
    let open = || Filter::In {
        field: field("status"),
        values: OPEN.iter().map(|s| FieldValue::Text(s.to_string())).collect(),
    };
    let mut conn = app.reader(ctx).await?;
    let label = |v: &FieldValue| match v {
        FieldValue::Ref(id) => teams.get(id).cloned().unwrap_or_else(|| "(none)".into()),
        FieldValue::Text(t) => t.clone(),
        _ => "(none)".into(),
    };
    let mut by = async |group: &str| -> Result<Counts, AppError> {
        let rows = conn.count_by(&schema, Some(&open()), Some(field(group))).await?;
        let mut counts: HashMap<String, u64> = HashMap::new();
        for (value, n) in rows {
            *counts.entry(label(&value)).or_default() += n as u64;
        }
        let mut out: Counts = counts.into_iter().collect();
        out.sort_by(|(a, x), (b, y)| y.cmp(x).then(a.cmp(b)));
        Ok(out)
    };
    let by_team = by("team").await?;
    let by_priority = by("priority").await?;
    // Opened at or after each bucket's start, youngest first; the
    // differences are the buckets.
    let mut at_least = Vec::new();
    for hours in AGE_LIMITS {
        let since = Filter::Compare {
            field: field("created_at"),
            op: Op::Ge,
            value: FieldValue::DateTime(now - Duration::hours(hours)),
        };
        let rows = conn.count_by(&schema, Some(&Filter::And(vec![open(), since])), None).await?;
        at_least.push(rows.first().map_or(0, |(_, n)| *n as u64));
    }
    let total = conn.count_by(&schema, Some(&open()), None).await?.first().map_or(0, |(_, n)| *n as u64);
    at_least.push(total);
    let mut by_age = Vec::new();
    let mut below = 0;
    for (label, upto) in AGE_ORDER.iter().zip(&at_least) {
        by_age.push((label.to_string(), upto.saturating_sub(below)));
        below = *upto;
    }
    Ok(OpenBacklog { total, by_age, by_team, by_priority })
}

/// The report over the `days` up to today.
pub async fn build(app: &App, ctx: &Ctx, days: i64) -> Result<ServiceReport, AppError> {
    ctx.access.check_kind(CASES, Right::Read)?;
    let now = app.store.now();
    let to = now.date_naive();
    let from = to - Duration::days(days.clamp(1, 366) - 1);
    let start: DateTime<Utc> = from.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let schema = Schema::standard(CASES);
    let teams: HashMap<uuid::Uuid, String> = match ctx.access.check_kind(SERVICE_TEAMS, Right::Read) {
        Ok(()) => {
            all(app, ctx, SERVICE_TEAMS, None).await?.into_iter().map(|t| (t.id.uuid(), text(&t, "name"))).collect()
        }
        Err(_) => HashMap::new(),
    };
    let open = open_backlog(app, ctx, now, &teams).await?;
    // The cases changed in the period: every one opened or resolved in it.
    let touched = Filter::Compare {
        field: schema.field("updated_at").expect("a field"),
        op: Op::Ge,
        value: FieldValue::DateTime(start),
    };
    let cases = all(app, ctx, CASES, Some(touched)).await?;
    let resolved: Vec<&Record> =
        cases.iter().filter(|c| c.values.datetime("resolved_at").is_some_and(|t| t >= start)).collect();
    let sla_met = resolved.iter().filter(|c| c.values.text("sla_status") == Some("met")).count();
    let sla_breached = resolved.iter().filter(|c| c.values.text("sla_status") == Some("breached")).count();
    let minutes = |c: &Record, field: &str| c.values.datetime(field).map(|t| (t - c.created_at).num_minutes());
    let in_period: Vec<&Record> = cases.iter().filter(|c| c.created_at >= start).collect();
    // Open at the end of a day: open now, less those opened since, plus
    // those resolved since that were open then (all of which changed in
    // the period).
    let mut backlog = Vec::new();
    let mut day = from;
    while day <= to {
        let end = (day + Duration::days(1)).and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
        let opened_since = cases.iter().filter(|c| is_open(c) && c.created_at >= end).count() as u64;
        let resolved_since = cases
            .iter()
            .filter(|c| !is_open(c) && c.created_at < end && c.values.datetime("resolved_at").is_some_and(|r| r >= end))
            .count() as u64;
        backlog.push((day, (open.total + resolved_since).saturating_sub(opened_since)));
        day += Duration::days(1);
    }
    let comments = match ctx.access.check_kind(CASE_COMMENTS, Right::Read) {
        Ok(()) => {
            let schema = Schema::standard(CASE_COMMENTS);
            let since = Filter::Compare {
                field: schema.field("created_at").expect("a field"),
                op: Op::Ge,
                value: FieldValue::DateTime(start),
            };
            all(app, ctx, CASE_COMMENTS, Some(since)).await?
        }
        Err(_) => Vec::new(),
    };
    let mut per_case: HashMap<uuid::Uuid, u64> = HashMap::new();
    for comment in &comments {
        if let Some(case) = comment.values.ref_id("case") {
            *per_case.entry(case).or_default() += 1;
        }
    }
    let mut by_channel: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for case in &in_period {
        let entry = by_channel.entry(text(case, "channel")).or_default();
        entry.0 += 1;
        entry.1 += per_case.get(&case.id.uuid()).copied().unwrap_or(0);
    }
    let contacts_by_channel = by_channel
        .into_iter()
        .map(|(channel, (n, c))| (channel, n, c, ((c as f64 / n.max(1) as f64) * 100.0).round() / 100.0))
        .collect();
    let under_policy = sla_met + sla_breached;
    Ok(ServiceReport {
        from,
        to,
        open: open.total as usize,
        open_by_age: open.by_age,
        open_by_team: open.by_team,
        open_by_priority: open.by_priority,
        resolved: resolved.len(),
        sla_met,
        sla_breached,
        sla_compliance_percent: (under_policy > 0)
            .then(|| ((sla_met as f64 / under_policy as f64) * 1000.0).round() / 10.0),
        first_response: times(in_period.iter().filter_map(|c| minutes(c, "first_response_at")).collect()),
        resolution: times(resolved.iter().filter_map(|c| minutes(c, "resolved_at")).collect()),
        backlog,
        top_categories: counted(in_period.iter().map(|c| text(c, "category"))),
        top_root_causes: counted(resolved.iter().map(|c| text(c, "root_cause"))),
        contacts_by_channel,
    })
}

impl ServiceReport {
    pub fn to_json(&self) -> Json {
        serde_json::to_value(self).unwrap_or(Json::Null)
    }

    /// A workbook: a summary sheet and a sheet per breakdown.
    pub fn to_xlsx(&self) -> Result<Vec<u8>, String> {
        use relata_app::export::{ReportTable, report_workbook};
        let opt = |v: Option<i64>| v.map_or(String::new(), |m| m.to_string());
        let summary: Vec<(&str, String)> = vec![
            ("From", self.from.to_string()),
            ("To", self.to.to_string()),
            ("Open cases", self.open.to_string()),
            ("Resolved in the period", self.resolved.to_string()),
            ("SLA met", self.sla_met.to_string()),
            ("SLA breached", self.sla_breached.to_string()),
            ("SLA compliance (%)", self.sla_compliance_percent.map_or(String::new(), |p| p.to_string())),
            ("First response, median (minutes)", opt(self.first_response.median_minutes)),
            ("First response, 90th percentile (minutes)", opt(self.first_response.p90_minutes)),
            ("Resolution, median (minutes)", opt(self.resolution.median_minutes)),
            ("Resolution, 90th percentile (minutes)", opt(self.resolution.p90_minutes)),
        ];
        let counts = |name: &str, counts: &Counts| {
            let rows = counts.iter().map(|(label, n)| vec![label.clone(), n.to_string()]).collect();
            ReportTable::new(name, &["", "Cases"], rows)
        };
        let backlog = self.backlog.iter().map(|(day, n)| vec![day.to_string(), n.to_string()]).collect();
        let channels = self
            .contacts_by_channel
            .iter()
            .map(|(channel, cases, comments, per)| {
                vec![channel.clone(), cases.to_string(), comments.to_string(), per.to_string()]
            })
            .collect();
        report_workbook(
            &summary,
            &[
                counts("Open by age", &self.open_by_age),
                counts("Open by team", &self.open_by_team),
                counts("Open by priority", &self.open_by_priority),
                counts("Top categories", &self.top_categories),
                counts("Top root causes", &self.top_root_causes),
                ReportTable::new("Backlog", &["Day", "Open at its end"], backlog),
                ReportTable::new(
                    "Contacts by channel",
                    &["Channel", "Cases", "Comments", "Comments per case"],
                    channels,
                ),
            ],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        assert_eq!(times(vec![]), Times { cases: 0, median_minutes: None, p90_minutes: None });
        let t = times(vec![50, 10, 40, 20, 30, 60, 70, 80, 90, 100]);
        assert_eq!((t.cases, t.median_minutes, t.p90_minutes), (10, Some(50), Some(90)));
        assert_eq!(times(vec![7]).p90_minutes, Some(7));
    }
}
