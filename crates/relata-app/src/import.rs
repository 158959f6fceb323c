//! CSV import: headers mapped to fields, every cell parsed like API input,
//! relations checked in batches, each row's problems reported by line.
//! All-or-nothing by default (one transaction, rolled back on any bad row);
//! with `skip_bad_rows` the good rows are kept and the bad ones reported.

use crate::error::AppError;
use crate::write::create_many_in;
use crate::{App, Ctx};
use relata_core::meta::{EntityKind, FieldDef, Schema};
use relata_core::value::{Values, parse_text};
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

enum ColumnUse<'s> {
    Field(&'s FieldDef),
    Ignored,
}

fn resolve_header<'s>(schema: &'s Schema, header: &str, opts: &ImportOptions) -> Result<ColumnUse<'s>, String> {
    let wanted = opts.mapping.get(header).map(String::as_str).unwrap_or(header).trim();
    if wanted == "-" {
        return Ok(ColumnUse::Ignored);
    }
    let by_id = schema.field(wanted).or_else(|| schema.field(&wanted.to_lowercase()));
    let field = by_id.or_else(|| schema.fields().find(|f| f.label.eq_ignore_ascii_case(wanted)));
    match field {
        Some(f) if f.is_writable() => Ok(ColumnUse::Field(f)),
        Some(_) => Ok(ColumnUse::Ignored),
        None => Err(format!(
            "column {header:?} matches no field of {}; map it with --map '{header}=<field>' or ignore it with --map '{header}=-'",
            schema.kind.api_name()
        )),
    }
}

pub async fn import_csv<R: Read>(
    app: &App,
    ctx: &Ctx,
    kind: EntityKind,
    input: R,
    opts: &ImportOptions,
    progress: &dyn Fn(u64),
) -> Result<ImportReport, AppError> {
    let schemas = app.schemas(ctx.ws()).await?;
    let schema = schemas.get(kind);
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let headers = reader
        .headers()
        .map_err(|e| AppError::BadParameter("file", format!("cannot read the CSV header: {e}")))?
        .clone();
    let mut report = ImportReport::default();
    let mut columns = Vec::with_capacity(headers.len());
    for h in headers.iter() {
        match resolve_header(schema, h, opts).map_err(|m| AppError::BadParameter("header", m))? {
            ColumnUse::Ignored => {
                report.ignored_columns.push(h.to_string());
                columns.push(None);
            }
            ColumnUse::Field(f) => {
                if columns.iter().flatten().any(|c: &&FieldDef| c.id == f.id && c.is_custom() == f.is_custom()) {
                    return Err(AppError::BadParameter(
                        "header",
                        format!("two columns map to field {}", f.qualified_id()),
                    ));
                }
                columns.push(Some(f));
            }
        }
    }
    let mut tx = app.store.write(ctx.ws()).await?;
    let mut batch: Vec<Values> = Vec::with_capacity(opts.batch_size);
    let mut batch_lines: Vec<u64> = Vec::with_capacity(opts.batch_size);
    let mut writing = true;
    let mut record = csv::StringRecord::new();
    let mut line: u64 = 1;
    loop {
        let more = match reader.read_record(&mut record) {
            Ok(more) => more,
            Err(e) => {
                line += 1;
                report.rows += 1;
                push_error(&mut report, line, "", format!("unreadable row: {e}"));
                writing &= opts.skip_bad_rows;
                continue;
            }
        };
        if !more {
            break;
        }
        line = record.position().map_or(line + 1, |p| p.line());
        report.rows += 1;
        if record.len() != columns.len() {
            push_error(
                &mut report,
                line,
                "",
                format!("row has {} fields, the header has {}", record.len(), columns.len()),
            );
            writing &= opts.skip_bad_rows;
            continue;
        }
        let mut values = Values::default();
        let mut bad = false;
        for (cell, column) in record.iter().zip(&columns) {
            let Some(field) = column else { continue };
            match parse_text(field, cell, &ctx.parse) {
                Ok(v) => values.set(field, v),
                Err(e) => {
                    push_error(&mut report, line, &e.field, e.message);
                    bad = true;
                }
            }
        }
        if bad {
            writing &= opts.skip_bad_rows;
            continue;
        }
        batch.push(values);
        batch_lines.push(line);
        if batch.len() >= opts.batch_size {
            flush(&mut tx, ctx, schema, &mut batch, &mut batch_lines, &mut report, &mut writing, opts).await?;
            progress(report.rows);
        }
    }
    flush(&mut tx, ctx, schema, &mut batch, &mut batch_lines, &mut report, &mut writing, opts).await?;
    progress(report.rows);
    report.skipped = report.rows - report.imported;
    if writing {
        tx.commit().await?;
        report.committed = true;
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
