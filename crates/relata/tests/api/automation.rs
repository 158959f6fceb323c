//! Automation rules on both backends: triggered from the change feed by
//! creations and updates (watched fields, conditions in the filter
//! language), updating the record, creating tasks and notifying the owner;
//! a rule's own changes never trigger it again, a chain of rules is cut at
//! the documented depth with a visible run, and bad rules are refused by
//! field.

use crate::helpers::{TestApp, id_of};
use serde_json::{Value as Json, json};

crate::both_backends!(
    rules_act_on_changes_and_never_loop,
    bad_rules_are_refused_by_field,
    date_rules_act_once_when_the_date_is_reached,
    the_dunning_ladder_climbs_to_the_lawyer_and_stops_when_paid,
    sequences_wait_branch_pause_and_keep_their_version,
    birthdays_and_schedules_start_runs_once,
    the_welcome_and_the_quote_follow_up_run_as_built,
    conditions_and_stop_conditions_look_at_related_records,
    rules_watch_test_set_and_wait_for_custom_fields,
    rules_act_on_custom_objects
);

/// Runs the automation consumer until the feed has nothing more for it.
async fn settle(app: &TestApp) {
    let consumer = app.app.app.feed_consumers().into_iter().find(|c| c.name() == "automation").expect("the consumer");
    for _ in 0..20 {
        if relata_app::feed::consume_available(&app.app.app, consumer.as_ref()).await.unwrap() == 0 {
            return;
        }
    }
    panic!("the automation never settled");
}

fn rule(name: &str, entity: &str, event: &str, watch: &str, conditions: &str, steps: Json) -> Json {
    json!({"name": name, "entity": entity, "event": event, "watch_fields": watch, "conditions": conditions, "lines": steps})
}

async fn runs_of(app: &TestApp, rule: &Json) -> Vec<Json> {
    app.list_all("automation_runs", &format!("&filter=rule%20%3D%20%22{}%22", id_of(rule))).await
}

async fn rules_act_on_changes_and_never_loop(app: TestApp) {
    let rep = app.member("rep@auto.test", "sales_rep").await;
    let welcome = app
        .create(
            "automation_rules",
            rule(
                "Welcome Gdańsk",
                "contacts",
                "created",
                "",
                "city = \"Gdańsk\"",
                json!([
                    {"action": "update_field", "field": "lifecycle", "value": "current"},
                    {"action": "create_task", "subject": "Welcome call", "due_in_days": 2},
                    {"action": "notify_owner", "subject": "New customer in Gdańsk"}
                ]),
            ),
        )
        .await;
    let title = app
        .create(
            "automation_rules",
            rule(
                "Customers get a title",
                "contacts",
                "updated",
                "lifecycle",
                "lifecycle = \"current\"",
                json!([
                    {"action": "update_field", "field": "title", "value": "Customer"}
                ]),
            ),
        )
        .await;
    // Unconditionally changing what it reacts to, a rule would trigger
    // itself on every save: refused, by step.
    let mark = |conditions: &str| {
        rule(
            "Mark every update",
            "contacts",
            "updated",
            "",
            conditions,
            json!([
                {"action": "update_field", "field": "notes", "value": "Checked"}
            ]),
        )
    };
    let refused = app.post("/api/v1/automation_rules", &mark("")).await.expect(422).body;
    assert_eq!(refused["errors"][0]["field"], "lines[0].field", "{refused}");
    assert_eq!(refused["errors"][0]["code"], "triggers_itself");
    // With conditions that its own change leaves true, only the engine
    // keeps it from triggering itself.
    let touch = app.create("automation_rules", mark("city = \"Gdańsk\"")).await;
    let ola = json!({"first_name": "Ola", "last_name": "Nowak", "city": "Gdańsk"});
    let ola = app.post_as(&rep.token, "/api/v1/contacts", &ola).await.expect(201).body;
    let jan = json!({"first_name": "Jan", "last_name": "Kowal", "city": "Sopot"});
    let jan = app.post_as(&rep.token, "/api/v1/contacts", &jan).await.expect(201).body;
    settle(&app).await;

    let ola_now = app.get(&format!("/api/v1/contacts/{}", id_of(&ola))).await.expect(200).body;
    assert_eq!(ola_now["lifecycle"], "current", "{ola_now}");
    assert_eq!(ola_now["title"], "Customer", "a rule's change triggers another rule");
    assert_eq!(ola_now["notes"], "Checked");
    let jan_now = app.get(&format!("/api/v1/contacts/{}", id_of(&jan))).await.expect(200).body;
    assert_eq!((jan_now["lifecycle"].as_str(), &jan_now["notes"]), (Some("potential"), &Json::Null), "conditions hold");
    // Each rule ran once per change it was triggered by, never by its own.
    assert_eq!(runs_of(&app, &welcome).await.len(), 1);
    assert_eq!(runs_of(&app, &title).await.len(), 1);
    let touches = runs_of(&app, &touch).await;
    assert_eq!(touches.len(), 2, "after the welcome and the title, not after itself: {touches:?}");
    assert!(touches.iter().all(|r| r["status"] == "done" && r["rule_version"] == touch["version"]));
    // The task and the notification are the contact's owner's.
    let tasks = app.list_all("activities", &format!("&filter=contact%20%3D%20%22{}%22", id_of(&ola))).await;
    let task = tasks.iter().find(|t| t["subject"] == "Welcome call").expect("the task");
    assert_eq!((task["kind"].as_str(), &task["owner"]), (Some("task"), &ola["owner"]));
    let notes = app.get_as(&rep.token, "/api/v1/notifications").await.expect(200).body;
    assert_eq!(notes["data"][0]["title"], "New customer in Gdańsk");
    assert_eq!(notes["data"][0]["link"], format!("/contacts/{}", id_of(&ola)));
    // A change the feed hands over again runs nothing twice.
    let consumer = app.app.app.feed_consumers().into_iter().find(|c| c.name() == "automation").unwrap();
    let entries = app.app.app.store.feed_after(0, 1000).await.unwrap();
    consumer.handle(&app.app.app, &entries).await.unwrap();
    assert_eq!(runs_of(&app, &touch).await.len(), 2);

    // Two rules undoing each other: the chain is cut at the limit, visibly.
    let tick = rule(
        "Tick",
        "accounts",
        "updated",
        "city",
        "city = \"Tick\"",
        json!([
            {"action": "update_field", "field": "city", "value": "Tock"}
        ]),
    );
    let tock = rule(
        "Tock",
        "accounts",
        "updated",
        "city",
        "city = \"Tock\"",
        json!([
            {"action": "update_field", "field": "city", "value": "Tick"}
        ]),
    );
    let (tick, tock) = (app.create("automation_rules", tick).await, app.create("automation_rules", tock).await);
    let clock = app.create("accounts", json!({"name": "Clockwork Ltd"})).await;
    app.patch(&format!("/api/v1/accounts/{}", id_of(&clock)), 1, &json!({"city": "Tick"})).await.expect(200);
    settle(&app).await;
    let mut all = runs_of(&app, &tick).await;
    all.extend(runs_of(&app, &tock).await);
    let cut: Vec<&Json> = all.iter().filter(|r| r["status"] == "cut").collect();
    assert_eq!(cut.len(), 1, "{all:?}");
    assert!(cut[0]["detail"].as_str().unwrap().contains("the limit is 3"), "{}", cut[0]);
    assert_eq!(all.iter().filter(|r| r["status"] == "done").count(), 4, "depths 0 to 3 ran: {all:?}");
}

async fn bad_rules_are_refused_by_field(app: TestApp) {
    let step = json!([{"action": "update_field", "field": "lifecycle", "value": "current"}]);
    let cases = [
        (rule("x", "spaceships", "created", "", "", step.clone()), "entity"),
        // Mail private to its owners is no rule's to act on.
        (rule("x", "emails", "created", "", "", json!([{"action": "notify", "subject": "x"}])), "entity"),
        (rule("x", "contacts", "updated", "colour", "", step.clone()), "watch_fields"),
        (rule("x", "contacts", "created", "", "city = ", step.clone()), "conditions"),
        (
            rule(
                "x",
                "contacts",
                "created",
                "",
                "",
                json!([{"action": "update_field", "field": "nope", "value": "1"}]),
            ),
            "lines[0].field",
        ),
        (
            rule(
                "x",
                "contacts",
                "created",
                "",
                "",
                json!([{"action": "update_field", "field": "lifecycle", "value": "angry"}]),
            ),
            "lines[0].value",
        ),
        (rule("x", "contacts", "created", "", "", json!([{"action": "create_task"}])), "lines[0].subject"),
        (rule("x", "contacts", "created", "", "", json!([])), "lines"),
        (rule("x", "contacts", "date_reached", "", "", step.clone()), "date_field"),
        (
            rule(
                "x",
                "contacts",
                "created",
                "",
                "",
                json!([{"action": "create_call", "subject": "Call", "value": "high"}]),
            ),
            "lines[0].value",
        ),
        (
            rule("x", "contacts", "created", "", "", json!([{"action": "send_email", "template": "nope"}])),
            "lines[0].template",
        ),
        (
            rule("x", "contacts", "created", "", "", json!([{"action": "send_email", "template": "dunning_reminder"}])),
            "lines[0].template",
        ),
        (rule("x", "contacts", "created", "", "", json!([{"action": "wait"}])), "lines[0].wait_days"),
        (
            rule("x", "contacts", "created", "", "", json!([{"action": "wait", "until_field": "city"}])),
            "lines[0].until_field",
        ),
        (
            rule(
                "x",
                "contacts",
                "created",
                "",
                "",
                json!([{"action": "branch", "condition": "city = \"x\"", "value": "1"}, step[0]]),
            ),
            "lines[0].value",
        ),
        (
            rule(
                "x",
                "contacts",
                "created",
                "",
                "",
                json!([{"action": "create_task", "subject": "x", "assign_to": "nobody@x.test"}]),
            ),
            "lines[0].assign_to",
        ),
        (
            rule("x", "contacts", "created", "", "", json!([{"action": "call_webhook", "value": "ftp://x"}])),
            "lines[0].value",
        ),
        (
            {
                let mut r = rule("x", "contacts", "schedule", "", "", step.clone());
                r["cron"] = json!("every monday");
                r
            },
            "cron",
        ),
        (
            {
                let mut r = rule("x", "contacts", "schedule", "", "", step.clone());
                r["cron"] = json!("0 0 8 * * Mon");
                r["time_zone"] = json!("Europe/Gdansk");
                r
            },
            "time_zone",
        ),
        (
            {
                let mut r = rule("x", "contacts", "created", "", "", step.clone());
                r["stop_when"] = json!("nope = 1");
                r
            },
            "stop_when",
        ),
    ];
    for (body, field) in cases {
        let refused = app.post("/api/v1/automation_rules", &body).await.expect(422);
        assert_eq!(refused.error_fields(), [field], "{body}");
    }
    assert!(app.list_all("automation_rules", "&filter=name%20%3D%20%22x%22").await.is_empty(), "nothing saved");
    let rep = app.member("rep@rules.test", "sales_rep").await;
    let good = rule("x", "contacts", "created", "", "", step);
    app.post_as(&rep.token, "/api/v1/automation_rules", &good).await.expect(403);
}

async fn date_rules_act_once_when_the_date_is_reached(app: TestApp) {
    let today = chrono::Utc::now().date_naive();
    let account = app.create("accounts", json!({"name": "Closing Ltd"})).await;
    let deal = |name: &str, days: i64| {
        let body = json!({"name": name, "account": id_of(&account), "expected_close_date": (today + chrono::Duration::days(days)).to_string()});
        let app = &app;
        async move { app.create("opportunities", body).await }
    };
    let soon = deal("Closes soon", 2).await;
    let later = deal("Closes later", 10).await;
    let mut chase = rule(
        "Chase closing deals",
        "opportunities",
        "date_reached",
        "",
        "status = \"open\"",
        json!([
            {"action": "create_task", "subject": "The close date has come", "due_in_days": 0},
            {"action": "create_call", "subject": "Ask about the deal", "value": "70"}
        ]),
    );
    chase["date_field"] = json!("expected_close_date");
    chase["offset_days"] = json!(1);
    let chase = app.create("automation_rules", chase).await;
    let pass = || async {
        app.post("/api/v1/admin/jobs", &json!({"kind": "automation.dates", "payload": {}})).await.expect(201);
        let workers = relata_app::jobs::Workers::new(app.app.app.clone(), relata_app::jobs::WorkerOptions::default());
        workers.run_due().await.unwrap();
    };
    let tasks_of = |deal: &Json| {
        let path = format!("&filter=opportunity%20%3D%20%22{}%22", id_of(deal));
        let app = &app;
        async move { app.list_all("activities", &path).await }
    };
    pass().await;
    assert!(runs_of(&app, &chase).await.is_empty(), "not yet");
    // A day after the close date: the deal closing soon, once.
    app.app.app.store.clock().advance(chrono::Duration::days(3));
    pass().await;
    pass().await;
    let runs = runs_of(&app, &chase).await;
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!((runs[0]["record_id"].as_str(), runs[0]["status"].as_str()), (soon["id"].as_str(), Some("done")));
    assert_eq!(runs[0]["occurrence"], soon["expected_close_date"]);
    let tasks = tasks_of(&soon).await;
    assert_eq!(tasks.len(), 1, "{tasks:?}");
    assert_eq!(tasks[0]["subject"], "The close date has come");
    assert!(tasks_of(&later).await.is_empty());
    // And a call to make about it, for the deal's owner, to its account.
    let calls = app.list_all("call_queue_entries", "").await;
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!((calls[0]["reason"].as_str(), calls[0]["priority"].as_i64()), (Some("Ask about the deal"), Some(70)));
    assert_eq!((&calls[0]["account"], &calls[0]["owner"]), (&account["id"], &soon["owner"]));
}

/// A built-in rule by name, made active with `change` applied to it.
async fn activate(app: &TestApp, name: &str, change: impl FnOnce(&mut Json)) -> Json {
    let filter = format!("&filter=name%20%3D%20%22{}%22", name.replace(' ', "%20"));
    let head = app.list_all("automation_rules", &filter).await.into_iter().next().expect("the built-in rule");
    let mut rule = app.get(&format!("/api/v1/automation_rules/{}", id_of(&head))).await.expect(200).body;
    change(&mut rule);
    let patch = json!({"active": true, "lines": rule["lines"], "conditions": rule["conditions"]});
    let path = format!("/api/v1/automation_rules/{}", id_of(&rule));
    app.patch(&path, rule["version"].as_i64().unwrap(), &patch).await.expect(200).body
}

/// Runs the daily date pass, then every job that comes due.
async fn daily(app: &TestApp) {
    app.post("/api/v1/admin/jobs", &json!({"kind": "automation.dates", "payload": {}})).await.expect(201);
    crate::channels::work(app).await;
}

async fn after_days(app: &TestApp, days: i64) {
    app.app.app.store.clock().advance(chrono::Duration::days(days));
    crate::channels::work(app).await;
}

async fn the_dunning_ladder_climbs_to_the_lawyer_and_stops_when_paid(app: TestApp) {
    use crate::channels::{SmtpSink, gateway, use_smtp};
    let sink = SmtpSink::start();
    use_smtp(&app, &sink, "billing@relata.test").await;
    app.app.app.allow_private_webhooks.store(true, std::sync::atomic::Ordering::SeqCst);
    let (url, sms) = gateway().await;
    app.put_as(&app.token, "/api/v1/channels/sms", &json!({"url": url})).await.expect(200);
    let rep = app.member("rep@dunning.test", "sales_rep").await;
    let lawyer = app.member("legal@dunning.test", "manager").await;
    let ladder = activate(&app, "Dunning ladder", |rule| {
        let last = rule["lines"].as_array_mut().unwrap().last_mut().unwrap();
        last["assign_to"] = json!("legal@dunning.test");
    })
    .await;
    let rep_id = json!(rep.user);
    let account = app
        .create("accounts", json!({"name": "Slow Payer Sp. z o.o.", "owner": rep_id, "street": "ul. Krótka 2", "postal_code": "00-001", "city": "Warszawa"}))
        .await;
    let contact = app
        .create(
            "contacts",
            json!({"first_name": "Piotr", "last_name": "Wolny", "account": id_of(&account), "language": "pl",
                                   "emails": ["piotr@slowpayer.pl"], "phones": ["+48 602 000 111"]}),
        )
        .await;
    let invoice = |amount: &str| {
        let body = json!({"account": id_of(&account), "contact": id_of(&contact), "currency": "EUR", "payment_terms_days": 0,
                          "lines": [{"description": "Consulting", "quantity": "1", "unit_price": {"amount": amount, "currency": "EUR"}, "tax_rate": "0"}]});
        let app = &app;
        async move {
            let draft = app.post("/api/v1/invoices", &body).await.expect(201).body;
            let path = format!("/api/v1/invoices/{}", id_of(&draft));
            app.patch(&path, draft["version"].as_i64().unwrap(), &json!({"status": "issued"})).await.expect(200).body
        }
    };
    let unpaid = invoice("1000.00").await;
    let soon_paid = invoice("200.00").await;
    // A partial payment before the first reminder: the reminder thanks for it.
    let pay = |invoice: &Json, amount: &str| {
        let body = json!({"account": id_of(&account), "amount": {"amount": amount, "currency": "EUR"},
                          "lines": [{"invoice": id_of(invoice), "amount": {"amount": amount, "currency": "EUR"}}]});
        let app = &app;
        async move { app.post("/api/v1/payments", &body).await.expect(201) }
    };
    pay(&unpaid, "250.00").await;
    let runs = |invoice: &Json| {
        let filter = format!("&filter=record_id%20%3D%20%22{}%22", id_of(invoice));
        let app = &app;
        async move { app.list_all("automation_runs", &filter).await }
    };
    let messages = |invoice: &Json| {
        let filter = format!("&filter=about_id%20%3D%20%22{}%22&sort=created_at", id_of(invoice));
        let app = &app;
        async move { app.list_all("messages", &filter).await }
    };

    // Due today: nothing before the due date + 3 days.
    daily(&app).await;
    assert!(runs(&unpaid).await.is_empty());
    // + 3: the dry run lists both invoices and the reminder each would get,
    // doing nothing; then the reminder by email, in Polish, with the
    // payment acknowledged.
    app.app.app.store.clock().advance(chrono::Duration::days(3));
    let dry =
        app.post(&format!("/api/v1/automation_rules/{}/dry_run", id_of(&ladder)), &json!({})).await.expect(200).body;
    assert_eq!(dry["count"], 2, "{dry}");
    let listed = dry["records"].as_array().unwrap().iter().find(|r| r["record"]["id"] == unpaid["id"]).expect("listed");
    assert_eq!(listed["title"], unpaid["number"]);
    assert_eq!(listed["messages"][0]["to"], "piotr@slowpayer.pl");
    assert_eq!(listed["messages"][0]["language"], "pl");
    assert!(listed["messages"][0]["body"].as_str().unwrap().contains("750,00"), "{listed}");
    assert!(runs(&unpaid).await.is_empty(), "a dry run starts no run");
    let kept = messages(&unpaid).await;
    assert!(kept.is_empty(), "a dry run writes no message: {kept:?}");
    crate::channels::work(&app).await;
    daily(&app).await;
    let run = runs(&unpaid).await;
    assert_eq!(run.len(), 1, "{run:?}");
    assert_eq!(
        (run[0]["status"].as_str(), run[0]["rule_version"].as_i64()),
        (Some("waiting"), ladder["version"].as_i64())
    );
    let sent = messages(&unpaid).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    let mail = sink.received();
    assert_eq!(mail.len(), 2, "one reminder per invoice: {mail:?}");
    let reminder = mail.iter().find(|m| m.contains(unpaid["number"].as_str().unwrap())).expect("the reminder");
    assert!(reminder.contains("Subject: Przypomnienie o "), "{reminder}");
    let reminder_body = app.get(&format!("/api/v1/messages/{}", id_of(&sent[0]))).await.expect(200).body;
    let text = reminder_body["body"].as_str().unwrap();
    assert!(text.contains("Dzień dobry Piotr Wolny,"), "{text}");
    assert!(text.contains("w wysokości 250,00\u{a0}€"), "the partial payment, in Polish format: {text}");
    assert!(text.contains("Do zapłaty pozostaje 750,00\u{a0}€"), "{text}");
    // The other invoice is paid after its reminder: its run stops at once.
    pay(&soon_paid, "200.00").await;
    let consumer = app.app.app.feed_consumers().into_iter().find(|c| c.name() == "automation").unwrap();
    while relata_app::feed::consume_available(&app.app.app, consumer.as_ref()).await.unwrap() > 0 {}
    let stopped = runs(&soon_paid).await;
    assert_eq!(stopped[0]["status"], "stopped", "{stopped:?}");
    assert!(stopped[0]["detail"].as_str().unwrap().contains("stop condition"), "{stopped:?}");

    // + 10: an SMS.
    after_days(&app, 7).await;
    let requests = sms.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 1, "only the unpaid invoice: {requests:?}");
    assert_eq!(requests[0].1["to"], "+48602000111");
    assert!(requests[0].1["text"].as_str().unwrap().contains("750,00"), "{requests:?}");
    // + 17: a printed letter in the open print batch.
    after_days(&app, 7).await;
    let letters = app.list_all("messages", "&filter=channel%20%3D%20%22letter%22").await;
    assert_eq!(letters.len(), 1, "{letters:?}");
    assert!(letters[0]["print_batch"].is_string());
    assert_eq!(letters[0]["subject"], format!("Wezwanie do zapłaty: faktura {}", unpaid["number"].as_str().unwrap()));
    // + 24: a call to make, for the account's owner.
    after_days(&app, 7).await;
    let calls = app.list_all("call_queue_entries", "").await;
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!((calls[0]["owner"].clone(), calls[0]["priority"].as_i64()), (rep_id.clone(), Some(80)));
    assert_eq!(calls[0]["contact"], contact["id"]);
    // + 38: the task for whoever hands it to the lawyer, with the history.
    after_days(&app, 14).await;
    let tasks = app.list_all("activities", "&filter=subject%20~%20%22lawyer%22").await;
    assert_eq!(tasks.len(), 1, "{tasks:?}");
    let task = app.get(&format!("/api/v1/activities/{}", id_of(&tasks[0]))).await.expect(200).body;
    assert_eq!(task["owner"], json!(lawyer.user));
    let history = task["body"].as_str().unwrap();
    for line in [" email: Przypomnienie", " sms: ", " letter: Wezwanie"] {
        assert!(history.contains(line), "{line:?} in {history}");
    }
    let done = runs(&unpaid).await;
    assert_eq!(done[0]["status"], "done", "{done:?}");
    // Nothing more, ever: the run is over.
    after_days(&app, 30).await;
    daily(&app).await;
    assert_eq!(runs(&unpaid).await.len(), 1);
    assert_eq!(sink.received().len(), 2);
    assert_eq!(sms.requests.lock().unwrap().len(), 1);
}

async fn sequences_wait_branch_pause_and_keep_their_version(app: TestApp) {
    let vip = json!([
        {"action": "create_task", "subject": "First", "due_in_days": 0},
        {"action": "wait", "wait_days": 2},
        {"action": "branch", "condition": "key_account = true", "value": "5"},
        {"action": "create_task", "subject": "Ordinary follow-up"},
        {"action": "create_task", "subject": "Second"}
    ]);
    let mut body = rule("Two-step", "accounts", "created", "", "", vip);
    body["stop_when"] = json!("lifecycle = \"former\"");
    let rule = app.create("automation_rules", body).await;
    let key = app.create("accounts", json!({"name": "Key Ltd", "key_account": true})).await;
    let plain = app.create("accounts", json!({"name": "Plain Ltd"})).await;
    let gone = app.create("accounts", json!({"name": "Leaving Ltd"})).await;
    settle(&app).await;
    let tasks = |account: &Json| {
        let filter = format!("&filter=account%20%3D%20%22{}%22&sort=created_at", id_of(account));
        let app = &app;
        async move {
            app.list_all("activities", &filter)
                .await
                .iter()
                .map(|t| t["subject"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(tasks(&key).await, ["First"]);
    let runs = runs_of(&app, &rule).await;
    assert!(runs.iter().all(|r| r["status"] == "waiting" && r["step"] == 2 && r["wake_at"].is_string()), "{runs:?}");
    // Editing the rule while runs wait does not change what they do.
    let edited = json!({"lines": [{"action": "create_task", "subject": "Changed"}]});
    let path = format!("/api/v1/automation_rules/{}", id_of(&rule));
    let rule = app.patch(&path, rule["version"].as_i64().unwrap(), &edited).await.expect(200).body;
    // Pausing keeps them waiting past their time.
    let rule = app.patch(&path, rule["version"].as_i64().unwrap(), &json!({"active": false})).await.expect(200).body;
    app.patch(
        &format!("/api/v1/accounts/{}", id_of(&gone)),
        gone["version"].as_i64().unwrap(),
        &json!({"lifecycle": "former"}),
    )
    .await
    .expect(200);
    settle(&app).await;
    after_days(&app, 3).await;
    assert_eq!(tasks(&key).await, ["First"], "paused");
    // Resumed: they go on with the steps they started with.
    app.patch(&path, rule["version"].as_i64().unwrap(), &json!({"active": true})).await.expect(200);
    crate::channels::work(&app).await;
    assert_eq!(tasks(&key).await, ["First", "Second"], "the branch skipped the ordinary follow-up");
    assert_eq!(tasks(&plain).await, ["First", "Ordinary follow-up", "Second"]);
    assert_eq!(tasks(&gone).await, ["First"], "stopped: lifecycle former");
    let runs = runs_of(&app, &rule).await;
    let status = |account: &Json| runs.iter().find(|r| r["record_id"] == account["id"]).unwrap()["status"].clone();
    assert_eq!((status(&key), status(&plain), status(&gone)), (json!("done"), json!("done"), json!("stopped")));
    assert!(runs.iter().all(|r| r["rule_version"] == 1), "the version that ran: {runs:?}");
}

async fn birthdays_and_schedules_start_runs_once(app: TestApp) {
    use crate::channels::{SmtpSink, use_smtp};
    let sink = SmtpSink::start();
    use_smtp(&app, &sink, "hello@relata.test").await;
    activate(&app, "Birthday greetings", |_| {}).await;
    use chrono::Datelike;
    let today = app.app.app.store.now().date_naive();
    let born = |years: i32, days: i64| {
        let day = today - chrono::Duration::days(days);
        day.with_year(day.year() - years).unwrap_or(day - chrono::Duration::days(1)).to_string()
    };
    let with_consent = app
        .create("contacts", json!({"first_name": "Maria", "last_name": "Lis", "emails": ["maria@example.com"], "birthday": born(40, -1)}))
        .await;
    app.post(
        &format!("/api/v1/contacts/{}/consents", id_of(&with_consent)),
        &json!({"channel": "email", "status": "given", "source": "form"}),
    )
    .await
    .expect(201);
    let without = app
        .create("contacts", json!({"first_name": "Karol", "last_name": "Mak", "emails": ["karol@example.com"], "birthday": born(30, -1)}))
        .await;
    app.create("contacts", json!({"last_name": "Other day", "emails": ["x@example.com"], "birthday": born(30, 10)}))
        .await;
    daily(&app).await;
    assert!(sink.received().is_empty(), "tomorrow");
    after_days(&app, 1).await;
    daily(&app).await;
    daily(&app).await;
    let mails = sink.received();
    assert_eq!(mails.len(), 1, "only with consent, once: {mails:?}");
    assert!(mails[0].contains("Happy birthday, Maria!"));
    let blocked = app.list_all("messages", &format!("&filter=contact%20%3D%20%22{}%22", id_of(&without))).await;
    assert_eq!(blocked[0]["status"], "blocked");

    // A rule on a schedule: every Monday at 8 in Warsaw, a task per key account.
    let mut weekly = rule(
        "Weekly key accounts",
        "accounts",
        "schedule",
        "",
        "key_account = true",
        json!([{"action": "create_task", "subject": "Weekly check"}]),
    );
    weekly["cron"] = json!("0 0 8 * * Mon");
    weekly["time_zone"] = json!("Europe/Warsaw");
    let weekly = app.create("automation_rules", weekly).await;
    let schedules = app.get("/api/v1/admin/schedules").await.expect(200).body;
    let schedule = schedules["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "automation.scheduled")
        .expect("its schedule")
        .clone();
    assert_eq!(
        (schedule["cron"].as_str(), schedule["time_zone"].as_str(), schedule["enabled"].as_bool()),
        (Some("0 0 8 * * Mon"), Some("Europe/Warsaw"), Some(true))
    );
    app.create("accounts", json!({"name": "Key", "key_account": true})).await;
    app.create("accounts", json!({"name": "Small", "key_account": false})).await;
    let job = json!({"kind": "automation.scheduled", "payload": {"rule": id_of(&weekly)}});
    app.post("/api/v1/admin/jobs", &job).await.expect(201);
    crate::channels::work(&app).await;
    let checks = app.list_all("activities", "&filter=subject%20%3D%20%22Weekly%20check%22").await;
    assert_eq!(checks.len(), 1, "{checks:?}");
    // Paused, the schedule is off.
    app.patch(&format!("/api/v1/automation_rules/{}", id_of(&weekly)), 1, &json!({"active": false})).await.expect(200);
    let schedules = app.get("/api/v1/admin/schedules").await.expect(200).body;
    let schedule =
        schedules["data"].as_array().unwrap().iter().find(|s| s["kind"] == "automation.scheduled").unwrap().clone();
    assert_eq!(schedule["enabled"], false);
}

async fn the_welcome_and_the_quote_follow_up_run_as_built(app: TestApp) {
    use crate::channels::{SmtpSink, use_smtp};
    let sink = SmtpSink::start();
    use_smtp(&app, &sink, "hello@relata.test").await;
    activate(&app, "Welcome a new customer", |_| {}).await;
    activate(&app, "Quote follow-up", |_| {}).await;
    let account = app.create("accounts", json!({"name": "Nowa Firma", "email": "biuro@nowa.pl"})).await;
    let anna = app
        .create("contacts", json!({"first_name": "Anna", "last_name": "Nowak", "account": id_of(&account), "emails": ["anna@nowa.pl"], "language": "pl"}))
        .await;
    // The account becomes a customer: a welcome now, a task a week later.
    let path = format!("/api/v1/accounts/{}", id_of(&account));
    app.patch(&path, account["version"].as_i64().unwrap(), &json!({"lifecycle": "customer"})).await.expect(200);
    settle(&app).await;
    crate::channels::work(&app).await;
    let mails = sink.received();
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert!(mails[0].contains("To: biuro@nowa.pl") && mails[0].contains("Welcome to"), "{}", mails[0]);
    after_days(&app, 8).await;
    let tasks =
        app.list_all("activities", "&filter=subject%20%3D%20%22Check%20in%20with%20the%20new%20customer%22").await;
    assert_eq!(tasks.len(), 1, "{tasks:?}");

    // Two quotes sent: one is accepted within three days and gets no reminder.
    let quote = || {
        let body = json!({"account": id_of(&account), "contact": id_of(&anna), "currency": "EUR",
                          "lines": [{"description": "Audit", "quantity": "1", "unit_price": {"amount": "900.00", "currency": "EUR"}, "tax_rate": "23"}]});
        let app = &app;
        async move {
            let q = app.post("/api/v1/quotes", &body).await.expect(201).body;
            let path = format!("/api/v1/quotes/{}", id_of(&q));
            app.patch(&path, q["version"].as_i64().unwrap(), &json!({"status": "sent"})).await.expect(200).body
        }
    };
    let (waiting, accepted) = (quote().await, quote().await);
    settle(&app).await;
    let path = format!("/api/v1/quotes/{}", id_of(&accepted));
    app.patch(&path, accepted["version"].as_i64().unwrap(), &json!({"status": "accepted"})).await.expect(200);
    settle(&app).await;
    after_days(&app, 4).await;
    let mails = sink.received();
    let follow_ups: Vec<&String> = mails.iter().filter(|m| m.contains("Subject: Nasza oferta")).collect();
    assert_eq!(follow_ups.len(), 1, "{mails:?}");
    assert!(follow_ups[0].contains(waiting["number"].as_str().unwrap()), "{}", follow_ups[0]);
}

/// A rule's conditions and stop condition may name fields of related
/// records: `account.city`, `account.name`.
async fn conditions_and_stop_conditions_look_at_related_records(app: TestApp) {
    let gdansk = app.create("accounts", json!({"name": "Amber", "city": "Gdańsk"})).await;
    let sopot = app.create("accounts", json!({"name": "Pier", "city": "Sopot"})).await;
    let mut follow = rule(
        "Follow up Gdańsk customers",
        "contacts",
        "created",
        "",
        "account.city = \"Gdańsk\"",
        json!([
            {"action": "wait", "wait_days": 3},
            {"action": "create_task", "subject": "Follow up", "due_in_days": 0}
        ]),
    );
    follow["stop_when"] = json!("account.name = \"Closed\"");
    let follow = app.create("automation_rules", follow).await;
    let bad = rule(
        "Bad",
        "contacts",
        "created",
        "",
        "account.colour = \"red\"",
        json!([{"action": "notify_owner", "subject": "x"}]),
    );
    let refused = app.post("/api/v1/automation_rules", &bad).await.expect(422).body;
    assert_eq!(refused["errors"][0]["field"], "conditions", "{refused}");
    // An update rule may ask what a field was before the change.
    let won = app
        .create(
            "automation_rules",
            rule(
                "Welcome a new customer",
                "contacts",
                "updated",
                "lifecycle",
                "before.lifecycle = \"potential\" and lifecycle = \"current\"",
                json!([{"action": "update_field", "field": "title", "value": "Won"}]),
            ),
        )
        .await;
    let mut misplaced = rule(
        "Bad",
        "contacts",
        "created",
        "",
        "before.city = \"x\"",
        json!([{"action": "notify_owner", "subject": "x"}]),
    );
    let refused = app.post("/api/v1/automation_rules", &misplaced).await.expect(422).body;
    assert_eq!(refused["errors"][0]["field"], "conditions", "{refused}");
    misplaced["event"] = json!("updated");
    misplaced["conditions"] = json!("before.colour = \"x\"");
    app.post("/api/v1/automation_rules", &misplaced).await.expect(422);
    let ola = app.create("contacts", json!({"last_name": "Nowak", "account": id_of(&gdansk)})).await;
    app.create("contacts", json!({"last_name": "Kowal", "account": id_of(&sopot)})).await;
    let potential = app.create("contacts", json!({"last_name": "Potential", "lifecycle": "potential"})).await;
    let former = app.create("contacts", json!({"last_name": "Former", "lifecycle": "former"})).await;
    settle(&app).await;
    for c in [&potential, &former] {
        let path = format!("/api/v1/contacts/{}", id_of(c));
        app.patch(&path, c["version"].as_i64().unwrap(), &json!({"lifecycle": "current"})).await.expect(200);
    }
    settle(&app).await;
    let runs = runs_of(&app, &won).await;
    assert_eq!(runs.len(), 1, "from potential only: {runs:?}");
    assert_eq!(runs[0]["record_id"], potential["id"]);
    let titled = app.get(&format!("/api/v1/contacts/{}", id_of(&potential))).await.expect(200).body;
    assert_eq!(titled["title"], "Won");
    let runs = runs_of(&app, &follow).await;
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!((runs[0]["record_id"].as_str(), runs[0]["status"].as_str()), (ola["id"].as_str(), Some("waiting")));
    // The account closes: the waiting run stops before its task.
    let path = format!("/api/v1/accounts/{}", id_of(&gdansk));
    app.patch(&path, gdansk["version"].as_i64().unwrap(), &json!({"name": "Closed"})).await.expect(200);
    after_days(&app, 4).await;
    let runs = runs_of(&app, &follow).await;
    assert_eq!(runs[0]["status"], "stopped", "{runs:?}");
    let tasks = app.list_all("activities", &format!("&filter=contact%20%3D%20%22{}%22", id_of(&ola))).await;
    assert!(tasks.is_empty(), "{tasks:?}");
}

/// A workspace's own fields are as good as the standard ones in a rule:
/// watched, in conditions and stop conditions, set by a step, the date a
/// date rule or a wait looks at; one that does not exist is refused by name.
async fn rules_watch_test_set_and_wait_for_custom_fields(app: TestApp) {
    for (id, ty) in [("tier", "text"), ("vip_note", "text"), ("renewal", "date")] {
        app.post("/api/v1/metadata/contacts/fields", &json!({"id": id, "type": ty})).await.expect(201);
    }
    let gold = app
        .create(
            "automation_rules",
            rule(
                "Gold customers",
                "contacts",
                "updated",
                "custom.tier",
                "custom.tier = \"gold\"",
                json!([
                    {"action": "update_field", "field": "custom.vip_note", "value": "Gold since the rule"},
                    {"action": "create_task", "subject": "Call the gold customer", "due_in_days": 1}
                ]),
            ),
        )
        .await;
    let contact = app.create("contacts", json!({"last_name": "Custom", "custom": {"tier": "silver"}})).await;
    let path = format!("/api/v1/contacts/{}", id_of(&contact));
    // A change to another field, then to the tier but not to gold: no run.
    app.patch(&path, 1, &json!({"city": "Gdańsk"})).await.expect(200);
    let contact = app.patch(&path, 2, &json!({"custom": {"tier": "bronze"}})).await.expect(200).body;
    settle(&app).await;
    assert!(runs_of(&app, &gold).await.is_empty());
    app.patch(&path, contact["version"].as_i64().unwrap(), &json!({"custom": {"tier": "gold"}})).await.expect(200);
    settle(&app).await;
    let runs = runs_of(&app, &gold).await;
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0]["status"], "done", "{runs:?}");
    let contact = app.get(&path).await.expect(200).body;
    assert_eq!(contact["custom"]["vip_note"], "Gold since the rule");
    let tasks = app.list_all("activities", &format!("&filter=contact%20%3D%20%22{}%22", id_of(&contact))).await;
    assert_eq!(tasks.iter().filter(|t| t["subject"] == "Call the gold customer").count(), 1, "{tasks:?}");

    // A date rule on a custom date, and a sequence waiting for it until a
    // custom field says stop.
    let today = chrono::Utc::now().date_naive();
    let renewal = (today + chrono::Duration::days(2)).to_string();
    let due = app.create("contacts", json!({"last_name": "Renews", "custom": {"renewal": renewal}})).await;
    app.create("contacts", json!({"last_name": "Never renews"})).await;
    settle(&app).await;
    let mut renew = rule(
        "Renewal is due",
        "contacts",
        "date_reached",
        "",
        "",
        json!([{"action": "create_task", "subject": "The renewal is due", "due_in_days": 0}]),
    );
    renew["date_field"] = json!("custom.renewal");
    renew["offset_days"] = json!(1);
    let renew = app.create("automation_rules", renew).await;
    let mut chase = rule(
        "Chase the renewal",
        "contacts",
        "created",
        "",
        "",
        json!([
            {"action": "wait", "until_field": "custom.renewal", "wait_days": 1},
            {"action": "create_task", "subject": "Chase the renewal", "due_in_days": 0}
        ]),
    );
    chase["stop_when"] = json!("custom.tier = \"lost\"");
    let chase = app.create("automation_rules", chase).await;
    let chased = app.create("contacts", json!({"last_name": "Chased", "custom": {"renewal": renewal}})).await;
    let lost = app.create("contacts", json!({"last_name": "Lost", "custom": {"renewal": renewal}})).await;
    settle(&app).await;
    let waiting = runs_of(&app, &chase).await;
    assert_eq!(waiting.len(), 2, "{waiting:?}");
    assert!(waiting.iter().all(|r| r["status"] == "waiting"), "{waiting:?}");
    // The wait ends a day after the renewal date, not at once.
    let wake = (today + chrono::Duration::days(3)).to_string();
    assert!(waiting.iter().all(|r| r["wake_at"].as_str().is_some_and(|w| w.starts_with(&wake))), "{waiting:?}");
    app.patch(&format!("/api/v1/contacts/{}", id_of(&lost)), 1, &json!({"custom": {"tier": "lost"}})).await.expect(200);
    settle(&app).await;
    daily(&app).await;
    assert!(runs_of(&app, &renew).await.is_empty(), "not yet");
    after_days(&app, 3).await;
    daily(&app).await;
    // Every contact renewing then, once; none for the one with no date.
    let runs = runs_of(&app, &renew).await;
    let mut renewing: Vec<&Json> = runs.iter().map(|r| &r["record_id"]).collect();
    renewing.sort_by_key(|id| id.to_string());
    let mut expected = vec![&due["id"], &chased["id"], &lost["id"]];
    expected.sort_by_key(|id| id.to_string());
    assert_eq!(renewing, expected, "{runs:?}");
    assert!(runs.iter().all(|r| r["occurrence"].as_str() == Some(renewal.as_str()) && r["status"] == "done"));
    let chased_runs = runs_of(&app, &chase).await;
    let status_of = |c: &Json| chased_runs.iter().find(|r| r["record_id"] == c["id"]).map(|r| r["status"].clone());
    assert_eq!(
        (status_of(&chased), status_of(&lost)),
        (Some(json!("done")), Some(json!("stopped"))),
        "{chased_runs:?}"
    );

    // A field the workspace does not have is refused by name.
    let steps = json!([{"action": "create_task", "subject": "Never made"}]);
    let refused = app
        .post("/api/v1/automation_rules", &rule("Nothing", "contacts", "updated", "custom.nope", "", steps.clone()))
        .await
        .expect_problem(422, "validation");
    assert_eq!(refused.error_fields(), ["watch_fields"]);
    let mut bad_date = rule("No date", "contacts", "date_reached", "", "", steps);
    bad_date["date_field"] = json!("custom.tier");
    let refused = app.post("/api/v1/automation_rules", &bad_date).await.expect_problem(422, "validation");
    assert_eq!(refused.error_fields(), ["date_field"]);
}

/// A workspace's own types (custom objects) take rules like the modules'
/// types: on a change, on a date, setting a field, making a task for the
/// account the record names; their fields are checked like any other.
async fn rules_act_on_custom_objects(app: TestApp) {
    let fleet = json!({
        "id": "vehicles",
        "label": "Vehicle",
        "fields": [
            {"id": "registration", "type": "text", "required": true},
            {"id": "state", "type": "choice", "options": ["active", "inspect", "retired"]},
            {"id": "inspection_due", "type": "date"},
            {"id": "account", "type": "relation", "target": "accounts"},
            {"id": "driver", "type": "relation", "target": "contacts"}
        ],
        "title_fields": ["registration"]
    });
    app.post("/api/v1/metadata/entities", &fleet).await.expect(201);
    let acme = app.create("accounts", json!({"name": "Acme Haulage"})).await;
    let retired = rule(
        "Retired vehicles",
        "vehicles",
        "updated",
        "state",
        "state = \"retired\"",
        json!([{"action": "create_task", "subject": "Sell the vehicle", "due_in_days": 7}]),
    );
    let retired = app.create("automation_rules", retired).await;
    let mut inspection = rule(
        "Inspection",
        "vehicles",
        "date_reached",
        "",
        "state = \"active\"",
        json!([
            {"action": "update_field", "field": "state", "value": "inspect"},
            {"action": "create_task", "subject": "Book the inspection", "due_in_days": 0}
        ]),
    );
    inspection["date_field"] = json!("inspection_due");
    inspection["offset_days"] = json!(1);
    let inspection = app.create("automation_rules", inspection).await;
    let due = (chrono::Utc::now().date_naive() + chrono::Duration::days(2)).to_string();
    let truck = app
        .create(
            "vehicles",
            json!({"registration": "GD 1234", "state": "active", "inspection_due": due, "account": id_of(&acme)}),
        )
        .await;
    // The van names no account, only its driver: the task goes to her.
    let driver = app.create("contacts", json!({"first_name": "Ewa", "last_name": "Kierowca"})).await;
    let van =
        app.create("vehicles", json!({"registration": "GD 5678", "state": "active", "driver": id_of(&driver)})).await;
    app.patch(&format!("/api/v1/vehicles/{}", id_of(&truck)), 1, &json!({"registration": "GD 1235"})).await.expect(200);
    app.patch(&format!("/api/v1/vehicles/{}", id_of(&van)), 1, &json!({"state": "retired"})).await.expect(200);
    settle(&app).await;
    let runs = runs_of(&app, &retired).await;
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!((&runs[0]["record_id"], runs[0]["status"].as_str()), (&van["id"], Some("done")), "{runs:?}");
    let sell = app.list_all("activities", "&filter=subject%20%3D%20%22Sell%20the%20vehicle%22").await;
    assert_eq!(sell.len(), 1, "{sell:?}");
    assert_eq!(sell[0]["contact"], driver["id"]);

    daily(&app).await;
    assert!(runs_of(&app, &inspection).await.is_empty(), "not yet");
    after_days(&app, 3).await;
    daily(&app).await;
    daily(&app).await;
    let runs = runs_of(&app, &inspection).await;
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!((&runs[0]["record_id"], runs[0]["status"].as_str()), (&truck["id"], Some("done")), "{runs:?}");
    let truck = app.get(&format!("/api/v1/vehicles/{}", id_of(&truck))).await.expect(200).body;
    assert_eq!(truck["state"], "inspect");
    let book = app.list_all("activities", "&filter=subject%20%3D%20%22Book%20the%20inspection%22").await;
    assert_eq!(book.len(), 1, "{book:?}");
    assert_eq!(book[0]["account"], acme["id"]);

    // Fields the object does not have, and types the workspace does not
    // have, are refused by name.
    let steps = json!([{"action": "create_task", "subject": "Never made"}]);
    let refused = app
        .post("/api/v1/automation_rules", &rule("Mileage", "vehicles", "updated", "mileage", "", steps.clone()))
        .await
        .expect_problem(422, "validation");
    assert_eq!(refused.error_fields(), ["watch_fields"]);
    let refused = app
        .post("/api/v1/automation_rules", &rule("Ships", "spaceships", "updated", "", "", steps))
        .await
        .expect_problem(422, "validation");
    assert_eq!(refused.error_fields(), ["entity"]);
}
