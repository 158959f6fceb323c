//! Backups that restore: taken while writes go on, they hold every write
//! acknowledged before they began, pass SQLite's integrity check, and
//! restore to a database Relata opens and serves. SQLite through `relata
//! backup` and `relata restore`; PostgreSQL through the `pg_dump` and
//! `pg_restore` commands the README gives.

use crate::cli::{relata, stderr, stdout};
use crate::helpers::{Backend, TestApp, TestDb, database_url_of, id_of};
use serde_json::{Value as Json, json};
use std::sync::{Arc, Mutex};

crate::both_backends!(a_backup_taken_under_writes_restores_every_acknowledged_write);

/// `--backup-dir`: a verified backup when the background work starts (and
/// daily after), the `--backup-keep` newest kept. SQLite only: PostgreSQL
/// is backed up with its own tools.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduled_backups_keep_the_newest() {
    let Some(app) = crate::helpers::spawn(Backend::Sqlite, "scheduled_backups_keep_the_newest").await else { return };
    app.create("accounts", json!({"name": "Kept safe"})).await;
    let dir = std::env::temp_dir().join(format!("relata-backups-{}", uuid::Uuid::now_v7().simple()));
    let backups = || -> Vec<std::path::PathBuf> {
        // Backups being written (`.db.partial` and its journal, renamed when
        // verified) are not backups yet.
        let mut found: Vec<_> = std::fs::read_dir(&dir).map_or(Vec::new(), |d| {
            d.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|e| e == "db")).collect()
        });
        found.sort();
        found
    };
    for run in 1..=3 {
        let mut args = app.db().cli_args();
        args.extend(["worker", "--backup-dir", dir.to_str().unwrap(), "--backup-keep", "2"].map(String::from));
        let mut worker = std::process::Command::new(env!("CARGO_BIN_EXE_relata"))
            .args(&args)
            .env("RELATA_LOG", "warn")
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let (expected, earlier) = (run.min(2), backups());
        let mut seen = Vec::new();
        // Up to 30 s: a worker starting while the whole suite runs can be slow.
        for _ in 0..600 {
            seen = backups();
            let made = seen.iter().any(|p| !earlier.contains(p));
            if made && seen.len() == expected {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let _ = worker.kill();
        let _ = worker.wait();
        assert!(seen.iter().any(|p| !earlier.contains(p)), "run {run} made a backup: {seen:?}");
        assert_eq!(seen.len(), expected, "run {run}: {seen:?}");
        if let Some(oldest) = earlier.first().filter(|_| run == 3) {
            assert!(!seen.contains(oldest), "the oldest went");
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let leftovers: Vec<_> =
        std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()).filter(|p| !backups().contains(p)).collect();
    assert!(leftovers.len() <= 2, "at most the last killed backup's partial file and journal: {leftovers:?}");
    for file in backups() {
        let verified = relata_store::backup::verify_sqlite_file(&file).await.expect("a sound backup");
        assert_eq!(verified.schema_version, relata_store::migrate::latest_version());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Creates accounts one after another until told to stop; the ids of those
/// the server acknowledged.
fn writer(app: &TestApp) -> (Arc<Mutex<Vec<String>>>, Arc<std::sync::atomic::AtomicBool>, tokio::task::JoinHandle<()>) {
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (base, token) = (app.base.clone(), app.token.clone());
    let (ids, halt) = (acknowledged.clone(), stop.clone());
    let task = tokio::spawn(async move {
        let client = reqwest::Client::new();
        let mut n = 0;
        while !halt.load(std::sync::atomic::Ordering::SeqCst) {
            n += 1;
            let reply = client
                .post(format!("{base}/api/v1/accounts"))
                .bearer_auth(&token)
                .json(&json!({"name": format!("Written {n}")}))
                .send()
                .await
                .unwrap();
            assert_eq!(reply.status(), 201);
            let body: Json = reply.json().await.unwrap();
            ids.lock().unwrap().push(id_of(&body));
        }
    });
    (acknowledged, stop, task)
}

/// The ids `relata export accounts` prints for the database `args` name.
fn exported_ids(args: &[String]) -> Vec<String> {
    let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
    all.extend(["export", "accounts"]);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_relata")).args(&all).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).lines().skip(1).map(|l| l.split(',').next().unwrap().to_string()).collect()
}

async fn a_backup_taken_under_writes_restores_every_acknowledged_write(app: TestApp) {
    let app = &app;
    app.create("accounts", json!({"name": "Before everything"})).await;
    let (acknowledged, stop, task) = writer(app);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let before_backup = acknowledged.lock().unwrap().clone();
    assert!(!before_backup.is_empty(), "writes are going on");
    let scratch = std::env::temp_dir().join(format!("relata-backup-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&scratch).unwrap();

    let restored_args: Vec<String>;
    let _restored_db;
    match app.db() {
        TestDb::Sqlite(_) => {
            let file = scratch.join("backup.db");
            let out = relata(app, &["backup", "--to", file.to_str().unwrap()], None).await;
            assert!(out.status.success(), "{}", stderr(&out));
            let report: Json = serde_json::from_str(stdout(&out).trim()).unwrap();
            assert_eq!(report["verified"], true);
            assert_eq!(report["backup"]["schema_version"], relata_store::migrate::latest_version());
            stop.store(true, std::sync::atomic::Ordering::SeqCst);
            task.await.unwrap();
            // A backup never overwrites a file.
            let again = relata(app, &["backup", "--to", file.to_str().unwrap()], None).await;
            assert!(!again.status.success() && stderr(&again).contains("exists already"), "{}", stderr(&again));

            let dir = scratch.join("restored");
            let data_dir = ["--data-dir".to_string(), dir.display().to_string()];
            let restore = |extra: &'static [&'static str]| {
                let mut args: Vec<String> = data_dir.to_vec();
                args.extend(["restore".to_string(), "--from".to_string(), file.display().to_string()]);
                args.extend(extra.iter().map(|a| a.to_string()));
                std::process::Command::new(env!("CARGO_BIN_EXE_relata")).args(&args).output().unwrap()
            };
            let out = restore(&[]);
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            let out = restore(&[]);
            assert!(!out.status.success(), "a database is not replaced without --force");
            assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
            let out = restore(&["--force"]);
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            // A file that is not a sound database is refused, and the
            // restored one stays.
            let garbage = scratch.join("garbage.db");
            std::fs::write(&garbage, b"SQLite format 3\0 but not really").unwrap();
            let mut args = data_dir.to_vec();
            args.extend(["restore", "--from", garbage.to_str().unwrap(), "--force"].map(String::from));
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_relata")).args(&args).output().unwrap();
            assert!(!out.status.success());
            restored_args = data_dir.to_vec();
        }
        TestDb::Postgres { .. } => {
            let file = scratch.join("backup.dump");
            let url = database_url_of(app.db());
            let dump = std::process::Command::new("pg_dump")
                .args(["--format=custom", "--no-owner", "--file", file.to_str().unwrap(), &url])
                .output()
                .expect("pg_dump runs");
            assert!(dump.status.success(), "{}", String::from_utf8_lossy(&dump.stderr));
            stop.store(true, std::sync::atomic::Ordering::SeqCst);
            task.await.unwrap();
            let target = TestDb::create(Backend::Postgres, "restore").await.expect("PostgreSQL");
            let target_url = database_url_of(&target);
            let restore = std::process::Command::new("pg_restore")
                .args(["--no-owner", "--exit-on-error", "--dbname", &target_url, file.to_str().unwrap()])
                .output()
                .expect("pg_restore runs");
            assert!(restore.status.success(), "{}", String::from_utf8_lossy(&restore.stderr));
            restored_args = target.cli_args();
            _restored_db = target;
        }
    }
    // The restored database opens, is current, and holds every write
    // acknowledged before the backup began.
    let restored: std::collections::HashSet<String> = exported_ids(&restored_args).into_iter().collect();
    let missing: Vec<&String> = before_backup.iter().filter(|id| !restored.contains(*id)).collect();
    assert!(missing.is_empty(), "{} acknowledged writes missing", missing.len());
    let _ = std::fs::remove_dir_all(&scratch);
}
