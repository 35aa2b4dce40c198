//! Discovery: the service document, `$metadata` (CSDL) and `openapi.json` of each version,
//! written at run time from the model and the served places that route the requests
//! ([`routes`]), so they list exactly what the router answers.

mod cache;
mod openapi;
mod places;

pub use cache::Documents;

pub use places::{Route, routes, served_model};

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;
use intune::{ApiVersion, Schema};
use odata::path::percent_decode;
use serde_json::{Map, Value as Json, json};

use crate::odata::{base_url, render};
use crate::{ApiError, AppState};

/// The CSDL document of `version`: the served model, as XML.
pub fn metadata_document(schema: &Schema, version: ApiVersion) -> String {
    served_model(schema.model(version), schema.places(version)).to_csdl()
}

/// The OpenAPI 3.1 document of `version`, its server URL under `base`
/// (`http://127.0.0.1:8080`).
pub fn openapi_document(schema: &Schema, version: ApiVersion, base: &str) -> Json {
    openapi::document(schema, version, base)
}

/// The version of a request to `/{version}/…`.
pub fn version_of(uri: &Uri) -> Result<ApiVersion, ApiError> {
    let raw = uri.path().trim_start_matches('/');
    let segment = percent_decode(raw.split('/').next().unwrap_or_default());
    ApiVersion::parse(&segment).ok_or_else(|| ApiError::InvalidVersion(segment.to_lowercase()))
}

/// `GET /{version}/$metadata`: CSDL XML.
pub async fn metadata(
    State(app): State<AppState>,
    method: Method,
    uri: Uri,
) -> Result<Response, ApiError> {
    let version = get_only(&method, &uri)?;
    let xml = app.documents.metadata(&app.schema, version);
    Ok(typed(xml, "application/xml"))
}

/// `GET /{version}/openapi.json`: the OpenAPI document.
pub async fn openapi(
    State(app): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let version = get_only(&method, &uri)?;
    let base = base_url(&uri, &headers);
    let document = app.documents.openapi(&app.schema, version, &base);
    Ok(typed(document, "application/json"))
}

/// `GET /{version}/`: the service document, listing the singletons the version serves.
pub async fn service_document(
    State(app): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let version = get_only(&method, &uri)?;
    let base = base_url(&uri, &headers);
    let value: Vec<Json> = app
        .schema
        .model(version)
        .singletons()
        .iter()
        .map(|s| json!({ "name": s.name, "kind": "Singleton", "url": s.name }))
        .collect();
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        json!(format!("{base}/{}/$metadata", version.as_str())),
    );
    body.insert("value".into(), Json::Array(value));
    Ok(render::json(StatusCode::OK, &body))
}

fn get_only(method: &Method, uri: &Uri) -> Result<ApiVersion, ApiError> {
    let version = version_of(uri)?;
    if method != Method::GET {
        return Err(ApiError::MethodNotAllowed);
    }
    Ok(version)
}

fn typed(body: impl Into<Body>, content_type: &'static str) -> Response {
    let mut response = Response::new(body.into());
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert("odata-version", HeaderValue::from_static("4.0"));
    response
}
