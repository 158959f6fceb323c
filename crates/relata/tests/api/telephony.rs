//! The telephone switch's events: ringing, answered, transferred, ended,
//! applied once per sender and in any order; the caller identified by their
//! number in mixed formats; a priority and queue from what the customer is
//! worth; unknown extensions, withheld and malformed numbers noted, not lost.

use crate::helpers::{TestApp, id_of};
use reqwest::Method;
use serde_json::{Value as Json, json};

crate::both_backends!(
    switch_events_make_calls_that_know_the_caller_and_rank_them_by_value,
    telephony_settings_and_events_refuse_bad_input_by_field,
    click_to_dial_calls_from_the_agents_extension_and_never_a_do_not_call_number,
    asterisk_and_freeswitch_events_are_read_as_the_switch_sends_them,
    an_agent_logs_a_call_with_its_duration_and_a_follow_up_and_takes_an_order_in_it,
    each_agent_gets_the_pops_of_their_own_calls_only
);

async fn event(app: &TestApp, token: &str, body: Json) -> crate::helpers::Reply {
    let bytes = body.to_string().into_bytes();
    app.send(
        Method::POST,
        "/api/v1/telephony/events",
        Some(token),
        &[("content-type", "application/json")],
        Some(bytes),
    )
    .await
}

async fn call(app: &TestApp, call_id: &str) -> Json {
    let calls = app.list_all("phone_calls", &format!("&filter=call_id%20%3D%20%22{call_id}%22")).await;
    assert_eq!(calls.len(), 1, "one call {call_id}: {calls:?}");
    calls[0].clone()
}

async fn switch_events_make_calls_that_know_the_caller_and_rank_them_by_value(app: TestApp) {
    let agent = app.member("agent@example.com", "service_agent").await;
    let other = app.member("other@example.com", "service_agent").await;
    let set = json!({"extensions": {"201": agent.user, "202": other.user}});
    app.put_as(&app.token, "/api/v1/telephony/settings", &set).await.expect(200);
    let acme = app.create("accounts", json!({"name": "Acme", "key_account": true})).await;
    let jan = app
        .create("contacts", json!({"last_name": "Nowak", "phones": ["+48 501 234 567"], "account": id_of(&acme)}))
        .await;
    app.create("contacts", json!({"last_name": "Small", "phones": ["+48 600 100 200"]})).await;
    // What Acme is worth: a key account, 5,000 EUR invoiced this year, a
    // service contract.
    let body = json!({"account": id_of(&acme), "currency": "EUR", "payment_terms_days": 14,
                      "lines": [{"description": "Hinges", "quantity": "1",
                                 "unit_price": {"amount": "5000.00", "currency": "EUR"}, "tax_rate": "0"}]});
    let draft = app.post("/api/v1/invoices", &body).await.expect(201).body;
    let path = format!("/api/v1/invoices/{}", id_of(&draft));
    app.patch(&path, draft["version"].as_i64().unwrap(), &json!({"status": "issued"})).await.expect(200);
    let today = app.app.app.store.now().date_naive();
    let contract = json!({"name": "Support", "account": id_of(&acme), "starts_on": today.to_string(),
                          "ends_on": (today + chrono::Duration::days(365)).to_string()});
    app.create("service_contracts", contract).await;
    let switch = app.token_with_scope("telephony").await;

    // A key account's contact rings, from a number written another way.
    let ringing = json!({"call_id": "c-1", "event": "ringing", "from": "0048 501-234-567", "to": "+48221234567",
                         "at": "2026-12-05T10:00:00Z"});
    let answer = event(&app, &switch, ringing.clone()).await.expect(200).body;
    assert_eq!(answer["caller"]["number"], "+48501234567");
    assert_eq!(answer["caller"]["matches"][0]["id"], jan["id"], "{answer}");
    // 20 to start, 40 for a key account, 5 for 5,000 EUR, 10 for the contract.
    assert_eq!((answer["priority"].as_i64(), answer["value_tier"].as_str()), (Some(75), Some("top")), "{answer}");
    assert_eq!(answer["queue"], "priority");
    // A repeat answers the same, and changes nothing.
    let again = event(&app, &switch, ringing).await.expect(200);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.body, answer);

    // Answered, transferred to another extension, ended: times and agent.
    let at = |t: &str| format!("2026-12-05T10:{t}Z");
    let steps = [("answered", "201", at("00:20")), ("transferred", "202", at("03:00")), ("ended", "202", at("05:20"))];
    for (name, extension, when) in steps {
        let body = json!({"call_id": "c-1", "event": name, "extension": extension, "at": when});
        event(&app, &switch, body).await.expect(200);
    }
    let done = call(&app, "c-1").await;
    assert_eq!((done["status"].as_str(), done["agent"].as_str()), (Some("ended"), Some(other.user.as_str())));
    assert_eq!((done["wait_seconds"].as_i64(), done["talk_seconds"].as_i64()), (Some(20), Some(300)));
    assert_eq!((&done["contact"], &done["account"]), (&jan["id"], &acme["id"]));
    assert_eq!(done["problems"], Json::Null, "{done}");
    // The call is an episode of the customer's story.
    let story = app.get(&format!("/api/v1/contacts/{}/timeline", id_of(&jan))).await.expect(200).body;
    assert!(story["data"].as_array().unwrap().iter().any(|e| e["type"] == "phone_call"), "{story}");

    // Out of order: the end first, then the answer, then the ringing.
    let late = [("ended", at("09:00")), ("answered", at("08:00")), ("ringing", at("07:30"))];
    for (name, when) in late {
        let body = json!({"call_id": "c-2", "event": name, "from": "+48 600 100 200", "extension": "201", "at": when});
        event(&app, &switch, body).await.expect(200);
    }
    let c2 = call(&app, "c-2").await;
    assert_eq!(
        (c2["status"].as_str(), c2["wait_seconds"].as_i64(), c2["talk_seconds"].as_i64()),
        (Some("ended"), Some(30), Some(60))
    );
    assert!(c2["problems"].as_str().unwrap().contains("after the call ended"), "{c2}");
    assert!(!c2["problems"].as_str().unwrap().contains("no ringing"), "the ringing came at last: {c2}");

    // No one answers: missed. Withheld, malformed and unknown numbers.
    let body = json!({"call_id": "c-3", "event": "ringing", "from": "anonymous", "extension": "299"});
    let withheld = event(&app, &switch, body).await.expect(200).body;
    assert_eq!(
        (withheld["caller"]["withheld"].as_bool(), withheld["value_tier"].as_str()),
        (Some(true), Some("unknown"))
    );
    assert!(withheld["problems"][0].as_str().unwrap().contains("extension 299"), "{withheld}");
    event(&app, &switch, json!({"call_id": "c-3", "event": "ended"})).await.expect(200);
    assert_eq!(call(&app, "c-3").await["status"], "missed");
    let body = json!({"call_id": "c-4", "event": "ringing", "from": "12ab"});
    let malformed = event(&app, &switch, body).await.expect(200).body;
    assert!(malformed["problems"][0].as_str().unwrap().contains("not a phone number"), "{malformed}");
    let body = json!({"call_id": "c-5", "event": "ringing", "from": "+48 700 800 900"});
    let stranger = event(&app, &switch, body).await.expect(200).body;
    assert_eq!(stranger["caller"]["matches"], json!([]));
    assert_eq!(stranger["caller"]["new_contact"], "/contacts/new?phones=%2B48700800900");
    // An event of a call that never rang is kept, and says so.
    event(&app, &switch, json!({"call_id": "c-6", "event": "answered", "extension": "201"})).await.expect(200);
    assert!(call(&app, "c-6").await["problems"].as_str().unwrap().contains("no ringing event"));

    // The formula is the workspace's.
    let formula = json!({"base": 30, "key_account": 45, "revenue_per_point": 100000, "revenue_max": 30, "contract": 10,
                         "unknown": 5, "queues": [{"from": 70, "queue": "vip"}, {"from": 0, "queue": "general"}]});
    app.put_as(&app.token, "/api/v1/telephony/settings", &json!({"priority": formula})).await.expect(200);
    let body = json!({"call_id": "c-7", "event": "ringing", "from": "+48501234567"});
    let ranked = event(&app, &switch, body).await.expect(200).body;
    assert_eq!(
        (ranked["priority"].as_i64(), ranked["queue"].as_str(), ranked["value_tier"].as_str()),
        (Some(90), Some("vip"), Some("top"))
    );

    // The figures: rates, agents, tiers; as a workbook too.
    let report = app.get("/api/v1/calls/report?days=7").await.expect(200).body;
    let counts = (report["inbound"].as_u64(), report["answered"].as_u64(), report["abandoned"].as_u64());
    assert_eq!(counts, (Some(7), Some(3), Some(1)), "{report}");
    assert_eq!(
        (report["answer_rate_percent"].as_f64(), report["abandon_rate_percent"].as_f64()),
        (Some(42.9), Some(14.3))
    );
    let mut agents: Vec<(String, u64)> = report["calls_per_agent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a[0].as_str().unwrap().to_string(), a[1].as_u64().unwrap()))
        .collect();
    agents.sort();
    let mut expected = vec![(agent.user.clone(), 2), (other.user.clone(), 1)];
    expected.sort();
    assert_eq!(agents, expected);
    let top = report["by_tier"].as_array().unwrap().iter().find(|t| t["tier"] == "top").unwrap();
    assert_eq!(
        top,
        &json!({"tier": "top", "calls": 2, "answered": 1, "average_wait_seconds": 20.0, "average_handle_seconds": 300.0})
    );
    let workbook = app.get("/api/v1/calls/report?format=xlsx").await.expect(200);
    assert_eq!(
        workbook.header("content-type"),
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    );
    app.get("/api/v1/calls/report?days=400").await.expect_problem(400, "bad-request");

    // The waiting calls, by queue, the most valuable first.
    app.member("boss@example.com", "manager").await;
    let boss = crate::web::browser(&app, "boss@example.com").await;
    let (status, _, html) = crate::web::page(&app, &boss, Method::GET, "/calls/waiting", &[]).await;
    assert_eq!(status, 200);
    let (vip, general) = (html.find("vip (1)").expect("the vip queue"), html.find("general (2)").expect("general"));
    assert!(vip < general && html[vip..general].contains("Nowak"), "{html}");
    // The dashboard draws the figures (a manager reads every call).
    let (status, _, html) = crate::web::page(&app, &boss, Method::GET, "/calls/dashboard", &[]).await;
    assert_eq!(status, 200);
    assert!(html.contains("3 (42.9%)") && html.contains("<svg") && html.contains("agent@example.com"), "{html}");
}

async fn telephony_settings_and_events_refuse_bad_input_by_field(app: TestApp) {
    let switch = app.token_with_scope("telephony").await;
    // Only a telephony token sends events; it writes nothing else.
    let body = json!({"call_id": "x", "event": "ringing"});
    event(&app, &app.token, body.clone()).await.expect_problem(403, "forbidden");
    app.post_as(&switch, "/api/v1/contacts", &json!({"last_name": "X"})).await.expect_problem(403, "forbidden");
    let refused = event(&app, &switch, json!({"event": "exploded", "direction": "up", "at": "noon"}))
        .await
        .expect_problem(422, "validation");
    assert_eq!(refused.error_fields(), ["call_id", "event", "direction", "at"]);
    assert!(app.list_all("phone_calls", "").await.is_empty(), "nothing kept");
    let bad = json!({"extensions": {"201": uuid::Uuid::now_v7().to_string()},
                     "priority": {"base": 1, "key_account": 1, "revenue_per_point": 0, "revenue_max": 1, "contract": 1,
                                  "unknown": 1, "queues": []}});
    let refused = app.put_as(&app.token, "/api/v1/telephony/settings", &bad).await.expect_problem(422, "validation");
    assert_eq!(refused.error_fields(), ["extensions.201", "priority.revenue_per_point", "priority.queues"]);
    let agent = app.member("agent@example.com", "service_agent").await;
    app.put_as(&agent.token, "/api/v1/telephony/settings", &json!({})).await.expect_problem(403, "forbidden");
    // The first events of one call at the same moment make one call.
    let url = format!("{}/api/v1/telephony/events", app.base);
    let sent: Vec<_> = ["ringing", "answered", "transferred", "ended"]
        .iter()
        .flat_map(|name| [name, name])
        .enumerate()
        .map(|(n, name)| {
            let (url, token) = (url.clone(), switch.clone());
            let body = json!({"call_id": "race", "event": name, "from": "+48501234567", "queue": format!("q{n}")});
            tokio::spawn(async move {
                let sent = reqwest::Client::new().post(url).bearer_auth(token).json(&body).send().await.unwrap();
                sent.status().as_u16()
            })
        })
        .collect();
    for status in sent {
        assert_eq!(status.await.unwrap(), 200);
    }
    assert_eq!(app.list_all("phone_calls", "&filter=call_id%20%3D%20%22race%22").await.len(), 1);
    let shown = app.get("/api/v1/telephony/settings").await.expect(200).body;
    assert_eq!((shown["extensions"].clone(), shown["priority"]["base"].as_i64()), (json!({}), Some(20)), "unchanged");

    // The customer's lifetime value, from an account field the analytics fill.
    let mut formula = shown["priority"].clone();
    formula["clv_field"] = json!("custom.nothing");
    let refused = app.put_as(&app.token, "/api/v1/telephony/settings", &json!({"priority": formula})).await;
    assert_eq!(refused.expect_problem(422, "validation").error_fields(), ["priority.clv_field"]);
    app.post("/api/v1/metadata/accounts/fields", &json!({"id": "clv", "type": "money"})).await.expect(201);
    formula["clv_field"] = json!("custom.clv");
    app.put_as(&app.token, "/api/v1/telephony/settings", &json!({"priority": formula})).await.expect(200);
    let valued = json!({"name": "Valued", "phone": "+48 22 555 00 11", "custom": {"clv": {"amount": "85000.00", "currency": "EUR"}}});
    app.create("accounts", valued).await;
    let answer = event(&app, &switch, json!({"call_id": "clv-1", "event": "ringing", "from": "+48225550011"}))
        .await
        .expect(200)
        .body;
    assert_eq!(answer["priority"], 28, "20, and a point per 10,000.00 of lifetime value: {answer}");
}

async fn click_to_dial_calls_from_the_agents_extension_and_never_a_do_not_call_number(app: TestApp) {
    let agent = app.member("agent@example.com", "service_agent").await;
    let nobody = app.member("nobody@example.com", "service_agent").await;
    app.put_as(&app.token, "/api/v1/telephony/settings", &json!({"extensions": {"201": agent.user}})).await.expect(200);
    let jan = json!({"last_name": "Nowak", "phones": ["+48 501 234 567"], "owner": agent.user});
    let jan = app.create("contacts", jan).await;
    let ola =
        app.create("contacts", json!({"last_name": "Wolna", "phones": ["+48 600 100 200"], "owner": agent.user})).await;
    let consents = format!("/api/v1/contacts/{}/consents", id_of(&ola));
    app.post(&consents, &json!({"channel": "phone", "status": "withdrawn", "source": "call"})).await.expect(201);

    let dial = |token: &str, body: Json| {
        let (app, token) = (&app, token.to_string());
        async move { app.post_as(&token, "/api/v1/telephony/dial", &body).await }
    };
    let call = dial(&agent.token, json!({"contact": id_of(&jan)})).await.expect(201).body;
    assert_eq!((call["status"].as_str(), call["to_number"].as_str()), (Some("dialing"), Some("+48501234567")));
    assert_eq!((call["extension"].as_str(), &call["contact"]), (Some("201"), &jan["id"]));
    // The switch reports the dialled call by the id Relata gave it.
    let switch = app.token_with_scope("telephony").await;
    let call_id = call["call_id"].as_str().unwrap();
    for (name, status) in [("ringing", "ringing"), ("answered", "answered"), ("ended", "ended")] {
        let body = json!({"call_id": call_id, "event": name, "direction": "outbound", "extension": "201"});
        let answer = event(&app, &switch, body).await.expect(200).body;
        assert_eq!(answer["status"], status, "{answer}");
    }

    // Never a contact who said no, whether named or by their number.
    dial(&agent.token, json!({"contact": id_of(&ola)})).await.expect_problem(409, "conflict");
    dial(&agent.token, json!({"number": "0048600100200"})).await.expect_problem(409, "conflict");
    assert_eq!(app.audit("action=telephony.dial_refused").await.len(), 2);
    // No extension, no number, a number that is none.
    dial(&nobody.token, json!({"number": "+48501234567"})).await.expect_problem(409, "conflict");
    let refused = dial(&agent.token, json!({})).await.expect_problem(422, "validation");
    assert_eq!(refused.error_fields(), ["number"]);
    let refused = dial(&agent.token, json!({"number": "12ab"})).await.expect_problem(422, "validation");
    assert_eq!(refused.error_fields(), ["number"]);
    let calls = app.list_all("phone_calls", "").await;
    assert_eq!(calls.len(), 1, "only the one dialled: {calls:?}");
    let dialled = &calls[0];
    assert_eq!((dialled["to_number"].as_str(), &dialled["contact"]), (Some("+48501234567"), &jan["id"]), "kept");

    // From the contact's page: a dial button for the agent, the call's page after.
    let b = crate::web::browser(&app, "agent@example.com").await;
    let (_, _, html) = crate::web::page(&app, &b, Method::GET, &format!("/contacts/{}", id_of(&jan)), &[]).await;
    assert!(html.contains("Dial +48501234567") && html.contains("action=\"/calls/dial\""), "{html}");
    let form = [("csrf_token", b.csrf.as_str()), ("number", "+48501234567"), ("contact", jan["id"].as_str().unwrap())];
    let (status, location, _) = crate::web::page(&app, &b, Method::POST, "/calls/dial", &form).await;
    assert!(status == 303 && location.starts_with("/calls/phone/"), "{status} {location}");
    let form = [("csrf_token", b.csrf.as_str()), ("number", "+48600100200"), ("contact", ola["id"].as_str().unwrap())];
    let (status, _, html) = crate::web::page(&app, &b, Method::POST, "/calls/dial", &form).await;
    assert!(status == 409 && html.contains("asked not to be called"), "{status} {html}");
    let n = crate::web::browser(&app, "nobody@example.com").await;
    let (_, _, html) = crate::web::page(&app, &n, Method::GET, &format!("/contacts/{}", id_of(&jan)), &[]).await;
    assert!(!html.contains("Dial +48"), "no extension, no dial button");
}

async fn plain(app: &TestApp, token: &str, lines: &str) -> crate::helpers::Reply {
    let bytes = lines.replace('\n', "\r\n").into_bytes();
    app.send(Method::POST, "/api/v1/telephony/events", Some(token), &[("content-type", "text/plain")], Some(bytes))
        .await
}

async fn asterisk_and_freeswitch_events_are_read_as_the_switch_sends_them(app: TestApp) {
    let agent = app.member("agent@example.com", "service_agent").await;
    app.put_as(&app.token, "/api/v1/telephony/settings", &json!({"extensions": {"201": agent.user}})).await.expect(200);
    let jan = app.create("contacts", json!({"last_name": "Nowak", "phones": ["+48 501 234 567"]})).await;
    let switch = app.token_with_scope("telephony").await;

    // Asterisk: a caller joins a queue, an agent's phone takes the call,
    // the caller hangs up; AMI's own lines, times from its Timestamp.
    let join = "Event: QueueCallerJoin\nChannel: PJSIP/trunk-0000002a\nCallerIDNum: +48501234567\nExten: 800\n\
                Queue: support\nUniqueid: 1765.41\nLinkedid: 1765.40\nTimestamp: 1765000000.000000\n";
    let answer = plain(&app, &switch, join).await.expect(200).body;
    assert_eq!(answer["caller"]["matches"][0]["id"], jan["id"], "{answer}");
    let noise = plain(&app, &switch, "Event: VarSet\nVariable: QUEUEPOS\nValue: 1\n").await.expect(200).body;
    assert_eq!(noise["ignored"], true, "{noise}");
    let connect = "Event: AgentConnect\nInterface: PJSIP/201\nLinkedid: 1765.40\nTimestamp: 1765000012.000000\n";
    plain(&app, &switch, connect).await.expect(200);
    let hangup = "Event: Hangup\nUniqueid: 1765.41\nLinkedid: 1765.40\nCause: 16\nTimestamp: 1765000192.500000\n";
    plain(&app, &switch, hangup).await.expect(200);
    let call_a = call(&app, "1765.40").await;
    assert_eq!((call_a["status"].as_str(), call_a["queue"].as_str()), (Some("ended"), Some("support")), "{call_a}");
    assert_eq!((call_a["agent"].as_str(), call_a["contact"].as_str()), (Some(agent.user.as_str()), jan["id"].as_str()));
    assert_eq!((call_a["wait_seconds"].as_i64(), call_a["talk_seconds"].as_i64()), (Some(12), Some(180)));

    // FreeSWITCH, as JSON (the event socket's json format): an unknown
    // caller, answered by the agent, then hung up.
    let fs = |name: &str, micros: i64| {
        json!({"Event-Name": name, "Channel-Call-UUID": "9f1c-77aa", "Unique-ID": "77aa",
               "Call-Direction": "inbound", "Caller-Caller-ID-Number": "0601999888",
               "Caller-Destination-Number": "800", "Other-Leg-Destination-Number": "201",
               "Event-Date-Timestamp": (1_765_000_000_000_000i64 + micros).to_string()})
    };
    for (name, at) in [("CHANNEL_CREATE", 0), ("CHANNEL_BRIDGE", 5_000_000), ("CHANNEL_HANGUP_COMPLETE", 65_000_000)] {
        event(&app, &switch, fs(name, at)).await.expect(200);
    }
    let call_b = call(&app, "9f1c-77aa").await;
    assert_eq!((call_b["status"].as_str(), call_b["matches"].as_i64()), (Some("ended"), Some(0)), "{call_b}");
    assert_eq!((call_b["wait_seconds"].as_i64(), call_b["talk_seconds"].as_i64()), (Some(5), Some(60)));

    // Lines that are not a switch's event, and an AMI event without a call.
    let bad = plain(&app, &switch, "hello there").await.expect(400).body;
    assert_eq!(bad["errors"][0]["code"], "malformed_event", "{bad}");
    let no_call = plain(&app, &switch, "Event: Hangup\nCause: 16\n").await.expect(422).body;
    assert_eq!(no_call["errors"][0]["field"], "call_id", "{no_call}");
}

async fn an_agent_logs_a_call_with_its_duration_and_a_follow_up_and_takes_an_order_in_it(app: TestApp) {
    let agent = app.member("agent@example.com", "sales_rep").await;
    app.put_as(&app.token, "/api/v1/telephony/settings", &json!({"extensions": {"201": agent.user}})).await.expect(200);
    let acme = app.create("accounts", json!({"name": "Acme", "owner": agent.user})).await;
    let jan =
        json!({"last_name": "Nowak", "phones": ["+48 501 234 567"], "account": id_of(&acme), "owner": agent.user});
    let jan = app.create("contacts", jan).await;
    let widget =
        app.create("products", json!({"sku": "W-1", "name": "Widget", "unit": "piece", "tax_rate": "23"})).await;
    let eur = |amount: &str| json!({"amount": amount, "currency": "EUR"});
    let book = json!({"name": "List prices", "currency": "EUR", "lines": [
        {"product": id_of(&widget), "unit_price": eur("100.00")},
        {"product": id_of(&widget), "unit_price": eur("90.00"), "min_quantity": "10"}]});
    app.create("price_books", book).await;
    let switch = app.token_with_scope("telephony").await;
    let steps = [("ringing", "10:00:00"), ("answered", "10:00:15"), ("ended", "10:04:45")];
    for (name, at) in steps {
        let body = json!({"call_id": "order-1", "event": name, "from": "+48501234567", "extension": "201",
                          "at": format!("2026-12-05T{at}Z")});
        event(&app, &switch, body).await.expect(200);
    }
    let talked = call(&app, "order-1").await;
    let log = format!("/api/v1/phone_calls/{}/log", id_of(&talked));
    let order = format!("/api/v1/phone_calls/{}/order", id_of(&talked));

    // The outcome, notes and a follow-up task; timed by the switch.
    let due = (chrono::Utc::now() + chrono::Duration::days(1)).format("%Y-%m-%dT%H:%M:%S.000000Z").to_string();
    let said = json!({"outcome": "reached", "note": "Orders 12 widgets", "follow_up": {"subject": "Send the invoice", "due_at": due}});
    let logged = app.post_as(&agent.token, &log, &said).await.expect(200).body;
    let activity = &logged["activity"];
    assert_eq!((activity["kind"].as_str(), activity["direction"].as_str()), (Some("call"), Some("inbound")));
    assert_eq!(
        (activity["start_at"].as_str(), activity["end_at"].as_str()),
        (Some("2026-12-05T10:00:15.000000Z"), Some("2026-12-05T10:04:45.000000Z")),
        "four and a half minutes talked: {activity}"
    );
    assert_eq!(
        (&activity["contact"], &activity["account"], activity["body"].as_str()),
        (&jan["id"], &acme["id"], Some("Orders 12 widgets"))
    );
    let task = &logged["follow_up"];
    assert_eq!(
        (task["kind"].as_str(), task["subject"].as_str(), task["due_at"].as_str()),
        (Some("task"), Some("Send the invoice"), Some(due.as_str()))
    );
    assert_eq!((&task["contact"], &task["owner"]), (&jan["id"], &json!(agent.user)));
    assert_eq!(logged["phone_call"]["activity"], activity["id"]);
    // Once only, and bad input by field.
    app.post_as(&agent.token, &log, &json!({"outcome": "reached"})).await.expect_problem(409, "conflict");

    // An order in the call: the catalogue prices it (the volume price for 12).
    let taken = json!({"lines": [{"product": id_of(&widget), "quantity": "12"}], "notes": "By phone"});
    let taken = app.post_as(&agent.token, &order, &taken).await.expect(201).body;
    let placed = &taken["order"];
    assert_eq!((&placed["account"], &placed["contact"]), (&acme["id"], &jan["id"]));
    assert_eq!(placed["lines"][0]["unit_price"]["amount"], "90.00", "{placed}");
    assert_eq!(placed["lines"][0]["description"], "Widget");
    assert_eq!(taken["phone_call"]["order"], placed["id"]);
    let refused = app.post_as(&agent.token, &order, &json!({"lines": []})).await.expect_problem(422, "validation");
    assert_eq!(refused.error_fields(), ["lines"]);
    let refused = json!({"lines": [{"product": id_of(&widget), "quantity": "-1"}]});
    let refused = app.post_as(&agent.token, &order, &refused).await.expect_problem(422, "validation");
    assert_eq!(refused.error_fields(), ["lines[0].quantity"]);

    // An unknown caller: no order (no account), and a call back needs a record.
    let body = json!({"call_id": "unknown-1", "event": "ringing", "from": "+48 700 000 000", "extension": "201"});
    event(&app, &switch, body).await.expect(200);
    let stranger = call(&app, "unknown-1").await;
    let path = format!("/api/v1/phone_calls/{}/order", id_of(&stranger));
    let one = json!({"lines": [{"product": id_of(&widget), "quantity": "1"}]});
    let refused = app.post_as(&agent.token, &path, &one).await.expect_problem(422, "validation");
    assert_eq!(refused.error_fields(), ["account"]);
    let path = format!("/api/v1/phone_calls/{}/log", id_of(&stranger));
    let later = (chrono::Utc::now() + chrono::Duration::hours(3)).to_rfc3339();
    let call_back = json!({"outcome": "call_back", "call_back_at": later});
    let refused = app.post_as(&agent.token, &path, &call_back).await.expect_problem(422, "validation");
    assert_eq!(refused.error_fields(), ["contact"], "an unknown caller is made a record first: {:?}", refused.body);
    let bad = json!({"outcome": "lunch", "follow_up": {"subject": "", "due_at": "2020-01-01T00:00:00Z"}});
    let refused = app.post_as(&agent.token, &path, &bad).await.expect_problem(422, "validation");
    assert_eq!(refused.error_fields(), ["outcome", "follow_up.subject", "follow_up.due_at"]);
    let stranger_now = call(&app, "unknown-1").await;
    assert_eq!(stranger_now["activity"], Json::Null, "nothing logged");
    // A known caller asking to be called back gets a call to make.
    let body = json!({"call_id": "again-1", "event": "ringing", "from": "+48501234567", "extension": "201"});
    event(&app, &switch, body).await.expect(200);
    let again = call(&app, "again-1").await;
    let path = format!("/api/v1/phone_calls/{}/log", id_of(&again));
    let logged = app.post_as(&agent.token, &path, &call_back).await.expect(200).body;
    let back = &logged["call_back"];
    assert_eq!(
        (back["status"].as_str(), &back["contact"], &back["owner"]),
        (Some("open"), &jan["id"], &json!(agent.user))
    );
    assert_eq!(back["phone"], "+48501234567");
    // Another agent cannot see, so cannot log, the agent's call.
    let other = app.member("other@example.com", "sales_rep").await;
    let path = format!("/api/v1/phone_calls/{}/log", id_of(&stranger));
    app.post_as(&other.token, &path, &json!({"outcome": "reached"})).await.expect(404);

    // The call page: who is on the line, the order form, the log form.
    let body = json!({"call_id": "page-1", "event": "ringing", "from": "+48501234567", "extension": "201"});
    event(&app, &switch, body).await.expect(200);
    let on_page = call(&app, "page-1").await;
    let b = crate::web::browser(&app, "agent@example.com").await;
    let page = format!("/calls/phone/{}", id_of(&on_page));
    let (status, _, html) = crate::web::page(&app, &b, Method::GET, &page, &[]).await;
    assert_eq!(status, 200);
    assert!(html.contains("<h1>Nowak") && html.contains("Acme") && html.contains("Take an order"), "{html}");
    assert!(html.contains(&format!("<option value=\"{}\">Widget", id_of(&widget))), "the catalogue: {html}");
    let widget_id = id_of(&widget);
    let csrf = ("csrf_token", b.csrf.as_str());
    let form = [csrf, ("product_0", widget_id.as_str()), ("quantity_0", "3"), ("product_1", ""), ("quantity_1", "1")];
    let (status, location, _) = crate::web::page(&app, &b, Method::POST, &format!("{page}/order"), &form).await;
    assert_eq!((status, location.as_str()), (303, page.as_str()));
    let ordered = call(&app, "page-1").await;
    let placed = app.get(&format!("/api/v1/orders/{}", ordered["order"].as_str().unwrap())).await.expect(200).body;
    assert_eq!((placed["lines"][0]["quantity"].as_str(), &placed["account"]), (Some("3.000"), &acme["id"]));
    let half = [csrf, ("outcome", "reached"), ("follow_up_subject", "Ship it")];
    let (status, _, html) = crate::web::page(&app, &b, Method::POST, &format!("{page}/log"), &half).await;
    assert_eq!(status, 422);
    assert!(html.contains("follow-up due"), "{html}");
    let (status, _, _) =
        crate::web::page(&app, &b, Method::POST, &format!("{page}/log"), &[csrf, ("outcome", "busy")]).await;
    assert_eq!(status, 303);
    let (_, _, html) = crate::web::page(&app, &b, Method::GET, &page, &[]).await;
    assert!(html.contains("Logged:") && html.contains("Order taken:"), "{html}");
    assert!(call(&app, "page-1").await["activity"].is_string());

    // A field the agent's role hides stays off the call page.
    app.create("contacts", json!({"last_name": "Quiet", "phones": ["+48 502 777 888"], "owner": agent.user})).await;
    let body = json!({"call_id": "hidden-1", "event": "ringing", "from": "+48502777888", "extension": "201"});
    event(&app, &switch, body).await.expect(200);
    let hidden = call(&app, "hidden-1").await;
    let page = format!("/calls/phone/{}", id_of(&hidden));
    let (_, _, html) = crate::web::page(&app, &b, Method::GET, &page, &[]).await;
    assert!(html.contains("+48502777888"), "shown while the role allows it");
    let mut rep = app.role("sales_rep").await;
    rep["fields"] = json!({"phone_calls": {"from_number": "hidden"}});
    app.put_as(&app.token, "/api/v1/roles/sales_rep", &rep).await.expect(200);
    let (status, _, html) = crate::web::page(&app, &b, Method::GET, &page, &[]).await;
    assert_eq!(status, 200);
    assert!(html.contains("<h1>Quiet") && !html.contains("502777888"), "{html}");
}

/// Screen pops reach the agent whose extension the call rang, and no one
/// else: the other agent's stream goes straight to their own call.
async fn each_agent_gets_the_pops_of_their_own_calls_only(app: TestApp) {
    let ana = app.member("ana@example.com", "service_agent").await;
    let ben = app.member("ben@example.com", "service_agent").await;
    let set = json!({"extensions": {"301": ana.user, "302": ben.user}});
    app.put_as(&app.token, "/api/v1/telephony/settings", &set).await.expect(200);
    let switch = app.token_with_scope("telephony").await;
    let client = reqwest::Client::new();
    let url = format!("{}/api/v1/telephony/screen_pops", app.base);
    // Subscribed once the answer's head came (the stream subscribes first).
    let mut ana_pops = client.get(&url).bearer_auth(&ana.token).send().await.unwrap();
    let mut ben_pops = client.get(&url).bearer_auth(&ben.token).send().await.unwrap();
    assert_eq!((ana_pops.status().as_u16(), ben_pops.status().as_u16()), (200, 200));
    let (mut ana_read, mut ben_read) = (String::new(), String::new());
    let ring = |call: &str, extension: &str| json!({"call_id": call, "event": "ringing", "from": "+48 501 000 001", "extension": extension});
    event(&app, &switch, ring("ana-1", "301")).await.expect(200);
    event(&app, &switch, ring("ben-1", "302")).await.expect(200);
    event(&app, &switch, ring("ana-2", "301")).await.expect(200);
    assert_eq!(next_pop(&mut ana_pops, &mut ana_read).await["call_id"], "ana-1");
    assert_eq!(next_pop(&mut ana_pops, &mut ana_read).await["call_id"], "ana-2", "Ben's call is not Ana's");
    assert_eq!(next_pop(&mut ben_pops, &mut ben_read).await["call_id"], "ben-1", "Ana's calls are not Ben's");
}

/// The next `pop` event of a screen-pop stream (within 10 seconds).
async fn next_pop(stream: &mut reqwest::Response, read: &mut String) -> Json {
    loop {
        if let Some(end) = read.find("\n\n") {
            let event: String = read.drain(..end + 2).collect();
            if event.lines().any(|l| l == "event: pop") {
                let data = event.lines().find_map(|l| l.strip_prefix("data: ")).expect("a pop's data");
                return serde_json::from_str(data).expect("a pop is JSON");
            }
            continue;
        }
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(10), stream.chunk()).await;
        let chunk = chunk.expect("a pop in time").expect("the stream reads").expect("the stream goes on");
        read.push_str(&String::from_utf8_lossy(&chunk));
    }
}
