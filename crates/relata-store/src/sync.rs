//! Offline sync's bookkeeping: the devices (one user's replica each, with
//! its subscriptions and where its pulls stand) and what each device holds.
//! A held row is written when a pull sends a record (`sent`) or tells the
//! device to remove it (`gone`); it counts as confirmed once the device
//! comes back with that pull's cursor (`acked`), so a pull whose answer was
//! lost is answered again in full.

use crate::db::{Row, ScopedConn};
use crate::error::{Result, StoreError};
use crate::sql::{in_workspace, uuid};
use chrono::{DateTime, Utc};
use relata_core::UserId;
use sea_query::{Expr, ExprTrait, OnConflict, Order, Query, Value};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq)]
pub struct Device {
    pub id: Uuid,
    pub user: UserId,
    pub name: String,
    /// The subscriptions as the API takes them (a JSON array).
    pub subscriptions: String,
    /// The last pull answered.
    pub issued: i64,
    /// The last pull the device confirmed.
    pub acked: i64,
    /// The current full pass.
    pub generation: i64,
    pub created_at: DateTime<Utc>,
    pub last_sync_at: Option<DateTime<Utc>>,
}

/// A record a device was sent (or told to remove).
#[derive(Clone, Debug, PartialEq)]
pub struct Held {
    pub entity: String,
    pub record: Uuid,
    pub version: i64,
    pub sent: i64,
    pub gone: Option<i64>,
    pub generation: i64,
}

impl Held {
    /// Whether the device surely has this version: sent by a pull it
    /// confirmed, and not removed since.
    pub fn confirmed(&self, acked: i64) -> bool {
        self.sent <= acked && self.gone.is_none()
    }
}

const DEVICE_COLUMNS: [&str; 10] = [
    "id",
    "user_id",
    "name",
    "subscriptions",
    "issued",
    "acked",
    "generation",
    "created_at",
    "last_sync_at",
    "workspace_id",
];
const HELD_COLUMNS: [&str; 6] = ["entity", "record_id", "version", "sent", "gone", "generation"];

fn corrupt(column: &str) -> StoreError {
    StoreError::Corrupt(format!("sync {column} is null"))
}

fn decode_device(r: &Row) -> Result<Device> {
    Ok(Device {
        id: r.uuid("id")?.ok_or_else(|| corrupt("id"))?,
        user: UserId::from_uuid(r.uuid("user_id")?.ok_or_else(|| corrupt("user_id"))?),
        name: r.text("name")?.unwrap_or_default(),
        subscriptions: r.text("subscriptions")?.unwrap_or_else(|| "[]".into()),
        issued: r.int("issued")?.unwrap_or_default(),
        acked: r.int("acked")?.unwrap_or_default(),
        generation: r.int("generation")?.unwrap_or_default(),
        created_at: r.datetime("created_at")?.ok_or_else(|| corrupt("created_at"))?,
        last_sync_at: r.datetime("last_sync_at")?,
    })
}

fn decode_held(r: &Row) -> Result<Held> {
    Ok(Held {
        entity: r.text("entity")?.unwrap_or_default(),
        record: r.uuid("record_id")?.ok_or_else(|| corrupt("record_id"))?,
        version: r.int("version")?.unwrap_or_default(),
        sent: r.int("sent")?.unwrap_or_default(),
        gone: r.int("gone")?,
        generation: r.int("generation")?.unwrap_or_default(),
    })
}

fn time(t: Option<DateTime<Utc>>) -> Value {
    Value::ChronoDateTimeUtc(t)
}

impl ScopedConn {
    fn device_key(&self, id: Uuid) -> sea_query::Condition {
        sea_query::Condition::all().add(in_workspace(self.workspace)).add(Expr::col("id").eq(uuid(id)))
    }

    fn held_of(&self, device: Uuid) -> sea_query::Condition {
        sea_query::Condition::all().add(in_workspace(self.workspace)).add(Expr::col("device_id").eq(uuid(device)))
    }

    pub async fn insert_sync_device(&mut self, d: &Device) -> Result<()> {
        let stmt = Query::insert()
            .into_table("sync_devices")
            .columns(DEVICE_COLUMNS)
            .values_panic([
                Expr::val(uuid(d.id)),
                Expr::val(uuid(d.user.uuid())),
                Expr::val(d.name.clone()),
                Expr::val(d.subscriptions.clone()),
                Expr::val(d.issued),
                Expr::val(d.acked),
                Expr::val(d.generation),
                Expr::val(time(Some(d.created_at))),
                Expr::val(time(d.last_sync_at)),
                Expr::val(uuid(self.workspace.uuid())),
            ])
            .to_owned();
        self.conn.execute(&stmt).await.map(drop)
    }

    /// Writes a device's name and subscriptions.
    pub async fn update_sync_device(&mut self, d: &Device) -> Result<bool> {
        let stmt = Query::update()
            .table("sync_devices")
            .values([("name", Expr::val(d.name.clone())), ("subscriptions", Expr::val(d.subscriptions.clone()))])
            .cond_where(self.device_key(d.id))
            .to_owned();
        Ok(self.conn.execute(&stmt).await? == 1)
    }

    /// Writes where a device's pulls stand if no other pull got there
    /// first (its last pull is still `expected`).
    pub async fn advance_sync_device(&mut self, d: &Device, expected: i64) -> Result<bool> {
        let stmt = Query::update()
            .table("sync_devices")
            .values([
                ("issued", Expr::val(d.issued)),
                ("acked", Expr::val(d.acked)),
                ("generation", Expr::val(d.generation)),
                ("last_sync_at", Expr::val(time(d.last_sync_at))),
            ])
            .cond_where(self.device_key(d.id))
            .and_where(Expr::col("issued").eq(expected))
            .to_owned();
        Ok(self.conn.execute(&stmt).await? == 1)
    }

    pub async fn sync_device(&mut self, id: Uuid) -> Result<Option<Device>> {
        let q = Query::select().columns(DEVICE_COLUMNS).from("sync_devices").cond_where(self.device_key(id)).to_owned();
        self.conn.fetch_optional(&q).await?.map(|r| decode_device(&r)).transpose()
    }

    /// A user's devices, oldest first.
    pub async fn sync_devices_of(&mut self, user: UserId) -> Result<Vec<Device>> {
        let q = Query::select()
            .columns(DEVICE_COLUMNS)
            .from("sync_devices")
            .and_where(in_workspace(self.workspace))
            .and_where(Expr::col("user_id").eq(uuid(user.uuid())))
            .order_by("created_at", Order::Asc)
            .order_by("id", Order::Asc)
            .to_owned();
        self.conn.fetch_all(&q).await?.iter().map(decode_device).collect()
    }

    pub async fn delete_sync_device(&mut self, id: Uuid) -> Result<bool> {
        self.forget_held(id).await?;
        let stmt = Query::delete().from_table("sync_devices").cond_where(self.device_key(id)).to_owned();
        Ok(self.conn.execute(&stmt).await? == 1)
    }

    /// Forgets everything a device was sent (it starts again from nothing).
    pub async fn forget_held(&mut self, device: Uuid) -> Result<()> {
        let stmt = Query::delete().from_table("sync_held").cond_where(self.held_of(device)).to_owned();
        self.conn.execute(&stmt).await.map(drop)
    }

    /// Forgets the removals the device confirmed (pulls up to `acked`).
    pub async fn forget_confirmed_removals(&mut self, device: Uuid, acked: i64) -> Result<()> {
        let stmt = Query::delete()
            .from_table("sync_held")
            .cond_where(self.held_of(device))
            .and_where(Expr::col("gone").lte(acked))
            .to_owned();
        self.conn.execute(&stmt).await.map(drop)
    }

    /// The held rows of these records of one type.
    pub async fn held(&mut self, device: Uuid, entity: &str, ids: &[Uuid]) -> Result<Vec<Held>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let q = Query::select()
            .columns(HELD_COLUMNS)
            .from("sync_held")
            .cond_where(self.held_of(device))
            .and_where(Expr::col("entity").eq(entity))
            .and_where(Expr::col("record_id").is_in(ids.iter().map(|i| uuid(*i))))
            .to_owned();
        self.conn.fetch_all(&q).await?.iter().map(decode_held).collect()
    }

    /// Held rows the full pass `generation` did not find and whose removal
    /// the device has not confirmed (pulls up to `acked`), by type and id,
    /// after `after`.
    pub async fn held_not_found(
        &mut self,
        device: Uuid,
        (generation, acked): (i64, i64),
        after: Option<(&str, Uuid)>,
        limit: u64,
    ) -> Result<Vec<Held>> {
        let mut q = Query::select()
            .columns(HELD_COLUMNS)
            .from("sync_held")
            .cond_where(self.held_of(device))
            .and_where(Expr::col("generation").lt(generation))
            .and_where(Expr::col("gone").is_null().or(Expr::col("gone").gt(acked)))
            .order_by("entity", Order::Asc)
            .order_by("record_id", Order::Asc)
            .limit(limit)
            .to_owned();
        if let Some((entity, id)) = after {
            q.and_where(
                Expr::col("entity")
                    .gt(entity)
                    .or(Expr::col("entity").eq(entity).and(Expr::col("record_id").gt(uuid(id)))),
            );
        }
        self.conn.fetch_all(&q).await?.iter().map(decode_held).collect()
    }

    /// Writes held rows (sent, removed or found again), replacing earlier ones.
    pub async fn put_held(&mut self, device: Uuid, rows: &[Held]) -> Result<()> {
        for chunk in rows.chunks(200) {
            let mut stmt = Query::insert()
                .into_table("sync_held")
                .columns(["workspace_id", "device_id"].into_iter().chain(HELD_COLUMNS))
                .on_conflict(
                    OnConflict::columns(["workspace_id", "device_id", "entity", "record_id"])
                        .update_columns(["version", "sent", "gone", "generation"])
                        .to_owned(),
                )
                .to_owned();
            for h in chunk {
                stmt.values_panic([
                    Expr::val(uuid(self.workspace.uuid())),
                    Expr::val(uuid(device)),
                    Expr::val(h.entity.clone()),
                    Expr::val(uuid(h.record)),
                    Expr::val(h.version),
                    Expr::val(h.sent),
                    Expr::val(h.gone),
                    Expr::val(h.generation),
                ]);
            }
            self.conn.execute(&stmt).await?;
        }
        Ok(())
    }
}
