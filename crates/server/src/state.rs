//! What every handler can reach.

use std::ops::Deref;
use std::sync::Arc;

use intune::Schema;
use store::Store;

use crate::auth::Auth;
use crate::config::Config;
use crate::control::{ControlDefaults, Controls};
use crate::discovery::Documents;
use crate::odata::PageTokens;

/// The data set's setting naming its default tenant: a database that has it holds a data
/// set (commands that need one refuse where it is missing).
pub const DEFAULT_TENANT_SETTING: &str = "default_tenant";

/// The service's shared state, built once at start. Cloned for every request (axum's
/// `State`, the middleware), so it is one `Arc`: one reference count to change, not one
/// per field (bench/HISTORY.md, step 24).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// What [`AppState`] shares; its fields are reached through the state (`state.store`).
#[derive(Clone)]
pub struct Shared {
    /// The data.
    pub store: Arc<dyn Store>,
    /// The served models, one per version.
    pub schema: Arc<Schema>,
    /// The data set's default tenant: every request's tenant under `--auth off`, and the
    /// tenant of the token `serve` prints at start.
    pub default_tenant: Arc<str>,
    /// Signs `$skiptoken`s with the data set's key.
    pub(crate) pages: PageTokens,
    /// Token verification and the offline authority.
    pub auth: Arc<Auth>,
    /// Each tenant's controls, this node's throttling windows and request journal.
    pub controls: Arc<Controls>,
    /// Limits and the public URL.
    pub config: Arc<Config>,
    /// `$metadata` and `openapi.json`, written once.
    pub documents: Arc<Documents>,
}

impl AppState {
    /// The state over `store`, with the data set's default tenant (created on first start)
    /// and the default controls (Intune's throttling, the documented profile).
    pub async fn new(
        store: Arc<dyn Store>,
        schema: Arc<Schema>,
        auth: Arc<Auth>,
    ) -> Result<AppState, store::StoreError> {
        AppState::open(store, schema, auth, ControlDefaults::default()).await
    }

    /// The state over `store` with the server's control defaults (`serve --throttling`,
    /// `--profile`).
    pub async fn open(
        store: Arc<dyn Store>,
        schema: Arc<Schema>,
        auth: Arc<Auth>,
        defaults: ControlDefaults,
    ) -> Result<AppState, store::StoreError> {
        let fresh = uuid::Uuid::new_v4().to_string();
        let default_tenant = store.setting(DEFAULT_TENANT_SETTING, &fresh).await?;
        let fresh_key = format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        let paging_key = store.setting("paging_key", &fresh_key).await?;
        let controls = Controls::open(store.clone(), defaults).await?;
        Ok(AppState(Arc::new(Shared {
            store,
            schema,
            default_tenant: default_tenant.into(),
            pages: PageTokens::new(paging_key.as_bytes()),
            auth,
            controls,
            config: Arc::default(),
            documents: Arc::default(),
        })))
    }

    /// The same state with other network settings.
    pub fn with_config(self, config: Config) -> AppState {
        AppState(Arc::new(Shared {
            config: Arc::new(config),
            ..Shared::clone(&self.0)
        }))
    }
}

impl Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}
