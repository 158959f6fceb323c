//! `relata import` and `relata export`: CSV in and out, with progress bars.

use crate::{DbArgs, entity, open, progress_bar};
use relata_app::Ctx;
use relata_app::export::export_csv;
use relata_app::import::{ImportOptions, import_csv};
use relata_app::read::ListParams;
use std::collections::HashMap;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;
use std::process::ExitCode;

/// `HEADER=FIELD` pairs from `--map`.
pub fn parse_mappings(mappings: &[String]) -> Result<HashMap<String, String>, String> {
    mappings
        .iter()
        .map(|m| {
            m.split_once('=')
                .map(|(h, f)| (h.trim().to_string(), f.trim().to_string()))
                .filter(|(h, f)| !h.is_empty() && !f.is_empty())
                .ok_or_else(|| format!("--map {m:?}: write HEADER=FIELD (or HEADER=- to ignore the column)"))
        })
        .collect()
}

pub async fn import(
    db: &DbArgs,
    name: &str,
    file: &Path,
    skip_bad_rows: bool,
    mappings: &[String],
    batch_size: usize,
) -> Result<ExitCode, String> {
    let mapping = parse_mappings(mappings)?;
    let xlsx = file.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    let (input, size): (Box<dyn Read + Send>, Option<u64>) = if file == Path::new("-") {
        (Box::new(std::io::stdin()), None)
    } else if xlsx {
        // A workbook is read whole (its sheet is zipped XML), then imported as CSV.
        let bytes = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let csv = relata_app::import::xlsx_to_csv(&bytes).map_err(|e| format!("{}: {e}", file.display()))?;
        let size = csv.len() as u64;
        (Box::new(std::io::Cursor::new(csv)), Some(size))
    } else {
        let f = std::fs::File::open(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let size = f.metadata().ok().map(|m| m.len());
        (Box::new(f), size)
    };
    let (app, ws) = open(db).await?;
    let kind = entity(&app, &ws, name).await?;
    let admin = app.bootstrap_admin(&ws).await.map_err(|e| e.to_string())?;
    let ctx = Ctx::new(ws, Some(admin.id));
    let opts = ImportOptions { skip_bad_rows, batch_size: batch_size.max(1), mapping };
    let bar = progress_bar(None, "importing");
    let counted = CountingReader { inner: BufReader::with_capacity(1 << 20, input), read: 0, bar: bar.clone() };
    if let Some(size) = size {
        bar.set_style(
            indicatif::ProgressStyle::with_template("{msg:>14} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec})")
                .expect("valid template")
                .progress_chars("=> "),
        );
        bar.set_length(size);
    }
    app.store.set_bulk_mode(true).await.map_err(|e| e.to_string())?;
    let report = import_csv(&app, &ctx, kind, counted, &opts, &|_| {}).await.map_err(|e| e.to_string())?;
    bar.finish_and_clear();
    println!("{}", serde_json::to_string_pretty(&report).expect("report serialises"));
    for e in report.errors.iter().take(20) {
        eprintln!(
            "line {}: {}{}",
            e.line,
            if e.field.is_empty() { String::new() } else { format!("{}: ", e.field) },
            e.message
        );
    }
    if report.error_count > 20 {
        eprintln!("… and {} more errors (all of them in the report above, up to 1000)", report.error_count - 20);
    }
    app.store.close().await;
    if report.committed {
        eprintln!("imported {} of {} rows into {name}; skipped {}", report.imported, report.rows, report.skipped);
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "nothing was imported: {} rows had errors. Fix them, or pass --skip-bad-rows to import the good rows.",
            report.error_count
        );
        Ok(ExitCode::from(2))
    }
}

/// Counts bytes read, for the progress bar.
struct CountingReader<R> {
    inner: R,
    read: u64,
    bar: indicatif::ProgressBar,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        self.bar.set_position(self.read);
        Ok(n)
    }
}

pub async fn export(
    db: &DbArgs,
    name: &str,
    filter: Option<String>,
    sort: Option<String>,
    output: Option<&Path>,
) -> Result<ExitCode, String> {
    let (app, ws) = open(db).await?;
    let kind = entity(&app, &ws, name).await?;
    let admin = app.bootstrap_admin(&ws).await.map_err(|e| e.to_string())?;
    let ctx = Ctx::new(ws, Some(admin.id));
    let params = ListParams { filter, sort, ..Default::default() };
    let out: Box<dyn Write> = match output {
        Some(path) => {
            Box::new(std::fs::File::create(path).map_err(|e| format!("cannot write {}: {e}", path.display()))?)
        }
        None => Box::new(std::io::stdout().lock()),
    };
    let bar = progress_bar(None, "exporting");
    if output.is_none() {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let rows = export_csv(&app, &ctx, kind, &params, BufWriter::with_capacity(1 << 20, out), &|n| bar.set_position(n))
        .await
        .map_err(|e| e.to_string())?;
    bar.finish_and_clear();
    if let Some(path) = output {
        eprintln!("exported {rows} {name} to {}", path.display());
    }
    app.store.close().await;
    Ok(ExitCode::SUCCESS)
}
