//! Errors of the application services, mapped to HTTP problems at the edge.

use relata_core::ValidationError;
use relata_core::error::{Arg, Said};
use relata_core::filter::FilterError;
use relata_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("the record was changed: it is now at version {current}")]
    VersionConflict { current: i64 },
    #[error("{0}")]
    Invalid(#[from] ValidationError),
    #[error("filter {0}")]
    Filter(#[from] FilterError),
    /// A query parameter is wrong: (parameter, message).
    #[error("{0}: {1}")]
    BadParameter(&'static str, String),
    #[error("this Idempotency-Key was used with a different request")]
    IdempotencyMismatch,
    /// The record exists but who asks may not see it: answered as not
    /// found (its existence is not revealed) and recorded as a refusal.
    #[error("not found")]
    Hidden { kind: relata_core::meta::EntityKind, id: relata_core::RecordId },
    /// Who acts may not do this, for a reason a module says (only people
    /// have home pages; a role that sees no amounts gets no forecast).
    #[error("{0}")]
    Forbidden(Reason),
    /// The rights of who acts refuse it: a forbidden answer too, which
    /// pages say in the reader's language from its parts.
    #[error("{0}")]
    Denied(relata_core::access::Denied),
    /// The credentials are missing, wrong, expired or revoked: (code, message).
    #[error("{1}")]
    Unauthorized(&'static str, String),
    /// Too many failed sign-ins: retry after this time.
    #[error("too many failed sign-ins; try again after {0}")]
    Locked(chrono::DateTime<chrono::Utc>),
    /// The request conflicts with the current state (e.g. removing the last admin).
    #[error("{0}")]
    Conflict(Reason),
    /// What Relata stands on failed (no randomness, hashing failed):
    /// nothing the caller did, so an internal error, logged.
    #[error("internal error: {0}")]
    System(String),
    /// The database is busy (a long import holds SQLite's write lock); retry.
    #[error("the database is busy: {0}")]
    Busy(StoreError),
    /// The database takes no writes now (its disk or size limit is full, or
    /// it is read-only); reads go on.
    #[error("the database takes no writes now: {0}")]
    OutOfSpace(StoreError),
    #[error("internal error: {0}")]
    Internal(StoreError),
}

impl AppError {
    /// A conflict with the current state, said by the message `id` of
    /// `refusals.ftl`.
    pub fn conflict(id: &'static str, args: Vec<(&'static str, Arg)>) -> Self {
        AppError::Conflict(Reason::new(id, args))
    }

    /// A refusal of who acts, said by the message `id` of `refusals.ftl`.
    pub fn forbidden(id: &'static str, args: Vec<(&'static str, Arg)>) -> Self {
        AppError::Forbidden(Reason::new(id, args))
    }
}

/// Why an action is refused, written once in the catalogue: pages say it
/// in the reader's language, the API in English. Only made from a message
/// id, so no refusal reaches a page in English by someone forgetting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reason {
    pub said: Said,
    /// The English catalogue's text, for the API and the logs.
    pub english: String,
}

impl Reason {
    pub fn new(id: &'static str, args: Vec<(&'static str, Arg)>) -> Self {
        let english = relata_i18n::Tr::new(relata_i18n::Language::En).t_with(id, &args);
        Reason { said: Said { id, args }, english }
    }

    /// The reason as a refusal of one field, for answers that list them.
    pub fn refusal_of(self, field: impl Into<String>, code: &'static str) -> relata_core::FieldError {
        relata_core::FieldError { said: Some(self.said), ..relata_core::FieldError::new(field, code, self.english) }
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.english)
    }
}

impl From<relata_core::access::Denied> for AppError {
    fn from(d: relata_core::access::Denied) -> Self {
        AppError::Denied(d)
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::VersionConflict { current } => AppError::VersionConflict { current },
            StoreError::Invalid(v) => AppError::Invalid(v),
            other if other.is_busy() => AppError::Busy(other),
            other if other.is_out_of_space() => AppError::OutOfSpace(other),
            other => AppError::Internal(other),
        }
    }
}

/// An application error met inside a module's hook, as the store error
/// hooks return (so that it reaches the caller unchanged: a validation
/// error stays one).
pub fn into_store(e: AppError) -> StoreError {
    match e {
        AppError::Invalid(v) => StoreError::Invalid(v),
        AppError::NotFound | AppError::Hidden { .. } => StoreError::NotFound,
        AppError::VersionConflict { current } => StoreError::VersionConflict { current },
        AppError::Busy(s) | AppError::OutOfSpace(s) | AppError::Internal(s) => s,
        other => StoreError::Corrupt(other.to_string()),
    }
}
