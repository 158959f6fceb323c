//! Calls to make, on both backends: entries take the customer's number,
//! the next call is the highest priority due now, each outcome is logged
//! as a call on the customer's timeline and closes the entry or makes it
//! due again; bad outcomes are refused by field; the next-call page works
//! the same queue.

use crate::helpers::{TestApp, id_of};
use serde_json::json;

crate::both_backends!(an_agent_works_the_queue_by_priority_and_logs_every_call);

async fn an_agent_works_the_queue_by_priority_and_logs_every_call(app: TestApp) {
    let rep = app.member("caller@example.com", "sales_rep").await;
    // The agent's own customers.
    let account = json!({"name": "Bursztyn Sp. z o.o.", "phone": "+48 58 123 45 67"});
    let account = app.post_as(&rep.token, "/api/v1/accounts", &account).await.expect(201).body;
    let contact =
        json!({"first_name": "Ola", "last_name": "Nowak", "phones": ["+48 601 234 567"], "account": id_of(&account)});
    let contact = app.post_as(&rep.token, "/api/v1/contacts", &contact).await.expect(201).body;
    let later = (chrono::Utc::now() + chrono::Duration::days(2)).to_rfc3339();
    let entry = |body: serde_json::Value| {
        let (app, token) = (&app, rep.token.clone());
        async move { app.post_as(&token, "/api/v1/call_queue_entries", &body).await }
    };
    let overdue =
        entry(json!({"reason": "Invoice overdue", "contact": id_of(&contact), "priority": 80})).await.expect(201).body;
    assert_eq!(overdue["phone"], "+48601234567", "the contact's number");
    assert_eq!(overdue["status"], "open");
    let renewal = entry(json!({"reason": "Renewal", "account": id_of(&account)})).await.expect(201).body;
    assert_eq!((renewal["phone"].as_str(), renewal["priority"].as_i64()), (Some("+48581234567"), Some(50)));
    entry(json!({"reason": "Not yet", "contact": id_of(&contact), "priority": 99, "due_at": later})).await.expect(201);
    let nobody = entry(json!({"reason": "Whom?"})).await.expect(422);
    assert_eq!(nobody.error_fields(), ["contact"]);

    // The highest priority due now first.
    let next = app.get_as(&rep.token, "/api/v1/calls/next").await.expect(200).body;
    assert_eq!(next["data"]["id"], overdue["id"]);
    let outcome = |id: String, body: serde_json::Value| {
        let (app, token) = (&app, rep.token.clone());
        async move { app.post_as(&token, &format!("/api/v1/call_queue_entries/{id}/outcome"), &body).await }
    };
    let logged = outcome(id_of(&overdue), json!({"outcome": "no_answer", "note": "Voicemail"})).await.expect(200).body;
    assert_eq!(logged["entry"]["attempts"], 1);
    assert_eq!(logged["entry"]["last_outcome"], "no_answer");
    assert_eq!(logged["entry"]["status"], "open", "tried again later");
    assert_eq!(logged["call"]["kind"], "call");
    assert_eq!(logged["call"]["outcome"], "no_answer");
    assert_eq!(logged["call"]["contact"], contact["id"]);
    let story = app.get(&format!("/api/v1/contacts/{}/timeline", id_of(&contact))).await.expect(200).body;
    assert!(story["data"].as_array().unwrap().iter().any(|i| i["id"] == logged["call"]["id"]), "{story}");

    // Then the next one; a call back needs a time still to come.
    assert_eq!(app.get_as(&rep.token, "/api/v1/calls/next").await.expect(200).body["data"]["id"], renewal["id"]);
    let bad = outcome(id_of(&renewal), json!({"outcome": "call_back"})).await.expect(422);
    assert_eq!(bad.error_fields(), ["call_back_at"]);
    let past = outcome(id_of(&renewal), json!({"outcome": "call_back", "call_back_at": "2020-01-01T10:00:00Z"})).await;
    assert_eq!(past.expect(422).error_fields(), ["call_back_at"]);
    let unknown = outcome(id_of(&renewal), json!({"outcome": "maybe"})).await.expect(422);
    assert_eq!(unknown.error_fields(), ["outcome"]);
    let back = json!({"outcome": "call_back", "call_back_at": later});
    assert_eq!(outcome(id_of(&renewal), back).await.expect(200).body["entry"]["status"], "open");
    assert_eq!(app.get_as(&rep.token, "/api/v1/calls/next").await.expect(200).body["data"], json!(null), "nothing due");

    // Someone else's call is not theirs to log.
    let other = app.member("other-caller@example.com", "sales_rep").await;
    let refused = app
        .post_as(
            &other.token,
            &format!("/api/v1/call_queue_entries/{}/outcome", id_of(&overdue)),
            &json!({"outcome": "reached"}),
        )
        .await;
    assert!(matches!(refused.status.as_u16(), 403 | 404), "{}", refused.status);

    // An hour later the unanswered call is due again; reaching the customer closes it.
    app.app.app.store.clock().advance(chrono::Duration::minutes(61));
    assert_eq!(app.get_as(&rep.token, "/api/v1/calls/next").await.expect(200).body["data"]["id"], overdue["id"]);
    let b = crate::web::browser(&app, "caller@example.com").await;
    let (status, _, html) = crate::web::page(&app, &b, reqwest::Method::GET, "/calls/next", &[]).await;
    assert_eq!(status, 200);
    assert!(html.contains("Invoice overdue") && html.contains("href=\"tel:+48601234567\""), "{html}");
    assert!(html.contains("Voicemail") || html.contains("Call: Invoice overdue"), "the last episodes: {html}");
    let path = format!("/calls/{}/outcome", id_of(&overdue));
    let bad = [("csrf_token", b.csrf.as_str()), ("outcome", "call_back"), ("call_back_at", "soon")];
    let (status, _, html) = crate::web::page(&app, &b, reqwest::Method::POST, &path, &bad).await;
    assert_eq!(status, 422);
    assert!(html.contains("is not a date and time"), "{html}");
    let good = [("csrf_token", b.csrf.as_str()), ("outcome", "reached"), ("note", "Pays on Friday")];
    let (status, location, _) = crate::web::page(&app, &b, reqwest::Method::POST, &path, &good).await;
    assert_eq!((status, location.as_str()), (303, "/calls/next"));
    let done = app.get(&format!("/api/v1/call_queue_entries/{}", id_of(&overdue))).await.expect(200).body;
    assert_eq!((done["status"].as_str(), done["attempts"].as_i64()), (Some("done"), Some(2)));
    let again = outcome(id_of(&overdue), json!({"outcome": "reached"})).await;
    assert_eq!(again.status.as_u16(), 409, "a closed call is not logged again");
}
