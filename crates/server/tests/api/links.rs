//! Links: a run state's `managedDevice`, bound on write, read, expanded and re-pointed
//! through its `$ref`.

use serde_json::{Value, json};

use crate::helpers::TestApp;

const DEVICES: &str = "/beta/deviceManagement/managedDevices";
const SCRIPTS: &str = "/beta/deviceManagement/deviceManagementScripts";

async fn device(app: &TestApp, name: &str) -> String {
    let body = json!({"deviceName": name, "operatingSystem": "Windows"});
    let reply = app.post(DEVICES, &body.to_string()).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.json()["id"].as_str().unwrap().to_string()
}

fn bind(device: &str) -> Value {
    json!(format!(
        "https://graph.microsoft.com/beta/deviceManagement/managedDevices('{device}')"
    ))
}

#[tokio::test]
async fn a_run_state_links_to_its_device() {
    let app = TestApp::spawn().await;
    let (laptop, desktop) = (
        device(&app, "LAPTOP-1").await,
        device(&app, "DESKTOP-2").await,
    );
    let script = app.create_script().await;
    let states = format!("{SCRIPTS}/{script}/deviceRunStates");
    let body = json!({"runState": "success", "managedDevice@odata.bind": bind(&laptop)});
    let created = app.post(&states, &body.to_string()).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let state = created.json()["id"].as_str().unwrap().to_string();
    assert!(
        created.json().get("managedDevice").is_none(),
        "a navigation is not a property"
    );
    let unlinked = app.post(&states, r#"{"runState": "pending"}"#).await.json();

    let linked = app.get(&format!("{states}/{state}/managedDevice")).await;
    assert_eq!(linked.status, 200, "{}", linked.text);
    assert_eq!(linked.json()["deviceName"], "LAPTOP-1");
    assert_eq!(
        linked.json()["@odata.context"],
        format!(
            "{}/beta/$metadata#deviceManagement/managedDevices/$entity",
            app.base
        )
    );
    let reference = app
        .get(&format!("{states}/{state}/managedDevice/$ref"))
        .await
        .json();
    assert_eq!(
        reference["@odata.id"],
        format!(
            "{}/beta/deviceManagement/managedDevices('{laptop}')",
            app.base
        )
    );

    // $expand on the page and on one state; a state without a device expands to null.
    let page = app
        .get(&format!(
            "{states}?$expand=managedDevice($select=deviceName)"
        ))
        .await
        .json();
    let value = page["value"].as_array().unwrap();
    assert_eq!(value[0]["managedDevice"]["deviceName"], "LAPTOP-1");
    assert!(value[0]["managedDevice"].get("operatingSystem").is_none());
    assert_eq!(value[1]["managedDevice"], Value::Null);
    let one = app
        .get(&format!("{states}/{state}?$expand=managedDevice"))
        .await
        .json();
    assert_eq!(one["managedDevice"]["id"], laptop.as_str());

    // Re-point through $ref (a relative URL is fine), then unset.
    let moved = app
        .request(
            "PUT",
            &format!("{states}/{state}/managedDevice/$ref"),
            Some(
                &json!({"@odata.id": format!("deviceManagement/managedDevices/{desktop}")})
                    .to_string(),
            ),
            &[],
        )
        .await;
    assert_eq!(moved.status, 204, "{}", moved.text);
    let linked = app
        .get(&format!("{states}/{state}/managedDevice"))
        .await
        .json();
    assert_eq!(linked["deviceName"], "DESKTOP-2");
    // PATCH binds too; null unbinds.
    let patch = json!({"managedDevice@odata.bind": bind(&laptop)});
    let other = unlinked["id"].as_str().unwrap();
    assert_eq!(
        app.patch(&format!("{states}/{other}"), &patch.to_string())
            .await
            .status,
        200
    );
    let linked = app
        .get(&format!("{states}/{other}/managedDevice"))
        .await
        .json();
    assert_eq!(linked["deviceName"], "LAPTOP-1");
    assert_eq!(
        app.delete(&format!("{states}/{state}/managedDevice/$ref"))
            .await
            .status,
        204
    );
    assert_eq!(
        app.get(&format!("{states}/{state}/managedDevice"))
            .await
            .status,
        404
    );
    assert_eq!(
        app.get(&format!("{states}/{state}/managedDevice/$ref"))
            .await
            .status,
        404
    );
    // The nested states of a user link the same way.
    let user = app
        .post(&format!("{SCRIPTS}/{script}/userRunStates"), "{}")
        .await
        .json();
    let nested = format!(
        "{SCRIPTS}/{script}/userRunStates/{}/deviceRunStates",
        user["id"].as_str().unwrap()
    );
    let body = json!({"runState": "fail", "managedDevice@odata.bind": bind(&desktop)});
    let reply = app.post(&nested, &body.to_string()).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let page = app
        .get(&format!("{nested}?$expand=managedDevice"))
        .await
        .json();
    assert_eq!(page["value"][0]["managedDevice"]["deviceName"], "DESKTOP-2");
    // A deleted device leaves the link pointing nowhere: 404, and null when expanded.
    assert_eq!(
        app.delete(&format!("{DEVICES}/{desktop}")).await.status,
        204
    );
    let page = app
        .get(&format!("{nested}?$expand=managedDevice"))
        .await
        .json();
    assert_eq!(page["value"][0]["managedDevice"], Value::Null);
}

#[tokio::test]
async fn a_bind_to_nothing_or_to_another_tenants_device_is_refused() {
    let app = TestApp::spawn().await;
    let script = app.create_script().await;
    let states = format!("{SCRIPTS}/{script}/deviceRunStates");
    let ghost = "00000000-0000-0000-0000-000000000000";
    for (binding, needle) in [
        (bind(ghost), "does not exist"),
        (
            json!(format!(
                "https://graph.microsoft.com/beta/deviceManagement/deviceManagementScripts('{script}')"
            )),
            "no entity of deviceManagement/managedDevices",
        ),
        (json!(5), "URL"),
    ] {
        let body = json!({"runState": "success", "managedDevice@odata.bind": binding});
        let reply = app.post(&states, &body.to_string()).await;
        assert_eq!(reply.status, 400, "{}", reply.text);
        let (code, message) = reply.error();
        assert_eq!(code, "BadRequest");
        assert!(message.contains(needle), "{message}");
    }
    let unknown = json!({"runState": "success", "device@odata.bind": bind(ghost)});
    assert_eq!(app.post(&states, &unknown.to_string()).await.status, 400);
    let listed = app.get(&states).await.json();
    assert_eq!(listed["value"], json!([]), "a refused write writes nothing");

    // Another tenant's device is as absent as no device.
    let theirs = {
        let other = uuid::Uuid::new_v4().to_string();
        let token = app.mint(&server::auth::TokenSpec::everything(
            &other,
            std::time::Duration::from_secs(600),
        ));
        let reply = app
            .with_token(&token)
            .post(DEVICES, r#"{"deviceName": "THEIRS"}"#)
            .await;
        reply.json()["id"].as_str().unwrap().to_string()
    };
    let body = json!({"runState": "success", "managedDevice@odata.bind": bind(&theirs)});
    let reply = app.post(&states, &body.to_string()).await;
    assert_eq!(reply.status, 400, "{}", reply.text);
}

/// An absolute `@odata.id` or `@odata.bind` must be on this service (as the client
/// addressed it) or on Graph's own root; another host is refused with ODataLib's
/// message and changes nothing. A URL relative to the service root is fine.
#[tokio::test]
async fn a_reference_on_another_host_is_refused() {
    let app = TestApp::spawn().await;
    let (laptop, desktop) = (
        device(&app, "LAPTOP-1").await,
        device(&app, "DESKTOP-2").await,
    );
    let script = app.create_script().await;
    let states = format!("{SCRIPTS}/{script}/deviceRunStates");
    let created = app
        .post(
            &states,
            &json!({"runState": "success", "managedDevice@odata.bind": bind(&laptop)}).to_string(),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let state = created.json()["id"].as_str().unwrap().to_string();
    let reference = format!("{states}/{state}/managedDevice/$ref");
    let put = |url: String| {
        let app = &app;
        let reference = &reference;
        async move {
            app.request(
                "PUT",
                reference,
                Some(&json!({"@odata.id": url}).to_string()),
                &[],
            )
            .await
        }
    };
    let path = format!("beta/deviceManagement/managedDevices('{desktop}')");
    for foreign in [
        format!("https://evil.example/{path}"),
        format!("https://graph.microsoft.com.evil.example/{path}"),
        format!("ftp://graph.microsoft.com/{path}"),
    ] {
        let reply = put(foreign.clone()).await;
        assert_eq!(reply.status, 400, "{foreign}: {}", reply.text);
        assert_eq!(
            reply.error(),
            (
                "BadRequest".to_string(),
                format!(
                    "The URI '{foreign}' is not valid because it is not based on '{}/beta/'.",
                    app.base
                )
            )
        );
    }
    let bound = app
        .post(
            &states,
            &json!({"runState": "fail", "managedDevice@odata.bind": format!("https://evil.example/{path}")})
                .to_string(),
        )
        .await;
    assert_eq!(bound.status, 400, "{}", bound.text);
    let linked = app.get(&format!("{states}/{state}/managedDevice")).await;
    assert_eq!(linked.json()["deviceName"], "LAPTOP-1", "nothing changed");
    assert_eq!(
        app.get(&states).await.json()["value"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // This service as the client addressed it (v1.0 or beta, `localhost` for
    // 127.0.0.1), Graph's root, and a relative URL all point the link.
    let local = app.base.replace("127.0.0.1", "localhost");
    for (url, name) in [
        (format!("{}/{path}", app.base), "DESKTOP-2"),
        (
            format!("https://graph.microsoft.com/{path}")
                .replace("beta/", "v1.0/")
                .replace(&desktop, &laptop),
            "LAPTOP-1",
        ),
        (format!("{local}/{path}"), "DESKTOP-2"),
        (
            format!("deviceManagement/managedDevices/{laptop}"),
            "LAPTOP-1",
        ),
    ] {
        let reply = put(url.clone()).await;
        assert_eq!(reply.status, 204, "{url}: {}", reply.text);
        let linked = app.get(&format!("{states}/{state}/managedDevice")).await;
        assert_eq!(linked.json()["deviceName"], name, "{url}");
    }
}
