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
pub mod convert;
pub mod custom_fields;
pub mod error;
pub mod export;
pub mod forecast;
pub mod import;
pub mod people;
pub mod privacy;
pub mod read;
pub mod rules;
pub mod timeline;
pub mod views;
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

/// How long a process trusts its cached custom-field definitions; other
/// processes' changes become visible after at most this long.
const SCHEMA_TTL: Duration = Duration::from_secs(5);

/// The email of the built-in administrator.
pub const BOOTSTRAP_ADMIN_EMAIL: &str = "admin@relata.localhost";

/// The schemas (standard + custom fields) of every entity type in one workspace.
#[derive(Debug)]
pub struct Schemas {
    by_kind: Vec<Schema>,
}

impl Schemas {
    pub fn get(&self, kind: EntityKind) -> &Schema {
        &self.by_kind[kind as usize]
    }
}

/// The application: the store plus process-wide caches. Cheap to share.
pub struct App {
    pub store: Store,
    schemas: Mutex<HashMap<WorkspaceId, (Instant, Arc<Schemas>)>>,
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
        Ctx { workspace, actor, parse, access, address: None }
    }

    pub fn with_address(mut self, address: Option<String>) -> Ctx {
        self.address = address;
        self
    }

    pub fn ws(&self) -> WorkspaceId {
        self.workspace.id
    }
}

impl App {
    pub fn new(store: Store) -> App {
        App { store, schemas: Mutex::new(HashMap::new()) }
    }

    /// The workspace's schemas, from cache when fresh.
    pub async fn schemas(&self, ws: WorkspaceId) -> Result<Arc<Schemas>, AppError> {
        if let Some((at, s)) = self.schemas.lock().expect("lock").get(&ws)
            && at.elapsed() < SCHEMA_TTL
        {
            return Ok(s.clone());
        }
        let mut conn = self.store.read(ws).await?;
        let rows = conn.custom_fields().await?;
        let by_kind = EntityKind::ALL
            .iter()
            .map(|&k| Schema::with_custom(k, rows.iter().filter(|r| r.entity == k).map(|r| r.def.clone()).collect()))
            .collect();
        let schemas = Arc::new(Schemas { by_kind });
        self.schemas.lock().expect("lock").insert(ws, (Instant::now(), schemas.clone()));
        Ok(schemas)
    }

    /// The workspace's schemas as the acting user sees them (their role's
    /// field rules applied): what every edge-facing path uses.
    pub async fn schemas_for(&self, ctx: &Ctx) -> Result<Arc<Schemas>, AppError> {
        let schemas = self.schemas(ctx.ws()).await?;
        if EntityKind::ALL.iter().all(|&k| ctx.access.field_rules(k).is_none()) {
            return Ok(schemas);
        }
        let by_kind = EntityKind::ALL
            .iter()
            .map(|&k| {
                let schema = schemas.get(k);
                match ctx.access.field_rules(k) {
                    Some(rules) => schema.with_rules(rules.clone()),
                    None => schema.clone(),
                }
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

    /// Makes sure the default workspace exists with a default pipeline, and
    /// returns it.
    pub async fn bootstrap(&self) -> Result<Workspace, AppError> {
        let ws = self.store.ensure_default_workspace().await?;
        self.ensure_default_pipeline(&ws).await?;
        Ok(ws)
    }

    /// Gives a workspace the standard sales pipeline if it has none.
    pub async fn ensure_default_pipeline(&self, ws: &Workspace) -> Result<(), AppError> {
        let ctx = Ctx::new(ws.clone(), None);
        let mut conn = self.store.read(ws.id).await?;
        if relata_sales::pipeline::default_pipeline(&mut conn).await?.is_none() {
            drop(conn);
            let body = serde_json::json!({
                "name": "Sales",
                "is_default": true,
                "stages": relata_sales::pipeline::standard_stages(),
            });
            write::create(self, &ctx, EntityKind::Pipeline, &body, None).await?;
        }
        Ok(())
    }
}
