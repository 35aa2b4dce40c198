//! Graph's wire conventions: headers, the error envelope, routing errors.

use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use crate::helpers::{TestApp, is_guid, read_until_closed};

#[tokio::test]
async fn every_response_carries_request_ids_and_a_date() {
    let app = TestApp::spawn().await;
    let plain = app
        .get("/v1.0/deviceManagement/softwareUpdateStatusSummary")
        .await;
    let request_id = plain.header("request-id").unwrap();
    assert!(is_guid(request_id));
    assert_eq!(plain.header("client-request-id"), Some(request_id));
    assert!(plain.header("date").is_some());
    // Graph's paths reach their handler in front of the router: the answer still says its
    // length, and carries Graph's diagnostic header.
    let length = plain.text.len().to_string();
    assert_eq!(plain.header("content-length"), Some(length.as_str()));
    let diagnostic: serde_json::Value =
        serde_json::from_str(plain.header("x-ms-ags-diagnostic").unwrap()).unwrap();
    assert_eq!(diagnostic["ServerInfo"]["DataCenter"], "localgraph");

    let echoed = app
        .request(
            "GET",
            "/v1.0/deviceManagement/nothing",
            None,
            &[("client-request-id", "my-correlation-id")],
        )
        .await;
    assert_eq!(
        echoed.header("client-request-id"),
        Some("my-correlation-id")
    );
    let error = echoed.json();
    let inner = &error["error"]["innerError"];
    assert_eq!(inner["client-request-id"], "my-correlation-id");
    assert_eq!(inner["request-id"], echoed.header("request-id").unwrap());
    let date = inner["date"].as_str().unwrap();
    assert_eq!(date.len(), 19, "yyyy-MM-ddTHH:mm:ss, no zone: {date}");
}

#[tokio::test]
async fn routing_errors_follow_graph() {
    let app = TestApp::spawn().await;
    let no_version = app
        .get("/deviceManagement/softwareUpdateStatusSummary")
        .await;
    assert_eq!(no_version.status, 404);
    assert_eq!(
        no_version.error(),
        (
            "ResourceNotFound".into(),
            "Invalid version: devicemanagement".into()
        )
    );

    let unknown = app
        .get("/beta/deviceManagement/softwareUpdateStatusSummary/extra")
        .await;
    assert_eq!(
        unknown.error().1,
        "Resource not found for the segment 'extra'."
    );

    let wrong_method = app
        .request(
            "PUT",
            "/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries",
            Some("{}"),
            &[],
        )
        .await;
    assert_eq!(wrong_method.status, 400);
    assert_eq!(wrong_method.error().0, "No method match route template");

    let query = app
        .get("/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries?$bogus=1")
        .await;
    assert_eq!(query.status, 400);
    assert!(query.error().1.contains("$bogus"), "{}", query.text);

    let missing = app
        .get("/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries/nope")
        .await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.error().0, "ResourceNotFound");
}

#[tokio::test]
async fn health_and_count_answer_plainly() {
    let app = TestApp::spawn().await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status, 200);
    assert_eq!(health.json()["status"], "ready");
    let count = app
        .get("/beta/deviceManagement/deviceManagementScripts/$count")
        .await;
    assert_eq!((count.status, count.text.as_str()), (200, "0"));
    assert!(
        count
            .header("content-type")
            .unwrap()
            .starts_with("text/plain")
    );
}

/// A `HEAD` of a Graph path (which answers no such method) is answered without a body, so
/// the next request on the connection is read from where it starts: the answers are
/// written by hyper, not by a router's route.
#[tokio::test]
async fn a_head_is_answered_without_a_body_and_the_connection_goes_on() {
    let app = TestApp::spawn().await;
    let path = "/v1.0/deviceManagement/softwareUpdateStatusSummary";
    let request = |method: &str, last: &str| {
        format!(
            "{method} {path} HTTP/1.1\r\nhost: localhost\r\nauthorization: Bearer {}\r\n{last}\r\n",
            app.token
        )
    };
    let mut stream = TcpStream::connect(app.base.trim_start_matches("http://"))
        .await
        .unwrap();
    let both = request("HEAD", "") + &request("GET", "connection: close\r\n");
    stream.write_all(both.as_bytes()).await.unwrap();
    let answer = read_until_closed(&mut stream, Duration::from_secs(10))
        .await
        .expect("the server closes the connection after the GET");
    let text = String::from_utf8(answer).unwrap();
    let (head, rest) = text.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 400"), "{head}");
    assert!(head.contains("content-length: "), "{head}");
    // No body between the HEAD's answer and the GET's.
    assert!(rest.starts_with("HTTP/1.1 200 OK\r\n"), "{rest}");
    let (_, body) = rest.split_once("\r\n\r\n").unwrap();
    let summary: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(summary["compliantDeviceCount"], 0);
}
