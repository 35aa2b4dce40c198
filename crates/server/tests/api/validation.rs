//! Every class of bad body gets Graph's error, names what is wrong, and writes nothing.

use crate::helpers::TestApp;

/// (body, expected code, fragments the message must contain)
const REJECTED_PATCHES: &[(&str, &str, &[&str])] = &[
    (
        r#"{"displayName": 5}"#,
        "ModelValidationFailure",
        &["'displayName'", "'Edm.String'"],
    ),
    (
        r#"{"runAs32Bit": "yes"}"#,
        "ModelValidationFailure",
        &["'runAs32Bit'", "'Edm.Boolean'"],
    ),
    (
        r#"{"runAsAccount": "root"}"#,
        "ModelValidationFailure",
        &["'runAsAccount'", "system, user"],
    ),
    (
        r#"{"runAsAccount": 1}"#,
        "ModelValidationFailure",
        &["'runAsAccount'", "runAsAccountType"],
    ),
    (
        r#"{"roleScopeTagIds": "0"}"#,
        "ModelValidationFailure",
        &["'roleScopeTagIds'", "StartArray"],
    ),
    (
        r#"{"roleScopeTagIds": null}"#,
        "ModelValidationFailure",
        &[
            "'roleScopeTagIds'",
            "Collection(Edm.String)",
            "does not allow null",
        ],
    ),
    (
        r#"{"roleScopeTagIds": [0]}"#,
        "ModelValidationFailure",
        &["'roleScopeTagIds'", "'Edm.String'"],
    ),
    (
        r#"{"scriptContent": "not base64!"}"#,
        "ModelValidationFailure",
        &["'scriptContent'", "'Edm.Binary'"],
    ),
    (
        r#"{"enforceSignatureCheck": null}"#,
        "ModelValidationFailure",
        &["'enforceSignatureCheck'", "Nullable=False"],
    ),
    (
        r#"{"colour": "red"}"#,
        "ModelValidationFailure",
        &["'colour'", "microsoft.graph.deviceManagementScript"],
    ),
    (
        r#"{"runSummary": {}}"#,
        "ModelValidationFailure",
        &["navigation property 'runSummary'"],
    ),
    (
        r##"{"@odata.type": "#microsoft.graph.unicorn"}"##,
        "ModelValidationFailure",
        &["'microsoft.graph.unicorn'"],
    ),
    (
        r##"{"@odata.type": "#microsoft.graph.softwareUpdateStatusSummary"}"##,
        "ModelValidationFailure",
        &["not assignable", "microsoft.graph.deviceManagementScript"],
    ),
    (
        r#"{"displayName": "x""#,
        "BadRequest",
        &["Unable to read JSON"],
    ),
    (r#"["displayName"]"#, "BadRequest", &["Unable to read JSON"]),
];

#[tokio::test]
async fn rejected_bodies_name_the_problem_and_change_nothing() {
    let app = TestApp::spawn().await;
    let script = app.create_script().await;
    let path = format!("/beta/deviceManagement/deviceManagementScripts/{script}");
    let before = app.get(&path).await.json();
    for (body, code, fragments) in REJECTED_PATCHES {
        let reply = app.patch(&path, body).await;
        assert_eq!(reply.status, 400, "{body} -> {}", reply.text);
        let (actual_code, message) = reply.error();
        assert_eq!(&actual_code, code, "{body}");
        for fragment in *fragments {
            assert!(
                message.contains(fragment),
                "{body}: {message:?} lacks {fragment:?}"
            );
        }
        assert_eq!(reply.header("content-type"), Some("application/json"));
        assert!(
            reply.header("odata-version").is_none(),
            "errors carry no OData-Version"
        );
    }
    assert_eq!(
        app.get(&path).await.json(),
        before,
        "no rejected write changed the script"
    );
}

#[tokio::test]
async fn numbers_must_be_int32_and_dates_must_carry_an_offset() {
    let app = TestApp::spawn().await;
    let path = "/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries";
    let cases = [
        (r#""failedUpdateCount": 2147483648"#, "'failedUpdateCount'"),
        (r#""failedUpdateCount": -2147483649"#, "'failedUpdateCount'"),
        (r#""failedUpdateCount": 1.5"#, "'failedUpdateCount'"),
        (r#""failedUpdateCount": "3""#, "'failedUpdateCount'"),
        (
            r#""lastUpdatedDateTime": "2024-01-19T13:38:22.169688""#,
            "'lastUpdatedDateTime'",
        ),
        (
            r#""lastUpdatedDateTime": "2024-01-19T13:38:22.12345678Z""#,
            "'lastUpdatedDateTime'",
        ),
        (
            r#""lastUpdatedDateTime": "14.04.2021 14:11:27 +02:00""#,
            "'lastUpdatedDateTime'",
        ),
    ];
    for (property, fragment) in cases {
        let body = format!(r#"{{"displayName": "d", {property}}}"#);
        let reply = app.post(path, &body).await;
        assert_eq!(reply.status, 400, "{body}");
        let (code, message) = reply.error();
        assert_eq!(code, "ModelValidationFailure");
        assert!(message.contains(fragment), "{message}");
    }
    let missing = app.post(path, r#"{"failedUpdateCount": 1}"#).await;
    assert_eq!(missing.status, 400);
    assert!(
        missing.error().1.contains("'displayName'"),
        "displayName is required"
    );

    let list = app.get(path).await.json();
    assert_eq!(
        list["value"].as_array().unwrap().len(),
        0,
        "nothing was created"
    );

    let edge = app
        .post(path, r#"{"displayName": "d", "failedUpdateCount": 2147483647, "successfulUpdateCount": -2147483648,
                 "lastUpdatedDateTime": "2024-02-29T23:30:00.1-01:00"}"#)
        .await;
    assert_eq!(edge.status, 201, "{}", edge.text);
    assert_eq!(edge.json()["failedUpdateCount"], 2147483647);
    assert_eq!(edge.json()["lastUpdatedDateTime"], "2024-03-01T00:30:00.1Z");
}

#[tokio::test]
async fn abstract_types_need_a_concrete_odata_type() {
    let app = TestApp::spawn().await;
    let path = "/beta/deviceAppManagement/mobileAppConfigurations";
    let reply = app.post(path, r#"{"displayName": "no type"}"#).await;
    assert_eq!(reply.status, 400);
    let (code, message) = reply.error();
    assert_eq!(code, "ModelValidationFailure");
    assert!(
        message.contains("abstract")
            && message.contains("#microsoft.graph.iosMobileAppConfiguration"),
        "{message}"
    );

    let nested = app
        .post(path, r##"{"@odata.type": "microsoft.graph.iosMobileAppConfiguration", "displayName": "d",
                         "settings": [{"appConfigKey": "k", "appConfigKeyType": "bogusType", "appConfigKeyValue": "v"}]}"##)
        .await;
    assert_eq!(nested.status, 400);
    assert!(
        nested.error().1.contains("'settings/appConfigKeyType'"),
        "{}",
        nested.text
    );

    let script = app.create_script().await;
    let assignments =
        format!("/beta/deviceManagement/deviceManagementScripts/{script}/assignments");
    let untyped = app
        .post(&assignments, r#"{"target": {"groupId": "g"}}"#)
        .await;
    assert_eq!(
        untyped.status, 400,
        "the target's type is abstract: {}",
        untyped.text
    );
    let typed = app
        .post(&assignments, r##"{"target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": "g"}}"##)
        .await;
    assert_eq!(typed.status, 201, "{}", typed.text);
    assert_eq!(
        typed.json()["target"]["@odata.type"],
        "#microsoft.graph.groupAssignmentTarget"
    );
    assert_eq!(
        typed.json()["target"]["deviceAndAppManagementAssignmentFilterType"],
        "none"
    );
}

#[tokio::test]
async fn bodies_must_be_json_and_at_most_4_mb() {
    let app = TestApp::spawn().await;
    let path = "/v1.0/deviceManagement/softwareUpdateStatusSummary";
    // No Content-Type: the gateway's 400 (another media type: see `media_types`).
    let untyped = app.request("PATCH", path, None, &[]).await;
    assert_eq!(untyped.status, 400);
    assert!(untyped.error().1.contains("Content-Type"));

    let huge = format!(
        r#"{{"displayName": "{}"}}"#,
        "x".repeat(4 * 1024 * 1024 + 1)
    );
    let reply = app.patch(path, &huge).await;
    assert_eq!(reply.status, 413);
    assert_eq!(
        app.get(path).await.json()["displayName"],
        serde_json::Value::Null
    );
}

#[tokio::test]
async fn collections_are_never_null() {
    let app = TestApp::spawn().await;
    // Never written: `[]`, on the entity and in lists, in both versions.
    let config = app.create_configuration("v1.0").await;
    for version in ["v1.0", "beta"] {
        let path = format!("/{version}/deviceAppManagement/mobileAppConfigurations/{config}");
        let json = app.get(&path).await.json();
        assert_eq!(
            json["targetedMobileApps"],
            serde_json::json!([]),
            "{version}"
        );
        assert_eq!(json["settings"], serde_json::json!([]), "{version}");
        if version == "beta" {
            assert_eq!(json["roleScopeTagIds"], serde_json::json!([]));
        }
    }
    let listed = app
        .get("/beta/deviceAppManagement/mobileAppConfigurations?$select=roleScopeTagIds")
        .await
        .json();
    assert_eq!(listed["value"][0]["roleScopeTagIds"], serde_json::json!([]));
    // `null` is refused on create and on PATCH; `[]` clears.
    let create = app
        .post(
            "/beta/deviceManagement/deviceManagementScripts",
            r#"{"displayName": "x", "roleScopeTagIds": null}"#,
        )
        .await;
    assert_eq!(create.status, 400, "{}", create.text);
    assert!(create.error().1.contains("'roleScopeTagIds'"));
    let script = app.create_script().await;
    let path = format!("/beta/deviceManagement/deviceManagementScripts/{script}");
    let set = app.patch(&path, r#"{"roleScopeTagIds": ["0", "1"]}"#).await;
    assert_eq!(set.json()["roleScopeTagIds"], serde_json::json!(["0", "1"]));
    assert_eq!(
        app.patch(&path, r#"{"roleScopeTagIds": null}"#)
            .await
            .status,
        400
    );
    let cleared = app.patch(&path, r#"{"roleScopeTagIds": []}"#).await;
    assert_eq!(cleared.json()["roleScopeTagIds"], serde_json::json!([]));
}

/// `@odata.type` naming a type of the wrong kind (an entity type where a complex value
/// goes, a complex type for an entity) is ODataLib's "Incompatible type kinds", not
/// "could not be resolved": the type exists.
#[tokio::test]
async fn a_type_of_the_wrong_kind_is_named_as_such() {
    let app = TestApp::spawn().await;
    let script = app.create_script().await;
    let assignments =
        format!("/beta/deviceManagement/deviceManagementScripts/{script}/assignments");
    let entity_in_complex = app
        .post(
            &assignments,
            r##"{"target": {"@odata.type": "#microsoft.graph.deviceManagementScript", "groupId": "g"}}"##,
        )
        .await;
    let complex_as_entity = app
        .post(
            "/beta/deviceManagement/deviceManagementScripts",
            r##"{"@odata.type": "#microsoft.graph.groupAssignmentTarget", "displayName": "x"}"##,
        )
        .await;
    for (reply, message) in [
        (
            &entity_in_complex,
            "Incompatible type kinds were found. The type 'microsoft.graph.deviceManagementScript' was found to be of kind 'Entity' instead of the expected kind 'Complex'.",
        ),
        (
            &complex_as_entity,
            "Incompatible type kinds were found. The type 'microsoft.graph.groupAssignmentTarget' was found to be of kind 'Complex' instead of the expected kind 'Entity'.",
        ),
    ] {
        assert_eq!(reply.status, 400, "{}", reply.text);
        assert_eq!(
            reply.error(),
            ("ModelValidationFailure".to_string(), message.to_string())
        );
    }
    assert_eq!(
        app.get(&assignments).await.json()["value"],
        serde_json::json!([])
    );
}
