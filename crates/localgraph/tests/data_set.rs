//! Where the authority lives: the signing key and clients in the data set's database, so
//! commands find them only where a data set is (they refuse elsewhere), older data
//! directories' key files are imported, and nodes with separate data directories on one
//! PostgreSQL accept each other's tokens.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{Server, claims, localgraph, postgres_schema, send, send_with};
use serde_json::Value;
use server::auth::{SigningKey, TokenSpec};

const SUMMARY: &str = "/v1.0/deviceManagement/softwareUpdateStatusSummary";
const CONFIG_RW: &str = "DeviceManagementConfiguration.ReadWrite.All";

fn arg(path: &Path) -> &str {
    path.to_str().expect("utf-8 temp path")
}

/// A client_credentials request to `base`'s token endpoint: (status, body).
async fn client_credentials(base: &str, tenant: &str, id: &str, secret: &str) -> (u16, Value) {
    let response = common::client()
        .post(format!("{base}/{tenant}/oauth2/v2.0/token"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type=client_credentials&client_id={id}&client_secret={secret}&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default"
        ))
        .send()
        .await
        .expect("the token endpoint answers");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[test]
fn token_client_add_and_export_refuse_where_there_is_no_data_set() {
    let empty = tempfile::tempdir().unwrap();
    let typo = empty.path().join("dta");
    let out = empty.path().join("all.jsonl");
    let tenant = "contoso.example";
    for args in [
        vec!["token", "--tenant", tenant, "--data-dir", arg(&typo)],
        vec![
            "client",
            "add",
            "--tenant",
            tenant,
            "--role",
            CONFIG_RW,
            "--data-dir",
            arg(&typo),
        ],
        vec!["export", "--out", arg(&out), "--data-dir", arg(&typo)],
    ] {
        let (ok, stdout, stderr) = localgraph(&args, &[]);
        assert!(!ok, "{args:?} succeeded: {stdout}");
        assert!(stdout.is_empty(), "{args:?} printed {stdout}");
        assert!(
            stderr.contains("no data set at")
                && stderr.contains(&format!("{}", typo.join("localgraph.sqlite").display()))
                && stderr.contains("--data-dir"),
            "{args:?}: {stderr}"
        );
    }
    assert!(!typo.exists(), "nothing was made in the mistyped directory");
    assert!(!out.exists(), "no empty export was written");
}

#[tokio::test]
async fn client_add_and_token_print_json_that_works_against_the_server() {
    let data = tempfile::tempdir().unwrap();
    let dir = arg(data.path());
    let tenant = "fabrikam.example";
    let server = Server::on(data.path());
    let (ok, stdout, stderr) = localgraph(
        &[
            "client",
            "add",
            "--json",
            "--tenant",
            "Fabrikam.Example",
            "--role",
            CONFIG_RW,
            "--data-dir",
            dir,
        ],
        &[],
    );
    assert!(ok, "{stderr}");
    let client: Value = serde_json::from_str(stdout.trim()).expect("one JSON object");
    assert_eq!(client["tenant"], tenant);
    assert_eq!(client["roles"], serde_json::json!([CONFIG_RW]));
    assert_eq!(
        client["token_path"],
        format!("/{tenant}/oauth2/v2.0/token").as_str()
    );
    let id = client["client_id"].as_str().unwrap();
    let secret = client["client_secret"].as_str().unwrap();
    let (status, body) = client_credentials(&server.base, tenant, id, secret).await;
    assert_eq!(status, 200, "{body}");
    let access = body["access_token"].as_str().unwrap();
    assert_eq!(claims(access)["appid"], id);
    let url = format!("{}{SUMMARY}", server.base);
    assert_eq!(send(access, "GET", &url, None).await.0, 200);

    let (ok, stdout, stderr) = localgraph(
        &[
            "token",
            "--json",
            "--tenant",
            tenant,
            "--ttl",
            "30m",
            "--data-dir",
            dir,
        ],
        &[],
    );
    assert!(ok, "{stderr}");
    let token: Value = serde_json::from_str(stdout.trim()).expect("one JSON object");
    assert_eq!(
        (token["token_type"].as_str(), token["expires_in"].as_u64()),
        (Some("Bearer"), Some(1800))
    );
    assert_eq!(token["tenant"], tenant);
    let access = token["access_token"].as_str().unwrap();
    assert_eq!(send(access, "GET", &url, None).await.0, 200);
}

#[tokio::test]
async fn an_older_data_directorys_key_and_client_files_are_imported_on_first_start() {
    let data = tempfile::tempdir().unwrap();
    let pem = SigningKey::generate_pem().unwrap();
    let authority = data.path().join("authority");
    std::fs::create_dir_all(authority.join("clients")).unwrap();
    std::fs::write(authority.join("signing-key.pem"), &pem).unwrap();
    let tenant = "6a1f0000-0000-4000-8000-00000000000a";
    let id = "0c0a11e5-0000-4000-8000-000000000001";
    // As an older version wrote it: the SHA-256 of the secret "older-secret-0123456789abcdef".
    let file = serde_json::json!({
        "client_id": id,
        "tenant": tenant,
        "roles": [CONFIG_RW],
        "secret_sha256": "b1b26b407b4993f3776ebdc296e73117e41d184333ae7b837f0ff492b60ba4db",
    });
    std::fs::write(
        authority.join(format!("clients/{id}.json")),
        file.to_string(),
    )
    .unwrap();
    let older = SigningKey::from_pem(&pem)
        .unwrap()
        .mint(&TokenSpec::everything(tenant, Duration::from_secs(600)))
        .unwrap();

    let server = Server::on(data.path());
    let url = format!("{}{SUMMARY}", server.base);
    assert_eq!(
        send(&older, "GET", &url, None).await.0,
        200,
        "a token the file's key signed"
    );
    let (status, body) =
        client_credentials(&server.base, tenant, id, "older-secret-0123456789abcdef").await;
    assert_eq!(status, 200, "{body}");
    drop(server);
    // Once imported, the files are no longer needed.
    std::fs::remove_dir_all(&authority).unwrap();
    let server = Server::on(data.path());
    let url = format!("{}{SUMMARY}", server.base);
    assert_eq!(send(&older, "GET", &url, None).await.0, 200);
    let (status, _) =
        client_credentials(&server.base, tenant, id, "older-secret-0123456789abcdef").await;
    assert_eq!(status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn nodes_with_their_own_data_directories_accept_each_others_tokens() {
    let Some(schema) =
        postgres_schema("nodes_with_their_own_data_directories_accept_each_others_tokens").await
    else {
        return;
    };
    let url = schema.url().to_string();
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    // Started at the same moment on a fresh database: both would make a key; one is kept.
    let start = |data: std::path::PathBuf, url: String| {
        std::thread::spawn(move || Server::on_with(&data, &["--database", &url]))
    };
    let a = start(dirs[0].path().to_path_buf(), url.clone());
    let b = start(dirs[1].path().to_path_buf(), url.clone());
    let (a, b) = (a.join().unwrap(), b.join().unwrap());
    let http = common::client();
    for (token, node) in [(a.token(), &b), (b.token(), &a)] {
        let on = format!("{}{SUMMARY}", node.base);
        assert_eq!(send_with(&http, Some(token), "GET", &on, None).await.0, 200);
    }
    let keys = |node: &Server| format!("{}/common/discovery/v2.0/keys", node.base);
    let (_, of_a) = send_with(&http, None, "GET", &keys(&a), None).await;
    let (_, of_b) = send_with(&http, None, "GET", &keys(&b), None).await;
    assert_eq!(of_a["keys"], of_b["keys"], "one key for the data set");

    // A client registered from a third directory is known to both nodes at once.
    let tenant = "contoso.example";
    let (ok, stdout, stderr) = localgraph(
        &[
            "client",
            "add",
            "--json",
            "--tenant",
            tenant,
            "--role",
            CONFIG_RW,
            "--database",
            &url,
            "--data-dir",
            arg(dirs[2].path()),
        ],
        &[],
    );
    assert!(ok, "{stderr}");
    let client: Value = serde_json::from_str(stdout.trim()).unwrap();
    let (id, secret) = (
        client["client_id"].as_str().unwrap(),
        client["client_secret"].as_str().unwrap(),
    );
    for node in [&a, &b] {
        let (status, body) = client_credentials(&node.base, tenant, id, secret).await;
        assert_eq!(status, 200, "{body}");
    }
    assert!(!dirs[2].path().join("authority").exists());
}

/// Every command that takes `--tenant` refuses a tenant id no token can carry (the one
/// rule `token` applies), before it opens or writes anything.
#[test]
fn every_command_taking_a_tenant_refuses_one_no_token_can_name() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().join("data");
    let out = data.path().join("one.jsonl");
    let long = "a".repeat(100);
    for tenant in ["A B", "x'y\"z", long.as_str()] {
        for args in [
            vec!["seed", "--tenant", tenant, "--macos", "1"],
            vec!["export", "--out", arg(&out), "--tenant", tenant],
            vec!["token", "--tenant", tenant],
            vec!["client", "add", "--tenant", tenant, "--role", CONFIG_RW],
        ] {
            let mut args = args.clone();
            args.extend(["--data-dir", arg(&dir)]);
            let (ok, stdout, stderr) = localgraph(&args, &[]);
            assert!(!ok, "{args:?} succeeded: {stdout}");
            assert!(
                stderr.contains("a tenant id is a GUID or a name of letters, digits, '.' and '-'"),
                "{args:?}: {stderr}"
            );
        }
    }
    assert!(!dir.exists(), "no data set was made");
    assert!(!out.exists(), "no export was written");
}

/// `token --ttl` takes a year at most, and `--json`'s `expires_in` is the token's own
/// lifetime, `exp - iat`.
#[test]
fn a_token_lives_a_year_at_most_and_says_how_long() {
    let data = tempfile::tempdir().unwrap();
    let dir = arg(data.path());
    let tenant = "contoso.example";
    let (ok, _, stderr) = localgraph(
        &[
            "seed",
            "--tenant",
            tenant,
            "--macos",
            "1",
            "--data-dir",
            dir,
        ],
        &[],
    );
    assert!(ok, "{stderr}");
    let token = |ttl: &str| {
        localgraph(
            &[
                "token",
                "--json",
                "--tenant",
                tenant,
                "--ttl",
                ttl,
                "--data-dir",
                dir,
            ],
            &[],
        )
    };
    for too_long in ["18446744073709551615s", "366d"] {
        let (ok, stdout, stderr) = token(too_long);
        assert!(!ok && stdout.is_empty(), "{too_long}: {stdout}");
        assert!(
            stderr.contains("longer than a token may live: 365d at most"),
            "{stderr}"
        );
    }
    let (ok, stdout, stderr) = token("365d");
    assert!(ok, "{stderr}");
    let answer: Value = serde_json::from_str(stdout.trim()).expect("one JSON object");
    let claims = claims(answer["access_token"].as_str().unwrap());
    let lifetime = claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap();
    assert_eq!(lifetime, 365 * 86_400);
    assert_eq!(answer["expires_in"].as_i64(), Some(lifetime));
}
