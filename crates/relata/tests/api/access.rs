//! Roles, teams, record visibility and field-level security, enforced the
//! same way on every path (get, list, search, lookup, timeline, history,
//! export, writes), on both backends.

use crate::helpers::{Session, TestApp, id_of, version_of};
use reqwest::Method;
use serde_json::{Value as Json, json};

crate::both_backends!(
    reps_see_their_team_and_change_only_their_own,
    line_managers_reassign_within_their_team,
    roles_are_for_admins_and_nobody_raises_their_own,
    hidden_fields_vanish_from_every_path_and_read_only_fields_refuse_writes,
    invariants_see_the_records_the_actor_cannot,
    export_needs_the_right_and_is_audited,
);

/// Two teams: North (ann, ben, managed by mia) and South (sid).
struct Org {
    ann: Session,
    ben: Session,
    mia: Session,
    sid: Session,
}

async fn org(app: &TestApp) -> Org {
    let ann = app.member("ann@example.com", "sales_rep").await;
    let ben = app.member("ben@example.com", "sales_rep").await;
    let mia = app.member("mia@example.com", "sales_rep").await;
    let sid = app.member("sid@example.com", "sales_rep").await;
    app.team("North", &[(&ann, false), (&ben, false), (&mia, true)]).await;
    app.team("South", &[(&sid, false)]).await;
    Org { ann, ben, mia, sid }
}

fn ids(reply: &Json) -> Vec<String> {
    reply["data"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap_or_default().to_string()).collect()
}

async fn reps_see_their_team_and_change_only_their_own(app: TestApp) {
    let app = &app;
    let Org { ann, ben, sid, .. } = org(app).await;
    let account =
        app.post_as(&ann.token, "/api/v1/accounts", &json!({"name": "Northwind Traders"})).await.expect(201).body;
    let contact = app
        .post_as(
            &ann.token,
            "/api/v1/contacts",
            &json!({"last_name": "Zielińska", "account": account["id"], "phones": ["+48 601 555 111"]}),
        )
        .await
        .expect(201)
        .body;
    app.post_as(
        &ann.token,
        "/api/v1/activities",
        &json!({"kind": "call", "subject": "First call", "contact": contact["id"]}),
    )
    .await
    .expect(201);
    let theirs = app.post_as(&sid.token, "/api/v1/contacts", &json!({"last_name": "Southern"})).await.expect(201).body;
    let path = format!("/api/v1/contacts/{}", id_of(&contact));

    // A teammate reads but may not change or delete.
    app.get_as(&ben.token, &path).await.expect(200);
    let before = app.snapshot().await;
    app.patch_as(&ben.token, &path, version_of(&contact), &json!({"title": "CEO"}))
        .await
        .expect_problem(403, "forbidden");
    app.send(Method::DELETE, &path, Some(&ben.token), &[], None).await.expect_problem(403, "forbidden");
    assert_eq!(app.snapshot().await, before, "refused writes change nothing");
    app.patch_as(&ann.token, &path, version_of(&contact), &json!({"title": "CEO"})).await.expect(200);

    // Another team's rep cannot tell the record exists, by any path.
    let before = app.snapshot().await;
    for p in [
        path.clone(),
        format!("{path}/history"),
        format!("{path}/timeline"),
        format!("/api/v1/accounts/{}", id_of(&account)),
    ] {
        app.get_as(&sid.token, &p).await.expect_problem(404, "not-found");
    }
    app.patch_as(&sid.token, &path, 2, &json!({"title": "X"})).await.expect_problem(404, "not-found");
    app.send(Method::DELETE, &path, Some(&sid.token), &[], None).await.expect_problem(404, "not-found");
    let guessed = format!("/api/v1/contacts?filter=id%20%3D%20%22{}%22", id_of(&contact));
    for query in ["/api/v1/contacts", "/api/v1/contacts?q=Zielinska", guessed.as_str(), "/api/v1/activities"] {
        let reply = app.get_as(&sid.token, query).await.expect(200);
        assert!(!ids(&reply.body).contains(&id_of(&contact)), "{query} leaked");
        assert!(!reply.body.to_string().contains("Zieli"), "{query} leaked");
    }
    assert_eq!(ids(&app.get_as(&sid.token, "/api/v1/contacts").await.body), [id_of(&theirs)]);
    let search = app.get_as(&sid.token, "/api/v1/search?q=Northwind").await.expect(200);
    assert!(search.body["data"].as_array().unwrap().is_empty());
    let lookup = app.get_as(&sid.token, "/api/v1/lookup?phone=%2B48601555111").await.expect(200);
    assert!(lookup.body["data"].as_array().unwrap().is_empty());
    // Nor link to it.
    let linked =
        app.post_as(&sid.token, "/api/v1/opportunities", &json!({"name": "Poach", "account": account["id"]})).await;
    assert_eq!(linked.expect_problem(422, "validation").error_codes(), ["not_found"]);
    assert_eq!(app.snapshot().await, before);
    // The teammate finds it everywhere.
    let lookup = app.get_as(&ben.token, "/api/v1/lookup?phone=%2B48601555111").await.expect(200);
    assert_eq!(lookup.body["data"].as_array().unwrap().len(), 1);
    let timeline = app.get_as(&ben.token, &format!("{path}/timeline")).await.expect(200);
    assert_eq!(timeline.body["data"].as_array().unwrap().len(), 1);

    // Reps create records for themselves only.
    let other_owner =
        app.post_as(&ann.token, "/api/v1/contacts", &json!({"last_name": "For Ben", "owner": ben.user})).await;
    other_owner.expect_problem(403, "forbidden");
    // Pipelines are read-only for reps.
    app.post_as(&ann.token, "/api/v1/pipelines", &json!({"name": "Mine", "stages": []}))
        .await
        .expect_problem(403, "forbidden");

    // The refusals are in the audit log, the hidden record's included.
    let refused = app.audit("action=request.refused").await;
    assert!(
        refused.iter().any(|e| e["details"]["status"] == 404 && e["actor"] == json!(sid.user)),
        "hidden-record refusals are logged: {refused:?}"
    );
    assert!(refused.iter().any(|e| e["details"]["status"] == 403 && e["actor"] == json!(ben.user)));
}

async fn line_managers_reassign_within_their_team(app: TestApp) {
    let app = &app;
    let Org { ann, ben, mia, sid } = org(app).await;
    let account = app.post_as(&ann.token, "/api/v1/accounts", &json!({"name": "Baltic Foods"})).await.expect(201).body;
    let task = app
        .post_as(
            &ann.token,
            "/api/v1/activities",
            &json!({"kind": "task", "subject": "Send offer", "due_at": "2026-12-01T09:00:00Z", "account": account["id"]}),
        )
        .await
        .expect(201)
        .body;
    let path = format!("/api/v1/activities/{}", id_of(&task));
    // Mia manages North: she sees the team's tasks and hands them over within it.
    let listed = app.get_as(&mia.token, "/api/v1/activities?filter=kind%20%3D%20%22task%22").await.expect(200);
    assert_eq!(ids(&listed.body), [id_of(&task)]);
    app.patch_as(&mia.token, &path, 1, &json!({"owner": sid.user})).await.expect_problem(403, "forbidden");
    let moved = app.patch_as(&mia.token, &path, 1, &json!({"owner": ben.user})).await.expect(200);
    assert_eq!(moved.body["owner"], json!(ben.user));
    // Ann no longer owns it: she still sees it (team) but cannot change it.
    app.patch_as(&ann.token, &path, 2, &json!({"done": true})).await.expect_problem(403, "forbidden");
    app.patch_as(&ben.token, &path, 2, &json!({"done": true})).await.expect(200);
    // The team view is part of who-am-I.
    let me = app.get_as(&mia.token, "/api/v1/auth/me").await.expect(200);
    let managed: Vec<String> = serde_json::from_value(me.body["teams"]["managed"].clone()).unwrap();
    assert!(managed.contains(&ann.user) && managed.contains(&ben.user) && !managed.contains(&sid.user));
}

async fn roles_are_for_admins_and_nobody_raises_their_own(app: TestApp) {
    let app = &app;
    let ann = app.member("ann@example.com", "sales_rep").await;
    let raise = app.patch_as(&ann.token, &format!("/api/v1/users/{}", ann.user), 1, &json!({"role": "admin"})).await;
    raise.expect_problem(403, "forbidden");
    let me = app.get_as(&ann.token, "/api/v1/auth/me").await.expect(200);
    assert_eq!(me.body["role"]["name"], "sales_rep");
    app.put_as(&ann.token, "/api/v1/roles/sales_rep", &json!({"entities": {"accounts": {"create": true, "read": "all", "update": "all", "delete": "all", "export": true}}}))
        .await
        .expect_problem(403, "forbidden");
    app.post_as(&ann.token, "/api/v1/teams", &json!({"name": "Mine"})).await.expect_problem(403, "forbidden");
    app.post_as(&ann.token, "/api/v1/metadata/contacts/fields", &json!({"id": "x", "type": "text"}))
        .await
        .expect_problem(403, "forbidden");
    app.get_as(&ann.token, "/api/v1/audit").await.expect_problem(403, "forbidden");
    app.post_as(&ann.token, "/api/v1/users", &json!({"email": "new@example.com", "role": "admin"}))
        .await
        .expect_problem(403, "forbidden");
    let refused = app.audit("action=request.refused").await;
    assert!(refused.iter().any(|e| e["target_id"] == format!("PATCH /api/v1/users/{}", ann.user)));

    // Admins define roles; a custom role takes effect for its holders.
    let bad = app.put_as(&app.token, "/api/v1/roles/Bad%20Name", &json!({})).await;
    bad.expect_problem(422, "validation");
    let bad = app
        .put_as(
            &app.token,
            "/api/v1/roles/auditor",
            &json!({"entities": {"accounts": {"read": "everything"}}, "colour": "red"}),
        )
        .await
        .expect_problem(422, "validation");
    assert_eq!(bad.error_fields().len(), 2);
    app.put_as(&app.token, "/api/v1/roles/admin", &json!({})).await.expect_problem(409, "conflict");
    let auditor = json!({"label": "Auditor", "entities": {
        "accounts": {"create": false, "read": "all", "update": "none", "delete": "none", "export": true},
        "contacts": {"create": false, "read": "all", "update": "none", "delete": "none", "export": false}}});
    let defined = app.put_as(&app.token, "/api/v1/roles/auditor", &auditor).await.expect(200);
    assert_eq!(defined.body["entities"]["accounts"]["read"], "all");
    app.patch_as(&app.token, &format!("/api/v1/users/{}", ann.user), 1, &json!({"role": "auditor"})).await.expect(200);
    app.post_as(&ann.token, "/api/v1/contacts", &json!({"last_name": "X"})).await.expect_problem(403, "forbidden");
    app.get_as(&ann.token, "/api/v1/contacts").await.expect(200);
    app.get_as(&ann.token, "/api/v1/leads").await.expect_problem(403, "forbidden");
    let roles = app.get("/api/v1/roles").await.expect(200).body;
    let names: Vec<&str> = roles["data"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["admin", "manager", "sales_rep", "service_agent", "marketer", "read_only", "auditor"]);
    // A role in use cannot be removed; the change history is audited.
    app.send(Method::DELETE, "/api/v1/roles/auditor", Some(&app.token), &[], None)
        .await
        .expect_problem(409, "conflict");
    let changes = app.audit("action=role.change").await;
    assert_eq!(changes[0]["details"], json!({"before": "sales_rep", "after": "auditor"}));
    assert_eq!(app.audit("action=role.define").await.len(), 1);
}

async fn hidden_fields_vanish_from_every_path_and_read_only_fields_refuse_writes(app: TestApp) {
    let app = &app;
    let ann = app.member("ann@example.com", "sales_rep").await;
    app.post("/api/v1/metadata/contacts/fields", &json!({"id": "salary", "type": "number"})).await.expect(201);
    let mut rep = app.role("sales_rep").await;
    rep["fields"] =
        json!({"contacts": {"birthday": "hidden", "notes": "hidden", "custom.salary": "hidden", "city": "read_only"}});
    rep["entities"]["contacts"]["export"] = json!(true);
    app.put_as(&app.token, "/api/v1/roles/sales_rep", &rep).await.expect(200);

    let contact = app
        .post_as(&ann.token, "/api/v1/contacts", &json!({"last_name": "Quiet", "city": "Gdańsk"}))
        .await
        .expect_problem(422, "validation");
    assert_eq!(contact.error_codes(), ["read_only"]);
    let contact = app.post_as(&ann.token, "/api/v1/contacts", &json!({"last_name": "Quiet"})).await.expect(201).body;
    assert!(
        contact.get("birthday").is_none()
            && contact.get("notes").is_none()
            && contact["custom"].get("salary").is_none()
    );
    let path = format!("/api/v1/contacts/{}", id_of(&contact));
    // The admin fills the hidden fields.
    app.patch(
        &path,
        1,
        &json!({"birthday": "1931-07-04", "notes": "secretword", "city": "Sopot", "custom": {"salary": 987654}}),
    )
    .await
    .expect(200);

    let seen = app.get_as(&ann.token, &path).await.expect(200).body;
    assert!(seen.get("birthday").is_none() && seen.get("notes").is_none());
    assert!(seen["custom"].get("salary").is_none());
    assert_eq!(seen["city"], "Sopot");
    let history = app.get_as(&ann.token, &format!("{path}/history")).await.expect(200).body.to_string();
    assert!(
        !history.contains("1931-07-04") && !history.contains("secretword") && !history.contains("987654"),
        "{history}"
    );
    assert!(history.contains("Sopot"));
    // Writing, filtering or sorting by them fails as for an unknown field.
    let write = app.patch_as(&ann.token, &path, 2, &json!({"birthday": "1990-01-01", "city": "Hel"})).await;
    let mut codes = write.expect_problem(422, "validation").error_codes();
    codes.sort();
    assert_eq!(codes, ["read_only", "unknown_field"]);
    app.get_as(&ann.token, "/api/v1/contacts?filter=birthday%20is%20null").await.expect_problem(400, "invalid-filter");
    app.get_as(&ann.token, "/api/v1/contacts?filter=custom.salary%20%3E%201")
        .await
        .expect_problem(400, "invalid-filter");
    app.get_as(&ann.token, "/api/v1/contacts?sort=birthday").await.expect_problem(400, "bad-request");
    // Search does not match through hidden text, but still through visible text.
    let by_note = app.get_as(&ann.token, "/api/v1/contacts?q=secretword").await.expect(200);
    assert!(ids(&by_note.body).is_empty());
    let by_note = app.get_as(&ann.token, "/api/v1/search?q=secretword").await.expect(200);
    assert!(by_note.body["data"].as_array().unwrap().is_empty());
    assert_eq!(ids(&app.get_as(&ann.token, "/api/v1/contacts?q=quiet").await.expect(200).body), [id_of(&contact)]);
    assert_eq!(
        ids(&app.get("/api/v1/contacts?q=secretword").await.expect(200).body),
        [id_of(&contact)],
        "admins see it"
    );
    // Metadata and exports leave them out.
    let meta = app.get_as(&ann.token, "/api/v1/metadata/contacts").await.expect(200).body;
    let fields: Vec<&str> = meta["fields"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert!(!fields.contains(&"birthday") && !fields.contains(&"custom.salary") && fields.contains(&"city"));
    let city = meta["fields"].as_array().unwrap().iter().find(|f| f["id"] == "city").unwrap();
    assert_eq!(city["read_only"], true);
    let csv = app.send(Method::GET, "/api/v1/contacts/export", Some(&ann.token), &[], None).await;
    assert_eq!(csv.status, 200);
    let text = reqwest::Client::new()
        .get(format!("{}/api/v1/contacts/export", app.base))
        .bearer_auth(&ann.token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let header = text.lines().next().unwrap();
    assert!(header.contains("last_name") && !header.contains("birthday") && !header.contains("salary"), "{header}");
    assert!(!text.contains("secretword") && text.contains("Quiet"));
    // The admin's export has everything.
    let full = reqwest::Client::new()
        .get(format!("{}/api/v1/contacts/export", app.base))
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(full.lines().next().unwrap().contains("birthday") && full.contains("secretword"));
}

async fn export_needs_the_right_and_is_audited(app: TestApp) {
    let app = &app;
    let ann = app.member("ann@example.com", "sales_rep").await;
    let mgr = app.member("max@example.com", "manager").await;
    app.post_as(&ann.token, "/api/v1/accounts", &json!({"name": "Exported Ltd"})).await.expect(201);
    app.post_as(&ann.token, "/api/v1/accounts", &json!({"name": "Other Ltd"})).await.expect(201);
    app.get_as(&ann.token, "/api/v1/accounts/export").await.expect_problem(403, "forbidden");
    let export = |query: &'static str| {
        let token = mgr.token.clone();
        async move {
            reqwest::Client::new()
                .get(format!("{}/api/v1/accounts/export{query}", app.base))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
        }
    };
    let response = export("?filter=name%20~%20%22export%22").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
    let text = response.text().await.unwrap();
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows.len(), 2, "{text}");
    assert!(rows[1].contains("Exported Ltd"));
    let bad = app.get_as(&mgr.token, "/api/v1/accounts/export?filter=name%20%3D").await;
    bad.expect_problem(400, "invalid-filter");
    // The same view as an Excel workbook (a zip file).
    let workbook = export("?format=xlsx&filter=name%20~%20%22ltd%22").await;
    assert_eq!(workbook.status(), 200);
    assert_eq!(workbook.headers()["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    let bytes = workbook.bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK\x03\x04") && bytes.len() > 1000, "a zip file of {} bytes", bytes.len());
    app.get_as(&mgr.token, "/api/v1/accounts/export?format=pdf").await.expect_problem(400, "bad-request");
    app.get_as(&ann.token, "/api/v1/accounts/export?format=xlsx").await.expect_problem(403, "forbidden");
    // Each export is audited when it starts (what was asked) and when it
    // ends (how many rows went out); refused ones and bad filters are not
    // exports.
    let started = app.audit("action=export").await;
    assert_eq!(started.len(), 2, "{started:?}");
    assert!(started.iter().all(|e| e["actor"] == json!(mgr.user)));
    assert_eq!(started[1]["details"]["filter"], "name ~ \"export\"");
    let ended = app.audit("action=export.end").await;
    let rows: Vec<&Json> = ended.iter().map(|e| &e["details"]["rows"]).collect();
    assert_eq!(rows, [&json!(2), &json!(1)], "newest first: {ended:?}");
    assert!(ended.iter().all(|e| e["details"]["completed"] == true && e["outcome"] == "success"));

    // A client that goes away mid-stream leaves a trace of how far it got.
    let csv: String =
        std::iter::once("name\n".to_string()).chain((0..10_000).map(|i| format!("Bulk {i:05}\n"))).collect();
    app.send(
        Method::POST,
        "/api/v1/accounts/import",
        Some(&app.token),
        &[("content-type", "text/csv")],
        Some(csv.into_bytes()),
    )
    .await
    .expect(200);
    let mut response = reqwest::Client::new()
        .get(format!("{}/api/v1/accounts/export?sort=name", app.base))
        .bearer_auth(&mgr.token)
        .send()
        .await
        .unwrap();
    assert!(response.chunk().await.unwrap().is_some(), "the first rows arrive");
    drop(response);
    let mut stopped = None;
    for _ in 0..100 {
        let ended = app.audit("action=export.end").await;
        if ended.len() == 3 {
            stopped = Some(ended[0].clone());
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let stopped = stopped.expect("the interrupted export is audited");
    assert_eq!(stopped["outcome"], "failure");
    assert_eq!(stopped["details"]["completed"], false);
    let sent = stopped["details"]["rows"].as_u64().unwrap();
    assert!((1..10_000).contains(&sent), "{sent} of 10,003 rows went out");
    assert_eq!(app.audit("action=export").await.len(), 3, "and it was audited when it started");
}

/// Domain rules check invariants with every record readable: a cycle or a
/// stage in use that runs through records the actor may not read is still
/// found (it used to pass, the rules reading through the actor's view).
async fn invariants_see_the_records_the_actor_cannot(app: TestApp) {
    let app = &app;
    let keeper = json!({"label": "Keeper", "entities": {
        "accounts": {"create": true, "read": "own", "update": "own", "delete": "none", "export": false},
        "opportunities": {"create": false, "read": "own", "update": "none", "delete": "none", "export": false},
        "pipelines": {"create": true, "read": "all", "update": "all", "delete": "none", "export": false}}});
    app.put_as(&app.token, "/api/v1/roles/keeper", &keeper).await.expect(200);
    let kim = app.member("kim@example.com", "keeper").await;
    // Kim's account A, an account B she cannot read below it, and her
    // account C below B: making A a child of C closes a circle through B.
    let a = app.post_as(&kim.token, "/api/v1/accounts", &json!({"name": "A"})).await.expect(201).body;
    let b = app.create("accounts", json!({"name": "B", "parent_account": a["id"]})).await;
    let c = app.post_as(&kim.token, "/api/v1/accounts", &json!({"name": "C"})).await.expect(201).body;
    app.patch(&format!("/api/v1/accounts/{}", id_of(&c)), 1, &json!({"parent_account": b["id"]})).await.expect(200);
    app.get_as(&kim.token, &format!("/api/v1/accounts/{}", id_of(&b))).await.expect_problem(404, "not-found");
    let cycle = app
        .patch_as(&kim.token, &format!("/api/v1/accounts/{}", id_of(&a)), 1, &json!({"parent_account": c["id"]}))
        .await;
    assert_eq!(cycle.expect_problem(422, "validation").error_codes(), ["cycle"]);

    // A stage used only by opportunities Kim cannot read is still in use.
    let p = app
        .create(
            "pipelines",
            json!({"name": "Renewals", "stages": [{"name": "Due", "probability": 40},
            {"name": "Renewed", "kind": "won"}, {"name": "Churned", "kind": "lost"}]}),
        )
        .await;
    let deal = json!({"name": "Hidden renewal", "account": b["id"], "pipeline": p["id"], "stage": "due"});
    let deal = app.create("opportunities", deal).await;
    app.get_as(&kim.token, &format!("/api/v1/opportunities/{}", id_of(&deal))).await.expect_problem(404, "not-found");
    let without_due = json!({"stages": [{"name": "Renewed", "kind": "won"}, {"name": "Churned", "kind": "lost"},
        {"name": "Pending", "probability": 30}]});
    let refused = app.patch_as(&kim.token, &format!("/api/v1/pipelines/{}", id_of(&p)), 1, &without_due).await;
    assert_eq!(refused.expect_problem(422, "validation").error_codes(), ["stage_in_use"]);
}
