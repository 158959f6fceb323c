//! Workspaces, users, memberships and API tokens: the server-wide tables that
//! decide which workspace a request is scoped to.
//!
//! API tokens are 256-bit random secrets; only their SHA-256 is stored (a
//! secret with that much entropy needs no slow hash; passwords will use
//! Argon2id).

use crate::db::{Backend, ScopedConn, Store};
use crate::error::{Result, StoreError};
use crate::sql::in_workspace;
use chrono::{DateTime, Utc};
use relata_core::money::Currency;
use relata_core::{UserId, WorkspaceId};
use sea_query::{Expr, ExprTrait, JoinType, Order, PostgresQueryBuilder, Query, SqliteQueryBuilder, Value};
use sha2::{Digest, Sha256};

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
}

#[derive(Clone, Debug)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
}

/// Who a request acts as, resolved from its credentials.
#[derive(Clone, Debug)]
pub struct Principal {
    pub user: UserId,
    pub token_id: String,
    pub scope: String,
    pub role: String,
    pub workspace: Workspace,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A new token: the secret is shown once and never stored.
pub struct IssuedToken {
    pub id: String,
    pub secret: String,
}

pub fn hash_token(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn random_secret() -> Result<String> {
    let mut buf = [0u8; 32];
    getrandom::fill(&mut buf).map_err(|e| StoreError::Corrupt(format!("no randomness: {e}")))?;
    Ok(format!("rlt_{}", hex(&buf)))
}

fn workspace_columns() -> [&'static str; 5] {
    ["id", "name", "slug", "currencies", "phone_region"]
}

fn decode_workspace(row: &crate::db::Row, prefix: &str) -> Result<Workspace> {
    let col = |c: &str| format!("{prefix}{c}");
    let currencies = row.text(&col("currencies"))?.unwrap_or_default().split(',').filter_map(Currency::parse).collect();
    Ok(Workspace {
        id: row
            .text(&col("id"))?
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| StoreError::Corrupt("workspace id".into()))?,
        name: row.text(&col("name"))?.unwrap_or_default(),
        slug: row.text(&col("slug"))?.unwrap_or_default(),
        currencies,
        phone_region: row.text(&col("phone_region"))?,
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
        };
        let codes: Vec<&str> = currencies.iter().map(|c| c.code()).collect();
        let stmt = Query::insert()
            .into_table("workspaces")
            .columns(["id", "name", "slug", "currencies", "phone_region", "created_at"])
            .values_panic([
                Expr::val(ws.id.to_string()),
                Expr::val(name),
                Expr::val(slug),
                Expr::val(codes.join(",")),
                Expr::val(Value::String(ws.phone_region.clone())),
                Expr::val(Value::ChronoDateTimeUtc(Some(Utc::now()))),
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
        let q = Query::select()
            .columns(["id", "email", "display_name"])
            .from("users")
            .and_where(Expr::col("email").eq(email))
            .to_owned();
        let mut conn = self.begin().await?;
        if let Some(r) = conn.fetch_optional(&q).await? {
            return Ok(User {
                id: r.text("id")?.and_then(|s| s.parse().ok()).ok_or_else(|| StoreError::Corrupt("user id".into()))?,
                email: r.text("email")?.unwrap_or_default(),
                display_name: r.text("display_name")?.unwrap_or_default(),
            });
        }
        let user = User { id: UserId::new(), email: email.to_string(), display_name: display_name.to_string() };
        let stmt = Query::insert()
            .into_table("users")
            .columns(["id", "email", "display_name", "created_at"])
            .values_panic([
                Expr::val(user.id.to_string()),
                Expr::val(email),
                Expr::val(display_name),
                Expr::val(Value::ChronoDateTimeUtc(Some(Utc::now()))),
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
                Expr::val(workspace.to_string()),
                Expr::val(user.to_string()),
                Expr::val(role),
                Expr::val(Value::ChronoDateTimeUtc(Some(Utc::now()))),
            ])
            .to_owned();
        conn.conn.execute(&stmt).await?;
        conn.commit().await
    }

    /// Issues a token acting as `user` in `workspace`.
    pub async fn create_token(
        &self,
        workspace: WorkspaceId,
        user: UserId,
        name: &str,
        scope: &str,
    ) -> Result<IssuedToken> {
        let secret = random_secret()?;
        let id = uuid::Uuid::now_v7().to_string();
        let stmt = Query::insert()
            .into_table("api_tokens")
            .columns(["id", "workspace_id", "user_id", "name", "token_hash", "scope", "created_at"])
            .values_panic([
                Expr::val(id.clone()),
                Expr::val(workspace.to_string()),
                Expr::val(user.to_string()),
                Expr::val(name),
                Expr::val(hash_token(&secret)),
                Expr::val(scope),
                Expr::val(Value::ChronoDateTimeUtc(Some(Utc::now()))),
            ])
            .to_owned();
        let mut conn = self.begin().await?;
        conn.execute(&stmt).await?;
        conn.commit().await?;
        Ok(IssuedToken { id, secret })
    }

    /// The principal a token secret stands for, if the token is valid and
    /// its user still belongs to the workspace.
    pub async fn authenticate_token(&self, secret: &str) -> Result<Option<Principal>> {
        let q = Query::select()
            .expr_as(Expr::col(("t", "id")), "token_id")
            .expr_as(Expr::col(("t", "user_id")), "user_id")
            .expr_as(Expr::col(("t", "scope")), "scope")
            .expr_as(Expr::col(("t", "last_used_at")), "last_used_at")
            .expr_as(Expr::col(("m", "role")), "role")
            .expr_as(Expr::col(("w", "id")), "w_id")
            .expr_as(Expr::col(("w", "name")), "w_name")
            .expr_as(Expr::col(("w", "slug")), "w_slug")
            .expr_as(Expr::col(("w", "currencies")), "w_currencies")
            .expr_as(Expr::col(("w", "phone_region")), "w_phone_region")
            .from_as("api_tokens", "t")
            .join_as(JoinType::InnerJoin, "workspaces", "w", Expr::col(("w", "id")).equals(("t", "workspace_id")))
            .join_as(
                JoinType::InnerJoin,
                "memberships",
                "m",
                Expr::col(("m", "workspace_id"))
                    .equals(("t", "workspace_id"))
                    .and(Expr::col(("m", "user_id")).equals(("t", "user_id"))),
            )
            .and_where(Expr::col(("t", "token_hash")).eq(hash_token(secret)))
            .and_where(Expr::col(("t", "revoked_at")).is_null())
            .to_owned();
        let mut conn = self.acquire().await?;
        let Some(row) = conn.fetch_optional(&q).await? else {
            return Ok(None);
        };
        Ok(Some(Principal {
            user: row
                .text("user_id")?
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| StoreError::Corrupt("token user".into()))?,
            token_id: row.text("token_id")?.unwrap_or_default(),
            scope: row.text("scope")?.unwrap_or_default(),
            role: row.text("role")?.unwrap_or_default(),
            workspace: decode_workspace(&row, "w_")?,
            last_used_at: row.datetime("last_used_at")?,
        }))
    }

    /// Records that a token was used (callers throttle this).
    pub async fn touch_token(&self, token_id: &str) -> Result<()> {
        let stmt = Query::update()
            .table("api_tokens")
            .value("last_used_at", Value::ChronoDateTimeUtc(Some(Utc::now())))
            .and_where(Expr::col("id").eq(token_id))
            .to_owned();
        let mut conn = self.begin().await?;
        conn.execute(&stmt).await?;
        conn.commit().await
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
    pub async fn is_member(&mut self, user: UserId) -> Result<bool> {
        let q = Query::select()
            .expr(Expr::val(1))
            .from("memberships")
            .and_where(in_workspace(self.workspace))
            .and_where(Expr::col("user_id").eq(user.to_string()))
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
            .and_where(Expr::col(("m", "workspace_id")).eq(self.workspace.to_string()))
            .order_by(("u", "email"), Order::Asc)
            .to_owned();
        let rows = self.conn.fetch_all(&q).await?;
        rows.iter()
            .map(|r| {
                Ok((
                    User {
                        id: r
                            .text("id")?
                            .and_then(|s| s.parse().ok())
                            .ok_or_else(|| StoreError::Corrupt("user".into()))?,
                        email: r.text("email")?.unwrap_or_default(),
                        display_name: r.text("display_name")?.unwrap_or_default(),
                    },
                    r.text("role")?.unwrap_or_default(),
                ))
            })
            .collect()
    }
}
