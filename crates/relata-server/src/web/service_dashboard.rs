//! The service dashboard (`/service`): the backlog, SLA compliance and
//! response times of the last 30 days, drawn by the server, with the
//! workbook to download.

use super::home::bars_svg;
use super::{Layout, Page, S, app_error_page, layout, render};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use relata_service::report::Counts;

#[derive(Template)]
#[template(path = "service.html")]
struct Dashboard {
    layout: Layout,
    facts: Vec<(String, String)>,
    charts: Vec<(String, String)>,
    /// How much mail the desk held, for who may look at it ("100+" past a page).
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
    let n = found.records.len();
    Some(if found.next_cursor.is_some() { format!("{n}+") } else { n.to_string() })
}

fn bars(counts: &Counts) -> Vec<(String, i64, String)> {
    counts.iter().map(|(label, n)| (label.clone(), *n as i64, n.to_string())).collect()
}

fn minutes(m: Option<i64>) -> String {
    match m {
        None => "–".into(),
        Some(m) if m < 120 => format!("{m} min"),
        Some(m) if m < 48 * 60 => format!("{:.1} h", m as f64 / 60.0),
        Some(m) => format!("{:.1} days", m as f64 / 1440.0),
    }
}

/// `GET /service`
pub async fn dashboard(State(server): S, page: Page) -> Response {
    let report = match relata_service::report::build(&server.app, &page.ctx, 30).await {
        Ok(r) => r,
        Err(e) => return app_error_page(&page, e),
    };
    let facts = vec![
        ("Open cases".to_string(), report.open.to_string()),
        ("Resolved (30 days)".to_string(), report.resolved.to_string()),
        (
            "SLA compliance".to_string(),
            report.sla_compliance_percent.map_or("–".into(), |p| format!("{p} % ({} breached)", report.sla_breached)),
        ),
        (
            "First response".to_string(),
            format!(
                "median {}, 90 % within {}",
                minutes(report.first_response.median_minutes),
                minutes(report.first_response.p90_minutes)
            ),
        ),
        (
            "Resolution".to_string(),
            format!(
                "median {}, 90 % within {}",
                minutes(report.resolution.median_minutes),
                minutes(report.resolution.p90_minutes)
            ),
        ),
    ];
    let backlog: Vec<(String, i64, String)> = report
        .backlog
        .iter()
        .rev()
        .take(14)
        .rev()
        .map(|(d, n)| (d.format("%d %b").to_string(), *n as i64, n.to_string()))
        .collect();
    let charts = vec![
        ("Open cases by age".to_string(), bars_svg("Open cases by age", &bars(&report.open_by_age))),
        ("Open cases by team".to_string(), bars_svg("Open cases by team", &bars(&report.open_by_team))),
        ("Open cases by priority".to_string(), bars_svg("Open cases by priority", &bars(&report.open_by_priority))),
        ("Backlog, last 14 days".to_string(), bars_svg("Backlog by day", &backlog)),
        ("Top categories".to_string(), bars_svg("Top categories", &bars(&report.top_categories))),
        ("Top root causes".to_string(), bars_svg("Top root causes", &bars(&report.top_root_causes))),
    ];
    let held = held_count(&server, &page).await;
    render(&Dashboard { layout: layout(&page, "Service", None), facts, charts, held }, StatusCode::OK)
}
