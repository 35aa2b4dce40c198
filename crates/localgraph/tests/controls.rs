//! The controls as a user runs them: `serve --throttling/--profile` (and their environment
//! variables), settings and snapshots that survive a restart and move with export/import,
//! and two PostgreSQL nodes that apply each other's changes.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{Server, client, exchange, localgraph, postgres_url, send};
use serde_json::json;

const SUMMARY: &str = "/v1.0/deviceManagement/softwareUpdateStatusSummary";
const ACCOUNTS: &str = "/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries";

#[tokio::test]
async fn settings_and_snapshots_survive_a_restart() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::on(data.path());
    assert!(
        server
            .output
            .iter()
            .any(|l| l.contains("throttling: intune")),
        "serve says which throttling is in force: {:?}",
        server.output
    );
    assert!(
        server
            .output
            .iter()
            .any(|l| l.contains("profile: documented"))
    );
    let token = server.token().to_string();
    let url = |path: &str| format!("{}{path}", server.base);
    let custom = json!({"mode": "custom", "writesPer20Seconds": 5, "requestsPer20Seconds": 50});
    let put = |path: &str, body: serde_json::Value| {
        let (token, url) = (token.clone(), url(path));
        async move { send(&token, "PUT", &url, Some(&body.to_string())).await }
    };
    assert_eq!(put("/_localgraph/throttling", custom.clone()).await.0, 200);
    assert_eq!(
        put("/_localgraph/profile", json!({"profile": "observed"}))
            .await
            .0,
        200
    );
    let (status, rule) = send(
        &token,
        "POST",
        &url("/_localgraph/faults"),
        Some(r#"{"path": "/v1.0/nothing/**", "status": 503, "times": 4}"#),
    )
    .await;
    assert_eq!(status, 201);
    let (status, created) = send(
        &token,
        "POST",
        &url(ACCOUNTS),
        Some(r#"{"displayName": "Kept"}"#),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(
        send(
            &token,
            "POST",
            &url("/_localgraph/snapshots"),
            Some(r#"{"name": "kept"}"#)
        )
        .await
        .0,
        201
    );
    server.kill_9();

    let server = Server::on(data.path());
    let url = |path: &str| format!("{}{path}", server.base);
    assert_eq!(
        send(&token, "GET", &url("/_localgraph/throttling"), None)
            .await
            .1,
        custom
    );
    assert_eq!(
        send(&token, "GET", &url("/_localgraph/profile"), None)
            .await
            .1,
        json!({"profile": "observed"})
    );
    let (_, faults) = send(&token, "GET", &url("/_localgraph/faults"), None).await;
    assert_eq!(faults["value"][0]["id"], rule["id"]);
    assert_eq!(faults["value"][0]["remaining"], 4);
    let (_, snapshots) = send(&token, "GET", &url("/_localgraph/snapshots"), None).await;
    assert_eq!(snapshots["value"][0]["name"], "kept");
    assert_eq!(snapshots["value"][0]["rows"], 1);
    // The settings apply at once after the restart: observed PATCH answers 204.
    assert_eq!(
        send(
            &token,
            "PATCH",
            &url(SUMMARY),
            Some(r#"{"compliantDeviceCount": 1}"#)
        )
        .await
        .0,
        204
    );
    assert_eq!(
        send(&token, "DELETE", &url("/_localgraph/data"), None)
            .await
            .0,
        204
    );
    assert_eq!(
        send(
            &token,
            "POST",
            &url("/_localgraph/snapshots/kept/restore"),
            None
        )
        .await
        .0,
        200
    );
    let id = created["id"].as_str().unwrap();
    let (status, read) = send(&token, "GET", &url(&format!("{ACCOUNTS}/{id}")), None).await;
    assert_eq!((status, read["displayName"].as_str()), (200, Some("Kept")));
}

#[tokio::test]
async fn serve_takes_throttling_and_profile_from_flags_or_the_environment() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::on_with(
        data.path(),
        &["--throttling", "off", "--profile", "observed"],
    );
    assert!(
        server.output.iter().any(|l| l.contains("throttling: off")),
        "{:?}",
        server.output
    );
    assert!(
        server
            .output
            .iter()
            .any(|l| l.contains("profile: observed"))
    );
    let token = server.token();
    let (status, setting) = send(
        token,
        "GET",
        &format!("{}/_localgraph/throttling", server.base),
        None,
    )
    .await;
    assert_eq!((status, setting), (200, json!({"mode": "off"})));
    let (status, _) = send(
        token,
        "PATCH",
        &format!("{}{SUMMARY}", server.base),
        Some(r#"{"compliantDeviceCount": 1}"#),
    )
    .await;
    assert_eq!(status, 204, "observed: PATCH answers 204");
    drop(server);

    let data = data.path().to_str().unwrap();
    let server = Server::start(
        &["--listen", "127.0.0.1:0", "--data-dir", data],
        &[
            ("LOCALGRAPH_THROTTLING", Path::new("off")),
            ("LOCALGRAPH_PROFILE", Path::new("observed")),
        ],
    );
    assert!(
        server.output.iter().any(|l| l.contains("throttling: off")),
        "{:?}",
        server.output
    );
    assert!(
        server
            .output
            .iter()
            .any(|l| l.contains("profile: observed"))
    );
    let (ok, _, stderr) = localgraph(&["serve", "--throttling", "fast"], &[]);
    assert!(!ok && stderr.contains("fast"), "{stderr}");
}

#[tokio::test]
async fn export_and_import_carry_snapshots_and_settings() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::on(data.path());
    let token = server.token().to_string();
    let url = |path: &str| format!("{}{path}", server.base);
    assert_eq!(
        send(
            &token,
            "POST",
            &url(ACCOUNTS),
            Some(r#"{"displayName": "Moved"}"#)
        )
        .await
        .0,
        201
    );
    assert_eq!(
        send(
            &token,
            "POST",
            &url("/_localgraph/snapshots"),
            Some(r#"{"name": "moved"}"#)
        )
        .await
        .0,
        201
    );
    assert_eq!(
        send(
            &token,
            "PUT",
            &url("/_localgraph/profile"),
            Some(r#"{"profile": "observed"}"#)
        )
        .await
        .0,
        200
    );
    let (_, before) = send(&token, "GET", &url(ACCOUNTS), None).await;
    drop(server);
    let file = data.path().join("all.jsonl");
    let dir = data.path().to_str().unwrap();
    let (ok, _, stderr) = localgraph(
        &["export", "--out", file.to_str().unwrap(), "--data-dir", dir],
        &[],
    );
    assert!(ok, "{stderr}");

    let other = tempfile::tempdir().unwrap();
    let other_dir = other.path().to_str().unwrap();
    let (ok, _, stderr) = localgraph(
        &["import", file.to_str().unwrap(), "--data-dir", other_dir],
        &[],
    );
    assert!(ok, "{stderr}");
    let server = Server::on(other.path());
    let token = server.token().to_string();
    let url = |path: &str| format!("{}{path}", server.base);
    let (_, snapshots) = send(&token, "GET", &url("/_localgraph/snapshots"), None).await;
    assert_eq!(snapshots["value"][0]["name"], "moved", "{snapshots}");
    assert_eq!(
        send(&token, "GET", &url("/_localgraph/profile"), None)
            .await
            .1,
        json!({"profile": "observed"})
    );
    assert_eq!(
        send(&token, "DELETE", &url("/_localgraph/data"), None)
            .await
            .0,
        204
    );
    assert_eq!(
        send(
            &token,
            "POST",
            &url("/_localgraph/snapshots/moved/restore"),
            None
        )
        .await
        .0,
        200
    );
    assert_eq!(
        send(&token, "GET", &url(ACCOUNTS), None).await.1["value"],
        before["value"]
    );
}

#[tokio::test]
async fn two_postgres_nodes_apply_each_others_controls() {
    let Some(database) = postgres_url("two_postgres_nodes_apply_each_others_controls").await else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let a = Server::on_with(data.path(), &["--database", &database]);
    let b = Server::on_with(data.path(), &["--database", &database]);
    let token = a.token().to_string();
    let http = client();
    let summary = |base: &str| format!("{base}{SUMMARY}");
    // A profile set through a: b applies it within its refresh time (500 ms; up to 5 s
    // allowed here, on a loaded machine).
    let (status, _, _) = exchange(
        &http,
        &token,
        "PUT",
        &format!("{}/_localgraph/profile", a.base),
        Some(r#"{"profile": "observed"}"#),
    )
    .await;
    assert_eq!(status, 200);
    let made = Instant::now();
    let mut b_status = 0;
    while made.elapsed() < Duration::from_secs(5) {
        b_status = exchange(
            &http,
            &token,
            "PATCH",
            &summary(&b.base),
            Some(r#"{"compliantDeviceCount": 1}"#),
        )
        .await
        .0;
        if b_status == 204 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(b_status, 204, "node b applies node a's profile");
    // A rule made through a, with times = 3.
    let (status, _, _) = exchange(
        &http,
        &token,
        "POST",
        &format!("{}/_localgraph/faults", a.base),
        Some(r#"{"path": "**", "status": 503, "times": 3}"#),
    )
    .await;
    assert_eq!(status, 201);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    // times = 3 across both nodes: exactly three requests are faulted, wherever they land.
    let mut statuses = Vec::new();
    for i in 0..8 {
        let node = if i % 2 == 0 { &a } else { &b };
        statuses.push(
            exchange(&http, &token, "GET", &summary(&node.base), None)
                .await
                .0,
        );
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 503).count(),
        3,
        "{statuses:?}"
    );
    assert!(statuses[6..].iter().all(|s| *s == 200), "{statuses:?}");
    // A snapshot taken through one node is restored through the other.
    let (status, _, _) = exchange(
        &http,
        &token,
        "POST",
        &format!("{}{ACCOUNTS}", a.base),
        Some(r#"{"displayName": "Shared"}"#),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(
        exchange(
            &http,
            &token,
            "POST",
            &format!("{}/_localgraph/snapshots", a.base),
            Some(r#"{"name": "shared"}"#)
        )
        .await
        .0,
        201
    );
    assert_eq!(
        exchange(
            &http,
            &token,
            "DELETE",
            &format!("{}/_localgraph/data", b.base),
            None
        )
        .await
        .0,
        204
    );
    assert_eq!(
        exchange(
            &http,
            &token,
            "POST",
            &format!("{}/_localgraph/snapshots/shared/restore", b.base),
            None
        )
        .await
        .0,
        200
    );
    let (_, _, read) = exchange(&http, &token, "GET", &format!("{}{ACCOUNTS}", a.base), None).await;
    assert_eq!(read["value"][0]["displayName"], "Shared");
}
