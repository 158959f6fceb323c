//! Upgrading a database made by an earlier release: the fixtures in
//! `tests/fixtures/v5` were written by the release before the storage format
//! changed (schema v5: text ids, single-column primary keys), with
//! `make.sh`. Opening them migrates them in place; afterwards the API shows
//! every record, its trash and its history exactly as that release did, and
//! search, lookup, sign-in, teams, consents and writes keep working.

use crate::helpers::{Backend, TestApp, TestDb, spawn_on};
use serde_json::{Value as Json, json};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/v5");

async fn load_v5(backend: Backend) -> Option<TestDb> {
    let db = TestDb::create(backend, "upgrade").await?;
    let (dump, url) = match &db {
        TestDb::Sqlite(dir) => {
            std::fs::create_dir_all(dir).unwrap();
            ("sqlite.sql", format!("sqlite://{}?mode=rwc", dir.join("relata.db").display()))
        }
        TestDb::Postgres { .. } => ("postgres.sql", crate::helpers::database_url_of(&db)),
    };
    let sql = std::fs::read_to_string(format!("{FIXTURES}/{dump}")).unwrap();
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

fn expected(backend: Backend) -> Json {
    let name = match backend {
        Backend::Sqlite => "expected-sqlite.json",
        Backend::Postgres => "expected-postgres.json",
    };
    serde_json::from_str(&std::fs::read_to_string(format!("{FIXTURES}/{name}")).unwrap()).unwrap()
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
    let Some(db) = load_v5(backend).await else { return };
    let app = spawn_on(backend, db).await;
    let before = expected(backend);
    let mut records = 0;
    for (entity, seen) in before.as_object().unwrap() {
        let live = every(&app, &format!("/api/v1/{entity}?limit=500&sort=id")).await;
        let trash = every(&app, &format!("/api/v1/{entity}?limit=500&sort=id&deleted=true")).await;
        assert_eq!(Json::from(live.clone()), seen["live"], "{entity}: live records");
        assert_eq!(Json::from(trash.clone()), seen["trash"], "{entity}: trash");
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
