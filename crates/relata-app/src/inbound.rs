//! Events other systems send in (the ERP's, the telephone switch's): each
//! applied once per sender and event id, in the transaction that records
//! it. A repeat answers what the first did; the same id with another body
//! is refused.

use crate::App;
use crate::error::AppError;
use relata_core::WorkspaceId;
use relata_store::ScopedConn;
use relata_store::webhooks::InboundEvent;
use serde_json::Value as Json;

/// What applying an event answered, and whether it was a repeat.
pub struct Applied {
    pub result: Json,
    pub replayed: bool,
}

/// Where an event stands: applied before, or to be applied in this
/// transaction.
pub enum Once {
    Done(Applied),
    /// Boxed: a transaction is large beside an answer.
    Fresh(Box<ScopedConn>),
}

/// Opens the event's transaction, or answers what it did the first time.
pub async fn begin(
    app: &App,
    ws: WorkspaceId,
    source: &str,
    event_id: &str,
    request_hash: &str,
) -> Result<Once, AppError> {
    // Looked up before the write transaction: a replay takes no write lock,
    // and the writer's time is not spent on the lookup. The same event
    // committed in between is caught by `finish` (its key is unique).
    let done = app.store.read(ws).await?.inbound_event(source, event_id).await?;
    begin_as_read(app, ws, done, request_hash).await
}

/// [`begin`] with the event as the caller read it (with its other reads,
/// see `ScopedConn::read_inbound_event`).
pub async fn begin_as_read(
    app: &App,
    ws: WorkspaceId,
    done: Option<InboundEvent>,
    request_hash: &str,
) -> Result<Once, AppError> {
    match replayed(done, request_hash)? {
        Some(applied) => Ok(Once::Done(applied)),
        None => Ok(Once::Fresh(Box::new(app.store.write(ws).await?))),
    }
}

/// What an event applied before (`done`, as read) answers again: the same
/// body is a repeat; another body with the same id is refused.
pub fn replayed(done: Option<InboundEvent>, request_hash: &str) -> Result<Option<Applied>, AppError> {
    match done {
        Some(done) if done.request_hash != request_hash => Err(AppError::IdempotencyMismatch),
        Some(done) => Ok(Some(Applied { result: done.result, replayed: true })),
        None => Ok(None),
    }
}

/// Records the event as applied in `tx` and commits. The same event applied
/// at the same moment by another request (PostgreSQL) wins: this one rolls
/// back and answers what that one did.
pub async fn finish(
    app: &App,
    ws: WorkspaceId,
    mut tx: ScopedConn,
    source: &str,
    event_id: &str,
    event: InboundEvent,
) -> Result<Applied, AppError> {
    let request_hash = event.request_hash.clone();
    let written = async {
        record(&mut tx, source, event_id, &event).await?;
        tx.commit().await?;
        Ok(event.result)
    }
    .await;
    settle(app, ws, (source, event_id), &request_hash, written).await
}

/// Records the event as applied in `tx`. The insert is held: it goes with
/// the transaction's next statement (its commit, or a savepoint's release),
/// whose failure on the event's key [`settle`] reads as a repeat.
pub async fn record(tx: &mut ScopedConn, source: &str, event_id: &str, event: &InboundEvent) -> Result<(), AppError> {
    Ok(tx.insert_inbound_event(source, event_id, event).await?)
}

/// What applying an event answers once its transaction ended (`written`:
/// the result it recorded, or why it failed). A failure on the event's key
/// means the same event was applied meanwhile: its answer is given again.
pub async fn settle(
    app: &App,
    ws: WorkspaceId,
    (source, event_id): (&str, &str),
    request_hash: &str,
    written: Result<Json, AppError>,
) -> Result<Applied, AppError> {
    match written {
        Ok(result) => Ok(Applied { result, replayed: false }),
        Err(AppError::Internal(e)) if e.is_unique_violation() => {
            match app.store.read(ws).await?.inbound_event(source, event_id).await? {
                Some(done) if done.request_hash == request_hash => Ok(Applied { result: done.result, replayed: true }),
                Some(_) => Err(AppError::IdempotencyMismatch),
                // Another key failed: not this event's doing.
                None => Err(AppError::Internal(e)),
            }
        }
        Err(e) => Err(e),
    }
}
