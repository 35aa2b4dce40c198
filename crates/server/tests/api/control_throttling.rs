//! Throttling over real HTTP: Intune's limits per bucket, per tenant and per app, batch
//! items one by one, a `Retry-After` a client can honour, and the tenant's own settings.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::{Reply, Session, TestApp};

const SUMMARY: &str = "/v1.0/deviceManagement/softwareUpdateStatusSummary";

async fn set(session: &Session, setting: Value) {
    let reply = session
        .request(
            "PUT",
            "/_localgraph/throttling",
            Some(&setting.to_string()),
            &[],
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json(), setting);
}

/// Sends `n` requests, 16 at a time; their statuses, in order.
async fn burst(
    session: &Session,
    n: usize,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> Vec<u16> {
    let session = Arc::new(session.clone());
    let mut statuses = Vec::new();
    for chunk in (0..n).collect::<Vec<_>>().chunks(16) {
        let tasks: Vec<_> = chunk
            .iter()
            .map(|_| {
                let (session, method, path) =
                    (session.clone(), method.to_string(), path.to_string());
                let body = body.map(str::to_string);
                tokio::spawn(async move {
                    session
                        .request(&method, &path, body.as_deref(), &[])
                        .await
                        .status
                })
            })
            .collect();
        for task in tasks {
            statuses.push(task.await.unwrap());
        }
    }
    statuses
}

fn assert_throttled(reply: &Reply) -> u64 {
    assert_eq!(reply.status, 429, "{}", reply.text);
    assert_eq!(reply.error().0, "TooManyRequests");
    let seconds: u64 = reply
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .expect("whole seconds");
    assert!(
        (1..=20).contains(&seconds),
        "within the 20 s window: {seconds}"
    );
    seconds
}

#[tokio::test]
async fn each_buckets_write_limit_per_app_is_intunes() {
    let app = TestApp::spawn().await;
    let script = app.create_script().await;
    let configuration = app.create_configuration("v1.0").await;
    let cases = [
        // Device configuration: 100 writes per app per 20 s (the two creates above were
        // in other buckets).
        ("PATCH", SUMMARY.to_string(), 100),
        // Applications: 100, one of them the create above.
        (
            "PATCH",
            format!("/v1.0/deviceAppManagement/mobileAppConfigurations/{configuration}"),
            99,
        ),
        // Devices: 200, one of them the create above.
        (
            "PATCH",
            format!("/beta/deviceManagement/deviceManagementScripts/{script}"),
            199,
        ),
    ];
    for (method, path, allowed) in cases {
        // A configuration's type is abstract: a PATCH names the concrete one.
        let body = r##"{"@odata.type": "#microsoft.graph.iosMobileAppConfiguration", "displayName": "x"}"##;
        let body = if path.contains("mobileAppConfigurations") {
            body
        } else {
            r#"{"displayName": "x"}"#
        };
        let statuses = burst(&app, allowed, method, &path, Some(body)).await;
        assert!(statuses.iter().all(|s| *s == 200), "{path}: {statuses:?}");
        let refused = app.request(method, &path, Some(body), &[]).await;
        assert_throttled(&refused);
        // Reads of the same bucket have room of their own.
        assert_eq!(app.get(&path).await.status, 200, "{path}");
    }
}

#[tokio::test]
async fn limits_are_per_app_and_per_tenant_for_all_apps_together() {
    let app = TestApp::spawn().await;
    let a = app.as_app("a0000000-0000-4000-8000-00000000000a");
    let b = app.as_app("b0000000-0000-4000-8000-00000000000b");
    let c = app.as_app("c0000000-0000-4000-8000-00000000000c");
    const BODY: &str = r#"{"compliantDeviceCount": 1}"#;
    let body = Some(BODY);
    assert!(
        burst(&a, 100, "PATCH", SUMMARY, body)
            .await
            .iter()
            .all(|s| *s == 200)
    );
    assert_throttled(&a.patch(SUMMARY, BODY).await);
    // App b has its own 100 per app...
    assert!(
        burst(&b, 100, "PATCH", SUMMARY, body)
            .await
            .iter()
            .all(|s| *s == 200)
    );
    assert_throttled(&b.patch(SUMMARY, BODY).await);
    // ...and the tenant's 200 for all apps is now used up: app c is refused too.
    assert_throttled(&c.patch(SUMMARY, BODY).await);
    // Another tenant is not.
    let (_, other) = app.other_tenant();
    assert_eq!(other.patch(SUMMARY, BODY).await.status, 200);
    // The refused requests changed nothing and are in the journal as throttled.
    let journal = a.get("/_localgraph/requests?top=3").await.json();
    let throttled: Vec<&Value> = journal["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["throttled"])
        .collect();
    assert_eq!(
        throttled,
        [&json!(true), &json!(true), &json!(false)],
        "c's, b's, then b's last admitted"
    );
    assert_eq!(
        journal["value"][0]["appId"],
        "c0000000-0000-4000-8000-00000000000c"
    );
}

#[tokio::test]
async fn batch_items_are_counted_and_throttled_one_by_one() {
    let app = TestApp::spawn().await;
    set(
        &app,
        json!({"mode": "custom", "writesPer20Seconds": 2, "requestsPer20Seconds": 4}),
    )
    .await;
    let get = |id: &str| json!({"id": id, "method": "GET", "url": "/deviceManagement/softwareUpdateStatusSummary"});
    let patch = |id: &str| {
        json!({"id": id, "method": "PATCH", "url": "/deviceManagement/softwareUpdateStatusSummary",
        "headers": {"Content-Type": "application/json"}, "body": {"compliantDeviceCount": 5}})
    };
    let statuses = |reply: &Reply| {
        assert_eq!(reply.status, 200, "{}", reply.text);
        let items = reply.json()["responses"].as_array().unwrap().clone();
        let mut statuses: Vec<u64> = items
            .iter()
            .map(|r| r["status"].as_u64().unwrap())
            .collect();
        statuses.sort_unstable();
        for item in items.iter().filter(|r| r["status"] == 429) {
            assert_eq!(item["body"]["error"]["code"], "TooManyRequests");
            let seconds: u64 = item["headers"]["Retry-After"]
                .as_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!((1..=20).contains(&seconds));
        }
        statuses
    };
    // Three writes against 2 per 20 s: two pass, one is refused, inside the batch.
    let writes = json!({"requests": [patch("1"), patch("2"), patch("3")]}).to_string();
    assert_eq!(
        statuses(&app.post("/v1.0/$batch", &writes).await),
        [200, 200, 429]
    );
    // Two requests of 4 are used (the batch itself is not counted, its items are):
    // of three reads, two pass.
    let reads = json!({"requests": [get("1"), get("2"), get("3")]}).to_string();
    assert_eq!(
        statuses(&app.post("/v1.0/$batch", &reads).await),
        [200, 200, 429]
    );
    let items = app.journaled_batch_items().await;
    assert_eq!(items.len(), 6, "{items:?}");
    assert_eq!(items.iter().filter(|e| e["throttled"] == true).count(), 2);
}

#[tokio::test]
async fn a_client_that_waits_retry_after_gets_in() {
    let app = TestApp::spawn().await;
    set(
        &app,
        json!({"mode": "custom", "writesPer20Seconds": 3, "requestsPer20Seconds": 3}),
    )
    .await;
    for _ in 0..3 {
        assert_eq!(app.get(SUMMARY).await.status, 200);
    }
    let refused = app.get(SUMMARY).await;
    let refused_at = Instant::now();
    let seconds = assert_throttled(&refused);
    // Still refused a little before the time it gave (room comes within its last second)...
    if seconds >= 2 {
        tokio::time::sleep(Duration::from_millis(seconds * 1000 - 1500)).await;
        assert_throttled(&app.get(SUMMARY).await);
    }
    // ...and let in once it has passed, as a client honouring it would be.
    tokio::time::sleep(
        (refused_at + Duration::from_secs(seconds)).saturating_duration_since(Instant::now()),
    )
    .await;
    assert_eq!(app.get(SUMMARY).await.status, 200);
    let journal = app.get("/_localgraph/requests?top=3").await.json();
    let throttled: Vec<bool> = journal["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["throttled"].as_bool().unwrap())
        .collect();
    assert!(!throttled[0]);
    assert!(throttled[1], "{journal}");
}

#[tokio::test]
async fn settings_are_per_tenant_read_back_and_checked() {
    let app = TestApp::spawn().await;
    assert_eq!(
        app.get("/_localgraph/throttling").await.json(),
        json!({"mode": "intune"}),
        "the server's default"
    );
    set(&app, json!({"mode": "off"})).await;
    assert_eq!(
        app.get("/_localgraph/throttling").await.json(),
        json!({"mode": "off"})
    );
    const BODY: &str = r#"{"compliantDeviceCount": 1}"#;
    let body = Some(BODY);
    assert!(
        burst(&app, 110, "PATCH", SUMMARY, body)
            .await
            .iter()
            .all(|s| *s == 200),
        "off: no limit"
    );
    let (_, other) = app.other_tenant();
    assert_eq!(
        other.get("/_localgraph/throttling").await.json(),
        json!({"mode": "intune"})
    );
    set(
        &other,
        json!({"mode": "custom", "writesPer20Seconds": 1, "requestsPer20Seconds": 10}),
    )
    .await;
    assert_eq!(other.patch(SUMMARY, BODY).await.status, 200);
    assert_throttled(&other.patch(SUMMARY, BODY).await);
    assert_eq!(
        app.patch(SUMMARY, BODY).await.status,
        200,
        "the first tenant is still off"
    );
    for bad in [
        json!({"mode": "fast"}),
        json!({"mode": "custom", "writesPer20Seconds": 1}),
        json!({"mode": "custom", "writesPer20Seconds": 0, "requestsPer20Seconds": 1}),
        json!({"mode": "custom", "writesPer20Seconds": "1", "requestsPer20Seconds": 1}),
        json!({"mode": "off", "limit": 1}),
    ] {
        let reply = app
            .request(
                "PUT",
                "/_localgraph/throttling",
                Some(&bad.to_string()),
                &[],
            )
            .await;
        assert_eq!(reply.status, 400, "{bad}");
        assert_eq!(reply.error().0, "BadRequest");
    }
    assert_eq!(
        app.get("/_localgraph/throttling").await.json(),
        json!({"mode": "off"}),
        "unchanged"
    );
}
