//! The controls every Graph request passes through, direct or a `$batch` item, after the
//! envelope middleware gave it its ids and before its handler: the caller is verified (once:
//! the handler reuses it), the tenant's profile goes with the request, a fault rule may
//! answer or delay it, throttling may refuse it, and the journal keeps it. A faulted or
//! throttled request never reaches its handler, so it changes nothing.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use intune::ApiVersion;
use intune::throttling::Bucket;
use odata::Places;
use odata::path::percent_decode;

use super::faults;
use super::journal::Entry;
use super::profile::{IntuneUrl, Profile, observe_error};
use super::settings::TenantControls;
use super::throttling::Throttling;
use crate::error::ErrorBody;
use crate::graph_paths::graph_path;
use crate::middleware::RequestIds;
use crate::{ApiError, AppState, Caller};

/// The request id of the `$batch` a request is an item of (set by the batch handler).
#[derive(Debug, Clone)]
pub struct BatchOf(pub Arc<str>);

/// What happened to a request on its way.
#[derive(Default)]
struct Outcome {
    fault: Option<String>,
    throttled: bool,
}

/// The middleware.
pub async fn apply(State(app): State<AppState>, mut request: Request, next: Next) -> Response {
    let Some((version, rest_at)) = graph_path(request.uri().path()) else {
        return next.run(request).await;
    };
    // No valid token: no tenant to control; the handler answers the 401.
    let Ok(caller) = Caller::authenticate(&app, request.headers()) else {
        return next.run(request).await;
    };
    let started = Instant::now();
    let time = SystemTime::now();
    // The handler takes the caller from here; the journal and the controls read it too.
    request.extensions_mut().insert(caller.clone());
    let tenant = caller.tenant.as_str();
    let app_id = caller.app.clone();
    let controls = app.controls.tenant(tenant);
    let profile = controls.profile(&app.controls);
    let method = request.method().clone();
    let uri = request.uri().clone();
    let rest = &uri.path()[rest_at..];
    let ids = request.extensions().get::<RequestIds>().cloned();
    let batch = request.extensions().get::<BatchOf>().map(|b| b.0.clone());
    request.extensions_mut().insert(profile);

    let mut outcome = Outcome::default();
    let early = early_answer(
        &app,
        &controls,
        (tenant, app_id.as_deref().unwrap_or_default()),
        (&method, &uri, version, rest),
        profile,
        &mut outcome,
    )
    .await;
    let mut response = match early {
        Ok(Some(response)) => response,
        Ok(None) => next.run(request).await,
        Err(error) => error.into_response(),
    };

    let (request_id, client_request_id) = ids
        .map(|ids| (ids.request_id, ids.client_request_id))
        .unwrap_or_default();
    if profile == Profile::Observed
        && let Some(body) = response.extensions_mut().get_mut::<ErrorBody>()
    {
        let url = IntuneUrl {
            service: bucket_of(app.schema.places(version), rest).map(Bucket::service),
            tenant,
            version: version.as_str(),
            rest: uri
                .path_and_query()
                .map_or(rest, |p| &p.as_str()[rest_at..]),
        };
        observe_error(body, &client_request_id, &url);
    }
    if outcome.throttled {
        metrics::counter!(crate::telemetry::THROTTLED).increment(1);
    }
    if outcome.fault.is_some() {
        metrics::counter!(crate::telemetry::FAULTED).increment(1);
    }
    app.controls.journal.record(
        tenant,
        Entry {
            time,
            method,
            uri,
            status: response.status().as_u16(),
            request_id,
            client_request_id,
            app: app_id,
            duration: started.elapsed(),
            throttled: outcome.throttled,
            fault: outcome.fault,
            batch,
        },
    );
    response
}

/// The answer of a fault rule or of throttling, when one answers instead of the handler.
async fn early_answer(
    app: &AppState,
    controls: &Arc<TenantControls>,
    (tenant, app_id): (&str, &str),
    (method, uri, version, rest): (&Method, &axum::http::Uri, ApiVersion, &str),
    profile: Profile,
    outcome: &mut Outcome,
) -> Result<Option<Response>, ApiError> {
    if !controls.faults.is_empty()
        && let Some(applied) =
            faults::apply(app, tenant, &controls.faults, method, uri.path()).await?
    {
        outcome.fault = Some(applied.id);
        if !applied.delay.is_zero() {
            tokio::time::sleep(applied.delay).await;
        }
        if let Some(error) = applied.error {
            return Ok(Some(error.into_response()));
        }
    }
    let throttling = controls.throttling(&app.controls);
    if throttling == Throttling::Off {
        return Ok(None);
    }
    let Some(bucket) = bucket_of(app.schema.places(version), rest) else {
        return Ok(None);
    };
    let writes = !matches!(*method, Method::GET | Method::HEAD);
    match app
        .controls
        .counters
        .admit(throttling, tenant, app_id, bucket, writes)
    {
        Ok(()) => Ok(None),
        Err(seconds) => {
            outcome.throttled = true;
            // Real Intune leaves the header out on its paths (IntuneCD#217).
            let retry_after = (profile == Profile::Documented).then_some(seconds);
            Ok(Some(
                ApiError::TooManyRequests { retry_after }.into_response(),
            ))
        }
    }
}

/// The throttling bucket of what a path (after the version) addresses. Intune's buckets are
/// per service area, so the singleton and its navigation decide it (the table's rules name
/// at most two, a test keeps it so): they are looked up in the version's places straight
/// from the path, without resolving the rest of it, which is the handler's work. An unknown
/// segment counts nowhere (its handler answers 400).
pub(super) fn bucket_of(places: &Places, rest: &str) -> Option<Bucket> {
    fn decode(segment: &str) -> Cow<'_, str> {
        if segment.contains('%') {
            Cow::Owned(percent_decode(segment))
        } else {
            Cow::Borrowed(segment)
        }
    }
    let mut segments = rest.split('/').filter(|s| !s.is_empty());
    let singleton = places.singleton(&decode(segments.next()?))?;
    let place = match segments.next() {
        None => singleton,
        Some(second) => {
            let second = decode(second);
            let name = second.split('(').next().unwrap_or_default();
            places.navigation(singleton.id, name)?
        }
    };
    intune::throttling::bucket(&place.path)
}
