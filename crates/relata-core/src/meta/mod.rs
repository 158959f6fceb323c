//! The metadata registry: every entity type and its fields, described once.
//!
//! Domain modules describe their entity types ([`EntityDef`]) and install
//! them here once at start-up ([`install`]); the generic machinery (input
//! parsing, CRUD, the filter language, sorting, CSV import/export, change
//! diffs, search, the timeline, personal-data export and erasure, the OpenAPI
//! document) reads those descriptions. Every list of entity types is derived
//! from the registry ([`EntityKind::all`]), never kept by hand.
//!
//! An [`EntityKind`] is a name in the registry: its API name (`accounts`).
//! Custom objects, defined by a workspace at run time, get kinds too
//! ([`EntityKind::custom`]); their descriptions live in the workspace's
//! [`Schema`]s, not in the process-wide registry.
//!
//! Field ids are stable: they are the JSON keys of the API, the CSV headers and
//! the names used in filters. Custom fields, defined per workspace at run time,
//! live under `custom.<id>`.

mod entity;
mod field;

pub use entity::*;
pub use field::*;

use crate::access::{FieldAccess, FieldRules};
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, OnceLock, RwLock};

/// An entity type: a name in the registry, cheap to copy and compare.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntityKind(&'static str);

impl std::fmt::Debug for EntityKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::fmt::Display for EntityKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl serde::Serialize for EntityKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

impl EntityKind {
    /// The kind a module names its own entity type by (`EntityKind::named("accounts")`).
    pub const fn named(api_name: &'static str) -> EntityKind {
        EntityKind(api_name)
    }

    /// The kind of a workspace's custom object. Names are interned once per
    /// process; callers pass only names already checked against the rules
    /// of [`is_valid_custom_object_id`].
    pub fn custom(api_name: &str) -> EntityKind {
        if let Some(kind) = EntityKind::from_api_name(api_name) {
            return kind;
        }
        let mut names = custom_names().write().expect("lock");
        if let Some(name) = names.get(api_name) {
            return EntityKind(name);
        }
        let name: &'static str = Box::leak(api_name.to_string().into_boxed_str());
        names.insert(name);
        EntityKind(name)
    }

    /// A kind named in stored metadata (a relation's target, a custom
    /// field's type): a module's type, or a custom object (interned). The
    /// name was checked when the metadata was written.
    pub fn stored(api_name: &str) -> Option<EntityKind> {
        EntityKind::from_api_name(api_name)
            .or_else(|| is_valid_custom_object_id(api_name).then(|| EntityKind::custom(api_name)))
    }

    /// The plural used in API paths: `accounts`.
    pub fn api_name(self) -> &'static str {
        self.0
    }

    /// Whether this is a workspace's custom object rather than a module's type.
    pub fn is_custom(self) -> bool {
        !registry().by_name.contains_key(self.0)
    }

    /// The standard description. For a custom object, the description every
    /// custom object shares (its system fields, its table); its own fields and
    /// labels are in the workspace's [`Schema`].
    pub fn def(self) -> &'static EntityDef {
        registry().by_name.get(self.0).copied().unwrap_or_else(|| custom_object_base())
    }

    /// The singular used in the change log and in messages: `account`.
    pub fn singular(self) -> &'static str {
        match registry().by_name.get(self.0) {
            Some(def) => def.singular,
            None => self.0,
        }
    }

    /// The table its records live in.
    pub fn table(self) -> &'static str {
        self.def().table
    }

    /// A module's type or an interned custom object, by API name.
    pub fn from_api_name(name: &str) -> Option<EntityKind> {
        if let Some(def) = registry().by_name.get(name) {
            return Some(def.kind);
        }
        custom_names().read().expect("lock").get(name).map(|n| EntityKind(n))
    }

    /// By singular (the change log's `entity`); custom objects use their API name.
    pub fn from_singular(name: &str) -> Option<EntityKind> {
        match registry().by_singular.get(name) {
            Some(def) => Some(def.kind),
            None => custom_names().read().expect("lock").get(name).map(|n| EntityKind(n)),
        }
    }

    /// Every installed module's entity type, in installation order.
    pub fn all() -> Vec<EntityKind> {
        registry().defs.iter().map(|d| d.kind).collect()
    }
}

/// The registered descriptions.
pub struct Registry {
    defs: Vec<&'static EntityDef>,
    by_name: HashMap<&'static str, &'static EntityDef>,
    by_singular: HashMap<&'static str, &'static EntityDef>,
}

static REGISTRY: OnceLock<Registry> = OnceLock::new();

fn custom_names() -> &'static RwLock<BTreeSet<&'static str>> {
    static NAMES: OnceLock<RwLock<BTreeSet<&'static str>>> = OnceLock::new();
    NAMES.get_or_init(|| RwLock::new(BTreeSet::new()))
}

fn registry() -> &'static Registry {
    REGISTRY.get().expect("the entity registry is installed at start-up (relata_app::App::new)")
}

/// Installs the modules' entity types, once per process. Installing the same
/// set again is a no-op; a different set is refused (one process runs one
/// set of modules).
pub fn install(defs: Vec<EntityDef>) -> Result<(), String> {
    let names: Vec<&'static str> = defs.iter().map(|d| d.kind.api_name()).collect();
    let installed = REGISTRY.get_or_init(|| {
        let defs: Vec<&'static EntityDef> = defs.into_iter().map(|d| &*Box::leak(Box::new(d))).collect();
        let by_name = defs.iter().map(|d| (d.kind.api_name(), *d)).collect();
        let by_singular = defs.iter().map(|d| (d.singular, *d)).collect();
        Registry { defs, by_name, by_singular }
    });
    let have: Vec<&'static str> = installed.defs.iter().map(|d| d.kind.api_name()).collect();
    if have != names {
        return Err(format!("entity types {have:?} are installed already; cannot install {names:?}"));
    }
    check_registry(installed)
}

/// Whether the registry has been installed (tests of pure logic install one).
pub fn is_installed() -> bool {
    REGISTRY.get().is_some()
}

/// Refuses descriptions the machinery could not serve: duplicate ids,
/// title fields or relations that name nothing.
fn check_registry(registry: &Registry) -> Result<(), String> {
    let mut problems = Vec::new();
    if registry.by_name.len() != registry.defs.len() || registry.by_singular.len() != registry.defs.len() {
        problems.push("two entity types share a name".to_string());
    }
    for def in &registry.defs {
        problems.extend(def.problems().into_iter().map(|p| format!("{}: {p}", def.kind)));
        for field in &def.fields {
            if let FieldType::Relation(Target::Entity(k)) = field.ty
                && !registry.by_name.contains_key(k.api_name())
            {
                problems.push(format!("{}.{} relates to unknown type {k}", def.kind, field.id));
            }
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(problems.join("; ")) }
}

/// The fields of one entity type in one workspace: the type's own fields
/// (for a custom object, the ones its definition gives) plus the workspace's
/// custom fields, and the field rules of the role looking at them.
///
/// Storage reads and writes every field ([`Schema::fields`]); the edge (input
/// parsing, filters, sorting, responses, exports) sees the record through
/// the rules: hidden fields do not exist there ([`Schema::field`] does not
/// find them) and read-only ones cannot be written.
#[derive(Clone, Debug)]
pub struct Schema {
    pub kind: EntityKind,
    def: DefRef,
    pub custom: Vec<FieldDef>,
    pub rules: FieldRules,
}

/// A description: a module's (for the life of the process) or a custom
/// object's (as its workspace defines it now).
#[derive(Clone, Debug)]
enum DefRef {
    Static(&'static EntityDef),
    Shared(Arc<EntityDef>),
}

impl Schema {
    pub fn standard(kind: EntityKind) -> Schema {
        Schema::with_custom(kind, Vec::new())
    }

    pub fn with_custom(kind: EntityKind, custom: Vec<FieldDef>) -> Schema {
        Schema { kind, def: DefRef::Static(kind.def()), custom, rules: FieldRules::new() }
    }

    /// A custom object's schema, from its definition.
    pub fn of_object(def: Arc<EntityDef>) -> Schema {
        Schema { kind: def.kind, def: DefRef::Shared(def), custom: Vec::new(), rules: FieldRules::new() }
    }

    /// The same type with its description and custom fields replaced by
    /// copies labelled in another language; the field rules stay.
    pub fn relabelled(&self, def: EntityDef, custom: Vec<FieldDef>) -> Schema {
        Schema { kind: self.kind, def: DefRef::Shared(Arc::new(def)), custom, rules: self.rules.clone() }
    }

    /// The same fields seen through a role's field rules.
    pub fn with_rules(&self, rules: FieldRules) -> Schema {
        Schema { rules, ..self.clone() }
    }

    /// The description of the type.
    pub fn def(&self) -> &EntityDef {
        match &self.def {
            DefRef::Static(d) => d,
            DefRef::Shared(d) => d,
        }
    }

    /// The type's own fields (system fields first).
    pub fn own_fields(&self) -> &[FieldDef] {
        &self.def().fields
    }

    /// Every field, hidden or not (storage, change diffs, indexes).
    pub fn fields(&self) -> impl Iterator<Item = &FieldDef> {
        self.own_fields().iter().chain(self.custom.iter())
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
            None => self.own_fields().iter().find(|f| f.id == name),
        }?;
        (!self.is_hidden(field)).then_some(field)
    }

    /// A custom field by id, hidden or not (storage).
    pub fn custom_field(&self, id: &str) -> Option<&FieldDef> {
        self.custom.iter().find(|f| f.id == id)
    }

    /// The text naming a record in lists, search results and timelines
    /// ("Anna Nowak"), from the title fields the viewer may see. When every
    /// title field is hidden or empty, another visible text field stands in,
    /// then the id: a hidden value never names a record.
    pub fn title(&self, record: &crate::Record) -> String {
        let visible_text = |field: &FieldDef| -> Option<String> {
            match record.values.get(field) {
                crate::value::FieldValue::Text(t) if !t.trim().is_empty() => Some(t.clone()),
                _ => None,
            }
        };
        let parts: Vec<String> = self
            .def()
            .title_fields
            .iter()
            .filter_map(|id| self.own_fields().iter().find(|f| f.id == *id))
            .filter(|f| !self.is_hidden(f))
            .filter_map(visible_text)
            .collect();
        if !parts.is_empty() {
            return parts.join(" ");
        }
        self.visible_fields()
            .filter(|f| matches!(f.ty, FieldType::Text { .. }) && !f.system)
            .find_map(visible_text)
            .unwrap_or_else(|| record.id.to_string())
    }
}

#[cfg(test)]
pub(crate) mod testing;

#[cfg(test)]
mod tests {
    use super::*;
    use testing::{ACCOUNTS, CONTACTS, OPPORTUNITIES};

    #[test]
    fn the_registry_derives_lookups_from_descriptions() {
        testing::install();
        for kind in EntityKind::all() {
            assert_eq!(kind.def().kind, kind);
            assert_eq!(EntityKind::from_api_name(kind.api_name()), Some(kind));
            assert_eq!(EntityKind::from_singular(kind.singular()), Some(kind));
            assert!(!kind.is_custom());
        }
        assert_eq!(ACCOUNTS.singular(), "account");
        assert!(EntityKind::from_api_name("vehicles").is_none());
        let vehicles = EntityKind::custom("vehicles");
        assert!(vehicles.is_custom());
        assert_eq!(EntityKind::from_api_name("vehicles"), Some(vehicles));
        assert_eq!(EntityKind::custom("vehicles"), vehicles, "interned once");
    }

    #[test]
    fn relation_and_money_fields_get_derived_columns() {
        testing::install();
        let opp = OPPORTUNITIES.def();
        assert_eq!(opp.field("account").unwrap().column, Column::Named("account_id"));
        assert_eq!(
            opp.field("amount").unwrap().column,
            Column::Money { amount: "amount_minor", currency: "amount_currency" }
        );
    }

    #[test]
    fn titles_never_show_a_hidden_value() {
        testing::install();
        let schema = Schema::standard(CONTACTS);
        let mut values = crate::value::Values::default();
        values.set_std("first_name", crate::value::FieldValue::Text("Anna".into()));
        values.set_std("last_name", crate::value::FieldValue::Text("Nowak".into()));
        values.set_std("city", crate::value::FieldValue::Text("Gdańsk".into()));
        let record = crate::Record::new(CONTACTS, None, values, crate::record::now_micros());
        assert_eq!(schema.title(&record), "Anna Nowak");
        let mut rules = FieldRules::new();
        rules.insert("last_name".into(), FieldAccess::Hidden);
        assert_eq!(schema.with_rules(rules.clone()).title(&record), "Anna");
        rules.insert("first_name".into(), FieldAccess::Hidden);
        assert_eq!(schema.with_rules(rules.clone()).title(&record), "Gdańsk", "another visible text");
        rules.insert("city".into(), FieldAccess::Hidden);
        assert_eq!(schema.with_rules(rules).title(&record), record.id.to_string());
        assert!(Schema::standard(ACCOUNTS).def().title_fields.iter().any(|t| t == "name"));
    }
}
