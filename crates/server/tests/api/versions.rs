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
