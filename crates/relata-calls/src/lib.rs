//! Calls to make: the `calls` module. A call-queue entry says whom to call
//! (a contact, an account, the number), why, how urgent (priority 0 to
//! 100) and from when; it belongs to the agent who owns it. The agent works
//! their queue one call after the other (`next_call`): the open entry due
//! now with the highest priority, the oldest first among equals. Each
//! outcome ([`logging::log`]) is logged as a call activity on the customer's
//! timeline; a reached customer or a wrong number closes the entry, no
//! answer or busy tries again an hour later, a call back is due when the
//! customer asked. Automation (dunning) and the call center add entries
//! through the same write path.

use chrono::Duration;
use relata_app::error::AppError;
use relata_app::module::{BoxFuture, Module};
use relata_app::read::{self, ListParams};
use relata_app::{App, Ctx};
use relata_core::error::ValidationError;
use relata_core::meta::{
    Default, EntityDef, EntityKind, FieldDef, FieldType, Schema, Target, business_record_rights, options,
};
use relata_core::value::{FieldValue, Values};
use relata_core::{Record, RecordId};
use relata_crm::{ACCOUNTS, CONTACTS};
use relata_store::migrate::ModuleMigration;

pub mod dialler;
pub mod lists;
pub mod logging;
pub mod orders;
pub mod report;
pub mod switches;
pub mod telephony;
pub use logging::{CallToLog, FollowUp, Outcome};
use relata_store::{ScopedConn, StoreError};

pub const CALL_QUEUE_ENTRIES: EntityKind = EntityKind::named("call_queue_entries");

/// What a call came to.
pub const OUTCOMES: &[&str] = &["reached", "no_answer", "busy", "wrong_number", "call_back"];
pub const STATUSES: &[&str] = &["open", "done", "cancelled"];

/// When a call that found no one is tried again.
pub const RETRY_AFTER: Duration = Duration::hours(1);

/// The module.
pub struct Calls;

pub(crate) fn relation(id: &'static str, label: &'static str, kind: EntityKind) -> FieldDef {
    FieldDef::standard(id, label, FieldType::Relation(Target::Entity(kind)))
}

pub fn call_queue_entry() -> EntityDef {
    use FieldType::*;
    EntityDef::new(CALL_QUEUE_ENTRIES, "calls", "call_queue_entry", "Call to make", "Calls to make")
        .fields([
            FieldDef::text("reason", "Reason").required().searchable(),
            relation("contact", "Contact", CONTACTS),
            relation("account", "Account", ACCOUNTS),
            FieldDef::standard("phone", "Phone", Phone),
            // 50 unless given (set when saved).
            FieldDef::standard("priority", "Priority", Integer { min: 0, max: 100 }),
            FieldDef::standard("status", "Status", Choice(options(STATUSES))).required().default(Default::Text("open")),
            FieldDef::standard("due_at", "Call from", DateTime),
            FieldDef::standard("attempts", "Attempts", Integer { min: 0, max: 1_000_000 }).read_only(),
            FieldDef::standard("last_outcome", "Last outcome", Choice(options(OUTCOMES))).read_only(),
            FieldDef::standard("last_called_at", "Last called", DateTime).read_only(),
            lists::list_field(),
        ])
        .title(&["reason"])
        .episode(&["account", "contact"], "created_at")
        .columns(&["reason", "contact", "account", "priority", "status", "due_at", "owner"])
        .rights(business_record_rights)
}

impl Module for Calls {
    fn name(&self) -> &'static str {
        "calls"
    }

    fn entities(&self) -> Vec<EntityDef> {
        vec![call_queue_entry(), lists::call_list(), telephony::phone_call()]
    }

    fn before_save<'a>(
        &'a self,
        tx: &'a mut ScopedConn,
        _ctx: &'a Ctx,
        _old: Option<&'a Record>,
        new: &'a mut Record,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            match new.kind {
                CALL_QUEUE_ENTRIES => before_save(tx, new).await,
                lists::CALL_LISTS => lists::check(new),
                _ => Ok(()),
            }
        })
    }

    fn migrations(&self) -> Vec<ModuleMigration> {
        vec![
            ModuleMigration {
                version: 1,
                name: "call queues",
                sqlite: include_str!("../migrations/sqlite/0001_calls.sql"),
                postgres: include_str!("../migrations/postgres/0001_calls.sql"),
            },
            ModuleMigration {
                version: 2,
                name: "phone calls and call lists",
                sqlite: include_str!("../migrations/sqlite/0002_phone_calls.sql"),
                postgres: include_str!("../migrations/postgres/0002_phone_calls.sql"),
            },
            ModuleMigration {
                version: 3,
                name: "dialler, call logging and orders taken in calls",
                sqlite: include_str!("../migrations/sqlite/0003_dialler.sql"),
                postgres: include_str!("../migrations/postgres/0003_dialler.sql"),
            },
            ModuleMigration {
                version: 4,
                name: "call lists from saved views",
                sqlite: include_str!("../migrations/sqlite/0004_list_views.sql"),
                postgres: include_str!("../migrations/postgres/0004_list_views.sql"),
            },
            ModuleMigration {
                version: 5,
                name: "a customer's phone calls by time",
                sqlite: include_str!("../migrations/sqlite/0005_calls_by_time.sql"),
                postgres: include_str!("../migrations/postgres/0005_calls_by_time.sql"),
            },
        ]
    }
}

fn first_phone(record: &Record, field: &str) -> Option<String> {
    match record.values.std(field) {
        FieldValue::List(phones) => phones.first().cloned(),
        FieldValue::Text(phone) => Some(phone.clone()),
        _ => None,
    }
}

/// The priority of an entry that gives none.
pub const DEFAULT_PRIORITY: i64 = 50;

/// An entry names whom to call; without a number it takes the contact's
/// first phone, else the account's.
async fn before_save(tx: &mut ScopedConn, new: &mut Record) -> Result<(), StoreError> {
    if new.values.std("priority").is_null() {
        new.values.set_std("priority", FieldValue::Int(DEFAULT_PRIORITY));
    }
    let contact = new.values.ref_id("contact");
    let account = new.values.ref_id("account");
    if contact.is_none() && account.is_none() {
        let refused = relata_i18n::refusal("contact", "required", "refuse-call-party", vec![]);
        return Err(StoreError::Invalid(ValidationError { errors: vec![refused] }));
    }
    if new.values.std("phone").is_null() {
        let mut phone = None;
        if let Some(id) = contact
            && let Some(c) = tx.get_record(&Schema::standard(CONTACTS), RecordId::from_uuid(id), false).await?
        {
            phone = first_phone(&c, "phones");
        }
        if phone.is_none()
            && let Some(id) = account
            && let Some(a) = tx.get_record(&Schema::standard(ACCOUNTS), RecordId::from_uuid(id), false).await?
        {
            phone = first_phone(&a, "phone");
        }
        if let Some(phone) = phone {
            new.values.set_std("phone", FieldValue::Text(phone));
        }
    }
    Ok(())
}

/// The caller's next call: their open entry due now (or with no time) with
/// the highest priority, the longest waiting first among equals. A call to
/// a contact who has since said not to be called is cancelled, not offered.
pub async fn next_call(app: &App, ctx: &Ctx) -> Result<Option<Record>, AppError> {
    let Some(me) = ctx.actor else { return Ok(None) };
    loop {
        let now = relata_core::value::format_datetime(&app.store.now());
        let params = ListParams {
            filter: Some(format!("status = \"open\" and owner = \"{me}\" and (due_at = null or due_at <= \"{now}\")")),
            sort: Some("-priority".into()),
            limit: Some(NEXT_CALL_WINDOW),
            ..ListParams::default()
        };
        let (page, _) = read::list(app, ctx, CALL_QUEUE_ENTRIES, &params).await?;
        // Among the highest priority, the one waiting longest: due first,
        // then made first.
        let top = page.records.first().map(|r| r.values.std("priority").clone());
        let waiting = |r: &Record| match r.values.std("due_at") {
            FieldValue::DateTime(at) => *at,
            _ => r.created_at,
        };
        let Some(next) = page
            .records
            .into_iter()
            .filter(|r| Some(r.values.std("priority")) == top.as_ref())
            .min_by_key(|r| (waiting(r), r.id))
        else {
            return Ok(None);
        };
        if !cancel_if_refused(app, ctx, &next).await? {
            return Ok(Some(next));
        }
        // Cancelled: the loop ends, as each pass closes one entry for good.
    }
}

/// Cancels an entry whose contact said not to be called (for its list's
/// purpose); answers whether it did.
async fn cancel_if_refused(app: &App, ctx: &Ctx, entry: &Record) -> Result<bool, AppError> {
    let Some(contact) = entry.values.ref_id("contact") else { return Ok(false) };
    let mut tx = app.writer(ctx).await?;
    let purpose = match entry.values.ref_id("call_list") {
        Some(id) => lists::purpose_of(&mut tx, RecordId::from_uuid(id)).await?,
        None => "service".to_string(),
    };
    if !lists::refuses_calls(&mut tx, RecordId::from_uuid(contact), &purpose).await? {
        return Ok(false);
    }
    cancel_refused(&mut tx, ctx, entry).await?;
    tx.commit().await?;
    Ok(true)
}

/// Cancels a call to make whose contact said not to be called, audited as
/// `calls.do_not_call`.
pub(crate) async fn cancel_refused(tx: &mut ScopedConn, ctx: &Ctx, entry: &Record) -> Result<(), AppError> {
    let mut patch = Values::default();
    patch.set_std("status", FieldValue::Text("cancelled".into()));
    let relata = Ctx::new(ctx.workspace.clone(), ctx.actor);
    relata_app::write::update_in(tx, &relata, &Schema::standard(CALL_QUEUE_ENTRIES), entry.id, patch, None).await?;
    let contact = entry.values.ref_id("contact").map(|c| c.to_string());
    let details = serde_json::json!({"call_queue_entry": entry.id.to_string(), "contact": contact});
    relata_app::audit::audit_in(tx, ctx, relata_app::audit::Event::new("calls.do_not_call").details(details)).await?;
    Ok(())
}

/// How many of the highest-priority due entries the next call is chosen from.
const NEXT_CALL_WINDOW: u64 = 200;
