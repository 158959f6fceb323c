//! People and their credentials: users' sign-in data, memberships (role,
//! deactivation), teams, custom roles, browser sessions, invitations,
//! password resets and sign-in throttling counters.
//!
//! Server-wide lookups (by email, by session secret) live on [`Store`];
//! everything that belongs to one workspace goes through a [`ScopedConn`].

use crate::admin::{User, Workspace, decode_workspace};
use crate::db::{Row, ScopedConn, Store};
use crate::error::{Result, StoreError};
use crate::sql::{id_text, in_workspace, uuid, uuid_opt};
use chrono::{DateTime, Utc};
use relata_core::{UserId, WorkspaceId};
use sea_query::{Expr, ExprTrait, JoinType, OnConflict, Order, Query, Value};

fn time(t: Option<DateTime<Utc>>) -> Value {
    Value::ChronoDateTimeUtc(t)
}

fn user_id(row: &Row, column: &str) -> Result<UserId> {
    row.uuid(column)?.map(UserId::from_uuid).ok_or_else(|| StoreError::Corrupt(format!("{column}: user id")))
}

fn workspace_id(row: &Row, what: &str) -> Result<WorkspaceId> {
    row.uuid("workspace_id")?
        .map(WorkspaceId::from_uuid)
        .ok_or_else(|| StoreError::Corrupt(format!("{what} workspace")))
}

/// A user with what signing in needs.
#[derive(Clone, Debug)]
pub struct UserAccount {
    pub user: User,
    pub password_hash: Option<String>,
    pub server_admin: bool,
    pub totp_secret: Option<String>,
    pub totp_enabled: bool,
}

const ACCOUNT_COLUMNS: [&str; 7] =
    ["id", "email", "display_name", "password_hash", "server_admin", "totp_secret", "totp_enabled"];

fn decode_account(row: &Row) -> Result<UserAccount> {
    Ok(UserAccount {
        user: User {
            id: user_id(row, "id")?,
            email: row.text("email")?.unwrap_or_default(),
            display_name: row.text("display_name")?.unwrap_or_default(),
        },
        password_hash: row.text("password_hash")?,
        server_admin: row.bool("server_admin")?.unwrap_or(false),
        totp_secret: row.text("totp_secret")?,
        totp_enabled: row.bool("totp_enabled")?.unwrap_or(false),
    })
}

/// A user's place in a workspace.
#[derive(Clone, Debug)]
pub struct Membership {
    pub workspace: Workspace,
    pub role: String,
    pub active: bool,
}

/// A member as the workspace's user list shows them.
#[derive(Clone, Debug)]
pub struct Member {
    pub user: User,
    pub role: String,
    pub active: bool,
    pub joined_at: DateTime<Utc>,
}

#[derive(Clone, Debug)]
pub struct Team {
    pub id: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug)]
pub struct TeamMember {
    pub user: UserId,
    pub manager: bool,
}

/// A browser (or API client) session as the store keeps it.
#[derive(Clone, Debug)]
pub struct SessionRow {
    pub id: String,
    pub user: UserId,
    pub workspace: WorkspaceId,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

/// A session to store.
#[derive(Clone, Copy, Debug)]
pub struct NewSession<'a> {
    /// The digest of the session secret.
    pub id: &'a str,
    pub user: UserId,
    pub workspace: WorkspaceId,
    pub csrf_token: &'a str,
    pub expires_at: DateTime<Utc>,
    pub address: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

/// A pending invitation.
#[derive(Clone, Debug)]
pub struct Invitation {
    pub id: String,
    pub workspace: WorkspaceId,
    pub email: String,
    pub role: String,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
}

impl Store {
    pub async fn account_by_email(&self, email: &str) -> Result<Option<UserAccount>> {
        let q = Query::select()
            .columns(ACCOUNT_COLUMNS)
            .from("users")
            .and_where(Expr::col("email").eq(email.trim().to_lowercase()))
            .to_owned();
        let mut conn = self.acquire().await?;
        conn.fetch_optional(&q).await?.map(|r| decode_account(&r)).transpose()
    }

    pub async fn account_by_id(&self, id: UserId) -> Result<Option<UserAccount>> {
        let q = Query::select()
            .columns(ACCOUNT_COLUMNS)
            .from("users")
            .and_where(Expr::col("id").eq(uuid(id.uuid())))
            .to_owned();
        let mut conn = self.acquire().await?;
        conn.fetch_optional(&q).await?.map(|r| decode_account(&r)).transpose()
    }

    async fn update_user(&self, id: UserId, values: Vec<(&'static str, Value)>) -> Result<()> {
        let stmt = Query::update()
            .table("users")
            .values(values.into_iter().map(|(c, v)| (c, Expr::val(v))))
            .and_where(Expr::col("id").eq(uuid(id.uuid())))
            .to_owned();
        if self.execute_alone(&stmt).await? == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    pub async fn set_password_hash(&self, id: UserId, hash: &str) -> Result<()> {
        self.update_user(id, vec![("password_hash", Value::String(Some(hash.to_string())))]).await
    }

    pub async fn set_display_name(&self, id: UserId, name: &str) -> Result<()> {
        self.update_user(id, vec![("display_name", Value::String(Some(name.to_string())))]).await
    }

    pub async fn set_server_admin(&self, id: UserId, on: bool) -> Result<()> {
        self.update_user(id, vec![("server_admin", Value::Bool(Some(on)))]).await
    }

    /// Stores a TOTP secret (pending until `enabled`), or clears it.
    pub async fn set_totp(&self, id: UserId, secret: Option<&str>, enabled: bool) -> Result<()> {
        self.update_user(
            id,
            vec![
                ("totp_secret", Value::String(secret.map(str::to_string))),
                ("totp_enabled", Value::Bool(Some(enabled))),
            ],
        )
        .await
    }

    /// Every workspace the user belongs to, with role and state.
    pub async fn memberships_of(&self, user: UserId) -> Result<Vec<Membership>> {
        let mut q = Query::select();
        for c in crate::admin::workspace_columns() {
            q.expr_as(Expr::col(("w", c)), format!("w_{c}"));
        }
        q.column(("m", "role"))
            .column(("m", "deactivated_at"))
            .from_as("memberships", "m")
            .join_as(JoinType::InnerJoin, "workspaces", "w", Expr::col(("w", "id")).equals(("m", "workspace_id")))
            .and_where(Expr::col(("m", "user_id")).eq(uuid(user.uuid())))
            .order_by(("m", "created_at"), Order::Asc);
        let mut conn = self.acquire().await?;
        conn.fetch_all(&q)
            .await?
            .iter()
            .map(|r| {
                Ok(Membership {
                    workspace: decode_workspace(r, "w_")?,
                    role: r.text("role")?.unwrap_or_default(),
                    active: r.datetime("deactivated_at")?.is_none(),
                })
            })
            .collect()
    }

    // ----- sessions -----

    /// Stores a new session under the digest of its secret.
    pub async fn create_session(&self, session: &NewSession<'_>) -> Result<()> {
        let NewSession { id, user, workspace, csrf_token, expires_at, address, user_agent } = *session;
        let stmt = Query::insert()
            .into_table("sessions")
            .columns([
                "id",
                "user_id",
                "workspace_id",
                "csrf_token",
                "created_at",
                "last_seen_at",
                "expires_at",
                "address",
                "user_agent",
            ])
            .values_panic([
                Expr::val(id),
                Expr::val(uuid(user.uuid())),
                Expr::val(uuid(workspace.uuid())),
                Expr::val(csrf_token),
                Expr::val(self.now_value()),
                Expr::val(self.now_value()),
                Expr::val(time(Some(expires_at))),
                Expr::val(Value::String(address.map(str::to_string))),
                Expr::val(Value::String(user_agent.map(|u| u.chars().take(300).collect()))),
            ])
            .to_owned();
        self.execute_alone(&stmt).await.map(drop)
    }

    /// A live (unrevoked, unexpired) session by the digest of its secret.
    pub async fn session(&self, id: &str) -> Result<Option<SessionRow>> {
        let q = Query::select()
            .columns(["id", "user_id", "workspace_id", "csrf_token", "expires_at", "last_seen_at"])
            .from("sessions")
            .and_where(Expr::col("id").eq(id))
            .and_where(Expr::col("revoked_at").is_null())
            .and_where(Expr::col("expires_at").gt(self.now_value()))
            .to_owned();
        let mut conn = self.acquire().await?;
        let Some(r) = conn.fetch_optional(&q).await? else { return Ok(None) };
        Ok(Some(SessionRow {
            id: r.text("id")?.unwrap_or_default(),
            user: user_id(&r, "user_id")?,
            workspace: workspace_id(&r, "session")?,
            csrf_token: r.text("csrf_token")?.unwrap_or_default(),
            expires_at: r.datetime("expires_at")?.ok_or_else(|| StoreError::Corrupt("session expiry".into()))?,
            last_seen_at: r.datetime("last_seen_at")?.ok_or_else(|| StoreError::Corrupt("session use".into()))?,
        }))
    }

    /// Slides a session's expiry forward (callers throttle this).
    pub async fn touch_session(&self, id: &str, expires_at: DateTime<Utc>) -> Result<()> {
        let stmt = Query::update()
            .table("sessions")
            .values([("last_seen_at", Expr::val(self.now_value())), ("expires_at", Expr::val(time(Some(expires_at))))])
            .and_where(Expr::col("id").eq(id))
            .to_owned();
        self.execute_alone(&stmt).await.map(drop)
    }

    pub async fn set_session_workspace(&self, id: &str, workspace: WorkspaceId) -> Result<()> {
        let stmt = Query::update()
            .table("sessions")
            .value("workspace_id", uuid(workspace.uuid()))
            .and_where(Expr::col("id").eq(id))
            .to_owned();
        self.execute_alone(&stmt).await.map(drop)
    }

    /// Signs out one session.
    pub async fn revoke_session(&self, id: &str) -> Result<()> {
        let stmt = Query::update()
            .table("sessions")
            .value("revoked_at", self.now_value())
            .and_where(Expr::col("id").eq(id))
            .and_where(Expr::col("revoked_at").is_null())
            .to_owned();
        self.execute_alone(&stmt).await.map(drop)
    }

    /// Signs a user out everywhere; returns how many sessions ended.
    pub async fn revoke_sessions_of(&self, user: UserId) -> Result<u64> {
        let stmt = Query::update()
            .table("sessions")
            .value("revoked_at", self.now_value())
            .and_where(Expr::col("user_id").eq(uuid(user.uuid())))
            .and_where(Expr::col("revoked_at").is_null())
            .to_owned();
        self.execute_alone(&stmt).await
    }

    // ----- invitations and password resets -----

    pub async fn invitation_by_token(&self, token_hash: &str) -> Result<Option<Invitation>> {
        let q = Query::select()
            .columns(["id", "workspace_id", "email", "role", "expires_at", "accepted_at"])
            .from("invitations")
            .and_where(Expr::col("token_hash").eq(token_hash))
            .to_owned();
        let mut conn = self.acquire().await?;
        let Some(r) = conn.fetch_optional(&q).await? else { return Ok(None) };
        Ok(Some(Invitation {
            id: r.id_text("id")?.unwrap_or_default(),
            workspace: workspace_id(&r, "invitation")?,
            email: r.text("email")?.unwrap_or_default(),
            role: r.text("role")?.unwrap_or_default(),
            expires_at: r.datetime("expires_at")?.ok_or_else(|| StoreError::Corrupt("invitation expiry".into()))?,
            accepted_at: r.datetime("accepted_at")?,
        }))
    }

    /// Marks an invitation used; false when it was used already (a race).
    pub async fn accept_invitation(&self, id: &str) -> Result<bool> {
        let stmt = Query::update()
            .table("invitations")
            .value("accepted_at", self.now_value())
            .and_where(Expr::col("id").eq(id_text(id)))
            .and_where(Expr::col("accepted_at").is_null())
            .to_owned();
        Ok(self.execute_alone(&stmt).await? == 1)
    }

    pub async fn create_password_reset(&self, token_hash: &str, user: UserId, expires_at: DateTime<Utc>) -> Result<()> {
        let stmt = Query::insert()
            .into_table("password_resets")
            .columns(["token_hash", "user_id", "created_at", "expires_at"])
            .values_panic([
                Expr::val(token_hash),
                Expr::val(uuid(user.uuid())),
                Expr::val(self.now_value()),
                Expr::val(time(Some(expires_at))),
            ])
            .to_owned();
        self.execute_alone(&stmt).await.map(drop)
    }

    /// The user a valid, unused reset token is for, without using it up.
    pub async fn password_reset_user(&self, token_hash: &str) -> Result<Option<UserId>> {
        let q = Query::select()
            .column("user_id")
            .from("password_resets")
            .and_where(Expr::col("token_hash").eq(token_hash))
            .and_where(Expr::col("used_at").is_null())
            .and_where(Expr::col("expires_at").gt(self.now_value()))
            .to_owned();
        let mut conn = self.acquire().await?;
        conn.fetch_optional(&q).await?.map(|r| user_id(&r, "user_id")).transpose()
    }

    /// Uses up a reset token: the user it was for, if it is valid and unused.
    pub async fn consume_password_reset(&self, token_hash: &str) -> Result<Option<UserId>> {
        let q = Query::select()
            .column("user_id")
            .from("password_resets")
            .and_where(Expr::col("token_hash").eq(token_hash))
            .and_where(Expr::col("used_at").is_null())
            .and_where(Expr::col("expires_at").gt(self.now_value()))
            .to_owned();
        let mut conn = self.begin().await?;
        let Some(row) = conn.fetch_optional(&q).await? else { return Ok(None) };
        let user = user_id(&row, "user_id")?;
        let stmt = Query::update()
            .table("password_resets")
            .value("used_at", self.now_value())
            .and_where(Expr::col("token_hash").eq(token_hash))
            .and_where(Expr::col("used_at").is_null())
            .to_owned();
        if conn.execute(&stmt).await? != 1 {
            return Ok(None);
        }
        conn.commit().await?;
        Ok(Some(user))
    }

    // ----- sign-in throttling -----

    pub async fn throttle_state(&self, key: &str) -> Result<Option<(i64, DateTime<Utc>, Option<DateTime<Utc>>)>> {
        let q = Query::select()
            .columns(["failures", "first_failure_at", "locked_until"])
            .from("sign_in_throttle")
            .and_where(Expr::col("throttle_key").eq(key))
            .to_owned();
        let mut conn = self.acquire().await?;
        let Some(r) = conn.fetch_optional(&q).await? else { return Ok(None) };
        Ok(Some((
            r.int("failures")?.unwrap_or(0),
            r.datetime("first_failure_at")?.unwrap_or_else(Utc::now),
            r.datetime("locked_until")?,
        )))
    }

    pub async fn put_throttle_state(
        &self,
        key: &str,
        failures: i64,
        first_failure_at: DateTime<Utc>,
        locked_until: Option<DateTime<Utc>>,
    ) -> Result<()> {
        let stmt = Query::insert()
            .into_table("sign_in_throttle")
            .columns(["throttle_key", "failures", "first_failure_at", "locked_until"])
            .values_panic([
                Expr::val(key),
                Expr::val(failures),
                Expr::val(time(Some(first_failure_at))),
                Expr::val(time(locked_until)),
            ])
            .on_conflict(
                OnConflict::column("throttle_key")
                    .update_columns(["failures", "first_failure_at", "locked_until"])
                    .to_owned(),
            )
            .to_owned();
        self.execute_alone(&stmt).await.map(drop)
    }

    pub async fn clear_throttle(&self, keys: &[String]) -> Result<()> {
        let stmt = Query::delete()
            .from_table("sign_in_throttle")
            .and_where(Expr::col("throttle_key").is_in(keys.iter().cloned()))
            .to_owned();
        self.execute_alone(&stmt).await.map(drop)
    }
}

impl ScopedConn {
    /// The user's role and state in this workspace.
    pub async fn membership(&mut self, user: UserId) -> Result<Option<(String, bool)>> {
        let q = Query::select()
            .columns(["role", "deactivated_at"])
            .from("memberships")
            .and_where(in_workspace(self.workspace))
            .and_where(Expr::col("user_id").eq(uuid(user.uuid())))
            .to_owned();
        let Some(r) = self.conn.fetch_optional(&q).await? else { return Ok(None) };
        Ok(Some((r.text("role")?.unwrap_or_default(), r.datetime("deactivated_at")?.is_none())))
    }

    /// Adds a member (who must not be one yet).
    pub async fn insert_membership(&mut self, user: UserId, role: &str) -> Result<()> {
        let stmt = Query::insert()
            .into_table("memberships")
            .columns(["workspace_id", "user_id", "role", "created_at"])
            .values_panic([
                Expr::val(uuid(self.workspace.uuid())),
                Expr::val(uuid(user.uuid())),
                Expr::val(role),
                Expr::val(self.now_value()),
            ])
            .to_owned();
        self.conn.execute(&stmt).await?;
        Ok(())
    }

    async fn update_membership(&mut self, user: UserId, column: &'static str, value: Value) -> Result<()> {
        let stmt = Query::update()
            .table("memberships")
            .value(column, value)
            .and_where(in_workspace(self.workspace))
            .and_where(Expr::col("user_id").eq(uuid(user.uuid())))
            .to_owned();
        if self.conn.execute(&stmt).await? == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    pub async fn set_member_role(&mut self, user: UserId, role: &str) -> Result<()> {
        self.update_membership(user, "role", Value::String(Some(role.to_string()))).await
    }

    /// Deactivates (or reactivates) a member; their records stay.
    pub async fn set_member_active(&mut self, user: UserId, active: bool) -> Result<()> {
        self.update_membership(user, "deactivated_at", time((!active).then(Utc::now))).await
    }

    /// Members with their roles and state, by email.
    pub async fn member_list(&mut self) -> Result<Vec<Member>> {
        self.members_where(None).await
    }

    /// The names of the members among `ids` (ids as text), for showing who
    /// owns what: only those asked for are read, however many members the
    /// workspace has.
    pub async fn member_names(&mut self, ids: &[String]) -> Result<Vec<(uuid::Uuid, String)>> {
        let mut found = Vec::new();
        for chunk in ids.chunks(500) {
            let q = Query::select()
                .columns([("u", "id"), ("u", "display_name")])
                .from_as("memberships", "m")
                .join_as(JoinType::InnerJoin, "users", "u", Expr::col(("u", "id")).equals(("m", "user_id")))
                .and_where(Expr::col(("m", "workspace_id")).eq(uuid(self.workspace.uuid())))
                .and_where(Expr::col(("m", "user_id")).is_in(chunk.iter().map(|i| crate::sql::id_text(i))))
                .to_owned();
            for row in self.conn.fetch_all(&q).await? {
                found.push((row.uuid("id")?.unwrap_or_default(), row.text("display_name")?.unwrap_or_default()));
            }
        }
        Ok(found)
    }

    /// The language and time zone a member of this workspace chose, each
    /// falling back to the workspace's default (`None`: neither chose).
    pub async fn member_locale(&mut self, user: UserId) -> Result<(Option<String>, Option<String>)> {
        let q = Query::select()
            .expr_as(Expr::cust("COALESCE(u.language, w.language)"), "language")
            .expr_as(Expr::cust("COALESCE(u.time_zone, w.time_zone)"), "time_zone")
            .from_as("memberships", "m")
            .join_as(JoinType::InnerJoin, "users", "u", Expr::col(("u", "id")).equals(("m", "user_id")))
            .join_as(JoinType::InnerJoin, "workspaces", "w", Expr::col(("w", "id")).equals(("m", "workspace_id")))
            .and_where(Expr::col(("m", "workspace_id")).eq(uuid(self.workspace.uuid())))
            .and_where(Expr::col(("m", "user_id")).eq(uuid(user.uuid())))
            .to_owned();
        match self.conn.fetch_optional(&q).await? {
            Some(row) => Ok((row.text("language")?, row.text("time_zone")?)),
            None => Ok((None, None)),
        }
    }

    /// One member of this workspace.
    pub async fn member(&mut self, user: UserId) -> Result<Option<Member>> {
        Ok(self.members_where(Some(user)).await?.pop())
    }

    async fn members_where(&mut self, user: Option<UserId>) -> Result<Vec<Member>> {
        let mut q = Query::select()
            .columns([("u", "id"), ("u", "email"), ("u", "display_name")])
            .columns([("m", "role"), ("m", "deactivated_at"), ("m", "created_at")])
            .from_as("memberships", "m")
            .join_as(JoinType::InnerJoin, "users", "u", Expr::col(("u", "id")).equals(("m", "user_id")))
            .and_where(Expr::col(("m", "workspace_id")).eq(uuid(self.workspace.uuid())))
            .order_by(("u", "email"), Order::Asc)
            .to_owned();
        if let Some(user) = user {
            q.and_where(Expr::col(("m", "user_id")).eq(uuid(user.uuid())));
        }
        self.conn
            .fetch_all(&q)
            .await?
            .iter()
            .map(|r| {
                Ok(Member {
                    user: User {
                        id: user_id(r, "id")?,
                        email: r.text("email")?.unwrap_or_default(),
                        display_name: r.text("display_name")?.unwrap_or_default(),
                    },
                    role: r.text("role")?.unwrap_or_default(),
                    active: r.datetime("deactivated_at")?.is_none(),
                    joined_at: r.datetime("created_at")?.unwrap_or_else(Utc::now),
                })
            })
            .collect()
    }

    /// Members holding `role` (only active ones when `active_only`).
    pub async fn count_with_role(&mut self, role: &str, active_only: bool) -> Result<i64> {
        let mut q = Query::select()
            .expr_as(Expr::col("user_id").count(), "n")
            .from("memberships")
            .and_where(in_workspace(self.workspace))
            .and_where(Expr::col("role").eq(role))
            .to_owned();
        if active_only {
            q.and_where(Expr::col("deactivated_at").is_null());
        }
        Ok(self.conn.fetch_optional(&q).await?.map(|r| r.int("n")).transpose()?.flatten().unwrap_or(0))
    }

    // ----- teams -----

    pub async fn create_team(&mut self, name: &str) -> Result<Team> {
        let team = Team { id: uuid::Uuid::now_v7().to_string(), name: name.to_string(), created_at: self.now() };
        let stmt = Query::insert()
            .into_table("teams")
            .columns(["id", "workspace_id", "name", "created_at"])
            .values_panic([
                Expr::val(id_text(&team.id)),
                Expr::val(uuid(self.workspace.uuid())),
                Expr::val(name),
                Expr::val(time(Some(team.created_at))),
            ])
            .to_owned();
        self.conn.execute(&stmt).await?;
        Ok(team)
    }

    pub async fn teams(&mut self) -> Result<Vec<Team>> {
        let q = Query::select()
            .columns(["id", "name", "created_at"])
            .from("teams")
            .and_where(in_workspace(self.workspace))
            .order_by("name", Order::Asc)
            .to_owned();
        self.conn
            .fetch_all(&q)
            .await?
            .iter()
            .map(|r| {
                Ok(Team {
                    id: r.id_text("id")?.unwrap_or_default(),
                    name: r.text("name")?.unwrap_or_default(),
                    created_at: r.datetime("created_at")?.unwrap_or_else(Utc::now),
                })
            })
            .collect()
    }

    pub async fn team(&mut self, id: &str) -> Result<Option<Team>> {
        Ok(self.teams().await?.into_iter().find(|t| t.id == id))
    }

    pub async fn rename_team(&mut self, id: &str, name: &str) -> Result<()> {
        let stmt = Query::update()
            .table("teams")
            .value("name", name)
            .and_where(in_workspace(self.workspace))
            .and_where(Expr::col("id").eq(id_text(id)))
            .to_owned();
        if self.conn.execute(&stmt).await? == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    pub async fn delete_team(&mut self, id: &str) -> Result<()> {
        let members = Query::delete()
            .from_table("team_members")
            .and_where(in_workspace(self.workspace))
            .and_where(Expr::col("team_id").eq(id_text(id)))
            .to_owned();
        self.conn.execute(&members).await?;
        let team = Query::delete()
            .from_table("teams")
            .and_where(in_workspace(self.workspace))
            .and_where(Expr::col("id").eq(id_text(id)))
            .to_owned();
        if self.conn.execute(&team).await? == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Adds a member to a team or changes whether they manage it.
    pub async fn put_team_member(&mut self, team: &str, user: UserId, manager: bool) -> Result<()> {
        let stmt = Query::insert()
            .into_table("team_members")
            .columns(["workspace_id", "team_id", "user_id", "manager"])
            .values_panic([
                Expr::val(uuid(self.workspace.uuid())),
                Expr::val(id_text(team)),
                Expr::val(uuid(user.uuid())),
                Expr::val(manager),
            ])
            .on_conflict(
                OnConflict::columns(["workspace_id", "team_id", "user_id"]).update_column("manager").to_owned(),
            )
            .to_owned();
        self.conn.execute(&stmt).await?;
        Ok(())
    }

    pub async fn remove_team_member(&mut self, team: &str, user: UserId) -> Result<bool> {
        let stmt = Query::delete()
            .from_table("team_members")
            .and_where(in_workspace(self.workspace))
            .and_where(Expr::col("team_id").eq(id_text(team)))
            .and_where(Expr::col("user_id").eq(uuid(user.uuid())))
            .to_owned();
        Ok(self.conn.execute(&stmt).await? > 0)
    }

    /// Memberships of every team: (team id, member).
    pub async fn team_memberships(&mut self) -> Result<Vec<(String, TeamMember)>> {
        let q = Query::select()
            .columns(["team_id", "user_id", "manager"])
            .from("team_members")
            .and_where(in_workspace(self.workspace))
            .to_owned();
        self.conn
            .fetch_all(&q)
            .await?
            .iter()
            .map(|r| {
                Ok((
                    r.id_text("team_id")?.unwrap_or_default(),
                    TeamMember { user: user_id(r, "user_id")?, manager: r.bool("manager")?.unwrap_or(false) },
                ))
            })
            .collect()
    }

    // ----- custom roles -----

    /// Stored role definitions (custom roles and changed built-in ones).
    pub async fn stored_roles(&mut self) -> Result<Vec<(String, serde_json::Value)>> {
        let q = Query::select()
            .columns(["name", "definition"])
            .from("roles")
            .and_where(in_workspace(self.workspace))
            .order_by("name", Order::Asc)
            .to_owned();
        self.conn
            .fetch_all(&q)
            .await?
            .iter()
            .map(|r| Ok((r.text("name")?.unwrap_or_default(), r.json("definition")?.unwrap_or_default())))
            .collect()
    }

    pub async fn put_role(&mut self, name: &str, definition: &serde_json::Value) -> Result<()> {
        let stmt = Query::insert()
            .into_table("roles")
            .columns(["workspace_id", "name", "definition", "updated_at"])
            .values_panic([
                Expr::val(uuid(self.workspace.uuid())),
                Expr::val(name),
                Expr::val(Value::Json(Some(Box::new(definition.clone())))),
                Expr::val(self.now_value()),
            ])
            .on_conflict(
                OnConflict::columns(["workspace_id", "name"]).update_columns(["definition", "updated_at"]).to_owned(),
            )
            .to_owned();
        self.conn.execute(&stmt).await?;
        Ok(())
    }

    pub async fn delete_role(&mut self, name: &str) -> Result<bool> {
        let stmt = Query::delete()
            .from_table("roles")
            .and_where(in_workspace(self.workspace))
            .and_where(Expr::col("name").eq(name))
            .to_owned();
        Ok(self.conn.execute(&stmt).await? > 0)
    }

    // ----- invitations -----

    pub async fn create_invitation(
        &mut self,
        token_hash: &str,
        email: &str,
        role: &str,
        created_by: Option<UserId>,
        expires_at: DateTime<Utc>,
    ) -> Result<String> {
        let id = uuid::Uuid::now_v7().to_string();
        let stmt = Query::insert()
            .into_table("invitations")
            .columns(["id", "token_hash", "workspace_id", "email", "role", "created_by_id", "created_at", "expires_at"])
            .values_panic([
                Expr::val(id_text(&id)),
                Expr::val(token_hash),
                Expr::val(uuid(self.workspace.uuid())),
                Expr::val(email),
                Expr::val(role),
                Expr::val(uuid_opt(created_by.map(|u| u.uuid()))),
                Expr::val(self.now_value()),
                Expr::val(time(Some(expires_at))),
            ])
            .to_owned();
        self.conn.execute(&stmt).await?;
        Ok(id)
    }
}

/// A saved list view.
#[derive(Clone, Debug)]
pub struct SavedView {
    pub id: String,
    pub owner: UserId,
    pub name: String,
    /// The list page's query string (filter, q, sort, columns).
    pub query: String,
    pub shared: bool,
}

impl ScopedConn {
    /// The views of `entity` that `viewer` sees: their own, and those shared
    /// by the owners in `colleagues` (the viewer's teams).
    pub async fn saved_views(&mut self, entity: &str, viewer: UserId, colleagues: &[UserId]) -> Result<Vec<SavedView>> {
        let mates: Vec<Value> = colleagues.iter().map(|u| uuid(u.uuid())).collect();
        let q = Query::select()
            .columns(["id", "owner_id", "name", "query", "shared"])
            .from("saved_views")
            .and_where(in_workspace(self.workspace))
            .and_where(Expr::col("entity").eq(entity))
            .cond_where(sea_query::Condition::any().add(Expr::col("owner_id").eq(uuid(viewer.uuid()))).add(
                sea_query::Condition::all().add(Expr::col("shared").eq(true)).add(Expr::col("owner_id").is_in(mates)),
            ))
            .order_by("name", Order::Asc)
            .to_owned();
        self.conn
            .fetch_all(&q)
            .await?
            .iter()
            .map(|r| {
                Ok(SavedView {
                    id: r.id_text("id")?.unwrap_or_default(),
                    owner: user_id(r, "owner_id")?,
                    name: r.text("name")?.unwrap_or_default(),
                    query: r.text("query")?.unwrap_or_default(),
                    shared: r.bool("shared")?.unwrap_or(false),
                })
            })
            .collect()
    }

    pub async fn insert_saved_view(&mut self, entity: &str, view: &SavedView) -> Result<()> {
        let stmt = Query::insert()
            .into_table("saved_views")
            .columns(["id", "workspace_id", "owner_id", "entity", "name", "query", "shared", "created_at"])
            .values_panic([
                Expr::val(id_text(&view.id)),
                Expr::val(uuid(self.workspace.uuid())),
                Expr::val(uuid(view.owner.uuid())),
                Expr::val(entity),
                Expr::val(view.name.clone()),
                Expr::val(view.query.clone()),
                Expr::val(view.shared),
                Expr::val(self.now_value()),
            ])
            .to_owned();
        self.conn.execute(&stmt).await?;
        Ok(())
    }

    /// Deletes a view of `owner`; false when there is none.
    pub async fn delete_saved_view(&mut self, id: &str, owner: UserId) -> Result<bool> {
        self.delete_owned("saved_views", id, owner).await
    }

    async fn delete_owned(&mut self, table: &str, id: &str, owner: UserId) -> Result<bool> {
        let stmt = Query::delete()
            .from_table(sea_query::Alias::new(table))
            .and_where(in_workspace(self.workspace))
            .and_where(Expr::col("id").eq(id_text(id)))
            .and_where(Expr::col("owner_id").eq(uuid(owner.uuid())))
            .to_owned();
        Ok(self.conn.execute(&stmt).await? > 0)
    }

    /// The widgets on `owner`'s home page, oldest first.
    pub async fn home_widgets(&mut self, owner: UserId) -> Result<Vec<HomeWidget>> {
        let q = Query::select()
            .columns(["id", "entity", "view_id", "kind", "field"])
            .from("home_widgets")
            .and_where(in_workspace(self.workspace))
            .and_where(Expr::col("owner_id").eq(uuid(owner.uuid())))
            .order_by("created_at", Order::Asc)
            .order_by("id", Order::Asc)
            .to_owned();
        self.conn
            .fetch_all(&q)
            .await?
            .iter()
            .map(|r| {
                Ok(HomeWidget {
                    id: r.id_text("id")?.unwrap_or_default(),
                    owner,
                    entity: r.text("entity")?.unwrap_or_default(),
                    view_id: r.id_text("view_id")?.unwrap_or_default(),
                    kind: r.text("kind")?.unwrap_or_default(),
                    field: r.text("field")?,
                })
            })
            .collect()
    }

    pub async fn insert_home_widget(&mut self, widget: &HomeWidget) -> Result<()> {
        let stmt = Query::insert()
            .into_table("home_widgets")
            .columns(["id", "workspace_id", "owner_id", "entity", "view_id", "kind", "field", "created_at"])
            .values_panic([
                Expr::val(id_text(&widget.id)),
                Expr::val(uuid(self.workspace.uuid())),
                Expr::val(uuid(widget.owner.uuid())),
                Expr::val(widget.entity.clone()),
                Expr::val(id_text(&widget.view_id)),
                Expr::val(widget.kind.clone()),
                Expr::val(Value::String(widget.field.clone())),
                Expr::val(self.now_value()),
            ])
            .to_owned();
        self.conn.execute(&stmt).await?;
        Ok(())
    }

    /// Takes a widget off `owner`'s home page; false when there is none.
    pub async fn delete_home_widget(&mut self, id: &str, owner: UserId) -> Result<bool> {
        self.delete_owned("home_widgets", id, owner).await
    }
}

/// A figure on someone's home page drawn from one of their saved views:
/// `count`, `sum` of a money `field`, or a `chart` grouped by `field`.
#[derive(Clone, Debug, PartialEq)]
pub struct HomeWidget {
    pub id: String,
    pub owner: UserId,
    pub entity: String,
    pub view_id: String,
    pub kind: String,
    pub field: Option<String>,
}
