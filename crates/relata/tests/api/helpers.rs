//! Test harness: the real server on a free port over a fresh database (a
//! temporary SQLite directory, or a uniquely named PostgreSQL database that is
//! dropped afterwards), with typed helpers for the calls tests make.
//!
//! PostgreSQL tests connect to `RELATA_TEST_POSTGRES_URL` (default: the local
//! server). When it cannot be reached they are skipped with a loud warning,
//! unless `RELATA_REQUIRE_POSTGRES=1` (CI), where they fail instead.

use relata_core::money::Currency;
use relata_store::admin::Workspace;
use relata_store::{DbTarget, Store};
use reqwest::{Method, StatusCode, header::HeaderMap};
use serde_json::{Value as Json, json};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs `test` against a fresh server on each backend. Used as:
/// `both_backends!(name_of_async_fn_taking_TestApp, …);`
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(app) = $crate::helpers::spawn($crate::helpers::Backend::Sqlite, stringify!($name)).await {
                        super::$name(app).await;
                    }
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(app) = $crate::helpers::spawn($crate::helpers::Backend::Postgres, stringify!($name)).await {
                        super::$name(app).await;
                    }
                }
            )*
        }
    };
}

pub fn postgres_admin_url() -> String {
    std::env::var("RELATA_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn postgres_required() -> bool {
    std::env::var("RELATA_REQUIRE_POSTGRES").is_ok_and(|v| v == "1")
}

/// A database that exists for one test and is removed after it.
pub enum TestDb {
    Sqlite(PathBuf),
    Postgres { admin_url: String, name: String },
}

impl TestDb {
    /// A fresh database, or `None` (with a warning) when PostgreSQL is not
    /// reachable and not required.
    pub async fn create(backend: Backend, test: &str) -> Option<TestDb> {
        let unique = uuid::Uuid::now_v7().simple().to_string();
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(format!("relata-test-{unique}"));
                Some(TestDb::Sqlite(dir))
            }
            Backend::Postgres => {
                let admin_url = postgres_admin_url();
                let name = format!("relata_test_{unique}");
                let result = async {
                    use sqlx::Connection;
                    let mut conn = sqlx::PgConnection::connect(&admin_url).await?;
                    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\""))).execute(&mut conn).await?;
                    conn.close().await
                }
                .await;
                match result {
                    Ok(()) => Some(TestDb::Postgres { admin_url, name }),
                    Err(e) if !postgres_required() => {
                        eprintln!(
                            "\n!!!!! WARNING: PostgreSQL is not reachable at {admin_url} ({e}).\n\
                             !!!!! SKIPPING the PostgreSQL run of `{test}`. Set RELATA_REQUIRE_POSTGRES=1 to fail instead.\n"
                        );
                        None
                    }
                    Err(e) => panic!("PostgreSQL is required (RELATA_REQUIRE_POSTGRES=1) but {admin_url} failed: {e}"),
                }
            }
        }
    }

    pub fn target(&self) -> DbTarget {
        match self {
            TestDb::Sqlite(dir) => DbTarget::SqliteDir(dir.clone()),
            TestDb::Postgres { admin_url, name } => DbTarget::Postgres(database_url(admin_url, name)),
        }
    }

    /// The arguments that point the `relata` binary at this database.
    pub fn cli_args(&self) -> Vec<String> {
        match self {
            TestDb::Sqlite(dir) => vec!["--data-dir".into(), dir.display().to_string()],
            TestDb::Postgres { admin_url, name } => vec!["--database-url".into(), database_url(admin_url, name)],
        }
    }
}

/// The URL of a PostgreSQL test database.
pub fn database_url_of(db: &TestDb) -> String {
    match db {
        TestDb::Postgres { admin_url, name } => database_url(admin_url, name),
        TestDb::Sqlite(_) => panic!("not a PostgreSQL database"),
    }
}

fn database_url(admin_url: &str, name: &str) -> String {
    let base = admin_url.rsplit_once('/').map_or(admin_url, |(b, _)| b);
    format!("{base}/{name}")
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match self {
            TestDb::Sqlite(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            TestDb::Postgres { admin_url, name } => {
                let (admin_url, db_name) = (admin_url.clone(), name.clone());
                // Drop runs inside the test's runtime; use a thread with its own.
                let dropped = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
                    rt.block_on(async {
                        use sqlx::Connection;
                        let mut conn = sqlx::PgConnection::connect(&admin_url).await?;
                        sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS \"{db_name}\" WITH (FORCE)")))
                            .execute(&mut conn)
                            .await?;
                        conn.close().await
                    })
                })
                .join();
                if !matches!(dropped, Ok(Ok(()))) {
                    eprintln!("warning: could not drop test database {name}: {dropped:?}");
                }
            }
        }
    }
}

/// A running server and a token for its default workspace.
pub struct TestApp {
    pub backend: Backend,
    pub base: String,
    pub token: String,
    pub app: Arc<relata_server::Server>,
    pub workspace: Workspace,
    client: reqwest::Client,
    server: tokio::task::JoinHandle<()>,
    // Dropped last: the server and its pools go first.
    db: TestDb,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

pub async fn spawn(backend: Backend, test: &str) -> Option<TestApp> {
    let db = TestDb::create(backend, test).await?;
    Some(spawn_on(backend, db).await)
}

/// A server over an existing database (migrated first, as `relata serve` does).
pub async fn spawn_on(backend: Backend, db: TestDb) -> TestApp {
    let store = Store::open(&db.target()).await.expect("open the test database");
    let app = relata_server::modules::app(store);
    let workspace = app.bootstrap().await.expect("bootstrap");
    let admin = app.bootstrap_admin(&workspace).await.expect("admin");
    let token = app.store.create_token(workspace.id, admin.id, "test", "read_write").await.expect("token").secret;
    let server = relata_server::Server::new(app);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("free port");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let handle = tokio::spawn({
        let server = server.clone();
        async move {
            relata_server::serve(listener, server, std::future::pending()).await.expect("server runs");
        }
    });
    // Redirects are answers to check, not to follow.
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let test_app = TestApp { backend, base, token, app: server, workspace, client, server: handle, db };
    test_app.wait_ready().await;
    test_app
}

/// A response: status, headers and the JSON body (`Null` when empty or not
/// JSON), and the bytes as they came.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Json,
    pub bytes: Vec<u8>,
}

impl Reply {
    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The codes of the problem's field errors.
    pub fn error_codes(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|a| a.iter().map(|e| e["code"].as_str().unwrap_or("").to_string()).collect())
            .unwrap_or_default()
    }

    /// The fields of the problem's field errors.
    pub fn error_fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|a| a.iter().map(|e| e["field"].as_str().unwrap_or("").to_string()).collect())
            .unwrap_or_default()
    }

    #[track_caller]
    pub fn expect(self, status: u16) -> Reply {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body: {}", self.body);
        self
    }

    #[track_caller]
    pub fn expect_problem(self, status: u16, kind: &str) -> Reply {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body: {}", self.body);
        assert_eq!(self.header("content-type"), Some("application/problem+json"), "{}", self.body);
        assert_eq!(self.body["type"], json!(format!("/problems/{kind}")), "{}", self.body);
        assert_eq!(self.body["status"], json!(status));
        assert!(self.body["detail"].as_str().is_some_and(|d| !d.is_empty()), "{}", self.body);
        self
    }
}

impl TestApp {
    pub fn db(&self) -> &TestDb {
        &self.db
    }

    async fn wait_ready(&self) {
        for _ in 0..200 {
            if let Ok(r) = self.client.get(format!("{}/healthz", self.base)).send().await
                && r.status().is_success()
            {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!("the server did not become ready");
    }

    /// Any request, with this app's token unless `token` says otherwise.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Reply {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            request = request.bearer_auth(t);
        }
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        if let Some(b) = body {
            request = request.body(b);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("body read");
        let body = serde_json::from_slice(&bytes).unwrap_or(Json::Null);
        Reply { status, headers, body, bytes: bytes.to_vec() }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, Some(&self.token), &[], None).await
    }

    pub async fn post(&self, path: &str, body: &Json) -> Reply {
        let bytes = body.to_string().into_bytes();
        self.send(Method::POST, path, Some(&self.token), &[("content-type", "application/json")], Some(bytes)).await
    }

    pub async fn patch(&self, path: &str, version: i64, body: &Json) -> Reply {
        let etag = format!("\"{version}\"");
        let headers = [("content-type", "application/json"), ("if-match", etag.as_str())];
        self.send(Method::PATCH, path, Some(&self.token), &headers, Some(body.to_string().into_bytes())).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send(Method::DELETE, path, Some(&self.token), &[], None).await
    }

    /// Creates a record and returns its JSON; panics unless 201.
    pub async fn create(&self, entity: &str, body: Json) -> Json {
        self.post(&format!("/api/v1/{entity}"), &body).await.expect(201).body
    }

    /// Every record of `entity` the list endpoint returns (following cursors).
    pub async fn list_all(&self, entity: &str, query: &str) -> Vec<Json> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut path = format!("/api/v1/{entity}?limit=500{query}");
            if let Some(c) = &cursor {
                path.push_str(&format!("&cursor={c}"));
            }
            let reply = self.get(&path).await.expect(200);
            out.extend(reply.body["data"].as_array().cloned().unwrap_or_default());
            match reply.body["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => return out,
            }
        }
    }

    /// Everything the API shows of a workspace's records, for "nothing
    /// changed" checks: every record of every entity type, trash included.
    pub async fn snapshot(&self) -> Json {
        let mut all = serde_json::Map::new();
        for entity in ["accounts", "contacts", "leads", "opportunities", "activities", "pipelines"] {
            let live = self.list_all(entity, "&sort=id").await;
            let trash = self.list_all(entity, "&sort=id&deleted=true").await;
            all.insert(entity.to_string(), json!({"live": live, "trash": trash}));
        }
        Json::Object(all)
    }

    /// A second workspace with its own token (for isolation tests).
    pub async fn other_workspace(&self, slug: &str) -> (Workspace, String) {
        let store = &self.app.app.store;
        let eur = Currency::parse("EUR").unwrap();
        let ws = store.create_workspace(&format!("Workspace {slug}"), slug, &[eur], Some("PL")).await.unwrap();
        let user = store.ensure_user(&format!("admin@{slug}.example.com"), "Other admin").await.unwrap();
        store.add_membership(ws.id, user.id, "admin").await.unwrap();
        let token = store.create_token(ws.id, user.id, "other", "read_write").await.unwrap().secret;
        (ws, token)
    }

    /// The id of this workspace's built-in administrator (who owns the test token).
    pub async fn admin_id(&self) -> String {
        self.app.app.bootstrap_admin(&self.workspace).await.unwrap().id.to_string()
    }

    /// A token for this workspace's admin with another scope.
    pub async fn token_with_scope(&self, scope: &str) -> String {
        let store = &self.app.app.store;
        let admin = self.app.app.bootstrap_admin(&self.workspace).await.unwrap();
        store.create_token(self.workspace.id, admin.id, scope, scope).await.unwrap().secret
    }
}

/// The password test users get.
pub const PASSWORD: &str = "correct horse battery";

/// A signed-in session: the bearer secret and the CSRF token.
#[derive(Clone, Debug)]
pub struct Session {
    pub token: String,
    pub csrf: String,
    pub user: String,
}

impl TestApp {
    /// Any request as someone else (a session or token secret).
    pub async fn get_as(&self, token: &str, path: &str) -> Reply {
        self.send(Method::GET, path, Some(token), &[], None).await
    }

    pub async fn post_as(&self, token: &str, path: &str, body: &Json) -> Reply {
        let bytes = body.to_string().into_bytes();
        self.send(Method::POST, path, Some(token), &[("content-type", "application/json")], Some(bytes)).await
    }

    pub async fn patch_as(&self, token: &str, path: &str, version: i64, body: &Json) -> Reply {
        let etag = format!("\"{version}\"");
        let headers = [("content-type", "application/json"), ("if-match", etag.as_str())];
        self.send(Method::PATCH, path, Some(token), &headers, Some(body.to_string().into_bytes())).await
    }

    pub async fn put_as(&self, token: &str, path: &str, body: &Json) -> Reply {
        let bytes = body.to_string().into_bytes();
        self.send(Method::PUT, path, Some(token), &[("content-type", "application/json")], Some(bytes)).await
    }

    /// Signs in over the API; panics unless it works.
    pub async fn sign_in(&self, email: &str, password: &str) -> Session {
        let reply = self
            .send(
                Method::POST,
                "/api/v1/auth/login",
                None,
                &[("content-type", "application/json")],
                Some(json!({"email": email, "password": password}).to_string().into_bytes()),
            )
            .await
            .expect(200);
        Session {
            token: reply.body["session_token"].as_str().unwrap().to_string(),
            csrf: reply.body["csrf_token"].as_str().unwrap().to_string(),
            user: reply.body["user"]["id"].as_str().unwrap().to_string(),
        }
    }

    /// Adds a member with a password (as this app's admin) and signs them in.
    pub async fn member(&self, email: &str, role: &str) -> Session {
        let body = json!({"email": email, "role": role, "password": PASSWORD, "display_name": email});
        self.post("/api/v1/users", &body).await.expect(201);
        self.sign_in(email, PASSWORD).await
    }

    /// Creates a team with these members (user id, manager?); returns its id.
    pub async fn team(&self, name: &str, members: &[(&Session, bool)]) -> String {
        let team = self.post("/api/v1/teams", &json!({"name": name})).await.expect(201).body;
        let id = team["id"].as_str().unwrap().to_string();
        for (session, manager) in members {
            let path = format!("/api/v1/teams/{id}/members/{}", session.user);
            self.put_as(&self.token, &path, &json!({"manager": manager})).await.expect(200);
        }
        id
    }

    /// A browser session's cookie for pages, for a member with the test password.
    pub async fn cookie_of(&self, email: &str) -> String {
        let body = json!({"email": email, "password": PASSWORD}).to_string().into_bytes();
        let reply = self
            .send(Method::POST, "/api/v1/auth/login", None, &[("content-type", "application/json")], Some(body))
            .await;
        reply.header("set-cookie").expect("a session cookie").split(';').next().unwrap().to_string()
    }

    /// A page's HTML for a browser session; panics unless it is a 200.
    pub async fn page(&self, cookie: &str, path: &str) -> String {
        let response = self.client.get(format!("{}{path}", self.base)).header("cookie", cookie).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        response.text().await.unwrap()
    }

    /// The workspace's audit entries for an action (newest first).
    /// A role's definition as `GET /api/v1/roles` shows it (to change and
    /// `PUT` back).
    pub async fn role(&self, name: &str) -> Json {
        let roles = self.get("/api/v1/roles").await.expect(200).body;
        roles["data"].as_array().unwrap().iter().find(|r| r["name"] == name).expect("the role exists").clone()
    }

    pub async fn audit(&self, query: &str) -> Vec<Json> {
        self.get(&format!("/api/v1/audit?limit=500&{query}")).await.expect(200).body["data"].as_array().unwrap().clone()
    }
}

/// Minimal bodies of valid records.
pub fn account(name: &str) -> Json {
    json!({"name": name})
}

pub fn contact(first: &str, last: &str) -> Json {
    json!({"first_name": first, "last_name": last})
}

pub fn id_of(record: &Json) -> String {
    record["id"].as_str().expect("record has an id").to_string()
}

pub fn version_of(record: &Json) -> i64 {
    record["version"].as_i64().expect("record has a version")
}

/// A `relata serve` process on the test's database, listening on a free
/// port (its base URL is `.1`); killed and waited for when dropped.
pub struct ServeProcess(pub std::process::Child, pub String);

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `relata serve` (no background workers) on the test's database
/// and waits until it is ready.
pub async fn serve_process(app: &TestApp) -> ServeProcess {
    serve_process_with(app, &[]).await
}

/// [`serve_process`] with more environment (`RELATA_…` settings).
pub async fn serve_process_with(app: &TestApp, env: &[(&str, &str)]) -> ServeProcess {
    let address = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().to_string()
    };
    let mut args = app.db().cli_args();
    args.extend(["serve", "--listen", &address, "--workers", "0"].map(String::from));
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_relata"))
        .args(&args)
        .env("RELATA_LOG", "error")
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("relata starts");
    // Killed and waited for when dropped, on every path.
    let server = ServeProcess(child, format!("http://{address}"));
    for _ in 0..400 {
        if reqwest::get(format!("{}/readyz", server.1)).await.is_ok_and(|r| r.status() == 200) {
            return server;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("relata serve did not become ready");
}

/// Runs SQL on the test's database behind Relata's back, on the server's
/// own writer connection (as a module migration named `name`: the one
/// public way to run arbitrary statements); an error when one fails.
pub async fn run_sql(app: &TestApp, name: &str, sql: &str) -> Result<(), relata_store::StoreError> {
    let (name, sql): (&'static str, &'static str) = (name.to_string().leak(), sql.to_string().leak());
    let migration = relata_store::migrate::ModuleMigration { version: 1, name, sqlite: sql, postgres: sql };
    relata_store::migrate::run_module(&app.app.app.store, name, &[migration]).await.map(drop)
}
