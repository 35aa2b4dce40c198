//! v1.0 and beta are two views of one data set.

use crate::helpers::TestApp;

#[tokio::test]
async fn beta_only_segments_are_unknown_on_v1() {
    let app = TestApp::spawn().await;
    for segment in [
        "macOSSoftwareUpdateAccountSummaries",
        "deviceManagementScripts",
    ] {
        let reply = app.get(&format!("/v1.0/deviceManagement/{segment}")).await;
        assert_eq!(reply.status, 400);
        assert_eq!(
            reply.error(),
            (
                "BadRequest".to_string(),
                format!("Resource not found for the segment '{segment}'.")
            )
        );
        assert_eq!(
            app.get(&format!("/beta/deviceManagement/{segment}"))
                .await
                .status,
            200
        );
    }
}

#[tokio::test]
async fn an_entity_written_through_beta_reads_through_v1_without_beta_properties() {
    let app = TestApp::spawn().await;
    let config = app.create_configuration("beta").await;
    let summary = |v: &str| {
        format!("/{v}/deviceAppManagement/mobileAppConfigurations/{config}/userStatusSummary")
    };
    let created = app
        .post(
            &summary("beta"),
            r#"{"pendingCount": 2, "conflictCount": 3}"#,
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);

    let v1 = app.get(&summary("v1.0")).await.json();
    assert_eq!(v1["pendingCount"], 2);
    assert!(v1.get("conflictCount").is_none(), "{v1}");
    assert_eq!(v1["id"], created.json()["id"]);

    let rejected = app.patch(&summary("v1.0"), r#"{"conflictCount": 9}"#).await;
    assert_eq!(rejected.status, 400);
    assert!(
        rejected
            .error()
            .1
            .contains("'conflictCount' does not exist"),
        "{}",
        rejected.text
    );

    let patched = app.patch(&summary("v1.0"), r#"{"pendingCount": 5}"#).await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    let beta = app.get(&summary("beta")).await.json();
    assert_eq!(
        (
            beta["pendingCount"].as_i64(),
            beta["conflictCount"].as_i64()
        ),
        (Some(5), Some(3))
    );
}

#[tokio::test]
async fn v1_does_not_see_beta_only_derived_types() {
    let app = TestApp::spawn().await;
    let android = app
        .post(
            "/beta/deviceAppManagement/mobileAppConfigurations",
            r##"{"@odata.type": "#microsoft.graph.androidManagedStoreAppConfiguration", "displayName": "Android"}"##,
        )
        .await;
    assert_eq!(android.status, 201, "{}", android.text);
    let android_id = android.json()["id"].as_str().unwrap().to_string();
    let ios_id = app.create_configuration("v1.0").await;

    let ids = |body: serde_json::Value| -> Vec<String> {
        body["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_string())
            .collect()
    };
    let v1 = app
        .get("/v1.0/deviceAppManagement/mobileAppConfigurations")
        .await
        .json();
    assert_eq!(ids(v1), [ios_id.as_str()]);
    let beta = app
        .get("/beta/deviceAppManagement/mobileAppConfigurations")
        .await
        .json();
    assert_eq!(ids(beta.clone()), [android_id.as_str(), ios_id.as_str()]);
    assert_eq!(
        beta["value"][0]["@odata.type"],
        "#microsoft.graph.androidManagedStoreAppConfiguration"
    );
    let hidden = app
        .get(&format!(
            "/v1.0/deviceAppManagement/mobileAppConfigurations/{android_id}"
        ))
        .await;
    assert_eq!(hidden.status, 404);
}

/// A device of beta's `windowsManagedDevice` (a type v1.0 lacks) lives in a root table
/// that v1.0's model sees as holding one type: v1.0 must still leave it out of every read,
/// count and write.
#[tokio::test]
async fn v1_does_not_see_a_beta_only_device_type() {
    let app = TestApp::spawn().await;
    let devices = |version: &str| format!("/{version}/deviceManagement/managedDevices");
    let created = app
        .post(
            &devices("beta"),
            r##"{"@odata.type": "#microsoft.graph.windowsManagedDevice", "deviceName": "W2"}"##,
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let windows = created.json()["id"].as_str().unwrap().to_string();
    let plain = app.post(&devices("v1.0"), r#"{"deviceName": "P1"}"#).await;
    assert_eq!(plain.status, 201, "{}", plain.text);
    let plain = plain.json()["id"].as_str().unwrap().to_string();

    let one = |version: &str| format!("{}/{windows}", devices(version));
    let read = app.get(&format!("{}?$select=id", one("v1.0"))).await;
    assert_eq!(read.status, 404, "{}", read.text);
    let listed = app.get(&devices("v1.0")).await;
    assert_eq!(listed.ids(), [plain.as_str()]);
    let filtered = app
        .get(&format!("{}?$filter=deviceName eq 'W2'", devices("v1.0")))
        .await;
    assert_eq!(filtered.ids(), Vec::<String>::new());
    let paged = app
        .get(&format!("{}?$top=1&$count=true", devices("v1.0")))
        .await;
    let paged = paged.json();
    assert_eq!(paged["@odata.count"], 1);
    assert!(paged.get("@odata.nextLink").is_none(), "{paged}");
    let counted = app.get(&format!("{}/$count", devices("v1.0"))).await;
    assert_eq!(counted.text, "1");
    let patched = app.patch(&one("v1.0"), r#"{"notes": "v1"}"#).await;
    assert_eq!(patched.status, 404, "{}", patched.text);
    let deleted = app.delete(&one("v1.0")).await;
    assert_eq!(deleted.status, 404, "{}", deleted.text);

    // beta still sees it, unchanged by the refused v1.0 writes.
    let beta = app.get(&one("beta")).await;
    assert_eq!(beta.status, 200, "{}", beta.text);
    assert_eq!(
        beta.json()["@odata.type"],
        "#microsoft.graph.windowsManagedDevice"
    );
    assert_eq!(beta.json()["notes"], serde_json::Value::Null);
    assert_eq!(
        app.get(&devices("beta")).await.ids(),
        [windows.as_str(), plain.as_str()]
    );
}

/// A member v1.0's enum lacks reads there as `unknownFutureValue`, and filters agree:
/// `eq`, `ne` and `in` with the sentinel see what the entity reads as.
#[tokio::test]
async fn v1_filters_see_members_it_lacks_as_unknown_future_value() {
    let app = TestApp::spawn().await;
    let devices = "deviceManagement/managedDevices";
    for (name, enrollment) in [
        ("EVOLVE-1", "userEnrollment"),
        ("EVOLVE-2", "androidEnterpriseFullyManaged"),
        ("EVOLVE-3", "unknownFutureValue"),
    ] {
        let body = format!(
            r#"{{"deviceName": "{name}", "operatingSystem": "EvolveOS", "deviceEnrollmentType": "{enrollment}"}}"#
        );
        let created = app.post(&format!("/beta/{devices}"), &body).await;
        assert_eq!(created.status, 201, "{}", created.text);
    }
    let names = |version: &'static str, filter: &'static str| {
        let app = &app;
        async move {
            let reply = app
                .get(&format!(
                    "/{version}/{devices}?$filter=operatingSystem eq 'EvolveOS' and ({filter})&$orderby=deviceName&$select=deviceName,deviceEnrollmentType"
                ))
                .await;
            assert_eq!(reply.status, 200, "{version} {filter}: {}", reply.text);
            let json = reply.json();
            let rows: Vec<String> = json["value"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| {
                    format!(
                        "{} {}",
                        d["deviceName"].as_str().unwrap(),
                        d["deviceEnrollmentType"].as_str().unwrap()
                    )
                })
                .collect();
            rows
        }
    };
    let sentinel = "deviceEnrollmentType eq 'unknownFutureValue'";
    assert_eq!(
        names("v1.0", sentinel).await,
        ["EVOLVE-2 unknownFutureValue", "EVOLVE-3 unknownFutureValue"]
    );
    assert_eq!(
        names("v1.0", "deviceEnrollmentType ne 'unknownFutureValue'").await,
        ["EVOLVE-1 userEnrollment"]
    );
    assert_eq!(
        names("v1.0", "'unknownFutureValue' eq deviceEnrollmentType").await,
        names("v1.0", sentinel).await
    );
    assert_eq!(
        names(
            "v1.0",
            "deviceEnrollmentType in ('userEnrollment', 'unknownFutureValue')"
        )
        .await
        .len(),
        3
    );
    assert_eq!(
        names(
            "v1.0",
            "not (deviceEnrollmentType in ('unknownFutureValue'))"
        )
        .await,
        ["EVOLVE-1 userEnrollment"]
    );
    // beta has the member: the sentinel is the sentinel.
    assert_eq!(
        names("beta", sentinel).await,
        ["EVOLVE-3 unknownFutureValue"]
    );
    assert_eq!(
        names("beta", "deviceEnrollmentType ne 'unknownFutureValue'").await,
        [
            "EVOLVE-1 userEnrollment",
            "EVOLVE-2 androidEnterpriseFullyManaged"
        ]
    );
    let count = app
        .get(&format!(
            "/v1.0/{devices}/$count?$filter=operatingSystem eq 'EvolveOS' and {sentinel}"
        ))
        .await;
    assert_eq!(count.text, "2");
}
