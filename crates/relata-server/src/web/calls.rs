//! The agent's next call (`/calls/next`): whom to call and why, their number
//! as a `tel:` link, the customer's last episodes, and the form that logs
//! the outcome and moves on to the next call.

use super::{
    Layout, Page, PagePath, S, Titles, action_refused, csrf_ok, csrf_refused, layout, read_form, render, see_other,
};
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use relata_calls::{CALL_QUEUE_ENTRIES, OUTCOMES, Outcome};
use relata_core::meta::EntityKind;
use relata_core::value::{format_datetime, parse_datetime};

pub struct NextCall {
    pub id: String,
    pub reason: String,
    pub priority: String,
    pub phone: Option<String>,
    /// (label, title, link) of the contact and the account.
    pub who: Vec<(String, String, Option<String>)>,
    pub attempts: String,
    pub last_outcome: String,
    /// (time, title) of the customer's last episodes.
    pub story: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "next_call.html")]
struct NextCallPage {
    layout: Layout,
    call: Option<NextCall>,
    outcomes: Vec<(String, String)>,
    problem: Option<String>,
}

async fn next_call_page(server: &crate::Server, page: &Page, problem: Option<String>, status: StatusCode) -> Response {
    let found = match relata_calls::next_call(&server.app, &page.ctx).await {
        Ok(found) => found,
        Err(e) => return super::app_error_page(page, e),
    };
    let mut call = None;
    if let Some(entry) = found {
        let schema = page.schema(CALL_QUEUE_ENTRIES);
        let titles = Titles::of(server, page, schema, &[&entry]).await;
        let mut who = Vec::new();
        let mut story = Vec::new();
        for (field, kind) in [("contact", relata_crm::CONTACTS), ("account", relata_crm::ACCOUNTS)] {
            let value = super::visible_std(schema, &entry, field);
            let Some(id) = value.as_ref_id() else { continue };
            let (title, href) = titles.show(value);
            let label = schema.field(field).map(|f| f.label.to_string()).unwrap_or_default();
            who.push((label, title, href));
            if story.is_empty() {
                story = last_episodes(server, page, kind, id).await;
            }
        }
        let text = |field: &str| titles.show(super::visible_std(schema, &entry, field)).0;
        call = Some(NextCall {
            id: entry.id.to_string(),
            reason: text("reason"),
            priority: text("priority"),
            phone: super::visible_std(schema, &entry, "phone").as_text().map(str::to_string),
            who,
            attempts: text("attempts"),
            last_outcome: text("last_outcome").replace('_', " "),
            story,
        });
    }
    let outcomes = OUTCOMES.iter().map(|o| (o.to_string(), o.replace('_', " "))).collect();
    render(
        &NextCallPage { layout: layout(page, "Next call", Some(CALL_QUEUE_ENTRIES)), call, outcomes, problem },
        status,
    )
}

/// The five latest episodes of a customer's story the agent may see.
async fn last_episodes(server: &crate::Server, page: &Page, kind: EntityKind, id: uuid::Uuid) -> Vec<(String, String)> {
    let id = relata_core::RecordId::from_uuid(id);
    match relata_app::timeline::timeline(&server.app, &page.ctx, kind, id, None, 5).await {
        Ok(t) => t.items.iter().map(|i| (format_datetime(&i.at), i.title.clone())).collect(),
        Err(_) => Vec::new(),
    }
}

/// `GET /calls/next`
pub async fn next_call(State(server): S, page: Page) -> Response {
    next_call_page(&server, &page, None, StatusCode::OK).await
}

/// `POST /calls/{id}/outcome`: logs the call, then shows the next one.
pub async fn log_outcome(State(server): S, path: PagePath, page: Page, body: Bytes) -> Response {
    let form = read_form(&body);
    if !csrf_ok(&page, &form) {
        return csrf_refused();
    }
    let Some(id) = super::record_id(&path) else { return super::not_found(&page) };
    let call_back = form.get("call_back_at").map(|t| t.trim()).filter(|t| !t.is_empty());
    // A browser's date and time field has no seconds and no zone: UTC.
    let call_back_at = match call_back {
        None => None,
        Some(text) => match parse_datetime(text).or_else(|| parse_datetime(&format!("{text}:00Z"))) {
            Some(at) => Some(at),
            None => {
                let problem = format!("call back at: {text:?} is not a date and time");
                return next_call_page(&server, &page, Some(problem), StatusCode::UNPROCESSABLE_ENTITY).await;
            }
        },
    };
    let said = Outcome {
        outcome: form.get("outcome").cloned().unwrap_or_default(),
        note: form.get("note").cloned(),
        call_back_at,
    };
    match relata_calls::log_outcome(&server.app, &page.ctx, id, said).await {
        Ok(_) => see_other("/calls/next".into()),
        Err(relata_app::AppError::Invalid(v)) => {
            let problem = v.errors.iter().map(|f| format!("{}: {}", f.field, f.message)).collect::<Vec<_>>().join("; ");
            next_call_page(&server, &page, Some(problem), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => action_refused(&page, e),
    }
}

/// A queue's waiting calls, the most valuable caller first.
pub struct WaitingQueue {
    pub name: String,
    /// (link, caller, number, tier, priority, ringing since)
    pub calls: Vec<(String, String, String, String, String, String)>,
}

#[derive(Template)]
#[template(path = "waiting_calls.html")]
struct WaitingPage {
    layout: Layout,
    queues: Vec<WaitingQueue>,
}

/// `GET /calls/waiting`: the inbound calls ringing now, by queue, each
/// queue in the order its callers' worth gives (as far as the viewer may
/// read them: a manager sees every one).
pub async fn waiting_calls(State(server): S, page: Page) -> Response {
    use relata_calls::telephony::PHONE_CALLS;
    let params = relata_app::read::ListParams {
        filter: Some("status = \"ringing\" and direction = \"inbound\"".into()),
        sort: Some("-priority".into()),
        limit: Some(500),
        ..Default::default()
    };
    let (found, schemas) = match relata_app::read::list(&server.app, &page.ctx, PHONE_CALLS, &params).await {
        Ok(found) => found,
        Err(e) => return super::app_error_page(&page, e),
    };
    let schema = schemas.get(PHONE_CALLS);
    let calls: Vec<&relata_core::Record> = found.records.iter().collect();
    let titles = Titles::of_fields(&server, &page, schema, &calls, Some(&["contact", "account", "lead"])).await;
    let mut queues: Vec<WaitingQueue> = Vec::new();
    for call in calls {
        let text = |field: &str| super::visible_std(schema, call, field).as_text().unwrap_or_default().to_string();
        let caller = ["contact", "lead", "account"]
            .iter()
            .map(|f| super::visible_std(schema, call, f))
            .find(|v| !v.is_null())
            .map_or_else(|| "unknown caller".to_string(), |v| titles.show(v).0);
        let since = call.values.datetime("rang_at").map(|t| format_datetime(&t)).unwrap_or_default();
        let priority = super::visible_std(schema, call, "priority").to_csv();
        let row =
            (format!("/phone_calls/{}", call.id), caller, text("from_number"), text("value_tier"), priority, since);
        let name = text("queue");
        match queues.iter_mut().find(|q| q.name == name) {
            Some(queue) => queue.calls.push(row),
            None => queues.push(WaitingQueue { name, calls: vec![row] }),
        }
    }
    render(&WaitingPage { layout: layout(&page, "Waiting calls", None), queues }, StatusCode::OK)
}

#[derive(Template)]
#[template(path = "calls_dashboard.html")]
struct CallsDashboard {
    layout: Layout,
    facts: Vec<(String, String)>,
    charts: Vec<(String, String)>,
}

/// `GET /calls/dashboard`: the call center's last 30 days, drawn by the
/// server, with the workbook to download.
pub async fn dashboard(State(server): S, page: Page) -> Response {
    use super::home::bars_svg;
    let report = match relata_calls::report::build(&server.app, &page.ctx, 30).await {
        Ok(r) => r,
        Err(e) => return super::app_error_page(&page, e),
    };
    let percent = |p: Option<f64>| p.map_or("–".to_string(), |p| format!("{p} %"));
    let facts = vec![
        ("Inbound calls".to_string(), report.inbound.to_string()),
        ("Answered".to_string(), format!("{} ({})", report.answered, percent(report.answer_rate_percent))),
        ("Abandoned".to_string(), format!("{} ({})", report.abandoned, percent(report.abandon_rate_percent))),
        ("Outbound calls".to_string(), report.outbound.to_string()),
        ("First-call resolution".to_string(), percent(report.first_call_resolution_percent)),
    ];
    let ids: Vec<String> = report.calls_per_agent.iter().map(|(id, _)| id.clone()).collect();
    let names: std::collections::HashMap<String, String> = match server.app.store.read(page.ctx.ws()).await {
        Ok(mut conn) => {
            conn.member_names(&ids).await.unwrap_or_default().into_iter().map(|(id, n)| (id.to_string(), n)).collect()
        }
        Err(_) => Default::default(),
    };
    let bar = |label: String, n: u64| (label, n as i64, n.to_string());
    let agents: Vec<_> = report
        .calls_per_agent
        .iter()
        .map(|(id, n)| bar(names.get(id).cloned().unwrap_or_else(|| id.clone()), *n))
        .collect();
    let hours: Vec<_> = report.calls_per_hour.iter().map(|(h, n)| bar(format!("{h:02}:00"), *n)).collect();
    let waits: Vec<_> = report
        .by_tier
        .iter()
        .map(|t| {
            let wait = t.average_wait_seconds.unwrap_or(0.0);
            (t.tier.clone(), wait.round() as i64, format!("{wait} s"))
        })
        .collect();
    let lists: Vec<_> = report
        .lists
        .iter()
        .map(|l| {
            let p = l.penetration_percent.unwrap_or(0.0);
            (l.list.clone(), p.round() as i64, format!("{p} %"))
        })
        .collect();
    let charts = vec![
        ("Calls per agent".to_string(), bars_svg("Calls per agent", &agents)),
        ("Calls per hour (UTC)".to_string(), bars_svg("Calls per hour", &hours)),
        ("Average wait by value tier".to_string(), bars_svg("Average wait by value tier", &waits)),
        ("Call lists: penetration".to_string(), bars_svg("Call list penetration", &lists)),
    ];
    render(&CallsDashboard { layout: layout(&page, "Call center", None), facts, charts }, StatusCode::OK)
}
