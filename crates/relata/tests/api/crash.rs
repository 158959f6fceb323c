//! Nothing lost under faults: `relata serve` killed with SIGKILL while
//! clients create and update records at full speed and a CSV import runs.
//! After a restart, every write that was answered 2xx is there exactly
//! once, the import is all there or not at all, and `relata check` finds
//! every side index agreeing with the records; on both backends.

use crate::cli::{relata, stderr, stdout};
use crate::helpers::{TestApp, serve_process};
use serde_json::{Value as Json, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

crate::both_backends!(a_server_killed_mid_write_loses_nothing_it_acknowledged);

/// What the server acknowledged: created ids by name, and the newest
/// acknowledged version of each updated record.
#[derive(Default)]
struct Acknowledged {
    created: HashMap<String, String>,
    versions: HashMap<String, i64>,
}

async fn a_server_killed_mid_write_loses_nothing_it_acknowledged(app: TestApp) {
    let app = &app;
    let server = serve_process(app).await;
    let acknowledged = Arc::new(Mutex::new(Acknowledged::default()));
    let client = reqwest::Client::builder().timeout(Duration::from_secs(20)).build().unwrap();
    let mut clients = Vec::new();
    for c in 0..4 {
        let (client, base, token, acked) = (client.clone(), server.1.clone(), app.token.clone(), acknowledged.clone());
        clients.push(tokio::spawn(async move {
            for n in 0.. {
                let name = format!("Crash{c}x{n}");
                let body = json!({"last_name": name, "emails": [format!("{name}@example.com")], "phones": [format!("+4860{c}{n:06}")]});
                let Ok(reply) = client.post(format!("{base}/api/v1/contacts")).bearer_auth(&token).json(&body).send().await
                else { return };
                if reply.status() != 201 {
                    return;
                }
                let Ok(created) = reply.json::<Json>().await else { return };
                let id = created["id"].as_str().unwrap().to_string();
                acked.lock().unwrap().created.insert(name.clone(), id.clone());
                // Every other record is changed once after it was made.
                if n % 2 == 0 {
                    let Ok(reply) = client
                        .patch(format!("{base}/api/v1/contacts/{id}"))
                        .bearer_auth(&token)
                        .header("if-match", "\"1\"")
                        .json(&json!({"city": "Gdańsk"}))
                        .send()
                        .await
                    else {
                        return;
                    };
                    if reply.status() != 200 {
                        return;
                    }
                    acked.lock().unwrap().versions.insert(id, 2);
                }
            }
        }));
    }
    // A CSV import, all or nothing, runs at the same time.
    let csv: String = std::iter::once("last_name,city\n".to_string())
        .chain((0..3000).map(|i| format!("Imported{i},Sopot\n")))
        .collect();
    let import = {
        let (client, base, token) = (client.clone(), server.1.clone(), app.token.clone());
        tokio::spawn(async move {
            client
                .post(format!("{base}/api/v1/contacts/import"))
                .bearer_auth(token)
                .header("content-type", "text/csv")
                .body(csv)
                .send()
                .await
                .map(|r| r.status().as_u16())
        })
    };
    // Killed once writes are well under way (a loaded machine takes longer
    // to get there), while they go on.
    for _ in 0..600 {
        if acknowledged.lock().unwrap().created.len() > 10 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    drop(server); // SIGKILL, mid-write
    for client in clients {
        client.await.unwrap();
    }
    let imported_ok = import.await.unwrap().is_ok_and(|s| s == 200);
    let acknowledged = std::mem::take(&mut *acknowledged.lock().unwrap());
    assert!(acknowledged.created.len() > 10, "writes were going on: {}", acknowledged.created.len());

    // Restarted, every acknowledged write is there once, as acknowledged.
    let server = serve_process(app).await;
    let list = |filter: String| {
        let (client, base, token) = (client.clone(), server.1.clone(), app.token.clone());
        async move {
            let mut all = Vec::new();
            let mut cursor = String::new();
            loop {
                let url = format!("{base}/api/v1/contacts?limit=500&filter={}&cursor={cursor}", urlencode(&filter));
                let page: Json = client.get(url).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
                all.extend(page["data"].as_array().unwrap().iter().cloned());
                match page["next_cursor"].as_str() {
                    Some(next) => cursor = next.to_string(),
                    None => return all,
                }
            }
        }
    };
    let stored = list("last_name ~ \"Crash\"".into()).await;
    let mut by_name: HashMap<String, Vec<Json>> = HashMap::new();
    for record in stored {
        by_name.entry(record["last_name"].as_str().unwrap().to_string()).or_default().push(record);
    }
    assert!(by_name.values().all(|copies| copies.len() == 1), "each write once");
    for (name, id) in &acknowledged.created {
        let record =
            by_name.get(name).and_then(|c| c.first()).unwrap_or_else(|| panic!("{name} was acknowledged but is gone"));
        assert_eq!(record["id"].as_str(), Some(id.as_str()));
        if let Some(version) = acknowledged.versions.get(id) {
            assert!(record["version"].as_i64().unwrap() >= *version, "{name}: its acknowledged update is there");
            assert_eq!(record["city"], "Gdańsk");
        }
    }
    let imported = list("last_name ~ \"Imported\"".into()).await.len();
    assert!(imported == 0 || imported == 3000, "all or nothing: {imported} of 3000 imported");
    if imported_ok {
        assert_eq!(imported, 3000, "an acknowledged import is all there");
    }
    drop(server);

    // The side indexes and the history agree with the records.
    let out = relata(app, &["check"], None).await;
    assert!(out.status.success(), "relata check: {}\n{}", stdout(&out), stderr(&out));
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
