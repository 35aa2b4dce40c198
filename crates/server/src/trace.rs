//! One span per request, with the request id as a field, so every log line a request
//! causes (a store retry, a 5xx's detail) names it; and one `request` line when it is
//! answered. Built on tower-http's `TraceLayer`.
//!
//! The span is the place for more fields: declare them here (`tracing::field::Empty`)
//! and record them where they become known (`Span::current().record(…)`).

use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::{MakeSpan, OnResponse, TraceLayer};
use tracing::Span;

use crate::RequestIds;

/// The layer: a `request` span (request id, method, path) and the answered line.
pub fn layer()
-> TraceLayer<SharedClassifier<ServerErrorsAsFailures>, RequestSpan, (), Answered, (), (), ()> {
    TraceLayer::new_for_http()
        .make_span_with(RequestSpan)
        .on_request(())
        .on_response(Answered)
        .on_body_chunk(())
        .on_eos(())
        .on_failure(())
}

/// Makes the `request` span from the ids [`crate::middleware::assign_ids`] gave the request.
#[derive(Debug, Clone, Copy)]
pub struct RequestSpan;

impl MakeSpan<Body> for RequestSpan {
    fn make_span(&mut self, request: &Request) -> Span {
        let request_id = request
            .extensions()
            .get::<RequestIds>()
            .map(|ids| ids.request_id.as_str())
            .unwrap_or_default();
        tracing::info_span!(
            "request",
            request_id = %request_id,
            method = %request.method(),
            path = %request.uri().path(),
        )
    }
}

/// Logs the `request` line: status and time taken, inside the request's span.
#[derive(Debug, Clone, Copy)]
pub struct Answered;

impl<B> OnResponse<B> for Answered {
    fn on_response(self, response: &Response<B>, latency: Duration, _span: &Span) {
        tracing::info!(
            status = response.status().as_u16(),
            elapsed_ms = latency.as_secs_f64() * 1000.0,
            "request"
        );
    }
}
