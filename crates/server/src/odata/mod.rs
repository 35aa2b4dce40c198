//! The one OData route: every entity the schema has is served by these handlers.

mod actions;
mod links;
mod paging;
mod read;
pub mod render;
mod resource;
mod write;

pub(crate) use paging::PageTokens;
pub use write::MAX_BODY;

use axum::Extension;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;
use odata::query::{QueryError, QueryOptions};

use crate::limits::ResponseBudget;
use crate::{ApiError, AppState, Caller};
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

/// Routes a request by the shape of what it addresses and its method.
pub async fn handle(
    State(app): State<AppState>,
    caller: Caller,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    budget: Option<Extension<ResponseBudget>>,
    body: Body,
) -> Result<Response, ApiError> {
    let max_bytes = budget.map_or(app.config.limits.max_response_bytes, |b| b.0.0);
    let resource = Resource::resolve(&app.schema, app.store.catalog(), &uri, &headers)?;
    // A method the resource does not answer is Intune's 400, whatever the caller holds.
    let Some(operation) = resource.shape.operation(method.as_str()) else {
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
    let options = query_options(&resource, &method, uri.query())?;
    let request = Request {
        app: &app,
        tenant: &caller.tenant,
        resource,
        options,
        uri: &uri,
        headers: &headers,
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

/// Parses the query options and refuses those the resource and method do not take.
fn query_options(
    resource: &Resource,
    method: &Method,
    raw: Option<&str>,
) -> Result<QueryOptions, ApiError> {
    let model = resource.model;
    let ty = model
        .structured(resource.target_type())
        .ok_or_else(|| ApiError::Internal(format!("no type {}", resource.target_type()).into()))?;
    let options = QueryOptions::parse(raw, model, ty)?;
    let allowed: &[&str] = match (method.as_str(), resource.shape) {
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
    };
    if let Some(refused) = options
        .given
        .iter()
        .find(|o| !allowed.contains(&o.as_str()))
    {
        let message = if method == Method::GET {
            format!("The query option '{refused}' is not supported on this resource.")
        } else {
            format!("Query options are not allowed on {method} requests; '{refused}' was given.")
        };
        return Err(ApiError::Query(QueryError::new(refused, message)));
    }
    Ok(options)
}
