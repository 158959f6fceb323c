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
    const fn working(read: Level, write: Level) -> EntityRights {
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
    pub fields: BTreeMap<EntityKind, FieldRules>,
}

/// The roles every workspace has.
pub const BUILT_IN_ROLES: [&str; 6] = ["admin", "manager", "sales_rep", "service_agent", "marketer", "read_only"];

fn rights_for(f: impl Fn(EntityKind) -> EntityRights) -> BTreeMap<EntityKind, EntityRights> {
    EntityKind::ALL.into_iter().map(|k| (k, f(k))).collect()
}

/// A built-in role's definition.
pub fn built_in_role(name: &str) -> Option<RoleDef> {
    use EntityKind::*;
    use Level::*;
    let (label, admin, entities) = match name {
        "admin" => ("Administrator", true, rights_for(|_| EntityRights::FULL)),
        "manager" => (
            "Manager",
            false,
            rights_for(|k| match k {
                Pipeline => EntityRights::READ_ALL,
                _ => EntityRights { create: true, read: All, update: Team, delete: Team, export: true },
            }),
        ),
        "sales_rep" => (
            "Sales representative",
            false,
            rights_for(|k| match k {
                Pipeline => EntityRights::READ_ALL,
                _ => EntityRights::working(Team, Own),
            }),
        ),
        "service_agent" => (
            "Service agent",
            false,
            rights_for(|k| match k {
                Account | Contact => EntityRights { create: true, read: All, update: All, delete: None, export: false },
                Activity => EntityRights::working(All, Own),
                Lead | Opportunity | Pipeline => EntityRights::READ_ALL,
            }),
        ),
        "marketer" => (
            "Marketer",
            false,
            rights_for(|k| match k {
                Lead => EntityRights::FULL,
                Account | Contact => EntityRights { export: true, ..EntityRights::READ_ALL },
                Activity => EntityRights::working(All, Own),
                Opportunity | Pipeline => EntityRights::READ_ALL,
            }),
        ),
        "read_only" => ("Read only", false, rights_for(|_| EntityRights::READ_ALL)),
        _ => return Option::None,
    };
    Some(RoleDef {
        name: name.to_string(),
        label: label.to_string(),
        built_in: true,
        admin,
        entities,
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
        self.entities.get(&kind).copied().unwrap_or(EntityRights::NONE)
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
    /// by field. Entity types left out get no rights.
    pub fn from_json(name: &str, input: &Json) -> Result<RoleDef, Vec<(String, String)>> {
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
                    let Some(kind) = EntityKind::from_api_name(entity) else {
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
                    let Some(kind) = EntityKind::from_api_name(entity) else {
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
            Ok(RoleDef { name: name.to_string(), label, built_in: false, admin, entities, fields })
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
    by_kind: Vec<OwnerScope>,
}

impl Visibility {
    pub fn all() -> Visibility {
        Visibility { by_kind: EntityKind::ALL.iter().map(|_| OwnerScope::All).collect() }
    }

    pub fn scope(&self, kind: EntityKind) -> &OwnerScope {
        &self.by_kind[kind as usize]
    }

    pub fn is_all(&self) -> bool {
        self.by_kind.iter().all(|s| *s == OwnerScope::All)
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
    /// Relata itself: every right, every record.
    pub fn system() -> Access {
        Access {
            user: None,
            role: Arc::new(built_in_role("admin").expect("built in")),
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
        let rights = self.role.rights(kind);
        match right {
            Right::Create => {
                if rights.create {
                    Level::All
                } else {
                    Level::None
                }
            }
            Right::Export => {
                if rights.export {
                    rights.read
                } else {
                    Level::None
                }
            }
            Right::Read => rights.read,
            Right::Update => rights.update,
            Right::Delete => rights.delete,
        }
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
        Visibility { by_kind: EntityKind::ALL.iter().map(|&k| self.scope(k, Right::Read)).collect() }
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

    /// The field rules that apply to `kind` for this user.
    pub fn field_rules(&self, kind: EntityKind) -> Option<&FieldRules> {
        self.role.field_rules(kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> UserId {
        UserId::new()
    }

    fn access(role: &str, me: UserId, teams: TeamView) -> Access {
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
        for name in BUILT_IN_ROLES {
            let role = built_in_role(name).unwrap();
            assert_eq!(role.entities.len(), EntityKind::ALL.len(), "{name}");
            assert!(is_valid_role_name(name));
        }
        assert!(built_in_role("owner").is_none());
    }

    #[test]
    fn a_rep_reads_the_team_and_writes_only_their_own() {
        let (me, mate, stranger) = (user(), user(), user());
        let teams = TeamView { colleagues: [me, mate].into(), managed: BTreeSet::new() };
        let rep = access("sales_rep", me, teams);
        let k = EntityKind::Contact;
        assert!(rep.check(k, Right::Read, Some(mate)).is_ok());
        assert_eq!(rep.check(k, Right::Read, Some(stranger)), Err(Denied::Record { kind: k, right: Right::Read }));
        assert!(rep.check(k, Right::Update, Some(me)).is_ok());
        assert!(rep.check(k, Right::Update, Some(mate)).is_err());
        assert!(rep.check(k, Right::Read, None).is_err(), "unowned records need the all level");
        assert_eq!(rep.check_kind(k, Right::Export), Err(Denied::Role { kind: k, right: Right::Export }));
        assert!(rep.check(EntityKind::Pipeline, Right::Update, Some(me)).is_err());
    }

    #[test]
    fn a_line_manager_reaches_the_records_of_the_team_they_manage() {
        let (me, report) = (user(), user());
        let teams = TeamView { colleagues: [me, report].into(), managed: [report].into() };
        let lead = access("sales_rep", me, teams);
        assert!(lead.check(EntityKind::Activity, Right::Update, Some(report)).is_ok());
        assert!(lead.may_assign(EntityKind::Activity, Some(report)));
        let plain = access("sales_rep", me, TeamView { colleagues: [me, report].into(), managed: BTreeSet::new() });
        assert!(!plain.may_assign(EntityKind::Activity, Some(report)));
        assert!(plain.may_assign(EntityKind::Activity, Some(me)));
    }

    #[test]
    fn tokens_narrow_what_the_role_allows() {
        let me = user();
        let mut admin = access("admin", me, TeamView::default());
        admin.token_read_only = true;
        assert_eq!(admin.check(EntityKind::Account, Right::Update, Some(me)), Err(Denied::ReadOnlyToken));
        assert!(admin.check(EntityKind::Account, Right::Read, Some(me)).is_ok());
        assert!(!admin.is_admin(), "a read-only token cannot administer");
        admin.token_read_only = false;
        admin.token_entities = Some(vec![EntityKind::Contact]);
        assert_eq!(admin.check_kind(EntityKind::Account, Right::Read), Err(Denied::TokenEntity(EntityKind::Account)));
        assert_eq!(admin.visibility().scope(EntityKind::Account), &OwnerScope::Owners(Arc::from(vec![])));
        assert_eq!(admin.visibility().scope(EntityKind::Contact), &OwnerScope::All);
    }

    #[test]
    fn role_definitions_parse_with_every_problem_reported() {
        let ok = RoleDef::from_json(
            "auditor",
            &json!({"label": "Auditor", "entities": {"accounts": {"create": false, "read": "all", "update": "none", "delete": "none", "export": true}},
                    "fields": {"contacts": {"birthday": "hidden", "custom.tier": "read_only"}}}),
        )
        .unwrap();
        assert_eq!(ok.rights(EntityKind::Account).read, Level::All);
        assert_eq!(ok.rights(EntityKind::Contact), EntityRights::NONE);
        assert_eq!(ok.field_rules(EntityKind::Contact).unwrap()["birthday"], FieldAccess::Hidden);
        let back = RoleDef::from_json("auditor", &ok.to_json()).unwrap();
        assert_eq!(back.entities, ok.entities);

        let errors = RoleDef::from_json(
            "x",
            &json!({"admin": "yes", "entities": {"things": {}, "accounts": {"read": "some"}},
                    "fields": {"contacts": {"id": "hidden", "city": "invisible"}}, "colour": 1}),
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
