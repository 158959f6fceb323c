//! Customer service's pages: the actions on a case's page (reply to the
//! customer, add an internal note, through the generic comment form; a
//! new contact for an unknown sender).

use super::Page;
use super::commerce::Action;
use relata_core::Record;
use relata_core::access::Right;
use relata_core::meta::Schema;
use relata_service::entities::{CASE_COMMENTS, CASES};

pub(crate) fn actions(page: &Page, schema: &Schema, record: &Record) -> Vec<Action> {
    if schema.kind != CASES || page.ctx.access.check_kind(CASE_COMMENTS, Right::Create).is_err() {
        return Vec::new();
    }
    let new_comment = |kind: &str| format!("/{}/new?case={}&kind={kind}", CASE_COMMENTS.api_name(), record.id);
    let mut out = vec![
        Action::link("Reply to the customer", new_comment("reply")),
        Action::link("Add an internal note", new_comment("note")),
    ];
    // Mail from an unknown address: a new contact is proposed, prefilled.
    if let (None, Some(address)) = (record.values.ref_id("contact"), record.values.text("requester_email"))
        && page.ctx.access.check_kind(relata_crm::CONTACTS, Right::Create).is_ok()
    {
        let query = serde_urlencoded::to_string([("emails", address)]).unwrap_or_default();
        out.push(Action::link(&format!("New contact for {address}"), format!("/contacts/new?{query}")));
    }
    out
}
