//! Every refusal in Graph's error shape, including what the HTTP layer answers before any
//! route runs, and the authority's refusals in Entra ID's shape.

use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::TestApp;

/// Sends raw bytes and reads the answer until the server closes: (status, head, body).
async fn raw(app: &TestApp, request: &[u8]) -> (u16, String, String) {
    let mut stream = TcpStream::connect(app.base.trim_start_matches("http://"))
        .await
        .unwrap();
    // The server may answer and close before it has read everything: ignore that.
    let _ = stream.write_all(request).await;
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer));
    let _ = read.await.expect("the server answers and closes");
    let text = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("a response head");
    let status = head[9..12].parse().unwrap();
    (status, head.to_ascii_lowercase(), body.to_string())
}

fn graph_code(head: &str, body: &str) -> String {
    assert!(head.contains("content-type: application/json"), "{head}");
    assert!(head.contains("request-id: "), "{head}");
    let json: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"));
    assert!(
        json["error"]["innerError"]["request-id"].is_string(),
        "{body}"
    );
    json["error"]["code"].as_str().unwrap().to_string()
}

/// A refusal's status, Graph's `code`, and its head (lower-cased).
async fn refusal(app: &TestApp, request: &str) -> (u16, String, String) {
    let (status, head, body) = raw(app, request.as_bytes()).await;
    let code = graph_code(&head, &body);
    (status, code, head)
}

/// A `GET` of a request target of `bytes` bytes or so.
fn long_target(bytes: usize) -> String {
    format!(
        "GET /v1.0/{} HTTP/1.1\r\nHost: x\r\n\r\n",
        "a".repeat(bytes)
    )
}

/// A 414 or 431 states the limit the service keeps (32 KiB of target, 64 KiB of
/// headers), whether the service refuses the request or hyper, whose own limits are
/// higher, does.
#[tokio::test]
async fn size_refusals_state_the_services_limits() {
    let app = TestApp::spawn().await;
    for (request, expected) in [
        (
            long_target(40_000),
            "The request URI is longer than the 32768 bytes this service accepts.",
        ),
        (
            long_target(70_000),
            "The request URI is longer than the 32768 bytes this service accepts.",
        ),
        (
            big_header(100_000),
            "The request headers are larger than the 65536 bytes this service accepts.",
        ),
        (
            big_header(500_000),
            "The request headers are larger than the 65536 bytes this service accepts.",
        ),
    ] {
        let (_, _, body) = raw(&app, request.as_bytes()).await;
        let json: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
        assert_eq!(
            json["error"]["message"],
            expected,
            "{} bytes",
            request.len()
        );
    }
}

/// A `GET /healthz` with a header of `bytes` bytes.
fn big_header(bytes: usize) -> String {
    format!(
        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "b".repeat(bytes)
    )
}

#[tokio::test]
async fn what_hyper_refuses_comes_in_graphs_shape() {
    let app = TestApp::spawn().await;
    let (status, code, _) = refusal(&app, "GARBAGE\r\n\r\n").await;
    assert_eq!((status, code.as_str()), (400, "BadRequest"));
    let (status, code, _) = refusal(&app, &long_target(70_000)).await;
    assert_eq!((status, code.as_str()), (414, "RequestUriTooLong"));
    let (status, code, _) = refusal(&app, &big_header(500_000)).await;
    assert_eq!(
        (status, code.as_str()),
        (431, "RequestHeaderFieldsTooLarge")
    );
    assert_eq!(app.get("/healthz").await.status, 200);
}

/// The server's own limits (a request target past 32 KB, headers past 64 KB, both within
/// what hyper reads) refuse in the same shape and, like hyper's refusals, close the
/// connection: a client reading to the end is not left waiting.
#[tokio::test]
async fn the_servers_own_size_refusals_close_the_connection() {
    let app = TestApp::spawn().await;
    let (status, code, head) = refusal(&app, &long_target(40_000)).await;
    assert_eq!((status, code.as_str()), (414, "RequestUriTooLong"));
    assert!(head.contains("connection: close"), "{head}");
    let (status, code, head) = refusal(&app, &big_header(100_000)).await;
    assert_eq!(
        (status, code.as_str()),
        (431, "RequestHeaderFieldsTooLarge")
    );
    assert!(head.contains("connection: close"), "{head}");
}

/// Checks Entra ID's error shape and returns the body.
fn assert_entra_error(status: u16, text: &str, expected: (u16, &str, u64)) -> Value {
    let body: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_eq!(
        (status, body["error"].as_str().unwrap_or_default()),
        (expected.0, expected.1),
        "{text}"
    );
    assert_eq!(body["error_codes"], serde_json::json!([expected.2]));
    let timestamp = body["timestamp"].as_str().unwrap();
    assert!(
        timestamp.len() == 20 && &timestamp[10..11] == " " && timestamp.ends_with('Z'),
        "Entra ID's timestamp form (2016-01-09 02:02:12Z): {timestamp}"
    );
    let description = body["error_description"].as_str().unwrap();
    let expected_tail = format!(
        "\r\nTrace ID: {}\r\nCorrelation ID: {}\r\nTimestamp: {timestamp}",
        body["trace_id"].as_str().unwrap(),
        body["correlation_id"].as_str().unwrap()
    );
    assert!(
        description.starts_with(&format!("AADSTS{}: ", expected.2))
            && description.ends_with(&expected_tail),
        "{description:?}"
    );
    body
}

#[tokio::test]
async fn the_authority_refuses_in_entra_ids_shape() {
    let app = TestApp::spawn().await;
    let token_url = format!("{}/contoso.example/oauth2/v2.0/token", app.base);
    let client = reqwest::Client::new();
    let big = client
        .post(&token_url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(vec![b'a'; 3 * 1024 * 1024])
        .send()
        .await
        .unwrap();
    let status = big.status().as_u16();
    assert_entra_error(
        status,
        &big.text().await.unwrap(),
        (413, "invalid_request", 90100),
    );

    let get = client.get(&token_url).send().await.unwrap();
    let status = get.status().as_u16();
    let body = assert_entra_error(
        status,
        &get.text().await.unwrap(),
        (400, "invalid_request", 900561),
    );
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("Received a GET request"),
        "{body}"
    );

    let keys = client
        .get(format!("{}/%FF/discovery/v2.0/keys", app.base))
        .send()
        .await
        .unwrap();
    let status = keys.status().as_u16();
    assert_entra_error(
        status,
        &keys.text().await.unwrap(),
        (400, "invalid_tenant", 90002),
    );
}
