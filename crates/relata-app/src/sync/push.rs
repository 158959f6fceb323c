//! A device's push: the changes made offline, each applied once (a push
//! sent again after a dropped connection answers what the first did), each
//! in its own transaction through the one write path, as the device's user.
//! An update names the version it was made on: fields the server did not
//! change since merge; a field both changed is a conflict, settled by the
//! workspace's policy and always reported with both values.

use super::ConflictPolicy;
use crate::error::AppError;
use crate::{App, Ctx};
use chrono::{DateTime, Utc};
use relata_core::RecordId;
use relata_core::access::Right;
use relata_core::error::{FieldError, ValidationError};
use relata_core::meta::Schema;
use relata_core::record::Record;
use relata_store::ScopedConn;
use relata_store::sync::Device;
use relata_store::webhooks::InboundEvent;
use serde_json::{Value as Json, json};
use std::collections::HashMap;

/// Changes one push may carry.
pub const MAX_CHANGES: usize = 500;

/// A change as the device sent it, checked.
struct Change<'a> {
    id: String,
    schema: &'a Schema,
    op: Op,
    /// When the device made it (for `latest_per_field`).
    changed_at: Option<DateTime<Utc>>,
    raw: &'a Json,
}

enum Op {
    Create,
    Update { record: RecordId, base: i64 },
    Delete { record: RecordId, base: i64 },
}

/// Applies a push `{changes: [...]}`; answers a result per change, in order.
pub async fn push(app: &App, ctx: &Ctx, device_id: uuid::Uuid, body: &Json) -> Result<Json, AppError> {
    let device = super::device(app, ctx, device_id).await?;
    let Some(changes) = body.get("changes").and_then(Json::as_array) else {
        return Err(ValidationError::single("changes", "required", "a push is {\"changes\": [...]}").into());
    };
    if changes.len() > MAX_CHANGES {
        return Err(
            ValidationError::single("changes", "too_many", format!("at most {MAX_CHANGES} changes a push")).into()
        );
    }
    let policy = super::policy(app, ctx).await?;
    let schemas = app.schemas_for(ctx).await?;
    let mut results = Vec::with_capacity(changes.len());
    for (n, raw) in changes.iter().enumerate() {
        let mut result = match parse(ctx, &schemas, raw) {
            Ok(change) => apply_once(app, ctx, &device, policy, &change).await?,
            Err(errors) => rejected(raw.get("id").and_then(Json::as_str).unwrap_or_default(), errors),
        };
        result["index"] = json!(n);
        results.push(result);
    }
    Ok(json!({"results": results}))
}

/// A change refused, with its reasons: nothing of it was written.
fn rejected(id: &str, errors: Vec<FieldError>) -> Json {
    json!({"id": id, "status": "rejected", "errors": errors})
}

fn parse<'s>(ctx: &Ctx, schemas: &'s crate::Schemas, raw: &'s Json) -> Result<Change<'s>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let text = |key: &str| raw.get(key).and_then(Json::as_str).map(str::trim).filter(|s| !s.is_empty());
    let id = text("id").unwrap_or_default();
    if id.is_empty() || id.len() > 100 {
        errors.push(FieldError::new("id", "invalid", "each change needs an id of at most 100 characters"));
    }
    let entity = text("entity").unwrap_or_default();
    let kind = schemas.kind(entity).filter(|k| ctx.access.check_kind(*k, Right::Read).is_ok());
    if kind.is_none() {
        errors.push(FieldError::new("entity", "unknown", format!("no entity type {entity:?} you may read")));
    }
    let record = text("record_id").map(|r| r.parse::<RecordId>());
    let base = raw.get("base_version").and_then(Json::as_i64);
    let changed_at = text("changed_at").map(relata_core::value::parse_datetime);
    if matches!(changed_at, Some(None)) {
        errors.push(FieldError::new("changed_at", "invalid", "must be an RFC 3339 date and time"));
    }
    if raw.get("fields").is_some_and(|f| !f.is_object()) {
        errors.push(FieldError::new("fields", "invalid", "must be an object of field values"));
    }
    let mut existing = || match (record.clone(), base) {
        (Some(Ok(record)), Some(base)) if base >= 1 => Some((record, base)),
        (record, base) => {
            if !matches!(record, Some(Ok(_))) {
                errors.push(FieldError::new("record_id", "invalid", "an update or delete names the record's id"));
            }
            if base.is_none_or(|b| b < 1) {
                errors.push(FieldError::new(
                    "base_version",
                    "invalid",
                    "the version the change was made on (1 or more)",
                ));
            }
            None
        }
    };
    let op = match text("op").unwrap_or_default() {
        "create" => Some(Op::Create),
        "update" => existing().map(|(record, base)| Op::Update { record, base }),
        "delete" => existing().map(|(record, base)| Op::Delete { record, base }),
        other => {
            errors.push(FieldError::new("op", "invalid", format!("{other:?} is not create, update or delete")));
            None
        }
    };
    match (kind, op) {
        (Some(kind), Some(op)) if errors.is_empty() => {
            Ok(Change { id: id.to_string(), schema: schemas.get(kind), op, changed_at: changed_at.flatten(), raw })
        }
        _ => Err(errors),
    }
}

/// Applies a change unless this device applied it before (then answers
/// as it did).
async fn apply_once(
    app: &App,
    ctx: &Ctx,
    device: &Device,
    policy: ConflictPolicy,
    change: &Change<'_>,
) -> Result<Json, AppError> {
    let source = format!("sync:{}", device.id);
    let request_hash = relata_identity::secret::digest(&change.raw.to_string());
    let mut tries = 0;
    let (mut tx, result) = loop {
        let mut tx = app.writer(ctx).await?;
        if let Some(done) = tx.inbound_event(&source, &change.id).await? {
            return Ok(replayed(done, &request_hash, &change.id));
        }
        match apply(&mut tx, ctx, policy, change).await {
            Ok(result) => break (tx, result),
            // Another write of the record came in between: look again.
            Err(AppError::VersionConflict { .. }) if tries < 3 => tries += 1,
            Err(e) if is_refusal(&e) => return Ok(refusal(&change.id, e)),
            // The server's trouble, not the change's: the push fails and
            // the device sends it again (what applied answers as before).
            Err(e) => return Err(e),
        }
    };
    let event = InboundEvent { event_type: "sync.push".into(), request_hash: request_hash.clone(), result };
    match tx.insert_inbound_event(&source, &change.id, &event).await {
        Ok(()) => {
            tx.commit().await?;
            Ok(event.result)
        }
        Err(e) if e.is_unique_violation() => {
            // The same push at the same moment (PostgreSQL): answer as it did.
            drop(tx);
            let mut conn = app.store.read(ctx.ws()).await?;
            match conn.inbound_event(&source, &change.id).await? {
                Some(done) => Ok(replayed(done, &request_hash, &change.id)),
                None => Err(e.into()),
            }
        }
        Err(e) => Err(e.into()),
    }
}

fn replayed(done: InboundEvent, request_hash: &str, id: &str) -> Json {
    if done.request_hash != request_hash {
        let error = FieldError::new("id", "reused", "this device used the change id for another change");
        return rejected(id, vec![error]);
    }
    let mut result = done.result;
    result["replayed"] = json!(true);
    result
}

/// Whether the write path refused the change itself (as opposed to the
/// database failing).
fn is_refusal(e: &AppError) -> bool {
    matches!(
        e,
        AppError::Invalid(_)
            | AppError::NotFound
            | AppError::Hidden { .. }
            | AppError::Forbidden(_)
            | AppError::Denied(_)
            | AppError::Filter(_)
            | AppError::BadParameter(..)
            | AppError::Conflict(_)
            | AppError::VersionConflict { .. }
    )
}

/// A change the write path refused: its reasons, nothing written.
fn refusal(id: &str, e: AppError) -> Json {
    let errors = match e {
        AppError::Invalid(v) => v.errors,
        AppError::NotFound | AppError::Hidden { .. } => {
            vec![FieldError::new("record_id", "not_found", "no such record you may read")]
        }
        AppError::Forbidden(r) => vec![r.refusal_of("op", "forbidden")],
        AppError::Conflict(r) => vec![r.refusal_of("op", "refused")],
        AppError::Denied(d) => vec![FieldError::new("op", "forbidden", d.to_string())],
        other => vec![FieldError::new("op", "refused", other.to_string())],
    };
    rejected(id, errors)
}

async fn apply(tx: &mut ScopedConn, ctx: &Ctx, policy: ConflictPolicy, change: &Change<'_>) -> Result<Json, AppError> {
    let schema = change.schema;
    let fields = change.raw.get("fields").cloned().unwrap_or_else(|| json!({}));
    match &change.op {
        Op::Create => {
            let (values, lines) = crate::write::parse_body(schema, &fields, ctx)?;
            let record = crate::write::create_document_in(tx, ctx, schema, values, lines.unwrap_or_default()).await?;
            Ok(outcome(&change.id, "applied", schema, &record, Vec::new()))
        }
        Op::Update { record, base } => {
            let current = current(tx, schema, *record, *base).await?;
            let (mut patch, _) = crate::write::parse_body(schema, &fields, ctx)?;
            let changed = changed_since(tx, schema, &current, *base).await?;
            let mut conflicts = Vec::new();
            for field in schema.fields() {
                let key = field.qualified_id().into_owned();
                let id: &str = &field.id;
                let in_patch =
                    if field.is_custom() { patch.custom.contains_key(id) } else { patch.standard.contains_key(id) };
                let Some(server_at) = changed.get(&key).filter(|_| in_patch) else { continue };
                let (client, server) = (patch.get(field).clone(), current.values.get(field).clone());
                if client == server {
                    continue;
                }
                let client_wins = match policy {
                    ConflictPolicy::ServerWins => false,
                    ConflictPolicy::ClientWins => true,
                    ConflictPolicy::LatestPerField => change.changed_at.is_some_and(|at| at > *server_at),
                };
                conflicts.push(json!({
                    "field": key,
                    "client": client.to_json(),
                    "server": server.to_json(),
                    "kept": if client_wins { "client" } else { "server" },
                }));
                if !client_wins {
                    if field.is_custom() {
                        patch.custom.remove(id);
                    } else {
                        patch.standard.remove(id);
                    }
                }
            }
            let saved = crate::write::update_in(tx, ctx, schema, *record, patch, Some(current.version)).await?;
            let status = match (conflicts.is_empty(), changed.is_empty()) {
                (false, _) => "conflict",
                (true, false) => "merged",
                (true, true) => "applied",
            };
            Ok(outcome(&change.id, status, schema, &saved, conflicts))
        }
        Op::Delete { record, base } => {
            let current = current(tx, schema, *record, *base).await?;
            let changed = changed_since(tx, schema, &current, *base).await?;
            let last_server_change = changed.values().max().copied();
            let client_wins = match (policy, last_server_change) {
                (_, None) | (ConflictPolicy::ClientWins, _) => true,
                (ConflictPolicy::ServerWins, Some(_)) => false,
                (ConflictPolicy::LatestPerField, Some(at)) => change.changed_at.is_some_and(|c| c > at),
            };
            if !client_wins {
                let conflict = json!({"field": "deleted", "client": true, "server": false, "kept": "server"});
                return Ok(outcome(&change.id, "conflict", schema, &current, vec![conflict]));
            }
            let deleted = crate::write::set_deleted_in(tx, ctx, schema, *record, true, Some(current.version)).await?;
            let mut result = outcome(&change.id, "applied", schema, &deleted, Vec::new());
            result["deleted"] = json!(true);
            Ok(result)
        }
    }
}

fn outcome(id: &str, status: &str, schema: &Schema, record: &Record, conflicts: Vec<Json>) -> Json {
    json!({
        "id": id,
        "status": status,
        "record_id": record.id.to_string(),
        "version": record.version,
        "record": record.to_json(schema),
        "conflicts": conflicts,
    })
}

/// The record as it is now, if the change can apply to it.
async fn current(tx: &mut ScopedConn, schema: &Schema, id: RecordId, base: i64) -> Result<Record, AppError> {
    let record = match tx.get_record(schema, id, true).await? {
        Some(record) => record,
        None => return Err(crate::write::missing_or_hidden(tx, schema.kind, id).await),
    };
    if record.deleted_at.is_some() {
        return Err(AppError::Invalid(ValidationError::single(
            "record_id",
            "deleted",
            "the record was deleted on the server; its removal comes with the next pull",
        )));
    }
    if base > record.version {
        return Err(AppError::Invalid(ValidationError::single(
            "base_version",
            "invalid",
            format!("the record is at version {}; the change names a later one", record.version),
        )));
    }
    Ok(record)
}

/// The fields the user can see that were changed on the server after
/// version `base`, with when each was last changed (an entry of unknown
/// version counts as later: a conflict is reported rather than missed).
async fn changed_since(
    tx: &mut ScopedConn,
    schema: &Schema,
    record: &Record,
    base: i64,
) -> Result<HashMap<String, DateTime<Utc>>, AppError> {
    let mut out = HashMap::new();
    if base >= record.version {
        return Ok(out);
    }
    let visible: Vec<String> =
        schema.fields().filter(|f| !schema.is_hidden(f)).map(|f| f.qualified_id().into_owned()).collect();
    let mut after = 0;
    loop {
        let page = tx.history(schema.kind, record.id, after, 500).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for change in page.iter().filter(|c| c.version.is_none_or(|v| v > base)) {
            let Some(fields) = change.diff.as_object() else { continue };
            for key in fields.keys().filter(|k| visible.contains(k)) {
                out.insert(key.clone(), change.at);
            }
        }
        if page.len() < 500 {
            break;
        }
    }
    Ok(out)
}
