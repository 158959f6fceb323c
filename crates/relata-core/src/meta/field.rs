//! Fields: their types, storage columns and the builders modules describe
//! their entity types with.

use crate::meta::EntityKind;
use crate::value::FieldValue;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// What a relation field points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    Entity(EntityKind),
    User,
}

/// The type of a field, which decides parsing, storage and filter operators.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldType {
    /// The record's own id.
    Id,
    Text {
        max_len: usize,
    },
    LongText,
    Email,
    /// Several addresses; the first is the primary one.
    Emails,
    Phone,
    /// Several numbers, each normalised to E.164; the first is the primary one.
    Phones,
    Integer {
        min: i64,
        max: i64,
    },
    /// A floating-point number (custom fields).
    Number,
    /// An exact decimal with `scale` places after the point (quantities,
    /// unit prices, rates); see [`crate::decimal`].
    Decimal {
        scale: u32,
    },
    Money,
    Date,
    DateTime,
    Boolean,
    Choice(Vec<String>),
    MultiChoice(Vec<String>),
    Relation(Target),
    /// Several members of the workspace (a meeting's attendees): their
    /// ids, in the order given.
    Members,
    /// A stage id of the record's pipeline (opportunities).
    Stage,
    /// The ordered stages of a pipeline.
    Stages,
}

impl FieldType {
    /// The name used in the API and in custom field definitions.
    pub fn name(&self) -> &'static str {
        match self {
            FieldType::Id => "id",
            FieldType::Text { .. } => "text",
            FieldType::LongText => "long_text",
            FieldType::Email => "email",
            FieldType::Emails => "emails",
            FieldType::Phone => "phone",
            FieldType::Phones => "phones",
            FieldType::Integer { .. } => "integer",
            FieldType::Number => "number",
            FieldType::Decimal { .. } => "decimal",
            FieldType::Money => "money",
            FieldType::Date => "date",
            FieldType::DateTime => "datetime",
            FieldType::Boolean => "boolean",
            FieldType::Choice(_) => "choice",
            FieldType::MultiChoice(_) => "multi_choice",
            FieldType::Relation(_) => "relation",
            FieldType::Members => "members",
            FieldType::Stage => "stage",
            FieldType::Stages => "stages",
        }
    }

    pub fn options(&self) -> Option<&[String]> {
        match self {
            FieldType::Choice(o) | FieldType::MultiChoice(o) => Some(o),
            _ => None,
        }
    }
}

/// Where a field lives in the record's table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Column {
    /// One column of that name.
    Named(&'static str),
    /// Two columns: integer minor units and the ISO 4217 code.
    Money { amount: &'static str, currency: &'static str },
    /// A custom field: a key inside the record's `custom` JSON column,
    /// named `custom.<id>` by clients.
    Custom,
    /// A field of a custom object: also a key inside the `custom` column
    /// (custom objects share one table), but one of the object's own fields,
    /// named by its id alone.
    Data,
}

/// Who may write a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Writable,
    /// Maintained by Relata (system columns, derived values); refused in input.
    ReadOnly,
}

/// A default applied on create when the input leaves the field out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Default {
    Text(&'static str),
    Bool(bool),
}

/// One field of an entity type.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldDef {
    pub id: Cow<'static, str>,
    pub label: Cow<'static, str>,
    pub ty: FieldType,
    pub column: Column,
    pub required: bool,
    /// Unique among the workspace's live records of the type.
    pub unique: bool,
    /// Included in full-text search.
    pub searchable: bool,
    pub filterable: bool,
    pub sortable: bool,
    pub access: Access,
    /// System fields (id, version, timestamps) are columns of every table.
    pub system: bool,
    pub default: Option<Default>,
    /// A filter (in the list filter language) over the records of the type
    /// this other field names: the form offers a filter builder for it.
    pub filter_over: Option<&'static str>,
    /// Labels per language given in the metadata (a custom field's own;
    /// the catalogues give Relata's built-in fields theirs).
    pub translations: Translations,
    /// What people see for each choice option, in the language the schema
    /// was localized to ([`FieldDef::option_label`]); empty until then.
    pub option_labels: BTreeMap<String, String>,
}

/// A field's labels in other languages, as its definition gives them:
/// `{"labels": {"pl": "Rozmiar"}, "option_labels": {"small": {"pl": "Mały"}}}`,
/// keyed by language tag.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Translations {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub option_labels: BTreeMap<String, BTreeMap<String, String>>,
}

impl Translations {
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty() && self.option_labels.is_empty()
    }
}

impl FieldDef {
    /// A writable, filterable, sortable field stored in the column named like it.
    pub fn standard(id: &'static str, label: &'static str, ty: FieldType) -> FieldDef {
        let column = match ty {
            FieldType::Money => {
                Column::Money { amount: leak_concat(id, "_minor"), currency: leak_concat(id, "_currency") }
            }
            FieldType::Relation(_) | FieldType::Stage => Column::Named(leak_concat(id, "_id")),
            _ => Column::Named(id),
        };
        let sortable = !matches!(
            ty,
            FieldType::Emails
                | FieldType::Phones
                | FieldType::MultiChoice(_)
                | FieldType::Members
                | FieldType::Stages
                | FieldType::LongText
        );
        FieldDef {
            id: Cow::Borrowed(id),
            label: Cow::Borrowed(label),
            filterable: !matches!(ty, FieldType::Stages),
            ty,
            column,
            required: false,
            unique: false,
            searchable: false,
            sortable,
            access: Access::Writable,
            system: false,
            default: None,
            filter_over: None,
            translations: Translations::default(),
            option_labels: BTreeMap::new(),
        }
    }

    /// A field defined at run time by a workspace, stored under `custom`.
    pub fn custom(id: String, label: String, ty: FieldType, required: bool) -> FieldDef {
        FieldDef {
            id: Cow::Owned(id),
            label: Cow::Owned(label),
            sortable: !matches!(ty, FieldType::MultiChoice(_)),
            ty,
            column: Column::Custom,
            required,
            unique: false,
            searchable: false,
            filterable: true,
            access: Access::Writable,
            system: false,
            default: None,
            filter_over: None,
            translations: Translations::default(),
            option_labels: BTreeMap::new(),
        }
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }
    pub fn unique(mut self) -> Self {
        self.unique = true;
        self
    }
    /// This text is a filter over the type named by the field `type_field`.
    pub fn filter_over(mut self, type_field: &'static str) -> Self {
        self.filter_over = Some(type_field);
        self
    }

    pub fn searchable(mut self) -> Self {
        self.searchable = true;
        self
    }
    pub fn read_only(mut self) -> Self {
        self.access = Access::ReadOnly;
        self
    }
    pub fn system(mut self) -> Self {
        self.system = true;
        self.access = Access::ReadOnly;
        self
    }
    pub fn default(mut self, default: Default) -> Self {
        self.default = Some(default);
        self
    }

    pub fn is_custom(&self) -> bool {
        self.column == Column::Custom
    }

    /// Whether the value is kept in the record's `custom` JSON column.
    pub fn in_json(&self) -> bool {
        matches!(self.column, Column::Custom | Column::Data)
    }

    /// A field of a custom object, stored under its id in the JSON column.
    pub fn data(id: String, label: String, ty: FieldType, required: bool) -> FieldDef {
        FieldDef { column: Column::Data, ..FieldDef::custom(id, label, ty, required) }
    }

    /// A text field of at most 200 characters.
    pub fn text(id: &'static str, label: &'static str) -> FieldDef {
        FieldDef::standard(id, label, FieldType::Text { max_len: 200 })
    }

    /// The name clients use: `name`, or `custom.tier` for custom fields.
    pub fn qualified_id(&self) -> Cow<'_, str> {
        if self.is_custom() { Cow::Owned(format!("custom.{}", self.id)) } else { Cow::Borrowed(&self.id) }
    }

    /// What people see for a choice option: its label in the schema's
    /// language, else the option itself.
    pub fn option_label<'a>(&'a self, option: &'a str) -> &'a str {
        self.option_labels.get(option).map_or(option, String::as_str)
    }

    pub fn is_writable(&self) -> bool {
        self.access == Access::Writable
    }

    /// The value applied on create when input leaves the field out.
    pub fn default_value(&self) -> Option<FieldValue> {
        self.default.map(|d| match d {
            Default::Text(t) => FieldValue::Text(t.to_string()),
            Default::Bool(b) => FieldValue::Bool(b),
        })
    }
}

/// Column names are `'static` in the registry; the registry is built once, so
/// leaking these few derived names is bounded.
fn leak_concat(a: &str, b: &str) -> &'static str {
    Box::leak(format!("{a}{b}").into_boxed_str())
}

/// The field types a workspace may give its custom fields.
pub const CUSTOM_FIELD_TYPES: &[&str] = &[
    "text",
    "long_text",
    "number",
    "integer",
    "decimal",
    "money",
    "date",
    "datetime",
    "boolean",
    "choice",
    "multi_choice",
    "relation",
    "email",
    "phone",
];

impl FieldType {
    /// Builds a custom field's type from its definition; the error names what is wrong.
    /// `kind_of` finds a relation's target type by API name: the registry's
    /// types and the workspace's custom objects.
    pub fn for_custom(
        name: &str,
        options: &[String],
        target: Option<&str>,
        kind_of: &dyn Fn(&str) -> Option<EntityKind>,
    ) -> Result<FieldType, String> {
        let needs_options = matches!(name, "choice" | "multi_choice");
        if needs_options {
            if options.is_empty() || options.len() > 200 {
                return Err("choice fields need 1 to 200 options".into());
            }
            if options.iter().any(|o| o.trim().is_empty() || o.len() > 100) {
                return Err("options must be non-empty and at most 100 characters".into());
            }
            let mut sorted = options.to_vec();
            sorted.sort();
            sorted.dedup();
            if sorted.len() != options.len() {
                return Err("options must be distinct".into());
            }
        } else if !options.is_empty() {
            return Err(format!("{name} fields take no options"));
        }
        if name != "relation" && target.is_some() {
            return Err("only relation fields take a target".into());
        }
        Ok(match name {
            "text" => FieldType::Text { max_len: 500 },
            "long_text" => FieldType::LongText,
            "number" => FieldType::Number,
            "decimal" => FieldType::Decimal { scale: 2 },
            "integer" => FieldType::Integer { min: i64::MIN, max: i64::MAX },
            "money" => FieldType::Money,
            "date" => FieldType::Date,
            "datetime" => FieldType::DateTime,
            "boolean" => FieldType::Boolean,
            "choice" => FieldType::Choice(options.to_vec()),
            "multi_choice" => FieldType::MultiChoice(options.to_vec()),
            "email" => FieldType::Email,
            "phone" => FieldType::Phone,
            "relation" => match target {
                Some("users") => FieldType::Relation(Target::User),
                Some(t) => FieldType::Relation(Target::Entity(
                    kind_of(t).ok_or_else(|| format!("unknown relation target {t:?}"))?,
                )),
                None => return Err("relation fields need a target (e.g. \"accounts\")".into()),
            },
            other => {
                return Err(format!("unknown field type {other:?}; one of: {}", CUSTOM_FIELD_TYPES.join(", ")));
            }
        })
    }

    /// A decimal type with the places a definition gives (2 when it gives
    /// none); other types take no scale.
    pub fn with_scale(self, scale: Option<u32>) -> Result<FieldType, String> {
        match (self, scale) {
            (FieldType::Decimal { .. }, Some(s)) if s > crate::decimal::MAX_SCALE => {
                Err(format!("a scale is 0 to {} places", crate::decimal::MAX_SCALE))
            }
            (FieldType::Decimal { .. }, Some(scale)) => Ok(FieldType::Decimal { scale }),
            (ty, None) => Ok(ty),
            (ty, Some(_)) => Err(format!("{} fields take no scale", ty.name())),
        }
    }

    /// The places after the point, for decimal fields.
    pub fn scale(&self) -> Option<u32> {
        match self {
            FieldType::Decimal { scale } => Some(*scale),
            _ => None,
        }
    }

    /// What a field's ids point at: a relation's target; members are users.
    pub fn points_at(&self) -> Option<Target> {
        match self {
            FieldType::Relation(target) => Some(*target),
            FieldType::Members => Some(Target::User),
            _ => None,
        }
    }

    /// The relation target's API name, for relation fields.
    pub fn target_name(&self) -> Option<&'static str> {
        match self {
            FieldType::Relation(Target::User) => Some("users"),
            FieldType::Relation(Target::Entity(k)) => Some(k.api_name()),
            _ => None,
        }
    }
}

/// Whether `id` may name a custom field: lower-case ASCII, digits and
/// underscores, starting with a letter, at most 63 characters.
pub fn is_valid_custom_field_id(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some('a'..='z'))
        && id.len() <= 63
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Whether `id` may name a custom object (its API name, in paths): the same
/// shape as a custom field id.
pub fn is_valid_custom_object_id(id: &str) -> bool {
    is_valid_custom_field_id(id)
}
