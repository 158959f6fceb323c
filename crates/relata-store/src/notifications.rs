//! In-app notifications: messages to one user of a workspace (a paused
//! webhook, later the automation's "notify" steps), listed newest first and
//! marked read by that user only.

use crate::db::{Row, ScopedConn};
use crate::error::{Result, StoreError};
use crate::sql::{in_workspace, uuid};
use chrono::{DateTime, Utc};
use relata_core::UserId;
use sea_query::{Expr, ExprTrait, Order, Query, Value};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq)]
pub struct Notification {
    pub id: Uuid,
    pub user: UserId,
    /// What it is about (`webhook.paused`), for clients that sort them.
    pub kind: String,
    pub title: String,
    pub body: Option<String>,
    /// A page or API path of this server it is about.
    pub link: Option<String>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

const COLUMNS: [&str; 8] = ["id", "user_id", "kind", "title", "body", "link", "created_at", "read_at"];

fn decode(r: &Row) -> Result<Notification> {
    let corrupt = |c: &str| StoreError::Corrupt(format!("notification {c} is null"));
    Ok(Notification {
        id: r.uuid("id")?.ok_or_else(|| corrupt("id"))?,
        user: UserId::from_uuid(r.uuid("user_id")?.ok_or_else(|| corrupt("user_id"))?),
        kind: r.text("kind")?.unwrap_or_default(),
        title: r.text("title")?.unwrap_or_default(),
        body: r.text("body")?,
        link: r.text("link")?,
        created_at: r.datetime("created_at")?.ok_or_else(|| corrupt("created_at"))?,
        read_at: r.datetime("read_at")?,
    })
}

impl ScopedConn {
    fn of_user(&self, user: UserId) -> sea_query::Condition {
        sea_query::Condition::all().add(in_workspace(self.workspace)).add(Expr::col("user_id").eq(uuid(user.uuid())))
    }

    pub async fn insert_notification(&mut self, n: &Notification) -> Result<()> {
        let stmt = Query::insert()
            .into_table("notifications")
            .columns(std::iter::once("workspace_id").chain(COLUMNS))
            .values_panic([
                Expr::val(uuid(self.workspace.uuid())),
                Expr::val(uuid(n.id)),
                Expr::val(uuid(n.user.uuid())),
                Expr::val(n.kind.clone()),
                Expr::val(n.title.clone()),
                Expr::val(n.body.clone()),
                Expr::val(n.link.clone()),
                Expr::val(Value::ChronoDateTimeUtc(Some(n.created_at))),
                Expr::val(Value::ChronoDateTimeUtc(n.read_at)),
            ])
            .to_owned();
        self.conn.execute(&stmt).await.map(drop)
    }

    /// A user's notifications, newest first, older than `before` when
    /// given, unread ones only when asked.
    pub async fn notifications_of(
        &mut self,
        user: UserId,
        unread_only: bool,
        before: Option<Uuid>,
        limit: u64,
    ) -> Result<Vec<Notification>> {
        let mut q = Query::select()
            .columns(COLUMNS)
            .from("notifications")
            .cond_where(self.of_user(user))
            .order_by("id", Order::Desc)
            .limit(limit)
            .to_owned();
        if unread_only {
            q.and_where(Expr::col("read_at").is_null());
        }
        if let Some(before) = before {
            q.and_where(Expr::col("id").lt(uuid(before)));
        }
        self.conn.fetch_all(&q).await?.iter().map(decode).collect()
    }

    pub async fn unread_notifications(&mut self, user: UserId) -> Result<i64> {
        let q = Query::select()
            .expr_as(Expr::col("id").count(), "n")
            .from("notifications")
            .cond_where(self.of_user(user))
            .and_where(Expr::col("read_at").is_null())
            .to_owned();
        let row = self.conn.fetch_optional(&q).await?;
        Ok(row.map(|r| r.int("n")).transpose()?.flatten().unwrap_or(0))
    }

    /// Marks a user's notification (`Some`) or all of them read; returns how
    /// many were unread.
    pub async fn mark_notifications_read(&mut self, user: UserId, id: Option<Uuid>) -> Result<u64> {
        let mut stmt = Query::update()
            .table("notifications")
            .values([("read_at", Expr::val(self.now_value()))])
            .cond_where(self.of_user(user))
            .and_where(Expr::col("read_at").is_null())
            .to_owned();
        if let Some(id) = id {
            stmt.and_where(Expr::col("id").eq(uuid(id)));
        }
        self.conn.execute(&stmt).await
    }

    /// Whether a user has this notification (read or not).
    pub async fn has_notification(&mut self, user: UserId, id: Uuid) -> Result<bool> {
        let q = Query::select()
            .column("id")
            .from("notifications")
            .cond_where(self.of_user(user))
            .and_where(Expr::col("id").eq(uuid(id)))
            .to_owned();
        Ok(self.conn.fetch_optional(&q).await?.is_some())
    }
}
