//! A stored record of any entity type, and the field-level diff between two
//! versions that the change log keeps.

use crate::ids::{RecordId, UserId};
use crate::meta::{EntityKind, Schema};
use crate::value::{FieldValue, Values, format_datetime};
use chrono::{DateTime, Utc};
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
}

impl Record {
    /// A new, unsaved record created by `actor` now.
    pub fn new(kind: EntityKind, actor: Option<UserId>, values: Values) -> Record {
        let now = now_micros();
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
        }
    }

    /// The record as the API returns it: system fields, standard fields by id,
    /// custom fields under `custom`.
    pub fn to_json(&self, schema: &Schema) -> Json {
        let mut obj = Map::new();
        obj.insert("id".into(), json!(self.id));
        obj.insert("version".into(), json!(self.version));
        obj.insert("created_at".into(), json!(format_datetime(&self.created_at)));
        obj.insert("updated_at".into(), json!(format_datetime(&self.updated_at)));
        obj.insert("created_by".into(), json!(self.created_by));
        obj.insert("updated_by".into(), json!(self.updated_by));
        obj.insert("deleted_at".into(), json!(self.deleted_at.as_ref().map(format_datetime)));
        for field in schema.standard.iter().filter(|f| !f.system) {
            obj.insert(field.id.to_string(), self.values.get(field).to_json());
        }
        let custom: Map<String, Json> =
            schema.custom.iter().map(|f| (f.id.to_string(), self.values.get(f).to_json())).collect();
        obj.insert("custom".into(), Json::Object(custom));
        Json::Object(obj)
    }

    /// The text naming the record in lists and timelines ("Anna Nowak").
    pub fn title(&self) -> String {
        let parts: Vec<&str> = self.kind.def().title_fields.iter().filter_map(|f| self.values.text(f)).collect();
        parts.join(" ")
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

/// The before/after form of a stored [`creation_diff`].
pub fn expand_creation(stored: Json) -> Json {
    match stored {
        Json::Object(fields) => Json::Object(
            fields.into_iter().map(|(k, after)| (k, json!({"before": Json::Null, "after": after}))).collect(),
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
