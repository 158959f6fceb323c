//! `relata check` finds what disagrees with the records (lookup rows,
//! search entries, orphans, history) and `--repair` rebuilds what derives
//! from them; on both backends.

use crate::cli::{relata, stderr, stdout};
use crate::helpers::{TestApp, id_of, run_sql};
use serde_json::{Value as Json, json};

crate::both_backends!(check_finds_what_disagrees_and_repair_rebuilds_it);

/// Changes the database behind Relata's back.
async fn tamper(app: &TestApp, name: &str, sql: &str) {
    run_sql(app, name, sql).await.expect("tampered");
}

async fn check(app: &TestApp, args: &[&str]) -> (bool, Json) {
    let mut all = vec!["check"];
    all.extend(args);
    let out = relata(app, &all, None).await;
    let report: Json = serde_json::from_str(&stdout(&out)).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
    (out.status.success(), report)
}

fn problems(report: &Json) -> Vec<(String, String, bool)> {
    let mut found: Vec<(String, String, bool)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["entity"].as_str().unwrap().to_string(),
                f["problem"].as_str().unwrap().to_string(),
                f["repaired"] == true,
            )
        })
        .collect();
    found.sort();
    found
}

async fn check_finds_what_disagrees_and_repair_rebuilds_it(app: TestApp) {
    let app = &app;
    let acme = app.create("accounts", json!({"name": "Acme"})).await;
    let broken = app
        .create("contacts", json!({"last_name": "Broken", "emails": ["broken@example.com"], "account": acme["id"]}))
        .await;
    app.create("contacts", json!({"last_name": "Ghost", "emails": ["ghost@example.com"]})).await;
    app.create("contacts", json!({"last_name": "Skewed"})).await;
    let moved = app.create("contacts", json!({"last_name": "Moved", "emails": ["moved@example.com"]})).await;
    let trashed = app.create("contacts", json!({"last_name": "Trashed", "phones": ["+48 22 111 22 33"]})).await;
    app.delete(&format!("/api/v1/contacts/{}", id_of(&trashed))).await.expect(200);

    let (sound, report) = check(app, &[]).await;
    assert!(sound, "{report}");
    assert_eq!(report["findings"], json!([]));
    assert!(report["records_checked"].as_u64().unwrap() >= 5, "{report}");
    match app.db() {
        crate::helpers::TestDb::Sqlite(_) => assert_eq!(report["integrity"], json!([])),
        crate::helpers::TestDb::Postgres { .. } => assert!(report["integrity"].is_null()),
    }

    // Behind Relata's back: Broken loses its lookup rows and search entry,
    // Ghost's record goes but its side rows stay, Skewed's version runs
    // ahead of its history, Moved's lookup row says another address.
    tamper(app, "tamper_points", "DELETE FROM contact_points WHERE value = 'broken@example.com';").await;
    tamper(
        app,
        "tamper_moved",
        "UPDATE contact_points SET value = 'elsewhere@example.com' WHERE value = 'moved@example.com';",
    )
    .await;
    tamper(
        app,
        "tamper_search",
        "DELETE FROM search_docs WHERE record_id IN (SELECT id FROM contacts WHERE last_name = 'Broken');",
    )
    .await;
    tamper(app, "tamper_ghost", "DELETE FROM contacts WHERE last_name = 'Ghost';").await;
    tamper(app, "tamper_skew", "UPDATE contacts SET version = version + 5 WHERE last_name = 'Skewed';").await;
    let lookup = app.get("/api/v1/lookup?email=broken%40example.com").await.expect(200).body;
    assert_eq!(lookup["data"], json!([]), "the lookup is broken");

    let (sound, report) = check(app, &[]).await;
    assert!(!sound);
    let f = |e: &str, p: &str, r: bool| (e.to_string(), p.to_string(), r);
    // Contact points: Broken's and Moved's missing, Moved's and Ghost's
    // rows that no record accounts for; Ghost's search entry is an orphan.
    let expected = vec![
        f("contacts", "contact_points", false),
        f("contacts", "contact_points", false),
        f("contacts", "contact_points", false),
        f("contacts", "contact_points", false),
        f("contacts", "history", false),
        f("contacts", "orphan", false),
        f("contacts", "search_entry", false),
    ];
    assert_eq!(problems(&report), expected, "{report}");

    let (sound, report) = check(app, &["--repair"]).await;
    assert!(!sound, "history is reported, not rewritten");
    let repaired = vec![
        f("contacts", "contact_points", true),
        f("contacts", "contact_points", true),
        f("contacts", "contact_points", true),
        f("contacts", "contact_points", true),
        f("contacts", "history", false),
        f("contacts", "orphan", true),
        f("contacts", "search_entry", true),
    ];
    assert_eq!(problems(&report), repaired, "{report}");
    let lookup = app.get("/api/v1/lookup?email=broken%40example.com").await.expect(200).body;
    assert_eq!(lookup["data"][0]["id"], broken["id"]);
    let found = app.list_all("contacts", "&q=broken").await;
    assert_eq!(found.len(), 1);
    let ghost = app.get("/api/v1/lookup?email=ghost%40example.com").await.expect(200).body;
    assert_eq!(ghost["data"], json!([]));
    let back = app.get("/api/v1/lookup?email=moved%40example.com").await.expect(200).body;
    assert_eq!(back["data"][0]["id"], moved["id"]);
    let elsewhere = app.get("/api/v1/lookup?email=elsewhere%40example.com").await.expect(200).body;
    assert_eq!(elsewhere["data"], json!([]), "the stale row is gone");

    let (_, report) = check(app, &[]).await;
    assert_eq!(problems(&report), vec![f("contacts", "history", false)], "{report}");
}
