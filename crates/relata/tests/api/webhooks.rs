//! Outbound webhooks on both backends, against a real HTTP receiver on
//! loopback: every event arrives at least once, signed, with an event id
//! that makes duplicates recognisable and in order for each record, across
//! a receiver outage and a worker killed with SIGKILL; filters select
//! records; a receiver that keeps failing pauses its subscription, and
//! resuming sends what waited; bad subscriptions are refused by field.

use crate::helpers::{TestApp, id_of, version_of};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use relata_app::jobs::{WorkerOptions, Workers};
use serde_json::{Value as Json, json};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

crate::both_backends!(
    every_event_arrives_signed_and_in_order_through_an_outage_and_a_killed_worker,
    a_failing_receiver_pauses_its_subscription_until_resumed,
    bad_subscriptions_are_refused_by_field,
);

/// What the receiver got: (signature header, body as sent).
#[derive(Default)]
struct Received {
    requests: Mutex<Vec<(String, String)>>,
    down: AtomicBool,
}

async fn receive(State(r): State<Arc<Received>>, headers: HeaderMap, body: String) -> StatusCode {
    if r.down.load(Ordering::SeqCst) {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    let signature = headers.get("relata-signature").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    r.requests.lock().unwrap().push((signature, body));
    StatusCode::NO_CONTENT
}

async fn receiver() -> (String, Arc<Received>) {
    let state: Arc<Received> = Arc::default();
    let router = axum::Router::new().route("/hook", axum::routing::post(receive)).with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (url, state)
}

/// The events received, as (event id, body), checking each signature.
fn events(r: &Received, secret: &str) -> Vec<(String, Json)> {
    r.requests
        .lock()
        .unwrap()
        .iter()
        .map(|(signature, body)| {
            let (t, v1) = signature.split_once(',').expect("t=…,v1=…");
            let t: i64 = t.trim_start_matches("t=").parse().unwrap();
            let expected = relata_identity::secret::webhook_signature(secret, t, body.as_bytes());
            assert!(
                relata_identity::secret::constant_time_eq(expected.as_bytes(), v1.trim_start_matches("v1=").as_bytes()),
                "a valid signature on {body}"
            );
            assert!((chrono::Utc::now().timestamp() - t).abs() < 600, "a fresh timestamp");
            let body: Json = serde_json::from_str(body).unwrap();
            (body["id"].as_str().unwrap().to_string(), body)
        })
        .collect()
}

async fn until(what: &str, seconds: u64, done: impl Fn() -> bool) {
    for _ in 0..seconds * 10 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("waited {seconds} s for {what}");
}

/// A child process killed when dropped, also when a test fails half way.
struct Worker(std::process::Child);

impl Worker {
    fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A `relata worker` process (feed consumers and jobs) on the test's
/// database, allowed to send to loopback.
fn worker(app: &TestApp) -> Worker {
    let mut args = app.db().cli_args();
    args.push("worker".into());
    std::process::Command::new(env!("CARGO_BIN_EXE_relata"))
        .args(&args)
        .env("RELATA_WEBHOOKS_ALLOW_PRIVATE", "1")
        .env("RELATA_LOG", "error")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map(Worker)
        .expect("relata worker starts")
}

async fn every_event_arrives_signed_and_in_order_through_an_outage_and_a_killed_worker(app: TestApp) {
    app.app.app.allow_private_webhooks.store(true, Ordering::SeqCst);
    let (url, received) = receiver().await;
    let (filtered_url, filtered) = receiver().await;
    let all = app
        .post(
            "/api/v1/webhooks",
            &json!({"name": "ERP", "url": url, "events": ["contact.created", "contact.updated", "invoice.issued"]}),
        )
        .await
        .expect(201)
        .body;
    let secret = all["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"));
    let gdansk = app
        .post("/api/v1/webhooks", &json!({"url": filtered_url, "events": ["contact.*"], "filter": "city = \"Gdańsk\""}))
        .await
        .expect(201)
        .body;

    let mut process = worker(&app);
    let mut contacts = Vec::new();
    for i in 0..12 {
        let city = if i % 3 == 0 { "Gdańsk" } else { "Kraków" };
        let c = app.create("contacts", json!({"last_name": format!("Hook {i}"), "city": city})).await;
        let path = format!("/api/v1/contacts/{}", id_of(&c));
        let once = app.patch(&path, version_of(&c), &json!({"title": "Buyer"})).await.expect(200).body;
        app.patch(&path, version_of(&once), &json!({"title": "Head buyer"})).await.expect(200);
        contacts.push(id_of(&c));
    }
    until("the first 36 events", 60, || events(&received, &secret).len() >= 36).await;

    // The receiver goes down; changes go on; the worker is killed mid-way.
    received.down.store(true, Ordering::SeqCst);
    for id in &contacts[..6] {
        let path = format!("/api/v1/contacts/{id}");
        let now = app.get(&path).await.expect(200).body;
        app.patch(&path, version_of(&now), &json!({"title": "Owner"})).await.expect(200);
    }
    let log_path = format!("/api/v1/webhooks/{}/deliveries?limit=100", id_of(&all));
    until("a failed attempt in the log", 60, || {
        let log = tokio::task::block_in_place(|| {
            tokio::runtime::Handle::current().block_on(async { app.get(&log_path).await.body })
        });
        log["data"].as_array().unwrap().iter().any(|d| d["response_status"] == 503)
    })
    .await;
    process.kill();
    received.down.store(false, Ordering::SeqCst);
    // An invoice issued while no worker runs: its domain event follows.
    let acme = app.create("accounts", json!({"name": "Hook Acme"})).await;
    let invoice = app
        .post(
            "/api/v1/invoices",
            &json!({"account": id_of(&acme), "lines": [{"description": "Work", "quantity": "1",
                "unit_price": {"amount": "100.00", "currency": "EUR"}, "tax_rate": "23"}]}),
        )
        .await
        .expect(201)
        .body;
    let path = format!("/api/v1/invoices/{}", id_of(&invoice));
    app.patch(&path, version_of(&invoice), &json!({"status": "issued"})).await.expect(200);
    let mut process = worker(&app);
    until("every event", 90, || {
        let got = events(&received, &secret);
        let ids: std::collections::HashSet<&String> = got.iter().map(|(id, _)| id).collect();
        ids.len() >= 43
    })
    .await;
    // The worker records what the receiver took a batch at a time; the log
    // catches up before the worker stops.
    until("the log to record every delivery", 60, || {
        let log = tokio::task::block_in_place(|| {
            tokio::runtime::Handle::current().block_on(async { app.get(&log_path).await.body })
        });
        log["data"].as_array().unwrap().iter().all(|d| d["state"] == "delivered")
    })
    .await;
    process.kill();

    let got = events(&received, &secret);
    let unique: std::collections::BTreeMap<String, Json> = got.iter().cloned().collect();
    assert_eq!(unique.len(), 43, "12 creations, 30 updates and one invoice issued: {:?}", unique.keys());
    let issued: Vec<&Json> = unique.values().filter(|b| b["type"] == "invoice.issued").collect();
    assert_eq!(issued.len(), 1);
    assert_eq!(issued[0]["data"]["id"], invoice["id"]);
    assert!(issued[0]["data"]["changes"]["number"]["after"].as_str().unwrap().starts_with("INV-"));
    // Duplicates (resent after the kill) carry the same event id and body.
    for (id, body) in &got {
        assert_eq!(&unique[id], body, "a duplicate is the same event");
    }
    // Each record's events arrive in the order they happened (versions rise).
    for contact in &contacts {
        let mut seen = std::collections::HashSet::new();
        let versions: Vec<i64> = got
            .iter()
            .filter(|(_, b)| b["data"]["id"] == json!(contact))
            .filter(|(id, _)| seen.insert(id.clone()))
            .map(|(_, b)| b["data"]["version"].as_i64().unwrap())
            .collect();
        assert!(versions.windows(2).all(|w| w[0] < w[1]), "{contact}: {versions:?}");
        assert!(versions.len() >= 3);
    }
    // The filtered subscription saw only Gdańsk's contacts.
    let gdansk_secret = gdansk["secret"].as_str().unwrap();
    until("the filtered events", 30, || events(&filtered, gdansk_secret).len() >= 12).await;
    for (_, body) in events(&filtered, gdansk_secret) {
        let id = body["data"]["id"].as_str().unwrap();
        let index = contacts.iter().position(|c| c == id).expect("one of ours");
        assert_eq!(index % 3, 0, "only contacts in Gdańsk");
    }
    // The log shows the outage and the recovery.
    let log = app.get(&log_path).await.expect(200).body;
    let entries = log["data"].as_array().unwrap();
    assert!(entries.iter().all(|d| d["state"] == "delivered"), "{entries:?}");
    assert!(entries.iter().any(|d| d["attempts"].as_i64().unwrap() > 1 && d["last_error"].is_null()));
}

async fn a_failing_receiver_pauses_its_subscription_until_resumed(app: TestApp) {
    app.app.app.allow_private_webhooks.store(true, Ordering::SeqCst);
    let (url, received) = receiver().await;
    received.down.store(true, Ordering::SeqCst);
    // The subscription is an administrator's, who is told on the start page.
    let owner = app.member("integrations@example.com", "admin").await;
    let subscribe = json!({"url": url, "events": ["account.*"]});
    let sub = app.post_as(&owner.token, "/api/v1/webhooks", &subscribe).await.expect(201).body;
    let sub_path = format!("/api/v1/webhooks/{}", id_of(&sub));
    app.create("accounts", json!({"name": "Paused Ltd"})).await;
    let consumer = relata_app::webhooks::WebhookConsumer;
    relata_app::feed::consume_available(&app.app.app, &consumer).await.unwrap();
    relata_app::feed::consume_available(&app.app.app, &consumer).await.unwrap();
    let workers = Workers::new(app.app.app.clone(), WorkerOptions::default());
    let clock = app.app.app.store.clock().clone();
    for _ in 0..relata_app::webhooks::PAUSE_AFTER_ATTEMPTS {
        workers.run_due().await.unwrap();
        clock.advance(chrono::Duration::hours(2));
    }
    let paused = app.get(&sub_path).await.expect(200).body;
    assert_eq!(paused["active"], false, "{paused}");
    assert!(paused["paused_reason"].as_str().unwrap().contains("503"), "{paused}");
    let audit = app.audit("action=webhook.paused").await;
    assert_eq!(audit.len(), 1, "{audit:?}");
    let b = crate::web::browser(&app, "integrations@example.com").await;
    let (_, _, home) = crate::web::page(&app, &b, reqwest::Method::GET, "/", &[]).await;
    assert!(home.contains("Needs your attention") && home.contains(&url) && home.contains("503"), "{home}");
    assert!(home.contains("Notifications, 1 unread"), "the bell: {home}");
    let other_admin = app.member("other-admin@example.com", "admin").await;
    let other = crate::web::browser(&app, "other-admin@example.com").await;
    let (_, _, home) = crate::web::page(&app, &other, reqwest::Method::GET, "/", &[]).await;
    assert!(!home.contains("Needs your attention"), "only the owner is told");
    assert!(home.contains("Notifications, 0 unread"));
    // The notification is the owner's alone, in the API and on its page.
    let mine = app.get_as(&owner.token, "/api/v1/notifications?unread=true").await.expect(200).body;
    assert_eq!(mine["unread"], 1, "{mine}");
    let note = &mine["data"][0];
    assert_eq!(note["kind"], "webhook.paused");
    assert!(note["title"].as_str().unwrap().contains(&url) && note["body"].as_str().unwrap().contains("503"));
    let theirs = app.get_as(&other_admin.token, "/api/v1/notifications").await.expect(200).body;
    assert_eq!(theirs["data"], json!([]));
    let read_path = format!("/api/v1/notifications/{}/read", note["id"].as_str().unwrap());
    app.post_as(&other_admin.token, &read_path, &json!({})).await.expect(404);
    let (_, _, list) = crate::web::page(&app, &b, reqwest::Method::GET, "/notifications", &[]).await;
    assert!(list.contains("Mark read") && list.contains("class=\"unread\""), "{list}");
    let form = [("csrf_token", b.csrf.as_str()), ("id", note["id"].as_str().unwrap())];
    let (status, _, _) = crate::web::page(&app, &b, reqwest::Method::POST, "/notifications/read", &form).await;
    assert_eq!(status, 303);
    let after = app.get_as(&owner.token, "/api/v1/notifications").await.expect(200).body;
    assert_eq!((after["unread"].as_i64(), after["data"][0]["read"].as_bool()), (Some(0), Some(true)), "{after}");
    assert_eq!(app.post_as(&owner.token, &read_path, &json!({})).await.expect(200).body["marked"], 0);
    // Bad queries are named.
    for (query, field) in
        [("unread=maybe", "unread"), ("before=yesterday", "before"), ("limit=0", "limit"), ("colour=red", "colour")]
    {
        let refused = app.get_as(&owner.token, &format!("/api/v1/notifications?{query}")).await.expect(400);
        assert_eq!(refused.error_fields(), [field], "{query}");
    }
    // While paused, events wait; resuming sends them, in order.
    app.create("accounts", json!({"name": "Waiting Ltd"})).await;
    relata_app::feed::consume_available(&app.app.app, &consumer).await.unwrap();
    workers.run_due().await.unwrap();
    assert!(received.requests.lock().unwrap().is_empty());
    received.down.store(false, Ordering::SeqCst);
    let resumed = app
        .send(
            reqwest::Method::PATCH,
            &sub_path,
            Some(&app.token),
            &[("content-type", "application/json")],
            Some(json!({"active": true}).to_string().into_bytes()),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(resumed["paused_reason"], Json::Null);
    workers.run_due().await.unwrap();
    let names: Vec<String> = events(&received, sub["secret"].as_str().unwrap())
        .iter()
        .map(|(_, b)| b["data"]["changes"]["name"]["after"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["Paused Ltd", "Waiting Ltd"]);
    // A delivery can be sent again by hand, with its event id.
    let log = app.get(&format!("{sub_path}/deliveries")).await.expect(200).body;
    let first = log["data"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(first["state"], "delivered");
    let again = app.post(&format!("{sub_path}/deliveries/{}/redeliver", id_of(&first)), &json!({})).await;
    assert_eq!(again.expect(202).body["state"], "pending");
    workers.run_due().await.unwrap();
    let got = events(&received, sub["secret"].as_str().unwrap());
    assert_eq!(got.len(), 3);
    assert_eq!(got[2].0, first["event_id"].as_str().unwrap(), "the same event id");
}

async fn bad_subscriptions_are_refused_by_field(app: TestApp) {
    let refused = app
        .post("/api/v1/webhooks", &json!({"url": "ftp://example.com/x", "events": ["contact.updated", "nothing.here"]}))
        .await
        .expect(422);
    assert_eq!(refused.error_fields(), ["url", "events[1]"]);
    // Loopback and private addresses are refused unless the server allows them.
    for url in ["http://127.0.0.1:9/hook", "http://10.0.0.8/hook", "http://[::1]/hook", "http://localhost/x"] {
        let reply = app.post("/api/v1/webhooks", &json!({"url": url, "events": ["*"]})).await.expect(422);
        assert_eq!(reply.error_fields(), ["url"], "{url}");
    }
    let bad_filter = json!({"url": "http://127.0.0.1:9/", "events": ["*"], "filter": "city = "});
    let fields = app.post("/api/v1/webhooks", &bad_filter).await.expect(422).error_fields();
    assert!(fields.contains(&"filter".to_string()), "{fields:?}");
    assert!(app.get("/api/v1/webhooks").await.expect(200).body["data"].as_array().unwrap().is_empty());
    // Members only: a sales rep may not subscribe.
    let rep = app.member("rep@hooks.test", "sales_rep").await;
    app.post_as(&rep.token, "/api/v1/webhooks", &json!({"url": "https://example.com/", "events": ["*"]}))
        .await
        .expect(403);
}
