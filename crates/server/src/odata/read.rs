//! GET: entities, collection pages, counts, references.

use axum::http::{HeaderName, StatusCode};
use axum::response::Response;
use intune::ApiVersion;
use odata::PlaceKind;
use odata::query::{MAX_PAGE_SIZE, QueryOptions};
use serde_json::{Map, Value as Json, json};
use store::{Columns, ExpandQuery, ListQuery};

use super::{Request, render};
use crate::ApiError;

/// Graph's default page size.
const PAGE_SIZE: usize = 100;

static PREFERENCE_APPLIED: HeaderName = HeaderName::from_static("preference-applied");

/// One entity, or a single-valued navigation target, with `$select` and `$expand`.
pub async fn get(request: &Request<'_>) -> Result<Response, ApiError> {
    let resource = &request.resource;
    let options = &request.options;
    let record = request
        .app
        .store
        .get(
            request.tenant,
            resource.address()?,
            &rendered(resource.version, options.select.as_deref()),
            &expand_queries(options, resource.version),
            Some(request.max_bytes),
        )
        .await
        .map_err(|e| request.store_error(e))?;
    let fragment = render::projected(&resource.fragment(), options);
    let context = resource.context(&fragment);
    let body = render::Entity {
        model: resource.model,
        record: &record,
        declared: resource.target_type(),
        select: options.select.as_deref(),
        expand: &options.expand,
        annotations: request.annotations(),
        context: Some(&context),
    };
    Ok(render::json_bytes(StatusCode::OK, body.to_bytes()))
}

/// A page of a collection: filtered, ordered, projected and expanded, with `@odata.count`
/// on the first page when asked and `@odata.nextLink` while more follow.
pub async fn list(request: &Request<'_>) -> Result<Response, ApiError> {
    let resource = &request.resource;
    let options = &request.options;
    let max_page_size = prefer_max_page_size(request);
    let size = options
        .top
        .or(max_page_size)
        .unwrap_or(PAGE_SIZE)
        .min(MAX_PAGE_SIZE);
    let scope = paging_scope(request);
    let after = match &options.skiptoken {
        Some(token) => Some(request.app.pages.decode(&scope, token)?),
        None => None,
    };
    let query = ListQuery {
        filter: options.filter.clone(),
        orderby: options.orderby.clone(),
        count: options.count && after.is_none(),
        after,
        skip: options.skip.unwrap_or(0),
        size,
        columns: rendered(resource.version, options.select.as_deref()),
        expand: expand_queries(options, resource.version),
        max_bytes: Some(request.max_bytes),
    };
    let page = request
        .app
        .store
        .list(request.tenant, resource.address()?, &query)
        .await
        .map_err(|e| request.store_error(e))?;
    let fragment = render::projected(&resource.fragment(), options);
    let next = page.next.as_ref().map(|cursor| {
        let token = request.app.pages.encode(&scope, cursor);
        next_link(request, &token)
    });
    let entity = |record| render::Entity {
        model: resource.model,
        record,
        declared: resource.target_type(),
        select: options.select.as_deref(),
        expand: &options.expand,
        annotations: request.annotations(),
        context: None,
    };
    let context = resource.context(&fragment);
    let records = page.records.iter().map(entity);
    let body = render::page(&context, page.count, next.as_deref(), records);
    let response = render::json_bytes(StatusCode::OK, body);
    Ok(match (max_page_size, options.top) {
        (Some(n), None) => render::with_header(
            response,
            PREFERENCE_APPLIED.clone(),
            &format!("odata.maxpagesize={n}"),
        ),
        _ => response,
    })
}

/// `…/$count` (with an optional `$filter`): the number as plain text.
pub async fn count(request: &Request<'_>) -> Result<Response, ApiError> {
    let count = request
        .app
        .store
        .count(
            request.tenant,
            request.resource.address()?,
            request.options.filter.as_ref(),
        )
        .await
        .map_err(|e| request.store_error(e))?;
    Ok(render::text(count.to_string()))
}

/// `…/$ref`: the reference to a summary (once its parent is known to exist), or the
/// entity a link points at.
pub async fn reference(request: &Request<'_>) -> Result<Response, ApiError> {
    let resource = &request.resource;
    let record = request
        .app
        .store
        .get(
            request.tenant,
            resource.address()?,
            // A reference renders the key alone.
            &rendered(resource.version, Some(&[])),
            &[],
            Some(request.max_bytes),
        )
        .await
        .map_err(|e| request.store_error(e))?;
    let id = match resource.place().kind {
        PlaceKind::Link(home) => super::links::url(resource, home, &record.id),
        _ => resource.url(&resource.canonical()),
    };
    let body = json!({
        "@odata.context": resource.context("$ref"),
        "@odata.id": id,
    });
    let Json::Object(body) = body else {
        unreachable!("json! of an object literal is an object")
    };
    Ok(render::json(StatusCode::OK, &body))
}

/// A bare singleton: its type and id (the tenant's).
pub fn singleton(request: &Request<'_>) -> Response {
    let resource = &request.resource;
    let name = resource.fragment();
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        Json::String(resource.context(&name)),
    );
    body.insert(
        "@odata.type".into(),
        Json::String(format!(
            "#{}",
            resource.model.qualified(resource.target_type())
        )),
    );
    body.insert("id".into(), Json::String(request.tenant.to_string()));
    render::json(StatusCode::OK, &body)
}

/// What the store reads of each entity: the columns [`render::Entity`] writes in
/// `version`, projected to `select` as it projects them.
fn rendered(version: ApiVersion, select: Option<&[String]>) -> Columns {
    Columns::Rendered {
        version,
        select: select.map(<[String]>::to_vec),
    }
}

fn expand_queries(options: &QueryOptions, version: ApiVersion) -> Vec<ExpandQuery> {
    options
        .expand
        .iter()
        .map(|e| ExpandQuery {
            navigation: e.navigation.clone(),
            filter: e.filter.clone(),
            orderby: e.orderby.clone(),
            top: e.top,
            columns: rendered(version, e.select.as_deref()),
        })
        .collect()
}

/// What a page token is bound to: the tenant, the collection and the query that orders
/// and filters it (a token replayed by another tenant is as foreign as a forged one).
fn paging_scope(request: &Request<'_>) -> String {
    let options = &request.options;
    let order: Vec<String> = options
        .orderby
        .iter()
        .map(|k| {
            format!(
                "{}{}",
                k.path.join("/"),
                if k.descending { " desc" } else { "" }
            )
        })
        .collect();
    format!(
        "{}|{}|{}|{}",
        request.tenant,
        request.uri.path().to_ascii_lowercase(),
        options
            .filter
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        order.join(",")
    )
}

/// `Prefer: odata.maxpagesize=N`.
fn prefer_max_page_size(request: &Request<'_>) -> Option<usize> {
    request
        .preferences()
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("odata.maxpagesize"))
        .and_then(|(_, v)| v.trim().parse::<usize>().ok())
        .filter(|n| *n > 0)
        .map(|n| n.min(MAX_PAGE_SIZE))
}

/// The URL of the next page: the request's own, with its other options kept and a fresh
/// `$skiptoken`.
fn next_link(request: &Request<'_>, token: &str) -> String {
    let kept: Vec<&str> = request
        .uri
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
        .filter(|p| {
            let key = odata::query::decode(p.split('=').next().unwrap_or_default());
            !key.trim_start_matches('$')
                .eq_ignore_ascii_case("skiptoken")
        })
        .collect();
    let mut query = kept.join("&");
    if !query.is_empty() {
        query.push('&');
    }
    query.push_str("$skiptoken=");
    query.push_str(token);
    format!("{}{}?{query}", request.resource.base, request.uri.path())
}
