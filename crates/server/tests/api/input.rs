//! One input rule on every backend (this suite runs on SQLite and PostgreSQL): NUL
//! characters, escapes that are not UTF-8 and repeated JSON properties are refused with
//! Graph's 400, naming the property, option or segment, before anything is stored.

use crate::helpers::{Reply, TestApp};

const MACS: &str = "/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries";
const SUMMARY: &str = "/v1.0/deviceManagement/softwareUpdateStatusSummary";

fn assert_refused(reply: &Reply, code: &str, mentions: &[&str]) {
    assert_eq!(reply.status, 400, "{}", reply.text);
    let (found, message) = reply.error();
    assert_eq!(found, code, "{}", reply.text);
    for part in mentions {
        assert!(message.contains(part), "{message:?} does not name {part:?}");
    }
}

#[tokio::test]
async fn nul_characters_are_refused_wherever_they_come_from() {
    let app = TestApp::spawn().await;
    let created = app.post(MACS, r#"{"displayName": "a\u0000b"}"#).await;
    assert_refused(
        &created,
        "ModelValidationFailure",
        &["'displayName'", "NUL character"],
    );
    let patched = app.patch(SUMMARY, r#"{"displayName": "\u0000"}"#).await;
    assert_refused(&patched, "ModelValidationFailure", &["'displayName'"]);
    let filtered = app
        .get(&format!("{MACS}?$filter=displayName eq 'a%00b'"))
        .await;
    assert_refused(&filtered, "BadRequest", &["'$filter'", "NUL character"]);
    let keyed = app.get(&format!("{MACS}/a%00b")).await;
    assert_refused(&keyed, "BadRequest", &["'a%00b'", "NUL character"]);
    // Nothing was stored, and the data set still answers.
    let listed = app.get(MACS).await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    assert_eq!(listed.json()["value"], serde_json::json!([]));
}

#[tokio::test]
async fn escapes_that_are_not_utf8_are_refused() {
    let app = TestApp::spawn().await;
    let filtered = app
        .get(&format!("{MACS}?$filter=displayName eq '%FF%FE'"))
        .await;
    assert_refused(&filtered, "BadRequest", &["$filter", "'%FF'", "UTF-8"]);
    let keyed = app.get(&format!("{MACS}/%C3%28")).await;
    assert_refused(&keyed, "BadRequest", &["'%C3%28'", "UTF-8"]);
}

#[tokio::test]
async fn a_property_named_twice_is_refused_with_odatalibs_message() {
    let app = TestApp::spawn().await;
    let twice = app
        .post(MACS, r#"{"displayName": "a", "displayName": "b"}"#)
        .await;
    assert_refused(
        &twice,
        "ModelValidationFailure",
        &["Multiple properties with the name 'displayName' were detected"],
    );
    let script = app.create_script().await;
    let nested = app
        .post(
            &format!("/beta/deviceManagement/deviceManagementScripts/{script}/assignments"),
            r##"{"target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": "g", "groupId": "h"}}"##,
        )
        .await;
    assert_refused(
        &nested,
        "ModelValidationFailure",
        &["Multiple properties with the name 'groupId'"],
    );
    let batch = app
        .post(
            "/beta/$batch",
            r#"{"requests": [{"id": "1", "method": "GET", "url": "/deviceManagement/macOSSoftwareUpdateAccountSummaries"}], "requests": []}"#,
        )
        .await;
    assert_refused(&batch, "ModelValidationFailure", &["'requests'"]);
    assert_eq!(app.get(MACS).await.json()["value"], serde_json::json!([]));
}

/// A body that starts with a UTF-8 byte order mark, as Windows PowerShell 5.1 sends one,
/// is read as the JSON after it (RFC 8259 §8.1), `$batch` and the control API included.
#[tokio::test]
async fn a_leading_byte_order_mark_is_skipped() {
    let app = TestApp::spawn().await;
    let bom = "\u{feff}";
    let patched = app
        .patch(
            SUMMARY,
            &format!(r#"{bom}{{"displayName": "From PowerShell"}}"#),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(patched.json()["displayName"], "From PowerShell");
    let batch = format!(
        r#"{bom}{{"requests": [{{"id": "1", "method": "GET", "url": "/deviceManagement/softwareUpdateStatusSummary"}}]}}"#
    );
    let answered = app.post("/v1.0/$batch", &batch).await;
    assert_eq!(answered.status, 200, "{}", answered.text);
    let item = &answered.json()["responses"][0];
    assert_eq!(item["status"], 200, "{item}");
    assert_eq!(item["body"]["displayName"], "From PowerShell");
    let snapshot = app
        .post(
            "/_localgraph/snapshots",
            &format!(r#"{bom}{{"name": "bom"}}"#),
        )
        .await;
    assert_eq!(snapshot.status, 201, "{}", snapshot.text);
}
