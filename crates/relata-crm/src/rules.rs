//! The rules of the customer records: account hierarchies and activity links.

use crate::{ACCOUNTS, ACTIVITIES};
use relata_core::meta::{FieldType, Schema, Target};
use relata_core::value::FieldValue;
use relata_core::{Record, RecordId, ValidationError};
use relata_store::{ScopedConn, StoreError};

fn invalid(field: &str, code: &'static str, message: impl Into<String>) -> StoreError {
    StoreError::Invalid(ValidationError::single(field, code, message))
}

/// An account may not be its own ancestor.
pub async fn account_before_save(tx: &mut ScopedConn, new: &Record) -> Result<(), StoreError> {
    let schema = Schema::standard(ACCOUNTS);
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

/// An activity belongs to someone: at least one of its links (account,
/// contact, and those other modules add) is set. It is filed under the
/// account of what it links to as well, so that the account's timeline shows
/// it; its time on the timeline is when it happened (or is due).
pub async fn activity_before_save(
    tx: &mut ScopedConn,
    old: Option<&Record>,
    new: &mut Record,
) -> Result<(), StoreError> {
    let links: Vec<&str> =
        ACTIVITIES.def().episode.as_ref().map(|e| e.links.iter().map(|l| l.as_ref()).collect()).unwrap_or_default();
    if links.iter().all(|l| new.values.ref_id(l).is_none()) {
        let names = links.join(", ");
        return Err(invalid("account", "required", format!("link the activity to one of: {names}")));
    }
    if new.values.ref_id("account").is_none() {
        for link in links.iter().filter(|l| **l != "account") {
            let (Some(id), Some(field)) = (new.values.ref_id(link), ACTIVITIES.def().field(link)) else { continue };
            let FieldType::Relation(Target::Entity(kind)) = field.ty else { continue };
            if kind.def().relations_to(ACCOUNTS).all(|f| f.id != "account") {
                continue;
            }
            if let Some(rec) = tx.get_record(&Schema::standard(kind), RecordId::from_uuid(id), false).await?
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
