//! The offline authority as a user meets it: the key kept across restarts, `token` and
//! `client add` output (their refusals and `--json`: data_set.rs), `--auth off`, and the client_credentials flow over HTTPS with a
//! client that trusts the generated CA alone.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{Server, claims, localgraph, send, send_with};
use serde_json::Value;

const SUMMARY: &str = "/v1.0/deviceManagement/softwareUpdateStatusSummary";
const CONFIG_R: &str = "DeviceManagementConfiguration.Read.All";
const CONFIG_RW: &str = "DeviceManagementConfiguration.ReadWrite.All";

fn dir_arg(data: &Path) -> &str {
    data.to_str().expect("utf-8 temp path")
}

/// `localgraph token ARGS`: the token on the last line.
fn token(args: &[&str]) -> String {
    let mut all = vec!["token"];
    all.extend_from_slice(args);
    let (ok, stdout, stderr) = localgraph(&all, &[]);
    assert!(ok, "localgraph token failed: {stderr}");
    let last = stdout.lines().last().expect("a line").trim().to_string();
    assert_eq!(
        last.split('.').count(),
        3,
        "a JWT alone on the last line: {stdout:?}"
    );
    last
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test]
async fn the_key_persists_across_restarts_and_old_tokens_still_verify() {
    let data = tempfile::tempdir().unwrap();
    let dir = dir_arg(data.path());
    let tenant = "7d0c6f3e-1111-4222-8333-944445555666";
    let server = Server::on(data.path());
    let printed = server.token().to_string();
    // The CLI signs with the data set's key while the server runs.
    let before = token(&["--tenant", tenant, "--data-dir", dir]);
    let url = format!("{}{SUMMARY}", server.base);
    let (status, body) = send(&before, "GET", &url, None).await;
    assert_eq!((status, body["id"].as_str()), (200, Some(tenant)));
    assert_eq!(send(&printed, "GET", &url, None).await.0, 200);
    let keys_url = format!("{}/{tenant}/discovery/v2.0/keys", server.base);
    let (_, jwks) = send_with(&common::client(), None, "GET", &keys_url, None).await;
    server.kill_9();

    let server = Server::on(data.path());
    let url = format!("{}{SUMMARY}", server.base);
    assert_eq!(send(&before, "GET", &url, None).await.0, 200);
    assert_eq!(send(&printed, "GET", &url, None).await.0, 200);
    let keys_url = format!("{}/{tenant}/discovery/v2.0/keys", server.base);
    let (_, again) = send_with(&common::client(), None, "GET", &keys_url, None).await;
    assert_eq!(jwks["keys"][0]["kid"], again["keys"][0]["kid"]);
    assert!(
        !data.path().join("authority").exists(),
        "the key lives in the data set's database, not in a file"
    );
    // Without a token the server refuses.
    let (status, body) = send_with(&common::client(), None, "GET", &url, None).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("InvalidAuthenticationToken"))
    );
}

#[tokio::test]
async fn the_token_command_prints_delegated_app_only_and_all_powerful_tokens() {
    let data = tempfile::tempdir().unwrap();
    let dir = dir_arg(data.path());
    let tenant = "contoso.example";
    let server = Server::on(data.path());
    let delegated = token(&[
        "--tenant",
        tenant,
        "--scope",
        CONFIG_R,
        "--scope",
        "User.Read",
        "--ttl",
        "2h",
        "--data-dir",
        dir,
    ]);
    let c = claims(&delegated);
    assert_eq!(c["scp"], format!("{CONFIG_R} User.Read").as_str());
    assert_eq!(c["roles"], Value::Null);
    assert_eq!(
        (c["tid"].as_str(), c["aud"].as_str()),
        (Some(tenant), Some("https://graph.microsoft.com"))
    );
    assert_eq!(
        c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(),
        7200
    );
    assert_eq!(
        c["iss"],
        format!("https://login.microsoftonline.com/{tenant}/v2.0").as_str()
    );
    let app_only = token(&["--tenant", tenant, "--role", CONFIG_RW, "--data-dir", dir]);
    let c = claims(&app_only);
    assert_eq!(
        (c["roles"][0].as_str(), c["idtyp"].as_str()),
        (Some(CONFIG_RW), Some("app"))
    );
    assert_eq!(
        c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(),
        3600
    );
    // Without --scope or --role: every permission, app-only.
    let everything = token(&["--tenant", tenant, "--data-dir", dir]);
    assert!(claims(&everything)["roles"].as_array().unwrap().len() >= 10);
    // LOCALGRAPH_DATA_DIR names the same key as --data-dir.
    let (ok, stdout, stderr) = localgraph(
        &["token", "--tenant", tenant],
        &[("LOCALGRAPH_DATA_DIR", data.path())],
    );
    assert!(ok, "{stderr}");
    let from_env = stdout.lines().last().unwrap().to_string();
    assert!(!data.path().join("data").exists());

    let url = format!("{}{SUMMARY}", server.base);
    let patch = Some(r#"{"compliantDeviceCount":2}"#);
    assert_eq!(send(&delegated, "GET", &url, None).await.0, 200);
    assert_eq!(send(&delegated, "PATCH", &url, patch).await.0, 403);
    assert_eq!(send(&app_only, "PATCH", &url, patch).await.0, 200);
    assert_eq!(
        send(&everything, "GET", &url, None).await.1["compliantDeviceCount"],
        2
    );
    assert_eq!(send(&from_env, "GET", &url, None).await.0, 200);

    // A tenant id that cannot be one is refused.
    let (ok, _, stderr) = localgraph(&["token", "--tenant", "a/b", "--data-dir", dir], &[]);
    assert!(!ok && stderr.contains("--tenant"), "{stderr}");
}

#[tokio::test]
async fn auth_off_is_loud_and_needs_no_token() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::on_with(data.path(), &["--auth", "off"]);
    assert!(server.token.is_none());
    assert!(
        server
            .output
            .iter()
            .any(|l| l.contains("WARNING") && l.contains("--auth off")),
        "{:?}",
        server.output
    );
    let url = format!("{}{SUMMARY}", server.base);
    let (status, _) = send_with(
        &common::client(),
        None,
        "PATCH",
        &url,
        Some(r#"{"errorDeviceCount":1}"#),
    )
    .await;
    assert_eq!(status, 200);
}

/// `client add`: (client id, secret).
fn add_client(data: &Path, tenant: &str, roles: &[&str]) -> (String, String) {
    let mut args = vec![
        "client",
        "add",
        "--tenant",
        tenant,
        "--data-dir",
        dir_arg(data),
    ];
    for role in roles {
        args.extend(["--role", role]);
    }
    let (ok, stdout, stderr) = localgraph(&args, &[]);
    assert!(ok, "client add failed: {stderr}");
    let id = stdout
        .lines()
        .find_map(|l| l.strip_prefix("client id: "))
        .expect("a client id line")
        .trim()
        .to_string();
    let secret = stdout
        .lines()
        .find(|l| l.contains("secret"))
        .and_then(|l| l.split_whitespace().last())
        .expect("a secret line")
        .to_string();
    assert!(uuid::Uuid::try_parse(&id).is_ok(), "{stdout}");
    assert!(secret.len() >= 32, "{stdout}");
    (id, secret)
}

/// A client that trusts the CA at `ca` and nothing else.
fn trusting_only(ca: &Path) -> reqwest::Client {
    common::install_ring();
    let pem = std::fs::read(ca).unwrap();
    let certificate = reqwest::Certificate::from_pem(&pem).unwrap();
    reqwest::Client::builder()
        .tls_certs_only([certificate])
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

#[tokio::test]
async fn client_credentials_over_https_with_a_client_that_trusts_only_the_generated_ca() {
    let data = tempfile::tempdir().unwrap();
    let tenant = "3b9f2a10-aaaa-4bbb-8ccc-0123456789ab";
    let server = Server::on_with(data.path(), &["--tls"]);
    let (client_id, secret) = add_client(data.path(), tenant, &[CONFIG_RW]);
    assert!(
        server.base.starts_with("https://127.0.0.1:"),
        "{}",
        server.base
    );
    let ca = server.ca.clone().expect("the CA path is printed");
    assert!(ca.ends_with("tls/ca.pem"), "{}", ca.display());
    assert!(
        std::fs::read_to_string(&ca)
            .unwrap()
            .starts_with("-----BEGIN CERTIFICATE-----")
    );
    let advice = server.output.join("\n");
    assert!(
        advice.contains("SSL_CERT_FILE=") && advice.contains("REQUESTS_CA_BUNDLE="),
        "{advice}"
    );
    #[cfg(unix)]
    {
        assert_eq!(mode(&data.path().join("tls/ca-key.pem")), 0o600);
        assert_eq!(mode(&data.path().join("tls/server-key.pem")), 0o600);
    }
    let ca_pem = std::fs::read(&ca).unwrap();

    let https = trusting_only(&ca);
    let discovery = format!(
        "{}/{tenant}/v2.0/.well-known/openid-configuration",
        server.base
    );
    let (status, config) = send_with(&https, None, "GET", &discovery, None).await;
    assert_eq!(status, 200, "{config}");
    let endpoint = config["token_endpoint"].as_str().unwrap().to_string();
    assert_eq!(
        endpoint,
        format!("{}/{tenant}/oauth2/v2.0/token", server.base)
    );
    let response = https
        .post(&endpoint)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type=client_credentials&client_id={client_id}&client_secret={secret}&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default"
        ))
        .send()
        .await
        .expect("the token endpoint answers over HTTPS");
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.json().await.unwrap();
    let access = body["access_token"].as_str().unwrap().to_string();
    assert_eq!(claims(&access)["roles"][0], CONFIG_RW);
    assert_eq!(claims(&access)["iss"], config["issuer"]);

    let url = format!("{}{SUMMARY}", server.base);
    let (status, summary) = send_with(
        &https,
        Some(&access),
        "PATCH",
        &url,
        Some(r#"{"errorDeviceCount":3}"#),
    )
    .await;
    assert_eq!(status, 200, "{summary}");
    assert_eq!(summary["id"], tenant);
    assert!(
        summary["@odata.context"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{}/v1.0/$metadata", server.base)),
        "links say https: {summary}"
    );
    let apps = format!(
        "{}/v1.0/deviceAppManagement/mobileAppConfigurations",
        server.base
    );
    assert_eq!(
        send_with(&https, Some(&access), "GET", &apps, None).await.0,
        403
    );

    // A client with the usual roots does not trust the local CA; plain http gets no answer.
    let default_roots = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    assert!(default_roots.get(&discovery).send().await.is_err());
    let plain = discovery.replacen("https://", "http://", 1);
    let answered = common::client().get(&plain).send().await;
    assert!(!matches!(answered, Ok(r) if r.status().is_success()));
    drop(server);

    // The CA is made once: a restart keeps it, so clients keep trusting it.
    let server = Server::on_with(data.path(), &["--tls"]);
    assert_eq!(std::fs::read(&ca).unwrap(), ca_pem);
    let url = format!("{}{SUMMARY}", server.base);
    let (status, summary) = send_with(&https, Some(&access), "GET", &url, None).await;
    assert_eq!(
        (status, summary["errorDeviceCount"].as_i64()),
        (200, Some(3))
    );
}

#[tokio::test]
async fn tls_cert_and_key_flags_serve_the_given_files() {
    let first = tempfile::tempdir().unwrap();
    let made = Server::on_with(first.path(), &["--tls"]);
    let ca = made.ca.clone().unwrap();
    drop(made);
    let files = tempfile::tempdir().unwrap();
    let (cert, key) = (files.path().join("cert.pem"), files.path().join("key.pem"));
    std::fs::copy(first.path().join("tls/server.pem"), &cert).unwrap();
    std::fs::copy(first.path().join("tls/server-key.pem"), &key).unwrap();
    let data = tempfile::tempdir().unwrap();
    let server = Server::on_with(
        data.path(),
        &[
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
    );
    assert!(server.base.starts_with("https://"), "{}", server.base);
    assert!(server.ca.is_none());
    assert!(
        !data.path().join("tls").exists(),
        "no CA is made for given files"
    );
    let url = format!("{}{SUMMARY}", server.base);
    let (status, _) = send_with(&trusting_only(&ca), Some(server.token()), "GET", &url, None).await;
    assert_eq!(status, 200);
}
