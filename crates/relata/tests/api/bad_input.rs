//! Bad input: every kind gets a clear problem document with the right status,
//! and the data stays exactly as it was.

use crate::helpers::{TestApp, account, id_of};
use reqwest::Method;
use serde_json::json;

crate::both_backends!(
    bad_bodies_are_refused_field_by_field_and_change_nothing,
    bad_requests_get_the_right_status_and_change_nothing,
    credentials_are_checked,
);

async fn bad_bodies_are_refused_field_by_field_and_change_nothing(app: TestApp) {
    let app = &app;
    let acme = app.create("accounts", json!({"name": "Acme", "city": "Gdańsk"})).await;
    let anna = app.create("contacts", json!({"last_name": "Nowak", "account": acme["id"]})).await;
    let before = app.snapshot().await;
    let post = |entity: &'static str, raw: &'static str| {
        let headers = [("content-type", "application/json")];
        let path = format!("/api/v1/{entity}");
        async move { app.send(Method::POST, &path, Some(&app.token), &headers, Some(raw.as_bytes().to_vec())).await }
    };

    let r = post("contacts", r#"{"last_name": "Nowak",}"#).await.expect_problem(400, "bad-request");
    assert_eq!(r.error_codes(), ["malformed_json"]);
    assert!(r.body["errors"][0]["message"].as_str().unwrap().contains("line 1"));
    post("contacts", "").await.expect_problem(400, "bad-request");
    post("contacts", "[1, 2]").await.expect_problem(422, "validation");

    let cases: &[(&str, serde_json::Value, &[&str], &[&str])] = &[
        ("contacts", json!({"last_name": "X", "shoe_size": 44}), &["shoe_size"], &["unknown_field"]),
        ("contacts", json!({"last_name": 42}), &["last_name"], &["invalid_type"]),
        ("contacts", json!({"first_name": "No last name"}), &["last_name"], &["required"]),
        ("contacts", json!({"last_name": "X", "emails": ["not-an-email"]}), &["emails"], &["invalid_email"]),
        ("contacts", json!({"last_name": "X", "phones": ["call me maybe"]}), &["phones"], &["invalid_phone"]),
        ("contacts", json!({"last_name": "X", "phones": ["581234567"]}), &["phones"], &["invalid_phone"]),
        ("contacts", json!({"last_name": "X", "birthday": "1990-02-30"}), &["birthday"], &["invalid_date"]),
        ("contacts", json!({"last_name": "X", "lifecycle": "vip"}), &["lifecycle"], &["invalid_choice"]),
        ("contacts", json!({"last_name": "X", "version": 7}), &["version"], &["read_only"]),
        (
            "contacts",
            json!({"last_name": "X", "account": "01890000-0000-7000-8000-000000000000"}),
            &["account"],
            &["not_found"],
        ),
        ("contacts", json!({"last_name": "X", "account": "nope"}), &["account"], &["invalid_id"]),
        (
            "contacts",
            json!({"last_name": "X", "owner": "01890000-0000-7000-8000-000000000000"}),
            &["owner"],
            &["not_found"],
        ),
        ("leads", json!({"last_name": "X", "score": 101}), &["score"], &["out_of_range"]),
        ("accounts", json!({"name": "X".repeat(201)}), &["name"], &["too_long"]),
        (
            "opportunities",
            json!({"name": "Deal", "account": acme["id"], "amount": {"amount": "10", "currency": "JPY"}}),
            &["amount"],
            &["currency_not_enabled"],
        ),
        (
            "opportunities",
            json!({"name": "Deal", "account": acme["id"], "amount": {"amount": "10.999", "currency": "EUR"}}),
            &["amount"],
            &["invalid_amount"],
        ),
        (
            "opportunities",
            json!({"name": "Deal", "account": acme["id"], "amount": {"amount": "10", "currency": "ABC"}}),
            &["amount"],
            &["invalid_currency"],
        ),
    ];
    for (entity, body, fields, codes) in cases {
        let reply = app.post(&format!("/api/v1/{entity}"), body).await.expect_problem(422, "validation");
        assert_eq!(reply.error_fields(), *fields, "{body}");
        assert_eq!(reply.error_codes(), *codes, "{body}");
    }
    // Every problem of one body is reported at once.
    let many = app
        .post("/api/v1/contacts", &json!({"emails": ["x"], "phones": ["y"], "birthday": "soon"}))
        .await
        .expect_problem(422, "validation");
    assert_eq!(many.error_fields().len(), 3, "{}", many.body);

    // A PATCH with one bad field changes nothing, not even the good fields.
    let path = format!("/api/v1/contacts/{}", id_of(&anna));
    app.patch(&path, 1, &json!({"city": "Sopot", "emails": ["bad"]})).await.expect_problem(422, "validation");
    app.patch(&path, 1, &json!({"account": null, "last_name": null})).await.expect_problem(422, "validation");

    let headers = [("content-type", "text/plain")];
    app.send(Method::POST, "/api/v1/accounts", Some(&app.token), &headers, Some(br#"{"name":"X"}"#.to_vec()))
        .await
        .expect_problem(415, "unsupported-media-type");

    assert_eq!(app.snapshot().await, before, "nothing changed");
}

async fn bad_requests_get_the_right_status_and_change_nothing(app: TestApp) {
    let acme = app.create("accounts", account("Acme")).await;
    let path = format!("/api/v1/accounts/{}", id_of(&acme));
    let before = app.snapshot().await;

    let unknown = app.get("/api/v1/spaceships").await.expect_problem(404, "no-route");
    assert!(unknown.body["detail"].as_str().unwrap().contains("accounts"));
    app.get("/api/v1/accounts/01890000-0000-7000-8000-000000000000").await.expect_problem(404, "not-found");
    app.get("/api/v1/accounts/not-an-id").await.expect_problem(404, "not-found");
    app.patch("/api/v1/accounts/01890000-0000-7000-8000-000000000000", 1, &json!({"name": "X"}))
        .await
        .expect_problem(404, "not-found");
    app.delete("/api/v1/accounts/01890000-0000-7000-8000-000000000000").await.expect_problem(404, "not-found");
    // An id of another entity type names no record of this one.
    app.get(&format!("/api/v1/contacts/{}", id_of(&acme))).await.expect_problem(404, "not-found");
    app.send(Method::PUT, &path, Some(&app.token), &[], None).await.expect_problem(405, "method-not-allowed");
    let stale = app.patch(&path, 7, &json!({"name": "Stale"})).await.expect_problem(412, "version-conflict");
    assert_eq!(stale.body["current_version"], 1);
    let garbage = [("content-type", "application/json"), ("if-match", "yesterday")];
    app.send(Method::PATCH, &path, Some(&app.token), &garbage, Some(b"{}".to_vec()))
        .await
        .expect_problem(400, "bad-request");
    let r = app.get("/api/v1/accounts?filters=name").await.expect_problem(400, "bad-request");
    assert_eq!(r.error_codes(), ["unknown_parameter"]);
    app.get("/api/v1/accounts?limit=1&limit=2").await.expect_problem(400, "bad-request");
    app.get("/api/v1/accounts?deleted=maybe").await.expect_problem(400, "bad-request");
    app.get("/api/v1/lookup?phone=12").await.expect_problem(422, "validation");
    app.get("/api/v1/lookup").await.expect_problem(400, "bad-request");
    let bad_key = [("content-type", "application/json"), ("idempotency-key", "")];
    app.send(Method::POST, "/api/v1/accounts", Some(&app.token), &bad_key, Some(br#"{"name":"K"}"#.to_vec()))
        .await
        .expect_problem(400, "bad-request");
    let convert = app.post(&format!("/api/v1/leads/{}/convert", id_of(&acme)), &json!({})).await;
    convert.expect_problem(404, "not-found");
    app.post("/api/v1/metadata/accounts/fields", &json!({"id": "x", "type": "choice"}))
        .await
        .expect_problem(422, "validation");

    // Just over the 2 MiB limit: the server stops reading there, and the few
    // unread bytes do not make the connection reset before the answer.
    let huge = format!(r#"{{"name": "{}"}}"#, "x".repeat(2 * 1024 * 1024 + 64)).into_bytes();
    let headers = [("content-type", "application/json")];
    app.send(Method::POST, "/api/v1/accounts", Some(&app.token), &headers, Some(huge))
        .await
        .expect_problem(413, "payload-too-large");

    assert_eq!(app.snapshot().await, before, "nothing changed");
}

async fn credentials_are_checked(app: TestApp) {
    app.create("accounts", account("Acme")).await;
    let before = app.snapshot().await;

    let none = app.send(Method::GET, "/api/v1/accounts", None, &[], None).await.expect_problem(401, "unauthorized");
    assert!(none.header("www-authenticate").is_some_and(|h| h.starts_with("Bearer")));
    app.send(Method::GET, "/api/v1/accounts", Some("rlt_forged"), &[], None).await.expect_problem(401, "unauthorized");
    let basic = [("authorization", "Basic YWRtaW46YWRtaW4=")];
    app.send(Method::GET, "/api/v1/accounts", None, &basic, None).await.expect_problem(401, "unauthorized");

    let read_only = app.token_with_scope("read").await;
    app.send(Method::GET, "/api/v1/accounts", Some(&read_only), &[], None).await.expect(200);
    let body = Some(json!({"name": "Sneaky"}).to_string().into_bytes());
    let headers = [("content-type", "application/json")];
    app.send(Method::POST, "/api/v1/accounts", Some(&read_only), &headers, body).await.expect_problem(403, "forbidden");

    // Public endpoints need no token.
    app.send(Method::GET, "/healthz", None, &[], None).await.expect(200);
    app.send(Method::GET, "/api/v1/openapi.json", None, &[], None).await.expect(200);
    assert_eq!(app.snapshot().await, before);
}
