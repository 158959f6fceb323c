//! The audit log (sign-ins, permission and role changes, tokens, exports,
//! deletions, refusals) and the GDPR consent ledger. Both are append-only:
//! triggers refuse UPDATE and DELETE, except that audit entries older than
//! the retention cutoff may be deleted ([`Store::purge_audit`]).

use crate::db::{Row, ScopedConn, Store};
use crate::error::{Result, StoreError};
use crate::sql::{id_text, in_workspace, uuid, uuid_opt};
use chrono::{DateTime, Utc};
use relata_core::{UserId, WorkspaceId};
use sea_query::{Expr, ExprTrait, LikeExpr, Order, Query, Value};
use serde_json::Value as Json;

/// One audit entry to append.
#[derive(Clone, Debug)]
pub struct AuditEntry {
    /// `None` for events outside any workspace (an unknown email signing in).
    pub workspace: Option<WorkspaceId>,
    pub actor: Option<UserId>,
    /// Dotted name: `sign_in`, `token.create`, `role.change`, `export`, …
    pub action: String,
    /// `success`, `failure` or `denied`.
    pub outcome: &'static str,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub address: Option<String>,
    pub details: Json,
}

/// One stored audit entry.
#[derive(Clone, Debug, serde::Serialize)]
pub struct AuditRow {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: Option<String>,
    pub action: String,
    pub outcome: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub address: Option<String>,
    pub details: Json,
}

/// Which entries a page of the audit log holds (newest first).
#[derive(Clone, Debug, Default)]
pub struct AuditQuery {
    /// An action, or a prefix ending in `.` (`token.`).
    pub action: Option<String>,
    pub actor: Option<UserId>,
    pub outcome: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Entries with a smaller sequence number only (the cursor).
    pub before_seq: Option<i64>,
    pub limit: u64,
}

const AUDIT_COLUMNS: [&str; 10] =
    ["workspace_id", "at", "actor_id", "action", "outcome", "target_type", "target_id", "address", "details", "seq"];

fn audit_values(e: AuditEntry, at: DateTime<Utc>) -> Vec<Value> {
    vec![
        uuid_opt(e.workspace.map(|w| w.uuid())),
        Value::ChronoDateTimeUtc(Some(at)),
        uuid_opt(e.actor.map(|a| a.uuid())),
        Value::String(Some(e.action)),
        Value::String(Some(e.outcome.to_string())),
        Value::String(e.target_type),
        Value::String(e.target_id),
        Value::String(e.address),
        Value::Json(Some(Box::new(e.details))),
    ]
}

fn decode_audit(r: &Row) -> Result<AuditRow> {
    Ok(AuditRow {
        seq: r.int("seq")?.unwrap_or(0),
        at: r.datetime("at")?.ok_or_else(|| StoreError::Corrupt("audit entry without time".into()))?,
        actor: r.id_text("actor_id")?,
        action: r.text("action")?.unwrap_or_default(),
        outcome: r.text("outcome")?.unwrap_or_default(),
        target_type: r.text("target_type")?,
        target_id: r.text("target_id")?,
        address: r.text("address")?,
        details: r.json("details")?.unwrap_or(Json::Null),
    })
}

impl Store {
    /// Retention: deletes the audit entries older than `before`, in batches,
    /// after moving the cutoff the log's triggers check forward (never back:
    /// entries newer than a cutoff once set stay undeletable). Returns how
    /// many were deleted.
    pub async fn purge_audit(&self, before: DateTime<Utc>) -> Result<u64> {
        let mut conn = self.begin().await?;
        let forward = Query::update()
            .table("audit_retention")
            .value("cutoff", Value::ChronoDateTimeUtc(Some(before)))
            .and_where(Expr::col("id").eq(1))
            .and_where(Expr::col("cutoff").lt(Value::ChronoDateTimeUtc(Some(before))))
            .to_owned();
        conn.execute(&forward).await?;
        conn.commit().await?;
        let mut deleted = 0;
        loop {
            let batch = Query::select()
                .column("seq")
                .from("audit_log")
                .and_where(Expr::col("at").lt(Value::ChronoDateTimeUtc(Some(before))))
                .limit(5_000)
                .to_owned();
            let purge =
                Query::delete().from_table("audit_log").and_where(Expr::col("seq").in_subquery(batch)).to_owned();
            let mut conn = self.begin().await?;
            let n = conn.execute(&purge).await?;
            conn.commit().await?;
            deleted += n;
            if n == 0 {
                return Ok(deleted);
            }
        }
    }

    /// Appends entries in their own transaction, so that refusals are kept
    /// even though the request they record changes nothing.
    pub async fn append_audit(&self, entries: Vec<AuditEntry>) -> Result<()> {
        let mut conn = self.begin().await?;
        let rows = entries.into_iter().map(|e| audit_values(e, self.now())).collect();
        conn.insert_rows("audit_log", &AUDIT_COLUMNS[..9], rows).await?;
        conn.commit().await
    }

    /// Entries outside any workspace (server administrators).
    pub async fn server_audit_page(&self, query: &AuditQuery) -> Result<Vec<AuditRow>> {
        let mut q = audit_select(query);
        q.and_where(Expr::col("workspace_id").is_null());
        let mut conn = self.acquire().await?;
        conn.fetch_all(&q).await?.iter().map(decode_audit).collect()
    }
}

fn audit_select(query: &AuditQuery) -> sea_query::SelectStatement {
    let mut q = Query::select();
    q.columns(AUDIT_COLUMNS).from("audit_log");
    if let Some(action) = &query.action {
        if action.ends_with('.') {
            q.and_where(Expr::col("action").like(LikeExpr::new(format!("{}%", action.replace('%', "")))));
        } else {
            q.and_where(Expr::col("action").eq(action.clone()));
        }
    }
    if let Some(actor) = query.actor {
        q.and_where(Expr::col("actor_id").eq(uuid(actor.uuid())));
    }
    if let Some(outcome) = &query.outcome {
        q.and_where(Expr::col("outcome").eq(outcome.clone()));
    }
    if let Some(since) = query.since {
        q.and_where(Expr::col("at").gte(Value::ChronoDateTimeUtc(Some(since))));
    }
    if let Some(until) = query.until {
        q.and_where(Expr::col("at").lt(Value::ChronoDateTimeUtc(Some(until))));
    }
    if let Some(before) = query.before_seq {
        q.and_where(Expr::col("seq").lt(before));
    }
    q.order_by("seq", Order::Desc).limit(query.limit);
    q
}

/// One entry of the consent ledger.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ConsentRow {
    pub id: String,
    pub contact: String,
    pub channel: String,
    /// `given` or `withdrawn`.
    pub status: String,
    pub source: String,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
    pub actor: Option<String>,
}

impl ScopedConn {
    /// Appends an audit entry inside this transaction (with the change it records).
    pub async fn append_audit(&mut self, mut entry: AuditEntry) -> Result<()> {
        entry.workspace = Some(self.workspace);
        self.conn.insert_rows("audit_log", &AUDIT_COLUMNS[..9], vec![audit_values(entry, self.now())]).await
    }

    /// A page of this workspace's audit log, newest first.
    pub async fn audit_page(&mut self, query: &AuditQuery) -> Result<Vec<AuditRow>> {
        let mut q = audit_select(query);
        q.and_where(in_workspace(self.workspace));
        self.conn.fetch_all(&q).await?.iter().map(decode_audit).collect()
    }

    /// Records consent given or withdrawn.
    pub async fn append_consent(&mut self, row: &ConsentRow) -> Result<()> {
        let values = vec![
            id_text(&row.id),
            uuid(self.workspace.uuid()),
            id_text(&row.contact),
            Value::String(Some(row.channel.clone())),
            Value::String(Some(row.status.clone())),
            Value::String(Some(row.source.clone())),
            Value::String(row.note.clone()),
            Value::ChronoDateTimeUtc(Some(row.at)),
            row.actor.as_deref().map_or(uuid_opt(None), id_text),
        ];
        let columns = ["id", "workspace_id", "contact_id", "channel", "status", "source", "note", "at", "actor_id"];
        self.conn.insert_rows("consents", &columns, vec![values]).await
    }

    /// A contact's consent history, oldest first.
    pub async fn consents_of(&mut self, contact: &str) -> Result<Vec<ConsentRow>> {
        let q = Query::select()
            .columns(["id", "contact_id", "channel", "status", "source", "note", "at", "actor_id"])
            .from("consents")
            .and_where(in_workspace(self.workspace))
            .and_where(Expr::col("contact_id").eq(id_text(contact)))
            .order_by("at", Order::Asc)
            .order_by("id", Order::Asc)
            .to_owned();
        self.conn
            .fetch_all(&q)
            .await?
            .iter()
            .map(|r| {
                Ok(ConsentRow {
                    id: r.id_text("id")?.unwrap_or_default(),
                    contact: r.id_text("contact_id")?.unwrap_or_default(),
                    channel: r.text("channel")?.unwrap_or_default(),
                    status: r.text("status")?.unwrap_or_default(),
                    source: r.text("source")?.unwrap_or_default(),
                    note: r.text("note")?,
                    at: r.datetime("at")?.ok_or_else(|| StoreError::Corrupt("consent without time".into()))?,
                    actor: r.id_text("actor_id")?,
                })
            })
            .collect()
    }
}
