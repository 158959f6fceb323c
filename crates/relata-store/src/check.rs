//! What `relata check` reads: a type's records page by page (live and
//! trashed), and for a page of them the side rows that derive from them
//! (contact points, search entries) and their newest change entries; side
//! rows whose record is gone; and SQLite's own integrity check.

use crate::db::{Pools, ScopedConn, Store};
use crate::error::Result;
use crate::search::contact_points;
use crate::sql::{self, in_workspace, uuid};
use relata_core::meta::Schema;
use relata_core::{Record, RecordId};
use sea_query::{Expr, ExprTrait, Func, Order, Query};
use std::collections::{BTreeSet, HashMap, HashSet};

/// One row of `contact_points`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactPointRow {
    /// The record's type (singular).
    pub entity: String,
    pub record_id: RecordId,
    pub kind: String,
    pub value: String,
}

/// How one record's derived rows and history disagree with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Disagreement {
    /// Some of the record's emails and phones have no lookup row.
    ContactPoints,
    /// A live record without its search entry, or a trashed one with it.
    SearchEntry,
    /// No change entry, or the newest says another version.
    History { newest_version: Option<i64> },
}

impl Store {
    /// SQLite's `PRAGMA integrity_check`: empty when sound; `None` on
    /// PostgreSQL, which checks its pages itself.
    pub async fn integrity_problems(&self) -> Result<Option<Vec<String>>> {
        let Pools::Sqlite { read, .. } = &self.pools else { return Ok(None) };
        let mut conn = read.acquire().await?;
        let found: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check").fetch_all(&mut *conn).await?;
        Ok(Some(found.into_iter().filter(|line| line != "ok").collect()))
    }
}

impl ScopedConn {
    /// Records of the schema's type after `after` in id order, trashed ones
    /// included.
    pub async fn records_after(&mut self, schema: &Schema, after: Option<RecordId>, limit: u64) -> Result<Vec<Record>> {
        let mut q = Query::select();
        q.columns(sql::select_columns(schema)).from(schema.kind.table()).cond_where(self.of_kind(schema.kind));
        if let Some(after) = after {
            q.and_where(Expr::col("id").gt(uuid(after.uuid())));
        }
        q.order_by("id", Order::Asc).limit(limit);
        self.conn.fetch_all(&q).await?.iter().map(|r| crate::records::decode_record(r, schema)).collect()
    }

    /// The records of `records` whose contact points, search entry or
    /// newest change entry disagree with them, and how.
    pub async fn disagreements(
        &mut self,
        schema: &Schema,
        records: &[Record],
    ) -> Result<Vec<(RecordId, Disagreement)>> {
        if records.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<sea_query::Value> = records.iter().map(|r| uuid(r.id.uuid())).collect();
        let entity = schema.kind.singular();
        // The page's records' points that are there (rows no record accounts
        // for are found by walking the table: `contact_points_after`).
        let expected_values: BTreeSet<String> = records
            .iter()
            .filter(|r| r.deleted_at.is_none())
            .flat_map(|r| contact_points(schema, r).into_iter().map(|(_, v)| v))
            .collect();
        let mut points: HashMap<uuid::Uuid, BTreeSet<(String, String)>> = HashMap::new();
        if !expected_values.is_empty() {
            let q = Query::select()
                .columns(["record_id", "kind", "value"])
                .from("contact_points")
                .and_where(in_workspace(self.workspace))
                .and_where(Expr::col("value").is_in(expected_values))
                .and_where(Expr::col("entity").eq(entity))
                .to_owned();
            for row in self.conn.fetch_all(&q).await? {
                let id = row.uuid("record_id")?.unwrap_or_default();
                let point = (row.text("kind")?.unwrap_or_default(), row.text("value")?.unwrap_or_default());
                points.entry(id).or_default().insert(point);
            }
        }
        let q = Query::select()
            .column("record_id")
            .from("search_docs")
            .and_where(in_workspace(self.workspace))
            .and_where(Expr::col("record_id").is_in(ids.clone()))
            .to_owned();
        let mut indexed = HashSet::new();
        for row in self.conn.fetch_all(&q).await? {
            indexed.insert(row.uuid("record_id")?.unwrap_or_default());
        }
        let q = Query::select()
            .column("record_id")
            .expr_as(Func::max(Expr::col("version")), "newest")
            .expr_as(Func::count(Expr::col("seq")), "entries")
            .from("changes")
            .and_where(in_workspace(self.workspace))
            .and_where(Expr::col("entity").eq(entity))
            .and_where(Expr::col("record_id").is_in(ids))
            .group_by_col("record_id")
            .to_owned();
        let mut history: HashMap<uuid::Uuid, (Option<i64>, i64)> = HashMap::new();
        for row in self.conn.fetch_all(&q).await? {
            let id = row.uuid("record_id")?.unwrap_or_default();
            history.insert(id, (row.int("newest")?, row.int("entries")?.unwrap_or(0)));
        }
        let mut found = Vec::new();
        for record in records {
            let id = record.id.uuid();
            let live = record.deleted_at.is_none();
            let expected: BTreeSet<(String, String)> = if live {
                contact_points(schema, record).into_iter().map(|(k, v)| (k.to_string(), v)).collect()
            } else {
                BTreeSet::new()
            };
            if !expected.is_subset(&points.remove(&id).unwrap_or_default()) {
                found.push((record.id, Disagreement::ContactPoints));
            }
            let wants_entry = live && !crate::search::search_content(schema, record).is_empty();
            if indexed.contains(&id) != wants_entry {
                found.push((record.id, Disagreement::SearchEntry));
            }
            // Entries migrated from schema v5 have no version: only their
            // presence is checked.
            match history.get(&id) {
                None => found.push((record.id, Disagreement::History { newest_version: None })),
                Some((Some(newest), _)) if *newest != record.version => {
                    found.push((record.id, Disagreement::History { newest_version: Some(*newest) }))
                }
                Some(_) => {}
            }
        }
        Ok(found)
    }

    /// Contact points in key order after `after`, every type's: `relata
    /// check` asks each row's record whether it accounts for it.
    pub async fn contact_points_after(
        &mut self,
        after: Option<&ContactPointRow>,
        limit: u64,
    ) -> Result<Vec<ContactPointRow>> {
        let mut q = Query::select();
        q.columns(["entity", "record_id", "kind", "value"])
            .from("contact_points")
            .and_where(in_workspace(self.workspace));
        if let Some(a) = after {
            q.and_where(Expr::tuple([Expr::col("kind"), Expr::col("value"), Expr::col("record_id")]).gt(Expr::tuple(
                [Expr::val(a.kind.as_str()), Expr::val(a.value.as_str()), Expr::val(uuid(a.record_id.uuid()))],
            )));
        }
        q.order_by("kind", Order::Asc).order_by("value", Order::Asc).order_by("record_id", Order::Asc).limit(limit);
        let mut rows = Vec::new();
        for row in self.conn.fetch_all(&q).await? {
            rows.push(ContactPointRow {
                entity: row.text("entity")?.unwrap_or_default(),
                record_id: RecordId::from_uuid(row.uuid("record_id")?.unwrap_or_default()),
                kind: row.text("kind")?.unwrap_or_default(),
                value: row.text("value")?.unwrap_or_default(),
            });
        }
        Ok(rows)
    }

    /// Records of the schema's type that have a search entry but exist no
    /// more.
    pub async fn orphan_search_entries(&mut self, schema: &Schema) -> Result<Vec<RecordId>> {
        let exists = Query::select()
            .expr(Expr::val(1))
            .from_as(schema.kind.table(), "r")
            .cond_where(sql::of_kind(self.workspace, schema.kind))
            .and_where(Expr::col(("r", "id")).equals(("search_docs", "record_id")))
            .to_owned();
        let q = Query::select()
            .distinct()
            .column(("search_docs", "record_id"))
            .from("search_docs")
            .and_where(Expr::col(("search_docs", "workspace_id")).eq(uuid(self.workspace.uuid())))
            .and_where(Expr::col(("search_docs", "entity")).eq(schema.kind.singular()))
            .and_where(Expr::exists(exists).not())
            .to_owned();
        let mut found = Vec::new();
        for row in self.conn.fetch_all(&q).await? {
            found.push(RecordId::from_uuid(row.uuid("record_id")?.unwrap_or_default()));
        }
        Ok(found)
    }
}
