//! The one error type at the HTTP edge: RFC 9457 `application/problem+json`.
//!
//! Every failure a client can cause becomes a [`Problem`] with a stable `type`
//! (a relative URI naming the kind of problem), the HTTP status, a sentence
//! for people and, for bad input, one entry per offending field. Internal
//! causes are logged and never sent.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use relata_app::AppError;
use relata_core::{FieldError, ValidationError};
use serde::Serialize;
use serde_json::{Value as Json, json};

/// One problem detail document (boxed: it travels in every handler's `Err`).
#[derive(Debug)]
pub struct Problem(Box<Details>);

#[derive(Debug)]
pub struct Details {
    pub status: StatusCode,
    /// The last segment of the problem type: `validation`, `not-found`, …
    pub kind: &'static str,
    pub title: &'static str,
    pub detail: String,
    pub errors: Vec<ProblemField>,
    /// Extra members (e.g. `current_version` on a conflict).
    pub extra: Vec<(&'static str, Json)>,
    /// Sent as `WWW-Authenticate` (401 only).
    pub authenticate: Option<&'static str>,
    /// Seconds, sent as `Retry-After` (429 and 503).
    pub retry_after: Option<u32>,
    /// A refused request (401, 403, or a record hidden from who asks): the
    /// edge records it in the audit log.
    pub refusal: bool,
}

/// Marks a response as a refusal for the audit log; carries the reason.
#[derive(Clone, Debug)]
pub struct Refused(pub String);

/// One field-level entry of `errors`.
#[derive(Debug, Serialize)]
pub struct ProblemField {
    pub field: String,
    pub code: String,
    pub message: String,
    /// 1-based column, for filter errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
}

impl From<FieldError> for ProblemField {
    fn from(e: FieldError) -> Self {
        ProblemField { field: e.field, code: e.code.to_string(), message: e.message, column: None }
    }
}

impl Problem {
    pub fn new(status: StatusCode, kind: &'static str, title: &'static str, detail: impl Into<String>) -> Problem {
        Problem(Box::new(Details {
            status,
            kind,
            title,
            detail: detail.into(),
            errors: Vec::new(),
            extra: Vec::new(),
            authenticate: None,
            retry_after: None,
            refusal: matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN),
        }))
    }

    /// Not recorded as a refusal (the caller audits the event itself).
    pub fn quiet(mut self) -> Problem {
        self.0.refusal = false;
        self
    }

    pub fn details(&self) -> &Details {
        &self.0
    }

    pub fn with_errors(mut self, errors: Vec<ProblemField>) -> Problem {
        self.0.errors = errors;
        self
    }

    pub fn with(mut self, key: &'static str, value: Json) -> Problem {
        self.0.extra.push((key, value));
        self
    }

    pub fn not_found(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::NOT_FOUND, "not-found", "Not found", detail)
    }

    pub fn bad_request(parameter: &str, code: &str, message: impl Into<String>) -> Problem {
        let message = message.into();
        Problem::new(StatusCode::BAD_REQUEST, "bad-request", "Bad request", format!("{parameter}: {message}"))
            .with_errors(vec![ProblemField {
                field: parameter.to_string(),
                code: code.to_string(),
                message,
                column: None,
            }])
    }

    pub fn invalid(v: ValidationError) -> Problem {
        let detail = if v.errors.len() == 1 {
            format!("{} is not valid: {}", field_name(&v.errors[0].field), v.errors[0].message)
        } else {
            format!("{} fields are not valid", v.errors.len())
        };
        Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "validation", "Invalid input", detail)
            .with_errors(v.errors.into_iter().map(ProblemField::from).collect())
    }

    pub fn unauthorized(detail: impl Into<String>) -> Problem {
        let mut p = Problem::new(StatusCode::UNAUTHORIZED, "unauthorized", "Authentication required", detail);
        p.0.authenticate = Some("Bearer realm=\"relata\"");
        p
    }

    /// The audit log's mark, for a refusal.
    pub fn refused(&self) -> Option<Refused> {
        self.0.refusal.then(|| Refused(self.0.detail.clone()))
    }

    pub fn forbidden(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::FORBIDDEN, "forbidden", "Not allowed", detail)
    }

    pub fn internal() -> Problem {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
            "the server failed to answer; the cause is in its log",
        )
    }

    pub fn body(&self) -> Json {
        let p = &self.0;
        let mut body = json!({
            "type": format!("/problems/{}", p.kind),
            "title": p.title,
            "status": p.status.as_u16(),
            "detail": p.detail,
        });
        if !p.errors.is_empty() {
            body["errors"] = json!(p.errors);
        }
        for (k, v) in &p.extra {
            body[*k] = v.clone();
        }
        body
    }
}

fn field_name(field: &str) -> &str {
    if field.is_empty() { "the body" } else { field }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let mut response = (self.0.status, self.body().to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if let Some(seconds) = self.0.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if let Some(challenge) = self.0.authenticate {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
        }
        if let Some(refused) = self.refused() {
            response.extensions_mut().insert(refused);
        }
        response
    }
}

impl From<AppError> for Problem {
    fn from(e: AppError) -> Problem {
        match e {
            AppError::NotFound => Problem::not_found("no such record in this workspace"),
            AppError::Hidden { kind, .. } => {
                let mut p = Problem::not_found(format!("no {} with this id in this workspace", kind.singular()));
                p.0.refusal = true;
                p
            }
            AppError::Forbidden(reason) => Problem::forbidden(reason.english),
            AppError::Denied(denied) => Problem::forbidden(denied.to_string()),
            AppError::Unauthorized(code, message) => {
                Problem::unauthorized(message.clone()).with_errors(vec![ProblemField {
                    field: String::new(),
                    code: code.to_string(),
                    message,
                    column: None,
                }])
            }
            AppError::Locked(until) => {
                let seconds = (until - chrono::Utc::now()).num_seconds().clamp(1, 24 * 3600) as u32;
                let mut p = Problem::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "locked",
                    "Too many failed sign-ins",
                    format!("too many failed sign-ins; try again in {seconds} seconds"),
                )
                .with("retry_after_seconds", json!(seconds));
                p.0.retry_after = Some(seconds);
                p
            }
            AppError::Conflict(reason) => Problem::new(StatusCode::CONFLICT, "conflict", "Conflict", reason.english),
            AppError::VersionConflict { current } => Problem::new(
                StatusCode::PRECONDITION_FAILED,
                "version-conflict",
                "The record was changed",
                format!(
                    "the record was changed by someone else and is now at version {current}; \
                     reload it and apply your change again"
                ),
            )
            .with("current_version", json!(current)),
            AppError::Invalid(v) => Problem::invalid(v),
            AppError::Filter(f) => Problem::new(
                StatusCode::BAD_REQUEST,
                "invalid-filter",
                "The filter is not valid",
                format!("filter {f}"),
            )
            .with_errors(vec![ProblemField {
                field: "filter".into(),
                code: "invalid_filter".into(),
                message: f.message.clone(),
                column: Some(f.column),
            }]),
            AppError::BadParameter(param, message) => Problem::bad_request(param, "invalid_parameter", message),
            AppError::IdempotencyMismatch => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency-key-reused",
                "Idempotency-Key reused",
                "this Idempotency-Key was already used with a different request; use a new key",
            ),
            AppError::Busy(cause) => {
                tracing::warn!(error = %cause, "database busy");
                let mut p = Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "busy",
                    "Busy",
                    "the database is busy with other work (such as a large import); try again in a few seconds",
                );
                p.0.retry_after = Some(5);
                p
            }
            AppError::OutOfSpace(cause) => {
                tracing::error!(error = %cause, "the database takes no writes");
                let mut p = Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "storage-unavailable",
                    "Storage unavailable",
                    "the database cannot take changes now (its storage is full or read-only); nothing was changed, \
                     and reading goes on. Try again once space is freed",
                );
                p.0.retry_after = Some(60);
                p
            }
            AppError::Internal(cause) => {
                tracing::error!(error = %cause, "request failed");
                Problem::internal()
            }
            AppError::System(cause) => {
                tracing::error!(error = %cause, "request failed");
                Problem::internal()
            }
        }
    }
}

pub type ApiResult<T> = Result<T, Problem>;
