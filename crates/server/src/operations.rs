//! The operational endpoints, `/healthz` and `/metrics`, in front of everything else:
//! outside the request cap and the controls, so they answer however busy the service is.

use std::convert::Infallible;
use std::task::{Context, Poll};

use axum::Router;
use axum::extract::Request;
use axum::response::Response;
use axum::routing::get;
use futures_util::future::Either;
use tower::util::Oneshot;
use tower::{Service, ServiceExt};

use crate::{AppState, health, named, telemetry};

/// The readiness check's path.
const HEALTHZ: &str = "/healthz";
/// The metrics' path.
const METRICS: &str = "/metrics";

/// Sends `/healthz` and `/metrics` to their routes and every other request to `data`.
/// A comparison of the path rather than a router with `data` as its fallback: a router
/// matches the path and stores its (empty) parameters again on every request.
#[derive(Clone)]
pub struct Operations<D> {
    routes: Router,
    data: D,
}

impl<D> Operations<D> {
    /// `data` behind the operational routes.
    pub fn new(state: &AppState, data: D) -> Self {
        let routes = named(
            Router::new()
                .route(HEALTHZ, get(health::healthz))
                .route(METRICS, get(telemetry::metrics)),
        )
        .with_state(state.clone());
        Operations { routes, data }
    }
}

impl<D> Service<Request> for Operations<D>
where
    D: Service<Request, Response = Response, Error = Infallible> + Clone,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Either<Oneshot<Router, Request>, Oneshot<D, Request>>;

    /// Always ready: each request waits for the service it goes to (the data routes'
    /// cap is a readiness), and only that one.
    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> Self::Future {
        match request.uri().path() {
            HEALTHZ | METRICS => Either::Left(self.routes.clone().oneshot(request)),
            _ => Either::Right(self.data.clone().oneshot(request)),
        }
    }
}
