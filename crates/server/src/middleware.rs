//! The middleware every response passes through: Graph's request ids, its error envelope
//! and its fixed headers.

use std::ops::ControlFlow;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::response::Response;
use serde_json::{Value, json};

use crate::ApiError;
use crate::around::Around;
use crate::error::ErrorBody;

/// Graph's `request-id` response header.
pub static REQUEST_ID: HeaderName = HeaderName::from_static("request-id");
/// Graph's `client-request-id` request and response header.
pub static CLIENT_REQUEST_ID: HeaderName = HeaderName::from_static("client-request-id");
static DIAGNOSTIC: HeaderName = HeaderName::from_static("x-ms-ags-diagnostic");
/// Checked when it is compiled: every response shares these bytes, with no copy.
static DIAGNOSTIC_VALUE: HeaderValue = HeaderValue::from_static(
    r#"{"ServerInfo":{"DataCenter":"localgraph","Slice":"L","Ring":"0","ScaleUnit":"000","RoleInstance":"localgraph"}}"#,
);

/// The ids of one request, available to handlers as an extension. Shared, not copied:
/// the envelope, the controls and the journal each keep them.
#[derive(Debug, Clone)]
pub struct RequestIds {
    /// A new GUID for this request.
    pub request_id: Arc<str>,
    /// The caller's `client-request-id`, else the request id.
    pub client_request_id: Arc<str>,
}

impl RequestIds {
    /// Fresh ids for a request with these headers.
    pub fn new(headers: &HeaderMap) -> RequestIds {
        let mut guid = uuid::Uuid::encode_buffer();
        let request_id: Arc<str> =
            Arc::from(&*uuid::Uuid::new_v4().hyphenated().encode_lower(&mut guid));
        let client_request_id = headers
            .get(&CLIENT_REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty() && v.len() <= 256)
            .map_or_else(|| request_id.clone(), Arc::from);
        RequestIds {
            request_id,
            client_request_id,
        }
    }
}

/// Gives the request its ids, first of all, so every layer and log line can name them.
/// Synchronous, for tower's `MapRequestLayer`: axum's `map_request` would box the rest of
/// the stack and its future on every request.
pub fn assign_ids(mut request: Request) -> Request {
    let ids = RequestIds::new(request.headers());
    request.extensions_mut().insert(ids);
    request
}

/// Renders error envelopes and sets the common headers. Every error response gets
/// Graph's body here: an [`ApiError`]'s, or, for a layer that answered a bare status (a
/// timeout, an extractor's plain-text refusal), the one [`ApiError::from_status`] gives.
#[derive(Debug, Clone, Copy)]
pub struct GraphEnvelope;

impl Around for GraphEnvelope {
    type Carry = RequestIds;

    /// The ids [`assign_ids`] gave the request, the stack's first layer (fresh ones for
    /// a stack built without it).
    fn before(&self, request: &mut Request) -> ControlFlow<Response, RequestIds> {
        let ids = request.extensions().get::<RequestIds>().cloned();
        ControlFlow::Continue(ids.unwrap_or_else(|| RequestIds::new(request.headers())))
    }

    fn after(&self, ids: RequestIds, mut response: Response) -> Response {
        let error = response
            .extensions_mut()
            .remove::<ErrorBody>()
            .or_else(|| bare_error(&response));
        if let Some(error) = error {
            if let Some(detail) = &error.log_detail {
                tracing::error!(request_id = %ids.request_id, %detail, "request failed");
            }
            if response.status().is_client_error() {
                let reason = match error.log_reason {
                    Some(check) => format!("{} ({check}): {}", error.code, error.message),
                    None => format!("{}: {}", error.code, error.message),
                };
                crate::trace::record([("reason", Some(reason.as_str()))]);
            }
            let body = error_envelope(&error, &ids.request_id, &ids.client_request_id);
            *response.body_mut() = Body::from(body.to_string());
            let headers = response.headers_mut();
            headers.remove(header::CONTENT_LENGTH);
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
        }
        let headers = response.headers_mut();
        for (name, value) in [
            (&REQUEST_ID, &ids.request_id),
            (&CLIENT_REQUEST_ID, &ids.client_request_id),
        ] {
            if let Ok(value) = HeaderValue::from_str(value) {
                headers.insert(name.clone(), value);
            }
        }
        headers.insert(DIAGNOSTIC.clone(), DIAGNOSTIC_VALUE.clone());
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        response
    }
}

/// The Graph error of a 4xx or 5xx answered without a JSON body.
fn bare_error(response: &Response) -> Option<ErrorBody> {
    let status = response.status();
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    (status.as_u16() >= 400 && !json).then(|| ApiError::from_status(status).body())
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
