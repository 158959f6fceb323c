//! A database that cannot take writes (its disk full: SQLite's size limit
//! reached; PostgreSQL's tables on a small tmpfs file system): writes are
//! answered 503 with nothing half-written, reads go on, and writing resumes
//! when space returns.

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

/// A small file system (tmpfs) and a PostgreSQL tablespace on it, removed
/// when dropped (after the test's database, which is dropped first).
struct SmallDisk {
    dir: std::path::PathBuf,
    tablespace: String,
    admin_url: String,
}

impl SmallDisk {
    /// Mounts `megabytes` of tmpfs and makes a tablespace on it; `None` (said
    /// loudly) where this machine cannot mount, unless PostgreSQL tests are
    /// required, as in CI, where that fails the test.
    async fn new(admin_url: &str, megabytes: u64) -> Option<SmallDisk> {
        let unique = uuid::Uuid::now_v7().simple().to_string();
        let dir = std::env::temp_dir().join(format!("relata-full-{unique}"));
        std::fs::create_dir_all(&dir).unwrap();
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m,mode=0700"), "tmpfs"])
            .arg(&dir)
            .status()
            .is_ok_and(|s| s.success())
            && std::process::Command::new("chown")
                .arg("postgres:postgres")
                .arg(&dir)
                .status()
                .is_ok_and(|s| s.success());
        if !mounted {
            let message = format!("cannot mount a small file system at {} (root is needed)", dir.display());
            if std::env::var("RELATA_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
                panic!("{message}");
            }
            eprintln!("\n!!!!! WARNING: PostgreSQL disk-full test SKIPPED: {message}\n");
            return None;
        }
        let tablespace = format!("relata_full_{unique}");
        let statement = format!("CREATE TABLESPACE {tablespace} LOCATION '{}'", dir.display());
        admin_sql(admin_url, &statement).await;
        Some(SmallDisk { dir, tablespace, admin_url: admin_url.to_string() })
    }

    fn resize(&self, megabytes: u64) {
        let status = std::process::Command::new("mount")
            .args(["-o", &format!("remount,size={megabytes}m")])
            .arg(&self.dir)
            .status()
            .unwrap();
        assert!(status.success(), "the file system grows");
    }
}

async fn admin_sql(admin_url: &str, statement: &str) {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(admin_url).await.expect("the PostgreSQL administrator connects");
    sqlx::raw_sql(sqlx::AssertSqlSafe(statement.to_string())).execute(&mut conn).await.expect(statement);
    conn.close().await.unwrap();
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let (url, tablespace) = (self.admin_url.clone(), self.tablespace.clone());
        // Drop runs inside the test's runtime: the statement gets a thread of its own.
        let _ = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async move {
                use sqlx::Connection;
                if let Ok(mut conn) = sqlx::PgConnection::connect(&url).await {
                    let drop = format!("DROP TABLESPACE IF EXISTS {tablespace}");
                    let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(drop)).execute(&mut conn).await;
                }
            })
        })
        .join();
        let _ = std::process::Command::new("umount").arg(&self.dir).status();
        let _ = std::fs::remove_dir(&self.dir);
    }
}

/// PostgreSQL with its disk full: the contacts live on a 24 MB file system
/// (their table moved to a tablespace there); writes that need space are
/// answered 503, reads go on, and writing resumes when the disk grows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_postgres_disk_refuses_writes_keeps_reading_and_recovers() {
    let admin_url = crate::helpers::postgres_admin_url();
    let test = "a_full_postgres_disk_refuses_writes_keeps_reading_and_recovers";
    let Some(db) = TestDb::create(Backend::Postgres, test).await else { return };
    let Some(disk) = SmallDisk::new(&admin_url, 24).await else { return };
    let app = crate::helpers::spawn_on(Backend::Postgres, db).await;
    let app = &app;
    let first = app.create("contacts", json!({"last_name": "Before"})).await;
    run_sql(app, "small_disk", &format!("ALTER TABLE contacts SET TABLESPACE {};", disk.tablespace))
        .await
        .expect("contacts moved to the small disk");

    // Notes that do not compress, so that they take their size on disk.
    let mut seed = 7u64;
    let mut noise = || {
        (0..60_000)
            .map(|_| {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                char::from(b'a' + ((seed >> 33) % 26) as u8)
            })
            .collect::<String>()
    };
    let mut refused = None;
    for n in 0..2_000 {
        let reply = app.post("/api/v1/contacts", &json!({"last_name": format!("Filler {n}"), "notes": noise()})).await;
        if reply.status != 201 {
            refused = Some(reply);
            break;
        }
    }
    let refused = refused.expect("the disk fills up");
    let refused = refused.expect_problem(503, "storage-unavailable");
    assert!(refused.header("retry-after").is_some());
    // Reads go on.
    app.get(&format!("/api/v1/contacts/{}", first["id"].as_str().unwrap())).await.expect(200);
    let stored = app.list_all("contacts", "").await.len();

    // Space returns: writes resume, and nothing was half-written.
    disk.resize(256);
    app.create("contacts", json!({"last_name": "After"})).await;
    assert_eq!(app.list_all("contacts", "").await.len(), stored + 1);
    let out = relata(app, &["check"], None).await;
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
}
