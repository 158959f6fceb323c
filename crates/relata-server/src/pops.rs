//! One tail of the change feed per workspace for every agent's screen
//! pops. Each agent's stream (`calls::screen_pops`) subscribes to its
//! workspace's tail and picks out the calls that became its own, so that
//! fifty connected agents cost one feed read per commit, not fifty. The
//! tail starts at the feed's head when the first agent connects and stops
//! when the last one leaves; it reads as Relata (every phone call), and
//! each agent then reads its own calls with its own rights.

use crate::Server;
use relata_app::Ctx;
use relata_core::RecordId;
use relata_core::WorkspaceId;
use relata_store::admin::Workspace;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;

/// A phone call changed: which, and whose it is now.
#[derive(Clone, Debug)]
pub struct CallChanged {
    pub call: RecordId,
    pub owner: Option<uuid::Uuid>,
}

/// Changes waiting for a slow agent's stream before the oldest are dropped.
const BACKLOG: usize = 8192;

/// How long the tail lets changes gather after reading some (a pop waits
/// at most this much longer).
const GATHER: std::time::Duration = std::time::Duration::from_millis(10);

/// The workspaces' tails.
#[derive(Default)]
pub struct Pops {
    tails: Mutex<HashMap<WorkspaceId, broadcast::Sender<CallChanged>>>,
}

impl Pops {
    /// The phone-call changes of `ws` from now on.
    pub async fn subscribe(
        &self,
        server: &Arc<Server>,
        ws: &Workspace,
    ) -> Result<broadcast::Receiver<CallChanged>, relata_app::AppError> {
        // Where the tail starts if this agent is the first: read before the
        // lock (a later head only skips changes made before they connected).
        let head = server.app.store.feed_head().await?;
        let mut tails = self.tails.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(tail) = tails.get(&ws.id) {
            return Ok(tail.subscribe());
        }
        let (sender, receiver) = broadcast::channel(BACKLOG);
        tails.insert(ws.id, sender.clone());
        tokio::spawn(tail(server.clone(), ws.clone(), head, sender));
        Ok(receiver)
    }

    /// Forgets a workspace's tail once no agent listens (under the lock, so
    /// that an agent subscribing meanwhile keeps it).
    fn stop_if_unheard(&self, ws: WorkspaceId) -> bool {
        let mut tails = self.tails.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let unheard = tails.get(&ws).is_none_or(|t| t.receiver_count() == 0);
        if unheard {
            tails.remove(&ws);
        }
        unheard
    }
}

/// Reads the workspace's phone-call changes from `head` and passes them on
/// until no one listens.
async fn tail(server: Arc<Server>, ws: Workspace, head: i64, sender: broadcast::Sender<CallChanged>) {
    let relata = Ctx::new(ws.clone(), None);
    let mut cursor = relata_app::feed::encode_cursor(ws.id, head);
    loop {
        if sender.receiver_count() == 0 && server.pops.stop_if_unheard(ws.id) {
            return;
        }
        let query = relata_app::feed::FeedQuery {
            after: Some(cursor.clone()),
            entities: Some(vec![relata_calls::telephony::PHONE_CALLS.api_name().to_string()]),
            limit: Some(500),
            // Short, so that a tail no one hears stops soon.
            wait: std::time::Duration::from_secs(5),
        };
        let page = match relata_app::feed::read(&server.app, &relata, &query).await {
            Ok(page) => page,
            Err(e) => {
                tracing::warn!(error = %e, "the screen pops' feed could not be read");
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                continue;
            }
        };
        cursor = page.next_cursor;
        // Under a stream of calls, the changes of the next few milliseconds
        // are read together (after this page's are passed on): a feed read
        // per commit would cost more than the pops it finds.
        let gather = !page.entries.is_empty() && page.entries.len() < 500;
        for entry in page.entries {
            let Some(call) = entry["record_id"].as_str().and_then(|i| i.parse().ok()) else { continue };
            let owner = entry["owner_after"].as_str().and_then(|o| o.parse().ok());
            // No receiver just now is no error: the loop's check ends the tail.
            let _ = sender.send(CallChanged { call, owner });
        }
        if gather {
            tokio::time::sleep(GATHER).await;
        }
    }
}
