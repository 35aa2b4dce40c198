//! What the service tells its operators: Prometheus metrics at `GET /metrics` (no token,
//! no tenant data: labels are methods, route templates, statuses and table places), and
//! the route template every request's log line carries.
//!
//! Metrics go through the `metrics` facade, so any crate records them (the store times its
//! transactions); one process-wide Prometheus recorder renders them.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::ControlFlow;
use std::sync::{Arc, LazyLock, OnceLock, PoisonError, RwLock};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use intune::{ApiVersion, Schema};
use metrics::{Counter, Histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use odata::Places;
use odata::path::{ResourcePath, Segment, Suffix};

use crate::AppState;
use crate::around::Around;
use crate::graph_paths::ServiceRoute;

/// Requests answered, by method, route template and status.
pub const REQUESTS: &str = "localgraph_http_requests_total";
/// Time from request to response headers, by method and route template.
pub const REQUEST_SECONDS: &str = "localgraph_http_request_duration_seconds";
/// Requests throttling answered with 429.
pub const THROTTLED: &str = "localgraph_throttled_requests_total";
/// Requests a fault rule delayed or answered.
pub const FAULTED: &str = "localgraph_faulted_requests_total";

/// Rows written into the data set by `localgraph seed` and `localgraph import` (any
/// process, any node), by `by`: read from the data set at every scrape.
pub const DATA_SET_ROWS: &str = "localgraph_data_set_rows_written";

/// The data set's settings that count the rows `seed` and `import` wrote, with the
/// `by` label of each. Kept out of exports: an import counts what it writes itself.
pub const ROWS_WRITTEN_BY: [(&str, &str); 2] = [
    ("stats/rows_seeded", "seed"),
    ("stats/rows_imported", "import"),
];

/// The prefix of the data set's settings that are statistics.
pub const STATS_SETTINGS: &str = "stats/";

/// Histogram buckets, in seconds: from a cached read (well under a millisecond) to the
/// request timeout.
const BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0, 60.0,
];

/// How often the histograms' samples are folded into their buckets when nobody scrapes.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

/// The process's Prometheus recorder, installed on first use (the tests start many apps in
/// one process; they share it), with a thread that keeps its memory bounded.
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &BUCKETS)
            // Invariant: the buckets above are not empty.
            .expect("histogram buckets");
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("another metrics recorder is installed; /metrics stays empty");
        }
        describe();
        store::metrics::register();
        upkeep(handle.clone());
        handle
    })
}

/// Folds the histograms' samples into their buckets every [`UPKEEP_EVERY`]. The recorder
/// keeps each sample (two a request) until then; without this only a scrape of `/metrics`
/// did, and a server nobody scraped grew by about 41 bytes a request (bench/HISTORY.md,
/// step 23). A thread, not a task: the recorder is the process's, made
/// once, outside any one runtime.
fn upkeep(handle: PrometheusHandle) {
    let started = std::thread::Builder::new()
        .name("metrics-upkeep".into())
        .spawn(move || {
            loop {
                std::thread::sleep(UPKEEP_EVERY);
                handle.run_upkeep();
            }
        });
    if let Err(error) = started {
        tracing::warn!(%error, "no metrics upkeep thread; memory grows until /metrics is scraped");
    }
}

/// The HELP lines, and the counters that start at 0 (so a rate over them is defined
/// before the first throttled or faulted request).
fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        REQUESTS,
        "Requests answered, by method, route template and status."
    );
    describe_histogram!(
        REQUEST_SECONDS,
        Unit::Seconds,
        "Time from request to response headers, by method and route template."
    );
    describe_counter!(THROTTLED, "Requests answered 429 by throttling.");
    describe_counter!(FAULTED, "Requests a fault rule delayed or answered.");
    describe_histogram!(
        store::metrics::TRANSACTION_SECONDS,
        Unit::Seconds,
        "Store transactions (with their retries), by kind and outcome."
    );
    describe_gauge!(
        store::metrics::POOL_CONNECTIONS,
        "Database connections of this node: in_use, idle, max."
    );
    describe_gauge!(
        DATA_SET_ROWS,
        "Rows seed and import wrote into the data set, by command (the same on every node)."
    );
    metrics::counter!(THROTTLED).increment(0);
    metrics::counter!(FAULTED).increment(0);
}

/// `GET /metrics`: every metric in Prometheus' text format.
pub async fn metrics(State(app): State<AppState>) -> Response {
    for (setting, by) in ROWS_WRITTEN_BY {
        // The data set's counts, when the database answers.
        if let Ok(count) = app.store.find_setting(setting).await {
            let rows = count.and_then(|c| c.parse::<f64>().ok()).unwrap_or(0.0);
            metrics::gauge!(DATA_SET_ROWS, "by" => by).set(rows);
        }
    }
    let pool = app.store.pool_use();
    for (state, count) in [
        ("in_use", pool.open.saturating_sub(pool.idle)),
        ("idle", pool.idle),
        ("max", pool.max),
    ] {
        metrics::gauge!(store::metrics::POOL_CONNECTIONS, "state" => state).set(f64::from(count));
    }
    let handle = handle();
    handle.run_upkeep();
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
        .into_response()
}

/// Names the request's route in its span (`route`, `query`) and counts and times it.
/// Runs outside the routers: the route that answered is in the response's extensions
/// ([`NameRoute`]).
#[derive(Clone)]
pub struct Observe(pub Arc<Schema>);

/// What [`Observe`] keeps of a request until it is answered.
pub struct Observed {
    method: Method,
    uri: Uri,
    started: Instant,
}

impl Around for Observe {
    type Carry = Observed;

    fn before(&self, request: &mut Request) -> ControlFlow<Response, Observed> {
        ControlFlow::Continue(Observed {
            method: request.method().clone(),
            uri: request.uri().clone(),
            started: Instant::now(),
        })
    }

    fn after(&self, observed: Observed, response: Response) -> Response {
        let Observed {
            method,
            uri,
            started,
        } = observed;
        let elapsed = started.elapsed();
        let route: Cow<str> = match response.extensions().get::<GraphRoute>() {
            Some(GraphRoute(route)) => Cow::Borrowed(route),
            None => {
                let matched = response.extensions().get::<MatchedPath>();
                Cow::Owned(route_template(
                    &self.0,
                    uri.path(),
                    matched.map(MatchedPath::as_str),
                ))
            }
        };
        let query = uri.query().map(crate::trace::redact_query);
        crate::trace::record([("route", Some(&*route)), ("query", query.as_deref())]);
        let (requests, seconds) = request_metrics(method.as_str(), &route, response.status());
        requests.increment(1);
        seconds.record(elapsed.as_secs_f64());
        response
    }
}

/// The request counter and latency histogram of a method, route and status. Registered
/// once each: building the labels and looking them up in the recorder on every request
/// cost more than the rest of the request's metrics (bench/HISTORY.md, step 11).
fn request_metrics(method: &str, route: &str, status: StatusCode) -> (Counter, Histogram) {
    type Registered = HashMap<String, (Counter, Histogram), foldhash::fast::RandomState>;
    static REGISTERED: LazyLock<RwLock<Registered>> = LazyLock::new(Default::default);
    let mut key = String::with_capacity(method.len() + route.len() + 5);
    for part in [method, " ", status.as_str(), " ", route] {
        key.push_str(part);
    }
    // A poisoned lock still holds whole entries: each is inserted in one step.
    if let Some(found) = REGISTERED
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&key)
    {
        return found.clone();
    }
    let (method, route) = (method.to_string(), route.to_string());
    let made = (
        metrics::counter!(REQUESTS, "method" => method.clone(), "route" => route.clone(), "status" => status.as_str().to_string()),
        metrics::histogram!(REQUEST_SECONDS, "method" => method, "route" => route),
    );
    REGISTERED
        .write()
        .unwrap_or_else(PoisonError::into_inner)
        .entry(key)
        .or_insert(made)
        .clone()
}

/// Tells [`Observe`] which route answered: the router's matched path, copied into the
/// response (a route layer, inside the router that matched).
#[derive(Debug, Clone, Copy)]
pub struct NameRoute;

impl Around for NameRoute {
    type Carry = Option<MatchedPath>;

    fn before(&self, request: &mut Request) -> ControlFlow<Response, Option<MatchedPath>> {
        ControlFlow::Continue(request.extensions().get::<MatchedPath>().cloned())
    }

    fn after(&self, matched: Option<MatchedPath>, mut response: Response) -> Response {
        if let Some(matched) = matched {
            response.extensions_mut().insert(matched);
        }
        response
    }
}

/// The route a request to `path` took (`matched`: the router's pattern, if a route
/// rather than the fallback answered), with every key and tenant as a placeholder, so
/// that label values are few:
/// `/beta/deviceManagement/deviceManagementScripts/{id}/runSummary/$ref`,
/// `/{tenant}/oauth2/v2.0/token`, `/_localgraph/faults/{id}`, `/beta/$batch`;
/// `/beta/(unknown)` for a path the version does not serve, `(unknown version)` and
/// `(unmatched)` for the rest.
pub fn route_template(schema: &Schema, path: &str, matched: Option<&str>) -> String {
    let (first, rest) = path
        .strip_prefix('/')
        .map(|p| p.split_once('/').unwrap_or((p, "")))
        .unwrap_or_default();
    match (ApiVersion::parse(first), matched) {
        (Some(version), None) => graph_template(schema, version, path, rest),
        // `$metadata`, `$batch`, `openapi.json`, the service document.
        (Some(version), Some(route)) => route.replacen("{version}", version.as_str(), 1),
        // The authority's routes: the router calls their first segment `{version}`.
        (None, Some(route)) if route.contains("/v2.0/") => {
            route.replacen("{version}", "{tenant}", 1)
        }
        (None, Some(route)) if route.starts_with("/{version}") => "(unknown version)".into(),
        (None, Some(route)) => route.to_string(),
        // What Graph's fallback took: `/v2.0/x` is a version it does not serve.
        (None, None) if !rest.is_empty() => "(unknown version)".into(),
        (None, None) => "(unmatched)".into(),
    }
}

/// A Graph path's template, from the version's places; for a request a fault rule
/// answered before the router saw it, the name the router's route would have given
/// (`/v1.0/$metadata`, `/beta/$batch`, `/v1.0` for the service document without its `/`).
fn graph_template(schema: &Schema, version: ApiVersion, path: &str, rest: &str) -> String {
    if ServiceRoute::of_segment(rest).is_some() {
        return format!("/{}/{rest}", version.as_str());
    }
    if rest.is_empty() && !path.ends_with('/') {
        return format!("/{}", version.as_str());
    }
    if rest.trim_matches('/').is_empty() {
        return format!("/{}/", version.as_str());
    }
    let places = schema.places(version);
    match ResourcePath::parse(places, schema.model(version), rest) {
        Ok(path) => graph_route(version, places, &path),
        Err(_) => format!("/{}/(unknown)", version.as_str()),
    }
}

/// The route template of a parsed Graph path (`/beta/deviceManagement/…/{id}/runSummary`).
pub fn graph_route(version: ApiVersion, places: &Places, path: &ResourcePath) -> String {
    let mut template = String::with_capacity(96);
    template.push('/');
    template.push_str(version.as_str());
    for segment in &path.segments {
        template.push('/');
        match segment {
            Segment::Place(id) => template.push_str(&places.get(*id).name),
            Segment::Key(_) => template.push_str("{id}"),
            Segment::Cast(name) => {
                template.push_str("microsoft.graph.");
                template.push_str(name);
            }
        }
    }
    match path.suffix {
        Some(Suffix::Ref) => template.push_str("/$ref"),
        Some(Suffix::Count) => template.push_str("/$count"),
        None => {}
    }
    template
}

/// The route template of a Graph request, put into its response by the handler that has
/// already parsed the path, so [`Observe`] need not parse it again.
#[derive(Debug, Clone)]
pub struct GraphRoute(pub String);
