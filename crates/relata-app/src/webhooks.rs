//! Outbound webhooks: administrators subscribe a receiver to event types
//! (`invoice.issued`, `contact.updated`, `order.*`), optionally only for
//! records a filter selects. The change feed consumer `webhooks` turns each
//! matching entry into a delivery (one per subscription and event id, so a
//! batch handled twice adds nothing) and enqueues the subscription's drain
//! in the same transaction; the `webhooks.deliver` job sends its pending
//! deliveries in feed order, one at a time, signed, and stops at the first
//! failure to retry with the job runtime's back-off. After
//! [`PAUSE_AFTER_ATTEMPTS`] failed attempts of one delivery the
//! subscription is paused (audited, shown with its reason) until an
//! administrator resumes it; deliveries keep accumulating meanwhile.
//!
//! Every event has a type `<entity>.<created|updated|deleted|restored|redacted>`
//! and, where a module names it, a domain type too (`quote.accepted`).

use crate::error::AppError;
use crate::feed::FeedConsumer;
use crate::jobs::{Enqueue, JobError, JobHandler};
use crate::module::BoxFuture;
use crate::{App, Ctx};
use chrono::Utc;
use relata_core::ValidationError;
use relata_core::error::FieldError;
use relata_core::meta::EntityKind;
use relata_store::feed::FeedEntry;
use relata_store::jobs::Job;
use relata_store::webhooks::{Delivery, NewDelivery, Subscription};
use serde_json::{Value as Json, json};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;
use uuid::Uuid;

pub const CONSUMER: &str = "webhooks";
pub const DELIVER_JOB: &str = "webhooks.deliver";
/// Failed attempts of one delivery after which its subscription is paused.
pub const PAUSE_AFTER_ATTEMPTS: i64 = 8;
/// The header carrying `t=<unix seconds>,v1=<hex HMAC-SHA256>`.
pub const SIGNATURE_HEADER: &str = "Relata-Signature";
const OPS: &[(&str, &str)] = &[
    ("create", "created"),
    ("update", "updated"),
    ("delete", "deleted"),
    ("restore", "restored"),
    ("redact", "redacted"),
];
const MAX_EVENTS: usize = 50;

/// The types of an event: the generic one and the modules' domain ones.
pub fn event_types(app: &App, entry: &FeedEntry) -> Vec<String> {
    let Some(op) = OPS.iter().find(|(op, _)| *op == entry.op).map(|(_, name)| name) else { return Vec::new() };
    if entry.entity == "metadata" {
        return Vec::new();
    }
    let mut out = vec![format!("{}.{op}", entry.entity)];
    out.extend(app.modules.iter().flat_map(|m| m.events(entry)).map(String::from));
    out
}

/// Whether a subscription's pattern (`invoice.issued`, `contact.*`, `*`)
/// takes an event type.
fn takes(pattern: &str, event: &str) -> bool {
    pattern == "*"
        || pattern == event
        || pattern.strip_suffix(".*").is_some_and(|entity| event.split_once('.').is_some_and(|(e, _)| e == entity))
}

/// A subscription as the API shows it (to administrators: with its secret).
pub fn subscription_json(s: &Subscription) -> Json {
    json!({
        "id": s.id.to_string(), "name": s.name, "url": s.url, "events": s.events, "filter": s.filter,
        "secret": s.secret, "owner": s.owner.map(|u| u.to_string()), "active": s.active,
        "paused_reason": s.paused_reason, "created_at": s.created_at, "updated_at": s.updated_at,
        "signature_header": SIGNATURE_HEADER,
    })
}

pub fn delivery_json(d: &Delivery) -> Json {
    json!({
        "id": d.id.to_string(), "event_id": d.event_id, "event_type": d.event_type, "state": d.state,
        "attempts": d.attempts, "response_status": d.response_status, "last_error": d.last_error,
        "created_at": d.created_at, "delivered_at": d.delivered_at,
        "body": serde_json::from_str::<Json>(&d.body).unwrap_or(Json::Null),
    })
}

/// Whether an address is one a subscription may not reach unless allowed:
/// loopback, private, link-local, unspecified, shared or unique-local.
pub fn is_private(ip: std::net::IpAddr) -> bool {
    match ip {
        std::net::IpAddr::V4(v4) => {
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || (v4.octets()[0] == 100 && (64..128).contains(&v4.octets()[1]))
        }
        std::net::IpAddr::V6(v6) => {
            v6.is_loopback()
                || v6.is_unspecified()
                || (v6.segments()[0] & 0xfe00) == 0xfc00
                || (v6.segments()[0] & 0xffc0) == 0xfe80
                || v6.to_ipv4_mapped().is_some_and(|v4| is_private(std::net::IpAddr::V4(v4)))
        }
    }
}

/// Reads a URL Relata may post to: http(s), a host, no credentials in it
/// (where it resolves to is [`check_url`]'s question). The message says
/// what is wrong.
pub fn parse_url(url: &str) -> Result<reqwest::Url, String> {
    let parsed = reqwest::Url::parse(url.trim()).map_err(|e| format!("not a URL: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err("only http and https URLs are posted to".into());
    }
    if parsed.host_str().is_none() {
        return Err("the URL has no host".into());
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("credentials do not belong in the URL".into());
    }
    Ok(parsed)
}

/// Checks a receiver URL: [`parse_url`], and (unless allowed) no address
/// in a private network. The message says what is wrong.
pub async fn check_url(url: &str, allow_private: bool) -> Result<reqwest::Url, String> {
    let parsed = parse_url(url)?;
    let host = parsed.host_str().unwrap_or_default().to_string();
    if allow_private {
        return Ok(parsed);
    }
    let port = parsed.port_or_known_default().unwrap_or(443);
    let host = host.trim_start_matches('[').trim_end_matches(']').to_string();
    let addresses: Vec<std::net::SocketAddr> = tokio::net::lookup_host((host.as_str(), port))
        .await
        .map_err(|e| format!("the host does not resolve: {e}"))?
        .collect();
    if addresses.is_empty() {
        return Err("the host does not resolve".into());
    }
    if addresses.iter().any(|a| is_private(a.ip())) {
        return Err("the host is a loopback or private address, which this server does not send webhooks to".into());
    }
    Ok(parsed)
}

fn known_event(app: &App, pattern: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    let Some((entity, what)) = pattern.split_once('.') else { return false };
    let entity_known = entity == "*" || EntityKind::from_singular(entity).is_some();
    let op_known = what == "*" || OPS.iter().any(|(_, name)| *name == what);
    (entity_known && op_known) || app.modules.iter().any(|m| m.event_types().contains(&pattern))
}

/// The members of a subscription body; every problem reported together.
async fn apply_input(app: &App, body: &Json, s: &mut Subscription, creating: bool) -> Result<(), ValidationError> {
    let mut errors = Vec::new();
    let Some(obj) = body.as_object() else {
        return Err(ValidationError::single("body", "invalid_type", "a JSON object"));
    };
    for key in obj.keys() {
        if !["name", "url", "events", "filter", "active", "rotate_secret"].contains(&key.as_str()) {
            errors.push(FieldError::new(key.clone(), "unknown_field", "not a member of a webhook subscription"));
        }
    }
    if let Some(name) = obj.get("name") {
        match name.as_str().map(str::trim) {
            Some(n) if !n.is_empty() && n.chars().count() <= 200 => s.name = n.to_string(),
            _ => errors.push(FieldError::new("name", "invalid", "1 to 200 characters")),
        }
    }
    match obj.get("url") {
        Some(Json::String(url)) => {
            let allow = app.allow_private_webhooks.load(std::sync::atomic::Ordering::Relaxed);
            match check_url(url, allow).await {
                Ok(u) => s.url = u.to_string(),
                Err(m) => errors.push(FieldError::new("url", "invalid_url", m)),
            }
        }
        Some(_) => errors.push(FieldError::new("url", "invalid_type", "a URL")),
        None if creating => errors.push(FieldError::new("url", "required", "is required")),
        None => {}
    }
    match obj.get("events") {
        Some(Json::Array(items)) if !items.is_empty() && items.len() <= MAX_EVENTS => {
            let mut events = Vec::new();
            for (i, item) in items.iter().enumerate() {
                match item.as_str() {
                    Some(e) if known_event(app, e) => events.push(e.to_string()),
                    _ => errors.push(FieldError::new(
                        format!("events[{i}]"),
                        "unknown_event",
                        "an event type such as invoice.issued, contact.updated, order.* or *",
                    )),
                }
            }
            s.events = events;
        }
        Some(_) => errors.push(FieldError::new("events", "invalid", format!("1 to {MAX_EVENTS} event types"))),
        None if creating => errors.push(FieldError::new("events", "required", "is required")),
        None => {}
    }
    match obj.get("filter") {
        Some(Json::Null) => s.filter = None,
        Some(Json::String(f)) if f.trim().is_empty() => s.filter = None,
        Some(Json::String(f)) => match relata_core::filter::parse(f) {
            Ok(_) => s.filter = Some(f.clone()),
            Err(e) => errors.push(FieldError::new("filter", "invalid_filter", e.to_string())),
        },
        Some(_) => errors.push(FieldError::new("filter", "invalid_type", "a filter in the list filter language")),
        None => {}
    }
    match obj.get("active") {
        Some(Json::Bool(active)) => {
            if *active && !s.active {
                s.paused_reason = None;
            }
            s.active = *active;
        }
        Some(_) => errors.push(FieldError::new("active", "invalid_type", "true or false")),
        None => {}
    }
    if obj.get("rotate_secret") == Some(&Json::Bool(true)) || creating {
        s.secret = new_secret().map_err(|e| ValidationError::single("secret", "unavailable", e))?;
    }
    if s.name.is_empty() {
        s.name = s.url.clone();
    }
    ValidationError::check(errors)
}

fn new_secret() -> Result<String, String> {
    relata_identity::secret::generate(relata_identity::secret::SecretKind::WebhookSigning).map_err(|e| e.to_string())
}

fn not_found() -> AppError {
    AppError::NotFound
}

/// `POST /api/v1/webhooks` (administrators).
pub async fn create(app: &App, ctx: &Ctx, body: &Json) -> Result<Subscription, AppError> {
    ctx.access.require_admin()?;
    let now = app.store.now();
    let mut s = Subscription {
        id: Uuid::now_v7(),
        name: String::new(),
        url: String::new(),
        events: Vec::new(),
        filter: None,
        secret: String::new(),
        owner: ctx.actor,
        active: true,
        paused_reason: None,
        created_at: now,
        updated_at: now,
    };
    apply_input(app, body, &mut s, true).await?;
    let mut tx = app.store.write(ctx.ws()).await?;
    tx.insert_subscription(&s).await?;
    crate::audit::audit_in(&mut tx, ctx, crate::audit::Event::new("webhook.create").target("webhook", s.id)).await?;
    tx.commit().await?;
    Ok(s)
}

pub async fn list(app: &App, ctx: &Ctx) -> Result<Vec<Subscription>, AppError> {
    ctx.access.require_admin()?;
    Ok(app.store.read(ctx.ws()).await?.subscriptions().await?)
}

/// The paused subscriptions the signed-in administrator owns (or that
/// nobody owns): what the start page tells them about. Others: none.
pub async fn paused_for(app: &App, ctx: &Ctx) -> Result<Vec<Subscription>, AppError> {
    if ctx.access.require_admin().is_err() {
        return Ok(Vec::new());
    }
    let all = app.store.read(ctx.ws()).await?.subscriptions().await?;
    Ok(all
        .into_iter()
        .filter(|s| !s.active && s.paused_reason.is_some() && s.owner.is_none_or(|o| Some(o) == ctx.actor))
        .collect())
}

pub async fn get(app: &App, ctx: &Ctx, id: Uuid) -> Result<Subscription, AppError> {
    ctx.access.require_admin()?;
    app.store.read(ctx.ws()).await?.subscription(id).await?.ok_or_else(not_found)
}

/// `PATCH /api/v1/webhooks/{id}`: settings, `active` (resuming a paused
/// subscription sends what waited), `rotate_secret`.
pub async fn update(app: &App, ctx: &Ctx, id: Uuid, body: &Json) -> Result<Subscription, AppError> {
    let mut s = get(app, ctx, id).await?;
    let was_active = s.active;
    apply_input(app, body, &mut s, false).await?;
    let mut tx = app.store.write(ctx.ws()).await?;
    if !tx.update_subscription(&s).await? {
        return Err(not_found());
    }
    if s.active && !was_active {
        crate::jobs::enqueue_in(&mut tx, app, DELIVER_JOB, json!({"subscription": id.to_string()}), Enqueue::default())
            .await?;
    }
    let event = crate::audit::Event::new("webhook.update").target("webhook", id).details(body.clone());
    crate::audit::audit_in(&mut tx, ctx, event).await?;
    tx.commit().await?;
    get(app, ctx, id).await
}

pub async fn delete(app: &App, ctx: &Ctx, id: Uuid) -> Result<(), AppError> {
    ctx.access.require_admin()?;
    let mut tx = app.store.write(ctx.ws()).await?;
    if !tx.delete_subscription(id).await? {
        return Err(not_found());
    }
    crate::audit::audit_in(&mut tx, ctx, crate::audit::Event::new("webhook.delete").target("webhook", id)).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn deliveries(
    app: &App,
    ctx: &Ctx,
    id: Uuid,
    before: Option<Uuid>,
    limit: u64,
) -> Result<Vec<Delivery>, AppError> {
    get(app, ctx, id).await?;
    Ok(app.store.read(ctx.ws()).await?.deliveries(id, before, limit.clamp(1, 500)).await?)
}

/// `POST /api/v1/webhooks/{id}/deliveries/{delivery}/redeliver`: sends a
/// delivery again (with the same event id), after those waiting before it.
pub async fn redeliver(app: &App, ctx: &Ctx, id: Uuid, delivery: Uuid) -> Result<Delivery, AppError> {
    get(app, ctx, id).await?;
    let mut tx = app.store.write(ctx.ws()).await?;
    match tx.delivery(delivery).await? {
        Some(d) if d.subscription == id => {}
        _ => return Err(not_found()),
    }
    tx.requeue_delivery(delivery).await?;
    crate::jobs::enqueue_in(&mut tx, app, DELIVER_JOB, json!({"subscription": id.to_string()}), Enqueue::default())
        .await?;
    tx.commit().await?;
    app.store.read(ctx.ws()).await?.delivery(delivery).await?.ok_or_else(not_found)
}

/// The feed consumer that makes deliveries.
pub struct WebhookConsumer;

impl FeedConsumer for WebhookConsumer {
    fn name(&self) -> &'static str {
        CONSUMER
    }

    fn handle<'a>(&'a self, app: &'a App, entries: &'a [FeedEntry]) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(async move {
            let mut by_workspace: BTreeMap<Uuid, Vec<&FeedEntry>> = BTreeMap::new();
            for entry in entries.iter().filter(|e| e.entity != "metadata") {
                by_workspace.entry(entry.workspace.uuid()).or_default().push(entry);
            }
            for (ws, entries) in by_workspace {
                let ws = relata_core::WorkspaceId::from_uuid(ws);
                let subscriptions = app.store.read(ws).await?.subscriptions().await?;
                if subscriptions.is_empty() {
                    continue;
                }
                let mut made = Vec::new();
                for entry in entries {
                    let types = event_types(app, entry);
                    // A private type's changes go to its owner's subscriptions only.
                    let private = relata_core::meta::EntityKind::from_singular(&entry.entity)
                        .is_some_and(|k| k.def().private_to_owner);
                    for s in &subscriptions {
                        if private && (entry.owner_after.is_none() || s.owner.map(|o| o.uuid()) != entry.owner_after) {
                            continue;
                        }
                        let wanted: Vec<&String> =
                            types.iter().filter(|t| s.events.iter().any(|p| takes(p, t))).collect();
                        if wanted.is_empty() {
                            continue;
                        }
                        if let Some(filter) = &s.filter
                            && !crate::feed::record_passes(app, entry, filter).await?
                        {
                            continue;
                        }
                        for event_type in wanted {
                            let event_id = format!("evt_{:012}_{event_type}", entry.position);
                            let body = json!({
                                "id": event_id, "type": event_type, "occurred_at": entry.at,
                                "workspace": entry.workspace.to_string(),
                                "data": {"entity": entry.entity, "id": entry.record_id.to_string(), "op": entry.op,
                                    "version": entry.version, "actor": entry.actor.map(|a| a.to_string()),
                                    "changes": entry.diff},
                            });
                            made.push(NewDelivery {
                                subscription: s.id,
                                event_id,
                                event_type: event_type.clone(),
                                position: entry.position,
                                body: body.to_string(),
                            });
                        }
                    }
                }
                if made.is_empty() {
                    continue;
                }
                let mut tx = app.store.write(ws).await?;
                let mut drained = BTreeSet::new();
                for d in &made {
                    if tx.insert_deliveries(std::slice::from_ref(d)).await? > 0 {
                        drained.insert(d.subscription);
                    }
                }
                for s in subscriptions.iter().filter(|s| s.active && drained.contains(&s.id)) {
                    let payload = json!({"subscription": s.id.to_string()});
                    crate::jobs::enqueue_in(&mut tx, app, DELIVER_JOB, payload, Enqueue::default()).await?;
                }
                tx.commit().await?;
            }
            Ok(())
        })
    }
}

/// Sends a subscription's pending deliveries in order.
pub struct DeliverJob {
    client: reqwest::Client,
}

impl Default for DeliverJob {
    fn default() -> Self {
        DeliverJob {
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .redirect(reqwest::redirect::Policy::none())
                .user_agent(concat!("Relata-Webhooks/", env!("CARGO_PKG_VERSION")))
                .build()
                .expect("an HTTP client"),
        }
    }
}

/// How long a drain may hold its subscription before another may take it.
const LEASE: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

impl DeliverJob {
    /// One attempt: the receiver's status, or why there was none.
    async fn send(&self, app: &App, s: &Subscription, d: &Delivery) -> (bool, Option<i64>, Option<String>) {
        let allow = app.allow_private_webhooks.load(std::sync::atomic::Ordering::Relaxed);
        let url = match check_url(&s.url, allow).await {
            Ok(u) => u,
            Err(m) => return (false, None, Some(m)),
        };
        let timestamp = Utc::now().timestamp();
        let signature = relata_identity::secret::webhook_signature(&s.secret, timestamp, d.body.as_bytes());
        let response = self
            .client
            .post(url)
            .header("content-type", "application/json")
            .header("Relata-Event-Id", &d.event_id)
            .header("Relata-Event-Type", &d.event_type)
            .header("Relata-Delivery-Id", d.id.to_string())
            .header(SIGNATURE_HEADER, format!("t={timestamp},v1={signature}"))
            .body(d.body.clone())
            .send()
            .await;
        match response {
            Ok(r) if r.status().is_success() => (true, Some(i64::from(r.status().as_u16())), None),
            Ok(r) => {
                (false, Some(i64::from(r.status().as_u16())), Some(format!("the receiver answered {}", r.status())))
            }
            Err(e) => (false, None, Some(format!("no answer: {e}"))),
        }
    }

    async fn drain(&self, app: &App, job: &Job, id: Uuid) -> Result<(), JobError> {
        let retry = |e: relata_store::StoreError| JobError::Retry(e.to_string());
        let ws = job.workspace;
        loop {
            let Some(s) = app.store.read(ws).await.map_err(retry)?.subscription(id).await.map_err(retry)? else {
                return Ok(());
            };
            if !s.active {
                return Ok(());
            }
            let pending = app.store.read(ws).await.map_err(retry)?.pending_deliveries(id, 20).await.map_err(retry)?;
            if pending.is_empty() {
                return Ok(());
            }
            // Successes are recorded a batch at a time (one short write for
            // up to 20 deliveries: a crash in between sends them again, which
            // at-least-once allows); a failure ends the batch.
            let mut delivered = Vec::new();
            let mut failure = None;
            for d in pending {
                let (ok, status, error) = self.send(app, &s, &d).await;
                if ok {
                    delivered.push((d.id, status));
                } else {
                    failure = Some((d, status, error.unwrap_or_default()));
                    break;
                }
            }
            let mut tx = app.store.write(ws).await.map_err(retry)?;
            for (delivery, status) in &delivered {
                tx.record_attempt(*delivery, true, *status, None).await.map_err(retry)?;
            }
            // Still this drain's: the lease moves on with its progress.
            tx.lease_subscription(id, tx.now() + LEASE).await.map_err(retry)?;
            let Some((d, status, message)) = failure else {
                tx.commit().await.map_err(retry)?;
                continue;
            };
            tx.record_attempt(d.id, false, status, Some(&message)).await.map_err(retry)?;
            if d.attempts + 1 < PAUSE_AFTER_ATTEMPTS {
                tx.commit().await.map_err(retry)?;
                return Err(JobError::Retry(message));
            }
            let mut paused = s.clone();
            paused.active = false;
            paused.paused_reason =
                Some(format!("paused after {} failed attempts of {}: {message}", d.attempts + 1, d.event_id));
            tx.update_subscription(&paused).await.map_err(retry)?;
            // Its owner is told, by the bell in the header.
            if let Some(owner) = s.owner {
                use crate::notifications::{Text, TextArg};
                let link = format!("/api/v1/webhooks/{id}/deliveries");
                let title = Text::Message("notify-webhook-paused", vec![("url", TextArg::Text(s.url.clone()))]);
                let reason = Text::Message(
                    "notify-webhook-paused-reason",
                    vec![
                        ("attempts", TextArg::Number(d.attempts + 1)),
                        ("event", TextArg::Text(d.event_id.to_string())),
                        ("error", TextArg::Text(message.clone())),
                    ],
                );
                crate::notifications::notify_in(&mut tx, owner, "webhook.paused", title, Some(reason), Some(&link))
                    .await
                    .map_err(retry)?;
            }
            tx.commit().await.map_err(retry)?;
            // The pause is audited as the subscription owner's concern.
            let workspace = app.store.workspaces().await.map_err(retry)?.into_iter().find(|w| w.id == ws);
            if let Some(workspace) = workspace {
                let ctx = Ctx::new(workspace, s.owner);
                let event = crate::audit::Event::new("webhook.paused")
                    .failed()
                    .target("webhook", id)
                    .details(json!({"reason": paused.paused_reason, "owner": s.owner.map(|u| u.to_string())}));
                crate::audit::audit(app, &ctx, event).await.map_err(|e| JobError::Retry(e.to_string()))?;
            }
            return Ok(());
        }
    }
}

impl JobHandler for DeliverJob {
    fn kind(&self) -> &'static str {
        DELIVER_JOB
    }

    /// A drain retries while its subscription's oldest delivery fails; the
    /// subscription pauses before the job would run out of attempts.
    fn max_attempts(&self) -> i64 {
        PAUSE_AFTER_ATTEMPTS + 4
    }

    fn run<'a>(&'a self, app: &'a App, job: &'a Job) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move {
            let id = job
                .payload
                .get("subscription")
                .and_then(Json::as_str)
                .and_then(|s| Uuid::parse_str(s).ok())
                .ok_or_else(|| JobError::Fail("payload.subscription: a subscription id".into()))?;
            let retry = |e: relata_store::StoreError| JobError::Retry(e.to_string());
            let mut tx = app.store.write(job.workspace).await.map_err(retry)?;
            let until = tx.now() + LEASE;
            let leased = tx.lease_subscription(id, until).await.map_err(retry)?;
            tx.commit().await.map_err(retry)?;
            if !leased {
                // Another worker drains it; try again after a back-off, in case
                // it finished before seeing what this job was made for.
                return Err(JobError::Retry("another worker is delivering this subscription's events".into()));
            }
            let result = self.drain(app, job, id).await;
            let mut tx = app.store.write(job.workspace).await.map_err(retry)?;
            tx.release_subscription(id).await.map_err(retry)?;
            tx.commit().await.map_err(retry)?;
            result
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_take_their_events() {
        assert!(takes("*", "invoice.issued"));
        assert!(takes("invoice.*", "invoice.issued"));
        assert!(takes("invoice.issued", "invoice.issued"));
        assert!(!takes("invoice.issued", "invoice.updated"));
        assert!(!takes("invoice.*", "invoices.updated"));
        assert!(!takes("contact.*", "account.updated"));
    }

    #[test]
    fn private_addresses_are_recognised() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.1",
            "172.16.5.4",
            "169.254.1.1",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_private(private.parse().unwrap()), "{private}");
        }
        for public in ["8.8.8.8", "151.101.1.1", "2a00:1450:4001::1"] {
            assert!(!is_private(public.parse().unwrap()), "{public}");
        }
    }
}
