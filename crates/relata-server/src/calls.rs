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
use relata_calls::{CALL_QUEUE_ENTRIES, Outcome};
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

/// `POST /api/v1/call_queue_entries/{id}/outcome`: `{outcome, note?,
/// call_back_at?}` → the entry and the logged call.
pub async fn outcome(
    State(server): S,
    auth: Auth,
    crate::http::IdPath(id): crate::http::IdPath,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    auth.require_write()?;
    let input = json_body(&headers, &body)?;
    let text = |key: &str| input.get(key).and_then(Json::as_str).map(str::to_string);
    let call_back_at = match input.get("call_back_at") {
        None | Some(Json::Null) => None,
        Some(Json::String(s)) => Some(relata_core::value::parse_datetime(s).ok_or_else(|| {
            Problem::bad_request("call_back_at", "invalid_datetime", "a time like 2026-12-24T10:00:00Z")
        })?),
        Some(_) => return Err(Problem::bad_request("call_back_at", "invalid_type", "a time as text")),
    };
    let said = Outcome { outcome: text("outcome").unwrap_or_default(), note: text("note"), call_back_at };
    let (entry, call) = relata_calls::log_outcome(&server.app, &auth.ctx, id, said)
        .await
        .map_err(|e| app_problem(CALL_QUEUE_ENTRIES, e))?;
    let schemas = server.app.schemas_for(&auth.ctx).await?;
    Ok(json(
        StatusCode::OK,
        &json!({"entry": entry.to_json(schemas.get(CALL_QUEUE_ENTRIES)), "call": call.to_json(schemas.get(ACTIVITIES))}),
    ))
}

/// `POST /api/v1/telephony/events`: a call's event with a token of scope
/// `telephony`; a repeat answers as the first time, with `Idempotent-Replayed`.
pub async fn telephony_event(State(server): S, auth: Auth, headers: HeaderMap, body: Bytes) -> ApiResult<Response> {
    let source = auth.telephony_token()?;
    let input = json_body(&headers, &body)?;
    let applied = relata_calls::telephony::apply(&server.app, &auth.ctx, &format!("token {source}"), &input).await?;
    Ok(crate::http::event_answer(&applied.result, applied.replayed))
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
/// extension). Read from the change feed, so a call reported to any server
/// process reaches the agent.
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
    let head = server.app.store.feed_head().await.map_err(relata_app::AppError::from)?;
    let state = Pops {
        cursor: relata_app::feed::encode_cursor(auth.ctx.ws(), head),
        shown: std::collections::HashMap::new(),
        ready: std::collections::VecDeque::new(),
    };
    let ctx = auth.ctx.clone();
    let stream = futures_util::stream::unfold((server, ctx, state), move |(server, ctx, mut state)| async move {
        loop {
            if let Some(event) = state.ready.pop_front() {
                return Some((Ok::<_, std::convert::Infallible>(event), (server, ctx, state)));
            }
            let query = relata_app::feed::FeedQuery {
                after: Some(state.cursor.clone()),
                entities: Some(vec![relata_calls::telephony::PHONE_CALLS.api_name().to_string()]),
                limit: Some(100),
                wait: std::time::Duration::from_secs(20),
            };
            let page = match relata_app::feed::read(&server.app, &ctx, &query).await {
                Ok(page) => page,
                Err(_) => {
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    continue;
                }
            };
            state.cursor = page.next_cursor;
            for entry in page.entries {
                let Some(id) = entry["record_id"].as_str().and_then(|i| i.parse().ok()) else { continue };
                let Ok((call, _)) =
                    relata_app::read::get(&server.app, &ctx, relata_calls::telephony::PHONE_CALLS, id, false).await
                else {
                    continue;
                };
                if call.values.ref_id("agent") != Some(agent.uuid()) {
                    continue;
                }
                let status = call.values.text("status").unwrap_or_default().to_string();
                let before = state.shown.insert(call.id.to_string(), status.clone());
                if before.as_deref() == Some(status.as_str()) {
                    continue;
                }
                let name = if matches!(status.as_str(), "ended" | "missed") { "ended" } else { "pop" };
                if let Ok(pop) = relata_calls::telephony::screen_pop(&server.app, &ctx, &call).await {
                    state.ready.push_back(Event::default().event(name).data(pop.to_string()));
                }
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()).into_response())
}

/// Where an agent's screen-pop stream stands.
struct Pops {
    cursor: String,
    /// The status each call was last shown in.
    shown: std::collections::HashMap<String, String>,
    ready: std::collections::VecDeque<axum::response::sse::Event>,
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
