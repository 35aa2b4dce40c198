//! Request bodies as Graph reads them: declared as JSON (UTF-8), at most 4 MB, sent
//! within 30 seconds, parsed by the one input rule (`odata::input`), for Graph's writes,
//! `$batch` (and each of its requests, which run as direct ones) and the control API
//! alike.

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

/// The bytes of a JSON body: a JSON `Content-Type` ([`json_content_type`]), at most 4 MB,
/// within 30 s.
pub async fn read_bytes(headers: &HeaderMap, body: Body) -> Result<Bytes, ApiError> {
    let bytes = tokio::time::timeout(BODY_TIMEOUT, to_bytes(body, MAX_BODY))
        .await
        .map_err(|_| ApiError::BodyTimeout(BODY_TIMEOUT.as_secs()))?
        .map_err(|_| ApiError::PayloadTooLarge)?;
    json_content_type(headers)?;
    Ok(bytes)
}

/// Checks that a request declares a JSON body: `application/json` (any case), with any
/// parameters (`odata.metadata=minimal`, `IEEE754Compatible=false`, …) but a `charset`
/// other than UTF-8. Without a `Content-Type` it is the gateway's 400 (research §1.3);
/// another media type is ODataLib's 415, as Graph's OData workloads answer it; another
/// charset is refused rather than read as UTF-8 (what Graph does with one is not on
/// record; ODataLib would read the body in it).
pub fn json_content_type(headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Err(ApiError::MalformedJson);
    };
    let text = value.to_str().map_err(|_| ApiError::MalformedJson)?;
    let mut parts = text.split(';');
    let media_type = parts.next().unwrap_or_default().trim();
    if !media_type.eq_ignore_ascii_case("application/json") {
        return Err(ApiError::UnsupportedMediaType(text.to_string()));
    }
    for parameter in parts {
        let Some((name, charset)) = parameter.split_once('=') else {
            continue;
        };
        let charset = charset.trim().trim_matches('"');
        let utf8 = charset.eq_ignore_ascii_case("utf-8") || charset.eq_ignore_ascii_case("utf8");
        if name.trim().eq_ignore_ascii_case("charset") && !utf8 {
            return Err(ApiError::UnsupportedCharset(charset.to_string()));
        }
    }
    Ok(())
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
