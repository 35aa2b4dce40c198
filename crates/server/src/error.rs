//! [`ApiError`]: every way a request fails, and the one place that knows its HTTP status
//! and Graph error `code`. The body (`{"error":{"code","message","innerError":{…}}}`) is
//! written by the request middleware, which knows the request ids.

use std::borrow::Cow;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use odata::input::JsonError;
use odata::query::QueryError;
use odata::{PathError, ValueError};
use store::{Cause, StoreError};

use crate::auth::TokenError;

/// Graph's `WWW-Authenticate` on a 401: Entra ID's authorize endpoint and Graph's app id.
pub const WWW_AUTHENTICATE: &str = r#"Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000""#;

/// The `Retry-After` of a 503 `ServiceUnavailable`, in seconds.
pub const RETRY_AFTER_SECONDS: u64 = 2;

/// Why a request failed, as the client sees it.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A path segment the version does not serve.
    #[error(transparent)]
    Path(#[from] PathError),
    /// The first path segment is not a Graph version.
    #[error("Invalid version: {0}")]
    InvalidVersion(String),
    /// A body that does not fit the model.
    #[error(transparent)]
    Validation(#[from] ValueError),
    /// A body that is not a JSON object, or not declared as JSON.
    #[error(
        "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format."
    )]
    MalformedJson,
    /// A body declared as another media type than JSON: ODataLib's message.
    #[error(
        "A supported MIME type could not be found that matches the content type of the response. None of the supported type(s) 'application/json' matches the content type '{0}'."
    )]
    UnsupportedMediaType(String),
    /// A JSON body declared in another charset than UTF-8: ODataLib's message.
    #[error("The character set '{0}' is not supported.")]
    UnsupportedCharset(String),
    /// A body over Graph's 4 MB limit.
    #[error("The maximum request length supported is 4MB.")]
    PayloadTooLarge,
    /// A body that did not arrive in time.
    #[error("The request body was not received within {0} seconds.")]
    BodyTimeout(u64),
    /// A method the addressed resource does not answer (Intune's form: 400, not 405).
    #[error(
        "No OData route exists that match template {template} with http verb {method} for request {path}."
    )]
    NoRoute {
        /// The OData route template, e.g. `~/singleton/navigation/key`.
        template: String,
        /// The HTTP method.
        method: String,
        /// The request path.
        path: String,
    },
    /// A query option localgraph does not serve, or a malformed one.
    #[error(transparent)]
    Query(#[from] QueryError),
    /// The addressed entity or one of its parents does not exist.
    #[error("The requested resource '{0}' does not exist.")]
    NotFound(String),
    /// A single-valued target created twice.
    #[error("The resource '{0}' already exists; use PATCH to update it.")]
    Conflict(String),
    /// A write naming another type than the stored entity has.
    #[error(
        "The entity is of type '#microsoft.graph.{stored}'; '@odata.type' names '#microsoft.graph.{given}'."
    )]
    TypeMismatch {
        /// The stored type.
        stored: String,
        /// The type the body named.
        given: String,
    },
    /// No valid token: Graph's 401 with the reason's message.
    #[error(transparent)]
    Unauthenticated(#[from] TokenError),
    /// The token lacks the permission the operation needs; any one of these would do.
    #[error(
        "Application is not authorized to perform this operation. Application must have one of the following scopes: {}",
        .0.join(", ")
    )]
    Forbidden(Vec<String>),
    /// A write binds a link (`managedDevice@odata.bind`, a `$ref`) to an entity that does
    /// not exist, or to something that is no entity of the link's target collection.
    #[error("{0}")]
    InvalidReference(String),
    /// A method a service endpoint (`$metadata`, `$batch`, …) does not answer: Graph's
    /// gateway form, 405.
    #[error("Specified HTTP method is not allowed for the request target.")]
    MethodNotAllowed,
    /// A `$batch` body that is not a valid batch; the whole batch fails.
    #[error("{0}")]
    InvalidBatch(String),
    /// A batch request whose dependency failed: it was not run.
    #[error("Request '{id}' was not run: it depends on request '{failed}', which failed.")]
    FailedDependency {
        /// The request that was not run.
        id: String,
        /// The failed request it depends on.
        failed: String,
    },
    /// The database is unreachable or kept failing transiently past the retry budget: the
    /// write did not happen (or is unconfirmed). Logged; the client is told to retry.
    #[error(
        "The service is temporarily unavailable. Please retry after {RETRY_AFTER_SECONDS} seconds."
    )]
    ServiceUnavailable(#[source] StoreError),
    /// A request that did not complete within the server's request timeout (Graph's
    /// gateway answers a timeout with 504 `UnknownError`).
    #[error("The request did not complete in time.")]
    Timeout,
    /// A request target longer than the server accepts.
    #[error("The request URI is longer than the {0} bytes this service accepts.")]
    UriTooLong(usize),
    /// Request headers larger than the server accepts.
    #[error("The request headers are larger than the {0} bytes this service accepts.")]
    HeadersTooLarge(usize),
    /// An answer that would hold more entity data than one response may.
    #[error(
        "The answer would hold more than {0} bytes of entity data, the most one response (or one $batch) holds. Select fewer properties ($select), expand less, or send fewer requests in the batch."
    )]
    ResponseTooLarge(usize),
    /// A refusal of the HTTP layer that says no more than its status.
    #[error("The request was refused: {}.", .0.canonical_reason().unwrap_or("unknown status"))]
    Http(StatusCode),
    /// Anything else: logged with the request id (the whole source chain), never shown.
    #[error("An internal server error has occurred.")]
    Internal(#[source] Cause),
    /// A control API request that is not valid (its body, its query).
    #[error("{0}")]
    InvalidRequest(String),
    /// A snapshot name that is taken.
    #[error("A snapshot named '{0}' exists already: delete it first, or choose another name.")]
    SnapshotExists(String),
    /// Throttled: a limit of the request's bucket is reached. `Retry-After` is the whole
    /// seconds until there is room (none under the observed profile, as Intune sends none).
    #[error("Too many requests.")]
    TooManyRequests {
        /// The `Retry-After` seconds, if sent.
        retry_after: Option<u64>,
    },
    /// A scripted fault: the status, code, message and `Retry-After` its rule gives.
    #[error("{message}")]
    Fault {
        /// The status.
        status: StatusCode,
        /// Graph's `code`.
        code: String,
        /// The message.
        message: String,
        /// The `Retry-After` seconds, if sent.
        retry_after: Option<u32>,
    },
}

impl ApiError {
    /// The HTTP status and Graph `code`: the one mapping of the server.
    pub fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::Path(_)
            | ApiError::MalformedJson
            | ApiError::Query(_)
            | ApiError::InvalidReference(_)
            | ApiError::InvalidBatch(_)
            | ApiError::InvalidRequest(_) => (StatusCode::BAD_REQUEST, "BadRequest"),
            ApiError::InvalidVersion(_) | ApiError::NotFound(_) => {
                (StatusCode::NOT_FOUND, "ResourceNotFound")
            }
            ApiError::Validation(_) | ApiError::TypeMismatch { .. } => {
                (StatusCode::BAD_REQUEST, "ModelValidationFailure")
            }
            ApiError::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "RequestEntityTooLarge"),
            // Graph's OData workloads' code for a body they cannot read (a 415 captured
            // from Outlook's: microsoftgraph/microsoft-graph-docs#4648).
            ApiError::UnsupportedMediaType(_) | ApiError::UnsupportedCharset(_) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "RequestBodyRead")
            }
            ApiError::BodyTimeout(_) => (StatusCode::REQUEST_TIMEOUT, "RequestTimeout"),
            ApiError::NoRoute { .. } => (StatusCode::BAD_REQUEST, "No method match route template"),
            ApiError::Conflict(_) | ApiError::SnapshotExists(_) => {
                (StatusCode::CONFLICT, "Conflict")
            }
            ApiError::TooManyRequests { .. } => (StatusCode::TOO_MANY_REQUESTS, "TooManyRequests"),
            // The rule's own code replaces this one in the body (`code`).
            ApiError::Fault { status, .. } => (*status, "Fault"),
            ApiError::Unauthenticated(_) => {
                (StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken")
            }
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "Forbidden"),
            ApiError::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "Request_BadRequest"),
            ApiError::FailedDependency { .. } => {
                (StatusCode::FAILED_DEPENDENCY, "FailedDependency")
            }
            ApiError::ServiceUnavailable(_) => {
                (StatusCode::SERVICE_UNAVAILABLE, "ServiceUnavailable")
            }
            ApiError::Timeout => (StatusCode::GATEWAY_TIMEOUT, "UnknownError"),
            ApiError::ResponseTooLarge(_) => (StatusCode::BAD_REQUEST, "ResponseTooLarge"),
            ApiError::UriTooLong(_) => (StatusCode::URI_TOO_LONG, "RequestUriTooLong"),
            ApiError::HeadersTooLarge(_) => (
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                "RequestHeaderFieldsTooLarge",
            ),
            ApiError::Http(status) if *status == StatusCode::BAD_REQUEST => (*status, "BadRequest"),
            ApiError::Http(status) => (*status, "UnknownError"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "InternalServerError"),
        }
    }

    /// Graph's `code` in the body: the mapping's, or a fault rule's own.
    pub fn code(&self) -> Cow<'static, str> {
        match self {
            ApiError::Fault { code, .. } => Cow::Owned(code.clone()),
            other => Cow::Borrowed(other.status_and_code().1),
        }
    }

    /// The `Retry-After` seconds the answer carries.
    fn retry_after(&self) -> Option<u64> {
        match self {
            ApiError::ServiceUnavailable(_) => Some(RETRY_AFTER_SECONDS),
            ApiError::TooManyRequests { retry_after } => *retry_after,
            ApiError::Fault { retry_after, .. } => retry_after.map(u64::from),
            _ => None,
        }
    }

    /// For the errors Intune's backend raises (403, 404 of an entity, 429, 500), the text
    /// of the `Message` in Intune's error document (`research/graph-behavior.md` §1.2: "An
    /// error has occurred" for 404 and 429, the scopes for 403); `None` for the gateway's
    /// errors, which keep a plain message under every profile.
    fn intune_text(&self) -> Option<String> {
        match self {
            ApiError::Forbidden(_) => Some(self.to_string()),
            ApiError::NotFound(_) | ApiError::TooManyRequests { .. } => {
                Some("An error has occurred".into())
            }
            ApiError::Internal(_) => Some("An internal server error has occurred".into()),
            ApiError::Fault {
                status, message, ..
            } if [403, 404, 429, 500].contains(&status.as_u16()) => {
                Some(message.trim_end_matches('.').to_string())
            }
            _ => None,
        }
    }

    /// The error a bare status stands for: what a layer answered (a timeout, a refused
    /// method, a body limit) without a Graph body of its own.
    pub fn from_status(status: StatusCode) -> ApiError {
        match status {
            StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed,
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
            StatusCode::GATEWAY_TIMEOUT => ApiError::Timeout,
            StatusCode::INTERNAL_SERVER_ERROR => {
                ApiError::Internal(format!("a layer answered {status} without a body").into())
            }
            other => ApiError::Http(other),
        }
    }

    /// The body the middleware renders for this error.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            code: self.code(),
            message: self.to_string(),
            intune: self.intune_text(),
            // Every ModelValidationFailure, as Intune repeats them (README "Errors").
            repeat_in_inner: self.status_and_code().1 == "ModelValidationFailure",
            log_detail: match self {
                ApiError::Internal(cause) => Some(chain(cause.as_ref())),
                ApiError::ServiceUnavailable(cause) => Some(chain(cause)),
                _ => None,
            },
            log_reason: match self {
                ApiError::Unauthenticated(e) => Some(e.reason()),
                _ => None,
            },
        }
    }

    /// Maps a store failure about the resource at `path`.
    pub fn from_store(error: StoreError, path: &str) -> ApiError {
        match error {
            StoreError::NotFound => ApiError::NotFound(path.to_string()),
            StoreError::Conflict => ApiError::Conflict(path.to_string()),
            StoreError::TypeMismatch { stored, given } => ApiError::TypeMismatch { stored, given },
            StoreError::InvalidReference => ApiError::InvalidReference(
                "An entity the request links to does not exist.".to_string(),
            ),
            StoreError::TooLarge { limit, .. } => ApiError::ResponseTooLarge(limit),
            unavailable @ StoreError::Unavailable(_) => ApiError::ServiceUnavailable(unavailable),
            other @ (StoreError::Backend(_) | StoreError::SchemaDrift(_)) => {
                ApiError::Internal(Box::new(other))
            }
        }
    }
}

impl From<JsonError> for ApiError {
    fn from(error: JsonError) -> ApiError {
        match error {
            JsonError::Malformed(_) => ApiError::MalformedJson,
            JsonError::DuplicateProperty(property) => {
                ApiError::Validation(ValueError::DuplicateProperty { property })
            }
        }
    }
}

/// An error and its sources, one after the other: `a: b: c`.
pub fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut out = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        out.push_str(": ");
        out.push_str(&cause.to_string());
        source = cause.source();
    }
    out
}

/// An error response waiting for its body, which the middleware writes.
#[derive(Debug, Clone)]
pub struct ErrorBody {
    /// Graph's `code`.
    pub code: Cow<'static, str>,
    /// The client-facing message.
    pub message: String,
    /// Whether the message is repeated in `innerError` (Intune does for validation errors).
    pub repeat_in_inner: bool,
    /// Detail for the log only (5xx).
    pub log_detail: Option<String>,
    /// Which check a 401 failed, for the request's log line only.
    pub log_reason: Option<&'static str>,
    /// For an Intune-class error, the text of Intune's message document, which the
    /// observed profile puts into `message`.
    pub intune: Option<String>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, _) = self.status_and_code();
        let body = self.body();
        let mut response = status.into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        if let Some(seconds) = self.retry_after() {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        let unauthenticated = match &self {
            ApiError::Unauthenticated(_) => true,
            ApiError::Fault { status, .. } => *status == StatusCode::UNAUTHORIZED,
            _ => false,
        };
        if unauthenticated {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(WWW_AUTHENTICATE),
            );
        }
        response.extensions_mut().insert(body);
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unavailable_store_is_a_503_with_retry_after() {
        let error = ApiError::from_store(StoreError::Unavailable("connection refused".into()), "x");
        assert_eq!(
            error.status_and_code(),
            (StatusCode::SERVICE_UNAVAILABLE, "ServiceUnavailable")
        );
        let response = error.into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[header::RETRY_AFTER], "2");
        let body = response.extensions().get::<ErrorBody>().unwrap();
        assert_eq!(
            body.log_detail.as_deref(),
            Some("the database is unavailable: connection refused")
        );
        assert!(!body.message.contains("refused"), "details stay in the log");
    }
}
