//! Offline sync: devices (one user's replica each) with subscriptions in
//! the list filter language, pulls of what changed within them since the
//! device's cursor ([`pull`]), and pushes of the changes made offline, with
//! conflicts resolved by the workspace's policy and reported ([`push`]).
//! Everything is read and written as the device's user: their rights,
//! field rules and workspace apply exactly as in the REST API.

pub mod pull;
pub mod push;

use crate::error::AppError;
use crate::{App, Ctx};
use relata_core::access::Right;
use relata_core::error::{FieldError, ValidationError};
use relata_core::meta::EntityKind;
use relata_store::sync::Device;
use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};

/// What a subscribed record of another type brings along: records of a
/// module's type linked to it (a subscribed account brings its contacts,
/// open opportunities, recent activities, open cases, open invoices).
/// Modules declare them ([`crate::module::Module::sync_related`]).
#[derive(Clone, Debug)]
pub struct Related {
    /// The subscribed type's API name.
    pub parent: &'static str,
    pub child: EntityKind,
    /// The child's relation field that names the parent.
    pub via: &'static str,
    /// Which children come, in the filter language (`status = open`).
    pub filter: Option<&'static str>,
    /// Only children whose date-time field is within so many days.
    pub recent: Option<(&'static str, i64)>,
}

/// A device's subscription as the API takes it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Subscription {
    /// An entity type's API name.
    pub entity: String,
    /// Which records, in the list filter language (`me` is the user).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    /// Which related types come along (their API names); absent: every one
    /// the modules declare for the type; empty: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub related: Option<Vec<String>>,
}

/// Subscriptions a device may have at most.
pub const MAX_SUBSCRIPTIONS: usize = 20;

/// How a conflict on one field is settled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConflictPolicy {
    ServerWins,
    ClientWins,
    /// The later change of the field wins (the device says when it made
    /// its own).
    LatestPerField,
}

impl ConflictPolicy {
    pub const NAMES: [&'static str; 3] = ["server_wins", "client_wins", "latest_per_field"];

    pub fn name(self) -> &'static str {
        match self {
            ConflictPolicy::ServerWins => "server_wins",
            ConflictPolicy::ClientWins => "client_wins",
            ConflictPolicy::LatestPerField => "latest_per_field",
        }
    }

    pub fn parse(name: &str) -> Option<ConflictPolicy> {
        match name {
            "server_wins" => Some(ConflictPolicy::ServerWins),
            "client_wins" => Some(ConflictPolicy::ClientWins),
            "latest_per_field" => Some(ConflictPolicy::LatestPerField),
            _ => None,
        }
    }
}

const POLICY_SETTING: &str = "sync.conflict_policy";

/// The workspace's conflict policy (server wins unless an administrator chose).
pub async fn policy(app: &App, ctx: &Ctx) -> Result<ConflictPolicy, AppError> {
    let mut conn = app.store.read(ctx.ws()).await?;
    let stored = conn.setting(POLICY_SETTING).await?;
    Ok(stored.as_ref().and_then(Json::as_str).and_then(ConflictPolicy::parse).unwrap_or(ConflictPolicy::ServerWins))
}

pub async fn settings(app: &App, ctx: &Ctx) -> Result<Json, AppError> {
    Ok(json!({"conflict_policy": policy(app, ctx).await?.name()}))
}

/// Sets the conflict policy (administrators).
pub async fn put_settings(app: &App, ctx: &Ctx, input: &Json) -> Result<Json, AppError> {
    if !ctx.access.role.admin {
        return Err(AppError::forbidden("refuse-sync-policy-admin", vec![]));
    }
    let name = input.get("conflict_policy").and_then(Json::as_str).unwrap_or_default();
    let Some(policy) = ConflictPolicy::parse(name) else {
        return Err(ValidationError::single(
            "conflict_policy",
            "invalid",
            format!("must be one of {}", ConflictPolicy::NAMES.join(", ")),
        )
        .into());
    };
    let mut tx = app.store.write(ctx.ws()).await?;
    tx.put_setting(POLICY_SETTING, &json!(policy.name())).await?;
    tx.commit().await?;
    settings(app, ctx).await
}

fn user_of(ctx: &Ctx) -> Result<relata_core::UserId, AppError> {
    ctx.actor.ok_or_else(|| AppError::forbidden("refuse-people-only", vec![]))
}

pub fn device_json(d: &Device) -> Json {
    json!({
        "id": d.id,
        "name": d.name,
        "subscriptions": serde_json::from_str::<Json>(&d.subscriptions).unwrap_or_else(|_| json!([])),
        "created_at": relata_core::value::format_datetime(&d.created_at),
        "last_sync_at": d.last_sync_at.as_ref().map(relata_core::value::format_datetime),
    })
}

/// Registers a device of the signed-in user: `{name, subscriptions?}`.
pub async fn create_device(app: &App, ctx: &Ctx, input: &Json) -> Result<Device, AppError> {
    let user = user_of(ctx)?;
    let mut errors = Vec::new();
    let name = input.get("name").and_then(Json::as_str).map(str::trim).unwrap_or_default();
    if name.is_empty() || name.chars().count() > 100 {
        errors.push(FieldError::new("name", "invalid", "a device needs a name of at most 100 characters"));
    }
    let subscriptions = match input.get("subscriptions") {
        None => Ok(Vec::new()),
        Some(raw) => parse_subscriptions(app, ctx, raw).await,
    };
    let subscriptions = match subscriptions {
        Ok(s) => s,
        Err(e) => {
            errors.extend(e.errors);
            Vec::new()
        }
    };
    if !errors.is_empty() {
        return Err(ValidationError { errors }.into());
    }
    let mut tx = app.store.write(ctx.ws()).await?;
    let device = Device {
        id: uuid::Uuid::now_v7(),
        user,
        name: name.to_string(),
        subscriptions: serde_json::to_string(&subscriptions).unwrap_or_else(|_| "[]".into()),
        issued: 0,
        acked: 0,
        generation: 0,
        created_at: tx.now(),
        last_sync_at: None,
    };
    tx.insert_sync_device(&device).await?;
    tx.commit().await?;
    Ok(device)
}

/// The signed-in user's devices.
pub async fn devices(app: &App, ctx: &Ctx) -> Result<Vec<Device>, AppError> {
    let user = user_of(ctx)?;
    let mut conn = app.store.read(ctx.ws()).await?;
    Ok(conn.sync_devices_of(user).await?)
}

/// One of the signed-in user's devices (another's is not found).
pub async fn device(app: &App, ctx: &Ctx, id: uuid::Uuid) -> Result<Device, AppError> {
    let user = user_of(ctx)?;
    let mut conn = app.store.read(ctx.ws()).await?;
    conn.sync_device(id).await?.filter(|d| d.user == user).ok_or(AppError::NotFound)
}

/// Replaces a device's subscriptions; its next pull makes a full pass,
/// sending what came into them and removing what left.
pub async fn put_subscriptions(app: &App, ctx: &Ctx, id: uuid::Uuid, input: &Json) -> Result<Device, AppError> {
    let mut device = device(app, ctx, id).await?;
    let raw = input.get("subscriptions").unwrap_or(input);
    let subscriptions = parse_subscriptions(app, ctx, raw).await?;
    device.subscriptions = serde_json::to_string(&subscriptions).unwrap_or_else(|_| "[]".into());
    let mut tx = app.store.write(ctx.ws()).await?;
    tx.update_sync_device(&device).await?;
    tx.commit().await?;
    Ok(device)
}

pub async fn delete_device(app: &App, ctx: &Ctx, id: uuid::Uuid) -> Result<(), AppError> {
    device(app, ctx, id).await?;
    let mut tx = app.store.write(ctx.ws()).await?;
    tx.delete_sync_device(id).await?;
    tx.commit().await?;
    Ok(())
}

/// Subscriptions checked as the user: types they may read, filters that
/// compile against what they see, related types the modules declare.
async fn parse_subscriptions(app: &App, ctx: &Ctx, raw: &Json) -> Result<Vec<Subscription>, ValidationError> {
    let one = |field: &str, code, message: String| ValidationError::single(field, code, message);
    let Some(items) = raw.as_array() else {
        return Err(one("subscriptions", "invalid", "must be an array of {entity, filter?, related?}".into()));
    };
    if items.len() > MAX_SUBSCRIPTIONS {
        return Err(one("subscriptions", "too_many", format!("at most {MAX_SUBSCRIPTIONS} subscriptions")));
    }
    let schemas = app.schemas_for(ctx).await.map_err(|e| one("subscriptions", "unavailable", e.to_string()))?;
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (n, item) in items.iter().enumerate() {
        let at = |field: &str| format!("subscriptions[{n}].{field}");
        let sub: Subscription = match serde_json::from_value(item.clone()) {
            Ok(sub) => sub,
            Err(e) => {
                errors.push(FieldError::new(format!("subscriptions[{n}]"), "invalid", e.to_string()));
                continue;
            }
        };
        let Some(kind) = schemas.kind(&sub.entity).filter(|k| ctx.access.check_kind(*k, Right::Read).is_ok()) else {
            errors.push(FieldError::new(
                at("entity"),
                "unknown",
                format!("no entity type {:?} you may read", sub.entity),
            ));
            continue;
        };
        if let Some(filter) = sub.filter.as_deref().filter(|f| !f.trim().is_empty())
            && let Err(e) = crate::read::compile_filter(ctx, schemas.get(kind), Some(filter), &[])
        {
            errors.push(FieldError::new(at("filter"), "invalid", e.to_string()));
        }
        let declared = related_of(app, kind);
        for name in sub.related.iter().flatten() {
            if !declared.iter().any(|r| r.child.api_name() == name) {
                let known: Vec<&str> = declared.iter().map(|r| r.child.api_name()).collect();
                errors.push(FieldError::new(
                    at("related"),
                    "unknown",
                    format!("{name:?} does not come with {} (it brings {})", sub.entity, known.join(", ")),
                ));
            }
        }
        out.push(sub);
    }
    if errors.is_empty() { Ok(out) } else { Err(ValidationError { errors }) }
}

/// What the modules say a record of `parent` brings along (types this
/// process runs).
pub fn related_of(app: &App, parent: EntityKind) -> Vec<Related> {
    app.modules
        .iter()
        .flat_map(|m| m.sync_related())
        .filter(|r| r.parent == parent.api_name() && EntityKind::all().contains(&r.child))
        .collect()
}
