//! Query options on real collections, executed by the database: what a client sees.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::helpers::{Session, TestApp};

const MACS: &str = "/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries";

/// Creates `count` macOS summaries through `$batch` (20 a request); returns their bodies.
/// Throttling is off for the tenant: these bulk loads pass Intune's 100 writes per 20 s.
async fn create_macs(app: &Session, count: usize, offset: usize) -> Vec<Value> {
    app.throttling_off().await;
    let mut created = Vec::new();
    let indexes: Vec<usize> = (offset..offset + count).collect();
    for chunk in indexes.chunks(20) {
        let requests: Vec<Value> = chunk
            .iter()
            .map(|i| {
                json!({
                    "id": i.to_string(), "method": "POST",
                    "url": "/deviceManagement/macOSSoftwareUpdateAccountSummaries",
                    "headers": {"Content-Type": "application/json"},
                    "body": {
                        "displayName": format!("Mac {i:04}"),
                        "failedUpdateCount": i % 7,
                        "deviceName": if i % 3 == 0 { Value::Null } else { json!(format!("device-{}", i % 5)) },
                        "lastUpdatedDateTime": format!("2026-01-{:02}T00:00:00Z", i % 28 + 1),
                    }
                })
            })
            .collect();
        let reply = app
            .post("/beta/$batch", &json!({ "requests": requests }).to_string())
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        for response in reply.json()["responses"].as_array().unwrap() {
            assert_eq!(response["status"], 201, "{response}");
            created.push(response["body"].clone());
        }
    }
    created
}

fn names(page: &Value) -> Vec<String> {
    page["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["displayName"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn filter_orderby_select_top_skip_and_count_are_served() {
    let app = TestApp::spawn().await;
    let all = create_macs(&app, 30, 0).await;

    let failing = app
        .get(&format!(
            "{MACS}?$filter=failedUpdateCount gt 3&$count=true"
        ))
        .await
        .json();
    let expected = all
        .iter()
        .filter(|m| m["failedUpdateCount"].as_i64().unwrap() > 3)
        .count();
    assert_eq!(failing["@odata.count"], expected as u64);
    assert_eq!(failing["value"].as_array().unwrap().len(), expected);
    assert!(
        failing["value"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["failedUpdateCount"].as_i64().unwrap() > 3)
    );

    let combined = app
        .get(&format!("{MACS}?filter=lastUpdatedDateTime+ge+2026-01-10T00:00:00Z%20and%20deviceName%20ne%20null"))
        .await
        .json();
    let expected: Vec<&Value> = all
        .iter()
        .filter(|m| {
            m["lastUpdatedDateTime"].as_str().unwrap() >= "2026-01-10" && !m["deviceName"].is_null()
        })
        .collect();
    assert_eq!(combined["value"].as_array().unwrap().len(), expected.len());

    let ordered = app
        .get(&format!(
            "{MACS}?$orderby=failedUpdateCount desc,displayName"
        ))
        .await
        .json();
    let mut sorted: Vec<(i64, String)> = all
        .iter()
        .map(|m| {
            (
                m["failedUpdateCount"].as_i64().unwrap(),
                m["displayName"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    sorted.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    assert_eq!(
        names(&ordered),
        sorted.iter().map(|s| s.1.clone()).collect::<Vec<_>>()
    );

    let selected = app
        .get(&format!(
            "{MACS}?$SELECT=displayName,FailedUpdateCount&$top=2"
        ))
        .await
        .json();
    assert_eq!(
        selected["@odata.context"],
        format!(
            "{}{}",
            app.base,
            "/beta/$metadata#deviceManagement/macOSSoftwareUpdateAccountSummaries(displayName,failedUpdateCount)"
        )
    );
    let first = selected["value"][0].as_object().unwrap();
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        ["@odata.type", "displayName", "failedUpdateCount"]
    );
    assert_eq!(
        selected["value"].as_array().unwrap().len(),
        2,
        "$top is the page size"
    );
    assert!(selected["@odata.nextLink"].is_string());

    let skipped = app.get(&format!("{MACS}?$skip=25")).await.json();
    assert_eq!(
        names(&skipped),
        ["Mac 0025", "Mac 0026", "Mac 0027", "Mac 0028", "Mac 0029"]
    );

    let count = app
        .get(&format!("{MACS}/$count?$filter=failedUpdateCount eq 0"))
        .await;
    let zero = all.iter().filter(|m| m["failedUpdateCount"] == 0).count();
    assert_eq!(count.text, zero.to_string());

    let clamped = app.get(&format!("{MACS}?$top=5000")).await.json();
    assert_eq!(clamped["value"].as_array().unwrap().len(), 30);
    assert!(clamped.get("@odata.nextLink").is_none());
}

#[tokio::test]
async fn prefer_maxpagesize_sets_the_page_and_says_so() {
    let app = TestApp::spawn().await;
    create_macs(&app, 10, 0).await;
    let reply = app
        .request("GET", MACS, None, &[("Prefer", "odata.maxpagesize=4")])
        .await;
    assert_eq!(
        reply.header("preference-applied"),
        Some("odata.maxpagesize=4")
    );
    assert_eq!(reply.json()["value"].as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn enums_filter_by_name_and_by_qualified_literal() {
    let app = TestApp::spawn().await;
    let mac = create_macs(&app, 1, 0).await.remove(0);
    let category = app
        .post(
            &format!("{MACS}/{}/categorySummaries", mac["id"].as_str().unwrap()),
            r#"{"displayName": "c", "updateCategory": "firmware"}"#,
        )
        .await
        .json();
    let states = format!(
        "{MACS}/{}/categorySummaries/{}/updateStateSummaries",
        mac["id"].as_str().unwrap(),
        category["id"].as_str().unwrap()
    );
    for (name, state) in [
        ("a", "installFailed"),
        ("b", "success"),
        ("c", "downloadFailed"),
        ("d", "installFailed"),
    ] {
        let body =
            json!({"displayName": name, "state": state, "updateCategory": "firmware"}).to_string();
        assert_eq!(app.post(&states, &body).await.status, 201);
    }
    let by_name = app
        .get(&format!("{states}?$filter=state eq 'installFailed'"))
        .await
        .json();
    assert_eq!(names(&by_name), ["a", "d"]);
    let qualified = app
        .get(&format!(
            "{states}?$filter=state eq microsoft.graph.macOSSoftwareUpdateState'installFailed'"
        ))
        .await
        .json();
    assert_eq!(names(&qualified), ["a", "d"]);
    let listed = app
        .get(&format!(
            "{states}?$filter=state in ('success','downloadFailed')&$orderby=state desc"
        ))
        .await
        .json();
    assert_eq!(
        names(&listed),
        ["c", "b"],
        "enums order by value: downloadFailed (2000) after success (0)"
    );
}

#[tokio::test]
async fn expand_reads_navigations_with_nested_options() {
    let app = TestApp::spawn().await;
    let script = app.create_script().await;
    let base = format!("/beta/deviceManagement/deviceManagementScripts/{script}");
    for user in ["a@contoso.com", "b@contoso.com", "c@contoso.com"] {
        let body = json!({"userPrincipalName": user, "errorDeviceCount": 1}).to_string();
        assert_eq!(
            app.post(&format!("{base}/userRunStates"), &body)
                .await
                .status,
            201
        );
    }
    assert_eq!(
        app.patch(
            &format!("{base}/runSummary"),
            r#"{"successDeviceCount": 9}"#
        )
        .await
        .status,
        200
    );

    let list = app
        .get("/beta/deviceManagement/deviceManagementScripts?$expand=runSummary,userRunStates($filter=userPrincipalName ne 'b@contoso.com';$orderby=userPrincipalName desc;$top=1;$select=userPrincipalName)")
        .await
        .json();
    assert_eq!(
        list["@odata.context"],
        format!(
            "{}/beta/$metadata#deviceManagement/deviceManagementScripts(runSummary(),userRunStates())",
            app.base
        )
    );
    let item = &list["value"][0];
    assert_eq!(item["runSummary"]["successDeviceCount"], 9);
    assert_eq!(
        item["userRunStates"],
        json!([{"@odata.type": "#microsoft.graph.deviceManagementScriptUserState", "userPrincipalName": "c@contoso.com"}])
    );

    let one = app
        .get(&format!("{base}?$select=displayName&$expand=assignments"))
        .await
        .json();
    assert_eq!(one["assignments"], json!([]));
    assert!(one.get("runAsAccount").is_none());
    assert!(
        one["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("deviceManagementScripts(displayName,assignments())/$entity")
    );
}

#[tokio::test]
async fn bad_options_are_400s_that_name_the_option() {
    let app = TestApp::spawn().await;
    let cases = [
        (format!("{MACS}?$filter=failedUpdateCount eq"), "position"),
        (
            format!("{MACS}?$filter=failedUpdateCount eq 'three'"),
            "Edm.Int32",
        ),
        (format!("{MACS}?$filter=nope eq 1"), "'nope'"),
        (format!("{MACS}?$orderby=displayName sideways"), "$orderby"),
        (format!("{MACS}?$top=0"), "$top"),
        (format!("{MACS}?$top=1&top=2"), "more than once"),
        (format!("{MACS}?$search=mac"), "$search"),
        (
            format!("{MACS}?$select=displayName,displayName"),
            "more than once",
        ),
        (format!("{MACS}?$expand="), "no value"),
        (format!("{MACS}?$skiptoken=forged"), "$skiptoken"),
        (
            "/v1.0/deviceManagement/softwareUpdateStatusSummary?$filter=displayName eq 'x'"
                .to_string(),
            "$filter",
        ),
    ];
    for (path, fragment) in cases {
        let reply = app.get(&path).await;
        assert_eq!(reply.status, 400, "{path}: {}", reply.text);
        let (code, message) = reply.error();
        assert_eq!(code, "BadRequest", "{path}");
        assert!(message.contains(fragment), "{path}: {message}");
    }
    let write = app
        .request(
            "POST",
            &format!("{MACS}?$select=id"),
            Some(r#"{"displayName": "x"}"#),
            &[],
        )
        .await;
    assert_eq!(write.status, 400);
    assert!(write.error().1.contains("$select"));
    assert_eq!(
        app.get(MACS).await.json()["value"],
        json!([]),
        "the refused write wrote nothing"
    );
}

#[tokio::test]
async fn next_links_keep_the_options_and_only_fit_their_own_query() {
    let app = TestApp::spawn().await;
    create_macs(&app, 12, 0).await;
    let first = app.get(&format!("{MACS}?$filter=failedUpdateCount%20lt%206&$orderby=displayName%20desc&$top=5&$select=displayName")).await.json();
    let next = first["@odata.nextLink"].as_str().unwrap().to_string();
    assert!(next.starts_with(&format!("{}{MACS}?", app.base)), "{next}");
    for kept in [
        "$filter=failedUpdateCount%20lt%206",
        "$orderby=displayName%20desc",
        "$top=5",
        "$select=displayName",
        "$skiptoken=",
    ] {
        assert!(next.contains(kept), "{next} keeps {kept}");
    }
    let token = next.split("$skiptoken=").nth(1).unwrap();
    let second = app.get(next.strip_prefix(&app.base).unwrap()).await;
    assert_eq!(second.status, 200);

    let other_query = app
        .get(&format!("{MACS}?$orderby=displayName&$skiptoken={token}"))
        .await;
    assert_eq!(other_query.status, 400, "a token belongs to its own query");
    let mut tampered = token.to_string();
    tampered.replace_range(0..1, if token.starts_with('W') { "X" } else { "W" });
    let reply = app.get(&format!("{MACS}?$filter=failedUpdateCount%20lt%206&$orderby=displayName%20desc&$skiptoken={tampered}")).await;
    assert_eq!(reply.status, 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_walk_sees_every_row_once_while_rows_come_and_go() {
    let app = TestApp::spawn().await;
    let initial = create_macs(&app, 1000, 0).await;
    let initial_ids: Vec<String> = initial
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_string())
        .collect();
    let mut deleted: HashSet<String> = HashSet::new();
    let mut seen: Vec<String> = Vec::new();
    let mut url = format!("{MACS}?$orderby=failedUpdateCount,lastUpdatedDateTime%20desc&$top=100");
    let mut round = 0;
    loop {
        let page = app.get(&url).await.json();
        seen.extend(
            page["value"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["id"].as_str().unwrap().to_string()),
        );
        // Between pages: new rows arrive and some old ones (seen or not) are deleted.
        create_macs(&app, 20, 1000 + round * 20).await;
        for victim in initial_ids
            .iter()
            .skip(round * 37 % 1000)
            .step_by(97)
            .take(3)
        {
            if deleted.insert(victim.clone()) {
                assert_eq!(app.delete(&format!("{MACS}/{victim}")).await.status, 204);
            }
        }
        round += 1;
        match page["@odata.nextLink"].as_str() {
            Some(next) => url = next.strip_prefix(&app.base).unwrap().to_string(),
            None => break,
        }
        assert!(round < 100, "the walk ends");
    }
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no row is seen twice");
    for id in initial_ids.iter().filter(|id| !deleted.contains(*id)) {
        assert!(
            unique.contains(id),
            "{id} was there all along and must be seen"
        );
    }
}
