//! CardDAV and CalDAV's bookkeeping: per record a client sent as a vCard or
//! iCalendar object, its name in the collection, its UID and the object as
//! sent (what the CRM does not hold is written back from it); and which
//! contacts and activities each user's collections show.

use crate::db::{Row, ScopedConn};
use crate::error::{Result, StoreError};
use crate::sql::{in_workspace, uuid};
use chrono::{DateTime, Utc};
use relata_core::UserId;
use sea_query::{Expr, ExprTrait, OnConflict, Query, Value};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq)]
pub struct DavObject {
    /// The record's type (singular: `contact`, `activity`).
    pub entity: String,
    pub record: Uuid,
    /// The resource's name in its collection (`4f1c….vcf`).
    pub name: String,
    pub uid: String,
    /// The object as the client sent it last.
    pub kept: String,
    /// How many times a client sent it.
    pub revision: i64,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: [&str; 7] = ["entity", "record_id", "name", "uid", "kept", "revision", "updated_at"];

fn decode(r: &Row) -> Result<DavObject> {
    let missing = |c: &str| StoreError::Corrupt(format!("dav_objects {c} is null"));
    Ok(DavObject {
        entity: r.text("entity")?.unwrap_or_default(),
        record: r.uuid("record_id")?.ok_or_else(|| missing("record_id"))?,
        name: r.text("name")?.unwrap_or_default(),
        uid: r.text("uid")?.unwrap_or_default(),
        kept: r.text("kept")?.unwrap_or_default(),
        revision: r.int("revision")?.unwrap_or_default(),
        updated_at: r.datetime("updated_at")?.ok_or_else(|| missing("updated_at"))?,
    })
}

impl ScopedConn {
    fn dav_of(&self, entity: &str) -> sea_query::Condition {
        sea_query::Condition::all().add(in_workspace(self.workspace)).add(Expr::col("entity").eq(entity))
    }

    /// The objects kept for these records of one type.
    pub async fn dav_objects(&mut self, entity: &str, records: &[Uuid]) -> Result<Vec<DavObject>> {
        let mut out = Vec::new();
        for chunk in records.chunks(500) {
            let q = Query::select()
                .columns(COLUMNS)
                .from("dav_objects")
                .cond_where(self.dav_of(entity))
                .and_where(Expr::col("record_id").is_in(chunk.iter().map(|id| uuid(*id))))
                .to_owned();
            for row in self.conn.fetch_all(&q).await? {
                out.push(decode(&row)?);
            }
        }
        Ok(out)
    }

    /// The objects kept under these names in a collection of that type.
    pub async fn dav_objects_named(&mut self, entity: &str, names: &[&str]) -> Result<Vec<DavObject>> {
        let mut out = Vec::new();
        for chunk in names.chunks(500) {
            let q = Query::select()
                .columns(COLUMNS)
                .from("dav_objects")
                .cond_where(self.dav_of(entity))
                .and_where(Expr::col("name").is_in(chunk.iter().map(|n| n.to_string())))
                .to_owned();
            for row in self.conn.fetch_all(&q).await? {
                out.push(decode(&row)?);
            }
        }
        Ok(out)
    }

    /// The records whose object a client sent after `since` (at most
    /// `limit`, the earliest first).
    pub async fn dav_objects_sent_since(
        &mut self,
        entity: &str,
        since: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<Uuid>> {
        let q = Query::select()
            .column("record_id")
            .from("dav_objects")
            .cond_where(self.dav_of(entity))
            .and_where(Expr::col("updated_at").gt(Value::ChronoDateTimeUtc(Some(since))))
            .order_by("updated_at", sea_query::Order::Asc)
            .limit(limit)
            .to_owned();
        let rows = self.conn.fetch_all(&q).await?;
        rows.iter()
            .map(|r| r.uuid("record_id")?.ok_or_else(|| StoreError::Corrupt("dav_objects record_id is null".into())))
            .collect()
    }

    /// Keeps (or replaces) a record's object; a name or UID another record
    /// of the type has is a unique violation.
    pub async fn put_dav_object(&mut self, o: &DavObject) -> Result<()> {
        let stmt = Query::insert()
            .into_table("dav_objects")
            .columns(["workspace_id"].into_iter().chain(COLUMNS))
            .values_panic([
                Expr::val(uuid(self.workspace.uuid())),
                Expr::val(o.entity.clone()),
                Expr::val(uuid(o.record)),
                Expr::val(o.name.clone()),
                Expr::val(o.uid.clone()),
                Expr::val(o.kept.clone()),
                Expr::val(o.revision),
                Expr::val(Value::ChronoDateTimeUtc(Some(o.updated_at))),
            ])
            .on_conflict(
                OnConflict::columns(["workspace_id", "entity", "record_id"])
                    .update_columns(["name", "uid", "kept", "revision", "updated_at"])
                    .to_owned(),
            )
            .to_owned();
        self.conn.execute(&stmt).await.map(drop)
    }

    /// Forgets a record's kept object (erasure: it holds what the person's
    /// devices said about them).
    pub async fn forget_dav_object(&mut self, entity: &str, record: Uuid) -> Result<()> {
        let stmt = Query::delete()
            .from_table("dav_objects")
            .cond_where(self.dav_of(entity))
            .and_where(Expr::col("record_id").eq(uuid(record)))
            .to_owned();
        self.conn.execute(&stmt).await.map(drop)
    }

    /// The filters of a user's address book and calendar, if they chose them.
    pub async fn dav_subscription(&mut self, user: UserId) -> Result<Option<(String, String)>> {
        let q = Query::select()
            .columns(["contacts", "activities"])
            .from("dav_subscriptions")
            .and_where(in_workspace(self.workspace))
            .and_where(Expr::col("user_id").eq(uuid(user.uuid())))
            .to_owned();
        match self.conn.fetch_optional(&q).await? {
            Some(r) => Ok(Some((r.text("contacts")?.unwrap_or_default(), r.text("activities")?.unwrap_or_default()))),
            None => Ok(None),
        }
    }

    pub async fn put_dav_subscription(&mut self, user: UserId, contacts: &str, activities: &str) -> Result<()> {
        let stmt = Query::insert()
            .into_table("dav_subscriptions")
            .columns(["workspace_id", "user_id", "contacts", "activities"])
            .values_panic([
                Expr::val(uuid(self.workspace.uuid())),
                Expr::val(uuid(user.uuid())),
                Expr::val(contacts),
                Expr::val(activities),
            ])
            .on_conflict(
                OnConflict::columns(["workspace_id", "user_id"]).update_columns(["contacts", "activities"]).to_owned(),
            )
            .to_owned();
        self.conn.execute(&stmt).await.map(drop)
    }
}
