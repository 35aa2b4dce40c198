//! The dashboard (DESIGN §5): a page at `/` and its static assets under `/_localgraph/ui/`,
//! compiled into the binary from `crates/server/dashboard/`. The assets need no token; the
//! page reads everything through the Graph API and the control API with the bearer token
//! the user signs in with, like any client.
//!
//! Every asset is answered with its content type, a strong `ETag` (a digest of its bytes)
//! and `Cache-Control: no-cache`, so browsers revalidate and get a 304 until the binary
//! changes.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};

use crate::{ApiError, AppState};

/// Where the assets are served; `index.html` refers to them by this prefix.
pub const ASSETS_PREFIX: &str = "/_localgraph/ui/";

/// The page's policy: its own scripts, styles and API only, never framed.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; \
     frame-ancestors 'none'";

/// The assets' files, relative to `crates/server/dashboard/`. The API suite checks that
/// every file in that directory is listed here and served.
macro_rules! assets {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/dashboard/", $path)))),*]
    };
}
static FILES: &[(&str, &[u8])] = assets![
    "index.html",
    "style.css",
    "favicon.svg",
    "js/app.js",
    "js/api.js",
    "js/dom.js",
    "js/charts.js",
    "js/table.js",
    "js/session.js",
    "js/fleet.js",
    "js/pages/overview.js",
    "js/pages/scripts.js",
    "js/pages/configurations.js",
    "js/pages/macos.js",
    "js/pages/devices.js",
    "js/pages/requests.js",
    "js/pages/controls.js",
];

/// One asset, ready to answer.
struct Asset {
    body: &'static [u8],
    content_type: &'static str,
    etag: HeaderValue,
}

static ASSETS: LazyLock<HashMap<&'static str, Asset>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|&(path, body)| {
            let digest = Sha256::digest(body);
            let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
            let etag = HeaderValue::from_str(&format!("\"{hex}\""))
                // Invariant: quoted hex digits are a valid header value.
                .expect("an ETag of hex digits");
            let asset = Asset {
                body,
                content_type: content_type(path),
                etag,
            };
            (path, asset)
        })
        .collect()
});

/// The dashboard's routes: the page at `/`, its assets under [`ASSETS_PREFIX`].
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(index).fallback(method_not_allowed))
        .route(
            "/_localgraph/ui/{*path}",
            get(asset).fallback(method_not_allowed),
        )
}

async fn index(headers: HeaderMap) -> Response {
    answer("index.html", &headers).unwrap_or_else(|error| error.into_response())
}

async fn asset(Path(path): Path<String>, headers: HeaderMap) -> Response {
    answer(&path, &headers).unwrap_or_else(|error| error.into_response())
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

/// The asset at `path`: 200 with it, or 304 when the client's `If-None-Match` names it.
fn answer(path: &str, headers: &HeaderMap) -> Result<Response, ApiError> {
    let asset = ASSETS
        .get(path)
        .ok_or_else(|| ApiError::NotFound(format!("{ASSETS_PREFIX}{path}")))?;
    let fresh = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|tag| tag.trim() == "*" || tag.trim().trim_start_matches("W/") == asset.etag);
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static(asset.content_type),
            )],
            asset.body,
        )
            .into_response()
    };
    let out = response.headers_mut();
    out.insert(header::ETAG, asset.etag.clone());
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    out.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    out.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if asset.content_type.starts_with("text/html") {
        out.insert(
            HeaderName::from_static("content-security-policy"),
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        );
    }
    Ok(response)
}

/// The content type of an asset, by its extension.
fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    }
}
