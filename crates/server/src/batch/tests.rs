use axum::http::{HeaderMap, HeaderValue, header};
use serde_json::json;

use super::*;

fn get(id: &str) -> Json {
    json!({ "id": id, "method": "GET", "url": "deviceManagement" })
}

fn message(result: Result<Vec<Item>, ApiError>) -> String {
    match result {
        Err(ApiError::InvalidBatch(message)) => message,
        other => panic!("expected an invalid batch, got {other:?}"),
    }
}

#[test]
fn limits_and_ids_are_checked_before_anything_runs() {
    let twenty: Vec<Json> = (0..20).map(|i| get(&i.to_string())).collect();
    assert_eq!(
        parse("beta", &json!({ "requests": twenty })).unwrap().len(),
        20
    );
    let too_many: Vec<Json> = (0..21).map(|i| get(&i.to_string())).collect();
    assert_eq!(
        message(parse("beta", &json!({ "requests": too_many }))),
        "Number of requests inside batch exceeds the limit."
    );
    assert_eq!(
        message(parse("beta", &json!({ "requests": [get("a"), get("A")] }))),
        "Request id 'A' appears more than once in the batch."
    );
    assert!(message(parse("beta", &json!({ "requests": [] }))).contains("at least one"));
    assert!(message(parse("beta", &json!({ "request": [get("1")] }))).contains("'requests'"));
    let unknown =
        json!({ "requests": [{ "id": "1", "method": "GET", "url": "x", "dependsOn": ["9"] }] });
    assert!(message(parse("beta", &unknown)).contains("depends on \"9\""));
    let bad_method = json!({ "requests": [{ "id": "1", "method": "TRACE", "url": "x" }] });
    assert!(message(parse("beta", &bad_method)).contains("'method'"));
    let absolute = json!({ "requests": [{ "id": "1", "method": "GET", "url": "https://graph.microsoft.com/v1.0/me" }] });
    assert!(message(parse("beta", &absolute)).contains("relative"));
    let no_type = json!({ "requests": [{ "id": "1", "method": "POST", "url": "x", "body": {} }] });
    assert_eq!(
        message(parse("beta", &no_type)),
        "Write request id : 1 does not contain Content-Type header or body."
    );
}

#[test]
fn dependencies_order_the_stages_and_cycles_are_refused() {
    let batch = json!({ "requests": [
        { "id": "1", "method": "GET", "url": "a" },
        { "id": "2", "method": "GET", "url": "a", "dependsOn": ["1"] },
        { "id": "3", "method": "GET", "url": "a", "dependsOn": ["2", "1"] },
        { "id": "4", "method": "GET", "url": "a" },
    ]});
    let items = parse("v1.0", &batch).unwrap();
    assert_eq!(levels(&items).unwrap(), [0, 1, 2, 0]);
    // Null reads as left out, as the OpenAPI document says: no dependencies, no headers.
    let nulls = json!({ "requests": [
        { "id": "1", "method": "GET", "url": "a", "headers": null, "dependsOn": null, "body": null },
    ]});
    let items = parse("v1.0", &nulls).unwrap();
    assert!(items[0].depends_on.is_empty() && items[0].headers.is_empty());
    assert!(items[0].body.is_none());
    assert_eq!(levels(&items).unwrap(), [0]);
    let cycle = json!({ "requests": [
        { "id": "1", "method": "GET", "url": "a", "dependsOn": ["2"] },
        { "id": "2", "method": "GET", "url": "a", "dependsOn": ["1"] },
    ]});
    let items = parse("v1.0", &cycle).unwrap();
    assert!(matches!(levels(&items), Err(ApiError::InvalidBatch(m)) if m.contains("cycle")));
}

#[test]
fn inner_requests_carry_the_outer_token_and_their_own_headers() {
    let batch = json!({ "requests": [{
        "id": "1", "method": "patch", "url": "/deviceManagement/softwareUpdateStatusSummary?x=1",
        "headers": { "Content-Type": "application/json", "Prefer": "return=minimal", "Authorization": "Bearer own" },
        "body": { "displayName": "x" },
    }]});
    let items = parse("beta", &batch).unwrap();
    let mut outer = HeaderMap::new();
    outer.insert(
        header::AUTHORIZATION,
        HeaderValue::from_static("Bearer outer"),
    );
    outer.insert(header::HOST, HeaderValue::from_static("example.test:8443"));
    let share = ResponseBudget(1000);
    let request = inner_request(&items[0], &"/beta/$batch".parse().unwrap(), &outer, share);
    assert_eq!(request.method(), Method::PATCH);
    assert_eq!(
        request.uri().to_string(),
        "/beta/deviceManagement/softwareUpdateStatusSummary?x=1"
    );
    assert_eq!(request.extensions().get::<ResponseBudget>(), Some(&share));
    let headers = request.headers();
    assert_eq!(headers[header::AUTHORIZATION], "Bearer outer");
    assert_eq!(headers[header::HOST], "example.test:8443");
    assert_eq!(headers["prefer"], "return=minimal");
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");

    let without = parse("beta", &json!({ "requests": [get("1")] })).unwrap();
    // Over TLS or under a public URL the outer URI is absolute: so are the inner ones.
    let outer_uri = "https://graph.example.test/beta/$batch".parse().unwrap();
    let request = inner_request(&without[0], &outer_uri, &HeaderMap::new(), share);
    assert_eq!(
        request.uri().to_string(),
        "https://graph.example.test/beta/deviceManagement"
    );
    assert!(request.headers().get(header::AUTHORIZATION).is_none());
}

#[test]
fn header_names_are_cased_as_graph_writes_them() {
    assert_eq!(graph_case("content-type"), "Content-Type");
    assert_eq!(graph_case("odata-version"), "OData-Version");
    assert_eq!(graph_case("request-id"), "request-id");
}
