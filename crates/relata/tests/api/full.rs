//! A database that cannot take writes (its disk full, here SQLite's size
//! limit reached): writes are answered 503 with nothing half-written, reads
//! go on, and writing resumes when space returns.

use crate::cli::{relata, stderr, stdout};
use crate::helpers::{Backend, TestDb, run_sql, spawn};
use serde_json::json;

/// Sets SQLite's size limit on the server's one writer connection (a
/// module migration runs its statements there).
async fn limit_pages(app: &crate::helpers::TestApp, name: &str, pages: u64) {
    run_sql(app, name, &format!("PRAGMA max_page_count = {pages};")).await.expect("limit set");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_database_refuses_writes_keeps_reading_and_recovers() {
    let Some(app) = spawn(Backend::Sqlite, "a_full_database_refuses_writes_keeps_reading_and_recovers").await else {
        return;
    };
    let app = &app;
    let first = app.create("contacts", json!({"last_name": "Before"})).await;
    let TestDb::Sqlite(dir) = app.db() else { unreachable!() };
    let file = dir.join("relata.db");
    let pages: i64 = {
        use sqlx::Connection;
        let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}?mode=ro", file.display())).await.unwrap();
        sqlx::query_scalar("PRAGMA page_count").fetch_one(&mut conn).await.unwrap()
    };
    limit_pages(app, "limit_size", pages as u64 + 8).await;

    let notes = "x".repeat(90_000);
    let mut refused = None;
    for n in 0..40 {
        let reply = app.post("/api/v1/contacts", &json!({"last_name": format!("Filler {n}"), "notes": notes})).await;
        if reply.status != 201 {
            refused = Some(reply);
            break;
        }
    }
    let refused = refused.expect("the size limit is reached");
    let refused = refused.expect_problem(503, "storage-unavailable");
    assert!(refused.header("retry-after").is_some());
    let stored = app.list_all("contacts", "").await.len();
    // Reads go on.
    app.get(&format!("/api/v1/contacts/{}", first["id"].as_str().unwrap())).await.expect(200);
    assert!(app.get("/api/v1/search?q=before").await.expect(200).body["data"].as_array().unwrap().len() == 1);

    // Space returns: writes resume, and nothing was half-written.
    limit_pages(app, "unlimit_size", 1_073_741_823).await;
    app.create("contacts", json!({"last_name": "After"})).await;
    assert_eq!(app.list_all("contacts", "").await.len(), stored + 1);
    let out = relata(app, &["check"], None).await;
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
}
