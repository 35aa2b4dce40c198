//! The five seed documents' requests, sent as written (path, headers, body), and the
//! documented answers, field by field.

use serde_json::{Value, json};

use crate::helpers::{TestApp, is_guid};

const SEED_000_BODY: &str = r##"{
  "@odata.type": "#microsoft.graph.softwareUpdateStatusSummary",
  "displayName": "Display Name value",
  "compliantDeviceCount": 4,
  "nonCompliantDeviceCount": 7,
  "remediatedDeviceCount": 5,
  "errorDeviceCount": 0,
  "unknownDeviceCount": 2,
  "conflictDeviceCount": 3,
  "notApplicableDeviceCount": 8,
  "compliantUserCount": 2,
  "nonCompliantUserCount": 5,
  "remediatedUserCount": 3,
  "errorUserCount": 14,
  "unknownUserCount": 0,
  "conflictUserCount": 1,
  "notApplicableUserCount": 6
}"##;

/// Seed 001's body is the same document.
const SEED_001_BODY: &str = SEED_000_BODY;

const SEED_002_BODY: &str = r##"{
  "@odata.type": "#microsoft.graph.macOSSoftwareUpdateAccountSummary",
  "displayName": "Display Name value",
  "deviceId": "Device Id value",
  "userId": "User Id value",
  "deviceName": "Device Name value",
  "userPrincipalName": "User Principal Name value",
  "osVersion": "Os Version value",
  "successfulUpdateCount": 5,
  "failedUpdateCount": 1,
  "totalUpdateCount": 0,
  "lastUpdatedDateTime": "2017-01-01T00:00:56.8321556-08:00"
}"##;

const SEED_003_BODY: &str = r##"{
  "@odata.type": "#microsoft.graph.managedDeviceMobileAppConfigurationUserSummary",
  "pendingCount": "Integer",
  "notApplicableCount": "Integer",
  "successCount": "Integer",
  "errorCount": "Integer",
  "failedCount": "Integer",
  "lastUpdateDateTime": "String (timestamp)",
  "configurationVersion": "Integer"
}"##;

const SEED_004_BODY: &str = r##"{
  "@odata.type": "#microsoft.management.services.api.deviceManagementScriptRunSummary",
  "successDeviceCount": "Integer",
  "errorDeviceCount": "Integer",
  "successUserCount": "Integer",
  "errorUserCount": "Integer"
}"##;

/// The seed's placeholder strings replaced by real values of the right types.
fn with_real_values(body: &str, numbers: &[(&str, i64)], dates: &[(&str, &str)]) -> String {
    let mut value: Value = serde_json::from_str(body).unwrap();
    for (name, n) in numbers {
        value[*name] = json!(n);
    }
    for (name, d) in dates {
        value[*name] = json!(d);
    }
    value.to_string()
}

fn assert_fields(actual: &Value, expected: &str) {
    let expected: Value = serde_json::from_str(expected).unwrap();
    for (name, value) in expected.as_object().unwrap() {
        assert_eq!(&actual[name], value, "property {name} of {actual}");
    }
}

#[tokio::test]
async fn seed_000_post_ref_replaces_the_tenant_summary() {
    let app = TestApp::spawn().await;
    let reply = app
        .request(
            "POST",
            "/beta/deviceManagement/softwareUpdateStatusSummary/$ref",
            Some(SEED_000_BODY),
            &[("Content-length", &SEED_000_BODY.len().to_string())],
        )
        .await;
    assert_eq!(reply.status, 204, "{}", reply.text);
    assert_eq!(reply.text, "", "204 has an empty body");

    for version in ["beta", "v1.0"] {
        let read = app
            .get(&format!(
                "/{version}/deviceManagement/softwareUpdateStatusSummary"
            ))
            .await;
        assert_eq!(read.status, 200);
        assert_fields(&read.json(), SEED_000_BODY);
    }
}

/// OData's reference body on a summary's `$ref` (`{"@odata.id": …}` alone) would replace
/// the summary with no properties, every count 0: it is a 400 that says what the `$ref`
/// takes, and the summary seed 000 wrote is kept.
#[tokio::test]
async fn a_bare_reference_body_on_a_summary_ref_is_refused_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let path = "/beta/deviceManagement/softwareUpdateStatusSummary/$ref";
    assert_eq!(app.post(path, SEED_000_BODY).await.status, 204);
    let script = app.create_script().await;
    let run_summary =
        format!("/beta/deviceManagement/deviceManagementScripts/{script}/runSummary/$ref");
    for (method, path, body) in [
        (
            "PUT",
            path,
            json!({"@odata.id": "https://graph.microsoft.com/beta/deviceManagement/softwareUpdateStatusSummary"}),
        ),
        (
            "POST",
            path,
            json!({"@odata.id": "deviceManagement/softwareUpdateStatusSummary", "@odata.type": "#microsoft.graph.softwareUpdateStatusSummary"}),
        ),
        ("PUT", run_summary.as_str(), json!({"@odata.id": "x"})),
    ] {
        let refused = app
            .request(method, path, Some(&body.to_string()), &[])
            .await;
        assert_eq!(
            refused.status, 400,
            "{method} {path} {body}: {}",
            refused.text
        );
        let (code, message) = refused.error();
        assert_eq!(code, "BadRequest");
        assert!(
            message.starts_with("This '$ref' takes the summary's properties")
                && message.contains("nothing was written"),
            "{message}"
        );
    }
    let read = app
        .get("/beta/deviceManagement/softwareUpdateStatusSummary")
        .await;
    assert_fields(&read.json(), SEED_000_BODY);
}

#[tokio::test]
async fn seed_001_patch_answers_200_with_the_updated_entity() {
    let app = TestApp::spawn().await;
    let reply = app
        .request(
            "PATCH",
            "/v1.0/deviceManagement/softwareUpdateStatusSummary",
            Some(SEED_001_BODY),
            // The document's Content-length (518) counts its own line endings; the client
            // computes the real one, as every HTTP client does.
            &[("Content-type", "application/json")],
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let body = reply.json();
    assert_fields(&body, SEED_001_BODY);
    assert!(is_guid(body["id"].as_str().unwrap()), "{body}");
    assert_eq!(
        body["@odata.context"],
        format!(
            "{}/v1.0/$metadata#deviceManagement/softwareUpdateStatusSummary/$entity",
            app.base
        )
    );
    let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(
        keys[..4],
        ["@odata.context", "@odata.type", "id", "displayName"]
    );
    assert_eq!(
        reply.header("content-type"),
        Some(
            "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
        )
    );
    assert_eq!(reply.header("odata-version"), Some("4.0"));
}

#[tokio::test]
async fn seed_002_create_answers_201_with_a_new_guid() {
    let app = TestApp::spawn().await;
    let reply = app
        .request(
            "POST",
            "/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries",
            Some(SEED_002_BODY),
            &[("Content-type", "application/json")],
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let body = reply.json();
    let id = body["id"].as_str().unwrap();
    assert!(is_guid(id), "{id}");
    assert_eq!(
        body["@odata.type"],
        "#microsoft.graph.macOSSoftwareUpdateAccountSummary"
    );
    let mut expected: Value = serde_json::from_str(SEED_002_BODY).unwrap();
    // The same instant, written in UTC as Graph writes it.
    expected["lastUpdatedDateTime"] = json!("2017-01-01T08:00:56.8321556Z");
    assert_fields(&body, &expected.to_string());
    assert_eq!(
        reply.header("location").unwrap(),
        format!(
            "{}/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries('{id}')",
            app.base
        )
    );
    let read = app
        .get(&format!(
            "/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries/{id}"
        ))
        .await;
    assert_eq!(read.status, 200);
    assert_eq!(read.json()["deviceName"], "Device Name value");
}

#[tokio::test]
async fn seed_003_placeholders_are_rejected_and_real_values_create() {
    let app = TestApp::spawn().await;
    let config = app.create_configuration("v1.0").await;
    let path =
        format!("/v1.0/deviceAppManagement/mobileAppConfigurations/{config}/userStatusSummary");

    let reply = app.post(&path, SEED_003_BODY).await;
    assert_eq!(reply.status, 400);
    let (code, message) = reply.error();
    assert_eq!(code, "ModelValidationFailure");
    assert!(
        message.contains("'pendingCount'") && message.contains("'Edm.Int32'"),
        "{message}"
    );
    let untouched = app.get(&path).await;
    assert_eq!(
        untouched.status, 200,
        "the summary exists with its configuration"
    );
    assert_eq!(
        untouched.json()["pendingCount"],
        0,
        "a rejected create writes nothing"
    );

    let numbers = [
        ("pendingCount", 1),
        ("notApplicableCount", 2),
        ("successCount", 3),
        ("errorCount", 4),
        ("failedCount", 5),
        ("configurationVersion", 6),
    ];
    let real = with_real_values(
        SEED_003_BODY,
        &numbers,
        &[("lastUpdateDateTime", "2024-05-01T10:00:00Z")],
    );
    let reply = app.post(&path, &real).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let body = reply.json();
    assert_fields(&body, &real);
    assert!(is_guid(body["id"].as_str().unwrap()));
    assert!(body.get("conflictCount").is_none(), "beta-only on v1.0");
    assert_eq!(
        body["@odata.context"],
        format!(
            "{}/v1.0/$metadata#deviceAppManagement/mobileAppConfigurations('{config}')/userStatusSummary/$entity",
            app.base
        )
    );

    // One summary per configuration: POST again sets it again, same id.
    let again = app.post(&path, &real).await;
    assert_eq!(again.status, 201, "{}", again.text);
    assert_eq!(again.json()["id"], body["id"]);
    let missing = app
        .post("/v1.0/deviceAppManagement/mobileAppConfigurations/00000000-0000-0000-0000-000000000000/userStatusSummary", &real)
        .await;
    assert_eq!(missing.status, 404);
}

#[tokio::test]
async fn seed_004_placeholders_are_rejected_and_real_values_replace_the_run_summary() {
    let app = TestApp::spawn().await;
    let script = app.create_script().await;
    let path = format!("/beta/deviceManagement/deviceManagementScripts/{script}/runSummary/$ref");

    let reply = app.post(&path, SEED_004_BODY).await;
    assert_eq!(reply.status, 400);
    let (code, message) = reply.error();
    assert_eq!(code, "ModelValidationFailure");
    assert!(
        message.contains("'successDeviceCount'") && message.contains("'Edm.Int32'"),
        "{message}"
    );

    let numbers = [
        ("successDeviceCount", 10),
        ("errorDeviceCount", 2),
        ("successUserCount", 9),
        ("errorUserCount", 1),
    ];
    let real = with_real_values(SEED_004_BODY, &numbers, &[]);
    let reply = app.post(&path, &real).await;
    assert_eq!(reply.status, 204, "{}", reply.text);
    assert_eq!(reply.text, "");

    let read = app
        .get(&format!(
            "/beta/deviceManagement/deviceManagementScripts/{script}/runSummary"
        ))
        .await;
    assert_eq!(read.status, 200);
    let body = read.json();
    assert_fields(
        &body,
        &real.replace("microsoft.management.services.api", "microsoft.graph"),
    );
    assert_eq!(
        body["id"],
        script.as_str(),
        "a run summary's id is its script's"
    );

    let missing = app
        .post("/beta/deviceManagement/deviceManagementScripts/00000000-0000-0000-0000-000000000000/runSummary/$ref", &real)
        .await;
    assert_eq!(missing.status, 404);
}
