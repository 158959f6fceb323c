//! `relata bench`, small: every figure is printed, none reports errors, and
//! the write figures stand next to their bare yardstick (the figures
//! themselves are read by people, never asserted: timings vary).

use serde_json::Value as Json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_benchmark_prints_every_figure_without_errors() {
    let dir = std::env::temp_dir().join(format!("relata-bench-{}", uuid::Uuid::now_v7().simple()));
    let out = tokio::task::spawn_blocking({
        let dir = dir.clone();
        move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_relata"))
                .args(["bench", "--contacts", "400", "--seconds", "1", "--concurrency", "2", "--jobs", "200"])
                .args(["--payments", "300", "--webhook-events", "50", "--invoices", "300", "--cases", "2000"])
                .arg("--dir")
                .arg(&dir)
                .env("RELATA_LOG", "error")
                .output()
                .expect("relata runs")
        }
    })
    .await
    .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let figures: Vec<Json> =
        stdout.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
    let named = |name: &str| {
        figures.iter().find(|f| f["figure"] == name).unwrap_or_else(|| panic!("no {name} in {stdout}")).clone()
    };
    for figure in &figures {
        assert!(figure.get("error").is_none(), "{figure}");
        for key in ["errors", "bare_errors"] {
            if let Some(errors) = figure.get(key) {
                assert_eq!(errors, 0, "{figure}");
            }
        }
    }
    for name in ["csv_import", "bytes_per_contact", "get_contact_by_id", "xlsx_export", "jobs_through_the_queue"] {
        named(name);
    }
    let payments = named("payments_import_balances");
    assert_eq!(payments["imported"], 300, "{payments}");
    assert_eq!(payments["accounts_with_wrong_balance"], 0, "{payments}");
    assert_eq!(named("webhook_deliveries")["received"], 50);
    assert!(named("invoice_pdf")["p95_ms"].as_f64().unwrap() > 0.0);
    for name in ["api_create_contact", "api_update_contact"] {
        let writes = named(name);
        assert!(writes["requests_per_s"].as_f64().unwrap() > 0.0, "{writes}");
        assert!(writes["bare_requests_per_s"].as_f64().unwrap() > 0.0, "{writes}");
    }
    let dunning = named("dunning_rule_evaluation");
    assert_eq!(dunning["runs"], 300, "a run per overdue invoice: {dunning}");
    let drained = named("dunning_jobs_drained");
    assert_eq!(
        (drained["emails_received"].as_u64(), drained["correct"].as_bool()),
        (Some(300), Some(true)),
        "{drained}"
    );
    assert!(named("feed_lag_under_writes")["writes_per_second"].as_f64().unwrap() > 0.0);
    let reevaluated = named("service_sla_reevaluation");
    assert_eq!((reevaluated["cases"].as_u64(), reevaluated["worked_cases"].as_u64()), (Some(2000), Some(1500)));
    assert_eq!(reevaluated["changed"], 1500, "every worked case's due times moved: {reevaluated}");
    assert!(named("service_case_list_by_team_and_status")["bare_p50_ms"].as_f64().unwrap() > 0.0);
    assert_eq!(named("service_report_30_days")["open"], 1500);
    let events = named("telephony_ringing_events");
    assert!(
        events["requests"].as_u64().unwrap() > 0 && events["events_per_second"].as_f64().unwrap() > 0.0,
        "{events}"
    );
    let pops = named("telephony_screen_pops");
    assert_eq!((pops["agents_connected"].as_u64(), pops["events"].as_u64()), (Some(50), Some(200)), "{pops}");
    assert_eq!(pops["pops_delivered"], 200, "every event's pop reached its agent: {pops}");
    assert!(pops["pop_p95_ms"].as_f64().unwrap() > 0.0, "{pops}");
    assert!(pops["events_per_second_without_agents"].as_f64().unwrap() > 0.0, "the same run's baseline: {pops}");
    let settled = named("feed_consumers_settled");
    assert_eq!(settled["caught_up"], true, "measured once the consumers have read the load: {settled}");
    let first = named("sync_first");
    assert!(first["records"].as_u64().unwrap() > 0 && first["records"] == first["subscribed"], "{first}");
    let incremental = named("sync_incremental");
    assert_eq!(incremental["changes_received"], 500, "every change of 5 syncs of 100 came: {incremental}");
    let carddav = named("carddav_sync");
    assert_eq!(carddav["first_objects"], first["records"], "the address book holds the subscription: {carddav}");
    assert_eq!(carddav["objects_received"], 500, "every changed card of 5 syncs of 100 came: {carddav}");
    assert_eq!(carddav["errors"], 0, "{carddav}");
    let languages = named("page_render_languages");
    for language in ["pl", "lt", "ru", "bg"] {
        assert!(languages["p95_ms"][language]["page_record"].as_f64().unwrap() > 0.0, "{languages}");
    }
    for page in ["page_home_dashboard", "page_calendar_week_team", "page_calendar_month"] {
        let rendered = named(page);
        assert!(rendered["requests"].as_u64().unwrap() > 0 && rendered["errors"] == 0, "{rendered}");
    }
    let assets = named("ui_assets");
    assert!(assets["css_bytes"].as_u64().unwrap() > 1000 && assets["js_bytes"].as_u64().unwrap() > 1000, "{assets}");
    let quotes = named("api_create_quote_10_lines");
    assert!(quotes["documents_per_s"].as_f64().unwrap() > 0.0, "{quotes}");
    assert!(quotes["bare_documents_per_s"].as_f64().unwrap() > 0.0, "{quotes}");
}

/// `relata bench --writes-only` on PostgreSQL: API creates and updates next
/// to the bare PostgreSQL writer, both answered without errors.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_write_figures_run_on_postgres() {
    let Some(db) = crate::helpers::TestDb::create(crate::helpers::Backend::Postgres, "bench_writes").await else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("relata-bench-{}", uuid::Uuid::now_v7().simple()));
    let mut args = db.cli_args();
    args.extend(["bench", "--writes-only", "--seconds", "1", "--concurrency", "2"].map(str::to_string));
    args.extend(["--dir".to_string(), dir.display().to_string()]);
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_relata"))
            .args(&args)
            .env("RELATA_LOG", "error")
            .output()
            .expect("relata runs")
    })
    .await
    .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let figures: Vec<Json> = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    for name in ["api_create_contact", "api_update_contact"] {
        let figure = figures.iter().find(|f| f["figure"] == name).unwrap_or_else(|| panic!("{name}: {stdout}"));
        assert_eq!(figure["backend"], "postgres");
        assert_eq!((figure["errors"].as_i64(), figure["bare_errors"].as_i64()), (Some(0), Some(0)), "{figure}");
        assert!(
            figure["requests_per_s"].as_f64().unwrap() > 0.0 && figure["bare_requests_per_s"].as_f64().unwrap() > 0.0
        );
    }
}
