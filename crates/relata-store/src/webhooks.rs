//! Outbound webhooks: subscriptions, and their deliveries in feed order.
//! A delivery is unique per subscription and event id, so the feed
//! consumer that makes them may see a batch twice; a subscription is
//! drained by one worker at a time (a lease in `draining_until`).

use crate::db::{Row, ScopedConn};
use crate::error::{Result, StoreError};
use crate::sql::{in_workspace, uuid, uuid_opt};
use chrono::{DateTime, Utc};
use relata_core::UserId;
use sea_query::{Expr, ExprTrait, OnConflict, Order, Query, Value};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq)]
pub struct Subscription {
    pub id: Uuid,
    pub name: String,
    pub url: String,
    /// Event types (`invoice.issued`, `contact.*`, `*`).
    pub events: Vec<String>,
    /// A filter in the list filter language on the event's record.
    pub filter: Option<String>,
    pub secret: String,
    pub owner: Option<UserId>,
    pub active: bool,
    pub paused_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Delivery {
    pub id: Uuid,
    pub subscription: Uuid,
    pub event_id: String,
    pub event_type: String,
    pub position: i64,
    pub body: String,
    /// `pending`, `delivered` or `failed` (given up on while paused).
    pub state: String,
    pub attempts: i64,
    pub response_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

/// A delivery to make.
pub struct NewDelivery {
    pub subscription: Uuid,
    pub event_id: String,
    pub event_type: String,
    pub position: i64,
    pub body: String,
}

const SUBSCRIPTION_COLUMNS: [&str; 11] = [
    "id",
    "name",
    "url",
    "events",
    "filter",
    "secret",
    "owner_id",
    "active",
    "paused_reason",
    "created_at",
    "updated_at",
];
const DELIVERY_COLUMNS: [&str; 12] = [
    "id",
    "subscription_id",
    "event_id",
    "event_type",
    "position",
    "body",
    "state",
    "attempts",
    "response_status",
    "last_error",
    "created_at",
    "delivered_at",
];

fn time(t: DateTime<Utc>) -> Value {
    Value::ChronoDateTimeUtc(Some(t))
}

fn corrupt(column: &str) -> StoreError {
    StoreError::Corrupt(format!("webhook {column} is null"))
}

fn decode_subscription(r: &Row) -> Result<Subscription> {
    Ok(Subscription {
        id: r.uuid("id")?.ok_or_else(|| corrupt("id"))?,
        name: r.text("name")?.unwrap_or_default(),
        url: r.text("url")?.unwrap_or_default(),
        events: r.text("events")?.unwrap_or_default().split(',').filter(|e| !e.is_empty()).map(String::from).collect(),
        filter: r.text("filter")?,
        secret: r.text("secret")?.unwrap_or_default(),
        owner: r.uuid("owner_id")?.map(UserId::from_uuid),
        active: r.bool("active")?.unwrap_or(false),
        paused_reason: r.text("paused_reason")?,
        created_at: r.datetime("created_at")?.ok_or_else(|| corrupt("created_at"))?,
        updated_at: r.datetime("updated_at")?.ok_or_else(|| corrupt("updated_at"))?,
    })
}

fn decode_delivery(r: &Row) -> Result<Delivery> {
    Ok(Delivery {
        id: r.uuid("id")?.ok_or_else(|| corrupt("id"))?,
        subscription: r.uuid("subscription_id")?.ok_or_else(|| corrupt("subscription_id"))?,
        event_id: r.text("event_id")?.unwrap_or_default(),
        event_type: r.text("event_type")?.unwrap_or_default(),
        position: r.int("position")?.unwrap_or_default(),
        body: r.text("body")?.unwrap_or_default(),
        state: r.text("state")?.unwrap_or_default(),
        attempts: r.int("attempts")?.unwrap_or_default(),
        response_status: r.int("response_status")?,
        last_error: r.text("last_error")?,
        created_at: r.datetime("created_at")?.ok_or_else(|| corrupt("created_at"))?,
        delivered_at: r.datetime("delivered_at")?,
    })
}

impl ScopedConn {
    fn subscription_key(&self, id: Uuid) -> sea_query::Condition {
        sea_query::Condition::all().add(in_workspace(self.workspace)).add(Expr::col("id").eq(uuid(id)))
    }

    pub async fn insert_subscription(&mut self, s: &Subscription) -> Result<()> {
        let stmt = Query::insert()
            .into_table("webhook_subscriptions")
            .columns(std::iter::once("workspace_id").chain(SUBSCRIPTION_COLUMNS))
            .values_panic([
                Expr::val(uuid(self.workspace.uuid())),
                Expr::val(uuid(s.id)),
                Expr::val(s.name.clone()),
                Expr::val(s.url.clone()),
                Expr::val(s.events.join(",")),
                Expr::val(s.filter.clone()),
                Expr::val(s.secret.clone()),
                Expr::val(uuid_opt(s.owner.map(|u| u.uuid()))),
                Expr::val(s.active),
                Expr::val(s.paused_reason.clone()),
                Expr::val(time(s.created_at)),
                Expr::val(time(s.updated_at)),
            ])
            .to_owned();
        self.conn.execute(&stmt).await.map(drop)
    }

    /// Writes a subscription's settings and state (not its id or creation).
    pub async fn update_subscription(&mut self, s: &Subscription) -> Result<bool> {
        let stmt = Query::update()
            .table("webhook_subscriptions")
            .values([
                ("name", Expr::val(s.name.clone())),
                ("url", Expr::val(s.url.clone())),
                ("events", Expr::val(s.events.join(","))),
                ("filter", Expr::val(s.filter.clone())),
                ("secret", Expr::val(s.secret.clone())),
                ("active", Expr::val(s.active)),
                ("paused_reason", Expr::val(s.paused_reason.clone())),
                ("updated_at", Expr::val(self.now_value())),
            ])
            .cond_where(self.subscription_key(s.id))
            .to_owned();
        Ok(self.conn.execute(&stmt).await? == 1)
    }

    pub async fn delete_subscription(&mut self, id: Uuid) -> Result<bool> {
        let deliveries = Query::delete()
            .from_table("webhook_deliveries")
            .and_where(in_workspace(self.workspace))
            .and_where(Expr::col("subscription_id").eq(uuid(id)))
            .to_owned();
        self.conn.execute(&deliveries).await?;
        let stmt = Query::delete().from_table("webhook_subscriptions").cond_where(self.subscription_key(id)).to_owned();
        Ok(self.conn.execute(&stmt).await? == 1)
    }

    pub async fn subscription(&mut self, id: Uuid) -> Result<Option<Subscription>> {
        let q = Query::select()
            .columns(SUBSCRIPTION_COLUMNS)
            .from("webhook_subscriptions")
            .cond_where(self.subscription_key(id))
            .to_owned();
        self.conn.fetch_optional(&q).await?.map(|r| decode_subscription(&r)).transpose()
    }

    /// The workspace's subscriptions, oldest first (a workspace has few).
    pub async fn subscriptions(&mut self) -> Result<Vec<Subscription>> {
        let q = Query::select()
            .columns(SUBSCRIPTION_COLUMNS)
            .from("webhook_subscriptions")
            .and_where(in_workspace(self.workspace))
            .order_by("created_at", Order::Asc)
            .order_by("id", Order::Asc)
            .to_owned();
        self.conn.fetch_all(&q).await?.iter().map(decode_subscription).collect()
    }

    /// Adds deliveries; those already made (same subscription and event id)
    /// are left as they are. Returns how many were new.
    pub async fn insert_deliveries(&mut self, deliveries: &[NewDelivery]) -> Result<u64> {
        let mut added = 0;
        for d in deliveries {
            let stmt = Query::insert()
                .into_table("webhook_deliveries")
                .columns([
                    "workspace_id",
                    "id",
                    "subscription_id",
                    "event_id",
                    "event_type",
                    "position",
                    "body",
                    "state",
                    "attempts",
                    "created_at",
                    "updated_at",
                ])
                .values_panic([
                    Expr::val(uuid(self.workspace.uuid())),
                    Expr::val(uuid(Uuid::now_v7())),
                    Expr::val(uuid(d.subscription)),
                    Expr::val(d.event_id.clone()),
                    Expr::val(d.event_type.clone()),
                    Expr::val(d.position),
                    Expr::val(d.body.clone()),
                    Expr::val("pending"),
                    Expr::val(0),
                    Expr::val(self.now_value()),
                    Expr::val(self.now_value()),
                ])
                .on_conflict(
                    OnConflict::columns(["workspace_id", "subscription_id", "event_id"]).do_nothing().to_owned(),
                )
                .to_owned();
            added += self.conn.execute(&stmt).await?;
        }
        Ok(added)
    }

    /// The oldest pending deliveries of a subscription, in feed order.
    pub async fn pending_deliveries(&mut self, subscription: Uuid, limit: u64) -> Result<Vec<Delivery>> {
        let q = Query::select()
            .columns(DELIVERY_COLUMNS)
            .from("webhook_deliveries")
            .and_where(in_workspace(self.workspace))
            .and_where(Expr::col("subscription_id").eq(uuid(subscription)))
            .and_where(Expr::col("state").eq("pending"))
            .order_by("position", Order::Asc)
            .order_by("event_id", Order::Asc)
            .limit(limit)
            .to_owned();
        self.conn.fetch_all(&q).await?.iter().map(decode_delivery).collect()
    }

    /// A subscription's deliveries, newest first, before `before` (a
    /// delivery id) for paging.
    pub async fn deliveries(&mut self, subscription: Uuid, before: Option<Uuid>, limit: u64) -> Result<Vec<Delivery>> {
        let mut q = Query::select();
        q.columns(DELIVERY_COLUMNS)
            .from("webhook_deliveries")
            .and_where(in_workspace(self.workspace))
            .and_where(Expr::col("subscription_id").eq(uuid(subscription)))
            .order_by("id", Order::Desc)
            .limit(limit);
        if let Some(before) = before {
            q.and_where(Expr::col("id").lt(uuid(before)));
        }
        self.conn.fetch_all(&q).await?.iter().map(decode_delivery).collect()
    }

    pub async fn delivery(&mut self, id: Uuid) -> Result<Option<Delivery>> {
        let q = Query::select()
            .columns(DELIVERY_COLUMNS)
            .from("webhook_deliveries")
            .and_where(in_workspace(self.workspace))
            .and_where(Expr::col("id").eq(uuid(id)))
            .to_owned();
        self.conn.fetch_optional(&q).await?.map(|r| decode_delivery(&r)).transpose()
    }

    /// Records an attempt: `delivered` with the receiver's status, or still
    /// pending with the error (and the status, if it answered).
    pub async fn record_attempt(
        &mut self,
        id: Uuid,
        delivered: bool,
        status: Option<i64>,
        error: Option<&str>,
    ) -> Result<()> {
        let mut values = vec![
            ("attempts", Expr::col("attempts").add(1)),
            ("response_status", Expr::val(status)),
            ("last_error", Expr::val(error.map(str::to_string))),
            ("updated_at", Expr::val(self.now_value())),
        ];
        if delivered {
            values.push(("state", Expr::val("delivered")));
            values.push(("delivered_at", Expr::val(self.now_value())));
        }
        let stmt = Query::update()
            .table("webhook_deliveries")
            .values(values)
            .and_where(in_workspace(self.workspace))
            .and_where(Expr::col("id").eq(uuid(id)))
            .to_owned();
        self.conn.execute(&stmt).await.map(drop)
    }

    /// Puts a delivery back in the queue (manual redelivery): it goes out
    /// again with its event id, after the ones before it.
    pub async fn requeue_delivery(&mut self, id: Uuid) -> Result<bool> {
        let stmt = Query::update()
            .table("webhook_deliveries")
            .values([("state", Expr::val("pending")), ("updated_at", Expr::val(self.now_value()))])
            .and_where(in_workspace(self.workspace))
            .and_where(Expr::col("id").eq(uuid(id)))
            .to_owned();
        Ok(self.conn.execute(&stmt).await? == 1)
    }

    /// Takes the right to drain a subscription until `until`, unless another
    /// worker holds it; true when taken.
    pub async fn lease_subscription(&mut self, id: Uuid, until: DateTime<Utc>) -> Result<bool> {
        let stmt = Query::update()
            .table("webhook_subscriptions")
            .value("draining_until", time(until))
            .cond_where(self.subscription_key(id))
            .cond_where(
                sea_query::Condition::any()
                    .add(Expr::col("draining_until").is_null())
                    .add(Expr::col("draining_until").lt(self.now_value())),
            )
            .to_owned();
        Ok(self.conn.execute(&stmt).await? == 1)
    }

    pub async fn release_subscription(&mut self, id: Uuid) -> Result<()> {
        let stmt = Query::update()
            .table("webhook_subscriptions")
            .value("draining_until", Value::ChronoDateTimeUtc(None))
            .cond_where(self.subscription_key(id))
            .to_owned();
        self.conn.execute(&stmt).await.map(drop)
    }
}

/// An event another system sent in, as first applied.
#[derive(Clone, Debug, PartialEq)]
pub struct InboundEvent {
    pub event_type: String,
    /// A digest of the request, to tell a replay from another event that
    /// reuses the id.
    pub request_hash: String,
    /// What applying it answered.
    pub result: serde_json::Value,
}

impl ScopedConn {
    /// The event `source` (a credential) sent with this id, if applied.
    pub async fn inbound_event(&mut self, source: &str, event_id: &str) -> Result<Option<InboundEvent>> {
        let q = self.inbound_event_query(source, event_id);
        self.conn.fetch_optional(&q).await?.as_ref().map(inbound_event_of).transpose()
    }

    pub(crate) fn inbound_event_query(&self, source: &str, event_id: &str) -> sea_query::SelectStatement {
        Query::select()
            .columns(["event_type", "request_hash", "result"])
            .from("inbound_events")
            .and_where(in_workspace(self.workspace))
            .and_where(Expr::col("source").eq(source))
            .and_where(Expr::col("event_id").eq(event_id))
            .to_owned()
    }

    /// Records an applied event in the transaction that applied it (a
    /// second writer of the same id fails on the key and rolls back). The
    /// insert is deferred (see `Conn::defer`): the key's failure is the
    /// commit's.
    pub async fn insert_inbound_event(&mut self, source: &str, event_id: &str, event: &InboundEvent) -> Result<()> {
        let stmt = Query::insert()
            .into_table("inbound_events")
            .columns(["workspace_id", "source", "event_id", "event_type", "request_hash", "result", "received_at"])
            .values_panic([
                Expr::val(uuid(self.workspace.uuid())),
                Expr::val(source),
                Expr::val(event_id),
                Expr::val(event.event_type.clone()),
                Expr::val(event.request_hash.clone()),
                Expr::val(event.result.to_string()),
                Expr::val(self.now_value()),
            ])
            .to_owned();
        self.conn.defer(&stmt).await
    }
}

/// An applied event from its row.
pub(crate) fn inbound_event_of(row: &crate::db::Row) -> Result<InboundEvent> {
    Ok(InboundEvent {
        event_type: row.text("event_type")?.unwrap_or_default(),
        request_hash: row.text("request_hash")?.unwrap_or_default(),
        result: serde_json::from_str(&row.text("result")?.unwrap_or_default()).unwrap_or(serde_json::Value::Null),
    })
}
