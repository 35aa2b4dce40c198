//! Graph's own paths, `/{version}/{singleton}…`, straight to the OData handler, in front
//! of the router: through the router, a Graph path cost a failed match of its routes, a
//! match of its fallback's wildcard and that wildcard's parameters stored in the request
//! (about 2k instructions of a 70k read, bench/HISTORY.md step 46).
//!
//! The router keeps everything else: discovery, `$batch`, the authority, the control API,
//! the dashboard, and (as its fallback, the same handler) any other path under a version,
//! so a path not sent straight to the handler is answered as before. No route of the
//! router has a served singleton as its second segment (the test below lists theirs).

use std::convert::Infallible;

use ::odata::path::percent_decode;
use axum::Router;
use axum::extract::Request;
use axum::handler::Handler;
use axum::response::Response;
use intune::{ApiVersion, Schema};
use tower::Service;

use crate::fork::Fork;
use crate::{AppState, odata};

/// The router's routes under a version besides Graph's paths and the service document
/// (`/{version}/$metadata`, …): the one list the router builds them from
/// (`crate::service_routes`), that a fault rule's check reads (a rule may name them) and the
/// route names read (a request a rule answers is counted under them as when the route
/// answers). A variant left out of [`ServiceRoute::ALL`] is never constructed (a warning,
/// an error under `-D warnings`); one without a handler does not compile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ServiceRoute {
    /// `$batch`.
    Batch,
    /// `$metadata`, the CSDL.
    Metadata,
    /// `openapi.json`, the version's OpenAPI document.
    OpenApi,
}

impl ServiceRoute {
    /// Every one, in the order fault rules' messages name them.
    pub(crate) const ALL: [ServiceRoute; 3] = [
        ServiceRoute::Batch,
        ServiceRoute::Metadata,
        ServiceRoute::OpenApi,
    ];

    /// The segment after the version, as written.
    pub(crate) fn segment(self) -> &'static str {
        match self {
            ServiceRoute::Batch => "$batch",
            ServiceRoute::Metadata => "$metadata",
            ServiceRoute::OpenApi => "openapi.json",
        }
    }

    /// The route of the router (`/{version}/$metadata`).
    pub(crate) fn route(self) -> String {
        format!("/{{version}}/{}", self.segment())
    }

    /// The one whose segment is `segment`, exactly as written.
    pub(crate) fn of_segment(segment: &str) -> Option<ServiceRoute> {
        ServiceRoute::ALL
            .into_iter()
            .find(|route| route.segment() == segment)
    }
}

/// Sends a path whose first segment is an API version and whose second a singleton that
/// version serves (`deviceManagement`, `deviceAppManagement`) to the OData handler, and
/// every other request to `router`.
pub fn in_front_of(
    state: &AppState,
    router: Router,
) -> Fork<
    impl Fn(&Request) -> bool + Clone + Send + Sync + 'static,
    impl Service<Request, Response = Response, Error = Infallible, Future: Send + 'static>
    + Clone
    + Send
    + Sync
    + 'static,
    Router,
> {
    let schema = state.schema.clone();
    Fork::new(
        move |request: &Request| addresses_singleton(&schema, request.uri().path()),
        odata::handle.with_state(state.clone()),
        router,
    )
}

/// The version of a Graph request and where the path after it starts; `None` for the
/// other routes (health, the authority, the control API).
pub(crate) fn graph_path(path: &str) -> Option<(ApiVersion, usize)> {
    let trimmed = path.strip_prefix('/')?;
    let segment = trimmed.split('/').next().unwrap_or_default();
    let version = if segment.contains('%') {
        ApiVersion::parse(&percent_decode(segment))
    } else {
        ApiVersion::parse(segment)
    }?;
    Some((version, (1 + segment.len() + 1).min(path.len())))
}

/// Whether `path` addresses a singleton of a version of `schema`, the case-insensitive
/// names of the places map, as sent (a percent-escaped singleton goes to the router,
/// whose fallback decodes it).
fn addresses_singleton(schema: &Schema, path: &str) -> bool {
    let Some((version, rest_at)) = graph_path(path) else {
        return false;
    };
    let singleton = path[rest_at..].split('/').next().unwrap_or_default();
    schema.places(version).singleton(singleton).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_requests_are_those_under_a_version() {
        let path = "/beta/deviceManagement";
        let (version, at) = graph_path(path).unwrap();
        assert_eq!(
            (version, &path[at..]),
            (ApiVersion::Beta, "deviceManagement")
        );
        assert_eq!(graph_path("/v1.0"), Some((ApiVersion::V1, 5)));
        assert!(graph_path("/_localgraph/faults").is_none());
        assert!(graph_path("/healthz").is_none());
        assert!(graph_path("/contoso/oauth2/v2.0/token").is_none());
        assert_eq!(
            graph_path("/%62eta/x").map(|(v, _)| v),
            Some(ApiVersion::Beta)
        );
    }

    #[test]
    fn only_a_served_singleton_under_a_version_skips_the_router() {
        let schema = Schema::load().expect("the bundled CSDL");
        for path in [
            "/v1.0/deviceManagement",
            "/beta/deviceManagement/softwareUpdateStatusSummary",
            "/v1.0/deviceAppManagement/mobileAppConfigurations/x/userStatusSummary",
            "/beta/DEVICEMANAGEMENT/deviceManagementScripts",
        ] {
            assert!(addresses_singleton(&schema, path), "{path}");
        }
        for route in ServiceRoute::ALL {
            let path = route.route().replace("{version}", "v1.0");
            assert!(!addresses_singleton(&schema, &path), "{path}");
        }
        for path in [
            "/",
            "/v1.0",
            "/v1.0/",
            "/v1.0/oauth2/v2.0/token",
            "/v1.0/discovery/v2.0/keys",
            "/v1.0/v2.0/.well-known/openid-configuration",
            "/v2.0/deviceManagement",
            "/v1.0/users",
            "/v1.0/device%4Danagement",
            "/_localgraph/requests",
            "/healthz",
        ] {
            assert!(!addresses_singleton(&schema, path), "{path}");
        }
    }
}
