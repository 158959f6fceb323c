//! `/preferences`: the signed-in person's language and time zone.

use super::{Layout, Page, S, csrf_ok, csrf_refused, layout, read_form, render, see_other};
use crate::preferences::Choice;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use relata_i18n::Language;

#[derive(Template)]
#[template(path = "preferences.html")]
struct PreferencesPage {
    layout: Layout,
    saved: bool,
    /// What the form shows as chosen (empty: automatic).
    language: String,
    time_zone: String,
    auto_language: String,
    auto_time_zone: String,
    /// (tag, name, chosen)
    languages: Vec<(&'static str, &'static str, bool)>,
    /// (name, chosen)
    zones: Vec<(&'static str, bool)>,
    example: String,
    language_error: Option<String>,
    time_zone_error: Option<String>,
}

/// The form as shown: `chosen` are the values it holds, `errors` the
/// messages by field.
fn show(
    server: &crate::Server,
    page: &Page,
    chosen: (String, String),
    errors: &[(String, String)],
    saved: bool,
) -> Response {
    let tr = page.tr();
    let error = |field: &str| errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.clone());
    let now = server.app.store.now();
    let example = tr.t_with(
        "preferences-example",
        &[("moment", page.locale.moment(&now).into()), ("amount", page.locale.money(123_456_789, "EUR").into())],
    );
    let browser = Language::choose(None, page.accept_language.as_deref(), page.principal.workspace.language.as_deref());
    let workspace_zone = page.principal.workspace.time_zone.clone().unwrap_or_else(|| "UTC".into());
    let body = PreferencesPage {
        layout: layout(page, &tr.t("preferences-title"), None),
        saved,
        languages: Language::OFFERED.iter().map(|l| (l.tag(), l.native_name(), chosen.0 == l.tag())).collect(),
        zones: relata_i18n::zone_names().into_iter().map(|z| (z, chosen.1 == z)).collect(),
        language: chosen.0,
        time_zone: chosen.1,
        auto_language: tr.t_with("preferences-language-auto", &[("language", browser.native_name().into())]),
        auto_time_zone: tr.t_with("preferences-time-zone-auto", &[("zone", workspace_zone.into())]),
        example,
        language_error: error("language"),
        time_zone_error: error("time_zone"),
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    render(&body, status)
}

/// `GET /preferences`.
pub async fn preferences_page(State(server): S, page: Page, RawQuery(raw): RawQuery) -> Response {
    let chosen =
        (page.principal.language.clone().unwrap_or_default(), page.principal.time_zone.clone().unwrap_or_default());
    let saved = super::PageQuery::parse(raw.as_deref()).get("saved") == "1";
    show(&server, &page, chosen, &[], saved)
}

/// `POST /preferences`: saves, then shows the page in the language chosen.
pub async fn save_preferences(State(server): S, page: Page, body: Bytes) -> Response {
    let form = read_form(&body);
    if !csrf_ok(&page, &form) {
        return csrf_refused(&page);
    }
    let field = |name: &str| form.get(name).cloned().unwrap_or_default();
    let chosen = (field("language"), field("time_zone"));
    let choice = match Choice::parse(Some(&chosen.0), Some(&chosen.1), page.tr()) {
        Ok(choice) => choice,
        Err(v) => {
            let errors: Vec<(String, String)> = v.errors.into_iter().map(|e| (e.field, e.message)).collect();
            return show(&server, &page, chosen, &errors, false);
        }
    };
    if let Err(e) = choice.save_for(&server, page.principal.user).await {
        return super::app_error_page(&page, e.into());
    }
    see_other("/preferences?saved=1".into())
}
