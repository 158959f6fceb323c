//! `/connect`: phones and calendars. Where a CardDAV or CalDAV client is
//! pointed, what the user's address book and calendar show (their DAV
//! subscription), and the app passwords (API tokens) those clients sign in
//! with.

use super::{Layout, Page, S, csrf_ok, csrf_refused, layout, read_form, render, see_other};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use relata_app::error::AppError;
use relata_app::people::{self, NewToken};
use relata_dav::collections::Collection;
use serde_json::json;

struct TokenRow {
    id: String,
    name: String,
    access: String,
    /// The revoke button's label for screen readers: "Revoke Anna's iPhone".
    revoke: String,
    created: String,
    last_used: String,
}

#[derive(Template)]
#[template(path = "connect.html")]
struct ConnectPage {
    layout: Layout,
    server: String,
    email: String,
    carddav: String,
    caldav: String,
    contacts: String,
    activities: String,
    contacts_error: Option<String>,
    activities_error: Option<String>,
    name_error: Option<String>,
    tokens: Vec<TokenRow>,
    new_secret: Option<String>,
}

/// What the page shows after an action: the form's values and errors, or
/// a new secret.
#[derive(Default)]
struct Outcome {
    subscription: Option<(String, String)>,
    errors: Vec<(String, String)>,
    new_secret: Option<String>,
}

async fn show(server: &crate::Server, page: &Page, outcome: Outcome, status: StatusCode) -> Response {
    let sub = match relata_dav::collections::subscription(&server.app, &page.ctx).await {
        Ok(sub) => sub,
        Err(e) => return super::app_error_page(page, e),
    };
    let tokens = match people::tokens(&server.app, &page.ctx, false).await {
        Ok(t) => t,
        Err(e) => return super::app_error_page(page, e),
    };
    let (contacts, activities) = outcome.subscription.unwrap_or((sub.contacts, sub.activities));
    let error = |field: &str| outcome.errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.clone());
    let user = page.principal.user.uuid().to_string();
    let base = &server.public_url;
    let tr = page.tr();
    let rows = tokens
        .into_iter()
        .filter(|t| t.revoked_at.is_none() && matches!(t.scope.as_str(), "read" | "read_write"))
        .map(|t| TokenRow {
            access: tr.t(if t.scope == "read" { "connect-read-only" } else { "connect-read-write" }),
            revoke: tr.t_with("connect-revoke-named", &[("name", t.name.as_str().into())]),
            created: page.locale.moment(&t.created_at),
            last_used: t.last_used_at.map(|t| page.locale.moment(&t)).unwrap_or_else(|| tr.t("connect-never")),
            id: t.id,
            name: t.name,
        })
        .collect();
    let body = ConnectPage {
        layout: layout(page, &tr.t("phones-and-calendars"), None),
        server: format!("{base}/"),
        email: page.principal.email.clone(),
        carddav: format!("{base}{}", crate::dav::collection_href(Collection::AddressBook, &user)),
        caldav: format!("{base}{}", crate::dav::collection_href(Collection::Calendar, &user)),
        contacts,
        activities,
        contacts_error: error("contacts"),
        activities_error: error("activities"),
        name_error: error("name"),
        tokens: rows,
        new_secret: outcome.new_secret,
    };
    render(&body, status)
}

/// `GET /connect`
pub async fn connect_page(State(server): S, page: Page) -> Response {
    show(&server, &page, Outcome::default(), StatusCode::OK).await
}

fn field_errors(tr: relata_i18n::Tr, e: AppError) -> Result<Vec<(String, String)>, AppError> {
    match e {
        AppError::Invalid(v) => Ok(v.errors.iter().map(|f| (f.field.to_string(), tr.refusal(f))).collect()),
        other => Err(other),
    }
}

/// `POST /connect/subscription`: `contacts`, `activities` (list filters).
pub async fn save_subscription(State(server): S, page: Page, body: axum::body::Bytes) -> Response {
    let form = read_form(&body);
    if !csrf_ok(&page, &form) {
        return csrf_refused(&page);
    }
    let contacts = form.get("contacts").cloned().unwrap_or_default();
    let activities = form.get("activities").cloned().unwrap_or_default();
    let input = json!({"contacts": contacts, "activities": activities});
    match relata_dav::collections::put_subscription(&server.app, &page.ctx, &input).await {
        Ok(_) => see_other("/connect".into()),
        Err(e) => match field_errors(page.tr(), e) {
            Ok(errors) => {
                let outcome = Outcome { subscription: Some((contacts, activities)), errors, new_secret: None };
                show(&server, &page, outcome, StatusCode::UNPROCESSABLE_ENTITY).await
            }
            Err(e) => super::app_error_page(&page, e),
        },
    }
}

/// `POST /connect/tokens`: `name`, `scope` (read or read_write); the page
/// shows the secret once.
pub async fn create_app_password(State(server): S, page: Page, body: axum::body::Bytes) -> Response {
    let form = read_form(&body);
    if !csrf_ok(&page, &form) {
        return csrf_refused(&page);
    }
    let name = form.get("name").map(|n| n.trim().to_string()).unwrap_or_default();
    let scope = match form.get("scope").map(String::as_str) {
        Some("read") => "read",
        _ => "read_write",
    };
    if name.is_empty() {
        let errors = vec![("name".to_string(), page.tr().t("connect-name-needed"))];
        return show(&server, &page, Outcome { errors, ..Outcome::default() }, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let new = NewToken { name, scope: scope.into(), entities: None, expires_at: None };
    match people::create_token(&server.app, &page.ctx, new).await {
        Ok((issued, _)) => {
            let outcome = Outcome { new_secret: Some(issued.secret), ..Outcome::default() };
            show(&server, &page, outcome, StatusCode::CREATED).await
        }
        Err(e) => match field_errors(page.tr(), e) {
            Ok(errors) => {
                show(&server, &page, Outcome { errors, ..Outcome::default() }, StatusCode::UNPROCESSABLE_ENTITY).await
            }
            Err(e) => super::app_error_page(&page, e),
        },
    }
}

/// `POST /connect/tokens/{id}/revoke`
pub async fn revoke_app_password(
    State(server): S,
    page: Page,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let form = read_form(&body);
    if !csrf_ok(&page, &form) {
        return csrf_refused(&page);
    }
    match people::revoke_token(&server.app, &page.ctx, &id).await {
        Ok(()) => {
            server.forget_all_credentials();
            see_other("/connect".into())
        }
        Err(e) => super::app_error_page(&page, e),
    }
}
