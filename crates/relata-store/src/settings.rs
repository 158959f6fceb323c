//! A workspace's settings by name, as JSON (the channels module keeps its
//! SMTP server and SMS gateway here). What a setting means, and which of its
//! keys are secrets never shown again, is up to the module that owns it.

use crate::db::{Row, ScopedConn};
use crate::error::{Result, StoreError};
use crate::sql::{in_workspace, uuid};
use sea_query::{Expr, ExprTrait, OnConflict, Query, SelectStatement};
use serde_json::Value as Json;
use std::collections::HashMap;

/// Settings by name from their rows.
pub(crate) fn settings_of(rows: Vec<Row>) -> Result<HashMap<String, Json>> {
    let mut found = HashMap::new();
    for row in rows {
        let name = row.text("name")?.unwrap_or_default();
        let text = row.text("value")?.unwrap_or_default();
        let value = serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("setting {name}: {e}")))?;
        found.insert(name, value);
    }
    Ok(found)
}

impl ScopedConn {
    /// The setting `name`, if it was ever put.
    pub async fn setting(&mut self, name: &str) -> Result<Option<Json>> {
        let q = self.settings_query(&[name]);
        Ok(settings_of(self.conn.fetch_all(&q).await?)?.remove(name))
    }

    /// The settings of these names that were ever put, by name, in one
    /// statement (read with `together::Reads`).
    pub(crate) fn settings_query(&self, names: &[&str]) -> SelectStatement {
        Query::select()
            .columns(["name", "value"])
            .from("workspace_settings")
            .cond_where(in_workspace(self.workspace))
            .and_where(Expr::col("name").is_in(names.iter().copied()))
            .to_owned()
    }

    /// Puts the setting `name` (replacing what was there).
    pub async fn put_setting(&mut self, name: &str, value: &Json) -> Result<()> {
        let stmt = Query::insert()
            .into_table("workspace_settings")
            .columns(["workspace_id", "name", "value", "updated_at"])
            .values_panic([
                Expr::val(uuid(self.workspace.uuid())),
                Expr::val(name),
                Expr::val(value.to_string()),
                Expr::val(self.now_value()),
            ])
            .on_conflict(
                OnConflict::columns(["workspace_id", "name"]).update_columns(["value", "updated_at"]).to_owned(),
            )
            .to_owned();
        self.conn.execute(&stmt).await.map(drop)
    }
}
