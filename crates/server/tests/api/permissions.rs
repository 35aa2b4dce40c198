//! The permission table (graph-behavior.md §6.3), row by row, for delegated (`scp`) and
//! app-only (`roles`) tokens: each listed permission alone is enough, every other
//! permission together is not, and the 403 names exactly the ones that would have worked.

use crate::helpers::{TestApp, spec};

const CONFIG_R: &str = "DeviceManagementConfiguration.Read.All";
const CONFIG_RW: &str = "DeviceManagementConfiguration.ReadWrite.All";
const APPS_R: &str = "DeviceManagementApps.Read.All";
const APPS_RW: &str = "DeviceManagementApps.ReadWrite.All";
const DEVICES_R: &str = "DeviceManagementManagedDevices.Read.All";
const DEVICES_RW: &str = "DeviceManagementManagedDevices.ReadWrite.All";
const SCRIPTS_R: &str = "DeviceManagementScripts.Read.All";
const SCRIPTS_RW: &str = "DeviceManagementScripts.ReadWrite.All";
const RBAC_R: &str = "DeviceManagementRBAC.Read.All";
const RBAC_RW: &str = "DeviceManagementRBAC.ReadWrite.All";
const SERVICE_R: &str = "DeviceManagementServiceConfig.Read.All";
const SERVICE_RW: &str = "DeviceManagementServiceConfig.ReadWrite.All";

/// One operation and the permissions that allow it, in the order the 403 names them.
struct Row {
    method: &'static str,
    path: String,
    body: Option<&'static str>,
    allowed: &'static [&'static str],
}

fn row(
    method: &'static str,
    path: String,
    body: Option<&'static str>,
    allowed: &'static [&'static str],
) -> Row {
    Row {
        method,
        path,
        body,
        allowed,
    }
}

const MAC: &str = r#"{"displayName":"Mac","failedUpdateCount":1}"#;
const SCRIPT: &str = r#"{"displayName":"Inventory","runAsAccount":"system"}"#;
const CONFIGURATION: &str =
    r##"{"@odata.type":"#microsoft.graph.iosMobileAppConfiguration","displayName":"Mail"}"##;
const USER_SUMMARY: &str = r#"{"pendingCount":1,"successCount":2}"#;
const RUN_SUMMARY: &str = r#"{"successDeviceCount":3,"errorDeviceCount":1}"#;

async fn create(app: &TestApp, path: &str, body: &str) -> String {
    let reply = app.post(path, body).await;
    assert_eq!(reply.status, 201, "{path}: {}", reply.text);
    reply.json()["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn every_row_of_the_permission_table_for_delegated_and_app_only_tokens() {
    let app = TestApp::spawn().await;
    let macs = "/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries";
    let scripts = "/beta/deviceManagement/deviceManagementScripts";
    let configurations = "/v1.0/deviceAppManagement/mobileAppConfigurations";
    let mac = create(&app, macs, MAC).await;
    let doomed_mac = create(&app, macs, MAC).await;
    let script = app.create_script().await;
    let doomed_script = app.create_script().await;
    let configuration = app.create_configuration("v1.0").await;
    let doomed_configuration = app.create_configuration("v1.0").await;
    let bare_configuration = app.create_configuration("v1.0").await;
    create(
        &app,
        &format!("{configurations}/{configuration}/userStatusSummary"),
        USER_SUMMARY,
    )
    .await;
    let summary = "/v1.0/deviceManagement/softwareUpdateStatusSummary".to_string();
    let run_summary = format!("{scripts}/{script}/runSummary");
    let user_summary = format!("{configurations}/{configuration}/userStatusSummary");
    let config_read: &[&str] = &[CONFIG_R, CONFIG_RW];
    let config_write: &[&str] = &[CONFIG_RW];
    let rows = [
        // softwareUpdateStatusSummary (v1.0 and beta)
        row("GET", summary.clone(), None, config_read),
        row(
            "PATCH",
            summary.clone(),
            Some(r#"{"compliantDeviceCount":4}"#),
            config_write,
        ),
        row("GET", summary.replace("v1.0", "beta"), None, config_read),
        row(
            "POST",
            format!("{summary}/$ref"),
            Some(r#"{"compliantDeviceCount":4}"#),
            config_write,
        ),
        row("DELETE", format!("{summary}/$ref"), None, config_write),
        // macOSSoftwareUpdateAccountSummaries (beta) and their children
        row("GET", macs.to_string(), None, config_read),
        row("GET", format!("{macs}/{mac}"), None, config_read),
        row("GET", format!("{macs}/$count"), None, config_read),
        row(
            "GET",
            format!("{macs}/{mac}/categorySummaries"),
            None,
            config_read,
        ),
        row("POST", macs.to_string(), Some(MAC), config_write),
        row("PATCH", format!("{macs}/{mac}"), Some(MAC), config_write),
        row("DELETE", format!("{macs}/{doomed_mac}"), None, config_write),
        // deviceManagementScripts (beta) and their children
        row(
            "GET",
            scripts.to_string(),
            None,
            &[SCRIPTS_R, SCRIPTS_RW, CONFIG_R, CONFIG_RW],
        ),
        row(
            "GET",
            format!("{scripts}/{script}"),
            None,
            &[SCRIPTS_R, SCRIPTS_RW, CONFIG_R, CONFIG_RW],
        ),
        row(
            "GET",
            format!("{scripts}/{script}/deviceRunStates"),
            None,
            &[SCRIPTS_R, SCRIPTS_RW, CONFIG_R, CONFIG_RW],
        ),
        row(
            "POST",
            scripts.to_string(),
            Some(SCRIPT),
            &[SCRIPTS_RW, CONFIG_RW],
        ),
        row(
            "PATCH",
            format!("{scripts}/{script}"),
            Some(SCRIPT),
            &[SCRIPTS_RW, CONFIG_RW],
        ),
        row(
            "DELETE",
            format!("{scripts}/{doomed_script}"),
            None,
            &[SCRIPTS_RW, CONFIG_RW],
        ),
        // a script's runSummary: Scripts, ManagedDevices or Configuration
        row(
            "GET",
            run_summary.clone(),
            None,
            &[
                SCRIPTS_R, SCRIPTS_RW, DEVICES_R, DEVICES_RW, CONFIG_R, CONFIG_RW,
            ],
        ),
        row(
            "PATCH",
            run_summary.clone(),
            Some(RUN_SUMMARY),
            &[SCRIPTS_RW, DEVICES_RW, CONFIG_RW],
        ),
        row(
            "POST",
            format!("{run_summary}/$ref"),
            Some(RUN_SUMMARY),
            &[SCRIPTS_RW, DEVICES_RW, CONFIG_RW],
        ),
        // mobileAppConfigurations (v1.0 and beta) and their children
        row("GET", configurations.to_string(), None, &[APPS_R, APPS_RW]),
        row(
            "GET",
            format!("{configurations}/{configuration}").replace("v1.0", "beta"),
            None,
            &[APPS_R, APPS_RW],
        ),
        row(
            "GET",
            format!("{configurations}/{configuration}/assignments"),
            None,
            &[APPS_R, APPS_RW],
        ),
        row(
            "POST",
            configurations.to_string(),
            Some(CONFIGURATION),
            &[APPS_RW],
        ),
        row(
            "PATCH",
            format!("{configurations}/{configuration}"),
            Some(CONFIGURATION),
            &[APPS_RW],
        ),
        row(
            "DELETE",
            format!("{configurations}/{doomed_configuration}"),
            None,
            &[APPS_RW],
        ),
        // the configuration summaries: Apps, and Configuration for reads
        row(
            "GET",
            user_summary.clone(),
            None,
            &[APPS_R, APPS_RW, CONFIG_R, CONFIG_RW],
        ),
        row(
            "PATCH",
            user_summary.clone(),
            Some(USER_SUMMARY),
            &[APPS_RW],
        ),
        row(
            "POST",
            format!("{configurations}/{bare_configuration}/userStatusSummary"),
            Some(USER_SUMMARY),
            &[APPS_RW],
        ),
        row(
            "GET",
            format!("{configurations}/{configuration}/deviceStatusSummary"),
            None,
            &[APPS_R, APPS_RW, CONFIG_R, CONFIG_RW],
        ),
        // the singletons themselves
        row(
            "GET",
            "/v1.0/deviceManagement".into(),
            None,
            &[
                CONFIG_R, CONFIG_RW, APPS_R, APPS_RW, DEVICES_R, DEVICES_RW, RBAC_R, RBAC_RW,
                SERVICE_R, SERVICE_RW,
            ],
        ),
        row(
            "GET",
            "/v1.0/deviceAppManagement".into(),
            None,
            &[APPS_R, APPS_RW],
        ),
    ];
    let every = intune::Permissions::bundled().all();
    for row in &rows {
        let label = format!("{} {}", row.method, row.path);
        // Every other permission together is not enough, nor are unrelated Graph scopes.
        let mut others: Vec<&str> = every
            .iter()
            .copied()
            .filter(|p| !row.allowed.contains(p))
            .collect();
        others.push("User.Read.All");
        let denied = [
            app.mint(&spec(&app.tenant, &others, &[])),
            app.mint(&spec(&app.tenant, &[], &others)),
        ];
        for token in denied {
            let reply = app
                .with_token(&token)
                .request(row.method, &row.path, row.body, &[])
                .await;
            assert_eq!(reply.status, 403, "{label}: {}", reply.text);
            assert_eq!(
                reply.error(),
                (
                    "Forbidden".to_string(),
                    format!(
                        "Application is not authorized to perform this operation. Application must have one of the following scopes: {}",
                        row.allowed.join(", ")
                    )
                ),
                "{label}"
            );
        }
        // Each listed permission alone is enough, as a scope and as a role.
        let mut succeeded = false;
        for permission in row.allowed {
            for token in [
                app.mint(&spec(&app.tenant, &[permission], &[])),
                app.mint(&spec(&app.tenant, &[], &[permission])),
            ] {
                let reply = app
                    .with_token(&token)
                    .request(row.method, &row.path, row.body, &[])
                    .await;
                assert!(
                    ![401, 403].contains(&reply.status) && reply.status < 500,
                    "{label} with {permission}: {} {}",
                    reply.status,
                    reply.text
                );
                succeeded |= (200..300).contains(&reply.status);
            }
        }
        // deviceStatusSummary was never created: 404, past the permission check.
        assert!(
            succeeded || row.path.ends_with("deviceStatusSummary"),
            "{label} never succeeded"
        );
    }
}

#[tokio::test]
async fn readwrite_implies_read_and_names_compare_case_insensitively() {
    let app = TestApp::spawn().await;
    let summary = "/v1.0/deviceManagement/softwareUpdateStatusSummary";
    let lower = CONFIG_RW.to_ascii_lowercase();
    let token = app.mint(&spec(&app.tenant, &["openid", &lower, "profile"], &[]));
    assert_eq!(app.with_token(&token).get(summary).await.status, 200);
    let read_only = app.mint(&spec(&app.tenant, &[], &[CONFIG_R]));
    let session = app.with_token(&read_only);
    assert_eq!(session.get(summary).await.status, 200);
    let refused = session
        .patch(summary, r#"{"compliantDeviceCount":1}"#)
        .await;
    assert_eq!(refused.status, 403);
    assert!(
        refused.error().1.ends_with(&format!("scopes: {CONFIG_RW}")),
        "{}",
        refused.text
    );
    // An app-only token without any application permission.
    let bare = app.mint(&spec(&app.tenant, &[], &[]));
    assert_eq!(app.with_token(&bare).get(summary).await.status, 403);
}

#[tokio::test]
async fn routing_errors_come_after_the_token_and_before_the_permission() {
    let app = TestApp::spawn().await;
    let nothing = app.mint(&spec(&app.tenant, &["User.Read"], &[]));
    // A segment the version does not serve is Graph's 400 whatever the permissions.
    let reply = app
        .with_token(&nothing)
        .get("/v1.0/deviceManagement/deviceManagementScripts")
        .await;
    assert_eq!(reply.status, 400, "{}", reply.text);
    // Without a token, the 401 comes first.
    let reply = app
        .anonymous()
        .get("/v1.0/deviceManagement/deviceManagementScripts")
        .await;
    assert_eq!(reply.status, 401);
}
