//! The bounds the server keeps whatever clients do: half-sent and idle connections are
//! closed, the connection cap admits new clients by closing idle ones, a panic or a
//! stalled handler answers in Graph's error shape, and oversized requests are refused.

use std::time::{Duration, Instant};

use axum::routing::get;
use server::{AppState, Config, Limits};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use crate::helpers::{Options, Reply, TestApp, read_until_closed};

const SUMMARY: &str = "/v1.0/deviceManagement/softwareUpdateStatusSummary";

fn with_limits(limits: Limits) -> Options {
    Options {
        config: Some(Config {
            limits,
            ..Config::default()
        }),
        ..Options::default()
    }
}

fn assert_graph_error(reply: &Reply, status: u16, code: &str) {
    assert_eq!(reply.status, status, "{}", reply.text);
    assert_eq!(reply.error().0, code, "{}", reply.text);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    let body = reply.json();
    assert_eq!(
        body["error"]["innerError"]["request-id"].as_str(),
        reply.header("request-id"),
        "{}",
        reply.text
    );
}

#[tokio::test]
async fn a_half_sent_request_is_closed_within_the_header_timeout() {
    let app = TestApp::spawn_with(with_limits(Limits {
        header_read_timeout: Duration::from_secs(1),
        ..Limits::default()
    }))
    .await;
    let address = app.base.trim_start_matches("http://");
    let mut slow = TcpStream::connect(address).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: a")
        .await
        .unwrap();
    let started = Instant::now();
    let answer = read_until_closed(&mut slow, Duration::from_secs(10)).await;
    assert!(
        answer.is_some(),
        "a half-sent request was still open after 10 s (header timeout 1 s)"
    );
    assert!(started.elapsed() >= Duration::from_millis(900));

    // A keep-alive connection that went idle after an answer is closed the same way.
    let mut idle = TcpStream::connect(address).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let answer = read_until_closed(&mut idle, Duration::from_secs(10))
        .await
        .expect("an idle keep-alive connection is closed after the timeout");
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert_eq!(app.get("/healthz").await.status, 200);
}

#[tokio::test]
async fn idle_connections_at_the_cap_make_room_for_new_requests() {
    let app = TestApp::spawn_with(with_limits(Limits {
        max_connections: 16,
        ..Limits::default()
    }))
    .await;
    let address = app.base.trim_start_matches("http://").to_string();
    // Three times the cap of sockets that connect and say nothing.
    let mut idle = Vec::new();
    for _ in 0..48 {
        idle.push(TcpStream::connect(&address).await.unwrap());
    }
    let healthz = tokio::time::timeout(Duration::from_secs(10), app.get("/healthz"))
        .await
        .expect("/healthz answers at the connection cap");
    assert_eq!(healthz.status, 200);
    let data = tokio::time::timeout(Duration::from_secs(10), app.get(SUMMARY))
        .await
        .expect("a data request answers at the connection cap");
    assert_eq!(data.status, 200, "{}", data.text);
    // The oldest idle sockets were the ones closed.
    let mut closed = 0;
    for socket in idle.iter_mut().take(8) {
        if read_until_closed(socket, Duration::from_secs(2))
            .await
            .is_some()
        {
            closed += 1;
        }
    }
    assert!(closed > 0, "no idle connection was closed to make room");
}

fn test_routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route(
            "/_test/panic",
            get(|| async {
                panic!("a test route panicked");
                #[allow(unreachable_code)]
                ()
            }),
        )
        .route(
            "/_test/stall",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(3)).await;
                "done"
            }),
        )
}

#[tokio::test]
async fn a_panic_and_a_stall_answer_in_graphs_shape() {
    let app = TestApp::spawn_with(Options {
        extra_routes: Some(test_routes()),
        ..with_limits(Limits {
            request_timeout: Duration::from_secs(1),
            ..Limits::default()
        })
    })
    .await;
    let panicked = app.get("/_test/panic").await;
    assert_graph_error(&panicked, 500, "InternalServerError");
    assert!(
        !panicked.text.contains("test route"),
        "the panic message stays in the log: {}",
        panicked.text
    );
    let stalled = app.get("/_test/stall").await;
    assert_graph_error(&stalled, 504, "UnknownError");
    assert_eq!(
        app.get(SUMMARY).await.status,
        200,
        "the server still serves"
    );
}

#[tokio::test]
async fn healthz_answers_while_every_request_slot_is_taken() {
    let app = TestApp::spawn_with(Options {
        extra_routes: Some(test_routes()),
        ..with_limits(Limits {
            max_requests: 1,
            ..Limits::default()
        })
    })
    .await;
    let session = (*app).clone();
    let stall = tokio::spawn(async move { session.get("/_test/stall").await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.get("/healthz").await.status, 200);
    assert!(
        !stall.is_finished(),
        "/healthz answered while the one request slot was taken"
    );
    assert_eq!(stall.await.unwrap().status, 200);
}

#[tokio::test]
async fn oversized_targets_and_headers_are_refused_in_graphs_shape() {
    let app = TestApp::spawn_with(with_limits(Limits {
        max_uri_bytes: 1024,
        max_header_bytes: 4096,
        ..Limits::default()
    }))
    .await;
    let long = format!("{SUMMARY}?x={}", "a".repeat(2000));
    assert_graph_error(&app.get(&long).await, 414, "RequestUriTooLong");
    let big = "b".repeat(5000);
    let reply = app.request("GET", SUMMARY, None, &[("x-big", &big)]).await;
    assert_graph_error(&reply, 431, "RequestHeaderFieldsTooLarge");
}

/// A log sink the test can read.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn every_log_line_a_request_causes_names_its_request_id() {
    let logs = Captured::default();
    let sink = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || sink.clone())
        .with_ansi(false)
        .finish();
    let request_id = tracing::subscriber::with_default(subscriber, || {
        // One thread: the server's tasks log through this thread's subscriber.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let routes = axum::Router::new().route(
                "/_test/log",
                get(|| async {
                    tracing::warn!("a line from inside the handler");
                    "logged"
                }),
            );
            let app = TestApp::spawn_with(Options {
                extra_routes: Some(routes),
                ..Options::default()
            })
            .await;
            // Other tests of this binary log without a subscriber on other threads; a
            // callsite first seen there may have cached "not interested" for this one.
            tracing::callsite::rebuild_interest_cache();
            let reply = app.get("/_test/log").await;
            assert_eq!(reply.status, 200);
            reply.header("request-id").unwrap().to_string()
        })
    });
    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    let field = format!("request_id={request_id}");
    let inside = text
        .lines()
        .find(|l| l.contains("a line from inside the handler"))
        .unwrap_or_else(|| panic!("no handler line in:\n{text}"));
    assert!(inside.contains(&field), "{inside}");
    let answered = text
        .lines()
        .find(|l| l.contains(&field) && l.contains("status=200"))
        .unwrap_or_else(|| panic!("no request line for {request_id} in:\n{text}"));
    assert!(answered.contains("path=/_test/log"), "{answered}");
}

const MACS: &str = "/beta/deviceManagement/macOSSoftwareUpdateAccountSummaries";

/// An app whose answers hold at most `bytes` of entity data, with `count` entities of
/// `size` bytes each.
async fn with_large_entities(bytes: usize, count: usize, size: usize) -> TestApp {
    let app = TestApp::spawn_with(with_limits(Limits {
        max_response_bytes: bytes,
        ..Limits::default()
    }))
    .await;
    for i in 0..count {
        let body = serde_json::json!({"displayName": format!("{i:03}{}", "x".repeat(size))});
        let reply = app.post(MACS, &body.to_string()).await;
        assert_eq!(reply.status, 201, "{}", reply.text);
    }
    app
}

#[tokio::test]
async fn a_page_over_the_response_limit_ends_early_and_paging_visits_every_entity_once() {
    let app = with_large_entities(200_000, 10, 50_000).await;
    let mut next = Some(format!("{}{MACS}?$top=10", app.base));
    let mut seen = Vec::new();
    let mut pages = 0;
    while let Some(url) = next.take() {
        let path = url.strip_prefix(&app.base).unwrap().to_string();
        let reply = app.get(&path).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        assert!(
            reply.text.len() < 200_000 + 10_000,
            "a page of {} bytes",
            reply.text.len()
        );
        let page = reply.json();
        for entity in page["value"].as_array().unwrap() {
            seen.push(entity["displayName"].as_str().unwrap()[..3].to_string());
        }
        next = page["@odata.nextLink"].as_str().map(str::to_string);
        pages += 1;
        assert!(pages <= 10, "paging does not end");
    }
    let expected: Vec<String> = (0..10).map(|i| format!("{i:03}")).collect();
    assert_eq!(seen, expected, "every entity once, in order");
    assert!(pages >= 3, "the page of 10 was split ({pages} pages)");
}

#[tokio::test]
async fn a_batch_shares_the_response_limit_and_an_entity_that_cannot_fit_is_refused() {
    let app = with_large_entities(400_000, 10, 5_000).await;
    let requests: Vec<_> = (0..20)
        .map(|i| {
            serde_json::json!({"id": i.to_string(), "method": "GET",
                "url": "/deviceManagement/macOSSoftwareUpdateAccountSummaries?$top=10"})
        })
        .collect();
    let batch = serde_json::json!({ "requests": requests }).to_string();
    let reply = app.post("/beta/$batch", &batch).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert!(
        reply.text.len() < 400_000 + 40_000,
        "the batch answered {} bytes",
        reply.text.len()
    );
    for item in reply.json()["responses"].as_array().unwrap() {
        assert_eq!(item["status"], 200, "{item}");
        let values = item["body"]["value"].as_array().unwrap().len();
        assert!((1..10).contains(&values), "{values} entities in a share");
        assert!(item["body"]["@odata.nextLink"].is_string());
    }
    // One entity over the limit: no page can hold it.
    let big = with_large_entities(20_000, 1, 50_000).await;
    let listed = big.get(MACS).await;
    assert_eq!(listed.status, 400, "{}", listed.text);
    assert_eq!(listed.error().0, "ResponseTooLarge");
}

/// An entity that a read by id may answer fits a page on its own: the row a page reads
/// past its end, only to know that another page follows, is not part of the answer and
/// does not weigh against the limit.
#[tokio::test]
async fn a_page_of_one_entity_that_fits_alone_is_served_with_its_next_link() {
    // Each entity fits the limit alone; no two do.
    let app = with_large_entities(120_000, 2, 70_000).await;
    let listed = app.get(MACS).await.json();
    assert_eq!(listed["value"].as_array().unwrap().len(), 1, "{listed}");
    let first = listed["value"][0]["id"].as_str().unwrap().to_string();
    let by_id = app.get(&format!("{MACS}/{first}")).await;
    assert_eq!(by_id.status, 200, "{}", by_id.text);

    for top in ["1", "999"] {
        let mut next = Some(format!("{}{MACS}?$top={top}", app.base));
        let mut seen = Vec::new();
        while let Some(url) = next.take() {
            let reply = app.get(url.strip_prefix(&app.base).unwrap()).await;
            assert_eq!(reply.status, 200, "$top={top}: {}", reply.text);
            let page = reply.json();
            let values = page["value"].as_array().unwrap();
            assert_eq!(values.len(), 1, "$top={top}");
            seen.push(values[0]["displayName"].as_str().unwrap()[..3].to_string());
            next = page["@odata.nextLink"].as_str().map(str::to_string);
            assert!(seen.len() <= 2, "paging does not end");
        }
        assert_eq!(seen, ["000", "001"], "$top={top}");
    }

    // A page ends after as many entities as fit: two of three.
    let app = with_large_entities(120_000, 3, 50_000).await;
    let page = app.get(&format!("{MACS}?$top=10")).await.json();
    assert_eq!(page["value"].as_array().unwrap().len(), 2, "{page}");
    assert!(page["@odata.nextLink"].is_string(), "{page}");
}
