//! `relata bench`'s write figures: contacts created, and updated under
//! `If-Match`, through the API by concurrent clients, next to a bare axum
//! handler on the same database file doing the same writes (the record, its
//! contact points, its search entry and its change entry, in one
//! transaction) in the same run.

use serde_json::{Value as Json, json};
use std::time::{Duration, Instant};

/// How a run of writes went.
pub struct Writes {
    pub requests: u64,
    pub errors: u64,
    seconds: f64,
    latencies: Vec<u64>,
}

impl Writes {
    pub fn rate(&self) -> f64 {
        (self.requests as f64 / self.seconds).round()
    }
    pub fn p(&self, q: f64) -> f64 {
        let i = ((self.latencies.len().max(1) - 1) as f64 * q).round() as usize;
        self.latencies.get(i).copied().unwrap_or(0) as f64 / 1000.0
    }
}

/// A contact to create: the same body for the API and the bare handler.
fn new_contact(run: &str, worker: usize, n: u64) -> Json {
    json!({"first_name": "Bench", "last_name": format!("Writer {run}-{worker}-{n}"),
        "emails": [format!("writer.{run}.{worker}.{n}@example.com")],
        "phones": [format!("+4860{:07}", (worker as u64 * 1_000_003 + n) % 10_000_000)], "city": "Gdańsk"})
}

/// `concurrency` clients each creating contacts at `base` (`/api/v1/contacts`
/// or the bare handler's `/contacts`) for `duration`, then updating one of
/// their own again and again, each update naming the version it read.
/// Returns (creates, updates).
pub async fn load_writes(
    base: &str,
    token: Option<&str>,
    run: &str,
    concurrency: usize,
    duration: Duration,
) -> (Writes, Writes) {
    let client = reqwest::Client::builder().pool_max_idle_per_host(concurrency).build().expect("client");
    let auth = token.map(|t| format!("Bearer {t}"));
    let phase = |updates: bool| {
        let (client, auth, base, run) = (client.clone(), auth.clone(), base.to_string(), run.to_string());
        async move {
            let started = Instant::now();
            let tasks: Vec<_> = (0..concurrency)
                .map(|worker| {
                    let (client, auth, base, run) = (client.clone(), auth.clone(), base.clone(), run.clone());
                    tokio::spawn(async move {
                        client_writes(&client, auth.as_deref(), &base, &run, worker, updates, started, duration).await
                    })
                })
                .collect();
            let mut all = Writes { requests: 0, errors: 0, seconds: 0.0, latencies: Vec::new() };
            for task in tasks {
                if let Ok((latencies, errors)) = task.await {
                    all.latencies.extend(latencies);
                    all.errors += errors;
                }
            }
            all.seconds = started.elapsed().as_secs_f64();
            all.latencies.sort_unstable();
            all.requests = all.latencies.len() as u64;
            all
        }
    };
    let creates = phase(false).await;
    let updates = phase(true).await;
    (creates, updates)
}

/// One client's requests: latencies (microseconds) and errors.
#[allow(clippy::too_many_arguments)]
async fn client_writes(
    client: &reqwest::Client,
    auth: Option<&str>,
    base: &str,
    run: &str,
    worker: usize,
    updates: bool,
    started: Instant,
    duration: Duration,
) -> (Vec<u64>, u64) {
    let send = |request: reqwest::RequestBuilder| match auth {
        Some(a) => request.header("authorization", a),
        None => request,
    };
    let mut latencies = Vec::new();
    let mut errors = 0;
    // The record this client updates, and the version it last saw.
    let mut own: Option<(String, i64)> = None;
    if updates {
        let created = send(client.post(base).json(&new_contact(&format!("{run}u"), worker, 0))).send().await;
        let body: Json = match created {
            Ok(r) if r.status().is_success() => r.json().await.unwrap_or_default(),
            _ => Json::Null,
        };
        own = body["id"].as_str().map(|id| (id.to_string(), body["version"].as_i64().unwrap_or(1)));
        if own.is_none() {
            return (latencies, 1);
        }
    }
    let mut n = 0u64;
    while started.elapsed() < duration {
        n += 1;
        let sent = Instant::now();
        let request = match &own {
            Some((id, version)) => client
                .patch(format!("{base}/{id}"))
                .header("if-match", format!("\"{version}\""))
                .json(&json!({"title": format!("Update {n}")})),
            None => client.post(base).json(&new_contact(run, worker, n)),
        };
        match send(request).send().await {
            Ok(r) if r.status().is_success() => {
                let body: Json = r.json().await.unwrap_or_default();
                if let (Some((_, version)), Some(v)) = (own.as_mut(), body["version"].as_i64()) {
                    *version = v;
                }
            }
            _ => errors += 1,
        }
        latencies.push(sent.elapsed().as_micros() as u64);
    }
    (latencies, errors)
}

/// The bare handlers' state (`relata bench-baseline`): one writer
/// connection (as Relata's), the workspace and the actor.
#[derive(Clone)]
pub struct Bare {
    pub pool: sqlx::SqlitePool,
    pub workspace: uuid::Uuid,
    pub actor: uuid::Uuid,
}

/// Routes of the bare writer: `POST /contacts` and `PATCH /contacts/{id}`.
pub fn bare_routes(state: Bare) -> axum::Router {
    axum::Router::new()
        .route("/contacts", axum::routing::post(bare_create))
        .route("/contacts/{id}", axum::routing::patch(bare_update))
        .with_state(state)
}

/// The writer pool the bare handlers use: one connection, as Relata's.
pub async fn bare_writer(db: &std::path::Path) -> Result<sqlx::SqlitePool, String> {
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(db)
        .create_if_missing(true)
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
        .synchronous(sqlx::sqlite::SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(10));
    sqlx::sqlite::SqlitePoolOptions::new().max_connections(1).connect_with(options).await.map_err(|e| e.to_string())
}

fn text(body: &Json, key: &str) -> Option<String> {
    body[key].as_str().map(str::to_string)
}

fn first(body: &Json, key: &str) -> Option<String> {
    body[key][0].as_str().map(str::to_string)
}

/// The change entry of a bare write (the actor owns the contact throughout).
async fn insert_change(
    tx: &mut sqlx::SqliteConnection,
    bare: &Bare,
    id: uuid::Uuid,
    op: &str,
    diff: &Json,
    version: i64,
    now: &str,
) -> Result<(), sqlx::Error> {
    let owner_before = (op != "create").then_some(bare.actor);
    sqlx::query(
        "INSERT INTO changes (workspace_id, entity, record_id, op, actor_id, at, diff, tx_id, version,
            owner_before, owner_after) VALUES (?, 'contact', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(bare.workspace)
    .bind(id)
    .bind(op)
    .bind(bare.actor)
    .bind(now)
    .bind(diff.to_string())
    .bind(uuid::Uuid::now_v7())
    .bind(version)
    .bind(owner_before)
    .bind(bare.actor)
    .execute(tx)
    .await
    .map(drop)
}

/// What a bare create writes, from the same body the API gets.
struct NewContact {
    first_name: Option<String>,
    last_name: Option<String>,
    city: Option<String>,
    email: Option<String>,
    phone: Option<String>,
}

impl NewContact {
    fn from_body(body: &Json) -> NewContact {
        NewContact {
            first_name: text(body, "first_name"),
            last_name: text(body, "last_name"),
            city: text(body, "city"),
            email: first(body, "emails").map(|e| e.to_lowercase()),
            phone: first(body, "phones"),
        }
    }

    /// The search entry's words.
    fn words(&self) -> String {
        [&self.first_name, &self.last_name, &self.email, &self.phone, &self.city]
            .into_iter()
            .flatten()
            .flat_map(|v| relata_core::text::search_words(v).collect::<Vec<_>>())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The change entry's diff.
    fn diff(&self) -> Json {
        json!({"first_name": self.first_name, "last_name": self.last_name, "emails": [self.email],
            "phones": [self.phone], "city": self.city, "lifecycle": "prospect"})
    }

    fn points(&self) -> [(&'static str, &Option<String>); 2] {
        [("email", &self.email), ("phone", &self.phone)]
    }
}

fn created(result: Result<(), sqlx::Error>, id: uuid::Uuid) -> axum::response::Response {
    use axum::response::IntoResponse;
    match result {
        Ok(()) => {
            (axum::http::StatusCode::CREATED, axum::Json(json!({"id": id.to_string(), "version": 1}))).into_response()
        }
        Err(_) => axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

fn updated(result: Result<Option<i64>, sqlx::Error>, id: uuid::Uuid) -> axum::response::Response {
    use axum::response::IntoResponse;
    match result {
        Ok(Some(v)) => axum::Json(json!({"id": id.to_string(), "version": v})).into_response(),
        Ok(None) => axum::http::StatusCode::PRECONDITION_FAILED.into_response(),
        Err(_) => axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// The id and `If-Match` version of a bare update, or the answer refusing it.
fn update_target(id: &str, headers: &axum::http::HeaderMap) -> Result<(uuid::Uuid, i64), axum::http::StatusCode> {
    let Ok(id) = uuid::Uuid::parse_str(id) else { return Err(axum::http::StatusCode::NOT_FOUND) };
    let version =
        headers.get("if-match").and_then(|v| v.to_str().ok()).and_then(|v| v.trim_matches('"').parse::<i64>().ok());
    version.map(|v| (id, v)).ok_or(axum::http::StatusCode::PRECONDITION_REQUIRED)
}

async fn bare_create(
    axum::extract::State(bare): axum::extract::State<Bare>,
    axum::Json(body): axum::Json<Json>,
) -> axum::response::Response {
    let id = uuid::Uuid::now_v7();
    let now = relata_core::record::now_micros().to_rfc3339();
    let contact = NewContact::from_body(&body);
    let result = async {
        let mut tx = bare.pool.begin().await?;
        sqlx::query(
            "INSERT INTO contacts (id, workspace_id, version, owner_id, created_at, updated_at, created_by_id,
                updated_by_id, first_name, last_name, emails, phones, city, lifecycle, custom)
             VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, json_array(?), json_array(?), ?, 'prospect', '{}')",
        )
        .bind(id)
        .bind(bare.workspace)
        .bind(bare.actor)
        .bind(&now)
        .bind(&now)
        .bind(bare.actor)
        .bind(bare.actor)
        .bind(&contact.first_name)
        .bind(&contact.last_name)
        .bind(&contact.email)
        .bind(&contact.phone)
        .bind(&contact.city)
        .execute(&mut *tx)
        .await?;
        for (kind, value) in contact.points() {
            if let Some(value) = value {
                sqlx::query(
                    "INSERT INTO contact_points (workspace_id, kind, value, record_id, entity) VALUES (?, ?, ?, ?, 'contact')",
                )
                .bind(bare.workspace)
                .bind(kind)
                .bind(value)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
        }
        sqlx::query(
            "INSERT INTO search_docs_input (workspace_id, entity, record_id, content) VALUES (?, 'contact', ?, ?)",
        )
        .bind(bare.workspace)
        .bind(id)
        .bind(contact.words())
        .execute(&mut *tx)
        .await?;
        insert_change(&mut tx, &bare, id, "create", &contact.diff(), 1, &now).await?;
        tx.commit().await
    }
    .await;
    created(result, id)
}

async fn bare_update(
    axum::extract::State(bare): axum::extract::State<Bare>,
    axum::extract::Path(id): axum::extract::Path<String>,
    headers: axum::http::HeaderMap,
    axum::Json(body): axum::Json<Json>,
) -> axum::response::Response {
    let (id, version) = match update_target(&id, &headers) {
        Ok(target) => target,
        Err(refused) => return axum::response::IntoResponse::into_response(refused),
    };
    let title = text(&body, "title");
    let now = relata_core::record::now_micros().to_rfc3339();
    let result = async {
        let mut tx = bare.pool.begin().await?;
        let before: Option<Option<String>> =
            sqlx::query_scalar("SELECT title FROM contacts WHERE workspace_id = ? AND id = ? AND version = ?")
                .bind(bare.workspace)
                .bind(id)
                .bind(version)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(before) = before else { return Ok(None) };
        sqlx::query(
            "UPDATE contacts SET title = ?, version = version + 1, updated_at = ?, updated_by_id = ?
             WHERE workspace_id = ? AND id = ?",
        )
        .bind(&title)
        .bind(&now)
        .bind(bare.actor)
        .bind(bare.workspace)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let diff = json!({"title": {"before": before, "after": title}});
        insert_change(&mut tx, &bare, id, "update", &diff, version + 1, &now).await?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(Some(version + 1))
    }
    .await;
    updated(result, id)
}

/// The bare handlers on PostgreSQL: the same writes, in PostgreSQL's SQL
/// and types, over a pool as large as Relata's.
#[derive(Clone)]
pub struct BarePg {
    pub pool: sqlx::PgPool,
    pub workspace: uuid::Uuid,
    pub actor: uuid::Uuid,
}

/// Routes of the bare PostgreSQL writer, as [`bare_routes`].
pub fn bare_pg_routes(state: BarePg) -> axum::Router {
    axum::Router::new()
        .route("/contacts", axum::routing::post(bare_pg_create))
        .route("/contacts/{id}", axum::routing::patch(bare_pg_update))
        .with_state(state)
}

async fn insert_pg_change(
    tx: &mut sqlx::PgConnection,
    bare: &BarePg,
    id: uuid::Uuid,
    op: &str,
    diff: &Json,
    version: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), sqlx::Error> {
    let owner_before = (op != "create").then_some(bare.actor);
    sqlx::query(
        "INSERT INTO changes (workspace_id, entity, record_id, op, actor_id, at, diff, tx_id, version,
            owner_before, owner_after) VALUES ($1, 'contact', $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(bare.workspace)
    .bind(id)
    .bind(op)
    .bind(bare.actor)
    .bind(now)
    .bind(diff)
    .bind(uuid::Uuid::now_v7())
    .bind(version)
    .bind(owner_before)
    .bind(bare.actor)
    .execute(tx)
    .await
    .map(drop)
}

async fn bare_pg_create(
    axum::extract::State(bare): axum::extract::State<BarePg>,
    axum::Json(body): axum::Json<Json>,
) -> axum::response::Response {
    let id = uuid::Uuid::now_v7();
    let now = relata_core::record::now_micros();
    let contact = NewContact::from_body(&body);
    let result = async {
        let mut tx = bare.pool.begin().await?;
        sqlx::query(
            "INSERT INTO contacts (id, workspace_id, version, owner_id, created_at, updated_at, created_by_id,
                updated_by_id, first_name, last_name, emails, phones, city, lifecycle, custom)
             VALUES ($1, $2, 1, $3, $4, $4, $3, $3, $5, $6, jsonb_build_array($7::text), jsonb_build_array($8::text),
                $9, 'prospect', '{}')",
        )
        .bind(id)
        .bind(bare.workspace)
        .bind(bare.actor)
        .bind(now)
        .bind(&contact.first_name)
        .bind(&contact.last_name)
        .bind(&contact.email)
        .bind(&contact.phone)
        .bind(&contact.city)
        .execute(&mut *tx)
        .await?;
        for (kind, value) in contact.points() {
            if let Some(value) = value {
                sqlx::query(
                    "INSERT INTO contact_points (workspace_id, kind, value, record_id, entity)
                     VALUES ($1, $2, $3, $4, 'contact')",
                )
                .bind(bare.workspace)
                .bind(kind)
                .bind(value)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
        }
        sqlx::query(
            "INSERT INTO search_docs (workspace_id, entity, record_id, content) VALUES ($1, 'contact', $2, $3)",
        )
        .bind(bare.workspace)
        .bind(id)
        .bind(contact.words())
        .execute(&mut *tx)
        .await?;
        insert_pg_change(&mut tx, &bare, id, "create", &contact.diff(), 1, now).await?;
        tx.commit().await
    }
    .await;
    created(result, id)
}

async fn bare_pg_update(
    axum::extract::State(bare): axum::extract::State<BarePg>,
    axum::extract::Path(id): axum::extract::Path<String>,
    headers: axum::http::HeaderMap,
    axum::Json(body): axum::Json<Json>,
) -> axum::response::Response {
    let (id, version) = match update_target(&id, &headers) {
        Ok(target) => target,
        Err(refused) => return axum::response::IntoResponse::into_response(refused),
    };
    let title = text(&body, "title");
    let now = relata_core::record::now_micros();
    let result = async {
        let mut tx = bare.pool.begin().await?;
        let before: Option<Option<String>> = sqlx::query_scalar(
            "SELECT title FROM contacts WHERE workspace_id = $1 AND id = $2 AND version = $3 FOR UPDATE",
        )
        .bind(bare.workspace)
        .bind(id)
        .bind(version)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(before) = before else { return Ok(None) };
        sqlx::query(
            "UPDATE contacts SET title = $1, version = version + 1, updated_at = $2, updated_by_id = $3
             WHERE workspace_id = $4 AND id = $5",
        )
        .bind(&title)
        .bind(now)
        .bind(bare.actor)
        .bind(bare.workspace)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let diff = json!({"title": {"before": before, "after": title}});
        insert_pg_change(&mut tx, &bare, id, "update", &diff, version + 1, now).await?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(Some(version + 1))
    }
    .await;
    updated(result, id)
}

/// Prints a write figure next to its bare yardstick.
pub fn write_figure(name: &str, concurrency: usize, ours: &Writes, bare: &Writes) {
    write_figure_on("sqlite", name, concurrency, ours, bare)
}

/// [`write_figure`] on a named backend.
pub fn write_figure_on(backend: &str, name: &str, concurrency: usize, ours: &Writes, bare: &Writes) {
    crate::bench::figure(
        name,
        json!({"backend": backend, "concurrency": concurrency, "requests_per_s": ours.rate(), "p50_ms": ours.p(0.5),
            "p99_ms": ours.p(0.99), "errors": ours.errors, "bare_requests_per_s": bare.rate(),
            "bare_p99_ms": bare.p(0.99), "bare_errors": bare.errors,
            "ratio_to_bare": ((ours.rate() / bare.rate().max(1.0)) * 100.0).round() / 100.0, "target": ">= 0.5"}),
    );
}
