//! Workspaces are walls: no endpoint reveals, changes or counts another
//! workspace's records, even by guessing their ids.

use crate::helpers::{TestApp, id_of};
use reqwest::Method;
use serde_json::json;

crate::both_backends!(another_workspace_sees_and_changes_nothing);

async fn another_workspace_sees_and_changes_nothing(app: TestApp) {
    let app = &app;
    let acme = app
        .create(
            "accounts",
            json!({"name": "Acme Secret", "phone": "+48 58 123 45 67", "email": "office@acme.example.com"}),
        )
        .await;
    let anna = app
        .create("contacts", json!({"last_name": "Hidden", "account": acme["id"], "phones": ["+48 601 234 567"]}))
        .await;
    let opp = app.create("opportunities", json!({"name": "Secret deal", "account": acme["id"]})).await;
    let lead = app.create("leads", json!({"last_name": "Hidden lead"})).await;
    app.post("/api/v1/metadata/accounts/fields", &json!({"id": "secret_tier", "type": "text"})).await.expect(201);
    let before = app.snapshot().await;

    let (_, other) = app.other_workspace("other").await;
    let send = |method: Method, path: String, body: Option<serde_json::Value>| {
        let other = other.clone();
        async move {
            let headers = [("content-type", "application/json"), ("if-match", "\"1\"")];
            app.send(method, &path, Some(&other), &headers, body.map(|b| b.to_string().into_bytes())).await
        }
    };
    // The other workspace has its own records, so lists are not trivially empty.
    send(Method::POST, "/api/v1/accounts".into(), Some(json!({"name": "Theirs"}))).await.expect(201);

    for (entity, record) in [("accounts", &acme), ("contacts", &anna), ("opportunities", &opp), ("leads", &lead)] {
        let path = format!("/api/v1/{entity}/{}", id_of(record));
        send(Method::GET, path.clone(), None).await.expect_problem(404, "not-found");
        send(Method::GET, format!("{path}?include_deleted=true"), None).await.expect_problem(404, "not-found");
        send(Method::PATCH, path.clone(), Some(json!({"version": 1}))).await.expect(422);
        send(Method::PATCH, path.clone(), Some(json!({}))).await.expect_problem(404, "not-found");
        send(Method::DELETE, path.clone(), None).await.expect_problem(404, "not-found");
        send(Method::POST, format!("{path}/restore"), None).await.expect_problem(404, "not-found");
        send(Method::GET, format!("{path}/history"), None).await.expect_problem(404, "not-found");
    }
    for entity in ["accounts", "contacts"] {
        let record = if entity == "accounts" { &acme } else { &anna };
        send(Method::GET, format!("/api/v1/{entity}/{}/timeline", id_of(record)), None)
            .await
            .expect_problem(404, "not-found");
    }
    send(Method::POST, format!("/api/v1/leads/{}/convert", id_of(&lead)), Some(json!({})))
        .await
        .expect_problem(404, "not-found");
    // Referencing a record of another workspace is as good as a missing one.
    let r = send(Method::POST, "/api/v1/contacts".into(), Some(json!({"last_name": "X", "account": acme["id"]}))).await;
    assert_eq!(r.expect_problem(422, "validation").error_codes(), ["not_found"]);
    let r = send(Method::POST, format!("/api/v1/leads/{}/convert", id_of(&lead)), Some(json!({"account": acme["id"]})))
        .await;
    r.expect_problem(404, "not-found");

    // Lists, search, filters, lookups and metadata show only their own.
    let guessed = format!("?filter=id%20%3D%20%22{}%22", id_of(&acme));
    for query in ["", "?q=Secret", "?q=Hidden", guessed.as_str(), "?deleted=true"] {
        for entity in ["accounts", "contacts", "opportunities", "leads", "activities"] {
            let reply = send(Method::GET, format!("/api/v1/{entity}{query}"), None).await.expect(200);
            let leaked: Vec<_> = reply.body["data"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| [&acme, &anna, &opp, &lead].iter().any(|mine| mine["id"] == r["id"]))
                .collect();
            assert!(leaked.is_empty(), "{entity}{query} leaked {leaked:?}");
        }
    }
    let found = send(Method::GET, "/api/v1/lookup?phone=%2B48601234567".into(), None).await.expect(200);
    assert!(found.body["data"].as_array().unwrap().is_empty());
    let found = send(Method::GET, "/api/v1/lookup?email=office%40acme.example.com".into(), None).await.expect(200);
    assert!(found.body["data"].as_array().unwrap().is_empty());
    let meta = send(Method::GET, "/api/v1/metadata/accounts".into(), None).await.expect(200);
    assert!(!meta.body.to_string().contains("secret_tier"));
    let pipelines = send(Method::GET, "/api/v1/pipelines".into(), None).await.expect(200);
    assert!(pipelines.body["data"].as_array().unwrap().is_empty(), "the other workspace has no pipeline of ours");
    send(Method::DELETE, "/api/v1/metadata/accounts/fields/secret_tier".into(), None)
        .await
        .expect_problem(404, "not-found");

    // People, rights and privacy endpoints are walled off the same way.
    let rep = app.member("rep@ours.example.com", "sales_rep").await;
    let team = app.team("Ours", &[(&rep, true)]).await;
    let contact_path = format!("/api/v1/contacts/{}", id_of(&anna));
    app.post(&format!("{contact_path}/consents"), &json!({"channel": "email", "status": "given", "source": "form"}))
        .await
        .expect(201);
    let users = send(Method::GET, "/api/v1/users".into(), None).await.expect(200);
    assert!(!users.body.to_string().contains("ours.example.com"));
    send(Method::GET, format!("/api/v1/users/{}", rep.user), None).await.expect_problem(404, "not-found");
    send(Method::PATCH, format!("/api/v1/users/{}", rep.user), Some(json!({"role": "admin"})))
        .await
        .expect_problem(404, "not-found");
    send(Method::POST, format!("/api/v1/users/{}/deactivate", rep.user), None).await.expect_problem(404, "not-found");
    send(Method::GET, format!("/api/v1/teams/{team}"), None).await.expect_problem(404, "not-found");
    send(Method::PUT, format!("/api/v1/teams/{team}/members/{}", rep.user), Some(json!({})))
        .await
        .expect_problem(404, "not-found");
    assert!(
        send(Method::GET, "/api/v1/teams".into(), None).await.expect(200).body["data"].as_array().unwrap().is_empty()
    );
    let tokens = app.get("/api/v1/tokens?all=true").await.expect(200).body;
    let our_token = tokens["data"][0]["id"].as_str().unwrap().to_string();
    send(Method::DELETE, format!("/api/v1/tokens/{our_token}"), None).await.expect_problem(404, "not-found");
    let their_tokens = send(Method::GET, "/api/v1/tokens?all=true".into(), None).await.expect(200);
    assert!(!their_tokens.body.to_string().contains(&our_token));
    let audit = send(Method::GET, "/api/v1/audit?limit=500".into(), None).await.expect(200);
    assert!(!audit.body.to_string().contains(&rep.user), "our audit log is ours");
    for path in [format!("{contact_path}/consents"), format!("{contact_path}/personal-data")] {
        send(Method::GET, path, None).await.expect_problem(404, "not-found");
    }
    send(
        Method::POST,
        format!("{contact_path}/consents"),
        Some(json!({"channel": "sms", "status": "given", "source": "x"})),
    )
    .await
    .expect_problem(404, "not-found");
    send(Method::POST, format!("{contact_path}/erase"), None).await.expect_problem(404, "not-found");
    let export = reqwest::Client::new()
        .get(format!("{}/api/v1/contacts/export", app.base))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(export.starts_with("id,") && !export.contains("Hidden"), "{export}");
    send(Method::PUT, "/api/v1/roles/spy".into(), Some(json!({}))).await.expect(200);
    assert!(!app.get("/api/v1/roles").await.expect(200).body.to_string().contains("spy"));
    let their_workspace_roles = send(Method::GET, "/api/v1/roles".into(), None).await.expect(200);
    assert!(their_workspace_roles.body.to_string().contains("spy"));
    // Their rep cannot sign in here, nor switch to our workspace.
    let theirs = send(Method::GET, "/api/v1/auth/me".into(), None).await.expect(200);
    assert_eq!(theirs.body["workspaces"].as_array().unwrap().len(), 1);

    assert_eq!(
        app.get(&format!("{contact_path}/consents")).await.expect(200).body["history"].as_array().unwrap().len(),
        1
    );
    assert_eq!(app.snapshot().await, before, "our workspace is untouched");
}
