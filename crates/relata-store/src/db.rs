//! Connections to either backend, and the workspace-scoped handle through
//! which all record queries run.
//!
//! SQLite runs in WAL mode with one writer connection (writes serialise there
//! instead of failing with SQLITE_BUSY) and a pool of readers. PostgreSQL uses
//! one pool; several `relata serve` processes may share the database.

use crate::clock::Clock;
use crate::error::Result;
use crate::migrate;
use chrono::{DateTime, NaiveDate, Utc};
use futures_util::TryStreamExt;
use relata_core::WorkspaceId;
use relata_core::access::{OwnerScope, Visibility};
use relata_core::meta::EntityKind;
use sea_query::Value;
use sea_query::{Expr, ExprTrait, SimpleExpr};
use sea_query::{PostgresQueryBuilder, SqliteQueryBuilder};
use sea_query_sqlx::{SqlxBinder, SqlxValues};
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, Decode, Executor as _, Postgres, Row as _, Sqlite, Transaction, Type};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Where the data lives.
#[derive(Clone)]
pub enum DbTarget {
    /// A directory holding `relata.db` (created if missing).
    SqliteDir(PathBuf),
    /// A `postgres://` URL.
    Postgres(String),
}

impl std::fmt::Debug for DbTarget {
    /// Never prints a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DbTarget::SqliteDir(p) => write!(f, "SQLite at {}", p.join("relata.db").display()),
            DbTarget::Postgres(url) => write!(f, "PostgreSQL at {}", redact_url(url)),
        }
    }
}

/// Hides the password of a database URL.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{}:***{}", &url[..scheme_end + 3], user, &url[at..])
        }
        _ => url.to_string(),
    }
}

#[derive(Clone)]
pub(crate) enum Pools {
    Sqlite { read: SqlitePool, write: SqlitePool, checkpoints: crate::wal::Checkpoints },
    Postgres(PgPool),
}

/// The database. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pub(crate) pools: Pools,
    /// Woken whenever a transaction of this process that wrote change
    /// entries commits (readers of the change feed wait on it).
    commits: Arc<tokio::sync::Notify>,
    /// Woken whenever a transaction of this process that enqueued jobs commits.
    jobs: Arc<tokio::sync::Notify>,
    clock: Arc<Clock>,
    /// PostgreSQL: a small pool for single statements that commit beside a
    /// write (document numbers that may have gaps). Apart from the main
    /// pool, so that writers holding its connections never wait for it.
    side: Option<PgPool>,
    /// Dictionaries for change diffs (SQLite), shared by every connection.
    pub(crate) diffs: Arc<crate::diff_codec::DiffCodec>,
    /// Writes that commit together (see [`crate::group`]).
    pub(crate) groups: Arc<crate::group::Groups>,
}

impl Store {
    /// Connects and applies pending migrations. Processes starting together
    /// on a new SQLite file can find it locked while another sets it up
    /// (switching it to WAL): they wait and try again, for up to 10 s.
    pub async fn open(target: &DbTarget) -> Result<Store> {
        let mut attempts = 0;
        loop {
            match Store::open_once(target).await {
                Err(e) if e.is_busy() && attempts < 100 => {
                    attempts += 1;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                done => return done,
            }
        }
    }

    async fn open_once(target: &DbTarget) -> Result<Store> {
        let store = Store::connect(target).await?;
        migrate::run(&store).await?;
        // SQLite analyses the tables whose statistics are missing or stale
        // (full statistics: sampled ones mislead the planner on low-cardinality
        // columns). PostgreSQL keeps its own fresh (autovacuum).
        if let Pools::Sqlite { write, .. } = &store.pools {
            let mut conn = write.acquire().await?;
            sqlx::raw_sql("PRAGMA optimize=0x10002;").execute(&mut *conn).await?;
        }
        Ok(store)
    }

    /// Gives SQLite's writer a 1 GB page cache for bulk loads (import, demo
    /// data) so that big transactions do not spill pages into the WAL, or
    /// returns it to its normal size. No effect on PostgreSQL.
    pub async fn set_bulk_mode(&self, on: bool) -> Result<()> {
        if let Pools::Sqlite { write, .. } = &self.pools {
            let pragma = if on { "PRAGMA cache_size=-1048576;" } else { "PRAGMA cache_size=-16000;" };
            let mut conn = write.acquire().await?;
            sqlx::raw_sql(pragma).execute(&mut *conn).await?;
        }
        Ok(())
    }

    /// Recomputes the query planner's statistics; called after bulk loads so
    /// that filtered lists pick the most selective index.
    pub async fn refresh_statistics(&self) -> Result<()> {
        match &self.pools {
            Pools::Sqlite { write, .. } => {
                let mut conn = write.acquire().await?;
                sqlx::raw_sql("ANALYZE;").execute(&mut *conn).await?;
            }
            Pools::Postgres(pool) => {
                sqlx::raw_sql("ANALYZE").execute(pool).await?;
            }
        }
        Ok(())
    }

    /// Opens every reader connection now (SQLite), so that no request
    /// waits for one to be opened: a server calls it before it listens.
    /// The connections are kept (they are never closed for idling or age).
    pub async fn open_readers(&self) -> Result<()> {
        if let Pools::Sqlite { read, .. } = &self.pools {
            let opened = futures_util::future::join_all((0..READERS).map(|_| read.acquire())).await;
            for conn in opened {
                conn?;
            }
        }
        Ok(())
    }

    /// Database connections of this process: (open, idle).
    pub fn pool_use(&self) -> (u32, u32) {
        match &self.pools {
            Pools::Sqlite { read, write, .. } => {
                (read.size() + write.size(), (read.num_idle() + write.num_idle()) as u32)
            }
            Pools::Postgres(pool) => (pool.size(), pool.num_idle() as u32),
        }
    }

    /// Connects without migrating; refuses a schema newer than this binary.
    pub async fn connect(target: &DbTarget) -> Result<Store> {
        let mut side = None;
        let pools = match target {
            DbTarget::SqliteDir(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| {
                    crate::StoreError::Corrupt(format!("cannot create data directory {}: {e}", dir.display()))
                })?;
                open_sqlite(&dir.join("relata.db")).await?
            }
            DbTarget::Postgres(url) => {
                let options = PgConnectOptions::from_str(url)?;
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options.clone())
                    .await?;
                side = Some(
                    PgPoolOptions::new()
                        .max_connections(2)
                        .acquire_timeout(Duration::from_secs(10))
                        .connect_lazy_with(options),
                );
                Pools::Postgres(pool)
            }
        };
        Ok(Store {
            pools,
            commits: Arc::new(tokio::sync::Notify::new()),
            jobs: Arc::new(tokio::sync::Notify::new()),
            clock: Arc::new(Clock::default()),
            side,
            diffs: Arc::default(),
            groups: Arc::default(),
        })
    }

    /// This store for the group task: without the queue's sender, so that
    /// the task ends once every other clone is gone.
    pub(crate) fn without_groups(&self) -> Store {
        Store { groups: Arc::default(), ..self.clone() }
    }

    pub fn backend(&self) -> Backend {
        match self.pools {
            Pools::Sqlite { .. } => Backend::Sqlite,
            Pools::Postgres(_) => Backend::Postgres,
        }
    }

    /// Whether PostgreSQL's autovacuum is on (`None` on SQLite): without it
    /// dead rows of updates and deletes pile up and every query slows down
    /// (the soak reports it; it is on by default).
    pub async fn autovacuum(&self) -> Result<Option<bool>> {
        let Pools::Postgres(pool) = &self.pools else { return Ok(None) };
        let setting: String = sqlx::query_scalar("SELECT current_setting('autovacuum')").fetch_one(pool).await?;
        Ok(Some(setting == "on"))
    }

    /// Notified when a transaction of this process that wrote change
    /// entries commits; other processes' commits are seen by polling.
    pub fn commits(&self) -> Arc<tokio::sync::Notify> {
        self.commits.clone()
    }

    /// Notified when a transaction of this process that enqueued jobs commits.
    pub fn jobs_enqueued(&self) -> Arc<tokio::sync::Notify> {
        self.jobs.clone()
    }

    /// The clock every "now" of this database's users comes from.
    pub fn clock(&self) -> &Arc<Clock> {
        &self.clock
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub(crate) fn now_value(&self) -> sea_query::Value {
        sea_query::Value::ChronoDateTimeUtc(Some(self.now()))
    }

    /// A reading connection scoped to `workspace`, seeing all its records.
    pub async fn read(&self, workspace: WorkspaceId) -> Result<ScopedConn> {
        Ok(self.scoped(workspace, self.acquire().await?))
    }

    /// A transaction scoped to `workspace`; dropped without `commit`, it rolls back.
    pub async fn write(&self, workspace: WorkspaceId) -> Result<ScopedConn> {
        Ok(self.scoped(workspace, self.begin().await?))
    }

    fn scoped(&self, workspace: WorkspaceId, conn: Conn) -> ScopedConn {
        ScopedConn {
            workspace,
            visibility: None,
            conn,
            tx_id: uuid::Uuid::now_v7(),
            notify: self.commits.clone(),
            wrote_changes: false,
            jobs_notify: self.jobs.clone(),
            enqueued_jobs: false,
            clock: self.clock.clone(),
            side: self.side.clone(),
            diffs: self.diffs.clone(),
            trained: Vec::new(),
            savepoints: Vec::new(),
            serials: 0,
        }
    }

    pub(crate) async fn acquire(&self) -> Result<Conn> {
        Ok(match &self.pools {
            Pools::Sqlite { read, .. } => Conn::new(Link::Sqlite(read.acquire().await?)),
            Pools::Postgres(pool) => Conn::new(Link::Pg(pool.acquire().await?)),
        })
    }

    pub(crate) async fn begin(&self) -> Result<Conn> {
        Ok(match &self.pools {
            Pools::Sqlite { write, .. } => Conn::sqlite_write(write.acquire().await?),
            Pools::Postgres(pool) => Conn::new(Link::PgTx(pool.begin().await?)),
        })
    }

    /// Runs one statement in a transaction of its own; returns the rows affected.
    pub(crate) async fn execute_alone<S: SqlxBinder>(&self, stmt: &S) -> Result<u64> {
        let mut conn = self.begin().await?;
        let n = conn.execute(stmt).await?;
        conn.commit().await?;
        Ok(n)
    }

    /// Applies one migration unless the database already has it, holding a
    /// lock that keeps other processes opening the same database out
    /// meanwhile (`BEGIN IMMEDIATE` on SQLite, an advisory transaction lock
    /// on PostgreSQL). True when this call applied it.
    /// `current` is the query that answers the version the database has.
    pub(crate) async fn apply_migration(&self, script: &str, version: i64, current: &str) -> Result<bool> {
        let version_query = || AssertSqlSafe(current.to_string());
        match &self.pools {
            Pools::Sqlite { write, .. } => {
                let mut conn = write.acquire().await?;
                // SQLite changes a column's type by rebuilding the table, which
                // foreign keys would refuse half way; they are switched off for
                // the migration (outside its transaction, as SQLite requires)
                // and checked as a whole before it commits.
                sqlx::raw_sql("PRAGMA foreign_keys = OFF").execute(&mut *conn).await?;
                sqlx::raw_sql("BEGIN IMMEDIATE").execute(&mut *conn).await?;
                let applied = async {
                    let current: i64 = sqlx::query_scalar(version_query()).fetch_one(&mut *conn).await?;
                    if current >= version {
                        return Ok::<bool, crate::StoreError>(false);
                    }
                    sqlx::raw_sql(AssertSqlSafe(script.to_string())).execute(&mut *conn).await?;
                    let broken = sqlx::raw_sql("PRAGMA foreign_key_check").fetch_all(&mut *conn).await?;
                    if !broken.is_empty() {
                        return Err(crate::StoreError::Corrupt(format!(
                            "migration {version} would leave {} rows with a dangling foreign key",
                            broken.len()
                        )));
                    }
                    Ok(true)
                }
                .await;
                let end = if matches!(applied, Ok(true)) { "COMMIT" } else { "ROLLBACK" };
                sqlx::raw_sql(end).execute(&mut *conn).await?;
                sqlx::raw_sql("PRAGMA foreign_keys = ON").execute(&mut *conn).await?;
                applied
            }
            Pools::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::raw_sql(MIGRATION_LOCK).execute(&mut *tx).await?;
                let current: i64 = sqlx::query_scalar(version_query()).fetch_one(&mut *tx).await?;
                if current >= version {
                    return Ok(false);
                }
                sqlx::raw_sql(AssertSqlSafe(script.to_string())).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(true)
            }
        }
    }

    /// Runs a script of statements (migrations) in one transaction.
    pub(crate) async fn execute_script(&self, sql: &str) -> Result<()> {
        match &self.pools {
            Pools::Sqlite { write, .. } => {
                let mut tx = write.begin().await?;
                sqlx::raw_sql(AssertSqlSafe(sql.to_string())).execute(&mut *tx).await?;
                tx.commit().await?;
            }
            Pools::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                // Concurrent `CREATE … IF NOT EXISTS` from several processes can
                // still collide in PostgreSQL's catalog: take turns.
                sqlx::raw_sql(MIGRATION_LOCK).execute(&mut *tx).await?;
                sqlx::raw_sql(AssertSqlSafe(sql.to_string())).execute(&mut *tx).await?;
                tx.commit().await?;
            }
        }
        Ok(())
    }

    pub async fn close(&self) {
        match &self.pools {
            Pools::Sqlite { read, write, checkpoints } => {
                read.close().await;
                write.close().await;
                checkpoints.close().await;
            }
            Pools::Postgres(pool) => pool.close().await,
        }
    }
}

/// SQLite's reader connections.
const READERS: u32 = 8;

async fn open_sqlite(path: &Path) -> Result<Pools> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(10))
        .foreign_keys(true)
        .pragma("temp_store", "memory")
        // Bulk loads grow the WAL; give the space back after checkpoints.
        .pragma("journal_size_limit", "67108864");
    // The writer's commits leave checkpoints to a task of their own (see
    // `wal`).
    let checkpoints = crate::wal::Checkpoints::start(options.clone());
    let due = checkpoints.due();
    // Page caches are per connection: 16 MB for the writer and 8 MB for each
    // of the 8 readers keep the server's memory bounded; the OS page cache
    // holds the rest of a large database.
    // A SQLite connection is a file handle that cannot go stale: testing it
    // on every acquire (sqlx's default) only costs a round trip to its
    // thread, and closing it when idle or old (sqlx's defaults: 10 and 30
    // minutes) makes the request that opens the next one wait for SQLite to
    // read the schema and the log's index (5–20 ms on the bench database).
    let write = SqlitePoolOptions::new()
        .after_connect(move |conn, _| {
            let due = due.clone();
            Box::pin(async move {
                configure_connection(conn).await?;
                crate::wal::tell_when_due(conn, due).await
            })
        })
        .test_before_acquire(false)
        .idle_timeout(None)
        .max_lifetime(None)
        .max_connections(1)
        // Each transaction's first statement is also kept with its `BEGIN`
        // before it, and its last writes with the `COMMIT` (see `Conn::held`).
        .connect_with(options.clone().pragma("cache_size", "-16000").statement_cache_capacity(1000))
        .await?;
    let read = SqlitePoolOptions::new()
        .after_connect(|conn, _| Box::pin(configure_connection(conn)))
        .test_before_acquire(false)
        .idle_timeout(None)
        .max_lifetime(None)
        .max_connections(READERS)
        .connect_with(options.read_only(true).pragma("cache_size", "-8000"))
        .await?;
    Ok(Pools::Sqlite { read, write, checkpoints })
}

/// What every SQLite connection is set to, beyond its pragmas:
/// - the query planner's stability guarantee: plans do not depend on the
///   values bound to a statement. Without it a statement whose plan looked
///   at a bound value (a partial index's condition, a LIKE pattern, a custom
///   field's JSON path) is compiled again every time it runs with new
///   arguments, which was a seventh of the server's CPU under a stream of
///   telephony events;
/// - no double-quoted string literals: `"language"` is a column or an error,
///   never the text 'language'. A connection opened before a migration added
///   a column would otherwise compile a query of it as text and keep that
///   reading; with the error, SQLite reloads the schema and compiles it
///   right.
async fn configure_connection(conn: &mut sqlx::SqliteConnection) -> std::result::Result<(), sqlx::Error> {
    use libsqlite3_sys::{
        SQLITE_DBCONFIG_DQS_DDL, SQLITE_DBCONFIG_DQS_DML, SQLITE_DBCONFIG_ENABLE_QPSG, SQLITE_OK, sqlite3_db_config,
    };
    let mut handle = conn.lock_handle().await?;
    let db = handle.as_raw_handle().as_ptr();
    for (setting, value) in
        [(SQLITE_DBCONFIG_ENABLE_QPSG, 1), (SQLITE_DBCONFIG_DQS_DML, 0), (SQLITE_DBCONFIG_DQS_DDL, 0)]
    {
        let mut now = 0;
        // SAFETY: `db` is the open connection the lock holds for this call;
        // these settings take an int and an int pointer.
        let rc = unsafe { sqlite3_db_config(db, setting, value, &mut now as *mut i32) };
        if rc != SQLITE_OK {
            return Err(sqlx::Error::Configuration(format!("SQLite refused setting {setting} ({rc})").into()));
        }
    }
    Ok(())
}

/// A connection or transaction on either backend.
pub(crate) struct Conn {
    link: Link,
    /// Statements held back to go with the next statement sent: SQLite's
    /// `BEGIN IMMEDIATE`, and a transaction's writes whose outcome nothing
    /// reads before it goes on (change entries, search input, applied
    /// events). On SQLite they go in the same round trip as that statement
    /// (the last writes with the `COMMIT`); every round trip to the
    /// connection's thread is time the single writer holds the write lock.
    /// PostgreSQL's extended protocol takes one statement at a time: there
    /// they are sent one by one first. A failure among them is answered by
    /// the statement or commit they went with; the transaction is then
    /// dropped, as after any failure.
    held: Vec<(String, SqlxValues)>,
    /// How many times held statements were sent: a savepoint knows from it
    /// whether its own `SAVEPOINT` is still held (see [`Savepoint`]).
    flushes: u64,
}

enum Link {
    Sqlite(PoolConnection<Sqlite>),
    SqliteTx(SqliteWrite),
    Pg(PoolConnection<Postgres>),
    PgTx(Transaction<'static, Postgres>),
}

/// SQLite's writer in a transaction Relata runs itself, rather than through
/// sqlx's `Transaction`, so that its `BEGIN` can go with the first statement
/// and its `COMMIT` with the last held writes (see `Conn::held`).
struct SqliteWrite {
    /// `None` once committed.
    conn: Option<PoolConnection<Sqlite>>,
    /// Whether anything was sent (and so `BEGIN` was).
    begun: bool,
}

impl SqliteWrite {
    fn connection(&mut self) -> Result<&mut PoolConnection<Sqlite>> {
        self.begun = true;
        self.conn.as_mut().ok_or_else(|| crate::StoreError::Db(sqlx::Error::PoolClosed))
    }
}

impl Drop for SqliteWrite {
    /// A transaction dropped without its commit (a failure, or a request
    /// whose client went away) is rolled back before its connection goes
    /// back to the pool. One whose rollback fails is closed instead (SQLite
    /// rolls back what a closed connection left open).
    fn drop(&mut self) {
        let Some(mut conn) = self.conn.take() else { return };
        if !self.begun {
            return;
        }
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    if sqlx::query("ROLLBACK").execute(&mut *conn).await.is_err() {
                        conn.close_on_drop();
                    }
                });
            }
            Err(_) => conn.close_on_drop(),
        }
    }
}

/// SQLite's `BEGIN` of a write transaction. `IMMEDIATE` takes the write lock
/// (waiting out other processes' writes under the busy timeout) before the
/// transaction reads: one that read first would fail at its first write,
/// without waiting, whenever another process (`relata worker`, a second
/// server) had committed since (SQLITE_BUSY_SNAPSHOT).
const SQLITE_BEGIN: &str = "BEGIN IMMEDIATE";

impl Conn {
    fn new(link: Link) -> Conn {
        Conn { link, held: Vec::new(), flushes: 0 }
    }

    /// SQLite's writer, in a transaction that begins with the first
    /// statement sent.
    fn sqlite_write(conn: PoolConnection<Sqlite>) -> Conn {
        let mut write = Conn::new(Link::SqliteTx(SqliteWrite { conn: Some(conn), begun: false }));
        write.held.push((SQLITE_BEGIN.to_string(), SqlxValues(sea_query::Values(Vec::new()))));
        write
    }

    pub(crate) fn backend(&self) -> Backend {
        match self.link {
            Link::Sqlite(_) | Link::SqliteTx(_) => Backend::Sqlite,
            Link::Pg(_) | Link::PgTx(_) => Backend::Postgres,
        }
    }

    fn in_transaction(&self) -> bool {
        matches!(self.link, Link::SqliteTx(_) | Link::PgTx(_))
    }

    fn build<S: SqlxBinder>(&self, stmt: &S) -> (String, SqlxValues) {
        match self.backend() {
            Backend::Sqlite => stmt.build_sqlx(SqliteQueryBuilder),
            Backend::Postgres => stmt.build_sqlx(PostgresQueryBuilder),
        }
    }

    /// The connection to send on, by backend.
    fn wire(&mut self) -> Result<Wire<'_>> {
        Ok(match &mut self.link {
            Link::Sqlite(c) => Wire::Sqlite(c),
            Link::SqliteTx(w) => Wire::Sqlite(w.connection()?),
            Link::Pg(c) => Wire::Pg(c),
            Link::PgTx(c) => Wire::Pg(c),
        })
    }

    /// `sql` with what is held before it: on SQLite in one query string of
    /// several statements (its binding gives each statement's `?`
    /// parameters the next values in turn); on PostgreSQL the held
    /// statements are sent first, one by one.
    async fn with_held(&mut self, sql: String, values: SqlxValues) -> Result<(AssertSqlSafe<String>, SqlxValues)> {
        if self.held.is_empty() {
            return Ok((AssertSqlSafe(sql), values));
        }
        let held = std::mem::take(&mut self.held);
        self.flushes += 1;
        if self.backend() == Backend::Postgres {
            for (statement, bound) in held {
                self.send(AssertSqlSafe(statement), bound).await?;
            }
            return Ok((AssertSqlSafe(sql), values));
        }
        let mut text = String::new();
        let mut all = Vec::new();
        for (statement, bound) in held {
            text.push_str(&statement);
            text.push_str(";\n");
            all.extend(bound.0.0);
        }
        text.push_str(&sql);
        all.extend(values.0.0);
        Ok((AssertSqlSafe(text), SqlxValues(sea_query::Values(all))))
    }

    /// Runs built SQL after what is held; returns the rows it affected.
    async fn run(&mut self, sql: String, values: SqlxValues) -> Result<u64> {
        let (q, values) = self.with_held(sql, values).await?;
        self.send(q, values).await
    }

    /// Sends SQL as it is; returns the rows its last statement affected.
    async fn send(&mut self, q: AssertSqlSafe<String>, values: SqlxValues) -> Result<u64> {
        Ok(match self.wire()? {
            Wire::Sqlite(c) => {
                // The count of the last statement, not of the held ones before it.
                let mut done = c.execute_many(sqlx::query_with(q, values));
                let mut last = 0;
                while let Some(result) = done.try_next().await? {
                    last = result.rows_affected();
                }
                last
            }
            Wire::Pg(c) => sqlx::query_with(q, values).execute(c).await?.rows_affected(),
        })
    }

    /// Runs statements one after the other (each after what is held).
    async fn run_all(&mut self, statements: Vec<(String, SqlxValues)>) -> Result<()> {
        for (sql, values) in statements {
            self.run(sql, values).await?;
        }
        Ok(())
    }

    /// Runs a statement; returns the number of rows affected.
    pub(crate) async fn execute<S: SqlxBinder>(&mut self, stmt: &S) -> Result<u64> {
        let (sql, values) = self.build(stmt);
        self.run(sql, values).await
    }

    /// Holds back a write whose outcome nothing reads (see `held`).
    /// Outside a transaction it runs at once: nothing else would send it.
    pub(crate) async fn defer<S: SqlxBinder>(&mut self, stmt: &S) -> Result<()> {
        let statement = self.build(stmt);
        self.hold(vec![statement]).await
    }

    async fn hold(&mut self, statements: Vec<(String, SqlxValues)>) -> Result<()> {
        if !self.worth_holding(&statements) {
            return self.run_all(statements).await;
        }
        self.held.extend(statements);
        Ok(())
    }

    /// Holds a statement of static text whatever else is held (savepoints:
    /// tiny, and one each).
    fn hold_text(&mut self, sql: String) -> Result<()> {
        if !self.in_transaction() {
            return Err(crate::StoreError::Misuse("a savepoint outside a transaction"));
        }
        self.held.push((sql, no_values()));
        Ok(())
    }

    /// Whether statements are few and small enough to hold: a bulk load's
    /// chunks are sent as they come (held, every combination of them with
    /// the statement that follows would be prepared and kept apart).
    fn worth_holding(&self, statements: &[(String, SqlxValues)]) -> bool {
        let values: usize = self.held.iter().chain(statements).map(|(_, v)| v.0.0.len()).sum();
        self.in_transaction() && self.held.len() + statements.len() <= HELD_STATEMENTS && values <= HELD_VALUES
    }

    /// Inserts `rows` (each one value per column) into `table` in multi-row
    /// statements, chunked under the backends' bound-parameter limits. The
    /// bulk paths use this instead of the query builder, which would build an
    /// expression tree per value; the statement text comes only from static
    /// table and column names, and every value is bound.
    pub(crate) async fn insert_rows(
        &mut self,
        table: &'static str,
        columns: &[&'static str],
        rows: Vec<Vec<Value>>,
    ) -> Result<()> {
        self.run_all(insert_statements(self.backend(), table, columns, rows, "")).await
    }

    /// [`Conn::insert_rows`], held back (see `held`) when they are few.
    pub(crate) async fn defer_rows(
        &mut self,
        table: &'static str,
        columns: &[&'static str],
        rows: Vec<Vec<Value>>,
    ) -> Result<()> {
        self.hold(insert_statements(self.backend(), table, columns, rows, "")).await
    }

    /// [`Conn::insert_rows`], skipping rows whose key is already there.
    pub(crate) async fn insert_missing_rows(
        &mut self,
        table: &'static str,
        columns: &[&'static str],
        rows: Vec<Vec<Value>>,
    ) -> Result<()> {
        self.run_all(insert_statements(self.backend(), table, columns, rows, ON_CONFLICT_SKIP)).await
    }

    /// [`Conn::insert_missing_rows`], held back (see `held`) when they are few.
    pub(crate) async fn defer_missing_rows(
        &mut self,
        table: &'static str,
        columns: &[&'static str],
        rows: Vec<Vec<Value>>,
    ) -> Result<()> {
        self.hold(insert_statements(self.backend(), table, columns, rows, ON_CONFLICT_SKIP)).await
    }

    pub(crate) async fn fetch_all<S: SqlxBinder>(&mut self, stmt: &S) -> Result<Vec<Row>> {
        let (sql, values) = self.build(stmt);
        self.rows(sql, values).await
    }

    /// The rows of several statements, each statement's apart: on SQLite in
    /// one round trip (its results mark where each statement ends), on
    /// PostgreSQL one by one.
    pub(crate) async fn fetch_each<S: SqlxBinder>(&mut self, stmts: &[S]) -> Result<Vec<Vec<Row>>> {
        if self.backend() == Backend::Postgres || stmts.len() < 2 {
            let mut each = Vec::with_capacity(stmts.len());
            for stmt in stmts {
                each.push(self.fetch_all(stmt).await?);
            }
            return Ok(each);
        }
        let mut text = String::new();
        let mut all = Vec::new();
        for stmt in stmts {
            let (sql, values) = self.build(stmt);
            if !text.is_empty() {
                text.push_str(";\n");
            }
            text.push_str(&sql);
            all.extend(values.0.0);
        }
        // The held statements sent first end before these.
        let mut held = self.held.len();
        let (q, values) = self.with_held(text, SqlxValues(sea_query::Values(all))).await?;
        let Wire::Sqlite(c) = self.wire()? else { unreachable!("PostgreSQL reads each statement above") };
        let mut results = c.fetch_many(sqlx::query_with(q, values));
        let mut each = vec![Vec::new()];
        while let Some(step) = results.try_next().await? {
            match step {
                sqlx::Either::Left(_) if held > 0 => held -= 1,
                sqlx::Either::Left(_) => each.push(Vec::new()),
                sqlx::Either::Right(row) => {
                    if let Some(rows) = each.last_mut() {
                        rows.push(Row::Sqlite(row));
                    }
                }
            }
        }
        // The last statement's end opened one list too many.
        each.pop();
        Ok(each)
    }

    /// The rows of built SQL (held statements before it answer none).
    async fn rows(&mut self, sql: String, values: SqlxValues) -> Result<Vec<Row>> {
        let (q, values) = self.with_held(sql, values).await?;
        Ok(match self.wire()? {
            Wire::Sqlite(c) => sqlx::query_with(q, values).fetch_all(c).await?.into_iter().map(Row::Sqlite).collect(),
            Wire::Pg(c) => sqlx::query_with(q, values).fetch_all(c).await?.into_iter().map(Row::Pg).collect(),
        })
    }

    pub(crate) async fn fetch_optional<S: SqlxBinder>(&mut self, stmt: &S) -> Result<Option<Row>> {
        let (sql, values) = self.build(stmt);
        let (q, values) = self.with_held(sql, values).await?;
        Ok(match self.wire()? {
            Wire::Sqlite(c) => sqlx::query_with(q, values).fetch_optional(c).await?.map(Row::Sqlite),
            Wire::Pg(c) => sqlx::query_with(q, values).fetch_optional(c).await?.map(Row::Pg),
        })
    }

    /// The rows a query of static text answers (catalogue queries).
    pub(crate) async fn fetch_text(&mut self, sql: &'static str) -> Result<Vec<Row>> {
        self.rows(sql.to_string(), no_values()).await
    }

    /// Runs a statement of static text (the feed's sequencer); returns the
    /// rows affected.
    pub(crate) async fn execute_text(&mut self, sql: &'static str) -> Result<u64> {
        self.run(sql.to_string(), no_values()).await
    }

    /// The boolean a query of static text answers (PostgreSQL's lock functions).
    pub(crate) async fn scalar_bool(&mut self, sql: &str) -> Result<bool> {
        let (q, values) = self.with_held(sql.to_string(), no_values()).await?;
        Ok(match self.wire()? {
            Wire::Sqlite(c) => sqlx::query_scalar_with(q, values).fetch_one(c).await?,
            Wire::Pg(c) => sqlx::query_scalar_with(q, values).fetch_one(c).await?,
        })
    }

    /// Commits a transaction (with what is held); a no-op for a reading
    /// connection.
    pub(crate) async fn commit(mut self) -> Result<()> {
        if let Link::SqliteTx(w) = &mut self.link {
            // Nothing sent and nothing held but the `BEGIN`: nothing to commit.
            if !w.begun && self.held.len() == 1 {
                return Ok(());
            }
            self.run("COMMIT".to_string(), no_values()).await?;
            if let Link::SqliteTx(w) = &mut self.link {
                // Committed: back to the pool as it is.
                w.conn.take();
            }
            return Ok(());
        }
        // PostgreSQL's held statements, one by one.
        let held = std::mem::take(&mut self.held);
        self.run_all(held).await?;
        if let Link::PgTx(tx) = self.link {
            tx.commit().await?;
        }
        Ok(())
    }
}

/// A connection of either backend, as statements are sent on it.
enum Wire<'c> {
    Sqlite(&'c mut sqlx::SqliteConnection),
    Pg(&'c mut sqlx::PgConnection),
}

fn no_values() -> SqlxValues {
    SqlxValues(sea_query::Values(Vec::new()))
}

/// At most this many statements are held (with SQLite's `BEGIN`), binding
/// at most this many values between them.
const HELD_STATEMENTS: usize = 8;
const HELD_VALUES: usize = 2_000;

/// Inserts that skip rows whose key is already there.
const ON_CONFLICT_SKIP: &str = " ON CONFLICT DO NOTHING";

/// The statements inserting `rows` into `table`, `suffix` after each.
fn insert_statements(
    backend: Backend,
    table: &'static str,
    columns: &[&'static str],
    rows: Vec<Vec<Value>>,
    suffix: &'static str,
) -> Vec<(String, SqlxValues)> {
    let per_chunk = (30_000 / columns.len().max(1)).clamp(1, ROWS_PER_INSERT);
    let mut statements = Vec::new();
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Value>> = rows.by_ref().take(per_chunk).collect();
        let sql = insert_sql(backend, table, columns, chunk.len()) + suffix;
        statements.push((sql, SqlxValues(sea_query::Values(chunk.into_iter().flatten().collect()))));
    }
    statements
}

/// The PostgreSQL advisory lock that processes migrating one database take
/// in turn (the number is arbitrary, fixed for Relata).
const MIGRATION_LOCK: &str = "SELECT pg_advisory_xact_lock(7051996331)";

/// Rows per multi-row INSERT. Larger statements save round trips to the
/// database but allocate argument buffers so big that freeing them makes
/// glibc's allocator consolidate its free lists, which costs more.
const ROWS_PER_INSERT: usize = 256;

/// `INSERT INTO "table" ("a", "b") VALUES (?, ?), (?, ?)` in the backend's
/// placeholder style.
fn insert_sql(backend: Backend, table: &str, columns: &[&str], rows: usize) -> String {
    use std::fmt::Write;
    let names: Vec<String> = columns.iter().map(|c| format!("\"{c}\"")).collect();
    let mut sql = format!("INSERT INTO \"{table}\" ({}) VALUES ", names.join(", "));
    let mut n = 0;
    for row in 0..rows {
        sql.push_str(if row == 0 { "(" } else { ", (" });
        for col in 0..columns.len() {
            if col > 0 {
                sql.push_str(", ");
            }
            n += 1;
            match backend {
                Backend::Sqlite => sql.push('?'),
                Backend::Postgres => {
                    let _ = write!(sql, "${n}");
                }
            }
        }
        sql.push(')');
    }
    sql
}

/// A result row from either backend, decoded by column name.
pub(crate) enum Row {
    Sqlite(SqliteRow),
    Pg(PgRow),
}

impl Row {
    /// Decodes a column whose Rust type both backends map the same way.
    pub(crate) fn get<T>(&self, column: &str) -> Result<T>
    where
        T: for<'r> Decode<'r, Sqlite> + Type<Sqlite> + for<'r> Decode<'r, Postgres> + Type<Postgres>,
    {
        Ok(match self {
            Row::Sqlite(r) => r.try_get(column)?,
            Row::Pg(r) => r.try_get(column)?,
        })
    }

    pub(crate) fn text(&self, column: &str) -> Result<Option<String>> {
        self.get(column)
    }
    pub(crate) fn int(&self, column: &str) -> Result<Option<i64>> {
        self.get(column)
    }
    pub(crate) fn bool(&self, column: &str) -> Result<Option<bool>> {
        self.get(column)
    }
    pub(crate) fn float(&self, column: &str) -> Result<Option<f64>> {
        self.get(column)
    }
    pub(crate) fn date(&self, column: &str) -> Result<Option<NaiveDate>> {
        self.get(column)
    }
    pub(crate) fn datetime(&self, column: &str) -> Result<Option<DateTime<Utc>>> {
        self.get(column)
    }
    /// Ids: a 16-byte blob on SQLite, a native UUID on PostgreSQL.
    pub(crate) fn uuid(&self, column: &str) -> Result<Option<uuid::Uuid>> {
        self.get(column)
    }
    /// An id in its text form (the API's).
    pub(crate) fn id_text(&self, column: &str) -> Result<Option<String>> {
        Ok(self.uuid(column)?.map(|u| u.to_string()))
    }

    /// JSON columns: TEXT on SQLite, JSONB on PostgreSQL.
    pub(crate) fn json(&self, column: &str) -> Result<Option<serde_json::Value>> {
        match self {
            Row::Sqlite(r) => {
                let text: Option<String> = r.try_get(column)?;
                text.map(|t| serde_json::from_str(&t).map_err(|e| crate::StoreError::Corrupt(format!("{column}: {e}"))))
                    .transpose()
            }
            Row::Pg(r) => {
                let v: Option<sqlx::types::Json<serde_json::Value>> = r.try_get(column)?;
                Ok(v.map(|j| j.0))
            }
        }
    }
}

/// A connection (or transaction) bound to one workspace. Every query method
/// of the store adds `workspace_id = <this workspace>` itself.
pub struct ScopedConn {
    pub(crate) workspace: WorkspaceId,
    /// Which records of each entity type reads may see (`None`: all). Set
    /// once from the permissions of who acts; every record query adds it.
    pub(crate) visibility: Option<Arc<Visibility>>,
    pub(crate) conn: Conn,
    /// Groups the change entries this transaction writes.
    pub(crate) tx_id: uuid::Uuid,
    /// Whom to wake when a transaction that wrote change entries commits.
    pub(crate) notify: Arc<tokio::sync::Notify>,
    pub(crate) wrote_changes: bool,
    /// Whom to wake when a transaction that enqueued jobs commits.
    pub(crate) jobs_notify: Arc<tokio::sync::Notify>,
    pub(crate) enqueued_jobs: bool,
    pub(crate) clock: Arc<Clock>,
    /// The store's side pool (PostgreSQL), for the little work done beside
    /// the transaction (document numbers that may have gaps).
    side: Option<PgPool>,
    pub(crate) diffs: Arc<crate::diff_codec::DiffCodec>,
    /// Dictionaries this transaction trained: known to the store only once
    /// it commits, since a rollback removes them.
    pub(crate) trained: Vec<Arc<crate::diff_codec::Dictionary>>,
    /// The open savepoints' serial numbers, outermost first (see
    /// [`ScopedConn::savepoint`]), and the next serial number.
    savepoints: Vec<u64>,
    serials: u64,
}

/// A point in a write transaction to roll back to, keeping what was
/// written before it: see [`ScopedConn::savepoint`].
#[derive(Clone, Copy, Debug)]
pub struct Savepoint {
    /// Its depth among the open savepoints, which names it (`sp1`, `sp2`,
    /// …): statement texts stay few, so that they stay prepared.
    depth: usize,
    /// Which it is: a handle of an ended point is refused even once another
    /// point took its depth.
    serial: u64,
    /// Where its `SAVEPOINT` was held, and how many sends had been made:
    /// while no send follows, it is still held there.
    held_at: usize,
    flushes: u64,
    /// Dictionaries trained before it.
    trained: usize,
}

impl ScopedConn {
    pub fn workspace(&self) -> WorkspaceId {
        self.workspace
    }

    /// Now, by the store's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub(crate) fn now_value(&self) -> sea_query::Value {
        sea_query::Value::ChronoDateTimeUtc(Some(self.now()))
    }

    /// The id that groups the change entries of this transaction.
    pub fn tx_id(&self) -> uuid::Uuid {
        self.tx_id
    }

    /// Limits every record read through this connection to what `visibility`
    /// lets the acting user see.
    /// A connection of the same database outside this transaction (its
    /// statements commit at once).
    pub(crate) async fn side_connection(&self) -> Result<Option<Conn>> {
        Ok(match &self.side {
            Some(pool) => Some(Conn::new(Link::Pg(pool.acquire().await?))),
            None => None,
        })
    }

    pub fn restrict(mut self, visibility: Arc<Visibility>) -> ScopedConn {
        self.visibility = if visibility.is_all() { None } else { Some(visibility) };
        self
    }

    /// Lifts the read restriction for what follows (module hooks checking
    /// invariants must see every record); hand the result back to
    /// [`ScopedConn::restore_visibility`] afterwards.
    pub fn lift_visibility(&mut self) -> Option<Arc<Visibility>> {
        self.visibility.take()
    }

    pub fn restore_visibility(&mut self, visibility: Option<Arc<Visibility>>) {
        self.visibility = visibility;
    }

    /// The condition that keeps invisible records of `kind` out of a query.
    pub(crate) fn visible(&self, kind: EntityKind) -> Option<SimpleExpr> {
        match self.visibility.as_ref()?.scope(kind) {
            OwnerScope::All => None,
            OwnerScope::Owners(users) if users.is_empty() => Some(Expr::val(1).eq(0)),
            OwnerScope::Owners(users) => {
                Some(Expr::col("owner_id").is_in(users.iter().map(|u| crate::sql::uuid(u.uuid()))))
            }
        }
    }

    pub fn backend(&self) -> Backend {
        self.conn.backend()
    }

    /// Marks a point of this write transaction to roll back to: a failed
    /// step is undone with [`ScopedConn::rollback_to`] and the transaction
    /// goes on (on PostgreSQL a failed statement leaves the transaction
    /// refusing every statement until then). Its `SAVEPOINT` goes with the
    /// next statement sent. Savepoints nest; releasing or rolling back to
    /// one ends those opened after it.
    pub fn savepoint(&mut self) -> Result<Savepoint> {
        let point = Savepoint {
            depth: self.savepoints.len() + 1,
            serial: self.serials,
            held_at: self.conn.held.len(),
            flushes: self.conn.flushes,
            trained: self.trained.len(),
        };
        self.conn.hold_text(format!("SAVEPOINT sp{}", point.depth))?;
        self.serials += 1;
        self.savepoints.push(point.serial);
        Ok(point)
    }

    /// Keeps what was written since `point` (and ends the savepoints opened
    /// after it). Sends what is held: a held write's failure is answered
    /// here, and `point` is still there to roll back to.
    pub async fn release(&mut self, point: Savepoint) -> Result<()> {
        self.check_open(point)?;
        self.conn.run(format!("RELEASE sp{}", point.depth), no_values()).await?;
        self.savepoints.truncate(point.depth - 1);
        Ok(())
    }

    /// Undoes what was written since `point`; `point` stays, to roll back to
    /// again or release.
    pub async fn rollback_to(&mut self, point: Savepoint) -> Result<()> {
        self.check_open(point)?;
        self.trained.truncate(point.trained);
        self.savepoints.truncate(point.depth);
        if self.conn.flushes == point.flushes {
            // Its `SAVEPOINT` was not sent yet: what is held after it was
            // not either.
            self.conn.held.truncate(point.held_at + 1);
            return Ok(());
        }
        // Sent: everything held now was held after it.
        self.conn.held.clear();
        self.conn.run(format!("ROLLBACK TO sp{}", point.depth), no_values()).await?;
        Ok(())
    }

    /// Undoes what was written since `point` and ends it: a next savepoint
    /// takes its place (and its name). Its `RELEASE` goes with the next
    /// statement sent.
    pub async fn undo(&mut self, point: Savepoint) -> Result<()> {
        self.rollback_to(point).await?;
        if self.conn.flushes == point.flushes {
            // Never sent: forgotten, with what was held after it.
            self.conn.held.truncate(point.held_at);
        } else {
            self.conn.hold_text(format!("RELEASE sp{}", point.depth))?;
        }
        self.savepoints.truncate(point.depth - 1);
        Ok(())
    }

    fn check_open(&self, point: Savepoint) -> Result<()> {
        if point.depth == 0 || self.savepoints.get(point.depth - 1) != Some(&point.serial) {
            return Err(crate::StoreError::Misuse("a savepoint already released or rolled back past"));
        }
        Ok(())
    }

    /// Starts the next of several writes sharing this transaction (see
    /// [`crate::group`]): its change entries are a transaction of their own
    /// in the feed, and it reads as the store, as a new transaction would.
    pub(crate) fn next_write(&mut self) {
        self.tx_id = uuid::Uuid::now_v7();
        self.visibility = None;
    }

    /// Commits a write transaction (a no-op for reading connections), and
    /// wakes the feed's readers when it wrote change entries.
    pub async fn commit(self) -> Result<()> {
        self.conn.commit().await?;
        for dictionary in self.trained {
            self.diffs.install(dictionary);
        }
        if self.wrote_changes {
            self.notify.notify_waiters();
        }
        if self.enqueued_jobs {
            self.jobs_notify.notify_waiters();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_statements_use_each_backends_placeholders() {
        assert_eq!(
            insert_sql(Backend::Sqlite, "t", &["a", "b"], 2),
            r#"INSERT INTO "t" ("a", "b") VALUES (?, ?), (?, ?)"#
        );
        assert_eq!(
            insert_sql(Backend::Postgres, "t", &["a", "b"], 2),
            r#"INSERT INTO "t" ("a", "b") VALUES ($1, $2), ($3, $4)"#
        );
    }
}
