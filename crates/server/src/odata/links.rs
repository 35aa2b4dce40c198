//! Links: a non-contained single-valued navigation to an entity that lives in a collection
//! elsewhere (a run state's `managedDevice`). A write binds one with
//! `"managedDevice@odata.bind": "<url of the entity>"`, and `…/managedDevice/$ref` reads it
//! (GET), points it elsewhere (PUT `{"@odata.id": …}`) or unsets it (DELETE), as OData
//! specifies (§11.4.6).

use axum::body::Body;
use axum::http::uri::Authority;
use axum::response::Response;
use intune::ApiVersion;
use odata::path::percent_decode;
use odata::{PlaceId, PlaceKind, ResourcePath, Segment};
use serde_json::{Map, Value as Json};

use super::resource::Resource;
use super::{Request, render, write};
use crate::ApiError;

const BIND: &str = "@odata.bind";

/// Graph's own service root: URLs built for Graph (its documentation's `@odata.id`s, a
/// client's code written for Graph) name it, and they address this service's data too.
const GRAPH_ROOT: &str = "https://graph.microsoft.com";

/// The links a body binds (`nav@odata.bind`: a URL, or `null` to unset), for the entity
/// type `resource` addresses.
pub fn bindings(
    resource: &Resource,
    body: &Map<String, Json>,
) -> Result<Vec<(String, Option<String>)>, ApiError> {
    let mut out = Vec::new();
    for (key, value) in body {
        let Some(navigation) = key.strip_suffix(BIND) else {
            continue;
        };
        let link = resource
            .places
            .navigation(resource.place().id, navigation)
            .filter(|p| matches!(p.kind, PlaceKind::Link(_)))
            .ok_or_else(|| {
                ApiError::InvalidReference(format!(
                    "'{key}': {} has no link named '{navigation}' that a write can bind.",
                    resource.model.qualified(resource.target_type())
                ))
            })?;
        let PlaceKind::Link(home) = link.kind else {
            unreachable!("filtered to links above")
        };
        let target = match value {
            Json::Null => None,
            Json::String(url) => Some(
                key_of(resource, home, url)?
                    .ok_or_else(|| not_an_entity(resource, home, &format!("'{key}'"), url))?,
            ),
            _ => {
                return Err(ApiError::InvalidReference(format!(
                    "'{key}' must be a URL string."
                )));
            }
        };
        out.push((link.name.clone(), target));
    }
    Ok(out)
}

/// `PUT …/{link}/$ref` with `{"@odata.id": "<url>"}`: points the link at that entity (204).
pub async fn set(request: &Request<'_>, body: Body) -> Result<Response, ApiError> {
    let resource = &request.resource;
    let PlaceKind::Link(home) = resource.place().kind else {
        return Err(ApiError::Internal(
            "a link reference that is no link".into(),
        ));
    };
    let body = write::json_object(request, body).await?;
    let url = body
        .object
        .get("@odata.id")
        .and_then(Json::as_str)
        .ok_or_else(|| {
            ApiError::InvalidReference(
                "The body of a reference must be {\"@odata.id\": \"<url of the entity>\"}.".into(),
            )
        })?;
    let key = key_of(resource, home, url)?
        .ok_or_else(|| not_an_entity(resource, home, "'@odata.id'", url))?;
    request
        .app
        .store
        .set_link(request.tenant, resource.address()?, Some(&key))
        .await
        .map_err(|e| request.store_error(e))?;
    Ok(render::no_content())
}

/// `DELETE …/{link}/$ref`: unsets the link (204).
pub async fn unset(request: &Request<'_>) -> Result<Response, ApiError> {
    request
        .app
        .store
        .set_link(request.tenant, request.resource.address()?, None)
        .await
        .map_err(|e| request.store_error(e))?;
    Ok(render::no_content())
}

/// The URL of the entity `key` of the collection place `home`: `@odata.id` of a link.
/// (Links point at collections directly under a singleton, whose entities need no other key.)
pub fn url(resource: &Resource, home: PlaceId, key: &str) -> String {
    let home = resource.places.get(home);
    let key = key.replace('\'', "''");
    resource.url(&format!("{}('{key}')", home.path))
}

/// The key of the entity `url` addresses, when it is one of the collection place `home`:
/// absolute (`https://graph.microsoft.com/beta/deviceManagement/managedDevices('id')`) or
/// relative to the service root, of any version. An absolute URL on another service than
/// this one or Graph is refused ([`on_this_service`]).
fn key_of(resource: &Resource, home: PlaceId, url: &str) -> Result<Option<String>, ApiError> {
    let path = match url.split_once("://") {
        Some((scheme, rest)) => {
            on_this_service(resource, url, scheme, rest)?;
            rest.find('/').map_or("", |i| &rest[i..])
        }
        None => url,
    };
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let path = path.trim_start_matches('/');
    let path = match path.split_once('/') {
        Some((first, rest)) if ApiVersion::parse(&percent_decode(first)).is_some() => rest,
        _ => path,
    };
    let Ok(parsed) = ResourcePath::parse(resource.places, resource.model, path) else {
        return Ok(None);
    };
    if parsed.place() != home || !parsed.keyed() || parsed.suffix.is_some() {
        return Ok(None);
    }
    Ok(parsed.segments.iter().rev().find_map(|s| match s {
        Segment::Key(key) => Some(key.clone()),
        _ => None,
    }))
}

/// Refuses an absolute `url` (`scheme://rest`) on another service: one is accepted on the
/// service root the client addressed (or the public URL), on which this service writes
/// its own `@odata.id`s, and on Graph's, which code written for Graph names. ODataLib
/// refuses a URL not based on the service root, with this message.
fn on_this_service(
    resource: &Resource,
    url: &str,
    scheme: &str,
    rest: &str,
) -> Result<(), ApiError> {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let ours = [resource.base.as_str(), GRAPH_ROOT]
        .into_iter()
        .any(|root| same_origin(root, scheme, authority));
    if ours {
        return Ok(());
    }
    Err(ApiError::InvalidReference(format!(
        "The URI '{url}' is not valid because it is not based on '{}'.",
        resource.url("")
    )))
}

/// Whether `scheme://authority` is the origin of `root` (`scheme://host[:port]`): the same
/// scheme, host (any case; the loopback names `localhost`, `127.0.0.1` and `[::1]` alike)
/// and port (the scheme's default when none is written).
fn same_origin(root: &str, scheme: &str, authority: &str) -> bool {
    let Some((root_scheme, root_authority)) = root.split_once("://") else {
        return false;
    };
    let parse = |scheme: &str, authority: &str| {
        let authority: Authority = authority.parse().ok()?;
        let default = match scheme.to_ascii_lowercase().as_str() {
            "https" => 443,
            "http" => 80,
            _ => return None,
        };
        let host = authority.host().to_ascii_lowercase();
        let loopback = ["localhost", "127.0.0.1", "[::1]"].contains(&host.as_str());
        let host = if loopback { "localhost".into() } else { host };
        Some((
            scheme.to_ascii_lowercase(),
            host,
            authority.port_u16().unwrap_or(default),
        ))
    };
    let given = parse(scheme, authority);
    given.is_some() && given == parse(root_scheme, root_authority)
}

fn not_an_entity(resource: &Resource, home: PlaceId, what: &str, url: &str) -> ApiError {
    let home = &resource.places.get(home).path;
    ApiError::InvalidReference(format!(
        "{what} is '{url}', which is no entity of {home}: give the URL of one, e.g. \
         https://graph.microsoft.com/{}/{home}('{{id}}').",
        resource.version.as_str()
    ))
}

#[cfg(test)]
mod tests {
    use super::same_origin;

    #[test]
    fn an_origin_is_its_scheme_host_and_port() {
        let root = "http://127.0.0.1:8080";
        assert!(same_origin(root, "http", "127.0.0.1:8080"));
        assert!(same_origin(root, "HTTP", "LOCALHOST:8080"));
        assert!(same_origin(root, "http", "[::1]:8080"));
        assert!(!same_origin(root, "https", "127.0.0.1:8080"));
        assert!(!same_origin(root, "http", "127.0.0.1:8081"));
        assert!(!same_origin(root, "http", "127.0.0.1"));
        let graph = "https://graph.microsoft.com";
        assert!(same_origin(graph, "https", "graph.microsoft.com:443"));
        assert!(same_origin(graph, "https", "Graph.Microsoft.com"));
        assert!(!same_origin(
            graph,
            "https",
            "graph.microsoft.com.evil.example"
        ));
        assert!(!same_origin(graph, "https", "evil.example@graph"));
        assert!(!same_origin(graph, "ftp", "graph.microsoft.com"));
        assert!(!same_origin(graph, "https", ""));
    }
}
