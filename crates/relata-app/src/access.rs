//! Resolving who acts into an [`Access`]: the role's definition (built in,
//! changed or defined by the workspace's admins), the user's teams, and what
//! their API token is limited to. Roles themselves are managed here too.

use crate::audit::{Event, audit_in};
use crate::error::AppError;
use crate::{App, Ctx, Schemas};
use relata_core::access::{Access, BUILT_IN_ROLES, RoleDef, TeamView, built_in_role, is_valid_role_name};
use relata_core::meta::EntityKind;
use relata_core::{UserId, ValidationError, WorkspaceId};
use relata_store::ScopedConn;
use serde_json::{Value as Json, json};
use std::sync::Arc;

/// What an API token adds to the role's limits.
#[derive(Clone, Debug, Default)]
pub struct TokenLimits {
    pub read_only: bool,
    pub entities: Option<Vec<String>>,
}

/// The effective definition of a role in a workspace: the stored one, else
/// the built-in one. An unknown role name gives no rights at all. Takes the
/// workspace's schemas rather than loading them: loading takes a connection
/// of its own, and a task that waits for a second connection while holding
/// one deadlocks the pool once enough tasks do so at the same time.
pub async fn role_def(conn: &mut ScopedConn, schemas: &Schemas, name: &str) -> Result<RoleDef, AppError> {
    let stored = conn.stored_roles().await?;
    // A stored role may name a custom object deleted since: its entry is
    // kept (and harmless) rather than failing the whole role.
    Ok(effective_role(name, &stored, &|n| schemas.kind(n).or_else(|| EntityKind::stored(n))))
}

fn effective_role(name: &str, stored: &[(String, Json)], kind_of: &dyn Fn(&str) -> Option<EntityKind>) -> RoleDef {
    if let Some((_, definition)) = stored.iter().find(|(n, _)| n == name)
        && let Ok(mut role) = RoleDef::from_json(name, definition, kind_of)
    {
        role.built_in = BUILT_IN_ROLES.contains(&name);
        // The admin role always administers: nobody can lock a workspace out.
        role.admin |= name == "admin";
        if let Some(built_in) = built_in_role(name) {
            // A changed built-in role keeps its defaults for entity types its
            // stored definition does not name (a module installed later).
            for (kind, rights) in built_in.entities {
                role.entities.entry(kind).or_insert(rights);
            }
            role.others = built_in.others;
        }
        return role;
    }
    built_in_role(name).unwrap_or_else(|| RoleDef {
        name: name.to_string(),
        label: name.to_string(),
        built_in: false,
        admin: false,
        entities: Default::default(),
        others: relata_core::access::EntityRights::NONE,
        fields: Default::default(),
    })
}

/// Every role of the workspace: the built-in ones (as changed) and custom ones.
pub async fn roles(app: &App, ctx: &Ctx) -> Result<Vec<RoleDef>, AppError> {
    let schemas = app.schemas(ctx.ws()).await?;
    let mut conn = app.store.read(ctx.ws()).await?;
    let stored = conn.stored_roles().await?;
    let kind_of = |n: &str| schemas.kind(n);
    let mut out: Vec<RoleDef> = BUILT_IN_ROLES.iter().map(|n| effective_role(n, &stored, &kind_of)).collect();
    out.extend(
        stored
            .iter()
            .filter(|(n, _)| !BUILT_IN_ROLES.contains(&n.as_str()))
            .map(|(n, _)| effective_role(n, &stored, &kind_of)),
    );
    Ok(out)
}

/// Whether a role exists in the workspace.
pub async fn role_exists(conn: &mut ScopedConn, name: &str) -> Result<bool, AppError> {
    Ok(BUILT_IN_ROLES.contains(&name) || conn.stored_roles().await?.iter().any(|(n, _)| n == name))
}

/// The user's place in the workspace's teams.
pub async fn team_view(conn: &mut ScopedConn, user: UserId) -> Result<TeamView, AppError> {
    let memberships = conn.team_memberships().await?;
    let my_teams: Vec<&String> = memberships.iter().filter(|(_, m)| m.user == user).map(|(t, _)| t).collect();
    let managed_teams: Vec<&String> =
        memberships.iter().filter(|(_, m)| m.user == user && m.manager).map(|(t, _)| t).collect();
    let mut view = TeamView::default();
    for (team, member) in &memberships {
        if my_teams.contains(&team) {
            view.colleagues.insert(member.user);
        }
        if managed_teams.contains(&team) {
            view.managed.insert(member.user);
        }
    }
    view.colleagues.insert(user);
    Ok(view)
}

/// The rights of `user`, holding `role` in `workspace`, through `token`.
pub async fn access_for(
    app: &App,
    workspace: WorkspaceId,
    user: UserId,
    role: &str,
    token: &TokenLimits,
) -> Result<Access, AppError> {
    // The schemas first: see `role_def`.
    let schemas = app.schemas(workspace).await?;
    let mut conn = app.store.read(workspace).await?;
    let role = role_def(&mut conn, &schemas, role).await?;
    let teams = team_view(&mut conn, user).await?;
    let token_entities =
        token.entities.as_ref().map(|names| names.iter().filter_map(|n| schemas.kind(n)).collect::<Vec<_>>());
    Ok(Access { user: Some(user), role: Arc::new(role), teams, token_entities, token_read_only: token.read_only })
}

/// Creates or replaces a role (admins only). Built-in roles may be changed
/// except `admin`, which always has every right.
pub async fn put_role(app: &App, ctx: &Ctx, name: &str, body: &Json) -> Result<RoleDef, AppError> {
    ctx.access.require_admin()?;
    if !is_valid_role_name(name) {
        return Err(ValidationError::single(
            "name",
            "invalid",
            "role names are lower-case letters, digits and underscores, starting with a letter (at most 40)",
        )
        .into());
    }
    if name == "admin" {
        return Err(AppError::conflict("refuse-admin-role-fixed", vec![]));
    }
    let schemas = app.schemas(ctx.ws()).await?;
    let mut role = RoleDef::from_json(name, body, &|n| schemas.kind(n)).map_err(|errors| ValidationError {
        errors: errors
            .into_iter()
            .map(|(field, message)| relata_core::FieldError::new(field, "invalid", message))
            .collect(),
    })?;
    role.built_in = BUILT_IN_ROLES.contains(&name);
    let mut tx = app.store.write(ctx.ws()).await?;
    let before = role_def(&mut tx, &schemas, name).await?;
    tx.put_role(name, &role.to_json()).await?;
    audit_in(
        &mut tx,
        ctx,
        Event::new("role.define")
            .target("role", name)
            .details(json!({"before": before.to_json(), "after": role.to_json()})),
    )
    .await?;
    tx.commit().await?;
    Ok(role)
}

/// Removes a custom role nobody holds, or resets a changed built-in one.
pub async fn delete_role(app: &App, ctx: &Ctx, name: &str) -> Result<(), AppError> {
    ctx.access.require_admin()?;
    let mut tx = app.store.write(ctx.ws()).await?;
    if !BUILT_IN_ROLES.contains(&name) && tx.count_with_role(name, false).await? > 0 {
        return Err(AppError::conflict("refuse-role-held", vec![("role", name.into())]));
    }
    if !tx.delete_role(name).await? {
        return Err(AppError::NotFound);
    }
    audit_in(&mut tx, ctx, Event::new("role.delete").target("role", name)).await?;
    tx.commit().await?;
    Ok(())
}
