//! One span per request, with the request id as a field, so every log line a request
//! causes (a store retry, a 5xx's detail) names it; and one `request` line when it is
//! answered. Built on tower-http's `TraceLayer`.
//!
//! The span's fields are declared here (`tracing::field::Empty`) and recorded where they
//! become known, through [`record`]: each is recorded once per request.

use std::borrow::Cow;
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::{MakeSpan, OnResponse, TraceLayer};
use tracing::Span;
use tracing::field::{Field, Value};
use tracing::span::Record;

use crate::RequestIds;

/// Query parameters whose values are credentials (OAuth 2.0's and Entra ID's names), which
/// neither the log nor the journal keeps: a client that puts its secret or token in the
/// URL, even one refused for it, must not leave it in a file.
const SECRET_PARAMETERS: [&str; 9] = [
    "client_secret",
    "client_assertion",
    "assertion",
    "access_token",
    "refresh_token",
    "id_token",
    "code",
    "code_verifier",
    "password",
];

/// What replaces a secret parameter's value.
const REDACTED: &str = "REDACTED";

/// `query` with the value of every [`SECRET_PARAMETERS`] parameter replaced by
/// `REDACTED` (names compared case-insensitively and percent-decoded, as a form decoder
/// reads them); borrowed when it has none.
pub fn redact_query(query: &str) -> Cow<'_, str> {
    let secret = |pair: &str| {
        let name = pair.split_once('=').map_or(pair, |(name, _)| name);
        let name = if name.contains(['%', '+']) {
            Cow::Owned(::odata::query::decode(name))
        } else {
            Cow::Borrowed(name)
        };
        SECRET_PARAMETERS
            .iter()
            .any(|known| name.trim().eq_ignore_ascii_case(known))
    };
    if !query.split('&').any(secret) {
        return Cow::Borrowed(query);
    }
    let pairs: Vec<Cow<str>> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if secret(pair) => Cow::Owned(format!("{name}={REDACTED}")),
            _ => Cow::Borrowed(pair),
        })
        .collect();
    Cow::Owned(pairs.join("&"))
}

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
            .map(|ids| &*ids.request_id)
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

/// Records late fields of the current request's `request` span (see [`RequestSpan`]),
/// those given as `Some`, in one step. Through the dispatcher, not
/// `Span::current().record(…)`: that takes a handle to the span (and gives it back) and
/// looks the span up for each field. Records nothing outside a span that declares all of
/// `fields`.
pub(crate) fn record<const N: usize>(fields: [(&'static str, Option<&str>); N]) {
    // An empty record would still add a space to the span's fields.
    if fields.iter().all(|(_, value)| value.is_none()) {
        return;
    }
    tracing::dispatcher::get_default(|dispatch| {
        let current = dispatch.current_span();
        let (Some(id), Some(meta)) = (current.id(), current.metadata()) else {
            return;
        };
        let declared = meta.fields();
        let keys = fields.map(|(name, _)| declared.field(name));
        if keys.iter().any(Option::is_none) {
            return;
        }
        let values: [(&Field, Option<&dyn Value>); N] = std::array::from_fn(|i| {
            // Proven above: every one is declared.
            let key = keys[i].as_ref().expect("a declared field");
            (key, fields[i].1.as_ref().map(|value| value as &dyn Value))
        });
        dispatch.record(id, &Record::new(&declared.value_set(&values)));
    });
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    #[test]
    fn secrets_in_a_query_are_redacted_the_rest_kept() {
        for (query, logged) in [
            ("$top=1&$filter=x eq 'code'", "$top=1&$filter=x eq 'code'"),
            (
                "grant_type=client_credentials&client_id=abc&client_secret=s3cr%2Ft&scope=x",
                "grant_type=client_credentials&client_id=abc&client_secret=REDACTED&scope=x",
            ),
            ("access_token=eyJ.a.b", "access_token=REDACTED"),
            (
                "Client%5FSecret=s&CODE=c&x=1",
                "Client%5FSecret=REDACTED&CODE=REDACTED&x=1",
            ),
            (
                "refresh_token=r&password=p",
                "refresh_token=REDACTED&password=REDACTED",
            ),
            // A bare name has no value to hide.
            ("code&x=1", "code&x=1"),
        ] {
            assert_eq!(redact_query(query), logged, "{query}");
        }
        assert!(matches!(redact_query("$top=1"), Cow::Borrowed(_)));
    }

    /// A log sink the test reads back.
    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Sink {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn late_fields_are_recorded_on_the_request_span_the_absent_ones_left_out() {
        let sink = Sink::default();
        let writer = sink.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .without_time()
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            // Outside a request's span: nothing to record, nothing recorded.
            record([("tenant", Some("nobody"))]);
            let request = Request::builder()
                .uri("/v1.0/deviceManagement?$top=1")
                .body(Body::empty())
                .unwrap();
            let span = RequestSpan.make_span(&request);
            let _entered = span.enter();
            record([("tenant", Some("contoso")), ("app", None)]);
            record([
                ("route", Some("/v1.0/deviceManagement")),
                ("query", Some("$top=1")),
            ]);
            // A field the span does not declare: nothing recorded.
            record([("reason", Some("kept")), ("other", Some("dropped"))]);
            tracing::info!("answered");
        });
        let text = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
        assert_eq!(
            text,
            " INFO request{request_id= method=GET path=/v1.0/deviceManagement \
             tenant=\"contoso\" route=\"/v1.0/deviceManagement\" query=\"$top=1\"}: \
             server::trace::tests: answered\n"
        );
    }
}
