//! Messages quote a literal as the client wrote it, as ODataLib's do (`1e2`, not
//! `100.0`), in a body, a `$batch` request's body and `$filter`; `-0` is ODataLib's
//! integer 0.

use crate::helpers::TestApp;

const SUMMARY: &str = "/v1.0/deviceManagement/softwareUpdateStatusSummary";
const MACS: &str = "/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries";

#[tokio::test]
async fn a_body_number_is_quoted_as_written() {
    let app = TestApp::spawn().await;
    for (body, quoted) in [
        (
            r#"{"compliantDeviceCount": 1e2}"#,
            "Cannot convert the literal '1e2' to the expected type 'Edm.Int32' of the property 'compliantDeviceCount'.",
        ),
        (
            r#"{"compliantDeviceCount": 1.50}"#,
            "Cannot convert the literal '1.50' to the expected type 'Edm.Int32'",
        ),
        (
            r#"{"compliantDeviceCount": -0.0}"#,
            "Cannot convert the literal '-0.0' to the expected type 'Edm.Int32'",
        ),
        (
            r#"{"displayName": 2.50E+1}"#,
            "Cannot convert the literal '2.50E+1' to the expected type 'Edm.String' of the property 'displayName'.",
        ),
        // The seeds' placeholder: as before.
        (
            r#"{"compliantDeviceCount": "Integer"}"#,
            "Cannot convert the literal 'Integer' to the expected type 'Edm.Int32' of the property 'compliantDeviceCount'.",
        ),
    ] {
        let reply = app.patch(SUMMARY, body).await;
        assert_eq!(reply.status, 400, "{body}: {}", reply.text);
        let (code, message) = reply.error();
        assert_eq!(code, "ModelValidationFailure", "{body}");
        assert!(message.contains(quoted), "{body}: {message}");
    }
    // ODataLib reads `-0` as the Int32 0.
    let zero = app.patch(SUMMARY, r#"{"compliantDeviceCount": -0}"#).await;
    assert_eq!(zero.status, 200, "{}", zero.text);
    assert_eq!(zero.json()["compliantDeviceCount"], 0);
}

#[tokio::test]
async fn a_batch_request_body_keeps_its_numbers_as_written() {
    let app = TestApp::spawn().await;
    let batch = r#"{"requests": [
        {"id": "1", "method": "PATCH", "url": "/deviceManagement/softwareUpdateStatusSummary",
         "headers": {"Content-Type": "application/json"}, "body": {"compliantDeviceCount": 1e2}},
        {"id": "2", "method": "PATCH", "url": "/deviceManagement/softwareUpdateStatusSummary",
         "headers": {"Content-Type": "application/json"}, "body": {"unknownDeviceCount": -0, "displayName": "x"}}
    ]}"#;
    let reply = app.post("/v1.0/$batch", batch).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let responses = reply.json()["responses"].clone();
    assert_eq!(responses[0]["status"], 400, "{responses}");
    let message = responses[0]["body"]["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("Cannot convert the literal '1e2' to the expected type 'Edm.Int32'"),
        "{message}"
    );
    assert_eq!(responses[1]["status"], 200, "{responses}");
    assert_eq!(responses[1]["body"]["unknownDeviceCount"], 0);
}

#[tokio::test]
async fn a_filter_literal_is_quoted_as_written() {
    let app = TestApp::spawn().await;
    for (filter, quoted) in [
        ("failedUpdateCount%20eq%201%201e2", "unexpected 1e2 after"),
        ("failedUpdateCount%20eq%201%201.50", "unexpected 1.50 after"),
        (
            "failedUpdateCount%20eq%201%202024-01-01T00:00:00%2B02:00",
            "unexpected 2024-01-01T00:00:00+02:00 after",
        ),
    ] {
        let reply = app.get(&format!("{MACS}?$filter={filter}")).await;
        assert_eq!(reply.status, 400, "{filter}: {}", reply.text);
        let (code, message) = reply.error();
        assert_eq!(code, "BadRequest");
        assert!(message.contains(quoted), "{filter}: {message}");
    }
}
