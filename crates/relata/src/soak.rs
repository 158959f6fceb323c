//! `relata bench --soak SECONDS`: a long mixed workload against a running
//! server (reads, filtered lists, searches, lookups, creates, updates and
//! deletes; 70% reads) at concurrency 64, printing per minute the
//! throughput, p50/p99 latency, errors (412 conflicts counted apart, as
//! expected) and the server's memory, then whether it held steady: no
//! errors, the last minute's p99 within 1.5× of the first's, memory growth
//! under 10%. The live data set stays at its starting size (each client
//! deletes, oldest first, the contacts it created), so that what is
//! measured is the server over time, not the cost of a growing database
//! (the bench measures that).

use crate::bench::{free_address, start, status_mb};
use crate::{DbArgs, create_token, load_demo, open};
use relata_app::module::DemoPlan;
use relata_sales::demo::Rng;
use serde_json::{Value as Json, json};
use std::path::Path;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CONCURRENCY: usize = 64;

/// One answered request: microseconds, and how it ended.
#[derive(Clone, Copy, PartialEq)]
enum Outcome {
    Ok,
    Conflict,
    /// The status of an error answer; 0 when there was no answer.
    Error(u16),
}

pub async fn run(db: &DbArgs, dir: &Path, contacts: u64, seconds: u64) -> Result<ExitCode, String> {
    // The database: the one --database-url names, or the bench's SQLite one.
    let target =
        DbArgs { data_dir: dir.join("soak"), database_url: db.database_url.clone().filter(|u| !u.trim().is_empty()) };
    let db_args: Vec<String> = match &target.database_url {
        Some(url) => vec!["--database-url".into(), url.clone()],
        None => vec!["--data-dir".into(), target.data_dir.display().to_string()],
    };
    let (app, ws) = open(&target).await?;
    if let Some(on) = app.store.autovacuum().await.map_err(|e| e.to_string())? {
        // Said first: with autovacuum off, dead rows pile up and the minutes
        // slow down whatever Relata does.
        println!("{}", json!({"figure": "soak_database", "backend": "postgres", "autovacuum": on}));
    }
    let ctx = relata_app::Ctx::new(ws.clone(), None);
    let existing = relata_app::read::list(&app, &ctx, relata_crm::CONTACTS, &Default::default())
        .await
        .map_err(|e| e.to_string())?
        .0
        .records
        .len();
    if existing == 0 {
        load_demo(&app, &ws, &DemoPlan { contacts: contacts.min(100_000), ..Default::default() }).await?;
    }
    let token = create_token(&app, &ws, "soak", "read_write").await?;
    app.store.close().await;

    let address = free_address()?;
    let mut args: Vec<&str> = db_args.iter().map(String::as_str).collect();
    args.extend(["serve", "--listen", &address]);
    let server = start(&args, &address).await?;
    let base = format!("http://{address}");
    let client = reqwest::Client::builder().pool_max_idle_per_host(CONCURRENCY).build().map_err(|e| e.to_string())?;
    let ids: Vec<String> = {
        let page: Json = client
            .get(format!("{base}/api/v1/contacts?limit=500"))
            .bearer_auth(&token)
            .send()
            .await
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        page["data"]
            .as_array()
            .map(|a| a.iter().filter_map(|c| c["id"].as_str().map(String::from)).collect())
            .unwrap_or_default()
    };
    if ids.is_empty() {
        return Err("the soak database has no contacts".into());
    }

    let window: Arc<Mutex<Vec<(u64, Outcome)>>> = Arc::new(Mutex::new(Vec::new()));
    let started = Instant::now();
    let duration = Duration::from_secs(seconds);
    let ids = Arc::new(ids);
    let mut clients = Vec::new();
    for worker in 0..CONCURRENCY {
        let (client, base, token, ids, window) =
            (client.clone(), base.clone(), token.clone(), ids.clone(), window.clone());
        clients.push(tokio::spawn(async move {
            let mut rng = Rng::new(1000 + worker as u64);
            let mut n = 0u64;
            let mut created: std::collections::VecDeque<String> = std::collections::VecDeque::new();
            while started.elapsed() < duration {
                n += 1;
                let id = &ids[(rng.next_u64() % ids.len() as u64) as usize];
                let dice = rng.next_u64() % 100;
                let sent = Instant::now();
                let request = match dice {
                    0..=29 => client.get(format!("{base}/api/v1/contacts/{id}")),
                    30..=44 => {
                        client.get(format!("{base}/api/v1/contacts?limit=50&filter=lifecycle%20%3D%20%22current%22"))
                    }
                    45..=59 => client.get(format!("{base}/api/v1/contacts?limit=20&q=an")),
                    60..=69 => client.get(format!("{base}/api/v1/lookup?phone=%2B48601000{:03}", n % 1000)),
                    70..=79 => client
                        .post(format!("{base}/api/v1/contacts"))
                        .json(&json!({"last_name": format!("Soak {worker}-{n}"), "city": "Gdańsk"})),
                    80..=89 => client
                        .patch(format!("{base}/api/v1/contacts/{id}"))
                        .header("if-match", "\"1\"")
                        .json(&json!({"title": format!("Soaked {n}")})),
                    _ => {
                        let target = created.pop_front().unwrap_or_else(|| id.clone());
                        client.delete(format!("{base}/api/v1/contacts/{target}")).header("if-match", "\"1\"")
                    }
                };
                let outcome = match request.bearer_auth(&token).send().await {
                    Ok(r) if r.status().is_success() || r.status() == 404 => {
                        let body = r.bytes().await.unwrap_or_default();
                        if (70..=79).contains(&dice)
                            && let Ok(record) = serde_json::from_slice::<Json>(&body)
                            && let Some(id) = record["id"].as_str()
                        {
                            created.push_back(id.to_string());
                        }
                        Outcome::Ok
                    }
                    // A stale If-Match, or a record already deleted: expected under concurrent writers.
                    Ok(r) if r.status() == 412 => Outcome::Conflict,
                    Ok(r) => Outcome::Error(r.status().as_u16()),
                    Err(_) => Outcome::Error(0),
                };
                window.lock().expect("lock").push((sent.elapsed().as_micros() as u64, outcome));
            }
        }));
    }

    let pid = server.0.id();
    let minute = Duration::from_secs(60.min(seconds.max(1)));
    let mut minutes: Vec<Json> = Vec::new();
    while started.elapsed() < duration {
        tokio::time::sleep(minute.min(duration.saturating_sub(started.elapsed())).max(Duration::from_millis(10))).await;
        let taken = std::mem::take(&mut *window.lock().expect("lock"));
        minutes.push(minute_figure(minutes.len() + 1, &taken, minute, status_mb(pid, "VmRSS:")));
    }
    for client in clients {
        let _ = client.await;
    }
    let rest = std::mem::take(&mut *window.lock().expect("lock"));
    if !rest.is_empty()
        && let Some(last) = minutes.last_mut()
    {
        last["requests_after_the_end"] = json!(rest.len());
    }
    drop(server);
    let (first, last) = (minutes.first().cloned().unwrap_or_default(), minutes.last().cloned().unwrap_or_default());
    let errors: u64 = minutes.iter().map(|m| m["errors"].as_u64().unwrap_or(0)).sum();
    let p99_ratio = last["p99_ms"].as_f64().unwrap_or(0.0) / first["p99_ms"].as_f64().unwrap_or(1.0).max(0.001);
    let rss_growth = last["rss_mb"].as_f64().unwrap_or(0.0) / first["rss_mb"].as_f64().unwrap_or(1.0).max(0.001) - 1.0;
    let held = errors == 0 && p99_ratio <= 1.5 && rss_growth < 0.10;
    println!(
        "{}",
        json!({"figure": "soak", "seconds": seconds, "concurrency": CONCURRENCY, "errors": errors,
            "p99_last_to_first": (p99_ratio * 100.0).round() / 100.0, "rss_growth": (rss_growth * 1000.0).round() / 1000.0,
            "held": held, "target": "0 errors, p99 of the last minute within 1.5x of the first, RSS growth under 10%"})
    );
    Ok(ExitCode::SUCCESS)
}

fn minute_figure(number: usize, answered: &[(u64, Outcome)], length: Duration, rss: Option<f64>) -> Json {
    let mut latencies: Vec<u64> = answered.iter().map(|(us, _)| *us).collect();
    latencies.sort_unstable();
    let at = |q: f64| latencies.get(((latencies.len().max(1) - 1) as f64 * q).round() as usize).copied().unwrap_or(0);
    let mut errors: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
    for (_, outcome) in answered {
        if let Outcome::Error(status) = outcome {
            let key = if *status == 0 { "no answer".to_string() } else { status.to_string() };
            *errors.entry(key).or_default() += 1;
        }
    }
    let conflicts = answered.iter().filter(|(_, x)| *x == Outcome::Conflict).count();
    let line = json!({"figure": "soak_minute", "minute": number, "requests": answered.len(),
        "requests_per_s": (answered.len() as f64 / length.as_secs_f64()).round(),
        "p50_ms": at(0.5) as f64 / 1000.0, "p99_ms": at(0.99) as f64 / 1000.0,
        "errors": errors.values().sum::<u64>(), "errors_by_status": errors, "conflicts_412": conflicts, "rss_mb": rss});
    println!("{line}");
    line
}
