//! localgraph's HTTP service. One catch-all OData route serves every entity the schema
//! has: the path is parsed against the EDM of the request's version, the body validated
//! against it, one [`store::Store`] call made, and the answer rendered from the EDM.

mod caller;
mod error;
mod health;
mod middleware;
mod odata;
mod state;

pub use caller::Caller;
pub use error::ApiError;
pub use middleware::RequestIds;
pub use state::AppState;

use std::future::Future;

use axum::Router;
use axum::routing::{any, get};
use tokio::net::TcpListener;

/// The whole service: the same router for `main` and the tests.
pub fn build_router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/{version}", any(odata::handle))
        .route("/{version}/", any(odata::handle))
        .route("/{version}/{*path}", any(odata::handle))
        .fallback(odata::handle)
        .layer(axum::middleware::from_fn(middleware::graph_envelope))
        .with_state(state)
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
