//! Reads: one record, lists with the filter language, history, lookups.

use crate::error::AppError;
use crate::{App, Ctx};
use relata_core::filter::{CompileContext, compile, parse};
use relata_core::list::{Cursor, parse_sort};
use relata_core::meta::EntityKind;
use relata_core::{Record, RecordId};
use relata_store::changes::Change;
use relata_store::records::{ListQuery, Page};

pub const DEFAULT_LIMIT: u64 = 50;
pub const MAX_LIMIT: u64 = 500;

/// A list request as text, as it arrives in a URL or from the CLI.
#[derive(Clone, Debug, Default)]
pub struct ListParams {
    pub filter: Option<String>,
    pub sort: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<u64>,
    pub q: Option<String>,
    pub deleted: bool,
}

pub async fn get(app: &App, ctx: &Ctx, kind: EntityKind, id: RecordId) -> Result<(Record, std::sync::Arc<crate::Schemas>), AppError> {
    let schemas = app.schemas(ctx.ws()).await?;
    let mut conn = app.store.read(ctx.ws()).await?;
    let record = conn.get_record(schemas.get(kind), id, false).await?.ok_or(AppError::NotFound)?;
    Ok((record, schemas))
}

pub async fn list(app: &App, ctx: &Ctx, kind: EntityKind, params: &ListParams) -> Result<(Page, std::sync::Arc<crate::Schemas>), AppError> {
    let schemas = app.schemas(ctx.ws()).await?;
    let schema = schemas.get(kind);
    let filter = match params.filter.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
        Some(text) => {
            let expr = parse(text)?;
            Some(compile(&expr, schema, &CompileContext { me: ctx.actor.map(|u| u.uuid()), parse: &ctx.parse })?)
        }
        None => None,
    };
    let sort = parse_sort(params.sort.as_deref(), schema).map_err(|m| AppError::BadParameter("sort", m))?;
    let cursor = params
        .cursor
        .as_deref()
        .filter(|c| !c.is_empty())
        .map(|c| Cursor::decode(c, &sort))
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
    let mut conn = app.store.read(ctx.ws()).await?;
    let page = conn
        .list_records(schema, &ListQuery { filter, sort, cursor, limit, q, deleted: params.deleted })
        .await?;
    Ok((page, schemas.clone()))
}

/// A record's change history (also for records in the trash).
pub async fn history(app: &App, ctx: &Ctx, kind: EntityKind, id: RecordId, after: i64, limit: u64) -> Result<Vec<Change>, AppError> {
    let schemas = app.schemas(ctx.ws()).await?;
    let mut conn = app.store.read(ctx.ws()).await?;
    conn.get_record(schemas.get(kind), id, true).await?.ok_or(AppError::NotFound)?;
    Ok(conn.history(kind, id, after, limit).await?)
}
