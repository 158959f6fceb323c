//! The people of a workspace: members and their roles, invitations,
//! deactivation and reassignment of records, teams and their managers, and
//! API tokens. Administration needs the admin role; every change is audited.

use crate::access::role_exists;
use crate::audit::{Event, audit, audit_in};
use crate::auth::{INVITATION_LIFETIME, hash_new_password, parse_email};
use crate::error::AppError;
use crate::read::ListParams;
use crate::write::update_in;
use crate::{App, Ctx};
use chrono::{DateTime, Utc};
use relata_core::access::Right;
use relata_core::meta::EntityKind;
use relata_core::value::{FieldValue, Values};
use relata_core::{UserId, ValidationError};
use relata_identity::secret::{self, SecretKind};
use relata_store::admin::{IssuedToken, TokenInfo, User};
use relata_store::identity::{Member, Team};
use serde_json::json;

/// What adding a user produced: an active member, or an invitation whose
/// one-time token must reach the person.
pub struct Added {
    pub user: Option<User>,
    pub invitation_token: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// A member acting with their own rights (background work done for them:
/// what it shows them, they may read); `None` when they are no active
/// member of `workspace`.
pub async fn member_ctx(
    app: &App,
    workspace: &relata_store::admin::Workspace,
    user: UserId,
) -> Result<Option<Ctx>, AppError> {
    let membership = app.store.read(workspace.id).await?.membership(user).await?;
    let Some((role, true)) = membership else { return Ok(None) };
    let access = crate::access::access_for(app, workspace.id, user, &role, &Default::default()).await?;
    Ok(Some(Ctx::for_user(workspace.clone(), Some(user), std::sync::Arc::new(access))))
}

/// Members of the workspace (everyone may list them: owner pickers need it).
pub async fn members(app: &App, ctx: &Ctx) -> Result<Vec<Member>, AppError> {
    let mut conn = app.store.read(ctx.ws()).await?;
    Ok(conn.member_list().await?)
}

async fn check_role(app: &App, ctx: &Ctx, role: &str) -> Result<(), AppError> {
    let mut conn = app.store.read(ctx.ws()).await?;
    if role_exists(&mut conn, role).await? {
        Ok(())
    } else {
        Err(ValidationError::single("role", "unknown_role", format!("there is no role {role:?} in this workspace"))
            .into())
    }
}

/// Adds a user to the workspace: with a password, as an active member at
/// once; without, as an invitation (one-time token, valid for a week).
pub async fn add_user(
    app: &App,
    ctx: &Ctx,
    email: &str,
    role: &str,
    display_name: Option<&str>,
    password: Option<&str>,
) -> Result<Added, AppError> {
    ctx.access.require_admin()?;
    let email = parse_email(email, "email")?;
    check_role(app, ctx, role).await?;
    if let Some(existing) = app.store.account_by_email(&email).await? {
        let mut conn = app.store.read(ctx.ws()).await?;
        if conn.membership(existing.user.id).await?.is_some() {
            return Err(AppError::conflict("refuse-member-already", vec![("email", email.to_string().into())]));
        }
    }
    let name = display_name.map(str::trim).filter(|n| !n.is_empty());
    if name.is_some_and(|n| n.chars().count() > 200) {
        return Err(ValidationError::single("display_name", "too_long", "at most 200 characters").into());
    }
    match password {
        Some(password) => {
            let hash = hash_new_password(password, &email, "password").await?;
            let user = app.store.ensure_user(&email, name.unwrap_or(&email)).await?;
            app.store.set_password_hash(user.id, &hash).await?;
            let mut tx = app.store.write(ctx.ws()).await?;
            tx.insert_membership(user.id, role).await?;
            audit_in(
                &mut tx,
                ctx,
                Event::new("user.add").target("user", user.id).details(json!({"email": email, "role": role})),
            )
            .await?;
            tx.commit().await?;
            Ok(Added { user: Some(user), invitation_token: None, expires_at: None })
        }
        None => {
            let token = secret::generate(SecretKind::Invitation)
                .map_err(|e| AppError::System(format!("no randomness available: {e}")))?;
            let expires_at = app.store.now() + INVITATION_LIFETIME;
            let mut tx = app.store.write(ctx.ws()).await?;
            let id = tx.create_invitation(&secret::digest(&token), &email, role, ctx.actor, expires_at).await?;
            audit_in(
                &mut tx,
                ctx,
                Event::new("user.invite").target("invitation", id).details(json!({"email": email, "role": role})),
            )
            .await?;
            tx.commit().await?;
            Ok(Added { user: None, invitation_token: Some(token), expires_at: Some(expires_at) })
        }
    }
}

/// The member, or not found.
async fn member(app: &App, ctx: &Ctx, user: UserId) -> Result<Member, AppError> {
    let mut conn = app.store.read(ctx.ws()).await?;
    conn.member(user).await?.ok_or(AppError::NotFound)
}

/// Refuses to leave the workspace without an active administrator.
async fn keep_an_admin(app: &App, ctx: &Ctx, losing: &Member) -> Result<(), AppError> {
    if losing.role != "admin" || !losing.active {
        return Ok(());
    }
    let mut conn = app.store.read(ctx.ws()).await?;
    if conn.count_with_role("admin", true).await? <= 1 {
        return Err(AppError::conflict("refuse-last-admin", vec![]));
    }
    Ok(())
}

/// Gives a member another role (admins only; nobody raises their own).
pub async fn set_role(app: &App, ctx: &Ctx, user: UserId, role: &str) -> Result<Member, AppError> {
    ctx.access.require_admin()?;
    check_role(app, ctx, role).await?;
    let before = member(app, ctx, user).await?;
    if before.role == role {
        return Ok(before);
    }
    if role != "admin" {
        keep_an_admin(app, ctx, &before).await?;
    }
    let mut tx = app.store.write(ctx.ws()).await?;
    tx.set_member_role(user, role).await?;
    audit_in(
        &mut tx,
        ctx,
        Event::new("role.change").target("user", user).details(json!({"before": before.role, "after": role})),
    )
    .await?;
    tx.commit().await?;
    member(app, ctx, user).await
}

/// Changes a member's display name (themselves, or an admin).
pub async fn set_display_name(app: &App, ctx: &Ctx, user: UserId, name: &str) -> Result<Member, AppError> {
    if ctx.actor != Some(user) {
        ctx.access.require_admin()?;
    }
    member(app, ctx, user).await?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ValidationError::single("display_name", "invalid", "1 to 200 characters").into());
    }
    app.store.set_display_name(user, name).await?;
    member(app, ctx, user).await
}

/// Deactivates a member: they can no longer sign in or use their tokens;
/// their records stay theirs until reassigned.
pub async fn set_active(app: &App, ctx: &Ctx, user: UserId, active: bool) -> Result<Member, AppError> {
    ctx.access.require_admin()?;
    let before = member(app, ctx, user).await?;
    if before.active == active {
        return Ok(before);
    }
    if !active {
        keep_an_admin(app, ctx, &before).await?;
    }
    let mut tx = app.store.write(ctx.ws()).await?;
    tx.set_member_active(user, active).await?;
    if !active {
        tx.revoke_tokens_of(user).await?;
    }
    let action = if active { "user.reactivate" } else { "user.deactivate" };
    audit_in(&mut tx, ctx, Event::new(action).target("user", user)).await?;
    tx.commit().await?;
    if !active {
        app.store.revoke_sessions_of(user).await?;
    }
    member(app, ctx, user).await
}

/// Gives every live record of `from` (of the given types, default all) to
/// `to`, through the write path: each change is checked and logged.
/// Returns the number of records reassigned per entity type.
pub async fn reassign(
    app: &App,
    ctx: &Ctx,
    from: UserId,
    to: UserId,
    kinds: &[EntityKind],
) -> Result<Vec<(EntityKind, u64)>, AppError> {
    if from == to {
        return Err(ValidationError::single("to", "same_member", "records can only go to another member").into());
    }
    member(app, ctx, from).await?;
    let target = member(app, ctx, to).await?;
    if !target.active {
        return Err(ValidationError::single("to", "inactive_user", "records can only go to an active member").into());
    }
    let schemas = app.schemas(ctx.ws()).await?;
    let kinds: Vec<EntityKind> = if kinds.is_empty() {
        schemas.iter().filter(|s| !s.def().reference_data).map(|s| s.kind).collect()
    } else {
        kinds.to_vec()
    };
    let mut counts = Vec::new();
    for kind in kinds {
        ctx.access.check_kind(kind, Right::Update)?;
        let schema = schemas.get(kind);
        let filter = format!("owner = \"{from}\"");
        let mut moved = 0u64;
        loop {
            // Each batch is one transaction; moved records no longer match.
            let params = ListParams { filter: Some(filter.clone()), limit: Some(200), ..Default::default() };
            let (page, _) = crate::read::list(app, ctx, kind, &params).await?;
            if page.records.is_empty() {
                break;
            }
            let mut tx = app.writer(ctx).await?;
            let mut changed = 0u64;
            for record in &page.records {
                let mut patch = Values::default();
                patch.set_std("owner", FieldValue::Ref(to.uuid()));
                let updated = update_in(&mut tx, ctx, schema, record.id, patch, None).await?;
                changed += u64::from(updated.version != record.version);
            }
            tx.commit().await?;
            moved += changed;
            // A batch that changed nothing would be selected again forever.
            if changed == 0 {
                break;
            }
        }
        counts.push((kind, moved));
    }
    let details: serde_json::Map<String, serde_json::Value> =
        counts.iter().map(|(k, n)| (k.api_name().to_string(), json!(n))).collect();
    audit(app, ctx, Event::new("records.reassign").target("user", from).details(json!({"to": to, "records": details})))
        .await?;
    Ok(counts)
}

// ----- teams -----

/// A team with its members.
pub struct TeamWithMembers {
    pub team: Team,
    pub members: Vec<(UserId, bool)>,
}

pub async fn teams(app: &App, ctx: &Ctx) -> Result<Vec<TeamWithMembers>, AppError> {
    let mut conn = app.store.read(ctx.ws()).await?;
    let teams = conn.teams().await?;
    let memberships = conn.team_memberships().await?;
    Ok(teams
        .into_iter()
        .map(|team| {
            let members = memberships.iter().filter(|(t, _)| *t == team.id).map(|(_, m)| (m.user, m.manager)).collect();
            TeamWithMembers { team, members }
        })
        .collect())
}

pub async fn team(app: &App, ctx: &Ctx, id: &str) -> Result<TeamWithMembers, AppError> {
    teams(app, ctx).await?.into_iter().find(|t| t.team.id == id).ok_or(AppError::NotFound)
}

fn team_name(name: &str) -> Result<String, AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ValidationError::single("name", "invalid", "1 to 100 characters").into());
    }
    Ok(name.to_string())
}

fn duplicate_team(e: relata_store::StoreError) -> AppError {
    if e.is_unique_violation() {
        ValidationError::single("name", "duplicate", "another team has this name").into()
    } else {
        e.into()
    }
}

pub async fn create_team(app: &App, ctx: &Ctx, name: &str) -> Result<TeamWithMembers, AppError> {
    ctx.access.require_admin()?;
    let name = team_name(name)?;
    let mut tx = app.store.write(ctx.ws()).await?;
    let team = tx.create_team(&name).await.map_err(duplicate_team)?;
    audit_in(&mut tx, ctx, Event::new("team.create").target("team", &team.id).details(json!({"name": name}))).await?;
    tx.commit().await?;
    Ok(TeamWithMembers { team, members: Vec::new() })
}

pub async fn rename_team(app: &App, ctx: &Ctx, id: &str, name: &str) -> Result<TeamWithMembers, AppError> {
    ctx.access.require_admin()?;
    let name = team_name(name)?;
    let mut tx = app.store.write(ctx.ws()).await?;
    tx.rename_team(id, &name).await.map_err(duplicate_team)?;
    audit_in(&mut tx, ctx, Event::new("team.rename").target("team", id).details(json!({"name": name}))).await?;
    tx.commit().await?;
    team(app, ctx, id).await
}

pub async fn delete_team(app: &App, ctx: &Ctx, id: &str) -> Result<(), AppError> {
    ctx.access.require_admin()?;
    let mut tx = app.store.write(ctx.ws()).await?;
    tx.delete_team(id).await?;
    audit_in(&mut tx, ctx, Event::new("team.delete").target("team", id)).await?;
    tx.commit().await?;
    Ok(())
}

/// Adds a member to a team, or changes whether they manage it.
pub async fn put_team_member(
    app: &App,
    ctx: &Ctx,
    id: &str,
    user: UserId,
    manager: bool,
) -> Result<TeamWithMembers, AppError> {
    ctx.access.require_admin()?;
    team(app, ctx, id).await?;
    member(app, ctx, user).await.map_err(|_| ValidationError::single("user", "not_found", "no such member"))?;
    let mut tx = app.store.write(ctx.ws()).await?;
    tx.put_team_member(id, user, manager).await?;
    audit_in(
        &mut tx,
        ctx,
        Event::new("team.member").target("team", id).details(json!({"user": user, "manager": manager})),
    )
    .await?;
    tx.commit().await?;
    team(app, ctx, id).await
}

pub async fn remove_team_member(app: &App, ctx: &Ctx, id: &str, user: UserId) -> Result<(), AppError> {
    ctx.access.require_admin()?;
    let mut tx = app.store.write(ctx.ws()).await?;
    if !tx.remove_team_member(id, user).await? {
        return Err(AppError::NotFound);
    }
    audit_in(&mut tx, ctx, Event::new("team.member_remove").target("team", id).details(json!({"user": user}))).await?;
    tx.commit().await?;
    Ok(())
}

// ----- API tokens -----

/// What a new token may do.
pub struct NewToken {
    pub name: String,
    pub scope: String,
    pub entities: Option<Vec<String>>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// Issues a token for the acting user; a token never gets more than the
/// credential that creates it.
pub async fn create_token(app: &App, ctx: &Ctx, new: NewToken) -> Result<(IssuedToken, TokenInfo), AppError> {
    ctx.access.require_write()?;
    let user = ctx.actor.ok_or_else(|| AppError::forbidden("refuse-people-only", vec![]))?;
    let mut errors = Vec::new();
    let name = new.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 100 {
        errors.push(relata_core::FieldError::new("name", "invalid", "1 to 100 characters"));
    }
    if !["read", "read_write", "erp", "telephony"].contains(&new.scope.as_str()) {
        errors.push(relata_core::FieldError::new("scope", "invalid", "read, read_write, erp or telephony"));
    }
    if let Some(entities) = &new.entities {
        if entities.is_empty() {
            errors.push(relata_core::FieldError::new(
                "entities",
                "invalid",
                "name at least one entity type, or leave it out",
            ));
        }
        let schemas = app.schemas(ctx.ws()).await?;
        for e in entities {
            match schemas.kind(e) {
                None => errors.push(relata_core::FieldError::new(
                    "entities",
                    "unknown_entity",
                    format!("no entity type {e:?}"),
                )),
                Some(kind) if ctx.access.token_entities.as_ref().is_some_and(|mine| !mine.contains(&kind)) => errors
                    .push(relata_core::FieldError::new(
                        "entities",
                        "beyond_own_token",
                        format!("your own token does not reach {e}"),
                    )),
                Some(_) => {}
            }
        }
    }
    if new.expires_at.is_some_and(|t| t <= app.store.now()) {
        errors.push(relata_core::FieldError::new("expires_at", "in_the_past", "must be in the future"));
    }
    ValidationError::check(errors)?;
    // A token limited to some entity types can only make tokens limited likewise.
    let entities = new.entities.or_else(|| {
        ctx.access.token_entities.as_ref().map(|kinds| kinds.iter().map(|k| k.api_name().to_string()).collect())
    });
    let issued =
        app.store.create_limited_token(ctx.ws(), user, &name, &new.scope, entities.as_deref(), new.expires_at).await?;
    audit(
        app,
        ctx,
        Event::new("token.create")
            .target("token", &issued.id)
            .details(json!({"name": name, "scope": new.scope, "entities": entities})),
    )
    .await?;
    let mut conn = app.store.read(ctx.ws()).await?;
    let info = conn.tokens(Some(user)).await?.into_iter().find(|t| t.id == issued.id).ok_or(AppError::NotFound)?;
    Ok((issued, info))
}

/// The acting user's tokens; `all` lists everyone's (admins only).
pub async fn tokens(app: &App, ctx: &Ctx, all: bool) -> Result<Vec<TokenInfo>, AppError> {
    if all {
        ctx.access.require_admin()?;
    }
    let mut conn = app.store.read(ctx.ws()).await?;
    Ok(conn.tokens(if all { None } else { ctx.actor }).await?)
}

/// Revokes one of the acting user's tokens (admins: anyone's).
pub async fn revoke_token(app: &App, ctx: &Ctx, id: &str) -> Result<(), AppError> {
    ctx.access.require_write()?;
    let owner_only = if ctx.access.is_admin() { None } else { ctx.actor };
    let mut tx = app.store.write(ctx.ws()).await?;
    if !tx.revoke_token(id, owner_only).await? {
        return Err(AppError::NotFound);
    }
    audit_in(&mut tx, ctx, Event::new("token.revoke").target("token", id)).await?;
    tx.commit().await?;
    Ok(())
}

/// A user id, as given at the edge, that names a member of this workspace.
pub async fn member_id(app: &App, ctx: &Ctx, raw: &str) -> Result<UserId, AppError> {
    Ok(member_by_id(app, ctx, raw).await?.user.id)
}

/// The member a user id given at the edge names.
pub async fn member_by_id(app: &App, ctx: &Ctx, raw: &str) -> Result<Member, AppError> {
    let id: UserId = raw.parse().map_err(|_| AppError::NotFound)?;
    member(app, ctx, id).await
}
