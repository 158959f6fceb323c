//! The agent's next call (`/calls/next`): whom to call and why, their number
//! as a `tel:` link, the customer's last episodes, and the form that logs
//! the outcome and moves on to the next call.

use super::{
    Layout, Page, PagePath, S, Titles, action_refused, csrf_ok, csrf_refused, layout, read_form, render, see_other,
};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use relata_calls::{CALL_QUEUE_ENTRIES, CallToLog, FollowUp, OUTCOMES, Outcome};
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

/// A phone call as the next-call page shows it: the live call (the
/// agent's, or the one dialled for the entry shown).
pub struct LiveCall {
    pub id: String,
    pub status: String,
    pub number: String,
    pub talked: String,
}

#[derive(Template)]
#[template(path = "next_call.html")]
struct NextCallPage {
    layout: Layout,
    call: Option<NextCall>,
    outcomes: Vec<(String, String)>,
    problem: Option<String>,
    /// The progressive dialler is on: the next call is dialled when the
    /// agent is free.
    dialler: bool,
    /// A call of the agent's being dialled, ringing or talked on.
    live: Option<LiveCall>,
    /// The call dialled for the entry shown, waiting for its outcome.
    dialled: Option<LiveCall>,
    /// The outcome to offer first (what the dialled call came to).
    preselect: String,
}

/// A phone call as the viewer may see it (hidden fields stay empty).
fn live_call(page: &Page, call: &relata_core::Record) -> LiveCall {
    let schema = page.schema(relata_calls::telephony::PHONE_CALLS);
    let shown = |field: &str| super::visible_std(schema, call, field);
    let number = if shown("direction").as_text() == Some("outbound") { "to_number" } else { "from_number" };
    LiveCall {
        id: call.id.to_string(),
        status: shown("status").as_text().unwrap_or_default().to_string(),
        number: shown(number).as_text().unwrap_or_default().to_string(),
        talked: shown("talk_seconds").as_int().map(|s| format!("{} min {:02} s", s / 60, s % 60)).unwrap_or_default(),
    }
}

/// The outcomes, as (value, label) for a select.
fn outcome_choices() -> Vec<(String, String)> {
    OUTCOMES.iter().map(|o| (o.to_string(), o.replace('_', " "))).collect()
}

/// The outcome a log form offers first for a call in `status`: a missed
/// call found no one (the page's script does the same when a call ends).
fn offered_outcome(status: Option<&str>) -> &'static str {
    if status == Some("missed") { "no_answer" } else { "reached" }
}

struct Shown {
    problem: Option<String>,
    status: StatusCode,
    dialler: bool,
}

async fn next_call_page(server: &crate::Server, page: &Page, shown: Shown) -> Response {
    let Shown { problem, status, dialler } = shown;
    let found = match relata_calls::next_call(&server.app, &page.ctx).await {
        Ok(found) => found,
        Err(e) => return super::app_error_page(page, e),
    };
    let live = match relata_calls::dialler::live_call(&server.app, &page.ctx).await {
        Ok(live) => live,
        Err(e) => return super::app_error_page(page, e),
    };
    let mut dialled = None;
    if let Some(entry) = &found {
        let pending = async {
            let mut conn = server.app.reader(&page.ctx).await?;
            relata_calls::logging::dialled_for(&mut conn, entry.id).await
        };
        dialled = pending.await.ok().flatten();
    }
    let dialled = dialled.map(|c| live_call(page, &c));
    let preselect = offered_outcome(dialled.as_ref().map(|c| c.status.as_str()));
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
    let outcomes = outcome_choices();
    let page = NextCallPage {
        layout: layout(page, "Next call", Some(CALL_QUEUE_ENTRIES)),
        call,
        outcomes,
        problem,
        dialler,
        live: live.as_ref().map(|c| live_call(page, c)),
        dialled,
        preselect: preselect.to_string(),
    };
    render(&page, status)
}

fn dialler_on(raw: Option<&str>) -> bool {
    let pairs: Vec<(String, String)> = raw.and_then(|q| serde_urlencoded::from_str(q).ok()).unwrap_or_default();
    pairs.iter().any(|(k, v)| k == "dialler" && v == "on")
}

/// The next-call page, with the dialler on or off.
fn next_call_path(dialler: bool) -> String {
    if dialler { "/calls/next?dialler=on".into() } else { "/calls/next".into() }
}

/// The five latest episodes of a customer's story the agent may see.
async fn last_episodes(server: &crate::Server, page: &Page, kind: EntityKind, id: uuid::Uuid) -> Vec<(String, String)> {
    let id = relata_core::RecordId::from_uuid(id);
    match relata_app::timeline::timeline(&server.app, &page.ctx, kind, id, None, 5).await {
        Ok(t) => t.items.iter().map(|i| (format_datetime(&i.at), i.title.clone())).collect(),
        Err(_) => Vec::new(),
    }
}

/// `GET /calls/next[?dialler=on]`
pub async fn next_call(State(server): S, page: Page, RawQuery(raw): RawQuery) -> Response {
    let shown = Shown { problem: None, status: StatusCode::OK, dialler: dialler_on(raw.as_deref()) };
    next_call_page(&server, &page, shown).await
}

/// `POST /calls/next/dial`: the dialler's next step (dial the next call
/// when the agent is free), then the next-call page again.
pub async fn dial_next(State(server): S, page: Page, body: Bytes) -> Response {
    let form = read_form(&body);
    if !csrf_ok(&page, &form) {
        return csrf_refused();
    }
    let dialler = form.get("dialler").is_some_and(|d| d == "on");
    match relata_calls::dialler::offer(&server.app, &page.ctx).await {
        Ok(_) => see_other(next_call_path(dialler)),
        Err(e) => {
            let shown = Shown { problem: Some(e.to_string()), status: StatusCode::UNPROCESSABLE_ENTITY, dialler };
            next_call_page(&server, &page, shown).await
        }
    }
}

/// A time from a browser's date and time field (no seconds, no zone: UTC).
fn form_time(
    form: &std::collections::HashMap<String, String>,
    field: &str,
    label: &str,
) -> Result<Option<DateTime<Utc>>, String> {
    let Some(text) = form.get(field).map(|t| t.trim()).filter(|t| !t.is_empty()) else { return Ok(None) };
    match parse_datetime(text).or_else(|| parse_datetime(&format!("{text}:00Z"))) {
        Some(at) => Ok(Some(at)),
        None => Err(format!("{label}: {text:?} is not a date and time")),
    }
}

/// What the agent said in a log form: outcome, notes, call back, follow-up.
fn outcome_of(form: &std::collections::HashMap<String, String>) -> Result<Outcome, String> {
    let follow_subject = form.get("follow_up_subject").map(|s| s.trim()).filter(|s| !s.is_empty());
    let follow_due = form_time(form, "follow_up_due", "follow-up due")?;
    let follow_up = match (follow_subject, follow_due) {
        (None, None) => None,
        (Some(subject), Some(due_at)) => Some(FollowUp { subject: subject.to_string(), due_at }),
        (Some(_), None) => return Err("follow-up due: when the task is due".into()),
        (None, Some(_)) => return Err("follow-up: what to do".into()),
    };
    Ok(Outcome {
        outcome: form.get("outcome").cloned().unwrap_or_default(),
        note: form.get("note").cloned(),
        call_back_at: form_time(form, "call_back_at", "call back at")?,
        follow_up,
    })
}

/// `POST /calls/{id}/outcome`: logs the call, then shows the next one.
pub async fn log_outcome(State(server): S, path: PagePath, page: Page, body: Bytes) -> Response {
    let form = read_form(&body);
    if !csrf_ok(&page, &form) {
        return csrf_refused();
    }
    let Some(id) = super::record_id(&path) else { return super::not_found(&page) };
    let dialler = form.get("dialler").is_some_and(|d| d == "on");
    let refused = |problem| Shown { problem: Some(problem), status: StatusCode::UNPROCESSABLE_ENTITY, dialler };
    let said = match outcome_of(&form) {
        Ok(said) => said,
        Err(problem) => return next_call_page(&server, &page, refused(problem)).await,
    };
    match relata_calls::logging::log(&server.app, &page.ctx, CallToLog::Entry(id), said).await {
        Ok(_) => see_other(next_call_path(dialler)),
        Err(e @ relata_app::AppError::Invalid(_)) => next_call_page(&server, &page, refused(e.to_string())).await,
        Err(e) => action_refused(&page, e),
    }
}

/// The call page (`/calls/phone/{id}`): who is on the line and what they
/// are worth, their last episodes, the form logging the call and the form
/// taking an order for their account.
#[derive(Template)]
#[template(path = "call_page.html")]
struct CallPage {
    layout: Layout,
    id: String,
    heading: String,
    call: LiveCall,
    /// (label, value, link)
    facts: Vec<(String, String, Option<String>)>,
    /// (time, title)
    episodes: Vec<(String, String)>,
    /// The activity the call was logged as, and the order taken in it.
    logged: Option<String>,
    order: Option<String>,
    can_order: bool,
    /// (id, name) of the products on sale.
    products: Vec<(String, String)>,
    rows: Vec<usize>,
    outcomes: Vec<(String, String)>,
    preselect: String,
    problem: Option<String>,
}

/// Rows of the order form.
const ORDER_ROWS: usize = 5;

async fn call_page(
    server: &crate::Server,
    page: &Page,
    id: relata_core::RecordId,
    problem: Option<String>,
) -> Response {
    use relata_calls::telephony::PHONE_CALLS;
    let call = match relata_app::read::get(&server.app, &page.ctx, PHONE_CALLS, id, false).await {
        Ok((call, _)) => call,
        Err(e) => return super::app_error_page(page, e),
    };
    let pop = match relata_calls::telephony::screen_pop(&server.app, &page.ctx, &call).await {
        Ok(pop) => pop,
        Err(e) => return super::app_error_page(page, e),
    };
    let titled =
        |key: &str| pop[key]["title"].as_str().map(|t| (t.to_string(), pop[key]["href"].as_str().map(str::to_string)));
    let live = live_call(page, &call);
    let heading = ["contact", "lead", "account"]
        .iter()
        .find_map(|k| titled(k).map(|(t, _)| t))
        .unwrap_or_else(|| if live.number.is_empty() { "Number withheld".into() } else { live.number.clone() });
    let mut facts = Vec::new();
    for (key, label) in [("contact", "Contact"), ("lead", "Lead"), ("account", "Account")] {
        if let Some((title, href)) = titled(key) {
            facts.push((label.to_string(), title, href));
        }
    }
    let count = |key: &str| pop[key].as_u64().map(|n| n.to_string());
    let value = format!("{} (priority {})", pop["value_tier"].as_str().unwrap_or("unknown"), pop["priority"]);
    facts.push(("Value".into(), value, None));
    for (key, label) in [
        ("open_cases", "Open cases"),
        ("overdue_invoices", "Overdue invoices"),
        ("open_opportunities", "Open opportunities"),
    ] {
        if let Some(n) = count(key) {
            facts.push((label.to_string(), n, None));
        }
    }
    if let Some(href) = pop["new_contact_href"].as_str() {
        facts.push(("Unknown number".into(), "New contact".into(), Some(href.to_string())));
    }
    let episodes = pop["episodes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            (e["at"].as_str().unwrap_or_default().to_string(), e["title"].as_str().unwrap_or_default().to_string())
        })
        .collect();
    let schema = page.schema(PHONE_CALLS);
    let link = |field: &str, kind: EntityKind| {
        super::visible_std(schema, &call, field).as_ref_id().map(|id| format!("/{}/{id}", kind.api_name()))
    };
    let can_order = super::visible_std(schema, &call, "account").as_ref_id().is_some()
        && page.ctx.access.check_kind(relata_commerce::ORDERS, relata_core::access::Right::Create).is_ok();
    let mut products = Vec::new();
    if can_order {
        let params = relata_app::read::ListParams {
            filter: Some("active = true".into()),
            sort: Some("name".into()),
            limit: Some(500),
            ..Default::default()
        };
        if let Ok((found, schemas)) =
            relata_app::read::list(&server.app, &page.ctx, relata_commerce::PRODUCTS, &params).await
        {
            let schema = schemas.get(relata_commerce::PRODUCTS);
            products = found.records.iter().map(|p| (p.id.to_string(), schema.title(p))).collect();
        }
    }
    let preselect = offered_outcome(Some(live.status.as_str()));
    let call_page = CallPage {
        layout: layout(page, &format!("Call: {heading}"), Some(PHONE_CALLS)),
        id: call.id.to_string(),
        heading,
        logged: link("activity", relata_crm::ACTIVITIES),
        order: link("order", relata_commerce::ORDERS),
        call: live,
        facts,
        episodes,
        can_order,
        products,
        rows: (0..ORDER_ROWS).collect(),
        outcomes: outcome_choices(),
        preselect: preselect.to_string(),
        problem,
    };
    let status = if call_page.problem.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    render(&call_page, status)
}

/// `GET /calls/phone/{id}`
pub async fn phone_call(State(server): S, path: PagePath, page: Page) -> Response {
    let Some(id) = super::record_id(&path) else { return super::not_found(&page) };
    call_page(&server, &page, id, None).await
}

/// `POST /calls/phone/{id}/log`: logs the call, then shows its page.
pub async fn log_phone_call(State(server): S, path: PagePath, page: Page, body: Bytes) -> Response {
    let form = read_form(&body);
    if !csrf_ok(&page, &form) {
        return csrf_refused();
    }
    let Some(id) = super::record_id(&path) else { return super::not_found(&page) };
    let said = match outcome_of(&form) {
        Ok(said) => said,
        Err(problem) => return call_page(&server, &page, id, Some(problem)).await,
    };
    match relata_calls::logging::log(&server.app, &page.ctx, CallToLog::PhoneCall(id), said).await {
        Ok(_) => see_other(format!("/calls/phone/{id}")),
        Err(e @ (relata_app::AppError::Invalid(_) | relata_app::AppError::Conflict(_))) => {
            call_page(&server, &page, id, Some(e.to_string())).await
        }
        Err(e) => action_refused(&page, e),
    }
}

/// `POST /calls/phone/{id}/order`: takes the order (rows `product_N`,
/// `quantity_N`), then shows the call's page with it.
pub async fn take_order(State(server): S, path: PagePath, page: Page, body: Bytes) -> Response {
    let form = read_form(&body);
    if !csrf_ok(&page, &form) {
        return csrf_refused();
    }
    let Some(id) = super::record_id(&path) else { return super::not_found(&page) };
    let lines: Vec<serde_json::Value> = (0..ORDER_ROWS)
        .filter_map(|i| {
            let product = form.get(&format!("product_{i}")).map(|p| p.trim()).filter(|p| !p.is_empty())?;
            let quantity = form.get(&format!("quantity_{i}")).map(|q| q.trim()).unwrap_or("1");
            Some(serde_json::json!({"product": product, "quantity": quantity}))
        })
        .collect();
    let input = serde_json::json!({"lines": lines, "notes": form.get("notes").filter(|n| !n.trim().is_empty())});
    match relata_calls::orders::take(&server.app, &page.ctx, id, &input).await {
        Ok(_) => see_other(format!("/calls/phone/{id}")),
        Err(e @ relata_app::AppError::Invalid(_)) => call_page(&server, &page, id, Some(e.to_string())).await,
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
    let percent = |p: Option<f64>| p.map_or("–".to_string(), |p| page.locale.percent(p));
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

/// Click-to-dial on a contact's, account's or lead's page: a button per
/// number the viewer may see, for who has an extension to dial from.
pub(crate) async fn dial_actions(
    server: &crate::Server,
    page: &Page,
    schema: &relata_core::meta::Schema,
    record: &relata_core::Record,
) -> Vec<super::commerce::Action> {
    let field = match schema.kind {
        k if k == relata_crm::CONTACTS || k == relata_sales::LEADS => "phones",
        k if k == relata_crm::ACCOUNTS => "phone",
        _ => return Vec::new(),
    };
    let numbers: Vec<String> = match super::visible_std(schema, record, field) {
        relata_core::value::FieldValue::List(numbers) => numbers.clone(),
        relata_core::value::FieldValue::Text(number) => vec![number.clone()],
        _ => return Vec::new(),
    };
    let Some(me) = page.ctx.actor else { return Vec::new() };
    if numbers.is_empty() || !relata_calls::telephony::has_extension(&server.app, &page.ctx, me).await.unwrap_or(false)
    {
        return Vec::new();
    }
    let whose = if schema.kind == relata_crm::CONTACTS { Some(record.id.to_string()) } else { None };
    numbers
        .into_iter()
        .map(|number| {
            let mut fields = vec![("number".to_string(), number.clone())];
            if let Some(contact) = &whose {
                fields.push(("contact".to_string(), contact.clone()));
            }
            super::commerce::Action { label: format!("Dial {number}"), href: "/calls/dial".into(), post: Some(fields) }
        })
        .collect()
}

/// `POST /calls/dial`: click-to-dial from a record's page (`number`,
/// `contact`), then the call's page.
pub async fn dial(State(server): S, page: Page, body: Bytes) -> Response {
    let form = read_form(&body);
    if !csrf_ok(&page, &form) {
        return csrf_refused();
    }
    let mut input = serde_json::json!({"number": form.get("number")});
    if let Some(contact) = form.get("contact").filter(|c| !c.is_empty()) {
        input["contact"] = serde_json::json!(contact);
    }
    match relata_calls::telephony::dial(&server.app, &page.ctx, &input).await {
        Ok(call) => see_other(format!("/calls/phone/{}", call.id)),
        Err(e) => action_refused(&page, e),
    }
}
