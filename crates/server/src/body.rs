//! Request bodies as Graph reads them: declared as JSON, at most 4 MB, sent within 30
//! seconds, parsed by the one input rule (`odata::input`), for Graph's writes, `$batch`
//! and the control API alike.

use std::time::Duration;

use axum::body::{Body, Bytes, to_bytes};
use axum::http::{HeaderMap, header};
use odata::input::{Document, Numbers};
use serde_json::{Map, Value as Json};

use crate::ApiError;

/// Graph's request size limit.
pub const MAX_BODY: usize = 4 * 1024 * 1024;

/// How long a client may take to send a body.
const BODY_TIMEOUT: Duration = Duration::from_secs(30);

/// A body that is a JSON object, and how it wrote its numbers (for messages that quote
/// one as sent).
#[derive(Debug, Clone, Default)]
pub struct ObjectBody {
    /// The object.
    pub object: Map<String, Json>,
    /// The text of its floats, as written.
    pub numbers: Numbers,
}

/// The bytes of a JSON body: a JSON `Content-Type`, at most 4 MB, within 30 s.
pub async fn read_bytes(headers: &HeaderMap, body: Body) -> Result<Bytes, ApiError> {
    let bytes = tokio::time::timeout(BODY_TIMEOUT, to_bytes(body, MAX_BODY))
        .await
        .map_err(|_| ApiError::BodyTimeout(BODY_TIMEOUT.as_secs()))?
        .map_err(|_| ApiError::PayloadTooLarge)?;
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().contains("json"));
    if !is_json {
        return Err(ApiError::MalformedJson);
    }
    Ok(bytes)
}

/// A JSON body ([`read_bytes`]), parsed.
pub async fn read_json(headers: &HeaderMap, body: Body) -> Result<Document, ApiError> {
    let bytes = read_bytes(headers, body).await?;
    Ok(odata::input::parse_document(&bytes)?)
}

/// A JSON body ([`read_json`]) that must be an object.
pub async fn read_object(headers: &HeaderMap, body: Body) -> Result<ObjectBody, ApiError> {
    match read_json(headers, body).await? {
        Document {
            json: Json::Object(object),
            numbers,
        } => Ok(ObjectBody { object, numbers }),
        _ => Err(ApiError::MalformedJson),
    }
}
