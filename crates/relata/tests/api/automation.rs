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
    date_rules_act_once_when_the_date_is_reached
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
    let touch = app
        .create(
            "automation_rules",
            rule(
                "Mark every update",
                "contacts",
                "updated",
                "",
                "",
                json!([
                    {"action": "update_field", "field": "notes", "value": "Checked"}
                ]),
            ),
        )
        .await;
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
    ];
    for (body, field) in cases {
        let refused = app.post("/api/v1/automation_rules", &body).await.expect(422);
        assert_eq!(refused.error_fields(), [field], "{body}");
    }
    assert!(app.list_all("automation_rules", "").await.is_empty(), "nothing saved");
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
