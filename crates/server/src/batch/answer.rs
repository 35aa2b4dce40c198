//! The batch's answer: one entry per request, each request's JSON embedded as it was
//! written (not parsed again), in request order.

use axum::body::{Body, to_bytes};
use axum::http::{HeaderValue, header};
use axum::response::Response;
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value as Json, json};

use super::Item;
use crate::error::ErrorBody;
use crate::middleware::{CLIENT_REQUEST_ID, REQUEST_ID, error_envelope};

/// The batch's answer.
#[derive(Serialize)]
pub(super) struct Answers {
    pub(super) responses: Vec<Answer>,
}

/// One entry of `responses`: id, status, headers and the body (JSON as the request's
/// answer wrote it, not parsed again; text bodies as a string).
#[derive(Serialize)]
pub(super) struct Answer {
    id: String,
    pub(super) status: u16,
    headers: Map<String, Json>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<AnswerBody>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum AnswerBody {
    Json(Box<RawValue>),
    Text(String),
}

/// The entry of one request's response.
pub(super) async fn answer(id: &str, mut response: Response, item: &Item) -> Answer {
    // A 424 never reached the router: give it the envelope the middleware gives errors.
    if let Some(error) = response.extensions_mut().remove::<ErrorBody>() {
        let request_id = uuid::Uuid::new_v4().to_string();
        let client = item
            .headers
            .get(&CLIENT_REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .map_or_else(|| request_id.clone(), str::to_string);
        let body = error_envelope(&error, &request_id, &client);
        *response.body_mut() = Body::from(body.to_string());
        for (name, value) in [(&REQUEST_ID, &request_id), (&CLIENT_REQUEST_ID, &client)] {
            if let Ok(value) = HeaderValue::from_str(value) {
                response.headers_mut().insert(name.clone(), value);
            }
        }
    }
    let status = response.status().as_u16();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    let mut headers = Map::new();
    for (name, value) in response.headers() {
        if name == header::CONTENT_LENGTH || name == header::DATE {
            continue;
        }
        if let Ok(value) = value.to_str() {
            headers.insert(graph_case(name.as_str()).to_string(), json!(value));
        }
    }
    let bytes = to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap_or_default();
    let body = if bytes.is_empty() {
        None
    } else {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        Some(if is_json {
            match RawValue::from_string(text) {
                Ok(json) => AnswerBody::Json(json),
                Err(_) => AnswerBody::Text(String::from_utf8_lossy(&bytes).into_owned()),
            }
        } else {
            AnswerBody::Text(text)
        })
    };
    Answer {
        id: id.to_string(),
        status,
        headers,
        body,
    }
}

/// Header names as Graph writes them in batch responses (`Content-Type`, `OData-Version`);
/// the others as the server sends them (`request-id`).
pub(super) fn graph_case(name: &str) -> &str {
    const KNOWN: [&str; 7] = [
        "Cache-Control",
        "Content-Type",
        "Location",
        "OData-EntityId",
        "OData-Version",
        "Preference-Applied",
        "Retry-After",
    ];
    KNOWN
        .iter()
        .find(|k| k.eq_ignore_ascii_case(name))
        .copied()
        .unwrap_or(name)
}
