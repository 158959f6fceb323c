//! Field-level validation errors, turned into RFC 9457 problem details at the
//! HTTP edge and into per-row reports by the CSV importer.

use serde::Serialize;
use std::fmt;

/// One problem with one field of the input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field id as the client wrote it (`custom.tier` for custom fields).
    pub field: String,
    /// A stable machine-readable code, e.g. `required`, `invalid_email`.
    pub code: &'static str,
    /// A sentence for people.
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Self { field: field.into(), code, message: message.into() }
    }
}

/// All the problems found in one input; never empty.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ValidationError {
    pub errors: Vec<FieldError>,
}

impl ValidationError {
    pub fn single(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Self { errors: vec![FieldError::new(field, code, message)] }
    }

    /// `Ok(())` when nothing was collected, the collected errors otherwise.
    pub fn check(errors: Vec<FieldError>) -> Result<(), ValidationError> {
        if errors.is_empty() { Ok(()) } else { Err(ValidationError { errors }) }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
        f.write_str(&parts.join("; "))
    }
}

impl std::error::Error for ValidationError {}
