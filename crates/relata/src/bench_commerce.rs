//! `relata bench`'s commerce figures, on a database of their own: quotes of
//! 10 lines created through the API next to the bare multi-row insert of
//! the same rows; an invoice's PDF rendered (p50, p95); webhook deliveries
//! per second to a loopback receiver; and payments imported with the
//! accounts' balances checked against the payments afterwards.

use crate::bench::{ServerProcess, figure, free_address, start_with_env};
use serde_json::{Value as Json, json};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Lines per quote in the quote figure.
const LINES: usize = 10;

/// What the commerce figures measure, from `relata bench`'s arguments.
pub struct CommerceBench {
    pub seconds: u64,
    pub concurrency: usize,
    pub payments: u64,
    pub webhook_events: u64,
}

/// Requests of a timed run: latencies (microseconds) and errors.
struct Run {
    latencies: Vec<u64>,
    errors: u64,
    seconds: f64,
}

impl Run {
    fn rate(&self) -> f64 {
        (self.latencies.len() as f64 / self.seconds * 10.0).round() / 10.0
    }

    fn p(&self, q: f64) -> f64 {
        let i = ((self.latencies.len().max(1) - 1) as f64 * q).round() as usize;
        (self.latencies.get(i).copied().unwrap_or(0) as f64 / 10.0).round() / 100.0
    }
}

/// An API client of the bench's server.
#[derive(Clone)]
struct Api {
    client: reqwest::Client,
    base: String,
    auth: String,
}

impl Api {
    async fn send(&self, method: reqwest::Method, path: &str, body: Option<&Json>) -> Result<Json, String> {
        let mut request =
            self.client.request(method, format!("{}{path}", self.base)).header("authorization", &self.auth);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|e| e.to_string())?;
        let status = response.status();
        let text = response.text().await.map_err(|e| e.to_string())?;
        if !status.is_success() {
            return Err(format!("{path}: {status} {text}"));
        }
        Ok(serde_json::from_str(&text).unwrap_or(Json::Null))
    }

    async fn post(&self, path: &str, body: &Json) -> Result<Json, String> {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    async fn import(&self, entity: &str, csv: String) -> Result<Json, String> {
        let response = self
            .client
            .post(format!("{}/api/v1/{entity}/import", self.base))
            .header("authorization", &self.auth)
            .header("content-type", "text/csv")
            .body(csv)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status();
        let text = response.text().await.map_err(|e| e.to_string())?;
        if !status.is_success() {
            return Err(format!("import of {entity}: {status} {text}"));
        }
        serde_json::from_str(&text).map_err(|e| e.to_string())
    }
}

fn eur(amount: &str) -> Json {
    json!({"amount": amount, "currency": "EUR"})
}

pub async fn run(dir: &Path, bench: &CommerceBench) -> Result<(), String> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| format!("cannot empty {}: {e}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let data = dir.join("relata");
    let data_dir = data.to_string_lossy().to_string();
    let (app, ws) = crate::open(&crate::bench::sqlite_args(&data)).await?;
    let token = crate::create_token(&app, &ws, "bench commerce", "read_write").await?;
    app.store.close().await;
    let addr = free_address()?;
    let server: ServerProcess = start_with_env(
        &["serve", "--data-dir", &data_dir, "--listen", &addr],
        &addr,
        &[("RELATA_WEBHOOKS_ALLOW_PRIVATE", "1")],
    )
    .await?;
    let api = Api {
        client: reqwest::Client::builder()
            .pool_max_idle_per_host(bench.concurrency)
            .build()
            .map_err(|e| e.to_string())?,
        base: format!("http://{addr}"),
        auth: format!("Bearer {token}"),
    };
    let account = api.post("/api/v1/accounts", &json!({"name": "Bench Customer Sp. z o.o.", "city": "Gdańsk"})).await?;
    let account = account["id"].as_str().unwrap_or_default().to_string();
    let mut products = Vec::with_capacity(LINES);
    let mut book_lines = Vec::with_capacity(LINES);
    for n in 0..LINES {
        let body = json!({"sku": format!("BENCH-{n}"), "name": format!("Bench product {n}"), "tax_rate": if n % 3 == 0 { "8" } else { "23" }});
        let product = api.post("/api/v1/products", &body).await?;
        let id = product["id"].as_str().unwrap_or_default().to_string();
        book_lines.push(json!({"product": id, "unit_price": eur(&format!("{}.50", 10 + n * 7))}));
        products.push(id);
    }
    api.post("/api/v1/price_books", &json!({"name": "Bench prices", "currency": "EUR", "lines": book_lines})).await?;
    let quote_body = json!({"account": account, "lines": products.iter().enumerate()
        .map(|(n, p)| json!({"product": p, "quantity": (n + 1).to_string(), "discount_percent": if n == 0 { "5" } else { "0" }}))
        .collect::<Vec<_>>()});

    let quotes = quotes_through_the_api(&api, &quote_body, bench).await;
    pdf_figure(&api, &account, &products).await?;
    webhook_figure(&api, bench.webhook_events).await?;
    payments_figure(&api, bench.payments).await?;
    drop(server);
    let bare = bare_documents(&dir.join("bare.db"), bench).await?;
    figure(
        "api_create_quote_10_lines",
        json!({"concurrency": bench.concurrency, "documents_per_s": quotes.rate(), "p50_ms": quotes.p(0.5),
            "p99_ms": quotes.p(0.99), "errors": quotes.errors,
            "bare_documents_per_s": bare.rate(), "bare_p99_ms": bare.p(0.99), "bare_errors": bare.errors,
            "ratio_to_bare": ((quotes.rate() / bare.rate().max(0.1)) * 100.0).round() / 100.0,
            "bare": "the same header and 10 line rows in one transaction: one insert and one multi-row insert"}),
    );
    Ok(())
}

/// `concurrency` clients creating the same 10-line quote for `seconds`.
async fn quotes_through_the_api(api: &Api, body: &Json, bench: &CommerceBench) -> Run {
    let duration = Duration::from_secs(bench.seconds);
    let started = Instant::now();
    let tasks: Vec<_> = (0..bench.concurrency)
        .map(|_| {
            let (api, body) = (api.clone(), body.clone());
            tokio::spawn(async move {
                let (mut latencies, mut errors) = (Vec::new(), 0u64);
                while started.elapsed() < duration {
                    let at = Instant::now();
                    match api.post("/api/v1/quotes", &body).await {
                        Ok(_) => latencies.push(at.elapsed().as_micros() as u64),
                        Err(_) => errors += 1,
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    collect(tasks, started).await
}

async fn collect(tasks: Vec<tokio::task::JoinHandle<(Vec<u64>, u64)>>, started: Instant) -> Run {
    let mut run = Run { latencies: Vec::new(), errors: 0, seconds: 0.0 };
    for task in tasks {
        if let Ok((latencies, errors)) = task.await {
            run.latencies.extend(latencies);
            run.errors += errors;
        }
    }
    run.seconds = started.elapsed().as_secs_f64();
    run.latencies.sort_unstable();
    run
}

/// The yardstick of the quote figure: the same rows (a header and 10 lines
/// as JSON) written by `concurrency` tasks, one transaction per document
/// with a single multi-row insert for the lines, on a database file with
/// Relata's settings.
async fn bare_documents(db: &Path, bench: &CommerceBench) -> Result<Run, String> {
    let pool = crate::bench_writes::bare_writer(db).await?;
    sqlx::query(
        "CREATE TABLE documents (id BLOB PRIMARY KEY, workspace BLOB NOT NULL, number TEXT, data TEXT NOT NULL, \
         created_at TEXT NOT NULL)",
    )
    .execute(&pool)
    .await
    .map_err(|e| e.to_string())?;
    sqlx::query(
        "CREATE TABLE document_lines (document BLOB NOT NULL, position INTEGER NOT NULL, id BLOB NOT NULL, \
         data TEXT NOT NULL, PRIMARY KEY (document, position))",
    )
    .execute(&pool)
    .await
    .map_err(|e| e.to_string())?;
    let duration = Duration::from_secs(bench.seconds);
    let started = Instant::now();
    let workspace = uuid::Uuid::now_v7();
    let counter = Arc::new(AtomicU64::new(0));
    let tasks: Vec<_> = (0..bench.concurrency)
        .map(|_| {
            let (pool, counter) = (pool.clone(), counter.clone());
            tokio::spawn(async move {
                let (mut latencies, mut errors) = (Vec::new(), 0u64);
                while started.elapsed() < duration {
                    let at = Instant::now();
                    let n = counter.fetch_add(1, Ordering::Relaxed);
                    match bare_document(&pool, workspace, n).await {
                        Ok(()) => latencies.push(at.elapsed().as_micros() as u64),
                        Err(_) => errors += 1,
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    let run = collect(tasks, started).await;
    pool.close().await;
    Ok(run)
}

async fn bare_document(pool: &sqlx::SqlitePool, workspace: uuid::Uuid, n: u64) -> Result<(), sqlx::Error> {
    let id = uuid::Uuid::now_v7();
    let mut tx = pool.begin().await?;
    let header = json!({"account": workspace, "currency": "EUR", "status": "draft", "net_total": "1000.00"});
    sqlx::query("INSERT INTO documents (id, workspace, number, data, created_at) VALUES (?, ?, ?, ?, ?)")
        .bind(id)
        .bind(workspace)
        .bind(format!("Q-2026-{n:05}"))
        .bind(header.to_string())
        .bind(chrono::Utc::now().to_rfc3339())
        .execute(&mut *tx)
        .await?;
    let mut insert =
        sqlx::QueryBuilder::<sqlx::Sqlite>::new("INSERT INTO document_lines (document, position, id, data) ");
    insert.push_values(0..LINES, |mut row, position| {
        let line = json!({"quantity": (position + 1).to_string(), "unit_price": eur("10.50"), "tax_rate": "23"});
        row.push_bind(id).push_bind(position as i64).push_bind(uuid::Uuid::now_v7()).push_bind(line.to_string());
    });
    insert.build().execute(&mut *tx).await?;
    tx.commit().await
}

/// An issued invoice of 10 lines printed again and again, one at a time.
async fn pdf_figure(api: &Api, account: &str, products: &[String]) -> Result<(), String> {
    let lines: Vec<Json> = products.iter().map(|p| json!({"product": p, "quantity": "3"})).collect();
    let invoice = api.post("/api/v1/invoices", &json!({"account": account, "lines": lines})).await?;
    let id = invoice["id"].as_str().unwrap_or_default().to_string();
    let version = invoice["version"].as_i64().unwrap_or(1);
    let patch = api
        .client
        .patch(format!("{}/api/v1/invoices/{id}", api.base))
        .header("authorization", &api.auth)
        .header("if-match", format!("\"{version}\""))
        .json(&json!({"status": "issued"}))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !patch.status().is_success() {
        return Err(format!("issuing the bench invoice: {}", patch.status()));
    }
    let started = Instant::now();
    let (mut latencies, mut errors, mut bytes) = (Vec::new(), 0u64, 0usize);
    for _ in 0..200 {
        let at = Instant::now();
        let response = api
            .client
            .get(format!("{}/api/v1/invoices/{id}/pdf", api.base))
            .header("authorization", &api.auth)
            .send()
            .await;
        match response {
            Ok(r) if r.status().is_success() => {
                bytes = r.bytes().await.map(|b| b.len()).unwrap_or(0);
                latencies.push(at.elapsed().as_micros() as u64);
            }
            _ => errors += 1,
        }
    }
    let mut run = Run { latencies, errors, seconds: started.elapsed().as_secs_f64() };
    run.latencies.sort_unstable();
    figure(
        "invoice_pdf",
        json!({"lines": LINES, "renders": run.latencies.len(), "p50_ms": run.p(0.5), "p95_ms": run.p(0.95),
            "errors": run.errors, "pdf_bytes": bytes}),
    );
    Ok(())
}

/// A loopback receiver counting deliveries and distinct event ids.
struct Receiver {
    deliveries: AtomicU64,
    events: std::sync::Mutex<HashSet<String>>,
}

async fn receive(
    axum::extract::State(receiver): axum::extract::State<Arc<Receiver>>,
    body: axum::body::Bytes,
) -> axum::http::StatusCode {
    receiver.deliveries.fetch_add(1, Ordering::SeqCst);
    let event: Json = serde_json::from_slice(&body).unwrap_or(Json::Null);
    if let Some(id) = event["id"].as_str()
        && let Ok(mut seen) = receiver.events.lock()
    {
        seen.insert(id.to_string());
    }
    axum::http::StatusCode::NO_CONTENT
}

/// Contacts imported in one go, each an event for a subscription to a
/// receiver on loopback: deliveries per second from the import's start to
/// the last event received.
async fn webhook_figure(api: &Api, events: u64) -> Result<(), String> {
    let receiver = Arc::new(Receiver { deliveries: AtomicU64::new(0), events: std::sync::Mutex::new(HashSet::new()) });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(|e| e.to_string())?;
    let url = format!("http://{}/hook", listener.local_addr().map_err(|e| e.to_string())?);
    let router = axum::Router::new().route("/hook", axum::routing::post(receive)).with_state(receiver.clone());
    let serving = tokio::spawn(async move { axum::serve(listener, router).await });
    api.post("/api/v1/webhooks", &json!({"url": url, "events": ["contact.created"]})).await?;
    let mut csv = String::from("first_name,last_name,city\n");
    for n in 0..events {
        csv.push_str(&format!("Hook,Receiver {n},Gdańsk\n"));
    }
    let started = Instant::now();
    api.import("contacts", csv).await?;
    let imported = started.elapsed().as_secs_f64();
    let deadline = Instant::now() + Duration::from_secs(600);
    let distinct = || receiver.events.lock().map(|s| s.len() as u64).unwrap_or(0);
    while distinct() < events && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let seconds = started.elapsed().as_secs_f64();
    serving.abort();
    let received = distinct();
    figure(
        "webhook_deliveries",
        json!({"events": events, "received": received, "deliveries": receiver.deliveries.load(Ordering::SeqCst),
            "deliveries_per_s": (received as f64 / seconds).round(), "import_s": (imported * 100.0).round() / 100.0,
            "seconds": (seconds * 100.0).round() / 100.0,
            "errors": events - received.min(events)}),
    );
    Ok(())
}

/// Payments imported through the API for many accounts; afterwards every
/// account's credit balance must equal the sum of its payments.
async fn payments_figure(api: &Api, payments: u64) -> Result<(), String> {
    let accounts = (payments / 100).clamp(1, 1000);
    let mut csv = String::from("name,city\n");
    for n in 0..accounts {
        csv.push_str(&format!("Payer {n},Kaunas\n"));
    }
    api.import("accounts", csv).await?;
    let ids: Vec<String> = payers(api).await?.iter().filter_map(|a| a["id"].as_str().map(str::to_string)).collect();
    let mut expected: HashMap<String, i64> = HashMap::new();
    let mut csv = String::from("account,amount,payment_date,method,reference\n");
    for n in 0..payments {
        let account = &ids[(n as usize * 7919) % ids.len()];
        let cents = 1_000 + (n as i64 * 37) % 90_000;
        *expected.entry(account.clone()).or_default() += cents;
        csv.push_str(&format!(
            "{account},{}.{:02} EUR,2026-11-{:02},bank_transfer,BANK-{n}\n",
            cents / 100,
            cents % 100,
            1 + n % 28
        ));
    }
    let started = Instant::now();
    let result = api.import("payments", csv).await?;
    let seconds = started.elapsed().as_secs_f64();
    let mut wrong = 0u64;
    for account in payers(api).await? {
        let id = account["id"].as_str().unwrap_or_default();
        let minor = account["credit_balance"]["amount_minor"].as_i64().unwrap_or(0);
        if minor != expected.get(id).copied().unwrap_or(0) {
            wrong += 1;
        }
    }
    figure(
        "payments_import_balances",
        json!({"payments": payments, "accounts": accounts, "imported": result["imported"],
            "rows_per_s": (payments as f64 / seconds).round(), "seconds": (seconds * 100.0).round() / 100.0,
            "accounts_with_wrong_balance": wrong, "errors": wrong}),
    );
    Ok(())
}

/// The accounts the payments figure made, page by page.
async fn payers(api: &Api) -> Result<Vec<Json>, String> {
    let mut out = Vec::new();
    let mut cursor = String::new();
    loop {
        let path = format!("/api/v1/accounts?limit=500&filter=city%20%3D%20%22Kaunas%22{cursor}");
        let page = api.send(reqwest::Method::GET, &path, None).await?;
        out.extend(page["data"].as_array().into_iter().flatten().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => return Ok(out),
        }
    }
}
