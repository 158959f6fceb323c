//! The agent's next call (`/calls/next`): whom to call and why, their number
//! as a `tel:` link, the customer's last episodes, and the form that logs
//! the outcome and moves on to the next call.

use super::{
    Layout, Page, PagePath, S, Titles, app_error_page, csrf_ok, csrf_refused, layout, read_form, render, see_other,
};
use crate::http::escape_html;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use relata_calls::{CALL_QUEUE_ENTRIES, CallToLog, FollowUp, OUTCOMES, Outcome};
use relata_core::meta::EntityKind;
use relata_core::value::{FieldValue, format_datetime, parse_datetime};

pub struct NextCall {
    pub id: String,
    pub reason: String,
    pub priority: String,
    pub phone: Option<String>,
    /// (label, title, link) of the contact and the account.
    pub who: Vec<(String, String, Option<String>)>,
    /// The attempts so far and the last one's outcome, as a line (empty
    /// when the field is hidden).
    pub attempts: String,
    /// (time for machines, time shown, title) of the customer's last episodes.
    pub story: Vec<(String, String, String)>,
}

/// A phone call as the next-call page shows it: the live call (the
/// agent's, or the one dialled for the entry shown).
pub struct LiveCall {
    pub id: String,
    /// The status's value (`ringing`), and its label in the reader's language.
    pub state: String,
    pub status: String,
    pub number: String,
    /// How long the call was talked, as shown ("4 min 30 s").
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
    /// What the dialler is about to do, as HTML (the countdown's seconds
    /// in a span the page's script counts down).
    countdown: String,
}

/// Seconds talked as the reader reads them ("4 min 30 s").
fn talked(page: &Page, seconds: i64) -> String {
    let args =
        [("minutes", page.locale.integer(seconds / 60).into()), ("seconds", format!("{:02}", seconds % 60).into())];
    page.tr().t_with("calls-talked-duration", &args)
}

/// The label of a choice option of a field, in the reader's language (the
/// catalogue's, when the viewer may not see the field itself).
fn option_label(page: &Page, kind: EntityKind, field: &str, option: &str) -> String {
    match page.schema(kind).field(field) {
        Some(f) => page.locale.field_value(f, &FieldValue::Text(option.to_string())),
        None => page.tr().t_or(&format!("option-{}-{field}-{option}", kind.api_name()), option),
    }
}

/// A time the page shows: (for machines, as the reader reads it).
fn moment(page: &Page, at: &DateTime<Utc>) -> (String, String) {
    (format_datetime(at), page.locale.moment(at))
}

/// A phone call as the viewer may see it (hidden fields stay empty).
fn live_call(page: &Page, call: &relata_core::Record) -> LiveCall {
    let schema = page.schema(relata_calls::telephony::PHONE_CALLS);
    let shown = |field: &str| super::visible_std(schema, call, field);
    let number = if shown("direction").as_text() == Some("outbound") { "to_number" } else { "from_number" };
    let status = shown("status");
    LiveCall {
        id: call.id.to_string(),
        state: status.as_text().unwrap_or_default().to_string(),
        status: schema.field("status").map(|f| page.locale.field_value(f, status)).unwrap_or_default(),
        number: shown(number).as_text().unwrap_or_default().to_string(),
        talked: shown("talk_seconds").as_int().map(|s| talked(page, s)).unwrap_or_default(),
    }
}

/// The outcomes, as (value, label) for a select.
fn outcome_choices(page: &Page) -> Vec<(String, String)> {
    OUTCOMES.iter().map(|o| (o.to_string(), option_label(page, CALL_QUEUE_ENTRIES, "last_outcome", o))).collect()
}

/// The outcome a log form offers first for a call in `status`: a missed
/// call found no one (the page's script does the same when a call ends).
fn offered_outcome(status: Option<&str>) -> &'static str {
    if status == Some("missed") { "no_answer" } else { "reached" }
}

/// What the dialler says before it dials `phone`, as HTML: the seconds
/// left in the span the page's script counts down.
fn countdown(page: &Page, phone: Option<&str>) -> String {
    let seconds = ("seconds", "<span data-countdown>3</span>".into());
    match phone {
        Some(number) => page.tr().t_with("calls-dialler-countdown", &[("number", escape_html(number).into()), seconds]),
        None => page.tr().t_with("calls-dialler-countdown-customer", &[seconds]),
    }
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
    let preselect = offered_outcome(dialled.as_ref().map(|c| c.state.as_str()));
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
        let attempts = text("attempts");
        let last = schema
            .field("last_outcome")
            .map(|f| page.locale.field_value(f, super::visible_std(schema, &entry, "last_outcome")))
            .unwrap_or_default();
        let attempts = if attempts.is_empty() || last.is_empty() {
            attempts
        } else {
            page.tr().t_with("calls-attempts-last", &[("attempts", attempts.into()), ("outcome", last.into())])
        };
        call = Some(NextCall {
            id: entry.id.to_string(),
            reason: text("reason"),
            priority: text("priority"),
            phone: super::visible_std(schema, &entry, "phone").as_text().map(str::to_string),
            who,
            attempts,
            story,
        });
    }
    let outcomes = outcome_choices(page);
    let countdown = countdown(page, call.as_ref().and_then(|c| c.phone.as_deref()));
    let page = NextCallPage {
        layout: layout(page, &page.tr().t("calls-next-title"), Some(CALL_QUEUE_ENTRIES)),
        call,
        outcomes,
        problem,
        dialler,
        live: live.as_ref().map(|c| live_call(page, c)),
        dialled,
        preselect: preselect.to_string(),
        countdown,
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

/// The five latest episodes of a customer's story the agent may see, as
/// (time for machines, time shown, title).
async fn last_episodes(
    server: &crate::Server,
    page: &Page,
    kind: EntityKind,
    id: uuid::Uuid,
) -> Vec<(String, String, String)> {
    let id = relata_core::RecordId::from_uuid(id);
    match relata_app::timeline::timeline(&server.app, &page.ctx, kind, id, None, 5).await {
        Ok(t) => t
            .items
            .iter()
            .map(|i| {
                let (iso, shown) = moment(page, &i.at);
                (iso, shown, i.title.clone())
            })
            .collect(),
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
        return csrf_refused(&page);
    }
    let dialler = form.get("dialler").is_some_and(|d| d == "on");
    match relata_calls::dialler::offer(&server.app, &page.ctx).await {
        Ok(_) => see_other(next_call_path(dialler)),
        Err(e) => {
            let shown = Shown {
                problem: Some(super::error_text(&page, &e)),
                status: StatusCode::UNPROCESSABLE_ENTITY,
                dialler,
            };
            next_call_page(&server, &page, shown).await
        }
    }
}

/// A time from a browser's date and time field (no seconds, no zone: UTC);
/// `label` names the field in what is refused.
fn form_time(
    page: &Page,
    form: &std::collections::HashMap<String, String>,
    field: &str,
    label: &str,
) -> Result<Option<DateTime<Utc>>, String> {
    let Some(text) = form.get(field).map(|t| t.trim()).filter(|t| !t.is_empty()) else { return Ok(None) };
    match parse_datetime(text).or_else(|| parse_datetime(&format!("{text}:00Z"))) {
        Some(at) => Ok(Some(at)),
        None => {
            let args = [("field", page.tr().t(label).into()), ("text", text.into())];
            Err(page.tr().t_with("calls-error-not-a-time", &args))
        }
    }
}

/// What the agent said in a log form: outcome, notes, call back, follow-up.
fn outcome_of(page: &Page, form: &std::collections::HashMap<String, String>) -> Result<Outcome, String> {
    let follow_subject = form.get("follow_up_subject").map(|s| s.trim()).filter(|s| !s.is_empty());
    let follow_due = form_time(page, form, "follow_up_due", "calls-error-field-follow-up-due")?;
    let follow_up = match (follow_subject, follow_due) {
        (None, None) => None,
        (Some(subject), Some(due_at)) => Some(FollowUp { subject: subject.to_string(), due_at }),
        (Some(_), None) => return Err(page.tr().t("calls-error-follow-up-due-missing")),
        (None, Some(_)) => return Err(page.tr().t("calls-error-follow-up-subject-missing")),
    };
    Ok(Outcome {
        outcome: form.get("outcome").cloned().unwrap_or_default(),
        note: form.get("note").cloned(),
        call_back_at: form_time(page, form, "call_back_at", "calls-error-field-call-back-at")?,
        follow_up,
    })
}

/// `POST /calls/{id}/outcome`: logs the call, then shows the next one.
pub async fn log_outcome(State(server): S, path: PagePath, page: Page, body: Bytes) -> Response {
    let form = read_form(&body);
    if !csrf_ok(&page, &form) {
        return csrf_refused(&page);
    }
    let Some(id) = super::record_id(&path) else { return super::not_found(&page) };
    let dialler = form.get("dialler").is_some_and(|d| d == "on");
    let refused = |problem| Shown { problem: Some(problem), status: StatusCode::UNPROCESSABLE_ENTITY, dialler };
    let said = match outcome_of(&page, &form) {
        Ok(said) => said,
        Err(problem) => return next_call_page(&server, &page, refused(problem)).await,
    };
    match relata_calls::logging::log(&server.app, &page.ctx, CallToLog::Entry(id), said).await {
        Ok(_) => see_other(next_call_path(dialler)),
        Err(relata_app::AppError::Invalid(v)) => {
            next_call_page(&server, &page, refused(super::refusals_text(page.tr(), &v))).await
        }
        Err(e) => app_error_page(&page, e),
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
    /// (time for machines, time shown, title)
    episodes: Vec<(String, String, String)>,
    /// The activity the call was logged as, and the order taken in it.
    logged: Option<String>,
    order: Option<String>,
    can_order: bool,
    /// (id, name) of the products on sale.
    products: Vec<(String, String)>,
    /// (index, the product's label, the quantity's label) of the order form's rows.
    rows: Vec<(usize, String, String)>,
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
    let tr = page.tr();
    let popped = relata_calls::telephony::pop_call(&server.app, &page.ctx, id, None, |_| true);
    let (call, pop) = match popped.await {
        Ok(Some(popped)) => popped,
        Ok(None) => return super::app_error_page(page, relata_app::AppError::NotFound),
        Err(e) => return super::app_error_page(page, e),
    };
    let titled =
        |key: &str| pop[key]["title"].as_str().map(|t| (t.to_string(), pop[key]["href"].as_str().map(str::to_string)));
    let live = live_call(page, &call);
    let heading = ["contact", "lead", "account"]
        .iter()
        .find_map(|k| titled(k).map(|(t, _)| t))
        .unwrap_or_else(|| if live.number.is_empty() { tr.t("calls-number-withheld") } else { live.number.clone() });
    let mut facts = Vec::new();
    for (key, label) in
        [("contact", "calls-fact-contact"), ("lead", "calls-fact-lead"), ("account", "calls-fact-account")]
    {
        if let Some((title, href)) = titled(key) {
            facts.push((tr.t(label), title, href));
        }
    }
    let count = |key: &str| pop[key].as_u64().map(|n| page.locale.integer(n as i64));
    let tier = option_label(page, PHONE_CALLS, "value_tier", pop["value_tier"].as_str().unwrap_or("unknown"));
    let priority = pop["priority"].as_i64().map_or_else(|| "–".to_string(), |p| page.locale.integer(p));
    let value = tr.t_with("calls-value-priority", &[("tier", tier.into()), ("priority", priority.into())]);
    facts.push((tr.t("calls-fact-value"), value, None));
    for (key, label) in [
        ("open_cases", "calls-fact-open-cases"),
        ("overdue_invoices", "calls-fact-overdue-invoices"),
        ("open_opportunities", "calls-fact-open-opportunities"),
    ] {
        if let Some(n) = count(key) {
            facts.push((tr.t(label), n, None));
        }
    }
    if let Some(href) = pop["new_contact_href"].as_str() {
        facts.push((tr.t("calls-fact-unknown-number"), tr.t("calls-new-contact"), Some(href.to_string())));
    }
    let episodes = pop["episodes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            let at = e["at"].as_str().unwrap_or_default();
            let (iso, shown) =
                parse_datetime(at).map_or_else(|| (at.to_string(), at.to_string()), |t| moment(page, &t));
            (iso, shown, e["title"].as_str().unwrap_or_default().to_string())
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
    let rows = (0..ORDER_ROWS)
        .map(|i| {
            let row = || [("row", page.locale.integer(i as i64 + 1).into())];
            (i, tr.t_with("calls-product-row", &row()), tr.t_with("calls-quantity-row", &row()))
        })
        .collect();
    let preselect = offered_outcome(Some(live.state.as_str()));
    let call_page = CallPage {
        layout: layout(page, &tr.t_with("calls-call-title", &[("who", heading.as_str().into())]), Some(PHONE_CALLS)),
        id: call.id.to_string(),
        heading,
        logged: link("activity", relata_crm::ACTIVITIES),
        order: link("order", relata_commerce::ORDERS),
        call: live,
        facts,
        episodes,
        can_order,
        products,
        rows,
        outcomes: outcome_choices(page),
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
        return csrf_refused(&page);
    }
    let Some(id) = super::record_id(&path) else { return super::not_found(&page) };
    let said = match outcome_of(&page, &form) {
        Ok(said) => said,
        Err(problem) => return call_page(&server, &page, id, Some(problem)).await,
    };
    match relata_calls::logging::log(&server.app, &page.ctx, CallToLog::PhoneCall(id), said).await {
        Ok(_) => see_other(format!("/calls/phone/{id}")),
        Err(e @ (relata_app::AppError::Invalid(_) | relata_app::AppError::Conflict(_))) => {
            call_page(&server, &page, id, Some(super::error_text(&page, &e))).await
        }
        Err(e) => app_error_page(&page, e),
    }
}

/// `POST /calls/phone/{id}/order`: takes the order (rows `product_N`,
/// `quantity_N`), then shows the call's page with it.
pub async fn take_order(State(server): S, path: PagePath, page: Page, body: Bytes) -> Response {
    let form = read_form(&body);
    if !csrf_ok(&page, &form) {
        return csrf_refused(&page);
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
        Err(relata_app::AppError::Invalid(v)) => {
            call_page(&server, &page, id, Some(super::refusals_text(page.tr(), &v))).await
        }
        Err(e) => app_error_page(&page, e),
    }
}

/// A queue's waiting calls, the most valuable caller first.
pub struct WaitingQueue {
    /// The queue's name (data; empty for calls in none).
    pub name: String,
    /// The queue's name and how many wait in it, as the heading shows them.
    pub heading: String,
    pub calls: Vec<WaitingCall>,
}

/// A call ringing in a queue, as the waiting calls' page shows it.
pub struct WaitingCall {
    pub href: String,
    pub caller: String,
    pub number: String,
    pub tier: String,
    pub priority: String,
    /// When it began ringing: for machines, and as shown.
    pub since_iso: String,
    pub since: String,
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
    let tr = page.tr();
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
            .map_or_else(|| tr.t("calls-unknown-caller"), |v| titles.show(v).0);
        let (since_iso, since) = call.values.datetime("rang_at").map(|t| moment(&page, &t)).unwrap_or_default();
        let shown = |field: &str| {
            schema.field(field).map(|f| page.locale.field_value(f, super::visible_std(schema, call, field)))
        };
        let row = WaitingCall {
            href: format!("/phone_calls/{}", call.id),
            caller,
            number: text("from_number"),
            tier: shown("value_tier").unwrap_or_default(),
            priority: shown("priority").unwrap_or_default(),
            since_iso,
            since,
        };
        let name = text("queue");
        match queues.iter_mut().find(|q| q.name == name) {
            Some(queue) => queue.calls.push(row),
            None => queues.push(WaitingQueue { name, heading: String::new(), calls: vec![row] }),
        }
    }
    for queue in &mut queues {
        let name = if queue.name.is_empty() { tr.t("calls-no-queue") } else { queue.name.clone() };
        let waiting = page.locale.integer(queue.calls.len() as i64);
        queue.heading = tr.t_with("calls-queue-heading", &[("queue", name.into()), ("count", waiting.into())]);
    }
    render(&WaitingPage { layout: layout(&page, &tr.t("calls-waiting-title"), None), queues }, StatusCode::OK)
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
    use relata_calls::telephony::PHONE_CALLS;
    let tr = page.tr();
    let report = match relata_calls::report::build(&server.app, &page.ctx, 30).await {
        Ok(r) => r,
        Err(e) => return super::app_error_page(&page, e),
    };
    let number = |n: u64| page.locale.integer(n as i64);
    let percent = |p: Option<f64>| p.map_or("–".to_string(), |p| page.locale.percent(p));
    let share = |n: u64, p: Option<f64>| {
        tr.t_with("calls-count-share", &[("count", number(n).into()), ("share", percent(p).into())])
    };
    let facts = vec![
        (tr.t("calls-inbound"), number(report.inbound)),
        (tr.t("calls-answered"), share(report.answered, report.answer_rate_percent)),
        (tr.t("calls-abandoned"), share(report.abandoned, report.abandon_rate_percent)),
        (tr.t("calls-outbound"), number(report.outbound)),
        (tr.t("calls-first-call-resolution"), percent(report.first_call_resolution_percent)),
    ];
    let ids: Vec<String> = report.calls_per_agent.iter().map(|(id, _)| id.clone()).collect();
    let names: std::collections::HashMap<String, String> = match server.app.store.read(page.ctx.ws()).await {
        Ok(mut conn) => {
            conn.member_names(&ids).await.unwrap_or_default().into_iter().map(|(id, n)| (id.to_string(), n)).collect()
        }
        Err(_) => Default::default(),
    };
    let bar = |label: String, n: u64| (label, n as i64, number(n));
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
            let seconds = relata_i18n::format::decimal(page.locale.language, (wait * 10.0).round() as i64, 1);
            let shown = tr.t_with("calls-seconds", &[("seconds", seconds.into())]);
            (option_label(&page, PHONE_CALLS, "value_tier", &t.tier), wait.round() as i64, shown)
        })
        .collect();
    let lists: Vec<_> = report
        .lists
        .iter()
        .map(|l| {
            let p = l.penetration_percent.unwrap_or(0.0);
            (l.list.clone(), p.round() as i64, page.locale.percent(p))
        })
        .collect();
    let chart = |id: &str, bars: &[(String, i64, String)]| {
        let title = tr.t(id);
        let svg = bars_svg(&title, bars);
        (title, svg)
    };
    let charts = vec![
        chart("calls-chart-per-agent", &agents),
        chart("calls-chart-per-hour", &hours),
        chart("calls-chart-wait-by-tier", &waits),
        chart("calls-chart-list-penetration", &lists),
    ];
    render(
        &CallsDashboard { layout: layout(&page, &tr.t("calls-dashboard-title"), None), facts, charts },
        StatusCode::OK,
    )
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
            let label = page.tr().t_with("calls-dial-number", &[("number", number.as_str().into())]);
            super::commerce::Action { label, href: "/calls/dial".into(), post: Some(fields) }
        })
        .collect()
}

/// `POST /calls/dial`: click-to-dial from a record's page (`number`,
/// `contact`), then the call's page.
pub async fn dial(State(server): S, page: Page, body: Bytes) -> Response {
    let form = read_form(&body);
    if !csrf_ok(&page, &form) {
        return csrf_refused(&page);
    }
    let mut input = serde_json::json!({"number": form.get("number")});
    if let Some(contact) = form.get("contact").filter(|c| !c.is_empty()) {
        input["contact"] = serde_json::json!(contact);
    }
    match relata_calls::telephony::dial(&server.app, &page.ctx, &input).await {
        Ok(call) => see_other(format!("/calls/phone/{}", call.id)),
        Err(e) => app_error_page(&page, e),
    }
}
