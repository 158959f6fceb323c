//! CSV export, streamed page by page over the same list query as the API.

use crate::error::AppError;
use crate::read::{ListParams, list};
use crate::{App, Ctx};
use relata_core::meta::{EntityKind, FieldDef};
use std::io::Write;

/// The exported columns: system fields first, then standard, then custom.
pub fn export_columns(schema: &relata_core::meta::Schema) -> Vec<&FieldDef> {
    schema.visible_fields().filter(|f| f.id != "deleted_at" || f.is_custom()).collect()
}

/// Where export chunks go: a file or standard output (the CLI), or the
/// body of an HTTP response (through a channel).
pub trait CsvSink {
    /// Takes the next chunk; `rows` is the running row count.
    fn emit(&mut self, chunk: Vec<u8>, rows: u64) -> impl Future<Output = Result<(), AppError>> + Send;
}

/// A [`CsvSink`] writing to an `io::Write`, reporting progress.
struct WriteSink<'a, W: Write> {
    out: W,
    progress: &'a dyn Fn(u64),
}

impl<W: Write> CsvSink for WriteSink<'_, W> {
    fn emit(&mut self, chunk: Vec<u8>, rows: u64) -> impl Future<Output = Result<(), AppError>> + Send {
        let written = self.out.write_all(&chunk).map_err(|e| AppError::BadParameter("output", e.to_string()));
        (self.progress)(rows);
        std::future::ready(written)
    }
}

/// Chunks go to the receiving end (an HTTP response body); a closed
/// receiver (the client went away) stops the export.
impl CsvSink for tokio::sync::mpsc::Sender<Vec<u8>> {
    fn emit(&mut self, chunk: Vec<u8>, _rows: u64) -> impl Future<Output = Result<(), AppError>> + Send {
        let sender = self.clone();
        async move { sender.send(chunk).await.map_err(|_| AppError::BadParameter("output", "the client went away".into())) }
    }
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
    let mut sink = WriteSink { out, progress };
    let rows = export_csv_chunks(app, ctx, kind, params, &mut sink).await?;
    sink.out.flush().map_err(|e| AppError::BadParameter("output", e.to_string()))?;
    Ok(rows)
}

/// The export as a stream of CSV chunks, one per page of 500 records, each
/// handed to `sink`: memory stays bounded however many records match. The
/// export right is checked and the export audited.
pub async fn export_csv_chunks(
    app: &App,
    ctx: &Ctx,
    kind: EntityKind,
    params: &ListParams,
    sink: &mut impl CsvSink,
) -> Result<u64, AppError> {
    ctx.access.check_kind(kind, relata_core::access::Right::Export)?;
    let schemas = app.schemas_for(ctx).await?;
    let schema = schemas.get(kind);
    let columns = export_columns(schema);
    let csv_error = |e: csv::Error| AppError::BadParameter("output", e.to_string());
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(columns.iter().map(|f| f.qualified_id().into_owned())).map_err(csv_error)?;
    let mut params = ListParams { limit: Some(500), cursor: None, ..params.clone() };
    let mut rows = 0u64;
    loop {
        let (page, _) = list(app, ctx, kind, &params).await?;
        for record in &page.records {
            let cells = columns
                .iter()
                .map(|f| if f.system { record.field_value(&f.id).to_csv() } else { record.values.get(f).to_csv() });
            writer.write_record(cells).map_err(csv_error)?;
            rows += 1;
        }
        let chunk = writer.into_inner().map_err(|e| AppError::BadParameter("output", e.to_string()))?;
        writer = csv::Writer::from_writer(Vec::new());
        sink.emit(chunk, rows).await?;
        match page.next_cursor {
            Some(c) => params.cursor = Some(c),
            None => break,
        }
    }
    crate::audit::audit(
        app,
        ctx,
        crate::audit::Event::new("export").target("entity", kind.api_name()).details(serde_json::json!({
            "rows": rows, "filter": params.filter, "q": params.q, "deleted": params.deleted,
        })),
    )
    .await?;
    Ok(rows)
}
