//! `TestApp::spawn()`: the service on an ephemeral port over a fresh data set, with auth
//! on. The data set is a fresh SQLite file, or, when `TEST_DATABASE_URL` names a
//! PostgreSQL database, a fresh schema in it, dropped with the app: the same suite runs on
//! both backends. Requests carry a token of every permission for the app's tenant unless a
//! test asks for another token (`app.with_token(…)`) or none (`app.anonymous()`).

use std::ops::Deref;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::Value;
use server::AppState;
use server::auth::{Auth, AuthMode, Clients, KeySet, SigningKey, TokenSpec};
use store::{Catalog, PostgresExecutor, ScratchSchema, SqlStore, SqliteExecutor, Store};
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tokio::sync::oneshot;

/// A running service and a client for it.
pub struct TestApp {
    session: Session,
    /// The tenant of the default token.
    pub tenant: String,
    /// The token every request carries by default: every permission for `tenant`.
    pub token: String,
    /// The service's signing key, to mint other tokens.
    pub key: SigningKey,
    /// The data set's default tenant (the `--auth off` tenant).
    pub default_tenant: String,
    /// The data set's registered clients.
    pub clients: Clients,
    /// The served schema.
    pub schema: Arc<intune::Schema>,
    /// The store the service runs on, for tests that read or write beside the API.
    pub store: Arc<dyn Store>,
    _stop: oneshot::Sender<()>,
    _data: tempfile::TempDir,
    /// The PostgreSQL data set's schema, dropped last (fields drop in declaration order).
    _schema: Option<ScratchSchema>,
}

/// How to start a [`TestApp`].
#[derive(Default)]
pub struct Options {
    /// `--auth off`.
    pub auth_off: bool,
    /// `--trust-jwks` files.
    pub trust: Vec<PathBuf>,
    /// Another schema than the bundled one (a CSDL edited by the test).
    pub schema: Option<intune::Schema>,
    /// Other limits or a public URL.
    pub config: Option<server::Config>,
    /// Routes added under the service's middleware (`server::build_router_with`).
    pub extra_routes: Option<axum::Router<AppState>>,
}

/// A client of the app with one token (or none).
#[derive(Clone)]
pub struct Session {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    client: reqwest::Client,
    token: Option<String>,
}

impl Deref for TestApp {
    type Target = Session;

    fn deref(&self) -> &Session {
        &self.session
    }
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

    /// The ids of a page's entities (`value`), after checking the page answered 200.
    pub fn ids(&self) -> Vec<String> {
        assert_eq!(self.status, 200, "{}", self.text);
        self.json()["value"]
            .as_array()
            .unwrap_or_else(|| panic!("not a page: {}", self.text))
            .iter()
            .map(|e| e["id"].as_str().expect("an id").to_string())
            .collect()
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

/// A fresh data set: a schema of its own in `TEST_DATABASE_URL`'s PostgreSQL database
/// (with its guard, which drops it), or an SQLite file in `dir`.
async fn open_store(
    catalog: Catalog,
    dir: &std::path::Path,
) -> (Arc<dyn Store>, Option<ScratchSchema>) {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => {
            let schema = ScratchSchema::create(&url, "lg_test")
                .await
                .expect("a schema in TEST_DATABASE_URL");
            let executor = PostgresExecutor::connect(schema.url(), 4)
                .await
                .expect("PostgreSQL");
            let store = SqlStore::open(catalog, executor).await.expect("store");
            (Arc::new(store), Some(schema))
        }
        _ => {
            let executor = SqliteExecutor::open_to_serve(&dir.join("test.sqlite"))
                .await
                .expect("sqlite");
            let store = SqlStore::open(catalog, executor).await.expect("store");
            (Arc::new(store), None)
        }
    }
}

/// One RSA key for the whole suite: generating one per test would only cost time.
fn suite_key() -> SigningKey {
    static PEM: OnceLock<String> = OnceLock::new();
    let pem = PEM.get_or_init(|| SigningKey::generate_pem().expect("an RSA key"));
    SigningKey::from_pem(pem).expect("the key reads back")
}

/// A token for `tenant` with delegated `scopes` and application `roles`, valid for an hour.
pub fn spec(tenant: &str, scopes: &[&str], roles: &[&str]) -> TokenSpec {
    let owned = |list: &[&str]| list.iter().map(|s| s.to_string()).collect();
    TokenSpec {
        tenant: tenant.to_string(),
        scopes: owned(scopes),
        roles: owned(roles),
        ttl: Duration::from_secs(3600),
        client_id: server::auth::token::CLI_CLIENT_ID.to_string(),
    }
}

impl TestApp {
    /// Starts the service on a fresh SQLite data set, auth on.
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(Options::default()).await
    }

    /// Starts the service with `options`.
    pub async fn spawn_with(options: Options) -> TestApp {
        let data = tempfile::tempdir().expect("temp dir");
        let schema = Arc::new(
            options
                .schema
                .unwrap_or_else(|| intune::Schema::load().expect("schema")),
        );
        let catalog = Catalog::build(&schema).expect("catalog");
        let (store, scratch) = open_store(catalog, data.path()).await;
        let key = suite_key();
        let mut keys = KeySet::own(&key);
        for path in &options.trust {
            keys.trust_file(path).expect("a usable JWKS");
        }
        let mode = if options.auth_off {
            AuthMode::Off
        } else {
            AuthMode::On
        };
        let clients = Clients::new(store.clone());
        let served = (schema.clone(), store.clone());
        let auth = Auth::new(mode, key.clone(), keys, clients.clone());
        let config = options.config.unwrap_or_default();
        let limits = config.limits.clone();
        let state = AppState::new(store, schema, Arc::new(auth))
            .await
            .expect("state")
            .with_config(config);
        let default_tenant = state.default_tenant.to_string();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let (stop, stopped) = oneshot::channel::<()>();
        let router = server::build_router_with(state, options.extra_routes.unwrap_or_default());
        tokio::spawn(server::serve_router(listener, router, limits, async {
            let _ = stopped.await;
        }));
        // The workspace's tests build reqwest with rustls and no crypto provider (the
        // process tests speak HTTPS with ring, the server's provider): install it first.
        let _ = tokio_rustls::rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .expect("client");
        let tenant = uuid::Uuid::new_v4().to_string();
        let token = key
            .mint(&TokenSpec::everything(&tenant, Duration::from_secs(3600)))
            .expect("a token");
        TestApp {
            session: Session {
                base,
                client,
                token: Some(token.clone()),
            },
            tenant,
            token,
            key,
            default_tenant,
            clients,
            schema: served.0,
            store: served.1,
            _stop: stop,
            _data: data,
            _schema: scratch,
        }
    }

    /// A token signed by the app's key.
    pub fn mint(&self, spec: &TokenSpec) -> String {
        self.key.mint(spec).expect("a token")
    }

    /// A client that sends `token`.
    pub fn with_token(&self, token: &str) -> Session {
        Session {
            token: Some(token.to_string()),
            ..self.session.clone()
        }
    }

    /// A client of another, fresh tenant (every permission), and that tenant.
    pub fn other_tenant(&self) -> (String, Session) {
        let tenant = uuid::Uuid::new_v4().to_string();
        let token = self.mint(&TokenSpec::everything(&tenant, Duration::from_secs(3600)));
        (tenant, self.with_token(&token))
    }

    /// A client of the app's tenant with every permission, as the client application
    /// `client_id` (the token's `appid`/`azp`).
    pub fn as_app(&self, client_id: &str) -> Session {
        let mut spec = TokenSpec::everything(&self.tenant, Duration::from_secs(3600));
        spec.client_id = client_id.to_string();
        self.with_token(&self.mint(&spec))
    }

    /// A client that sends no `Authorization` header.
    pub fn anonymous(&self) -> Session {
        Session {
            token: None,
            ..self.session.clone()
        }
    }
}

impl Session {
    /// Sends a request with optional extra headers; a body is sent as `application/json`
    /// unless the headers give another `Content-Type`.
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
            let typed = headers
                .iter()
                .any(|(name, _)| name.eq_ignore_ascii_case("content-type"));
            if !typed {
                request = request.header("Content-Type", "application/json");
            }
            request = request.body(body.to_string());
        }
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
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

    /// Turns throttling off for the session's tenant (for bulk loads past Intune's limits).
    pub async fn throttling_off(&self) {
        let off = self
            .request(
                "PUT",
                "/_localgraph/throttling",
                Some(r#"{"mode":"off"}"#),
                &[],
            )
            .await;
        assert_eq!(off.status, 200, "{}", off.text);
    }

    /// The `$batch` items among the tenant's journaled requests, newest first.
    pub async fn journaled_batch_items(&self) -> Vec<Value> {
        let journal = self.get("/_localgraph/requests").await.json();
        journal["value"]
            .as_array()
            .expect("a list")
            .iter()
            .filter(|e| !e["batchRequestId"].is_null())
            .cloned()
            .collect()
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

/// Reads until the server closes the connection; the bytes read, or `None` if it stays
/// open for `patience`.
pub async fn read_until_closed(stream: &mut TcpStream, patience: Duration) -> Option<Vec<u8>> {
    let mut seen = Vec::new();
    let deadline = Instant::now() + patience;
    let mut buffer = [0u8; 4096];
    loop {
        let left = deadline.checked_duration_since(Instant::now())?;
        match tokio::time::timeout(left, stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return Some(seen),
            Ok(Ok(n)) => seen.extend_from_slice(&buffer[..n]),
            Err(_) => return None,
        }
    }
}
