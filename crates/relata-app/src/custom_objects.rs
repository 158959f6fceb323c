//! Custom objects: entity types a workspace's administrators define at run
//! time (`vehicles`, `service_contracts`). A definition is checked here and
//! stored as given, in its normal form; [`App::schemas`] turns it into an
//! [`EntityDef`] like a module's, so the generic machinery (the API, pages,
//! filters, search, import and export, history, permissions, the timeline,
//! the change feed) serves it without knowing it is custom.

use crate::error::AppError;
use crate::{App, Ctx, Schemas};
use relata_core::meta::{
    EntityDef, EntityKind, Episode, FieldDef, FieldType, Target, is_valid_custom_field_id, is_valid_custom_object_id,
    system_fields,
};
use relata_core::{FieldError, RecordId, ValidationError};
use relata_store::changes::ChangeOp;
use relata_store::custom_objects::CustomObjectRow;
use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};
use std::borrow::Cow;

/// Names no custom object may take, besides the installed modules' types
/// (and their singulars): the words of Relata's own paths (`/api/v1/changes`,
/// `/login`; a test checks the route table against this list) and the
/// types the next modules will install.
pub const RESERVED_NAMES: &[&str] = &[
    // Paths of the API and the pages.
    "admin",
    "analytics",
    "api",
    "assets",
    "audit",
    "auth",
    "board",
    "caldav",
    "calendar",
    "carddav",
    "changes",
    "channels",
    "connect",
    "convert",
    "custom",
    "custom_objects",
    "dav",
    "docs",
    "entities",
    "erp",
    "telephony",
    "exports",
    "favicon",
    "fields",
    "healthz",
    "home",
    "imports",
    "invitations",
    "invite",
    "jobs",
    "login",
    "logout",
    "lookup",
    "mailbox",
    "metrics",
    "me",
    "metadata",
    "new",
    "notifications",
    "openapi",
    "portal",
    "preferences",
    "problems",
    "readyz",
    "records",
    "roles",
    "schedules",
    "search",
    "service",
    "settings",
    "static",
    "sync",
    "teams",
    "tokens",
    "unsubscribe",
    "users",
    "views",
    "webhooks",
    "workspace",
    "workspaces",
    // Types of the modules planned next (commerce, service, marketing,
    // telephony, automation).
    "articles",
    "calls",
    "call_queues",
    "campaigns",
    "case_comments",
    "cases",
    "contracts",
    "credit_notes",
    "documents",
    "dunning",
    "emails",
    "invoice_lines",
    "invoices",
    "kb_articles",
    "knowledge",
    "lines",
    "meetings",
    "messages",
    "notes",
    "order_lines",
    "orders",
    "payment_allocations",
    "payments",
    "price_lists",
    "products",
    "queues",
    "quote_lines",
    "quotes",
    "routing_rules",
    "segments",
    "service_calendars",
    "service_contracts",
    "service_teams",
    "sla_policies",
    "slas",
    "subscriptions",
    "tasks",
    "warranties",
];

/// Field ids a custom object's fields may not take: the system fields, and
/// members every record's JSON has or will have.
const RESERVED_FIELD_IDS: &[&str] = &["custom", "entity", "lines", "object", "title", "workspace_id"];

/// How many custom objects a workspace may define, and fields each may have.
const MAX_OBJECTS: usize = 200;
const MAX_FIELDS: usize = 200;

/// A custom object's definition as the API takes and shows it.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Definition {
    pub id: String,
    pub label: String,
    #[serde(default)]
    pub plural_label: Option<String>,
    #[serde(default)]
    pub fields: Vec<Json>,
    #[serde(default)]
    pub title_fields: Vec<String>,
    #[serde(default)]
    pub global_search: Option<bool>,
    #[serde(default)]
    pub episode: Option<EpisodeDefinition>,
    #[serde(default)]
    pub personal_fields: Vec<String>,
    #[serde(default)]
    pub default_columns: Vec<String>,
    /// Lines, for a header-and-lines document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lines: Option<LinesDefinition>,
    /// A document number Relata gives each new record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numbering: Option<NumberingDefinition>,
}

/// The lines of a document: their fields, the header fields that total
/// them, the header field naming the currency, personal line fields.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LinesDefinition {
    pub fields: Vec<Json>,
    #[serde(default)]
    pub totals: Vec<TotalDefinition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_field: Option<String>,
    #[serde(default)]
    pub personal_fields: Vec<String>,
}

/// `{"field": "total", "product_of": ["quantity", "unit_price"]}`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TotalDefinition {
    pub field: String,
    pub product_of: Vec<String>,
}

/// `{"field": "number", "format": "INV-{YYYY}-{NNNNNN}", "gapless": true}`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NumberingDefinition {
    pub field: String,
    pub format: String,
    #[serde(default)]
    pub gapless: Option<bool>,
}

/// How records of the object are episodes of other records' stories.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EpisodeDefinition {
    pub links: Vec<String>,
    #[serde(default)]
    pub at: Option<String>,
}

/// One field of a custom object.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FieldDefinition {
    pub id: String,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(rename = "type")]
    pub field_type: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub unique: bool,
    #[serde(default)]
    pub searchable: Option<bool>,
    /// Places after the point, for decimal fields (default 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<u32>,
    /// The label in other languages: `{"pl": "Przebieg"}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Json>,
    /// The options' labels: `{"diesel": {"pl": "Diesel", "lt": "Dyzelinas"}}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub option_labels: Option<Json>,
}

/// "service_contracts" → "Service contracts".
pub(crate) fn humanize(id: &str) -> String {
    let text = id.replace('_', " ");
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => text,
    }
}

fn label_ok(label: &str) -> bool {
    !label.trim().is_empty() && label.chars().count() <= 100
}

/// Parses a definition from API input; errors name the member
/// (`fields[2].type`).
pub fn parse(body: &Json) -> Result<Definition, ValidationError> {
    let definition: Definition = serde_json::from_value(body.clone())
        .map_err(|e| ValidationError::single("", "invalid_body", format!("not a custom object definition: {e}")))?;
    Ok(definition)
}

/// A definition checked against the workspace: the description the
/// machinery serves, and the definition in normal form (defaults filled
/// in) as it is stored and shown.
pub struct Described {
    pub def: EntityDef,
    pub normal: Definition,
}

/// Checks a definition and builds its description. `kind_of` finds
/// relation targets (the registry's types, the workspace's custom objects,
/// this object itself).
pub fn describe(
    definition: &Definition,
    kind: EntityKind,
    kind_of: &dyn Fn(&str) -> Option<EntityKind>,
) -> Result<Described, ValidationError> {
    let mut errors = Vec::new();
    let mut normal = definition.clone();
    if !label_ok(&definition.label) {
        errors.push(FieldError::new("label", "invalid", "1 to 100 characters"));
    }
    normal.label = definition.label.trim().to_string();
    let plural = definition.plural_label.clone().unwrap_or_else(|| humanize(kind.api_name()));
    if !label_ok(&plural) {
        errors.push(FieldError::new("plural_label", "invalid", "1 to 100 characters"));
    }
    normal.plural_label = Some(plural.trim().to_string());
    let mut def = EntityDef::custom_object(kind, normal.label.clone(), plural.trim().to_string());
    if definition.fields.is_empty() || definition.fields.len() > MAX_FIELDS {
        errors.push(FieldError::new("fields", "invalid", format!("give 1 to {MAX_FIELDS} fields")));
    }
    let mut normal_fields = Vec::new();
    for (i, raw) in definition.fields.iter().enumerate() {
        let path = format!("fields[{i}]");
        let field: FieldDefinition = match serde_json::from_value(raw.clone()) {
            Ok(f) => f,
            Err(e) => {
                errors.push(FieldError::new(path, "invalid", e.to_string()));
                continue;
            }
        };
        match describe_field(&field, &path, &|id| def.field(id).is_some(), kind_of) {
            Ok((described, normal_field)) => {
                def.fields.push(described);
                normal_fields.push(serde_json::to_value(normal_field).expect("a definition serialises"));
            }
            Err(mut e) => errors.append(&mut e),
        }
    }
    normal.fields = normal_fields;
    let own = |id: &str| def.fields.iter().find(|f| f.id == id && !f.system);
    // Titles name records with text.
    let titled = |f: &FieldDef| {
        matches!(
            f.ty,
            FieldType::Text { .. } | FieldType::LongText | FieldType::Email | FieldType::Phone | FieldType::Choice(_)
        )
    };
    if definition.title_fields.is_empty() {
        normal.title_fields =
            def.fields.iter().filter(|f| !f.system && titled(f)).take(1).map(|f| f.id.to_string()).collect();
    }
    for (i, id) in definition.title_fields.iter().enumerate() {
        match own(id) {
            Some(f) if titled(f) => {}
            Some(_) => errors.push(FieldError::new(
                format!("title_fields[{i}]"),
                "invalid",
                "a title field holds text (text, long_text, email, phone or choice)",
            )),
            None => {
                errors.push(FieldError::new(format!("title_fields[{i}]"), "unknown_field", format!("no field {id:?}")))
            }
        }
    }
    def.title_fields = normal.title_fields.iter().map(|f| Cow::Owned(f.clone())).collect();
    for (i, id) in definition.personal_fields.iter().enumerate() {
        match own(id) {
            // Erasure clears personal fields, or writes "Erased" into required text.
            Some(f) if f.required && !matches!(f.ty, FieldType::Text { .. } | FieldType::LongText) => {
                errors.push(FieldError::new(
                    format!("personal_fields[{i}]"),
                    "invalid",
                    "a required personal field must be text, so that erasure can replace it",
                ))
            }
            Some(_) => {}
            None => errors.push(FieldError::new(
                format!("personal_fields[{i}]"),
                "unknown_field",
                format!("no field {id:?}"),
            )),
        }
    }
    def.personal_fields = definition.personal_fields.iter().map(|f| Cow::Owned(f.clone())).collect();
    if definition.default_columns.is_empty() {
        let mut columns = normal.title_fields.clone();
        for f in def.fields.iter().filter(|f| !f.system) {
            if columns.len() >= 5 {
                break;
            }
            if !columns.iter().any(|c| c == f.id.as_ref()) {
                columns.push(f.id.to_string());
            }
        }
        normal.default_columns = columns;
    }
    for (i, id) in definition.default_columns.iter().enumerate() {
        if def.field(id).is_none_or(|f| f.id == "id" || f.id == "deleted_at") {
            errors.push(FieldError::new(format!("default_columns[{i}]"), "unknown_field", format!("no field {id:?}")));
        }
    }
    def.default_columns = normal.default_columns.iter().map(|f| Cow::Owned(f.clone())).collect();
    normal.global_search = Some(definition.global_search.unwrap_or(true));
    def.global_search = normal.global_search == Some(true);
    if let Some(episode) = &definition.episode {
        let at = episode.at.clone().unwrap_or_else(|| "created_at".to_string());
        if episode.links.is_empty() {
            errors.push(FieldError::new(
                "episode.links",
                "invalid",
                "name the relation fields to the records whose story this is",
            ));
        }
        for (i, link) in episode.links.iter().enumerate() {
            match own(link).map(|f| &f.ty) {
                Some(FieldType::Relation(Target::Entity(_))) => {}
                _ => errors.push(FieldError::new(
                    format!("episode.links[{i}]"),
                    "invalid",
                    format!("{link:?} is not a relation field of this object to an entity type"),
                )),
            }
        }
        if def.field(&at).is_none_or(|f| f.ty != FieldType::DateTime) {
            errors.push(FieldError::new("episode.at", "invalid", format!("{at:?} is not a date-time field")));
        }
        normal.episode = Some(EpisodeDefinition { links: episode.links.clone(), at: Some(at.clone()) });
        def.episode =
            Some(Episode { links: episode.links.iter().map(|l| Cow::Owned(l.clone())).collect(), at: Cow::Owned(at) });
    }
    if let Some(lines) = &definition.lines {
        let (described, normal_lines) = describe_lines(lines, &mut def, kind_of, &mut errors);
        def.lines = Some(described);
        normal.lines = Some(normal_lines);
    }
    if let Some(numbering) = &definition.numbering {
        match def.fields.iter_mut().find(|f| f.id == numbering.field && !f.system) {
            Some(f) if matches!(f.ty, FieldType::Text { .. }) => {
                // Relata gives the numbers; no two records share one.
                f.access = relata_core::meta::Access::ReadOnly;
                f.required = false;
                f.unique = true;
            }
            _ => errors.push(FieldError::new("numbering.field", "invalid", "name a text field of the object")),
        }
        if let Err(e) = relata_core::document::check_number_format(&numbering.format) {
            errors.push(FieldError::new("numbering.format", "invalid", e));
        }
        let gapless = numbering.gapless.unwrap_or(true);
        normal.numbering = Some(NumberingDefinition { gapless: Some(gapless), ..numbering.clone() });
        def.numbering = Some(relata_core::meta::Numbering {
            field: Cow::Owned(numbering.field.clone()),
            format: Cow::Owned(numbering.format.clone()),
            gapless,
        });
    }
    ValidationError::check(errors)?;
    let problems = def.problems();
    if !problems.is_empty() {
        return Err(ValidationError::single("", "invalid", problems.join("; ")));
    }
    Ok(Described { def, normal })
}

/// The lines of a document type: described, and in normal form. Header
/// fields that total the lines become read-only.
fn describe_lines(
    lines: &LinesDefinition,
    def: &mut EntityDef,
    kind_of: &dyn Fn(&str) -> Option<EntityKind>,
    errors: &mut Vec<FieldError>,
) -> (relata_core::meta::LinesDef, LinesDefinition) {
    let mut described = relata_core::meta::LinesDef {
        fields: Vec::new(),
        totals: Vec::new(),
        currency_field: lines.currency_field.clone().map(Cow::Owned),
        personal_fields: lines.personal_fields.iter().map(|p| Cow::Owned(p.clone())).collect(),
    };
    let mut normal = lines.clone();
    normal.fields.clear();
    if lines.fields.is_empty() || lines.fields.len() > MAX_FIELDS {
        errors.push(FieldError::new("lines.fields", "invalid", format!("give 1 to {MAX_FIELDS} line fields")));
    }
    for (i, raw) in lines.fields.iter().enumerate() {
        let path = format!("lines.fields[{i}]");
        let field: FieldDefinition = match serde_json::from_value(raw.clone()) {
            Ok(f) => f,
            Err(e) => {
                errors.push(FieldError::new(path, "invalid", e.to_string()));
                continue;
            }
        };
        if field.unique {
            errors.push(FieldError::new(format!("{path}.unique"), "invalid", "line fields cannot be unique"));
            continue;
        }
        let taken = |id: &str| id == "id" || described.field(id).is_some();
        match describe_field(&FieldDefinition { searchable: Some(false), ..field }, &path, &taken, kind_of) {
            Ok((f, n)) => {
                described.fields.push(f);
                normal.fields.push(serde_json::to_value(n).expect("a definition serialises"));
            }
            Err(mut e) => errors.append(&mut e),
        }
    }
    for (i, total) in lines.totals.iter().enumerate() {
        let path = format!("lines.totals[{i}]");
        let product_of = total.product_of.iter().map(|p| Cow::Owned(p.clone())).collect();
        let described_total = relata_core::meta::Total { field: Cow::Owned(total.field.clone()), product_of };
        match def.fields.iter_mut().find(|f| f.id == total.field && !f.system) {
            Some(header_field) => {
                match relata_core::document::check_total(header_field, &described, &described_total) {
                    Ok(()) => {
                        // Relata keeps it from the lines.
                        header_field.access = relata_core::meta::Access::ReadOnly;
                        header_field.required = false;
                        described.totals.push(described_total);
                    }
                    Err(e) => errors.push(FieldError::new(path, "invalid", e)),
                }
            }
            None => {
                errors.push(FieldError::new(format!("{path}.field"), "unknown_field", "name a field of the header"))
            }
        }
    }
    if let Some(currency) = &lines.currency_field
        && def.field(currency).is_none_or(|f| !matches!(f.ty, FieldType::Choice(_) | FieldType::Text { .. }))
    {
        errors.push(FieldError::new(
            "lines.currency_field",
            "invalid",
            "name a choice or text field of the header holding ISO 4217 codes",
        ));
    }
    for (i, id) in lines.personal_fields.iter().enumerate() {
        match described.field(id) {
            Some(f) if f.required && !matches!(f.ty, FieldType::Text { .. } | FieldType::LongText) => {
                errors.push(FieldError::new(
                    format!("lines.personal_fields[{i}]"),
                    "invalid",
                    "a required personal field must be text, so that erasure can replace it",
                ))
            }
            Some(_) => {}
            None => errors.push(FieldError::new(
                format!("lines.personal_fields[{i}]"),
                "unknown_field",
                format!("no line field {id:?}"),
            )),
        }
    }
    (described, normal)
}

/// One field: its description and its definition in normal form. `taken`
/// tells ids already used.
fn describe_field(
    field: &FieldDefinition,
    path: &str,
    taken: &dyn Fn(&str) -> bool,
    kind_of: &dyn Fn(&str) -> Option<EntityKind>,
) -> Result<(FieldDef, FieldDefinition), Vec<FieldError>> {
    let mut errors = Vec::new();
    let at = |member: &str| format!("{path}.{member}");
    if !is_valid_custom_field_id(&field.id) {
        errors.push(FieldError::new(
            at("id"),
            "invalid_id",
            "lower-case letters, digits and _, starting with a letter, at most 63",
        ));
    } else if system_fields().iter().any(|f| f.id == field.id) || RESERVED_FIELD_IDS.contains(&field.id.as_str()) {
        errors.push(FieldError::new(at("id"), "reserved", format!("{:?} is a name Relata uses", field.id)));
    } else if taken(&field.id) {
        errors.push(FieldError::new(at("id"), "duplicate", format!("two fields are named {:?}", field.id)));
    }
    let label = field.label.clone().unwrap_or_else(|| humanize(&field.id));
    if !label_ok(&label) {
        errors.push(FieldError::new(at("label"), "invalid", "1 to 100 characters"));
    }
    let ty = FieldType::for_custom(&field.field_type, &field.options, field.target.as_deref(), kind_of)
        .and_then(|ty| ty.with_scale(field.scale));
    let ty = match ty {
        Ok(ty) => Some(ty),
        Err(message) => {
            let member = if message.contains("scale") {
                "scale"
            } else if message.contains("target") {
                "target"
            } else if message.contains("option") {
                "options"
            } else {
                "type"
            };
            errors.push(FieldError::new(at(member), "invalid", message));
            None
        }
    };
    let Some(ty) = ty else { return Err(errors) };
    let translations = crate::localize::parse_translations(
        field.labels.as_ref(),
        field.option_labels.as_ref(),
        ty.options().unwrap_or_default(),
        path,
    )
    .map_err(|mut e| errors.append(&mut e))
    .unwrap_or_default();
    let textual = matches!(
        ty,
        FieldType::Text { .. }
            | FieldType::LongText
            | FieldType::Email
            | FieldType::Phone
            | FieldType::Choice(_)
            | FieldType::MultiChoice(_)
    );
    if field.unique
        && !matches!(ty, FieldType::Text { .. } | FieldType::Email | FieldType::Phone | FieldType::Integer { .. })
    {
        errors.push(FieldError::new(
            at("unique"),
            "invalid",
            "only text, email, phone and integer fields can be unique",
        ));
    }
    let searchable =
        field.searchable.unwrap_or(matches!(ty, FieldType::Text { .. } | FieldType::Email | FieldType::Phone));
    if searchable && !textual {
        errors.push(FieldError::new(at("searchable"), "invalid", "only fields holding text can be searched"));
    }
    ValidationError::check(errors).map_err(|e| e.errors)?;
    let mut described = FieldDef::data(field.id.clone(), label.trim().to_string(), ty, field.required);
    described.unique = field.unique;
    described.searchable = searchable;
    described.translations = translations.clone();
    let given = |empty: bool, json: Json| (!empty).then_some(json);
    let normal = FieldDefinition {
        label: Some(label.trim().to_string()),
        searchable: Some(searchable),
        labels: given(translations.labels.is_empty(), serde_json::json!(translations.labels)),
        option_labels: given(translations.option_labels.is_empty(), serde_json::json!(translations.option_labels)),
        ..field.clone()
    };
    Ok((described, normal))
}

/// The description of a stored definition (checked when it was written).
pub fn stored_def(row: &CustomObjectRow) -> Result<EntityDef, AppError> {
    let corrupt = |m: String| {
        AppError::Internal(relata_store::StoreError::Corrupt(format!("custom object {}: {m}", row.api_name)))
    };
    let kind = EntityKind::stored(&row.api_name).ok_or_else(|| corrupt("not a valid name".into()))?;
    let definition: Definition = serde_json::from_value(row.definition.clone()).map_err(|e| corrupt(e.to_string()))?;
    describe(&definition, kind, &EntityKind::stored).map(|d| d.def).map_err(|e| corrupt(e.to_string()))
}

/// The definition as the API shows it: the normal form, with its version.
pub fn to_json(row: &CustomObjectRow) -> Json {
    let mut out = row.definition.clone();
    if let Json::Object(map) = &mut out {
        map.insert("version".into(), json!(row.version));
        map.insert("created_at".into(), json!(row.created_at));
        map.insert("updated_at".into(), json!(row.updated_at));
    }
    out
}

/// Why `name` cannot name a new custom object of a workspace, if it cannot.
fn name_problem(name: &str, schemas: &Schemas) -> Option<FieldError> {
    if !is_valid_custom_object_id(name) || name.len() < 2 {
        return Some(FieldError::new(
            "id",
            "invalid_id",
            "2 to 63 lower-case letters, digits and _, starting with a letter (the plural used in paths: vehicles)",
        ));
    }
    let standard = EntityKind::all().into_iter().any(|k| k.api_name() == name || k.singular() == name);
    if standard || RESERVED_NAMES.contains(&name) || name == relata_store::changes::METADATA {
        return Some(FieldError::new(
            "id",
            "reserved",
            format!("{name:?} is a name Relata or one of its modules uses"),
        ));
    }
    if schemas.kind(name).is_some() {
        return Some(FieldError::new(
            "id",
            "duplicate",
            format!("this workspace already has a custom object {name:?}"),
        ));
    }
    None
}

/// Finds relation targets for a definition of `this` in a workspace.
fn kind_of<'a>(schemas: &'a Schemas, this: EntityKind) -> impl Fn(&str) -> Option<EntityKind> + 'a {
    move |name| if name == this.api_name() { Some(this) } else { schemas.kind(name) }
}

/// `POST /api/v1/metadata/entities`: defines a custom object.
pub async fn create(app: &App, ctx: &Ctx, body: &Json) -> Result<CustomObjectRow, AppError> {
    ctx.access.require_admin()?;
    let definition = parse(body)?;
    let schemas = app.schemas(ctx.ws()).await?;
    if let Some(problem) = name_problem(&definition.id, &schemas) {
        return Err(ValidationError { errors: vec![problem] }.into());
    }
    if schemas.iter().filter(|s| s.kind.is_custom()).count() >= MAX_OBJECTS {
        return Err(AppError::conflict("refuse-objects-many", vec![("max", (MAX_OBJECTS as i64).into())]));
    }
    let kind = EntityKind::custom(&definition.id);
    let described = describe(&definition, kind, &kind_of(&schemas, kind))?;
    let now = app.store.now();
    let row = CustomObjectRow {
        id: RecordId::new(),
        api_name: definition.id.clone(),
        definition: serde_json::to_value(&described.normal).expect("a definition serialises"),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let mut tx = app.writer(ctx).await?;
    tx.insert_custom_object(&row).await.map_err(|e| {
        if e.is_unique_violation() {
            AppError::Invalid(ValidationError::single("id", "duplicate", "already defined"))
        } else {
            e.into()
        }
    })?;
    crate::custom_fields::metadata_change(&mut tx, ctx, row.id, ChangeOp::Create, json!({"entity": to_json(&row)}))
        .await?;
    crate::audit::audit_in(&mut tx, ctx, crate::audit::Event::new("entity.define").target("entity", &row.api_name))
        .await?;
    tx.commit().await?;
    app.forget_schemas(ctx.ws());
    Ok(row)
}

/// The stored definition of one custom object.
pub async fn get(app: &App, ctx: &Ctx, api_name: &str) -> Result<CustomObjectRow, AppError> {
    let mut conn = app.reader(ctx).await?;
    conn.custom_objects().await?.into_iter().find(|r| r.api_name == api_name).ok_or(AppError::NotFound)
}

/// Every custom object of the workspace.
pub async fn list(app: &App, ctx: &Ctx) -> Result<Vec<CustomObjectRow>, AppError> {
    let mut conn = app.reader(ctx).await?;
    Ok(conn.custom_objects().await?)
}

/// `PATCH /api/v1/metadata/entities/{id}`: the members given replace the
/// definition's (`fields` replaces the list: fields left out are removed,
/// their stored values kept). An existing field keeps its type.
pub async fn update(
    app: &App,
    ctx: &Ctx,
    api_name: &str,
    body: &Json,
    expected_version: Option<i64>,
) -> Result<CustomObjectRow, AppError> {
    ctx.access.require_admin()?;
    let Json::Object(changes) = body else {
        return Err(ValidationError::single("", "invalid_body", "expected a JSON object").into());
    };
    let schemas = app.schemas(ctx.ws()).await?;
    let mut tx = app.writer(ctx).await?;
    let row = tx.custom_objects().await?.into_iter().find(|r| r.api_name == api_name).ok_or(AppError::NotFound)?;
    if let Some(v) = expected_version
        && v != row.version
    {
        return Err(AppError::VersionConflict { current: row.version });
    }
    let mut merged = row.definition.clone();
    if let Some(Json::Array(fields)) = changes.get("fields") {
        // Lists the caller leaves alone lose the fields removed.
        let kept: Vec<&str> = fields.iter().filter_map(|f| f["id"].as_str()).collect();
        for member in ["title_fields", "personal_fields", "default_columns"] {
            if !changes.contains_key(member)
                && let Some(names) = merged[member].as_array_mut()
            {
                names.retain(|n| n.as_str().is_some_and(|n| kept.contains(&n) || def_has_system_field(n)));
            }
        }
    }
    for (member, value) in changes {
        if member == "id" && value.as_str() != Some(api_name) {
            return Err(ValidationError::single("id", "read_only", "a custom object cannot be renamed").into());
        }
        if ["version", "created_at", "updated_at"].contains(&member.as_str()) {
            continue;
        }
        merged[member] = value.clone();
    }
    let definition = parse(&merged)?;
    let kind = EntityKind::custom(api_name);
    let described = describe(&definition, kind, &kind_of(&schemas, kind))?;
    let before = stored_def(&row)?;
    let mut errors = Vec::new();
    for (i, field) in described.def.fields.iter().enumerate().filter(|(_, f)| !f.system) {
        if let Some(old) = before.field(&field.id)
            && (old.ty.name() != field.ty.name()
                || old.ty.target_name() != field.ty.target_name()
                || old.ty.scale() != field.ty.scale())
        {
            let i = i - system_fields().len();
            errors.push(FieldError::new(
                format!("fields[{i}].type"),
                "read_only",
                format!(
                    "{:?} is a {} field; its type cannot change (add a new field instead)",
                    field.id,
                    old.ty.name()
                ),
            ));
        }
    }
    if let (Some(old_lines), Some(new_lines)) = (&before.lines, &described.def.lines) {
        for (i, field) in new_lines.fields.iter().enumerate() {
            let changed = |old: &FieldDef| old.ty.name() != field.ty.name() || old.ty.scale() != field.ty.scale();
            if old_lines.field(&field.id).is_some_and(changed) {
                errors.push(FieldError::new(
                    format!("lines.fields[{i}].type"),
                    "read_only",
                    format!("{:?}: a line field's type cannot change (add a new field instead)", field.id),
                ));
            }
        }
    }
    ValidationError::check(errors)?;
    let normal = serde_json::to_value(&described.normal).expect("a definition serialises");
    if !tx.update_custom_object(api_name, &normal, row.version).await? {
        return Err(AppError::VersionConflict { current: row.version + 1 });
    }
    let updated = CustomObjectRow { definition: normal, version: row.version + 1, updated_at: tx.now(), ..row };
    crate::custom_fields::metadata_change(
        &mut tx,
        ctx,
        updated.id,
        ChangeOp::Update,
        json!({"entity": to_json(&updated)}),
    )
    .await?;
    crate::audit::audit_in(&mut tx, ctx, crate::audit::Event::new("entity.change").target("entity", api_name)).await?;
    tx.commit().await?;
    app.forget_schemas(ctx.ws());
    Ok(updated)
}

fn def_has_system_field(id: &str) -> bool {
    system_fields().iter().any(|f| f.id == id)
}

/// Adds one field to a custom object (the custom-field endpoint on a custom
/// object's type).
pub async fn add_field(app: &App, ctx: &Ctx, api_name: &str, field: &Json) -> Result<FieldDef, AppError> {
    let row = get(app, ctx, api_name).await?;
    let mut fields = row.definition["fields"].as_array().cloned().unwrap_or_default();
    let index = fields.len();
    fields.push(field.clone());
    let updated = update(app, ctx, api_name, &json!({"fields": fields}), Some(row.version)).await.map_err(|e| {
        // The new field's errors are about the body the caller sent.
        let prefix = format!("fields[{index}].");
        match e {
            AppError::Invalid(v) => AppError::Invalid(ValidationError {
                errors: v
                    .errors
                    .into_iter()
                    .map(|e| FieldError { field: e.field.strip_prefix(&prefix).unwrap_or(&e.field).to_string(), ..e })
                    .collect(),
            }),
            other => other,
        }
    })?;
    let def = stored_def(&updated)?;
    let id = field["id"].as_str().unwrap_or_default();
    def.fields.into_iter().find(|f| f.id == id).ok_or(AppError::NotFound)
}

/// Removes one field of a custom object (its stored values are kept).
pub async fn remove_field(app: &App, ctx: &Ctx, api_name: &str, field_id: &str) -> Result<(), AppError> {
    let row = get(app, ctx, api_name).await?;
    let fields = row.definition["fields"].as_array().cloned().unwrap_or_default();
    let kept: Vec<Json> = fields.iter().filter(|f| f["id"].as_str() != Some(field_id)).cloned().collect();
    if kept.len() == fields.len() {
        return Err(AppError::NotFound);
    }
    update(app, ctx, api_name, &json!({"fields": kept}), Some(row.version)).await?;
    Ok(())
}

/// `DELETE /api/v1/metadata/entities/{id}`: removes a custom object that no
/// live record and no other type's relation uses. Its records in the trash
/// go with it; its change history stays.
pub async fn delete(app: &App, ctx: &Ctx, api_name: &str) -> Result<(), AppError> {
    ctx.access.require_admin()?;
    let schemas = app.schemas(ctx.ws()).await?;
    let kind = schemas.kind(api_name).filter(|k| k.is_custom()).ok_or(AppError::NotFound)?;
    let users: Vec<String> = schemas
        .iter()
        .filter(|s| s.kind != kind)
        .flat_map(|s| {
            s.fields()
                .filter(|f| f.ty == FieldType::Relation(Target::Entity(kind)))
                .map(move |f| format!("{}.{}", s.kind, f.qualified_id()))
        })
        .collect();
    if !users.is_empty() {
        return Err(AppError::conflict(
            "refuse-object-targeted",
            vec![("object", api_name.into()), ("fields", users.join(", ").into())],
        ));
    }
    let mut tx = app.writer(ctx).await?;
    let live = tx.count_live_object_records(api_name).await?;
    if live > 0 {
        return Err(AppError::conflict(
            "refuse-object-has-records",
            vec![("object", api_name.into()), ("count", live.into())],
        ));
    }
    let row = tx.custom_objects().await?.into_iter().find(|r| r.api_name == api_name).ok_or(AppError::NotFound)?;
    let purged = tx.purge_object_records(api_name).await?;
    tx.delete_custom_object(api_name).await?;
    crate::custom_fields::metadata_change(&mut tx, ctx, row.id, ChangeOp::Delete, json!({"entity": to_json(&row)}))
        .await?;
    crate::audit::audit_in(
        &mut tx,
        ctx,
        crate::audit::Event::new("entity.delete")
            .target("entity", api_name)
            .details(json!({"trashed_records_removed": purged})),
    )
    .await?;
    tx.commit().await?;
    app.forget_schemas(ctx.ws());
    Ok(())
}
