//! Custom object definitions, per workspace: the JSON an administrator gave
//! (checked by `relata-app` before it is stored), versioned for `If-Match`.

use crate::db::ScopedConn;
use crate::error::{Result, StoreError};
use crate::sql::{in_workspace, uuid};
use chrono::{DateTime, Utc};
use relata_core::RecordId;
use relata_core::meta::CUSTOM_RECORDS_TABLE;
use sea_query::{Expr, ExprTrait, Order, Query, Value};
use serde_json::Value as Json;

/// A stored definition.
#[derive(Clone, Debug)]
pub struct CustomObjectRow {
    pub id: RecordId,
    pub api_name: String,
    pub definition: Json,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ScopedConn {
    /// Every custom object of the workspace, oldest first.
    pub async fn custom_objects(&mut self) -> Result<Vec<CustomObjectRow>> {
        let q = Query::select()
            .columns(["id", "api_name", "definition", "version", "created_at", "updated_at"])
            .from("custom_objects")
            .and_where(in_workspace(self.workspace))
            .order_by("created_at", Order::Asc)
            .order_by("id", Order::Asc)
            .to_owned();
        let bad = |m: &str| StoreError::Corrupt(format!("custom object: {m} is null"));
        self.conn
            .fetch_all(&q)
            .await?
            .iter()
            .map(|r| {
                Ok(CustomObjectRow {
                    id: RecordId::from_uuid(r.uuid("id")?.ok_or_else(|| bad("id"))?),
                    api_name: r.text("api_name")?.ok_or_else(|| bad("api_name"))?,
                    definition: r.json("definition")?.ok_or_else(|| bad("definition"))?,
                    version: r.int("version")?.ok_or_else(|| bad("version"))?,
                    created_at: r.datetime("created_at")?.ok_or_else(|| bad("created_at"))?,
                    updated_at: r.datetime("updated_at")?.ok_or_else(|| bad("updated_at"))?,
                })
            })
            .collect()
    }

    pub async fn insert_custom_object(&mut self, row: &CustomObjectRow) -> Result<()> {
        let stmt = Query::insert()
            .into_table("custom_objects")
            .columns(["workspace_id", "id", "api_name", "definition", "version", "created_at", "updated_at"])
            .values_panic([
                Expr::val(uuid(self.workspace.uuid())),
                Expr::val(uuid(row.id.uuid())),
                Expr::val(row.api_name.clone()),
                Expr::val(Value::Json(Some(Box::new(row.definition.clone())))),
                Expr::val(row.version),
                Expr::val(Value::ChronoDateTimeUtc(Some(row.created_at))),
                Expr::val(Value::ChronoDateTimeUtc(Some(row.updated_at))),
            ])
            .to_owned();
        self.conn.execute(&stmt).await?;
        Ok(())
    }

    /// Replaces a definition if it is still at `version`; false when it is
    /// not (changed meanwhile, or gone).
    pub async fn update_custom_object(&mut self, api_name: &str, definition: &Json, version: i64) -> Result<bool> {
        let now = self.now_value();
        let stmt = Query::update()
            .table("custom_objects")
            .value("definition", Value::Json(Some(Box::new(definition.clone()))))
            .value("version", version + 1)
            .value("updated_at", now)
            .and_where(in_workspace(self.workspace))
            .and_where(Expr::col("api_name").eq(api_name))
            .and_where(Expr::col("version").eq(version))
            .to_owned();
        Ok(self.conn.execute(&stmt).await? == 1)
    }

    pub async fn delete_custom_object(&mut self, api_name: &str) -> Result<bool> {
        let stmt = Query::delete()
            .from_table("custom_objects")
            .and_where(in_workspace(self.workspace))
            .and_where(Expr::col("api_name").eq(api_name))
            .to_owned();
        Ok(self.conn.execute(&stmt).await? > 0)
    }

    /// How many records, not in the trash, a custom object has.
    pub async fn count_live_object_records(&mut self, api_name: &str) -> Result<i64> {
        let q = Query::select()
            .expr_as(Expr::col("id").count(), "n")
            .from(CUSTOM_RECORDS_TABLE)
            .and_where(in_workspace(self.workspace))
            .and_where(Expr::col("object").eq(api_name))
            .and_where(Expr::col("deleted_at").is_null())
            .to_owned();
        Ok(self.conn.fetch_optional(&q).await?.and_then(|r| r.int("n").ok().flatten()).unwrap_or(0))
    }

    /// Removes a custom object's records that are in the trash (which have
    /// no side-index entries) when the object itself goes.
    pub async fn purge_object_records(&mut self, api_name: &str) -> Result<u64> {
        let stmt = Query::delete()
            .from_table(CUSTOM_RECORDS_TABLE)
            .and_where(in_workspace(self.workspace))
            .and_where(Expr::col("object").eq(api_name))
            .and_where(Expr::col("deleted_at").is_not_null())
            .to_owned();
        self.conn.execute(&stmt).await
    }
}
