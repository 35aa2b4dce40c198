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
    let reader = app.with_token(&app.mint(&spec(
        &app.tenant,
        &[],
        &["DeviceManagementConfiguration.Read.All"],
    )));
    for (template, operations) in paths {
        let path = template.replace("{id}", "x").replace("{name}", "x");
        for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
            let listed = operations.get(method.to_ascii_lowercase());
            // Each change, and only a change, is refused to a token that may only read,
            // as the document says.
            if let Some(operation) = listed {
                let refused = reader.request(method, &path, Some("{}"), &[]).await;
                let changes = method != "GET";
                assert_eq!(
                    refused.status == 403,
                    changes,
                    "{method} {path}: {}",
                    refused.text
                );
                assert_eq!(
                    operation["responses"]["403"].is_object(),
                    changes,
                    "{method} {template}: the document's 403"
                );
                if changes {
                    assert_eq!(refused.error().1, NEEDS_A_WRITE);
                }
            }
            let listed = listed.is_some();
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

/// The 403 of a control-API change by a token without a write permission.
const NEEDS_A_WRITE: &str = "Application is not authorized to perform this operation. Application must have one of the following scopes: DeviceManagementConfiguration.ReadWrite.All, DeviceManagementScripts.ReadWrite.All, DeviceManagementManagedDevices.ReadWrite.All, DeviceManagementApps.ReadWrite.All";

#[tokio::test]
async fn the_control_api_reads_with_a_token_of_the_tenant_and_changes_with_a_write_permission() {
    let app = TestApp::spawn().await;
    let reply = app.anonymous().get("/_localgraph/faults").await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.error().0, "InvalidAuthenticationToken");
    assert!(reply.header("www-authenticate").is_some());
    assert_eq!(
        app.anonymous().delete("/_localgraph/data").await.status,
        401
    );
    let script = app.create_script().await;
    assert_eq!(
        app.post("/_localgraph/snapshots", r#"{"name": "before"}"#)
            .await
            .status,
        201
    );
    // Tokens that may only read, or hold no Intune permission at all, read the controls
    // but change nothing: not the data, its snapshots, the rules or the settings.
    for (scopes, roles) in [
        (&["User.Read"][..], &[][..]),
        (
            &[][..],
            &[
                "DeviceManagementConfiguration.Read.All",
                "DeviceManagementScripts.Read.All",
            ][..],
        ),
        (&["DeviceManagementRBAC.ReadWrite.All"][..], &[][..]),
    ] {
        let reader = app.with_token(&app.mint(&spec(&app.tenant, scopes, roles)));
        for path in [
            "/_localgraph/faults",
            "/_localgraph/snapshots",
            "/_localgraph/requests",
        ] {
            assert_eq!(
                reader.get(path).await.status,
                200,
                "{scopes:?} {roles:?} {path}"
            );
        }
        for (method, path, body) in [
            ("DELETE", "/_localgraph/data", None),
            ("POST", "/_localgraph/snapshots/before/restore", None),
            ("DELETE", "/_localgraph/snapshots/before", None),
            ("POST", "/_localgraph/snapshots", Some(r#"{"name": "x"}"#)),
            (
                "POST",
                "/_localgraph/faults",
                Some(r#"{"path": "**", "status": 500}"#),
            ),
            (
                "PUT",
                "/_localgraph/profile",
                Some(r#"{"profile": "observed"}"#),
            ),
        ] {
            let reply = reader.request(method, path, body, &[]).await;
            assert_eq!(reply.status, 403, "{method} {path}: {}", reply.text);
            assert_eq!(reply.error(), ("Forbidden".into(), NEEDS_A_WRITE.into()));
        }
    }
    let script_path = format!("/beta/deviceManagement/deviceManagementScripts/{script}");
    assert_eq!(app.get(&script_path).await.status, 200, "the data stayed");
    assert_eq!(
        app.get("/_localgraph/snapshots").await.json()["value"][0]["name"],
        "before"
    );
    assert_eq!(
        app.get("/_localgraph/profile").await.json()["profile"],
        "documented"
    );
    // One write permission, of any resource, delegated or app-only, is enough.
    let writer = app.with_token(&app.mint(&spec(
        &app.tenant,
        &["DeviceManagementApps.ReadWrite.All"],
        &[],
    )));
    let reply = writer
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
    assert_eq!(app.delete("/_localgraph/faults").await.status, 204);
    let writer = app.with_token(&app.mint(&spec(
        &app.tenant,
        &[],
        &["DeviceManagementScripts.ReadWrite.All"],
    )));
    assert_eq!(writer.delete("/_localgraph/data").await.status, 204);
    assert_eq!(app.get(&script_path).await.status, 404, "the data went");
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
