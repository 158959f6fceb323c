//! Saved list views: a named list query (filter, search, sort, columns) of
//! one entity type, private to its owner or shared with the owner's teams.
//! A view is checked by running its query once before it is saved.

use crate::error::AppError;
use crate::read::ListParams;
use crate::{App, Ctx};
use relata_core::meta::EntityKind;
use relata_core::{FieldError, ValidationError};
use relata_store::identity::SavedView;

/// The list parameters a view's query string holds.
pub fn params_of(query: &str) -> ListParams {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).filter(|v| !v.trim().is_empty());
    ListParams { filter: get("filter"), sort: get("sort"), q: get("q"), ..Default::default() }
}

/// The views of `kind` the acting user sees (theirs and their teams' shared ones).
pub async fn views(app: &App, ctx: &Ctx, kind: EntityKind) -> Result<Vec<SavedView>, AppError> {
    let Some(me) = ctx.actor else { return Ok(Vec::new()) };
    let colleagues: Vec<_> = ctx.access.teams.colleagues.iter().copied().collect();
    let mut conn = app.store.read(ctx.ws()).await?;
    Ok(conn.saved_views(kind.api_name(), me, &colleagues).await?)
}

/// Saves a view after checking that its query works.
pub async fn save(
    app: &App,
    ctx: &Ctx,
    kind: EntityKind,
    name: &str,
    query: &str,
    shared: bool,
) -> Result<SavedView, AppError> {
    let owner = ctx.actor.ok_or_else(|| AppError::Forbidden("only people save views".into()))?;
    let name = name.trim();
    let mut errors = Vec::new();
    if name.is_empty() || name.chars().count() > 100 {
        errors.push(FieldError::new("name", "invalid", "1 to 100 characters"));
    }
    if query.len() > 4000 {
        errors.push(FieldError::new("query", "too_long", "at most 4000 characters"));
    }
    ValidationError::check(errors)?;
    let probe = ListParams { limit: Some(1), ..params_of(query) };
    crate::read::list(app, ctx, kind, &probe).await?;
    let view = SavedView {
        id: uuid::Uuid::now_v7().to_string(),
        owner,
        name: name.to_string(),
        query: query.to_string(),
        shared,
    };
    let mut tx = app.store.write(ctx.ws()).await?;
    tx.insert_saved_view(kind.api_name(), &view).await?;
    tx.commit().await?;
    Ok(view)
}

/// Deletes one of the acting user's views.
pub async fn delete(app: &App, ctx: &Ctx, id: &str) -> Result<(), AppError> {
    let owner = ctx.actor.ok_or(AppError::NotFound)?;
    let mut tx = app.store.write(ctx.ws()).await?;
    if !tx.delete_saved_view(id, owner).await? {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}
