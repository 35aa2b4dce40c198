//! The one OData route: every entity the schema has is served by these handlers.

mod query;
mod read;
pub mod render;
mod resource;
mod write;

pub use write::MAX_BODY;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;

use crate::{ApiError, AppState, Caller};
use query::QueryOptions;
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
    /// The request URI as sent.
    pub uri: &'a Uri,
    /// The request headers.
    pub headers: &'a HeaderMap,
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
}

/// Routes a request by the shape of what it addresses and its method.
pub async fn handle(
    State(app): State<AppState>,
    caller: Caller,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let resource = Resource::resolve(&app.schema, app.store.catalog(), &uri, &headers)?;
    let query = QueryOptions::parse(uri.query())?;
    if query.any && method != Method::GET {
        return Err(ApiError::Query(format!(
            "Query options are not allowed on {method} requests."
        )));
    }
    let shape = resource.shape;
    let request = Request {
        app: &app,
        tenant: &caller.tenant,
        resource,
        uri: &uri,
        headers: &headers,
    };
    let Some(operation) = shape.operation(method.as_str()) else {
        return Err(ApiError::NoRoute {
            template: request.resource.template(),
            method: method.to_string(),
            path: uri.path().to_string(),
        });
    };
    match operation {
        Operation::List => read::list(&request, &query).await,
        Operation::Get => read::get(&request).await,
        Operation::Count => read::count(&request).await,
        Operation::GetRef => Ok(read::reference(&request)),
        Operation::GetSingleton => Ok(read::singleton(&request)),
        Operation::Create => write::create(&request, body).await,
        Operation::ReplaceRef => write::replace(&request, body).await,
        Operation::Update => write::update(&request, body).await,
        Operation::Delete => write::delete(&request).await,
    }
}
