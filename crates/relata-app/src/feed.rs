//! The change feed as people and programs read it: every committed change in
//! commit order, through the reader's permissions (records they may not
//! read are absent, hidden fields are absent from the changes), by an opaque
//! cursor bound to the workspace, with long polling; and the runtime of the
//! consumers inside Relata, which read every workspace's entries through a
//! durable offset committed after they processed them.

use crate::error::AppError;
use crate::module::BoxFuture;
use crate::{App, Ctx, Schemas};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use relata_core::access::Right;
use relata_core::{UserId, WorkspaceId};
use relata_store::changes::METADATA;
use relata_store::feed::FeedEntry;
use serde_json::{Value as Json, json};
use std::sync::Arc;
use std::time::Duration;

/// Entries per page at most.
pub const MAX_LIMIT: u64 = 1000;
/// The longest a reader may wait for new entries.
pub const MAX_WAIT: Duration = Duration::from_secs(60);
/// How often waiting readers look for other processes' commits.
const POLL: Duration = Duration::from_millis(200);
/// Entries looked at per request at most, so that a reader who may see few
/// of them does not scan the whole log in one request.
const SCAN: u64 = 5000;

/// A position in one workspace's feed, as clients hold it.
pub fn encode_cursor(ws: WorkspaceId, position: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("f1:{}:{position}", ws.uuid().simple()))
}

fn decode_cursor(ws: WorkspaceId, text: &str) -> Result<i64, AppError> {
    let bad = |m: &str| AppError::BadParameter("after", m.to_string());
    let raw = URL_SAFE_NO_PAD.decode(text.trim()).map_err(|_| bad("not a cursor this server issued"))?;
    let raw = String::from_utf8(raw).map_err(|_| bad("not a cursor this server issued"))?;
    let mut parts = raw.split(':');
    let (Some("f1"), Some(owner), Some(position), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad("not a cursor this server issued"));
    };
    if owner != ws.uuid().simple().to_string() {
        return Err(bad("this cursor belongs to another workspace"));
    }
    position.parse::<i64>().ok().filter(|p| *p >= 0).ok_or_else(|| bad("not a cursor this server issued"))
}

/// What a reader asks for.
#[derive(Clone, Debug, Default)]
pub struct FeedQuery {
    /// A cursor from an earlier page (`None`: from the beginning).
    pub after: Option<String>,
    /// Entity types by API name (`None`: every type the reader may read).
    pub entities: Option<Vec<String>>,
    pub limit: Option<u64>,
    /// How long to wait for entries when there are none yet.
    pub wait: Duration,
}

/// A page of the feed.
pub struct FeedPage {
    pub entries: Vec<Json>,
    /// Where to continue: after the last entry looked at (whether or not the
    /// reader could see it), so that the next request does not look again.
    pub next_cursor: String,
}

/// A page of the feed for `ctx`, waiting up to `query.wait` for entries.
pub async fn read(app: &App, ctx: &Ctx, query: &FeedQuery) -> Result<FeedPage, AppError> {
    let ws = ctx.ws();
    let mut after = match query.after.as_deref().filter(|a| !a.trim().is_empty()) {
        Some(text) => decode_cursor(ws, text)?,
        None => 0,
    };
    let limit = query.limit.unwrap_or(100);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(AppError::BadParameter("limit", format!("must be between 1 and {MAX_LIMIT}")));
    }
    if query.wait > MAX_WAIT {
        return Err(AppError::BadParameter("wait", format!("at most {} seconds", MAX_WAIT.as_secs())));
    }
    let schemas = app.schemas_for(ctx).await?;
    let singulars = match &query.entities {
        None => None,
        Some(names) => {
            let mut out = Vec::new();
            for name in names {
                if name == METADATA {
                    out.push(METADATA);
                    continue;
                }
                let kind = schemas
                    .kind(name)
                    .ok_or_else(|| AppError::BadParameter("entities", format!("no entity type {name:?}")))?;
                ctx.access.check_kind(kind, Right::Read)?;
                out.push(kind.singular());
            }
            Some(out)
        }
    };
    let deadline = tokio::time::Instant::now() + query.wait;
    let commits = app.store.commits();
    loop {
        // Registered before reading, so that a commit in between is not missed.
        let committed = commits.notified();
        app.store.sequence_changes().await?;
        let mut conn = app.store.read(ws).await?;
        let mut entries = Vec::new();
        let mut scanned = 0;
        while (entries.len() as u64) < limit && scanned < SCAN {
            let asked = (limit * 2).min(SCAN);
            let batch = conn.feed_page(after, singulars.as_deref(), asked).await?;
            let Some(last) = batch.last() else { break };
            after = last.position;
            scanned += batch.len() as u64;
            for entry in &batch {
                if let Some(shown) = as_seen_by(ctx, &schemas, entry) {
                    entries.push(shown);
                    if entries.len() as u64 == limit {
                        after = entry.position;
                        break;
                    }
                }
            }
            // A short batch was the feed's end: asking again would read nothing.
            if (batch.len() as u64) < asked {
                break;
            }
        }
        drop(conn);
        let now = tokio::time::Instant::now();
        if !entries.is_empty() || now >= deadline {
            return Ok(FeedPage { entries, next_cursor: encode_cursor(ws, after) });
        }
        let _ = tokio::time::timeout((deadline - now).min(POLL), committed).await;
    }
}

/// An entry as `ctx` may see it, or `None`. A record that moved out of the
/// reader's reach (reassigned to someone whose records they may not read)
/// is shown once more, marked `out_of_reach`, with only the change of owner,
/// so that a copy of it can be removed.
fn as_seen_by(ctx: &Ctx, schemas: &Schemas, entry: &FeedEntry) -> Option<Json> {
    let cursor = encode_cursor(entry.workspace, entry.position);
    if entry.entity == METADATA {
        let definition = metadata_as_seen_by(ctx, schemas, &entry.diff)?;
        return Some(entry_json(cursor, METADATA, entry, definition, false));
    }
    let schema = schemas.iter().find(|s| s.kind.singular() == entry.entity)?;
    let kind = schema.kind;
    ctx.access.check_kind(kind, Right::Read).ok()?;
    let scope = ctx.access.scope(kind, Right::Read);
    let reaches = |owner: Option<uuid::Uuid>| scope.allows(owner.map(UserId::from_uuid));
    let creation = entry.op == "create";
    if reaches(entry.owner_after) {
        let mut changes = entry.diff.clone();
        if let Some(fields) = changes.as_object_mut() {
            let has_lines = schema.def().lines.is_some();
            fields.retain(|name, _| schema.field(name).is_some() || (has_lines && name == "lines"));
        }
        return Some(entry_json(cursor, kind.api_name(), entry, changes, false));
    }
    if !creation && entry.owner_before.is_some() && reaches(entry.owner_before) {
        let owner = json!({"before": entry.owner_before, "after": entry.owner_after});
        return Some(entry_json(cursor, kind.api_name(), entry, json!({ "owner": owner }), true));
    }
    None
}

/// A metadata entry as `ctx` may see it: definitions of fields and types
/// the viewer may read (the metadata endpoint shows the same). A type
/// deleted since is shown: readers of the feed must learn it went.
fn metadata_as_seen_by(ctx: &Ctx, schemas: &Schemas, definition: &Json) -> Option<Json> {
    let readable = |name: &str| match schemas.kind(name) {
        Some(kind) => ctx.access.check_kind(kind, Right::Read).is_ok().then(|| schemas.get(kind)),
        None => None,
    };
    if let Some(field) = definition.get("field") {
        let entity = field["entity"].as_str().unwrap_or_default();
        let id = field["id"].as_str().unwrap_or_default();
        let Some(schema) = readable(entity) else { return schemas.kind(entity).is_none().then(|| definition.clone()) };
        let hidden = schema.custom_field(id).is_some_and(|f| schema.is_hidden(f));
        return (!hidden).then(|| definition.clone());
    }
    if let Some(object) = definition.get("entity") {
        let name = object["id"].as_str().unwrap_or_default();
        let Some(schema) = readable(name) else { return schemas.kind(name).is_none().then(|| definition.clone()) };
        let mut shown = definition.clone();
        if let Some(fields) = shown["entity"]["fields"].as_array_mut() {
            fields.retain(|f| schema.field(f["id"].as_str().unwrap_or_default()).is_some());
        }
        return Some(shown);
    }
    Some(definition.clone())
}

fn entry_json(cursor: String, entity: &str, entry: &FeedEntry, changes: Json, out_of_reach: bool) -> Json {
    let mut out = json!({
        "cursor": cursor,
        "entity": entity,
        "record_id": entry.record_id,
        "op": entry.op,
        "actor": entry.actor,
        "at": relata_core::value::format_datetime(&entry.at),
        "changes": changes,
        "owner_before": entry.owner_before,
        "owner_after": entry.owner_after,
        "transaction": entry.tx_id,
        "version": entry.version,
        "workspace": entry.workspace,
    });
    if out_of_reach {
        out["out_of_reach"] = json!(true);
    }
    out
}

/// A consumer of the feed inside Relata (webhooks, sync, automation, search
/// maintenance): it reads every workspace's entries, in commit order, from
/// where it got to; its offset moves only after it handled a batch, so a
/// crash makes it handle that batch again (at least once).
pub trait FeedConsumer: Send + Sync {
    /// A stable name: the key of its offset.
    fn name(&self) -> &'static str;

    fn handle<'a>(&'a self, app: &'a App, entries: &'a [FeedEntry]) -> BoxFuture<'a, Result<(), AppError>>;
}

/// Whether `entry`'s record passes a subscription's filter (a filter that
/// does not fit the record's type passes nothing).
pub async fn record_passes(app: &App, entry: &FeedEntry, filter: &str) -> Result<bool, AppError> {
    let Some(kind) = relata_core::meta::EntityKind::from_singular(&entry.entity) else { return Ok(false) };
    let schemas = app.schemas(entry.workspace).await?;
    let Some(schema) = schemas.try_get(kind) else { return Ok(false) };
    let Ok(mut expr) = relata_core::filter::parse(filter) else { return Ok(false) };
    if relata_core::filter::mentions_before(&expr) {
        // `before.<field>`: the field's value before this change.
        let parse = relata_core::value::ParseContext { phone_region: None, currencies: Vec::new() };
        let cx = relata_core::filter::CompileContext::relata(&parse);
        let earlier = |field: &relata_core::meta::FieldDef| {
            let change = entry
                .diff
                .get(field.qualified_id().as_ref())
                .or_else(|| entry.diff.pointer(&format!("/custom/{}", field.id)))?;
            Some(
                relata_core::value::parse_json(field, change.get("before")?, &parse)
                    .unwrap_or(relata_core::value::FieldValue::Null),
            )
        };
        expr = relata_core::filter::settle_before(expr, schema, &cx, &earlier);
    }
    let mut conn = app.store.read(entry.workspace).await?;
    record_matches_expr_in(&mut conn, schema, entry.record_id, entry.op == "delete", &expr).await
}

/// Whether the record `id` of `schema`'s type passes a filter, read in
/// `conn` (a transaction sees its own writes); a filter that does not fit
/// the type passes nothing.
pub async fn record_matches_in(
    conn: &mut relata_store::ScopedConn,
    schema: &relata_core::meta::Schema,
    id: uuid::Uuid,
    deleted: bool,
    filter: &str,
) -> Result<bool, AppError> {
    let Ok(expr) = relata_core::filter::parse(filter) else { return Ok(false) };
    record_matches_expr_in(conn, schema, id, deleted, &expr).await
}

/// [`record_matches_in`] for a parsed filter.
async fn record_matches_expr_in(
    conn: &mut relata_store::ScopedConn,
    schema: &relata_core::meta::Schema,
    id: uuid::Uuid,
    deleted: bool,
    expr: &relata_core::filter::Expr,
) -> Result<bool, AppError> {
    let parse = relata_core::value::ParseContext { phone_region: None, currencies: Vec::new() };
    let cx = relata_core::filter::CompileContext::relata(&parse);
    let id = relata_core::filter::Expr::eq("id", id.to_string());
    let (Ok(filter), Ok(id)) =
        (relata_core::filter::compile(expr, schema, &cx), relata_core::filter::compile(&id, schema, &cx))
    else {
        return Ok(false);
    };
    let sort = relata_core::list::parse_sort(Some("id"), schema).map_err(|e| AppError::BadParameter("sort", e))?;
    let query = relata_store::records::ListQuery {
        filter: Some(relata_core::filter::Filter::And(vec![id, filter])),
        sort,
        cursor: None,
        limit: 1,
        q: None,
        deleted,
        search_order: false,
    };
    Ok(!conn.list_records(schema, &query).await?.records.is_empty())
}

/// Entries a consumer takes in one batch.
const BATCH: u64 = 500;

/// Hands a consumer the entries after its offset, once, and commits the
/// offset after each batch it handled; returns how many it handled.
pub async fn consume_available(app: &App, consumer: &dyn FeedConsumer) -> Result<usize, AppError> {
    let mut handled = 0;
    loop {
        let offset = app.store.feed_offset(consumer.name()).await?;
        let entries = app.store.feed_after(offset, BATCH).await?;
        let Some(last) = entries.last() else { return Ok(handled) };
        consumer.handle(app, &entries).await?;
        app.store.commit_feed_offset(consumer.name(), last.position).await?;
        handled += entries.len();
    }
}

/// Runs a consumer until `stop` says so: handles what is there, then waits
/// for commits (or polls for other processes'), backing off after errors.
pub async fn run_consumer(
    app: Arc<App>,
    consumer: Arc<dyn FeedConsumer>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let commits = app.store.commits();
    let mut backoff = Duration::from_millis(500);
    while !*stop.borrow() {
        let committed = commits.notified();
        let mut gather = GATHER;
        let pause = match consume_available(&app, consumer.as_ref()).await {
            Ok(handled) => {
                backoff = Duration::from_millis(500);
                if handled >= BUSY {
                    gather = GATHER_WHEN_BUSY;
                }
                Duration::from_millis(500)
            }
            Err(e) => {
                tracing::warn!(consumer = consumer.name(), error = %e, "a feed consumer failed; it will try again");
                backoff = (backoff * 2).min(Duration::from_secs(60));
                backoff
            }
        };
        tokio::select! {
            _ = committed => {
                // Let the writes that follow this one gather, so that under
                // load a consumer takes them in one batch and advances its
                // offset in one write, instead of competing with every
                // request for the writer.
                tokio::select! {
                    _ = tokio::time::sleep(gather) => {}
                    _ = stop.changed() => {}
                }
            }
            _ = tokio::time::sleep(pause) => {}
            _ = stop.changed() => {}
        }
    }
}

/// How long a woken consumer waits for more commits before reading the feed.
const GATHER: Duration = Duration::from_millis(50);

/// How long it waits after finding this many entries or more: under a
/// stream of writes its reads and offset writes (a write transaction each)
/// stay a few a second, at the price of a quarter second more before it
/// acts.
const GATHER_WHEN_BUSY: Duration = Duration::from_millis(250);
const BUSY: usize = 20;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_are_bound_to_their_workspace() {
        let (mine, theirs) = (WorkspaceId::new(), WorkspaceId::new());
        let cursor = encode_cursor(mine, 42);
        assert_eq!(decode_cursor(mine, &cursor).unwrap(), 42);
        assert!(decode_cursor(theirs, &cursor).unwrap_err().to_string().contains("another workspace"));
        for junk in ["", "!!!", "Zm9v", &URL_SAFE_NO_PAD.encode("f1:x:-1"), &URL_SAFE_NO_PAD.encode("f1:a:b:c")] {
            assert!(decode_cursor(mine, junk).is_err(), "{junk}");
        }
    }
}
