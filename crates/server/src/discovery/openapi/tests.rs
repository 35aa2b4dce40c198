use std::collections::HashSet;

use intune::{ApiVersion, Schema};
use serde_json::Value as Json;

use super::*;

fn documents() -> Vec<(Json, Vec<Route>)> {
    let schema = Schema::load().unwrap();
    ApiVersion::ALL
        .into_iter()
        .map(|v| {
            (
                document(&schema, v, "http://localhost"),
                routes(schema.places(v)),
            )
        })
        .collect()
}

fn refs<'a>(value: &'a Json, out: &mut Vec<&'a str>) {
    match value {
        Json::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", Json::String(target)) => out.push(target),
                    _ => refs(v, out),
                }
            }
        }
        Json::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[test]
fn every_reference_resolves_and_operation_ids_are_unique() {
    for (doc, _) in documents() {
        let mut targets = Vec::new();
        refs(&doc, &mut targets);
        assert!(!targets.is_empty());
        for target in targets {
            let pointer = target.strip_prefix('#').expect("local reference");
            assert!(doc.pointer(pointer).is_some(), "{target} does not resolve");
        }
        let mut ids = HashSet::new();
        for item in doc["paths"].as_object().unwrap().values() {
            for op in item.as_object().unwrap().values() {
                let id = op["operationId"].as_str().unwrap();
                assert!(ids.insert(id.to_string()), "operationId {id} twice");
            }
        }
    }
}

#[test]
fn paths_list_exactly_the_methods_the_router_answers() {
    for (doc, places) in documents() {
        let paths = doc["paths"].as_object().unwrap();
        assert_eq!(
            paths.len(),
            places.len() + 3,
            "places + /, $metadata, $batch"
        );
        for place in places {
            let item = paths[&place.template].as_object().unwrap();
            for method in ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] {
                assert_eq!(
                    item.contains_key(&method.to_ascii_lowercase()),
                    place.shape.operation(method).is_some(),
                    "{method} {}",
                    place.template
                );
            }
        }
    }
}

#[test]
fn collections_take_graph_query_options_and_keys_are_path_parameters() {
    let (beta, _) = documents().pop().unwrap();
    let list = &beta["paths"]["/deviceManagement/deviceManagementScripts"]["get"];
    let names: Vec<String> = list["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            p["name"]
                .as_str()
                .map(str::to_string)
                .or_else(|| {
                    p["$ref"]
                        .as_str()
                        .map(|r| r.rsplit('/').next().unwrap().to_string())
                })
                .unwrap()
        })
        .collect();
    assert_eq!(
        names,
        [
            "top", "skip", "filter", "count", "$orderby", "$select", "$expand"
        ]
    );
    let get = &beta["paths"]["/deviceManagement/deviceManagementScripts/{deviceManagementScript-id}"]
        ["get"];
    assert_eq!(get["parameters"][0]["name"], "deviceManagementScript-id");
    assert_eq!(get["parameters"][0]["in"], "path");
    assert_eq!(get["parameters"][1]["name"], "$select");
    let selectable = get["parameters"][1]["schema"]["items"]["enum"]
        .as_array()
        .unwrap();
    for item in ["*", "displayName", "runSummary"] {
        assert!(selectable.contains(&item.into()), "{item}: {selectable:?}");
    }
    let count = &beta["paths"]["/deviceManagement/deviceManagementScripts/$count"]["get"];
    assert!(
        count["responses"]["200"]["$ref"]
            .as_str()
            .unwrap()
            .ends_with("ODataCountResponse")
    );
    let set_ref = &beta["paths"]["/deviceManagement/softwareUpdateStatusSummary/$ref"]["post"];
    assert_eq!(set_ref["responses"]["204"]["description"], "Success");
    assert_eq!(
        set_ref["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/microsoft.graph.softwareUpdateStatusSummary"
    );
}

#[test]
fn schemas_follow_the_model() {
    let (beta, _) = documents().pop().unwrap();
    let schemas = &beta["components"]["schemas"];
    let script = &schemas["microsoft.graph.deviceManagementScript"];
    assert_eq!(
        script["allOf"][0]["$ref"],
        "#/components/schemas/microsoft.graph.entity"
    );
    let own = &script["allOf"][1]["properties"];
    assert_eq!(own["createdDateTime"]["readOnly"], true);
    assert_eq!(own["runSummary"]["x-ms-navigationProperty"], true);
    assert_eq!(
        own["description"]["type"],
        serde_json::json!(["string", "null"])
    );
    let configuration = &schemas["microsoft.graph.managedDeviceMobileAppConfiguration"]["allOf"][1];
    assert_eq!(
        configuration["properties"]["displayName"]["type"], "string",
        "non-nullable"
    );
    assert_eq!(
        configuration["discriminator"]["mapping"]["#microsoft.graph.iosMobileAppConfiguration"],
        "#/components/schemas/microsoft.graph.iosMobileAppConfiguration"
    );
    let v1 = &documents()[0].0;
    assert!(v1["components"]["schemas"]["microsoft.graph.deviceManagementScript"].is_null());
    assert!(v1["security"][0]["bearerAuth"].is_array());
    assert_eq!(
        v1["components"]["securitySchemes"]["bearerAuth"]["scheme"],
        "bearer"
    );
}

#[test]
fn every_operation_names_the_permissions_the_server_checks() {
    let required = |place: &str, access| intune::Permissions::bundled().required(place, access);
    for (document, routes) in documents() {
        for route in routes {
            let item = &document["paths"][&route.template];
            for method in Shape::METHODS {
                let Some(operation) = route.shape.operation(method) else {
                    continue;
                };
                let listed: Vec<&str> = item[method.to_ascii_lowercase()]["x-ms-permissions"]
                    .as_array()
                    .unwrap_or_else(|| panic!("{method} {} lists no permissions", route.template))
                    .iter()
                    .map(|p| p.as_str().unwrap())
                    .collect();
                let access = operation.access();
                assert_eq!(
                    listed,
                    required(&route.place, access),
                    "{method} {}",
                    route.template
                );
                if access == intune::permissions::Access::Write {
                    assert!(
                        listed.iter().all(|p| p.contains("ReadWrite")),
                        "{}",
                        route.template
                    );
                }
            }
        }
    }
}

#[test]
fn actions_take_their_parameters_and_answer_as_documented() {
    let (beta, _) = documents().pop().unwrap();
    let paths = &beta["paths"];
    let assign = &paths["/deviceManagement/deviceManagementScripts/{deviceManagementScript-id}/assign"]
        ["post"];
    let body = &assign["requestBody"]["content"]["application/json"]["schema"];
    assert_eq!(
        body["properties"]["deviceManagementScriptAssignments"]["items"]["$ref"],
        "#/components/schemas/microsoft.graph.deviceManagementScriptAssignment"
    );
    assert_eq!(assign["responses"]["204"]["description"], "Success");
    let links = &paths["/deviceManagement/deviceManagementScripts/hasPayloadLinks"]["post"];
    assert_eq!(
        links["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["value"]["items"]
            ["$ref"],
        "#/components/schemas/microsoft.graph.hasPayloadLinkResultItem"
    );
    let cast = &paths["/deviceAppManagement/mobileAppConfigurations/graph.iosMobileAppConfiguration"]
        ["get"];
    assert_eq!(
        cast["operationId"],
        "deviceAppManagement.mobileAppConfigurations.ListAsIosMobileAppConfiguration"
    );
}

/// The documents promise what the server does: every `$orderby` item is an order the
/// server's parser takes (complex and collection properties are not listed), `$top`
/// starts at 1 as the server's does, and `…/$count` declares the `$filter` it takes.
#[test]
fn query_parameters_agree_with_the_server() {
    let schema = Schema::load().unwrap();
    for version in ApiVersion::ALL {
        let model = schema.model(version);
        let doc = document(&schema, version, "http://localhost");
        let mut checked = 0;
        for place in routes(schema.places(version)) {
            let Some(get) = doc["paths"][&place.template].get("get") else {
                continue;
            };
            let ty = model.structured(&place.entity_type).unwrap();
            let parameters = get["parameters"].as_array().unwrap();
            if let Some(orderby) = parameters.iter().find(|p| p["name"] == "$orderby") {
                let items = orderby["schema"]["items"]["enum"].as_array().unwrap();
                assert!(!items.is_empty(), "{}", place.template);
                for item in items {
                    let raw = format!("$orderby={}", item.as_str().unwrap());
                    let parsed = odata::query::QueryOptions::parse(Some(&raw), model, ty);
                    assert!(parsed.is_ok(), "{} {raw}: {parsed:?}", place.template);
                    checked += 1;
                }
                let listed = |name: &str| items.iter().any(|i| i == name);
                for property in &ty.properties {
                    assert_eq!(
                        listed(&property.name),
                        property.ty.is_orderable(),
                        "{} {}",
                        place.template,
                        property.name
                    );
                }
            }
            if place.template.ends_with("/$count") {
                let query: Vec<&Json> = parameters.iter().filter(|p| p["in"] != "path").collect();
                assert_eq!(
                    query,
                    [&serde_json::json!({ "$ref": "#/components/parameters/filter" })],
                    "{}",
                    place.template
                );
            }
        }
        assert!(checked > 0);
        assert_eq!(
            doc["components"]["parameters"]["top"]["schema"]["minimum"],
            1
        );
    }
}
