//! Generic record storage driven by the metadata registry: insert, update
//! with optimistic concurrency, get, soft delete and restore, and keyset-paged
//! lists with filters, sorting and full-text search.

use crate::db::{Backend, Row, ScopedConn};
use crate::error::{Result, StoreError};
use crate::sql::{self, in_workspace};
use relata_core::filter::Filter;
use relata_core::list::{Cursor, SEARCH_ORDER, Sort};
use relata_core::meta::{Column, EntityKind, FieldDef, FieldType, Schema};
use relata_core::value::{FieldValue, Values};
use relata_core::{Record, RecordId, UserId};
use sea_query::{Expr, ExprTrait, NullOrdering, Order, Query, SelectStatement, Value};
use serde_json::Value as Json;

/// What a list request asks for, already checked against the schema.
pub struct ListQuery<'a> {
    pub filter: Option<Filter<'a>>,
    pub sort: Sort<'a>,
    pub cursor: Option<Cursor>,
    pub limit: u64,
    /// Full-text search text.
    pub q: Option<String>,
    /// List the trash (soft-deleted records) instead of live records.
    pub deleted: bool,
    /// With `q`: order by the search index, most recently changed match first
    /// (ignoring `sort`); cursors are then [`SEARCH_ORDER`] cursors.
    pub search_order: bool,
}

pub struct Page {
    pub records: Vec<Record>,
    /// Present when more rows follow.
    pub next_cursor: Option<String>,
}

/// A question a write asks before it stores a record (see
/// [`ScopedConn::probe`]); at most 500 ids each.
pub enum Probe<'a> {
    /// Which of the ids are live records of the type that the writer may see.
    Records(EntityKind, &'a [String]),
    /// Which of the ids are active members of the workspace.
    Members(&'a [String]),
    /// Which live records of the type hold the value in the (unique) field.
    Holders(&'a Schema, &'a FieldDef, &'a FieldValue),
}

impl Probe<'_> {
    fn ids(&self) -> usize {
        match self {
            Probe::Records(_, ids) | Probe::Members(ids) => ids.len(),
            Probe::Holders(..) => 1,
        }
    }
}

/// A branch's number in a compound select, as its rows' `probe` column.
fn branch_tag(n: usize) -> Expr {
    Expr::cust(format!("CAST({n} AS BIGINT)"))
}

/// Which branch of a compound select a row came from.
fn branch_of(row: &Row) -> Result<Option<usize>> {
    Ok(row.int("probe")?.and_then(|n| usize::try_from(n).ok()))
}

/// Each tally's rows, from the rows of [`ScopedConn::tallies_query`]: its
/// `(currency, total, records)` (a count's one row has no currency and a
/// total of 0; a sum has a row per currency, none when nothing matches).
pub(crate) fn tallied_of(rows: Vec<Row>, asked: usize) -> Result<Vec<Vec<(String, i64, i64)>>> {
    let mut tallied = vec![Vec::new(); asked];
    for row in rows {
        if let Some(rows) = branch_of(&row)?.and_then(|n| tallied.get_mut(n)) {
            let currency = row.text("currency")?.unwrap_or_default();
            rows.push((currency, row.int("total")?.unwrap_or(0), row.int("n")?.unwrap_or(0)));
        }
    }
    Ok(tallied)
}

/// The newest episodes of each source, from the rows of
/// [`ScopedConn::newest_linked_query`]: `(source, id, time)`, the time of a
/// record without one being its creation's.
pub(crate) fn newest_of(rows: Vec<Row>) -> Result<Vec<(usize, String, chrono::DateTime<chrono::Utc>)>> {
    let mut found = Vec::new();
    for row in rows {
        let (Some(n), Some(id), Some(created)) = (branch_of(&row)?, row.id_text("id")?, row.datetime("created_at")?)
        else {
            continue;
        };
        found.push((n, id, row.datetime("at")?.unwrap_or(created)));
    }
    Ok(found)
}

/// Adds `branch` to a compound select (or starts it).
fn union_all(union: &mut Option<SelectStatement>, branch: SelectStatement) {
    match union.as_mut() {
        None => *union = Some(branch),
        Some(first) => {
            first.union(sea_query::UnionType::All, branch);
        }
    }
}

/// A value as a lock key: its debug form is deterministic and distinct per value.
fn value_key(value: &FieldValue) -> String {
    format!("{value:?}")
}

pub(crate) fn decode_record(row: &Row, schema: &Schema) -> Result<Record> {
    let kind = schema.kind;
    let mut values = Values::default();
    for field in schema.own_fields().iter().filter(|f| !f.system && !f.in_json()) {
        values.set(field, sql::decode_field(row, field)?);
    }
    if let Some(Json::Object(custom)) = row.json("custom")? {
        for (key, raw) in custom {
            // A custom object's own fields, then custom fields (kept even when
            // no longer defined, so that nothing is lost).
            if let Some(field) = schema.own_fields().iter().find(|f| f.column == Column::Data && f.id == key) {
                values.set(field, sql::custom_from_json(field, &raw));
                continue;
            }
            let value = match schema.custom_field(&key) {
                Some(field) => sql::custom_from_json(field, &raw),
                None => FieldValue::Json(raw),
            };
            values.custom.insert(key, value);
        }
    }
    let missing = |c: &str| StoreError::Corrupt(format!("{c} is null"));
    Ok(Record {
        kind,
        id: RecordId::from_uuid(row.uuid("id")?.ok_or_else(|| missing("id"))?),
        version: row.int("version")?.ok_or_else(|| missing("version"))?,
        created_at: row.datetime("created_at")?.ok_or_else(|| missing("created_at"))?,
        updated_at: row.datetime("updated_at")?.ok_or_else(|| missing("updated_at"))?,
        created_by: row.uuid("created_by_id")?.map(UserId::from_uuid),
        updated_by: row.uuid("updated_by_id")?.map(UserId::from_uuid),
        deleted_at: row.datetime("deleted_at")?,
        values,
        lines: None,
    })
}

/// Column/value pairs for every stored column of a record.
fn record_columns(schema: &Schema, r: &Record) -> Vec<(&'static str, Value)> {
    let user = |u: Option<UserId>| sql::uuid_opt(u.map(|u| u.uuid()));
    let mut cols: Vec<(&'static str, Value)> = vec![
        ("version", Value::BigInt(Some(r.version))),
        ("created_at", Value::ChronoDateTimeUtc(Some(r.created_at))),
        ("updated_at", Value::ChronoDateTimeUtc(Some(r.updated_at))),
        ("created_by_id", user(r.created_by)),
        ("updated_by_id", user(r.updated_by)),
        ("deleted_at", Value::ChronoDateTimeUtc(r.deleted_at)),
    ];
    for field in schema.own_fields().iter().filter(|f| !f.system) {
        cols.extend(sql::column_values(field, r.values.get(field)));
    }
    cols.push(("custom", Value::Json(Some(Box::new(sql::custom_object(schema, &r.values))))));
    cols
}

/// A sum of a money field over some records in one currency (records
/// without an amount under `""`), for one value of each grouping field.
#[derive(Clone, Debug, PartialEq)]
pub struct MoneyTotal {
    pub group: Vec<FieldValue>,
    pub currency: String,
    pub total: i64,
    pub records: i64,
}

/// What one part of a tally (`together::Reads`) adds up over the live,
/// visible records of a type that its filter selects.
pub enum Tally<'a> {
    /// How many there are.
    Count(EntityKind, &'a Filter<'a>),
    /// Their sum of a money field (stored in columns of its own), per
    /// currency, and how many in each.
    Money(EntityKind, &'a Filter<'a>, &'a FieldDef),
}

impl ScopedConn {
    /// Records of `kind` in this workspace (custom objects share a table).
    pub(crate) fn of_kind(&self, kind: EntityKind) -> sea_query::Condition {
        sql::of_kind(self.workspace, kind)
    }

    /// Inserts a new record of this workspace.
    pub async fn insert_record(&mut self, schema: &Schema, record: &Record) -> Result<()> {
        let cols = record_columns(schema, record);
        let mut names = vec!["id", "workspace_id"];
        let mut vals = vec![Expr::val(sql::uuid(record.id.uuid())), Expr::val(sql::uuid(self.workspace.uuid()))];
        if record.kind.is_custom() {
            names.push("object");
            vals.push(Expr::val(record.kind.api_name()));
        }
        for (name, v) in cols {
            names.push(name);
            vals.push(Expr::val(v));
        }
        let stmt = Query::insert().into_table(record.kind.table()).columns(names).values_panic(vals).to_owned();
        match self.conn.backend() {
            // On SQLite the insert goes with the transaction's next statement
            // (see `Conn::held`): once the write's checks passed it cannot
            // fail (no record table has a unique index, and the one writer
            // has seen every other write), and what could still fail it
            // fails the statement it goes with, and so the write.
            Backend::Sqlite => self.conn.defer(&stmt).await,
            // PostgreSQL sends held statements one by one anyway.
            Backend::Postgres => self.conn.execute(&stmt).await.map(drop),
        }
    }

    /// Inserts many new records in multi-row statements (import, demo data).
    pub async fn insert_records(&mut self, schema: &Schema, records: &[Record]) -> Result<()> {
        let Some(first) = records.first() else { return Ok(()) };
        let mut columns = vec!["id", "workspace_id"];
        let custom = first.kind.is_custom();
        if custom {
            columns.push("object");
        }
        columns.extend(record_columns(schema, first).iter().map(|(name, _)| *name));
        let ws = sql::uuid(self.workspace.uuid());
        let rows: Vec<Vec<Value>> = records
            .iter()
            .map(|record| {
                let mut row = Vec::with_capacity(columns.len());
                row.push(sql::uuid(record.id.uuid()));
                row.push(ws.clone());
                if custom {
                    row.push(Value::from(record.kind.api_name()));
                }
                row.extend(record_columns(schema, record).into_iter().map(|(_, v)| v));
                row
            })
            .collect();
        self.conn.insert_rows(schema.kind.table(), &columns, rows).await
    }

    /// Writes `record` over the stored row if the stored version is
    /// `expected_version`; the record's own version must already be bumped.
    pub async fn update_record(&mut self, schema: &Schema, record: &Record, expected_version: i64) -> Result<()> {
        let stmt = Query::update()
            .table(record.kind.table())
            .values(record_columns(schema, record).into_iter().map(|(n, v)| (n, Expr::val(v))))
            .cond_where(self.of_kind(record.kind))
            .and_where(Expr::col("id").eq(sql::uuid(record.id.uuid())))
            .and_where(Expr::col("version").eq(expected_version))
            .to_owned();
        if self.conn.execute(&stmt).await? == 1 {
            return Ok(());
        }
        match self.get_record(schema, record.id, true).await? {
            Some(current) => Err(StoreError::VersionConflict { current: current.version }),
            None => Err(StoreError::NotFound),
        }
    }

    /// One record of this workspace, live or (if asked) soft-deleted.
    pub async fn get_record(&mut self, schema: &Schema, id: RecordId, include_deleted: bool) -> Result<Option<Record>> {
        let q = self.record_select(schema, id, include_deleted);
        let Some(row) = self.conn.fetch_optional(&q).await? else { return Ok(None) };
        self.record_of(&row, schema).await.map(Some)
    }

    /// Records of several types by id, each as [`ScopedConn::get_record`]
    /// reads it (live and visible), in one round trip on SQLite.
    pub async fn get_records(&mut self, asked: &[(&Schema, RecordId)]) -> Result<Vec<Option<Record>>> {
        let selects: Vec<SelectStatement> =
            asked.iter().map(|(schema, id)| self.record_select(schema, *id, false)).collect();
        let found = self.conn.fetch_each(&selects).await?;
        let mut records = Vec::with_capacity(asked.len());
        for ((schema, _), rows) in asked.iter().zip(found) {
            records.push(match rows.first() {
                Some(row) => Some(self.record_of(row, schema).await?),
                None => None,
            });
        }
        Ok(records)
    }

    pub(crate) fn record_select(&self, schema: &Schema, id: RecordId, include_deleted: bool) -> SelectStatement {
        let mut q = Query::select();
        q.columns(sql::select_columns(schema))
            .from(schema.kind.table())
            .cond_where(self.of_kind(schema.kind))
            .and_where(Expr::col("id").eq(sql::uuid(id.uuid())));
        if let Some(visible) = self.visible(schema.kind) {
            q.and_where(visible);
        }
        if !include_deleted {
            q.and_where(Expr::col("deleted_at").is_null());
        }
        q
    }

    /// A record from its row; a document's lines come with it (the header
    /// was visible, so they are).
    pub(crate) async fn record_of(&mut self, row: &Row, schema: &Schema) -> Result<Record> {
        let mut record = decode_record(row, schema)?;
        if let Some(lines) = &schema.def().lines {
            record.lines = Some(self.document_lines(lines, record.id).await?);
        }
        Ok(record)
    }

    /// Whether a live record of `kind` with `id` exists in this workspace.
    pub async fn record_exists(&mut self, kind: EntityKind, id: uuid::Uuid) -> Result<bool> {
        let mut q = Query::select()
            .expr(Expr::val(1))
            .from(kind.table())
            .cond_where(self.of_kind(kind))
            .and_where(Expr::col("id").eq(sql::uuid(id)))
            .and_where(Expr::col("deleted_at").is_null())
            .to_owned();
        if let Some(visible) = self.visible(kind) {
            q.and_where(visible);
        }
        Ok(self.conn.fetch_optional(&q).await?.is_some())
    }

    /// Whether a record exists in this workspace although the connection's
    /// visibility hides it: the audit log tells refusals from typos.
    pub async fn exists_but_hidden(&mut self, kind: EntityKind, id: RecordId) -> Result<bool> {
        if self.visible(kind).is_none() {
            return Ok(false);
        }
        let q = Query::select()
            .expr(Expr::val(1))
            .from(kind.table())
            .cond_where(self.of_kind(kind))
            .and_where(Expr::col("id").eq(sql::uuid(id.uuid())))
            .to_owned();
        Ok(self.conn.fetch_optional(&q).await?.is_some())
    }

    /// Ids of live records of the schema's type whose `field` equals
    /// `value` (unique checks). Fields kept in the JSON column have no
    /// unique index: on PostgreSQL the check first takes a transaction lock
    /// on the value, so two writers of the same value cannot both pass it
    /// (SQLite has one writer).
    pub async fn find_ids_with(
        &mut self,
        schema: &Schema,
        field: &FieldDef,
        value: &FieldValue,
    ) -> Result<Vec<String>> {
        self.lock_unique_value(schema, field, value).await?;
        let q = self.holders_select(schema, field, value).limit(10).to_owned();
        self.conn.fetch_all(&q).await?.iter().map(|r| r.id_text("id").map(Option::unwrap_or_default)).collect()
    }

    /// On PostgreSQL, a value of a unique field kept in the JSON column
    /// (no index can refuse a second one) is locked until the transaction
    /// ends, so that two writers cannot both find it free.
    async fn lock_unique_value(&mut self, schema: &Schema, field: &FieldDef, value: &FieldValue) -> Result<()> {
        if field.in_json() && self.backend() == crate::Backend::Postgres {
            let key = format!("unique:{}:{}:{}:{}", self.workspace, schema.kind.api_name(), field.id, value_key(value));
            let lock = Query::select()
                .expr(Expr::cust_with_values("(SELECT 1 FROM pg_advisory_xact_lock(hashtextextended($1, 0)))", [key]))
                .to_owned();
            self.conn.fetch_optional(&lock).await?;
        }
        Ok(())
    }

    /// The live records of the type holding `value` in `field`.
    fn holders_select(&self, schema: &Schema, field: &FieldDef, value: &FieldValue) -> SelectStatement {
        let kind = schema.kind;
        Query::select()
            .column("id")
            .from(kind.table())
            .cond_where(self.of_kind(kind))
            .and_where(sql::field_expr(self.backend(), field).eq(sql::compare_value(field, value)))
            .and_where(Expr::col("deleted_at").is_null())
            .to_owned()
    }

    /// The answers to several [`Probe`]s, a set of ids each, asked in as
    /// few statements as fit (a write's relation targets and unique values
    /// in one round trip: inside a write transaction each costs the
    /// writer's time).
    pub async fn probe(&mut self, probes: &[Probe<'_>]) -> Result<Vec<std::collections::HashSet<String>>> {
        // Statements stay well within both backends' limits on bound values
        // and on SQLite's on compound selects.
        const BRANCHES: usize = 50;
        const IDS: usize = 2000;
        for probe in probes {
            if let Probe::Holders(schema, field, value) = probe {
                self.lock_unique_value(schema, field, value).await?;
            }
        }
        let mut found = vec![std::collections::HashSet::new(); probes.len()];
        let mut at = 0;
        while at < probes.len() {
            let (mut branches, mut ids) = (0, 0);
            let mut union: Option<SelectStatement> = None;
            while at + branches < probes.len() && branches < BRANCHES {
                let probe = &probes[at + branches];
                let size = probe.ids();
                if branches > 0 && ids + size > IDS {
                    break;
                }
                let branch = self.probe_select(probe, branch_tag(at + branches));
                union_all(&mut union, branch);
                branches += 1;
                ids += size;
            }
            let Some(union) = union else { break };
            for row in self.conn.fetch_all(&union).await? {
                let (Some(n), Some(id)) = (branch_of(&row)?, row.id_text("id")?) else { continue };
                if let Some(set) = found.get_mut(n) {
                    set.insert(id);
                }
            }
            at += branches;
        }
        Ok(found)
    }

    /// One probe's select: its tag as `probe`, the ids it finds as `id`.
    fn probe_select(&self, probe: &Probe<'_>, tag: Expr) -> SelectStatement {
        match probe {
            Probe::Records(kind, ids) => {
                let mut q = Query::select()
                    .expr_as(tag, "probe")
                    .column("id")
                    .from(kind.table())
                    .cond_where(self.of_kind(*kind))
                    .and_where(Expr::col("id").is_in(ids.iter().map(|i| sql::id_text(i))))
                    .and_where(Expr::col("deleted_at").is_null())
                    .to_owned();
                if let Some(visible) = self.visible(*kind) {
                    q.and_where(visible);
                }
                q
            }
            Probe::Members(ids) => Query::select()
                .expr_as(tag, "probe")
                .expr_as(Expr::col("user_id"), "id")
                .from("memberships")
                .and_where(in_workspace(self.workspace))
                .and_where(Expr::col("user_id").is_in(ids.iter().map(|i| sql::id_text(i))))
                .and_where(Expr::col("deactivated_at").is_null())
                .to_owned(),
            Probe::Holders(schema, field, value) => {
                let mut q = self.holders_select(schema, field, value);
                q.clear_selects();
                q.expr_as(tag, "probe").column("id");
                q
            }
        }
    }

    /// Sums of a money field per currency over the records a filter selects
    /// (live, visible ones): `(currency, sum of minor units, records)`, with
    /// records without an amount under the currency `""`. One aggregate
    /// query; nothing is loaded.
    pub async fn money_totals(
        &mut self,
        schema: &Schema,
        filter: Option<&Filter<'_>>,
        field: &relata_core::meta::FieldDef,
    ) -> Result<Vec<(String, i64, i64)>> {
        let totals = self.money_totals_by(schema, filter, field, &[]).await?;
        Ok(totals.into_iter().map(|t| (t.currency, t.total, t.records)).collect())
    }

    /// The same per value of the `group` fields (each with a column of its
    /// own: an owner, a stage), in one aggregate query.
    pub async fn money_totals_by(
        &mut self,
        schema: &Schema,
        filter: Option<&Filter<'_>>,
        field: &relata_core::meta::FieldDef,
        group: &[&FieldDef],
    ) -> Result<Vec<MoneyTotal>> {
        let mut q = self.money_sums(schema.kind, filter, field)?;
        for field in group {
            let Column::Named(column) = field.column else {
                return Err(StoreError::Corrupt(format!("{} has no column of its own to group by", field.id)));
            };
            q.column(column).group_by_col(column);
        }
        let rows = self.conn.fetch_all(&q).await?;
        rows.iter()
            .map(|r| {
                Ok(MoneyTotal {
                    group: group.iter().map(|f| sql::decode_field(r, f)).collect::<Result<_>>()?,
                    currency: r.text("currency")?.unwrap_or_default(),
                    total: r.int("total")?.unwrap_or(0),
                    records: r.int("n")?.unwrap_or(0),
                })
            })
            .collect()
    }

    /// How many live, visible records a filter selects, per value of
    /// `group` (a field with its own column), as `(value, records)`; without
    /// `group`, one row under `Null`. One aggregate query; nothing is loaded.
    pub async fn count_by(
        &mut self,
        schema: &Schema,
        filter: Option<&Filter<'_>>,
        group: Option<&FieldDef>,
    ) -> Result<Vec<(FieldValue, i64)>> {
        let mut q = self.aggregate(schema.kind, filter);
        q.expr_as(Expr::cust("COUNT(*)"), "n");
        if let Some(field) = group {
            let Column::Named(column) = field.column else {
                return Err(StoreError::Corrupt(format!("{} has no column of its own to group by", field.id)));
            };
            q.column(column).group_by_col(column);
        }
        let rows = self.conn.fetch_all(&q).await?;
        rows.iter()
            .map(|r| {
                let value = match group {
                    Some(field) => sql::decode_field(r, field)?,
                    None => FieldValue::Null,
                };
                Ok((value, r.int("n")?.unwrap_or(0)))
            })
            .collect()
    }

    /// Several tallies of live, visible records in one statement (none for
    /// none asked; see [`crate::together::Answers::tallies`] for what each
    /// answers).
    pub(crate) fn tallies_query(&self, asked: &[Tally<'_>]) -> Result<Option<SelectStatement>> {
        let mut union: Option<SelectStatement> = None;
        for (n, tally) in asked.iter().enumerate() {
            // Every branch's columns in the same order: a compound select
            // matches them by position.
            let mut branch = match tally {
                Tally::Count(kind, filter) => {
                    let mut branch = self.aggregate(*kind, Some(filter));
                    branch
                        .expr_as(Expr::cust("CAST(NULL AS TEXT)"), "currency")
                        .expr_as(Expr::cust("CAST(0 AS BIGINT)"), "total")
                        .expr_as(Expr::cust("COUNT(*)"), "n");
                    branch
                }
                Tally::Money(kind, filter, field) => self.money_sums(*kind, Some(filter), field)?,
            };
            branch.expr_as(branch_tag(n), "probe");
            union_all(&mut union, branch);
        }
        Ok(union)
    }

    /// The sum of a money field per currency (`currency`, `total`) and how
    /// many records in each (`n`), over the live, visible records of `kind`
    /// that `filter` selects.
    fn money_sums(&self, kind: EntityKind, filter: Option<&Filter<'_>>, field: &FieldDef) -> Result<SelectStatement> {
        let relata_core::meta::Column::Money { amount, currency } = &field.column else {
            return Err(StoreError::Corrupt(format!("{} is not a stored money field", field.id)));
        };
        let mut q = self.aggregate(kind, filter);
        q.expr_as(Expr::col(*currency), "currency")
            // A bigint on both backends (PostgreSQL's SUM of bigint is numeric);
            // the column name comes from the registry, not from input.
            .expr_as(Expr::cust(format!("CAST(SUM(\"{amount}\") AS BIGINT)")), "total")
            // COUNT(*), not COUNT(id): the id is not in the covering index.
            .expr_as(Expr::cust("COUNT(*)"), "n")
            .group_by_col(*currency);
        Ok(q)
    }

    /// A query over the live, visible records of `kind` that `filter`
    /// selects, to which an aggregate adds what it counts or sums (or a
    /// read its columns).
    pub(crate) fn aggregate(&self, kind: EntityKind, filter: Option<&Filter<'_>>) -> SelectStatement {
        let mut q = Query::select();
        q.from(kind.table()).cond_where(self.of_kind(kind)).and_where(Expr::col("deleted_at").is_null());
        if let Some(visible) = self.visible(kind) {
            q.and_where(visible);
        }
        if let Some(filter) = filter {
            q.cond_where(sql::condition(self.backend(), self.workspace, kind, filter, &|k| self.visible(k)));
        }
        q
    }

    /// The records of the workspace the query's filter and trash flag select.
    fn filtered_select(&self, schema: &Schema, query: &ListQuery<'_>) -> SelectStatement {
        let kind = schema.kind;
        let mut q = Query::select();
        q.columns(sql::select_columns(schema)).from(kind.table()).cond_where(self.of_kind(kind));
        if let Some(visible) = self.visible(kind) {
            q.and_where(visible);
        }
        q.and_where(if query.deleted {
            Expr::col("deleted_at").is_not_null()
        } else {
            Expr::col("deleted_at").is_null()
        });
        if let Some(filter) = &query.filter {
            q.cond_where(sql::condition(self.backend(), self.workspace, kind, filter, &|k| self.visible(k)));
        }
        q
    }

    /// A page of records.
    pub async fn list_records(&mut self, schema: &Schema, query: &ListQuery<'_>) -> Result<Page> {
        let backend = self.backend();
        let terms = query.q.as_deref().map(sql::search_terms).unwrap_or_default();
        if query.search_order && !terms.is_empty() {
            return self.list_by_search(schema, query, &terms).await;
        }
        let kind = schema.kind;
        let mut q = self.filtered_select(schema, query);
        if let Some(text) = &query.q {
            let terms = sql::search_terms(text);
            if !terms.is_empty() {
                q.and_where(sql::full_text_match(backend, self.workspace, kind, &terms));
            }
        }
        if let Some(cursor) = &query.cursor {
            let value = sql::cursor_sql_value(query.sort.field, &cursor.v)
                .map_err(|m| relata_core::ValidationError::single("cursor", "invalid_cursor", m))?;
            q.cond_where(sql::after_cursor(backend, &query.sort, value, &cursor.id));
        }
        let (order, nulls) =
            if query.sort.descending { (Order::Desc, NullOrdering::Last) } else { (Order::Asc, NullOrdering::First) };
        if query.sort.field.id != "id" || query.sort.field.is_custom() {
            q.order_by_expr_with_nulls(sql::field_expr(backend, query.sort.field), order.clone(), nulls);
        }
        q.order_by_expr(Expr::col("id"), order);
        q.limit(query.limit + 1);
        let rows = self.conn.fetch_all(&q).await?;
        let mut records = rows.iter().map(|r| decode_record(r, schema)).collect::<Result<Vec<_>>>()?;
        let recheck = !terms.is_empty() && crate::search::hides_searchable(schema);
        let next_cursor = if records.len() as u64 > query.limit {
            records.truncate(query.limit as usize);
            records.last().map(|last| {
                let field = query.sort.field;
                let v = if field.system { last.field_value(&field.id) } else { last.values.get(field).clone() };
                Cursor { s: query.sort.spec(), v: sql::cursor_value(&v), id: last.id.to_string() }.encode()
            })
        } else {
            None
        };
        if recheck {
            records.retain(|r| crate::search::matches_visibly(schema, r, &terms));
        }
        Ok(Page { records, next_cursor })
    }

    /// A page of search results, most recently changed match first: matches
    /// stream from the search index newest first, in chunks, and each chunk is
    /// narrowed by the filter, until a page is full. A page costs about as
    /// many index entries as it skips, however common the words are.
    async fn list_by_search(&mut self, schema: &Schema, query: &ListQuery<'_>, terms: &[String]) -> Result<Page> {
        let bad_cursor =
            || relata_core::ValidationError::single("cursor", "invalid_cursor", "cursor does not fit this list");
        let mut before: Option<i64> = match &query.cursor {
            Some(c) => Some(c.v.as_i64().ok_or_else(bad_cursor)?),
            None => None,
        };
        let chunk = (query.limit * 2).clamp(50, 1000);
        let mut found: Vec<(i64, Record)> = Vec::new();
        'chunks: loop {
            let candidates = sql::search_candidates(self.backend(), self.workspace, schema.kind, terms, before, chunk);
            let rows = self.conn.fetch_all(&candidates).await?;
            let mut hits: Vec<(i64, String)> = Vec::with_capacity(rows.len());
            for row in &rows {
                let doc = row.int("doc")?.ok_or_else(|| StoreError::Corrupt("search doc without id".into()))?;
                hits.push((doc, row.id_text("record_id")?.unwrap_or_default()));
            }
            let Some(&(last_doc, _)) = hits.last() else { break };
            before = Some(last_doc);
            let mut q = self.filtered_select(schema, query);
            q.and_where(Expr::col("id").is_in(hits.iter().map(|(_, id)| sql::id_text(id))));
            let mut records: std::collections::HashMap<String, Record> = std::collections::HashMap::new();
            for row in self.conn.fetch_all(&q).await? {
                let record = decode_record(&row, schema)?;
                records.insert(record.id.to_string(), record);
            }
            let recheck = crate::search::hides_searchable(schema);
            for (doc, id) in &hits {
                if let Some(record) =
                    records.remove(id).filter(|r| !recheck || crate::search::matches_visibly(schema, r, terms))
                {
                    found.push((*doc, record));
                    if found.len() as u64 > query.limit {
                        break 'chunks;
                    }
                }
            }
            if (hits.len() as u64) < chunk {
                break;
            }
        }
        let next_cursor = if found.len() as u64 > query.limit {
            found.truncate(query.limit as usize);
            found.last().map(|(doc, last)| {
                Cursor { s: SEARCH_ORDER.to_string(), v: Json::from(*doc), id: last.id.to_string() }.encode()
            })
        } else {
            None
        };
        Ok(Page { records: found.into_iter().map(|(_, r)| r).collect(), next_cursor })
    }

    /// Live records of the schema's type whose relation field `link` points
    /// at `target`, newest first by the date-time field `at`, strictly before
    /// `before` (time, id).
    pub async fn records_linked_before(
        &mut self,
        schema: &Schema,
        link: &FieldDef,
        target: RecordId,
        at: &FieldDef,
        before: Option<(chrono::DateTime<chrono::Utc>, String)>,
        limit: u64,
    ) -> Result<Vec<Record>> {
        let mut q = self.linked_before_select(schema, link, target, at, before, limit);
        q.columns(sql::select_columns(schema));
        self.conn.fetch_all(&q).await?.iter().map(|r| decode_record(r, schema)).collect()
    }

    /// Of several sources of [`records_linked_before`] whose times are
    /// columns of their own, each one's newest `limit` in one statement (a
    /// statement each would cost more than the rows), rows of `(probe: the
    /// source, id, at, created_at)`; none for no source. See [`newest_of`].
    ///
    /// [`records_linked_before`]: ScopedConn::records_linked_before
    pub(crate) fn newest_linked_query(
        &self,
        sources: &[(&Schema, &FieldDef, &FieldDef)],
        target: RecordId,
        before: Option<(chrono::DateTime<chrono::Utc>, String)>,
        limit: u64,
    ) -> Option<SelectStatement> {
        let backend = self.backend();
        let mut union: Option<SelectStatement> = None;
        for (n, (schema, link, at)) in sources.iter().enumerate() {
            let mut newest = self.linked_before_select(schema, link, target, at, before.clone(), limit);
            newest.column("id").expr_as(sql::field_expr(backend, at), "at").column("created_at");
            // Each source's own order and limit, inside a subquery: a
            // compound select orders only as a whole.
            let branch = Query::select()
                .expr_as(branch_tag(n), "probe")
                .columns(["id", "at", "created_at"])
                .from_subquery(newest, sea_query::Alias::new(format!("source{n}")))
                .to_owned();
            union_all(&mut union, branch);
        }
        union
    }

    /// The live, visible records of the type linked to `target`, newest by
    /// `at` first, before `before`, at most `limit`; without columns.
    pub(crate) fn linked_before_select(
        &self,
        schema: &Schema,
        link: &FieldDef,
        target: RecordId,
        at: &FieldDef,
        before: Option<(chrono::DateTime<chrono::Utc>, String)>,
        limit: u64,
    ) -> SelectStatement {
        let backend = self.backend();
        let mut q = Query::select();
        q.from(schema.kind.table())
            .cond_where(self.of_kind(schema.kind))
            .and_where(sql::field_expr(backend, link).eq(sql::compare_value(link, &FieldValue::Ref(target.uuid()))))
            .and_where(Expr::col("deleted_at").is_null());
        if let Some(visible) = self.visible(schema.kind) {
            q.and_where(visible);
        }
        let time = sql::field_expr(backend, at);
        if let Some((when, id)) = before {
            let when = sql::compare_value(at, &FieldValue::DateTime(when));
            q.cond_where(sea_query::Condition::any().add(time.clone().lt(when.clone())).add(
                sea_query::Condition::all().add(time.clone().eq(when)).add(Expr::col("id").lt(sql::id_text(&id))),
            ));
        }
        q.order_by_expr(time, Order::Desc).order_by("id", Order::Desc).limit(limit);
        q
    }

    /// Records of `kind` with one of `ids` (live only).
    pub async fn records_by_ids(&mut self, schema: &Schema, ids: &[String]) -> Result<Vec<Record>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let q = self.records_by_ids_query(schema, ids);
        self.conn.fetch_all(&q).await?.iter().map(|r| decode_record(r, schema)).collect()
    }

    /// The statement of [`ScopedConn::records_by_ids`].
    pub(crate) fn records_by_ids_query(&self, schema: &Schema, ids: &[String]) -> SelectStatement {
        self.live_records_where(schema, Expr::col("id").is_in(ids.iter().map(|i| sql::id_text(i))))
    }

    /// The live, visible records of `schema`'s type whose id `ids` selects.
    pub(crate) fn live_records_where(&self, schema: &Schema, ids: sea_query::SimpleExpr) -> SelectStatement {
        let mut q = Query::select()
            .columns(sql::select_columns(schema))
            .from(schema.kind.table())
            .cond_where(self.of_kind(schema.kind))
            .and_where(ids)
            .and_where(Expr::col("deleted_at").is_null())
            .to_owned();
        if let Some(visible) = self.visible(schema.kind) {
            q.and_where(visible);
        }
        q
    }

    /// Counts live records of `kind` in this workspace.
    pub async fn count_records(&mut self, kind: EntityKind) -> Result<i64> {
        let mut q = Query::select()
            .expr_as(Expr::col("id").count(), "n")
            .from(kind.table())
            .cond_where(self.of_kind(kind))
            .and_where(Expr::col("deleted_at").is_null())
            .to_owned();
        if let Some(visible) = self.visible(kind) {
            q.and_where(visible);
        }
        let row = self.conn.fetch_optional(&q).await?;
        Ok(row.map(|r| r.int("n")).transpose()?.flatten().unwrap_or(0))
    }
}

/// Whether a field's values are kept in `contact_points` for lookup.
pub(crate) fn is_contact_point(ty: &FieldType) -> bool {
    sql::contact_point_kind(ty).is_some()
}
