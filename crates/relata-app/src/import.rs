//! CSV and XLSX import (a workbook's first sheet is read as the CSV it
//! would be saved as): headers mapped to fields, every cell parsed like API input,
//! relations checked in batches, each row's problems reported by line.
//! All-or-nothing by default (one transaction, rolled back on any bad row);
//! with `skip_bad_rows` the good rows are kept and the bad ones reported.

use crate::error::AppError;
use crate::write::create_many_in;
use crate::{App, Ctx};
use relata_core::meta::{EntityKind, FieldDef, FieldType, Schema};
use relata_core::value::{ParseContext, Values, parse_text};
use serde::Serialize;
use std::collections::HashMap;
use std::io::Read;

#[derive(Clone, Debug)]
pub struct ImportOptions {
    pub skip_bad_rows: bool,
    /// Rows per batch (one relation check and one multi-row insert each).
    pub batch_size: usize,
    /// CSV header → field id; a field id of `-` ignores the column.
    pub mapping: HashMap<String, String>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions { skip_bad_rows: false, batch_size: 2000, mapping: HashMap::new() }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct RowError {
    /// 1-based line in the file (the header is line 1).
    pub line: u64,
    pub field: String,
    pub message: String,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct ImportReport {
    pub rows: u64,
    pub imported: u64,
    pub skipped: u64,
    /// Columns read but not imported (system and read-only fields).
    pub ignored_columns: Vec<String>,
    /// The first errors (at most `MAX_REPORTED_ERRORS`).
    pub errors: Vec<RowError>,
    pub error_count: u64,
    /// False when the import was rolled back (all-or-nothing with bad rows).
    pub committed: bool,
}

const MAX_REPORTED_ERRORS: usize = 1000;

/// Imports this large change the data enough to refresh planner statistics.
const REFRESH_STATISTICS_AFTER: u64 = 10_000;

enum ColumnUse<'s> {
    Field(&'s FieldDef),
    Ignored,
}

/// The column a header names: a field by id, else by its label (in any
/// language the UI is written in, as a labelled export writes them), among
/// the fields the importer may see.
fn resolve_header<'s>(
    schema: &'s Schema,
    translated: &[&Schema],
    header: &str,
    opts: &ImportOptions,
) -> Result<ColumnUse<'s>, String> {
    let wanted = opts.mapping.get(header).map(String::as_str).unwrap_or(header).trim();
    if wanted == "-" {
        return Ok(ColumnUse::Ignored);
    }
    let by_id = schema.field(wanted).or_else(|| schema.field(&wanted.to_lowercase()));
    let by_label = || {
        std::iter::once(schema)
            .chain(translated.iter().copied())
            .find_map(|s| s.visible_fields().find(|f| f.label.eq_ignore_ascii_case(wanted)))
            .and_then(|f| schema.field(&f.qualified_id()))
    };
    let field = by_id.or_else(by_label);
    match field {
        // Fields read-only for the importer's role are not written, like any other read-only field.
        Some(f) if f.is_writable() && !schema.is_read_only_for_role(f) => Ok(ColumnUse::Field(f)),
        Some(_) => Ok(ColumnUse::Ignored),
        None => Err(format!(
            "column {header:?} matches no field of {}; map it with --map '{header}=<field>' or ignore it with --map '{header}=-'",
            schema.kind.api_name()
        )),
    }
}

/// One parsed CSV row: its values, or the problems found in it.
enum ParsedRow {
    Good { line: u64, values: Values },
    Bad { line: u64, errors: Vec<(String, String)> },
}

/// Reads and parses rows on a thread of its own, so that parsing the next
/// batch overlaps with writing the previous one; batches travel through a
/// short channel, which keeps memory bounded.
fn spawn_parser<R: Read + Send + 'static>(
    mut reader: csv::Reader<R>,
    columns: Vec<Option<ImportColumn>>,
    parse: ParseContext,
    batch_size: usize,
) -> tokio::sync::mpsc::Receiver<Result<Vec<ParsedRow>, String>> {
    let (sender, receiver) = tokio::sync::mpsc::channel(2);
    tokio::task::spawn_blocking(move || {
        let mut batch = Vec::with_capacity(batch_size);
        let mut record = csv::StringRecord::new();
        let mut line: u64 = 1;
        loop {
            let parsed = match reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {
                    line = record.position().map_or(line + 1, |p| p.line());
                    parse_row(&record, &columns, &parse, line)
                }
                Err(e) if e.is_io_error() => {
                    let _ = sender.blocking_send(Err(format!("cannot read the file: {e}")));
                    return;
                }
                Err(e) => {
                    line += 1;
                    ParsedRow::Bad { line, errors: vec![(String::new(), format!("unreadable row: {e}"))] }
                }
            };
            batch.push(parsed);
            if batch.len() >= batch_size && sender.blocking_send(Ok(std::mem::take(&mut batch))).is_err() {
                return; // the importer stopped listening
            }
        }
        let _ = sender.blocking_send(Ok(batch));
    });
    receiver
}

/// A column read into a field; a choice's cells may hold an option's label
/// in any language (lower-cased here, with the option it names).
struct ImportColumn {
    field: FieldDef,
    options_by_label: HashMap<String, String>,
}

impl ImportColumn {
    fn new(field: &FieldDef, translated: &[&Schema]) -> ImportColumn {
        let mut options_by_label = HashMap::new();
        if matches!(field.ty, FieldType::Choice(_)) {
            let id = field.qualified_id();
            for schema in translated {
                let Some(same) = schema.field(&id) else { continue };
                for (option, label) in &same.option_labels {
                    options_by_label.entry(label.to_lowercase()).or_insert_with(|| option.clone());
                }
            }
        }
        ImportColumn { field: field.clone(), options_by_label }
    }

    /// The cell as the field's parser reads it: an option's label becomes the option.
    fn cell<'a>(&'a self, cell: &'a str) -> &'a str {
        if self.options_by_label.is_empty() {
            return cell;
        }
        self.options_by_label.get(&cell.trim().to_lowercase()).map_or(cell, String::as_str)
    }
}

fn parse_row(
    record: &csv::StringRecord,
    columns: &[Option<ImportColumn>],
    parse: &ParseContext,
    line: u64,
) -> ParsedRow {
    if record.len() != columns.len() {
        let message = format!("row has {} fields, the header has {}", record.len(), columns.len());
        return ParsedRow::Bad { line, errors: vec![(String::new(), message)] };
    }
    let mut values = Values::default();
    let mut errors = Vec::new();
    for (cell, column) in record.iter().zip(columns) {
        let Some(column) = column else { continue };
        let field = &column.field;
        match parse_text(field, column.cell(cell), parse) {
            Ok(v) => values.set(field, v),
            Err(e) => errors.push((e.field, e.message)),
        }
    }
    if errors.is_empty() { ParsedRow::Good { line, values } } else { ParsedRow::Bad { line, errors } }
}

pub async fn import_csv<R: Read + Send + 'static>(
    app: &App,
    ctx: &Ctx,
    kind: EntityKind,
    input: R,
    opts: &ImportOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<ImportReport, AppError> {
    let schemas = app.schemas_for(ctx).await?;
    let schema = schemas.get(kind);
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let headers = reader
        .headers()
        .map_err(|e| AppError::BadParameter("file", format!("cannot read the CSV header: {e}")))?
        .clone();
    let mut report = ImportReport::default();
    let mut translations = Vec::new();
    for language in relata_i18n::Language::OFFERED {
        translations.push(app.schemas_in(ctx.ws(), language).await?);
    }
    let translated: Vec<&Schema> = translations.iter().filter_map(|s| s.try_get(kind)).collect();
    let mut columns: Vec<Option<ImportColumn>> = Vec::with_capacity(headers.len());
    for h in headers.iter() {
        match resolve_header(schema, &translated, h, opts).map_err(|m| AppError::BadParameter("header", m))? {
            ColumnUse::Ignored => {
                report.ignored_columns.push(h.to_string());
                columns.push(None);
            }
            ColumnUse::Field(f) => {
                if columns.iter().flatten().any(|c| c.field.id == f.id && c.field.is_custom() == f.is_custom()) {
                    return Err(AppError::BadParameter(
                        "header",
                        format!("two columns map to field {}", f.qualified_id()),
                    ));
                }
                columns.push(Some(ImportColumn::new(f, &translated)));
            }
        }
    }
    let mut parsed = spawn_parser(reader, columns, ctx.parse.clone(), opts.batch_size.max(1));
    let mut tx = app.writer(ctx).await?;
    let mut writing = true;
    while let Some(chunk) = parsed.recv().await {
        let chunk = chunk.map_err(|m| AppError::BadParameter("file", m))?;
        let mut batch: Vec<Values> = Vec::with_capacity(chunk.len());
        let mut batch_lines: Vec<u64> = Vec::with_capacity(chunk.len());
        for row in chunk {
            report.rows += 1;
            match row {
                ParsedRow::Good { line, values } => {
                    batch.push(values);
                    batch_lines.push(line);
                }
                ParsedRow::Bad { line, errors } => {
                    for (field, message) in errors {
                        push_error(&mut report, line, &field, message);
                    }
                    writing &= opts.skip_bad_rows;
                }
            }
        }
        flush(&mut tx, ctx, schema, &mut batch, &mut batch_lines, &mut report, &mut writing, opts).await?;
        progress(report.rows);
    }
    report.skipped = report.rows - report.imported;
    if writing {
        let details = serde_json::json!({"rows": report.rows, "imported": report.imported, "skipped": report.skipped});
        crate::audit::audit_in(
            &mut tx,
            ctx,
            crate::audit::Event::new("import").target("entity", kind.api_name()).details(details),
        )
        .await?;
        tx.commit().await?;
        report.committed = true;
        if report.imported >= REFRESH_STATISTICS_AFTER {
            app.store.refresh_statistics().await?;
        }
    } else {
        report.imported = 0;
        report.skipped = report.rows;
    }
    Ok(report)
}

#[allow(clippy::too_many_arguments)]
async fn flush(
    tx: &mut relata_store::ScopedConn,
    ctx: &Ctx,
    schema: &Schema,
    batch: &mut Vec<Values>,
    lines: &mut Vec<u64>,
    report: &mut ImportReport,
    writing: &mut bool,
    opts: &ImportOptions,
) -> Result<(), AppError> {
    if batch.is_empty() {
        return Ok(());
    }
    let rows = std::mem::take(batch);
    let row_lines = std::mem::take(lines);
    if !*writing {
        // All-or-nothing has already failed: the rows were parsed for the
        // report; nothing more will be written.
        drop(rows);
        return Ok(());
    }
    let (good, failed) = create_many_in(tx, ctx, schema, rows).await?;
    for (i, errors) in failed {
        for e in errors {
            push_error(report, row_lines[i], &e.field, e.message);
        }
        *writing &= opts.skip_bad_rows;
    }
    report.imported += good.len() as u64;
    Ok(())
}

fn push_error(report: &mut ImportReport, line: u64, field: &str, message: String) {
    report.error_count += 1;
    if report.errors.len() < MAX_REPORTED_ERRORS {
        report.errors.push(RowError { line, field: field.to_string(), message });
    }
}

/// The media type of XLSX workbooks.
pub const XLSX_MEDIA_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A workbook's first sheet as CSV text, for [`import_csv`]: the first row
/// is the header; numbers are written as people type them (`12`, `12.5`),
/// dates as `2026-12-31` (date-times in RFC 3339), booleans as `true` and
/// `false`, error cells as their code (which then fails to parse, naming the
/// row). The message says what is wrong with a file that is not a workbook.
pub fn xlsx_to_csv(bytes: &[u8]) -> Result<Vec<u8>, String> {
    use calamine::{Data, Reader};
    let mut workbook =
        calamine::Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| format!("not a readable XLSX workbook: {e}"))?;
    let sheet = workbook.sheet_names().first().cloned().ok_or("the workbook has no sheet")?;
    let range = workbook.worksheet_range(&sheet).map_err(|e| format!("cannot read sheet {sheet:?}: {e}"))?;
    let mut out = csv::Writer::from_writer(Vec::new());
    for row in range.rows() {
        let cells = row.iter().map(|cell| match cell {
            Data::Empty => String::new(),
            Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
            Data::Int(i) => i.to_string(),
            Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
            Data::Float(f) => f.to_string(),
            Data::Bool(b) => b.to_string(),
            Data::DateTime(d) => match d.as_datetime() {
                Some(t) if t.time() == chrono::NaiveTime::MIN => t.date().to_string(),
                Some(t) => t.and_utc().to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
                None => d.as_f64().to_string(),
            },
            Data::Error(e) => format!("#{e:?}"),
        });
        out.write_record(cells).map_err(|e| e.to_string())?;
    }
    out.into_inner().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_workbook_reads_as_the_csv_people_would_save() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (col, header) in ["last_name", "employees", "score", "birthday", "key_account"].iter().enumerate() {
            sheet.write_string(0, col as u16, *header).unwrap();
        }
        sheet.write_string(1, 0, "Kowalska, Zofia \"Zosia\"").unwrap();
        sheet.write_number(1, 1, 250.0).unwrap();
        sheet.write_number(1, 2, 12.5).unwrap();
        let date = rust_xlsxwriter::ExcelDateTime::from_ymd(1980, 5, 17).unwrap();
        let format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
        sheet.write_datetime_with_format(1, 3, &date, &format).unwrap();
        sheet.write_boolean(1, 4, true).unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let csv = String::from_utf8(xlsx_to_csv(&bytes).unwrap()).unwrap();
        assert_eq!(
            csv,
            "last_name,employees,score,birthday,key_account\n\"Kowalska, Zofia \"\"Zosia\"\"\",250,12.5,1980-05-17,true\n"
        );
        assert!(xlsx_to_csv(b"not a zip at all").unwrap_err().starts_with("not a readable XLSX workbook"));
    }
}
