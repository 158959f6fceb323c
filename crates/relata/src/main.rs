//! `relata`: the CRM in one binary. See `relata --help`.

mod analytics;
mod bench;
mod bench_automation;
mod bench_calls;
mod bench_commerce;
mod bench_service;
mod bench_sync;
mod bench_writes;
mod jobs;
mod people;
mod soak;
mod sync_client;
mod transfer;

/// mimalloc instead of the system allocator: the server and the bulk paths
/// allocate many short-lived strings and buffers, and glibc's allocator spent
/// a tenth of their time consolidating its free lists.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use relata_app::App;
use relata_app::module::DemoPlan;
use relata_core::meta::EntityKind;
use relata_store::{DbTarget, Store};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// Relata: an open-source CRM. With no configuration it keeps its data in
/// ./relata-data/relata.db (SQLite); give a postgres:// URL to use PostgreSQL.
#[derive(Parser)]
#[command(name = "relata", version, about, propagate_version = true)]
struct Cli {
    #[command(flatten)]
    db: DbArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone, Debug)]
pub struct DbArgs {
    /// Directory of the SQLite database (relata.db inside it; created if missing).
    #[arg(long, global = true, env = "RELATA_DATA_DIR", default_value = "relata-data")]
    data_dir: PathBuf,
    /// Use PostgreSQL instead of SQLite, e.g. postgres://user@127.0.0.1:5432/relata.
    #[arg(long, global = true, env = "RELATA_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
}

impl DbArgs {
    pub fn target(&self) -> DbTarget {
        match &self.database_url {
            Some(url) if !url.trim().is_empty() => DbTarget::Postgres(url.clone()),
            _ => DbTarget::SqliteDir(self.data_dir.clone()),
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Run the server: REST API under /api/v1 (migrates the database first).
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Load demo data first if the database has no contacts yet, and print an API token for it.
        #[arg(long)]
        demo: bool,
        /// Contacts to make with --demo.
        #[arg(long, default_value_t = 2_000)]
        demo_contacts: u64,
        /// The address people reach the server at, for links in invitations
        /// (default: http://<listen address>).
        #[arg(long, env = "RELATA_PUBLIC_URL")]
        public_url: Option<String>,
        /// Relata runs behind a reverse proxy that sets X-Forwarded-For: take
        /// clients' addresses from it (sign-in throttling, audit log).
        #[arg(long, env = "RELATA_BEHIND_PROXY")]
        behind_proxy: bool,
        /// A bearer token that may read /metrics from anywhere (without it,
        /// only loopback clients not behind a proxy may).
        #[arg(long, env = "RELATA_METRICS_TOKEN", hide_env_values = true)]
        metrics_token: Option<String>,
        /// Also take mail for the service desks set to `receive: smtp` on
        /// this address (e.g. 127.0.0.1:2525, relayed to from the MX).
        #[arg(long, env = "RELATA_SMTP_LISTEN")]
        smtp_listen: Option<String>,
        #[command(flatten)]
        work: WorkArgs,
    },
    /// Run only the background work (jobs, schedules, change-feed consumers),
    /// as a separate process on the same database.
    Worker {
        #[command(flatten)]
        work: WorkArgs,
    },
    /// Look at durable jobs and act on them.
    Jobs {
        #[command(subcommand)]
        command: jobs::JobsCommand,
    },
    /// Manage workspaces (companies) on this server.
    Workspace {
        #[command(subcommand)]
        command: people::WorkspaceCommand,
    },
    /// Manage users: add or invite, list, deactivate, reset passwords.
    User {
        #[command(subcommand)]
        command: people::UserCommand,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Write a consistent, verified copy of the SQLite database to a new
    /// file, while the server runs (PostgreSQL: use pg_dump, see the README).
    Backup {
        /// The backup file to create (it must not exist).
        #[arg(long)]
        to: PathBuf,
    },
    /// Restore a backup made by `relata backup` as the database of
    /// --data-dir (stop the server first).
    Restore {
        /// The backup file.
        #[arg(long)]
        from: PathBuf,
        /// Replace a database that exists already.
        #[arg(long)]
        force: bool,
    },
    /// Verify the database: SQLite's integrity check, every record's contact
    /// points, search entry and change history, side rows of records that
    /// are gone. Prints what is wrong; exits with 1 when something is.
    Check {
        /// Rebuild what derives from the records (contact points, search
        /// entries) and remove orphans; the change history is only reported.
        #[arg(long)]
        repair: bool,
    },
    /// The audit log: apply a retention now.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Load realistic demo data (deterministic for a given seed) into the default workspace.
    Demo {
        /// How many contacts to make; accounts, leads, opportunities and activities scale with it.
        #[arg(long, default_value_t = 2_000)]
        contacts: u64,
        /// The same seed makes the same data.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Records per transaction.
        #[arg(long, default_value_t = 2_000)]
        batch: usize,
        /// Load even if the workspace already has contacts.
        #[arg(long)]
        append: bool,
    },
    /// Import records from a CSV file (header row = field ids or labels).
    Import {
        /// Entity type: accounts, contacts, products, invoices, ... (any type, custom objects too).
        entity: String,
        /// The CSV file ("-" for standard input), or an XLSX workbook (by its
        /// .xlsx extension; its first sheet is read).
        file: PathBuf,
        /// Keep the good rows and report the bad ones (default: all or nothing).
        #[arg(long)]
        skip_bad_rows: bool,
        /// Map a CSV header to a field: --map "E-mail=emails"; "=-" ignores the column. Repeatable.
        #[arg(long = "map", value_name = "HEADER=FIELD")]
        mappings: Vec<String>,
        /// Rows per batch.
        #[arg(long, default_value_t = 2_000)]
        batch_size: usize,
    },
    /// Export records as CSV (streamed) to standard output or a file.
    Export {
        /// Entity type: accounts, contacts, products, invoices, ... (any type, custom objects too).
        entity: String,
        /// Only records matching this filter (the API's filter language).
        #[arg(long)]
        filter: Option<String>,
        /// Sort field, "-" in front for descending.
        #[arg(long)]
        sort: Option<String>,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Build a benchmark database and print performance figures as JSON lines.
    Bench(bench::BenchArgs),
    /// The offline client: a replica of one user's device kept in a local
    /// SQLite file, worked on with no network and synced on demand.
    Sync {
        /// The replica's folder.
        #[arg(long, default_value = "relata-replica")]
        replica: std::path::PathBuf,
        #[command(subcommand)]
        command: sync_client::SyncCommand,
    },
    /// Customer analytics on CSV files (lifetime value, RFM segments, association rules) and the pipeline forecast.
    Analytics {
        #[command(subcommand)]
        command: analytics::AnalyticsCommand,
    },
    /// The benchmark's yardstick server (started by `relata bench`).
    #[command(hide = true)]
    BenchBaseline {
        /// The SQLite file (without it: the bare writers on --database-url).
        #[arg(long)]
        db: Option<PathBuf>,
        #[arg(long)]
        listen: String,
    },
}

/// How a process runs background work.
#[derive(Args, Clone, Debug)]
pub struct WorkArgs {
    /// Jobs this process runs at once (0: no background work here).
    #[arg(long, default_value_t = 4, env = "RELATA_WORKERS")]
    workers: usize,
    /// Seconds a claimed job stays this process's before another may take it
    /// over (extended while it runs; a crashed worker's job runs again after it).
    #[arg(long, default_value_t = 60, env = "RELATA_JOB_LEASE")]
    job_lease: u64,
    /// Seconds running jobs may take to finish at shutdown before they are handed back.
    #[arg(long, default_value_t = 10)]
    drain: u64,
    /// Days the audit log keeps its entries; older ones are deleted hourly
    /// (default: keep everything).
    #[arg(long, env = "RELATA_AUDIT_RETENTION_DAYS")]
    audit_retention_days: Option<u32>,
    /// Back the SQLite database up into this directory at start and then
    /// daily, as verified snapshot files (default: no scheduled backups).
    #[arg(long, env = "RELATA_BACKUP_DIR")]
    backup_dir: Option<PathBuf>,
    /// Scheduled backups kept in --backup-dir; older ones are deleted.
    #[arg(long, default_value_t = 7, env = "RELATA_BACKUP_KEEP")]
    backup_keep: usize,
}

impl WorkArgs {
    fn options(&self) -> relata_app::jobs::WorkerOptions {
        relata_app::jobs::WorkerOptions {
            concurrency: self.workers.max(1),
            lease: std::time::Duration::from_secs(self.job_lease.max(1)),
            drain: std::time::Duration::from_secs(self.drain),
            ..Default::default()
        }
    }
}

/// Background work of one process: job workers (with schedules) and the
/// modules' change-feed consumers.
struct Background {
    stop: tokio::sync::watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Background {
    fn start(app: Arc<App>, work: &WorkArgs) -> Background {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let mut tasks = Vec::new();
        if work.workers > 0 {
            let workers = Arc::new(relata_app::jobs::Workers::new(app.clone(), work.options()));
            tracing::info!(worker = workers.name(), concurrency = work.workers, "running jobs");
            tasks.push(tokio::spawn(workers.run(stopped.clone())));
            for consumer in app.feed_consumers() {
                tasks.push(tokio::spawn(relata_app::feed::run_consumer(app.clone(), consumer, stopped.clone())));
            }
            if let Some(days) = work.audit_retention_days {
                let app = app.clone();
                let hourly = std::time::Duration::from_secs(3600);
                tasks.push(tokio::spawn(periodically(hourly, stopped.clone(), move || {
                    let app = app.clone();
                    async move { apply_audit_retention(&app, days).await }
                })));
            }
            if let Some(dir) = &work.backup_dir {
                let (dir, keep) = (dir.clone(), work.backup_keep.max(1));
                let app = app.clone();
                let daily = std::time::Duration::from_secs(24 * 3600);
                tasks.push(tokio::spawn(periodically(daily, stopped.clone(), move || {
                    let (app, dir) = (app.clone(), dir.clone());
                    async move { scheduled_backup(&app, &dir, keep).await }
                })));
            }
        }
        Background { stop, tasks }
    }

    /// Stops claiming work, lets running jobs finish (or hands them back)
    /// and waits for every task.
    async fn stop(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

/// Runs `work` at start and then every `period`, until stopped.
async fn periodically<F, Fut>(period: std::time::Duration, mut stopped: tokio::sync::watch::Receiver<bool>, mut work: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    loop {
        work().await;
        tokio::select! {
            _ = stopped.changed() => return,
            _ = tokio::time::sleep(period) => {}
        }
    }
}

/// Applies the audit retention (hourly).
async fn apply_audit_retention(app: &App, days: u32) {
    match relata_app::audit::apply_retention(app, days).await {
        Ok(0) => {}
        Ok(deleted) => tracing::info!(deleted, days, "audit entries past their retention deleted"),
        Err(e) => tracing::warn!(error = %e, "audit retention failed; trying again in an hour"),
    }
}

/// Backs the database up into `dir` (daily), keeping the `keep` newest.
async fn scheduled_backup(app: &App, dir: &std::path::Path, keep: usize) {
    match backup_into(app, dir, keep).await {
        Ok(file) => tracing::info!(file = %file.display(), "database backed up"),
        Err(e) => tracing::warn!(error = %e, dir = %dir.display(), "scheduled backup failed; trying again tomorrow"),
    }
}

/// One scheduled backup: a new file named by the time, then the oldest
/// backups beyond `keep` removed.
async fn backup_into(app: &App, dir: &std::path::Path, keep: usize) -> Result<PathBuf, String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    // What a backup cut short by a crash left: a `.partial` file and its journal.
    for entry in std::fs::read_dir(dir).map_err(|e| e.to_string())?.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("relata-") && (name.ends_with(".db.partial") || name.ends_with(".db.partial-journal")) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    let name = format!("relata-{}.db", app.store.now().format("%Y%m%dT%H%M%S%.6fZ"));
    let made = app.store.backup_sqlite(&dir.join(name)).await.map_err(|e| e.to_string())?;
    let mut backups: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| e.to_string())?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("relata-") && n.ends_with(".db"))
        })
        .collect();
    backups.sort();
    let excess = backups.len().saturating_sub(keep);
    for old in &backups[..excess] {
        std::fs::remove_file(old).map_err(|e| e.to_string())?;
    }
    Ok(made.file)
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Delete audit entries older than a number of days (the retention
    /// `--audit-retention-days` applies hourly), and print how many went.
    Purge {
        #[arg(long)]
        older_than_days: u32,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API token and print it (shown once): for the built-in
    /// administrator of the default workspace, or for --email in --workspace.
    Create {
        /// A name to recognise the token by.
        #[arg(long)]
        name: String,
        /// read (GET only), read_write, erp (reads, and the ERP's events at
        /// POST /api/v1/erp/events) or telephony (reads, and the switch's
        /// events at POST /api/v1/telephony/events).
        #[arg(long, default_value = "read_write", value_parser = ["read", "read_write", "erp", "telephony"])]
        scope: String,
        /// The workspace's slug.
        #[arg(long, default_value = "default")]
        workspace: String,
        /// The member the token acts as (default: the built-in administrator).
        #[arg(long)]
        email: Option<String>,
    },
}

fn main() -> ExitCode {
    no_transparent_huge_pages();
    relata_app::install_tls();
    let cli = Cli::parse();
    init_logging(matches!(cli.command, Command::Serve { .. } | Command::Worker { .. }));
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Asks Linux for ordinary 4 KiB pages only. mimalloc advises the kernel to
/// back its memory with 2 MiB pages; the first touch of each such page then
/// zeroes all of it inside whichever request made the allocation: 5–6 ms on
/// a virtual machine, one lookup in seventy while a new server's caches fill
/// up (`relata bench --calls-only`: lookup p99 5–6 ms with them, under 1.2 ms
/// without). Latency matters more here than the page tables huge pages save.
fn no_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes no pointers; it sets a flag of this
    // process (inherited by its children) and cannot fail in a way that matters.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

fn init_logging(server: bool) {
    // sqlx reports slow statements as warnings; bulk work makes them normal.
    let default = if server { "info,sqlx=warn" } else { "warn,sqlx=error" };
    let filter = tracing_subscriber::EnvFilter::try_from_env("RELATA_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    // RELATA_LOG_FORMAT=json: one JSON object per line, with the request's
    // span (its id, method and path), for log collectors.
    if std::env::var("RELATA_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json")) {
        logs.json().with_current_span(true).with_span_list(false).init();
    } else {
        logs.init();
    }
}

/// Opens the database (applying migrations) and makes sure the default
/// workspace exists.
pub async fn open(db: &DbArgs) -> Result<(App, relata_store::admin::Workspace), String> {
    let target = db.target();
    let store = Store::open(&target).await.map_err(|e| format!("cannot open {target:?}: {e}"))?;
    let app = relata_server::modules::app(store);
    let ws = app.bootstrap().await.map_err(|e| e.to_string())?;
    Ok((app, ws))
}

/// An entity type of a workspace by API name (custom objects included).
pub async fn entity(app: &App, ws: &relata_store::admin::Workspace, name: &str) -> Result<EntityKind, String> {
    let schemas = app.schemas(ws.id).await.map_err(|e| e.to_string())?;
    schemas.kind(name).ok_or_else(|| {
        let known: Vec<&str> = schemas.kinds().map(|k| k.api_name()).collect();
        format!("unknown entity type {name:?}; one of: {}", known.join(", "))
    })
}

pub fn progress_bar(total: Option<u64>, what: &str) -> ProgressBar {
    let bar = match total {
        Some(n) => ProgressBar::new(n).with_style(
            ProgressStyle::with_template("{msg:>14} [{bar:30}] {pos}/{len} ({per_sec}, eta {eta})")
                .expect("valid template")
                .progress_chars("=> "),
        ),
        None => ProgressBar::new_spinner()
            .with_style(ProgressStyle::with_template("{msg:>14} {pos} rows ({per_sec})").expect("valid template")),
    };
    bar.set_message(what.to_string());
    bar
}

async fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Serve { listen, demo, demo_contacts, public_url, behind_proxy, metrics_token, smtp_listen, work } => {
            let options = ServeOptions {
                listen,
                demo,
                demo_contacts,
                public_url,
                behind_proxy,
                metrics_token,
                smtp_listen,
                work,
            };
            serve(&cli.db, options).await
        }
        Command::Worker { work } => worker(&cli.db, work).await,
        Command::Jobs { command } => jobs::run(&cli.db, command).await,
        Command::Workspace { command } => people::workspace(&cli.db, command).await,
        Command::User { command } => people::user(&cli.db, command).await,
        Command::Backup { to } => {
            let target = cli.db.target();
            let store = Store::connect(&target).await.map_err(|e| format!("cannot open {target:?}: {e}"))?;
            let made = store.backup_sqlite(&to).await.map_err(|e| e.to_string())?;
            store.close().await;
            println!("{}", serde_json::json!({"backup": made, "verified": true}));
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { from, force } => {
            let DbTarget::SqliteDir(dir) = cli.db.target() else {
                return Err("restore works on SQLite; on PostgreSQL use pg_restore (see the README)".into());
            };
            let restored = relata_store::backup::restore_sqlite(&from, &dir, force).await.map_err(|e| e.to_string())?;
            // Opening applies the migrations a backup of an older release needs.
            let (app, _) = open(&cli.db).await?;
            app.store.close().await;
            println!("{}", serde_json::json!({"restored": restored}));
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { repair } => {
            let (app, _) = open(&cli.db).await?;
            let report = relata_app::check::check(&app, repair).await.map_err(|e| e.to_string())?;
            app.store.close().await;
            println!("{}", serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?);
            Ok(if report.sound() { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        Command::Audit { command: AuditCommand::Purge { older_than_days } } => {
            let (app, _) = open(&cli.db).await?;
            let deleted = relata_app::audit::apply_retention(&app, older_than_days).await.map_err(|e| e.to_string())?;
            println!("{}", serde_json::json!({"deleted": deleted, "older_than_days": older_than_days}));
            app.store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            let target = cli.db.target();
            let store = Store::connect(&target).await.map_err(|e| format!("cannot open {target:?}: {e}"))?;
            let mut report = relata_store::migrate::run(&store).await.map_err(|e| e.to_string())?;
            let app = relata_server::modules::app(store);
            report.applied.extend(app.migrate_modules().await.map_err(|e| e.to_string())?);
            if report.applied.is_empty() {
                println!("{target:?} is up to date (schema version {})", report.version);
            } else {
                println!("applied {} to {target:?}; schema version {}", report.applied.join(", "), report.version);
            }
            app.store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Token { command: TokenCommand::Create { name, scope, workspace, email } } => {
            let (app, _) = open(&cli.db).await?;
            let ws = people::workspace_by_slug(&app, &workspace).await?;
            let secret = match email {
                None => create_token(&app, &ws, &name, &scope).await?,
                Some(email) => people::member_token(&app, &ws, &email, &name, &scope).await?,
            };
            eprintln!("API token {name:?} ({scope}) for workspace {:?}; it is shown only once:", ws.slug);
            println!("{secret}");
            app.store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { contacts, seed, batch, append } => {
            let (app, ws) = open(&cli.db).await?;
            let mut conn = app.store.read(ws.id).await.map_err(|e| e.to_string())?;
            let existing = conn.count_records(relata_crm::CONTACTS).await.map_err(|e| e.to_string())?;
            drop(conn);
            if existing > 0 && !append {
                return Err(format!(
                    "the workspace already has {existing} contacts; pass --append to add demo data anyway"
                ));
            }
            let report = load_demo(&app, &ws, &DemoPlan { contacts, seed, batch }).await?;
            println!("{}", serde_json::to_string(&report).expect("report serialises"));
            app.store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Import { entity: name, file, skip_bad_rows, mappings, batch_size } => {
            transfer::import(&cli.db, &name, &file, skip_bad_rows, &mappings, batch_size).await
        }
        Command::Export { entity: name, filter, sort, output } => {
            transfer::export(&cli.db, &name, filter, sort, output.as_deref()).await
        }
        Command::Bench(args) => bench::run(&cli.db, args).await,
        Command::Sync { replica, command } => sync_client::run(&replica, command).await,
        Command::Analytics { command } => analytics::run(&cli.db, command).await,
        Command::BenchBaseline { db, listen } => match (db, cli.db.target()) {
            (Some(file), _) => bench::baseline_server(&file, &listen).await,
            (None, DbTarget::Postgres(url)) => bench::baseline_pg_server(&url, &listen).await,
            (None, DbTarget::SqliteDir(_)) => Err("bench-baseline needs --db FILE or --database-url".into()),
        },
    }
}

pub async fn create_token(
    app: &App,
    ws: &relata_store::admin::Workspace,
    name: &str,
    scope: &str,
) -> Result<String, String> {
    if name.trim().is_empty() || name.chars().count() > 100 {
        return Err("the token name must be 1 to 100 characters".into());
    }
    let admin = app.bootstrap_admin(ws).await.map_err(|e| e.to_string())?;
    let token = app.store.create_token(ws.id, admin.id, name.trim(), scope).await.map_err(|e| e.to_string())?;
    Ok(token.secret)
}

pub async fn load_demo(
    app: &App,
    ws: &relata_store::admin::Workspace,
    plan: &DemoPlan,
) -> Result<relata_app::module::DemoCounts, String> {
    let admin = app.bootstrap_admin(ws).await.map_err(|e| e.to_string())?;
    // Demo records are not news: the feed's consumers (webhooks, automation
    // rules) that had handled everything before start after them, instead
    // of reading the whole load when the server next starts.
    let head = app.store.feed_head().await.map_err(|e| e.to_string())?;
    let mut caught_up = Vec::new();
    for consumer in app.feed_consumers() {
        if app.store.feed_offset(consumer.name()).await.map_err(|e| e.to_string())? >= head {
            caught_up.push(consumer.name());
        }
    }
    app.store.set_bulk_mode(true).await.map_err(|e| e.to_string())?;
    let bar = progress_bar(Some(plan.contacts), "demo");
    let progress = |what: &str, done: u64, total: u64| {
        bar.set_message(what.to_string());
        bar.set_length(total);
        bar.set_position(done);
    };
    let report = app.load_demo(ws, Some(admin.id), plan, &progress).await.map_err(|e| format!("demo data: {e}"))?;
    bar.finish_and_clear();
    app.store.set_bulk_mode(false).await.map_err(|e| e.to_string())?;
    let head = app.store.feed_head().await.map_err(|e| e.to_string())?;
    for name in caught_up {
        app.store.commit_feed_offset(name, head).await.map_err(|e| e.to_string())?;
    }
    Ok(report)
}

/// What `relata serve` is asked to do.
struct ServeOptions {
    listen: String,
    demo: bool,
    demo_contacts: u64,
    public_url: Option<String>,
    behind_proxy: bool,
    metrics_token: Option<String>,
    smtp_listen: Option<String>,
    work: WorkArgs,
}

async fn serve(db: &DbArgs, options: ServeOptions) -> Result<ExitCode, String> {
    let ServeOptions { listen, demo, demo_contacts, public_url, behind_proxy, metrics_token, smtp_listen, work } =
        options;
    let listen = listen.as_str();
    let (app, ws) = open(db).await?;
    if demo {
        let mut conn = app.store.read(ws.id).await.map_err(|e| e.to_string())?;
        let existing = conn.count_records(relata_crm::CONTACTS).await.map_err(|e| e.to_string())?;
        drop(conn);
        if existing == 0 {
            tracing::info!(contacts = demo_contacts, "loading demo data");
            let report = load_demo(&app, &ws, &DemoPlan { contacts: demo_contacts, ..Default::default() }).await?;
            tracing::info!(records = report.values().sum::<u64>(), "demo data loaded");
            let secret = create_token(&app, &ws, "demo", "read_write").await?;
            let password = people::demo_admin(&app, &ws).await?;
            eprintln!(
                "\nDemo API token (shown once): {secret}\n  curl -H 'Authorization: Bearer {secret}' http://{listen}/api/v1/contacts\n\
                 Sign in at http://{listen}/login as {} with the password {password} (shown once)\n",
                people::DEMO_ADMIN_EMAIL
            );
        } else {
            tracing::info!(contacts = existing, "the database already has data; not loading demo data");
        }
    }
    app.store.open_readers().await.map_err(|e| e.to_string())?;
    let listener =
        tokio::net::TcpListener::bind(listen).await.map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!(database = ?db.target(), "Relata listening on http://{addr} (API reference: http://{addr}/api/v1/docs)");
    let public_url = public_url.unwrap_or_else(|| format!("http://{addr}"));
    let server = relata_server::Server::configured(app, &public_url, behind_proxy);
    if let Some(token) = metrics_token.filter(|t| !t.is_empty()) {
        let _ = server.metrics_token.set(token);
    }
    let background = Background::start(server.app.clone(), &work);
    // On a signal the server stops taking requests and the workers stop
    // claiming jobs at once; both then finish what they are doing.
    let (signalled, mut on_signal) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = signalled.send(true);
    });
    if let Some(address) = smtp_listen.filter(|a| !a.is_empty()) {
        let smtp =
            tokio::net::TcpListener::bind(&address).await.map_err(|e| format!("cannot take mail on {address}: {e}"))?;
        tracing::info!(
            "Relata taking mail for the service desks on smtp://{}",
            smtp.local_addr().map_err(|e| e.to_string())?
        );
        tokio::spawn(relata_service::smtp_in::serve(server.app.clone(), smtp, on_signal.clone()));
    }
    let mut http_stops = on_signal.clone();
    let http = relata_server::serve(listener, Arc::clone(&server), async move {
        let _ = http_stops.wait_for(|s| *s).await;
    });
    let stopping = async move {
        let _ = on_signal.wait_for(|s| *s).await;
        background.stop().await;
    };
    let (served, ()) = tokio::join!(http, stopping);
    served.map_err(|e| e.to_string())?;
    server.app.store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// `relata worker`: background work only, until a signal.
async fn worker(db: &DbArgs, work: WorkArgs) -> Result<ExitCode, String> {
    let (app, _) = open(db).await?;
    let app = Arc::new(app);
    tracing::info!(database = ?db.target(), "Relata worker running");
    let background = Background::start(app.clone(), &work);
    shutdown_signal().await;
    background.stop().await;
    app.store.close().await;
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
