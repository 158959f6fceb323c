//! Quotas: a period's target for one salesperson.

use relata_core::Record;
use relata_core::value::FieldValue;
use relata_i18n::refused;
use relata_store::StoreError;

/// A quota's period runs forwards, and a quota without a name is named by
/// its period (`2031-01-01 – 2031-03-31`).
pub fn before_save(new: &mut Record) -> Result<(), StoreError> {
    let (FieldValue::Date(start), FieldValue::Date(end)) =
        (new.values.std("period_start").clone(), new.values.std("period_end").clone())
    else {
        return Ok(()); // required fields: the generic checks name what is missing
    };
    if end < start {
        return Err(refused("period_end", "before_start", "refuse-period-before-start", vec![]).into());
    }
    if new.values.text("name").is_none_or(|n| n.trim().is_empty()) {
        new.values.set_std("name", FieldValue::Text(format!("{start} – {end}")));
    }
    Ok(())
}
