//! localgraph's HTTP service. One catch-all OData route serves every entity the schema
//! has: the path is parsed against the EDM of the request's version, the body validated
//! against it, one [`store::Store`] call made, and the answer rendered from the EDM.
//! [`auth`] verifies tokens and is localgraph's offline token authority; [`tls`] serves
//! HTTPS with a local CA; [`control`] is the per-tenant control API under `/_localgraph/`
//! and the controls (faults, throttling, journal, profile) every Graph request passes.

pub mod auth;
mod batch;
mod caller;
pub mod control;
pub mod discovery;
mod error;
mod health;
mod middleware;
mod odata;
mod state;
pub mod tls;

/// Rendering entities and pages from the model (public for the micro-benchmarks).
pub use crate::odata::render;
pub use caller::{Caller, Grants};
pub use error::ApiError;
pub use middleware::RequestIds;
pub use state::AppState;

use std::future::Future;
use std::sync::Arc;

use axum::extract::Request;
use axum::http::{Uri, header};
use axum::routing::{any, get, post};
use axum::{Extension, Router};
use tokio::net::TcpListener;
use tokio_rustls::rustls::ServerConfig;

/// The whole service: the same router for `main` and the tests. `$batch` runs its
/// requests through the same routes and middleware, built once (without `$batch`); the
/// controls run inside the envelope middleware, for each request and each batch item.
pub fn build_router(state: AppState) -> Router {
    // The middleware's state is cloned for every request: share one.
    let shared = Arc::new(state.clone());
    let controls = || axum::middleware::from_fn_with_state(shared.clone(), control::layer::apply);
    let inner = routes()
        .layer(controls())
        .layer(axum::middleware::from_fn(middleware::graph_envelope))
        .with_state(state.clone());
    routes()
        .route("/{version}/$batch", any(batch::batch))
        .merge(control::routes())
        .layer(controls())
        .layer(axum::middleware::from_fn(middleware::graph_envelope))
        .layer(Extension(batch::Inner(inner)))
        .with_state(state)
}

/// Every route but `$batch`. Static segments win over the catch-all.
fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(health::healthz))
        // The authority's routes: the first segment is the tenant. (The router needs one
        // parameter name per position, hence `{version}`.)
        .route("/{version}/oauth2/v2.0/token", post(auth::authority::token))
        .route("/{version}/discovery/v2.0/keys", get(auth::authority::keys))
        .route(
            "/{version}/v2.0/.well-known/openid-configuration",
            get(auth::authority::openid_configuration),
        )
        .route("/{version}", any(discovery::service_document))
        .route("/{version}/", any(discovery::service_document))
        .route("/{version}/$metadata", any(discovery::metadata))
        .route("/{version}/openapi.json", any(discovery::openapi))
        .route("/{version}/{*path}", any(odata::handle))
        .fallback(odata::handle)
}

/// Serves until `shutdown` completes, then finishes the requests in flight.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, build_router(state))
        .with_graceful_shutdown(shutdown)
        .await
}

/// Serves HTTPS with `config` until `shutdown` completes, then finishes the requests in
/// flight. Links in responses (`@odata.context`, `@odata.nextLink`, the authority's
/// endpoints) say `https`.
pub async fn serve_tls(
    listener: TcpListener,
    config: Arc<ServerConfig>,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let listener = tls::TlsListener::new(listener, config)?;
    let router = build_router(state).layer(axum::middleware::map_request(mark_https));
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Makes the request URI absolute with the `https` scheme (HTTP/1.1 sends only the path),
/// so handlers see how the client addressed the server.
async fn mark_https(mut request: Request) -> Request {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string);
    if let Some(host) = host {
        let path = request
            .uri()
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_string();
        if let Ok(uri) = Uri::builder()
            .scheme("https")
            .authority(host)
            .path_and_query(path)
            .build()
        {
            *request.uri_mut() = uri;
        }
    }
    request
}
