//! `GET /metrics` as Prometheus scrapes it: no token, counters that move with requests,
//! throttled and faulted requests, the store's transactions and pool, and labels that
//! hold no tenant, token or key. The recorder is one per process (the suite's apps share
//! it), so counts are compared before and after, as at least what this test sent.

use serde_json::json;

use crate::helpers::TestApp;

const SCRIPTS: &str = "/beta/deviceManagement/deviceManagementScripts";

/// The scraped text.
async fn scrape(app: &TestApp) -> String {
    let reply = app.anonymous().get("/metrics").await;
    assert_eq!(reply.status, 200, "no token needed: {}", reply.text);
    assert_eq!(
        reply.header("content-type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    reply.text
}

/// The value of the series `name{labels}` (labels as Prometheus writes them), 0 if absent.
fn value(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map_or(0.0, |v| v.trim().parse().expect("a number"))
}

#[tokio::test]
async fn request_counters_and_latency_move_with_requests_by_route_template() {
    let app = TestApp::spawn().await;
    let id = app.create_script().await;
    let route = "/beta/deviceManagement/deviceManagementScripts/{id}/runSummary";
    let ok =
        format!(r#"localgraph_http_requests_total{{method="GET",route="{route}",status="200"}}"#);
    let missing =
        format!(r#"localgraph_http_requests_total{{method="GET",route="{route}",status="404"}}"#);
    let timed = format!(
        r#"localgraph_http_request_duration_seconds_count{{method="GET",route="{route}"}}"#
    );
    let before = scrape(&app).await;
    for _ in 0..3 {
        assert_eq!(
            app.get(&format!("{SCRIPTS}/{id}/runSummary")).await.status,
            200
        );
    }
    let unknown = uuid::Uuid::new_v4();
    assert_eq!(
        app.get(&format!("{SCRIPTS}/{unknown}/runSummary"))
            .await
            .status,
        404
    );
    let after = scrape(&app).await;
    assert!(value(&after, &ok) >= value(&before, &ok) + 3.0, "{after}");
    assert!(value(&after, &missing) >= value(&before, &missing) + 1.0);
    assert!(value(&after, &timed) >= value(&before, &timed) + 4.0);
    let bucket = format!(
        r#"localgraph_http_request_duration_seconds_bucket{{method="GET",route="{route}",le="+Inf"}}"#
    );
    assert_eq!(value(&after, &bucket), value(&after, &timed));

    // The store's side: transactions timed, the pool's connections.
    let reads = r#"localgraph_store_transaction_seconds_count{kind="read",outcome="ok"}"#;
    assert!(value(&after, reads) > value(&before, reads), "{after}");
    let max = r#"localgraph_store_pool_connections{state="max"}"#;
    assert!(value(&after, max) >= 1.0, "{after}");
}

#[tokio::test]
async fn labels_hold_templates_not_tenants_ids_or_junk() {
    let app = TestApp::spawn().await;
    let id = app.create_script().await;
    assert_eq!(app.get(&format!("{SCRIPTS}/{id}")).await.status, 200);
    let junk = format!("/beta/deviceManagement/{}", uuid::Uuid::new_v4().simple());
    assert_eq!(app.get(&junk).await.status, 400);
    let token_route = format!("/{}/oauth2/v2.0/token", app.tenant);
    assert_eq!(app.anonymous().post(&token_route, "x").await.status, 400);
    let text = scrape(&app).await;
    for secret in [&app.tenant, &id, &app.token, &junk] {
        assert!(!text.contains(secret.as_str()), "{secret} in /metrics");
    }
    for series in [
        r#"route="/beta/deviceManagement/deviceManagementScripts/{id}""#,
        r#"route="/beta/(unknown)""#,
        r#"route="/{tenant}/oauth2/v2.0/token""#,
    ] {
        assert!(text.contains(series), "{series} missing:\n{text}");
    }
}

#[tokio::test]
async fn throttled_and_faulted_requests_are_counted() {
    let app = TestApp::spawn().await;
    let throttled = "localgraph_throttled_requests_total";
    let faulted = "localgraph_faulted_requests_total";
    let before = scrape(&app).await;
    let limit = json!({"mode": "custom", "requestsPer20Seconds": 1, "writesPer20Seconds": 1});
    let set = app
        .request(
            "PUT",
            "/_localgraph/throttling",
            Some(&limit.to_string()),
            &[],
        )
        .await;
    assert_eq!(set.status, 200, "{}", set.text);
    let statuses = [app.get(SCRIPTS).await.status, app.get(SCRIPTS).await.status];
    assert_eq!(statuses, [200, 429]);
    app.throttling_off().await;
    let rule = json!({"method": "GET", "path": SCRIPTS, "status": 503, "times": 1});
    assert_eq!(
        app.post("/_localgraph/faults", &rule.to_string())
            .await
            .status,
        201
    );
    assert_eq!(app.get(SCRIPTS).await.status, 503);
    let after = scrape(&app).await;
    assert!(
        value(&after, throttled) >= value(&before, throttled) + 1.0,
        "{after}"
    );
    assert!(
        value(&after, faulted) >= value(&before, faulted) + 1.0,
        "{after}"
    );
}

/// A request a fault rule answers is counted under the route that answers it otherwise
/// (`$metadata`, `$batch` and the service document are routes of the router, which a
/// faulted request never reaches), not under `(unknown)`.
#[tokio::test]
async fn a_faulted_request_keeps_its_route_label() {
    let app = TestApp::spawn().await;
    let series = |route: &str, status: u16| {
        format!(
            r#"localgraph_http_requests_total{{method="GET",route="{route}",status="{status}"}}"#
        )
    };
    let before = scrape(&app).await;
    for path in ["/v1.0/$metadata", "/beta/openapi.json", "/v1.0"] {
        let rule = json!({"method": "GET", "path": path, "status": 503, "times": 1});
        let added = app.post("/_localgraph/faults", &rule.to_string()).await;
        assert_eq!(added.status, 201, "{}", added.text);
        assert_eq!(app.get(path).await.status, 503, "{path}");
        assert_eq!(app.get(path).await.status, 200, "{path}");
    }
    let after = scrape(&app).await;
    for route in ["/v1.0/$metadata", "/beta/openapi.json", "/v1.0"] {
        for status in [503, 200] {
            let name = series(route, status);
            assert!(
                value(&after, &name) >= value(&before, &name) + 1.0,
                "{name}:\n{after}"
            );
        }
    }
}
