//! Change diffs compressed with a dictionary (SQLite, schema v11): once a
//! workspace has written enough entries of a type, later ones are packed,
//! and every reader (history, the feed, erasure, another process that
//! starts cold, `relata check`) sees the same diffs as before. On
//! PostgreSQL, which keeps JSONB, the same reads must hold all the same.

use crate::helpers::{TestApp, TestDb, id_of, serve_process};
use reqwest::Method;
use serde_json::json;

crate::both_backends!(packed_diffs_read_back_everywhere);

/// More entries of one type than a dictionary is trained from.
const CONTACTS: usize = 1_100;

async fn packed_diffs_read_back_everywhere(app: TestApp) {
    let app = &app;
    let mut csv = String::from("first_name,last_name,city,emails,phones\n");
    for i in 0..CONTACTS {
        csv.push_str(&format!(
            "Name{},Surname{},{},person{i}@example.com,+4860{:07}\n",
            i % 41,
            i % 97,
            ["Vilnius", "Gdańsk", "Sofia", "Riga"][i % 4],
            i * 37
        ));
    }
    let imported = app
        .send(
            Method::POST,
            "/api/v1/contacts/import",
            Some(&app.token),
            &[("content-type", "text/csv")],
            Some(csv.into_bytes()),
        )
        .await;
    assert_eq!(imported.status, 200, "{}", imported.body);
    assert_eq!(imported.body["imported"], CONTACTS);

    // The feed's head, before the person is written.
    let mut cursor = String::new();
    loop {
        let page = app.get(&format!("/api/v1/changes?limit=1000{cursor}")).await.expect(200).body;
        let next = page["next_cursor"].as_str().unwrap().to_string();
        cursor = format!("&after={next}");
        if page["data"].as_array().unwrap().is_empty() {
            break;
        }
    }
    let person = app
        .create(
            "contacts",
            json!({"first_name": "Packed", "last_name": "Pakavičius", "city": "Kaunas",
                   "emails": ["packed@example.lt"], "phones": ["+370 612 34567"]}),
        )
        .await;
    let path = format!("/api/v1/contacts/{}", id_of(&person));
    app.patch(&path, 1, &json!({"city": "Klaipėda"})).await.expect(200);

    if let TestDb::Sqlite(dir) = app.db() {
        let file = dir.join("relata.db");
        use sqlx::Connection;
        let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", file.display())).await.unwrap();
        let id = uuid::Uuid::parse_str(&id_of(&person)).unwrap();
        let forms: Vec<String> =
            sqlx::query_scalar("SELECT typeof(diff) FROM changes WHERE record_id = ? ORDER BY seq")
                .bind(id)
                .fetch_all(&mut conn)
                .await
                .unwrap();
        assert_eq!(forms, ["blob", "blob"], "the person's entries are packed");
        let dictionaries: i64 = sqlx::query_scalar("SELECT count(*) FROM change_dictionaries WHERE entity = 'contact'")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(dictionaries, 1);
        conn.close().await.unwrap();
    }

    // History, through this server and through a process that starts cold.
    let expect_history = |history: &serde_json::Value| {
        let data = history["data"].as_array().unwrap();
        assert_eq!(data.len(), 2, "{history}");
        assert_eq!(data[0]["changes"]["last_name"], json!({"before": null, "after": "Pakavičius"}));
        assert_eq!(data[0]["changes"]["emails"], json!({"before": null, "after": ["packed@example.lt"]}));
        assert_eq!(data[1]["changes"]["city"], json!({"before": "Kaunas", "after": "Klaipėda"}));
    };
    expect_history(&app.get(&format!("{path}/history")).await.expect(200).body);
    let other = serve_process(app).await;
    let cold: serde_json::Value = reqwest::Client::new()
        .get(format!("{}{path}/history", other.1))
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    expect_history(&cold);
    drop(other);

    // The feed.
    let feed = app.get(&format!("/api/v1/changes?limit=100{cursor}")).await.expect(200).body;
    let mine: Vec<&serde_json::Value> =
        feed["data"].as_array().unwrap().iter().filter(|e| e["record_id"] == person["id"]).collect();
    assert_eq!(mine.len(), 2, "{feed}");
    assert_eq!(mine[0]["changes"]["first_name"], json!({"before": null, "after": "Packed"}));
    assert_eq!(mine[1]["changes"]["city"], json!({"before": "Kaunas", "after": "Klaipėda"}));

    // Erasure redacts packed entries like plain ones.
    app.post(&format!("{path}/erase"), &json!({})).await.expect(200);
    let history = app.get(&format!("{path}/history")).await.expect(200).body.to_string();
    for secret in ["Packed", "Pakavičius", "packed@example.lt", "Kaunas", "Klaipėda"] {
        assert!(!history.contains(secret), "{secret} left in {history}");
    }
    assert!(history.contains("[erased]"));

    // Everything agrees with itself, lookups included.
    let report = relata_app::check::check(&app.app.app, false).await.unwrap();
    assert!(report.sound(), "{:?}", report.findings);
    let hit = app.get("/api/v1/lookup?email=person1099%40example.com").await.expect(200).body;
    assert_eq!(hit["data"].as_array().unwrap().len(), 1, "{hit}");
}
