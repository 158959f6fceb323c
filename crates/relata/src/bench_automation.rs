//! `relata bench`'s automation figures, on a database of their own: the
//! built-in dunning rule evaluated over N overdue invoices (each run writes
//! a reminder and queues its sending), then the send jobs drained into
//! recording sinks (an SMTP server on loopback that counts what it
//! accepts), with rule evaluations/s, jobs/s and the total time; and the
//! automation consumer's lag behind the change feed under a write load.

use crate::bench::{figure, sqlite_args};
use relata_app::Ctx;
use relata_core::meta::Schema;
use relata_core::value::{FieldValue, Values};
use serde_json::json;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// Accounts (each with a contact) the invoices are spread over.
const CUSTOMERS: usize = 1_000;

/// A minimal SMTP server on loopback that accepts every message and counts
/// it: the recording sink of the figure (a real client talks to it).
async fn smtp_sink() -> Result<(u16, Arc<AtomicU64>), String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(|e| e.to_string())?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    let received = Arc::new(AtomicU64::new(0));
    let counter = received.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let counter = counter.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                let _ = write.write_all(b"220 sink ESMTP\r\n").await;
                let mut in_data = false;
                while let Ok(Some(line)) = lines.next_line().await {
                    let reply: &[u8] = if in_data {
                        if line != "." {
                            continue;
                        }
                        in_data = false;
                        counter.fetch_add(1, Ordering::Relaxed);
                        b"250 accepted\r\n"
                    } else {
                        match line.get(..4).map(str::to_ascii_uppercase).as_deref() {
                            Some("EHLO") => b"250-sink\r\n250 8BITMIME\r\n",
                            Some("DATA") => {
                                in_data = true;
                                b"354 go on\r\n"
                            }
                            Some("QUIT") => {
                                let _ = write.write_all(b"221 bye\r\n").await;
                                return;
                            }
                            _ => b"250 ok\r\n",
                        }
                    };
                    if write.write_all(reply).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    Ok((port, received))
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

pub async fn run(dir: &Path, invoices: u64) -> Result<(), String> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| format!("cannot empty {}: {e}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let (app, ws) = crate::open(&sqlite_args(&dir.join("relata"))).await?;
    let app = Arc::new(app);
    let ctx = Ctx::new(ws, None);
    let today = app.store.now().date_naive();
    let due = today - chrono::Duration::days(3);

    // Customers, then invoices due three days ago (made drafts through the
    // write path, then marked issued behind its back: issuing 100,000
    // invoices one by one is not what this figure measures).
    let mut tx = app.writer(&ctx).await.map_err(err)?;
    let accounts: Vec<Values> = (0..CUSTOMERS)
        .map(|n| {
            let mut v = Values::default();
            v.set_std("name", FieldValue::Text(format!("Customer {n}")));
            v.set_std("street", FieldValue::Text(format!("ul. Długa {n}")));
            v.set_std("city", FieldValue::Text("Gdańsk".into()));
            v
        })
        .collect();
    let (accounts, _) =
        relata_app::write::create_many_in(&mut tx, &ctx, &Schema::standard(relata_crm::ACCOUNTS), accounts)
            .await
            .map_err(err)?;
    let contacts: Vec<Values> = accounts
        .iter()
        .enumerate()
        .map(|(n, a)| {
            let mut v = Values::default();
            v.set_std("first_name", FieldValue::Text(format!("Anna {n}")));
            v.set_std("last_name", FieldValue::Text("Kowalska".into()));
            v.set_std("account", FieldValue::Ref(a.id.uuid()));
            v.set_std("emails", FieldValue::List(vec![format!("anna{n}@example.pl")]));
            v.set_std("language", FieldValue::Text(if n % 2 == 0 { "pl" } else { "en" }.into()));
            v
        })
        .collect();
    let (contacts, _) =
        relata_app::write::create_many_in(&mut tx, &ctx, &Schema::standard(relata_crm::CONTACTS), contacts)
            .await
            .map_err(err)?;
    tx.commit().await.map_err(err)?;
    // One draft per customer through the write path, copied to N behind
    // its back and marked issued (issuing N invoices one by one is not what
    // this figure measures).
    let started = Instant::now();
    let invoice_schema = Schema::standard(relata_commerce::INVOICES);
    let rows: Vec<Values> = (0..CUSTOMERS.min(invoices as usize))
        .map(|n| {
            let mut v = Values::default();
            v.set_std("account", FieldValue::Ref(accounts[n].id.uuid()));
            v.set_std("contact", FieldValue::Ref(contacts[n].id.uuid()));
            v.set_std("currency", FieldValue::Text("EUR".into()));
            v.set_std("issue_date", FieldValue::Date(due));
            v
        })
        .collect();
    let seeds = rows.len() as u64;
    let mut tx = app.writer(&ctx).await.map_err(err)?;
    relata_app::write::create_many_in(&mut tx, &ctx, &invoice_schema, rows).await.map_err(err)?;
    tx.commit().await.map_err(err)?;
    let copies = invoices.div_ceil(seeds).saturating_sub(1);
    let columns = "workspace_id, version, owner_id, created_at, updated_at, created_by_id, updated_by_id, deleted_at, \
        number, kind, corrects_id, order_id, issue_date, payment_terms_days, due_date, status, paid_amount_minor, \
        paid_amount_currency, credited_amount_minor, credited_amount_currency, balance_minor, balance_currency, \
        account_id, contact_id, currency, discount_percent, rounding, net_total_minor, net_total_currency, \
        tax_total_minor, tax_total_currency, grand_total_minor, grand_total_currency, tax_summary, legal_notes, \
        external_ref, custom, template_id, disputed";
    let issue = format!(
        "WITH RECURSIVE copy(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM copy WHERE i < {copies}) \
         INSERT INTO invoices (id, {columns}) SELECT randomblob(16), {columns} FROM invoices, copy \
         WHERE status = 'draft' AND {copies} > 0; \
         UPDATE invoices SET status = 'issued', due_date = issue_date, number = 'B-' || hex(id), \
         grand_total_minor = 100000, grand_total_currency = 'EUR', balance_minor = 75000, balance_currency = 'EUR', \
         paid_amount_minor = 25000, paid_amount_currency = 'EUR' WHERE status = 'draft';"
    );
    let invoices = seeds * (copies + 1);
    let issue: &'static str = issue.leak();
    let fixture =
        relata_store::migrate::ModuleMigration { version: 1, name: "bench dunning", sqlite: issue, postgres: issue };
    relata_store::migrate::run_module(&app.store, "bench_dunning", &[fixture]).await.map_err(err)?;
    figure("dunning_fixture", json!({"invoices": invoices, "seconds": round(started.elapsed().as_secs_f64())}));

    // The sink, the workspace's SMTP settings, the built-in rule switched on.
    let (port, received) = smtp_sink().await?;
    let settings = json!({"host": "127.0.0.1", "port": port, "security": "none", "from_address": "billing@bench.test"});
    relata_channels::settings::put(&app, &ctx, "email", &settings).await.map_err(err)?;
    let params = relata_app::read::ListParams {
        filter: Some("name = \"Dunning ladder\"".into()),
        limit: Some(1),
        ..Default::default()
    };
    let (page, _) =
        relata_app::read::list(&app, &ctx, relata_automation::AUTOMATION_RULES, &params).await.map_err(err)?;
    let rule = page.records.first().ok_or("the built-in dunning rule")?;
    let mut patch = Values::default();
    patch.set_std("active", FieldValue::Bool(true));
    // Made today: the rule takes invoices due from three days before.
    let rules = Schema::standard(relata_automation::AUTOMATION_RULES);
    let mut tx = app.writer(&ctx).await.map_err(err)?;
    relata_app::write::update_in(&mut tx, &ctx, &rules, rule.id, patch, None).await.map_err(err)?;
    tx.commit().await.map_err(err)?;

    // The evaluation: every invoice checked, a run and a reminder each.
    let started = Instant::now();
    let runs = relata_automation::date_pass(&app, &ctx).await.map_err(err)?;
    let evaluating = started.elapsed().as_secs_f64();
    figure(
        "dunning_rule_evaluation",
        json!({"invoices": invoices, "runs": runs, "seconds": round(evaluating),
               "evaluations_per_second": round(invoices as f64 / evaluating), "target_per_second": 5000}),
    );

    // The drain: every run's first step, every reminder through SMTP.
    let options = relata_app::jobs::WorkerOptions { concurrency: 16, ..Default::default() };
    let workers = Arc::new(relata_app::jobs::Workers::new(app.clone(), options));
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let drain = Instant::now();
    let running = tokio::spawn(workers.run(stopped));
    let deadline = Instant::now() + Duration::from_secs(1800);
    while received.load(Ordering::Relaxed) < runs && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let draining = drain.elapsed().as_secs_f64();
    let _ = stop.send(true);
    let _ = running.await;
    let sent = received.load(Ordering::Relaxed);
    figure(
        "dunning_jobs_drained",
        // Two jobs a run: its first step (the reminder merged and queued),
        // then the email's delivery.
        json!({"jobs": runs * 2, "emails_received": sent, "seconds": round(draining),
               "jobs_per_second": round(2.0 * sent as f64 / draining),
               "emails_per_second": round(sent as f64 / draining), "correct": sent == runs}),
    );
    figure("dunning_total", json!({"seconds": round(evaluating + draining)}));

    feed_lag(&app, &ctx).await
}

/// The automation consumer's lag behind the feed while 8 writers create
/// contacts for 5 seconds: entries behind (sampled every 20 ms) and the
/// time it needs to catch up once the writes stop.
async fn feed_lag(app: &Arc<relata_app::App>, ctx: &Ctx) -> Result<(), String> {
    let consumer =
        app.feed_consumers().into_iter().find(|c| c.name() == "automation").ok_or("the automation consumer")?;
    relata_app::feed::consume_available(app, consumer.as_ref()).await.map_err(err)?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(relata_app::feed::run_consumer(app.clone(), consumer.clone(), stopped));
    let until = Instant::now() + Duration::from_secs(5);
    let written = Arc::new(AtomicU64::new(0));
    let mut writers = Vec::new();
    for w in 0..8 {
        let (app, ctx, written) = (app.clone(), ctx.clone(), written.clone());
        writers.push(tokio::spawn(async move {
            let schema = Schema::standard(relata_crm::CONTACTS);
            let mut n = 0;
            while Instant::now() < until {
                let mut v = Values::default();
                v.set_std("last_name", FieldValue::Text(format!("Load {w}-{n}")));
                let Ok(mut tx) = app.writer(&ctx).await else { continue };
                if relata_app::write::create_in(&mut tx, &ctx, &schema, v).await.is_ok() && tx.commit().await.is_ok() {
                    written.fetch_add(1, Ordering::Relaxed);
                }
                n += 1;
            }
        }));
    }
    let mut samples = Vec::new();
    while Instant::now() < until {
        let head = app.store.feed_head().await.map_err(err)?;
        let offset = app.store.feed_offset(consumer.name()).await.map_err(err)?;
        samples.push((head - offset).max(0) as u64);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for w in writers {
        let _ = w.await;
    }
    let stopped_writing = Instant::now();
    let head = app.store.feed_head().await.map_err(err)?;
    while app.store.feed_offset(consumer.name()).await.map_err(err)? < head {
        if stopped_writing.elapsed() > Duration::from_secs(60) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let catch_up = stopped_writing.elapsed().as_secs_f64() * 1000.0;
    let _ = stop.send(true);
    let _ = running.await;
    samples.sort_unstable();
    let p = |q: f64| samples.get(((samples.len().max(1) - 1) as f64 * q) as usize).copied().unwrap_or(0);
    let writes = written.load(Ordering::Relaxed);
    figure(
        "feed_lag_under_writes",
        json!({"writers": 8, "writes_per_second": round(writes as f64 / 5.0), "lag_entries_p50": p(0.5),
               "lag_entries_p95": p(0.95), "lag_entries_max": p(1.0), "catch_up_ms": round(catch_up)}),
    );
    Ok(())
}

fn round(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}
