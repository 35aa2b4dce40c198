//! The one OData route: every entity the schema has is served by these handlers.

mod actions;
mod links;
mod paging;
mod read;
pub mod render;
mod resource;
mod write;

pub(crate) use paging::PageTokens;

use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::{IntoResponse, Response};
use odata::query::{QueryError, QueryOptions};

use crate::control::{Profile, profile};
use crate::limits::ResponseBudget;
use crate::telemetry::{GraphRoute, graph_route};
use crate::{ApiError, AppState, Caller};
use render::TypeAnnotations;
use resource::Resource;
pub use resource::{Operation, Shape, base_url};

/// What one request's handlers share.
pub struct Request<'a> {
    /// The service state.
    pub app: &'a AppState,
    /// The caller's tenant.
    pub tenant: &'a str,
    /// The addressed resource.
    pub resource: Resource<'a>,
    /// The query options, checked against the addressed type.
    pub options: QueryOptions,
    /// The request URI as sent.
    pub uri: &'a Uri,
    /// The request headers.
    pub headers: &'a HeaderMap,
    /// The tenant's behaviour profile.
    pub profile: Profile,
    /// The most bytes of entity data the answer may hold.
    pub max_bytes: usize,
}

impl Request<'_> {
    /// The request path, for messages about the resource.
    pub fn path(&self) -> &str {
        self.uri.path()
    }

    /// Maps a store failure about this resource.
    pub fn store_error(&self, error: store::StoreError) -> ApiError {
        ApiError::from_store(error, self.path())
    }

    /// Which entities carry `@odata.type` under the request's profile.
    pub fn annotations(&self) -> TypeAnnotations {
        self.profile.type_annotations()
    }

    /// The preferences of the `Prefer` headers (`return=minimal`, `odata.maxpagesize=50`),
    /// trimmed, in order.
    pub fn preferences(&self) -> impl Iterator<Item = &str> {
        self.headers
            .get_all("prefer")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
    }
}

/// Routes a request by the shape of what it addresses and its method, and names the
/// route in the response ([`GraphRoute`]) for the metrics and the log.
pub async fn handle(
    State(app): State<AppState>,
    caller: Caller,
    http: axum::extract::Request,
) -> Response {
    let (parts, body) = http.into_parts();
    let resource =
        match Resource::resolve(&app.schema, app.store.catalog(), &parts.uri, &parts.headers) {
            Ok(resource) => resource,
            Err(error) => return error.into_response(),
        };
    let route = GraphRoute(graph_route(
        resource.version,
        resource.places,
        &resource.path,
    ));
    let mut response = serve(&app, &caller, parts, body, resource)
        .await
        .unwrap_or_else(IntoResponse::into_response);
    response.extensions_mut().insert(route);
    response
}

/// Checks the method, permission and query options against the resolved resource, then
/// runs the operation.
async fn serve(
    app: &AppState,
    caller: &Caller,
    parts: axum::http::request::Parts,
    body: axum::body::Body,
    resource: Resource<'_>,
) -> Result<Response, ApiError> {
    let (method, uri, headers) = (parts.method, parts.uri, parts.headers);
    // The tenant's profile (set by the controls) and a batch item's share of the budget.
    let profile = parts
        .extensions
        .get::<Profile>()
        .copied()
        .unwrap_or_default();
    let max_bytes = parts
        .extensions
        .get::<ResponseBudget>()
        .map_or(app.config.limits.max_response_bytes, |b| b.0);
    let operation = resource.shape.operation(method.as_str());
    // Intune has no `/$count` segment (msgraph-beta-sdk-dotnet#697).
    let refused = profile == Profile::Observed && operation == Some(Operation::Count);
    // A method the resource does not answer is Intune's 400, whatever the caller holds.
    let Some(operation) = operation.filter(|_| !refused) else {
        return Err(ApiError::NoRoute {
            template: resource.template(),
            method: method.to_string(),
            path: uri.path().to_string(),
        });
    };
    caller.authorize(
        app.schema.permissions(),
        &resource.place().path,
        operation.access(),
    )?;
    let options = query_options(&resource, &method, uri.query(), profile)?;
    let request = Request {
        app,
        tenant: &caller.tenant,
        resource,
        options,
        uri: &uri,
        headers: &headers,
        profile,
        max_bytes,
    };
    match operation {
        Operation::List => read::list(&request).await,
        Operation::Get => read::get(&request).await,
        Operation::Count => read::count(&request).await,
        Operation::GetRef => read::reference(&request).await,
        Operation::GetSingleton => Ok(read::singleton(&request)),
        Operation::Create => write::create(&request, body).await,
        Operation::ReplaceRef => write::replace(&request, body).await,
        Operation::Update => write::update(&request, body).await,
        Operation::Delete => write::delete(&request).await,
        Operation::SetLink => links::set(&request, body).await,
        Operation::Unlink => links::unset(&request).await,
        Operation::Invoke => actions::invoke(&request, body).await,
    }
}

/// Parses the query options and refuses those the resource and method do not take (under
/// the observed profile, in Intune's words, before anything else is checked).
fn query_options(
    resource: &Resource,
    method: &Method,
    raw: Option<&str>,
    profile: Profile,
) -> Result<QueryOptions, ApiError> {
    let model = resource.model;
    let ty = model
        .structured(resource.target_type())
        .ok_or_else(|| ApiError::Internal(format!("no type {}", resource.target_type()).into()))?;
    let allowed = allowed_options(method, resource.shape);
    refuse_observed(raw, allowed, profile)?;
    let options = QueryOptions::parse(raw, model, ty)?;
    refuse_unlisted(&options.given, allowed, method, profile)?;
    Ok(options)
}

/// Refuses every query option of a request that takes none (`POST /{version}/$batch`), as
/// a write's options are refused: the same reading of names, the same answers.
pub(crate) fn refuse_options(
    method: &Method,
    raw: Option<&str>,
    profile: Profile,
) -> Result<(), ApiError> {
    refuse_observed(raw, &[], profile)?;
    refuse_unlisted(&QueryOptions::names(raw)?, &[], method, profile)
}

/// Under the observed profile, an option outside `allowed` is refused in Intune's words,
/// before anything else is checked.
fn refuse_observed(raw: Option<&str>, allowed: &[&str], profile: Profile) -> Result<(), ApiError> {
    if profile == Profile::Observed
        && let Some(refused) = profile::refused_option(raw, allowed)
    {
        return Err(profile::option_not_allowed(&refused));
    }
    Ok(())
}

/// The query options a resource of `shape` takes with `method`.
fn allowed_options(method: &Method, shape: Shape) -> &'static [&'static str] {
    match (method.as_str(), shape) {
        ("GET", Shape::Collection) => &[
            "$filter",
            "$orderby",
            "$select",
            "$expand",
            "$top",
            "$skip",
            "$count",
            "$skiptoken",
            "$format",
        ],
        ("GET", Shape::Entity | Shape::Contained | Shape::Summary | Shape::Link) => {
            &["$select", "$expand", "$format"]
        }
        ("GET", Shape::Count) => &["$filter"],
        ("GET", _) => &["$format"],
        _ => &[],
    }
}

fn refuse_unlisted(
    given: &[String],
    allowed: &[&str],
    method: &Method,
    profile: Profile,
) -> Result<(), ApiError> {
    if let Some(refused) = given.iter().find(|o| !allowed.contains(&o.as_str())) {
        if profile == Profile::Observed {
            return Err(profile::option_not_allowed(refused));
        }
        let message = if method == Method::GET {
            format!("The query option '{refused}' is not supported on this resource.")
        } else {
            format!("Query options are not allowed on {method} requests; '{refused}' was given.")
        };
        return Err(ApiError::Query(QueryError::new(refused, message)));
    }
    Ok(())
}
