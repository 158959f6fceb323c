//! Relata's domain core: the types every other crate speaks, with no I/O.
//!
//! - [`email`], [`phone`], [`money`]: newtypes constructed only through checks
//!   ("parse, don't validate").
//! - [`meta`]: the metadata registry. Every entity type and its fields are
//!   described once; CRUD, filters, sorting, import/export, change diffs and the
//!   OpenAPI document are generic over that description.
//! - [`value`]: typed field values and their parsing from API/CSV input.
//! - [`filter`]: the filter language shared by the API and (later) saved views.
//! - [`list`]: sorting and cursors for keyset pagination.
//! - [`error`]: field-level validation errors.
//! - [`text`]: word folding shared by search indexing and search queries.

pub mod access;
pub mod decimal;
pub mod document;
pub mod email;
pub mod error;
pub mod filter;
pub mod ids;
pub mod input;
pub mod list;
pub mod meta;
pub mod money;
pub mod phone;
pub mod record;
pub mod text;
pub mod value;
pub mod xml;

pub use error::{FieldError, ValidationError};
pub use ids::{RecordId, UserId, WorkspaceId};
pub use record::Record;
