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
    /// A sentence for people (the API's, in English).
    pub message: String,
    /// The catalogue message that says the same in people's own languages,
    /// where the refusal has one of its own (a domain rule's): pages show
    /// it instead of `message`.
    #[serde(skip)]
    pub said: Option<Said>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Self { field: field.into(), code, message: message.into(), said: None }
    }
}

/// A catalogue message by id, with its arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Said {
    pub id: &'static str,
    pub args: Vec<(&'static str, Arg)>,
}

/// An argument of a catalogue message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arg {
    Text(String),
    /// A number, which also chooses a plural form.
    Number(i64),
    /// A catalogue message of its own (a choice option's label, as
    /// `option-invoices-status-paid`), or `fallback` where none has it.
    Label {
        id: String,
        fallback: String,
    },
}

impl From<&str> for Arg {
    fn from(text: &str) -> Arg {
        Arg::Text(text.to_string())
    }
}

impl From<String> for Arg {
    fn from(text: String) -> Arg {
        Arg::Text(text)
    }
}

impl From<i64> for Arg {
    fn from(n: i64) -> Arg {
        Arg::Number(n)
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
