//! Calls to make: the caller's next call and a call's outcome
//! (`/api/v1/calls/next`, `/api/v1/call_queue_entries/{id}/outcome`); the
//! entries themselves are served by the generic record endpoints.

use crate::Server;
use crate::auth::Auth;
use crate::http::{json, json_body};
use crate::problem::{ApiResult, Problem};
use crate::records::app_problem;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use relata_calls::{CALL_QUEUE_ENTRIES, CallToLog, FollowUp, Outcome};
use relata_crm::ACTIVITIES;
use serde_json::{Value as Json, json};
use std::sync::Arc;

type S = State<Arc<Server>>;

/// `GET /api/v1/calls/next`: `{data: entry or null}`.
pub async fn next(State(server): S, auth: Auth) -> ApiResult<Response> {
    let found = relata_calls::next_call(&server.app, &auth.ctx).await?;
    let schemas = server.app.schemas_for(&auth.ctx).await?;
    let data = found.map_or(Json::Null, |r| r.to_json(schemas.get(CALL_QUEUE_ENTRIES)));
    Ok(json(StatusCode::OK, &json!({"data": data})))
}

/// What an agent says about a call, from a request body: `{outcome, note?,
/// call_back_at?, follow_up?: {subject, due_at}}`.
fn outcome_of(input: &Json) -> ApiResult<Outcome> {
    let text = |key: &str| input.get(key).and_then(Json::as_str).map(str::to_string);
    let time = |value: Option<&Json>, field: &str| -> ApiResult<Option<chrono::DateTime<chrono::Utc>>> {
        match value {
            None | Some(Json::Null) => Ok(None),
            Some(Json::String(s)) => relata_core::value::parse_datetime(s)
                .map(Some)
                .ok_or_else(|| Problem::bad_request(field, "invalid_datetime", "a time like 2026-12-24T10:00:00Z")),
            Some(_) => Err(Problem::bad_request(field, "invalid_type", "a time as text")),
        }
    };
    let follow_up = match input.get("follow_up") {
        None | Some(Json::Null) => None,
        Some(task @ Json::Object(_)) => {
            let subject = task.get("subject").and_then(Json::as_str).unwrap_or_default().to_string();
            let due_at = time(task.get("due_at"), "follow_up.due_at")?
                .ok_or_else(|| Problem::bad_request("follow_up.due_at", "required", "when the task is due"))?;
            Some(FollowUp { subject, due_at })
        }
        Some(_) => return Err(Problem::bad_request("follow_up", "invalid_type", "an object: {subject, due_at}")),
    };
    Ok(Outcome {
        outcome: text("outcome").unwrap_or_default(),
        note: text("note"),
        call_back_at: time(input.get("call_back_at"), "call_back_at")?,
        follow_up,
    })
}

/// `POST /api/v1/call_queue_entries/{id}/outcome`: `{outcome, note?,
/// call_back_at?, follow_up?}` → the entry, the logged call (timed by the
/// phone call the dialler made for it, if any), that phone call and the
/// follow-up task.
pub async fn outcome(
    State(server): S,
    auth: Auth,
    crate::http::IdPath(id): crate::http::IdPath,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let mut answer = log_call(&server, &auth, CallToLog::Entry(id), &headers, &body).await?;
    answer["call"] = answer["activity"].take();
    Ok(json(StatusCode::OK, &answer))
}

/// `POST /api/v1/phone_calls/{id}/log`: the same for a call the switch
/// reported; a call back asked for becomes a call to make.
pub async fn log_phone_call(
    State(server): S,
    auth: Auth,
    crate::http::IdPath(id): crate::http::IdPath,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let answer = log_call(&server, &auth, CallToLog::PhoneCall(id), &headers, &body).await?;
    Ok(json(StatusCode::OK, &answer))
}

/// Logs a call from a request; what was made, as JSON.
async fn log_call(
    server: &Server,
    auth: &Auth,
    target: CallToLog,
    headers: &HeaderMap,
    body: &[u8],
) -> ApiResult<Json> {
    auth.require_write()?;
    let said = outcome_of(&json_body(headers, body)?)?;
    let kind = match target {
        CallToLog::Entry(_) => CALL_QUEUE_ENTRIES,
        CallToLog::PhoneCall(_) => relata_calls::telephony::PHONE_CALLS,
    };
    let logged =
        relata_calls::logging::log(&server.app, &auth.ctx, target, said).await.map_err(|e| app_problem(kind, e))?;
    logged_json(server, auth, &logged).await
}

async fn logged_json(server: &Server, auth: &Auth, logged: &relata_calls::logging::Logged) -> ApiResult<Json> {
    use relata_calls::telephony::PHONE_CALLS;
    let schemas = server.app.schemas_for(&auth.ctx).await?;
    let as_json = |record: &Option<relata_core::Record>, kind| {
        record.as_ref().map_or(Json::Null, |r| r.to_json(schemas.get(kind)))
    };
    Ok(json!({
        "activity": logged.activity.to_json(schemas.get(ACTIVITIES)),
        "entry": as_json(&logged.entry, CALL_QUEUE_ENTRIES),
        "phone_call": as_json(&logged.phone_call, PHONE_CALLS),
        "follow_up": as_json(&logged.follow_up, ACTIVITIES),
        "call_back": as_json(&logged.call_back, CALL_QUEUE_ENTRIES),
    }))
}

/// `POST /api/v1/calls/dialler`: the progressive dialler's next step for
/// the caller: `{state: busy | to_log | dialled | done, entry, call}`.
pub async fn dialler(State(server): S, auth: Auth) -> ApiResult<Response> {
    use relata_calls::dialler::Offer;
    use relata_calls::telephony::PHONE_CALLS;
    auth.require_write()?;
    let offer = relata_calls::dialler::offer(&server.app, &auth.ctx).await.map_err(|e| app_problem(PHONE_CALLS, e))?;
    let schemas = server.app.schemas_for(&auth.ctx).await?;
    let entry = |e: &relata_core::Record| e.to_json(schemas.get(CALL_QUEUE_ENTRIES));
    let call = |c: &relata_core::Record| c.to_json(schemas.get(PHONE_CALLS));
    let (status, answer) = match &offer {
        Offer::Busy(c) => (StatusCode::OK, json!({"state": "busy", "entry": null, "call": call(c)})),
        Offer::ToLog { entry: e, call: c } => {
            (StatusCode::OK, json!({"state": "to_log", "entry": entry(e), "call": call(c)}))
        }
        Offer::Dialled { entry: e, call: c } => {
            (StatusCode::CREATED, json!({"state": "dialled", "entry": entry(e), "call": call(c)}))
        }
        Offer::Done => (StatusCode::OK, json!({"state": "done", "entry": null, "call": null})),
    };
    Ok(json(status, &answer))
}

/// `POST /api/v1/phone_calls/{id}/order`: `{lines: [{product, quantity}],
/// notes?, currency?}` → 201 `{order, phone_call}`.
pub async fn take_order(
    State(server): S,
    auth: Auth,
    crate::http::IdPath(id): crate::http::IdPath,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    use relata_calls::telephony::PHONE_CALLS;
    auth.require_write()?;
    let input = json_body(&headers, &body)?;
    let taken = relata_calls::orders::take(&server.app, &auth.ctx, id, &input)
        .await
        .map_err(|e| app_problem(PHONE_CALLS, e))?;
    let schemas = server.app.schemas_for(&auth.ctx).await?;
    let answer = json!({"order": taken.order.to_json(schemas.get(relata_commerce::ORDERS)),
                        "phone_call": taken.call.to_json(schemas.get(PHONE_CALLS))});
    Ok(json(StatusCode::CREATED, &answer))
}

/// `POST /api/v1/telephony/events`: a call's event with a token of scope
/// `telephony`; a repeat answers as the first time, with `Idempotent-Replayed`.
pub async fn telephony_event(State(server): S, auth: Auth, headers: HeaderMap, body: Bytes) -> ApiResult<Response> {
    let source = auth.telephony_token()?;
    let input = switch_body(&headers, &body)?;
    let applied = relata_calls::telephony::apply(&server.app, &auth.ctx, &format!("token {source}"), &input).await?;
    Ok(crate::http::event_answer(&applied.result, applied.replayed))
}

/// A JSON body, or a switch's `Key: Value` lines sent as `text/plain`
/// (Asterisk AMI, FreeSWITCH's plain events).
fn switch_body(headers: &HeaderMap, body: &[u8]) -> ApiResult<Json> {
    let plain = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|ct| ct.to_str().ok())
        .is_some_and(|ct| ct.to_ascii_lowercase().starts_with("text/plain"));
    if !plain {
        return json_body(headers, body);
    }
    let text = std::str::from_utf8(body)
        .map_err(|_| Problem::bad_request("body", "invalid_encoding", "the event's lines are not UTF-8"))?;
    relata_calls::switches::lines(text)
        .ok_or_else(|| Problem::bad_request("body", "malformed_event", "a switch's event: lines of `Key: Value`"))
}

/// `GET /api/v1/telephony/settings`: extensions and the priority formula.
pub async fn telephony_settings(State(server): S, auth: Auth) -> ApiResult<Response> {
    let answer = relata_calls::telephony::settings(&server.app, &auth.ctx).await?;
    Ok(json(StatusCode::OK, &answer))
}

/// `PUT /api/v1/telephony/settings`: `{extensions?, priority?}`.
pub async fn put_telephony_settings(
    State(server): S,
    auth: Auth,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    auth.require_write()?;
    let input = json_body(&headers, &body)?;
    let answer = relata_calls::telephony::put_settings(&server.app, &auth.ctx, &input).await?;
    Ok(json(StatusCode::OK, &answer))
}

/// `GET /api/v1/telephony/screen_pops`: server-sent events for the signed-in
/// agent: a `pop` with the caller's summary when a call to their extension
/// rings or is answered, an `ended` when it ends (204 for who has no
/// extension). Read from the change feed (one tail per workspace shared by
/// every agent, see `pops`), so a call reported to any server process
/// reaches the agent.
pub async fn screen_pops(State(server): S, auth: Auth) -> ApiResult<Response> {
    use axum::response::IntoResponse;
    use axum::response::sse::{Event, KeepAlive, Sse};
    let Some(agent) = auth.ctx.actor else {
        return Err(Problem::forbidden("screen pops are for people signed in"));
    };
    // Who has no extension gets no calls: 204 tells the browser not to
    // connect again.
    if !relata_calls::telephony::has_extension(&server.app, &auth.ctx, agent).await? {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let changes = server.pops.subscribe(&server, &auth.ctx.workspace, agent.uuid()).await?;
    let state = Pops { changes, shown: std::collections::HashMap::new() };
    let ctx = auth.ctx.clone();
    let mine = agent.uuid();
    let stream = futures_util::stream::unfold((server, ctx, state), move |(server, ctx, mut state)| async move {
        loop {
            let changed = match state.changes.recv().await {
                Ok(changed) => changed,
                // Too slow to keep up: the skipped changes' pops are lost,
                // the next ones still come.
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
            };
            // Only changes that make a call this agent's (its owner, when an
            // event names their extension) come: the others' calls are not
            // read at all. A call is popped when its status changed since it
            // was last shown.
            let mut name = "pop";
            let shown = &mut state.shown;
            let wanted = |call: &relata_core::Record| {
                if call.values.ref_id("agent") != Some(mine) {
                    return false;
                }
                let status = call.values.text("status").unwrap_or_default().to_string();
                if matches!(status.as_str(), "ended" | "missed") {
                    name = "ended";
                }
                shown.insert(call.id.to_string(), status.clone()).as_deref() != Some(status.as_str())
            };
            let popped = relata_calls::telephony::pop_call(&server.app, &ctx, changed.call, changed.whom, wanted);
            if let Ok(Some((_, pop))) = popped.await {
                let event = Event::default().event(name).data(pop.to_string());
                return Some((Ok::<_, std::convert::Infallible>(event), (server, ctx, state)));
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()).into_response())
}

/// Where an agent's screen-pop stream stands.
struct Pops {
    /// The changes that make a call this agent's.
    changes: tokio::sync::broadcast::Receiver<crate::pops::CallChanged>,
    /// The status each call was last shown in.
    shown: std::collections::HashMap<String, String>,
}

/// `POST /api/v1/call_lists/{id}/generate`: the list's calls to make, for
/// its agents in turn; `{list, made, skipped}`.
pub async fn generate_list(
    State(server): S,
    auth: Auth,
    crate::http::IdPath(id): crate::http::IdPath,
) -> ApiResult<Response> {
    use relata_calls::lists::CALL_LISTS;
    auth.require_write()?;
    let made =
        relata_calls::lists::generate(&server.app, &auth.ctx, id).await.map_err(|e| app_problem(CALL_LISTS, e))?;
    let schemas = server.app.schemas_for(&auth.ctx).await?;
    let body = json!({"list": made.list.to_json(schemas.get(CALL_LISTS)), "made": made.made, "skipped": made.skipped});
    Ok(json(StatusCode::OK, &body))
}

/// `POST /api/v1/telephony/dial`: `{number?, contact?}` → the dialling call.
pub async fn dial(State(server): S, auth: Auth, headers: HeaderMap, body: Bytes) -> ApiResult<Response> {
    use relata_calls::telephony::PHONE_CALLS;
    auth.require_write()?;
    let input = json_body(&headers, &body)?;
    let call =
        relata_calls::telephony::dial(&server.app, &auth.ctx, &input).await.map_err(|e| app_problem(PHONE_CALLS, e))?;
    let schemas = server.app.schemas_for(&auth.ctx).await?;
    Ok(json(StatusCode::CREATED, &call.to_json(schemas.get(PHONE_CALLS))))
}

/// `GET /api/v1/calls/report[?days=30&format=json|xlsx]`: the call
/// center's figures over the calls the caller may read.
pub async fn report(
    State(server): S,
    auth: Auth,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> ApiResult<Response> {
    let (days, xlsx) = crate::http::report_query(query.as_deref())?;
    let built = relata_calls::report::build(&server.app, &auth.ctx, days).await?;
    crate::http::report_response(built.to_json(), xlsx.then(|| built.to_xlsx()), "call-center-report.xlsx")
}
