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

/// 32 writers create entities until the server is killed with SIGKILL; after a restart
/// every write that was acknowledged (201) is there, as written.
async fn every_acknowledged_write_survives_sigkill(data: &std::path::Path, args: &[&str]) {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};

    let server = Server::on_with(data, args);
    let token = server.token().to_string();
    let collection = format!(
        "{}/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries",
        server.base
    );
    let acknowledged = Arc::new(Mutex::new(Vec::<(String, String)>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..32)
        .map(|writer| {
            let (acknowledged, stop) = (acknowledged.clone(), stop.clone());
            let (collection, token) = (collection.clone(), token.clone());
            tokio::spawn(async move {
                let client = client();
                for n in 0.. {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let name = format!("writer {writer} write {n}");
                    let response = client
                        .post(&collection)
                        .bearer_auth(&token)
                        .header("content-type", "application/json")
                        .body(serde_json::json!({ "displayName": name }).to_string())
                        .send()
                        .await;
                    let Ok(response) = response else { break };
                    if response.status() != 201 {
                        break;
                    }
                    let Ok(body) = response.json::<serde_json::Value>().await else {
                        break;
                    };
                    let id = body["id"].as_str().unwrap_or_default().to_string();
                    acknowledged.lock().unwrap().push((id, name));
                }
            })
        })
        .collect();
    // Kill in the thick of it: once a few hundred writes are acknowledged (or after 10 s
    // on a very busy machine).
    let started = std::time::Instant::now();
    while acknowledged.lock().unwrap().len() < 300 && started.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.kill_9();
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() > 32,
        "only {} writes",
        acknowledged.len()
    );

    let server = Server::on_with(data, args);
    let client = client();
    let mut stored = std::collections::HashMap::new();
    let mut next = Some(format!(
        "{}/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries?$select=id,displayName&$top=999",
        server.base
    ));
    while let Some(url) = next.take() {
        let (status, page) = send_with(&client, Some(server.token()), "GET", &url, None).await;
        assert_eq!(status, 200, "{page}");
        for entity in page["value"].as_array().unwrap() {
            stored.insert(
                entity["id"].as_str().unwrap().to_string(),
                entity["displayName"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            );
        }
        next = page["@odata.nextLink"].as_str().map(str::to_string);
    }
    let lost: Vec<_> = acknowledged
        .iter()
        .filter(|(id, name)| stored.get(id) != Some(name))
        .collect();
    println!(
        "{} acknowledged writes by 32 writers, {} stored after SIGKILL",
        acknowledged.len(),
        stored.len()
    );
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged writes lost: {:?}",
        lost.len(),
        acknowledged.len(),
        &lost[..lost.len().min(5)]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_writes_survive_sigkill_under_32_writers_on_sqlite() {
    let data = tempfile::tempdir().unwrap();
    every_acknowledged_write_survives_sigkill(data.path(), &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_writes_survive_sigkill_under_32_writers_on_postgres() {
    let Some(schema) = common::postgres_schema("the SIGKILL test on PostgreSQL").await else {
        return;
    };
    let url = schema.url().to_string();
    let data = tempfile::tempdir().unwrap();
    every_acknowledged_write_survives_sigkill(data.path(), &["--database", &url]).await;
}
