//! `relata bench`: builds a demo database (1,000,000 contacts by default) and
//! prints one JSON line per figure, each next to a baseline measured in the
//! same run on the same machine:
//!
//! - demo-data load rate; CSV import rate next to `sqlite3`'s `.import` of
//!   the same file;
//! - GET a contact by id and GET the first page of a filtered list over HTTP
//!   at fixed concurrency, next to a minimal axum handler doing a bare SQLite
//!   `SELECT` by id on the same database (the only SQL outside the store
//!   crate, on purpose: it is the yardstick);
//! - full-text search and lookup-by-phone latency;
//! - the server's peak resident memory;
//! - durable jobs per second through the queue with a handler that does
//!   nothing, next to a bare insert and delete of the same rows with SQL.
//!
//! The servers run as separate processes (`relata serve` and a hidden
//! `relata bench-baseline`), loaded from this process.

use crate::bench_writes;
use crate::{DbArgs, create_token, load_demo, open};
use clap::Args;
use relata_app::Ctx;
use relata_app::import::{ImportOptions, import_csv};
use relata_app::module::DemoPlan;
use relata_app::read::{ListParams, list};
use relata_core::value::FieldValue;
use relata_sales::demo::{self, Rng};
use serde_json::{Value as Json, json};
use std::path::{Path, PathBuf};
use std::process::{Child, ExitCode, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Contacts in the benchmark database.
    #[arg(long, default_value_t = 1_000_000)]
    contacts: u64,
    /// Working directory for the databases and the CSV file (emptied first).
    #[arg(long, default_value = "relata-bench")]
    dir: PathBuf,
    /// Concurrent HTTP clients for the throughput figures.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Seconds per throughput measurement.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Reuse the database of an earlier run in --dir instead of building it again.
    #[arg(long)]
    reuse: bool,
    /// Only the durable-jobs figures (no contact database).
    #[arg(long)]
    jobs_only: bool,
    /// Jobs through the queue for the jobs figures.
    #[arg(long, default_value_t = 20_000)]
    jobs: u64,
    /// Instead of the figures: a mixed workload (70% reads, 30% writes) at
    /// concurrency 64 for this many seconds, on SQLite (the bench database in
    /// --dir) or on --database-url, printing throughput, latency, errors
    /// and memory per minute.
    #[arg(long)]
    soak: Option<u64>,
    /// Payments imported for the commerce figure on account balances.
    #[arg(long, default_value_t = 100_000)]
    payments: u64,
    /// Events delivered to a loopback receiver for the webhook figure.
    #[arg(long, default_value_t = 2_000)]
    webhook_events: u64,
    /// Only the commerce figures (quotes, PDF, webhooks, payments).
    #[arg(long)]
    commerce_only: bool,
    /// Only the API write figures (creates and updates next to a bare
    /// handler), on a fresh SQLite database in --dir or on --database-url.
    #[arg(long)]
    writes_only: bool,
    /// Only the automation figures (the dunning rule over --invoices overdue
    /// invoices and the drain of its emails; the feed's lag under writes).
    #[arg(long)]
    automation_only: bool,
    /// Overdue invoices for the dunning figure.
    #[arg(long, default_value_t = 100_000)]
    invoices: u64,
    /// Only the service figures (the case list by team and status, a full
    /// SLA re-evaluation) over --cases cases.
    #[arg(long)]
    service_only: bool,
    /// Cases for the service figures.
    #[arg(long, default_value_t = 100_000)]
    cases: u64,
    /// Only the call-center figures (caller lookup, ringing events, screen
    /// pops to connected agents) over --contacts contacts (with --reuse, on
    /// the database of an earlier run).
    #[arg(long)]
    calls_only: bool,
    /// Only the page-render figures (every language) and the assets'
    /// sizes over --contacts contacts (with --reuse, on the database of an
    /// earlier run).
    #[arg(long)]
    pages_only: bool,
    /// Only the offline-sync figures (a first sync of about 50,000 of the
    /// --contacts contacts, incremental syncs of 100 changes), with --reuse
    /// on the database of an earlier run.
    #[arg(long)]
    sync_only: bool,
}

impl BenchArgs {
    fn commerce(&self) -> crate::bench_commerce::CommerceBench {
        crate::bench_commerce::CommerceBench {
            seconds: self.seconds,
            concurrency: self.concurrency,
            payments: self.payments,
            webhook_events: self.webhook_events,
        }
    }
}

pub(crate) fn figure(name: &str, mut fields: Json) {
    fields["figure"] = json!(name);
    println!("{fields}");
}

fn ms(micros: u64) -> f64 {
    (micros as f64 / 10.0).round() / 100.0
}

fn quantile(sorted: &[u64], q: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

/// The cities the filtered lists look for (all in the demo data).
const BENCH_CITIES: [&str; 8] = ["Gdańsk", "Warszawa", "Vilnius", "Sofia", "Berlin", "Kraków", "Kaunas", "Varna"];

pub async fn run(db: &DbArgs, args: BenchArgs) -> Result<ExitCode, String> {
    if let Some(seconds) = args.soak {
        return crate::soak::run(db, &args.dir, args.contacts, seconds).await;
    }
    if args.writes_only {
        write_figures(db, &args).await?;
        return Ok(ExitCode::SUCCESS);
    }
    if args.commerce_only {
        crate::bench_commerce::run(&args.dir.join("commerce"), &args.commerce()).await?;
        return Ok(ExitCode::SUCCESS);
    }
    if args.automation_only {
        crate::bench_automation::run(&args.dir.join("automation"), args.invoices).await?;
        return Ok(ExitCode::SUCCESS);
    }
    if args.service_only {
        crate::bench_service::run(&args.dir.join("service"), args.cases).await?;
        return Ok(ExitCode::SUCCESS);
    }
    if args.calls_only {
        let (sample, addr, _server) = served_demo(&args, 2_000).await?;
        crate::bench_calls::figures(&addr, &sample.callers(), args.contacts).await;
        return Ok(ExitCode::SUCCESS);
    }
    if args.pages_only {
        let (sampled, addr, _server) = served_demo(&args, 200).await?;
        let cookie = format!("relata_session={}", sampled.session);
        page_figures(&addr, &sampled.contacts, &cookie).await;
        return Ok(ExitCode::SUCCESS);
    }
    if args.sync_only {
        let (demo_dir, _) = demo_database(&args).await?;
        sync_figures(&demo_dir).await?;
        return Ok(ExitCode::SUCCESS);
    }
    if args.jobs_only {
        std::fs::create_dir_all(&args.dir).map_err(|e| format!("cannot create {}: {e}", args.dir.display()))?;
        jobs_figures(&args.dir.join("jobs"), args.jobs).await?;
        return Ok(ExitCode::SUCCESS);
    }
    let (demo_dir, built) = demo_database(&args).await?;
    if built {
        import_figures(&args.dir, args.contacts).await?;
    }
    http_figures(&demo_dir, &args).await?;
    sync_figures(&demo_dir).await?;
    jobs_figures(&args.dir.join("jobs"), args.jobs).await?;
    crate::bench_commerce::run(&args.dir.join("commerce"), &args.commerce()).await?;
    crate::bench_automation::run(&args.dir.join("automation"), args.invoices).await?;
    crate::bench_service::run(&args.dir.join("service"), args.cases).await?;
    Ok(ExitCode::SUCCESS)
}

/// The demo database (built, or reused with `--reuse`), `count` of its
/// contacts sampled, and `relata serve` on it at a free address.
async fn served_demo(args: &BenchArgs, count: usize) -> Result<(Sample, String, ServerProcess), String> {
    let (demo_dir, _) = demo_database(args).await?;
    let sample = sample_contacts(&demo_dir, count).await?;
    let addr = free_address()?;
    let data_dir = demo_dir.to_string_lossy().to_string();
    let server = start(&["serve", "--data-dir", &data_dir, "--listen", &addr], &addr).await?;
    settled(&demo_dir).await?;
    Ok((sample, addr, server))
}

/// Waits until the server's change-feed consumers (webhooks, automation)
/// have read what the demo load wrote, so that the figures after it
/// measure a server at rest rather than one working through a backlog of
/// millions of entries; reports how long that took.
async fn settled(demo_dir: &Path) -> Result<(), String> {
    let (app, _) = open(&sqlite_args(demo_dir)).await?;
    let names: Vec<&'static str> = app.feed_consumers().iter().map(|c| c.name()).collect();
    let head = app.store.feed_head().await.map_err(|e| e.to_string())?;
    let lowest = async || -> Result<i64, String> {
        let mut lowest = i64::MAX;
        for name in &names {
            lowest = lowest.min(app.store.feed_offset(name).await.map_err(|e| e.to_string())?);
        }
        Ok(lowest)
    };
    let (started, from) = (Instant::now(), lowest().await?);
    let mut reached = from;
    while reached < head && started.elapsed() < Duration::from_secs(1200) {
        tokio::time::sleep(Duration::from_millis(500)).await;
        reached = lowest().await?;
    }
    let seconds = started.elapsed().as_secs_f64();
    figure(
        "feed_consumers_settled",
        json!({"entries_behind": head - from, "caught_up": reached >= head, "seconds": (seconds * 10.0).round() / 10.0,
               "note": "the feed's consumers read the demo load's changes before the figures are measured"}),
    );
    app.store.close().await;
    Ok(())
}

/// Offline sync's figures on the demo database, against a server of its own.
async fn sync_figures(demo_dir: &Path) -> Result<(), String> {
    let cities = crate::bench_sync::cities(demo_dir).await?;
    let token = {
        let (app, ws) = open(&sqlite_args(demo_dir)).await?;
        let token = create_token(&app, &ws, "bench sync", "read_write").await?;
        app.store.close().await;
        token
    };
    let addr = free_address()?;
    let data_dir = demo_dir.to_string_lossy().to_string();
    let _server = start(&["serve", "--data-dir", &data_dir, "--listen", &addr], &addr).await?;
    crate::bench_sync::figures(&addr, &token, demo_dir, cities).await;
    Ok(())
}

/// The demo database in `--dir`: built afresh (the directory emptied
/// first) unless `--reuse` finds one; says whether it was built.
async fn demo_database(args: &BenchArgs) -> Result<(std::path::PathBuf, bool), String> {
    let demo_dir = args.dir.join("demo");
    if args.reuse && demo_dir.join("relata.db").exists() {
        return Ok((demo_dir, false));
    }
    if args.dir.exists() {
        std::fs::remove_dir_all(&args.dir).map_err(|e| format!("cannot empty {}: {e}", args.dir.display()))?;
    }
    std::fs::create_dir_all(&args.dir).map_err(|e| format!("cannot create {}: {e}", args.dir.display()))?;
    build_demo(&demo_dir, args.contacts).await?;
    Ok((demo_dir, true))
}

/// A job kind that does nothing: what the queue itself costs.
struct Noop;

impl relata_app::jobs::JobHandler for Noop {
    fn kind(&self) -> &'static str {
        "bench.noop"
    }

    fn run<'a>(
        &'a self,
        _app: &'a relata_app::App,
        _job: &'a relata_store::jobs::Job,
    ) -> relata_app::module::BoxFuture<'a, Result<(), relata_app::jobs::JobError>> {
        Box::pin(async { Ok(()) })
    }
}

/// Jobs per second through the queue (enqueued in batches, claimed and
/// finished by a process's workers) next to `sqlite3`-free bare SQL on the
/// same kind of database: the same rows inserted in the same batches, then
/// deleted one transaction each, as each job is finished in one.
async fn jobs_figures(dir: &Path, jobs: u64) -> Result<(), String> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| e.to_string())?;
    }
    let (app, ws) = open(&sqlite_args(&dir.join("queue"))).await?;
    let app = Arc::new(app);
    let ctx = Ctx::new(ws, None);
    let handler: Arc<dyn relata_app::jobs::JobHandler> = Arc::new(Noop);
    const BATCH: u64 = 1000;
    let started = Instant::now();
    let mut left = jobs;
    while left > 0 {
        let mut tx = app.store.write(ctx.ws()).await.map_err(|e| e.to_string())?;
        for _ in 0..left.min(BATCH) {
            let job = relata_store::jobs::NewJob {
                kind: "bench.noop".into(),
                payload: json!({}),
                run_at: app.store.now(),
                max_attempts: 3,
                idempotency_key: None,
                schedule: None,
            };
            tx.enqueue_job(job).await.map_err(|e| e.to_string())?;
        }
        tx.commit().await.map_err(|e| e.to_string())?;
        left -= left.min(BATCH);
    }
    let enqueued = started.elapsed().as_secs_f64();
    let options = relata_app::jobs::WorkerOptions { concurrency: 16, ..Default::default() };
    let workers = Arc::new(relata_app::jobs::Workers::with_handlers(app.clone(), vec![handler], options));
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let started = Instant::now();
    let running = tokio::spawn(workers.run(stopped));
    loop {
        let counts = app.store.job_counts(None).await.map_err(|e| e.to_string())?;
        if counts.iter().any(|(s, n)| s == "done" && *n as u64 == jobs) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let ran = started.elapsed().as_secs_f64();
    let _ = stop.send(true);
    let _ = running.await;
    app.store.close().await;
    let baseline = bare_insert_and_delete(&dir.join("bare"), jobs, BATCH).await?;
    figure(
        "jobs_through_the_queue",
        json!({"jobs": jobs, "enqueue_per_s": (jobs as f64 / enqueued).round(), "seconds": ran,
            "jobs_per_s": (jobs as f64 / ran).round(), "concurrency": 16,
            "baseline_bare_insert_and_delete_per_s": (jobs as f64 / baseline).round(),
            "ratio_to_baseline": ((baseline / ran) * 100.0).round() / 100.0,
            "target": ">= 2000 jobs/s on SQLite"}),
    );
    Ok(())
}

/// Seconds bare SQL takes to insert `jobs` rows of the jobs table in batches
/// and delete them one transaction each (the least a durable queue does).
async fn bare_insert_and_delete(dir: &Path, jobs: u64, batch: u64) -> Result<f64, String> {
    use sqlx::Connection;
    let (app, ws) = open(&sqlite_args(dir)).await?;
    app.store.close().await;
    let url = format!("sqlite://{}", dir.join("relata.db").display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.map_err(|e| e.to_string())?;
    sqlx::raw_sql("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
        .execute(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
    let ws = ws.id.uuid();
    let now = chrono::Utc::now();
    let started = Instant::now();
    let mut ids = Vec::with_capacity(jobs as usize);
    let mut left = jobs;
    while left > 0 {
        let mut tx = conn.begin().await.map_err(|e| e.to_string())?;
        for _ in 0..left.min(batch) {
            let id = uuid::Uuid::now_v7();
            sqlx::query(
                "INSERT INTO jobs (workspace_id, id, kind, payload, state, run_at, attempts, max_attempts, \
                 created_at, updated_at) VALUES (?, ?, 'bench.noop', '{}', 'queued', ?, 0, 3, ?, ?)",
            )
            .bind(ws)
            .bind(id)
            .bind(now)
            .bind(now)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| e.to_string())?;
            ids.push(id);
        }
        tx.commit().await.map_err(|e| e.to_string())?;
        left -= left.min(batch);
    }
    for id in ids {
        let mut tx = conn.begin().await.map_err(|e| e.to_string())?;
        sqlx::query("DELETE FROM jobs WHERE workspace_id = ? AND id = ?")
            .bind(ws)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(|e| e.to_string())?;
        tx.commit().await.map_err(|e| e.to_string())?;
    }
    Ok(started.elapsed().as_secs_f64())
}

pub(crate) fn sqlite_args(dir: &Path) -> DbArgs {
    DbArgs { data_dir: dir.to_path_buf(), database_url: None }
}

async fn build_demo(dir: &Path, contacts: u64) -> Result<(), String> {
    let (app, ws) = open(&sqlite_args(dir)).await?;
    let started = Instant::now();
    let counts = load_demo(&app, &ws, &DemoPlan { contacts, ..Default::default() }).await?;
    let seconds = started.elapsed().as_secs_f64();
    // People are not records.
    let records: u64 = counts.iter().filter(|(what, _)| *what != "users").map(|(_, n)| n).sum();
    figure(
        "demo_load",
        json!({"records": records, "contacts": counts.get("contacts"), "seconds": seconds,
            "records_per_s": (records as f64 / seconds).round()}),
    );
    app.store.close().await;
    Ok(())
}

async fn import_figures(dir: &Path, rows: u64) -> Result<(), String> {
    let csv_path = dir.join("contacts.csv");
    let file = std::fs::File::create(&csv_path).map_err(|e| e.to_string())?;
    demo::write_contacts_csv(7, rows, std::io::BufWriter::new(file)).map_err(|e| e.to_string())?;

    let baseline = sqlite3_import(&csv_path, &dir.join("baseline.db"))?;
    let same_writes = sql_same_writes(&csv_path, &dir.join("sql-baseline")).await?;

    let (app, ws) = open(&sqlite_args(&dir.join("import"))).await?;
    let admin = app.bootstrap_admin(&ws).await.map_err(|e| e.to_string())?;
    let ctx = Ctx::new(ws, Some(admin.id));
    let input = std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(&csv_path).map_err(|e| e.to_string())?);
    app.store.set_bulk_mode(true).await.map_err(|e| e.to_string())?;
    let started = Instant::now();
    let report = import_csv(&app, &ctx, relata_crm::CONTACTS, input, &ImportOptions::default(), &|_| {})
        .await
        .map_err(|e| e.to_string())?;
    let seconds = started.elapsed().as_secs_f64();
    if !report.committed || report.imported != rows {
        return Err(format!("the benchmark import failed: {:?}", report.errors.first()));
    }
    let rate = rows as f64 / seconds;
    let mut line = json!({"rows": rows, "seconds": seconds, "rows_per_s": rate.round(),
        "target": "within 4x of sqlite3 .import"});
    match baseline {
        Some(b) => {
            line["baseline_sqlite3_import_rows_per_s"] = json!((rows as f64 / b).round());
            line["times_slower_than_baseline"] = json!(((seconds / b) * 100.0).round() / 100.0);
        }
        None => line["baseline_sqlite3_import_rows_per_s"] = json!("sqlite3 not installed; run scripts/bench"),
    }
    if let Some(b) = same_writes {
        line["same_writes_baseline_rows_per_s"] = json!((rows as f64 / b).round());
        line["times_slower_than_same_writes_baseline"] = json!(((seconds / b) * 100.0).round() / 100.0);
    }
    figure("csv_import", line);
    app.store.close().await;
    disk_figure(&dir.join("import"), rows).await
}

/// Bytes the imported contacts take on disk: the database file after its
/// write-ahead log is folded in, per contact (records, their indexes,
/// contact points, search documents and index, change entries).
async fn disk_figure(dir: &Path, rows: u64) -> Result<(), String> {
    use sqlx::Connection;
    let db = dir.join("relata.db");
    let mut conn =
        sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display())).await.map_err(|e| e.to_string())?;
    sqlx::raw_sql("PRAGMA wal_checkpoint(TRUNCATE)").execute(&mut conn).await.map_err(|e| e.to_string())?;
    conn.close().await.map_err(|e| e.to_string())?;
    let bytes = std::fs::metadata(&db).map_err(|e| e.to_string())?.len();
    figure(
        "bytes_per_contact",
        json!({"contacts": rows, "database_bytes": bytes, "bytes_per_contact": bytes / rows.max(1),
            "target": "half of schema v5's 2,750 (text ids, single-column keys)"}),
    );
    Ok(())
}

/// Seconds `sqlite3` takes to `.import` the CSV into a new table, or `None`
/// when the sqlite3 shell is not installed.
fn sqlite3_import(csv: &Path, db: &Path) -> Result<Option<f64>, String> {
    run_sqlite3(db, &format!(".mode csv\n.import '{}' contacts\n", csv.display()))
}

/// Seconds the bundled SQLite takes to write, with SQL alone, the rows
/// Relata writes for the CSV's contacts (records, contact points, search
/// entries, change entries): the import without parsing, validation and
/// normalisation. The file is staged in a temporary in-memory table first,
/// outside the timing, so the yardstick writes to the database file only
/// what the import writes.
async fn sql_same_writes(csv_path: &Path, dir: &Path) -> Result<Option<f64>, String> {
    use sqlx::Connection;
    let (app, ws) = open(&sqlite_args(dir)).await?;
    let admin = app.bootstrap_admin(&ws).await.map_err(|e| e.to_string())?;
    app.store.close().await;
    let url = format!("sqlite://{}", dir.join("relata.db").display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.map_err(|e| e.to_string())?;
    let err = |e: sqlx::Error| e.to_string();
    sqlx::raw_sql(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-1048576; PRAGMA temp_store=memory;",
    )
    .execute(&mut conn)
    .await
    .map_err(err)?;
    stage_csv(&mut conn, csv_path).await?;
    // Ids are stored as 16 bytes, as Relata stores them; each stage row's
    // record id comes from its rowid.
    let (ws, owner) = (ws.id.uuid().simple().to_string(), admin.id.uuid().simple().to_string());
    let tx = uuid::Uuid::now_v7().simple().to_string();
    let now = relata_core::record::now_micros().to_rfc3339();
    let id = "unhex(printf('%032x', rowid))";
    let words = "replace(replace(replace(lower(emails), '@', ' '), '.', ' '), '-', ' ')";
    let script = format!(
        "BEGIN;
INSERT INTO contacts (id, workspace_id, version, owner_id, created_at, updated_at, created_by_id, updated_by_id,
    first_name, last_name, title, emails, phones, street, city, postal_code, region, country, birthday, language,
    lifecycle, custom)
  SELECT {id}, X'{ws}', 1, X'{owner}', '{now}', '{now}', X'{owner}', X'{owner}', first_name, last_name, title,
    json_array(emails), json_array(phones), street, city, postal_code, region, country, birthday, language,
    lifecycle, '{{}}' FROM bench_stage;
INSERT INTO contact_points (workspace_id, entity, record_id, kind, value)
  SELECT X'{ws}', 'contact', {id}, 'email', lower(emails) FROM bench_stage;
INSERT INTO contact_points (workspace_id, entity, record_id, kind, value)
  SELECT X'{ws}', 'contact', {id}, 'phone', phones FROM bench_stage;
INSERT INTO search_docs_input (workspace_id, entity, record_id, content)
  SELECT X'{ws}', 'contact', {id}, lower(first_name || ' ' || last_name || ' ' || {words} || ' ' || phones || ' ' || city)
  FROM bench_stage;
INSERT INTO changes (workspace_id, entity, record_id, op, actor_id, at, diff, tx_id, version, owner_after)
  SELECT X'{ws}', 'contact', {id}, 'create', X'{owner}', '{now}', json_object('first_name', first_name,
    'last_name', last_name, 'title', title, 'emails', json_array(emails), 'phones', json_array(phones),
    'street', street, 'city', city, 'postal_code', postal_code, 'region', region, 'country', country,
    'birthday', birthday, 'language', language, 'lifecycle', lifecycle), X'{tx}', 1,
    X'{owner}'
  FROM bench_stage;
COMMIT;
"
    );
    let started = Instant::now();
    sqlx::raw_sql(sqlx::AssertSqlSafe(script)).execute(&mut conn).await.map_err(err)?;
    let seconds = started.elapsed().as_secs_f64();
    conn.close().await.map_err(err)?;
    Ok(Some(seconds))
}

/// Loads the CSV into the temporary table `bench_stage`, one text column
/// per header.
async fn stage_csv(conn: &mut sqlx::SqliteConnection, csv_path: &Path) -> Result<(), String> {
    let mut reader = csv::Reader::from_path(csv_path).map_err(|e| e.to_string())?;
    let headers: Vec<String> = reader.headers().map_err(|e| e.to_string())?.iter().map(str::to_string).collect();
    if headers.iter().any(|h| !h.chars().all(|c| c.is_ascii_lowercase() || c == '_')) {
        return Err(format!("unexpected CSV headers {headers:?}"));
    }
    let create = format!("CREATE TEMP TABLE bench_stage ({})", headers.join(", "));
    sqlx::raw_sql(sqlx::AssertSqlSafe(create)).execute(&mut *conn).await.map_err(|e| e.to_string())?;
    let row = format!("({})", vec!["?"; headers.len()].join(", "));
    let mut records = reader.records();
    loop {
        let batch: Vec<csv::StringRecord> =
            records.by_ref().take(500).collect::<Result<_, _>>().map_err(|e| e.to_string())?;
        if batch.is_empty() {
            return Ok(());
        }
        let sql = format!("INSERT INTO bench_stage VALUES {}", vec![row.as_str(); batch.len()].join(", "));
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for record in &batch {
            for i in 0..headers.len() {
                query = query.bind(record.get(i).unwrap_or_default().to_string());
            }
        }
        query.execute(&mut *conn).await.map_err(|e| e.to_string())?;
    }
}

/// Seconds `sqlite3 DB` takes to run `script`, or `None` when the sqlite3
/// shell is not installed.
fn run_sqlite3(db: &Path, script: &str) -> Result<Option<f64>, String> {
    let started = Instant::now();
    let child =
        std::process::Command::new("sqlite3").arg("-bail").arg(db).stdin(Stdio::piped()).stdout(Stdio::null()).spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot run sqlite3: {e}")),
    };
    use std::io::Write;
    child.stdin.take().expect("piped").write_all(script.as_bytes()).map_err(|e| e.to_string())?;
    let status = child.wait().map_err(|e| e.to_string())?;
    if !status.success() {
        return Err(format!("sqlite3 failed: {status}"));
    }
    Ok(Some(started.elapsed().as_secs_f64()))
}

/// Kills a child server when dropped.
pub(crate) struct ServerProcess(pub(crate) Child);

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(crate) fn free_address() -> Result<String, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.to_string())
}

pub(crate) async fn start(args: &[&str], addr: &str) -> Result<ServerProcess, String> {
    start_with_env(args, addr, &[]).await
}

/// [`start`] with more environment variables.
pub(crate) async fn start_with_env(args: &[&str], addr: &str, env: &[(&str, &str)]) -> Result<ServerProcess, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let child = std::process::Command::new(exe)
        .args(args)
        .envs(env.iter().copied())
        // RELATA_BENCH_SERVER_LOG: the servers' log filter, to look into a figure.
        .env("RELATA_LOG", std::env::var("RELATA_BENCH_SERVER_LOG").unwrap_or_else(|_| "warn".into()))
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start the server: {e}"))?;
    let process = ServerProcess(child);
    let client = reqwest::Client::new();
    for _ in 0..600 {
        if let Ok(r) = client.get(format!("http://{addr}/healthz")).send().await
            && r.status().is_success()
        {
            return Ok(process);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!("the server at {addr} did not become ready"))
}

/// What the HTTP figures request, and as whom.
struct Sample {
    /// (id, first phone) of contacts spread over the whole table.
    contacts: Vec<(String, Option<String>)>,
    workspace: String,
    /// Read-only, for the read figures; the write figures use `writer_token`.
    token: String,
    writer_token: String,
    /// The telephone switch's (scope telephony), for the call events.
    switch_token: String,
    session: String,
    /// (user id, token) of the call-center agents.
    agents: Vec<(String, String)>,
}

impl Sample {
    fn callers(&self) -> crate::bench_calls::Callers<'_> {
        crate::bench_calls::Callers {
            sample: &self.contacts,
            token: &self.token,
            writer_token: &self.writer_token,
            switch_token: &self.switch_token,
            agents: &self.agents,
        }
    }
}

/// Picks contacts spread over the whole table (by random time-ordered ids).
async fn sample_contacts(dir: &Path, count: usize) -> Result<Sample, String> {
    let (app, ws) = open(&sqlite_args(dir)).await?;
    let ctx = Ctx::new(ws, None);
    let mut rng = Rng::new(99);
    let now = chrono::Utc::now().timestamp_millis() as u64;
    let span = 731 * 24 * 3600 * 1000;
    let mut out = Vec::with_capacity(count);
    for _ in 0..count * 2 {
        if out.len() >= count {
            break;
        }
        let millis = now - rng.next_u64() % span;
        let probe = uuid::Builder::from_unix_timestamp_millis(millis, &[0; 10]).into_uuid();
        let params = ListParams {
            filter: Some(format!("id >= \"{probe}\"")),
            sort: Some("id".into()),
            limit: Some(1),
            ..Default::default()
        };
        let (page, _) = list(&app, &ctx, relata_crm::CONTACTS, &params).await.map_err(|e| e.to_string())?;
        if let Some(r) = page.records.first() {
            let phone = match r.values.std("phones") {
                FieldValue::List(p) => p.first().cloned(),
                _ => None,
            };
            out.push((r.id.to_string(), phone));
        }
    }
    let ws = app.store.ensure_default_workspace().await.map_err(|e| e.to_string())?;
    let token = create_token(&app, &ws, "bench", "read").await?;
    let writer_token = create_token(&app, &ws, "bench writes", "read_write").await?;
    let switch_token = create_token(&app, &ws, "bench switch", "telephony").await?;
    let session = browser_session(&app, &ws).await?;
    let agents = crate::bench_calls::agents(&app, &ws).await?;
    app.store.close().await;
    Ok(Sample { contacts: out, workspace: ws.id.to_string(), token, writer_token, switch_token, session, agents })
}

/// A signed-in session of the workspace's administrator, as a browser has
/// it after `/login` (the benchmark measures pages as people get them).
async fn browser_session(app: &relata_app::App, ws: &relata_store::admin::Workspace) -> Result<String, String> {
    use relata_identity::secret::{SecretKind, digest, generate};
    let admin = app.bootstrap_admin(ws).await.map_err(|e| e.to_string())?;
    let secret = generate(SecretKind::Session).map_err(|e| e.to_string())?;
    let csrf = generate(SecretKind::Csrf).map_err(|e| e.to_string())?;
    let id = digest(&secret);
    let session = relata_store::identity::NewSession {
        id: &id,
        user: admin.id,
        workspace: ws.id,
        csrf_token: &csrf,
        expires_at: chrono::Utc::now() + chrono::TimeDelta::hours(2),
        address: None,
        user_agent: Some("relata bench"),
    };
    app.store.create_session(&session).await.map_err(|e| e.to_string())?;
    Ok(secret)
}

pub(crate) struct Load {
    pub(crate) requests: u64,
    pub(crate) errors: u64,
    seconds: f64,
    latencies: Vec<u64>,
}

impl Load {
    pub(crate) fn rate(&self) -> f64 {
        (self.requests as f64 / self.seconds).round()
    }
    pub(crate) fn p(&self, q: f64) -> f64 {
        ms(quantile(&self.latencies, q))
    }
}

/// `concurrency` clients requesting `urls` round-robin for `duration`.
async fn load(urls: Arc<Vec<String>>, token: Option<&str>, concurrency: usize, duration: Duration) -> Load {
    let client = reqwest::Client::builder().pool_max_idle_per_host(concurrency).build().expect("client");
    let auth = token.map(|t| format!("Bearer {t}"));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..concurrency {
        let (client, urls, auth) = (client.clone(), urls.clone(), auth.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            let mut i = worker * 7919;
            while started.elapsed() < duration {
                let url = &urls[i % urls.len()];
                i += 1;
                let sent = Instant::now();
                let mut request = client.get(url);
                if let Some(a) = &auth {
                    request = request.header("authorization", a);
                }
                match request.send().await {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                    }
                    _ => errors += 1,
                }
                latencies.push(sent.elapsed().as_micros() as u64);
            }
            (latencies, errors)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    for t in tasks {
        if let Ok((l, e)) = t.await {
            latencies.extend(l);
            errors += e;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    Load { requests: latencies.len() as u64, errors, seconds, latencies }
}

/// One client, one request at a time: latency without queueing.
pub(crate) async fn sequential(urls: &[String], header: (&str, &str)) -> Load {
    let client = reqwest::Client::new();
    in_turn(urls.iter().map(|url| client.get(url).header(header.0, header.1))).await
}

/// The same pages in the other languages (chosen by the browser's
/// `Accept-Language`, the person having chosen none): p95 per page and
/// language, as `page_render_languages`.
async fn page_languages(pages: &[(&str, Vec<String>)], cookie: &str) {
    let client = reqwest::Client::new();
    let mut by_language = serde_json::Map::new();
    let (mut worst, mut errors) = (0.0f64, 0);
    for language in ["pl", "lt", "ru", "bg"] {
        let mut by_page = serde_json::Map::new();
        for (name, urls) in pages {
            let requests = urls
                .iter()
                .take(50)
                .map(|url| client.get(url).header("cookie", cookie).header("accept-language", language));
            let rendered = in_turn(requests).await;
            let p95 = rendered.p(0.95);
            worst = worst.max(p95);
            errors += rendered.errors;
            by_page.insert(name.to_string(), json!(p95));
        }
        by_language.insert(language.to_string(), Json::Object(by_page));
    }
    figure(
        "page_render_languages",
        json!({"p95_ms": by_language, "worst_p95_ms": worst, "errors": errors, "target_ms": 50,
               "note": "50 requests per page and language, the language from Accept-Language"}),
    );
}

/// The sizes of the stylesheet and script every page loads, as served.
async fn asset_sizes(addr: &str) {
    let client = reqwest::Client::new();
    let mut sizes = serde_json::Map::new();
    let mut errors = 0;
    for (name, path) in
        [("css_bytes", "/assets/app.css"), ("js_bytes", "/assets/app.js"), ("icon_bytes", "/assets/favicon.svg")]
    {
        match client.get(format!("http://{addr}{path}")).send().await {
            Ok(r) if r.status().is_success() => {
                sizes.insert(name.to_string(), json!(r.bytes().await.map_or(0, |b| b.len())));
            }
            _ => errors += 1,
        }
    }
    sizes.insert("errors".into(), json!(errors));
    sizes.insert("note".into(), json!("uncompressed, as every page loads them (cached for an hour)"));
    figure("ui_assets", Json::Object(sizes));
}

/// POSTs each JSON body to `url` in turn, with a bearer token.
pub(crate) async fn post_sequential(url: &str, bodies: &[String], token: &str) -> Load {
    let client = reqwest::Client::new();
    let json = |body: &String| {
        client.post(url).bearer_auth(token).header("content-type", "application/json").body(body.clone())
    };
    in_turn(bodies.iter().map(json)).await
}

/// Sends the requests one after the other, timing each.
async fn in_turn(requests: impl Iterator<Item = reqwest::RequestBuilder>) -> Load {
    let started = Instant::now();
    let mut latencies = Vec::new();
    let mut errors = 0;
    for request in requests {
        let sent = Instant::now();
        match request.send().await {
            Ok(r) if r.status().is_success() => {
                let _ = r.bytes().await;
            }
            _ => errors += 1,
        }
        latencies.push(sent.elapsed().as_micros() as u64);
    }
    latencies.sort_unstable();
    Load { requests: latencies.len() as u64, errors, seconds: started.elapsed().as_secs_f64(), latencies }
}

fn peak_rss_mb(pid: u32) -> Option<f64> {
    status_mb(pid, "VmHWM:")
}

/// A memory figure of a process from `/proc/PID/status` (`VmHWM:` the peak,
/// `VmRSS:` the current resident size), in MB with one decimal.
pub(crate) fn status_mb(pid: u32, field: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some((kb / 1024.0 * 10.0).round() / 10.0)
}

async fn http_figures(dir: &Path, args: &BenchArgs) -> Result<(), String> {
    let sampled = sample_contacts(dir, 2_000).await?;
    let Sample { contacts: sample, workspace, token, writer_token, session, .. } = &sampled;
    let bearer = format!("Bearer {token}");
    let cookie = format!("relata_session={session}");
    let duration = Duration::from_secs(args.seconds);
    let c = args.concurrency;
    let data_dir = dir.to_string_lossy().to_string();

    // The yardstick first, alone on the machine.
    let baseline_addr = free_address()?;
    let db_file = dir.join("relata.db").to_string_lossy().to_string();
    let baseline = start(&["bench-baseline", "--db", &db_file, "--listen", &baseline_addr], &baseline_addr).await?;
    let urls: Vec<String> = sample.iter().map(|(id, _)| format!("http://{baseline_addr}/contacts/{id}")).collect();
    let base = load(Arc::new(urls), None, c, duration).await;
    figure(
        "baseline_bare_sqlite_get_by_id",
        json!({"concurrency": c, "requests_per_s": base.rate(), "p50_ms": base.p(0.5), "p99_ms": base.p(0.99),
            "errors": base.errors}),
    );
    let filters: Vec<(&str, &str)> =
        BENCH_CITIES.iter().flat_map(|city| ["current", "potential"].map(|lc| (lc, *city))).collect();
    let urls: Vec<String> = filters
        .iter()
        .map(|(lc, city)| {
            format!("http://{baseline_addr}/contacts?workspace={workspace}&lifecycle={lc}&city={}", urlencode(city))
        })
        .collect();
    let base_list = load(Arc::new(urls), None, c, duration).await;
    drop(baseline);
    figure(
        "baseline_bare_sqlite_filtered_list",
        json!({"concurrency": c, "requests_per_s": base_list.rate(), "p50_ms": base_list.p(0.5),
            "p99_ms": base_list.p(0.99), "errors": base_list.errors}),
    );

    let addr = free_address()?;
    let server = start(&["serve", "--data-dir", &data_dir, "--listen", &addr], &addr).await?;
    settled(dir).await?;
    let ours_vs_base = |name: &str, l: &Load| {
        figure(
            name,
            json!({"concurrency": c, "requests_per_s": l.rate(), "p50_ms": l.p(0.5), "p99_ms": l.p(0.99),
                "errors": l.errors, "baseline_requests_per_s": base.rate(), "baseline_p99_ms": base.p(0.99),
                "ratio_to_baseline": ((l.rate() / base.rate()) * 100.0).round() / 100.0, "target": ">= 0.5"}),
        );
    };
    let urls: Vec<String> = sample.iter().map(|(id, _)| format!("http://{addr}/api/v1/contacts/{id}")).collect();
    let get = load(Arc::new(urls), Some(token), c, duration).await;
    ours_vs_base("get_contact_by_id", &get);

    let urls: Vec<String> = filters
        .iter()
        .map(|(lc, city)| {
            let filter = format!("lifecycle = \"{lc}\" and city = \"{city}\"");
            format!("http://{addr}/api/v1/contacts?limit=50&filter={}", urlencode(&filter))
        })
        .collect();
    let filtered = load(Arc::new(urls), Some(token), c, duration).await;
    // Two yardsticks: the bare GET by id the issue names (one row against a
    // page of 50), and a bare handler serving the same page of 50 rows.
    figure(
        "filtered_list_first_page",
        json!({"concurrency": c, "limit": 50, "requests_per_s": filtered.rate(), "p50_ms": filtered.p(0.5),
            "p99_ms": filtered.p(0.99), "errors": filtered.errors,
            "baseline_requests_per_s": base.rate(), "baseline_p99_ms": base.p(0.99),
            "ratio_to_baseline": ((filtered.rate() / base.rate()) * 100.0).round() / 100.0,
            "list_baseline_requests_per_s": base_list.rate(), "list_baseline_p99_ms": base_list.p(0.99),
            "ratio_to_list_baseline": ((filtered.rate() / base_list.rate()) * 100.0).round() / 100.0,
            "target": ">= 0.5"}),
    );

    let mut rng = Rng::new(5);
    let words = demo::search_words();
    let urls: Vec<String> = (0..400)
        .map(|_| format!("http://{addr}/api/v1/contacts?limit=20&q={}", urlencode(rng.pick(&words).as_str())))
        .collect();
    let search = sequential(&urls, ("authorization", &bearer)).await;
    figure(
        "full_text_search",
        json!({"requests": search.requests, "p50_ms": search.p(0.5), "p95_ms": search.p(0.95),
            "errors": search.errors, "target_p95_ms": 20}),
    );

    crate::bench_calls::figures(&addr, &sampled.callers(), args.contacts).await;
    page_figures(&addr, sample, &cookie).await;

    figure("server_peak_rss", json!({"mb": peak_rss_mb(server.0.id()), "target_mb": 200}));
    xlsx_figure(&addr, token, server.0.id()).await;

    // Writes last (they add contacts): through the API, then the bare
    // handlers doing the same writes on the same file, with the same clients.
    let api = format!("http://{addr}/api/v1/contacts");
    let (creates, updates) = bench_writes::load_writes(&api, Some(writer_token), "api", c, duration).await;
    drop(server);
    let baseline_addr = free_address()?;
    let baseline = start(&["bench-baseline", "--db", &db_file, "--listen", &baseline_addr], &baseline_addr).await?;
    let bare = format!("http://{baseline_addr}/contacts");
    let (bare_creates, bare_updates) = bench_writes::load_writes(&bare, None, "bare", c, duration).await;
    drop(baseline);
    bench_writes::write_figure("api_create_contact", c, &creates, &bare_creates);
    bench_writes::write_figure("api_update_contact", c, &updates, &bare_updates);
    Ok(())
}

/// Pages as a signed-in person gets them, in English and in the other
/// languages, and the sizes of the assets they load.
async fn page_figures(addr: &str, sample: &[(String, Option<String>)], cookie: &str) {
    // Pages as a signed-in person gets them, one at a time: the time is the
    // server's rendering plus a loopback round trip.
    let pages: [(&str, Vec<String>); 6] = [
        (
            "page_list_filtered",
            BENCH_CITIES
                .iter()
                .map(|city| {
                    let filter = format!("lifecycle = \"current\" and city = \"{city}\"");
                    format!("http://{addr}/contacts?filter={}", urlencode(&filter))
                })
                .cycle()
                .take(200)
                .collect(),
        ),
        ("page_record", sample.iter().take(200).map(|(id, _)| format!("http://{addr}/contacts/{id}")).collect()),
        ("page_pipeline_board", (0..50).map(|_| format!("http://{addr}/board")).collect()),
        // The administrator's home: the whole workspace's team figures and quiet deals.
        ("page_home_dashboard", (0..50).map(|_| format!("http://{addr}/")).collect()),
        ("page_calendar_week_team", (0..50).map(|_| format!("http://{addr}/calendar?span=week&who=team")).collect()),
        ("page_calendar_month", (0..50).map(|_| format!("http://{addr}/calendar?span=month")).collect()),
    ];
    for (name, urls) in &pages {
        let rendered = sequential(urls, ("cookie", cookie)).await;
        figure(
            name,
            json!({"requests": rendered.requests, "p50_ms": rendered.p(0.5), "p95_ms": rendered.p(0.95),
                "errors": rendered.errors, "target_ms": 50}),
        );
    }
    page_languages(&pages, cookie).await;
    asset_sizes(addr).await;
}

/// The API write figures alone, on either backend: contacts created and
/// updated through `relata serve` by `--concurrency` clients, then by a
/// bare handler process doing the same writes on the same database.
async fn write_figures(db: &DbArgs, args: &BenchArgs) -> Result<(), String> {
    let sqlite = DbArgs { data_dir: args.dir.join("writes"), database_url: None };
    let target = match db.target() {
        relata_store::DbTarget::Postgres(_) => db,
        relata_store::DbTarget::SqliteDir(_) => {
            if args.dir.exists() {
                std::fs::remove_dir_all(&args.dir).map_err(|e| format!("cannot empty {}: {e}", args.dir.display()))?;
            }
            &sqlite
        }
    };
    let (app, ws) = open(target).await?;
    let token = create_token(&app, &ws, "bench writes", "read_write").await?;
    app.store.close().await;
    let (backend, db_args): (&str, Vec<String>) = match target.target() {
        relata_store::DbTarget::Postgres(url) => ("postgres", vec!["--database-url".into(), url]),
        relata_store::DbTarget::SqliteDir(dir) => {
            ("sqlite", vec!["--data-dir".into(), dir.to_string_lossy().to_string()])
        }
    };
    let with = |command: &[&str], addr: &str| -> Vec<String> {
        let mut all = db_args.clone();
        all.extend(command.iter().map(|c| c.to_string()));
        all.extend(["--listen".to_string(), addr.to_string()]);
        all
    };
    let (c, duration) = (args.concurrency, Duration::from_secs(args.seconds));
    let addr = free_address()?;
    let serve = with(&["serve"], &addr);
    let server = start(&serve.iter().map(String::as_str).collect::<Vec<_>>(), &addr).await?;
    let api = format!("http://{addr}/api/v1/contacts");
    let (creates, updates) = bench_writes::load_writes(&api, Some(&token), "api", c, duration).await;
    drop(server);
    let baseline_addr = free_address()?;
    let mut baseline_args = with(&["bench-baseline"], &baseline_addr);
    if backend == "sqlite" {
        let file = sqlite.data_dir.join("relata.db").to_string_lossy().to_string();
        baseline_args.extend(["--db".to_string(), file]);
    }
    let baseline = start(&baseline_args.iter().map(String::as_str).collect::<Vec<_>>(), &baseline_addr).await?;
    let bare = format!("http://{baseline_addr}/contacts");
    let (bare_creates, bare_updates) = bench_writes::load_writes(&bare, None, "bare", c, duration).await;
    drop(baseline);
    bench_writes::write_figure_on(backend, "api_create_contact", c, &creates, &bare_creates);
    bench_writes::write_figure_on(backend, "api_update_contact", c, &updates, &bare_updates);
    Ok(())
}

/// The bare write handlers on PostgreSQL (`relata --database-url URL
/// bench-baseline`), with a pool as large as Relata's.
pub async fn baseline_pg_server(url: &str, listen: &str) -> Result<ExitCode, String> {
    use std::str::FromStr;
    let options = sqlx::postgres::PgConnectOptions::from_str(url).map_err(|e| e.to_string())?;
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(16)
        .connect_with(options)
        .await
        .map_err(|e| e.to_string())?;
    let (workspace, actor): (uuid::Uuid, uuid::Uuid) = sqlx::query_as(
        "SELECT m.workspace_id, m.user_id FROM memberships m JOIN workspaces w ON w.id = m.workspace_id \
         WHERE w.slug = 'default' LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .map_err(|e| e.to_string())?;
    async fn health() -> &'static str {
        "ok"
    }
    let app = axum::Router::new()
        .route("/healthz", axum::routing::get(health))
        .merge(bench_writes::bare_pg_routes(bench_writes::BarePg { pool, workspace, actor }));
    let listener = tokio::net::TcpListener::bind(listen).await.map_err(|e| e.to_string())?;
    axum::serve(listener, app).await.map_err(|e| e.to_string())?;
    Ok(ExitCode::SUCCESS)
}

/// Every contact as an Excel workbook through the API, and the server's
/// peak memory before and after: the export streams and the workbook is
/// assembled in a file, so the peak should barely move.
async fn download_workbook(addr: &str, token: &str) -> Result<(u64, f64), String> {
    let started = Instant::now();
    let mut response = reqwest::Client::new()
        .get(format!("http://{addr}/api/v1/contacts/export?format=xlsx"))
        .bearer_auth(token)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if response.status() != 200 {
        return Err(format!("the export answered {}", response.status()));
    }
    let mut bytes = 0u64;
    while let Some(piece) = response.chunk().await.map_err(|e| e.to_string())? {
        bytes += piece.len() as u64;
    }
    Ok((bytes, started.elapsed().as_secs_f64()))
}

async fn xlsx_figure(addr: &str, token: &str, pid: u32) {
    let before = peak_rss_mb(pid);
    match download_workbook(addr, token).await {
        Ok((bytes, seconds)) => figure(
            "xlsx_export",
            json!({"bytes": bytes, "seconds": seconds, "server_peak_rss_mb_before": before,
                "server_peak_rss_mb_after": peak_rss_mb(pid)}),
        ),
        Err(e) => figure("xlsx_export", json!({"error": e})),
    }
}

pub(crate) fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)]).expect("encodes")[1..].to_string()
}

/// The list yardstick's query string: the same filter the benchmark gives
/// Relata, as plain parameters.
#[derive(serde::Deserialize)]
struct BaselineFilter {
    workspace: String,
    lifecycle: String,
    city: String,
}

/// The least an HTTP server can do to answer "the first page of 50 contacts
/// with this lifecycle in this city, newest first" from the same SQLite file:
/// the same rows and columns as Relata's page (every stored column), read with
/// the same index, each row a JSON object; no access checks, no cursor.
async fn filtered_page(
    axum::extract::State((pool, _)): axum::extract::State<(sqlx::SqlitePool, uuid::Uuid)>,
    axum::extract::Query(filter): axum::extract::Query<BaselineFilter>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    use sqlx::{Column, Row, TypeInfo, ValueRef};
    let rows = sqlx::query(
        "SELECT * FROM contacts WHERE workspace_id = ? AND lifecycle = ? AND city = ? AND deleted_at IS NULL \
         ORDER BY id DESC LIMIT 50",
    )
    .bind(uuid::Uuid::parse_str(&filter.workspace).unwrap_or_default())
    .bind(filter.lifecycle)
    .bind(filter.city)
    .fetch_all(&pool)
    .await;
    let Ok(rows) = rows else { return axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response() };
    let records: Vec<serde_json::Map<String, Json>> = rows
        .iter()
        .map(|row| {
            row.columns()
                .iter()
                .map(|c| {
                    let i = c.ordinal();
                    let kind =
                        row.try_get_raw(i).ok().filter(|v| !v.is_null()).map(|v| v.type_info().name().to_string());
                    let value = match kind.as_deref() {
                        None => Json::Null,
                        Some("INTEGER") => json!(row.get::<i64, _>(i)),
                        Some("BLOB") => json!(row.get::<uuid::Uuid, _>(i).to_string()),
                        Some(_) => json!(row.get::<String, _>(i)),
                    };
                    (c.name().to_string(), value)
                })
                .collect()
        })
        .collect();
    axum::Json(json!({ "records": records })).into_response()
}

/// The yardstick: the least an HTTP server can do to answer "GET a contact
/// by id" from the same SQLite file.
pub async fn baseline_server(db: &Path, listen: &str) -> Result<ExitCode, String> {
    use axum::extract::{Path as UrlPath, State};
    use sqlx::Row;
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(db).read_only(true);
    let pool = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await
        .map_err(|e| e.to_string())?;
    // The default workspace, looked up once as Relata resolves a token's once.
    let workspace: uuid::Uuid = sqlx::query_scalar("SELECT id FROM workspaces WHERE slug = 'default'")
        .fetch_one(&pool)
        .await
        .map_err(|e| e.to_string())?;
    async fn by_id(
        State((pool, workspace)): State<(sqlx::SqlitePool, uuid::Uuid)>,
        UrlPath(id): UrlPath<String>,
    ) -> axum::response::Response {
        use axum::response::IntoResponse;
        let row = sqlx::query(
            "SELECT id, version, first_name, last_name, emails, phones, city, country, lifecycle, custom \
             FROM contacts WHERE workspace_id = ? AND id = ?",
        )
        .bind(workspace)
        .bind(uuid::Uuid::parse_str(&id).unwrap_or_default())
        .fetch_optional(&pool)
        .await;
        match row {
            Ok(Some(r)) => axum::Json(json!({
                "id": r.get::<uuid::Uuid, _>("id").to_string(),
                "version": r.get::<i64, _>("version"),
                "first_name": r.get::<Option<String>, _>("first_name"),
                "last_name": r.get::<String, _>("last_name"),
                "emails": r.get::<Option<String>, _>("emails"),
                "phones": r.get::<Option<String>, _>("phones"),
                "city": r.get::<Option<String>, _>("city"),
                "country": r.get::<Option<String>, _>("country"),
                "lifecycle": r.get::<String, _>("lifecycle"),
                "custom": r.get::<String, _>("custom"),
            }))
            .into_response(),
            Ok(None) => axum::http::StatusCode::NOT_FOUND.into_response(),
            Err(_) => axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        }
    }
    async fn health() -> &'static str {
        "ok"
    }
    // The writes' yardstick: one writer connection, as Relata's.
    let writer = bench_writes::bare_writer(db).await?;
    let actor: uuid::Uuid = sqlx::query_scalar("SELECT user_id FROM memberships WHERE workspace_id = ? LIMIT 1")
        .bind(workspace)
        .fetch_one(&writer)
        .await
        .map_err(|e| e.to_string())?;
    let app = axum::Router::new()
        .route("/contacts", axum::routing::get(filtered_page))
        .route("/contacts/{id}", axum::routing::get(by_id))
        .route("/healthz", axum::routing::get(health))
        .with_state((pool, workspace))
        .merge(bench_writes::bare_routes(bench_writes::Bare { pool: writer, workspace, actor }));
    let listener = tokio::net::TcpListener::bind(listen).await.map_err(|e| e.to_string())?;
    axum::serve(listener, app).await.map_err(|e| e.to_string())?;
    Ok(ExitCode::SUCCESS)
}
