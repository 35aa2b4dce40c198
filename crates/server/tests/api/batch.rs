//! `POST /{version}/$batch`: ordering, 424 cascades, limits, failures of every kind, and
//! inner requests that take the same path as direct ones.

use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp};

async fn batch(app: &TestApp, version: &str, requests: Value) -> Reply {
    app.post(
        &format!("/{version}/$batch"),
        &json!({ "requests": requests }).to_string(),
    )
    .await
}

fn responses(reply: &Reply) -> Vec<Value> {
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json()["responses"].as_array().unwrap().clone()
}

fn statuses(reply: &Reply) -> Vec<(String, u64)> {
    responses(reply)
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_string(),
                r["status"].as_u64().unwrap(),
            )
        })
        .collect()
}

const JSON: &str = "application/json";

#[tokio::test]
async fn dependent_requests_run_in_order_and_answers_keep_request_order() {
    let app = TestApp::spawn().await;
    let reply = batch(
        &app,
        "beta",
        json!([
            { "id": "1", "method": "PATCH", "url": "/deviceManagement/softwareUpdateStatusSummary",
              "headers": { "Content-Type": JSON }, "body": { "displayName": "first", "compliantDeviceCount": 1 } },
            { "id": "2", "method": "PATCH", "url": "deviceManagement/softwareUpdateStatusSummary", "dependsOn": ["1"],
              "headers": { "Content-Type": JSON }, "body": { "displayName": "second" } },
            { "id": "3", "method": "GET", "url": "/deviceManagement/softwareUpdateStatusSummary", "dependsOn": ["2"] },
            { "id": "4", "method": "POST", "url": "/deviceManagement/macOSSoftwareUpdateAccountSummaries",
              "headers": { "Content-Type": JSON }, "body": { "displayName": "Mac" } },
            { "id": "5", "method": "GET", "url": "/deviceManagement/macOSSoftwareUpdateAccountSummaries/$count", "dependsOn": ["4"] },
        ]),
    )
    .await;
    assert_eq!(reply.header("content-type"), Some(JSON));
    let items = responses(&reply);
    let ids: Vec<&str> = items.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["1", "2", "3", "4", "5"], "request order");
    assert_eq!(items[2]["status"], 200);
    assert_eq!(items[2]["body"]["displayName"], "second");
    assert_eq!(items[2]["body"]["compliantDeviceCount"], 1);
    assert_eq!(
        items[2]["body"]["@odata.context"],
        format!(
            "{}/beta/$metadata#deviceManagement/softwareUpdateStatusSummary/$entity",
            app.base
        ),
        "links use the address the client used"
    );
    assert_eq!(items[2]["headers"]["OData-Version"], "4.0");
    assert!(
        items[2]["headers"]["Content-Type"]
            .as_str()
            .unwrap()
            .starts_with("application/json;odata.metadata=minimal")
    );
    assert_eq!(items[3]["status"], 201);
    assert!(items[3]["headers"]["Location"].as_str().is_some());
    assert_eq!(
        items[4]["body"], "1",
        "$count answers text, kept as a string"
    );
}

#[tokio::test]
async fn a_failure_of_any_kind_fails_its_dependents_with_424() {
    let app = TestApp::spawn().await;
    let get = |id: &str, url: &str, after: &str| json!({ "id": id, "method": "GET", "url": url, "dependsOn": [after] });
    let reply = batch(
        &app,
        "v1.0",
        json!([
            // beta-only segment on v1.0: 400 unknown segment
            { "id": "beta-only", "method": "GET", "url": "deviceManagement/deviceManagementScripts" },
            get("a", "deviceManagement/softwareUpdateStatusSummary", "beta-only"),
            // a chain: 424 propagates
            get("b", "deviceManagement/softwareUpdateStatusSummary", "a"),
            // not found
            { "id": "missing", "method": "GET", "url": "deviceAppManagement/mobileAppConfigurations/nope" },
            get("c", "deviceManagement/softwareUpdateStatusSummary", "missing"),
            // validation
            { "id": "invalid", "method": "PATCH", "url": "deviceManagement/softwareUpdateStatusSummary",
              "headers": { "Content-Type": JSON }, "body": { "compliantDeviceCount": "Integer" } },
            get("d", "deviceManagement/softwareUpdateStatusSummary", "invalid"),
            // a method the resource does not answer
            { "id": "unrouted", "method": "PUT", "url": "deviceManagement/softwareUpdateStatusSummary",
              "headers": { "Content-Type": JSON }, "body": {} },
            get("e", "deviceManagement/softwareUpdateStatusSummary", "unrouted"),
            // success: its dependent runs
            { "id": "ok", "method": "GET", "url": "deviceManagement" },
            get("f", "deviceManagement/softwareUpdateStatusSummary", "ok"),
        ]),
    )
    .await;
    let expected = [
        ("beta-only", 400),
        ("a", 424),
        ("b", 424),
        ("missing", 404),
        ("c", 424),
        ("invalid", 400),
        ("d", 424),
        ("unrouted", 400),
        ("e", 424),
        ("ok", 200),
        ("f", 200),
    ];
    let expected: Vec<(String, u64)> = expected.iter().map(|(i, s)| (i.to_string(), *s)).collect();
    assert_eq!(statuses(&reply), expected);
    let items = responses(&reply);
    assert_eq!(
        items[0]["body"]["error"]["message"],
        "Resource not found for the segment 'deviceManagementScripts'."
    );
    assert_eq!(items[2]["body"]["error"]["code"], "FailedDependency");
    assert_eq!(
        items[2]["body"]["error"]["message"],
        "Request 'b' was not run: it depends on request 'a', which failed."
    );
    assert!(items[2]["body"]["error"]["innerError"]["request-id"].is_string());
    assert_eq!(items[5]["body"]["error"]["code"], "ModelValidationFailure");
    assert!(
        items[5]["body"]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("compliantDeviceCount")
    );
    // The failed PATCH wrote nothing.
    let summary = app
        .get("/v1.0/deviceManagement/softwareUpdateStatusSummary")
        .await
        .json();
    assert_eq!(summary["compliantDeviceCount"], 0);
}

#[tokio::test]
async fn malformed_and_oversized_batches_are_400() {
    let app = TestApp::spawn().await;
    let get = |id: String| json!({ "id": id, "method": "GET", "url": "deviceManagement" });
    let twenty: Vec<Value> = (1..=20).map(|i| get(i.to_string())).collect();
    assert_eq!(
        statuses(&batch(&app, "beta", json!(twenty)).await).len(),
        20
    );
    let too_many: Vec<Value> = (1..=21).map(|i| get(i.to_string())).collect();
    let reply = batch(&app, "beta", json!(too_many)).await;
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.error(),
        (
            "BadRequest".into(),
            "Number of requests inside batch exceeds the limit.".into()
        )
    );
    let duplicate = batch(
        &app,
        "beta",
        json!([get("Same".into()), get("same".into())]),
    )
    .await;
    assert_eq!(duplicate.status, 400);
    assert_eq!(
        duplicate.error().1,
        "Request id 'same' appears more than once in the batch."
    );
    let unknown = batch(
        &app,
        "beta",
        json!([{ "id": "1", "method": "GET", "url": "x", "dependsOn": ["2"] }]),
    )
    .await;
    assert_eq!(unknown.status, 400);
    let cycle = batch(
        &app,
        "beta",
        json!([
            { "id": "1", "method": "GET", "url": "x", "dependsOn": ["2"] },
            { "id": "2", "method": "GET", "url": "x", "dependsOn": ["1"] },
        ]),
    )
    .await;
    assert_eq!(cycle.status, 400);
    let no_type = batch(
        &app,
        "beta",
        json!([{ "id": "1", "method": "POST", "url": "x", "body": {} }]),
    )
    .await;
    assert_eq!(
        no_type.error().1,
        "Write request id : 1 does not contain Content-Type header or body."
    );
    let not_json = app.post("/beta/$batch", "{not json").await;
    assert_eq!(not_json.status, 400);
    assert!(
        not_json
            .error()
            .1
            .starts_with("Unable to read JSON request payload")
    );
    assert_eq!(app.get("/beta/$batch").await.status, 405);
    assert_eq!(app.post("/v2.0/$batch", "{}").await.status, 404);
    // Nothing in a rejected batch ran.
    let count = app
        .get("/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries/$count")
        .await;
    assert_eq!(count.text, "0");
}

#[tokio::test]
async fn inner_requests_take_the_path_of_direct_ones() {
    let app = TestApp::spawn().await;
    let reply = app
        .request(
            "POST",
            "/beta/$batch",
            Some(
                &json!({ "requests": [
                    { "id": "minimal", "method": "PATCH", "url": "deviceManagement/softwareUpdateStatusSummary",
                      "headers": { "Content-Type": JSON, "Prefer": "return=minimal", "client-request-id": "inner-1" },
                      "body": { "displayName": "quiet" } },
                    { "id": "nested", "method": "POST", "url": "$batch",
                      "headers": { "Content-Type": JSON }, "body": { "requests": [] } },
                    { "id": "no-version", "method": "GET", "url": "/v1.0/deviceManagement" },
                ]})
                .to_string(),
            ),
            &[("Authorization", "Bearer outer-token"), ("client-request-id", "outer")],
        )
        .await;
    let items = responses(&reply);
    assert_eq!(reply.header("client-request-id"), Some("outer"));
    assert_eq!(items[0]["status"], 204);
    assert_eq!(items[0]["headers"]["Preference-Applied"], "return=minimal");
    assert_eq!(items[0]["headers"]["client-request-id"], "inner-1");
    assert!(items[0].get("body").is_none(), "204 has no body");
    assert_eq!(items[1]["status"], 400, "batches do not nest");
    assert_eq!(
        items[1]["body"]["error"]["message"],
        "Resource not found for the segment '$batch'."
    );
    assert_eq!(
        items[2]["body"]["error"]["message"],
        "Resource not found for the segment 'v1.0'."
    );
    let summary = app
        .get("/beta/deviceManagement/softwareUpdateStatusSummary")
        .await
        .json();
    assert_eq!(summary["displayName"], "quiet");
}

#[tokio::test]
async fn independent_requests_run_concurrently_and_all_land() {
    let app = TestApp::spawn().await;
    let requests: Vec<Value> = (0..20)
        .map(|i| {
            json!({ "id": format!("r{i}"), "method": "POST", "url": "deviceManagement/macOSSoftwareUpdateAccountSummaries",
                    "headers": { "Content-Type": JSON }, "body": { "displayName": format!("Mac {i}") } })
        })
        .collect();
    let reply = batch(&app, "beta", json!(requests)).await;
    let items = responses(&reply);
    assert!(items.iter().all(|r| r["status"] == 201), "{items:?}");
    let mut ids: Vec<&str> = items
        .iter()
        .map(|r| r["body"]["id"].as_str().unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 20);
    let count = app
        .get("/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries/$count")
        .await;
    assert_eq!(count.text, "20");
}

#[tokio::test]
async fn a_batch_needs_a_token_even_for_public_requests() {
    let app = TestApp::spawn().await;
    let body = r#"{"requests": [{"id": "0", "method": "GET", "url": "/"}]}"#;
    let anonymous = app.anonymous().post("/v1.0/$batch", body).await;
    assert_eq!(anonymous.status, 401, "{}", anonymous.text);
    assert_eq!(anonymous.error().0, "InvalidAuthenticationToken");
    assert_eq!(app.post("/v1.0/$batch", body).await.status, 200);
}

/// A query option on the batch itself is refused as on any write (400 naming it), and
/// nothing in the batch runs; a parameter that is no option is ignored, as elsewhere.
#[tokio::test]
async fn a_query_option_on_the_batch_is_refused_and_nothing_runs() {
    let app = TestApp::spawn().await;
    let macs = "/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries";
    let requests = json!({ "requests": [{
        "id": "1", "method": "POST", "url": "/deviceManagement/macOSSoftwareUpdateAccountSummaries",
        "headers": {"Content-Type": JSON}, "body": {"displayName": "Mac"}
    }] })
    .to_string();
    for (query, option) in [
        ("$top=1", "$top"),
        ("top=1", "$top"),
        ("$FILTER=x", "$filter"),
    ] {
        let reply = app.post(&format!("/beta/$batch?{query}"), &requests).await;
        assert_eq!(reply.status, 400, "{query}: {}", reply.text);
        assert_eq!(
            reply.error(),
            (
                "BadRequest".to_string(),
                format!("Query options are not allowed on POST requests; '{option}' was given.")
            ),
            "{query}"
        );
    }
    let unknown = app.post("/beta/$batch?$frob=1", &requests).await;
    assert_eq!(unknown.status, 400, "{}", unknown.text);
    assert_eq!(
        app.get(&format!("{macs}/$count")).await.text,
        "0",
        "nothing ran"
    );
    let ignored = app.post("/beta/$batch?trace=1", &requests).await;
    assert_eq!(statuses(&ignored), [("1".to_string(), 201)]);
}
