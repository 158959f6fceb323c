// CSV import rows: any bytes read as CSV under a header of the contacts'
// fields, every cell parsed against its field as the importer does; each
// cell gives a value or a field error, never a panic.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use relata_core::value::parse_text;

fuzz_target!(|data: &[u8]| {
    let schema = common::contacts();
    let fields: Vec<_> = schema.own_fields().iter().filter(|f| f.is_writable()).cloned().collect();
    let context = common::parse_context();
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(data);
    for record in reader.records().take(64) {
        let Ok(record) = record else { continue };
        for (cell, field) in record.iter().zip(fields.iter().cycle()) {
            let _ = parse_text(field, cell, &context);
        }
    }
});
