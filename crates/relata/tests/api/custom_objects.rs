//! Custom objects: administrators define entity types at run time, and the
//! generic machinery serves them like a module's types, on both backends.
//! (The conformance test runs the full set of record operations over them.)

use crate::helpers::{TestApp, account, contact, id_of, version_of};
use serde_json::{Value as Json, json};

crate::both_backends!(
    a_defined_object_gets_the_whole_record_api,
    definitions_change_under_rules_and_go_only_when_unused,
    bad_definitions_are_refused_by_member_and_write_nothing,
);

/// A vehicle fleet, as a company without a developer would model it.
pub fn vehicles() -> Json {
    json!({
        "id": "vehicles",
        "label": "Vehicle",
        "fields": [
            {"id": "registration", "type": "text", "required": true, "unique": true},
            {"id": "make", "type": "choice", "options": ["Volvo", "Scania", "MAN"]},
            {"id": "mileage", "type": "integer"},
            {"id": "account", "type": "relation", "target": "accounts"},
            {"id": "driver", "type": "relation", "target": "contacts"},
            {"id": "serviced_at", "type": "datetime"},
            {"id": "price", "type": "money"},
            {"id": "notes", "type": "long_text"},
            {"id": "towed_by", "type": "relation", "target": "vehicles"}
        ],
        "title_fields": ["registration"],
        "episode": {"links": ["account", "driver"], "at": "serviced_at"},
        "personal_fields": ["notes"]
    })
}

async fn a_defined_object_gets_the_whole_record_api(app: TestApp) {
    let before = app.get("/api/v1/changes?limit=1000").await.expect(200).body["next_cursor"].clone();
    let defined = app.post("/api/v1/metadata/entities", &vehicles()).await.expect(201);
    assert_eq!(defined.header("location"), Some("/api/v1/metadata/entities/vehicles"));
    assert_eq!(defined.header("etag"), Some("\"1\""));
    let definition = &defined.body;
    assert_eq!(definition["plural_label"], "Vehicles", "a plural label by default");
    assert_eq!(definition["global_search"], true);
    assert_eq!(definition["fields"][0]["searchable"], true, "text fields are searched by default");
    assert_eq!(definition["fields"][2]["searchable"], false);

    // The metadata and the OpenAPI document describe it like any type.
    let metadata = app.get("/api/v1/metadata/vehicles").await.expect(200).body;
    assert_eq!(metadata["custom"], true);
    assert_eq!(metadata["label"], "Vehicle");
    let ids: Vec<&str> = metadata["fields"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"registration") && ids.contains(&"owner") && ids.contains(&"towed_by"), "{ids:?}");
    let openapi = app.get("/api/v1/openapi.json").await.expect(200).body;
    assert!(openapi["paths"]["/api/v1/vehicles"]["post"].is_object(), "the workspace's document lists it");
    assert!(openapi["paths"]["/api/v1/vehicles/{id}/history"]["get"].is_object());

    // Records: parsed and checked against the definition.
    let acme = app.create("accounts", account("Acme Haulage")).await;
    let anna = app.create("contacts", contact("Anna", "Nowak")).await;
    let bad = app.post("/api/v1/vehicles", &json!({"make": "Tesla", "mileage": "far"})).await.expect(422);
    assert_eq!(bad.error_fields(), ["make", "mileage"], "{:?}", bad.body);
    let bad = app.post("/api/v1/vehicles", &json!({"account": uuid::Uuid::now_v7()})).await.expect(422);
    let mut fields = bad.error_fields();
    fields.sort();
    assert_eq!(fields, ["account", "registration"], "{:?}", bad.body);
    let truck = app
        .create(
            "vehicles",
            json!({"registration": "GD 12345", "make": "Volvo", "mileage": 120000, "account": id_of(&acme),
                   "driver": id_of(&anna), "serviced_at": "2026-11-30T10:00:00Z",
                   "price": {"amount": "85000.00", "currency": "EUR"}, "notes": "Anna parks it at home"}),
        )
        .await;
    assert_eq!(truck["registration"], "GD 12345");
    assert_eq!(truck["price"]["amount"], "85000.00");
    let duplicate = app.post("/api/v1/vehicles", &json!({"registration": "GD 12345"})).await.expect(422);
    assert_eq!(duplicate.error_codes(), ["duplicate"]);
    let trailer =
        app.create("vehicles", json!({"registration": "GD 99", "mileage": 900, "towed_by": id_of(&truck)})).await;

    // Filters and sorts on its fields, search, and global search.
    let heavy = app.list_all("vehicles", "&filter=mileage%20%3E%201000").await;
    assert_eq!(heavy.iter().map(id_of).collect::<Vec<_>>(), [id_of(&truck)]);
    let sorted = app.list_all("vehicles", "&sort=mileage").await;
    assert_eq!(sorted.iter().map(id_of).collect::<Vec<_>>(), [id_of(&trailer), id_of(&truck)]);
    let by_make = app.list_all("vehicles", "&filter=make%20%3D%20%22Volvo%22").await;
    assert_eq!(by_make.len(), 1);
    let found = app.list_all("vehicles", "&q=gd%2012345").await;
    assert_eq!(found.len(), 1);
    let everywhere = app.get("/api/v1/search?q=12345").await.expect(200).body;
    let hit = everywhere["data"].as_array().unwrap().iter().find(|h| h["entity"] == "vehicles").expect("found");
    assert_eq!(hit["title"], "GD 12345", "titled by its title field");

    // Update under If-Match, history, trash and restore.
    let path = format!("/api/v1/vehicles/{}", id_of(&truck));
    app.patch(&path, 7, &json!({"mileage": 1})).await.expect(412);
    let changed = app.patch(&path, version_of(&truck), &json!({"mileage": 125000})).await.expect(200).body;
    assert_eq!(changed["mileage"], 125000);
    let history = app.get(&format!("{path}/history")).await.expect(200).body;
    assert_eq!(history["data"].as_array().unwrap().len(), 2);
    let update = history["data"].as_array().unwrap().iter().find(|c| c["op"] == "update").expect("an update");
    assert_eq!(update["changes"]["mileage"]["after"], 125000);

    // Its records are episodes of the account's and the contact's stories.
    for owner in [format!("/api/v1/accounts/{}", id_of(&acme)), format!("/api/v1/contacts/{}", id_of(&anna))] {
        let timeline = app.get(&format!("{owner}/timeline")).await.expect(200).body;
        let item = timeline["data"].as_array().unwrap().iter().find(|i| i["id"] == truck["id"]).expect("episode");
        assert_eq!(item["title"], "GD 12345");
        assert_eq!(item["at"], "2026-11-30T10:00:00.000000Z");
    }
    // The vehicle's own page-level related list: the trailer it tows.
    let towed = app.list_all("vehicles", &format!("&filter=towed_by%20%3D%20%22{}%22", id_of(&truck))).await;
    assert_eq!(towed.len(), 1);

    // A field added later joins its own fields (no `custom.` prefix).
    let colour = app.post("/api/v1/metadata/vehicles/fields", &json!({"id": "colour", "type": "text"})).await;
    assert_eq!(colour.expect(201).body["id"], "colour");
    let painted = app.patch(&path, version_of(&changed), &json!({"colour": "red"})).await.expect(200).body;
    assert_eq!(painted["colour"], "red");

    // CSV export and the personal-data erasure of the driver.
    let csv = app.get("/api/v1/vehicles/export?format=csv").await;
    assert_eq!(csv.status, 200);
    let erased = app.post(&format!("/api/v1/contacts/{}/erase", id_of(&anna)), &json!({})).await.expect(200).body;
    assert_eq!(erased["vehicles"], 1, "{erased}");
    let after = app.get(&path).await.expect(200).body;
    assert!(after["notes"].is_null(), "personal fields cleared: {after}");
    assert_eq!(after["registration"], "GD 12345");

    // The feed: the definition first, then its records.
    let feed = app.get(&format!("/api/v1/changes?after={}&limit=100", before.as_str().unwrap())).await.expect(200);
    let entries = feed.body["data"].as_array().unwrap();
    assert_eq!(entries[0]["entity"], "metadata");
    assert_eq!(entries[0]["changes"]["entity"]["id"], "vehicles");
    assert!(entries.iter().any(|e| e["entity"] == "vehicles" && e["record_id"] == truck["id"] && e["op"] == "create"));
    let only = app.get("/api/v1/changes?entities=vehicles&limit=100").await.expect(200).body;
    assert!(only["data"].as_array().unwrap().iter().all(|e| e["entity"] == "vehicles"));
}

async fn definitions_change_under_rules_and_go_only_when_unused(app: TestApp) {
    app.post("/api/v1/metadata/entities", &vehicles()).await.expect(201);
    let truck = app.create("vehicles", json!({"registration": "GD 1", "mileage": 5})).await;

    // Members given replace the definition's; types stay.
    let changed_type = app
        .send(
            reqwest::Method::PATCH,
            "/api/v1/metadata/entities/vehicles",
            Some(&app.token),
            &[("content-type", "application/json"), ("if-match", "\"1\"")],
            Some({
                let mut fields = vehicles()["fields"].clone();
                fields[2]["type"] = json!("text");
                json!({ "fields": fields }).to_string().into_bytes()
            }),
        )
        .await
        .expect(422);
    assert_eq!(changed_type.error_fields(), ["fields[2].type"]);
    let stale = app
        .send(
            reqwest::Method::PATCH,
            "/api/v1/metadata/entities/vehicles",
            Some(&app.token),
            &[("content-type", "application/json"), ("if-match", "\"9\"")],
            Some(json!({"label": "Truck"}).to_string().into_bytes()),
        )
        .await;
    assert_eq!(stale.status, 412);
    let relabelled = app
        .send(
            reqwest::Method::PATCH,
            "/api/v1/metadata/entities/vehicles",
            Some(&app.token),
            &[("content-type", "application/json"), ("if-match", "\"1\"")],
            Some(json!({"label": "Truck", "plural_label": "Trucks"}).to_string().into_bytes()),
        )
        .await
        .expect(200);
    assert_eq!(relabelled.header("etag"), Some("\"2\""));
    assert_eq!(app.get("/api/v1/metadata/vehicles").await.expect(200).body["plural_label"], "Trucks");

    // Removing a field keeps its stored values; adding it back shows them.
    app.delete("/api/v1/metadata/vehicles/fields/mileage").await.expect(204);
    let read = app.get(&format!("/api/v1/vehicles/{}", id_of(&truck))).await.expect(200).body;
    assert!(read.get("mileage").is_none(), "{read}");
    app.post("/api/v1/metadata/vehicles/fields", &json!({"id": "mileage", "type": "integer"})).await.expect(201);
    let read = app.get(&format!("/api/v1/vehicles/{}", id_of(&truck))).await.expect(200).body;
    assert_eq!(read["mileage"], 5);

    // A standard type may relate to it; then it cannot go.
    app.post("/api/v1/metadata/contacts/fields", &json!({"id": "car", "type": "relation", "target": "vehicles"}))
        .await
        .expect(201);
    app.create("contacts", json!({"first_name": "Jan", "last_name": "Kowalski", "custom": {"car": id_of(&truck)}}))
        .await;
    let used = app.delete("/api/v1/metadata/entities/vehicles").await.expect_problem(409, "conflict");
    assert!(used.body["detail"].as_str().unwrap().contains("contacts.custom.car"), "{:?}", used.body);
    app.delete("/api/v1/metadata/contacts/fields/car").await.expect(204);
    let live = app.delete("/api/v1/metadata/entities/vehicles").await.expect_problem(409, "conflict");
    assert!(
        live.body["detail"].as_str().unwrap().contains("vehicles has 1 record; move it to the trash first"),
        "{:?}",
        live.body
    );

    // Trashed records go with it; then the type is gone everywhere.
    app.delete(&format!("/api/v1/vehicles/{}", id_of(&truck))).await.expect(200);
    app.delete("/api/v1/metadata/entities/vehicles").await.expect(204);
    app.get("/api/v1/vehicles").await.expect_problem(404, "no-route");
    app.get("/api/v1/metadata/entities/vehicles").await.expect(404);
    let listed = app.get("/api/v1/metadata/entities").await.expect(200).body;
    assert_eq!(listed["data"], json!([]));
    let audit = app.audit("action=entity.delete").await;
    assert_eq!(audit[0]["details"]["trashed_records_removed"], 1);
    // And it can be defined anew, empty.
    app.post("/api/v1/metadata/entities", &vehicles()).await.expect(201);
    assert!(app.list_all("vehicles", "&deleted=true").await.is_empty());
}

async fn bad_definitions_are_refused_by_member_and_write_nothing(app: TestApp) {
    let cursor = app.get("/api/v1/changes?limit=1000").await.expect(200).body["next_cursor"].clone();
    let refused = |body: Json, fields: &'static [&'static str]| {
        let app = &app;
        async move {
            let reply = app.post("/api/v1/metadata/entities", &body).await.expect(422);
            let mut got = reply.error_fields();
            got.sort();
            assert_eq!(got, fields, "{body} → {:?}", reply.body);
            reply
        }
    };
    let with = |member: &str, value: Json| {
        let mut body = vehicles();
        body[member] = value;
        body
    };
    // Names taken by standard types, their singulars, Relata's paths and
    // the next modules; names of the wrong shape.
    for name in ["accounts", "contact", "changes", "metadata", "invoices", "entities", "Vehicles", "v", "2cars"] {
        let reply = refused(with("id", json!(name)), &["id"]).await;
        assert!(["reserved", "invalid_id"].contains(&reply.error_codes()[0].as_str()), "{name}");
    }
    refused(with("label", json!("")), &["label"]).await;
    refused(json!({"id": "vehicles", "label": "Vehicle", "fields": []}), &["fields"]).await;
    refused(
        json!({"id": "vehicles", "label": "Vehicle", "fields": [
                {"id": "registration", "type": "text"},
                {"id": "registration", "type": "text"},
                {"id": "owner", "type": "text"},
                {"id": "boss", "type": "relation", "target": "bosses"},
                {"id": "size", "type": "shoe"},
                {"id": "tier", "type": "choice"},
                {"id": "weight", "type": "number", "unique": true},
                {"id": "wheels", "type": "integer", "searchable": true},
                {"id": "colour", "type": "text", "colour": "red"}
        ]}),
        &[
            "fields[1].id",
            "fields[2].id",
            "fields[3].target",
            "fields[4].type",
            "fields[5].options",
            "fields[6].unique",
            "fields[7].searchable",
            "fields[8]",
        ],
    )
    .await;
    refused(with("title_fields", json!(["mileage", "nothing"])), &["title_fields[0]", "title_fields[1]"]).await;
    refused(with("episode", json!({"links": ["mileage"], "at": "make"})), &["episode.at", "episode.links[0]"]).await;
    refused(with("personal_fields", json!(["nothing"])), &["personal_fields[0]"]).await;
    let unknown = app.post("/api/v1/metadata/entities", &with("colour", json!("red"))).await.expect(422);
    assert_eq!(unknown.error_codes(), ["invalid_body"]);

    // Only administrators define types.
    let rep = app.member("rep@example.com", "sales_rep").await;
    app.post_as(&rep.token, "/api/v1/metadata/entities", &vehicles()).await.expect(403);

    // Nothing was written: no definition, no feed entry, no route.
    assert_eq!(app.get("/api/v1/metadata/entities").await.expect(200).body["data"], json!([]));
    let feed = app.get(&format!("/api/v1/changes?after={}", cursor.as_str().unwrap())).await.expect(200).body;
    assert_eq!(feed["data"], json!([]));
    app.get("/api/v1/vehicles").await.expect_problem(404, "no-route");

    // Another workspace's object is its own business.
    app.post("/api/v1/metadata/entities", &vehicles()).await.expect(201);
    let (_, other_token) = app.other_workspace("other").await;
    app.get_as(&other_token, "/api/v1/vehicles").await.expect_problem(404, "no-route");
    let theirs = json!({"id": "vehicles", "label": "Van", "fields": [{"id": "plate", "type": "text"}]});
    app.post_as(&other_token, "/api/v1/metadata/entities", &theirs).await.expect(201);
    let mine = app.get("/api/v1/metadata/vehicles").await.expect(200).body;
    assert!(mine["fields"].as_array().unwrap().iter().all(|f| f["id"] != "plate"));
}
