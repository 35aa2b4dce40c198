//! Fault rules over real HTTP: each field does what it says, a faulted request changes
//! nothing, rules apply inside `$batch`, and one tenant's rules never touch another's.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::{Session, TestApp};

const SUMMARY: &str = "/v1.0/deviceManagement/softwareUpdateStatusSummary";
const ACCOUNTS: &str = "/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries";

async fn add_rule(session: &Session, rule: Value) -> Value {
    let reply = session.post("/_localgraph/faults", &rule.to_string()).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.json()
}

#[tokio::test]
async fn a_rule_answers_with_its_status_and_graphs_code_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let rule = add_rule(
        &app,
        json!({"method": "PATCH", "path": "/v1.0/deviceManagement/softwareUpdateStatusSummary", "status": 503}),
    )
    .await;
    assert!(crate::helpers::is_guid(rule["id"].as_str().unwrap()));
    assert_eq!(
        (
            &rule["code"],
            &rule["retryAfter"],
            &rule["times"],
            &rule["probability"]
        ),
        (
            &json!("ServiceUnavailable"),
            &json!(1),
            &Value::Null,
            &json!(1.0)
        )
    );
    let patched = app
        .request(
            "PATCH",
            SUMMARY,
            Some(r#"{"compliantDeviceCount": 9}"#),
            &[("client-request-id", "my-client-id")],
        )
        .await;
    assert_eq!(patched.status, 503, "{}", patched.text);
    assert_eq!(patched.error().0, "ServiceUnavailable");
    assert_eq!(patched.header("retry-after"), Some("1"));
    assert_eq!(patched.header("content-type"), Some("application/json"));
    let body = patched.json();
    assert_eq!(
        body["error"]["innerError"]["client-request-id"],
        "my-client-id"
    );
    assert_eq!(
        body["error"]["innerError"]["request-id"].as_str(),
        patched.header("request-id")
    );
    // GET is another method: not faulted; and the PATCH changed nothing.
    let read = app.get(SUMMARY).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.json()["compliantDeviceCount"], 0);
    // A faulted create creates nothing.
    add_rule(
        &app,
        json!({"method": "POST", "path": "deviceManagement/**", "status": 500}),
    )
    .await;
    let created = app.post(ACCOUNTS, r#"{"displayName": "Mac"}"#).await;
    assert_eq!(created.status, 500);
    assert_eq!(created.error().0, "InternalServerError");
    assert_eq!(created.header("retry-after"), None);
    assert_eq!(app.get(&format!("{ACCOUNTS}/$count")).await.text, "0");
}

#[tokio::test]
async fn code_message_and_retry_after_are_the_rules() {
    let app = TestApp::spawn().await;
    add_rule(
        &app,
        json!({"path": "/v1.0/deviceManagement/softwareUpdateStatusSummary", "status": 429,
               "code": "activityLimitReached", "message": "Slow down.", "retryAfter": 7}),
    )
    .await;
    let reply = app.get(SUMMARY).await;
    assert_eq!(reply.status, 429);
    assert_eq!(
        reply.error(),
        ("activityLimitReached".into(), "Slow down.".into())
    );
    assert_eq!(reply.header("retry-after"), Some("7"));

    let app = TestApp::spawn().await;
    add_rule(
        &app,
        json!({"path": "**", "status": 429, "retryAfter": null}),
    )
    .await;
    let reply = app.get(SUMMARY).await;
    assert_eq!(reply.status, 429);
    assert_eq!(reply.error().0, "TooManyRequests");
    assert_eq!(
        reply.header("retry-after"),
        None,
        "null: no header, as Intune"
    );
}

#[tokio::test]
async fn times_counts_the_faulted_requests_then_the_rule_rests() {
    let app = TestApp::spawn().await;
    let rule = add_rule(
        &app,
        json!({"path": "deviceManagement/softwareUpdateStatusSummary", "status": 504, "times": 2}),
    )
    .await;
    assert_eq!(rule["remaining"], 2);
    let statuses = [
        app.get(SUMMARY).await.status,
        app.get("/beta/deviceManagement/softwareUpdateStatusSummary")
            .await
            .status,
        app.get(SUMMARY).await.status,
        app.get(SUMMARY).await.status,
    ];
    assert_eq!(statuses, [504, 504, 200, 200]);
    let listed = app.get("/_localgraph/faults").await.json();
    assert_eq!(listed["value"][0]["remaining"], 0);
    assert_eq!(listed["value"][0]["id"], rule["id"]);
}

#[tokio::test]
async fn probability_zero_never_fires_and_one_always_does() {
    let app = TestApp::spawn().await;
    add_rule(&app, json!({"path": "**", "status": 500, "probability": 0})).await;
    for _ in 0..20 {
        assert_eq!(app.get(SUMMARY).await.status, 200);
    }
    add_rule(&app, json!({"path": "**", "status": 502, "probability": 1})).await;
    for _ in 0..20 {
        assert_eq!(app.get(SUMMARY).await.status, 502);
    }
}

#[tokio::test]
async fn delay_ms_delays_the_answer_or_the_request() {
    let app = TestApp::spawn().await;
    add_rule(
        &app,
        json!({"method": "GET", "path": "/v1.0/**", "delayMs": 400}),
    )
    .await;
    let started = Instant::now();
    let reply = app.get(SUMMARY).await;
    assert!(started.elapsed() >= Duration::from_millis(400));
    assert_eq!(
        reply.status, 200,
        "no status: the request runs after the delay"
    );
    let journal = app.get("/_localgraph/requests?top=1").await.json();
    assert_eq!(journal["value"][0]["faulted"], true);
    assert!(journal["value"][0]["durationMs"].as_f64().unwrap() >= 400.0);

    add_rule(
        &app,
        json!({"method": "PATCH", "path": "**", "delayMs": 300, "status": 503}),
    )
    .await;
    let started = Instant::now();
    let reply = app.patch(SUMMARY, r#"{"compliantDeviceCount": 3}"#).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(reply.status, 503);
    assert_eq!(
        app.get("/beta/deviceManagement/softwareUpdateStatusSummary")
            .await
            .json()["compliantDeviceCount"],
        0
    );
}

#[tokio::test]
async fn path_patterns_match_with_or_without_the_version_and_by_segment() {
    let app = TestApp::spawn().await;
    let script = app.create_script().await;
    let run_summary = format!("/beta/deviceManagement/deviceManagementScripts/{script}/runSummary");
    add_rule(&app, json!({"path": "/beta/deviceManagement/deviceManagementScripts/*/runSummary", "status": 500})).await;
    assert_eq!(app.get(&run_summary).await.status, 500);
    assert_eq!(
        app.get(&format!(
            "/beta/deviceManagement/deviceManagementScripts('{script}')/runSummary"
        ))
        .await
        .status,
        500,
        "a key in parentheses is a segment too"
    );
    assert_eq!(
        app.get(&format!(
            "/beta/deviceManagement/deviceManagementScripts/{script}"
        ))
        .await
        .status,
        200,
        "* is exactly one segment"
    );
    assert_eq!(
        app.get("/v1.0/deviceManagement/softwareUpdateStatusSummary")
            .await
            .status,
        200
    );

    let app = TestApp::spawn().await;
    add_rule(
        &app,
        json!({"path": "deviceManagement/softwareUpdateStatusSummary", "status": 500}),
    )
    .await;
    assert_eq!(app.get(SUMMARY).await.status, 500, "no version: v1.0");
    assert_eq!(
        app.get("/beta/deviceManagement/softwareUpdateStatusSummary")
            .await
            .status,
        500,
        "and beta"
    );
    assert_eq!(app.get(ACCOUNTS).await.status, 200);

    let app = TestApp::spawn().await;
    add_rule(&app, json!({"path": "/v1.0/**", "status": 500})).await;
    assert_eq!(app.get(SUMMARY).await.status, 500);
    assert_eq!(app.get(ACCOUNTS).await.status, 200, "another version");
}

#[tokio::test]
async fn rules_apply_to_batch_items_one_by_one_and_faulted_items_change_nothing() {
    let app = TestApp::spawn().await;
    add_rule(&app, json!({"method": "POST", "path": "deviceManagement/macOSSoftwareUpdateAccountSummaries", "status": 503, "times": 1})).await;
    let item = |id: &str| {
        json!({"id": id, "method": "POST", "url": "/deviceManagement/macOSSoftwareUpdateAccountSummaries",
        "headers": {"Content-Type": "application/json"}, "body": {"displayName": format!("Mac {id}")}})
    };
    let reply = app
        .post("/beta/$batch", &json!({"requests": [item("1"), item("2"), {"id": "3", "method": "GET", "url": "/deviceManagement/softwareUpdateStatusSummary"}]}).to_string())
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let responses = reply.json()["responses"].as_array().unwrap().clone();
    let mut statuses: Vec<u64> = responses[..2]
        .iter()
        .map(|r| r["status"].as_u64().unwrap())
        .collect();
    statuses.sort_unstable();
    assert_eq!(
        statuses,
        [201, 503],
        "one of the two concurrent items took the one use"
    );
    let faulted = responses.iter().find(|r| r["status"] == 503).unwrap();
    assert_eq!(faulted["body"]["error"]["code"], "ServiceUnavailable");
    assert_eq!(faulted["headers"]["Retry-After"], "1");
    assert_eq!(
        app.get(&format!("{ACCOUNTS}/$count")).await.text,
        "1",
        "the faulted item created nothing"
    );
    let items = app.journaled_batch_items().await;
    assert_eq!(items.len(), 3, "{items:?}");
    assert_eq!(items.iter().filter(|e| e["faulted"] == true).count(), 1);
}

#[tokio::test]
async fn rules_are_listed_and_removed_one_or_all() {
    let app = TestApp::spawn().await;
    let first = add_rule(&app, json!({"path": "deviceManagement/**", "status": 500})).await;
    let second = add_rule(
        &app,
        json!({"path": "deviceAppManagement/**", "delayMs": 5}),
    )
    .await;
    let listed = app.get("/_localgraph/faults").await.json();
    let ids: Vec<&Value> = listed["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["id"])
        .collect();
    assert_eq!(ids, [&first["id"], &second["id"]], "oldest first");
    assert_eq!(listed["value"][1], second);
    let one = format!("/_localgraph/faults/{}", first["id"].as_str().unwrap());
    assert_eq!(app.delete(&one).await.status, 204);
    let missing = app.delete(&one).await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.error().0, "ResourceNotFound");
    assert_eq!(
        app.get("/_localgraph/faults").await.json()["value"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    add_rule(&app, json!({"path": "**", "status": 500})).await;
    assert_eq!(app.get(SUMMARY).await.status, 500);
    assert_eq!(app.delete("/_localgraph/faults").await.status, 204);
    assert_eq!(
        app.get("/_localgraph/faults").await.json()["value"],
        json!([])
    );
    assert_eq!(
        app.get(SUMMARY).await.status,
        200,
        "removed rules stop at once"
    );
}

#[tokio::test]
async fn bad_rules_get_a_400_that_names_the_property() {
    let app = TestApp::spawn().await;
    for (body, names) in [
        (json!({"path": "**", "status": 600}), "'status'"),
        (json!({"path": "**", "status": 399}), "'status'"),
        (json!({"path": "**", "status": "503"}), "'status'"),
        (
            json!({"path": "**", "status": 503, "probability": 2}),
            "'probability'",
        ),
        (json!({"path": "**", "status": 503, "times": -1}), "'times'"),
        (
            json!({"path": "**", "status": 503, "method": "TRACE"}),
            "'method'",
        ),
        (json!({"path": "**/x", "status": 503}), "'path'"),
        (json!({"status": 503}), "'path'"),
        (json!({"path": "**", "status": 503, "delay": 5}), "'delay'"),
        (json!({"path": "**"}), "'status'"),
        // Paths no faultable request has: the control API, a version not served,
        // something no version serves.
        (
            json!({"path": "/_localgraph/faults", "status": 503}),
            "'path' /_localgraph/faults can never apply: fault rules act on Graph requests only",
        ),
        (
            json!({"path": "/v2.0/x", "status": 503}),
            "'path' /v2.0/x can never apply: 'v2.0' is not a version localgraph serves (v1.0, beta).",
        ),
        (
            json!({"path": "/beta/users/**", "status": 503}),
            "'path' /beta/users/** can never apply: no version serves 'users'",
        ),
    ] {
        let reply = app.post("/_localgraph/faults", &body.to_string()).await;
        assert_eq!(reply.status, 400, "{body}");
        let (code, message) = reply.error();
        assert_eq!(code, "BadRequest");
        assert!(message.contains(names), "{body}: {message}");
    }
    let reply = app.request("POST", "/_localgraph/faults", None, &[]).await;
    assert_eq!(reply.status, 400);
    let reply = app.post("/_localgraph/faults", "[1]").await;
    assert_eq!(reply.status, 400);
    assert_eq!(
        app.get("/_localgraph/faults").await.json()["value"],
        json!([]),
        "nothing was added"
    );
}

#[tokio::test]
async fn one_tenants_rules_never_touch_another_tenant() {
    let app = TestApp::spawn().await;
    let (_, other) = app.other_tenant();
    add_rule(&app, json!({"path": "**", "status": 500})).await;
    assert_eq!(app.get(SUMMARY).await.status, 500);
    assert_eq!(other.get(SUMMARY).await.status, 200);
    assert_eq!(
        other.get("/_localgraph/faults").await.json()["value"],
        json!([])
    );
    let rule = add_rule(&other, json!({"path": "**", "status": 502})).await;
    let theirs = format!("/_localgraph/faults/{}", rule["id"].as_str().unwrap());
    assert_eq!(
        app.delete(&theirs).await.status,
        404,
        "another tenant's rule is not there"
    );
    assert_eq!(app.delete("/_localgraph/faults").await.status, 204);
    assert_eq!(other.get(SUMMARY).await.status, 502, "their rule stays");
}
