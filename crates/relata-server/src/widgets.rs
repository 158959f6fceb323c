//! A person's home-page widgets through the API: `GET`/`POST
//! /api/v1/me/widgets`, `DELETE /api/v1/me/widgets/{id}`, the same checks
//! as the list page's "Add to home" (relata_app::views).

use crate::Server;
use crate::auth::Auth;
use crate::http::{json, json_body};
use crate::problem::{ApiResult, Problem};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use relata_core::ValidationError;
use relata_store::identity::HomeWidget;
use serde_json::{Value as Json, json};
use std::sync::Arc;

type S = State<Arc<Server>>;

fn widget_json(widget: &HomeWidget) -> Json {
    let figure = match &widget.field {
        Some(field) => format!("{}:{field}", widget.kind),
        None => widget.kind.clone(),
    };
    json!({"id": widget.id, "entity": widget.entity, "view": widget.view_id, "figure": figure})
}

/// `GET /api/v1/me/widgets`: the widgets on your home page, oldest first.
pub async fn list(State(server): S, auth: Auth) -> ApiResult<Response> {
    let widgets = relata_app::views::widgets(&server.app, &auth.ctx).await?;
    let data: Vec<Json> = widgets
        .iter()
        .map(|w| {
            let mut described = widget_json(&w.widget);
            // The view may have been deleted, or no longer be shared with you.
            described["view_name"] = json!(w.view.as_ref().map(|v| v.name.as_str()));
            described["view_gone"] = json!(w.view.is_none());
            described
        })
        .collect();
    Ok(json(StatusCode::OK, &json!({"data": data})))
}

/// `POST /api/v1/me/widgets` `{entity, view, figure}`: a figure of one of
/// your (or your team's shared) saved views on your home page.
pub async fn create(State(server): S, auth: Auth, headers: HeaderMap, body: Bytes) -> ApiResult<Response> {
    let input = json_body(&headers, &body)?;
    let text = |name: &str| input.get(name).and_then(Json::as_str).unwrap_or_default().to_string();
    let schemas = server.app.schemas_for(&auth.ctx).await?;
    let Some(kind) = schemas.kind(&text("entity")) else {
        let refused = ValidationError::single("entity", "unknown_entity", "no entity type of that name");
        return Err(Problem::invalid(refused));
    };
    let widget = relata_app::views::add_widget(&server.app, &auth.ctx, kind, &text("view"), &text("figure")).await?;
    Ok(json(StatusCode::CREATED, &widget_json(&widget)))
}

/// `DELETE /api/v1/me/widgets/{id}`.
pub async fn delete(State(server): S, auth: Auth, Path(id): Path<String>) -> ApiResult<Response> {
    relata_app::views::remove_widget(&server.app, &auth.ctx, &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
