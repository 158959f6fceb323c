//! The call center's figures over a period: inbound calls answered and
//! abandoned, calls per agent and per hour of the day, average wait and
//! handle time by value tier, first-call resolution (an answered caller who
//! did not call again within a week), and each call list's penetration
//! (calls made of the list's) and conversion (reached of those called).
//! Read through the viewer's visibility; as JSON and as a workbook.

use crate::CALL_QUEUE_ENTRIES;
use crate::lists::CALL_LISTS;
use crate::telephony::PHONE_CALLS;
use chrono::{DateTime, Duration, NaiveDate, Timelike, Utc};
use relata_app::export::{ReportTable, report_workbook};
use relata_app::{App, AppError, Ctx};
use relata_core::Record;
use relata_core::access::Right;
use relata_core::filter::{Filter, Op};
use relata_core::meta::{EntityKind, Schema};
use relata_core::value::FieldValue;
use serde_json::Value as Json;
use std::collections::{BTreeMap, HashMap};

/// How long a caller may stay silent for their first call to count as resolved.
const REPEAT_WINDOW: Duration = Duration::days(7);

#[derive(Debug, serde::Serialize)]
pub struct TierFigures {
    pub tier: String,
    pub calls: u64,
    pub answered: u64,
    pub average_wait_seconds: Option<f64>,
    pub average_handle_seconds: Option<f64>,
}

#[derive(Debug, serde::Serialize)]
pub struct ListFigures {
    pub list: String,
    pub entries: u64,
    pub called: u64,
    pub reached: u64,
    pub penetration_percent: Option<f64>,
    pub conversion_percent: Option<f64>,
}

#[derive(Debug, serde::Serialize)]
pub struct CallReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub inbound: u64,
    pub answered: u64,
    pub abandoned: u64,
    pub answer_rate_percent: Option<f64>,
    pub abandon_rate_percent: Option<f64>,
    pub outbound: u64,
    /// (agent's user id, calls handled)
    pub calls_per_agent: Vec<(String, u64)>,
    /// (hour of the day, UTC, calls)
    pub calls_per_hour: Vec<(u32, u64)>,
    pub by_tier: Vec<TierFigures>,
    /// Answered inbound callers known to the CRM who did not call again within a week.
    pub first_call_resolution_percent: Option<f64>,
    pub lists: Vec<ListFigures>,
}

fn percent(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| ((part as f64 / whole as f64) * 1000.0).round() / 10.0)
}

fn average(values: &[i64]) -> Option<f64> {
    (!values.is_empty()).then(|| (values.iter().sum::<i64>() as f64 / values.len() as f64 * 10.0).round() / 10.0)
}

async fn since(app: &App, ctx: &Ctx, kind: EntityKind, start: DateTime<Utc>) -> Result<Vec<Record>, AppError> {
    if ctx.access.check_kind(kind, Right::Read).is_err() {
        return Ok(Vec::new());
    }
    let schema = Schema::standard(kind);
    let filter = Filter::Compare {
        field: schema.field("created_at").expect("a system field"),
        op: Op::Ge,
        value: FieldValue::DateTime(start),
    };
    let mut conn = app.reader(ctx).await?;
    Ok(relata_app::read::every_in(&mut conn, &schema, filter).await?)
}

/// The figures of the `days` up to today.
pub async fn build(app: &App, ctx: &Ctx, days: i64) -> Result<CallReport, AppError> {
    ctx.access.check_kind(PHONE_CALLS, Right::Read)?;
    let now = app.store.now();
    let to = now.date_naive();
    let from = to - Duration::days(days.clamp(1, 366) - 1);
    let start = from.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let calls = since(app, ctx, PHONE_CALLS, start).await?;
    let inbound: Vec<&Record> = calls.iter().filter(|c| c.values.text("direction") == Some("inbound")).collect();
    let answered = |c: &Record| c.values.datetime("answered_at").is_some();
    let finished = |c: &Record| matches!(c.values.text("status"), Some("ended" | "missed"));
    let answered_count = inbound.iter().filter(|c| answered(c)).count() as u64;
    let abandoned = inbound.iter().filter(|c| finished(c) && !answered(c)).count() as u64;
    let mut per_agent: BTreeMap<String, u64> = BTreeMap::new();
    let mut per_hour: BTreeMap<u32, u64> = BTreeMap::new();
    for call in &calls {
        if let Some(agent) = call.values.ref_id("agent").filter(|_| answered(call)) {
            *per_agent.entry(agent.to_string()).or_default() += 1;
        }
        let at = call.values.datetime("rang_at").unwrap_or(call.created_at);
        *per_hour.entry(at.hour()).or_default() += 1;
    }
    let mut tiers: BTreeMap<String, (u64, u64, Vec<i64>, Vec<i64>)> = BTreeMap::new();
    for call in &inbound {
        let tier = tiers.entry(call.values.text("value_tier").unwrap_or("unknown").to_string()).or_default();
        tier.0 += 1;
        if answered(call) {
            tier.1 += 1;
            tier.2.extend(call.values.int("wait_seconds"));
            tier.3.extend(call.values.int("talk_seconds"));
        }
    }
    let by_tier = tiers
        .into_iter()
        .map(|(tier, (calls, answered, waits, talks))| TierFigures {
            tier,
            calls,
            answered,
            average_wait_seconds: average(&waits),
            average_handle_seconds: average(&talks),
        })
        .collect();
    Ok(CallReport {
        from,
        to,
        inbound: inbound.len() as u64,
        answered: answered_count,
        abandoned,
        answer_rate_percent: percent(answered_count, inbound.len() as u64),
        abandon_rate_percent: percent(abandoned, inbound.len() as u64),
        outbound: (calls.len() - inbound.len()) as u64,
        calls_per_agent: per_agent.into_iter().collect(),
        calls_per_hour: per_hour.into_iter().collect(),
        by_tier,
        first_call_resolution_percent: first_call_resolution(&inbound),
        lists: lists(app, ctx, start).await?,
    })
}

/// Of the answered inbound calls of known callers (a week or more ago, so
/// that a repeat could have come), the share not followed by another call
/// of the same caller within a week.
fn first_call_resolution(inbound: &[&Record]) -> Option<f64> {
    let caller = |c: &Record| c.values.ref_id("contact").or(c.values.ref_id("account"));
    let mut by_caller: HashMap<uuid::Uuid, Vec<DateTime<Utc>>> = HashMap::new();
    for call in inbound {
        if let Some(who) = caller(call) {
            by_caller.entry(who).or_default().push(call.values.datetime("rang_at").unwrap_or(call.created_at));
        }
    }
    let (mut resolved, mut counted) = (0, 0);
    for call in inbound.iter().filter(|c| c.values.datetime("answered_at").is_some()) {
        let Some(who) = caller(call) else { continue };
        let at = call.values.datetime("rang_at").unwrap_or(call.created_at);
        counted += 1;
        let again = by_caller[&who].iter().any(|t| *t > at && *t <= at + REPEAT_WINDOW);
        if !again {
            resolved += 1;
        }
    }
    percent(resolved, counted)
}

/// Each call list's calls made in the period or before: how many it has,
/// how many were called, how many reached someone.
async fn lists(app: &App, ctx: &Ctx, start: DateTime<Utc>) -> Result<Vec<ListFigures>, AppError> {
    let lists = since(app, ctx, CALL_LISTS, start - Duration::days(365)).await?;
    if lists.is_empty() {
        return Ok(Vec::new());
    }
    let entries = since(app, ctx, CALL_QUEUE_ENTRIES, start - Duration::days(365)).await?;
    let mut out = Vec::new();
    for list in &lists {
        let of: Vec<&Record> =
            entries.iter().filter(|e| e.values.ref_id("call_list") == Some(list.id.uuid())).collect();
        let called = of.iter().filter(|e| e.values.int("attempts").unwrap_or(0) > 0).count() as u64;
        let reached = of.iter().filter(|e| e.values.text("last_outcome") == Some("reached")).count() as u64;
        out.push(ListFigures {
            list: list.values.text("name").unwrap_or_default().to_string(),
            entries: of.len() as u64,
            called,
            reached,
            penetration_percent: percent(called, of.len() as u64),
            conversion_percent: percent(reached, called),
        });
    }
    Ok(out)
}

impl CallReport {
    pub fn to_json(&self) -> Json {
        serde_json::to_value(self).unwrap_or(Json::Null)
    }

    pub fn to_xlsx(&self) -> Result<Vec<u8>, String> {
        let opt = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
        let summary: Vec<(&str, String)> = vec![
            ("From", self.from.to_string()),
            ("To", self.to.to_string()),
            ("Inbound calls", self.inbound.to_string()),
            ("Answered", self.answered.to_string()),
            ("Abandoned", self.abandoned.to_string()),
            ("Answer rate (%)", opt(self.answer_rate_percent)),
            ("Abandon rate (%)", opt(self.abandon_rate_percent)),
            ("Outbound calls", self.outbound.to_string()),
            ("First-call resolution (%)", opt(self.first_call_resolution_percent)),
        ];
        let agents = self.calls_per_agent.iter().map(|(a, n)| vec![a.clone(), n.to_string()]).collect();
        let hours = self.calls_per_hour.iter().map(|(h, n)| vec![format!("{h:02}:00"), n.to_string()]).collect();
        let tiers = self
            .by_tier
            .iter()
            .map(|t| {
                let (calls, answered) = (t.calls.to_string(), t.answered.to_string());
                vec![t.tier.clone(), calls, answered, opt(t.average_wait_seconds), opt(t.average_handle_seconds)]
            })
            .collect();
        let lists = self
            .lists
            .iter()
            .map(|l| {
                let (entries, called, reached) = (l.entries.to_string(), l.called.to_string(), l.reached.to_string());
                vec![l.list.clone(), entries, called, reached, opt(l.penetration_percent), opt(l.conversion_percent)]
            })
            .collect();
        report_workbook(
            &summary,
            &[
                ReportTable::new("Calls per agent", &["Agent", "Calls"], agents),
                ReportTable::new("Calls per hour", &["Hour (UTC)", "Calls"], hours),
                ReportTable::new(
                    "By value tier",
                    &["Tier", "Calls", "Answered", "Average wait (s)", "Average handle (s)"],
                    tiers,
                ),
                ReportTable::new(
                    "Call lists",
                    &["List", "Calls", "Called", "Reached", "Penetration (%)", "Conversion (%)"],
                    lists,
                ),
            ],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use relata_core::value::Values;

    fn call(caller: uuid::Uuid, at: DateTime<Utc>, answered: bool) -> Record {
        let mut values = Values::default();
        values.set_std("contact", FieldValue::Ref(caller));
        values.set_std("rang_at", FieldValue::DateTime(at));
        if answered {
            values.set_std("answered_at", FieldValue::DateTime(at));
        }
        Record::new(PHONE_CALLS, None, values, at)
    }

    #[test]
    fn a_first_call_is_resolved_when_the_caller_does_not_call_again_within_a_week() {
        let t0 = DateTime::parse_from_rfc3339("2026-12-01T10:00:00Z").unwrap().with_timezone(&Utc);
        let (jan, ola) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
        let calls = [
            call(jan, t0, true),
            call(jan, t0 + Duration::days(2), true),
            call(ola, t0, true),
            call(ola, t0 + Duration::days(8), false),
        ];
        let refs: Vec<&Record> = calls.iter().collect();
        // Jan's first call came back within a week; his second and Ola's did not.
        assert_eq!(first_call_resolution(&refs), Some(66.7));
        assert_eq!(first_call_resolution(&[]), None);
    }
}
