//! The OpenAPI document matches the real API: every documented operation is
//! served (not answered by the "no such route" fallback), undocumented ones
//! are not, and the document is well formed.

use crate::helpers::TestApp;
use reqwest::Method;
use serde_json::Value as Json;

crate::both_backends!(every_documented_operation_is_served);

async fn every_documented_operation_is_served(app: TestApp) {
    let doc = app.send(Method::GET, "/api/v1/openapi.json", None, &[], None).await.expect(200).body;
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().expect("paths");
    let mut operations = 0;
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            operations += 1;
            assert!(op["operationId"].is_string() && op["responses"].is_object(), "{method} {path}");
            let concrete = path.replace("{id}", "01890000-0000-7000-8000-000000000000");
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let body = (method == Method::POST || method == Method::PATCH).then(|| b"{}".to_vec());
            let headers = [("content-type", "application/json"), ("if-match", "\"1\"")];
            let reply = app.send(method.clone(), &concrete, Some(&app.token), &headers, body).await;
            assert_ne!(reply.body["type"], "/problems/no-route", "{method} {path} is documented but not served");
            assert_ne!(reply.status.as_u16(), 405, "{method} {path}");
            assert!(reply.status.as_u16() < 500, "{method} {path}: {}", reply.body);
        }
    }
    assert!(operations > 60, "{operations} operations");
    // Every entity type has its full set of operations.
    for entity in ["accounts", "contacts", "leads", "opportunities", "activities", "pipelines"] {
        let base = &paths[&format!("/api/v1/{entity}")];
        assert!(base["get"].is_object() && base["post"].is_object(), "{entity}");
        let one = &paths[&format!("/api/v1/{entity}/{{id}}")];
        for m in ["get", "patch", "delete"] {
            assert!(one[m].is_object(), "{m} {entity}");
        }
        assert!(paths[&format!("/api/v1/{entity}/{{id}}/restore")]["post"].is_object());
        assert!(paths[&format!("/api/v1/{entity}/{{id}}/history")]["get"].is_object());
    }
    // Schemas describe the fields of the metadata registry.
    let contact = &doc["components"]["schemas"]["Contact"]["properties"];
    for field in ["first_name", "last_name", "emails", "phones", "birthday", "lifecycle", "custom"] {
        assert!(contact[field].is_object(), "Contact.{field}");
    }
    // Routes that are not documented do not exist.
    let reply = app.get("/api/v1/accounts/01890000-0000-7000-8000-000000000000/secrets").await;
    assert_eq!(reply.expect_problem(404, "no-route").status.as_u16(), 404);
    let docs = app.send(Method::GET, "/api/v1/docs", None, &[], None).await.expect(200);
    assert_eq!(docs.body, Json::Null, "an HTML page");
}
