//! The change feed: every committed change entry, in commit order, by
//! position.
//!
//! On SQLite one writer commits at a time, so the sequence number an entry
//! gets when it is inserted is its position. On PostgreSQL it is not:
//! sequence numbers are handed out when rows are inserted, not when their
//! transactions commit, and a reader that has passed number N would never
//! see a slower transaction that commits later with a smaller one. There,
//! positions are assigned after commit by a sequencer ([`Store::sequence_changes`]),
//! one at a time (an advisory lock), to the entries its statement can see —
//! exactly those of committed transactions — after every position given
//! before. Within one run, transactions are ordered by their last entry:
//! a transaction that waited for another's lock wrote its entry for the
//! shared record after that one committed, so conflicting writes keep their
//! order. Readers run the sequencer before they read.

use crate::changes::CHANGE_COLUMNS;
use crate::db::{Backend, Conn, Row, ScopedConn, Store};
use crate::diff_codec::{DiffCodec, StoredDiff};
use crate::error::{Result, StoreError};
use crate::sql::in_workspace;
use chrono::{DateTime, Utc};
use relata_core::WorkspaceId;
use sea_query::{Expr, ExprTrait, Order, Query, SelectStatement, Value};
use serde_json::Value as Json;

/// One entry of the feed.
#[derive(Clone, Debug)]
pub struct FeedEntry {
    /// Its place in commit order.
    pub position: i64,
    pub workspace: WorkspaceId,
    /// The entity type's singular (`contact`), or `metadata`.
    pub entity: String,
    pub record_id: uuid::Uuid,
    pub op: String,
    pub actor: Option<uuid::Uuid>,
    pub at: DateTime<Utc>,
    /// `{"field": {"before", "after"}}` (creations expanded to that form).
    pub diff: Json,
    /// The write (transaction) that made it; entries of one write share it.
    pub tx_id: Option<uuid::Uuid>,
    pub version: Option<i64>,
    pub owner_before: Option<uuid::Uuid>,
    pub owner_after: Option<uuid::Uuid>,
}

/// The advisory lock sequencers take in turn (arbitrary, fixed for Relata).
const SEQUENCER_LOCK: i64 = 7_051_996_332;

/// Gives positions to the entries of committed transactions that have none,
/// after every position given before (see the module's documentation).
const SEQUENCE: &str = "
UPDATE changes c SET pos = b.base + b.n
FROM (
    SELECT seq,
           (SELECT COALESCE(MAX(pos), 0) FROM changes) AS base,
           row_number() OVER (ORDER BY last_seq, seq) AS n
    FROM (
        SELECT seq, MAX(seq) OVER (PARTITION BY COALESCE(tx_id::text, seq::text)) AS last_seq
        FROM changes WHERE pos IS NULL
    ) pending
) b
WHERE c.pos IS NULL AND c.seq = b.seq";

/// The column that orders the feed on each backend.
fn position_column(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "seq",
        Backend::Postgres => "pos",
    }
}

fn feed_select(backend: Backend, after: i64, limit: u64) -> SelectStatement {
    let position = position_column(backend);
    Query::select()
        .expr_as(Expr::col(position), "position")
        .columns(CHANGE_COLUMNS)
        .from("changes")
        .and_where(Expr::col(position).gt(after))
        .order_by(position, Order::Asc)
        .limit(limit)
        .to_owned()
}

/// Decodes feed rows read through `conn`, unpacking their diffs.
async fn decode_entries(codec: &DiffCodec, conn: &mut Conn, rows: &[Row]) -> Result<Vec<FeedEntry>> {
    let mut entries = Vec::with_capacity(rows.len());
    for r in rows {
        let workspace =
            r.uuid("workspace_id")?.ok_or_else(|| StoreError::Corrupt("feed entry without workspace".into()))?;
        let stored = codec.unpack(conn, workspace, StoredDiff::read(r)?).await?;
        entries.push(decode_entry(r, workspace, stored)?);
    }
    Ok(entries)
}

fn decode_entry(r: &Row, workspace: uuid::Uuid, stored: Json) -> Result<FeedEntry> {
    let op = r.text("op")?.unwrap_or_default();
    let entity = r.text("entity")?.unwrap_or_default();
    let owner_before = r.uuid("owner_before")?;
    let owner_after = r.uuid("owner_after")?;
    let diff = crate::changes::diff_as_read(&op, &entity, stored, owner_before, owner_after);
    Ok(FeedEntry {
        position: r.int("position")?.ok_or_else(|| StoreError::Corrupt("feed entry without position".into()))?,
        workspace: WorkspaceId::from_uuid(workspace),
        entity,
        record_id: r.uuid("record_id")?.unwrap_or_default(),
        diff,
        op,
        actor: r.uuid("actor_id")?,
        at: r.datetime("at")?.ok_or_else(|| StoreError::Corrupt("feed entry without time".into()))?,
        tx_id: r.uuid("tx_id")?,
        version: r.int("version")?,
        owner_before,
        owner_after,
    })
}

impl Store {
    /// Assigns positions to committed entries that have none (PostgreSQL; on
    /// SQLite every entry has one already). Returns how many were assigned.
    /// When another process is sequencing, returns at once: its positions
    /// follow every earlier one all the same.
    pub async fn sequence_changes(&self) -> Result<u64> {
        if self.backend() == Backend::Sqlite {
            return Ok(0);
        }
        let mut conn = self.begin().await?;
        let locked: bool = conn.scalar_bool(&format!("SELECT pg_try_advisory_xact_lock({SEQUENCER_LOCK})")).await?;
        if !locked {
            return Ok(0);
        }
        let n = conn.execute_text(SEQUENCE).await?;
        conn.commit().await?;
        Ok(n)
    }

    /// Entries of every workspace after `after`, in commit order (Relata's own
    /// consumers, which serve every workspace).
    pub async fn feed_after(&self, after: i64, limit: u64) -> Result<Vec<FeedEntry>> {
        self.sequence_changes().await?;
        let mut conn = self.acquire().await?;
        let q = feed_select(self.backend(), after, limit);
        let rows = conn.fetch_all(&q).await?;
        decode_entries(&self.diffs, &mut conn, &rows).await
    }

    /// The position of the newest entry (0 when there is none).
    pub async fn feed_head(&self) -> Result<i64> {
        self.sequence_changes().await?;
        let position = position_column(self.backend());
        let q = Query::select().expr_as(Expr::col(position).max(), "head").from("changes").to_owned();
        let mut conn = self.acquire().await?;
        Ok(conn.fetch_optional(&q).await?.map(|r| r.int("head")).transpose()?.flatten().unwrap_or(0))
    }

    /// Where a consumer has got to (0 for a new one).
    pub async fn feed_offset(&self, consumer: &str) -> Result<i64> {
        let q = Query::select()
            .column("position")
            .from("feed_offsets")
            .and_where(Expr::col("consumer").eq(consumer))
            .to_owned();
        let mut conn = self.acquire().await?;
        Ok(conn.fetch_optional(&q).await?.map(|r| r.int("position")).transpose()?.flatten().unwrap_or(0))
    }

    /// Records that a consumer processed everything up to `position`. The
    /// offset only moves forward.
    pub async fn commit_feed_offset(&self, consumer: &str, position: i64) -> Result<()> {
        let now = Value::ChronoDateTimeUtc(Some(self.now()));
        let stmt = Query::insert()
            .into_table("feed_offsets")
            .columns(["consumer", "position", "updated_at"])
            .values_panic([Expr::val(consumer), Expr::val(position), Expr::val(now)])
            .on_conflict(
                sea_query::OnConflict::column("consumer")
                    .update_columns(["position", "updated_at"])
                    .action_and_where(Expr::col(("feed_offsets", "position")).lt(position))
                    .to_owned(),
            )
            .to_owned();
        self.execute_alone(&stmt).await.map(drop)
    }
}

impl ScopedConn {
    /// This workspace's entries after `after`, in commit order. The caller
    /// runs [`Store::sequence_changes`] first on PostgreSQL.
    pub async fn feed_page(&mut self, after: i64, entities: Option<&[&str]>, limit: u64) -> Result<Vec<FeedEntry>> {
        let mut q = feed_select(self.backend(), after, limit);
        q.and_where(in_workspace(self.workspace));
        if let Some(entities) = entities {
            q.and_where(Expr::col("entity").is_in(entities.iter().copied()));
        }
        let rows = self.conn.fetch_all(&q).await?;
        decode_entries(&self.diffs.clone(), &mut self.conn, &rows).await
    }
}
