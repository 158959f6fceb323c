//! Commerce's own endpoints (the records themselves are served by the
//! generic ones): a quote's new revision and an order's invoice.

use crate::Server;
use crate::auth::Auth;
use crate::http::record_response;
use crate::problem::ApiResult;
use crate::records::app_problem;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use relata_commerce::{INVOICES, ORDERS, QUOTES};
use relata_core::Record;
use relata_core::meta::EntityKind;
use std::sync::Arc;

async fn created(server: &Server, auth: &Auth, kind: EntityKind, record: &Record) -> ApiResult<Response> {
    let schemas = server.app.schemas_for(&auth.ctx).await?;
    let mut response = record_response(StatusCode::CREATED, record.version, &record.to_json(schemas.get(kind)));
    let location = format!("/api/v1/{}/{}", kind.api_name(), record.id);
    response.headers_mut().insert(header::LOCATION, HeaderValue::from_str(&location).expect("ascii path"));
    Ok(response)
}

/// `POST /api/v1/quotes/{id}/revise`
pub async fn revise_quote(
    State(server): State<Arc<Server>>,
    auth: Auth,
    crate::http::IdPath(id): crate::http::IdPath,
) -> ApiResult<Response> {
    auth.require_write()?;
    let record =
        relata_commerce::quotes::revise(&server.app, &auth.ctx, id).await.map_err(|e| app_problem(QUOTES, e))?;
    created(&server, &auth, QUOTES, &record).await
}

/// `POST /api/v1/orders/{id}/invoice`
pub async fn invoice_order(
    State(server): State<Arc<Server>>,
    auth: Auth,
    crate::http::IdPath(id): crate::http::IdPath,
) -> ApiResult<Response> {
    auth.require_write()?;
    let record =
        relata_commerce::quotes::invoice_order(&server.app, &auth.ctx, id).await.map_err(|e| app_problem(ORDERS, e))?;
    created(&server, &auth, INVOICES, &record).await
}

/// `POST /api/v1/erp/events`: `{id, type, data}` with a token of scope
/// `erp`; a replay answers as the first time, with `Idempotent-Replayed`.
pub async fn erp_event(
    State(server): State<Arc<Server>>,
    auth: Auth,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> ApiResult<Response> {
    let source = auth.erp_token()?;
    let input = crate::http::json_body(&headers, &body)?;
    let applied = relata_commerce::erp::apply(&server.app, &auth.ctx, &format!("token {source}"), &input).await?;
    Ok(crate::http::event_answer(&applied.result, applied.replayed))
}

/// `POST /api/v1/products/{id}/configure`: checks a configuration and
/// prices it.
pub async fn configure_product(
    State(server): State<Arc<Server>>,
    auth: Auth,
    crate::http::IdPath(id): crate::http::IdPath,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> ApiResult<Response> {
    let input = crate::http::json_body(&headers, &body)?;
    let answer = relata_commerce::configure::configure(&server.app, &auth.ctx, id, &input)
        .await
        .map_err(|e| app_problem(relata_commerce::PRODUCTS, e))?;
    Ok(crate::http::json(StatusCode::OK, &answer))
}

/// `GET /api/v1/accounts/{id}/revenue`: invoiced and paid by year.
pub async fn account_revenue(
    State(server): State<Arc<Server>>,
    auth: Auth,
    crate::http::IdPath(id): crate::http::IdPath,
) -> ApiResult<Response> {
    let answer = relata_commerce::invoicing::revenue_by_year(&server.app, &auth.ctx, id)
        .await
        .map_err(|e| app_problem(relata_crm::ACCOUNTS, e))?;
    Ok(crate::http::json(StatusCode::OK, &answer))
}

/// `GET /api/v1/{quotes|orders|invoices}/{id}/pdf`
pub async fn document_pdf(
    kind: EntityKind,
    State(server): State<Arc<Server>>,
    auth: Auth,
    crate::http::IdPath(id): crate::http::IdPath,
) -> ApiResult<Response> {
    use axum::response::IntoResponse;
    let (file, bytes) = relata_commerce::printed::document_pdf(&server.app, &auth.ctx, kind, id)
        .await
        .map_err(|e| app_problem(kind, e))?;
    let disposition = format!("attachment; filename=\"{file}\"");
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static("application/pdf")),
        (header::CONTENT_DISPOSITION, HeaderValue::from_str(&disposition).expect("an ASCII file name")),
    ];
    Ok((StatusCode::OK, headers, bytes).into_response())
}

/// `GET /api/v1/invoices/{id}/ubl`
pub async fn invoice_ubl(
    State(server): State<Arc<Server>>,
    auth: Auth,
    crate::http::IdPath(id): crate::http::IdPath,
) -> ApiResult<Response> {
    use axum::response::IntoResponse;
    let (file, xml) = relata_commerce::printed::invoice_ubl(&server.app, &auth.ctx, id)
        .await
        .map_err(|e| app_problem(INVOICES, e))?;
    let disposition = format!("attachment; filename=\"{file}\"");
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static("application/xml; charset=utf-8")),
        (header::CONTENT_DISPOSITION, HeaderValue::from_str(&disposition).expect("an ASCII file name")),
    ];
    Ok((StatusCode::OK, headers, xml).into_response())
}
