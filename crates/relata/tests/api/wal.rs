//! SQLite's write-ahead log is copied back into the database file by the
//! store's checkpointer, beside the writer (see relata-store's `wal`), not
//! by the commit that took it past its mark. SQLite only: PostgreSQL keeps
//! its own log.

use crate::helpers::{Backend, TestDb, spawn_on};
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_is_copied_back_beside_the_writer() {
    let db = TestDb::create(Backend::Sqlite, "wal").await.expect("a SQLite database");
    let TestDb::Sqlite(dir) = &db else { unreachable!("asked for SQLite") };
    let (file, log) = (dir.join("relata.db"), dir.join("relata.db-wal"));
    let app = spawn_on(Backend::Sqlite, db).await;
    let (store, ws) = (&app.app.app.store, app.workspace.id);
    let size = |path: &std::path::Path| std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let before = size(&file);
    // About 2,500 pages in the log with the migrations' (if nothing copies
    // it back): past the 1,000 at which a checkpoint is due, short of the
    // 4,000 at which the writer makes one itself. Each value is most of a
    // 4 KB page.
    let filler = "x".repeat(3_000);
    for n in 0..400 {
        let mut tx = store.write(ws).await.unwrap();
        tx.put_setting(&format!("filler.{n}"), &json!(filler)).await.unwrap();
        tx.commit().await.unwrap();
    }
    // No write since: only the checkpointer can grow the database file.
    let grown = before + 1_200_000;
    let waited = Instant::now();
    while size(&file) < grown && waited.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        size(&file) >= grown,
        "the database file grew from {before} to only {} bytes (log: {} bytes): no checkpoint was made",
        size(&file),
        size(&log)
    );
    // Everything written is read back, through the log or the file.
    let mut reader = store.read(ws).await.unwrap();
    for n in [0, 199, 399] {
        assert_eq!(reader.setting(&format!("filler.{n}")).await.unwrap(), Some(json!(filler)), "filler.{n}");
    }
}
