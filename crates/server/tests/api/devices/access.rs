//! Managed devices across versions, tenants and permissions.

use serde_json::{Value, json};

use super::{BETA_DEVICES, DEVICES, create, device, laptop};
use crate::helpers::{TestApp, spec};

#[tokio::test]
async fn beta_properties_are_refused_on_v1_and_kept_for_beta() {
    let app = TestApp::spawn().await;
    let refused = app
        .post(DEVICES, r#"{"deviceName":"PC","chassisType":"laptop"}"#)
        .await;
    assert_eq!(refused.status, 400, "{}", refused.text);
    let (code, message) = refused.error();
    assert_eq!(code, "ModelValidationFailure");
    assert!(
        message.contains("'chassisType' does not exist"),
        "{message}"
    );

    let beta = json!({
        "deviceName": "IPAD-7",
        "operatingSystem": "iPadOS",
        "chassisType": "tablet",
        "deviceType": "iPad",
        "deviceEnrollmentType": "androidEnterpriseFullyManaged",
        "roleScopeTagIds": ["0", "12"],
        "hardwareInformation": {
            "serialNumber": "DMPX7Q2K9L",
            "totalStorageSpace": 256_000_000_000_i64,
            "isSharedDevice": true,
            "sharedDeviceCachedUsers": [{
                "userPrincipalName": "adele.vance@contoso.example",
                "dataToSync": true,
                "dataQuota": 5_368_709_120_i64,
                "dataUsed": 1_073_741_824_i64
            }],
            "deviceGuardVirtualizationBasedSecurityState": "notLicensed"
        }
    });
    let id = create(&app, BETA_DEVICES, &beta.to_string()).await;
    let read = app.get(&format!("{BETA_DEVICES}/{id}")).await.json();
    assert_eq!(read["chassisType"], "tablet");
    assert_eq!(read["roleScopeTagIds"], json!(["0", "12"]));
    let hardware = &read["hardwareInformation"];
    assert_eq!(
        hardware["totalStorageSpace"].as_i64(),
        Some(256_000_000_000)
    );
    assert_eq!(
        hardware["sharedDeviceCachedUsers"][0]["dataUsed"].as_i64(),
        Some(1_073_741_824)
    );
    assert_eq!(
        hardware["deviceGuardVirtualizationBasedSecurityState"],
        "notLicensed"
    );
    assert_eq!(
        hardware["model"],
        Value::Null,
        "left out of the complex value"
    );

    // One data set: v1.0 reads the device without beta's properties, and names the beta-only
    // enrollment type as its evolvable enum's sentinel.
    let v1 = app.get(&format!("{DEVICES}/{id}")).await.json();
    assert_eq!(v1["deviceName"], "IPAD-7");
    assert!(v1.get("chassisType").is_none() && v1.get("hardwareInformation").is_none());
    assert_eq!(v1["deviceEnrollmentType"], "unknownFutureValue");
    assert_eq!(
        read["deviceEnrollmentType"],
        "androidEnterpriseFullyManaged"
    );
    let filtered = app
        .get(&format!(
            "{BETA_DEVICES}?$filter=chassisType eq 'tablet'&$select=deviceName"
        ))
        .await
        .json();
    assert_eq!(filtered["value"][0]["deviceName"], "IPAD-7");
}

#[tokio::test]
async fn another_tenant_does_not_see_or_change_the_devices() {
    let app = TestApp::spawn().await;
    let id = create(&app, DEVICES, &laptop().to_string()).await;
    let other = uuid::Uuid::new_v4().to_string();
    let token = app.mint(&spec(
        &other,
        &["DeviceManagementManagedDevices.ReadWrite.All"],
        &[],
    ));
    let intruder = app.with_token(&token);
    let one = format!("{DEVICES}/{id}");
    assert_eq!(intruder.get(&one).await.status, 404);
    assert_eq!(intruder.get(DEVICES).await.json()["value"], json!([]));
    assert_eq!(intruder.get(&format!("{DEVICES}/$count")).await.text, "0");
    assert_eq!(
        intruder.patch(&one, r#"{"notes":"mine"}"#).await.status,
        404
    );
    assert_eq!(intruder.delete(&one).await.status, 404);
    let own = create(
        &intruder,
        DEVICES,
        &device("PC-B", "Windows", "2025-01-01T00:00:00Z"),
    )
    .await;
    let mine = app.get(DEVICES).await.json();
    let ids: Vec<&str> = mine["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [id.as_str()], "{own} stays in its tenant");
    assert_eq!(app.get(&one).await.json()["notes"], Value::Null);
}

#[tokio::test]
async fn device_permissions_follow_the_managed_device_pages() {
    let app = TestApp::spawn().await;
    let id = create(&app, DEVICES, &laptop().to_string()).await;
    let one = format!("{DEVICES}/{id}");
    let session = |scope: &str, delegated: bool| {
        let (scopes, roles): (&[&str], &[&str]) = if delegated {
            (&[scope], &[])
        } else {
            (&[], &[scope])
        };
        app.with_token(&app.mint(&spec(&app.tenant, scopes, roles)))
    };
    for delegated in [true, false] {
        // The beta get page lists DeviceManagementConfiguration for reads.
        let configuration = session("DeviceManagementConfiguration.Read.All", delegated);
        assert_eq!(configuration.get(&one).await.status, 200);
        assert_eq!(configuration.get(DEVICES).await.status, 200);
        let write = configuration.patch(&one, r#"{"notes":"x"}"#).await;
        assert_eq!(write.status, 403);
        assert_eq!(
            write.error(),
            (
                "Forbidden".to_string(),
                "Application is not authorized to perform this operation. Application must have \
                 one of the following scopes: DeviceManagementManagedDevices.ReadWrite.All"
                    .to_string()
            )
        );
        let apps = session("DeviceManagementApps.ReadWrite.All", delegated);
        let denied = apps.get(DEVICES).await;
        assert_eq!(denied.status, 403);
        assert!(denied.error().1.ends_with(
            "DeviceManagementManagedDevices.Read.All, DeviceManagementManagedDevices.ReadWrite.All, \
             DeviceManagementConfiguration.Read.All, DeviceManagementConfiguration.ReadWrite.All"
        ), "{}", denied.text);
        let reader = session("DeviceManagementManagedDevices.Read.All", delegated);
        assert_eq!(reader.get(&one).await.status, 200);
        assert_eq!(reader.delete(&one).await.status, 403);
        let writer = session("DeviceManagementManagedDevices.ReadWrite.All", delegated);
        assert_eq!(
            writer.patch(&one, r#"{"notes":"checked"}"#).await.status,
            200
        );
    }
    assert_eq!(app.get(&one).await.json()["notes"], "checked");
}
