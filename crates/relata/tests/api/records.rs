//! Record lifecycle through the API: create, read, update with optimistic
//! concurrency, soft delete and restore, history, idempotent creates,
//! custom fields, lead conversion, stage history and the customer timeline.

use crate::helpers::{TestApp, account, id_of, version_of};
use reqwest::Method;
use serde_json::{Value as Json, json};

crate::both_backends!(
    crud_with_optimistic_concurrency_and_history,
    contacts_keep_normalised_emails_and_phones,
    idempotency_key_returns_the_first_result,
    custom_fields_are_validated_filtered_and_sorted,
    lead_conversion_creates_account_contact_and_opportunity,
    stage_changes_are_recorded_and_shown_on_timelines,
    pipelines_refuse_removing_a_stage_in_use,
    account_hierarchies_refuse_cycles,
    an_import_checks_thousands_of_references_and_refuses_the_missing_one,
);

async fn crud_with_optimistic_concurrency_and_history(app: TestApp) {
    let created = app
        .post("/api/v1/accounts", &json!({"name": "Amber Logistics", "city": "Gdańsk", "key_account": true}))
        .await
        .expect(201);
    let id = id_of(&created.body);
    assert_eq!(created.header("etag"), Some("\"1\""));
    assert_eq!(created.header("location").map(str::to_string), Some(format!("/api/v1/accounts/{id}")));
    assert_eq!(created.body["lifecycle"], "prospect", "default applied");
    assert_eq!(created.body["owner"], json!(created.body["created_by"]), "the creator owns the record");

    let got = app.get(&format!("/api/v1/accounts/{id}")).await.expect(200);
    assert_eq!(got.body, created.body);

    let path = format!("/api/v1/accounts/{id}");
    let updated = app.patch(&path, 1, &json!({"lifecycle": "customer", "city": "Gdynia"})).await.expect(200);
    assert_eq!(version_of(&updated.body), 2);
    assert_eq!(updated.header("etag"), Some("\"2\""));
    assert_eq!(updated.body["lifecycle"], "customer");

    // A stale version is refused and changes nothing.
    let stale = app.patch(&path, 1, &json!({"city": "Sopot"})).await.expect_problem(412, "version-conflict");
    assert_eq!(stale.body["current_version"], 2);
    assert_eq!(app.get(&path).await.body["city"], "Gdynia");

    // Without If-Match, an update is refused.
    let body = Some(json!({"city": "Sopot"}).to_string().into_bytes());
    let headers = [("content-type", "application/json")];
    app.send(Method::PATCH, &path, Some(&app.token), &headers, body).await.expect_problem(428, "precondition-required");

    // A patch that changes nothing writes no new version.
    let same = app.patch(&path, 2, &json!({"city": "Gdynia"})).await.expect(200);
    assert_eq!(version_of(&same.body), 2);

    let deleted = app.delete(&path).await.expect(200);
    assert!(deleted.body["deleted_at"].is_string());
    app.get(&path).await.expect_problem(404, "not-found");
    app.get(&format!("{path}?include_deleted=true")).await.expect(200);
    assert!(app.list_all("accounts", "").await.is_empty());
    assert_eq!(app.list_all("accounts", "&deleted=true").await.len(), 1);
    app.delete(&path).await.expect_problem(404, "not-found");

    let restored = app.post(&format!("{path}/restore"), &json!({})).await.expect(200);
    assert!(restored.body["deleted_at"].is_null());
    assert_eq!(version_of(&restored.body), 4);
    app.get(&path).await.expect(200);

    let history = app.get(&format!("{path}/history")).await.expect(200).body;
    let ops: Vec<&str> = history["data"].as_array().unwrap().iter().map(|c| c["op"].as_str().unwrap()).collect();
    assert_eq!(ops, ["create", "update", "delete", "restore"]);
    let create = &history["data"][0]["changes"];
    assert_eq!(create["name"], json!({"before": null, "after": "Amber Logistics"}));
    assert_eq!(create["key_account"], json!({"before": null, "after": true}));
    assert!(create.get("website").is_none(), "fields without a value are not in a create's diff");
    assert_eq!(create["owner"], json!({"before": null, "after": created.body["owner"]}), "the owner, from its column");
    let update = &history["data"][1];
    assert!(update["changes"].get("owner").is_none(), "the owner did not change");
    assert_eq!(update["changes"]["city"], json!({"before": "Gdańsk", "after": "Gdynia"}));
    assert_eq!(update["changes"]["lifecycle"], json!({"before": "prospect", "after": "customer"}));
    assert!(update["changes"].get("name").is_none(), "unchanged fields are not in the diff");
    assert_eq!(update["actor"], created.body["created_by"]);
    let seqs: Vec<i64> = history["data"].as_array().unwrap().iter().map(|c| c["seq"].as_i64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "sequence numbers increase: {seqs:?}");

    // History pages by cursor.
    let first = app.get(&format!("{path}/history?limit=3")).await.expect(200).body;
    assert_eq!(first["data"].as_array().unwrap().len(), 3);
    let cursor = first["next_cursor"].as_str().unwrap();
    let rest = app.get(&format!("{path}/history?limit=3&cursor={cursor}")).await.expect(200).body;
    assert_eq!(rest["data"][0]["op"], "restore");
    assert!(rest["next_cursor"].is_null());
}

async fn contacts_keep_normalised_emails_and_phones(app: TestApp) {
    let c = app
        .create(
            "contacts",
            json!({"first_name": "Anna", "last_name": "Nowak", "emails": ["Anna.Nowak@Example.COM", "anna@home.example.org"],
                "phones": ["+48 58 123 45 67", "0048 601 234 567"], "birthday": "1985-04-12"}),
        )
        .await;
    assert_eq!(c["emails"], json!(["Anna.Nowak@example.com", "anna@home.example.org"]));
    assert_eq!(c["phones"], json!(["+48581234567", "+48601234567"]));
    assert_eq!(c["lifecycle"], "potential");

    // The caller is found by the number they call from, however it is typed.
    let found = app.get("/api/v1/lookup?phone=%2B48%20601-234-567").await.expect(200).body;
    assert_eq!(found["data"].as_array().unwrap().len(), 1);
    assert_eq!(found["data"][0]["id"], c["id"]);
    assert_eq!(found["data"][0]["entity"], "contacts");
    assert_eq!(found["data"][0]["title"], "Anna Nowak");
    let by_email = app.get("/api/v1/lookup?email=anna.nowak%40EXAMPLE.com").await.expect(200).body;
    assert_eq!(by_email["data"].as_array().unwrap().len(), 1);
    let none = app.get("/api/v1/lookup?phone=%2B48%2058%20000%2000%2000").await.expect(200).body;
    assert!(none["data"].as_array().unwrap().is_empty());

    // Changing the phones re-indexes them; deleting removes them from lookup.
    let path = format!("/api/v1/contacts/{}", id_of(&c));
    app.patch(&path, 1, &json!({"phones": ["+370 612 34567"]})).await.expect(200);
    let old = app.get("/api/v1/lookup?phone=%2B48601234567").await.expect(200).body;
    assert!(old["data"].as_array().unwrap().is_empty());
    let new = app.get("/api/v1/lookup?phone=%2B37061234567").await.expect(200).body;
    assert_eq!(new["data"].as_array().unwrap().len(), 1);
    app.delete(&path).await.expect(200);
    let gone = app.get("/api/v1/lookup?phone=%2B37061234567").await.expect(200).body;
    assert!(gone["data"].as_array().unwrap().is_empty());

    // A number given twice, in two forms, is one contact point.
    let twice = app
        .create("contacts", json!({"last_name": "Twice", "phones": ["+48 22 111 22 33", "0048 22 111 22 33"]}))
        .await;
    let found = app.get("/api/v1/lookup?phone=%2B48221112233").await.expect(200).body;
    assert_eq!(found["data"].as_array().unwrap().len(), 1);
    assert_eq!(found["data"][0]["id"], twice["id"]);
}

async fn idempotency_key_returns_the_first_result(app: TestApp) {
    let body = json!({"name": "Baltic Foods"}).to_string().into_bytes();
    let headers = [("content-type", "application/json"), ("idempotency-key", "create-baltic-1")];
    let first = app.send(Method::POST, "/api/v1/accounts", Some(&app.token), &headers, Some(body.clone())).await;
    let first = first.expect(201);
    let again = app.send(Method::POST, "/api/v1/accounts", Some(&app.token), &headers, Some(body)).await.expect(201);
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(app.list_all("accounts", "").await.len(), 1);

    // The same key with another request is refused, and nothing is created.
    let other = json!({"name": "Nord Energy"}).to_string().into_bytes();
    app.send(Method::POST, "/api/v1/accounts", Some(&app.token), &headers, Some(other))
        .await
        .expect_problem(422, "idempotency-key-reused");
    assert_eq!(app.list_all("accounts", "").await.len(), 1);

    // Concurrent retries with one key create one record.
    let body = json!({"name": "Sigma Retail"}).to_string().into_bytes();
    let headers = [("content-type", "application/json"), ("idempotency-key", "race")];
    let (a, b, c) = tokio::join!(
        app.send(Method::POST, "/api/v1/accounts", Some(&app.token), &headers, Some(body.clone())),
        app.send(Method::POST, "/api/v1/accounts", Some(&app.token), &headers, Some(body.clone())),
        app.send(Method::POST, "/api/v1/accounts", Some(&app.token), &headers, Some(body.clone())),
    );
    let ids: std::collections::HashSet<String> = [a, b, c].iter().map(|r| id_of(&r.body)).collect();
    assert_eq!(ids.len(), 1, "one record for one key");
    assert_eq!(app.list_all("accounts", "&filter=name%20%3D%20%22Sigma%20Retail%22").await.len(), 1);

    // Keys belong to the credential that sent them: another member's
    // request with the same key is a request of its own, and sees nothing
    // of the first one's response.
    let body = json!({"name": "Vistula Shipping"}).to_string().into_bytes();
    let headers = [("content-type", "application/json"), ("idempotency-key", "shared-key")];
    let mine = app.send(Method::POST, "/api/v1/accounts", Some(&app.token), &headers, Some(body.clone())).await;
    let mine = mine.expect(201);
    let eve = app.member("eve@example.com", "sales_rep").await;
    let theirs = app.send(Method::POST, "/api/v1/accounts", Some(&eve.token), &headers, Some(body.clone())).await;
    let theirs = theirs.expect(201);
    assert!(theirs.header("idempotent-replayed").is_none());
    assert_ne!(id_of(&theirs.body), id_of(&mine.body));
    assert_eq!(theirs.body["owner"], json!(eve.user));
    // Within a day the key replays; after it, it is forgotten.
    let again = app.send(Method::POST, "/api/v1/accounts", Some(&app.token), &headers, Some(body.clone())).await;
    assert_eq!(again.expect(201).header("idempotent-replayed"), Some("true"));
    app.app.app.store.clock().advance(chrono::TimeDelta::hours(24) + chrono::TimeDelta::seconds(1));
    let later = app.send(Method::POST, "/api/v1/accounts", Some(&app.token), &headers, Some(body)).await.expect(201);
    assert!(later.header("idempotent-replayed").is_none(), "expired after 24 hours");
    assert_ne!(id_of(&later.body), id_of(&mine.body));
}

async fn custom_fields_are_validated_filtered_and_sorted(app: TestApp) {
    let field = app
        .post(
            "/api/v1/metadata/accounts/fields",
            &json!({"id": "tier", "label": "Tier", "type": "choice", "options": ["gold", "silver", "bronze"]}),
        )
        .await
        .expect(201);
    assert_eq!(field.body["id"], "custom.tier");
    app.post("/api/v1/metadata/accounts/fields", &json!({"id": "credit_limit", "type": "money"})).await.expect(201);
    app.post("/api/v1/metadata/accounts/fields", &json!({"id": "visits", "type": "integer"})).await.expect(201);
    // A duplicate or malformed definition is refused.
    let dup = app.post("/api/v1/metadata/accounts/fields", &json!({"id": "tier", "type": "text"})).await;
    assert_eq!(dup.expect_problem(422, "validation").error_codes(), ["duplicate"]);
    let bad = app
        .post("/api/v1/metadata/accounts/fields", &json!({"id": "Bad Id", "type": "colour", "extra": 1}))
        .await
        .expect_problem(422, "validation");
    assert!(!bad.error_codes().is_empty());

    let meta = app.get("/api/v1/metadata/accounts").await.expect(200).body;
    assert!(meta["fields"].as_array().unwrap().iter().any(|f| f["id"] == "custom.tier" && f["type"] == "choice"));

    let gold = app
        .create(
            "accounts",
            json!({"name": "Gold Co", "custom": {"tier": "gold", "credit_limit": {"amount": "50000", "currency": "EUR"}, "visits": 3}}),
        )
        .await;
    assert_eq!(gold["custom"]["tier"], "gold");
    assert_eq!(gold["custom"]["credit_limit"]["amount_minor"], 5_000_000);
    app.create("accounts", json!({"name": "Silver Co", "custom": {"tier": "silver", "visits": 10}})).await;
    app.create("accounts", json!({"name": "Plain Co"})).await;

    let wrong =
        app.post("/api/v1/accounts", &json!({"name": "X", "custom": {"tier": "platinum", "visits": "many"}})).await;
    let wrong = wrong.expect_problem(422, "validation");
    let mut fields = wrong.error_fields();
    fields.sort();
    assert_eq!(fields, ["custom.tier", "custom.visits"]);
    app.post("/api/v1/accounts", &json!({"name": "X", "custom": {"nope": 1}})).await.expect_problem(422, "validation");

    let golds = app.list_all("accounts", "&filter=custom.tier%20%3D%20%22gold%22").await;
    assert_eq!(golds.iter().map(|a| a["name"].as_str().unwrap()).collect::<Vec<_>>(), ["Gold Co"]);
    let many_visits = app.list_all("accounts", "&filter=custom.visits%20%3E%205").await;
    assert_eq!(many_visits.len(), 1);
    let rich = app.list_all("accounts", "&filter=custom.credit_limit%20%3E%201000").await;
    assert_eq!(rich.len(), 1);
    let sorted = app.list_all("accounts", "&sort=-custom.visits").await;
    let names: Vec<&str> = sorted.iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Silver Co", "Gold Co", "Plain Co"], "descending, no value last");

    // Multi-choice and relation custom fields.
    let tags = json!({"id": "tags", "type": "multi_choice", "options": ["vip", "partner", "supplier"]});
    app.post("/api/v1/metadata/accounts/fields", &tags).await.expect(201);
    let link = json!({"id": "champion", "type": "relation", "target": "contacts"});
    app.post("/api/v1/metadata/accounts/fields", &link).await.expect(201);
    let champion = app.create("contacts", json!({"last_name": "Champion"})).await;
    let tagged = app
        .create(
            "accounts",
            json!({"name": "Tagged Co", "custom": {"tags": ["vip", "partner"], "champion": champion["id"]}}),
        )
        .await;
    assert_eq!(tagged["custom"]["tags"], json!(["vip", "partner"]));
    let missing = app
        .post("/api/v1/accounts", &json!({"name": "X", "custom": {"champion": "01890000-0000-7000-8000-000000000000"}}))
        .await
        .expect_problem(422, "validation");
    assert_eq!(missing.error_codes(), ["not_found"]);
    app.post("/api/v1/accounts", &json!({"name": "X", "custom": {"tags": ["gold"]}}))
        .await
        .expect_problem(422, "validation");
    let vip = app.list_all("accounts", "&filter=custom.tags%20%3D%20%22vip%22").await;
    assert_eq!(vip.iter().map(|a| a["name"].as_str().unwrap()).collect::<Vec<_>>(), ["Tagged Co"]);
    assert!(app.list_all("accounts", "&filter=custom.tags%20in%20(%22supplier%22)").await.is_empty());
    let by_champion = format!("&filter=custom.champion%20%3D%20%22{}%22", id_of(&champion));
    assert_eq!(app.list_all("accounts", &by_champion).await.len(), 1);

    // Removing the definition hides the field but keeps stored values.
    app.delete("/api/v1/metadata/accounts/fields/visits").await.expect(204);
    app.delete("/api/v1/metadata/accounts/fields/visits").await.expect_problem(404, "not-found");
    app.post("/api/v1/metadata/accounts/fields", &json!({"id": "visits", "type": "integer"})).await.expect(201);
    let again = app.get(&format!("/api/v1/accounts/{}", id_of(&gold))).await.expect(200).body;
    assert_eq!(again["custom"]["visits"], 3);
}

async fn lead_conversion_creates_account_contact_and_opportunity(app: TestApp) {
    let lead = app
        .create(
            "leads",
            json!({"first_name": "Jonas", "last_name": "Petrauskas", "company": "Neris Software UAB",
                "email": "jonas@neris.example.com", "phone": "+370 612 34567", "source": "web"}),
        )
        .await;
    let path = format!("/api/v1/leads/{}/convert", id_of(&lead));

    // A bad opportunity part refuses the whole conversion; nothing is created.
    let before = app.snapshot().await;
    let bad = app.post(&path, &json!({"opportunity": {"amount": {"amount": "12.345", "currency": "EUR"}}})).await;
    assert_eq!(bad.expect_problem(422, "validation").error_fields(), ["opportunity.amount"]);
    let bad_stage = app.post(&path, &json!({"opportunity": {"stage": "nowhere"}})).await;
    assert_eq!(bad_stage.expect_problem(422, "validation").error_fields(), ["opportunity.stage"]);
    assert_eq!(app.snapshot().await, before);

    let done = app
        .post(
            &path,
            &json!({"opportunity": {"name": "Neris CRM rollout", "amount": {"amount": "25000", "currency": "EUR"}}}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(done["account"]["name"], "Neris Software UAB");
    assert_eq!(done["contact"]["account"], done["account"]["id"]);
    assert_eq!(done["contact"]["emails"], json!(["jonas@neris.example.com"]));
    assert_eq!(done["contact"]["phones"], json!(["+37061234567"]));
    assert_eq!(done["opportunity"]["account"], done["account"]["id"]);
    assert_eq!(done["opportunity"]["primary_contact"], done["contact"]["id"]);
    assert_eq!(done["opportunity"]["stage"], "qualification");
    assert_eq!(done["lead"]["status"], "converted");
    assert_eq!(done["lead"]["converted_account"], done["account"]["id"]);
    assert_eq!(done["lead"]["converted_contact"], done["contact"]["id"]);
    assert_eq!(done["lead"]["converted_opportunity"], done["opportunity"]["id"]);

    let again = app.post(&path, &json!({})).await.expect_problem(422, "validation");
    assert_eq!(again.error_codes(), ["already_converted"]);

    // Converting into an existing account, without an opportunity.
    let other = app.create("leads", json!({"last_name": "Ivanova", "company": "Ignored"})).await;
    let existing = app.create("accounts", account("Existing Ltd")).await;
    let done = app
        .post(
            &format!("/api/v1/leads/{}/convert", id_of(&other)),
            &json!({"account": existing["id"], "opportunity": false}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(done["account"]["id"], existing["id"]);
    assert!(done["opportunity"].is_null());
    assert_eq!(app.list_all("accounts", "").await.len(), 2);
}

async fn stage_changes_are_recorded_and_shown_on_timelines(app: TestApp) {
    let acme = app.create("accounts", account("Acme")).await;
    let anna = app.create("contacts", json!({"last_name": "Nowak", "account": acme["id"]})).await;
    let opp = app
        .create(
            "opportunities",
            json!({"name": "Fleet renewal", "account": acme["id"], "primary_contact": anna["id"],
                "amount": {"amount": "12000.50", "currency": "PLN"}, "expected_close_date": "2026-12-31"}),
        )
        .await;
    assert_eq!(opp["stage"], "qualification", "the default pipeline's first open stage");
    assert_eq!(opp["status"], "open");
    assert_eq!(opp["probability"], 10);
    let path = format!("/api/v1/opportunities/{}", id_of(&opp));
    let moved = app.patch(&path, 1, &json!({"stage": "proposal"})).await.expect(200).body;
    assert_eq!(moved["probability"], 50);
    let won = app.patch(&path, 2, &json!({"stage": "won"})).await.expect(200).body;
    assert_eq!(won["status"], "won");
    assert_eq!(won["probability"], 100);
    assert!(won["closed_at"].is_string());
    let bad = app.patch(&path, 3, &json!({"stage": "heaven"})).await.expect_problem(422, "validation");
    assert_eq!(bad.error_fields(), ["stage"]);
    app.patch(&path, 3, &json!({"status": "lost"})).await.expect_problem(422, "validation");

    // An activity linked to the contact only is filed under its account too.
    let call = app
        .create(
            "activities",
            json!({"kind": "call", "subject": "Discussed the fleet", "contact": anna["id"], "direction": "outbound",
                "start_at": "2030-01-01T10:00:00Z", "end_at": "2030-01-01T10:12:00Z"}),
        )
        .await;
    assert_eq!(call["account"], acme["id"]);
    assert_eq!(call["occurred_at"], "2030-01-01T10:00:00.000000Z");
    app.post(
        "/api/v1/activities",
        &json!({"kind": "call", "subject": "Backwards", "contact": anna["id"], "start_at": "2030-01-01T10:00:00Z",
            "end_at": "2030-01-01T09:00:00Z"}),
    )
    .await
    .expect_problem(422, "validation");
    app.post("/api/v1/activities", &json!({"kind": "note", "subject": "Orphan"}))
        .await
        .expect_problem(422, "validation");

    let timeline = app.get(&format!("/api/v1/accounts/{}/timeline", id_of(&acme))).await.expect(200).body;
    let items = timeline["data"].as_array().unwrap();
    let kinds: Vec<&str> = items.iter().map(|i| i["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["activity", "stage_change", "stage_change", "stage_change", "opportunity"]);
    let stages: Vec<&str> = items[1..4].iter().map(|i| i["record"]["to_stage"].as_str().unwrap()).collect();
    assert_eq!(stages, ["won", "proposal", "qualification"], "newest first");
    assert_eq!(items[1]["record"]["from_stage"], "proposal");
    // Each change is titled with its opportunity's name (read after the
    // changes, in a step of its own).
    assert_eq!(items[1]["title"], "Fleet renewal: proposal → won");
    assert_eq!(items[3]["title"], "Fleet renewal: (new) → qualification");
    let times: Vec<&str> = items.iter().map(|i| i["at"].as_str().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "time order: {times:?}");

    // Paging the timeline gives the same items.
    let mut paged: Vec<Json> = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = app
            .get(&format!("/api/v1/accounts/{}/timeline?limit=2&cursor={cursor}", id_of(&acme)))
            .await
            .expect(200)
            .body;
        paged.extend(page["data"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(c) => cursor = c.to_string(),
            None => break,
        }
    }
    assert_eq!(&paged, items);

    let contact_timeline = app.get(&format!("/api/v1/contacts/{}/timeline", id_of(&anna))).await.expect(200).body;
    assert_eq!(contact_timeline["data"].as_array().unwrap().len(), 5);
    app.get(&format!("/api/v1/contacts/{}/timeline?cursor=garbage", id_of(&anna)))
        .await
        .expect_problem(400, "bad-request");
}

async fn pipelines_refuse_removing_a_stage_in_use(app: TestApp) {
    let p = app
        .create(
            "pipelines",
            json!({"name": "Renewals", "stages": [{"name": "Due", "probability": 40}, {"name": "Renewed", "kind": "won"},
                {"name": "Churned", "kind": "lost"}]}),
        )
        .await;
    assert_eq!(p["stages"][0]["id"], "due");
    let dup = app.post("/api/v1/pipelines", &json!({"name": "Renewals", "stages": p["stages"]})).await;
    assert_eq!(dup.expect_problem(422, "validation").error_codes(), ["duplicate"]);
    let bad = app
        .post("/api/v1/pipelines", &json!({"name": "Broken", "stages": [{"name": "Only", "probability": 120}]}))
        .await;
    assert!(bad.expect_problem(422, "validation").error_fields().contains(&"stages[0].probability".to_string()));

    let acme = app.create("accounts", account("Acme")).await;
    app.create("opportunities", json!({"name": "Renew", "account": acme["id"], "pipeline": p["id"], "stage": "due"}))
        .await;
    let path = format!("/api/v1/pipelines/{}", id_of(&p));
    let without_due = json!({"stages": [{"name": "Renewed", "kind": "won"}, {"name": "Churned", "kind": "lost"},
        {"name": "Pending", "probability": 30}]});
    let refused = app.patch(&path, 1, &without_due).await.expect_problem(422, "validation");
    assert_eq!(refused.error_codes(), ["stage_in_use"]);
    assert_eq!(app.get(&path).await.body["stages"], p["stages"]);
}

async fn account_hierarchies_refuse_cycles(app: TestApp) {
    let group = app.create("accounts", account("Group")).await;
    let child = app.create("accounts", json!({"name": "Child", "parent_account": group["id"]})).await;
    let grandchild = app.create("accounts", json!({"name": "Grandchild", "parent_account": child["id"]})).await;
    let cycle = app
        .patch(&format!("/api/v1/accounts/{}", id_of(&group)), 1, &json!({"parent_account": grandchild["id"]}))
        .await
        .expect_problem(422, "validation");
    assert_eq!(cycle.error_codes(), ["cycle"]);
    let children = app.list_all("accounts", &format!("&filter=parent_account%20%3D%20%22{}%22", id_of(&group))).await;
    assert_eq!(children.len(), 1);
}

/// A batch of the importer checks its rows' relation targets together (in
/// chunks, a few statements for thousands): every existing account is
/// found, the one missing is refused on its own line.
async fn an_import_checks_thousands_of_references_and_refuses_the_missing_one(app: TestApp) {
    const ROWS: usize = 2100;
    let import = |entity: &'static str, csv: String, query: &'static str| {
        let app = &app;
        async move {
            let path = format!("/api/v1/{entity}/import{query}");
            let headers = [("content-type", "text/csv")];
            app.send(reqwest::Method::POST, &path, Some(&app.token), &headers, Some(csv.into_bytes())).await
        }
    };
    let names: String = (0..ROWS).map(|n| format!("Account {n:04}\n")).collect();
    let report = import("accounts", format!("name\n{names}"), "").await.expect(200).body;
    assert_eq!(report["imported"], ROWS, "{report}");
    let accounts = app.list_all("accounts", "").await;
    assert_eq!(accounts.len(), ROWS);
    let missing = "0190c3f2-0000-7000-8000-000000000000";
    let mut csv = String::from("last_name,account\n");
    for (n, account) in accounts.iter().enumerate() {
        csv.push_str(&format!("Contact {n:04},{}\n", account["id"].as_str().unwrap()));
        if n == 1500 {
            csv.push_str(&format!("Nobody,{missing}\n"));
        }
    }
    let refused = import("contacts", csv.clone(), "").await.expect_problem(422, "validation");
    assert_eq!(refused.error_fields(), ["rows[1503].account"], "{}", refused.body);
    assert!(app.list_all("contacts", "").await.is_empty(), "all or nothing: nothing");
    let report = import("contacts", csv, "?skip_bad_rows=true").await.expect(200).body;
    assert_eq!((report["imported"].as_i64(), report["skipped"].as_i64()), (Some(ROWS as i64), Some(1)), "{report}");
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{report}");
    // Line 1 is the header: the missing account's row is line 1503.
    assert_eq!((errors[0]["line"].as_i64(), errors[0]["field"].as_str()), (Some(1503), Some("account")), "{report}");
    let contacts = app.list_all("contacts", "&filter=last_name%20%3D%20%22Contact%202099%22").await;
    assert_eq!(contacts.len(), 1);
    assert_eq!(contacts[0]["account"], accounts[ROWS - 1]["id"], "each row keeps its own account");
}
