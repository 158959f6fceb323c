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
    /// Relata used the store in a way it must not (a bug, not bad input).
    #[error("internal error: {0}")]
    Misuse(&'static str),
    /// A failure several writes share: the commit of a group of writes
    /// (see [`crate::group`]) failed, and each of them answers it.
    #[error("{0}")]
    Shared(std::sync::Arc<StoreError>),
}

impl StoreError {
    /// True when the database is momentarily too busy (another writer holds
    /// the lock, or no connection came free in time): worth a retry.
    pub fn is_busy(&self) -> bool {
        match self {
            StoreError::Shared(e) => e.is_busy(),
            StoreError::Db(sqlx::Error::PoolTimedOut) => true,
            // SQLITE_BUSY and SQLITE_LOCKED, with their extended codes.
            StoreError::Db(sqlx::Error::Database(e)) => {
                e.code().and_then(|c| c.parse::<i32>().ok()).is_some_and(|c| matches!(c & 0xff, 5 | 6))
            }
            _ => false,
        }
    }

    /// True when the database cannot take writes now (its disk or its size
    /// limit is full, or it is read-only) but can still answer reads.
    pub fn is_out_of_space(&self) -> bool {
        match self {
            StoreError::Shared(e) => e.is_out_of_space(),
            StoreError::Db(sqlx::Error::Database(e)) => match e.code() {
                // SQLITE_FULL and SQLITE_READONLY, with their extended codes.
                Some(code) => {
                    code.parse::<i32>().is_ok_and(|c| matches!(c & 0xff, 13 | 8))
                    // PostgreSQL: disk full, out of memory or files, read-only transaction.
                    || matches!(code.as_ref(), "53100" | "53200" | "53000" | "25006")
                }
                None => false,
            },
            _ => false,
        }
    }

    /// True for unique-constraint violations, which callers turn into field errors.
    pub fn is_unique_violation(&self) -> bool {
        match self {
            StoreError::Shared(e) => e.is_unique_violation(),
            StoreError::Db(sqlx::Error::Database(e)) => e.is_unique_violation(),
            _ => false,
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pool_timeout_is_busy_and_other_errors_are_not() {
        assert!(StoreError::Db(sqlx::Error::PoolTimedOut).is_busy());
        assert!(!StoreError::Db(sqlx::Error::RowNotFound).is_busy());
        assert!(!StoreError::NotFound.is_busy());
    }
}
