//! Storage errors. Internal causes are logged by the HTTP edge, never sent.

use relata_core::ValidationError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// The record exists but its version is not the one the client expected.
    #[error("version conflict: the record is at version {current}")]
    VersionConflict { current: i64 },
    #[error("{0}")]
    Invalid(#[from] ValidationError),
    #[error(
        "the database schema is at version {database}, newer than this relata binary knows ({binary}); \
         upgrade relata before opening this database"
    )]
    SchemaTooNew { database: i64, binary: i64 },
    #[error("stored data is malformed: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
}

impl StoreError {
    /// True for unique-constraint violations, which callers turn into field errors.
    pub fn is_unique_violation(&self) -> bool {
        match self {
            StoreError::Db(sqlx::Error::Database(e)) => e.is_unique_violation(),
            _ => false,
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
