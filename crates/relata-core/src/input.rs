//! Turning a client's JSON object into field values: unknown and read-only
//! fields are refused, every value is parsed against its field, and all
//! problems are reported together.

use crate::error::{FieldError, ValidationError};
use crate::meta::Schema;
use crate::value::{FieldValue, ParseContext, Values, parse_json};
use serde_json::{Map, Value as Json};

/// Parses the fields present in `input` (a create body or a PATCH body).
pub fn parse_fields(schema: &Schema, input: &Json, ctx: &ParseContext) -> Result<Values, ValidationError> {
    let Json::Object(obj) = input else {
        return Err(ValidationError::single("", "invalid_type", "the body must be a JSON object"));
    };
    let mut values = Values::default();
    let mut errors = Vec::new();
    for (key, raw) in obj {
        if key == "custom" {
            parse_custom(schema, raw, ctx, &mut values, &mut errors);
            continue;
        }
        match schema.own_fields().iter().find(|f| f.id == key.as_str()).filter(|f| !schema.is_hidden(f)) {
            None => errors.push(FieldError::new(
                key,
                "unknown_field",
                format!("{} has no field {key:?}", schema.kind.singular()),
            )),
            Some(field) if !field.is_writable() => {
                errors.push(FieldError::new(key, "read_only", "is maintained by Relata and cannot be written"))
            }
            Some(field) if schema.is_read_only_for_role(field) => {
                errors.push(FieldError::new(key, "read_only", "is read-only for your role"))
            }
            Some(field) => match parse_json(field, raw, ctx) {
                Ok(v) => values.set(field, v),
                Err(e) => errors.push(e),
            },
        }
    }
    ValidationError::check(errors)?;
    Ok(values)
}

fn parse_custom(schema: &Schema, raw: &Json, ctx: &ParseContext, values: &mut Values, errors: &mut Vec<FieldError>) {
    let obj: &Map<String, Json> = match raw {
        Json::Object(o) => o,
        Json::Null => return,
        _ => {
            errors.push(FieldError::new("custom", "invalid_type", "expected an object of custom fields"));
            return;
        }
    };
    for (key, raw) in obj {
        match schema.custom_field(key).filter(|f| !schema.is_hidden(f)) {
            None => errors.push(FieldError::new(
                format!("custom.{key}"),
                "unknown_field",
                format!("no custom field {key:?} is defined for {}", schema.kind.api_name()),
            )),
            Some(field) if schema.is_read_only_for_role(field) => {
                errors.push(FieldError::new(format!("custom.{key}"), "read_only", "is read-only for your role"))
            }
            Some(field) => match parse_json(field, raw, ctx) {
                Ok(v) => values.set(field, v),
                Err(e) => errors.push(e),
            },
        }
    }
}

/// Fills defaults for fields the input left out (create only).
pub fn apply_defaults(schema: &Schema, values: &mut Values) {
    for field in schema.fields() {
        if values.get(field).is_null()
            && let Some(default) = field.default_value()
        {
            values.set(field, default);
        }
    }
}

/// Required fields without a value.
pub fn missing_required(schema: &Schema, values: &Values) -> Vec<FieldError> {
    schema
        .fields()
        .filter(|f| f.required && f.is_writable() && values.get(f).is_null())
        .map(|f| FieldError::new(f.qualified_id(), "required", "is required"))
        .collect()
}

/// Merges parsed `patch` values over `base`.
pub fn merge(base: &mut Values, patch: Values) {
    base.standard.extend(patch.standard);
    base.custom.extend(patch.custom);
}

/// The relation fields set (non-null) in `values`, with their targets.
pub fn relations_set<'s>(schema: &'s Schema, values: &Values) -> Vec<(&'s crate::meta::FieldDef, uuid::Uuid)> {
    let mut set = Vec::new();
    for field in schema.fields().filter(|f| f.ty.points_at().is_some()) {
        match values.get(field) {
            FieldValue::Ref(id) => set.push((field, *id)),
            // Members are kept as ids (parsed, so they read back).
            FieldValue::List(ids) => set.extend(ids.iter().filter_map(|id| id.parse().ok()).map(|id| (field, id))),
            _ => {}
        }
    }
    set
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::testing::{self, ACCOUNTS, CONTACTS};
    use crate::money::Currency;
    use serde_json::json;

    fn ctx() -> ParseContext {
        ParseContext { phone_region: None, currencies: vec![Currency::parse("EUR").unwrap()] }
    }

    #[test]
    fn reports_every_problem_at_once() {
        testing::install();
        let schema = Schema::standard(CONTACTS);
        let err = parse_fields(
            &schema,
            &json!({"last_name": 5, "shoe_size": 44, "version": 3, "emails": ["bad"], "custom": {"x": 1}}),
            &ctx(),
        )
        .unwrap_err();
        let fields: Vec<&str> = err.errors.iter().map(|e| e.field.as_str()).collect();
        for f in ["last_name", "shoe_size", "version", "emails", "custom.x"] {
            assert!(fields.contains(&f), "{f} missing from {fields:?}");
        }
    }

    #[test]
    fn defaults_and_required() {
        testing::install();
        let schema = Schema::standard(ACCOUNTS);
        let mut v = parse_fields(&schema, &json!({"industry": "Retail"}), &ctx()).unwrap();
        apply_defaults(&schema, &mut v);
        assert_eq!(v.text("lifecycle"), Some("prospect"));
        let missing = missing_required(&schema, &v);
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0].field, "name");
    }
}
