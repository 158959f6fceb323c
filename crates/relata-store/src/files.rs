//! Files kept with a record (a synced email's attachments), by the record
//! and their position. Who may read one is the record's business: callers
//! read the record through its visibility first.

use crate::db::ScopedConn;
use crate::error::Result;
use crate::sql::{in_workspace, uuid};
use sea_query::{Expr, ExprTrait, Query, Value};

/// A file to keep with a record.
pub struct NewFile {
    pub position: i64,
    pub name: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

/// A kept file.
pub struct StoredFile {
    pub name: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

const COLUMNS: [&str; 9] =
    ["workspace_id", "entity", "record_id", "position", "name", "content_type", "size", "content", "created_at"];

impl ScopedConn {
    /// Keeps `files` with record `record` of type `entity` (its singular).
    pub async fn put_files(&mut self, entity: &'static str, record: uuid::Uuid, files: Vec<NewFile>) -> Result<()> {
        let now = self.now_value();
        let rows = files
            .into_iter()
            .map(|f| {
                vec![
                    uuid(self.workspace.uuid()),
                    Value::from(entity),
                    uuid(record),
                    Value::BigInt(Some(f.position)),
                    Value::from(f.name),
                    Value::from(f.content_type),
                    Value::BigInt(Some(f.content.len() as i64)),
                    Value::Bytes(Some(f.content)),
                    now.clone(),
                ]
            })
            .collect();
        self.conn.insert_rows("files", &COLUMNS, rows).await
    }

    /// The file at `position` kept with record `record` of type `entity`.
    pub async fn file(&mut self, entity: &str, record: uuid::Uuid, position: i64) -> Result<Option<StoredFile>> {
        let q = Query::select()
            .columns(["name", "content_type", "content"])
            .from("files")
            .cond_where(in_workspace(self.workspace))
            .and_where(Expr::col("entity").eq(entity))
            .and_where(Expr::col("record_id").eq(uuid(record)))
            .and_where(Expr::col("position").eq(position))
            .to_owned();
        let Some(row) = self.conn.fetch_optional(&q).await? else { return Ok(None) };
        Ok(Some(StoredFile {
            name: row.text("name")?.unwrap_or_default(),
            content_type: row.text("content_type")?.unwrap_or_default(),
            content: row.get::<Option<Vec<u8>>>("content")?.unwrap_or_default(),
        }))
    }

    /// Removes the files kept with record `record` of type `entity` (an
    /// erased person's attachments); returns how many there were.
    pub async fn delete_files(&mut self, entity: &str, record: uuid::Uuid) -> Result<u64> {
        let stmt = Query::delete()
            .from_table("files")
            .cond_where(in_workspace(self.workspace))
            .and_where(Expr::col("entity").eq(entity))
            .and_where(Expr::col("record_id").eq(uuid(record)))
            .to_owned();
        self.conn.execute(&stmt).await
    }
}
