//! Endpoints for the people of a workspace and their rights: users and
//! invitations, roles, teams, API tokens, the audit log, server-wide
//! workspaces, and the GDPR endpoints of contacts (consent, export, erase).

use crate::Server;
use crate::auth::Auth;
use crate::http::{IdPath, Input, QueryParams, json, json_body};
use crate::problem::{ApiResult, Problem};
use crate::records::app_problem;
use crate::session::added_json;
use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use relata_app::people::{self, NewToken, TeamWithMembers};
use relata_app::{AppError, access, audit, privacy};
use relata_core::value::format_datetime;
use relata_store::audit::AuditQuery;
use relata_store::identity::Member;
use serde_json::{Value as Json, json};
use std::sync::Arc;

type S = State<Arc<Server>>;

fn member_json(m: &Member) -> Json {
    json!({
        "id": m.user.id,
        "email": m.user.email,
        "display_name": m.user.display_name,
        "role": m.role,
        "active": m.active,
        "joined_at": format_datetime(&m.joined_at),
    })
}

fn user_problem(e: AppError) -> Problem {
    match e {
        AppError::NotFound => Problem::not_found("no such user in this workspace"),
        other => other.into(),
    }
}

/// `GET /api/v1/users`
pub async fn list_users(State(server): S, auth: Auth) -> ApiResult<Response> {
    let members = people::members(&server.app, &auth.ctx).await?;
    Ok(json(StatusCode::OK, &json!({"data": members.iter().map(member_json).collect::<Vec<_>>()})))
}

/// `POST /api/v1/users`: `{email, role, display_name?, password?}`; without
/// a password the answer holds a one-time invitation link.
pub async fn add_user(State(server): S, auth: Auth, headers: HeaderMap, body: Bytes) -> ApiResult<Response> {
    auth.require_write()?;
    let input = json_body(&headers, &body)?;
    let mut i = Input::new(&input, &["email", "role", "display_name", "password"])?;
    let email = i.text("email", true, 320);
    let role = i.text("role", true, 40);
    let name = i.text("display_name", false, 200);
    let password = i.text("password", false, 4000);
    i.finish()?;
    let added = people::add_user(
        &server.app,
        &auth.ctx,
        &email.unwrap_or_default(),
        &role.unwrap_or_default(),
        name.as_deref(),
        password.as_deref(),
    )
    .await?;
    Ok(json(StatusCode::CREATED, &added_json(&server, &added)))
}

/// `GET /api/v1/users/{id}`
pub async fn get_user(State(server): S, auth: Auth, Path(id): Path<String>) -> ApiResult<Response> {
    let member = people::member_by_id(&server.app, &auth.ctx, &id).await.map_err(user_problem)?;
    Ok(json(StatusCode::OK, &member_json(&member)))
}

/// `PATCH /api/v1/users/{id}`: `{role?, display_name?}` (roles: admins only).
pub async fn update_user(
    State(server): S,
    auth: Auth,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    auth.require_write()?;
    let input = json_body(&headers, &body)?;
    let mut i = Input::new(&input, &["role", "display_name"])?;
    let role = i.text("role", false, 40);
    let name = i.text("display_name", false, 200);
    i.finish()?;
    let mut member = people::member_by_id(&server.app, &auth.ctx, &id).await.map_err(user_problem)?;
    let user = member.user.id;
    if let Some(role) = role {
        member = people::set_role(&server.app, &auth.ctx, user, &role).await.map_err(user_problem)?;
    }
    if let Some(name) = name {
        member = people::set_display_name(&server.app, &auth.ctx, user, &name).await.map_err(user_problem)?;
    }
    server.forget_all_credentials();
    Ok(json(StatusCode::OK, &member_json(&member)))
}

/// `POST /api/v1/users/{id}/deactivate` and `/reactivate`.
pub async fn set_user_active(
    active: bool,
    State(server): S,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    auth.require_write()?;
    let user = people::member_id(&server.app, &auth.ctx, &id).await.map_err(user_problem)?;
    let member = people::set_active(&server.app, &auth.ctx, user, active).await.map_err(user_problem)?;
    server.forget_all_credentials();
    Ok(json(StatusCode::OK, &member_json(&member)))
}

/// `POST /api/v1/users/{id}/reassign`: `{to, entities?}` gives the user's
/// records to another member.
pub async fn reassign(
    State(server): S,
    auth: Auth,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    auth.require_write()?;
    let input = json_body(&headers, &body)?;
    let mut i = Input::new(&input, &["to", "entities"])?;
    let to = i.text("to", true, 64);
    let entities = i.texts("entities");
    i.finish()?;
    let mut kinds = Vec::new();
    let schemas = server.app.schemas_for(&auth.ctx).await?;
    for name in entities.unwrap_or_default() {
        kinds.push(schemas.kind(&name).ok_or_else(|| {
            Problem::invalid(relata_core::ValidationError::single(
                "entities",
                "unknown_entity",
                format!("no entity type {name:?}"),
            ))
        })?);
    }
    let from = people::member_id(&server.app, &auth.ctx, &id).await.map_err(user_problem)?;
    let to = people::member_id(&server.app, &auth.ctx, &to.unwrap_or_default()).await.map_err(|_| {
        Problem::invalid(relata_core::ValidationError::single("to", "not_found", "no such user in this workspace"))
    })?;
    let counts = people::reassign(&server.app, &auth.ctx, from, to, &kinds).await?;
    let moved: serde_json::Map<String, Json> =
        counts.iter().map(|(k, n)| (k.api_name().to_string(), json!(n))).collect();
    Ok(json(StatusCode::OK, &json!({"reassigned": moved})))
}

// ----- roles -----

/// `GET /api/v1/roles`
pub async fn list_roles(State(server): S, auth: Auth) -> ApiResult<Response> {
    let roles = access::roles(&server.app, &auth.ctx).await?;
    Ok(json(StatusCode::OK, &json!({"data": roles.iter().map(|r| r.to_json()).collect::<Vec<_>>()})))
}

/// `PUT /api/v1/roles/{name}`: defines a role or changes a built-in one.
pub async fn put_role(
    State(server): S,
    auth: Auth,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    auth.require_write()?;
    let input = json_body(&headers, &body)?;
    let role = access::put_role(&server.app, &auth.ctx, &name, &input).await?;
    server.forget_all_credentials();
    Ok(json(StatusCode::OK, &role.to_json()))
}

/// `DELETE /api/v1/roles/{name}`
pub async fn delete_role(State(server): S, auth: Auth, Path(name): Path<String>) -> ApiResult<Response> {
    auth.require_write()?;
    access::delete_role(&server.app, &auth.ctx, &name).await.map_err(|e| match e {
        AppError::NotFound => Problem::not_found(format!("no custom or changed role {name:?}")),
        other => other.into(),
    })?;
    server.forget_all_credentials();
    Ok(StatusCode::NO_CONTENT.into_response())
}

// ----- teams -----

fn team_json(t: &TeamWithMembers) -> Json {
    json!({
        "id": t.team.id,
        "name": t.team.name,
        "created_at": format_datetime(&t.team.created_at),
        "members": t.members.iter().map(|(u, m)| json!({"user": u, "manager": m})).collect::<Vec<_>>(),
    })
}

fn team_problem(e: AppError) -> Problem {
    match e {
        AppError::NotFound => Problem::not_found("no such team or member in this workspace"),
        other => other.into(),
    }
}

/// `GET /api/v1/teams`
pub async fn list_teams(State(server): S, auth: Auth) -> ApiResult<Response> {
    let teams = people::teams(&server.app, &auth.ctx).await?;
    Ok(json(StatusCode::OK, &json!({"data": teams.iter().map(team_json).collect::<Vec<_>>()})))
}

fn team_name(headers: &HeaderMap, body: &[u8]) -> ApiResult<String> {
    let input = json_body(headers, body)?;
    let mut i = Input::new(&input, &["name"])?;
    let name = i.text("name", true, 100);
    i.finish()?;
    Ok(name.unwrap_or_default())
}

/// `POST /api/v1/teams`: `{name}`.
pub async fn create_team(State(server): S, auth: Auth, headers: HeaderMap, body: Bytes) -> ApiResult<Response> {
    auth.require_write()?;
    let name = team_name(&headers, &body)?;
    let team = people::create_team(&server.app, &auth.ctx, &name).await?;
    Ok(json(StatusCode::CREATED, &team_json(&team)))
}

/// `GET /api/v1/teams/{id}`
pub async fn get_team(State(server): S, auth: Auth, Path(id): Path<String>) -> ApiResult<Response> {
    let team = people::team(&server.app, &auth.ctx, &id).await.map_err(team_problem)?;
    Ok(json(StatusCode::OK, &team_json(&team)))
}

/// `PATCH /api/v1/teams/{id}`: `{name}`.
pub async fn rename_team(
    State(server): S,
    auth: Auth,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    auth.require_write()?;
    let name = team_name(&headers, &body)?;
    let team = people::rename_team(&server.app, &auth.ctx, &id, &name).await.map_err(team_problem)?;
    Ok(json(StatusCode::OK, &team_json(&team)))
}

/// `DELETE /api/v1/teams/{id}`
pub async fn delete_team(State(server): S, auth: Auth, Path(id): Path<String>) -> ApiResult<Response> {
    auth.require_write()?;
    people::delete_team(&server.app, &auth.ctx, &id).await.map_err(team_problem)?;
    server.forget_all_credentials();
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `PUT /api/v1/teams/{id}/members/{user_id}`: `{manager?}`.
pub async fn put_team_member(
    State(server): S,
    auth: Auth,
    Path((id, user)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    auth.require_write()?;
    let manager = if body.iter().all(u8::is_ascii_whitespace) {
        false
    } else {
        let input = json_body(&headers, &body)?;
        let mut i = Input::new(&input, &["manager"])?;
        let manager = i.bool("manager");
        i.finish()?;
        manager.unwrap_or(false)
    };
    let user: relata_core::UserId = user.parse().map_err(|_| team_problem(AppError::NotFound))?;
    let team = people::put_team_member(&server.app, &auth.ctx, &id, user, manager).await.map_err(team_problem)?;
    server.forget_all_credentials();
    Ok(json(StatusCode::OK, &team_json(&team)))
}

/// `DELETE /api/v1/teams/{id}/members/{user_id}`
pub async fn remove_team_member(
    State(server): S,
    auth: Auth,
    Path((id, user)): Path<(String, String)>,
) -> ApiResult<Response> {
    auth.require_write()?;
    let user: relata_core::UserId = user.parse().map_err(|_| team_problem(AppError::NotFound))?;
    people::remove_team_member(&server.app, &auth.ctx, &id, user).await.map_err(team_problem)?;
    server.forget_all_credentials();
    Ok(StatusCode::NO_CONTENT.into_response())
}

// ----- tokens -----

fn token_json(t: &relata_store::admin::TokenInfo) -> Json {
    json!({
        "id": t.id,
        "user": t.user,
        "name": t.name,
        "scope": t.scope,
        "entities": t.entities,
        "created_at": format_datetime(&t.created_at),
        "last_used_at": t.last_used_at.map(|x| format_datetime(&x)),
        "expires_at": t.expires_at.map(|x| format_datetime(&x)),
        "revoked_at": t.revoked_at.map(|x| format_datetime(&x)),
    })
}

/// `GET /api/v1/tokens[?all=true]`
pub async fn list_tokens(State(server): S, auth: Auth, RawQuery(query): RawQuery) -> ApiResult<Response> {
    let p = QueryParams::parse(query.as_deref(), &["all"])?;
    let tokens = people::tokens(&server.app, &auth.ctx, p.bool("all")?).await?;
    Ok(json(StatusCode::OK, &json!({"data": tokens.iter().map(token_json).collect::<Vec<_>>()})))
}

/// `POST /api/v1/tokens`: `{name, scope?, entities?, expires_at?}`; the
/// secret is in the answer, once.
pub async fn create_token(State(server): S, auth: Auth, headers: HeaderMap, body: Bytes) -> ApiResult<Response> {
    let input = json_body(&headers, &body)?;
    let mut i = Input::new(&input, &["name", "scope", "entities", "expires_at"])?;
    let name = i.raw_text("name");
    let scope = i.raw_text("scope");
    let entities = i.texts("entities");
    let expires_at = i.datetime("expires_at");
    i.finish()?;
    let new = NewToken {
        name: name.unwrap_or_default(),
        scope: scope.unwrap_or_else(|| "read_write".into()),
        entities,
        expires_at,
    };
    let (issued, info) = people::create_token(&server.app, &auth.ctx, new).await?;
    let mut body = token_json(&info);
    body["secret"] = json!(issued.secret);
    Ok(json(StatusCode::CREATED, &body))
}

/// `DELETE /api/v1/tokens/{id}`
pub async fn revoke_token(State(server): S, auth: Auth, Path(id): Path<String>) -> ApiResult<Response> {
    people::revoke_token(&server.app, &auth.ctx, &id).await.map_err(|e| match e {
        AppError::NotFound => Problem::not_found("no such live token of yours"),
        other => other.into(),
    })?;
    server.forget_all_credentials();
    Ok(StatusCode::NO_CONTENT.into_response())
}

// ----- audit -----

const AUDIT_PARAMS: &[&str] = &["action", "actor", "outcome", "since", "until", "cursor", "limit"];

fn audit_query(p: &QueryParams) -> ApiResult<AuditQuery> {
    let time = |name: &str| -> ApiResult<Option<chrono::DateTime<chrono::Utc>>> {
        p.text(name)
            .filter(|t| !t.is_empty())
            .map(|t| {
                chrono::DateTime::parse_from_rfc3339(&t).map(|d| d.with_timezone(&chrono::Utc)).map_err(|_| {
                    Problem::bad_request(
                        name,
                        "invalid_parameter",
                        "must be an RFC 3339 time, e.g. 2026-11-01T00:00:00Z",
                    )
                })
            })
            .transpose()
    };
    let limit = p.u64("limit")?.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(Problem::bad_request("limit", "invalid_parameter", "must be between 1 and 500"));
    }
    let before_seq = match p.text("cursor").filter(|c| !c.is_empty()) {
        Some(c) => Some(c.parse::<i64>().map_err(|_| {
            Problem::bad_request("cursor", "invalid_parameter", "cursor is not one this server issued")
        })?),
        None => None,
    };
    let actor = match p.text("actor").filter(|a| !a.is_empty()) {
        Some(a) => {
            Some(a.parse().map_err(|_| Problem::bad_request("actor", "invalid_parameter", "must be a user id"))?)
        }
        None => None,
    };
    Ok(AuditQuery {
        action: p.text("action").filter(|a| !a.is_empty()),
        actor,
        outcome: p.text("outcome").filter(|o| !o.is_empty()),
        since: time("since")?,
        until: time("until")?,
        before_seq,
        limit: limit + 1,
    })
}

fn audit_page_json(mut rows: Vec<relata_store::audit::AuditRow>, limit: u64) -> Json {
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let next = if more { rows.last().map(|r| r.seq.to_string()) } else { None };
    let data: Vec<Json> = rows
        .iter()
        .map(|r| {
            json!({
                "seq": r.seq, "at": format_datetime(&r.at), "actor": r.actor, "action": r.action,
                "outcome": r.outcome, "target_type": r.target_type, "target_id": r.target_id,
                "address": r.address, "details": r.details,
            })
        })
        .collect();
    json!({"data": data, "next_cursor": next})
}

/// `GET /api/v1/audit`: the workspace's audit log, newest first (admins).
pub async fn audit_log(State(server): S, auth: Auth, RawQuery(query): RawQuery) -> ApiResult<Response> {
    let p = QueryParams::parse(query.as_deref(), AUDIT_PARAMS)?;
    let q = audit_query(&p)?;
    let rows = audit::page(&server.app, &auth.ctx, &q).await?;
    Ok(json(StatusCode::OK, &audit_page_json(rows, q.limit - 1)))
}

/// `GET /api/v1/admin/audit`: events outside any workspace (sign-ins of
/// unknown emails, forged credentials), newest first (server administrators).
pub async fn server_audit_log(State(server): S, auth: Auth, RawQuery(query): RawQuery) -> ApiResult<Response> {
    require_server_admin(&auth)?;
    let p = QueryParams::parse(query.as_deref(), AUDIT_PARAMS)?;
    let q = audit_query(&p)?;
    let rows = server.app.store.server_audit_page(&q).await.map_err(AppError::from)?;
    Ok(json(StatusCode::OK, &audit_page_json(rows, q.limit - 1)))
}

// ----- server administration -----

fn require_server_admin(auth: &Auth) -> ApiResult<()> {
    if auth.principal.server_admin && !auth.ctx.access.token_read_only {
        Ok(())
    } else {
        Err(Problem::forbidden("only server administrators may do this"))
    }
}

fn workspace_json(w: &relata_store::admin::Workspace) -> Json {
    json!({
        "id": w.id, "name": w.name, "slug": w.slug,
        "currencies": w.currencies.iter().map(|c| c.code()).collect::<Vec<_>>(),
        "phone_region": w.phone_region,
    })
}

/// `GET /api/v1/admin/workspaces` (server administrators)
pub async fn list_workspaces(State(server): S, auth: Auth) -> ApiResult<Response> {
    require_server_admin(&auth)?;
    let all = server.app.store.workspaces().await.map_err(AppError::from)?;
    Ok(json(StatusCode::OK, &json!({"data": all.iter().map(workspace_json).collect::<Vec<_>>()})))
}

/// `POST /api/v1/admin/workspaces`: `{name, slug?, currencies?, phone_region?}`;
/// the caller becomes its admin.
pub async fn create_workspace(State(server): S, auth: Auth, headers: HeaderMap, body: Bytes) -> ApiResult<Response> {
    require_server_admin(&auth)?;
    let input = json_body(&headers, &body)?;
    let mut i = Input::new(&input, &["name", "slug", "currencies", "phone_region"])?;
    let name = i.text("name", true, 100);
    let slug = i.text("slug", false, 50);
    let currencies = i.texts("currencies");
    let region = i.text("phone_region", false, 2);
    i.finish()?;
    let spec = relata_app::workspaces::WorkspaceSpec {
        name: name.unwrap_or_default(),
        slug,
        currencies: currencies.unwrap_or_default(),
        phone_region: region,
    };
    let ws = relata_app::workspaces::create(&server.app, &spec, Some(auth.principal.user)).await?;
    Ok(json(StatusCode::CREATED, &workspace_json(&ws)))
}

// ----- GDPR -----

/// `GET /api/v1/contacts/{id}/consents`: the current state per channel and the history.
pub async fn consents(State(server): S, auth: Auth, IdPath(id): IdPath) -> ApiResult<Response> {
    let history = privacy::consents(&server.app, &auth.ctx, id)
        .await
        .map_err(|e| app_problem(relata_app::privacy::person_kind(), e))?;
    Ok(json(StatusCode::OK, &json!({"current": privacy::current(&history), "history": history})))
}

/// `POST /api/v1/contacts/{id}/consents`: `{channel, status, source, note?}`.
pub async fn record_consent(
    State(server): S,
    auth: Auth,
    IdPath(id): IdPath,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    auth.require_write()?;
    let input = json_body(&headers, &body)?;
    let row = privacy::record_consent(&server.app, &auth.ctx, id, &input)
        .await
        .map_err(|e| app_problem(relata_app::privacy::person_kind(), e))?;
    Ok(json(StatusCode::CREATED, &serde_json::to_value(row).unwrap_or_default()))
}

/// `GET /api/v1/contacts/{id}/personal-data`: everything stored about the
/// person, as one JSON document streamed page by page.
pub async fn personal_data(State(server): S, auth: Auth, IdPath(id): IdPath) -> ApiResult<Response> {
    let person = relata_app::privacy::person_kind();
    // Refusals are answered as problems before streaming starts.
    let export = privacy::person_to_export(&server.app, &auth.ctx, id).await.map_err(|e| app_problem(person, e))?;
    let (mut sender, receiver) = tokio::sync::mpsc::channel::<Vec<u8>>(4);
    let ctx = auth.ctx.clone();
    tokio::spawn(async move {
        if let Err(e) = privacy::export_person_chunks(&server.app, &ctx, export, &mut sender).await {
            tracing::warn!(error = %e, "personal-data export stopped");
        }
    });
    Ok(attachment(receiver, "application/json", &format!("personal-data-{id}.json")))
}

/// A download sent as its producer hands over the pieces.
fn attachment(pieces: tokio::sync::mpsc::Receiver<Vec<u8>>, content_type: &'static str, file: &str) -> Response {
    let stream = futures_util::stream::unfold(pieces, |mut pieces| async move {
        pieces.recv().await.map(|chunk| (Ok::<_, std::io::Error>(Bytes::from(chunk)), pieces))
    });
    let disposition = format!("attachment; filename=\"{file}\"");
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_DISPOSITION, HeaderValue::from_str(&disposition).expect("ascii")),
        ],
        Body::from_stream(stream),
    )
        .into_response()
}

/// `POST /api/v1/contacts/{id}/erase`: anonymises the person (admins).
pub async fn erase(State(server): S, auth: Auth, IdPath(id): IdPath) -> ApiResult<Response> {
    auth.require_write()?;
    let erased = privacy::erase_person(&server.app, &auth.ctx, id)
        .await
        .map_err(|e| app_problem(relata_app::privacy::person_kind(), e))?;
    Ok(json(StatusCode::OK, &serde_json::to_value(erased).unwrap_or_default()))
}

// ----- export -----

/// `GET /api/v1/{entity}/export[?format=csv|xlsx][&labels=true]`: the
/// records a list would show, as CSV streamed page by page or as an Excel
/// workbook (needs the export right; hidden fields are left out; audited);
/// with `labels=true`, headings and choices in the reader's language
/// (their profile's, else `Accept-Language`'s).
pub async fn export(
    State(server): S,
    mut auth: Auth,
    path: crate::http::EntityPath,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let kind = path.kind(&server, &auth).await?;
    let p = QueryParams::parse(query.as_deref(), &["filter", "sort", "q", "deleted", "format", "labels"])?;
    if p.bool("labels")? {
        // Column headings and choices in the reader's language (the list page's export links).
        let locale = crate::web::page_locale(&auth.principal, crate::web::accept_language(&headers));
        auth.ctx.language = Some(locale.language);
    }
    let xlsx = match p.text("format").as_deref() {
        None | Some("") | Some("csv") => false,
        Some("xlsx") => true,
        Some(other) => {
            return Err(Problem::bad_request("format", "invalid_parameter", format!("{other:?} is not csv or xlsx")));
        }
    };
    let params = relata_app::read::ListParams {
        filter: p.text("filter"),
        sort: p.text("sort"),
        q: p.text("q"),
        deleted: p.bool("deleted")?,
        ..Default::default()
    };
    if xlsx {
        // A workbook is a zip file: it is sent once complete.
        let file =
            tokio::fs::File::from_std(relata_app::export::export_xlsx(&server.app, &auth.ctx, kind, &params).await?);
        // Sent in pieces from the file: memory stays bounded by the piece.
        let pieces = futures_util::stream::unfold(file, |mut file| async move {
            use tokio::io::AsyncReadExt;
            let mut piece = vec![0; 64 * 1024];
            match file.read(&mut piece).await {
                Ok(0) => None,
                Ok(n) => {
                    piece.truncate(n);
                    Some((Ok::<_, std::io::Error>(Bytes::from(piece)), file))
                }
                Err(e) => Some((Err(e), file)),
            }
        });
        let disposition = format!("attachment; filename=\"{}.xlsx\"", kind.api_name());
        return Ok((
            StatusCode::OK,
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                ),
                (header::CONTENT_DISPOSITION, HeaderValue::from_str(&disposition).expect("ascii")),
            ],
            Body::from_stream(pieces),
        )
            .into_response());
    }
    // Refusals and bad filters are answered as problems before streaming starts.
    auth.ctx.access.check_kind(kind, relata_core::access::Right::Export).map_err(AppError::from)?;
    relata_app::read::list(
        &server.app,
        &auth.ctx,
        kind,
        &relata_app::read::ListParams { limit: Some(1), ..params.clone() },
    )
    .await?;
    let (mut sender, receiver) = tokio::sync::mpsc::channel::<Vec<u8>>(4);
    let ctx = auth.ctx.clone();
    tokio::spawn(async move {
        let result = relata_app::export::export_csv_chunks(&server.app, &ctx, kind, &params, &mut sender).await;
        if let Err(e) = result {
            tracing::warn!(error = %e, "export stopped");
        }
    });
    Ok(attachment(receiver, "text/csv; charset=utf-8", &format!("{}.csv", kind.api_name())))
}

/// `POST /api/v1/{entity}/import`: a CSV file (`text/csv`), or an XLSX
/// workbook whose first sheet is read the same way, whose header names
/// fields by id or label, imported like the CLI's `relata import`: every cell
/// parsed like API input; all or nothing unless `skip_bad_rows=true`; `map`
/// maps headers to fields (`map=E-mail:emails,Notes:-`). Rejected rows are
/// answered as a problem naming the file's line and field (`rows[3].email`).
pub async fn import(
    State(server): S,
    auth: Auth,
    path: crate::http::EntityPath,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    auth.require_write()?;
    let kind = path.kind(&server, &auth).await?;
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let file = if content_type.starts_with(relata_app::import::XLSX_MEDIA_TYPE) {
        relata_app::import::xlsx_to_csv(&body)
            .map_err(|m| Problem::invalid(relata_core::ValidationError::single("file", "invalid_xlsx", m)))?
    } else if content_type.starts_with("text/csv") || content_type.starts_with("application/csv") {
        body.to_vec()
    } else {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Unsupported media type",
            format!("send the file as text/csv or {}", relata_app::import::XLSX_MEDIA_TYPE),
        ));
    };
    let p = QueryParams::parse(query.as_deref(), &["skip_bad_rows", "map"])?;
    let mut options =
        relata_app::import::ImportOptions { skip_bad_rows: p.bool("skip_bad_rows")?, ..Default::default() };
    for pair in p.text("map").unwrap_or_default().split(',').filter(|m| !m.trim().is_empty()) {
        let Some((header, field)) = pair.rsplit_once(':') else {
            return Err(Problem::bad_request("map", "invalid_parameter", format!("{pair:?} is not header:field")));
        };
        options.mapping.insert(header.trim().to_string(), field.trim().to_string());
    }
    let report =
        relata_app::import::import_csv(&server.app, &auth.ctx, kind, std::io::Cursor::new(file), &options, &|_| {})
            .await?;
    if !report.committed {
        let errors = report
            .errors
            .iter()
            .map(|e| {
                let at = if e.field.is_empty() {
                    format!("rows[{}]", e.line)
                } else {
                    format!("rows[{}].{}", e.line, e.field)
                };
                relata_core::FieldError::new(at, "invalid", e.message.clone())
            })
            .collect();
        return Err(Problem::invalid(relata_core::ValidationError { errors }));
    }
    Ok(json(StatusCode::OK, &serde_json::to_value(&report).expect("a report serialises")))
}
