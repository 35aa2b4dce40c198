//! A bounded HTTP fuzz test: requests assembled from the service's own vocabulary
//! (paths, query options, bodies) and from junk, over a real socket. Every answer must be
//! below 500, in Graph's error shape when it is an error, on an open connection.
//! Deterministic (a fixed seed), bounded in count and time; a failure is shrunk to a
//! small request by proptest.

use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use serde_json::Value as Json;

use crate::helpers::TestApp;

const CASES: u32 = 1000;
const TIME: Duration = Duration::from_secs(20);

/// One request: method, path and query as sent, and a body.
#[derive(Debug, Clone)]
struct Probe {
    method: &'static str,
    target: String,
    body: Option<String>,
}

fn segment(ids: Vec<String>) -> impl Strategy<Value = String> {
    let mut known: Vec<String> = [
        "deviceManagement",
        "deviceAppManagement",
        "macOSSoftwareUpdateAccountSummaries",
        "categorySummaries",
        "deviceManagementScripts",
        "mobileAppConfigurations",
        "softwareUpdateStatusSummary",
        "runSummary",
        "userStatusSummary",
        "deviceRunStates",
        "assignments",
        "$ref",
        "$count",
        "$batch",
        "$metadata",
        "openapi.json",
        "deviceManagementScripts('x')",
        "%FF%FE",
        "a%00b",
        "%C3%28",
        "..",
        "",
        "x%2Fy",
        "%2525",
        "é",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    known.extend(ids);
    prop_oneof![
        4 => prop::sample::select(known),
        1 => "[a-zA-Z0-9%'()$.,=-]{0,12}",
    ]
}

fn option_value() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("displayName"),
        Just("failedUpdateCount"),
        Just("lastUpdatedDateTime"),
        Just("id"),
        Just("categorySummaries"),
        Just("+eq+"),
        Just("+gt+"),
        Just("+and+"),
        Just("+or+"),
        Just("not+"),
        Just("+in+"),
        Just("+desc"),
        Just("startswith("),
        Just("("),
        Just(")"),
        Just(","),
        Just("'"),
        Just("'a'"),
        Just("null"),
        Just("3"),
        Just("-1"),
        Just("99999999999999999999"),
        Just("2024-01-01T00:00:00Z"),
        Just("%FF"),
        Just("%00"),
        Just("%27"),
        Just("$select=id"),
        Just(";"),
    ];
    prop::collection::vec(token, 0..12).prop_map(|t| t.concat())
}

fn query() -> impl Strategy<Value = String> {
    let name = prop_oneof![
        Just("$filter"),
        Just("$orderby"),
        Just("$select"),
        Just("$expand"),
        Just("$top"),
        Just("$skip"),
        Just("$count"),
        Just("$skiptoken"),
        Just("$search"),
        Just("filter"),
        Just("%24top"),
        Just("$FILTER"),
        Just("x"),
    ];
    prop::collection::vec((name, option_value()), 0..4).prop_map(|pairs| {
        let joined: Vec<String> = pairs.iter().map(|(n, v)| format!("{n}={v}")).collect();
        if joined.is_empty() {
            String::new()
        } else {
            format!("?{}", joined.join("&"))
        }
    })
}

fn body() -> impl Strategy<Value = Option<String>> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(Json::from),
        any::<f64>().prop_map(Json::from),
        "[a-z\u{0}é'%]{0,8}".prop_map(Json::String),
    ];
    let json = leaf.prop_recursive(3, 32, 6, |inner| {
        let key = prop_oneof![
            Just("displayName".to_string()),
            Just("failedUpdateCount".to_string()),
            Just("lastUpdatedDateTime".to_string()),
            Just("@odata.type".to_string()),
            Just("requests".to_string()),
            Just("id".to_string()),
            Just("method".to_string()),
            Just("url".to_string()),
            "[a-zA-Z@.]{0,10}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Json::Array),
            prop::collection::vec((key, inner), 0..6)
                .prop_map(|entries| Json::Object(entries.into_iter().collect())),
        ]
    });
    prop_oneof![
        1 => Just(None),
        4 => json.prop_map(|j| Some(j.to_string())),
        1 => "\\PC{0,40}".prop_map(Some),
        1 => Just(Some(r#"{"displayName":"a","displayName":"b"}"#.to_string())),
    ]
}

/// A path the service serves, with the data set's ids.
fn served_path(ids: &[String]) -> impl Strategy<Value = String> + use<> {
    let (mac, script) = (&ids[0], &ids[1]);
    let paths = vec![
        "deviceManagement".to_string(),
        "deviceManagement/macOSSoftwareUpdateAccountSummaries".into(),
        format!("deviceManagement/macOSSoftwareUpdateAccountSummaries/{mac}"),
        format!("deviceManagement/macOSSoftwareUpdateAccountSummaries('{mac}')/categorySummaries"),
        "deviceManagement/macOSSoftwareUpdateAccountSummaries/$count".into(),
        "deviceManagement/softwareUpdateStatusSummary".into(),
        "deviceManagement/softwareUpdateStatusSummary/$ref".into(),
        "deviceManagement/deviceManagementScripts".into(),
        format!("deviceManagement/deviceManagementScripts/{script}"),
        format!("deviceManagement/deviceManagementScripts/{script}/runSummary"),
        format!("deviceManagement/deviceManagementScripts/{script}/assignments"),
        format!("deviceManagement/deviceManagementScripts/{script}/deviceRunStates"),
        "deviceAppManagement/mobileAppConfigurations".into(),
        "$batch".into(),
        "$metadata".into(),
    ];
    prop::sample::select(paths)
}

fn probe(ids: Vec<String>) -> impl Strategy<Value = Probe> {
    let version = prop_oneof![
        4 => Just("beta"),
        4 => Just("v1.0"),
        1 => Just("V1.0"),
        1 => Just("v2"),
        1 => Just("%FF"),
    ];
    let method = prop::sample::select(vec!["GET", "POST", "PATCH", "PUT", "DELETE"]);
    let path = prop_oneof![
        3 => (served_path(&ids), prop::collection::vec(segment(ids.clone()), 0..2))
            .prop_map(|(path, extra)| [vec![path], extra].concat().join("/")),
        1 => prop::collection::vec(segment(ids), 0..5).prop_map(|s| s.join("/")),
    ];
    (method, version, path, query(), body()).prop_map(|(method, version, path, query, body)| {
        Probe {
            method,
            target: format!("/{version}/{path}{query}"),
            body,
        }
    })
}

#[test]
fn fuzzed_requests_never_get_a_5xx_or_a_dropped_connection() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let app = runtime.block_on(TestApp::spawn());
    let ids = runtime.block_on(async {
        let mac = app
            .post(
                "/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries",
                r#"{"displayName": "Mac"}"#,
            )
            .await
            .json()["id"]
            .as_str()
            .unwrap()
            .to_string();
        vec![mac, app.create_script().await]
    });
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let config = Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    let deadline = Instant::now() + TIME;
    let result = runner.run(&probe(ids), |probe| {
        if Instant::now() > deadline {
            return Ok(());
        }
        let url = format!("{}{}", app.base, probe.target);
        let mut request = client
            .request(probe.method.parse().unwrap(), &url)
            .bearer_auth(&app.token);
        if let Some(body) = &probe.body {
            request = request
                .header("content-type", "application/json")
                .body(body.clone());
        }
        let (status, text) = runtime
            .block_on(async {
                let response = request.send().await?;
                let status = response.status().as_u16();
                Ok::<_, reqwest::Error>((status, response.text().await?))
            })
            .map_err(|e| TestCaseError::fail(format!("no answer: {e}")))?;
        prop_assert!(status < 500, "{status}: {text}");
        if status >= 400 {
            let json: Json = serde_json::from_str(&text)
                .map_err(|e| TestCaseError::fail(format!("{status} not JSON ({e}): {text}")))?;
            prop_assert!(json["error"]["code"].is_string(), "{status}: {text}");
        }
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
    assert_eq!(runtime.block_on(app.get("/healthz")).status, 200);
}
