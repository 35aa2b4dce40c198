//! The real binary as a user runs it: flags and environment, durability across restarts
//! and `kill -9`, graceful shutdown on SIGTERM.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

/// A running `localgraph serve`.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    /// Starts the binary with `args` and `env`, and waits for its "listening" line.
    fn start(args: &[&str], env: &[(&str, &Path)]) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_localgraph"));
        command
            .arg("serve")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        for (name, value) in env {
            command.env(name, value);
        }
        let mut server = Server {
            child: command.spawn().expect("the binary starts"),
            base: String::new(),
        };
        let stdout = server.child.stdout.take().expect("stdout");
        let (lines, received) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if lines.send(line).is_err() {
                    break;
                }
            }
        });
        loop {
            let line = received
                .recv_timeout(Duration::from_secs(30))
                .expect("the server prints its address within 30 s");
            if let Some(address) = line.strip_prefix("localgraph listening on ") {
                server.base = address.trim().to_string();
                return server;
            }
        }
    }

    fn on(data: &Path) -> Server {
        let data = data.to_str().expect("utf-8 temp path");
        Server::start(&["--listen", "127.0.0.1:0", "--data-dir", data], &[])
    }

    fn kill_9(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn send(method: &str, url: &str, body: Option<&str>) -> (u16, Value) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let mut request = client.request(method.parse().unwrap(), url);
    if let Some(body) = body {
        request = request
            .header("Content-Type", "application/json")
            .body(body.to_string());
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn acknowledged_writes_survive_kill_9_and_restart() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::on(data.path());
    let summaries = format!(
        "{}/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries",
        server.base
    );
    let (status, created) = send(
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
    let (status, before) = send("PATCH", &summary, Some(r#"{"errorDeviceCount": 42}"#)).await;
    assert_eq!(status, 200);
    server.kill_9();

    let server = Server::on(data.path());
    let id = created["id"].as_str().unwrap();
    let (status, read) = send(
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
    let mut server = Server::on(data.path());
    let (status, _) = send("GET", &format!("{}/healthz", server.base), None).await;
    assert_eq!(status, 200);
    let pid = server.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    for _ in 0..100 {
        if let Some(exit) = server.child.try_wait().unwrap() {
            assert!(exit.success(), "exits 0 on SIGTERM: {exit:?}");
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("still running 10 s after SIGTERM");
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
