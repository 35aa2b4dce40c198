//! The real binary as a user runs it: flags and environment, durability across restarts
//! and `kill -9`, graceful shutdown on SIGTERM.

mod common;

use std::path::Path;

use common::{Server, send};

#[tokio::test]
async fn acknowledged_writes_survive_kill_9_and_restart() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::on(data.path());
    let token = server.token().to_string();
    let summaries = format!(
        "{}/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries",
        server.base
    );
    let (status, created) = send(
        &token,
        "POST",
        &summaries,
        Some(r#"{"displayName": "Durable Mac", "failedUpdateCount": 7}"#),
    )
    .await;
    assert_eq!(status, 201);
    let summary = format!(
        "{}/v1.0/deviceManagement/softwareUpdateStatusSummary",
        server.base
    );
    let (status, before) = send(
        &token,
        "PATCH",
        &summary,
        Some(r#"{"errorDeviceCount": 42}"#),
    )
    .await;
    assert_eq!(status, 200);
    server.kill_9();

    let server = Server::on(data.path());
    let id = created["id"].as_str().unwrap();
    let (status, read) = send(
        &token,
        "GET",
        &format!(
            "{}/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries/{id}",
            server.base
        ),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        (
            read["displayName"].as_str(),
            read["failedUpdateCount"].as_i64()
        ),
        (Some("Durable Mac"), Some(7))
    );
    let (_, after) = send(
        &token,
        "GET",
        &format!(
            "{}/v1.0/deviceManagement/softwareUpdateStatusSummary",
            server.base
        ),
        None,
    )
    .await;
    assert_eq!(after["errorDeviceCount"], 42);
    assert_eq!(
        after["id"], before["id"],
        "the default tenant is kept with the data"
    );
}

#[tokio::test]
async fn sigterm_stops_the_server_cleanly() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::on(data.path());
    let (status, _) = send("", "GET", &format!("{}/healthz", server.base), None).await;
    assert_eq!(status, 200);
    server.stop();
}

#[tokio::test]
async fn listen_address_and_data_dir_come_from_the_environment() {
    let data = tempfile::tempdir().unwrap();
    let nested = data.path().join("nested/dir");
    let server = Server::start(
        &[],
        &[
            ("LOCALGRAPH_LISTEN", Path::new("127.0.0.1:0")),
            ("LOCALGRAPH_DATA_DIR", &nested),
        ],
    );
    assert!(
        server.base.starts_with("http://127.0.0.1:"),
        "{}",
        server.base
    );
    let (status, _) = send(
        server.token(),
        "GET",
        &format!(
            "{}/beta/deviceManagement/deviceManagementScripts",
            server.base
        ),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        nested.join("localgraph.sqlite").exists(),
        "the database lives in the data dir"
    );
}

#[tokio::test]
async fn the_banner_links_to_the_dashboard() {
    let data = tempfile::tempdir().unwrap();
    let dashboard = |server: &Server| {
        server
            .output
            .iter()
            .find_map(|l| l.strip_prefix("  dashboard: "))
            .map(str::to_string)
            .unwrap_or_else(|| panic!("no dashboard line: {:?}", server.output))
    };
    let server = Server::on(data.path());
    // The token rides in the fragment, which browsers do not send.
    assert_eq!(
        dashboard(&server),
        format!("{}/#token={}", server.base, server.token())
    );
    let page = common::client()
        .get(format!("{}/", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(
        page.headers()["content-type"],
        "text/html; charset=utf-8",
        "the page itself needs no token"
    );
    drop(server);

    let open = Server::on_with(data.path(), &["--auth", "off"]);
    assert_eq!(dashboard(&open), format!("{}/", open.base));
}
