//! localgraph's HTTP service. One catch-all OData handler serves every entity the schema
//! has (Graph's paths reach it in front of the router, `graph_paths`, and any other path
//! under a version as the router's fallback): the path is parsed against the EDM of the
//! request's version, the body validated against it, one [`store::Store`] call made, and
//! the answer rendered from the EDM.
//! [`auth`] verifies tokens and is localgraph's offline token authority; [`tls`] serves
//! HTTPS with a local CA; [`control`] is the per-tenant control API under `/_localgraph/`
//! and the controls (faults, throttling, journal, profile) every Graph request passes;
//! `dashboard` serves the page at `/`.

mod around;
pub mod auth;
mod batch;
mod body;
mod caller;
mod config;
pub mod control;
mod cors;
mod dashboard;
pub mod discovery;
mod error;
mod fork;
mod graph_paths;
mod health;
mod limits;
mod links;
mod listener;
mod middleware;
mod odata;
mod operations;
mod refusals;
mod state;
pub mod telemetry;
pub mod tls;
mod trace;

/// Rendering entities and pages from the model (public for the micro-benchmarks).
pub use crate::odata::render;
pub use caller::{Caller, Grants, Identity};
pub use config::{Config, FILES_RESERVED, Limits, PublicUrl};
pub use error::ApiError;
pub use middleware::RequestIds;
pub use state::{AppState, DEFAULT_TENANT_SETTING};

use std::future::Future;
use std::sync::Arc;

use std::convert::Infallible;

use around::AroundLayer;
use axum::Router;
use axum::extract::Request;
use axum::response::IntoResponse;
use axum::routing::{MethodRouter, any, get, post};
use graph_paths::ServiceRoute;
use tokio::net::TcpListener;
use tokio_rustls::rustls::ServerConfig;
use tower::util::{BoxCloneSyncService, MapRequestLayer, MapResponseLayer};
use tower::{Service, ServiceBuilder};

/// The whole service, every layer and route: what [`build_router`] makes and the
/// listener serves. A boxed service rather than a [`Router`] holding the stack as its
/// fallback: a router matches the path and stores its parameters again on every request.
pub type HttpService = BoxCloneSyncService<Request, axum::response::Response, Infallible>;

/// The whole service: the same router for `main` and the tests. `$batch` runs its
/// requests through the same routes and middleware, built once (without `$batch`); the
/// controls run inside the envelope middleware, for each request and each batch item.
pub fn build_router(state: AppState) -> HttpService {
    build_router_with(state, Router::new())
}

/// [`build_router`] with `extra` routes served under the same middleware and limits as
/// the data routes (the tests add routes that panic or stall; the service has none).
///
/// The middleware wraps the routers, not each route: `Router::layer` would box the stack
/// around every route and clone it, box by box, on every request (78 allocations a
/// request with this stack, the largest cost of a small read).
pub fn build_router_with(state: AppState, extra: Router<AppState>) -> HttpService {
    // Metrics recorded before the recorder is installed would be lost.
    telemetry::handle();
    let controls = || axum::middleware::from_fn_with_state(state.clone(), control::layer::apply);
    let batch_items = ServiceBuilder::new()
        .layer(limits::catch_panic())
        .layer(controls())
        .service(graph_paths::in_front_of(
            &state,
            named(routes(None)).with_state(state.clone()),
        ));
    let inner = observed(batch_items, &state);
    let limits = &state.config.limits;
    // `/healthz` is outside the request cap: it answers however busy the service is.
    let data = ServiceBuilder::new()
        .layer(limits::concurrency(limits))
        .layer(controls())
        .service(graph_paths::in_front_of(
            &state,
            named(
                routes(Some(batch::route(inner)))
                    .merge(control::routes())
                    .merge(extra),
            )
            .with_state(state.clone()),
        ));
    let service = operations::in_front_of(&state, data);
    let service = ServiceBuilder::new()
        .layer(AroundLayer(limits::RequestSize(limits.clone())))
        .layer(limits::catch_panic())
        .layer(limits::timeout(limits))
        .service(service);
    observed(cors::in_front_of(service), &state)
}

/// The layers every request passes through, batched ones too, around `service`: its ids
/// first, then its span and log line, its route and metrics, Graph's envelope, and the
/// links' base. The layers wrap services, not routers: routers nested as plain wrappers
/// each matched the path and decoded its parameters again, and `Router::layer` would box
/// the stack around every route and clone it, box by box, on every request.
fn observed<S>(service: S, state: &AppState) -> HttpService
where
    S: Service<Request, Error = Infallible> + Clone + Send + Sync + 'static,
    S::Response: IntoResponse + 'static,
    S::Future: Send + 'static,
{
    let public = state
        .config
        .public_url
        .clone()
        .map(|url| MapRequestLayer::new(move |request| links::public(&url, request)));
    let stack = ServiceBuilder::new()
        .layer(MapResponseLayer::new(IntoResponse::into_response))
        .layer(MapRequestLayer::new(middleware::assign_ids))
        .layer(trace::layer())
        .layer(AroundLayer(telemetry::Observe(state.schema.clone())))
        .option_layer(public)
        .layer(AroundLayer(middleware::GraphEnvelope))
        .service(service);
    BoxCloneSyncService::new(stack)
}

/// Routes that tell the metrics which of them answered (see [`telemetry::Observe`]).
fn named(router: Router<AppState>) -> Router<AppState> {
    router.route_layer(AroundLayer(telemetry::NameRoute))
}

/// Every route but the control API's, with `$batch` when `batch` is its handler (a batch
/// item is none). Graph's paths are the fallback: every route wins over it (and the paths
/// of a served singleton reach the handler before the router, `graph_paths`).
fn routes(batch: Option<MethodRouter<AppState>>) -> Router<AppState> {
    Router::new()
        .merge(dashboard::routes())
        // The authority's routes: the first segment is the tenant. (The router needs one
        // parameter name per position, hence `{version}`.)
        .route(
            auth::authority::TOKEN_ROUTE,
            post(auth::authority::token).fallback(auth::authority::method_not_allowed),
        )
        .route(
            auth::authority::KEYS_ROUTE,
            get(auth::authority::keys).fallback(auth::authority::method_not_allowed),
        )
        .route(
            auth::authority::OPENID_ROUTE,
            get(auth::authority::openid_configuration)
                .fallback(auth::authority::method_not_allowed),
        )
        .route("/{version}", any(discovery::service_document))
        .route("/{version}/", any(discovery::service_document))
        .merge(service_routes(batch))
        // Graph's paths: the fallback rather than a `/{version}/{*path}` route, which
        // would decode both parameters and pass a route layer on every request, for a
        // handler that parses the path itself.
        .fallback(odata::handle)
}

/// The routes of [`ServiceRoute::ALL`], each with its handler (`$batch` only when `batch`
/// is given): the router has no other route under a version but the service document's.
fn service_routes(batch: Option<MethodRouter<AppState>>) -> Router<AppState> {
    let mut router = Router::new();
    for route in ServiceRoute::ALL {
        let handler = match route {
            ServiceRoute::Batch => match &batch {
                Some(batch) => batch.clone(),
                None => continue,
            },
            ServiceRoute::Metadata => any(discovery::metadata),
            ServiceRoute::OpenApi => any(discovery::openapi),
        };
        router = router.route(&route.route(), handler);
    }
    router
}

/// Serves until `shutdown` completes, then finishes the requests in flight.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = state.config.limits.clone();
    listener::serve(listener, build_router(state), limits, shutdown).await
}

/// Serves `router` (from [`build_router_with`]) with `limits` until `shutdown` completes.
pub async fn serve_router(
    listener: TcpListener,
    router: HttpService,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    listener::serve(listener, router, limits, shutdown).await
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
    let limits = state.config.limits.clone();
    let listener = tls::TlsListener::new(listener, config)?;
    let router = BoxCloneSyncService::new(
        ServiceBuilder::new()
            .layer(MapRequestLayer::new(links::https))
            .service(build_router(state)),
    );
    listener::serve(listener, router, limits, shutdown).await
}
