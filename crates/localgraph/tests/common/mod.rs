//! The real binary as a user runs it: a `serve` process and one-shot commands.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

/// A running `localgraph serve`.
pub struct Server {
    pub child: Child,
    /// `http://127.0.0.1:<port>` (or `https://`).
    pub base: String,
    /// The token printed at start (auth on).
    pub token: Option<String>,
    /// The CA certificate path printed at start (`--tls`).
    pub ca: Option<PathBuf>,
    /// Everything printed up to the `try:` line.
    pub output: Vec<String>,
}

impl Server {
    /// Starts the binary with `args` and `env`, and reads its start-up lines.
    pub fn start(args: &[&str], env: &[(&str, &Path)]) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_localgraph"));
        command.arg("serve").args(args);
        for (name, value) in env {
            command.env(name, value);
        }
        Server::launch(command)
    }

    /// Starts `command` (a `serve` command line, possibly under a wrapper such as
    /// `prlimit`) and reads its start-up lines.
    pub fn launch(mut command: Command) -> Server {
        command.stderr(Stdio::null());
        Server::started(command)
    }

    /// `serve --listen 127.0.0.1:0 --data-dir DATA` plus `args`, its log (stderr) going
    /// to the file `log`, at the default level.
    pub fn logging_to(data: &Path, args: &[&str], log: &Path) -> Server {
        Server::logging_at(data, args, log, None)
    }

    /// As [`Server::logging_to`], with `RUST_LOG` set to `filter` (`None`: the default level).
    pub fn logging_at(data: &Path, args: &[&str], log: &Path, filter: Option<&str>) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_localgraph"));
        let data = data.to_str().expect("utf-8 temp path");
        command
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir", data])
            .args(args)
            // The default level unless asked: a test reads the lines it logs.
            .env_remove("RUST_LOG")
            .stderr(std::fs::File::create(log).expect("a log file"));
        if let Some(filter) = filter {
            command.env("RUST_LOG", filter);
        }
        Server::started(command)
    }

    /// Spawns `command` (its stderr set) and reads its start-up lines.
    fn started(mut command: Command) -> Server {
        command.stdout(Stdio::piped());
        let mut server = Server {
            child: command.spawn().expect("the binary starts"),
            base: String::new(),
            token: None,
            ca: None,
            output: Vec::new(),
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
                .expect("the server prints its start-up lines within 30 s");
            server.output.push(line.clone());
            if let Some(address) = line.strip_prefix("localgraph listening on ") {
                server.base = address.trim().to_string();
            } else if line.starts_with("  token") {
                server.token = line.split_whitespace().last().map(str::to_string);
            } else if let Some(path) = line.strip_prefix("  CA certificate: ") {
                server.ca = Some(PathBuf::from(path.trim()));
            } else if line.starts_with("  try:") {
                return server;
            }
        }
    }

    /// `serve --listen 127.0.0.1:0 --data-dir DATA` plus `args`.
    pub fn on_with(data: &Path, args: &[&str]) -> Server {
        let data = data.to_str().expect("utf-8 temp path");
        let mut all = vec!["--listen", "127.0.0.1:0", "--data-dir", data];
        all.extend_from_slice(args);
        Server::start(&all, &[])
    }

    /// `serve --listen 127.0.0.1:0 --data-dir DATA`.
    pub fn on(data: &Path) -> Server {
        Server::on_with(data, &[])
    }

    /// The start-up token.
    pub fn token(&self) -> &str {
        self.token.as_deref().expect("serve printed a token")
    }

    /// Stops the server as an operator does (SIGTERM) and waits for it to exit: its log
    /// is then complete. Panics unless it exits 0 within 10 s. (`serve` handles SIGTERM
    /// once it serves: call this after it has answered a request.)
    pub fn stop(mut self) {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status();
        assert!(sent.expect("kill runs").success(), "SIGTERM sent");
        for _ in 0..100 {
            if let Some(exit) = self.child.try_wait().expect("the child's status") {
                assert!(exit.success(), "exits 0 on SIGTERM: {exit:?}");
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("still running 10 s after SIGTERM");
    }

    pub fn kill_9(mut self) {
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

/// Runs `localgraph ARGS` to completion: (success, stdout, stderr).
pub fn localgraph(args: &[&str], env: &[(&str, &Path)]) -> (bool, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_localgraph"));
    command.args(args).env_remove("LOCALGRAPH_DATA_DIR");
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().expect("the binary runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Installs ring as rustls' provider: reqwest is built with rustls and no provider of its
/// own (no aws-lc build), and panics without one.
pub fn install_ring() {
    let _ = tokio_rustls::rustls::crypto::ring::default_provider().install_default();
}

/// A plain-HTTP client with a timeout.
pub fn client() -> reqwest::Client {
    install_ring();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// Sends a request with an optional bearer token: (status, JSON body or Null).
pub async fn send_with(
    client: &reqwest::Client,
    token: Option<&str>,
    method: &str,
    url: &str,
    body: Option<&str>,
) -> (u16, Value) {
    let mut request = client.request(method.parse().unwrap(), url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
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

/// Sends a request with `token` over plain HTTP.
pub async fn send(token: &str, method: &str, url: &str, body: Option<&str>) -> (u16, Value) {
    send_with(&client(), Some(token), method, url, body).await
}

/// The claims of a JWT, unverified.
pub fn claims(token: &str) -> Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).expect("a JWT");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON claims")
}

/// A fresh schema in `TEST_DATABASE_URL`'s PostgreSQL database (its URL: `.url()`),
/// dropped with the guard; `None` (with a notice) when the variable is unset, so the caller
/// skips. Declare it before the servers that use it: they are stopped (dropped) first.
pub async fn postgres_schema(test: &str) -> Option<store::ScratchSchema> {
    let Some(base) = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        println!("skipping {test}: TEST_DATABASE_URL is not set (.ci/run sets it)");
        return None;
    };
    Some(
        store::ScratchSchema::create(&base, "lg_process")
            .await
            .expect("a schema in TEST_DATABASE_URL"),
    )
}

/// Sends a request and returns (status, headers, JSON body or Null).
pub async fn exchange(
    client: &reqwest::Client,
    token: &str,
    method: &str,
    url: &str,
    body: Option<&str>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut request = client
        .request(method.parse().unwrap(), url)
        .bearer_auth(token);
    if let Some(body) = body {
        request = request
            .header("Content-Type", "application/json")
            .body(body.to_string());
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    (
        status,
        headers,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}
