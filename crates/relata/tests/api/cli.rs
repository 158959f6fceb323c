//! The `relata` binary, black-box: import, export, demo data, tokens,
//! migrations and `serve`, on both backends.

use crate::helpers::TestApp;
use serde_json::Value as Json;
use std::io::Write;
use std::process::Output;

crate::both_backends!(
    import_is_all_or_nothing_unless_bad_rows_are_skipped,
    export_streams_csv_that_imports_into_another_database,
    demo_data_is_deterministic_by_seed,
    tokens_serve_and_migrations_work_from_the_command_line,
    serve_demo_prints_a_token_and_a_demo_sign_in,
    processes_opening_a_new_database_at_once_migrate_it_once,
);

/// Several servers starting on one empty database (as after an upgrade
/// behind a load balancer) apply each migration exactly once, and all start.
async fn processes_opening_a_new_database_at_once_migrate_it_once(app: TestApp) {
    let db = crate::helpers::TestDb::create(app.backend, "concurrent_migrations").await.expect("a database");
    let target = db.target();
    let opens: Vec<_> = (0..4)
        .map(|_| {
            let target = target.clone();
            tokio::spawn(async move { relata_store::Store::open(&target).await.map(|s| s.backend()) })
        })
        .collect();
    for open in opens {
        open.await.unwrap().expect("every process opens the database");
    }
    let store = relata_store::Store::open(&target).await.unwrap();
    let report = relata_store::migrate::run(&store).await.unwrap();
    assert!(report.applied.is_empty(), "nothing left to apply: {:?}", report.applied);
    assert_eq!(relata_store::migrate::current_version(&store).await.unwrap(), relata_store::migrate::latest_version());
    store.close().await;
}

/// Runs `relata <args>` against the test's database.
pub async fn relata(app: &TestApp, args: &[&str], stdin: Option<&str>) -> Output {
    let mut all: Vec<String> = app.db().cli_args();
    all.extend(args.iter().map(|a| a.to_string()));
    let stdin = stdin.map(str::to_string);
    tokio::task::spawn_blocking(move || {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_relata"))
            .args(&all)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("relata starts");
        let mut input = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).unwrap();
        }
        drop(input);
        child.wait_with_output().expect("relata runs")
    })
    .await
    .unwrap()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

fn temp_file(name: &str, content: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("relata-{}-{name}", uuid::Uuid::now_v7().simple()));
    std::fs::write(&path, content).unwrap();
    path
}

fn csv_rows(text: &str) -> Vec<Vec<String>> {
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn csv_header(text: &str) -> Vec<String> {
    csv::Reader::from_reader(text.as_bytes()).headers().unwrap().iter().map(str::to_string).collect()
}

async fn import_is_all_or_nothing_unless_bad_rows_are_skipped(app: TestApp) {
    let file = temp_file(
        "contacts.csv",
        "First name,Last name,E-mail,phones,city,birthday\n\
         Anna,Nowak,anna@example.com,+48 58 123 45 67,Gdańsk,1985-04-12\n\
         Jan,Kowalski,jan@example.com;jan.k@example.org,0048 601 234 567,Kraków,\n\
         Bad,Phone,bad@example.com,call me,Warszawa,\n\
         Ivan,Petrov,ivan@example.com,+359 88 123 4567,Sofia,1970-13-01\n\
         Short,Row\n\
         \"Quoted, Name\",Dąbrowska,,,\"Gdańsk\",\n",
    );
    let path = file.display().to_string();
    let mapped = ["--map", "E-mail=emails"];

    let all_or_nothing = relata(&app, &["import", "contacts", &path, mapped[0], mapped[1]], None).await;
    assert_eq!(all_or_nothing.status.code(), Some(2), "{}", stderr(&all_or_nothing));
    let report: Json = serde_json::from_str(&stdout(&all_or_nothing)).unwrap();
    assert_eq!(report["committed"], false);
    assert_eq!(report["imported"], 0);
    assert_eq!(report["rows"], 6);
    let lines: Vec<i64> = report["errors"].as_array().unwrap().iter().map(|e| e["line"].as_i64().unwrap()).collect();
    assert_eq!(lines, [4, 5, 6], "{report}");
    assert_eq!(report["errors"][0]["field"], "phones");
    assert_eq!(report["errors"][1]["field"], "birthday");
    assert!(app.list_all("contacts", "").await.is_empty(), "all or nothing: nothing");

    let unknown = relata(&app, &["import", "contacts", &path], None).await;
    assert_eq!(unknown.status.code(), Some(1));
    assert!(stderr(&unknown).contains("--map"), "{}", stderr(&unknown));

    let skipping = relata(&app, &["import", "contacts", &path, "--skip-bad-rows", mapped[0], mapped[1]], None).await;
    assert!(skipping.status.success(), "{}", stderr(&skipping));
    let report: Json = serde_json::from_str(&stdout(&skipping)).unwrap();
    assert_eq!((report["imported"].as_i64(), report["skipped"].as_i64()), (Some(3), Some(3)));
    let mut imported = app.list_all("contacts", "&sort=last_name").await;
    imported.sort_by_key(|c| c["last_name"].as_str().unwrap().to_string());
    let names: Vec<&str> = imported.iter().map(|c| c["last_name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Dąbrowska", "Kowalski", "Nowak"]);
    assert_eq!(imported[1]["phones"], serde_json::json!(["+48601234567"]));
    assert_eq!(imported[1]["emails"], serde_json::json!(["jan@example.com", "jan.k@example.org"]));
    assert_eq!(imported[0]["first_name"], "Quoted, Name");
    // Imported records are in the change log like any other write.
    let history = app.get(&format!("/api/v1/contacts/{}/history", imported[2]["id"].as_str().unwrap())).await;
    assert_eq!(history.body["data"][0]["op"], "create");

    // From standard input too.
    let piped = relata(&app, &["import", "accounts", "-"], Some("name,city\nStdin Ltd,Vilnius\n")).await;
    assert!(piped.status.success(), "{}", stderr(&piped));
    assert_eq!(app.list_all("accounts", "").await.len(), 1);
    let _ = std::fs::remove_file(file);

    // Custom fields import and export like standard ones.
    let field = serde_json::json!({"id": "tier", "type": "choice", "options": ["gold", "silver"]});
    app.post("/api/v1/metadata/contacts/fields", &field).await.expect(201);
    let custom = relata(&app, &["import", "contacts", "-"], Some("last_name,custom.tier\nGoldie,gold\n")).await;
    assert!(custom.status.success(), "{}", stderr(&custom));
    let bad = relata(&app, &["import", "contacts", "-"], Some("last_name,custom.tier\nPlatinum,platinum\n")).await;
    assert_eq!(bad.status.code(), Some(2));
    let report: Json = serde_json::from_str(&stdout(&bad)).unwrap();
    assert_eq!(report["errors"][0]["field"], "custom.tier");
    let exported = stdout(&relata(&app, &["export", "contacts", "--filter", "custom.tier = \"gold\""], None).await);
    let header = csv_header(&exported);
    let tier = header.iter().position(|h| h == "custom.tier").expect("custom column exported");
    let rows = csv_rows(&exported);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][tier], "gold");
}

async fn export_streams_csv_that_imports_into_another_database(app: TestApp) {
    let demo = relata(&app, &["demo", "--contacts", "120", "--seed", "3"], None).await;
    assert!(demo.status.success(), "{}", stderr(&demo));
    let exported = relata(&app, &["export", "accounts", "--sort", "name"], None).await;
    assert!(exported.status.success(), "{}", stderr(&exported));
    let text = stdout(&exported);
    let header = csv_header(&text);
    for column in ["id", "name", "city", "phone", "lifecycle", "owner", "created_at"] {
        assert!(header.contains(&column.to_string()), "{column} in {header:?}");
    }
    let rows = csv_rows(&text);
    assert_eq!(rows.len(), 12);
    let filtered = relata(&app, &["export", "contacts", "--filter", "lifecycle = \"current\""], None).await;
    let current = csv_rows(&stdout(&filtered)).len();
    assert_eq!(current, app.list_all("contacts", "&filter=lifecycle%20%3D%20%22current%22").await.len());
    let bad = relata(&app, &["export", "contacts", "--filter", "lifecycle ="], None).await;
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("column"), "{}", stderr(&bad));

    // The export imports into an empty database once references to records
    // that exist only here are dropped.
    let other = crate::helpers::TestDb::create(app.backend, "export_import_target").await.unwrap();
    let file = temp_file("accounts.csv", &text);
    let mut args = other.cli_args();
    args.extend(
        ["import", "accounts", &file.display().to_string(), "--map", "owner=-", "--map", "parent_account=-"]
            .map(str::to_string),
    );
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_relata")).args(&args).output().unwrap()
    })
    .await
    .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let mut args = other.cli_args();
    args.extend(["export", "accounts", "--sort", "name"].map(str::to_string));
    let again = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_relata")).args(&args).output().unwrap()
    })
    .await
    .unwrap();
    let reimported = csv_rows(&stdout(&again));
    let name_at = header.iter().position(|h| h == "name").unwrap();
    let phone_at = header.iter().position(|h| h == "phone").unwrap();
    let pick =
        |rows: &[Vec<String>]| rows.iter().map(|r| (r[name_at].clone(), r[phone_at].clone())).collect::<Vec<_>>();
    assert_eq!(pick(&reimported), pick(&rows));
    let _ = std::fs::remove_file(file);
}

async fn demo_data_is_deterministic_by_seed(app: TestApp) {
    let first = relata(&app, &["demo", "--contacts", "60", "--seed", "11"], None).await;
    assert!(first.status.success(), "{}", stderr(&first));
    let report: Json = serde_json::from_str(&stdout(&first)).unwrap();
    assert_eq!(report["contacts"], 60);
    assert_eq!(report["accounts"], 6);
    assert!(report["activities"].as_i64().unwrap() > 20);
    // Commerce: a catalogue, a quote per account, invoices issued and paid.
    assert_eq!((report["products"].as_i64(), report["quotes"].as_i64()), (Some(10), Some(6)), "{report}");
    let invoices = app.list_all("invoices", "").await;
    assert!(!invoices.is_empty() && invoices.iter().all(|i| i["status"] != "draft"), "{invoices:?}");
    let refused = relata(&app, &["demo", "--contacts", "60"], None).await;
    assert!(!refused.status.success(), "loading twice needs --append");

    let people = |out: &Output| {
        let text = stdout(out);
        let header = csv_header(&text);
        let cols: Vec<usize> = ["first_name", "last_name", "emails", "phones", "city", "birthday"]
            .iter()
            .map(|c| header.iter().position(|h| h == c).unwrap())
            .collect();
        let mut rows: Vec<Vec<String>> =
            csv_rows(&text).into_iter().map(|r| cols.iter().map(|&i| r[i].clone()).collect()).collect();
        rows.sort();
        rows
    };
    let ours = people(&relata(&app, &["export", "contacts"], None).await);
    assert_eq!(ours.len(), 60);

    for (seed, same) in [("11", true), ("12", false)] {
        let other = crate::helpers::TestDb::create(app.backend, "demo_determinism").await.unwrap();
        let mut args = other.cli_args();
        args.extend(["demo", "--contacts", "60", "--seed", seed].map(str::to_string));
        let mut export = other.cli_args();
        export.extend(["export", "contacts"].map(str::to_string));
        let out = tokio::task::spawn_blocking(move || {
            let bin = env!("CARGO_BIN_EXE_relata");
            assert!(std::process::Command::new(bin).args(&args).output().unwrap().status.success());
            std::process::Command::new(bin).args(&export).output().unwrap()
        })
        .await
        .unwrap();
        assert_eq!(people(&out) == ours, same, "seed {seed}");
    }
    // The demo looks alive: pipelines with opportunities across stages, a timeline.
    let opportunities = app.list_all("opportunities", "").await;
    let stages: std::collections::HashSet<&str> = opportunities.iter().map(|o| o["stage"].as_str().unwrap()).collect();
    assert!(stages.len() >= 3, "{stages:?}");
    assert!(app.list_all("pipelines", "").await.len() >= 2);
    // More demo data on top adds people, not a second catalogue.
    let more = relata(&app, &["demo", "--contacts", "20", "--seed", "5", "--append"], None).await;
    assert!(more.status.success(), "{}", stderr(&more));
    assert_eq!(app.list_all("products", "").await.len(), 10);
}

/// `relata serve --demo` loads demo data into an empty workspace and prints,
/// once, an API token and a demo administrator's password that both work.
async fn serve_demo_prints_a_token_and_a_demo_sign_in(app: TestApp) {
    use std::io::BufRead;
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let listen = format!("127.0.0.1:{port}");
    let mut args = app.db().cli_args();
    args.extend(["serve", "--demo", "--demo-contacts", "30", "--listen", &listen].map(str::to_string));
    let mut server = std::process::Command::new(env!("CARGO_BIN_EXE_relata"))
        .args(&args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Read the server's log to its end (so it never writes into a closed
    // pipe), handing over the token and password once both are seen.
    let stderr = server.stderr.take().unwrap();
    let (found_tx, found_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut token = None;
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.strip_prefix("Demo API token (shown once): ") {
                token = Some(rest.trim().to_string());
            }
            if let Some((_, rest)) = line.split_once("with the password ") {
                let password = rest.split_whitespace().next().map(str::to_string);
                let _ = found_tx.send((token.clone(), password));
            }
        }
    });
    let (token, password) = tokio::task::spawn_blocking(move || {
        found_rx.recv_timeout(std::time::Duration::from_secs(120)).unwrap_or((None, None))
    })
    .await
    .unwrap();
    let client = reqwest::Client::new();
    let mut ready = false;
    for _ in 0..1000 {
        if client.get(format!("http://{listen}/healthz")).send().await.is_ok_and(|r| r.status().is_success()) {
            ready = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let contacts = client
        .get(format!("http://{listen}/api/v1/contacts?limit=5"))
        .bearer_auth(token.clone().unwrap_or_default())
        .send()
        .await;
    let login = client
        .post(format!("http://{listen}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": "demo@relata.localhost", "password": password.clone().unwrap_or_default()}))
        .send()
        .await;
    let _ = server.kill();
    let _ = server.wait();
    assert!(ready && token.is_some() && password.is_some(), "token {token:?}, password {password:?}");
    let contacts: Json = contacts.unwrap().json().await.unwrap();
    assert_eq!(contacts["data"].as_array().unwrap().len(), 5, "demo data is there");
    let login = login.unwrap();
    assert_eq!(login.status().as_u16(), 200);
    let body: Json = login.json().await.unwrap();
    assert_eq!(body["role"], "admin");
}

async fn tokens_serve_and_migrations_work_from_the_command_line(app: TestApp) {
    let created = relata(&app, &["token", "create", "--name", "ci", "--scope", "read"], None).await;
    assert!(created.status.success(), "{}", stderr(&created));
    let token = stdout(&created).trim().to_string();
    assert!(token.starts_with("rlt_") && token.len() > 40, "{token}");
    assert!(!stderr(&created).contains(&token), "the secret goes to stdout only");
    let refused = relata(&app, &["token", "create", "--name", "x", "--scope", "admin"], None).await;
    assert!(!refused.status.success());

    // `relata serve` on a free port answers with the new token.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let listen = format!("127.0.0.1:{port}");
    let mut args = app.db().cli_args();
    args.extend(["serve", "--listen", &listen].map(str::to_string));
    let mut server = std::process::Command::new(env!("CARGO_BIN_EXE_relata"))
        .args(&args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let client = reqwest::Client::new();
    let mut ready = false;
    for _ in 0..300 {
        if client.get(format!("http://{listen}/healthz")).send().await.is_ok_and(|r| r.status().is_success()) {
            ready = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let reply = client.get(format!("http://{listen}/api/v1/pipelines")).bearer_auth(&token).send().await;
    let _ = server.kill();
    let _ = server.wait();
    assert!(ready, "relata serve became ready");
    assert_eq!(reply.unwrap().status().as_u16(), 200);

    let migrated = relata(&app, &["migrate"], None).await;
    assert!(migrated.status.success(), "{}", stderr(&migrated));
    assert!(stdout(&migrated).contains("up to date"), "{}", stdout(&migrated));

    // A database written by a newer relata is refused with a clear message.
    mark_schema_newer(&app).await;
    let refused = relata(&app, &["migrate"], None).await;
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("newer than this relata binary"), "{}", stderr(&refused));
    let refused = relata(&app, &["export", "accounts"], None).await;
    assert!(stderr(&refused).contains("upgrade relata"), "{}", stderr(&refused));
}

/// Simulates a newer binary having migrated the database.
async fn mark_schema_newer(app: &TestApp) {
    let sql = "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', 'then')";
    match app.db().target() {
        relata_store::DbTarget::SqliteDir(dir) => {
            use sqlx::Connection;
            let url = format!("sqlite://{}", dir.join("relata.db").display());
            let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
            sqlx::query(sql).execute(&mut conn).await.unwrap();
        }
        relata_store::DbTarget::Postgres(url) => {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
            sqlx::query(sql).execute(&mut conn).await.unwrap();
        }
    }
}
