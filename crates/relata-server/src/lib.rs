//! Relata's HTTP server: the REST API under `/api/v1`, its OpenAPI document,
//! and bearer-token authentication.
//!
//! Every route is declared once in [`routes`] as an [`routes::Operation`]
//! (method, path, parameters, schemas) together with its handler; the router
//! and the OpenAPI document are both built from that table, so the document
//! cannot miss a route.
//!
//! Architecture invariant: no SQL and no business rules here. Handlers parse
//! the HTTP request, call `relata-app`, and turn the answer (or the error, as
//! RFC 9457 problem details) into an HTTP response.

pub mod auth;
mod http;
pub mod openapi;
pub mod problem;
mod records;
pub mod routes;
mod service;

use axum::Router;
use relata_app::App;
use relata_store::admin::Principal;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::net::TcpListener;

/// The state every handler shares.
pub struct Server {
    pub app: App,
    /// Resolved API tokens by hash (see [`auth`]).
    tokens: Mutex<HashMap<String, (Instant, Principal)>>,
}

impl Server {
    pub fn new(app: App) -> Arc<Server> {
        Arc::new(Server { app, tokens: Mutex::new(HashMap::new()) })
    }
}

/// The whole HTTP application.
pub fn router(server: Arc<Server>) -> Router {
    routes::router().with_state(server)
}

/// Serves on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    server: Arc<Server>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(server).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}
