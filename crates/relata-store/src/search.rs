//! Side indexes kept in the same transaction as the record: contact points
//! (emails and E.164 phones, for lookup by the number a caller calls from) and
//! the full-text search document (SQLite FTS5 / PostgreSQL tsvector).

use crate::db::ScopedConn;
use crate::error::Result;
use crate::records::is_contact_point;
use crate::sql::{contact_point_kind, in_workspace, uuid};
use relata_core::meta::{EntityKind, Schema};
use relata_core::text::search_words;
use relata_core::value::FieldValue;
use relata_core::{Record, RecordId};
use sea_query::{Expr, ExprTrait, Query, Value};

/// The text full-text search matches a record by: the folded words of its
/// searchable fields (see [`relata_core::text`]), phone numbers as bare digits
/// so that "48581234567" finds "+48 58 123 45 67".
pub fn search_content(schema: &Schema, record: &Record) -> String {
    searchable_words(schema.fields(), record).join(" ")
}

fn searchable_words<'a>(fields: impl Iterator<Item = &'a relata_core::meta::FieldDef>, record: &Record) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for field in fields.filter(|f| f.searchable) {
        match record.values.get(field) {
            FieldValue::Text(s) => words.extend(search_words(s)),
            FieldValue::List(items) => {
                for item in items {
                    words.extend(search_words(item));
                }
            }
            _ => {}
        }
    }
    words
}

/// Whether a record matches every search term through the fields its
/// viewer may see: the index holds hidden fields' words too, so results
/// are checked again when the viewer's role hides a searchable field.
pub(crate) fn matches_visibly(schema: &Schema, record: &Record, terms: &[String]) -> bool {
    let words = searchable_words(schema.visible_fields(), record);
    terms.iter().all(|t| words.iter().any(|w| if t.chars().count() > 1 { w.starts_with(t.as_str()) } else { w == t }))
}

/// Whether the viewer's role hides a searchable field of this schema.
pub(crate) fn hides_searchable(schema: &Schema) -> bool {
    schema.fields().any(|f| f.searchable && schema.is_hidden(f))
}

/// The contact points of a record: distinct (kind, value) pairs (they key
/// the record's rows in `contact_points`).
pub fn contact_points(schema: &Schema, record: &Record) -> std::collections::BTreeSet<(&'static str, String)> {
    let mut out = std::collections::BTreeSet::new();
    for field in schema.own_fields().iter().filter(|f| is_contact_point(&f.ty)) {
        let kind = contact_point_kind(&field.ty).expect("filtered to contact point fields");
        match record.values.get(field) {
            FieldValue::Text(s) => {
                out.insert((kind, s.to_lowercase()));
            }
            FieldValue::List(items) => out.extend(items.iter().map(|i| (kind, i.to_lowercase()))),
            _ => {}
        }
    }
    out
}

/// Whether fields of type `ty` are indexed as contact points of `kind`
/// (`email` or `phone`).
pub fn is_contact_point_of(ty: &relata_core::meta::FieldType, kind: &str) -> bool {
    contact_point_kind(ty) == Some(kind)
}

const CONTACT_POINT_COLUMNS: [&str; 5] = ["workspace_id", "entity", "record_id", "kind", "value"];

/// A record found by a contact point.
#[derive(Clone, Debug, PartialEq)]
pub struct ContactPointHit {
    pub kind: EntityKind,
    pub id: RecordId,
}

impl ScopedConn {
    /// Brings a record's side indexes from what `before` (the record as it
    /// was; `None` when unknown) needed to what `record` needs; a record in
    /// the trash needs none. Contact points are keyed by their value, so
    /// the ones to remove are named by `before`; with `before` unknown
    /// (repairs), missing ones are added and stale ones are left to the
    /// caller (see `relata check`).
    pub async fn index_record(&mut self, schema: &Schema, before: Option<&Record>, record: &Record) -> Result<()> {
        let points_of =
            |r: &Record| if r.deleted_at.is_none() { contact_points(schema, r) } else { Default::default() };
        let old_points = before.map(points_of).unwrap_or_default();
        let new_points = points_of(record);
        // Deferred: nothing here reads what they change (see `Conn::defer`).
        let gone: Vec<_> = old_points.difference(&new_points).collect();
        for (kind, value) in gone {
            let removal = self.contact_point_removal(record.id, kind, value);
            self.conn.defer(&removal).await?;
        }
        let added: Vec<Vec<Value>> = new_points
            .difference(&old_points)
            .map(|(kind, value)| self.contact_point_row(schema, record.id, kind, value.clone()))
            .collect();
        self.conn.defer_missing_rows("contact_points", &CONTACT_POINT_COLUMNS, added).await?;
        let content_of = |r: &Record| if r.deleted_at.is_none() { search_content(schema, r) } else { String::new() };
        if before.is_some_and(|b| content_of(b) == content_of(record)) {
            return Ok(());
        }
        let removal = self.search_entry_removal(record.id);
        self.conn.defer(&removal).await?;
        if record.deleted_at.is_some() {
            return Ok(());
        }
        self.insert_search_docs(schema, std::slice::from_ref(record)).await
    }

    /// Removes a record's search entry (its words leave the index with it).
    pub async fn remove_search_entry(&mut self, id: RecordId) -> Result<u64> {
        let stmt = self.search_entry_removal(id);
        self.conn.execute(&stmt).await
    }

    fn search_entry_removal(&self, id: RecordId) -> sea_query::DeleteStatement {
        Query::delete()
            .from_table("search_docs")
            .and_where(in_workspace(self.workspace))
            .and_where(Expr::col("record_id").eq(uuid(id.uuid())))
            .to_owned()
    }

    /// Removes one contact point row (by its whole key).
    pub async fn remove_contact_point(&mut self, id: RecordId, kind: &str, value: &str) -> Result<u64> {
        let stmt = self.contact_point_removal(id, kind, value);
        self.conn.execute(&stmt).await
    }

    fn contact_point_removal(&self, id: RecordId, kind: &str, value: &str) -> sea_query::DeleteStatement {
        Query::delete()
            .from_table("contact_points")
            .and_where(in_workspace(self.workspace))
            .and_where(Expr::col("kind").eq(kind))
            .and_where(Expr::col("value").eq(value))
            .and_where(Expr::col("record_id").eq(uuid(id.uuid())))
            .to_owned()
    }

    fn contact_point_row(&self, schema: &Schema, id: RecordId, kind: &str, value: String) -> Vec<Value> {
        vec![
            uuid(self.workspace.uuid()),
            Value::String(Some(schema.kind.singular().to_string())),
            uuid(id.uuid()),
            Value::String(Some(kind.to_string())),
            Value::String(Some(value)),
        ]
    }

    /// Adds side indexes for records that have none yet (new records, bulk).
    pub async fn index_new_records(&mut self, schema: &Schema, records: &[Record]) -> Result<()> {
        let rows: Vec<Vec<Value>> = records
            .iter()
            .flat_map(|r| contact_points(schema, r).into_iter().map(move |(k, v)| (r.id, k, v)))
            .map(|(id, kind, value)| self.contact_point_row(schema, id, kind, value))
            .collect();
        self.conn.defer_rows("contact_points", &CONTACT_POINT_COLUMNS, rows).await?;
        self.insert_search_docs(schema, records).await
    }

    async fn insert_search_docs(&mut self, schema: &Schema, records: &[Record]) -> Result<()> {
        let ws = uuid(self.workspace.uuid());
        let entity = schema.kind.singular();
        let docs: Vec<Vec<Value>> = records
            .iter()
            .map(|r| (r.id, search_content(schema, r)))
            .filter(|(_, content)| !content.is_empty())
            .map(|(id, content)| {
                vec![ws.clone(), Value::String(Some(entity.to_string())), uuid(id.uuid()), Value::String(Some(content))]
            })
            .collect();
        // SQLite's full-text index keeps no copy of the text: a view takes
        // the rows and hands the text to the index (migration v9).
        let table = match self.backend() {
            crate::Backend::Sqlite => "search_docs_input",
            crate::Backend::Postgres => "search_docs",
        };
        self.conn.defer_rows(table, &["workspace_id", "entity", "record_id", "content"], docs).await
    }

    /// Live records having this email or E.164 phone number.
    pub async fn lookup_contact_point(&mut self, kind: &str, value: &str) -> Result<Vec<ContactPointHit>> {
        let q = self.contact_points_query(kind, value);
        hits_of(self.conn.fetch_all(&q).await?)
    }

    pub(crate) fn contact_points_query(&self, kind: &str, value: &str) -> sea_query::SelectStatement {
        self.points_of(kind, value).columns(["entity", "record_id"]).limit(100).to_owned()
    }

    /// The contact points of this kind and value, selecting nothing yet.
    fn points_of(&self, kind: &str, value: &str) -> sea_query::SelectStatement {
        Query::select()
            .from("contact_points")
            .and_where(in_workspace(self.workspace))
            .and_where(Expr::col("kind").eq(kind))
            .and_where(Expr::col("value").eq(value.to_lowercase()))
            .to_owned()
    }

    /// The live, visible records of `schema`'s type having this contact
    /// point, in id order (read with the contact points themselves, before
    /// knowing what they find).
    pub(crate) fn with_contact_point_query(
        &self,
        schema: &Schema,
        kind: &str,
        value: &str,
    ) -> sea_query::SelectStatement {
        let points = self
            .points_of(kind, value)
            .column("record_id")
            .and_where(Expr::col("entity").eq(schema.kind.singular()))
            .to_owned();
        let mut q = self.live_records_where(schema, Expr::col("id").in_subquery(points));
        q.order_by("id", sea_query::Order::Asc).limit(100);
        q
    }
}

/// Contact point hits from their rows.
pub(crate) fn hits_of(rows: Vec<crate::db::Row>) -> Result<Vec<ContactPointHit>> {
    let mut hits = Vec::with_capacity(rows.len());
    for row in rows {
        let entity = row.text("entity")?.unwrap_or_default();
        let id = row.uuid("record_id")?;
        if let (Some(kind), Some(id)) = (EntityKind::from_singular(&entity), id) {
            hits.push(ContactPointHit { kind, id: RecordId::from_uuid(id) });
        }
    }
    Ok(hits)
}
