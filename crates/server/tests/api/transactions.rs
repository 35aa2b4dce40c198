//! Transactions under concurrent and abandoned requests (on PostgreSQL when
//! `TEST_DATABASE_URL` is set, else SQLite): the first writes of a summary race without a
//! 409, and clients that disconnect mid-write leave every transaction whole.

use std::sync::Arc;
use std::time::Duration;

use server::auth::TokenSpec;

use crate::helpers::TestApp;

const SUMMARY: &str = "/v1.0/deviceManagement/softwareUpdateStatusSummary";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_first_concurrent_patches_of_a_summary_all_succeed() {
    let app = Arc::new(TestApp::spawn().await);
    // Each fresh tenant's summary is created by whichever PATCH comes first.
    for round in 0..30 {
        let tenant = format!("race-{round}.example");
        let token = app.mint(&TokenSpec::everything(&tenant, Duration::from_secs(600)));
        let session = app.with_token(&token);
        let tasks: Vec<_> = (0..32)
            .map(|i| {
                let session = session.clone();
                let body = format!(r#"{{"compliantDeviceCount": {i}}}"#);
                tokio::spawn(async move { session.patch(SUMMARY, &body).await })
            })
            .collect();
        for task in tasks {
            let reply = task.await.unwrap();
            assert_eq!(reply.status, 200, "{tenant}: {}", reply.text);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writes_abandoned_by_their_clients_leave_the_store_consistent() {
    let app = Arc::new(TestApp::spawn().await);
    // About 240 writes in a burst: past Intune's 100 writes an app per 20 s whenever the
    // impatient clients' requests arrive before they give up. This test is about
    // transactions, so throttling is off.
    app.throttling_off().await;
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(3))
        .build()
        .unwrap();
    let abandon = |i: usize| {
        let (client, base, token) = (impatient.clone(), app.base.clone(), app.token.clone());
        tokio::spawn(async move {
            let _ = client
                .patch(format!("{base}{SUMMARY}"))
                .bearer_auth(token)
                .header("content-type", "application/json")
                .body(format!(
                    r#"{{"errorDeviceCount": {i}, "displayName": "abandoned"}}"#
                ))
                .send()
                .await;
        })
    };
    let mut tasks = Vec::new();
    for i in 0..200 {
        tasks.push(abandon(i));
        if i % 10 == 0 {
            let app = app.clone();
            tasks.push(tokio::spawn(async move {
                let reply = app
                    .patch(SUMMARY, &format!(r#"{{"compliantDeviceCount": {i}}}"#))
                    .await;
                assert_eq!(reply.status, 200, "{}", reply.text);
            }));
        }
    }
    for task in tasks {
        task.await.unwrap();
    }
    // Whatever was abandoned committed whole or not at all; the store serves on.
    for i in 0..20 {
        let reply = app
            .patch(SUMMARY, &format!(r#"{{"unknownDeviceCount": {i}}}"#))
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        assert_eq!(reply.json()["unknownDeviceCount"], i);
    }
    let read = app.get(SUMMARY).await.json();
    let name = read["displayName"].as_str();
    assert!(
        name.is_none() || name == Some("abandoned"),
        "a half-applied merge: {read}"
    );
}
