//! PostgreSQL stopped and started again under a running node: while it is down the node
//! says so (`/healthz` 503, writes 503 with `Retry-After`), and once it is back the node
//! serves again by itself. Stops a local cluster, so it runs only when
//! `LOCALGRAPH_TEST_PG_RESTART` names it (`15/main`: version and name, as `pg_ctlcluster`
//! takes them; CI sets it) and `TEST_DATABASE_URL` points into it. A test binary of its
//! own: no other test of this crate runs while the database is down.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{Server, client, exchange, postgres_schema};

/// A local PostgreSQL cluster, by version and name (`15/main`).
struct Cluster(String);

impl Cluster {
    fn run(&self, action: &str) {
        let status = Command::new("pg_ctlcluster")
            .args([self.0.as_str(), action])
            .status()
            .expect("pg_ctlcluster runs");
        assert!(
            status.success(),
            "pg_ctlcluster {} {action}: {status}",
            self.0
        );
    }
}

/// Starts the cluster again when dropped, even by a panic.
struct StartOnDrop<'a>(&'a Cluster);

impl Drop for StartOnDrop<'_> {
    fn drop(&mut self) {
        self.0.run("start");
    }
}

#[tokio::test]
async fn a_node_serves_again_after_postgres_restarts() {
    let Ok(cluster) = std::env::var("LOCALGRAPH_TEST_PG_RESTART").map(Cluster) else {
        println!(
            "skipping a_node_serves_again_after_postgres_restarts: set LOCALGRAPH_TEST_PG_RESTART=15/main to let it restart that local PostgreSQL cluster"
        );
        return;
    };
    let Some(schema) = postgres_schema("a_node_serves_again_after_postgres_restarts").await else {
        return;
    };
    let url = schema.url().to_string();
    let data = tempfile::tempdir().unwrap();
    let node = Server::on_with(data.path(), &["--database", &url]);
    let token = node.token().to_string();
    let http = client();
    let summaries = format!(
        "{}/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries",
        node.base
    );
    let (status, _, created) = exchange(
        &http,
        &token,
        "POST",
        &summaries,
        Some(r#"{"displayName":"Before"}"#),
    )
    .await;
    assert_eq!(status, 201);
    let health = format!("{}/healthz", node.base);

    cluster.run("stop");
    let restart = StartOnDrop(&cluster);
    let (health_status, _, health_body) = exchange(&http, &token, "GET", &health, None).await;
    let (write_status, headers, write_body) = exchange(
        &http,
        &token,
        "POST",
        &summaries,
        Some(r#"{"displayName":"While down"}"#),
    )
    .await;
    // Start the cluster again before checking anything, so a failure leaves it running.
    drop(restart);
    assert_eq!(
        (health_status, health_body["database"].as_str()),
        (503, Some("unreachable"))
    );
    assert_eq!(
        (write_status, write_body["error"]["code"].as_str()),
        (503, Some("ServiceUnavailable"))
    );
    assert_eq!(
        headers.get("retry-after").and_then(|v| v.to_str().ok()),
        Some("2")
    );

    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (status, _, _) = exchange(&http, &token, "GET", &health, None).await;
        if status == 200 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not ready 60 s after the restart"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let id = created["id"].as_str().unwrap();
    let (status, _, read) =
        exchange(&http, &token, "GET", &format!("{summaries}/{id}"), None).await;
    assert_eq!(
        (status, read["displayName"].as_str()),
        (200, Some("Before"))
    );
    let (status, _, _) = exchange(
        &http,
        &token,
        "POST",
        &summaries,
        Some(r#"{"displayName":"After"}"#),
    )
    .await;
    assert_eq!(status, 201);
    let (_, _, list) = exchange(
        &http,
        &token,
        "GET",
        &format!("{summaries}?$count=true"),
        None,
    )
    .await;
    assert_eq!(
        list["@odata.count"], 2,
        "the write while down did not happen: {list}"
    );
}
