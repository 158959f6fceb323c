//! A device's pull: what changed within its subscriptions since its
//! cursor. A new device, or one whose subscriptions or rights changed,
//! gets a full pass (every subscribed record, then the removal of what it
//! holds that the pass did not find); after that the change feed tells
//! which records to look at again. Every record is sent as the user sees
//! it now; one that left the subscriptions, the user's reach or the
//! workspace comes as a removal with the reason.

use super::{Related, Subscription, related_of};
use crate::error::AppError;
use crate::read::ListParams;
use crate::{App, Ctx};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use relata_core::access::Right;
use relata_core::filter::{Expr, Filter, Op, holds};
use relata_core::meta::{EntityKind, Schema};
use relata_core::record::Record;
use relata_store::ScopedConn;
use relata_store::changes::METADATA;
use relata_store::sync::{Device, Held};
use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};
use std::collections::{HashMap, HashSet, VecDeque};
use uuid::Uuid;

/// Changes a pull answers with at most (a little more when a record brings
/// its related ones).
pub const MAX_LIMIT: u64 = 2000;
/// Subscribed records read per step of a full pass (a list's largest page).
const PASS_PAGE: u64 = crate::read::MAX_LIMIT;
/// Feed entries looked at per step.
const FEED_SCAN: u64 = 1000;
/// Ids per query.
const CHUNK: usize = 500;
/// A pass page of records that bring related ones holds a tenth of what a
/// pull may still answer, so that their contacts, activities and cases
/// keep the answer near its limit.
const BRINGING_SHARE: u64 = 10;

/// Where a device's pulls stand, inside its cursor.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(tag = "phase", rename_all = "snake_case")]
enum Phase {
    /// A full pass through subscription `sub`, after `cursor` (a list cursor).
    Pass { head: i64, sub: usize, cursor: Option<String> },
    /// Removing what the pass did not find, after (type, id).
    Sweep { head: i64, after: Option<(String, Uuid)> },
    /// Following the change feed after `position`.
    Feed { position: i64 },
}

/// A device's cursor: where its pulls stand as of the pull that gave it.
/// Everything a later pull decides from comes from here, not from the
/// device's latest state, so that a pull whose answer was lost is done
/// again from the cursor before it.
#[derive(Serialize, Deserialize)]
struct Token {
    v: u8,
    ws: Uuid,
    device: Uuid,
    pull: i64,
    /// The subscriptions and rights the phase was computed for (a digest).
    print: String,
    /// The full pass under way or last made.
    generation: i64,
    #[serde(flatten)]
    phase: Phase,
}

fn encode(token: &Token) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(token).unwrap_or_default())
}

fn decode(text: &str) -> Option<Token> {
    let raw = URL_SAFE_NO_PAD.decode(text.trim()).ok()?;
    serde_json::from_slice::<Token>(&raw).ok().filter(|t| t.v == 1)
}

/// What a device's subscriptions amount to for its user now.
struct Plan {
    subs: Vec<(EntityKind, Option<String>, Vec<Related>)>,
}

impl Plan {
    fn of(app: &App, ctx: &Ctx, schemas: &crate::Schemas, device: &Device) -> Plan {
        let subs: Vec<Subscription> = serde_json::from_str(&device.subscriptions).unwrap_or_default();
        let readable = |kind: EntityKind| ctx.access.check_kind(kind, Right::Read).is_ok();
        let subs = subs
            .into_iter()
            .filter_map(|s| {
                // A type no longer there or no longer readable holds nothing.
                let kind = schemas.kind(&s.entity).filter(|k| readable(*k))?;
                let related = related_of(app, kind)
                    .into_iter()
                    .filter(|r| readable(r.child))
                    .filter(|r| s.related.as_ref().is_none_or(|names| names.iter().any(|n| n == r.child.api_name())))
                    .collect();
                Some((kind, s.filter.filter(|f| !f.trim().is_empty()), related))
            })
            .collect();
        Plan { subs }
    }

    /// Every type the device holds, parents before the types they bring.
    fn kinds(&self) -> Vec<EntityKind> {
        let mut out: Vec<EntityKind> = Vec::new();
        for (kind, _, related) in &self.subs {
            if !out.contains(kind) {
                out.push(*kind);
            }
            for r in related {
                if !out.contains(&r.child) {
                    out.push(r.child);
                }
            }
        }
        // Parents before the types they bring (also when those are
        // subscribed directly), so that a parent is settled first.
        let mut ordered: Vec<EntityKind> = Vec::new();
        while ordered.len() < out.len() {
            let ready = out
                .iter()
                .copied()
                .filter(|k| !ordered.contains(k))
                .find(|k| self.as_child(*k).iter().all(|(parent, _, _)| parent == k || ordered.contains(parent)));
            // A loop of types bringing each other: the rest in order.
            let next = ready.or_else(|| out.iter().copied().find(|k| !ordered.contains(k)));
            ordered.extend(next);
        }
        ordered
    }

    /// The subscriptions that bring `kind`: the parent type, the parent's
    /// filter and what it brings.
    fn as_child(&self, kind: EntityKind) -> Vec<(EntityKind, Option<&str>, &Related)> {
        self.subs
            .iter()
            .flat_map(|(parent, filter, related)| related.iter().map(move |r| (*parent, filter.as_deref(), r)))
            .filter(|(_, _, r)| r.child == kind)
            .collect()
    }

    fn as_parent(&self, kind: EntityKind) -> Vec<&Related> {
        self.subs.iter().filter(|(k, _, _)| *k == kind).flat_map(|(_, _, related)| related.iter()).collect()
    }

    /// The filters that subscribe `kind` directly (`None`: all its records).
    fn direct(&self, kind: EntityKind) -> Vec<Option<&str>> {
        self.subs.iter().filter(|(k, _, _)| *k == kind).map(|(_, f, _)| f.as_deref()).collect()
    }
}

/// Subscriptions, rights and field rules the held set was computed for.
fn fingerprint(app: &App, ctx: &Ctx, schemas: &crate::Schemas, plan: &Plan) -> String {
    // The plan as resolved for this user now (types gone or unreadable are
    // out of it), the fields they may not see, and whose records they read.
    let subscriptions: Vec<Json> = plan
        .subs
        .iter()
        .map(|(kind, filter, related)| {
            let brought: Vec<String> = related
                .iter()
                .map(|r| format!("{}.{}:{:?}:{:?}", r.child.api_name(), r.via, r.filter, r.recent))
                .collect();
            json!([kind.api_name(), filter, brought])
        })
        .collect();
    let hidden: Vec<String> = plan
        .kinds()
        .iter()
        .flat_map(|k| {
            let schema = schemas.get(*k);
            schema.fields().filter(|f| schema.is_hidden(f)).map(|f| f.qualified_id().into_owned()).collect::<Vec<_>>()
        })
        .collect();
    let scopes: Vec<String> =
        plan.kinds().iter().map(|k| format!("{}:{:?}", k.api_name(), ctx.access.scope(*k, Right::Read))).collect();
    // Windows of recent records (activities of the last 90 days) move with
    // time, which no change in the feed tells: a new day makes a full pass,
    // whose sweep removes what aged out (records held at their version are
    // not sent again).
    let windowed = plan.subs.iter().any(|(_, _, related)| related.iter().any(|r| r.recent.is_some()));
    let day = windowed.then(|| app.store.now().date_naive().to_string());
    let seen = json!({"subscriptions": subscriptions, "hidden": hidden, "scopes": scopes, "day": day});
    relata_identity::secret::digest(&seen.to_string())
}

/// What one pull decided, written when it ends.
struct Pull<'a> {
    app: &'a App,
    ctx: &'a Ctx,
    /// The types as the user sees them.
    schemas: &'a crate::Schemas,
    device: Uuid,
    /// This pull's number.
    n: i64,
    acked: i64,
    generation: i64,
    /// Whether the device holds nothing (a first sync, or starting over).
    from_nothing: bool,
    changes: Vec<Json>,
    /// What the device holds after this pull, by type and id (the last
    /// decision about a record counts).
    held: HashMap<(String, Uuid), Held>,
    /// Records decided in this step of the pull: held after it (true) or
    /// removed. A later step looks at a record again (it may have changed
    /// since).
    decided: HashMap<(EntityKind, Uuid), bool>,
}

/// `limit` changes at most after `cursor` (none: from nothing).
pub async fn pull(
    app: &App,
    ctx: &Ctx,
    device_id: Uuid,
    cursor: Option<&str>,
    limit: Option<u64>,
) -> Result<Json, AppError> {
    let limit = limit.unwrap_or(500);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(AppError::BadParameter("limit", format!("must be between 1 and {MAX_LIMIT}")));
    }
    let mut device = super::device(app, ctx, device_id).await?;
    let schemas = app.schemas_for(ctx).await?;
    let plan = Plan::of(app, ctx, &schemas, &device);
    let print = fingerprint(app, ctx, &schemas, &plan);
    let cursor = cursor.map(str::trim).filter(|c| !c.is_empty());
    let (acked, from) = match cursor {
        None => (device.issued, None),
        Some(text) => {
            let bad = |m: &str| AppError::BadParameter("cursor", m.to_string());
            let token = decode(text).ok_or_else(|| bad("not a cursor this server issued"))?;
            if token.ws != ctx.ws().uuid() || token.device != device.id {
                return Err(bad("this cursor belongs to another device"));
            }
            if token.pull > device.issued {
                return Err(bad("not a cursor this server issued"));
            }
            if token.pull < device.acked {
                return Err(AppError::conflict("refuse-sync-cursor-old", vec![]));
            }
            (token.pull, Some(token))
        }
    };
    let (phase, generation) = match from {
        Some(token) if token.print == print => (token.phase, token.generation),
        // From nothing, or the subscriptions or rights changed since the
        // cursor: a full pass, of a generation no earlier pull used.
        _ => {
            let head = app.store.feed_head().await?;
            (Phase::Pass { head, sub: 0, cursor: None }, device.generation + 1)
        }
    };
    let mut pull = Pull {
        app,
        ctx,
        schemas: &schemas,
        device: device.id,
        n: device.issued + 1,
        acked,
        generation,
        from_nothing: cursor.is_none(),
        changes: Vec::new(),
        held: HashMap::new(),
        decided: HashMap::new(),
    };
    let mut conn = app.store.read(ctx.ws()).await?;
    let mut phase = phase;
    // A full pass starting sends the types' descriptions first.
    let mut metadata = matches!(&phase, Phase::Pass { sub: 0, cursor: None, .. });
    let more = loop {
        if pull.changes.len() as u64 >= limit {
            break true;
        }
        phase = match phase {
            Phase::Pass { head, sub, .. } if sub >= plan.subs.len() => Phase::Sweep { head, after: None },
            Phase::Pass { head, sub, cursor } => {
                // Records that bring others take a share of what remains:
                // their related records come in the same step.
                let share = if plan.subs[sub].2.is_empty() { 1 } else { BRINGING_SHARE };
                let page = (remaining(limit, &pull) / share).clamp(1, PASS_PAGE);
                pull.pass_step(&mut conn, &plan, (head, sub, cursor), page).await?
            }
            Phase::Sweep { head, after } => pull.sweep_step(&mut conn, head, after).await?,
            Phase::Feed { position } => {
                let scan = remaining(limit, &pull).min(FEED_SCAN);
                let (next, scanned, changed_metadata) = pull.feed_step(&mut conn, &plan, position, scan).await?;
                metadata |= changed_metadata;
                let full = scanned == scan;
                phase = Phase::Feed { position: next };
                if !full {
                    break false;
                }
                continue;
            }
        };
    };
    let mut changes = std::mem::take(&mut pull.changes);
    with_lines(&mut conn, &schemas, &mut changes).await?;
    drop(conn);
    if metadata {
        // Before the records that use them.
        let entities: Vec<Json> = plan.kinds().iter().map(|k| crate::describe::entity_json(schemas.get(*k))).collect();
        changes.insert(0, json!({"op": "metadata", "entities": entities}));
    }
    let mut tx = app.store.write(ctx.ws()).await?;
    if pull.from_nothing {
        tx.forget_held(device.id).await?;
    } else {
        tx.forget_confirmed_removals(device.id, acked).await?;
    }
    let held: Vec<Held> = pull.held.into_values().collect();
    tx.put_held(device.id, &held).await?;
    let expected = device.issued;
    device.issued = pull.n;
    device.acked = acked;
    device.generation = device.generation.max(generation);
    device.last_sync_at = Some(tx.now());
    if !tx.advance_sync_device(&device, expected).await? {
        return Err(AppError::conflict("refuse-sync-busy", vec![]));
    }
    tx.commit().await?;
    let token = Token { v: 1, ws: ctx.ws().uuid(), device: device.id, pull: pull.n, print, generation, phase };
    Ok(json!({"cursor": encode(&token), "more": more, "changes": changes}))
}

/// How many more changes a pull may answer with (at least one more step).
fn remaining(limit: u64, pull: &Pull) -> u64 {
    limit.saturating_sub(pull.changes.len() as u64).max(1)
}

impl Pull<'_> {
    /// The held rows of these records: what this pull decided, else what
    /// was written before (nothing when the device starts from nothing).
    async fn held_rows(
        &self,
        conn: &mut ScopedConn,
        kind: EntityKind,
        ids: &[Uuid],
    ) -> Result<HashMap<Uuid, Held>, AppError> {
        let mut out = HashMap::new();
        if !self.from_nothing {
            for chunk in ids.chunks(CHUNK) {
                for h in conn.held(self.device, kind.api_name(), chunk).await? {
                    out.insert(h.record, h);
                }
            }
        }
        // What this pull decided so far counts over what was written before.
        for id in ids {
            if let Some(h) = self.held.get(&(kind.api_name().to_string(), *id)) {
                out.insert(*id, h.clone());
            }
        }
        Ok(out)
    }

    /// Sends `record` unless the device surely has this version.
    fn upsert(&mut self, schema: &Schema, record: &Record, held: Option<&Held>) {
        let key = (schema.kind, record.id.uuid());
        if self.decided.contains_key(&key) {
            return;
        }
        self.decided.insert(key, true);
        let entity = schema.kind.api_name().to_string();
        if let Some(h) = held.filter(|h| h.confirmed(self.acked) && h.version == record.version) {
            self.keep(Held { generation: self.generation, ..h.clone() });
            return;
        }
        self.changes.push(json!({
            "op": "upsert",
            "entity": entity,
            "id": record.id.to_string(),
            "version": record.version,
            "record": record.to_json(schema),
        }));
        let (version, sent, generation) = (record.version, self.n, self.generation);
        self.keep(Held { entity, record: record.id.uuid(), version, sent, gone: None, generation });
    }

    fn keep(&mut self, held: Held) {
        self.held.insert((held.entity.clone(), held.record), held);
    }

    /// Tells the device to remove a record it may hold.
    fn remove(&mut self, kind: EntityKind, held: &Held, reason: &str) {
        let key = (kind, held.record);
        if self.decided.contains_key(&key) {
            return;
        }
        self.decided.insert(key, false);
        self.removal(kind.api_name(), held, reason);
    }

    fn removal(&mut self, entity: &str, held: &Held, reason: &str) {
        self.changes.push(json!({"op": "remove", "entity": entity, "id": held.record, "reason": reason}));
        self.keep(Held { gone: Some(self.n), ..held.clone() });
    }

    /// One page of a subscription's records, with what they bring.
    async fn pass_step(
        &mut self,
        conn: &mut ScopedConn,
        plan: &Plan,
        (head, sub, cursor): (i64, usize, Option<String>),
        page: u64,
    ) -> Result<Phase, AppError> {
        let (kind, filter, related) = &plan.subs[sub];
        let params = ListParams {
            filter: filter.clone(),
            sort: Some("id".into()),
            cursor,
            limit: Some(page),
            ..Default::default()
        };
        let (page, _) = crate::read::list(self.app, self.ctx, *kind, &params).await?;
        let schema = self.schemas.get(*kind);
        let ids: Vec<Uuid> = page.records.iter().map(|r| r.id.uuid()).collect();
        let held = self.held_rows(conn, *kind, &ids).await?;
        for record in &page.records {
            self.upsert(schema, record, held.get(&record.id.uuid()));
        }
        for r in related {
            self.bring(conn, r, &ids).await?;
        }
        Ok(match page.next_cursor {
            Some(next) => Phase::Pass { head, sub, cursor: Some(next) },
            None => Phase::Pass { head, sub: sub + 1, cursor: None },
        })
    }

    /// Sends what held `parents` bring of `related`'s type.
    async fn bring(&mut self, conn: &mut ScopedConn, related: &Related, parents: &[Uuid]) -> Result<(), AppError> {
        let schema = self.schemas.get(related.child);
        for chunk in parents.chunks(CHUNK) {
            let children = self.related_records(related, chunk, None).await?;
            let ids: Vec<Uuid> = children.iter().map(|r| r.id.uuid()).collect();
            let held = self.held_rows(conn, related.child, &ids).await?;
            for child in &children {
                self.upsert(schema, child, held.get(&child.id.uuid()));
            }
        }
        Ok(())
    }

    /// The records of `related`'s type that `parents` bring (among `ids`, if given).
    async fn related_records(
        &self,
        related: &Related,
        parents: &[Uuid],
        ids: Option<&[Uuid]>,
    ) -> Result<Vec<Record>, AppError> {
        let mut conditions = vec![Expr::one_of(related.via, parents.iter().map(|p| p.to_string()))];
        if let Some((field, days)) = related.recent {
            let since = self.app.store.now() - chrono::Duration::days(days);
            conditions.push(Expr::compare(field, Op::Ge, relata_core::value::format_datetime(&since)));
        }
        if let Some(ids) = ids {
            conditions.push(Expr::one_of("id", ids.iter().map(|i| i.to_string())));
        }
        every(self.app, self.ctx, related.child, related.filter, conditions).await
    }

    /// Removes what the full pass did not find.
    async fn sweep_step(
        &mut self,
        conn: &mut ScopedConn,
        head: i64,
        after: Option<(String, Uuid)>,
    ) -> Result<Phase, AppError> {
        if self.from_nothing {
            return Ok(Phase::Feed { position: head });
        }
        let after_ref = after.as_ref().map(|(e, i)| (e.as_str(), *i));
        let rows = conn.held_not_found(self.device, (self.generation, self.acked), after_ref, PASS_PAGE).await?;
        let mut by_type: Vec<(String, Vec<Held>)> = Vec::new();
        for row in &rows {
            match by_type.last_mut() {
                Some((entity, held)) if *entity == row.entity => held.push(row.clone()),
                _ => by_type.push((row.entity.clone(), vec![row.clone()])),
            }
        }
        for (entity, held) in by_type {
            let Some(kind) = self.schemas.kind(&entity) else {
                // The type is gone (a custom object deleted): so are its records.
                for h in &held {
                    self.removal(&entity, h, "deleted");
                }
                continue;
            };
            let ids: Vec<Uuid> =
                held.iter().filter(|h| !self.decided.contains_key(&(kind, h.record))).map(|h| h.record).collect();
            let reasons = self.reasons(conn, self.schemas.get(kind), &ids).await?;
            for h in held.iter().filter(|h| ids.contains(&h.record)) {
                self.remove(kind, h, reasons.get(&h.record).copied().unwrap_or("out_of_subscription"));
            }
        }
        Ok(match rows.last() {
            Some(last) if rows.len() as u64 == PASS_PAGE => {
                Phase::Sweep { head, after: Some((last.entity.clone(), last.record)) }
            }
            _ => Phase::Feed { position: head },
        })
    }

    /// Why records the user no longer has are gone: `deleted` (in the trash
    /// or erased) or `out_of_reach` (theirs no more); records they may
    /// still read are absent.
    async fn reasons(
        &self,
        conn: &mut ScopedConn,
        schema: &Schema,
        ids: &[Uuid],
    ) -> Result<HashMap<Uuid, &'static str>, AppError> {
        let visible: HashSet<Uuid> =
            records_by_ids(self.app, self.ctx, schema.kind, None, ids).await?.iter().map(|r| r.id.uuid()).collect();
        let mut out = HashMap::new();
        for id in ids.iter().filter(|i| !visible.contains(i)) {
            let record = conn.get_record(schema, relata_core::RecordId::from_uuid(*id), true).await?;
            let deleted = record.is_none_or(|r| r.deleted_at.is_some());
            out.insert(*id, if deleted { "deleted" } else { "out_of_reach" });
        }
        Ok(out)
    }

    /// The records the feed says changed after `position`, looked at again.
    /// Returns the position reached, the entries looked at and whether
    /// metadata changed.
    async fn feed_step(
        &mut self,
        conn: &mut ScopedConn,
        plan: &Plan,
        position: i64,
        scan: u64,
    ) -> Result<(i64, u64, bool), AppError> {
        self.app.store.sequence_changes().await?;
        // Records this pull decided before may have changed since.
        self.decided.clear();
        let kinds = plan.kinds();
        let singulars: Vec<&str> = kinds.iter().map(|k| k.singular()).chain([METADATA]).collect();
        let entries = conn.feed_page(position, Some(&singulars), scan).await?;
        let reached = entries.last().map_or(position, |e| e.position);
        let metadata = entries.iter().any(|e| e.entity == METADATA);
        let mut queue: VecDeque<(EntityKind, Vec<Uuid>)> = VecDeque::new();
        for kind in &kinds {
            let mut ids: Vec<Uuid> = Vec::new();
            for e in entries.iter().filter(|e| e.entity == kind.singular()) {
                if !ids.contains(&e.record_id) {
                    ids.push(e.record_id);
                }
            }
            if !ids.is_empty() {
                queue.push_back((*kind, ids));
            }
        }
        let schemas = self.schemas;
        while let Some((kind, ids)) = queue.pop_front() {
            let ids: Vec<Uuid> = ids.into_iter().filter(|i| !self.decided.contains_key(&(kind, *i))).collect();
            if ids.is_empty() {
                continue;
            }
            let (entered, left) = self.settle(conn, plan, schemas.get(kind), &ids).await?;
            // A record that came or went brings or takes its related ones.
            for related in plan.as_parent(kind) {
                let moved: Vec<Uuid> = entered.iter().chain(&left).copied().collect();
                let mut children = Vec::new();
                for chunk in moved.chunks(CHUNK) {
                    let conditions = vec![Expr::one_of(related.via, chunk.iter().map(|p| p.to_string()))];
                    children.extend(
                        every(self.app, self.ctx, related.child, None, conditions).await?.iter().map(|r| r.id.uuid()),
                    );
                }
                if !children.is_empty() {
                    queue.push_back((related.child, children));
                }
            }
        }
        Ok((reached, entries.len() as u64, metadata))
    }

    /// Looks at records again: sends those within the subscriptions,
    /// removes those the device may hold that are not. Returns the records
    /// that came into the device and those that left it.
    async fn settle(
        &mut self,
        conn: &mut ScopedConn,
        plan: &Plan,
        schema: &Schema,
        ids: &[Uuid],
    ) -> Result<(Vec<Uuid>, Vec<Uuid>), AppError> {
        let kind = schema.kind;
        let visible = records_by_ids(self.app, self.ctx, kind, None, ids).await?;
        let mut members: HashSet<Uuid> = HashSet::new();
        for filter in plan.direct(kind) {
            match filter {
                None => members.extend(visible.iter().map(|r| r.id.uuid())),
                Some(f) => members.extend(self.passing(schema, f, &visible).await?),
            }
        }
        for (parent, parent_filter, related) in plan.as_child(kind) {
            let parents: Vec<Uuid> = visible.iter().filter_map(|r| r.values.ref_id(related.via)).collect();
            // Parents the device holds through this subscription, as a full
            // pass would bring their records.
            let mut held = self.held_now(conn, parent, &parents).await?;
            if let Some(filter) = parent_filter {
                let ids: Vec<Uuid> = held.iter().copied().collect();
                let records = records_by_ids(self.app, self.ctx, parent, None, &ids).await?;
                let through: HashSet<Uuid> =
                    self.passing(self.schemas.get(parent), filter, &records).await?.into_iter().collect();
                held.retain(|p| through.contains(p));
            }
            let candidates: Vec<Uuid> = visible
                .iter()
                .filter(|r| r.values.ref_id(related.via).is_some_and(|p| held.contains(&p)))
                .map(|r| r.id.uuid())
                .collect();
            if candidates.is_empty() {
                continue;
            }
            let held_parents: Vec<Uuid> = held.into_iter().collect();
            let passing = self.related_records(related, &held_parents, Some(&candidates)).await?;
            members.extend(passing.iter().map(|r| r.id.uuid()));
        }
        let held = self.held_rows(conn, kind, ids).await?;
        let was_held = |id: &Uuid| held.get(id).is_some_and(|h| h.gone.is_none());
        let (mut entered, mut left) = (Vec::new(), Vec::new());
        let visible_ids: HashSet<Uuid> = visible.iter().map(|r| r.id.uuid()).collect();
        for record in &visible {
            let id = record.id.uuid();
            if members.contains(&id) {
                if !was_held(&id) {
                    entered.push(id);
                }
                self.upsert(schema, record, held.get(&id));
            } else if let Some(h) = held.get(&id) {
                if h.gone.is_none() {
                    left.push(id);
                }
                self.remove(kind, h, "out_of_subscription");
            }
        }
        let unseen: Vec<Uuid> =
            ids.iter().filter(|i| !visible_ids.contains(i) && held.contains_key(i)).copied().collect();
        let reasons = self.reasons(conn, schema, &unseen).await?;
        for id in unseen {
            let h = &held[&id];
            if h.gone.is_none() {
                left.push(id);
            }
            self.remove(kind, h, reasons.get(&id).copied().unwrap_or("out_of_reach"));
        }
        Ok((entered, left))
    }

    /// Which of `records` pass `filter` as the user sees them: decided in
    /// memory when the filter names only the records' own fields, by the
    /// database otherwise.
    async fn passing(&self, schema: &Schema, filter: &str, records: &[Record]) -> Result<Vec<Uuid>, AppError> {
        let compiled = crate::read::compile_filter(self.ctx, schema, Some(filter), &[]).ok().flatten();
        let mut out = Vec::new();
        let mut undecided = Vec::new();
        for record in records {
            let decided = compiled
                .as_ref()
                .filter(|f| !names_system_fields(f))
                .and_then(|f| holds(f, &|field| record.values.get(field).clone()));
            match decided {
                Some(true) => out.push(record.id.uuid()),
                Some(false) => {}
                None => undecided.push(record.id.uuid()),
            }
        }
        let asked = records_by_ids(self.app, self.ctx, schema.kind, Some(filter), &undecided).await?;
        out.extend(asked.iter().map(|r| r.id.uuid()));
        Ok(out)
    }

    /// Which of `ids` the device holds after this pull so far.
    async fn held_now(&self, conn: &mut ScopedConn, kind: EntityKind, ids: &[Uuid]) -> Result<HashSet<Uuid>, AppError> {
        let held = self.held_rows(conn, kind, ids).await?;
        Ok(held.values().filter(|h| h.gone.is_none()).map(|h| h.record).collect())
    }
}

/// Puts their lines into the documents a pull sends (lists read headers
/// only); the header was read as the user, so its lines are theirs to see.
async fn with_lines(conn: &mut ScopedConn, schemas: &crate::Schemas, changes: &mut [Json]) -> Result<(), AppError> {
    for change in changes.iter_mut().filter(|c| c["op"] == "upsert") {
        let Some(kind) = change["entity"].as_str().and_then(|e| schemas.kind(e)) else { continue };
        let Some(def) = &schemas.get(kind).def().lines else { continue };
        let Some(id) = change["id"].as_str().and_then(|i| i.parse::<relata_core::RecordId>().ok()) else { continue };
        let lines = conn.document_lines(def, id).await?;
        change["record"]["lines"] =
            json!(lines.iter().map(|l| relata_core::document::line_json(def, l)).collect::<Vec<_>>());
    }
    Ok(())
}

/// The records among `ids` the user may read that pass `filter`.
async fn records_by_ids(
    app: &App,
    ctx: &Ctx,
    kind: EntityKind,
    filter: Option<&str>,
    ids: &[Uuid],
) -> Result<Vec<Record>, AppError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        let conditions = vec![Expr::one_of("id", chunk.iter().map(|i| i.to_string()))];
        out.extend(every(app, ctx, kind, filter, conditions).await?);
    }
    Ok(out)
}

/// Every live record the user may read of `kind` that passes `filter` and
/// `conditions`, page by page.
async fn every(
    app: &App,
    ctx: &Ctx,
    kind: EntityKind,
    filter: Option<&str>,
    conditions: Vec<Expr>,
) -> Result<Vec<Record>, AppError> {
    let mut out = Vec::new();
    let mut params = ListParams {
        filter: filter.map(str::to_string),
        conditions,
        sort: Some("id".into()),
        limit: Some(crate::read::MAX_LIMIT),
        ..Default::default()
    };
    loop {
        let (page, _) = crate::read::list(app, ctx, kind, &params).await?;
        out.extend(page.records);
        match page.next_cursor {
            Some(next) => params.cursor = Some(next),
            None => return Ok(out),
        }
    }
}

/// Whether a filter looks at fields a record's values do not hold (its id,
/// version, times and authors) or at related records.
fn names_system_fields(filter: &Filter) -> bool {
    match filter {
        Filter::And(parts) | Filter::Or(parts) => parts.iter().any(names_system_fields),
        Filter::Not(inner) => names_system_fields(inner),
        Filter::Compare { field, .. } | Filter::In { field, .. } | Filter::IsNull { field, .. } => field.system,
        Filter::Related { .. } => true,
    }
}
