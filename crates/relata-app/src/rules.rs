//! Domain rules keyed by entity type: the typed hooks of the write path.
//! Sales rules live in `relata-sales`; the rules of the core records
//! (account hierarchy, activity links) live here.

use crate::Ctx;
use relata_core::meta::{EntityKind, Schema};
use relata_core::value::FieldValue;
use relata_core::{Record, RecordId, ValidationError};
use relata_store::{ScopedConn, StoreError};

fn invalid(field: &str, code: &'static str, message: impl Into<String>) -> StoreError {
    StoreError::Invalid(ValidationError::single(field, code, message))
}

/// Runs before a record is stored; may adjust derived fields or refuse.
pub async fn before_save(
    tx: &mut ScopedConn,
    _ctx: &Ctx,
    old: Option<&Record>,
    new: &mut Record,
) -> Result<(), StoreError> {
    match new.kind {
        EntityKind::Pipeline => relata_sales::pipeline::before_save(tx, old, new).await,
        EntityKind::Opportunity => relata_sales::opportunity::before_save(tx, old, new).await,
        EntityKind::Account => account_before_save(tx, new).await,
        EntityKind::Activity => activity_before_save(tx, old, new).await,
        EntityKind::Contact | EntityKind::Lead => Ok(()),
    }
}

/// Runs after a record is stored, in the same transaction.
pub async fn after_save(tx: &mut ScopedConn, ctx: &Ctx, old: Option<&Record>, new: &Record) -> Result<(), StoreError> {
    match new.kind {
        EntityKind::Opportunity => relata_sales::opportunity::after_save(tx, old, new, ctx.actor).await,
        _ => Ok(()),
    }
}

/// An account may not be its own ancestor.
async fn account_before_save(tx: &mut ScopedConn, new: &Record) -> Result<(), StoreError> {
    let schema = Schema::standard(EntityKind::Account);
    let mut parent = new.values.ref_id("parent_account");
    let mut depth = 0;
    while let Some(p) = parent {
        if p == new.id.uuid() {
            return Err(invalid("parent_account", "cycle", "an account cannot be its own parent or ancestor"));
        }
        depth += 1;
        if depth > 32 {
            return Err(invalid("parent_account", "too_deep", "account hierarchies are at most 32 levels deep"));
        }
        parent = tx
            .get_record(&schema, RecordId::from_uuid(p), false)
            .await?
            .and_then(|a| a.values.ref_id("parent_account"));
    }
    Ok(())
}

const ACTIVITY_LINKS: [&str; 4] = ["account", "contact", "lead", "opportunity"];

/// An activity belongs to someone; it is filed under the contact's or the
/// opportunity's account too, so the account's timeline shows it; its time
/// on the timeline is when it happened (or is due).
async fn activity_before_save(tx: &mut ScopedConn, old: Option<&Record>, new: &mut Record) -> Result<(), StoreError> {
    if ACTIVITY_LINKS.iter().all(|l| new.values.ref_id(l).is_none()) {
        return Err(invalid("account", "required", "link the activity to an account, contact, lead or opportunity"));
    }
    if new.values.ref_id("account").is_none() {
        for (link, kind) in [("contact", EntityKind::Contact), ("opportunity", EntityKind::Opportunity)] {
            if let Some(id) = new.values.ref_id(link)
                && let Some(rec) = tx.get_record(&Schema::standard(kind), RecordId::from_uuid(id), false).await?
                && let Some(account) = rec.values.ref_id("account")
            {
                new.values.set_std("account", FieldValue::Ref(account));
                break;
            }
        }
    }
    if let (FieldValue::DateTime(start), FieldValue::DateTime(end)) =
        (new.values.std("start_at"), new.values.std("end_at"))
        && end < start
    {
        return Err(invalid("end_at", "before_start", "ends before it starts"));
    }
    let occurred = ["start_at", "due_at", "end_at"]
        .iter()
        .find_map(|f| match new.values.std(f) {
            FieldValue::DateTime(t) => Some(*t),
            _ => None,
        })
        .unwrap_or(old.map_or(new.created_at, |o| o.created_at));
    new.values.set_std("occurred_at", FieldValue::DateTime(occurred));
    Ok(())
}
