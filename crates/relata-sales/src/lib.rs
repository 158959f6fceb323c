//! Sales: pipelines and their stages, opportunities moving through them (with
//! every stage change recorded), and lead conversion.
//!
//! These are the typed rules the generic write path (`relata-app`) calls for
//! the sales entity types; this crate knows nothing of HTTP.

pub mod lead;
pub mod opportunity;
pub mod pipeline;

use relata_core::ValidationError;
use relata_store::StoreError;

/// Shorthand for a single field error as a store error.
pub(crate) fn invalid(field: &str, code: &'static str, message: impl Into<String>) -> StoreError {
    StoreError::Invalid(ValidationError::single(field, code, message))
}
