//! What the connected database holds, compared with what the code expects:
//! its tables and columns, and where they drift from the entity registry
//! (a field without a column, a column no field describes).

use crate::db::{Backend, Store};
use crate::error::Result;
use crate::sql;
use relata_core::meta::{EntityKind, Schema};
use std::collections::{BTreeMap, BTreeSet};

/// Table → its columns.
pub type Tables = BTreeMap<String, BTreeSet<String>>;

const SQLITE_COLUMNS: &str = "SELECT m.name AS table_name, p.name AS column_name \
     FROM sqlite_schema m JOIN pragma_table_info(m.name) p \
     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'";

const POSTGRES_COLUMNS: &str = "SELECT table_name::text AS table_name, column_name::text AS column_name \
     FROM information_schema.columns WHERE table_schema = current_schema()";

/// Columns of entity tables that no field describes, on purpose: the
/// workspace, and the object a custom object's record belongs to.
const KEY_COLUMNS: &[&str] = &["workspace_id", "object"];

impl Store {
    /// Every table of the database (full-text machinery included) and its columns.
    pub async fn tables(&self) -> Result<Tables> {
        let mut conn = self.acquire().await?;
        let sql = match self.backend() {
            Backend::Sqlite => SQLITE_COLUMNS,
            Backend::Postgres => POSTGRES_COLUMNS,
        };
        let mut tables = Tables::new();
        for row in conn.fetch_text(sql).await? {
            let (Some(table), Some(column)) = (row.text("table_name")?, row.text("column_name")?) else { continue };
            tables.entry(table).or_default().insert(column);
        }
        Ok(tables)
    }

    /// Where the database and the registry disagree: each problem names the
    /// table, the column and the field. Empty when they match.
    pub async fn registry_drift(&self) -> Result<Vec<String>> {
        let tables = self.tables().await?;
        let mut problems = Vec::new();
        let mut schemas: Vec<Schema> = EntityKind::all().into_iter().map(Schema::standard).collect();
        // The table every custom object's records share.
        schemas.push(Schema::standard(EntityKind::custom("conformance_probe")));
        let mut by_table: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
        for schema in &schemas {
            let expected = by_table.entry(schema.kind.table()).or_default();
            expected.insert("id".to_string());
            expected.extend(sql::select_columns(schema).into_iter().map(str::to_string));
        }
        for (table, expected) in &by_table {
            let Some(actual) = tables.get(*table) else {
                problems.push(format!("table {table} is missing"));
                continue;
            };
            for column in expected.difference(actual) {
                problems.push(format!("{table}.{column} is described by the registry but not in the database"));
            }
            for column in actual.difference(expected) {
                if !KEY_COLUMNS.contains(&column.as_str()) {
                    problems.push(format!("{table}.{column} is in the database but no field describes it"));
                }
            }
        }
        Ok(problems)
    }
}
