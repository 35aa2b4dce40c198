//! localgraph's HTTP service. One catch-all OData route serves every entity the schema
//! has: the path is parsed against the EDM of the request's version, the body validated
//! against it, one [`store::Store`] call made, and the answer rendered from the EDM.

mod batch;
mod caller;
pub mod discovery;
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

use axum::routing::{any, get};
use axum::{Extension, Router};
use tokio::net::TcpListener;

/// The whole service: the same router for `main` and the tests. `$batch` runs its
/// requests through the same routes and middleware, built once (without `$batch`).
pub fn build_router(state: AppState) -> Router {
    let inner = routes()
        .layer(axum::middleware::from_fn(middleware::graph_envelope))
        .with_state(state.clone());
    routes()
        .route("/{version}/$batch", any(batch::batch))
        .layer(axum::middleware::from_fn(middleware::graph_envelope))
        .layer(Extension(batch::Inner(inner)))
        .with_state(state)
}

/// Every route but `$batch`. Static segments win over the catch-all.
fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(health::healthz))
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
