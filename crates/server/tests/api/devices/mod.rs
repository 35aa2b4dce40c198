//! Managed devices (`deviceManagement/managedDevices`, v1.0 and beta): the `managedDevice`
//! type as Microsoft's CSDL declares it, served from the schema files with no code of its
//! own — CRUD, query options and paging here; versions, tenants and permissions in [`access`].

use serde_json::{Value, json};

mod access;
mod complex;

use crate::helpers::{Session, TestApp};

const DEVICES: &str = "/v1.0/deviceManagement/managedDevices";
const BETA_DEVICES: &str = "/beta/deviceManagement/managedDevices";

/// A Windows laptop as Intune reports one: strings, enums, date-times, booleans, Int64
/// sizes past 2^32, a complex value and a collection of a derived complex type.
fn laptop() -> Value {
    serde_json::from_str(LAPTOP).expect("JSON")
}

const LAPTOP: &str = r##"{
    "@odata.type": "#microsoft.graph.managedDevice",
    "deviceName": "DESKTOP-7Q2K9LM",
    "userId": "8b2f4c9e-1a7d-4e3b-9f60-2c5d8e1a4b7f",
    "userPrincipalName": "adele.vance@contoso.example",
    "userDisplayName": "Adele Vance",
    "emailAddress": "adele.vance@contoso.example",
    "operatingSystem": "Windows",
    "osVersion": "10.0.22631.4169",
    "complianceState": "compliant",
    "managementAgent": "mdm",
    "managedDeviceOwnerType": "company",
    "deviceEnrollmentType": "windowsAzureADJoin",
    "deviceRegistrationState": "registered",
    "managementState": "managed",
    "enrolledDateTime": "2025-03-04T09:15:00Z",
    "lastSyncDateTime": "2025-06-01T06:30:12.1234567Z",
    "complianceGracePeriodExpirationDateTime": "9999-12-31T23:59:59Z",
    "azureADRegistered": true,
    "azureADDeviceId": "5c0e3a2b-7d41-4f8e-a9b6-3e2d1c0f9a87",
    "isEncrypted": true,
    "isSupervised": false,
    "manufacturer": "Microsoft Corporation",
    "model": "Surface Laptop 5",
    "serialNumber": "0F3K7T2XJ9",
    "totalStorageSpaceInBytes": 511705088000,
    "freeStorageSpaceInBytes": 201326592000,
    "physicalMemoryInBytes": 17179869184,
    "wiFiMacAddress": "3C:22:FB:1A:9E:40",
    "notes": null,
    "configurationManagerClientEnabledFeatures": {
        "compliancePolicy": true,
        "deviceConfiguration": true,
        "inventory": true,
        "modernApps": false,
        "resourceAccess": false,
        "windowsUpdateForBusiness": true
    },
    "deviceActionResults": [{
        "@odata.type": "#microsoft.graph.locateDeviceActionResult",
        "actionName": "locateDevice",
        "actionState": "done",
        "lastUpdatedDateTime": "2025-05-30T12:01:40Z",
        "startDateTime": "2025-05-30T12:00:00Z",
        "deviceLocation": {
            "altitude": 56.0,
            "heading": 0.0,
            "horizontalAccuracy": 12.5,
            "lastCollectedDateTime": "2025-05-30T12:01:33Z",
            "latitude": 47.6423,
            "longitude": -122.1368,
            "speed": 0.0,
            "verticalAccuracy": 3.0
        }
    }]
}"##;

/// A device with a name, an operating system and a sync time.
fn device(name: &str, os: &str, last_sync: &str) -> String {
    json!({"deviceName": name, "operatingSystem": os, "lastSyncDateTime": last_sync}).to_string()
}

async fn create(session: &Session, path: &str, body: &str) -> String {
    let reply = session.post(path, body).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.json()["id"].as_str().expect("an id").to_string()
}

/// Every property of `sent` (but the annotation) has the same value in `read`.
fn assert_reads_back(sent: &Value, read: &Value) {
    for (name, value) in sent.as_object().unwrap() {
        if name.starts_with('@') {
            continue;
        }
        assert_eq!(&read[name], value, "{name} in {read}");
    }
}

#[tokio::test]
async fn a_device_is_created_read_back_patched_and_deleted() {
    let app = TestApp::spawn().await;
    let sent = laptop();
    let created = app.post(DEVICES, &sent.to_string()).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let body = created.json();
    let id = body["id"].as_str().unwrap().to_string();
    assert_eq!(
        created.header("location"),
        Some(format!("{}{DEVICES}('{id}')", app.base).as_str())
    );
    assert_eq!(
        body["@odata.context"],
        format!(
            "{}/v1.0/$metadata#deviceManagement/managedDevices/$entity",
            app.base
        )
    );
    assert_eq!(body["@odata.type"], "#microsoft.graph.managedDevice");
    assert_reads_back(&sent, &body);

    let read = app.get(&format!("{DEVICES}/{id}")).await;
    assert_eq!(read.status, 200, "{}", read.text);
    let read = read.json();
    assert_reads_back(&sent, &read);
    assert_eq!(
        read["totalStorageSpaceInBytes"].as_i64(),
        Some(511_705_088_000)
    );
    assert_eq!(
        read["deviceActionResults"][0]["deviceLocation"]["latitude"].as_f64(),
        Some(47.6423)
    );
    // Properties the body left out read as Graph's defaults: null, or the neutral value
    // of a non-nullable one (false, 0, the first member, the minimum date-time).
    assert_eq!(read["jailBroken"], Value::Null);
    assert_eq!(read["easActivated"], false);
    assert_eq!(read["exchangeAccessState"], "none");
    assert_eq!(read["partnerReportedThreatState"], "unknown");
    assert_eq!(read["easActivationDateTime"], "0001-01-01T00:00:00Z");
    assert!(read.get("hardwareInformation").is_none(), "beta-only");
    let keys: Vec<&String> = read.as_object().unwrap().keys().collect();
    assert_eq!(
        keys[..4],
        [
            "@odata.context",
            "@odata.type",
            "id",
            "activationLockBypassCode"
        ]
    );
    assert_eq!(
        keys.last().unwrap().as_str(),
        "wiFiMacAddress",
        "schema order"
    );

    let patched = app
        .patch(
            &format!("{DEVICES}/{id}"),
            r#"{"complianceState":"noncompliant","notes":"Lost on a train",
                "lastSyncDateTime":"2025-06-02T08:00:00+02:00"}"#,
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    let after = app.get(&format!("{DEVICES}/{id}")).await.json();
    assert_eq!(after["complianceState"], "noncompliant");
    assert_eq!(after["notes"], "Lost on a train");
    assert_eq!(after["lastSyncDateTime"], "2025-06-02T06:00:00Z");
    let mut unchanged = sent.clone();
    for merged in ["complianceState", "notes", "lastSyncDateTime"] {
        unchanged.as_object_mut().unwrap().remove(merged);
    }
    assert_reads_back(&unchanged, &after);

    assert_eq!(app.delete(&format!("{DEVICES}/{id}")).await.status, 204);
    let gone = app.get(&format!("{DEVICES}/{id}")).await;
    assert_eq!(gone.status, 404);
    assert_eq!(gone.error().0, "ResourceNotFound");
    assert_eq!(
        app.patch(&format!("{DEVICES}/{id}"), "{}").await.status,
        404
    );
}

#[tokio::test]
async fn windows_devices_list_by_last_sync_in_pages() {
    let app = TestApp::spawn().await;
    for (name, os, sync) in [
        ("PC-1", "Windows", "2025-06-01T10:00:00Z"),
        ("MAC-1", "macOS", "2025-06-05T10:00:00Z"),
        ("PC-2", "Windows", "2025-06-03T10:00:00Z"),
        ("PC-3", "Windows", "2025-05-20T10:00:00Z"),
        ("IPHONE-1", "iOS", "2025-06-04T10:00:00Z"),
        ("PC-4", "Windows", "2025-06-03T10:00:00Z"),
    ] {
        create(&app, DEVICES, &device(name, os, sync)).await;
    }
    let mut url = format!(
        "{DEVICES}?$filter=operatingSystem eq 'Windows'&$orderby=lastSyncDateTime desc\
         &$select=deviceName,lastSyncDateTime&$top=3&$count=true"
    );
    let mut pages = Vec::new();
    loop {
        let reply = app.get(&url).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        let page = reply.json();
        let names: Vec<String> = page["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                let keys: Vec<&str> = d.as_object().unwrap().keys().map(String::as_str).collect();
                assert_eq!(
                    keys,
                    ["@odata.type", "deviceName", "lastSyncDateTime"],
                    "$select"
                );
                d["deviceName"].as_str().unwrap().to_string()
            })
            .collect();
        if pages.is_empty() {
            assert_eq!(page["@odata.count"], 4);
            assert_eq!(
                page["@odata.context"],
                format!(
                    "{}/v1.0/$metadata#deviceManagement/managedDevices(deviceName,lastSyncDateTime)",
                    app.base
                )
            );
        }
        pages.push(names);
        match page["@odata.nextLink"].as_str() {
            Some(next) => url = next.strip_prefix(&app.base).unwrap().to_string(),
            None => break,
        }
        assert!(pages.len() < 5, "the walk ends");
    }
    // PC-2 and PC-4 synced at the same instant: the tie is broken by id (creation order),
    // in the direction of the order.
    assert_eq!(pages, [vec!["PC-4", "PC-2", "PC-1"], vec!["PC-3"]]);

    let counted = app
        .get(&format!(
            "{DEVICES}/$count?$filter=operatingSystem ne 'Windows'"
        ))
        .await;
    assert_eq!(counted.text, "2");
    let recent = app
        .get(&format!(
            "{DEVICES}?$filter=lastSyncDateTime ge 2025-06-03T10:00:00Z and complianceState eq 'unknown'\
             &$orderby=deviceName&$select=deviceName"
        ))
        .await
        .json();
    let names: Vec<&str> = recent["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["deviceName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["IPHONE-1", "MAC-1", "PC-2", "PC-4"]);
}

#[tokio::test]
async fn complex_values_filter_by_path_and_bad_values_are_refused_by_name() {
    let app = TestApp::spawn().await;
    create(&app, DEVICES, &laptop().to_string()).await;
    create(
        &app,
        DEVICES,
        &device("PC-2", "Windows", "2025-06-01T10:00:00Z"),
    )
    .await;
    let found = app
        .get(&format!(
            "{DEVICES}?$filter=configurationManagerClientEnabledFeatures/inventory eq true&$select=deviceName"
        ))
        .await;
    assert_eq!(found.status, 200, "{}", found.text);
    assert_eq!(found.json()["value"].as_array().unwrap().len(), 1);
    let attested = create(
        &app,
        DEVICES,
        &device("PC-3", "Windows", "2025-06-02T10:00:00Z"),
    )
    .await;
    let patched = app
        .patch(
            &format!("{DEVICES}/{attested}"),
            r#"{"deviceHealthAttestationState":{"resetCount":4,"bitLockerStatus":"on"}}"#,
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    // Booleans, numbers and strings inside complex values compare by their own types.
    for filter in [
        "deviceHealthAttestationState/resetCount gt 3",
        "deviceHealthAttestationState/resetCount eq 4 and deviceHealthAttestationState/bitLockerStatus eq 'on'",
        "deviceHealthAttestationState/resetCount in (1, 4)",
        "deviceHealthAttestationState/restartCount eq 0 and not (operatingSystem eq 'macOS')",
    ] {
        let reply = app
            .get(&format!("{DEVICES}?$filter={filter}&$select=deviceName"))
            .await;
        assert_eq!(reply.status, 200, "{filter}: {}", reply.text);
        assert_eq!(reply.json()["value"][0]["deviceName"], "PC-3", "{filter}");
        assert_eq!(
            reply.json()["value"].as_array().unwrap().len(),
            1,
            "{filter}"
        );
    }
    let none = app
        .get(&format!(
            "{DEVICES}/$count?$filter=configurationManagerClientEnabledFeatures/modernApps eq true"
        ))
        .await;
    assert_eq!(none.text, "0");
    let large = app
        .get(&format!(
            "{DEVICES}?$filter=totalStorageSpaceInBytes gt 500000000000&$orderby=physicalMemoryInBytes desc"
        ))
        .await;
    assert_eq!(large.status, 200, "{}", large.text);
    assert_eq!(large.json()["value"][0]["deviceName"], "DESKTOP-7Q2K9LM");
    assert_eq!(large.json()["value"].as_array().unwrap().len(), 1);

    for (body, property, expected) in [
        (
            r#"{"totalStorageSpaceInBytes":"lots"}"#,
            "totalStorageSpaceInBytes",
            "Edm.Int64",
        ),
        (
            r#"{"complianceState":"fine"}"#,
            "complianceState",
            "microsoft.graph.complianceState",
        ),
        (
            r#"{"enrolledDateTime":"yesterday"}"#,
            "enrolledDateTime",
            "Edm.DateTimeOffset",
        ),
        // A derived type's property needs the derived type's @odata.type.
        (
            r#"{"deviceActionResults":[{"actionState":"done","deviceLocation":{}}]}"#,
            "deviceLocation",
            "microsoft.graph.deviceActionResult",
        ),
    ] {
        let reply = app.post(DEVICES, body).await;
        assert_eq!(reply.status, 400, "{body}: {}", reply.text);
        let (code, message) = reply.error();
        assert_eq!(code, "ModelValidationFailure", "{body}");
        assert!(message.contains(property), "{body}: {message}");
        assert!(message.contains(expected), "{body}: {message}");
    }
}
