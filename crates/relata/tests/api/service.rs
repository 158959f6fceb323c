//! Customer service: cases routed to a team and its least busy agent,
//! counted against an SLA policy in business time, paused while waiting on
//! the customer, warned about and escalated by jobs at the moment they are
//! due; replies emailed to the customer through a real SMTP server; notes
//! kept internal; every case and comment on the customer's timeline.

use crate::channels::{SmtpSink, use_smtp, work};
use crate::helpers::{TestApp, id_of};
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value as Json, json};

crate::both_backends!(
    a_case_is_routed_answered_paused_and_escalated_on_time,
    bad_service_settings_are_refused_by_field,
    mail_to_the_desk_opens_cases_and_answers_thread_back_once,
    mail_no_one_can_answer_is_held_for_an_agent_and_released_or_discarded,
    replies_are_written_from_templates_in_the_customers_language,
    mail_delivered_to_relatas_own_smtp_endpoint_opens_cases_once,
    contracts_cover_cases_set_their_targets_and_come_up_for_renewal,
    articles_are_reviewed_published_suggested_and_rated,
    duplicates_are_merged_and_tangles_split,
    the_service_report_counts_backlog_sla_and_times
);

fn at(record: &Json, field: &str) -> DateTime<Utc> {
    record[field].as_str().unwrap_or_else(|| panic!("{field} in {record}")).parse().unwrap()
}

async fn case(app: &TestApp, id: &str) -> Json {
    app.get(&format!("/api/v1/cases/{id}")).await.expect(200).body
}

/// The titles of a member's notifications (signed in anew: the clock moves).
async fn titles(app: &TestApp, email: &str) -> Vec<String> {
    let session = app.sign_in(email, crate::helpers::PASSWORD).await;
    let notes = app.get_as(&session.token, "/api/v1/notifications").await.expect(200).body;
    notes["data"].as_array().unwrap().iter().map(|n| n["title"].as_str().unwrap().to_string()).collect()
}

/// Every day from 00:00 to 24:00, so that targets are plain durations.
fn round_the_clock() -> Json {
    let days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
    let lines: Vec<Json> = days.iter().map(|d| json!({"day": d, "start": "00:00", "end": "24:00"})).collect();
    json!({"name": "Round the clock", "time_zone": "UTC", "lines": lines})
}

async fn a_case_is_routed_answered_paused_and_escalated_on_time(app: TestApp) {
    let sink = SmtpSink::start();
    use_smtp(&app, &sink, "support@example.com").await;
    let anna = app.member("anna@example.com", "service_agent").await;
    let piotr = app.member("piotr@example.com", "service_agent").await;
    let boss = app.member("boss@example.com", "manager").await;
    let office = app
        .create(
            "service_calendars",
            json!({"name": "Warsaw office", "time_zone": "Europe/Warsaw", "lines": [
                {"day": "monday", "start": "09:00", "end": "17:00"},
                {"day": "tuesday", "start": "09:00", "end": "17:00"},
                {"day": "wednesday", "start": "09:00", "end": "17:00"},
                {"day": "thursday", "start": "09:00", "end": "17:00"},
                {"day": "friday", "start": "09:00", "end": "17:00"},
                {"day": "holiday", "date": "2026-12-24"}]}),
        )
        .await;
    let always = app.create("service_calendars", round_the_clock()).await;
    let team = app
        .create(
            "service_teams",
            json!({"name": "Complaints", "calendar": id_of(&office), "manager": boss.user,
                   "lines": [{"member": anna.user, "present": true}, {"member": piotr.user, "present": true}]}),
        )
        .await;
    app.create(
        "routing_rules",
        json!({"name": "Complaints", "position": 1, "category": "complaint", "team": id_of(&team)}),
    )
    .await;
    let standard = app
        .create(
            "sla_policies",
            json!({"name": "Standard", "first_response_minutes": 240, "resolution_minutes": 960,
                   "warn_before_minutes": 60, "calendar": id_of(&always)}),
        )
        .await;
    let urgent = app
        .create(
            "sla_policies",
            json!({"name": "Urgent", "priority": "urgent", "first_response_minutes": 60, "resolution_minutes": 480}),
        )
        .await;
    let acme = app.create("accounts", json!({"name": "Acme"})).await;
    let jan = app
        .create(
            "contacts",
            json!({"first_name": "Jan", "last_name": "Nowak", "emails": ["jan@acme.pl"], "account": id_of(&acme)}),
        )
        .await;

    // Opened by phone: routed to the complaints team's first agent, under
    // the standard policy counted round the clock.
    let first = app
        .create(
            "cases",
            json!({"subject": "Broken hinge", "category": "complaint", "contact": id_of(&jan), "account": id_of(&acme)}),
        )
        .await;
    let year = at(&first, "created_at").format("%Y").to_string();
    assert_eq!(first["number"], format!("CASE-{year}-000001"));
    assert_eq!((&first["team"], first["owner"].as_str()), (&team["id"], Some(anna.user.as_str())));
    assert_eq!(
        (&first["sla_policy"], first["status"].as_str(), first["sla_status"].as_str()),
        (&standard["id"], Some("new"), Some("on_track"))
    );
    let created = at(&first, "created_at");
    assert_eq!(at(&first, "first_response_due"), created + Duration::minutes(240));
    assert_eq!(at(&first, "resolution_due"), created + Duration::minutes(960));
    // The next complaint goes to whoever has fewer open cases.
    let second = app
        .create("cases", json!({"subject": "Scratched door", "category": "complaint", "contact": id_of(&jan)}))
        .await;
    assert_eq!(second["owner"].as_str(), Some(piotr.user.as_str()));
    let assigned = format!("Case assigned to you: CASE-{year}-000001 Broken hinge");
    assert!(titles(&app, "anna@example.com").await.contains(&assigned));
    // A rule earlier in order sends the north's customers to their own desk.
    let north =
        app.create("service_teams", json!({"name": "North", "lines": [{"member": piotr.user, "present": true}]})).await;
    app.create("routing_rules", json!({"name": "North", "position": 0, "territory": "north", "team": id_of(&north)}))
        .await;
    let nordic = app.create("accounts", json!({"name": "Nordic", "territory": "North"})).await;
    let routed =
        app.create("cases", json!({"subject": "Cold", "category": "complaint", "account": id_of(&nordic)})).await;
    assert_eq!((&routed["team"], routed["owner"].as_str()), (&north["id"], Some(piotr.user.as_str())));
    // Urgent cases fall under the urgent policy, in the team's office hours.
    let third = app.create("cases", json!({"subject": "Fire", "category": "complaint", "priority": "urgent"})).await;
    assert_eq!(third["sla_policy"], urgent["id"]);
    let office_hours = relata_service::calendar::BusinessCalendar::new(
        chrono_tz::Europe::Warsaw,
        &["Mon", "Tue", "Wed", "Thu", "Fri"]
            .map(|d| relata_service::calendar::CalendarLine::Hours {
                weekday: d.parse().unwrap(),
                start: chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
                end: chrono::NaiveTime::from_hms_opt(17, 0, 0).unwrap(),
            })
            .into_iter()
            .chain([relata_service::calendar::CalendarLine::Holiday("2026-12-24".parse().unwrap())])
            .collect::<Vec<_>>(),
    )
    .unwrap();
    let third_created = at(&third, "created_at");
    assert_eq!(Some(at(&third, "first_response_due")), office_hours.add(third_created, 60));
    // A policy changed moves the due times of the cases it counts.
    let policy_path = format!("/api/v1/sla_policies/{}", id_of(&urgent));
    app.patch(&policy_path, urgent["version"].as_i64().unwrap(), &json!({"first_response_minutes": 120}))
        .await
        .expect(200);
    work(&app).await;
    let moved = case(&app, &id_of(&third)).await;
    assert_eq!(Some(at(&moved, "first_response_due")), office_hours.add(third_created, 120));

    // A reply goes to the customer by email and is the first response; a
    // note stays internal.
    let id = id_of(&first);
    let reply = json!({"case": id, "kind": "reply", "body": "We are sending a new hinge today."});
    let reply = app.post_as(&anna.token, "/api/v1/case_comments", &reply).await.expect(201).body;
    assert_eq!((&reply["contact"], &reply["account"]), (&jan["id"], &acme["id"]));
    assert!(reply["email_sent"].is_string(), "the message it went out as: {reply}");
    app.post_as(&anna.token, "/api/v1/case_comments", &json!({"case": id, "kind": "note", "body": "Supplier is slow"}))
        .await
        .expect(201);
    work(&app).await;
    let received = sink.received();
    assert_eq!(received.len(), 1, "the reply only: {received:?}");
    assert!(received[0].contains("jan@acme.pl") && received[0].contains(&format!("[CASE-{year}-000001] Broken hinge")));
    assert!(received[0].contains("new hinge") && !received[0].contains("Supplier"));
    let answered = case(&app, &id).await;
    assert_eq!(answered["status"], "open");
    assert_eq!(at(&answered, "first_response_at"), at(&reply, "created_at"));
    // A reply needs someone to send it to.
    let nobody = json!({"case": id_of(&third), "kind": "reply", "body": "Hello?"});
    let refused = app.post("/api/v1/case_comments", &nobody).await.expect_problem(422, "validation");
    assert!(refused.error_fields().contains(&"kind".to_string()));

    // Waiting on the customer stops the clock; their answer starts it again.
    let waiting = app
        .patch_as(
            &anna.token,
            &format!("/api/v1/cases/{id}"),
            answered["version"].as_i64().unwrap(),
            &json!({"status": "waiting_on_customer"}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(waiting["sla_status"], "paused");
    let clock = app.app.app.store.clock().clone();
    clock.advance(Duration::minutes(120));
    app.post("/api/v1/case_comments", &json!({"case": id, "kind": "customer", "body": "Still broken"}))
        .await
        .expect(201);
    let resumed = case(&app, &id).await;
    assert_eq!((resumed["status"].as_str(), resumed["paused_minutes"].as_i64()), (Some("open"), Some(120)));
    let due = at(&resumed, "resolution_due");
    assert_eq!(due, created + Duration::minutes(960 + 120), "moved on by the time waited");

    // An hour before the target the owner is warned, at the target the
    // case is escalated: a priority up, to the team's manager, both told.
    let now = app.app.app.store.now();
    clock.advance(due - now - Duration::minutes(59));
    work(&app).await;
    let warned = case(&app, &id).await;
    assert_eq!(warned["sla_status"], "warning");
    assert!(titles(&app, "anna@example.com").await.iter().any(|t| t.starts_with("SLA warning")));
    clock.advance(Duration::minutes(60));
    work(&app).await;
    let breached = case(&app, &id).await;
    assert_eq!(
        (
            breached["sla_status"].as_str(),
            breached["priority"].as_str(),
            breached["owner"].as_str(),
            breached["escalations"].as_i64()
        ),
        (Some("breached"), Some("high"), Some(boss.user.as_str()), Some(1))
    );
    for email in ["anna@example.com", "boss@example.com"] {
        assert!(titles(&app, email).await.iter().any(|t| t.starts_with("SLA breached")), "{email} told");
    }
    // The jobs run again change nothing more.
    clock.advance(Duration::hours(1));
    work(&app).await;
    assert_eq!(case(&app, &id).await["version"], breached["version"]);

    // Resolving needs a resolution; resolved late stays breached.
    let path = format!("/api/v1/cases/{id}");
    let version = breached["version"].as_i64().unwrap();
    let refused = app.patch(&path, version, &json!({"status": "resolved"})).await.expect_problem(422, "validation");
    assert!(refused.error_fields().contains(&"resolution".to_string()));
    let resolved = app
        .patch(
            &path,
            version,
            &json!({"status": "resolved", "resolution": "New hinge fitted", "root_cause": "product_defect"}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!((resolved["status"].as_str(), resolved["sla_status"].as_str()), (Some("resolved"), Some("breached")));
    assert!(resolved["resolved_at"].is_string());
    // The customer writing again reopens it.
    app.post("/api/v1/case_comments", &json!({"case": id, "kind": "customer", "body": "It broke again"}))
        .await
        .expect(201);
    let reopened = case(&app, &id).await;
    assert_eq!((reopened["status"].as_str(), &reopened["resolved_at"]), (Some("open"), &Json::Null));

    // The page of the case (its owner now the manager): where it stands, and the replies to write.
    let agent = crate::web::browser(&app, "boss@example.com").await;
    let (status, _, html) = crate::web::page(&app, &agent, reqwest::Method::GET, &format!("/cases/{id}"), &[]).await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("/case_comments/new?case={id}&#38;kind=reply")), "a reply link");
    assert!(html.contains("Add an internal note") && html.contains("Breached"), "the note link and the SLA: {html}");
    let form = format!("/case_comments/new?case={id}&kind=reply");
    let (status, _, html) = crate::web::page(&app, &agent, reqwest::Method::GET, &form, &[]).await;
    assert_eq!(status, 200);
    assert!(html.contains("value=\"reply\" selected"), "the reply is chosen");

    // The case and its comments are the customer's story.
    let timeline = app.get(&format!("/api/v1/contacts/{}/timeline", id_of(&jan))).await.expect(200).body;
    let types: Vec<&str> = timeline["data"].as_array().unwrap().iter().filter_map(|i| i["type"].as_str()).collect();
    assert!(types.iter().filter(|t| **t == "case").count() >= 2, "{types:?}");
    assert!(types.iter().filter(|t| **t == "case_comment").count() >= 4, "{types:?}");
}

async fn bad_service_settings_are_refused_by_field(app: TestApp) {
    let bad = json!({"name": "Broken", "time_zone": "Mars/Olympus", "lines": [
        {"day": "monday", "start": "09:00", "end": "13:00"},
        {"day": "monday", "start": "12:00", "end": "17:00"},
        {"day": "tuesday", "start": "9am", "end": "17:00"},
        {"day": "holiday"}]});
    let refused = app.post("/api/v1/service_calendars", &bad).await.expect_problem(422, "validation");
    let fields = refused.error_fields();
    for field in ["time_zone", "lines[2].start", "lines[3].date"] {
        assert!(fields.contains(&field.to_string()), "{field} in {fields:?}");
    }
    let overlapping = json!({"name": "Overlap", "time_zone": "Europe/Vilnius", "lines": [
        {"day": "monday", "start": "09:00", "end": "13:00"},
        {"day": "monday", "start": "12:00", "end": "17:00"}]});
    let refused = app.post("/api/v1/service_calendars", &overlapping).await.expect_problem(422, "validation");
    assert_eq!(refused.error_fields(), ["lines[1].start"]);
    assert!(app.list_all("service_calendars", "").await.is_empty(), "nothing stored");
    // Unknown categories and statuses are refused like any bad choice.
    let refused = app
        .post("/api/v1/cases", &json!({"subject": "x", "category": "spaceship", "status": "lost"}))
        .await
        .expect_problem(422, "validation");
    let fields = refused.error_fields();
    assert!(fields.contains(&"category".to_string()) && fields.contains(&"status".to_string()), "{fields:?}");
    assert!(app.list_all("cases", "").await.is_empty());
}

async fn comments_of(app: &TestApp, case: &str) -> Vec<Json> {
    app.list_all("case_comments", &format!("&filter=case%20%3D%20%22{case}%22&sort=created_at")).await
}

/// The Message-ID header of a message as received.
fn message_id(raw: &str) -> String {
    let line = raw.lines().find(|l| l.to_ascii_lowercase().starts_with("message-id:")).expect("a Message-ID");
    line.split_once(':').unwrap().1.trim().to_string()
}

async fn mail_to_the_desk_opens_cases_and_answers_thread_back_once(app: TestApp) {
    use crate::mailbox::{ANNA, ImapServer, SECRET, mail, mail_with_pdf};
    let imap = ImapServer::start();
    let sink = SmtpSink::start();
    use_smtp(&app, &sink, "support@example.com").await;
    let agent = app.member("agent@example.com", "service_agent").await;
    let team =
        app.create("service_teams", json!({"name": "Desk", "lines": [{"member": agent.user, "present": true}]})).await;
    let acme = app.create("accounts", json!({"name": "Acme"})).await;
    let jan =
        app.create("contacts", json!({"last_name": "Nowak", "emails": ["jan@acme.pl"], "account": id_of(&acme)})).await;
    let desk = json!({"host": "127.0.0.1", "port": imap.port, "security": "none", "username": ANNA, "password": SECRET,
                      "address": ANNA, "folders": ["INBOX"], "team": id_of(&team), "category": "problem"});

    // Administrators only; bad settings refused by field.
    app.put_as(&agent.token, "/api/v1/service/mailboxes/desk", &desk).await.expect_problem(403, "forbidden");
    let mut bad = desk.clone();
    bad["team"] = json!(uuid::Uuid::now_v7().to_string());
    bad["category"] = json!("spaceship");
    bad["port"] = json!(0);
    let refused =
        app.put_as(&app.token, "/api/v1/service/mailboxes/desk", &bad).await.expect_problem(422, "validation");
    let fields = refused.error_fields();
    for field in ["team", "category", "port"] {
        assert!(fields.contains(&field.to_string()), "{field} in {fields:?}");
    }
    app.put_as(&app.token, "/api/v1/service/mailboxes/Not%20a%20name", &desk).await.expect_problem(422, "validation");
    let shown = app.put_as(&app.token, "/api/v1/service/mailboxes/desk", &desk).await.expect(200).body;
    assert_eq!(shown["mailbox"]["password"], json!(true), "never shown: {shown}");

    let no_sender = "To: anna@example.com\r\nSubject: Who am I\r\nMessage-ID: <anon@x>\r\n\r\nHello\r\n".to_string();
    imap.append(
        "INBOX",
        &[
            mail("Jan Nowak <jan@acme.pl>", ANNA, "Printer on fire", "m1@acme.pl", ""),
            mail("Stranger <who@else.org>", ANNA, "A question", "m2@else.org", ""),
            no_sender,
            mail(ANNA, "jan@acme.pl", "Our own newsletter", "own@example.com", ""),
        ],
    );
    let read = || async {
        app.post("/api/v1/service/mailboxes/desk/sync", &json!({})).await.expect(202);
        work(&app).await;
    };
    read().await;
    let cases = app.list_all("cases", "&sort=created_at").await;
    assert_eq!(cases.len(), 2, "a case per customer message, none for the sender-less or our own: {cases:?}");
    let fire = cases.iter().find(|c| c["subject"] == "Printer on fire").unwrap();
    assert_eq!(
        (&fire["contact"], &fire["account"], &fire["team"], fire["owner"].as_str()),
        (&jan["id"], &acme["id"], &team["id"], Some(agent.user.as_str()))
    );
    assert_eq!((fire["channel"].as_str(), fire["category"].as_str()), (Some("email"), Some("problem")));
    let question = cases.iter().find(|c| c["subject"] == "A question").unwrap();
    assert_eq!((&question["contact"], question["requester_email"].as_str()), (&Json::Null, Some("who@else.org")));
    // The agent is offered a new contact for the unknown sender.
    let agent_page = crate::web::browser(&app, "agent@example.com").await;
    let path = format!("/cases/{}", id_of(question));
    let (status, _, html) = crate::web::page(&app, &agent_page, reqwest::Method::GET, &path, &[]).await;
    assert_eq!(status, 200);
    assert!(html.contains("/contacts/new?emails=who%40else.org"), "a contact proposed");
    let fire_id = id_of(fire);
    let first = comments_of(&app, &fire_id).await;
    assert_eq!(first.len(), 1);
    assert_eq!((first[0]["kind"].as_str(), first[0]["message_id"].as_str()), (Some("customer"), Some("m1@acme.pl")));

    // The agent answers from the case; the customer's answer, by
    // In-Reply-To alone, comes back into the same case and resumes it.
    let reply = json!({"case": fire_id, "kind": "reply", "body": "Unplug it, please."});
    app.post_as(&agent.token, "/api/v1/case_comments", &reply).await.expect(201);
    work(&app).await;
    let sent = sink.received();
    assert_eq!(sent.len(), 1, "{sent:?}");
    let number = fire["number"].as_str().unwrap();
    assert!(sent[0].contains(&format!("[{number}] Printer on fire")));
    let version = case(&app, &fire_id).await["version"].as_i64().unwrap();
    app.patch(&format!("/api/v1/cases/{fire_id}"), version, &json!({"status": "waiting_on_customer"}))
        .await
        .expect(200);
    let in_reply_to = format!("In-Reply-To: {}\r\n", message_id(&sent[0]));
    imap.append(
        "INBOX",
        &[
            mail("jan@acme.pl", ANNA, "Re: your answer", "m3@acme.pl", &in_reply_to),
            mail_with_pdf("jan@acme.pl", ANNA, &format!("Photo for [{number}]"), "m4@acme.pl"),
        ],
    );
    read().await;
    assert_eq!(app.list_all("cases", "").await.len(), 2, "no new case: both are answers");
    let thread = comments_of(&app, &fire_id).await;
    let taken: Vec<&str> = thread.iter().filter_map(|c| c["message_id"].as_str()).collect();
    assert_eq!(taken, ["m1@acme.pl", "m3@acme.pl", "m4@acme.pl"]);
    assert_eq!(case(&app, &fire_id).await["status"], "open", "the customer's answer resumes it");
    // The photo is kept with its comment, served to who may read the case.
    let photo = thread.iter().find(|c| c["message_id"] == "m4@acme.pl").unwrap();
    let listed: Json = serde_json::from_str(photo["attachments"].as_str().unwrap()).unwrap();
    assert_eq!(listed[0]["name"], "offer.pdf");
    let file = app.get(&format!("/api/v1/case_comments/{}/attachments/0", id_of(photo))).await;
    assert_eq!(file.status, 200);
    assert_eq!(file.header("content-type"), Some("application/pdf"));
    app.get(&format!("/api/v1/case_comments/{}/attachments/1", id_of(photo))).await.expect(404);

    // A reply to a closed case reopens it; with `new_case`, it opens a new
    // case linked to the closed one.
    let question_id = id_of(question);
    let close = |id: String| {
        let app = &app;
        async move {
            let path = format!("/api/v1/cases/{id}");
            let version = app.get(&path).await.expect(200).body["version"].as_i64().unwrap();
            app.patch(&path, version, &json!({"status": "closed", "resolution": "Answered"})).await.expect(200);
        }
    };
    close(question_id.clone()).await;
    let q_number = question["number"].as_str().unwrap().to_string();
    imap.append("INBOX", &[mail("who@else.org", ANNA, &format!("Re: [{q_number}] A question"), "m5@else.org", "")]);
    read().await;
    assert_eq!(case(&app, &question_id).await["status"], "open", "reopened");
    close(question_id.clone()).await;
    let mut new_case_desk = desk.clone();
    new_case_desk["closed_replies"] = json!("new_case");
    app.put_as(&app.token, "/api/v1/service/mailboxes/desk", &new_case_desk).await.expect(200);
    imap.append("INBOX", &[mail("who@else.org", ANNA, &format!("Re: [{q_number}] A question"), "m6@else.org", "")]);
    read().await;
    assert_eq!(case(&app, &question_id).await["status"], "closed", "stays closed");
    let follow_ups = app.list_all("cases", &format!("&filter=related_case%20%3D%20%22{question_id}%22")).await;
    assert_eq!(follow_ups.len(), 1, "a new case, linked: {follow_ups:?}");
    assert_eq!(follow_ups[0]["requester_email"], "who@else.org");
    let mut bad = desk.clone();
    bad["closed_replies"] = json!("ignore");
    let refused =
        app.put_as(&app.token, "/api/v1/service/mailboxes/desk", &bad).await.expect_problem(422, "validation");
    assert_eq!(refused.error_fields(), ["closed_replies"]);

    // Read again, and again from the start (a checkpoint lost, as after a
    // restore): nothing is taken twice.
    read().await;
    let store = &app.app.app.store;
    let mut tx = store.write(app.workspace.id).await.unwrap();
    tx.put_setting("service.mail.checkpoint.desk.INBOX", &json!({"uid_validity": 0, "last_uid": 0})).await.unwrap();
    tx.commit().await.unwrap();
    read().await;
    assert_eq!(app.list_all("cases", "").await.len(), 3);
    assert_eq!(comments_of(&app, &fire_id).await.len(), thread.len());
    let listed = app.get("/api/v1/service/mailboxes").await.expect(200).body;
    assert_eq!(listed["data"][0]["last_sync"]["error"], Json::Null, "{listed}");

    // A server that is down is said, and the job retried.
    drop(imap);
    read().await;
    let listed = app.get("/api/v1/service/mailboxes").await.expect(200).body;
    assert!(listed["data"][0]["last_sync"]["error"].is_string(), "{listed}");
    app.delete("/api/v1/service/mailboxes/desk").await.expect(204);
    assert_eq!(app.get("/api/v1/service/mailboxes").await.expect(200).body["data"], json!([]));
}

async fn held(app: &TestApp) -> Vec<Json> {
    app.list_all("held_messages", "&sort=created_at").await
}

async fn mail_no_one_can_answer_is_held_for_an_agent_and_released_or_discarded(app: TestApp) {
    use crate::mailbox::{ANNA, ImapServer, SECRET, mail};
    let imap = ImapServer::start();
    let agent = app.member("agent@example.com", "service_agent").await;
    let rep = app.member("rep@example.com", "sales_rep").await;
    let desk = json!({"host": "127.0.0.1", "port": imap.port, "security": "none", "username": ANNA, "password": SECRET,
                      "address": ANNA, "max_message_mb": 1});
    for bad in [json!(0), json!(101), json!("big")] {
        let mut wrong = desk.clone();
        wrong["max_message_mb"] = bad;
        let refused =
            app.put_as(&app.token, "/api/v1/service/mailboxes/desk", &wrong).await.expect_problem(422, "validation");
        assert_eq!(refused.error_fields(), ["max_message_mb"]);
    }
    let shown = app.put_as(&app.token, "/api/v1/service/mailboxes/desk", &desk).await.expect(200).body;
    assert_eq!(shown["mailbox"]["max_message_mb"], 1, "{shown}");

    let no_sender = "To: anna@example.com\r\nSubject: Who am I\r\nMessage-ID: <anon@x>\r\n\r\nHello\r\n".to_string();
    let forged = mail(
        "Your Bank <security@bank.com>",
        ANNA,
        "Verify your account",
        "phish@bank.com",
        "Authentication-Results: mx.example.com; spf=fail smtp.mailfrom=bank.com;\r\n dmarc=fail (p=reject) header.from=bank.com\r\n",
    );
    // 1.5 MB of photo, over the mailbox's limit of 1 MB.
    let photo: String = "QUJD"
        .repeat(400_000)
        .as_bytes()
        .chunks(76)
        .map(|l| format!("{}\r\n", std::str::from_utf8(l).unwrap()))
        .collect();
    let large = mail("jan@acme.pl", ANNA, "Photos of the damage", "large@acme.pl", "")
        .replace("\r\nAbout Photos of the damage.\r\n", "")
        + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee the photos.\r\n\
           --b\r\nContent-Type: image/jpeg; name=a.jpg\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + &photo
        + "--b--\r\n";
    let damaged = mail("jan@acme.pl", ANNA, "Invoice question", "damaged@acme.pl", "")
        .replace("\r\nAbout Invoice question.\r\n", "")
        + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n\
           The invoice is wrong.\r\n--b\r\nContent-Type: image/jpeg\r\nContent-Transfer-Encoding: base64\r\n\r\n/9j/4AAQ";
    imap.append(
        "INBOX",
        &[
            no_sender,
            mail(ANNA, ANNA, "Out of office: Re: [CASE-2026-000001]", "loop@example.com", ""),
            forged,
            large,
            damaged,
            mail("Jan Nowak <jan@acme.pl>", ANNA, "Still broken", "fine@acme.pl", ""),
            "no header at all, just words\r\n".to_string(),
        ],
    );
    let read = || async {
        app.post("/api/v1/service/mailboxes/desk/sync", &json!({})).await.expect(202);
        work(&app).await;
    };
    read().await;
    let listed = app.get("/api/v1/service/mailboxes").await.expect(200).body;
    assert_eq!(listed["data"][0]["last_sync"]["error"], Json::Null, "nothing failed: {listed}");
    assert_eq!(listed["data"][0]["last_sync"]["taken"], 7, "every message taken or held: {listed}");

    // Held, each with why, for the desk (not for sales).
    let held_now = held(&app).await;
    let reasons: Vec<(&str, &str)> =
        held_now.iter().map(|h| (h["subject"].as_str().unwrap(), h["reason"].as_str().unwrap())).collect();
    assert_eq!(
        reasons,
        [
            ("Who am I", "no_sender"),
            ("Out of office: Re: [CASE-2026-000001]", "from_desk"),
            ("Verify your account", "forged_sender"),
            ("Photos of the damage", "too_large"),
            ("(no subject)", "unreadable")
        ]
    );
    assert!(held_now.iter().all(|h| h["status"] == "held"));
    let large = &held_now[3];
    assert!(large["size"].as_i64().unwrap() > 1024 * 1024, "{large}");
    assert!(large["detail"].as_str().unwrap().contains("over this mailbox's limit of 1 MB"), "{large}");
    assert!(held_now[2]["detail"].as_str().unwrap().contains("DMARC"), "{}", held_now[2]);
    let header = app.get(&format!("/api/v1/held_messages/{}/attachments/0", id_of(large))).await.expect(200);
    assert_eq!(header.header("content-type"), Some("message/rfc822"));
    assert!(header.text().contains("Subject: Photos of the damage") && header.bytes.len() < 4096, "the header alone");
    let seen = app.get_as(&agent.token, "/api/v1/held_messages").await.expect(200).body;
    assert_eq!(seen["data"].as_array().unwrap().len(), 5, "the desk sees them");
    app.get_as(&rep.token, "/api/v1/held_messages").await.expect_problem(403, "forbidden");
    app.post("/api/v1/held_messages", &json!({"mailbox": "desk", "reason": "no_sender"})).await.expect(403);

    // The rest became cases; the damaged one says so and keeps its original.
    let cases = app.list_all("cases", "&sort=created_at").await;
    let subjects: Vec<&str> = cases.iter().map(|c| c["subject"].as_str().unwrap()).collect();
    assert_eq!(subjects, ["Invoice question", "Still broken"]);
    let comment = &comments_of(&app, &id_of(&cases[0])).await[0];
    let body = comment["body"].as_str().unwrap();
    assert!(body.starts_with("[Relata: this message was damaged") && body.contains("The invoice is wrong."), "{body}");
    let original = app.get(&format!("/api/v1/case_comments/{}/attachments/1", id_of(comment))).await.expect(200);
    assert_eq!(original.header("content-type"), Some("message/rfc822"));
    assert!(original.text().contains("/9j/4AAQ"));

    // Its page offers the agent the two ways out.
    let browser = crate::web::browser(&app, "agent@example.com").await;
    let held_page = format!("/held_messages/{}", id_of(&held_now[1]));
    let (status, _, html) = crate::web::page(&app, &browser, reqwest::Method::GET, &held_page, &[]).await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("{held_page}/release")) && html.contains(&format!("{held_page}/discard")));
    let (_, _, dashboard) = crate::web::page(&app, &browser, reqwest::Method::GET, "/service", &[]).await;
    assert!(dashboard.contains("Held mail (5)"), "the dashboard says what waits");

    // An agent releases what is real: a case, as the desk would have made.
    let path = |h: &Json, action: &str| format!("/api/v1/held_messages/{}/{action}", id_of(h));
    let case = app.post_as(&agent.token, &path(&held_now[0], "release"), &json!({})).await.expect(200).body;
    assert_eq!((case["subject"].as_str(), case["channel"].as_str()), (Some("Who am I"), Some("email")));
    assert_eq!(case["requester_email"], Json::Null, "no one to answer");
    assert_eq!(comments_of(&app, &id_of(&case)).await[0]["body"], "Hello");
    let released = app.get(&format!("/api/v1/held_messages/{}", id_of(&held_now[0]))).await.expect(200).body;
    assert_eq!((&released["status"], &released["case"]), (&json!("released"), &case["id"]));
    app.post_as(&agent.token, &path(&held_now[0], "release"), &json!({})).await.expect_problem(409, "conflict");
    let big = app.post_as(&agent.token, &path(large, "release"), &json!({})).await.expect(200).body;
    let note = &comments_of(&app, &id_of(&big)).await[0]["body"];
    assert!(note.as_str().unwrap().contains("Ask the customer for its content"), "{note}");
    assert_eq!(big["requester_email"], "jan@acme.pl");
    // ... and discards what is not (here from its page): the bytes go.
    let form = [("csrf_token", browser.csrf.as_str())];
    let discard = format!("{held_page}/discard");
    let (status, _, _) = crate::web::page(&app, &browser, reqwest::Method::POST, &discard, &form).await;
    assert_eq!(status, 303);
    let gone = app.get(&format!("/api/v1/held_messages/{}", id_of(&held_now[1]))).await.expect(200).body;
    assert_eq!(gone["status"], "discarded");
    app.post_as(&agent.token, &path(&held_now[1], "discard"), &json!({})).await.expect_problem(409, "conflict");
    app.get(&format!("/api/v1/held_messages/{}/attachments/0", id_of(&held_now[1]))).await.expect(404);
    app.post_as(&rep.token, &path(&held_now[2], "discard"), &json!({})).await.expect_problem(403, "forbidden");
    app.post_as(&agent.token, &path(&held_now[2], "release"), &json!({})).await.expect(200);
    let unreadable = app.post_as(&agent.token, &path(&held_now[4], "release"), &json!({})).await.expect(200).body;
    assert_eq!(unreadable["subject"], "(an unreadable message)");
    let kept = &comments_of(&app, &id_of(&unreadable)).await[0];
    let kept = app.get(&format!("/api/v1/case_comments/{}/attachments/0", id_of(kept))).await.expect(200);
    assert!(kept.text().contains("no header at all, just words"), "the original is attached");

    // Read again from the start: nothing is held or taken twice.
    let store = &app.app.app.store;
    let mut tx = store.write(app.workspace.id).await.unwrap();
    tx.put_setting("service.mail.checkpoint.desk.INBOX", &json!({"uid_validity": 0, "last_uid": 0})).await.unwrap();
    tx.commit().await.unwrap();
    read().await;
    assert_eq!(held(&app).await.len(), 5);
    assert_eq!(app.list_all("cases", "").await.len(), 6);
}

/// Sends `message` from `from` to `to` with Python's smtplib (a real
/// client); answers "sent" or the refusal's class and code.
fn send_smtp(port: u16, from: &str, to: &str, message: &str) -> String {
    let script = r#"
import smtplib, sys
port, sender, to = int(sys.argv[1]), sys.argv[2], sys.argv[3]
message = sys.stdin.buffer.read()
try:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        client.sendmail(sender, [to], message)
    print("sent")
except smtplib.SMTPRecipientsRefused as e:
    print("refused", list(e.recipients.values())[0][0])
except smtplib.SMTPResponseException as e:
    print("error", e.smtp_code)
"#;
    use std::io::Write;
    let mut child = std::process::Command::new("python3")
        .args(["-c", script, &port.to_string(), from, to])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(message.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

async fn mail_delivered_to_relatas_own_smtp_endpoint_opens_cases_once(app: TestApp) {
    use crate::mailbox::mail;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(relata_service::smtp_in::serve(app.app.app.clone(), listener, stopped));
    let desks = "/api/v1/service/mailboxes";
    for (bad, field) in [
        (json!({"receive": "pop3", "address": "help@example.com"}), "receive"),
        (json!({"receive": "smtp", "address": "not an address"}), "address"),
    ] {
        let refused = app.put_as(&app.token, &format!("{desks}/help"), &bad).await.expect_problem(422, "validation");
        assert_eq!(refused.error_fields(), [field]);
    }
    let desk = json!({"receive": "smtp", "address": "Help@Example.com", "max_message_mb": 1, "category": "question"});
    let shown = app.put_as(&app.token, &format!("{desks}/help"), &desk).await.expect(200).body;
    assert_eq!(
        (shown["mailbox"]["receive"].as_str(), shown["mailbox"]["address"].as_str()),
        (Some("smtp"), Some("help@example.com"))
    );
    app.post(&format!("{desks}/help/sync"), &json!({})).await.expect_problem(409, "conflict");

    // Mail to the desk opens a case; to anyone else it is refused (no relay).
    let question = mail("Jan <jan@acme.pl>", "help@example.com", "Opening hours?", "q1@acme.pl", "");
    assert_eq!(send_smtp(port, "jan@acme.pl", "help@example.com", &question), "sent");
    assert_eq!(send_smtp(port, "jan@acme.pl", "someone@elsewhere.org", &question), "refused 550");
    let cases = app.list_all("cases", "").await;
    assert_eq!(cases.len(), 1, "kept before the sender heard 250: {cases:?}");
    assert_eq!(
        (cases[0]["subject"].as_str(), cases[0]["category"].as_str()),
        (Some("Opening hours?"), Some("question"))
    );
    assert_eq!(cases[0]["requester_email"], "jan@acme.pl");
    let number = cases[0]["number"].as_str().unwrap().to_string();

    // A reply threads into its case; a retry of a message without a
    // Message-ID is not taken twice; lines starting with a dot survive.
    let answer = format!(
        "From: jan@acme.pl\r\nTo: help@example.com\r\nSubject: Re: [{number}] Opening hours?\r\n\r\nThanks.\r\n.signature\r\n"
    );
    for _ in 0..2 {
        assert_eq!(send_smtp(port, "jan@acme.pl", "help@example.com", &answer), "sent");
    }
    let thread = comments_of(&app, &id_of(&cases[0])).await;
    assert_eq!(thread.len(), 2, "{thread:?}");
    assert_eq!(thread[1]["body"], "Thanks.\r\n.signature");
    assert_eq!(app.list_all("cases", "").await.len(), 1);

    // Over the desk's limit: held, its header kept; from no one: held.
    let big = mail("jan@acme.pl", "help@example.com", "Scans", "big@acme.pl", "")
        + &"A"
            .repeat(76)
            .repeat(20_000)
            .chars()
            .collect::<Vec<_>>()
            .chunks(76)
            .map(|c| c.iter().collect::<String>() + "\r\n")
            .collect::<String>();
    assert_eq!(send_smtp(port, "jan@acme.pl", "help@example.com", &big), "sent");
    let anonymous = "To: help@example.com\r\nSubject: Hi\r\nMessage-ID: <anon@x>\r\n\r\nHello\r\n";
    assert_eq!(send_smtp(port, "", "help@example.com", anonymous), "sent");
    let held_now = held(&app).await;
    let reasons: Vec<&str> = held_now.iter().map(|h| h["reason"].as_str().unwrap()).collect();
    assert_eq!(reasons, ["too_large", "no_sender"]);
    assert_eq!(held_now[0]["mailbox"], "help");
    let _ = stop.send(true);

    // `relata serve --smtp-listen` (here by its environment variable) takes mail too.
    let smtp_port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let listen = format!("127.0.0.1:{smtp_port}");
    let _server = crate::helpers::serve_process_with(&app, &[("RELATA_SMTP_LISTEN", &listen)]).await;
    let later = mail("ola@acme.pl", "help@example.com", "Invoice copy", "q2@acme.pl", "");
    assert_eq!(send_smtp(smtp_port, "ola@acme.pl", "help@example.com", &later), "sent");
    assert_eq!(app.list_all("cases", "").await.len(), 2);
}

async fn replies_are_written_from_templates_in_the_customers_language(app: TestApp) {
    let sink = SmtpSink::start();
    use_smtp(&app, &sink, "support@example.com").await;
    let template = |language: &str, body: &str| {
        json!({"name": format!("Case received ({language})"), "key": "case_received", "channel": "email",
               "language": language, "entity": "cases", "subject": "About {{case.subject}}", "body": body})
    };
    app.create("message_templates", template("en", "Dear {{contact.first_name}}, we are on {{case.number}}.")).await;
    let polish = template("pl", "Szanowny Panie {{contact.first_name}}, zajmujemy się sprawą {{case.number}}.");
    app.create("message_templates", polish).await;
    let english = app.list_all("message_templates", "&filter=language%20%3D%20%22en%22").await;
    let jan = app
        .create(
            "contacts",
            json!({"first_name": "Jan", "last_name": "Nowak", "emails": ["jan@acme.pl"], "language": "pl"}),
        )
        .await;
    let case = app.create("cases", json!({"subject": "Broken hinge", "contact": id_of(&jan)})).await;
    let number = case["number"].as_str().unwrap();

    // The English template, answered in the contact's Polish, merged with the case.
    let reply = json!({"case": id_of(&case), "kind": "reply", "template": id_of(&english[0])});
    let written = app.post("/api/v1/case_comments", &reply).await.expect(201).body;
    let expected = format!("Szanowny Panie Jan, zajmujemy się sprawą {number}.");
    assert_eq!(written["body"], expected.as_str());
    work(&app).await;
    let sent = sink.received();
    assert_eq!(sent.len(), 1);
    assert!(
        sent[0].contains("To: jan@acme.pl") && sent[0].contains(&format!("[{number}] Broken hinge")),
        "{}",
        sent[0]
    );

    // On the case's page: the conversation, and a form answering from a
    // template; a note written there stays internal.
    let agent = app.member("agent@example.com", "service_agent").await;
    let version = self::case(&app, &id_of(&case)).await["version"].as_i64().unwrap();
    let owner = json!({"owner": agent.user});
    app.patch(&format!("/api/v1/cases/{}", id_of(&case)), version, &owner).await.expect(200);
    let theirs = format!("/api/v1/case_comments?filter=case%20%3D%20%22{}%22", id_of(&case));
    let seen = app.get_as(&agent.token, &theirs).await.expect(200).body;
    assert_eq!(seen["data"].as_array().unwrap().len(), 1, "the conversation goes with the case: {seen}");
    let browser = crate::web::browser(&app, "agent@example.com").await;
    let here = format!("/cases/{}", id_of(&case));
    let (status, _, html) = crate::web::page(&app, &browser, reqwest::Method::GET, &here, &[]).await;
    assert_eq!(status, 200);
    let conversation = &html[html.find("id=\"conversation\"").expect("a conversation")..];
    assert!(conversation.contains(&expected) && conversation.contains("class=\"comment reply\""), "{conversation}");
    assert!(conversation.contains(&format!("<option value=\"{}\">", id_of(&english[0]))), "templates offered");
    let form = [
        ("csrf_token", browser.csrf.as_str()),
        ("case", &id_of(&case)),
        ("return_to", &here),
        ("kind", "note"),
        ("template", ""),
        ("body", "Customer sounded upset; call back tomorrow."),
    ];
    let (status, location, _) = crate::web::page(&app, &browser, reqwest::Method::POST, "/case_comments", &form).await;
    assert_eq!((status, location.as_str()), (303, here.as_str()));
    let (_, _, html) = crate::web::page(&app, &browser, reqwest::Method::GET, &here, &[]).await;
    assert!(html.contains("class=\"comment note\"") && html.contains("call back tomorrow"), "the note is shown");
    assert_eq!(sink.received().len(), 1, "a note sends nothing");

    // A case from an unknown sender is answered at the address it came from.
    let stranger = app
        .create("cases", json!({"subject": "A question", "channel": "email", "requester_email": "who@else.org"}))
        .await;
    let reply = json!({"case": id_of(&stranger), "kind": "reply", "body": "Here is the answer."});
    app.post("/api/v1/case_comments", &reply).await.expect(201);
    work(&app).await;
    assert!(sink.received().iter().any(|m| m.contains("To: who@else.org")), "{:?}", sink.received());

    // A note is not written from a template; a comment says something.
    let note = json!({"case": id_of(&case), "kind": "note", "template": id_of(&english[0])});
    let refused = app.post("/api/v1/case_comments", &note).await.expect_problem(422, "validation");
    assert_eq!(refused.error_fields(), ["template"]);
    let empty = json!({"case": id_of(&case), "kind": "note", "body": "  "});
    let refused = app.post("/api/v1/case_comments", &empty).await.expect_problem(422, "validation");
    assert_eq!(refused.error_fields(), ["body"]);
    let nobody = app.create("cases", json!({"subject": "Walk-in"})).await;
    let reply = json!({"case": id_of(&nobody), "kind": "reply", "body": "Hi"});
    let refused = app.post("/api/v1/case_comments", &reply).await.expect_problem(422, "validation");
    assert_eq!(refused.error_fields(), ["kind"]);
}

async fn tasks_of(app: &TestApp, account: &Json) -> Vec<Json> {
    let filter = format!("&filter=account%20%3D%20%22{}%22%20and%20kind%20%3D%20%22task%22", id_of(account));
    app.list_all("activities", &filter).await
}

async fn contracts_cover_cases_set_their_targets_and_come_up_for_renewal(app: TestApp) {
    let acme = app.create("accounts", json!({"name": "Acme"})).await;
    let other = app.create("accounts", json!({"name": "Globex"})).await;
    let hinge = app.create("products", json!({"sku": "H-1", "name": "Hinge", "tax_rate": "23"})).await;
    let door = app.create("products", json!({"sku": "D-1", "name": "Door", "tax_rate": "23"})).await;
    let gold = app
        .create(
            "sla_policies",
            json!({"name": "Gold", "first_response_minutes": 30, "resolution_minutes": 120, "contract_only": true}),
        )
        .await;
    let standard = app
        .create("sla_policies", json!({"name": "Standard", "first_response_minutes": 240, "resolution_minutes": 960}))
        .await;
    let today = app.app.app.store.now().date_naive();
    let day = |offset: i64| (today + Duration::days(offset)).to_string();
    let bad = json!({"name": "Backwards", "account": id_of(&acme), "starts_on": day(5), "ends_on": day(1)});
    let refused = app.post("/api/v1/service_contracts", &bad).await.expect_problem(422, "validation");
    assert_eq!(refused.error_fields(), ["ends_on"]);
    let contract = app
        .create(
            "service_contracts",
            json!({"name": "Gold support", "account": id_of(&acme), "starts_on": day(-10), "ends_on": day(40),
                   "sla_policy": id_of(&gold), "visits_included": 2, "hours_included": "10",
                   "renewal_notice_days": 30, "lines": [{"product": id_of(&hinge), "serial_number": "H-0001"}]}),
        )
        .await;

    // Covered: the contract's policy sets the targets.
    let covered = app
        .create("cases", json!({"subject": "Hinge squeaks", "account": id_of(&acme), "product": id_of(&hinge)}))
        .await;
    assert_eq!((&covered["contract"], &covered["sla_policy"]), (&contract["id"], &gold["id"]));
    let coverage = covered["coverage"].as_str().unwrap();
    assert!(coverage.starts_with(&format!("Covered by contract Gold support until {}", day(40))), "{coverage}");
    assert_eq!(at(&covered, "first_response_due"), at(&covered, "created_at") + Duration::minutes(30));
    // Not covered: another product, another customer; the agent is told.
    for (account, product) in [(&acme, &door), (&other, &hinge)] {
        let outside = app
            .create("cases", json!({"subject": "Other", "account": id_of(account), "product": id_of(product)}))
            .await;
        assert_eq!((&outside["contract"], &outside["sla_policy"]), (&Json::Null, &standard["id"]));
        assert!(outside["coverage"].as_str().unwrap().starts_with("Not covered"), "{outside}");
    }

    // Routing may go by what covers the case.
    let warranty_desk = app.create("service_teams", json!({"name": "Warranty desk"})).await;
    let rule = json!({"name": "Warranties", "position": 1, "coverage": "warranty", "team": id_of(&warranty_desk)});
    app.create("routing_rules", rule).await;
    let initech = app.create("accounts", json!({"name": "Initech"})).await;
    app.create(
        "service_contracts",
        json!({"name": "Hinge warranty", "account": id_of(&initech), "kind": "warranty", "starts_on": day(-1),
               "ends_on": day(700)}),
    )
    .await;
    let under_warranty = app.create("cases", json!({"subject": "Hinge broke", "account": id_of(&initech)})).await;
    assert_eq!(under_warranty["team"], warranty_desk["id"]);
    assert!(under_warranty["coverage"].as_str().unwrap().starts_with("Covered by warranty Hinge warranty"));
    let uncovered = app.create("cases", json!({"subject": "Other", "account": id_of(&other)})).await;
    assert_eq!(uncovered["team"], Json::Null, "the rule is for warranties");

    // Work under the contract counts against its entitlements.
    let path = format!("/api/v1/cases/{}", id_of(&covered));
    let version = covered["version"].as_i64().unwrap();
    let worked =
        app.patch(&path, version, &json!({"hours_spent": "2.5", "on_site_visit": true})).await.expect(200).body;
    let used = app.get(&format!("/api/v1/service_contracts/{}", id_of(&contract))).await.expect(200).body;
    assert_eq!((used["visits_used"].as_i64(), used["hours_used"].as_str()), (Some(1), Some("2.50")), "{used}");
    assert!(worked["coverage"].is_string());

    // Thirty days before its end, its owner gets a task to renew it.
    work(&app).await;
    assert!(tasks_of(&app, &acme).await.is_empty(), "not yet");
    app.app.app.store.clock().advance(Duration::days(11));
    work(&app).await;
    let tasks = tasks_of(&app, &acme).await;
    assert_eq!(tasks.len(), 1, "{tasks:?}");
    assert_eq!(tasks[0]["subject"], format!("Renew Gold support (ends {})", day(40)));
    assert_eq!(tasks[0]["owner"], contract["owner"]);
    work(&app).await;
    assert_eq!(tasks_of(&app, &acme).await.len(), 1, "once");
}

async fn articles_are_reviewed_published_suggested_and_rated(app: TestApp) {
    let agent = app.member("agent@example.com", "service_agent").await;
    let boss = app.member("boss@example.com", "manager").await;
    let draft = json!({"title": "Printer jams on duplex printing", "category": "printers",
                       "body": "Open the rear tray and remove the sheet. Duplex printing needs the tray closed."});
    let article = app.post_as(&agent.token, "/api/v1/kb_articles", &draft).await.expect(201).body;
    assert_eq!((article["status"].as_str(), &article["revision"]), (Some("draft"), &Json::Null));
    let path = format!("/api/v1/kb_articles/{}", id_of(&article));
    let v = article["version"].as_i64().unwrap();
    let review = app.patch_as(&agent.token, &path, v, &json!({"status": "in_review"})).await.expect(200).body;
    // Agents write and ask for review; managers publish.
    let v = review["version"].as_i64().unwrap();
    let refused = app.patch_as(&agent.token, &path, v, &json!({"status": "published"})).await;
    assert_eq!(refused.expect_problem(422, "validation").error_fields(), ["status"]);
    let published = app.patch_as(&boss.token, &path, v, &json!({"status": "published"})).await.expect(200).body;
    assert_eq!((published["status"].as_str(), published["revision"].as_i64()), (Some("published"), Some(1)));
    assert!(published["published_at"].is_string());
    let v = published["version"].as_i64().unwrap();
    let edited = json!({"body": "Open the rear tray, remove the sheet, close the tray."});
    let republished = app.patch_as(&boss.token, &path, v, &edited).await.expect(200).body;
    assert_eq!(republished["revision"].as_i64(), Some(2), "each published text is a revision");
    let other =
        json!({"title": "Resetting a password", "body": "Use the link on the sign-in page.", "status": "published"});
    app.post_as(&boss.token, "/api/v1/kb_articles", &other).await.expect(201);
    let hidden = json!({"title": "Printer duplex draft", "body": "Not yet.", "status": "draft"});
    app.post_as(&agent.token, "/api/v1/kb_articles", &hidden).await.expect(201);

    // Suggested on a case from its words: published ones only.
    let case = app
        .create("cases", json!({"subject": "Duplex printing jams", "description": "The printer stops with a jam."}))
        .await;
    let suggested = app.get(&format!("/api/v1/cases/{}/suggested_articles", id_of(&case))).await.expect(200).body;
    let titles: Vec<&str> =
        suggested["data"].as_array().unwrap().iter().map(|a| a["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["Printer jams on duplex printing"]);
    // Linked to the case it helped with; rated by its readers.
    let v = case["version"].as_i64().unwrap();
    let linked = app.patch(&format!("/api/v1/cases/{}", id_of(&case)), v, &json!({"article": id_of(&article)})).await;
    assert_eq!(linked.expect(200).body["article"], article["id"]);
    let feedback = format!("{path}/feedback");
    app.post_as(&agent.token, &feedback, &json!({"helpful": true})).await.expect(200);
    app.post_as(&boss.token, &feedback, &json!({"helpful": true})).await.expect(200);
    let rated = app.post(&feedback, &json!({"helpful": false})).await.expect(200).body;
    assert_eq!((rated["helpful_yes"].as_i64(), rated["helpful_no"].as_i64()), (Some(2), Some(1)));
    // Votes at the same moment all count.
    let url = format!("{}{feedback}", app.base);
    let votes: Vec<_> = (0..8)
        .map(|_| {
            let (url, token) = (url.clone(), app.token.clone());
            tokio::spawn(async move {
                let vote = reqwest::Client::new().post(url).bearer_auth(token).json(&json!({"helpful": true}));
                vote.send().await.unwrap().status().as_u16()
            })
        })
        .collect();
    for vote in votes {
        assert_eq!(vote.await.unwrap(), 200);
    }
    let counted = app.get(&path).await.expect(200).body;
    assert_eq!(counted["helpful_yes"].as_i64(), Some(10), "{counted}");
    app.post(&feedback, &json!({"helpful": "very"})).await.expect_problem(400, "bad-request");
}

async fn duplicates_are_merged_and_tangles_split(app: TestApp) {
    let jan = app.create("contacts", json!({"last_name": "Nowak", "emails": ["jan@acme.pl"]})).await;
    let first = app.create("cases", json!({"subject": "Invoice wrong", "contact": id_of(&jan)})).await;
    let again = app.create("cases", json!({"subject": "Invoice wrong (again)", "contact": id_of(&jan)})).await;
    for (case, text) in [(&first, "The amount is wrong"), (&again, "Still wrong"), (&again, "And the address too")] {
        app.post("/api/v1/case_comments", &json!({"case": id_of(case), "kind": "customer", "body": text}))
            .await
            .expect(201);
    }
    let merge = |from: &Json| format!("/api/v1/cases/{}/merge", id_of(from));
    let refused = app.post(&merge(&again), &json!({"into": id_of(&again)})).await.expect_problem(422, "validation");
    assert_eq!(refused.error_fields(), ["into"]);
    app.post(&merge(&again), &json!({})).await.expect_problem(400, "bad-request");
    let merged = app.post(&merge(&again), &json!({"into": id_of(&first)})).await;
    let closed = merged.body.clone();
    assert_eq!(merged.header("etag").map(str::to_string), Some(format!("\"{}\"", closed["version"])), "with its ETag");
    let closed = merged.expect(200).body;
    assert_eq!((closed["status"].as_str(), &closed["merged_into"]), (Some("closed"), &first["id"]));
    let number = first["number"].as_str().unwrap();
    assert_eq!(closed["resolution"], format!("Merged into {number}"));
    let thread = comments_of(&app, &id_of(&first)).await;
    assert_eq!(thread.len(), 3, "the duplicate's comments moved over");
    assert!(comments_of(&app, &id_of(&again)).await.is_empty());
    let refused = app.post(&merge(&again), &json!({"into": id_of(&first)})).await.expect_problem(422, "validation");
    assert_eq!(refused.error_fields(), ["id"], "merged once");

    // The address is another matter: split off into a case of its own.
    let address = thread.iter().find(|c| c["body"] == "And the address too").unwrap();
    let split = format!("/api/v1/cases/{}/split", id_of(&first));
    let body = json!({"subject": "Wrong address", "comments": [id_of(address)]});
    let made = app.post(&split, &body).await.expect(201).body;
    assert_eq!((&made["contact"], &made["related_case"]), (&jan["id"], &first["id"]));
    assert_eq!(comments_of(&app, &id_of(&made)).await.len(), 1);
    assert_eq!(comments_of(&app, &id_of(&first)).await.len(), 2);
    let stranger = json!({"subject": "x", "comments": [id_of(address)]});
    let refused = app.post(&split, &stranger).await.expect_problem(422, "validation");
    assert_eq!(refused.error_fields(), ["comments[0]"], "not a comment of this case any more");
}

async fn the_service_report_counts_backlog_sla_and_times(app: TestApp) {
    // Days begin at 08:00, so that nothing below crosses a midnight.
    let clock = app.app.app.store.clock().clone();
    let now = clock.now();
    let eight = (now.date_naive() + Duration::days(1)).and_hms_opt(8, 0, 0).unwrap().and_utc();
    clock.advance(eight - now);
    app.create("sla_policies", json!({"name": "All", "first_response_minutes": 60, "resolution_minutes": 180})).await;
    let jan = app.create("contacts", json!({"last_name": "Nowak", "emails": ["jan@acme.pl"]})).await;
    let quick = app.create("cases", json!({"subject": "Quick", "contact": id_of(&jan)})).await;
    let slow = app.create("cases", json!({"subject": "Slow"})).await;
    app.create("cases", json!({"subject": "Open", "category": "complaint", "channel": "email"})).await;
    clock.advance(Duration::minutes(30));
    app.post("/api/v1/case_comments", &json!({"case": id_of(&quick), "kind": "reply", "body": "On it"}))
        .await
        .expect(201);
    let resolve = |case: &Json| {
        let (app, path) = (&app, format!("/api/v1/cases/{}", id_of(case)));
        async move {
            let version = app.get(&path).await.expect(200).body["version"].as_i64().unwrap();
            let body = json!({"status": "resolved", "resolution": "Done"});
            app.patch(&path, version, &body).await.expect(200).body
        }
    };
    clock.advance(Duration::minutes(120));
    assert_eq!(resolve(&quick).await["sla_status"], "met");
    clock.advance(Duration::minutes(90));
    assert_eq!(resolve(&slow).await["sla_status"], "breached");

    let report = app.get("/api/v1/service/report?days=7").await.expect(200).body;
    assert_eq!((report["open"].as_u64(), report["resolved"].as_u64()), (Some(1), Some(2)), "{report}");
    assert_eq!((report["sla_met"].as_u64(), report["sla_breached"].as_u64()), (Some(1), Some(1)));
    assert_eq!(report["sla_compliance_percent"], 50.0);
    assert_eq!(report["first_response"], json!({"cases": 1, "median_minutes": 30, "p90_minutes": 30}));
    assert_eq!(report["resolution"], json!({"cases": 2, "median_minutes": 150, "p90_minutes": 240}));
    assert_eq!(report["open_by_age"][0], json!(["under a day", 1]));
    assert_eq!(report["top_categories"], json!([["(none)", 2], ["complaint", 1]]));
    assert_eq!(report["contacts_by_channel"], json!([["email", 1, 0, 0.0], ["phone", 2, 1, 0.5]]));
    assert_eq!(report["backlog"].as_array().unwrap().len(), 7);
    assert_eq!(report["backlog"][6][1], 1, "one open at the end of today");
    // Two days on, two more: the backlog day by day, the open ones by age.
    clock.advance(Duration::days(2));
    for subject in ["Later", "Later still"] {
        app.create("cases", json!({"subject": subject, "priority": "high"})).await;
    }
    let report = app.get("/api/v1/service/report?days=7").await.expect(200).body;
    let backlog: Vec<u64> = report["backlog"].as_array().unwrap().iter().map(|d| d[1].as_u64().unwrap()).collect();
    assert_eq!(backlog, [0, 0, 0, 0, 1, 1, 3], "{report}");
    assert_eq!(
        report["open_by_age"],
        json!([["under a day", 2], ["1 to 3 days", 1], ["3 to 7 days", 0], ["7 to 30 days", 0], ["over 30 days", 0]])
    );
    assert_eq!(report["open_by_priority"], json!([["high", 2], ["normal", 1]]));
    assert_eq!(report["open_by_team"], json!([["(none)", 3]]));
    app.get("/api/v1/service/report?days=0").await.expect_problem(400, "bad-request");
    app.get("/api/v1/service/report?format=pdf").await.expect_problem(400, "bad-request");
    let workbook = app.get("/api/v1/service/report?format=xlsx").await;
    assert_eq!(workbook.status, 200);
    let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    assert_eq!(workbook.header("content-type"), Some(xlsx));

    // The dashboard draws the same figures.
    app.member("boss@example.com", "manager").await;
    let cookie = crate::web::browser(&app, "boss@example.com").await;
    let (status, _, html) = crate::web::page(&app, &cookie, reqwest::Method::GET, "/service", &[]).await;
    assert_eq!(status, 200);
    assert!(html.contains("50% (1 breached)") && html.contains("<svg"), "compliance and charts");
}
