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

/// Counts as bars, each label as the reader reads it: a bucket of age or
/// a choice of `field` in their language, "(none)" too; names as they are.
fn bars(page: &Page, counts: &Counts, field: Option<&str>) -> Vec<(String, i64, String)> {
    let tr = page.tr();
    let schema = page.schema(CASES);
    let label = |value: &str| {
        if value == "(none)" {
            return tr.t("home-no-value");
        }
        if relata_service::report::AGE_ORDER.contains(&value) {
            return tr.t(&format!("service-age-{}", value.replace(' ', "-")));
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
                // The language's own percent format (`50%`, `50 %`), to a tenth.
                ("percent", page.locale.percent((p * 10.0).round() / 10.0).into()),
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
