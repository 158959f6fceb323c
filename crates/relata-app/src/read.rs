//! Reads: one record, lists with the filter language, history, lookups.

use crate::error::AppError;
use crate::{App, Ctx};
use relata_core::access::Right;
use relata_core::email::Email;
use relata_core::filter::{CompileContext, Expr, Filter, compile, parse};
use relata_core::list::{Cursor, SEARCH_ORDER, parse_sort};
use relata_core::meta::EntityKind;
use relata_core::phone::PhoneE164;
use relata_core::{Record, RecordId, ValidationError};
use relata_store::changes::Change;
use relata_store::records::{ListQuery, Page};

pub const DEFAULT_LIMIT: u64 = 50;
pub const MAX_LIMIT: u64 = 500;

/// A list request as text, as it arrives in a URL or from the CLI, plus
/// conditions built in code.
#[derive(Clone, Debug, Default)]
pub struct ListParams {
    pub filter: Option<String>,
    /// Conditions built in code ([`relata_core::filter::Expr::eq`] …), all of
    /// which must hold too.
    pub conditions: Vec<Expr>,
    pub sort: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<u64>,
    pub q: Option<String>,
    pub deleted: bool,
}

/// Every live record of `schema`'s type that `filter` selects, read page
/// by page in `conn` (a module's hook sees its transaction's writes).
pub async fn every_in(
    conn: &mut relata_store::ScopedConn,
    schema: &relata_core::meta::Schema,
    filter: Filter<'_>,
) -> Result<Vec<Record>, relata_store::StoreError> {
    let sort = parse_sort(Some("id"), schema).map_err(relata_store::StoreError::Corrupt)?;
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let query = ListQuery {
            filter: Some(filter.clone()),
            sort: sort.clone(),
            cursor,
            limit: 500,
            q: None,
            deleted: false,
            search_order: false,
        };
        let page = conn.list_records(schema, &query).await?;
        out.extend(page.records);
        match page.next_cursor {
            Some(next) => cursor = Some(Cursor::decode(&next, &sort).map_err(relata_store::StoreError::Corrupt)?),
            None => return Ok(out),
        }
    }
}

/// A file kept with a record (by its position among the record's
/// attachments), to whoever may read the record.
pub async fn file(
    app: &App,
    ctx: &Ctx,
    kind: EntityKind,
    id: RecordId,
    position: i64,
) -> Result<relata_store::files::StoredFile, AppError> {
    let (record, _) = get(app, ctx, kind, id, false).await?;
    let mut conn = app.reader(ctx).await?;
    conn.file(kind.singular(), record.id.uuid(), position).await?.ok_or(AppError::NotFound)
}

/// One record; soft-deleted records only when `include_deleted`.
pub async fn get(
    app: &App,
    ctx: &Ctx,
    kind: EntityKind,
    id: RecordId,
    include_deleted: bool,
) -> Result<(Record, std::sync::Arc<crate::Schemas>), AppError> {
    ctx.access.check_kind(kind, Right::Read)?;
    let schemas = app.schemas_for(ctx).await?;
    let mut conn = app.reader(ctx).await?;
    match conn.get_record(schemas.get(kind), id, include_deleted).await? {
        Some(record) => Ok((record, schemas)),
        None => Err(crate::write::missing_or_hidden(&mut conn, kind, id).await),
    }
}

/// [`get`] of a live record, sent with other reads on `conn` (a reader of
/// `ctx`'s): the type's read right is checked now; [`GetAsked::answer`]
/// gives the record, or the refusal `get` gives (and records).
pub fn ask_get<'s>(
    ctx: &Ctx,
    conn: &relata_store::ScopedConn,
    reads: &mut relata_store::together::Reads,
    schemas: &'s crate::Schemas,
    (kind, id): (EntityKind, RecordId),
) -> Result<GetAsked<'s>, AppError> {
    ctx.access.check_kind(kind, Right::Read)?;
    Ok(GetAsked { read: conn.read_record(reads, schemas.get(kind), id), kind, id })
}

/// A record asked with [`ask_get`].
pub struct GetAsked<'s> {
    read: relata_store::together::RecordsRead<'s>,
    kind: EntityKind,
    id: RecordId,
}

impl GetAsked<'_> {
    pub async fn answer(
        self,
        answers: &mut relata_store::together::Answers,
        conn: &mut relata_store::ScopedConn,
    ) -> Result<Record, AppError> {
        match answers.records(self.read, conn).await?.into_iter().next() {
            Some(record) => Ok(record),
            None => Err(crate::write::missing_or_hidden(conn, self.kind, self.id).await),
        }
    }
}

pub async fn list(
    app: &App,
    ctx: &Ctx,
    kind: EntityKind,
    params: &ListParams,
) -> Result<(Page, std::sync::Arc<crate::Schemas>), AppError> {
    ctx.access.check_kind(kind, Right::Read)?;
    let schemas = app.schemas_for(ctx).await?;
    let schema = schemas.get(kind);
    let filter = compile_filter(ctx, schema, params.filter.as_deref(), &params.conditions)?;
    let sort = parse_sort(params.sort.as_deref(), schema).map_err(|m| AppError::BadParameter("sort", m))?;
    // A search without an explicit sort lists the most recently changed
    // matches first, straight from the search index.
    let search_order = params.q.as_deref().is_some_and(|q| !q.trim().is_empty())
        && params.sort.as_deref().is_none_or(|s| s.trim().is_empty());
    let cursor = params
        .cursor
        .as_deref()
        .filter(|c| !c.is_empty())
        .map(|c| if search_order { Cursor::decode_for(c, SEARCH_ORDER) } else { Cursor::decode(c, &sort) })
        .transpose()
        .map_err(|m| AppError::BadParameter("cursor", m))?;
    let limit = params.limit.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(AppError::BadParameter("limit", format!("must be between 1 and {MAX_LIMIT}")));
    }
    let q = params.q.clone().filter(|q| !q.trim().is_empty());
    if q.as_ref().is_some_and(|q| q.len() > 200) {
        return Err(AppError::BadParameter("q", "at most 200 characters".into()));
    }
    let mut conn = app.reader(ctx).await?;
    let page = conn
        .list_records(schema, &ListQuery { filter, sort, cursor, limit, q, deleted: params.deleted, search_order })
        .await?;
    Ok((page, schemas.clone()))
}

/// Checks a filter's text as `ctx`'s user would list with it (the fields
/// they see, the relations they may follow), without running it.
pub async fn check_filter(app: &App, ctx: &Ctx, kind: EntityKind, text: &str) -> Result<(), AppError> {
    ctx.access.check_kind(kind, Right::Read)?;
    let schemas = app.schemas_for(ctx).await?;
    compile_filter(ctx, schemas.get(kind), Some(text), &[]).map(drop)
}

/// A filter's text (as people type it) and conditions built in code,
/// compiled against what the user may see; `None` when there is neither.
pub(crate) fn compile_filter<'s>(
    ctx: &Ctx,
    schema: &'s relata_core::meta::Schema,
    text: Option<&str>,
    conditions: &[Expr],
) -> Result<Option<Filter<'s>>, AppError> {
    let related = |kind, field: &relata_core::meta::FieldDef| ctx.access.may_filter_related(kind, field);
    let cx = CompileContext { me: ctx.actor.map(|u| u.uuid()), parse: &ctx.parse, related: Some(&related) };
    let mut parts = Vec::new();
    // Not trimmed: error columns must count from the text as the client wrote it.
    if let Some(text) = text.filter(|f| !f.trim().is_empty()) {
        parts.push(compile(&parse(text)?, schema, &cx)?);
    }
    for condition in conditions {
        parts.push(compile(condition, schema, &cx)?);
    }
    Ok(match parts.len() {
        0 => None,
        1 => parts.pop(),
        _ => Some(Filter::And(parts)),
    })
}

/// Sums of a money field per currency over the records a filter selects
/// (those the user may read): `(currency, sum of minor units, records)`;
/// records without an amount count under the currency `""`.
pub async fn money_totals(
    app: &App,
    ctx: &Ctx,
    kind: EntityKind,
    filter: Option<&str>,
    conditions: &[Expr],
    field: &str,
) -> Result<Vec<(String, i64, i64)>, AppError> {
    let totals = money_totals_by(app, ctx, kind, filter, conditions, field, &[]).await?;
    Ok(totals.into_iter().map(|t| (t.currency, t.total, t.records)).collect())
}

/// The same per value of the `group` fields (an owner, a stage): fields the
/// user may see, each with a column of its own.
pub async fn money_totals_by(
    app: &App,
    ctx: &Ctx,
    kind: EntityKind,
    filter: Option<&str>,
    conditions: &[Expr],
    field: &str,
    group: &[&str],
) -> Result<Vec<relata_store::records::MoneyTotal>, AppError> {
    ctx.access.check_kind(kind, Right::Read)?;
    let schemas = app.schemas_for(ctx).await?;
    let schema = schemas.get(kind);
    let field = visible_field(schema, field)?;
    let group = group.iter().map(|g| visible_field(schema, g)).collect::<Result<Vec<_>, _>>()?;
    let compiled = compile_filter(ctx, schema, filter, conditions)?;
    let mut conn = app.reader(ctx).await?;
    Ok(conn.money_totals_by(schema, compiled.as_ref(), field, &group).await?)
}

/// How many records a filter selects (those the user may read), per
/// value of `group` (a field the user may see with a column of its own).
pub async fn count_by(
    app: &App,
    ctx: &Ctx,
    kind: EntityKind,
    filter: Option<&str>,
    conditions: &[Expr],
    group: Option<&str>,
) -> Result<Vec<(relata_core::value::FieldValue, i64)>, AppError> {
    ctx.access.check_kind(kind, Right::Read)?;
    let schemas = app.schemas_for(ctx).await?;
    let schema = schemas.get(kind);
    let group = group.map(|g| visible_field(schema, g)).transpose()?;
    let compiled = compile_filter(ctx, schema, filter, conditions)?;
    let mut conn = app.reader(ctx).await?;
    Ok(conn.count_by(schema, compiled.as_ref(), group).await?)
}

fn visible_field<'s>(
    schema: &'s relata_core::meta::Schema,
    name: &str,
) -> Result<&'s relata_core::meta::FieldDef, AppError> {
    schema.field(name).ok_or_else(|| {
        AppError::BadParameter("field", format!("{} has no visible field {name:?}", schema.kind.api_name()))
    })
}

/// A record's change history (also for records in the trash).
pub async fn history(
    app: &App,
    ctx: &Ctx,
    kind: EntityKind,
    id: RecordId,
    after: i64,
    limit: u64,
) -> Result<Vec<Change>, AppError> {
    ctx.access.check_kind(kind, Right::Read)?;
    let schemas = app.schemas_for(ctx).await?;
    let schema = schemas.get(kind);
    let mut conn = app.reader(ctx).await?;
    if conn.get_record(schema, id, true).await?.is_none() {
        return Err(crate::write::missing_or_hidden(&mut conn, kind, id).await);
    }
    let mut changes = conn.history(kind, id, after, limit).await?;
    // Hidden fields leave no trace in the history either.
    let hidden: Vec<String> =
        schema.fields().filter(|f| schema.is_hidden(f)).map(|f| f.qualified_id().into_owned()).collect();
    if !hidden.is_empty() {
        for change in &mut changes {
            if let Some(fields) = change.diff.as_object_mut() {
                fields.retain(|k, _| !hidden.contains(k));
            }
        }
    }
    Ok(changes)
}

/// Live records that have this phone number or email address, for caller
/// identification ("who is calling from +48 58 123 45 67?"). The input is
/// normalised like any other input, so it may be typed in any usual form.
pub async fn lookup(
    app: &App,
    ctx: &Ctx,
    point: ContactPoint<'_>,
) -> Result<(Vec<Record>, std::sync::Arc<crate::Schemas>), AppError> {
    let (kind, value) = match point {
        ContactPoint::Phone(raw) => (
            "phone",
            PhoneE164::parse(raw, ctx.parse.phone_region)
                .map_err(|e| ValidationError::single("phone", "invalid_phone", e.to_string()))?
                .as_str()
                .to_string(),
        ),
        ContactPoint::Email(raw) => (
            "email",
            Email::parse(raw)
                .map_err(|e| ValidationError::single("email", "invalid_email", format!("{raw:?} {e}")))?
                .as_str()
                .to_string(),
        ),
    };
    let schemas = app.schemas_for(ctx).await?;
    let mut conn = app.reader(ctx).await?;
    let hits = conn.lookup_contact_point(kind, &value).await?;
    let mut records = Vec::with_capacity(hits.len());
    for hit in hits {
        let schema = schemas.get(hit.kind);
        // A record matched through a field its viewer may not see stays unseen.
        let matched_visibly = schema.visible_fields().any(|f| relata_store::search::is_contact_point_of(&f.ty, kind));
        if ctx.access.check_kind(hit.kind, Right::Read).is_err() || !matched_visibly {
            continue;
        }
        if let Some(record) = conn.get_record(schema, hit.id, false).await? {
            records.push(record);
        }
    }
    Ok((records, schemas))
}

/// What [`lookup`] searches by.
#[derive(Clone, Copy, Debug)]
pub enum ContactPoint<'a> {
    Phone(&'a str),
    Email(&'a str),
}
