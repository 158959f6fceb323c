//! CardDAV and CalDAV: the user's contacts as an address book of vCards,
//! and their meetings, calls and tasks as a calendar, for the phones and
//! desktop programs people already use. Edits made there come back through
//! the same write path as every other change; what a client sent that the
//! CRM does not hold is kept beside the record and written back.

pub mod collections;
pub mod content;
pub mod ical;
pub mod recur;
pub mod vcard;
pub mod xml;
