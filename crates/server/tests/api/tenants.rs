//! Tenants: a token's `tid` scopes every read and write. Tenant B can neither read, list,
//! count, expand, update nor delete tenant A's data, its writes never land in A, and A's
//! ids answer B exactly as ids that do not exist.

use serde_json::{Value, json};

use crate::helpers::{Session, TestApp};

const MACS: &str = "/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries";
const SCRIPTS: &str = "/beta/deviceManagement/deviceManagementScripts";
const CONFIGURATIONS: &str = "/v1.0/deviceAppManagement/mobileAppConfigurations";
const SUMMARY: &str = "/v1.0/deviceManagement/softwareUpdateStatusSummary";

/// Tenant A's data, written through `a`.
struct Seeded {
    mac: String,
    script: String,
    configuration: String,
}

async fn seed(a: &Session) -> Seeded {
    let created = |reply: crate::helpers::Reply| {
        assert_eq!(reply.status, 201, "{}", reply.text);
        reply.json()["id"].as_str().unwrap().to_string()
    };
    let mac = created(
        // The account sums its categories: 7 failed updates.
        a.post(MACS, r#"{"displayName":"A's Mac"}"#).await,
    );
    let category = created(
        a.post(
            &format!("{MACS}/{mac}/categorySummaries"),
            r#"{"displayName":"A's category","failedUpdateCount":7}"#,
        )
        .await,
    );
    assert!(!category.is_empty());
    let script = a.create_script().await;
    created(
        a.post(
            &format!("{SCRIPTS}/{script}/deviceRunStates"),
            r#"{"resultMessage":"ok","errorCode":0}"#,
        )
        .await,
    );
    // Set after the state it would otherwise be computed from: the last event wins.
    let replaced = a
        .post(
            &format!("{SCRIPTS}/{script}/runSummary/$ref"),
            r#"{"successDeviceCount":10,"errorDeviceCount":2}"#,
        )
        .await;
    assert_eq!(replaced.status, 204, "{}", replaced.text);
    let configuration = a.create_configuration("v1.0").await;
    created(
        a.post(
            &format!("{CONFIGURATIONS}/{configuration}/userStatusSummary"),
            r#"{"pendingCount":1,"successCount":3}"#,
        )
        .await,
    );
    let patched = a.patch(SUMMARY, r#"{"compliantDeviceCount":4}"#).await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    Seeded {
        mac,
        script,
        configuration,
    }
}

/// What B sees of an id of A's must be what B sees of an id that does not exist.
async fn assert_same_as_missing(
    b: &Session,
    method: &str,
    path: &str,
    missing: &str,
    body: Option<&str>,
) {
    let theirs = b.request(method, path, body, &[]).await;
    let nobody = b.request(method, missing, body, &[]).await;
    assert_eq!(theirs.status, 404, "{method} {path}: {}", theirs.text);
    assert_eq!(
        (theirs.status, theirs.error().0),
        (nobody.status, nobody.error().0),
        "{method} {path} vs {missing}"
    );
}

fn tenant_b(app: &TestApp) -> (String, Session) {
    let tenant = uuid::Uuid::new_v4().to_string();
    let token = app.mint(&server::auth::TokenSpec::everything(
        &tenant,
        std::time::Duration::from_secs(3600),
    ));
    (tenant, app.with_token(&token))
}

#[tokio::test]
async fn tenant_b_cannot_read_list_count_or_expand_tenant_as_data() {
    let app = TestApp::spawn().await;
    let a: &Session = &app;
    let seeded = seed(a).await;
    let (_, b) = tenant_b(&app);
    let ghost = uuid::Uuid::new_v4().to_string();
    let (mac, script, configuration) = (&seeded.mac, &seeded.script, &seeded.configuration);
    for (path, missing) in [
        (format!("{MACS}/{mac}"), format!("{MACS}/{ghost}")),
        (
            format!("{MACS}/{mac}/categorySummaries"),
            format!("{MACS}/{ghost}/categorySummaries"),
        ),
        (format!("{SCRIPTS}/{script}"), format!("{SCRIPTS}/{ghost}")),
        (
            format!("{SCRIPTS}/{script}/runSummary"),
            format!("{SCRIPTS}/{ghost}/runSummary"),
        ),
        (
            format!("{SCRIPTS}/{script}/deviceRunStates"),
            format!("{SCRIPTS}/{ghost}/deviceRunStates"),
        ),
        (
            format!("{SCRIPTS}/{script}/deviceRunStates/$count"),
            format!("{SCRIPTS}/{ghost}/deviceRunStates/$count"),
        ),
        (
            format!("{CONFIGURATIONS}/{configuration}"),
            format!("{CONFIGURATIONS}/{ghost}"),
        ),
        (
            format!("{CONFIGURATIONS}/{configuration}/userStatusSummary"),
            format!("{CONFIGURATIONS}/{ghost}/userStatusSummary"),
        ),
    ] {
        assert_same_as_missing(&b, "GET", &path, &missing, None).await;
    }
    // `GET …/runSummary/$ref` of A's script is, for B, the 404 of a missing script.
    let reference = b.get(&format!("{SCRIPTS}/{script}/runSummary/$ref")).await;
    let ghost_reference = b.get(&format!("{SCRIPTS}/{ghost}/runSummary/$ref")).await;
    assert_eq!((reference.status, ghost_reference.status), (404, 404));
    assert_eq!(
        reference.error().1.replace(script.as_str(), "ID"),
        ghost_reference.error().1.replace(ghost.as_str(), "ID")
    );
    // B's collections are empty, and count nothing.
    for collection in [MACS, SCRIPTS, CONFIGURATIONS] {
        let list = b.get(collection).await;
        assert_eq!(list.status, 200, "{}", list.text);
        assert_eq!(list.json()["value"], json!([]), "{collection}");
        let count = b.get(&format!("{collection}/$count")).await;
        assert_eq!(
            (count.status, count.text.as_str()),
            (200, "0"),
            "{collection}"
        );
        assert_eq!(a.get(&format!("{collection}/$count")).await.text, "1");
    }
    // $expand through B's view: B's collections expand to nothing, and A's entity is
    // not found for B (the message names only what B asked for).
    for path in [
        format!("{SCRIPTS}?$expand=runSummary,deviceRunStates"),
        format!("{CONFIGURATIONS}?$expand=userStatusSummary"),
    ] {
        let reply = b.get(&path).await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.text);
        assert_eq!(reply.json()["value"], json!([]), "{path}");
    }
    let expanded = b
        .get(&format!("{SCRIPTS}/{script}?$expand=deviceRunStates"))
        .await;
    let ghost_expanded = b
        .get(&format!("{SCRIPTS}/{ghost}?$expand=deviceRunStates"))
        .await;
    assert_eq!(expanded.status, 404);
    assert_eq!(
        expanded.error().1.replace(script.as_str(), "ID"),
        ghost_expanded.error().1.replace(ghost.as_str(), "ID")
    );
}

#[tokio::test]
async fn tenant_b_cannot_change_or_delete_tenant_as_data() {
    let app = TestApp::spawn().await;
    let a: &Session = &app;
    let seeded = seed(a).await;
    let (_, b) = tenant_b(&app);
    let ghost = uuid::Uuid::new_v4().to_string();
    let (mac, script, configuration) = (&seeded.mac, &seeded.script, &seeded.configuration);
    let writes: [(&str, String, String, Option<&str>); 9] = [
        (
            "PATCH",
            format!("{MACS}/{mac}"),
            format!("{MACS}/{ghost}"),
            Some(r#"{"displayName":"B was here"}"#),
        ),
        (
            "DELETE",
            format!("{MACS}/{mac}"),
            format!("{MACS}/{ghost}"),
            None,
        ),
        (
            "PATCH",
            format!("{SCRIPTS}/{script}"),
            format!("{SCRIPTS}/{ghost}"),
            Some(r#"{"displayName":"B"}"#),
        ),
        (
            "DELETE",
            format!("{SCRIPTS}/{script}"),
            format!("{SCRIPTS}/{ghost}"),
            None,
        ),
        (
            "PATCH",
            format!("{SCRIPTS}/{script}/runSummary"),
            format!("{SCRIPTS}/{ghost}/runSummary"),
            Some(r#"{"errorDeviceCount":99}"#),
        ),
        (
            "POST",
            format!("{SCRIPTS}/{script}/runSummary/$ref"),
            format!("{SCRIPTS}/{ghost}/runSummary/$ref"),
            Some(r#"{"errorDeviceCount":99}"#),
        ),
        (
            "DELETE",
            format!("{SCRIPTS}/{script}/runSummary/$ref"),
            format!("{SCRIPTS}/{ghost}/runSummary/$ref"),
            None,
        ),
        (
            "PATCH",
            format!("{CONFIGURATIONS}/{configuration}/userStatusSummary"),
            format!("{CONFIGURATIONS}/{ghost}/userStatusSummary"),
            Some(r#"{"pendingCount":99}"#),
        ),
        (
            "POST",
            format!("{SCRIPTS}/{script}/deviceRunStates"),
            format!("{SCRIPTS}/{ghost}/deviceRunStates"),
            Some(r#"{"resultMessage":"B"}"#),
        ),
    ];
    for (method, path, missing, body) in &writes {
        assert_same_as_missing(&b, method, path, missing, *body).await;
    }
    let deleted = b
        .delete(&format!(
            "{CONFIGURATIONS}/{configuration}/userStatusSummary"
        ))
        .await;
    assert_eq!(deleted.status, 404);
    let deleted = b.delete(&format!("{CONFIGURATIONS}/{configuration}")).await;
    assert_eq!(deleted.status, 404);
    // A's data is as A left it.
    let a_mac = a.get(&format!("{MACS}/{mac}")).await.json();
    assert_eq!(
        (&a_mac["displayName"], &a_mac["failedUpdateCount"]),
        (&json!("A's Mac"), &json!(7))
    );
    let run = a
        .get(&format!("{SCRIPTS}/{script}/runSummary"))
        .await
        .json();
    assert_eq!(
        (&run["successDeviceCount"], &run["errorDeviceCount"]),
        (&json!(10), &json!(2))
    );
    let states = a
        .get(&format!("{SCRIPTS}/{script}/deviceRunStates"))
        .await
        .json();
    assert_eq!(states["value"].as_array().unwrap().len(), 1);
    let user = a
        .get(&format!(
            "{CONFIGURATIONS}/{configuration}/userStatusSummary"
        ))
        .await
        .json();
    assert_eq!(user["pendingCount"], 1);
    assert_eq!(
        a.get(&format!("{CONFIGURATIONS}/{configuration}"))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn each_tenant_has_its_own_summaries_and_its_writes_stay_home() {
    let app = TestApp::spawn().await;
    let a: &Session = &app;
    seed(a).await;
    let (tenant_b_id, b) = tenant_b(&app);
    // softwareUpdateStatusSummary is non-contained: its id is the tenant id, per tenant.
    let a_summary = a.get(SUMMARY).await.json();
    let b_summary = b.get(SUMMARY).await.json();
    assert_eq!(a_summary["id"], app.tenant.as_str());
    assert_eq!(b_summary["id"], tenant_b_id.as_str());
    assert_eq!(
        (
            &a_summary["compliantDeviceCount"],
            &b_summary["compliantDeviceCount"]
        ),
        (&json!(4), &json!(0))
    );
    // B writes its own summary and entities: A sees none of it.
    let patched = b.patch(SUMMARY, r#"{"compliantDeviceCount":40}"#).await;
    assert_eq!(patched.status, 200);
    let replaced = b
        .post(
            "/beta/deviceManagement/softwareUpdateStatusSummary/$ref",
            r#"{"errorDeviceCount":9}"#,
        )
        .await;
    assert_eq!(replaced.status, 204);
    let b_mac = b.post(MACS, r#"{"displayName":"B's Mac"}"#).await.json();
    let b_script = b.create_script().await;
    assert_eq!(a.get(SUMMARY).await.json()["compliantDeviceCount"], 4);
    assert_eq!(a.get(SUMMARY).await.json()["errorDeviceCount"], 0);
    let a_macs = a.get(MACS).await.json();
    let names: Vec<&Value> = a_macs["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["displayName"])
        .collect();
    assert_eq!(names, [&json!("A's Mac")]);
    let b_mac_id = b_mac["id"].as_str().unwrap();
    assert_eq!(a.get(&format!("{MACS}/{b_mac_id}")).await.status, 404);
    assert_eq!(
        a.get(&format!("{SCRIPTS}/{b_script}/runSummary"))
            .await
            .status,
        404
    );
    // B's script's run summary is B's, zero, with the script's id.
    let run = b
        .get(&format!("{SCRIPTS}/{b_script}/runSummary"))
        .await
        .json();
    assert_eq!(
        (&run["id"], &run["successDeviceCount"]),
        (&json!(b_script), &json!(0))
    );
    assert_eq!(b.get(SUMMARY).await.json()["errorDeviceCount"], 9);
}

#[tokio::test]
async fn a_tenant_id_names_one_tenant_whatever_its_case() {
    let app = TestApp::spawn().await;
    let upper = app.mint(&server::auth::TokenSpec::everything(
        &app.tenant.to_ascii_uppercase(),
        std::time::Duration::from_secs(3600),
    ));
    let patched = app.patch(SUMMARY, r#"{"unknownDeviceCount":6}"#).await;
    assert_eq!(patched.status, 200);
    let seen = app.with_token(&upper).get(SUMMARY).await.json();
    assert_eq!(
        (&seen["id"], &seen["unknownDeviceCount"]),
        (&json!(app.tenant), &json!(6))
    );
}

/// A `$skiptoken` is bound to the tenant it was issued to: tenant A replaying tenant B's
/// `@odata.nextLink` gets the 400 of a foreign token, not A's rows.
#[tokio::test]
async fn a_page_token_is_refused_in_another_tenant() {
    let app = TestApp::spawn().await;
    let (_, b) = app.other_tenant();
    for (session, prefix) in [(&*app, "A"), (&b, "B")] {
        for i in 0..3 {
            let body = json!({"displayName": format!("{prefix} {i}")}).to_string();
            assert_eq!(session.post(MACS, &body).await.status, 201);
        }
    }
    let page = b.get(&format!("{MACS}?$top=2")).await.json();
    let next = page["@odata.nextLink"].as_str().unwrap();
    let next = next.strip_prefix(&app.base).unwrap();
    let own = b.get(next).await;
    assert_eq!(own.status, 200, "{}", own.text);
    assert_eq!(own.json()["value"][0]["displayName"], "B 2");

    let replayed = app.get(next).await;
    assert_eq!(replayed.status, 400, "{}", replayed.text);
    let foreign = app
        .get(&format!(
            "{MACS}?$top=2&$skiptoken=forged.AAAAAAAAAAAAAAAAAAAAAA"
        ))
        .await;
    assert_eq!(foreign.status, 400);
    assert_eq!(replayed.error(), foreign.error());
}
