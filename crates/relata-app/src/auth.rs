//! Signing in and out: email + password (Argon2id) with an optional TOTP
//! second factor, throttled per account, per source address and per pair;
//! database-backed sessions (so several server processes share them);
//! password resets and invitations by one-time tokens; switching workspace.

use crate::audit::Event;
use crate::error::AppError;
use crate::{App, Ctx};
use chrono::{DateTime, TimeDelta, Utc};
use relata_core::ValidationError;
use relata_core::email::Email;
use relata_identity::password::{self, NewPassword};
use relata_identity::secret::{self, SecretKind};
use relata_identity::throttle::{self, Counter, Failures};
use relata_identity::totp;
use relata_store::admin::{User, Workspace};
use relata_store::audit::AuditEntry;
use relata_store::identity::{NewSession, UserAccount};
use serde_json::json;

/// How long a session lives without being used; each use extends it.
pub const SESSION_IDLE: TimeDelta = TimeDelta::hours(12);
/// Session expiry is moved forward at most this often (one write per minute).
pub const SESSION_TOUCH: TimeDelta = TimeDelta::minutes(1);
pub const RESET_LIFETIME: TimeDelta = TimeDelta::hours(2);
pub const INVITATION_LIFETIME: TimeDelta = TimeDelta::days(7);

/// A sign-in attempt.
#[derive(Clone, Debug, Default)]
pub struct Login {
    pub email: String,
    pub password: String,
    /// The TOTP code, for accounts with a second factor.
    pub code: Option<String>,
    /// The slug of the workspace to open (default: the first one).
    pub workspace: Option<String>,
    pub address: Option<String>,
    pub user_agent: Option<String>,
}

/// A new session: the secret goes to the client once (cookie or bearer).
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub session_secret: String,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
    pub user: User,
    pub workspace: Workspace,
    pub role: String,
}

fn random(kind: SecretKind) -> Result<String, AppError> {
    secret::generate(kind).map_err(|e| AppError::System(format!("no randomness available: {e}")))
}

fn invalid_credentials() -> AppError {
    AppError::Unauthorized("invalid_credentials", "the email address or the password is wrong".into())
}

/// Audit entries for an event about `user` (or an unknown email): one per
/// workspace the user belongs to, so each workspace's admins see it.
async fn sign_in_entries(
    app: &App,
    user: Option<&UserAccount>,
    action: &str,
    outcome: &'static str,
    address: Option<&str>,
    details: serde_json::Value,
) -> Result<Vec<AuditEntry>, AppError> {
    let workspaces = match user {
        Some(u) => app.store.memberships_of(u.user.id).await?.into_iter().map(|m| Some(m.workspace.id)).collect(),
        None => vec![None],
    };
    let workspaces = if workspaces.is_empty() { vec![None] } else { workspaces };
    Ok(workspaces
        .into_iter()
        .map(|workspace| AuditEntry {
            workspace,
            actor: user.map(|u| u.user.id),
            action: action.to_string(),
            outcome,
            target_type: Some("user".into()),
            target_id: user.map(|u| u.user.id.to_string()),
            address: address.map(str::to_string),
            details: details.clone(),
        })
        .collect())
}

fn throttle_keys(email: &str, address: &str) -> [(Counter, String); 3] {
    [
        (Counter::Pair, throttle::key(Counter::Pair, email, address)),
        (Counter::Address, throttle::key(Counter::Address, email, address)),
        (Counter::Account, throttle::key(Counter::Account, email, address)),
    ]
}

async fn load_failures(app: &App, key: &str) -> Result<Option<Failures>, AppError> {
    Ok(app.store.throttle_state(key).await?.map(|(failures, first_failure_at, locked_until)| Failures {
        failures,
        first_failure_at,
        locked_until,
    }))
}

async fn record_failure(app: &App, email: &str, address: &str) -> Result<(), AppError> {
    let now = app.store.now();
    for (counter, key) in throttle_keys(email, address) {
        let state = throttle::after_failure(counter, load_failures(app, &key).await?.as_ref(), now);
        app.store.put_throttle_state(&key, state.failures, state.first_failure_at, state.locked_until).await?;
    }
    Ok(())
}

/// Signs in; on success the session exists in the database.
pub async fn login(app: &App, attempt: Login) -> Result<SignedIn, AppError> {
    let address = attempt.address.clone().unwrap_or_else(|| "unknown".into());
    let email = attempt.email.trim().to_lowercase();
    let now = app.store.now();
    let mut locked: Option<DateTime<Utc>> = None;
    for (_, key) in throttle_keys(&email, &address) {
        if let Some(until) = throttle::locked_until(load_failures(app, &key).await?.as_ref(), now) {
            locked = Some(locked.map_or(until, |l: DateTime<Utc>| l.max(until)));
        }
    }
    let account = if email.is_empty() || email.len() > 320 { None } else { app.store.account_by_email(&email).await? };
    if let Some(until) = locked {
        let entries = sign_in_entries(
            app,
            account.as_ref(),
            "sign_in",
            "denied",
            Some(&address),
            json!({"email": email, "reason": "locked", "until": until}),
        )
        .await?;
        app.store.append_audit(entries).await?;
        return Err(AppError::Locked(until));
    }
    let stored = account.as_ref().and_then(|a| a.password_hash.clone());
    let password_ok = {
        let password = attempt.password.clone();
        let hash = stored.clone().unwrap_or_else(|| password::decoy_hash().to_string());
        // Argon2 takes tens of milliseconds of CPU: keep it off the async workers.
        tokio::task::spawn_blocking(move || password::verify(&password, &hash)).await.unwrap_or(false)
            && stored.is_some()
    };
    let second_factor = match (&account, password_ok) {
        (Some(a), true) if a.totp_enabled => match attempt.code.as_deref().filter(|c| !c.trim().is_empty()) {
            None => {
                return Err(AppError::Unauthorized(
                    "totp_required",
                    "this account has a second factor: send the 6-digit code from the authenticator app as \"code\""
                        .into(),
                ));
            }
            Some(code) => a.totp_secret.as_deref().is_some_and(|s| totp::verify(s, code, now.timestamp())),
        },
        _ => true,
    };
    if !password_ok || !second_factor {
        record_failure(app, &email, &address).await?;
        let reason = if password_ok { "wrong second-factor code" } else { "wrong email or password" };
        let entries = sign_in_entries(
            app,
            account.as_ref(),
            "sign_in",
            "failure",
            Some(&address),
            json!({"email": email, "reason": reason}),
        )
        .await?;
        app.store.append_audit(entries).await?;
        return Err(if password_ok {
            AppError::Unauthorized("invalid_code", "the second-factor code is wrong or expired".into())
        } else {
            invalid_credentials()
        });
    }
    let account = account.expect("a password matched, so the account exists");
    let memberships = app.store.memberships_of(account.user.id).await?;
    let active: Vec<_> = memberships.into_iter().filter(|m| m.active).collect();
    let membership = match &attempt.workspace {
        Some(slug) => active.into_iter().find(|m| &m.workspace.slug == slug),
        None => active.into_iter().next(),
    };
    let Some(membership) = membership else {
        let entries = sign_in_entries(
            app,
            Some(&account),
            "sign_in",
            "denied",
            Some(&address),
            json!({"reason": "no active membership in the requested workspace"}),
        )
        .await?;
        app.store.append_audit(entries).await?;
        return Err(AppError::forbidden("refuse-no-membership", vec![]));
    };
    let [(_, pair), _, (_, account_key)] = throttle_keys(&email, &address);
    app.store.clear_throttle(&[pair, account_key]).await?;
    if let Some(hash) = stored.filter(|h| password::needs_rehash(h))
        && let Ok(new) = NewPassword::parse(&attempt.password, "")
        && let Ok(rehashed) = tokio::task::spawn_blocking(move || password::hash(&new)).await
        && let Ok(rehashed) = rehashed
    {
        tracing::info!(user = %account.user.id, old = %hash.len(), "upgrading a password hash");
        app.store.set_password_hash(account.user.id, &rehashed).await?;
    }
    let session_secret = random(SecretKind::Session)?;
    let csrf_token = random(SecretKind::Csrf)?;
    let expires_at = now + SESSION_IDLE;
    let id = secret::digest(&session_secret);
    app.store
        .create_session(&NewSession {
            id: &id,
            user: account.user.id,
            workspace: membership.workspace.id,
            csrf_token: &csrf_token,
            expires_at,
            address: attempt.address.as_deref(),
            user_agent: attempt.user_agent.as_deref(),
        })
        .await?;
    let entries = sign_in_entries(app, Some(&account), "sign_in", "success", Some(&address), json!({})).await?;
    app.store.append_audit(entries).await?;
    Ok(SignedIn {
        session_secret,
        csrf_token,
        expires_at,
        user: account.user,
        workspace: membership.workspace,
        role: membership.role,
    })
}

/// Ends one session.
pub async fn logout(app: &App, ctx: &Ctx, session_id: &str) -> Result<(), AppError> {
    app.store.revoke_session(session_id).await?;
    crate::audit::audit(app, ctx, Event::new("sign_out")).await
}

/// Ends every session of the acting user.
pub async fn logout_everywhere(app: &App, ctx: &Ctx) -> Result<u64, AppError> {
    let user = ctx.actor.ok_or_else(|| AppError::forbidden("refuse-people-only", vec![]))?;
    let ended = app.store.revoke_sessions_of(user).await?;
    crate::audit::audit(app, ctx, Event::new("sign_out.everywhere").details(json!({"sessions": ended}))).await?;
    Ok(ended)
}

/// Moves a session to another workspace the user is an active member of.
pub async fn switch_workspace(app: &App, ctx: &Ctx, session_id: &str, slug: &str) -> Result<Workspace, AppError> {
    let user = ctx.actor.ok_or(AppError::NotFound)?;
    let membership = app
        .store
        .memberships_of(user)
        .await?
        .into_iter()
        .find(|m| m.active && m.workspace.slug == slug)
        .ok_or(AppError::NotFound)?;
    app.store.set_session_workspace(session_id, membership.workspace.id).await?;
    let ctx =
        Ctx::for_user(membership.workspace.clone(), ctx.actor, ctx.access.clone()).with_address(ctx.address.clone());
    crate::audit::audit(app, &ctx, Event::new("workspace.switch")).await?;
    Ok(membership.workspace)
}

/// Checks a new password against the rules and hashes it (off the async workers).
pub async fn hash_new_password(password: &str, email: &str, field: &str) -> Result<String, AppError> {
    let new = NewPassword::parse(password, email).map_err(|m| ValidationError::single(field, "weak_password", m))?;
    tokio::task::spawn_blocking(move || password::hash(&new))
        .await
        .map_err(|e| AppError::System(format!("hashing failed: {e}")))?
        .map_err(|e| AppError::System(format!("hashing failed: {e}")))
}

/// Starts a password reset: the one-time token (to send by email, or to
/// print from the CLI). `None` when no such user exists; callers must not
/// reveal which.
pub async fn start_password_reset(app: &App, email: &str) -> Result<Option<(User, String)>, AppError> {
    let Some(account) = app.store.account_by_email(email).await? else { return Ok(None) };
    let token = random(SecretKind::PasswordReset)?;
    app.store.create_password_reset(&secret::digest(&token), account.user.id, app.store.now() + RESET_LIFETIME).await?;
    let entries = sign_in_entries(app, Some(&account), "password.reset_requested", "success", None, json!({})).await?;
    app.store.append_audit(entries).await?;
    Ok(Some((account.user, token)))
}

/// Completes a reset: sets the password and signs the user out everywhere.
pub async fn finish_password_reset(
    app: &App,
    token: &str,
    new_password: &str,
    address: Option<&str>,
) -> Result<User, AppError> {
    let invalid = || AppError::Unauthorized("invalid_token", "the reset link is unknown, used or expired".into());
    if !token.starts_with(SecretKind::PasswordReset.prefix()) {
        return Err(invalid());
    }
    // Check the password before using the token up, so a weak one can be retried.
    let digest = secret::digest(token);
    let user_for_check = app.store.password_reset_user(&digest).await?.ok_or_else(invalid)?;
    let account = app.store.account_by_id(user_for_check).await?.ok_or_else(invalid)?;
    let hash = hash_new_password(new_password, &account.user.email, "password").await?;
    let user = app.store.consume_password_reset(&digest).await?.ok_or_else(invalid)?;
    app.store.set_password_hash(user, &hash).await?;
    app.store.revoke_sessions_of(user).await?;
    let entries = sign_in_entries(app, Some(&account), "password.reset", "success", address, json!({})).await?;
    app.store.append_audit(entries).await?;
    Ok(account.user)
}

/// Sets a user's password directly (the CLI's reset, for server operators).
pub async fn set_password(app: &App, email: &str, new_password: &str) -> Result<User, AppError> {
    let account = app.store.account_by_email(email).await?.ok_or(AppError::NotFound)?;
    let hash = hash_new_password(new_password, &account.user.email, "password").await?;
    app.store.set_password_hash(account.user.id, &hash).await?;
    app.store.revoke_sessions_of(account.user.id).await?;
    let entries = sign_in_entries(app, Some(&account), "password.set", "success", None, json!({"by": "cli"})).await?;
    app.store.append_audit(entries).await?;
    Ok(account.user)
}

/// Changes the acting user's own password (the current one is required).
pub async fn change_password(app: &App, ctx: &Ctx, current: &str, new_password: &str) -> Result<(), AppError> {
    let user = ctx.actor.ok_or_else(|| AppError::forbidden("refuse-people-only", vec![]))?;
    let account = app.store.account_by_id(user).await?.ok_or(AppError::NotFound)?;
    let stored = account.password_hash.clone().unwrap_or_default();
    let given = current.to_string();
    if !tokio::task::spawn_blocking(move || password::verify(&given, &stored)).await.unwrap_or(false) {
        return Err(
            ValidationError::single("current_password", "wrong_password", "is not your current password").into()
        );
    }
    let hash = hash_new_password(new_password, &account.user.email, "new_password").await?;
    app.store.set_password_hash(user, &hash).await?;
    crate::audit::audit(app, ctx, Event::new("password.change")).await
}

/// Starts TOTP enrolment: a new secret, not yet required at sign-in.
pub async fn totp_setup(app: &App, ctx: &Ctx) -> Result<(String, String), AppError> {
    let user = ctx.actor.ok_or_else(|| AppError::forbidden("refuse-people-only", vec![]))?;
    let account = app.store.account_by_id(user).await?.ok_or(AppError::NotFound)?;
    if account.totp_enabled {
        return Err(AppError::conflict("refuse-totp-enabled", vec![]));
    }
    let secret = totp::generate_secret().map_err(|e| AppError::System(format!("no randomness: {e}")))?;
    app.store.set_totp(user, Some(&secret), false).await?;
    let uri = totp::provisioning_uri(&secret, &account.user.email, "Relata");
    Ok((secret, uri))
}

/// Turns the enrolled second factor on, proving the device has the secret.
pub async fn totp_enable(app: &App, ctx: &Ctx, code: &str) -> Result<(), AppError> {
    let user = ctx.actor.ok_or(AppError::NotFound)?;
    let account = app.store.account_by_id(user).await?.ok_or(AppError::NotFound)?;
    let secret = account
        .totp_secret
        .filter(|_| !account.totp_enabled)
        .ok_or_else(|| AppError::conflict("refuse-totp-not-started", vec![]))?;
    if !totp::verify(&secret, code, app.store.now().timestamp()) {
        return Err(ValidationError::single("code", "invalid_code", "is not the current code of this secret").into());
    }
    app.store.set_totp(user, Some(&secret), true).await?;
    crate::audit::audit(app, ctx, Event::new("totp.enable")).await
}

/// Turns the second factor off (the password is required).
pub async fn totp_disable(app: &App, ctx: &Ctx, current_password: &str) -> Result<(), AppError> {
    let user = ctx.actor.ok_or(AppError::NotFound)?;
    let account = app.store.account_by_id(user).await?.ok_or(AppError::NotFound)?;
    let stored = account.password_hash.unwrap_or_default();
    let given = current_password.to_string();
    if !tokio::task::spawn_blocking(move || password::verify(&given, &stored)).await.unwrap_or(false) {
        return Err(ValidationError::single("password", "wrong_password", "is not your current password").into());
    }
    app.store.set_totp(user, None, false).await?;
    crate::audit::audit(app, ctx, Event::new("totp.disable")).await
}

/// Accepts an invitation: creates the account (or uses the existing one),
/// sets its password and joins the workspace with the invited role.
pub async fn accept_invitation(
    app: &App,
    token: &str,
    new_password: &str,
    display_name: Option<&str>,
    address: Option<&str>,
) -> Result<(User, Workspace), AppError> {
    let invalid = || AppError::Unauthorized("invalid_token", "the invitation is unknown, used or expired".into());
    if !token.starts_with(SecretKind::Invitation.prefix()) {
        return Err(invalid());
    }
    let invitation = app.store.invitation_by_token(&secret::digest(token)).await?.ok_or_else(invalid)?;
    if invitation.accepted_at.is_some() || invitation.expires_at <= app.store.now() {
        return Err(invalid());
    }
    let name = display_name.map(str::trim).filter(|n| !n.is_empty()).unwrap_or(&invitation.email).to_string();
    if name.chars().count() > 200 {
        return Err(ValidationError::single("display_name", "too_long", "at most 200 characters").into());
    }
    let hash = hash_new_password(new_password, &invitation.email, "password").await?;
    if !app.store.accept_invitation(&invitation.id).await? {
        return Err(invalid());
    }
    let user = app.store.ensure_user(&invitation.email, &name).await?;
    app.store.set_password_hash(user.id, &hash).await?;
    let mut tx = app.store.write(invitation.workspace).await?;
    match tx.membership(user.id).await? {
        Some(_) => tx.set_member_active(user.id, true).await?,
        None => tx.insert_membership(user.id, &invitation.role).await?,
    }
    tx.append_audit(AuditEntry {
        workspace: Some(invitation.workspace),
        actor: Some(user.id),
        action: "invitation.accept".into(),
        outcome: "success",
        target_type: Some("user".into()),
        target_id: Some(user.id.to_string()),
        address: address.map(str::to_string),
        details: json!({"role": invitation.role}),
    })
    .await?;
    tx.commit().await?;
    let workspace = app
        .store
        .memberships_of(user.id)
        .await?
        .into_iter()
        .find(|m| m.workspace.id == invitation.workspace)
        .map(|m| m.workspace)
        .ok_or(AppError::NotFound)?;
    Ok((user, workspace))
}

/// Parses an email address given at the edge of the identity endpoints.
pub fn parse_email(raw: &str, field: &str) -> Result<String, AppError> {
    Email::parse(raw.trim())
        .map(|e| e.as_str().to_lowercase())
        .map_err(|e| ValidationError::single(field, "invalid_email", format!("{raw:?} {e}")).into())
}
