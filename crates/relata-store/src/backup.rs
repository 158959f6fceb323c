//! Backups of an SQLite database: a consistent snapshot taken while the
//! server runs, verified before it counts, and restoring one. (PostgreSQL
//! has its own tools: `pg_dump` and `pg_restore`; see the README.)

use crate::db::{Pools, Store};
use crate::error::{Result, StoreError};
use sqlx::Connection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use std::path::{Path, PathBuf};

/// A backup file that passed verification.
#[derive(Clone, Debug, serde::Serialize)]
pub struct BackupFile {
    pub file: PathBuf,
    pub bytes: u64,
    pub schema_version: i64,
}

fn refused(message: String) -> StoreError {
    StoreError::Corrupt(message)
}

impl Store {
    /// Writes a consistent snapshot of the database to `file`, which must not
    /// exist yet, and verifies it. `VACUUM INTO` reads the database in one
    /// read transaction on a reader connection: writers go on meanwhile, and
    /// the copy holds exactly what had committed when it began.
    pub async fn backup_sqlite(&self, file: &Path) -> Result<BackupFile> {
        let Pools::Sqlite { read, .. } = &self.pools else {
            return Err(refused("backups of PostgreSQL databases are made with pg_dump (see the README)".into()));
        };
        if file.exists() {
            return Err(refused(format!("{} exists already; choose a new file", file.display())));
        }
        // Written under another name and renamed once verified, so that a
        // crash half way never leaves a file that looks like a backup.
        let mut partial = file.as_os_str().to_owned();
        partial.push(".partial");
        let partial = PathBuf::from(partial);
        let _ = std::fs::remove_file(&partial);
        let path = partial.to_str().ok_or_else(|| refused(format!("{} is not a UTF-8 path", file.display())))?;
        let mut conn = read.acquire().await?;
        sqlx::query("VACUUM INTO ?").bind(path).execute(&mut *conn).await?;
        drop(conn);
        let verified = verify_sqlite_file(&partial).await.and_then(|v| {
            std::fs::rename(&partial, file).map_err(|e| refused(format!("cannot write {}: {e}", file.display())))?;
            Ok(BackupFile { file: file.to_path_buf(), ..v })
        });
        if verified.is_err() {
            let _ = std::fs::remove_file(&partial);
        }
        verified
    }
}

/// Opens a backup read-only and checks it: SQLite's integrity check, and a
/// Relata schema version this binary can open.
pub async fn verify_sqlite_file(file: &Path) -> Result<BackupFile> {
    let bytes = std::fs::metadata(file).map_err(|e| refused(format!("cannot read {}: {e}", file.display())))?.len();
    let options = SqliteConnectOptions::new().filename(file).read_only(true).immutable(true);
    let mut conn = SqliteConnection::connect_with(&options).await?;
    let problems: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut conn)
        .await
        .map_err(|e| refused(format!("{} is not an SQLite database Relata can read: {e}", file.display())))?;
    if problems != ["ok"] {
        return Err(refused(format!("{} fails SQLite's integrity check: {}", file.display(), problems.join("; "))));
    }
    let version: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations")
        .fetch_one(&mut conn)
        .await
        .map_err(|_| refused(format!("{} is not a Relata database", file.display())))?;
    conn.close().await?;
    let schema_version = version.unwrap_or(0);
    if schema_version > crate::migrate::latest_version() {
        return Err(StoreError::SchemaTooNew { database: schema_version, binary: crate::migrate::latest_version() });
    }
    Ok(BackupFile { file: file.to_path_buf(), bytes, schema_version })
}

/// Restores a verified backup as the SQLite database of `data_dir` (the
/// server must not be running on it). A directory that already holds a
/// database is refused unless `force`. The old write-ahead log goes with
/// the old database: replayed onto the restored one, it would corrupt it.
pub async fn restore_sqlite(from: &Path, data_dir: &Path, force: bool) -> Result<BackupFile> {
    let verified = verify_sqlite_file(from).await?;
    let target = data_dir.join("relata.db");
    let holds_data = std::fs::metadata(&target).is_ok_and(|m| m.len() > 0);
    if holds_data && !force {
        return Err(refused(format!(
            "{} holds a database already; restore with --force to replace it",
            target.display()
        )));
    }
    let io = |e: std::io::Error| refused(format!("cannot restore into {}: {e}", data_dir.display()));
    std::fs::create_dir_all(data_dir).map_err(io)?;
    let incoming = data_dir.join("relata.db.restoring");
    std::fs::copy(from, &incoming).map_err(io)?;
    for stale in ["relata.db-wal", "relata.db-shm"] {
        match std::fs::remove_file(data_dir.join(stale)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(e)),
            _ => {}
        }
    }
    std::fs::rename(&incoming, &target).map_err(io)?;
    Ok(BackupFile { file: target, ..verified })
}
