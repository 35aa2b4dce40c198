//! The request journal, data reset and snapshots, over real HTTP, tenant by tenant.

use serde_json::{Value, json};

use crate::helpers::{Session, TestApp};

const SUMMARY: &str = "/v1.0/deviceManagement/softwareUpdateStatusSummary";
const ACCOUNTS: &str = "/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries";

#[tokio::test]
async fn the_journal_shows_what_the_client_sent_newest_first() {
    let app = TestApp::spawn().await;
    let first = app
        .request(
            "GET",
            &format!("{ACCOUNTS}?$top=5&$select=displayName"),
            None,
            &[("client-request-id", "c-1")],
        )
        .await;
    assert_eq!(first.status, 200);
    let second = app.post(ACCOUNTS, r#"{"displayName": "Mac"}"#).await;
    assert_eq!(second.status, 201);
    let missing = app.get("/beta/deviceManagement/nothingHere").await;
    assert_eq!(missing.status, 400);
    let journal = app.get("/_localgraph/requests").await.json();
    let entries = journal["value"].as_array().unwrap();
    assert_eq!(
        entries.len(),
        3,
        "control requests are not journaled: {journal}"
    );
    let oldest = &entries[2];
    assert_eq!(oldest["method"], "GET");
    assert_eq!(oldest["path"], ACCOUNTS);
    assert_eq!(oldest["query"], "$top=5&$select=displayName");
    assert_eq!(oldest["status"], 200);
    assert_eq!(oldest["clientRequestId"], "c-1");
    assert_eq!(oldest["requestId"].as_str(), first.header("request-id"));
    assert_eq!(oldest["appId"], server::auth::token::CLI_CLIENT_ID);
    assert_eq!(
        (&oldest["throttled"], &oldest["faulted"]),
        (&json!(false), &json!(false))
    );
    assert!(oldest["durationMs"].as_f64().unwrap() > 0.0);
    assert!(oldest["time"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        (entries[1]["method"].as_str(), entries[1]["status"].as_u64()),
        (Some("POST"), Some(201))
    );
    assert_eq!(entries[0]["status"], 400);
    assert_eq!(
        entries[1]["clientRequestId"], entries[1]["requestId"],
        "no client id: the request id"
    );
    let top = app.get("/_localgraph/requests?top=1").await.json();
    assert_eq!(top["value"].as_array().unwrap().len(), 1);
    assert_eq!(top["value"][0], entries[0]);
    for bad in ["?top=0", "?top=1001", "?top=x", "?$top=1", "?skip=1"] {
        let reply = app.get(&format!("/_localgraph/requests{bad}")).await;
        assert_eq!(reply.status, 400, "{bad}");
    }
    // Another tenant sees only its own.
    let (_, other) = app.other_tenant();
    assert_eq!(other.get(SUMMARY).await.status, 200);
    let theirs = other.get("/_localgraph/requests").await.json();
    assert_eq!(theirs["value"].as_array().unwrap().len(), 1);
    assert_eq!(
        app.get("/_localgraph/requests").await.json()["value"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

async fn create_account(session: &Session, name: &str) -> String {
    let reply = session
        .post(ACCOUNTS, &json!({"displayName": name, "failedUpdateCount": 2, "lastUpdatedDateTime": "2024-03-01T10:00:00.1234567+02:00"}).to_string())
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.json()["id"].as_str().unwrap().to_string()
}

/// The answers a client would compare, as bytes.
async fn answers(session: &Session, urls: &[String]) -> Vec<(u16, String)> {
    let mut out = Vec::new();
    for url in urls {
        let reply = session.get(url).await;
        out.push((reply.status, reply.text));
    }
    out
}

#[tokio::test]
async fn a_reset_deletes_the_tenants_data_and_nothing_else() {
    let app = TestApp::spawn().await;
    let (_, other) = app.other_tenant();
    create_account(&app, "Mine").await;
    let script = app.create_script().await;
    assert_eq!(
        app.patch(SUMMARY, r#"{"compliantDeviceCount": 4}"#)
            .await
            .status,
        200
    );
    create_account(&other, "Theirs").await;
    app.request(
        "PUT",
        "/_localgraph/throttling",
        Some(r#"{"mode":"off"}"#),
        &[],
    )
    .await;
    app.post(
        "/_localgraph/faults",
        r#"{"path":"/v1.0/deviceManagement/nothing","status":500}"#,
    )
    .await;
    assert_eq!(
        app.post("/_localgraph/snapshots", r#"{"name":"before"}"#)
            .await
            .status,
        201
    );

    assert_eq!(app.delete("/_localgraph/data").await.status, 204);
    assert_eq!(app.get(&format!("{ACCOUNTS}/$count")).await.text, "0");
    assert_eq!(
        app.get(&format!(
            "/beta/deviceManagement/deviceManagementScripts/{script}"
        ))
        .await
        .status,
        404
    );
    assert_eq!(
        app.get(SUMMARY).await.json()["compliantDeviceCount"],
        0,
        "back to the zero state"
    );
    assert_eq!(
        other.get(&format!("{ACCOUNTS}/$count")).await.text,
        "1",
        "another tenant keeps its data"
    );
    assert_eq!(
        app.get("/_localgraph/throttling").await.json(),
        json!({"mode": "off"}),
        "controls stay"
    );
    assert_eq!(
        app.get("/_localgraph/faults").await.json()["value"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        app.get("/_localgraph/snapshots").await.json()["value"][0]["name"],
        "before"
    );
    assert_eq!(other.delete("/_localgraph/data").await.status, 204);
    assert_eq!(
        app.delete("/_localgraph/data").await.status,
        204,
        "an empty tenant resets too"
    );
}

#[tokio::test]
async fn snapshot_change_restore_gives_back_byte_identical_answers() {
    let app = TestApp::spawn().await;
    let a = create_account(&app, "Alpha").await;
    create_account(&app, "Beta").await;
    let script = app.create_script().await;
    let configuration = app.create_configuration("beta").await;
    let states = format!("/beta/deviceManagement/deviceManagementScripts/{script}/deviceRunStates");
    let state = app
        .post(&states, r#"{"resultMessage": "ok", "runState": "success", "lastStateUpdateDateTime": "2024-01-01T00:00:00Z"}"#)
        .await;
    assert_eq!(state.status, 201, "{}", state.text);
    assert_eq!(
        app.patch(
            SUMMARY,
            r#"{"displayName": "Before", "compliantDeviceCount": 4}"#
        )
        .await
        .status,
        200
    );
    let user_summary = format!(
        "/beta/deviceAppManagement/mobileAppConfigurations/{configuration}/userStatusSummary"
    );
    assert_eq!(
        app.post(&user_summary, r#"{"pendingCount": 3}"#)
            .await
            .status,
        201
    );
    let urls: Vec<String> = vec![
        ACCOUNTS.into(),
        format!("{ACCOUNTS}/{a}"),
        format!("{ACCOUNTS}?$orderby=lastUpdatedDateTime desc&$count=true"),
        SUMMARY.into(),
        "/beta/deviceManagement/deviceManagementScripts?$expand=runSummary,deviceRunStates".into(),
        format!("/beta/deviceManagement/deviceManagementScripts/{script}/runSummary"),
        states.clone(),
        "/beta/deviceAppManagement/mobileAppConfigurations".into(),
        user_summary.clone(),
    ];
    let before = answers(&app, &urls).await;
    let saved = app
        .post("/_localgraph/snapshots", r#"{"name": "baseline"}"#)
        .await;
    assert_eq!(saved.status, 201, "{}", saved.text);
    let saved = saved.json();
    assert_eq!(saved["name"], "baseline");
    assert!(saved["rows"].as_u64().unwrap() >= 7, "{saved}");

    // Change everything: create, update, delete, and a summary written for the first time.
    create_account(&app, "Gamma").await;
    assert_eq!(
        app.patch(&format!("{ACCOUNTS}/{a}"), r#"{"displayName": "Changed"}"#)
            .await
            .status,
        200
    );
    assert_eq!(
        app.delete(&format!(
            "/beta/deviceManagement/deviceManagementScripts/{script}"
        ))
        .await
        .status,
        204
    );
    assert_eq!(
        app.patch(SUMMARY, r#"{"displayName": "After"}"#)
            .await
            .status,
        200
    );
    assert_eq!(app.delete(&user_summary).await.status, 204);
    assert_ne!(answers(&app, &urls).await, before);

    let restored = app
        .post("/_localgraph/snapshots/baseline/restore", "")
        .await;
    assert_eq!(restored.status, 200, "{}", restored.text);
    assert_eq!(restored.json(), saved);
    assert_eq!(
        answers(&app, &urls).await,
        before,
        "ids, timestamps and every byte come back"
    );
    // A restore can be repeated, and the snapshot stays.
    assert_eq!(app.delete("/_localgraph/data").await.status, 204);
    assert_eq!(
        app.post("/_localgraph/snapshots/baseline/restore", "")
            .await
            .status,
        200
    );
    assert_eq!(answers(&app, &urls).await, before);
}

#[tokio::test]
async fn snapshots_are_listed_named_once_and_deleted() {
    let app = TestApp::spawn().await;
    assert_eq!(
        app.get("/_localgraph/snapshots").await.json(),
        json!({"value": []})
    );
    let empty = app
        .post("/_localgraph/snapshots", r#"{"name": "empty"}"#)
        .await
        .json();
    assert_eq!(empty["rows"], 0);
    create_account(&app, "One").await;
    assert_eq!(
        app.post("/_localgraph/snapshots", r#"{"name": "b-1.x_y"}"#)
            .await
            .status,
        201
    );
    let taken = app
        .post("/_localgraph/snapshots", r#"{"name": "empty"}"#)
        .await;
    assert_eq!(taken.status, 409);
    assert_eq!(taken.error().0, "Conflict");
    let listed: Vec<Value> = app.get("/_localgraph/snapshots").await.json()["value"]
        .as_array()
        .unwrap()
        .clone();
    let names: Vec<&str> = listed.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["b-1.x_y", "empty"]);
    assert_eq!(listed[0]["rows"], 1);
    // Restoring the empty snapshot empties the tenant.
    assert_eq!(
        app.post("/_localgraph/snapshots/empty/restore", "")
            .await
            .status,
        200
    );
    assert_eq!(app.get(&format!("{ACCOUNTS}/$count")).await.text, "0");
    assert_eq!(app.delete("/_localgraph/snapshots/empty").await.status, 204);
    for (method, path) in [
        ("DELETE", "/_localgraph/snapshots/empty"),
        ("POST", "/_localgraph/snapshots/empty/restore"),
    ] {
        let reply = app.request(method, path, None, &[]).await;
        assert_eq!(reply.status, 404, "{method} {path}");
        assert_eq!(reply.error().0, "ResourceNotFound");
    }
    for bad in [
        r#"{}"#,
        r#"{"name": ""}"#,
        r#"{"name": "a/b"}"#,
        r#"{"name": 5}"#,
        r#"{"name": "x", "rows": 1}"#,
    ] {
        let reply = app.post("/_localgraph/snapshots", bad).await;
        assert_eq!(reply.status, 400, "{bad}");
        assert_eq!(reply.error().0, "BadRequest");
    }
    // Names a client could not address afterwards: dot segments, which URLs drop.
    for dots in [".", "..", "..."] {
        let reply = app
            .post("/_localgraph/snapshots", &json!({"name": dots}).to_string())
            .await;
        assert_eq!(reply.status, 400, "{dots}: {}", reply.text);
        let (code, message) = reply.error();
        assert_eq!(code, "BadRequest");
        assert!(message.contains("not only dots"), "{message}");
        assert!(reply.json()["error"]["innerError"]["request-id"].is_string());
    }
    assert_eq!(
        app.get("/_localgraph/snapshots").await.json()["value"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let long = "n".repeat(65);
    let reply = app
        .request(
            "DELETE",
            &format!("/_localgraph/snapshots/{long}"),
            None,
            &[],
        )
        .await;
    assert_eq!(reply.status, 400);
}

#[tokio::test]
async fn one_tenants_snapshots_never_touch_another_tenant() {
    let app = TestApp::spawn().await;
    let (_, other) = app.other_tenant();
    create_account(&app, "Mine").await;
    create_account(&other, "Theirs").await;
    assert_eq!(
        app.post("/_localgraph/snapshots", r#"{"name": "s"}"#)
            .await
            .status,
        201
    );
    assert_eq!(
        other.get("/_localgraph/snapshots").await.json(),
        json!({"value": []})
    );
    for (method, path) in [
        ("DELETE", "/_localgraph/snapshots/s"),
        ("POST", "/_localgraph/snapshots/s/restore"),
    ] {
        assert_eq!(other.request(method, path, None, &[]).await.status, 404);
    }
    // The other tenant's snapshot of the same name is its own.
    assert_eq!(
        other
            .post("/_localgraph/snapshots", r#"{"name": "s"}"#)
            .await
            .status,
        201
    );
    create_account(&other, "Theirs 2").await;
    create_account(&app, "Mine 2").await;
    assert_eq!(
        app.post("/_localgraph/snapshots/s/restore", "")
            .await
            .status,
        200
    );
    assert_eq!(app.get(&format!("{ACCOUNTS}/$count")).await.text, "1");
    assert_eq!(
        other.get(&format!("{ACCOUNTS}/$count")).await.text,
        "2",
        "untouched by the restore"
    );
    let mine = app.get(ACCOUNTS).await.json();
    assert_eq!(mine["value"][0]["displayName"], "Mine");
}
