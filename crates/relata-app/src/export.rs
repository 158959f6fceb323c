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
    let mut sink = CsvRows::new(WriteSink { out, progress });
    let rows = export_rows(app, ctx, kind, params, &mut sink).await?;
    sink.out.out.flush().map_err(|e| AppError::BadParameter("output", e.to_string()))?;
    Ok(rows)
}

/// The export as a stream of CSV chunks, one per page of 500 records, each
/// handed to `sink`: memory stays bounded however many records match.
pub async fn export_csv_chunks(
    app: &App,
    ctx: &Ctx,
    kind: EntityKind,
    params: &ListParams,
    sink: &mut impl CsvSink,
) -> Result<u64, AppError> {
    let mut rows = CsvRows::new(sink);
    export_rows(app, ctx, kind, params, &mut rows).await
}

/// The most rows an Excel worksheet holds (with the header row).
pub const XLSX_MAX_ROWS: u64 = 1_048_575;

/// The export as an Excel workbook (one worksheet), in a temporary file
/// that is already unlinked: it goes away when the returned handle closes.
/// Rows go to the writer's temporary files as they come and the workbook is
/// assembled into the file, so memory stays bounded however many rows there
/// are (a zip file can only be sent once complete).
pub async fn export_xlsx(
    app: &App,
    ctx: &Ctx,
    kind: EntityKind,
    params: &ListParams,
) -> Result<std::fs::File, AppError> {
    let mut sink = XlsxRows { workbook: rust_xlsxwriter::Workbook::new(), row: 0 };
    sink.workbook
        .add_worksheet_with_constant_memory()
        .map_err(xlsx_error)?
        .set_name(kind.api_name())
        .map_err(xlsx_error)?;
    export_rows(app, ctx, kind, params, &mut sink).await?;
    let path = std::env::temp_dir().join(format!("relata-export-{}.xlsx", uuid::Uuid::now_v7().simple()));
    let mut workbook = sink.workbook;
    tokio::task::spawn_blocking(move || {
        workbook.save(&path).map_err(xlsx_error)?;
        let file = std::fs::File::open(&path).map_err(|e| AppError::BadParameter("format", e.to_string()));
        let _ = std::fs::remove_file(&path);
        file
    })
    .await
    .map_err(|e| AppError::BadParameter("format", format!("the workbook could not be written: {e}")))?
}

fn xlsx_error(e: rust_xlsxwriter::XlsxError) -> AppError {
    AppError::BadParameter("format", format!("the workbook could not be written: {e}"))
}

/// Where exported rows go, page by page.
pub trait RowSink {
    fn header(&mut self, names: Vec<String>) -> Result<(), AppError>;
    fn row(&mut self, cells: Vec<String>) -> Result<(), AppError>;
    /// A page of rows is done (`rows` so far): a chance to pass bytes on.
    fn page_done(&mut self, rows: u64) -> impl Future<Output = Result<(), AppError>> + Send;
}

/// CSV rows, handed on as one chunk per page.
struct CsvRows<S: CsvSink> {
    writer: csv::Writer<Vec<u8>>,
    out: S,
}

impl<S: CsvSink> CsvRows<S> {
    fn new(out: S) -> CsvRows<S> {
        CsvRows { writer: csv::Writer::from_writer(Vec::new()), out }
    }
}

fn csv_error(e: csv::Error) -> AppError {
    AppError::BadParameter("output", e.to_string())
}

impl<S: CsvSink> RowSink for CsvRows<S> {
    fn header(&mut self, names: Vec<String>) -> Result<(), AppError> {
        self.writer.write_record(names).map_err(csv_error)
    }
    fn row(&mut self, cells: Vec<String>) -> Result<(), AppError> {
        self.writer.write_record(cells).map_err(csv_error)
    }
    fn page_done(&mut self, rows: u64) -> impl Future<Output = Result<(), AppError>> + Send {
        let writer = std::mem::replace(&mut self.writer, csv::Writer::from_writer(Vec::new()));
        let chunk = writer.into_inner().map_err(|e| AppError::BadParameter("output", e.to_string()));
        let sent = chunk.map(|chunk| self.out.emit(chunk, rows));
        async move {
            match sent {
                Ok(future) => future.await,
                Err(e) => Err(e),
            }
        }
    }
}

impl<S: CsvSink> CsvSink for &mut S {
    fn emit(&mut self, chunk: Vec<u8>, rows: u64) -> impl Future<Output = Result<(), AppError>> + Send {
        (**self).emit(chunk, rows)
    }
}

/// Rows into an Excel worksheet.
struct XlsxRows {
    workbook: rust_xlsxwriter::Workbook,
    row: u32,
}

impl XlsxRows {
    fn write(&mut self, cells: Vec<String>) -> Result<(), AppError> {
        if u64::from(self.row) > XLSX_MAX_ROWS {
            return Err(AppError::BadParameter(
                "format",
                format!(
                    "more than {XLSX_MAX_ROWS} records do not fit in an Excel worksheet; export CSV or narrow the filter"
                ),
            ));
        }
        let sheet = self.workbook.worksheet_from_index(0).map_err(xlsx_error)?;
        for (col, cell) in cells.iter().enumerate() {
            sheet.write_string(self.row, col as u16, cell).map_err(xlsx_error)?;
        }
        self.row += 1;
        Ok(())
    }
}

impl RowSink for XlsxRows {
    fn header(&mut self, names: Vec<String>) -> Result<(), AppError> {
        self.write(names)
    }
    fn row(&mut self, cells: Vec<String>) -> Result<(), AppError> {
        self.write(cells)
    }
    fn page_done(&mut self, _rows: u64) -> impl Future<Output = Result<(), AppError>> + Send {
        std::future::ready(Ok(()))
    }
}

/// Every record matching `params`, page by page of 500, into `sink`, as the
/// user may see them (export right, visibility, hidden fields). Audited when
/// it starts, before any row leaves (`export`), and when it ends, however it
/// ends (`export.end`: how many rows went out, and whether all did): a
/// client that goes away mid-stream leaves a trace of what it took.
pub async fn export_rows(
    app: &App,
    ctx: &Ctx,
    kind: EntityKind,
    params: &ListParams,
    sink: &mut impl RowSink,
) -> Result<u64, AppError> {
    ctx.access.check_kind(kind, relata_core::access::Right::Export)?;
    let schemas = app.schemas_for(ctx).await?;
    let schema = schemas.get(kind);
    let columns = export_columns(schema);
    // An export for a person reading it names columns and choices in their
    // language; one for a program keeps ids (and imports back either way).
    let labelled = ctx.language.is_some();
    let mut params = ListParams { limit: Some(500), cursor: None, ..params.clone() };
    // The first page checks the filter before anything is audited or sent.
    let mut page = list(app, ctx, kind, &params).await?.0;
    let event = |action: &str| crate::audit::Event::new(action).target("entity", kind.api_name());
    let asked = serde_json::json!({"filter": params.filter, "q": params.q, "deleted": params.deleted});
    crate::audit::audit(app, ctx, event("export").details(asked)).await?;
    let mut rows = 0u64;
    let sent: Result<(), AppError> = async {
        sink.header(columns.iter().map(|f| heading(f, labelled)).collect())?;
        loop {
            for record in &page.records {
                let cells = columns
                    .iter()
                    .map(|f| {
                        let value = if f.system { &record.field_value(&f.id) } else { record.values.get(f) };
                        cell(f, value, labelled)
                    })
                    .collect();
                sink.row(cells)?;
                rows += 1;
            }
            sink.page_done(rows).await?;
            match page.next_cursor.take() {
                Some(c) => params.cursor = Some(c),
                None => return Ok(()),
            }
            page = list(app, ctx, kind, &params).await?.0;
        }
    }
    .await;
    let end = match &sent {
        Ok(()) => event("export.end").details(serde_json::json!({"rows": rows, "completed": true})),
        Err(e) => event("export.end")
            .failed()
            .details(serde_json::json!({"rows": rows, "completed": false, "reason": e.to_string()})),
    };
    crate::audit::audit(app, ctx, end).await?;
    sent.map(|()| rows)
}

fn heading(field: &FieldDef, labelled: bool) -> String {
    if labelled { field.label.to_string() } else { field.qualified_id().into_owned() }
}

fn cell(field: &FieldDef, value: &relata_core::value::FieldValue, labelled: bool) -> String {
    use relata_core::value::FieldValue;
    match value {
        FieldValue::Text(option) if labelled && field.ty.options().is_some() => field.option_label(option).to_string(),
        FieldValue::List(options) if labelled && field.ty.options().is_some() => {
            options.iter().map(|o| field.option_label(o)).collect::<Vec<_>>().join("; ")
        }
        other => other.to_csv(),
    }
}

/// A table of a report's workbook: its sheet name, column headings and rows
/// (cells as text; those that read as numbers are written as numbers).
pub struct ReportTable {
    pub name: String,
    pub headings: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl ReportTable {
    pub fn new(name: &str, headings: &[&str], rows: Vec<Vec<String>>) -> ReportTable {
        ReportTable { name: name.to_string(), headings: headings.iter().map(|h| h.to_string()).collect(), rows }
    }
}

/// A report as a workbook: a summary sheet of (label, value), then a sheet
/// per table.
pub fn report_workbook(summary: &[(&str, String)], tables: &[ReportTable]) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};
    fn cell(sheet: &mut Worksheet, row: u32, col: u16, text: &str) -> Result<(), XlsxError> {
        match text.parse::<f64>() {
            Ok(n) if n.is_finite() => sheet.write_number(row, col, n).map(drop),
            _ => sheet.write_string(row, col, text).map(drop),
        }
    }
    let e = |e: XlsxError| e.to_string();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("Summary").map_err(e)?;
    for (i, (label, value)) in summary.iter().enumerate() {
        sheet.write_string(i as u32, 0, *label).map_err(e)?;
        cell(sheet, i as u32, 1, value).map_err(e)?;
    }
    for table in tables {
        let sheet = book.add_worksheet().set_name(&table.name).map_err(e)?;
        for (col, heading) in table.headings.iter().enumerate() {
            sheet.write_string(0, col as u16, heading).map_err(e)?;
        }
        for (i, row) in table.rows.iter().enumerate() {
            for (col, text) in row.iter().enumerate() {
                cell(sheet, i as u32 + 1, col as u16, text).map_err(e)?;
            }
        }
    }
    book.save_to_buffer().map_err(e)
}
