//! Durable jobs and recurring schedules for administrators: list, look at,
//! enqueue (kinds that allow it), retry, cancel.

use crate::Server;
use crate::auth::Auth;
use crate::http::{Input, QueryParams, json, json_body};
use crate::problem::{ApiResult, Problem};
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use relata_app::AppError;
use relata_app::jobs::{self, Enqueue, ScheduleInput};
use relata_store::jobs::{Job, JobQuery, JobSelector, Schedule};
use serde_json::{Value as Json, json};
use std::sync::Arc;

type S = State<Arc<Server>>;

pub const JOB_PARAMS: &[&str] = &["state", "kind", "cursor", "limit", "all"];

pub fn job_json(job: &Job) -> Json {
    json!({
        "id": job.id,
        "workspace": job.workspace,
        "kind": job.kind,
        "state": job.state,
        "payload": job.payload,
        "run_at": relata_core::value::format_datetime(&job.run_at),
        "attempts": job.attempts,
        "max_attempts": job.max_attempts,
        "lease_until": job.lease_until.map(|t| relata_core::value::format_datetime(&t)),
        "leased_by": job.leased_by,
        "last_error": job.last_error,
        "idempotency_key": job.idempotency_key,
        "schedule": job.schedule,
        "created_at": relata_core::value::format_datetime(&job.created_at),
        "updated_at": relata_core::value::format_datetime(&job.updated_at),
        "finished_at": job.finished_at.map(|t| relata_core::value::format_datetime(&t)),
    })
}

fn schedule_json(s: &Schedule) -> Json {
    json!({
        "id": s.id, "name": s.name, "kind": s.kind, "payload": s.payload, "cron": s.cron,
        "time_zone": s.time_zone, "enabled": s.enabled,
        "next_run_at": relata_core::value::format_datetime(&s.next_run_at),
    })
}

/// Whose jobs the caller may see: their workspace's (administrators), or
/// every workspace's (server administrators asking for `all`).
fn scope(auth: &Auth, all: bool) -> ApiResult<Option<relata_core::WorkspaceId>> {
    auth.ctx.access.require_admin().map_err(AppError::from)?;
    if all {
        if !auth.principal.server_admin {
            return Err(Problem::forbidden("only server administrators see every workspace's jobs"));
        }
        return Ok(None);
    }
    Ok(Some(auth.ctx.ws()))
}

fn cursor_of(job: &Job) -> String {
    format!("{}~{}", job.created_at.timestamp_micros(), job.id)
}

fn parse_cursor(text: &str) -> ApiResult<(chrono::DateTime<chrono::Utc>, uuid::Uuid)> {
    let bad = || Problem::bad_request("cursor", "invalid_parameter", "cursor is not one this server issued");
    let (micros, id) = text.split_once('~').ok_or_else(bad)?;
    let at = chrono::DateTime::from_timestamp_micros(micros.parse().map_err(|_| bad())?).ok_or_else(bad)?;
    Ok((at, uuid::Uuid::parse_str(id).map_err(|_| bad())?))
}

pub async fn list(State(server): S, auth: Auth, RawQuery(query): RawQuery) -> ApiResult<Response> {
    let p = QueryParams::parse(query.as_deref(), JOB_PARAMS)?;
    let workspace = scope(&auth, p.bool("all")?)?;
    let state = match p.text("state").filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(JobSelector::parse(&s).ok_or_else(|| {
            Problem::bad_request("state", "invalid_parameter", format!("one of {}", JobSelector::names().join(", ")))
        })?),
    };
    let limit = p.u64("limit")?.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(Problem::bad_request("limit", "invalid_parameter", "must be between 1 and 500"));
    }
    let before = p.text("cursor").filter(|c| !c.is_empty()).map(|c| parse_cursor(&c)).transpose()?;
    let store = &server.app.store;
    let query = JobQuery { workspace, state, kind: p.text("kind").filter(|k| !k.is_empty()), before, limit: limit + 1 };
    let mut page = store.jobs_page(&query).await.map_err(AppError::from)?;
    let more = page.len() as u64 > limit;
    page.truncate(limit as usize);
    let counts: serde_json::Map<String, Json> =
        store.job_counts(workspace).await.map_err(AppError::from)?.into_iter().map(|(s, n)| (s, json!(n))).collect();
    let next = if more { page.last().map(cursor_of) } else { None };
    Ok(json(
        StatusCode::OK,
        &json!({"data": page.iter().map(job_json).collect::<Vec<_>>(), "counts": counts, "next_cursor": next}),
    ))
}

async fn find(server: &Server, auth: &Auth, id: &str) -> ApiResult<Job> {
    let workspace = if auth.principal.server_admin { None } else { scope(auth, false)? };
    auth.ctx.access.require_admin().map_err(AppError::from)?;
    let uuid = uuid::Uuid::parse_str(id).map_err(|_| Problem::not_found(format!("{id:?} is not a job id")))?;
    server
        .app
        .store
        .find_job(workspace, uuid)
        .await
        .map_err(AppError::from)?
        .ok_or_else(|| Problem::not_found("no such job"))
}

pub async fn get_one(State(server): S, auth: Auth, Path(id): Path<String>) -> ApiResult<Response> {
    let job = find(&server, &auth, &id).await?;
    Ok(json(StatusCode::OK, &job_json(&job)))
}

pub async fn retry(State(server): S, auth: Auth, Path(id): Path<String>) -> ApiResult<Response> {
    auth.require_write()?;
    let job = find(&server, &auth, &id).await?;
    if !server.app.store.retry_job(&job).await.map_err(AppError::from)? {
        return Err(AppError::conflict("refuse-job-retry", vec![("state", job.state.as_str().into())]).into());
    }
    relata_app::audit::audit(&server.app, &auth.ctx, relata_app::audit::Event::new("job.retry").target("job", job.id))
        .await?;
    let job = find(&server, &auth, &id).await?;
    Ok(json(StatusCode::OK, &job_json(&job)))
}

pub async fn cancel(State(server): S, auth: Auth, Path(id): Path<String>) -> ApiResult<Response> {
    auth.require_write()?;
    let job = find(&server, &auth, &id).await?;
    if !server.app.store.cancel_job(&job).await.map_err(AppError::from)? {
        return Err(AppError::conflict("refuse-job-cancel", vec![("state", job.state.as_str().into())]).into());
    }
    relata_app::audit::audit(&server.app, &auth.ctx, relata_app::audit::Event::new("job.cancel").target("job", job.id))
        .await?;
    let job = find(&server, &auth, &id).await?;
    Ok(json(StatusCode::OK, &job_json(&job)))
}

/// `POST /api/v1/admin/jobs`: enqueues a job of a kind administrators may
/// enqueue (`http.post`).
pub async fn enqueue(State(server): S, auth: Auth, headers: HeaderMap, body: Bytes) -> ApiResult<Response> {
    auth.require_write()?;
    scope(&auth, false)?;
    let input = json_body(&headers, &body)?;
    let mut i = Input::new(&input, &["kind", "payload", "run_at", "max_attempts", "idempotency_key"])?;
    let kind = i.text("kind", true, 100);
    let payload = i.value("payload");
    let run_at = i.datetime("run_at");
    let max_attempts = i.int("max_attempts", 1, 100);
    let idempotency_key = i.text("idempotency_key", false, 200);
    i.finish()?;
    let kind = kind.unwrap_or_default();
    match server.app.job_handler(&kind) {
        Some(h) if h.enqueued_by_administrators() => {}
        Some(_) => {
            return Err(Problem::invalid(relata_core::ValidationError::single(
                "kind",
                "not_enqueueable",
                format!("jobs of kind {kind:?} are enqueued by Relata, not by hand"),
            )));
        }
        None => {
            return Err(Problem::invalid(relata_core::ValidationError::single(
                "kind",
                "unknown_kind",
                format!("no job kind {kind:?}"),
            )));
        }
    }
    let options = Enqueue { run_at, max_attempts, idempotency_key };
    let id = jobs::enqueue(&server.app, &auth.ctx, &kind, payload, options).await?;
    relata_app::audit::audit(
        &server.app,
        &auth.ctx,
        relata_app::audit::Event::new("job.enqueue").target("job", id).details(json!({"kind": kind})),
    )
    .await?;
    let job = find(&server, &auth, &id.to_string()).await?;
    Ok(json(StatusCode::CREATED, &job_json(&job)))
}

pub async fn schedules(State(server): S, auth: Auth) -> ApiResult<Response> {
    scope(&auth, false)?;
    let mut conn = server.app.store.read(auth.ctx.ws()).await.map_err(AppError::from)?;
    let all = conn.schedules().await.map_err(AppError::from)?;
    Ok(json(StatusCode::OK, &json!({"data": all.iter().map(schedule_json).collect::<Vec<_>>()})))
}

/// `PUT /api/v1/admin/schedules/{name}`: a recurring job.
pub async fn put_schedule(
    State(server): S,
    auth: Auth,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    auth.require_write()?;
    let input = json_body(&headers, &body)?;
    let mut i = Input::new(&input, &["kind", "payload", "cron", "time_zone", "enabled"])?;
    let kind = i.text("kind", true, 100);
    let payload = i.value("payload");
    let cron = i.text("cron", true, 200);
    let time_zone = i.text("time_zone", false, 100);
    let enabled = i.bool("enabled");
    i.finish()?;
    let input = ScheduleInput {
        kind: kind.unwrap_or_default(),
        payload,
        cron: cron.unwrap_or_default(),
        time_zone: time_zone.unwrap_or_else(|| "UTC".into()),
        enabled: enabled.unwrap_or(true),
    };
    let schedule = jobs::put_schedule(&server.app, &auth.ctx, &name, input).await?;
    Ok(json(StatusCode::OK, &schedule_json(&schedule)))
}
