//! A body must be declared as `application/json` (with any parameters, a UTF-8 charset at
//! most), on Graph's writes, `$batch` and each of its requests: another media type or
//! charset is ODataLib's 415 and writes nothing.

use crate::helpers::{Reply, TestApp};

const SUMMARY: &str = "/v1.0/deviceManagement/softwareUpdateStatusSummary";
const BODY: &str = r#"{"displayName": "typed"}"#;

fn assert_unsupported(reply: &Reply, message: &str) {
    assert_eq!(reply.status, 415, "{}", reply.text);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    let (code, found) = reply.error();
    assert_eq!(code, "RequestBodyRead", "{}", reply.text);
    assert_eq!(found, message);
}

#[tokio::test]
async fn only_application_json_in_utf8_is_read() {
    let app = TestApp::spawn().await;
    for content_type in [
        "application/json",
        "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8",
        "Application/JSON; charset=\"UTF-8\"",
        "application/json; charset=utf8",
    ] {
        let reply = app
            .request(
                "PATCH",
                SUMMARY,
                Some(BODY),
                &[("Content-Type", content_type)],
            )
            .await;
        assert_eq!(reply.status, 200, "{content_type}: {}", reply.text);
    }
    for content_type in [
        "application/jsonx",
        "text/plain",
        "application/json-patch+json",
    ] {
        let reply = app
            .request(
                "PATCH",
                SUMMARY,
                Some(r#"{"displayName": "not read"}"#),
                &[("Content-Type", content_type)],
            )
            .await;
        assert_unsupported(
            &reply,
            &format!(
                "A supported MIME type could not be found that matches the content type of the response. None of the supported type(s) 'application/json' matches the content type '{content_type}'."
            ),
        );
    }
    for (content_type, charset) in [
        ("application/json; charset=iso-8859-1", "iso-8859-1"),
        ("application/json;charset=\"utf-16\"", "utf-16"),
    ] {
        let reply = app
            .request(
                "POST",
                "/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries",
                Some(r#"{"displayName": "Caf\u00e9"}"#),
                &[("Content-Type", content_type)],
            )
            .await;
        assert_unsupported(
            &reply,
            &format!("The character set '{charset}' is not supported."),
        );
    }
    assert_eq!(app.get(SUMMARY).await.json()["displayName"], "typed");
    let macs = app
        .get("/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries")
        .await;
    assert_eq!(macs.json()["value"], serde_json::json!([]));
}

#[tokio::test]
async fn a_batch_and_each_of_its_requests_are_checked_alike() {
    let app = TestApp::spawn().await;
    let outer = app
        .request(
            "POST",
            "/v1.0/$batch",
            Some(r#"{"requests": [{"id": "1", "method": "GET", "url": "/deviceManagement/softwareUpdateStatusSummary"}]}"#),
            &[("Content-Type", "application/jsonx")],
        )
        .await;
    assert_eq!(outer.status, 415, "{}", outer.text);
    let batch = r#"{"requests": [
        {"id": "1", "method": "PATCH", "url": "/deviceManagement/softwareUpdateStatusSummary",
         "headers": {"Content-Type": "text/plain"}, "body": {"displayName": "one"}},
        {"id": "2", "method": "PATCH", "url": "/deviceManagement/softwareUpdateStatusSummary",
         "headers": {"Content-Type": "application/json; charset=iso-8859-1"}, "body": {"displayName": "two"}},
        {"id": "3", "method": "PATCH", "url": "/deviceManagement/softwareUpdateStatusSummary",
         "headers": {"Content-Type": "application/json; charset=utf-8"}, "body": {"displayName": "three"}}
    ]}"#;
    let reply = app.post("/v1.0/$batch", batch).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let responses = reply.json()["responses"].clone();
    for (index, status, code) in [(0, 415, "RequestBodyRead"), (1, 415, "RequestBodyRead")] {
        assert_eq!(responses[index]["status"], status, "{responses}");
        assert_eq!(responses[index]["body"]["error"]["code"], code);
    }
    assert_eq!(responses[2]["status"], 200, "{responses}");
    assert_eq!(app.get(SUMMARY).await.json()["displayName"], "three");
}
