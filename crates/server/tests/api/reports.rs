//! Summaries computed from the states they summarize: every summary equals a recount of its
//! states through the API (`$filter` + `/$count`), whatever was written, updated or deleted.

use intune::reports::{Aggregate, SUMMARIES, Summary};
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::helpers::TestApp;

const SCRIPTS: &str = "/beta/deviceManagement/deviceManagementScripts";
const CONFIGS: &str = "/beta/deviceAppManagement/mobileAppConfigurations";
const ACCOUNTS: &str = "/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries";

fn summary(place: &str) -> &'static Summary {
    SUMMARIES
        .iter()
        .find(|s| s.place.ends_with(place))
        .expect("a computed summary")
}

/// What `summary` should read, recounted through the API from the states under `holder`.
async fn recount(app: &TestApp, summary: &Summary, holder: &str) -> Value {
    let mut out = serde_json::Map::new();
    for (name, aggregate) in summary.properties {
        let value = match *aggregate {
            Aggregate::Count { of, filter } => {
                let query = if filter.is_empty() {
                    String::new()
                } else {
                    format!("?$filter={filter}")
                };
                let reply = app.get(&format!("{holder}/{of}/$count{query}")).await;
                assert_eq!(reply.status, 200, "{}", reply.text);
                json!(reply.text.parse::<i64>().unwrap())
            }
            Aggregate::Sum { of, property } => {
                let page = app.get(&format!("{holder}/{of}?$top=999")).await.json();
                let items = page["value"].as_array().unwrap();
                json!(
                    items
                        .iter()
                        .map(|i| i[property].as_i64().unwrap())
                        .sum::<i64>()
                )
            }
            Aggregate::Latest { of, property } => {
                let url = format!("{holder}/{of}?$orderby={property} desc&$top=1");
                let page = app.get(&url).await.json();
                page["value"][0]
                    .get(property)
                    .cloned()
                    .unwrap_or(json!("0001-01-01T00:00:00Z"))
            }
            Aggregate::Holder { property } => app.get(holder).await.json()[property].clone(),
        };
        out.insert(name.to_string(), value);
    }
    Value::Object(out)
}

/// Asserts that the summary at `url` reads what a recount of its states gives.
async fn assert_summary(app: &TestApp, place: &str, url: &str, holder: &str) {
    let expected = recount(app, summary(place), holder).await;
    let read = app.get(url).await;
    assert_eq!(read.status, 200, "{url}: {}", read.text);
    let read = read.json();
    for (name, value) in expected.as_object().unwrap() {
        assert_eq!(&read[name], value, "{url} {name}: {read}");
    }
}

async fn created(app: &TestApp, url: &str, body: Value) -> String {
    let reply = app.post(url, &body.to_string()).await;
    assert_eq!(reply.status, 201, "{url}: {}", reply.text);
    reply.json()["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_scripts_run_summary_counts_its_devices_and_users() {
    let app = TestApp::spawn().await;
    let script = app.create_script().await;
    let holder = format!("{SCRIPTS}/{script}");
    let run_summary = format!("{holder}/runSummary");
    let zero = app.get(&run_summary).await.json();
    assert_eq!(zero["successDeviceCount"], 0);
    // Two users: one with a failing device, one whose devices all succeed.
    let ok_user = created(
        &app,
        &format!("{holder}/userRunStates"),
        json!({"userPrincipalName": "a@x"}),
    )
    .await;
    let bad_user = created(
        &app,
        &format!("{holder}/userRunStates"),
        json!({"userPrincipalName": "b@x"}),
    )
    .await;
    for (user, state) in [
        (&ok_user, "success"),
        (&ok_user, "success"),
        (&bad_user, "success"),
        (&bad_user, "scriptError"),
    ] {
        // The device's state, then its user's: the user's counts go up into the summary.
        let body = json!({"runState": state});
        created(&app, &format!("{holder}/deviceRunStates"), body.clone()).await;
        created(
            &app,
            &format!("{holder}/userRunStates/{user}/deviceRunStates"),
            body,
        )
        .await;
    }
    let read = app.get(&run_summary).await.json();
    assert_eq!(
        (
            &read["successDeviceCount"],
            &read["errorDeviceCount"],
            &read["successUserCount"],
            &read["errorUserCount"]
        ),
        (&json!(3), &json!(1), &json!(1), &json!(1)),
        "{read}"
    );
    let user = app
        .get(&format!("{holder}/userRunStates/{bad_user}"))
        .await
        .json();
    assert_eq!(
        (&user["successDeviceCount"], &user["errorDeviceCount"]),
        (&json!(1), &json!(1))
    );
    assert_summary(&app, "runSummary", &run_summary, &holder).await;
    created(
        &app,
        &format!("{holder}/deviceRunStates"),
        json!({"runState": "pending"}),
    )
    .await;
    assert_summary(&app, "runSummary", &run_summary, &holder).await;

    // An explicit write sets the summary; the next state change recomputes it.
    let seeded = app
        .patch(&run_summary, r#"{"successDeviceCount": 40}"#)
        .await;
    assert_eq!(seeded.json()["successDeviceCount"], 40);
    assert_eq!(app.get(&run_summary).await.json()["successDeviceCount"], 40);
    created(
        &app,
        &format!("{holder}/deviceRunStates"),
        json!({"runState": "success"}),
    )
    .await;
    assert_eq!(app.get(&run_summary).await.json()["successDeviceCount"], 4);
    // DELETE resets it to the computed state, not to zero.
    assert_eq!(
        app.patch(&run_summary, r#"{"errorDeviceCount": 9}"#)
            .await
            .status,
        200
    );
    assert_eq!(app.delete(&run_summary).await.status, 204);
    assert_eq!(app.get(&run_summary).await.json()["errorDeviceCount"], 1);
}

#[tokio::test]
async fn a_new_configuration_has_computed_summaries_that_follow_its_statuses() {
    let app = TestApp::spawn().await;
    let config = created(
        &app,
        CONFIGS,
        json!({"@odata.type": "#microsoft.graph.iosMobileAppConfiguration", "displayName": "Mail", "version": 7}),
    )
    .await;
    let holder = format!("{CONFIGS}/{config}");
    for place in ["deviceStatusSummary", "userStatusSummary"] {
        let fresh = app.get(&format!("{holder}/{place}")).await.json();
        assert_eq!(fresh["configurationVersion"], 7, "{place}: {fresh}");
        assert_eq!(fresh["successCount"], 0);
    }
    for (status, when) in [
        ("compliant", "2026-03-01T10:00:00Z"),
        ("remediated", "2026-03-02T10:00:00Z"),
        ("nonCompliant", "2026-03-05T10:00:00Z"),
        ("unknown", "2026-02-01T10:00:00Z"),
        ("notAssigned", "2026-01-01T10:00:00Z"),
    ] {
        let body = json!({"status": status, "lastReportedDateTime": when});
        created(&app, &format!("{holder}/deviceStatuses"), body).await;
    }
    let read = app
        .get(&format!("{holder}/deviceStatusSummary"))
        .await
        .json();
    assert_eq!(
        (
            &read["successCount"],
            &read["failedCount"],
            &read["pendingCount"],
            &read["errorCount"]
        ),
        (&json!(2), &json!(1), &json!(1), &json!(0)),
        "{read}"
    );
    assert_eq!(read["lastUpdateDateTime"], "2026-03-05T10:00:00Z");
    assert_summary(
        &app,
        "deviceStatusSummary",
        &format!("{holder}/deviceStatusSummary"),
        &holder,
    )
    .await;
    // The configuration's version follows it; v1.0 reads the same summary.
    let patched = app
        .patch(
            &holder,
            r##"{"@odata.type": "#microsoft.graph.iosMobileAppConfiguration", "version": 8}"##,
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    let v1 = app
        .get(&format!(
            "/v1.0/deviceAppManagement/mobileAppConfigurations/{config}/deviceStatusSummary"
        ))
        .await
        .json();
    assert_eq!(
        (&v1["configurationVersion"], &v1["successCount"]),
        (&json!(8), &json!(2))
    );
    assert!(v1.get("conflictCount").is_none(), "beta-only");
}

#[tokio::test]
async fn a_macos_account_sums_its_categories_which_count_their_updates() {
    let app = TestApp::spawn().await;
    // Seed 002's explicit counts stand until a category changes.
    let account = created(
        &app,
        ACCOUNTS,
        json!({"displayName": "Mac", "totalUpdateCount": 9}),
    )
    .await;
    let holder = format!("{ACCOUNTS}/{account}");
    assert_eq!(app.get(&holder).await.json()["totalUpdateCount"], 9);
    let category = created(
        &app,
        &format!("{holder}/categorySummaries"),
        json!({"displayName": "Critical", "updateCategory": "critical"}),
    )
    .await;
    let category = format!("{holder}/categorySummaries/{category}");
    for state in ["success", "installFailed", "downloading"] {
        let body = json!({"displayName": state, "state": state, "lastUpdatedDateTime": "2026-04-01T00:00:00Z"});
        created(&app, &format!("{category}/updateStateSummaries"), body).await;
    }
    let read = app.get(&category).await.json();
    assert_eq!(
        (
            &read["successfulUpdateCount"],
            &read["failedUpdateCount"],
            &read["totalUpdateCount"]
        ),
        (&json!(1), &json!(1), &json!(3))
    );
    assert_summary(&app, "categorySummaries", &category, &category).await;
    assert_summary(
        &app,
        "macOSSoftwareUpdateAccountSummaries",
        &holder,
        &holder,
    )
    .await;
    assert_eq!(app.get(&holder).await.json()["totalUpdateCount"], 3);
}

const RUN_STATES: [&str; 6] = [
    "unknown",
    "success",
    "fail",
    "scriptError",
    "pending",
    "notApplicable",
];
const STATUSES: [&str; 8] = [
    "unknown",
    "notApplicable",
    "compliant",
    "remediated",
    "nonCompliant",
    "error",
    "conflict",
    "notAssigned",
];

/// A device's state: (its user, its run state or status index, later changed to, deleted).
fn device() -> impl Strategy<Value = (usize, usize, Option<usize>, bool)> {
    (
        0usize..3,
        0usize..8,
        prop::option::of(0usize..8),
        prop::bool::weighted(0.2),
    )
}

/// Random states written, changed and deleted: every summary equals its recount. One
/// runtime and one server serve every case (the server, and its data set, go with the test).
#[test]
fn every_summary_equals_a_recount_of_its_states() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let app = runtime.block_on(async {
        let app = TestApp::spawn().await;
        // Every case writes to the one tenant: past Intune's limits per 20 s.
        app.throttling_off().await;
        app
    });
    let app = &app;
    proptest!(ProptestConfig { cases: 12, ..ProptestConfig::default() }, |(devices in prop::collection::vec(device(), 0..10))| {
        runtime.block_on(async {
            let script = app.create_script().await;
            let scripts = format!("{SCRIPTS}/{script}");
            let config = app.create_configuration("beta").await;
            let configs = format!("{CONFIGS}/{config}");
            let mut users = Vec::new();
            for u in 0..3 {
                let body = json!({"userPrincipalName": format!("user{u}@x")});
                users.push(created(app, &format!("{scripts}/userRunStates"), body).await);
            }
            for (user, state, change, delete) in &devices {
                let run = |i: usize| json!({"runState": RUN_STATES[i % RUN_STATES.len()]});
                let status = |i: usize| json!({"status": STATUSES[i], "lastReportedDateTime": format!("2026-05-0{}T00:00:00Z", 1 + i)});
                let nested = format!("{scripts}/userRunStates/{}/deviceRunStates", users[*user]);
                let written = [
                    (format!("{scripts}/deviceRunStates"), run(*state), change.map(run)),
                    (nested.clone(), run(*state), change.map(run)),
                    (format!("{configs}/deviceStatuses"), status(*state), change.map(status)),
                    (format!("{configs}/userStatuses"), status(*state), change.map(status)),
                ];
                for (collection, body, changed) in written {
                    let id = created(app, &collection, body).await;
                    let item = format!("{collection}/{id}");
                    if let Some(changed) = changed {
                        assert_eq!(app.patch(&item, &changed.to_string()).await.status, 200);
                    }
                    if *delete {
                        assert_eq!(app.delete(&item).await.status, 204);
                    }
                }
            }
            assert_summary(app, "runSummary", &format!("{scripts}/runSummary"), &scripts).await;
            for user in &users {
                let user = format!("{scripts}/userRunStates/{user}");
                assert_summary(app, "userRunStates", &user, &user).await;
            }
            for place in ["deviceStatusSummary", "userStatusSummary"] {
                assert_summary(app, place, &format!("{configs}/{place}"), &configs).await;
            }
        });
    });
}
