//! One tail of the change feed per workspace for every agent's screen
//! pops. Each agent's stream (`calls::screen_pops`) subscribes to its
//! workspace's tail for the calls that become its own, so that fifty
//! connected agents cost one feed read per few commits, not fifty, and a
//! change wakes only the stream of the agent it is for. The tail starts at
//! the feed's head when the first agent connects and stops when the last
//! one leaves; it reads as Relata (every phone call), and each agent then
//! reads its own calls with its own rights.

use crate::Server;
use relata_app::Ctx;
use relata_core::RecordId;
use relata_core::WorkspaceId;
use relata_store::admin::Workspace;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::broadcast;

/// A phone call changed: which, whose it is now, and whom it is with when
/// the change tells (a call's creation: its pop's reads then go with the
/// call's).
#[derive(Clone, Debug)]
pub struct CallChanged {
    pub call: RecordId,
    pub owner: Option<uuid::Uuid>,
    pub whom: Option<relata_calls::telephony::Whom>,
}

/// Changes waiting for a slow agent's stream before the oldest are dropped.
const BACKLOG: usize = 1024;

/// How long the tail lets changes gather after reading some (a pop waits
/// at most this much longer).
const GATHER: std::time::Duration = std::time::Duration::from_millis(10);

/// The workspaces' tails: for each, the channel of each agent listening
/// (one per agent, however many streams they have open).
#[derive(Default)]
pub struct Pops {
    tails: Mutex<HashMap<WorkspaceId, HashMap<uuid::Uuid, broadcast::Sender<CallChanged>>>>,
}

impl Pops {
    fn tails(&self) -> MutexGuard<'_, HashMap<WorkspaceId, HashMap<uuid::Uuid, broadcast::Sender<CallChanged>>>> {
        self.tails.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The changes of `ws` from now on that make a call `agent`'s.
    pub async fn subscribe(
        &self,
        server: &Arc<Server>,
        ws: &Workspace,
        agent: uuid::Uuid,
    ) -> Result<broadcast::Receiver<CallChanged>, relata_app::AppError> {
        // Where the tail starts if this agent is the first: read before the
        // lock (a later head only skips changes made before they connected).
        let head = server.app.store.feed_head().await?;
        let mut tails = self.tails();
        let started = tails.contains_key(&ws.id);
        let agents = tails.entry(ws.id).or_default();
        let receiver = match agents.get(&agent) {
            Some(sender) => sender.subscribe(),
            None => {
                let (sender, receiver) = broadcast::channel(BACKLOG);
                agents.insert(agent, sender);
                receiver
            }
        };
        if !started {
            tokio::spawn(tail(server.clone(), ws.clone(), head));
        }
        Ok(receiver)
    }

    /// Passes a change on to the stream of the agent whose call it is now,
    /// if they listen.
    fn pass_on(&self, ws: WorkspaceId, changed: CallChanged) {
        let Some(owner) = changed.owner else { return };
        if let Some(sender) = self.tails().get(&ws).and_then(|agents| agents.get(&owner)) {
            // No receiver just now is no error: the tail's check forgets them.
            let _ = sender.send(changed);
        }
    }

    /// Forgets the agents no longer listening, and the workspace's tail once
    /// none is (under the lock, so that an agent subscribing meanwhile keeps
    /// it).
    fn stop_if_unheard(&self, ws: WorkspaceId) -> bool {
        let mut tails = self.tails();
        let Some(agents) = tails.get_mut(&ws) else { return true };
        agents.retain(|_, sender| sender.receiver_count() > 0);
        let unheard = agents.is_empty();
        if unheard {
            tails.remove(&ws);
        }
        unheard
    }
}

/// Reads the workspace's phone-call changes from `head` and passes them on
/// until no one listens.
async fn tail(server: Arc<Server>, ws: Workspace, head: i64) {
    let relata = Ctx::new(ws.clone(), None);
    let mut cursor = relata_app::feed::encode_cursor(ws.id, head);
    loop {
        if server.pops.stop_if_unheard(ws.id) {
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
            server.pops.pass_on(ws.id, CallChanged { call, owner, whom: whom_created(&entry) });
        }
        if gather {
            tokio::time::sleep(GATHER).await;
        }
    }
}

/// Whom a call is with, from the feed entry of its creation (which names
/// every field it was created with: one it does not name was empty).
fn whom_created(entry: &serde_json::Value) -> Option<relata_calls::telephony::Whom> {
    if entry["op"] != "create" {
        return None;
    }
    let id = |field: &str| entry["changes"][field]["after"].as_str().and_then(|id| id.parse().ok());
    Some(relata_calls::telephony::Whom { contact: id("contact"), account: id("account"), lead: id("lead") })
}
