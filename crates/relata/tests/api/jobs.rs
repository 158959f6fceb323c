//! Durable jobs on both backends: enqueued in the write's transaction,
//! retried with back-off and dead-lettered, recurring by the clock, run once
//! each by two server processes, run again after a worker is killed in the
//! middle, handed back at shutdown; and the administrators' API.

use crate::helpers::TestApp;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use relata_app::Ctx;
use relata_app::jobs::{Enqueue, WorkerOptions, Workers, backoff};
use relata_store::jobs::{JobQuery, JobState};
use serde_json::{Value as Json, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

crate::both_backends!(
    jobs_enqueued_in_a_write_exist_only_if_it_commits,
    failing_jobs_back_off_then_are_dead_lettered_and_retried_by_hand,
    a_recurring_job_fires_when_the_clock_reaches_it,
    two_server_processes_run_a_thousand_jobs_once_each,
    a_killed_workers_job_runs_again_after_its_lease_with_one_effect,
    shutdown_hands_back_a_job_that_does_not_finish_in_time,
);

/// What a receiver of `http.post` deliveries saw.
#[derive(Default)]
struct SinkState {
    /// Every delivery: (idempotency key, body).
    deliveries: Vec<(String, Json)>,
    /// Effects applied: once per key, as an idempotent receiver does.
    effects: HashMap<String, Json>,
    /// Answer this status instead of 200.
    status: Option<u16>,
    /// Hold the first delivery of each key this long before answering.
    hold_first: Option<Duration>,
}

type Sink = Arc<Mutex<SinkState>>;

async fn receive(State(sink): State<Sink>, headers: HeaderMap, body: axum::Json<Json>) -> StatusCode {
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let (hold, status) = {
        let mut s = sink.lock().unwrap();
        let first = !s.deliveries.iter().any(|(k, _)| *k == key);
        s.deliveries.push((key.clone(), body.0.clone()));
        (if first { s.hold_first } else { None }, s.status)
    };
    if let Some(hold) = hold {
        tokio::time::sleep(hold).await;
    }
    if let Some(code) = status {
        return StatusCode::from_u16(code).unwrap();
    }
    sink.lock().unwrap().effects.entry(key).or_insert(body.0);
    StatusCode::OK
}

/// A receiver on a free port; returns its URL.
async fn sink() -> (String, Sink) {
    let state: Sink = Arc::default();
    let router = axum::Router::new().route("/deliver", axum::routing::post(receive)).with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/deliver", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (url, state)
}

/// Switches off the schedules every workspace has (daily passes), so that
/// only a test's own jobs fall due when it moves the clock on.
async fn quiet_schedules(app: &TestApp) {
    let listed = app.get("/api/v1/admin/schedules").await.expect(200).body;
    for schedule in listed["data"].as_array().unwrap() {
        let off = json!({"kind": schedule["kind"], "payload": schedule["payload"], "cron": schedule["cron"],
                         "time_zone": schedule["time_zone"], "enabled": false});
        let path = format!("/api/v1/admin/schedules/{}", schedule["name"].as_str().unwrap());
        app.put_as(&app.token, &path, &off).await.expect(200);
    }
}

fn workers(app: &TestApp) -> Workers {
    Workers::new(app.app.app.clone(), WorkerOptions::default())
}

async fn until<F: Fn() -> bool>(what: &str, seconds: u64, done: F) {
    for _ in 0..seconds * 20 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

async fn jobs_enqueued_in_a_write_exist_only_if_it_commits(app: TestApp) {
    let server = &app.app.app;
    let ctx = Ctx::new(app.workspace.clone(), None);
    let payload = json!({"url": "http://127.0.0.1:9/none", "body": {}});
    let mut tx = server.writer(&ctx).await.unwrap();
    relata_app::jobs::enqueue_in(&mut tx, server, "http.post", payload.clone(), Enqueue::default()).await.unwrap();
    drop(tx); // rolled back
    let all = |store: &relata_store::Store| {
        let store = store.clone();
        async move { store.jobs_page(&JobQuery { limit: 100, ..Default::default() }).await.unwrap() }
    };
    assert!(all(&server.store).await.is_empty(), "nothing is enqueued for a write that rolls back");
    let keyed = Enqueue { idempotency_key: Some("invoice-7-reminder".into()), ..Default::default() };
    let mut tx = server.writer(&ctx).await.unwrap();
    let first =
        relata_app::jobs::enqueue_in(&mut tx, server, "http.post", payload.clone(), keyed.clone()).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = server.writer(&ctx).await.unwrap();
    let again = relata_app::jobs::enqueue_in(&mut tx, server, "http.post", payload, keyed).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(first, again, "one job per idempotency key");
    assert_eq!(all(&server.store).await.len(), 1);
    let mut tx = server.writer(&ctx).await.unwrap();
    let unknown = relata_app::jobs::enqueue_in(&mut tx, server, "no.such", json!({}), Enqueue::default()).await;
    assert!(unknown.is_err());
}

async fn failing_jobs_back_off_then_are_dead_lettered_and_retried_by_hand(app: TestApp) {
    let (url, sink) = sink().await;
    sink.lock().unwrap().status = Some(503);
    quiet_schedules(&app).await;
    let body = json!({"kind": "http.post", "payload": {"url": url, "body": {"hello": 1}}, "max_attempts": 3});
    let job = app.post("/api/v1/admin/jobs", &body).await.expect(201).body;
    let id = job["id"].as_str().unwrap().to_string();
    assert_eq!(job["state"], "queued");
    let workers = workers(&app);
    let clock = app.app.app.store.clock().clone();
    let mut waits = Vec::new();
    for attempt in 1..=3 {
        assert_eq!(workers.run_due().await.unwrap(), 1, "attempt {attempt} runs");
        let job = app.get(&format!("/api/v1/admin/jobs/{id}")).await.expect(200).body;
        assert_eq!(job["attempts"], attempt);
        assert!(job["last_error"].as_str().unwrap().contains("503"), "{job}");
        if attempt < 3 {
            assert_eq!(job["state"], "queued", "retried later");
            let failed = app.get("/api/v1/admin/jobs?state=failed").await.expect(200).body;
            assert_eq!(failed["data"][0]["id"], json!(id), "listed as failed while it waits: {failed}");
            assert_eq!(failed["counts"]["failed"], 1);
            assert_eq!(workers.run_due().await.unwrap(), 0, "not before its time");
            let run_at = chrono::DateTime::parse_from_rfc3339(job["run_at"].as_str().unwrap()).unwrap();
            let wait = run_at.with_timezone(&chrono::Utc) - app.app.app.store.now();
            let expected = backoff(id.parse().unwrap(), attempt);
            assert!(wait <= expected && wait > expected - chrono::Duration::seconds(1), "{wait} ~ {expected}");
            waits.push(wait);
            clock.advance(expected + chrono::Duration::milliseconds(1));
        } else {
            assert_eq!(job["state"], "dead", "dead-lettered after its last attempt");
        }
    }
    assert!(waits[1] > waits[0], "the back-off grows: {waits:?}");
    let deliveries = sink.lock().unwrap().deliveries.clone();
    assert_eq!(deliveries.len(), 3);
    assert!(deliveries.iter().all(|(key, body)| *key == id && body["hello"] == 1), "the job's id is the key");
    let dead = app.get("/api/v1/admin/jobs?state=dead").await.expect(200).body;
    assert_eq!(dead["data"][0]["id"], json!(id));
    assert_eq!(dead["counts"]["dead"], 1);

    // Retried by hand once the receiver is back.
    sink.lock().unwrap().status = None;
    let retried = app.post(&format!("/api/v1/admin/jobs/{id}/retry"), &json!({})).await.expect(200).body;
    assert_eq!(retried["state"], "queued");
    let failed = app.get("/api/v1/admin/jobs?state=failed").await.expect(200).body;
    assert_eq!(failed["data"], json!([]), "a job retried by hand starts afresh");
    app.get("/api/v1/admin/jobs?state=broken").await.expect(400);
    assert_eq!(workers.run_due().await.unwrap(), 1);
    assert_eq!(app.get(&format!("/api/v1/admin/jobs/{id}")).await.expect(200).body["state"], "done");
    app.post(&format!("/api/v1/admin/jobs/{id}/retry"), &json!({})).await.expect_problem(409, "conflict");
    assert_eq!(sink.lock().unwrap().effects.len(), 1);

    // A payload the handler cannot read is dead-lettered at once, saying why.
    let bad = json!({"kind": "http.post", "payload": {"url": "ftp://example.com/x"}});
    let bad = app.post("/api/v1/admin/jobs", &bad).await.expect(201).body;
    assert_eq!(workers.run_due().await.unwrap(), 1);
    let bad = app.get(&format!("/api/v1/admin/jobs/{}", bad["id"].as_str().unwrap())).await.expect(200).body;
    assert_eq!((bad["state"].as_str(), bad["attempts"].as_i64()), (Some("dead"), Some(1)));
    assert!(bad["last_error"].as_str().unwrap().contains("payload.url"), "{bad}");

    // A job cancelled while it waits never runs.
    let later = (app.app.app.store.now() + chrono::Duration::hours(1)).to_rfc3339();
    let waiting = json!({"kind": "http.post", "payload": {"url": url}, "run_at": later});
    let waiting = app.post("/api/v1/admin/jobs", &waiting).await.expect(201).body;
    let path = format!("/api/v1/admin/jobs/{}/cancel", waiting["id"].as_str().unwrap());
    assert_eq!(app.post(&path, &json!({})).await.expect(200).body["state"], "cancelled");
    clock.advance(chrono::Duration::hours(2));
    assert_eq!(workers.run_due().await.unwrap(), 0);

    // Refusals: unknown kinds, bad bodies, people who are not administrators.
    let unknown = app.post("/api/v1/admin/jobs", &json!({"kind": "spaceship.launch"})).await;
    assert!(unknown.expect_problem(422, "validation").error_fields().contains(&"kind".to_string()));
    let bad = app.post("/api/v1/admin/jobs", &json!({"kind": "http.post", "max_attempts": 0, "colour": 1})).await;
    let fields = bad.expect_problem(422, "validation").error_fields();
    assert!(fields.contains(&"max_attempts".to_string()) && fields.contains(&"colour".to_string()), "{fields:?}");
    let rep = app.member("rep@example.com", "sales_rep").await;
    app.get_as(&rep.token, "/api/v1/admin/jobs").await.expect_problem(403, "forbidden");
    app.get("/api/v1/admin/jobs?all=true").await.expect(200);
    app.get("/api/v1/admin/jobs?state=sleeping").await.expect_problem(400, "bad-request");
}

async fn a_recurring_job_fires_when_the_clock_reaches_it(app: TestApp) {
    // Only this test's schedule fires here: the modules' own (commerce's
    // nightly overdue pass, automation's date rules) are switched off.
    let off =
        json!({"kind": "commerce.overdue", "payload": {}, "cron": "0 5 0 * * *", "time_zone": "UTC", "enabled": false});
    app.put_as(&app.token, "/api/v1/admin/schedules/commerce_overdue", &off).await.expect(200);
    quiet_schedules(&app).await;
    let (url, sink) = sink().await;
    let body = json!({"kind": "http.post", "payload": {"url": url, "body": {"report": "daily"}},
        "cron": "0 9 * * *", "time_zone": "Europe/Warsaw"});
    let schedule = app.put_as(&app.token, "/api/v1/admin/schedules/daily_report", &body).await.expect(200).body;
    let first = chrono::DateTime::parse_from_rfc3339(schedule["next_run_at"].as_str().unwrap()).unwrap();
    let local = first.with_timezone(&chrono_tz::Europe::Warsaw);
    assert_eq!(local.format("%H:%M").to_string(), "09:00", "nine in Warsaw");
    let workers = workers(&app);
    assert_eq!(workers.run_due().await.unwrap(), 0, "not yet");
    let store = &app.app.app.store;
    store.clock().advance(first.with_timezone(&chrono::Utc) - store.now() + chrono::Duration::seconds(1));
    assert_eq!(workers.run_due().await.unwrap(), 1, "due once the clock reached it");
    assert_eq!(workers.run_due().await.unwrap(), 0, "and only once");
    assert_eq!(sink.lock().unwrap().deliveries[0].1["report"], "daily");
    let listed = app.get("/api/v1/admin/schedules").await.expect(200).body;
    let daily = listed["data"].as_array().unwrap().iter().find(|s| s["name"] == "daily_report").unwrap();
    let next = chrono::DateTime::parse_from_rfc3339(daily["next_run_at"].as_str().unwrap()).unwrap();
    assert_eq!(next - first, chrono::Duration::days(1), "tomorrow at nine");

    let bad = json!({"kind": "http.post", "payload": {}, "cron": "61 * * * *", "time_zone": "Mars/Olympus"});
    let reply = app.put_as(&app.token, "/api/v1/admin/schedules/broken", &bad).await;
    let fields = reply.expect_problem(422, "validation").error_fields();
    assert!(fields.contains(&"cron".to_string()) || fields.contains(&"time_zone".to_string()), "{fields:?}");
}

/// A `relata` process on the test's database; killed when dropped.
struct Process(std::process::Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(app: &TestApp, args: &[&str]) -> Process {
    let mut all = app.db().cli_args();
    all.extend(args.iter().map(|a| a.to_string()));
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_relata"))
        .args(&all)
        .env("RELATA_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("relata starts");
    Process(child)
}

fn free_address() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().to_string()
}

async fn counts(app: &TestApp) -> HashMap<String, i64> {
    app.app.app.store.job_counts(None).await.unwrap().into_iter().collect()
}

async fn two_server_processes_run_a_thousand_jobs_once_each(app: TestApp) {
    const JOBS: usize = 1000;
    let (url, sink) = sink().await;
    let server = &app.app.app;
    let ctx = Ctx::new(app.workspace.clone(), None);
    let mut tx = server.writer(&ctx).await.unwrap();
    for n in 0..JOBS {
        let payload = json!({"url": url, "body": {"n": n}});
        relata_app::jobs::enqueue_in(&mut tx, server, "http.post", payload, Enqueue::default()).await.unwrap();
    }
    tx.commit().await.unwrap();
    let _a = start(&app, &["serve", "--listen", &free_address(), "--workers", "4"]);
    let _b = start(&app, &["serve", "--listen", &free_address(), "--workers", "4"]);
    for _ in 0..1200 {
        if counts(&app).await.get("done").copied().unwrap_or(0) == JOBS as i64 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(counts(&app).await.get("done").copied(), Some(JOBS as i64), "every job done");
    let mut numbers: Vec<i64> = {
        let sink = sink.lock().unwrap();
        assert_eq!(sink.deliveries.len(), JOBS, "each delivered once");
        assert_eq!(sink.effects.len(), JOBS);
        sink.deliveries.iter().map(|(_, b)| b["n"].as_i64().unwrap()).collect()
    };
    numbers.sort();
    assert_eq!(numbers, (0..JOBS as i64).collect::<Vec<_>>());
    let done = server
        .store
        .jobs_page(&JobQuery { state: Some(JobState::Done.into()), limit: JOBS as u64, ..Default::default() })
        .await
        .unwrap();
    assert!(done.iter().all(|j| j.attempts == 1));
    let mut workers: Vec<String> = done.iter().filter_map(|j| j.leased_by.clone()).collect();
    workers.sort();
    workers.dedup();
    assert_eq!(workers.len(), 2, "both processes took jobs: {workers:?}");
}

async fn a_killed_workers_job_runs_again_after_its_lease_with_one_effect(app: TestApp) {
    let (url, sink) = sink().await;
    sink.lock().unwrap().hold_first = Some(Duration::from_secs(20));
    let job = app.post("/api/v1/admin/jobs", &json!({"kind": "http.post", "payload": {"url": url}})).await;
    let id: uuid::Uuid = job.expect(201).body["id"].as_str().unwrap().parse().unwrap();
    let mut first = start(&app, &["worker", "--workers", "1", "--job-lease", "2"]);
    until("the first delivery", 30, || sink.lock().unwrap().deliveries.len() == 1).await;
    // Killed in the middle of the job: it is running, and its lease runs out.
    first.0.kill().unwrap();
    let _ = first.0.wait();
    let store = &app.app.app.store;
    let running = store.find_job(None, id).await.unwrap().unwrap();
    assert_eq!(running.state, JobState::Running);
    let _second = start(&app, &["worker", "--workers", "1", "--job-lease", "2"]);
    for _ in 0..600 {
        if store.find_job(None, id).await.unwrap().unwrap().state == JobState::Done {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let done = store.find_job(None, id).await.unwrap().unwrap();
    assert_eq!(done.state, JobState::Done, "{done:?}");
    assert_eq!(done.attempts, 2, "run again after the lease ran out");
    assert_ne!(done.leased_by, running.leased_by, "by the other worker");
    let sink = sink.lock().unwrap();
    assert_eq!(sink.deliveries.len(), 2);
    assert!(sink.deliveries.iter().all(|(key, _)| *key == id.to_string()));
    assert_eq!(sink.effects.len(), 1, "one effect per idempotency key");
}

async fn shutdown_hands_back_a_job_that_does_not_finish_in_time(app: TestApp) {
    let (url, sink) = sink().await;
    sink.lock().unwrap().hold_first = Some(Duration::from_secs(20));
    let job = app.post("/api/v1/admin/jobs", &json!({"kind": "http.post", "payload": {"url": url}})).await;
    let id: uuid::Uuid = job.expect(201).body["id"].as_str().unwrap().parse().unwrap();
    let mut worker = start(&app, &["worker", "--workers", "1", "--drain", "1"]);
    until("the delivery", 30, || sink.lock().unwrap().deliveries.len() == 1).await;
    let pid = worker.0.id().to_string();
    assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let exited = tokio::task::spawn_blocking(move || {
        let status = worker.0.wait();
        (status, worker)
    });
    let (status, _worker) = tokio::time::timeout(Duration::from_secs(15), exited).await.expect("it stops").unwrap();
    assert!(status.unwrap().success(), "a clean exit");
    let job = app.app.app.store.find_job(None, id).await.unwrap().unwrap();
    assert_eq!(job.state, JobState::Queued, "handed back, due again: {job:?}");
    assert_eq!(job.attempts, 0, "the unfinished attempt does not count");
    assert!(job.leased_by.is_none());
}
