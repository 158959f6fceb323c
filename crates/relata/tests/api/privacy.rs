//! GDPR: the consent ledger, the export of everything about a person, and
//! erasure by anonymisation that keeps financial records, on both backends.

use crate::helpers::{TestApp, id_of};
use reqwest::Method;
use serde_json::json;

crate::both_backends!(
    consent_is_a_ledger_per_channel,
    a_person_is_exported_and_erased,
    a_long_story_is_exported_whole_page_by_page
);

async fn consent_is_a_ledger_per_channel(app: TestApp) {
    let app = &app;
    let contact = app.create("contacts", json!({"last_name": "Wiśniewska", "emails": ["w@example.com"]})).await;
    let path = format!("/api/v1/contacts/{}/consents", id_of(&contact));
    let current = app.get(&path).await.expect(200).body;
    assert_eq!(current["current"]["email"]["status"], "unknown");
    app.post(&path, &json!({"channel": "email", "status": "given", "source": "web form"})).await.expect(201);
    app.post(&path, &json!({"channel": "sms", "status": "given", "source": "call"})).await.expect(201);
    app.post(
        &path,
        &json!({"channel": "email", "status": "withdrawn", "source": "unsubscribe link", "note": "newsletter"}),
    )
    .await
    .expect(201);
    let ledger = app.get(&path).await.expect(200).body;
    assert_eq!(ledger["current"]["email"]["status"], "withdrawn");
    assert_eq!(ledger["current"]["sms"]["status"], "given");
    assert_eq!(ledger["current"]["post"]["status"], "unknown");
    let history = ledger["history"].as_array().unwrap();
    assert_eq!(history.len(), 3, "the history is kept");
    assert_eq!(history[0]["status"], "given");
    assert!(history.iter().all(|h| h["actor"].is_string() && h["at"].is_string()));
    // Channel sends will ask the same question.
    let id = contact["id"].as_str().unwrap().parse().unwrap();
    let mut conn = app.app.app.store.read(app.workspace.id).await.unwrap();
    assert!(!relata_app::privacy::may_contact(&mut conn, id, "email").await.unwrap());
    assert!(relata_app::privacy::may_contact(&mut conn, id, "sms").await.unwrap());
    assert!(!relata_app::privacy::may_contact(&mut conn, id, "post").await.unwrap());
    drop(conn);

    // Bad input: every problem named, nothing recorded.
    let bad = app.post(&path, &json!({"channel": "pigeon", "status": "maybe", "colour": 1})).await;
    let mut fields = bad.expect_problem(422, "validation").error_fields();
    fields.sort();
    assert_eq!(fields, ["channel", "colour", "source", "status"]);
    app.post(
        "/api/v1/contacts/01890000-0000-7000-8000-000000000000/consents",
        &json!({"channel": "email", "status": "given", "source": "x"}),
    )
    .await
    .expect_problem(404, "not-found");
    assert_eq!(app.get(&path).await.body["history"].as_array().unwrap().len(), 3);
    // A read-only role may read the ledger but not write it.
    let reader = app.member("ro@example.com", "read_only").await;
    app.get_as(&reader.token, &path).await.expect(200);
    app.post_as(&reader.token, &path, &json!({"channel": "post", "status": "given", "source": "x"}))
        .await
        .expect_problem(403, "forbidden");
    assert_eq!(app.audit("action=consent.change").await.len(), 3);
}

async fn a_person_is_exported_and_erased(app: TestApp) {
    let app = &app;
    let account = app.create("accounts", json!({"name": "Kowalski Trading"})).await;
    let contact = app
        .create(
            "contacts",
            json!({"first_name": "Marta", "last_name": "Kowalska", "account": account["id"], "emails": ["marta@kowalska.example.com"],
                   "phones": ["+48 600 700 800"], "birthday": "1985-03-02", "city": "Gdynia", "notes": "prefers mornings"}),
        )
        .await;
    let path = format!("/api/v1/contacts/{}", id_of(&contact));
    app.patch(&path, 1, &json!({"title": "Owner"})).await.expect(200);
    let call = app
        .create("activities", json!({"kind": "call", "subject": "Marta asked about prices", "body": "home number 600700800", "contact": contact["id"]}))
        .await;
    let deal = app
        .create("opportunities", json!({"name": "Kowalski renewal", "account": account["id"], "primary_contact": contact["id"], "amount": {"amount": "1200.00", "currency": "EUR"}}))
        .await;
    app.post(&format!("{path}/consents"), &json!({"channel": "email", "status": "given", "source": "fair"}))
        .await
        .expect(201);

    // The export holds everything about her.
    let export = app.get(&format!("{path}/personal-data")).await.expect(200);
    assert!(export.header("content-disposition").unwrap().starts_with("attachment"));
    let doc = &export.body;
    assert_eq!(doc["contact"]["emails"], json!(["marta@kowalska.example.com"]));
    assert_eq!(doc["history"].as_array().unwrap().len(), 2);
    assert_eq!(doc["activities"][0]["id"], call["id"]);
    assert_eq!(doc["opportunities"][0]["id"], deal["id"]);
    assert_eq!(doc["consents"]["current"]["email"]["status"], "given");
    // Only admins erase; reps may not even export.
    let rep = app.member("rep@example.com", "sales_rep").await;
    app.get_as(&rep.token, &format!("{path}/personal-data")).await.expect_problem(403, "forbidden");
    app.post_as(&rep.token, &format!("{path}/erase"), &json!({})).await.expect_problem(403, "forbidden");

    let erased = app.post(&format!("{path}/erase"), &json!({})).await.expect(200);
    assert_eq!(erased.body["activities"], 1);
    let after = app.get(&path).await.expect(200).body;
    assert_eq!(after["last_name"], "Erased");
    for field in ["first_name", "emails", "phones", "birthday", "city", "notes", "title"] {
        assert!(after[field].is_null(), "{field} is {}", after[field]);
    }
    assert_eq!(after["account"], account["id"], "links stay");
    // Her history keeps what happened, not the values.
    let history = app.get(&format!("{path}/history")).await.expect(200).body.to_string();
    for secret in ["Marta", "Kowalska", "marta@kowalska", "600700800", "1985-03-02", "Gdynia", "mornings"] {
        assert!(!history.contains(secret), "{secret} left in {history}");
    }
    assert!(history.contains("[erased]"));
    let activity = app.get(&format!("/api/v1/activities/{}", id_of(&call))).await.expect(200).body;
    // Personal fields that must have a value say so; the others are cleared.
    assert_eq!(activity["subject"], "Erased");
    assert_eq!(activity["kind"], "call", "what kind of episode it was stays");
    assert!(activity["body"].is_null());
    let activity_history = app.get(&format!("/api/v1/activities/{}/history", id_of(&call))).await.expect(200).body;
    assert!(!activity_history.to_string().contains("prices"));
    // Financial records and aggregates are intact.
    let deal_after = app.get(&format!("/api/v1/opportunities/{}", id_of(&deal))).await.expect(200).body;
    assert_eq!(deal_after["amount"], deal["amount"]);
    assert_eq!(deal_after["primary_contact"], contact["id"]);
    // Search and lookup forget her.
    assert!(app.get("/api/v1/contacts?q=Kowalska").await.expect(200).body["data"].as_array().unwrap().is_empty());
    let lookup = app.get("/api/v1/lookup?email=marta%40kowalska.example.com").await.expect(200);
    assert!(lookup.body["data"].as_array().unwrap().is_empty());
    let found = app.get("/api/v1/lookup?phone=%2B48600700800").await.expect(200);
    assert!(found.body["data"].as_array().unwrap().is_empty());
    // Both are in the audit log; erasing a missing person is a 404.
    assert_eq!(app.audit("action=gdpr.export").await.len(), 1);
    assert_eq!(app.audit("action=gdpr.erase").await.len(), 1);
    app.send(Method::POST, "/api/v1/contacts/01890000-0000-7000-8000-000000000000/erase", Some(&app.token), &[], None)
        .await
        .expect_problem(404, "not-found");
}

/// The export streams page by page (500 at a time): a person with more
/// linked records than a page gets every one of them, each once, in one
/// valid JSON document, and the export is audited; erasure pages through
/// them as well.
async fn a_long_story_is_exported_whole_page_by_page(app: TestApp) {
    const ACTIVITIES: usize = 1_234;
    let app = &app;
    let contact = app.create("contacts", json!({"last_name": "Długa", "emails": ["dluga@example.com"]})).await;
    let mut csv = String::from("kind,subject,contact\n");
    for i in 0..ACTIVITIES {
        csv.push_str(&format!("note,Note {i},{}\n", id_of(&contact)));
    }
    let imported = app
        .send(
            Method::POST,
            "/api/v1/activities/import",
            Some(&app.token),
            &[("content-type", "text/csv")],
            Some(csv.into_bytes()),
        )
        .await;
    assert_eq!(imported.status, 200, "{}", imported.body);
    let path = format!("/api/v1/contacts/{}", id_of(&contact));
    for n in 0..3 {
        app.patch(&path, n + 1, &json!({"title": format!("Title {n}")})).await.expect(200);
    }
    let export = app.get(&format!("{path}/personal-data")).await.expect(200);
    assert_eq!(export.header("content-type").unwrap(), "application/json");
    let doc = &export.body;
    assert_eq!(doc["contact"]["last_name"], "Długa");
    assert_eq!(doc["history"].as_array().unwrap().len(), 4);
    let activities = doc["activities"].as_array().unwrap();
    let ids: std::collections::HashSet<&str> = activities.iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!((activities.len(), ids.len()), (ACTIVITIES, ACTIVITIES), "every activity, each once");
    assert!(doc["consents"]["history"].is_array());
    assert_eq!(app.audit("action=gdpr.export").await.len(), 1);

    // Erasure pages through them too: every one is anonymised.
    assert_eq!(app.list_all("activities", "&q=note").await.len(), ACTIVITIES);
    let erased = app.post(&format!("{path}/erase"), &json!({})).await.expect(200);
    assert_eq!(erased.body["activities"], ACTIVITIES);
    let left = app.list_all("activities", "&q=note").await;
    assert!(left.is_empty(), "{} activities still say Note", left.len());
}
