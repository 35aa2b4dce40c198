//! Where links in answers point (`@odata.context`, `@odata.nextLink`, `Location`, the
//! authority's endpoints): the scheme and host the client addressed, or the configured
//! public URL. Handlers read the request's base (`odata::base_url`); these middlewares
//! set it before any handler runs.

use axum::extract::Request;
use axum::http::uri::{Authority, Scheme};
use axum::http::{HeaderValue, Uri, header};

use crate::config::PublicUrl;

/// Links use the public URL, whatever scheme and `Host` the request came with.
/// Synchronous, like the other maps of a request in the stack (tower's
/// `MapRequestLayer`: axum's `map_request` boxes the rest of the stack on every request).
pub fn public(url: &PublicUrl, mut request: Request) -> Request {
    set_base(&mut request, url.scheme.clone(), url.authority.clone());
    request
}

/// The request came over TLS: links say `https`, on the host the client addressed.
/// (HTTP/1.1 sends only the path; the `Host` header names the host.)
pub fn https(mut request: Request) -> Request {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.parse::<Authority>().ok());
    if let Some(host) = host {
        set_base(&mut request, Scheme::HTTPS, host);
    }
    request
}

/// Makes the request URI absolute on `scheme://authority`, and `Host` name the authority.
fn set_base(request: &mut Request, scheme: Scheme, authority: Authority) {
    let path = request
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_string();
    if let Ok(host) = HeaderValue::from_str(authority.as_str()) {
        request.headers_mut().insert(header::HOST, host);
    }
    if let Ok(uri) = Uri::builder()
        .scheme(scheme)
        .authority(authority)
        .path_and_query(path)
        .build()
    {
        *request.uri_mut() = uri;
    }
}
