//! Calls to make, on both backends: entries take the customer's number,
//! the next call is the highest priority due now, each outcome is logged
//! as a call on the customer's timeline and closes the entry or makes it
//! due again; bad outcomes are refused by field; the next-call page works
//! the same queue.

use crate::helpers::{TestApp, id_of};
use serde_json::json;

crate::both_backends!(
    an_agent_works_the_queue_by_priority_and_logs_every_call,
    a_call_list_is_worked_to_the_end_by_two_agents_calling_no_one_twice
);

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

async fn a_call_list_is_worked_to_the_end_by_two_agents_calling_no_one_twice(app: TestApp) {
    let anna = app.member("anna@example.com", "sales_rep").await;
    let piotr = app.member("piotr@example.com", "sales_rep").await;
    let phone = |n: u32| json!([format!("+48 601 000 {n:03}")]);
    let mut gdansk = Vec::new();
    for n in 0..6 {
        let contact = json!({"last_name": format!("Gdańsk {n}"), "city": "Gdańsk", "phones": phone(n)});
        gdansk.push(app.create("contacts", contact).await);
    }
    app.create("contacts", json!({"last_name": "No phone", "city": "Gdańsk"})).await;
    app.create("contacts", json!({"last_name": "Elsewhere", "city": "Sopot", "phones": phone(99)})).await;
    // One said not to be called.
    let consents = format!("/api/v1/contacts/{}/consents", id_of(&gdansk[5]));
    app.post(&consents, &json!({"channel": "phone", "status": "withdrawn", "source": "call"})).await.expect(201);

    let bad = json!({"name": "Bad", "filter": "city = ", "lines": [{"agent": anna.user}]});
    let refused = app.post("/api/v1/call_lists", &bad).await.expect_problem(422, "validation");
    assert_eq!(refused.error_fields(), ["filter"]);
    let list = json!({"name": "Gdańsk winter offer", "filter": "city = \"Gdańsk\"", "priority": 70,
                      "lines": [{"agent": anna.user}, {"agent": piotr.user}]});
    let list = app.create("call_lists", list).await;
    let generate = format!("/api/v1/call_lists/{}/generate", id_of(&list));
    let made = app.post(&generate, &json!({})).await.expect(200).body;
    assert_eq!(made["made"], 5, "{made}");
    assert_eq!(made["skipped"], json!({"no_phone": 1, "do_not_call": 1, "listed_before": 0}));
    let again = app.post(&generate, &json!({})).await.expect(200).body;
    assert_eq!(again["made"], 0, "only who is new is added: {again}");
    assert_eq!(again["skipped"], json!({"no_phone": 1, "do_not_call": 1, "listed_before": 5}));

    // A marketing list needs consent given: no one here gave it.
    let marketing =
        json!({"name": "Cold", "purpose": "marketing", "filter": "city = \"Sopot\"", "lines": [{"agent": anna.user}]});
    let marketing = app.create("call_lists", marketing).await;
    let cold =
        app.post(&format!("/api/v1/call_lists/{}/generate", id_of(&marketing)), &json!({})).await.expect(200).body;
    assert_eq!((cold["made"].as_u64(), cold["skipped"]["do_not_call"].as_u64()), (Some(0), Some(1)));

    // Meanwhile one more withdraws: their call is cancelled, not offered.
    let consents = format!("/api/v1/contacts/{}/consents", id_of(&gdansk[4]));
    app.post(&consents, &json!({"channel": "phone", "status": "withdrawn", "source": "email"})).await.expect(201);
    // The two agents work their calls to the end, in turns.
    let mut called = Vec::new();
    for round in 0..10 {
        let mut any = false;
        for agent in [&anna, &piotr] {
            let next = app.get_as(&agent.token, "/api/v1/calls/next").await.expect(200).body;
            let Some(entry) = next["data"].as_object() else { continue };
            any = true;
            called.push(entry["contact"].as_str().unwrap().to_string());
            let path = format!("/api/v1/call_queue_entries/{}/outcome", entry["id"].as_str().unwrap());
            app.post_as(&agent.token, &path, &json!({"outcome": "reached"})).await.expect(200);
        }
        if !any {
            assert!(round > 0);
            break;
        }
    }
    called.sort();
    let mut expected: Vec<String> = gdansk[..4].iter().map(id_of).collect();
    expected.sort();
    assert_eq!(called, expected, "each once, none who said no");
    let entries =
        app.list_all("call_queue_entries", &format!("&filter=call_list%20%3D%20%22{}%22", id_of(&list))).await;
    let cancelled: Vec<&serde_json::Value> = entries.iter().filter(|e| e["status"] == "cancelled").collect();
    assert_eq!(cancelled.len(), 1);
    assert_eq!(cancelled[0]["contact"], gdansk[4]["id"]);
    // Penetration (called of the list's calls) and conversion (reached of those called).
    let report = app.get("/api/v1/calls/report").await.expect(200).body;
    let winter = report["lists"].as_array().unwrap().iter().find(|l| l["list"] == "Gdańsk winter offer").unwrap();
    assert_eq!(
        winter,
        &json!({"list": "Gdańsk winter offer", "entries": 5, "called": 4, "reached": 4,
                "penetration_percent": 80.0, "conversion_percent": 100.0})
    );
}
