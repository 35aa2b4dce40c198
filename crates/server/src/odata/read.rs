//! GET: entities, collection pages, counts, references.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value as Json, json};
use store::PageRequest;

use super::query::{QueryOptions, skiptoken};
use super::{Request, render};
use crate::ApiError;

/// Graph's default page size.
const PAGE_SIZE: usize = 100;

/// One entity, or a single-valued navigation target.
pub async fn get(request: &Request<'_>) -> Result<Response, ApiError> {
    let resource = &request.resource;
    let record = request
        .app
        .store
        .get(request.tenant, resource.address()?)
        .await
        .map_err(|e| request.store_error(e))?;
    let body = render::entity(resource.model, &record, resource.path.target_type());
    let context = resource.context(&resource.path.context_fragment());
    Ok(render::json(
        StatusCode::OK,
        &render::with_context(context, body),
    ))
}

/// A page of a collection, with `@odata.nextLink` when more follow.
pub async fn list(request: &Request<'_>, query: &QueryOptions) -> Result<Response, ApiError> {
    let resource = &request.resource;
    let page = PageRequest {
        after: query.after.clone(),
        size: PAGE_SIZE,
    };
    let page = request
        .app
        .store
        .list(request.tenant, resource.address()?, &page)
        .await
        .map_err(|e| request.store_error(e))?;
    let declared = resource.path.target_type();
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        Json::String(resource.context(&resource.path.context_fragment())),
    );
    if let (true, Some(last)) = (page.more, page.records.last()) {
        body.insert(
            "@odata.nextLink".into(),
            Json::String(next_link(request, &last.id)),
        );
    }
    let value = page
        .records
        .iter()
        .map(|r| Json::Object(render::entity(resource.model, r, declared)))
        .collect();
    body.insert("value".into(), Json::Array(value));
    Ok(render::json(StatusCode::OK, &body))
}

/// `…/$count`: the number as plain text.
pub async fn count(request: &Request<'_>) -> Result<Response, ApiError> {
    let count = request
        .app
        .store
        .count(request.tenant, request.resource.address()?)
        .await
        .map_err(|e| request.store_error(e))?;
    Ok(render::text(count.to_string()))
}

/// `…/$ref`: the reference to a summary.
pub fn reference(request: &Request<'_>) -> Response {
    let resource = &request.resource;
    let body = json!({
        "@odata.context": resource.context("$ref"),
        "@odata.id": resource.url(&resource.path.canonical()),
    });
    let Json::Object(body) = body else {
        unreachable!("json! of an object literal is an object")
    };
    render::json(StatusCode::OK, &body)
}

/// A bare singleton: its type and id (the tenant's).
pub fn singleton(request: &Request<'_>) -> Response {
    let resource = &request.resource;
    let name = resource.path.context_fragment();
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        Json::String(resource.context(&name)),
    );
    body.insert(
        "@odata.type".into(),
        Json::String(format!(
            "#{}",
            resource.model.qualified(resource.path.target_type())
        )),
    );
    body.insert("id".into(), Json::String(request.tenant.to_string()));
    render::json(StatusCode::OK, &body)
}

/// The URL of the next page: the request's own, with its other options kept and a fresh
/// `$skiptoken`.
fn next_link(request: &Request<'_>, last_key: &str) -> String {
    let kept: Vec<&str> = request
        .uri
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
        .filter(|p| {
            let key = p
                .split('=')
                .next()
                .unwrap_or_default()
                .trim_start_matches('$');
            !key.eq_ignore_ascii_case("skiptoken")
        })
        .collect();
    let mut query = kept.join("&");
    if !query.is_empty() {
        query.push('&');
    }
    query.push_str("$skiptoken=");
    query.push_str(&skiptoken::encode(last_key));
    format!("{}{}?{query}", request.resource.base, request.uri.path())
}
