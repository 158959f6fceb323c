//! Health, readiness and request ids: what operators and their tools see.

use crate::helpers::TestApp;
use reqwest::Method;
use std::io::{BufRead, BufReader};

crate::both_backends!(
    health_and_readiness_answer_without_credentials,
    every_request_has_an_id_in_its_response_problem_and_log,
    metrics_count_requests_sign_in_failures_jobs_and_connections,
);

async fn health_and_readiness_answer_without_credentials(app: TestApp) {
    let app = &app;
    let health = app.send(Method::GET, "/healthz", None, &[], None).await.expect(200);
    assert_eq!(health.body["status"], "ok");
    let ready = app.send(Method::GET, "/readyz", None, &[], None).await.expect(200);
    assert_eq!(ready.body["status"], "ready");
    assert_eq!(ready.body["schema_version"], relata_store::migrate::latest_version());

    // A newer binary migrated the database under this one: not ready.
    let future = format!(
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES ({}, 'from_the_future', 'now');",
        relata_store::migrate::latest_version() + 1
    );
    crate::helpers::run_sql(app, "test_future", &future).await.unwrap();
    let reply = app.send(Method::GET, "/readyz", None, &[], None).await.expect_problem(503, "not-ready");
    assert!(reply.body["detail"].as_str().unwrap().contains("schema version"), "{}", reply.body);
}

async fn every_request_has_an_id_in_its_response_problem_and_log(app: TestApp) {
    let app = &app;
    let missing = "/api/v1/accounts/01890000-0000-7000-8000-000000000000";
    let reply = app.get(missing).await.expect_problem(404, "not-found");
    let id = reply.header("x-request-id").expect("an id").to_string();
    assert!(id.len() >= 16, "{id}");
    assert_eq!(reply.body["request_id"], id.as_str(), "the problem names its request");
    let other = app.get(missing).await;
    assert_ne!(other.header("x-request-id"), Some(id.as_str()), "each request its own");

    // A caller's id is kept (a proxy's or a client's), a senseless one replaced.
    let token = app.token.clone();
    let reply = app.send(Method::GET, missing, Some(&token), &[("x-request-id", "support-ticket-42")], None).await;
    assert_eq!(reply.header("x-request-id"), Some("support-ticket-42"));
    assert_eq!(reply.body["request_id"], "support-ticket-42");
    let long = "x".repeat(200);
    let reply = app.send(Method::GET, "/healthz", None, &[("x-request-id", long.as_str())], None).await;
    assert_ne!(reply.header("x-request-id"), Some(long.as_str()));
    assert!(reply.body.get("request_id").is_none(), "only problem documents carry it in the body");

    // With RELATA_LOG_FORMAT=json, the server's log lines are JSON objects
    // that carry the request's id.
    let address = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().to_string()
    };
    let mut args = app.db().cli_args();
    args.extend([
        "serve".to_string(),
        "--listen".to_string(),
        address.clone(),
        "--workers".to_string(),
        "0".to_string(),
    ]);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_relata"))
        .args(&args)
        .env("RELATA_LOG", "relata_server=debug")
        .env("RELATA_LOG_FORMAT", "json")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("relata starts");
    let stderr = child.stderr.take().unwrap();
    let lines = std::thread::spawn(move || {
        let mut found = Vec::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let done = line.contains("logged-request-7");
            found.push(line);
            if done {
                break;
            }
        }
        found
    });
    let client = reqwest::Client::new();
    for _ in 0..200 {
        let sent =
            client.get(format!("http://{address}/healthz")).header("x-request-id", "logged-request-7").send().await;
        if sent.is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let lines = tokio::task::spawn_blocking(move || lines.join().unwrap()).await.unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let line = lines.last().expect("log lines");
    let entry: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
    assert_eq!(entry["span"]["id"], "logged-request-7", "{entry}");
    assert_eq!(entry["span"]["path"], "/healthz");
    assert_eq!(entry["fields"]["status"], 200);
}

async fn metrics_count_requests_sign_in_failures_jobs_and_connections(app: TestApp) {
    let app = &app;
    app.create("accounts", serde_json::json!({"name": "Measured"})).await;
    let login = serde_json::json!({"email": "nobody@example.com", "password": "wrong password!"}).to_string();
    let headers = [("content-type", "application/json")];
    app.send(Method::POST, "/api/v1/auth/login", None, &headers, Some(login.into_bytes())).await.expect(401);
    let text = reqwest::get(format!("{}/metrics", app.base)).await.unwrap().text().await.unwrap();
    for expected in [
        r#"relata_http_requests_total{route="/api/v1/{entity}",method="POST",status="201"} 1"#,
        r#"relata_http_request_duration_seconds_bucket{le="#,
        "relata_sign_in_failures_total 1",
        r#"relata_db_connections{name="open"}"#,
        r#"relata_jobs{name="queued"} 0"#,
        "relata_job_oldest_due_seconds 0",
    ] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
    // Through a proxy, or from elsewhere, only with the metrics token.
    let client = reqwest::Client::new();
    let proxied =
        client.get(format!("{}/metrics", app.base)).header("x-forwarded-for", "203.0.113.7").send().await.unwrap();
    assert_eq!(proxied.status(), 403);
    let store = relata_store::Store::open(&app.db().target()).await.unwrap();
    let server = relata_server::Server::configured(relata_server::modules::app(store), "http://127.0.0.1", true);
    server.metrics_token.set("metrics-secret".into()).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let running = tokio::spawn(relata_server::serve(listener, server, std::future::pending()));
    let ask = |token: &'static str| {
        let (client, base) = (client.clone(), base.clone());
        async move {
            let request =
                client.get(format!("{base}/metrics")).header("x-forwarded-for", "203.0.113.7").bearer_auth(token);
            request.send().await.unwrap().status().as_u16()
        }
    };
    assert_eq!(ask("metrics-secret").await, 200);
    assert_eq!(ask("guessed").await, 403);
    running.abort();
}
