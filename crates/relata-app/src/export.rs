//! CSV export, streamed page by page over the same list query as the API.

use crate::error::AppError;
use crate::read::{ListParams, list};
use crate::{App, Ctx};
use relata_core::meta::{EntityKind, FieldDef};
use std::io::Write;

/// The exported columns: system fields first, then standard, then custom.
pub fn export_columns(schema: &relata_core::meta::Schema) -> Vec<&FieldDef> {
    schema.fields().filter(|f| f.id != "deleted_at" || f.is_custom()).collect()
}

/// Writes every record matching `params` as CSV; returns the row count.
pub async fn export_csv<W: Write>(
    app: &App,
    ctx: &Ctx,
    kind: EntityKind,
    params: &ListParams,
    out: W,
    progress: &dyn Fn(u64),
) -> Result<u64, AppError> {
    let schemas = app.schemas(ctx.ws()).await?;
    let schema = schemas.get(kind);
    let columns = export_columns(schema);
    let mut writer = csv::Writer::from_writer(out);
    let io = |e: csv::Error| AppError::BadParameter("output", e.to_string());
    writer.write_record(columns.iter().map(|f| f.qualified_id().into_owned())).map_err(io)?;
    let mut params = ListParams { limit: Some(500), cursor: None, ..params.clone() };
    let mut rows = 0u64;
    loop {
        let (page, _) = list(app, ctx, kind, &params).await?;
        for record in &page.records {
            let cells = columns
                .iter()
                .map(|f| if f.system { record.field_value(&f.id).to_csv() } else { record.values.get(f).to_csv() });
            writer.write_record(cells).map_err(io)?;
            rows += 1;
        }
        progress(rows);
        match page.next_cursor {
            Some(c) => params.cursor = Some(c),
            None => break,
        }
    }
    writer.flush().map_err(|e| AppError::BadParameter("output", e.to_string()))?;
    Ok(rows)
}
