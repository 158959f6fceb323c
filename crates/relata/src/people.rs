//! `relata workspace …` and `relata user …`: server operators manage
//! workspaces and people from the command line, through the same
//! application services as the API (checked and audited alike).

use crate::{DbArgs, open};
use clap::Subcommand;
use relata_app::workspaces::{self, WorkspaceSpec};
use relata_app::{App, AppError, Ctx, auth, people};
use relata_store::admin::Workspace;
use std::io::Read;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum WorkspaceCommand {
    /// Create a workspace; prints its slug.
    Create {
        /// The company's name.
        name: String,
        /// URL-safe id (default: derived from the name).
        #[arg(long)]
        slug: Option<String>,
        /// Enabled currency (ISO 4217), repeatable; the first is the default.
        #[arg(long = "currency")]
        currencies: Vec<String>,
        /// Region for phone numbers typed without a country code (ISO 3166, e.g. PL).
        #[arg(long)]
        phone_region: Option<String>,
    },
    /// List the workspaces of this server.
    List,
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Add a user to a workspace; without a password, print a one-time invitation link.
    Add {
        #[arg(long)]
        email: String,
        /// admin, manager, sales_rep, service_agent, marketer, read_only, or a custom role.
        #[arg(long)]
        role: String,
        /// The workspace's slug.
        #[arg(long, default_value = "default")]
        workspace: String,
        /// The password (visible to other local users in the process list: prefer --password-stdin).
        #[arg(long, conflicts_with = "password_stdin")]
        password: Option<String>,
        /// Read the password from standard input.
        #[arg(long)]
        password_stdin: bool,
        /// The name shown to others.
        #[arg(long)]
        name: Option<String>,
        /// Also make the user a server administrator (may create workspaces).
        #[arg(long)]
        server_admin: bool,
        /// Base URL for the invitation link.
        #[arg(long, env = "RELATA_PUBLIC_URL", default_value = "http://127.0.0.1:8080")]
        public_url: String,
    },
    /// List the members of a workspace.
    List {
        #[arg(long, default_value = "default")]
        workspace: String,
    },
    /// Deactivate a member (they can no longer sign in; their records stay).
    Deactivate {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "default")]
        workspace: String,
    },
    /// Set a user's password, or print a one-time reset token without one.
    ResetPassword {
        #[arg(long)]
        email: String,
        #[arg(long, conflicts_with = "password_stdin")]
        password: Option<String>,
        #[arg(long)]
        password_stdin: bool,
    },
}

fn message(e: AppError) -> String {
    match e {
        AppError::Invalid(v) => {
            v.errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ")
        }
        other => other.to_string(),
    }
}

/// The demo administrator people sign in as after `serve --demo`.
pub const DEMO_ADMIN_EMAIL: &str = "demo@relata.localhost";

/// Adds the demo administrator with a fresh random password, returned once.
pub async fn demo_admin(app: &App, ws: &Workspace) -> Result<String, String> {
    let secret =
        relata_identity::secret::generate(relata_identity::secret::SecretKind::Csrf).map_err(|e| e.to_string())?;
    let password: String = secret.chars().skip(4).take(20).collect();
    let ctx = Ctx::new(ws.clone(), None);
    people::add_user(app, &ctx, DEMO_ADMIN_EMAIL, "admin", Some("Demo Admin"), Some(&password))
        .await
        .map_err(message)?;
    Ok(password)
}

pub async fn workspace_by_slug(app: &App, slug: &str) -> Result<Workspace, String> {
    app.store
        .workspace_by_slug(slug)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("there is no workspace {slug:?}; see `relata workspace list`"))
}

fn read_password(given: Option<String>, from_stdin: bool) -> Result<Option<String>, String> {
    if !from_stdin {
        return Ok(given);
    }
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text).map_err(|e| format!("cannot read the password: {e}"))?;
    Ok(Some(text.trim_end_matches(['\n', '\r']).to_string()))
}

/// A token for a member of a workspace.
pub async fn member_token(app: &App, ws: &Workspace, email: &str, name: &str, scope: &str) -> Result<String, String> {
    let account = app
        .store
        .account_by_email(email)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("there is no user {email}"))?;
    let mut conn = app.store.read(ws.id).await.map_err(|e| e.to_string())?;
    match conn.membership(account.user.id).await.map_err(|e| e.to_string())? {
        Some((_, true)) => {}
        _ => return Err(format!("{email} is not an active member of {:?}", ws.slug)),
    }
    drop(conn);
    if name.trim().is_empty() || name.chars().count() > 100 {
        return Err("the token name must be 1 to 100 characters".into());
    }
    let token = app.store.create_token(ws.id, account.user.id, name.trim(), scope).await.map_err(|e| e.to_string())?;
    Ok(token.secret)
}

pub async fn workspace(db: &DbArgs, command: WorkspaceCommand) -> Result<ExitCode, String> {
    let (app, _) = open(db).await?;
    match command {
        WorkspaceCommand::Create { name, slug, currencies, phone_region } => {
            let spec = WorkspaceSpec { name, slug, currencies, phone_region };
            let ws = workspaces::create(&app, &spec, None).await.map_err(message)?;
            eprintln!(
                "created workspace {:?}; add its first admin with `relata user add --workspace {} --role admin --email …`",
                ws.name, ws.slug
            );
            println!("{}", ws.slug);
        }
        WorkspaceCommand::List => {
            for ws in app.store.workspaces().await.map_err(|e| e.to_string())? {
                let codes: Vec<&str> = ws.currencies.iter().map(|c| c.code()).collect();
                println!("{}\t{}\t{}", ws.slug, ws.name, codes.join(","));
            }
        }
    }
    app.store.close().await;
    Ok(ExitCode::SUCCESS)
}

pub async fn user(db: &DbArgs, command: UserCommand) -> Result<ExitCode, String> {
    let (app, _) = open(db).await?;
    match command {
        UserCommand::Add { email, role, workspace, password, password_stdin, name, server_admin, public_url } => {
            let ws = workspace_by_slug(&app, &workspace).await?;
            let password = read_password(password, password_stdin)?;
            let ctx = Ctx::new(ws.clone(), None);
            let added = people::add_user(&app, &ctx, &email, &role, name.as_deref(), password.as_deref())
                .await
                .map_err(message)?;
            match (added.user, added.invitation_token) {
                (Some(user), _) => {
                    if server_admin {
                        app.store.set_server_admin(user.id, true).await.map_err(|e| e.to_string())?;
                    }
                    eprintln!("added {} to {:?} as {role}", user.email, ws.slug);
                    println!("{}", user.id);
                }
                (None, Some(token)) => {
                    if server_admin {
                        eprintln!(
                            "note: --server-admin applies once the invitation is accepted; run the command again then"
                        );
                    }
                    eprintln!(
                        "invited {email} to {:?} as {role}; send them this one-time link (valid 7 days):",
                        ws.slug
                    );
                    println!("{}/invite/{token}", public_url.trim_end_matches('/'));
                }
                (None, None) => {}
            }
        }
        UserCommand::List { workspace } => {
            let ws = workspace_by_slug(&app, &workspace).await?;
            let ctx = Ctx::new(ws, None);
            for m in people::members(&app, &ctx).await.map_err(message)? {
                let state = if m.active { "active" } else { "deactivated" };
                println!("{}\t{}\t{}\t{}\t{}", m.user.id, m.user.email, m.user.display_name, m.role, state);
            }
        }
        UserCommand::Deactivate { email, workspace } => {
            let ws = workspace_by_slug(&app, &workspace).await?;
            let account = app
                .store
                .account_by_email(&email)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("there is no user {email}"))?;
            let ctx = Ctx::new(ws.clone(), None);
            people::set_active(&app, &ctx, account.user.id, false).await.map_err(|e| match e {
                AppError::NotFound => format!("{email} is not a member of {:?}", ws.slug),
                other => message(other),
            })?;
            eprintln!("deactivated {email} in {:?}; their records stay theirs until reassigned", ws.slug);
        }
        UserCommand::ResetPassword { email, password, password_stdin } => {
            match read_password(password, password_stdin)? {
                Some(password) => {
                    let user = auth::set_password(&app, &email, &password).await.map_err(|e| match e {
                        AppError::NotFound => format!("there is no user {email}"),
                        other => message(other),
                    })?;
                    eprintln!("set the password of {}; their sessions were ended", user.email);
                }
                None => {
                    let (user, token) = auth::start_password_reset(&app, &email)
                        .await
                        .map_err(message)?
                        .ok_or_else(|| format!("there is no user {email}"))?;
                    eprintln!(
                        "one-time password reset for {} (valid 2 hours): POST {{\"token\", \"password\"}} to /api/v1/auth/password-reset/confirm; token:",
                        user.email
                    );
                    println!("{token}");
                }
            }
        }
    }
    app.store.close().await;
    Ok(ExitCode::SUCCESS)
}
