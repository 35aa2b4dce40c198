//! One span per request, with the request id as a field, so every log line a request
//! causes (a store retry, a 5xx's detail) names it; and one `request` line when it is
//! answered. Built on tower-http's `TraceLayer`.
//!
//! The span's fields are declared here (`tracing::field::Empty`) and recorded where they
//! become known (`Span::current().record(…)`): each is recorded once per request.

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
        // Recorded as they become known: the route template and query (telemetry), the
        // tenant and app (when the token is verified), the reason of a 4xx (the envelope).
        tracing::info_span!(
            "request",
            request_id = %request_id,
            method = %request.method(),
            path = %request.uri().path(),
            route = tracing::field::Empty,
            query = tracing::field::Empty,
            tenant = tracing::field::Empty,
            app = tracing::field::Empty,
            reason = tracing::field::Empty,
        )
    }
}

/// Logs the `request` line: status and time taken, inside the request's span.
#[derive(Debug, Clone, Copy)]
pub struct Answered;

impl<B> OnResponse<B> for Answered {
    fn on_response(self, response: &Response<B>, latency: Duration, _span: &Span) {
        // Two decimals: 2.02, not 2.0176629999999998.
        let elapsed_ms = (latency.as_secs_f64() * 100_000.0).round() / 100.0;
        tracing::info!(status = response.status().as_u16(), elapsed_ms, "request");
    }
}
