//! A stored record of any entity type, and the field-level diff between two
//! versions that the change log keeps.

use crate::ids::{RecordId, UserId};
use crate::meta::{EntityKind, Schema};
use crate::value::{FieldValue, Values};
use chrono::{DateTime, Utc};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value as Json, json};

#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub kind: EntityKind,
    pub id: RecordId,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub created_by: Option<UserId>,
    pub updated_by: Option<UserId>,
    pub deleted_at: Option<DateTime<Utc>>,
    /// Owner, domain fields and custom fields.
    pub values: Values,
    /// A document's lines, in order, when they were read with it (record
    /// pages, the write path); `None` for other types and in lists.
    pub lines: Option<Vec<crate::document::Line>>,
}

impl Record {
    /// A new, unsaved record created by `actor` at `now` (the clock's time).
    pub fn new(kind: EntityKind, actor: Option<UserId>, values: Values, now: DateTime<Utc>) -> Record {
        Record {
            kind,
            id: RecordId::new(),
            version: 1,
            created_at: now,
            updated_at: now,
            created_by: actor,
            updated_by: actor,
            deleted_at: None,
            values,
            lines: None,
        }
    }

    /// The record as the API returns it: system fields, standard fields by id,
    /// custom fields under `custom`. (Responses serialise [`RecordView`]
    /// directly; this tree is for callers that edit or embed it.)
    pub fn to_json(&self, schema: &Schema) -> Json {
        serde_json::to_value(RecordView { record: self, schema }).expect("records serialise")
    }

    /// The value of a system or standard field, by id.
    pub fn field_value(&self, id: &str) -> FieldValue {
        match id {
            "id" => FieldValue::Ref(self.id.uuid()),
            "version" => FieldValue::Int(self.version),
            "created_at" => FieldValue::DateTime(self.created_at),
            "updated_at" => FieldValue::DateTime(self.updated_at),
            "created_by" => self.created_by.map_or(FieldValue::Null, |u| FieldValue::Ref(u.uuid())),
            "updated_by" => self.updated_by.map_or(FieldValue::Null, |u| FieldValue::Ref(u.uuid())),
            "deleted_at" => self.deleted_at.map_or(FieldValue::Null, FieldValue::DateTime),
            other => self.values.std(other).clone(),
        }
    }
}

/// A record as the API shows it, serialised straight into the response
/// without building a JSON tree first.
pub struct RecordView<'a> {
    pub record: &'a Record,
    pub schema: &'a Schema,
}

impl Serialize for RecordView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.record;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("id", &r.id)?;
        map.serialize_entry("version", &r.version)?;
        map.serialize_entry("created_at", &FieldValue::DateTime(r.created_at))?;
        map.serialize_entry("updated_at", &FieldValue::DateTime(r.updated_at))?;
        map.serialize_entry("created_by", &r.created_by)?;
        map.serialize_entry("updated_by", &r.updated_by)?;
        map.serialize_entry("deleted_at", &r.deleted_at.map_or(FieldValue::Null, FieldValue::DateTime))?;
        for field in self.schema.own_fields().iter().filter(|f| !f.system && !self.schema.is_hidden(f)) {
            map.serialize_entry(field.id.as_ref(), r.values.get(field))?;
        }
        map.serialize_entry("custom", &CustomView(self))?;
        if let (Some(lines), Some(def)) = (&r.lines, self.schema.def().lines.as_ref()) {
            let shown: Vec<Json> = lines.iter().map(|l| crate::document::line_json(def, l)).collect();
            map.serialize_entry("lines", &shown)?;
        }
        map.end()
    }
}

struct CustomView<'a>(&'a RecordView<'a>);

impl Serialize for CustomView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        for field in self.0.schema.custom.iter().filter(|f| !self.0.schema.is_hidden(f)) {
            map.serialize_entry(field.id.as_ref(), self.0.record.values.get(field))?;
        }
        map.end()
    }
}

/// Now, truncated to microseconds: the precision both backends keep, so a
/// value read back equals the value written.
pub fn now_micros() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp_micros(now.timestamp_micros()).expect("now is representable")
}

/// What the change log stores for a create: the fields that have a value,
/// `{"field": after}` (every `before` would be null). [`expand_creation`]
/// gives the before/after form readers see.
pub fn creation_diff(schema: &Schema, values: &Values) -> Json {
    let mut out = Map::new();
    for field in schema.fields().filter(|f| !f.system || f.id == "owner") {
        let v = values.get(field);
        if !v.is_null() {
            out.insert(field.qualified_id().into_owned(), v.to_json());
        }
    }
    Json::Object(out)
}

/// The before/after form of a stored [`creation_diff`]. Creations written
/// by the first release (schema v1) stored that form already; no field's
/// value is an object of `before` and `after` alone, so such members are
/// kept as they are.
pub fn expand_creation(stored: Json) -> Json {
    let expanded =
        |v: &Json| v.as_object().is_some_and(|o| o.len() == 2 && o.contains_key("before") && o.contains_key("after"));
    match stored {
        Json::Object(fields) => Json::Object(
            fields
                .into_iter()
                .map(
                    |(k, after)| {
                        if expanded(&after) { (k, after) } else { (k, json!({"before": Json::Null, "after": after})) }
                    },
                )
                .collect(),
        ),
        other => other,
    }
}

/// The field-level difference between two versions of a record's values:
/// `{"field": {"before": …, "after": …}}`, custom fields as `custom.<id>`.
pub fn diff(schema: &Schema, before: Option<&Values>, after: Option<&Values>) -> Json {
    let empty = Values::default();
    let b = before.unwrap_or(&empty);
    let a = after.unwrap_or(&empty);
    let mut out = Map::new();
    for field in schema.fields().filter(|f| !f.system || f.id == "owner") {
        let (old, new) = (b.get(field), a.get(field));
        if old != new {
            out.insert(field.qualified_id().into_owned(), json!({"before": old.to_json(), "after": new.to_json()}));
        }
    }
    Json::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creations_expand_once_whichever_release_wrote_them() {
        let compact = json!({"name": "Acme", "amount": {"amount": "1.00", "currency": "EUR"}});
        let expanded = expand_creation(compact);
        assert_eq!(expanded["name"], json!({"before": null, "after": "Acme"}));
        assert_eq!(expanded["amount"]["after"]["currency"], "EUR");
        // Schema v1 stored the expanded form; reading it again changes nothing.
        assert_eq!(expand_creation(expanded.clone()), expanded);
    }
}
