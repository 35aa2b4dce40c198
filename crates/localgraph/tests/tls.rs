//! `serve --tls` as a user meets it: the banner's own `curl` line works as printed, and the
//! links inside `$batch` answers say `https`, as those of direct requests do.

mod common;

use std::time::Duration;

use common::Server;
use serde_json::Value;

#[test]
fn the_banners_curl_line_runs_as_printed() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::on_with(data.path(), &["--tls"]);
    let line = server
        .output
        .iter()
        .find_map(|l| l.strip_prefix("  try: "))
        .expect("a try: line");
    assert!(line.contains("--cacert"), "{line}");
    let output = std::process::Command::new("sh")
        .args(["-c", &format!("{line} --silent --show-error --max-time 10")])
        .env_remove("SSL_CERT_FILE")
        .env_remove("CURL_CA_BUNDLE")
        .output()
        .expect("sh runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{line}: {stderr}");
    let body: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert!(
        body["@odata.context"]
            .as_str()
            .is_some_and(|c| c.starts_with("https://127.0.0.1:")),
        "{body}"
    );
}

#[tokio::test]
async fn links_inside_batch_answers_say_https() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::on_with(data.path(), &["--tls"]);
    let ca = std::fs::read(server.ca.as_ref().expect("a CA")).unwrap();
    common::install_ring();
    let https = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(&ca).unwrap()])
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let scripts = "deviceManagement/deviceManagementScripts";
    let create = serde_json::json!({"id": "c", "method": "POST", "url": format!("/{scripts}"),
        "headers": {"Content-Type": "application/json"}, "body": {"displayName": "Inventory"}});
    let batch = |requests: Vec<Value>| {
        let https = https.clone();
        let url = format!("{}/beta/$batch", server.base);
        let token = server.token().to_string();
        async move {
            let response = https
                .post(url)
                .bearer_auth(token)
                .json(&serde_json::json!({ "requests": requests }))
                .send()
                .await
                .expect("the batch answers");
            assert_eq!(response.status().as_u16(), 200);
            response.json::<Value>().await.unwrap()["responses"].clone()
        }
    };
    let created = batch(vec![create.clone(), {
        let mut second = create.clone();
        second["id"] = "d".into();
        second
    }])
    .await;
    let list = serde_json::json!({"id": "l", "method": "GET", "url": format!("{scripts}?$top=1")});
    let listed = batch(vec![list]).await;
    let https_base = format!("{}/beta/", server.base);
    for link in [
        &created[0]["headers"]["Location"],
        &created[0]["body"]["@odata.context"],
        &listed[0]["body"]["@odata.context"],
        &listed[0]["body"]["@odata.nextLink"],
    ] {
        assert!(
            link.as_str().is_some_and(|l| l.starts_with(&https_base)),
            "{link} in {created} {listed}"
        );
    }
}
