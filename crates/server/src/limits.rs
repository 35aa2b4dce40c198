//! The request-level bounds of [`Limits`], as tower layers: a panic answers 500, a request
//! past its time 504, requests wait for a turn past `max_requests`, and an oversized
//! request target or header block is refused (414, 431). Each failure reaches the client
//! in Graph's error shape through [`ApiError`] (the envelope middleware renders bare
//! statuses the same way).

use std::any::Any;
use std::ops::ControlFlow;

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower::limit::GlobalConcurrencyLimitLayer;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::timeout::TimeoutLayer;

use crate::ApiError;
use crate::around::Around;
use crate::config::Limits;

/// The bytes of entity data the answer to one request may hold: `max_response_bytes`,
/// or, for a request of a `$batch`, its share of it (a request extension).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseBudget(pub usize);

/// Turns a panic in a handler into Graph's 500 (the panic's message goes to the log).
pub fn catch_panic() -> CatchPanicLayer<fn(Box<dyn Any + Send + 'static>) -> Response> {
    CatchPanicLayer::custom(panic_response as fn(Box<dyn Any + Send + 'static>) -> Response)
}

fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a panic without a message");
    ApiError::Internal(format!("the handler panicked: {message}").into()).into_response()
}

/// Ends a request that takes longer than `request_timeout` with 504.
pub fn timeout(limits: &Limits) -> TimeoutLayer {
    TimeoutLayer::with_status_code(StatusCode::GATEWAY_TIMEOUT, limits.request_timeout)
}

/// At most `max_requests` requests in the handlers at once, across every route it wraps
/// (one semaphore for all: axum layers each route separately).
pub fn concurrency(limits: &Limits) -> GlobalConcurrencyLimitLayer {
    GlobalConcurrencyLimitLayer::new(limits.max_requests.max(1))
}

/// Refuses a request target over `max_uri_bytes` (414) or headers over
/// `max_header_bytes` (431), and closes the connection after the answer. hyper refuses
/// larger ones still (a request target of 64 KB, a header block past its read buffer)
/// before any layer sees them, and closes too: whichever refuses, the client sees the same
/// end (a header block near hyper's buffer reaches one or the other depending on how its
/// bytes arrive).
#[derive(Debug, Clone)]
pub struct RequestSize(pub Limits);

impl Around for RequestSize {
    type Carry = ();

    fn before(&self, request: &mut Request) -> ControlFlow<Response, ()> {
        let limits = &self.0;
        let target = request
            .uri()
            .path_and_query()
            .map_or(0, |p| p.as_str().len());
        if target > limits.max_uri_bytes {
            return ControlFlow::Break(closing(ApiError::UriTooLong(limits.max_uri_bytes)));
        }
        // As on the wire: "name: value\r\n" per header.
        let headers: usize = request
            .headers()
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len() + 4)
            .sum();
        if headers > limits.max_header_bytes {
            return ControlFlow::Break(closing(ApiError::HeadersTooLarge(limits.max_header_bytes)));
        }
        ControlFlow::Continue(())
    }

    fn after(&self, (): (), response: Response) -> Response {
        response
    }
}

/// `error`'s answer with `connection: close`, which hyper honours by closing once it is
/// written.
fn closing(error: ApiError) -> Response {
    let mut response = error.into_response();
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}
