//! Links: a non-contained single-valued navigation to an entity that lives in a collection
//! elsewhere (a run state's `managedDevice`). A write binds one with
//! `"managedDevice@odata.bind": "<url of the entity>"`, and `…/managedDevice/$ref` reads it
//! (GET), points it elsewhere (PUT `{"@odata.id": …}`) or unsets it (DELETE), as OData
//! specifies (§11.4.6).

use axum::body::Body;
use axum::response::Response;
use intune::ApiVersion;
use odata::path::percent_decode;
use odata::{PlaceId, PlaceKind, ResourcePath, Segment};
use serde_json::{Map, Value as Json};

use super::resource::Resource;
use super::{Request, render, write};
use crate::ApiError;

const BIND: &str = "@odata.bind";

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
                key_of(resource, home, url)
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
    let key = key_of(resource, home, url)
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
/// relative to the service root, of any version.
fn key_of(resource: &Resource, home: PlaceId, url: &str) -> Option<String> {
    let path = match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("", |i| &rest[i..]),
        None => url,
    };
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let path = path.trim_start_matches('/');
    let path = match path.split_once('/') {
        Some((first, rest)) if ApiVersion::parse(&percent_decode(first)).is_some() => rest,
        _ => path,
    };
    let parsed = ResourcePath::parse(resource.places, resource.model, path).ok()?;
    if parsed.place() != home || !parsed.keyed() || parsed.suffix.is_some() {
        return None;
    }
    parsed.segments.iter().rev().find_map(|s| match s {
        Segment::Key(key) => Some(key.clone()),
        _ => None,
    })
}

fn not_an_entity(resource: &Resource, home: PlaceId, what: &str, url: &str) -> ApiError {
    let home = &resource.places.get(home).path;
    ApiError::InvalidReference(format!(
        "{what} is '{url}', which is no entity of {home}: give the URL of one, e.g. \
         https://graph.microsoft.com/{}/{home}('{{id}}').",
        resource.version.as_str()
    ))
}
