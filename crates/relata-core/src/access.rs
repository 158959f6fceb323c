//! Who may do what: rights per entity type, record visibility levels, field
//! rules, and the built-in roles. Pure: the store applies an [`OwnerScope`]
//! to its queries and the application services call [`Access::check`] on
//! every path (API, UI, export, sync), so there is one permission check.
//!
//! A role grants, per entity type, `create` and `export` (yes/no) and a
//! [`Level`] for `read`, `update` and `delete`: `own` records (owned by the
//! user, or by members of a team the user manages), `team` records (owned by
//! anyone who shares a team with the user, or by members of managed teams),
//! or `all` records of the workspace. Field rules hide a field from a role or
//! make it read-only.

use crate::ids::UserId;
use crate::meta::EntityKind;
use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Which records a right reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    None,
    Own,
    Team,
    All,
}

impl Level {
    pub fn parse(s: &str) -> Option<Level> {
        match s {
            "none" => Some(Level::None),
            "own" => Some(Level::Own),
            "team" => Some(Level::Team),
            "all" => Some(Level::All),
            _ => None,
        }
    }
}

/// What a permission check asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Right {
    Create,
    Read,
    Update,
    Delete,
    Export,
}

impl Right {
    pub fn as_str(self) -> &'static str {
        match self {
            Right::Create => "create",
            Right::Read => "read",
            Right::Update => "update",
            Right::Delete => "delete",
            Right::Export => "export",
        }
    }

    pub fn writes(self) -> bool {
        matches!(self, Right::Create | Right::Update | Right::Delete)
    }
}

/// A role's rights on one entity type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityRights {
    pub create: bool,
    pub read: Level,
    pub update: Level,
    pub delete: Level,
    pub export: bool,
}

impl EntityRights {
    pub const NONE: EntityRights =
        EntityRights { create: false, read: Level::None, update: Level::None, delete: Level::None, export: false };
    pub const FULL: EntityRights =
        EntityRights { create: true, read: Level::All, update: Level::All, delete: Level::All, export: true };
    pub const READ_ALL: EntityRights = EntityRights { read: Level::All, ..EntityRights::NONE };

    /// Read at `read`, write own records and create.
    pub const fn working(read: Level, write: Level) -> EntityRights {
        EntityRights { create: true, read, update: write, delete: write, export: false }
    }
}

/// A field rule for a role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldAccess {
    Hidden,
    ReadOnly,
}

impl FieldAccess {
    pub fn parse(s: &str) -> Option<FieldAccess> {
        match s {
            "hidden" => Some(FieldAccess::Hidden),
            "read_only" => Some(FieldAccess::ReadOnly),
            _ => None,
        }
    }
}

/// Field rules of one entity type: qualified field id (`birthday`,
/// `custom.tier`) → rule.
pub type FieldRules = BTreeMap<String, FieldAccess>;

/// A role: built in, or defined by a workspace's admins.
#[derive(Clone, Debug, PartialEq)]
pub struct RoleDef {
    pub name: String,
    pub label: String,
    pub built_in: bool,
    /// Manages users, teams, roles, custom fields and tokens of others; reads the audit log.
    pub admin: bool,
    pub entities: BTreeMap<EntityKind, EntityRights>,
    /// The rights on entity types `entities` does not list: a workspace's
    /// custom objects, and types of modules installed after the role was
    /// saved. Built-in roles follow [`custom_object_rights`]; custom roles
    /// get none until an administrator grants them.
    pub others: EntityRights,
    pub fields: BTreeMap<EntityKind, FieldRules>,
}

/// The roles every workspace has.
pub const BUILT_IN_ROLES: [&str; 6] = ["admin", "manager", "sales_rep", "service_agent", "marketer", "read_only"];

/// The rights a built-in role has on an entity type: every right for
/// administrators, reading everything for read-only users, and what the
/// type's description says for the others.
pub fn built_in_rights(role: &str, kind: EntityKind) -> EntityRights {
    match role {
        "admin" => EntityRights::FULL,
        "read_only" => EntityRights::READ_ALL,
        other => (kind.def().role_rights)(other),
    }
}

/// The rights built-in roles have on a workspace's custom objects: they are
/// the company's own business records.
pub fn custom_object_rights(role: &str) -> EntityRights {
    match role {
        "admin" => EntityRights::FULL,
        "read_only" => EntityRights::READ_ALL,
        other => crate::meta::business_record_rights(other),
    }
}

/// A built-in role's definition, over every installed entity type.
pub fn built_in_role(name: &str) -> Option<RoleDef> {
    let (label, admin) = match name {
        "admin" => ("Administrator", true),
        "manager" => ("Manager", false),
        "sales_rep" => ("Sales representative", false),
        "service_agent" => ("Service agent", false),
        "marketer" => ("Marketer", false),
        "read_only" => ("Read only", false),
        _ => return None,
    };
    Some(RoleDef {
        name: name.to_string(),
        label: label.to_string(),
        built_in: true,
        admin,
        entities: EntityKind::all().into_iter().map(|k| (k, built_in_rights(name, k))).collect(),
        others: custom_object_rights(name),
        fields: BTreeMap::new(),
    })
}

/// Whether `name` may name a role: lower-case ASCII, digits and underscores.
pub fn is_valid_role_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some('a'..='z'))
        && name.len() <= 40
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl RoleDef {
    pub fn rights(&self, kind: EntityKind) -> EntityRights {
        self.entities.get(&kind).copied().unwrap_or(self.others)
    }

    pub fn field_rules(&self, kind: EntityKind) -> Option<&FieldRules> {
        self.fields.get(&kind).filter(|r| !r.is_empty())
    }

    /// The role as the API shows and stores it.
    pub fn to_json(&self) -> Json {
        let entities: serde_json::Map<String, Json> = self
            .entities
            .iter()
            .map(|(k, r)| (k.api_name().to_string(), serde_json::to_value(r).expect("rights serialise")))
            .collect();
        let fields: serde_json::Map<String, Json> = self
            .fields
            .iter()
            .filter(|(_, rules)| !rules.is_empty())
            .map(|(k, rules)| (k.api_name().to_string(), serde_json::to_value(rules).expect("rules serialise")))
            .collect();
        json!({
            "name": self.name,
            "label": self.label,
            "built_in": self.built_in,
            "admin": self.admin,
            "entities": entities,
            "fields": fields,
        })
    }

    /// Parses a role definition from API input; every problem is reported,
    /// by field. Entity types left out get no rights. `kind_of` finds an
    /// entity type by API name (the workspace's custom objects included).
    pub fn from_json(
        name: &str,
        input: &Json,
        kind_of: &dyn Fn(&str) -> Option<EntityKind>,
    ) -> Result<RoleDef, Vec<(String, String)>> {
        let mut errors: Vec<(String, String)> = Vec::new();
        let Json::Object(obj) = input else {
            return Err(vec![(String::new(), "the role must be a JSON object".into())]);
        };
        for key in obj.keys() {
            if !["name", "label", "admin", "entities", "fields", "built_in"].contains(&key.as_str()) {
                errors.push((key.clone(), "unknown member; a role has label, admin, entities and fields".into()));
            }
        }
        let label = match obj.get("label") {
            None | Some(Json::Null) => name.to_string(),
            Some(Json::String(s)) if !s.trim().is_empty() && s.chars().count() <= 100 => s.trim().to_string(),
            Some(_) => {
                errors.push(("label".into(), "must be text of 1 to 100 characters".into()));
                String::new()
            }
        };
        let admin = match obj.get("admin") {
            None | Some(Json::Null) => false,
            Some(Json::Bool(b)) => *b,
            Some(_) => {
                errors.push(("admin".into(), "must be true or false".into()));
                false
            }
        };
        let mut entities = BTreeMap::new();
        match obj.get("entities") {
            None | Some(Json::Null) => {}
            Some(Json::Object(map)) => {
                for (entity, rights) in map {
                    let path = format!("entities.{entity}");
                    let Some(kind) = kind_of(entity) else {
                        errors.push((path, "unknown entity type".into()));
                        continue;
                    };
                    match serde_json::from_value::<EntityRights>(rights.clone()) {
                        Ok(r) => {
                            entities.insert(kind, r);
                        }
                        Err(e) => errors.push((
                            path,
                            format!(
                                "expected {{create, read, update, delete, export}} with levels none, own, team or all: {e}"
                            ),
                        )),
                    }
                }
            }
            Some(_) => errors.push(("entities".into(), "must be an object keyed by entity type".into())),
        }
        let mut fields = BTreeMap::new();
        match obj.get("fields") {
            None | Some(Json::Null) => {}
            Some(Json::Object(map)) => {
                for (entity, rules) in map {
                    let path = format!("fields.{entity}");
                    let Some(kind) = kind_of(entity) else {
                        errors.push((path, "unknown entity type".into()));
                        continue;
                    };
                    let Json::Object(rules) = rules else {
                        errors.push((path, "must be an object of field id → hidden or read_only".into()));
                        continue;
                    };
                    let mut parsed = FieldRules::new();
                    for (field, rule) in rules {
                        let system = kind.def().field(field).is_some_and(|f| f.system || field == "owner");
                        match rule.as_str().and_then(FieldAccess::parse) {
                            _ if system => errors.push((
                                format!("{path}.{field}"),
                                "system fields and the owner cannot be hidden or made read-only".into(),
                            )),
                            Some(rule) => {
                                parsed.insert(field.clone(), rule);
                            }
                            None => errors.push((format!("{path}.{field}"), "must be hidden or read_only".into())),
                        }
                    }
                    fields.insert(kind, parsed);
                }
            }
            Some(_) => errors.push(("fields".into(), "must be an object keyed by entity type".into())),
        }
        if errors.is_empty() {
            Ok(RoleDef {
                name: name.to_string(),
                label,
                built_in: false,
                admin,
                entities,
                others: if admin { EntityRights::FULL } else { EntityRights::NONE },
                fields,
            })
        } else {
            Err(errors)
        }
    }
}

/// Records a query may see: all of the workspace's, or only those owned by
/// one of these users (none when empty).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OwnerScope {
    All,
    Owners(Arc<[UserId]>),
}

impl OwnerScope {
    pub fn allows(&self, owner: Option<UserId>) -> bool {
        match self {
            OwnerScope::All => true,
            OwnerScope::Owners(users) => owner.is_some_and(|o| users.contains(&o)),
        }
    }
}

/// What every read of records may see, per entity type (applied by the store).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Visibility {
    by_kind: BTreeMap<EntityKind, OwnerScope>,
    /// For entity types not listed (custom objects the role does not name).
    others: OwnerScope,
}

impl Visibility {
    pub fn all() -> Visibility {
        Visibility { by_kind: BTreeMap::new(), others: OwnerScope::All }
    }

    /// Records of `kind` owned by `owners`, nothing else (a module's read of
    /// what people share with the viewer).
    pub fn only(kind: EntityKind, owners: Vec<UserId>) -> Visibility {
        let none = OwnerScope::Owners(Arc::from(vec![]));
        Visibility { by_kind: BTreeMap::from([(kind, OwnerScope::Owners(Arc::from(owners)))]), others: none }
    }

    pub fn scope(&self, kind: EntityKind) -> &OwnerScope {
        self.by_kind.get(&kind).unwrap_or(&self.others)
    }

    pub fn is_all(&self) -> bool {
        self.others == OwnerScope::All && self.by_kind.values().all(|s| *s == OwnerScope::All)
    }
}

/// The level a role's rights give for a right.
fn level_of(rights: EntityRights, right: Right) -> Level {
    match right {
        Right::Create if rights.create => Level::All,
        Right::Export if rights.export => rights.read,
        Right::Create | Right::Export => Level::None,
        Right::Read => rights.read,
        Right::Update => rights.update,
        Right::Delete => rights.delete,
    }
}

/// Where the user stands in the workspace's teams.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TeamView {
    /// Users sharing at least one team with the user (the user included).
    pub colleagues: BTreeSet<UserId>,
    /// Members of the teams the user manages.
    pub managed: BTreeSet<UserId>,
}

/// Why a request was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Denied {
    /// The API token may only read.
    ReadOnlyToken,
    /// The API token is limited to other entity types.
    TokenEntity(EntityKind),
    /// The role lacks the right on this entity type.
    Role { kind: EntityKind, right: Right },
    /// The role has the right, but not on this record (owned by someone else).
    Record { kind: EntityKind, right: Right },
    /// Only administrators may do this.
    AdminOnly,
    /// The role may not give records of this type to the owner named.
    Assign { kind: EntityKind },
    /// Records of this type are written by Relata alone, never by people.
    MadeByRelata { kind: EntityKind },
}

impl std::fmt::Display for Denied {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Denied::ReadOnlyToken => write!(f, "this API token is read-only; writing needs a read_write token"),
            Denied::TokenEntity(kind) => write!(f, "this API token does not give access to {}", kind.api_name()),
            Denied::Role { kind, right } => {
                write!(f, "your role may not {} {}", right.as_str(), kind.api_name())
            }
            Denied::Record { kind, right } => write!(
                f,
                "your role may {} only some {}: this {} belongs to someone else",
                right.as_str(),
                kind.api_name(),
                kind.singular()
            ),
            Denied::AdminOnly => write!(f, "only workspace administrators may do this"),
            Denied::Assign { kind } => write!(
                f,
                "your role may not give {} to this owner; choose yourself or a member of a team you manage",
                kind.api_name()
            ),
            Denied::MadeByRelata { kind } => write!(f, "{} are written by Relata only", kind.def().plural_label),
        }
    }
}

/// Everything a permission check needs to know about who acts.
#[derive(Clone, Debug)]
pub struct Access {
    /// `None` for Relata itself (CLI, demo data, background work).
    pub user: Option<UserId>,
    pub role: Arc<RoleDef>,
    pub teams: TeamView,
    /// Entity types an API token is limited to (`None`: all).
    pub token_entities: Option<Vec<EntityKind>>,
    pub token_read_only: bool,
}

impl Access {
    /// Relata itself: every right, every record, every entity type.
    pub fn system() -> Access {
        let everything = RoleDef {
            name: "system".to_string(),
            label: "Relata".to_string(),
            built_in: true,
            admin: true,
            entities: BTreeMap::new(),
            others: EntityRights::FULL,
            fields: BTreeMap::new(),
        };
        Access {
            user: None,
            role: Arc::new(everything),
            teams: TeamView::default(),
            token_entities: None,
            token_read_only: false,
        }
    }

    pub fn is_admin(&self) -> bool {
        self.role.admin && !self.token_read_only
    }

    /// Refuses anyone but administrators.
    pub fn require_admin(&self) -> Result<(), Denied> {
        if self.is_admin() { Ok(()) } else { Err(Denied::AdminOnly) }
    }

    /// Refuses read-only tokens.
    pub fn require_write(&self) -> Result<(), Denied> {
        if self.token_read_only { Err(Denied::ReadOnlyToken) } else { Ok(()) }
    }

    fn token_allows(&self, kind: EntityKind, right: Right) -> Result<(), Denied> {
        if self.token_read_only && right.writes() {
            return Err(Denied::ReadOnlyToken);
        }
        if self.token_entities.as_ref().is_some_and(|allowed| !allowed.contains(&kind)) {
            return Err(Denied::TokenEntity(kind));
        }
        Ok(())
    }

    fn level(&self, kind: EntityKind, right: Right) -> Level {
        let level = level_of(self.role.rights(kind), right);
        // Checked here, where every right of every path is decided.
        if kind.def().private_to_owner { level.min(Level::Own) } else { level }
    }

    /// The owners whose records a level reaches for this user.
    fn owners(&self, level: Level) -> OwnerScope {
        let Some(me) = self.user else {
            return if level == Level::None { OwnerScope::Owners(Arc::from(vec![])) } else { OwnerScope::All };
        };
        let mut owners: BTreeSet<UserId> = BTreeSet::new();
        match level {
            Level::All => return OwnerScope::All,
            Level::None => return OwnerScope::Owners(Arc::from(vec![])),
            Level::Own => {}
            Level::Team => owners.extend(self.teams.colleagues.iter().copied()),
        }
        owners.insert(me);
        // A line manager reaches the records of the teams they manage.
        owners.extend(self.teams.managed.iter().copied());
        OwnerScope::Owners(owners.into_iter().collect::<Vec<_>>().into())
    }

    /// The records of `kind` this user may exercise `right` on.
    pub fn scope(&self, kind: EntityKind, right: Right) -> OwnerScope {
        if self.token_allows(kind, right).is_err() {
            return OwnerScope::Owners(Arc::from(vec![]));
        }
        self.owners(self.level(kind, right))
    }

    /// What reads may see, per entity type.
    pub fn visibility(&self) -> Visibility {
        let named = self.role.entities.keys().chain(self.token_entities.iter().flatten());
        let by_kind = named.map(|&k| (k, self.scope(k, Right::Read))).collect();
        let others = if self.token_entities.is_some() {
            // A token limited to named entity types reaches no other.
            OwnerScope::Owners(Arc::from(vec![]))
        } else {
            self.owners(level_of(self.role.others, Right::Read))
        };
        Visibility { by_kind, others }
    }

    /// Whether the user has `right` on `kind` at all (on some records).
    pub fn check_kind(&self, kind: EntityKind, right: Right) -> Result<(), Denied> {
        self.token_allows(kind, right)?;
        if self.level(kind, right) == Level::None {
            return Err(Denied::Role { kind, right });
        }
        Ok(())
    }

    /// Whether the user has `right` on a record of `kind` owned by `owner`.
    pub fn check(&self, kind: EntityKind, right: Right, owner: Option<UserId>) -> Result<(), Denied> {
        self.check_kind(kind, right)?;
        if self.owners(self.level(kind, right)).allows(owner) { Ok(()) } else { Err(Denied::Record { kind, right }) }
    }

    /// Whether the user may make `owner` the owner of a record of `kind`
    /// (on create or reassignment): only owners their update right reaches.
    pub fn may_assign(&self, kind: EntityKind, owner: Option<UserId>) -> bool {
        // Whoever may create records may at least own them.
        let floor = if self.role.rights(kind).create { Level::Own } else { Level::None };
        self.owners(self.level(kind, Right::Update).max(floor)).allows(owner)
    }

    /// Whether a filter may look at `field` of related records of `kind`
    /// (`account.city = …`): the user reads the type and sees the field.
    pub fn may_filter_related(&self, kind: EntityKind, field: &crate::meta::FieldDef) -> bool {
        self.check_kind(kind, Right::Read).is_ok()
            && !kind.def().private_to_owner
            && self.field_rules(kind).and_then(|r| r.get(field.id.as_ref())) != Some(&FieldAccess::Hidden)
    }

    /// The field rules that apply to `kind` for this user.
    pub fn field_rules(&self, kind: EntityKind) -> Option<&FieldRules> {
        self.role.field_rules(kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::testing::{self, ACCOUNTS, ACTIVITIES, CONTACTS, PIPELINES};

    fn user() -> UserId {
        UserId::new()
    }

    fn access(role: &str, me: UserId, teams: TeamView) -> Access {
        testing::install();
        Access {
            user: Some(me),
            role: Arc::new(built_in_role(role).unwrap()),
            teams,
            token_entities: None,
            token_read_only: false,
        }
    }

    #[test]
    fn every_built_in_role_is_defined_for_every_entity() {
        testing::install();
        for name in BUILT_IN_ROLES {
            let role = built_in_role(name).unwrap();
            assert_eq!(role.entities.len(), EntityKind::all().len(), "{name}");
            assert_eq!(role.rights(EntityKind::custom("test_objects")), custom_object_rights(name));
            assert!(is_valid_role_name(name));
        }
        assert!(built_in_role("owner").is_none());
    }

    #[test]
    fn a_rep_reads_the_team_and_writes_only_their_own() {
        let (me, mate, stranger) = (user(), user(), user());
        let teams = TeamView { colleagues: [me, mate].into(), managed: BTreeSet::new() };
        let rep = access("sales_rep", me, teams);
        let k = CONTACTS;
        assert!(rep.check(k, Right::Read, Some(mate)).is_ok());
        assert_eq!(rep.check(k, Right::Read, Some(stranger)), Err(Denied::Record { kind: k, right: Right::Read }));
        assert!(rep.check(k, Right::Update, Some(me)).is_ok());
        assert!(rep.check(k, Right::Update, Some(mate)).is_err());
        assert!(rep.check(k, Right::Read, None).is_err(), "unowned records need the all level");
        assert_eq!(rep.check_kind(k, Right::Export), Err(Denied::Role { kind: k, right: Right::Export }));
        assert!(rep.check(PIPELINES, Right::Update, Some(me)).is_err());
    }

    #[test]
    fn a_line_manager_reaches_the_records_of_the_team_they_manage() {
        let (me, report) = (user(), user());
        let teams = TeamView { colleagues: [me, report].into(), managed: [report].into() };
        let lead = access("sales_rep", me, teams);
        assert!(lead.check(ACTIVITIES, Right::Update, Some(report)).is_ok());
        assert!(lead.may_assign(ACTIVITIES, Some(report)));
        let plain = access("sales_rep", me, TeamView { colleagues: [me, report].into(), managed: BTreeSet::new() });
        assert!(!plain.may_assign(ACTIVITIES, Some(report)));
        assert!(plain.may_assign(ACTIVITIES, Some(me)));
    }

    #[test]
    fn tokens_narrow_what_the_role_allows() {
        let me = user();
        let mut admin = access("admin", me, TeamView::default());
        admin.token_read_only = true;
        assert_eq!(admin.check(ACCOUNTS, Right::Update, Some(me)), Err(Denied::ReadOnlyToken));
        assert!(admin.check(ACCOUNTS, Right::Read, Some(me)).is_ok());
        assert!(!admin.is_admin(), "a read-only token cannot administer");
        admin.token_read_only = false;
        admin.token_entities = Some(vec![CONTACTS]);
        assert_eq!(admin.check_kind(ACCOUNTS, Right::Read), Err(Denied::TokenEntity(ACCOUNTS)));
        assert_eq!(admin.visibility().scope(ACCOUNTS), &OwnerScope::Owners(Arc::from(vec![])));
        assert_eq!(admin.visibility().scope(CONTACTS), &OwnerScope::All);
    }

    #[test]
    fn role_definitions_parse_with_every_problem_reported() {
        testing::install();
        let ok = RoleDef::from_json(
            "auditor",
            &json!({"label": "Auditor", "entities": {"accounts": {"create": false, "read": "all", "update": "none", "delete": "none", "export": true}},
                    "fields": {"contacts": {"birthday": "hidden", "custom.tier": "read_only"}}}),
            &EntityKind::from_api_name,
        )
        .unwrap();
        assert_eq!(ok.rights(ACCOUNTS).read, Level::All);
        assert_eq!(ok.rights(CONTACTS), EntityRights::NONE);
        assert_eq!(ok.field_rules(CONTACTS).unwrap()["birthday"], FieldAccess::Hidden);
        let back = RoleDef::from_json("auditor", &ok.to_json(), &EntityKind::from_api_name).unwrap();
        assert_eq!(back.entities, ok.entities);

        let errors = RoleDef::from_json(
            "x",
            &json!({"admin": "yes", "entities": {"things": {}, "accounts": {"read": "some"}},
                    "fields": {"contacts": {"id": "hidden", "city": "invisible"}}, "colour": 1}),
            &EntityKind::from_api_name,
        )
        .unwrap_err();
        let paths: Vec<&str> = errors.iter().map(|(p, _)| p.as_str()).collect();
        for p in
            ["admin", "entities.things", "entities.accounts", "fields.contacts.id", "fields.contacts.city", "colour"]
        {
            assert!(paths.contains(&p), "{p} missing from {paths:?}");
        }
    }
}
