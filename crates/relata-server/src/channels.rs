//! Channels over HTTP: the workspace's email and SMS settings
//! (administrators), a print batch's PDF and its posting, a template's
//! preview for one recipient, a rule's dry run, and the public unsubscribe
//! page that an email's link and `List-Unsubscribe` header point at.

use crate::Server;
use crate::auth::Auth;
use crate::http::{IdPath, escape_html, json, json_body};
use crate::problem::{ApiResult, Problem};
use crate::records::app_problem;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use relata_channels::{MESSAGE_TEMPLATES, PRINT_BATCHES};
use relata_i18n::{Language, Tr};
use serde_json::json;
use std::sync::Arc;

type S = State<Arc<Server>>;

/// `GET /api/v1/channels/{channel}`: the settings, secrets left out.
pub async fn settings(State(server): S, auth: Auth, Path(channel): Path<String>) -> ApiResult<Response> {
    let shown = relata_channels::settings::shown(&server.app, &auth.ctx, &channel).await?;
    Ok(json(StatusCode::OK, &json!({"channel": channel, "settings": shown})))
}

/// `PUT /api/v1/channels/{channel}`: puts the settings.
pub async fn put_settings(
    State(server): S,
    auth: Auth,
    Path(channel): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    auth.require_write()?;
    let input = json_body(&headers, &body)?;
    let shown = relata_channels::settings::put(&server.app, &auth.ctx, &channel, &input).await?;
    Ok(json(StatusCode::OK, &json!({"channel": channel, "settings": shown})))
}

/// `GET /api/v1/mailbox`: the caller's own mailbox, its password left out,
/// with where each folder's sync stands.
pub async fn mailbox(State(server): S, auth: Auth) -> ApiResult<Response> {
    let shown = relata_channels::mailbox::shown(&server.app, &auth.ctx).await?;
    Ok(json(StatusCode::OK, &json!({"mailbox": shown})))
}

/// `PUT /api/v1/mailbox`: connects (or changes) the caller's mailbox.
pub async fn put_mailbox(State(server): S, auth: Auth, headers: HeaderMap, body: Bytes) -> ApiResult<Response> {
    auth.require_write()?;
    let input = json_body(&headers, &body)?;
    let shown = relata_channels::mailbox::put(&server.app, &auth.ctx, &input).await?;
    Ok(json(StatusCode::OK, &json!({"mailbox": shown})))
}

/// `DELETE /api/v1/mailbox`: disconnects it; the mail logged stays.
pub async fn delete_mailbox(State(server): S, auth: Auth) -> ApiResult<Response> {
    auth.require_write()?;
    relata_channels::mailbox::remove(&server.app, &auth.ctx).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /api/v1/mailbox/sync`: a sync now, as a job.
pub async fn sync_mailbox(State(server): S, auth: Auth) -> ApiResult<Response> {
    auth.require_write()?;
    let job = relata_channels::mailbox::request_sync(&server.app, &auth.ctx).await?;
    Ok(json(StatusCode::ACCEPTED, &json!({"job": job})))
}

/// `GET /api/v1/print_batches/{id}/pdf`: the batch's letters as one PDF.
pub async fn batch_pdf(State(server): S, auth: Auth, IdPath(id): IdPath) -> ApiResult<Response> {
    let (file, bytes) = relata_channels::letters::batch_pdf(&server.app, &auth.ctx, id)
        .await
        .map_err(|e| app_problem(PRINT_BATCHES, e))?;
    let disposition = format!("attachment; filename=\"{file}\"");
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static("application/pdf")),
        (header::CONTENT_DISPOSITION, HeaderValue::from_str(&disposition).expect("an ASCII file name")),
    ];
    Ok((StatusCode::OK, headers, bytes).into_response())
}

/// `POST /api/v1/print_batches/{id}/posted`: the batch went to the post.
pub async fn batch_posted(State(server): S, auth: Auth, IdPath(id): IdPath) -> ApiResult<Response> {
    auth.require_write()?;
    let batch = relata_channels::letters::mark_posted(&server.app, &auth.ctx, id)
        .await
        .map_err(|e| app_problem(PRINT_BATCHES, e))?;
    let schemas = server.app.schemas_for(&auth.ctx).await?;
    Ok(json(StatusCode::OK, &batch.to_json(schemas.get(PRINT_BATCHES))))
}

/// `POST /api/v1/message_templates/{id}/preview`: `{contact?, account?,
/// about_entity?, about_id?}` → the message as it would be written (the
/// variant in the contact's language, merged), nothing stored.
pub async fn preview(
    State(server): S,
    auth: Auth,
    IdPath(id): IdPath,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let input = json_body(&headers, &body)?;
    let preview = relata_channels::messages::preview(&server.app, &auth.ctx, id, &input)
        .await
        .map_err(|e| app_problem(MESSAGE_TEMPLATES, e))?;
    Ok(json(StatusCode::OK, &preview))
}

/// `POST /api/v1/automation_rules/{id}/dry_run?limit=`: what the rule
/// would act on now and what it would send, nothing done.
pub async fn dry_run(State(server): S, auth: Auth, IdPath(id): IdPath) -> ApiResult<Response> {
    let (rule, _) = relata_app::read::get(&server.app, &auth.ctx, relata_automation::AUTOMATION_RULES, id, false)
        .await
        .map_err(|e| app_problem(relata_automation::AUTOMATION_RULES, e))?;
    let report = relata_automation::dry_run(&server.app, &auth.ctx, &rule, 20).await?;
    Ok(json(StatusCode::OK, &report))
}

/// An unsubscribe page in `language`: the message's own (the language the
/// customer was written to in), else the browser's.
fn unsubscribe_page(language: Language, title_id: &str, body: &str) -> Html<String> {
    Html(crate::session::page_in(language, &Tr::new(language).t(title_id), body))
}

fn invalid_link(language: Language) -> Response {
    let body = format!("<h1>{}</h1>", escape_html(&Tr::new(language).t("unsubscribe-invalid")));
    (StatusCode::NOT_FOUND, unsubscribe_page(language, "unsubscribe-title", &body)).into_response()
}

/// The language a message was written in, else the one the browser asks for.
fn message_language(message: &relata_core::Record, headers: &HeaderMap) -> Language {
    message
        .values
        .text("language")
        .and_then(|tag| Language::parse(tag).ok())
        .unwrap_or_else(|| crate::session::browser_language(headers))
}

/// `GET /unsubscribe/{workspace}/{token}`: asks to confirm (a link opened
/// by a mail scanner changes nothing).
pub async fn unsubscribe_form(
    State(server): S,
    headers: HeaderMap,
    Path((workspace, token)): Path<(String, String)>,
) -> ApiResult<Response> {
    let Some((_, message)) = target(&server, &workspace, &token).await? else {
        return Ok(invalid_link(crate::session::browser_language(&headers)));
    };
    let language = message_language(&message, &headers);
    let tr = Tr::new(language);
    let question = match message.values.std("channel").as_text() {
        Some("sms") => "unsubscribe-question-sms",
        _ => "unsubscribe-question-email",
    };
    let body = format!(
        "<h1>{}</h1><p>{}</p>\
         <form method=\"post\" action=\"/unsubscribe/{}/{}\"><button type=\"submit\">{}</button></form>",
        escape_html(&tr.t("unsubscribe-title")),
        escape_html(&tr.t(question)),
        escape_html(&workspace),
        escape_html(&token),
        escape_html(&tr.t("unsubscribe-button")),
    );
    Ok(unsubscribe_page(language, "unsubscribe-title", &body).into_response())
}

/// `POST /unsubscribe/{workspace}/{token}`: the confirmation, or a mail
/// client's one-click request (RFC 8058): consent withdrawn in the ledger.
pub async fn unsubscribe(
    State(server): S,
    headers: HeaderMap,
    Path((workspace, token)): Path<(String, String)>,
) -> ApiResult<Response> {
    let Some((ctx, message)) = target(&server, &workspace, &token).await? else {
        return Ok(invalid_link(crate::session::browser_language(&headers)));
    };
    relata_channels::unsubscribe(&server.app, &ctx, &message).await?;
    let language = message_language(&message, &headers);
    let tr = Tr::new(language);
    let body = format!(
        "<h1>{}</h1><p>{}</p>",
        escape_html(&tr.t("unsubscribed-title")),
        escape_html(&tr.t("unsubscribed-text"))
    );
    Ok(unsubscribe_page(language, "unsubscribed-title", &body).into_response())
}

async fn target(
    server: &Server,
    workspace: &str,
    token: &str,
) -> Result<Option<(relata_app::Ctx, relata_core::Record)>, Problem> {
    let Ok(workspace) = uuid::Uuid::parse_str(workspace) else { return Ok(None) };
    Ok(relata_channels::unsubscribe_target(&server.app, workspace, token).await?)
}

/// `POST /api/v1/messages/{id}/delivery`: a delivery report, `{status:
/// delivered|failed, reason?}` (an SMS gateway's callback, with a token).
pub async fn delivery(
    State(server): S,
    auth: Auth,
    IdPath(id): IdPath,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    auth.require_write()?;
    let input = json_body(&headers, &body)?;
    let message = relata_channels::messages::record_delivery(&server.app, &auth.ctx, id, &input)
        .await
        .map_err(|e| app_problem(relata_channels::MESSAGES, e))?;
    let schemas = server.app.schemas_for(&auth.ctx).await?;
    Ok(json(StatusCode::OK, &message.to_json(schemas.get(relata_channels::MESSAGES))))
}
