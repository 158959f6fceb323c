//! The change feed: commit order under concurrent writers, permissions,
//! cursors, long polling, metadata and redaction entries, and the durable
//! offsets of Relata's own consumers, on both backends.

use crate::helpers::{TestApp, id_of, version_of};
use relata_app::Ctx;
use relata_app::error::AppError;
use relata_app::feed::{self, FeedConsumer};
use relata_app::module::BoxFuture;
use relata_core::RecordId;
use relata_core::value::{FieldValue, Values};
use relata_store::feed::FeedEntry;
use serde_json::{Value as Json, json};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

crate::both_backends!(
    every_committed_change_is_read_once_in_commit_order,
    the_feed_shows_only_what_the_reader_may_read,
    cursors_filters_and_long_polling,
    metadata_and_erasure_are_in_the_feed,
    consumers_resume_from_their_committed_offset,
    held_writes_go_with_what_follows_and_leave_with_a_dropped_transaction,
    savepoints_undo_what_came_after_them,
    grouped_writes_share_a_commit_and_fail_alone,
);

/// Reads the feed from `cursor` until nothing new arrives within `wait`
/// seconds; returns the entries and the last cursor.
async fn drain(app: &TestApp, token: &str, cursor: &str, query: &str) -> (Vec<Json>, String) {
    let mut cursor = cursor.to_string();
    let mut out = Vec::new();
    loop {
        let page =
            app.get_as(token, &format!("/api/v1/changes?after={cursor}&limit=200{query}")).await.expect(200).body;
        let data = page["data"].as_array().unwrap().clone();
        cursor = page["next_cursor"].as_str().unwrap().to_string();
        if data.is_empty() {
            return (out, cursor);
        }
        out.extend(data);
    }
}

async fn every_committed_change_is_read_once_in_commit_order(app: TestApp) {
    const WRITERS: usize = 6;
    const TRANSACTIONS: usize = 25;
    let shared = app.create("accounts", json!({"name": "Shared counter", "employees": 0})).await;
    let shared_id: RecordId = id_of(&shared).parse().unwrap();
    let start =
        app.get("/api/v1/changes?limit=1000").await.expect(200).body["next_cursor"].as_str().unwrap().to_string();
    let server = app.app.clone();
    let workspace = app.workspace.clone();
    // Each transaction creates an account, holds its transaction open a
    // while, and bumps a shared record: commits come out of the order in
    // which rows (and sequence numbers) were written, and the updates of the
    // shared record must be read in the order they committed.
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (server, workspace) = (server.clone(), workspace.clone());
            tokio::spawn(async move {
                let app = &server.app;
                let ctx = Ctx::new(workspace, None);
                let schemas = app.schemas(ctx.ws()).await.unwrap();
                let accounts = schemas.get(relata_crm::ACCOUNTS);
                let mut created = Vec::new();
                for t in 0..TRANSACTIONS {
                    // Optimistic concurrency: a write that lost the race for
                    // the shared record is rolled back whole and made again.
                    loop {
                        let mut tx = app.writer(&ctx).await.unwrap();
                        let mut values = Values::default();
                        values.set_std("name", FieldValue::Text(format!("Writer {w} account {t}")));
                        let record = relata_app::write::create_in(&mut tx, &ctx, accounts, values).await.unwrap();
                        tokio::time::sleep(std::time::Duration::from_millis(((w * 7 + t * 13) % 17) as u64)).await;
                        let current = tx.get_record(accounts, shared_id, false).await.unwrap().unwrap();
                        let employees = match current.values.std("employees") {
                            FieldValue::Int(n) => *n,
                            _ => 0,
                        };
                        let mut patch = Values::default();
                        patch.set_std("employees", FieldValue::Int(employees + 1));
                        match relata_app::write::update_in(
                            &mut tx,
                            &ctx,
                            accounts,
                            shared_id,
                            patch,
                            Some(current.version),
                        )
                        .await
                        {
                            Ok(_) => {}
                            Err(AppError::VersionConflict { .. }) => continue,
                            Err(e) => panic!("{e}"),
                        }
                        tx.commit().await.unwrap();
                        created.push(record.id.to_string());
                        break;
                    }
                }
                created
            })
        })
        .collect();
    // A reader polls while the writers write, and until it finds nothing
    // new once they are done.
    let writers_done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let (base, token, done) = (app.base.clone(), app.token.clone(), writers_done.clone());
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut cursor = start;
            let mut seen: Vec<Json> = Vec::new();
            loop {
                let finished = done.load(std::sync::atomic::Ordering::SeqCst);
                let page: Json = client
                    .get(format!("{base}/api/v1/changes?after={cursor}&limit=37&wait=1&entities=accounts"))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                let data = page["data"].as_array().unwrap().clone();
                cursor = page["next_cursor"].as_str().unwrap().to_string();
                if data.is_empty() && finished {
                    return seen;
                }
                seen.extend(data);
            }
        })
    };
    let mut created: HashSet<String> = HashSet::new();
    for writer in writers {
        created.extend(writer.await.unwrap());
    }
    writers_done.store(true, std::sync::atomic::Ordering::SeqCst);
    let seen = reader.await.unwrap();
    let cursors: Vec<&str> = seen.iter().map(|e| e["cursor"].as_str().unwrap()).collect();
    assert_eq!(cursors.iter().collect::<HashSet<_>>().len(), cursors.len(), "no entry is read twice");
    let creations: Vec<String> =
        seen.iter().filter(|e| e["op"] == "create").map(|e| e["record_id"].as_str().unwrap().to_string()).collect();
    assert_eq!(creations.len(), created.len(), "every creation once");
    assert_eq!(creations.iter().cloned().collect::<HashSet<_>>(), created);
    let versions: Vec<i64> = seen
        .iter()
        .filter(|e| e["record_id"] == shared["id"] && e["op"] == "update")
        .map(|e| e["version"].as_i64().unwrap())
        .collect();
    let expected: Vec<i64> = (2..=(WRITERS * TRANSACTIONS) as i64 + 1).collect();
    assert_eq!(versions, expected, "updates of one record arrive in the order they committed");
    // Entries of one write share their transaction; every write made two.
    let mut per_transaction: HashMap<String, usize> = HashMap::new();
    for e in &seen {
        *per_transaction.entry(e["transaction"].as_str().unwrap().to_string()).or_default() += 1;
    }
    assert!(per_transaction.values().all(|n| *n == 2), "{per_transaction:?}");
    // Nothing more arrives, and the whole log read again is the same.
    let (again, _) = drain(&app, &app.token, "", "&entities=accounts").await;
    assert_eq!(again.len(), seen.len() + 1, "the shared record's creation, then the same entries");
    assert_eq!(&again[1..], &seen[..]);
}

async fn the_feed_shows_only_what_the_reader_may_read(app: TestApp) {
    let ann = app.member("ann@example.com", "sales_rep").await;
    let ben = app.member("ben@example.com", "sales_rep").await;
    app.team("North", &[(&ann, false), (&ben, false)]).await;
    let (_, start) = drain(&app, &ann.token, "", "").await;
    let mine = app.post_as(&ann.token, "/api/v1/contacts", &json!({"last_name": "Mine"})).await.expect(201).body;
    let admins = app.create("contacts", json!({"last_name": "Not for reps"})).await;
    let (entries, cursor) = drain(&app, &ann.token, &start, "").await;
    let ids: Vec<&str> = entries.iter().map(|e| e["record_id"].as_str().unwrap()).collect();
    assert!(ids.contains(&id_of(&mine).as_str()), "{entries:?}");
    assert!(!ids.contains(&id_of(&admins).as_str()), "a record the rep may not read is absent");
    assert_eq!(entries[0]["entity"], "contacts");
    assert_eq!(entries[0]["changes"]["last_name"], json!({"before": null, "after": "Mine"}));

    // Given to someone outside the team: the rep learns it left their reach,
    // and nothing more.
    let path = format!("/api/v1/contacts/{}", id_of(&mine));
    app.patch(&path, version_of(&mine), &json!({"owner": app.admin_id().await, "city": "Secret city"}))
        .await
        .expect(200);
    let (entries, _) = drain(&app, &ann.token, &cursor, "").await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["out_of_reach"], true);
    assert!(entries[0]["changes"].get("city").is_none(), "{}", entries[0]);
    assert_eq!(entries[0]["changes"]["owner"]["before"], json!(ann.user));

    // A field hidden from a role is absent from what the feed says.
    app.put_as(
        &app.token,
        "/api/v1/roles/no_birthdays",
        &json!({"entities": {"contacts": {"create": true, "read": "all", "update": "all", "delete": "none", "export": false}},
                "fields": {"contacts": {"birthday": "hidden"}}}),
    )
    .await
    .expect(200);
    let auditor = app.member("aud@example.com", "no_birthdays").await;
    let (_, start) = drain(&app, &auditor.token, "", "").await;
    app.create("contacts", json!({"last_name": "Born", "birthday": "1990-01-02", "city": "Gdańsk"})).await;
    let (entries, _) = drain(&app, &auditor.token, &start, "").await;
    assert_eq!(entries.len(), 1);
    assert!(entries[0]["changes"].get("birthday").is_none(), "{}", entries[0]);
    assert_eq!(entries[0]["changes"]["city"]["after"], "Gdańsk");
    // A type the role may not read at all is absent, and may not be asked for.
    app.get_as(&auditor.token, "/api/v1/changes?entities=opportunities").await.expect_problem(403, "forbidden");
}

async fn cursors_filters_and_long_polling(app: TestApp) {
    let acme = app.create("accounts", json!({"name": "Acme"})).await;
    app.create("opportunities", json!({"name": "Deal", "account": acme["id"]})).await;
    let (all, head) = drain(&app, &app.token, "", "").await;
    let (opps, _) = drain(&app, &app.token, "", "&entities=opportunities").await;
    assert!(opps.iter().all(|e| e["entity"] == "opportunities") && !opps.is_empty());
    assert!(all.len() > opps.len());
    // Resuming from an entry's own cursor gives what followed it.
    let (rest, _) = drain(&app, &app.token, all[0]["cursor"].as_str().unwrap(), "").await;
    assert_eq!(&rest[..], &all[1..]);

    for (query, parameter) in [
        ("after=garbage", "after"),
        ("limit=0", "limit"),
        ("limit=5000", "limit"),
        ("wait=3600", "wait"),
        ("entities=spaceships", "entities"),
    ] {
        let reply = app.get(&format!("/api/v1/changes?{query}")).await.expect_problem(400, "bad-request");
        assert!(reply.body.to_string().contains(parameter), "{query}: {}", reply.body);
    }
    let (_, other_token) = app.other_workspace("elsewhere").await;
    let reply = app.get_as(&other_token, &format!("/api/v1/changes?after={head}")).await;
    let reply = reply.expect_problem(400, "bad-request");
    assert!(reply.body["detail"].as_str().unwrap().contains("another workspace"), "{}", reply.body);

    // Nothing new: a short wait answers empty with the same cursor.
    let idle = app.get(&format!("/api/v1/changes?after={head}&wait=1")).await.expect(200).body;
    assert_eq!(idle["data"], json!([]));
    assert_eq!(idle["next_cursor"], head);
    // A long poll returns as soon as a write commits.
    let waiting = {
        let (base, token, head) = (app.base.clone(), app.token.clone(), head.clone());
        tokio::spawn(async move {
            let started = std::time::Instant::now();
            let page: Json = reqwest::Client::new()
                .get(format!("{base}/api/v1/changes?after={head}&wait=30"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            (page, started.elapsed())
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let late = app.create("accounts", json!({"name": "Late"})).await;
    let (page, waited) = waiting.await.unwrap();
    assert_eq!(page["data"][0]["record_id"], late["id"]);
    let changes = &page["data"][0]["changes"];
    assert_eq!(changes["name"], json!({"before": null, "after": "Late"}));
    assert_eq!(changes["owner"], json!({"before": null, "after": late["owner"]}), "{changes}");
    assert!(waited < std::time::Duration::from_secs(25), "answered when the write committed, not at the end");
}

async fn metadata_and_erasure_are_in_the_feed(app: TestApp) {
    let (_, start) = drain(&app, &app.token, "", "").await;
    app.post("/api/v1/metadata/contacts/fields", &json!({"id": "tier", "type": "choice", "options": ["gold"]}))
        .await
        .expect(201);
    let person =
        app.create("contacts", json!({"first_name": "Ewa", "last_name": "Kowalska", "custom": {"tier": "gold"}})).await;
    let (entries, cursor) = drain(&app, &app.token, &start, "").await;
    assert_eq!(entries[0]["entity"], "metadata", "the field is defined before the record that uses it");
    assert_eq!(entries[0]["changes"]["field"]["id"], "tier");
    assert_eq!(entries[1]["changes"]["custom.tier"]["after"], "gold");
    app.post(&format!("/api/v1/contacts/{}/erase", id_of(&person)), &json!({})).await.expect(200);
    let (entries, _) = drain(&app, &app.token, &cursor, "").await;
    let ops: Vec<&str> = entries.iter().map(|e| e["op"].as_str().unwrap()).collect();
    assert_eq!(ops, ["update", "redact"], "{entries:?}");
    assert_eq!(entries[1]["record_id"], person["id"]);
    // What was read before is redacted at the source too.
    let (all, _) = drain(&app, &app.token, &start, "").await;
    assert!(!all.iter().any(|e| e.to_string().contains("Kowalska")), "{all:?}");
}

/// A consumer that remembers what it was handed, and can be made to fail.
struct Recorder {
    seen: Mutex<Vec<(String, String)>>,
    fail: std::sync::atomic::AtomicBool,
}

impl FeedConsumer for Recorder {
    fn name(&self) -> &'static str {
        "test.recorder"
    }

    fn handle<'a>(
        &'a self,
        _app: &'a relata_app::App,
        entries: &'a [FeedEntry],
    ) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(async move {
            if self.fail.load(std::sync::atomic::Ordering::SeqCst) {
                return Err(AppError::System("failing on purpose".into()));
            }
            self.seen.lock().unwrap().extend(entries.iter().map(|e| (e.op.clone(), e.record_id.to_string())));
            Ok(())
        })
    }
}

async fn consumers_resume_from_their_committed_offset(app: TestApp) {
    let server = &app.app.app;
    let recorder = Arc::new(Recorder { seen: Mutex::new(Vec::new()), fail: false.into() });
    let first = app.create("accounts", json!({"name": "First"})).await;
    let handled = feed::consume_available(server, recorder.as_ref()).await.unwrap();
    assert!(handled >= 2, "the default pipeline and the account: {handled}");
    assert!(recorder.seen.lock().unwrap().iter().any(|(_, id)| *id == id_of(&first)));
    assert_eq!(feed::consume_available(server, recorder.as_ref()).await.unwrap(), 0, "nothing twice");

    // A batch that fails is handed over again: the offset moved only after success.
    let second = app.create("accounts", json!({"name": "Second"})).await;
    recorder.fail.store(true, std::sync::atomic::Ordering::SeqCst);
    assert!(feed::consume_available(server, recorder.as_ref()).await.is_err());
    recorder.fail.store(false, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(feed::consume_available(server, recorder.as_ref()).await.unwrap(), 1);
    let seen = recorder.seen.lock().unwrap().clone();
    assert_eq!(seen.last().unwrap(), &("create".to_string(), id_of(&second)));
    assert_eq!(seen.iter().filter(|(_, id)| *id == id_of(&second)).count(), 1);
}

/// A transaction's writes whose outcome nothing reads (change entries,
/// search input, applied events) are held back to go with the next
/// statement or the commit: read back in the same transaction they are
/// there, a count is the statement's own, a key they break fails the
/// commit, and a transaction dropped without its commit leaves none of
/// them (and frees the writer for the next).
async fn held_writes_go_with_what_follows_and_leave_with_a_dropped_transaction(app: TestApp) {
    use relata_store::webhooks::InboundEvent;
    let store = &app.app.app.store;
    let ws = app.workspace.id;
    let event = |n: u32| InboundEvent {
        event_type: "test.held".into(),
        request_hash: format!("hash-{n}"),
        result: json!({"n": n}),
    };
    let acme: RecordId = id_of(&app.create("accounts", json!({"name": "Acme"})).await).parse().unwrap();
    let jan = json!({"first_name": "Jan", "last_name": "Nowak", "account": acme.to_string()});
    let jan: RecordId = id_of(&app.create("contacts", jan).await).parse().unwrap();
    let mut tx = store.write(ws).await.unwrap();
    tx.insert_inbound_event("held test", "one", &event(1)).await.unwrap();
    let read_back = tx.inbound_event("held test", "one").await.unwrap();
    assert_eq!(read_back.map(|e| e.result), Some(json!({"n": 1})), "a held write is there for the transaction's reads");
    tx.insert_inbound_event("held test", "two", &event(2)).await.unwrap();
    let removed = tx.remove_search_entry(RecordId::new()).await.unwrap();
    assert_eq!(removed, 0, "the count is the statement's own, not the held inserts' before it");
    tx.insert_inbound_event("held test", "three", &event(3)).await.unwrap();
    // Reads of several statements (one round trip on SQLite, after the
    // held insert) give each statement's rows to its own.
    let contacts = relata_core::meta::Schema::standard(relata_core::meta::EntityKind::named("contacts"));
    let accounts = relata_core::meta::Schema::standard(relata_core::meta::EntityKind::named("accounts"));
    let asked = [(&contacts, jan), (&accounts, acme), (&contacts, RecordId::new()), (&accounts, acme)];
    let read = tx.get_records(&asked).await.unwrap();
    let titles: Vec<Option<String>> = read
        .iter()
        .map(|r| {
            r.as_ref().map(|r| r.values.text("last_name").or(r.values.text("name")).unwrap_or_default().to_string())
        })
        .collect();
    assert_eq!(titles, [Some("Nowak".into()), Some("Acme".into()), None, Some("Acme".into())]);
    // Reads of several kinds sent together (after a held insert) each
    // answer their own.
    tx.insert_inbound_event("held test", "four held", &event(44)).await.unwrap();
    let mut reads = relata_store::together::Reads::default();
    let named_acme = relata_core::filter::Filter::Compare {
        field: accounts.field("name").unwrap(),
        op: relata_core::filter::Op::Eq,
        value: FieldValue::Text("Acme".into()),
    };
    let found = tx.read_records(&mut reads, &accounts, &named_acme, 5);
    let none = tx.read_inbound_event(&mut reads, "held test", "never sent");
    let held = tx.read_inbound_event(&mut reads, "held test", "four held");
    let settings = tx.read_settings(&mut reads, &["held.none"]);
    let mut answers = tx.read_together(reads).await.unwrap();
    let found = answers.records(found, &mut tx).await.unwrap();
    assert_eq!(found.iter().map(|r| r.id).collect::<Vec<_>>(), [acme]);
    assert!(answers.inbound_event(none).unwrap().is_none());
    assert_eq!(answers.inbound_event(held).unwrap().map(|e| e.result), Some(json!({"n": 44})));
    assert!(answers.settings(settings).unwrap().is_empty());
    // A read's handle answers in its own batch's answers only: asked of
    // another batch's, it is refused (not answered with a stranger's rows).
    let mut first = relata_store::together::Reads::default();
    let of_first = tx.read_settings(&mut first, &["held.none"]);
    let mut second = relata_store::together::Reads::default();
    let of_second = tx.read_inbound_event(&mut second, "held test", "four held");
    drop(tx.read_together(first).await.unwrap());
    let mut answers = tx.read_together(second).await.unwrap();
    let mixed = answers.settings(of_first);
    assert!(matches!(mixed, Err(relata_store::StoreError::Misuse(_))), "{mixed:?}");
    assert_eq!(answers.inbound_event(of_second).unwrap().map(|e| e.result), Some(json!({"n": 44})));
    tx.commit().await.unwrap();
    let mut reader = store.read(ws).await.unwrap();
    for (id, n) in [("one", 1), ("two", 2), ("three", 3)] {
        let kept = reader.inbound_event("held test", id).await.unwrap();
        assert_eq!(kept.map(|e| e.result), Some(json!({"n": n})), "event {id} committed");
    }
    drop(reader);

    // Only held writes, nothing else sent: the commit sends them.
    let mut tx = store.write(ws).await.unwrap();
    tx.insert_inbound_event("held test", "four", &event(4)).await.unwrap();
    tx.commit().await.unwrap();
    assert!(store.read(ws).await.unwrap().inbound_event("held test", "four").await.unwrap().is_some());

    // A held write that breaks a key fails the commit, and nothing of its
    // transaction stays.
    let mut tx = store.write(ws).await.unwrap();
    tx.put_setting("held.test", &json!("kept?")).await.unwrap();
    tx.insert_inbound_event("held test", "one", &event(1)).await.unwrap();
    let failed = tx.commit().await.expect_err("the same event id twice");
    assert!(failed.is_unique_violation(), "{failed}");
    assert_eq!(store.read(ws).await.unwrap().setting("held.test").await.unwrap(), None);

    // Dropped after statements went out: rolled back, and the next writer
    // gets on.
    let mut tx = store.write(ws).await.unwrap();
    tx.insert_inbound_event("held test", "five", &event(5)).await.unwrap();
    tx.put_setting("held.test", &json!("dropped")).await.unwrap();
    drop(tx);
    let next = tokio::time::timeout(std::time::Duration::from_secs(10), store.write(ws)).await;
    let mut tx = next.expect("the writer is free again").unwrap();
    assert_eq!(tx.setting("held.test").await.unwrap(), None, "the dropped transaction's write is gone");
    assert!(tx.inbound_event("held test", "five").await.unwrap().is_none(), "and its held one");
    tx.put_setting("held.test", &json!("next")).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.read(ws).await.unwrap().setting("held.test").await.unwrap(), Some(json!("next")));
}

fn test_event(n: u32) -> relata_store::webhooks::InboundEvent {
    relata_store::webhooks::InboundEvent {
        event_type: "test.group".into(),
        request_hash: format!("hash-{n}"),
        result: json!({"n": n}),
    }
}

/// A savepoint: what was written after it is undone by rolling back to it,
/// whether its `SAVEPOINT` went out yet (held with what follows) or not;
/// what came before stays. A failed statement (a broken key, after which
/// PostgreSQL refuses every statement of the transaction) is undone with
/// it and the transaction goes on. A savepoint released or rolled back past
/// is refused.
async fn savepoints_undo_what_came_after_them(app: TestApp) {
    use relata_store::StoreError;
    let store = &app.app.app.store;
    let ws = app.workspace.id;
    let mut tx = store.write(ws).await.unwrap();
    tx.put_setting("sp.before", &json!(1)).await.unwrap();
    let outer = tx.savepoint().unwrap();
    // Held with the savepoint's own statement: nothing sent since.
    tx.insert_inbound_event("sp test", "held", &test_event(1)).await.unwrap();
    tx.rollback_to(outer).await.unwrap();
    tx.put_setting("sp.after", &json!(2)).await.unwrap();
    let inner = tx.savepoint().unwrap();
    tx.put_setting("sp.inner", &json!(3)).await.unwrap();
    tx.insert_inbound_event("sp test", "twice", &test_event(2)).await.unwrap();
    tx.insert_inbound_event("sp test", "twice", &test_event(2)).await.unwrap();
    let broken = tx.setting("sp.inner").await.expect_err("the held inserts break the key");
    assert!(broken.is_unique_violation(), "{broken}");
    tx.rollback_to(inner).await.unwrap();
    assert_eq!(tx.setting("sp.inner").await.unwrap(), None, "undone since the inner savepoint");
    assert_eq!(tx.setting("sp.after").await.unwrap(), Some(json!(2)), "kept before it");
    assert!(tx.inbound_event("sp test", "held").await.unwrap().is_none(), "the held write was undone");
    tx.release(outer).await.unwrap();
    assert!(matches!(tx.rollback_to(inner).await, Err(StoreError::Misuse(_))), "released with the outer one");
    assert!(matches!(tx.release(outer).await, Err(StoreError::Misuse(_))), "released already");
    tx.put_setting("sp.last", &json!(4)).await.unwrap();
    // Undone and ended (sent or still held): a next savepoint takes its place.
    for sent in [true, false] {
        let gone = tx.savepoint().unwrap();
        tx.insert_inbound_event("sp test", "undone", &test_event(5)).await.unwrap();
        if sent {
            tx.put_setting("sp.undone", &json!(5)).await.unwrap();
        }
        tx.undo(gone).await.unwrap();
        assert!(matches!(tx.release(gone).await, Err(StoreError::Misuse(_))), "ended by undo");
        let again = tx.savepoint().unwrap();
        // The next point at its depth is not it.
        assert!(matches!(tx.rollback_to(gone).await, Err(StoreError::Misuse(_))), "taken over");
        tx.put_setting("sp.again", &json!(sent)).await.unwrap();
        tx.release(again).await.unwrap();
    }
    tx.commit().await.unwrap();
    let mut reader = store.read(ws).await.unwrap();
    for (name, value) in [("sp.before", Some(json!(1))), ("sp.after", Some(json!(2))), ("sp.inner", None)] {
        assert_eq!(reader.setting(name).await.unwrap(), value, "{name}");
    }
    assert_eq!(reader.setting("sp.last").await.unwrap(), Some(json!(4)));
    assert_eq!(reader.setting("sp.undone").await.unwrap(), None);
    assert_eq!(reader.setting("sp.again").await.unwrap(), Some(json!(false)));
    for id in ["held", "twice", "undone"] {
        assert!(reader.inbound_event("sp test", id).await.unwrap().is_none(), "{id} undone");
    }
}

/// Grouped writes (`Store::write_grouped`) handed over while one runs share
/// its transaction: the second sees the first's write, which no reader
/// sees yet; each is answered once the commit is done; each has its own
/// transaction id in the feed. One that fails (its own error, a held
/// write's broken key, a panic) is undone alone and answers its own error.
async fn grouped_writes_share_a_commit_and_fail_alone(app: TestApp) {
    use relata_store::{ScopedConn, StoreError};
    let store = app.app.app.store.clone();
    let ws = app.workspace.id;
    let mut tx = store.write(ws).await.unwrap();
    tx.insert_inbound_event("group test", "taken", &test_event(0)).await.unwrap();
    tx.commit().await.unwrap();
    let go = Arc::new(tokio::sync::Notify::new());
    type Seen = (uuid::Uuid, Option<Json>, Option<Json>);
    // Puts its setting; tells its transaction id and what it sees of the
    // first write's, in the transaction and outside.
    let put = |n: u32, then: &'static str| {
        let store = store.clone();
        let go = go.clone();
        async move {
            let outside = store.clone();
            store
                .write_grouped::<Seen, StoreError, _>(ws, move |tx: &mut ScopedConn| {
                    Box::pin(async move {
                        if n == 1 {
                            // The others are handed over meanwhile.
                            go.notified().await;
                        }
                        tx.put_setting(&format!("group.{n}"), &json!(n)).await?;
                        match then {
                            "fail" => return Err(StoreError::NotFound),
                            // Held: it fails with the write's release.
                            "break a key" => {
                                tx.insert_inbound_event("group test", "taken", &test_event(n)).await?;
                                return Ok((tx.tx_id(), None, None));
                            }
                            "panic" => panic!("a grouped write that panics (expected by this test)"),
                            _ => {}
                        }
                        let inside = tx.setting("group.1").await?;
                        let committed = outside.read(ws).await?.setting("group.1").await?;
                        Ok((tx.tx_id(), inside, committed))
                    })
                })
                .await
        }
    };
    let first = {
        let store = store.clone();
        let first = put(1, "");
        async move {
            let answer = first.await;
            // Answered once committed: a reader sees it now.
            let seen = store.read(ws).await.unwrap().setting("group.1").await.unwrap();
            (answer, seen)
        }
    };
    let release = async {
        go.notify_one();
    };
    let ((first, seen_after), second, failed, broke, panicked, last, ()) =
        tokio::join!(first, put(2, ""), put(3, "fail"), put(4, "break a key"), put(5, "panic"), put(6, ""), release);
    let first = first.expect("the first write");
    assert_eq!(seen_after, Some(json!(1)), "answered after its commit");
    let (second, last) = (second.expect("the second write"), last.expect("the last write"));
    assert_eq!((second.1.clone(), second.2.clone()), (Some(json!(1)), None), "the same transaction, not committed");
    assert_eq!(last.1, Some(json!(1)));
    assert!(matches!(failed, Err(StoreError::NotFound)), "{failed:?}");
    assert!(broke.as_ref().is_err_and(|e| e.is_unique_violation()), "{broke:?}");
    assert!(matches!(panicked, Err(StoreError::Misuse(_))), "{panicked:?}");
    let ids: HashSet<uuid::Uuid> = [first.0, second.0, last.0].into();
    assert_eq!(ids.len(), 3, "each write is a transaction of its own in the feed");
    let mut reader = store.read(ws).await.unwrap();
    for (n, kept) in [(1, true), (2, true), (3, false), (4, false), (5, false), (6, true)] {
        let value = reader.setting(&format!("group.{n}")).await.unwrap();
        assert_eq!(value, kept.then(|| json!(n)), "write {n}");
    }
    let taken = reader.inbound_event("group test", "taken").await.unwrap().map(|e| e.result);
    assert_eq!(taken, Some(json!({"n": 0})), "the broken key's first holder stays");
    // The group task goes on after a panic.
    let after = store
        .write_grouped::<(), StoreError, _>(ws, |tx: &mut ScopedConn| {
            Box::pin(async move { tx.put_setting("group.after", &json!(true)).await })
        })
        .await;
    assert!(after.is_ok(), "{after:?}");
}
