//! `TestApp::spawn()`: the service on an ephemeral port over a fresh data set.

use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::Value;
use server::AppState;
use store::{Catalog, SqlStore, SqliteExecutor};
use tokio::sync::oneshot;

/// A running service and a client for it.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    client: reqwest::Client,
    _data: tempfile::TempDir,
    _stop: oneshot::Sender<()>,
}

/// What a response held.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
}

impl Reply {
    /// The body as JSON (panics with the body if it is not).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.text))
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The Graph error code and message.
    pub fn error(&self) -> (String, String) {
        let body = self.json();
        let text = |k: &str| body["error"][k].as_str().unwrap_or_default().to_string();
        (text("code"), text("message"))
    }
}

impl TestApp {
    /// Starts the service on a fresh SQLite data set.
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(intune::Schema::load().expect("schema")).await
    }

    /// Starts the service over another schema (a CSDL edited by the test).
    pub async fn spawn_with(schema: intune::Schema) -> TestApp {
        let data = tempfile::tempdir().expect("temp dir");
        let schema = Arc::new(schema);
        let catalog = Catalog::build(&schema.models()).expect("catalog");
        let executor = SqliteExecutor::open(&data.path().join("test.sqlite"))
            .await
            .expect("sqlite");
        let store = SqlStore::open(catalog, executor).await.expect("store");
        let state = AppState::new(Arc::new(store), schema).await.expect("state");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(server::serve(listener, state, async {
            let _ = stopped.await;
        }));
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .expect("client");
        TestApp {
            base,
            client,
            _data: data,
            _stop: stop,
        }
    }

    /// Sends a request with optional extra headers; a body is sent as `application/json`.
    pub async fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let method = Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(body) = body {
            request = request
                .header("Content-Type", "application/json")
                .body(body.to_string());
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("the server answers");
        Reply {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            text: response.text().await.expect("body"),
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.request("GET", path, None, &[]).await
    }

    pub async fn post(&self, path: &str, body: &str) -> Reply {
        self.request("POST", path, Some(body), &[]).await
    }

    pub async fn patch(&self, path: &str, body: &str) -> Reply {
        self.request("PATCH", path, Some(body), &[]).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.request("DELETE", path, None, &[]).await
    }

    /// Creates a device management script (beta) and returns its id.
    pub async fn create_script(&self) -> String {
        let reply = self
            .post(
                "/beta/deviceManagement/deviceManagementScripts",
                r#"{"displayName":"Inventory","runAsAccount":"system"}"#,
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        reply.json()["id"].as_str().expect("id").to_string()
    }

    /// Creates an iOS app configuration and returns its id.
    pub async fn create_configuration(&self, version: &str) -> String {
        let reply = self
            .post(
                &format!("/{version}/deviceAppManagement/mobileAppConfigurations"),
                r##"{"@odata.type":"#microsoft.graph.iosMobileAppConfiguration","displayName":"Mail settings"}"##,
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        reply.json()["id"].as_str().expect("id").to_string()
    }
}

/// Whether a string is a lower-case hyphenated GUID.
pub fn is_guid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(g, n)| {
            g.len() == n
                && g.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
}
