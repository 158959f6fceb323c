//! The user's address book (contacts) and calendar (meetings and calls as
//! events, tasks as to-dos) over the application's read and write paths:
//! what a collection holds is what the user's DAV subscription selects among
//! the records they may read, objects are made from the fields they may see,
//! and a client's edit is an ordinary change (validation, permissions,
//! change log) written in one transaction with the object it came in.

use crate::content::Component;
use crate::recur::{self, Span};
use crate::{ical, vcard};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use relata_app::error::AppError;
use relata_app::feed::{self, FeedQuery};
use relata_app::read::{self, ListParams};
use relata_app::{App, Ctx, write};
use relata_core::access::Right;
use relata_core::filter::Expr;
use relata_core::meta::{EntityKind, Schema};
use relata_core::{Record, RecordId, ValidationError};
use relata_store::dav::DavObject;
use serde_json::{Map, Value as Json, json};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// What a user's collections show when they did not choose.
pub const DEFAULT_FILTER: &str = "owner = me";
/// Changed records one sync-collection answer reports at most; past it the
/// answer is truncated (RFC 6578 3.6) and the client asks again.
pub const MAX_CHANGES: usize = 5000;
const TOKEN_PREFIX: &str = "urn:relata:sync:";
/// Bodies of vCards and calendar objects at most.
pub const MAX_OBJECT_BYTES: usize = 1024 * 1024;

/// A user's two collections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Collection {
    AddressBook,
    Calendar,
}

impl Collection {
    pub fn kind(self) -> EntityKind {
        match self {
            Collection::AddressBook => relata_crm::CONTACTS,
            Collection::Calendar => relata_crm::ACTIVITIES,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Collection::AddressBook => "vcf",
            Collection::Calendar => "ics",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Collection::AddressBook => "text/vcard; charset=utf-8",
            Collection::Calendar => "text/calendar; charset=utf-8",
        }
    }

    /// The fields the objects carry.
    fn fields(self) -> Vec<&'static str> {
        match self {
            Collection::AddressBook => vcard::MAPPED.iter().flat_map(|(_, f)| f.iter().copied()).collect(),
            Collection::Calendar => {
                vec!["kind", "subject", "body", "start_at", "end_at", "due_at", "done", "contact", "account"]
            }
        }
    }
}

/// Why a DAV request is refused.
#[derive(Debug)]
pub enum DavError {
    /// The object is not a vCard / calendar object the CRM can take.
    InvalidObject(String),
    /// `If-Match` / `If-None-Match` did not hold.
    PreconditionFailed,
    /// Another object of the collection has this UID (or name).
    UidConflict,
    /// A sync token this server did not issue, or one issued before the
    /// user's rights, fields or subscription changed: sync from scratch.
    InvalidSyncToken,
    App(AppError),
}

impl From<AppError> for DavError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::VersionConflict { .. } => DavError::PreconditionFailed,
            e => DavError::App(e),
        }
    }
}

impl From<relata_store::StoreError> for DavError {
    fn from(e: relata_store::StoreError) -> Self {
        DavError::App(e.into())
    }
}

/// Which contacts and activities a user's collections show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subscription {
    pub contacts: String,
    pub activities: String,
}

impl Subscription {
    pub fn to_json(&self) -> Json {
        json!({"contacts": self.contacts, "activities": self.activities})
    }

    /// The filter of one collection.
    fn filter(&self, collection: Collection) -> &str {
        match collection {
            Collection::AddressBook => &self.contacts,
            Collection::Calendar => &self.activities,
        }
    }
}

pub async fn subscription(app: &App, ctx: &Ctx) -> Result<Subscription, AppError> {
    let user = ctx.actor.ok_or_else(|| AppError::forbidden("refuse-people-only", vec![]))?;
    let mut conn = app.reader(ctx).await?;
    Ok(match conn.dav_subscription(user).await? {
        Some((contacts, activities)) => Subscription { contacts, activities },
        None => Subscription { contacts: DEFAULT_FILTER.into(), activities: DEFAULT_FILTER.into() },
    })
}

/// Sets what the user's collections show: list filters checked as the user
/// (field-level errors `contacts`, `activities`).
pub async fn put_subscription(app: &App, ctx: &Ctx, input: &Json) -> Result<Subscription, AppError> {
    let user = ctx.actor.ok_or_else(|| AppError::forbidden("refuse-people-only", vec![]))?;
    let current = subscription(app, ctx).await?;
    let mut errors = Vec::new();
    let mut chosen = Vec::new();
    for (name, collection, old) in [
        ("contacts", Collection::AddressBook, &current.contacts),
        ("activities", Collection::Calendar, &current.activities),
    ] {
        let text = match input.get(name) {
            // Unchanged: not checked again (the user may since have lost
            // the right to read the type; the collection is then empty).
            None => {
                chosen.push(old.clone());
                continue;
            }
            Some(Json::String(s)) if !s.trim().is_empty() => s.clone(),
            Some(_) => {
                errors.push(relata_core::error::FieldError::new(name, "invalid", "a list filter, as text"));
                continue;
            }
        };
        match read::check_filter(app, ctx, collection.kind(), &text).await {
            Ok(()) => chosen.push(text),
            Err(AppError::Filter(e)) => {
                errors.push(relata_core::error::FieldError::new(name, "invalid_filter", e.to_string()))
            }
            Err(AppError::Forbidden(r)) => errors.push(r.refusal_of(name, "forbidden")),
            Err(AppError::Denied(d)) => {
                errors.push(relata_core::error::FieldError::new(name, "forbidden", d.to_string()))
            }
            Err(e) => return Err(e),
        }
    }
    if let Some(Json::Object(extra)) = Some(input).filter(|i| i.is_object())
        && let Some(key) = extra.keys().find(|k| !["contacts", "activities"].contains(&k.as_str()))
    {
        errors.push(relata_core::error::FieldError::new(key, "unknown_field", "expected contacts and activities"));
    }
    ValidationError::check(errors)?;
    let mut tx = app.writer(ctx).await?;
    tx.put_dav_subscription(user, &chosen[0], &chosen[1]).await?;
    tx.commit().await?;
    Ok(Subscription { contacts: chosen[0].clone(), activities: chosen[1].clone() })
}

/// What a collection holds: the user's filter, and for the calendar the
/// activities a calendar shows (meetings and calls with a start, tasks), a
/// condition built in code.
fn membership(collection: Collection) -> Vec<Expr> {
    match collection {
        Collection::AddressBook => Vec::new(),
        Collection::Calendar => vec![Expr::Or(vec![
            Expr::all([Expr::one_of("kind", ["meeting", "call"]), Expr::is_null("start_at", true)]),
            Expr::eq("kind", "task"),
        ])],
    }
}

/// One object of a collection, as a client sees it.
pub struct Member {
    pub name: String,
    pub etag: String,
    pub record: Record,
    pub kept: Option<DavObject>,
}

/// A collection read for one request: the user's schema and subscription.
pub struct View {
    pub collection: Collection,
    schemas: std::sync::Arc<relata_app::Schemas>,
    sub: Subscription,
    /// Changes when what the user may see of the collection changes
    /// (fields, rights, subscription): part of ETags and sync tokens.
    fingerprint: String,
}

impl View {
    pub async fn open(app: &App, ctx: &Ctx, collection: Collection) -> Result<View, AppError> {
        ctx.access.check_kind(collection.kind(), Right::Read)?;
        let schemas = app.schemas_for(ctx).await?;
        let sub = subscription(app, ctx).await?;
        let schema = schemas.get(collection.kind());
        let visible: Vec<String> = schema.visible_fields().map(|f| f.qualified_id().into_owned()).collect();
        let scope = format!("{:?}", ctx.access.scope(collection.kind(), Right::Read));
        let filter = sub.filter(collection);
        let digest = Sha256::digest(format!("{}\n{scope}\n{filter}", visible.join(",")));
        let fingerprint = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
        Ok(View { collection, schemas, sub, fingerprint })
    }

    fn schema(&self) -> &Schema {
        self.schemas.get(self.collection.kind())
    }

    fn entity(&self) -> &'static str {
        self.collection.kind().singular()
    }

    fn default_name(&self, id: Uuid) -> String {
        format!("{id}.{}", self.collection.extension())
    }

    fn etag(&self, record: &Record, kept: Option<&DavObject>) -> String {
        format!("\"{}-{}-{}\"", record.version, kept.map_or(0, |k| k.revision), self.fingerprint)
    }

    fn member(&self, record: Record, kept: Option<DavObject>) -> Member {
        let name = kept.as_ref().map_or_else(|| self.default_name(record.id.uuid()), |k| k.name.clone());
        Member { name, etag: self.etag(&record, kept.as_ref()), record, kept }
    }

    /// Members among some records (all of them when `ids` is `None`), in
    /// pages over the list path (permissions and the subscription apply).
    pub async fn members(&self, app: &App, ctx: &Ctx, ids: Option<&[Uuid]>) -> Result<Vec<Member>, AppError> {
        let mut records = Vec::new();
        let chunks: Vec<Option<&[Uuid]>> = match ids {
            Some(ids) => ids.chunks(200).map(Some).collect(),
            None => vec![None],
        };
        for chunk in chunks {
            let mut cursor = None;
            loop {
                let mut conditions = membership(self.collection);
                if let Some(ids) = chunk {
                    conditions.push(Expr::one_of("id", ids.iter().map(|u| u.to_string())));
                }
                let params = ListParams {
                    filter: Some(self.sub.filter(self.collection).to_string()),
                    conditions,
                    sort: Some("id".into()),
                    cursor: cursor.take(),
                    limit: Some(read::MAX_LIMIT),
                    ..ListParams::default()
                };
                let (page, _) = read::list(app, ctx, self.collection.kind(), &params).await?;
                records.extend(page.records);
                match page.next_cursor {
                    Some(next) => cursor = Some(next),
                    None => break,
                }
            }
        }
        let ids: Vec<Uuid> = records.iter().map(|r| r.id.uuid()).collect();
        let mut kept: HashMap<Uuid, DavObject> = HashMap::new();
        let mut conn = app.reader(ctx).await?;
        for o in conn.dav_objects(self.entity(), &ids).await? {
            kept.insert(o.record, o);
        }
        Ok(records
            .into_iter()
            .map(|r| {
                let k = kept.remove(&r.id.uuid());
                self.member(r, k)
            })
            .collect())
    }

    /// The member a name stands for, if it is one.
    pub async fn member_named(&self, app: &App, ctx: &Ctx, name: &str) -> Result<Option<Member>, AppError> {
        Ok(self.members_named(app, ctx, &[name]).await?.remove(name))
    }

    /// The members these names stand for, by name (a name that stands for
    /// none is absent): one lookup of the names and one list for them all.
    pub async fn members_named(
        &self,
        app: &App,
        ctx: &Ctx,
        names: &[&str],
    ) -> Result<HashMap<String, Member>, AppError> {
        let named = self.records_named(app, ctx, names).await?;
        let ids: Vec<Uuid> = named.values().copied().collect();
        let members = self.members(app, ctx, Some(&ids)).await?;
        Ok(members.into_iter().filter(|m| named.contains_key(&m.name)).map(|m| (m.name.clone(), m)).collect())
    }

    /// The records names stand for: the one a client sent under a name,
    /// else the record whose id it is.
    async fn records_named(&self, app: &App, ctx: &Ctx, names: &[&str]) -> Result<HashMap<String, Uuid>, AppError> {
        let mut conn = app.reader(ctx).await?;
        let kept = conn.dav_objects_named(self.entity(), names).await?;
        let suffix = format!(".{}", self.collection.extension());
        Ok(names
            .iter()
            .filter_map(|name| {
                let id = match kept.iter().find(|o| o.name == *name) {
                    Some(o) => o.record,
                    None => Uuid::parse_str(name.strip_suffix(&suffix)?).ok()?,
                };
                Some((name.to_string(), id))
            })
            .collect())
    }

    /// A member's vCard or calendar object, from the fields the reader sees.
    pub fn body(&self, ctx: &Ctx, member: &Member) -> String {
        let schema = self.schema();
        let json = member.record.to_json(schema);
        let wanted = self.collection.fields();
        let values: Map<String, Json> = json
            .as_object()
            .map(|o| {
                o.iter().filter(|(k, _)| wanted.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect()
            })
            .unwrap_or_default();
        let kept = member.kept.as_ref().and_then(|k| crate::content::parse(&k.kept).ok()).and_then(|mut c| c.pop());
        let uid = member.kept.as_ref().map_or_else(|| member.record.id.to_string(), |k| k.uid.clone());
        match self.collection {
            Collection::AddressBook => {
                let region = ctx.parse.phone_region;
                let normalize = move |field: &str, value: &str| -> Option<String> {
                    match field {
                        "phones" => {
                            relata_core::phone::PhoneE164::parse(value, region).ok().map(|p| p.as_str().to_string())
                        }
                        _ => relata_core::email::Email::parse(value).ok().map(|e| e.as_str().to_string()),
                    }
                };
                vcard::card(&vcard::CardInput {
                    uid: &uid,
                    values: &values,
                    kept: kept.as_ref(),
                    revision: Some(member.record.updated_at.format("%Y%m%dT%H%M%SZ").to_string()),
                    normalize: &normalize,
                })
            }
            Collection::Calendar => {
                let kind = member.record.values.std("kind").as_text().unwrap_or("meeting").to_string();
                ical::calendar(&ical::ItemInput {
                    uid: &uid,
                    kind: &kind,
                    values: &values,
                    kept: kept.as_ref(),
                    stamp: member.record.updated_at,
                })
            }
        }
    }

    /// The token of the collection as it is now (also its ctag): the
    /// change feed's head, and the time, for objects clients sent whose
    /// record did not change (a nickname only Relata's kept object holds).
    pub async fn token(&self, app: &App, ctx: &Ctx) -> Result<String, AppError> {
        let at = app.store.now();
        app.store.sequence_changes().await?;
        let head = app.store.feed_head().await?;
        Ok(self.token_at(&feed::encode_cursor(ctx.ws(), head), at))
    }

    fn token_at(&self, cursor: &str, at: DateTime<Utc>) -> String {
        let text = format!("{cursor} {} {}", self.fingerprint, at.timestamp_micros());
        format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(text))
    }

    /// The feed cursor and the time a token of this view holds.
    fn cursor_of(&self, token: &str) -> Result<(String, DateTime<Utc>), DavError> {
        let encoded = token.trim().strip_prefix(TOKEN_PREFIX).ok_or(DavError::InvalidSyncToken)?;
        let raw = URL_SAFE_NO_PAD.decode(encoded).map_err(|_| DavError::InvalidSyncToken)?;
        let raw = String::from_utf8(raw).map_err(|_| DavError::InvalidSyncToken)?;
        let mut parts = raw.split(' ');
        match (parts.next(), parts.next(), parts.next().and_then(|t| t.parse::<i64>().ok()), parts.next()) {
            (Some(cursor), Some(fp), Some(micros), None) if fp == self.fingerprint => {
                let at = DateTime::from_timestamp_micros(micros).ok_or(DavError::InvalidSyncToken)?;
                Ok((cursor.to_string(), at))
            }
            _ => Err(DavError::InvalidSyncToken),
        }
    }

    /// What changed since a token: members changed (or added) and names
    /// removed (deleted, left the subscription or the user's reach), with
    /// the token to ask from next; `truncated` when more remain.
    pub async fn changes(&self, app: &App, ctx: &Ctx, token: Option<&str>) -> Result<Changes, DavError> {
        let Some(token) = token else {
            let now = self.token(app, ctx).await?;
            let members = self.members(app, ctx, None).await?;
            return Ok(Changes { changed: members, removed: Vec::new(), token: now, truncated: false });
        };
        let (mut cursor, since) = self.cursor_of(token)?;
        let now = app.store.now();
        let mut ids: Vec<Uuid> = Vec::new();
        let mut seen: HashSet<Uuid> = HashSet::new();
        let mut truncated = false;
        loop {
            let query = FeedQuery {
                after: Some(cursor.clone()),
                entities: Some(vec![self.collection.kind().api_name().to_string()]),
                limit: Some(feed::MAX_LIMIT),
                wait: std::time::Duration::ZERO,
            };
            let page = match feed::read(app, ctx, &query).await {
                Ok(page) => page,
                Err(AppError::BadParameter(..)) => return Err(DavError::InvalidSyncToken),
                Err(e) => return Err(e.into()),
            };
            for entry in &page.entries {
                if let Some(id) = entry["record_id"].as_str().and_then(|s| Uuid::parse_str(s).ok())
                    && seen.insert(id)
                {
                    ids.push(id);
                }
                if ids.len() >= MAX_CHANGES {
                    truncated = true;
                    cursor = entry["cursor"].as_str().unwrap_or(&cursor).to_string();
                    break;
                }
            }
            if truncated {
                break;
            }
            // Caught up when a read no longer moves the cursor.
            let moved = page.next_cursor != cursor;
            cursor = page.next_cursor;
            if !moved {
                break;
            }
        }
        let mut conn = app.reader(ctx).await?;
        // Objects sent since whose record did not change (a second of
        // margin for the clocks of other Relata processes).
        let margin = chrono::Duration::seconds(1);
        let sent = conn.dav_objects_sent_since(self.entity(), since - margin, MAX_CHANGES as u64).await?;
        ids.extend(sent.into_iter().filter(|id| seen.insert(*id)));
        let changed = self.members(app, ctx, Some(&ids)).await?;
        let present: HashSet<Uuid> = changed.iter().map(|m| m.record.id.uuid()).collect();
        let gone: Vec<Uuid> = ids.into_iter().filter(|id| !present.contains(id)).collect();
        let named: HashMap<Uuid, String> =
            conn.dav_objects(self.entity(), &gone).await?.into_iter().map(|o| (o.record, o.name)).collect();
        let removed = gone.iter().map(|id| named.get(id).cloned().unwrap_or_else(|| self.default_name(*id))).collect();
        // A truncated answer has not looked at every object sent since.
        let at = if truncated { since } else { now };
        Ok(Changes { changed, removed, token: self.token_at(&cursor, at), truncated })
    }

    /// Members of a component type (VEVENT, VTODO) with an instance in a
    /// time range (recurrences expanded), where given.
    pub async fn query(
        &self,
        app: &App,
        ctx: &Ctx,
        component: Option<&str>,
        range: Option<(DateTime<Utc>, DateTime<Utc>)>,
    ) -> Result<Vec<Member>, AppError> {
        let members = self.members(app, ctx, None).await?;
        if self.collection == Collection::AddressBook {
            return Ok(members);
        }
        Ok(members
            .into_iter()
            .filter(|m| {
                let task = m.record.values.std("kind").as_text() == Some("task");
                let matches_type = match component {
                    Some("VTODO") => task,
                    Some("VEVENT") => !task,
                    _ => true,
                };
                matches_type && range.is_none_or(|(from, to)| !self.spans(ctx, m, from, to).is_empty())
            })
            .collect())
    }

    fn spans(&self, ctx: &Ctx, member: &Member, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Span> {
        match crate::content::parse(&self.body(ctx, member)).ok().and_then(|mut c| c.pop()) {
            Some(calendar) => recur::spans(&calendar, from, to),
            None => Vec::new(),
        }
    }

    /// The busy times of the calendar's events in a range, merged.
    pub async fn busy(
        &self,
        app: &App,
        ctx: &Ctx,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Span>, AppError> {
        let members = self.query(app, ctx, Some("VEVENT"), Some((from, to))).await?;
        let mut spans: Vec<Span> =
            members.iter().flat_map(|m| self.spans(ctx, m, from, to)).filter(|s| s.busy).collect();
        spans.sort_by_key(|s| s.start);
        let mut merged: Vec<Span> = Vec::new();
        for s in spans {
            let s = Span { start: s.start.max(from), end: s.end.min(to), busy: true };
            match merged.last_mut() {
                Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
                _ => merged.push(s),
            }
        }
        Ok(merged)
    }

    /// Stores an object a client sent under `name`: a new record, or the
    /// record the name stands for when `existing`; `if_match` is the ETag
    /// the client had. Answers the new ETag and whether it was created.
    pub async fn put(
        &self,
        app: &App,
        ctx: &Ctx,
        name: &str,
        body: &str,
        preconditions: Preconditions<'_>,
    ) -> Result<(String, bool), DavError> {
        ctx.access.require_write().map_err(AppError::from)?;
        check_name(name, self.collection)?;
        let (object, uid, fields) = self.read_object(body, name)?;
        let named = self.records_named(app, ctx, &[name]).await?.remove(name);
        let existing = match named {
            Some(id) => self.members(app, ctx, Some(&[id])).await?.into_iter().find(|m| m.name == name),
            None => None,
        };
        match (&existing, &preconditions) {
            (Some(_), Preconditions { if_none_match_any: true, .. }) => return Err(DavError::PreconditionFailed),
            (None, Preconditions { if_match: Some(_), .. }) => return Err(DavError::PreconditionFailed),
            (Some(m), Preconditions { if_match: Some(tag), .. }) if !etag_matches(tag, &m.etag) => {
                return Err(DavError::PreconditionFailed);
            }
            _ => {}
        }
        let stale = match (&existing, named) {
            (None, Some(id)) => {
                match read::get(app, ctx, self.collection.kind(), RecordId::from_uuid(id), true).await {
                    // Trashed or gone: the name is free again.
                    Ok((r, _)) if r.deleted_at.is_some() => Some(id),
                    Err(AppError::NotFound) => Some(id),
                    // A live record outside the collection, or one the user may
                    // not read, goes by this name: not theirs to replace.
                    _ => return Err(DavError::UidConflict),
                }
            }
            _ => None,
        };
        let schema = self.schema();
        let mut input = self.writable(ctx, schema, fields);
        if let Some(m) = &existing
            && self.collection == Collection::Calendar
        {
            // An event stays the kind of event it was (a call is a call).
            let was_task = m.record.values.std("kind").as_text() == Some("task");
            if was_task == (input.get("kind").and_then(Json::as_str) == Some("task")) {
                input.remove("kind");
            }
        }
        if existing.is_none() && self.collection == Collection::Calendar {
            let (field, id) = self.link_of(app, ctx, &object).await?;
            if schema.field(field).is_some() {
                input.insert(field.to_string(), json!(id));
            }
        }
        let (values, _) = write::parse_body(schema, &Json::Object(input), ctx)?;
        let mut tx = app.writer(ctx).await.map_err(DavError::from)?;
        let (record, revision, created) = match &existing {
            Some(m) => {
                let r =
                    write::update_document_in(&mut tx, ctx, schema, m.record.id, values, None, Some(m.record.version))
                        .await?;
                (r, m.kept.as_ref().map_or(0, |k| k.revision) + 1, false)
            }
            None => (write::create_in(&mut tx, ctx, schema, values).await?, 1, true),
        };
        if let Some(id) = stale {
            tx.forget_dav_object(self.entity(), id).await?;
        }
        let kept = DavObject {
            entity: self.entity().to_string(),
            record: record.id.uuid(),
            name: name.to_string(),
            uid,
            kept: object.to_text(),
            revision,
            updated_at: tx.now(),
        };
        match tx.put_dav_object(&kept).await {
            Err(e) if e.is_unique_violation() => return Err(DavError::UidConflict),
            other => other?,
        }
        tx.commit().await?;
        Ok((self.etag(&record, Some(&kept)), created))
    }

    /// The record a new event or task belongs to (an activity concerns a
    /// customer): Relata's own link when the object carries one, else the
    /// first attendee or organizer whose email the user's contacts,
    /// accounts or leads have.
    async fn link_of(&self, app: &App, ctx: &Ctx, calendar: &Component) -> Result<(&'static str, String), DavError> {
        let links = ical::links(calendar);
        if let Some(contact) = links.contact {
            return Ok(("contact", contact));
        }
        if let Some(account) = links.account {
            return Ok(("account", account));
        }
        let schema = self.schema();
        for email in &links.emails {
            let Ok((found, _)) = read::lookup(app, ctx, read::ContactPoint::Email(email)).await else { continue };
            for record in found {
                let link = record.kind.singular();
                if schema.field(link).is_some() {
                    return Ok((link, record.id.to_string()));
                }
            }
        }
        Err(DavError::InvalidObject(
            "an activity in Relata concerns a customer: invite one of your contacts (an ATTENDEE with their email \
             address) to the event or task"
                .into(),
        ))
    }

    /// The object parsed, its UID (the name's stem when a vCard has none)
    /// and the fields it gives.
    fn read_object(&self, body: &str, name: &str) -> Result<(Component, String, Map<String, Json>), DavError> {
        let invalid = |e: crate::content::FormatError| DavError::InvalidObject(e.to_string());
        if body.len() > MAX_OBJECT_BYTES {
            return Err(DavError::InvalidObject(format!("the object is larger than {MAX_OBJECT_BYTES} bytes")));
        }
        match self.collection {
            Collection::AddressBook => {
                let card = vcard::parse(body).map_err(invalid)?;
                let fields = vcard::fields(&card).map_err(invalid)?;
                let uid =
                    vcard::uid(&card).unwrap_or_else(|| name.rsplit_once('.').map_or(name, |(s, _)| s).to_string());
                Ok((card, uid, fields))
            }
            Collection::Calendar => {
                let calendar = ical::parse(body).map_err(invalid)?;
                let fields = ical::fields(&calendar).map_err(invalid)?;
                let uid = ical::uid(&calendar).unwrap_or_default();
                Ok((calendar, uid, fields))
            }
        }
    }

    /// The fields of an object the user may write (others are kept in the
    /// object only); emails and phones the CRM cannot hold are left to the
    /// kept object rather than refusing the card.
    fn writable(&self, ctx: &Ctx, schema: &Schema, fields: Map<String, Json>) -> Map<String, Json> {
        let mut out = Map::new();
        for (name, value) in fields {
            let Some(field) = schema.field(&name) else { continue };
            if !field.is_writable() || schema.is_read_only_for_role(field) {
                continue;
            }
            let value = match (name.as_str(), value) {
                ("emails", Json::Array(items)) => json!(
                    items
                        .iter()
                        .filter_map(Json::as_str)
                        .filter(|e| relata_core::email::Email::parse(e).is_ok())
                        .collect::<Vec<_>>()
                ),
                ("phones", Json::Array(items)) => json!(
                    items
                        .iter()
                        .filter_map(Json::as_str)
                        .filter(|p| relata_core::phone::PhoneE164::parse(p, ctx.parse.phone_region).is_ok())
                        .collect::<Vec<_>>()
                ),
                (_, value) => value,
            };
            let value = if value.as_array().is_some_and(Vec::is_empty) { Json::Null } else { value };
            out.insert(name, value);
        }
        out
    }

    /// Moves the record a name stands for to the trash.
    pub async fn delete(&self, app: &App, ctx: &Ctx, name: &str, if_match: Option<&str>) -> Result<(), DavError> {
        ctx.access.require_write().map_err(AppError::from)?;
        let member = self.member_named(app, ctx, name).await?.ok_or(DavError::App(AppError::NotFound))?;
        if if_match.is_some_and(|tag| !etag_matches(tag, &member.etag)) {
            return Err(DavError::PreconditionFailed);
        }
        // The name and UID are free for a new object; a record restored
        // from the trash comes back without what its client had sent.
        let mut tx = app.writer(ctx).await?;
        write::set_deleted_in(&mut tx, ctx, self.schema(), member.record.id, true, Some(member.record.version)).await?;
        tx.forget_dav_object(self.entity(), member.record.id.uuid()).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The conditions of a PUT.
#[derive(Debug, Default, Clone, Copy)]
pub struct Preconditions<'a> {
    pub if_match: Option<&'a str>,
    /// `If-None-Match: *`: only if nothing has this name.
    pub if_none_match_any: bool,
}

fn etag_matches(header: &str, etag: &str) -> bool {
    header.split(',').map(str::trim).any(|t| t == "*" || t == etag || t.strip_prefix("W/") == Some(etag))
}

fn check_name(name: &str, collection: Collection) -> Result<(), DavError> {
    let fine = !name.is_empty()
        && name.len() <= 200
        && !name.starts_with('.')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.@+=~".contains(c));
    if fine {
        Ok(())
    } else {
        Err(DavError::InvalidObject(format!(
            "{name:?} is not a name for a {} (letters, digits and - _ . @ + = ~, at most 200)",
            collection.extension()
        )))
    }
}

/// What changed since a sync token.
pub struct Changes {
    pub changed: Vec<Member>,
    pub removed: Vec<String>,
    pub token: String,
    pub truncated: bool,
}
