//! What the generic machinery knows about an entity type besides its
//! fields: how it names its records, whether its records are episodes of a
//! customer's story, whether global search includes it, which fields hold
//! personal data, its default list columns and the rights built-in roles
//! have on it.

use crate::access::EntityRights;
use crate::meta::{EntityKind, FieldDef, FieldType, Target};
use std::borrow::Cow;

/// One entity type, described once.
#[derive(Clone, Debug)]
pub struct EntityDef {
    pub kind: EntityKind,
    /// The domain module that owns it (`crm`, `sales`; `custom` for custom objects).
    pub module: &'static str,
    /// The singular used in the change log and in messages: `account`.
    pub singular: &'static str,
    pub label: Cow<'static, str>,
    pub plural_label: Cow<'static, str>,
    /// The table its records live in.
    pub table: &'static str,
    /// Fields whose values, joined by spaces, name a record.
    pub title_fields: Vec<Cow<'static, str>>,
    /// System fields first, then the type's own.
    pub fields: Vec<FieldDef>,
    /// How its records are episodes of a customer's story, if they are.
    pub episode: Option<Episode>,
    /// Whether global search (the search box) includes it.
    pub global_search: bool,
    /// Whether a record of this type is a person whose data can be exported
    /// and erased (GDPR): contacts.
    pub person: bool,
    /// Fields holding personal data of the person the record is about or
    /// linked to: cleared (or, when required, replaced by "Erased") when that
    /// person is erased.
    pub personal_fields: Vec<Cow<'static, str>>,
    /// The columns lists show when the user has not chosen any.
    pub default_columns: Vec<Cow<'static, str>>,
    /// The rights each built-in role has on it (admins always have all,
    /// read-only users always read all).
    pub role_rights: fn(&str) -> EntityRights,
    /// Configuration rather than business records (pipelines): not handed
    /// over when a member's records are reassigned.
    pub reference_data: bool,
    /// For header-and-lines documents (quotes, orders, invoices): what a
    /// line holds and what the header totals from the lines.
    pub lines: Option<LinesDef>,
    /// A document number Relata gives each new record (`INV-2026-000123`).
    pub numbering: Option<Numbering>,
    /// Records only Relata writes (a log, such as automation runs): people
    /// read them, and every write by a person is refused.
    pub made_by_relata: bool,
    /// Records private to their owner (mail synced from a person's own
    /// mailbox): no role reaches further than its own records, however
    /// wide its rights, administrators included.
    pub private_to_owner: bool,
    /// Records of this type keep files (a synced email's attachments),
    /// served at `/api/v1/{type}/{id}/attachments/{position}` to whoever may
    /// read the record, and deleted when the person they are about is erased.
    pub keeps_files: bool,
}

/// The lines of a document type.
#[derive(Clone, Debug)]
pub struct LinesDef {
    /// Line fields, kept in each line's JSON ([`FieldDef::data`]).
    pub fields: Vec<FieldDef>,
    /// Header fields Relata keeps as sums over the lines.
    pub totals: Vec<Total>,
    /// A header field naming the document's currency (a choice or text of
    /// ISO codes); without one, the currency of the header's other money
    /// values, else of the first line's.
    pub currency_field: Option<Cow<'static, str>>,
    /// Line fields cleared when a person the document is about is erased.
    pub personal_fields: Vec<Cow<'static, str>>,
}

/// A header field that is the sum over the lines of the product of some
/// line fields (`total = Σ quantity × unit_price`).
#[derive(Clone, Debug)]
pub struct Total {
    pub field: Cow<'static, str>,
    pub product_of: Vec<Cow<'static, str>>,
}

/// How a type's records are numbered: a text field Relata fills on create
/// from a format such as `INV-{YYYY}-{NNNNNN}` (the year of creation and
/// the number within it, zero-padded to the width of the Ns).
#[derive(Clone, Debug)]
pub struct Numbering {
    pub field: Cow<'static, str>,
    pub format: Cow<'static, str>,
    /// Numbers without gaps, taken in the write's own transaction (writers
    /// of the series wait for each other), as invoices need by law. Without
    /// it (PostgreSQL), numbers are taken outside the write: no waiting, a
    /// gap when a write rolls back, and a number never given twice.
    pub gapless: bool,
}

impl LinesDef {
    pub fn field(&self, id: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.id == id)
    }

    /// Whether `id` is a header field the lines keep.
    pub fn is_total(&self, id: &str) -> bool {
        self.totals.iter().any(|t| t.field == id)
    }
}

/// How records of a type belong to the stories of other records (an
/// activity to its account's and contact's timelines).
#[derive(Clone, Debug)]
pub struct Episode {
    /// Relation fields pointing at the records whose story this is.
    pub links: Vec<Cow<'static, str>>,
    /// The date-time field that places it in the story (`occurred_at`), or
    /// `created_at`.
    pub at: Cow<'static, str>,
}

impl EntityDef {
    /// A new description with the system fields every record has.
    pub fn new(
        kind: EntityKind,
        module: &'static str,
        singular: &'static str,
        label: &'static str,
        plural_label: &'static str,
    ) -> EntityDef {
        EntityDef {
            kind,
            module,
            singular,
            label: Cow::Borrowed(label),
            plural_label: Cow::Borrowed(plural_label),
            table: kind.api_name(),
            title_fields: Vec::new(),
            fields: system_fields(),
            episode: None,
            global_search: false,
            person: false,
            personal_fields: Vec::new(),
            default_columns: Vec::new(),
            role_rights: business_record_rights,
            reference_data: false,
            made_by_relata: false,
            private_to_owner: false,
            keeps_files: false,
            lines: None,
            numbering: None,
        }
    }

    /// A workspace's custom object: system fields, the shared table, the
    /// rights built-in roles have on the company's own business records.
    /// Its own fields are [`FieldDef::data`] fields.
    pub fn custom_object(kind: EntityKind, label: String, plural_label: String) -> EntityDef {
        EntityDef {
            label: Cow::Owned(label),
            plural_label: Cow::Owned(plural_label),
            table: CUSTOM_RECORDS_TABLE,
            role_rights: crate::access::custom_object_rights,
            ..EntityDef::new(kind, "custom", kind.api_name(), "", "")
        }
    }

    pub fn fields(mut self, fields: impl IntoIterator<Item = FieldDef>) -> Self {
        self.fields.extend(fields);
        self
    }

    pub fn title(mut self, fields: &[&'static str]) -> Self {
        self.title_fields = fields.iter().map(|f| Cow::Borrowed(*f)).collect();
        self
    }

    pub fn episode(mut self, links: &[&'static str], at: &'static str) -> Self {
        self.episode =
            Some(Episode { links: links.iter().map(|l| Cow::Borrowed(*l)).collect(), at: Cow::Borrowed(at) });
        self
    }

    pub fn searchable_globally(mut self) -> Self {
        self.global_search = true;
        self
    }

    pub fn person(mut self) -> Self {
        self.person = true;
        self
    }

    pub fn personal(mut self, fields: &[&'static str]) -> Self {
        self.personal_fields = fields.iter().map(|f| Cow::Borrowed(*f)).collect();
        self
    }

    pub fn columns(mut self, fields: &[&'static str]) -> Self {
        self.default_columns = fields.iter().map(|f| Cow::Borrowed(*f)).collect();
        self
    }

    pub fn rights(mut self, role_rights: fn(&str) -> EntityRights) -> Self {
        self.role_rights = role_rights;
        self
    }

    /// Configuration that everyone reads and administrators change.
    /// Records of this type are written by Relata only.
    pub fn made_by_relata(mut self) -> Self {
        self.made_by_relata = true;
        self
    }

    /// Records of this type are their owner's alone, whatever the role.
    pub fn private_to_owner(mut self) -> Self {
        self.private_to_owner = true;
        self
    }

    pub fn keeps_files(mut self) -> Self {
        self.keeps_files = true;
        self
    }

    pub fn reference_data(mut self) -> Self {
        self.role_rights = reference_data_rights;
        self.reference_data = true;
        self
    }

    pub fn field(&self, id: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.id == id)
    }

    /// The relation fields pointing at `target`.
    pub fn relations_to(&self, target: EntityKind) -> impl Iterator<Item = &FieldDef> {
        self.fields.iter().filter(move |f| f.ty == FieldType::Relation(Target::Entity(target)))
    }

    /// What is wrong with the description, if anything.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let mut ids: Vec<&str> = self.fields.iter().map(|f| f.id.as_ref()).collect();
        ids.sort();
        if ids.windows(2).any(|w| w[0] == w[1]) {
            problems.push("two fields share an id".to_string());
        }
        let named = |what: &str, id: &str, problems: &mut Vec<String>| {
            if self.field(id).is_none() {
                problems.push(format!("{what} {id:?} is not a field"));
            }
        };
        for id in self.title_fields.iter().chain(&self.default_columns).chain(&self.personal_fields) {
            named("field", id, &mut problems);
        }
        if let Some(episode) = &self.episode {
            for link in &episode.links {
                match self.field(link) {
                    Some(f) if matches!(f.ty, FieldType::Relation(Target::Entity(_))) => {}
                    _ => problems.push(format!("episode link {link:?} is not a relation to an entity type")),
                }
            }
            match self.field(&episode.at) {
                Some(f) if f.ty == FieldType::DateTime => {}
                _ => problems.push(format!("episode time {:?} is not a date-time field", episode.at)),
            }
        }
        if let Some(lines) = &self.lines {
            problems.extend(lines_problems(self, lines));
        }
        if let Some(numbering) = &self.numbering {
            match self.field(&numbering.field) {
                Some(f) if matches!(f.ty, FieldType::Text { .. }) && !f.is_writable() => {}
                _ => problems.push(format!("numbering field {:?} is not a read-only text field", numbering.field)),
            }
            if let Err(e) = crate::document::check_number_format(&numbering.format) {
                problems.push(e);
            }
        }
        problems
    }
}

fn lines_problems(def: &EntityDef, lines: &LinesDef) -> Vec<String> {
    let mut problems = Vec::new();
    for total in &lines.totals {
        match def.field(&total.field) {
            Some(f) if !f.is_writable() => {
                if let Err(e) = crate::document::check_total(f, lines, total) {
                    problems.push(e);
                }
            }
            _ => problems.push(format!("total {:?} is not a read-only field of the header", total.field)),
        }
    }
    if let Some(currency) = &lines.currency_field
        && def.field(currency).is_none()
    {
        problems.push(format!("currency field {currency:?} is not a field"));
    }
    for id in &lines.personal_fields {
        if lines.field(id).is_none() {
            problems.push(format!("personal line field {id:?} is not a line field"));
        }
    }
    problems
}

/// The fields every record has, maintained by Relata.
pub fn system_fields() -> Vec<FieldDef> {
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

/// The rights built-in roles have on ordinary business records: managers
/// read everything and change their teams' records, sales reps and service
/// agents read their teams' and change their own, marketers read all.
pub fn business_record_rights(role: &str) -> EntityRights {
    use crate::access::Level::*;
    match role {
        "manager" => EntityRights { create: true, read: All, update: Team, delete: Team, export: true },
        "sales_rep" | "service_agent" => {
            EntityRights { create: true, read: Team, update: Own, delete: Own, export: false }
        }
        "marketer" => EntityRights::READ_ALL,
        _ => EntityRights::NONE,
    }
}

/// Rights on reference data (pipelines): managers and others read it; only
/// administrators change it.
pub fn reference_data_rights(_role: &str) -> EntityRights {
    EntityRights::READ_ALL
}

/// Choice options from string literals.
pub fn options(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| v.to_string()).collect()
}

/// The description every custom object shares: system fields, and the one
/// table custom objects' records live in.
pub(crate) fn custom_object_base() -> &'static EntityDef {
    static BASE: std::sync::OnceLock<EntityDef> = std::sync::OnceLock::new();
    BASE.get_or_init(|| EntityDef {
        table: CUSTOM_RECORDS_TABLE,
        ..EntityDef::new(
            EntityKind::named("custom_object"),
            "custom",
            "custom_object",
            "Custom object",
            "Custom objects",
        )
    })
}

/// The table every custom object's records live in (with an `object` column).
pub const CUSTOM_RECORDS_TABLE: &str = "custom_records";
