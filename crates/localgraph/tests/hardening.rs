//! The binary under hostile conditions: a low open-file limit and more idle sockets than
//! it allows, a public URL behind a proxy.

mod common;

use std::process::Command;
use std::time::Duration;

use common::{Server, client, send_with};
use tokio::net::TcpStream;

const IDLE_SOCKETS: usize = 1_100;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_sockets_past_the_open_file_limit_do_not_keep_requests_out() {
    // This process holds the idle sockets: it needs room for them.
    let ours = rlimit::increase_nofile_limit(4096).unwrap_or(0);
    if ours < (IDLE_SOCKETS + 200) as u64 {
        println!("skipping: this test process may open only {ours} files");
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let serve = [
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--data-dir",
        data.path().to_str().unwrap(),
    ];
    // The issue's setting: a server limited to 1,024 open files.
    let command = if Command::new("prlimit").arg("--version").output().is_ok() {
        let mut command = Command::new("prlimit");
        command
            .arg("--nofile=1024:1024")
            .arg(env!("CARGO_BIN_EXE_localgraph"))
            .args(serve);
        command
    } else {
        println!("prlimit is missing: capping connections with --max-connections instead");
        let mut command = Command::new(env!("CARGO_BIN_EXE_localgraph"));
        command.args(serve).args(["--max-connections", "768"]);
        command
    };
    let server = Server::launch(command);
    let address = server.base.trim_start_matches("http://").to_string();
    let mut idle = Vec::with_capacity(IDLE_SOCKETS);
    for _ in 0..IDLE_SOCKETS {
        idle.push(TcpStream::connect(&address).await.expect("connect"));
    }
    let client = client();
    let health = tokio::time::timeout(
        Duration::from_secs(20),
        client.get(format!("{}/healthz", server.base)).send(),
    )
    .await
    .expect("/healthz answers with 1,100 idle sockets open")
    .expect("/healthz answers");
    assert_eq!(health.status(), 200);
    let (status, body) = tokio::time::timeout(
        Duration::from_secs(20),
        send_with(
            &client,
            Some(server.token()),
            "GET",
            &format!(
                "{}/v1.0/deviceManagement/softwareUpdateStatusSummary",
                server.base
            ),
            None,
        ),
    )
    .await
    .expect("a data request answers with 1,100 idle sockets open");
    assert_eq!(status, 200, "{body}");
    drop(idle);
}

#[test]
fn an_import_holding_a_nul_character_names_the_row() {
    let data = tempfile::tempdir().unwrap();
    let file = data.path().join("old.jsonl");
    let good = r#"{"table":"deviceManagement/macOSSoftwareUpdateAccountSummaries","tenant":"contoso.example","parent":"","id":"00000000-0000-7000-8000-000000000001","type":"macOSSoftwareUpdateAccountSummary","values":{"displayName":"fine"}}"#;
    let bad = r#"{"table":"deviceManagement/macOSSoftwareUpdateAccountSummaries","tenant":"contoso.example","parent":"","id":"00000000-0000-7000-8000-000000000002","type":"macOSSoftwareUpdateAccountSummary","values":{"displayName":"a\u0000b"}}"#;
    std::fs::write(&file, format!("{good}\n{bad}\n")).unwrap();
    let dir = data.path().join("data");
    let (ok, _, stderr) = common::localgraph(
        &[
            "import",
            file.to_str().unwrap(),
            "--data-dir",
            dir.to_str().unwrap(),
        ],
        &[],
    );
    assert!(!ok, "the import failed");
    for part in [
        "line 2",
        "00000000-0000-7000-8000-000000000002",
        "'displayName'",
        "NUL character",
    ] {
        assert!(stderr.contains(part), "{part:?} is not in: {stderr}");
    }
}

#[tokio::test]
async fn serve_public_url_sets_the_links() {
    let data = tempfile::tempdir().unwrap();
    let public = "https://graph.example.test";
    let server = Server::on_with(data.path(), &["--public-url", public]);
    assert!(
        server
            .output
            .iter()
            .any(|l| l.contains(&format!("public URL (links in answers): {public}"))),
        "{:?}",
        server.output
    );
    let (status, headers, body) = common::exchange(
        &client(),
        server.token(),
        "POST",
        &format!(
            "{}/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries",
            server.base
        ),
        Some(r#"{"displayName": "Mac"}"#),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let location = headers["location"].to_str().unwrap();
    assert!(
        location.starts_with(&format!("{public}/beta/")),
        "{location}"
    );

    let (ok, _, stderr) = common::localgraph(
        &["serve", "--public-url", "https://graph.example.test/prefix"],
        &[],
    );
    assert!(!ok);
    assert!(stderr.contains("has a path"), "{stderr}");
}
