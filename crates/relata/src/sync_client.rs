//! `relata sync`: the offline client and the reference client of the sync
//! protocol (`/api/v1/sync`). It keeps one user's device replica in a local
//! SQLite file; `list`, `show`, `create`, `update` and `log-call` work on it
//! with no network, queueing the changes; `now` pushes them and pulls what
//! changed within the device's subscriptions.

use clap::Subcommand;
use serde_json::{Value as Json, json};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{Row, SqlitePool};
use std::path::Path;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum SyncCommand {
    /// Register this device with the server and make the replica.
    Init {
        /// The server's address (`http://127.0.0.1:8080`).
        #[arg(long)]
        server: String,
        /// An API token of the device's user.
        #[arg(long)]
        token: String,
        #[arg(long, default_value = "relata sync")]
        name: String,
        /// The subscriptions, as the API takes them (a JSON array).
        #[arg(long)]
        subscriptions: String,
    },
    /// Push the changes made offline, then pull what changed.
    Now,
    /// The replica's records of a type, optionally where field=value.
    List {
        entity: String,
        #[arg(long = "where")]
        conditions: Vec<String>,
        /// One JSON object per line instead of id and title.
        #[arg(long)]
        json: bool,
    },
    /// One record of the replica, as JSON.
    Show { entity: String, id: String },
    /// Make a record offline: --set field=value (a value that reads as JSON is JSON).
    Create {
        entity: String,
        #[arg(long = "set")]
        fields: Vec<String>,
    },
    /// Change a record offline.
    Update {
        entity: String,
        id: String,
        #[arg(long = "set")]
        fields: Vec<String>,
    },
    /// Log a call with a contact offline (an activity of kind call).
    LogCall {
        contact: String,
        #[arg(long)]
        subject: String,
        #[arg(long)]
        outcome: Option<String>,
        #[arg(long)]
        notes: Option<String>,
    },
    /// What waits to be pushed, when the replica last synced, and what the
    /// last push reported (conflicts, refusals).
    Status,
}

pub async fn run(replica: &Path, command: SyncCommand) -> Result<ExitCode, String> {
    let replica = Replica::open(replica).await?;
    match command {
        SyncCommand::Init { server, token, name, subscriptions } => {
            replica.init(&server, &token, &name, &subscriptions).await?
        }
        SyncCommand::Now => replica.sync_now().await?,
        SyncCommand::List { entity, conditions, json } => replica.list(&entity, &conditions, json).await?,
        SyncCommand::Show { entity, id } => println!("{}", replica.record(&entity, &id).await?),
        SyncCommand::Create { entity, fields } => {
            let id = replica.create(&entity, parse_fields(&fields)?).await?;
            println!("{id}");
        }
        SyncCommand::Update { entity, id, fields } => replica.update(&entity, &id, parse_fields(&fields)?).await?,
        SyncCommand::LogCall { contact, subject, outcome, notes } => {
            let contact_record = replica.record("contacts", &contact).await?;
            let mut fields = json!({"kind": "call", "subject": subject, "direction": "outbound", "done": true,
                                    "contact": contact, "start_at": now()});
            if let Some(account) = contact_record["account"].as_str() {
                fields["account"] = json!(account);
            }
            if let Some(outcome) = outcome {
                fields["outcome"] = json!(outcome);
            }
            if let Some(notes) = notes {
                fields["body"] = json!(notes);
            }
            println!("{}", replica.create("activities", fields).await?);
        }
        SyncCommand::Status => replica.status().await?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `field=value` pairs as a JSON object: a value that reads as JSON (a
/// number, true, a list) is that; anything else is text.
fn parse_fields(pairs: &[String]) -> Result<Json, String> {
    let mut out = serde_json::Map::new();
    for pair in pairs {
        let (field, value) = pair.split_once('=').ok_or_else(|| format!("{pair:?} is not field=value"))?;
        let value = serde_json::from_str(value).unwrap_or_else(|_| json!(value));
        out.insert(field.trim().to_string(), value);
    }
    Ok(Json::Object(out))
}

fn now() -> String {
    relata_core::value::format_datetime(&chrono::Utc::now())
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (entity TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL,
    body TEXT NOT NULL, PRIMARY KEY (entity, id));
CREATE TABLE IF NOT EXISTS metadata (entity TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, change TEXT NOT NULL,
    sent INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS local_ids (local TEXT PRIMARY KEY, server TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS reports (seq INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL);
";

/// Records made offline have this id until the server gives theirs.
const LOCAL: &str = "local-";

struct Replica {
    pool: SqlitePool,
    client: reqwest::Client,
}

impl Replica {
    async fn open(dir: &Path) -> Result<Replica, String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let options = SqliteConnectOptions::new().filename(dir.join("replica.db")).create_if_missing(true);
        let pool =
            SqlitePoolOptions::new().max_connections(1).connect_with(options).await.map_err(|e| e.to_string())?;
        sqlx::raw_sql(SCHEMA).execute(&pool).await.map_err(|e| e.to_string())?;
        Ok(Replica { pool, client: reqwest::Client::new() })
    }

    async fn setting(&self, key: &str) -> Result<Option<String>, String> {
        let row = sqlx::query("SELECT value FROM settings WHERE key = ?").bind(key).fetch_optional(&self.pool).await;
        Ok(row.map_err(|e| e.to_string())?.map(|r| r.get::<String, _>(0)))
    }

    async fn set(&self, key: &str, value: &str) -> Result<(), String> {
        put_setting(&self.pool, key, value).await
    }

    async fn required(&self, key: &str) -> Result<String, String> {
        self.setting(key).await?.ok_or_else(|| "this replica is not set up: run `relata sync init` first".to_string())
    }

    async fn init(&self, server: &str, token: &str, name: &str, subscriptions: &str) -> Result<(), String> {
        if self.setting("device").await?.is_some() {
            return Err("this replica is set up already".into());
        }
        let subscriptions: Json =
            serde_json::from_str(subscriptions).map_err(|e| format!("--subscriptions is not JSON: {e}"))?;
        let server = server.trim_end_matches('/');
        let body = json!({"name": name, "subscriptions": subscriptions});
        let device = self.call(server, token, reqwest::Method::POST, "/api/v1/sync/devices", Some(&body)).await?;
        let id = device["id"].as_str().ok_or("the server answered without a device id")?;
        self.set("server", server).await?;
        self.set("token", token).await?;
        self.set("device", id).await?;
        println!("device {id}");
        Ok(())
    }

    /// One request to the server; a problem answer becomes its status and text.
    async fn call(
        &self,
        server: &str,
        token: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<&Json>,
    ) -> Result<Json, Failure> {
        let mut request = self.client.request(method, format!("{server}{path}")).bearer_auth(token);
        if let Some(body) = body {
            request = request.json(body);
        }
        let failed = |message: String| Failure { status: None, message };
        let response = request.send().await.map_err(|e| failed(format!("the server cannot be reached: {e}")))?;
        let status = response.status();
        let text = response.text().await.map_err(|e| failed(format!("the answer was cut off: {e}")))?;
        if !status.is_success() {
            return Err(Failure {
                status: Some(status.as_u16()),
                message: format!("the server answered {status}: {text}"),
            });
        }
        if text.is_empty() { Ok(Json::Null) } else { serde_json::from_str(&text).map_err(|e| failed(e.to_string())) }
    }

    async fn record(&self, entity: &str, id: &str) -> Result<Json, String> {
        let row = sqlx::query("SELECT body FROM records WHERE entity = ? AND id = ?")
            .bind(entity)
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("the replica has no {entity} {id}"))?;
        serde_json::from_str(&row.get::<String, _>(0)).map_err(|e| e.to_string())
    }

    async fn put_record(&self, entity: &str, record: &Json) -> Result<(), String> {
        let id = record["id"].as_str().ok_or("a record without an id")?;
        keep_record(&self.pool, entity, id, record).await
    }

    async fn forget_record(&self, entity: &str, id: &str) -> Result<(), String> {
        drop_record(&self.pool, entity, id).await
    }

    async fn queue(&self, change: &Json) -> Result<(), String> {
        sqlx::query("INSERT INTO outbox (change) VALUES (?)")
            .bind(change.to_string())
            .execute(&self.pool)
            .await
            .map(drop)
            .map_err(|e| e.to_string())
    }

    /// The changes waiting, in order: (sequence, change, whether a push
    /// that carried it was tried).
    async fn outbox(&self) -> Result<Vec<(i64, Json, bool)>, String> {
        let rows = sqlx::query("SELECT seq, change, sent FROM outbox ORDER BY seq")
            .fetch_all(&self.pool)
            .await
            .map_err(|e| e.to_string())?;
        Ok(rows
            .iter()
            .map(|r| {
                (r.get(0), serde_json::from_str(&r.get::<String, _>(1)).unwrap_or_default(), r.get::<i64, _>(2) != 0)
            })
            .collect())
    }

    async fn create(&self, entity: &str, fields: Json) -> Result<String, String> {
        self.required("device").await?;
        let id = format!("{LOCAL}{}", uuid::Uuid::now_v7());
        let mut record = fields.clone();
        record["id"] = json!(id);
        record["version"] = json!(0);
        self.put_record(entity, &record).await?;
        let change = json!({"id": uuid::Uuid::now_v7().to_string(), "entity": entity, "op": "create",
                            "fields": fields, "changed_at": now(), "local_id": id});
        self.queue(&change).await?;
        Ok(id)
    }

    async fn update(&self, entity: &str, id: &str, fields: Json) -> Result<(), String> {
        let mut record = self.record(entity, id).await?;
        let Some(set) = fields.as_object() else { return Err("nothing to set".into()) };
        for (field, value) in set {
            record[field] = value.clone();
        }
        self.put_record(entity, &record).await?;
        // A change not sent yet takes these fields too (its creation, or an
        // update of the same record); one that may have reached the server
        // is never rewritten, or its replay would not be recognised.
        for (seq, mut change, sent) in self.outbox().await? {
            let same = change["entity"] == entity
                && (change["local_id"] == id || (change["op"] == "update" && change["record_id"] == id));
            if !same || sent {
                continue;
            }
            for (field, value) in set {
                change["fields"][field] = value.clone();
            }
            return sqlx::query("UPDATE outbox SET change = ? WHERE seq = ?")
                .bind(change.to_string())
                .bind(seq)
                .execute(&self.pool)
                .await
                .map(drop)
                .map_err(|e| e.to_string());
        }
        // A record made offline whose creation may have been sent is at
        // version 1 on the server.
        let base = if id.starts_with(LOCAL) { json!(1) } else { record["version"].clone() };
        let change = json!({"id": uuid::Uuid::now_v7().to_string(), "entity": entity, "op": "update",
                            "record_id": id, "base_version": base, "fields": fields, "changed_at": now()});
        self.queue(&change).await
    }

    async fn list(&self, entity: &str, conditions: &[String], as_json: bool) -> Result<(), String> {
        let wanted = parse_fields(conditions)?;
        let rows = sqlx::query("SELECT body FROM records WHERE entity = ? ORDER BY id")
            .bind(entity)
            .fetch_all(&self.pool)
            .await
            .map_err(|e| e.to_string())?;
        let title_fields: Vec<String> = match sqlx::query("SELECT body FROM metadata WHERE entity = ?")
            .bind(entity)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| e.to_string())?
        {
            Some(row) => serde_json::from_str::<Json>(&row.get::<String, _>(0)).unwrap_or_default()["title_fields"]
                .as_array()
                .map(|a| a.iter().filter_map(|f| f.as_str().map(str::to_string)).collect())
                .unwrap_or_default(),
            None => Vec::new(),
        };
        for row in rows {
            let record: Json = serde_json::from_str(&row.get::<String, _>(0)).unwrap_or_default();
            let matches = wanted.as_object().into_iter().flatten().all(|(field, value)| &record[field] == value);
            if !matches {
                continue;
            }
            if as_json {
                println!("{record}");
            } else {
                let title: Vec<&str> = title_fields.iter().filter_map(|f| record[f].as_str()).collect();
                println!("{}\t{}", record["id"].as_str().unwrap_or_default(), title.join(" "));
            }
        }
        Ok(())
    }

    async fn status(&self) -> Result<(), String> {
        let waiting = self.outbox().await?.len();
        let reports = sqlx::query("SELECT body FROM reports ORDER BY seq").fetch_all(&self.pool).await;
        let reports: Vec<Json> = reports
            .map_err(|e| e.to_string())?
            .iter()
            .map(|r| serde_json::from_str(&r.get::<String, _>(0)).unwrap_or_default())
            .collect();
        let status = json!({"device": self.setting("device").await?, "waiting": waiting,
                            "last_sync_at": self.setting("last_sync_at").await?, "reports": reports});
        println!("{status}");
        Ok(())
    }

    async fn sync_now(&self) -> Result<(), String> {
        let (server, token, device) =
            (self.required("server").await?, self.required("token").await?, self.required("device").await?);
        let (pushed, reports) = self.push(&server, &token, &device).await?;
        let pulled = self.pull(&server, &token, &device).await?;
        self.set("last_sync_at", &now()).await?;
        let count = |status: &str| reports.iter().filter(|r| r["result"]["status"] == status).count();
        let summary = json!({"pushed": pushed, "pulled": pulled, "conflicts": count("conflict"),
                             "rejected": count("rejected"), "reports": reports});
        println!("{summary}");
        Ok(())
    }

    /// Pushes the outbox in order. A change that names a record made
    /// offline goes once the server gave that record its id (the id is put
    /// in its place); a change leaves the outbox once the server answered
    /// (a push cut off is sent again with the same ids, and the server
    /// answers what it did). Returns how many went, and the conflicts and
    /// refusals, each with the change (kept in the replica's reports).
    async fn push(&self, server: &str, token: &str, device: &str) -> Result<(usize, Vec<Json>), String> {
        let mut reports = Vec::new();
        let mut pushed = 0;
        loop {
            let ids = self.local_ids().await?;
            let mut batch: Vec<(i64, Json)> = Vec::new();
            for (seq, mut change, _) in self.outbox().await? {
                rename_local_ids(&mut change, &ids);
                let waits_for_batch =
                    names_local_ids(&change).iter().any(|l| batch.iter().any(|(_, c)| c["local_id"] == l.as_str()));
                if waits_for_batch || batch.len() == 500 {
                    break;
                }
                batch.push((seq, change));
            }
            if batch.is_empty() {
                return Ok((pushed, reports));
            }
            for (seq, change) in &batch {
                sqlx::query("UPDATE outbox SET change = ?, sent = 1 WHERE seq = ?")
                    .bind(change.to_string())
                    .bind(seq)
                    .execute(&self.pool)
                    .await
                    .map_err(|e| e.to_string())?;
            }
            let changes: Vec<Json> = batch
                .iter()
                .map(|(_, c)| {
                    let mut sent = c.clone();
                    if let Some(fields) = sent.as_object_mut() {
                        fields.remove("local_id");
                    }
                    sent
                })
                .collect();
            let path = format!("/api/v1/sync/devices/{device}/push");
            let body = json!({"changes": changes});
            let answer = self.call(server, token, reqwest::Method::POST, &path, Some(&body)).await?;
            let results = answer["results"].as_array().cloned().unwrap_or_default();
            for ((seq, change), result) in batch.iter().zip(&results) {
                self.settle_pushed(server, token, change, result).await?;
                if matches!(result["status"].as_str(), Some("rejected" | "conflict")) {
                    let report = json!({"change": change, "result": result});
                    sqlx::query("INSERT INTO reports (body) VALUES (?)")
                        .bind(report.to_string())
                        .execute(&self.pool)
                        .await
                        .map_err(|e| e.to_string())?;
                    reports.push(report);
                }
                sqlx::query("DELETE FROM outbox WHERE seq = ?")
                    .bind(seq)
                    .execute(&self.pool)
                    .await
                    .map_err(|e| e.to_string())?;
                pushed += 1;
            }
        }
    }

    /// The replica after the server's answer to one change.
    async fn settle_pushed(&self, server: &str, token: &str, change: &Json, result: &Json) -> Result<(), String> {
        let entity = change["entity"].as_str().unwrap_or_default();
        if let Some(local) = change["local_id"].as_str() {
            self.forget_record(entity, local).await?;
            if let Some(id) = result["record_id"].as_str() {
                sqlx::query("INSERT INTO local_ids (local, server) VALUES (?, ?) ON CONFLICT (local) DO NOTHING")
                    .bind(local)
                    .bind(id)
                    .execute(&self.pool)
                    .await
                    .map_err(|e| e.to_string())?;
            }
        }
        match result["status"].as_str() {
            Some("rejected") => {
                // The replica's copy is not the server's: take the server's
                // (a record that is not there any more is forgotten).
                let Some(id) = change["record_id"].as_str() else { return Ok(()) };
                let path = format!("/api/v1/{entity}/{id}");
                match self.call(server, token, reqwest::Method::GET, &path, None).await {
                    Ok(record) => self.put_record(entity, &record).await,
                    Err(Failure { status: Some(404), .. }) => self.forget_record(entity, id).await,
                    Err(failure) => Err(failure.message),
                }
            }
            _ if result["deleted"] == true => {
                self.forget_record(entity, result["record_id"].as_str().unwrap_or_default()).await
            }
            _ => self.put_record(entity, &result["record"]).await,
        }
    }

    async fn local_ids(&self) -> Result<Vec<(String, String)>, String> {
        let rows = sqlx::query("SELECT local, server FROM local_ids").fetch_all(&self.pool).await;
        Ok(rows.map_err(|e| e.to_string())?.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    /// Pulls until the server has no more; each page and its cursor are
    /// kept together. A cursor the server no longer takes starts over from
    /// nothing. Returns how many changes came.
    async fn pull(&self, server: &str, token: &str, device: &str) -> Result<usize, String> {
        let path = format!("/api/v1/sync/devices/{device}/pull");
        let mut received = 0;
        loop {
            let cursor = self.setting("cursor").await?;
            let body = json!({"cursor": cursor, "limit": 1000});
            let page = match self.call(server, token, reqwest::Method::POST, &path, Some(&body)).await {
                Ok(page) => page,
                Err(Failure { status: Some(409), .. }) if cursor.is_some() => {
                    sqlx::query("DELETE FROM settings WHERE key = 'cursor'")
                        .execute(&self.pool)
                        .await
                        .map_err(|e| e.to_string())?;
                    continue;
                }
                Err(failure) => return Err(failure.message),
            };
            received += self.apply_page(&page, cursor.is_none()).await?;
            if page["more"] != true {
                return Ok(received);
            }
        }
    }

    /// Applies a pulled page and keeps its cursor, in one transaction.
    async fn apply_page(&self, page: &Json, from_nothing: bool) -> Result<usize, String> {
        let mut tx = self.pool.begin().await.map_err(|e| e.to_string())?;
        if from_nothing {
            sqlx::query("DELETE FROM records").execute(&mut *tx).await.map_err(|e| e.to_string())?;
        }
        let changes = page["changes"].as_array().cloned().unwrap_or_default();
        for change in &changes {
            let entity = change["entity"].as_str().unwrap_or_default();
            let id = change["id"].as_str().unwrap_or_default();
            match change["op"].as_str() {
                Some("metadata") => {
                    for description in change["entities"].as_array().into_iter().flatten() {
                        sqlx::query(
                            "INSERT INTO metadata (entity, body) VALUES (?, ?) \
                             ON CONFLICT (entity) DO UPDATE SET body = excluded.body",
                        )
                        .bind(description["name"].as_str().unwrap_or_default())
                        .bind(description.to_string())
                        .execute(&mut *tx)
                        .await
                        .map_err(|e| e.to_string())?;
                    }
                }
                Some("upsert") => keep_record(&mut *tx, entity, id, &change["record"]).await?,
                Some("remove") => drop_record(&mut *tx, entity, id).await?,
                _ => {}
            }
        }
        let next = page["cursor"].as_str().ok_or("the server answered without a cursor")?;
        put_setting(&mut *tx, "cursor", next).await?;
        tx.commit().await.map_err(|e| e.to_string())?;
        Ok(changes.len())
    }
}

/// A request the server did not answer with success.
struct Failure {
    status: Option<u16>,
    message: String,
}

impl From<Failure> for String {
    fn from(failure: Failure) -> String {
        failure.message
    }
}

/// The ids of records made offline that a change names (as its record or
/// in its fields).
fn names_local_ids(change: &Json) -> Vec<String> {
    let mut out = Vec::new();
    let mut look = |value: &Json| {
        if let Some(text) = value.as_str().filter(|t| t.starts_with(LOCAL)) {
            out.push(text.to_string());
        }
    };
    look(&change["record_id"]);
    for value in change["fields"].as_object().into_iter().flat_map(|f| f.values()) {
        match value.as_array() {
            Some(items) => items.iter().for_each(&mut look),
            None => look(value),
        }
    }
    out
}

/// Puts the server's ids in place of those of records made offline.
fn rename_local_ids(change: &mut Json, ids: &[(String, String)]) {
    let rename = |value: &mut Json| {
        if let Some((_, server)) = ids.iter().find(|(local, _)| value.as_str() == Some(local.as_str())) {
            *value = json!(server);
        }
    };
    rename(&mut change["record_id"]);
    if let Some(fields) = change["fields"].as_object_mut() {
        for value in fields.values_mut() {
            match value.as_array_mut() {
                Some(items) => items.iter_mut().for_each(rename),
                None => rename(value),
            }
        }
    }
}

/// Keeps a record's latest copy in the replica.
async fn keep_record<'e, E: sqlx::Executor<'e, Database = sqlx::Sqlite>>(
    executor: E,
    entity: &str,
    id: &str,
    record: &Json,
) -> Result<(), String> {
    sqlx::query(
        "INSERT INTO records (entity, id, version, body) VALUES (?, ?, ?, ?) \
         ON CONFLICT (entity, id) DO UPDATE SET version = excluded.version, body = excluded.body",
    )
    .bind(entity)
    .bind(id)
    .bind(record["version"].as_i64().unwrap_or(0))
    .bind(record.to_string())
    .execute(executor)
    .await
    .map(drop)
    .map_err(|e| e.to_string())
}

/// Forgets a record of the replica.
async fn drop_record<'e, E: sqlx::Executor<'e, Database = sqlx::Sqlite>>(
    executor: E,
    entity: &str,
    id: &str,
) -> Result<(), String> {
    sqlx::query("DELETE FROM records WHERE entity = ? AND id = ?")
        .bind(entity)
        .bind(id)
        .execute(executor)
        .await
        .map(drop)
        .map_err(|e| e.to_string())
}

async fn put_setting<'e, E: sqlx::Executor<'e, Database = sqlx::Sqlite>>(
    executor: E,
    key: &str,
    value: &str,
) -> Result<(), String> {
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .execute(executor)
    .await
    .map(drop)
    .map_err(|e| e.to_string())
}
