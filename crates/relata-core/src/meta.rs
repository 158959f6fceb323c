//! The metadata registry: every entity type and its fields, described once.
//!
//! Generic machinery (input parsing, CRUD, the filter language, sorting,
//! CSV import/export, change diffs, the OpenAPI document) reads these
//! descriptions; behaviour that belongs to one domain hooks in with typed code
//! keyed by [`EntityKind`], never by strings.
//!
//! Field ids are stable: they are the JSON keys of the API, the CSV headers and
//! the names used in filters. Custom fields, defined per workspace at run time,
//! live under `custom.<id>`.

use crate::access::{FieldAccess, FieldRules};
use crate::value::FieldValue;
use serde::Serialize;
use std::borrow::Cow;
use std::sync::LazyLock;

/// The standard entity types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    Account,
    Contact,
    Lead,
    Opportunity,
    Activity,
    Pipeline,
}

impl EntityKind {
    pub const ALL: [EntityKind; 6] = [
        EntityKind::Account,
        EntityKind::Contact,
        EntityKind::Lead,
        EntityKind::Opportunity,
        EntityKind::Activity,
        EntityKind::Pipeline,
    ];

    /// The plural used in API paths and as the table name: `accounts`.
    pub fn api_name(self) -> &'static str {
        match self {
            EntityKind::Account => "accounts",
            EntityKind::Contact => "contacts",
            EntityKind::Lead => "leads",
            EntityKind::Opportunity => "opportunities",
            EntityKind::Activity => "activities",
            EntityKind::Pipeline => "pipelines",
        }
    }

    /// The singular used in the change log and in messages: `account`.
    pub fn singular(self) -> &'static str {
        match self {
            EntityKind::Account => "account",
            EntityKind::Contact => "contact",
            EntityKind::Lead => "lead",
            EntityKind::Opportunity => "opportunity",
            EntityKind::Activity => "activity",
            EntityKind::Pipeline => "pipeline",
        }
    }

    pub fn from_api_name(name: &str) -> Option<EntityKind> {
        EntityKind::ALL.into_iter().find(|k| k.api_name() == name)
    }

    pub fn from_singular(name: &str) -> Option<EntityKind> {
        EntityKind::ALL.into_iter().find(|k| k.singular() == name)
    }

    pub fn table(self) -> &'static str {
        self.api_name()
    }

    pub fn def(self) -> &'static EntityDef {
        &REGISTRY[self as usize]
    }
}

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
    /// A decimal number (custom fields).
    Number,
    Money,
    Date,
    DateTime,
    Boolean,
    Choice(Vec<String>),
    MultiChoice(Vec<String>),
    Relation(Target),
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
            FieldType::Money => "money",
            FieldType::Date => "date",
            FieldType::DateTime => "datetime",
            FieldType::Boolean => "boolean",
            FieldType::Choice(_) => "choice",
            FieldType::MultiChoice(_) => "multi_choice",
            FieldType::Relation(_) => "relation",
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
    /// A key inside the record's `custom` JSON column.
    Custom,
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
}

impl FieldDef {
    /// A writable, filterable, sortable field stored in the column named like it.
    fn standard(id: &'static str, label: &'static str, ty: FieldType) -> FieldDef {
        let column = match ty {
            FieldType::Money => {
                Column::Money { amount: leak_concat(id, "_minor"), currency: leak_concat(id, "_currency") }
            }
            FieldType::Relation(_) | FieldType::Stage => Column::Named(leak_concat(id, "_id")),
            _ => Column::Named(id),
        };
        let sortable = !matches!(
            ty,
            FieldType::Emails | FieldType::Phones | FieldType::MultiChoice(_) | FieldType::Stages | FieldType::LongText
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
        }
    }

    fn required(mut self) -> Self {
        self.required = true;
        self
    }
    fn unique(mut self) -> Self {
        self.unique = true;
        self
    }
    fn searchable(mut self) -> Self {
        self.searchable = true;
        self
    }
    fn read_only(mut self) -> Self {
        self.access = Access::ReadOnly;
        self
    }
    fn system(mut self) -> Self {
        self.system = true;
        self.access = Access::ReadOnly;
        self
    }
    fn default(mut self, default: Default) -> Self {
        self.default = Some(default);
        self
    }

    pub fn is_custom(&self) -> bool {
        self.column == Column::Custom
    }

    /// The name clients use: `name`, or `custom.tier` for custom fields.
    pub fn qualified_id(&self) -> Cow<'_, str> {
        if self.is_custom() { Cow::Owned(format!("custom.{}", self.id)) } else { Cow::Borrowed(&self.id) }
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

/// One entity type.
#[derive(Debug)]
pub struct EntityDef {
    pub kind: EntityKind,
    pub label: &'static str,
    /// Fields whose values, joined by spaces, name a record in lists and timelines.
    pub title_fields: &'static [&'static str],
    pub fields: Vec<FieldDef>,
}

impl EntityDef {
    pub fn field(&self, id: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.id == id)
    }
}

/// The fields every record has, maintained by Relata.
fn system_fields() -> Vec<FieldDef> {
    use FieldType::*;
    vec![
        FieldDef::standard("id", "ID", Id).system(),
        FieldDef::standard("version", "Version", Integer { min: 1, max: i64::MAX }).system(),
        FieldDef::standard("owner", "Owner", Relation(Target::User)),
        FieldDef::standard("created_at", "Created", DateTime).system(),
        FieldDef::standard("updated_at", "Updated", DateTime).system(),
        FieldDef::standard("created_by", "Created by", Relation(Target::User)).system(),
        FieldDef::standard("updated_by", "Updated by", Relation(Target::User)).system(),
        FieldDef::standard("deleted_at", "Deleted", DateTime).system(),
    ]
}

fn options(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| v.to_string()).collect()
}

fn text(id: &'static str, label: &'static str) -> FieldDef {
    FieldDef::standard(id, label, FieldType::Text { max_len: 200 })
}

fn postal_address() -> Vec<FieldDef> {
    vec![
        text("street", "Street"),
        text("city", "City").searchable(),
        text("postal_code", "Postal code"),
        text("region", "Region"),
        text("country", "Country"),
    ]
}

pub const ACCOUNT_LIFECYCLES: &[&str] = &["prospect", "customer", "former"];
pub const CONTACT_LIFECYCLES: &[&str] = &["potential", "current", "former"];
pub const LEAD_STATUSES: &[&str] = &["new", "contacted", "qualified", "unqualified", "converted"];
pub const LEAD_SOURCES: &[&str] =
    &["web", "referral", "event", "cold_call", "advertisement", "partner", "campaign", "other"];
pub const ACTIVITY_KINDS: &[&str] = &["call", "meeting", "email", "task", "note", "letter", "sms"];
pub const DIRECTIONS: &[&str] = &["inbound", "outbound"];
pub const OPPORTUNITY_STATUSES: &[&str] = &["open", "won", "lost"];

fn account() -> EntityDef {
    use FieldType::*;
    let mut fields = system_fields();
    fields.extend([
        text("name", "Name").required().searchable(),
        FieldDef::standard("parent_account", "Parent account", Relation(Target::Entity(EntityKind::Account))),
        text("industry", "Industry"),
        text("territory", "Territory"),
    ]);
    fields.extend(postal_address());
    fields.extend([
        text("website", "Website"),
        FieldDef::standard("phone", "Phone", Phone).searchable(),
        FieldDef::standard("email", "Email", Email).searchable(),
        FieldDef::standard("employees", "Employees", Integer { min: 0, max: 100_000_000 }),
        FieldDef::standard("key_account", "Key account", Boolean).default(Default::Bool(false)),
        FieldDef::standard("lifecycle", "Lifecycle", Choice(options(ACCOUNT_LIFECYCLES)))
            .required()
            .default(Default::Text("prospect")),
        FieldDef::standard("description", "Description", LongText).searchable(),
    ]);
    EntityDef { kind: EntityKind::Account, label: "Account", title_fields: &["name"], fields }
}

fn contact() -> EntityDef {
    use FieldType::*;
    let mut fields = system_fields();
    fields.extend([
        text("first_name", "First name").searchable(),
        text("last_name", "Last name").required().searchable(),
        FieldDef::standard("account", "Account", Relation(Target::Entity(EntityKind::Account))),
        text("title", "Job title"),
        FieldDef::standard("emails", "Emails", Emails).searchable(),
        FieldDef::standard("phones", "Phones", Phones).searchable(),
    ]);
    fields.extend(postal_address());
    fields.extend([
        FieldDef::standard("birthday", "Birthday", Date),
        FieldDef::standard("language", "Preferred language", Text { max_len: 35 }),
        FieldDef::standard("lifecycle", "Lifecycle", Choice(options(CONTACT_LIFECYCLES)))
            .required()
            .default(Default::Text("potential")),
        FieldDef::standard("notes", "Notes", LongText).searchable(),
    ]);
    EntityDef { kind: EntityKind::Contact, label: "Contact", title_fields: &["first_name", "last_name"], fields }
}

fn lead() -> EntityDef {
    use FieldType::*;
    let mut fields = system_fields();
    fields.extend([
        text("first_name", "First name").searchable(),
        text("last_name", "Last name").required().searchable(),
        text("company", "Company").searchable(),
        text("title", "Job title"),
        FieldDef::standard("email", "Email", Email).searchable(),
        FieldDef::standard("phone", "Phone", Phone).searchable(),
        FieldDef::standard("source", "Source", Choice(options(LEAD_SOURCES))),
        FieldDef::standard("status", "Status", Choice(options(LEAD_STATUSES))).required().default(Default::Text("new")),
        FieldDef::standard("score", "Score", Integer { min: 0, max: 100 }),
        FieldDef::standard("notes", "Notes", LongText).searchable(),
        FieldDef::standard("converted_at", "Converted", DateTime).read_only(),
        FieldDef::standard("converted_account", "Converted to account", Relation(Target::Entity(EntityKind::Account)))
            .read_only(),
        FieldDef::standard("converted_contact", "Converted to contact", Relation(Target::Entity(EntityKind::Contact)))
            .read_only(),
        FieldDef::standard(
            "converted_opportunity",
            "Converted to opportunity",
            Relation(Target::Entity(EntityKind::Opportunity)),
        )
        .read_only(),
    ]);
    EntityDef { kind: EntityKind::Lead, label: "Lead", title_fields: &["first_name", "last_name", "company"], fields }
}

fn pipeline() -> EntityDef {
    use FieldType::*;
    let mut fields = system_fields();
    fields.extend([
        text("name", "Name").required().unique().searchable(),
        FieldDef::standard("is_default", "Default pipeline", Boolean).default(Default::Bool(false)),
        FieldDef::standard("stages", "Stages", Stages).required(),
    ]);
    EntityDef { kind: EntityKind::Pipeline, label: "Pipeline", title_fields: &["name"], fields }
}

fn opportunity() -> EntityDef {
    use FieldType::*;
    let mut fields = system_fields();
    fields.extend([
        text("name", "Name").required().searchable(),
        FieldDef::standard("account", "Account", Relation(Target::Entity(EntityKind::Account))).required(),
        FieldDef::standard("primary_contact", "Primary contact", Relation(Target::Entity(EntityKind::Contact))),
        FieldDef::standard("pipeline", "Pipeline", Relation(Target::Entity(EntityKind::Pipeline))),
        FieldDef::standard("stage", "Stage", Stage),
        FieldDef::standard("amount", "Amount", Money),
        FieldDef::standard("expected_close_date", "Expected close", Date),
        text("lost_reason", "Lost reason"),
        FieldDef::standard("status", "Status", Choice(options(OPPORTUNITY_STATUSES))).read_only(),
        FieldDef::standard("probability", "Probability %", Integer { min: 0, max: 100 }).read_only(),
        FieldDef::standard("closed_at", "Closed", DateTime).read_only(),
        FieldDef::standard("description", "Description", LongText).searchable(),
    ]);
    EntityDef { kind: EntityKind::Opportunity, label: "Opportunity", title_fields: &["name"], fields }
}

fn activity() -> EntityDef {
    use FieldType::*;
    let mut fields = system_fields();
    fields.extend([
        FieldDef::standard("kind", "Kind", Choice(options(ACTIVITY_KINDS))).required(),
        text("subject", "Subject").required().searchable(),
        FieldDef::standard("body", "Body", LongText).searchable(),
        FieldDef::standard("direction", "Direction", Choice(options(DIRECTIONS))),
        FieldDef::standard("due_at", "Due", DateTime),
        FieldDef::standard("start_at", "Starts", DateTime),
        FieldDef::standard("end_at", "Ends", DateTime),
        FieldDef::standard("done", "Done", Boolean).default(Default::Bool(false)),
        text("outcome", "Outcome"),
        FieldDef::standard("occurred_at", "Occurred", DateTime).read_only(),
        FieldDef::standard("account", "Account", Relation(Target::Entity(EntityKind::Account))),
        FieldDef::standard("contact", "Contact", Relation(Target::Entity(EntityKind::Contact))),
        FieldDef::standard("lead", "Lead", Relation(Target::Entity(EntityKind::Lead))),
        FieldDef::standard("opportunity", "Opportunity", Relation(Target::Entity(EntityKind::Opportunity))),
    ]);
    EntityDef { kind: EntityKind::Activity, label: "Activity", title_fields: &["subject"], fields }
}

/// Indexed by `EntityKind as usize`; the order must match the enum's.
static REGISTRY: LazyLock<Vec<EntityDef>> =
    LazyLock::new(|| vec![account(), contact(), lead(), opportunity(), activity(), pipeline()]);

/// The fields of one entity type in one workspace: the standard ones plus the
/// workspace's custom fields, and the field rules of the role looking at them.
///
/// Storage reads and writes every field ([`Schema::fields`]); the edge (input
/// parsing, filters, sorting, responses, exports) sees the record through
/// the rules: hidden fields do not exist there ([`Schema::field`] does not
/// find them) and read-only ones cannot be written.
#[derive(Clone, Debug)]
pub struct Schema {
    pub kind: EntityKind,
    pub standard: &'static [FieldDef],
    pub custom: Vec<FieldDef>,
    pub rules: FieldRules,
}

impl Schema {
    pub fn standard(kind: EntityKind) -> Schema {
        Schema { kind, standard: &kind.def().fields, custom: Vec::new(), rules: FieldRules::new() }
    }

    pub fn with_custom(kind: EntityKind, custom: Vec<FieldDef>) -> Schema {
        Schema { kind, standard: &kind.def().fields, custom, rules: FieldRules::new() }
    }

    /// The same fields seen through a role's field rules.
    pub fn with_rules(&self, rules: FieldRules) -> Schema {
        Schema { rules, ..self.clone() }
    }

    /// Every field, hidden or not (storage, change diffs, indexes).
    pub fn fields(&self) -> impl Iterator<Item = &FieldDef> {
        self.standard.iter().chain(self.custom.iter())
    }

    /// The fields the viewer may see.
    pub fn visible_fields(&self) -> impl Iterator<Item = &FieldDef> {
        self.fields().filter(|f| !self.is_hidden(f))
    }

    pub fn is_hidden(&self, field: &FieldDef) -> bool {
        !self.rules.is_empty() && self.rules.get(field.qualified_id().as_ref()) == Some(&FieldAccess::Hidden)
    }

    /// Read-only for the viewer's role (on top of fields Relata maintains).
    pub fn is_read_only_for_role(&self, field: &FieldDef) -> bool {
        !self.rules.is_empty() && self.rules.get(field.qualified_id().as_ref()) == Some(&FieldAccess::ReadOnly)
    }

    /// Finds a visible field by the name a client uses (`city`, `custom.tier`).
    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        let field = match name.strip_prefix("custom.") {
            Some(custom) => self.custom.iter().find(|f| f.id == custom),
            None => self.standard.iter().find(|f| f.id == name),
        }?;
        (!self.is_hidden(field)).then_some(field)
    }

    /// A custom field by id, hidden or not (storage).
    pub fn custom_field(&self, id: &str) -> Option<&FieldDef> {
        self.custom.iter().find(|f| f.id == id)
    }
}

/// The field types a workspace may give its custom fields.
pub const CUSTOM_FIELD_TYPES: &[&str] = &[
    "text",
    "long_text",
    "number",
    "integer",
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
    pub fn for_custom(name: &str, options: &[String], target: Option<&str>) -> Result<FieldType, String> {
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
                    EntityKind::from_api_name(t).ok_or_else(|| format!("unknown relation target {t:?}"))?,
                )),
                None => return Err("relation fields need a target (e.g. \"accounts\")".into()),
            },
            other => {
                return Err(format!("unknown field type {other:?}; one of: {}", CUSTOM_FIELD_TYPES.join(", ")));
            }
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_is_indexed_by_kind() {
        for kind in EntityKind::ALL {
            assert_eq!(kind.def().kind, kind);
            assert_eq!(EntityKind::from_api_name(kind.api_name()), Some(kind));
            for title in kind.def().title_fields {
                assert!(kind.def().field(title).is_some(), "{kind:?}.{title}");
            }
        }
    }

    #[test]
    fn field_ids_are_unique_per_entity() {
        for kind in EntityKind::ALL {
            let mut ids: Vec<_> = kind.def().fields.iter().map(|f| f.id.as_ref()).collect();
            let before = ids.len();
            ids.sort();
            ids.dedup();
            assert_eq!(before, ids.len(), "{kind:?}");
        }
    }

    #[test]
    fn relation_and_money_fields_get_derived_columns() {
        let opp = EntityKind::Opportunity.def();
        assert_eq!(opp.field("account").unwrap().column, Column::Named("account_id"));
        assert_eq!(
            opp.field("amount").unwrap().column,
            Column::Money { amount: "amount_minor", currency: "amount_currency" }
        );
    }
}
