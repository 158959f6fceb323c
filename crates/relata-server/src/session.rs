//! Signing in and out, over the API (`/api/v1/auth/…`) and as browser pages
//! (`/login`, `/logout`, the start page): sessions, CSRF tokens, password
//! changes and resets, second factors, invitations, workspace switching.

use crate::Server;
use crate::auth::{Auth, ClientAddress, SESSION_COOKIE, cookie, csrf_refusal};
use crate::http::{Input, escape_html, json, json_body};
use crate::problem::{ApiResult, Problem};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use relata_app::auth::{self, Login, SESSION_IDLE, SignedIn};
use relata_app::{AppError, people};
use relata_i18n::{Language, Tr};
use relata_identity::secret::{self, SecretKind};
use serde_json::json;
use std::sync::Arc;

type S = State<Arc<Server>>;

/// The session cookie: Secure, HttpOnly, SameSite=Lax, for the whole site.
fn session_cookie(secret: &str) -> HeaderValue {
    let value = format!(
        "{SESSION_COOKIE}={secret}; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age={}",
        SESSION_IDLE.num_seconds()
    );
    HeaderValue::from_str(&value).expect("secrets are hex")
}

fn clear_session_cookie() -> HeaderValue {
    HeaderValue::from_static("relata_session=; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=0")
}

fn signed_in_json(s: &SignedIn) -> serde_json::Value {
    json!({
        "session_token": s.session_secret,
        "csrf_token": s.csrf_token,
        "expires_at": relata_core::value::format_datetime(&s.expires_at),
        "user": {"id": s.user.id, "email": s.user.email, "display_name": s.user.display_name},
        "workspace": {"id": s.workspace.id, "slug": s.workspace.slug, "name": s.workspace.name},
        "role": s.role,
    })
}

/// Sign-in problems are audited by the sign-in itself, not again as refusals.
fn login_problem(e: AppError) -> Problem {
    Problem::from(e).quiet()
}

fn user_agent(headers: &HeaderMap) -> Option<String> {
    headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_string)
}

/// `POST /api/v1/auth/login`: `{email, password, code?, workspace?}`.
pub async fn login(
    State(server): S,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let input = json_body(&headers, &body)?;
    let mut i = Input::new(&input, &["email", "password", "code", "workspace"])?;
    let email = i.text("email", true, 320);
    let password = i.text("password", true, 4000);
    let code = i.text("code", false, 20);
    let workspace = i.text("workspace", false, 100);
    i.finish()?;
    let attempt = Login {
        email: email.unwrap_or_default(),
        password: password.unwrap_or_default(),
        code,
        workspace,
        address: Some(address),
        user_agent: user_agent(&headers),
    };
    let signed_in = auth::login(&server.app, attempt).await.map_err(login_problem)?;
    let mut response = json(StatusCode::OK, &signed_in_json(&signed_in));
    response.headers_mut().insert(header::SET_COOKIE, session_cookie(&signed_in.session_secret));
    Ok(response)
}

/// The session secret the request came with (bearer or cookie).
fn session_secret(headers: &HeaderMap) -> Option<String> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")))
        .map(|s| s.trim().to_string());
    bearer.or_else(|| cookie(headers, SESSION_COOKIE).map(str::to_string))
}

fn require_session(auth: &Auth) -> ApiResult<String> {
    auth.session_id().map(str::to_string).ok_or_else(|| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "not-a-session",
            "Not a session",
            "this endpoint is for signed-in sessions, not API tokens",
        )
    })
}

/// `POST /api/v1/auth/logout`: ends this session.
pub async fn logout(State(server): S, auth: Auth, headers: HeaderMap) -> ApiResult<Response> {
    let id = require_session(&auth)?;
    auth::logout(&server.app, &auth.ctx, &id).await?;
    if let Some(secret) = session_secret(&headers) {
        server.forget_credential(&secret);
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(header::SET_COOKIE, clear_session_cookie());
    Ok(response)
}

/// `POST /api/v1/auth/logout-all`: ends every session of the user.
pub async fn logout_all(State(server): S, auth: Auth) -> ApiResult<Response> {
    let ended = auth::logout_everywhere(&server.app, &auth.ctx).await?;
    server.forget_all_credentials();
    let mut response = json(StatusCode::OK, &json!({"sessions_ended": ended}));
    response.headers_mut().insert(header::SET_COOKIE, clear_session_cookie());
    Ok(response)
}

/// `GET /api/v1/auth/me`: who is signed in, where, with which rights.
pub async fn me(State(server): S, auth: Auth) -> ApiResult<Response> {
    let p = &auth.principal;
    let memberships = server.app.store.memberships_of(p.user).await.map_err(AppError::from)?;
    let csrf = match &p.credential {
        relata_store::admin::Credential::Session { csrf_token, .. } => Some(csrf_token.clone()),
        relata_store::admin::Credential::Token { .. } => None,
    };
    let access = &auth.ctx.access;
    let body = json!({
        "user": {"id": p.user, "email": p.email, "display_name": p.display_name, "server_admin": p.server_admin},
        "workspace": {"id": p.workspace.id, "slug": p.workspace.slug, "name": p.workspace.name},
        "role": access.role.to_json(),
        "teams": {
            "colleagues": access.teams.colleagues,
            "managed": access.teams.managed,
        },
        "workspaces": memberships.iter().filter(|m| m.active).map(|m| json!({
            "slug": m.workspace.slug, "name": m.workspace.name, "role": m.role,
        })).collect::<Vec<_>>(),
        "csrf_token": csrf,
    });
    Ok(json(StatusCode::OK, &body))
}

/// `POST /api/v1/auth/workspace`: `{workspace: slug}` moves the session.
pub async fn switch_workspace(State(server): S, auth: Auth, headers: HeaderMap, body: Bytes) -> ApiResult<Response> {
    let id = require_session(&auth)?;
    let input = json_body(&headers, &body)?;
    let mut i = Input::new(&input, &["workspace"])?;
    let slug = i.text("workspace", true, 100);
    i.finish()?;
    let ws =
        auth::switch_workspace(&server.app, &auth.ctx, &id, &slug.unwrap_or_default()).await.map_err(|e| match e {
            AppError::NotFound => Problem::not_found("you are not an active member of a workspace with this slug"),
            other => other.into(),
        })?;
    if let Some(secret) = session_secret(&headers) {
        server.forget_credential(&secret);
    }
    Ok(json(StatusCode::OK, &json!({"workspace": {"id": ws.id, "slug": ws.slug, "name": ws.name}})))
}

/// `POST /api/v1/auth/password`: `{current_password, new_password}`.
pub async fn change_password(State(server): S, auth: Auth, headers: HeaderMap, body: Bytes) -> ApiResult<Response> {
    auth.require_write()?;
    let input = json_body(&headers, &body)?;
    let mut i = Input::new(&input, &["current_password", "new_password"])?;
    let current = i.text("current_password", true, 4000);
    let new = i.text("new_password", true, 4000);
    i.finish()?;
    auth::change_password(&server.app, &auth.ctx, &current.unwrap_or_default(), &new.unwrap_or_default()).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /api/v1/auth/password-reset/confirm`: `{token, password}` from a
/// reset link; signs the user out everywhere.
pub async fn finish_reset(
    State(server): S,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let input = json_body(&headers, &body)?;
    let mut i = Input::new(&input, &["token", "password"])?;
    let token = i.text("token", true, 200);
    let password = i.text("password", true, 4000);
    i.finish()?;
    let user = auth::finish_password_reset(
        &server.app,
        &token.unwrap_or_default(),
        &password.unwrap_or_default(),
        Some(&address),
    )
    .await?;
    server.forget_all_credentials();
    Ok(json(StatusCode::OK, &json!({"user": {"id": user.id, "email": user.email}})))
}

/// `POST /api/v1/invitations/accept`: `{token, password, display_name?}`.
pub async fn accept_invitation(
    State(server): S,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let input = json_body(&headers, &body)?;
    let mut i = Input::new(&input, &["token", "password", "display_name"])?;
    let token = i.text("token", true, 200);
    let password = i.text("password", true, 4000);
    let name = i.text("display_name", false, 200);
    i.finish()?;
    let (user, ws) = auth::accept_invitation(
        &server.app,
        &token.unwrap_or_default(),
        &password.unwrap_or_default(),
        name.as_deref(),
        Some(&address),
    )
    .await?;
    let body = json!({
        "user": {"id": user.id, "email": user.email, "display_name": user.display_name},
        "workspace": {"id": ws.id, "slug": ws.slug, "name": ws.name},
    });
    Ok(json(StatusCode::CREATED, &body))
}

/// `POST /api/v1/auth/totp/setup`: a new secret and its `otpauth://` URI.
pub async fn totp_setup(State(server): S, auth: Auth) -> ApiResult<Response> {
    auth.require_write()?;
    let (secret, uri) = auth::totp_setup(&server.app, &auth.ctx).await?;
    Ok(json(StatusCode::OK, &json!({"secret": secret, "otpauth_uri": uri})))
}

/// `POST /api/v1/auth/totp/enable`: `{code}` from the authenticator app.
pub async fn totp_enable(State(server): S, auth: Auth, headers: HeaderMap, body: Bytes) -> ApiResult<Response> {
    auth.require_write()?;
    let input = json_body(&headers, &body)?;
    let mut i = Input::new(&input, &["code"])?;
    let code = i.text("code", true, 20);
    i.finish()?;
    auth::totp_enable(&server.app, &auth.ctx, &code.unwrap_or_default()).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /api/v1/auth/totp/disable`: `{password}`.
pub async fn totp_disable(State(server): S, auth: Auth, headers: HeaderMap, body: Bytes) -> ApiResult<Response> {
    auth.require_write()?;
    let input = json_body(&headers, &body)?;
    let mut i = Input::new(&input, &["password"])?;
    let password = i.text("password", true, 4000);
    i.finish()?;
    auth::totp_disable(&server.app, &auth.ctx, &password.unwrap_or_default()).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

// ----- browser pages -----

const LOGIN_CSRF_COOKIE: &str = "relata_login_csrf";

/// The language of a page for someone not signed in: the first of their
/// browser's that Relata is written in, else English.
pub(crate) fn browser_language(headers: &HeaderMap) -> Language {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Language::from_accept_language)
        .unwrap_or(Language::En)
}

/// A page outside the app, in `language` (`<html lang>`).
pub(crate) fn page_in(language: Language, title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{} · Relata</title>\
         <link rel=\"icon\" href=\"/assets/favicon.svg\" type=\"image/svg+xml\">\
         <link rel=\"stylesheet\" href=\"/assets/plain.css\"></head>\
         <body class=\"narrow\">{body}</body></html>",
        language.tag(),
        escape_html(title)
    )
}

/// The sign-in form (`error`: why the last attempt was refused).
struct LoginForm<'a> {
    email: &'a str,
    error: Option<&'a str>,
    csrf: &'a str,
    next: &'a str,
    needs_code: bool,
}

fn login_page(tr: Tr, form: LoginForm<'_>) -> String {
    let error =
        form.error.map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", escape_html(e))).unwrap_or_default();
    let code = if form.needs_code {
        format!(
            "<label for=\"code\">{}</label>\
             <input id=\"code\" name=\"code\" inputmode=\"numeric\" autocomplete=\"one-time-code\" required>",
            escape_html(&tr.t("signin-code"))
        )
    } else {
        String::new()
    };
    let sign_in = tr.t("signin-title");
    page_in(
        tr.language,
        &sign_in,
        &format!(
            "<h1>{}</h1>{error}<form method=\"post\" action=\"/login\">\
             <input type=\"hidden\" name=\"csrf_token\" value=\"{}\"><input type=\"hidden\" name=\"next\" value=\"{}\">\
             <label for=\"email\">{}</label><input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"username\" value=\"{}\" required>\
             <label for=\"password\">{}</label><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required>\
             {code}<button type=\"submit\">{}</button></form>",
            escape_html(&tr.t("signin-heading")),
            escape_html(form.csrf),
            escape_html(form.next),
            escape_html(&tr.t("signin-email")),
            escape_html(form.email),
            escape_html(&tr.t("signin-password")),
            escape_html(&sign_in),
        ),
    )
}

/// Why a sign-in was refused, as the sign-in page says it.
fn refusal(tr: Tr, e: &AppError) -> String {
    match e {
        AppError::Unauthorized("invalid_credentials", _) => tr.t("signin-wrong-credentials"),
        AppError::Unauthorized("totp_required", _) => tr.t("signin-code-required"),
        AppError::Unauthorized("invalid_code", _) => tr.t("signin-wrong-code"),
        AppError::Locked(until) => {
            let time = relata_i18n::format::date_time(tr.language, relata_i18n::Tz::UTC, *until);
            tr.t_with("signin-locked", &[("time", time.into())])
        }
        // The one refusal of a right password: no membership in the workspace.
        AppError::Forbidden(_) => tr.t("signin-no-membership"),
        other => other.to_string(),
    }
}

/// Only paths on this site are followed after signing in.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

fn login_form_response(status: StatusCode, html: String, csrf: &str) -> Response {
    let mut response = (status, Html(html)).into_response();
    let cookie = format!("{LOGIN_CSRF_COOKIE}={csrf}; Path=/login; HttpOnly; Secure; SameSite=Strict; Max-Age=3600");
    response.headers_mut().insert(header::SET_COOKIE, HeaderValue::from_str(&cookie).expect("hex"));
    response
}

/// `GET /login`: the sign-in form, with a login CSRF token, in the
/// browser's language.
pub async fn login_form(uri: axum::http::Uri, headers: HeaderMap) -> ApiResult<Response> {
    let next = uri
        .query()
        .and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
        .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "next").map(|(_, v)| v));
    let csrf = secret::generate(SecretKind::Csrf).map_err(|_| Problem::internal())?;
    let next = safe_next(next.as_deref());
    let form = LoginForm { email: "", error: None, csrf: &csrf, next: &next, needs_code: false };
    Ok(login_form_response(StatusCode::OK, login_page(Tr::new(browser_language(&headers)), form), &csrf))
}

/// `POST /login`: signs in from the form; on success sets the session
/// cookie and goes on; on failure shows the form again, keeping the email.
pub async fn login_submit(
    State(server): S,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
        .map_err(|e| Problem::bad_request("body", "invalid_form", format!("the form is malformed: {e}")))?;
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let email = field("email").unwrap_or_default();
    let next = safe_next(field("next").as_deref());
    let sent_csrf = field("csrf_token").unwrap_or_default();
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or("");
    let fresh = secret::generate(SecretKind::Csrf).map_err(|_| Problem::internal())?;
    let tr = Tr::new(browser_language(&headers));
    if expected.is_empty() || !secret::constant_time_eq(sent_csrf.as_bytes(), expected.as_bytes()) {
        let expired = tr.t("signin-expired");
        let form = LoginForm { email: &email, error: Some(&expired), csrf: &fresh, next: &next, needs_code: false };
        return Ok(login_form_response(StatusCode::FORBIDDEN, login_page(tr, form), &fresh));
    }
    let attempt = Login {
        email: email.clone(),
        password: field("password").unwrap_or_default(),
        code: field("code"),
        workspace: None,
        address: Some(address),
        user_agent: user_agent(&headers),
    };
    match auth::login(&server.app, attempt).await {
        Ok(signed_in) => {
            let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, next)]).into_response();
            response.headers_mut().insert(header::SET_COOKIE, session_cookie(&signed_in.session_secret));
            Ok(response)
        }
        Err(e) => {
            let needs_code = matches!(e, AppError::Unauthorized("totp_required" | "invalid_code", _));
            let status = match &e {
                AppError::Locked(_) => StatusCode::TOO_MANY_REQUESTS,
                AppError::Forbidden(_) => StatusCode::FORBIDDEN,
                AppError::Unauthorized(..) => StatusCode::UNAUTHORIZED,
                _ => return Err(login_problem(e)),
            };
            let why = refusal(tr, &e);
            let form = LoginForm { email: &email, error: Some(&why), csrf: &fresh, next: &next, needs_code };
            Ok(login_form_response(status, login_page(tr, form), &fresh))
        }
    }
}

/// `POST /logout` (form with `csrf_token`): ends the session, back to `/login`.
pub async fn logout_submit(State(server): S, headers: HeaderMap, body: Bytes) -> ApiResult<Response> {
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let sent = form.iter().find(|(k, _)| k == "csrf_token").map(|(_, v)| v.as_str()).unwrap_or("");
    let Some(secret_text) = cookie(&headers, SESSION_COOKIE).map(str::to_string) else {
        return Ok((StatusCode::SEE_OTHER, [(header::LOCATION, "/login")]).into_response());
    };
    let (principal, access) = server.principal(&secret_text).await?;
    let relata_store::admin::Credential::Session { id, csrf_token, .. } = &principal.credential else {
        return Err(Problem::unauthorized("the session cookie does not hold a session"));
    };
    if !secret::constant_time_eq(sent.as_bytes(), csrf_token.as_bytes()) {
        return Err(csrf_refusal());
    }
    let ctx = relata_app::Ctx::for_user(principal.workspace.clone(), Some(principal.user), access);
    auth::logout(&server.app, &ctx, id).await?;
    server.forget_credential(&secret_text);
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, "/login")]).into_response();
    response.headers_mut().insert(header::SET_COOKIE, clear_session_cookie());
    Ok(response)
}

/// The start page for someone not signed in, in `language` (their browser's).
pub fn anonymous_home_in(language: Language) -> Html<String> {
    let tr = Tr::new(language);
    let body = format!(
        "<h1>Relata</h1><p>{} <a href=\"/login\">{}</a></p>\
         <p>{} <a href=\"/api/v1/docs\">{}</a> · <a href=\"/api/v1/openapi.json\">{}</a></p>",
        escape_html(&tr.t("signin-running")),
        escape_html(&tr.t("signin-title")),
        escape_html(&tr.t("signin-rest-api")),
        escape_html(&tr.t("signin-api-reference")),
        escape_html(&tr.t("signin-openapi")),
    );
    Html(page_in(language, "Relata", &body))
}

/// The invitation link for a token.
pub fn invitation_link(server: &Server, token: &str) -> String {
    format!("{}/invite/{token}", server.public_url)
}

/// Adds a user (see [`people::add_user`]) and answers with the member or
/// the invitation link.
pub fn added_json(server: &Server, added: &people::Added) -> serde_json::Value {
    match (&added.user, &added.invitation_token) {
        (Some(user), _) => json!({"user": {"id": user.id, "email": user.email, "display_name": user.display_name}}),
        (None, Some(token)) => json!({
            "invitation": {
                "token": token,
                "url": invitation_link(server, token),
                "expires_at": added.expires_at.map(|t| relata_core::value::format_datetime(&t)),
            }
        }),
        (None, None) => json!({}),
    }
}

fn invite_page(tr: Tr, token: &str, name: &str, error: Option<&str>) -> String {
    let error = error.map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", escape_html(e))).unwrap_or_default();
    let title = tr.t("signin-join-title");
    page_in(
        tr.language,
        &title,
        &format!(
            "<h1>{}</h1>{error}<form method=\"post\" action=\"/invite\">\
             <input type=\"hidden\" name=\"token\" value=\"{}\">\
             <label for=\"display_name\">{}</label><input id=\"display_name\" name=\"display_name\" value=\"{}\" autocomplete=\"name\">\
             <label for=\"password\">{}</label>\
             <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"new-password\" required>\
             <button type=\"submit\">{}</button></form>",
            escape_html(&title),
            escape_html(token),
            escape_html(&tr.t("signin-your-name")),
            escape_html(name),
            escape_html(&tr.t("signin-choose-password")),
            escape_html(&tr.t("signin-join")),
        ),
    )
}

/// `GET /invite/{token}`: the form to accept an invitation, in the
/// browser's language.
pub async fn invite_form(axum::extract::Path(token): axum::extract::Path<String>, headers: HeaderMap) -> Response {
    Html(invite_page(Tr::new(browser_language(&headers)), &token, "", None)).into_response()
}

/// `POST /invite`: accepts an invitation from the form, then on to `/login`.
pub async fn invite_submit(
    State(server): S,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
        .map_err(|e| Problem::bad_request("body", "invalid_form", format!("the form is malformed: {e}")))?;
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let (token, name) = (field("token"), field("display_name"));
    let tr = Tr::new(browser_language(&headers));
    match auth::accept_invitation(&server.app, &token, &field("password"), Some(&name), Some(&address)).await {
        Ok(_) => Ok((StatusCode::SEE_OTHER, [(header::LOCATION, "/login")]).into_response()),
        Err(AppError::Invalid(v)) => {
            // The reason comes from the password rules.
            let message = v
                .errors
                .first()
                .map(|e| tr.t_with("signin-password-refused", &[("reason", e.message.as_str().into())]))
                .unwrap_or_default();
            let html = invite_page(tr, &token, &name, Some(&message));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
        Err(AppError::Unauthorized(..)) => {
            let html = invite_page(tr, &token, &name, Some(&tr.t("signin-invitation-invalid")));
            Ok((StatusCode::UNAUTHORIZED, Html(html)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
