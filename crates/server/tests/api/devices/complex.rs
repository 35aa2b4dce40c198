//! Complex values of a device across writes and versions: PATCH merges into them
//! recursively (`research/graph-behavior.md` §3.6), a version keeps the members it cannot
//! see, and every version reads each member it declares (defaults, `[]` for collections).

use serde_json::{Value, json};

use super::{BETA_DEVICES, DEVICES, create};
use crate::helpers::TestApp;

const FEATURES: &str = "configurationManagerClientEnabledFeatures";

async fn read(app: &TestApp, devices: &str, id: &str) -> Value {
    let reply = app.get(&format!("{devices}/{id}")).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json()
}

async fn patch(app: &TestApp, devices: &str, id: &str, body: Value) -> Value {
    let reply = app
        .patch(&format!("{devices}/{id}"), &body.to_string())
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json()
}

#[tokio::test]
async fn patch_merges_into_a_complex_value() {
    let app = TestApp::spawn().await;
    let body = json!({"deviceName": "cx", FEATURES: {"inventory": true, "modernApps": true}});
    let id = create(&app, BETA_DEVICES, &body.to_string()).await;
    let answered = patch(
        &app,
        DEVICES,
        &id,
        json!({FEATURES: {"windowsUpdateForBusiness": true}}),
    )
    .await;
    let expected = json!({
        "compliancePolicy": false, "deviceConfiguration": false, "inventory": true,
        "modernApps": true, "resourceAccess": false, "windowsUpdateForBusiness": true
    });
    assert_eq!(answered[FEATURES], expected, "the PATCH's answer");
    assert_eq!(read(&app, DEVICES, &id).await[FEATURES], expected);

    let hardware = json!({
        "serialNumber": "S1", "totalStorageSpace": 256_000_000_000_i64,
        "sharedDeviceCachedUsers": [{"userPrincipalName": "a@contoso.example"}]
    });
    patch(
        &app,
        BETA_DEVICES,
        &id,
        json!({"hardwareInformation": hardware}),
    )
    .await;
    patch(
        &app,
        BETA_DEVICES,
        &id,
        json!({"hardwareInformation": {"imei": "123", "sharedDeviceCachedUsers": []}}),
    )
    .await;
    let merged = &read(&app, BETA_DEVICES, &id).await["hardwareInformation"];
    assert_eq!(merged["imei"], "123");
    assert_eq!(merged["serialNumber"], "S1", "left out, so unchanged");
    assert_eq!(merged["totalStorageSpace"].as_i64(), Some(256_000_000_000));
    assert_eq!(merged["sharedDeviceCachedUsers"], json!([]), "replaced");

    // An explicit null sets a nullable member; the complex value itself can be nulled.
    patch(
        &app,
        BETA_DEVICES,
        &id,
        json!({"hardwareInformation": {"serialNumber": null}}),
    )
    .await;
    let nulled = &read(&app, BETA_DEVICES, &id).await["hardwareInformation"];
    assert_eq!(nulled["serialNumber"], Value::Null);
    assert_eq!(nulled["imei"], "123");
    patch(
        &app,
        BETA_DEVICES,
        &id,
        json!({"hardwareInformation": null}),
    )
    .await;
    assert_eq!(
        read(&app, BETA_DEVICES, &id).await["hardwareInformation"],
        Value::Null
    );
    // A PATCH into a null complex value starts from its defaults.
    patch(
        &app,
        BETA_DEVICES,
        &id,
        json!({"hardwareInformation": {"imei": "456"}}),
    )
    .await;
    let fresh = &read(&app, BETA_DEVICES, &id).await["hardwareInformation"];
    assert_eq!(fresh["imei"], "456");
    assert_eq!(fresh["serialNumber"], Value::Null);
    assert_eq!(fresh["totalStorageSpace"], 0);
    assert_eq!(fresh["sharedDeviceCachedUsers"], json!([]));
}

#[tokio::test]
async fn a_v1_patch_keeps_the_beta_members_of_a_complex_value() {
    let app = TestApp::spawn().await;
    let id = create(&app, BETA_DEVICES, r#"{"deviceName":"cz"}"#).await;
    let beta =
        json!({FEATURES: {"officeApps": true, "endpointProtection": true, "inventory": true}});
    patch(&app, BETA_DEVICES, &id, beta).await;
    let answered = patch(
        &app,
        DEVICES,
        &id,
        json!({FEATURES: {"inventory": true, "modernApps": true}}),
    )
    .await;
    assert!(
        answered[FEATURES].get("officeApps").is_none(),
        "v1.0 does not show beta's members: {answered}"
    );
    let features = &read(&app, BETA_DEVICES, &id).await[FEATURES];
    assert_eq!(features["officeApps"], true, "{features}");
    assert_eq!(features["endpointProtection"], true);
    assert_eq!(features["modernApps"], true);
    let v1 = &read(&app, DEVICES, &id).await[FEATURES];
    assert_eq!(v1.as_object().unwrap().len(), 6, "{v1}");
    let filtered = app
        .get(&format!(
            "{BETA_DEVICES}/$count?$filter={FEATURES}/officeApps eq true"
        ))
        .await;
    assert_eq!(filtered.text, "1");
}

#[tokio::test]
async fn a_complex_value_written_on_v1_reads_on_beta_with_every_member() {
    let app = TestApp::spawn().await;
    let body = json!({"deviceName": "cy", FEATURES: {"inventory": true}});
    let on_v1 = create(&app, DEVICES, &body.to_string()).await;
    let on_beta = create(&app, BETA_DEVICES, &body.to_string()).await;
    let expected = json!({
        "compliancePolicy": false, "deviceConfiguration": false, "endpointProtection": false,
        "inventory": true, "modernApps": false, "officeApps": false, "resourceAccess": false,
        "windowsUpdateForBusiness": false
    });
    for id in [&on_v1, &on_beta] {
        let features = &read(&app, BETA_DEVICES, id).await[FEATURES];
        assert_eq!(features, &expected);
        let keys: Vec<&String> = features.as_object().unwrap().keys().collect();
        let order: Vec<&String> = expected.as_object().unwrap().keys().collect();
        assert_eq!(keys, order, "schema order");
    }
    // v1.0 reads the value beta wrote without beta's members.
    let v1 = &read(&app, DEVICES, &on_beta).await[FEATURES];
    assert!(v1.get("officeApps").is_none(), "{v1}");
    assert_eq!(v1.as_object().unwrap().len(), 6, "{v1}");
    // The defaults are stored, so $filter finds them as the reads show them.
    let filtered = app
        .get(&format!(
            "{BETA_DEVICES}/$count?$filter={FEATURES}/officeApps eq false"
        ))
        .await;
    assert_eq!(filtered.text, "2");
}

#[tokio::test]
async fn a_collection_in_a_complex_value_reads_empty_and_refuses_null() {
    let app = TestApp::spawn().await;
    let body = json!({"deviceName": "hw", "hardwareInformation": {"serialNumber": "S1"}});
    let id = create(&app, BETA_DEVICES, &body.to_string()).await;
    let hardware = &read(&app, BETA_DEVICES, &id).await["hardwareInformation"];
    assert_eq!(hardware["sharedDeviceCachedUsers"], json!([]), "{hardware}");
    let refused = app
        .patch(
            &format!("{BETA_DEVICES}/{id}"),
            r#"{"hardwareInformation":{"sharedDeviceCachedUsers":null}}"#,
        )
        .await;
    assert_eq!(refused.status, 400, "{}", refused.text);
    let (code, message) = refused.error();
    assert_eq!(code, "ModelValidationFailure");
    assert!(
        message.contains("hardwareInformation/sharedDeviceCachedUsers"),
        "{message}"
    );
}
