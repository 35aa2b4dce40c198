//! The control API as a whole: its OpenAPI document lists what it answers, it takes the
//! same tokens as Graph (and the default tenant under `--auth off`), and answers in Graph's
//! error shape.

use serde_json::Value;

use crate::helpers::{Options, TestApp, spec};

#[tokio::test]
async fn the_openapi_document_lists_exactly_the_routes_that_answer() {
    let app = TestApp::spawn().await;
    let reply = app.anonymous().get("/_localgraph/openapi.json").await;
    assert_eq!(reply.status, 200, "the document needs no token");
    let document = reply.json();
    assert_eq!(document["openapi"], "3.1.0");
    assert_eq!(document["servers"][0]["url"], app.base);
    let paths = document["paths"].as_object().unwrap();
    assert_eq!(paths.len(), 10);
    for (template, operations) in paths {
        let path = template.replace("{id}", "x").replace("{name}", "x");
        for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
            let listed = operations.get(method.to_ascii_lowercase()).is_some();
            let reply = app.request(method, &path, Some("{}"), &[]).await;
            if listed {
                assert!(
                    ![404, 405].contains(&reply.status) || reply.error().1.contains("/x'"),
                    "{method} {path}: {}",
                    reply.text
                );
            } else {
                assert_eq!(reply.status, 405, "{method} {path}: {}", reply.text);
                assert_eq!(reply.error().0, "Request_BadRequest");
            }
        }
    }
}

#[tokio::test]
async fn the_control_api_needs_a_token_of_the_tenant_and_no_permission() {
    let app = TestApp::spawn().await;
    let reply = app.anonymous().get("/_localgraph/faults").await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.error().0, "InvalidAuthenticationToken");
    assert!(reply.header("www-authenticate").is_some());
    // A token with no permission at all acts on its tenant.
    let bare = app.with_token(&app.mint(&spec(&app.tenant, &["User.Read"], &[])));
    let reply = bare
        .post("/_localgraph/faults", r#"{"path": "**", "status": 500}"#)
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(
        app.get("/_localgraph/faults").await.json()["value"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let unknown = app.get("/_localgraph/nothing").await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.error().0, "ResourceNotFound");
    assert!(unknown.header("request-id").is_some());
}

#[tokio::test]
async fn with_auth_off_the_control_api_acts_on_the_default_tenant() {
    let app = TestApp::spawn_with(Options {
        auth_off: true,
        ..Options::default()
    })
    .await;
    let anonymous = app.anonymous();
    let reply = anonymous
        .post("/_localgraph/snapshots", r#"{"name": "s"}"#)
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(
        anonymous
            .get("/v1.0/deviceManagement/softwareUpdateStatusSummary")
            .await
            .status,
        200
    );
    let journal: Value = anonymous.get("/_localgraph/requests").await.json();
    assert_eq!(journal["value"][0]["appId"], Value::Null);
    assert_eq!(journal["value"].as_array().unwrap().len(), 1);
}
