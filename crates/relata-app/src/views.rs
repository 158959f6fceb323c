//! Saved list views: a named list query (filter, search, sort, columns) of
//! one entity type, private to its owner or shared with the owner's teams.
//! A view is checked by running its query once before it is saved. Home
//! page widgets show a figure of a view: a count, a sum, a chart.

use crate::error::AppError;
use crate::read::ListParams;
use crate::{App, Ctx};
use relata_core::ValidationError;
use relata_core::meta::EntityKind;
use relata_i18n::refusal;
use relata_store::identity::{HomeWidget, SavedView};

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
    let owner = ctx.actor.ok_or_else(|| AppError::forbidden("refuse-people-only", vec![]))?;
    let name = name.trim();
    let mut errors = Vec::new();
    if name.is_empty() || name.chars().count() > 100 {
        errors.push(refusal("name", "invalid", "refuse-view-name", vec![]));
    }
    if query.len() > 4000 {
        errors.push(refusal("query", "too_long", "refuse-view-query", vec![]));
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

/// The most widgets one home page holds.
pub const MAX_WIDGETS: usize = 12;

/// What a widget shows of its view's records.
#[derive(Clone, Debug, PartialEq)]
pub enum WidgetFigure {
    /// How many records.
    Count,
    /// The sum of a money field.
    Sum(String),
    /// How many records per value of a field, as bars.
    Chart(String),
}

impl WidgetFigure {
    /// `count`, `sum:amount`, `chart:stage` (the home page form's values).
    pub fn parse(text: &str) -> Option<WidgetFigure> {
        match text.split_once(':') {
            None if text == "count" => Some(WidgetFigure::Count),
            Some(("sum", field)) if !field.is_empty() => Some(WidgetFigure::Sum(field.to_string())),
            Some(("chart", field)) if !field.is_empty() => Some(WidgetFigure::Chart(field.to_string())),
            _ => None,
        }
    }

    fn of(widget: &HomeWidget) -> Option<WidgetFigure> {
        match (widget.kind.as_str(), &widget.field) {
            ("count", _) => Some(WidgetFigure::Count),
            ("sum", Some(field)) => Some(WidgetFigure::Sum(field.clone())),
            ("chart", Some(field)) => Some(WidgetFigure::Chart(field.clone())),
            _ => None,
        }
    }
}

/// Whether a chart may group by a field: one with a column of its own and a
/// few distinct values (a choice, a relation, a stage, yes/no).
pub fn groups_well(field: &relata_core::meta::FieldDef) -> bool {
    use relata_core::meta::{Column, FieldType};
    matches!(field.column, Column::Named(_))
        && matches!(field.ty, FieldType::Choice(_) | FieldType::Relation(_) | FieldType::Stage | FieldType::Boolean)
}

/// A widget with what it needs to be drawn: its view (gone when deleted or
/// no longer shared with the owner) and what it shows.
pub struct Widget {
    pub widget: HomeWidget,
    pub kind: EntityKind,
    pub view: Option<SavedView>,
    pub figure: Option<WidgetFigure>,
}

/// The acting user's widgets.
pub async fn widgets(app: &App, ctx: &Ctx) -> Result<Vec<Widget>, AppError> {
    let Some(me) = ctx.actor else { return Ok(Vec::new()) };
    let stored = app.store.read(ctx.ws()).await?.home_widgets(me).await?;
    let schemas = app.schemas_for(ctx).await?;
    let mut found = Vec::with_capacity(stored.len());
    for widget in stored {
        let Some(kind) = schemas.kind(&widget.entity) else { continue };
        let view = views(app, ctx, kind).await?.into_iter().find(|v| v.id == widget.view_id);
        found.push(Widget { figure: WidgetFigure::of(&widget), kind, view, widget });
    }
    Ok(found)
}

/// Puts a figure from one of the views the user sees on their home page.
/// The view must be of `kind` and have no search term (a widget counts by
/// the view's filter); a sum needs a money field, a chart a field that
/// groups well, both visible to the user.
pub async fn add_widget(
    app: &App,
    ctx: &Ctx,
    kind: EntityKind,
    view_id: &str,
    figure: &str,
) -> Result<HomeWidget, AppError> {
    let owner = ctx.actor.ok_or_else(|| AppError::forbidden("refuse-people-only", vec![]))?;
    let mut errors = Vec::new();
    let view = views(app, ctx, kind).await?.into_iter().find(|v| v.id == view_id);
    match &view {
        None => errors.push(refusal("view", "unknown_view", "refuse-view-unknown", vec![])),
        Some(v) if params_of(&v.query).q.is_some() => {
            errors.push(refusal("view", "searches", "refuse-view-searches", vec![]))
        }
        Some(_) => {}
    }
    let schemas = app.schemas_for(ctx).await?;
    let schema = schemas.get(kind);
    let parsed = WidgetFigure::parse(figure);
    match &parsed {
        None => errors.push(refusal("figure", "invalid", "refuse-widget-figure", vec![])),
        Some(WidgetFigure::Sum(field))
            if !schema.field(field).is_some_and(|f| f.ty == relata_core::meta::FieldType::Money) =>
        {
            errors.push(refusal("figure", "invalid", "refuse-widget-money", vec![("field", field.as_str().into())]))
        }
        Some(WidgetFigure::Chart(field)) if !schema.field(field).is_some_and(groups_well) => {
            errors.push(refusal("figure", "invalid", "refuse-widget-chart", vec![("field", field.as_str().into())]))
        }
        Some(_) => {}
    }
    let mut tx = app.store.write(ctx.ws()).await?;
    if tx.home_widgets(owner).await?.len() >= MAX_WIDGETS {
        let args = vec![("max", (MAX_WIDGETS as i64).into())];
        errors.push(refusal("figure", "too_many", "refuse-widget-many", args));
    }
    ValidationError::check(errors)?;
    let (kind_name, field) = match parsed.expect("checked above") {
        WidgetFigure::Count => ("count", None),
        WidgetFigure::Sum(field) => ("sum", Some(field)),
        WidgetFigure::Chart(field) => ("chart", Some(field)),
    };
    let widget = HomeWidget {
        id: uuid::Uuid::now_v7().to_string(),
        owner,
        entity: kind.api_name().to_string(),
        view_id: view_id.to_string(),
        kind: kind_name.to_string(),
        field,
    };
    tx.insert_home_widget(&widget).await?;
    tx.commit().await?;
    Ok(widget)
}

/// Takes one of the acting user's widgets off their home page.
pub async fn remove_widget(app: &App, ctx: &Ctx, id: &str) -> Result<(), AppError> {
    let owner = ctx.actor.ok_or(AppError::NotFound)?;
    let mut tx = app.store.write(ctx.ws()).await?;
    if !tx.delete_home_widget(id, owner).await? {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}
