//! The lines of header-and-lines documents, and document number series.
//! Lines are read and written only with their document (see
//! `ScopedConn::get_record` and the one write path), never on their own.

use crate::db::{Backend, ScopedConn};
use crate::error::{Result, StoreError};
use crate::sql::{self, in_workspace, uuid};
use relata_core::RecordId;
use relata_core::document::Line;
use relata_core::meta::{EntityKind, LinesDef};
use relata_core::value::Values;
use sea_query::{Expr, ExprTrait, OnConflict, Order, Query, Value};
use serde_json::{Map, Value as Json};

impl ScopedConn {
    /// A document's lines, in order.
    pub async fn document_lines(&mut self, def: &LinesDef, document: RecordId) -> Result<Vec<Line>> {
        let q = Query::select()
            .columns(["id", "data"])
            .from("document_lines")
            .and_where(in_workspace(self.workspace))
            .and_where(Expr::col("document_id").eq(uuid(document.uuid())))
            .order_by("position", Order::Asc)
            .to_owned();
        let rows = self.conn.fetch_all(&q).await?;
        rows.iter()
            .map(|row| {
                let id = row.uuid("id")?.ok_or_else(|| StoreError::Corrupt("a line without id".into()))?;
                let mut values = Values::default();
                if let Some(Json::Object(data)) = row.json("data")? {
                    for field in &def.fields {
                        if let Some(raw) = data.get(field.id.as_ref()) {
                            values.set(field, sql::custom_from_json(field, raw));
                        }
                    }
                }
                Ok(Line { id, values })
            })
            .collect()
    }

    /// Replaces a document's lines with `lines`, in their order (ids kept).
    pub async fn replace_lines(
        &mut self,
        kind: EntityKind,
        def: &LinesDef,
        document: RecordId,
        lines: &[Line],
    ) -> Result<()> {
        let delete = Query::delete()
            .from_table("document_lines")
            .and_where(in_workspace(self.workspace))
            .and_where(Expr::col("document_id").eq(uuid(document.uuid())))
            .to_owned();
        self.conn.execute(&delete).await?;
        let now = self.now_value();
        let ws = uuid(self.workspace.uuid());
        let rows: Vec<Vec<Value>> = lines
            .iter()
            .enumerate()
            .map(|(position, line)| {
                let mut data = Map::new();
                for field in &def.fields {
                    let value = line.values.get(field);
                    if !value.is_null() {
                        data.insert(field.id.to_string(), sql::custom_json(value));
                    }
                }
                vec![
                    ws.clone(),
                    uuid(line.id),
                    uuid(document.uuid()),
                    Value::from(kind.api_name()),
                    Value::BigInt(Some(position as i64 + 1)),
                    Value::Json(Some(Box::new(Json::Object(data)))),
                    now.clone(),
                    now.clone(),
                ]
            })
            .collect();
        let columns = ["workspace_id", "id", "document_id", "entity", "position", "data", "created_at", "updated_at"];
        self.conn.insert_rows("document_lines", &columns, rows).await
    }

    /// The next number of a series in a period (a year, or ''). Gapless:
    /// taken in this transaction, so writers of the series wait for each
    /// other and a rolled-back write gives its number back. Otherwise (on
    /// PostgreSQL) taken and committed at once on a connection of its own:
    /// nobody waits, a rolled-back write leaves a gap, no number is given
    /// twice. SQLite has one writer: its numbers are always gapless.
    pub async fn next_number(&mut self, series: &str, period: &str, gapless: bool) -> Result<i64> {
        let stmt = Query::insert()
            .into_table("number_series")
            .columns(["workspace_id", "series", "period", "next_value"])
            .values_panic([
                Expr::val(uuid(self.workspace.uuid())),
                Expr::val(series),
                Expr::val(period),
                Expr::val(2i64),
            ])
            .on_conflict(
                OnConflict::columns(["workspace_id", "series", "period"])
                    .value("next_value", Expr::cust("number_series.next_value + 1"))
                    .to_owned(),
            )
            .returning(Query::returning().column("next_value"))
            .to_owned();
        let side = if gapless || self.backend() == Backend::Sqlite { None } else { self.side_connection().await? };
        let row = match side {
            Some(mut own) => own.fetch_optional(&stmt).await?,
            None => self.conn.fetch_optional(&stmt).await?,
        };
        // The row holds the number after the one just taken.
        row.and_then(|r| r.int("next_value").ok().flatten())
            .map(|next| next - 1)
            .ok_or_else(|| StoreError::Corrupt(format!("number series {series} gave no number")))
    }
}
