//! Analytics endpoints: the pipeline forecast over the stored opportunities.

use crate::Server;
use crate::auth::Auth;
use crate::http::{QueryParams, serialized};
use crate::problem::ApiResult;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use relata_sales::forecast::{self, ForecastParams};
use std::sync::Arc;

/// The query parameters of `GET /api/v1/analytics/forecast`.
pub const FORECAST_PARAMS: &[&str] = &["period", "group", "filter", "as_of"];

/// `GET /api/v1/analytics/forecast`: weighted pipeline, win-rate forecast,
/// win rates and time per stage, forecast versus actual.
pub async fn forecast(State(server): State<Arc<Server>>, auth: Auth, RawQuery(query): RawQuery) -> ApiResult<Response> {
    let p = QueryParams::parse(query.as_deref(), FORECAST_PARAMS)?;
    let params = ForecastParams::parse(
        p.text("period").as_deref(),
        p.text("group").as_deref(),
        p.text("filter"),
        p.text("as_of").as_deref(),
    )?;
    let report = forecast::forecast(&server.app, &auth.ctx, &params).await?;
    Ok(serialized(StatusCode::OK, &report))
}
