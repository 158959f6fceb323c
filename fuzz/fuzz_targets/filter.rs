// The filter language: no input panics; a filter that parses prints to
// text that parses to the same filter; compiling it against the contacts
// schema (related records' fields included) answers (a filter or an error
// naming where), never panics.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use relata_core::filter::{CompileContext, compile, parse, to_text};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(expr) = parse(text) else { return };
    let printed = to_text(&expr);
    let again = parse(&printed).unwrap_or_else(|e| panic!("{printed:?} (from {text:?}) does not parse: {e:?}"));
    assert_eq!(to_text(&again), printed, "printing is stable");
    let schema = common::contacts();
    let parse_context = common::parse_context();
    let cx = CompileContext::relata(&parse_context);
    let _ = compile(&expr, &schema, &cx);
});
