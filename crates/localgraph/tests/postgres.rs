//! Several `serve` processes on one PostgreSQL database, and data sets moved between
//! backends with `export`/`import`. Skipped (with a notice) without `TEST_DATABASE_URL`.

mod common;

use std::path::Path;

use common::{Server, client, exchange, localgraph, postgres_schema};
use serde_json::Value;

/// The count properties of `softwareUpdateStatusSummary` (v1.0).
const COUNTS: [&str; 14] = [
    "compliantDeviceCount",
    "nonCompliantDeviceCount",
    "remediatedDeviceCount",
    "errorDeviceCount",
    "unknownDeviceCount",
    "conflictDeviceCount",
    "notApplicableDeviceCount",
    "compliantUserCount",
    "nonCompliantUserCount",
    "remediatedUserCount",
    "errorUserCount",
    "unknownUserCount",
    "conflictUserCount",
    "notApplicableUserCount",
];

/// Two nodes on one database, started at the same moment (both migrate the fresh schema).
fn two_nodes(data: &Path, url: &str) -> (Server, Server) {
    let start = |data: std::path::PathBuf, url: String| {
        std::thread::spawn(move || Server::on_with(&data, &["--database", &url]))
    };
    let a = start(data.to_path_buf(), url.to_string());
    let b = start(data.to_path_buf(), url.to_string());
    (a.join().unwrap(), b.join().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_nodes_serve_one_data_set_and_lose_no_update() {
    let Some(schema) = postgres_schema("two_nodes_serve_one_data_set_and_lose_no_update").await
    else {
        return;
    };
    let url = schema.url().to_string();
    let data = tempfile::tempdir().unwrap();
    let (a, b) = two_nodes(data.path(), &url);
    // One data directory, one signing key: a token of one node is good on the other.
    let token = a.token().to_string();
    let http = client();

    // A write through one node is read through the other.
    let scripts = "beta/deviceManagement/deviceManagementScripts";
    let (status, _, created) = exchange(
        &http,
        &token,
        "POST",
        &format!("{}/{scripts}", a.base),
        Some(r#"{"displayName":"Inventory","runAsAccount":"system"}"#),
    )
    .await;
    assert_eq!(status, 201);
    let id = created["id"].as_str().unwrap();
    let on_b = format!("{}/{scripts}/{id}", b.base);
    let (status, _, read) = exchange(&http, &token, "GET", &on_b, None).await;
    assert_eq!(
        (status, read["displayName"].as_str()),
        (200, Some("Inventory"))
    );
    let (status, _, _) = exchange(
        &http,
        &token,
        "PATCH",
        &on_b,
        Some(r#"{"displayName":"Renamed"}"#),
    )
    .await;
    assert_eq!(status, 200);
    let on_a = format!("{}/{scripts}/{id}", a.base);
    let (_, _, read) = exchange(&http, &token, "GET", &on_a, None).await;
    assert_eq!(read["displayName"], "Renamed");
    assert_eq!(exchange(&http, &token, "DELETE", &on_a, None).await.0, 204);
    assert_eq!(exchange(&http, &token, "GET", &on_b, None).await.0, 404);

    // 2 nodes × 50 concurrent PATCHes of the properties of one summary (which does not
    // exist yet: the first writes race to create it). A read-modify-write in the node
    // would put back a stale value over another request's; in the database, every
    // property keeps the value patched into it.
    let summary = |base: &str| format!("{base}/v1.0/deviceManagement/softwareUpdateStatusSummary");
    let mut tasks = Vec::new();
    for node in [&a, &b] {
        for i in 0..50 {
            let (http, token, url) = (http.clone(), token.clone(), summary(&node.base));
            let property = COUNTS[i % COUNTS.len()];
            let body = format!(r#"{{"{property}": {}}}"#, value_of(property));
            tasks.push(tokio::spawn(async move {
                exchange(&http, &token, "PATCH", &url, Some(&body)).await.0
            }));
        }
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), 200);
    }
    let (_, _, read) = exchange(&http, &token, "GET", &summary(&b.base), None).await;
    for property in COUNTS {
        assert_eq!(read[property], value_of(property), "{property}: {read}");
    }

    // Concurrent POSTs of one contained summary through both nodes.
    let (status, _, configuration) = exchange(
        &http,
        &token,
        "POST",
        &format!("{}/v1.0/deviceAppManagement/mobileAppConfigurations", a.base),
        Some(r##"{"@odata.type":"#microsoft.graph.iosMobileAppConfiguration","displayName":"Mail"}"##),
    )
    .await;
    assert_eq!(status, 201);
    let configuration = configuration["id"].as_str().unwrap().to_string();
    let user_summary = |base: &str| {
        format!(
            "{base}/v1.0/deviceAppManagement/mobileAppConfigurations/{configuration}/userStatusSummary"
        )
    };
    let mut tasks = Vec::new();
    for node in [&a, &b] {
        for i in 0..10 {
            let (http, token, url) = (http.clone(), token.clone(), user_summary(&node.base));
            let body = format!(r#"{{"pendingCount": {i}}}"#);
            tasks.push(tokio::spawn(async move {
                exchange(&http, &token, "POST", &url, Some(&body)).await.0
            }));
        }
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    // Each POST sets the one summary of the configuration, whichever node takes it: all
    // succeed, the last one wins, and there is still one summary with one id.
    assert_eq!(statuses, vec![201; 20]);
    let (status, _, summary) = exchange(&http, &token, "GET", &user_summary(&b.base), None).await;
    assert_eq!(status, 200);
    assert!(
        (0..10).contains(&summary["pendingCount"].as_i64().unwrap()),
        "{summary}"
    );
    let (_, _, again) = exchange(&http, &token, "GET", &user_summary(&a.base), None).await;
    assert_eq!(
        (&again["id"], &again["pendingCount"]),
        (&summary["id"], &summary["pendingCount"])
    );
}

fn value_of(property: &str) -> i64 {
    COUNTS.iter().position(|p| *p == property).unwrap() as i64 + 100
}

/// The answers compared across backends: filters, orders, paging, expansions, counts.
const QUERIES: [&str; 8] = [
    "beta/deviceManagement/deviceManagementScripts?$orderby=displayName desc&$top=2",
    "beta/deviceManagement/deviceManagementScripts?$filter=startswith(displayName,'S') and runAsAccount eq 'user'&$count=true",
    "beta/deviceManagement/deviceManagementScripts?$expand=runSummary,deviceRunStates&$select=displayName",
    "beta/deviceManagement/deviceManagementScripts/$count",
    "v1.0/deviceManagement/softwareUpdateStatusSummary",
    "beta/deviceManagement/macOSSoftwareUpdateAccountSummaries?$orderby=lastUpdatedDateTime,displayName",
    "v1.0/deviceAppManagement/mobileAppConfigurations?$expand=userStatusSummary",
    "beta/deviceManagement/macOSSoftwareUpdateAccountSummaries?$filter=failedUpdateCount ge 2",
];

async fn answers(server: &Server, token: &str) -> Vec<(u16, String)> {
    let http = client();
    let mut out = Vec::new();
    for query in QUERIES {
        let response = http
            .get(format!("{}/{query}", server.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap().replace(&server.base, "BASE");
        out.push((status, text));
    }
    out
}

async fn fill(server: &Server, token: &str) {
    let http = client();
    let post = |path: &str, body: String| {
        let (http, url) = (http.clone(), format!("{}/{path}", server.base));
        async move {
            let (status, _, json) = exchange(&http, token, "POST", &url, Some(&body)).await;
            assert!(status == 201 || status == 204, "{status} {json}");
            json
        }
    };
    for (i, name) in ["Setup", "Sweep", "Audit", "Scan"].iter().enumerate() {
        let account = if i % 2 == 0 { "system" } else { "user" };
        let script = post(
            "beta/deviceManagement/deviceManagementScripts",
            format!(r#"{{"displayName":"{name}","runAsAccount":"{account}"}}"#),
        )
        .await;
        let id = script["id"].as_str().unwrap();
        post(
            &format!("beta/deviceManagement/deviceManagementScripts/{id}/runSummary/$ref"),
            format!(r#"{{"successDeviceCount":{i},"errorDeviceCount":1}}"#),
        )
        .await;
        post(
            &format!("beta/deviceManagement/deviceManagementScripts/{id}/deviceRunStates"),
            format!(r#"{{"resultMessage":"ok {i}","runState":"success","errorCode":{i}}}"#),
        )
        .await;
        post(
            "beta/deviceManagement/macOSSoftwareUpdateAccountSummaries",
            format!(
                r#"{{"displayName":"Mac {i}","failedUpdateCount":{i},"lastUpdatedDateTime":"2026-01-0{}T10:00:00.1234567+02:00"}}"#,
                4 - i
            ),
        )
        .await;
    }
    let configuration = post(
        "v1.0/deviceAppManagement/mobileAppConfigurations",
        r##"{"@odata.type":"#microsoft.graph.iosMobileAppConfiguration","displayName":"Mail"}"##
            .into(),
    )
    .await;
    let id = configuration["id"].as_str().unwrap();
    post(
        &format!("v1.0/deviceAppManagement/mobileAppConfigurations/{id}/userStatusSummary"),
        r#"{"pendingCount":3,"lastUpdateDateTime":"2024-05-01T10:00:00Z"}"#.into(),
    )
    .await;
    post(
        "v1.0/deviceManagement/softwareUpdateStatusSummary/$ref",
        r#"{"displayName":"All","compliantDeviceCount":4}"#.into(),
    )
    .await;
}

#[tokio::test]
async fn an_export_from_sqlite_imported_into_postgres_answers_the_same() {
    let Some(schema) =
        postgres_schema("an_export_from_sqlite_imported_into_postgres_answers_the_same").await
    else {
        return;
    };
    let url = schema.url().to_string();
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap();
    let sqlite = Server::on(data.path());
    let token = sqlite.token().to_string();
    fill(&sqlite, &token).await;
    // Another tenant's data, to check a one-tenant export leaves it out.
    let other = localgraph(
        &["token", "--tenant", "other.example", "--data-dir", dir],
        &[],
    );
    assert!(other.0, "{}", other.2);
    let other_token = other.1.trim().to_string();
    fill(&sqlite, &other_token).await;
    let before = answers(&sqlite, &token).await;
    assert!(
        before.iter().all(|(status, _)| *status == 200),
        "{before:?}"
    );
    drop(sqlite);

    let file = data.path().join("all.jsonl");
    let file = file.to_str().unwrap();
    let (ok, _, err) = localgraph(&["export", "--out", file, "--data-dir", dir], &[]);
    assert!(ok, "{err}");
    assert!(err.contains("exported"), "{err}");
    let (ok, _, err) = localgraph(
        &["import", file, "--data-dir", dir, "--database", &url],
        &[],
    );
    assert!(ok, "{err}");
    let postgres = Server::on_with(data.path(), &["--database", &url]);
    assert_eq!(
        postgres.output.iter().find(|l| l.starts_with("  tenant")),
        Server::on(data.path())
            .output
            .iter()
            .find(|l| l.starts_with("  tenant")),
        "the default tenant moves with the data set"
    );
    assert_eq!(answers(&postgres, &token).await, before);
    assert_eq!(
        answers(&postgres, &other_token).await,
        answers(&Server::on(data.path()), &other_token).await
    );

    // One tenant's export holds that tenant's rows only, and no settings.
    let tenant = common::claims(&token)["tid"].as_str().unwrap().to_string();
    let one = data.path().join("one.jsonl");
    let one = one.to_str().unwrap();
    let (ok, _, err) = localgraph(
        &[
            "export",
            "--out",
            one,
            "--tenant",
            &tenant,
            "--data-dir",
            dir,
            "--database",
            &url,
        ],
        &[],
    );
    assert!(ok, "{err}");
    let lines: Vec<Value> = std::fs::read_to_string(one)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(lines.len() >= 15, "{}", lines.len());
    assert!(lines.iter().all(|l| l["tenant"] == tenant.as_str()));
}
