//! Domain modules. Each module registers its entity types, extensions of
//! other modules' types, the hooks the one write path runs for its types,
//! its sources of timeline items, what a new workspace needs from it, and
//! its demo data. The modules a server runs are listed once, in
//! `relata-server`'s `modules()`; nothing else in the machinery names them.

use crate::error::AppError;
use crate::timeline::TimelineItem;
use crate::{App, Ctx, Schemas};
use chrono::{DateTime, Utc};
use relata_core::meta::{EntityDef, EntityKind, FieldDef};
use relata_core::{Record, RecordId};
use relata_store::admin::Workspace;
use relata_store::together::{Answers, Reads};
use relata_store::{ScopedConn, StoreError};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Fields (and timeline links) a module adds to another module's type:
/// sales links activities to leads and opportunities. The module's
/// migrations add the columns.
pub struct Extension {
    pub kind: EntityKind,
    pub fields: Vec<FieldDef>,
    /// Of the added fields, those that make the record an episode of the
    /// linked record's story.
    pub episode_links: Vec<&'static str>,
}

/// Moving a record to the trash or back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrashOp {
    Delete,
    Restore,
}

/// A module. Hooks receive the write transaction with every record of the
/// workspace readable, whoever acts: a rule that checks an invariant must
/// not pass because the actor cannot see what breaks it. Hooks run only for
/// the module's own entity types.
pub trait Module: Send + Sync + 'static {
    fn name(&self) -> &'static str;

    fn entities(&self) -> Vec<EntityDef> {
        Vec::new()
    }

    fn extensions(&self) -> Vec<Extension> {
        Vec::new()
    }

    /// Before a record is stored (create or update): may adjust derived
    /// fields, or refuse with field errors.
    fn before_save<'a>(
        &'a self,
        _tx: &'a mut ScopedConn,
        _ctx: &'a Ctx,
        _old: Option<&'a Record>,
        _new: &'a mut Record,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async { Ok(()) })
    }

    /// After a record is stored, in the same transaction.
    fn after_save<'a>(
        &'a self,
        _tx: &'a mut ScopedConn,
        _ctx: &'a Ctx,
        _old: Option<&'a Record>,
        _new: &'a Record,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async { Ok(()) })
    }

    /// After records were stored in bulk (import, demo data), in the same
    /// transaction; by default, [`Module::after_save`] for each.
    fn after_insert_many<'a>(
        &'a self,
        tx: &'a mut ScopedConn,
        ctx: &'a Ctx,
        records: &'a [Record],
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            for record in records {
                self.after_save(tx, ctx, None, record).await?;
            }
            Ok(())
        })
    }

    /// Before a record moves to the trash or back: may refuse.
    fn before_trash<'a>(
        &'a self,
        _tx: &'a mut ScopedConn,
        _ctx: &'a Ctx,
        _op: TrashOp,
        _record: &'a Record,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async { Ok(()) })
    }

    /// After a record moved to the trash or back, in the same transaction.
    fn after_trash<'a>(
        &'a self,
        _tx: &'a mut ScopedConn,
        _ctx: &'a Ctx,
        _op: TrashOp,
        _record: &'a Record,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async { Ok(()) })
    }

    /// Timeline items that are not records of an episode type (sales: stage
    /// changes of the customer's opportunities).
    /// The domain event types a change of this module's records is besides
    /// `<type>.<op>` (`quote.accepted`), for webhooks and automation.
    fn events(&self, _entry: &relata_store::feed::FeedEntry) -> Vec<&'static str> {
        Vec::new()
    }

    /// Every type [`Module::events`] can give (subscriptions are checked
    /// against them).
    fn event_types(&self) -> Vec<&'static str> {
        Vec::new()
    }

    fn timeline_sources(&self) -> Vec<Arc<dyn TimelineSource>> {
        Vec::new()
    }

    /// What a subscribed record of another type brings along to an offline
    /// device: records of this module's types linked to it (see
    /// [`crate::sync::Related`]).
    fn sync_related(&self) -> Vec<crate::sync::Related> {
        Vec::new()
    }

    /// The module's job handlers (run by `relata serve` and `relata worker`).
    fn job_handlers(&self) -> Vec<Arc<dyn crate::jobs::JobHandler>> {
        Vec::new()
    }

    /// The module's consumers of the change feed (run by `relata serve`
    /// and `relata worker`).
    fn feed_consumers(&self) -> Vec<Arc<dyn crate::feed::FeedConsumer>> {
        Vec::new()
    }

    /// What every workspace needs from the module (sales: a default
    /// pipeline). Runs when a workspace is created and at start-up; must be
    /// idempotent.
    fn setup_workspace<'a>(&'a self, _app: &'a App, _ws: &'a Workspace) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(async { Ok(()) })
    }

    /// The module's own schema changes (its tables), applied in version
    /// order after Relata's, once per database, at start-up and by
    /// `relata migrate`.
    fn migrations(&self) -> Vec<relata_store::migrate::ModuleMigration> {
        Vec::new()
    }

    /// Demo data of the module's types, made after the modules installed
    /// before it made theirs (so it can build on their records). Returns
    /// how many records of each type it made.
    fn demo_data<'a>(
        &'a self,
        _app: &'a App,
        _ctx: &'a Ctx,
        _plan: &'a DemoPlan,
        _progress: DemoProgress<'a>,
    ) -> BoxFuture<'a, Result<DemoCounts, AppError>> {
        Box::pin(async { Ok(DemoCounts::new()) })
    }
}

/// How much demo data to make, the same for every module.
#[derive(Clone, Debug)]
pub struct DemoPlan {
    /// The size of the company, as its number of contacts; modules scale
    /// their records to it.
    pub contacts: u64,
    /// The same seed gives the same data.
    pub seed: u64,
    /// Records per batch.
    pub batch: usize,
}

impl Default for DemoPlan {
    fn default() -> Self {
        DemoPlan { contacts: 2_000, seed: 42, batch: 2_000 }
    }
}

/// Records made, by what they are (`contacts`, `users`).
pub type DemoCounts = std::collections::BTreeMap<String, u64>;

/// Progress of demo data: what is being made, how many so far, how many in all.
pub type DemoProgress<'a> = &'a (dyn Fn(&str, u64, u64) + Sync);

/// Whose story a timeline tells and which page of it: the items of `kind`
/// record `id`, newest first, strictly before `(time, id)` when given, at
/// most `limit`.
pub struct Story<'s> {
    pub schemas: &'s Schemas,
    pub kind: EntityKind,
    pub id: RecordId,
    pub before: Option<(DateTime<Utc>, String)>,
    pub limit: u64,
}

/// Extra items of a record's story. A timeline sends every source's reads
/// together with its own (one round trip on SQLite), so a source says what
/// it reads ([`TimelineSource::ask`]) and makes items of the answers
/// ([`SourceReads::answer`]), asking again when a read depends on another.
pub trait TimelineSource: Send + Sync {
    /// Adds the reads of the story's items to `reads`, through `conn`, which
    /// shows only what the viewer may read.
    fn ask<'s>(
        &self,
        conn: &mut ScopedConn,
        reads: &mut Reads,
        story: &Story<'s>,
    ) -> Result<Box<dyn SourceReads<'s> + 's>, AppError>;
}

/// A source's reads on their way (see [`TimelineSource`]).
pub trait SourceReads<'s>: Send {
    /// The items, from the answers to what was asked; or the reads of a
    /// next step, added to `reads` (whose answers come at the next call).
    fn answer(
        self: Box<Self>,
        conn: &mut ScopedConn,
        answers: &mut Answers,
        reads: &mut Reads,
    ) -> Result<Answered<'s>, AppError>;
}

/// A source's answer when it has nothing to read for a story.
pub fn no_items<'s>() -> Box<dyn SourceReads<'s> + 's> {
    struct NoItems;
    impl<'s> SourceReads<'s> for NoItems {
        fn answer(
            self: Box<Self>,
            _: &mut ScopedConn,
            _: &mut Answers,
            _: &mut Reads,
        ) -> Result<Answered<'s>, AppError> {
            Ok(Answered::Items(Vec::new()))
        }
    }
    Box::new(NoItems)
}

/// What a source made of its answers.
pub enum Answered<'s> {
    Items(Vec<TimelineItem>),
    /// Reads of a next step were added.
    Again(Box<dyn SourceReads<'s> + 's>),
}

/// The modules a process runs, with their entity types installed.
pub struct Modules {
    modules: Vec<Arc<dyn Module>>,
}

static MODULES: std::sync::OnceLock<Modules> = std::sync::OnceLock::new();

/// Installs the modules a process runs, once: their entity types go into the
/// registry. Installing modules of the same names again is a no-op (tests
/// start many servers in one process); other names are refused.
pub fn install(modules: Vec<Arc<dyn Module>>) -> &'static Modules {
    let names: Vec<&'static str> = modules.iter().map(|m| m.name()).collect();
    let installed = MODULES.get_or_init(|| Modules::new(modules));
    let have: Vec<&'static str> = installed.modules.iter().map(|m| m.name()).collect();
    assert_eq!(have, names, "one process runs one set of modules");
    installed
}

/// The modules this process runs.
pub fn installed() -> &'static Modules {
    MODULES.get().expect("modules are installed at start-up (App::new)")
}

impl Modules {
    /// Installs the modules' entity types (with every extension applied)
    /// into the process-wide registry. Panics when the descriptions are
    /// inconsistent: that is a programming error found at start-up.
    fn new(modules: Vec<Arc<dyn Module>>) -> Modules {
        let mut defs: Vec<EntityDef> = modules.iter().flat_map(|m| m.entities()).collect();
        for extension in modules.iter().flat_map(|m| m.extensions()) {
            let Some(def) = defs.iter_mut().find(|d| d.kind == extension.kind) else {
                panic!("an extension names {}, which no module defines", extension.kind);
            };
            def.fields.extend(extension.fields);
            if let Some(episode) = def.episode.as_mut() {
                episode.links.extend(extension.episode_links.into_iter().map(std::borrow::Cow::Borrowed));
            }
        }
        if let Err(e) = relata_core::meta::install(defs) {
            panic!("the modules' entity types are inconsistent: {e}");
        }
        Modules { modules }
    }

    pub fn iter(&self) -> impl Iterator<Item = &Arc<dyn Module>> {
        self.modules.iter()
    }

    /// The module that owns an entity type (none for custom objects).
    pub fn owner_of(&self, kind: EntityKind) -> Option<&Arc<dyn Module>> {
        if kind.is_custom() {
            return None;
        }
        let module = kind.def().module;
        self.modules.iter().find(|m| m.name() == module)
    }
}
