//! `$metadata`, OpenAPI and the service document: generated from the model that serves
//! the data, they list exactly what the server answers.

use std::collections::{BTreeSet, HashMap};

use serde_json::json;
use store::Catalog;

use crate::helpers::{Options, Reply, TestApp};

#[tokio::test]
async fn metadata_is_the_csdl_of_each_version() {
    let app = TestApp::spawn().await;
    for version in ["v1.0", "beta"] {
        let reply = app.get(&format!("/{version}/$metadata")).await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.header("content-type"), Some("application/xml"));
        assert_eq!(reply.header("odata-version"), Some("4.0"));
        insta::assert_snapshot!(format!("metadata_{version}"), reply.text);
    }
    let v1 = app.get("/v1.0/$metadata").await.text;
    assert!(
        !v1.contains("deviceManagementScript"),
        "beta-only types stay out of v1.0"
    );
    assert!(v1.contains(
        r#"<Singleton Name="deviceManagement" Type="microsoft.graph.deviceManagement"/>"#
    ));
    let unknown = app.get("/v2.0/$metadata").await;
    assert_eq!(unknown.status, 404);
    let post = app.post("/beta/$metadata", "{}").await;
    assert_eq!(post.status, 405);
    assert_eq!(post.error().0, "Request_BadRequest");
}

#[tokio::test]
async fn openapi_describes_each_version() {
    let app = TestApp::spawn().await;
    for version in ["v1.0", "beta"] {
        let reply = app.get(&format!("/{version}/openapi.json")).await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.header("content-type"), Some("application/json"));
        let mut document = reply.json();
        assert_eq!(
            document["servers"][0]["url"],
            format!("{}/{version}", app.base),
            "the server URL is the address the client used"
        );
        document["servers"][0]["url"] = json!("[base]");
        insta::assert_json_snapshot!(format!("openapi_{version}"), document);
    }
}

#[tokio::test]
async fn each_client_address_gets_its_own_server_url_from_the_kept_documents() {
    let app = TestApp::spawn().await;
    let server_url = |reply: Reply| reply.json()["servers"][0]["url"].clone();
    let path = "/beta/openapi.json";
    let direct = server_url(app.get(path).await);
    let other = app
        .request("GET", path, None, &[("host", "graph.example:8443")])
        .await;
    assert_eq!(server_url(other), "http://graph.example:8443/beta");
    assert_eq!(server_url(app.get(path).await), direct);
    assert_eq!(direct, format!("{}/beta", app.base));
    let metadata = app.get("/beta/$metadata").await.text;
    assert_eq!(app.get("/beta/$metadata").await.text, metadata);
    assert_ne!(app.get("/v1.0/$metadata").await.text, metadata);
}

#[tokio::test]
async fn the_service_document_lists_the_singletons() {
    let app = TestApp::spawn().await;
    for path in ["/beta/", "/beta"] {
        let reply = app.get(path).await;
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(
            reply.json(),
            json!({
                "@odata.context": format!("{}/beta/$metadata", app.base),
                "value": [
                    { "name": "deviceAppManagement", "kind": "Singleton", "url": "deviceAppManagement" },
                    { "name": "deviceManagement", "kind": "Singleton", "url": "deviceManagement" },
                ],
            })
        );
    }
}

/// Creates an entity at `url`, filling in the properties the server says are required.
async fn create(app: &TestApp, url: &str) -> Reply {
    let mut body = json!({});
    if url.ends_with("mobileAppConfigurations") {
        body["@odata.type"] = json!("#microsoft.graph.iosMobileAppConfiguration");
    }
    for _ in 0..8 {
        let reply = app.post(url, &body.to_string()).await;
        let message = if reply.status == 400 {
            reply.error().1
        } else {
            return reply;
        };
        let Some(name) = message
            .strip_prefix("The property '")
            .and_then(|m| m.split_once('\''))
            .filter(|(_, rest)| rest.contains("is required"))
            .map(|(name, _)| name.to_string())
        else {
            return reply;
        };
        body[name] = json!("x");
    }
    app.post(url, &body.to_string()).await
}

/// The template with each key replaced by the id created for it (keyed by the template
/// up to that key, since one entity type can be keyed at several places).
fn substitute(template: &str, ids: &HashMap<String, String>) -> String {
    let mut prefix = String::new();
    let mut out = String::new();
    for segment in template.split('/').filter(|s| !s.is_empty()) {
        prefix.push('/');
        prefix.push_str(segment);
        out.push('/');
        match segment.starts_with('{') {
            true => out.push_str(
                ids.get(&prefix)
                    .map_or("00000000-0000-0000-0000-000000000000", String::as_str),
            ),
            false => out.push_str(segment),
        }
    }
    if out.is_empty() { "/".into() } else { out }
}

#[tokio::test]
async fn every_openapi_path_answers_and_every_stored_place_is_listed() {
    let app = TestApp::spawn().await;
    let schema = intune::Schema::load().unwrap();
    let catalog = Catalog::build(&schema).unwrap();
    let mut listed = BTreeSet::new();
    for version in ["v1.0", "beta"] {
        let document = app.get(&format!("/{version}/openapi.json")).await.json();
        let paths = document["paths"].as_object().unwrap().clone();
        // Create one entity at every place that takes POST, parents first, so each key
        // parameter has a real id.
        let mut ids: HashMap<String, String> = HashMap::new();
        for (template, item) in &paths {
            let creates = item["post"]["responses"].get("201").is_some();
            if !creates || template.ends_with("$ref") || template.starts_with("/$") {
                continue;
            }
            let url = format!("/{version}{}", substitute(template, &ids));
            let reply = create(&app, &url).await;
            assert_eq!(reply.status, 201, "POST {url}: {}", reply.text);
            let entity = paths
                .keys()
                .find(|p| p.starts_with(&format!("{template}/{{")) && p.ends_with('}'));
            if let Some(entity) = entity {
                ids.insert(
                    entity.clone(),
                    reply.json()["id"].as_str().unwrap().to_string(),
                );
            }
        }
        // Every GET answers 200 with real ids (an entity cast to another type than the
        // entity's, and a link nothing was bound to: 404).
        let places = schema.places(intune::ApiVersion::parse(version).unwrap());
        for (template, item) in &paths {
            if item.get("get").is_some() && template != "/$metadata" {
                let url = format!("/{version}{}", substitute(template, &ids));
                let reply = app.get(&url).await;
                let expected = match url.rsplit_once("/graph.") {
                    Some((entity, cast)) if template.contains("}/graph.") => {
                        let ty = app.get(entity).await.json()["@odata.type"].clone();
                        if ty == format!("#microsoft.graph.{cast}") {
                            200
                        } else {
                            404
                        }
                    }
                    _ if is_link(places, template) => 404,
                    _ => 200,
                };
                assert_eq!(reply.status, expected, "GET {url}: {}", reply.text);
            }
        }
        // Every other listed method is routed: never an unknown segment or "no route".
        for (template, item) in paths.iter().rev() {
            for method in ["post", "put", "patch", "delete"]
                .into_iter()
                .filter(|m| item.get(*m).is_some())
            {
                let url = format!("/{version}{}", substitute(template, &ids));
                let body = (method != "delete").then_some("{}");
                let reply = app.request(&method.to_uppercase(), &url, body, &[]).await;
                assert!(reply.status < 500, "{method} {url}: {}", reply.text);
                if reply.status == 400 {
                    let (code, message) = reply.error();
                    assert!(
                        code == "ModelValidationFailure"
                            || code == "BadRequest" && !message.starts_with("Resource not found"),
                        "{method} {url}: {code} {message}"
                    );
                }
            }
        }
        for template in paths.keys() {
            let place: Vec<&str> = template
                .split('/')
                .filter(|s| {
                    !s.is_empty()
                        && !s.starts_with('{')
                        && !s.starts_with('$')
                        && !s.starts_with("graph.")
                })
                .collect();
            let Some(place) = places.by_path(&place.join("/")) else {
                assert!(place.is_empty(), "{template} is no served place");
                continue;
            };
            if place.stores() {
                listed.insert(place.path.clone());
            }
        }
    }
    let stored: BTreeSet<String> = catalog.tables().iter().map(|t| t.path.clone()).collect();
    assert_eq!(
        listed, stored,
        "OpenAPI lists exactly the places the store keeps"
    );
}

/// Whether `template` addresses a link (or its `$ref`).
fn is_link(places: &odata::Places, template: &str) -> bool {
    let path: Vec<&str> = template
        .split('/')
        .filter(|s| !s.is_empty() && !s.starts_with('{') && !s.starts_with('$'))
        .collect();
    places
        .by_path(&path.join("/"))
        .is_some_and(|p| matches!(p.kind, odata::PlaceKind::Link(_)))
}

#[tokio::test]
async fn a_type_added_to_the_csdl_is_routed_stored_and_described() {
    let v1 = include_str!("../../../intune/schema/v1.0.csdl.xml").replace(
        r#"<NavigationProperty Name="softwareUpdateStatusSummary" Type="graph.softwareUpdateStatusSummary" />"#,
        r#"<NavigationProperty Name="softwareUpdateStatusSummary" Type="graph.softwareUpdateStatusSummary" />
        <NavigationProperty Name="widgetSummaries" Type="Collection(graph.widgetSummary)" ContainsTarget="true" />
      </EntityType>
      <EntityType Name="widgetSummary" BaseType="graph.entity">
        <Property Name="widgetCount" Type="Edm.Int32" Nullable="false" />"#,
    );
    let beta = include_str!("../../../intune/schema/beta.csdl.xml");
    // A new place needs its own permission rule: without one, nothing may touch it.
    let schema = intune::Schema::from_documents(&v1, beta).unwrap();
    let app = TestApp::spawn_with(Options {
        schema: Some(schema.clone()),
        ..Options::default()
    })
    .await;
    let unruled = app.get("/v1.0/deviceManagement/widgetSummaries").await;
    assert_eq!(unruled.status, 403, "{}", unruled.text);
    let permissions = include_str!("../../../intune/schema/permissions.json").replacen(
        '[',
        r#"[{"place": "deviceManagement/widgetSummaries",
             "read": ["DeviceManagementConfiguration.Read.All", "DeviceManagementConfiguration.ReadWrite.All"],
             "write": ["DeviceManagementConfiguration.ReadWrite.All"], "evidence": "a test"},"#,
        1,
    );
    let app = TestApp::spawn_with(Options {
        schema: Some(schema.with_permissions(&permissions).unwrap()),
        ..Options::default()
    })
    .await;
    let created = app
        .post(
            "/v1.0/deviceManagement/widgetSummaries",
            r#"{"widgetCount":3}"#,
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(
        created.json()["@odata.type"],
        "#microsoft.graph.widgetSummary"
    );
    let listed = app
        .get("/v1.0/deviceManagement/widgetSummaries")
        .await
        .json();
    assert_eq!(listed["value"][0]["widgetCount"], 3);
    let metadata = app.get("/v1.0/$metadata").await.text;
    assert!(metadata.contains(r#"<EntityType Name="widgetSummary" BaseType="graph.entity">"#));
    assert!(metadata.contains(r#"<NavigationProperty Name="widgetSummaries" Type="Collection(graph.widgetSummary)" ContainsTarget="true"/>"#));
    let openapi = app.get("/v1.0/openapi.json").await.json();
    let item = &openapi["paths"]["/deviceManagement/widgetSummaries/{widgetSummary-id}"];
    assert!(item["get"].is_object() && item["patch"].is_object() && item["delete"].is_object());
    assert!(openapi["components"]["schemas"]["microsoft.graph.widgetSummary"].is_object());
    let beta_reply = app.get("/beta/deviceManagement/widgetSummaries").await;
    assert_eq!(
        beta_reply.error().1,
        "Resource not found for the segment 'widgetSummaries'."
    );
}
