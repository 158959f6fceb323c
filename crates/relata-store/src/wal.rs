//! SQLite's checkpoints, made beside the writer rather than by it.
//!
//! In WAL mode a commit appends pages to the write-ahead log, and now and
//! then the log is copied back into the database file (a checkpoint, with
//! its two fsyncs). SQLite's default makes the checkpoint in the connection
//! whose commit took the log past 1,000 pages: the single writer, so that
//! every write waiting behind it waits for the checkpoint too (under a
//! stream of telephony events, one commit in fourteen took 3 to 15 ms, a
//! sixth of the writer's time). Here that commit only tells a task of the
//! store's, which checkpoints on a connection of its own, in `PASSIVE` mode:
//! it neither waits for the writer or the readers nor holds them up. Should
//! the task fall far behind, the writer checkpoints itself as before.

use libsqlite3_sys::{SQLITE_OK, sqlite3, sqlite3_wal_checkpoint, sqlite3_wal_hook};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use std::ffi::{c_char, c_int, c_void};
use std::sync::{Arc, Weak};
use std::time::Duration;
use tokio::sync::Notify;

/// Pages in the log past which it is copied back (SQLite's own default).
const DUE_PAGES: c_int = 1000;
/// Pages past which the writer copies the log back itself: the task is
/// behind (or gone), and the log must not grow without end.
const WRITER_PAGES: c_int = 4 * DUE_PAGES;
/// The least time between two checkpoints: a log that readers keep from
/// starting over would otherwise be checkpointed after every commit.
const PAUSE: Duration = Duration::from_millis(20);
/// How often an idle task looks whether its store is gone.
const LOOK: Duration = Duration::from_secs(1);

/// The store's checkpointer: its task runs while a clone of the store
/// holds this, and ends once none does or the store is closed.
#[derive(Clone)]
pub(crate) struct Checkpoints {
    pool: SqlitePool,
    due: Arc<Notify>,
    alive: Arc<Alive>,
}

/// What the task watches to know its store is still there.
struct Alive;

impl Checkpoints {
    /// Starts the task; its connection (opened with `options`) is made at
    /// the first checkpoint.
    pub(crate) fn start(options: SqliteConnectOptions) -> Checkpoints {
        let pool = SqlitePoolOptions::new().max_connections(1).test_before_acquire(false).connect_lazy_with(options);
        let checkpoints = Checkpoints { pool, due: Arc::new(Notify::new()), alive: Arc::new(Alive) };
        tokio::spawn(run(checkpoints.pool.clone(), checkpoints.due.clone(), Arc::downgrade(&checkpoints.alive)));
        checkpoints
    }

    /// What the writer's connection tells when a checkpoint is due (see
    /// [`tell_when_due`]).
    pub(crate) fn due(&self) -> Arc<Notify> {
        self.due.clone()
    }

    pub(crate) async fn close(&self) {
        self.pool.close().await;
    }
}

/// Makes the writer connection `conn` tell `due` when a checkpoint is due,
/// instead of making it.
pub(crate) async fn tell_when_due(conn: &mut sqlx::SqliteConnection, due: Arc<Notify>) -> Result<(), sqlx::Error> {
    let mut handle = conn.lock_handle().await?;
    let db = handle.as_raw_handle().as_ptr();
    // One reference for the hook, never given back: it must outlive the
    // connection, whose end nothing tells (a few bytes per connection, and a
    // store opens one writer).
    let due = Arc::into_raw(due) as *mut c_void;
    // SAFETY: `db` is the open connection the lock holds for this call;
    // `due` points at a `Notify` that is never freed. Setting the hook
    // replaces SQLite's automatic checkpoints on this connection.
    unsafe { sqlite3_wal_hook(db, Some(committed), due) };
    Ok(())
}

/// SQLite's hook after each commit of the writer, with the pages now in
/// the log.
unsafe extern "C" fn committed(due: *mut c_void, db: *mut sqlite3, name: *const c_char, pages: c_int) -> c_int {
    if pages >= WRITER_PAGES {
        // SAFETY: SQLite calls the hook with its open connection and the
        // database's name, outside the commit's locks (its own automatic
        // checkpoint does this very call here).
        unsafe { sqlite3_wal_checkpoint(db, name) };
    } else if pages >= DUE_PAGES {
        // SAFETY: `due` is the `Notify` `tell_when_due` gave the hook, never
        // freed.
        unsafe { &*(due as *const Notify) }.notify_one();
    }
    SQLITE_OK
}

/// Checkpoints whenever one is due, until the store is gone or closed.
async fn run(pool: SqlitePool, due: Arc<Notify>, alive: Weak<Alive>) {
    loop {
        let woken = tokio::time::timeout(LOOK, due.notified()).await.is_ok();
        if alive.strong_count() == 0 || pool.is_closed() {
            break;
        }
        if !woken {
            continue;
        }
        // A checkpoint that could not copy everything (readers still need
        // older pages) is made again at the next commit past the mark.
        if let Err(e) = sqlx::raw_sql("PRAGMA wal_checkpoint(PASSIVE)").execute(&pool).await {
            tracing::warn!(error = %e, "the write-ahead log could not be checkpointed");
        }
        tokio::time::sleep(PAUSE).await;
    }
    pool.close().await;
}
