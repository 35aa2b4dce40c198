//! The controls as a user runs them: `serve --throttling/--profile` (and their environment
//! variables), settings and snapshots that survive a restart and move with export/import,
//! and two PostgreSQL nodes that apply each other's changes.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{Server, client, exchange, localgraph, postgres_schema};
use serde_json::{Value, json};

const SUMMARY: &str = "/v1.0/deviceManagement/softwareUpdateStatusSummary";
const ACCOUNTS: &str = "/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries";

/// A client of one running server, with one token.
struct Node<'a> {
    server: &'a Server,
    token: &'a str,
    http: reqwest::Client,
}

impl<'a> Node<'a> {
    fn new(server: &'a Server, token: &'a str) -> Node<'a> {
        Node {
            server,
            token,
            http: client(),
        }
    }

    async fn call(&self, method: &str, path: &str, body: Option<&str>) -> (u16, Value) {
        let url = format!("{}{path}", self.server.base);
        let (status, _, json) = exchange(&self.http, self.token, method, &url, body).await;
        (status, json)
    }

    async fn status(&self, method: &str, path: &str, body: Option<&str>) -> u16 {
        self.call(method, path, body).await.0
    }

    async fn get(&self, path: &str) -> Value {
        self.call("GET", path, None).await.1
    }
}

/// Whether `serve` printed a start-up line containing `text`.
fn said(server: &Server, text: &str) -> bool {
    server.output.iter().any(|line| line.contains(text))
}

#[tokio::test]
async fn settings_and_snapshots_survive_a_restart() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::on(data.path());
    assert!(said(&server, "throttling: intune"), "{:?}", server.output);
    assert!(said(&server, "profile: documented"), "{:?}", server.output);
    let token = server.token().to_string();
    let node = Node::new(&server, &token);
    let custom = json!({"mode": "custom", "writesPer20Seconds": 5, "requestsPer20Seconds": 50});
    let custom_text = custom.to_string();
    assert_eq!(
        node.status("PUT", "/_localgraph/throttling", Some(&custom_text))
            .await,
        200
    );
    let observed = Some(r#"{"profile": "observed"}"#);
    assert_eq!(
        node.status("PUT", "/_localgraph/profile", observed).await,
        200
    );
    let rule = r#"{"path": "/v1.0/deviceManagement/nothing/**", "status": 503, "times": 4}"#;
    let (status, rule) = node.call("POST", "/_localgraph/faults", Some(rule)).await;
    assert_eq!(status, 201);
    let kept = Some(r#"{"displayName": "Kept"}"#);
    let (status, created) = node.call("POST", ACCOUNTS, kept).await;
    assert_eq!(status, 201);
    let snapshot = Some(r#"{"name": "kept"}"#);
    assert_eq!(
        node.status("POST", "/_localgraph/snapshots", snapshot)
            .await,
        201
    );
    server.kill_9();

    let server = Server::on(data.path());
    let node = Node::new(&server, &token);
    assert_eq!(node.get("/_localgraph/throttling").await, custom);
    assert_eq!(
        node.get("/_localgraph/profile").await,
        json!({"profile": "observed"})
    );
    let faults = node.get("/_localgraph/faults").await;
    assert_eq!(faults["value"][0]["id"], rule["id"]);
    assert_eq!(faults["value"][0]["remaining"], 4);
    let snapshots = node.get("/_localgraph/snapshots").await;
    assert_eq!(snapshots["value"][0]["name"], "kept");
    assert_eq!(snapshots["value"][0]["rows"], 1);
    // The settings apply at once after the restart: observed PATCH answers 204.
    let patch = Some(r#"{"compliantDeviceCount": 1}"#);
    assert_eq!(node.status("PATCH", SUMMARY, patch).await, 204);
    assert_eq!(node.status("DELETE", "/_localgraph/data", None).await, 204);
    let restore = "/_localgraph/snapshots/kept/restore";
    assert_eq!(node.status("POST", restore, None).await, 200);
    let id = created["id"].as_str().unwrap();
    let read = node.get(&format!("{ACCOUNTS}/{id}")).await;
    assert_eq!(read["displayName"], "Kept");
}

#[tokio::test]
async fn serve_takes_throttling_and_profile_from_flags_or_the_environment() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::on_with(
        data.path(),
        &["--throttling", "off", "--profile", "observed"],
    );
    assert!(said(&server, "throttling: off"), "{:?}", server.output);
    assert!(said(&server, "profile: observed"), "{:?}", server.output);
    let node = Node::new(&server, server.token());
    assert_eq!(
        node.get("/_localgraph/throttling").await,
        json!({"mode": "off"})
    );
    let patch = Some(r#"{"compliantDeviceCount": 1}"#);
    assert_eq!(node.status("PATCH", SUMMARY, patch).await, 204, "observed");
    drop(node);
    drop(server);

    let data = data.path().to_str().unwrap();
    let server = Server::start(
        &["--listen", "127.0.0.1:0", "--data-dir", data],
        &[
            ("LOCALGRAPH_THROTTLING", Path::new("off")),
            ("LOCALGRAPH_PROFILE", Path::new("observed")),
        ],
    );
    assert!(said(&server, "throttling: off"), "{:?}", server.output);
    assert!(said(&server, "profile: observed"), "{:?}", server.output);
    let (ok, _, stderr) = localgraph(&["serve", "--throttling", "fast"], &[]);
    assert!(!ok && stderr.contains("fast"), "{stderr}");
}

#[tokio::test]
async fn export_and_import_carry_snapshots_and_settings() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::on(data.path());
    let node = Node::new(&server, server.token());
    let moved = Some(r#"{"displayName": "Moved"}"#);
    assert_eq!(node.status("POST", ACCOUNTS, moved).await, 201);
    let snapshot = Some(r#"{"name": "moved"}"#);
    assert_eq!(
        node.status("POST", "/_localgraph/snapshots", snapshot)
            .await,
        201
    );
    let observed = Some(r#"{"profile": "observed"}"#);
    assert_eq!(
        node.status("PUT", "/_localgraph/profile", observed).await,
        200
    );
    let before = node.get(ACCOUNTS).await;
    drop(node);
    drop(server);
    let file = data.path().join("all.jsonl");
    let file = file.to_str().unwrap();
    let dir = data.path().to_str().unwrap();
    let (ok, _, stderr) = localgraph(&["export", "--out", file, "--data-dir", dir], &[]);
    assert!(ok, "{stderr}");

    let other = tempfile::tempdir().unwrap();
    let other_dir = other.path().to_str().unwrap();
    let (ok, _, stderr) = localgraph(&["import", file, "--data-dir", other_dir], &[]);
    assert!(ok, "{stderr}");
    let server = Server::on(other.path());
    let node = Node::new(&server, server.token());
    let snapshots = node.get("/_localgraph/snapshots").await;
    assert_eq!(snapshots["value"][0]["name"], "moved", "{snapshots}");
    assert_eq!(
        node.get("/_localgraph/profile").await,
        json!({"profile": "observed"})
    );
    assert_eq!(node.status("DELETE", "/_localgraph/data", None).await, 204);
    let restore = "/_localgraph/snapshots/moved/restore";
    assert_eq!(node.status("POST", restore, None).await, 200);
    assert_eq!(node.get(ACCOUNTS).await["value"], before["value"]);
}

#[tokio::test]
async fn two_postgres_nodes_apply_each_others_controls() {
    let Some(schema) = postgres_schema("two_postgres_nodes_apply_each_others_controls").await
    else {
        return;
    };
    let database = schema.url().to_string();
    let data = tempfile::tempdir().unwrap();
    let a = Server::on_with(data.path(), &["--database", &database]);
    let b = Server::on_with(data.path(), &["--database", &database]);
    let token = a.token().to_string();
    let (a, b) = (Node::new(&a, &token), Node::new(&b, &token));
    // A profile set through a: b applies it within its refresh time (500 ms; up to 5 s
    // allowed here, on a loaded machine).
    let observed = Some(r#"{"profile": "observed"}"#);
    assert_eq!(a.status("PUT", "/_localgraph/profile", observed).await, 200);
    let made = Instant::now();
    let patch = Some(r#"{"compliantDeviceCount": 1}"#);
    let mut b_status = 0;
    while made.elapsed() < Duration::from_secs(5) {
        b_status = b.status("PATCH", SUMMARY, patch).await;
        if b_status == 204 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(b_status, 204, "node b applies node a's profile");
    // A rule made through a, with times = 3: exactly three requests are faulted, whichever
    // node they reach.
    let rule = Some(r#"{"path": "**", "status": 503, "times": 3}"#);
    assert_eq!(a.status("POST", "/_localgraph/faults", rule).await, 201);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mut statuses = Vec::new();
    for i in 0..8 {
        let node = if i % 2 == 0 { &a } else { &b };
        statuses.push(node.status("GET", SUMMARY, None).await);
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 503).count(),
        3,
        "{statuses:?}"
    );
    assert!(statuses[6..].iter().all(|s| *s == 200), "{statuses:?}");
    // A snapshot taken through one node is restored through the other.
    let shared = Some(r#"{"displayName": "Shared"}"#);
    assert_eq!(a.status("POST", ACCOUNTS, shared).await, 201);
    let snapshot = Some(r#"{"name": "shared"}"#);
    assert_eq!(
        a.status("POST", "/_localgraph/snapshots", snapshot).await,
        201
    );
    assert_eq!(b.status("DELETE", "/_localgraph/data", None).await, 204);
    let restore = "/_localgraph/snapshots/shared/restore";
    assert_eq!(b.status("POST", restore, None).await, 200);
    assert_eq!(a.get(ACCOUNTS).await["value"][0]["displayName"], "Shared");
}
