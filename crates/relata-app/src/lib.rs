//! Application services: the one path every write takes, whoever asks (API,
//! CLI import, demo data, later UI and sync):
//!
//! parse input against the metadata → check relations and uniqueness →
//! domain rules (`rules`) → store the record → side indexes → change-log
//! entry → after-save rules → commit. All in one transaction.
//!
//! Reads (get, list, history, timeline) also live here so that every caller
//! gets the same scoping and the same view of custom fields.

pub mod access;
pub mod audit;
pub mod auth;
pub mod check;
pub mod custom_fields;
pub mod custom_objects;
pub mod describe;
pub mod error;
pub mod export;
pub mod feed;
pub mod import;
pub mod inbound;
pub mod jobs;
pub mod localize;
pub mod module;
pub mod notifications;
pub mod people;
pub mod privacy;
pub mod read;
pub mod sync;
pub mod timeline;
pub mod views;
pub mod webhooks;
pub mod workspaces;
pub mod write;

pub use error::AppError;

use relata_core::access::Access;
use relata_core::meta::{EntityKind, Schema};
use relata_core::money::Currency;
use relata_core::phone::Region;
use relata_core::value::ParseContext;
use relata_core::{UserId, WorkspaceId};
use relata_store::admin::Workspace;
use relata_store::{ScopedConn, Store};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a process trusts its cached custom fields and objects; other
/// processes' changes become visible after at most this long.
const SCHEMA_TTL: Duration = Duration::from_secs(5);

/// The email of the built-in administrator.
pub const BOOTSTRAP_ADMIN_EMAIL: &str = "admin@relata.localhost";

/// The schemas of every entity type of one workspace: the modules' types
/// (with the workspace's custom fields) in registry order, then the
/// workspace's custom objects, oldest first.
#[derive(Debug)]
pub struct Schemas {
    by_kind: Vec<Schema>,
}

impl Schemas {
    /// The schema of a kind of this workspace. Kinds come from the registry
    /// or from this workspace's own lookup ([`Schemas::kind`]).
    pub fn get(&self, kind: EntityKind) -> &Schema {
        self.try_get(kind).unwrap_or_else(|| panic!("{kind} is not an entity type of this workspace"))
    }

    pub fn try_get(&self, kind: EntityKind) -> Option<&Schema> {
        self.by_kind.iter().find(|s| s.kind == kind)
    }

    /// An entity type of this workspace by API name.
    pub fn kind(&self, api_name: &str) -> Option<EntityKind> {
        self.by_kind.iter().find(|s| s.kind.api_name() == api_name).map(|s| s.kind)
    }

    /// Every entity type of this workspace.
    pub fn kinds(&self) -> impl Iterator<Item = EntityKind> + '_ {
        self.by_kind.iter().map(|s| s.kind)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Schema> {
        self.by_kind.iter()
    }

    /// The installed modules' entity types with no custom fields or
    /// objects: what every workspace starts with.
    pub fn standard() -> Schemas {
        Schemas { by_kind: EntityKind::all().into_iter().map(Schema::standard).collect() }
    }
}

/// A type's schema by API name as the workspace of `conn` defines it now
/// (no cache; in a transaction, as it sees it): a module's type with the
/// workspace's custom fields of it, or one of its custom objects; `None`
/// for a name that is neither.
pub async fn schema_named(conn: &mut ScopedConn, name: &str) -> Result<Option<Schema>, AppError> {
    if let Some(kind) = EntityKind::from_api_name(name).filter(|k| !k.is_custom()) {
        return Ok(Some(module_schema(kind, &conn.custom_fields().await?)));
    }
    let objects = conn.custom_objects().await?;
    objects.iter().find(|o| o.api_name == name).map(object_schema).transpose()
}

/// A module's type with the workspace's custom fields of it (of `rows`).
fn module_schema(kind: EntityKind, rows: &[relata_store::custom_fields::CustomFieldRow]) -> Schema {
    Schema::with_custom(kind, rows.iter().filter(|r| r.entity == kind).map(|r| r.def.clone()).collect())
}

fn object_schema(object: &relata_store::custom_objects::CustomObjectRow) -> Result<Schema, AppError> {
    Ok(Schema::of_object(Arc::new(custom_objects::stored_def(object)?)))
}

/// A localized copy of a workspace's schemas, with the schemas it was made from.
type Localized = (Arc<Schemas>, Arc<Schemas>);

/// The application: the store, the modules, plus process-wide caches.
pub struct App {
    pub store: Store,
    pub modules: &'static module::Modules,
    schemas: Mutex<HashMap<WorkspaceId, (Instant, Arc<Schemas>)>>,
    /// Localized copies, each with the schemas it was made from: a copy
    /// is used while those are still the workspace's current ones.
    localized: Mutex<HashMap<(WorkspaceId, relata_i18n::Language), Localized>>,
    /// Whether webhooks may be sent to loopback and private addresses
    /// (`RELATA_WEBHOOKS_ALLOW_PRIVATE=1`; off by default, so that a
    /// subscription cannot reach into the server's own network).
    pub allow_private_webhooks: std::sync::atomic::AtomicBool,
    /// The address people reach this server at (`--public-url`), for links
    /// in what Relata sends (an email's unsubscribe link); set once by the
    /// server.
    pub public_url: std::sync::OnceLock<String>,
}

/// Who acts, in which workspace, with which rights.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub workspace: Workspace,
    pub actor: Option<UserId>,
    pub parse: ParseContext,
    /// The rights of who acts; [`Ctx::new`] gives Relata's own (all rights),
    /// [`Ctx::for_user`] a signed-in user's.
    pub access: Arc<Access>,
    /// The client's network address, for the audit log.
    pub address: Option<String>,
    /// The language labels are shown in (a page's reader, a labelled
    /// export): the schemas [`App::schemas_for`] hands out are localized to
    /// it. `None`: the definitions' own labels (the API).
    pub language: Option<relata_i18n::Language>,
}

impl Ctx {
    /// Relata itself acting (CLI, demo data, background work), on behalf of
    /// `actor` for the change log, with every right.
    pub fn new(workspace: Workspace, actor: Option<UserId>) -> Ctx {
        Ctx::for_user(workspace, actor, Arc::new(Access::system()))
    }

    /// A user acting with the rights `access` gives them.
    pub fn for_user(workspace: Workspace, actor: Option<UserId>, access: Arc<Access>) -> Ctx {
        let mut currencies = workspace.currencies.clone();
        if currencies.is_empty() {
            currencies.push(Currency::parse("EUR").expect("known"));
        }
        let parse =
            ParseContext { phone_region: workspace.phone_region.as_deref().and_then(Region::parse), currencies };
        Ctx { workspace, actor, parse, access, address: None, language: None }
    }

    pub fn with_address(mut self, address: Option<String>) -> Ctx {
        self.address = address;
        self
    }

    pub fn ws(&self) -> WorkspaceId {
        self.workspace.id
    }
}

/// Every HTTPS and TLS client of the process (webhooks, SMS gateways, SMTP,
/// the CLI's own) uses rustls with the ring provider: installed once, before
/// the first client is built (a second call does nothing).
pub fn install_tls() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl App {
    /// The application over `store` running `modules` (whose entity types are
    /// installed in the registry, once per process).
    pub fn new(store: Store, modules: Vec<Arc<dyn module::Module>>) -> App {
        install_tls();
        let allow_private = std::env::var("RELATA_WEBHOOKS_ALLOW_PRIVATE").is_ok_and(|v| v == "1" || v == "true");
        App {
            store,
            modules: module::install(modules),
            schemas: Mutex::new(HashMap::new()),
            localized: Mutex::new(HashMap::new()),
            allow_private_webhooks: std::sync::atomic::AtomicBool::new(allow_private),
            public_url: std::sync::OnceLock::new(),
        }
    }

    /// The address people reach this server at, without a trailing slash.
    pub fn public_url(&self) -> &str {
        self.public_url.get().map_or("http://127.0.0.1:8080", String::as_str)
    }

    /// The workspace's schemas, from cache when fresh.
    pub async fn schemas(&self, ws: WorkspaceId) -> Result<Arc<Schemas>, AppError> {
        if let Some((at, s)) = self.schemas.lock().expect("lock").get(&ws)
            && at.elapsed() < SCHEMA_TTL
        {
            return Ok(s.clone());
        }
        let mut conn = self.store.read(ws).await?;
        let objects = conn.custom_objects().await?;
        let rows = conn.custom_fields().await?;
        let mut by_kind: Vec<Schema> = EntityKind::all().into_iter().map(|k| module_schema(k, &rows)).collect();
        for object in &objects {
            by_kind.push(object_schema(object)?);
        }
        let schemas = Arc::new(Schemas { by_kind });
        self.schemas.lock().expect("lock").insert(ws, (Instant::now(), schemas.clone()));
        Ok(schemas)
    }

    /// The workspace's schemas with labels in `language`, from cache while
    /// the schemas they were made from are current.
    pub async fn schemas_in(&self, ws: WorkspaceId, language: relata_i18n::Language) -> Result<Arc<Schemas>, AppError> {
        let base = self.schemas(ws).await?;
        if let Some((from, localized)) = self.localized.lock().expect("lock").get(&(ws, language))
            && Arc::ptr_eq(from, &base)
        {
            return Ok(localized.clone());
        }
        let localized = Arc::new(localize::localize(&base, language));
        self.localized.lock().expect("lock").insert((ws, language), (base, localized.clone()));
        Ok(localized)
    }

    /// The workspace's schemas as the acting user sees them (their role's
    /// field rules applied, labels in their language when the context
    /// names one): what every edge-facing path uses.
    pub async fn schemas_for(&self, ctx: &Ctx) -> Result<Arc<Schemas>, AppError> {
        let schemas = match ctx.language {
            Some(language) => self.schemas_in(ctx.ws(), language).await?,
            None => self.schemas(ctx.ws()).await?,
        };
        if schemas.kinds().all(|k| ctx.access.field_rules(k).is_none()) {
            return Ok(schemas);
        }
        let by_kind = schemas
            .iter()
            .map(|schema| match ctx.access.field_rules(schema.kind) {
                Some(rules) => schema.with_rules(rules.clone()),
                None => schema.clone(),
            })
            .collect();
        Ok(Arc::new(Schemas { by_kind }))
    }

    /// A reading connection that sees only the records `ctx` may read.
    pub async fn reader(&self, ctx: &Ctx) -> Result<ScopedConn, AppError> {
        Ok(self.store.read(ctx.ws()).await?.restrict(Arc::new(ctx.access.visibility())))
    }

    /// A write transaction that sees only the records `ctx` may read.
    pub async fn writer(&self, ctx: &Ctx) -> Result<ScopedConn, AppError> {
        Ok(self.store.write(ctx.ws()).await?.restrict(Arc::new(ctx.access.visibility())))
    }

    pub(crate) fn forget_schemas(&self, ws: WorkspaceId) {
        self.schemas.lock().expect("lock").remove(&ws);
    }

    /// The built-in administrator of a workspace, who owns the tokens that
    /// `relata token create` issues until people sign in (identity issue).
    pub async fn bootstrap_admin(&self, ws: &Workspace) -> Result<relata_store::admin::User, AppError> {
        let user = self.store.ensure_user(BOOTSTRAP_ADMIN_EMAIL, "Administrator").await?;
        self.store.add_membership(ws.id, user.id, "admin").await?;
        self.store.set_server_admin(user.id, true).await?;
        Ok(user)
    }

    /// Makes sure the default workspace exists and has what every module
    /// needs, and returns it.
    pub async fn bootstrap(&self) -> Result<Workspace, AppError> {
        self.migrate_modules().await?;
        let ws = self.store.ensure_default_workspace().await?;
        self.setup_workspace(&ws).await?;
        Ok(ws)
    }

    /// The job handlers of the platform and of every module.
    pub fn job_handlers(&self) -> Vec<Arc<dyn jobs::JobHandler>> {
        let mut handlers = jobs::platform_handlers();
        for module in self.modules.iter() {
            handlers.extend(module.job_handlers());
        }
        handlers
    }

    /// The handler of a job kind.
    pub fn job_handler(&self, kind: &str) -> Option<Arc<dyn jobs::JobHandler>> {
        self.job_handlers().into_iter().find(|h| h.kind() == kind)
    }

    /// Every module's consumers of the change feed.
    pub fn feed_consumers(&self) -> Vec<Arc<dyn feed::FeedConsumer>> {
        let mut consumers: Vec<Arc<dyn feed::FeedConsumer>> = vec![Arc::new(webhooks::WebhookConsumer)];
        consumers.extend(self.modules.iter().flat_map(|m| m.feed_consumers()));
        consumers
    }

    /// Applies the modules' own migrations (after Relata's, which opening
    /// the store applied); returns those this call applied.
    pub async fn migrate_modules(&self) -> Result<Vec<String>, AppError> {
        let mut applied = Vec::new();
        for module in self.modules.iter() {
            let migrations = module.migrations();
            if !migrations.is_empty() {
                applied.extend(relata_store::migrate::run_module(&self.store, module.name(), &migrations).await?);
            }
        }
        Ok(applied)
    }

    /// Makes every module's demo data in a workspace, in installation order,
    /// on behalf of `actor`; returns the records made, by type.
    pub async fn load_demo(
        &self,
        ws: &Workspace,
        actor: Option<UserId>,
        plan: &module::DemoPlan,
        progress: module::DemoProgress<'_>,
    ) -> Result<module::DemoCounts, AppError> {
        let ctx = Ctx::new(ws.clone(), actor);
        let mut counts = module::DemoCounts::new();
        for module in self.modules.iter() {
            for (what, n) in module.demo_data(self, &ctx, plan, progress).await? {
                *counts.entry(what).or_default() += n;
            }
        }
        self.store.refresh_statistics().await?;
        Ok(counts)
    }

    /// Gives a workspace what every module needs (idempotent).
    pub async fn setup_workspace(&self, ws: &Workspace) -> Result<(), AppError> {
        for module in self.modules.iter() {
            module.setup_workspace(self, ws).await?;
        }
        Ok(())
    }
}
