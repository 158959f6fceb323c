//! Offline sync over `/api/v1/sync`: subscriptions with related records,
//! first and incremental pulls, records moving out (subscription changes,
//! reassignment, deletion), a pull whose answer was lost, a device far
//! behind, pushes that merge, conflict under each policy and replay, and
//! bad input; on both backends. `Replica` is a small client that applies
//! what it pulls, as the offline client does.

use crate::helpers::{TestApp, account, id_of, version_of};
use serde_json::{Value as Json, json};
use std::collections::BTreeMap;

crate::both_backends!(
    a_first_sync_brings_the_subscribed_records_and_what_they_bring,
    records_move_in_and_out_of_a_device,
    a_pull_whose_answer_was_lost_is_answered_again,
    a_device_a_week_behind_catches_up,
    pushes_merge_settle_conflicts_and_apply_once,
    bad_sync_input_is_refused_and_loses_nothing,
    the_offline_client_works_without_the_network_and_syncs_on_demand,
);

/// A device's copy: records by (type, id), as the pulls left them.
struct Replica {
    device: String,
    token: String,
    cursor: Option<String>,
    records: BTreeMap<(String, String), Json>,
    /// Removals seen, with their reasons.
    removed: Vec<(String, String, String)>,
    /// Metadata entries seen (a count of pulls that carried one).
    metadata: usize,
    pulls: usize,
}

impl Replica {
    async fn register(app: &TestApp, token: &str, subscriptions: Json) -> Replica {
        let device = app
            .post_as(token, "/api/v1/sync/devices", &json!({"name": "Laptop", "subscriptions": subscriptions}))
            .await
            .expect(201)
            .body;
        Replica {
            device: id_of(&device),
            token: token.to_string(),
            cursor: None,
            records: BTreeMap::new(),
            removed: Vec::new(),
            metadata: 0,
            pulls: 0,
        }
    }

    /// One pull: applies it and moves the cursor; the answer's body.
    async fn pull_once(&mut self, app: &TestApp, limit: u64) -> Json {
        let body = match &self.cursor {
            Some(cursor) => json!({"cursor": cursor, "limit": limit}),
            None => json!({"limit": limit}),
        };
        let path = format!("/api/v1/sync/devices/{}/pull", self.device);
        let page = app.post_as(&self.token, &path, &body).await.expect(200).body;
        if self.cursor.is_none() {
            self.records.clear();
        }
        self.apply(&page);
        self.cursor = Some(page["cursor"].as_str().unwrap().to_string());
        self.pulls += 1;
        page
    }

    fn apply(&mut self, page: &Json) {
        for (n, change) in page["changes"].as_array().unwrap().iter().enumerate() {
            let key = || (change["entity"].as_str().unwrap().to_string(), change["id"].as_str().unwrap().to_string());
            match change["op"].as_str().unwrap() {
                "metadata" => {
                    assert_eq!(n, 0, "metadata comes before the records");
                    self.metadata += 1;
                }
                "upsert" => {
                    self.records.insert(key(), change["record"].clone());
                }
                "remove" => {
                    self.records.remove(&key());
                    let (entity, id) = key();
                    self.removed.push((entity, id, change["reason"].as_str().unwrap().to_string()));
                }
                other => panic!("unknown op {other}"),
            }
        }
    }

    /// Pulls until the server says there is no more.
    async fn sync(&mut self, app: &TestApp) {
        for _ in 0..200 {
            if !self.pull_once(app, 500).await["more"].as_bool().unwrap() {
                return;
            }
        }
        panic!("the pulls did not end");
    }

    fn ids(&self, entity: &str) -> Vec<String> {
        self.records.keys().filter(|(e, _)| e == entity).map(|(_, id)| id.clone()).collect()
    }

    fn has(&self, entity: &str, record: &Json) -> bool {
        self.records.contains_key(&(entity.to_string(), id_of(record)))
    }

    fn removal(&self, record: &Json) -> Option<&str> {
        self.removed.iter().rev().find(|(_, id, _)| *id == id_of(record)).map(|(_, _, reason)| reason.as_str())
    }
}

/// Accounts in the north and the south with contacts and opportunities.
struct World {
    north: Json,
    north2: Json,
    south: Json,
    ann: Json,
    bob: Json,
    sue: Json,
    open_deal: Json,
    won_deal: Json,
    /// Issued to the northern account, to be paid.
    invoice: Json,
}

async fn world(app: &TestApp) -> World {
    let north = app.create("accounts", json!({"name": "Gdynia Tools", "territory": "north"})).await;
    let north2 = app.create("accounts", json!({"name": "Sopot Parts", "territory": "north"})).await;
    let south = app.create("accounts", json!({"name": "Krakow Metal", "territory": "south"})).await;
    let ann = app.create("contacts", json!({"last_name": "Ann", "account": north["id"]})).await;
    let bob = app.create("contacts", json!({"last_name": "Bob", "account": north2["id"]})).await;
    let sue = app.create("contacts", json!({"last_name": "Sue", "account": south["id"]})).await;
    let open_deal = app.create("opportunities", json!({"name": "Drills", "account": north["id"]})).await;
    let won_deal = app.create("opportunities", json!({"name": "Saws", "account": north["id"]})).await;
    let path = format!("/api/v1/opportunities/{}", id_of(&won_deal));
    let won_deal = app.patch(&path, version_of(&won_deal), &json!({"stage": "won"})).await.expect(200).body;
    let body = json!({"account": north["id"], "currency": "EUR", "payment_terms_days": 14,
                      "lines": [{"description": "Drill bits", "quantity": "3",
                                 "unit_price": {"amount": "40.00", "currency": "EUR"}, "tax_rate": "23"}]});
    let draft = app.post("/api/v1/invoices", &body).await.expect(201).body;
    let path = format!("/api/v1/invoices/{}", id_of(&draft));
    let invoice = app.patch(&path, version_of(&draft), &json!({"status": "issued"})).await.expect(200).body;
    World { north, north2, south, ann, bob, sue, open_deal, won_deal, invoice }
}

const NORTH: &str = r#"territory = "north""#;

async fn a_first_sync_brings_the_subscribed_records_and_what_they_bring(app: TestApp) {
    let w = world(&app).await;
    let mut laptop = Replica::register(&app, &app.token, json!([{"entity": "accounts", "filter": NORTH}])).await;
    // Small pages: the first sync streams.
    let first = laptop.pull_once(&app, 1).await;
    assert_eq!(first["more"], true);
    assert_eq!(first["changes"][0]["op"], "metadata", "the types' descriptions come first");
    let accounts = first["changes"][0]["entities"].as_array().unwrap();
    assert!(accounts.iter().any(|e| e["name"] == "accounts" && e["fields"].as_array().unwrap().len() > 3));
    while laptop.pull_once(&app, 1).await["more"] == true {}
    assert!(laptop.pulls > 2, "paged");
    assert!(laptop.has("accounts", &w.north) && laptop.has("accounts", &w.north2));
    assert!(!laptop.has("accounts", &w.south), "the south is not the rep's");
    assert!(laptop.has("contacts", &w.ann) && laptop.has("contacts", &w.bob));
    assert!(!laptop.has("contacts", &w.sue));
    assert!(laptop.has("opportunities", &w.open_deal), "open opportunities come along");
    assert!(!laptop.has("opportunities", &w.won_deal), "won ones do not");
    let invoice = &laptop.records[&("invoices".to_string(), id_of(&w.invoice))];
    assert_eq!(invoice["lines"][0]["description"], "Drill bits", "a document comes with its lines: {invoice}");
    let ann = &laptop.records[&("contacts".to_string(), id_of(&w.ann))];
    assert_eq!(ann["last_name"], "Ann");
    assert_eq!(ann["version"], w.ann["version"]);
    // Nothing changed: nothing comes.
    let quiet = laptop.pull_once(&app, 500).await;
    assert_eq!(quiet["changes"], json!([]), "{quiet}");
    assert_eq!(quiet["more"], false);

    // An activity ages out of the 90 days the account brings, with no
    // change to tell: the next day's pull removes it, and sends nothing else.
    let started = app.app.app.store.now() - chrono::Duration::days(89);
    let call = app
        .create(
            "activities",
            json!({"kind": "call", "subject": "Visit", "account": w.north["id"],
                   "start_at": relata_core::value::format_datetime(&started)}),
        )
        .await;
    laptop.sync(&app).await;
    assert!(laptop.has("activities", &call));
    app.app.app.store.clock().advance(chrono::Duration::days(2));
    let before = laptop.records.len();
    let mut upserts = 0;
    loop {
        let page = laptop.pull_once(&app, 500).await;
        upserts += page["changes"].as_array().unwrap().iter().filter(|c| c["op"] == "upsert").count();
        if page["more"] != true {
            break;
        }
    }
    assert_eq!(upserts, 0, "what the device holds is not sent again");
    assert!(!laptop.has("activities", &call), "aged out");
    assert_eq!(laptop.removal(&call), Some("out_of_subscription"));
    assert_eq!(laptop.records.len(), before - 1);

    // Only some related types, and none.
    let mut phone =
        Replica::register(&app, &app.token, json!([{"entity": "accounts", "filter": NORTH, "related": ["contacts"]}]))
            .await;
    phone.sync(&app).await;
    assert!(phone.has("contacts", &w.ann) && !phone.has("opportunities", &w.open_deal));
    let mut watch =
        Replica::register(&app, &app.token, json!([{"entity": "accounts", "filter": NORTH, "related": []}])).await;
    watch.sync(&app).await;
    assert_eq!(watch.records.len(), 2, "the two northern accounts alone");

    // Accounts bring their contacts in the same step: a page of them is a
    // share of the pull's limit, so the answer stays near it.
    for n in 0..10 {
        let account = app.create("accounts", json!({"name": format!("North {n}"), "territory": "north"})).await;
        for c in 0..5 {
            app.create("contacts", json!({"last_name": format!("Contact {n}.{c}"), "account": account["id"]})).await;
        }
    }
    let mut tablet = Replica::register(&app, &app.token, json!([{"entity": "accounts", "filter": NORTH}])).await;
    let first = tablet.pull_once(&app, 10).await;
    let records = first["changes"].as_array().unwrap().iter().filter(|c| c["op"] != "metadata").count();
    assert!((1..=20).contains(&records), "{records} changes for a limit of 10");
    tablet.sync(&app).await;
    assert_eq!(tablet.ids("accounts").len(), 12, "every northern account, page by page");
    assert_eq!(tablet.ids("contacts").len(), 52);

    // Another user's devices are not yours.
    let rep = app.member("rep@example.com", "sales_rep").await;
    let path = format!("/api/v1/sync/devices/{}/pull", laptop.device);
    app.post_as(&rep.token, &path, &json!({})).await.expect_problem(404, "not-found");
    let theirs = app.get_as(&rep.token, "/api/v1/sync/devices").await.expect(200).body;
    assert_eq!(theirs["data"], json!([]));
}

async fn records_move_in_and_out_of_a_device(app: TestApp) {
    let w = world(&app).await;
    let mut laptop = Replica::register(&app, &app.token, json!([{"entity": "accounts", "filter": NORTH}])).await;
    laptop.sync(&app).await;
    // The same subscription through a field only the database knows: the
    // same records come and go.
    let dated = format!(r#"{NORTH} and created_at > "2000-01-01T00:00:00Z""#);
    let mut tablet = Replica::register(&app, &app.token, json!([{"entity": "accounts", "filter": dated}])).await;
    tablet.sync(&app).await;

    // A change of a held record, a new related record, a deletion.
    let ann_path = format!("/api/v1/contacts/{}", id_of(&w.ann));
    app.patch(&ann_path, version_of(&w.ann), &json!({"first_name": "Anna"})).await.expect(200);
    let cid = app.create("contacts", json!({"last_name": "Cid", "account": w.north2["id"]})).await;
    app.delete(&format!("/api/v1/contacts/{}", id_of(&w.bob))).await.expect(200);
    // A change outside the subscription sends nothing.
    let sue_path = format!("/api/v1/contacts/{}", id_of(&w.sue));
    app.patch(&sue_path, version_of(&w.sue), &json!({"first_name": "Susan"})).await.expect(200);
    let page = laptop.pull_once(&app, 500).await;
    let changes = page["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 3, "{page}");
    assert_eq!(laptop.records[&("contacts".into(), id_of(&w.ann))]["first_name"], "Anna");
    assert!(laptop.has("contacts", &cid));
    assert_eq!(laptop.removal(&w.bob), Some("deleted"), "a deletion is a tombstone");

    // The account moves south: it leaves with what it brought.
    let north2 = app.get(&format!("/api/v1/accounts/{}", id_of(&w.north2))).await.expect(200).body;
    let path = format!("/api/v1/accounts/{}", id_of(&w.north2));
    app.patch(&path, version_of(&north2), &json!({"territory": "south"})).await.expect(200);
    laptop.sync(&app).await;
    assert_eq!(laptop.removal(&w.north2), Some("out_of_subscription"));
    assert_eq!(laptop.removal(&cid), Some("out_of_subscription"), "its contact goes with it");
    assert!(laptop.has("accounts", &w.north) && laptop.has("contacts", &w.ann));
    tablet.sync(&app).await;
    assert_eq!(tablet.records.keys().collect::<Vec<_>>(), laptop.records.keys().collect::<Vec<_>>());

    // A deal won leaves (only open ones come along); a new one comes.
    let deal_path = format!("/api/v1/opportunities/{}", id_of(&w.open_deal));
    app.patch(&deal_path, version_of(&w.open_deal), &json!({"stage": "won"})).await.expect(200);
    laptop.sync(&app).await;
    assert_eq!(laptop.removal(&w.open_deal), Some("out_of_subscription"));

    // New subscriptions: a full pass adds what came in and removes what left.
    let subscriptions = json!({"subscriptions": [{"entity": "accounts", "filter": r#"territory = "south""#}]});
    let path = format!("/api/v1/sync/devices/{}/subscriptions", laptop.device);
    app.put_as(&app.token, &path, &subscriptions).await.expect(200);
    laptop.sync(&app).await;
    assert!(laptop.has("accounts", &w.south) && laptop.has("accounts", &w.north2));
    assert!(laptop.has("contacts", &w.sue) && laptop.has("contacts", &cid));
    assert!(!laptop.has("accounts", &w.north) && !laptop.has("contacts", &w.ann));
    assert_eq!(laptop.removal(&w.north), Some("out_of_subscription"));
    let server_side: Vec<String> =
        app.list_all("accounts", "&filter=territory%20%3D%20%22south%22").await.iter().map(id_of).collect();
    assert_eq!(laptop.ids("accounts").len(), server_side.len());

    // A rep's own accounts ("owner = me"): one reassigned away leaves.
    let rep = app.member("rep@example.com", "sales_rep").await;
    let mine = app.post_as(&rep.token, "/api/v1/accounts", &account("Rep One")).await.expect(201).body;
    let other = app.post_as(&rep.token, "/api/v1/accounts", &account("Rep Two")).await.expect(201).body;
    let mut rep_laptop =
        Replica::register(&app, &rep.token, json!([{"entity": "accounts", "filter": "owner = me"}])).await;
    rep_laptop.sync(&app).await;
    assert_eq!(rep_laptop.ids("accounts").len(), 2);
    let admin = app.admin_id().await;
    let path = format!("/api/v1/accounts/{}", id_of(&other));
    app.patch(&path, version_of(&other), &json!({"owner": admin})).await.expect(200);
    rep_laptop.sync(&app).await;
    assert!(rep_laptop.has("accounts", &mine));
    assert_eq!(rep_laptop.removal(&other), Some("out_of_reach"), "reassigned to someone the rep may not read");
}

async fn a_pull_whose_answer_was_lost_is_answered_again(app: TestApp) {
    let w = world(&app).await;
    let mut laptop = Replica::register(&app, &app.token, json!([{"entity": "accounts", "filter": NORTH}])).await;
    laptop.sync(&app).await;
    let before = laptop.cursor.clone();
    let ann_path = format!("/api/v1/contacts/{}", id_of(&w.ann));
    app.patch(&ann_path, version_of(&w.ann), &json!({"first_name": "Anna"})).await.expect(200);
    app.delete(&format!("/api/v1/contacts/{}", id_of(&w.bob))).await.expect(200);
    // The answer is lost on the way: the device does not apply it.
    let path = format!("/api/v1/sync/devices/{}/pull", laptop.device);
    let lost = app.post_as(&app.token, &path, &json!({"cursor": before})).await.expect(200).body;
    assert_eq!(lost["changes"].as_array().unwrap().len(), 2);
    // Asked again with the cursor it has: the same changes come again.
    let again = laptop.pull_once(&app, 500).await;
    assert_eq!(again["changes"], lost["changes"]);
    assert_eq!(laptop.records[&("contacts".into(), id_of(&w.ann))]["first_name"], "Anna");
    assert_eq!(laptop.removal(&w.bob), Some("deleted"));
    // Confirmed now: they do not come a third time.
    let quiet = laptop.pull_once(&app, 500).await;
    assert_eq!(quiet["changes"], json!([]));
    // A full pass whose answer is lost: its removals come again.
    let path_subs = format!("/api/v1/sync/devices/{}/subscriptions", laptop.device);
    let south = json!({"subscriptions": [{"entity": "accounts", "filter": r#"territory = "south""#}]});
    app.put_as(&app.token, &path_subs, &south).await.expect(200);
    let confirmed = laptop.cursor.clone();
    let lost = app.post_as(&app.token, &path, &json!({"cursor": confirmed})).await.expect(200).body;
    let removed = |page: &Json| page["changes"].as_array().unwrap().iter().filter(|c| c["op"] == "remove").count();
    assert!(removed(&lost) >= 2, "{lost}");
    laptop.sync(&app).await;
    assert!(!laptop.has("accounts", &w.north) && !laptop.has("contacts", &w.ann), "the northern records went");
    assert!(laptop.has("accounts", &w.south));
    let before = confirmed;
    // The device comes back with the cursor it got: the old one is past.
    laptop.pull_once(&app, 500).await;

    // A cursor older than one the device came back with: start over.
    app.post_as(&app.token, &path, &json!({"cursor": before})).await.expect_problem(409, "conflict");
    // From nothing: everything again, in full.
    laptop.cursor = None;
    laptop.sync(&app).await;
    assert!(laptop.has("contacts", &w.sue) && !laptop.has("contacts", &w.ann));
}

async fn a_device_a_week_behind_catches_up(app: TestApp) {
    let w = world(&app).await;
    let mut laptop = Replica::register(&app, &app.token, json!([{"entity": "accounts", "filter": NORTH}])).await;
    laptop.sync(&app).await;
    // A week of work: many new contacts, edits and some moves.
    let mut made = Vec::new();
    for n in 0..120 {
        let at = if n % 3 == 0 { &w.south } else { &w.north };
        made.push(app.create("contacts", json!({"last_name": format!("New {n}"), "account": at["id"]})).await);
    }
    for contact in made.iter().step_by(7) {
        let path = format!("/api/v1/contacts/{}", id_of(contact));
        app.patch(&path, version_of(contact), &json!({"first_name": "Edited"})).await.expect(200);
    }
    let fresh = app.create("accounts", json!({"name": "Hel Boats", "territory": "north"})).await;
    // Small pages: the catch-up streams too.
    let mut pages = 0;
    while laptop.pull_once(&app, 25).await["more"] == true {
        pages += 1;
    }
    assert!(pages >= 3, "{pages} pages");
    let expected: Vec<String> = made
        .iter()
        .enumerate()
        .filter(|(n, _)| n % 3 != 0)
        .map(|(_, c)| id_of(c))
        .chain([id_of(&w.ann), id_of(&w.bob)])
        .collect();
    let mut held = laptop.ids("contacts");
    let mut expected = expected;
    held.sort();
    expected.sort();
    assert_eq!(held, expected, "every northern contact, none of the south");
    assert!(laptop.has("accounts", &fresh));
    let edited = &laptop.records[&("contacts".into(), id_of(&made[7]))];
    assert_eq!(edited["first_name"], "Edited", "the latest version");
}

async fn pushes_merge_settle_conflicts_and_apply_once(app: TestApp) {
    let w = world(&app).await;
    let subs = json!([{"entity": "accounts", "filter": NORTH}]);
    let mut one = Replica::register(&app, &app.token, subs.clone()).await;
    let rep = app.member("rep@example.com", "admin").await;
    let mut two = Replica::register(&app, &rep.token, subs).await;
    one.sync(&app).await;
    two.sync(&app).await;
    let ann = id_of(&w.ann);
    let push = |replica: &Replica, changes: Json| {
        let path = format!("/api/v1/sync/devices/{}/push", replica.device);
        let token = replica.token.clone();
        let app = &app;
        async move { app.post_as(&token, &path, &json!({"changes": changes})).await.expect(200).body["results"].clone() }
    };
    let update = |id: &str, fields: Json, at: &str| {
        json!({"id": id, "entity": "contacts", "op": "update", "record_id": ann, "base_version": 1,
               "fields": fields, "changed_at": at})
    };
    // Different fields of one record, both made on version 1: they merge.
    let r = push(&one, json!([update("one-1", json!({"city": "Gdynia"}), "2026-12-01T10:00:00Z")])).await;
    assert_eq!(r[0]["status"], "applied", "{r}");
    let r = push(&two, json!([update("two-1", json!({"first_name": "Anna"}), "2026-12-01T10:05:00Z")])).await;
    assert_eq!(r[0]["status"], "merged", "{r}");
    let now = app.get(&format!("/api/v1/contacts/{ann}")).await.expect(200).body;
    assert_eq!((now["city"].as_str(), now["first_name"].as_str()), (Some("Gdynia"), Some("Anna")));

    // The same field from version 1 on both: server wins by default, and
    // the conflict is reported with both values.
    let r = push(&two, json!([update("two-2", json!({"city": "Sopot"}), "2026-12-01T11:00:00Z")])).await;
    assert_eq!(r[0]["status"], "conflict", "{r}");
    assert_eq!(r[0]["conflicts"], json!([{"field": "city", "client": "Sopot", "server": "Gdynia", "kept": "server"}]));
    assert_eq!(app.get(&format!("/api/v1/contacts/{ann}")).await.body["city"], "Gdynia");

    // Client wins.
    app.put_as(&app.token, "/api/v1/sync/settings", &json!({"conflict_policy": "client_wins"})).await.expect(200);
    let r = push(&two, json!([update("two-3", json!({"city": "Sopot"}), "2026-12-01T11:00:00Z")])).await;
    assert_eq!(r[0]["conflicts"][0]["kept"], "client", "{r}");
    assert_eq!(app.get(&format!("/api/v1/contacts/{ann}")).await.body["city"], "Sopot");

    // Latest per field: the device's change made before the server's loses,
    // one made after wins (in either order of pushing).
    app.put_as(&app.token, "/api/v1/sync/settings", &json!({"conflict_policy": "latest_per_field"})).await.expect(200);
    let r = push(&one, json!([update("one-2", json!({"city": "Hel"}), "2000-01-01T00:00:00Z")])).await;
    assert_eq!(r[0]["conflicts"][0]["kept"], "server", "{r}");
    let r = push(&one, json!([update("one-3", json!({"city": "Hel"}), "2100-01-01T00:00:00Z")])).await;
    assert_eq!(r[0]["conflicts"][0]["kept"], "client", "{r}");
    let current = app.get(&format!("/api/v1/contacts/{ann}")).await.expect(200).body;
    assert_eq!(current["city"], "Hel");

    // A push sent again after a dropped connection applies once.
    let create = json!([{"id": "one-4", "entity": "contacts", "op": "create",
                         "fields": {"last_name": "Offline", "account": w.north["id"]}}]);
    let first = push(&one, create.clone()).await;
    let again = push(&one, create).await;
    assert_eq!(first[0]["status"], "applied");
    assert_eq!(again[0]["replayed"], true);
    assert_eq!(again[0]["record_id"], first[0]["record_id"]);
    let offline = app.list_all("contacts", "&filter=last_name%20%3D%20%22Offline%22").await;
    assert_eq!(offline.len(), 1, "made once");
    // The same id for another change is refused.
    let reused = json!([{"id": "one-4", "entity": "contacts", "op": "create", "fields": {"last_name": "Other"}}]);
    let r = push(&one, reused).await;
    assert_eq!(r[0]["status"], "rejected");
    assert_eq!(r[0]["errors"][0]["code"], "reused");
    // Another device may use the same change id: ids are the device's.
    let r = push(
        &two,
        json!([{"id": "one-4", "entity": "contacts", "op": "create",
                              "fields": {"last_name": "Twos"}}]),
    )
    .await;
    assert_eq!(r[0]["status"], "applied", "{r}");

    // The record made offline comes down to both devices.
    one.sync(&app).await;
    two.sync(&app).await;
    let made = first[0]["record_id"].as_str().unwrap().to_string();
    assert!(one.records.contains_key(&("contacts".into(), made.clone())));
    assert!(two.records.contains_key(&("contacts".into(), made)));
    assert_eq!(two.records[&("contacts".into(), ann.clone())]["city"], "Hel");

    // A delete on a version the server changed since: server wins keeps it.
    app.put_as(&app.token, "/api/v1/sync/settings", &json!({"conflict_policy": "server_wins"})).await.expect(200);
    let r = push(
        &two,
        json!([{"id": "two-4", "entity": "contacts", "op": "delete", "record_id": ann,
                              "base_version": 1}]),
    )
    .await;
    assert_eq!(r[0]["status"], "conflict", "{r}");
    app.get(&format!("/api/v1/contacts/{ann}")).await.expect(200);
    let version = version_of(&app.get(&format!("/api/v1/contacts/{ann}")).await.body);
    let r = push(
        &two,
        json!([{"id": "two-5", "entity": "contacts", "op": "delete", "record_id": ann,
                              "base_version": version}]),
    )
    .await;
    assert_eq!(r[0]["status"], "applied", "{r}");
    app.get(&format!("/api/v1/contacts/{ann}")).await.expect(404);
}

async fn bad_sync_input_is_refused_and_loses_nothing(app: TestApp) {
    let w = world(&app).await;
    let before = app.snapshot().await;
    // Subscriptions: field by field.
    let bad = json!({"name": "Phone", "subscriptions": [
        {"entity": "nowhere"},
        {"entity": "accounts", "filter": "territory = "},
        {"entity": "accounts", "related": ["invoices", "planets"]},
        {"entity": "accounts", "colour": "red"},
    ]});
    let reply = app.post("/api/v1/sync/devices", &bad).await.expect_problem(422, "validation");
    let fields = reply.error_fields();
    for field in ["subscriptions[0].entity", "subscriptions[1].filter", "subscriptions[2].related", "subscriptions[3]"]
    {
        assert!(fields.iter().any(|f| f == field), "{field} in {fields:?}");
    }
    app.post("/api/v1/sync/devices", &json!({"name": ""})).await.expect_problem(422, "validation");
    let too_many: Vec<Json> = (0..21).map(|_| json!({"entity": "accounts"})).collect();
    app.post("/api/v1/sync/devices", &json!({"name": "x", "subscriptions": too_many}))
        .await
        .expect_problem(422, "validation");
    assert_eq!(app.get("/api/v1/sync/devices").await.expect(200).body["data"], json!([]));

    let mut laptop = Replica::register(&app, &app.token, json!([{"entity": "accounts", "filter": NORTH}])).await;
    laptop.sync(&app).await;
    let pull = format!("/api/v1/sync/devices/{}/pull", laptop.device);
    app.post(&pull, &json!({"cursor": "not-a-cursor"})).await.expect_problem(400, "bad-request");
    app.post(&pull, &json!({"limit": 0})).await.expect_problem(400, "bad-request");
    app.post(&pull, &json!({"limit": "many"})).await.expect_problem(400, "bad-request");
    app.post("/api/v1/sync/devices/0190c5a0-0000-7000-8000-000000000000/pull", &json!({}))
        .await
        .expect_problem(404, "not-found");

    // Pushes: each bad change refused with its reasons, the good ones applied.
    let push = format!("/api/v1/sync/devices/{}/push", laptop.device);
    let ann = id_of(&w.ann);
    let changes = json!({"changes": [
        {"id": "a", "entity": "contacts", "op": "update", "record_id": ann, "base_version": 1,
         "fields": {"emails": ["not an email"]}},
        {"id": "b", "entity": "planets", "op": "create", "fields": {}},
        {"id": "c", "entity": "contacts", "op": "melt"},
        {"id": "d", "entity": "contacts", "op": "update", "record_id": ann},
        {"id": "e", "entity": "contacts", "op": "update", "record_id": ann, "base_version": 99, "fields": {}},
        {"entity": "contacts", "op": "create", "fields": {"last_name": "No id"}},
        {"id": "f", "entity": "contacts", "op": "update", "record_id": ann, "base_version": 1,
         "fields": {"last_name": "Ann", "changed_at": "yesterday"}, "changed_at": "yesterday"},
    ]});
    let results = app.post(&push, &changes).await.expect(200).body["results"].clone();
    for result in results.as_array().unwrap() {
        assert_eq!(result["status"], "rejected", "{result}");
        assert!(!result["errors"].as_array().unwrap().is_empty(), "{result}");
    }
    assert_eq!(results[0]["errors"][0]["field"], "emails", "{results}");
    assert_eq!(results[4]["errors"][0]["field"], "base_version", "{results}");
    let too_many: Vec<Json> =
        (0..501).map(|n| json!({"id": n.to_string(), "entity": "contacts", "op": "create"})).collect();
    app.post(&push, &json!({"changes": too_many})).await.expect_problem(422, "validation");
    app.post(&push, &json!({"nothing": true})).await.expect_problem(422, "validation");
    let huge = format!(
        r#"{{"changes": [{{"id": "h", "entity": "contacts", "op": "create", "fields": {{"last_name": "{}"}}}}]}}"#,
        "x".repeat(2 * 1024 * 1024 + 64)
    );
    let headers = [("content-type", "application/json")];
    app.send(reqwest::Method::POST, &push, Some(&app.token), &headers, Some(huge.into_bytes()))
        .await
        .expect_problem(413, "payload-too-large");
    // A read-only token pulls but does not push.
    let reader = app.token_with_scope("read").await;
    let mine = app.post_as(&reader, "/api/v1/sync/devices", &json!({"name": "x"})).await;
    assert_eq!(mine.status.as_u16(), 403, "{}", mine.text());
    assert_eq!(app.snapshot().await, before, "no record changed");
}

/// `relata sync` on a replica folder; (success, stdout, stderr).
fn client(replica: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_relata"))
        .arg("sync")
        .arg("--replica")
        .arg(replica)
        .args(args)
        .output()
        .unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

fn client_ok(replica: &std::path::Path, args: &[&str]) -> String {
    let (ok, out, err) = client(replica, args);
    assert!(ok, "relata sync {args:?}: {err}");
    out
}

async fn the_offline_client_works_without_the_network_and_syncs_on_demand(app: TestApp) {
    let w = world(&app).await;
    let unique = uuid::Uuid::now_v7().simple().to_string();
    let dirs: Vec<std::path::PathBuf> =
        ["a", "b"].iter().map(|n| std::env::temp_dir().join(format!("relata-replica-{unique}-{n}"))).collect();
    let subscriptions = json!([{"entity": "accounts", "filter": NORTH}]).to_string();
    let rep = app.member("rep@example.com", "admin").await;
    for (dir, token) in dirs.iter().zip([&app.token, &rep.token]) {
        let init =
            ["init", "--server", app.base.as_str(), "--token", token.as_str(), "--subscriptions", &subscriptions];
        client_ok(dir, &init);
        client_ok(dir, &["now"]);
    }
    let (a, b) = (&dirs[0], &dirs[1]);
    let listed = client_ok(a, &["list", "contacts"]);
    assert!(listed.contains(&id_of(&w.ann)) && listed.contains("Ann"), "{listed}");
    assert!(!listed.contains(&id_of(&w.sue)), "the south is not on the device");

    // Offline: nothing below reaches the server until `now`.
    let ann = id_of(&w.ann);
    client_ok(a, &["update", "contacts", &ann, "--set", "city=Gdynia"]);
    client_ok(b, &["update", "contacts", &ann, "--set", "first_name=Anna"]);
    let made = client_ok(
        a,
        &["create", "contacts", "--set", "last_name=Offline", "--set", &format!("account={}", id_of(&w.north))],
    );
    let made = made.trim().to_string();
    assert!(made.starts_with("local-"));
    client_ok(a, &["update", "contacts", &made, "--set", "first_name=Olga"]);
    client_ok(a, &["log-call", &ann, "--subject", "Asked about drills", "--outcome", "reached"]);
    // A call with the contact made offline names it before the server does.
    client_ok(a, &["log-call", &made, "--subject", "Welcome call"]);
    let shown: Json = serde_json::from_str(&client_ok(a, &["show", "contacts", &ann])).unwrap();
    assert_eq!(shown["city"], "Gdynia", "the replica shows its own change at once");
    assert_eq!(
        app.get(&format!("/api/v1/contacts/{ann}")).await.body["city"],
        Json::Null,
        "the server has not seen it"
    );
    let status: Json = serde_json::from_str(&client_ok(a, &["status"])).unwrap();
    assert_eq!(status["waiting"], 4, "{status}");

    // Different fields, synced in both orders: they merge.
    let pushed: Json = serde_json::from_str(&client_ok(b, &["now"])).unwrap();
    assert_eq!(pushed["conflicts"], 0, "{pushed}");
    let pushed: Json = serde_json::from_str(&client_ok(a, &["now"])).unwrap();
    assert_eq!((pushed["conflicts"].as_i64(), pushed["rejected"].as_i64()), (Some(0), Some(0)), "{pushed}");
    client_ok(b, &["now"]);
    for dir in [a, b] {
        let shown: Json = serde_json::from_str(&client_ok(dir, &["show", "contacts", &ann])).unwrap();
        assert_eq!((shown["city"].as_str(), shown["first_name"].as_str()), (Some("Gdynia"), Some("Anna")));
        let offline = client_ok(dir, &["list", "contacts", "--where", "last_name=Offline", "--json"]);
        let offline: Json = serde_json::from_str(offline.trim()).unwrap();
        assert_eq!(offline["first_name"], "Olga");
        assert!(!offline["id"].as_str().unwrap().starts_with("local-"), "the server's id replaced the local one");
        let calls = client_ok(dir, &["list", "activities", "--where", "kind=call", "--json"]);
        assert!(calls.contains("Asked about drills"), "the logged call came to both: {calls}");
    }
    let call = app.list_all("activities", "&filter=subject%20%3D%20%22Asked%20about%20drills%22").await;
    assert_eq!((call.len(), call[0]["contact"].as_str()), (1, Some(ann.as_str())));
    let welcome = app.list_all("activities", "&filter=subject%20%3D%20%22Welcome%20call%22").await;
    let olga = app.list_all("contacts", "&filter=first_name%20%3D%20%22Olga%22").await;
    assert_eq!((welcome.len(), olga.len()), (1, 1));
    assert_eq!(welcome[0]["contact"], olga[0]["id"], "the call names the contact by the server's id");

    // The same field on both: the second to sync has a conflict, reported.
    client_ok(a, &["update", "contacts", &ann, "--set", "city=Hel"]);
    client_ok(b, &["update", "contacts", &ann, "--set", "city=Puck"]);
    client_ok(b, &["now"]);
    let pushed: Json = serde_json::from_str(&client_ok(a, &["now"])).unwrap();
    assert_eq!(pushed["conflicts"], 1, "{pushed}");
    assert_eq!(pushed["reports"][0]["result"]["conflicts"][0]["client"], "Hel");
    assert_eq!(pushed["reports"][0]["result"]["conflicts"][0]["server"], "Puck");
    assert_eq!(pushed["reports"][0]["change"]["fields"]["city"], "Hel", "what the user did is kept");
    let status: Json = serde_json::from_str(&client_ok(a, &["status"])).unwrap();
    let reports = status["reports"].as_array().unwrap();
    assert_eq!(reports.last().unwrap()["result"]["status"], "conflict", "{status}");
    let shown: Json = serde_json::from_str(&client_ok(a, &["show", "contacts", &ann])).unwrap();
    assert_eq!(shown["city"], "Puck", "server wins, and the replica follows");

    // A server that cannot be reached: the change waits, nothing is lost.
    client_ok(a, &["update", "contacts", &ann, "--set", "city=Reda"]);
    let settings_db = a.join("replica.db");
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", settings_db.display())).await.unwrap();
    sqlx::query("UPDATE settings SET value = 'http://127.0.0.1:9' WHERE key = 'server'").execute(&pool).await.unwrap();
    let (ok, _, err) = client(a, &["now"]);
    assert!(!ok && err.contains("cannot be reached"), "{err}");
    let status: Json = serde_json::from_str(&client_ok(a, &["status"])).unwrap();
    assert_eq!(status["waiting"], 1);
    sqlx::query("UPDATE settings SET value = ? WHERE key = 'server'").bind(&app.base).execute(&pool).await.unwrap();
    pool.close().await;
    client_ok(a, &["now"]);
    assert_eq!(app.get(&format!("/api/v1/contacts/{ann}")).await.body["city"], "Reda");
    for dir in dirs {
        let _ = std::fs::remove_dir_all(dir);
    }
}
