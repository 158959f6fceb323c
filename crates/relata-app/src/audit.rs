//! Writing and reading the audit log: sign-ins, permission and role
//! changes, tokens, exports, deletions and refused requests.

use crate::error::AppError;
use crate::{App, Ctx};
use relata_store::ScopedConn;
use relata_store::audit::{AuditEntry, AuditQuery, AuditRow};
use serde_json::{Value as Json, json};

/// An event to record, built fluently: `Event::new("token.create").target("token", id)`.
#[derive(Clone, Debug)]
pub struct Event {
    pub action: String,
    pub outcome: &'static str,
    pub target: Option<(String, String)>,
    pub details: Json,
}

impl Event {
    pub fn new(action: &str) -> Event {
        Event { action: action.to_string(), outcome: "success", target: None, details: json!({}) }
    }

    pub fn failed(mut self) -> Event {
        self.outcome = "failure";
        self
    }

    pub fn denied(mut self) -> Event {
        self.outcome = "denied";
        self
    }

    pub fn target(mut self, kind: &str, id: impl ToString) -> Event {
        self.target = Some((kind.to_string(), id.to_string()));
        self
    }

    pub fn details(mut self, details: Json) -> Event {
        self.details = details;
        self
    }

    fn entry(self, ctx: &Ctx) -> AuditEntry {
        let (target_type, target_id) = self.target.map_or((None, None), |(k, i)| (Some(k), Some(i)));
        AuditEntry {
            workspace: Some(ctx.ws()),
            actor: ctx.actor,
            action: self.action,
            outcome: self.outcome,
            target_type,
            target_id,
            address: ctx.address.clone(),
            details: self.details,
        }
    }
}

/// Records an event in its own transaction (refusals, sign-ins, exports).
pub async fn audit(app: &App, ctx: &Ctx, event: Event) -> Result<(), AppError> {
    app.store.append_audit(vec![event.entry(ctx)]).await?;
    Ok(())
}

/// Records an event inside the transaction that makes the change.
pub async fn audit_in(tx: &mut ScopedConn, ctx: &Ctx, event: Event) -> Result<(), AppError> {
    tx.append_audit(event.entry(ctx)).await?;
    Ok(())
}

/// A page of the workspace's audit log, newest first (administrators only).
pub async fn page(app: &App, ctx: &Ctx, query: &AuditQuery) -> Result<Vec<AuditRow>, AppError> {
    ctx.access.require_admin()?;
    let mut conn = app.store.read(ctx.ws()).await?;
    Ok(conn.audit_page(query).await?)
}

/// Applies an audit retention of `days`: deletes the entries older than
/// that, and records the purge itself (outside any workspace, for server
/// administrators). Returns how many entries went.
pub async fn apply_retention(app: &App, days: u32) -> Result<u64, AppError> {
    let before = app.store.now() - chrono::TimeDelta::days(i64::from(days));
    let deleted = app.store.purge_audit(before).await?;
    if deleted > 0 {
        app.store
            .append_audit(vec![AuditEntry {
                workspace: None,
                actor: None,
                action: "audit.purge".into(),
                outcome: "success",
                target_type: None,
                target_id: None,
                address: None,
                details: json!({"deleted": deleted, "retention_days": days,
                    "before": relata_core::value::format_datetime(&before)}),
            }])
            .await?;
    }
    Ok(deleted)
}
