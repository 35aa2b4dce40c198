//! The rest of each resource's life: reads, merges, resets, deletes, cascades, pages.

use serde_json::Value;

use crate::helpers::TestApp;

#[tokio::test]
async fn the_tenant_summary_always_exists_merges_and_resets() {
    let app = TestApp::spawn().await;
    let path = "/v1.0/deviceManagement/softwareUpdateStatusSummary";
    let fresh = app.get(path).await.json();
    assert_eq!(fresh["compliantDeviceCount"], 0);
    assert_eq!(fresh["displayName"], Value::Null);

    assert_eq!(
        app.patch(path, r#"{"compliantDeviceCount": 4}"#)
            .await
            .status,
        200
    );
    let merged = app.patch(path, r#"{"errorUserCount": 14}"#).await.json();
    assert_eq!(
        (
            merged["compliantDeviceCount"].as_i64(),
            merged["errorUserCount"].as_i64()
        ),
        (Some(4), Some(14))
    );
    assert_eq!(merged["id"], fresh["id"], "the id is the tenant's, stable");

    let minimal = app
        .request(
            "PATCH",
            path,
            Some(r#"{"displayName": "x"}"#),
            &[("Prefer", "return=minimal")],
        )
        .await;
    assert_eq!((minimal.status, minimal.text.as_str()), (204, ""));
    assert_eq!(minimal.header("preference-applied"), Some("return=minimal"));

    let reference = app
        .get("/beta/deviceManagement/softwareUpdateStatusSummary/$ref")
        .await
        .json();
    assert_eq!(
        reference["@odata.id"],
        format!(
            "{}/beta/deviceManagement/softwareUpdateStatusSummary",
            app.base
        )
    );

    assert_eq!(
        app.delete("/beta/deviceManagement/softwareUpdateStatusSummary/$ref")
            .await
            .status,
        204
    );
    assert_eq!(
        app.get(path).await.json(),
        fresh,
        "DELETE $ref resets to the zero state"
    );
}

#[tokio::test]
async fn macos_summaries_and_their_children_have_a_full_life() {
    let app = TestApp::spawn().await;
    let base = "/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries";
    let created = app
        .post(base, r#"{"displayName": "Mac 1", "failedUpdateCount": 2}"#)
        .await
        .json();
    let id = created["id"].as_str().unwrap();
    let item = format!("{base}/{id}");

    let patched = app.patch(&item, r#"{"osVersion": "15.1"}"#).await.json();
    assert_eq!(
        (
            patched["osVersion"].as_str(),
            patched["failedUpdateCount"].as_i64()
        ),
        (Some("15.1"), Some(2))
    );
    assert_eq!(
        app.get(&format!("{base}('{id}')")).await.json()["osVersion"],
        "15.1"
    );

    let category = app
        .post(
            &format!("{item}/categorySummaries"),
            r#"{"displayName": "Critical", "updateCategory": "critical"}"#,
        )
        .await;
    assert_eq!(category.status, 201, "{}", category.text);
    let category_id = category.json()["id"].as_str().unwrap().to_string();
    let states = format!("{item}/categorySummaries/{category_id}/updateStateSummaries");
    let state = app
        .post(&states, r#"{"displayName": "Safari 18", "state": "installFailed", "updateCategory": "critical"}"#)
        .await;
    assert_eq!(state.status, 201, "{}", state.text);
    assert_eq!(state.json()["state"], "installFailed");
    assert_eq!(app.get(&format!("{states}/$count")).await.text, "1");

    assert_eq!(app.delete(&item).await.status, 204);
    assert_eq!(app.get(&item).await.status, 404);
    assert_eq!(
        app.get(&states).await.status,
        404,
        "children go with their parent"
    );
    assert_eq!(app.delete(&item).await.status, 404);
}

#[tokio::test]
async fn deleting_a_script_deletes_what_it_contains() {
    let app = TestApp::spawn().await;
    let script = app.create_script().await;
    let base = format!("/beta/deviceManagement/deviceManagementScripts/{script}");
    let user = app
        .post(
            &format!("{base}/userRunStates"),
            r#"{"userPrincipalName": "a@contoso.com"}"#,
        )
        .await
        .json();
    let user_id = user["id"].as_str().unwrap();
    let device_states = format!("{base}/userRunStates/{user_id}/deviceRunStates");
    let device = app
        .post(
            &device_states,
            r#"{"runState": "success", "resultMessage": "ok"}"#,
        )
        .await;
    assert_eq!(device.status, 201, "{}", device.text);
    assert_eq!(
        app.patch(
            &format!("{base}/runSummary"),
            r#"{"successDeviceCount": 1}"#
        )
        .await
        .status,
        200
    );

    let renamed = app
        .patch(&base, r#"{"displayName": "Renamed"}"#)
        .await
        .json();
    assert_eq!(renamed["displayName"], "Renamed");
    assert!(renamed["lastModifiedDateTime"].as_str() >= renamed["createdDateTime"].as_str());

    assert_eq!(app.delete(&base).await.status, 204);
    for gone in [
        base.clone(),
        format!("{base}/runSummary"),
        format!("{base}/userRunStates"),
        device_states,
    ] {
        assert_eq!(app.get(&gone).await.status, 404, "{gone}");
    }
    let list = app
        .get("/beta/deviceManagement/deviceManagementScripts")
        .await
        .json();
    assert_eq!(list["value"], serde_json::json!([]));
}

#[tokio::test]
async fn configurations_need_their_type_to_be_patched_and_own_their_summaries() {
    let app = TestApp::spawn().await;
    let config = app.create_configuration("v1.0").await;
    let item = format!("/v1.0/deviceAppManagement/mobileAppConfigurations/{config}");
    assert_eq!(
        app.patch(&item, r#"{"version": 2}"#).await.status,
        400,
        "abstract without @odata.type"
    );
    let patched = app
        .patch(
            &item,
            r##"{"@odata.type": "#microsoft.graph.iosMobileAppConfiguration", "version": 2}"##,
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(patched.json()["version"], 2);

    // Its summaries exist as soon as it does: zero until written, PATCH merges, POST sets
    // the whole summary, DELETE resets it; they go with the configuration.
    let summary = format!("{item}/deviceStatusSummary");
    let fresh = app.get(&summary).await;
    assert_eq!(fresh.status, 200, "{}", fresh.text);
    assert_eq!(fresh.json()["pendingCount"], 0);
    let id = fresh.json()["id"].as_str().unwrap().to_string();
    let patched = app.patch(&summary, r#"{"pendingCount": 1}"#).await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    let patched = app.patch(&summary, r#"{"errorCount": 2}"#).await.json();
    assert_eq!(
        (
            patched["pendingCount"].clone(),
            patched["errorCount"].clone()
        ),
        (1.into(), 2.into())
    );
    assert_eq!(patched["id"], id, "the id derives from the configuration");
    let set = app.post(&summary, r#"{"successCount": 3}"#).await;
    assert_eq!(set.status, 201, "{}", set.text);
    assert_eq!(set.json()["pendingCount"], 0, "POST sets the summary whole");
    assert_eq!(set.json()["successCount"], 3);
    assert_eq!(
        app.post(&summary, r#"{"successCount": 4}"#).await.status,
        201
    );
    assert_eq!(app.delete(&summary).await.status, 204);
    assert_eq!(app.get(&summary).await.json()["successCount"], 0);
    assert_eq!(app.delete(&item).await.status, 204);
    assert_eq!(app.get(&summary).await.status, 404);
}

#[tokio::test]
async fn collections_page_by_100_with_a_next_link_that_visits_every_entity_once() {
    let app = TestApp::spawn().await;
    // 150 creates in a few seconds: past Intune's 100 writes per app per 20 s.
    app.throttling_off().await;
    let base = "/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries";
    for i in 0..150 {
        assert_eq!(
            app.post(base, &format!(r#"{{"displayName": "Mac {i}"}}"#))
                .await
                .status,
            201
        );
    }
    let mut seen = Vec::new();
    let mut next = Some(format!("{}{base}", app.base));
    let mut pages = 0;
    while let Some(url) = next {
        let path = url
            .strip_prefix(&app.base)
            .expect("nextLink is absolute on this server")
            .to_string();
        let page = app.get(&path).await.json();
        pages += 1;
        for entity in page["value"].as_array().unwrap() {
            seen.push(entity["displayName"].as_str().unwrap().to_string());
        }
        next = page["@odata.nextLink"].as_str().map(str::to_string);
    }
    assert_eq!(pages, 2);
    let expected: Vec<String> = (0..150).map(|i| format!("Mac {i}")).collect();
    assert_eq!(seen, expected, "creation order, each once");
    assert_eq!(app.get(&format!("{base}/$count")).await.text, "150");
}
