//! The OpenAPI 3.1 document of one version, written at run time from the served routes
//! (the version's map of served places) and the router's method table
//! ([`Shape::operation`]), so it lists exactly the paths and methods the server answers.

mod parameters;
mod schemas;

use intune::{ApiVersion, Permissions, Schema};
use odata::{Binding, Model, PlaceKind};
use serde_json::{Map, Value as Json, json};

use super::places::{Route, routes, served_model};
use crate::odata::{Operation, Shape};
use parameters::{parameters, parameters_of};
use schemas::{collection_name, reference, type_schema_name};

/// The name of the bearer-token security scheme.
const BEARER: &str = "bearerAuth";

/// The OpenAPI document of `version` (`v1.0`, `beta`), with `server` (`http://host:port`)
/// as the base of its server URL.
pub fn document(schema: &Schema, version: ApiVersion, server: &str) -> Json {
    let (model, places) = (schema.model(version), schema.places(version));
    let served = served_model(model, places);
    let places = routes(places);
    let version = version.as_str();
    let mut paths = Map::new();
    for place in &places {
        let mut item = Map::new();
        for method in Shape::METHODS {
            if let Some(operation) = place.shape.operation(method) {
                item.insert(
                    method.to_ascii_lowercase(),
                    self::operation(&served, schema.permissions(), place, method, operation),
                );
            }
        }
        paths.insert(place.template.clone(), Json::Object(item));
    }
    paths.extend(service_paths());
    let mut listed: Vec<String> = places
        .iter()
        .filter(|p| p.shape == Shape::Collection)
        .map(|p| p.entity_type.clone())
        .collect();
    listed.sort();
    listed.dedup();
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": format!("localgraph: Microsoft Graph {version} (Intune status reports)"),
            "version": version,
            "description": "Generated at run time from the same EDM that serves the data.",
        },
        "servers": [{ "url": format!("{server}/{version}") }],
        "paths": paths,
        "components": {
            "schemas": schemas::components(&served, &listed),
            "responses": responses(&served, &listed),
            "parameters": parameters(),
            "securitySchemes": {
                BEARER: {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "An access token for https://graph.microsoft.com.",
                },
            },
        },
        "security": [{ BEARER: [] }],
    })
}

fn operation(
    model: &Model,
    table: &Permissions,
    place: &Route,
    method: &str,
    op: Operation,
) -> Json {
    let last = place.names.last().cloned().unwrap_or_default();
    // A cast (`graph.iosMobileAppConfiguration`) names operations `…AsIosMobileAppConfiguration`.
    let last = match last.strip_prefix("graph.") {
        Some(cast) => format!("as{}", capitalize(cast)),
        None => last,
    };
    let prefix = place.names[..place.names.len().saturating_sub(1)].join(".");
    let prefix = if prefix.is_empty() {
        last.clone()
    } else {
        prefix
    };
    let capital = capitalize(&last);
    let entity = reference(&type_schema_name(model, &place.entity_type));
    let (id, summary, responses, body) = match op {
        Operation::GetSingleton => (
            format!("{prefix}.Get{capital}"),
            format!("Get {last}"),
            json!({ "200": json_response("Retrieved entity", entity.clone()) }),
            None,
        ),
        Operation::List => (
            format!("{prefix}.List{capital}"),
            format!("List {last}"),
            json!({ "200": { "$ref": format!("#/components/responses/{}", collection_name(model, &place.entity_type)) } }),
            None,
        ),
        Operation::Get => (
            format!("{prefix}.Get{capital}"),
            format!("Get {last}"),
            json!({ "200": json_response("Retrieved entity", entity.clone()) }),
            None,
        ),
        Operation::Count => (
            format!("{prefix}.{last}.GetCount"),
            format!("Get the number of {last}"),
            json!({ "200": { "$ref": "#/components/responses/ODataCountResponse" } }),
            None,
        ),
        Operation::GetRef => (
            format!("{prefix}.GetRef{capital}"),
            format!("Get the reference of {last}"),
            json!({ "200": json_response("Retrieved reference", reference("ReferenceResponse")) }),
            None,
        ),
        Operation::Create => (
            format!("{prefix}.Create{capital}"),
            format!("Create {last}"),
            json!({ "201": json_response("Created entity", entity.clone()) }),
            Some(entity.clone()),
        ),
        Operation::ReplaceRef => (
            format!(
                "{prefix}.{}Ref{capital}",
                if method == "POST" { "Create" } else { "Set" }
            ),
            format!("Replace {last} with a full entity"),
            json!({ "204": { "description": "Success" } }),
            Some(entity.clone()),
        ),
        Operation::Update => (
            format!("{prefix}.Update{capital}"),
            format!("Update {last}"),
            json!({
                "200": json_response("The updated entity", entity.clone()),
                "204": { "description": "Success, with `Prefer: return=minimal`" },
            }),
            Some(entity.clone()),
        ),
        Operation::Delete => (
            format!(
                "{prefix}.Delete{}{capital}",
                if place.shape == Shape::Ref { "Ref" } else { "" }
            ),
            format!("Delete {last}"),
            json!({ "204": { "description": "Success" } }),
            None,
        ),
        Operation::SetLink => (
            format!("{prefix}.SetRef{capital}"),
            format!("Point {last} at an entity"),
            json!({ "204": { "description": "Success" } }),
            Some(reference("ReferenceUpdate")),
        ),
        Operation::Unlink => (
            format!("{prefix}.DeleteRef{capital}"),
            format!("Unset {last}"),
            json!({ "204": { "description": "Success" } }),
            None,
        ),
        Operation::Invoke => {
            let (responses, body) = action_schemas(model, place);
            (
                format!("{prefix}.{last}"),
                format!("Invoke action {last}"),
                responses,
                Some(body),
            )
        }
    };
    let mut out = Map::new();
    out.insert("tags".into(), json!([tag(place)]));
    out.insert("summary".into(), json!(summary));
    if let Some(text) = &place.description {
        out.insert("description".into(), json!(text));
    }
    out.insert("operationId".into(), json!(id));
    out.insert(
        "parameters".into(),
        Json::Array(parameters_of(model, place, op)),
    );
    if let Some(schema) = body {
        out.insert(
            "requestBody".into(),
            json!({ "required": true, "content": { "application/json": { "schema": schema } } }),
        );
    }
    let mut responses = match responses {
        Json::Object(map) => map,
        _ => Map::new(),
    };
    responses.insert(
        "4XX".into(),
        json!({ "$ref": "#/components/responses/error" }),
    );
    responses.insert(
        "5XX".into(),
        json!({ "$ref": "#/components/responses/error" }),
    );
    out.insert("responses".into(), Json::Object(responses));
    let allowed = table.required(&place.place, op.access());
    if !allowed.is_empty() {
        // Any one permission suffices: one security requirement per permission, and the
        // list again as Microsoft's extension for tools that read it.
        let any_of: Vec<Json> = allowed.iter().map(|p| json!({ BEARER: [p] })).collect();
        out.insert("security".into(), Json::Array(any_of));
        out.insert("x-ms-permissions".into(), json!(allowed));
    }
    Json::Object(out)
}

/// The responses and request body of the action at `route`, from its parameters and
/// return type.
fn action_schemas(model: &Model, route: &Route) -> (Json, Json) {
    let name = route.names.last().map(String::as_str).unwrap_or_default();
    let on_collection = route.kind == PlaceKind::Action(Binding::Collection);
    let action = model.actions().iter().find(|a| {
        a.name == name
            && a.on_collection == on_collection
            && model.is_assignable(&route.entity_type, &a.binding)
    });
    let Some(action) = action else {
        return (
            json!({ "204": { "description": "Success" } }),
            json!({ "type": "object" }),
        );
    };
    let properties: Map<String, Json> = action
        .parameters
        .iter()
        .map(|p| (p.name.clone(), schemas::property(model, &p.ty, p.nullable)))
        .collect();
    let body = json!({ "type": "object", "properties": properties, "additionalProperties": false });
    let responses = match &action.return_type {
        None => json!({ "204": { "description": "Success" } }),
        Some(ty) if ty.collection => json!({ "200": json_response("Success", json!({
            "type": "object",
            "properties": { "value": schemas::property(model, ty, false) },
        })) }),
        Some(ty) => json!({ "200": json_response("Success", schemas::property(model, ty, true)) }),
    };
    (responses, body)
}

fn json_response(description: &str, schema: Json) -> Json {
    json!({ "description": description, "content": { "application/json": { "schema": schema } } })
}

fn capitalize(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// `deviceManagement.deviceManagementScript`: the singleton and the first entity type
/// under it, as Microsoft tags operations.
fn tag(place: &Route) -> String {
    match place.keys.first() {
        Some((_, ty)) => format!("{}.{ty}", place.names[0]),
        None => format!("{}.{}", place.names[0], place.entity_type),
    }
}

fn responses(model: &Model, listed: &[String]) -> Json {
    let mut out = Map::new();
    for entity_type in listed {
        let name = collection_name(model, entity_type);
        out.insert(
            name.clone(),
            json_response("Retrieved collection", reference(&name)),
        );
    }
    out.insert(
        "error".into(),
        json_response("error", reference("microsoft.graph.ODataErrors.ODataError")),
    );
    out.insert(
        "ODataCountResponse".into(),
        json!({
            "description": "The count of the resource",
            "content": { "text/plain": { "schema": reference("ODataCountResponse") } },
        }),
    );
    Json::Object(out)
}

/// The paths of the service itself: the service document, `$metadata` and `$batch`.
fn service_paths() -> Map<String, Json> {
    let errors = json!({ "$ref": "#/components/responses/error" });
    let paths = json!({
        "/": { "get": {
            "tags": ["service"], "summary": "The service document", "operationId": "service.GetServiceDocument",
            "security": [],
            "responses": { "200": json_response("The singletons this version serves", reference("ServiceDocument")), "4XX": errors, "5XX": errors },
        } },
        "/$metadata": { "get": {
            "tags": ["service"], "summary": "The CSDL document of this version", "operationId": "service.GetMetadata",
            "security": [],
            "responses": {
                "200": { "description": "CSDL XML", "content": { "application/xml": { "schema": { "type": "string" } } } },
                "4XX": errors, "5XX": errors,
            },
        } },
        "/$batch": { "post": {
            "tags": ["service"], "summary": "Run up to 20 requests in one", "operationId": "service.Batch",
            "requestBody": { "required": true, "content": { "application/json": { "schema": reference("BatchRequest") } } },
            "responses": { "200": json_response("One response per request, in request order", reference("BatchResponse")), "4XX": errors, "5XX": errors },
        } },
    });
    match paths {
        Json::Object(map) => map,
        _ => Map::new(),
    }
}

#[cfg(test)]
mod tests;
