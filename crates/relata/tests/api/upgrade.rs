//! Upgrading a database made by an earlier release, with the `make.sh`
//! beside each fixture: `tests/fixtures/v1` was written by the first
//! release (schema v1, before identity and access), `tests/fixtures/v5` by
//! the release before the storage format changed (schema v5: text ids,
//! single-column primary keys). Opening them migrates them in place;
//! afterwards the API shows every record, its trash and its history as that
//! release did (v5 exactly; v1 with the fields added since beside them),
//! and search, lookup, sign-in, teams, consents and writes keep working.

use crate::helpers::{Backend, TestApp, TestDb, spawn_on};
use serde_json::{Value as Json, json};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

async fn load(backend: Backend, release: &str) -> Option<TestDb> {
    let db = TestDb::create(backend, "upgrade").await?;
    let (dump, url) = match &db {
        TestDb::Sqlite(dir) => {
            std::fs::create_dir_all(dir).unwrap();
            ("sqlite.sql", format!("sqlite://{}?mode=rwc", dir.join("relata.db").display()))
        }
        TestDb::Postgres { .. } => ("postgres.sql", crate::helpers::database_url_of(&db)),
    };
    let sql = std::fs::read_to_string(format!("{FIXTURES}/{release}/{dump}")).unwrap();
    match backend {
        Backend::Sqlite => {
            use sqlx::Connection;
            let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await.unwrap();
            conn.close().await.unwrap();
        }
        Backend::Postgres => {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await.unwrap();
            conn.close().await.unwrap();
        }
    }
    Some(db)
}

fn expected(backend: Backend, release: &str) -> Json {
    let name = match backend {
        Backend::Sqlite => "expected-sqlite.json",
        Backend::Postgres => "expected-postgres.json",
    };
    serde_json::from_str(&std::fs::read_to_string(format!("{FIXTURES}/{release}/{name}")).unwrap()).unwrap()
}

async fn every(app: &TestApp, path: &str) -> Vec<Json> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = match &cursor {
            Some(c) => format!("{path}&cursor={c}"),
            None => path.to_string(),
        };
        let body = app.get(&page).await.expect(200).body;
        out.extend(body["data"].as_array().unwrap().iter().cloned());
        match body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return out,
        }
    }
}

async fn upgrade(backend: Backend) {
    let Some(db) = load(backend, "v5").await else { return };
    let app = spawn_on(backend, db).await;
    let before = expected(backend, "v5");
    let mut records = 0;
    for (entity, seen) in before.as_object().unwrap() {
        let live = every(&app, &format!("/api/v1/{entity}?limit=500&sort=id")).await;
        let trash = every(&app, &format!("/api/v1/{entity}?limit=500&sort=id&deleted=true")).await;
        // Exactly as that release showed them, beside the fields modules added since.
        assert!(shows_all_of(&seen["live"], &Json::from(live.clone())), "{entity}: live records {live:?}");
        assert!(shows_all_of(&seen["trash"], &Json::from(trash.clone())), "{entity}: trash {trash:?}");
        for record in live.iter().chain(&trash) {
            let id = record["id"].as_str().unwrap();
            let history = every(&app, &format!("/api/v1/{entity}/{id}/history?limit=500")).await;
            assert_eq!(Json::from(history), seen["history"][id], "{entity} {id}: history");
            records += 1;
        }
    }
    assert!(records > 80, "the fixture holds the demo data: {records} records");

    // Side indexes came along: full-text search, lookup by phone and email.
    let found = app.get("/api/v1/contacts?q=kowalska").await.expect(200).body;
    let zofia = found["data"][0].clone();
    assert_eq!(zofia["first_name"], "Zofia");
    assert_eq!(zofia["custom"]["tier"], "gold", "custom fields kept");
    let by_phone = app.get("/api/v1/lookup?phone=%2B48%20601%20234%20567").await.expect(200).body;
    assert_eq!(by_phone["data"][0]["id"], zofia["id"]);
    let by_email = app.get("/api/v1/lookup?email=zofia@fixture.pl").await.expect(200).body;
    assert_eq!(by_email["data"][0]["id"], zofia["id"]);
    let account = zofia["account"].as_str().unwrap();
    let timeline = app.get(&format!("/api/v1/accounts/{account}/timeline")).await.expect(200).body;
    let kinds: Vec<&str> = timeline["data"].as_array().unwrap().iter().map(|i| i["type"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"stage_change") && kinds.contains(&"activity"), "{kinds:?}");
    let consents = app.get(&format!("/api/v1/contacts/{}/consents", zofia["id"].as_str().unwrap())).await;
    assert_eq!(consents.expect(200).body["current"]["email"]["status"], "given");

    // People: the rep signs in with the password they had, in their team,
    // and the custom role is still there.
    let rep = app.sign_in("rep@fixture.pl", crate::helpers::PASSWORD).await;
    let me = app.get_as(&rep.token, "/api/v1/auth/me").await.expect(200).body;
    assert_eq!(me["role"]["name"], "sales_rep");
    let teams = app.get("/api/v1/teams").await.expect(200).body;
    let team = teams["data"].as_array().unwrap().iter().find(|t| t["name"] == "Fixture team").unwrap().clone();
    assert_eq!(team["members"][0]["user"], json!(rep.user));
    let roles = app.get("/api/v1/roles").await.expect(200).body;
    assert!(roles["data"].as_array().unwrap().iter().any(|r| r["name"] == "auditor"));

    // And it takes writes again, which show up in history after the old entries.
    let updated = app
        .patch(
            &format!("/api/v1/contacts/{}", zofia["id"].as_str().unwrap()),
            zofia["version"].as_i64().unwrap(),
            &json!({"city": "Gdynia"}),
        )
        .await
        .expect(200)
        .body;
    let history = every(&app, &format!("/api/v1/contacts/{}/history?limit=500", zofia["id"].as_str().unwrap())).await;
    assert_eq!(history.last().unwrap()["changes"]["city"], json!({"before": "Sopot", "after": "Gdynia"}));
    assert!(history.windows(2).all(|w| w[0]["seq"].as_i64() < w[1]["seq"].as_i64()));
    assert_eq!(updated["version"], zofia["version"].as_i64().unwrap() + 1);
    app.create("contacts", json!({"last_name": "After the upgrade", "account": account})).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_v5_sqlite_database_is_migrated_in_place() {
    upgrade(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_v5_postgres_database_is_migrated_in_place() {
    upgrade(Backend::Postgres).await;
}

/// Whether everything `old` shows is in `new` as it was: members added
/// since (an owner, a field) may sit beside them.
fn shows_all_of(old: &Json, new: &Json) -> bool {
    match (old, new) {
        (Json::Object(o), Json::Object(n)) => o.iter().all(|(k, v)| n.get(k).is_some_and(|nv| shows_all_of(v, nv))),
        (Json::Array(o), Json::Array(n)) => o.len() == n.len() && o.iter().zip(n).all(|(a, b)| shows_all_of(a, b)),
        _ => old == new,
    }
}

async fn upgrade_first_release(backend: Backend) {
    let Some(db) = load(backend, "v1").await else { return };
    let app = spawn_on(backend, db).await;
    let before = expected(backend, "v1");
    let mut records = 0;
    for (entity, seen) in before.as_object().unwrap() {
        for (list, trash) in [("live", false), ("trash", true)] {
            let now = every(&app, &format!("/api/v1/{entity}?limit=500&sort=id&deleted={trash}")).await;
            let then = seen[list].as_array().unwrap();
            assert_eq!(now.len(), then.len(), "{entity}: {list} records");
            for (old, new) in then.iter().zip(&now) {
                assert!(shows_all_of(old, new), "{entity} {list}: {old}\nnow reads\n{new}");
                let id = new["id"].as_str().unwrap();
                let history = every(&app, &format!("/api/v1/{entity}/{id}/history?limit=500")).await;
                let old_history = &seen["history"][id];
                assert!(shows_all_of(old_history, &Json::from(history.clone())), "{entity} {id}: history {history:?}");
                records += 1;
            }
        }
    }
    assert!(records > 80, "the fixture holds the demo data: {records} records");

    let found = app.get("/api/v1/contacts?q=%C5%BCak").await.expect(200).body;
    let lucja = found["data"][0].clone();
    assert_eq!(lucja["first_name"], "Łucja");
    assert_eq!(lucja["city"], "Wieliczka");
    assert_eq!(lucja["custom"]["tier"], "silver", "custom fields kept");
    let by_phone = app.get("/api/v1/lookup?phone=%2B48%20602%20345%20678").await.expect(200).body;
    assert_eq!(by_phone["data"][0]["id"], lucja["id"]);
    let by_email = app.get("/api/v1/lookup?email=lucja@pierwsza.pl").await.expect(200).body;
    assert_eq!(by_email["data"][0]["id"], lucja["id"]);
    let account = lucja["account"].as_str().unwrap();
    let timeline = app.get(&format!("/api/v1/accounts/{account}/timeline")).await.expect(200).body;
    let kinds: Vec<&str> = timeline["data"].as_array().unwrap().iter().map(|i| i["type"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"stage_change") && kinds.contains(&"activity"), "{kinds:?}");
    let deal = app.get("/api/v1/opportunities?filter=name%20%3D%20%22First%20release%20deal%22").await.expect(200).body;
    assert_eq!(deal["data"][0]["custom"]["budget"]["amount"], "9000.00");

    // It takes writes again: a record made before owners existed can be
    // given one, and its history continues after the old entries.
    let path = format!("/api/v1/contacts/{}", lucja["id"].as_str().unwrap());
    let version = lucja["version"].as_i64().unwrap();
    let updated = app.patch(&path, version, &json!({"city": "Bochnia"})).await.expect(200).body;
    assert_eq!(updated["version"], version + 1);
    let history = every(&app, &format!("{path}/history?limit=500")).await;
    assert_eq!(history.last().unwrap()["changes"]["city"], json!({"before": "Wieliczka", "after": "Bochnia"}));
    assert!(history.windows(2).all(|w| w[0]["seq"].as_i64() < w[1]["seq"].as_i64()));
    let check = crate::cli::relata(&app, &["check"], None).await;
    assert!(check.status.success(), "relata check after the upgrade: {}", crate::cli::stdout(&check));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_release_sqlite_database_is_migrated_in_place() {
    upgrade_first_release(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_release_postgres_database_is_migrated_in_place() {
    upgrade_first_release(Backend::Postgres).await;
}
