//! The middleware every response passes through: Graph's request ids, its error envelope,
//! its fixed headers, and one log line per request.

use std::time::Instant;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use serde_json::{Value, json};

use crate::error::ErrorBody;

/// Graph's `request-id` response header.
pub static REQUEST_ID: HeaderName = HeaderName::from_static("request-id");
/// Graph's `client-request-id` request and response header.
pub static CLIENT_REQUEST_ID: HeaderName = HeaderName::from_static("client-request-id");
static DIAGNOSTIC: HeaderName = HeaderName::from_static("x-ms-ags-diagnostic");
const DIAGNOSTIC_VALUE: &str = r#"{"ServerInfo":{"DataCenter":"localgraph","Slice":"L","Ring":"0","ScaleUnit":"000","RoleInstance":"localgraph"}}"#;

/// The ids of one request, available to handlers as an extension.
#[derive(Debug, Clone)]
pub struct RequestIds {
    /// A new GUID for this request.
    pub request_id: String,
    /// The caller's `client-request-id`, else the request id.
    pub client_request_id: String,
}

/// Assigns the ids, renders error envelopes, sets the common headers, and logs.
pub async fn graph_envelope(mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let request_id = uuid::Uuid::new_v4().to_string();
    let client_request_id = request
        .headers()
        .get(&CLIENT_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 256)
        .map_or_else(|| request_id.clone(), str::to_string);
    let ids = RequestIds {
        request_id: request_id.clone(),
        client_request_id: client_request_id.clone(),
    };
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    request.extensions_mut().insert(ids);

    let mut response = next.run(request).await;

    let status = response.status();
    if let Some(error) = response.extensions_mut().remove::<ErrorBody>() {
        if let Some(detail) = &error.log_detail {
            tracing::error!(%request_id, %detail, "request failed");
        }
        let body = error_envelope(&error, &request_id, &client_request_id);
        *response.body_mut() = Body::from(body.to_string());
        response.headers_mut().remove(header::CONTENT_LENGTH);
    }
    let headers = response.headers_mut();
    for (name, value) in [
        (&REQUEST_ID, request_id.as_str()),
        (&CLIENT_REQUEST_ID, client_request_id.as_str()),
        (&DIAGNOSTIC, DIAGNOSTIC_VALUE),
    ] {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name.clone(), value);
        }
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    tracing::info!(
        %request_id,
        %method,
        %path,
        status = status.as_u16(),
        elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    response
}

/// Graph's error body for `error`, with the request's ids in `innerError`.
pub fn error_envelope(error: &ErrorBody, request_id: &str, client_request_id: &str) -> Value {
    let mut inner = serde_json::Map::new();
    if error.repeat_in_inner {
        inner.insert("message".into(), json!(error.message));
    }
    inner.insert("date".into(), json!(inner_error_date()));
    inner.insert("request-id".into(), json!(request_id));
    inner.insert("client-request-id".into(), json!(client_request_id));
    json!({"error": {"code": error.code, "message": error.message, "innerError": inner}})
}

/// `innerError.date`: UTC, no offset, no fraction (`2026-07-17T16:09:08`), as Graph writes it.
fn inner_error_date() -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    time::OffsetDateTime::now_utc()
        .format(&format)
        .unwrap_or_default()
}
