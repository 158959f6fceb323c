//! Relata's storage: SQLite (default) and PostgreSQL behind one API.
//!
//! Architecture invariants:
//! - No SQL outside this crate. Dynamic SQL is built with sea-query; the only
//!   hand-written SQL is the migrations and a few dialect fragments (full-text
//!   match, JSON paths) with bound values.
//! - Every query that touches workspace data goes through a [`ScopedConn`],
//!   which carries the workspace and adds it to every statement: callers cannot
//!   forget it.
//! - Every record mutation writes its change-log entry through the same
//!   [`ScopedConn`] transaction (see `relata-app`, the one write path).
//! - Dialect differences stay in [`db`] (connections, row decoding) and [`sql`]
//!   (expressions); the rest is backend-neutral.

pub mod admin;
pub mod audit;
pub mod backup;
pub mod changes;
pub mod check;
pub mod clock;
pub mod custom_fields;
pub mod custom_objects;
pub mod dav;
pub mod db;
mod diff_codec;
pub mod documents;
pub mod error;
pub mod feed;
pub mod files;
pub mod group;
pub mod idempotency;
pub mod identity;
pub mod introspect;
pub mod jobs;
pub mod migrate;
pub mod notifications;
pub mod records;
pub mod search;
pub mod settings;
pub mod sql;
pub mod stages;
pub mod sync;
pub mod together;
mod wal;
pub mod webhooks;

pub use db::{Backend, DbTarget, Savepoint, ScopedConn, Store};
pub use error::StoreError;
