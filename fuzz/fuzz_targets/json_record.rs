// JSON record input: any JSON document as a contact's create or update
// body; it parses into values or into field-level errors, never a panic.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use relata_core::input::parse_fields;

fuzz_target!(|data: &[u8]| {
    let Ok(body) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    let schema = common::contacts();
    let _ = parse_fields(&schema, &body, &common::parse_context());
});
