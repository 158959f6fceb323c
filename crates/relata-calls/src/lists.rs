//! Call lists: the contacts a filter selects (in the list filter language:
//! a segment, a territory, "no order this year"), made into calls to make
//! for the list's agents in turn, each contact once per list, and none who
//! said not to be called: a contact who withdrew consent to phone calls is
//! left out, and for a marketing list so is one who never gave it. The
//! agents then work their calls on the next-call page; `next_call` checks
//! the consent again before it offers a call.

use crate::{CALL_QUEUE_ENTRIES, relation};
use relata_app::error::AppError;
use relata_app::read::{self, ListParams};
use relata_app::{App, Ctx};
use relata_core::access::Right;
use relata_core::meta::{
    Default, EntityDef, EntityKind, FieldDef, FieldType, LinesDef, Schema, Target, business_record_rights, options,
};
use relata_core::value::{FieldValue, ParseContext, Values};
use relata_core::{Record, RecordId, ValidationError};
use relata_crm::CONTACTS;
use relata_store::{ScopedConn, StoreError};
use serde_json::{Value as Json, json};
use std::collections::HashSet;

pub const CALL_LISTS: EntityKind = EntityKind::named("call_lists");
/// Why a list calls: marketing calls need consent given; the others only
/// that it was not withdrawn.
pub const PURPOSES: &[&str] = &["sales", "service", "collections", "marketing"];

pub fn call_list() -> EntityDef {
    use FieldType::*;
    let mut def = EntityDef::new(CALL_LISTS, "calls", "call_list", "Call list", "Call lists")
        .fields([
            FieldDef::text("name", "Name").required().searchable(),
            FieldDef::standard("purpose", "Purpose", Choice(options(PURPOSES)))
                .required()
                .default(Default::Text("sales")),
            FieldDef::standard("filter", "Contacts (a filter)", Text { max_len: 2000 }),
            FieldDef::text("reason", "Reason given to each call"),
            FieldDef::standard("priority", "Priority", Integer { min: 0, max: 100 }),
            FieldDef::standard("generated", "Calls made", Integer { min: 0, max: i64::MAX }).read_only(),
            FieldDef::standard("skipped", "Contacts left out", Integer { min: 0, max: i64::MAX }).read_only(),
            FieldDef::standard("generated_at", "Made", DateTime).read_only(),
        ])
        .title(&["name"])
        .columns(&["name", "purpose", "generated", "skipped", "generated_at", "owner"])
        .rights(business_record_rights);
    def.lines = Some(LinesDef {
        fields: vec![FieldDef::data("agent".to_string(), "Agent".to_string(), FieldType::Relation(Target::User), true)],
        totals: Vec::new(),
        currency_field: None,
        personal_fields: Vec::new(),
    });
    def
}

/// The field a call to make names its list by.
pub fn list_field() -> FieldDef {
    relation("call_list", "Call list", CALL_LISTS)
}

/// A list's own rules: its filter reads as a filter over contacts.
pub fn check(list: &Record) -> Result<(), StoreError> {
    let Some(text) = list.values.text("filter").filter(|f| !f.trim().is_empty()) else { return Ok(()) };
    let parse = ParseContext { phone_region: None, currencies: Vec::new() };
    let cx = relata_core::filter::CompileContext::relata(&parse);
    let schema = Schema::standard(CONTACTS);
    let compiled = relata_core::filter::parse(text)
        .map_err(|e| e.to_string())
        .and_then(|expr| relata_core::filter::compile(&expr, &schema, &cx).map(drop).map_err(|e| e.to_string()));
    compiled.map_err(|e| StoreError::Invalid(ValidationError::single("filter", "invalid_filter", e)))
}

/// What making a list's calls did.
pub struct Made {
    pub list: Record,
    pub made: u64,
    /// Contacts left out, by why.
    pub skipped: Json,
}

/// `POST /api/v1/call_lists/{id}/generate`: a call to make for each contact
/// the filter selects that the caller may read, has a phone, may be called
/// for the list's purpose and has no call of this list yet; the list's
/// agents get them in turn. Runs again safely: it only adds who is new.
pub async fn generate(app: &App, ctx: &Ctx, id: RecordId) -> Result<Made, AppError> {
    ctx.access.check_kind(CALL_QUEUE_ENTRIES, Right::Create)?;
    let schemas = app.schemas_for(ctx).await?;
    let (list, _) = read::get(app, ctx, CALL_LISTS, id, false).await?;
    ctx.access.check(CALL_LISTS, Right::Update, relata_app::write::owner_of(&list.values))?;
    let agents: Vec<uuid::Uuid> = list.lines.iter().flatten().filter_map(|l| l.values.ref_id("agent")).collect();
    if agents.is_empty() {
        return Err(ValidationError::single("lines", "required", "name the agents who make the calls").into());
    }
    let purpose = list.values.text("purpose").unwrap_or("sales").to_string();
    let mut tx = app.writer(ctx).await?;
    let mut listed = already_listed(&mut tx, id).await?;
    let mut cursor = None;
    let (mut made, mut turn) = (0u64, 0usize);
    let (mut no_phone, mut do_not_call, mut listed_before) = (0u64, 0u64, 0u64);
    let entries = schemas.get(CALL_QUEUE_ENTRIES);
    loop {
        let params = ListParams {
            filter: list.values.text("filter").map(str::to_string),
            sort: Some("id".into()),
            limit: Some(500),
            cursor: cursor.clone(),
            ..ListParams::default()
        };
        let (page, _) = read::list(app, ctx, CONTACTS, &params).await?;
        for contact in &page.records {
            if !listed.insert(contact.id.uuid()) {
                listed_before += 1;
                continue;
            }
            if matches!(contact.values.std("phones"), FieldValue::List(p) if p.is_empty())
                || contact.values.std("phones").is_null()
            {
                no_phone += 1;
                continue;
            }
            if refuses_calls(&mut tx, contact.id, &purpose).await? {
                do_not_call += 1;
                continue;
            }
            let mut values = Values::default();
            let reason = list.values.text("reason").or(list.values.text("name")).unwrap_or_default();
            values.set_std("reason", FieldValue::Text(reason.to_string()));
            values.set_std("contact", FieldValue::Ref(contact.id.uuid()));
            values.set_std("call_list", FieldValue::Ref(id.uuid()));
            values.set_std("priority", list.values.std("priority").clone());
            values.set_std("owner", FieldValue::Ref(agents[turn % agents.len()]));
            turn += 1;
            relata_app::write::create_in(&mut tx, ctx, entries, values).await?;
            made += 1;
        }
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let skipped = json!({"no_phone": no_phone, "do_not_call": do_not_call, "listed_before": listed_before});
    let mut patch = Values::default();
    let total = list.values.int("generated").unwrap_or(0) + made as i64;
    patch.set_std("generated", FieldValue::Int(total));
    patch.set_std("skipped", FieldValue::Int((no_phone + do_not_call) as i64));
    patch.set_std("generated_at", FieldValue::DateTime(tx.now()));
    let relata = Ctx::new(ctx.workspace.clone(), ctx.actor);
    let list = relata_app::write::update_in(&mut tx, &relata, schemas.get(CALL_LISTS), id, patch, None).await?;
    tx.commit().await?;
    Ok(Made { list, made, skipped })
}

/// The contacts that have a call of this list already, whatever became of it.
async fn already_listed(tx: &mut ScopedConn, list: RecordId) -> Result<HashSet<uuid::Uuid>, AppError> {
    let schema = Schema::standard(CALL_QUEUE_ENTRIES);
    let filter = relata_core::filter::Filter::Compare {
        field: schema.field("call_list").expect("a field of calls to make"),
        op: relata_core::filter::Op::Eq,
        value: FieldValue::Ref(list.uuid()),
    };
    // Every one, whoever owns it: lift the caller's read limits for this.
    let lifted = tx.lift_visibility();
    let found = read::every_in(tx, &schema, filter).await;
    tx.restore_visibility(lifted);
    Ok(found?.iter().filter_map(|e| e.values.ref_id("contact")).collect())
}

/// Whether a contact said not to be called (for `purpose`): the consent
/// ledger's rule, for the channel `phone`.
pub async fn refuses_calls(tx: &mut ScopedConn, contact: RecordId, purpose: &str) -> Result<bool, AppError> {
    Ok(relata_app::privacy::refusal(tx, contact, "phone", purpose).await?.is_some())
}
