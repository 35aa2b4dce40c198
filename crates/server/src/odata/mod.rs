//! The one OData route: every entity the schema has is served by these handlers.

mod query;
mod read;
mod render;
mod resource;
mod write;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;

use crate::{ApiError, AppState, Caller};
use query::QueryOptions;
use resource::{Resource, Shape};

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
    caller.authorize(&resource.path, &method)?;
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
    use Shape::*;
    match (method.as_str(), shape) {
        ("GET", Collection) => read::list(&request, &query).await,
        ("GET", Entity | Contained | Referenced) => read::get(&request).await,
        ("GET", Count) => read::count(&request).await,
        ("GET", Ref) => Ok(read::reference(&request)),
        ("GET", Singleton) => Ok(read::singleton(&request)),
        ("POST", Collection | Contained) => write::create(&request, body).await,
        ("POST" | "PUT", Ref) => write::replace(&request, body).await,
        ("PATCH", Entity | Contained | Referenced) => write::update(&request, body).await,
        ("DELETE", Entity | Contained | Referenced | Ref) => write::delete(&request).await,
        _ => Err(ApiError::NoRoute {
            template: request.resource.template(),
            method: method.to_string(),
            path: uri.path().to_string(),
        }),
    }
}
