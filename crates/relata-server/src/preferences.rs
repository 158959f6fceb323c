//! A person's language and time zone for the UI, and a workspace's
//! defaults: `GET`/`PUT /api/v1/me/preferences`, `PUT
//! /api/v1/workspace/locale`. The page `/preferences` (web::preferences)
//! reads the same input through [`Choice::parse`].

use crate::Server;
use crate::auth::Auth;
use crate::http::{json, json_body};
use crate::problem::ApiResult;
use crate::problem::Problem;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use relata_core::{FieldError, ValidationError};
use relata_i18n::{Language, Locale};
use serde_json::{Value as Json, json};
use std::sync::Arc;

type S = State<Arc<Server>>;

/// A language and a time zone as chosen (`None`: leave it to the browser
/// and the workspace), each checked.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Choice {
    pub language: Option<Language>,
    pub time_zone: Option<relata_i18n::Tz>,
}

impl Choice {
    /// Reads `language` and `time_zone` (a tag and an IANA name; empty or
    /// null for none). Errors name the field, in the reader's language.
    pub(crate) fn parse(
        language: Option<&str>,
        time_zone: Option<&str>,
        tr: relata_i18n::Tr,
    ) -> Result<Choice, ValidationError> {
        let mut errors = Vec::new();
        let language = checked(language, Language::parse).unwrap_or_else(|_| {
            errors.push(FieldError::new("language", "invalid", tr.t("preferences-bad-language")));
            None
        });
        let time_zone = checked(time_zone, relata_i18n::parse_time_zone).unwrap_or_else(|_| {
            errors.push(FieldError::new("time_zone", "invalid", tr.t("preferences-bad-time-zone")));
            None
        });
        ValidationError::check(errors)?;
        Ok(Choice { language, time_zone })
    }

    fn from_json(input: &Json, tr: relata_i18n::Tr) -> Result<Choice, ValidationError> {
        let mut errors = Vec::new();
        let text = |name: &'static str, errors: &mut Vec<FieldError>| match input.get(name) {
            None | Some(Json::Null) => None,
            Some(Json::String(s)) => Some(s.clone()),
            Some(_) => {
                errors.push(FieldError::new(name, "invalid_type", "a string or null"));
                None
            }
        };
        if let Some(object) = input.as_object() {
            for key in object.keys().filter(|k| !matches!(k.as_str(), "language" | "time_zone")) {
                errors.push(FieldError::new(key.clone(), "unknown_field", "not a preference"));
            }
        } else {
            errors.push(FieldError::new("body", "invalid_type", "a JSON object"));
        }
        let language = text("language", &mut errors);
        let time_zone = text("time_zone", &mut errors);
        ValidationError::check(errors)?;
        Choice::parse(language.as_deref(), time_zone.as_deref(), tr)
    }

    /// Keeps the choice as `user`'s; their cached credentials are
    /// forgotten so that every page and answer follows it at once.
    pub(crate) async fn save_for(
        &self,
        server: &Server,
        user: relata_core::UserId,
    ) -> Result<(), relata_store::StoreError> {
        let (language, time_zone) = self.tags();
        server.app.store.set_user_preferences(user, language, time_zone).await?;
        server.forget_all_credentials();
        Ok(())
    }

    pub(crate) fn tags(&self) -> (Option<&'static str>, Option<&'static str>) {
        (self.language.map(Language::tag), self.time_zone.map(|z| z.name()))
    }
}

/// A chosen value read by `parse`; empty or absent is none.
fn checked<T>(text: Option<&str>, parse: impl Fn(&str) -> Result<T, String>) -> Result<Option<T>, String> {
    text.map(str::trim).filter(|t| !t.is_empty()).map(parse).transpose()
}

/// What `GET /api/v1/me/preferences` answers.
fn preferences_json(principal: &relata_store::admin::Principal, locale: Locale) -> Json {
    let languages: Vec<Json> =
        Language::OFFERED.iter().map(|l| json!({"tag": l.tag(), "name": l.native_name()})).collect();
    json!({
        "language": principal.language,
        "time_zone": principal.time_zone,
        "effective": {"language": locale.language.tag(), "time_zone": locale.zone.name()},
        "workspace": {"language": principal.workspace.language, "time_zone": principal.workspace.time_zone},
        "languages": languages,
    })
}

/// `GET /api/v1/me/preferences`.
pub async fn get_preferences(auth: Auth, headers: HeaderMap) -> ApiResult<Response> {
    let principal = &auth.principal;
    let locale = crate::web::page_locale(principal, crate::web::accept_language(&headers));
    Ok(json(StatusCode::OK, &preferences_json(principal, locale)))
}

/// `PUT /api/v1/me/preferences`: `{language, time_zone}`, each a value or
/// null (the browser's language, the workspace's time zone).
pub async fn put_preferences(State(server): S, auth: Auth, headers: HeaderMap, body: Bytes) -> ApiResult<Response> {
    auth.require_write()?;
    let input = json_body(&headers, &body)?;
    let tr = crate::web::page_locale(&auth.principal, crate::web::accept_language(&headers)).tr();
    let choice = Choice::from_json(&input, tr).map_err(Problem::invalid)?;
    let (language, time_zone) = choice.tags();
    choice.save_for(&server, auth.principal.user).await.map_err(app_problem)?;
    let mut principal = auth.principal.clone();
    principal.language = language.map(str::to_string);
    principal.time_zone = time_zone.map(str::to_string);
    let locale = crate::web::page_locale(&principal, crate::web::accept_language(&headers));
    Ok(json(StatusCode::OK, &preferences_json(&principal, locale)))
}

/// `PUT /api/v1/workspace/locale` (administrators): the workspace's default
/// `{language, time_zone}` for members who chose none.
pub async fn put_workspace_locale(
    State(server): S,
    auth: Auth,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    auth.require_write()?;
    if !auth.ctx.access.is_admin() {
        return Err(Problem::forbidden("only administrators set the workspace's language and time zone"));
    }
    let input = json_body(&headers, &body)?;
    let tr = crate::web::page_locale(&auth.principal, crate::web::accept_language(&headers)).tr();
    let choice = Choice::from_json(&input, tr).map_err(Problem::invalid)?;
    let (language, time_zone) = choice.tags();
    server.app.store.set_workspace_locale(auth.ctx.ws(), language, time_zone).await.map_err(app_problem)?;
    server.forget_all_credentials();
    let answer = json!({"language": language, "time_zone": time_zone});
    let event = relata_app::audit::Event::new("workspace.locale").details(answer.clone());
    relata_app::audit::audit(&server.app, &auth.ctx, event).await?;
    Ok(json(StatusCode::OK, &answer))
}

fn app_problem(e: relata_store::StoreError) -> Problem {
    Problem::from(relata_app::AppError::from(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_are_checked_field_by_field() {
        let tr = relata_i18n::Tr::new(Language::En);
        let ok = Choice::parse(Some("pl-PL"), Some("Europe/Warsaw"), tr).unwrap();
        assert_eq!(ok.tags(), (Some("pl"), Some("Europe/Warsaw")));
        assert_eq!(Choice::parse(Some(""), None, tr).unwrap(), Choice::default());
        let bad = Choice::parse(Some("klingon"), Some("Europe/Atlantis"), tr).unwrap_err();
        let fields: Vec<&str> = bad.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["language", "time_zone"]);
        let polish = Choice::parse(Some("de"), None, relata_i18n::Tr::new(Language::Pl)).unwrap_err();
        assert!(polish.errors[0].message.starts_with("Relata nie ma wersji"), "{}", polish.errors[0].message);
        let wrong_type = Choice::from_json(&json!({"language": 5, "colour": "red"}), tr).unwrap_err();
        let fields: Vec<&str> = wrong_type.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["colour", "language"]);
    }
}
