//! Bound actions routed from the model: `assign` on scripts and app configurations,
//! `hasPayloadLinks` on the scripts collection.

use serde_json::{Value, json};

use crate::helpers::{TestApp, spec};

const SCRIPTS: &str = "/beta/deviceManagement/deviceManagementScripts";

fn group(id: &str) -> Value {
    json!({"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": id})
}

async fn values(app: &TestApp, path: &str) -> Vec<Value> {
    let reply = app.get(path).await;
    assert_eq!(reply.status, 200, "{path}: {}", reply.text);
    reply.json()["value"].as_array().unwrap().clone()
}

#[tokio::test]
async fn assign_replaces_a_scripts_assignments_and_group_assignments() {
    let app = TestApp::spawn().await;
    let script = app.create_script().await;
    let assign = format!("{SCRIPTS}/{script}/assign");
    let body = json!({
        "deviceManagementScriptAssignments": [
            {"@odata.type": "#microsoft.graph.deviceManagementScriptAssignment", "id": "ignored", "target": group("g1")},
            {"target": group("g2")},
        ],
        "deviceManagementScriptGroupAssignments": [{"targetGroupId": "g3"}],
    });
    let reply = app.post(&assign, &body.to_string()).await;
    assert_eq!(reply.status, 204, "{}", reply.text);
    assert!(reply.text.is_empty());
    let assignments = values(&app, &format!("{SCRIPTS}/{script}/assignments")).await;
    let groups: Vec<&Value> = assignments
        .iter()
        .map(|a| &a["target"]["groupId"])
        .collect();
    assert_eq!(groups, [&json!("g1"), &json!("g2")]);
    assert_ne!(assignments[0]["id"], "ignored", "the server assigns ids");
    let group_assignments = values(&app, &format!("{SCRIPTS}/{script}/groupAssignments")).await;
    assert_eq!(group_assignments[0]["targetGroupId"], "g3");

    // A second call replaces; a parameter left out keeps its collection as it is.
    let body = json!({"deviceManagementScriptAssignments": [{"target": group("g9")}]});
    assert_eq!(app.post(&assign, &body.to_string()).await.status, 204);
    let assignments = values(&app, &format!("{SCRIPTS}/{script}/assignments")).await;
    assert_eq!(assignments.len(), 1);
    assert_eq!(assignments[0]["target"]["groupId"], "g9");
    assert_eq!(
        values(&app, &format!("{SCRIPTS}/{script}/groupAssignments"))
            .await
            .len(),
        1
    );
    let body = json!({"deviceManagementScriptGroupAssignments": []});
    assert_eq!(app.post(&assign, &body.to_string()).await.status, 204);
    assert!(
        values(&app, &format!("{SCRIPTS}/{script}/groupAssignments"))
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn a_refused_assign_changes_nothing() {
    let app = TestApp::spawn().await;
    let script = app.create_script().await;
    let assign = format!("{SCRIPTS}/{script}/microsoft.graph.assign");
    let first = json!({"deviceManagementScriptAssignments": [{"target": group("g1")}]});
    assert_eq!(app.post(&assign, &first.to_string()).await.status, 204);
    for (body, code, needle) in [
        (
            json!({"assignments": []}),
            "ModelValidationFailure",
            "'assignments'",
        ),
        (
            json!({"deviceManagementScriptAssignments": [{"target": {"groupId": "g"}}]}),
            "ModelValidationFailure",
            "abstract",
        ),
        (
            json!({"deviceManagementScriptAssignments": null}),
            "ModelValidationFailure",
            "deviceManagementScriptAssignments",
        ),
    ] {
        let reply = app.post(&assign, &body.to_string()).await;
        assert_eq!(reply.status, 400, "{body}: {}", reply.text);
        let (got, message) = reply.error();
        assert_eq!(got, code, "{message}");
        assert!(message.contains(needle), "{message}");
    }
    let missing = app
        .post(
            &format!("{SCRIPTS}/00000000-0000-0000-0000-000000000000/assign"),
            &first.to_string(),
        )
        .await;
    assert_eq!(missing.status, 404, "{}", missing.text);
    let assignments = values(&app, &format!("{SCRIPTS}/{script}/assignments")).await;
    assert_eq!(assignments.len(), 1);
    assert_eq!(assignments[0]["target"]["groupId"], "g1");
    let get = app.get(&assign).await;
    assert_eq!(get.status, 400, "an action answers POST only");
    assert_eq!(get.error().0, "No method match route template");
}

#[tokio::test]
async fn assign_on_an_app_configuration_in_both_versions() {
    let app = TestApp::spawn().await;
    for version in ["v1.0", "beta"] {
        let config = app.create_configuration(version).await;
        let item = format!("/{version}/deviceAppManagement/mobileAppConfigurations/{config}");
        // Microsoft's documented example, as written.
        let body = r##"{"assignments": [{"@odata.type": "#microsoft.graph.managedDeviceMobileAppConfigurationAssignment",
            "id": "4df81c9c-1c9c-4df8-9c1c-f84d9c1cf84d",
            "target": {"@odata.type": "microsoft.graph.allLicensedUsersAssignmentTarget"}}]}"##;
        let reply = app.post(&format!("{item}/assign"), body).await;
        assert_eq!(reply.status, 204, "{version}: {}", reply.text);
        let assignments = values(&app, &format!("{item}/assignments")).await;
        assert_eq!(
            assignments[0]["target"]["@odata.type"],
            "#microsoft.graph.allLicensedUsersAssignmentTarget"
        );
    }
    // Only DeviceManagementApps.ReadWrite.All may assign a configuration.
    let config = app.create_configuration("v1.0").await;
    let path = format!("/v1.0/deviceAppManagement/mobileAppConfigurations/{config}/assign");
    for (role, status) in [
        ("DeviceManagementApps.Read.All", 403),
        ("DeviceManagementConfiguration.ReadWrite.All", 403),
        ("DeviceManagementApps.ReadWrite.All", 204),
    ] {
        let token = app.mint(&spec(&app.tenant, &[], &[role]));
        let reply = app
            .with_token(&token)
            .post(&path, r#"{"assignments": []}"#)
            .await;
        assert_eq!(reply.status, status, "{role}: {}", reply.text);
    }
}

#[tokio::test]
async fn has_payload_links_tells_which_scripts_are_assigned() {
    let app = TestApp::spawn().await;
    let assigned = app.create_script().await;
    let lonely = app.create_script().await;
    let body = json!({"deviceManagementScriptAssignments": [{"target": group("g1")}]});
    let reply = app
        .post(&format!("{SCRIPTS}/{assigned}/assign"), &body.to_string())
        .await;
    assert_eq!(reply.status, 204);
    let missing = "00000000-0000-0000-0000-000000000000";
    let body = json!({"payloadIds": [assigned, lonely, missing]});
    let reply = app
        .post(&format!("{SCRIPTS}/hasPayloadLinks"), &body.to_string())
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let json = reply.json();
    assert_eq!(
        json["@odata.context"],
        format!(
            "{}/beta/$metadata#Collection(microsoft.graph.hasPayloadLinkResultItem)",
            app.base
        )
    );
    let results = json["value"].as_array().unwrap();
    assert_eq!(
        results[0],
        json!({"error": "", "hasLink": true, "payloadId": assigned, "sources": ["direct"]})
    );
    assert_eq!(
        results[1],
        json!({"error": "", "hasLink": false, "payloadId": lonely, "sources": []})
    );
    assert_eq!(results[2]["hasLink"], false);
    assert!(results[2]["error"].as_str().unwrap().contains(missing));
    // A read permission invokes it, as Microsoft documents.
    let token = app.mint(&spec(
        &app.tenant,
        &[],
        &["DeviceManagementConfiguration.Read.All"],
    ));
    let reply = app
        .with_token(&token)
        .post(
            &format!("{SCRIPTS}/hasPayloadLinks"),
            r#"{"payloadIds": []}"#,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let too_many = json!({"payloadIds": vec!["x"; 101]});
    let reply = app
        .post(&format!("{SCRIPTS}/hasPayloadLinks"), &too_many.to_string())
        .await;
    assert_eq!(reply.status, 400);
}
