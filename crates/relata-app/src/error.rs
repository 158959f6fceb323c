//! Errors of the application services, mapped to HTTP problems at the edge.

use relata_core::ValidationError;
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
    /// The database is busy (a long import holds SQLite's write lock); retry.
    #[error("the database is busy: {0}")]
    Busy(StoreError),
    #[error("internal error: {0}")]
    Internal(StoreError),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::VersionConflict { current } => AppError::VersionConflict { current },
            StoreError::Invalid(v) => AppError::Invalid(v),
            other if other.is_busy() => AppError::Busy(other),
            other => AppError::Internal(other),
        }
    }
}
