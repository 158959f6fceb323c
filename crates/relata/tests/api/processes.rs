//! Several `relata serve` processes on one database (how a company grows
//! past one machine): a revoked token, a deactivated member, a changed
//! role and a new custom field take effect on every process within the
//! documented bound (credentials and schemas are cached for 5 seconds).

use crate::helpers::{ServeProcess, TestApp, serve_process};
use reqwest::{Method, StatusCode};
use serde_json::{Value as Json, json};
use std::time::{Duration, Instant};

crate::both_backends!(
    changes_reach_every_process_within_the_cache_bound,
    a_cold_process_serves_a_crowd_at_once,
    two_processes_write_one_database_without_refusals,
    a_server_process_asks_for_small_pages_only,
);

async fn call(
    server: &ServeProcess,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Json>,
) -> (StatusCode, Json) {
    let mut request = reqwest::Client::new().request(method, format!("{}{path}", server.1)).bearer_auth(token);
    if let Some(body) = body {
        request = request.header("if-match", "\"1\"").json(&body);
    }
    let reply = request.send().await.unwrap();
    let status = reply.status();
    (status, reply.json().await.unwrap_or(Json::Null))
}

/// The bound the README documents, and the margin a busy test machine needs.
const BOUND: Duration = Duration::from_secs(5);
const MARGIN: Duration = Duration::from_secs(3);

async fn changes_reach_every_process_within_the_cache_bound(app: TestApp) {
    let app = &app;
    let rae = app.member("rae@example.com", "sales_rep").await;
    let token = app.post("/api/v1/tokens", &json!({"name": "soon revoked"})).await.expect(201).body;
    let secret = token["secret"].as_str().expect("the secret, shown once").to_string();
    let contact = app.create("contacts", json!({"last_name": "Cached", "city": "Gdańsk", "owner": rae.user})).await;
    let path = format!("/api/v1/contacts/{}", contact["id"].as_str().unwrap());
    let (a, b) = (serve_process(app).await, serve_process(app).await);
    // Process B has everything cached.
    assert_eq!(call(&b, Method::GET, &path, &secret, None).await.0, StatusCode::OK);
    let (status, seen) = call(&b, Method::GET, &path, &rae.token, None).await;
    assert_eq!((status, &seen["city"]), (StatusCode::OK, &json!("Gdańsk")));
    let (status, _) = call(&b, Method::PATCH, &path, &app.token, Some(json!({"custom": {"tier": "gold"}}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "no such field yet");

    // Through process A: the token is revoked, the role hides the city, a
    // custom field is added; then Rae is deactivated.
    let token_id = token["id"].as_str().unwrap();
    assert_eq!(
        call(&a, Method::DELETE, &format!("/api/v1/tokens/{token_id}"), &app.token, None).await.0,
        StatusCode::NO_CONTENT
    );
    let mut rep = app.role("sales_rep").await;
    rep["fields"] = json!({"contacts": {"city": "hidden"}});
    let put = reqwest::Client::new().put(format!("{}/api/v1/roles/sales_rep", a.1)).bearer_auth(&app.token).json(&rep);
    assert_eq!(put.send().await.unwrap().status(), StatusCode::OK);
    let field = json!({"id": "tier", "type": "choice", "options": ["gold", "silver"]});
    let added = reqwest::Client::new()
        .post(format!("{}/api/v1/metadata/contacts/fields", a.1))
        .bearer_auth(&app.token)
        .json(&field);
    assert_eq!(added.send().await.unwrap().status(), StatusCode::CREATED);
    let changed = Instant::now();

    let (mut hidden, mut known, mut revoked) = (None, None, None);
    while changed.elapsed() < BOUND + MARGIN && (hidden.is_none() || known.is_none() || revoked.is_none()) {
        if revoked.is_none() && call(&b, Method::GET, &path, &secret, None).await.0 == StatusCode::UNAUTHORIZED {
            revoked = Some(changed.elapsed());
        }
        if hidden.is_none() {
            let (status, seen) = call(&b, Method::GET, &path, &rae.token, None).await;
            if status == StatusCode::OK && seen.get("city").is_none() {
                hidden = Some(changed.elapsed());
            }
        }
        if known.is_none() {
            let body = json!({"custom": {"tier": "gold"}});
            if call(&b, Method::PATCH, &path, &app.token, Some(body)).await.0 == StatusCode::OK {
                known = Some(changed.elapsed());
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(revoked.is_some(), "the revoked token still works on B after {:?}", changed.elapsed());
    assert!(hidden.is_some(), "the role change has not reached B after {:?}", changed.elapsed());
    assert!(known.is_some(), "the new field is unknown to B after {:?}", changed.elapsed());

    let deactivated = reqwest::Client::new()
        .post(format!("{}/api/v1/users/{}/deactivate", a.1, rae.user))
        .bearer_auth(&app.token)
        .json(&json!({}));
    assert_eq!(deactivated.send().await.unwrap().status(), StatusCode::OK);
    let changed = Instant::now();
    let mut refused = false;
    while changed.elapsed() < BOUND + MARGIN && !refused {
        refused = call(&b, Method::GET, &path, &rae.token, None).await.0 == StatusCode::UNAUTHORIZED;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(refused, "a deactivated member still works on B after {:?}", changed.elapsed());
}

/// More requests at once than the pools have connections, on a process that
/// has nothing cached: none may wait for a second connection while holding
/// one (that deadlocked the pool until its 30-second timeout: a soak test's
/// first minute answered 503s).
async fn a_cold_process_serves_a_crowd_at_once(app: TestApp) {
    const CROWD: usize = 64;
    let app = &app;
    let contact = app.create("contacts", json!({"last_name": "Crowded"})).await;
    let path = format!("/api/v1/contacts/{}", contact["id"].as_str().unwrap());
    let server = serve_process(app).await;
    let client = reqwest::Client::builder().pool_max_idle_per_host(CROWD).build().unwrap();
    let requests: Vec<_> = (0..CROWD)
        .map(|i| {
            let request = match i % 3 {
                0 => client.get(format!("{}{path}", server.1)),
                1 => client.get(format!("{}/api/v1/contacts?limit=5&q=crowded", server.1)),
                _ => client
                    .post(format!("{}/api/v1/contacts", server.1))
                    .json(&json!({"last_name": format!("Crowd {i}")})),
            };
            let request = request.bearer_auth(&app.token).timeout(Duration::from_secs(60));
            tokio::spawn(async move { request.send().await.map(|r| r.status()) })
        })
        .collect();
    // A deadlock is waited out by the pools' 30-second acquire timeout and
    // answered 503.
    for request in requests {
        let status = request.await.unwrap().expect("an answer");
        assert!(status.is_success(), "{status}");
    }
}

/// Two servers writing the same database at once: a write that read first
/// must wait for the other process's lock, not fail (on SQLite a deferred
/// transaction failed at its first write whenever the other process had
/// committed since it began, answered 503 "busy" at once).
async fn two_processes_write_one_database_without_refusals(app: TestApp) {
    const EACH: usize = 40;
    let app = &app;
    let other = serve_process(app).await;
    let client = reqwest::Client::new();
    let mut ids = Vec::new();
    for i in 0..8 {
        ids.push(
            app.create("contacts", json!({"last_name": format!("Shared {i}")})).await["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let writers: Vec<_> = [app.base.clone(), other.1.clone()]
        .into_iter()
        .enumerate()
        .flat_map(|(server, base)| {
            let ids = ids.clone();
            let (client, token) = (client.clone(), app.token.clone());
            (0..4).map(move |lane| {
                let (ids, client, token, base) = (ids.clone(), client.clone(), token.clone(), base.clone());
                tokio::spawn(async move {
                    let mut refused = Vec::new();
                    for n in 0..EACH / 4 {
                        // Updates read the record, then write it: the case that failed.
                        let id = &ids[(server * 4 + lane) % ids.len()];
                        let path = format!("{base}/api/v1/contacts/{id}");
                        let current: Json =
                            client.get(&path).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
                        let version = current["version"].as_i64().unwrap();
                        let reply = client
                            .patch(&path)
                            .bearer_auth(&token)
                            .header("if-match", format!("\"{version}\""))
                            .json(&json!({"title": format!("{server}-{lane}-{n}")}))
                            .send()
                            .await
                            .unwrap();
                        let created = client
                            .post(format!("{base}/api/v1/contacts"))
                            .bearer_auth(&token)
                            .json(&json!({"last_name": format!("From {server} {lane} {n}")}))
                            .send()
                            .await
                            .unwrap();
                        for status in [reply.status(), created.status()] {
                            if !status.is_success() && status != StatusCode::PRECONDITION_FAILED {
                                refused.push(status);
                            }
                        }
                    }
                    refused
                })
            })
        })
        .collect();
    for writer in writers {
        let refused = writer.await.unwrap();
        assert!(refused.is_empty(), "refused: {refused:?}");
    }
    assert_eq!(app.list_all("contacts", "").await.len(), 8 + 2 * EACH);
}

/// `relata serve` turns transparent huge pages off for itself: with them,
/// the first touch of each 2 MiB page of new heap is zeroed inside a
/// request, 5–6 ms that made the caller lookup's p99 (main.rs).
async fn a_server_process_asks_for_small_pages_only(app: TestApp) {
    let server = serve_process(&app).await;
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.0.id())).unwrap();
    let thp = status.lines().find(|l| l.starts_with("THP_enabled:")).expect("the kernel reports THP_enabled");
    assert_eq!(thp.split_whitespace().nth(1), Some("0"), "{thp}");
    // And it still answers.
    let token = app.token_with_scope("read").await;
    assert_eq!(call(&server, Method::GET, "/api/v1/contacts?limit=1", &token, None).await.0, StatusCode::OK);
}
