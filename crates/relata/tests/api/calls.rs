//! Calls to make, on both backends: entries take the customer's number,
//! the next call is the highest priority due now, each outcome is logged
//! as a call on the customer's timeline and closes the entry or makes it
//! due again; bad outcomes are refused by field; the next-call page works
//! the same queue.

use crate::helpers::{TestApp, id_of};
use serde_json::json;

crate::both_backends!(
    an_agent_works_the_queue_by_priority_and_logs_every_call,
    a_call_list_is_worked_to_the_end_by_two_agents_calling_no_one_twice,
    a_list_is_shared_by_territory_and_by_skill_and_made_from_a_saved_view,
    the_progressive_dialler_dials_the_next_call_when_the_agent_is_free
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
    assert_eq!(made["skipped"], json!({"no_phone": 1, "do_not_call": 1, "listed_before": 0, "no_agent": 0}));
    let again = app.post(&generate, &json!({})).await.expect(200).body;
    assert_eq!(again["made"], 0, "only who is new is added: {again}");
    assert_eq!(again["skipped"], json!({"no_phone": 1, "do_not_call": 1, "listed_before": 5, "no_agent": 0}));

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

async fn a_list_is_shared_by_territory_and_by_skill_and_made_from_a_saved_view(app: TestApp) {
    let north = app.member("north@example.com", "sales_rep").await;
    let south = app.member("south@example.com", "sales_rep").await;
    let anyone = app.member("anyone@example.com", "sales_rep").await;
    let mut contacts = Vec::new();
    for (n, territory) in ["North", "south", "West", "North"].iter().enumerate() {
        let account = app.create("accounts", json!({"name": format!("Firm {n}"), "territory": territory})).await;
        let contact = json!({"last_name": format!("Buyer {n}"), "city": "Łódź", "account": id_of(&account),
                             "phones": [format!("+48 602 000 {n:03}")]});
        contacts.push(app.create("contacts", contact).await);
    }
    let lines = json!([{"agent": north.user, "territory": "north", "skills": "polish"},
                       {"agent": south.user, "territory": "South", "skills": "polish, german"},
                       {"agent": anyone.user, "skills": "english"}]);
    let list =
        json!({"name": "By territory", "filter": "city = \"Łódź\"", "distribution": "territory", "lines": lines});
    let list = app.create("call_lists", list).await;
    let made = app.post(&format!("/api/v1/call_lists/{}/generate", id_of(&list)), &json!({})).await.expect(200).body;
    assert_eq!(made["made"], 4, "{made}");
    let entries =
        app.list_all("call_queue_entries", &format!("&filter=call_list%20%3D%20%22{}%22", id_of(&list))).await;
    let owner_of = |contact: &serde_json::Value| {
        let entry = entries.iter().find(|e| e["contact"] == contact["id"]).expect("an entry per contact");
        entry["owner"].as_str().unwrap().to_string()
    };
    assert_eq!(owner_of(&contacts[0]), north.user, "North goes to the north's agent");
    assert_eq!(owner_of(&contacts[3]), north.user);
    assert_eq!(owner_of(&contacts[1]), south.user, "territories match without regard to case");
    assert_eq!(owner_of(&contacts[2]), anyone.user, "what no territory claims goes to the agent of none");

    // Shared by skill: only the agents who speak German, in turn.
    let by_skill = json!({"name": "German speakers", "filter": "city = \"Łódź\"", "distribution": "skills",
                          "skill": "German", "lines": lines});
    let by_skill = app.create("call_lists", by_skill).await;
    let generate = format!("/api/v1/call_lists/{}/generate", id_of(&by_skill));
    app.post(&generate, &json!({})).await.expect(200);
    let entries =
        app.list_all("call_queue_entries", &format!("&filter=call_list%20%3D%20%22{}%22", id_of(&by_skill))).await;
    assert_eq!(entries.len(), 4);
    assert!(entries.iter().all(|e| e["owner"] == south.user), "{entries:?}");
    // A skills list names its skill; a skill no agent has makes no calls.
    let unnamed = json!({"name": "No skill", "distribution": "skills", "lines": lines});
    assert_eq!(app.post("/api/v1/call_lists", &unnamed).await.expect(422).error_fields(), ["skill"]);
    // From a saved view of contacts, narrowed by the list's own filter.
    let boss = app.member("boss@example.com", "manager").await;
    let b = crate::web::browser(&app, "boss@example.com").await;
    let query = "filter=city+%3D+%22%C5%81%C3%B3d%C5%BA%22";
    let form = [("csrf_token", b.csrf.as_str()), ("name", "Łódź"), ("query", query), ("shared", "false")];
    let (status, _, _) = crate::web::page(&app, &b, reqwest::Method::POST, "/contacts/views", &form).await;
    assert_eq!(status, 303);
    let (_, _, html) = crate::web::page(&app, &b, reqwest::Method::GET, "/contacts", &[]).await;
    let marker = "/contacts/views/";
    let at = html.find(marker).expect("the saved view") + marker.len();
    let view: String = html[at..].chars().take_while(|c| *c != '/').collect();
    let from_view = json!({"name": "From the view", "saved_view": view, "filter": "last_name = \"Buyer 1\"",
                           "lines": [{"agent": boss.user}]});
    let from_view = app.post_as(&boss.token, "/api/v1/call_lists", &from_view).await.expect(201).body;
    let generate = format!("/api/v1/call_lists/{}/generate", id_of(&from_view));
    let made = app.post_as(&boss.token, &generate, &json!({})).await.expect(200).body;
    assert_eq!(made["made"], 1, "the view's contacts, of them Buyer 1: {made}");
    let nowhere = json!({"name": "Nowhere", "saved_view": "no-such-view", "lines": [{"agent": boss.user}]});
    let nowhere = app.post_as(&boss.token, "/api/v1/call_lists", &nowhere).await.expect(201).body;
    let generate = format!("/api/v1/call_lists/{}/generate", id_of(&nowhere));
    assert_eq!(app.post_as(&boss.token, &generate, &json!({})).await.expect(422).error_fields(), ["saved_view"]);
    let french = json!({"name": "French", "distribution": "skills", "skill": "French", "lines": lines});
    let french = app.create("call_lists", french).await;
    let refused = app.post(&format!("/api/v1/call_lists/{}/generate", id_of(&french)), &json!({})).await.expect(422);
    assert_eq!(refused.error_fields(), ["skill"]);
}

async fn the_progressive_dialler_dials_the_next_call_when_the_agent_is_free(app: TestApp) {
    let agent = app.member("dialler@example.com", "sales_rep").await;
    app.put_as(&app.token, "/api/v1/telephony/settings", &json!({"extensions": {"301": agent.user}})).await.expect(200);
    let switch = app.token_with_scope("telephony").await;
    let contact = |name: &str, phone: &str| json!({"last_name": name, "phones": [phone], "owner": agent.user});
    let first = app.create("contacts", contact("First", "+48 603 000 001")).await;
    let second = app.create("contacts", contact("Second", "+48 603 000 002")).await;
    // The second's entry calls a number whose owner said not to be called.
    let refuser = app.create("contacts", contact("Refuser", "+48 603 000 009")).await;
    let consents = format!("/api/v1/contacts/{}/consents", id_of(&refuser));
    app.post(&consents, &json!({"channel": "phone", "status": "withdrawn", "source": "call"})).await.expect(201);
    let entry = |reason: &str, contact: &serde_json::Value, phone: Option<&str>, priority: i64| {
        let mut body = json!({"reason": reason, "contact": id_of(contact), "priority": priority, "owner": agent.user});
        if let Some(phone) = phone {
            body["phone"] = json!(phone);
        }
        body
    };
    let one = app.create("call_queue_entries", entry("Offer", &first, None, 90)).await;
    let two = app.create("call_queue_entries", entry("Wrong number", &second, Some("+48603000009"), 80)).await;
    let three = app.create("call_queue_entries", entry("Follow up", &second, None, 70)).await;
    let nothing = json!({});
    let dial = || app.post_as(&agent.token, "/api/v1/calls/dialler", &nothing);

    // Free: the highest priority is dialled from the agent's extension.
    let dialled = dial().await.expect(201).body;
    assert_eq!((dialled["state"].as_str(), &dialled["entry"]["id"]), (Some("dialled"), &one["id"]), "{dialled}");
    let call = &dialled["call"];
    assert_eq!((call["status"].as_str(), call["to_number"].as_str()), (Some("dialing"), Some("+48603000001")));
    assert_eq!((call["extension"].as_str(), &call["call_queue_entry"]), (Some("301"), &one["id"]));
    // Busy while it is dialled, rings and is talked on.
    assert_eq!(dial().await.expect(200).body["state"], "busy");
    let call_id = call["call_id"].as_str().unwrap();
    for (name, at) in [("answered", "2026-12-05T09:00:05Z"), ("ended", "2026-12-05T09:02:05Z")] {
        let body = json!({"call_id": call_id, "event": name, "direction": "outbound", "extension": "301", "at": at});
        let bytes = body.to_string().into_bytes();
        let headers = [("content-type", "application/json")];
        app.send(reqwest::Method::POST, "/api/v1/telephony/events", Some(&switch), &headers, Some(bytes))
            .await
            .expect(200);
    }
    // Ended, but not logged: the entry waits for its outcome.
    let waiting = dial().await.expect(200).body;
    assert_eq!((waiting["state"].as_str(), &waiting["call"]["id"]), (Some("to_log"), &call["id"]), "{waiting}");
    let note = json!({"outcome": "reached", "note": "Wants the offer in writing"});
    let path = format!("/api/v1/call_queue_entries/{}/outcome", id_of(&one));
    let logged = app.post_as(&agent.token, &path, &note).await.expect(200).body;
    assert_eq!(logged["entry"]["status"], "done");
    let activity = &logged["call"];
    assert_eq!(
        (activity["start_at"].as_str(), activity["end_at"].as_str()),
        (Some("2026-12-05T09:00:05.000000Z"), Some("2026-12-05T09:02:05.000000Z")),
        "timed by the switch: {activity}"
    );
    assert_eq!(logged["phone_call"]["activity"], activity["id"]);

    // Next: the do-not-call number is cancelled, not dialled; the one after is.
    let next = dial().await.expect(201).body;
    assert_eq!((next["state"].as_str(), &next["entry"]["id"]), (Some("dialled"), &three["id"]), "{next}");
    let cancelled = app.get(&format!("/api/v1/call_queue_entries/{}", id_of(&two))).await.expect(200).body;
    assert_eq!(cancelled["status"], "cancelled");
    let calls = app.list_all("phone_calls", "&filter=to_number%20%3D%20%22%2B48603000009%22").await;
    assert!(calls.is_empty(), "never dialled: {calls:?}");
    assert_eq!(app.audit("action=telephony.dial_refused").await.len(), 1);
    // The next-call page shows the dialled call and, with the dialler on,
    // dials by itself only when the agent is free.
    let b = crate::web::browser(&app, "dialler@example.com").await;
    let (status, _, html) = crate::web::page(&app, &b, reqwest::Method::GET, "/calls/next?dialler=on", &[]).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Progressive dialler on") && html.contains(&format!("/calls/phone/{}", id_of(&next["call"])))
    );
    assert!(!html.contains("data-autosubmit"), "busy on a call: nothing dialled by itself: {html}");
    // Nothing left once it is logged.
    let path = format!("/api/v1/call_queue_entries/{}/outcome", id_of(&three));
    app.post_as(&agent.token, &path, &json!({"outcome": "wrong_number"})).await.expect(200);
    let done = dial().await.expect(200).body;
    assert_eq!(done, json!({"state": "done", "entry": null, "call": null}));
    let fourth = app.create("call_queue_entries", entry("One more", &first, None, 60)).await;
    let (_, _, html) = crate::web::page(&app, &b, reqwest::Method::GET, "/calls/next?dialler=on", &[]).await;
    assert!(html.contains("data-autosubmit") && html.contains("One more"), "free: the dialler counts down: {html}");
    let dialler = [("csrf_token", b.csrf.as_str()), ("dialler", "on")];
    let (status, location, _) = crate::web::page(&app, &b, reqwest::Method::POST, "/calls/next/dial", &dialler).await;
    assert_eq!((status, location.as_str()), (303, "/calls/next?dialler=on"));
    let dialled =
        app.list_all("phone_calls", &format!("&filter=call_queue_entry%20%3D%20%22{}%22", id_of(&fourth))).await;
    assert_eq!(dialled.len(), 1, "the page's dial dialled the next call");
    let path = format!("/api/v1/call_queue_entries/{}/outcome", id_of(&fourth));
    app.post_as(&agent.token, &path, &json!({"outcome": "reached"})).await.expect(200);
    // Who has no extension cannot use it.
    let other = app.member("noext@example.com", "sales_rep").await;
    let theirs = json!({"reason": "Theirs", "contact": id_of(&first), "owner": other.user});
    app.create("call_queue_entries", theirs).await;
    app.post_as(&other.token, "/api/v1/calls/dialler", &json!({})).await.expect(409);
}
