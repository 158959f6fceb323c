//! Offline sync's figures over the demo database: the first sync of a
//! subscription of about 50,000 contacts (some cities' people) out of the
//! whole table, and incremental syncs after 100 changes each, with the
//! bytes transferred; next to yardsticks of the same run: the REST list of
//! the same records page by page, and the change feed of the same changes.

use crate::bench::{figure, sqlite_args};
use crate::open;
use relata_core::value::FieldValue;
use serde_json::{Value as Json, json};
use std::path::Path;
use std::time::Instant;

/// The subscription's size to aim at.
const TARGET_RECORDS: i64 = 50_000;
/// Changes per incremental sync, and how many incremental syncs.
const CHANGES: usize = 100;
const ROUNDS: usize = 5;

/// Cities whose contacts add up to about [`TARGET_RECORDS`], with how
/// many contacts they hold.
pub(crate) async fn cities(dir: &Path) -> Result<(Vec<String>, i64), String> {
    let (app, ws) = open(&sqlite_args(dir)).await?;
    let schema = relata_core::meta::Schema::standard(relata_crm::CONTACTS);
    let city = schema.field("city").ok_or("contacts have a city")?;
    let mut conn = app.store.read(ws.id).await.map_err(|e| e.to_string())?;
    let mut counts = conn.count_by(&schema, None, Some(city)).await.map_err(|e| e.to_string())?;
    drop(conn);
    app.store.close().await;
    // The largest cities first, then smaller ones to fill up.
    counts.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    let (mut chosen, mut total) = (Vec::new(), 0);
    for (value, n) in counts {
        let FieldValue::Text(name) = value else { continue };
        if total + n > TARGET_RECORDS && total > 0 {
            continue;
        }
        chosen.push(name);
        total += n;
    }
    Ok((chosen, total))
}

/// The figures, against a server at `addr` on the database in `dir`.
pub(crate) async fn figures(addr: &str, token: &str, dir: &Path, (cities, expected): (Vec<String>, i64)) {
    let db_bytes = std::fs::metadata(dir.join("relata.db")).map_or(0, |m| m.len());
    // The bench reads the feed's head beside the server (for the feed's yardstick).
    let Ok((app, ws)) = open(&sqlite_args(dir)).await else {
        figure("sync_first", json!({"errors": 1, "note": "the database could not be opened"}));
        return;
    };
    let feed_head = async || {
        let head = app.store.feed_head().await.ok()?;
        Some(relata_app::feed::encode_cursor(ws.id, head))
    };
    let client = reqwest::Client::new();
    let base = format!("http://{addr}/api/v1");
    let quoted: Vec<String> = cities.iter().map(|c| serde_json::to_string(c).unwrap_or_default()).collect();
    let filter = format!("city in ({})", quoted.join(", "));
    let subscriptions = json!([{"entity": "contacts", "filter": filter, "related": []}]);
    let device = client
        .post(format!("{base}/sync/devices"))
        .bearer_auth(token)
        .json(&json!({"name": "Bench laptop", "subscriptions": subscriptions}))
        .send()
        .await;
    let Some(device) = json_of(device).await.and_then(|d| d["id"].as_str().map(str::to_string)) else {
        figure("sync_first", json!({"errors": 1, "note": "the device could not be registered"}));
        return;
    };
    let pull_url = format!("{base}/sync/devices/{device}/pull");
    let pull = async |cursor: Option<&str>| -> Option<(Json, usize)> {
        let body = json!({"cursor": cursor, "limit": 2000});
        let response = client.post(&pull_url).bearer_auth(token).json(&body).send().await.ok()?;
        if !response.status().is_success() {
            return None;
        }
        let bytes = response.bytes().await.ok()?;
        Some((serde_json::from_slice(&bytes).ok()?, bytes.len()))
    };

    // The first sync, page by page.
    let started = Instant::now();
    let (mut cursor, mut bytes, mut records, mut pulls, mut errors) = (None::<String>, 0, 0, 0, 0);
    let mut held: Vec<(String, i64)> = Vec::new();
    loop {
        let Some((page, size)) = pull(cursor.as_deref()).await else {
            errors += 1;
            break;
        };
        pulls += 1;
        bytes += size;
        for change in page["changes"].as_array().into_iter().flatten().filter(|c| c["op"] == "upsert") {
            records += 1;
            held.push((change["id"].as_str().unwrap_or_default().to_string(), change["version"].as_i64().unwrap_or(1)));
        }
        cursor = page["cursor"].as_str().map(str::to_string);
        if page["more"] != true {
            break;
        }
    }
    let first_seconds = started.elapsed().as_secs_f64();
    let (list_seconds, list_bytes) = listed(&client, &base, token, &filter).await;
    figure(
        "sync_first",
        json!({"records": records, "subscribed": expected, "pulls": pulls, "seconds": round(first_seconds, 3),
               "bytes": bytes, "bytes_per_record": bytes / records.max(1), "database_bytes": db_bytes,
               "share_of_database": round(bytes as f64 / db_bytes.max(1) as f64, 4),
               "rest_list_seconds": round(list_seconds, 3), "rest_list_bytes": list_bytes,
               "errors": errors, "target_seconds": 5,
               "note": "contacts of some cities out of the whole table, pulled 2,000 a page; next to the same \
                        records listed through the REST API 500 a page"}),
    );

    // Incremental syncs of 100 changes each (notes no earlier run wrote:
    // a patch that changes nothing is no change).
    let run = chrono::Utc::now().timestamp_millis();
    let mut times = Vec::new();
    let (mut sizes, mut received, mut feed_times) = (Vec::new(), 0, Vec::new());
    for round in 0..ROUNDS {
        let feed_head = feed_head().await;
        errors += change_contacts(&client, &base, token, &mut held, round, &format!("run {run}")).await;
        let started = Instant::now();
        let Some((page, size)) = pull(cursor.as_deref()).await else {
            errors += 1;
            continue;
        };
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        sizes.push(size);
        received += page["changes"].as_array().map_or(0, Vec::len);
        cursor = page["cursor"].as_str().map(str::to_string);
        if let Some(after) = feed_head {
            let started = Instant::now();
            let url = format!("{base}/changes?after={after}&entities=contacts&limit=1000");
            if client.get(url).bearer_auth(token).send().await.is_ok_and(|r| r.status().is_success()) {
                feed_times.push(started.elapsed().as_secs_f64() * 1000.0);
            }
        }
    }
    dav_figures(&client, &base, token, &filter, &mut held, run).await;
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().map(|m| round(m, 2))
    };
    figure(
        "sync_incremental",
        json!({"changes_per_sync": CHANGES, "syncs": ROUNDS, "changes_received": received,
               "p50_ms": median(&mut times), "max_ms": times.iter().copied().fold(None, |m: Option<f64>, t| Some(m.map_or(t, |m| m.max(t)))).map(|m| round(m, 2)),
               "bytes_per_sync": sizes.iter().sum::<usize>() / sizes.len().max(1),
               "feed_read_p50_ms": median(&mut feed_times), "errors": errors, "target_ms": 50,
               "note": "100 contacts of the subscription changed through the API, then one pull; next to reading \
                        the same changes from the change feed"}),
    );
}

/// Changes [`CHANGES`] of the held contacts (different ones each round):
/// a note no earlier run wrote, so that each patch is a change. Answers
/// the number of failed patches.
async fn change_contacts(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    held: &mut [(String, i64)],
    round: usize,
    label: &str,
) -> usize {
    let count = CHANGES.min(held.len());
    let mut errors = 0;
    for k in 0..count {
        let (id, version) = &mut held[(round * count + k) % held.len()];
        let changed = client
            .patch(format!("{base}/contacts/{id}"))
            .bearer_auth(token)
            .header("if-match", format!("\"{version}\""))
            .json(&json!({"notes": format!("Visited, {label}, round {round}")}))
            .send()
            .await;
        if changed.as_ref().is_ok_and(|r| r.status().is_success()) {
            *version += 1;
        } else {
            errors += 1;
        }
    }
    errors
}

/// CardDAV's figures: the address book of the same subscription, synced
/// from nothing with `sync-collection`, then after 100 changes each round.
async fn dav_figures(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    filter: &str,
    held: &mut [(String, i64)],
    run: i64,
) {
    let set = client.put(format!("{base}/sync/dav")).bearer_auth(token).json(&json!({"contacts": filter})).send().await;
    let Some(book) = json_of(set)
        .await
        .and_then(|s| s["carddav"].as_str().and_then(|u| u.find("/dav/").map(|i| u[i..].to_string())))
    else {
        figure("carddav_sync", json!({"errors": 1, "note": "the DAV subscription could not be set"}));
        return;
    };
    let origin = base.trim_end_matches("/api/v1");
    let report = async |token_text: Option<&str>, data: bool| -> Option<(String, f64)> {
        let body = format!(
            r#"<d:sync-collection xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:sync-token>{}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/>{}</d:prop></d:sync-collection>"#,
            token_text.unwrap_or(""),
            if data { "<card:address-data/>" } else { "" }
        );
        let started = Instant::now();
        let method = reqwest::Method::from_bytes(b"REPORT").ok()?;
        let response =
            client.request(method, format!("{origin}{book}")).bearer_auth(token).body(body).send().await.ok()?;
        if response.status().as_u16() != 207 {
            return None;
        }
        let text = response.text().await.ok()?;
        Some((text, started.elapsed().as_secs_f64() * 1000.0))
    };
    let sync_token =
        |text: &str| text.split("<d:sync-token>").nth(1).and_then(|t| t.split('<').next()).map(str::to_string);
    let Some((first, first_ms)) = report(None, false).await else {
        figure("carddav_sync", json!({"errors": 1, "note": "the first sync-collection failed"}));
        return;
    };
    let objects = first.matches("<d:response>").count();
    let mut current = sync_token(&first);
    let (mut times, mut sizes, mut received, mut errors) = (Vec::new(), Vec::new(), 0, 0);
    for round in 0..ROUNDS {
        errors += change_contacts(client, base, token, held, ROUNDS + round, &format!("carddav run {run}")).await;
        let Some((text, ms)) = report(current.as_deref(), true).await else {
            errors += 1;
            continue;
        };
        times.push(ms);
        sizes.push(text.len());
        received += text.matches("<d:response>").count();
        current = sync_token(&text);
    }
    times.sort_by(f64::total_cmp);
    figure(
        "carddav_sync",
        json!({"first_objects": objects, "first_ms": round(first_ms, 1), "first_bytes": first.len(),
               "changes_per_sync": CHANGES, "syncs": ROUNDS, "objects_received": received,
               "p50_ms": times.get(times.len() / 2).map(|m| round(*m, 2)), "max_ms": times.last().map(|m| round(*m, 2)),
               "bytes_per_sync": sizes.iter().sum::<usize>() / sizes.len().max(1), "errors": errors,
               "note": "the same subscription as a CardDAV address book: a sync-collection report from nothing \
                        (ETags only, as clients start), then after 100 changed contacts each round (with the \
                        vCards)"}),
    );
}

async fn json_of(response: Result<reqwest::Response, reqwest::Error>) -> Option<Json> {
    response.ok()?.json::<Json>().await.ok()
}

fn round(x: f64, digits: i32) -> f64 {
    let scale = 10f64.powi(digits);
    (x * scale).round() / scale
}

/// The same records through the REST list, page by page: (seconds, bytes).
async fn listed(client: &reqwest::Client, base: &str, token: &str, filter: &str) -> (f64, usize) {
    let started = Instant::now();
    let (mut cursor, mut bytes) = (String::new(), 0);
    loop {
        let url = format!(
            "{base}/contacts?filter={}&sort=id&limit=500&cursor={}",
            crate::bench::urlencode(filter),
            crate::bench::urlencode(&cursor)
        );
        let Ok(response) = client.get(url).bearer_auth(token).send().await else { break };
        let Ok(body) = response.bytes().await else { break };
        bytes += body.len();
        let page: Json = serde_json::from_slice(&body).unwrap_or_default();
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.to_string(),
            None => break,
        }
    }
    (started.elapsed().as_secs_f64(), bytes)
}
