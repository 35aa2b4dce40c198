//! The operational endpoints, `/healthz` and `/metrics`, in front of everything else:
//! outside the request cap and the controls, so they answer however busy the service is.

use std::convert::Infallible;

use axum::Router;
use axum::extract::Request;
use axum::response::Response;
use axum::routing::get;
use tower::Service;

use crate::fork::Fork;
use crate::{AppState, health, named, telemetry};

/// The readiness check's path.
const HEALTHZ: &str = "/healthz";
/// The metrics' path.
const METRICS: &str = "/metrics";

/// Sends `/healthz` and `/metrics` to their routes and every other request to `data`.
pub fn in_front_of<D>(
    state: &AppState,
    data: D,
) -> Fork<impl Fn(&Request) -> bool + Clone + Send + Sync + 'static, Router, D>
where
    D: Service<Request, Response = Response, Error = Infallible> + Clone,
{
    let routes = named(
        Router::new()
            .route(HEALTHZ, get(health::healthz))
            .route(METRICS, get(telemetry::metrics)),
    )
    .with_state(state.clone());
    Fork::new(
        |request: &Request| matches!(request.uri().path(), HEALTHZ | METRICS),
        routes,
        data,
    )
}
