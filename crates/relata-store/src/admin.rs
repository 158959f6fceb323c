//! Workspaces, users, memberships and API tokens: the server-wide tables that
//! decide which workspace a request is scoped to.
//!
//! API tokens are 256-bit random secrets; only their SHA-256 is stored (a
//! secret with that much entropy needs no slow hash; see
//! `relata_identity::secret`).

use crate::db::{Backend, ScopedConn, Store};
use crate::error::{Result, StoreError};
use crate::sql::{id_text, in_workspace, uuid};
use chrono::{DateTime, Utc};
use relata_core::money::Currency;
use relata_core::{UserId, WorkspaceId};
use relata_identity::secret::{self, SecretKind};
use sea_query::{Expr, ExprTrait, JoinType, Order, PostgresQueryBuilder, Query, SqliteQueryBuilder, Value};

pub const DEFAULT_WORKSPACE_SLUG: &str = "default";

#[derive(Clone, Debug)]
pub struct Workspace {
    pub id: WorkspaceId,
    pub name: String,
    pub slug: String,
    /// Enabled currencies; the first is the default.
    pub currencies: Vec<Currency>,
    /// ISO 3166 region for national phone numbers.
    pub phone_region: Option<String>,
    /// The UI's language for members who chose none (a tag, `pl`).
    pub language: Option<String>,
    /// The time zone times are shown in for members who chose none (IANA).
    pub time_zone: Option<String>,
}

#[derive(Clone, Debug)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
}

/// How a request proved who it is.
#[derive(Clone, Debug)]
pub enum Credential {
    /// An API token: its id, `read` or `read_write`, the entity types it is
    /// limited to (api names; `None`: all).
    Token { id: String, scope: String, entities: Option<Vec<String>>, last_used_at: Option<DateTime<Utc>> },
    /// A signed-in session (cookie or bearer): the digest of its secret and
    /// the CSRF token browser requests must echo.
    Session { id: String, csrf_token: String, expires_at: DateTime<Utc>, last_seen_at: DateTime<Utc> },
}

/// Who a request acts as, resolved from its credentials.
#[derive(Clone, Debug)]
pub struct Principal {
    pub user: UserId,
    pub email: String,
    pub display_name: String,
    pub server_admin: bool,
    pub role: String,
    pub workspace: Workspace,
    pub credential: Credential,
    /// The UI's language the person chose, if any (a tag, `pl`).
    pub language: Option<String>,
    /// The time zone the person chose, if any (IANA).
    pub time_zone: Option<String>,
}

/// An API token as its owner sees it (never the secret).
#[derive(Clone, Debug, serde::Serialize)]
pub struct TokenInfo {
    pub id: String,
    pub user: String,
    pub name: String,
    pub scope: String,
    pub entities: Option<Vec<String>>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A new token: the secret is shown once and never stored.
pub struct IssuedToken {
    pub id: String,
    pub secret: String,
}

fn random_secret() -> Result<String> {
    secret::generate(SecretKind::ApiToken).map_err(|e| StoreError::Corrupt(format!("no randomness: {e}")))
}

fn entities_text(entities: Option<&[String]>) -> Value {
    Value::String(entities.map(|e| e.join(",")))
}

fn entities_list(text: Option<String>) -> Option<Vec<String>> {
    text.map(|t| t.split(',').filter(|e| !e.is_empty()).map(str::to_string).collect())
}

/// The columns [`decode_workspace`] reads (with a prefix when joined).
pub(crate) fn workspace_columns() -> [&'static str; 7] {
    ["id", "name", "slug", "currencies", "phone_region", "language", "time_zone"]
}

pub(crate) fn decode_workspace(row: &crate::db::Row, prefix: &str) -> Result<Workspace> {
    let col = |c: &str| format!("{prefix}{c}");
    let currencies = row.text(&col("currencies"))?.unwrap_or_default().split(',').filter_map(Currency::parse).collect();
    Ok(Workspace {
        id: row
            .uuid(&col("id"))?
            .map(WorkspaceId::from_uuid)
            .ok_or_else(|| StoreError::Corrupt("workspace id".into()))?,
        name: row.text(&col("name"))?.unwrap_or_default(),
        slug: row.text(&col("slug"))?.unwrap_or_default(),
        currencies,
        phone_region: row.text(&col("phone_region"))?,
        language: row.text(&col("language"))?,
        time_zone: row.text(&col("time_zone"))?,
    })
}

impl Store {
    /// Creates a workspace. Slugs are lower-case, unique and stable.
    pub async fn create_workspace(
        &self,
        name: &str,
        slug: &str,
        currencies: &[Currency],
        phone_region: Option<&str>,
    ) -> Result<Workspace> {
        let ws = Workspace {
            id: WorkspaceId::new(),
            name: name.to_string(),
            slug: slug.to_string(),
            currencies: currencies.to_vec(),
            phone_region: phone_region.map(str::to_string),
            language: None,
            time_zone: None,
        };
        let codes: Vec<&str> = currencies.iter().map(|c| c.code()).collect();
        let stmt = Query::insert()
            .into_table("workspaces")
            .columns(["id", "name", "slug", "currencies", "phone_region", "created_at"])
            .values_panic([
                Expr::val(uuid(ws.id.uuid())),
                Expr::val(name),
                Expr::val(slug),
                Expr::val(codes.join(",")),
                Expr::val(Value::String(ws.phone_region.clone())),
                Expr::val(Value::ChronoDateTimeUtc(Some(self.now()))),
            ])
            .to_owned();
        let mut conn = self.begin().await?;
        conn.execute(&stmt).await?;
        conn.commit().await?;
        Ok(ws)
    }

    pub async fn workspace_by_slug(&self, slug: &str) -> Result<Option<Workspace>> {
        let q = Query::select()
            .columns(workspace_columns())
            .from("workspaces")
            .and_where(Expr::col("slug").eq(slug))
            .to_owned();
        let mut conn = self.acquire().await?;
        conn.fetch_optional(&q).await?.map(|r| decode_workspace(&r, "")).transpose()
    }

    pub async fn workspaces(&self) -> Result<Vec<Workspace>> {
        let q = Query::select()
            .columns(workspace_columns())
            .from("workspaces")
            .order_by("created_at", Order::Asc)
            .to_owned();
        let mut conn = self.acquire().await?;
        conn.fetch_all(&q).await?.iter().map(|r| decode_workspace(r, "")).collect()
    }

    /// The default workspace, created on first start.
    pub async fn ensure_default_workspace(&self) -> Result<Workspace> {
        if let Some(ws) = self.workspace_by_slug(DEFAULT_WORKSPACE_SLUG).await? {
            return Ok(ws);
        }
        let eur = Currency::parse("EUR").expect("known");
        let usd = Currency::parse("USD").expect("known");
        let pln = Currency::parse("PLN").expect("known");
        match self.create_workspace("Default workspace", DEFAULT_WORKSPACE_SLUG, &[eur, usd, pln], None).await {
            Ok(ws) => Ok(ws),
            // Another process created it first.
            Err(e) if e.is_unique_violation() => {
                self.workspace_by_slug(DEFAULT_WORKSPACE_SLUG).await?.ok_or(StoreError::NotFound)
            }
            Err(e) => Err(e),
        }
    }

    /// Finds a user by email or creates one.
    pub async fn ensure_user(&self, email: &str, display_name: &str) -> Result<User> {
        let email = email.trim().to_lowercase();
        let email = email.as_str();
        let q = Query::select()
            .columns(["id", "email", "display_name"])
            .from("users")
            .and_where(Expr::col("email").eq(email))
            .to_owned();
        let mut conn = self.begin().await?;
        if let Some(r) = conn.fetch_optional(&q).await? {
            return Ok(User {
                id: r.uuid("id")?.map(UserId::from_uuid).ok_or_else(|| StoreError::Corrupt("user id".into()))?,
                email: r.text("email")?.unwrap_or_default(),
                display_name: r.text("display_name")?.unwrap_or_default(),
            });
        }
        let user = User { id: UserId::new(), email: email.to_string(), display_name: display_name.to_string() };
        let stmt = Query::insert()
            .into_table("users")
            .columns(["id", "email", "display_name", "created_at"])
            .values_panic([
                Expr::val(uuid(user.id.uuid())),
                Expr::val(email),
                Expr::val(display_name),
                Expr::val(Value::ChronoDateTimeUtc(Some(self.now()))),
            ])
            .to_owned();
        conn.execute(&stmt).await?;
        conn.commit().await?;
        Ok(user)
    }

    /// Makes `user` a member of `workspace` with `role` (idempotent).
    pub async fn add_membership(&self, workspace: WorkspaceId, user: UserId, role: &str) -> Result<()> {
        let mut conn = self.write(workspace).await?;
        if conn.is_member(user).await? {
            return Ok(());
        }
        let stmt = Query::insert()
            .into_table("memberships")
            .columns(["workspace_id", "user_id", "role", "created_at"])
            .values_panic([
                Expr::val(uuid(workspace.uuid())),
                Expr::val(uuid(user.uuid())),
                Expr::val(role),
                Expr::val(Value::ChronoDateTimeUtc(Some(self.now()))),
            ])
            .to_owned();
        conn.conn.execute(&stmt).await?;
        conn.commit().await
    }

    /// Issues a token acting as `user` in `workspace`, limited to `entities`
    /// (api names) when given.
    pub async fn create_token(
        &self,
        workspace: WorkspaceId,
        user: UserId,
        name: &str,
        scope: &str,
    ) -> Result<IssuedToken> {
        self.create_limited_token(workspace, user, name, scope, None, None).await
    }

    pub async fn create_limited_token(
        &self,
        workspace: WorkspaceId,
        user: UserId,
        name: &str,
        scope: &str,
        entities: Option<&[String]>,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<IssuedToken> {
        let token_secret = random_secret()?;
        let id = uuid::Uuid::now_v7().to_string();
        let stmt = Query::insert()
            .into_table("api_tokens")
            .columns([
                "id",
                "workspace_id",
                "user_id",
                "name",
                "token_hash",
                "scope",
                "created_at",
                "entities",
                "expires_at",
            ])
            .values_panic([
                Expr::val(id_text(&id)),
                Expr::val(uuid(workspace.uuid())),
                Expr::val(uuid(user.uuid())),
                Expr::val(name),
                Expr::val(secret::digest(&token_secret)),
                Expr::val(scope),
                Expr::val(Value::ChronoDateTimeUtc(Some(self.now()))),
                Expr::val(entities_text(entities)),
                Expr::val(Value::ChronoDateTimeUtc(expires_at)),
            ])
            .to_owned();
        let mut conn = self.begin().await?;
        conn.execute(&stmt).await?;
        conn.commit().await?;
        Ok(IssuedToken { id, secret: token_secret })
    }

    /// A person's own language and time zone for the UI (`None`: the
    /// browser's and the workspace's). The caller has checked them.
    pub async fn set_user_preferences(
        &self,
        user: UserId,
        language: Option<&str>,
        time_zone: Option<&str>,
    ) -> Result<()> {
        self.set_locale("users", user.uuid(), language, time_zone).await
    }

    /// A workspace's default language and time zone for members who chose
    /// none. The caller has checked them.
    pub async fn set_workspace_locale(
        &self,
        workspace: WorkspaceId,
        language: Option<&str>,
        time_zone: Option<&str>,
    ) -> Result<()> {
        self.set_locale("workspaces", workspace.uuid(), language, time_zone).await
    }

    /// Sets `language` and `time_zone` of the row `id` of `table`.
    async fn set_locale(
        &self,
        table: &'static str,
        id: uuid::Uuid,
        language: Option<&str>,
        time_zone: Option<&str>,
    ) -> Result<()> {
        let stmt = Query::update()
            .table(table)
            .value("language", Value::String(language.map(str::to_string)))
            .value("time_zone", Value::String(time_zone.map(str::to_string)))
            .and_where(Expr::col("id").eq(uuid(id)))
            .to_owned();
        self.execute_alone(&stmt).await.map(drop)
    }

    /// The principal of a user in a workspace, if they are an active member.
    fn principal_query(
        workspace_column: (&'static str, &'static str),
        user_column: (&'static str, &'static str),
    ) -> sea_query::SelectStatement {
        let mut q = Query::select();
        for c in workspace_columns() {
            q.expr_as(Expr::col(("w", c)), format!("w_{c}"));
        }
        q.expr_as(Expr::col(("u", "id")), "user_id")
            .expr_as(Expr::col(("u", "email")), "email")
            .expr_as(Expr::col(("u", "display_name")), "display_name")
            .expr_as(Expr::col(("u", "server_admin")), "server_admin")
            .expr_as(Expr::col(("m", "role")), "role")
            .expr_as(Expr::col(("u", "language")), "language")
            .expr_as(Expr::col(("u", "time_zone")), "time_zone")
            .join_as(JoinType::InnerJoin, "workspaces", "w", Expr::col(("w", "id")).equals(workspace_column))
            .join_as(JoinType::InnerJoin, "users", "u", Expr::col(("u", "id")).equals(user_column))
            .join_as(
                JoinType::InnerJoin,
                "memberships",
                "m",
                Expr::col(("m", "workspace_id"))
                    .equals(workspace_column)
                    .and(Expr::col(("m", "user_id")).equals(user_column)),
            )
            .and_where(Expr::col(("m", "deactivated_at")).is_null())
            .to_owned()
    }

    fn decode_principal(row: &crate::db::Row, credential: Credential) -> Result<Principal> {
        Ok(Principal {
            user: row
                .uuid("user_id")?
                .map(UserId::from_uuid)
                .ok_or_else(|| StoreError::Corrupt("principal user".into()))?,
            email: row.text("email")?.unwrap_or_default(),
            display_name: row.text("display_name")?.unwrap_or_default(),
            server_admin: row.bool("server_admin")?.unwrap_or(false),
            role: row.text("role")?.unwrap_or_default(),
            workspace: decode_workspace(row, "w_")?,
            credential,
            language: row.text("language")?,
            time_zone: row.text("time_zone")?,
        })
    }

    /// The principal a token secret stands for, if the token is valid and
    /// unexpired and its user is still an active member of the workspace.
    pub async fn authenticate_token(&self, secret_text: &str) -> Result<Option<Principal>> {
        let mut q = Self::principal_query(("t", "workspace_id"), ("t", "user_id"));
        q.expr_as(Expr::col(("t", "id")), "token_id")
            .expr_as(Expr::col(("t", "scope")), "scope")
            .expr_as(Expr::col(("t", "entities")), "entities")
            .expr_as(Expr::col(("t", "last_used_at")), "last_used_at")
            .from_as("api_tokens", "t")
            .and_where(Expr::col(("t", "token_hash")).eq(secret::digest(secret_text)))
            .and_where(Expr::col(("t", "revoked_at")).is_null())
            .cond_where(
                sea_query::Condition::any()
                    .add(Expr::col(("t", "expires_at")).is_null())
                    .add(Expr::col(("t", "expires_at")).gt(Value::ChronoDateTimeUtc(Some(self.now())))),
            );
        let mut conn = self.acquire().await?;
        let Some(row) = conn.fetch_optional(&q).await? else {
            return Ok(None);
        };
        let credential = Credential::Token {
            id: row.id_text("token_id")?.unwrap_or_default(),
            scope: row.text("scope")?.unwrap_or_default(),
            entities: entities_list(row.text("entities")?),
            last_used_at: row.datetime("last_used_at")?,
        };
        Self::decode_principal(&row, credential).map(Some)
    }

    /// The principal of a live session whose secret has this digest.
    pub async fn authenticate_session(&self, session_id: &str) -> Result<Option<Principal>> {
        let Some(session) = self.session(session_id).await? else { return Ok(None) };
        let mut q = Self::principal_query(("s", "workspace_id"), ("s", "user_id"));
        q.from_as("sessions", "s").and_where(Expr::col(("s", "id")).eq(session_id));
        let mut conn = self.acquire().await?;
        let Some(row) = conn.fetch_optional(&q).await? else {
            return Ok(None);
        };
        let credential = Credential::Session {
            id: session.id,
            csrf_token: session.csrf_token,
            expires_at: session.expires_at,
            last_seen_at: session.last_seen_at,
        };
        Self::decode_principal(&row, credential).map(Some)
    }

    /// Records that a token was used (callers throttle this).
    pub async fn touch_token(&self, token_id: &str) -> Result<()> {
        let stmt = Query::update()
            .table("api_tokens")
            .value("last_used_at", Value::ChronoDateTimeUtc(Some(self.now())))
            .and_where(Expr::col("id").eq(id_text(token_id)))
            .to_owned();
        self.execute_alone(&stmt).await.map(drop)
    }

    /// The SQL text of a statement for this backend (diagnostics and tests).
    pub fn sql_text(&self, q: &sea_query::SelectStatement) -> String {
        match self.backend() {
            Backend::Sqlite => q.to_string(SqliteQueryBuilder),
            Backend::Postgres => q.to_string(PostgresQueryBuilder),
        }
    }
}

impl ScopedConn {
    /// The workspace's API tokens, or one user's.
    pub async fn tokens(&mut self, user: Option<UserId>) -> Result<Vec<TokenInfo>> {
        let mut q = Query::select();
        q.columns([
            "id",
            "user_id",
            "name",
            "scope",
            "entities",
            "created_at",
            "last_used_at",
            "expires_at",
            "revoked_at",
        ])
        .from("api_tokens")
        .and_where(in_workspace(self.workspace))
        .order_by("created_at", Order::Desc);
        if let Some(user) = user {
            q.and_where(Expr::col("user_id").eq(uuid(user.uuid())));
        }
        self.conn
            .fetch_all(&q)
            .await?
            .iter()
            .map(|r| {
                Ok(TokenInfo {
                    id: r.id_text("id")?.unwrap_or_default(),
                    user: r.id_text("user_id")?.unwrap_or_default(),
                    name: r.text("name")?.unwrap_or_default(),
                    scope: r.text("scope")?.unwrap_or_default(),
                    entities: entities_list(r.text("entities")?),
                    created_at: r.datetime("created_at")?.unwrap_or_else(Utc::now),
                    last_used_at: r.datetime("last_used_at")?,
                    expires_at: r.datetime("expires_at")?,
                    revoked_at: r.datetime("revoked_at")?,
                })
            })
            .collect()
    }

    /// Revokes a token of this workspace (of `user` only, when given).
    pub async fn revoke_token(&mut self, id: &str, user: Option<UserId>) -> Result<bool> {
        let mut stmt = Query::update();
        stmt.table("api_tokens")
            .value("revoked_at", Value::ChronoDateTimeUtc(Some(self.now())))
            .and_where(in_workspace(self.workspace))
            .and_where(Expr::col("id").eq(id_text(id)))
            .and_where(Expr::col("revoked_at").is_null());
        if let Some(user) = user {
            stmt.and_where(Expr::col("user_id").eq(uuid(user.uuid())));
        }
        Ok(self.conn.execute(&stmt).await? > 0)
    }

    /// Revokes every token of a user in this workspace (deactivation).
    pub async fn revoke_tokens_of(&mut self, user: UserId) -> Result<u64> {
        let stmt = Query::update()
            .table("api_tokens")
            .value("revoked_at", Value::ChronoDateTimeUtc(Some(self.now())))
            .and_where(in_workspace(self.workspace))
            .and_where(Expr::col("user_id").eq(uuid(user.uuid())))
            .and_where(Expr::col("revoked_at").is_null())
            .to_owned();
        self.conn.execute(&stmt).await
    }

    pub async fn is_member(&mut self, user: UserId) -> Result<bool> {
        let q = Query::select()
            .expr(Expr::val(1))
            .from("memberships")
            .and_where(in_workspace(self.workspace))
            .and_where(Expr::col("user_id").eq(uuid(user.uuid())))
            .to_owned();
        Ok(self.conn.fetch_optional(&q).await?.is_some())
    }

    /// Members of the workspace with their roles.
    pub async fn members(&mut self) -> Result<Vec<(User, String)>> {
        let q = Query::select()
            .columns([("u", "id"), ("u", "email"), ("u", "display_name")])
            .column(("m", "role"))
            .from_as("memberships", "m")
            .join_as(JoinType::InnerJoin, "users", "u", Expr::col(("u", "id")).equals(("m", "user_id")))
            .and_where(Expr::col(("m", "workspace_id")).eq(uuid(self.workspace.uuid())))
            .order_by(("u", "email"), Order::Asc)
            .to_owned();
        let rows = self.conn.fetch_all(&q).await?;
        rows.iter()
            .map(|r| {
                Ok((
                    User {
                        id: r.uuid("id")?.map(UserId::from_uuid).ok_or_else(|| StoreError::Corrupt("user".into()))?,
                        email: r.text("email")?.unwrap_or_default(),
                        display_name: r.text("display_name")?.unwrap_or_default(),
                    },
                    r.text("role")?.unwrap_or_default(),
                ))
            })
            .collect()
    }
}
