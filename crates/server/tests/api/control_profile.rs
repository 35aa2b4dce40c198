//! The observed profile's differences from the documented one, one by one, per tenant.

use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, spec};

const SUMMARY: &str = "/v1.0/deviceManagement/softwareUpdateStatusSummary";
const ACCOUNTS: &str = "/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries";

async fn observe(session: &Session) {
    let reply = session
        .request(
            "PUT",
            "/_localgraph/profile",
            Some(r#"{"profile": "observed"}"#),
            &[],
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json(), json!({"profile": "observed"}));
}

/// The Intune document inside an error's message.
fn intune_document(body: &Value) -> Value {
    let message = body["error"]["message"].as_str().expect("a message");
    assert!(message.starts_with("{\r\n  \"_version\": 3,"), "{message}");
    serde_json::from_str(message).expect("the message is a JSON document")
}

#[tokio::test]
async fn the_profile_is_per_tenant_and_documented_by_default() {
    let app = TestApp::spawn().await;
    assert_eq!(
        app.get("/_localgraph/profile").await.json(),
        json!({"profile": "documented"})
    );
    observe(&app).await;
    assert_eq!(
        app.get("/_localgraph/profile").await.json(),
        json!({"profile": "observed"})
    );
    let (_, other) = app.other_tenant();
    assert_eq!(
        other.get("/_localgraph/profile").await.json(),
        json!({"profile": "documented"})
    );
    assert_eq!(
        other
            .patch(SUMMARY, r#"{"compliantDeviceCount": 1}"#)
            .await
            .status,
        200
    );
    for bad in [
        r#"{"profile": "real"}"#,
        r#"{}"#,
        r#"{"profile": "observed", "x": 1}"#,
        r#"{"profile": 1}"#,
    ] {
        let reply = app
            .request("PUT", "/_localgraph/profile", Some(bad), &[])
            .await;
        assert_eq!(reply.status, 400, "{bad}");
    }
}

#[tokio::test]
async fn patch_answers_204_unless_a_representation_is_asked_for() {
    let app = TestApp::spawn().await;
    observe(&app).await;
    let patched = app.patch(SUMMARY, r#"{"compliantDeviceCount": 3}"#).await;
    assert_eq!(patched.status, 204);
    assert_eq!(patched.text, "");
    assert_eq!(
        app.get(SUMMARY).await.json()["compliantDeviceCount"],
        3,
        "the write happened"
    );
    let represented = app
        .request(
            "PATCH",
            SUMMARY,
            Some(r#"{"compliantDeviceCount": 4}"#),
            &[("Prefer", "return=representation")],
        )
        .await;
    assert_eq!(represented.status, 200);
    assert_eq!(
        represented.header("preference-applied"),
        Some("return=representation")
    );
    assert_eq!(represented.json()["compliantDeviceCount"], 4);
}

#[tokio::test]
async fn odata_type_only_where_the_type_is_derived_from_the_declared_one() {
    let app = TestApp::spawn().await;
    observe(&app).await;
    let created = app.post(ACCOUNTS, r#"{"displayName": "Mac"}"#).await.json();
    assert!(created.get("@odata.type").is_none(), "{created}");
    let summary = app.get(SUMMARY).await.json();
    assert!(summary.get("@odata.type").is_none(), "{summary}");
    assert_eq!(
        summary.as_object().unwrap().keys().next().unwrap(),
        "@odata.context"
    );
    let listed = app.get(ACCOUNTS).await.json();
    assert!(listed["value"][0].get("@odata.type").is_none());
    // mobileAppConfigurations is abstract: every entity's type differs from it.
    app.create_configuration("v1.0").await;
    let configurations = app
        .get("/v1.0/deviceAppManagement/mobileAppConfigurations")
        .await
        .json();
    assert_eq!(
        configurations["value"][0]["@odata.type"],
        "#microsoft.graph.iosMobileAppConfiguration"
    );
    // The documented profile keeps it everywhere.
    let (_, other) = app.other_tenant();
    assert_eq!(
        other.get(SUMMARY).await.json()["@odata.type"],
        "#microsoft.graph.softwareUpdateStatusSummary"
    );
}

#[tokio::test]
async fn intune_class_errors_carry_intunes_json_document_in_the_message() {
    let app = TestApp::spawn().await;
    observe(&app).await;
    let missing = app
        .request(
            "GET",
            &format!("{ACCOUNTS}/00000000-0000-0000-0000-000000000001"),
            None,
            &[("client-request-id", "act-1")],
        )
        .await;
    assert_eq!(missing.status, 404);
    let body = missing.json();
    assert_eq!(body["error"]["code"], "ResourceNotFound");
    assert_eq!(body["error"]["innerError"]["client-request-id"], "act-1");
    let document = intune_document(&body);
    let message = document["Message"].as_str().unwrap();
    assert!(message.starts_with("An error has occurred - Operation ID (for customer support): 00000000-0000-0000-0000-000000000000 - Activity ID: act-1 - Url: https://fef."), "{message}");
    assert!(
        message.contains("/deviceManagement/macOSSoftwareUpdateAccountSummaries/"),
        "{message}"
    );
    assert!(message.ends_with("?api-version=5020-08-21"), "{message}");
    assert_eq!(document["RetryAfter"], Value::Null);

    // 403: the scopes, inside the document.
    let reader = app.mint(&spec(
        &app.tenant,
        &[],
        &["DeviceManagementConfiguration.Read.All"],
    ));
    let forbidden = app
        .with_token(&reader)
        .patch(SUMMARY, r#"{"compliantDeviceCount": 1}"#)
        .await;
    assert_eq!(forbidden.status, 403);
    let document = intune_document(&forbidden.json());
    assert!(document["Message"].as_str().unwrap().starts_with("Application is not authorized to perform this operation. Application must have one of the following scopes: DeviceManagementConfiguration.ReadWrite.All - Operation ID"));
    assert!(
        document["Message"]
            .as_str()
            .unwrap()
            .contains("?api-version=2023-10-19")
    );

    // 500 from a fault rule.
    app.post(
        "/_localgraph/faults",
        r#"{"path": "/v1.0/deviceManagement/**", "status": 500, "times": 1}"#,
    )
    .await;
    let failed = app.get(SUMMARY).await;
    assert_eq!(failed.status, 500);
    let document = intune_document(&failed.json());
    assert!(
        document["Message"]
            .as_str()
            .unwrap()
            .starts_with("An internal server error has occurred - Operation ID")
    );

    // Gateway-class errors keep a plain message.
    let unknown = app.get("/v1.0/deviceManagement/nothingHere").await;
    assert_eq!(
        unknown.error(),
        (
            "BadRequest".into(),
            "Resource not found for the segment 'nothingHere'.".into()
        )
    );
    let (_, other) = app.other_tenant();
    let theirs = other
        .get(&format!("{ACCOUNTS}/00000000-0000-0000-0000-000000000001"))
        .await;
    assert!(
        theirs.error().1.starts_with("The requested resource"),
        "documented: plain"
    );
}

#[tokio::test]
async fn throttled_requests_get_intunes_429_without_retry_after() {
    let app = TestApp::spawn().await;
    observe(&app).await;
    app.request(
        "PUT",
        "/_localgraph/throttling",
        Some(r#"{"mode": "custom", "writesPer20Seconds": 1, "requestsPer20Seconds": 1}"#),
        &[],
    )
    .await;
    assert_eq!(app.get(SUMMARY).await.status, 200);
    let throttled = app.get(SUMMARY).await;
    assert_eq!(throttled.status, 429);
    assert_eq!(throttled.header("retry-after"), None);
    let body = throttled.json();
    assert_eq!(body["error"]["code"], "TooManyRequests");
    assert!(
        intune_document(&body)["Message"]
            .as_str()
            .unwrap()
            .starts_with("An error has occurred - ")
    );
}

#[tokio::test]
async fn count_segments_and_refused_options_are_answered_as_intune_answers_them() {
    let app = TestApp::spawn().await;
    observe(&app).await;
    let count = app.get(&format!("{ACCOUNTS}/$count")).await;
    assert_eq!(count.status, 400);
    let (code, message) = count.error();
    assert_eq!(code, "No method match route template");
    assert!(message.starts_with("No OData route exists that match template ~/singleton/navigation/$count with http verb GET for request /"), "{message}");
    let refused = app.get(&format!("{SUMMARY}?$search=x")).await;
    assert_eq!(refused.status, 400);
    assert_eq!(
        refused.error().1,
        "The query specified in the URI is not valid. Query option 'Search' is not allowed. To allow it, set the 'AllowedQueryOptions' property on EnableQueryAttribute or QueryValidationSettings."
    );
    let on_entity = app
        .get(&format!("{SUMMARY}?$filter=compliantDeviceCount eq 1"))
        .await;
    assert!(
        on_entity
            .error()
            .1
            .contains("Query option 'Filter' is not allowed.")
    );
    // What Intune serves still works.
    assert_eq!(
        app.get(&format!("{ACCOUNTS}?$count=true&$top=1"))
            .await
            .status,
        200
    );
}
