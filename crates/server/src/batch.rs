//! `POST /{version}/$batch`: JSON batching as Graph documents it. Each inner request runs
//! through the same router as a direct one (the service without the batch route), so its
//! auth, permissions, validation, errors and headers are those of a direct request.
//!
//! Requests without `dependsOn` run concurrently; a request runs after everything it
//! depends on, and answers 424 without running when one of those did not succeed.
//! Responses are returned in request order (Graph allows any order).

use std::collections::HashMap;

use axum::Extension;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, any};
use serde::Deserialize;
use serde_json::Value as Json;
use serde_json::value::RawValue;
use tokio::task::JoinSet;
use tower::ServiceExt;

use crate::control::{BatchOf, Profile};
use crate::discovery::version_of;
use crate::limits::ResponseBudget;
use crate::middleware::RequestIds;
use crate::odata::Shape;
use crate::{ApiError, AppState, Caller, HttpService};
#[cfg(test)]
use answer::graph_case;
use answer::{Answer, Answers, answer};

/// Graph's limit: "JSON batch requests are currently limited to 20 individual requests."
pub const MAX_REQUESTS: usize = 20;

/// The `$batch` route. Its requests run through `inner`: the whole service without
/// `$batch` (Graph does not nest batches), held by the route, so requests that are not
/// batches carry nothing of it.
pub fn route(inner: HttpService) -> MethodRouter<AppState> {
    any(
        move |State(app): State<AppState>,
              Extension(ids): Extension<RequestIds>,
              caller: Caller,
              http: axum::extract::Request| batch(app, inner.clone(), ids, caller, http),
    )
}

/// One request of a batch, checked.
#[derive(Debug, Clone)]
pub struct Item {
    /// The client's id, as written.
    pub id: String,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Option<Vec<u8>>,
    depends_on: Vec<usize>,
}

/// Runs a batch through `router`. A batch needs a valid token, as on Graph, even if its
/// requests need none: the route extracts the [`Caller`].
async fn batch(
    app: AppState,
    router: HttpService,
    ids: RequestIds,
    _caller: Caller,
    http: axum::extract::Request,
) -> Result<Response, ApiError> {
    let (parts, body) = http.into_parts();
    let (method, uri, headers) = (parts.method, parts.uri, parts.headers);
    let version = version_of(&uri)?;
    if method != Method::POST {
        return Err(ApiError::MethodNotAllowed);
    }
    let profile = parts
        .extensions
        .get::<Profile>()
        .copied()
        .unwrap_or_default();
    crate::odata::refuse_options(&method, uri.query(), profile)?;
    let bytes = crate::body::read_bytes(&headers, body).await?;
    let payload = odata::input::parse_json(&bytes)?;
    let mut items = parse(version.as_str(), &payload)?;
    drop(payload);
    bodies_as_sent(&mut items, &bytes);
    drop(bytes);
    let levels = levels(&items)?;
    // The batch's answer is bounded as one answer is: each request gets its share.
    let share = ResponseBudget((app.config.limits.max_response_bytes / items.len()).max(1));
    let mut results: Vec<Option<Answer>> = (0..items.len()).map(|_| None).collect();
    let mut succeeded = vec![false; items.len()];
    let max_level = levels.iter().copied().max().unwrap_or(0);
    for level in 0..=max_level {
        let mut running = JoinSet::new();
        for (index, item) in items
            .iter()
            .enumerate()
            .filter(|(i, _)| levels[*i] == level)
        {
            if let Some(failed) = item.depends_on.iter().find(|d| !succeeded[**d]) {
                let error = ApiError::FailedDependency {
                    id: item.id.clone(),
                    failed: items[*failed].id.clone(),
                };
                results[index] = Some(answer(&item.id, error.into_response(), item).await);
                continue;
            }
            let mut request = inner_request(item, &uri, &headers, share);
            request
                .extensions_mut()
                .insert(BatchOf(ids.request_id.clone()));
            let router = router.clone();
            let item = item.clone();
            running.spawn(async move {
                let response = match router.oneshot(request).await {
                    Ok(response) => response,
                    Err(never) => match never {},
                };
                (index, answer(&item.id, response, &item).await)
            });
        }
        while let Some(done) = running.join_next().await {
            let (index, result) = done.map_err(|e| ApiError::Internal(e.into()))?;
            succeeded[index] = (200..300).contains(&result.status);
            results[index] = Some(result);
        }
    }
    let responses: Vec<Answer> = results.into_iter().flatten().collect();
    let text =
        serde_json::to_string(&Answers { responses }).map_err(|e| ApiError::Internal(e.into()))?;
    let mut response = Response::new(Body::from(text));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
        .headers_mut()
        .insert("odata-version", HeaderValue::from_static("4.0"));
    Ok(response)
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::InvalidBatch(message.into())
}

/// Checks the batch: its shape, the limit, unique ids, known dependencies, valid urls.
pub fn parse(version: &str, payload: &Json) -> Result<Vec<Item>, ApiError> {
    let requests = payload
        .get("requests")
        .and_then(Json::as_array)
        .ok_or_else(|| invalid("The batch request must have a 'requests' array."))?;
    if requests.len() > MAX_REQUESTS {
        return Err(invalid(
            "Number of requests inside batch exceeds the limit.",
        ));
    }
    if requests.is_empty() {
        return Err(invalid(
            "The batch request must contain at least one request.",
        ));
    }
    let mut ids: HashMap<String, usize> = HashMap::new();
    for (index, request) in requests.iter().enumerate() {
        let id = request
            .get("id")
            .and_then(Json::as_str)
            .filter(|id| !id.is_empty())
            .ok_or_else(|| invalid(format!("Request {index} of the batch has no 'id' string.")))?;
        // Ids are not case-sensitive (Graph's documentation).
        if ids.insert(id.to_lowercase(), index).is_some() {
            return Err(invalid(format!(
                "Request id '{id}' appears more than once in the batch."
            )));
        }
    }
    requests
        .iter()
        .map(|request| item(version, request, &ids))
        .collect()
}

fn item(version: &str, request: &Json, ids: &HashMap<String, usize>) -> Result<Item, ApiError> {
    let id = request["id"].as_str().unwrap_or_default().to_string();
    let method = request
        .get("method")
        .and_then(Json::as_str)
        .and_then(Shape::method)
        .and_then(|m| Method::from_bytes(m.as_bytes()).ok())
        .ok_or_else(|| invalid(format!("Request '{id}' has no valid 'method'.")))?;
    let url = request
        .get("url")
        .and_then(Json::as_str)
        .ok_or_else(|| invalid(format!("Request '{id}' has no 'url' string.")))?;
    let relative = url.trim_start_matches('/');
    let uri: Uri = format!("/{version}/{relative}")
        .parse()
        .ok()
        .filter(|_| !url.contains("://") && !url.starts_with("//"))
        .ok_or_else(|| invalid(format!("Request '{id}' has an invalid relative 'url'.")))?;
    let mut headers = HeaderMap::new();
    match request.get("headers") {
        None | Some(Json::Null) => {}
        Some(Json::Object(given)) => {
            for (name, value) in given {
                let parsed = (
                    HeaderName::from_bytes(name.as_bytes()),
                    value.as_str().map(HeaderValue::from_str),
                );
                let (Ok(name), Some(Ok(value))) = parsed else {
                    return Err(invalid(format!(
                        "Request '{id}' has an invalid header '{name}'."
                    )));
                };
                headers.append(name, value);
            }
        }
        Some(_) => {
            return Err(invalid(format!(
                "Request '{id}': 'headers' must be an object."
            )));
        }
    }
    let body = match request.get("body") {
        None | Some(Json::Null) => None,
        Some(body) => Some(serde_json::to_vec(body).unwrap_or_default()),
    };
    let writes = [Method::POST, Method::PUT, Method::PATCH].contains(&method);
    if writes && (body.is_none() || !headers.contains_key(header::CONTENT_TYPE)) {
        return Err(invalid(format!(
            "Write request id : {id} does not contain Content-Type header or body."
        )));
    }
    let depends_on = match request.get("dependsOn") {
        None | Some(Json::Null) => Vec::new(),
        Some(Json::Array(list)) => list
            .iter()
            .map(|d| {
                d.as_str()
                    .and_then(|d| ids.get(&d.to_lowercase()).copied())
                    .ok_or_else(|| {
                        invalid(format!(
                            "Request '{id}' depends on {d}, which is not in the batch."
                        ))
                    })
            })
            .collect::<Result<_, _>>()?,
        Some(_) => {
            return Err(invalid(format!(
                "Request '{id}': 'dependsOn' must be an array."
            )));
        }
    };
    Ok(Item {
        id,
        method,
        uri,
        headers,
        body,
        depends_on,
    })
}

/// Gives each request of a checked batch its body as the batch wrote it, rather than as
/// the parsed value writes it again: a number keeps its text (`1e2` stays `1e2`), so a
/// message about it quotes what the client sent, as for a direct request.
fn bodies_as_sent(items: &mut [Item], bytes: &[u8]) {
    #[derive(Deserialize)]
    struct Batch<'a> {
        #[serde(borrow)]
        requests: Vec<Sent<'a>>,
    }
    #[derive(Deserialize)]
    struct Sent<'a> {
        #[serde(borrow, default)]
        body: Option<&'a RawValue>,
    }
    // The batch parsed already, so this parse does too; if it did not, the bodies stay
    // as they are.
    let Ok(batch) = serde_json::from_slice::<Batch>(odata::input::without_bom(bytes)) else {
        return;
    };
    for (item, request) in items.iter_mut().zip(batch.requests) {
        if let (Some(body), Some(raw)) = (&mut item.body, request.body) {
            *body = raw.get().as_bytes().to_vec();
        }
    }
}

/// The stage each request runs in: after all it depends on. A cycle is a bad batch.
fn levels(items: &[Item]) -> Result<Vec<usize>, ApiError> {
    let mut level: Vec<Option<usize>> = vec![None; items.len()];
    // Each pass settles the requests whose dependencies are settled; n passes suffice
    // for any acyclic batch.
    for _ in 0..=items.len() {
        for (i, item) in items.iter().enumerate() {
            if level[i].is_some() {
                continue;
            }
            let deps: Option<Vec<usize>> = item.depends_on.iter().map(|d| level[*d]).collect();
            if let Some(deps) = deps {
                level[i] = Some(deps.into_iter().max().map_or(0, |m| m + 1));
            }
        }
    }
    level
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            l.ok_or_else(|| {
                invalid(format!(
                    "Request '{}' is part of a dependency cycle.",
                    items[i].id
                ))
            })
        })
        .collect()
}

/// The inner request: the item's own method, url, headers and body, with the outer
/// request's `Authorization` (one token authorizes the batch), and its scheme and `Host`
/// (so links in answers point where the client does), and `share` of the answer's bytes.
pub fn inner_request(
    item: &Item,
    outer_uri: &Uri,
    outer: &HeaderMap,
    share: ResponseBudget,
) -> Request<Body> {
    let mut request = Request::new(item.body.clone().map_or_else(Body::empty, Body::from));
    *request.method_mut() = item.method.clone();
    *request.uri_mut() = match (outer_uri.scheme(), outer_uri.authority()) {
        (Some(scheme), Some(authority)) => {
            let mut parts = item.uri.clone().into_parts();
            parts.scheme = Some(scheme.clone());
            parts.authority = Some(authority.clone());
            Uri::from_parts(parts).unwrap_or_else(|_| item.uri.clone())
        }
        _ => item.uri.clone(),
    };
    request.extensions_mut().insert(share);
    let headers = request.headers_mut();
    headers.extend(item.headers.clone());
    for name in [header::AUTHORIZATION, header::HOST] {
        if let Some(value) = outer.get(&name) {
            headers.insert(name, value.clone());
        }
    }
    request
}

mod answer;
#[cfg(test)]
mod tests;
