//! `--public-url`: links in answers point at the public URL whatever `Host` a request came
//! with (behind a proxy, on a shared service); without it they follow the request.

use server::{Config, PublicUrl};

use crate::helpers::{Options, TestApp};

const MACS: &str = "/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries";
const PUBLIC: &str = "https://graph.example.test:8443";

async fn behind_a_proxy() -> TestApp {
    TestApp::spawn_with(Options {
        config: Some(Config {
            public_url: Some(PUBLIC.parse::<PublicUrl>().unwrap()),
            ..Config::default()
        }),
        ..Options::default()
    })
    .await
}

#[tokio::test]
async fn links_use_the_public_url_not_the_host_header() {
    let app = behind_a_proxy().await;
    let host = [("host", "attacker.example")];
    let created = app
        .request("POST", MACS, Some(r#"{"displayName": "Mac"}"#), &host)
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let location = created.header("location").unwrap();
    assert!(
        location.starts_with(&format!("{PUBLIC}/beta/deviceManagement/")),
        "{location}"
    );
    assert!(
        created.json()["@odata.context"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{PUBLIC}/beta/$metadata#")),
        "{}",
        created.text
    );
    app.post(MACS, r#"{"displayName": "Mac 2"}"#).await;
    let page = app
        .request("GET", &format!("{MACS}?$top=1"), None, &host)
        .await;
    let next = page.json()["@odata.nextLink"].as_str().unwrap().to_string();
    assert!(next.starts_with(&format!("{PUBLIC}{MACS}?")), "{next}");

    let batch = app
        .request(
            "POST",
            "/beta/$batch",
            Some(r#"{"requests":[{"id":"1","method":"GET","url":"/deviceManagement/macOSSoftwareUpdateAccountSummaries?$top=1"}]}"#),
            &host,
        )
        .await;
    let inner = &batch.json()["responses"][0]["body"];
    assert!(
        inner["@odata.nextLink"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{PUBLIC}{MACS}?")),
        "{inner}"
    );

    let openid = app
        .anonymous()
        .request(
            "GET",
            "/contoso.example/v2.0/.well-known/openid-configuration",
            None,
            &host,
        )
        .await
        .json();
    assert_eq!(
        openid["token_endpoint"],
        format!("{PUBLIC}/contoso.example/oauth2/v2.0/token")
    );
    assert_eq!(
        openid["jwks_uri"],
        format!("{PUBLIC}/contoso.example/discovery/v2.0/keys")
    );
}

#[tokio::test]
async fn without_a_public_url_links_follow_the_request() {
    let app = TestApp::spawn().await;
    let created = app
        .request(
            "POST",
            MACS,
            Some(r#"{"displayName": "Mac"}"#),
            &[("host", "localhost:9999")],
        )
        .await;
    assert!(
        created
            .header("location")
            .unwrap()
            .starts_with("http://localhost:9999/beta/"),
        "{:?}",
        created.header("location")
    );
}
