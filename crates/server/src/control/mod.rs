//! Controlling and watching a tenant (DESIGN §5): the controls every Graph request passes
//! through ([`layer`]) and the control API under `/_localgraph/`, outside the Graph versions.
//! The API takes the same bearer tokens as Graph and acts on the token's tenant only (with
//! `--auth off`, the default tenant); reading needs no Graph permission, changing the tenant
//! a write permission ([`access`]). JSON in and out, Graph's error shape, described by
//! `GET /_localgraph/openapi.json`.
//!
//! - [`access`]: who may change a tenant.
//! - [`faults`]: scripted fault rules ([`pattern`]: their path patterns).
//! - [`throttling`]: Intune's limits per tenant and app, or the tenant's own.
//! - [`journal`]: what each tenant's clients sent to this node.
//! - [`snapshots`]: reset, snapshot and restore a tenant's data.
//! - [`profile`]: `documented` or `observed` behaviour.
//! - [`settings`]: the controls as this node knows them, kept fresh from the database.

pub mod access;
mod body;
pub mod faults;
pub mod journal;
pub mod layer;
mod openapi;
mod pattern;
pub mod profile;
pub mod settings;
mod snapshots;
pub mod throttling;

pub use layer::BatchOf;
pub use profile::Profile;
pub use settings::{ControlDefaults, Controls};
pub use throttling::Throttling;

use axum::Router;
use axum::http::Uri;
use axum::routing::{MethodRouter, any, delete, get, post};

use crate::{ApiError, AppState};

/// The control API's routes.
pub fn routes() -> Router<AppState> {
    let route = |methods: MethodRouter<AppState>| methods.fallback(method_not_allowed);
    Router::new()
        .route("/_localgraph/openapi.json", route(get(openapi::get)))
        .route(
            "/_localgraph/faults",
            route(
                get(faults::list)
                    .post(faults::create)
                    .delete(faults::delete_all),
            ),
        )
        .route("/_localgraph/faults/{id}", route(delete(faults::delete)))
        .route(
            "/_localgraph/throttling",
            route(get(throttling::get).put(throttling::put)),
        )
        .route("/_localgraph/requests", route(get(journal::list)))
        .route("/_localgraph/data", route(delete(snapshots::reset)))
        .route(
            "/_localgraph/snapshots",
            route(get(snapshots::list).post(snapshots::create)),
        )
        .route(
            "/_localgraph/snapshots/{name}/restore",
            route(post(snapshots::restore)),
        )
        .route(
            "/_localgraph/snapshots/{name}",
            route(delete(snapshots::delete)),
        )
        .route(
            "/_localgraph/profile",
            route(get(profile::get).put(profile::put)),
        )
        .route("/_localgraph", any(not_found))
        .route("/_localgraph/", any(not_found))
        .route("/_localgraph/{*rest}", any(not_found))
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

async fn not_found(uri: Uri) -> ApiError {
    ApiError::NotFound(uri.path().to_string())
}
