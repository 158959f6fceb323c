//! Writes that commit together (group commit): small writes that come at a
//! high rate (a telephone switch's events) are handed to one task, which
//! runs those waiting in one transaction, each in a savepoint of its own,
//! and commits once for all of them.
//!
//! Each write still stands alone: one that fails is rolled back to its
//! savepoint and answers its own error while the others go on; its change
//! entries are a transaction of their own in the feed. A write is answered
//! only once the commit that holds it is done (a failed commit fails every
//! write it held, with the same error). What is saved is per commit: SQLite
//! writes the pages a commit changed once (the tables' and indexes' right
//! edges, the full-text index's new segment), and its readers drop their
//! page caches once, rather than per write.
//!
//! A group grows while its writes run: a write handed over meanwhile joins
//! it (up to [`GROUP_WRITES`]); the task never waits for one to come.
//! Writes of one workspace share a transaction; another workspace's wait
//! for the next group.

use crate::db::{ScopedConn, Store};
use crate::error::{Result, StoreError};
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use relata_core::WorkspaceId;
use std::collections::VecDeque;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, OnceLock};
use tokio::sync::{mpsc, oneshot};

/// At most this many writes share a commit: the first of them waits for
/// the others to run before it is answered.
pub const GROUP_WRITES: usize = 32;

/// The queue of writes waiting for the group task, started with the first
/// write handed to it.
#[derive(Default)]
pub(crate) struct Groups {
    queue: OnceLock<mpsc::UnboundedSender<Job>>,
}

struct Job {
    workspace: WorkspaceId,
    work: Work,
}

/// A write: run on the shared transaction (or given the error that kept
/// one from beginning), it says whether it is kept and how to tell its
/// caller the outcome.
type Work = Box<dyn for<'c> FnOnce(Result<&'c mut ScopedConn>) -> BoxFuture<'c, Ran> + Send>;

/// What a write did.
enum Ran {
    /// To be kept: told once its commit is done.
    Kept(Tell),
    /// Failed: rolled back to its savepoint, then told its own error.
    Failed(Box<dyn FnOnce() + Send>),
}

/// Tells a kept write's caller how its commit went.
type Tell = Box<dyn FnOnce(Result<()>) + Send>;

impl Store {
    /// Runs `work` in a write transaction it may share with other grouped
    /// writes of the same workspace, and answers once that transaction has
    /// committed. `work` sees the transaction as if it were its own (the
    /// store's view, no read restriction; what earlier writes of the group
    /// wrote); whatever it writes is rolled back if it fails.
    /// The write runs even if the caller stops waiting for it.
    pub async fn write_grouped<T, E, F>(&self, workspace: WorkspaceId, work: F) -> std::result::Result<T, E>
    where
        F: for<'c> FnOnce(&'c mut ScopedConn) -> BoxFuture<'c, std::result::Result<T, E>> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let (answer, answered) = oneshot::channel::<std::result::Result<T, E>>();
        let work: Work = Box::new(move |tx| {
            async move {
                let done = match tx {
                    Ok(tx) => work(tx).await,
                    Err(e) => Err(E::from(e)),
                };
                match done {
                    Ok(value) => Ran::Kept(Box::new(move |committed: Result<()>| {
                        // A caller that stopped waiting is not told.
                        let _ = answer.send(committed.map(|()| value).map_err(E::from));
                    })),
                    Err(e) => Ran::Failed(Box::new(move || {
                        let _ = answer.send(Err(e));
                    })),
                }
            }
            .boxed()
        });
        self.groups
            .queue
            .get_or_init(|| {
                let (queue, waiting) = mpsc::unbounded_channel();
                tokio::spawn(run_groups(self.without_groups(), waiting));
                queue
            })
            .send(Job { workspace, work })
            .map_err(|_| E::from(StoreError::Misuse("the group task has ended")))?;
        match answered.await {
            Ok(answer) => answer,
            // The write panicked: it was rolled back.
            Err(_) => Err(E::from(StoreError::Misuse("a grouped write failed without an answer"))),
        }
    }
}

/// Runs the writes handed over, in groups, until every sender is gone.
/// `store` holds no sender (see `Store::without_groups`): the task ends
/// with the store.
async fn run_groups(store: Store, mut queue: mpsc::UnboundedReceiver<Job>) {
    // Writes of another workspace than the group's, for a later group.
    let mut set_aside: VecDeque<Job> = VecDeque::new();
    loop {
        let first = match set_aside.pop_front() {
            Some(job) => job,
            None => match queue.recv().await {
                Some(job) => job,
                None => return,
            },
        };
        run_group(&store, first, &mut set_aside, &mut queue).await;
    }
}

/// Runs `first` and the writes of its workspace that come while the group
/// runs, and commits them.
async fn run_group(store: &Store, first: Job, set_aside: &mut VecDeque<Job>, queue: &mut mpsc::UnboundedReceiver<Job>) {
    let workspace = first.workspace;
    let mut tx = match store.write(workspace).await {
        Ok(tx) => tx,
        Err(e) => {
            // No transaction: the write fails as it would alone.
            if let Ran::Failed(tell) = (first.work)(Err(e)).await {
                tell();
            }
            return;
        }
    };
    let mut kept: Vec<Tell> = Vec::new();
    let mut ran = 0;
    let mut next = Some(first);
    let mut broken = None;
    while let Some(job) = next.take() {
        ran += 1;
        match run_one(&mut tx, job).await {
            Ok(Some(tell)) => kept.push(tell),
            Ok(None) => {}
            Err(e) => {
                broken = Some(e);
                break;
            }
        }
        if ran < GROUP_WRITES {
            next = take_next(workspace, set_aside, queue);
        }
    }
    tracing::debug!(writes = ran, kept = kept.len(), "group commit");
    let committed = match broken {
        // A rollback to a savepoint failed: what the transaction holds is
        // unknown, so none of it is kept (dropped, it rolls back).
        Some(e) => Err(e),
        None => tx.commit().await,
    };
    let committed = committed.map_err(Arc::new);
    for tell in kept {
        tell(committed.clone().map_err(StoreError::Shared));
    }
}

/// Runs one write in its savepoint. `Ok(Some)`: kept, to be told after the
/// commit; `Ok(None)`: rolled back and told; `Err`: the transaction can go
/// no further.
async fn run_one(tx: &mut ScopedConn, job: Job) -> Result<Option<Tell>> {
    tx.next_write();
    let point = tx.savepoint()?;
    let ran = AssertUnwindSafe((job.work)(Ok(tx))).catch_unwind().await;
    match ran {
        Ok(Ran::Kept(tell)) => match tx.release(point).await {
            Ok(()) => Ok(Some(tell)),
            // Its held writes failed with the release: its own failure.
            Err(e) => {
                let undone = tx.undo(point).await;
                tell(Err(e));
                undone.map(|()| None)
            }
        },
        Ok(Ran::Failed(tell)) => {
            let undone = tx.undo(point).await;
            tell();
            undone.map(|()| None)
        }
        // A panic: its caller's answer was dropped with it.
        Err(_) => tx.undo(point).await.map(|()| None),
    }
}

/// The next waiting write of `workspace`; writes of others are set aside.
fn take_next(
    workspace: WorkspaceId,
    set_aside: &mut VecDeque<Job>,
    queue: &mut mpsc::UnboundedReceiver<Job>,
) -> Option<Job> {
    if let Some(i) = set_aside.iter().position(|job| job.workspace == workspace) {
        return set_aside.remove(i);
    }
    while let Ok(job) = queue.try_recv() {
        if job.workspace == workspace {
            return Some(job);
        }
        set_aside.push_back(job);
    }
    None
}
