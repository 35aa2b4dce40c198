//! Query options at their edges: deep and long filters, huge numbers, ordering by the key,
//! paths into derived complex types. Each answers as specified, never with a crash.

use serde_json::json;

use crate::helpers::TestApp;

const MACS: &str = "/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries";

#[tokio::test]
async fn deep_or_long_filters_are_refused_or_served_but_never_crash() {
    let app = TestApp::spawn().await;
    for i in 0..3 {
        let body =
            json!({"displayName": format!("Mac {i}"), "successfulUpdateCount": i}).to_string();
        assert_eq!(app.post(MACS, &body).await.status, 201);
    }
    let nested_not = format!("{}(successfulUpdateCount eq 1)", "not ".repeat(200));
    let nested_parens = format!(
        "{}successfulUpdateCount eq 1{}",
        "(".repeat(400),
        ")".repeat(400)
    );
    for filter in [nested_not, nested_parens] {
        let reply = app.get(&format!("{MACS}?$filter={filter}")).await;
        assert_eq!(reply.status, 400, "{}", reply.text);
        assert!(reply.error().1.contains("nests deeper"), "{}", reply.text);
    }
    let long: Vec<String> = (0..300)
        .map(|i| format!("successfulUpdateCount eq {i}"))
        .collect();
    let reply = app
        .get(&format!("{MACS}?$filter={}", long.join(" or ")))
        .await;
    assert_eq!(
        reply.status, 200,
        "a 300-term filter is served: {}",
        reply.text
    );
    assert_eq!(reply.json()["value"].as_array().unwrap().len(), 3);
    // Written compactly ('+' for spaces), so the request target stays within the URI
    // limit and the filter's own term limit answers.
    let too_long = vec!["successfulUpdateCount+eq+1"; 1001];
    let reply = app
        .get(&format!("{MACS}?$filter={}", too_long.join("+or+")))
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(
        app.get("/healthz").await.status,
        200,
        "the server is still up"
    );
}

#[tokio::test]
async fn huge_numbers_do_not_wrap() {
    let app = TestApp::spawn().await;
    assert_eq!(
        app.post(MACS, r#"{"displayName": "Mac"}"#).await.status,
        201
    );
    for skip in ["18446744073709551615", "9223372036854775808"] {
        let reply = app.get(&format!("{MACS}?$skip={skip}")).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        assert_eq!(
            reply.json()["value"],
            json!([]),
            "skipping past everything leaves nothing"
        );
    }
    let script = app.create_script().await;
    let states = format!("/beta/deviceManagement/deviceManagementScripts/{script}/userRunStates");
    assert_eq!(
        app.post(&states, r#"{"userPrincipalName": "a@contoso.com"}"#)
            .await
            .status,
        201
    );
    let expanded = app
        .get("/beta/deviceManagement/deviceManagementScripts?$expand=userRunStates($top=18446744073709551615)")
        .await
        .json();
    assert_eq!(
        expanded["value"][0]["userRunStates"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let zero = app
        .get("/beta/deviceManagement/deviceManagementScripts?$expand=userRunStates($top=0)")
        .await;
    assert_eq!(zero.status, 400);
}

#[tokio::test]
async fn ordering_by_the_key_pages_through_every_row() {
    let app = TestApp::spawn().await;
    for i in 0..5 {
        assert_eq!(
            app.post(
                MACS,
                &json!({"displayName": format!("Mac {i}")}).to_string()
            )
            .await
            .status,
            201
        );
    }
    for order in ["id", "id desc"] {
        let mut seen = Vec::new();
        let mut url = format!("{MACS}?$select=id&$orderby={order}&$top=2");
        for _ in 0..10 {
            let page = app.get(&url).await.json();
            seen.extend(
                page["value"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|m| m["id"].as_str().unwrap().to_string()),
            );
            match page["@odata.nextLink"].as_str() {
                Some(next) => url = next.strip_prefix(&app.base).unwrap().to_string(),
                None => break,
            }
        }
        let mut expected = seen.clone();
        expected.sort();
        if order == "id desc" {
            expected.reverse();
        }
        assert_eq!(seen.len(), 5, "{order}: {seen:?}");
        assert_eq!(seen, expected, "{order}");
    }
}

#[tokio::test]
async fn filters_reach_properties_of_derived_complex_types_and_check_enum_literals() {
    let app = TestApp::spawn().await;
    let script = app.create_script().await;
    let assignments =
        format!("/beta/deviceManagement/deviceManagementScripts/{script}/assignments");
    for group in ["g1", "g2"] {
        let body = json!({"target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": group}});
        assert_eq!(app.post(&assignments, &body.to_string()).await.status, 201);
    }
    let all_devices =
        json!({"target": {"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget"}});
    assert_eq!(
        app.post(&assignments, &all_devices.to_string())
            .await
            .status,
        201
    );
    let g1 = app
        .get(&format!("{assignments}?$filter=target/groupId eq 'g1'"))
        .await;
    assert_eq!(g1.status, 200, "{}", g1.text);
    assert_eq!(g1.json()["value"].as_array().unwrap().len(), 1);
    assert_eq!(g1.json()["value"][0]["target"]["groupId"], "g1");

    for bad in [
        "microsoft.graph.nope'x' eq microsoft.graph.nope'x'",
        "microsoft.graph.runState'bogus' eq microsoft.graph.runState'bogus'",
    ] {
        let reply = app.get(&format!("{assignments}?$filter={bad}")).await;
        assert_eq!(reply.status, 400, "{bad}: {}", reply.text);
    }
}

/// An option given twice inside `$expand(…)` is a 400 naming it, as at the top level
/// (not "the last one wins").
#[tokio::test]
async fn an_option_repeated_inside_expand_is_refused_by_name() {
    let app = TestApp::spawn().await;
    let script = app.create_script().await;
    let url = format!("/beta/deviceManagement/deviceManagementScripts/{script}");
    for (nested, option) in [
        ("$top=1;$top=3", "$top"),
        (
            "$filter=runState eq 'success';$filter=runState eq 'fail'",
            "$filter",
        ),
        ("$orderby=id;orderby=id desc", "$orderby"),
        ("$select=id;$SELECT=runState", "$select"),
    ] {
        let reply = app
            .get(&format!("{url}?$expand=deviceRunStates({nested})"))
            .await;
        assert_eq!(reply.status, 400, "{nested}: {}", reply.text);
        assert_eq!(
            reply.error(),
            (
                "BadRequest".to_string(),
                format!(
                    "Query option '{option}' was specified more than once in $expand of 'deviceRunStates', but it must be specified at most once."
                )
            ),
            "{nested}"
        );
    }
    let once = app
        .get(&format!("{url}?$expand=deviceRunStates($top=1;$select=id)"))
        .await;
    assert_eq!(once.status, 200, "{}", once.text);
}

/// `$top` of any length of digits is clamped to the largest page, as a long one is:
/// past u64 too (and `$skip` skips past everything).
#[tokio::test]
async fn tops_past_u64_are_clamped_like_any_large_top() {
    let app = TestApp::spawn().await;
    assert_eq!(
        app.post(MACS, r#"{"displayName": "Mac"}"#).await.status,
        201
    );
    let huge = "99999999999999999999999";
    for query in [
        "$top=99999999999".to_string(),
        format!("$top={huge}"),
        format!("$top=+{huge}"),
    ] {
        let reply = app.get(&format!("{MACS}?{query}")).await;
        assert_eq!(reply.status, 200, "{query}: {}", reply.text);
        assert_eq!(
            reply.json()["value"].as_array().unwrap().len(),
            1,
            "{query}"
        );
    }
    let skipped = app.get(&format!("{MACS}?$skip={huge}")).await;
    assert_eq!(skipped.status, 200, "{}", skipped.text);
    assert_eq!(skipped.json()["value"], json!([]));
    let script = app.create_script().await;
    let expanded = app
        .get(&format!(
            "/beta/deviceManagement/deviceManagementScripts/{script}?$expand=userRunStates($top={huge})"
        ))
        .await;
    assert_eq!(expanded.status, 200, "{}", expanded.text);
    for refused in ["$top=-1", "$top=1e3", "$top=0", "$top=00"] {
        let reply = app.get(&format!("{MACS}?{refused}")).await;
        assert_eq!(reply.status, 400, "{refused}: {}", reply.text);
    }
}

/// `$select` may name a navigation property (OData: it asks for the navigation link,
/// which minimal metadata leaves out): 200, the context lists it, the entity holds only
/// the selected properties, and `$expand` still brings the target inline.
#[tokio::test]
async fn a_navigation_property_may_be_selected() {
    let app = TestApp::spawn().await;
    let script = app.create_script().await;
    let scripts = "/beta/deviceManagement/deviceManagementScripts";
    let listed = app
        .get(&format!("{scripts}?$select=displayName,runSummary"))
        .await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    let page = listed.json();
    assert!(
        page["@odata.context"].as_str().unwrap().ends_with(
            "/beta/$metadata#deviceManagement/deviceManagementScripts(displayName,runSummary)"
        ),
        "{page}"
    );
    let entity = page["value"][0].as_object().unwrap();
    assert_eq!(entity["displayName"], "Inventory");
    assert!(
        !entity.contains_key("runSummary") && !entity.contains_key("id"),
        "{page}"
    );

    let one = app
        .get(&format!(
            "{scripts}/{script}?$select=RunSummary&$expand=runSummary($select=successDeviceCount)"
        ))
        .await;
    assert_eq!(one.status, 200, "{}", one.text);
    let one = one.json();
    assert!(one.get("displayName").is_none(), "{one}");
    assert_eq!(one["runSummary"]["successDeviceCount"], 0, "{one}");
    // Nested, in an expansion's own `$select`.
    let nested = app
        .get(&format!(
            "{scripts}/{script}?$expand=deviceRunStates($select=runState,managedDevice)"
        ))
        .await;
    assert_eq!(nested.status, 200, "{}", nested.text);
    // What is neither stays unknown.
    let unknown = app.get(&format!("{scripts}?$select=runSummaries")).await;
    assert_eq!(unknown.status, 400);
    assert_eq!(
        unknown.error().1,
        "Could not find a property named 'runSummaries' on type 'microsoft.graph.deviceManagementScript'."
    );
}
