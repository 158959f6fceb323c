//! The service dashboard (`/service`): the backlog, SLA compliance and
//! response times of the last 30 days, drawn by the server, with the
//! workbook to download.

use super::home::bars_svg;
use super::{Layout, Page, S, app_error_page, layout, render};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use relata_service::entities::CASES;
use relata_service::report::Counts;

#[derive(Template)]
#[template(path = "service.html")]
struct Dashboard {
    layout: Layout,
    facts: Vec<(String, String)>,
    charts: Vec<(String, String)>,
    /// The link to the held mail, with how much the desk held ("100+" past
    /// a page), for who may look at it.
    held: Option<String>,
}

/// The held mail waiting for an agent, counted up to a page.
async fn held_count(server: &crate::Server, page: &Page) -> Option<String> {
    use relata_service::entities::HELD_MESSAGES;
    let params = relata_app::read::ListParams {
        conditions: vec![relata_core::filter::Expr::eq("status", "held")],
        limit: Some(100),
        ..Default::default()
    };
    let (found, _) = relata_app::read::list(&server.app, &page.ctx, HELD_MESSAGES, &params).await.ok()?;
    let n = page.locale.integer(found.records.len() as i64);
    Some(if found.next_cursor.is_some() { format!("{n}+") } else { n })
}

/// A number with one decimal at most, in the reader's format (`66.7`, `66,7`, `50`).
fn tenths(page: &Page, value: f64) -> String {
    let text = relata_i18n::format::decimal(page.locale.language, (value * 10.0).round() as i64, 1);
    text.trim_end_matches('0').trim_end_matches(['.', ',']).to_string()
}

/// The report's age buckets (in its order) and their messages.
const AGES: [(&str, &str); 5] = [
    ("under a day", "service-age-under-a-day"),
    ("1 to 3 days", "service-age-1-to-3-days"),
    ("3 to 7 days", "service-age-3-to-7-days"),
    ("7 to 30 days", "service-age-7-to-30-days"),
    ("over 30 days", "service-age-over-30-days"),
];

/// Counts as bars, each label as the reader reads it: a bucket of age or
/// a choice of `field` in their language, "(none)" too; names as they are.
fn bars(page: &Page, counts: &Counts, field: Option<&str>) -> Vec<(String, i64, String)> {
    let tr = page.tr();
    let schema = page.schema(CASES);
    let label = |value: &str| {
        if value == "(none)" {
            return tr.t("home-no-value");
        }
        if let Some((_, id)) = AGES.iter().find(|(bucket, _)| *bucket == value) {
            return tr.t(id);
        }
        match field.and_then(|f| schema.field(f)) {
            Some(def) => page.locale.field_value(def, &relata_core::value::FieldValue::Text(value.to_string())),
            None => value.to_string(),
        }
    };
    counts.iter().map(|(value, n)| (label(value), *n as i64, page.locale.integer(*n as i64))).collect()
}

/// A duration in minutes as the reader reads it: minutes, hours or days.
fn minutes(page: &Page, m: Option<i64>) -> String {
    let tr = page.tr();
    match m {
        None => "–".into(),
        Some(m) if m < 120 => tr.t_with("service-minutes", &[("minutes", page.locale.integer(m).into())]),
        Some(m) if m < 48 * 60 => tr.t_with("service-hours", &[("hours", one_decimal(page, m as f64 / 60.0).into())]),
        Some(m) => tr.t_with("service-days", &[("days", one_decimal(page, m as f64 / 1440.0).into())]),
    }
}

/// A number with exactly one decimal, in the reader's format (`1.5`, `1,5`).
fn one_decimal(page: &Page, value: f64) -> String {
    relata_i18n::format::decimal(page.locale.language, (value * 10.0).round() as i64, 1)
}

/// `GET /service`
pub async fn dashboard(State(server): S, page: Page) -> Response {
    let report = match relata_service::report::build(&server.app, &page.ctx, 30).await {
        Ok(r) => r,
        Err(e) => return app_error_page(&page, e),
    };
    let tr = page.tr();
    let times = |median: Option<i64>, p90: Option<i64>| {
        tr.t_with("service-times", &[("median", minutes(&page, median).into()), ("p90", minutes(&page, p90).into())])
    };
    let compliance = report.sla_compliance_percent.map_or("–".into(), |p| {
        tr.t_with(
            "service-sla-value",
            &[
                ("percent", tenths(&page, p).into()),
                ("breached", page.locale.integer(report.sla_breached as i64).into()),
            ],
        )
    });
    let facts = vec![
        (tr.t("service-open-cases"), page.locale.integer(report.open as i64)),
        (tr.t("service-resolved"), page.locale.integer(report.resolved as i64)),
        (tr.t("service-sla"), compliance),
        (
            tr.t("service-first-response"),
            times(report.first_response.median_minutes, report.first_response.p90_minutes),
        ),
        (tr.t("service-resolution"), times(report.resolution.median_minutes, report.resolution.p90_minutes)),
    ];
    let backlog: Vec<(String, i64, String)> = report
        .backlog
        .iter()
        .rev()
        .take(14)
        .rev()
        .map(|(d, n)| (page.locale.date(d), *n as i64, page.locale.integer(*n as i64)))
        .collect();
    let chart = |title: &str, bars: &[(String, i64, String)]| {
        let title = tr.t(title);
        let svg = bars_svg(&title, bars);
        (title, svg)
    };
    let charts = vec![
        chart("service-chart-age", &bars(&page, &report.open_by_age, None)),
        chart("service-chart-team", &bars(&page, &report.open_by_team, None)),
        chart("service-chart-priority", &bars(&page, &report.open_by_priority, Some("priority"))),
        (tr.t("service-chart-backlog"), bars_svg(&tr.t("service-chart-backlog-label"), &backlog)),
        chart("service-chart-categories", &bars(&page, &report.top_categories, Some("category"))),
        chart("service-chart-root-causes", &bars(&page, &report.top_root_causes, Some("root_cause"))),
    ];
    let held = held_count(&server, &page).await.map(|n| tr.t_with("service-held-mail", &[("count", n.into())]));
    render(&Dashboard { layout: layout(&page, &tr.t("nav-service"), None), facts, charts, held }, StatusCode::OK)
}
