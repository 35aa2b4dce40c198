//! Bound actions: routed from the model like every other place (an action declared in the
//! served CSDL is a place its binding answers `POST` on), validated against the action's
//! parameters, and carried out here, by name, as Intune documents them.

use axum::body::Body;
use axum::http::StatusCode;
use axum::response::Response;
use odata::query::QueryError;
use odata::value::{Parameter, read_parameters};
use odata::{Action, Binding, PlaceKind, Value};
use serde_json::{Map, Value as Json, json};
use store::{Address, Changes, Step, StoreError};

use super::{Request, render, write};
use crate::ApiError;

/// The actions localgraph carries out: every action of the served schema is one of these
/// (a test keeps it so).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Behaviour {
    Assign,
    HasPayloadLinks,
}

impl Behaviour {
    fn of(action: &str) -> Option<Behaviour> {
        match action {
            "assign" => Some(Behaviour::Assign),
            "hasPayloadLinks" => Some(Behaviour::HasPayloadLinks),
            _ => None,
        }
    }
}

/// How many payloads one `hasPayloadLinks` call may ask about.
const MAX_PAYLOADS: usize = 100;

/// `POST …/{action}`: validates the parameters and carries the action out.
pub async fn invoke(request: &Request<'_>, body: Body) -> Result<Response, ApiError> {
    let action = action(request)?;
    let body = write::json_object(request, body).await?;
    let parameters = read_parameters(request.resource.model, action, &body.object, &body.numbers)?;
    match Behaviour::of(&action.name) {
        Some(Behaviour::Assign) => assign(request, parameters).await,
        Some(Behaviour::HasPayloadLinks) => has_payload_links(request, parameters).await,
        None => Err(ApiError::Internal(
            format!("no behaviour for the action {}", action.name).into(),
        )),
    }
}

/// The model's action at the addressed place.
fn action<'a>(request: &Request<'a>) -> Result<&'a Action, ApiError> {
    let resource = &request.resource;
    let place = resource.place();
    let PlaceKind::Action(binding) = place.kind else {
        return Err(ApiError::Internal(
            format!("{} is no action", place.path).into(),
        ));
    };
    resource
        .model
        .actions()
        .iter()
        .find(|a| {
            a.name == place.name
                && a.on_collection == (binding == Binding::Collection)
                && resource.model.is_assignable(&place.entity_type, &a.binding)
        })
        .ok_or_else(|| ApiError::Internal(format!("no action behind {}", place.path).into()))
}

/// `assign`: replaces, in one transaction, each child collection of the entity whose type
/// a parameter carries (a script's `assignments` and `groupAssignments`, a configuration's
/// `assignments`) with the given entities, under new ids. A parameter left out leaves its
/// collection as it is. 204, as Microsoft documents.
async fn assign(
    request: &Request<'_>,
    parameters: Vec<(String, Parameter)>,
) -> Result<Response, ApiError> {
    let resource = &request.resource;
    let binding = resource
        .places
        .get(resource.place().parent.unwrap_or_default());
    let mut children = Vec::new();
    for (name, parameter) in parameters {
        let Parameter::Entities(entities) = parameter else {
            continue;
        };
        let declared = entities_type(request, &name)?;
        let child = resource
            .places
            .children(binding.id)
            .find(|p| p.kind == PlaceKind::Collection && p.entity_type == declared)
            .ok_or_else(|| {
                ApiError::Internal(format!("{name} has no collection to replace").into())
            })?;
        let changes = entities
            .into_iter()
            .map(|e| Changes {
                merged: Vec::new(),
                type_name: e.type_name,
                values: e.values,
                links: Vec::new(),
            })
            .collect();
        children.push((child.name.clone(), changes));
    }
    request
        .app
        .store
        .replace_children(request.tenant, resource.address()?, children)
        .await
        .map_err(|e| request.store_error(e))?;
    Ok(render::no_content())
}

/// The entity type of the collection parameter `name`.
fn entities_type(request: &Request<'_>, name: &str) -> Result<String, ApiError> {
    let action = action(request)?;
    match action.parameter(name).map(|p| &p.ty.kind) {
        Some(odata::TypeKind::Entity(ty)) => Ok(ty.clone()),
        _ => Err(ApiError::Internal(
            format!("{name} is no entity collection").into(),
        )),
    }
}

/// `hasPayloadLinks`: for each payload (script) id, whether anything assigns it. localgraph
/// has no policy sets, so a link is a direct assignment (`sources: ["direct"]`); an id that
/// names no script answers `hasLink: false` with an `error`. 200 with the results.
async fn has_payload_links(
    request: &Request<'_>,
    parameters: Vec<(String, Parameter)>,
) -> Result<Response, ApiError> {
    let ids: Vec<String> = parameters
        .into_iter()
        .find(|(name, _)| name == "payloadIds")
        .and_then(|(_, p)| match p {
            Parameter::Value(Value::Json(json)) => match *json {
                Json::Array(ids) => Some(ids),
                _ => None,
            },
            _ => None,
        })
        .unwrap_or_default()
        .into_iter()
        .filter_map(|id| id.as_str().map(str::to_string))
        .collect();
    if ids.len() > MAX_PAYLOADS {
        return Err(ApiError::Query(QueryError::new(
            "payloadIds",
            format!(
                "At most {MAX_PAYLOADS} payloadIds can be checked in one call; {} were given.",
                ids.len()
            ),
        )));
    }
    let resource = &request.resource;
    let collection = resource.address()?;
    let mut value = Vec::with_capacity(ids.len());
    for id in ids {
        let mut assigned = 0;
        let mut error = String::new();
        for navigation in ["assignments", "groupAssignments"] {
            let Some(at) = child_address(request, collection, &id, navigation) else {
                continue;
            };
            match request.app.store.count(request.tenant, &at, None).await {
                Ok(n) => assigned += n,
                Err(StoreError::NotFound) => {
                    error = format!("The payload '{id}' does not exist.");
                    break;
                }
                Err(e) => return Err(request.store_error(e)),
            }
        }
        let sources: Vec<&str> = if assigned > 0 {
            vec!["direct"]
        } else {
            Vec::new()
        };
        value.push(json!({
            "error": error,
            "hasLink": assigned > 0,
            "payloadId": id,
            "sources": sources,
        }));
    }
    let mut body = Map::new();
    let returns = action(request)?
        .return_type
        .as_ref()
        .map(|t| t.qualified_name(&resource.model.namespace))
        .unwrap_or_default();
    body.insert("@odata.context".into(), json!(resource.context(&returns)));
    body.insert("value".into(), Json::Array(value));
    Ok(render::json(StatusCode::OK, &body))
}

/// The address of the child collection `navigation` of the entity `key` of `collection`.
fn child_address(
    request: &Request<'_>,
    collection: &Address,
    key: &str,
    navigation: &str,
) -> Option<Address> {
    let catalog = request.app.store.catalog();
    let mut steps = collection.steps.clone();
    let last = steps.last_mut()?;
    last.key = Some(key.to_string());
    let child = catalog.child(last.table, navigation)?;
    steps.push(Step {
        table: child.id,
        key: None,
        types: Vec::new(),
        via: None,
    });
    Some(Address { steps })
}

#[cfg(test)]
mod tests {
    use super::Behaviour;
    use intune::{ApiVersion, Schema};

    #[test]
    fn every_served_action_has_a_behaviour() {
        let schema = Schema::load().unwrap();
        for version in ApiVersion::ALL {
            for action in schema.model(version).actions() {
                assert!(
                    Behaviour::of(&action.name).is_some(),
                    "{version:?}: nothing carries out {}",
                    action.name
                );
            }
        }
        assert_eq!(Behaviour::of("wipe"), None);
    }
}
