//! The log as an operator reads it: one `request` line per request (batch items too) with
//! its route template, tenant, app, status, elapsed milliseconds with two decimals, query
//! string and, for a 4xx, the reason (for a 401, which check failed), in `--log-format
//! json` and in the default text.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use common::{Server, claims, localgraph, send_with};
use serde_json::{Value, json};
use server::auth::{SigningKey, TokenSpec};

const SCRIPTS: &str = "/beta/deviceManagement/deviceManagementScripts";

/// The `request` lines of a JSON log, by route and status.
fn request_lines(log: &Path) -> HashMap<(String, u64), Value> {
    let text = std::fs::read_to_string(log).expect("the log");
    text.lines()
        .map(|line| serde_json::from_str::<Value>(line).expect("one JSON object a line"))
        .filter(|line| line["fields"]["message"] == "request")
        .map(|line| {
            let route = line["span"]["route"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let status = line["fields"]["status"].as_u64().unwrap_or_default();
            ((route, status), line)
        })
        .collect()
}

/// Whether `ms` has at most two decimals.
fn two_decimals(ms: &Value) -> bool {
    let text = ms.to_string();
    ms.is_number() && text.split_once('.').is_none_or(|(_, d)| d.len() <= 2)
}

#[tokio::test]
async fn each_request_kind_logs_one_json_line_with_its_fields() {
    let data = tempfile::tempdir().unwrap();
    let log = data.path().join("serve.log");
    let server = Server::logging_to(data.path(), &["--log-format", "json"], &log);
    let base = server.base.clone();
    let token = server.token().to_string();
    let token = token.as_str();
    let tenant = claims(token)["tid"].as_str().unwrap().to_string();
    let http = common::client();
    let list = format!("{base}{SCRIPTS}?$top=2&$filter=runAsAccount eq 'system'");
    assert_eq!(
        send_with(&http, Some(token), "GET", &list, None).await.0,
        200
    );
    // A token of another data set's key; no token; a token without the permission.
    let foreign = SigningKey::from_pem(&SigningKey::generate_pem().unwrap())
        .unwrap()
        .mint(&TokenSpec::everything(&tenant, Duration::from_secs(600)))
        .unwrap();
    let summary = format!("{base}/v1.0/deviceManagement/softwareUpdateStatusSummary");
    assert_eq!(
        send_with(&http, Some(&foreign), "GET", &summary, None)
            .await
            .0,
        401
    );
    let dir = data.path().to_str().unwrap();
    let (ok, apps_only, err) = localgraph(
        &[
            "token",
            "--tenant",
            &tenant,
            "--scope",
            "DeviceManagementApps.Read.All",
            "--data-dir",
            dir,
        ],
        &[],
    );
    assert!(ok, "{err}");
    let script = format!("{base}{SCRIPTS}/{}", uuid::Uuid::new_v4());
    assert_eq!(
        send_with(&http, Some(apps_only.trim()), "GET", &script, None)
            .await
            .0,
        403
    );
    let unknown = format!("{base}/beta/deviceManagement/noSuchThing");
    assert_eq!(
        send_with(&http, Some(token), "GET", &unknown, None).await.0,
        400
    );
    let batch = json!({"requests": [{"id": "1", "method": "GET", "url": "deviceManagement/deviceManagementScripts/$count"}]});
    let batch_url = format!("{base}/beta/$batch");
    let (status, _) = send_with(
        &http,
        Some(token),
        "POST",
        &batch_url,
        Some(&batch.to_string()),
    )
    .await;
    assert_eq!(status, 200);
    let token_url = format!("{base}/{tenant}/oauth2/v2.0/token");
    let (status, _) = send_with(&http, None, "GET", &token_url, None).await;
    assert_eq!(status, 400);
    server.stop();

    let lines = request_lines(&log);
    let line = |route: &str, status: u64| {
        lines
            .get(&(route.to_string(), status))
            .unwrap_or_else(|| panic!("no {status} line for {route}: {:?}", lines.keys()))
            .clone()
    };
    let read = line(SCRIPTS, 200);
    let span = &read["span"];
    assert_eq!(span["tenant"], tenant.as_str());
    assert_eq!(span["app"], claims(token)["appid"]);
    // As the client sent it (reqwest escapes the quotes).
    assert_eq!(
        span["query"],
        "$top=2&$filter=runAsAccount%20eq%20%27system%27"
    );
    assert_eq!(span["method"], "GET");
    assert!(uuid::Uuid::try_parse(span["request_id"].as_str().unwrap()).is_ok());
    assert!(two_decimals(&read["fields"]["elapsed_ms"]), "{read}");
    assert!(span["reason"].is_null(), "a 200 has no reason: {read}");

    let refused = line("/v1.0/deviceManagement/softwareUpdateStatusSummary", 401);
    assert_eq!(
        refused["span"]["reason"],
        "InvalidAuthenticationToken (unknown signing key): Access token validation failure."
    );
    assert!(
        refused["span"]["tenant"].is_null(),
        "no verified tenant: {refused}"
    );
    let forbidden = line("/beta/deviceManagement/deviceManagementScripts/{id}", 403);
    let reason = forbidden["span"]["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("Forbidden: Application is not authorized"),
        "{reason}"
    );
    assert!(
        forbidden["span"]["path"]
            .as_str()
            .unwrap()
            .ends_with(script.rsplit('/').next().unwrap())
    );
    let bad = line("/beta/(unknown)", 400);
    assert_eq!(
        bad["span"]["reason"],
        "BadRequest: Resource not found for the segment 'noSuchThing'."
    );
    // The batch and its item: a line each, the item's with its own request id.
    let outer = line("/beta/$batch", 200);
    let item = line("/beta/deviceManagement/deviceManagementScripts/$count", 200);
    assert_ne!(outer["span"]["request_id"], item["span"]["request_id"]);
    assert_eq!(item["span"]["tenant"], tenant.as_str());
    let authority = line("/{tenant}/oauth2/v2.0/token", 400);
    let reason = authority["span"]["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("invalid_request AADSTS900561"),
        "{reason}"
    );
}

#[tokio::test]
async fn the_text_log_has_the_same_fields_on_one_line() {
    let data = tempfile::tempdir().unwrap();
    let log = data.path().join("serve.log");
    let server = Server::logging_to(data.path(), &[], &log);
    let url = format!("{}{SCRIPTS}?$top=1", server.base);
    let http = common::client();
    assert_eq!(
        send_with(&http, Some(server.token()), "GET", &url, None)
            .await
            .0,
        200
    );
    server.stop();
    let text = std::fs::read_to_string(&log).unwrap();
    // Written by a thread of their own, and every one of them by the time the server
    // has stopped: the last line is its last.
    assert!(
        text.lines()
            .last()
            .unwrap_or_default()
            .ends_with("localgraph::serve: stopped"),
        "{text}"
    );
    let line = text
        .lines()
        .find(|l| l.contains(r#"route="/beta/deviceManagement/deviceManagementScripts""#))
        .unwrap_or_else(|| panic!("no request line:\n{text}"));
    for field in [
        "request_id=",
        "tenant=",
        "app=",
        r#"query="$top=1""#,
        "status=200",
    ] {
        assert!(line.contains(field), "{field} in {line}");
    }
    let elapsed = line.rsplit("elapsed_ms=").next().unwrap().trim();
    assert!(
        elapsed.parse::<f64>().is_ok() && elapsed.split_once('.').is_none_or(|(_, d)| d.len() <= 2),
        "{line}"
    );
}

/// At `debug` the log shows the checkpoints writes ask for, not the idle pass a server
/// runs once a second whether or not anything was written.
#[tokio::test]
async fn an_idle_server_logs_no_checkpoint_lines_at_debug() {
    let data = tempfile::tempdir().unwrap();
    let log = data.path().join("serve.log");
    let server = Server::logging_at(data.path(), &[], &log, Some("debug"));
    // Three idle passes (one a second).
    tokio::time::sleep(Duration::from_millis(3500)).await;
    server.stop();
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("DEBUG"), "the log is at debug:\n{text}");
    let checkpoints = text.lines().filter(|l| l.contains("SQLite checkpoint"));
    assert_eq!(checkpoints.count(), 0, "{text}");
}

/// A client that puts a secret or a token in the URL leaves neither in the log: the
/// query is logged with their values redacted.
#[tokio::test]
async fn secrets_in_a_query_never_reach_the_log() {
    let data = tempfile::tempdir().unwrap();
    let log = data.path().join("serve.log");
    let server = Server::logging_to(data.path(), &["--log-format", "json"], &log);
    let token = server.token().to_string();
    let tenant = claims(&token)["tid"].as_str().unwrap().to_string();
    let http = common::client();
    let secret = "Zq8~not-for-logs-7f3a";
    let token_url = format!(
        "{}/{tenant}/oauth2/v2.0/token?grant_type=client_credentials&client_id=app&client_secret={secret}&scope=x",
        server.base
    );
    let (status, _) = send_with(&http, None, "POST", &token_url, None).await;
    assert_eq!(status, 400);
    let read = format!(
        "{}/v1.0/deviceManagement/softwareUpdateStatusSummary?access_token={token}",
        server.base
    );
    assert_eq!(
        send_with(&http, Some(&token), "GET", &read, None).await.0,
        200
    );
    server.stop();
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!text.contains(secret), "the secret is in the log:\n{text}");
    assert!(!text.contains(&token), "the token is in the log:\n{text}");
    let lines = request_lines(&log);
    let query =
        |route: &str, status: u64| lines[&(route.to_string(), status)]["span"]["query"].clone();
    assert_eq!(
        query("/{tenant}/oauth2/v2.0/token", 400),
        "grant_type=client_credentials&client_id=app&client_secret=REDACTED&scope=x"
    );
    assert_eq!(
        query("/v1.0/deviceManagement/softwareUpdateStatusSummary", 200),
        "access_token=REDACTED"
    );
}
