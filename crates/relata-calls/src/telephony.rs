//! The telephone switch's events (`POST /api/v1/telephony/events`, with a
//! token of scope `telephony`): a call ringing, answered, transferred and
//! ended, kept as a `phone_calls` record per call id. Each event is applied
//! once per sender (a repeat answers what the first did), in any order: an
//! answer before its ringing, an end before its answer, an event of a call
//! that never rang all give the call what they say, and what was odd is
//! noted on the call. The caller is identified by their number (E.164, a
//! national number read in the workspace's region) among contacts',
//! accounts' and leads' phones; the answer to a ringing event carries the
//! caller and a priority and queue computed from what the customer is worth
//! (see [`Formula`]), so that the switch can put the best customers first.

use crate::relation;
use chrono::{DateTime, Duration, Utc};
use relata_app::error::AppError;
use relata_app::inbound::{self, Applied};
use relata_app::{App, Ctx};
use relata_core::error::FieldError;
use relata_core::filter::{Filter, Op};
use relata_core::meta::{Default, EntityDef, EntityKind, FieldDef, FieldType, Schema, Target, options};
use relata_core::phone::PhoneE164;
use relata_core::value::{FieldValue, Values};
use relata_core::{Record, RecordId, ValidationError};
use relata_crm::{ACCOUNTS, CONTACTS};
use relata_sales::LEADS;
use relata_store::ScopedConn;
use relata_store::records::Tally;
use relata_store::search::ContactPointHit;
use relata_store::together::{Answers, Reads, RecordsRead, TalliesRead};
use relata_store::webhooks::InboundEvent;
use serde_json::{Value as Json, json};
use std::collections::HashMap;

pub const PHONE_CALLS: EntityKind = EntityKind::named("phone_calls");
pub const EVENTS: &[&str] = &["ringing", "answered", "transferred", "ended"];
pub const DIRECTIONS: &[&str] = &["inbound", "outbound"];
/// Where a call stands: `dialing` asked of the switch by an agent
/// (click-to-dial), `missed` ended without being answered.
pub const CALL_STATUSES: &[&str] = &["dialing", "ringing", "answered", "transferred", "ended", "missed"];
pub const TIERS: &[&str] = &["top", "high", "standard", "unknown"];
const EXTENSIONS: &str = "telephony.extensions";
const FORMULA: &str = "telephony.priority";
/// What a switch sends for a number it withholds.
const WITHHELD: &[&str] = &["", "anonymous", "<unknown>", "withheld", "private", "unknown", "restricted"];

pub fn phone_call() -> EntityDef {
    use FieldType::*;
    let seconds = |id: &'static str, label: &'static str| {
        FieldDef::standard(id, label, Integer { min: 0, max: i64::MAX }).read_only()
    };
    let time = |id: &'static str, label: &'static str| FieldDef::standard(id, label, DateTime).read_only();
    EntityDef::new(PHONE_CALLS, "calls", "phone_call", "Phone call", "Phone calls")
        .fields([
            FieldDef::standard("call_id", "Call id", Text { max_len: 200 }).required().unique(),
            FieldDef::standard("direction", "Direction", Choice(options(DIRECTIONS))).required(),
            FieldDef::text("from_number", "From").searchable(),
            FieldDef::text("to_number", "To").searchable(),
            FieldDef::standard("withheld", "Number withheld", Boolean).default(Default::Bool(false)),
            FieldDef::text("queue", "Queue"),
            FieldDef::text("extension", "Extension"),
            FieldDef::standard("agent", "Agent", Relation(Target::User)),
            relation("contact", "Contact", CONTACTS),
            relation("account", "Account", ACCOUNTS),
            relation("lead", "Lead", LEADS),
            FieldDef::standard("matches", "Records matching the number", Integer { min: 0, max: 1000 }),
            FieldDef::standard("status", "Status", Choice(options(CALL_STATUSES))).required(),
            FieldDef::standard("priority", "Priority", Integer { min: 0, max: 100 }),
            FieldDef::standard("value_tier", "Value tier", Choice(options(TIERS))),
            time("rang_at", "Rang"),
            time("answered_at", "Answered"),
            time("ended_at", "Ended"),
            seconds("wait_seconds", "Waited (s)"),
            seconds("talk_seconds", "Talked (s)"),
            // What was odd about the events (out of order, unknown extension, …).
            FieldDef::standard("problems", "Problems", LongText),
            // The call to make it was dialled for (the dialler's).
            relation("call_queue_entry", "Call to make", crate::CALL_QUEUE_ENTRIES),
            relation("activity", "Logged as", relata_crm::ACTIVITIES),
            relation("order", "Order taken", relata_commerce::ORDERS),
        ])
        .title(&["from_number"])
        .episode(&["account", "contact"], "created_at")
        .made_by_relata()
        .columns(&["rang_at", "direction", "from_number", "contact", "account", "status", "agent", "priority"])
        .rights(relata_core::meta::business_record_rights)
}

/// An event as the switch sends it (the generic body; Asterisk's and
/// FreeSWITCH's fields map onto it, see the README).
#[derive(Debug)]
pub struct Event {
    pub call_id: String,
    pub event: String,
    pub direction: String,
    pub from: String,
    pub to: String,
    pub queue: Option<String>,
    pub extension: Option<String>,
    pub at: Option<DateTime<Utc>>,
}

fn text(body: &Json, key: &str) -> Option<String> {
    body.get(key).and_then(Json::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

impl Event {
    /// The event, or every field that is wrong.
    pub fn parse(body: &Json) -> Result<Event, ValidationError> {
        let mut errors = Vec::new();
        if !body.is_object() {
            return Err(ValidationError::single("", "invalid_type", "a JSON object"));
        }
        let call_id = text(body, "call_id").unwrap_or_default();
        if call_id.is_empty() || call_id.chars().count() > 200 {
            errors.push(FieldError::new("call_id", "invalid", "the switch's id of the call: 1 to 200 characters"));
        }
        let event = text(body, "event").unwrap_or_default();
        if !EVENTS.contains(&event.as_str()) {
            errors.push(FieldError::new("event", "unknown_event", format!("one of {}", EVENTS.join(", "))));
        }
        let direction = text(body, "direction").unwrap_or_else(|| "inbound".into());
        if !DIRECTIONS.contains(&direction.as_str()) {
            errors.push(FieldError::new("direction", "invalid_choice", "inbound or outbound"));
        }
        let at = match body.get("at").filter(|a| !a.is_null()) {
            None => None,
            Some(a) => match a.as_str().and_then(|a| DateTime::parse_from_rfc3339(a).ok()) {
                Some(t) => Some(t.with_timezone(&Utc)),
                None => {
                    errors.push(FieldError::new("at", "invalid_datetime", "an RFC 3339 time"));
                    None
                }
            },
        };
        for key in ["from", "to", "queue", "extension"] {
            if text(body, key).is_some_and(|v| v.chars().count() > 100) {
                errors.push(FieldError::new(key, "too_long", "at most 100 characters"));
            }
        }
        ValidationError::check(errors)?;
        Ok(Event {
            call_id,
            event,
            direction,
            from: text(body, "from").unwrap_or_default(),
            to: text(body, "to").unwrap_or_default(),
            queue: text(body, "queue"),
            extension: text(body, "extension"),
            at,
        })
    }
}

/// How a caller's worth becomes a priority (0 to 100) and a queue: `base`,
/// plus `key_account` for a key account, plus a point per
/// `revenue_per_point` of what the account was invoiced in the last year
/// (at most `revenue_max`), plus a point per `clv_per_point` of the
/// account's lifetime value when `clv_field` names the account field that
/// holds it (at most `clv_max`), plus `contract` for an active service
/// contract; a caller no record knows gets `unknown`. The first of `queues`
/// whose `from` the priority reaches names the queue.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct Formula {
    pub base: i64,
    pub key_account: i64,
    /// Minor units of the invoiced amount per point.
    pub revenue_per_point: i64,
    pub revenue_max: i64,
    pub contract: i64,
    pub unknown: i64,
    pub queues: Vec<QueueThreshold>,
    /// The account field (a number or an amount) holding the customer's
    /// lifetime value, as the analytics give it (`relata analytics clv`).
    #[serde(default)]
    pub clv_field: Option<String>,
    /// Minor units of the lifetime value per point.
    #[serde(default = "default_clv_per_point")]
    pub clv_per_point: i64,
    #[serde(default = "default_clv_max")]
    pub clv_max: i64,
}

fn default_clv_per_point() -> i64 {
    1_000_000
}

fn default_clv_max() -> i64 {
    20
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct QueueThreshold {
    pub from: i64,
    pub queue: String,
}

impl std::default::Default for Formula {
    fn default() -> Formula {
        Formula {
            base: 20,
            key_account: 40,
            revenue_per_point: 100_000,
            revenue_max: 30,
            contract: 10,
            unknown: 10,
            queues: vec![
                QueueThreshold { from: 70, queue: "priority".into() },
                QueueThreshold { from: 0, queue: "general".into() },
            ],
            clv_field: None,
            clv_per_point: default_clv_per_point(),
            clv_max: default_clv_max(),
        }
    }
}

/// What the formula knows of a caller.
#[derive(Debug, Default)]
pub struct Worth {
    pub known: bool,
    pub key_account: bool,
    /// Invoiced in the last year, in minor units (the largest currency's).
    pub revenue_minor: i64,
    /// The account's lifetime value, in minor units, when known.
    pub clv_minor: i64,
    pub contract: bool,
}

impl Formula {
    pub fn parse(input: &Json) -> Result<Formula, ValidationError> {
        let formula: Formula = serde_json::from_value(input.clone()).map_err(|e| {
            ValidationError::single("", "invalid", format!("base, key_account, revenue_per_point, revenue_max, contract, unknown (numbers), queues ([{{from, queue}}]), clv_field, clv_per_point, clv_max: {e}"))
        })?;
        let mut errors = Vec::new();
        for (field, per_point) in
            [("revenue_per_point", formula.revenue_per_point), ("clv_per_point", formula.clv_per_point)]
        {
            if per_point <= 0 {
                errors.push(FieldError::new(field, "out_of_range", "more than 0"));
            }
        }
        if formula.queues.is_empty() || formula.queues.iter().any(|q| q.queue.trim().is_empty()) {
            errors.push(FieldError::new("queues", "required", "at least one queue, each named"));
        }
        ValidationError::check(errors)?;
        Ok(formula)
    }

    /// The priority (0 to 100), the value tier and the queue for a caller.
    pub fn rank(&self, worth: &Worth) -> (i64, &'static str, String) {
        let priority = if worth.known {
            let revenue = (worth.revenue_minor / self.revenue_per_point).clamp(0, self.revenue_max);
            let clv = (worth.clv_minor / self.clv_per_point).clamp(0, self.clv_max);
            self.base
                + if worth.key_account { self.key_account } else { 0 }
                + revenue
                + clv
                + if worth.contract { self.contract } else { 0 }
        } else {
            self.unknown
        }
        .clamp(0, 100);
        let tier = match priority {
            _ if !worth.known => "unknown",
            p if p >= 70 => "top",
            p if p >= 40 => "high",
            _ => "standard",
        };
        let mut queues = self.queues.clone();
        queues.sort_by_key(|q| std::cmp::Reverse(q.from));
        let queue = queues.iter().find(|q| priority >= q.from).or(queues.last()).map(|q| q.queue.clone());
        (priority, tier, queue.unwrap_or_default())
    }
}

/// How often an event is tried again after losing a race with another
/// event of the same call.
const RETRIES: u32 = 8;

/// Applies an event from `source` (the telephony token's id).
/// The body is the generic one or a switch's (see [`crate::switches`]).
pub async fn apply(app: &App, ctx: &Ctx, source: &str, body: &Json) -> Result<Applied, AppError> {
    let body = match crate::switches::read(body) {
        crate::switches::Read::Generic(body) => body,
        crate::switches::Read::Ignored(name) => {
            let result = json!({"ignored": true, "event": name, "reason": "this event does not change a call"});
            return Ok(Applied { result, replayed: false });
        }
    };
    let event = Event::parse(&body)?;
    let request_hash = relata_identity::secret::digest(&body.to_string());
    // The same body again is the same event (a switch repeats itself); a
    // second transfer of a call differs in its body.
    let event_id = format!("{}:{}:{}", event.call_id, event.event, &request_hash[..16.min(request_hash.len())]);
    // Who is calling and which agent the extension is, read before the
    // write: other events' writes need not wait for lookups.
    let schemas = app.schemas_for(ctx).await?;
    let mut ahead = read_ahead(app, ctx, &event, schemas.get(ACCOUNTS), (source, &event_id)).await?;
    if let Some(applied) = inbound::replayed(ahead.done.take().flatten(), &request_hash)? {
        return Ok(applied);
    }
    // Events come fast: each is written in a transaction it may share with
    // others (see `relata_store::group`), in a savepoint of its own.
    let key = (source.to_string(), event_id.clone());
    let sender = ctx.clone();
    let hash = request_hash.clone();
    let written = app
        .store
        .write_grouped(ctx.ws(), move |tx| {
            Box::pin(async move {
                let result = record_event_retrying(tx, &sender, &event, (&mut ahead, schemas.get(ACCOUNTS))).await?;
                let event =
                    InboundEvent { event_type: format!("telephony.{}", event.event), request_hash: hash, result };
                inbound::record(tx, &key.0, &key.1, &event).await?;
                Ok(event.result)
            })
        })
        .await;
    inbound::settle(app, ctx.ws(), (source, &event_id), &request_hash, written).await
}

/// [`record_event`], tried again after losing a race with another write
/// of the same call: another event of the same call at the same moment may
/// have made its record (the unique call id) or changed it (its version).
/// The first try uses the call as read ahead; the next read it in the
/// transaction, after undoing what the failed try wrote.
async fn record_event_retrying(
    tx: &mut ScopedConn,
    sender: &Ctx,
    event: &Event,
    (ahead, accounts): (&mut Ahead, &Schema),
) -> Result<Json, AppError> {
    let relata = Ctx::new(sender.workspace.clone(), None);
    let mut tries = 0;
    loop {
        let point = tx.savepoint()?;
        let at = event.at.unwrap_or_else(|| tx.now());
        let call = ahead.call.take();
        match record_event(tx, &relata, sender, event, (&*ahead, accounts), call, at).await {
            Ok(result) => return Ok(result),
            Err(AppError::Invalid(v)) if tries < RETRIES && v.errors.iter().any(|e| e.code == "duplicate") => {}
            Err(AppError::VersionConflict { .. }) if tries < RETRIES => {}
            Err(e) => return Err(e),
        }
        tx.undo(point).await?;
        tries += 1;
    }
}

/// What an event's transaction needs to know that it can read beforehand:
/// who the other party is (when the event names them), whose the
/// extension is, and the call as it was.
struct Ahead {
    /// The event as applied before, if it was (`Some(None)`: not yet), for
    /// the first try.
    done: Option<Option<InboundEvent>>,
    caller: Option<Identified>,
    /// The user the event's extension is, if any.
    agent: Option<uuid::Uuid>,
    /// The call's record (`Some(None)`: none yet), for the first try: its
    /// transaction then writes only if it is still so (the unique call id,
    /// the version).
    call: Option<Option<Record>>,
}

/// The other party's number of an event (the caller of an inbound call).
fn party(event: &Event) -> &str {
    if event.direction == "inbound" { &event.from } else { &event.to }
}

async fn read_ahead(
    app: &App,
    ctx: &Ctx,
    event: &Event,
    accounts: &Schema,
    (source, event_id): (&str, &str),
) -> Result<Ahead, AppError> {
    // A ringing event, or one that names the other party, may be a call's
    // first: identify the caller (an event of a known call that names no
    // one does not need it).
    let identifies = event.event == "ringing" || !party(event).is_empty();
    let party = identifies.then(|| party_of(ctx, event));
    // What does not depend on another read is read together.
    let mut conn = app.store.read(ctx.ws()).await?;
    let calls = Schema::standard(PHONE_CALLS);
    let filter = call_filter(&calls, event);
    let mut reads = Reads::default();
    let done = conn.read_inbound_event(&mut reads, source, event_id);
    let call = conn.read_records(&mut reads, &calls, &filter, 1);
    let settings = conn.read_settings(&mut reads, &[FORMULA, EXTENSIONS]);
    let number = party.as_ref().and_then(|p| p.number.as_ref());
    let points = number.map(|n| conn.read_contact_points(&mut reads, "phone", n.as_str()));
    // The records a caller's number usually finds, read with the number's
    // contact points rather than after them.
    let likely: Vec<Schema> = LIKELY_CALLERS.iter().map(|kind| Schema::standard(*kind)).collect();
    let found: Vec<_> = match number {
        Some(n) => {
            likely.iter().map(|s| conn.read_records_with_contact_point(&mut reads, s, "phone", n.as_str())).collect()
        }
        None => Vec::new(),
    };
    let mut answers = conn.read_together(reads).await?;
    let done = answers.inbound_event(done)?;
    let call = answers.records(call, &mut conn).await?.into_iter().next();
    let mut settings = answers.settings(settings)?;
    let hits = match points {
        Some(points) => answers.contact_points(points)?,
        None => Vec::new(),
    };
    let mut read = HashMap::new();
    for found in found {
        read.extend(answers.records(found, &mut conn).await?.into_iter().map(|r| (r.id, r)));
    }
    // A repeat is answered from what it did: nothing more to know.
    if done.is_some() {
        return Ok(Ahead { done: Some(done), caller: None, agent: None, call: None });
    }
    let formula = formula_in(settings.remove(FORMULA));
    let caller = match party {
        Some(party) => {
            let matches = matches_of(&mut conn, hits, read).await?;
            Some(identified(&mut conn, event, accounts, &formula, party, matches).await?)
        }
        None => None,
    };
    let agent = event.extension.as_deref().and_then(|extension| agent_in(settings.get(EXTENSIONS), extension));
    Ok(Ahead { done: Some(done), caller, agent, call: Some(call) })
}

fn call_filter<'s>(calls: &'s Schema, event: &Event) -> Filter<'s> {
    Filter::Compare {
        field: calls.field("call_id").expect("a field of calls"),
        op: Op::Eq,
        value: FieldValue::Text(event.call_id.clone()),
    }
}

/// The record of the event's call, if it has one.
async fn call_of(conn: &mut ScopedConn, event: &Event) -> Result<Option<Record>, AppError> {
    let calls = Schema::standard(PHONE_CALLS);
    Ok(relata_app::read::every_in(conn, &calls, call_filter(&calls, event)).await?.into_iter().next())
}

/// What was odd about a call's events, a line each.
struct Problems(Vec<String>);

impl Problems {
    fn note(&mut self, problem: String) {
        if !self.0.contains(&problem) {
            self.0.push(problem);
        }
    }
}

/// Where a call stands, from what is known of it (whatever order the
/// events came in): an end is final (`missed` if no one answered), a
/// transfer outranks an answer, an answer outranks ringing.
fn standing(ended: bool, answered: bool, transferred: bool) -> &'static str {
    match (ended, answered, transferred) {
        (true, true, _) => "ended",
        (true, false, _) => "missed",
        (false, _, true) => "transferred",
        (false, true, false) => "answered",
        (false, false, false) => "ringing",
    }
}

fn seconds(from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> FieldValue {
    match (from, to) {
        (Some(a), Some(b)) => FieldValue::Int((b - a).num_seconds().max(0)),
        _ => FieldValue::Null,
    }
}

/// The call's record after `event`, and the answer to the switch.
async fn record_event(
    tx: &mut ScopedConn,
    relata: &Ctx,
    sender: &Ctx,
    event: &Event,
    (ahead, accounts): (&Ahead, &Schema),
    read_ahead: Option<Option<Record>>,
    at: DateTime<Utc>,
) -> Result<Json, AppError> {
    let schema = Schema::standard(PHONE_CALLS);
    // A call read ahead is written only at the version it was read.
    let (existing, expected_version) = match read_ahead {
        Some(call) => {
            let version = call.as_ref().map(|c| c.version);
            (call, version)
        }
        None => (call_of(tx, event).await?, None),
    };
    let mut values = Values::default();
    let mut problems = Problems(
        existing
            .as_ref()
            .and_then(|c| c.values.text("problems"))
            .map(|p| p.lines().map(str::to_string).collect())
            .unwrap_or_default(),
    );
    let time = |field: &str| existing.as_ref().and_then(|c| c.values.datetime(field));
    let mut rang = time("rang_at");
    let mut answered = time("answered_at");
    let mut ended = time("ended_at");
    match event.event.as_str() {
        "ringing" => rang = Some(rang.map_or(at, |r| r.min(at))),
        "answered" => answered = Some(answered.map_or(at, |a| a.min(at))),
        "ended" => ended = Some(ended.map_or(at, |e| e.max(at))),
        _ => {}
    }
    const NO_RINGING: &str = "no ringing event came for this call";
    if rang.is_none() {
        problems.note(NO_RINGING.into());
    } else {
        problems.0.retain(|p| p != NO_RINGING);
    }
    if existing.as_ref().is_some_and(|c| matches!(c.values.text("status"), Some("ended" | "missed")))
        && event.event != "ended"
    {
        problems.note(format!("a {} event came after the call ended", event.event));
    }
    let transferred = event.event == "transferred"
        || existing.as_ref().is_some_and(|c| c.values.text("status") == Some("transferred"));
    let status = standing(ended.is_some(), answered.is_some(), transferred);
    values.set_std("status", FieldValue::Text(status.into()));
    values.set_std("rang_at", rang.map_or(FieldValue::Null, FieldValue::DateTime));
    values.set_std("answered_at", answered.map_or(FieldValue::Null, FieldValue::DateTime));
    values.set_std("ended_at", ended.map_or(FieldValue::Null, FieldValue::DateTime));
    values.set_std("wait_seconds", seconds(rang, answered.or(ended)));
    values.set_std("talk_seconds", seconds(answered, ended));
    if let Some(queue) = &event.queue {
        values.set_std("queue", FieldValue::Text(queue.clone()));
    }
    if let Some(extension) = &event.extension {
        values.set_std("extension", FieldValue::Text(extension.clone()));
        match ahead.agent {
            // The agent's call: theirs to read (and whoever may read theirs).
            Some(agent) => {
                values.set_std("agent", FieldValue::Ref(agent));
                values.set_std("owner", FieldValue::Ref(agent));
            }
            None => problems.note(format!("extension {extension} is no one's")),
        }
    }
    let mut answer = json!({"call_id": event.call_id, "event": event.event, "status": status});
    // The other party is known from the first event, or from a ringing
    // event that names them (a dialled call's events need not).
    if existing.is_none() || (event.event == "ringing" && !party(event).is_empty()) {
        let found;
        let identified = match &ahead.caller {
            Some(identified) => identified,
            // Read ahead as a later event of a call: it is the first now.
            None => {
                let formula = formula(tx).await?;
                found = identify(tx, sender, event, accounts, &formula).await?;
                &found
            }
        };
        for (field, value) in &identified.fields {
            values.set_std(field, value.clone());
        }
        for problem in &identified.problems {
            problems.note(problem.clone());
        }
        answer["caller"] = identified.caller.clone();
    }
    let problems = if problems.0.is_empty() { FieldValue::Null } else { FieldValue::Text(problems.0.join("\n")) };
    values.set_std("problems", problems);
    let call = match existing {
        Some(call) => relata_app::write::update_in(tx, relata, &schema, call.id, values, expected_version).await?,
        None => {
            values.set_std("call_id", FieldValue::Text(event.call_id.clone()));
            values.set_std("direction", FieldValue::Text(event.direction.clone()));
            relata_app::write::create_in(tx, relata, &schema, values).await?
        }
    };
    answer["call"] = json!(call.id.to_string());
    for field in ["priority", "value_tier", "queue"] {
        answer[field] = call.values.std(field).to_json();
    }
    answer["problems"] = json!(call.values.text("problems").map(|p| p.lines().collect::<Vec<_>>()).unwrap_or_default());
    Ok(answer)
}

/// Who is calling, as found: the call's fields, what was odd, and the
/// answer's `caller`.
struct Identified {
    fields: Vec<(&'static str, FieldValue)>,
    problems: Vec<String>,
    caller: Json,
}

/// Who is calling (the other party: the caller of an inbound call, the
/// called of an outbound one): their number, the records it matches, the
/// priority and queue their worth gives.
/// `accounts` is the workspace's description of accounts (with its own
/// fields: the lifetime value may be one).
async fn identify(
    conn: &mut ScopedConn,
    sender: &Ctx,
    event: &Event,
    accounts: &Schema,
    formula: &Formula,
) -> Result<Identified, AppError> {
    let party = party_of(sender, event);
    let hits = match &party.number {
        Some(number) => conn.lookup_contact_point("phone", number.as_str()).await?,
        None => Vec::new(),
    };
    let matches = matches_of(conn, hits, HashMap::new()).await?;
    identified(conn, event, accounts, formula, party, matches).await
}

/// The types of records a caller's number is usually a contact point of.
const LIKELY_CALLERS: [EntityKind; 3] = [CONTACTS, ACCOUNTS, LEADS];

/// The live records a number's contact points (`hits`) are of, in the
/// hits' order: those in `read` (read with the hits), the others read now
/// (types other than the likely ones, and any not among those read: gone
/// since, or past the read's limit).
async fn matches_of(
    conn: &mut ScopedConn,
    hits: Vec<ContactPointHit>,
    mut read: HashMap<RecordId, Record>,
) -> Result<Vec<Record>, AppError> {
    let was_read: Vec<bool> = hits.iter().map(|hit| read.contains_key(&hit.id)).collect();
    let others: Vec<&ContactPointHit> = hits.iter().zip(&was_read).filter(|(_, r)| !**r).map(|(h, _)| h).collect();
    let schemas: Vec<Schema> = others.iter().map(|hit| Schema::standard(hit.kind)).collect();
    let asked: Vec<(&Schema, RecordId)> = schemas.iter().zip(&others).map(|(schema, hit)| (schema, hit.id)).collect();
    let mut others = conn.get_records(&asked).await?.into_iter();
    let mut matches = Vec::with_capacity(hits.len());
    for (hit, was_read) in hits.iter().zip(was_read) {
        let record = if was_read { read.remove(&hit.id) } else { others.next().flatten() };
        matches.extend(record);
    }
    Ok(matches)
}

/// The other party's number as an event gives it: the call's fields it
/// fills, what was odd, and the number to look up (none when withheld or
/// no phone number).
struct Party {
    fields: Vec<(&'static str, FieldValue)>,
    problems: Vec<String>,
    number: Option<PhoneE164>,
    withheld: bool,
}

fn party_of(sender: &Ctx, event: &Event) -> Party {
    let mut fields: Vec<(&'static str, FieldValue)> = Vec::new();
    let mut problems = Vec::new();
    let raw = party(event);
    for (field, number) in [("from_number", &event.from), ("to_number", &event.to)] {
        if !number.is_empty() {
            fields.push((field, FieldValue::Text(number.clone())));
        }
    }
    let withheld = WITHHELD.contains(&raw.to_ascii_lowercase().as_str());
    fields.push(("withheld", FieldValue::Bool(withheld)));
    let number = match PhoneE164::parse(raw, sender.parse.phone_region) {
        Ok(number) if !withheld => Some(number),
        Ok(_) => None,
        Err(e) => {
            if !withheld {
                problems.push(format!("the number {raw:?} is not a phone number: {e}"));
            }
            None
        }
    };
    if let Some(number) = &number {
        let field = if event.direction == "inbound" { "from_number" } else { "to_number" };
        fields.push((field, FieldValue::Text(number.as_str().to_string())));
    }
    Party { fields, problems, number, withheld }
}

/// Who is calling, from the records their number is a contact point of
/// (`matches`).
async fn identified(
    conn: &mut ScopedConn,
    event: &Event,
    accounts: &Schema,
    formula: &Formula,
    party: Party,
    matches: Vec<Record>,
) -> Result<Identified, AppError> {
    let Party { mut fields, problems, number, withheld } = party;
    fields.push(("matches", FieldValue::Int(matches.len() as i64)));
    // The first match of each kind is the call's (a person before a company).
    let contact = matches.iter().find(|r| r.kind == CONTACTS);
    let account_id = matches
        .iter()
        .find(|r| r.kind == ACCOUNTS)
        .map(|a| a.id.uuid())
        .or_else(|| contact.and_then(|c| c.values.ref_id("account")));
    if let Some(c) = contact {
        fields.push(("contact", FieldValue::Ref(c.id.uuid())));
    }
    if let Some(a) = account_id {
        fields.push(("account", FieldValue::Ref(a)));
    }
    if let Some(l) = matches.iter().find(|r| r.kind == LEADS) {
        fields.push(("lead", FieldValue::Ref(l.id.uuid())));
    }
    let worth = worth_of(conn, formula, accounts, !matches.is_empty(), account_id).await?;
    let (priority, tier, queue) = formula.rank(&worth);
    fields.push(("priority", FieldValue::Int(priority)));
    fields.push(("value_tier", FieldValue::Text(tier.into())));
    if event.queue.is_none() {
        fields.push(("queue", FieldValue::Text(queue)));
    }
    let offered: Vec<Json> = matches
        .iter()
        .map(|r| {
            let schema = Schema::standard(r.kind);
            json!({"entity": r.kind.api_name(), "id": r.id.to_string(), "title": schema.title(r)})
        })
        .collect();
    let mut caller = json!({"number": number.as_ref().map(|n| n.as_str().to_string()), "withheld": withheld,
                            "matches": offered});
    if matches.is_empty()
        && let Some(number) = &number
    {
        // No one: a new contact or lead, prefilled with the number.
        let query = format!("phones={}", number.as_str().replace('+', "%2B"));
        caller["new_contact"] = json!(format!("/contacts/new?{query}"));
        caller["new_lead"] = json!(format!("/leads/new?{query}"));
    }
    Ok(Identified { fields, problems, caller })
}

/// Whom a call is with: its contact, account and lead.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Whom {
    pub contact: Option<uuid::Uuid>,
    pub account: Option<uuid::Uuid>,
    pub lead: Option<uuid::Uuid>,
}

impl Whom {
    pub fn of(call: &Record) -> Whom {
        let id = |field| call.values.ref_id(field);
        Whom { contact: id("contact"), account: id("account"), lead: id("lead") }
    }

    /// Whose story the pop shows: the contact's, else the account's.
    fn about(&self) -> Option<(EntityKind, RecordId)> {
        match (self.contact, self.account) {
            (Some(contact), _) => Some((CONTACTS, RecordId::from_uuid(contact))),
            (None, Some(account)) => Some((ACCOUNTS, RecordId::from_uuid(account))),
            _ => None,
        }
    }
}

/// Whether `ctx` may read records of `kind` at all.
fn may_read(ctx: &Ctx, kind: EntityKind) -> bool {
    ctx.access.check_kind(kind, relata_core::access::Right::Read).is_ok()
}

/// A phone call's screen pop: what an agent's screen shows of the call the
/// moment it rings (the caller and their account, worth, open cases,
/// overdue invoices, open opportunities and last five episodes, with links
/// to open the record and log the call), read as `ctx` may read them, with
/// the call as read. A call `ctx` may not read is refused as
/// `read::get` refuses it; one `wanted` turns down (given the call as
/// read) gives `None`.
///
/// `expected` is whom the call is with as a change of it told (a call's
/// creation in the feed): the pop's reads go with the call's, and are asked
/// again if the call as read says otherwise. On SQLite a pop is then two
/// round trips (the call with the people, counts and the story's first
/// reads, then the story's page), three without.
pub async fn pop_call(
    app: &App,
    ctx: &Ctx,
    id: RecordId,
    expected: Option<Whom>,
    wanted: impl FnOnce(&Record) -> bool,
) -> Result<Option<(Record, Json)>, AppError> {
    let schemas = app.schemas_for(ctx).await?;
    let mut conn = app.reader(ctx).await?;
    let mut reads = Reads::default();
    let call = relata_app::read::ask_get(ctx, &conn, &mut reads, &schemas, (PHONE_CALLS, id))?;
    let guessed = match expected {
        Some(whom) => Some((whom, ask_pop(app, &mut conn, &mut reads, ctx, &schemas, whom)?)),
        None => None,
    };
    let mut answers = conn.read_together(reads).await?;
    let as_read = call.answer(&mut answers, &mut conn).await?;
    if !wanted(&as_read) {
        return Ok(None);
    }
    // The call as the agent may see it: what their role hides is left out.
    let calls = schemas.get(PHONE_CALLS);
    let mut seen = as_read.clone();
    for field in calls.fields().filter(|f| calls.is_hidden(f)) {
        seen.values.set(field, FieldValue::Null);
    }
    let whom = Whom::of(&seen);
    let found = match guessed {
        Some((guess, asked)) if guess == whom => asked.answer(&mut answers, &mut conn, seen.id).await?,
        _ => {
            let mut reads = Reads::default();
            let asked = ask_pop(app, &mut conn, &mut reads, ctx, &schemas, whom)?;
            let mut answers = conn.read_together(reads).await?;
            asked.answer(&mut answers, &mut conn, seen.id).await?
        }
    };
    let pop = pop_json(&schemas, &seen, found);
    Ok(Some((as_read, pop)))
}

/// What a screen pop reads of whom a call is with, asked.
struct PopAsked<'s> {
    caller: CallerAsked<'s>,
    /// The story of whom the call is about, if the agent may read them (its
    /// reads see only what the agent may read).
    story: Option<relata_app::timeline::StoryAsked<'s>>,
    /// Whether the story's subject is the contact (else the account).
    about_contact: bool,
}

/// What a screen pop found: the contact, account and lead, the three
/// counts, and the episodes.
struct PopFound {
    people: [Option<Record>; 3],
    counts: [Option<i64>; 3],
    episodes: Vec<Json>,
}

fn ask_pop<'s>(
    app: &App,
    conn: &mut ScopedConn,
    reads: &mut Reads,
    ctx: &Ctx,
    schemas: &'s relata_app::Schemas,
    whom: Whom,
) -> Result<PopAsked<'s>, AppError> {
    let caller = ask_caller(conn, reads, ctx, schemas, whom)?;
    let story = whom
        .about()
        .filter(|(kind, _)| may_read(ctx, *kind))
        .and_then(|about| relata_app::timeline::ask_story(app.modules, conn, reads, ctx, schemas, about, None, 6).ok());
    Ok(PopAsked { caller, story, about_contact: whom.contact.is_some() })
}

impl PopAsked<'_> {
    /// What was found, the episodes without the call itself (`call`).
    async fn answer(self, answers: &mut Answers, conn: &mut ScopedConn, call: RecordId) -> Result<PopFound, AppError> {
        let (people, counts) = self.caller.answer(answers, conn).await?;
        let [contact, account, _] = &people;
        // The story is shown only if its subject was read as the agent may.
        let subject = if self.about_contact { contact.as_ref() } else { account.as_ref() };
        let mut episodes = Vec::new();
        if let (Some(story), Some(_)) = (self.story, subject)
            && let Ok(page) = story.page(conn, answers).await
        {
            let call = call.to_string();
            let others = page.items.iter().filter(|i| i.id != call).take(5);
            episodes = others.map(|i| json!({"at": i.at, "type": i.item_type, "title": i.title})).collect();
        }
        Ok(PopFound { people, counts, episodes })
    }
}

/// A screen pop's JSON, of the call as the agent sees it.
fn pop_json(schemas: &relata_app::Schemas, call: &Record, found: PopFound) -> Json {
    let PopFound {
        people: [contact, account, lead],
        counts: [open_cases, overdue_invoices, open_opportunities],
        episodes,
    } = found;
    let number = crate::logging::number_of(call);
    // The call page logs the call and takes orders.
    let log_href = format!("/calls/phone/{}", call.id);
    let nobody = call.values.ref_id("contact").is_none() && call.values.ref_id("account").is_none();
    let new_contact = (nobody && lead.is_none() && !number.is_empty())
        .then(|| format!("/contacts/new?{}", serde_urlencoded::to_string([("phones", &number)]).unwrap_or_default()));
    json!({
        "call": call.id.to_string(),
        "call_id": call.values.text("call_id"),
        "status": call.values.text("status"),
        "direction": call.values.text("direction"),
        "number": number,
        "withheld": call.values.std("withheld").to_json(),
        "priority": call.values.std("priority").to_json(),
        "value_tier": call.values.text("value_tier"),
        "queue": call.values.text("queue"),
        "contact": contact.map(|r| titled(schemas, &r)),
        "account": account.map(|r| titled(schemas, &r)),
        "lead": lead.map(|r| titled(schemas, &r)),
        "open_cases": open_cases,
        "overdue_invoices": overdue_invoices,
        "open_opportunities": open_opportunities,
        "episodes": episodes,
        "log_call_href": log_href,
        "new_contact_href": new_contact,
    })
}

/// What a screen pop shows of the caller, as far as the viewer may read it,
/// asked: their contact, account and lead, and how many open cases, overdue
/// invoices and open opportunities the account has.
struct CallerAsked<'s> {
    people: [Option<RecordsRead<'s>>; 3],
    /// Which count each tally is.
    counted: Vec<usize>,
    tallies: TalliesRead,
}

fn ask_caller<'s>(
    conn: &ScopedConn,
    reads: &mut Reads,
    ctx: &Ctx,
    schemas: &'s relata_app::Schemas,
    whom: Whom,
) -> Result<CallerAsked<'s>, AppError> {
    let people = [(CONTACTS, whom.contact), (ACCOUNTS, whom.account), (LEADS, whom.lead)].map(|(kind, id)| {
        let id = id.filter(|_| may_read(ctx, kind))?;
        Some(conn.read_record(reads, schemas.get(kind), RecordId::from_uuid(id)))
    });
    let open = ["new", "open", "waiting_on_customer", "waiting_on_third_party"];
    let asked = [("cases", &open[..]), ("invoices", &["overdue"][..]), ("opportunities", &["open"][..])];
    let mut filters = Vec::new();
    if let Some(account) = whom.account {
        for (n, (name, statuses)) in asked.iter().enumerate() {
            let kind = EntityKind::named(name);
            let Some(schema) = schemas.try_get(kind) else { continue };
            let (Some(of), Some(status)) = (schema.field("account"), schema.field("status")) else { continue };
            if !may_read(ctx, kind) {
                continue;
            }
            let statuses = statuses.iter().map(|s| FieldValue::Text(s.to_string())).collect();
            let filter = Filter::And(vec![
                Filter::Compare { field: of, op: Op::Eq, value: FieldValue::Ref(account) },
                Filter::In { field: status, values: statuses },
            ]);
            filters.push((n, kind, filter));
        }
    }
    let tallies: Vec<Tally> = filters.iter().map(|(_, kind, filter)| Tally::Count(*kind, filter)).collect();
    let tallies = conn.read_tallies(reads, &tallies)?;
    Ok(CallerAsked { people, counted: filters.iter().map(|(n, _, _)| *n).collect(), tallies })
}

impl CallerAsked<'_> {
    /// The contact, account and lead (`None` for a type the viewer may not
    /// read), and the three counts (`None` for a type that does not run, or
    /// that the viewer may not read, or whose status they may not).
    async fn answer(
        self,
        answers: &mut Answers,
        conn: &mut ScopedConn,
    ) -> Result<([Option<Record>; 3], [Option<i64>; 3]), AppError> {
        let mut found = [const { None }; 3];
        for (slot, read) in found.iter_mut().zip(self.people) {
            if let Some(read) = read {
                *slot = answers.records(read, conn).await?.into_iter().next();
            }
        }
        let mut counted = [None; 3];
        for (n, rows) in self.counted.iter().zip(answers.tallies(self.tallies)?) {
            if let Some(slot) = counted.get_mut(*n) {
                *slot = Some(rows.first().map_or(0, |(_, _, records)| *records));
            }
        }
        Ok((found, counted))
    }
}

/// A record's title and address for a screen pop.
fn titled(schemas: &relata_app::Schemas, record: &Record) -> Json {
    let kind = record.kind;
    json!({"title": schemas.get(kind).title(record), "href": format!("/{}/{}", kind.api_name(), record.id)})
}

/// What the formula needs to know of a caller's account.
async fn worth_of(
    conn: &mut ScopedConn,
    formula: &Formula,
    accounts: &Schema,
    known: bool,
    account_id: Option<uuid::Uuid>,
) -> Result<Worth, AppError> {
    let Some(account_id) = account_id else { return Ok(Worth { known, ..Worth::default() }) };
    // The account, what it was invoiced in the last year (in its largest
    // currency), and whether it has an active service contract (when the
    // service module runs): read together.
    let invoices = Schema::standard(relata_commerce::INVOICES);
    let field = |id: &str| invoices.field(id).expect("a field of invoices");
    let year_ago = conn.now() - Duration::days(365);
    let invoiced = Filter::And(vec![
        Filter::Compare { field: field("account"), op: Op::Eq, value: FieldValue::Ref(account_id) },
        Filter::Compare { field: field("issue_date"), op: Op::Ge, value: FieldValue::Date(year_ago.date_naive()) },
    ]);
    let mut asked = vec![Tally::Money(invoices.kind, &invoiced, field("grand_total"))];
    let contracts = registered("service_contracts");
    let today = conn.now().date_naive();
    let active = contracts.as_ref().and_then(|schema| {
        let field = |id: &str| schema.field(id);
        let (of, ends, status) = (field("account")?, field("ends_on")?, field("status")?);
        Some(Filter::And(vec![
            Filter::Compare { field: of, op: Op::Eq, value: FieldValue::Ref(account_id) },
            Filter::Compare { field: ends, op: Op::Ge, value: FieldValue::Date(today) },
            Filter::Compare { field: status, op: Op::Eq, value: FieldValue::Text("active".into()) },
        ]))
    });
    if let (Some(schema), Some(active)) = (&contracts, &active) {
        asked.push(Tally::Count(schema.kind, active));
    }
    let mut reads = Reads::default();
    let account = conn.read_record(&mut reads, accounts, RecordId::from_uuid(account_id));
    let tallies = conn.read_tallies(&mut reads, &asked)?;
    let mut answers = conn.read_together(reads).await?;
    let Some(account) = answers.records(account, conn).await?.into_iter().next() else {
        return Ok(Worth { known, ..Worth::default() });
    };
    let tallied = answers.tallies(tallies)?;
    let key_account = matches!(account.values.std("key_account"), FieldValue::Bool(true));
    let clv_minor = formula
        .clv_field
        .as_deref()
        .and_then(|id| accounts.field(id))
        .map_or(0, |field| minor_units(account.values.get(field)));
    let revenue_minor = tallied.first().and_then(|rows| rows.iter().map(|(_, minor, _)| *minor).max()).unwrap_or(0);
    let contract = tallied.get(1).and_then(|rows| rows.first()).is_some_and(|(_, _, n)| *n > 0);
    Ok(Worth { known, key_account, revenue_minor, clv_minor, contract })
}

/// An amount or a number in minor units (hundredths), 0 for anything else.
fn minor_units(value: &FieldValue) -> i64 {
    match value {
        FieldValue::Money(m) => m.minor,
        FieldValue::Int(n) => n.saturating_mul(100),
        FieldValue::Decimal(d) => relata_core::decimal::to_scaled(*d, 2),
        _ => 0,
    }
}

/// A type of a module `relata-calls` does not depend on, if the process
/// runs it.
fn registered(name: &'static str) -> Option<Schema> {
    let kind = EntityKind::named(name);
    EntityKind::all().contains(&kind).then(|| Schema::standard(kind))
}

/// The user an extension is in the extensions setting, if any.
fn agent_in(extensions: Option<&Json>, extension: &str) -> Option<uuid::Uuid> {
    extensions?.get(extension).and_then(Json::as_str).and_then(|u| u.parse().ok())
}

/// Click-to-dial: asks the switch (through a webhook subscribed to
/// `phone_call.created` with `status = "dialing"`) to call `number`, or the
/// contact's first phone, or the number of a call to make
/// (`call_queue_entry`, which the call then names), from the agent's
/// extension, as a `phone_calls` record whose `call_id` the switch's events
/// then use. A contact who said not to be called (the consent ledger's
/// `phone`, found by the contact or by the number) is refused, and the
/// refusal audited.
pub async fn dial(app: &App, ctx: &Ctx, input: &Json) -> Result<Record, AppError> {
    let mut tx = app.writer(ctx).await?;
    let placed = dial_in(&mut tx, ctx, input).await?;
    tx.commit().await?;
    match placed {
        Dialled::Call(call) => Ok(call),
        Dialled::Refused(number) => Err(AppError::conflict("refuse-do-not-call", vec![("number", number.into())])),
    }
}

/// What a dial request came to.
pub enum Dialled {
    Call(Record),
    /// The number (E.164) of someone who asked not to be called; the
    /// refusal is audited in the transaction.
    Refused(String),
}

/// [`dial`] in a transaction the caller commits.
pub async fn dial_in(tx: &mut ScopedConn, ctx: &Ctx, input: &Json) -> Result<Dialled, AppError> {
    let agent = ctx.actor.ok_or_else(|| AppError::forbidden("refuse-people-only", vec![]))?;
    let Some(extension) = extension_of(tx, agent).await? else {
        return Err(AppError::conflict("refuse-no-extension", vec![]));
    };
    let id = |key: &str, what: &str| -> Result<Option<RecordId>, ValidationError> {
        text(input, key)
            .map(|id| id.parse::<RecordId>())
            .transpose()
            .map_err(|_| ValidationError::single(key, "invalid_id", format!("the id of a {what}")))
    };
    let (contact_id, entry_id) = (id("contact", "contact")?, id("call_queue_entry", "call to make")?);
    let entry = match entry_id {
        None => None,
        Some(id) => {
            let found = tx.get_record(&Schema::standard(crate::CALL_QUEUE_ENTRIES), id, false).await?;
            let entry =
                found.ok_or_else(|| ValidationError::single("call_queue_entry", "not_found", "no such call"))?;
            let owner = relata_app::write::owner_of(&entry.values);
            ctx.access.check(crate::CALL_QUEUE_ENTRIES, relata_core::access::Right::Update, owner)?;
            Some(entry)
        }
    };
    let contact_id = contact_id.or_else(|| entry.as_ref()?.values.ref_id("contact").map(RecordId::from_uuid));
    let contact = match contact_id {
        None => None,
        Some(id) => {
            let found = tx.get_record(&Schema::standard(CONTACTS), id, false).await?;
            Some(found.ok_or_else(|| ValidationError::single("contact", "not_found", "no such contact"))?)
        }
    };
    let entry_phone = entry.as_ref().and_then(|e| e.values.text("phone")).map(str::to_string);
    let raw = match (text(input, "number").or(entry_phone), &contact) {
        (Some(number), _) => number,
        (None, Some(c)) => match c.values.std("phones") {
            FieldValue::List(phones) if !phones.is_empty() => phones[0].clone(),
            _ => return Err(ValidationError::single("contact", "no_phone", "the contact has no phone number").into()),
        },
        (None, None) => {
            return Err(ValidationError::single("number", "required", "a number or a contact to call").into());
        }
    };
    let number = PhoneE164::parse(&raw, ctx.parse.phone_region)
        .map_err(|e| ValidationError::single("number", "invalid_phone", e.to_string()))?;
    // Whoever the number is: the contact named, and every contact it reaches.
    let mut people: Vec<RecordId> = contact.iter().map(|c| c.id).collect();
    for hit in tx.lookup_contact_point("phone", number.as_str()).await? {
        if hit.kind == CONTACTS && !people.contains(&hit.id) {
            people.push(hit.id);
        }
    }
    let purpose = match entry.as_ref().and_then(|e| e.values.ref_id("call_list")) {
        Some(list) => crate::lists::purpose_of(tx, RecordId::from_uuid(list)).await?,
        None => "service".to_string(),
    };
    for person in &people {
        if crate::lists::refuses_calls(tx, *person, &purpose).await? {
            let details = json!({"contact": person.to_string(), "number": number.as_str(),
                                 "call_queue_entry": entry.as_ref().map(|e| e.id.to_string())});
            relata_app::audit::audit_in(
                tx,
                ctx,
                relata_app::audit::Event::new("telephony.dial_refused").details(details),
            )
            .await?;
            return Ok(Dialled::Refused(number.as_str().to_string()));
        }
    }
    let mut values = Values::default();
    values.set_std("call_id", FieldValue::Text(format!("relata-{}", uuid::Uuid::now_v7())));
    values.set_std("direction", FieldValue::Text("outbound".into()));
    values.set_std("status", FieldValue::Text("dialing".into()));
    values.set_std("from_number", FieldValue::Text(extension.clone()));
    values.set_std("to_number", FieldValue::Text(number.as_str().to_string()));
    values.set_std("extension", FieldValue::Text(extension));
    values.set_std("agent", FieldValue::Ref(agent.uuid()));
    values.set_std("owner", FieldValue::Ref(agent.uuid()));
    if let Some(person) = people.first() {
        values.set_std("contact", FieldValue::Ref(person.uuid()));
    }
    if let Some(entry) = &entry {
        values.set_std("call_queue_entry", FieldValue::Ref(entry.id.uuid()));
        if let Some(account) = entry.values.ref_id("account") {
            values.set_std("account", FieldValue::Ref(account));
        }
    }
    let relata = Ctx::new(ctx.workspace.clone(), None);
    let call = relata_app::write::create_in(tx, &relata, &Schema::standard(PHONE_CALLS), values).await?;
    Ok(Dialled::Call(call))
}

/// Whether `user` has an extension (is an agent the switch rings).
pub async fn has_extension(app: &App, ctx: &Ctx, user: relata_core::UserId) -> Result<bool, AppError> {
    Ok(extension_of(&mut app.reader(ctx).await?, user).await?.is_some())
}

/// The extension `user` answers at, if any (the inverse of [`agent_of`]).
async fn extension_of(conn: &mut ScopedConn, user: relata_core::UserId) -> Result<Option<String>, AppError> {
    let map = conn.setting(EXTENSIONS).await?.unwrap_or(Json::Null);
    let user = user.uuid().to_string();
    let found = map.as_object().and_then(|m| m.iter().find(|(_, u)| u.as_str() == Some(user.as_str())));
    Ok(found.map(|(extension, _)| extension.clone()))
}

/// The workspace's priority formula (the default unless set).
pub async fn formula(conn: &mut ScopedConn) -> Result<Formula, AppError> {
    Ok(formula_in(conn.setting(FORMULA).await?))
}

/// The formula a stored setting says (the default unless set).
fn formula_in(stored: Option<Json>) -> Formula {
    stored.and_then(|f| serde_json::from_value(f).ok()).unwrap_or_default()
}

/// `GET /api/v1/telephony/settings`: extensions and the formula.
pub async fn settings(app: &App, ctx: &Ctx) -> Result<Json, AppError> {
    ctx.access.require_admin()?;
    let mut conn = app.reader(ctx).await?;
    let extensions = conn.setting(EXTENSIONS).await?.unwrap_or_else(|| json!({}));
    let formula = formula(&mut conn).await?;
    Ok(json!({"extensions": extensions, "priority": formula}))
}

/// `PUT /api/v1/telephony/settings`: `extensions` (extension → user id, of
/// the workspace's members) and/or `priority` (the formula).
pub async fn put_settings(app: &App, ctx: &Ctx, input: &Json) -> Result<Json, AppError> {
    ctx.access.require_admin()?;
    let mut errors = Vec::new();
    let mut tx = app.writer(ctx).await?;
    if let Some(extensions) = input.get("extensions") {
        match extensions.as_object() {
            Some(map) => {
                let ids: Vec<String> = map.values().filter_map(Json::as_str).map(str::to_string).collect();
                let known = tx.member_names(&ids).await?;
                for (extension, user) in map {
                    let found = user
                        .as_str()
                        .and_then(|u| u.parse::<uuid::Uuid>().ok())
                        .filter(|u| known.iter().any(|(id, _)| id == u));
                    if extension.is_empty() || extension.len() > 20 || found.is_none() {
                        errors.push(FieldError::new(
                            format!("extensions.{extension}"),
                            "unknown_user",
                            "a member's user id, for an extension of 1 to 20 characters",
                        ));
                    }
                }
                if errors.is_empty() {
                    tx.put_setting(EXTENSIONS, extensions).await?;
                }
            }
            None => errors.push(FieldError::new("extensions", "invalid_type", "an object: extension → user id")),
        }
    }
    if let Some(priority) = input.get("priority") {
        let schemas = app.schemas_for(ctx).await?;
        let amount = |id: &str| {
            let field = schemas.get(ACCOUNTS).field(id);
            field.is_some_and(|f| {
                matches!(f.ty, FieldType::Money | FieldType::Integer { .. } | FieldType::Decimal { .. })
            })
        };
        match Formula::parse(priority) {
            Ok(formula) if formula.clv_field.as_deref().is_some_and(|id| !amount(id)) => errors.push(FieldError::new(
                "priority.clv_field",
                "unknown_field",
                "an account field holding an amount or a number (custom.clv, say)",
            )),
            Ok(formula) => tx.put_setting(FORMULA, &json!(formula)).await?,
            Err(e) => errors.extend(e.errors.into_iter().map(|mut f| {
                f.field = if f.field.is_empty() { "priority".into() } else { format!("priority.{}", f.field) };
                f
            })),
        }
    }
    ValidationError::check(errors)?;
    let answer = json!({
        "extensions": tx.setting(EXTENSIONS).await?.unwrap_or_else(|| json!({})),
        "priority": formula(&mut tx).await?,
    });
    relata_app::audit::audit_in(
        &mut tx,
        ctx,
        relata_app::audit::Event::new("telephony.settings").details(answer.clone()),
    )
    .await?;
    tx.commit().await?;
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worth_becomes_priority_tier_and_queue() {
        let formula = Formula::default();
        let unknown = formula.rank(&Worth::default());
        assert_eq!(unknown, (10, "unknown", "general".to_string()));
        let plain = formula.rank(&Worth { known: true, ..Worth::default() });
        assert_eq!(plain, (20, "standard", "general".to_string()));
        let key = formula.rank(&Worth {
            known: true,
            key_account: true,
            revenue_minor: 1_500_000,
            clv_minor: 0,
            contract: true,
        });
        assert_eq!(key, (85, "top", "priority".to_string()), "20 + 40 + 15 + 10");
        let capped = formula.rank(&Worth {
            known: true,
            key_account: true,
            revenue_minor: i64::MAX,
            clv_minor: 0,
            contract: true,
        });
        assert_eq!(capped.0, 100);
        // A lifetime value of 85,000.00 is 8 points, at most 20.
        let valued = formula.rank(&Worth { known: true, clv_minor: 8_500_000, ..Worth::default() });
        assert_eq!(valued, (28, "standard", "general".to_string()), "20 + 8");
        let most = formula.rank(&Worth { known: true, clv_minor: i64::MAX, ..Worth::default() });
        assert_eq!(most.0, 40, "20 + at most 20");
    }

    #[test]
    fn events_are_checked_by_field() {
        let bad = Event::parse(&json!({"event": "exploded", "direction": "sideways", "at": "noon"})).unwrap_err();
        let fields: Vec<&str> = bad.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["call_id", "event", "direction", "at"]);
        let good = Event::parse(&json!({"call_id": "c1", "event": "ringing", "from": " 0501234567 "})).unwrap();
        assert_eq!((good.direction.as_str(), good.from.as_str()), ("inbound", "0501234567"));
    }

    #[test]
    fn an_end_is_final_and_an_answer_outranks_ringing() {
        assert_eq!(standing(false, false, false), "ringing");
        assert_eq!(standing(false, true, false), "answered");
        assert_eq!(standing(false, true, true), "transferred");
        assert_eq!(standing(true, false, false), "missed");
        assert_eq!(standing(true, true, true), "ended");
    }
}
