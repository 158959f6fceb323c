//! The append-only change log: one entry per create, update, delete and
//! restore, written in the same transaction as the record, and entries for
//! changes of the metadata and for redactions. It is the spine that history,
//! audit, the change feed (see [`crate::feed`]), sync, webhooks and
//! automation read.

use crate::db::ScopedConn;
use crate::error::{Result, StoreError};
use crate::sql::{in_workspace, uuid, uuid_opt};
use chrono::{DateTime, Utc};
use relata_core::meta::EntityKind;
use relata_core::{RecordId, UserId};
use sea_query::{Expr, ExprTrait, Order, Query, Value};
use serde::Serialize;
use serde_json::Value as Json;

/// The columns of a change entry as written, in the order the feed reads them.
pub(crate) const CHANGE_COLUMNS: [&str; 11] = [
    "workspace_id",
    "entity",
    "record_id",
    "op",
    "actor_id",
    "at",
    "diff",
    "tx_id",
    "version",
    "owner_before",
    "owner_after",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeOp {
    Create,
    Update,
    Delete,
    Restore,
    /// A person was erased: copies of what earlier entries said about the
    /// record should be erased too (the entries themselves were redacted).
    Redact,
}

impl ChangeOp {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeOp::Create => "create",
            ChangeOp::Update => "update",
            ChangeOp::Delete => "delete",
            ChangeOp::Restore => "restore",
            ChangeOp::Redact => "redact",
        }
    }
}

/// The `entity` of change entries about the metadata (custom fields, custom
/// objects): their `record_id` is the definition's id.
pub const METADATA: &str = "metadata";

/// One entry to append.
pub struct NewChange {
    /// The entity type's singular (`contact`), or [`METADATA`].
    pub entity: &'static str,
    pub id: RecordId,
    pub op: ChangeOp,
    pub actor: Option<UserId>,
    pub at: DateTime<Utc>,
    /// `{"field": {"before": …, "after": …}}`.
    pub diff: Json,
    /// The record's version after the change.
    pub version: i64,
    /// Who owned the record before and after: a reader that may see only
    /// some owners' records learns from these when a record leaves its reach.
    pub owner_before: Option<UserId>,
    pub owner_after: Option<UserId>,
}

/// One entry as stored.
#[derive(Clone, Debug, Serialize)]
pub struct Change {
    pub seq: i64,
    /// The record's version this change made (unknown for entries written
    /// before versions were logged).
    pub version: Option<i64>,
    pub entity: String,
    pub record_id: String,
    pub op: String,
    pub actor: Option<String>,
    pub at: DateTime<Utc>,
    pub diff: Json,
}

impl ScopedConn {
    /// Appends entries; create entries hold [`relata_core::record::creation_diff`].
    pub async fn append_changes(&mut self, changes: Vec<NewChange>) -> Result<()> {
        if changes.is_empty() {
            return Ok(());
        }
        self.wrote_changes = true;
        let ws = uuid(self.workspace.uuid());
        let tx = uuid(self.tx_id());
        let mut rows: Vec<Vec<Value>> = Vec::with_capacity(changes.len());
        // Runs of entries of one type share a dictionary (if the type has one).
        for run in changes.chunk_by(|a, b| a.entity == b.entity) {
            let dictionary = self.packing_dictionary(run[0].entity, run.len()).await?;
            let mut packer = dictionary.as_deref().map(crate::diff_codec::Dictionary::packer).transpose()?;
            for c in run {
                rows.push(vec![
                    ws.clone(),
                    Value::String(Some(c.entity.to_string())),
                    uuid(c.id.uuid()),
                    Value::String(Some(c.op.as_str().to_string())),
                    uuid_opt(c.actor.map(|a| a.uuid())),
                    Value::ChronoDateTimeUtc(Some(c.at)),
                    crate::diff_codec::stored_diff(packer.as_mut(), diff_to_store(c))?,
                    tx.clone(),
                    Value::BigInt(Some(c.version)),
                    uuid_opt(c.owner_before.map(|u| u.uuid())),
                    uuid_opt(c.owner_after.map(|u| u.uuid())),
                ]);
            }
        }
        // Deferred: nothing in the transaction reads its own entries back.
        self.conn.defer_rows("changes", &CHANGE_COLUMNS, rows).await
    }

    /// A record's changes in order, after sequence number `after`.
    pub async fn history(&mut self, kind: EntityKind, id: RecordId, after: i64, limit: u64) -> Result<Vec<Change>> {
        let q = Query::select()
            .columns([
                "seq",
                "version",
                "entity",
                "record_id",
                "op",
                "actor_id",
                "at",
                "diff",
                "owner_before",
                "owner_after",
            ])
            .from("changes")
            .and_where(in_workspace(self.workspace))
            .and_where(Expr::col("record_id").eq(uuid(id.uuid())))
            .and_where(Expr::col("entity").eq(kind.singular()))
            .and_where(Expr::col("seq").gt(after))
            .order_by("seq", Order::Asc)
            .limit(limit)
            .to_owned();
        let rows = self.conn.fetch_all(&q).await?;
        let mut changes = Vec::with_capacity(rows.len());
        for r in &rows {
            let op = r.text("op")?.unwrap_or_default();
            let stored = self.unpack_diff(r).await?;
            changes.push(Change {
                seq: r.int("seq")?.unwrap_or_default(),
                version: r.int("version")?,
                entity: r.text("entity")?.unwrap_or_default(),
                record_id: r.id_text("record_id")?.unwrap_or_default(),
                actor: r.id_text("actor_id")?,
                at: r.datetime("at")?.ok_or_else(|| StoreError::Corrupt("change without time".into()))?,
                diff: diff_as_read(&op, kind.singular(), stored, r.uuid("owner_before")?, r.uuid("owner_after")?),
                op,
            });
        }
        Ok(changes)
    }

    /// Replaces the values of a record's change entries with `"[erased]"`,
    /// keeping which fields changed, when and by whom (GDPR erasure). The
    /// only update the append-only log allows, once per entry.
    pub async fn redact_history(&mut self, kind: EntityKind, id: RecordId) -> Result<u64> {
        let q = Query::select()
            .columns(["seq", "diff"])
            .from("changes")
            .and_where(in_workspace(self.workspace))
            .and_where(Expr::col("record_id").eq(uuid(id.uuid())))
            .and_where(Expr::col("entity").eq(kind.singular()))
            .and_where(Expr::col("redacted_at").is_null())
            .to_owned();
        let rows = self.conn.fetch_all(&q).await?;
        let mut n = 0;
        for row in rows {
            let seq = row.int("seq")?.unwrap_or_default();
            let redacted = redact_diff(self.unpack_diff(&row).await?);
            let stmt = Query::update()
                .table("changes")
                .value("diff", Value::Json(Some(Box::new(redacted))))
                .value("redacted_at", Value::ChronoDateTimeUtc(Some(self.now())))
                .and_where(in_workspace(self.workspace))
                .and_where(Expr::col("seq").eq(seq))
                .to_owned();
            n += self.conn.execute(&stmt).await?;
        }
        Ok(n)
    }
}

/// The diff as stored. A record's change of owner is left out when the
/// entry's owner columns say the same (the one write path always fills
/// them), so that every creation does not store its owner twice;
/// [`diff_as_read`] puts it back.
fn diff_to_store(change: &NewChange) -> Json {
    let mut diff = change.diff.clone();
    if change.entity == METADATA {
        return diff;
    }
    let text = |u: Option<UserId>| u.map_or(Json::Null, |u| Json::String(u.to_string()));
    let (before, after) = (text(change.owner_before), text(change.owner_after));
    if let Some(fields) = diff.as_object_mut() {
        let told_by_columns = match (change.op, fields.get("owner")) {
            (ChangeOp::Create, Some(owner)) => matches!(before, Json::Null) && *owner == after,
            (_, Some(owner)) => owner.get("before") == Some(&before) && owner.get("after") == Some(&after),
            (_, None) => false,
        };
        if told_by_columns {
            fields.remove("owner");
        }
    }
    diff
}

/// A stored diff as readers see it: `{"field": {"before", "after"}}`, with
/// the change of owner the entry's columns hold. Creations store their
/// values alone (`{"field": after}`); metadata entries their definition.
pub(crate) fn diff_as_read(
    op: &str,
    entity: &str,
    stored: Json,
    owner_before: Option<uuid::Uuid>,
    owner_after: Option<uuid::Uuid>,
) -> Json {
    if entity == METADATA {
        return stored;
    }
    let mut diff = stored;
    if owner_before != owner_after
        && let Some(fields) = diff.as_object_mut()
    {
        let text = |u: Option<uuid::Uuid>| u.map_or(Json::Null, |u| Json::String(u.to_string()));
        let owner = if op == "create" {
            text(owner_after)
        } else {
            serde_json::json!({"before": text(owner_before), "after": text(owner_after)})
        };
        fields.entry("owner").or_insert(owner);
    }
    if op == "create" { relata_core::record::expand_creation(diff) } else { diff }
}

/// A diff with every value replaced, field names kept.
fn redact_diff(diff: Json) -> Json {
    const ERASED: &str = "[erased]";
    match diff {
        Json::Object(fields) => Json::Object(
            fields
                .into_iter()
                .map(|(k, v)| {
                    let redacted = match v {
                        Json::Object(ba) if ba.contains_key("before") || ba.contains_key("after") => {
                            serde_json::json!({"before": ERASED, "after": ERASED})
                        }
                        _ => Json::from(ERASED),
                    };
                    (k, redacted)
                })
                .collect(),
        ),
        _ => Json::from(ERASED),
    }
}
