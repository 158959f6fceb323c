//! Custom field definitions, per workspace and entity type.

use crate::db::ScopedConn;
use crate::error::{Result, StoreError};
use crate::sql::{in_workspace, uuid};
use chrono::{DateTime, Utc};
use relata_core::RecordId;
use relata_core::meta::{EntityKind, FieldDef, FieldType};
use sea_query::{Expr, ExprTrait, Order, Query, Value};
use serde_json::Value as Json;

/// A stored definition.
#[derive(Clone, Debug)]
pub struct CustomFieldRow {
    pub id: RecordId,
    pub entity: EntityKind,
    pub def: FieldDef,
    pub created_at: DateTime<Utc>,
}

/// The columns of a definition, in the order they are written and read.
const COLUMNS: [&str; 11] = [
    "id",
    "entity",
    "field_id",
    "label",
    "field_type",
    "options",
    "target",
    "required",
    "scale",
    "created_at",
    "translations",
];

impl ScopedConn {
    /// Every custom field of the workspace, oldest first.
    pub async fn custom_fields(&mut self) -> Result<Vec<CustomFieldRow>> {
        let q = Query::select()
            .columns(COLUMNS)
            .from("custom_fields")
            .and_where(in_workspace(self.workspace))
            .order_by("created_at", Order::Asc)
            .order_by("id", Order::Asc)
            .to_owned();
        let rows = self.conn.fetch_all(&q).await?;
        let bad = |m: String| StoreError::Corrupt(format!("custom field: {m}"));
        rows.iter()
            .map(|r| {
                let entity = r.text("entity")?.unwrap_or_default();
                let entity = EntityKind::stored(&entity).ok_or_else(|| bad(entity.clone()))?;
                let options: Vec<String> =
                    r.json("options")?.and_then(|j| serde_json::from_value(j).ok()).unwrap_or_default();
                let target = r.text("target")?;
                let ty = FieldType::for_custom(
                    &r.text("field_type")?.unwrap_or_default(),
                    &options,
                    target.as_deref(),
                    &EntityKind::stored,
                )
                .and_then(|ty| ty.with_scale(r.int("scale").ok().flatten().and_then(|s| u32::try_from(s).ok())))
                .map_err(bad)?;
                let mut def = FieldDef::custom(
                    r.text("field_id")?.unwrap_or_default(),
                    r.text("label")?.unwrap_or_default(),
                    ty,
                    r.bool("required")?.unwrap_or(false),
                );
                if let Some(translations) = r.json("translations")? {
                    def.translations = serde_json::from_value(translations).map_err(|e| bad(e.to_string()))?;
                }
                Ok(CustomFieldRow {
                    id: RecordId::from_uuid(r.uuid("id")?.ok_or_else(|| bad("id".into()))?),
                    entity,
                    def,
                    created_at: r.datetime("created_at")?.ok_or_else(|| bad("created_at".into()))?,
                })
            })
            .collect()
    }

    pub async fn insert_custom_field(&mut self, row: &CustomFieldRow) -> Result<()> {
        let options: Option<Json> = row.def.ty.options().map(|o| serde_json::json!(o));
        let translations: Option<Json> =
            (!row.def.translations.is_empty()).then(|| serde_json::json!(row.def.translations));
        let stmt = Query::insert()
            .into_table("custom_fields")
            .columns(["workspace_id"].into_iter().chain(COLUMNS))
            .values_panic([
                Expr::val(uuid(self.workspace.uuid())),
                Expr::val(uuid(row.id.uuid())),
                Expr::val(row.entity.api_name()),
                Expr::val(row.def.id.to_string()),
                Expr::val(row.def.label.to_string()),
                Expr::val(row.def.ty.name()),
                Expr::val(Value::Json(options.map(Box::new))),
                Expr::val(Value::String(row.def.ty.target_name().map(str::to_string))),
                Expr::val(row.def.required),
                Expr::val(Value::BigInt(row.def.ty.scale().map(i64::from))),
                Expr::val(Value::ChronoDateTimeUtc(Some(row.created_at))),
                Expr::val(Value::Json(translations.map(Box::new))),
            ])
            .to_owned();
        self.conn.execute(&stmt).await?;
        Ok(())
    }

    /// Removes a definition; values stay stored (hidden) so nothing is lost.
    pub async fn delete_custom_field(&mut self, entity: EntityKind, field_id: &str) -> Result<bool> {
        let stmt = Query::delete()
            .from_table("custom_fields")
            .and_where(in_workspace(self.workspace))
            .and_where(Expr::col("entity").eq(entity.api_name()))
            .and_where(Expr::col("field_id").eq(field_id))
            .to_owned();
        Ok(self.conn.execute(&stmt).await? > 0)
    }
}
