//! CORS, so a browser page on another origin (an MSP dashboard, a single-page app with
//! MSAL.js and the Graph JavaScript SDK) can call localgraph as it calls Graph: on Graph's
//! paths (`/v1.0/…`, `/beta/…`, `$batch`, `$metadata`) and the authority's endpoints, a
//! request with `Origin` is answered `Access-Control-Allow-Origin: *` with Graph's list of
//! exposed headers (`research/graph-behavior.md` §2), and a preflight is answered here,
//! before the token is looked at (a browser sends none with it). tower-http's `CorsLayer`
//! writes the headers.
//!
//! The control API, the dashboard, `/healthz` and `/metrics` get no CORS: the dashboard
//! reads the control API from its own origin, and the other two are for operators' tools.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::Request;
use axum::http::{HeaderName, Method, header};
use axum::response::Response;
use tower::{Layer, Service};
use tower_http::cors::{AllowOrigin, Cors, CorsLayer};

use crate::auth::authority;
use crate::fork::Fork;
use crate::graph_paths::graph_path;

/// The response headers a page may read: Graph's list, as it sends it.
const EXPOSED: [&str; 11] = [
    "ETag",
    "Location",
    "Preference-Applied",
    "Content-Range",
    "request-id",
    "client-request-id",
    "ReadWriteConsistencyToken",
    "SdkVersion",
    "WWW-Authenticate",
    "x-ms-client-gcc-tenant",
    "Retry-After",
];

/// The request headers a page may send: what Graph's clients send (the JavaScript SDK
/// adds `SdkVersion` to every request).
const ALLOWED: [&str; 6] = [
    "Authorization",
    "Content-Type",
    "client-request-id",
    "Prefer",
    "ConsistencyLevel",
    "SdkVersion",
];

/// How long a browser may keep a preflight's answer.
const MAX_AGE: Duration = Duration::from_secs(3600);

/// Sends a cross-origin request to one of Graph's paths or the authority's through the
/// CORS layer, and every other request (no `Origin`, or a path of localgraph's own)
/// straight to `service`, without the layer's cost.
pub fn in_front_of<S>(
    service: S,
) -> Fork<impl Fn(&Request) -> bool + Clone + Send + Sync + 'static, Cors<S>, S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone,
{
    Fork::new(cross_origin, layer().layer(service.clone()), service)
}

/// The layer's settings.
fn layer() -> CorsLayer {
    let names = |list: &[&'static str]| -> Vec<HeaderName> {
        list.iter()
            .map(|name| HeaderName::from_bytes(name.as_bytes()).expect("a valid header name"))
            .collect()
    };
    CorsLayer::new()
        .allow_origin(AllowOrigin::any())
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers(names(&ALLOWED))
        .expose_headers(names(&EXPOSED))
        .max_age(MAX_AGE)
}

/// Whether `request` is a cross-origin request to a path that answers CORS: it has
/// `Origin`, and an `OPTIONS` is a preflight (it names the method it asks for); any other
/// `OPTIONS` is answered as before.
fn cross_origin(request: &Request) -> bool {
    let headers = request.headers();
    headers.contains_key(header::ORIGIN)
        && (request.method() != Method::OPTIONS
            || headers.contains_key(header::ACCESS_CONTROL_REQUEST_METHOD))
        && answers_cors(request.uri().path())
}

/// Whether `path` is one of Graph's (under a version) or the authority's.
fn answers_cors(path: &str) -> bool {
    graph_path(path).is_some() || authority::is_authority_path(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_and_the_authority_answer_cors_localgraph_own_paths_do_not() {
        for path in [
            "/v1.0/deviceManagement",
            "/beta/$batch",
            "/v1.0/$metadata",
            "/contoso.onmicrosoft.com/oauth2/v2.0/token",
            "/common/discovery/v2.0/keys",
            "/contoso/v2.0/.well-known/openid-configuration",
        ] {
            assert!(answers_cors(path), "{path}");
        }
        for path in [
            "/",
            "/_localgraph/faults",
            "/healthz",
            "/metrics",
            "/contoso/oauth2/v2.0/token/x",
            "/oauth2/v2.0/token",
        ] {
            assert!(!answers_cors(path), "{path}");
        }
    }
}
