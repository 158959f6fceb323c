//! Lead conversion: a qualified lead becomes an account, a contact and
//! (optionally) an opportunity, in one transaction, and keeps the links.
//!
//! This module maps values; `relata-app` runs the writes through the one
//! write path so every created record gets its rules and change entries.

use relata_core::Record;
use relata_core::value::{FieldValue, Values};
use relata_i18n::refused;
use relata_store::StoreError;

/// Refuses leads that were already converted.
pub fn check_convertible(lead: &Record) -> Result<(), StoreError> {
    if lead.values.std("converted_at") != &FieldValue::Null {
        return Err(refused("status", "already_converted", "refuse-lead-converted", vec![]).into());
    }
    Ok(())
}

fn copy(from: &Values, to: &mut Values, pairs: &[(&str, &str)]) {
    for (src, dst) in pairs {
        let v = from.std(src);
        if !v.is_null() {
            to.set_std(dst, v.clone());
        }
    }
}

/// The account made from a lead's company (named after the person if none).
pub fn account_values(lead: &Record) -> Values {
    let mut v = Values::default();
    let name = lead
        .values
        .text("company")
        .map(str::to_string)
        .unwrap_or_else(|| relata_core::meta::Schema::standard(crate::LEADS).title(lead));
    v.set_std("name", FieldValue::Text(name));
    v.set_std("lifecycle", FieldValue::Text("prospect".into()));
    copy(&lead.values, &mut v, &[("owner", "owner")]);
    v
}

/// The contact made from the lead's person.
pub fn contact_values(lead: &Record, account: uuid::Uuid) -> Values {
    let mut v = Values::default();
    copy(
        &lead.values,
        &mut v,
        &[
            ("first_name", "first_name"),
            ("last_name", "last_name"),
            ("title", "title"),
            ("notes", "notes"),
            ("owner", "owner"),
        ],
    );
    if let Some(email) = lead.values.text("email") {
        v.set_std("emails", FieldValue::List(vec![email.to_string()]));
    }
    if let Some(phone) = lead.values.text("phone") {
        v.set_std("phones", FieldValue::List(vec![phone.to_string()]));
    }
    v.set_std("account", FieldValue::Ref(account));
    v.set_std("lifecycle", FieldValue::Text("potential".into()));
    v
}

/// The lead's values after conversion.
pub fn mark_converted(
    lead: &mut Record,
    at: chrono::DateTime<chrono::Utc>,
    account: uuid::Uuid,
    contact: uuid::Uuid,
    opportunity: Option<uuid::Uuid>,
) {
    let v = &mut lead.values;
    v.set_std("status", FieldValue::Text("converted".into()));
    v.set_std("converted_at", FieldValue::DateTime(at));
    v.set_std("converted_account", FieldValue::Ref(account));
    v.set_std("converted_contact", FieldValue::Ref(contact));
    v.set_std("converted_opportunity", opportunity.map_or(FieldValue::Null, FieldValue::Ref));
}
